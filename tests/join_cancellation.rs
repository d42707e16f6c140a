//! `join_bounded!` cancellation: early returns ("all", "any", "race") drop what is in flight and
//! pull nothing more, dropping the join drops everything, and panics are captured ("settled") or
//! propagate (every other strategy).

mod common;

use std::future::{Future, pending};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::Ordering;

use bounded_async::{Outcome, join_bounded};
use common::{CountingIter, Gauge, Log, drive, panic_message, poll_once, tracked, yield_times};

// ---------------------------------------------------------------------------------------------
// Early returns
// ---------------------------------------------------------------------------------------------

#[test]
fn all_drops_futures_in_flight_and_pulls_nothing_more_on_the_first_err() {
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    drive(async {
        let result = join_bounded!(limit = 3, strategy = "all"; for i in iter => {
            tracked(&alive, async move {
                if i == 2 {
                    yield_times(1).await;
                    return Err(format!("item {i} failed"));
                }
                // Never finishes: only dropping it ends it.
                pending::<Result<u32, String>>().await
            })
        });
        // Checked before anything else runs: the join itself must have dropped them.
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, Err("item 2 failed".to_owned()));
    });
    assert_eq!(pulled.load(Ordering::SeqCst), 3);
    assert_eq!(alive.entered(), 3);
    assert_eq!(alive.released(), 3);
}

#[test]
fn all_stops_pulling_when_the_err_comes_from_a_refilled_slot() {
    let (iter, pulled) = CountingIter::new(0..10_u32);
    let result = drive(async {
        join_bounded!(limit = 2, strategy = "all"; for i in iter => async move {
            if i == 2 { Err(i) } else { Ok(i) }
        })
    });
    assert_eq!(result, Err(2));
    // Items 0 and 1 finished at once; item 2 took a freed slot and failed; nothing after it.
    assert_eq!(pulled.load(Ordering::SeqCst), 3);
}

#[test]
fn all_list_form_drops_the_other_futures_before_returning() {
    let alive = Gauge::new();
    drive(async {
        let result = join_bounded!(limit = 2, strategy = "all";
            tracked(&alive, pending::<Result<u8, &str>>()),
            tracked(&alive, async { yield_times(2).await; Err::<u16, _>("second failed") }),
            tracked(&alive, pending::<Result<u32, &str>>()),
        );
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, Err("second failed"));
    });
    assert_eq!(alive.entered(), 3);
}

#[test]
fn any_drops_the_rest_and_pulls_nothing_more_after_the_first_ok() {
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    drive(async {
        let result = join_bounded!(limit = 3, strategy = "any"; for i in iter => {
            tracked(&alive, async move {
                match i {
                    0 => Err(format!("item {i} failed")),
                    2 => {
                        yield_times(2).await;
                        Ok(i)
                    }
                    _ => pending().await,
                }
            })
        });
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, Ok(2));
    });
    // Item 0 failed at once and its slot took item 1; items 2 and 3 filled the others.
    assert_eq!(pulled.load(Ordering::SeqCst), 4);
    assert_eq!(alive.entered(), 4);
}

#[test]
fn any_list_form_drops_the_rest_after_the_first_ok() {
    let alive = Gauge::new();
    drive(async {
        let result = join_bounded!(limit = 3, strategy = "any";
            tracked(&alive, pending::<Result<u8, ()>>()),
            tracked(&alive, async { yield_times(1).await; Ok::<u8, ()>(1) }),
            tracked(&alive, pending::<Result<u8, ()>>()),
        );
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, Ok(1));
    });
}

#[test]
fn race_drops_the_rest_and_pulls_nothing_more_after_the_first_output() {
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    drive(async {
        let result = join_bounded!(limit = 2, strategy = "race"; for i in iter => {
            tracked(&alive, async move {
                if i == 1 {
                    yield_times(1).await;
                    return i;
                }
                pending().await
            })
        });
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, Some(1));
    });
    assert_eq!(pulled.load(Ordering::SeqCst), 2);
    assert_eq!(alive.entered(), 2);
}

#[test]
fn race_list_form_drops_the_rest_after_the_first_output() {
    let alive = Gauge::new();
    drive(async {
        let result = join_bounded!(limit = 3, strategy = "race";
            tracked(&alive, pending::<&str>()),
            tracked(&alive, pending::<&str>()),
            tracked(&alive, async { yield_times(3).await; "third" }),
        );
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(result, "third");
    });
}

