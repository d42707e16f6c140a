//! `for await PAT in STREAM => FUTURE`: a join whose input is a `Stream`. It is pulled only for a
//! free slot, a stream with no item ready does not hold the futures in flight back, and it may
//! end or never end.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bounded_async::{Outcome, Progress, join_bounded, join_bounded_stream};
use common::{CountingIter, Gate, Gauge, drive, no_deadlock, poll_once, tracked, yield_times};
use futures::stream::{self, Stream, StreamExt};

/// A stream of `0..n` with a `Pending` (after waking itself) before each item, as a paginated
/// API or a socket may be.
struct Trickle {
    next: u32,
    end: u32,
    ready: bool,
}

fn trickle(end: u32) -> Trickle {
    Trickle {
        next: 0,
        end,
        ready: false,
    }
}

impl Stream for Trickle {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        if self.next == self.end {
            return Poll::Ready(None);
        }
        if !std::mem::replace(&mut self.ready, false) {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.next += 1;
        Poll::Ready(Some(self.next - 1))
    }
}

#[test]
fn every_strategy_takes_a_stream() {
    let work = |n: u32| async move {
        yield_times(n as usize % 3).await;
        if n % 4 == 3 { Err(n) } else { Ok(n) }
    };
    drive(async {
        let joined = join_bounded!(limit = 3; for await n in trickle(8) => work(n));
        assert_eq!(joined.len(), 8);
        assert_eq!(joined[3], Err(3));

        let all = join_bounded!(limit = 3, strategy = "all"; for await n in trickle(8) => work(n));
        assert_eq!(all, Err(3));

        let settled =
            join_bounded!(limit = 3, strategy = "settled"; for await n in trickle(8) => work(n));
        assert_eq!(settled.to_string(), "6 succeeded, 2 failed, 0 panicked");
        assert!(matches!(settled[7], Outcome::Err(7)));

        let any = join_bounded!(limit = 3, strategy = "any"; for await n in trickle(8) => work(n));
        assert!(any.is_ok());

        let race =
            join_bounded!(limit = 3, strategy = "race"; for await n in trickle(8) => work(n));
        assert!(race.is_some());

        let empty = join_bounded!(limit = 3; for await n in trickle(0) => work(n));
        assert!(empty.is_empty());
    });
}

#[test]
fn a_stream_that_is_not_unpin_is_joined_in_place() {
    // `unfold` over an `async` block is `!Unpin`: the join pins it once, and it never moves.
    let pages = stream::unfold(0_u32, |page| async move {
        yield_times(1).await;
        (page < 5).then(|| (page, page + 1))
    });
    let sizes = drive(async {
        join_bounded!(limit = 2; for await page in pages => async move { page * 10 })
    });
    assert_eq!(sizes, [0, 10, 20, 30, 40]);
}

#[test]
fn the_stream_is_pulled_only_for_a_free_slot() {
    for limit in [1, 3, 8] {
        let gauge = Gauge::new();
        let (items, pulled) = CountingIter::unsized_hint(0..50_usize);
        let finished = Arc::new(AtomicUsize::new(0));
        let input = stream::iter(items);
        let outputs = drive(async {
            join_bounded!(limit = limit; for await i in input => {
                let (pulled, finished) = (Arc::clone(&pulled), Arc::clone(&finished));
                tracked(&gauge, async move {
                    yield_times(i % 4).await;
                    // Items pulled so far, this one included, are at most those finished plus
                    // the limit.
                    assert!(pulled.load(Ordering::SeqCst) <= finished.load(Ordering::SeqCst) + limit);
                    finished.fetch_add(1, Ordering::SeqCst);
                    i
                })
            })
        });
        assert_eq!(outputs, (0..50).collect::<Vec<_>>());
        assert_eq!(
            gauge.max(),
            limit,
            "the limit is never exceeded, and reached"
        );
        assert_eq!(gauge.current(), 0);
    }
}

#[test]
fn a_stream_with_no_item_ready_does_not_hold_the_futures_in_flight_back() {
    // The stream's second item comes only when the first future opens the gate, after several
    // polls: a join that stopped polling its futures while the stream is pending would stall,
    // which `drive` reports instead of hanging.
    let gate = Gate::new();
    let opener = gate.clone();
    let items = stream::iter([1_u32]).chain(stream::once(async move {
        gate.wait().await;
        2
    }));
    let outputs = drive(async {
        join_bounded!(limit = 4; for await n in items => {
            let opener = opener.clone();
            async move {
                if n == 1 {
                    yield_times(5).await;
                    opener.open();
                }
                n
            }
        })
    });
    assert_eq!(outputs, [1, 2]);
}

