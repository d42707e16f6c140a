//! `#[bounded]` gives its permits back whatever way a call ends (a value, an `Err`, a panic, a
//! dropped future, in the body or still in line), and waiters get in first come first served.
//!
//! Most tests use `limit = 1`: the next call can only run if the previous one gave its permit
//! back, so "the next call completes on its first poll" proves the release, without waiting on a
//! clock. Every test uses its own functions and pools (one `static` semaphore each).

mod common;

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;

use bounded_async::{Semaphore, bounded, pool};
use common::{Gate, Gauge, Log, panic_message, poll_once, poll_to_completion, yield_now};
use futures::FutureExt;

type BoxedCall<T> = Pin<Box<dyn Future<Output = T>>>;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 1)]
async fn parse_one(input: &'static str) -> Result<u32, String> {
    let n: u32 = input
        .parse()
        .map_err(|_| format!("not a number: {input}"))?;
    if n == 0 {
        return Err("zero".to_owned());
    }
    Ok(n)
}

#[test]
fn the_permit_is_released_after_an_err_return() {
    // `?` and an explicit `return Err(..)` both give the permit back: with `limit = 1`, every
    // later call runs to completion on its first poll.
    let calls = [
        ("x", Err("not a number: x".to_owned())),
        ("0", Err("zero".to_owned())),
        ("y", Err("not a number: y".to_owned())),
        ("7", Ok(7)),
    ];
    for (input, expected) in calls {
        let output = parse_one(input)
            .now_or_never()
            .unwrap_or_else(|| panic!("the call on {input:?} waits: a permit was not released"));
        assert_eq!(output, expected);
    }
}

pool!(ERR_POOL = 1);

#[bounded(pool = ERR_POOL, limit = 1)]
async fn fail_in_pool(gate: Gate) -> Result<(), &'static str> {
    gate.wait().await;
    Err("failed")
}

#[test]
fn an_err_return_releases_the_pool_permit_too() {
    let gate = Gate::new();
    let mut first = Box::pin(fail_in_pool(gate.clone()));
    let mut second = Box::pin(fail_in_pool(gate.clone()));
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert_eq!((ERR_POOL.in_flight(), ERR_POOL.waiting()), (1, 0));
    gate.open();
    assert_eq!(poll_to_completion(first.as_mut(), 10), Err("failed"));
    assert_eq!(poll_to_completion(second.as_mut(), 10), Err("failed"));
    assert_eq!((ERR_POOL.in_flight(), ERR_POOL.waiting()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 1)]
async fn maybe_panic(id: u32, panics: bool) -> u32 {
    yield_now().await;
    if panics {
        panic!("call {id} panicked");
    }
    id
}

#[tokio::test(flavor = "current_thread")]
async fn the_permit_is_released_after_a_panic_in_a_spawned_call() {
    let panicked = tokio::spawn(maybe_panic(1, true)).await;
    let error = panicked.expect_err("the body panicked");
    assert!(error.is_panic());
    assert_eq!(panic_message(&*error.into_panic()), Some("call 1 panicked"));

    // With `limit = 1`, the next call only gets in if the panic gave the permit back.
    let next = tokio::spawn(maybe_panic(2, false)).await.unwrap();
    assert_eq!(next, 2);
}

#[bounded(limit = 1)]
async fn panic_after_gate(gate: Gate, log: Log<&'static str>, name: &'static str) {
    gate.wait().await;
    log.push(name);
    if name == "panics" {
        panic!("{name}");
    }
}

#[test]
fn a_caller_waiting_behind_a_panicking_call_gets_in() {
    let gate = Gate::new();
    let log = Log::new();
    let mut panicking = Box::pin(panic_after_gate(gate.clone(), log.clone(), "panics"));
    let mut waiting = Box::pin(panic_after_gate(gate.clone(), log.clone(), "waits"));
    assert!(poll_once(panicking.as_mut()).is_pending());
    assert!(
        poll_once(waiting.as_mut()).is_pending(),
        "queued behind the first call"
    );

    gate.open();
    let caught = panic::catch_unwind(AssertUnwindSafe(|| poll_once(panicking.as_mut())));
    let payload = caught.expect_err("the body panics");
    assert_eq!(panic_message(&*payload), Some("panics"));
    // The panic unwound through the call's frame while it was being polled; the future is
    // now finished (a panicked async fn is never polled again), so drop it like an executor would.
    drop(panicking);

    assert!(
        poll_once(waiting.as_mut()).is_ready(),
        "the panic handed the permit to the waiting call"
    );
    assert_eq!(log.snapshot(), ["panics", "waits"]);
}

pool!(PANIC_POOL = 2);

#[bounded(pool = PANIC_POOL)]
async fn panic_in_pool() {
    panic!("pool call panicked");
}

#[test]
fn a_panic_releases_the_pool_permit() {
    for _ in 0..3 {
        let caught = panic::catch_unwind(|| futures::executor::block_on(panic_in_pool()));
        assert_eq!(
            panic_message(&*caught.expect_err("the body panics")),
            Some("pool call panicked")
        );
        assert_eq!((PANIC_POOL.in_flight(), PANIC_POOL.waiting()), (0, 0));
    }
}

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

/// Defines a `limit = 1` function for one test (tests run in parallel; each needs its own
/// limit).
macro_rules! cancel_in_body {
    ($name:ident) => {
        #[bounded(limit = 1)]
        async fn $name(gauge: Gauge, gate: Option<Gate>) -> &'static str {
            let _inside = gauge.enter();
            if let Some(gate) = gate {
                gate.wait().await;
            }
            "done"
        }
    };
}

