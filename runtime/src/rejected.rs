//! A call that a gate turned away: [`Rejected`] and its [`Reason`].

use std::error::Error;
use std::fmt;
use std::time::Duration;

/// A call that a gate turned away, before it ran or while it ran.
///
/// A gate (a `#[bounded]` function or a `pool!`) with `queue`, `wait` or `timeout` rejects a
/// call when the queue is full, when the call waited too long to be admitted, when it ran past
/// its timeout, or while the gate is paused. The call then does not return its own output:
///
/// - under `strategy = "all"`, it returns `Err(E::from(rejected))`, so its error type must
///   implement `From<Rejected>`;
/// - under `strategy = "settled"`, it returns [`Outcome::Rejected`](crate::Outcome::Rejected).
///
/// `Rejected` is an [`Error`] that is `Send + Sync + 'static` and `Clone`. Its `Display` names
/// the gate and the key that rejected the call:
///
/// ```
/// use bounded_async::{Reason, Rejected};
///
/// # let rejected: Rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 128);
/// // `rejected` is what a call of a function in `pool!(pub DB = 16, queue = 128)` returns
/// // when 128 calls already wait for the pool.
/// assert_eq!(rejected.reason(), Reason::QueueFull);
/// assert_eq!(rejected.gate(), "my_app::DB");
/// assert_eq!(rejected.retry_after(), None);
/// assert_eq!(
///     rejected.to_string(),
///     "my_app::DB: 128 calls already waiting (queue = 128)"
/// );
/// ```
///
/// # Into your error type
///
/// `anyhow::Error` and `Box<dyn Error + Send + Sync>` already implement `From<Rejected>`, so
/// `?` converts a rejection into them, and a function returning them can take every key:
///
/// ```
/// use std::error::Error;
///
/// use bounded_async::Rejected;
///
/// # fn call() -> Result<u32, Rejected> {
/// #     Err(bounded_async::__private::rejected::wait_elapsed(
/// #         "my_app::client::fetch_user",
/// #         std::time::Duration::from_millis(250),
/// #     ))
/// # }
/// fn boxed() -> Result<u32, Box<dyn Error + Send + Sync>> {
///     Ok(call()? + 1)
/// }
///
/// fn with_anyhow() -> anyhow::Result<u32> {
///     Ok(call()? + 1)
/// }
///
/// let message = r#"my_app::client::fetch_user: not admitted within 250ms (wait = "250ms")"#;
/// assert_eq!(boxed().unwrap_err().to_string(), message);
/// assert_eq!(with_anyhow().unwrap_err().to_string(), message);
/// ```
///
/// An error enum of your own needs a variant that holds the rejection; with `thiserror`, that is
/// `#[error(transparent)] Rejected(#[from] Rejected)`. Keeping the `Rejected` itself, rather than
/// its message, lets the caller look at its [`reason`](Rejected::reason) and
/// [`retry_after`](Rejected::retry_after):
///
/// ```
/// use bounded_async::{Reason, Rejected};
///
/// #[derive(Debug, thiserror::Error)]
/// enum ApiError {
///     #[error("not found")]
///     NotFound,
///     #[error(transparent)]
///     Rejected(#[from] Rejected),
/// }
///
/// # fn call() -> Result<u32, Rejected> {
/// #     Err(bounded_async::__private::rejected::paused(
/// #         "my_app::PARTNER",
/// #         std::time::Duration::from_millis(1500),
/// #     ))
/// # }
/// fn fetch() -> Result<u32, ApiError> {
///     Ok(call()?)
/// }
///
/// match fetch() {
///     Err(ApiError::Rejected(rejected)) if rejected.reason() == Reason::Paused => {
///         assert_eq!(rejected.retry_after(), Some(std::time::Duration::from_millis(1500)));
///     }
///     other => panic!("expected a pause, got {other:?}"),
/// }
/// ```
///
/// `String` implements `From<Rejected>` too, with the rejection's message, for code whose errors
/// are messages.
#[non_exhaustive]
#[derive(Clone)]
pub struct Rejected {
    // Boxed: a rejection is the slow path, and this keeps `Outcome<T, E>` as small as
    // `Result<T, E>` plus a pointer.
    inner: Box<Inner>,
}

#[derive(Clone, Copy)]
struct Inner {
    gate: &'static str,
    cause: Cause,
}

