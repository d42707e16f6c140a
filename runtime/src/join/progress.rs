//! A join's progress: [`Progress`], handed to the `progress` callback after each future finishes
//! ([`JoinBounded::progress`](super::JoinBounded::progress), `join_bounded!(progress = ..)`).
//!
//! A join without a callback holds [`NoProgress`], whose hooks are empty and inlined away: it
//! counts nothing and reads no clock. A join with one counts what finished and failed, and reads
//! the clock once, at its first poll; [`Progress::elapsed`] reads it again only when asked.

use std::fmt;
use std::time::{Duration, Instant};

/// How far a bounded join has got, handed to its `progress` callback after each future finishes
/// (see [`JoinBounded::progress`](super::JoinBounded::progress)).
///
/// A small `Copy` value: the counts when the callback was called, and when the join started, so
/// that [`elapsed`](Progress::elapsed) reads the clock only when it is asked.
///
/// ```
/// use bounded_async::{Progress, join_bounded};
///
/// # futures::executor::block_on(async {
/// let mut seen = Vec::new();
/// let parsed = join_bounded(2, ["1", "x", "3"].map(|s| async move { s.parse::<u8>() }))
///     .progress(|progress: &Progress| seen.push((progress.done(), progress.failed())))
///     .settled()
///     .await;
/// assert_eq!(parsed.len(), 3);
/// assert_eq!(seen, [(1, 0), (2, 1), (3, 1)]);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    done: usize,
    failed: usize,
    in_flight: usize,
    total: Option<usize>,
    started: Instant,
}

impl Progress {
    /// How many futures have finished, this one included: 1 at the first call, `n` at the
    /// last of a join of `n` that runs to its end.
    pub fn done(&self) -> usize {
        self.done
    }

    /// How many of the finished futures failed: returned `Err` (strategies `"all"`,
    /// `"settled"` and `"any"`, whose futures return `Result`) or panicked (`"settled"`, the one
    /// strategy that catches panics). Under `"join"` and `"race"`, whose outputs are any values,
    /// 0.
    pub fn failed(&self) -> usize {
        self.failed
    }

    /// How many futures are in flight once the one that finished was replaced by the next item,
    /// if any: the join's limit while enough items remain, then fewer, down to 0 at the end.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// How many futures the join runs in all, when its input says so exactly (a range, a `Vec`,
    /// an array, or another iterator whose size hint is exact), counted when the join was made.
    pub fn total(&self) -> Option<usize> {
        self.total
    }

    /// The time since the join was first polled, read from the clock now.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `done/total (failed failed), in_flight in flight`: `42/100 (3 failed), 8 in flight`, or
/// without a known total, `42 done (3 failed), 8 in flight`.
impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.total {
            Some(total) => write!(f, "{}/{total}", self.done)?,
            None => write!(f, "{} done", self.done)?,
        }
        if self.failed > 0 {
            write!(f, " ({} failed)", self.failed)?;
        }
        write!(f, ", {} in flight", self.in_flight)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// What a join does when a future finishes: nothing ([`NoProgress`]), or count and call a
/// callback ([`OnProgress`]). Sealed; chosen by
/// [`JoinBounded::progress`](super::JoinBounded::progress).
#[diagnostic::on_unimplemented(
    message = "this join's `progress` callback is not an `FnMut(&Progress)`",
    label = "the join cannot report its progress",
    note = "the callback itself is reported where it is given"
)]
pub trait Track: sealed::Sealed {
    /// Whether the join counts anything: with `false`, it does not look at an output to see
    /// whether it failed.
    #[doc(hidden)]
    const ACTIVE: bool;

    /// At each poll of the join.
    #[doc(hidden)]
    fn polled(&mut self);

    /// After a future finished (`failed`: it returned `Err` or panicked), with `in_flight`
    /// futures still running.
    #[doc(hidden)]
    fn finished(&mut self, failed: bool, in_flight: usize);
}

/// The progress of a join without a `progress` callback: nothing is counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl sealed::Sealed for NoProgress {}

impl Track for NoProgress {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn polled(&mut self) {}

    #[inline(always)]
    fn finished(&mut self, _: bool, _: usize) {}
}

/// The progress of a join with a `progress` callback `F`: the counts, and the callback.
pub struct OnProgress<F> {
    callback: F,
    done: usize,
    failed: usize,
    total: Option<usize>,
    /// When the join was first polled.
    started: Option<Instant>,
}

impl<F: FnMut(&Progress)> OnProgress<F> {
    /// `callback`, for a join of `total` futures if that is known.
    pub(super) fn new(callback: F, total: Option<usize>) -> Self {
        OnProgress {
            callback,
            done: 0,
            failed: 0,
            total,
            started: None,
        }
    }
}

impl<F> fmt::Debug for OnProgress<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnProgress")
            .field("done", &self.done)
            .field("failed", &self.failed)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<F> sealed::Sealed for OnProgress<F> {}

#[diagnostic::do_not_recommend]
impl<F: FnMut(&Progress)> Track for OnProgress<F> {
    const ACTIVE: bool = true;

    #[inline]
    fn polled(&mut self) {
        if self.started.is_none() {
            self.started = Some(Instant::now());
        }
    }

    #[inline]
    fn finished(&mut self, failed: bool, in_flight: usize) {
        self.done += 1;
        self.failed += usize::from(failed);
        let progress = Progress {
            done: self.done,
            failed: self.failed,
            in_flight,
            total: self.total,
            started: self
                .started
                .expect("a future finishes only once the join was polled"),
        };
        (self.callback)(&progress);
    }
}
