//! Pauses: [`Gate::pause_for`], which admits nobody for a while (a 429's `Retry-After`), and the
//! timer that ends a pause.
//!
//! A pause is an instant kept in the wait list, under the gate's lock. While it lies ahead:
//! - the `SLOW` bit is set, so every caller takes the lock, and nothing is admitted;
//! - a caller that can be refused is refused at once with
//!   [`Refusal::Paused`](super::Refusal::Paused) when its own wait
//!   would end before the pause does, or when the line is full; any other caller queues;
//! - the waiter at the head of the line keeps the one timer that ends the pause. When it fires,
//!   that waiter's task hands the free permits out, in order. When the head changes (it gives
//!   up, or a pause starts with waiters in line), the new head is woken to start its own timer.
//!
//! A pause that is over is lifted by whoever looks first under the lock: the head's timer, a
//! permit given back, or a new caller. The timer is tokio's (feature `tokio`), so it follows
//! `tokio::time::pause()`. Without the feature there are no pauses, and the types here are
//! empty.

#[cfg(feature = "tokio")]
pub(crate) use with_timers::{Deadline, HeadTimer, Pause, between, left};
#[cfg(not(feature = "tokio"))]
pub(crate) use without_timers::{Deadline, HeadTimer, Pause, between, left};

#[cfg(feature = "tokio")]
mod with_timers {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use tokio::time::{Instant, Sleep};

    use super::super::{Gate, SLOW, WakeList};
    use crate::sync::Ordering;

    /// When a caller's wait ends.
    pub(crate) type Deadline = Instant;

    /// When the gate's pause ends, if it has one. Lives in the wait list, under the lock.
    #[derive(Debug)]
    pub(crate) struct Pause {
        until: Option<Instant>,
    }

    impl Pause {
        pub(crate) const fn new() -> Self {
            Pause { until: None }
        }

        /// Whether a pause was set and not lifted yet (it may be over), without reading the
        /// clock.
        pub(crate) fn is_set(&self) -> bool {
            self.until.is_some()
        }

        /// The end of the pause in force now, if any.
        pub(crate) fn ahead(&self) -> Option<Instant> {
            self.until.filter(|until| *until > Instant::now())
        }

        /// The end of the pause in force now, if any; a pause that is over is lifted. Only the
        /// gate's `dispatch` lifts a pause, since it hands the permits out right after.
        pub(crate) fn active(&mut self) -> Option<Instant> {
            let until = self.until?;
            if until > Instant::now() {
                Some(until)
            } else {
                self.until = None;
                None
            }
        }

        /// Makes the pause last until `until` at least; returns whether that extended it.
        fn extend(&mut self, until: Instant) -> bool {
            if self.until.is_some_and(|now| now >= until) {
                return false;
            }
            self.until = Some(until);
            true
        }
    }

    /// The timer of a waiter at the head of a paused gate's line. Empty until the waiter first
    /// needs it; then one allocation, kept and reset for any later pause the same waiter sees.
    #[derive(Debug, Default)]
    pub(crate) struct HeadTimer {
        sleep: Option<Pin<Box<Sleep>>>,
    }

    impl HeadTimer {
        pub(crate) const fn new() -> Self {
            HeadTimer { sleep: None }
        }

        /// Polls a timer that fires at `until`.
        pub(crate) fn poll_until(&mut self, until: Instant, cx: &mut Context<'_>) -> Poll<()> {
            let sleep = match &mut self.sleep {
                Some(sleep) => {
                    if sleep.deadline() != until {
                        sleep.as_mut().reset(until);
                    }
                    sleep
                }
                None => self.sleep.insert(Box::pin(tokio::time::sleep_until(until))),
            };
            sleep.as_mut().poll(cx)
        }
    }

    /// What is left of a pause that ends at `until`.
    pub(crate) fn left(until: Instant) -> Duration {
        until.saturating_duration_since(Instant::now())
    }

