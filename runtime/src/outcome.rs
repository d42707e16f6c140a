//! The outcome of one call or one joined future: a value, an error, a captured panic, or a
//! rejection by a gate.

use std::any::Any;
use std::fmt;
use std::panic;

use crate::Rejected;

/// How one call or one joined future ended, under `strategy = "settled"`.
///
/// `Outcome` is to `Result` what `Promise.allSettled` is to `Promise.all`: it records an error,
/// a panic *and* a rejection by a gate as values, so one failure cannot throw away the other
/// results.
///
/// ```
/// use bounded_async::Outcome;
///
/// let ok: Outcome<u32, String> = Outcome::Ok(7);
/// assert!(ok.is_ok());
/// assert_eq!(ok.ok(), Some(7));
///
/// let err: Outcome<u32, String> = Outcome::Err("timed out".to_owned());
/// assert_eq!(err.into_result(), Err("timed out".to_owned()));
/// ```
///
/// # Variants
///
/// A call ends in one of four ways: its body returned `Ok` or `Err`, it panicked, or a gate
/// turned it away with [`Outcome::Rejected`] (a gate with `queue`, `wait` or `timeout`: the
/// queue was full, the wait ran out, the body ran past its timeout and was dropped, or the gate
/// was paused). `Outcome` stays `#[non_exhaustive]`, as the ways a call can end may grow, so a
/// `match` outside this crate needs a `_` arm. The helpers below cover every variant, so most
/// code needs no `match` at all:
///
/// - [`is_ok`](Outcome::is_ok), [`is_err`](Outcome::is_err),
///   [`is_panicked`](Outcome::is_panicked), [`is_rejected`](Outcome::is_rejected) ask which it
///   is;
/// - [`ok`](Outcome::ok), [`err`](Outcome::err), [`panic`](Outcome::panic),
///   [`rejected`](Outcome::rejected) take one variant out;
/// - [`map`](Outcome::map) and [`map_err`](Outcome::map_err) change the value or the error and
///   keep every other variant as it is;
/// - [`into_result`](Outcome::into_result) goes back to a `Result` for `?`, and
///   [`into_result_with`](Outcome::into_result_with) does for an error type that cannot hold a
///   rejection.
///
/// ```
/// use bounded_async::Outcome;
///
/// fn describe(outcome: &Outcome<u32, String>) -> String {
///     match outcome {
///         Outcome::Ok(value) => format!("got {value}"),
///         Outcome::Err(error) => format!("failed: {error}"),
///         Outcome::Panicked(panic) => format!("panicked: {panic}"),
///         Outcome::Rejected(rejected) => format!("rejected: {rejected}"),
///         // Whatever later releases add.
///         _ => "did not run".to_owned(),
///     }
/// }
///
/// assert_eq!(describe(&Outcome::Ok(7)), "got 7");
/// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 2);
/// // `rejected` is what a gate with `queue = 2` gives the third call to wait.
/// assert_eq!(
///     describe(&Outcome::Rejected(rejected)),
///     "rejected: my_app::DB: 2 calls already waiting (queue = 2)"
/// );
/// ```
#[non_exhaustive]
#[must_use = "an `Outcome` may hold an error or a panic, which should be handled"]
pub enum Outcome<T, E> {
    /// The future returned `Ok(T)`.
    Ok(T),
    /// The future returned `Err(E)`.
    Err(E),
    /// The future panicked; the panic was caught and is held here.
    Panicked(Panic),
    /// A gate turned the call away: the body never ran, or ran past its `timeout` and was
    /// dropped. [`Rejected::reason`] says which.
    Rejected(Rejected),
}

