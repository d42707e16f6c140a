//! The `macro_rules!` wrappers that hand `$crate` to the procedural macros.
//!
//! Kept apart from `lib.rs` so that the crate docs can change without moving these lines, which
//! the compile-fail tests' expected output mentions.

/// Runs futures with at most `limit` in flight at once, and collects their outputs with a
/// strategy.
///
/// Like `tokio::join!`, it awaits internally, so it is used inside async code and evaluates to
/// the result. It spawns nothing, so the futures may borrow from the enclosing scope, and it
/// works on any executor.
///
/// # Forms
///
/// **A list of futures** gives a tuple of their outputs, which may be of different types. The
/// futures are created up front, in order (as with `tokio::join!`), and run at most `limit` at
/// a time in list order:
///
/// ```
/// # use bounded_async::join_bounded;
/// # async fn load_config() -> u32 { 1 }
/// # async fn load_user() -> String { "ann".into() }
/// # async fn load_flags() -> Vec<bool> { vec![true] }
/// # futures::executor::block_on(async {
/// let (config, user, flags) = join_bounded!(limit = 2; load_config(), load_user(), load_flags());
/// # assert_eq!((config, user.as_str(), flags), (1, "ann", vec![true]));
/// # });
/// ```
///
/// **An iterator**, written `for PATTERN in ITERABLE => FUTURE`, gives a `Vec` in input order.
/// Items are pulled lazily, only when a slot is free, so at most `limit` futures exist at once:
///
/// ```
/// # use bounded_async::join_bounded;
/// # async fn fetch(id: u64) -> u64 { id }
/// # futures::executor::block_on(async {
/// let ids = vec![3, 1, 2];
/// let pages = join_bounded!(limit = 16; for id in ids => fetch(id));
/// assert_eq!(pages, [3, 1, 2]);
///
/// // Patterns destructure items; futures may borrow local state.
/// let base = String::from("https://example.com");
/// let base = &base;
/// let urls = join_bounded!(limit = 4; for (i, path) in ["/a", "/b"].into_iter().enumerate() =>
///     async move { format!("{i}: {base}{path}") });
/// assert_eq!(urls, ["0: https://example.com/a", "1: https://example.com/b"]);
/// # });
/// ```
///
/// **A stream**, written `for await PATTERN in STREAM => FUTURE`, is taken where an iterator
/// is: any [`Stream`](https://docs.rs/futures/latest/futures/stream/trait.Stream.html), `Unpin`
/// or not (a paginated API, a database cursor, lines being read, a channel). It is pulled only
/// when a slot is free, and while it has no item ready, the futures in flight go on being
/// polled. It may end, or never end under `"any"` and `"race"`, which stop at their answer. A
/// stream given to `for`, or an iterator to `for await`, is a compile error that says which
/// form to use; a tokio `mpsc::Receiver` is not a `Stream` until it is wrapped in
/// `tokio_stream::wrappers::ReceiverStream` (or `futures::stream::unfold`, as below).
///
/// ```
/// # use bounded_async::join_bounded;
/// # async fn fetch(id: u64) -> u64 { id * 10 }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (sender, mut receiver) = tokio::sync::mpsc::channel::<u64>(16);
/// tokio::spawn(async move {
///     for id in 0..100 {
///         sender.send(id).await.unwrap();
///     }
/// });
/// let ids = futures::stream::unfold(&mut receiver, |r| async move { Some((r.recv().await?, r)) });
/// let pages = join_bounded!(limit = 8; for await id in ids => fetch(id));
/// assert_eq!(pages.len(), 100);
/// # }
/// ```
///
/// To take the outputs as they come rather than all at once, see
/// [`stream_bounded!`](crate::stream_bounded).
///
/// # Options
///
/// ## `limit` (required)
///
/// How many futures may run at once. A literal or a constant (a path in `SCREAMING_SNAKE_CASE`,
/// or arithmetic on literals and such constants) is checked at compile time: 0 is an error.
/// Any other expression is a limit read at run time, of type `usize` (0 panics, naming this
/// macro) or [`NonZeroUsize`](std::num::NonZeroUsize):
///
/// ```
/// # use bounded_async::join_bounded;
/// const MAX_CONNS: usize = 8;
///
/// # futures::executor::block_on(async {
/// let a = join_bounded!(limit = 4; for n in 0..3 => async move { n });
/// let b = join_bounded!(limit = MAX_CONNS / 2; for n in 0..3 => async move { n });
/// let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
/// let c = join_bounded!(limit = jobs; for n in 0..3 => async move { n });
/// assert_eq!((a, b), (c.clone(), c));
/// # });
/// ```
///
/// When the compiler checks a constant depends on how it is named, since a bare name may be a
/// const generic parameter, which the macro cannot tell from a constant:
///
/// - literals, and constants named by a path (`config::MAX_CONNS / 2`), are checked even by
///   `cargo check`;
/// - a constant named by a bare name (`MAX_CONNS`, or a const generic `N` or `CAPACITY`) or
///   through `Self` is evaluated where generics are visible, in an inline `const` block: rustc
///   checks it when it compiles the function (`cargo build`, and once per instantiation for a
///   generic function), not under `cargo check`.
///
/// ```
/// # use bounded_async::join_bounded;
/// struct Crawler<const CAPACITY: usize>;
///
/// impl<const CAPACITY: usize> Crawler<CAPACITY> {
///     async fn crawl(&self, pages: &[&str]) -> Vec<usize> {
///         join_bounded!(limit = CAPACITY; for page in pages => async move { page.len() })
///     }
/// }
/// # futures::executor::block_on(async {
/// assert_eq!(Crawler::<2>.crawl(&["a", "bc"]).await, [1, 2]);
/// # });
/// ```
///
/// Either way, 0 does not compile:
///
/// ```compile_fail
/// # use bounded_async::join_bounded;
/// const MAX_CONNS: usize = 0;
///
/// # futures::executor::block_on(async {
/// let v = join_bounded!(limit = MAX_CONNS; for n in 0..2 => async move { n });
/// # });
/// ```
///
/// ## `strategy` (default `"join"`)
///
/// How outputs are collected, after JavaScript's `Promise` combinators. See the table in the
/// [crate documentation](crate#join_bounded).
///
/// `"join"` collects every output, errors included as plain values:
///
/// ```
/// # use bounded_async::join_bounded;
/// # futures::executor::block_on(async {
/// let outputs = join_bounded!(limit = 2; for n in 0..4_u8 => async move { n.checked_sub(1) });
/// assert_eq!(outputs, [None, Some(0), Some(1), Some(2)]);
/// # });
/// ```
///
/// `"all"` (`Promise.all`) returns every `Ok` value, or the first `Err` at once, dropping the
/// futures still in flight and pulling no more items:
///
/// ```
/// # use bounded_async::join_bounded;
/// async fn parse(s: &str) -> Result<u8, std::num::ParseIntError> { s.parse() }
///
/// # futures::executor::block_on(async {
/// let ok = join_bounded!(limit = 2, strategy = "all"; for s in ["1", "2"] => parse(s));
/// assert_eq!(ok, Ok(vec![1, 2]));
/// let failed = join_bounded!(limit = 2, strategy = "all"; for s in ["1", "x", "3"] => parse(s));
/// assert!(failed.is_err());
/// let tuple = join_bounded!(limit = 2, strategy = "all"; parse("7"), async { Ok(true) });
/// assert_eq!(tuple, Ok((7, true)));
/// # });
/// ```
///
/// `"settled"` (`Promise.allSettled`) records every result and every panic as an [`Outcome`](crate::Outcome);
/// nothing is thrown away:
///
/// ```
/// # use bounded_async::{join_bounded, Outcome};
/// async fn parse(s: &str) -> Result<u8, std::num::ParseIntError> { s.parse() }
///
/// # futures::executor::block_on(async {
/// let report = join_bounded!(limit = 2, strategy = "settled"; for s in ["1", "x", "3"] => parse(s));
/// assert_eq!(report.to_string(), "2 succeeded, 1 failed, 0 panicked");
/// assert_eq!(report.successes().copied().collect::<Vec<_>>(), [1, 3]);
///
/// let (a, b) = join_bounded!(limit = 2, strategy = "settled"; parse("1"), async { Err::<(), _>("no") });
/// assert!(matches!((a, b), (Outcome::Ok(1), Outcome::Err("no"))));
/// # });
/// ```
///
/// `"any"` (`Promise.any`) returns the first `Ok` to arrive and drops the rest; when all fail,
/// every error in input order:
///
/// ```
/// # use bounded_async::join_bounded;
/// async fn parse(s: &str) -> Result<u8, std::num::ParseIntError> { s.parse() }
///
/// # futures::executor::block_on(async {
/// let first = join_bounded!(limit = 2, strategy = "any"; for s in ["x", "2", "3"] => parse(s));
/// assert_eq!(first, Ok(2));
/// let none = join_bounded!(limit = 2, strategy = "any"; parse("x"), parse("y"));
/// assert_eq!(none.unwrap_err().len(), 2);
/// # });
/// ```
///
/// `"race"` (`Promise.race`) returns the first output to arrive, whatever it is, and drops the
/// rest. The iterator form returns `None` for an empty input:
///
/// ```
/// # use bounded_async::join_bounded;
/// # futures::executor::block_on(async {
/// let first = join_bounded!(limit = 2, strategy = "race"; async { "ready" }, std::future::pending());
/// assert_eq!(first, "ready");
/// let none = join_bounded!(limit = 2, strategy = "race"; for n in 0..0 => async move { n });
/// assert_eq!(none, None);
/// # });
/// ```
///
/// ## `rate` and `burst`
///
/// Paces the starts of the join's futures: `rate = "50/s"` starts one every 20 ms, `burst = 5`
/// (default 1) lets that many start at once at the beginning. A literal rate is checked at
/// compile time, as for `#[bounded]`; a rate read at run time is a
/// [`Rate`](crate::Rate) value (`rate = Rate::per_second(n)`, its burst set with
/// [`with_burst`](crate::Rate::with_burst)). An item is pulled only when a slot is free and a
/// start is due, so the limit and the rate hold together, and the join ends when its last
/// future does. The pace is timed by tokio's clock (the `tokio` feature), so it follows
/// `tokio::time::pause()`, and a paced join runs inside a tokio runtime.
///
/// ```
/// use std::time::Duration;
/// use bounded_async::join_bounded;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// let sent = join_bounded!(limit = 20, rate = "50/s", burst = 2; for id in 0..4 => async move {
///     (id, start.elapsed())
/// });
/// let at: Vec<_> = sent.iter().map(|(_, at)| at.as_millis()).collect();
/// assert_eq!(at, [0, 0, 20, 40]);
/// # }
/// ```
///
/// ## `timeout`
///
/// `timeout = "2s"` gives each future at most that long from its start. A future still running
/// then is dropped, its slot taken by the next item, and it comes back as its strategy carries
/// a rejection, a [`Rejected`](crate::Rejected) with [`Reason::TimedOut`](crate::Reason) that
/// names the macro and where it is written:
///
/// | strategy | a timed-out future gives |
/// |---|---|
/// | `"settled"` | `Outcome::Rejected` |
/// | `"all"`, `"any"` | `Err(E::from(rejected))`: `E` must implement `From<Rejected>`, checked at compile time |
/// | `"join"`, `"race"` | `Err(rejected)`: each output becomes `Result<T, Rejected>` |
///
/// The duration is written as for `#[bounded]` (`"250ms"`, `"1m30s"`) and checked at compile
/// time. Like `rate`, it needs the `tokio` feature and runs on a tokio runtime, whose clock it
/// follows. A future that finishes in time never starts the timer.
///
/// ```
/// use bounded_async::{Outcome, join_bounded};
/// use std::time::Duration;
///
/// async fn fetch(ms: u64) -> Result<u64, anyhow::Error> {
///     tokio::time::sleep(Duration::from_millis(ms)).await;
///     Ok(ms)
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let pages = join_bounded!(limit = 4, timeout = "1s"; for ms in [10, 5_000] => fetch(ms));
/// assert_eq!(pages[0].as_ref().ok().and_then(|page| page.as_ref().ok()), Some(&10));
/// println!("{}", pages[1].as_ref().unwrap_err()); // join_bounded! at src/main.rs:12: still running after 1s, ...
///
/// let all = join_bounded!(limit = 4, strategy = "all", timeout = "1s"; for ms in [10, 5_000] => fetch(ms));
/// assert!(all.is_err());
///
/// let settled = join_bounded!(limit = 4, strategy = "settled", timeout = "1s"; for ms in [10, 5_000] => fetch(ms));
/// assert!(matches!(settled[1], Outcome::Rejected(_)));
/// println!("{settled}"); // 1 succeeded, 0 failed, 0 panicked, 1 rejected
/// # }
/// ```
///
/// ## `progress`
///
/// `progress = CALLBACK` calls an `FnMut(&`[`Progress`](crate::Progress)`)` after each future
/// finishes, on the join's own task (so it may borrow, and need not be `Send`): how many
/// finished and failed, how many are in flight, the total when the input's length is exact (a
/// range, a `Vec`, an array), and the time since the join started. The crate draws nothing
/// itself; print a line, move a progress bar, or log every thousandth. A join without the key
/// counts nothing. It applies to the iterator form: a list of futures is a compile error.
///
/// ```
/// use bounded_async::{Progress, join_bounded};
///
/// async fn fetch(id: u32) -> Result<u32, String> {
///     if id % 10 == 7 { Err(format!("{id} not found")) } else { Ok(id) }
/// }
///
/// # futures::executor::block_on(async {
/// let report = join_bounded!(limit = 8, strategy = "settled", progress = |p: &Progress| {
///     if p.done() % 25 == 0 {
///         eprintln!("{p}"); // 25/100 (2 failed), 1 in flight
///     }
/// }; for id in 0..100 => fetch(id));
/// assert_eq!(report.errors().count(), 10);
/// # });
/// ```
///
/// ## `crate`
///
/// The path to this crate, for code that re-exports it under another name:
///
/// ```
/// mod deps {
///     pub(crate) use ::bounded_async as concurrency;
/// }
///
/// # futures::executor::block_on(async {
/// let v = bounded_async::join_bounded!(limit = 2, crate = "deps::concurrency"; for n in 0..2 => async move { n });
/// assert_eq!(v, [0, 1]);
/// # });
/// ```
#[macro_export]
macro_rules! join_bounded {
    ($($input:tt)*) => {
        $crate::__private::join_bounded_impl!([$crate] $($input)*)
    };
}

