//! `join_bounded!` and `join_bounded(..)`: what each strategy returns, in which order, and the
//! outcome types (`Outcome`, `Panic`, `Settled`, `Errors`).

mod common;

use std::error::Error;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};

use bounded_async::{Errors, Outcome, Settled, join_bounded};
use common::{Log, drive, panic_message, yield_times};

/// Yields `yields` times, logs `index` as finished, then returns `value`.
async fn finish_after<T>(log: &Log<usize>, index: usize, yields: usize, value: T) -> T {
    yield_times(yields).await;
    log.push(index);
    value
}

/// Asserts that `value` has type `T` (a compile error otherwise).
fn has_type<T>(_: &T) {}

// ---------------------------------------------------------------------------------------------
// "join" (default)
// ---------------------------------------------------------------------------------------------

#[test]
fn join_list_returns_tuple_in_input_order_when_finishing_in_reverse() {
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 3;
            finish_after(&log, 0, 3, 1_u8),
            finish_after(&log, 1, 2, String::from("two")),
            finish_after(&log, 2, 1, [3_u16; 2]),
        )
    });
    has_type::<(u8, String, [u16; 2])>(&result);
    assert_eq!(result, (1, "two".to_owned(), [3, 3]));
    // The premise: they really finished out of order.
    assert_eq!(log.snapshot(), [2, 1, 0]);
}

#[test]
fn join_list_with_one_future_returns_one_tuple() {
    let result = drive(async { join_bounded!(limit = 1; async { 7_i64 }) });
    has_type::<(i64,)>(&result);
    assert_eq!(result, (7,));
}

#[test]
fn join_list_with_limit_below_count_keeps_input_order() {
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 2;
            finish_after(&log, 0, 4, 'a'),
            finish_after(&log, 1, 1, 'b'),
            finish_after(&log, 2, 1, 'c'),
            finish_after(&log, 3, 0, 'd'),
        )
    });
    assert_eq!(result, ('a', 'b', 'c', 'd'));
    assert_ne!(
        log.snapshot(),
        [0, 1, 2, 3],
        "the futures should finish out of order"
    );
}

#[test]
fn join_iter_returns_vec_in_input_order_when_finishing_in_reverse() {
    const N: usize = 8;
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 8; for i in 0..N => finish_after(&log, i, N - i, i * 10))
    });
    has_type::<Vec<usize>>(&result);
    assert_eq!(result, (0..N).map(|i| i * 10).collect::<Vec<_>>());
    assert_eq!(log.snapshot(), (0..N).rev().collect::<Vec<_>>());
}

#[test]
fn join_iter_with_small_limit_keeps_input_order() {
    let log = Log::new();
    let yields = [5, 0, 3, 1, 4, 0, 2, 6, 1, 0];
    let result = drive(async {
        join_bounded!(limit = 3; for (i, y) in yields.iter().copied().enumerate() =>
            finish_after(&log, i, y, format!("item {i}")))
    });
    let expected: Vec<String> = (0..yields.len()).map(|i| format!("item {i}")).collect();
    assert_eq!(result, expected);
    let mut finished = log.snapshot();
    assert_ne!(finished, (0..yields.len()).collect::<Vec<_>>());
    finished.sort_unstable();
    assert_eq!(finished, (0..yields.len()).collect::<Vec<_>>());
}

#[test]
fn join_iter_empty_gives_empty_vec() {
    let result = drive(async {
        join_bounded!(limit = 4; for i in Vec::<u32>::new() => async move { i + 1 })
    });
    has_type::<Vec<u32>>(&result);
    assert!(result.is_empty());
}

