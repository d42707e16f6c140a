//! `#[bounded(strategy = ...)]`: `"settled"` turns each call's `Result` and any panic into an
//! `Outcome`; `"all"` (the default) returns exactly the declared type, and panics unwind to the
//! caller. Every test uses its own functions (one `static` semaphore each).

mod common;

use std::panic::{self, AssertUnwindSafe};

use bounded_async::{Outcome, Panic, bounded};
use common::{Gate, Gauge, panic_message, poll_once, poll_to_completion, yield_now};
use futures::executor::block_on;

#[derive(Debug, PartialEq)]
struct ApiError(String);

// ---------------------------------------------------------------------------------------------
// "settled"
// ---------------------------------------------------------------------------------------------

/// Defines a `limit = 1`, `strategy = "settled"` parser. Tests that need the next call to run
/// at once get their own (tests run in parallel; each function has its own limit).
macro_rules! settled_parse {
    ($name:ident) => {
        #[bounded(limit = 1, strategy = "settled")]
        async fn $name(input: &'static str) -> Result<u32, ApiError> {
            yield_now().await;
            match input {
                "static panic" => panic!("a static message"),
                "formatted panic" => panic!("formatted: {}", input.len()),
                _ => {}
            }
            let n: u32 = input
                .parse()
                .map_err(|_| ApiError(format!("not a number: {input}")))?;
            if n == 0 {
                return Err(ApiError("zero".to_owned()));
            }
            Ok(n)
        }
    };
}

settled_parse!(settled_parse);
settled_parse!(settled_parse_after_panics);

#[test]
fn settled_returns_ok_as_outcome_ok() {
    let outcome: Outcome<u32, ApiError> = block_on(settled_parse("42"));
    assert!(outcome.is_ok());
    assert_eq!(outcome.ok(), Some(42));
}

#[test]
fn settled_returns_an_err_as_outcome_err_from_question_mark_and_from_return() {
    let from_question_mark = block_on(settled_parse("x"));
    assert!(from_question_mark.is_err());
    assert_eq!(
        from_question_mark.err(),
        Some(ApiError("not a number: x".to_owned()))
    );

    let from_return = block_on(settled_parse("0"));
    assert!(matches!(&from_return, Outcome::Err(ApiError(message)) if message == "zero"));
}

#[test]
fn settled_returns_a_panic_as_outcome_panicked_with_its_message() {
    // Neither panic reaches the caller: `block_on` returns normally.
    let static_message = block_on(settled_parse("static panic"));
    assert!(static_message.is_panicked());
    let panic = static_message.panic().expect("Outcome::Panicked");
    assert_eq!(panic.message(), Some("a static message"));
    assert_eq!(panic.to_string(), "a static message");

    let formatted = block_on(settled_parse("formatted panic"));
    match formatted {
        Outcome::Panicked(panic) => assert_eq!(panic.message(), Some("formatted: 15")),
        other => panic!("expected Outcome::Panicked, got {other:?}"),
    }
}

#[test]
fn settled_releases_the_permit_after_a_panic() {
    // `limit = 1`: each later call completes only if the panic gave the permit back.
    for _ in 0..3 {
        assert!(block_on(settled_parse_after_panics("static panic")).is_panicked());
        let next = poll_to_completion(Box::pin(settled_parse_after_panics("5")).as_mut(), 10);
        assert_eq!(next.ok(), Some(5));
    }
}

#[bounded(limit = 1, strategy = "settled")]
async fn settled_after_gate(
    gate: Gate,
    entered: Gauge,
    panics: bool,
) -> Result<&'static str, String> {
    let _inside = entered.enter();
    gate.wait().await;
    if panics {
        panic!("settled panic while another call waits");
    }
    Ok("ran")
}

#[test]
fn settled_hands_the_permit_of_a_panicked_call_to_the_waiting_one() {
    let gate = Gate::new();
    let entered = Gauge::new();
    let mut panicking = Box::pin(settled_after_gate(gate.clone(), entered.clone(), true));
    let mut waiting = Box::pin(settled_after_gate(gate.clone(), entered.clone(), false));
    assert!(poll_once(panicking.as_mut()).is_pending());
    assert!(poll_once(waiting.as_mut()).is_pending());
    assert_eq!(
        entered.entered(),
        1,
        "limit = 1: the second call waits in line"
    );
    gate.open();

    // Polling the panicking call does not unwind into the caller.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| poll_once(panicking.as_mut())))
        .expect("a settled call never unwinds into its caller");
    let std::task::Poll::Ready(outcome) = outcome else {
        panic!("the panicking call finished on this poll");
    };
    assert_eq!(
        outcome.panic().and_then(|p| p.message().map(str::to_owned)),
        Some("settled panic while another call waits".to_owned())
    );
    let std::task::Poll::Ready(next) = poll_once(waiting.as_mut()) else {
        panic!("the waiting call was handed the permit");
    };
    assert_eq!(next.ok(), Some("ran"));
    assert_eq!(entered.entered(), 2);
    assert_eq!(entered.max(), 1, "the calls ran one after the other");
}

