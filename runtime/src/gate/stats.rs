//! A gate's stats, read without the lock.
//!
//! The uncontended call pays nothing for them: the admissions are counted by the state word's own
//! compare-exchange (its top 32 bits), the peak is a relaxed load and compare that writes only on
//! a new peak, and everything else (refusals, waits) is counted on the slow path.

use std::fmt;
use std::time::Duration;

use super::{ADMIT, Gate, Rate, Refusal, free};
use crate::sync::{AtomicU64, AtomicUsize, Ordering, const_unless_loom};

/// A snapshot of a gate: its limits, what it holds now, and totals since it was created.
///
/// Each field is read on its own, without a lock, so a snapshot taken while calls come and go is
/// not one instant: for example `in_flight` may be a call apart from `admitted`.
///
/// ```
/// use bounded_async::Gate;
///
/// static API: Gate = Gate::new(2).with_queue(0);
///
/// # futures::executor::block_on(async {
/// let first = API.acquire().await;
/// let second = API.acquire().await;
/// let stats = API.stats();
/// assert_eq!((stats.limit, stats.in_flight, stats.waiting), (2, 2, 0));
/// assert_eq!((stats.admitted, stats.peak_in_flight), (2, 2));
/// assert_eq!(stats.rejected.total(), 0);
/// # drop((first, second));
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The gate's [name](Gate::name).
    pub name: &'static str,
    /// The limit now.
    pub limit: usize,
    /// The highest the limit can be set to.
    pub max: usize,
    /// Permits held now (above `limit` after it was lowered, until enough calls finish).
    pub in_flight: usize,
    /// Callers waiting now.
    pub waiting: usize,
    /// The most permits held at once so far.
    pub peak_in_flight: usize,
    /// Permits handed out so far: free ones taken, and ones handed to waiters (including a
    /// waiter that gave up before it used its permit, which passed it on).
    pub admitted: u64,
    /// Callers refused so far, by reason.
    pub rejected: Rejections,
    /// The waits that ended with a permit so far.
    pub waits: Waits,
    /// The gate's rate, if it has one: as declared, or as last set.
    pub rate: Option<Rate>,
}

/// Callers a gate refused, by reason (see [`Stats`]).
///
/// ```
/// use bounded_async::Gate;
///
/// static SHEDDING: Gate = Gate::new(1).with_queue(0);
/// assert_eq!(SHEDDING.stats().rejected.queue_full, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejections {
    /// Refused because the gate's queue was full.
    pub queue_full: u64,
    /// Turned away because the call's `wait` ran out before it was admitted.
    pub wait_elapsed: u64,
    /// Admitted, then dropped because the call's `timeout` ran out: these calls are also among
    /// the admitted ones, so `admitted + queue_full + wait_elapsed + paused` is every call that
    /// asked.
    pub timed_out: u64,
    /// Refused because the gate was [paused](Gate::pause_for) past the end of the call's
    /// `wait`, or while its queue was full.
    pub paused: u64,
    /// Admitted by the gate, then turned away because its backend (a fleet-wide pool's Redis,
    /// feature `redis`) could not be reached within the call's `wait`, or was not connected:
    /// these calls are also among the admitted ones, as `timed_out` are.
    pub backend: u64,
    /// Leases of a fleet-wide pool (feature `redis`) that could not be renewed before they
    /// expired, so that another process may have been admitted in their place while the call
    /// ran: the call's result was still returned.
    pub leases_lost: u64,
}

impl Rejections {
    /// Every refusal, whatever the reason.
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(1).stats().rejected.total(), 0);
    /// ```
    pub fn total(&self) -> u64 {
        self.queue_full + self.wait_elapsed + self.timed_out + self.paused + self.backend
    }
}

/// The waits that ended with a permit (see [`Stats`]): from the moment a caller joined the line
/// until its task saw it had the permit. Timed by tokio's clock with the `tokio` feature (so that
/// they follow `tokio::time::pause()`, as the rates and pauses that cause them do), else by the
/// system's.
///
/// ```
/// let waits = bounded_async::Gate::new(1).stats().waits;
/// assert_eq!((waits.count, waits.total, waits.max), (0, Default::default(), Default::default()));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Waits {
    /// How many.
    pub count: u64,
    /// Their total duration.
    pub total: Duration,
    /// The longest.
    pub max: Duration,
    /// How long, in all, the head of the line waited for a rate slot with a permit free: the
    /// part of the waiting that the gate's rate, not its limit, caused.
    pub for_rate: Duration,
}