impl<T, E> Outcome<T, E> {
    /// Returns `true` for `Outcome::Ok`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok(_))
    }

    /// Returns `true` for `Outcome::Err`.
    pub fn is_err(&self) -> bool {
        matches!(self, Outcome::Err(_))
    }

    /// Returns `true` for `Outcome::Panicked`.
    pub fn is_panicked(&self) -> bool {
        matches!(self, Outcome::Panicked(_))
    }

    /// Returns `true` for `Outcome::Rejected`.
    pub fn is_rejected(&self) -> bool {
        matches!(self, Outcome::Rejected(_))
    }

    /// The value of `Outcome::Ok`, or `None`.
    pub fn ok(self) -> Option<T> {
        match self {
            Outcome::Ok(value) => Some(value),
            _ => None,
        }
    }

    /// The error of `Outcome::Err`, or `None`.
    pub fn err(self) -> Option<E> {
        match self {
            Outcome::Err(error) => Some(error),
            _ => None,
        }
    }

    /// The captured panic of `Outcome::Panicked`, or `None`.
    pub fn panic(self) -> Option<Panic> {
        match self {
            Outcome::Panicked(panic) => Some(panic),
            _ => None,
        }
    }

    /// The rejection of `Outcome::Rejected`, or `None`.
    ///
    /// It takes the outcome by value, like [`ok`](Outcome::ok), [`err`](Outcome::err) and
    /// [`panic`](Outcome::panic); to look without taking, match on a reference, or call it on
    /// a clone of the rejection (`Rejected` is `Clone`).
    ///
    /// ```
    /// use bounded_async::{Outcome, Reason};
    ///
    /// # let rejected = bounded_async::__private::rejected::wait_elapsed(
    /// #     "my_app::fetch",
    /// #     std::time::Duration::from_millis(250),
    /// # );
    /// let outcome: Outcome<u32, String> = Outcome::Rejected(rejected);
    /// assert!(outcome.is_rejected());
    /// let rejected = outcome.rejected().unwrap();
    /// assert_eq!(rejected.reason(), Reason::WaitElapsed);
    /// assert_eq!(rejected.gate(), "my_app::fetch");
    /// ```
    pub fn rejected(self) -> Option<Rejected> {
        match self {
            Outcome::Rejected(rejected) => Some(rejected),
            _ => None,
        }
    }

    /// Maps the value of `Outcome::Ok`, leaving every other variant as it is.
    ///
    /// ```
    /// use bounded_async::Outcome;
    ///
    /// let size: Outcome<&str, String> = Outcome::Ok("4096");
    /// assert_eq!(size.map(str::len), Outcome::Ok(4));
    ///
    /// let failed: Outcome<&str, String> = Outcome::Err("refused".to_owned());
    /// assert_eq!(failed.map(str::len), Outcome::Err("refused".to_owned()));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U, E> {
        match self {
            Outcome::Ok(value) => Outcome::Ok(f(value)),
            Outcome::Err(error) => Outcome::Err(error),
            Outcome::Panicked(panic) => Outcome::Panicked(panic),
            Outcome::Rejected(rejected) => Outcome::Rejected(rejected),
        }
    }

    /// Maps the error of `Outcome::Err`, leaving every other variant as it is.
    ///
    /// ```
    /// use bounded_async::Outcome;
    ///
    /// let failed: Outcome<u32, std::io::Error> =
    ///     Outcome::Err(std::io::Error::other("connection reset"));
    /// assert_eq!(
    ///     failed.map_err(|error| error.to_string()),
    ///     Outcome::Err("connection reset".to_owned())
    /// );
    /// ```
    pub fn map_err<F>(self, f: impl FnOnce(E) -> F) -> Outcome<T, F> {
        match self {
            Outcome::Ok(value) => Outcome::Ok(value),
            Outcome::Err(error) => Outcome::Err(f(error)),
            Outcome::Panicked(panic) => Outcome::Panicked(panic),
            Outcome::Rejected(rejected) => Outcome::Rejected(rejected),
        }
    }

    /// Converts to a `Result`, resuming a captured panic on this thread.
    ///
    /// This is the way back from "settled" to ordinary error handling: `?` works on the result,
    /// and a panic behaves as if it had never been caught. Each variant has its conversion:
    ///
    /// | variant | becomes |
    /// |---|---|
    /// | `Ok(value)` | `Ok(value)` |
    /// | `Err(error)` | `Err(error)` |
    /// | `Rejected(rejected)` | `Err(E::from(rejected))` |
    /// | `Panicked(panic)` | no `Result`: the panic is resumed, see below |
    ///
    /// A rejection becomes the error that the same call returns under `strategy = "all"` when
    /// its gate rejects it, so `into_result` asks `E: From<Rejected>`, as `"all"` does.
    /// `anyhow::Error`, `Box<dyn Error + Send + Sync>` and `String` qualify, and an error enum
    /// does with a `#[from] Rejected` variant (see [`Rejected`]). For any other error type, say
    /// what a rejection becomes with [`into_result_with`](Outcome::into_result_with).
    ///
    /// # Panics
    ///
    /// With the captured panic's own payload, for `Outcome::Panicked`: a panic is not an error
    /// value that the caller could handle. Use [`panic`](Outcome::panic) or a `match` to look at
    /// it instead.
    ///
    /// ```
    /// use bounded_async::{Outcome, Panic};
    ///
    /// fn double(outcome: Outcome<u32, String>) -> Result<u32, String> {
    ///     Ok(outcome.into_result()? * 2)
    /// }
    ///
    /// assert_eq!(double(Outcome::Ok(21)), Ok(42));
    /// assert_eq!(double(Outcome::Err("refused".to_owned())), Err("refused".to_owned()));
    ///
    /// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 128);
    /// // `rejected` is what `pool!(pub DB = 16, queue = 128)` gives a call when 128 already wait.
    /// assert_eq!(
    ///     double(Outcome::Rejected(rejected)),
    ///     Err("my_app::DB: 128 calls already waiting (queue = 128)".to_owned())
    /// );
    ///
    /// let panicked = Outcome::Panicked(Panic::new(Box::new("boom")));
    /// let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| double(panicked)));
    /// let payload = resumed.unwrap_err();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    ///
    /// With an error enum, the rejection keeps its [`reason`](Rejected::reason):
    ///
    /// ```
    /// use bounded_async::{Outcome, Reason, Rejected};
    ///
    /// #[derive(Debug, thiserror::Error)]
    /// enum ApiError {
    ///     #[error("not found")]
    ///     NotFound,
    ///     #[error(transparent)]
    ///     Rejected(#[from] Rejected),
    /// }
    ///
    /// # let rejected = bounded_async::__private::rejected::timed_out(
    /// #     "my_app::fetch",
    /// #     std::time::Duration::from_secs(2),
    /// # );
    /// let outcome: Outcome<u32, ApiError> = Outcome::Rejected(rejected);
    /// match outcome.into_result() {
    ///     Err(ApiError::Rejected(rejected)) => assert_eq!(rejected.reason(), Reason::TimedOut),
    ///     other => panic!("expected a rejection, got {other:?}"),
    /// }
    /// ```
    pub fn into_result(self) -> Result<T, E>
    where
        E: From<Rejected>,
    {
        self.into_result_with(E::from)
    }

    /// Converts to a `Result` like [`into_result`](Outcome::into_result), with `on_rejected`
    /// turning a rejection into an `E`: for error types that do not implement `From<Rejected>`.
    ///
    /// A captured panic is resumed, as `into_result` does.
    ///
    /// ```
    /// use std::io;
    ///
    /// use bounded_async::Outcome;
    ///
    /// fn read(outcome: Outcome<Vec<u8>, io::Error>) -> io::Result<Vec<u8>> {
    ///     outcome.into_result_with(io::Error::other)
    /// }
    ///
    /// assert_eq!(read(Outcome::Ok(vec![1, 2])).unwrap(), [1, 2]);
    ///
    /// # let rejected = bounded_async::__private::rejected::wait_elapsed(
    /// #     "my_app::read",
    /// #     std::time::Duration::from_millis(250),
    /// # );
    /// // `rejected` is what `#[bounded(limit = 4, wait = "250ms")]` gives a call that waited too long.
    /// let error = read(Outcome::Rejected(rejected)).unwrap_err();
    /// assert_eq!(error.kind(), io::ErrorKind::Other);
    /// assert_eq!(
    ///     error.to_string(),
    ///     r#"my_app::read: not admitted within 250ms (wait = "250ms")"#
    /// );
    /// ```
    pub fn into_result_with(self, on_rejected: impl FnOnce(Rejected) -> E) -> Result<T, E> {
        match self {
            Outcome::Ok(value) => Ok(value),
            Outcome::Err(error) => Err(error),
            Outcome::Panicked(panic) => panic.resume(),
            Outcome::Rejected(rejected) => Err(on_rejected(rejected)),
        }
    }

    /// Turns a future's `Result`, or the panic caught while polling it, into an `Outcome`.
    pub(crate) fn from_caught(caught: std::thread::Result<Result<T, E>>) -> Self {
        match caught {
            Ok(Ok(value)) => Outcome::Ok(value),
            Ok(Err(error)) => Outcome::Err(error),
            Err(payload) => Outcome::Panicked(Panic::new(payload)),
        }
    }
}

