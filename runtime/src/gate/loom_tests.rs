//! Loom models of the gate: every interleaving (up to a bound on preemptions) of a few threads
//! racing on one gate, with the gate's atomics, lock and cells swapped for loom's (see
//! `crate::sync`). Each model checks that no more calls hold a permit than the limit allows, and
//! that every permit comes back: a lost permit leaves a thread blocked, which loom reports as a
//! deadlock.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p bounded-async-runtime --no-default-features
//! --lib --release loom`; `LOOM_MAX_PREEMPTIONS` overrides the bounds set here.

use super::*;
use crate::sync::Ordering;
use loom::future::{AtomicWaker, block_on};
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::thread;
use std::future::poll_fn;
use std::pin::pin;
use std::task::Waker;

/// Checks `f` in every interleaving with at most `preemptions` preemptions per execution, unless
/// `LOOM_MAX_PREEMPTIONS` sets another bound for every model. Each model's bound is the highest
/// that keeps it within seconds on two cores.
fn model(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(preemptions);
    }
    builder.check(f);
}

/// A gate for one execution of a model: permits and waiters borrow it, and loom's threads need
/// `'static` borrows (each execution leaks one small gate).
fn leak(gate: Gate) -> &'static Gate {
    Box::leak(Box::new(gate))
}

/// Polls `acquire` once, with a waker that does nothing: enough to put it in line.
fn poll_once(acquire: Pin<&mut Acquire<'static>>) -> Poll<Permit<'static>> {
    acquire.poll(&mut Context::from_waker(Waker::noop()))
}

/// The calls holding a permit, counted by the callers themselves: entered once a permit is
/// held, left before it is given back, so the count is never above what the gate handed out.
#[derive(Default)]
struct Holders(AtomicUsize);

impl Holders {
    /// One more caller holds a permit; at most `limit` may.
    fn enter(&self, limit: usize) {
        let holding = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(holding <= limit, "{holding} hold a permit, limit {limit}");
    }

    fn leave(&self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A one-shot signal between a model's threads that a task can await: a deadline that fires, or
/// a caller telling it was admitted.
#[derive(Default)]
struct Signal {
    set: AtomicBool,
    waker: AtomicWaker,
}

impl Signal {
    fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.waker.register_by_ref(cx.waker());
        if self.set.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| self.poll(cx)).await;
    }
}

/// Everything came back: nothing held, nobody waiting, and the gate's permits all free again.
fn assert_drained(gate: &'static Gate) {
    assert_eq!((gate.in_flight(), gate.waiting()), (0, 0));
    let permits: Vec<_> = std::iter::from_fn(|| gate.try_acquire()).collect();
    assert_eq!(permits.len(), gate.limit(), "every permit is free again");
}

/// A waiter given up (its `Acquire` dropped) while a release grants it its permit: the permit is
/// passed on to the next in line, never lost.
#[test]
fn loom_grant_vs_cancel() {
    model(4, || {
        let gate = leak(Gate::new(1));
        let holders = Arc::new(Holders::default());
        let held = gate.try_acquire().expect("free");
        holders.enter(1);
        let mut first = Box::pin(gate.acquire());
        assert!(poll_once(first.as_mut()).is_pending());

        let next = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                let permit = block_on(gate.acquire());
                holders.enter(1);
                holders.leave();
                drop(permit);
            }
        });
        let release = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                holders.leave();
                drop(held);
            }
        });
        drop(first);

        release.join().unwrap();
        // Blocks forever (a deadlock, to loom) if the permit granted to `first` was lost.
        next.join().unwrap();
        assert_drained(gate);
    });
}

/// Two waiters and one release: the first in line is admitted first, and one permit admits
/// exactly one caller at a time.
#[test]
fn loom_two_waiters_and_a_release() {
    model(3, || {
        let gate = leak(Gate::new(1));
        let holders = Arc::new(Holders::default());
        let admissions = Arc::new(AtomicUsize::new(0));
        let held = gate.try_acquire().expect("free");
        holders.enter(1);
        let mut first = Box::pin(gate.acquire());
        assert!(poll_once(first.as_mut()).is_pending());

        // In line behind `first`, joining while the permit comes back.
        let second = thread::spawn({
            let (holders, admissions) = (Arc::clone(&holders), Arc::clone(&admissions));
            move || {
                let permit = block_on(gate.acquire());
                holders.enter(1);
                let order = admissions.fetch_add(1, Ordering::SeqCst);
                assert_eq!(order, 1, "the second in line is admitted second");
                holders.leave();
                drop(permit);
            }
        });
        let release = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                holders.leave();
                drop(held);
            }
        });

        let permit = block_on(first);
        holders.enter(1);
        let order = admissions.fetch_add(1, Ordering::SeqCst);
        assert_eq!(order, 0, "the first in line is admitted first");
        holders.leave();
        drop(permit);

        release.join().unwrap();
        second.join().unwrap();
        assert_eq!(admissions.load(Ordering::SeqCst), 2);
        assert_drained(gate);
    });
}