cancel_in_body!(cancel_in_body_alone);
cancel_in_body!(cancel_in_body_with_waiter);

#[test]
fn dropping_a_call_inside_its_body_releases_the_permit() {
    let gauge = Gauge::new();
    let mut holder = Box::pin(cancel_in_body_alone(gauge.clone(), Some(Gate::new())));
    assert!(poll_once(holder.as_mut()).is_pending());
    assert_eq!(
        gauge.current(),
        1,
        "the call is inside its body, holding the permit"
    );

    drop(holder);
    assert_eq!(gauge.current(), 0);
    let next = cancel_in_body_alone(gauge.clone(), None).now_or_never();
    assert_eq!(next, Some("done"), "the dropped call gave its permit back");
}

#[test]
fn dropping_a_call_inside_its_body_hands_the_permit_to_the_next_in_line() {
    let gauge = Gauge::new();
    let mut holder = Box::pin(cancel_in_body_with_waiter(gauge.clone(), Some(Gate::new())));
    let mut waiter = Box::pin(cancel_in_body_with_waiter(gauge.clone(), None));
    assert!(poll_once(holder.as_mut()).is_pending());
    assert!(poll_once(waiter.as_mut()).is_pending());
    assert_eq!(gauge.current(), 1);

    drop(holder);
    assert!(poll_once(waiter.as_mut()).is_ready());
    assert_eq!(gauge.entered(), 2);
}

macro_rules! cancel_in_line {
    ($name:ident) => {
        #[bounded(limit = 1)]
        async fn $name(log: Log<u32>, id: u32, gate: Gate) -> u32 {
            log.push(id);
            gate.wait().await;
            id
        }
    };
}

cancel_in_line!(cancel_while_queued);
cancel_in_line!(cancel_once_granted);

#[test]
fn dropping_a_call_waiting_in_line_lets_the_one_behind_it_in() {
    let log = Log::new();
    let holder_gate = Gate::new();
    let open = Gate::new();
    open.open();
    let mut holder = Box::pin(cancel_while_queued(log.clone(), 1, holder_gate.clone()));
    let mut dropped = Box::pin(cancel_while_queued(log.clone(), 2, open.clone()));
    let mut behind = Box::pin(cancel_while_queued(log.clone(), 3, open.clone()));
    assert!(poll_once(holder.as_mut()).is_pending());
    assert!(poll_once(dropped.as_mut()).is_pending());
    assert!(poll_once(behind.as_mut()).is_pending());
    assert_eq!(log.snapshot(), [1]);

    drop(dropped);
    holder_gate.open();
    assert_eq!(poll_once(holder.as_mut()), std::task::Poll::Ready(1));
    assert_eq!(
        poll_once(behind.as_mut()),
        std::task::Poll::Ready(3),
        "the call behind the dropped one got the permit"
    );
    assert_eq!(log.snapshot(), [1, 3]);

    // And the permit is free again afterwards.
    let again = cancel_while_queued(log.clone(), 4, open.clone()).now_or_never();
    assert_eq!(again, Some(4));
}

