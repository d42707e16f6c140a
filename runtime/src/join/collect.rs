//! Collectors: what each strategy does with an output, and when it stops the join.

use std::ops::ControlFlow;
use std::panic;
use std::thread;

use super::ordered::Ordered;
use super::timeout::Timely;
use crate::{Errors, Outcome, Settled};

mod sealed {
    pub trait Sealed {}
}

/// What a join does with each output, and what it returns. One implementation per strategy.
///
/// The join hands every output to its collector together with the output's input index; the
/// collector may stop the join early (`"all"` on an `Err`, `"any"` on an `Ok`, `"race"` on the
/// first output), which drops every future still in flight and pulls no further items.
///
/// This trait is sealed: the strategies are the five of [`join_bounded!`]'s table.
///
/// [`join_bounded!`]: https://docs.rs/bounded-async/latest/bounded_async/macro.join_bounded.html
pub trait Collector<T>: sealed::Sealed {
    /// What the join returns.
    type Output;

    /// Whether the join catches panics of its futures and hands them to the collector.
    ///
    /// Only `"settled"` does; every other strategy lets a future's panic propagate, and so pays
    /// nothing for `catch_unwind`.
    #[doc(hidden)]
    const CATCHES_PANICS: bool = false;

    /// Takes the output of the future at input position `index` (or its panic, when
    /// `CATCHES_PANICS`); `Break` ends the join.
    #[doc(hidden)]
    fn collect(&mut self, index: usize, output: thread::Result<T>) -> ControlFlow<()>;

    /// Whether `output` counts as failed for a join's [`Progress`](super::Progress): a panic,
    /// and under the strategies over `Result`, an `Err`.
    #[doc(hidden)]
    #[inline]
    fn failed(output: &thread::Result<T>) -> bool {
        output.is_err()
    }

    /// Builds the join's result once every future finished or the collector stopped the join.
    #[doc(hidden)]
    fn finish(self) -> Self::Output;

    /// Whether the collector hands outputs on as they come (a join's stream) rather than
    /// collecting them: its `Break` means "an output is ready", after which the join pauses,
    /// rather than "the join is over".
    #[doc(hidden)]
    const STREAMS: bool = false;

    /// Whether the join may pull item `index` now. A stream in input order refuses an item
    /// that could make more than `limit` outputs wait for an earlier one.
    #[doc(hidden)]
    #[inline]
    fn accepts_more(&self, index: usize) -> bool {
        let _ = index;
        true
    }
}

pub(super) use sealed::Sealed;

/// Implements a trait that says "this strategy needs futures that return `Result`", with a
/// message naming the strategy.
macro_rules! result_output {
    ($(#[$doc:meta])* $name:ident, $message:literal, $note:literal $(, { $($item:tt)* } => { $($impl_item:tt)* })?) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "returns `{Self}`, not a `Result`",
            note = $note
        )]
        pub trait $name: sealed::Sealed {
            /// The success type.
            type Ok;
            /// The error type.
            type Err;
            #[doc(hidden)]
            fn into_result(self) -> Result<Self::Ok, Self::Err>;
            #[doc(hidden)]
            fn is_err(&self) -> bool;
            $($($item)*)?
        }

        #[diagnostic::do_not_recommend]
        impl<T, E> $name for Result<T, E> {
            type Ok = T;
            type Err = E;
            fn into_result(self) -> Result<T, E> {
                self
            }
            fn is_err(&self) -> bool {
                Result::is_err(self)
            }
            $($($impl_item)*)?
        }
    };
}

impl<T, E> sealed::Sealed for Result<T, E> {}

result_output!(
    /// The output of a future joined with `strategy = "all"`: a `Result`.
    AllOutput,
    "`strategy = \"all\"` needs futures that return `Result<T, E>`, but these return `{Self}`",
    "\"all\" stops at the first `Err`; to collect plain values, use the default strategy \"join\""
);
result_output!(
    /// A `Result`, which `strategy = "settled"` records as an [`Outcome`]: the output of a
    /// future joined with `join_bounded!`, or the return type of a `#[bounded]` function.
    SettledOutput,
    "`strategy = \"settled\"` needs `Result<T, E>`, but this returns `{Self}`",
    "\"settled\" records each `Ok`, `Err` and panic as an `Outcome`; for other types, use the default strategy",
    {
        /// `Outcome<Self::Ok, Self::Err>`, named through [`SettledOf`].
        type Outcome;
    } => {
        type Outcome = Outcome<T, E>;
    }
);

