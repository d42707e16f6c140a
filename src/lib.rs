//! placeholder docs
#![deny(missing_docs)]

pub use bounded_async_runtime::{
    AllOutput, AnyOutput, Collector, Errors, IntoLimit, Join, JoinBounded, Outcome, Panic, Settled,
    SettledOutput, join_bounded,
};

/// Collectors: how each strategy gathers outputs.
pub mod collect {
    pub use bounded_async_runtime::{
        AllCollector, AnyCollector, JoinCollector, RaceCollector, SettledCollector,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use bounded_async_macros::join_bounded_impl;
    pub use bounded_async_runtime::__private::*;
}

/// placeholder
#[macro_export]
macro_rules! join_bounded {
    ($($input:tt)*) => {
        $crate::__private::join_bounded_impl!([$crate] $($input)*)
    };
}
