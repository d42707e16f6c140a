//! The cost of an uncontended call: `#[bounded(limit = 8)]` next to an unannotated `async fn`,
//! a hand-written compare-and-swap gate (one compare-exchange to take a permit, one add to give
//! it back, no wait list: the floor a gate can reach), a `static tokio::sync::Semaphore` gate and
//! an `async_lock::Semaphore` gate, in the same run.
//!
//! ```sh
//! cargo bench --bench call
//! ```
//!
//! `call`: each sample awaits 2,000,000 calls in sequence on `futures::executor::block_on`;
//! criterion's throughput line gives calls per second. `contended`: 64 tasks on a 2-worker tokio
//! runtime each make 2,000 calls whose body yields once while holding the permit, limit 8, so
//! callers queue and permits are handed over. `rejected`: one call refused at once by a gate with
//! `queue = 0` whose permit is held. Under `cargo test --all-targets` (no `--bench`),
//! each runs once on a small input as a smoke test.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bounded_async::bounded;
use criterion::{Criterion, Throughput, criterion_group};
use futures::executor::block_on;

async fn unannotated(x: u64) -> u64 {
    black_box(x)
}

#[bounded(limit = 8)]
async fn annotated(x: u64) -> u64 {
    black_box(x)
}

/// The same, with the keys that can turn a call away declared but never triggered: no call
/// waits, so no timer is started.
#[bounded(limit = 8, queue = 64, wait = "1s", timeout = "1s")]
async fn annotated_with_keys(x: u64) -> Result<u64, bounded_async::Rejected> {
    Ok(black_box(x))
}

async fn with_keys(x: u64) -> u64 {
    match annotated_with_keys(x).await {
        Ok(x) => x,
        Err(rejected) => panic!("{rejected}"),
    }
}

/// A hand-written gate of 8 permits: a compare-exchange loop to take one, an add to give it back.
/// It cannot wait, so it only serves the uncontended benchmark.
static CAS_GATE: AtomicUsize = AtomicUsize::new(8);

struct CasPermit;

impl Drop for CasPermit {
    #[inline]
    fn drop(&mut self) {
        CAS_GATE.fetch_add(1, Ordering::Release);
    }
}

#[inline]
fn cas_acquire() -> Option<CasPermit> {
    let mut free = CAS_GATE.load(Ordering::Relaxed);
    while free > 0 {
        match CAS_GATE.compare_exchange_weak(free, free - 1, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return Some(CasPermit),
            Err(actual) => free = actual,
        }
    }
    None
}

async fn cas_gate(x: u64) -> u64 {
    let _permit = cas_acquire().expect("uncontended: a permit is always free");
    black_box(x)
}

static TOKIO_GATE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(8);

async fn tokio_gate(x: u64) -> u64 {
    let _permit = TOKIO_GATE
        .acquire()
        .await
        .expect("the gate is never closed");
    black_box(x)
}

static ASYNC_LOCK_GATE: async_lock::Semaphore = async_lock::Semaphore::new(8);

async fn async_lock_gate(x: u64) -> u64 {
    let _permit = ASYNC_LOCK_GATE.acquire().await;
    black_box(x)
}

/// Awaits `call(i)` for every `i` below `n`, in sequence, and returns the sum.
macro_rules! sequential {
    ($call:ident, $n:expr) => {
        block_on(async {
            let mut sum = 0;
            for i in 0..$n {
                sum += $call(i).await;
            }
            sum
        })
    };
}

#[bounded(limit = 8)]
async fn annotated_yielding(x: u64) -> u64 {
    tokio::task::yield_now().await;
    black_box(x)
}

async fn tokio_gate_yielding(x: u64) -> u64 {
    let _permit = TOKIO_GATE
        .acquire()
        .await
        .expect("the gate is never closed");
    tokio::task::yield_now().await;
    black_box(x)
}

async fn async_lock_gate_yielding(x: u64) -> u64 {
    let _permit = ASYNC_LOCK_GATE.acquire().await;
    tokio::task::yield_now().await;
    black_box(x)
}

