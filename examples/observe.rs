//! What the `tracing` and `metrics` features report, on a short bounded workload.
//!
//! ```sh
//! cargo run --release --example observe --features tracing,metrics
//! ```
//!
//! It installs a `tracing-subscriber` formatter for the `bounded_async` target at `DEBUG`, and
//! `metrics-exporter-prometheus` as the metrics recorder, before any gate is used. Then it makes
//! 200 calls of a function on a pool of 4 with a line of 8 that waits at most 50 ms, from a
//! `join_bounded!` of 12 (the pool's 4 and its line of 8), whose `progress` callback moves an
//! `indicatif` progress bar (drawn on a terminal only; the crate draws nothing itself). A call
//! takes 10 to 40 ms, so the last in line wait about as long as the pool allows: most are
//! admitted late, reported as slow waits, and some wait out their 50 ms and are turned away. It
//! prints the trace events as they come (on standard error), then the join's summary, the
//! Prometheus text, and the table of every gate.
//!
//! A join wider than the pool's capacity and its line would have its extra calls turned away at
//! once, each pulling the next item at once: it would shed most of its input in a few
//! milliseconds. Sizing the join to what the pool admits avoids that.

use std::time::Duration;

use bounded_async::{Progress, Rejected, bounded, join_bounded, pool};
use indicatif::{ProgressBar, ProgressStyle};
use metrics_exporter_prometheus::PrometheusBuilder;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

pool!(
    /// The partner API: 4 calls at once, 8 more in line, for 50 ms at most.
    pub API = 4, queue = 8, wait = "50ms"
);

/// A call to the partner: 10 to 40 ms.
#[bounded(pool = API)]
async fn fetch(id: u64) -> Result<u64, Rejected> {
    tokio::time::sleep(Duration::from_millis(10 + id * 7 % 31)).await;
    Ok(id)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Trace events of bounded-async, at DEBUG, on standard error.
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(Targets::new().with_target("bounded_async", tracing::Level::DEBUG))
        .init();
    // The recorder, before any gate is used: a gate registers its handles at its first use.
    let prometheus = PrometheusBuilder::new()
        .install_recorder()
        .expect("no other recorder is installed");

    const CALLS: u64 = 200;
    let bar = ProgressBar::new(CALLS).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("a valid template"),
    );
    let mut last = None;
    let report = join_bounded!(limit = 12, strategy = "settled", progress = |p: &Progress| {
        bar.set_position(p.done() as u64);
        bar.set_message(format!("{} failed, {} in flight", p.failed(), p.in_flight()));
        last = Some(*p);
    }; for id in 0..CALLS => fetch(id));
    bar.finish_and_clear();

    let last = last.expect("the join reported its progress");
    // A call the pool turned away returned `Err(Rejected)`: an error of the join's.
    println!(
        "\njoin_bounded!: {last} in {:.2?}; {} fetched, {} turned away by the pool",
        last.elapsed(),
        report.success_count(),
        report.error_count(),
    );
    println!("\nPrometheus text:\n\n{}", prometheus.render());
    println!(
        "Every gate (bounded_async::report()):\n\n{}",
        bounded_async::report()
    );
}
