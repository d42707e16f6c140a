//! The gate driven by hand: the wait list's links through drops at every position, grants, and
//! wakers that come back to the gate. These run under Miri (Stacked and Tree Borrows).

use super::wait::WAKE_BATCH;
use super::*;
use std::sync::Arc;
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
    semaphore.state.fetch_add(permits(COUNT), Ordering::AcqRel);
    semaphore.hand_over();

    assert_eq!(count.0.load(Ordering::SeqCst), COUNT);
    assert_eq!(semaphore.waiting(), 0);
    assert_eq!(semaphore.state.load(Ordering::SeqCst) & SLOW, 0);
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

/// Polls `acquire` once with `waker`.
fn poll<'a>(acquire: Pin<&mut Acquire<'a>>, waker: &Waker) -> Poll<Permit<'a>> {
    acquire.poll(&mut Context::from_waker(waker))
}

/// `n` pinned acquires of `gate`, each polled once (all pending).
fn waiting<'a>(gate: &'a Gate, n: usize, waker: &Waker) -> Vec<Pin<Box<Acquire<'a>>>> {
    (0..n)
        .map(|_| {
            let mut acquire = Box::pin(gate.acquire());
            assert!(poll(acquire.as_mut(), waker).is_pending());
            acquire
        })
        .collect()
}

/// Releases the one permit of `gate` that `held` holds and returns the index of the waiter that
/// got it, polling each in turn: exactly one of them must be ready.
fn next_in(
    waiters: &mut [Option<Pin<Box<Acquire<'_>>>>],
    held: Permit<'_>,
    waker: &Waker,
) -> usize {
    drop(held);
    let mut ready = Vec::new();
    for (i, waiter) in waiters.iter_mut().enumerate() {
        if let Some(acquire) = waiter
            && let Poll::Ready(permit) = poll(acquire.as_mut(), waker)
        {
            ready.push(i);
            std::mem::forget(permit);
        }
    }
    assert_eq!(
        ready.len(),
        1,
        "exactly one waiter gets the permit: {ready:?}"
    );
    ready[0]
}

#[test]
fn waiters_dropped_at_the_head_in_the_middle_and_at_the_tail_leave_the_rest_in_order() {
    let gate = Gate::new(1);
    let waker = Waker::noop();
    let held = gate.try_acquire().unwrap();
    let mut waiters: Vec<_> = waiting(&gate, 7, waker).into_iter().map(Some).collect();
    assert_eq!(gate.waiting(), 7);

    // Head (0), middle (3), tail (6), then a neighbour of a removed one (4).
    for i in [0, 3, 6, 4] {
        waiters[i] = None;
    }
    assert_eq!(gate.waiting(), 3);

    // The rest enter in their order: 1, 2, 5. Each permit is forgotten by `next_in` and given
    // back by hand, so that the hand-over runs for each.
    let mut order = Vec::new();
    let mut held = held;
    for _ in 0..3 {
        let i = next_in(&mut waiters, held, waker);
        order.push(i);
        waiters[i] = None;
        held = Permit { gate: &gate };
    }
    assert_eq!(order, [1, 2, 5]);
    assert_eq!((gate.in_flight(), gate.waiting()), (1, 0));
    drop(held);
    assert_eq!(gate.in_flight(), 0);
    assert_eq!(gate.state.load(Ordering::SeqCst) & SLOW, 0, "nobody waits");
}

#[test]
fn dropping_the_only_waiter_empties_the_list() {
    let gate = Gate::new(1);
    let held = gate.try_acquire().unwrap();
    let only = waiting(&gate, 1, Waker::noop());
    drop(only);
    assert_eq!(gate.waiting(), 0);
    assert_eq!(gate.state.load(Ordering::SeqCst) & SLOW, 0);
    drop(held);
    assert!(
        gate.try_acquire().is_some(),
        "free for anyone once nobody waits"
    );
}

#[test]
fn a_waiter_granted_and_dropped_before_its_poll_passes_the_permit_on() {
    let gate = Gate::new(1);
    let waker = Waker::noop();
    let held = gate.try_acquire().unwrap();
    let mut line = waiting(&gate, 3, waker).into_iter();
    let (first, mut second, mut third) = (
        line.next().unwrap(),
        line.next().unwrap(),
        line.next().unwrap(),
    );

    drop(held);
    assert!(first.waiter.is_granted());
    assert_eq!((gate.in_flight(), gate.waiting()), (1, 2));
    drop(first);
    assert_eq!(
        (gate.in_flight(), gate.waiting()),
        (1, 1),
        "passed to the second"
    );
    assert!(poll(third.as_mut(), waker).is_pending());
    let Poll::Ready(permit) = poll(second.as_mut(), waker) else {
        panic!("the second in line was handed the permit");
    };
    drop(permit);
    assert!(poll(third.as_mut(), waker).is_ready());
    drop(third);
    assert_eq!((gate.in_flight(), gate.waiting()), (0, 0));
}

#[test]
fn a_waiter_repolled_with_another_waker_is_woken_through_the_new_one() {
    let gate = Gate::new(1);
    let held = gate.try_acquire().unwrap();
    let first = Arc::new(Count(AtomicUsize::new(0)));
    let second = Arc::new(Count(AtomicUsize::new(0)));
    let mut acquire = Box::pin(gate.acquire());
    assert!(poll(acquire.as_mut(), &Waker::from(Arc::clone(&first))).is_pending());
    assert!(poll(acquire.as_mut(), &Waker::from(Arc::clone(&second))).is_pending());
    assert_eq!(
        Arc::strong_count(&first),
        1,
        "the replaced waker was dropped"
    );

    drop(held);
    assert_eq!(first.0.load(Ordering::SeqCst), 0);
    assert_eq!(second.0.load(Ordering::SeqCst), 1);
    assert!(poll(acquire.as_mut(), Waker::noop()).is_ready());
}

/// A waker that owns a permit of the gate, and drops it when it is woken or dropped: waking it
/// comes back to the gate while the hand-over that woke it is under way.
struct PermitWaker {
    permit: std::sync::Mutex<Option<Permit<'static>>>,
    woken: AtomicUsize,
}

impl Wake for PermitWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.fetch_add(1, Ordering::SeqCst);
        drop(self.permit.lock().unwrap().take());
    }
}

