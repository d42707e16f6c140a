//! GCRA, lock-free: the state of a gate's rate, one atomic theoretical arrival time (TAT) moved on
//! by a compare-exchange per admission. Time is passed in (nanoseconds of the gates' clock,
//! `rate::clock`), so that the loom models (`loom_tests.rs`) run it without tokio; with the `tokio`
//! feature it is a gate's `Pacer`.

use super::Rate;
use crate::sync::{AtomicU64, Ordering, const_unless_loom};

/// How late a tokio timer may fire and have its lateness forgiven, in nanoseconds. Its
/// wheel fires on whole milliseconds, after the instant asked for, and a runtime parked on a
/// timeout of whole milliseconds can wake up to another one later. Measured by the `rate`
/// benchmark's "waiting" table: 1,000 tasks contending for 1,000 a second got 938 a second
/// with 1 ms forgiven, 994 to 998 with 2 ms (four runs).
pub(crate) const TIMER_LATENESS: u64 = 2_000_000;

/// The gate's GCRA state (its `Pacer` with the `tokio` feature). `interval` is 0 while the gate
/// has no rate, which is all the uncontended call of a gate without one reads.
#[derive(Debug)]
pub(crate) struct Gcra {
    /// Nanoseconds between two admissions; 0: no rate.
    interval: AtomicU64,
    /// `interval × (burst − 1)`.
    tolerance: AtomicU64,
    /// The theoretical arrival time, in nanoseconds of the gates' clock.
    tat: AtomicU64,
}

impl Gcra {
    const_unless_loom! {
        /// No rate: every slot is due.
        pub(crate) fn new() -> Self {
            Gcra {
                interval: AtomicU64::new(0),
                tolerance: AtomicU64::new(0),
                tat: AtomicU64::new(0),
            }
        }

        /// `rate`, with its first slot due at once.
        pub(crate) fn with(rate: Rate) -> Self {
            Gcra {
                interval: AtomicU64::new(rate.interval_nanos()),
                tolerance: AtomicU64::new(rate.tolerance_nanos()),
                tat: AtomicU64::new(0),
            }
        }
    }

    /// Whether the gate has a rate.
    #[inline]
    pub(crate) fn is_on(&self) -> bool {
        self.interval.load(Ordering::Relaxed) != 0
    }

    /// Sets the rate; the slots already taken stand.
    pub(crate) fn set(&self, rate: Rate) {
        self.tolerance
            .store(rate.tolerance_nanos(), Ordering::Relaxed);
        self.interval
            .store(rate.interval_nanos(), Ordering::Release);
    }

    /// Takes the slot due at `now` (nanoseconds of the gates' clock), or says when the next one
    /// is due.
    pub(crate) fn take(&self, now: u64) -> Result<(), u64> {
        self.take_from(now, now)
    }

    /// [`take`](Gcra::take) for a line that has waited for its slot since the slot was due,
    /// and whose timer woke it up to `max(interval, 2 ms)` late (see [`TIMER_LATENESS`]). That
    /// lateness is not lost (the next slot is due one interval after this one was, not after
    /// now), so that a rate of one call a millisecond is not halved; what comes of it is at most
    /// that lateness's worth of calls going through together.
    pub(crate) fn take_late(&self, now: u64) -> Result<(), u64> {
        let interval = self.interval.load(Ordering::Relaxed);
        let forgiven = interval.max(TIMER_LATENESS);
        self.take_from(now, now.saturating_sub(forgiven))
    }

    /// GCRA with the arrival taken at `floor` or later: the slot starts at `max(TAT,
    /// floor)`, and is taken if that is at most `tolerance` after `now`.
    fn take_from(&self, now: u64, floor: u64) -> Result<(), u64> {
        let interval = self.interval.load(Ordering::Acquire);
        let tolerance = self.tolerance.load(Ordering::Relaxed);
        let mut tat = self.tat.load(Ordering::Acquire);
        loop {
            let start = tat.max(floor);
            if start.saturating_sub(now) > tolerance {
                return Err(start - tolerance);
            }
            match self.tat.compare_exchange_weak(
                tat,
                start.saturating_add(interval),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => tat = actual,
            }
        }
    }
}