/// What the message needs, for each reason.
#[derive(Clone, Copy)]
enum Cause {
    QueueFull { queue: usize },
    WaitElapsed { wait: Duration },
    TimedOut { timeout: Duration },
    Paused { remaining: Duration },
    Backend { connected: bool },
}

/// Why a gate rejected a call.
///
/// More reasons may come, so a `match` needs a `_` arm.
///
/// Its `Display` is a few words (`queue full`, `wait elapsed`, `timed out`, `paused`,
/// `backend unavailable`), for logs and labels; [`Rejected`]'s own `Display` says more.
///
/// ```
/// use bounded_async::Reason;
///
/// fn should_retry_later(reason: Reason) -> bool {
///     match reason {
///         Reason::QueueFull | Reason::Paused => true,
///         Reason::WaitElapsed | Reason::TimedOut => false,
///         _ => false,
///     }
/// }
///
/// assert!(should_retry_later(Reason::Paused));
/// assert_eq!(Reason::WaitElapsed.to_string(), "wait elapsed");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `queue` calls were already waiting, so the call was rejected at once without waiting.
    QueueFull,
    /// The call waited for `wait` and was still not admitted.
    WaitElapsed,
    /// The call was admitted but ran past its `timeout`; its body was dropped.
    TimedOut,
    /// The gate was paused for longer than the call could wait.
    Paused,
    /// The gate's backend (a fleet-wide pool's Redis, feature `redis`) could not be reached
    /// within the call's `wait`, or was not connected yet.
    Backend,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::QueueFull => "queue full",
            Reason::WaitElapsed => "wait elapsed",
            Reason::TimedOut => "timed out",
            Reason::Paused => "paused",
            Reason::Backend => "backend unavailable",
        })
    }
}

impl Rejected {
    fn new(gate: &'static str, cause: Cause) -> Self {
        Rejected {
            inner: Box::new(Inner { gate, cause }),
        }
    }

    /// Why the gate rejected the call.
    pub fn reason(&self) -> Reason {
        match self.inner.cause {
            Cause::QueueFull { .. } => Reason::QueueFull,
            Cause::WaitElapsed { .. } => Reason::WaitElapsed,
            Cause::TimedOut { .. } => Reason::TimedOut,
            Cause::Paused { .. } => Reason::Paused,
            Cause::Backend { .. } => Reason::Backend,
        }
    }

    /// The name of the gate that rejected the call: `my_app::client::fetch_user` for a
    /// `#[bounded]` function, `my_app::DB` for a pool.
    pub fn gate(&self) -> &'static str {
        self.inner.gate
    }

    /// How long to wait before calling again, where the gate knows: for [`Reason::Paused`], the
    /// rest of the pause. `None` for the other reasons, whose gates cannot tell when a permit
    /// will be free.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.inner.cause {
            Cause::Paused { remaining } => Some(remaining),
            Cause::QueueFull { .. }
            | Cause::WaitElapsed { .. }
            | Cause::TimedOut { .. }
            | Cause::Backend { .. } => None,
        }
    }
}

/// A call rejected because `queue` calls already wait at `gate`.
pub fn queue_full(gate: &'static str, queue: usize) -> Rejected {
    Rejected::new(gate, Cause::QueueFull { queue })
}

/// A call rejected at `gate` after waiting `wait`, the gate's `wait` key, without being admitted.
pub fn wait_elapsed(gate: &'static str, wait: Duration) -> Rejected {
    Rejected::new(gate, Cause::WaitElapsed { wait })
}

/// A call admitted by `gate` and stopped when it ran past `timeout`, the gate's `timeout` key.
pub fn timed_out(gate: &'static str, timeout: Duration) -> Rejected {
    Rejected::new(gate, Cause::TimedOut { timeout })
}

/// A call to a fleet-wide pool whose Redis could not be reached (`connected`), or that was made
/// before the pool's `connect`.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) fn backend(gate: &'static str, connected: bool) -> Rejected {
    Rejected::new(gate, Cause::Backend { connected })
}

/// A call rejected because `gate` is paused for `remaining` more, longer than the call may wait.
pub fn paused(gate: &'static str, remaining: Duration) -> Rejected {
    Rejected::new(gate, Cause::Paused { remaining })
}

/// Writes `duration` the way a duration key is written: `250ms`, `2s`, `1m30s`, `0s`.
pub(crate) struct Written(pub(crate) Duration);

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u128); 6] = [
            ("h", 3_600_000_000_000),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
            ("ms", 1_000_000),
            ("us", 1_000),
            ("ns", 1),
        ];
        let mut rest = self.0.as_nanos();
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, nanos) in UNITS {
            if rest >= nanos {
                write!(f, "{}{unit}", rest / nanos)?;
                rest %= nanos;
            }
        }
        Ok(())
    }
}

