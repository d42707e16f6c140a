//! Rates: at most `count` admissions per `period`, paced smoothly, with a `burst` allowed after
//! the gate was idle. The algorithm is GCRA (the generic cell rate algorithm): one "theoretical
//! arrival time" (TAT) per gate, in nanoseconds of tokio's clock. A call is admitted at `now` when
//! `max(TAT, now) - now <= tolerance`, and moves TAT on by one interval; `tolerance` is
//! `interval × (burst − 1)`. Over any window of length `T`, that admits at most
//! `burst + T / interval` calls.
//!
//! How the gate uses it (see [`Gate`]):
//! - Uncontended, a call takes its permit first and its rate slot last, with one
//!   compare-exchange on TAT, so that the times calls go through conform to the rate. A call
//!   that finds no slot gives its permit back and joins the line.
//! - In line, the rate is a second condition checked at the head of the same FIFO line as the
//!   permits: the head is admitted when a permit is free *and* a slot is due. Until the slot is
//!   due, the head keeps the one timer that wakes it then (the timer that also ends a pause).
//!   A head that gives up never took a slot, so the next waiter gets that slot: no gap.
//! - Tokio's timer fires on whole milliseconds, after the instant asked for. A head woken by it
//!   takes its slot as of when the slot was due, up to `max(interval, 2 ms)` before now
//!   (`Pacer::take_late`), so the lateness does not add up: at 190 a second (a slot every
//!   5.26 ms) the line keeps 190 a second rather than one every 6 ms. The cost is that, after a
//!   late timer, slots can be closer than the interval: over a window of length `T`, at most
//!   `burst + (T + lateness) / interval` calls, where the lateness forgiven is the timer's, up to
//!   `max(interval, 2 ms)`.

use std::fmt;
use std::time::Duration;

use super::{Gate, SLOW, TAKE};
use crate::rejected::Written;
use crate::sync::Ordering;

/// A rate for a gate: at most `count` admissions per `period`, paced smoothly, and at most
/// `burst` at once after the gate was idle.
///
/// Paced smoothly means one admission per [`interval`](Rate::interval) (`period / count`, rounded
/// up to the nanosecond so that the pace is never faster than the rate), not `count` at the start
/// of each period: over any window of length `T`, at most `burst + T / interval` calls go
/// through, give or take the timer's lateness: tokio's timer fires on whole milliseconds, and a
/// line kept waiting by the rate takes its slots on the rate's schedule rather than when its
/// timer fired, so that the pace stays the rate's (a rate of 190 a second, one every 5.26 ms,
/// is not slowed to one every 6 ms). After a timer fired late, the calls whose slots came due
/// meanwhile go through together: with an interval of 5.26 ms, two calls can go 5 ms apart.
/// `burst` (default 1) lets a gate that was idle admit that many calls at once.
///
/// Built in a const context, for a `static` [`Gate`](crate::Gate) (with
/// [`with_rate`](crate::Gate::with_rate)); a rate from configuration is set at run time with
/// [`set_rate`](crate::Gate::set_rate).
///
/// ```
/// use std::time::Duration;
/// use bounded_async::Rate;
///
/// const API: Rate = Rate::per_second(100).with_burst(10);
/// assert_eq!(API.interval(), Duration::from_millis(10));
/// assert_eq!(API.to_string(), "100/s");
///
/// let quarter = Rate::per(3, Duration::from_millis(250));
/// assert_eq!(quarter.to_string(), "3/250ms");
/// assert_eq!(quarter.interval(), Duration::from_nanos(83_333_334), "rounded up");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rate {
    count: u64,
    period: Duration,
    burst: u32,
}

impl Rate {
    /// `count` admissions per `period`, with a burst of 1.
    ///
    /// # Panics
    ///
    /// When `count` is 0, when `period` is zero or longer than `u64::MAX` nanoseconds (584
    /// years), or when the rate is above one admission per nanosecond; in a const, that is a
    /// compile error.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rate = bounded_async::Rate::per(5_000, Duration::from_secs(3600));
    /// assert_eq!(rate.interval(), Duration::from_millis(720));
    /// ```
    pub const fn per(count: u64, period: Duration) -> Rate {
        assert!(count > 0, "a rate needs at least 1 admission per period");
        let nanos = period.as_nanos();
        assert!(nanos > 0, "a rate's period is longer than zero");
        assert!(
            nanos <= u64::MAX as u128,
            "a rate's period is at most u64::MAX nanoseconds"
        );
        assert!(
            nanos >= count as u128,
            "a rate is at most 1 admission per nanosecond"
        );
        Rate {
            count,
            period,
            burst: 1,
        }
    }

