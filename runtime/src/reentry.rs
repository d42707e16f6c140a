//! The debug-build guard against a task asking a gate it already holds.
//!
//! A `#[bounded]` call polls its body inside [`Held`], which records, for the duration of each
//! poll, the gates whose permits the call holds. Every future polled from inside that poll (a
//! nested call, a `join_bounded!` of nested calls, a `block_on`) runs on the same thread within
//! it, so a nested call that asks for one of those gates sees it recorded and panics at once,
//! instead of deadlocking the day the gate is full. Other tasks, even on the same thread, are
//! polled outside and never see the record.
//!
//! The expansion turns the guard on with `cfg!(debug_assertions)` of the user's crate, so a
//! release build compiles [`Held`] to a plain poll of the body and [`check`] to nothing.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One gate a call holds a permit of: its address, and its name for the message.
#[derive(Clone, Copy, Debug)]
pub struct HeldGate {
    address: usize,
    name: &'static str,
}

impl HeldGate {
    /// The gate at `gate` (a `static`), called `name` in messages.
    pub fn new<G>(gate: &'static G, name: &'static str) -> Self {
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
pub fn check<const ENABLED: bool>(gate: HeldGate, caller: &'static str) {
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

/// Polls `future`, the body of a call that holds `gates`, with the gates recorded.
pub fn hold<const ENABLED: bool, R, F: Future<Output = R>>(
    gates: [Option<HeldGate>; 2],
    caller: &'static str,
    future: F,
) -> Held<F, ENABLED> {
    Held {
        future,
        gates,
        caller,
    }
}

/// The future of [`hold`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Held<F, const ENABLED: bool> {
    future: F,
    gates: [Option<HeldGate>; 2],
    caller: &'static str,
}

impl<F: Future, const ENABLED: bool> Future for Held<F, ENABLED> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is pinned because `self` is: it is never moved out of or handed out
        // unpinned, and `Held` has no `Drop` of its own.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if !ENABLED {
            return future.poll(cx);
        }
        /// Takes this poll's records off again, even when the body panics.
        struct Pop(usize);
        impl Drop for Pop {
            fn drop(&mut self) {
                HELD.with(|held| held.borrow_mut().truncate(self.0));
            }
        }
        let depth = HELD.with(|held| {
            let mut held = held.borrow_mut();
            let depth = held.len();
            held.extend(this.gates.iter().flatten().map(|gate| (*gate, this.caller)));
            depth
        });
        let _pop = Pop(depth);
        future.poll(cx)
    }
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
        let payload = catch_unwind(AssertUnwindSafe(|| futures_util::FutureExt::now_or_never(outer)))
            .expect_err("asking for a held gate panics");
        let message = payload.downcast_ref::<String>().expect("a formatted message");
        assert!(message.contains("`app::inner` asked for a permit of `app::A`"), "{message}");
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
        assert!(outer.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
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
