//! A bounded join as a stream of its outputs: in input order, or as they finish.

use std::collections::VecDeque;
use std::fmt;
use std::ops::ControlFlow;
use std::panic;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread;

use futures_util::stream::{FusedStream, Stream};

use super::collect::{Collector, Sealed};
use super::{Driven, Join, Output, Source, Track};

/// The outputs of a stream in input order (`order = "input"`): each output waits until every
/// earlier one has been handed on.
///
/// The join pulls item `i` only while `i` is at most `limit` past the next output to hand on, so
/// at most `limit` finished outputs wait for an earlier one, and the buffer never grows past
/// `limit + 1` places, however long the input.
pub struct InputOrder<T> {
    limit: usize,
    /// The input index of `outputs[0]`: the next output to hand on.
    next: usize,
    /// Outputs by input index from `next` on; `None` for those still running.
    outputs: VecDeque<Option<T>>,
}

impl<T> InputOrder<T> {
    pub(super) fn new(limit: usize) -> Self {
        InputOrder {
            limit,
            next: 0,
            outputs: VecDeque::new(),
        }
    }
}

impl<T> Sealed for InputOrder<T> {}

impl<T> Collector<T> for InputOrder<T> {
    type Output = ();

    const STREAMS: bool = true;

    fn collect(&mut self, index: usize, output: thread::Result<T>) -> ControlFlow<()> {
        let value = output.unwrap_or_else(|payload| panic::resume_unwind(payload));
        let offset = index - self.next;
        if offset >= self.outputs.len() {
            self.outputs.resize_with(offset + 1, || None);
        }
        self.outputs[offset] = Some(value);
        // Handed on when the poll's work is done: the window of items the join may pull keeps
        // the buffer within `limit + 1` outputs.
        ControlFlow::Continue(())
    }

    fn accepts_more(&self, index: usize) -> bool {
        index - self.next <= self.limit
    }

    fn finish(self) {}
}

/// The outputs of a stream in the order they finish (`order = "completion"`).
///
/// The outputs that finish during one poll are handed on one by one after it, at most `limit` of
/// them: a poll that has collected `limit` outputs stops there.
pub struct CompletionOrder<T> {
    limit: usize,
    outputs: VecDeque<T>,
}

impl<T> Sealed for CompletionOrder<T> {}

impl<T> Collector<T> for CompletionOrder<T> {
    type Output = ();

    const STREAMS: bool = true;

