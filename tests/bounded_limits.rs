//! `#[bounded(limit = N)]` and `pool!`: never more than the limit run at once, the limit is
//! actually reached, pools are shared between functions, generic functions and methods share one
//! limit per function item, and pools report what they hold.
//!
//! Every test uses its own functions and pools: each annotated function has one `static`
//! semaphore, and the tests of this file run in parallel.

mod common;

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;

use bounded_async::{bounded, pool};
use common::{FirstWave, Gate, Gauge, no_deadlock, overlap, poll_once, poll_to_completion};
use futures::future::join_all;

type BoxedCall<T> = Pin<Box<dyn Future<Output = T>>>;

/// Polls each call once; returns how many were still pending.
fn poll_each<T>(calls: &mut [BoxedCall<T>]) -> usize {
    let mut pending = 0;
    for call in calls {
        if poll_once(call.as_mut()).is_pending() {
            pending += 1;
        }
    }
    pending
}

/// Drives calls (whose gate is open) to completion, by hand.
fn finish_all<T>(calls: Vec<BoxedCall<T>>) -> Vec<T> {
    poll_to_completion(pin!(join_all(calls)), 1_000)
}

// ---------------------------------------------------------------------------------------------
// A function's own limit
// ---------------------------------------------------------------------------------------------

const CALLERS: usize = 300;

