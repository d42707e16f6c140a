//! The gate's wait list: an intrusive, doubly linked list of waiters that live inside the
//! callers' own (pinned) `Acquire` futures, so that waiting allocates nothing and a waiter that
//! gives up is unlinked in O(1).
//!
//! # Invariants
//!
//! - A [`Waiter`]'s links and waker are read and written only while the gate's lock is held
//!   (the lock guards the [`WaitList`], and every function here that touches a waiter's links
//!   takes `&mut WaitList`, which only the lock's guard hands out).
//! - A waiter is in the list from [`WaitList::push_back`] until [`WaitList::grant_front`] takes
//!   it off or [`WaitList::remove`] takes it out, and during that time it is pinned and alive: its
//!   `Acquire` is pinned before it is linked, and `Acquire`'s drop unlinks it (under the lock)
//!   before its memory can go. Pinning guarantees that drop runs before the memory of a pinned
//!   `!Unpin` value is reused (`mem::forget` of a pinned box leaks it instead), so no waiter's
//!   memory disappears while it is linked.
//! - `granted` is set only under the lock, by [`WaitList::grant_front`], so whoever holds the
//!   lock knows from it whether the waiter is still linked: linked exactly while its `Acquire`
//!   is waiting and `granted` is false. It is the last thing done to a granted waiter: its owner
//!   may free it as soon as it sees the flag, without taking the lock.

use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::task::Waker;

use super::pause::{Deadline, Pause};
use crate::sync::{AtomicBool, Ordering, UnsafeCell, const_unless_loom};

/// One caller waiting to be admitted, stored inside its `Acquire` future.
///
/// It is `!Unpin` (`PhantomPinned`): once linked, the list points at it, so it must not move.
/// Every field that another thread writes is an `UnsafeCell` or an atomic, and the owner only
/// ever reaches it through a shared reference, so the list's pointers and the owner's reference
/// may be used side by side.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// The neighbours in the list; guarded by the gate's lock.
    links: UnsafeCell<Links>,
    /// The waker to wake when the waiter is granted; guarded by the gate's lock.
    waker: UnsafeCell<Option<Waker>>,
    /// Set, under the lock, when the waiter is taken off the list with a permit of its own.
    granted: AtomicBool,
    _pinned: PhantomPinned,
}

#[derive(Debug, Default)]
struct Links {
    prev: Option<NonNull<Waiter>>,
    next: Option<NonNull<Waiter>>,
}

// SAFETY: the links and the waker are only touched under the gate's lock (see the module's
// invariants), `granted` is atomic, and `Waker` is `Send + Sync`; the raw pointers in `links`
// point at other waiters, which are only reached under that same lock.
unsafe impl Send for Waiter {}
// SAFETY: as for `Send`: through a shared reference, only the atomic is touched without the lock.
unsafe impl Sync for Waiter {}

impl Waiter {
    const_unless_loom! {
        pub(crate) fn new() -> Self {
            Waiter {
                links: UnsafeCell::new(Links {
                    prev: None,
                    next: None,
                }),
                waker: UnsafeCell::new(None),
                granted: AtomicBool::new(false),
                _pinned: PhantomPinned,
            }
        }
    }

    /// Whether the waiter was granted a permit. Read without the lock, it pairs with the
    /// `Release` store of [`WaitList::grant_front`].
    #[inline]
    pub(crate) fn is_granted(&self) -> bool {
        self.granted.load(Ordering::Acquire)
    }

    /// Stores `waker` as the one to wake, returning the waker it replaces (to be dropped after
    /// the lock is released: dropping a waker runs the executor's code). Keeps the stored one
    /// and returns `waker` when both would wake the same task.
    pub(crate) fn set_waker(&self, _list: &mut WaitList, waker: Waker) -> Option<Waker> {
        // SAFETY: `_list` is only reachable through the gate's lock, which guards the waker.
        self.waker.with_mut(|stored| unsafe {
            match &*stored {
                Some(old) if old.will_wake(&waker) => Some(waker),
                _ => (*stored).replace(waker),
            }
        })
    }