/// The counters behind [`Stats`] that the state word does not hold.
#[derive(Debug)]
#[repr(align(64))]
pub(super) struct Counters {
    /// How often the state word's admission count wrapped.
    wraps: AtomicU64,
    peak: AtomicUsize,
    queue_full: AtomicU64,
    wait_elapsed: AtomicU64,
    timed_out: AtomicU64,
    paused: AtomicU64,
    backend: AtomicU64,
    leases_lost: AtomicU64,
    waits: AtomicU64,
    /// In nanoseconds (584 years fit).
    wait_total: AtomicU64,
    wait_max: AtomicU64,
    /// In nanoseconds: see [`Waits::for_rate`].
    rate_wait: AtomicU64,
    /// The rate as declared or last set, for [`Gate::rate`] and the stats: its count (0: no
    /// rate), its period in nanoseconds and its burst, each read on its own.
    pub(super) rate_count: AtomicU64,
    pub(super) rate_period: AtomicU64,
    pub(super) rate_burst: AtomicU64,
    /// The rejections as the last `WARN` summary counted them (feature `tracing`).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(super) summary: super::trace::Summary,
}

impl Counters {
    const_unless_loom! {
        pub(super) fn new() -> Self {
            Counters {
                wraps: AtomicU64::new(0),
                peak: AtomicUsize::new(0),
                queue_full: AtomicU64::new(0),
                wait_elapsed: AtomicU64::new(0),
                timed_out: AtomicU64::new(0),
                paused: AtomicU64::new(0),
                backend: AtomicU64::new(0),
                leases_lost: AtomicU64::new(0),
                waits: AtomicU64::new(0),
                wait_total: AtomicU64::new(0),
                wait_max: AtomicU64::new(0),
                rate_wait: AtomicU64::new(0),
                rate_count: AtomicU64::new(0),
                rate_period: AtomicU64::new(0),
                rate_burst: AtomicU64::new(0),
                summary: super::trace::Summary::new(),
            }
        }
    }

    pub(super) fn refused(&self, refusal: Refusal) {
        match refusal {
            Refusal::QueueFull => self.queue_full.fetch_add(1, Ordering::Relaxed),
            Refusal::WaitElapsed => self.wait_elapsed.fetch_add(1, Ordering::Relaxed),
            Refusal::TimedOut => self.timed_out.fetch_add(1, Ordering::Relaxed),
            Refusal::Paused { .. } => self.paused.fetch_add(1, Ordering::Relaxed),
            Refusal::Backend => self.backend.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// A wait of `waited` ended with a permit.
    pub(super) fn waited(&self, waited: Duration) {
        let nanos = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
        self.waits.fetch_add(1, Ordering::Relaxed);
        self.wait_total.fetch_add(nanos, Ordering::Relaxed);
        self.wait_max.fetch_max(nanos, Ordering::Relaxed);
    }

    /// `lost` of a fleet-wide pool's leases could not be renewed before they expired.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(super) fn leases_lost(&self, lost: u64) {
        self.leases_lost.fetch_add(lost, Ordering::Relaxed);
    }

    /// The head waited `nanos` for a rate slot with a permit free.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(super) fn waited_for_rate(&self, nanos: u64) {
        self.rate_wait.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The rate as last recorded, if any.
    pub(super) fn rate(&self) -> Option<Rate> {
        let count = self.rate_count.load(Ordering::Acquire);
        (count != 0).then(|| {
            Rate::recorded(
                count,
                self.rate_period.load(Ordering::Relaxed),
                self.rate_burst.load(Ordering::Relaxed),
            )
        })
    }

    #[cold]
    fn wrapped(&self) {
        self.wraps.fetch_add(1, Ordering::Relaxed);
    }

    #[cold]
    fn raise_peak(&self, in_flight: usize) {
        self.peak.fetch_max(in_flight, Ordering::Relaxed);
    }
}

impl Gate {
    /// Records an admission made by changing the state word from `before`: the word's own count
    /// is the admission (this notes only when it wraps), and the peak is raised if this is one.
    #[inline]
    pub(super) fn admitted(&self, before: u64) {
        // The count was at its top: this admission wrapped it to 0.
        if before >= ADMIT.wrapping_neg() {
            self.counters.wrapped();
        }
        // Admitted on a path where nothing is owed: in flight is `limit - free` after.
        let in_flight = self
            .limit
            .load(Ordering::Relaxed)
            .saturating_sub(free(before) - 1);
        if in_flight > self.counters.peak.load(Ordering::Relaxed) {
            self.counters.raise_peak(in_flight);
        }
        self.metric_admitted(in_flight);
    }

