//! `Rejected` and `Reason` through the facade: the conversions `?` makes into the error types
//! that qualify for the rejecting keys, and a rejection inside `Outcome` and `Settled`.
//!
//! No gate rejects a call yet, so the rejections are built with the constructors the gates use.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use bounded_async::__private::rejected::{paused, queue_full, timed_out, wait_elapsed};
use bounded_async::{Errors, Outcome, Reason, Rejected, Settled};

type BoxError = Box<dyn Error + Send + Sync>;

fn rejected_call(rejected: Rejected) -> Result<u32, Rejected> {
    Err(rejected)
}

#[test]
fn question_mark_converts_a_rejection_into_a_boxed_error() {
    fn call() -> Result<u32, BoxError> {
        Ok(rejected_call(queue_full("app::DB", 16))? + 1)
    }
    let error = call().unwrap_err();
    assert_eq!(
        error.to_string(),
        "app::DB: 16 calls already waiting (queue = 16)"
    );
    let rejected = error.downcast::<Rejected>().expect("the rejection itself");
    assert_eq!(rejected.reason(), Reason::QueueFull);
}

#[test]
fn question_mark_converts_a_rejection_into_an_anyhow_error() {
    fn call() -> anyhow::Result<u32> {
        Ok(rejected_call(wait_elapsed("app::fetch", Duration::from_millis(250)))? + 1)
    }
    let error = call().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"app::fetch: not admitted within 250ms (wait = "250ms")"#
    );
    let rejected = error
        .downcast_ref::<Rejected>()
        .expect("the rejection itself");
    assert_eq!(rejected.gate(), "app::fetch");
    assert_eq!(rejected.reason(), Reason::WaitElapsed);
}

/// An error enum with a variant for the rejection, its `From` written by hand: what thiserror's
/// `#[from]` generates.
#[derive(Debug)]
enum ApiError {
    NotFound,
    Rejected(Rejected),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotFound => f.write_str("not found"),
            ApiError::Rejected(rejected) => fmt::Display::fmt(rejected, f),
        }
    }
}

impl Error for ApiError {}

impl From<Rejected> for ApiError {
    fn from(rejected: Rejected) -> Self {
        ApiError::Rejected(rejected)
    }
}

#[test]
fn question_mark_converts_a_rejection_into_an_enum_with_a_variant_for_it() {
    fn call() -> Result<u32, ApiError> {
        Ok(rejected_call(paused(
            "app::PARTNER",
            Duration::from_secs(3),
        ))?)
    }
    match call() {
        Err(ApiError::Rejected(rejected)) => {
            assert_eq!(rejected.reason(), Reason::Paused);
            assert_eq!(rejected.retry_after(), Some(Duration::from_secs(3)));
        }
        other => panic!("expected the rejection, got {other:?}"),
    }
}

#[test]
fn an_outcome_turns_a_rejection_into_each_qualifying_error() {
    fn outcome<E>() -> Outcome<u32, E> {
        Outcome::Rejected(timed_out("app::fetch", Duration::from_secs(2)))
    }
    let message = r#"app::fetch: still running after 2s, so it was cancelled (timeout = "2s")"#;

    let boxed: Result<u32, BoxError> = outcome().into_result();
    assert_eq!(boxed.unwrap_err().to_string(), message);
    let anyhow: anyhow::Result<u32> = outcome().into_result();
    assert_eq!(anyhow.unwrap_err().to_string(), message);
    let string: Result<u32, String> = outcome().into();
    assert_eq!(string.unwrap_err(), message);
    let api: Result<u32, ApiError> = outcome().into_result();
    assert!(matches!(api, Err(ApiError::Rejected(r)) if r.reason() == Reason::TimedOut));
    let api: Result<u32, ApiError> = Outcome::Err(ApiError::NotFound).into_result();
    assert!(matches!(api, Err(ApiError::NotFound)));
}

#[test]
fn a_settled_join_into_anyhow_keeps_each_rejection() {
    let settled: Settled<u32, anyhow::Error> = vec![
        Outcome::Ok(1),
        Outcome::Err(anyhow::anyhow!("refused")),
        Outcome::Rejected(queue_full("app::DB", 0)),
    ]
    .into();
    assert_eq!(
        settled.to_string(),
        "1 succeeded, 1 failed, 0 panicked, 1 rejected"
    );

    fn run(settled: Settled<u32, anyhow::Error>) -> anyhow::Result<Vec<u32>> {
        Ok(settled.into_result()?)
    }
    let error = run(settled).unwrap_err();
    assert_eq!(error.to_string(), "2 errors; the first: refused");
    let errors = error
        .downcast_ref::<Errors<anyhow::Error>>()
        .expect("the aggregate");
    let rejected = errors[1]
        .downcast_ref::<Rejected>()
        .expect("the rejection itself");
    assert_eq!(
        rejected.to_string(),
        "app::DB: no permit free, and no call may wait (queue = 0)"
    );
}

#[test]
fn a_rejection_crosses_threads_and_tasks() {
    let rejected = queue_full("app::DB", 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let outcome: Outcome<u32, BoxError> = runtime
        .block_on(async { tokio::spawn(async move { Outcome::Rejected(rejected) }).await })
        .unwrap();
    let gate = std::thread::spawn(move || outcome.rejected().map(|r| r.gate()))
        .join()
        .unwrap();
    assert_eq!(gate, Some("app::DB"));
}

#[test]
fn errors_of_rejections_convert_with_question_mark() {
    fn all_rejected() -> Result<u32, Errors<Rejected>> {
        Err(vec![
            queue_full("app::DB", 2),
            wait_elapsed("app::DB", Duration::from_secs(90)),
        ]
        .into())
    }
    fn boxed() -> Result<u32, BoxError> {
        Ok(all_rejected()?)
    }
    fn with_anyhow() -> anyhow::Result<u32> {
        Ok(all_rejected()?)
    }
    let message = "2 errors; the first: app::DB: 2 calls already waiting (queue = 2)";
    assert_eq!(boxed().unwrap_err().to_string(), message);
    let error = with_anyhow().unwrap_err();
    assert_eq!(error.to_string(), message);
    let errors = error
        .downcast_ref::<Errors<Rejected>>()
        .expect("the aggregate");
    let reasons: Vec<Reason> = errors.iter().map(Rejected::reason).collect();
    assert_eq!(reasons, [Reason::QueueFull, Reason::WaitElapsed]);
    assert_eq!(
        format!("{errors:#}"),
        "2 errors:\n  0: app::DB: 2 calls already waiting (queue = 2)\n  1: app::DB: not admitted within 1m30s (wait = \"1m30s\")"
    );
}