/// What a `#[bounded(strategy = "settled")]` function declared to return `R` returns: the
/// [`Outcome`] of `R`'s `Ok` and `Err` types.
///
/// The attribute writes `Outcome<T, E>` for a return type written `Result<T, E>`, and
/// `SettledOf<R>` for a `Result` under another name, such as `io::Result<T>`, which is what
/// rustdoc and IDEs then show:
///
/// ```
/// use bounded_async::{Outcome, SettledOf, bounded};
///
/// #[bounded(limit = 4, strategy = "settled")]
/// async fn read_config() -> std::io::Result<String> {
///     Ok(String::from("jobs = 4"))
/// }
///
/// # futures::executor::block_on(async {
/// let outcome: SettledOf<std::io::Result<String>> = read_config().await;
/// let _: Outcome<String, std::io::Error> = outcome;
/// # });
/// ```
pub type SettledOf<R> = <R as SettledOutput>::Outcome;
result_output!(
    /// The output of a future joined with `strategy = "any"`: a `Result`.
    AnyOutput,
    "`strategy = \"any\"` needs futures that return `Result<T, E>`, but these return `{Self}`",
    "\"any\" returns the first `Ok`; to take whichever future finishes first, use strategy \"race\""
);

/// Unwraps an output of a strategy that lets panics propagate.
fn propagate<T>(output: thread::Result<T>) -> T {
    output.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// `strategy = "join"`: every output, in input order.
pub struct JoinCollector<T> {
    outputs: Ordered<T>,
}

impl<T> JoinCollector<T> {
    pub(crate) fn new(expected: usize) -> Self {
        JoinCollector {
            outputs: Ordered::with_expected(expected),
        }
    }
}

impl<T> sealed::Sealed for JoinCollector<T> {}

impl<T> Collector<T> for JoinCollector<T> {
    type Output = Vec<T>;

    fn collect(&mut self, index: usize, output: thread::Result<T>) -> ControlFlow<()> {
        self.outputs.put(index, propagate(output));
        ControlFlow::Continue(())
    }

    fn finish(self) -> Vec<T> {
        self.outputs.into_vec()
    }
}

/// `strategy = "all"`: every `Ok` value in input order, or the first `Err` to arrive.
pub struct AllCollector<T, E> {
    outputs: Ordered<T>,
    error: Option<E>,
}

impl<T, E> AllCollector<T, E> {
    pub(crate) fn new(expected: usize) -> Self {
        AllCollector {
            outputs: Ordered::with_expected(expected),
            error: None,
        }
    }
}

impl<T, E> sealed::Sealed for AllCollector<T, E> {}

impl<R: AllOutput> Collector<R> for AllCollector<R::Ok, R::Err> {
    type Output = Result<Vec<R::Ok>, R::Err>;

    fn failed(output: &thread::Result<R>) -> bool {
        output.as_ref().is_ok_and(R::is_err) || output.is_err()
    }

    fn collect(&mut self, index: usize, output: thread::Result<R>) -> ControlFlow<()> {
        match propagate(output).into_result() {
            Ok(value) => {
                self.outputs.put(index, value);
                ControlFlow::Continue(())
            }
            Err(error) => {
                self.error = Some(error);
                ControlFlow::Break(())
            }
        }
    }

    fn finish(self) -> Self::Output {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.outputs.into_vec()),
        }
    }
}

/// `strategy = "settled"`: every output and every panic, as an [`Outcome`] in input order.
pub struct SettledCollector<T, E> {
    outcomes: Ordered<Outcome<T, E>>,
}

impl<T, E> SettledCollector<T, E> {
    pub(crate) fn new(expected: usize) -> Self {
        SettledCollector {
            outcomes: Ordered::with_expected(expected),
        }
    }
}

impl<T, E> sealed::Sealed for SettledCollector<T, E> {}

impl<R: SettledOutput> Collector<R> for SettledCollector<R::Ok, R::Err> {
    type Output = Settled<R::Ok, R::Err>;

