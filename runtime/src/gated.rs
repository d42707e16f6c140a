//! The call of a `#[bounded]` function whose gates can turn it away: a gate with a `queue`, or
//! a `wait` or `timeout` on the function or its pool.
//!
//! Like [`Call`](crate::reentry::Call), [`Gated`] takes a permit of each gate in their fixed
//! order, then runs the body while holding them; it differs in what it does when it cannot:
//! - a gate whose line is full (`queue`) refuses the call at once: [`Reason::QueueFull`];
//! - a call still waiting for its permits when its `wait` is up is turned away:
//!   [`Reason::WaitElapsed`]. The wait covers the whole admission, every gate included, from the
//!   moment the call first had to wait; where the function and its pool both set `wait`, the
//!   shorter one applies;
//! - a body still running when its `timeout` is up is dropped, its permits given back at once:
//!   [`Reason::TimedOut`]. The timeout starts when the call is admitted.
//!
//! The output is `Ok` of the body's output, or `Err` of the [`Rejected`] that says why and
//! which gate. The timers are tokio's (feature `tokio`), so they follow `tokio::time::pause()`;
//! a timer is only started when it can matter: `wait` when a call has to wait, and `timeout`
//! when a body does not finish on its first poll.
//!
//! [`Reason::QueueFull`]: crate::Reason::QueueFull
//! [`Reason::WaitElapsed`]: crate::Reason::WaitElapsed
//! [`Reason::TimedOut`]: crate::Reason::TimedOut

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::gate::{Admit, Deadline, Permit, Refusal};
use crate::reentry::{Call, Enabled, GateRef, Gates, Guard, call, check, record};
use crate::rejected::{self, Rejected};

#[cfg(feature = "tokio")]
type Timer = tokio::time::Sleep;

/// Without the `tokio` feature there are no timers, and the macros refuse `wait` and `timeout`
/// (`rules::TimersNeedTheTokioFeature`): the slot stays empty.
#[cfg(not(feature = "tokio"))]
type Timer = std::future::Pending<()>;

#[cfg(feature = "tokio")]
fn timer(after: Duration) -> Timer {
    tokio::time::sleep(after)
}

#[cfg(not(feature = "tokio"))]
fn timer(_: Duration) -> Timer {
    unreachable!("`wait` and `timeout` need the `tokio` feature, which the macros check")
}

/// When a timer fires.
#[cfg(feature = "tokio")]
fn deadline(timer: Pin<&Timer>) -> Deadline {
    timer.deadline()
}

#[cfg(not(feature = "tokio"))]
fn deadline(_: Pin<&Timer>) -> Deadline {
    unreachable!("`wait` and `timeout` need the `tokio` feature, which the macros check")
}

/// The call of a `#[bounded]` function whose gates can turn it away. `ENABLED` turns on the
/// debug guard against re-entry (see [`call`](crate::reentry::call)).
#[inline]
pub fn gated<const ENABLED: bool, R, F: Future<Output = R>>(
    gates: &'static Gates,
    body: F,
) -> GatedCall<F, ENABLED> {
    Gated {
        body: Some(body),
        permits: [None, None],
        admit: None,
        timer: None,
        leasing: None,
        lease: None,
        failing: None,
        phase: Phase::Admitting,
        gates,
        guard: PhantomData,
    }
}

/// The future of [`gated`]: [`Gated`] with the debug guard on or off.
pub type GatedCall<F, const ENABLED: bool> = Gated<F, Guard<ENABLED>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Taking the permits; the timer, if set, is the `wait`.
    Admitting,
    /// Holding them, running the body; the timer, if set, is the `timeout`.
    Running,
    /// Returned.
    Done,
}

