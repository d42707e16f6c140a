//! The synchronisation primitives the gate is built from, named in one place: the atomics, the
//! lock and the cell that holds the waiters' links and wakers.
//!
//! The gate takes them from here and nowhere else, so that the model-checking build
//! (`--cfg loom`) swaps these few names for loom's instrumented ones without touching the gate.
//! The cell has loom's shape for that reason: its contents are reached through
//! [`UnsafeCell::with_mut`], never through a reference kept around.
//!
//! Loom's types have no `const` constructors, so under `cfg(loom)` the gate's constructors are
//! plain functions ([`const_unless_loom`] defines both from one body); the models build their
//! gates at run time.

/// Defines functions that build the gate's primitives: `const fn`s in normal builds, so that
/// gates live in `static`s, and plain `fn`s under `cfg(loom)`, whose primitives have no `const`
/// constructors. One body serves both builds.
macro_rules! const_unless_loom {
    ($($(#[$attr:meta])* $vis:vis fn $name:ident($($params:tt)*) -> $ret:ty $body:block)*) => {
        $(
            $(#[$attr])*
            #[cfg(not(loom))]
            $vis const fn $name($($params)*) -> $ret $body

            $(#[$attr])*
            #[cfg(loom)]
            $vis fn $name($($params)*) -> $ret $body
        )*
    };
}
pub(crate) use const_unless_loom;

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
