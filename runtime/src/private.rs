//! Items the macros' expansions call. Not public API: names and signatures may change in any
//! release.

pub use std::num::NonZeroUsize;

pub use futures_util::future::Either;

use crate::{AllOutput, AnyOutput, IntoLimit, SettledOutput};

/// A limit known only at run time.
#[track_caller]
pub fn runtime_limit(limit: impl IntoLimit) -> NonZeroUsize {
    match limit.into_limit() {
        Some(limit) => limit,
        None => panic!(
            "join_bounded!: `limit` evaluated to 0 at run time, so no future could ever run; it must be at least 1"
        ),
    }
}

/// The output of one future of a list-form join with `strategy = "all"`.
pub fn all_output<R: AllOutput<Ok = T, Err = E>, T, E>(output: R) -> Result<T, E> {
    output.into_result()
}

/// The output of one future of a list-form join with `strategy = "settled"`.
pub fn settled_output<R: SettledOutput<Ok = T, Err = E>, T, E>(output: R) -> Result<T, E> {
    output.into_result()
}

/// The output of one future of a list-form join with `strategy = "any"`.
pub fn any_output<R: AnyOutput<Ok = T, Err = E>, T, E>(output: R) -> Result<T, E> {
    output.into_result()
}

/// A limit known at compile time: a `usize` or a `NonZeroUsize` constant, checked by const
/// evaluation, so `limit = MAX_CONNS` with `MAX_CONNS == 0` fails to compile with this message.
pub struct ConstLimit<T>(pub T);

impl ConstLimit<usize> {
    /// The limit; a compile error (in a `const` block) when it is 0.
    pub const fn get(self) -> NonZeroUsize {
        match NonZeroUsize::new(self.0) {
            Some(limit) => limit,
            None => panic!(
                "join_bounded!: `limit` is 0, so no future could ever run; it must be at least 1"
            ),
        }
    }
}

impl ConstLimit<NonZeroUsize> {
    /// The limit.
    pub const fn get(self) -> NonZeroUsize {
        self.0
    }
}

pub use crate::join::join_bounded;
