//! Every outcome of a settled join, in input order.

use std::fmt;
use std::ops::Index;

use crate::{Errors, Outcome, Panic, Rejected};

/// Every [`Outcome`] of a `strategy = "settled"` join, in input order.
///
/// Nothing is thrown away: successes, errors, panics and rejections sit side by side, and the
/// summary (`Display`) says how many of each there were.
///
/// ```
/// use bounded_async::{Outcome, Settled};
///
/// let settled: Settled<u32, String> =
///     vec![Outcome::Ok(1), Outcome::Err("refused".to_owned()), Outcome::Ok(3)].into();
///
/// assert_eq!(settled.to_string(), "2 succeeded, 1 failed, 0 panicked");
/// assert_eq!(settled.successes().copied().collect::<Vec<_>>(), [1, 3]);
/// assert_eq!(settled.into_result(), Err(vec!["refused".to_owned()].into()));
/// ```
///
/// Calls that a gate rejected (a gate with `queue`, `wait` or `timeout`) are counted, and the
/// summary names them when there are some:
///
/// ```
/// use bounded_async::{Outcome, Reason, Settled};
///
/// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 128);
/// // `rejected` is what `pool!(pub DB = 16, queue = 128)` gives a call when 128 already wait.
/// let settled: Settled<u32, String> = vec![Outcome::Ok(1), Outcome::Rejected(rejected)].into();
///
/// assert_eq!(settled.to_string(), "1 succeeded, 0 failed, 0 panicked, 1 rejected");
/// assert_eq!(settled.rejected_count(), 1);
/// let reasons: Vec<(usize, Reason)> =
///     settled.rejected().map(|(index, rejected)| (index, rejected.reason())).collect();
/// assert_eq!(reasons, [(1, Reason::QueueFull)]);
/// ```
#[must_use = "a `Settled` may hold errors or panics, which should be handled"]
pub struct Settled<T, E> {
    outcomes: Vec<Outcome<T, E>>,
}