/// `set_limit` raised while callers wait: the new permit admits a waiter at once, while the old
/// one is still held, and the rest drain.
#[test]
fn loom_set_limit_raised_vs_waiters() {
    model(2, || {
        let gate = leak(Gate::new(1).with_max(2));
        let holders = Arc::new(Holders::default());
        let admitted = Arc::new(Signal::default());
        let held = gate.try_acquire().expect("free");
        holders.enter(1);

        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let (holders, admitted) = (Arc::clone(&holders), Arc::clone(&admitted));
                thread::spawn(move || {
                    let permit = block_on(gate.acquire());
                    holders.enter(2);
                    admitted.set();
                    holders.leave();
                    drop(permit);
                })
            })
            .collect();

        gate.set_limit(2).unwrap();
        // Blocks forever unless raising the limit admitted a waiter while `held` is still out.
        block_on(admitted.wait());
        holders.leave();
        drop(held);

        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(gate.limit(), 2);
        assert_drained(gate);
    });
}

/// `set_limit` lowered below the permits in flight while a caller waits: nothing is revoked, the
/// first permit given back pays the debt, and the waiter is admitted only once it would be
/// within the new limit, whichever release comes first.
#[test]
fn loom_set_limit_lowered_vs_a_waiter() {
    model(3, || {
        let gate = leak(Gate::new(2));
        let holders = Arc::new(Holders::default());
        let [first, second] = [(); 2].map(|()| {
            let permit = gate.try_acquire().expect("free");
            holders.enter(2);
            permit
        });

        let waiter = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                let permit = block_on(gate.acquire());
                // No permit was given back before the limit was lowered to 1.
                holders.enter(1);
                holders.leave();
                drop(permit);
            }
        });

        gate.set_limit(1).unwrap();
        let release = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                holders.leave();
                drop(first);
            }
        });
        holders.leave();
        drop(second);

        release.join().unwrap();
        waiter.join().unwrap();
        assert_eq!(gate.limit(), 1);
        assert_drained(gate);
    });
}

/// `try_acquire` while a caller waits: it does not barge, the permit given back goes to the
/// waiter.
#[test]
fn loom_try_acquire_vs_a_waiter() {
    model(3, || {
        let gate = leak(Gate::new(1));
        let holders = Arc::new(Holders::default());
        let queued = Arc::new(AtomicBool::new(false));
        let released = Arc::new(AtomicBool::new(false));
        let held = gate.try_acquire().expect("free");
        holders.enter(1);

        let waiter = thread::spawn({
            let (holders, queued, released) = (
                Arc::clone(&holders),
                Arc::clone(&queued),
                Arc::clone(&released),
            );
            move || {
                let mut acquire = Box::pin(gate.acquire());
                let permit = match poll_once(acquire.as_mut()) {
                    Poll::Ready(permit) => permit,
                    Poll::Pending => {
                        queued.store(true, Ordering::SeqCst);
                        block_on(acquire)
                    }
                };
                holders.enter(1);
                holders.leave();
                released.store(true, Ordering::SeqCst);
                drop(permit);
            }
        });

        // Given back by another thread, so that a try can come between the permit's return and
        // its hand-over to the waiter.
        let release = thread::spawn({
            let holders = Arc::clone(&holders);
            move || {
                holders.leave();
                drop(held);
            }
        });
        let waiting = queued.load(Ordering::SeqCst);
        let tried = gate.try_acquire();
        let waiter_done = released.load(Ordering::SeqCst);
        if waiting && !waiter_done {
            // The waiter was in line before the try, and had not given its permit back after.
            assert!(tried.is_none(), "try_acquire barged past a waiter");
        }
        if let Some(permit) = tried {
            holders.enter(1);
            holders.leave();
            drop(permit);
        }

        release.join().unwrap();
        waiter.join().unwrap();
        assert_drained(gate);
    });
}

/// A waiter whose deadline fires just as a release grants it a permit, given up the way the
/// `wait` key's timer gives it up (checked after the permit, then dropped): it uses the permit
/// or passes it on, never loses it.
#[test]
fn loom_deadline_vs_grant() {
    model(3, || {
        let gate = leak(Gate::new(1));
        let holders = Arc::new(Holders::default());
        let deadline = Arc::new(Signal::default());
        let held = gate.try_acquire().expect("free");
        holders.enter(1);

        let waiter = thread::spawn({
            let (holders, deadline) = (Arc::clone(&holders), Arc::clone(&deadline));
            move || {
                let admitted = block_on(async {
                    let mut admit = pin!(gate.admit());
                    poll_fn(|cx| match admit.as_mut().poll(cx) {
                        Poll::Ready(admitted) => Poll::Ready(Some(admitted)),
                        Poll::Pending => deadline.poll(cx).map(|()| None),
                    })
                    .await
                });
                match admitted {
                    Some(permit) => {
                        let permit = permit.expect("no queue bound");
                        holders.enter(1);
                        holders.leave();
                        drop(permit);
                        false
                    }
                    None => {
                        gate.refused(Refusal::WaitElapsed);
                        true
                    }
                }
            }
        });
        let timer = thread::spawn(move || deadline.set());

        holders.leave();
        drop(held);
        // The permit comes back here whether the waiter used it, gave it up, or never got it.
        let permit = block_on(gate.acquire());
        holders.enter(1);
        holders.leave();
        drop(permit);

        timer.join().unwrap();
        let timed_out = waiter.join().unwrap();
        assert_eq!(gate.stats().rejected.wait_elapsed, u64::from(timed_out));
        assert_drained(gate);
    });
}

