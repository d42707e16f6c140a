//! Inputs the join cannot hold in memory: infinite iterators, huge ranges, and size hints that
//! overstate (or understate) the input's length. The join reserves only a small, bounded amount
//! from a size hint, so "all", "any" and "race" finish on infinite inputs, and no strategy panics
//! or aborts on a huge range before it has pulled anything.

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::Ordering;

use bounded_async::join_bounded;
use common::{CountingIter, Gauge, drive, poll_once, tracked, yield_times};

/// Yields the items of `inner`, but reports `hint` as its size hint, as an iterator with a wrong
/// (or merely pessimistic) hint may.
struct Hinted<I> {
    inner: I,
    hint: (usize, Option<usize>),
}

impl<I: Iterator> Iterator for Hinted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.hint
    }
}

fn hinted<I: IntoIterator>(inner: I, hint: (usize, Option<usize>)) -> Hinted<I::IntoIter> {
    Hinted {
        inner: inner.into_iter(),
        hint,
    }
}

/// Hints that overstate, understate or contradict the length of a 100-item input.
const WRONG_HINTS: [(usize, Option<usize>); 5] = [
    (usize::MAX, None),
    (usize::MAX, Some(usize::MAX)),
    (1 << 40, Some(1 << 40)),
    (0, Some(0)),
    (usize::MAX, Some(0)),
];

#[test]
fn all_returns_the_first_err_of_an_infinite_input() {
    // The size hint of `(0..).map(..)` is `(usize::MAX, None)`.
    let (futures, pulled) =
        CountingIter::new((0_u64..).map(|i| async move { if i < 3 { Ok(i) } else { Err(i) } }));
    assert_eq!(futures.size_hint(), (usize::MAX, None));
    let result = drive(join_bounded(4, futures).all());
    assert_eq!(result, Err(3));
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        4,
        "nothing pulled after the `Err`"
    );
}

#[test]
fn all_returns_the_first_err_of_an_infinite_input_of_waiting_futures() {
    let alive = Gauge::new();
    let (futures, pulled) = CountingIter::new((0_u64..).map(|i| {
        tracked(&alive, async move {
            yield_times((i % 3) as usize).await;
            if i == 10 { Err(i) } else { Ok(i) }
        })
    }));
    let result = drive(join_bounded(4, futures).all());
    assert_eq!(result, Err(10));
    assert!(alive.max() <= 4, "{} futures alive at once", alive.max());
    assert_eq!(alive.current(), 0, "the futures in flight were dropped");
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(
        pulled < 20,
        "{pulled} items pulled for an `Err` at index 10"
    );
}

#[test]
fn all_over_a_huge_exact_range_stops_at_the_first_err() {
    // Exact, and far too large to reserve: 8 TiB of outputs.
    let futures = (0_u64..1 << 40).map(|i| async move { if i < 3 { Ok(i) } else { Err(i) } });
    assert_eq!(futures.size_hint(), (1 << 40, Some(1 << 40)));
    assert_eq!(drive(join_bounded(4, futures).all()), Err(3));

    let futures = (0..usize::MAX).map(|i| async move { if i < 3 { Ok(i) } else { Err(i) } });
    assert_eq!(drive(join_bounded(4, futures).all()), Err(3));
}

#[test]
fn any_returns_the_first_ok_of_an_infinite_input() {
    let (futures, pulled) =
        CountingIter::new((0_u64..).map(|i| async move { if i < 10 { Err(i) } else { Ok(i) } }));
    assert_eq!(drive(join_bounded(3, futures).any()), Ok(10));
    assert_eq!(pulled.load(Ordering::SeqCst), 11);

    let futures = (0_u64..).map(|i| async move {
        yield_times((i % 4) as usize).await;
        if i < 10 { Err(i) } else { Ok(i) }
    });
    let first = drive(join_bounded(3, futures).any()).expect("an `Ok` comes");
    assert!(first >= 10, "{first} returned `Err`");
}

