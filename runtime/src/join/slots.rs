//! The slots that hold the futures in flight, and the per-slot wakers that record which of them
//! were woken.
//!
//! Slots live in boxed chunks of at most 64, so a future never moves once placed (it is pinned
//! where it lies) and each chunk's ready set is one atomic word. Chunks are added only when the
//! join actually needs more futures in flight, so a large `limit` over a short input allocates
//! nothing it does not use, and the number of allocations depends on the concurrency reached,
//! never on the number of items.

use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Slots per chunk: one bit each in the chunk's ready word.
pub(super) const CHUNK: usize = 64;

/// Identifies a slot: `chunk * CHUNK + offset`.
pub(super) type SlotId = usize;

/// The futures in flight of one join, each in a slot of its own.
///
/// # Invariants
///
/// - **A future never moves once placed.** Slots live in pinned boxed chunks that are never
///   reallocated (growing adds a chunk), and a slot is reachable only as a `Pin<&mut Slot<F>>`:
///   its future is placed, dropped and polled only through [`Slot`]'s own methods, which drop it
///   in place and never move it out. No `&mut Slot<F>` and no `&mut F` leave this module.
/// - **No shared reference covers a future.** Every access to a slot goes through `&mut self`:
///   a shared reference to a slot (or to the slots of a chunk) would cover the future in it, and
///   creating one is a read of the whole future, which Stacked Borrows counts as invalidating the
///   references an `async` block holds into itself across an `.await`. Mutable references to a
///   `!Unpin` slot are exempt.
/// - **Each slot is free or reserved.** A free slot is empty and listed in `free`; a reserved
///   slot (counted in `occupied`) holds a future, or is about to get the next item's.
/// - **A ready bit names a slot, not a future.** Bit `i` of a chunk's ready word is set by slot
///   `i`'s waker, or by the join deferring it; a slot that has emptied since is skipped
///   ([`Slots::is_occupied`]). A slot's waker is created once and reused by every future placed
///   in it.
pub(super) struct Slots<F> {
    chunks: Vec<Chunk<F>>,
    /// Free slots; the most recently freed is reused first, with its waker.
    free: Vec<SlotId>,
    /// Total slots across chunks.
    capacity: usize,
    /// Reserved slots: futures in flight, and slots about to be refilled.
    occupied: usize,
    /// The waker of the task polling the join; every slot's waker wakes it.
    parent: Arc<AtomicWaker>,
}

struct Chunk<F> {
    /// Pinned: never reallocated, and its slots never move, while the join lives.
    slots: Pin<Box<[Slot<F>]>>,
    ready: Arc<ReadyWord>,
}

/// One slot: a future in flight (or none), the input index it came from, and the slot's waker.
///
/// Reachable only pinned, and the future only through the methods below, so that a future placed
/// here is dropped where it lies and never moved.
struct Slot<F> {
    future: Option<F>,
    /// The input index of the future in this slot.
    index: usize,
    /// Created the first time the slot is polled, then reused by every future placed in it.
    waker: Option<Waker>,
    /// A slot is pinned whatever `F` is, so that its future field is never moved out of.
    _pinned: PhantomPinned,
}

impl<F> Slot<F> {
    fn empty() -> Self {
        Slot {
            future: None,
            index: 0,
            waker: None,
            _pinned: PhantomPinned,
        }
    }