#[test]
fn a_held_builder_join_drops_what_is_in_flight_when_it_returns_early() {
    // The join value is still alive after the await: the early return itself must have dropped
    // the futures in flight and stopped pulling, not the join's own drop.
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    drive(async {
        let mut join = std::pin::pin!(
            bounded_async::join_bounded(
                3,
                iter.map(|i| {
                    tracked(&alive, async move {
                        if i == 1 {
                            yield_times(1).await;
                            return Err(i);
                        }
                        pending::<Result<u32, u32>>().await
                    })
                })
            )
            .all()
        );
        let result = join.as_mut().await;
        assert_eq!(result, Err(1));
        assert_eq!(
            alive.current(),
            0,
            "futures still alive after the join returned"
        );
        assert_eq!(pulled.load(Ordering::SeqCst), 3);
    });

    for strategy in ["any", "race"] {
        let alive = Gauge::new();
        let (iter, pulled) = CountingIter::new(0..10_u32);
        let futures = iter.map(|i| {
            tracked(&alive, async move {
                if i == 2 {
                    yield_times(2).await;
                    return Ok::<u32, u32>(i);
                }
                pending().await
            })
        });
        drive(async {
            if strategy == "any" {
                let mut join = std::pin::pin!(bounded_async::join_bounded(3, futures).any());
                assert_eq!(join.as_mut().await, Ok(2));
                assert_eq!(alive.current(), 0, "{strategy}: futures still alive");
            } else {
                let mut join = std::pin::pin!(bounded_async::join_bounded(3, futures).race());
                assert_eq!(join.as_mut().await, Some(Ok(2)));
                assert_eq!(alive.current(), 0, "{strategy}: futures still alive");
            }
        });
        assert_eq!(pulled.load(Ordering::SeqCst), 3, "{strategy}");
    }
}

// ---------------------------------------------------------------------------------------------
// Dropping the join
// ---------------------------------------------------------------------------------------------

#[test]
fn dropping_a_builder_join_drops_everything_in_flight() {
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    let mut join = Box::pin(
        bounded_async::join_bounded(
            4,
            iter.map(|i| tracked(&alive, async move { pending::<u32>().await + i })),
        )
        .join(),
    );
    assert!(poll_once(join.as_mut()).is_pending());
    assert_eq!(alive.current(), 4);
    assert_eq!(pulled.load(Ordering::SeqCst), 4);

    drop(join);
    assert_eq!(alive.current(), 0);
    assert_eq!(alive.released(), 4);
    assert_eq!(pulled.load(Ordering::SeqCst), 4);
}

#[test]
fn dropping_a_macro_join_after_some_progress_drops_everything_in_flight() {
    let alive = Gauge::new();
    let finished = Log::new();
    let (iter, pulled) = CountingIter::new(0..10_u32);
    let mut outer = Box::pin(async {
        join_bounded!(limit = 3, strategy = "settled"; for i in iter => {
            let finished = &finished;
            tracked(&alive, async move {
                if i % 2 == 0 {
                    finished.push(i);
                    return Ok::<u32, ()>(i);
                }
                pending().await
            })
        })
    });
    assert!(poll_once(outer.as_mut()).is_pending());
    // 0 finished (slot refilled by 1), 1 pending, 2 finished (refilled by 3), 3 pending, 4
    // finished (refilled by 5), 5 pending: the three odd ones are in flight.
    assert_eq!(finished.snapshot(), [0, 2, 4]);
    assert_eq!(alive.current(), 3);
    assert_eq!(pulled.load(Ordering::SeqCst), 6);

    drop(outer);
    assert_eq!(alive.current(), 0);
    assert_eq!(alive.entered(), 6);
    assert_eq!(pulled.load(Ordering::SeqCst), 6);
}

#[test]
fn dropping_a_list_join_drops_every_future() {
    let alive = Gauge::new();
    let mut outer = Box::pin(async {
        join_bounded!(limit = 1;
            tracked(&alive, async { yield_times(1).await; 1_u8 }),
            tracked(&alive, pending::<u16>()),
            tracked(&alive, pending::<u32>()),
        )
    });
    assert!(poll_once(outer.as_mut()).is_pending());
    assert!(poll_once(outer.as_mut()).is_pending());
    // The first finished and was dropped; the second is in flight, the third not started.
    assert_eq!(alive.current(), 2);
    drop(outer);
    assert_eq!(alive.current(), 0);
}

