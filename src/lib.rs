//! Bounded async concurrency, as annotations.
//!
//! Async Rust makes it easy to start thousands of operations at once: map a list of ids to
//! futures, join them all, done. In production that fan-out exhausts database pools, holds every
//! pending future's state in memory at once, trips rate limits, and with a fail-fast join one
//! error throws away every other result. The cure is controlled concurrency: a bound on how many
//! run at once, work pulled lazily as slots free up, and an explicit choice of how the outcomes
//! are collected.
//!
//! # `#[bounded]`
//!
//! At most `limit` calls of a function run at once, program-wide, whoever calls it:
//!
//! ```
//! use bounded_async::bounded;
//!
//! #[bounded(limit = 8)]
//! async fn fetch_user(id: u64) -> Result<String, String> {
//!     Ok(format!("user {id}"))
//! }
//! # futures::executor::block_on(async { fetch_user(1).await.unwrap(); });
//! ```
//!
//! Every call holds one of 8 shared permits while its body runs; call 9 waits, first come first
//! served. The permit is released when the body returns, fails, panics, or when the caller drops
//! the call. With `strategy = "settled"`, each call returns an [`Outcome`] and a panic in the
//! body becomes [`Outcome::Panicked`]; a call that its gate turned away is
//! [`Outcome::Rejected`], whose [`Rejected`] says which gate and why. See [`macro@bounded`] for
//! every option.
//!
//! # `pool!`
//!
//! Several functions share one pool of permits (a bulkhead), and a function may also keep a
//! tighter limit of its own:
//!
//! ```
//! use bounded_async::{bounded, pool};
//!
//! pool!(pub DB = 16);
//!
//! #[bounded(pool = DB)]
//! async fn load_order(id: u64) -> u64 { id }
//!
//! #[bounded(pool = DB, limit = 4)]
//! async fn rebuild_index() {}
//!
//! # futures::executor::block_on(async { load_order(1).await; rebuild_index().await; });
//! assert_eq!((DB.capacity(), DB.in_flight(), DB.waiting()), (16, 0, 0));
//! ```
//!
//! # `join_bounded!`
//!
//! A bounded, lazy, input-ordered join with a strategy:
//!
//! ```
//! use bounded_async::join_bounded;
//!
//! # async fn fetch_user(id: u64) -> Result<String, String> { Ok(format!("user {id}")) }
//! # futures::executor::block_on(async {
//! let ids = 1..=100;
//!
//! // At most 16 requests in flight; the next id is taken only when one finishes.
//! let users = join_bounded!(limit = 16; for id in ids.clone() => fetch_user(id));
//! assert_eq!(users.len(), 100);
//!
//! // Every result, errors and panics included, in input order.
//! let report = join_bounded!(limit = 16, strategy = "settled"; for id in ids => fetch_user(id));
//! println!("{report}"); // 100 succeeded, 0 failed, 0 panicked
//! # });
//! ```
//!
//! The strategies, after JavaScript's `Promise` combinators:
//!
//! | strategy | futures must return | list form returns | iterator form returns | on `Err` | on panic |
//! |---|---|---|---|---|---|
//! | `"join"` (default) | anything | `(A, B, ...)` | `Vec<T>` | kept as a value | propagates |
//! | `"all"` | `Result<_, E>`, one `E` | `Result<(A, B, ...), E>` | `Result<Vec<T>, E>` | returns at once: futures in flight are dropped, no further items are pulled | propagates |
//! | `"settled"` | `Result<_, _>` | `(Outcome<A, E1>, Outcome<B, E2>, ...)` | [`Settled<T, E>`] | recorded, the rest run | recorded as [`Outcome::Panicked`] |
//! | `"any"` | `Result<T, E>`, one `T` and `E` | `Result<T, Errors<E>>` | `Result<T, Errors<E>>` | recorded; the first `Ok` wins and the rest are dropped; all failed gives every error in input order | propagates |
//! | `"race"` | one output type `T` | `T` | `Option<T>` (`None` for empty input) | first to finish wins, the rest are dropped | propagates |
//!
//! Each future may be given a `timeout`: one still running that long after its start is
//! dropped, and comes back as its strategy carries a [`Rejected`] (`Outcome::Rejected` under
//! `"settled"`, `Err(E::from(rejected))` under `"all"` and `"any"`, and `Result<T, Rejected>`
//! outputs under `"join"` and `"race"`).
//!
//! Mistakes are compile errors that point at the token: a zero, negative or fractional limit, an
//! unknown option or strategy (with the nearest valid name), an empty list of futures, a
//! strategy that needs `Result` applied to futures that do not return one, a `limit` larger
//! than its pool, or a bounded function that calls itself by name.
//!
//! # Streams: `for await` and `stream_bounded!`
//!
//! A join's input may be a `Stream` (a paginated API, a database cursor, lines being read, a
//! channel), written `for await PATTERN in STREAM => FUTURE`: it is pulled only when a slot is
//! free, exactly as an iterator is, and while it has no item ready the futures in flight go on
//! being polled. [`stream_bounded!`] takes either input and returns a `Stream` of the outputs as
//! they come, in input order (the default) or, with `order = "completion"`, as they finish:
//!
//! ```
//! use bounded_async::stream_bounded;
//! use futures::StreamExt;
//!
//! # async fn fetch(page: u32) -> Vec<u32> { vec![page] }
//! # futures::executor::block_on(async {
//! let pages = futures::stream::iter(1..=50); // a cursor, say
//! let mut records = stream_bounded!(limit = 8; for await page in pages => fetch(page));
//! while let Some(record) = records.next().await {
//!     // written out as it comes, in page order
//!     # let _ = record;
//! }
//! # });
//! ```
//!
//! It is as lazy as a join: at most `limit` futures, and in input order at most `limit` finished
//! outputs waiting for an earlier one. A stream runs only while it is polled: while the consumer
//! is busy with an output, the futures in flight wait with it, so slow per-output work belongs
//! in the futures themselves (collected by `join_bounded!`) or in a spawned consumer; the
//! [`stream_bounded!`] docs show both.
//!
//! # Without macros
//!
//! [`Gate`] (also named [`Semaphore`]) and [`Pool`] are what the attribute declares, usable in a
//! `static` of your own, with a limit that can be changed at run time ([`Pool::set_limit`]).
//! Every pool and every `#[bounded]` function's gate can be reached at run time, by name, once
//! it has been used: [`gates()`] iterates them and [`gate()`] finds one, for its
//! [`stats`](Gate::stats) or to [`set_limit`](Gate::set_limit) through it.
//! A gate can also pace its calls: [`Gate::with_rate`] takes a [`Rate`] (`rate = "50/s"` on the
//! attribute and on `pool!`), and [`Gate::set_rate`] changes it at run time.
//! A gate can also be paused, for a 429's `Retry-After`: [`Gate::pause_for`] (and
//! [`Pool::pause_for`]) admits nobody for a while; a call whose `wait` ends sooner is rejected
//! with [`Reason::Paused`] and a [`retry_after`](Rejected::retry_after).
//! [`join_bounded()`] is the same join as the macro, as a function, for limits read at run time
//! and joins passed around as values:
//!
//! ```
//! # futures::executor::block_on(async {
//! let jobs: usize = std::env::var("JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(8);
//! let squares = bounded_async::join_bounded(jobs, (1..=4).map(|n| async move { n * n })).await;
//! assert_eq!(squares, [1, 4, 9, 16]);
//! # });
//! ```
//!
//! The builder's [`stream`](JoinBounded::stream) and
//! [`stream_unordered`](JoinBounded::stream_unordered) are [`stream_bounded!`], and
//! [`join_bounded_stream()`] takes a `Stream` of futures as the input.
//!
//! The builder it returns is awaited as is; where a `Future` is needed (`block_on`, `spawn`),
//! choose the strategy first, `.join()` for the default:
//!
//! ```
//! let squares = (1..=4).map(|n| async move { n * n });
//! let squares = futures::executor::block_on(bounded_async::join_bounded(2, squares).join());
//! assert_eq!(squares, [1, 4, 9, 16]);
//! ```
//!
//! # Features
//!
//! - `tokio` (default): the timers behind `wait`, `timeout`, `rate` and `pause_for`.
//! - `tracing` (off): through `tracing`, with the target `bounded_async`:
//!   - a `DEBUG` span `bounded.wait` around a call's wait for admission, made only once the call
//!     has to wait (a call admitted at once costs nothing more), with the fields `gate`,
//!     `limit`, `in_flight`, `waiting`, then `waited_ms`, or the `reason` it was turned away;
//!   - a `DEBUG` event for each rejected call (`gate`, `reason`, `in_flight`, `waiting`,
//!     `limit`), and at most one `WARN` per gate every 10 seconds that sums the rejections up
//!     ("my_app::fetch_user rejected 1,234 calls in 10 s: queue full"), so that overload does
//!     not log one line per call it sheds;
//!   - a `DEBUG` event when a wait took more than half the call's `wait`, or 100 ms without one;
//!   - a `WARN` when a fleet-wide pool's leases ran out before they were renewed (`gate`,
//!     `lost`, `taken_again`).
//! - `redis` (off): fleet-wide pools, `pool!(.., backend = "redis", lease = "30s")`, whose
//!   permits are leases on a Redis server shared by every process connected to it with the
//!   pool's `connect`; see [`pool!`] and the README's "Fleet-wide limits".
//! - `metrics` (off): through the `metrics` facade, each listed gate's (every `pool!` and
//!   `#[bounded]` gate's) gauges `bounded_async_in_flight`, `bounded_async_waiting` and
//!   `bounded_async_limit`, counters `bounded_async_admitted_total` and
//!   `bounded_async_rejected_total{reason}` (`queue_full`, `wait_elapsed`, `timed_out`,
//!   `paused`, `backend`), the histogram `bounded_async_wait_seconds` of the calls that
//!   waited and, for fleet-wide pools, the counter `bounded_async_leases_lost_total`, all
//!   labelled `gate`. A gate registers its handles at its first use: install the recorder
//!   before.
//!
//! ```
//! # #[cfg(feature = "tracing")]
//! # {
//! use bounded_async::{Reason, Rejected, bounded, pool};
//!
//! pool!(pub API = 1, queue = 0);
//!
//! #[bounded(pool = API)]
//! async fn fetch(id: u64) -> Result<u64, Rejected> {
//!     Ok(id)
//! }
//!
//! # futures::executor::block_on(async {
//! // Under a subscriber that enables `bounded_async` (`RUST_LOG=bounded_async=debug` with
//! // tracing-subscriber's `fmt`), this rejection is a DEBUG event and, as the first of the gate's,
//! // a WARN: "my_app::API rejected 1 call: queue full (later rejections are summed up at most
//! // every 10 s)".
//! let held = API.try_acquire().expect("free");
//! let rejected = fetch(1).await.unwrap_err();
//! assert_eq!(rejected.reason(), Reason::QueueFull);
//! drop(held);
//! assert_eq!(fetch(2).await.unwrap(), 2);
//! # });
//! # }
//! ```
//!
//! ```
//! # #[cfg(feature = "metrics")]
//! # {
//! use bounded_async::bounded;
//!
//! #[bounded(limit = 4)]
//! async fn fetch(id: u64) -> u64 {
//!     id
//! }
//!
//! // The program installs its recorder first, `metrics-exporter-prometheus` for one; here,
//! // for the example, the recorder of this thread only.
//! let recorder = metrics_util::debugging::DebuggingRecorder::new();
//! let snapshot = recorder.snapshotter();
//! metrics::with_local_recorder(&recorder, || {
//!     futures::executor::block_on(fetch(1));
//! });
//! let admitted = snapshot.snapshot().into_vec().into_iter().find_map(|(key, _, _, value)| {
//!     (key.key().name() == "bounded_async_admitted_total").then_some(value)
//! });
//! assert_eq!(admitted, Some(metrics_util::debugging::DebugValue::Counter(1)));
//! # }
//! ```
//!
//! # Guarantees
//!
//! - At most `limit` futures exist at once: the input is pulled only when a slot is free, so
//!   memory stays bounded by `limit` futures plus the collected outputs, whatever the input's
//!   length. A finished future's slot is refilled at once, so while at least `limit` items
//!   remain, exactly `limit` are in flight (a limit above the poll budget below is reached over
//!   the join's first few polls).
//! - Outputs come back in input order, whatever order the futures finish in.
//! - The join is a future, not a stream, so no consumer leaves it unpolled between items: it
//!   polls each future that was woken, refilling the slots of those that finish, until all are
//!   done. A future of the join that is handed a semaphore permit gets to run, so futures in one
//!   join that share a semaphore cannot deadlock each other.
//! - One poll of the join polls at most 128 futures, then asks to be polled again and yields, so
//!   that a join of many ready futures cannot starve the other tasks of its thread. The next
//!   poll starts with the woken futures this one did not reach, so no future waits behind
//!   others that keep waking or finishing.
//! - Dropping the join drops every future in flight at once.
//! - The join allocates per slot, never per item: its allocations depend on the concurrency
//!   reached, not on the input's length (beyond the output `Vec`).
//! - Futures may borrow from the enclosing scope; nothing is spawned, and any executor can
//!   drive the join.

