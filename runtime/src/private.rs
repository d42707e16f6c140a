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

use std::future::Future;

use crate::join::{JoinBounded, Output};
use crate::{AllCollector, AnyCollector, Join, JoinCollector, RaceCollector, SettledCollector};

// The strategies as functions with no bound on the output: the output's type is checked once,
// where the join is awaited, through the collector's impl, whose unmet bound reports the
// strategy's `on_unimplemented` message at the user's future. A bound here would report it twice.

/// `strategy = "join"`.
pub fn join<I: Iterator>(join: JoinBounded<I>) -> Join<I, JoinCollector<Output<I>>>
where
    I::Item: Future,
{
    join.join()
}

/// `strategy = "all"`; `T` and `E` are inferred from the collector's impl.
pub fn all<I: Iterator, T, E>(join: JoinBounded<I>) -> Join<I, AllCollector<T, E>>
where
    I::Item: Future,
{
    let (limit, futures, capacity) = join.into_parts();
    Join::new(limit, futures, AllCollector::new(capacity))
}

/// `strategy = "settled"`; `T` and `E` are inferred from the collector's impl.
pub fn settled<I: Iterator, T, E>(join: JoinBounded<I>) -> Join<I, SettledCollector<T, E>>
where
    I::Item: Future,
{
    let (limit, futures, capacity) = join.into_parts();
    Join::new(limit, futures, SettledCollector::new(capacity))
}

/// `strategy = "any"`; `T` and `E` are inferred from the collector's impl.
pub fn any<I: Iterator, T, E>(join: JoinBounded<I>) -> Join<I, AnyCollector<T, E>>
where
    I::Item: Future,
{
    let (limit, futures, _) = join.into_parts();
    Join::new(limit, futures, AnyCollector::new())
}

/// `strategy = "race"`.
pub fn race<I: Iterator>(join: JoinBounded<I>) -> Join<I, RaceCollector<Output<I>>>
where
    I::Item: Future,
{
    join.race()
}