impl<T, E> Settled<T, E> {
    /// How many outcomes there are: one per input.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Returns `true` when the join had no input.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// Iterates over the outcomes in input order.
    pub fn iter(&self) -> std::slice::Iter<'_, Outcome<T, E>> {
        self.outcomes.iter()
    }

    /// The outcomes, in input order, as a slice.
    pub fn as_slice(&self) -> &[Outcome<T, E>] {
        &self.outcomes
    }

    /// Iterates over the values of the successes, in input order.
    pub fn successes(&self) -> impl Iterator<Item = &T> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Ok(value) => Some(value),
            _ => None,
        })
    }

    /// Iterates over the errors, in input order. [`failures`](Settled::failures) gives each
    /// with its input index.
    pub fn errors(&self) -> impl Iterator<Item = &E> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Err(error) => Some(error),
            _ => None,
        })
    }

    /// Iterates over the captured panics, in input order. [`panicked`](Settled::panicked) gives
    /// each with its input index.
    pub fn panics(&self) -> impl Iterator<Item = &Panic> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Panicked(panic) => Some(panic),
            _ => None,
        })
    }

    /// Iterates over the rejections, in input order. [`rejected`](Settled::rejected) gives each
    /// with its input index.
    pub fn rejections(&self) -> impl Iterator<Item = &Rejected> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Rejected(rejected) => Some(rejected),
            _ => None,
        })
    }

    /// Iterates over the errors with the input index of the future that returned each, in input
    /// order: which inputs to retry or report.
    ///
    /// ```
    /// use bounded_async::{Outcome, Settled};
    ///
    /// let settled: Settled<u32, &str> = vec![
    ///     Outcome::Ok(1),
    ///     Outcome::Err("refused"),
    ///     Outcome::Ok(3),
    ///     Outcome::Err("timed out"),
    /// ]
    /// .into();
    ///
    /// let failed: Vec<(usize, &&str)> = settled.failures().collect();
    /// assert_eq!(failed, [(1, &"refused"), (3, &"timed out")]);
    /// ```
    ///
    /// Panics and rejections are not failures here; [`panicked`](Settled::panicked) and
    /// [`rejected`](Settled::rejected) give them with their index.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &E)> {
        self.indexed(|outcome| match outcome {
            Outcome::Err(error) => Some(error),
            _ => None,
        })
    }

    /// Iterates over the captured panics with the input index of the future that panicked, in
    /// input order.
    ///
    /// ```
    /// use bounded_async::{Outcome, Panic, Settled};
    ///
    /// // What `catch_unwind` returns for `panic!("index out of bounds")`.
    /// let caught = Panic::new(Box::new("index out of bounds"));
    /// let settled: Settled<u32, &str> = vec![Outcome::Ok(1), Outcome::Panicked(caught)].into();
    ///
    /// let panicked: Vec<(usize, Option<&str>)> = settled
    ///     .panicked()
    ///     .map(|(index, panic)| (index, panic.message()))
    ///     .collect();
    /// assert_eq!(panicked, [(1, Some("index out of bounds"))]);
    /// ```
    pub fn panicked(&self) -> impl Iterator<Item = (usize, &Panic)> {
        self.indexed(|outcome| match outcome {
            Outcome::Panicked(panic) => Some(panic),
            _ => None,
        })
    }

    /// Iterates over the rejections with the input index of the call that a gate turned away,
    /// in input order: which inputs to retry later, after
    /// [`retry_after`](Rejected::retry_after) where the gate knows it.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use bounded_async::{Outcome, Settled};
    ///
    /// # let rejected = bounded_async::__private::rejected::paused(
    /// #     "my_app::PARTNER",
    /// #     Duration::from_secs(2),
    /// # );
    /// // `rejected` is what a call turned away by a paused gate gets, with 2s of the pause left.
    /// let settled: Settled<u32, String> = vec![Outcome::Rejected(rejected), Outcome::Ok(2)].into();
    ///
    /// let retry: Vec<(usize, Option<Duration>)> = settled
    ///     .rejected()
    ///     .map(|(index, rejected)| (index, rejected.retry_after()))
    ///     .collect();
    /// assert_eq!(retry, [(0, Some(Duration::from_secs(2)))]);
    /// ```
    pub fn rejected(&self) -> impl Iterator<Item = (usize, &Rejected)> {
        self.indexed(|outcome| match outcome {
            Outcome::Rejected(rejected) => Some(rejected),
            _ => None,
        })
    }

    /// What `pick` finds in each outcome, with the outcome's input index, in input order.
    fn indexed<'a, X: 'a>(
        &'a self,
        pick: impl Fn(&'a Outcome<T, E>) -> Option<&'a X>,
    ) -> impl Iterator<Item = (usize, &'a X)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(move |(index, outcome)| Some((index, pick(outcome)?)))
    }

    /// How many futures returned `Ok`.
    pub fn success_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_ok()).count()
    }

    /// How many futures returned `Err`.
    pub fn error_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_err()).count()
    }

    /// How many futures panicked.
    pub fn panic_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_panicked()).count()
    }

    /// How many calls a gate rejected.
    pub fn rejected_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_rejected()).count()
    }

    /// Every value in input order when all succeeded, or else every error and every rejection
    /// in input order, a rejection as `E::from(rejected)`: what [`Outcome::into_result`] gives
    /// for each outcome.
    ///
    /// A captured panic is resumed (the first one, in input order), because a panic is not an
    /// error value that the caller could handle.
    ///
    /// `E: From<Rejected>` holds for `anyhow::Error`, `Box<dyn Error + Send + Sync>`, `String`
    /// and error enums with a `#[from] Rejected` variant; for other error types, use
    /// [`into_result_with`](Settled::into_result_with).
    ///
    /// ```
    /// use bounded_async::{Outcome, Settled};
    ///
    /// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 8);
    /// // `rejected` is what `pool!(pub DB = 4, queue = 8)` gives a call when 8 already wait.
    /// let settled: Settled<u32, anyhow::Error> = vec![
    ///     Outcome::Ok(1),
    ///     Outcome::Rejected(rejected),
    ///     Outcome::Err(anyhow::anyhow!("refused")),
    /// ]
    /// .into();
    ///
    /// let errors = settled.into_result().unwrap_err();
    /// let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    /// assert_eq!(messages, ["my_app::DB: 8 calls already waiting (queue = 8)", "refused"]);
    /// ```
    pub fn into_result(self) -> Result<Vec<T>, Errors<E>>
    where
        E: From<Rejected>,
    {
        self.into_result_with(E::from)
    }

    /// [`into_result`](Settled::into_result), with `on_rejected` turning each rejection into an
    /// `E`: for error types that do not implement `From<Rejected>`.
    ///
    /// ```
    /// use bounded_async::{Outcome, Settled};
    ///
    /// #[derive(Debug, PartialEq)]
    /// enum Failure {
    ///     Refused,
    ///     Busy(&'static str),
    /// }
    ///
    /// # let rejected = bounded_async::__private::rejected::queue_full("my_app::DB", 8);
    /// // `rejected` is what `pool!(pub DB = 4, queue = 8)` gives a call when 8 already wait.
    /// let settled: Settled<u32, Failure> =
    ///     vec![Outcome::Err(Failure::Refused), Outcome::Rejected(rejected)].into();
    ///
    /// let errors = settled.into_result_with(|rejected| Failure::Busy(rejected.gate()));
    /// assert_eq!(errors.unwrap_err().into_vec(), [Failure::Refused, Failure::Busy("my_app::DB")]);
    /// ```
    pub fn into_result_with(
        self,
        mut on_rejected: impl FnMut(Rejected) -> E,
    ) -> Result<Vec<T>, Errors<E>> {
        if let Some(first) = self.outcomes.iter().position(Outcome::is_panicked) {
            let panic = self
                .outcomes
                .into_iter()
                .nth(first)
                .and_then(Outcome::panic);
            panic.expect("position found a panic").resume();
        }
        if self.outcomes.iter().all(Outcome::is_ok) {
            return Ok(self.outcomes.into_iter().filter_map(Outcome::ok).collect());
        }
        Err(self
            .outcomes
            .into_iter()
            .filter_map(|outcome| match outcome {
                Outcome::Err(error) => Some(error),
                Outcome::Rejected(rejected) => Some(on_rejected(rejected)),
                _ => None,
            })
            .collect())
    }

    /// The outcomes, in input order.
    pub fn into_vec(self) -> Vec<Outcome<T, E>> {
        self.outcomes
    }
}

