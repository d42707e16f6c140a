//! The list form of `join_bounded!`: one slot per future, pinned where the expansion put it, and
//! one item per slot for the join driver.
//!
//! The expansion gives the driver items of one generated enum, one variant per future, each
//! holding one of the items here. An item polls its slot's future and keeps what the strategy
//! keeps in the slot (the output, the `Ok` value or the `Outcome`), so that the expansion reads
//! the outputs back as a tuple in list order once the join returns; what the strategy hands to
//! the driver is the same type for every future. The conversions are function pointers chosen
//! in the expansion, where the futures' types are known, so that a type that does not fit is
//! reported at the user's future.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Outcome;

/// One future of a list-form join, then what its strategy keeps of its output.
pub struct Slot<F, V> {
    state: State<F, V>,
}

enum State<F, V> {
    Running(F),
    Kept(V),
    Empty,
}

impl<F: Future, V> Slot<F, V> {
    /// A slot running `future`.
    pub fn new(future: F) -> Self {
        Slot {
            state: State::Running(future),
        }
    }

    /// What was kept of the output, once the join has returned.
    ///
    /// # Panics
    ///
    /// When nothing was kept: the future did not finish, or its output was taken already.
    pub fn take(self: Pin<&mut Self>) -> V {
        assert!(
            matches!(self.state, State::Kept(_)),
            "join_bounded!: an output was read before its future finished"
        );
        // SAFETY: only the future is pinned, and the slot holds none: it is `State::Kept`.
        let this = unsafe { self.get_unchecked_mut() };
        match std::mem::replace(&mut this.state, State::Empty) {
            State::Kept(value) => value,
            State::Running(_) | State::Empty => unreachable!(),
        }
    }

    /// Polls the future; once it finishes, drops it at once and returns its output.
    fn poll_future(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: the future is pinned with the slot: it is never moved out of `State::Running`,
        // only dropped in place (by `set`) when it finishes or with the slot.
        let future = match &mut unsafe { self.as_mut().get_unchecked_mut() }.state {
            State::Running(future) => unsafe { Pin::new_unchecked(future) },
            State::Kept(_) | State::Empty => {
                panic!("join_bounded!: a future polled after it finished")
            }
        };
        let output = std::task::ready!(future.poll(cx));
        self.set(Slot {
            state: State::Empty,
        });
        Poll::Ready(output)
    }

    fn keep(mut self: Pin<&mut Self>, value: V) {
        self.set(Slot {
            state: State::Kept(value),
        });
    }
}

impl<F, V> fmt::Debug for Slot<F, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Running(_) => "running",
            State::Kept(_) => "finished",
            State::Empty => "empty",
        };
        f.debug_tuple("Slot").field(&state).finish()
    }
}

/// What the driver polls: one item of a list-form join.
pub trait ListItem: Unpin {
    /// What the driver's collector gets, one type for every future of the list.
    type Output;

    /// Polls the item's future.
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Self::Output>;
}

/// `"join"`: keeps the output.
pub struct Keep<'a, F: Future> {
    slot: Pin<&'a mut Slot<F, F::Output>>,
}

impl<'a, F: Future> Keep<'a, F> {
    /// The item of `slot`.
    pub fn new(slot: Pin<&'a mut Slot<F, F::Output>>) -> Self {
        Keep { slot }
    }
}

impl<F: Future> ListItem for Keep<'_, F> {
    type Output = ();

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let output = std::task::ready!(self.slot.as_mut().poll_future(cx));
        self.slot.as_mut().keep(output);
        Poll::Ready(())
    }
}

/// `"all"`: keeps the `Ok` value and hands an `Err`, in the list's one error type, to the driver.
pub struct KeepOk<'a, F: Future, T, E1, E> {
    slot: Pin<&'a mut Slot<F, T>>,
    result: fn(F::Output) -> Result<T, E1>,
    error: fn(E1) -> E,
}

impl<'a, F: Future, T, E1, E> KeepOk<'a, F, T, E1, E> {
    /// The item of `slot`; `result` reads the output as a `Result`, `error` converts its error
    /// to the list's.
    pub fn new(
        slot: Pin<&'a mut Slot<F, T>>,
        result: fn(F::Output) -> Result<T, E1>,
        error: fn(E1) -> E,
    ) -> Self {
        KeepOk {
            slot,
            result,
            error,
        }
    }
}

impl<F: Future, T, E1, E> ListItem for KeepOk<'_, F, T, E1, E> {
    type Output = Result<(), E>;

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        let output = std::task::ready!(self.slot.as_mut().poll_future(cx));
        Poll::Ready(match (self.result)(output) {
            Ok(value) => {
                self.slot.as_mut().keep(value);
                Ok(())
            }
            Err(error) => Err((self.error)(error)),
        })
    }
}

/// `"settled"`: keeps the `Ok`, the `Err` or the panic as an [`Outcome`].
pub struct Settle<'a, F: Future, T, E> {
    slot: Pin<&'a mut Slot<F, Outcome<T, E>>>,
    outcome: fn(F::Output) -> Outcome<T, E>,
}

impl<'a, F: Future, T, E> Settle<'a, F, T, E> {
    /// The item of `slot`; `outcome` reads the output as an `Outcome`.
    pub fn new(
        slot: Pin<&'a mut Slot<F, Outcome<T, E>>>,
        outcome: fn(F::Output) -> Outcome<T, E>,
    ) -> Self {
        Settle { slot, outcome }
    }
}

impl<F: Future, T, E> ListItem for Settle<'_, F, T, E> {
    type Output = ();

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let slot = &mut self.slot;
        let caught = panic::catch_unwind(AssertUnwindSafe(|| slot.as_mut().poll_future(cx)));
        let outcome = match caught {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => (self.outcome)(output),
            Err(payload) => {
                // The future that panicked is dropped now, as a finished one would be.
                self.slot.set(Slot {
                    state: State::Empty,
                });
                Outcome::from_caught(Err(payload))
            }
        };
        self.slot.as_mut().keep(outcome);
        Poll::Ready(())
    }
}

/// `"any"` and `"race"`: keeps nothing and hands the output, in the list's one output type, to
/// the driver.
pub struct Pass<'a, F: Future, M, O> {
    slot: Pin<&'a mut Slot<F, PhantomData<O>>>,
    read: fn(F::Output) -> M,
    output: fn(M) -> O,
}

impl<'a, F: Future, M, O> Pass<'a, F, M, O> {
    /// The item of `slot`; `read` reads its output (as a `Result` for `"any"`), `output`
    /// converts that to the list's.
    pub fn new(
        slot: Pin<&'a mut Slot<F, PhantomData<O>>>,
        read: fn(F::Output) -> M,
        output: fn(M) -> O,
    ) -> Self {
        Pass { slot, read, output }
    }
}

impl<F: Future, M, O> ListItem for Pass<'_, F, M, O> {
    type Output = O;

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<O> {
        let output = std::task::ready!(self.slot.as_mut().poll_future(cx));
        Poll::Ready((self.output)((self.read)(output)))
    }
}

/// Runs `body` on `args`: the expansion's body is a closure whose argument types, and so every
/// check in it, are those of the user's futures.
pub fn run_list<A, R>(args: A, body: impl FnOnce(A) -> R) -> R {
    body(args)
}