impl<T, E> From<Result<T, E>> for Outcome<T, E> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(value) => Outcome::Ok(value),
            Err(error) => Outcome::Err(error),
        }
    }
}

impl<T, E: From<Rejected>> From<Outcome<T, E>> for Result<T, E> {
    /// Same as [`Outcome::into_result`]: a rejection becomes `Err(E::from(rejected))`, and a
    /// captured panic is resumed.
    fn from(outcome: Outcome<T, E>) -> Self {
        outcome.into_result()
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for Outcome<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok(value) => f.debug_tuple("Ok").field(value).finish(),
            Outcome::Err(error) => f.debug_tuple("Err").field(error).finish(),
            Outcome::Panicked(panic) => f.debug_tuple("Panicked").field(panic).finish(),
            Outcome::Rejected(rejected) => f.debug_tuple("Rejected").field(rejected).finish(),
        }
    }
}

/// Values and errors compare by value. Two panics are equal when both have a string message
/// and the messages are equal. Two rejections are equal when they have the same
/// [`reason`](Rejected::reason) and the same [`gate`](Rejected::gate): that is what tells one
/// rejection from another, while the rest of a pause (`retry_after`) depends on when the call
/// came.
///
/// A panic whose payload is not a string (`std::panic::panic_any`) equals no panic, not even
/// itself: nothing about two such payloads can be compared, and calling them equal would make
/// `assert_eq!` pass for panics that have nothing in common. For the same reason `Outcome` is
/// not `Eq`.
///
/// ```
/// use bounded_async::{Outcome, Panic};
///
/// let boom = || Outcome::<u8, u8>::Panicked(Panic::new(Box::new("boom")));
/// assert_eq!(boom(), boom());
///
/// let opaque = || Outcome::<u8, u8>::Panicked(Panic::new(Box::new(7_u32)));
/// assert_ne!(opaque(), opaque());
///
/// # use std::time::Duration;
/// # use bounded_async::__private::rejected::paused;
/// // Two calls that a paused gate turned away, 300ms apart.
/// # let (early, late) = (paused("my_app::API", Duration::from_secs(1)), paused("my_app::API", Duration::from_millis(700)));
/// assert_eq!(Outcome::<u8, u8>::Rejected(early), Outcome::Rejected(late));
/// ```
impl<T: PartialEq, E: PartialEq> PartialEq for Outcome<T, E> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Outcome::Ok(a), Outcome::Ok(b)) => a == b,
            (Outcome::Err(a), Outcome::Err(b)) => a == b,
            (Outcome::Panicked(a), Outcome::Panicked(b)) => {
                matches!((a.message(), b.message()), (Some(a), Some(b)) if a == b)
            }
            (Outcome::Rejected(a), Outcome::Rejected(b)) => {
                a.reason() == b.reason() && a.gate() == b.gate()
            }
            _ => false,
        }
    }
}