#[test]
fn wakers_that_own_permits_pass_them_down_the_line() {
    static GATE: Gate = Gate::new(4);
    let held = GATE.try_acquire().unwrap();
    let wakers: Vec<_> = (0..3)
        .map(|_| {
            Arc::new(PermitWaker {
                permit: std::sync::Mutex::new(Some(GATE.try_acquire().unwrap())),
                woken: AtomicUsize::new(0),
            })
        })
        .collect();
    let mut line: Vec<_> = wakers
        .iter()
        .map(|waker| {
            let mut acquire = Box::pin(GATE.acquire());
            assert!(poll(acquire.as_mut(), &Waker::from(Arc::clone(waker))).is_pending());
            acquire
        })
        .collect();
    // A plain waiter behind them gets the last permit given back by a waker.
    let mut last = Box::pin(GATE.acquire());
    assert!(poll(last.as_mut(), Waker::noop()).is_pending());
    assert_eq!(GATE.waiting(), 4);

    drop(held);
    assert!(
        wakers
            .iter()
            .all(|waker| waker.woken.load(Ordering::SeqCst) == 1)
    );
    assert_eq!((GATE.in_flight(), GATE.waiting()), (4, 0));
    let permits: Vec<_> = line
        .iter_mut()
        .map(|acquire| poll(acquire.as_mut(), Waker::noop()))
        .chain([poll(last.as_mut(), Waker::noop())])
        .collect();
    assert!(permits.iter().all(Poll::is_ready));
    drop(permits);
    assert_eq!((GATE.in_flight(), GATE.waiting()), (0, 0));
}

#[test]
fn a_waiter_whose_dropped_waker_releases_a_permit_leaves_the_gate_whole() {
    // Leaving the line drops the waiter's waker, which gives back a permit of the same gate:
    // that happens after the lock is released, and the permit goes to the next in line.
    static GATE: Gate = Gate::new(2);
    let held = GATE.try_acquire().unwrap();
    let owner = Arc::new(PermitWaker {
        permit: std::sync::Mutex::new(Some(GATE.try_acquire().unwrap())),
        woken: AtomicUsize::new(0),
    });
    let mut leaving = Box::pin(GATE.acquire());
    assert!(poll(leaving.as_mut(), &Waker::from(owner)).is_pending());
    let mut next = Box::pin(GATE.acquire());
    assert!(poll(next.as_mut(), Waker::noop()).is_pending());
    assert_eq!((GATE.in_flight(), GATE.waiting()), (2, 2));
    drop(leaving);
    assert_eq!(GATE.waiting(), 0);
    assert!(
        poll(next.as_mut(), Waker::noop()).is_ready(),
        "the dropped waker's permit went to `next`"
    );
    drop(next);
    drop(held);
    assert_eq!(GATE.in_flight(), 0);
}

