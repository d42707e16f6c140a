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
/// use bounded_async_runtime::{Outcome, Settled};
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

    /// Iterates over the errors, in input order.
    pub fn errors(&self) -> impl Iterator<Item = &E> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Err(error) => Some(error),
            _ => None,
        })
    }

    /// Iterates over the captured panics, in input order.
    pub fn panics(&self) -> impl Iterator<Item = &crate::Panic> {
        self.outcomes.iter().filter_map(|outcome| match outcome {
            Outcome::Panicked(panic) => Some(panic),
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