/// A panic caught by `strategy = "settled"`.
///
/// It keeps the panic's payload, so [`Panic::resume`] continues unwinding exactly as the original
/// panic would have, and its message when the payload was a string (as it is for `panic!("...")`,
/// `unwrap`, `expect` and failed assertions).
///
/// It is an [`Error`](std::error::Error) (that is `Send + Sync + 'static`), so a caught panic
/// can be reported or returned like any other error. Its `Display` is the message, or
/// `panic with a non-string payload`.
///
/// ```
/// use std::error::Error;
///
/// use bounded_async::{Outcome, Panic};
///
/// fn value(outcome: Outcome<u32, String>) -> Result<u32, Box<dyn Error + Send + Sync>> {
///     match outcome {
///         Outcome::Ok(value) => Ok(value),
///         Outcome::Err(error) => Err(error.into()),
///         Outcome::Panicked(panic) => Err(panic.into()),
///         Outcome::Rejected(rejected) => Err(rejected.into()),
///         _ => Err("ended in a way this code does not know".into()),
///     }
/// }
///
/// let caught = Panic::new(Box::new("index out of bounds"));
/// let error = value(Outcome::Panicked(caught)).unwrap_err();
/// assert_eq!(error.to_string(), "index out of bounds");
/// ```
pub struct Panic {
    // Boxed: panics are rare, and this keeps `Outcome<T, E>` as small as `Result<T, E>` plus a
    // pointer, which matters for a `Settled` of a million outcomes.
    inner: Box<Caught>,
}

