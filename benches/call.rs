//! The cost of an uncontended call: `#[bounded(limit = 8)]` next to an unannotated `async fn` and
//! a hand-written `static tokio::sync::Semaphore` gate, in the same run.
//!
//! `cargo bench --bench call` awaits each 2,000,000 times in sequence (median of 7 runs). Under
//! `cargo test --all-targets` it only checks that each variant returns its input.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bounded_async::bounded;
use futures::executor::block_on;
use tokio::sync::Semaphore;

async fn unannotated(x: u64) -> u64 {
    black_box(x)
}

#[bounded(limit = 8)]
async fn annotated(x: u64) -> u64 {
    black_box(x)
}

static GATE: Semaphore = Semaphore::const_new(8);

async fn tokio_gate(x: u64) -> u64 {
    let _permit = GATE.acquire().await.expect("the gate is never closed");
    black_box(x)
}

fn run_unannotated(n: u64) -> u64 {
    block_on(async {
        let mut sum = 0;
        for i in 0..n {
            sum += unannotated(i).await;
        }
        sum
    })
}

fn run_annotated(n: u64) -> u64 {
    block_on(async {
        let mut sum = 0;
        for i in 0..n {
            sum += annotated(i).await;
        }
        sum
    })
}

fn run_tokio_gate(n: u64) -> u64 {
    block_on(async {
        let mut sum = 0;
        for i in 0..n {
            sum += tokio_gate(i).await;
        }
        sum
    })
}

type Variant = (&'static str, fn(u64) -> u64);

/// The hand-written tokio gate is the baseline of the ratios; keep it last.
const VARIANTS: &[Variant] = &[
    ("unannotated", run_unannotated),
    ("#[bounded(limit = 8)]", run_annotated),
    ("static tokio Semaphore gate", run_tokio_gate),
];

fn time(f: fn(u64) -> u64, n: u64) -> Duration {
    let started = Instant::now();
    assert_eq!(black_box(f(n)), n * (n - 1) / 2);
    started.elapsed()
}

fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        for (name, f) in VARIANTS {
            assert_eq!(f(100), 4_950, "{name}");
        }
        println!("call: every variant returns its input (run `cargo bench` to time them)");
        return;
    }

    let n = 2_000_000;
    println!("{n} sequential uncontended calls, median of 7 runs");
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); VARIANTS.len()];
    for _ in 0..7 {
        for ((_, f), times) in VARIANTS.iter().zip(&mut times) {
            times.push(time(*f, n));
        }
    }
    let per_call: Vec<f64> = times
        .into_iter()
        .map(|mut times| {
            times.sort();
            times[times.len() / 2].as_secs_f64() * 1e9 / n as f64
        })
        .collect();
    let (unannotated, gate) = (per_call[0], per_call[VARIANTS.len() - 1]);
    for ((name, _), ns) in VARIANTS.iter().zip(&per_call) {
        println!(
            "{name:<28} {ns:>6.2} ns/call  {:>5.2}x unannotated  {:>5.2}x tokio gate",
            ns / unannotated,
            ns / gate
        );
    }
}