#[test]
fn join_keeps_errors_as_values() {
    let result = drive(async {
        join_bounded!(limit = 2; for i in 0..4_u32 => async move {
            yield_times(4 - i as usize).await;
            if i % 2 == 1 { Err(format!("odd {i}")) } else { Ok(i) }
        })
    });
    has_type::<Vec<Result<u32, String>>>(&result);
    assert_eq!(
        result,
        [
            Ok(0),
            Err("odd 1".to_owned()),
            Ok(2),
            Err("odd 3".to_owned())
        ]
    );

    let (a, b) = drive(async {
        join_bounded!(limit = 2; async { Err::<u8, _>("x") }, async { Ok::<_, ()>(1_u8) })
    });
    assert_eq!(a, Err("x"));
    assert_eq!(b, Ok(1));
}

#[test]
fn iterator_form_accepts_patterns_and_a_trailing_comma() {
    let pairs = vec![("a", 1_u32), ("b", 2), ("c", 3)];
    let result = drive(async {
        join_bounded!(limit = 2; for (name, n) in pairs => async move { format!("{name}{n}") },)
    });
    assert_eq!(result, ["a1", "b2", "c3"]);
}

// ---------------------------------------------------------------------------------------------
// "all"
// ---------------------------------------------------------------------------------------------

#[test]
fn all_list_with_every_ok_gives_ok_tuple() {
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 3, strategy = "all";
            finish_after(&log, 0, 3, Ok::<_, String>(1_u8)),
            finish_after(&log, 1, 2, Ok::<_, String>("two")),
            finish_after(&log, 2, 1, Ok::<_, String>(3.5_f32)),
        )
    });
    has_type::<Result<(u8, &str, f32), String>>(&result);
    assert_eq!(result, Ok((1, "two", 3.5)));
    assert_eq!(log.snapshot(), [2, 1, 0]);
}

#[test]
fn all_list_returns_the_first_err_to_arrive() {
    let result = drive(async {
        join_bounded!(limit = 3, strategy = "all";
            async { yield_times(5).await; Err::<u8, String>("slow error".into()) },
            async { Ok::<u16, String>(2) },
            async { yield_times(1).await; Err::<char, String>("fast error".into()) },
        )
    });
    has_type::<Result<(u8, u16, char), String>>(&result);
    assert_eq!(result, Err("fast error".to_owned()));
}

#[test]
fn all_iter_with_every_ok_gives_values_in_input_order() {
    const N: usize = 6;
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = N, strategy = "all"; for i in 0..N =>
            finish_after(&log, i, N - i, Ok::<usize, String>(i + 100)))
    });
    has_type::<Result<Vec<usize>, String>>(&result);
    assert_eq!(result, Ok((100..100 + N).collect()));
    assert_eq!(log.snapshot(), (0..N).rev().collect::<Vec<_>>());
}

#[test]
fn all_iter_returns_the_first_err_to_arrive() {
    let result = drive(async {
        join_bounded!(limit = 4, strategy = "all"; for i in 0..4_usize => async move {
            yield_times(4 - i).await;
            if i >= 2 { Err(i) } else { Ok(i) }
        })
    });
    // Item 3 yields fewest times, so its error arrives first.
    assert_eq!(result, Err(3));
}

#[test]
fn all_iter_empty_is_ok_empty() {
    let result = drive(async {
        join_bounded!(limit = 2, strategy = "all"; for i in 0..0_u8 => async move { Ok::<u8, String>(i) })
    });
    has_type::<Result<Vec<u8>, String>>(&result);
    assert_eq!(result, Ok(vec![]));
}

// ---------------------------------------------------------------------------------------------
// "settled"
// ---------------------------------------------------------------------------------------------