    /// Takes the stored waker, to wake or drop once the lock is released.
    pub(crate) fn take_waker(&self, _list: &mut WaitList) -> Option<Waker> {
        // SAFETY: `_list` is only reachable through the gate's lock, which guards the waker.
        self.waker.with_mut(|stored| unsafe { (*stored).take() })
    }
}

/// The waiters of a gate, first come first served, and the gate's pause, which holds them all
/// back while it lasts. Lives inside the gate's lock.
#[derive(Debug)]
pub(crate) struct WaitList {
    head: Option<NonNull<Waiter>>,
    tail: Option<NonNull<Waiter>>,
    len: usize,
    /// The gate's pause (see [`Gate::pause_for`](super::Gate::pause_for)).
    pub(crate) pause: Pause,
    /// Since when (nanoseconds of the rate's clock) the head has waited for a rate slot with a
    /// permit free, for the stats. Without the `tokio` feature, gates have no rate.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) slot_wait_since: Option<u64>,
    /// When the next rate slot is due, while the head of the line waits for one with a permit
    /// free: the head's timer wakes it then.
    pub(crate) slot_due: Option<Deadline>,
}

// SAFETY: the list only holds pointers to `Waiter`s, which are `Send + Sync`; it is only used
// under the gate's lock.
unsafe impl Send for WaitList {}

impl WaitList {
    pub(crate) const fn new() -> Self {
        WaitList {
            head: None,
            tail: None,
            len: 0,
            pause: Pause::new(),
            slot_wait_since: None,
            slot_due: None,
        }
    }

    /// Whether `waiter` is first in line.
    pub(crate) fn is_head(&self, waiter: &Waiter) -> bool {
        self.head == Some(NonNull::from(waiter))
    }

