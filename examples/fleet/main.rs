//! A fleet: four processes that each think they are alone, calling one service that serves 20
//! requests at once, first with a limit per process, then with one pool shared through Redis.
//!
//! ```sh
//! cargo run --release --example fleet --features redis
//! ```
//!
//! It starts a `redis-server` on a free loopback port (one must be on `PATH`: Debian's package
//! `redis-server`; without it, it says so and exits with status 2), and the thundering-herd
//! example's service with capacity 20 (~20 ms a request, `429 Too Many Requests` beyond 20 at
//! once). Then, twice, it runs this program again as four client processes, each fetching 250
//! records with a fan-out of 100:
//!
//! - `#[bounded(limit = 20)] fn`: each process holds its own 20, so the fleet sends 80 at once
//!   and most of them are throttled;
//! - `pool!(.., backend = "redis")`: the 20 are shared by the fleet, and none is throttled.
//!
//! A throttled request is not tried again here: the table counts what each way gets through.

#[allow(dead_code)]
#[path = "../thundering_herd/herd.rs"]
mod herd;

#[allow(dead_code)]
#[path = "../../tests/common/redis_server.rs"]
mod redis_server;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bounded_async::{bounded, join_bounded, pool};
use herd::{Client, FetchError, Record, ServiceConfig};

/// The service's capacity, and the fleet-wide pool's.
const CAPACITY: usize = 20;
const PROCESSES: usize = 4;
const RECORDS: u64 = 250;

pool!(
    /// The service's 20 requests at once, shared by every process of the fleet.
    PARTNER = 20, backend = "redis", lease = "10s"
);

#[bounded(pool = PARTNER)]
async fn fetch_fleet(client: &Client, id: u64) -> Result<Record, FetchError> {
    client.fetch(id).await
}

/// A client process: fetches its records the way `way` says and prints `fetched throttled`.
async fn client_process(way: &str, service: SocketAddr, redis_port: u16, first: u64) {
    let client = Client::new(service);
    if way == "fleet" {
        let redis =
            redis::Client::open(format!("redis://127.0.0.1:{redis_port}/")).expect("a Redis URL");
        PARTNER.connect_client(redis).await.expect("Redis answers");
    }
    let ids = first..first + RECORDS;
    let client = &client;
    let results = match way {
        "fleet" => join_bounded!(limit = 100; for id in ids => fetch_fleet(client, id)),
        _ => join_bounded!(limit = 100; for id in ids => herd::fetch_bounded(client, id)),
    };
    // The last calls' leases go back to the fleet before this process exits, not when they end.
    PARTNER.flush().await;
    let fetched = results.iter().filter(|result| result.is_ok()).count();
    let throttled = results
        .iter()
        .filter(|result| matches!(result, Err(FetchError::Throttled { .. })))
        .count();
    println!("{fetched} {throttled}");
}

/// Runs the four client processes of `way` at once; returns the records they fetched and the
/// 429s they met.
fn run_fleet(way: &str, service: SocketAddr, redis_port: u16) -> (usize, usize) {
    let exe = std::env::current_exe().expect("this program's path");
    let children: Vec<_> = (0..PROCESSES as u64)
        .map(|process| {
            Command::new(&exe)
                .args([
                    "--client",
                    way,
                    &service.to_string(),
                    &redis_port.to_string(),
                ])
                .arg((process * RECORDS).to_string())
                .stdout(Stdio::piped())
                .spawn()
                .expect("this program runs again")
        })
        .collect();
    let mut totals = (0, 0);
    for child in children {
        let output = child.wait_with_output().expect("the client ran");
        assert!(output.status.success(), "a client process failed");
        let line = String::from_utf8(output.stdout).expect("UTF-8");
        let mut numbers = line
            .split_whitespace()
            .map(|n| n.parse::<usize>().expect("counts"));
        totals.0 += numbers.next().expect("fetched");
        totals.1 += numbers.next().expect("throttled");
    }
    totals
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    if let [_, flag, way, service, redis_port, first] = args.as_slice()
        && flag == "--client"
    {
        runtime.block_on(client_process(
            way,
            service.parse().expect("the service's address"),
            redis_port.parse().expect("Redis's port"),
            first.parse().expect("the first record"),
        ));
        return;
    }
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !found.is_ok_and(|status| status.success()) {
        eprintln!(
            "fleet: this example needs `redis-server` on PATH; on Debian or Ubuntu: \
             `sudo apt-get install redis-server`"
        );
        std::process::exit(2);
    }
    let redis = runtime.block_on(redis_server::RedisServer::start());
    let service = runtime.block_on(async {
        let listener = herd::listen().expect("a loopback port");
        let address = listener.local_addr().expect("its address");
        let config = ServiceConfig {
            capacity: CAPACITY,
            latency: Duration::from_millis(20),
            quota: None,
        };
        tokio::spawn(herd::serve(listener, config));
        address
    });
    let probe = Client::new(service);
    println!(
        "{PROCESSES} processes × {RECORDS} records, a service that serves {CAPACITY} at once:\n"
    );
    println!(
        "{:<34} {:>7} {:>14} {:>10} {:>9}",
        "way", "time", "peak requests", "429s", "records"
    );
    for (way, label) in [
        ("local", "#[bounded(limit = 20)] fn"),
        ("fleet", "pool!(.., backend = \"redis\")"),
    ] {
        runtime.block_on(probe.reset()).expect("the service resets");
        let start = Instant::now();
        let (fetched, throttled) = run_fleet(way, service, redis.port);
        let elapsed = start.elapsed();
        let stats = runtime
            .block_on(probe.stats())
            .expect("the service reports");
        assert_eq!(stats.throttled, throttled, "both sides count the same 429s");
        println!(
            "{label:<34} {:>6.2}s {:>14} {:>10} {:>9}",
            elapsed.as_secs_f64(),
            stats.peak,
            throttled,
            fetched,
        );
    }
}
