//! The compile-time rules of the macros' options that only the compiler can check (a named
//! constant's value, a pool's capacity, a path's module), as traits implemented only for
//! [`Check<true>`]. A broken rule is a type error with the rule's own message, at the user's
//! token. Not public API: used by the expansions of `#[bounded]` and `pool!`.

/// A compile-time check of a `#[bounded]` limit or a pool's capacity: `Check<true>` passes.
/// Each rule is a trait implemented only for `Check<true>`, whose message is the rule's, so a
/// broken rule is a type error at the user's token rather than a failed const evaluation.
#[derive(Debug)]
pub struct Check<const PASSES: bool>;

macro_rules! rule {
    ($(#[$doc:meta])* $name:ident, $message:literal, $label:literal) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(message = $message, label = $label)]
        pub trait $name {
            /// `()`: naming it is what asks for the check.
            type Passes;
        }

        #[diagnostic::do_not_recommend]
        impl $name for Check<true> {
            type Passes = ();
        }
    };
}

rule!(
    /// A `#[bounded]` limit is at least 1.
    LimitIsNotZero,
    "#[bounded]: `limit` is 0, so no call could ever run; it must be at least 1",
    "this is 0"
);
rule!(
    /// A `join_bounded!` limit known at compile time is at least 1.
    JoinLimitIsNotZero,
    "join_bounded!: `limit` is 0, so no future could ever run; it must be at least 1",
    "this is 0"
);
rule!(
    /// A `#[bounded]` limit is at most `MAX_PERMITS`.
    LimitFitsASemaphore,
    "#[bounded]: `limit` is above `MAX_PERMITS`, the most permits a semaphore holds",
    "this is above `MAX_PERMITS`"
);
rule!(
    /// A `#[bounded]` limit is at most its pool's capacity.
    LimitFitsItsPool,
    "#[bounded]: `limit` is larger than its `pool` can ever admit at once (its capacity, or its `max` if it has one), so it could never be reached: every call also holds one of the pool's permits",
    "this is larger than the pool can admit"
);

rule!(
    /// A `#[bounded]` rate paces no faster than its pool's declared rate.
    RateFitsItsPool,
    "#[bounded]: `rate` is faster than its `pool`'s rate, so it could never be reached: every call also takes one of the pool's rate slots; write a rate at or below the pool's, or drop `rate` and let the pool pace the calls",
    "this is faster than the pool's rate"
);

rule!(
    /// A gate's `max` is at least 1.
    MaxIsNotZero,
    "`max` is 0, so no call could ever run; it must be at least the limit",
    "this is 0"
);
rule!(
    /// A gate's `max` is at most `MAX_PERMITS`.
    MaxFitsASemaphore,
    "`max` is above `MAX_PERMITS`, the most permits a semaphore holds",
    "this is above `MAX_PERMITS`"
);
rule!(
    /// A gate's `max` is at least its limit (or its pool's capacity).
    MaxIsAtLeastTheLimit,
    "`max` is below the limit: `max` is the highest the limit can be raised to at run time, so it must be at least the limit",
    "this is below the limit"
);
rule!(
    /// The keys that need a timer (`wait`, `timeout`) are only given with the `tokio` feature.
    TimersNeedTheTokioFeature,
    "this key needs a timer, which the `tokio` feature of bounded-async provides; it is on by default: enable it, or drop the key",
    "needs the `tokio` feature"
);

rule!(
    /// A pool's capacity is at least 1.
    CapacityIsNotZero,
    "pool!: the capacity is 0, so no call could ever run; it must be at least 1",
    "this is 0"
);
rule!(
    /// A pool's capacity is at most `MAX_PERMITS`.
    CapacityFitsASemaphore,
    "pool!: the capacity is above `MAX_PERMITS`, the most permits a semaphore holds",
    "this is above `MAX_PERMITS`"
);
rule!(
    /// A path called in a `#[bounded]` function's body does not name the function itself.
    NotASelfCall,
    "#[bounded]: this call names the bounded function itself: once every permit is held by a call waiting for a nested call, none can finish (a deadlock)",
    "this is the function being defined"
);

/// What a call that its gate can turn away (`wait`, `queue` or `timeout`, on the function or
/// its pool) returns when it is turned away: `Err(E::from(rejected))` for `Result<T, E>`, and
/// `Outcome::Rejected` under `strategy = "settled"`.
#[diagnostic::on_unimplemented(
    message = "this gate can turn calls away, so the function must return `Result<T, E>` with `E: From<Rejected>`, but it returns `{Self}`",
    label = "this can turn a call away",
    note = "a turned-away call returns `Err(E::from(rejected))`: `anyhow::Error` and `Box<dyn Error + Send + Sync>` already qualify, and a thiserror enum needs a `#[error(transparent)] Rejected(#[from] bounded_async::Rejected)` variant; or use `strategy = \"settled\"`, which returns `Outcome::Rejected`"
)]
pub trait Rejectable: Sized {
    /// The value of a call turned away.
    fn rejected(rejected: crate::Rejected) -> Self;