#[test]
fn settled_list_gives_one_outcome_per_future_with_its_own_types() {
    let log = Log::new();
    let (a, b, c) = drive(async {
        join_bounded!(limit = 3, strategy = "settled";
            finish_after(&log, 0, 3, Ok::<u8, String>(1)),
            finish_after(&log, 1, 2, Err::<String, u32>(2)),
            async {
                yield_times(1).await;
                log.push(2);
                if log.snapshot().len() < 100 {
                    panic!("third failed");
                }
                Ok::<(), ()>(())
            },
        )
    });
    has_type::<Outcome<u8, String>>(&a);
    has_type::<Outcome<String, u32>>(&b);
    has_type::<Outcome<(), ()>>(&c);
    assert_eq!(a, Outcome::Ok(1));
    assert_eq!(b, Outcome::Err(2));
    assert!(c.is_panicked());
    match c {
        Outcome::Panicked(panic) => assert_eq!(panic.message(), Some("third failed")),
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(log.snapshot(), [2, 1, 0]);
}

#[test]
fn settled_iter_keeps_every_outcome_in_input_order() {
    const N: usize = 7;
    let log = Log::new();
    let settled = drive(async {
        join_bounded!(limit = 3, strategy = "settled"; for i in 0..N => {
            let log = &log;
            async move {
                yield_times(N - i).await;
                log.push(i);
                match i % 3 {
                    0 => Ok(i as u32),
                    1 => Err(format!("error {i}")),
                    _ => panic!("panic {i}"),
                }
            }
        })
    });
    has_type::<Settled<u32, String>>(&settled);
    assert_eq!(settled.len(), N);
    assert!(!settled.is_empty());

    let kinds: Vec<char> = settled
        .iter()
        .map(|outcome| match outcome {
            Outcome::Ok(_) => 'o',
            Outcome::Err(_) => 'e',
            Outcome::Panicked(_) => 'p',
            Outcome::Rejected(_) => 'r',
            _ => '?',
        })
        .collect();
    assert_eq!(kinds, ['o', 'e', 'p', 'o', 'e', 'p', 'o']);

    assert_eq!(settled.successes().copied().collect::<Vec<_>>(), [0, 3, 6]);
    assert_eq!(
        settled.errors().cloned().collect::<Vec<_>>(),
        ["error 1", "error 4"]
    );
    let messages: Vec<_> = settled
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Panicked(panic) => panic.message().map(str::to_owned),
            _ => None,
        })
        .collect();
    assert_eq!(messages, ["panic 2", "panic 5"]);

    assert_eq!(settled.success_count(), 3);
    assert_eq!(settled.error_count(), 2);
    assert_eq!(settled.panic_count(), 2);
    assert_eq!(settled.to_string(), "3 succeeded, 2 failed, 2 panicked");
    assert_eq!(settled[4], Outcome::Err("error 4".to_owned()));

    let owned: Vec<Outcome<u32, String>> = settled.into_iter().collect();
    assert_eq!(owned.len(), N);
    assert_eq!(owned[0], Outcome::Ok(0));
    assert_eq!(owned[6], Outcome::Ok(6));

    let mut finished = log.snapshot();
    assert_ne!(finished, (0..N).collect::<Vec<_>>());
    finished.sort_unstable();
    assert_eq!(finished, (0..N).collect::<Vec<_>>());
}

#[test]
fn settled_iter_empty_is_empty() {
    let settled = drive(async {
        join_bounded!(limit = 3, strategy = "settled"; for i in 0..0_u8 => async move { Ok::<u8, String>(i) })
    });
    has_type::<Settled<u8, String>>(&settled);
    assert!(settled.is_empty());
    assert_eq!(settled.len(), 0);
    assert_eq!(settled.iter().count(), 0);
    assert_eq!(settled.to_string(), "0 succeeded, 0 failed, 0 panicked");
    assert_eq!(settled.into_result(), Ok(vec![]));
}

#[test]
fn settled_into_result_gives_values_or_every_error_in_input_order() {
    const N: usize = 5;
    let all_ok = drive(async {
        join_bounded!(limit = N, strategy = "settled"; for i in 0..N => async move {
            yield_times(N - i).await;
            Ok::<usize, String>(i * 2)
        })
    });
    assert_eq!(all_ok.into_result(), Ok(vec![0, 2, 4, 6, 8]));

    let some_err = drive(async {
        join_bounded!(limit = N, strategy = "settled"; for i in 0..N => async move {
            yield_times(N - i).await;
            if i % 2 == 0 { Err(format!("e{i}")) } else { Ok(i) }
        })
    });
    let errors = some_err.into_result().unwrap_err();
    has_type::<Errors<String>>(&errors);
    assert_eq!(errors.into_vec(), ["e0", "e2", "e4"]);
}

