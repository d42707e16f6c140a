//! A real `redis-server` for the fleet-wide pools' tests: started on a free loopback port, with
//! no persistence, stopped (killed) when dropped; and a Redis Cluster of three such servers.
//! Needs `redis-server` on `PATH` (Debian's package `redis-server`; `.ci/run` installs it).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

impl RedisServer {
    /// Starts a server and waits until it answers.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` (again, after `stop`) and waits until it answers.
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, &[])
    }

    /// Starts a server on `port` with `more` arguments, and waits until it answers.
    fn start_with(port: u16, more: &[&str]) -> Self {
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
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
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
    pub fn start() -> Self {
        let folder = std::env::temp_dir().join(format!(
            "bounded-async-cluster-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&folder).expect("a folder for the nodes' files");
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                let port = free_port();
                let config = folder.join(format!("nodes-{port}.conf"));
                RedisServer::start_with(
                    port,
                    &[
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        config.to_str().expect("a UTF-8 temporary folder"),
                    ],
                )
            })
            .collect();
        let cluster = RedisCluster { nodes, folder };
        let connections: Vec<redis::Connection> = cluster
            .nodes
            .iter()
            .map(|node| {
                redis::Client::open(node.url())
                    .and_then(|client| client.get_connection())
                    .expect("the node answers")
            })
            .collect();
        for (i, mut connection) in connections.into_iter().enumerate() {
            let (first, last) = (i * 16384 / 3, (i + 1) * 16384 / 3 - 1);
            redis::cmd("CLUSTER")
                .arg("ADDSLOTSRANGE")
                .arg(first)
                .arg(last)
                .query::<()>(&mut connection)
                .expect("the node takes its slots");
            if i > 0 {
                redis::cmd("CLUSTER")
                    .arg("MEET")
                    .arg("127.0.0.1")
                    .arg(cluster.nodes[0].port)
                    .query::<()>(&mut connection)
                    .expect("the node meets the first");
            }
        }
        let started = Instant::now();
        for node in &cluster.nodes {
            let mut connection = redis::Client::open(node.url())
                .and_then(|client| client.get_connection())
                .expect("the node answers");
            loop {
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query(&mut connection)
                    .expect("the node answers");
                if info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3") {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "the cluster did not come up:\n{info}"
                );
                std::thread::sleep(Duration::from_millis(20));
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