#[test]
fn many_waiters_dropped_in_a_scattered_order_leave_a_consistent_line() {
    const N: usize = 2 * WAKE_BATCH + 3;
    let gate = Gate::new(N);
    let waker = Waker::noop();
    let held: Vec<_> = (0..N).map(|_| gate.try_acquire().unwrap()).collect();
    let mut line: Vec<_> = waiting(&gate, 3 * N, waker).into_iter().map(Some).collect();
    // Every third waiter leaves, in a scattered order.
    for i in (0..3 * N).filter(|i| i % 3 == 1).rev() {
        line[i] = None;
    }
    assert_eq!(gate.waiting(), 2 * N);
    // All permits back: the first N of those left in line get them, in order.
    drop(held);
    let ready: Vec<usize> = line
        .iter_mut()
        .enumerate()
        .filter_map(|(i, acquire)| {
            let acquire = acquire.as_mut()?;
            match poll(acquire.as_mut(), waker) {
                Poll::Ready(permit) => {
                    std::mem::forget(permit);
                    Some(i)
                }
                Poll::Pending => None,
            }
        })
        .collect();
    let expected: Vec<usize> = (0..3 * N).filter(|i| i % 3 != 1).take(N).collect();
    assert_eq!(ready, expected);
    assert_eq!((gate.in_flight(), gate.waiting()), (N, N));
    // Dropping the rest, then returning the forgotten permits, leaves the gate empty and free.
    drop(line);
    assert_eq!(gate.waiting(), 0);
    gate.state.fetch_add(permits(N), Ordering::AcqRel);
    assert_eq!(gate.in_flight(), 0);
    assert!(gate.try_acquire().is_some());
}

/// Polls an `admit` once.
fn poll_admit<'a>(admit: Pin<&mut Admit<'a>>) -> Poll<Result<Permit<'a>, Refusal>> {
    admit.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn exactly_queue_callers_wait_and_the_next_is_refused() {
    let gate = Gate::new(1).with_queue(2);
    let held = gate.try_acquire().unwrap();
    let mut first = Box::pin(gate.admit());
    let mut second = Box::pin(gate.admit());
    assert!(poll_admit(first.as_mut()).is_pending());
    assert!(poll_admit(second.as_mut()).is_pending());
    assert_eq!(gate.waiting(), 2);

    let mut third = Box::pin(gate.admit());
    assert!(matches!(
        poll_admit(third.as_mut()),
        Poll::Ready(Err(Refusal::QueueFull))
    ));
    assert_eq!(gate.waiting(), 2, "the refused caller never queued");
    drop(third);

    // A place in line frees up when a waiter leaves.
    drop(first);
    let mut fourth = Box::pin(gate.admit());
    assert!(poll_admit(fourth.as_mut()).is_pending());
    assert_eq!(gate.waiting(), 2);

    // The line still moves in order.
    drop(held);
    assert!(poll_admit(fourth.as_mut()).is_pending());
    let Poll::Ready(Ok(permit)) = poll_admit(second.as_mut()) else {
        panic!("the first left in line was handed the permit");
    };
    drop(permit);
    assert!(matches!(poll_admit(fourth.as_mut()), Poll::Ready(Ok(_))));
    assert_eq!((gate.in_flight(), gate.waiting()), (0, 0));
}

#[test]
fn a_queue_of_0_admits_while_a_permit_is_free_and_refuses_otherwise() {
    let gate = Gate::new(2).with_queue(0);
    let mut admitted = Vec::new();
    for _ in 0..2 {
        let mut admit = Box::pin(gate.admit());
        let Poll::Ready(Ok(permit)) = poll_admit(admit.as_mut()) else {
            panic!("a free permit is taken");
        };
        admitted.push(permit);
    }
    let mut refused = Box::pin(gate.admit());
    assert!(matches!(
        poll_admit(refused.as_mut()),
        Poll::Ready(Err(Refusal::QueueFull))
    ));
    assert_eq!((gate.in_flight(), gate.waiting()), (2, 0));
    drop(admitted.pop());
    let mut again = Box::pin(gate.admit());
    assert!(matches!(poll_admit(again.as_mut()), Poll::Ready(Ok(_))));
}

