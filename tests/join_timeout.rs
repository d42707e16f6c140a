//! `timeout` on `join_bounded!` and `stream_bounded!`: a future still running that long after
//! its start is dropped, its slot taken by the next item, and it comes back as each strategy
//! carries a rejection. On tokio's paused clock, with known delays.

mod common;

use std::error::Error;

use bounded_async::{Outcome, Reason, Rejected, join_bounded, stream_bounded};
use common::paused::{ms, soon};
use common::{Gauge, tracked};
use futures::StreamExt;
use tokio::time::{Instant, sleep};

type BoxError = Box<dyn Error + Send + Sync>;

/// A future that takes `delay` and returns it in milliseconds.
async fn took(delay: u64) -> u64 {
    sleep(ms(delay)).await;
    delay
}

/// `took`, as a `Result` whose error can carry a rejection.
async fn fetched(delay: u64) -> Result<u64, BoxError> {
    Ok(took(delay).await)
}

fn assert_timed_out(rejected: &Rejected) {
    assert_eq!(rejected.reason(), Reason::TimedOut);
    let message = rejected.to_string();
    assert!(
        message.starts_with("join_bounded! at tests/join_timeout.rs:")
            || message.starts_with("stream_bounded! at tests/join_timeout.rs:"),
        "{message}"
    );
    assert!(
        message.ends_with("still running after 50ms, so it was cancelled (timeout = \"50ms\")"),
        "{message}"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn join_and_race_give_result_with_rejected() {
    let start = Instant::now();
    let outputs = soon(async {
        join_bounded!(limit = 2, timeout = "50ms"; for delay in [10, 100, 20] => took(delay))
    })
    .await;
    assert_eq!(outputs[0].as_ref().ok(), Some(&10));
    assert_timed_out(outputs[1].as_ref().unwrap_err());
    assert_eq!(outputs[2].as_ref().ok(), Some(&20));
    // The slow one was dropped at 50 ms, not awaited to 100.
    assert_eq!(start.elapsed(), ms(50));

    let first = soon(async {
        join_bounded!(limit = 2, strategy = "race", timeout = "50ms"; for delay in [100, 200] => took(delay))
    })
    .await;
    assert_timed_out(first.expect("not empty").as_ref().unwrap_err());
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn all_and_any_give_their_own_error() {
    let all = soon(async {
        join_bounded!(limit = 3, strategy = "all", timeout = "50ms";
            for delay in [10, 100, 20] => fetched(delay))
    })
    .await;
    let error = all.expect_err("one timed out");
    assert_timed_out(error.downcast_ref::<Rejected>().expect("a rejection"));

    let any = soon(async {
        join_bounded!(limit = 3, strategy = "any", timeout = "50ms";
            for delay in [100, 30, 200] => fetched(delay))
    })
    .await;
    assert_eq!(any.ok(), Some(30));

    let none = soon(async {
        join_bounded!(limit = 3, strategy = "any", timeout = "50ms";
            for delay in [100, 200] => fetched(delay))
    })
    .await;
    let errors = none.expect_err("every one timed out");
    assert_eq!(errors.len(), 2);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn settled_records_outcome_rejected() {
    let settled = soon(async {
        join_bounded!(limit = 2, strategy = "settled", timeout = "50ms";
            for delay in [10, 100, 20] => fetched(delay))
    })
    .await;
    assert!(matches!(settled[0], Outcome::Ok(10)));
    let Outcome::Rejected(rejected) = &settled[1] else {
        panic!("timed out: {:?}", settled[1]);
    };
    assert_timed_out(rejected);
    assert_eq!(
        settled.to_string(),
        "2 succeeded, 0 failed, 0 panicked, 1 rejected"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_list_form_takes_a_timeout_under_every_strategy() {
    let (quick, slow) = soon(async {
        join_bounded!(limit = 2, timeout = "50ms"; took(10), async { took(100).await as u32 })
    })
    .await;
    assert_eq!(quick.ok(), Some(10));
    assert_timed_out(&slow.unwrap_err());

    let all = soon(async {
        join_bounded!(limit = 2, strategy = "all", timeout = "50ms"; fetched(10), fetched(100))
    })
    .await;
    assert!(all.is_err());

    let (quick, slow) = soon(async {
        join_bounded!(limit = 2, strategy = "settled", timeout = "50ms"; fetched(10), fetched(100))
    })
    .await;
    assert!(matches!(quick, Outcome::Ok(10)));
    assert!(matches!(slow, Outcome::Rejected(rejected) if rejected.reason() == Reason::TimedOut));

    let any = soon(async {
        join_bounded!(limit = 2, strategy = "any", timeout = "50ms"; fetched(100), fetched(20))
    })
    .await;
    assert_eq!(any.ok(), Some(20));

    let race = soon(async {
        join_bounded!(limit = 2, strategy = "race", timeout = "50ms"; took(100), took(200))
    })
    .await;
    assert_timed_out(&race.unwrap_err());
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_timed_out_future_is_dropped_and_its_slot_refilled() {
    // One slot: the first future times out at 50 ms, and the second starts then.
    let gauge = Gauge::new();
    let start = Instant::now();
    let started = soon(async {
        join_bounded!(limit = 1, timeout = "50ms"; for delay in [1_000, 10] => {
            let started = start.elapsed();
            tracked(&gauge, async move {
                took(delay).await;
                started
            })
        })
    })
    .await;
    assert!(started[0].is_err());
    assert_eq!(started[1].as_ref().ok(), Some(&ms(50)));
    assert_eq!((gauge.entered(), gauge.current()), (2, 0));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_time_counts_from_each_futures_start() {
    // With one slot, the third future starts at 40 ms and is given its own 50 ms.
    let outputs = soon(async {
        join_bounded!(limit = 1, timeout = "50ms"; for delay in [20, 20, 45] => took(delay))
    })
    .await;
    assert!(outputs.iter().all(Result::is_ok), "{outputs:?}");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_stream_hands_on_err_rejected_items() {
    let items: Vec<Result<u64, Rejected>> = soon(
        stream_bounded!(limit = 3, order = "completion", timeout = "50ms";
            for delay in [100, 10, 20] => took(delay))
        .collect(),
    )
    .await;
    assert_eq!(items[0].as_ref().ok(), Some(&10));
    assert_eq!(items[1].as_ref().ok(), Some(&20));
    assert_timed_out(items[2].as_ref().unwrap_err());

    let in_order: Vec<Result<u64, Rejected>> = soon(
        stream_bounded!(limit = 3, timeout = "50ms"; for await delay in futures::stream::iter([100, 10]) => took(delay))
            .collect(),
    )
    .await;
    assert!(in_order[0].is_err() && in_order[1].is_ok());
}

#[test]
fn a_future_that_finishes_in_time_needs_no_timer_poll() {
    // Ready at once: the timer is never started, so no runtime is needed either.
    let outputs = futures::executor::block_on(async {
        join_bounded!(limit = 2, timeout = "1s"; for n in 0..3 => async move { n })
    });
    assert_eq!(
        outputs.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}