    /// The length of a wait that started at `since` and ends at `until`.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn between(since: Instant, until: Instant) -> Duration {
        until.saturating_duration_since(since)
    }

    /// Far enough ahead to mean "never", and safe to add to any instant: tokio's own choice
    /// for a timer that never fires is about 30 years.
    const FOREVER: Duration = Duration::from_secs(86_400 * 365 * 30);

    impl Gate {
        /// Admits nobody for `duration`, from now: for a 429's `Retry-After`, or a downstream
        /// that asked for a break. Calls in flight go on. A call that arrives meanwhile, or was
        /// already waiting:
        ///
        /// - waits for the pause to end, if it may wait that long;
        /// - otherwise, if it can be rejected, is rejected with
        ///   [`Reason::Paused`](crate::Reason::Paused), and
        ///   [`retry_after`](crate::Rejected::retry_after) says how much of the pause is left. A
        ///   call that arrives is rejected at once; one already waiting, when its `wait` runs
        ///   out;
        /// - otherwise (it cannot be rejected: no `wait`, `queue` or `timeout`), waits anyway.
        ///
        /// When the pause ends, the waiters are admitted in the order they arrived. A pause
        /// never shortens one already in force: the later end wins. A call already waiting when
        /// the pause starts keeps its place in line.
        ///
        /// The pause is timed by tokio's clock and ended by a tokio timer (feature `tokio`), so
        /// it follows `tokio::time::pause()`, and the calls that wait for it must run inside a
        /// tokio runtime.
        ///
        /// ```
        /// use std::time::Duration;
        /// use bounded_async::Gate;
        ///
        /// static API: Gate = Gate::new(8).with_name("my_app::API");
        ///
        /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
        /// # async fn main() {
        /// // The partner answered 429 with `Retry-After: 2`.
        /// API.pause_for(Duration::from_secs(2));
        /// assert!(API.try_acquire().is_none(), "nobody is admitted while paused");
        ///
        /// let start = tokio::time::Instant::now();
        /// let permit = API.acquire().await;
        /// assert_eq!(start.elapsed(), Duration::from_secs(2), "admitted when the pause ended");
        /// # drop(permit);
        /// # }
        /// ```
        pub fn pause_for(&self, duration: Duration) {
            let now = Instant::now();
            let until = now.checked_add(duration).unwrap_or(now + FOREVER);
            let mut wakers = WakeList::new();
            let mut list = self.lock();
            if list.pause.extend(until) {
                // Nothing is admitted past the lock from now on.
                self.state.fetch_or(SLOW, Ordering::AcqRel);
                // The head, if any, keeps the timer that ends the pause: wake it to start one.
                if let Some(waker) = list.head_waker() {
                    wakers.push(waker);
                }
            }
            drop(list);
            wakers.wake_all();
        }

        /// When the gate's pause ends, if one is in force (see
        /// [`pause_for`](Gate::pause_for)). Read under the gate's lock.
        ///
        /// ```
        /// use std::time::Duration;
        ///
        /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
        /// # async fn main() {
        /// let gate = bounded_async::Gate::new(1);
        /// assert_eq!(gate.paused_until(), None);
        /// gate.pause_for(Duration::from_secs(3));
        /// let until = gate.paused_until().expect("paused");
        /// assert_eq!(until - tokio::time::Instant::now(), Duration::from_secs(3));
        /// tokio::time::sleep(Duration::from_secs(3)).await;
        /// assert_eq!(gate.paused_until(), None, "over");
        /// # }
        /// ```
        pub fn paused_until(&self) -> Option<Instant> {
            self.lock().pause.ahead()
        }

        /// How much of the gate's pause is left, if one is in force.
        pub(crate) fn pause_left(&self) -> Option<Duration> {
            self.paused_until().map(left)
        }
    }
}

#[cfg(not(feature = "tokio"))]
mod without_timers {
    use std::task::{Context, Poll};
    use std::time::Duration;

    use super::super::Gate;

    /// No timers, so no caller has a deadline: a value of this type cannot exist.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub(crate) enum Deadline {}

    pub(crate) fn left(until: Deadline) -> Duration {
        match until {}
    }

    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn between(_: std::time::Instant, until: Deadline) -> Duration {
        match until {}
    }

    /// Without timers a gate cannot be paused.
    #[derive(Debug)]
    pub(crate) struct Pause;

    impl Pause {
        pub(crate) const fn new() -> Self {
            Pause
        }

        pub(crate) fn is_set(&self) -> bool {
            false
        }

        pub(crate) fn ahead(&self) -> Option<Deadline> {
            None
        }

        pub(crate) fn active(&mut self) -> Option<Deadline> {
            None
        }
    }

    /// Without timers, no waiter ever needs one.
    #[derive(Debug, Default)]
    pub(crate) struct HeadTimer;

    impl HeadTimer {
        pub(crate) const fn new() -> Self {
            HeadTimer
        }

        pub(crate) fn poll_until(&mut self, until: Deadline, _: &mut Context<'_>) -> Poll<()> {
            match until {}
        }
    }

    impl Gate {
        pub(crate) fn pause_left(&self) -> Option<Duration> {
            None
        }
    }
}