#[test]
fn acquire_waits_whatever_the_queue_and_fills_it() {
    let gate = Gate::new(1).with_queue(1);
    let held = gate.try_acquire().unwrap();
    let mut plain = Box::pin(gate.acquire());
    assert!(poll(plain.as_mut(), Waker::noop()).is_pending());
    let mut over = Box::pin(gate.acquire());
    assert!(
        poll(over.as_mut(), Waker::noop()).is_pending(),
        "`acquire` cannot be refused, so it waits past the bound"
    );
    let mut refused = Box::pin(gate.admit());
    assert!(matches!(
        poll_admit(refused.as_mut()),
        Poll::Ready(Err(Refusal::QueueFull))
    ));
    drop((held, plain, over));
    assert_eq!((gate.in_flight(), gate.waiting()), (0, 0));
}

#[test]
fn raising_the_limit_admits_exactly_the_new_permits_in_order() {
    let gate = Gate::new(1).with_max(8);
    let waker = Waker::noop();
    let held = gate.try_acquire().unwrap();
    let mut line = waiting(&gate, 5, waker);

    gate.set_limit(4).unwrap();
    let ready: Vec<bool> = line
        .iter_mut()
        .map(|acquire| match poll(acquire.as_mut(), waker) {
            Poll::Ready(permit) => {
                std::mem::forget(permit);
                true
            }
            Poll::Pending => false,
        })
        .collect();
    assert_eq!(
        ready,
        [true, true, true, false, false],
        "three new permits, first in line first"
    );
    assert_eq!((gate.limit(), gate.in_flight(), gate.waiting()), (4, 4, 2));
    drop(line);
    drop(held);
    gate.state.fetch_add(permits(3), Ordering::AcqRel);
    assert_eq!((gate.in_flight(), gate.waiting()), (0, 0));
}

#[test]
fn lowering_the_limit_below_those_in_flight_admits_nobody_until_enough_finish() {
    let gate = Gate::new(4);
    let waker = Waker::noop();
    let mut held: Vec<_> = (0..4).map(|_| gate.try_acquire().unwrap()).collect();
    gate.set_limit(2).unwrap();
    assert_eq!(
        (gate.limit(), gate.in_flight()),
        (2, 4),
        "nothing is revoked"
    );
    let mut next = Box::pin(gate.acquire());
    assert!(poll(next.as_mut(), waker).is_pending());

    // The first two permits back pay the debt; the third goes to the waiter.
    held.pop();
    assert_eq!(gate.in_flight(), 3);
    assert!(gate.try_acquire().is_none());
    held.pop();
    assert_eq!(gate.in_flight(), 2);
    assert!(
        poll(next.as_mut(), waker).is_pending(),
        "2 in flight, limit 2"
    );
    held.pop();
    let Poll::Ready(permit) = poll(next.as_mut(), waker) else {
        panic!("1 in flight, limit 2: the waiter gets in");
    };
    assert_eq!(gate.in_flight(), 2);
    drop((permit, held));
    assert_eq!(gate.in_flight(), 0);
    let all: Vec<_> = std::iter::from_fn(|| gate.try_acquire()).collect();
    assert_eq!(all.len(), 2, "the new limit holds once the debt is paid");
}

#[test]
fn lowering_takes_free_permits_first_and_raising_cancels_debt() {
    let gate = Gate::new(6);
    let held: Vec<_> = (0..3).map(|_| gate.try_acquire().unwrap()).collect();
    // 3 free, cut 4: 3 taken, 1 owed.
    gate.set_limit(2).unwrap();
    assert_eq!(gate.debt.load(Ordering::SeqCst), 1);
    assert!(gate.try_acquire().is_none());
    // Raising by 2 cancels the debt of 1 and frees 1.
    gate.set_limit(4).unwrap();
    assert_eq!(gate.debt.load(Ordering::SeqCst), 0);
    let one = gate.try_acquire().expect("one free permit");
    assert!(gate.try_acquire().is_none());
    assert_eq!(gate.in_flight(), 4);
    drop((held, one));
    assert_eq!(gate.in_flight(), 0);
    let state = gate.state.load(Ordering::SeqCst);
    assert_eq!((free(state), state & SLOW), (4, 0), "4 free, nothing owed");
}

#[test]
fn a_limit_out_of_range_is_an_error_and_changes_nothing() {
    let gate = Gate::new(3).with_max(5);
    for bad in [0, 6, usize::MAX] {
        let error = gate.set_limit(bad).unwrap_err();
        assert_eq!((error.requested(), error.max()), (bad, 5));
    }
    assert_eq!(
        gate.set_limit(6).unwrap_err().to_string(),
        "cannot set the limit to 6: it must be between 1 and the gate's max, 5"
    );
    assert_eq!((gate.limit(), gate.in_flight()), (3, 0));
    gate.set_limit(5).unwrap();
    gate.set_limit(1).unwrap();
    assert_eq!(gate.limit(), 1);
}

