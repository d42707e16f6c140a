//! A real `redis-server` for the fleet-wide pools' tests: started on a free loopback port, with
//! no persistence, stopped (killed) when dropped; and a Redis Cluster of three such servers.
//! Needs `redis-server` on `PATH` (Debian's package `redis-server`; `.ci/run` installs it).
//! Starting one waits on tokio's timer, not on the thread: the tests that start a server again
//! run on a runtime whose other tasks (the pools' keepers) must go on meanwhile.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

impl RedisServer {
    /// Starts a server and waits until it answers.
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// Starts a server on `port` (again, after `kill`) and waits until it answers.
    pub async fn start_on(port: u16) -> Self {
        Self::start_with(port, &[]).await
    }

    /// Starts a server on `port` with `more` arguments, and waits until it answers.
    async fn start_with(port: u16, more: &[&str]) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "no", "--protected-mode", "no"])
            .args(more)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (Debian: apt-get install redis-server)");
        let server = RedisServer { child, port };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection as users make one: a `ConnectionManager`, which reconnects on its own.
    pub async fn manager(&self) -> redis::aio::ConnectionManager {
        let client = redis::Client::open(self.url()).expect("a Redis URL");
        redis::aio::ConnectionManager::new(client)
            .await
            .expect("the server answers")
    }

    /// Stops the server at once (SIGKILL), losing its state.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends `signal` (`-STOP`, `-CONT`) to the server's process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill on PATH");
        assert!(status.success());
    }
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Redis Cluster of three primaries on loopback, each serving a third of the hash slots, with
/// its nodes' files in a folder of its own; stopped, and the folder removed, when dropped.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    folder: std::path::PathBuf,
}

impl RedisCluster {
    /// Starts the three nodes, gives each its slots, introduces them, and waits until every node
    /// says the cluster is up.
    pub async fn start() -> Self {
        let folder = std::env::temp_dir().join(format!(
            "bounded-async-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&folder).expect("a folder for the nodes' files");
        let mut nodes = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let config = folder.join(format!("nodes-{port}.conf"));
            let node = RedisServer::start_with(
                port,
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    config.to_str().expect("a UTF-8 temporary folder"),
                ],
            )
            .await;
            nodes.push(node);
        }
        let cluster = RedisCluster { nodes, folder };
        for (i, node) in cluster.nodes.iter().enumerate() {
            let mut connection = node.manager().await;
            let (first, last) = (i * 16384 / 3, (i + 1) * 16384 / 3 - 1);
            redis::cmd("CLUSTER")
                .arg("ADDSLOTSRANGE")
                .arg(first)
                .arg(last)
                .query_async::<()>(&mut connection)
                .await
                .expect("the node takes its slots");
            if i > 0 {
                redis::cmd("CLUSTER")
                    .arg("MEET")
                    .arg("127.0.0.1")
                    .arg(cluster.nodes[0].port)
                    .query_async::<()>(&mut connection)
                    .await
                    .expect("the node meets the first");
            }
        }
        let started = Instant::now();
        for node in &cluster.nodes {
            let mut connection = node.manager().await;
            loop {
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut connection)
                    .await
                    .expect("the node answers");
                if info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3") {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "the cluster did not come up:\n{info}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        cluster
    }

    /// The nodes' URLs, for a `ClusterClient`.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        self.nodes.clear();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
