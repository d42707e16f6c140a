//! The gate: what admits a call. A `#[bounded]` function declares one, a [`Pool`](crate::Pool)
//! holds one, and [`Semaphore`] is its standalone name.
//!
//! A gate is built in a const context (it can live in a `static`), is lock-free when a permit is
//! free and nobody waits, and first come first served otherwise.
//!
//! - Admission (this file): the state word holds the free permits, a bit that says the slow
//!   path is needed (someone waits, or permits are owed), and a count of admissions. While the
//!   bit is clear, taking a permit is one compare-exchange on that word (which counts the
//!   admission too) and giving it back one add. Once someone waits, new
//!   callers queue behind them (no barging), and each permit given back is handed to the first
//!   waiter under the lock, so waiters enter in the order they arrived.
//! - Stats ([`stats`]): read without the lock; what the uncontended call must count rides on the
//!   state word's compare-exchange, everything else is counted on the slow path.
//! - Live limits ([`limit`]): the limit moves between 1 and `max` at run time; lowering it
//!   leaves a debt that permits pay as they come back.
//! - The wait list ([`wait`]): waiters live inside the callers' pinned [`Acquire`] futures,
//!   linked into an intrusive list under the lock; waiting allocates nothing, and a waiter that
//!   gives up is unlinked in O(1). Granted waiters are woken after the lock is released.
//! - Pauses ([`pause`]): while one lasts, the `SLOW` bit is set and nothing is handed out; the
//!   waiter at the head of the line keeps the timer that ends it.

#[cfg(any(feature = "tokio", loom))]
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
mod gcra;
mod limit;
mod metrics;
mod pause;
mod rate;
mod stats;
mod trace;
mod wait;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};
use std::time::Duration;

#[cfg(not(feature = "tokio"))]
use std::time::Instant;
/// The clock that times waits: tokio's with the `tokio` feature, so that a wait's length follows
/// `tokio::time::pause()` as the rates, pauses and deadlines that cause it do; else the system's.
#[cfg(feature = "tokio")]
use tokio::time::Instant;

use pin_project_lite::pin_project;

use crate::registry::Entry;
use crate::sync::{AtomicU64, AtomicUsize, Mutex, MutexGuard, Ordering, const_unless_loom};
pub use limit::LimitError;
use metrics::Metrics;
pub(crate) use pause::Deadline;
use pause::HeadTimer;
use rate::Pacer;
pub use rate::Rate;
#[cfg(feature = "tokio")]
pub(crate) use rate::TIMER_LATENESS;
use stats::Counters;
pub use stats::{Rejections, Stats, Waits};
use trace::WaitSpan;
use wait::{WaitList, Waiter, WakeList};

/// The most permits a [`Gate`] (or [`Semaphore`]) can hold: 2³¹ − 1, on every target.
pub const MAX_PERMITS: usize = (1 << 31) - 1;

/// Set in the state word while the slow path is needed: the wait list is not empty, the gate
/// owes permits after its limit was lowered, or it is a [listed](Gate::listed) gate not used
/// yet. Set and cleared only under the lock (or set by `listed`, before the gate is shared).
const SLOW: u64 = 1;
/// One permit, in the state word: the free permits are bits 1 to 31.
const ONE: u64 = 2;
/// The free permits' bits.
const FREE: u64 = (1 << 32) - ONE;
/// One admission, in the state word: bits 32 to 63 count admissions, modulo 2³², and the gate's
/// stats count how often they wrapped.
const ADMIT: u64 = 1 << 32;
/// Taking a free permit and counting the admission, as one addition (wrapping past the top bit
/// when the count wraps).
const TAKE: u64 = ADMIT - ONE;

/// The free permits in `state`.
#[inline]
const fn free(state: u64) -> usize {
    ((state & FREE) >> 1) as usize
}

/// `n` permits, in the state word.
#[inline]
const fn permits(n: usize) -> u64 {
    (n as u64) << 1
}

