//! Fleet-wide pools on a real `redis-server` (feature `redis`), next to the approach of
//! redis-semaphore (npm), reimplemented minimally here as the baseline: a holder set trimmed of
//! expired entries, and waiters that poll it every 10 ms.
//!
//! ```sh
//! cargo bench --features redis --bench fleet
//! ```
//!
//! It starts its own `redis-server` on a loopback port and measures, on a tokio multi-thread
//! runtime:
//!
//! - the round trip of one call (lease taken, empty body, lease given back), uncontended, one
//!   call after another, and the Redis commands each call costs (from `INFO commandstats`);
//! - admission at capacity: four "processes" (pools of one name, each with its own
//!   connection, 10 calls of its own at once) share a pool of 10; each call holds its permit
//!   for 5 ms. Admitted calls per second, Redis commands per admitted call, and the CPU time
//!   Redis spent (from `INFO cpu`), against the polling baseline under the same load.
//!
//! Under `cargo test --all-targets` without `--bench`, each runs on a small load as a smoke test.

// The tests' helper, of which the bench uses only what starts and stops a server.
#[allow(dead_code)]
#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use bounded_async::{Pool, Rejected, bounded};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use redis_server::RedisServer;

const LEASE: Duration = Duration::from_secs(30);

fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// What Redis has run so far.
#[derive(Clone, Copy, Default)]
struct Counters {
    /// Script calls (`EVALSHA`, `EVAL`): one round trip each.
    scripts: u64,
    /// `ZREM` calls, the baseline's release (and commands inside the pool's scripts).
    zrem: u64,
    /// Every command, those run inside scripts included (`INFO` and `ZCARD` left out).
    commands: u64,
    /// CPU seconds.
    cpu: f64,
}

impl std::ops::Sub for Counters {
    type Output = Counters;

    fn sub(self, before: Counters) -> Counters {
        Counters {
            scripts: self.scripts - before.scripts,
            zrem: self.zrem - before.zrem,
            commands: self.commands - before.commands,
            cpu: self.cpu - before.cpu,
        }
    }
}

async fn redis_counters(connection: &mut ConnectionManager) -> Counters {
    let info: String = redis::cmd("INFO")
        .arg("all")
        .query_async(connection)
        .await
        .expect("INFO");
    let mut counters = Counters::default();
    for line in info.lines() {
        if let Some(stats) = line.strip_prefix("cmdstat_") {
            // cmdstat_evalsha:calls=12,usec=...
            let calls = stats
                .split(':')
                .nth(1)
                .and_then(|fields| fields.split(',').next())
                .and_then(|calls| calls.strip_prefix("calls="))
                .and_then(|calls| calls.parse::<u64>().ok())
                .unwrap_or(0);
            if !stats.starts_with("info:") && !stats.starts_with("zcard:") {
                counters.commands += calls;
            }
            if stats.starts_with("evalsha:") || stats.starts_with("eval:") {
                counters.scripts += calls;
            }
            if stats.starts_with("zrem:") {
                counters.zrem += calls;
            }
        }
        for key in ["used_cpu_sys:", "used_cpu_user:"] {
            if let Some(seconds) = line.strip_prefix(key) {
                counters.cpu += seconds.trim().parse::<f64>().unwrap_or(0.0);
            }
        }
    }
    counters
}

mod pools {
    use super::*;

    pub static ALONE: Pool<64, 64, true> = Pool::new().with_name("bench::ALONE").with_redis(LEASE);

    #[bounded(pool = ALONE)]
    pub async fn alone() -> Result<(), Rejected> {
        Ok(())
    }

    macro_rules! processes {
        ($name:literal: $($pool:ident $call:ident),*) => {$(
            pub static $pool: Pool<10, 10, true> = Pool::new()
                .with_name($name)
                .with_redis(LEASE);

            #[bounded(pool = $pool)]
            pub async fn $call(hold: Duration) -> Result<(), Rejected> {
                tokio::time::sleep(hold).await;
                Ok(())
            }
        )*};
    }

    // Connected with a client: wake-ups through pub/sub.
    processes!("bench::WOKEN": P0 p0, P1 p1, P2 p2, P3 p3);
    // Connected with a connection only: waiters poll.
    processes!("bench::POLLING": Q0 q0, Q1 q1, Q2 q2, Q3 q3);
}

/// The baseline: redis-semaphore's approach, a holder set trimmed of expired entries and a
/// waiter that polls it every 10 ms.
mod polling {
    use super::*;

    static ACQUIRE: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
        redis::Script::new(
            r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
return 0
",
        )
    });

    pub async fn call(connection: &mut ConnectionManager, id: String, hold: Duration) {
        loop {
            let admitted: i64 = ACQUIRE
                .key("polling:holders")
                .arg(10)
                .arg(LEASE.as_millis() as u64)
                .arg(&id)
                .invoke_async(connection)
                .await
                .expect("Redis answers");
            if admitted == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(hold).await;
        let _: i64 = connection
            .zrem("polling:holders", &id)
            .await
            .expect("Redis answers");
    }
}