struct Caught {
    message: Option<String>,
    payload: Payload,
}

/// The payload, reachable only by value, which is what makes `Panic: Sync` sound even though
/// `dyn Any + Send` is not `Sync`.
struct Payload(Box<dyn Any + Send + 'static>);

// SAFETY: no `&Payload` ever gives access to the box: it is only moved out by value
// (`Panic::into_payload`, `Panic::resume`), so sharing `&Panic` across threads shares nothing.
unsafe impl Sync for Payload {}

impl Panic {
    /// Wraps the payload of a caught panic, as returned by `std::panic::catch_unwind`.
    pub fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        let message = if let Some(message) = payload.downcast_ref::<&'static str>() {
            Some((*message).to_owned())
        } else {
            payload.downcast_ref::<String>().cloned()
        };
        Panic {
            inner: Box::new(Caught {
                message,
                payload: Payload(payload),
            }),
        }
    }

    /// The panic's message, when the payload was a `&'static str` or a `String`.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The panic's payload, for payloads that are not strings (`std::panic::panic_any`).
    pub fn into_payload(self) -> Box<dyn Any + Send + 'static> {
        self.inner.payload.0
    }

    /// Continues unwinding with this panic, as if it had never been caught.
    pub fn resume(self) -> ! {
        panic::resume_unwind(self.inner.payload.0)
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(message) => f.write_str(message),
            None => f.write_str("panic with a non-string payload"),
        }
    }
}