/// A gate: a counting semaphore for `static`s, built by a `const fn` that allocates nothing.
///
/// This is what `#[bounded(limit = N)]` declares for each annotated function, and what a
/// [`Pool`](crate::Pool) holds. [`Semaphore`] is the same type, under the name it had before
/// gates had policies.
///
/// ```
/// use bounded_async::Gate;
///
/// static UPLOADS: Gate = Gate::new(2);
///
/// # futures::executor::block_on(async {
/// let permit = UPLOADS.acquire().await;
/// assert_eq!(UPLOADS.in_flight(), 1);
/// drop(permit);
/// assert_eq!(UPLOADS.in_flight(), 0);
/// # });
/// ```
// The fields are laid out by hand, in three groups that do not share a cache line: what the
// uncontended call touches (the state word, and what it reads next to it), what the slow path
// writes under the lock, and the counters that callers who waited write. Measured on the
// contended benchmark (benches/call.rs), waiters writing their counters and the line's length
// next to the state word cost about 15%.
#[repr(C)]
pub struct Gate {
    /// `admissions << 32 | free permits << 1 | SLOW`.
    state: AtomicU64,
    /// The limit now: `free + in flight - debt`. Written under the lock.
    limit: AtomicUsize,
    /// The rate's state; all a gate without a rate reads of it is one zero.
    pacer: Pacer,
    /// The most callers that may wait at once to be [admitted](Gate::admit); `None`: no bound.
    queue: Option<usize>,
    capacity: usize,
    /// On a cache line of its own, with the fields after it.
    waiters: OwnLine<Mutex<WaitList>>,
    /// The wait list's length, readable without the lock.
    waiting: AtomicUsize,
    /// Permits in flight beyond the limit, after it was lowered: given back, they are not handed
    /// out again. Written under the lock, and non-zero only while `SLOW` is set.
    debt: AtomicUsize,
    /// Its place in the registry ([`crate::gates`]).
    entry: Entry,
    /// The highest the limit may be set to.
    max: usize,
    /// Its name, for the registry, the stats and messages.
    name: &'static str,
    /// On cache lines of their own.
    counters: Counters,
    /// Its metric handles (feature `metrics`), after the counters, off the hot lines.
    metrics: Metrics,
    /// Its backend, for a fleet-wide pool (feature `redis`).
    remote: crate::backend::Remote,
}

/// A value that starts a cache line (64 bytes, the line of the common targets), so that it does
/// not share one with the fields before it.
#[derive(Debug)]
#[repr(align(64))]
struct OwnLine<T>(T);

impl<T> std::ops::Deref for OwnLine<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A standalone gate, by the name it has had since before gates had policies: the same type as
/// [`Gate`].
///
/// ```
/// use bounded_async::Semaphore;
///
/// static UPLOADS: Semaphore = Semaphore::new(2);
///
/// # futures::executor::block_on(async {
/// let permit = UPLOADS.acquire().await;
/// assert_eq!(UPLOADS.in_flight(), 1);
/// drop(permit);
/// assert_eq!(UPLOADS.in_flight(), 0);
/// # });
/// ```
pub type Semaphore = Gate;

impl Gate {
    const_unless_loom! {
        /// A gate with `limit` permits.
        ///
        /// # Panics
        ///
        /// When `limit` is 0 (nothing could ever acquire it) or above [`MAX_PERMITS`]; in a
        /// `static`, that is a compile error.
        ///
        /// ```
        /// static GATE: bounded_async::Gate = bounded_async::Gate::new(8);
        /// assert_eq!(GATE.capacity(), 8);
        /// ```
        pub fn new(limit: usize) -> Self {
            assert!(limit > 0, "a semaphore needs at least 1 permit");
            assert!(
                limit <= MAX_PERMITS,
                "a semaphore holds at most MAX_PERMITS permits"
            );
            Gate {
                state: AtomicU64::new(permits(limit)),
                capacity: limit,
                limit: AtomicUsize::new(limit),
                max: limit,
                debt: AtomicUsize::new(0),
                queue: None,
                pacer: Pacer::new(),
                waiters: OwnLine(Mutex::new(WaitList::new())),
                waiting: AtomicUsize::new(0),
                counters: Counters::new(),
                metrics: Metrics::new(),
                remote: crate::backend::Remote::none(),
                name: "bounded_async::Gate",
                entry: Entry::unlisted(),
            }
        }
    }

    /// The same gate, whose permits are also leases of `lease` on a Redis server, shared by every
    /// process that declares a gate of the same name and connects it to the same Redis (feature
    /// `redis`); see [`Pool::connect`](crate::Pool::connect).
    #[cfg(feature = "redis")]
    pub const fn with_redis(mut self, lease: Duration) -> Self {
        self.remote = crate::backend::Remote::redis(lease);
        self
    }

    /// Its backend.
    #[cfg(feature = "redis")]
    #[inline]
    pub(crate) fn remote(&self) -> &crate::backend::Remote {
        &self.remote
    }