    /// `count` admissions per second, with a burst of 1.
    ///
    /// # Panics
    ///
    /// When `count` is 0 or above 10⁹ (one per nanosecond).
    ///
    /// ```
    /// assert_eq!(bounded_async::Rate::per_second(4).interval().as_millis(), 250);
    /// ```
    pub const fn per_second(count: u64) -> Rate {
        Rate::per(count, Duration::from_secs(1))
    }

    /// The same rate, letting up to `burst` calls through at once after the gate was idle.
    ///
    /// # Panics
    ///
    /// When `burst` is 0 (nothing could ever go through).
    ///
    /// ```
    /// let rate = bounded_async::Rate::per_second(50).with_burst(5);
    /// assert_eq!(rate.burst(), 5);
    /// ```
    pub const fn with_burst(mut self, burst: u32) -> Rate {
        assert!(burst > 0, "a rate's burst is at least 1");
        self.burst = burst;
        self
    }

    /// How many admissions per [`period`](Rate::period).
    ///
    /// ```
    /// assert_eq!(bounded_async::Rate::per_second(50).count(), 50);
    /// ```
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// The period that [`count`](Rate::count) admissions take.
    ///
    /// ```
    /// assert_eq!(bounded_async::Rate::per_second(50).period().as_secs(), 1);
    /// ```
    pub const fn period(&self) -> Duration {
        self.period
    }

    /// How many calls may go through at once after the gate was idle.
    ///
    /// ```
    /// assert_eq!(bounded_async::Rate::per_second(50).burst(), 1);
    /// ```
    pub const fn burst(&self) -> u32 {
        self.burst
    }

    /// The time between two admissions at a steady pace: `period / count`, rounded up to the
    /// nanosecond.
    ///
    /// ```
    /// assert_eq!(bounded_async::Rate::per_second(3).interval().as_nanos(), 333_333_334);
    /// ```
    pub const fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_nanos())
    }

    /// A rate recorded by a gate (see `Counters`): built by [`per`](Rate::per) before, so not
    /// checked again.
    pub(crate) fn recorded(count: u64, period_nanos: u64, burst: u64) -> Rate {
        Rate {
            count,
            period: Duration::from_nanos(period_nanos),
            burst: u32::try_from(burst).unwrap_or(u32::MAX),
        }
    }

    /// [`interval`](Rate::interval), in nanoseconds (at least 1).
    pub(crate) const fn interval_nanos(&self) -> u64 {
        (self.period.as_nanos() as u64).div_ceil(self.count)
    }

    /// How far ahead of `now` the theoretical arrival time may be for a call to go through:
    /// `interval × (burst − 1)`, saturating.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) const fn tolerance_nanos(&self) -> u64 {
        self.interval_nanos().saturating_mul(self.burst as u64 - 1)
    }
}

impl fmt::Display for Rate {
    /// `count/period`, as the `rate` key is written: `100/s`, `5000/h`, `3/250ms`,
    /// `7/1m30s`. The period is written as a duration key is, and a period of one unit without
    /// its 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = Written(self.period).to_string();
        let period = match period.strip_prefix('1') {
            Some(unit) if unit.chars().all(|c| c.is_ascii_alphabetic()) => unit,
            _ => &period,
        };
        write!(f, "{}/{period}", self.count)
    }
}

#[cfg(feature = "tokio")]
pub(crate) use with_timers::{Pacer, TIMER_LATENESS};
#[cfg(not(feature = "tokio"))]
pub(crate) use without_timers::Pacer;

impl Gate {
    /// After a permit was taken (and counted) outside the lock or under it: takes the rate slot
    /// due now, or gives the permit back, uncounted, and returns false. Under the lock, the
    /// permit was taken with the `SLOW` bit clear, which only the lock's holder sets, so giving
    /// it back never needs the lock.
    #[inline(never)]
    pub(super) fn paced(&self) -> bool {
        if self.take_slot(false).is_ok() {
            return true;
        }
        // Undoes the `TAKE` (one permit out, one admission counted) in one step.
        let before = self.state.fetch_sub(TAKE, Ordering::AcqRel);
        if before & SLOW != 0 {
            self.hand_over();
        }
        false
    }
}

#[cfg(feature = "tokio")]
mod with_timers {
    use super::Rate;
    pub(crate) use crate::gate::gcra::{Gcra as Pacer, TIMER_LATENESS};
    use crate::gate::pause::Deadline;
    use crate::gate::{Gate, SLOW, WaitList, WakeList};
    use crate::sync::{AtomicU64, Ordering};

