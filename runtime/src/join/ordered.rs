//! Outputs stored by input index as they arrive, in any order, returned as a `Vec` in input
//! order.
//!
//! A `Vec<Option<T>>` would do the same safely. It costs nothing more for outputs with a niche
//! (`String`, `Vec`, `Box`, references: `Option<String>` is as large as `String`), but every
//! other `T` pays for the tag, rounded up to `T`'s alignment: `Option<u64>` is 16 bytes, twice
//! `u64`, and `Option<[u64; 3]>` is 32, a third more than 24. Small plain outputs (counts, ids,
//! sizes) are common in joins, so here each output takes the size of `T`, plus one bit that says
//! whether it has arrived, and the finished `Vec<T>` reuses the same allocation.

use std::mem::{ManuallyDrop, MaybeUninit};

pub(super) struct Ordered<T> {
    /// Outputs by input index; `items[i]` is initialised exactly when bit `i` of `arrived` is set.
    items: Vec<MaybeUninit<T>>,
    arrived: Vec<u64>,
    count: usize,
}

/// The most outputs reserved up front, whatever the input's size hint says.
///
/// A size hint cannot be trusted for an allocation: `(0..).map(..)` says `usize::MAX` and
/// `0..1 << 40` is exact but far too large to hold, and `"all"` may stop at its first item. Up to
/// this many outputs are reserved at once (a few KiB for small outputs); past it, the outputs grow
/// by doubling as they arrive, which costs a logarithmic number of reallocations.
pub(super) const MAX_RESERVED: usize = 1024;

impl<T> Ordered<T> {
    /// Room for `expected` outputs (the input's lower size hint), up to [`MAX_RESERVED`].
    pub(super) fn with_expected(expected: usize) -> Self {
        let capacity = expected.min(MAX_RESERVED);
        Ordered {
            items: Vec::with_capacity(capacity),
            arrived: Vec::with_capacity(capacity.div_ceil(64)),
            count: 0,
        }
    }

    /// Stores the output of input `index`, which has not arrived before.
    #[inline]
    pub(super) fn put(&mut self, index: usize, value: T) {
        if index >= self.items.len() {
            self.grow_to(index + 1);
        }
        let (word, bit) = (index / 64, 1 << (index % 64));
        assert!(
            self.arrived[word] & bit == 0,
            "output {index} arrived twice"
        );
        self.items[index].write(value);
        self.arrived[word] |= bit;
        self.count += 1;
    }

    /// Makes room for outputs up to index `len - 1`.
    fn grow_to(&mut self, len: usize) {
        self.items.reserve(len - self.items.len());
        // SAFETY: the capacity was just reserved, and `MaybeUninit` elements need no
        // initialisation; the arrival set records that none of the new ones has arrived.
        unsafe { self.items.set_len(len) };
        let words = len.div_ceil(64);
        if words > self.arrived.len() {
            self.arrived.resize(words, 0);
        }
    }

    /// Every output, in input order.
    ///
    /// # Panics
    ///
    /// When an index below the highest one stored has no output: the join calls this only once
    /// every item it pulled has finished.
    pub(super) fn into_vec(self) -> Vec<T> {
        assert_eq!(
            self.count,
            self.items.len(),
            "every item pulled from the input has finished"
        );
        let mut this = ManuallyDrop::new(self);
        let mut items = ManuallyDrop::new(std::mem::take(&mut this.items));
        // SAFETY: all `items.len()` elements are initialised (every index below the length has
        // arrived, since `count` outputs were stored at distinct indices below it), and
        // `MaybeUninit<T>` has the layout of `T`, so the allocation is a valid `Vec<T>`. The
        // arrival set is freed here; `this` is never dropped, so nothing is dropped twice.
        unsafe {
            drop(std::mem::take(&mut this.arrived));
            Vec::from_raw_parts(
                items.as_mut_ptr().cast::<T>(),
                items.len(),
                items.capacity(),
            )
        }
    }
}

impl<T> Ordered<T> {
    /// Drops every output that arrived and has not been dropped yet. Each output's bit is
    /// cleared before the output is dropped, so that if its `Drop` panics, the set still says
    /// exactly which outputs remain to be dropped.
    fn drop_arrived(&mut self) {
        for word_index in 0..self.arrived.len() {
            loop {
                let bits = self.arrived[word_index];
                if bits == 0 {
                    break;
                }
                self.arrived[word_index] = bits & (bits - 1);
                let index = word_index * 64 + bits.trailing_zeros() as usize;
                // SAFETY: bit `index` was set, so `items[index]` is initialised; the bit is now
                // clear, so it is dropped once, even if this drop panics and the rest are
                // dropped by the guard in `Drop::drop`.
                unsafe { self.items[index].assume_init_drop() };
            }
        }
    }
}