/// `source()` is `None`: a panic payload carries no error to chain to.
impl std::error::Error for Panic {}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Panic").field(&self.message()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panicked(payload: Box<dyn Any + Send>) -> Outcome<u8, u8> {
        Outcome::Panicked(Panic::new(payload))
    }

    #[test]
    fn panics_are_equal_only_when_both_messages_are_strings_and_equal() {
        assert_eq!(panicked(Box::new("boom")), panicked(Box::new("boom")));
        // A `&'static str` and a `String` with the same text are the same message.
        assert_eq!(
            panicked(Box::new("boom")),
            panicked(Box::new("boom".to_owned()))
        );
        assert_ne!(panicked(Box::new("boom")), panicked(Box::new("bang")));
        assert_ne!(panicked(Box::new(1_u32)), panicked(Box::new(1_u32)));
        assert_ne!(panicked(Box::new("1")), panicked(Box::new(1_u32)));
        assert_ne!(panicked(Box::new("boom")), Outcome::Err(0));
    }

    fn rejected(gate: &'static str) -> Outcome<u8, u8> {
        Outcome::Rejected(crate::rejected::queue_full(gate, 4))
    }

    #[test]
    fn a_rejection_is_only_a_rejection() {
        let outcome = rejected("app::DB");
        assert!(outcome.is_rejected());
        assert!(!outcome.is_ok() && !outcome.is_err() && !outcome.is_panicked());
        assert!(!Outcome::<u8, u8>::Ok(1).is_rejected());
        assert!(!Outcome::<u8, u8>::Err(1).is_rejected());
        assert!(!panicked(Box::new("boom")).is_rejected());
        assert_eq!(rejected("app::DB").ok(), None);
        assert_eq!(rejected("app::DB").err(), None);
        assert!(rejected("app::DB").panic().is_none());
        assert_eq!(Outcome::<u8, u8>::Err(1).rejected().map(|r| r.gate()), None);
        let taken = outcome.rejected().expect("a rejection");
        assert_eq!(taken.gate(), "app::DB");
        assert_eq!(taken.reason(), crate::Reason::QueueFull);
    }

    #[test]
    fn map_and_map_err_keep_a_rejection() {
        let mapped = rejected("app::DB").map(|value| value.to_string());
        assert_eq!(
            mapped.rejected().map(|r| r.to_string()).as_deref(),
            Some("app::DB: 4 calls already waiting (queue = 4)")
        );
        let mapped = rejected("app::DB").map_err(|error| error.to_string());
        assert!(mapped.is_rejected());
    }

    #[test]
    fn rejections_are_equal_when_gate_and_reason_are() {
        use crate::rejected::{paused, wait_elapsed};
        use std::time::Duration;
        assert_eq!(rejected("app::DB"), rejected("app::DB"));
        // The queue's size is the gate's; a different one is still the same rejection.
        assert_eq!(
            rejected("app::DB"),
            Outcome::Rejected(crate::rejected::queue_full("app::DB", 9))
        );
        assert_ne!(rejected("app::DB"), rejected("app::CACHE"));
        let wait = Outcome::<u8, u8>::Rejected(wait_elapsed("app::DB", Duration::from_millis(5)));
        assert_ne!(rejected("app::DB"), wait);
        let pause = |ms| Outcome::<u8, u8>::Rejected(paused("app::DB", Duration::from_millis(ms)));
        assert_eq!(pause(100), pause(30));
        assert_ne!(rejected("app::DB"), Outcome::Err(0));
        assert_ne!(rejected("app::DB"), panicked(Box::new("app::DB")));
    }

    #[test]
    fn debug_shows_the_rejection() {
        assert_eq!(
            format!("{:?}", rejected("app::DB")),
            r#"Rejected(Rejected { gate: "app::DB", reason: QueueFull, queue: 4 })"#
        );
    }

    #[test]
    fn into_result_turns_a_rejection_into_the_error() {
        let outcome: Outcome<u8, Box<dyn std::error::Error + Send + Sync>> =
            Outcome::Rejected(crate::rejected::queue_full("app::DB", 4));
        let error = outcome.into_result().unwrap_err();
        let inner = error
            .downcast_ref::<Rejected>()
            .expect("the rejection itself");
        assert_eq!(inner.gate(), "app::DB");

        let outcome: Outcome<u8, String> =
            Outcome::Rejected(crate::rejected::queue_full("app::DB", 4));
        let result: Result<u8, String> = outcome.into();
        assert_eq!(
            result,
            Err("app::DB: 4 calls already waiting (queue = 4)".to_owned())
        );

        let with = |outcome: Outcome<u8, u8>| outcome.into_result_with(|r| r.gate().len() as u8);
        assert_eq!(with(rejected("app::DB")), Err(7));
        assert_eq!(with(Outcome::Ok(1)), Ok(1));
        assert_eq!(with(Outcome::Err(2)), Err(2));
        let resumed = panic::catch_unwind(|| with(panicked(Box::new("boom")))).unwrap_err();
        assert_eq!(resumed.downcast_ref::<&str>(), Some(&"boom"));
    }

    #[test]
    fn a_rejection_adds_nothing_to_the_size_of_an_outcome() {
        use std::mem::size_of;
        assert_eq!(size_of::<Rejected>(), size_of::<usize>());
        assert!(size_of::<Outcome<u64, u64>>() <= 2 * size_of::<usize>());
    }

    #[test]
    fn a_panic_is_an_error_that_displays_its_message() {
        fn boxed(panic: Panic) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            panic.into()
        }
        assert_eq!(boxed(Panic::new(Box::new("boom"))).to_string(), "boom");
        let opaque = boxed(Panic::new(Box::new(7_u32)));
        assert_eq!(opaque.to_string(), "panic with a non-string payload");
        assert!(opaque.source().is_none());
    }
}
