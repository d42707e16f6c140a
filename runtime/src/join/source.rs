//! Where a join's futures come from: an iterator, pulled at once, or a stream, which may make
//! the join wait for its next item.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::Stream;

mod sealed {
    pub trait Sealed {}
}

/// The input of a bounded join: an [`Iterator`] of futures, or a [`Stream`] of futures given
/// through [`join_bounded_stream`](crate::join_bounded_stream).
///
/// The join pulls an item only when a slot is free. An iterator's next item is there at once; a
/// stream's may not be, and then the join goes on polling the futures it has in flight and pulls
/// again when the stream wakes it.
///
/// This trait is sealed: it is implemented for every iterator of futures and for
/// [`FromStream`].
pub trait Source: sealed::Sealed {
    /// The futures it yields.
    type Future: Future;

    /// The next future, `Ready(None)` at the end of the input, or `Pending` (a stream's only)
    /// when the next item is not there yet, after arranging for `cx` to be woken when it is.
    #[doc(hidden)]
    fn poll_pull(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::Future>>;

    /// The bounds on how many items remain, as [`Iterator::size_hint`].
    #[doc(hidden)]
    fn remaining(&self) -> (usize, Option<usize>);
}

impl<I> sealed::Sealed for I
where
    I: Iterator,
    I::Item: Future,
{
}

impl<I> Source for I
where
    I: Iterator,
    I::Item: Future,
{
    type Future = I::Item;

    #[inline]
    fn poll_pull(&mut self, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.next())
    }

    #[inline]
    fn remaining(&self) -> (usize, Option<usize>) {
        Iterator::size_hint(self)
    }
}

/// A [`Stream`] of futures as a join's input; see
/// [`join_bounded_stream`](crate::join_bounded_stream).
///
/// The stream is pinned in one allocation of its own, made once per join, so any stream can be
/// joined, `Unpin` or not, and the join itself stays `Unpin`.
pub struct FromStream<S> {
    stream: Pin<Box<S>>,
}

impl<S: Stream> FromStream<S> {
    pub(crate) fn new(stream: S) -> Self {
        FromStream {
            stream: Box::pin(stream),
        }
    }
}

impl<S> sealed::Sealed for FromStream<S>
where
    S: Stream,
    S::Item: Future,
{
}

impl<S> Source for FromStream<S>
where
    S: Stream,
    S::Item: Future,
{
    type Future = S::Item;

    #[inline]
    fn poll_pull(&mut self, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.stream.as_mut().poll_next(cx)
    }

    #[inline]
    fn remaining(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<S> std::fmt::Debug for FromStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromStream").finish_non_exhaustive()
    }
}
