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

thread_local! {
    /// The gates held by the calls being polled on this thread, innermost last, with the name
    /// of the call that holds each.
    static HELD: RefCell<Vec<(Gate, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// Panics when the call being polled on this thread already holds `gate`: asking for it again
/// would wait for a permit that only this call can give back.
fn check(gate: Gate, caller: &'static str) {
    let holder = HELD.with(|held| {
        held.borrow()
            .iter()
            .find(|(held, _)| std::ptr::eq(held.semaphore, gate.semaphore))
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
                check(*gate, this.gates.caller);
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
            this.gates.gates.iter().flatten().copied(),
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
fn record(gates: impl Iterator<Item = Gate>, caller: &'static str) -> impl Drop {
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// A gate `app::A` and a gate `app::B`, and the gates of a call `app::outer` holding `A`
    /// (`$a_only`) or both (`$both`): statics of each test's own, since tests run in parallel.
    macro_rules! gates {
        ($a:ident, $b:ident, $a_only:ident, $both:ident) => {
            static $a: Semaphore = Semaphore::new(1);
            static $b: Semaphore = Semaphore::new(1);
            static $a_only: Gates =
                Gates::new(Some(Gate::limit(&$a, "app::A")), None, "app::outer");
            static $both: Gates = Gates::new(
                Some(Gate::limit(&$a, "app::A")),
                Some(Gate::limit(&$b, "app::B")),
                "app::outer",
            );
        };
    }

    #[test]
    fn a_nested_ask_for_a_held_gate_panics_and_names_both() {
        gates!(A, B, HOLDS_A, _BOTH);
        let outer = call::<true, _, _>(&HOLDS_A, async {
            check(Gate::limit(&B, "app::B"), "app::other");
            check(Gate::limit(&A, "app::A"), "app::inner");
        });
        let payload = catch_unwind(AssertUnwindSafe(|| outer.now_or_never()))
            .expect_err("asking for a held gate panics");
        let message = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(
            message.contains("`app::inner` asked for a permit of `app::A`"),
            "{message}"
        );
        assert!(message.contains("taken by `app::outer`"), "{message}");
        // The records are gone after the panic, and so is the permit.
        check(Gate::limit(&A, "app::A"), "app::next");
        assert_eq!(A.in_flight(), 0);
    }

    #[test]
    fn records_last_only_while_the_holder_is_polled() {
        gates!(A, B, _HOLDS_A, BOTH);
        let mut outer = Box::pin(call::<true, _, _>(
            &BOTH,
            futures_util::future::pending::<()>(),
        ));
        let waker = futures_util::task::noop_waker();
        let polled = outer.as_mut().poll(&mut Context::from_waker(&waker));
        assert!(polled.is_pending());
        // Between polls, another task on this thread holds nothing, though `outer` holds both
        // permits.
        assert_eq!((A.in_flight(), B.in_flight()), (1, 1));
        check(Gate::limit(&A, "app::A"), "app::other_task");
        check(Gate::limit(&B, "app::B"), "app::other_task");
    }

    #[test]
    fn a_nested_call_of_the_same_gates_panics_before_it_waits() {
        gates!(A, _B, HOLDS_A, _BOTH);
        let outer = call::<true, _, _>(&HOLDS_A, async {
            call::<true, _, _>(&HOLDS_A, async {}).await;
        });
        assert!(catch_unwind(AssertUnwindSafe(|| outer.now_or_never())).is_err());
        assert_eq!(A.in_flight(), 0);
    }

    #[test]
    fn disabled_records_nothing() {
        gates!(A, _B, HOLDS_A, _BOTH);
        let outer = call::<false, _, _>(&HOLDS_A, async {
            check(Gate::limit(&A, "app::A"), "app::inner");
        });
        assert_eq!(outer.now_or_never(), Some(()));
    }
}