#[test]
fn dropping_a_call_granted_the_permit_before_it_ran_passes_the_permit_on() {
    let log = Log::new();
    let holder_gate = Gate::new();
    let open = Gate::new();
    open.open();
    let mut holder = Box::pin(cancel_once_granted(log.clone(), 11, holder_gate.clone()));
    let mut granted = Box::pin(cancel_once_granted(log.clone(), 12, open.clone()));
    let mut behind = Box::pin(cancel_once_granted(log.clone(), 13, open.clone()));
    assert!(poll_once(holder.as_mut()).is_pending());
    assert!(poll_once(granted.as_mut()).is_pending());
    assert!(poll_once(behind.as_mut()).is_pending());

    // The holder finishes: its permit is handed to `granted`, which is dropped before it is
    // polled again (as when a `select!` picks another branch).
    holder_gate.open();
    assert!(poll_once(holder.as_mut()).is_ready());
    drop(granted);

    assert_eq!(
        poll_once(behind.as_mut()),
        std::task::Poll::Ready(13),
        "the permit granted to the dropped call went on to the next in line"
    );
    assert_eq!(log.snapshot(), [11, 13]);
    assert_eq!(
        cancel_once_granted(log.clone(), 14, open.clone()).now_or_never(),
        Some(14)
    );
}

pool!(MIXED_POOL = 1);

#[bounded(pool = MIXED_POOL, limit = 1)]
async fn own_limit_then_pool() -> &'static str {
    "mixed"
}

#[bounded(pool = MIXED_POOL)]
async fn pool_holder(gate: Gate) {
    gate.wait().await;
}

#[test]
fn dropping_a_call_waiting_for_the_pool_releases_its_own_limit() {
    let gate = Gate::new();
    let mut holder = Box::pin(pool_holder(gate.clone()));
    assert!(poll_once(holder.as_mut()).is_pending());

    // This call takes its function's own permit, then waits for the pool.
    let mut waiting = Box::pin(own_limit_then_pool());
    assert!(poll_once(waiting.as_mut()).is_pending());
    assert_eq!((MIXED_POOL.in_flight(), MIXED_POOL.waiting()), (1, 1));

    drop(waiting);
    assert_eq!((MIXED_POOL.in_flight(), MIXED_POOL.waiting()), (1, 0));
    gate.open();
    assert!(poll_once(holder.as_mut()).is_ready());
    assert_eq!(MIXED_POOL.in_flight(), 0);

    // If the dropped call had kept its own-limit permit, this would wait forever.
    assert_eq!(own_limit_then_pool().now_or_never(), Some("mixed"));
}

#[tokio::test(flavor = "current_thread")]
async fn aborting_spawned_calls_releases_their_permits() {
    pool!(ABORT_POOL = 2);

    #[bounded(pool = ABORT_POOL)]
    async fn forever() {
        std::future::pending::<()>().await;
    }

    let tasks: Vec<_> = (0..5).map(|_| tokio::spawn(forever())).collect();
    common::yield_until("two calls hold the pool and three wait", || {
        (ABORT_POOL.in_flight(), ABORT_POOL.waiting()) == (2, 3)
    })
    .await;
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        assert!(task.await.unwrap_err().is_cancelled());
    }
    assert_eq!((ABORT_POOL.in_flight(), ABORT_POOL.waiting()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// First come, first served
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 1)]
async fn in_order(log: Log<usize>, id: usize, gate: Gate) {
    log.push(id);
    gate.wait().await;
    yield_now().await;
}

#[test]
fn waiters_enter_in_the_order_they_arrived() {
    let log = Log::new();
    let holder_gate = Gate::new();
    let open = Gate::new();
    open.open();
    let mut holder = Box::pin(in_order(log.clone(), 0, holder_gate.clone()));
    assert!(poll_once(holder.as_mut()).is_pending());

    // Callers 1..=10 arrive in order; each is in line before the next one starts.
    let mut callers: Vec<Option<BoxedCall<()>>> = (1..=10)
        .map(|id| {
            let mut call: BoxedCall<()> = Box::pin(in_order(log.clone(), id, open.clone()));
            assert!(poll_once(call.as_mut()).is_pending(), "caller {id} waits");
            Some(call)
        })
        .collect();
    assert_eq!(log.snapshot(), [0]);

    holder_gate.open();
    poll_to_completion(holder.as_mut(), 10);

    // Poll the callers in reverse order: a semaphore that let whoever polls first take a freed
    // permit would let caller 10 in first.
    for _ in 0..100 {
        for caller in callers.iter_mut().rev() {
            if let Some(call) = caller
                && poll_once(call.as_mut()).is_ready()
            {
                *caller = None;
            }
        }
    }
    assert!(callers.iter().all(Option::is_none), "every caller finished");
    assert_eq!(log.snapshot(), (0..=10).collect::<Vec<_>>());
}

