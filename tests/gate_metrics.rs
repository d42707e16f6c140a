//! The `metrics` feature, read through metrics-util's debugging recorder: a scripted run on
//! tokio's paused clock gives exactly the admissions, the rejections by reason, the waits in the
//! histogram (only the calls that waited) and the gauges it should, each labelled with the gate,
//! and each described with its unit.
#![cfg(feature = "metrics")]

mod common;

use std::collections::BTreeMap;

use bounded_async::{Gate, Reason, Rejected, bounded, pool};
use common::paused::{ms, settle_tasks, soon};
use metrics::Unit;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::{CompositeKey, MetricKind};

pool!(SCRIPTED = 2, queue = 1, wait = "100ms");

#[bounded(pool = SCRIPTED)]
async fn call(hold: u64) -> Result<u64, Rejected> {
    tokio::time::sleep(ms(hold)).await;
    Ok(hold)
}

/// Every value the recorder holds for `gate`, by kind, name and the other labels.
fn values(
    snapshot: Vec<(
        CompositeKey,
        Option<Unit>,
        Option<metrics::SharedString>,
        DebugValue,
    )>,
    gate: &str,
) -> (BTreeMap<String, DebugValue>, BTreeMap<String, Option<Unit>>) {
    let mut values = BTreeMap::new();
    let mut units = BTreeMap::new();
    for (key, unit, _, value) in snapshot {
        let kind = match key.kind() {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        };
        let key = key.key();
        let labels: Vec<String> = key
            .labels()
            .filter(|label| label.key() != "gate")
            .map(|label| format!("{}={}", label.key(), label.value()))
            .collect();
        if !key
            .labels()
            .any(|label| label.key() == "gate" && label.value() == gate)
        {
            continue;
        }
        let name = format!("{kind} {}{{{}}}", key.name(), labels.join(","));
        units.insert(key.name().to_owned(), unit);
        values.insert(name, value);
    }
    (values, units)
}

#[test]
fn a_scripted_run_gives_the_exact_counts() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(async {
                // A and B run; C waits 50 ms for A's permit; D finds the line full.
                let a = tokio::spawn(call(50));
                let b = tokio::spawn(call(300));
                settle_tasks().await;
                let c = tokio::spawn(call(10));
                settle_tasks().await;
                let d = call(0).await.unwrap_err();
                assert_eq!(d.reason(), Reason::QueueFull);
                assert_eq!(soon(a).await.unwrap().unwrap(), 50);
                assert_eq!(soon(c).await.unwrap().unwrap(), 10);
                // E runs beside B at once; F waits its 100 ms for B or E, in vain.
                let e = tokio::spawn(call(300));
                settle_tasks().await;
                let f = soon(call(0)).await.unwrap_err();
                assert_eq!(f.reason(), Reason::WaitElapsed);
                soon(b).await.unwrap().unwrap();
                soon(e).await.unwrap().unwrap();
            });
    });
    let (values, units) = values(snapshotter.snapshot().into_vec(), "gate_metrics::SCRIPTED");
    let counter = |name: &str| match values.get(name) {
        Some(DebugValue::Counter(n)) => *n,
        other => panic!("{name}: {other:?} in {values:?}"),
    };
    let gauge = |name: &str| match values.get(name) {
        Some(DebugValue::Gauge(value)) => value.into_inner(),
        other => panic!("{name}: {other:?} in {values:?}"),
    };
    assert_eq!(counter("counter bounded_async_admitted_total{}"), 4);
    assert_eq!(
        counter("counter bounded_async_rejected_total{reason=queue_full}"),
        1
    );
    assert_eq!(
        counter("counter bounded_async_rejected_total{reason=wait_elapsed}"),
        1
    );
    assert_eq!(
        counter("counter bounded_async_rejected_total{reason=timed_out}"),
        0
    );
    // Only C waited, and was admitted: 50 ms.
    match &values["histogram bounded_async_wait_seconds{}"] {
        DebugValue::Histogram(waits) => {
            let waits: Vec<f64> = waits.iter().map(|wait| wait.into_inner()).collect();
            assert_eq!(waits, [0.05]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(gauge("gauge bounded_async_in_flight{}"), 0.0);
    assert_eq!(gauge("gauge bounded_async_waiting{}"), 0.0);
    assert_eq!(gauge("gauge bounded_async_limit{}"), 2.0);
    assert_eq!(units["bounded_async_wait_seconds"], Some(Unit::Seconds));
    assert_eq!(units["bounded_async_admitted_total"], Some(Unit::Count));
}

#[test]
fn a_gate_that_is_not_listed_reports_nothing() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let gate = Gate::new(1).with_name("gate_metrics::on_the_stack");
        drop(gate.try_acquire());
    });
    let (values, _) = values(
        snapshotter.snapshot().into_vec(),
        "gate_metrics::on_the_stack",
    );
    assert!(values.is_empty(), "{values:?}");
}
