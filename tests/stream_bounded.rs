//! `stream_bounded!` and `JoinBounded::stream`/`stream_unordered`: the outputs as they come, in
//! input order or as they finish, with at most `limit` futures and (in input order) at most
//! `limit` finished outputs waiting for an earlier one.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::Ordering;
use std::task::Poll;

use bounded_async::{Progress, join_bounded, stream_bounded};
use common::paused::{ms, soon};
use common::{CountingIter, Gate, Gauge, drive, poll_once, tracked, yield_times};
use futures::stream::{self, FusedStream, Stream, StreamExt};
use tokio::time::{Instant, sleep};

/// The delays of five futures and, with a limit of 2, when each finishes: 0 and 1 start at 0;
/// 2 takes 1's slot at 10 and 3 takes 0's at 50; 4 takes 2's at 55.
const DELAYS: [u64; 5] = [50, 10, 45, 20, 30];

/// Polls `stream` once for its next output, with a waker that does nothing.
fn poll_next_once<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    poll_once(pin!(stream.next()))
}

/// Each output with the time the consumer received it.
async fn received<S: futures::Stream<Item = usize> + Unpin>(mut outputs: S) -> Vec<(usize, u64)> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while let Some(index) = outputs.next().await {
        seen.push((index, start.elapsed().as_millis() as u64));
    }
    seen
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn input_order_hands_each_output_on_once_every_earlier_one_has_come() {
    let outputs = stream_bounded!(limit = 2; for (i, delay) in DELAYS.into_iter().enumerate() =>
    async move {
        sleep(ms(delay)).await;
        i
    });
    let seen = soon(received(pin!(outputs))).await;
    // 1 finished at 10 but waits for 0, at 50.
    assert_eq!(seen, [(0, 50), (1, 50), (2, 55), (3, 70), (4, 85)]);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn completion_order_hands_each_output_on_as_it_finishes() {
    let outputs = stream_bounded!(limit = 2, order = "completion";
    for (i, delay) in DELAYS.into_iter().enumerate() => async move {
        sleep(ms(delay)).await;
        i
    });
    let seen = soon(received(pin!(outputs))).await;
    assert_eq!(seen, [(1, 10), (0, 50), (2, 55), (3, 70), (4, 85)]);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_runtime_streams_match_the_macros() {
    let futures = || {
        DELAYS.into_iter().enumerate().map(|(i, delay)| async move {
            sleep(ms(delay)).await;
            i
        })
    };
    let in_order = soon(received(join_bounded(2, futures()).stream())).await;
    let as_finished = soon(received(join_bounded(2, futures()).stream_unordered())).await;
    assert_eq!(
        in_order.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(
        as_finished.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [1, 0, 2, 3, 4]
    );
}

#[test]
fn input_order_holds_at_most_limit_outputs_waiting_for_an_earlier_one() {
    // The first future waits at a gate; every later one is ready at once. In input order, they
    // all wait for the first: the stream pulls `limit` past it and no more.
    const LIMIT: usize = 3;
    let gate = Gate::new();
    let gauge = Gauge::new();
    let (items, pulled) = CountingIter::new(0..20_usize);
    let outputs = join_bounded(
        LIMIT,
        items.map(|i| {
            let gate = gate.clone();
            tracked(&gauge, async move {
                if i == 0 {
                    gate.wait().await;
                }
                i
            })
        }),
    )
    .stream();
    let mut outputs = pin!(outputs);
    assert!(poll_next_once(&mut outputs).is_pending());
    assert_eq!(pulled.load(Ordering::SeqCst), LIMIT + 1);
    assert_eq!(
        gauge.current(),
        1,
        "the finished ones are dropped; only the first runs"
    );
    gate.open();
    let all: Vec<usize> = drive(outputs.collect());
    assert_eq!(all, (0..20).collect::<Vec<_>>());
}

#[test]
fn both_orders_are_lazy_for_both_inputs() {
    for limit in [1, 2, 5] {
        for order in ["input", "completion"] {
            for from_stream in [false, true] {
                let gauge = Gauge::new();
                let (items, pulled) = CountingIter::unsized_hint(0..40_usize);
                let work = |i: usize| {
                    tracked(&gauge, async move {
                        yield_times(i * 7 % 5).await;
                        i
                    })
                };
                let mut outputs: std::pin::Pin<Box<dyn futures::Stream<Item = usize>>> =
                    match (order, from_stream) {
                        ("input", false) => {
                            Box::pin(stream_bounded!(limit = limit; for i in items => work(i)))
                        }
                        ("input", true) => Box::pin(stream_bounded!(limit = limit;
                            for await i in stream::iter(items) => work(i))),
                        (_, false) => {
                            Box::pin(stream_bounded!(limit = limit, order = "completion";
                            for i in items => work(i)))
                        }
                        (_, true) => Box::pin(stream_bounded!(limit = limit, order = "completion";
                            for await i in stream::iter(items) => work(i))),
                    };
                let mut seen = Vec::new();
                while let Some(i) = drive(outputs.next()) {
                    seen.push(i);
                    // Pulled, at most: those handed on, `limit` in flight, and `limit` finished
                    // but not yet handed on (in input order, waiting for an earlier one).
                    assert!(pulled.load(Ordering::SeqCst) <= seen.len() + 2 * limit);
                    assert!(gauge.current() <= limit);
                }
                assert_eq!(gauge.max(), limit, "{order}, reached");
                if order == "input" {
                    assert_eq!(seen, (0..40).collect::<Vec<_>>());
                } else {
                    seen.sort_unstable();
                    assert_eq!(seen, (0..40).collect::<Vec<_>>());
                }
            }
        }
    }
}

#[test]
fn dropping_the_stream_drops_every_future_in_flight() {
    let gauge = Gauge::new();
    let (items, pulled) = CountingIter::new(0..1000_usize);
    {
        let outputs = stream_bounded!(limit = 4, order = "completion"; for i in items =>
        tracked(&gauge, async move {
            yield_times(i % 3 * 1000).await;
            i
        }));
        let mut outputs = pin!(outputs);
        let first: Vec<usize> = drive((&mut outputs).take(2).collect());
        assert_eq!(first.len(), 2);
        // The stream paused at its second output, with the slots it had filled by then.
        assert!((1..=4).contains(&gauge.current()));
    }
    assert_eq!(gauge.current(), 0);
    assert!(pulled.load(Ordering::SeqCst) <= 2 + 4);
}

#[test]
fn a_panicking_future_propagates_and_the_stream_refuses_to_go_on() {
    let outputs = stream_bounded!(limit = 2; for i in 0..10 => async move {
        assert!(i != 3, "future {i} broke");
        i
    });
    let mut outputs = pin!(outputs);
    let mut taken = Vec::new();
    let panic = panic::catch_unwind(AssertUnwindSafe(|| {
        while let Poll::Ready(Some(i)) = poll_next_once(&mut outputs) {
            taken.push(i);
        }
    }))
    .expect_err("the future's panic propagates");
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some("future 3 broke")
    );
    // Whatever was handed on before the panic came in input order.
    assert!(
        taken.iter().enumerate().all(|(at, i)| at == *i && *i < 3),
        "{taken:?}"
    );
    let again = panic::catch_unwind(AssertUnwindSafe(|| poll_next_once(&mut outputs)))
        .expect_err("a poll after a panic panics");
    assert_eq!(
        again.downcast_ref::<String>().map(String::as_str),
        Some("a bounded stream was polled after it panicked")
    );
}

#[test]
#[should_panic(expected = "stream_bounded!: `limit` evaluated to 0 at run time")]
fn a_limit_of_0_read_at_run_time_panics_naming_the_macro() {
    let limit = std::hint::black_box(0_usize);
    let _ = stream_bounded!(limit = limit; for i in 0..3 => async move { i });
}

#[test]
fn it_ends_for_good_and_runs_on_block_on() {
    futures::executor::block_on(async {
        let mut outputs = stream_bounded!(limit = 3; for await n in stream::iter(0..5) => async move {
            futures::future::ready(()).await;
            n * n
        });
        let mut squares = Vec::new();
        while let Some(square) = outputs.next().await {
            squares.push(square);
        }
        assert_eq!(squares, [0, 1, 4, 9, 16]);
        assert!(outputs.is_terminated());
        assert_eq!(outputs.next().await, None);
    });
}

#[test]
fn size_hint_counts_the_outputs_still_to_come() {
    let mut outputs = pin!(stream_bounded!(limit = 2; for i in 0..5 => async move { i }));
    assert_eq!(outputs.size_hint(), (5, Some(5)));
    assert_eq!(drive(outputs.next()), Some(0));
    let (lower, upper) = outputs.size_hint();
    assert!(lower <= 4 && upper >= Some(4), "{lower} {upper:?}");
    assert_eq!(drive(outputs.as_mut().count()), 4);
    assert_eq!(outputs.size_hint(), (0, Some(0)));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn rate_and_progress_apply_to_a_stream() {
    let mut reports = Vec::new();
    let start = Instant::now();
    let started: Vec<u64> = soon(
        stream_bounded!(limit = 8, rate = "10/s", progress = |p: &Progress| reports.push(p.done());
            for _ in 0..4 => async { start.elapsed().as_millis() as u64 })
        .collect(),
    )
    .await;
    assert_eq!(started, [0, 100, 200, 300]);
    assert_eq!(reports, [1, 2, 3, 4]);
}