    /// Leases of a fleet-wide pool ran out before they were renewed: `taken_again` of them were
    /// taken again (the pool had room), `dropped` were not (their calls run uncounted). Counted
    /// in the stats, and reported to the `metrics` and `tracing` features.
    #[cfg(feature = "redis")]
    pub(crate) fn leases_lost(&self, taken_again: usize, dropped: usize) {
        let lost = (taken_again + dropped) as u64;
        if lost == 0 {
            return;
        }
        // The stats last: once they show the leases, so do the metrics and the trace.
        self.metric_leases_lost(lost);
        self.trace_leases_lost(taken_again, dropped);
        self.counters.leases_lost(lost);
    }

    /// The same gate under `name`, which the registry ([`gate`](crate::gate)), its
    /// [stats](Gate::stats) and messages give it. Without it, a gate is named
    /// `bounded_async::Gate`.
    ///
    /// ```
    /// static UPLOADS: bounded_async::Gate = bounded_async::Gate::new(2).with_name("my_app::UPLOADS");
    /// assert_eq!(UPLOADS.name(), "my_app::UPLOADS");
    /// ```
    pub const fn with_name(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// The gate's name (see [`with_name`](Gate::with_name)). The gate of a `#[bounded]` function
    /// is named after it, as [`gate`](crate::gate) says; a pool's gate has the pool's name.
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(2).name(), "bounded_async::Gate");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    const_unless_loom! {
        /// The same gate, listed in the registry ([`gates`](crate::gates),
        /// [`gate`](crate::gate)) from its first use on: its first permit taken, or
        /// [`set_limit`](Gate::set_limit). `me` is the `static` that holds this very gate, as
        /// below; a gate given another one is not listed. `pool!` and `#[bounded]` list their
        /// gates this way.
        ///
        /// Listing adds no work to the uncontended call: a listed gate starts with its slow-path
        /// bit set, so its first call goes through the slow path once, which lists the gate (one
        /// compare-exchange, no allocation) and clears the bit.
        ///
        /// ```
        /// use bounded_async::Gate;
        ///
        /// static UPLOADS: Gate = Gate::new(2).with_name("my_app::UPLOADS").listed(&UPLOADS);
        ///
        /// assert!(bounded_async::gate("my_app::UPLOADS").is_none(), "not used yet");
        /// drop(UPLOADS.try_acquire());
        /// let gate = bounded_async::gate("my_app::UPLOADS").expect("listed on its first use");
        /// assert!(std::ptr::eq(gate, &UPLOADS));
        /// ```
        pub fn listed(mut self, me: &'static Gate) -> Self {
            // Nothing can have been taken from a gate under construction: its free permits are its
            // limit. The bit sends the first caller down the slow path, which lists the gate.
            self.state = AtomicU64::new(permits(self.capacity) | SLOW);
            self.entry = Entry::listed(me);
            self
        }
    }

    /// Its place in the registry.
    pub(crate) fn entry(&self) -> &Entry {
        &self.entry
    }

    /// The same gate with a higher `max`: the most its limit can be raised to at run time with
    /// [`set_limit`](Gate::set_limit). Without it, `max` is the limit it was created with.
    ///
    /// # Panics
    ///
    /// When `max` is below the gate's limit or above [`MAX_PERMITS`]; in a `static`, that is a
    /// compile error.
    ///
    /// ```
    /// use bounded_async::Gate;
    ///
    /// static API: Gate = Gate::new(16).with_max(128);
    /// assert_eq!((API.limit(), API.max()), (16, 128));
    /// ```
    pub const fn with_max(mut self, max: usize) -> Self {
        assert!(max >= self.capacity, "a gate's max is at least its limit");
        assert!(
            max <= MAX_PERMITS,
            "a semaphore holds at most MAX_PERMITS permits"
        );
        self.max = max;
        self
    }

    /// The same gate with a bound on its line: at most `queue` callers may wait at once to be
    /// [admitted](Gate::admit), and one more is refused at once. `queue = 0` never waits: a
    /// caller is admitted when a permit is free and nobody waits, and refused otherwise (load
    /// shedding).
    ///
    /// The bound is on callers that can be refused: [`acquire`](Gate::acquire), which has no
    /// way to report a refusal, still waits, and is counted among those waiting.
    ///
    /// ```
    /// use bounded_async::Gate;
    ///
    /// static SHEDDING: Gate = Gate::new(4).with_queue(0);
    /// assert_eq!(SHEDDING.queue(), Some(0));
    /// ```
    pub const fn with_queue(mut self, queue: usize) -> Self {
        self.queue = Some(queue);
        self
    }

