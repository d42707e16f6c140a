//! The synchronisation primitives the gate is built from, named in one place: the atomics, the
//! lock and the cell that holds the waiters' links and wakers.
//!
//! The gate takes them from here and nowhere else, so that the model-checking build
//! (`--cfg loom`) swaps these few names for loom's instrumented ones without touching the gate.
//! The cell has loom's shape for that reason: its contents are reached through
//! [`UnsafeCell::with_mut`], never through a reference kept around.
//!
//! Loom's types have no `const` constructors, so under `cfg(loom)` the gate's constructors are
//! plain functions (each `const fn` that builds these types has a `cfg(loom)` twin); the models
//! build their gates at run time.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

/// An [`std::cell::UnsafeCell`] reached through a closure, as loom's `UnsafeCell` is.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a pointer to the contents. Reading or writing through it is up to the
    /// caller's own synchronisation (for the gate: its lock).
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
