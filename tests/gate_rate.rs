//! A gate's rate (`Gate::with_rate`, `Gate::set_rate`): over any window of length `T`, at most
//! `burst + T / interval` admissions; waiters admitted first come, first served; a waiter that
//! gives up leaves no gap; the rate and the limit hold together. On tokio's paused clock: no
//! test reads the wall clock.

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bounded_async::{Gate, Rate};
use common::Random;
use common::paused::{ms, settle_tasks, soon};
use tokio::time::{Instant, advance, sleep};

/// Checks GCRA's bound on every window at once: admissions `i..=j` (sorted times `times`, from
/// `start`) number at most `burst + (t_j - t_i + late) / interval`, where `late` is the lateness
/// of a timer that the line was forgiven (0: GCRA's own bound). With
/// `g(k) = k × interval - t_k`, that is `g(j) - g(i) <= (burst - 1) × interval + late` for every
/// `i <= j`: one pass, keeping the least `g` so far.
fn assert_every_window_conforms_within(
    times: &[Instant],
    start: Instant,
    rate: Rate,
    late: Duration,
) {
    let interval = rate.interval().as_nanos() as i128;
    let slack = (rate.burst() as i128 - 1) * interval + late.as_nanos() as i128;
    let mut least = i128::MAX;
    for (k, time) in times.iter().enumerate() {
        let g = k as i128 * interval - (*time - start).as_nanos() as i128;
        least = least.min(g);
        assert!(
            g - least <= slack,
            "admission {k} at {:?} breaks the rate {rate} with burst {} (late by {late:?})",
            *time - start,
            rate.burst()
        );
    }
}