#[test]
fn stats_count_admissions_on_every_path_refusals_and_waits() {
    let gate = Gate::new(2).with_max(4).with_queue(1);
    let waker = Waker::noop();
    // Two free permits taken (the fast path), one waiter (the slow path), one refused.
    let a = gate.try_acquire().unwrap();
    let mut b = Box::pin(gate.acquire());
    let Poll::Ready(b_permit) = poll(b.as_mut(), waker) else {
        panic!("a permit is free");
    };
    let mut waiter = Box::pin(gate.admit());
    assert!(poll_admit(waiter.as_mut()).is_pending());
    let mut refused = Box::pin(gate.admit());
    assert!(poll_admit(refused.as_mut()).is_ready());
    let stats = gate.stats();
    assert_eq!(
        (
            stats.admitted,
            stats.rejected.queue_full,
            stats.rejected.total()
        ),
        (2, 1, 1)
    );
    assert_eq!(
        (stats.in_flight, stats.waiting, stats.peak_in_flight),
        (2, 1, 2)
    );
    assert_eq!(stats.waits.count, 0);

    // Handed over: admitted, and a wait recorded once the waiter sees its permit.
    drop(a);
    assert_eq!(gate.stats().admitted, 3);
    assert_eq!(gate.stats().waits.count, 0);
    let Poll::Ready(Ok(c)) = poll_admit(waiter.as_mut()) else {
        panic!("handed the permit");
    };
    let stats = gate.stats();
    assert_eq!(stats.waits.count, 1);
    assert!(stats.waits.max <= stats.waits.total);

    // A raised limit raises the peak.
    gate.set_limit(4).unwrap();
    let more: Vec<_> = std::iter::from_fn(|| gate.try_acquire()).collect();
    assert_eq!(more.len(), 2);
    let stats = gate.stats();
    assert_eq!(
        (stats.limit, stats.max, stats.admitted, stats.peak_in_flight),
        (4, 4, 5, 4)
    );
    drop((b_permit, c, more));
    let stats = gate.stats();
    assert_eq!(
        (stats.in_flight, stats.peak_in_flight, stats.admitted),
        (0, 4, 5)
    );
}

#[test]
fn the_admission_count_carries_past_its_32_bits() {
    let gate = Gate::new(1);
    // Bring the state word's count to its top, as 2^32 - 1 admissions would.
    gate.state
        .fetch_add(u64::from(u32::MAX) * ADMIT, Ordering::SeqCst);
    assert_eq!(gate.stats().admitted, u64::from(u32::MAX));
    let permit = gate.try_acquire().unwrap();
    assert_eq!(gate.stats().admitted, 1 << 32, "wrapped and carried");
    assert_eq!(
        gate.in_flight(),
        1,
        "the free permits are untouched by the carry"
    );
    drop(permit);
    // The slow path carries too.
    let held = gate.try_acquire().unwrap();
    let mut next = Box::pin(gate.acquire());
    assert!(poll(next.as_mut(), Waker::noop()).is_pending());
    drop(held);
    assert!(poll(next.as_mut(), Waker::noop()).is_ready());
    assert_eq!(gate.stats().admitted, (1 << 32) + 2);
    assert_eq!(gate.in_flight(), 0);
}

/// What the uncontended call touches (the state word, the limit) sits on one cache line, and
/// neither the lock, nor the line's length, nor the counters that callers who waited write share
/// it (see the comment on `Gate`).
#[test]
fn the_state_word_has_its_cache_line_to_itself() {
    use std::mem::offset_of;
    const LINE: usize = 64;
    let line = |offset: usize| offset / LINE;
    let state = line(offset_of!(Gate, state));
    assert_eq!(state, line(offset_of!(Gate, limit)));
    for (field, offset) in [
        ("waiters", offset_of!(Gate, waiters)),
        ("waiting", offset_of!(Gate, waiting)),
        ("debt", offset_of!(Gate, debt)),
        ("entry", offset_of!(Gate, entry)),
        ("counters", offset_of!(Gate, counters)),
    ] {
        assert_ne!(line(offset), state, "{field} shares the state word's line");
    }
    assert_eq!(offset_of!(Gate, counters) % LINE, 0);
    assert_eq!(std::mem::align_of::<Gate>(), LINE);
}