/// `tasks` spawned tasks, each awaiting `calls` calls of `$call` in sequence; returns the sum.
macro_rules! contended {
    ($runtime:expr, $call:ident, $tasks:expr, $calls:expr) => {
        $runtime.block_on(async {
            let handles: Vec<_> = (0..$tasks)
                .map(|_| {
                    let calls: u64 = $calls;
                    tokio::spawn(async move {
                        let mut sum = 0;
                        for i in 0..calls {
                            sum += $call(i).await;
                        }
                        sum
                    })
                })
                .collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.expect("no call panics");
            }
            sum
        })
    };
}

fn contended(c: &mut Criterion) {
    let (tasks, calls): (u64, u64) = if std::env::args().any(|arg| arg == "--bench") {
        (64, 2_000)
    } else {
        (8, 20)
    };
    let expected = tasks * calls * (calls - 1) / 2;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a tokio runtime");
    let mut group = c.benchmark_group("contended");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(tasks * calls));
    group.bench_function("#[bounded(limit = 8)]", |b| {
        b.iter(|| {
            assert_eq!(
                contended!(runtime, annotated_yielding, tasks, calls),
                expected
            )
        })
    });
    group.bench_function("static tokio Semaphore gate", |b| {
        b.iter(|| {
            assert_eq!(
                contended!(runtime, tokio_gate_yielding, tasks, calls),
                expected
            )
        })
    });
    group.bench_function("async_lock Semaphore gate", |b| {
        b.iter(|| {
            assert_eq!(
                contended!(runtime, async_lock_gate_yielding, tasks, calls),
                expected
            )
        })
    });
    group.finish();
}

fn call(c: &mut Criterion) {
    let n: u64 = if std::env::args().any(|arg| arg == "--bench") {
        2_000_000
    } else {
        2_000
    };
    let expected = n * (n - 1) / 2;
    let mut group = c.benchmark_group("call");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(n));
    group.bench_function("unannotated", |b| {
        b.iter(|| assert_eq!(sequential!(unannotated, n), expected))
    });
    group.bench_function("#[bounded(limit = 8)]", |b| {
        b.iter(|| assert_eq!(sequential!(annotated, n), expected))
    });
    group.bench_function("#[bounded(limit = 8, queue, wait, timeout)]", |b| {
        b.iter(|| assert_eq!(sequential!(with_keys, n), expected))
    });
    group.bench_function("hand-written CAS gate", |b| {
        b.iter(|| assert_eq!(sequential!(cas_gate, n), expected))
    });
    group.bench_function("static tokio Semaphore gate", |b| {
        b.iter(|| assert_eq!(sequential!(tokio_gate, n), expected))
    });
    group.bench_function("async_lock Semaphore gate", |b| {
        b.iter(|| assert_eq!(sequential!(async_lock_gate, n), expected))
    });
    group.finish();
}

/// A gate with `queue = 0` whose one permit is held: every call is refused at once.
static SHEDDING: bounded_async::Gate = bounded_async::Gate::new(1).with_queue(0);

bounded_async::pool!(SHED = 1, queue = 0);

/// A function on a pool with `queue = 0`: while the pool's permit is held, every call is turned
/// away, and returns the `Rejected`.
#[bounded(pool = SHED)]
async fn shed() -> Result<(), bounded_async::Rejected> {
    Ok(())
}

fn rejected(c: &mut Criterion) {
    use futures::FutureExt;
    let _held = SHEDDING.try_acquire().expect("the permit is free");
    let mut group = c.benchmark_group("rejected");
    group.throughput(Throughput::Elements(1));
    group.bench_function("queue = 0, permit held", |b| {
        b.iter(|| {
            let refused = black_box(&SHEDDING).admit().now_or_never();
            assert!(matches!(refused, Some(Err(_))));
        })
    });
    let _held = SHED.try_acquire().expect("the permit is free");
    group.bench_function("#[bounded] call refused, with its Rejected", |b| {
        b.iter(|| {
            let refused = black_box(shed()).now_or_never();
            assert!(matches!(refused, Some(Err(_))));
        })
    });
    group.finish();
}

criterion_group!(benches, call, contended, rejected);

fn main() {
    // With the `metrics` feature, `BOUNDED_ASYNC_BENCH_RECORDER=prometheus` installs
    // metrics-exporter-prometheus' recorder before any gate is used, so that the gates' handles
    // are its handles: the cost of metrics with a recorder installed.
    #[cfg(feature = "metrics")]
    if std::env::var("BOUNDED_ASYNC_BENCH_RECORDER").as_deref() == Ok("prometheus") {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .expect("no other recorder is installed");
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