    /// The bound on the callers waiting at once, if the gate has one (see
    /// [`with_queue`](Gate::with_queue)).
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(4).queue(), None);
    /// assert_eq!(bounded_async::Gate::new(4).with_queue(16).queue(), Some(16));
    /// ```
    pub fn queue(&self) -> Option<usize> {
        self.queue
    }

    /// How many permits it was created with.
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(3).capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many permits are held right now. After the limit was lowered, this may be above the
    /// [limit](Gate::limit) until enough calls finish.
    ///
    /// ```
    /// let gate = bounded_async::Gate::new(3);
    /// let _permit = gate.try_acquire();
    /// assert_eq!(gate.in_flight(), 1);
    /// ```
    pub fn in_flight(&self) -> usize {
        // Three words read without the lock: exact while the limit is not being changed.
        let free = free(self.state.load(Ordering::Acquire));
        let limit = self.limit.load(Ordering::Acquire);
        let debt = self.debt.load(Ordering::Acquire);
        (limit + debt).saturating_sub(free)
    }

    /// How many callers are waiting for a permit right now.
    ///
    /// ```
    /// assert_eq!(bounded_async::Gate::new(3).waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// Takes a permit if one is free and nobody is waiting for one.
    ///
    /// ```
    /// let gate = bounded_async::Gate::new(1);
    /// let permit = gate.try_acquire().expect("free");
    /// assert!(gate.try_acquire().is_none());
    /// drop(permit);
    /// assert!(gate.try_acquire().is_some());
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            // The fast path: a permit is free and nobody waits (or is owed), so the bit is clear
            // and the free permits at least one.
            while state & SLOW == 0 && state & FREE >= ONE {
                match self.state.compare_exchange_weak(
                    state,
                    state.wrapping_add(TAKE),
                    Ordering::Acquire,
                    Ordering::Acquire,
                ) {
                    Ok(_) => {
                        self.admitted(state);
                        // The permit first, the rate slot last.
                        if self.pacer.is_on() && !self.paced() {
                            return None;
                        }
                        return Some(Permit { gate: self });
                    }
                    Err(actual) => state = actual,
                }
            }
            if state & SLOW == 0 || !self.settle(state) {
                return None;
            }
            state = self.state.load(Ordering::Acquire);
        }
    }

    /// [`try_acquire`](Gate::try_acquire) found the slow-path bit set in `state`: others wait,
    /// permits are owed, the gate is paused, or this is a listed gate's first use. The first use
    /// lists the gate and clears the bit, and so does a look under the lock at a pause that is
    /// over while nobody waits (here, or on another thread just now). Returns whether the bit is
    /// clear now, so that the fast path is worth another try.
    #[cold]
    #[inline(never)]
    fn settle(&self, state: u64) -> bool {
        // A free permit that nobody waits for: what holds the bit may be a pause that is over.
        let idle = state & FREE >= ONE && self.waiting() == 0;
        if self.entry.is_fresh() || idle {
            let mut wakers = WakeList::new();
            let mut list = self.lock();
            let more = self.dispatch(&mut list, &mut wakers);
            drop(list);
            wakers.wake_all();
            if more {
                self.hand_over();
            }
        }
        // Once the gate is seen as used, the bit its listing cleared is seen clear.
        self.state.load(Ordering::Acquire) & SLOW == 0
    }

    /// Waits for a permit, first come first served. Dropping the future gives up its place in
    /// line (or the permit, if it was just granted).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let gate = bounded_async::Gate::new(1);
    /// let permit = gate.acquire().await;
    /// # drop(permit);
    /// # });
    /// ```
    #[inline]
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            gate: self,
            waiter: Waiter::new(),
            phase: Phase::Idle,
            since: None,
            timer: HeadTimer::new(),
            span: WaitSpan::new(),
        }
    }

    /// Counts a call of this gate's that was turned away for `refusal` outside the gate: its
    /// wait or its timeout ran out.
    pub(crate) fn refused(&self, refusal: Refusal) {
        self.counters.refused(refusal);
        self.metric_rejected(refusal);
        self.trace_refusal(refusal);
    }

    /// Waits for a permit like [`acquire`](Gate::acquire), but is refused at once, with
    /// [`Refusal::QueueFull`], when the gate's [queue](Gate::with_queue) is full.
    ///
    /// Not public API yet: a refusal becomes the public `Rejected` once that type exists.
    #[doc(hidden)]
    #[inline]
    pub fn admit(&self) -> Admit<'_> {
        self.admit_by(None)
    }

    /// [`admit`](Gate::admit) for a caller whose own wait ends at `deadline`: while the gate is
    /// [paused](Gate::pause_for) past it, the caller is refused at once with
    /// [`Refusal::Paused`].
    #[inline]
    pub(crate) fn admit_by(&self, deadline: Option<Deadline>) -> Admit<'_> {
        Admit {
            acquire: self.acquire(),
            deadline,
        }
    }

    fn lock(&self) -> MutexGuard<'_, WaitList> {
        // Nothing under the lock calls into other code: no waker is cloned, woken or dropped
        // there, so nothing can panic while it is held. A poisoned list would still be
        // well-formed, so poisoning is not passed on.
        self.waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Gives a permit back: to the free count, and from there to the first waiter if any.
    #[inline]
    fn release(&self) {
        let previous = self.state.fetch_add(ONE, Ordering::AcqRel);
        self.metric_released();
        if previous & SLOW != 0 {
            self.hand_over();
        }
    }

    /// Hands free permits to waiters, in order, a batch of wakers at a time, waking each batch
    /// after the lock is released: waking a waker can drop the last owner of a permit of this
    /// very gate, whose release comes back here.
    #[cold]
    fn hand_over(&self) {
        let mut wakers = WakeList::new();
        loop {
            let mut list = self.lock();
            let more = self.dispatch(&mut list, &mut wakers);
            drop(list);
            wakers.wake_all();
            if !more {
                return;
            }
        }
    }

    /// Under the lock: pays the debt from the free permits, grants the rest to the waiters at the
    /// head of the line while `wakers` has room, then brings the `SLOW` bit and the `waiting` count up to date. Returns
    /// whether a full batch left both free permits and waiters behind.
    ///
    /// While `SLOW` is set, only releases change the state word outside the lock, and they only
    /// add permits, so a free permit seen here stays free until it is taken here.
    fn dispatch(&self, list: &mut WaitList, wakers: &mut WakeList) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        if state & SLOW == 0 {
            // Nobody waits and nothing is owed; fast-path callers may be taking permits.
            debug_assert!(list.is_empty());
            self.waiting.store(0, Ordering::Release);
            return false;
        }
        // A listed gate's first use lists it. Nothing is in flight, nobody waited before.
        let fresh = self.entry.is_fresh();
        if fresh {
            self.entry.list(self);
        }
        // Debt first: a permit owed is not handed out. Nothing is, while a pause lasts.
        state = self.pay_debt(state);
        let paused = list.pause.active().is_some();
        // The head needs a rate slot as well as a permit; `None` while none is missing.
        let mut slot_due = None;
        // Whether the line has been waiting for a slot since it was due: then the timer that
        // woke it may have been late, and that lateness is not held against the rate.
        let late = list.slot_due.is_some();
        while !paused && state & FREE >= ONE && !list.is_empty() && !wakers.is_full() {
            if let Err(due) = self.take_slot(late) {
                slot_due = Some(due);
                break;
            }
            let before = self.state.fetch_add(TAKE, Ordering::AcqRel);
            self.admitted(before);
            state = before.wrapping_add(TAKE);
            if let Some(Some(waker)) = list.grant_front() {
                wakers.push(waker);
            }
        }
        if slot_due.is_some() && slot_due != list.slot_due {
            // The head now waits for another slot (or it is a new head, the last one having
            // been admitted), and keeps the timer that wakes it when the slot is due: wake it to
            // start one (it may be parked waiting for a permit).
            if let Some(waker) = list.head_waker() {
                wakers.push(waker);
            }
        }
        self.note_slot_wait(list, slot_due.is_some());
        list.slot_due = slot_due;
        if list.is_empty() && self.debt.load(Ordering::Acquire) == 0 && !paused {
            self.state.fetch_and(!SLOW, Ordering::AcqRel);
        }
        if fresh {
            // After the bit is cleared: whoever sees the gate used sees the bit as it is now.
            self.entry.used();
        }
        self.waiting.store(list.len(), Ordering::Release);
        self.metric_waiting(list.len());
        !paused && slot_due.is_none() && wakers.is_full() && state & FREE >= ONE && !list.is_empty()
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("name", &self.name)
            .field("limit", &self.limit())
            .field("max", &self.max)
            .field("in_flight", &self.in_flight())
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// A held permit; dropping it gives the permit back (to the first waiter, if any).
///
/// ```
/// let gate = bounded_async::Gate::new(1);
/// let permit: bounded_async::Permit<'_> = gate.try_acquire().unwrap();
/// drop(permit);
/// assert_eq!(gate.in_flight(), 0);
/// ```
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct Permit<'a> {
    gate: &'a Gate,
}

