//! Pools: named semaphores that several functions share (bulkheads).

use std::fmt;

use crate::gate::{Acquire, Admit, Gate, LimitError, Permit, Stats};

/// A shared pool of `CAPACITY` permits, declared with `pool!` and named by `#[bounded(pool = ..)]`.
///
/// The capacity is part of the type, so that `#[bounded(pool = P, limit = N)]` can check at
/// compile time that `N` is not larger than the pool.
///
/// ```
/// use bounded_async::Pool;
///
/// static DB: Pool<16> = Pool::new();
///
/// # futures::executor::block_on(async {
/// let permit = DB.acquire().await;
/// assert_eq!((DB.capacity(), DB.in_flight(), DB.waiting()), (16, 1, 0));
/// # drop(permit);
/// # });
/// ```
pub struct Pool<const CAPACITY: usize> {
    gate: Gate,
}

impl<const CAPACITY: usize> Pool<CAPACITY> {
    /// The pool's capacity.
    pub const CAPACITY: usize = CAPACITY;

    /// A pool of `CAPACITY` permits.
    ///
    /// A `CAPACITY` of 0 or above [`MAX_PERMITS`](crate::MAX_PERMITS) does not compile: in a
    /// `static`, even under `cargo check`; elsewhere, when the code is compiled.
    ///
    /// ```compile_fail
    /// # fn main() {
    /// let pool = bounded_async::Pool::<0>::default();
    /// # }
    /// ```
    pub const fn new() -> Self {
        const {
            assert!(
                CAPACITY != 0,
                "`Pool<0>`: a pool's capacity must be at least 1: with 0, nothing could ever run"
            );
            assert!(
                CAPACITY <= crate::MAX_PERMITS,
                "a `Pool`'s capacity is at most `MAX_PERMITS`, the most permits a semaphore holds"
            );
        }
        Self::checked_elsewhere()
    }

    /// A pool whose capacity `pool!` checks itself, each rule with its message at the capacity:
    /// out of range, it is reported there once, and this pool is never run.
    pub(crate) const fn checked_elsewhere() -> Self {
        Pool {
            gate: Gate::new(crate::__private::permits(CAPACITY)),
        }
    }

    /// The same pool with a bound on its line: at most `queue` callers may wait at once (see
    /// [`Gate::with_queue`]).
    ///
    /// ```
    /// use bounded_async::Pool;
    ///
    /// static DB: Pool<16> = Pool::new().with_queue(128);
    /// assert_eq!(DB.queue(), Some(128));
    /// ```
    pub const fn with_queue(self, queue: usize) -> Self {
        Pool {
            gate: self.gate.with_queue(queue),
        }
    }

    /// The same pool with a higher `max`, the most its limit can be raised to at run time (see
    /// [`Gate::with_max`]). Its [`capacity`](Pool::capacity) stays `CAPACITY`, the limit it starts
    /// with.
    ///
    /// ```
    /// use bounded_async::Pool;
    ///
    /// static DB: Pool<16> = Pool::new().with_max(64);
    /// assert_eq!((DB.limit(), DB.max()), (16, 64));
    /// ```
    pub const fn with_max(self, max: usize) -> Self {
        Pool {
            gate: self.gate.with_max(max),
        }
    }

    /// The pool's limit now: `CAPACITY` until [`set_limit`](Pool::set_limit) changes it.
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new();
    /// assert_eq!(DB.limit(), 16);
    /// ```
    pub fn limit(&self) -> usize {
        self.gate.limit()
    }

    /// The highest the limit can be set to.
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new().with_max(32);
    /// assert_eq!(DB.max(), 32);
    /// ```
    pub fn max(&self) -> usize {
        self.gate.max()
    }

    /// Sets the pool's limit, between 1 and its [`max`](Pool::max): the documented way to take
    /// a limit from configuration. Raising it admits waiters at once; lowering it never revokes
    /// a permit (see [`Gate::set_limit`]).
    ///
    /// ```
    /// use bounded_async::Pool;
    ///
    /// static DB: Pool<16> = Pool::new().with_max(64);
    ///
    /// // At start-up, from configuration:
    /// let configured = "40";
    /// DB.set_limit(configured.parse()?)?;
    /// assert_eq!(DB.limit(), 40);
    /// assert!(DB.set_limit(65).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_limit(&self, limit: usize) -> Result<(), LimitError> {
        self.gate.set_limit(limit)
    }

    /// The pool's stats now, read without a lock (see [`Gate::stats`]).
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new();
    /// let stats = DB.stats();
    /// assert_eq!((stats.limit, stats.in_flight, stats.admitted), (16, 0, 0));
    /// ```
    pub fn stats(&self) -> Stats {
        self.gate.stats()
    }

    /// The bound on the callers waiting at once, if the pool has one.
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new();
    /// assert_eq!(DB.queue(), None);
    /// ```
    pub fn queue(&self) -> Option<usize> {
        self.gate.queue()
    }

    /// How many calls may hold a permit at once.
    pub fn capacity(&self) -> usize {
        CAPACITY
    }

    /// How many calls hold a permit right now.
    pub fn in_flight(&self) -> usize {
        self.gate.in_flight()
    }

    /// How many calls are waiting for a permit right now.
    pub fn waiting(&self) -> usize {
        self.gate.waiting()
    }

    /// Waits for a permit, first come first served.
    pub fn acquire(&self) -> Acquire<'_> {
        self.gate.acquire()
    }

    /// Waits for a permit, or is refused when the pool's queue is full (see [`Gate::admit`]).
    #[doc(hidden)]
    pub fn admit(&self) -> Admit<'_> {
        self.gate.admit()
    }

    /// The gate behind the pool.
    pub(crate) const fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Takes a permit if one is free and nobody is waiting.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        self.gate.try_acquire()
    }
}

impl<const CAPACITY: usize> Default for Pool<CAPACITY> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAPACITY: usize> fmt::Debug for Pool<CAPACITY> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("capacity", &CAPACITY)
            .field("in_flight", &self.in_flight())
            .field("waiting", &self.waiting())
            .finish()
    }
}