    fn collect(&mut self, _index: usize, output: thread::Result<T>) -> ControlFlow<()> {
        let value = output.unwrap_or_else(|payload| panic::resume_unwind(payload));
        self.outputs.push_back(value);
        if self.outputs.len() < self.limit {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    fn finish(self) {}
}

/// The order of a [`JoinStream`]'s outputs: [`InputOrder`] or [`CompletionOrder`], and where
/// they wait to be handed on. Sealed.
pub trait Order<T>: Collector<T, Output = ()> {
    /// The next output to hand on, if it is there.
    #[doc(hidden)]
    fn take(&mut self) -> Option<T>;

    /// How many finished outputs wait to be handed on.
    #[doc(hidden)]
    fn buffered(&self) -> usize;
}

impl<T> Order<T> for InputOrder<T> {
    #[inline]
    fn take(&mut self) -> Option<T> {
        let output = self.outputs.front_mut()?.take()?;
        self.outputs.pop_front();
        self.next += 1;
        Some(output)
    }

    fn buffered(&self) -> usize {
        self.outputs
            .iter()
            .filter(|output| output.is_some())
            .count()
    }
}

impl<T> Order<T> for CompletionOrder<T> {
    #[inline]
    fn take(&mut self) -> Option<T> {
        self.outputs.pop_front()
    }

    fn buffered(&self) -> usize {
        self.outputs.len()
    }
}

/// A bounded join as a [`Stream`] of its futures' outputs, from
/// [`JoinBounded::stream`](super::JoinBounded::stream) or
/// [`JoinBounded::stream_unordered`](super::JoinBounded::stream_unordered), or
/// `stream_bounded!`.
///
/// It is as lazy as the join: at most `limit` futures exist at once, and in input order at most
/// `limit` finished outputs wait for an earlier one. A future's panic propagates to the poll
/// that polled it, and the stream cannot be polled after that. The stream ends after the last
/// output, and returns `None` from then on.
///
/// # A stream runs only while it is polled
///
/// Its futures make progress only inside [`poll_next`](Stream::poll_next): while the consumer is
/// busy with an output (writing it out, awaiting an acknowledgement), the futures in flight wait
/// with it, timers and sockets included. With a slow consumer, either do the per-output work in
/// the futures themselves and collect with `join_bounded!`, or hand the outputs to a spawned
/// consumer through a channel, so that the stream is polled again at once.
///
/// Dropping the stream drops every future in flight and pulls nothing more from the input.
#[must_use = "a stream does nothing until it is polled"]
pub struct JoinStream<I: Source, C, P> {
    join: Join<I, C, P>,
    /// Set once every future has finished and the input has ended: only the outputs still
    /// buffered are left to hand on.
    drained: bool,
}

impl<I: Source, C, P> JoinStream<I, C, P> {
    pub(super) fn new(join: Join<I, C, P>) -> Self {
        JoinStream {
            join,
            drained: false,
        }
    }
}

impl<I: Source, C: Order<Output<I>>, P> JoinStream<I, C, P> {
    fn collector(&mut self) -> &mut C {
        self.join
            .collector
            .as_mut()
            .expect("a stream keeps its collector")
    }
}

impl<I, C, P> Stream for JoinStream<I, C, P>
where
    I: Source,
    C: Order<Output<I>>,
    P: Track,
{
    type Item = Output<I>;

    /// # Panics
    ///
    /// When a future, the input or the `progress` callback panics (the panic propagates), and
    /// on any poll after that: the stream cannot go on from an unknown state.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Output<I>>> {
        let this = self.get_mut();
        if let Some(output) = this.collector().take() {
            return Poll::Ready(Some(output));
        }
        if this.drained {
            return Poll::Ready(None);
        }
        // Every output that finishes during this poll is buffered (at most `limit`, or up to
        // the input order's window), then handed on one by one by the polls that follow.
        if let Driven::Done = this.join.drive(cx, "a bounded stream") {
            this.drained = true;
            this.join.close();
        }
        match this.collector().take() {
            Some(output) => Poll::Ready(Some(output)),
            None if this.drained => Poll::Ready(None),
            None => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lower, upper) = self
            .join
            .futures
            .as_ref()
            .map_or((0, Some(0)), Source::remaining);
        let buffered = self.join.collector.as_ref().map_or(0, C::buffered);
        let started = self.join.slots.occupied() + usize::from(self.join.held.is_some()) + buffered;
        (
            lower.saturating_add(started),
            upper.and_then(|upper| upper.checked_add(started)),
        )
    }
}

impl<I, C, P> FusedStream for JoinStream<I, C, P>
where
    I: Source,
    C: Order<Output<I>>,
    P: Track,
{
    fn is_terminated(&self) -> bool {
        self.drained
            && self
                .join
                .collector
                .as_ref()
                .is_none_or(|collector| collector.buffered() == 0)
    }
}

impl<I: Source, C, P> fmt::Debug for JoinStream<I, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinStream")
            .field("join", &self.join)
            .field("drained", &self.drained)
            .finish()
    }
}

impl<T> fmt::Debug for InputOrder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputOrder")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for CompletionOrder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompletionOrder").finish_non_exhaustive()
    }
}

pub(super) fn completion_order<T>(limit: usize) -> CompletionOrder<T> {
    CompletionOrder {
        limit,
        outputs: VecDeque::new(),
    }
}