/// [`assert_every_window_conforms_within`] GCRA's own bound, `burst + T / interval`.
fn assert_every_window_conforms(times: &[Instant], start: Instant, rate: Rate) {
    assert_every_window_conforms_within(times, start, rate, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn over_every_window_admissions_are_at_most_burst_plus_rate_times_its_length() {
    const CALLS: usize = if cfg!(miri) { 60 } else { 10_000 };
    static GATE: Gate = Gate::new(64).with_rate(Rate::per_second(100).with_burst(5));
    static TIMES: Mutex<Vec<Instant>> = Mutex::new(Vec::new());
    let rate = GATE.rate().unwrap();
    let start = Instant::now();
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let tasks: Vec<_> = (0..CALLS)
        .map(|_| {
            // Arrivals at random, averaging a little above the rate, so that the line fills
            // and drains; each holds its permit for a random while.
            let arrive = ms(random.below(CALLS as u64 * 9));
            let hold = ms(random.below(50));
            tokio::spawn(async move {
                sleep(arrive).await;
                let permit = GATE.acquire().await;
                TIMES.lock().unwrap().push(Instant::now());
                sleep(hold).await;
                drop(permit);
            })
        })
        .collect();
    soon(async {
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await;
    let mut times = TIMES.lock().unwrap().clone();
    assert_eq!(times.len(), CALLS);
    times.sort();
    assert_every_window_conforms(&times, start, rate);
    // And the rate was reached: the line did wait, so the pace is the rate's, not the arrivals'.
    let stats = GATE.stats();
    assert!(stats.waits.count > 0, "{stats:?}");
    assert_eq!((stats.in_flight, stats.waiting), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn waiters_are_admitted_in_the_order_they_arrived_one_interval_apart() {
    static GATE: Gate = Gate::new(8).with_rate(Rate::per_second(10));
    static ORDER: Mutex<Vec<(usize, Instant)>> = Mutex::new(Vec::new());
    let start = Instant::now();
    let tasks: Vec<_> = (0..6)
        .map(|id| {
            let task = tokio::spawn(async move {
                drop(GATE.acquire().await);
                ORDER.lock().unwrap().push((id, Instant::now()));
            });
            (id, task)
        })
        .collect();
    settle_tasks().await;
    for (_, task) in tasks {
        soon(task).await.unwrap();
    }
    let order = ORDER.lock().unwrap().clone();
    let ids: Vec<usize> = order.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    let at: Vec<Duration> = order.iter().map(|(_, time)| *time - start).collect();
    assert_eq!(at, [0, 100, 200, 300, 400, 500].map(ms));
    // The line waited for the rate from the first admission to the last, never for a permit.
    let stats = GATE.stats();
    assert_eq!(stats.rate, Some(Rate::per_second(10)));
    assert_eq!(stats.waits.for_rate, ms(500));
}

#[tokio::test(start_paused = true)]
async fn a_timer_firing_on_whole_milliseconds_does_not_slow_the_pace() {
    // 190 a second is a slot every 5.263158 ms, which tokio's timer, firing on whole
    // milliseconds, rounds up each time: the line's slot is taken as of when it was due, so the
    // lateness does not add up (it would pace 1 call every 6 ms, 166 a second).
    // A second's worth, or a tenth of it under Miri.
    const CALLS: usize = if cfg!(miri) { 20 } else { 191 };
    static GATE: Gate = Gate::new(4).with_rate(Rate::per_second(190));
    let start = Instant::now();
    let admitted = soon(async {
        let mut admitted = Vec::new();
        for _ in 0..CALLS {
            drop(GATE.acquire().await);
            admitted.push(Instant::now());
        }
        admitted
    })
    .await;
    let interval = Rate::per_second(190).interval();
    for (k, at) in admitted.iter().enumerate() {
        let due = interval * k as u32;
        let at = *at - start;
        assert!(
            at >= due && at < due + ms(1),
            "admission {k} at {at:?}, due at {due:?}"
        );
    }
    // Each admission is on the rate's schedule, less than the timer's millisecond late: two
    // admissions can be closer than the interval (5 ms apart, where it is 5.26 ms), and a window
    // of length `T` holds at most `1 + (T + 1 ms) / interval`, one more than GCRA's bound at most.
    assert_every_window_conforms_within(&admitted, start, Rate::per_second(190), ms(1));
}

#[tokio::test(start_paused = true)]
async fn a_waiter_that_gives_up_leaves_its_slot_to_the_next_with_no_gap() {
    static GATE: Gate = Gate::new(8).with_rate(Rate::per_second(10));
    let start = Instant::now();
    drop(GATE.acquire().await);
    let head = tokio::spawn(async { drop(GATE.acquire().await) });
    settle_tasks().await;
    let next = tokio::spawn(async {
        drop(GATE.acquire().await);
        Instant::now()
    });
    settle_tasks().await;
    assert_eq!(GATE.waiting(), 2);
    advance(ms(50)).await;
    head.abort();
    settle_tasks().await;
    // The slot due at 100 ms goes to the next waiter, whose own timer takes it.
    let admitted_at = soon(next).await.unwrap();
    assert_eq!(admitted_at - start, ms(100));
}

#[tokio::test(start_paused = true)]
async fn the_limit_and_the_rate_hold_together() {
    const CALLS: usize = if cfg!(miri) { 30 } else { 300 };
    static GATE: Gate = Gate::new(3).with_rate(Rate::per(40, Duration::from_secs(1)).with_burst(4));
    static INSIDE: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);
    static TIMES: Mutex<Vec<Instant>> = Mutex::new(Vec::new());
    let start = Instant::now();
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let tasks: Vec<_> = (0..CALLS)
        .map(|_| {
            let arrive = ms(random.below(CALLS as u64 * 13));
            let hold = ms(random.below(60));
            tokio::spawn(async move {
                sleep(arrive).await;
                let permit = GATE.acquire().await;
                TIMES.lock().unwrap().push(Instant::now());
                let inside = INSIDE.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(inside, Ordering::SeqCst);
                sleep(hold).await;
                INSIDE.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
            })
        })
        .collect();
    soon(async {
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await;
    assert_eq!(
        MOST.load(Ordering::SeqCst),
        3,
        "the limit is reached, never passed"
    );
    // The line waited both for permits and for slots.
    let waits = GATE.stats().waits;
    assert!(Duration::ZERO < waits.for_rate, "{waits:?}");
    let mut times = TIMES.lock().unwrap().clone();
    times.sort();
    assert_every_window_conforms(&times, start, GATE.rate().unwrap());
}

#[tokio::test(start_paused = true)]
async fn try_acquire_takes_the_burst_then_waits_for_the_next_slot() {
    static GATE: Gate = Gate::new(8).with_rate(Rate::per_second(4).with_burst(2));
    let first = GATE.try_acquire().expect("the burst");
    let second = GATE.try_acquire().expect("the burst");
    assert!(GATE.try_acquire().is_none(), "no slot is due");
    assert_eq!(GATE.in_flight(), 2, "the refused call gave its permit back");
    assert_eq!(GATE.stats().admitted, 2, "and it was not counted");
    drop((first, second));
    advance(ms(249)).await;
    assert!(GATE.try_acquire().is_none());
    advance(ms(1)).await;
    assert!(GATE.try_acquire().is_some(), "one interval later");
}

#[tokio::test(start_paused = true)]
async fn set_rate_takes_effect_for_the_waiters_after_the_current_one() {
    static GATE: Gate = Gate::new(8).with_rate(Rate::per_second(1));
    static ORDER: Mutex<Vec<Instant>> = Mutex::new(Vec::new());
    let start = Instant::now();
    drop(GATE.acquire().await);
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            tokio::spawn(async {
                drop(GATE.acquire().await);
                ORDER.lock().unwrap().push(Instant::now());
            })
        })
        .collect();
    settle_tasks().await;
    // The head's slot was due at 1 s by the old rate; the ones after it come by the new one.
    GATE.set_rate(Rate::per_second(10));
    for task in tasks {
        soon(task).await.unwrap();
    }
    let at: Vec<Duration> = ORDER.lock().unwrap().iter().map(|t| *t - start).collect();
    assert_eq!(at, [1000, 1100, 1200].map(ms));
}

#[tokio::test(start_paused = true)]
async fn a_pause_holds_the_line_past_the_next_slot() {
    static GATE: Gate = Gate::new(8).with_rate(Rate::per_second(10));
    let start = Instant::now();
    drop(GATE.acquire().await);
    GATE.pause_for(ms(350));
    let waiter = tokio::spawn(async {
        drop(GATE.acquire().await);
        Instant::now()
    });
    assert_eq!(soon(waiter).await.unwrap() - start, ms(350));
}