    /// The slot's fields: the future pinned, the rest not (they are never pinned).
    fn project(self: Pin<&mut Self>) -> (Pin<&mut Option<F>>, &mut usize, &mut Option<Waker>) {
        // SAFETY: `future` is pinned structurally: it is never moved out of a pinned slot (it is
        // only replaced through `Pin::set`, which drops the old future in place), `Slot` has no
        // `Drop` of its own, and `Slot` is `!Unpin`. `index` and `waker` are not pinned, and
        // nothing here relies on their addresses.
        unsafe {
            let slot = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut slot.future),
                &mut slot.index,
                &mut slot.waker,
            )
        }
    }

    /// Places `future` (input `index`) in the slot, which is empty.
    fn set(self: Pin<&mut Self>, index: usize, future: F) {
        let (mut slot_future, slot_index, _) = self.project();
        debug_assert!(
            slot_future.as_mut().as_pin_mut().is_none(),
            "a slot is filled only when empty"
        );
        *slot_index = index;
        slot_future.set(Some(future));
    }

    /// Drops the future in the slot, in place.
    fn clear(self: Pin<&mut Self>) {
        self.project().0.set(None);
    }

    /// Whether the slot holds a future.
    ///
    /// Asks through `Pin<&mut F>` rather than `Option::is_some` on the slot's `Option<F>`, which
    /// would take a shared reference to the future; see the invariants on [`Slots`]. (Do not
    /// simplify to `future.is_some()`.)
    fn is_occupied(self: Pin<&mut Self>) -> bool {
        self.project().0.as_pin_mut().is_some()
    }

    /// The input index of the future in the slot.
    fn index(self: Pin<&mut Self>) -> usize {
        *self.project().1
    }
}

impl<F: Future> Slot<F> {
    /// Polls the future in the slot with the slot's waker, which `new_waker` makes the first
    /// time.
    fn poll(self: Pin<&mut Self>, new_waker: impl FnOnce() -> Waker) -> Poll<F::Output> {
        let (future, _, waker) = self.project();
        let waker = waker.get_or_insert_with(new_waker);
        let future = future
            .as_pin_mut()
            .expect("a slot is polled only while it holds a future");
        future.poll(&mut Context::from_waker(waker))
    }
}

/// One bit per slot of a chunk: set by the slot's waker, taken by the join when it polls.
struct ReadyWord {
    bits: AtomicU64,
    parent: Arc<AtomicWaker>,
}

struct SlotWaker {
    ready: Arc<ReadyWord>,
    mask: u64,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.bits.fetch_or(self.mask, Ordering::AcqRel);
        self.ready.parent.wake();
    }
}

impl<F> Slots<F> {
    pub(super) fn new() -> Self {
        Slots {
            chunks: Vec::new(),
            free: Vec::new(),
            capacity: 0,
            occupied: 0,
            parent: Arc::new(AtomicWaker::new()),
        }
    }

    /// How many slots are reserved: futures in flight, and slots about to be refilled.
    pub(super) fn occupied(&self) -> usize {
        self.occupied
    }

    /// Total slots allocated so far.
    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Makes `waker` the one every slot's waker wakes.
    pub(super) fn register(&self, waker: &Waker) {
        self.parent.register(waker);
    }