impl Drop for Permit<'_> {
    #[inline]
    fn drop(&mut self) {
        self.gate.release();
    }
}

impl fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// Where an [`Acquire`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Not polled yet, or polled without having had to wait: not in the list.
    Idle,
    /// In the list, or taken off it with a permit it has not returned yet.
    Waiting,
    /// Returned its permit.
    Done,
}

pin_project! {
    /// The future of [`Gate::acquire`].
    ///
    /// It holds its own place in line (the gate's wait list links it in place), so it is
    /// `!Unpin`: pin it (`pin!`, `Box::pin`, or `.await`) to poll it.
    ///
    /// # Panics
    ///
    /// When polled again after it returned its permit: a second permit would be taken for one
    /// `acquire` call.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let gate = bounded_async::Gate::new(1);
    /// let acquire: bounded_async::Acquire<'_> = gate.acquire();
    /// let permit = acquire.await;
    /// # drop(permit);
    /// # });
    /// ```
    #[must_use = "a permit is only acquired when the future is awaited"]
    pub struct Acquire<'a> {
        gate: &'a Gate,
        // Linked into the gate's wait list while `phase` is `Waiting` and it is not granted.
        #[pin]
        waiter: Waiter,
        phase: Phase,
        // When it joined the line, for the stats.
        since: Option<Instant>,
        // The timer that ends the gate's pause, while this waiter is at the head of the line.
        timer: HeadTimer,
        // The span of its wait, once it joined the line (feature `tracing`).
        span: WaitSpan,
    }

    impl<'a> PinnedDrop for Acquire<'a> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if *this.phase == Phase::Waiting {
                this.gate.leave(this.waiter.into_ref().get_ref());
            }
        }
    }
}

