//! Waiting at a gate allocates nothing: each waiter lives in its own (pinned) `Acquire` future,
//! linked into the gate's list in place, and is handed its permit without an allocation.
//!
//! A counting global allocator (`tests/common/counting.rs`) in its own test binary.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bounded_async::Gate;

#[path = "common/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

use counting::allocations;

#[test]
fn waiting_queueing_leaving_and_being_handed_a_permit_allocate_nothing() {
    static GATE: Gate = Gate::new(1).with_queue(8);
    let mut cx = Context::from_waker(Waker::noop());
    // The lock's and the clock's first use, outside the count.
    let warm = GATE.try_acquire().unwrap();
    {
        let mut warm_up = pin!(GATE.acquire());
        assert!(warm_up.as_mut().poll(&mut cx).is_pending());
    }
    // Boxed (before counting) so that it can be dropped in the middle of the line.
    let mut leaving = Box::pin(GATE.acquire());
    let before = allocations();

    let mut first = pin!(GATE.acquire());
    let mut second = pin!(GATE.admit());
    let mut third = pin!(GATE.acquire());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    assert!(second.as_mut().poll(&mut cx).is_pending());
    assert!(leaving.as_mut().poll(&mut cx).is_pending());
    assert!(third.as_mut().poll(&mut cx).is_pending());
    assert_eq!(GATE.waiting(), 4);
    drop(leaving);

    // Each permit is handed down the line.
    drop(warm);
    let Poll::Ready(permit) = first.as_mut().poll(&mut cx) else {
        panic!("first in line");
    };
    drop(permit);
    let Poll::Ready(Ok(permit)) = second.as_mut().poll(&mut cx) else {
        panic!("second in line");
    };
    drop(permit);
    let Poll::Ready(permit) = third.as_mut().poll(&mut cx) else {
        panic!("third in line");
    };
    drop(permit);

    assert_eq!(allocations() - before, 0, "allocations while waiting");
    let stats = GATE.stats();
    assert_eq!(
        (stats.waits.count, stats.in_flight, stats.waiting),
        (3, 0, 0)
    );
}

#[test]
fn a_refusal_allocates_nothing() {
    static SHEDDING: Gate = Gate::new(1).with_queue(0);
    let mut cx = Context::from_waker(Waker::noop());
    let held = SHEDDING.try_acquire().unwrap();
    {
        let mut warm_up = pin!(SHEDDING.admit());
        assert!(warm_up.as_mut().poll(&mut cx).is_ready());
    }
    let before = allocations();
    for _ in 0..10 {
        let mut refused = pin!(SHEDDING.admit());
        assert!(matches!(
            refused.as_mut().poll(&mut cx),
            Poll::Ready(Err(_))
        ));
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(SHEDDING.stats().rejected.queue_full, 11);
    drop(held);
}