    /// Takes the waker of the waiter first in line, to wake once the lock is released (it stores
    /// a new one when its task polls it).
    pub(crate) fn head_waker(&mut self) -> Option<Waker> {
        // SAFETY: the head is in the list, so alive; we hold the lock (`&mut self`).
        let head = unsafe { self.head?.as_ref() };
        head.take_waker(self)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `waiter` at the tail.
    ///
    /// # Safety
    ///
    /// `waiter` is in no list, is pinned, and stays alive until it is taken off this list again
    /// (by [`grant_front`](Self::grant_front) or [`remove`](Self::remove)).
    pub(crate) unsafe fn push_back(&mut self, waiter: NonNull<Waiter>) {
        // SAFETY: `waiter` is alive (caller's contract); we hold the lock (`&mut self`).
        unsafe {
            links(waiter).with_mut(|links| {
                (*links).prev = self.tail;
                (*links).next = None;
            });
        }
        match self.tail {
            // SAFETY: the tail is in the list, so alive (the module's invariants).
            Some(tail) => unsafe { links(tail).with_mut(|links| (*links).next = Some(waiter)) },
            None => self.head = Some(waiter),
        }
        self.tail = Some(waiter);
        self.len += 1;
    }

    /// Takes the first waiter off the list, marks it granted and returns its waker (`None` when
    /// the list is empty; `Some(None)` when the waiter has no waker).
    ///
    /// The permit it is granted must already be accounted for: once `granted` is set, its owner
    /// may see it without the lock, return, and free the waiter, so the waiter is not touched
    /// after that store.
    pub(crate) fn grant_front(&mut self) -> Option<Option<Waker>> {
        let head = self.head?;
        // SAFETY: the head is in the list, so alive; we hold the lock.
        let (next, waker) = unsafe {
            let next = links(head).with_mut(|links| {
                let next = (*links).next.take();
                (*links).prev = None;
                next
            });
            (next, head.as_ref().take_waker(self))
        };
        match next {
            // SAFETY: `next` is in the list, so alive.
            Some(next) => unsafe { links(next).with_mut(|links| (*links).prev = None) },
            None => self.tail = None,
        }
        self.head = next;
        self.len -= 1;
        // SAFETY: `head` is alive until this store (its owner only frees it after seeing
        // `granted`, or under the lock, which we hold). `Release` publishes what was done for it
        // before; nothing touches it after.
        unsafe { head.as_ref() }
            .granted
            .store(true, Ordering::Release);
        Some(waker)
    }

    /// Unlinks `waiter`, in O(1).
    ///
    /// # Safety
    ///
    /// `waiter` is in this list.
    pub(crate) unsafe fn remove(&mut self, waiter: NonNull<Waiter>) {
        // SAFETY: `waiter` is in the list (caller's contract), so alive, and so are its
        // neighbours; we hold the lock.
        unsafe {
            let (prev, next) = links(waiter).with_mut(|links| {
                let links = &mut *links;
                (links.prev.take(), links.next.take())
            });
            match prev {
                Some(prev) => links(prev).with_mut(|links| (*links).next = next),
                None => {
                    debug_assert_eq!(
                        self.head,
                        Some(waiter),
                        "a waiter without `prev` is the head"
                    );
                    self.head = next;
                }
            }
            match next {
                Some(next) => links(next).with_mut(|links| (*links).prev = prev),
                None => {
                    debug_assert_eq!(
                        self.tail,
                        Some(waiter),
                        "a waiter without `next` is the tail"
                    );
                    self.tail = prev;
                }
            }
        }
        self.len -= 1;
    }
}

/// The links of `waiter`.
///
/// # Safety
///
/// `waiter` is alive (the returned reference does not outlive it).
unsafe fn links<'a>(waiter: NonNull<Waiter>) -> &'a UnsafeCell<Links> {
    // SAFETY: alive (the caller's contract). Only a shared reference to the `UnsafeCell` field is
    // made, never one to the whole waiter, so this does not conflict with its owner's.
    unsafe { &(*waiter.as_ptr()).links }
}

/// How many granted waiters' wakers are gathered before the lock is released to wake them.
pub(crate) const WAKE_BATCH: usize = 32;

/// Wakers of granted waiters, to wake once the lock is released: a fixed array, so gathering
/// them allocates nothing, and left uninitialised until used, so that making one (on every
/// slow-path call) writes nothing (as tokio's `WakeList` does). Waking or dropping a waker runs
/// the executor's code, which may come back to this gate, so neither happens under the lock.
pub(crate) struct WakeList {
    /// `wakers[woken..len]` are initialised: gathered and not woken yet.
    wakers: [MaybeUninit<Waker>; WAKE_BATCH],
    woken: usize,
    len: usize,
}

impl WakeList {
    pub(crate) fn new() -> Self {
        WakeList {
            wakers: [const { MaybeUninit::uninit() }; WAKE_BATCH],
            woken: 0,
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == WAKE_BATCH
    }

    /// Adds a waker; the list is not full, and not being woken.
    pub(crate) fn push(&mut self, waker: Waker) {
        assert!(
            !self.is_full(),
            "a full WakeList is woken before more are added"
        );
        self.wakers[self.len].write(waker);
        self.len += 1;
    }

    /// Wakes every waker gathered, in the order they were added, leaving the list empty. Called
    /// without the lock.
    pub(crate) fn wake_all(&mut self) {
        while self.woken < self.len {
            // SAFETY: `wakers[woken..len]` are initialised, and `woken` moves past this one
            // before it is woken, so it is read once: a panicking wake leaves the rest to `drop`.
            let waker = unsafe { self.wakers[self.woken].assume_init_read() };
            self.woken += 1;
            waker.wake();
        }
        self.woken = 0;
        self.len = 0;
    }
}

impl Drop for WakeList {
    /// Wakes the wakers left when one woken before them panicked: each belongs to a waiter
    /// granted a permit, which its task must come and take.
    fn drop(&mut self) {
        self.wake_all();
    }
}
