//! Live limits: [`Gate::set_limit`] between 1 and the gate's `max`, and the debt that lowering
//! the limit leaves behind.
//!
//! Lowering never revokes a permit. It takes the free permits it can, and records the rest as
//! *debt*: permits held by calls in flight that must not be handed out again when they come
//! back. While there is debt, the `SLOW` bit is set, so every permit given back goes through
//! the lock, where it pays the debt before anything is handed to a waiter; no caller is
//! admitted until fewer than the new limit are in flight. Raising the limit first cancels debt,
//! then adds free permits, which go to the waiters at once, in order.

use std::error::Error;
use std::fmt;

use super::{FREE, Gate, ONE, SLOW, WakeList, free, permits};
use crate::sync::Ordering;

/// The error of [`Gate::set_limit`]: the requested limit is 0 or above the gate's `max`.
/// Nothing was changed.
///
/// ```
/// use bounded_async::Gate;
///
/// static API: Gate = Gate::new(4).with_max(16);
/// let error = API.set_limit(32).unwrap_err();
/// assert_eq!((error.requested(), error.max()), (32, 16));
/// assert_eq!(
///     error.to_string(),
///     "cannot set the limit to 32: it must be between 1 and the gate's max, 16"
/// );
/// assert_eq!(API.limit(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitError {
    requested: usize,
    max: usize,
}

impl LimitError {
    /// The limit that was asked for.
    ///
    /// ```
    /// let gate = bounded_async::Gate::new(2);
    /// assert_eq!(gate.set_limit(0).unwrap_err().requested(), 0);
    /// ```
    pub fn requested(&self) -> usize {
        self.requested
    }

    /// The gate's `max`, the highest limit it takes.
    ///
    /// ```
    /// let gate = bounded_async::Gate::new(2);
    /// assert_eq!(gate.set_limit(3).unwrap_err().max(), 2);
    /// ```
    pub fn max(&self) -> usize {
        self.max
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot set the limit to {}: it must be between 1 and the gate's max, {}",
            self.requested, self.max
        )
    }
}

impl Error for LimitError {}

impl Gate {
    /// The most calls that may hold a permit at once, now (see [`set_limit`](Gate::set_limit)).
    ///
    /// ```
    /// let gate = bounded_async::Gate::new(4).with_max(8);
    /// assert_eq!(gate.limit(), 4);
    /// gate.set_limit(8).unwrap();
    /// assert_eq!(gate.limit(), 8);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Acquire)
    }

    /// The highest the limit can be set to (see [`with_max`](Gate::with_max)): the limit the
    /// gate was created with, unless raised.
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(4).max(), 4);
    /// assert_eq!(bounded_async::Gate::new(4).with_max(64).max(), 64);
    /// ```
    pub fn max(&self) -> usize {
        self.max
    }

    /// Sets the limit: the most calls that may hold a permit at once, from now on.
    ///
    /// - `limit` must be between 1 and [`max`](Gate::max); otherwise this returns an error and
    ///   changes nothing.
    /// - Raising the limit admits waiters at once, first come first served.
    /// - Lowering it never revokes a permit: calls in flight finish, and nobody new is admitted
    ///   until fewer than `limit` are in flight.
    ///
    /// ```
    /// use bounded_async::Gate;
    ///
    /// static DOWNSTREAM: Gate = Gate::new(8).with_max(32);
    ///
    /// // For example, from configuration at start-up.
    /// DOWNSTREAM.set_limit(20)?;
    /// assert_eq!(DOWNSTREAM.limit(), 20);
    ///
    /// let held: Vec<_> = (0..20).map(|_| DOWNSTREAM.try_acquire().unwrap()).collect();
    /// DOWNSTREAM.set_limit(10)?;
    /// assert_eq!(DOWNSTREAM.in_flight(), 20, "nothing is revoked");
    /// drop(held);
    /// assert_eq!(DOWNSTREAM.in_flight(), 0);
    /// let now: Vec<_> = std::iter::from_fn(|| DOWNSTREAM.try_acquire()).collect();
    /// assert_eq!(now.len(), 10);
    /// # Ok::<(), bounded_async::LimitError>(())
    /// ```
    pub fn set_limit(&self, limit: usize) -> Result<(), LimitError> {
        if limit == 0 || limit > self.max {
            return Err(LimitError {
                requested: limit,
                max: self.max,
            });
        }
        let mut wakers = WakeList::new();
        let mut list = self.lock();
        let old = self.limit.load(Ordering::Acquire);
        self.limit.store(limit, Ordering::Release);
        let debt = self.debt.load(Ordering::Acquire);
        if limit > old {
            // Cancel debt first: those permits are held, and now within the limit.
            let raise = limit - old;
            let cancelled = raise.min(debt);
            self.debt.store(debt - cancelled, Ordering::Release);
            let added = raise - cancelled;
            if added > 0 {
                self.state.fetch_add(permits(added), Ordering::AcqRel);
            }
        } else if limit < old {
            // Take the free permits that can be taken; the rest is owed.
            let cut = old - limit;
            let mut state = self.state.load(Ordering::Acquire);
            loop {
                let taken = cut.min(free(state));
                let owed = cut - taken;
                let next = if owed > 0 {
                    (state - permits(taken)) | SLOW
                } else {
                    state - permits(taken)
                };
                match self
                    .state
                    .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => {
                        self.debt.store(debt + owed, Ordering::Release);
                        break;
                    }
                    Err(actual) => state = actual,
                }
            }
        }
        let more = self.dispatch(&mut list, &mut wakers);
        drop(list);
        self.metric_limit(limit);
        wakers.wake_all();
        if more {
            self.hand_over();
        }
        Ok(())
    }

    /// Under the lock, with the `SLOW` bit set: pays the debt from the free permits in `state`,
    /// and returns the state after.
    pub(super) fn pay_debt(&self, mut state: u64) -> u64 {
        let debt = self.debt.load(Ordering::Acquire);
        if debt == 0 || state & FREE < ONE {
            return state;
        }
        // While `SLOW` is set, only releases change the state word outside the lock, and they
        // only add permits: what is free now stays free for this subtraction.
        let paid = debt.min(free(state));
        state = self.state.fetch_sub(permits(paid), Ordering::AcqRel) - permits(paid);
        self.debt.store(debt - paid, Ordering::Release);
        state
    }
}