/// Callers that can be refused, racing a release on a gate whose line holds `queue` of them:
/// each is admitted or refused with `QueueFull`, never both and never lost; no more than `queue`
/// of them ever wait; the stats count exactly the refusals; and every permit comes back. With
/// `queue = 0`, the refusal is the one made without the lock.
fn queue_bound_vs_a_release(queue: usize, n: usize) {
    let gate = leak(Gate::new(1).with_queue(queue));
    let holders = Arc::new(Holders::default());
    let refused = Arc::new(AtomicUsize::new(0));
    let held = gate.try_acquire().expect("free");
    holders.enter(1);

    let callers: Vec<_> = (0..n)
        .map(|_| {
            let (holders, refused) = (Arc::clone(&holders), Arc::clone(&refused));
            thread::spawn(move || match block_on(gate.admit()) {
                Ok(permit) => {
                    holders.enter(1);
                    holders.leave();
                    drop(permit);
                }
                Err(refusal) => {
                    assert_eq!(refusal, Refusal::QueueFull);
                    refused.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    assert!(gate.waiting() <= queue, "more wait than the queue holds");
    holders.leave();
    drop(held);

    for caller in callers {
        caller.join().unwrap();
    }
    let stats = gate.stats();
    let refused = refused.load(Ordering::SeqCst) as u64;
    assert_eq!(stats.rejected.queue_full, refused);
    assert_eq!(stats.admitted + refused, 1 + n as u64);
    assert_drained(gate);
}

#[test]
fn loom_shedding_vs_a_release() {
    model(4, || queue_bound_vs_a_release(0, 1));
}

#[test]
fn loom_queue_bound_vs_a_release() {
    model(2, || queue_bound_vs_a_release(1, 2));
}

/// An instant well after the rate's first slot (nanoseconds of the gates' clock).
const NOW: u64 = 1_000_000_000;

/// `threads` threads each take a slot at [`NOW`] from a rate of 1,000 a second with `burst`:
/// returns how many got one, and the rate's state.
fn takes_at_once(threads: usize, burst: u32) -> (usize, Arc<gcra::Gcra>) {
    let rate = Arc::new(gcra::Gcra::with(Rate::per_second(1000).with_burst(burst)));
    let taken = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (rate, taken) = (Arc::clone(&rate), Arc::clone(&taken));
            thread::spawn(move || {
                if rate.take(NOW).is_ok() {
                    taken.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    (taken.load(Ordering::SeqCst), rate)
}

/// Two calls race for the one slot due: exactly one gets it, and the next slot is due one
/// interval (1 ms) after it, neither sooner (a slot taken twice) nor later (a slot lost).
#[test]
fn loom_gcra_two_calls_one_slot() {
    model(3, || {
        let (taken, rate) = takes_at_once(2, 1);
        assert_eq!(taken, 1);
        assert_eq!(rate.take(NOW + 999_999), Err(NOW + 1_000_000));
        assert_eq!(rate.take(NOW + 1_000_000), Ok(()));
    });
}

/// Three calls race for a burst of 2: two go through at once, the third is told the slot after
/// theirs, as the burst allows (`TAT - tolerance`).
#[test]
fn loom_gcra_a_burst_is_taken_exactly() {
    model(3, || {
        let (taken, rate) = takes_at_once(3, 2);
        assert_eq!(taken, 2);
        assert_eq!(rate.take(NOW), Err(NOW + 1_000_000));
    });
}

/// A rate set while a call takes its slot: the call gets the slot due (it was due under either
/// rate), and the next slot is due one interval of the old rate or of the new one after it,
/// never a mix that comes sooner.
#[test]
fn loom_gcra_set_rate_vs_a_take() {
    model(3, || {
        let rate = Arc::new(gcra::Gcra::with(Rate::per_second(1000)));
        let setter = {
            let rate = Arc::clone(&rate);
            thread::spawn(move || rate.set(Rate::per_second(500)))
        };
        assert_eq!(rate.take(NOW), Ok(()));
        setter.join().unwrap();
        let next = rate.take(NOW).unwrap_err();
        assert!(
            next == NOW + 1_000_000 || next == NOW + 2_000_000,
            "next slot at {next}"
        );
    });
}