    impl Gate {
        /// The same gate, with a rate: at most `rate.count()` admissions per `rate.period()`,
        /// paced smoothly, with `rate.burst()` at once after it was idle (see [`Rate`]).
        ///
        /// A call takes its permit first and its rate slot last, so that the times calls go
        /// through conform to the rate. When no slot is due, the call waits in the same line as
        /// for a permit, first come first served, and a `wait` or `queue` of the call applies to
        /// that wait as to any other. The rate is timed by tokio's clock (feature `tokio`), so it
        /// follows `tokio::time::pause()`, and calls that wait for it must run inside a tokio
        /// runtime.
        ///
        /// ```
        /// use std::time::Duration;
        /// use bounded_async::{Gate, Rate};
        ///
        /// static PARTNER: Gate = Gate::new(20).with_rate(Rate::per_second(50));
        ///
        /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
        /// # async fn main() {
        /// let start = tokio::time::Instant::now();
        /// for _ in 0..5 {
        ///     drop(PARTNER.acquire().await);
        /// }
        /// // One every 20 ms: the fifth goes through 80 ms after the first.
        /// assert_eq!(start.elapsed(), Duration::from_millis(80));
        /// # }
        /// ```
        pub const fn with_rate(mut self, rate: Rate) -> Self {
            self.pacer = Pacer::with(rate);
            self.counters.rate_count = AtomicU64::new(rate.count);
            self.counters.rate_period = AtomicU64::new(rate.period.as_nanos() as u64);
            self.counters.rate_burst = AtomicU64::new(rate.burst as u64);
            self
        }

        /// The gate's rate, if it has one: as declared, or as last [set](Gate::set_rate).
        ///
        /// ```
        /// use bounded_async::{Gate, Rate};
        ///
        /// assert_eq!(Gate::new(4).rate(), None);
        /// let rate = Rate::per_second(10);
        /// assert_eq!(Gate::new(4).with_rate(rate).rate(), Some(rate));
        /// ```
        pub fn rate(&self) -> Option<Rate> {
            self.counters.rate()
        }

        /// Sets the gate's rate at run time: for a rate from configuration, or one a partner
        /// announced. The slots already taken stand; the next one is due by the new rate, and
        /// the waiter at the head of the line is told. A gate without a rate gets one.
        ///
        /// ```
        /// use std::time::Duration;
        /// use bounded_async::{Gate, Rate};
        ///
        /// static API: Gate = Gate::new(8).with_rate(Rate::per_second(10));
        ///
        /// // From configuration: "api.rate = 250/s".
        /// API.set_rate(Rate::per_second(250));
        /// assert_eq!(API.rate().unwrap().interval(), Duration::from_millis(4));
        /// ```
        pub fn set_rate(&self, rate: Rate) {
            let mut wakers = WakeList::new();
            let mut list = self.lock();
            let counters = &self.counters;
            counters.rate_count.store(0, Ordering::Release);
            counters
                .rate_period
                .store(rate.period.as_nanos() as u64, Ordering::Relaxed);
            counters
                .rate_burst
                .store(u64::from(rate.burst), Ordering::Relaxed);
            counters.rate_count.store(rate.count, Ordering::Release);
            self.pacer.set(rate);
            // The head's timer may be set for the old rate's slot: it is woken to set it again.
            list.slot_due = None;
            if !list.is_empty() {
                self.state.fetch_or(SLOW, Ordering::AcqRel);
            }
            let more = self.dispatch(&mut list, &mut wakers);
            drop(list);
            wakers.wake_all();
            if more {
                self.hand_over();
            }
        }

        /// Under the lock, after a dispatch: notes when the head starts waiting for a rate slot
        /// with a permit free (`held`), and adds the wait to the stats when it ends.
        pub(in crate::gate) fn note_slot_wait(&self, list: &mut WaitList, held: bool) {
            match (held, list.slot_wait_since) {
                (true, None) => list.slot_wait_since = Some(clock::now()),
                (false, Some(since)) => {
                    list.slot_wait_since = None;
                    self.counters
                        .waited_for_rate(clock::now().saturating_sub(since));
                }
                _ => {}
            }
        }

        /// Takes the rate slot due now, if the gate has a rate; or says when the next is due.
        /// `late`: for a line that has waited for the slot since it was due (see
        /// [`Gcra::take_late`](crate::gate::gcra::Gcra::take_late)).
        #[inline]
        pub(in crate::gate) fn take_slot(&self, late: bool) -> Result<(), Deadline> {
            if !self.pacer.is_on() {
                return Ok(());
            }
            let now = clock::now();
            let taken = if late {
                self.pacer.take_late(now)
            } else {
                self.pacer.take(now)
            };
            taken.map_err(clock::instant)
        }
    }

