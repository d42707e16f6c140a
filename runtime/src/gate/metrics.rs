//! The `metrics` feature: each gate's state and totals through the `metrics` facade, labelled
//! `gate` with the gate's name (a `&'static str`, so the labels are bounded by the program's
//! gates):
//!
//! | metric | kind | unit | OpenTelemetry's nearest |
//! |---|---|---|---|
//! | `bounded_async_in_flight` | gauge | calls | `db.client.connection.count{state="used"}`, `aspnetcore.rate_limiting.active_request_leases` |
//! | `bounded_async_waiting` | gauge | calls | `db.client.connection.pending_requests`, `aspnetcore.rate_limiting.queued_requests` |
//! | `bounded_async_limit` | gauge | calls | `db.client.connection.max` |
//! | `bounded_async_admitted_total` | counter | calls | `aspnetcore.rate_limiting.requests{result="acquired"}` |
//! | `bounded_async_rejected_total{reason}` | counter | calls | `aspnetcore.rate_limiting.requests{result="..."}`, `db.client.connection.timeouts` |
//! | `bounded_async_wait_seconds` | histogram | seconds | `db.client.connection.wait_time`, `aspnetcore.rate_limiting.request.time_in_queue` |
//! | `bounded_async_leases_lost_total` | counter | leases | none |
//!
//! `reason` is `queue_full`, `wait_elapsed`, `timed_out`, `paused` or `backend`. The wait
//! histogram records only the calls that waited. `bounded_async_leases_lost_total` counts a
//! fleet-wide pool's leases (feature `redis`) that ran out before they were renewed.
//!
//! The gates reported are the listed ones: each `pool!`, each `#[bounded]` function's own gate,
//! and any gate made with [`Gate::listed`], all in `static`s, as in the registry. Each registers
//! its handles once, at its first use, and keeps them for the program's life: no lookup happens
//! per call. So the recorder must be installed before a gate's first use, as with any `metrics`
//! handle; a gate first used before reports to no recorder. A gate that is not listed (a
//! `Gate::new` on the stack) reports nothing, and holds nothing for it.
//!
//! Without the feature, every hook is an empty inline function.

#[cfg(feature = "metrics")]
pub(crate) use on::Metrics;

#[cfg(not(feature = "metrics"))]
pub(crate) use off::Metrics;

#[cfg(feature = "metrics")]
mod on {
    use std::sync::Once;
    use std::time::Duration;

    use metrics::{Counter, Gauge, Histogram, Unit};

    use crate::gate::{Gate, Refusal};
    use crate::leaked::Leaked;

    /// A listed gate's metric handles, registered at its first use and kept for the program's
    /// life (the gate is a `static`).
    #[derive(Debug)]
    pub(crate) struct Metrics(Leaked<Handles>);

    #[derive(Debug)]
    struct Handles {
        in_flight: Gauge,
        waiting: Gauge,
        limit: Gauge,
        admitted: Counter,
        /// By reason: queue full, wait elapsed, timed out, paused, backend.
        rejected: [Counter; 5],
        wait: Histogram,
        leases_lost: Counter,
    }

    impl Metrics {
        pub(crate) const fn new() -> Self {
            Metrics(Leaked::new())
        }
    }

    /// Describes the metrics to the recorder, once per process.
    fn describe() {
        static DESCRIBED: Once = Once::new();
        DESCRIBED.call_once(|| {
            metrics::describe_gauge!(
                "bounded_async_in_flight",
                Unit::Count,
                "Calls admitted by the gate and not finished"
            );
            metrics::describe_gauge!(
                "bounded_async_waiting",
                Unit::Count,
                "Calls waiting in the gate's line"
            );
            metrics::describe_gauge!(
                "bounded_async_limit",
                Unit::Count,
                "The gate's limit: how many calls it admits at once"
            );
            metrics::describe_counter!(
                "bounded_async_admitted_total",
                Unit::Count,
                "Calls the gate admitted"
            );
            metrics::describe_counter!(
                "bounded_async_rejected_total",
                Unit::Count,
                "Calls the gate turned away, by reason"
            );
            metrics::describe_histogram!(
                "bounded_async_wait_seconds",
                Unit::Seconds,
                "How long the calls that waited waited to be admitted"
            );
            metrics::describe_counter!(
                "bounded_async_leases_lost_total",
                Unit::Count,
                "Leases of a fleet-wide pool that ran out before they were renewed"
            );
        });
    }

