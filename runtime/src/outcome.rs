//! The outcome of one call or one joined future: a value, an error, or a captured panic.

use std::any::Any;
use std::fmt;
use std::panic;

/// How one call or one joined future ended, under `strategy = "settled"`.
///
/// `Outcome` is to `Result` what `Promise.allSettled` is to `Promise.all`: it records an error
/// *and* a panic as values, so one failure cannot throw away the other results.
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
/// # Variants to come
///
/// `Outcome` is `#[non_exhaustive]` because the ways a call can end will grow: the next
/// release adds `Outcome::Rejected`, for a call that a gate with `wait`, `queue` or `timeout`
/// turned away before or while it ran. A `match` outside this crate therefore needs a `_` arm.
/// The helpers below cover every variant, present and future, so most code needs no `match`
/// at all:
///
/// - [`is_ok`](Outcome::is_ok), [`is_err`](Outcome::is_err),
///   [`is_panicked`](Outcome::is_panicked) ask which it is;
/// - [`ok`](Outcome::ok), [`err`](Outcome::err), [`panic`](Outcome::panic) take one variant out;
/// - [`map`](Outcome::map) and [`map_err`](Outcome::map_err) change the value or the error and
///   keep every other variant as it is;
/// - [`into_result`](Outcome::into_result) goes back to a `Result` for `?`.
///
/// ```
/// use bounded_async::Outcome;
///
/// fn describe(outcome: &Outcome<u32, String>) -> String {
///     match outcome {
///         Outcome::Ok(value) => format!("got {value}"),
///         Outcome::Err(error) => format!("failed: {error}"),
///         Outcome::Panicked(panic) => format!("panicked: {panic}"),
///         // Whatever later releases add.
///         _ => "did not run".to_owned(),
///     }
/// }
///
/// assert_eq!(describe(&Outcome::Ok(7)), "got 7");
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
    /// | `Panicked(panic)` | no `Result`: the panic is resumed, see below |
    ///
    /// The coming `Outcome::Rejected(rejected)` will become `Err(E::from(rejected))`, the same
    /// error a call under `strategy = "all"` returns when its gate rejects it; for that,
    /// `into_result` will ask `E: From<Rejected>`, as `"all"` does. To convert without that bound,
    /// match on the variants.
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
    /// let panicked = Outcome::Panicked(Panic::new(Box::new("boom")));
    /// let resumed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| double(panicked)));
    /// let payload = resumed.unwrap_err();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    pub fn into_result(self) -> Result<T, E> {
        match self {
            Outcome::Ok(value) => Ok(value),
            Outcome::Err(error) => Err(error),
            Outcome::Panicked(panic) => panic.resume(),
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

impl<T, E> From<Outcome<T, E>> for Result<T, E> {
    /// Same as [`Outcome::into_result`]: a captured panic is resumed.
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
        }
    }
}

/// Values and errors compare by value. Two panics are equal when both have a string message
/// and the messages are equal.
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
/// ```
impl<T: PartialEq, E: PartialEq> PartialEq for Outcome<T, E> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Outcome::Ok(a), Outcome::Ok(b)) => a == b,
            (Outcome::Err(a), Outcome::Err(b)) => a == b,
            (Outcome::Panicked(a), Outcome::Panicked(b)) => {
                matches!((a.message(), b.message()), (Some(a), Some(b)) if a == b)
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
///         _ => Err("did not run".into()),
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