#[test]
fn dropping_a_join_with_futures_poll() {
    let alive = Gauge::new();
    drive(async {
        let mut join = Box::pin(async {
            join_bounded!(limit = 2; for i in 0..5_u8 => tracked(&alive, async move {
                pending::<()>().await;
                i
            }))
        });
        assert!(futures::poll!(join.as_mut()).is_pending());
        assert_eq!(alive.current(), 2);
        drop(join);
        assert_eq!(alive.current(), 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------------------------

#[test]
fn settled_captures_a_panic_and_the_other_futures_complete() {
    let alive = Gauge::new();
    let (iter, pulled) = CountingIter::new(0..6_u32);
    let settled = drive(async {
        join_bounded!(limit = 3, strategy = "settled"; for i in iter => {
            tracked(&alive, async move {
                if i == 1 {
                    yield_times(1).await;
                    panic!("boom {i}");
                }
                // Items 0 and 2 are in flight when item 1 panics, and finish after it.
                yield_times(3).await;
                if i == 4 { Err(format!("error {i}")) } else { Ok(i * 10) }
            })
        })
    });
    assert_eq!(pulled.load(Ordering::SeqCst), 6);
    assert_eq!(alive.current(), 0);
    assert_eq!(settled.len(), 6);
    assert_eq!(settled.to_string(), "4 succeeded, 1 failed, 1 panicked");

    let outcomes = settled.into_vec();
    assert_eq!(outcomes[0], Outcome::Ok(0));
    match &outcomes[1] {
        Outcome::Panicked(panic) => assert_eq!(panic.message(), Some("boom 1")),
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(outcomes[2], Outcome::Ok(20));
    assert_eq!(outcomes[3], Outcome::Ok(30));
    assert_eq!(outcomes[4], Outcome::Err("error 4".to_owned()));
    assert_eq!(outcomes[5], Outcome::Ok(50));
}

#[test]
fn settled_list_form_captures_a_panic_and_the_others_complete() {
    let finished = Log::new();
    let (a, b, c) = drive(async {
        join_bounded!(limit = 3, strategy = "settled";
            async { yield_times(3).await; finished.push(0); Ok::<u8, ()>(1) },
            async {
                if finished.snapshot().is_empty() {
                    panic!("static message");
                }
                Ok::<u8, ()>(2)
            },
            async { yield_times(1).await; finished.push(2); Err::<u8, &str>("third") },
        )
    });
    assert_eq!(finished.snapshot(), [2, 0]);
    assert_eq!(a, Outcome::Ok(1));
    assert!(b.is_panicked());
    assert_eq!(b.into_result_or_message(), Err("static message".to_owned()));
    assert_eq!(c, Outcome::Err("third"));
}

trait PanicMessage<T> {
    /// The value, or the captured panic's message.
    fn into_result_or_message(self) -> Result<T, String>;
}

impl<T, E> PanicMessage<T> for Outcome<T, E> {
    fn into_result_or_message(self) -> Result<T, String> {
        match self {
            Outcome::Ok(value) => Ok(value),
            Outcome::Panicked(panic) => Err(panic.message().unwrap_or("").to_owned()),
            _ => Err("not a panic".to_owned()),
        }
    }
}

/// Runs `f` on a fresh executor, expecting a panic; returns its message.
fn panic_of<T>(f: impl Future<Output = T>) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(|| drive(f)))
        .err()
        .expect("the join should have panicked");
    panic_message(&*payload)
        .expect("a string message")
        .to_owned()
}

#[test]
fn join_propagates_a_panic_and_drops_the_rest() {
    let alive = Gauge::new();
    let message = panic_of(async {
        join_bounded!(limit = 3; for i in 0..6_u32 => tracked(&alive, async move {
            if i == 1 {
                yield_times(1).await;
                panic!("join panic {i}");
            }
            pending::<u32>().await
        }))
    });
    assert_eq!(message, "join panic 1");
    assert_eq!(alive.current(), 0);
}

#[test]
#[should_panic(expected = "list panic")]
fn join_list_form_propagates_a_panic() {
    drive(async {
        join_bounded!(limit = 2;
            async { yield_times(2).await; 1 },
            async { if true { panic!("list panic") } 2 },
        )
    });
}

#[test]
fn all_propagates_a_panic_and_drops_the_rest() {
    let alive = Gauge::new();
    let message = panic_of(async {
        join_bounded!(limit = 2, strategy = "all"; for i in 0..4_u32 => tracked(&alive, async move {
            if i == 0 {
                yield_times(2).await;
                panic!("all panic {i}");
            }
            Ok::<u32, String>(i)
        }))
    });
    assert_eq!(message, "all panic 0");
    assert_eq!(alive.current(), 0);
}

#[test]
fn any_propagates_a_panic() {
    let message = panic_of(async {
        join_bounded!(limit = 2, strategy = "any";
            async { Err::<u8, u8>(0) },
            async { if true { panic!("any panic") } Ok::<u8, u8>(1) },
            async { yield_times(1).await; Ok::<u8, u8>(2) },
        )
    });
    assert_eq!(message, "any panic");
}

#[test]
fn race_propagates_a_panic() {
    let message = panic_of(async {
        join_bounded!(limit = 3, strategy = "race"; for i in 0..3_u8 => async move {
            yield_times(3 - i as usize).await;
            if i == 2 {
                panic!("race panic");
            }
            i
        })
    });
    assert_eq!(message, "race panic");
}

// ---------------------------------------------------------------------------------------------
// Polled again after a panic
// ---------------------------------------------------------------------------------------------

/// Polls `join` by hand until a poll panics, then polls it once more. Returns the messages of the
/// two panics; fails if the second poll does not panic (a join left halfway through refilling a
/// slot would otherwise be pending forever).
fn poll_after_panic<F: Future>(join: F) -> (String, String) {
    let mut join = Box::pin(join);
    let mut poll = || panic::catch_unwind(AssertUnwindSafe(|| poll_once(join.as_mut())));
    let mut first = None;
    for _ in 0..100 {
        match poll() {
            Ok(std::task::Poll::Pending) => {}
            Ok(std::task::Poll::Ready(_)) => panic!("the join finished without panicking"),
            Err(payload) => {
                first = Some(payload);
                break;
            }
        }
    }
    let first = first.expect("the join panicked within 100 polls");
    let Err(second) = poll() else {
        panic!("a join polled after it panicked must panic, not go on");
    };
    let message = |payload: Box<dyn std::any::Any + Send>| {
        panic_message(&*payload)
            .expect("a string message")
            .to_owned()
    };
    (message(first), message(second))
}

const POLLED_AFTER_PANIC: &str = "a bounded join was polled after it panicked";

/// Futures that wait a little, from an input whose `next` panics at item 5.
fn input_panicking_at_5() -> impl Iterator<Item = impl Future<Output = Result<u32, u32>>> {
    (0..10_u32).map(|i| {
        assert!(i != 5, "the input panicked at {i}");
        async move {
            yield_times(1 + i as usize % 2).await;
            Ok(i)
        }
    })
}

#[test]
fn a_join_polled_again_after_its_input_panicked_panics_instead_of_hanging() {
    let expected = (
        "the input panicked at 5".to_owned(),
        POLLED_AFTER_PANIC.to_owned(),
    );
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, input_panicking_at_5()).join()),
        expected,
        "join"
    );
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, input_panicking_at_5()).all()),
        expected,
        "all"
    );
    // "settled" catches the panics of its futures, never those of its input.
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, input_panicking_at_5()).settled()),
        expected,
        "settled"
    );
    let failing = || {
        (0..10_u32).map(|i| {
            assert!(i != 5, "the input panicked at {i}");
            async move {
                yield_times(1 + i as usize % 2).await;
                Err::<u32, u32>(i)
            }
        })
    };
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, failing()).any()),
        expected,
        "any"
    );
}

#[test]
fn a_join_polled_again_after_a_future_panicked_panics_instead_of_hanging() {
    let futures = || {
        (0..10_u32).map(|i| async move {
            yield_times(1 + i as usize % 2).await;
            assert!(i != 3, "future {i} panicked");
            Ok::<u32, u32>(i)
        })
    };
    let expected = (
        "future 3 panicked".to_owned(),
        POLLED_AFTER_PANIC.to_owned(),
    );
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, futures()).join()),
        expected,
        "join"
    );
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, futures()).all()),
        expected,
        "all"
    );
    // "any" returns at its first `Ok`: these fail until the panic.
    let failing = (0..10_u32).map(|i| async move {
        yield_times(1 + i as usize % 2).await;
        assert!(i != 3, "future {i} panicked");
        Err::<u32, u32>(i)
    });
    assert_eq!(
        poll_after_panic(bounded_async::join_bounded(2, failing).any()),
        expected,
        "any"
    );
}
