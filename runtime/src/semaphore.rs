//! A semaphore that can live in a `static`: built in a const context, lock-free when a permit is
//! free and nobody waits, first come first served otherwise.
//!
//! The state is one word: the free permits, shifted left by one, and a bit that says whether
//! anyone waits. While nobody waits, acquiring is a compare-exchange on that word and releasing
//! an add. Once someone waits, new callers queue behind them (no barging), and each released
//! permit is handed to the first waiter under the lock, so waiters enter in the order they
//! arrived.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;

/// The most permits a [`Semaphore`] can hold.
pub const MAX_PERMITS: usize = usize::MAX >> 1;

/// Set in the state word while the wait list is not empty.
const WAITERS: usize = 1;
/// One permit, in the state word.
const ONE: usize = 2;

/// A counting semaphore for `static`s: [`Semaphore::new`] is a `const fn` that allocates
/// nothing.
///
/// This is what `#[bounded(limit = N)]` declares for each annotated function, and what a
/// [`Pool`](crate::Pool) holds.
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
pub struct Semaphore {
    /// `free permits << 1 | WAITERS`.
    state: AtomicUsize,
    capacity: usize,
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
    /// The wait list's length, readable without the lock.
    waiting: AtomicUsize,
}

/// How many granted waiters [`Semaphore::hand_over`] gathers before it unlocks to wake them.
const WAKE_BATCH: usize = 32;

/// Granted waiters to wake once the wait list is unlocked: a fixed array, so gathering them
/// allocates nothing (as tokio's `WakeList` does).
///
/// It holds the waiters rather than their wakers, so that taking each waker, waking it and
/// dropping it (all of them calls into other code, which may panic or come back to this
/// semaphore) happen after the lock is released.
struct WakeList {
    waiters: [Option<Arc<Waiter>>; WAKE_BATCH],
    len: usize,
}

