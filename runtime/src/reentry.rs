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
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::gate::{Acquire, Gate, Permit};
use crate::pool::Pool;

thread_local! {
    /// The gates held by the calls being polled on this thread, innermost last, with the name
    /// of the call that holds each.
    static HELD: RefCell<Vec<(GateRef, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// Panics when the call being polled on this thread already holds `gate`: asking for it again
/// would wait for a permit that only this call can give back.
pub(crate) fn check(gate: GateRef, caller: &'static str) {
    let holder = HELD.with(|held| {
        held.borrow()
            .iter()
            .find(|(held, _)| std::ptr::eq(held.gate, gate.gate))
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

/// A gate of a `#[bounded]` function, its name for messages, and the `wait` and `timeout` of
/// the calls it admits.
#[derive(Clone, Copy, Debug)]
pub struct GateRef {
    gate: &'static Gate,
    name: &'static str,
    wait: Option<Duration>,
    timeout: Option<Duration>,
    /// Whether the gate's owner can turn calls away on its own: a pool with `queue`, `wait` or
    /// `timeout` (`REJECTS` in its type).
    rejects: bool,
}

impl GateRef {
    /// The function's own gate.
    pub const fn limit(gate: &'static Gate, name: &'static str) -> Self {
        GateRef {
            gate,
            name,
            wait: None,
            timeout: None,
            rejects: false,
        }
    }

    /// A pool's gate, with the pool's name, `wait` and `timeout`.
    pub const fn pool<
        const CAPACITY: usize,
        const MAX: usize,
        const REJECTS: bool,
        const PACE: u64,
    >(
        pool: &'static Pool<CAPACITY, MAX, REJECTS, PACE>,
    ) -> Self {
        GateRef {
            gate: pool.gate(),
            name: pool.name(),
            wait: pool.wait(),
            timeout: pool.timeout(),
            rejects: REJECTS,
        }
    }

    /// The same gate, whose calls wait at most `wait` to be admitted: the shorter of `wait` and
    /// the pool's, if it has one.
    pub const fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = Some(shorter(self.wait, wait));
        self
    }

    /// The same gate, whose calls run at most `timeout` once admitted: the shorter of `timeout`
    /// and the pool's, if it has one.
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(shorter(self.timeout, timeout));
        self
    }

    pub(crate) fn gate(&self) -> &'static Gate {
        self.gate
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The gate's bound on its line; only called for a gate that refused a call for it.
    pub(crate) fn queue(&self) -> usize {
        self.gate.queue().unwrap_or(0)
    }

    pub(crate) fn wait(&self) -> Option<Duration> {
        self.wait
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

/// The shorter of `set` (if any) and `new`.
const fn shorter(set: Option<Duration>, new: Duration) -> Duration {
    match set {
        Some(set) if set.as_nanos() < new.as_nanos() => set,
        _ => new,
    }
}

/// The gates of a `#[bounded]` function, in the order they are taken, and its name: a
/// `static` of the expansion, so that a call's future holds one pointer to it.
#[derive(Debug)]
pub struct Gates {
    gates: [Option<GateRef>; 2],
    caller: &'static str,
}

impl Gates {
    /// The function's own limit, then its pool.
    pub const fn new(limit: Option<GateRef>, pool: Option<GateRef>, caller: &'static str) -> Self {
        Gates {
            gates: [limit, pool],
            caller,
        }
    }

    /// Whether one of the gates can turn calls away on its own (see [`GateRef`]), for the
    /// expansion to read in a const context.
    pub const fn rejects(&self) -> bool {
        matches!(self.gates[0], Some(GateRef { rejects: true, .. }))
            || matches!(self.gates[1], Some(GateRef { rejects: true, .. }))
    }

    pub(crate) fn gates(&self) -> &[Option<GateRef>; 2] {
        &self.gates
    }

    pub(crate) fn caller(&self) -> &'static str {
        self.caller
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
    Guarded {
        body,
        permits: [None, None],
        acquire: None,
        gates,
        checked: false,
        guard: PhantomData,
    }
}

pin_project! {
    /// The future of [`call`], named [`Call`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Guarded<F, G> {
        // Dropped first: the body's own state goes before its permits are given back.
        #[pin]
        body: F,
        permits: [Option<Permit<'static>>; 2],
        // The wait for the permit of the first gate not yet held: pinned, since it holds the
        // call's place in the gate's wait list.
        #[pin]
        acquire: Option<Acquire<'static>>,
        gates: &'static Gates,
        checked: bool,
        guard: PhantomData<G>,
    }
}

/// The future of [`call`]: `Guarded` with the debug guard on or off. (The const parameter is
/// carried by a type, [`Guard`], since `pin_project!` takes type parameters only.)
pub type Call<F, const ENABLED: bool> = Guarded<F, Guard<ENABLED>>;

/// Whether a [`Call`] runs the debug guard, as a type.
#[derive(Debug)]
pub struct Guard<const ENABLED: bool>;

/// A [`Guard`]'s flag.
pub trait Enabled {
    /// Whether the guard runs.
    const ENABLED: bool;
}

impl<const ENABLED: bool> Enabled for Guard<ENABLED> {
    const ENABLED: bool = ENABLED;
}

impl<F: Future, G: Enabled> Future for Guarded<F, G> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let enabled = G::ENABLED;
        let mut this = self.project();
        let gates: &'static Gates = this.gates;
        if enabled && !*this.checked {
            *this.checked = true;
            for gate in gates.gates.iter().flatten() {
                check(*gate, gates.caller);
            }
        }
        // The gates in their fixed order; a free permit is taken without an `acquire` future.
        for (gate, permit) in gates.gates.iter().zip(this.permits.iter_mut()) {
            let (Some(gate), None) = (gate, &permit) else {
                continue;
            };
            if this.acquire.is_none() {
                if let Some(free) = gate.gate.try_acquire() {
                    *permit = Some(free);
                    continue;
                }
                this.acquire.set(Some(gate.gate.acquire()));
            }
            let acquire = this.acquire.as_mut().as_pin_mut().expect("set above");
            match acquire.poll(cx) {
                Poll::Ready(taken) => {
                    this.acquire.set(None);
                    *permit = Some(taken);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        if !enabled {
            return this.body.poll(cx);
        }
        let _pop = record(gates.gates.iter().flatten().copied(), gates.caller);
        this.body.poll(cx)
    }
}

impl<F, G> fmt::Debug for Guarded<F, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("gates", &self.gates)
            .finish_non_exhaustive()
    }
}

/// Records `gates` as held by `caller` on this thread until the returned guard is dropped.
pub(crate) fn record(gates: impl Iterator<Item = GateRef>, caller: &'static str) -> impl Drop {
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// A gate `app::A` and a gate `app::B`, and the gates of a call `app::outer` holding `A`
    /// (`$a_only`) or both (`$both`): statics of each test's own, since tests run in parallel.
    macro_rules! gates {
        ($a:ident, $b:ident, $a_only:ident, $both:ident) => {
            static $a: Gate = Gate::new(1);
            static $b: Gate = Gate::new(1);
            static $a_only: Gates =
                Gates::new(Some(GateRef::limit(&$a, "app::A")), None, "app::outer");
            static $both: Gates = Gates::new(
                Some(GateRef::limit(&$a, "app::A")),
                Some(GateRef::limit(&$b, "app::B")),
                "app::outer",
            );
        };
    }

    #[test]
    fn a_nested_ask_for_a_held_gate_panics_and_names_both() {
        gates!(A, B, HOLDS_A, _BOTH);
        let outer = call::<true, _, _>(&HOLDS_A, async {
            check(GateRef::limit(&B, "app::B"), "app::other");
            check(GateRef::limit(&A, "app::A"), "app::inner");
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
        check(GateRef::limit(&A, "app::A"), "app::next");
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
        check(GateRef::limit(&A, "app::A"), "app::other_task");
        check(GateRef::limit(&B, "app::B"), "app::other_task");
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
            check(GateRef::limit(&A, "app::A"), "app::inner");
        });
        assert_eq!(outer.now_or_never(), Some(()));
    }
}