pin_project! {
    /// The future of [`gated`], named [`GatedCall`].
    #[must_use = "futures do nothing unless polled"]
    #[project = Projection]
    pub struct Gated<F, G> {
        // Dropped first: the body's own state goes before its permits are given back. `None`
        // once it returned or was dropped at its timeout.
        #[pin]
        body: Option<F>,
        permits: [Option<Permit<'static>>; 2],
        // The wait for the permit of the first gate not yet held: pinned, since it holds the
        // call's place in the gate's wait list.
        #[pin]
        admit: Option<Admit<'static>>,
        #[pin]
        timer: Option<Timer>,
        // A fleet-wide pool's lease (feature `redis`): being taken, then held while the body
        // runs, released when dropped.
        leasing: Option<crate::backend::Leasing>,
        lease: Option<crate::backend::Lease>,
        failing: Option<crate::backend::Failing>,
        phase: Phase,
        gates: &'static Gates,
        guard: PhantomData<G>,
    }
}

impl<F: Future, G: Enabled> Future for Gated<F, G> {
    type Output = Result<F::Output, Rejected>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let gates: &'static Gates = this.gates;
        match *this.phase {
            Phase::Admitting => {}
            Phase::Running => return poll_body(this, gates, cx),
            Phase::Done => panic!("a `#[bounded]` call polled after it returned"),
        }
        if G::ENABLED && this.permits.iter().all(Option::is_none) && this.admit.is_none() {
            for gate in gates.gates().iter().flatten() {
                check(*gate, gates.caller());
            }
        }
        for (gate, permit) in gates.gates().iter().zip(this.permits.iter_mut()) {
            let (Some(gate), None) = (gate, &permit) else {
                continue;
            };
            if this.admit.is_none() {
                if let Some(free) = gate.gate().try_acquire() {
                    *permit = Some(free);
                    continue;
                }
                // The call has to wait: its `wait`, if any, starts now, once for every gate.
                start_wait(this.timer.as_mut(), gates);
                // A gate paused past the wait's end refuses the call at once.
                let deadline = this.timer.as_ref().as_pin_ref().map(deadline);
                this.admit.set(Some(gate.gate().admit_by(deadline)));
            }
            let admit = this.admit.as_mut().as_pin_mut().expect("set above");
            match admit.poll(cx) {
                Poll::Ready(Ok(taken)) => {
                    this.admit.set(None);
                    *permit = Some(taken);
                }
                // A gate refuses for its queue or its pause; the timers are this future's.
                Poll::Ready(Err(refusal)) => {
                    this.admit.set(None);
                    let rejected = match refusal {
                        Refusal::Paused { retry_after } => {
                            rejected::paused(gate.name(), retry_after)
                        }
                        _ => rejected::queue_full(gate.name(), gate.queue()),
                    };
                    return reject(this, rejected);
                }
                Poll::Pending => {
                    // Checked after the permit: one granted just as the wait ran out is used.
                    if let Some(timer) = this.timer.as_mut().as_pin_mut()
                        && timer.poll(cx).is_ready()
                    {
                        // Giving up the place in line passes on a permit granted since.
                        this.admit.set(None);
                        // A pause that outlasts the wait is what held the call back.
                        if let Some(retry_after) = gate.gate().pause_left() {
                            gate.gate().refused(Refusal::Paused { retry_after });
                            return reject(this, rejected::paused(gate.name(), retry_after));
                        }
                        return reject(this, wait_elapsed(gates));
                    }
                    return Poll::Pending;
                }
            }
        }
        // Admitted by every gate; a fleet-wide pool also needs its lease.
        #[cfg(feature = "redis")]
        match poll_lease(&mut this, gates, cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(rejected)) => return reject(this, rejected),
            Poll::Pending => return Poll::Pending,
        }
        // Admitted: the timeout, if any, starts now.
        *this.phase = Phase::Running;
        this.timer.set(None);
        poll_body(this, gates, cx)
    }
}

