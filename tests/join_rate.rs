//! `join_bounded!` with `rate` (and `burst`): the starts of the join's futures are paced, a
//! literal rate checked at compile time or a `Rate` value from run time; the limit and the rate
//! hold together; the end of the input is seen at once, not an interval later. On tokio's paused
//! clock: no test reads the wall clock.

mod common;

use bounded_async::{Rate, join_bounded};
use common::paused::{ms, soon};
use tokio::time::{Instant, sleep};

#[tokio::test(start_paused = true)]
async fn a_literal_rate_paces_the_starts() {
    let start = Instant::now();
    let started = soon(async {
        join_bounded!(limit = 8, rate = "10/s"; for _ in 0..5 => async { start.elapsed() })
    })
    .await;
    assert_eq!(started, [0, 100, 200, 300, 400].map(ms));
    // Done when the last future is, not an interval later.
    assert_eq!(start.elapsed(), ms(400));
}

#[tokio::test(start_paused = true)]
async fn a_burst_starts_at_once_then_the_pace_is_the_rate() {
    let start = Instant::now();
    let started = soon(async {
        join_bounded!(limit = 8, rate = "10/s", burst = 3; for _ in 0..5 => async { start.elapsed() })
    })
    .await;
    assert_eq!(started, [0, 0, 0, 100, 200].map(ms));
}

#[tokio::test(start_paused = true)]
async fn a_rate_from_run_time_is_a_rate_value() {
    let configured = "20";
    let rate = Rate::per_second(configured.parse().unwrap());
    let start = Instant::now();
    let started = soon(async {
        join_bounded!(limit = 4, rate = rate; for _ in 0..3 => async { start.elapsed() })
    })
    .await;
    assert_eq!(started, [0, 50, 100].map(ms));
}

#[tokio::test(start_paused = true)]
async fn a_timer_firing_on_whole_milliseconds_does_not_slow_the_pace() {
    // 190 a second is a start every 5.263158 ms, which tokio's timer, firing on whole
    // milliseconds, rounds up each time: each start is as of when it was due, not when the timer
    // fired, so the lateness does not add up (it would pace 1 start every 6 ms, 166 a second).
    // A second's worth, or a tenth of it under Miri.
    const STARTS: usize = if cfg!(miri) { 20 } else { 191 };
    let start = Instant::now();
    let started = soon(async {
        join_bounded!(limit = 4, rate = "190/s"; for _ in 0..STARTS => async { start.elapsed() })
    })
    .await;
    // Each start is on the rate's schedule, less than the timer's millisecond late.
    let interval = Rate::per_second(190).interval();
    for (k, at) in started.into_iter().enumerate() {
        let due = interval * k as u32;
        assert!(
            at >= due && at < due + ms(1),
            "start {k} at {at:?}, due at {due:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_list_form_is_paced_too() {
    let start = Instant::now();
    let (a, b, c) = soon(async {
        join_bounded!(limit = 3, rate = "4/s";
            async { start.elapsed() },
            async { start.elapsed() },
            async { start.elapsed() },
        )
    })
    .await;
    assert_eq!((a, b, c), (ms(0), ms(250), ms(500)));
}

#[tokio::test(start_paused = true)]
async fn the_limit_and_the_rate_hold_together() {
    let start = Instant::now();
    // Two at once, each for 300 ms, starting at most 10 a second.
    let started = soon(async {
        join_bounded!(limit = 2, rate = "10/s"; for _ in 0..4 => async {
            let at = start.elapsed();
            sleep(ms(300)).await;
            at
        })
    })
    .await;
    assert_eq!(started, [0, 100, 300, 400].map(ms));
}

#[tokio::test(start_paused = true)]
async fn all_stops_at_the_first_error_without_waiting_for_more_starts() {
    let start = Instant::now();
    let result: Result<Vec<u32>, String> = soon(async {
        join_bounded!(limit = 4, rate = "10/s", strategy = "all"; for i in 0..10u32 => async move {
            if i == 2 { Err(format!("{i} failed")) } else { Ok(i) }
        })
    })
    .await;
    assert_eq!(result, Err("2 failed".to_owned()));
    assert_eq!(start.elapsed(), ms(200));
}