    /// The gates' clock: tokio's, so that rates follow `tokio::time::pause()`, in nanoseconds
    /// since a base an hour before the first time a gate read it.
    pub(crate) mod clock {
        use std::sync::OnceLock;
        use std::time::Duration;

        use tokio::time::Instant;

        static BASE: OnceLock<Instant> = OnceLock::new();

        /// The base, set well before the first reading: every runtime's clock must read after
        /// it, and a paused clock (tokio's `start_paused`, one per runtime) starts from the real
        /// time its runtime was built, which for a runtime built before the first reading is a
        /// little earlier. A clock that read before the base would stand still at 0, and a slot
        /// due `d` from now would come later than `now + d`. (An hour, or less on a machine up
        /// for less: `Instant` counts from boot on some systems.)
        fn base() -> Instant {
            *BASE.get_or_init(|| {
                let now = Instant::now();
                [3600, 60, 1]
                    .into_iter()
                    .find_map(|secs| now.checked_sub(Duration::from_secs(secs)))
                    .unwrap_or(now)
            })
        }

        /// Now, in nanoseconds since the base (0 on a clock that reads earlier).
        pub(crate) fn now() -> u64 {
            let since = Instant::now().saturating_duration_since(base());
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        }

        /// The instant `nanos` after the base.
        pub(crate) fn instant(nanos: u64) -> Instant {
            base() + Duration::from_nanos(nanos)
        }
    }
}

#[cfg(not(feature = "tokio"))]
mod without_timers {
    use crate::gate::pause::Deadline;
    use crate::gate::{Gate, WaitList};

    impl Gate {
        /// Without timers, no line waits for a rate slot.
        pub(in crate::gate) fn note_slot_wait(&self, _: &mut WaitList, _: bool) {}

        /// Without timers, no gate has a rate: every slot is due.
        #[inline]
        pub(in crate::gate) fn take_slot(&self, _late: bool) -> Result<(), Deadline> {
            Ok(())
        }
    }

    /// Without timers, no gate has a rate.
    #[derive(Debug)]
    pub(crate) struct Pacer;

    impl Pacer {
        pub(crate) const fn new() -> Self {
            Pacer
        }

        #[inline]
        pub(crate) fn is_on(&self) -> bool {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_writes_the_period_as_the_rate_key_takes_it() {
        let cases = [
            (Rate::per_second(100), "100/s"),
            (Rate::per(5000, Duration::from_secs(3600)), "5000/h"),
            (Rate::per(3, Duration::from_millis(250)), "3/250ms"),
            (Rate::per(7, Duration::from_secs(90)), "7/1m30s"),
            (Rate::per(1, Duration::from_secs(86_400)), "1/24h"),
            (Rate::per(2, Duration::from_nanos(1_500)), "2/1us500ns"),
            (Rate::per(1, Duration::from_secs(60)), "1/m"),
        ];
        for (rate, written) in cases {
            assert_eq!(rate.to_string(), written);
        }
    }

    #[test]
    fn the_interval_rounds_up_so_the_pace_is_never_faster_than_the_rate() {
        let rate = Rate::per(3, Duration::from_secs(1));
        assert_eq!(rate.interval_nanos(), 333_333_334);
        assert!(rate.interval_nanos() * 3 >= 1_000_000_000);
        assert_eq!(
            Rate::per(1_000_000_000, Duration::from_secs(1)).interval_nanos(),
            1
        );
        assert_eq!(rate.with_burst(4).tolerance_nanos(), 3 * 333_333_334);
    }

    #[test]
    #[should_panic(expected = "at most 1 admission per nanosecond")]
    fn a_rate_above_one_per_nanosecond_panics() {
        let _ = Rate::per(1_001, Duration::from_micros(1));
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn gcra_admits_a_burst_then_one_per_interval() {
        let pacer = Pacer::with(Rate::per(10, Duration::from_nanos(100)).with_burst(3));
        // Idle: the burst goes through at once, then the next slot is one interval on.
        let now = 1_000;
        for _ in 0..3 {
            assert_eq!(pacer.take(now), Ok(()));
        }
        assert_eq!(pacer.take(now), Err(now + 10));
        assert_eq!(pacer.take(now + 9), Err(now + 10));
        assert_eq!(pacer.take(now + 10), Ok(()));
        assert_eq!(pacer.take(now + 10), Err(now + 20));
        // After a long idle time, the burst is back, and no more.
        let later = now + 10_000;
        for _ in 0..3 {
            assert_eq!(pacer.take(later), Ok(()));
        }
        assert!(pacer.take(later).is_err());
    }
}
