//! The bounded join: at most `limit` futures in flight, pulled lazily from an iterator, outputs
//! collected by a strategy.

mod collect;
mod ordered;
mod pace;
mod progress;
mod slots;
mod source;
mod stream;
pub(crate) mod timeout;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem;
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread;

pub use collect::{
    AllCollector, AllOutput, AnyCollector, AnyOutput, Collector, JoinCollector, RaceCollector,
    SettledCollector, SettledOf, SettledOutput,
};

use crate::limit::IntoLimit;
use pace::Pace;
pub use progress::{NoProgress, OnProgress, Progress, Track};
use slots::{CHUNK, SlotId, Slots};
pub use source::{FromStream, Source};
pub use stream::{CompletionOrder, InputOrder, JoinStream, Order};

/// Polls of futures one poll of the join may make before it yields to its executor (after asking
/// to be polled again), so that a join of many ready or self-waking futures cannot starve the
/// other tasks of its thread.
const POLL_BUDGET: u32 = 128;

/// Runs the futures of `futures` with at most `limit` in flight at once.
///
/// This is [`join_bounded!`] without the macro, for limits read at run time and joins passed
/// around as values. The returned builder picks the strategy:
///
/// | method | returns | on `Err` | on panic |
/// |---|---|---|---|
/// | `.await` or [`.join()`](JoinBounded::join) | `Vec<T>` | kept as a value | propagates |
/// | [`.all()`](JoinBounded::all) | `Result<Vec<T>, E>` | returns at once, drops the rest | propagates |
/// | [`.settled()`](JoinBounded::settled) | [`Settled<T, E>`](crate::Settled) | recorded, the rest run | recorded |
/// | [`.any()`](JoinBounded::any) | `Result<T, Errors<E>>` | recorded; first `Ok` wins | propagates |
/// | [`.race()`](JoinBounded::race) | `Option<T>` | first to finish wins | propagates |
///
/// Items are pulled from `futures` only when a slot is free, so at most `limit` futures exist at
/// once whatever the input's length, and a finished future's slot is refilled at once, so
/// exactly `limit` are in flight while enough items remain. Outputs come back in input order.
/// Futures may borrow from the caller, and any executor can drive the join.
///
/// `limit` is a `usize` or a [`NonZeroUsize`].
///
/// # Panics
///
/// When `limit` is 0, which would never run anything.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// use bounded_async::join_bounded;
///
/// let jobs = std::env::var("JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(4_usize);
/// let doubled = join_bounded(jobs, (1..=5).map(|n| async move { n * 2 })).await;
/// assert_eq!(doubled, [2, 4, 6, 8, 10]);
///
/// let first_ok = join_bounded(jobs, ["x", "1", "2"].map(|s| async move { s.parse::<u8>() }))
///     .any()
///     .await;
/// assert_eq!(first_ok, Ok(1));
/// # });
/// ```
///
/// [`join_bounded!`]: https://docs.rs/bounded-async/latest/bounded_async/macro.join_bounded.html
#[track_caller]
pub fn join_bounded<I>(limit: impl IntoLimit, futures: I) -> JoinBounded<I::IntoIter>
where
    I: IntoIterator,
    I::Item: Future,
{
    let Some(limit) = limit.into_limit() else {
        panic!("join_bounded: `limit` is 0, so no future could ever run; it must be at least 1");
    };
    JoinBounded {
        limit,
        futures: futures.into_iter(),
        pace: None,
        progress: NoProgress,
    }
}

