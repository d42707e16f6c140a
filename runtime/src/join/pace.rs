//! A join's rate: the starts of its futures paced by GCRA ([`JoinBounded::rate`]), with the one
//! timer that wakes the join when the next start is due.
//!
//! The join is one task, so its pacer needs no atomics: the theoretical arrival time is a plain
//! instant. A join without a rate holds `None` and checks nothing else. The timer is tokio's
//! (feature `tokio`), so it follows `tokio::time::pause()`; without the feature, a join has no
//! rate.
//!
//! [`JoinBounded::rate`]: super::JoinBounded::rate

#[cfg(feature = "tokio")]
pub(super) use with_timers::Pace;
#[cfg(not(feature = "tokio"))]
pub(super) use without_timers::Pace;

#[cfg(feature = "tokio")]
mod with_timers {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Context;
    use std::time::Duration;

    use tokio::time::{Instant, Sleep};

    use crate::Rate;
    use crate::gate::TIMER_LATENESS;

    /// The pacing of a join's starts.
    #[derive(Debug)]
    pub(in crate::join) struct Pace {
        interval: Duration,
        tolerance: Duration,
        /// How late the timer may have fired, and be forgiven: `max(interval, 2 ms)`.
        forgiven: Duration,
        /// The theoretical arrival time of the next start; `None` before the first.
        tat: Option<Instant>,
        /// The timer that wakes the join when the next start is due, once one was needed.
        timer: Option<Pin<Box<Sleep>>>,
        /// Whether the join waits for that timer.
        waiting: bool,
        /// Whether the timer fired since the last start: the next start is then taken as of when
        /// it was due, up to `forgiven` ago (see [`start`](Pace::start)).
        fired: bool,
    }

    impl Pace {
        pub(in crate::join) fn new(rate: Rate) -> Self {
            Pace {
                interval: rate.interval(),
                tolerance: rate.interval() * (rate.burst() - 1),
                forgiven: rate.interval().max(Duration::from_nanos(TIMER_LATENESS)),
                tat: None,
                timer: None,
                waiting: false,
                fired: false,
            }
        }

        /// Takes the start due now, or sets the timer for the next one and returns false.
        ///
        /// After the timer fired, the start is taken as of when it was due, if that was at most
        /// `max(interval, 2 ms)` ago, as a gate's line does (`Pacer::take_late`): tokio's timer
        /// fires on whole milliseconds, after the instant asked for, and a start taken as of
        /// when the timer fired would lose that lateness at every start (a rate of 190 a second
        /// would pace 160).
        pub(in crate::join) fn start(&mut self) -> bool {
            if self.waiting {
                return false;
            }
            let now = Instant::now();
            let floor = if std::mem::take(&mut self.fired) {
                now.checked_sub(self.forgiven).unwrap_or(now)
            } else {
                now
            };
            let start = self.tat.map_or(now, |tat| tat.max(floor));
            if start.saturating_duration_since(now) > self.tolerance {
                let due = start - self.tolerance;
                match &mut self.timer {
                    Some(timer) => timer.as_mut().reset(due),
                    None => self.timer = Some(Box::pin(tokio::time::sleep_until(due))),
                }
                self.waiting = true;
                return false;
            }
            self.tat = Some(start + self.interval);
            true
        }

        /// Whether the join was waiting for its timer and the timer fired; registers the join's
        /// waker with it otherwise.
        pub(in crate::join) fn poll_due(&mut self, cx: &mut Context<'_>) -> bool {
            if !self.waiting {
                return false;
            }
            let timer = self.timer.as_mut().expect("a waiting join has a timer");
            if timer.as_mut().poll(cx).is_ready() {
                self.waiting = false;
                self.fired = true;
                return true;
            }
            false
        }
    }
}

#[cfg(not(feature = "tokio"))]
mod without_timers {
    use std::task::Context;

    /// Without timers, a join has no rate: a value of this type cannot exist.
    #[derive(Debug)]
    pub(in crate::join) enum Pace {}

    impl Pace {
        pub(in crate::join) fn start(&mut self) -> bool {
            match *self {}
        }

        pub(in crate::join) fn poll_due(&mut self, _: &mut Context<'_>) -> bool {
            match *self {}
        }
    }
}