impl<'a> Acquire<'a> {
    /// Polls for a permit; a `refusable` caller is refused when the line is full, or when the
    /// gate is paused past its `deadline`.
    #[inline]
    fn poll_admit(
        self: Pin<&mut Self>,
        refusable: bool,
        deadline: Option<Deadline>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Permit<'a>, Refusal>> {
        let this = self.project();
        let gate: &'a Gate = this.gate;
        match this.phase {
            Phase::Idle => {
                if let Some(permit) = gate.try_acquire() {
                    *this.phase = Phase::Done;
                    return Poll::Ready(Ok(permit));
                }
                if refusable && gate.queue == Some(0) && gate.shed() {
                    *this.phase = Phase::Done;
                    gate.metric_rejected(Refusal::QueueFull);
                    gate.trace_refusal(Refusal::QueueFull);
                    return Poll::Ready(Err(Refusal::QueueFull));
                }
            }
            Phase::Waiting => {}
            Phase::Done => panic!("`Acquire` polled after it returned its permit"),
        }
        let poll = {
            // Inside its wait's span, once it has one.
            let _entered = this.span.enter();
            gate.poll_waiting(
                this.waiter.into_ref(),
                this.phase,
                this.since,
                this.timer,
                refusable.then_some(deadline),
                cx,
            )
        };
        match poll {
            // In line: its wait's span starts (once).
            Poll::Pending => this.span.start(gate),
            Poll::Ready(Ok(())) => {
                *this.phase = Phase::Done;
                if let Some(since) = this.since.take() {
                    let waited = since.elapsed();
                    gate.counters.waited(waited);
                    gate.metric_waited(waited);
                    let wait = deadline.map(|deadline| pause::between(since, deadline));
                    this.span.admitted(gate, waited, wait);
                }
            }
            Poll::Ready(Err(refusal)) => {
                *this.phase = Phase::Done;
                this.span.refused(refusal);
                gate.metric_rejected(refusal);
                gate.trace_refusal(refusal);
            }
        }
        poll.map(|admitted| admitted.map(|()| Permit { gate }))
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        match self.poll_admit(false, None, cx) {
            Poll::Ready(Ok(permit)) => Poll::Ready(permit),
            Poll::Ready(Err(_)) => unreachable!("`acquire` is never refused"),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Why a gate refused a caller that can be refused.
///
/// Internal for now: the public `Rejected` error (with its `Reason`) is built from it in one
/// place, when rejection reaches the macros.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The gate's [queue](Gate::with_queue) was full: `queue` callers were already waiting.
    QueueFull,
    /// The caller's `wait` ran out before it was admitted.
    WaitElapsed,
    /// The admitted call's `timeout` ran out before its body finished.
    TimedOut,
    /// The gate was [paused](Gate::pause_for) past the caller's deadline, or while its line was
    /// full; the pause has `retry_after` left.
    Paused {
        /// What is left of the pause.
        retry_after: Duration,
    },
    /// The gate's backend (a fleet-wide pool's Redis) could not be reached, or was not
    /// connected.
    Backend,
}

/// What a caller that found no free permit does, decided under the lock.
enum Decision {
    Take,
    Queue,
    Refuse(Refusal),
}

pin_project! {
    /// The future of [`Gate::admit`]: an [`Acquire`] that can be refused.
    #[doc(hidden)]
    #[must_use = "a permit is only acquired when the future is awaited"]
    #[derive(Debug)]
    pub struct Admit<'a> {
        #[pin]
        acquire: Acquire<'a>,
        deadline: Option<Deadline>,
    }
}

impl<'a> Future for Admit<'a> {
    type Output = Result<Permit<'a>, Refusal>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        this.acquire.poll_admit(true, *this.deadline, cx)
    }
}

