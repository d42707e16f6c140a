//! Fleet-wide pools (feature `redis`), against a real `redis-server` that each test starts on a
//! loopback port: `cargo test --features redis --test fleet`.
//!
//! Several processes are played two ways: pools of the same name in one process (each with its
//! own connection and its own name in Redis, as two processes have; built by hand, since
//! `pool!` names each pool after its module), and child processes (this test binary, run again
//! with `BOUNDED_ASYNC_FLEET_CHILD` set) for what only a process can do: be killed while it
//! holds a permit, and hammer the pool from four places at once.

#![cfg(feature = "redis")]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;
#[cfg(feature = "tracing")]
#[path = "common/tracing_log.rs"]
mod tracing_log;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bounded_async::{Pool, Reason, Rejected, bounded, pool};
use common::Random;
use redis::AsyncCommands;
use redis_server::{RedisCluster, RedisServer};

const LEASE: Duration = Duration::from_secs(2);

/// How many calls of the test's pools hold a permit in this process, and the most at once.
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
    /// Calls cancelled while they held a permit.
    cut: AtomicUsize,
}

impl Gauge {
    const fn new() -> Self {
        Gauge {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            cut: AtomicUsize::new(0),
        }
    }

    /// Counts the call for `for_ms`, or until it is cancelled (counted in `cut`).
    async fn hold(&self, for_ms: u64) {
        struct Held<'a>(&'a Gauge, bool);
        impl Drop for Held<'_> {
            fn drop(&mut self) {
                self.0.now.fetch_sub(1, Ordering::SeqCst);
                if !self.1 {
                    self.0.cut.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        let mut held = Held(self, false);
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(for_ms)).await;
        held.1 = true;
    }
}

/// The number of calls holding a lease of the pool `name` in Redis.
async fn holders(connection: &mut redis::aio::ConnectionManager, name: &str) -> usize {
    connection
        .zcard(format!("{{bounded-async:{name}}}:holders"))
        .await
        .expect("Redis answers")
}

