//! `join_bounded!` on different executors, with borrowed data, spawned, nested, and with futures
//! that share a semaphore.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use bounded_async::{Outcome, join_bounded};
use common::{Gauge, drive, yield_now, yield_times};
use tokio::sync::Semaphore;

/// Only a guard against hangs (a deadlock fails the test instead of blocking the run); no test
/// depends on how long anything takes.
const HANG_GUARD: Duration = Duration::from_secs(10);

/// Awaits `future` on tokio, failing the test instead of hanging if it never finishes.
async fn guarded<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(HANG_GUARD, future)
        .await
        .expect("hung: the join never finished")
}

/// `futures::executor::block_on` on a thread of its own, failing the test instead of hanging if
/// the future never finishes.
fn block_on_guarded<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(futures::executor::block_on(future));
    });
    receiver
        .recv_timeout(HANG_GUARD)
        .expect("hung: the join never finished")
}

fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The same small join, written once: "join", "all" and "settled" over items whose later inputs
/// finish first, each checking the limit.
async fn small_join<F, Fut>(pause: F) -> (Vec<u64>, Result<Vec<u64>, String>, String)
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()>,
{
    let running = Gauge::new();
    let pause = &pause;
    let running = &running;
    let item = |i: u64| async move {
        let _running = running.enter();
        assert!(running.current() <= 3, "more than 3 running");
        pause(6 - i).await;
        i * i
    };

    let joined = join_bounded!(limit = 3; for i in 0..6 => item(i));
    let all = join_bounded!(limit = 3, strategy = "all"; for i in 0..6 => async move {
        Ok::<_, String>(item(i).await)
    });
    let settled = join_bounded!(limit = 3, strategy = "settled"; for i in 0..6 => async move {
        let value = item(i).await;
        if i == 4 { Err(format!("no {i}")) } else { Ok(value) }
    });
    assert!(running.max() <= 3);
    (joined, all, settled.to_string())
}

fn expected_small_join() -> (Vec<u64>, Result<Vec<u64>, String>, String) {
    let squares = vec![0, 1, 4, 9, 16, 25];
    (
        squares.clone(),
        Ok(squares),
        "5 succeeded, 1 failed, 0 panicked".to_owned(),
    )
}

#[test]
fn works_on_futures_block_on() {
    let result = block_on_guarded(small_join(|n| yield_times(n as usize)));
    assert_eq!(result, expected_small_join());
}

#[tokio::test(flavor = "current_thread")]
async fn works_on_tokio_current_thread_with_sleep() {
    let result = guarded(small_join(|n| tokio::time::sleep(millis(n)))).await;
    assert_eq!(result, expected_small_join());
}

