//! The `tracing` feature, read through a layer of the test's own: a `bounded.wait` span only for
//! the calls that waited, with the gate and the wait recorded; a `DEBUG` event per rejection with
//! its fields; one `WARN` summary for a burst of 10,000 rejections, not 10,000; a `DEBUG` event
//! for a wait longer than half the call's `wait`. On tokio's paused clock.
#![cfg(feature = "tracing")]

mod common;
#[path = "common/tracing_log.rs"]
mod tracing_log;

use bounded_async::{Rejected, bounded, pool};
use common::paused::{ms, settle_tasks, soon};
use tracing::Level;
use tracing_log::Log;

#[bounded(limit = 1, wait = "1s")]
async fn slow(hold: u64) -> Result<u64, Rejected> {
    tokio::time::sleep(ms(hold)).await;
    Ok(hold)
}

#[test]
fn a_span_only_for_the_calls_that_waited_with_what_they_waited() {
    let log = Log::default();
    log.capture(async {
        // The first runs at once; the second waits 600 ms for it, more than half its 1 s wait.
        let first = tokio::spawn(slow(600));
        settle_tasks().await;
        let second = tokio::spawn(slow(10));
        assert_eq!(soon(first).await.unwrap().unwrap(), 600);
        assert_eq!(soon(second).await.unwrap().unwrap(), 10);
    });
    let spans = log.spans();
    assert_eq!(spans.len(), 1, "only the call that waited: {spans:?}");
    let span = &spans[0];
    assert_eq!(
        (span.name.as_str(), span.level.as_str()),
        ("bounded.wait", "DEBUG")
    );
    assert_eq!(span.fields["gate"], "gate_tracing::slow");
    assert_eq!(span.fields["limit"], "1");
    assert_eq!(span.fields["in_flight"], "1");
    assert_eq!(span.fields["waited_ms"], "600.0");
    let slow_waits = log.events(Level::DEBUG);
    assert_eq!(slow_waits.len(), 1, "{slow_waits:?}");
    assert!(
        slow_waits[0].name.contains("waited 600.0ms"),
        "{slow_waits:?}"
    );
    assert_eq!(slow_waits[0].within.as_deref(), Some("bounded.wait"));
}

pool!(SHEDDING = 1, queue = 0);

#[bounded(pool = SHEDDING)]
async fn shed(hold: u64) -> Result<u64, Rejected> {
    tokio::time::sleep(ms(hold)).await;
    Ok(hold)
}

#[test]
fn a_burst_of_rejections_gives_one_debug_event_each_and_one_warn_summary() {
    const BURST: usize = if cfg!(miri) { 100 } else { 10_000 };
    let log = Log::default();
    log.capture(async {
        let holder = tokio::spawn(shed(100));
        settle_tasks().await;
        for _ in 0..BURST {
            assert!(shed(0).await.is_err());
        }
        // Another burst 10 s later is summed up in one more WARN.
        tokio::time::sleep(ms(10_000)).await;
        let holder_again = tokio::spawn(shed(100));
        settle_tasks().await;
        for _ in 0..3 {
            assert!(shed(0).await.is_err());
        }
        holder.await.unwrap().unwrap();
        holder_again.await.unwrap().unwrap();
    });
    let rejections = log.events(Level::DEBUG);
    assert_eq!(rejections.len(), BURST + 3);
    let first = &rejections[0];
    assert_eq!(first.name, "a call was rejected: queue full");
    assert_eq!(first.fields["gate"], "gate_tracing::SHEDDING");
    assert_eq!(first.fields["reason"], "queue full");
    assert_eq!(
        (
            first.fields["limit"].as_str(),
            first.fields["in_flight"].as_str()
        ),
        ("1", "1")
    );
    assert_eq!(first.fields["waiting"], "0");
    let warnings: Vec<String> = log
        .events(Level::WARN)
        .into_iter()
        .map(|event| event.name)
        .collect();
    assert_eq!(
        warnings,
        [
            "gate_tracing::SHEDDING rejected 1 call: queue full (later rejections are summed up \
             at most every 10 s)"
                .to_owned(),
            // The rest of the first burst, and the first rejection of the second, which found
            // the summary due; the second burst's other two wait for the next one.
            format!(
                "gate_tracing::SHEDDING rejected {} calls in 10 s: queue full",
                if cfg!(miri) { "100" } else { "10,000" }
            ),
        ]
    );
}
