//! What counts as a limit.

use std::num::NonZeroUsize;

/// A value usable as a join's `limit`: a `usize` (checked to be at least 1 when the join is
/// built) or a [`NonZeroUsize`].
#[diagnostic::on_unimplemented(
    message = "`limit` must be a `usize` or a `NonZeroUsize`, not `{Self}`",
    label = "expected `usize` or `NonZeroUsize`",
    note = "convert it first, for example with `usize::try_from(n)` or `n as usize`"
)]
pub trait IntoLimit {
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