/// Waits until `count` calls of `name` hold a lease (or wait in its line, `line`), failing after
/// a hang guard's worth of tries rather than hanging.
async fn until(connection: &mut redis::aio::ConnectionManager, key: String, count: usize) {
    for _ in 0..2_000 {
        let now: usize = connection.zcard(&key).await.expect("Redis answers");
        if now == count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{key} never had {count} members");
}

/// Waits until `pool` has reported `count` leases lost, failing after a hang guard's worth of
/// tries rather than hanging.
async fn leases_lost<const N: usize, const M: usize>(pool: &Pool<N, M, true>, count: u64) {
    for _ in 0..2_000 {
        if pool.stats().rejected.leases_lost >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        pool.stats().rejected.leases_lost,
        count,
        "the lost leases are reported"
    );
}

fn holders_key(name: &str) -> String {
    format!("{{bounded-async:{name}}}:holders")
}

fn waiters_key(name: &str) -> String {
    format!("{{bounded-async:{name}}}:waiters")
}

// --- A call before `connect`, and `connect` itself ---------------------------------------------

pool!(EARLY = 2, backend = "redis", lease = "2s");

#[bounded(pool = EARLY)]
async fn early() -> Result<(), Rejected> {
    Ok(())
}

#[tokio::test]
async fn a_call_before_connect_is_turned_away_with_a_message_that_says_so() {
    let rejected = early().await.expect_err("not connected");
    assert_eq!(rejected.reason(), Reason::Backend);
    assert_eq!(
        rejected.to_string(),
        "fleet::EARLY: not connected to its Redis yet; call the pool's `connect` at start-up \
         (backend = \"redis\")"
    );
    assert_eq!(EARLY.stats().rejected.backend, 1);
    assert_eq!(EARLY.in_flight(), 0, "its local permit was given back");
}

static GONE: Pool<2, 2, true> = Pool::new().with_name("fleet::GONE").with_redis(LEASE);
static PLAIN: Pool<2, 2, true> = Pool::new().with_name("fleet::PLAIN").with_queue(4);

#[tokio::test]
async fn connect_says_why_it_failed() {
    let mut server = RedisServer::start().await;
    let connection = server.manager().await;
    server.kill();
    let error = GONE
        .connect(connection.clone())
        .await
        .expect_err("Redis is gone");
    let message = error.to_string();
    assert!(
        message.starts_with("fleet::GONE: could not reach its Redis: "),
        "{message}"
    );

    let error = PLAIN.connect(connection).await.expect_err("no backend");
    assert_eq!(
        error.to_string(),
        "fleet::PLAIN: has no Redis backend to connect; declare it with `backend = \"redis\"`"
    );
}

/// Pools of one name and capacity, as several processes declare them, each with a member that
/// holds its permit for `$ms` ms, counted in `$gauge`.
/// Runs `rounds` of the calls given at once, each on a task of its own, and checks that every
/// one was admitted and returned.
macro_rules! all_admitted {
    ($rounds:expr; $($call:expr),+) => {{
        let calls = (0..$rounds).flat_map(|_| {
            [$(tokio::spawn($call) as tokio::task::JoinHandle<Result<(), Rejected>>),+]
        });
        for call in futures::future::join_all(calls).await {
            call.expect("no call panics")
                .expect("no call is turned away");
        }
    }};
}

macro_rules! processes {
    ($name:literal, $capacity:literal, $gauge:ident, $ms:literal: $($pool:ident $call:ident),*) => {
        static $gauge: Gauge = Gauge::new();
        $(
            static $pool: Pool<$capacity, $capacity, true> =
                Pool::new().with_name($name).with_redis(LEASE);

            #[bounded(pool = $pool)]
            async fn $call() -> Result<(), Rejected> {
                $gauge.hold($ms).await;
                Ok(())
            }
        )*
    };
}

// --- Two processes' pools share the permits ----------------------------------------------------

processes!("fleet::SHARED", 4, SHARED, 20: LEFT left, RIGHT right);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_of_one_name_share_its_capacity_and_reach_it() {
    let server = RedisServer::start().await;
    LEFT.connect(server.manager().await)
        .await
        .expect("connects");
    RIGHT
        .connect(server.manager().await)
        .await
        .expect("connects");
    all_admitted!(16; left(), right());
    // Each process holds at most 4 itself: 8 without the fleet's limit.
    assert_eq!(SHARED.peak.load(Ordering::SeqCst), 4);
    let mut connection = server.manager().await;
    until(&mut connection, holders_key("fleet::SHARED"), 0).await;
    assert_eq!(holders(&mut connection, "fleet::SHARED").await, 0);
}

// --- Calls cancelled at random ----------------------------------------------------------------------

processes!("fleet::CANCELLED", 3, CANCELLED, 4: CANCEL_A cancel_a, CANCEL_B cancel_b);

/// A call that holds its permit until it is cancelled.
#[bounded(pool = CANCEL_A)]
async fn cancel_a_held() -> Result<(), Rejected> {
    CANCELLED.hold(3_600_000).await;
    Ok(())
}

#[bounded(pool = CANCEL_B)]
async fn cancel_b_held() -> Result<(), Rejected> {
    CANCELLED.hold(3_600_000).await;
    Ok(())
}

/// Cancels `call` `after` from now, from a task of its own.
fn cancel_after<T>(call: &tokio::task::JoinHandle<T>, after: Duration) {
    let abort = call.abort_handle();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        abort.abort();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_cancelled_at_random_leave_nothing_behind_and_the_capacity_holds() {
    let server = RedisServer::start().await;
    for pool in [&CANCEL_A, &CANCEL_B] {
        pool.connect(server.manager().await)
            .await
            .expect("connects");
    }
    // A fixed seed, so that a failure can be replayed.
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let mut calls = Vec::new();
    // Six calls that hold their permit until they are cancelled, at 5-404 ms: the first are
    // admitted at once and cancelled while they hold it, the others may be cancelled while
    // they wait.
    for i in 0..6 {
        let call = if i % 2 == 0 {
            tokio::spawn(cancel_a_held())
        } else {
            tokio::spawn(cancel_b_held())
        };
        cancel_after(&call, Duration::from_millis(5 + random.below(400)));
        calls.push(call);
    }
    for i in 0..300 {
        let call = if i % 2 == 0 {
            tokio::spawn(cancel_a())
        } else {
            tokio::spawn(cancel_b())
        };
        // A third are cancelled at a random time within the run: most while they wait in the
        // fleet's line (or their process's), some while they hold a lease, some after they
        // have ended.
        if random.below(3) == 0 {
            cancel_after(&call, Duration::from_millis(random.below(400)));
        }
        calls.push(call);
    }
    let mut finished = 0;
    for call in calls {
        match call.await {
            Ok(result) => {
                result.expect("a call that runs to its end is admitted");
                finished += 1;
            }
            Err(error) => assert!(error.is_cancelled(), "{error}"),
        }
    }
    let cut = CANCELLED.cut.load(Ordering::SeqCst);
    let before_admission = 306 - finished - cut;
    assert!(
        cut > 0 && before_admission > 0,
        "cancelled: {cut} holding a lease, {before_admission} before"
    );
    // Never more than the fleet's capacity at once, and the capacity was reached.
    assert_eq!(CANCELLED.peak.load(Ordering::SeqCst), 3);
    // Every lease and every place in line given back, long before a lease would have ended.
    CANCEL_A.flush().await;
    CANCEL_B.flush().await;
    let mut connection = server.manager().await;
    assert_eq!(holders(&mut connection, "fleet::CANCELLED").await, 0);
    let waiting: usize = connection
        .zcard(waiters_key("fleet::CANCELLED"))
        .await
        .expect("Redis answers");
    assert_eq!(waiting, 0);
    assert_eq!(CANCEL_A.in_flight() + CANCEL_B.in_flight(), 0);
}

// --- The fleet's line is served in arrival order -----------------------------------------------

static FAIR_HOLDER: Pool<1, 1, true> = Pool::new().with_name("fleet::FAIR").with_redis(LEASE);
static FAIR_A: Pool<1, 1, true> = Pool::new().with_name("fleet::FAIR").with_redis(LEASE);
static FAIR_B: Pool<1, 1, true> = Pool::new().with_name("fleet::FAIR").with_redis(LEASE);
static FAIR_C: Pool<1, 1, true> = Pool::new().with_name("fleet::FAIR").with_redis(LEASE);
static ORDER: Mutex<Vec<char>> = Mutex::new(Vec::new());

#[bounded(pool = FAIR_HOLDER)]
async fn hold_until(released: tokio::sync::oneshot::Receiver<()>) -> Result<(), Rejected> {
    let _ = released.await;
    Ok(())
}

#[bounded(pool = FAIR_A)]
async fn fair_a() -> Result<(), Rejected> {
    ORDER.lock().unwrap().push('a');
    Ok(())
}

#[bounded(pool = FAIR_B)]
async fn fair_b() -> Result<(), Rejected> {
    ORDER.lock().unwrap().push('b');
    Ok(())
}

#[bounded(pool = FAIR_C)]
async fn fair_c() -> Result<(), Rejected> {
    ORDER.lock().unwrap().push('c');
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_from_different_processes_are_admitted_in_arrival_order() {
    let server = RedisServer::start().await;
    for pool in [&FAIR_HOLDER, &FAIR_A, &FAIR_B, &FAIR_C] {
        pool.connect(server.manager().await)
            .await
            .expect("connects");
    }
    let mut connection = server.manager().await;
    let (release, released) = tokio::sync::oneshot::channel();
    let holder = tokio::spawn(hold_until(released));
    until(&mut connection, holders_key("fleet::FAIR"), 1).await;
    // Each joins the line only once the one before it is in it: c, then a, then b.
    let c = tokio::spawn(fair_c());
    until(&mut connection, waiters_key("fleet::FAIR"), 1).await;
    let a = tokio::spawn(fair_a());
    until(&mut connection, waiters_key("fleet::FAIR"), 2).await;
    let b = tokio::spawn(fair_b());
    until(&mut connection, waiters_key("fleet::FAIR"), 3).await;
    release.send(()).expect("the holder waits");
    for call in [holder, c, a, b] {
        call.await.expect("no panic").expect("admitted");
    }
    assert_eq!(*ORDER.lock().unwrap(), ['c', 'a', 'b']);
}

// --- The keys expire, and outlive the leases in them ---------------------------------------------

static KEPT_HOLDER: Pool<1, 1, true> = Pool::new().with_name("fleet::KEPT").with_redis(LEASE);
static KEPT_WAITER: Pool<1, 1, true> = Pool::new().with_name("fleet::KEPT").with_redis(LEASE);

#[bounded(pool = KEPT_HOLDER)]
async fn kept(released: tokio::sync::oneshot::Receiver<()>) -> Result<(), Rejected> {
    let _ = released.await;
    Ok(())
}

#[bounded(pool = KEPT_WAITER)]
async fn kept_waiting() -> Result<(), Rejected> {
    Ok(())
}

/// Each key of the pool `name` that exists, with its time to live in ms (-1: it has none).
async fn ttls(connection: &mut redis::aio::ConnectionManager, name: &str) -> Vec<(String, i64)> {
    let mut ttls = Vec::new();
    for key in ["holders", "waiters", "seen", "ticket"] {
        let key = format!("{{bounded-async:{name}}}:{key}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(connection)
            .await
            .expect("Redis answers");
        if ttl != -2 {
            ttls.push((key, ttl));
        }
    }
    ttls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_expires_within_two_leases_of_its_last_use_and_outlives_the_leases_in_it() {
    let server = RedisServer::start().await;
    for pool in [&KEPT_HOLDER, &KEPT_WAITER] {
        pool.connect(server.manager().await)
            .await
            .expect("connects");
    }
    let mut connection = server.manager().await;
    let lease_ms = LEASE.as_millis() as i64;
    let within_two_leases =
        |ttls: &[(String, i64)]| ttls.iter().all(|(_, ttl)| (1..=2 * lease_ms).contains(ttl));
    let (release, released) = tokio::sync::oneshot::channel();
    let holder = tokio::spawn(kept(released));
    until(&mut connection, holders_key("fleet::KEPT"), 1).await;
    let waiter = tokio::spawn(kept_waiting());
    until(&mut connection, waiters_key("fleet::KEPT"), 1).await;
    // A call that joins the line gives every key, the ones it made among them, an expiry.
    let keys = ttls(&mut connection, "fleet::KEPT").await;
    assert_eq!(keys.len(), 4, "holders, waiters, seen and ticket: {keys:?}");
    assert!(within_two_leases(&keys), "{keys:?}");
    // Held for longer than the keys' first expiry: the renewals keep them, with the lease.
    tokio::time::sleep(LEASE * 5 / 2).await;
    let keys = ttls(&mut connection, "fleet::KEPT").await;
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(within_two_leases(&keys), "{keys:?}");
    assert_eq!(holders(&mut connection, "fleet::KEPT").await, 1);
    release.send(()).expect("the holder waits");
    for call in [holder, waiter] {
        call.await.expect("no panic").expect("admitted");
    }
    until(&mut connection, holders_key("fleet::KEPT"), 0).await;
    // Unused from now on: whatever is left expires within two leases.
    let keys = ttls(&mut connection, "fleet::KEPT").await;
    assert!(within_two_leases(&keys), "{keys:?}");
}

// --- A dropped call releases at once -----------------------------------------------------------

pool!(DROPPED = 2, backend = "redis", lease = "2s");

#[bounded(pool = DROPPED)]
async fn forever() -> Result<(), Rejected> {
    std::future::pending::<()>().await;
    Ok(())
}

#[tokio::test]
async fn a_dropped_call_gives_its_lease_back_at_once() {
    let server = RedisServer::start().await;
    DROPPED
        .connect(server.manager().await)
        .await
        .expect("connects");
    let mut connection = server.manager().await;
    let call = tokio::spawn(forever());
    until(&mut connection, holders_key("fleet::DROPPED"), 1).await;
    call.abort();
    assert!(call.await.expect_err("cancelled").is_cancelled());
    // Long before its lease would end.
    DROPPED.flush().await;
    assert_eq!(holders(&mut connection, "fleet::DROPPED").await, 0);
    assert_eq!(DROPPED.in_flight(), 0);
}

// --- Redis out of reach ------------------------------------------------------------------------

pool!(PATIENT = 2, wait = "300ms", backend = "redis", lease = "2s");
pool!(IMPATIENT = 2, backend = "redis", lease = "2s");

#[bounded(pool = PATIENT)]
async fn patient() -> Result<(), Rejected> {
    Ok(())
}

#[bounded(pool = IMPATIENT)]
async fn impatient() -> Result<(), Rejected> {
    Ok(())
}

#[tokio::test]
async fn redis_out_of_reach_turns_calls_away_with_reason_backend() {
    let mut server = RedisServer::start().await;
    PATIENT
        .connect(server.manager().await)
        .await
        .expect("connects");
    IMPATIENT
        .connect(server.manager().await)
        .await
        .expect("connects");
    patient().await.expect("admitted while Redis runs");
    impatient().await.expect("admitted while Redis runs");
    server.kill();

    // Without a `wait`, at once; with one, when it runs out. Nothing hangs.
    let rejected = impatient().await.expect_err("Redis is gone");
    assert_eq!(rejected.reason(), Reason::Backend);
    assert_eq!(
        rejected.to_string(),
        "fleet::IMPATIENT: its Redis could not be reached (backend = \"redis\")"
    );
    let rejected = patient().await.expect_err("Redis is gone");
    assert_eq!(rejected.reason(), Reason::Backend);
    assert_eq!(PATIENT.stats().rejected.backend, 1);
    assert_eq!((PATIENT.in_flight(), IMPATIENT.in_flight()), (0, 0));
}

// --- Child processes ---------------------------------------------------------------------------

static CHILD_POOL: Pool<10, 10, true> = Pool::new()
    .with_name("fleet::CHILDREN")
    .with_wait(Duration::from_secs(30))
    .with_redis(LEASE);

/// A call of the children's pool: counts itself in Redis's `inflight` while it runs, and keeps
/// the most seen in `peak`.
#[bounded(pool = CHILD_POOL)]
async fn counted(
    connection: &mut redis::aio::ConnectionManager,
    for_ms: u64,
) -> Result<(), Rejected> {
    let now: i64 = connection.incr("inflight", 1).await.expect("Redis answers");
    let _: () = redis::Script::new(
        "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then \
         redis.call('SET', KEYS[1], ARGV[1]) end",
    )
    .key("peak")
    .arg(now)
    .invoke_async(connection)
    .await
    .expect("Redis answers");
    tokio::time::sleep(Duration::from_millis(for_ms)).await;
    let _: i64 = connection.decr("inflight", 1).await.expect("Redis answers");
    Ok(())
}

/// The child's side: with `BOUNDED_ASYNC_FLEET_CHILD` = `hammer:PORT` it makes 40 calls, 20 at
/// once, then exits; with `hold:PORT` it takes the pool's permits, says `held`, and waits to be
/// killed. Without it (a normal run), it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_child() {
    let Ok(role) = std::env::var("BOUNDED_ASYNC_FLEET_CHILD") else {
        return;
    };
    let (role, port) = role.split_once(':').expect("role:port");
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).expect("a URL");
    let connection = redis::aio::ConnectionManager::new(client)
        .await
        .expect("Redis answers");
    CHILD_POOL
        .connect(connection.clone())
        .await
        .expect("connects");
    match role {
        "hammer" => {
            let calls = (0..40).map(|_| {
                let mut connection = connection.clone();
                async move { counted(&mut connection, 15).await }
            });
            let calls = bounded_async::join_bounded!(limit = 20; for call in calls => call);
            assert!(calls.iter().all(Result::is_ok), "{calls:?}");
        }
        "hold" => {
            let source = connection.clone();
            let calls = (0..10).map(move |_| {
                let mut connection = source.clone();
                async move { counted(&mut connection, 3_600_000).await }
            });
            let held = tokio::spawn(async move {
                bounded_async::join_bounded!(limit = 10; for call in calls => call)
            });
            let mut probe = connection.clone();
            while holders(&mut probe, "fleet::CHILDREN").await < 10 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            println!("held");
            held.await.expect("never ends");
        }
        other => panic!("unknown role {other}"),
    }
}

/// Runs this test binary again as a child with `role`.
fn child(role: &str, port: u16) -> std::process::Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "fleet_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("BOUNDED_ASYNC_FLEET_CHILD", format!("{role}:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the test binary runs again")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_never_exceed_the_fleets_capacity_and_reach_it() {
    let server = RedisServer::start().await;
    let children: Vec<_> = (0..4).map(|_| child("hammer", server.port)).collect();
    for mut child in children {
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("waits")
            .expect("the child ran");
        assert!(status.success(), "a child failed");
    }
    let mut connection = server.manager().await;
    let peak: usize = connection.get("peak").await.expect("Redis answers");
    // 4 processes of 20 calls each, 10 of their own at once: 40 without the fleet's limit.
    assert_eq!(peak, 10);
    let inflight: usize = connection.get("inflight").await.expect("Redis answers");
    assert_eq!(inflight, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permits_of_a_killed_process_come_back_when_their_leases_end() {
    let server = RedisServer::start().await;
    let mut holder = child("hold", server.port);
    let stdout = holder.stdout.take().expect("piped");
    let said = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            // The test harness has already written "test fleet_child ... " on that line.
            .any(|line| line.ends_with("held"))
    });
    assert!(said.await.expect("reads"), "the child took the permits");
    let mut connection = server.manager().await;
    assert_eq!(holders(&mut connection, "fleet::CHILDREN").await, 10);
    holder.kill().expect("SIGKILL");
    holder.wait().expect("reaped");
    // The leases are no longer renewed: they end within a lease, and a call of this process
    // (which may wait 30 s, many leases) is admitted then.
    CHILD_POOL
        .connect(server.manager().await)
        .await
        .expect("connects");
    counted(&mut connection, 0)
        .await
        .expect("admitted once the leases ended");
    // Its own lease is given back as it returns; the killed process's are gone.
    until(&mut connection, holders_key("fleet::CHILDREN"), 0).await;
}

// --- A lease that could not be renewed ---------------------------------------------------------

// Listed, as `pool!` lists its pools, so that it reports to the `metrics` feature.
static STALLED: Pool<1, 1, true> = Pool::new()
    .with_name("fleet::STALLED")
    .with_redis(Duration::from_secs(1))
    .listed(&STALLED);

#[bounded(pool = STALLED)]
async fn stalled(released: tokio::sync::oneshot::Receiver<()>) -> Result<u32, Rejected> {
    let _ = released.await;
    Ok(7)
}

/// With the `metrics` feature, the test binary's recorder (installed by the one test that reads
/// it, before its pool's first use).
#[cfg(feature = "metrics")]
fn recorder() -> metrics_util::debugging::Snapshotter {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::set_global_recorder(recorder).expect("the test binary's only recorder");
    snapshotter
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_lost_while_redis_was_stopped_is_counted_and_the_result_still_returned() {
    #[cfg(feature = "metrics")]
    let snapshotter = recorder();
    // With the `tracing` feature, the test binary's subscriber (the one test that reads it).
    #[cfg(feature = "tracing")]
    let log = tracing_log::Log::global();
    let server = RedisServer::start().await;
    STALLED
        .connect(server.manager().await)
        .await
        .expect("connects");
    let mut connection = server.manager().await;
    let (release, released) = tokio::sync::oneshot::channel();
    let call = tokio::spawn(stalled(released));
    until(&mut connection, holders_key("fleet::STALLED"), 1).await;
    // Redis stopped past the lease: the renewal waits, and Redis's clock runs on.
    server.signal("-STOP");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.signal("-CONT");
    leases_lost(&STALLED, 1).await;
    // Taken back in: the pool had room.
    assert_eq!(holders(&mut connection, "fleet::STALLED").await, 1);
    #[cfg(feature = "metrics")]
    {
        use metrics_util::debugging::DebugValue;
        let lost = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .find_map(|(key, _, _, value)| {
                let key = key.key();
                let ours = key.name() == "bounded_async_leases_lost_total"
                    && key
                        .labels()
                        .any(|label| label.key() == "gate" && label.value() == "fleet::STALLED");
                ours.then_some(value)
            });
        assert_eq!(
            lost,
            Some(DebugValue::Counter(1)),
            "bounded_async_leases_lost_total"
        );
    }
    #[cfg(feature = "tracing")]
    {
        let expected = "fleet::STALLED: 1 fleet-wide lease ran out before renewal, so the fleet \
                        may have run more calls than its capacity; 1 taken again, 0 running \
                        uncounted until they end";
        let warnings = log.events(tracing::Level::WARN);
        assert!(
            warnings.iter().any(|warning| warning.name == expected),
            "no WARN of the lost lease among {warnings:#?}"
        );
    }
    release.send(()).expect("the call waits");
    assert_eq!(call.await.expect("no panic").expect("not turned away"), 7);
}

// --- A renewal whose reply is lost --------------------------------------------------------------

static UNANSWERED: Pool<1, 1, true> = Pool::new()
    .with_name("fleet::UNANSWERED")
    .with_redis(Duration::from_secs(1));

#[bounded(pool = UNANSWERED)]
async fn unanswered(released: tokio::sync::oneshot::Receiver<()>) -> Result<u32, Rejected> {
    let _ = released.await;
    Ok(5)
}

/// A connection that, once `lose` is set, loses the reply to the next renewal on its way back:
/// Redis runs the script, and the pool gets an error, as when a connection fails mid-request or
/// gives up on an answer that comes too late.
#[derive(Clone)]
struct Lossy {
    inner: redis::aio::ConnectionManager,
    lose: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl redis::aio::ConnectionLike for Lossy {
    fn req_packed_command<'a>(
        &'a mut self,
        cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        Box::pin(async move {
            let reply = self.inner.req_packed_command(cmd).await;
            // A renewal is the one script given the process's key of reports.
            let renewal = cmd.args_iter().any(|arg| {
                matches!(arg, redis::Arg::Simple(bytes)
                    if bytes.windows(6).any(|part| part == b":lost:"))
            });
            if renewal && self.lose.swap(false, Ordering::SeqCst) {
                return Err(std::io::Error::other("the reply was lost").into());
            }
            reply
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        self.inner.req_packed_commands(pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.inner.get_db()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_lost_is_counted_once_when_the_reply_of_the_renewal_that_found_it_is_lost() {
    let server = RedisServer::start().await;
    let lose = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let lossy = Lossy {
        inner: server.manager().await,
        lose: lose.clone(),
    };
    UNANSWERED.connect(lossy).await.expect("connects");
    let mut connection = server.manager().await;
    let (release, released) = tokio::sync::oneshot::channel();
    let call = tokio::spawn(unanswered(released));
    until(&mut connection, holders_key("fleet::UNANSWERED"), 1).await;
    // Redis stopped past the 1 s lease: the renewal that runs once it goes on finds the lease
    // gone and takes it back in (the pool has room), and its reply is lost.
    server.signal("-STOP");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    lose.store(true, Ordering::SeqCst);
    server.signal("-CONT");
    // Reported with the next renewal.
    leases_lost(&UNANSWERED, 1).await;
    assert!(
        !lose.load(Ordering::SeqCst),
        "a renewal's reply was lost on the way"
    );
    // Once: the renewals after it (three a second) report nothing more, and the report is
    // forgotten in Redis once counted.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(UNANSWERED.stats().rejected.leases_lost, 1);
    let reports: Vec<String> = connection
        .keys("{bounded-async:fleet::UNANSWERED}:lost:*")
        .await
        .expect("Redis answers");
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!(holders(&mut connection, "fleet::UNANSWERED").await, 1);
    release.send(()).expect("the call waits");
    assert_eq!(call.await.expect("no panic").expect("not turned away"), 5);
}

// --- Redis restarted, its state lost -----------------------------------------------------------

static RESTARTED: Pool<2, 2, true> = Pool::new()
    .with_name("fleet::RESTARTED")
    .with_wait(Duration::from_secs(10))
    .with_redis(LEASE);

#[bounded(pool = RESTARTED)]
async fn after_restart() -> Result<(), Rejected> {
    Ok(())
}

#[bounded(pool = RESTARTED)]
async fn across_restart(released: tokio::sync::oneshot::Receiver<()>) -> Result<u32, Rejected> {
    let _ = released.await;
    Ok(9)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_recovers_when_redis_restarts_without_its_state() {
    let mut server = RedisServer::start().await;
    RESTARTED
        .connect(server.manager().await)
        .await
        .expect("connects");
    after_restart().await.expect("admitted");
    // A call that holds its permit across the restart.
    let (release, released) = tokio::sync::oneshot::channel();
    let held = tokio::spawn(across_restart(released));
    until(
        &mut server.manager().await,
        holders_key("fleet::RESTARTED"),
        1,
    )
    .await;
    let port = server.port;
    server.kill();
    let server = RedisServer::start_on(port).await;
    // The next renewal finds the lease gone with Redis's state: it is reported lost, and taken
    // back in, since the pool has room, so the call counts again while it runs.
    leases_lost(&RESTARTED, 1).await;
    let mut connection = server.manager().await;
    assert_eq!(holders(&mut connection, "fleet::RESTARTED").await, 1);
    // The connection reconnects and the scripts are loaded again (EVALSHA falls back to EVAL);
    // a call that may wait is admitted once Redis is back, beside the one taken back in.
    after_restart().await.expect("admitted after the restart");
    release.send(()).expect("the call waits");
    assert_eq!(held.await.expect("no panic").expect("not turned away"), 9);
    until(&mut connection, holders_key("fleet::RESTARTED"), 0).await;
    after_restart().await.expect("and after");
}

// --- Wake-ups through pub/sub ------------------------------------------------------------------

processes!("fleet::WOKEN", 3, WOKEN, 5: WOKEN_LEFT woken_left, WOKEN_RIGHT woken_right);

// Checks that pools connected with a client (which subscribe to the pool's channel) share the
// capacity and admit every call; that the channel's wake-ups are what admits them sooner is
// measured by `benches/fleet.rs`, not checked here (the waiters' polls would admit them too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_connected_with_a_client_share_the_capacity_and_admit_every_call() {
    let server = RedisServer::start().await;
    let client = redis::Client::open(server.url()).expect("a Redis URL");
    WOKEN_LEFT
        .connect_client(client.clone())
        .await
        .expect("connects");
    WOKEN_RIGHT.connect_client(client).await.expect("connects");
    all_admitted!(30; woken_left(), woken_right());
    assert_eq!(WOKEN.peak.load(Ordering::SeqCst), 3);
    let mut connection = server.manager().await;
    until(&mut connection, holders_key("fleet::WOKEN"), 0).await;
}

// --- Redis Cluster ------------------------------------------------------------------------------

processes!("fleet::CLUSTERED", 3, CLUSTERED, 5: CLUSTERED_LEFT clustered_left, CLUSTERED_RIGHT clustered_right);

// The pool's keys share one hash tag, so Redis Cluster runs its scripts (which name several keys)
// on the node that serves the tag's slot, wherever that is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_on_a_redis_cluster_share_the_capacity_and_reach_it() {
    let cluster = RedisCluster::start().await;
    let client = redis::cluster::ClusterClient::new(cluster.urls()).expect("the nodes' URLs");
    for pool in [&CLUSTERED_LEFT, &CLUSTERED_RIGHT] {
        let connection = client
            .get_async_connection()
            .await
            .expect("the cluster answers");
        pool.connect(connection).await.expect("connects");
    }
    all_admitted!(12; clustered_left(), clustered_right());
    // Each process holds at most 3 itself: 6 without the fleet's limit.
    assert_eq!(CLUSTERED.peak.load(Ordering::SeqCst), 3);
    let mut connection = client
        .get_async_connection()
        .await
        .expect("the cluster answers");
    let holders: usize = connection
        .zcard(holders_key("fleet::CLUSTERED"))
        .await
        .expect("the cluster answers");
    assert_eq!(holders, 0, "every lease was given back");
    let ticket: Option<u64> = connection
        .get("{bounded-async:fleet::CLUSTERED}:ticket")
        .await
        .expect("the cluster answers");
    assert!(ticket.is_some(), "the calls waited in the fleet's line");
}

// --- Flushing the releases before an exit -------------------------------------------------------

processes!("fleet::FLUSHED", 8, FLUSHED, 20: FLUSHED_POOL flushed);

// The calls end together, and their releases queue for the pool's keeper; once `flush` returns,
// every one has reached Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_returns_once_every_ended_call_has_given_its_lease_back() {
    let server = RedisServer::start().await;
    FLUSHED_POOL
        .connect(server.manager().await)
        .await
        .expect("connects");
    let mut connection = server.manager().await;
    for round in 0..5 {
        all_admitted!(8; flushed());
        FLUSHED_POOL.flush().await;
        assert_eq!(
            holders(&mut connection, "fleet::FLUSHED").await,
            0,
            "round {round}: a lease was still held after flush"
        );
    }
    assert_eq!(FLUSHED.peak.load(Ordering::SeqCst), 8);
}
