//! A real `redis-server` for the fleet-wide pools' tests: started on a free loopback port, with
//! no persistence, stopped (killed) when dropped. Needs `redis-server` on `PATH` (Debian's
//! package `redis-server`; `.ci/run` installs it).

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
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        Self::start_on(port)
    }

    /// Starts a server on `port` (again, after `stop`) and waits until it answers.
    pub fn start_on(port: u16) -> Self {
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

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