/// Polls the body of an admitted call, and its timeout.
fn poll_body<F: Future, G: Enabled>(
    mut this: Projection<'_, F, G>,
    gates: &'static Gates,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, Rejected>> {
    let body = this
        .body
        .as_mut()
        .as_pin_mut()
        .expect("polled after it returned");
    let polled = if G::ENABLED {
        let _pop = record(gates.gates().iter().flatten().copied(), gates.caller());
        body.poll(cx)
    } else {
        body.poll(cx)
    };
    if let Poll::Ready(output) = polled {
        this.body.set(None);
        *this.lease = None;
        *this.phase = Phase::Done;
        return Poll::Ready(Ok(output));
    }
    let Some((timeout, by)) = shortest(gates, GateRef::timeout) else {
        return Poll::Pending;
    };
    if this.timer.is_none() {
        this.timer.set(Some(timer(timeout)));
    }
    let timer = this.timer.as_mut().as_pin_mut().expect("set above");
    if timer.poll(cx).is_pending() {
        return Poll::Pending;
    }
    // Dropped in place, then its permits given back, before the caller hears of it.
    this.body.set(None);
    by.gate().refused(Refusal::TimedOut);
    reject(this, rejected::timed_out(by.name(), timeout))
}

/// Ends the call with `rejected`, giving back the permits it holds.
fn reject<T, F, G>(
    mut this: Projection<'_, F, G>,
    rejected: Rejected,
) -> Poll<Result<T, Rejected>> {
    this.timer.set(None);
    *this.leasing = None;
    *this.lease = None;
    *this.permits = [None, None];
    *this.phase = Phase::Done;
    Poll::Ready(Err(rejected))
}

/// Starts the call's `wait` timer, if one of its gates has a wait and it has not started.
fn start_wait(mut timer: Pin<&mut Option<Timer>>, gates: &'static Gates) {
    if timer.is_none()
        && let Some((wait, _)) = shortest(gates, GateRef::wait)
    {
        timer.set(Some(self::timer(wait)));
    }
}

/// The call's `wait` ran out: counted by the gate whose wait it was, and its rejection.
fn wait_elapsed(gates: &'static Gates) -> Rejected {
    let (wait, by) = shortest(gates, GateRef::wait).expect("a wait was set");
    by.gate().refused(Refusal::WaitElapsed);
    rejected::wait_elapsed(by.name(), wait)
}

/// Takes the lease of each fleet-wide pool among the gates, once the call holds their permits.
/// The call's `wait` bounds it as it bounds the permits: it starts now if it has not yet.
/// Redis out of reach turns the call away with `Reason::Backend`: at once without a `wait`,
/// and when the `wait` runs out with one, as `Reason::WaitElapsed` does when Redis answered.
#[cfg(feature = "redis")]
fn poll_lease<F, G>(
    this: &mut Projection<'_, F, G>,
    gates: &'static Gates,
    cx: &mut Context<'_>,
) -> Poll<Result<(), Rejected>> {
    use std::sync::atomic::Ordering;
    for gate in gates.gates().iter().flatten() {
        let remote = gate.gate().remote();
        if !remote.declared() || this.lease.is_some() {
            continue;
        }
        let Some(leases) = remote.leases() else {
            gate.gate().refused(Refusal::Backend);
            return Poll::Ready(Err(rejected::backend(gate.name(), false)));
        };
        if this.leasing.is_none() {
            // The fleet's line counts against the same `wait` as the gates' lines.
            start_wait(this.timer.as_mut(), gates);
            let (leasing, failing) = leases.acquire(this.timer.is_some());
            *this.leasing = Some(leasing);
            *this.failing = Some(failing);
        }
        let leasing = this.leasing.as_mut().expect("set above");
        match leasing.as_mut().poll(cx) {
            Poll::Ready(Ok(lease)) => {
                *this.leasing = None;
                *this.lease = Some(lease);
            }
            Poll::Ready(Err(())) => {
                *this.leasing = None;
                gate.gate().refused(Refusal::Backend);
                return Poll::Ready(Err(rejected::backend(gate.name(), true)));
            }
            Poll::Pending => {
                if let Some(timer) = this.timer.as_mut().as_pin_mut()
                    && timer.poll(cx).is_ready()
                {
                    // Dropping the attempt leaves the fleet's line.
                    *this.leasing = None;
                    let failing = this
                        .failing
                        .take()
                        .is_some_and(|failing| failing.load(Ordering::Relaxed));
                    if failing {
                        gate.gate().refused(Refusal::Backend);
                        return Poll::Ready(Err(rejected::backend(gate.name(), true)));
                    }
                    return Poll::Ready(Err(wait_elapsed(gates)));
                }
                return Poll::Pending;
            }
        }
    }
    Poll::Ready(Ok(()))
}