#[test]
fn settled_into_result_resumes_the_first_panic_in_input_order() {
    const N: usize = 4;
    let settled = drive(async {
        join_bounded!(limit = N, strategy = "settled"; for i in 0..N => async move {
            // Item 3 panics first, but item 1 comes first in input order.
            yield_times(N - i).await;
            match i {
                1 | 3 => panic!("panic {i}"),
                2 => Err("an error".to_owned()),
                _ => Ok(i),
            }
        })
    });
    assert_eq!(settled.to_string(), "1 succeeded, 1 failed, 2 panicked");
    let payload = panic::catch_unwind(AssertUnwindSafe(|| settled.into_result())).unwrap_err();
    assert_eq!(panic_message(&*payload), Some("panic 1"));
}

// ---------------------------------------------------------------------------------------------
// "any"
// ---------------------------------------------------------------------------------------------

#[test]
fn any_list_returns_the_first_ok_to_arrive() {
    let result = drive(async {
        join_bounded!(limit = 3, strategy = "any";
            async { yield_times(4).await; Ok::<u32, String>(0) },
            async { Err::<u32, String>("fails at once".into()) },
            async { yield_times(2).await; Ok::<u32, String>(2) },
        )
    });
    has_type::<Result<u32, Errors<String>>>(&result);
    assert_eq!(result, Ok(2));
}

#[test]
fn any_list_all_failing_gives_every_error_in_input_order() {
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 3, strategy = "any";
            finish_after(&log, 0, 3, Err::<(), _>("zero")),
            finish_after(&log, 1, 2, Err::<(), _>("one")),
            finish_after(&log, 2, 1, Err::<(), _>("two")),
        )
    });
    assert_eq!(log.snapshot(), [2, 1, 0]);
    let errors = result.unwrap_err();
    assert_eq!(&*errors, ["zero", "one", "two"]);
}

#[test]
fn any_iter_returns_the_first_ok_to_arrive() {
    let result = drive(async {
        join_bounded!(limit = 4, strategy = "any"; for i in 0..8_usize => async move {
            yield_times(8 - i).await;
            if i == 2 || i == 3 { Ok(i) } else { Err(i) }
        })
    });
    has_type::<Result<usize, Errors<usize>>>(&result);
    // Of the Oks, item 3 yields fewer times than item 2.
    assert_eq!(result, Ok(3));
}

#[test]
fn any_iter_all_failing_gives_every_error_in_input_order() {
    const N: usize = 9;
    let log = Log::new();
    let result = drive(async {
        join_bounded!(limit = 4, strategy = "any"; for i in 0..N =>
            finish_after(&log, i, (N - i) % 4, Err::<u8, String>(format!("e{i}"))))
    });
    let mut finished = log.snapshot();
    assert_ne!(finished, (0..N).collect::<Vec<_>>());
    finished.sort_unstable();
    assert_eq!(finished, (0..N).collect::<Vec<_>>());

    let errors = result.unwrap_err();
    let expected: Vec<String> = (0..N).map(|i| format!("e{i}")).collect();
    assert_eq!(errors.len(), N);
    assert_eq!(errors.into_vec(), expected);
}

#[test]
fn any_iter_empty_is_an_empty_error() {
    let result = drive(async {
        join_bounded!(limit = 2, strategy = "any"; for i in std::iter::empty::<u8>() => async move { Ok::<u8, String>(i) })
    });
    has_type::<Result<u8, Errors<String>>>(&result);
    let errors = result.unwrap_err();
    assert!(errors.is_empty());
}

// ---------------------------------------------------------------------------------------------
// "race"
// ---------------------------------------------------------------------------------------------

#[test]
fn race_list_returns_the_first_to_finish() {
    let result = drive(async {
        join_bounded!(limit = 3, strategy = "race";
            async { yield_times(3).await; "slow" },
            async { yield_times(1).await; "fast" },
            async { yield_times(2).await; "medium" },
        )
    });
    has_type::<&str>(&result);
    assert_eq!(result, "fast");
}

