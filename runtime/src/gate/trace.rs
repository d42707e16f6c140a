//! The `tracing` feature: a `bounded.wait` span around each call's wait for admission, created
//! only once the call has joined the line, a `DEBUG` event for each rejected call and for each
//! slow wait, at most one `WARN` per gate every 10 seconds that sums the rejections up, and a
//! `WARN` when a fleet-wide pool's leases ran out before they were renewed.
//! Every event and span has the target `bounded_async`, so `RUST_LOG=bounded_async=debug` (or
//! the same in any filter) turns them on.
//!
//! Without the feature, [`WaitSpan`] and [`Summary`] are empty and every hook is an empty inline
//! function: a build without it pays nothing.

use std::time::Duration;

use super::{Gate, Refusal};

/// What a rejection's `reason` field says.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
fn reason(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::QueueFull => "queue full",
        Refusal::WaitElapsed => "wait elapsed",
        Refusal::TimedOut => "timed out",
        Refusal::Paused { .. } => "paused",
        Refusal::Backend => "backend unavailable",
    }
}

/// How long a wait may take before it is reported as slow, for a call whose own `wait` is
/// unknown or unset: 100 ms.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
const SLOW_WAIT: Duration = Duration::from_millis(100);

/// The least time between two `WARN` summaries of one gate's rejections.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
const SUMMARY_EVERY: Duration = Duration::from_secs(10);

#[cfg(feature = "tracing")]
pub(crate) use on::{Summary, WaitSpan};

#[cfg(not(feature = "tracing"))]
pub(crate) use off::{Summary, WaitSpan};

#[cfg(feature = "tracing")]
mod on {
    use std::sync::OnceLock;
    use std::time::Duration;

    use tracing::field::Empty;

    use super::{Gate, Refusal, SLOW_WAIT, SUMMARY_EVERY, reason};
    // The clock of waits: tokio's with the `tokio` feature, so summaries follow a paused clock.
    use crate::gate::Instant;
    use crate::sync::{AtomicU64, Ordering};

    /// The span of one call's wait, from the moment it joined the line.
    #[derive(Debug, Default)]
    pub(crate) struct WaitSpan(Option<tracing::Span>);

    impl WaitSpan {
        pub(crate) const fn new() -> Self {
            WaitSpan(None)
        }

        /// The call has joined `gate`'s line: its span starts now.
        #[cold]
        pub(crate) fn start(&mut self, gate: &Gate) {
            if self.0.is_none() {
                self.0 = Some(tracing::debug_span!(
                    target: "bounded_async",
                    "bounded.wait",
                    gate = gate.name(),
                    limit = gate.limit(),
                    in_flight = gate.in_flight(),
                    waiting = gate.waiting(),
                    waited_ms = Empty,
                    reason = Empty,
                ));
            }
        }

        /// The span, entered for as long as the guard lives, if the call waits.
        #[inline]
        pub(crate) fn enter(&self) -> Option<tracing::span::Entered<'_>> {
            self.0.as_ref().map(tracing::Span::enter)
        }

        /// The call was admitted after waiting `waited`, within its own `wait` if it had one:
        /// the span records the wait and closes, and a wait longer than half the call's `wait`
        /// (or than 100 ms without one) is reported.
        #[cold]
        pub(crate) fn admitted(&mut self, gate: &Gate, waited: Duration, wait: Option<Duration>) {
            let Some(span) = self.0.take() else {
                return;
            };
            let waited_ms = waited.as_secs_f64() * 1000.0;
            span.record("waited_ms", waited_ms);
            let slow = wait.map_or(SLOW_WAIT, |wait| wait / 2);
            if waited > slow {
                let _entered = span.enter();
                tracing::debug!(
                    target: "bounded_async",
                    gate = gate.name(),
                    waited_ms,
                    limit = gate.limit(),
                    in_flight = gate.in_flight(),
                    waiting = gate.waiting(),
                    "a call waited {waited:.1?} to be admitted, more than {slow:.1?}",
                );
            }
        }