#![deny(missing_docs)]
#![warn(rust_2018_idioms)]

pub use bounded_async_macros::bounded;
pub use bounded_async_runtime::JoinStream;
pub use bounded_async_runtime::{
    Acquire, AllGates, AllOutput, AnyOutput, Collector, Errors, Gate, IntoLimit, Join, JoinBounded,
    LimitError, MAX_PERMITS, Outcome, Panic, Permit, Pool, Progress, Rate, Reason, Rejected,
    Rejections, Report, Semaphore, Settled, SettledOf, SettledOutput, Stats, Waits, gate, gates,
    join_bounded, join_bounded_stream, report,
};

#[macro_use]
mod macros;

/// The collectors behind each strategy, as named in the type of a [`Join`] future.
pub mod collect {
    pub use bounded_async_runtime::{
        AllCollector, AnyCollector, JoinCollector, RaceCollector, SettledCollector,
    };
}

/// What a [`Join`] does when a future finishes, as named in its type: nothing
/// ([`NoProgress`](progress::NoProgress)), or count and call its `progress` callback
/// ([`OnProgress`](progress::OnProgress)); see [`JoinBounded::progress`].
pub mod progress {
    pub use bounded_async_runtime::{NoProgress, OnProgress, Track};
}

/// The inputs and orders of a join's stream, as named in the types of [`JoinBounded`] and
/// [`JoinStream`]: where the futures come from ([`Source`](stream::Source): an iterator, or a
/// [`FromStream`](stream::FromStream)), and the order of the outputs
/// ([`InputOrder`](stream::InputOrder) or [`CompletionOrder`](stream::CompletionOrder)).
pub mod stream {
    pub use bounded_async_runtime::{CompletionOrder, FromStream, InputOrder, Order, Source};
}

/// The compile-time rules of the macros, named in their error messages. Not public API.
#[doc(hidden)]
pub use bounded_async_runtime::rules;

/// The README's examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Items the macros' expansions use. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use bounded_async_macros::{join_bounded_impl, pool_impl, stream_bounded_impl};
    pub use bounded_async_runtime::__private::*;
}
