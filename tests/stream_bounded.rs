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
use common::{CountingIter, Gate, Gauge, Random, drive, poll_once, tracked, yield_times};
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

/// Random schedules, each from a seed (400; 16 of up to 24 items under Miri, in both borrow
/// models): a limit of 1-6, up to 120 items whose futures take 0-5 yields each, input or completion
/// order, an iterator or a stream that is `Pending` 0-2 times before each item, and a third of the
/// runs dropped after a random number of outputs. After every output: at most `limit` futures
/// alive, at most `limit` finished outputs not yet handed on, and, in input order, no item pulled
/// more than `limit` past the next output. After the stream is dropped: every future dropped with
/// it, every output handed on once, in input order exactly the first ones, and all of them when the
/// stream was not dropped early.
#[test]
fn random_schedules_and_drops_keep_every_bound_and_lose_nothing() {
    let (seeds, most_items) = if cfg!(miri) { (16, 24) } else { (400, 120) };
    for seed in 0..seeds {
        let mut schedule = Random(0x9E37_79B9_7F4A_7C15 ^ (seed + 1));
        let limit = 1 + schedule.below(6) as usize;
        let n = schedule.below(most_items + 1) as usize;
        let input_order = schedule.below(2) == 0;
        let from_stream = schedule.below(2) == 0;
        let stop_after = (schedule.below(3) == 0).then(|| schedule.below(n as u64 + 1) as usize);
        let yields: Vec<usize> = (0..n).map(|_| schedule.below(6) as usize).collect();
        let hesitations: Vec<usize> = (0..n).map(|_| schedule.below(3) as usize).collect();
        let case = format!(
            "seed {seed}: limit {limit}, {n} items, {} order, from {}, stopped after {stop_after:?}",
            if input_order { "input" } else { "completion" },
            if from_stream {
                "a stream"
            } else {
                "an iterator"
            },
        );

        let gauge = Gauge::new();
        let (items, pulled) = CountingIter::new(0..n);
        let work = |i: usize| {
            let yields = yields[i];
            tracked(&gauge, async move {
                yield_times(yields).await;
                i
            })
        };
        let mut outputs: std::pin::Pin<Box<dyn Stream<Item = usize> + '_>> = if from_stream {
            let (hesitations, pulled) = (&hesitations, std::sync::Arc::clone(&pulled));
            let input = stream::unfold(items, move |mut items| {
                let hesitation = hesitations
                    .get(pulled.load(Ordering::SeqCst))
                    .copied()
                    .unwrap_or(0);
                async move {
                    yield_times(hesitation).await;
                    items.next().map(|i| (i, items))
                }
            });
            if input_order {
                Box::pin(stream_bounded!(limit = limit; for await i in input => work(i)))
            } else {
                Box::pin(stream_bounded!(limit = limit, order = "completion";
                    for await i in input => work(i)))
            }
        } else if input_order {
            Box::pin(stream_bounded!(limit = limit; for i in items => work(i)))
        } else {
            Box::pin(
                stream_bounded!(limit = limit, order = "completion"; for i in items => work(i)),
            )
        };

        let mut seen = Vec::new();
        while stop_after != Some(seen.len()) {
            let Some(i) = drive(outputs.next()) else {
                break;
            };
            seen.push(i);
            let (pulled, alive) = (pulled.load(Ordering::SeqCst), gauge.current());
            assert!(alive <= limit, "{case}: {alive} futures alive");
            let waiting = pulled - seen.len() - alive;
            assert!(waiting <= limit, "{case}: {waiting} outputs not handed on");
            if input_order {
                assert!(pulled <= seen.len() + limit, "{case}: {pulled} pulled");
            }
        }
        drop(outputs);
        assert_eq!(gauge.current(), 0, "{case}: futures left alive");
        assert_eq!(gauge.entered(), gauge.released(), "{case}");
        if input_order {
            assert_eq!(seen, (0..seen.len()).collect::<Vec<_>>(), "{case}");
        } else {
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                seen.len(),
                "{case}: an output handed on twice"
            );
            assert!(sorted.iter().all(|&i| i < n), "{case}");
        }
        if stop_after.is_none() {
            assert_eq!(seen.len(), n, "{case}: outputs lost");
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