#[test]
fn race_takes_an_err_like_any_other_output() {
    let result = drive(async {
        join_bounded!(limit = 2, strategy = "race";
            async { yield_times(2).await; Ok::<u8, u8>(0) },
            async { Err::<u8, u8>(1) },
        )
    });
    assert_eq!(result, Err(1));
}

#[test]
fn race_iter_returns_the_first_to_finish() {
    let result = drive(async {
        join_bounded!(limit = 5, strategy = "race"; for i in 0..5_usize => async move {
            yield_times((i + 2) % 5).await;
            i
        })
    });
    has_type::<Option<usize>>(&result);
    assert_eq!(result, Some(3));
}

#[test]
fn race_iter_empty_is_none() {
    let result = drive(async {
        join_bounded!(limit = 5, strategy = "race"; for i in 0..0_u64 => async move { i })
    });
    has_type::<Option<u64>>(&result);
    assert_eq!(result, None);
}

// ---------------------------------------------------------------------------------------------
// The builder API, without the macro
// ---------------------------------------------------------------------------------------------

fn reversed(n: usize) -> impl Iterator<Item = impl Future<Output = usize>> {
    (0..n).map(move |i| async move {
        yield_times(n - i).await;
        i
    })
}

fn results(n: usize, err_at: &[usize]) -> Vec<impl Future<Output = Result<usize, String>>> {
    (0..n)
        .map(|i| {
            let fails = err_at.contains(&i);
            async move {
                yield_times(n - i).await;
                if fails { Err(format!("e{i}")) } else { Ok(i) }
            }
        })
        .collect()
}

#[test]
fn builder_await_and_join_give_vec_in_input_order() {
    let awaited = drive(async { join_bounded(3, reversed(6)).await });
    has_type::<Vec<usize>>(&awaited);
    assert_eq!(awaited, [0, 1, 2, 3, 4, 5]);

    let joined = drive(join_bounded(NonZeroUsize::new(2).unwrap(), reversed(5)).join());
    assert_eq!(joined, [0, 1, 2, 3, 4]);

    let empty = drive(async { join_bounded(2, reversed(0)).await });
    assert!(empty.is_empty());
}

#[test]
fn builder_all() {
    let ok = drive(join_bounded(4, results(4, &[])).all());
    has_type::<Result<Vec<usize>, String>>(&ok);
    assert_eq!(ok, Ok(vec![0, 1, 2, 3]));

    // Item 2 yields fewer times than item 1, so its error arrives first.
    let err = drive(join_bounded(4, results(4, &[1, 2])).all());
    assert_eq!(err, Err("e2".to_owned()));

    let empty = drive(join_bounded(4, results(0, &[])).all());
    assert_eq!(empty, Ok(vec![]));
}

#[test]
fn builder_settled() {
    let settled = drive(join_bounded(2, results(5, &[0, 3])).settled());
    has_type::<Settled<usize, String>>(&settled);
    assert_eq!(
        settled.into_vec(),
        [
            Outcome::Err("e0".to_owned()),
            Outcome::Ok(1),
            Outcome::Ok(2),
            Outcome::Err("e3".to_owned()),
            Outcome::Ok(4),
        ]
    );

    let empty = drive(join_bounded(2, results(0, &[])).settled());
    assert!(empty.is_empty());
}

#[test]
fn builder_any() {
    let first_ok = drive(join_bounded(5, results(5, &[4, 3])).any());
    has_type::<Result<usize, Errors<String>>>(&first_ok);
    assert_eq!(first_ok, Ok(2));

    let all_failed = drive(join_bounded(2, results(4, &[0, 1, 2, 3])).any());
    assert_eq!(all_failed.unwrap_err().into_vec(), ["e0", "e1", "e2", "e3"]);

    let empty = drive(join_bounded(2, results(0, &[])).any());
    assert!(empty.unwrap_err().is_empty());
}

