//! Fan-out: a bounded join of many futures, next to the crates users would pick instead, in the
//! same run and on the same executor (a tokio current-thread runtime).
//!
//! ```sh
//! cargo bench --bench fanout
//! ```
//!
//! - `ready`: 1,000,000 futures that finish at once (`async move { i }`), limit 64.
//! - `yielding`: 200,000 futures that each yield twice, limit 64.
//! - `timers`: 20,000 futures that each sleep 1 ms, limit 200; the ideal is
//!   20,000 / 200 × 1 ms = 100 ms, and efficiency is that ideal over the measured time.
//!
//! Every competitor collects every output (checked by their sum). Under `cargo test
//! --all-targets` (no `--bench`), each runs once on a small input as a smoke test.

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use bounded_async::{Progress, join_bounded};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::stream;
use futures::{FutureExt, StreamExt};
use futures_buffered::BufferedStreamExt;
use futures_concurrency::prelude::*;
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Whether this is a real benchmark run (`cargo bench`), rather than a smoke test.
fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A job: `n` futures made by `make(i)`, each returning `i`, run at most `limit` at a time.
/// Each competitor returns the sum of the outputs it collected.
struct Job<F> {
    n: u64,
    limit: usize,
    make: fn(u64) -> F,
}

// Copy whatever `F` is: a job holds a function pointer, not a future.
impl<F> Clone for Job<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Job<F> {}

async fn with_join_bounded<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let outputs = join_bounded!(limit = job.limit; for i in 0..job.n => (job.make)(i));
    outputs.iter().sum()
}

/// `join_bounded!` "join" with a `progress` callback that keeps the last count, as a progress
/// bar would: what the callback costs a join.
async fn with_join_bounded_progress<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let mut done = 0;
    let outputs = join_bounded!(limit = job.limit, progress = |p: &Progress| done = p.done();
        for i in 0..job.n => (job.make)(i));
    assert_eq!(black_box(done) as u64, job.n);
    outputs.iter().sum()
}

/// The job's futures with their outputs wrapped in `Ok`, for the strategies that need `Result`.
fn fallible<F: Future<Output = u64>>(job: Job<F>, i: u64) -> impl Future<Output = Result<u64, ()>> {
    FutureExt::map((job.make)(i), Ok)
}

async fn with_join_bounded_settled<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let settled = join_bounded!(limit = job.limit, strategy = "settled";
        for i in 0..job.n => fallible(job, i));
    settled.successes().sum()
}

/// "join" over the same `Result`-returning futures as "settled": the difference between the two
/// is the strategy's alone.
async fn with_join_bounded_results<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let outputs = join_bounded!(limit = job.limit; for i in 0..job.n => fallible(job, i));
    outputs.iter().map(|output| output.unwrap_or(0)).sum()
}

impl<F: Future<Output = u64>> Job<F> {
    /// The job's futures, as a stream for the stream-based competitors.
    fn stream(self) -> impl futures::Stream<Item = F> {
        stream::iter(0..self.n).map(self.make)
    }
}

/// Collects a stream of outputs into a `Vec`, as a user would, and sums it.
async fn collect_sum(outputs: impl futures::Stream<Item = u64>) -> u64 {
    outputs.collect::<Vec<u64>>().await.iter().sum()
}

async fn with_buffer_unordered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    collect_sum(job.stream().buffer_unordered(job.limit)).await
}

async fn with_buffered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    collect_sum(job.stream().buffered(job.limit)).await
}

async fn with_futures_buffered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    collect_sum(job.stream().buffered_unordered(job.limit)).await
}

// In futures-concurrency 7, only `for_each` and `try_for_each` honour `limit` (`collect` runs
// everything at once), so the outputs are gathered by `for_each`.
async fn with_futures_concurrency<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let outputs = RefCell::new(Vec::with_capacity(job.n as usize));
    stream::iter(0..job.n)
        .co()
        .limit(NonZeroUsize::new(job.limit))
        .map(job.make)
        .for_each(|output| {
            outputs.borrow_mut().push(output);
            async {}
        })
        .await;
    outputs.into_inner().iter().sum()
}

// The hand-written pattern: a permit is taken before each spawn, so at most `limit` tasks exist.
async fn with_join_set<F: Future<Output = u64> + Send + 'static>(job: Job<F>) -> u64 {
    let permits = Arc::new(Semaphore::new(job.limit));
    let mut tasks = JoinSet::new();
    let mut sum = 0;
    for i in 0..job.n {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let future = (job.make)(i);
        tasks.spawn(async move {
            let output = future.await;
            drop(permit);
            output
        });
        while let Some(done) = tasks.try_join_next() {
            sum += done.expect("no task panics");
        }
    }
    while let Some(done) = tasks.join_next().await {
        sum += done.expect("no task panics");
    }
    sum
}

/// Unbounded: every future at once. The reference point, not a competitor for bounded work.
async fn with_join_all<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    let outputs = futures::future::join_all((0..job.n).map(job.make)).await;
    outputs.iter().sum()
}

fn ready(i: u64) -> std::future::Ready<u64> {
    std::future::ready(black_box(i))
}

async fn yielding(i: u64) -> u64 {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    black_box(i)
}

async fn sleeping(i: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    black_box(i)
}

/// Runs every competitor on `job` in a group named `name`, checking each one's sum.
fn compare<F>(c: &mut Criterion, name: &str, job: Job<F>)
where
    F: Future<Output = u64> + Send + 'static,
{
    let runtime = runtime();
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    let expected = job.n * (job.n - 1) / 2;
    group.throughput(Throughput::Elements(job.n));
    macro_rules! competitor {
        ($name:literal, $run:expr) => {
            group.bench_function($name, |b| {
                b.iter(|| assert_eq!(runtime.block_on($run(job)), expected, $name))
            });
        };
    }
    competitor!("join_bounded! join", with_join_bounded);
    competitor!(
        "join_bounded! join, with progress",
        with_join_bounded_progress
    );
    competitor!("join_bounded! settled", with_join_bounded_settled);
    competitor!(
        "join_bounded! join, Result outputs",
        with_join_bounded_results
    );
    competitor!("buffer_unordered", with_buffer_unordered);
    competitor!("buffered", with_buffered);
    competitor!("futures-buffered", with_futures_buffered);
    competitor!("futures-concurrency", with_futures_concurrency);
    competitor!("JoinSet + Semaphore", with_join_set);
    competitor!("join_all (unbounded)", with_join_all);
    group.finish();
}

fn fanout(c: &mut Criterion) {
    let full = benchmarking();
    let size = |n: u64| if full { n } else { n / 1000 };

    compare(
        c,
        "ready",
        Job {
            n: size(1_000_000),
            limit: 64,
            make: ready,
        },
    );
    compare(
        c,
        "yielding",
        Job {
            n: size(200_000),
            limit: 64,
            make: yielding,
        },
    );
    compare(
        c,
        "timers",
        Job {
            n: size(20_000),
            limit: 200,
            make: sleeping,
        },
    );
}

criterion_group!(benches, fanout);
criterion_main!(benches);
