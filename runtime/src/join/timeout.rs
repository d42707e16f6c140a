//! The `timeout` key of `join_bounded!` and `stream_bounded!`: each future is given at most so
//! long from its start, and one that runs past it is dropped and turned into a rejection, which
//! each strategy carries in its own way:
//!
//! | strategy | a timed-out future gives |
//! |---|---|
//! | `"settled"` | `Outcome::Rejected` |
//! | `"all"`, `"any"` | `Err(E::from(rejected))` |
//! | `"join"`, `"race"`, a stream | `Err(rejected)`: the output becomes `Result<T, Rejected>` |

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::Rejected;

/// The output of a future with a `timeout` under `strategy = "settled"`: its own output, or the
/// rejection of a future that ran past its timeout.
#[derive(Debug)]
pub struct Timely<O>(pub(crate) Result<O, Rejected>);

#[cfg(feature = "tokio")]
type Sleep = tokio::time::Sleep;

/// Without the `tokio` feature there are no timers: the macros refuse the key (their rule names
/// the feature), and a `Timed` is only ever built by an expansion already reported.
#[cfg(not(feature = "tokio"))]
#[derive(Debug)]
enum Sleep {}

pin_project_lite::pin_project! {
    /// A future given at most `timeout` from its first poll; its output is `done(output)`, or
    /// `timed_out(rejection)` when it ran past it, as its strategy carries a rejection (the
    /// constructors in `__private::timeout` check that the strategy can).
    #[must_use = "futures do nothing unless polled"]
    pub struct Timed<F: Future, O> {
        #[pin]
        future: F,
        site: &'static str,
        timeout: Duration,
        // Started at the first poll, so that the time counts from the future's start.
        #[pin]
        sleep: Option<Sleep>,
        done: fn(F::Output) -> O,
        timed_out: fn(Rejected) -> O,
    }
}

impl<F: Future, O> Timed<F, O> {
    /// `future`, given at most `timeout`; `site` names the join in the rejection.
    pub(crate) fn new(
        site: &'static str,
        timeout: Duration,
        future: F,
        done: fn(F::Output) -> O,
        timed_out: fn(Rejected) -> O,
    ) -> Self {
        Timed {
            future,
            site,
            timeout,
            sleep: None,
            done,
            timed_out,
        }
    }
}

impl<F: Future, O> Future for Timed<F, O> {
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let mut this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready((this.done)(output));
        }
        #[cfg(feature = "tokio")]
        {
            if this.sleep.is_none() {
                this.sleep.set(Some(tokio::time::sleep(*this.timeout)));
            }
            let sleep = this.sleep.as_pin_mut().expect("set above");
            if sleep.poll(cx).is_ready() {
                let rejected = crate::rejected::timed_out(this.site, *this.timeout);
                return Poll::Ready((this.timed_out)(rejected));
            }
        }
        #[cfg(not(feature = "tokio"))]
        let _ = (&mut this.sleep, this.site, this.timed_out);
        Poll::Pending
    }
}

impl<F: Future, O> std::fmt::Debug for Timed<F, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timed")
            .field("site", &self.site)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