/// `remaining`, rounded up to the millisecond: the rest of a pause is measured, not written in a
/// key, and its nanoseconds would only be noise in a message.
fn whole_millis(remaining: Duration) -> Duration {
    let millis = remaining.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

impl fmt::Display for Rejected {
    /// `gate: what happened (the key)`, for example
    /// `my_app::DB: 128 calls already waiting (queue = 128)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gate = self.inner.gate;
        match self.inner.cause {
            Cause::QueueFull { queue: 0 } => {
                write!(
                    f,
                    "{gate}: no permit free, and no call may wait (queue = 0)"
                )
            }
            Cause::QueueFull { queue: 1 } => {
                write!(f, "{gate}: 1 call already waiting (queue = 1)")
            }
            Cause::QueueFull { queue } => {
                write!(f, "{gate}: {queue} calls already waiting (queue = {queue})")
            }
            Cause::WaitElapsed { wait } => {
                let wait = Written(wait);
                write!(f, "{gate}: not admitted within {wait} (wait = \"{wait}\")")
            }
            Cause::TimedOut { timeout } => {
                let timeout = Written(timeout);
                write!(
                    f,
                    "{gate}: still running after {timeout}, so it was cancelled (timeout = \"{timeout}\")"
                )
            }
            Cause::Paused { remaining } => {
                let remaining = Written(whole_millis(remaining));
                write!(f, "{gate}: paused for another {remaining} (pause_for)")
            }
            Cause::Backend { connected: true } => {
                write!(
                    f,
                    "{gate}: its Redis could not be reached (backend = \"redis\")"
                )
            }
            Cause::Backend { connected: false } => write!(
                f,
                "{gate}: not connected to its Redis yet; call the pool's `connect` at start-up \
                 (backend = \"redis\")"
            ),
        }
    }
}

impl fmt::Debug for Rejected {
    /// The gate, the reason and the key's value, for example
    /// `Rejected { gate: "my_app::DB", reason: QueueFull, queue: 128 }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Rejected");
        debug
            .field("gate", &self.inner.gate)
            .field("reason", &self.reason());
        match &self.inner.cause {
            Cause::QueueFull { queue } => debug.field("queue", queue),
            Cause::WaitElapsed { wait } => debug.field("wait", wait),
            Cause::TimedOut { timeout } => debug.field("timeout", timeout),
            Cause::Paused { remaining } => debug.field("retry_after", remaining),
            Cause::Backend { connected } => debug.field("connected", connected),
        };
        debug.finish()
    }
}

/// `source()` is `None`: the gate rejected the call itself, no other error caused it.
impl Error for Rejected {}