/// Declares a pool: a `static` [`Pool`](crate::Pool) of permits that several functions share
/// (a bulkhead), named by `#[bounded(pool = NAME)]`.
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
/// #[bounded(pool = DB, limit = 4)]
/// async fn rebuild_index() {}
///
/// # futures::executor::block_on(async {
/// load_order(7).await;
/// rebuild_index().await;
/// assert_eq!((DB.capacity(), DB.in_flight(), DB.waiting()), (16, 0, 0));
/// # });
/// ```
///
/// The capacity is any constant `usize` expression (`16`, `MAX_CONNS`, `config::MAX / 2`; for a
/// `NonZeroUsize` constant, `N.get()`), checked at compile time like a `limit`: 0 is an error.
/// It is the argument of the pool's type as written, so the docs show `Pool<16>`. Attributes
/// and the visibility are kept; write doc comments inside the macro, where they document the
/// pool (outside, rustc would warn that they document nothing):
///
/// ```
/// bounded_async::pool!(
///     /// The database: at most 16 connections.
///     pub DB = 16
/// );
/// # fn main() { assert_eq!(DB.capacity(), 16); }
/// ```
///
/// # Keys
///
/// After the capacity, a pool takes the gate's keys, as `#[bounded]` does: `queue`, `wait`,
/// `timeout`, `max`, `rate` and `burst` (see [`bounded`](macro@crate::bounded) for each). They
/// apply to every call that takes the pool's permit, so a pool's `rate` paces all its members
/// together; where a member sets `wait` or `timeout` too, the shorter one applies. A pool with
/// `queue`, `wait` or `timeout` can turn its members' calls away, and says so in its type,
/// `Pool<CAPACITY, MAX, true>`: every member must then return `Result<T, E>` with
/// `E: From<Rejected>` (or be "settled"), which the compiler checks at each member's
/// `pool = ..`. A member's `limit` may go up to the pool's `max`.
///
/// A pool's `rate` is declared in its type too, as the nanoseconds between two admissions:
/// `pool!(pub PARTNER = 20, rate = "50/s")` is a `Pool<20, 20, false, 20000000>`. A member's own
/// `rate` may be as fast as the pool's and no faster, which the compiler checks at the member's
/// `rate`:
///
/// ```
/// use bounded_async::{Pool, bounded, pool};
///
/// pool!(pub PARTNER = 20, rate = "50/s");
///
/// // At most 20 searches a second, out of the partner's 50.
/// #[bounded(pool = PARTNER, limit = 8, rate = "20/s")]
/// async fn search(query: &str) -> usize {
///     query.len()
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let _: &Pool<20, 20, false, 20_000_000> = &PARTNER;
/// assert_eq!(search("bounded").await, 7);
/// # }
/// ```
///
/// ```compile_fail
/// # use bounded_async::{bounded, pool};
/// pool!(pub PARTNER = 20, rate = "50/s");
///
/// // error: `rate` is faster than its `pool`'s rate, so it could never be reached
/// #[bounded(pool = PARTNER, limit = 8, rate = "100/s")]
/// async fn search(query: &str) -> usize {
///     query.len()
/// }
/// # fn main() {}
/// ```
///
/// # Fleet-wide pools (feature `redis`)
///
/// `backend = "redis"` shares the pool's permits with every process that declares the same pool
/// and connects it to the same Redis: `pool!(pub PARTNER = 50, backend = "redis", lease = "30s")`
/// admits 50 calls at once across the whole fleet, where a plain pool admits 50 per replica.
/// Connect it once at start-up with the `redis` crate's connection (a `ConnectionManager` or a
/// `MultiplexedConnection`), on the tokio runtime that lives as long as the process:
///
/// ```no_run
/// # #[cfg(feature = "redis")]
/// # mod fleet {
/// use bounded_async::{Rejected, bounded, pool};
///
/// pool!(pub PARTNER = 50, backend = "redis", lease = "30s", wait = "5s");
///
/// #[bounded(pool = PARTNER)]
/// async fn search(query: &str) -> Result<usize, Rejected> {
///     Ok(query.len())
/// }
///
/// #[tokio::main]
/// async fn main() -> anyhow::Result<()> {
///     let client = redis::Client::open("redis://127.0.0.1/")?;
///     PARTNER.connect(redis::aio::ConnectionManager::new(client).await?).await?;
///     search("bounded").await?;
///     // Before exiting: the last calls' permits go back to the fleet now.
///     PARTNER.flush().await;
///     Ok(())
/// }
/// # }
/// # fn main() {}
/// ```
///
/// - A permit is a lease of `lease` (default 30 s; at least 1 s, and longer than the pool's
///   `wait`), renewed by the pool every third of a lease while its call runs. If the process
///   dies, its permits come back when their leases end. A lease that could not be renewed in
///   time (Redis stopped, or restarted without its state) is reported: counted in
///   [`Stats`](crate::Stats)' `rejected.leases_lost`, by the `metrics` feature's
///   `bounded_async_leases_lost_total` and by a `tracing` `WARN`, once each, also when the
///   reply of the renewal that found it was lost on the way. The call's result is still
///   returned, and its lease is taken back in if the pool has room, so that it counts again.
/// - Waiters across the fleet are served in arrival order, by tickets that Redis hands out.
///   Connected with [`connect_client`](crate::Pool) (a `redis::Client`), a pool also subscribes
///   to its channel, and a permit given back anywhere wakes the waiter it goes to at once;
///   connected with a connection alone, waiters ask Redis again every few milliseconds.
///   Each process still holds at most the pool's capacity itself, so one process cannot flood
///   Redis with waiters.
/// - The pool can turn calls away, so its members return `Result<T, E>` with
///   `E: From<Rejected>`: with [`Reason::Backend`](crate::Reason::Backend) when Redis cannot be
///   reached (at once without a `wait`, when it runs out with one), or when a call comes before
///   `connect`.
/// - The Redis keys are named after the pool (`{bounded-async:my_app::PARTNER}:holders`, and
///   `:waiters`, `:seen`, `:ticket`, and `:lost:<process>` for a process's reports of leases
///   lost until it has counted them), in one hash tag, so Redis Cluster runs the scripts; they
///   expire within two leases of their last use. Every decision is one Lua script, timed by Redis's
///   own clock.
/// - A call that ends gives its lease back at once, through a task of the pool;
///   [`flush`](crate::Pool), awaited before the process exits, waits until those of the
///   calls that have ended have reached Redis.
/// - Without the feature, `backend = "redis"` is a compile error that names it.
///
/// The pool is named by its module and its name (`my_app::DB`), and is listed under that name in
/// [`gates`](crate::gates) once it has been used (a call, a permit taken or `set_limit`).
///
/// ```
/// use bounded_async::{Pool, bounded, pool};
///
/// pool!(
///     /// The database: 16 connections, raised to 64 at most from configuration; at most 128
///     /// calls in line, for at most a second each.
///     pub DB = 16, max = 64, queue = 128, wait = "1s"
/// );
///
/// #[bounded(pool = DB)]
/// async fn load_order(id: u64) -> anyhow::Result<u64> {
///     Ok(id)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let _: &Pool<16, 64, true> = &DB;
/// DB.set_limit(32)?;
/// assert_eq!(load_order(7).await?, 7);
/// assert_eq!((DB.limit(), DB.stats().admitted), (32, 1));
/// let listed = bounded_async::gate(concat!(module_path!(), "::DB")).expect("used, so listed");
/// assert_eq!(listed.limit(), 32);
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! pool {
    ($($input:tt)*) => {
        $crate::__private::pool_impl!([$crate] $($input)*);
    };
}