/// [`join_bounded`] over a [`Stream`](futures_util::Stream) of futures: a paginated API, a
/// database cursor, a channel, lines being read.
///
/// The stream is pulled only when a slot is free, exactly as an iterator would be. While it has
/// no item ready, the futures in flight go on being polled, and the stream wakes the join when
/// its next item comes. It may end, or never end under `"any"` and `"race"`, which stop at their
/// answer. Any stream is accepted, `Unpin` or not: it is pinned in one allocation of its own.
///
/// `join_bounded!(limit = 8; for await page in pages => fetch(page))` is this.
///
/// # Panics
///
/// When `limit` is 0, which would never run anything.
///
/// # Examples
///
/// ```
/// use bounded_async::join_bounded_stream;
/// use futures::{StreamExt, channel::mpsc};
///
/// # futures::executor::block_on(async {
/// let (ids, received) = mpsc::unbounded();
/// for id in 1..=5 {
///     ids.unbounded_send(id).unwrap();
/// }
/// drop(ids); // the input ends when the last sender is gone
///
/// let names = join_bounded_stream(2, received.map(|id| async move { format!("user {id}") })).await;
/// assert_eq!(names[4], "user 5");
/// # });
/// ```
#[track_caller]
pub fn join_bounded_stream<S>(limit: impl IntoLimit, futures: S) -> JoinBounded<FromStream<S>>
where
    S: futures_util::Stream,
    S::Item: Future,
{
    let Some(limit) = limit.into_limit() else {
        panic!(
            "join_bounded_stream: `limit` is 0, so no future could ever run; it must be at least 1"
        );
    };
    JoinBounded {
        limit,
        futures: FromStream::new(futures),
        pace: None,
        progress: NoProgress,
    }
}

/// A bounded join whose strategy is still to be chosen; see [`join_bounded`].
///
/// Awaiting it directly uses the default strategy, `"join"`: it is [`IntoFuture`], which
/// `.await` accepts. A function that takes a [`Future`] (`block_on`, `spawn`, `select!`) needs
/// the strategy chosen first; each strategy method returns the [`Join`] future, and
/// [`join`](JoinBounded::join) is the default's.
///
/// ```
/// use bounded_async::join_bounded;
///
/// let doubled = futures::executor::block_on(
///     join_bounded(2, (1..=3).map(|n| async move { n * 2 })).join(),
/// );
/// assert_eq!(doubled, [2, 4, 6]);
/// ```
///
/// The builder stays a plain value rather than a future itself, so that choosing a strategy
/// moves two fields and nothing else: a builder that was also a future would have to carry a
/// join's state for the strategy it might not use.
#[must_use = "a join does nothing until it is awaited"]
pub struct JoinBounded<I, P = NoProgress> {
    limit: NonZeroUsize,
    futures: I,
    pace: Option<Pace>,
    /// What it does when a future finishes: nothing, or call its `progress` callback.
    progress: P,
}

type Output<I> = <<I as Source>::Future as Future>::Output;

