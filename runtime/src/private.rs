//! Items the macros' expansions call. Not public API: names and signatures may change in any
//! release.

pub use std::num::NonZeroUsize;

pub use futures_util::future::Either;

pub use crate::SettledOutput;
use crate::{AllOutput, AnyOutput, IntoLimit};

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

/// A `#[bounded]` limit known at compile time, checked by const evaluation in the function's
/// `static` semaphore.
pub const fn attribute_limit(limit: usize) -> usize {
    if limit == 0 {
        panic!("#[bounded]: `limit` is 0, so no call could ever run; it must be at least 1");
    }
    if limit > crate::MAX_PERMITS {
        panic!("#[bounded]: `limit` is above the semaphore's maximum, `MAX_PERMITS`");
    }
    limit
}

/// A pool's capacity, read from its type (no memory of the `static` is read).
pub const fn pool_capacity<const CAPACITY: usize>(_: &crate::Pool<CAPACITY>) -> usize {
    CAPACITY
}

/// Fails const evaluation when a function's own `limit` is larger than its pool's capacity.
pub const fn check_limit_within_pool(limit: usize, capacity: usize) {
    if limit > capacity {
        panic!(
            "#[bounded]: `limit` is larger than the capacity of its `pool`, so it could never be reached: every call also holds one of the pool's permits"
        );
    }
}

/// The return type of a `#[bounded(strategy = "settled")]` function: a `Result`.
#[diagnostic::on_unimplemented(
    message = "`strategy = \"settled\"` needs a function that returns `Result<T, E>`, but this one returns `{Self}`",
    label = "returns `{Self}`, not a `Result`",
    note = "each call of a \"settled\" function returns `Outcome<T, E>`; use the default strategy, \"all\", for other return types"
)]
pub trait SettledReturn {
    /// The success type.
    type Ok;
    /// The error type.
    type Err;
    /// The result as a `Result`.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

#[diagnostic::do_not_recommend]
impl<T, E> SettledReturn for Result<T, E> {
    type Ok = T;
    type Err = E;
    fn into_result(self) -> Result<T, E> {
        self
    }
}

/// Runs the body of a `strategy = "settled"` function, turning its `Result` and any panic into
/// an `Outcome`.
pub async fn settle<R, F>(body: F) -> crate::Outcome<R::Ok, R::Err>
where
    R: SettledReturn,
    F: std::future::Future<Output = R>,
{
    use futures_util::FutureExt;
    let caught = std::panic::AssertUnwindSafe(body).catch_unwind().await;
    crate::Outcome::from_caught(caught.map(SettledReturn::into_result))
}

/// A pool's capacity known at compile time, checked by const evaluation.
pub const fn pool_limit(capacity: usize) -> usize {
    if capacity == 0 {
        panic!("pool!: the capacity is 0, so no call could ever run; it must be at least 1");
    }
    if capacity > crate::MAX_PERMITS {
        panic!("pool!: the capacity is above the semaphore's maximum, `MAX_PERMITS`");
    }
    capacity
}

pub use crate::semaphore::Semaphore;
