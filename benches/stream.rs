//! Streams of outputs: `stream_bounded!` next to the streams users would pick instead, each
//! consumed output by output as a pipeline would (summed as they come), in the same run and on
//! the same executor (a tokio current-thread runtime).
//!
//! ```sh
//! cargo bench --bench stream
//! ```
//!
//! In input order, `stream_bounded!` (over an iterator, and `for await` over a stream) next to
//! futures' `buffered` and futures-buffered's `buffered_ordered`; as they finish,
//! `stream_bounded!(order = "completion")` next to `buffer_unordered` and futures-buffered's
//! `buffered_unordered`. The workloads are the fan-out bench's:
//!
//! - `ready`: 1,000,000 futures that finish at once, limit 64;
//! - `yielding`: 200,000 futures that each yield twice, limit 64;
//! - `timers`: 20,000 futures that each sleep 1 ms, limit 200.
//!
//! Under `cargo test --all-targets` (no `--bench`), each runs once on a small input as a smoke
//! test.

use std::future::Future;
use std::hint::black_box;
use std::time::Duration;

use bounded_async::stream_bounded;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::stream::{self, Stream, StreamExt};
use futures_buffered::BufferedStreamExt;
use tokio::runtime::Runtime;

fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// `n` futures made by `make(i)`, each returning `i`, at most `limit` at a time.
struct Job<F> {
    n: u64,
    limit: usize,
    make: fn(u64) -> F,
}

impl<F> Clone for Job<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Job<F> {}

impl<F: Future<Output = u64>> Job<F> {
    fn stream(self) -> impl Stream<Item = F> {
        stream::iter(0..self.n).map(self.make)
    }
}

/// Consumes `outputs` one by one, as a pipeline writing each output out would, and checks
/// their order when `in_order`.
async fn consume(outputs: impl Stream<Item = u64>, in_order: bool) -> u64 {
    let mut outputs = std::pin::pin!(outputs);
    let (mut sum, mut next) = (0, 0);
    while let Some(output) = outputs.next().await {
        if in_order {
            assert_eq!(output, next, "out of order");
            next += 1;
        }
        sum += black_box(output);
    }
    sum
}

async fn stream_bounded_input<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(
        stream_bounded!(limit = job.limit; for i in 0..job.n => (job.make)(i)),
        true,
    )
    .await
}

async fn stream_bounded_input_for_await<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(
        stream_bounded!(limit = job.limit; for await i in stream::iter(0..job.n) => (job.make)(i)),
        true,
    )
    .await
}

async fn buffered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(job.stream().buffered(job.limit), true).await
}

async fn futures_buffered_ordered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(job.stream().buffered_ordered(job.limit), true).await
}

async fn stream_bounded_completion<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(
        stream_bounded!(limit = job.limit, order = "completion"; for i in 0..job.n => (job.make)(i)),
        false,
    )
    .await
}

async fn stream_bounded_completion_for_await<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(
        stream_bounded!(limit = job.limit, order = "completion";
            for await i in stream::iter(0..job.n) => (job.make)(i)),
        false,
    )
    .await
}

async fn buffer_unordered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(job.stream().buffer_unordered(job.limit), false).await
}

async fn futures_buffered_unordered<F: Future<Output = u64>>(job: Job<F>) -> u64 {
    consume(job.stream().buffered_unordered(job.limit), false).await
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

fn compare<F: Future<Output = u64>>(c: &mut Criterion, name: &str, job: Job<F>) {
    let runtime = runtime();
    let expected = job.n * (job.n - 1) / 2;
    macro_rules! competitors {
        ($order:literal; $($competitor:literal => $run:expr),* $(,)?) => {{
            let mut group = c.benchmark_group(format!("{name}, {}", $order));
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(4))
                .throughput(Throughput::Elements(job.n));
            $(
                group.bench_function($competitor, |b| {
                    b.iter(|| assert_eq!(runtime.block_on($run(job)), expected, $competitor))
                });
            )*
            group.finish();
        }};
    }
    competitors!("input order";
        "stream_bounded!" => stream_bounded_input,
        "stream_bounded! for await" => stream_bounded_input_for_await,
        "buffered" => buffered,
        "futures-buffered buffered_ordered" => futures_buffered_ordered,
    );
    competitors!("completion order";
        "stream_bounded!" => stream_bounded_completion,
        "stream_bounded! for await" => stream_bounded_completion_for_await,
        "buffer_unordered" => buffer_unordered,
        "futures-buffered buffered_unordered" => futures_buffered_unordered,
    );
}

fn streams(c: &mut Criterion) {
    let size = |n: u64| if benchmarking() { n } else { n / 1000 };
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

criterion_group!(benches, streams);
criterion_main!(benches);