/// The shortest of the gates' `key` (their `wait` or `timeout`), and the gate that set it.
fn shortest(
    gates: &'static Gates,
    key: fn(&GateRef) -> Option<Duration>,
) -> Option<(Duration, GateRef)> {
    gates
        .gates()
        .iter()
        .flatten()
        .filter_map(|gate| Some((key(gate)?, *gate)))
        .min_by_key(|(duration, _)| *duration)
}

impl<F, G> fmt::Debug for Gated<F, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatedCall")
            .field("gates", &self.gates)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

/// Whether a pool member's gates can turn its calls away (see [`Gates::rejects`]), as a type,
/// so that the call and what its value needs are chosen at compile time.
#[derive(Clone, Copy, Debug)]
pub struct Mode<const REJECTS: bool>;

/// `gates` with their [`Mode`], read from the `static` in a const context: the expansion names
/// a pool once, where the gates are built, so that a wrong path is one error.
#[inline]
pub const fn with_mode<const REJECTS: bool>(
    gates: &'static Gates,
) -> (&'static Gates, Mode<REJECTS>) {
    (gates, Mode)
}

/// The call of a pool member without rejecting keys of its own: through [`Gated`] when its
/// pool can turn calls away, and through the plain [`Call`] otherwise. Its output carries the
/// [`Mode`], for [`PoolOutput`](crate::rules::PoolOutput) to turn into the function's value.
#[inline]
pub fn member<const ENABLED: bool, const REJECTS: bool, F: Future>(
    _: Guard<ENABLED>,
    (gates, _): (&'static Gates, Mode<REJECTS>),
    body: F,
) -> Tagged<<Member<REJECTS, ENABLED> as MemberCall>::Call<F>, Mode<REJECTS>>
where
    Member<REJECTS, ENABLED>: MemberCall,
{
    Tagged {
        call: <Member<REJECTS, ENABLED> as MemberCall>::call(gates, body),
        mode: Mode,
    }
}

/// How a pool member is called, by whether its pool can turn calls away (`REJECTS`).
#[derive(Debug)]
pub struct Member<const REJECTS: bool, const ENABLED: bool>;

/// The call of a pool member (see [`Member`]).
pub trait MemberCall {
    /// The call's future.
    type Call<F: Future>: Future<Output = Result<F::Output, Rejected>>;

    /// Calls `body` behind `gates`.
    fn call<F: Future>(gates: &'static Gates, body: F) -> Self::Call<F>;
}

impl<const ENABLED: bool> MemberCall for Member<false, ENABLED> {
    type Call<F: Future> = Unrejected<Call<F, ENABLED>>;

    #[inline]
    fn call<F: Future>(gates: &'static Gates, body: F) -> Self::Call<F> {
        Unrejected {
            call: call::<ENABLED, F::Output, F>(gates, body),
        }
    }
}

impl<const ENABLED: bool> MemberCall for Member<true, ENABLED> {
    type Call<F: Future> = GatedCall<F, ENABLED>;

    #[inline]
    fn call<F: Future>(gates: &'static Gates, body: F) -> Self::Call<F> {
        gated::<ENABLED, F::Output, F>(gates, body)
    }
}

pin_project! {
    /// A plain [`Call`], whose output is always `Ok`.
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Unrejected<C> {
        #[pin]
        call: C,
    }
}

impl<C: Future> Future for Unrejected<C> {
    type Output = Result<C::Output, Rejected>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().call.poll(cx).map(Ok)
    }
}

pin_project! {
    /// A member's call, whose output carries its [`Mode`].
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Tagged<C, M> {
        #[pin]
        call: C,
        mode: M,
    }
}

impl<C: Future, M: Copy> Future for Tagged<C, M> {
    type Output = (M, C::Output);

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mode = *this.mode;
        this.call.poll(cx).map(|output| (mode, output))
    }
}