#[test]
fn builder_race() {
    let first = drive(join_bounded(6, reversed(6)).race());
    has_type::<Option<usize>>(&first);
    assert_eq!(first, Some(5));

    assert_eq!(drive(join_bounded(6, reversed(0)).race()), None);
}

/// A join passed around as a value, with a limit read at run time.
fn doubled(limit: usize, values: Vec<u32>) -> impl Future<Output = Vec<u32>> {
    join_bounded(limit, values.into_iter().map(|v| async move { v * 2 })).join()
}

#[test]
fn builder_join_can_be_returned_and_awaited_later() {
    let join = doubled(2, vec![1, 2, 3]);
    assert_eq!(drive(join), [2, 4, 6]);
}

#[test]
fn builder_with_zero_limit_panics() {
    let payload = panic::catch_unwind(|| {
        let _ = join_bounded(0_usize, reversed(3));
    })
    .unwrap_err();
    let message = panic_message(&*payload).expect("a string message");
    assert!(message.contains("join_bounded"), "message: {message}");
}

// ---------------------------------------------------------------------------------------------
// Outcome, Panic, Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn outcome_accessors() {
    let ok: Outcome<u32, String> = Outcome::Ok(7);
    let err: Outcome<u32, String> = Outcome::Err("bad".into());

    assert!(ok.is_ok() && !ok.is_err() && !ok.is_panicked());
    assert!(!err.is_ok() && err.is_err() && !err.is_panicked());

    assert_eq!(Outcome::<u32, String>::Ok(7).ok(), Some(7));
    assert_eq!(Outcome::<u32, String>::Ok(7).err(), None);
    assert_eq!(Outcome::<u32, String>::Err("bad".into()).ok(), None);
    assert_eq!(
        Outcome::<u32, String>::Err("bad".into()).err(),
        Some("bad".to_owned())
    );

    assert_eq!(ok.into_result(), Ok(7));
    assert_eq!(err.into_result(), Err("bad".to_owned()));
    let via_from: Result<u32, String> = Outcome::Ok(3).into();
    assert_eq!(via_from, Ok(3));
}

/// A `Panicked` outcome, as a settled join produces it.
fn panicked(message: &'static str) -> Outcome<u32, String> {
    let (outcome,) = drive(async {
        join_bounded!(limit = 1, strategy = "settled"; async move {
            if !message.is_empty() {
                panic!("{message}");
            }
            Ok(0)
        })
    });
    outcome
}

#[test]
fn panicked_outcome_accessors() {
    let outcome = panicked("it broke");
    assert!(outcome.is_panicked());
    assert!(!outcome.is_ok());
    assert!(!outcome.is_err());
    assert_eq!(panicked("it broke").ok(), None);
    assert_eq!(panicked("it broke").err(), None);
    match outcome {
        Outcome::Panicked(panic) => {
            assert_eq!(panic.message(), Some("it broke"));
            assert_eq!(panic.to_string(), "it broke");
            assert!(format!("{panic:?}").contains("it broke"));
        }
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[test]
fn panicked_outcome_into_result_resumes_the_panic() {
    let outcome = panicked("resume me");
    let payload = panic::catch_unwind(AssertUnwindSafe(|| outcome.into_result())).unwrap_err();
    assert_eq!(panic_message(&*payload), Some("resume me"));

    let outcome = panicked("resume me too");
    let payload = panic::catch_unwind(AssertUnwindSafe(|| {
        let _: Result<u32, String> = outcome.into();
    }))
    .unwrap_err();
    assert_eq!(panic_message(&*payload), Some("resume me too"));
}

#[test]
fn panic_without_a_string_message_has_no_message() {
    let (outcome,) = drive(async {
        join_bounded!(limit = 1, strategy = "settled"; async {
            if true {
                panic::panic_any(42_u32);
            }
            Ok::<(), ()>(())
        })
    });
    match outcome {
        Outcome::Panicked(panic) => assert_eq!(panic.message(), None),
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[derive(Debug, Clone, PartialEq)]
struct MyError(&'static str);

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "my error {}", self.0)
    }
}

impl Error for MyError {}

async fn fail(name: &'static str, yields: usize) -> Result<u8, MyError> {
    yield_times(yields).await;
    Err(MyError(name))
}

#[test]
fn errors_derefs_to_a_slice_in_input_order() {
    let errors = drive(async {
        join_bounded!(limit = 3, strategy = "any"; fail("a", 3), fail("b", 2), fail("c", 1))
    })
    .unwrap_err();
    let slice: &[MyError] = &errors;
    assert_eq!(slice, [MyError("a"), MyError("b"), MyError("c")]);
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[1], MyError("b"));
    assert_eq!(errors.first(), Some(&MyError("a")));
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<String>(),
        "abc".to_owned()
    );
    assert_eq!((&errors).into_iter().count(), 3);
    assert_eq!(
        errors.into_iter().collect::<Vec<_>>(),
        [MyError("a"), MyError("b"), MyError("c")]
    );
}

