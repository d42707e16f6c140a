//! A `tracing` layer that keeps the spans and events it sees, for the tests of the `tracing`
//! feature (`tests/gate_tracing.rs`, `tests/fleet.rs`), which include this file with
//! `#[path = "common/tracing_log.rs"] mod tracing_log;`.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex};

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
pub struct Seen {
    pub name: String,
    pub level: String,
    pub fields: BTreeMap<String, String>,
    pub within: Option<String>,
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

/// The layer, and what it has seen: spans by id, events in the order they came.
#[derive(Clone, Default)]
pub struct Log {
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
    /// Runs `test` on a paused current-thread runtime with this layer as the subscriber of the
    /// test's thread.
    pub fn capture(&self, test: impl Future<Output = ()>) {
        let subscriber = tracing_subscriber::registry().with(self.clone());
        let _default = tracing::subscriber::set_default(subscriber);
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(test);
    }

    /// A layer installed as the subscriber of every thread, for a test whose calls run on a
    /// multi-thread runtime's workers. One test of the binary may call it, once.
    pub fn global() -> Self {
        let log = Self::default();
        let subscriber = tracing_subscriber::registry().with(log.clone());
        tracing::subscriber::set_global_default(subscriber)
            .expect("the test binary's only global subscriber");
        log
    }

    /// The spans seen so far, in the order of their ids.
    pub fn spans(&self) -> Vec<Seen> {
        self.spans.lock().unwrap().values().cloned().collect()
    }

    /// The events of `level` seen so far, in the order they came.
    pub fn events(&self, level: Level) -> Vec<Seen> {
        let level = level.to_string();
        let events = self.events.lock().unwrap();
        events
            .iter()
            .filter(|e| e.level == level)
            .cloned()
            .collect()
    }
}