impl WakeList {
    fn new() -> Self {
        WakeList {
            waiters: [const { None }; WAKE_BATCH],
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len == WAKE_BATCH
    }

    /// Adds `waiter`; the list is not full.
    fn push(&mut self, waiter: Arc<Waiter>) {
        debug_assert!(!self.is_full());
        self.waiters[self.len] = Some(waiter);
        self.len += 1;
    }

    /// Wakes every waiter gathered, leaving the list empty. Called without the lock.
    fn wake_all(&mut self) {
        // Each is taken before it is woken, so a panicking wake leaves the rest to `drop`.
        for waiter in &mut self.waiters[..self.len] {
            if let Some(waiter) = waiter.take()
                && let Some(waker) = waiter.waker.take()
            {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Drop for WakeList {
    /// Wakes the waiters left when one woken before them panicked: each was granted a permit,
    /// which its task must come and take.
    fn drop(&mut self) {
        self.wake_all();
    }
}

/// One caller waiting for a permit.
struct Waiter {
    state: AtomicU8,
    waker: AtomicWaker,
}

const WAITING: u8 = 0;
const GRANTED: u8 = 1;
const CANCELLED: u8 = 2;

impl Semaphore {
    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// When `permits` is 0 (nothing could ever acquire it) or above [`MAX_PERMITS`]; in a
    /// `static`, that is a compile error.
    pub const fn new(permits: usize) -> Self {
        assert!(permits > 0, "a semaphore needs at least 1 permit");
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most MAX_PERMITS permits"
        );
        Semaphore {
            state: AtomicUsize::new(permits << 1),
            capacity: permits,
            waiters: Mutex::new(VecDeque::new()),
            waiting: AtomicUsize::new(0),
        }
    }

    /// How many permits it was created with.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many permits are held right now.
    pub fn in_flight(&self) -> usize {
        self.capacity - (self.state.load(Ordering::Acquire) >> 1)
    }

    /// How many callers are waiting for a permit right now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// Takes a permit if one is free and nobody is waiting for one.
    #[inline]
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut state = self.state.load(Ordering::Acquire);
        // Nobody waits and a permit is free: `state` is at least `ONE` with the bit clear.
        while state & WAITERS == 0 && state >= ONE {
            match self.state.compare_exchange_weak(
                state,
                state - ONE,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(Permit { semaphore: self }),
                Err(actual) => state = actual,
            }
        }
        None
    }

    /// Waits for a permit, first come first served. Dropping the future gives up its place in
    /// line (or the permit, if it was just granted).
    #[inline]
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: Some(self),
            waiter: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Arc<Waiter>>> {
        // Nothing under the lock calls into other code: no waker is woken or dropped there (see
        // `hand_over` and `cancel`), so nothing can panic while it is held. A poisoned list
        // would still be well-formed, so poisoning is not passed on.
        self.waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a permit or joins the wait list, deciding under the lock so that a release cannot
    /// slip between the check and the enqueue.
    fn acquire_or_wait(&self, waiter: &Arc<Waiter>) -> bool {
        let mut waiters = self.lock();
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let next = if state & WAITERS == 0 && state >= ONE {
                state - ONE
            } else {
                // Either nobody waits and no permit is free, or others already wait.
                state | WAITERS
            };
            match self
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if next & WAITERS == 0 => return true,
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        waiters.push_back(Arc::clone(waiter));
        self.waiting.store(waiters.len(), Ordering::Release);
        // A permit released while others waited, before we queued, is handed over now.
        let free = self.state.load(Ordering::Acquire) >= ONE;
        drop(waiters);
        if free {
            self.hand_over();
        }
        false
    }

    /// Gives a permit back: to the free count, and from there to the first waiter if any.
    #[inline]
    fn release(&self) {
        let previous = self.state.fetch_add(ONE, Ordering::AcqRel);
        if previous & WAITERS != 0 {
            self.hand_over();
        }
    }

    /// Hands free permits to waiters, in order, under the lock. While anyone waits, new callers
    /// queue instead of taking a free permit, so the permit just released goes to the first in
    /// line rather than to whoever asks next.
    ///
    /// The granted waiters' wakers are taken and woken only after the lock is released (and
    /// after the `WAITERS` bit and the `waiting` count are brought up to date): waking a waker can
    /// drop the last owner of a permit of this very semaphore, whose release comes back here, and
    /// a granted waiter's last `Arc` (with a waker registered since) may be the one held here.
    /// They are gathered in a fixed array on the stack, [`WAKE_BATCH`] at a time, so this path
    /// never allocates.
    #[cold]
    fn hand_over(&self) {
        let mut wakers = WakeList::new();
        loop {
            let mut waiters = self.lock();
            let mut state = self.state.load(Ordering::Acquire);
            while state >= ONE && !wakers.is_full() {
                let Some(waiter) = waiters.pop_front() else {
                    break;
                };
                if waiter
                    .state
                    .compare_exchange(WAITING, GRANTED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // It gave up; `cancel` finds it gone from the list. Its `Acquire` holds
                    // another `Arc` until `cancel` has run, which needs this lock, so dropping
                    // this one drops no waker.
                    continue;
                }
                state = self.state.fetch_sub(ONE, Ordering::AcqRel) - ONE;
                wakers.push(waiter);
            }
            if waiters.is_empty() {
                self.state.fetch_and(!WAITERS, Ordering::AcqRel);
            }
            self.waiting.store(waiters.len(), Ordering::Release);
            // Only a full batch can leave both free permits and waiters behind.
            let more = wakers.is_full() && state >= ONE && !waiters.is_empty();
            drop(waiters);
            wakers.wake_all();
            if !more {
                return;
            }
        }
    }

    /// Removes a waiter that gave up before it was granted a permit. The caller holds an `Arc`
    /// of it, so the one removed from the list is not the last, and no waker is dropped under
    /// the lock.
    fn cancel(&self, waiter: &Arc<Waiter>) {
        let mut waiters = self.lock();
        waiters.retain(|queued| !Arc::ptr_eq(queued, waiter));
        if waiters.is_empty() {
            self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        }
        self.waiting.store(waiters.len(), Ordering::Release);
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("capacity", &self.capacity)
            .field("in_flight", &self.in_flight())
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// A held permit; dropping it gives the permit back (to the first waiter, if any).
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for Permit<'_> {
    #[inline]
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

impl fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// The future of [`Semaphore::acquire`].
///
/// # Panics
///
/// When polled again after it returned its permit: a second permit would be taken for one
/// `acquire` call.
#[must_use = "a permit is only acquired when the future is awaited"]
pub struct Acquire<'a> {
    /// `None` once the permit has been returned.
    semaphore: Option<&'a Semaphore>,
    /// Our place in line, once we had to wait.
    waiter: Option<Arc<Waiter>>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let Some(semaphore) = self.semaphore else {
            panic!("`Acquire` polled after it returned its permit");
        };
        if self.waiter.is_none()
            && let Some(permit) = semaphore.try_acquire()
        {
            self.semaphore = None;
            return Poll::Ready(permit);
        }
        let poll = self.poll_waiting(semaphore, cx);
        if poll.is_ready() {
            self.semaphore = None;
        }
        poll
    }
}

impl<'a> Acquire<'a> {
    /// No permit was free, or others wait: join the line, or check whether our turn came.
    #[cold]
    fn poll_waiting(&mut self, semaphore: &'a Semaphore, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let waiter = match &self.waiter {
            Some(waiter) => waiter,
            None => {
                let waiter = Arc::new(Waiter {
                    state: AtomicU8::new(WAITING),
                    waker: AtomicWaker::new(),
                });
                waiter.waker.register(cx.waker());
                if semaphore.acquire_or_wait(&waiter) {
                    return Poll::Ready(Permit { semaphore });
                }
                self.waiter.insert(waiter)
            }
        };
        waiter.waker.register(cx.waker());
        // Checked after registering, so a grant between the two still wakes us.
        if waiter.state.load(Ordering::Acquire) == GRANTED {
            self.waiter = None;
            Poll::Ready(Permit { semaphore })
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        // A waiter is kept only while the permit has not been returned.
        let (Some(waiter), Some(semaphore)) = (self.waiter.take(), self.semaphore) else {
            return;
        };
        match waiter
            .state
            .compare_exchange(WAITING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => semaphore.cancel(&waiter),
            // Granted after our last poll: the permit is ours, so pass it on.
            Err(_) => semaphore.release(),
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Wake, Waker};

    /// Counts its wakes.
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_hand_over_of_more_permits_than_one_batch_wakes_every_waiter() {
        // Permits released at once by many threads are handed over by one call, which wakes
        // its waiters a batch at a time, unlocking in between.
        const COUNT: usize = 3 * WAKE_BATCH + 5;
        let semaphore = Semaphore::new(COUNT);
        let held: Vec<_> = (0..COUNT)
            .map(|_| semaphore.try_acquire().unwrap())
            .collect();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        let mut waiting: Vec<_> = (0..COUNT)
            .map(|_| {
                let mut acquire = Box::pin(semaphore.acquire());
                let poll = acquire.as_mut().poll(&mut Context::from_waker(&waker));
                assert!(poll.is_pending());
                acquire
            })
            .collect();
        assert_eq!(semaphore.waiting(), COUNT);

        // Every permit back at once, without a hand-over each, then one hand-over for all.
        for permit in held {
            std::mem::forget(permit);
        }
        semaphore.state.fetch_add(COUNT * ONE, Ordering::AcqRel);
        semaphore.hand_over();

        assert_eq!(count.0.load(Ordering::SeqCst), COUNT);
        assert_eq!(semaphore.waiting(), 0);
        assert_eq!(semaphore.state.load(Ordering::SeqCst) & WAITERS, 0);
        assert_eq!(semaphore.in_flight(), COUNT);
        let permits: Vec<_> = waiting
            .iter_mut()
            .map(|acquire| acquire.as_mut().poll(&mut Context::from_waker(&waker)))
            .collect();
        assert!(permits.iter().all(Poll::is_ready));
        drop(permits);
        assert_eq!(semaphore.in_flight(), 0);
    }

    /// Polls `acquire` once more after it returned its permit, and returns the panic message.
    fn poll_again(acquire: &mut Pin<Box<Acquire<'_>>>, waker: &Waker) -> String {
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = acquire.as_mut().poll(&mut Context::from_waker(waker));
        }));
        let payload = again.expect_err("a second poll panics");
        payload
            .downcast_ref::<&str>()
            .expect("a string message")
            .to_string()
    }

    #[test]
    fn an_acquire_polled_after_it_returned_its_permit_panics_and_takes_nothing() {
        let semaphore = Semaphore::new(3);
        let waker = Waker::from(Arc::new(Count(AtomicUsize::new(0))));

        // A permit that was free.
        let mut free = Box::pin(semaphore.acquire());
        let permit = free.as_mut().poll(&mut Context::from_waker(&waker));
        assert!(permit.is_ready());
        assert_eq!(
            poll_again(&mut free, &waker),
            "`Acquire` polled after it returned its permit"
        );
        assert_eq!(semaphore.in_flight(), 1, "no second permit was taken");

        // A permit handed over after a wait.
        let held = semaphore.try_acquire().unwrap();
        let other = semaphore.try_acquire().unwrap();
        let mut waited = Box::pin(semaphore.acquire());
        assert!(
            waited
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(held);
        let handed = waited.as_mut().poll(&mut Context::from_waker(&waker));
        assert!(handed.is_ready());
        assert_eq!(
            poll_again(&mut waited, &waker),
            "`Acquire` polled after it returned its permit"
        );
        assert_eq!(semaphore.in_flight(), 3, "no second permit was taken");

        // Dropping the finished futures gives nothing back that they do not hold.
        drop((free, waited));
        assert_eq!(semaphore.in_flight(), 3);
        drop((permit, handed, other));
        assert_eq!(semaphore.in_flight(), 0);
    }
}
