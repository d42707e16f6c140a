//! The runtime of [bounded-async](https://docs.rs/bounded-async): the semaphores behind
//! `#[bounded]` and `pool!`, the bounded join driver and its strategies, and the outcome types.
//!
//! Use it through the `bounded-async` crate, which re-exports everything here next to the
//! macros. The semaphores, pools, outcome types and the join work without the macros; for
//! example [`join_bounded`] takes a limit read at run time and returns the join as a value. The
//! macros add the compile-time checks, a gate per function, and joins of futures of different
//! types.

#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

mod backend;
mod errors;
mod gate;
mod gated;
mod join;
#[cfg(any(feature = "metrics", feature = "redis", all(test, not(loom))))]
mod leaked;
mod limit;
mod list;
mod outcome;
mod pool;
mod reentry;
mod registry;
mod rejected;
#[doc(hidden)]
pub mod rules;
mod settled;
mod sync;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "redis")]
pub use backend::redis::ConnectError;
pub use errors::Errors;
pub use gate::{
    Acquire, Gate, LimitError, MAX_PERMITS, Permit, Rate, Rejections, Semaphore, Stats, Waits,
};
pub use join::{
    AllCollector, AllOutput, AnyCollector, AnyOutput, Collector, CompletionOrder, FromStream,
    InputOrder, Join, JoinBounded, JoinCollector, JoinStream, NoProgress, OnProgress, Order,
    Progress, RaceCollector, SettledCollector, SettledOf, SettledOutput, Source, Track,
    join_bounded, join_bounded_stream,
};
pub use limit::IntoLimit;
pub use outcome::{Outcome, Panic};
pub use pool::Pool;
pub use registry::{AllGates, Report, gate, gates, report};
pub use rejected::{Reason, Rejected};
pub use settled::Settled;
