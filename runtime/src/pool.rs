//! Pools: named semaphores that several functions share (bulkheads).

use std::fmt;
use std::time::Duration;

use crate::gate::{Acquire, Admit, Gate, LimitError, Permit, Stats};
use crate::sync::const_unless_loom;

/// A shared pool of `CAPACITY` permits, declared with `pool!` and named by `#[bounded(pool = ..)]`.
///
/// What members are checked against at compile time is part of the type:
/// - `CAPACITY`, the limit it starts with, and `MAX`, the highest its limit can be raised to at
///   run time (`CAPACITY` unless the pool has a `max`): `#[bounded(pool = P, limit = N)]` is a
///   compile error when `N` is above `MAX`;
/// - `REJECTS`: whether the pool can turn calls away (it has a `queue`, a `wait` or a
///   `timeout`), which [`with_queue`](Pool::with_queue), [`with_wait`](Pool::with_wait) and
///   [`with_timeout`](Pool::with_timeout) set. Its members must then be able to report a
///   rejection, as a function with those keys of its own must: return `Result<T, E>` with
///   `E: From<Rejected>`, or be "settled";
/// - `PACE`: the nanoseconds between two admissions at the `rate` that `pool!` declared (its
///   [`Rate::interval`](crate::Rate::interval)), or 0 when the type does not say:
///   `#[bounded(pool = P, rate = R)]` is a compile error when `R` paces faster than that, since
///   every call also takes one of the pool's slots. A rate given with
///   [`with_rate`](Pool::with_rate) or [`set_rate`](Pool::set_rate) leaves the type as it is.
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
pub struct Pool<
    const CAPACITY: usize,
    const MAX: usize = CAPACITY,
    const REJECTS: bool = false,
    const PACE: u64 = 0,
> {
    /// Its gate, which holds its name: `pool!` names it by its module and its own name.
    gate: Gate,
    /// The longest its calls wait to be admitted.
    wait: Option<Duration>,
    /// The longest its calls run once admitted.
    timeout: Option<Duration>,
}

impl<const CAPACITY: usize, const MAX: usize> Pool<CAPACITY, MAX> {
    const_unless_loom! {
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
        ///
        /// A `MAX` below `CAPACITY` or above `MAX_PERMITS` does not compile either:
        ///
        /// ```compile_fail
        /// # fn main() {
        /// let pool = bounded_async::Pool::<16, 8>::new();
        /// # }
        /// ```
        pub fn new() -> Self {
            const {
                assert!(
                    CAPACITY != 0,
                    "`Pool<0>`: a pool's capacity must be at least 1: with 0, nothing could ever run"
                );
                assert!(
                    CAPACITY <= crate::MAX_PERMITS,
                    "a `Pool`'s capacity is at most `MAX_PERMITS`, the most permits a semaphore holds"
                );
                assert!(
                    MAX >= CAPACITY && MAX <= crate::MAX_PERMITS,
                    "a `Pool`'s `MAX` is at least its capacity and at most `MAX_PERMITS`"
                );
            }
            Self::checked_elsewhere()
        }
    }

    const_unless_loom! {
        /// A pool whose capacity and max `pool!` checks itself, each rule with its message at the
        /// key: out of range, it is reported there once, and this pool is never run.
        pub(crate) fn checked_elsewhere() -> Self {
            let limit = crate::__private::permits(CAPACITY);
            Pool {
                gate: Gate::new(limit)
                    .with_max(crate::__private::max_permits(MAX, limit))
                    .with_name("bounded_async::Pool"),
                wait: None,
                timeout: None,
            }
        }
    }
}