    /// Places `future` (input `index`) in a free slot, adding a chunk if none is free, and
    /// reserves the slot.
    ///
    /// `room` is how many slots the join may still need beyond those it has (bounded by the limit
    /// and by the input's remaining length, when known), so a new chunk is no larger than useful.
    pub(super) fn insert(&mut self, index: usize, future: F, room: usize) -> SlotId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => self.grow(room),
        };
        self.occupied += 1;
        self.place(id, index, future);
        id
    }

    /// Puts `future` (input `index`) in slot `id`, which is reserved and empty.
    pub(super) fn place(&mut self, id: SlotId, index: usize, future: F) {
        self.slot(id).set(index, future);
    }

    /// Adds a chunk of `room` slots (at least 1, at most `CHUNK`) and returns its first slot.
    fn grow(&mut self, room: usize) -> SlotId {
        let len = room.clamp(1, CHUNK);
        let ready = Arc::new(ReadyWord {
            bits: AtomicU64::new(0),
            parent: Arc::clone(&self.parent),
        });
        let slots: Box<[Slot<F>]> = (0..len).map(|_| Slot::empty()).collect();
        let first = self.chunks.len() * CHUNK;
        self.chunks.push(Chunk {
            slots: Box::into_pin(slots),
            ready,
        });
        self.capacity += len;
        // The rest of the chunk waits in the free list, lowest id on top.
        self.free.extend((first + 1..first + len).rev());
        first
    }

    /// Drops the finished future in slot `id` in place; the slot stays reserved for the next
    /// item, or is given back with [`Slots::release`].
    pub(super) fn drop_future(&mut self, id: SlotId) {
        self.slot(id).clear();
    }

    /// Gives back slot `id`, which is reserved and empty, to the free list.
    pub(super) fn release(&mut self, id: SlotId) {
        debug_assert!(!self.is_occupied(id), "a slot is released only when empty");
        self.occupied -= 1;
        self.free.push(id);
    }

    /// Drops every future in flight, in place. The join is over: no slot is used again.
    pub(super) fn clear(&mut self) {
        for chunk in &mut self.chunks {
            for index in 0..chunk.slots.len() {
                Self::pinned(&mut chunk.slots, index).clear();
            }
        }
        self.occupied = 0;
    }

    /// The input index of the future in slot `id`.
    pub(super) fn index(&mut self, id: SlotId) -> usize {
        self.slot(id).index()
    }

    /// Whether slot `id` holds a future (a late wake can name a slot that has since emptied).
    pub(super) fn is_occupied(&mut self, id: SlotId) -> bool {
        self.slot(id).is_occupied()
    }

    /// How many chunks there are; woken slots are taken a chunk at a time.
    pub(super) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// Takes the woken slots of chunk `chunk`, as bits (see [`Slots::id`]).
    pub(super) fn take_ready(&self, chunk: usize) -> u64 {
        self.chunks[chunk].ready.bits.swap(0, Ordering::AcqRel)
    }

    /// Puts back woken slots of `chunk` that this poll did not get to, and asks to be polled
    /// again.
    pub(super) fn defer_ready(&self, chunk: usize, bits: u64) {
        self.chunks[chunk]
            .ready
            .bits
            .fetch_or(bits, Ordering::AcqRel);
        self.parent.wake();
    }

    /// Puts back woken slots of `chunk`, for a poll that is coming anyway (a stream's consumer
    /// polls it again for its next item): no wake-up.
    pub(super) fn put_back_ready(&self, chunk: usize, bits: u64) {
        self.chunks[chunk]
            .ready
            .bits
            .fetch_or(bits, Ordering::AcqRel);
    }

    /// Marks slot `id` as woken without a wake-up; see [`Slots::put_back_ready`].
    pub(super) fn mark_ready(&self, id: SlotId) {
        self.put_back_ready(id / CHUNK, 1 << (id % CHUNK));
    }

    /// Marks slot `id` as woken, so the join's next poll polls it, and asks for that poll.
    pub(super) fn defer(&self, id: SlotId) {
        self.defer_ready(id / CHUNK, 1 << (id % CHUNK));
    }

    /// The slot of bit `bit` of chunk `chunk`'s ready set.
    pub(super) fn id(chunk: usize, bit: u32) -> SlotId {
        chunk * CHUNK + bit as usize
    }

    /// Slot `id`, pinned.
    fn slot(&mut self, id: SlotId) -> Pin<&mut Slot<F>> {
        Self::pinned(&mut self.chunks[id / CHUNK].slots, id % CHUNK)
    }

    /// Slot `index` of a chunk's slots, pinned.
    fn pinned(slots: &mut Pin<Box<[Slot<F>]>>, index: usize) -> Pin<&mut Slot<F>> {
        // SAFETY: the elements of a pinned slice are pinned: indexing moves none of them.
        unsafe { slots.as_mut().map_unchecked_mut(|slots| &mut slots[index]) }
    }
}