        /// The call was turned away: the span records why, and closes.
        pub(crate) fn refused(&mut self, refusal: Refusal) {
            if let Some(span) = self.0.take() {
                span.record("reason", reason(refusal));
            }
        }
    }

    /// A gate's rejections as its last `WARN` summary saw them.
    #[derive(Debug)]
    pub(crate) struct Summary {
        /// When the last summary was written, in nanoseconds since [`base`] plus one; 0: never.
        written_at: AtomicU64,
        /// The totals by reason (queue full, wait elapsed, timed out, paused) it counted to.
        counted: [AtomicU64; 4],
    }

    /// The clock of the summaries.
    fn base() -> Instant {
        static BASE: OnceLock<Instant> = OnceLock::new();
        *BASE.get_or_init(Instant::now)
    }

    impl Summary {
        pub(crate) const fn new() -> Self {
            Summary {
                written_at: AtomicU64::new(0),
                counted: [const { AtomicU64::new(0) }; 4],
            }
        }
    }

    impl Gate {
        /// A call was turned away for `refusal` (and counted): a `DEBUG` event, and a `WARN`
        /// summary if none was written for this gate in the last 10 seconds.
        pub(crate) fn trace_refusal(&self, refusal: Refusal) {
            let reason = reason(refusal);
            let retry_after_ms = match refusal {
                Refusal::Paused { retry_after } => Some(retry_after.as_secs_f64() * 1000.0),
                _ => None,
            };
            tracing::debug!(
                target: "bounded_async",
                gate = self.name(),
                reason,
                retry_after_ms,
                limit = self.limit(),
                in_flight = self.in_flight(),
                waiting = self.waiting(),
                "a call was rejected: {reason}",
            );
            if tracing::enabled!(target: "bounded_async", tracing::Level::WARN) {
                self.summarise();
            }
        }

        /// Leases of a fleet-wide pool ran out before they were renewed (Redis did not answer
        /// in time): a `WARN` for each renewal that found some, since another process may have
        /// been admitted in their place.
        #[cfg_attr(not(feature = "redis"), allow(dead_code))]
        #[cold]
        pub(crate) fn trace_leases_lost(&self, taken_again: usize, dropped: usize) {
            let lost = taken_again + dropped;
            let leases = if lost == 1 { "lease" } else { "leases" };
            tracing::warn!(
                target: "bounded_async",
                gate = self.name(),
                lost,
                taken_again,
                "{}: {lost} fleet-wide {leases} ran out before renewal, so the fleet may have run \
                 more calls than its capacity; {taken_again} taken again, {dropped} running \
                 uncounted until they end",
                self.name(),
            );
        }

        /// Writes the `WARN` summary of the rejections since the last one, unless one was
        /// written less than 10 seconds ago. Of the callers that find it due at once, one
        /// writes it.
        #[cold]
        fn summarise(&self) {
            let summary = &self.counters.summary;
            let now = u64::try_from(base().elapsed().as_nanos())
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let last = summary.written_at.load(Ordering::Acquire);
            let every = SUMMARY_EVERY.as_nanos() as u64;
            if last != 0 && now.saturating_sub(last) < every {
                return;
            }
            if summary
                .written_at
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                return;
            }
            let rejected = self.stats().rejected;
            let totals = [
                rejected.queue_full,
                rejected.wait_elapsed,
                rejected.timed_out,
                rejected.paused,
            ];
            let names = ["queue full", "wait elapsed", "timed out", "paused"];
            let mut since = [0; 4];
            for ((since, total), counted) in since.iter_mut().zip(totals).zip(&summary.counted) {
                *since = total.saturating_sub(counted.swap(total, Ordering::AcqRel));
            }
            let calls: u64 = since.iter().sum();
            if calls == 0 {
                return;
            }
            let reasons: Vec<String> = since
                .iter()
                .zip(names)
                .filter(|(count, _)| **count > 0)
                .map(|(count, name)| {
                    if calls == *count {
                        name.to_owned()
                    } else {
                        format!("{} {name}", thousands(*count))
                    }
                })
                .collect();
            let reasons = reasons.join(", ");
            let calls_word = if calls == 1 { "call" } else { "calls" };
            if last == 0 {
                tracing::warn!(
                    target: "bounded_async",
                    gate = self.name(),
                    rejected = calls,
                    "{} rejected {} {calls_word}: {reasons} (later rejections are summed up at \
                     most every {} s)",
                    self.name(),
                    thousands(calls),
                    SUMMARY_EVERY.as_secs(),
                );
            } else {
                let seconds = Duration::from_nanos(now - last).as_secs();
                tracing::warn!(
                    target: "bounded_async",
                    gate = self.name(),
                    rejected = calls,
                    "{} rejected {} {calls_word} in {seconds} s: {reasons}",
                    self.name(),
                    thousands(calls),
                );
            }
        }
    }

    /// `1234567` as `1,234,567`.
    fn thousands(n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(digit);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn thousands_are_separated() {
            let cases = [
                (0, "0"),
                (999, "999"),
                (1_000, "1,000"),
                (1_234_567, "1,234,567"),
            ];
            for (n, written) in cases {
                assert_eq!(super::thousands(n), written);
            }
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod off {
    use std::time::Duration;

    use super::{Gate, Refusal};

    /// Without the `tracing` feature, a wait has no span.
    #[derive(Debug, Default)]
    pub(crate) struct WaitSpan;

    impl WaitSpan {
        pub(crate) const fn new() -> Self {
            WaitSpan
        }

        #[inline(always)]
        pub(crate) fn start(&mut self, _: &Gate) {}

        /// Nothing to enter: a guard that does nothing.
        #[inline(always)]
        pub(crate) fn enter(&self) -> NotEntered {
            NotEntered
        }

        #[inline(always)]
        pub(crate) fn admitted(&mut self, _: &Gate, _: Duration, _: Option<Duration>) {}

        #[inline(always)]
        pub(crate) fn refused(&mut self, _: Refusal) {}
    }

    /// What [`WaitSpan::enter`] returns without the feature.
    pub(crate) struct NotEntered;

    /// Without the `tracing` feature, nothing is summed up.
    #[derive(Debug)]
    pub(crate) struct Summary;

    impl Summary {
        pub(crate) const fn new() -> Self {
            Summary
        }
    }

    impl Gate {
        #[inline(always)]
        pub(crate) fn trace_refusal(&self, _: Refusal) {}
        #[cfg_attr(not(feature = "redis"), allow(dead_code))]
        #[inline(always)]
        pub(crate) fn trace_leases_lost(&self, _: usize, _: usize) {}
    }
}
