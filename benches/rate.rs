//! A gate's rate next to governor, the GCRA crate users would pick instead, in the same run:
//!
//! - **check**: the cost of an uncontended admission, 10,000,000 in a row on one thread, with a
//!   rate so high that every call goes through: a gate without a rate (`Gate::try_acquire`, the
//!   permit alone), the same gate with a rate (the permit and the rate slot), and governor's
//!   `check()` (a rate slot, no permit). Median of five rounds, taken in turn.
//! - **accuracy**: 10,000 admissions in a row at 1,000/s on the real clock, with a burst of 1
//!   and of 2: a gate's, a `join_bounded!`'s starts, and governor's; the achieved rate.
//! - **waiting**: 1,000 tasks on a 2-worker tokio runtime, 5 admissions each, contending for
//!   1,000/s: the gate's `acquire`, governor's `until_ready`, and `until_ready_with_jitter` (up
//!   to 1 ms). The achieved rate; the gaps between admissions; how many admissions went
//!   through more than half an interval after an admission of a later request (out of first
//!   come, first served order); and the process's CPU time for the run (from
//!   `/proc/self/stat`, Linux only).
//!
//! `cargo bench --bench rate` prints the tables. Under `cargo test --all-targets` (no
//! `--bench`) it runs each part once on a small input, as a smoke test.

use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bounded_async::{Gate, MAX_PERMITS, Rate};
use governor::{Jitter, Quota, RateLimiter};

/// A rate no run reaches: one per nanosecond, with a burst as large as a gate allows.
const UNREACHED: Rate = Rate::per_second(1_000_000_000).with_burst(u32::MAX);

static PLAIN: Gate = Gate::new(8);
static PACED: Gate = Gate::new(8).with_rate(UNREACHED);

/// Nanoseconds per call of `call`, over `n` calls.
fn per_call(n: u64, mut call: impl FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(black_box(call()), "the rate is never reached");
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn check(n: u64, rounds: usize) {
    let governor =
        RateLimiter::direct(Quota::per_second(NonZeroU32::MAX).allow_burst(NonZeroU32::MAX));
    let (mut plain, mut paced, mut governed) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        plain.push(per_call(n, || PLAIN.try_acquire().is_some()));
        paced.push(per_call(n, || PACED.try_acquire().is_some()));
        governed.push(per_call(n, || governor.check().is_ok()));
    }
    let (plain, paced, governed) = (median(plain), median(paced), median(governed));
    println!("\ncheck: {n} uncontended admissions in a row, median of {rounds} rounds");
    println!("{:<52} {:>10} {:>14}", "", "ns/call", "vs governor");
    for (name, value) in [
        ("Gate::try_acquire, no rate (the permit alone)", plain),
        ("Gate::try_acquire, with a rate (permit and slot)", paced),
        ("governor check() (a slot, no permit)", governed),
        ("the rate's share: with a rate minus without", paced - plain),
    ] {
        println!("{name:<52} {value:>10.2} {:>13.2}x", value / governed);
    }
}

fn accuracy(n: u64, per_second: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    println!("\naccuracy: {n} admissions in a row at {per_second}/s, on the real clock");
    println!(
        "{:<38} {:>10} {:>12} {:>10}",
        "", "time", "rate", "of target"
    );
    for burst in [1, 2] {
        let rate = Rate::per_second(per_second.into()).with_burst(burst);
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(MAX_PERMITS).with_rate(rate)));
        // The same burst as the gate's: governor's default burst is the whole second's quota.
        let governor = RateLimiter::direct(
            Quota::per_second(NonZeroU32::new(per_second).unwrap())
                .allow_burst(NonZeroU32::new(burst).unwrap()),
        );
        let ours = runtime.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                drop(gate.acquire().await);
            }
            start.elapsed()
        });
        let theirs = runtime.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                governor.until_ready().await;
            }
            start.elapsed()
        });
        // A join's starts, paced by the join itself: each future is the start.
        let join = runtime.block_on(async {
            let start = Instant::now();
            let started = bounded_async::join_bounded!(limit = 8, rate = rate;
                for _ in 0..n => async {});
            assert_eq!(started.len() as u64, n);
            start.elapsed()
        });
        for (name, elapsed) in [
            (format!("bounded-async Gate, burst {burst}"), ours),
            (format!("bounded-async join_bounded!, burst {burst}"), join),
            (format!("governor until_ready, burst {burst}"), theirs),
        ] {
            // The burst goes through at once, so n admissions take n - burst intervals.
            let achieved = (n - u64::from(burst)) as f64 / elapsed.as_secs_f64();
            println!(
                "{name:<38} {:>9.3}s {:>10.1}/s {:>9.2}%",
                elapsed.as_secs_f64(),
                achieved,
                100.0 * achieved / f64::from(per_second)
            );
        }
    }
}