impl<I, P> JoinBounded<I, P>
where
    I: Source,
    P: Track,
{
    /// `strategy = "join"`: every output, in input order. Errors are values like any other;
    /// a panic propagates.
    pub fn join(self) -> Join<I, JoinCollector<Output<I>>, P> {
        self.with(JoinCollector::new)
    }

    /// `strategy = "all"`: every `Ok` value in input order, or the first `Err`, returned at
    /// once: the futures in flight are dropped and no further item is pulled.
    ///
    /// The futures must return `Result<T, E>`, and another output type is a compile error that
    /// says so. `T` and `E` are bound to that output, so they are always inferred from it.
    pub fn all<T, E>(self) -> Join<I, AllCollector<T, E>, P>
    where
        Output<I>: AllOutput<Ok = T, Err = E>,
    {
        self.with(AllCollector::new)
    }

    /// `strategy = "settled"`: every `Ok`, `Err` and panic as an [`Outcome`](crate::Outcome), in
    /// input order. A panic ends only the future that panicked; the rest run on.
    ///
    /// The futures must return `Result<T, E>`, as for [`all`](JoinBounded::all).
    pub fn settled<T, E>(self) -> Join<I, SettledCollector<T, E>, P>
    where
        Output<I>: SettledOutput<Ok = T, Err = E>,
    {
        self.with(SettledCollector::new)
    }

    /// `strategy = "any"`: the first `Ok` to arrive (the rest are dropped), or, when every future
    /// failed, every error in input order. An empty input gives an empty [`Errors`](crate::Errors).
    ///
    /// The futures must return `Result<T, E>`, as for [`all`](JoinBounded::all).
    pub fn any<T, E>(self) -> Join<I, AnyCollector<T, E>, P>
    where
        Output<I>: AnyOutput<Ok = T, Err = E>,
    {
        self.with(|_| AnyCollector::new())
    }

    /// `strategy = "race"`: the first output to arrive, whatever it is (the rest are dropped), or
    /// `None` for an empty input.
    pub fn race(self) -> Join<I, RaceCollector<Output<I>>, P> {
        self.with(|_| RaceCollector::new())
    }

    /// The join as a [`Stream`](futures_util::Stream) of its outputs in input order, each
    /// handed on as soon as it and every earlier one have finished: `stream_bounded!`'s default,
    /// `order = "input"`.
    ///
    /// It is as lazy as the join, and holds at most `limit` finished outputs that wait for an
    /// earlier one: item `i` is pulled only when `i` is at most `limit` past the next output to
    /// hand on. A future's panic propagates. It runs only while it is polled; see
    /// [`JoinStream`] for what that means for a slow consumer.
    ///
    /// ```
    /// use bounded_async::join_bounded;
    /// use futures::StreamExt;
    ///
    /// # futures::executor::block_on(async {
    /// let mut lines = join_bounded(4, (1..=3).map(|n| async move { format!("line {n}") })).stream();
    /// while let Some(line) = lines.next().await {
    ///     println!("{line}"); // line 1, line 2, line 3
    /// }
    /// # });
    /// ```
    pub fn stream(self) -> JoinStream<I, InputOrder<Output<I>>, P> {
        let limit = self.limit.get();
        JoinStream::new(self.with(|_| InputOrder::new(limit)))
    }

    /// The join as a [`Stream`](futures_util::Stream) of its outputs in the order they finish:
    /// `stream_bounded!(order = "completion", ..)`.
    ///
    /// A finished future's slot takes the next item at once; the outputs that finish during one
    /// poll (at most `limit`) are handed on one by one after it. A future's panic propagates. It
    /// runs only while it is polled; see [`JoinStream`].
    ///
    /// ```
    /// use bounded_async::join_bounded;
    /// use futures::StreamExt;
    ///
    /// # futures::executor::block_on(async {
    /// let mut sizes = join_bounded(4, (1..=3).map(|n| async move { n * 10 })).stream_unordered();
    /// let mut total = 0;
    /// while let Some(size) = sizes.next().await {
    ///     total += size;
    /// }
    /// assert_eq!(total, 60);
    /// # });
    /// ```
    pub fn stream_unordered(self) -> JoinStream<I, CompletionOrder<Output<I>>, P> {
        let limit = self.limit.get();
        JoinStream::new(self.with(|_| stream::completion_order(limit)))
    }

    /// The same join, starting its futures at most at `rate`: one per
    /// [`interval`](crate::Rate::interval), `rate.burst()` at once at the start. The input is pulled
    /// only when a start is due and a slot is free, so the limit and the rate hold together. The
    /// rate is timed by tokio's clock (feature `tokio`), so it follows `tokio::time::pause()`,
    /// and a paced join must run inside a tokio runtime.
    ///
    /// `join_bounded!(limit = 20, rate = "50/s"; ...)` is this, with the rate checked at
    /// compile time; a rate read at run time is passed as a [`Rate`](crate::Rate).
    ///
    /// ```
    /// use std::time::Duration;
    /// use bounded_async::{Rate, join_bounded};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let start = tokio::time::Instant::now();
    /// let started = join_bounded(8, (0..5).map(|_| async { start.elapsed() }))
    ///     .rate(Rate::per_second(10))
    ///     .await;
    /// assert_eq!(started, [0, 100, 200, 300, 400].map(Duration::from_millis));
    /// # }
    /// ```
    #[cfg(feature = "tokio")]
    pub fn rate(mut self, rate: crate::Rate) -> Self {
        self.pace = Some(Pace::new(rate));
        self
    }

    /// The same join, calling `progress` after each future finishes, on the join's own task,
    /// with a [`Progress`]: how many finished and failed, how many are still in flight, the
    /// total when the input's size hint is exact (a range, a `Vec`, an array), and the time
    /// since the join was first polled.
    ///
    /// `join_bounded!(limit = 8, progress = |p| ...; for ..)` is this. A join without it counts
    /// nothing and calls nothing.
    ///
    /// ```
    /// use bounded_async::{Progress, join_bounded};
    ///
    /// # futures::executor::block_on(async {
    /// let mut last = None;
    /// let doubled = join_bounded(4, (1..=100).map(|n| async move { n * 2 }))
    ///     .progress(|progress: &Progress| last = Some(*progress))
    ///     .await;
    /// assert_eq!(doubled.len(), 100);
    /// let last = last.expect("called");
    /// assert_eq!((last.done(), last.total(), last.in_flight()), (100, Some(100), 0));
    /// println!("{last} in {:?}", last.elapsed()); // 100/100, 0 in flight in 41µs
    /// # });
    /// ```
    pub fn progress<F>(self, progress: F) -> JoinBounded<I, OnProgress<F>>
    where
        F: FnMut(&Progress),
    {
        let (lower, upper) = self.futures.remaining();
        let total = (upper == Some(lower)).then_some(lower);
        JoinBounded {
            limit: self.limit,
            futures: self.futures,
            pace: self.pace,
            progress: OnProgress::new(progress, total),
        }
    }
}

