//! A value set once and kept for the program's life, in a `static`: a gate's `metrics` handles,
//! a fleet-wide pool's connected backend.
//!
//! It is a pointer to a leaked `Box` rather than a `OnceLock`, which would give its holder a
//! destructor, and the gates' and pools' `const` builders with it (a `const fn` cannot drop the
//! value it replaces). What is set is never freed: its holders are `static`s.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

/// A value set at most once, then shared for the program's life.
pub(crate) struct Leaked<T>(AtomicPtr<T>);

impl<T: 'static> Leaked<T> {
    /// Nothing set yet.
    pub(crate) const fn new() -> Self {
        Leaked(AtomicPtr::new(ptr::null_mut()))
    }

    /// The value set, if any.
    #[inline]
    pub(crate) fn get(&self) -> Option<&'static T> {
        let value = self.0.load(Ordering::Acquire);
        // SAFETY: a non-null pointer was set by `set`, from a leaked `Box` (written before the
        // release that published it, read after this acquire), never freed or replaced.
        unsafe { value.as_ref() }
    }

    /// Sets `value` unless a value was set first: `Ok` with `value`, leaked, or `Err` with the
    /// value set first (and `value` dropped).
    pub(crate) fn set(&self, value: Box<T>) -> Result<&'static T, &'static T> {
        let new = Box::into_raw(value);
        match self
            .0
            .compare_exchange(ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: `new` is from `Box::into_raw`, published, and never freed.
            Ok(_) => Ok(unsafe { &*new }),
            Err(first) => {
                // SAFETY: `new` is from `Box::into_raw` just above and was never shared; `first`
                // was set, from a leaked `Box`, and is never freed.
                drop(unsafe { Box::from_raw(new) });
                Err(unsafe { &*first })
            }
        }
    }
}

impl<T: std::fmt::Debug + 'static> std::fmt::Debug for Leaked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.get() {
            Some(value) => f.debug_tuple("Leaked").field(value).finish(),
            None => f.write_str("Leaked(unset)"),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Leaked;

    /// Counts its drops, to tell which values were freed.
    struct Counted(usize, &'static AtomicUsize);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn unset_until_set_then_set_for_good() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        static ONCE: Leaked<Counted> = Leaked::new();
        assert!(ONCE.get().is_none());
        let first = ONCE.set(Box::new(Counted(1, &DROPS))).ok().expect("set");
        assert_eq!(first.0, 1);
        let again = ONCE
            .set(Box::new(Counted(2, &DROPS)))
            .err()
            .expect("set before");
        assert_eq!(again.0, 1);
        assert!(std::ptr::eq(first, again));
        assert_eq!(ONCE.get().map(|value| value.0), Some(1));
        // The second value was dropped; the first is kept.
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }

    /// Threads race to set it: one wins, every thread sees the winner's value, and every other
    /// value is dropped.
    #[test]
    fn threads_racing_to_set_it_agree_on_one_value() {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        static RACED: Leaked<Counted> = Leaked::new();
        let threads = if cfg!(miri) { 4 } else { 16 };
        let seen: Vec<(usize, bool)> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..threads)
                .map(|i| {
                    scope.spawn(move || match RACED.set(Box::new(Counted(i, &DROPS))) {
                        Ok(value) => (value.0, true),
                        Err(value) => (value.0, false),
                    })
                })
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().unwrap())
                .collect()
        });
        let winner = RACED.get().expect("set").0;
        assert!(seen.iter().all(|(value, _)| *value == winner));
        assert_eq!(seen.iter().filter(|(_, won)| *won).count(), 1);
        assert_eq!(DROPS.load(Ordering::SeqCst), threads - 1);
    }
}