impl<T> Drop for Ordered<T> {
    /// Drops the outputs that arrived, when the join ends early or is dropped.
    ///
    /// Like `Vec`, it drops every output even when one of their `Drop`s panics: the panic
    /// propagates once the others are dropped. (A second panic while unwinding aborts, as it
    /// does for `Vec`.)
    fn drop(&mut self) {
        /// Drops the outputs left when the drop of an earlier one panics.
        struct Rest<'a, T>(&'a mut Ordered<T>);

        impl<T> Drop for Rest<'_, T> {
            fn drop(&mut self) {
                self.0.drop_arrived();
            }
        }

        let rest = Rest(self);
        rest.0.drop_arrived();
        // Nothing is left: the guard has nothing to do.
        std::mem::forget(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    /// A value that counts its drops.
    struct Counted(Rc<std::cell::Cell<usize>>, usize);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn out_of_order_outputs_come_back_in_input_order() {
        let mut ordered = Ordered::with_expected(2);
        for index in [3, 0, 2, 1, 64, 5, 4] {
            ordered.put(index, index);
        }
        for index in 6..64 {
            ordered.put(index, index);
        }
        assert_eq!(ordered.into_vec(), (0..=64).collect::<Vec<_>>());
    }

    #[test]
    fn a_huge_expected_length_reserves_a_bounded_amount() {
        let mut ordered = Ordered::with_expected(usize::MAX);
        assert_eq!(ordered.items.capacity(), MAX_RESERVED);
        for index in (0..3 * MAX_RESERVED).rev() {
            ordered.put(index, index as u64);
        }
        assert!(
            ordered
                .into_vec()
                .into_iter()
                .eq(0..3 * MAX_RESERVED as u64)
        );
    }

    #[test]
    fn outputs_are_dropped_once_when_the_join_ends_early() {
        let drops = Rc::new(std::cell::Cell::new(0));
        let mut ordered = Ordered::with_expected(0);
        for index in [7, 1, 130, 64] {
            ordered.put(index, Counted(Rc::clone(&drops), index));
        }
        drop(ordered);
        assert_eq!(drops.get(), 4);
    }

    #[test]
    fn finished_outputs_are_dropped_once_by_the_vec() {
        let drops = Rc::new(std::cell::Cell::new(0));
        let mut ordered = Ordered::with_expected(3);
        for index in [2, 0, 1] {
            ordered.put(index, Counted(Rc::clone(&drops), index));
        }
        let outputs = ordered.into_vec();
        assert_eq!(outputs.iter().map(|c| c.1).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(drops.get(), 0);
        drop(outputs);
        assert_eq!(drops.get(), 3);
    }

    /// A value whose drop panics.
    struct PanicsOnDrop;

    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("output drop panicked");
        }
    }

    #[test]
    fn every_output_is_dropped_when_one_drop_panics() {
        let drops = Rc::new(std::cell::Cell::new(0));
        let mut ordered = Ordered::with_expected(0);
        let indices = [0, 2, 3, 63, 64, 65, 130];
        for index in indices {
            ordered.put(index, Err(Counted(Rc::clone(&drops), index)));
        }
        // Output 1 panics after output 0 is dropped, leaving the rest of its word and the
        // later words to the guard.
        ordered.put(1, Ok(PanicsOnDrop));
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(ordered)));
        let payload = dropped.expect_err("the output's panic propagates");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"output drop panicked")
        );
        assert_eq!(
            drops.get(),
            indices.len(),
            "the other outputs were all dropped"
        );
    }

    #[test]
    #[should_panic(expected = "every item pulled from the input has finished")]
    fn a_missing_output_is_an_error_not_uninitialised_memory() {
        let mut ordered = Ordered::with_expected(0);
        ordered.put(1, 1_u8);
        let _ = ordered.into_vec();
    }

    #[test]
    #[should_panic(expected = "output 0 arrived twice")]
    fn an_output_stored_twice_is_an_error() {
        let mut ordered = Ordered::with_expected(0);
        ordered.put(0, 1_u8);
        ordered.put(0, 2_u8);
    }
}