impl<I, P> JoinBounded<I, P>
where
    I: Source,
{
    /// The join, collecting with `collector`, made from the input's lower size hint. No bound on
    /// the output here: `join_bounded!` calls this (through `__private`), so that a wrong output
    /// type is reported once, where the join is awaited, at the user's future, rather than also
    /// at a strategy method's bound.
    pub(crate) fn with<C>(self, collector: impl FnOnce(usize) -> C) -> Join<I, C, P> {
        // Only a hint: the collectors reserve a bounded amount from it.
        let expected = self.futures.remaining().0;
        Join::new(
            self.limit,
            self.futures,
            collector(expected),
            self.pace,
            self.progress,
        )
    }
}

impl<I, P> IntoFuture for JoinBounded<I, P>
where
    I: Source,
    P: Track,
{
    type Output = Vec<Output<I>>;
    type IntoFuture = Join<I, JoinCollector<Output<I>>, P>;

    /// The default strategy, `"join"`.
    fn into_future(self) -> Self::IntoFuture {
        self.join()
    }
}

impl<I, P> fmt::Debug for JoinBounded<I, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinBounded")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// The future of a bounded join with a strategy; see [`join_bounded`].
///
/// Dropping it drops every future in flight at once, and pulls nothing more from the input.
#[must_use = "a join does nothing until it is awaited"]
pub struct Join<I: Source, C, P = NoProgress> {
    limit: NonZeroUsize,
    /// `None` once the input is exhausted or the collector stopped the join.
    futures: Option<I>,
    /// The input index of the next item.
    next_index: usize,
    slots: Slots<I::Future>,
    /// The slot where the next look at the woken slots starts: just after the slot that spent
    /// the last poll's budget, or at the slot the budget ran out before. Woken slots are taken
    /// in turn from there, so none waits behind others that keep waking or finishing.
    cursor: SlotId,
    /// `None` once the join has returned.
    collector: Option<C>,
    /// Set while a future is being polled, when the collector catches panics: a panic caught
    /// then is the future's.
    polling: bool,
    /// Set while the join is being polled. Still set at the start of a poll, it means the
    /// previous poll panicked (in a future, the input iterator or the collector) and left the
    /// join in an unknown state, which the join refuses to run on.
    in_poll: bool,
    /// The pacing of its starts, when it has a rate.
    pace: Option<Pace>,
    /// An item pulled for a free slot, held back until its start is due.
    held: Option<(usize, I::Future)>,
    /// What it does when a future finishes: nothing, or call its `progress` callback.
    progress: P,
}

// The futures are pinned inside the slots' boxed chunks, never inside `Join` itself, and `Join`
// never pins its iterator or collector, so moving a `Join` moves nothing that is pinned.
impl<I: Source, C, P> Unpin for Join<I, C, P> {}