/// The rejection's message, for code whose errors are strings (`Result<T, String>`).
///
/// ```
/// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 8);
/// let message: String = rejected.into();
/// assert_eq!(message, "my_app::DB: 8 calls already waiting (queue = 8)");
/// ```
impl From<Rejected> for String {
    fn from(rejected: Rejected) -> String {
        rejected.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn is_an_error_that_is_send_sync_static_and_clone() {
        fn check<T: Error + Clone + Send + Sync + 'static>() {}
        check::<Rejected>();
        let boxed: Box<dyn Error + Send + Sync> = queue_full("app::DB", 4).into();
        assert!(boxed.source().is_none());
        assert!(boxed.downcast_ref::<Rejected>().is_some());
    }

    #[test]
    fn queue_full_counts_the_waiting_calls() {
        let rejected = queue_full("my_app::DB", 128);
        assert_eq!(rejected.reason(), Reason::QueueFull);
        assert_eq!(rejected.gate(), "my_app::DB");
        assert_eq!(rejected.retry_after(), None);
        assert_eq!(
            rejected.to_string(),
            "my_app::DB: 128 calls already waiting (queue = 128)"
        );
        assert_eq!(
            queue_full("my_app::DB", 1).to_string(),
            "my_app::DB: 1 call already waiting (queue = 1)"
        );
    }

    #[test]
    fn queue_zero_says_that_nothing_waits() {
        assert_eq!(
            queue_full("my_app::shed", 0).to_string(),
            "my_app::shed: no permit free, and no call may wait (queue = 0)"
        );
    }

    #[test]
    fn wait_elapsed_names_the_wait_as_written() {
        let rejected = wait_elapsed("my_app::fetch", ms(250));
        assert_eq!(rejected.reason(), Reason::WaitElapsed);
        assert_eq!(rejected.retry_after(), None);
        assert_eq!(
            rejected.to_string(),
            r#"my_app::fetch: not admitted within 250ms (wait = "250ms")"#
        );
        assert_eq!(
            wait_elapsed("my_app::fetch", Duration::from_secs(90)).to_string(),
            r#"my_app::fetch: not admitted within 1m30s (wait = "1m30s")"#
        );
    }

    #[test]
    fn timed_out_names_the_timeout_as_written() {
        let rejected = timed_out("my_app::fetch", Duration::from_secs(2));
        assert_eq!(rejected.reason(), Reason::TimedOut);
        assert_eq!(rejected.retry_after(), None);
        assert_eq!(
            rejected.to_string(),
            r#"my_app::fetch: still running after 2s, so it was cancelled (timeout = "2s")"#
        );
    }

    #[test]
    fn paused_gives_the_rest_of_the_pause_as_retry_after() {
        let rejected = paused("my_app::PARTNER", ms(1500));
        assert_eq!(rejected.reason(), Reason::Paused);
        assert_eq!(rejected.retry_after(), Some(ms(1500)));
        assert_eq!(
            rejected.to_string(),
            "my_app::PARTNER: paused for another 1s500ms (pause_for)"
        );
        // The message rounds up to the millisecond; `retry_after` keeps the exact value.
        let measured = Duration::new(1, 499_000_001);
        let rejected = paused("my_app::PARTNER", measured);
        assert_eq!(rejected.retry_after(), Some(measured));
        assert_eq!(
            rejected.to_string(),
            "my_app::PARTNER: paused for another 1s500ms (pause_for)"
        );
    }

    #[test]
    fn durations_are_written_as_in_the_keys() {
        let written = |duration: Duration| Written(duration).to_string();
        assert_eq!(written(Duration::ZERO), "0s");
        assert_eq!(written(Duration::from_nanos(1)), "1ns");
        assert_eq!(written(Duration::from_micros(1500)), "1ms500us");
        assert_eq!(written(ms(250)), "250ms");
        assert_eq!(written(Duration::from_secs(60)), "1m");
        assert_eq!(written(Duration::from_secs(3600 + 61)), "1h1m1s");
        assert_eq!(written(Duration::from_secs(2 * 3600) + ms(5)), "2h5ms");
        assert_eq!(written(Duration::new(3, 7)), "3s7ns");
    }

    #[test]
    fn debug_shows_the_gate_the_reason_and_the_key() {
        assert_eq!(
            format!("{:?}", queue_full("my_app::DB", 128)),
            r#"Rejected { gate: "my_app::DB", reason: QueueFull, queue: 128 }"#
        );
        assert_eq!(
            format!("{:?}", wait_elapsed("f", ms(250))),
            r#"Rejected { gate: "f", reason: WaitElapsed, wait: 250ms }"#
        );
        assert_eq!(
            format!("{:?}", timed_out("f", Duration::from_secs(2))),
            r#"Rejected { gate: "f", reason: TimedOut, timeout: 2s }"#
        );
        assert_eq!(
            format!("{:?}", paused("f", ms(1500))),
            r#"Rejected { gate: "f", reason: Paused, retry_after: 1.5s }"#
        );
    }

    #[test]
    fn reasons_display_as_words() {
        let words = [
            Reason::QueueFull,
            Reason::WaitElapsed,
            Reason::TimedOut,
            Reason::Paused,
        ]
        .map(|reason| reason.to_string());
        assert_eq!(words, ["queue full", "wait elapsed", "timed out", "paused"]);
    }

    #[test]
    fn a_clone_is_the_same_rejection() {
        let rejected = paused("my_app::PARTNER", ms(20));
        let clone = rejected.clone();
        assert_eq!(clone.reason(), rejected.reason());
        assert_eq!(clone.gate(), rejected.gate());
        assert_eq!(clone.retry_after(), rejected.retry_after());
        assert_eq!(clone.to_string(), rejected.to_string());
    }

    #[test]
    fn into_a_string_is_the_message() {
        let message: String = timed_out("f", ms(10)).into();
        assert_eq!(
            message,
            r#"f: still running after 10ms, so it was cancelled (timeout = "10ms")"#
        );
    }
}
