//! Fan-out of ready futures: `join_bounded!` next to `futures::StreamExt::buffer_unordered` and
//! `buffered`, in the same run, with ratios.
//!
//! `cargo bench --bench fanout` measures 1,000,000 futures at limit 64 (median of 7 runs each).
//! Under `cargo test --all-targets` it only checks, on a small input, that every competitor
//! returns the same outputs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bounded_async::join_bounded;
use futures::executor::block_on;
use futures::stream::{self, StreamExt};

const LIMIT: usize = 64;

// Each competitor runs `n` futures returning 0..n and returns the sum of what it collected, so
// that every one pays the same small price to read its outputs.

fn join(n: u64) -> u64 {
    let outputs: Vec<u64> = block_on(async {
        join_bounded!(limit = LIMIT; for i in 0..n => async move { black_box(i) })
    });
    outputs.iter().sum()
}

fn settled(n: u64) -> u64 {
    let settled = block_on(async {
        join_bounded!(limit = LIMIT, strategy = "settled"; for i in 0..n =>
            async move { Ok::<_, ()>(black_box(i)) })
    });
    settled.successes().sum()
}

fn buffer_unordered(n: u64) -> u64 {
    let outputs: Vec<u64> = block_on(
        stream::iter(0..n)
            .map(|i| async move { black_box(i) })
            .buffer_unordered(LIMIT)
            .collect(),
    );
    outputs.iter().sum()
}

fn buffered(n: u64) -> u64 {
    let outputs: Vec<u64> = block_on(
        stream::iter(0..n)
            .map(|i| async move { black_box(i) })
            .buffered(LIMIT)
            .collect(),
    );
    outputs.iter().sum()
}

type Competitor = (&'static str, fn(u64) -> u64);

/// `buffer_unordered` is the baseline of the ratios; keep it third.
const COMPETITORS: &[Competitor] = &[
    ("join_bounded! \"join\"", join),
    ("join_bounded! \"settled\"", settled),
    ("buffer_unordered", buffer_unordered),
    ("buffered", buffered),
];

fn time(f: fn(u64) -> u64, n: u64) -> Duration {
    let started = Instant::now();
    assert_eq!(black_box(f(n)), n * (n - 1) / 2);
    started.elapsed()
}

fn main() {
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    if !benchmarking {
        for (name, f) in COMPETITORS {
            assert_eq!(f(1_000), (0..1_000).sum::<u64>(), "{name} lost outputs");
        }
        println!("fanout: every competitor returns every output (run `cargo bench` to time them)");
        return;
    }

    let n = 1_000_000;
    println!("{n} ready futures, limit {LIMIT}, median of 7 runs");
    // Interleave the competitors' runs so that a slow phase of the machine hits them alike.
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); COMPETITORS.len()];
    for _ in 0..7 {
        for ((_, f), times) in COMPETITORS.iter().zip(&mut times) {
            times.push(time(*f, n));
        }
    }
    let medians: Vec<Duration> = times
        .into_iter()
        .map(|mut times| {
            times.sort();
            times[times.len() / 2]
        })
        .collect();
    let baseline = medians[2];
    for ((name, _), &time) in COMPETITORS.iter().zip(&medians) {
        println!(
            "{name:<26} {:>8.2} ms  {:>6.1} ns/future  {:.2}x buffer_unordered",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() * 1e9 / n as f64,
            time.as_secs_f64() / baseline.as_secs_f64(),
        );
    }
}
