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

    /// Maps the value of `Outcome::Ok`, leaving errors and panics as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U, E> {
        match self {
            Outcome::Ok(value) => Outcome::Ok(f(value)),
            Outcome::Err(error) => Outcome::Err(error),
            Outcome::Panicked(panic) => Outcome::Panicked(panic),
        }
    }

    /// Maps the error of `Outcome::Err`, leaving values and panics as they are.
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
    /// and a panic behaves as if it had never been caught.
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

impl<T: PartialEq, E: PartialEq> PartialEq for Outcome<T, E> {
    /// Values and errors compare by value; two panics are equal when their messages are.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Outcome::Ok(a), Outcome::Ok(b)) => a == b,
            (Outcome::Err(a), Outcome::Err(b)) => a == b,
            (Outcome::Panicked(a), Outcome::Panicked(b)) => a.message() == b.message(),
            _ => false,
        }
    }
}

/// A panic caught by `strategy = "settled"`.
///
/// It keeps the panic's payload, so [`Panic::resume`] continues unwinding exactly as the original
/// panic would have, and its message when the payload was a string (as it is for `panic!("...")`,
/// `unwrap`, `expect` and failed assertions).
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

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Panic").field(&self.message()).finish()
    }
}
