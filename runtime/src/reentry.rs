//! The debug-build guard against a task asking a gate it already holds.
//!
//! A `#[bounded]` call polls its body inside [`Call`], which records, for the duration of each
//! poll, the gates whose permits the call holds. Every future polled from inside that poll (a
//! nested call, a `join_bounded!` of nested calls, a `block_on`) runs on the same thread within
//! it, so a nested call that asks for one of those gates sees it recorded and panics at once,
//! instead of deadlocking the day the gate is full. Other tasks, even on the same thread, are
//! polled outside and never see the record.
//!
//! The expansion turns the guard on with `cfg!(debug_assertions)` of the user's crate, so a
//! release build compiles [`Call`] to the permits and a plain poll of the body.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::pool::Pool;
use crate::semaphore::{Acquire, Permit, Semaphore};

/// One gate a call holds a permit of: its address, and its name for the message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeldGate {
    address: usize,
    name: &'static str,
}

impl HeldGate {
    /// The gate at `gate` (a `static`), called `name` in messages.
    pub(crate) fn new<G>(gate: &'static G, name: &'static str) -> Self {
        HeldGate {
            address: gate as *const G as usize,
            name,
        }
    }
}

thread_local! {
    /// The gates held by the calls being polled on this thread, innermost last.
    static HELD: RefCell<Vec<(HeldGate, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// Panics when the call being polled on this thread already holds `gate`: asking for it again
/// would wait for a permit that only this call can give back.
#[track_caller]
pub(crate) fn check<const ENABLED: bool>(gate: HeldGate, caller: &'static str) {
    if !ENABLED {
        return;
    }
    let holder = HELD.with(|held| {
        held.borrow()
            .iter()
            .find(|(held, _)| held.address == gate.address)
            .map(|(_, holder)| *holder)
    });
    if let Some(holder) = holder {
        panic!(
            "#[bounded]: `{caller}` asked for a permit of `{gate}` while this task already holds \
             one (taken by `{holder}`); once the gate is full, every holder would wait for a \
             nested call that can never start (a deadlock). Call an unbounded helper from the \
             bounded function instead. This check runs in debug builds only",
            gate = gate.name,
        );
    }
}

/// A gate of a `#[bounded]` function: its semaphore, and its name for messages.
#[derive(Clone, Copy, Debug)]
pub struct Gate {
    semaphore: &'static Semaphore,
    name: &'static str,
}

impl Gate {
    /// The function's own semaphore.
    pub const fn limit(semaphore: &'static Semaphore, name: &'static str) -> Self {
        Gate { semaphore, name }
    }

    /// A pool's semaphore.
    pub const fn pool<const CAPACITY: usize>(
        pool: &'static Pool<CAPACITY>,
        name: &'static str,
    ) -> Self {
        Gate {
            semaphore: pool.semaphore(),
            name,
        }
    }

    fn held(self) -> HeldGate {
        HeldGate::new(self.semaphore, self.name)
    }
}

/// The gates of a `#[bounded]` function, in the order they are taken, and its name: a
/// `static` of the expansion, so that a call's future holds one pointer to it.
#[derive(Debug)]
pub struct Gates {
    gates: [Option<Gate>; 2],
    caller: &'static str,
}

impl Gates {
    /// The function's own limit, then its pool.
    pub const fn new(limit: Option<Gate>, pool: Option<Gate>, caller: &'static str) -> Self {
        Gates {
            gates: [limit, pool],
            caller,
        }
    }
}

/// The call of a `#[bounded]` function: takes a permit of each of `gates`, in order, then runs
/// `body` while holding them. `ENABLED` turns on the debug guard (see the module docs).
///
/// The expansion names no local of its own: a `let` binding, even a hygienic one, would be
/// turned into a pattern by a user's constant or unit struct of the same name, so the permits
/// live here.
#[inline]
pub fn call<const ENABLED: bool, R, F: Future<Output = R>>(
    gates: &'static Gates,
    body: F,
) -> Call<F, ENABLED> {
    Call {
        body,
        permits: [None, None],
        acquire: None,
        gates,
        checked: false,
    }
}

/// The future of [`call`].
#[must_use = "futures do nothing unless polled"]
pub struct Call<F, const ENABLED: bool> {
    // Dropped first: the body's own state goes before its permits are given back.
    body: F,
    permits: [Option<Permit<'static>>; 2],
    /// The wait for the permit of the first gate not yet held.
    acquire: Option<Acquire<'static>>,
    gates: &'static Gates,
    checked: bool,
}

impl<F: Future, const ENABLED: bool> Future for Call<F, ENABLED> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `body` is pinned because `self` is: it is never moved out of or handed out
        // unpinned, and `Call` has no `Drop` of its own. Every other field is `Unpin`.
        let this = unsafe { self.get_unchecked_mut() };
        if ENABLED && !this.checked {
            this.checked = true;
            for gate in this.gates.gates.iter().flatten() {
                check::<true>(gate.held(), this.gates.caller);
            }
        }
        // The gates in their fixed order; a free permit is taken without an `acquire` future.
        for (gate, permit) in this.gates.gates.iter().zip(&mut this.permits) {
            let (Some(gate), None) = (gate, &permit) else {
                continue;
            };
            if this.acquire.is_none() {
                if let Some(free) = gate.semaphore.try_acquire() {
                    *permit = Some(free);
                    continue;
                }
                this.acquire = Some(gate.semaphore.acquire());
            }
            let acquire = this.acquire.as_mut().expect("set above");
            match Pin::new(acquire).poll(cx) {
                Poll::Ready(taken) => {
                    this.acquire = None;
                    *permit = Some(taken);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        let body = unsafe { Pin::new_unchecked(&mut this.body) };
        if !ENABLED {
            return body.poll(cx);
        }
        let _pop = record(
            this.gates.gates.iter().flatten().map(|gate| gate.held()),
            this.gates.caller,
        );
        body.poll(cx)
    }
}

impl<F, const ENABLED: bool> fmt::Debug for Call<F, ENABLED> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("gates", &self.gates)
            .finish_non_exhaustive()
    }
}

/// Records `gates` as held by `caller` on this thread until the returned guard is dropped.
fn record(gates: impl Iterator<Item = HeldGate>, caller: &'static str) -> impl Drop {
    /// Takes a poll's records off again, even when the body panics.
    struct Pop(usize);
    impl Drop for Pop {
        fn drop(&mut self) {
            HELD.with(|held| held.borrow_mut().truncate(self.0));
        }
    }
    Pop(HELD.with(|held| {
        let mut held = held.borrow_mut();
        let depth = held.len();
        held.extend(gates.map(|gate| (gate, caller)));
        depth
    }))
}

/// Polls `future` with `gates` recorded as held, for tests of the guard.
#[cfg(test)]
fn hold<const ENABLED: bool, R, F: Future<Output = R>>(
    gates: [Option<HeldGate>; 2],
    caller: &'static str,
    future: F,
) -> impl Future<Output = R> {
    let mut future = Box::pin(future);
    std::future::poll_fn(move |cx| {
        let _pop = ENABLED.then(|| record(gates.iter().flatten().copied(), caller));
        future.as_mut().poll(cx)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    static A: u8 = 0;
    static B: u8 = 0;

    fn a() -> HeldGate {
        HeldGate::new(&A, "app::A")
    }

    fn b() -> HeldGate {
        HeldGate::new(&B, "app::B")
    }

    #[test]
    fn a_nested_ask_for_a_held_gate_panics_and_names_both() {
        let outer = hold::<true, _, _>([Some(a()), None], "app::outer", async {
            check::<true>(b(), "app::other");
            check::<true>(a(), "app::inner");
        });
        let payload = catch_unwind(AssertUnwindSafe(|| {
            futures_util::FutureExt::now_or_never(outer)
        }))
        .expect_err("asking for a held gate panics");
        let message = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(
            message.contains("`app::inner` asked for a permit of `app::A`"),
            "{message}"
        );
        assert!(message.contains("taken by `app::outer`"), "{message}");
        // The records are gone after the panic: the thread is clean for the next task.
        check::<true>(a(), "app::next");
    }

    #[test]
    fn records_last_only_while_the_holder_is_polled() {
        let mut outer = Box::pin(hold::<true, _, _>(
            [Some(a()), Some(b())],
            "app::outer",
            futures_util::future::pending::<()>(),
        ));
        let waker = futures_util::task::noop_waker();
        assert!(
            outer
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        // Between polls, another task on this thread holds nothing.
        check::<true>(a(), "app::other_task");
        check::<true>(b(), "app::other_task");
    }

    #[test]
    fn disabled_records_nothing() {
        let outer = hold::<false, _, _>([Some(a()), None], "app::outer", async {
            check::<true>(a(), "app::inner");
        });
        assert_eq!(futures_util::FutureExt::now_or_never(outer), Some(()));
    }
}