#[bounded(limit = 8)]
async fn limit_eight(gauge: Gauge, wave: FirstWave) {
    let _inside = gauge.enter();
    wave.arrive().await;
    overlap().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_most_limit_calls_run_at_once_under_300_spawned_callers_and_the_limit_is_reached() {
    let gauge = Gauge::new();
    let wave = FirstWave::new(8);
    let calls: Vec<_> = (0..CALLERS)
        .map(|_| tokio::spawn(limit_eight(gauge.clone(), wave.clone())))
        .collect();
    no_deadlock("300 calls of a limit-8 function", async {
        for call in calls {
            call.await.expect("the body does not panic");
        }
    })
    .await;
    assert_eq!(gauge.max(), 8, "the most calls inside at once");
    assert_eq!(gauge.entered(), CALLERS, "every call ran its body");
    assert_eq!(gauge.current(), 0);
}

#[bounded(limit = 3)]
async fn limit_three(gauge: Gauge, gate: Gate, id: usize) -> usize {
    let _inside = gauge.enter();
    gate.wait().await;
    id
}

#[test]
fn the_call_past_the_limit_waits_until_a_running_call_finishes() {
    let gauge = Gauge::new();
    let gate = Gate::new();
    let mut calls: Vec<BoxedCall<usize>> = (0..5)
        .map(|id| Box::pin(limit_three(gauge.clone(), gate.clone(), id)) as BoxedCall<usize>)
        .collect();
    assert_eq!(poll_each(&mut calls), 5, "every body waits at the gate");
    assert_eq!(
        gauge.current(),
        3,
        "three calls entered, two wait for a permit"
    );

    // Polling the waiting calls again does not let them in.
    assert!(poll_once(calls[3].as_mut()).is_pending());
    assert!(poll_once(calls[4].as_mut()).is_pending());
    assert_eq!(gauge.current(), 3);

    gate.open();
    assert_eq!(poll_once(calls[0].as_mut()), Poll::Ready(0));
    assert_eq!(gauge.current(), 2, "a finished call leaves");
    // Its permit goes to the fourth call, which now runs (its gate is open: it finishes).
    assert_eq!(poll_once(calls[3].as_mut()), Poll::Ready(3));
    for i in [1, 2, 4] {
        assert_eq!(poll_to_completion(calls[i].as_mut(), 10), i);
    }
    assert_eq!(gauge.max(), 3);
    assert_eq!(gauge.current(), 0);
}

const HALF: usize = 2;

#[bounded(limit = 2 * HALF)]
async fn constant_expression_limit(gauge: Gauge, gate: Gate) {
    let _inside = gauge.enter();
    gate.wait().await;
}

#[test]
fn a_constant_expression_limit_is_the_bound() {
    let gauge = Gauge::new();
    let gate = Gate::new();
    let mut calls: Vec<BoxedCall<()>> = (0..6)
        .map(|_| Box::pin(constant_expression_limit(gauge.clone(), gate.clone())) as BoxedCall<()>)
        .collect();
    assert_eq!(poll_each(&mut calls), 6);
    assert_eq!(gauge.current(), 4, "limit = 2 * HALF lets exactly 4 in");
    gate.open();
    finish_all(calls);
    assert_eq!(gauge.max(), 4);
}

// ---------------------------------------------------------------------------------------------
// Pools shared by several functions
// ---------------------------------------------------------------------------------------------

pool!(SHARED = 6);

#[bounded(pool = SHARED)]
async fn shared_reader(pool: Gauge, wave: FirstWave) {
    let _inside = pool.enter();
    wave.arrive().await;
    overlap().await;
}

#[bounded(pool = SHARED)]
async fn shared_writer(pool: Gauge, wave: FirstWave) -> u8 {
    let _inside = pool.enter();
    wave.arrive().await;
    overlap().await;
    1
}

#[bounded(pool = SHARED, limit = 2)]
async fn shared_rebuild(pool: Gauge, own: Gauge, wave: FirstWave) -> Result<(), String> {
    let _inside = pool.enter();
    let _own = own.enter();
    wave.arrive().await;
    overlap().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pool_bounds_the_sum_over_the_functions_sharing_it_and_is_reached() {
    let pool = Gauge::new();
    let rebuild = Gauge::new();
    let wave = FirstWave::new(6);
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    let mut rebuilds = Vec::new();
    for _ in 0..100 {
        readers.push(tokio::spawn(shared_reader(pool.clone(), wave.clone())));
        writers.push(tokio::spawn(shared_writer(pool.clone(), wave.clone())));
        rebuilds.push(tokio::spawn(shared_rebuild(
            pool.clone(),
            rebuild.clone(),
            wave.clone(),
        )));
    }
    no_deadlock("300 calls over a pool of 6", async {
        for call in readers {
            call.await.unwrap();
        }
        for call in writers {
            assert_eq!(call.await.unwrap(), 1);
        }
        for call in rebuilds {
            assert_eq!(call.await.unwrap(), Ok(()));
        }
    })
    .await;
    assert_eq!(pool.max(), 6, "the most calls inside the pool at once");
    assert!(
        rebuild.max() <= 2,
        "the function with `limit = 2` had {} calls inside at once",
        rebuild.max()
    );
    assert_eq!(pool.entered(), 300);
    assert_eq!((SHARED.in_flight(), SHARED.waiting()), (0, 0));
}

pool!(BULKHEAD = 4);

#[bounded(pool = BULKHEAD)]
async fn bulkhead_load(pool: Gauge, gate: Gate) {
    let _inside = pool.enter();
    gate.wait().await;
}

#[bounded(pool = BULKHEAD)]
async fn bulkhead_store(pool: Gauge, gate: Gate) {
    let _inside = pool.enter();
    gate.wait().await;
}

#[bounded(pool = BULKHEAD, limit = 2)]
async fn bulkhead_rebuild(pool: Gauge, own: Gauge, gate: Gate) {
    let _inside = pool.enter();
    let _own = own.enter();
    gate.wait().await;
}

#[test]
fn a_function_with_pool_and_limit_is_held_to_its_own_limit_without_starving_the_pool() {
    let pool = Gauge::new();
    let own = Gauge::new();
    let gate = Gate::new();
    let rebuild =
        || Box::pin(bulkhead_rebuild(pool.clone(), own.clone(), gate.clone())) as BoxedCall<()>;
    let load = || Box::pin(bulkhead_load(pool.clone(), gate.clone())) as BoxedCall<()>;
    let store = || Box::pin(bulkhead_store(pool.clone(), gate.clone())) as BoxedCall<()>;

    // Three rebuilds: two run, the third waits for the function's own limit.
    let mut calls = vec![rebuild(), rebuild(), rebuild()];
    assert_eq!(poll_each(&mut calls), 3);
    assert_eq!(own.current(), 2, "limit = 2 of a pool of 4");
    assert_eq!(
        (BULKHEAD.in_flight(), BULKHEAD.waiting()),
        (2, 0),
        "the third rebuild waits for its own limit and takes no pool permit meanwhile"
    );

    // The pool's two other permits are still free for the other functions.
    calls.push(load());
    calls.push(store());
    assert_eq!(poll_each(&mut calls[3..]), 2);
    assert_eq!(pool.current(), 4);
    assert_eq!(BULKHEAD.in_flight(), 4);

    // Now the pool is full: the next call of any function waits for it.
    calls.push(load());
    calls.push(store());
    assert_eq!(poll_each(&mut calls[5..]), 2);
    assert_eq!(pool.current(), 4);
    assert_eq!((BULKHEAD.in_flight(), BULKHEAD.waiting()), (4, 2));

    gate.open();
    finish_all(calls);
    assert_eq!(pool.max(), 4);
    assert_eq!(own.max(), 2);
    assert_eq!(pool.entered(), 7);
    assert_eq!((BULKHEAD.in_flight(), BULKHEAD.waiting()), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Generic functions: one limit per function item
// ---------------------------------------------------------------------------------------------

#[bounded(limit = 3)]
async fn generic_held<T: Send + 'static>(gauge: Gauge, gate: Gate, value: T) -> T {
    let _inside = gauge.enter();
    gate.wait().await;
    value
}

#[test]
fn instantiations_of_a_generic_function_share_one_limit() {
    let gauge = Gauge::new();
    let gate = Gate::new();
    let mut numbers = vec![
        Box::pin(generic_held(gauge.clone(), gate.clone(), 1_u8)) as BoxedCall<u8>,
        Box::pin(generic_held(gauge.clone(), gate.clone(), 2_u8)),
    ];
    let mut text = Box::pin(generic_held(gauge.clone(), gate.clone(), String::from("a")));
    let mut bytes = Box::pin(generic_held(gauge.clone(), gate.clone(), vec![7_u8]));
    let mut third_number = Box::pin(generic_held(gauge.clone(), gate.clone(), 3_u8));

    assert_eq!(poll_each(&mut numbers), 2);
    assert!(poll_once(text.as_mut()).is_pending());
    assert_eq!(
        gauge.current(),
        3,
        "two `u8` calls and one `String` call are inside"
    );
    assert!(poll_once(bytes.as_mut()).is_pending());
    assert!(poll_once(third_number.as_mut()).is_pending());
    assert_eq!(
        gauge.current(),
        3,
        "a `Vec<u8>` call and a third `u8` call wait: the limit is shared, not per type"
    );

    gate.open();
    assert_eq!(finish_all(numbers), [1, 2]);
    assert_eq!(poll_to_completion(text.as_mut(), 10), "a");
    assert_eq!(poll_to_completion(bytes.as_mut(), 10), [7]);
    assert_eq!(poll_to_completion(third_number.as_mut(), 10), 3);
    assert_eq!(gauge.max(), 3);
}

#[bounded(limit = 3)]
async fn generic_spawned<T: Send + 'static>(gauge: Gauge, wave: FirstWave, value: T) -> T {
    let _inside = gauge.enter();
    wave.arrive().await;
    overlap().await;
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_with_two_type_parameters_stay_within_one_limit() {
    let gauge = Gauge::new();
    let wave = FirstWave::new(3);
    let mut numbers = Vec::new();
    let mut strings = Vec::new();
    for i in 0..150_u32 {
        numbers.push(tokio::spawn(generic_spawned(
            gauge.clone(),
            wave.clone(),
            i,
        )));
        strings.push(tokio::spawn(generic_spawned(
            gauge.clone(),
            wave.clone(),
            i.to_string(),
        )));
    }
    no_deadlock("300 calls of a generic function", async {
        for (i, call) in numbers.into_iter().enumerate() {
            assert_eq!(call.await.unwrap() as usize, i);
        }
        for (i, call) in strings.into_iter().enumerate() {
            assert_eq!(call.await.unwrap(), i.to_string());
        }
    })
    .await;
    assert_eq!(gauge.max(), 3, "both instantiations together");
    assert_eq!(gauge.entered(), 300);
}

// ---------------------------------------------------------------------------------------------
// Methods: one limit per method, shared by every instance
// ---------------------------------------------------------------------------------------------

struct Worker {
    name: &'static str,
}

impl Worker {
    #[bounded(limit = 2)]
    async fn held(&self, gauge: Gauge, gate: Gate) -> &'static str {
        let _inside = gauge.enter();
        gate.wait().await;
        self.name
    }

    #[bounded(limit = 2)]
    async fn spawned(self: Arc<Self>, gauge: Gauge, wave: FirstWave) -> &'static str {
        let _inside = gauge.enter();
        wave.arrive().await;
        overlap().await;
        self.name
    }
}

#[test]
fn a_method_limit_is_shared_by_every_instance() {
    let gauge = Gauge::new();
    let gate = Gate::new();
    let a = Worker { name: "a" };
    let b = Worker { name: "b" };
    let mut calls: Vec<Pin<Box<dyn Future<Output = &'static str> + '_>>> = vec![
        Box::pin(a.held(gauge.clone(), gate.clone())),
        Box::pin(b.held(gauge.clone(), gate.clone())),
        Box::pin(a.held(gauge.clone(), gate.clone())),
        Box::pin(b.held(gauge.clone(), gate.clone())),
    ];
    for call in &mut calls {
        assert!(poll_once(call.as_mut()).is_pending());
    }
    assert_eq!(
        gauge.current(),
        2,
        "one call on `a` and one on `b` fill the limit; the second call on each instance waits"
    );
    gate.open();
    let names = poll_to_completion(pin!(join_all(calls)), 1_000);
    assert_eq!(names, ["a", "b", "a", "b"]);
    assert_eq!(gauge.max(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_on_two_instances_stay_within_one_limit() {
    let gauge = Gauge::new();
    let wave = FirstWave::new(2);
    let a = Arc::new(Worker { name: "a" });
    let b = Arc::new(Worker { name: "b" });
    let calls: Vec<_> = (0..200)
        .map(|i| {
            let worker = if i % 2 == 0 { &a } else { &b };
            tokio::spawn(Arc::clone(worker).spawned(gauge.clone(), wave.clone()))
        })
        .collect();
    no_deadlock("200 method calls", async {
        for (i, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap(), if i % 2 == 0 { "a" } else { "b" });
        }
    })
    .await;
    assert_eq!(gauge.max(), 2, "both instances together");
    assert_eq!(gauge.entered(), 200);
}

// ---------------------------------------------------------------------------------------------
// Pool introspection
// ---------------------------------------------------------------------------------------------

pool!(pub INTROSPECTED = 3);

#[bounded(pool = INTROSPECTED)]
async fn introspected(gauge: Gauge, release: tokio::sync::oneshot::Receiver<()>) {
    let _inside = gauge.enter();
    // A dropped sender releases the call too.
    let _ = release.await;
}

#[test]
fn a_pool_reports_its_capacity_and_what_is_held_and_waiting() {
    assert_eq!(INTROSPECTED.capacity(), 3);
    assert_eq!((INTROSPECTED.in_flight(), INTROSPECTED.waiting()), (0, 0));

    let gauge = Gauge::new();
    let mut senders = Vec::new();
    let mut calls: Vec<Option<BoxedCall<()>>> = Vec::new();
    for _ in 0..5 {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        senders.push(Some(sender));
        calls.push(Some(Box::pin(introspected(gauge.clone(), receiver))));
    }
    let poll = |calls: &mut Vec<Option<BoxedCall<()>>>, i: usize| {
        let call = calls[i].as_mut().expect("not finished");
        let ready = poll_once(call.as_mut()).is_ready();
        if ready {
            calls[i] = None;
        }
        ready
    };

    for i in 0..5 {
        assert!(
            !poll(&mut calls, i),
            "call {i} waits (at the pool or in its body)"
        );
        let (held, waiting) = (i.min(2) + 1, i.saturating_sub(2));
        assert_eq!(
            (INTROSPECTED.in_flight(), INTROSPECTED.waiting()),
            (held, waiting),
            "after starting call {i}"
        );
    }
    assert_eq!(gauge.current(), 3);

    // Call 0 finishes: its permit goes straight to call 3, which is no longer waiting.
    senders[0].take().unwrap().send(()).unwrap();
    assert!(poll(&mut calls, 0));
    assert_eq!((INTROSPECTED.in_flight(), INTROSPECTED.waiting()), (3, 1));
    assert!(
        !poll(&mut calls, 3),
        "call 3 is now inside, waiting for its release"
    );
    assert_eq!(gauge.current(), 3);

    // Call 4 gives up its place in line.
    calls[4] = None;
    assert_eq!((INTROSPECTED.in_flight(), INTROSPECTED.waiting()), (3, 0));

    // Call 1 is cancelled inside its body: its permit is free again.
    calls[1] = None;
    assert_eq!((INTROSPECTED.in_flight(), INTROSPECTED.waiting()), (2, 0));
    assert_eq!(gauge.current(), 2);

    for i in [2, 3] {
        senders[i].take().unwrap().send(()).unwrap();
        assert!(poll(&mut calls, i));
    }
    assert_eq!((INTROSPECTED.in_flight(), INTROSPECTED.waiting()), (0, 0));
    assert_eq!(gauge.current(), 0);
    assert_eq!(gauge.max(), 3);
}

#[tokio::test(flavor = "current_thread")]
async fn pool_introspection_while_spawned_calls_are_blocked() {
    pool!(SPAWNED = 2);

    #[bounded(pool = SPAWNED)]
    async fn blocked(gate: Gate) {
        gate.wait().await;
    }

    let gate = Gate::new();
    let calls: Vec<_> = (0..5)
        .map(|_| tokio::spawn(blocked(gate.clone())))
        .collect();
    common::yield_until("two calls hold the pool and three wait", || {
        (SPAWNED.in_flight(), SPAWNED.waiting()) == (2, 3)
    })
    .await;
    // Nothing changes while the calls stay blocked.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!((SPAWNED.in_flight(), SPAWNED.waiting()), (2, 3));

    gate.open();
    for call in calls {
        call.await.unwrap();
    }
    assert_eq!((SPAWNED.in_flight(), SPAWNED.waiting()), (0, 0));
    assert_eq!(SPAWNED.capacity(), 2);
}
