//! The `tracing` feature, read through a layer of the test's own: a `bounded.wait` span only for
//! the calls that waited, with the gate and the wait recorded; a `DEBUG` event per rejection with
//! its fields; one `WARN` summary for a burst of 10,000 rejections, not 10,000; a `DEBUG` event
//! for a wait longer than half the call's `wait`. On tokio's paused clock.
#![cfg(feature = "tracing")]

mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use bounded_async::{Rejected, bounded, pool};
use common::paused::{ms, settle_tasks, soon};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// A span or an event as the layer saw it: its name or message, its level, its fields as text,
/// and for an event, the name of the span it happened in.
#[derive(Clone, Debug, Default)]
struct Seen {
    name: String,
    level: String,
    fields: BTreeMap<String, String>,
    within: Option<String>,
}

impl Visit for Seen {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let value = format!("{value:?}");
        if field.name() == "message" {
            self.name = value;
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .insert(field.name().to_owned(), value.to_owned());
    }
}

#[derive(Clone, Default)]
struct Log {
    spans: Arc<Mutex<BTreeMap<u64, Seen>>>,
    events: Arc<Mutex<Vec<Seen>>>,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Log {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut seen = Seen {
            name: attributes.metadata().name().to_owned(),
            level: attributes.metadata().level().to_string(),
            ..Seen::default()
        };
        attributes.record(&mut seen);
        self.spans.lock().unwrap().insert(id.into_u64(), seen);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(seen) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(seen);
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let mut seen = Seen {
            level: event.metadata().level().to_string(),
            within: context.event_span(event).map(|span| span.name().to_owned()),
            ..Seen::default()
        };
        event.record(&mut seen);
        self.events.lock().unwrap().push(seen);
    }
}

impl Log {
    /// Runs `test` on a paused current-thread runtime with this layer as the subscriber.
    fn capture(&self, test: impl std::future::Future<Output = ()>) {
        let subscriber = tracing_subscriber::registry().with(self.clone());
        let _default = tracing::subscriber::set_default(subscriber);
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(test);
    }

    fn spans(&self) -> Vec<Seen> {
        self.spans.lock().unwrap().values().cloned().collect()
    }

    fn events(&self, level: Level) -> Vec<Seen> {
        let level = level.to_string();
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|e| e.level == level)
            .cloned()
            .collect()
    }
}

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
