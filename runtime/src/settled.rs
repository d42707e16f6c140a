//! Every outcome of a settled join, in input order.

use std::fmt;
use std::ops::Index;

use crate::{Errors, Outcome};

/// Every [`Outcome`] of a `strategy = "settled"` join, in input order.
///
/// Nothing is thrown away: successes, errors and panics sit side by side, and the summary
/// (`Display`) says how many of each there were.
///
/// ```
/// use bounded_async::{Outcome, Settled};
///
/// let settled: Settled<u32, &str> =
///     vec![Outcome::Ok(1), Outcome::Err("refused"), Outcome::Ok(3)].into();
///
/// assert_eq!(settled.to_string(), "2 succeeded, 1 failed, 0 panicked");
/// assert_eq!(settled.successes().copied().collect::<Vec<_>>(), [1, 3]);
/// assert_eq!(settled.into_result(), Err(vec!["refused"].into()));
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
    pub fn panics(&self) -> impl Iterator<Item = &crate::Panic> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Panicked(panic) => Some(panic),
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
    /// Panics are not failures here; [`panicked`](Settled::panicked) gives them with their index.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &E)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| match outcome {
                Outcome::Err(error) => Some((index, error)),
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
    pub fn panicked(&self) -> impl Iterator<Item = (usize, &crate::Panic)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| match outcome {
                Outcome::Panicked(panic) => Some((index, panic)),
                _ => None,
            })
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

    /// Every value in input order when all succeeded, or else every error in input order.
    ///
    /// A captured panic is resumed (the first one, in input order), because a panic is not an
    /// error value that the caller could handle.
    pub fn into_result(self) -> Result<Vec<T>, Errors<E>> {
        if let Some(first) = self.outcomes.iter().position(Outcome::is_panicked) {
            let panic = self
                .outcomes
                .into_iter()
                .nth(first)
                .and_then(Outcome::panic);
            panic.expect("position found a panic").resume();
        }
        if self.outcomes.iter().any(Outcome::is_err) {
            return Err(self.outcomes.into_iter().filter_map(Outcome::err).collect());
        }
        Ok(self.outcomes.into_iter().filter_map(Outcome::ok).collect())
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
    /// A one-line summary: `97 succeeded, 2 failed, 1 panicked`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} succeeded, {} failed, {} panicked",
            self.success_count(),
            self.error_count(),
            self.panic_count()
        )
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
    use super::*;
    use crate::Panic;

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
}
