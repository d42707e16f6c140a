//! The cost of an uncontended call: `#[bounded(limit = 8)]` next to an unannotated `async fn`,
//! a hand-written `static tokio::sync::Semaphore` gate and an `async_lock::Semaphore` gate, in
//! the same run.
//!
//! ```sh
//! cargo bench --bench call
//! ```
//!
//! Each sample awaits 2,000,000 calls in sequence on `futures::executor::block_on`; criterion's
//! throughput line gives calls per second. Under `cargo test --all-targets` (no `--bench`), each
//! runs once on 2,000 calls as a smoke test.

use std::hint::black_box;
use std::time::Duration;

use bounded_async::bounded;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::executor::block_on;

async fn unannotated(x: u64) -> u64 {
    black_box(x)
}

#[bounded(limit = 8)]
async fn annotated(x: u64) -> u64 {
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
    group.bench_function("static tokio Semaphore gate", |b| {
        b.iter(|| assert_eq!(sequential!(tokio_gate, n), expected))
    });
    group.bench_function("async_lock Semaphore gate", |b| {
        b.iter(|| assert_eq!(sequential!(async_lock_gate, n), expected))
    });
    group.finish();
}

criterion_group!(benches, call);
criterion_main!(benches);