#[bounded(limit = 2, strategy = "settled")]
async fn settled_io(fail: bool) -> std::io::Result<u8> {
    if fail {
        return Err(std::io::Error::other("disk on fire"));
    }
    Ok(1)
}

#[test]
fn settled_accepts_a_result_alias() {
    let ok: Outcome<u8, std::io::Error> = block_on(settled_io(false));
    assert_eq!(ok.ok(), Some(1));
    let err = block_on(settled_io(true)).err().expect("Outcome::Err");
    assert_eq!(err.to_string(), "disk on fire");
}

struct Account {
    balance: u32,
}

impl Account {
    #[bounded(limit = 1, strategy = "settled")]
    async fn withdraw(&mut self, amount: u32) -> Result<u32, String> {
        if amount > self.balance {
            return Err(format!("only {} left", self.balance));
        }
        self.balance -= amount;
        Ok(self.balance)
    }
}

#[test]
fn settled_works_on_a_method_borrowing_self_mutably() {
    let mut account = Account { balance: 10 };
    assert_eq!(block_on(account.withdraw(4)).ok(), Some(6));
    assert_eq!(
        block_on(account.withdraw(9)).err(),
        Some("only 6 left".to_owned())
    );
    assert_eq!(account.balance, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settled_calls_can_be_spawned_and_panics_stay_inside_the_outcome() {
    let tasks: Vec<_> = ["1", "x", "static panic", "3"]
        .into_iter()
        .map(|input| tokio::spawn(settled_parse(input)))
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("the task itself never panics"));
    }
    assert_eq!(
        outcomes,
        [
            Outcome::Ok(1),
            Outcome::Err(ApiError("not a number: x".to_owned())),
            Outcome::Panicked(Panic::new(Box::new("a static message"))),
            Outcome::Ok(3),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// "all" (the default)
// ---------------------------------------------------------------------------------------------

macro_rules! default_strategy {
    ($name:ident) => {
        #[bounded(limit = 1)]
        async fn $name(input: &'static str) -> Result<u32, ApiError> {
            yield_now().await;
            if input == "panic" {
                panic!("default strategy panic");
            }
            let n = input
                .parse()
                .map_err(|_| ApiError(format!("bad input {input}")))?;
            Ok(n)
        }
    };
}

default_strategy!(default_strategy);
default_strategy!(default_strategy_after_panic);

macro_rules! explicit_all {
    ($name:ident) => {
        #[bounded(limit = 1, strategy = "all")]
        async fn $name(input: &'static str) -> Result<u32, ApiError> {
            yield_now().await;
            if input == "panic" {
                panic!("explicit all panic");
            }
            let n = input
                .parse()
                .map_err(|_| ApiError(format!("bad input {input}")))?;
            Ok(n)
        }
    };
}

explicit_all!(explicit_all);
explicit_all!(explicit_all_spawned);

#[bounded(limit = 3, strategy = "all")]
async fn not_a_result(n: u32) -> Option<u32> {
    n.checked_sub(1)
}

#[test]
fn all_returns_exactly_the_declared_type() {
    // The annotations are the check: these only compile if the declared type comes back as is.
    let ok: Result<u32, ApiError> = block_on(default_strategy("7"));
    assert_eq!(ok, Ok(7));
    let err: Result<u32, ApiError> = block_on(default_strategy("q"));
    assert_eq!(err, Err(ApiError("bad input q".to_owned())));

    let ok: Result<u32, ApiError> = block_on(explicit_all("8"));
    assert_eq!(ok, Ok(8));
    let err: Result<u32, ApiError> = block_on(explicit_all("z"));
    assert_eq!(err, Err(ApiError("bad input z".to_owned())));

    let some: Option<u32> = block_on(not_a_result(1));
    assert_eq!(some, Some(0));
    assert_eq!(block_on(not_a_result(0)), None);
}

#[test]
fn all_lets_a_panic_unwind_to_the_caller_and_releases_the_permit() {
    let caught = panic::catch_unwind(|| block_on(default_strategy_after_panic("panic")));
    let payload = caught.expect_err("the panic reaches the caller");
    assert_eq!(panic_message(&*payload), Some("default strategy panic"));

    // `limit = 1`: the next call completes, so the unwinding released the permit.
    let next = poll_to_completion(Box::pin(default_strategy_after_panic("9")).as_mut(), 10);
    assert_eq!(next, Ok(9));
}

#[tokio::test(flavor = "current_thread")]
async fn all_panics_in_spawned_calls_surface_as_join_errors() {
    let error = tokio::spawn(explicit_all_spawned("panic"))
        .await
        .expect_err("the panic reaches the task");
    assert_eq!(
        panic_message(&*error.into_panic()),
        Some("explicit all panic")
    );
    assert_eq!(
        tokio::spawn(explicit_all_spawned("4")).await.unwrap(),
        Ok(4)
    );
    // Both functions' permits were released: a direct call runs through.
    assert_eq!(
        poll_to_completion(Box::pin(explicit_all_spawned("5")).as_mut(), 10),
        Ok(5)
    );
}