/// Why a step of the join stopped early.
enum Stop {
    /// The collector has its answer: the join is over.
    Done,
    /// The poll budget is spent: yield to the executor.
    Yield,
    /// A stream's collector has an output to hand on: pause here until it is taken.
    Output,
}

/// What one poll of a join's futures came to.
enum Driven {
    /// Every future finished, or the collector stopped the join.
    Done,
    /// A stream's collector has an output to hand on.
    Output,
    /// Nothing more to do until something wakes the join.
    Pending,
}

impl<I: Source, C, P> Join<I, C, P> {
    fn new(limit: NonZeroUsize, futures: I, collector: C, pace: Option<Pace>, progress: P) -> Self {
        Join {
            pace,
            progress,
            held: None,
            limit,
            futures: Some(futures),
            next_index: 0,
            slots: Slots::new(),
            cursor: 0,
            collector: Some(collector),
            polling: false,
            in_poll: false,
        }
    }
}

impl<I, C, P> Join<I, C, P>
where
    I: Source,
    C: Collector<Output<I>>,
    P: Track,
{
    /// The next item of the input with its index, to start now, if the join may still pull
    /// one. A join with a rate holds the item back until its start is due (it is pulled only for
    /// a free slot, so at most `limit` futures are alive all the same), so that the end of the
    /// input is seen as soon as it comes.
    ///
    /// A stream with no item ready yet gives nothing now, and wakes the join's task (`cx`) when
    /// it has one; a stream's collector may refuse another item for now.
    fn pull(&mut self, cx: &mut Context<'_>) -> Option<(usize, I::Future)> {
        let item = match self.held.take() {
            Some(item) => item,
            None => {
                if C::STREAMS
                    && !self
                        .collector
                        .as_ref()
                        .is_some_and(|collector| collector.accepts_more(self.next_index))
                {
                    return None;
                }
                let futures = self.futures.as_mut()?;
                match futures.poll_pull(cx) {
                    Poll::Ready(Some(future)) => {
                        let index = self.next_index;
                        self.next_index += 1;
                        (index, future)
                    }
                    Poll::Ready(None) => {
                        self.futures = None;
                        return None;
                    }
                    Poll::Pending => return None,
                }
            }
        };
        if let Some(pace) = &mut self.pace
            && !pace.start()
        {
            self.held = Some(item);
            return None;
        }
        Some(item)
    }

    /// How many more slots the join could use, asked just before pulling an item: bounded by the
    /// limit and, when the input says, by how many items remain (that one included).
    fn room(&self) -> usize {
        let by_limit = self.limit.get() - self.slots.capacity();
        let remaining = self
            .futures
            .as_ref()
            .and_then(|futures| futures.remaining().1)
            .map_or(usize::MAX, |upper| upper);
        by_limit.min(remaining)
    }

    /// Polls slot `id`; each time its future finishes, hands the output to the collector and
    /// starts the next item in the same slot, until the slot's future is pending, the input is
    /// exhausted, the collector stops the join, or the budget is spent.
    fn run(&mut self, id: SlotId, budget: &mut u32, cx: &mut Context<'_>) -> ControlFlow<Stop> {
        if !C::CATCHES_PANICS {
            return self.run_slot(id, budget, cx);
        }
        // One `catch_unwind` for the whole run rather than one per poll, so a slot that finishes
        // future after future pays for it once. Only a panic raised while a future was being
        // polled is that future's; any other (from the input or the collector) propagates.
        loop {
            self.polling = false;
            match panic::catch_unwind(AssertUnwindSafe(|| self.run_slot(id, budget, cx))) {
                Ok(flow) => return flow,
                Err(payload) if self.polling => match self.finished(id, Err(payload), cx)? {
                    true => continue,
                    false => return ControlFlow::Continue(()),
                },
                Err(payload) => panic::resume_unwind(payload),
            }
        }
    }

    fn run_slot(
        &mut self,
        id: SlotId,
        budget: &mut u32,
        cx: &mut Context<'_>,
    ) -> ControlFlow<Stop> {
        loop {
            if *budget == 0 {
                self.slots.defer(id);
                return ControlFlow::Break(Stop::Yield);
            }
            *budget -= 1;
            // Only strategies that catch panics need to know when one comes from a future.
            if C::CATCHES_PANICS {
                self.polling = true;
            }
            let poll = self.slots.poll(id);
            if C::CATCHES_PANICS {
                self.polling = false;
            }
            let Poll::Ready(output) = poll else {
                return ControlFlow::Continue(());
            };
            if !self.finished(id, Ok(output), cx)? {
                return ControlFlow::Continue(());
            }
        }
    }

    /// Hands the output (or the panic) of slot `id`'s future to the collector, then starts the
    /// next item in the same slot, or empties the slot when the input is exhausted. Returns
    /// whether the slot holds a new future to poll.
    ///
    /// A stream's collector with an output to hand on pauses the join after the refill: the
    /// new future is polled at the next poll.
    fn finished(
        &mut self,
        id: SlotId,
        output: thread::Result<Output<I>>,
        cx: &mut Context<'_>,
    ) -> ControlFlow<Stop, bool> {
        let index = self.slots.index(id);
        let collector = self
            .collector
            .as_mut()
            .expect("a running join has a collector");
        // Only a join with a `progress` callback looks at whether the output failed.
        let failed = P::ACTIVE && C::failed(&output);
        let flow = collector.collect(index, output);
        if flow.is_break() && !C::STREAMS {
            // The join ends: what is still in flight besides this one is about to be dropped.
            self.progress.finished(failed, self.slots.occupied() - 1);
            return ControlFlow::Break(Stop::Done);
        }
        // Drop the finished future before pulling the next item, so that at most `limit`
        // futures are ever alive, even for a moment.
        self.slots.drop_future(id);
        let refilled = match self.pull(cx) {
            Some((index, future)) => {
                self.slots.place(id, index, future);
                true
            }
            None => {
                self.slots.release(id);
                false
            }
        };
        // After the refill, so that a join with items left reports `limit` in flight.
        self.progress.finished(failed, self.slots.occupied());
        if flow.is_break() {
            if refilled {
                self.slots.mark_ready(id);
            }
            return ControlFlow::Break(Stop::Output);
        }
        ControlFlow::Continue(refilled)
    }

    /// Starts items until `limit` are in flight or the input is exhausted.
    fn fill(&mut self, budget: &mut u32, cx: &mut Context<'_>) -> ControlFlow<Stop> {
        while self.slots.occupied() < self.limit.get() {
            let room = self.room();
            let Some((index, future)) = self.pull(cx) else {
                break;
            };
            let id = self.slots.insert(index, future, room);
            self.run(id, budget, cx)?;
        }
        ControlFlow::Continue(())
    }

    /// Polls every slot that was woken, refilling those that finish, in turn from the cursor:
    /// the cursor's chunk from the cursor on, the other chunks, then the cursor's chunk before
    /// it. Returns whether any slot was woken.
    fn poll_woken(&mut self, budget: &mut u32, cx: &mut Context<'_>) -> ControlFlow<Stop, bool> {
        let chunks = self.slots.chunk_count();
        if chunks == 0 {
            return ControlFlow::Continue(false);
        }
        let (first, offset) = (self.cursor / CHUNK, self.cursor % CHUNK);
        // The cursor's chunk is taken once, up front; the part before the cursor waits here.
        let mut before = 0;
        let mut any = false;
        for turn in 0..=chunks {
            let chunk = (first + turn) % chunks;
            let mut bits = if turn == 0 {
                let taken = self.slots.take_ready(chunk);
                let from_cursor = taken & (u64::MAX << offset);
                before = taken & !from_cursor;
                from_cursor
            } else if turn == chunks {
                mem::take(&mut before)
            } else {
                self.slots.take_ready(chunk)
            };
            while bits != 0 {
                let id = Slots::<I::Future>::id(chunk, bits.trailing_zeros());
                bits &= bits - 1;
                if !self.slots.is_occupied(id) {
                    continue;
                }
                any = true;
                let budget_before = *budget;
                if let ControlFlow::Break(stop) = self.run(id, budget, cx) {
                    // Put back what this poll did not get to (slot `id` itself, when the budget
                    // ran out, was put back by `run_slot`), and start the next poll after the
                    // slot that spent the budget, or at the one it ran out before. A stream
                    // handing on an output is polled again by its consumer: no wake-up needed.
                    for (chunk, bits) in [(chunk, bits), (first, before)] {
                        if bits != 0 {
                            match stop {
                                Stop::Output => self.slots.put_back_ready(chunk, bits),
                                _ => self.slots.defer_ready(chunk, bits),
                            }
                        }
                    }
                    let next = if budget_before == 0 { id } else { id + 1 };
                    self.cursor = if next < chunks * CHUNK { next } else { 0 };
                    return ControlFlow::Break(stop);
                }
            }
        }
        ControlFlow::Continue(any)
    }

    fn step(&mut self, cx: &mut Context<'_>) -> ControlFlow<Stop> {
        let mut budget = POLL_BUDGET;
        loop {
            self.fill(&mut budget, cx)?;
            if !self.poll_woken(&mut budget, cx)? {
                return ControlFlow::Continue(());
            }
        }
    }

    /// One poll's work: starts and polls futures until the join is over, a stream's collector
    /// has an output, or nothing is left to do until a wake-up. `what` names the join in the
    /// panic when it is polled after a poll panicked.
    fn drive(&mut self, cx: &mut Context<'_>, what: &str) -> Driven {
        assert!(!self.in_poll, "{what} was polled after it panicked");
        // Cleared only when the poll returns: a panic anywhere below leaves it set.
        self.in_poll = true;
        self.progress.polled();
        self.slots.register(cx.waker());
        let driven = loop {
            match self.step(cx) {
                ControlFlow::Break(Stop::Done) => break Driven::Done,
                ControlFlow::Break(Stop::Output) => break Driven::Output,
                ControlFlow::Break(Stop::Yield) => break Driven::Pending,
                ControlFlow::Continue(())
                    if self.slots.occupied() == 0
                        && self.futures.is_none()
                        && self.held.is_none() =>
                {
                    break Driven::Done;
                }
                ControlFlow::Continue(()) => {
                    // A paced join whose next start came due meanwhile steps again; otherwise
                    // its timer wakes it.
                    if self.pace.as_mut().is_some_and(|pace| pace.poll_due(cx)) {
                        continue;
                    }
                    break Driven::Pending;
                }
            }
        };
        self.in_poll = false;
        driven
    }

    /// Drops what is still in flight, and pulls nothing more.
    fn close(&mut self) {
        self.slots.clear();
        self.held = None;
        self.futures = None;
    }

    fn finish(&mut self) -> C::Output {
        self.close();
        self.collector
            .take()
            .expect("a running join has a collector")
            .finish()
    }
}

impl<I, C, P> Future for Join<I, C, P>
where
    I: Source,
    C: Collector<Output<I>>,
    P: Track,
{
    type Output = C::Output;

    /// # Panics
    ///
    /// When polled after it returned, or after a poll panicked: a panic can stop the join halfway
    /// through refilling a slot (the input iterator's `next`, for one), so it cannot go on.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C::Output> {
        let this = self.get_mut();
        assert!(
            this.collector.is_some(),
            "a bounded join was polled after it returned"
        );
        match this.drive(cx, "a bounded join") {
            Driven::Done => Poll::Ready(this.finish()),
            Driven::Pending => Poll::Pending,
            // Only a stream's collectors hand outputs on.
            Driven::Output => unreachable!("a join's collector streams no outputs"),
        }
    }
}

impl<I: Source, C, P> fmt::Debug for Join<I, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("limit", &self.limit)
            .field("in_flight", &self.slots.occupied())
            .field("started", &self.next_index)
            .field("input_exhausted", &self.futures.is_none())
            .finish()
    }
}
