//! A gate's limit changed and the gate paused at random while calls come and go on several
//! threads, some cancelled while they wait and some while they hold a permit: nothing ever runs
//! over the limit, no waiter is stranded by a pause, and everything drains to zero.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bounded_async::Gate;
use common::Random;

const MAX: usize = 12;

static GATE: Gate = Gate::new(4).with_max(MAX);

/// Calls inside the gate (counted after admission, uncounted before the permit goes back).
static INSIDE: AtomicUsize = AtomicUsize::new(0);
/// The most `INSIDE` may be: raised before the gate's limit is raised, lowered only once the
/// gate has drained to the lowered limit (lowering revokes nothing, so until then more may be
/// inside).
static CEILING: AtomicUsize = AtomicUsize::new(4);
/// Admissions that found more calls inside than the ceiling, and the most found.
static OVER: AtomicUsize = AtomicUsize::new(0);
static MOST_OVER: AtomicUsize = AtomicUsize::new(0);

/// Counts a call out of `INSIDE` when dropped, even when the call is cancelled inside.
struct Inside;

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn call(yields: u64) {
    let permit = GATE.acquire().await;
    // Dropped before the permit, however the call ends.
    let inside_guard = Inside;
    let inside = INSIDE.fetch_add(1, Ordering::SeqCst) + 1;
    let ceiling = CEILING.load(Ordering::SeqCst);
    if inside > ceiling {
        OVER.fetch_add(1, Ordering::SeqCst);
        MOST_OVER.fetch_max(inside, Ordering::SeqCst);
    }
    for _ in 0..yields {
        tokio::task::yield_now().await;
    }
    drop(inside_guard);
    drop(permit);
}

/// Sets the limit to `limit`, keeping `CEILING` above what the gate may admit.
async fn set_limit(limit: usize) {
    if limit >= CEILING.load(Ordering::SeqCst) {
        CEILING.store(limit, Ordering::SeqCst);
        GATE.set_limit(limit).unwrap();
    } else {
        GATE.set_limit(limit).unwrap();
        // Calls admitted under the old limit finish first; nobody new gets in meanwhile.
        while GATE.in_flight() > limit {
            tokio::task::yield_now().await;
        }
        CEILING.store(limit, Ordering::SeqCst);
    }
}

#[cfg_attr(not(miri), tokio::test(flavor = "multi_thread", worker_threads = 4))]
#[cfg_attr(miri, tokio::test(flavor = "multi_thread", worker_threads = 2))]
async fn random_limits_pauses_and_cancellations_never_go_over_the_limit_and_drain_to_zero() {
    const CALLS: u64 = if cfg!(miri) { 60 } else { 2_000 };
    const CHANGES: u64 = if cfg!(miri) { 6 } else { 200 };
    const SETTERS: u64 = 3;
    const PAUSES: u64 = if cfg!(miri) { 4 } else { 100 };

    // The setters run on several threads, one change at a time (the ceiling follows each).
    let changes = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let mut setters = Vec::new();
    for seed in 0..SETTERS {
        let changes = changes.clone();
        setters.push(tokio::spawn(async move {
            let mut random = Random(0x9E37_79B9_7F4A_7C15 ^ (seed + 1));
            for _ in 0..CHANGES {
                let limit = 1 + random.below(MAX as u64) as usize;
                let one_at_a_time = changes.lock().await;
                set_limit(limit).await;
                drop(one_at_a_time);
                tokio::task::yield_now().await;
            }
        }));
    }

    // Short pauses now and then: the waiters at the head of the line in each keep the timer that
    // ends it, and some of them are cancelled meanwhile.
    setters.push(tokio::spawn(async {
        let mut random = Random(0x6A09_E667_F3BC_C908);
        for _ in 0..PAUSES {
            GATE.pause_for(Duration::from_micros(random.below(300)));
            for _ in 0..random.below(20) {
                tokio::task::yield_now().await;
            }
        }
    }));

    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let mut tasks = Vec::new();
    for i in 0..CALLS {
        let yields = random.below(4);
        // Some calls are cut short by a timeout (in line or inside, whichever comes), some are
        // aborted from outside, the rest finish.
        let deadline = Duration::from_micros(random.below(400));
        let timed = random.below(3) == 0;
        tasks.push(tokio::spawn(async move {
            if timed {
                let _ = tokio::time::timeout(deadline, call(yields)).await;
            } else {
                call(yields).await;
            }
        }));
        if i % 11 == 5 {
            tasks[tasks.len() - 2].abort();
        }
    }
    common::no_deadlock("calls and limit changes", async {
        for task in tasks.into_iter().chain(setters) {
            // Aborted tasks end cancelled; the others finish.
            let _ = task.await;
        }
    })
    .await;

    assert_eq!(
        OVER.load(Ordering::SeqCst),
        0,
        "{} calls found up to {} inside a lower limit",
        OVER.load(Ordering::SeqCst),
        MOST_OVER.load(Ordering::SeqCst)
    );
    assert_eq!(INSIDE.load(Ordering::SeqCst), 0);
    assert_eq!(
        (GATE.in_flight(), GATE.waiting()),
        (0, 0),
        "everything drained"
    );
    // The last limit holds exactly: no permit was lost or made up. (Once the last pause is over:
    // until then, nobody is admitted.)
    if let Some(until) = GATE.paused_until() {
        tokio::time::sleep_until(until).await;
    }
    let limit = GATE.limit();
    let all: Vec<_> = std::iter::from_fn(|| GATE.try_acquire()).collect();
    assert_eq!(all.len(), limit);
    drop(all);
    GATE.set_limit(MAX).unwrap();
    let all: Vec<_> = std::iter::from_fn(|| GATE.try_acquire()).collect();
    assert_eq!(all.len(), MAX);
}

static MIXED: Gate = Gate::new(3).with_queue(4);

#[cfg_attr(not(miri), tokio::test(flavor = "multi_thread", worker_threads = 4))]
#[cfg_attr(miri, tokio::test(flavor = "multi_thread", worker_threads = 2))]
async fn stats_add_up_after_a_mixed_run_admitted_plus_rejected_is_calls() {
    const CALLS: u64 = if cfg!(miri) { 60 } else { 2_000 };
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            tokio::spawn(async move {
                // Half wait whatever the queue; the other half can be refused.
                if i % 2 == 0 {
                    let _permit = MIXED.acquire().await;
                    tokio::task::yield_now().await;
                } else if let Ok(_permit) = MIXED.admit().await {
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    common::no_deadlock("a mixed run", async {
        for task in tasks {
            task.await.expect("no call panics");
        }
    })
    .await;
    let stats = MIXED.stats();
    assert_eq!(stats.admitted + stats.rejected.total(), CALLS);
    assert_eq!((stats.in_flight, stats.waiting), (0, 0));
    assert!(stats.peak_in_flight <= 3);
    assert!(stats.waits.count <= stats.admitted);
}