#[test]
fn errors_display() {
    let none: Errors<MyError> = Vec::new().into();
    assert_eq!(none.to_string(), "no errors");

    let one: Errors<MyError> = vec![MyError("x")].into();
    assert_eq!(one.to_string(), "my error x");

    let two: Errors<MyError> = vec![MyError("x"), MyError("y")].into();
    let text = two.to_string();
    assert!(text.contains('2'), "{text}");
    assert!(text.contains("my error x"), "{text}");
}

#[test]
fn errors_is_a_std_error() {
    fn run() -> Result<u8, Box<dyn Error + Send + Sync>> {
        let value = drive(async {
            join_bounded!(limit = 2, strategy = "any"; for name in ["p", "q"] => fail(name, 0))
        })?;
        Ok(value)
    }
    let error = run().unwrap_err();
    assert!(error.to_string().contains("my error p"), "{error}");
    let errors = error
        .downcast_ref::<Errors<MyError>>()
        .expect("the boxed error is the Errors aggregate");
    assert_eq!(&**errors, [MyError("p"), MyError("q")]);

    fn takes_error(_: &dyn Error) {}
    takes_error(errors);
}

type BoxError = Box<dyn Error + Send + Sync>;

/// Fails with a boxed error, as code that mixes error types does.
async fn fail_boxed(name: &'static str) -> Result<u8, BoxError> {
    Err(format!("boxed {name}").into())
}

/// Fails with an `anyhow::Error`.
async fn fail_anyhow(name: &'static str) -> Result<u8, anyhow::Error> {
    Err(anyhow::anyhow!("anyhow {name}"))
}

#[test]
fn errors_of_boxed_errors_convert_with_question_mark() {
    // `Box<dyn Error + Send + Sync>` is not itself an `Error`, so this needs `Errors<E>: Error`
    // for every `E: Debug + Display`.
    fn run() -> Result<u8, BoxError> {
        let value = drive(async {
            join_bounded!(limit = 2, strategy = "any"; for name in ["p", "q"] => fail_boxed(name))
        })?;
        Ok(value)
    }
    let error = run().unwrap_err();
    assert_eq!(error.to_string(), "2 errors; the first: boxed p");
    let errors = error
        .downcast_ref::<Errors<BoxError>>()
        .expect("the boxed error is the Errors aggregate");
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["boxed p", "boxed q"]);
}

#[test]
fn errors_of_anyhow_errors_convert_with_question_mark() {
    fn run() -> anyhow::Result<u8> {
        let value = drive(async {
            join_bounded!(limit = 2, strategy = "any"; fail_anyhow("p"), fail_anyhow("q"))
        })?;
        Ok(value)
    }
    let error = run().unwrap_err();
    assert_eq!(error.to_string(), "2 errors; the first: anyhow p");
    let errors = error
        .downcast_ref::<Errors<anyhow::Error>>()
        .expect("the anyhow error is the Errors aggregate");
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[1].to_string(), "anyhow q");
}