#[test]
fn race_returns_the_first_output_of_an_infinite_input() {
    let (futures, pulled) = CountingIter::new((0_u64..).map(|i| async move { i }));
    assert_eq!(drive(join_bounded(4, futures).race()), Some(0));
    assert_eq!(pulled.load(Ordering::SeqCst), 1);

    let futures = (0_u64..).map(|i| async move {
        yield_times(if i == 2 { 0 } else { 3 }).await;
        i
    });
    assert_eq!(drive(join_bounded(3, futures).race()), Some(2));
}

#[test]
fn join_and_settled_over_huge_ranges_reserve_nothing_huge() {
    // The join cannot finish these; it is polled a few times and dropped. Before anything is
    // pulled, the join is built from a size hint of `usize::MAX` or `1 << 40`.
    fn poll_a_while_then_drop<F: Future>(join: F) {
        let mut join = pin!(join);
        for _ in 0..3 {
            assert!(poll_once(join.as_mut()).is_pending());
        }
    }

    // Futures that never finish: the join pulls `limit` items and waits.
    let alive = Gauge::new();
    let (futures, pulled) = CountingIter::new(
        (0..usize::MAX).map(|_| tracked(&alive, std::future::pending::<usize>())),
    );
    poll_a_while_then_drop(join_bounded(4, futures).join());
    assert_eq!(pulled.load(Ordering::SeqCst), 4);
    assert_eq!((alive.max(), alive.current()), (4, 0));

    // Futures that finish after a yield: each poll runs until the join's poll budget is spent.

    let futures = (0..usize::MAX).map(|i| async move {
        yield_times(1).await;
        Ok::<usize, ()>(i)
    });
    poll_a_while_then_drop(join_bounded(4, futures).settled());

    let futures = (0_u64..1 << 40).map(|i| async move {
        yield_times(1).await;
        Ok::<u64, ()>(i)
    });
    poll_a_while_then_drop(join_bounded(4, futures).settled());

    // Ready futures: each poll runs a budget's worth of items before yielding.
    let futures = (0_u64..1 << 40).map(|i| async move { i });
    poll_a_while_then_drop(join_bounded(4, futures).join());
    let futures = (0_u64..).map(|i| async move { Ok::<u64, ()>(i) });
    poll_a_while_then_drop(join_bounded(4, futures).all());
}

#[test]
fn every_strategy_finishes_a_finite_input_whatever_its_size_hint_says() {
    for hint in WRONG_HINTS {
        let input = || hinted((0..100_u64).map(|i| async move { i }), hint);
        let results = || {
            hinted(
                (0..100_u64).map(|i| async move {
                    yield_times((i % 3) as usize).await;
                    if i % 10 == 9 { Err(i) } else { Ok(i) }
                }),
                hint,
            )
        };

        assert!(
            drive(join_bounded(8, input()).join())
                .into_iter()
                .eq(0..100),
            "join, hint {hint:?}"
        );
        assert_eq!(
            drive(join_bounded(8, results()).all()),
            Err(9),
            "all, hint {hint:?}"
        );
        let settled = drive(join_bounded(8, results()).settled());
        assert_eq!(
            (
                settled.len(),
                settled.success_count(),
                settled.error_count()
            ),
            (100, 90, 10),
            "settled, hint {hint:?}"
        );
        assert_eq!(
            drive(join_bounded(8, results()).any()),
            Ok(0),
            "any, hint {hint:?}"
        );
        assert_eq!(
            drive(join_bounded(8, input()).race()),
            Some(0),
            "race, hint {hint:?}"
        );
        // More than one chunk of slots, from a hint that may say there is nothing left.
        let outputs = drive(std::future::IntoFuture::into_future(join_bounded(
            100,
            hinted(
                (0..100_u64).map(|i| async move {
                    yield_times(1).await;
                    i
                }),
                hint,
            ),
        )));
        assert!(outputs.into_iter().eq(0..100), "limit 100, hint {hint:?}");
    }
}
