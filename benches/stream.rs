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

mod common;

use std::future::Future;
use std::hint::black_box;
use std::time::Duration;

use bounded_async::stream_bounded;
use common::{Job, runtime, workloads};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::stream::{self, Stream, StreamExt};
use futures_buffered::BufferedStreamExt;

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

fn compare<F: Future<Output = u64>>(c: &mut Criterion, name: &str, job: Job<F>) {
    let runtime = runtime();
    let expected = job.expected();
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
    let (ready, yielding, timers) = workloads();
    compare(c, "ready", ready);
    compare(c, "yielding", yielding);
    compare(c, "timers", timers);
}

criterion_group!(benches, streams);
criterion_main!(benches);