async fn round_trip(server: &RedisServer, calls: u32) {
    let mut connection = server.manager().await;
    pools::ALONE
        .connect(server.manager().await)
        .await
        .expect("connects");
    pools::alone().await.expect("warm-up");
    let before = redis_counters(&mut connection).await;
    let start = Instant::now();
    for _ in 0..calls {
        pools::alone().await.expect("admitted");
    }
    let elapsed = start.elapsed();
    // The releases run on the pool's task: wait for the last one before counting.
    while connection
        .zcard::<_, usize>("{bounded-async:bench::ALONE}:holders")
        .await
        .expect("Redis answers")
        > 0
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let spent = redis_counters(&mut connection).await - before;
    let per_call = |n: u64| n as f64 / f64::from(calls);
    println!(
        "uncontended: {:.1} µs a call over {calls} calls, {:.2} round trips a call \
         ({:.1} commands, those inside the scripts included)",
        elapsed.as_secs_f64() * 1e6 / f64::from(calls),
        per_call(spent.scripts),
        per_call(spent.commands),
    );
}

/// Runs `calls` calls in each of four "processes" at capacity; returns calls/s and what Redis
/// ran.
async fn at_capacity<F, Fut>(server: &RedisServer, calls: usize, run: F) -> (f64, Counters)
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut connection = server.manager().await;
    let before = redis_counters(&mut connection).await;
    let start = Instant::now();
    let tasks: Vec<_> = (0..4)
        .flat_map(|process| (0..calls).map(move |i| (process, i)))
        .map(|(process, i)| tokio::spawn(run(process, i)))
        .collect();
    for task in tasks {
        task.await.expect("no call panics");
    }
    let elapsed = start.elapsed();
    let spent = redis_counters(&mut connection).await - before;
    ((4 * calls) as f64 / elapsed.as_secs_f64(), spent)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = RedisServer::start().await;
    let full = benchmarking();
    round_trip(&server, if full { 5_000 } else { 50 }).await;

    let calls = if full { 1_000 } else { 20 };
    let hold = Duration::from_millis(5);
    let client = redis::Client::open(server.url()).expect("a Redis URL");
    for pool in [&pools::P0, &pools::P1, &pools::P2, &pools::P3] {
        pool.connect_client(client.clone()).await.expect("connects");
    }
    for pool in [&pools::Q0, &pools::Q1, &pools::Q2, &pools::Q3] {
        pool.connect(server.manager().await)
            .await
            .expect("connects");
    }
    let woken = at_capacity(&server, calls, |process, _| async move {
        match process {
            0 => pools::p0(hold).await,
            1 => pools::p1(hold).await,
            2 => pools::p2(hold).await,
            _ => pools::p3(hold).await,
        }
        .expect("admitted");
    })
    .await;
    let leases = at_capacity(&server, calls, |process, _| async move {
        match process {
            0 => pools::q0(hold).await,
            1 => pools::q1(hold).await,
            2 => pools::q2(hold).await,
            _ => pools::q3(hold).await,
        }
        .expect("admitted");
    })
    .await;
    // The same load: each process lets 10 of its calls at Redis at once, as its local gate does.
    let connections: Vec<ConnectionManager> =
        futures::future::join_all((0..4).map(|_| server.manager())).await;
    let local: Vec<std::sync::Arc<tokio::sync::Semaphore>> = (0..4)
        .map(|_| std::sync::Arc::new(tokio::sync::Semaphore::new(10)))
        .collect();
    let polled = at_capacity(&server, calls, |process, i| {
        let mut connection = connections[process].clone();
        let local = std::sync::Arc::clone(&local[process]);
        async move {
            let _permit = local.acquire().await.expect("never closed");
            polling::call(&mut connection, format!("{process}:{i}"), hold).await;
        }
    })
    .await;
    let ideal = 10.0 / hold.as_secs_f64();
    println!(
        "at capacity (4 processes, pool of 10, {calls} calls each holding {} ms; ideal {ideal:.0}/s):",
        hold.as_millis()
    );
    println!(
        "{:<34} {:>9} {:>20} {:>17} {:>12}",
        "", "calls/s", "round trips a call", "commands a call", "Redis CPU"
    );
    let total = (4 * calls) as f64;
    for (name, (rate, spent), trips) in [
        ("pool, connect_client (pub/sub)", woken, woken.1.scripts),
        ("pool, connect (polling)", leases, leases.1.scripts),
        (
            "polling baseline (every 10 ms)",
            polled,
            polled.1.scripts + polled.1.zrem,
        ),
    ] {
        println!(
            "{name:<34} {rate:>9.0} {:>20.2} {:>17.2} {:>10.3} s",
            trips as f64 / total,
            spent.commands as f64 / total,
            spent.cpu,
        );
    }
}