#[test]
fn any_and_race_finish_on_a_stream_that_never_ends() {
    let (numbers, pulled) = CountingIter::new(0_u64..);
    let first_ok = drive(async {
        join_bounded!(limit = 4, strategy = "any";
        for await n in stream::iter(numbers) => async move {
            yield_times(1).await;
            if n < 10 { Err(n) } else { Ok(n) }
        })
    });
    assert_eq!(first_ok, Ok(10));
    assert!(pulled.load(Ordering::SeqCst) <= 11 + 4);

    let first = drive(async {
        join_bounded!(limit = 4, strategy = "race"; for await n in stream::repeat(7_u8) => async move { n })
    });
    assert_eq!(first, Some(7));
}

#[tokio::test(flavor = "current_thread")]
async fn a_producer_waiting_on_the_joins_progress_does_not_deadlock() {
    // A bounded channel of 1 fed by a producer that sends item `i` only once the join reports
    // `i - window` done: the join must pull, run and report while the producer waits on it.
    const LIMIT: usize = 4;
    let (done, mut done_seen) = tokio::sync::watch::channel(0_usize);
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<usize>(1);
    let producer = tokio::spawn(async move {
        for i in 0..200 {
            done_seen
                .wait_for(|done| i < done + 2 * LIMIT)
                .await
                .expect("the join reports until it ends");
            sender
                .send(i)
                .await
                .expect("the join receives until the channel closes");
        }
    });
    // A tokio receiver is not a `Stream`; `unfold` makes it one, as `ReceiverStream` would.
    let received = stream::unfold(&mut receiver, |receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    let gauge = Gauge::new();
    let outputs = no_deadlock(
        "a join fed by a producer that waits on its progress",
        async {
            join_bounded!(limit = LIMIT, progress = |p: &Progress| {
                done.send_replace(p.done());
            }; for await i in received => tracked(&gauge, async move {
                tokio::task::yield_now().await;
                i * 2
            }))
        },
    )
    .await;
    producer.await.unwrap();
    assert_eq!(outputs, (0..200).map(|i| i * 2).collect::<Vec<_>>());
    assert!(gauge.max() <= LIMIT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_is_joined_on_a_multi_thread_runtime() {
    let (sender, receiver) = futures::channel::mpsc::channel::<u32>(2);
    let producer = tokio::spawn(async move {
        let mut sender = sender;
        for i in 0..100 {
            futures::SinkExt::send(&mut sender, i).await.unwrap();
        }
    });
    let sum: u32 = no_deadlock("a join over a channel", async {
        join_bounded!(limit = 8; for await i in receiver => async move {
            tokio::task::yield_now().await;
            i
        })
    })
    .await
    .into_iter()
    .sum();
    producer.await.unwrap();
    assert_eq!(sum, (0..100).sum());
}

#[test]
fn it_runs_on_block_on() {
    let joined = futures::executor::block_on(
        join_bounded_stream(3, trickle(10).map(|n| async move { n + 1 })).join(),
    );
    assert_eq!(joined, (1..=10).collect::<Vec<_>>());
}

/// A stream whose `poll_next` panics at its `at`-th item.
struct Panicking {
    next: u32,
    at: u32,
}

impl Stream for Panicking {
    type Item = std::future::Ready<u32>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        assert!(self.next != self.at, "the input broke at item {}", self.at);
        self.next += 1;
        Poll::Ready(Some(std::future::ready(self.next - 1)))
    }
}

#[test]
fn a_panicking_stream_propagates_and_the_join_refuses_to_go_on() {
    let mut join = pin!(join_bounded_stream(2, Panicking { next: 0, at: 3 }).join());
    let panic = panic::catch_unwind(AssertUnwindSafe(|| poll_once(join.as_mut())))
        .expect_err("the stream's panic propagates");
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some("the input broke at item 3")
    );
    let again = panic::catch_unwind(AssertUnwindSafe(|| poll_once(join.as_mut())))
        .expect_err("a poll after a panic panics");
    assert_eq!(
        again.downcast_ref::<String>().map(String::as_str),
        Some("a bounded join was polled after it panicked")
    );
}

#[test]
#[should_panic(expected = "join_bounded!: `limit` evaluated to 0 at run time")]
fn a_limit_of_0_read_at_run_time_panics() {
    let limit = std::hint::black_box(0_usize);
    let _ = drive(async {
        join_bounded!(limit = limit; for await n in trickle(3) => async move { n })
    });
}

#[test]
fn dropping_the_join_drops_the_stream_and_every_future_in_flight() {
    let gauge = Gauge::new();
    let streams = Gauge::new();
    let guard = streams.enter();
    let input = stream::iter(0..100).map(move |i| {
        let _alive = &guard;
        i
    });
    {
        let mut join = pin!(async {
            join_bounded!(limit = 5; for await i in input =>
                tracked(&gauge, async move { yield_times(1000).await; i }))
        });
        assert!(poll_once(join.as_mut()).is_pending());
        assert_eq!(gauge.current(), 5);
    }
    assert_eq!(gauge.current(), 0);
    assert_eq!(streams.current(), 0, "the stream is dropped with the join");
}