/// Runs futures with at most `limit` in flight at once, and returns a
/// [`Stream`](https://docs.rs/futures/latest/futures/stream/trait.Stream.html) of their outputs as they come: in input order, or as they
/// finish.
///
/// ```
/// use bounded_async::stream_bounded;
/// use futures::StreamExt;
///
/// async fn fetch(id: u32) -> String {
///     format!("record {id}")
/// }
///
/// # futures::executor::block_on(async {
/// let mut records = stream_bounded!(limit = 8; for id in 0..1_000 => fetch(id));
/// while let Some(record) = records.next().await {
///     println!("{record}"); // written out as it comes: record 0, record 1, ...
/// }
/// # });
/// ```
///
/// It is [`join_bounded!`]'s driver without the collecting: the same lazy pull (an item is
/// taken from the input only when a slot is free, so at most `limit` futures exist at once), the
/// same slot refilled as soon as its future finishes, and the same keys but `strategy`: every
/// output is handed on, errors and all, and a future's panic propagates to the poll that met it.
///
/// # Keys
///
/// | key | value |
/// |---|---|
/// | `limit` | required: how many futures run at once, any `usize` or `NonZeroUsize` expression; 0 is a compile error when constant, a panic naming the macro when read at run time |
/// | `order` | `"input"` (the default): each output as soon as it and every earlier one finished, with at most `limit` finished outputs waiting for an earlier one; `"completion"`: each output as it finishes |
/// | `timeout` | a future still running that long after its start is dropped, and its item is `Err(Rejected)`: the stream's items become `Result<T, Rejected>`, as in [`join_bounded!`]'s `"join"` |
/// | `rate`, `burst` | start the futures at most at this rate, as in [`join_bounded!`] |
/// | `progress` | an `FnMut(&Progress)` called after each future finishes, as in [`join_bounded!`] |
/// | `crate` | the path to this crate, for a re-export under another name |
///
/// ```
/// use std::time::Duration;
/// use bounded_async::stream_bounded;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let delays = [30, 10, 20];
/// let finished: Vec<u64> = stream_bounded!(limit = 3, order = "completion";
///     for ms in delays => async move {
///         tokio::time::sleep(Duration::from_millis(ms)).await;
///         ms
///     })
/// .collect()
/// .await;
/// assert_eq!(finished, [10, 20, 30]);
/// # }
/// ```
///
/// # Inputs
///
/// `for PAT in ITER => FUTURE` takes an iterator; `for await PAT in STREAM => FUTURE` takes any
/// [`Stream`](https://docs.rs/futures/latest/futures/stream/trait.Stream.html), `Unpin` or not: a paginated API, a database cursor, lines
/// being read, a channel. The stream is pulled only when a slot is free, and while it has no
/// item ready the futures in flight go on being polled. It may end, or never end.
///
/// ```
/// use bounded_async::stream_bounded;
/// use futures::{StreamExt, channel::mpsc};
///
/// # futures::executor::block_on(async {
/// let (sender, ids) = mpsc::unbounded::<u32>();
/// for id in 1..=3 {
///     sender.unbounded_send(id).unwrap();
/// }
/// drop(sender);
/// let squares: Vec<u32> =
///     stream_bounded!(limit = 2; for await id in ids => async move { id * id }).collect().await;
/// assert_eq!(squares, [1, 4, 9]);
/// # });
/// ```
///
/// # A stream runs only while it is polled
///
/// The futures in flight make progress only inside the stream's `poll_next`. While the consumer
/// is busy with an output (writing it out, acknowledging a message), they wait with it, timers
/// and sockets included, and a slow consumer slows every future down. When the per-output work
/// is slow, either move it into the futures and collect with [`join_bounded!`]:
///
/// ```
/// # async fn fetch(id: u32) -> String { format!("record {id}") }
/// # async fn write_out(_: &str) {}
/// # futures::executor::block_on(async {
/// // Each future fetches and writes; nothing waits on a consumer.
/// bounded_async::join_bounded!(limit = 8; for id in 0..100 => async move {
///     let record = fetch(id).await;
///     write_out(&record).await;
/// });
/// # });
/// ```
///
/// or spawn the consumer and hand it the outputs through a channel, so that the stream is
/// polled again at once:
///
/// ```
/// use bounded_async::stream_bounded;
/// use futures::StreamExt;
///
/// # async fn fetch(id: u32) -> String { format!("record {id}") }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (sender, mut receiver) = tokio::sync::mpsc::channel::<String>(64);
/// let writer = tokio::spawn(async move {
///     while let Some(record) = receiver.recv().await {
///         // a slow write here no longer holds the fetches back
///         # let _ = record;
///     }
/// });
/// let mut records = stream_bounded!(limit = 8; for id in 0..100 => fetch(id));
/// while let Some(record) = records.next().await {
///     sender.send(record).await.expect("the writer runs until the channel closes");
/// }
/// drop(sender);
/// writer.await.unwrap();
/// # }
/// ```
///
/// Dropping the stream drops every future in flight at once and pulls nothing more.
/// [`JoinBounded::stream`](crate::JoinBounded::stream) and
/// [`stream_unordered`](crate::JoinBounded::stream_unordered) are the same stream, for limits
/// and inputs chosen at run time.
#[macro_export]
macro_rules! stream_bounded {
    ($($input:tt)*) => {
        $crate::__private::stream_bounded_impl!([$crate] $($input)*)
    };
}
