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
        // The next output in order has come: hand it on.
        if offset == 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn accepts_more(&self, index: usize) -> bool {
        index - self.next <= self.limit
    }

    fn finish(self) {}
}

/// The outputs of a stream in the order they finish (`order = "completion"`).
pub struct CompletionOrder<T> {
    output: Option<T>,
}

impl<T> Sealed for CompletionOrder<T> {}

impl<T> Collector<T> for CompletionOrder<T> {
    type Output = ();

    const STREAMS: bool = true;

    fn collect(&mut self, _index: usize, output: thread::Result<T>) -> ControlFlow<()> {
        let value = output.unwrap_or_else(|payload| panic::resume_unwind(payload));
        debug_assert!(self.output.is_none(), "the join pauses at each output");
        self.output = Some(value);
        ControlFlow::Break(())
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
        self.output.take()
    }

    fn buffered(&self) -> usize {
        usize::from(self.output.is_some())
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
    /// Set once the last output was handed on.
    ended: bool,
}

impl<I: Source, C, P> JoinStream<I, C, P> {
    pub(super) fn new(join: Join<I, C, P>) -> Self {
        JoinStream { join, ended: false }
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
        if this.ended {
            return Poll::Ready(None);
        }
        let collector = this
            .join
            .collector
            .as_mut()
            .expect("a stream keeps its collector");
        if let Some(output) = collector.take() {
            return Poll::Ready(Some(output));
        }
        let driven = this.join.drive(cx, "a bounded stream");
        let collector = this
            .join
            .collector
            .as_mut()
            .expect("a stream keeps its collector");
        match driven {
            Driven::Output => Poll::Ready(Some(
                collector
                    .take()
                    .expect("a stream pauses at an output it holds"),
            )),
            Driven::Done => {
                this.ended = true;
                this.join.finish();
                Poll::Ready(None)
            }
            Driven::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.ended {
            return (0, Some(0));
        }
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
        self.ended
    }
}

impl<I: Source, C, P> fmt::Debug for JoinStream<I, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinStream")
            .field("join", &self.join)
            .field("ended", &self.ended)
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

pub(super) fn completion_order<T>() -> CompletionOrder<T> {
    CompletionOrder { output: None }
}