    /// The value of a call that its gates may have turned away: the body's output, or
    /// [`rejected`](Rejectable::rejected). The expansion calls it at the key that can turn
    /// calls away, so that an output that cannot carry a rejection is reported there.
    #[inline]
    fn output(result: Result<Self, crate::Rejected>) -> Self {
        match result {
            Ok(output) => output,
            Err(rejected) => Self::rejected(rejected),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<T, E: From<crate::Rejected>> Rejectable for Result<T, E> {
    fn rejected(rejected: crate::Rejected) -> Self {
        Err(E::from(rejected))
    }
}

#[diagnostic::do_not_recommend]
impl<T, E> Rejectable for crate::Outcome<T, E> {
    fn rejected(rejected: crate::Rejected) -> Self {
        crate::Outcome::Rejected(rejected)
    }
}

/// The value of a pool member's call (see [`Rejectable`]): when its pool can turn calls away
/// (`REJECTS`), the output must be able to carry the rejection.
#[diagnostic::on_unimplemented(
    message = "this pool can turn calls away (it has `queue`, `wait` or `timeout`), so its members must return `Result<T, E>` with `E: From<Rejected>`, but this one returns `{Self}`",
    label = "this pool can turn a call away",
    note = "a turned-away call returns `Err(E::from(rejected))`: `anyhow::Error` and `Box<dyn Error + Send + Sync>` already qualify, and a thiserror enum needs a `#[error(transparent)] Rejected(#[from] bounded_async::Rejected)` variant; or use `strategy = \"settled\"`, which returns `Outcome::Rejected`"
)]
pub trait PoolOutput<const REJECTS: bool>: Sized {
    /// The function's value: the body's output, or the rejection as the output carries it.
    fn finish(output: (crate::gated::Mode<REJECTS>, Result<Self, crate::Rejected>)) -> Self;
}

impl<T> PoolOutput<false> for T {
    #[inline]
    fn finish((_, output): (crate::gated::Mode<false>, Result<T, crate::Rejected>)) -> T {
        match output {
            Ok(output) => output,
            Err(_) => unreachable!("a pool that cannot turn calls away turned one away"),
        }
    }
}

#[diagnostic::do_not_recommend]
impl<T: Rejectable> PoolOutput<true> for T {
    #[inline]
    fn finish((_, output): (crate::gated::Mode<true>, Result<T, crate::Rejected>)) -> T {
        T::output(output)
    }
}

/// The types a limit or capacity known at compile time may have.
#[diagnostic::on_unimplemented(
    message = "`limit` must be a `usize` or a `NonZeroUsize`, not `{Self}`",
    label = "expected `usize`, found `{Self}`",
    note = "declare the constant as a `usize`, or convert it: `N as usize`"
)]
pub trait LimitValue: Copy + sealed::Sealed {}

#[diagnostic::do_not_recommend]
impl LimitValue for usize {}
#[diagnostic::do_not_recommend]
impl LimitValue for std::num::NonZeroUsize {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for std::num::NonZeroUsize {}
}

/// Reads a [`LimitValue`] as a `usize`.
union Raw<T: Copy> {
    value: T,
    raw: usize,
}

/// A limit or capacity known at compile time, as a `usize` (0 stays 0).
pub const fn limit_value<T: LimitValue>(value: T) -> usize {
    // SAFETY: `LimitValue` is sealed and implemented only for `usize` and `NonZeroUsize`, which
    // is `repr(transparent)` over `usize`: both have the layout of `usize`, and every bit
    // pattern of either is a valid `usize`.
    unsafe { Raw { value }.raw }
}

// The checks below are implemented by the first future's type (`Self`, known by then) for the
// later one's (`Later`), so that a later future's type is inferred from the first's where it is
// left open, as in `async { Ok(1) }`.

/// The error type of a later future of an `"all"` list, checked against the first's.
#[diagnostic::on_unimplemented(
    message = "`strategy = \"all\"` needs futures that fail with one error type, but this one fails with `{Later}` and the first with `{Self}`",
    label = "fails with `{Later}`, not `{Self}`",
    note = "\"all\" returns `Result<(A, B, ...), E>`: convert the errors to one type, for example with `.map_err(..)`"
)]
pub trait SameError<Later> {
    /// The later future's error, unchanged.
    fn same(later: Later) -> Self;
}

#[diagnostic::do_not_recommend]
impl<E> SameError<E> for E {
    fn same(later: E) -> E {
        later
    }
}

/// The output of a later future of an `"any"` list, checked against the first's.
#[diagnostic::on_unimplemented(
    message = "`strategy = \"any\"` needs futures that return one `Result<T, E>` type, but this one returns `{Later}` and the first `{Self}`",
    label = "returns `{Later}`, not `{Self}`",
    note = "\"any\" returns `Result<T, Errors<E>>`: the first `Ok`, or every error"
)]
pub trait SameResult<Later> {
    /// The later future's output, unchanged.
    fn same(later: Later) -> Self;
}

#[diagnostic::do_not_recommend]
impl<R> SameResult<R> for R {
    fn same(later: R) -> R {
        later
    }
}

/// The output of a later future of a `"race"` list, checked against the first's.
#[diagnostic::on_unimplemented(
    message = "`strategy = \"race\"` needs futures of one output type, but this one returns `{Later}` and the first `{Self}`",
    label = "returns `{Later}`, not `{Self}`",
    note = "\"race\" returns the output of whichever future finishes first"
)]
pub trait SameOutput<Later> {
    /// The later future's output, unchanged.
    fn same(later: Later) -> Self;
}

#[diagnostic::do_not_recommend]
impl<O> SameOutput<O> for O {
    fn same(later: O) -> O {
        later
    }
}

#[cfg(test)]
mod tests {
    use super::limit_value;
    use std::num::NonZeroUsize;

    #[test]
    fn limits_read_as_usize() {
        const FROM_USIZE: usize = limit_value(7_usize);
        const FROM_NON_ZERO: usize = limit_value(NonZeroUsize::MAX);
        assert_eq!((FROM_USIZE, FROM_NON_ZERO), (7, usize::MAX));
        assert_eq!(limit_value(0_usize), 0);
    }
}