    /// The gate's stats now, read without the lock.
    ///
    /// ```
    /// use bounded_async::Gate;
    ///
    /// static GATE: Gate = Gate::new(4).with_max(8);
    ///
    /// let permit = GATE.try_acquire().unwrap();
    /// drop(permit);
    /// let stats = GATE.stats();
    /// assert_eq!((stats.limit, stats.max), (4, 8));
    /// assert_eq!((stats.in_flight, stats.admitted, stats.peak_in_flight), (0, 1, 1));
    /// ```
    pub fn stats(&self) -> Stats {
        // An admission that wraps the count notes it just after its compare-exchange, so a read
        // in between (a few instructions, once every 2³² admissions) is 2³² short.
        let wraps = self.counters.wraps.load(Ordering::Acquire);
        let state = self.state.load(Ordering::Acquire);
        let counters = &self.counters;
        Stats {
            name: self.name(),
            limit: self.limit(),
            max: self.max,
            in_flight: self.in_flight(),
            waiting: self.waiting(),
            peak_in_flight: counters.peak.load(Ordering::Relaxed),
            admitted: (wraps << 32) | (state >> 32),
            rejected: Rejections {
                queue_full: counters.queue_full.load(Ordering::Relaxed),
                wait_elapsed: counters.wait_elapsed.load(Ordering::Relaxed),
                timed_out: counters.timed_out.load(Ordering::Relaxed),
                paused: counters.paused.load(Ordering::Relaxed),
                backend: counters.backend.load(Ordering::Relaxed),
                leases_lost: counters.leases_lost.load(Ordering::Relaxed),
            },
            waits: Waits {
                count: counters.waits.load(Ordering::Relaxed),
                total: Duration::from_nanos(counters.wait_total.load(Ordering::Relaxed)),
                max: Duration::from_nanos(counters.wait_max.load(Ordering::Relaxed)),
                for_rate: Duration::from_nanos(counters.rate_wait.load(Ordering::Relaxed)),
            },
            rate: counters.rate(),
        }
    }
}

/// One line, fit for a log: the gate's name, what is in flight of its limit, what waits, what
/// was admitted and rejected, and how long calls waited. Parts that say nothing (no rejection,
/// no wait, no rate, a `max` equal to the limit) are left out.
///
/// ```
/// static DB: bounded_async::Gate = bounded_async::Gate::new(16).with_name("my_app::DB");
///
/// let permit = DB.try_acquire();
/// assert_eq!(DB.stats().to_string(), "my_app::DB: 1/16 in flight (peak 1), 0 waiting, 1 admitted, 0 rejected");
/// # drop(permit);
/// ```
impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}/{} in flight (peak {}",
            self.name, self.in_flight, self.limit, self.peak_in_flight
        )?;
        if self.max != self.limit {
            write!(f, ", max {}", self.max)?;
        }
        write!(
            f,
            "), {} waiting, {} admitted, {} rejected",
            self.waiting,
            self.admitted,
            self.rejected.total()
        )?;
        self.rejected.write_reasons(f)?;
        if self.waits.count > 0 {
            write!(f, ", {}", self.waits)?;
        }
        if let Some(rate) = self.rate {
            write!(f, ", rate {rate}")?;
            if rate.burst() > 1 {
                write!(f, " (burst {})", rate.burst())?;
            }
        }
        Ok(())
    }
}

/// The total, then each reason that turned calls away: `7 (5 queue full, 2 wait elapsed)`.
impl fmt::Display for Rejections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.total())?;
        self.write_reasons(f)
    }
}

impl Rejections {
    /// ` (5 queue full, 2 wait elapsed)`, each reason that turned calls away; nothing when none
    /// did.
    fn write_reasons(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons = [
            (self.queue_full, "queue full"),
            (self.wait_elapsed, "wait elapsed"),
            (self.timed_out, "timed out"),
            (self.paused, "paused"),
            (self.backend, "backend unavailable"),
            (self.leases_lost, "leases lost"),
        ];
        let mut first = true;
        for (count, reason) in reasons.into_iter().filter(|(count, _)| *count > 0) {
            f.write_str(if first { " (" } else { ", " })?;
            write!(f, "{count} {reason}")?;
            first = false;
        }
        if !first {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl Waits {
    /// The mean wait of the calls that waited, or zero when none did.
    ///
    /// ```
    /// let waits = bounded_async::Gate::new(1).stats().waits;
    /// assert_eq!(waits.mean(), std::time::Duration::ZERO);
    /// ```
    pub fn mean(&self) -> Duration {
        match u32::try_from(self.count) {
            Ok(0) => Duration::ZERO,
            Ok(count) => self.total / count,
            Err(_) => Duration::from_secs_f64(self.total.as_secs_f64() / self.count as f64),
        }
    }
}

/// `40 waited (mean 1.2ms, max 8.0ms)`, and the part of it spent waiting for a rate slot, if
/// any: `, 2.0ms for the rate`.
impl fmt::Display for Waits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} waited (mean {:.1?}, max {:.1?}",
            self.count,
            self.mean(),
            self.max
        )?;
        if !self.for_rate.is_zero() {
            write!(f, ", {:.1?} in all for the rate", self.for_rate)?;
        }
        f.write_str(")")
    }
}