impl<T, E> From<Vec<Outcome<T, E>>> for Settled<T, E> {
    fn from(outcomes: Vec<Outcome<T, E>>) -> Self {
        Settled { outcomes }
    }
}

impl<T, E> FromIterator<Outcome<T, E>> for Settled<T, E> {
    fn from_iter<I: IntoIterator<Item = Outcome<T, E>>>(iter: I) -> Self {
        Settled {
            outcomes: iter.into_iter().collect(),
        }
    }
}

impl<T, E> IntoIterator for Settled<T, E> {
    type Item = Outcome<T, E>;
    type IntoIter = std::vec::IntoIter<Outcome<T, E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.outcomes.into_iter()
    }
}

impl<'a, T, E> IntoIterator for &'a Settled<T, E> {
    type Item = &'a Outcome<T, E>;
    type IntoIter = std::slice::Iter<'a, Outcome<T, E>>;

    fn into_iter(self) -> Self::IntoIter {
        self.outcomes.iter()
    }
}

impl<T, E> Index<usize> for Settled<T, E> {
    type Output = Outcome<T, E>;

    fn index(&self, index: usize) -> &Outcome<T, E> {
        &self.outcomes[index]
    }
}

impl<T, E> fmt::Display for Settled<T, E> {
    /// A one-line summary: `97 succeeded, 2 failed, 1 panicked`, then `, 2 rejected` when a
    /// gate rejected some calls.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} succeeded, {} failed, {} panicked",
            self.success_count(),
            self.error_count(),
            self.panic_count()
        )?;
        match self.rejected_count() {
            0 => Ok(()),
            rejected => write!(f, ", {rejected} rejected"),
        }
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for Settled<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.outcomes).finish()
    }
}

