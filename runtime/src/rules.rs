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
    /// `backend = "redis"` needs the `redis` feature.
    RedisNeedsTheRedisFeature,
    "`backend = \"redis\"` needs the `redis` feature of bounded-async, which is off by default: add `features = [\"redis\"]` to its dependency",
    "needs the `redis` feature"
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

/// The output of a future joined with a `timeout` under `strategy = "all"` or `"any"`: a
/// `Result` whose error can carry the rejection of a future that ran past it.
#[diagnostic::on_unimplemented(
    message = "with `timeout`, strategies \"all\" and \"any\" need futures that return `Result<T, E>` with `E: From<Rejected>`, but these return `{Self}`",
    label = "a future that runs past its timeout must return `Err(E::from(rejected))`",
    note = "`anyhow::Error` and `Box<dyn Error + Send + Sync>` already qualify, and a thiserror enum needs a `#[error(transparent)] Rejected(#[from] bounded_async::Rejected)` variant; or use `strategy = \"settled\"`, which records `Outcome::Rejected`"
)]
pub trait JoinTimeoutOutput: Sized {
    /// The value of a future that ran past its timeout.
    fn rejected(rejected: crate::Rejected) -> Self;
}

#[diagnostic::do_not_recommend]
impl<T, E: From<crate::Rejected>> JoinTimeoutOutput for Result<T, E> {
    fn rejected(rejected: crate::Rejected) -> Self {
        Err(E::from(rejected))
    }
}

/// The value of a pool member's call (see [`Rejectable`]): when its pool can turn calls away
/// (`REJECTS`), the output must be able to carry the rejection.
#[diagnostic::on_unimplemented(
    message = "this pool can turn calls away (it has `queue`, `wait`, `timeout` or a `backend`), so its members must return `Result<T, E>` with `E: From<Rejected>`, but this one returns `{Self}`",
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

/// The input of `for PAT in INPUT => ..` and `for await PAT in INPUT => ..`, told apart by
/// method resolution on `&input`: an iterator (anything `IntoIterator`) or a `Stream` is taken
/// by its form, and anything else (a stream given to `for`, an iterator to `for await`) gets a
/// kind whose `into_input` requires a rule with no implementation, so that the one error is that
/// rule's message, at the input, rather than a cascade from the expansion.
pub mod input {
    use std::future::Future;
    use std::marker::PhantomData;

    /// The type of an input, to find its kind by: it holds no value, so that naming the kind
    /// borrows nothing and the input is moved afterwards. It is never a reference, so the
    /// fallback probes (on `&Probe<T>`) are found only after auto-referencing, whatever `T` is.
    #[derive(Debug)]
    pub struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        /// The probe of `input`'s type.
        pub fn of(_: &T) -> Self {
            Probe(PhantomData)
        }
    }

    /// `for`'s input is an iterator.
    #[derive(Debug)]
    pub struct Iter;
    /// `for`'s input is not an iterator.
    #[derive(Debug)]
    pub struct NotIter;
    /// `for await`'s input is a stream.
    #[derive(Debug)]
    pub struct Stream;
    /// `for await`'s input is not a stream.
    #[derive(Debug)]
    pub struct NotStream;

    /// Found first, on the probe itself, when the input is `IntoIterator`.
    pub trait IterProbe {
        /// The kind of `for`'s input.
        fn __bounded_async_for(&self) -> Iter {
            Iter
        }
    }
    impl<T: IntoIterator> IterProbe for Probe<T> {}

    /// Found after auto-referencing, for any input.
    pub trait NotIterProbe {
        /// The kind of `for`'s input.
        fn __bounded_async_for(&self) -> NotIter {
            NotIter
        }
    }
    impl<T> NotIterProbe for &Probe<T> {}

    /// Found first, on the probe itself, when the input is a `Stream`.
    pub trait StreamProbe {
        /// The kind of `for await`'s input.
        fn __bounded_async_for_await(&self) -> Stream {
            Stream
        }
    }
    impl<T: futures_util::Stream> StreamProbe for Probe<T> {}

    /// Found after auto-referencing, for any input.
    pub trait NotStreamProbe {
        /// The kind of `for await`'s input.
        fn __bounded_async_for_await(&self) -> NotStream {
            NotStream
        }
    }
    impl<T> NotStreamProbe for &Probe<T> {}

    impl Iter {
        /// The iterator.
        pub fn into_input<T: IntoIterator>(self, input: T) -> T::IntoIter {
            input.into_iter()
        }
    }

    impl NotIter {
        /// Never compiles: `T` is not `IntoIterator`, and the rule says which form to use.
        pub fn into_input<T: super::ForTakesAnIterator, X: Future>(
            self,
            _: T,
        ) -> std::iter::Empty<X> {
            std::iter::empty()
        }
    }

    impl Stream {
        /// The stream.
        pub fn into_input<T: futures_util::Stream>(self, input: T) -> T {
            input
        }
    }

    impl NotStream {
        /// Never compiles: `T` is not a `Stream`, and the rule says which form to use.
        pub fn into_input<T: super::ForAwaitTakesAStream, X>(
            self,
            _: T,
        ) -> futures_util::stream::Empty<X> {
            futures_util::stream::empty()
        }
    }
}

/// The input of `for PAT in INPUT => ..` is an iterator: implemented for nothing, named only when
/// the input is not one.
#[diagnostic::on_unimplemented(
    message = "`for .. in` takes an iterator, but `{Self}` is not one",
    label = "not an iterator",
    note = "a `Stream` is taken with `for await`, as in `for await item in stream => fetch(item)`",
    note = "a tokio `mpsc::Receiver` is neither: wrap it in \
            `tokio_stream::wrappers::ReceiverStream::new(receiver)` and take it with `for await`"
)]
pub trait ForTakesAnIterator {}

/// The input of `for await PAT in INPUT => ..` is a `Stream`: implemented for nothing, named only
/// when the input is not one.
#[diagnostic::on_unimplemented(
    message = "`for await .. in` takes a `Stream`, but `{Self}` is not one",
    label = "not a `Stream`",
    note = "an iterator, a range or a collection is taken with `for` alone, as in \
            `for item in items => fetch(item)`",
    note = "a tokio `mpsc::Receiver` is not a `Stream`: wrap it in \
            `tokio_stream::wrappers::ReceiverStream::new(receiver)`"
)]
pub trait ForAwaitTakesAStream {}

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
