//! The slots that hold the futures in flight, and the per-slot wakers that record which of them
//! were woken.
//!
//! Slots live in boxed chunks of at most 64, so a future never moves once placed (it is pinned
//! where it lies) and each chunk's ready set is one atomic word. Chunks are added only when the
//! join actually needs more futures in flight, so a large `limit` over a short input allocates
//! nothing it does not use, and the number of allocations depends on the concurrency reached,
//! never on the number of items.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Slots per chunk: one bit each in the chunk's ready word.
pub(super) const CHUNK: usize = 64;

/// Identifies a slot: `chunk * CHUNK + offset`.
pub(super) type SlotId = usize;

pub(super) struct Slots<F> {
    chunks: Vec<Chunk<F>>,
    /// Empty slots; the most recently freed is reused first, with its waker.
    free: Vec<SlotId>,
    /// Total slots across chunks.
    capacity: usize,
    occupied: usize,
    /// The waker of the task polling the join; every slot's waker wakes it.
    parent: Arc<AtomicWaker>,
}

struct Chunk<F> {
    /// Never reallocated while the join lives: futures are pinned in place.
    slots: Box<[Slot<F>]>,
    ready: Arc<ReadyWord>,
}

struct Slot<F> {
    future: Option<F>,
    /// The input index of the future in this slot.
    index: usize,
    /// Created the first time the slot is polled, then reused by every future placed in it.
    waker: Option<Waker>,
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

    /// How many futures are in flight.
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

    /// Places `future` (input `index`) in an empty slot, adding a chunk if every slot is full.
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
        let slot = self.slot_mut(id);
        debug_assert!(slot.future.is_none(), "a slot is filled only when empty");
        slot.index = index;
        slot.future = Some(future);
    }

    /// Adds a chunk of `room` slots (at least 1, at most `CHUNK`) and returns its first slot.
    fn grow(&mut self, room: usize) -> SlotId {
        let len = room.clamp(1, CHUNK);
        let ready = Arc::new(ReadyWord {
            bits: AtomicU64::new(0),
            parent: Arc::clone(&self.parent),
        });
        let slots = (0..len)
            .map(|_| Slot {
                future: None,
                index: 0,
                waker: None,
            })
            .collect();
        let first = self.chunks.len() * CHUNK;
        self.chunks.push(Chunk { slots, ready });
        self.capacity += len;
        // The rest of the chunk waits in the free list, lowest id on top.
        self.free.extend((first + 1..first + len).rev());
        first
    }

    /// Drops the finished future in slot `id` in place; the slot stays reserved for the next
    /// item, or is given back with [`Slots::release`].
    pub(super) fn drop_future(&mut self, id: SlotId) {
        self.slot_mut(id).future = None;
    }

    /// Gives back slot `id`, which is empty, to the free list.
    pub(super) fn release(&mut self, id: SlotId) {
        self.occupied -= 1;
        self.free.push(id);
    }

    /// Drops every future in flight, in place. The join is over: no slot is used again.
    pub(super) fn clear(&mut self) {
        for chunk in &mut self.chunks {
            for slot in chunk.slots.iter_mut() {
                slot.future = None;
            }
        }
        self.occupied = 0;
    }

    /// The input index of the future in slot `id`.
    ///
    /// Takes `&mut self`, like every access to a slot, because a shared reference to a slot (or
    /// to the slots of a chunk) would cover the future in it: creating one is a read of the whole
    /// future, which Stacked Borrows counts as invalidating the references an `async` block holds
    /// into itself across an `.await`. Mutable references to a `!Unpin` future are exempt.
    pub(super) fn index(&mut self, id: SlotId) -> usize {
        self.slot_mut(id).index
    }

    /// Whether slot `id` holds a future (a late wake can name a slot that has since emptied).
    ///
    /// Asks `Option<&mut F>` rather than calling `Option::is_some` on the slot's `Option<F>`,
    /// which would take a shared reference to the future; see [`Slots::index`]. (Do not
    /// simplify to `future.is_some()`.)
    pub(super) fn is_occupied(&mut self, id: SlotId) -> bool {
        self.slot_mut(id).future.as_mut().is_some()
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

    /// Marks slot `id` as woken, so the join's next poll polls it, and asks for that poll.
    pub(super) fn defer(&self, id: SlotId) {
        self.defer_ready(id / CHUNK, 1 << (id % CHUNK));
    }

    /// The slot of bit `bit` of chunk `chunk`'s ready set.
    pub(super) fn id(chunk: usize, bit: u32) -> SlotId {
        chunk * CHUNK + bit as usize
    }

    fn slot_mut(&mut self, id: SlotId) -> &mut Slot<F> {
        &mut self.chunks[id / CHUNK].slots[id % CHUNK]
    }
}

impl<F: Future> Slots<F> {
    /// Polls the future in slot `id` with the slot's own waker.
    ///
    /// On `Ready` the slot still holds the finished future, until [`Slots::drop_future`].
    pub(super) fn poll(&mut self, id: SlotId) -> Poll<F::Output> {
        let chunk = &mut self.chunks[id / CHUNK];
        let slot = &mut chunk.slots[id % CHUNK];
        let waker = slot.waker.get_or_insert_with(|| {
            Waker::from(Arc::new(SlotWaker {
                ready: Arc::clone(&chunk.ready),
                mask: 1 << (id % CHUNK),
            }))
        });
        let future = slot
            .future
            .as_mut()
            .expect("a slot is polled only while it holds a future");
        // SAFETY: the future lives in a boxed chunk that is never reallocated or moved out of
        // while the join exists, and it leaves the slot only by being dropped in place
        // (`slot.future = None` or an assignment over it), so it never moves once polled.
        let future = unsafe { Pin::new_unchecked(future) };
        future.poll(&mut Context::from_waker(waker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Ready;

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
}
