//! An aggregate of errors, in input order.

use std::error::Error;
use std::fmt;
use std::ops::Deref;

/// Every error of a join in which nothing succeeded, in input order: the Rust counterpart of
/// JavaScript's `AggregateError`.
///
/// Returned by `strategy = "any"` when every future failed, and by [`Settled::into_result`].
/// It derefs to `[E]`, so it can be indexed, iterated and measured like a slice.
///
/// ```
/// use bounded_async::Errors;
///
/// let errors: Errors<&str> = vec!["refused", "timed out"].into();
/// assert_eq!(errors.len(), 2);
/// assert_eq!(errors[1], "timed out");
/// assert_eq!(errors.to_string(), "2 errors; the first: refused");
/// ```
///
/// It implements [`Error`] whenever `E` implements `Debug` and `Display`, so `?` turns it into
/// a boxed error even when `E` is itself a `Box<dyn Error + Send + Sync>` or an `anyhow::Error`:
///
/// ```
/// use std::error::Error;
///
/// use bounded_async::Errors;
///
/// type BoxError = Box<dyn Error + Send + Sync>;
///
/// fn first_mirror() -> Result<u32, Errors<BoxError>> {
///     Err(vec![BoxError::from("refused"), BoxError::from("timed out")].into())
/// }
///
/// fn run() -> Result<u32, BoxError> {
///     Ok(first_mirror()?)
/// }
///
/// assert_eq!(run().unwrap_err().to_string(), "2 errors; the first: refused");
/// ```
///
/// [`Settled::into_result`]: crate::Settled::into_result
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Errors<E> {
    errors: Vec<E>,
}

impl<E> Errors<E> {
    /// The errors, in input order.
    pub fn into_vec(self) -> Vec<E> {
        self.errors
    }
}

impl<E> Deref for Errors<E> {
    type Target = [E];

    fn deref(&self) -> &[E] {
        &self.errors
    }
}

impl<E> From<Vec<E>> for Errors<E> {
    fn from(errors: Vec<E>) -> Self {
        Errors { errors }
    }
}

impl<E> FromIterator<E> for Errors<E> {
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        Errors {
            errors: iter.into_iter().collect(),
        }
    }
}

impl<E> IntoIterator for Errors<E> {
    type Item = E;
    type IntoIter = std::vec::IntoIter<E>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a, E> IntoIterator for &'a Errors<E> {
    type Item = &'a E;
    type IntoIter = std::slice::Iter<'a, E>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl<E: fmt::Display> fmt::Display for Errors<E> {
    /// `no errors`, the single error itself, or `N errors; the first: ...`.
    ///
    /// With the alternate flag (`{:#}`), every error on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => f.write_str("no errors"),
            [only] => fmt::Display::fmt(only, f),
            [first, ..] if !f.alternate() => {
                write!(f, "{} errors; the first: {first}", self.errors.len())
            }
            all => {
                write!(f, "{} errors:", all.len())?;
                for (index, error) in all.iter().enumerate() {
                    write!(f, "\n  {index}: {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Errors<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.errors).finish()
    }
}

/// An error for every `E` that can be printed, not only for `E: Error`, so that `?` converts
/// `Errors<Box<dyn Error + Send + Sync>>` and `Errors<anyhow::Error>` (whose `E` does not itself
/// implement `Error`) into the same boxed or `anyhow` error.
///
/// `source()` is `None`: the `Display` text already names the first error, and reporters that
/// walk the source chain would otherwise print it twice. Iterate the errors to inspect each one.
impl<E: fmt::Debug + fmt::Display> Error for Errors<E> {}
