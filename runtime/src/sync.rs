//! The synchronisation primitives the gate is built from, named in one place: the atomics, the
//! lock and the cell that holds the waiters' links and wakers.
//!
//! The gate takes them from here and nowhere else, so that a model-checking build (loom) can
//! swap these few names for its own instrumented ones without touching the gate. The cell has
//! loom's shape for that reason: its contents are reached through [`UnsafeCell::with_mut`], never
//! through a reference kept around.

pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
pub(crate) use std::sync::{Mutex, MutexGuard};

/// An [`std::cell::UnsafeCell`] reached through a closure, as loom's `UnsafeCell` is.
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

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