impl<T: PartialEq, E: PartialEq> PartialEq for Settled<T, E> {
    fn eq(&self, other: &Self) -> bool {
        self.outcomes == other.outcomes
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Reason;
    use crate::rejected::{paused, queue_full, timed_out};

    fn panic_with(message: &'static str) -> Panic {
        Panic::new(Box::new(message))
    }

    #[test]
    fn failures_and_panics_come_with_their_input_index() {
        let settled: Settled<u8, &str> = vec![
            Outcome::Err("first"),
            Outcome::Ok(1),
            Outcome::Panicked(panic_with("second")),
            Outcome::Err("third"),
            Outcome::Panicked(panic_with("fourth")),
            Outcome::Ok(5),
        ]
        .into();
        assert_eq!(
            settled.failures().collect::<Vec<_>>(),
            [(0, &"first"), (3, &"third")]
        );
        let panicked: Vec<_> = settled
            .panicked()
            .map(|(index, panic)| (index, panic.message()))
            .collect();
        assert_eq!(panicked, [(2, Some("second")), (4, Some("fourth"))]);
        // The counts and the summary are unchanged.
        assert_eq!(settled.to_string(), "2 succeeded, 2 failed, 2 panicked");
    }

    #[test]
    fn no_failures_and_no_panics_when_everything_succeeded() {
        let settled: Settled<u8, &str> = vec![Outcome::Ok(0), Outcome::Ok(1)].into();
        assert_eq!(settled.failures().count(), 0);
        assert_eq!(settled.panicked().count(), 0);
    }

    fn mixed() -> Settled<u8, String> {
        vec![
            Outcome::Ok(0),
            Outcome::Rejected(queue_full("app::DB", 2)),
            Outcome::Err("refused".to_owned()),
            Outcome::Ok(3),
            Outcome::Rejected(timed_out("app::fetch", Duration::from_secs(1))),
        ]
        .into()
    }

    #[test]
    fn rejections_are_counted_and_printed_only_when_there_are_some() {
        let settled = mixed();
        assert_eq!(settled.rejected_count(), 2);
        assert_eq!(
            (
                settled.success_count(),
                settled.error_count(),
                settled.panic_count()
            ),
            (2, 1, 0)
        );
        assert_eq!(
            settled.to_string(),
            "2 succeeded, 1 failed, 0 panicked, 2 rejected"
        );
        let none: Settled<u8, String> = vec![Outcome::Ok(0)].into();
        assert_eq!(none.rejected_count(), 0);
        assert_eq!(none.to_string(), "1 succeeded, 0 failed, 0 panicked");
    }

    #[test]
    fn rejections_come_with_their_input_index() {
        let settled = mixed();
        let rejected: Vec<_> = settled
            .rejected()
            .map(|(index, rejected)| (index, rejected.reason(), rejected.gate()))
            .collect();
        assert_eq!(
            rejected,
            [
                (1, Reason::QueueFull, "app::DB"),
                (4, Reason::TimedOut, "app::fetch")
            ]
        );
        let gates: Vec<_> = settled.rejections().map(Rejected::gate).collect();
        assert_eq!(gates, ["app::DB", "app::fetch"]);
        // Rejections are neither errors nor panics.
        assert_eq!(
            settled
                .failures()
                .map(|(index, _)| index)
                .collect::<Vec<_>>(),
            [2]
        );
        assert_eq!(settled.errors().count(), 1);
        assert_eq!(settled.panics().count(), 0);
    }

    #[test]
    fn into_result_gives_errors_and_rejections_in_input_order() {
        let errors = mixed().into_result().unwrap_err().into_vec();
        assert_eq!(
            errors,
            [
                "app::DB: 2 calls already waiting (queue = 2)",
                "refused",
                r#"app::fetch: still running after 1s, so it was cancelled (timeout = "1s")"#,
            ]
        );
        let gates = mixed()
            .into_result_with(|rejected| rejected.gate().to_owned())
            .unwrap_err()
            .into_vec();
        assert_eq!(gates, ["app::DB", "refused", "app::fetch"]);
    }

    #[test]
    fn only_rejections_is_an_error_too() {
        let settled: Settled<u8, String> = vec![Outcome::Rejected(paused(
            "app::API",
            Duration::from_millis(5),
        ))]
        .into();
        assert_eq!(
            settled.to_string(),
            "0 succeeded, 0 failed, 0 panicked, 1 rejected"
        );
        assert_eq!(
            settled.into_result(),
            Err(vec!["app::API: paused for another 5ms (pause_for)".to_owned()].into())
        );
    }

    #[test]
    fn into_result_resumes_a_panic_before_looking_at_rejections() {
        let settled: Settled<u8, String> = vec![
            Outcome::Rejected(queue_full("app::DB", 0)),
            Outcome::Panicked(panic_with("boom")),
        ]
        .into();
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settled.into_result_with(|_| unreachable!("the panic comes first"))
        }))
        .unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    }
}