impl<const CAPACITY: usize, const MAX: usize, const REJECTS: bool, const PACE: u64>
    Pool<CAPACITY, MAX, REJECTS, PACE>
{
    /// The pool's capacity.
    pub const CAPACITY: usize = CAPACITY;

    /// The same pool with a bound on its line: at most `queue` callers may wait at once, and one
    /// more is turned away at once (see [`Gate::with_queue`]). `queue = 0` never waits.
    ///
    /// ```
    /// use bounded_async::Pool;
    ///
    /// static DB: Pool<16, 16, true> = Pool::new().with_queue(128);
    /// assert_eq!(DB.queue(), Some(128));
    /// ```
    pub const fn with_queue(self, queue: usize) -> Pool<CAPACITY, MAX, true, PACE> {
        Pool {
            gate: self.gate.with_queue(queue),
            wait: self.wait,
            timeout: self.timeout,
        }
    }

    /// The same pool, fleet-wide (feature `redis`): its permits are also leases of `lease` on a
    /// Redis server, shared by every process that declares a pool of the same name and
    /// [connects](Pool::connect) it to the same Redis. Each process still holds at most the
    /// pool's capacity itself, so that one process cannot flood Redis with waiters.
    ///
    /// A fleet-wide pool can turn calls away (Redis may be out of reach), so it says so in its
    /// type, and its members must return `Result<T, E>` with `E: From<Rejected>`.
    #[cfg(feature = "redis")]
    pub const fn with_redis(self, lease: Duration) -> Pool<CAPACITY, MAX, true, PACE> {
        Pool {
            gate: self.gate.with_redis(lease),
            wait: self.wait,
            timeout: self.timeout,
        }
    }

    /// The same pool, said to turn calls away: a fleet-wide pool's type without the `redis`
    /// feature, whose `backend` key the macro reports.
    #[cfg(not(feature = "redis"))]
    pub(crate) const fn rejecting(self) -> Pool<CAPACITY, MAX, true, PACE> {
        Pool {
            gate: self.gate,
            wait: self.wait,
            timeout: self.timeout,
        }
    }

    /// Connects a fleet-wide pool ([`with_redis`](Pool::with_redis), `backend = "redis"`) to the
    /// Redis behind `connection`, once, at start-up: any `redis::aio::ConnectionLike + Clone`,
    /// such as a `ConnectionManager` (which reconnects on its own) or a `MultiplexedConnection`.
    /// From then on its permits are shared by every process connected to the same Redis.
    ///
    /// It checks that Redis answers and loads the pool's scripts, then starts a task on the
    /// current tokio runtime, for as long as the process runs, that renews the leases held, a
    /// third of a lease apart, and gives back those of the calls that end (see
    /// [`flush`](Pool::flush) for a process's exit). A call made before `connect`
    /// is turned away with [`Reason::Backend`](crate::Reason::Backend). A connection cannot
    /// subscribe to the pool's channel, so waiters learn of a free permit by asking Redis again;
    /// under contention, [`connect_client`](Pool::connect_client) wakes them instead.
    ///
    /// # Errors
    ///
    /// When Redis cannot be reached, when the pool has no Redis backend, or when it is already
    /// connected.
    #[cfg(feature = "redis")]
    pub async fn connect<C>(&'static self, connection: C) -> Result<(), crate::ConnectError>
    where
        C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
    {
        self.connect_with(connection, None).await
    }

    /// [`connect`](Pool::connect) with a `redis::Client`, from which the pool makes its own
    /// `ConnectionManager` (reconnecting on its own) and a subscription to the pool's channel:
    /// a permit given back anywhere in the fleet then wakes the waiter at the front of the line at
    /// once, where with [`connect`](Pool::connect) waiters learn of it by asking Redis again
    /// (every few milliseconds near the front of the line). Prefer it under contention.
    ///
    /// # Errors
    ///
    /// As [`connect`](Pool::connect).
    #[cfg(feature = "redis")]
    pub async fn connect_client(
        &'static self,
        client: redis::Client,
    ) -> Result<(), crate::ConnectError> {
        let connection = redis::aio::ConnectionManager::new(client.clone())
            .await
            .map_err(|error| crate::ConnectError::unreachable(self.gate.name(), error))?;
        self.connect_with(connection, Some(client)).await
    }

    /// Waits until the leases of the calls that have ended are given back to Redis. A call that
    /// ends gives its lease back at once, through a task of the pool; a process that exits right
    /// after its last calls may end before that task has run, and the fleet then gets their
    /// permits back only when their leases end. Awaited before the process exits (after its last
    /// calls, as part of a graceful shutdown), it hands them back at once. It returns at once for
    /// a pool that is not connected; it waits as long as Redis takes to answer the releases
    /// (with a `ConnectionManager`, its response timeout), so a shutdown that must not wait
    /// longer wraps it in a timeout. `pool!`'s fleet-wide example calls it.
    #[cfg(feature = "redis")]
    pub async fn flush(&'static self) {
        if let Some(leases) = self.gate.remote().leases() {
            leases.flush().await;
        }
    }

    #[cfg(feature = "redis")]
    async fn connect_with<C>(
        &'static self,
        connection: C,
        wakes: Option<redis::Client>,
    ) -> Result<(), crate::ConnectError>
    where
        C: redis::aio::ConnectionLike + Clone + Send + Sync + 'static,
    {
        let name = self.gate.name();
        let Some(lease) = self.gate.remote().lease() else {
            return Err(crate::ConnectError::not_declared(name));
        };
        if self.gate.remote().leases().is_some() {
            return Err(crate::ConnectError::already_connected(name));
        }
        let (leases, released) =
            crate::backend::redis::Leases::connect(&self.gate, CAPACITY, lease, connection, wakes)
                .await?;
        let Some(leases) = self.gate.remote().set(leases) else {
            return Err(crate::ConnectError::already_connected(name));
        };
        leases.start(released);
        Ok(())
    }

    /// The same pool, with a rate: its members' calls together go through at most
    /// `rate.count()` per `rate.period()`, paced smoothly (see [`Gate::with_rate`]). A rate
    /// alone turns no call away: a call waits for its slot, within its `wait` if it has one.
    ///
    /// ```
    /// use bounded_async::{Pool, Rate};
    ///
    /// static PARTNER: Pool<20> = Pool::new().with_rate(Rate::per_second(50));
    /// assert_eq!(PARTNER.rate(), Some(Rate::per_second(50)));
    /// ```
    #[cfg(feature = "tokio")]
    pub const fn with_rate(mut self, rate: crate::Rate) -> Self {
        self.gate = self.gate.with_rate(rate);
        self
    }

    /// The same pool, whose type says that its rate paces one admission every `PACE`
    /// nanoseconds: `pool!` declares its rate this way, and checks the two agree.
    pub(crate) const fn with_pace<const TO: u64>(self) -> Pool<CAPACITY, MAX, REJECTS, TO> {
        Pool {
            gate: self.gate,
            wait: self.wait,
            timeout: self.timeout,
        }
    }

    /// The pool's rate, if it has one (see [`Gate::rate`]).
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new();
    /// assert_eq!(DB.rate(), None);
    /// ```
    #[cfg(feature = "tokio")]
    pub fn rate(&self) -> Option<crate::Rate> {
        self.gate.rate()
    }

    /// Sets the pool's rate at run time (see [`Gate::set_rate`]).
    ///
    /// ```
    /// use bounded_async::{Pool, Rate};
    ///
    /// static PARTNER: Pool<20> = Pool::new().with_rate(Rate::per_second(50));
    /// PARTNER.set_rate(Rate::per_second(20));
    /// assert_eq!(PARTNER.rate(), Some(Rate::per_second(20)));
    /// ```
    #[cfg(feature = "tokio")]
    pub fn set_rate(&self, rate: crate::Rate) {
        self.gate.set_rate(rate)
    }

    /// The same pool, whose calls wait at most `wait` to be admitted, and are turned away after
    /// (`Reason::WaitElapsed`). Needs the `tokio` feature's timers when a call has to wait.
    ///
    /// ```
    /// use bounded_async::Pool;
    /// use std::time::Duration;
    ///
    /// static DB: Pool<16, 16, true> = Pool::new().with_wait(Duration::from_millis(250));
    /// assert_eq!(DB.wait(), Some(Duration::from_millis(250)));
    /// ```
    pub const fn with_wait(self, wait: Duration) -> Pool<CAPACITY, MAX, true, PACE> {
        Pool {
            gate: self.gate,
            wait: Some(wait),
            timeout: self.timeout,
        }
    }

    /// The same pool, whose calls run at most `timeout` once admitted: a body still running is
    /// dropped and its permit given back (`Reason::TimedOut`). Needs the `tokio` feature's timers
    /// when a body does not finish on its first poll.
    ///
    /// ```
    /// use bounded_async::Pool;
    /// use std::time::Duration;
    ///
    /// static DB: Pool<16, 16, true> = Pool::new().with_timeout(Duration::from_secs(2));
    /// assert_eq!(DB.timeout(), Some(Duration::from_secs(2)));
    /// ```
    pub const fn with_timeout(self, timeout: Duration) -> Pool<CAPACITY, MAX, true, PACE> {
        Pool {
            gate: self.gate,
            wait: self.wait,
            timeout: Some(timeout),
        }
    }

    /// The same pool under `name`, which messages (and rejections) give it; `pool!` names a pool
    /// by its module and its own name, as in `my_app::DB`.
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new().with_name("my_app::DB");
    /// assert_eq!(DB.name(), "my_app::DB");
    /// ```
    pub const fn with_name(mut self, name: &'static str) -> Self {
        self.gate = self.gate.with_name(name);
        self
    }

    /// The pool's name: `bounded_async::Pool` unless it was given one.
    pub const fn name(&self) -> &'static str {
        self.gate.name()
    }

    const_unless_loom! {
        /// The same pool, listed in the registry ([`gates`](crate::gates),
        /// [`gate`](crate::gate)) under its name from its first use on (see
        /// [`Gate::listed`]). `me` is the `static` that holds this very pool; `pool!` lists every
        /// pool it declares this way.
        ///
        /// ```
        /// use bounded_async::Pool;
        ///
        /// static DB: Pool<16> = Pool::new().with_name("my_app::DB").listed(&DB);
        ///
        /// DB.set_limit(8)?;
        /// assert_eq!(bounded_async::gate("my_app::DB").map(|gate| gate.limit()), Some(8));
        /// # Ok::<(), bounded_async::LimitError>(())
        /// ```
        pub fn listed(mut self, me: &'static Self) -> Self {
            self.gate = self.gate.listed(&me.gate);
            self
        }
    }

    /// The longest a call waits to be admitted, if the pool bounds it.
    pub const fn wait(&self) -> Option<Duration> {
        self.wait
    }

    /// The longest a call runs once admitted, if the pool bounds it.
    pub const fn timeout(&self) -> Option<Duration> {
        self.timeout
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
    /// static DB: bounded_async::Pool<16, 32> = bounded_async::Pool::new();
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
    /// static DB: Pool<16, 64> = Pool::new();
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

    /// Admits nobody for `duration`, from now: for a 429's `Retry-After`, every member of the
    /// pool holds back at once. A call that may wait that long waits; one whose `wait` ends
    /// sooner is rejected with [`Reason::Paused`](crate::Reason::Paused) and a
    /// [`retry_after`](crate::Rejected::retry_after); one that cannot be rejected waits anyway
    /// (see [`Gate::pause_for`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use bounded_async::{Reason, Rejected, bounded, pool};
    ///
    /// pool!(pub PARTNER = 8, wait = "1s");
    ///
    /// #[bounded(pool = PARTNER)]
    /// async fn quote(symbol: &str) -> Result<String, Rejected> {
    ///     Ok(format!("{symbol}: 42"))
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// // The partner answered 429 with `Retry-After: 30`.
    /// PARTNER.pause_for(Duration::from_secs(30));
    ///
    /// // A call may wait 1 s, not 30: it is turned away at once, and told when to come back.
    /// let rejected = quote("ACME").await.unwrap_err();
    /// assert_eq!(rejected.reason(), Reason::Paused);
    /// assert_eq!(rejected.retry_after(), Some(Duration::from_secs(30)));
    ///
    /// tokio::time::sleep(Duration::from_secs(30)).await;
    /// assert_eq!(quote("ACME").await.unwrap(), "ACME: 42");
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    pub fn pause_for(&self, duration: Duration) {
        self.gate.pause_for(duration)
    }

    /// When the pool's pause ends, if one is in force (see [`pause_for`](Pool::pause_for)).
    ///
    /// ```
    /// static DB: bounded_async::Pool<16> = bounded_async::Pool::new();
    /// assert_eq!(DB.paused_until(), None);
    /// ```
    #[cfg(feature = "tokio")]
    pub fn paused_until(&self) -> Option<tokio::time::Instant> {
        self.gate.paused_until()
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

impl<const CAPACITY: usize, const MAX: usize> Default for Pool<CAPACITY, MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAPACITY: usize, const MAX: usize, const REJECTS: bool, const PACE: u64> fmt::Debug
    for Pool<CAPACITY, MAX, REJECTS, PACE>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("name", &self.name())
            .field("capacity", &CAPACITY)
            .field("max", &MAX)
            .field("in_flight", &self.in_flight())
            .field("waiting", &self.waiting())
            .field("queue", &self.queue())
            .field("wait", &self.wait)
            .field("timeout", &self.timeout)
            .finish()
    }
}
