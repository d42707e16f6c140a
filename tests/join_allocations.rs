//! The join allocates per slot, never per item: the number of allocations for a large join does
//! not depend on how many items it runs, the output `Vec` aside. That one is reserved up front
//! for at most 1024 outputs (a size hint is never trusted for more), then grows by doubling, so
//! it costs a number of reallocations logarithmic in the number of items.
//!
//! A counting global allocator in its own test binary; counts are per thread, so tests running
//! in parallel do not disturb each other.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bounded_async::join_bounded;
use futures::executor::block_on;

#[path = "common/counting.rs"]
mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Allocations made on this thread while `f` runs, with what it returned. The executor's
/// one-time thread-local set-up is done first, so that it is not counted.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    block_on(async {});
    let before = counting::allocations();
    let value = f();
    (counting::allocations() - before, value)
}

/// Returns `Pending` `times` times, waking itself each time, so every slot's waker is used.
struct YieldTimes {
    times: u32,
    value: u64,
}

impl Future for YieldTimes {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.times == 0 {
            return Poll::Ready(self.value);
        }
        self.times -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

const LIMIT: usize = 64;

/// The most outputs a join reserves before any arrives.
const RESERVED: usize = 1024;

/// An upper bound on the (re)allocations of the outputs of a join of `n` items: the outputs and
/// their arrival bits, each allocated once and then doubled until they hold `n`.
fn output_allocations(n: usize) -> usize {
    let doublings = n.div_ceil(RESERVED).next_power_of_two().trailing_zeros() as usize;
    2 * (1 + doublings)
}

fn join_ready(n: u64) -> Vec<u64> {
    block_on(async { join_bounded!(limit = LIMIT; for i in 0..n => async move { i }) })
}

fn join_yielding(n: u64) -> Vec<u64> {
    block_on(async {
        join_bounded!(limit = LIMIT; for i in 0..n => YieldTimes { times: 2, value: i })
    })
}

fn settled_yielding(n: u64) -> usize {
    block_on(async {
        let settled = join_bounded!(limit = LIMIT, strategy = "settled"; for i in 0..n =>
            async move { Ok::<_, ()>(YieldTimes { times: 2, value: i }.await) });
        settled.success_count()
    })
}

// Ready futures finish on their first poll, so a slot is refilled in place until the poll
// budget makes the join yield; the next poll starts a fresh slot. Once every slot has been used
// (a few thousand items at this limit), nothing more is allocated.
#[test]
fn ready_futures_allocate_independently_of_n() {
    let (small, outputs) = allocations(|| join_ready(100_000));
    assert_eq!(outputs.len(), 100_000);
    let (large, outputs) = allocations(|| join_ready(1_000_000));
    assert!(outputs.iter().copied().eq(0..1_000_000));
    assert!(
        large - small <= output_allocations(1_000_000) - output_allocations(100_000),
        "allocations grew with the number of items beyond the outputs' doubling: {small}, then {large}"
    );
    assert!(
        large <= LIMIT + 16 + output_allocations(1_000_000),
        "{large} allocations for a join with {LIMIT} slots"
    );
}

#[test]
fn yielding_futures_allocate_per_slot_not_per_item() {
    let (small, _) = allocations(|| join_yielding(1_000));
    let (large, outputs) = allocations(|| join_yielding(200_000));
    assert!(outputs.iter().copied().eq(0..200_000));
    assert!(
        large - small <= output_allocations(200_000) - output_allocations(1_000),
        "allocations grew with the number of items beyond the outputs' doubling: {small}, then {large}"
    );
    // One waker per slot, one chunk of slots, the outputs and a little bookkeeping.
    assert!(
        large <= LIMIT + 16 + output_allocations(200_000),
        "{large} allocations for a join with {LIMIT} slots"
    );
}

#[test]
fn settled_allocates_independently_of_n() {
    let (small, ok) = allocations(|| settled_yielding(1_000));
    assert_eq!(ok, 1_000);
    let (large, ok) = allocations(|| settled_yielding(200_000));
    assert_eq!(ok, 200_000);
    assert!(
        large - small <= output_allocations(200_000) - output_allocations(1_000),
        "allocations grew with the number of items beyond the outputs' doubling: {small}, then {large}"
    );
}

#[test]
fn the_outputs_are_not_reserved_from_a_huge_size_hint() {
    // Polled once (a budget's worth of ready items) and dropped: a few allocations, none of
    // them for the 2^40 outputs the size hint announces (which would abort the test).
    let (count, ()) = allocations(|| {
        let mut join =
            Box::pin(join_bounded(LIMIT, (0_u64..1 << 40).map(|i| async move { i })).join());
        let poll = join
            .as_mut()
            .poll(&mut Context::from_waker(std::task::Waker::noop()));
        assert!(poll.is_pending());
    });
    assert!(count <= LIMIT + 16, "{count} allocations");
}

#[test]
fn a_large_limit_over_a_short_input_allocates_for_the_input_only() {
    let (count, outputs) = allocations(|| {
        block_on(async {
            join_bounded!(limit = 1_000_000; for i in 0..3_u64 => YieldTimes { times: 1, value: i })
        })
    });
    assert_eq!(outputs, [0, 1, 2]);
    assert!(count <= 16, "{count} allocations for three futures");
}

/// Sums a stream's outputs as they come, as a pipeline would, keeping none of them.
fn consume(outputs: impl futures::Stream<Item = u64>) -> u64 {
    use futures::StreamExt;
    block_on(outputs.fold(0, |sum, output| async move { sum + output }))
}

// A stream keeps no outputs of its own: beyond its slots, a window of `limit + 1` outputs in
// input order, or `limit` as they finish, allocated once. The allocations do not grow with n.
#[test]
fn streams_allocate_independently_of_n() {
    use bounded_async::stream_bounded;
    use futures::stream;

    let in_order = |n: u64| {
        consume(stream_bounded!(limit = LIMIT; for i in 0..n => YieldTimes { times: 2, value: i }))
    };
    let as_finished = |n: u64| {
        consume(stream_bounded!(limit = LIMIT, order = "completion";
            for i in 0..n => YieldTimes { times: 2, value: i }))
    };
    let from_a_stream = |n: u64| {
        consume(stream_bounded!(limit = LIMIT;
            for await i in stream::iter(0..n) => YieldTimes { times: 2, value: i }))
    };
    for (order, run) in [
        ("input", &in_order as &dyn Fn(u64) -> u64),
        ("completion", &as_finished),
        ("for await", &from_a_stream),
    ] {
        let (small, sum) = allocations(|| run(1_000));
        assert_eq!(sum, 1_000 * 999 / 2);
        let (large, sum) = allocations(|| run(200_000));
        assert_eq!(sum, 200_000 * 199_999 / 2);
        assert_eq!(
            small, large,
            "{order}: allocations grew with the number of items"
        );
        assert!(
            large <= LIMIT + 16,
            "{order}: {large} allocations for {LIMIT} slots"
        );
    }
}