    impl Handles {
        #[cold]
        fn register(gate: &Gate) -> Handles {
            describe();
            let name = gate.name();
            let rejected = |reason: &'static str| metrics::counter!("bounded_async_rejected_total", "gate" => name, "reason" => reason);
            let handles = Handles {
                in_flight: metrics::gauge!("bounded_async_in_flight", "gate" => name),
                waiting: metrics::gauge!("bounded_async_waiting", "gate" => name),
                limit: metrics::gauge!("bounded_async_limit", "gate" => name),
                admitted: metrics::counter!("bounded_async_admitted_total", "gate" => name),
                rejected: [
                    rejected("queue_full"),
                    rejected("wait_elapsed"),
                    rejected("timed_out"),
                    rejected("paused"),
                    rejected("backend"),
                ],
                wait: metrics::histogram!("bounded_async_wait_seconds", "gate" => name),
                leases_lost: metrics::counter!("bounded_async_leases_lost_total", "gate" => name),
            };
            handles.limit.set(gate.limit() as f64);
            handles
        }
    }

    impl Gate {
        /// The gate's handles, registered on the first call; `None` for a gate that is not
        /// listed.
        #[inline]
        fn handles(&self) -> Option<&'static Handles> {
            if let Some(handles) = self.metrics.0.get() {
                return Some(handles);
            }
            // A gate that is not listed never gets handles: no call to find that out again.
            if !self.entry.is_listed() {
                return None;
            }
            self.register_handles()
        }

        #[cold]
        fn register_handles(&self) -> Option<&'static Handles> {
            // Of the callers that race to register them, the first to set them wins.
            let handles = Box::new(Handles::register(self));
            Some(self.metrics.0.set(handles).unwrap_or_else(|first| first))
        }

        /// A call was admitted, leaving `in_flight`.
        #[inline]
        pub(crate) fn metric_admitted(&self, in_flight: usize) {
            if let Some(handles) = self.handles() {
                handles.admitted.increment(1);
                handles.in_flight.set(in_flight as f64);
            }
        }

        /// A permit came back (before any waiter took it).
        #[inline]
        pub(crate) fn metric_released(&self) {
            if let Some(handles) = self.handles() {
                handles.in_flight.set(self.in_flight() as f64);
            }
        }

        /// The line holds `waiting` callers.
        pub(crate) fn metric_waiting(&self, waiting: usize) {
            if let Some(handles) = self.handles() {
                handles.waiting.set(waiting as f64);
            }
        }

        /// The limit is now `limit`.
        pub(crate) fn metric_limit(&self, limit: usize) {
            if let Some(handles) = self.handles() {
                handles.limit.set(limit as f64);
            }
        }

        /// A call was turned away for `refusal`.
        pub(crate) fn metric_rejected(&self, refusal: Refusal) {
            let index = match refusal {
                Refusal::QueueFull => 0,
                Refusal::WaitElapsed => 1,
                Refusal::TimedOut => 2,
                Refusal::Paused { .. } => 3,
                Refusal::Backend => 4,
            };
            if let Some(handles) = self.handles() {
                handles.rejected[index].increment(1);
            }
        }

        /// A call waited `waited`, then was admitted.
        pub(crate) fn metric_waited(&self, waited: Duration) {
            if let Some(handles) = self.handles() {
                handles.wait.record(waited.as_secs_f64());
            }
        }

        /// `lost` of a fleet-wide pool's leases ran out before they were renewed.
        #[cfg_attr(not(feature = "redis"), allow(dead_code))]
        pub(crate) fn metric_leases_lost(&self, lost: u64) {
            if let Some(handles) = self.handles() {
                handles.leases_lost.increment(lost);
            }
        }
    }
}

#[cfg(not(feature = "metrics"))]
mod off {
    use std::time::Duration;

    use crate::gate::{Gate, Refusal};

    /// Without the `metrics` feature, a gate has no handles.
    #[derive(Debug)]
    pub(crate) struct Metrics;

    impl Metrics {
        pub(crate) const fn new() -> Self {
            Metrics
        }
    }

    impl Gate {
        #[inline(always)]
        pub(crate) fn metric_admitted(&self, _: usize) {}
        #[inline(always)]
        pub(crate) fn metric_released(&self) {}
        #[inline(always)]
        pub(crate) fn metric_waiting(&self, _: usize) {}
        #[inline(always)]
        pub(crate) fn metric_limit(&self, _: usize) {}
        #[inline(always)]
        pub(crate) fn metric_rejected(&self, _: Refusal) {}
        #[inline(always)]
        pub(crate) fn metric_waited(&self, _: Duration) {}
        #[cfg_attr(not(feature = "redis"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn metric_leases_lost(&self, _: u64) {}
    }
}
