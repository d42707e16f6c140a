//! Procedural macros of [bounded-async](https://docs.rs/bounded-async).
//!
//! Use them through the `bounded-async` crate, which re-exports them next to the runtime their
//! expansions call; this crate is not meant to be depended on directly.

mod args;
mod bounded;
mod diagnostics;
mod duration;
mod join;
mod keys;
mod limit;
mod pool;
mod rate;
mod strategy;

use proc_macro::TokenStream;

/// The implementation of `bounded_async::join_bounded!`, which calls it with `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn join_bounded_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), join::Macro::Join).into()
}

/// The implementation of `bounded_async::stream_bounded!`, which calls it with `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn stream_bounded_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into(), join::Macro::Stream).into()
}

/// Bounds how many calls of an `async fn` run at once, program-wide.
///
/// ```
/// use bounded_async::bounded;
///
/// #[bounded(limit = 8)]
/// async fn fetch_user(id: u64) -> Result<String, std::io::Error> {
///     Ok(format!("user {id}"))
/// }
/// # futures::executor::block_on(async { fetch_user(1).await.unwrap(); });
/// ```
///
/// Every call of `fetch_user`, from any task, thread or module, holds one of 8 shared permits
/// while its body runs; call 9 waits (first come, first served) until one is free. The permit is
/// released when the body finishes, returns an error, panics, or when the caller drops the
/// call's future. The signature stays as written, and the returned future is `Send` exactly when
/// the undecorated one would be, so calls can be handed to `tokio::spawn`.
///
/// # Options
///
/// ## `limit`
///
/// The most calls of this function that run at once: any constant expression of type `usize` or
/// `NonZeroUsize` (`8`, `MAX_CONNS`, `2 * MAX`, `max_conns()` for a `const fn`). It is always
/// evaluated at compile time: 0, negative numbers, fractions, other integer types and values
/// above `MAX_PERMITS` are compile errors at the limit, and so is an expression that is not
/// constant. Required unless `pool` is given.
///
/// The limit belongs to the function item: a generic function shares one limit across all its
/// instantiations, and a method shares one limit across all instances of its type. The limit is
/// a `static`, so it cannot name `Self` or a generic parameter: write `Worker::JOBS`, not
/// `Self::JOBS`.
///
/// ```
/// use bounded_async::bounded;
///
/// const MAX_CONNS: usize = 4;
///
/// struct Crawler;
///
/// impl Crawler {
///     /// At most 2 fetches run at once, whichever `Crawler` they are called on.
///     #[bounded(limit = MAX_CONNS / 2)]
///     async fn fetch(&self, url: &str) -> usize {
///         url.len()
///     }
/// }
/// # futures::executor::block_on(async { assert_eq!(Crawler.fetch("/").await, 1); });
/// ```
///
/// A trait's default method is one function item too: `#[bounded]` on a default body gives one
/// limit shared by every type that keeps that default. For a limit per type, put the attribute
/// on the method in each impl instead:
///
/// ```
/// use bounded_async::bounded;
///
/// trait Mirror {
///     async fn download(&self, path: &str) -> usize;
/// }
///
/// struct Eu;
/// struct Us;
///
/// impl Mirror for Eu {
///     // Two downloads at once from this mirror, whatever `Us` is doing.
///     #[bounded(limit = 2)]
///     async fn download(&self, path: &str) -> usize {
///         path.len()
///     }
/// }
///
/// impl Mirror for Us {
///     #[bounded(limit = 2)]
///     async fn download(&self, path: &str) -> usize {
///         path.len() + 1
///     }
/// }
/// # futures::executor::block_on(async { assert_eq!(Eu.download("/a").await + Us.download("/a").await, 5); });
/// ```
///
/// ## `pool`
///
/// A pool declared with `pool!`: every call also holds one of the pool's permits, so several
/// functions share one bulkhead. With `limit` too, the function's own limit is taken first, then
/// the pool's (one fixed order, so two calls never wait for each other's gates taken in opposite
/// orders), and a `limit` larger than the pool's capacity is a compile error.
///
/// A pooled function that awaits another function on the same pool still deadlocks once the pool
/// is full: every holder waits for a second permit that only a holder can give back. Debug
/// builds panic at once instead; see [below](#recursion-the-macro-cannot-see).
///
/// ```
/// use bounded_async::{bounded, pool};
///
/// pool!(pub DB = 16);
///
/// #[bounded(pool = DB)]
/// async fn load_order(id: u64) -> u64 {
///     id
/// }
///
/// /// Heavy: at most 4 at once, and each also counts against the pool.
/// #[bounded(pool = DB, limit = 4)]
/// async fn rebuild_index() {}
/// # futures::executor::block_on(async { load_order(1).await; rebuild_index().await; });
/// ```
///
/// ## `strategy`
///
/// `"all"` (the default) returns exactly the declared output: errors return as written and
/// panics unwind to the caller. `"settled"` needs a function that returns `Result<T, E>`; each
/// call returns `Outcome<T, E>` instead, and a panic in the body becomes `Outcome::Panicked`
/// (the permit is released either way):
///
/// ```
/// use bounded_async::{Outcome, bounded};
///
/// #[bounded(limit = 4, strategy = "settled")]
/// async fn charge(cents: u64) -> Result<u64, String> {
///     if cents == 0 {
///         return Err("nothing to charge".to_owned());
///     }
///     assert!(cents < 1_000_000, "suspiciously large charge");
///     Ok(cents)
/// }
///
/// # futures::executor::block_on(async {
/// assert!(matches!(charge(250).await, Outcome::Ok(250)));
/// assert!(charge(0).await.is_err());
/// # std::panic::set_hook(Box::new(|_| {}));
/// assert!(charge(5_000_000).await.is_panicked());
/// # });
/// ```
///
/// A `Result` under another name, such as `io::Result<T>`, returns
/// [`SettledOf<io::Result<T>>`](https://docs.rs/bounded-async/latest/bounded_async/type.SettledOf.html),
/// which is that `Outcome`, and is what the docs of the function show.
///
/// `"join"`, `"any"` and `"race"` choose among many futures and belong to `join_bounded!`; here
/// they are compile errors.
///
/// ## `wait`, `queue`, `timeout` and `max`: bounded waiting, load shedding and run timeouts
///
/// Without these keys a call waits for its permit as long as it takes, in FIFO order. With
/// them, the function's gate can turn a call away:
///
/// | key | value | a call is turned away |
/// |---|---|---|
/// | `queue` | a count, 0 or more | when `queue` calls already wait for a permit: at once, with `Reason::QueueFull`. `queue = 0` never waits (load shedding) |
/// | `wait` | a duration, `"250ms"`, `"1m30s"` | when it has waited `wait` and is still not admitted: `Reason::WaitElapsed` |
/// | `timeout` | a duration | when its body is still running `timeout` after it was admitted: the body is dropped and its permit given back at once, `Reason::TimedOut` |
///
/// `max` (a constant, at least the limit) is the highest the limit can be raised to at run
/// time; it turns no call away. `queue` and `max` shape the function's own gate, so they need a
/// `limit`; `wait` and `timeout` may also go on a pool member without one.
///
/// The function's own gate (the one its `limit` declares) is in the registry once the function
/// has been called: `bounded_async::gate("my_app::client::fetch_user")` finds it by its
/// `module_path!()` and name (a method adds `@file:line`, see `bounded_async::gate`), to read
/// its `stats()` or raise its limit up to `max` with `set_limit`.
///
/// Durations are checked at compile time: a number and a unit (`ns`, `us`, `ms`, `s`, `m`,
/// `h`), units combined largest first (`"1m30s"`). A missing or unknown unit, a fraction
/// (`"1.5s"` is written `"1s500ms"`), zero, and `wait = "0s"` (write `queue = 0`) are compile
/// errors that show the right spelling. The timers are tokio's, from the default feature
/// `tokio`, so they follow `tokio::time::pause()` and need a tokio runtime with its timer
/// enabled when a call has to wait or runs past its first poll; without the feature, `wait`
/// and `timeout` are compile errors that name it.
///
/// A call turned away has to be reported, so a function with any of these keys returns
/// `Result<T, E>` with `E: From<Rejected>`, and a rejection returns `Err(E::from(rejected))`.
/// `anyhow::Error` and `Box<dyn Error + Send + Sync>` already qualify, a thiserror enum needs a
/// `#[error(transparent)] Rejected(#[from] Rejected)` variant, and another return type is a
/// compile error at the key. Under `strategy = "settled"`, a rejection is `Outcome::Rejected`.
///
/// ```
/// use bounded_async::{Reason, Rejected, bounded};
///
/// #[derive(Debug)]
/// enum FetchError {
///     Busy(Rejected),
/// }
///
/// impl From<Rejected> for FetchError {
///     fn from(rejected: Rejected) -> Self {
///         FetchError::Busy(rejected)
///     }
/// }
///
/// // Two at a time; a third caller is turned away at once rather than queued.
/// #[bounded(limit = 2, queue = 0)]
/// async fn fetch(id: u64, done: &tokio::sync::Notify) -> Result<u64, FetchError> {
///     done.notified().await;
///     Ok(id)
/// }
///
/// // At most 250 ms in line and 2 s running; one more waiter than that is refused.
/// #[bounded(limit = 8, queue = 64, wait = "250ms", timeout = "2s")]
/// async fn render(page: u64) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
///     Ok(format!("page {page}"))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let done = tokio::sync::Notify::new();
/// let (a, b, c) = tokio::join!(fetch(1, &done), fetch(2, &done), async {
///     let third = fetch(3, &done).await;
///     done.notify_waiters();
///     third
/// });
/// assert_eq!((a.unwrap(), b.unwrap()), (1, 2));
/// let FetchError::Busy(rejected) = c.unwrap_err();
/// assert_eq!(rejected.reason(), Reason::QueueFull);
///
/// assert_eq!(render(7).await.unwrap(), "page 7");
/// # }
/// ```
///
/// ## `rate` and `burst`: pacing calls
///
/// `rate = "100/s"` lets at most that many calls through per period, paced smoothly: one every
/// `period / count` (here 10 ms), not 100 at the start of each second. A rate is a whole count,
/// `/`, and a period: a unit alone (`"5000/h"`) or a duration (`"3/250ms"`). `burst = 10`
/// (default 1) lets that many through at once after the gate was idle. Over any window of
/// length `T`, at most `burst + T × rate` calls go through.
///
/// A call takes its permit first and its rate slot last, so the times calls go through conform
/// to the rate. Waiting for a slot is waiting in the same first come, first served line as for a
/// permit, so `wait` and `queue` apply to it as to any wait. A rate alone turns no call away.
/// `rate` and `burst` shape the function's own gate, so they need a `limit`; on a pool, they
/// pace every member together. A rate read from configuration is set at run time with
/// `Gate::set_rate` (or `Pool::set_rate`), and a 429's `Retry-After` is honoured with
/// `pause_for`.
///
/// Rates are checked at compile time: a rate of 0, an unknown unit (with the right spelling),
/// a rate above one call per nanosecond, `burst = 0`, and `burst` without `rate` are compile
/// errors. The pacing is timed by tokio's clock (the `tokio` feature), so it follows
/// `tokio::time::pause()`.
///
/// ```
/// use std::time::Duration;
/// use bounded_async::bounded;
///
/// /// At most 20 in flight, and 50 a second, 5 at once after a quiet spell.
/// #[bounded(limit = 20, rate = "50/s", burst = 5)]
/// async fn send(id: u32) -> u32 {
///     id
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// let sent = futures::future::join_all((0..7).map(send)).await;
/// assert_eq!(sent, [0, 1, 2, 3, 4, 5, 6]);
/// // The burst of 5 at once, then one every 20 ms.
/// assert_eq!(start.elapsed(), Duration::from_millis(40));
/// # }
/// ```
///
/// ## `crate`
///
/// The path to `bounded_async`, for code that re-exports it under another name:
///
/// ```
/// mod deps {
///     pub use ::bounded_async as concurrency;
/// }
///
/// #[deps::concurrency::bounded(limit = 2, crate = "deps::concurrency")]
/// async fn fetch() {}
/// # futures::executor::block_on(fetch());
/// ```
///
/// # With other attributes
///
/// Write `#[bounded]` above `#[tracing::instrument]` to put the wait for a permit inside the
/// span (below it, the span starts once the permit is held), and above `#[tokio::main]` or
/// `#[tokio::test]`, which turn the `async fn` into a plain one (the other order is a compile
/// error that says so).
///
/// In an `#[async_trait]` impl, `#[bounded]` goes on the methods, as on any `async fn`: it
/// recognises the boxed future that async-trait makes of each method and bounds it, as
/// tracing-attributes does. `strategy = "settled"` is refused there, since the trait fixes the
/// return type.
///
/// ```
/// use async_trait::async_trait;
/// use bounded_async::bounded;
///
/// #[async_trait]
/// trait Store {
///     async fn load(&self, id: u64) -> u64;
/// }
///
/// struct Memory;
///
/// #[async_trait]
/// impl Store for Memory {
///     #[bounded(limit = 4)]
///     async fn load(&self, id: u64) -> u64 {
///         id
///     }
/// }
/// # futures::executor::block_on(async { assert_eq!(Memory.load(7).await, 7); });
/// ```
///
/// # Compile errors
///
/// Besides bad option values: a non-`async` function; a trait method without a body or a
/// function of an `extern` block; `#[bounded]` applied twice; and a function that calls
/// itself in its body, which could deadlock once every permit is held by a call waiting for
/// its own nested call. The macro sees `name(..)`, `Self::name(..)`, `self.name(..)`, and
/// `crate::`, `self::` and `super::` paths that lead to the function's own module. Calls
/// awaited in place (`name(..).await`) are never the function itself (rustc rejects an
/// `async fn` that awaits itself unboxed, E0733), so a wrapper of another function of the same
/// name is accepted, and so are closures, parameters and nested `fn`s named like the function.
///
/// # Recursion the macro cannot see
///
/// A proc macro cannot resolve paths, so recursion through `Type::name`, between two members
/// of one pool, or through `join_bounded!` of nested calls is caught at run time instead: in
/// debug builds (`debug_assertions` of the crate that uses `#[bounded]`), a task that holds a
/// permit of a gate and asks the same gate again panics at once, naming the gate, rather than
/// deadlocking the day the gate is full. Release builds do not check and pay nothing for it.
/// The check sees nested calls polled by the call itself; a nested call spawned onto another
/// task and awaited there is not caught.
///
/// ```should_panic
/// use bounded_async::{bounded, pool};
///
/// pool!(DB = 2);
///
/// #[bounded(pool = DB)]
/// async fn load_items(order: u64) -> u64 {
///     order
/// }
///
/// #[bounded(pool = DB)]
/// async fn load_order(order: u64) -> u64 {
///     // Holds a permit of DB while asking for another: with 2 such calls at once, both wait
///     // for each other. In debug builds this panics: "... asked for a permit of
///     // `my_app::DB` while this task already holds one ...".
///     Box::pin(load_items(order)).await
/// }
/// # assert!(cfg!(debug_assertions), "doc tests run with debug assertions");
/// # futures::executor::block_on(load_order(1));
/// ```
#[proc_macro_attribute]
pub fn bounded(args: TokenStream, item: TokenStream) -> TokenStream {
    bounded::expand(args.into(), item.into()).into()
}

/// The implementation of `bounded_async::pool!`, which calls it with `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn pool_impl(input: TokenStream) -> TokenStream {
    pool::expand(input.into()).into()
}
