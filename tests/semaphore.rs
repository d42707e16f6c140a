//! The semaphore behind `#[bounded]` and `pool!`, driven by hand: a permit handed to a waiter
//! whose waker owns another permit of the same semaphore, so that waking it releases a permit
//! while the hand-over is still under way.
//!
//! Every test runs under a hang guard: a regression deadlocks, and must fail rather than hang.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use bounded_async::{Permit, Semaphore};
use common::no_hang;

/// A waker that owns a permit of `semaphore` and drops it when woken, as a task holding a permit
/// does when waking it drops the task's last handle. It also records how many callers the
/// semaphore said were waiting at that moment.
struct PermitWaker {
    semaphore: &'static Semaphore,
    permit: Mutex<Option<Permit<'static>>>,
    woken: AtomicBool,
    waiting_when_woken: AtomicUsize,
}

impl PermitWaker {
    fn new(semaphore: &'static Semaphore, permit: Option<Permit<'static>>) -> Arc<Self> {
        Arc::new(PermitWaker {
            semaphore,
            permit: Mutex::new(permit),
            woken: AtomicBool::new(false),
            waiting_when_woken: AtomicUsize::new(usize::MAX),
        })
    }

    fn woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

impl Wake for PermitWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.waiting_when_woken
            .store(self.semaphore.waiting(), Ordering::SeqCst);
        self.woken.store(true, Ordering::SeqCst);
        let permit = self.permit.lock().unwrap().take();
        // Releases a permit of the semaphore that is waking us.
        drop(permit);
    }
}

/// Polls `future` once with `waker`.
fn poll_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Arc<PermitWaker>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(&Waker::from(Arc::clone(waker))))
}

#[test]
fn a_waker_that_releases_a_permit_when_woken_does_not_deadlock() {
    static SEMAPHORE: Semaphore = Semaphore::new(2);
    no_hang("a hand-over to a waker that owns a permit", || {
        let held = SEMAPHORE.try_acquire().unwrap();
        let owned = SEMAPHORE.try_acquire().unwrap();
        let waker = PermitWaker::new(&SEMAPHORE, Some(owned));
        let mut acquire = Box::pin(SEMAPHORE.acquire());
        assert!(poll_with(acquire.as_mut(), &waker).is_pending());
        assert_eq!(SEMAPHORE.waiting(), 1);

        // The waiter is granted `held`'s permit, and waking it gives back the owned one.
        drop(held);
        assert!(waker.woken());
        assert_eq!(
            waker.waiting_when_woken.load(Ordering::SeqCst),
            0,
            "the wait list was up to date when the waiter was woken"
        );
        assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (1, 0));
        let Poll::Ready(permit) = poll_with(acquire.as_mut(), &waker) else {
            panic!("the woken waiter holds a permit");
        };
        drop(permit);
        assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (0, 0));
        // The semaphore is whole: both permits can be taken again.
        let both = (SEMAPHORE.try_acquire(), SEMAPHORE.try_acquire());
        assert!(both.0.is_some() && both.1.is_some());
    });
}

#[test]
fn the_permit_released_by_a_woken_waker_goes_to_the_next_in_line() {
    static SEMAPHORE: Semaphore = Semaphore::new(2);
    no_hang(
        "a hand-over that re-enters with another waiter in line",
        || {
            let held = SEMAPHORE.try_acquire().unwrap();
            let owned = SEMAPHORE.try_acquire().unwrap();
            let first_waker = PermitWaker::new(&SEMAPHORE, Some(owned));
            let second_waker = PermitWaker::new(&SEMAPHORE, None);
            let mut first = Box::pin(SEMAPHORE.acquire());
            let mut second = Box::pin(SEMAPHORE.acquire());
            assert!(poll_with(first.as_mut(), &first_waker).is_pending());
            assert!(poll_with(second.as_mut(), &second_waker).is_pending());
            assert_eq!(SEMAPHORE.waiting(), 2);

            // `held` goes to the first waiter; waking it releases the owned permit, which goes to
            // the second.
            drop(held);
            assert!(first_waker.woken() && second_waker.woken());
            assert_eq!(first_waker.waiting_when_woken.load(Ordering::SeqCst), 1);
            assert_eq!(second_waker.waiting_when_woken.load(Ordering::SeqCst), 0);
            assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (2, 0));
            let first = poll_with(first.as_mut(), &first_waker);
            let second = poll_with(second.as_mut(), &second_waker);
            assert!(first.is_ready() && second.is_ready());
            drop((first, second));
            assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (0, 0));
        },
    );
}

#[test]
fn a_chain_of_wakers_that_each_release_a_permit_does_not_deadlock() {
    // More waiters than the hand-over gathers wakers at once, each releasing the permit that
    // lets the next one in.
    const WAITERS: usize = 40;
    static SEMAPHORE: Semaphore = Semaphore::new(WAITERS + 1);
    no_hang("a chain of hand-overs", || {
        let held = SEMAPHORE.try_acquire().unwrap();
        let wakers: Vec<_> = (0..WAITERS)
            .map(|_| PermitWaker::new(&SEMAPHORE, Some(SEMAPHORE.try_acquire().unwrap())))
            .collect();
        let mut waiting: Vec<_> = wakers
            .iter()
            .map(|waker| {
                let mut acquire = Box::pin(SEMAPHORE.acquire());
                assert!(poll_with(acquire.as_mut(), waker).is_pending());
                acquire
            })
            .collect();
        assert_eq!(SEMAPHORE.waiting(), WAITERS);

        drop(held);
        assert!(wakers.iter().all(|waker| waker.woken()));
        assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (WAITERS, 0));
        let permits: Vec<_> = waiting
            .iter_mut()
            .zip(&wakers)
            .map(
                |(acquire, waker)| match poll_with(acquire.as_mut(), waker) {
                    Poll::Ready(permit) => permit,
                    Poll::Pending => panic!("every waiter was granted a permit"),
                },
            )
            .collect();
        drop(permits);
        assert_eq!((SEMAPHORE.in_flight(), SEMAPHORE.waiting()), (0, 0));
    });
}
