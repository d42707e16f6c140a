//! What the fan-out and stream benches share: the run mode, the runtime, the job and its three
//! workloads.

use std::future::Future;
use std::hint::black_box;
use std::time::Duration;

use futures::StreamExt;
use futures::stream;
use tokio::runtime::Runtime;

/// Whether this is a real benchmark run (`cargo bench`), rather than a smoke test.
pub fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// A tokio current-thread runtime, the same for every competitor.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A job: `n` futures made by `make(i)`, each returning `i`, run at most `limit` at a time.
/// Each competitor returns the sum of the outputs it collected.
pub struct Job<F> {
    pub n: u64,
    pub limit: usize,
    pub make: fn(u64) -> F,
}

// Copy whatever `F` is: a job holds a function pointer, not a future.
impl<F> Clone for Job<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Job<F> {}

impl<F: Future<Output = u64>> Job<F> {
    /// The job's futures, as a stream for the stream-based competitors.
    pub fn stream(self) -> impl futures::Stream<Item = F> {
        stream::iter(0..self.n).map(self.make)
    }

    /// The sum every competitor must return.
    pub fn expected(&self) -> u64 {
        self.n * (self.n - 1) / 2
    }
}

/// `ready`: futures that finish at once.
pub fn ready(i: u64) -> std::future::Ready<u64> {
    std::future::ready(black_box(i))
}

/// `yielding`: futures that each yield twice.
pub async fn yielding(i: u64) -> u64 {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    black_box(i)
}

/// `timers`: futures that each sleep 1 ms.
pub async fn sleeping(i: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    black_box(i)
}

/// The three workloads, full size under `cargo bench` and a thousandth as a smoke test: 1,000,000
/// ready futures and 200,000 yielding ones with a limit of 64, and 20,000 timers with 200.
pub fn workloads() -> (
    Job<std::future::Ready<u64>>,
    Job<impl Future<Output = u64> + Send + 'static>,
    Job<impl Future<Output = u64> + Send + 'static>,
) {
    let size = |n: u64| if benchmarking() { n } else { n / 1000 };
    (
        Job {
            n: size(1_000_000),
            limit: 64,
            make: ready,
        },
        Job {
            n: size(200_000),
            limit: 64,
            make: yielding,
        },
        Job {
            n: size(20_000),
            limit: 200,
            make: sleeping,
        },
    )
}