impl<F: Future> Slots<F> {
    /// Polls the future in slot `id` with the slot's own waker.
    ///
    /// On `Ready` the slot still holds the finished future, until [`Slots::drop_future`].
    pub(super) fn poll(&mut self, id: SlotId) -> Poll<F::Output> {
        let Chunk { slots, ready } = &mut self.chunks[id / CHUNK];
        let mask = 1 << (id % CHUNK);
        Self::pinned(slots, id % CHUNK).poll(|| {
            Waker::from(Arc::new(SlotWaker {
                ready: Arc::clone(ready),
                mask,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::future::Ready;
    use std::rc::Rc;

    /// Counts its wakes.
    struct CountWakes(std::sync::atomic::AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A future that is pending `pending` times, checking on every poll that it has not moved
    /// since its first, and records its drop.
    struct StaysPut {
        first_address: Option<usize>,
        pending: usize,
        dropped: Rc<Cell<usize>>,
        _pinned: PhantomPinned,
    }

    impl StaysPut {
        fn new(pending: usize, dropped: &Rc<Cell<usize>>) -> Self {
            StaysPut {
                first_address: None,
                pending,
                dropped: Rc::clone(dropped),
                _pinned: PhantomPinned,
            }
        }
    }

    impl Future for StaysPut {
        type Output = usize;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            let address = &*self as *const Self as usize;
            // SAFETY: no field is pinned structurally; nothing is moved out.
            let this = unsafe { self.get_unchecked_mut() };
            let first = *this.first_address.get_or_insert(address);
            assert_eq!(first, address, "a pinned future moved between polls");
            if this.pending == 0 {
                return Poll::Ready(address);
            }
            this.pending -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    impl Drop for StaysPut {
        fn drop(&mut self) {
            self.dropped.set(self.dropped.get() + 1);
        }
    }

    /// Every bit set in the ready words, as slot ids.
    fn woken<F>(slots: &Slots<F>) -> Vec<SlotId> {
        let mut ids = Vec::new();
        for chunk in 0..slots.chunk_count() {
            let mut bits = slots.take_ready(chunk);
            while bits != 0 {
                ids.push(Slots::<F>::id(chunk, bits.trailing_zeros()));
                bits &= bits - 1;
            }
        }
        ids
    }

    #[test]
    fn a_new_chunk_has_between_1_and_64_slots_whatever_the_room() {
        // `room` comes from the limit and the input's size hint, which may be anything.
        let mut slots = Slots::<Ready<()>>::new();
        let first = slots.insert(0, std::future::ready(()), usize::MAX);
        assert_eq!((first, slots.capacity()), (0, CHUNK));
        for index in 1..CHUNK {
            slots.insert(index, std::future::ready(()), usize::MAX);
        }
        assert_eq!(slots.capacity(), CHUNK, "the free slots were used first");

        // A hint claiming nothing is left still gets a slot for the item in hand.
        let id = slots.insert(CHUNK, std::future::ready(()), 0);
        assert_eq!(
            (id, slots.capacity(), slots.occupied()),
            (CHUNK, CHUNK + 1, CHUNK + 1)
        );
    }

    #[test]
    fn futures_stay_put_while_chunks_are_added_around_them() {
        let dropped = Rc::new(Cell::new(0));
        let mut slots = Slots::new();
        let first = slots.insert(0, StaysPut::new(2, &dropped), 1);
        assert!(slots.poll(first).is_pending());
        // More chunks than the chunk list had room for, so the list itself reallocates.
        let others: Vec<SlotId> = (1..=3 * CHUNK)
            .map(|index| slots.insert(index, StaysPut::new(1, &dropped), 1))
            .collect();
        assert!(slots.chunk_count() > 4);
        assert!(slots.poll(first).is_pending());
        for &id in &others {
            assert!(slots.poll(id).is_pending());
        }
        let Poll::Ready(first_address) = slots.poll(first) else {
            panic!("the first future finishes on its third poll");
        };
        assert_eq!(slots.index(first), 0);
        slots.drop_future(first);
        assert_eq!(dropped.get(), 1, "dropped as soon as it finished");

        // A future placed in the reused slot lies where the first one did.
        slots.place(first, 99, StaysPut::new(0, &dropped));
        assert_eq!(slots.poll(first), Poll::Ready(first_address));
        assert_eq!(slots.index(first), 99);
        drop(slots);
        assert_eq!(dropped.get(), 2 + others.len(), "every future dropped once");
    }

    #[test]
    fn a_slot_is_free_or_reserved_and_the_last_freed_is_reused_first() {
        let dropped = Rc::new(Cell::new(0));
        let mut slots = Slots::new();
        let ids: Vec<SlotId> = (0..3)
            .map(|index| slots.insert(index, StaysPut::new(0, &dropped), 3))
            .collect();
        assert_eq!(
            (ids.as_slice(), slots.occupied()),
            ([0, 1, 2].as_slice(), 3)
        );

        // Finished but reserved: empty, still counted.
        slots.drop_future(1);
        assert!(!slots.is_occupied(1));
        assert_eq!(slots.occupied(), 3);
        slots.release(1);
        assert_eq!(slots.occupied(), 2);
        slots.drop_future(0);
        slots.release(0);

        assert_eq!(slots.insert(7, StaysPut::new(0, &dropped), 0), 0);
        assert_eq!(slots.insert(8, StaysPut::new(0, &dropped), 0), 1);
        assert_eq!(slots.capacity(), 3, "no chunk was added");
        assert_eq!((slots.index(0), slots.index(1)), (7, 8));
        assert_eq!(dropped.get(), 2);
    }

    #[test]
    fn clear_drops_every_future_in_place() {
        let dropped = Rc::new(Cell::new(0));
        let mut slots = Slots::new();
        for index in 0..CHUNK + 2 {
            let id = slots.insert(index, StaysPut::new(5, &dropped), usize::MAX);
            assert!(slots.poll(id).is_pending());
        }
        slots.clear();
        assert_eq!(dropped.get(), CHUNK + 2);
        assert_eq!(slots.occupied(), 0);
        assert!((0..CHUNK + 2).all(|id| !slots.is_occupied(id)));
        drop(slots);
        assert_eq!(dropped.get(), CHUNK + 2, "nothing is dropped twice");
    }

    #[test]
    fn a_slot_s_waker_marks_that_slot_and_wakes_the_join_s_task() {
        let dropped = Rc::new(Cell::new(0));
        let parent = Arc::new(CountWakes(0.into()));
        let parent_wakes = || parent.0.load(Ordering::SeqCst);
        let mut slots = Slots::new();
        // The join registers its task's waker on every poll; a wake takes it.
        let register = |slots: &Slots<StaysPut>| slots.register(&Waker::from(Arc::clone(&parent)));
        let ids: Vec<SlotId> = (0..CHUNK + 3)
            .map(|index| slots.insert(index, StaysPut::new(1, &dropped), usize::MAX))
            .collect();
        // Each future wakes itself when pending: its slot's bit, and the join's task.
        for (wakes, &id) in (1..).zip(&ids[CHUNK - 1..CHUNK + 1]) {
            register(&slots);
            assert!(slots.poll(id).is_pending());
            assert_eq!(parent_wakes(), wakes);
        }
        assert_eq!(woken(&slots), [CHUNK - 1, CHUNK]);
        assert_eq!(woken(&slots), [], "taking the bits clears them");

        // Deferred slots are marked the same way.
        register(&slots);
        slots.defer(2);
        register(&slots);
        slots.defer_ready(1, 0b11);
        assert_eq!(woken(&slots), [2, CHUNK, CHUNK + 1]);
        assert_eq!(parent_wakes(), 4);
    }

    #[test]
    fn a_future_placed_in_a_used_slot_gets_the_slot_s_waker() {
        /// Records the waker it is polled with, and stays pending.
        struct Records(Rc<Cell<Option<*const ()>>>);

        impl Future for Records {
            type Output = ();

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                self.0.set(Some(cx.waker().data()));
                Poll::Pending
            }
        }

        let seen = Rc::new(Cell::new(None));
        let mut slots = Slots::new();
        let id = slots.insert(0, Records(Rc::clone(&seen)), 1);
        assert!(slots.poll(id).is_pending());
        let first = seen.take();
        slots.drop_future(id);
        slots.place(id, 1, Records(Rc::clone(&seen)));
        assert!(slots.poll(id).is_pending());
        assert!(first.is_some());
        assert_eq!(seen.take(), first, "the slot's waker was reused");
    }

    #[test]
    fn a_future_that_panics_stays_in_its_slot_until_dropped_once() {
        /// Panics when polled; counts its drops.
        struct Panics(Rc<Cell<usize>>);

        impl Future for Panics {
            type Output = ();

            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
                panic!("the future panicked");
            }
        }

        impl Drop for Panics {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }

        let dropped = Rc::new(Cell::new(0));
        let mut slots = Slots::new();
        let id = slots.insert(0, Panics(Rc::clone(&dropped)), 1);
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| slots.poll(id)));
        assert!(polled.is_err());
        assert!(slots.is_occupied(id));
        assert_eq!(dropped.get(), 0);
        drop(slots);
        assert_eq!(dropped.get(), 1);
    }
}
