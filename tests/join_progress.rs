//! `join_bounded!(progress = ..)` and `JoinBounded::progress`: the callback runs once per finished
//! future, on the join's own task, with `done` rising from 1 to n, `in_flight` reaching the limit
//! and never above it (a gauge of live futures agrees), `failed` counting errors and panics where
//! the strategy sees them, and `total` known for inputs of exact length only.

mod common;

use std::cell::RefCell;

use bounded_async::{Outcome, Progress, join_bounded};
use common::{CountingIter, Gauge, drive, tracked, yield_times};

/// Futures that each yield a few times, so that the join has `limit` in flight at once.
#[test]
fn done_rises_from_1_to_n_and_in_flight_reaches_the_limit_and_never_exceeds_it() {
    const LIMIT: usize = 4;
    let gauge = Gauge::new();
    let seen = RefCell::new(Vec::new());
    let outputs = drive(async {
        join_bounded!(limit = LIMIT, progress = |p: &Progress| {
            // The futures alive agree with what the join reports, once the finished one is gone.
            assert_eq!(p.in_flight(), gauge.current(), "{p}");
            seen.borrow_mut().push(*p);
        }; for n in 0..50usize => tracked(&gauge, async move {
            yield_times(n % 3 + 1).await;
            n
        }))
    });
    assert_eq!(outputs, (0..50).collect::<Vec<_>>());
    let seen = seen.into_inner();
    let done: Vec<usize> = seen.iter().map(Progress::done).collect();
    assert_eq!(done, (1..=50).collect::<Vec<_>>());
    assert!(seen.iter().all(|p| p.in_flight() <= LIMIT));
    // The limit was reached while items remained, and the last call finds nothing in flight.
    assert!(
        seen[..46].iter().all(|p| p.in_flight() == LIMIT),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(Progress::in_flight), Some(0));
    assert!(
        seen.iter()
            .all(|p| p.total() == Some(50) && p.failed() == 0)
    );
}

#[test]
fn settled_counts_errors_and_panics_as_failed() {
    let seen = RefCell::new(Vec::new());
    let settled = drive(async {
        join_bounded!(limit = 2, strategy = "settled",
        progress = |p: &Progress| seen.borrow_mut().push((p.done(), p.failed()));
        for n in 0..6u32 => async move {
            match n {
                1 => Err(format!("{n} failed")),
                4 => panic!("{n} panicked"),
                _ => Ok(n),
            }
        })
    });
    assert_eq!(settled.len(), 6);
    assert!(matches!(settled.iter().nth(4), Some(Outcome::Panicked(_))));
    assert_eq!(
        seen.into_inner(),
        [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2)]
    );
}

#[test]
fn all_reports_the_error_that_ends_it_then_nothing_more() {
    let seen = RefCell::new(Vec::new());
    let result: Result<Vec<u32>, String> = drive(async {
        join_bounded!(limit = 1, strategy = "all",
        progress = |p: &Progress| seen.borrow_mut().push((p.done(), p.failed(), p.in_flight()));
        for n in 0..10u32 => async move {
            if n == 3 { Err(format!("{n} failed")) } else { Ok(n) }
        })
    });
    assert_eq!(result, Err("3 failed".to_owned()));
    assert_eq!(
        seen.into_inner(),
        [(1, 0, 1), (2, 0, 1), (3, 0, 1), (4, 1, 0)]
    );
}

#[test]
fn join_and_race_see_values_not_failures() {
    // Under "join", an `Err` is a value like any other.
    let mut failed = Vec::new();
    let outputs = drive(async {
        join_bounded!(limit = 2, progress = |p: &Progress| failed.push(p.failed());
            for n in 0..3u32 => async move { if n == 1 { Err(n) } else { Ok(n) } })
    });
    assert_eq!(outputs, [Ok(0), Err(1), Ok(2)]);
    assert_eq!(failed, [0, 0, 0]);
}

#[test]
fn the_total_is_known_only_when_the_input_says_so_exactly() {
    let total_of = |hide_length: bool| {
        let mut total = None;
        let (input, pulled) = if hide_length {
            CountingIter::unsized_hint(0..5u32)
        } else {
            CountingIter::new(0..5u32)
        };
        drive(async {
            join_bounded!(limit = 2, progress = |p: &Progress| total = Some(p.total());
                for n in input => async move { n })
        });
        assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 5);
        total.expect("called")
    };
    assert_eq!(total_of(false), Some(5));
    assert_eq!(total_of(true), None);
    // A `Vec` knows its length; a filter does not.
    let mut totals = Vec::new();
    drive(async {
        join_bounded!(limit = 2, progress = |p: &Progress| totals.push(p.total());
            for n in vec![1, 2] => async move { n });
        join_bounded!(limit = 2, progress = |p: &Progress| totals.push(p.total());
            for n in (0..4).filter(|n| n % 2 == 0) => async move { n })
    });
    assert_eq!(totals, [Some(2), Some(2), None, None]);
}

#[test]
fn the_runtime_form_and_the_display() {
    let mut lines = Vec::new();
    let doubled = drive(
        bounded_async::join_bounded(3, (1..=4).map(|n| async move { n * 2 }))
            .progress(|p: &Progress| lines.push(p.to_string()))
            .join(),
    );
    assert_eq!(doubled, [2, 4, 6, 8]);
    assert_eq!(
        lines,
        [
            "1/4, 1 in flight",
            "2/4, 1 in flight",
            "3/4, 1 in flight",
            "4/4, 0 in flight"
        ]
    );
    let mut line = String::new();
    let _ = drive(
        bounded_async::join_bounded(
            2,
            (0..3)
                .filter(|_| true)
                .map(|n| async move { if n == 0 { Err(n) } else { Ok(n) } }),
        )
        .progress(|p: &Progress| line = p.to_string())
        .settled(),
    );
    assert_eq!(line, "3 done (1 failed), 0 in flight");
}

#[test]
fn elapsed_counts_from_the_first_poll_and_never_goes_back() {
    let mut elapsed = Vec::new();
    drive(async {
        join_bounded!(limit = 2, progress = |p: &Progress| elapsed.push(p.elapsed());
            for _ in 0..5 => yield_times(2))
    });
    assert_eq!(elapsed.len(), 5);
    assert!(
        elapsed.windows(2).all(|pair| pair[0] <= pair[1]),
        "{elapsed:?}"
    );
}
