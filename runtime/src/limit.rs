//! What counts as a limit.

use std::num::NonZeroUsize;

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for std::num::NonZeroUsize {}
}

/// A value usable as a join's `limit`: a `usize` (checked to be at least 1 when the join is
/// built) or a [`NonZeroUsize`].
///
/// This trait is sealed: those two are the limits there are. Convert other integers first.
///
/// ```
/// use std::num::NonZeroUsize;
///
/// use bounded_async::IntoLimit;
///
/// assert_eq!(4_usize.into_limit(), NonZeroUsize::new(4));
/// assert_eq!(0_usize.into_limit(), None);
/// assert_eq!(NonZeroUsize::MIN.into_limit(), Some(NonZeroUsize::MIN));
/// ```
#[diagnostic::on_unimplemented(
    message = "`limit` must be a `usize` or a `NonZeroUsize`, not `{Self}`",
    label = "expected `usize` or `NonZeroUsize`",
    note = "convert it first, for example with `usize::try_from(n)` or `n as usize`"
)]
pub trait IntoLimit: sealed::Sealed {
    /// The limit, or `None` for 0.
    fn into_limit(self) -> Option<NonZeroUsize>;
}

impl IntoLimit for usize {
    fn into_limit(self) -> Option<NonZeroUsize> {
        NonZeroUsize::new(self)
    }
}

impl IntoLimit for NonZeroUsize {
    fn into_limit(self) -> Option<NonZeroUsize> {
        Some(self)
    }
}