    const CATCHES_PANICS: bool = true;

    fn failed(output: &thread::Result<R>) -> bool {
        output.as_ref().is_ok_and(R::is_err) || output.is_err()
    }

    fn collect(&mut self, index: usize, output: thread::Result<R>) -> ControlFlow<()> {
        let outcome = Outcome::from_caught(output.map(SettledOutput::into_result));
        self.outcomes.put(index, outcome);
        ControlFlow::Continue(())
    }

    fn finish(self) -> Self::Output {
        self.outcomes.into_vec().into()
    }
}

/// `strategy = "settled"` with a `timeout`: a future that ran past it is `Outcome::Rejected`.
impl<R: SettledOutput> Collector<Timely<R>> for SettledCollector<R::Ok, R::Err> {
    type Output = Settled<R::Ok, R::Err>;

    const CATCHES_PANICS: bool = true;

    fn failed(output: &thread::Result<Timely<R>>) -> bool {
        match output {
            Ok(Timely(Ok(output))) => output.is_err(),
            _ => true,
        }
    }

    fn collect(&mut self, index: usize, output: thread::Result<Timely<R>>) -> ControlFlow<()> {
        let outcome = match output {
            Ok(Timely(Err(rejected))) => Outcome::Rejected(rejected),
            Ok(Timely(Ok(output))) => Outcome::from(output.into_result()),
            Err(payload) => Outcome::from_caught(Err(payload)),
        };
        self.outcomes.put(index, outcome);
        ControlFlow::Continue(())
    }

    fn finish(self) -> Self::Output {
        self.outcomes.into_vec().into()
    }
}

/// `strategy = "any"`: the first `Ok` to arrive, or every error in input order.
pub struct AnyCollector<T, E> {
    value: Option<T>,
    errors: Ordered<E>,
}

impl<T, E> AnyCollector<T, E> {
    pub(crate) fn new() -> Self {
        AnyCollector {
            value: None,
            errors: Ordered::with_expected(0),
        }
    }
}

impl<T, E> sealed::Sealed for AnyCollector<T, E> {}

impl<R: AnyOutput> Collector<R> for AnyCollector<R::Ok, R::Err> {
    type Output = Result<R::Ok, Errors<R::Err>>;

    fn failed(output: &thread::Result<R>) -> bool {
        output.as_ref().is_ok_and(R::is_err) || output.is_err()
    }

    fn collect(&mut self, index: usize, output: thread::Result<R>) -> ControlFlow<()> {
        match propagate(output).into_result() {
            Ok(value) => {
                self.value = Some(value);
                ControlFlow::Break(())
            }
            Err(error) => {
                self.errors.put(index, error);
                ControlFlow::Continue(())
            }
        }
    }

    fn finish(self) -> Self::Output {
        match self.value {
            Some(value) => Ok(value),
            None => Err(self.errors.into_vec().into()),
        }
    }
}

/// `strategy = "race"`: the first output to arrive, or `None` for an empty input.
pub struct RaceCollector<T> {
    value: Option<T>,
}

impl<T> RaceCollector<T> {
    pub(crate) fn new() -> Self {
        RaceCollector { value: None }
    }
}

impl<T> sealed::Sealed for RaceCollector<T> {}

impl<T> Collector<T> for RaceCollector<T> {
    type Output = Option<T>;

    fn collect(&mut self, _index: usize, output: thread::Result<T>) -> ControlFlow<()> {
        self.value = Some(propagate(output));
        ControlFlow::Break(())
    }

    fn finish(self) -> Option<T> {
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the join wraps its polls in `catch_unwind` for collector `C` of outputs `T`.
    fn catches<T, C: Collector<T>>() -> bool {
        C::CATCHES_PANICS
    }

    #[test]
    fn only_settled_catches_panics() {
        type R = Result<u8, u8>;
        assert!(catches::<R, SettledCollector<u8, u8>>());
        assert!(!catches::<u8, JoinCollector<u8>>());
        assert!(!catches::<R, AllCollector<u8, u8>>());
        assert!(!catches::<R, AnyCollector<u8, u8>>());
        assert!(!catches::<u8, RaceCollector<u8>>());
    }
}