impl Gate {
    /// The slow path of [`Acquire`]: no permit was free, or others wait. Joins the line, or
    /// checks whether our turn came. `Ready` means a permit was taken for `waiter`'s owner.
    ///
    /// `refusable` is `Some` for a caller that can be refused, with the deadline of its own
    /// wait, if it has one.
    #[cold]
    fn poll_waiting(
        &self,
        waiter: Pin<&Waiter>,
        phase: &mut Phase,
        since: &mut Option<Instant>,
        timer: &mut HeadTimer,
        refusable: Option<Option<Deadline>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Refusal>> {
        let waiter = waiter.get_ref();
        if *phase == Phase::Waiting && waiter.is_granted() {
            return Poll::Ready(Ok(()));
        }
        // Cloned before the lock is taken: cloning a waker runs the executor's code.
        let waker = cx.waker().clone();
        let mut wakers = WakeList::new();
        let mut list = self.lock();
        let (replaced, more) = match *phase {
            Phase::Idle => {
                match self.take_or_queue(&mut list, refusable) {
                    Decision::Take => return Poll::Ready(Ok(())),
                    Decision::Refuse(refusal) => return Poll::Ready(Err(refusal)),
                    Decision::Queue => {}
                }
                let replaced = waiter.set_waker(&mut list, waker);
                // SAFETY: `waiter` is pinned (we got it as `Pin<&Waiter>`), in no list (an `Idle`
                // acquire never was), and its `Acquire` unlinks it before it is freed (its drop
                // calls `leave` while `phase` is `Waiting`).
                unsafe { list.push_back(NonNull::from(waiter)) };
                *phase = Phase::Waiting;
                // Permits given back before the `SLOW` bit was set are handed over now.
                let more = self.dispatch(&mut list, &mut wakers);
                (replaced, more)
            }
            // The grant is only ever made under the lock, so this answer is final.
            _ if waiter.is_granted() => return Poll::Ready(Ok(())),
            _ => {
                let replaced = waiter.set_waker(&mut list, waker);
                // A pause that is over is lifted, a slot that is due taken, and the permits
                // handed out.
                let held = list.pause.is_set() || list.slot_due.is_some();
                let more = held && self.dispatch(&mut list, &mut wakers);
                (replaced, more)
            }
        };
        // The head of a line held back by a pause or the rate keeps the timer that ends it.
        let pause = self.head_hold(&mut list, waiter);
        drop(list);
        if since.is_none() {
            // Read outside the lock, to keep the line's critical section short.
            *since = Some(Instant::now());
        }
        wakers.wake_all();
        drop(replaced);
        if more {
            self.hand_over();
        }
        if let Some(until) = pause {
            self.poll_pause(waiter, timer, until, cx);
        }
        self.check_granted(waiter)
    }

    fn check_granted(&self, waiter: &Waiter) -> Poll<Result<(), Refusal>> {
        if waiter.is_granted() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    /// Under the lock: until when the line is held back, if `waiter` is first in it (and so
    /// keeps the timer that ends the hold): the end of the gate's pause, or when the next rate
    /// slot is due, whichever is later.
    fn head_hold(&self, list: &mut WaitList, waiter: &Waiter) -> Option<Deadline> {
        let held = list.pause.is_set() || list.slot_due.is_some();
        if !held || waiter.is_granted() || !list.is_head(waiter) {
            return None;
        }
        list.pause.ahead().max(list.slot_due)
    }

    /// Runs the timer of the waiter at the head of a line held back by a pause or the rate, which
    /// ends the hold at `until`. When it fires, hands the free permits out, in order (this waiter
    /// first); when the hold was extended meanwhile, runs on to the new end.
    fn poll_pause(
        &self,
        waiter: &Waiter,
        timer: &mut HeadTimer,
        mut until: Deadline,
        cx: &mut Context<'_>,
    ) {
        while timer.poll_until(until, cx).is_ready() {
            let mut wakers = WakeList::new();
            let mut list = self.lock();
            // Lifts the pause that is over, takes the slot that is due, and grants.
            let more = self.dispatch(&mut list, &mut wakers);
            let pause = self.head_hold(&mut list, waiter);
            drop(list);
            wakers.wake_all();
            if more {
                self.hand_over();
            }
            match pause {
                Some(later) => until = later,
                None => return,
            }
        }
    }

    /// Under the lock: takes a permit if one is free and nobody waits; or, for a caller that can
    /// be refused, refuses it when the line is full or the gate is paused past its deadline; or
    /// else sets the `SLOW` bit, so that the caller can queue before any permit is given back
    /// past it.
    fn take_or_queue(&self, list: &mut WaitList, refusable: Option<Option<Deadline>>) -> Decision {
        let mut state = self.state.load(Ordering::Acquire);
        if state & SLOW != 0 && list.is_empty() {
            // Nobody waits, yet the bit is set: a pause (perhaps over), a debt, or a first use.
            // Bring the bit up to date; with nobody in line, nobody is granted.
            self.dispatch(list, &mut WakeList::new());
            state = self.state.load(Ordering::Acquire);
        }
        // With others in line, a pause that is over is the head's timer's to lift: it has
        // fired, or is about to, and its task hands the permits out in order.
        let pause = list.pause.ahead();
        // Set when a permit was free but no rate slot was due: the caller queues for one.
        let mut no_slot = false;
        loop {
            // `SLOW` is clear exactly when nobody waits, nothing is owed, the gate is not paused,
            // and a listed gate was listed (we hold the lock).
            let take = !no_slot && state & SLOW == 0 && state & FREE >= ONE;
            if !take && let Some(deadline) = refusable {
                let full = self.queue.is_some_and(|queue| list.len() >= queue);
                if let Some(until) = pause
                    && (full || deadline.is_some_and(|deadline| deadline < until))
                {
                    let refusal = Refusal::Paused {
                        retry_after: pause::left(until),
                    };
                    self.counters.refused(refusal);
                    return Decision::Refuse(refusal);
                }
                if full {
                    self.counters.refused(Refusal::QueueFull);
                    return Decision::Refuse(Refusal::QueueFull);
                }
            }
            let next = if take {
                state.wrapping_add(TAKE)
            } else {
                state | SLOW
            };
            match self
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if take => {
                    self.admitted(state);
                    if self.pacer.is_on() && !self.paced() {
                        no_slot = true;
                        state = self.state.load(Ordering::Acquire);
                        continue;
                    }
                    return Decision::Take;
                }
                Ok(_) => return Decision::Queue,
                Err(actual) => state = actual,
            }
        }
    }

    /// Load shedding without the lock, for a gate with `queue = 0` that has no permit free:
    /// refuses (and counts) the caller when the `SLOW` bit is clear, since then nobody waits,
    /// nothing is owed and no pause is in force, so the lock would refuse it too. Returns
    /// whether it did.
    #[inline]
    fn shed(&self) -> bool {
        let state = self.state.load(Ordering::Acquire);
        let refused = state & SLOW == 0 && state & FREE < ONE;
        if refused {
            self.counters.refused(Refusal::QueueFull);
        }
        refused
    }

    /// An `Acquire` that waited is dropped: it leaves the line, or, if it was granted a permit
    /// that it never returned, passes the permit on.
    #[cold]
    fn leave(&self, waiter: &Waiter) {
        let mut wakers = WakeList::new();
        let mut list = self.lock();
        if waiter.is_granted() {
            drop(list);
            self.release();
            return;
        }
        let was_head = list.is_head(waiter);
        // SAFETY: not granted, and grants are only made under the lock we hold, so it is still
        // in this gate's list.
        unsafe { list.remove(NonNull::from(waiter)) };
        let old = waiter.take_waker(&mut list);
        if was_head
            && (list.pause.is_set() || list.slot_due.is_some())
            && let Some(next) = list.head_waker()
        {
            // The timer that ends the pause left with the head: the next one starts its own.
            wakers.push(next);
        }
        let more = self.dispatch(&mut list, &mut wakers);
        drop(list);
        wakers.wake_all();
        drop(old);
        if more {
            self.hand_over();
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &(self.phase == Phase::Waiting))
            .finish()
    }
}

// The tests driven by hand build gates in `static`s, which `cfg(loom)` builds cannot; those
// builds run the loom models instead.
#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;
