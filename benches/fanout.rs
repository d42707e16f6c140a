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

mod common;

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use bounded_async::{Progress, join_bounded};
use common::{Job, runtime, workloads};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::stream;
use futures::{FutureExt, StreamExt};
use futures_buffered::BufferedStreamExt;
use futures_concurrency::prelude::*;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

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
    let expected = job.expected();
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
    let (ready, yielding, timers) = workloads();
    compare(c, "ready", ready);
    compare(c, "yielding", yielding);
    compare(c, "timers", timers);
}

criterion_group!(benches, fanout);
criterion_main!(benches);