#[tokio::test(flavor = "current_thread")]
async fn spawned_waiters_on_a_pool_enter_in_the_order_they_arrived() {
    pool!(FIFO_POOL = 1);

    #[bounded(pool = FIFO_POOL)]
    async fn enter(log: Log<usize>, id: usize, gate: Gate) {
        log.push(id);
        gate.wait().await;
    }

    let log = Log::new();
    let gate = Gate::new();
    let holder = tokio::spawn(enter(log.clone(), 0, gate.clone()));
    common::yield_until("the holder is inside", || log.snapshot() == [0]).await;

    let open = Gate::new();
    open.open();
    let mut callers = Vec::new();
    for id in 1..=10 {
        callers.push(tokio::spawn(enter(log.clone(), id, open.clone())));
        common::yield_until("the caller is in line", || FIFO_POOL.waiting() == id).await;
    }
    gate.open();
    holder.await.unwrap();
    for caller in callers {
        caller.await.unwrap();
    }
    assert_eq!(log.snapshot(), (0..=10).collect::<Vec<_>>());
    assert_eq!((FIFO_POOL.in_flight(), FIFO_POOL.waiting()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// The raw semaphore
// ---------------------------------------------------------------------------------------------

#[test]
fn try_acquire_does_not_barge_past_a_waiter() {
    static ONE: Semaphore = Semaphore::new(1);
    assert_eq!(ONE.capacity(), 1);

    let held = ONE.try_acquire().expect("the permit is free");
    let mut waiter = Box::pin(ONE.acquire());
    assert!(poll_once(waiter.as_mut()).is_pending());
    assert_eq!((ONE.in_flight(), ONE.waiting()), (1, 1));
    assert!(ONE.try_acquire().is_none(), "the permit is held");

    // Released: the permit goes to the waiter, not to whoever asks next.
    drop(held);
    assert!(
        ONE.try_acquire().is_none(),
        "try_acquire took the permit released for the waiter"
    );
    assert_eq!((ONE.in_flight(), ONE.waiting()), (1, 0));
    let permit = match poll_once(waiter.as_mut()) {
        std::task::Poll::Ready(permit) => permit,
        std::task::Poll::Pending => panic!("the waiter was handed the released permit"),
    };
    drop(permit);
    assert_eq!(ONE.in_flight(), 0);
    assert!(ONE.try_acquire().is_some(), "free again once nobody waits");
}

#[test]
fn try_acquire_does_not_barge_while_others_wait_for_a_multi_permit_semaphore() {
    static THREE: Semaphore = Semaphore::new(3);
    let held: Vec<_> = (0..3).map(|_| THREE.try_acquire().unwrap()).collect();
    let mut first = Box::pin(THREE.acquire());
    let mut second = Box::pin(THREE.acquire());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert_eq!(THREE.waiting(), 2);

    let mut held = held.into_iter();
    drop(held.next());
    // One waiter is still in line: nothing may be taken past it.
    assert!(THREE.try_acquire().is_none());
    assert!(poll_once(second.as_mut()).is_pending(), "second in line");
    let std::task::Poll::Ready(first_permit) = poll_once(first.as_mut()) else {
        panic!("the first in line was handed the released permit");
    };
    assert_eq!((THREE.in_flight(), THREE.waiting()), (3, 1));

    drop(held.next());
    assert!(THREE.try_acquire().is_none());
    let std::task::Poll::Ready(second_permit) = poll_once(second.as_mut()) else {
        panic!("the second in line was handed the next released permit");
    };
    assert_eq!((THREE.in_flight(), THREE.waiting()), (3, 0));
    assert!(THREE.try_acquire().is_none(), "all three permits are held");
    drop((first_permit, second_permit, held));
    assert_eq!(THREE.in_flight(), 0);
}

#[test]
fn a_cancelled_waiter_leaves_the_semaphore_usable() {
    static TWO: Semaphore = Semaphore::new(2);
    let a = TWO.try_acquire().unwrap();
    let b = TWO.try_acquire().unwrap();
    let mut waiter = Box::pin(TWO.acquire());
    assert!(poll_once(waiter.as_mut()).is_pending());
    assert_eq!(TWO.waiting(), 1);

    drop(waiter);
    assert_eq!((TWO.in_flight(), TWO.waiting()), (2, 0));
    assert!(TWO.try_acquire().is_none(), "both permits are still held");

    // With nobody waiting any more, a released permit is free for anyone.
    drop(a);
    let c = TWO
        .try_acquire()
        .expect("a released permit is free once nobody waits");
    drop((b, c));
    assert_eq!(TWO.in_flight(), 0);
}

#[test]
fn a_waiter_granted_a_permit_and_dropped_passes_it_on() {
    static SINGLE: Semaphore = Semaphore::new(1);
    let held = SINGLE.try_acquire().unwrap();
    let mut granted = Box::pin(SINGLE.acquire());
    let mut next = Box::pin(SINGLE.acquire());
    assert!(poll_once(granted.as_mut()).is_pending());
    assert!(poll_once(next.as_mut()).is_pending());

    drop(held);
    drop(granted);
    assert_eq!((SINGLE.in_flight(), SINGLE.waiting()), (1, 0));
    assert!(poll_once(next.as_mut()).is_ready());
    assert_eq!(
        SINGLE.in_flight(),
        0,
        "the permit was dropped with the ready future's output"
    );
}

// ---------------------------------------------------------------------------------------------
// Cancellations racing with releases on many threads
// ---------------------------------------------------------------------------------------------

pool!(RACE_POOL = 3);

#[bounded(pool = RACE_POOL, limit = 2)]
async fn racing_limited(pool: Gauge, own: Gauge) {
    let _inside = pool.enter();
    let _own = own.enter();
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
}

#[bounded(pool = RACE_POOL)]
async fn racing_pooled(pool: Gauge) {
    let _inside = pool.enter();
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
}

// Under Miri, which interprets every instruction, fewer calls on fewer threads: enough to race
// cancellations with releases, in minutes rather than hours.
#[cfg_attr(not(miri), tokio::test(flavor = "multi_thread", worker_threads = 4))]
#[cfg_attr(miri, tokio::test(flavor = "multi_thread", worker_threads = 2))]
async fn calls_cancelled_at_any_point_on_many_threads_leak_no_permit() {
    use std::time::Duration;

    const CALLS: u64 = if cfg!(miri) { 100 } else { 600 };

    let pool = Gauge::new();
    let own = Gauge::new();
    let mut tasks = Vec::new();
    for i in 0..CALLS {
        let (pool, own) = (pool.clone(), own.clone());
        // Some calls are cut short by a timeout (in line or in their body, whichever comes),
        // some are aborted from outside, the rest finish.
        let deadline = Duration::from_micros((i % 5) * 200);
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let _ = tokio::time::timeout(deadline, racing_limited(pool, own)).await;
            } else {
                let _ = tokio::time::timeout(deadline, racing_pooled(pool)).await;
            }
        }));
        if i % 7 == 3 {
            tasks[tasks.len() - 2].abort();
        }
    }
    common::no_deadlock("racing calls", async {
        for task in tasks {
            // Aborted tasks end cancelled; the others finish.
            let _ = task.await;
        }
    })
    .await;

    assert!(
        pool.max() <= 3,
        "{} calls were inside a pool of 3",
        pool.max()
    );
    assert!(
        own.max() <= 2,
        "{} calls were inside a limit of 2",
        own.max()
    );
    assert_eq!((pool.current(), own.current()), (0, 0));
    assert_eq!(
        (RACE_POOL.in_flight(), RACE_POOL.waiting()),
        (0, 0),
        "every permit came back and nobody is left in line"
    );
    // Both limits still let their full count in.
    let probe = Gauge::new();
    let mut held: Vec<_> = (0..2)
        .map(|_| Box::pin(racing_limited(probe.clone(), Gauge::new())))
        .collect();
    for call in &mut held {
        assert!(poll_once(call.as_mut()).is_pending(), "inside, yielding");
    }
    assert_eq!(probe.current(), 2, "the function's own limit of 2 is whole");
    assert_eq!(RACE_POOL.in_flight(), 2);
}