#[tokio::test(flavor = "current_thread")]
async fn works_on_tokio_current_thread_with_yield_now() {
    let result = guarded(small_join(|n| async move {
        for _ in 0..n {
            tokio::task::yield_now().await;
        }
    }))
    .await;
    assert_eq!(result, expected_small_join());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn works_on_tokio_multi_thread_with_sleep_and_yield_now() {
    let result = guarded(small_join(|n| async move {
        tokio::task::yield_now().await;
        tokio::time::sleep(millis(n)).await;
        tokio::task::yield_now().await;
    }))
    .await;
    assert_eq!(result, expected_small_join());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn futures_woken_from_other_threads() {
    // Each future waits for a task spawned on another worker, so its wakes come from elsewhere.
    let running = Gauge::new();
    let outputs = guarded(async {
        join_bounded!(limit = 4; for i in 0..40_u64 => {
            let running = &running;
            async move {
                let _running = running.enter();
                assert!(running.current() <= 4);
                tokio::spawn(async move {
                    tokio::time::sleep(millis(i % 3)).await;
                    i + 1
                })
                .await
                .unwrap()
            }
        })
    })
    .await;
    assert_eq!(outputs, (1..=40).collect::<Vec<_>>());
    assert!(running.max() <= 4);
}

// ---------------------------------------------------------------------------------------------
// Borrowing, spawning, nesting
// ---------------------------------------------------------------------------------------------

// The borrowing and nesting tests run on `drive` (a `block_on` that fails instead of hanging):
// they are about what the join accepts, not about the executor.

#[test]
fn futures_may_borrow_from_the_enclosing_scope() {
    let names: Vec<String> = ["ada", "grace", "barbara"].map(String::from).to_vec();
    let prefix = String::from("hello ");
    let greetings = drive(async {
        join_bounded!(limit = 2; for name in &names => {
            let prefix = prefix.as_str();
            async move {
                yield_times(name.len() % 3).await;
                format!("{prefix}{name}")
            }
        })
    });
    assert_eq!(greetings, ["hello ada", "hello grace", "hello barbara"]);
    // Still usable: the join only borrowed them.
    assert_eq!(names.len(), 3);
    assert_eq!(prefix, "hello ");
}

#[test]
fn list_futures_may_borrow_locals_mutably() {
    let mut first = Vec::new();
    let mut second = String::new();
    let text = String::from("borrowed");
    let lengths = drive(async {
        join_bounded!(limit = 2;
            async {
                for i in 0..3 {
                    yield_now().await;
                    first.push(i);
                }
                first.len()
            },
            async {
                yield_now().await;
                second.push_str(&text);
                second.len()
            },
        )
    });
    assert_eq!(lengths, (3, 8));
    assert_eq!(first, [0, 1, 2]);
    assert_eq!(second, "borrowed");
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_of_send_futures_can_be_spawned() {
    let handle = tokio::spawn(assert_send(async {
        let words = ["a".to_owned(), "bb".to_owned(), "ccc".to_owned()];
        // Items are indices, not `&String`: a closure over references held across an await in a
        // spawned future hits rustc's "FnOnce is not general enough" (rust-lang/rust#64552), as
        // `stream::iter(..).buffered(..)` does.
        let lengths = join_bounded!(limit = 2; for i in 0..words.len() => {
            let word = &words[i];
            async move {
                tokio::task::yield_now().await;
                word.len()
            }
        });
        let settled = join_bounded!(limit = 2, strategy = "settled"; for n in lengths.clone() => async move {
            tokio::time::sleep(millis(n as u64)).await;
            if n == 2 { Err(n) } else { Ok(n) }
        });
        (lengths, settled.into_vec())
    }));
    let (lengths, outcomes) = guarded(handle).await.unwrap();
    assert_eq!(lengths, [1, 2, 3]);
    assert_eq!(outcomes, [Outcome::Ok(1), Outcome::Err(2), Outcome::Ok(3)]);

    // The builder's join future is Send too.
    let join =
        assert_send(bounded_async::join_bounded(3, (0..5_u8).map(|i| async move { i * 2 })).join());
    assert_eq!(guarded(tokio::spawn(join)).await.unwrap(), [0, 2, 4, 6, 8]);
}

#[test]
fn nested_joins() {
    let running = Gauge::new();
    let groups = drive(async {
        join_bounded!(limit = 2; for group in 0..4_usize => {
            let running = &running;
            async move {
                join_bounded!(limit = 3; for i in 0..5_usize => async move {
                    let _running = running.enter();
                    assert!(running.current() <= 6, "more than 2 x 3 running");
                    yield_times((group + i) % 4).await;
                    group * 10 + i
                })
            }
        })
    });
    let expected: Vec<Vec<usize>> = (0..4)
        .map(|group| (0..5).map(|i| group * 10 + i).collect())
        .collect();
    assert_eq!(groups, expected);
    assert!(running.max() <= 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_joins_with_strategies_on_tokio() {
    let result = guarded(async {
        join_bounded!(limit = 2, strategy = "all"; for group in 0..3_u64 => async move {
            // Only item 2 succeeds, so the answer does not depend on timing.
            let any = join_bounded!(limit = 2, strategy = "any"; for i in 0..4_u64 => async move {
                tokio::time::sleep(millis(i)).await;
                if i == 2 { Ok(group * 100 + i) } else { Err(i) }
            });
            any.map_err(|errors| errors.len())
        })
    })
    .await;
    assert_eq!(result, Ok(vec![2, 102, 202]));
}

// ---------------------------------------------------------------------------------------------
// A shared semaphore inside one join
// ---------------------------------------------------------------------------------------------

/// 16 futures, 4 in flight, one semaphore permit: the holder must keep being polled while the
/// others wait on the semaphore, or the join deadlocks.
async fn semaphore_join<F, Fut>(pause: F) -> Vec<usize>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let semaphore = Semaphore::new(1);
    let holders = Gauge::new();
    let (semaphore, holders, pause) = (&semaphore, &holders, &pause);
    let outputs = join_bounded!(limit = 4; for i in 0..16_usize => async move {
        pause(i).await;
        let _permit = semaphore.acquire().await.unwrap();
        let _holder = holders.enter();
        pause(i).await;
        pause(i).await;
        i
    });
    assert_eq!(holders.max(), 1, "the semaphore admitted two at once");
    outputs
}

fn expected_semaphore_join() -> Vec<usize> {
    (0..16).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn shared_semaphore_does_not_deadlock_on_tokio_current_thread() {
    let outputs = guarded(semaphore_join(|i| {
        tokio::time::sleep(millis((i % 2) as u64))
    }))
    .await;
    assert_eq!(outputs, expected_semaphore_join());

    let outputs = guarded(semaphore_join(|_| tokio::task::yield_now())).await;
    assert_eq!(outputs, expected_semaphore_join());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shared_semaphore_does_not_deadlock_on_tokio_multi_thread() {
    let outputs = guarded(semaphore_join(|i| async move {
        tokio::task::yield_now().await;
        tokio::time::sleep(millis((i % 2) as u64)).await;
    }))
    .await;
    assert_eq!(outputs, expected_semaphore_join());
}

#[test]
fn shared_semaphore_does_not_deadlock_on_block_on() {
    let outputs = block_on_guarded(semaphore_join(|i| yield_times(i % 3)));
    assert_eq!(outputs, expected_semaphore_join());
}

#[tokio::test(flavor = "current_thread")]
async fn shared_semaphore_across_two_joins_polled_together() {
    // Two joins in one task share the permit; each must keep polling its holder.
    let semaphore = Arc::new(Semaphore::new(1));
    let run = |offset: usize| {
        let semaphore = Arc::clone(&semaphore);
        async move {
            let semaphore = &semaphore;
            join_bounded!(limit = 3; for i in 0..6_usize => async move {
                let _permit = semaphore.acquire().await.unwrap();
                tokio::task::yield_now().await;
                offset + i
            })
        }
    };
    let (a, b) = guarded(async { tokio::join!(run(0), run(100)) }).await;
    assert_eq!(a, (0..6).collect::<Vec<_>>());
    assert_eq!(b, (100..106).collect::<Vec<_>>());
}

#[test]
fn the_builder_runs_on_futures_block_on_through_its_strategy_methods() {
    // `JoinBounded` is `IntoFuture`, which `block_on` does not take: a strategy method (`.join()`
    // for the default) gives the `Join` future itself.
    let squares = |n: u64| (0..n).map(|i| async move { i * i });
    let joined = futures::executor::block_on(bounded_async::join_bounded(2, squares(5)).join());
    assert_eq!(joined, [0, 1, 4, 9, 16]);

    let checked = (0..4_u64).map(|i| async move { 100_u64.checked_div(i).ok_or("division by 0") });
    let all = futures::executor::block_on(bounded_async::join_bounded(2, checked).all());
    assert_eq!(all, Err("division by 0"));
}

#[test]
fn a_strategy_is_typed_by_the_futures_output_before_it_is_awaited() {
    // `.all()` and `.settled()` take their `T` and `E` from the futures' output, so a join can be
    // built, stored and dropped without ever naming them or being awaited; dropping it unpolled
    // pulls nothing from the input.
    let pulled = std::cell::Cell::new(0);
    let input = || {
        (0..3_u8).map(|i| {
            pulled.set(pulled.get() + 1);
            async move { Ok::<u8, String>(i) }
        })
    };
    let all = bounded_async::join_bounded(2, input()).all();
    let settled = bounded_async::join_bounded(2, input()).settled();
    let any = bounded_async::join_bounded(2, input()).any();
    drop((all, settled, any));
    assert_eq!(pulled.get(), 0);
}