/// The process's CPU time so far (user and system), from `/proc/self/stat`, if readable.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces, inside parentheses).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel's USER_HZ, 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// One waiting run: `tasks` tasks, each asking `each` times; `admit` waits for one admission.
/// Returns the elapsed time, the sorted gaps between admissions, how many went through ahead of
/// an earlier request, and the CPU time used.
fn waiting_run<F>(
    tasks: u64,
    each: u64,
    admit: fn() -> F,
) -> (Duration, Vec<Duration>, u64, Option<Duration>)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    static TICKETS: AtomicU64 = AtomicU64::new(0);
    static ADMITTED: Mutex<Vec<(u64, Instant)>> = Mutex::new(Vec::new());
    TICKETS.store(0, Ordering::SeqCst);
    ADMITTED.lock().unwrap().clear();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let cpu_before = cpu_time();
    let start = Instant::now();
    runtime.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..each {
                        let ticket = TICKETS.fetch_add(1, Ordering::SeqCst);
                        admit().await;
                        ADMITTED.lock().unwrap().push((ticket, Instant::now()));
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    let elapsed = start.elapsed();
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| after - before);
    let mut admitted = ADMITTED.lock().unwrap().clone();
    admitted.sort_by_key(|(_, at)| *at);
    // Out of order: went through more than half an interval (0.5 ms) after an admission of a
    // later request. Tasks woken together record their times in any order, so closer ones are
    // not counted.
    let mut out_of_order = 0;
    let mut before = 0;
    let mut highest_before = None;
    for (ticket, at) in &admitted {
        while before < admitted.len() && admitted[before].1 + Duration::from_micros(500) < *at {
            highest_before = highest_before.max(Some(admitted[before].0));
            before += 1;
        }
        if highest_before.is_some_and(|highest| highest > *ticket) {
            out_of_order += 1;
        }
    }
    let mut gaps: Vec<Duration> = admitted
        .windows(2)
        .map(|pair| pair[1].1.saturating_duration_since(pair[0].1))
        .collect();
    gaps.sort();
    (elapsed, gaps, out_of_order, cpu)
}

static WAITING_GATE: Gate = Gate::new(MAX_PERMITS).with_rate(Rate::per_second(1_000));
static WAITING_GOVERNOR: std::sync::LazyLock<governor::DefaultDirectRateLimiter> =
    std::sync::LazyLock::new(|| {
        RateLimiter::direct(
            Quota::per_second(NonZeroU32::new(1_000).unwrap()).allow_burst(NonZeroU32::MIN),
        )
    });

fn waiting(tasks: u64, each: u64) {
    let gate = waiting_run(tasks, each, || async { drop(WAITING_GATE.acquire().await) });
    let plain = waiting_run(tasks, each, || async {
        WAITING_GOVERNOR.until_ready().await
    });
    let jittered = waiting_run(tasks, each, || async {
        WAITING_GOVERNOR
            .until_ready_with_jitter(Jitter::up_to(Duration::from_millis(1)))
            .await
    });
    let n = tasks * each;
    println!("\nwaiting: {tasks} tasks x {each} admissions at 1000/s, 2 workers, real clock");
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>9} {:>13} {:>9}",
        "", "time", "rate", "gap p50", "gap p99", "gap max", "out of order", "CPU"
    );
    for (name, (elapsed, gaps, out_of_order, cpu)) in [
        ("bounded-async Gate::acquire", gate),
        ("governor until_ready", plain),
        ("governor until_ready_with_jitter", jittered),
    ] {
        let at = |q: f64| gaps[((gaps.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
        println!(
            "{name:<34} {:>7.3}s {:>7.1}/s {:>7.3}ms {:>7.3}ms {:>7.3}ms {:>13} {:>9}",
            elapsed.as_secs_f64(),
            (n - 1) as f64 / elapsed.as_secs_f64(),
            at(0.5),
            at(0.99),
            at(1.0),
            out_of_order,
            cpu.map_or("n/a".to_owned(), |cpu| format!("{:.2}s", cpu.as_secs_f64())),
        );
    }
}

fn main() {
    if std::env::args().any(|arg| arg == "--bench") {
        check(10_000_000, 5);
        accuracy(10_000, 1_000);
        waiting(1_000, 5);
    } else {
        check(1_000, 1);
        accuracy(20, 1_000);
        waiting(10, 2);
    }
}
