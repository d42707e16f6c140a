//! The registry of gates: every gate built with [`Gate::listed`] (the gate of each `pool!` and of
//! each `#[bounded]` function), reachable at run time through [`gates`] and [`gate`].
//!
//! It is an intrusive, lock-free list: each gate carries its own link, and a gate joins the list
//! once, by one compare-exchange on the list's head, the first time it is used (see
//! [`Gate::listed`] for what counts as a use). Gates are never removed: they live in `static`s.
//! Listing allocates nothing, and adds no work to the uncontended call: a listed gate is created
//! with its slow-path bit set, so that its first caller takes the slow path, which lists it and
//! clears the bit.

use std::fmt;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use crate::gate::{Gate, Stats};

/// The most recently listed gate, or null; each gate links to the one listed before it.
static HEAD: AtomicPtr<Gate> = AtomicPtr::new(ptr::null_mut());

/// A gate's place in the registry.
pub(crate) struct Entry {
    /// The `static` that holds the gate, given by [`Gate::listed`]; `None` for a gate that is not
    /// to be listed.
    me: Option<&'static Gate>,
    /// Whether the gate's first use was seen (and the gate listed, if `me` is the gate itself).
    /// Written under the gate's lock.
    seen: AtomicBool,
    /// The gate listed before this one. Written only before this gate is published at the head.
    next: AtomicPtr<Gate>,
}

impl Entry {
    /// The entry of a gate that is not listed.
    pub(crate) const fn unlisted() -> Self {
        Entry {
            me: None,
            seen: AtomicBool::new(true),
            next: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The entry of the gate in the `static` `me`, listed on its first use.
    pub(crate) const fn listed(me: &'static Gate) -> Self {
        Entry {
            me: Some(me),
            seen: AtomicBool::new(false),
            next: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Whether the gate is one to be listed (it is in a `static`).
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    #[inline]
    pub(crate) fn is_listed(&self) -> bool {
        self.me.is_some()
    }

    /// Whether the gate is waiting for its first use, to be listed then.
    #[inline]
    pub(crate) fn is_fresh(&self) -> bool {
        !self.seen.load(Ordering::Acquire)
    }

    /// Under `gate`'s lock, on its first use: lists `gate`, if it is the `static` its entry
    /// names. Called once per gate: [`used`](Entry::used) follows under the same lock.
    #[cold]
    pub(crate) fn list(&self, gate: &Gate) {
        if let Some(me) = self.me
            && ptr::eq(me, gate)
        {
            push(me);
        }
    }

    /// Under the gate's lock, after [`list`](Entry::list) and after the gate's slow-path bit was
    /// cleared: the gate is no longer fresh.
    pub(crate) fn used(&self) {
        self.seen.store(true, Ordering::Release);
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("listed", &(self.me.is_some() && !self.is_fresh()))
            .finish()
    }
}

/// Publishes `gate` at the head of the list. Each gate is pushed at most once, and nothing is
/// ever removed, so a head seen by a failed exchange is never freed or reused (no ABA).
fn push(gate: &'static Gate) {
    let node = ptr::from_ref(gate).cast_mut();
    let mut head = HEAD.load(Ordering::Acquire);
    loop {
        gate.entry().next.store(head, Ordering::Relaxed);
        // Release: whoever reads the new head also sees its link and the gate's fields.
        match HEAD.compare_exchange_weak(head, node, Ordering::Release, Ordering::Acquire) {
            Ok(_) => return,
            Err(actual) => head = actual,
        }
    }
}

/// Every gate of the program that has been used so far: the gate of each `pool!` and of each
/// `#[bounded]` function with a `limit`, and each `static` [`Gate`] built with
/// [`Gate::listed`]; most recently listed first. A pool's gate is named after the pool, a
/// function's after the function (see [`gate`] for the exact names).
///
/// A gate is listed on its first use: its first call (or permit taken), or the first
/// [`set_limit`](Gate::set_limit) on it. Until then it is not in the list: a `#[bounded]`
/// function that has never been called cannot be found yet. To take a function's limit from
/// configuration before its first call, put it on a pool (`pool = DB`) and set the pool's
/// limit, which its `static` gives at any time (`DB.set_limit(n)`).
///
/// Reading the list takes no lock; it is as it was when `gates()` was called.
///
/// ```
/// use bounded_async::bounded;
///
/// #[bounded(limit = 4)]
/// async fn fetch(id: u64) -> u64 {
///     id
/// }
///
/// # futures::executor::block_on(async {
/// let name = concat!(module_path!(), "::fetch"); // "my_app::fetch" in a crate `my_app`
/// assert!(bounded_async::gates().all(|gate| gate.name() != name), "not called yet");
/// fetch(1).await;
/// assert!(bounded_async::gates().any(|gate| gate.name() == name));
/// for gate in bounded_async::gates() {
///     let stats = gate.stats();
///     println!("{}: {} in flight, limit {}", stats.name, stats.in_flight, stats.limit);
/// }
/// # });
/// ```
pub fn gates() -> AllGates {
    AllGates {
        next: HEAD.load(Ordering::Acquire),
    }
}

/// The listed gate named `name` (see [`gates`]), for its [`stats`](Gate::stats) or to
/// [`set_limit`](Gate::set_limit) through it. When several listed gates have the same name, the
/// one listed last. The names:
///
/// - A `#[bounded]` function's gate (the one its `limit` declares): its `module_path!()`, `::`
///   and its name, as in `my_app::client::fetch_user`.
/// - A method (a `#[bounded]` function with a `self` parameter): the same, then `@`, its file
///   (as `file!()` gives it) `:` and the line of its name, as in
///   `my_app::client::fetch@src/client.rs:42`, since the macro cannot see the type it belongs
///   to. An associated function without `self` is named as a function of its module.
/// - A pool: its module path and name, as in `my_app::DB`.
///
/// ```
/// use bounded_async::bounded;
///
/// #[bounded(limit = 2, max = 16)]
/// async fn fetch(id: u64) -> u64 {
///     id
/// }
///
/// # futures::executor::block_on(async {
/// fetch(1).await;
/// let gate = bounded_async::gate(concat!(module_path!(), "::fetch")).expect("called, so listed");
/// gate.set_limit(8)?;
/// assert_eq!((gate.limit(), gate.max(), gate.stats().admitted), (8, 16, 1));
/// assert!(bounded_async::gate("my_app::nothing_by_that_name").is_none());
/// # Ok::<(), bounded_async::LimitError>(())
/// # }).unwrap();
/// ```
pub fn gate(name: &str) -> Option<&'static Gate> {
    gates().find(|gate| gate.name() == name)
}

/// The iterator of [`gates`]: the listed gates, most recently listed first. Gates listed after it
/// was created are not in it.
///
/// ```
/// static LISTED: bounded_async::Gate = bounded_async::Gate::new(1).listed(&LISTED);
///
/// drop(LISTED.try_acquire());
/// let mut all: bounded_async::AllGates = bounded_async::gates();
/// assert!(all.any(|gate| std::ptr::eq(gate, &LISTED)));
/// ```
#[derive(Clone)]
pub struct AllGates {
    next: *const Gate,
}

// SAFETY: it only holds a pointer to a `&'static Gate`, and `Gate` is `Sync`.
unsafe impl Send for AllGates {}
// SAFETY: as above; shared, it is only read.
unsafe impl Sync for AllGates {}

impl Iterator for AllGates {
    type Item = &'static Gate;

    fn next(&mut self) -> Option<&'static Gate> {
        // SAFETY: every pointer in the list came from a `&'static Gate` (see `push`), and the
        // acquire loads that reached it see the gate as it was when it was published.
        let gate: &'static Gate = unsafe { self.next.as_ref() }?;
        self.next = gate.entry().next.load(Ordering::Acquire);
        Some(gate)
    }
}

impl std::iter::FusedIterator for AllGates {}

impl fmt::Debug for AllGates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.clone().map(Gate::name))
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::ptr;
    use std::sync::Barrier;
    use std::thread;

    use super::{gate, gates};
    use crate::gate::Gate;

    fn times_listed(wanted: &Gate) -> usize {
        gates().filter(|gate| ptr::eq(*gate, wanted)).count()
    }

    #[test]
    fn a_gate_is_listed_on_its_first_use_and_only_then() {
        static FIRST: Gate = Gate::new(2).with_name("registry::FIRST").listed(&FIRST);
        assert_eq!(times_listed(&FIRST), 0);
        assert!(gate("registry::FIRST").is_none());
        let permit = FIRST
            .try_acquire()
            .expect("a listed gate admits its first call");
        assert_eq!(FIRST.in_flight(), 1);
        drop(permit);
        assert_eq!(times_listed(&FIRST), 1);
        let found = gate("registry::FIRST").expect("listed");
        assert!(ptr::eq(found, &FIRST));
        assert_eq!(found.stats().name, "registry::FIRST");
        // Used again, it is not listed again, and its fast path is back.
        drop(FIRST.try_acquire());
        assert_eq!(times_listed(&FIRST), 1);
        assert_eq!(FIRST.stats().admitted, 2);
    }

    #[test]
    fn set_limit_is_a_first_use() {
        static CONFIGURED: Gate = Gate::new(2)
            .with_max(8)
            .with_name("registry::CONFIGURED")
            .listed(&CONFIGURED);
        CONFIGURED.set_limit(1).unwrap();
        assert_eq!(times_listed(&CONFIGURED), 1);
        let permit = CONFIGURED.try_acquire().expect("one permit");
        assert!(CONFIGURED.try_acquire().is_none(), "the limit is 1");
        drop(permit);
        assert_eq!(CONFIGURED.in_flight(), 0);
    }

    #[test]
    fn a_gate_given_another_static_is_not_listed() {
        static OTHER: Gate = Gate::new(1);
        static WRONG: Gate = Gate::new(1).listed(&OTHER);
        drop(WRONG.try_acquire().expect("it still admits"));
        assert!(WRONG.try_acquire().is_some());
        assert_eq!(times_listed(&WRONG), 0);
        assert_eq!(times_listed(&OTHER), 0);
    }

    #[test]
    fn unlisted_gates_are_never_listed() {
        let local = Gate::new(1).with_name("registry::local");
        drop(local.try_acquire());
        local.set_limit(1).unwrap();
        assert!(gate("registry::local").is_none());
    }

    /// Many threads use one fresh gate at once: it is listed once, and every one of them is
    /// admitted in turn (none is refused for the gate being fresh while another lists it).
    #[test]
    fn a_gate_used_by_many_threads_at_once_is_listed_once() {
        const THREADS: usize = if cfg!(miri) { 4 } else { 16 };
        static RACED: Gate = Gate::new(THREADS)
            .with_name("registry::RACED")
            .listed(&RACED);
        let start = Barrier::new(THREADS);
        thread::scope(|scope| {
            for _ in 0..THREADS {
                scope.spawn(|| {
                    start.wait();
                    let permit = RACED.try_acquire();
                    assert!(permit.is_some(), "{THREADS} permits for {THREADS} threads");
                });
            }
        });
        assert_eq!(times_listed(&RACED), 1);
        assert_eq!(
            (RACED.in_flight(), RACED.stats().admitted),
            (0, THREADS as u64)
        );
    }

    /// Gates listed from many threads while others walk the list: each walk sees a well-formed
    /// list, and at the end every gate is in it exactly once.
    #[test]
    fn the_list_stays_whole_while_gates_join_it() {
        const N: usize = 8;
        static MANY: [Gate; N] = [
            Gate::new(1).with_name("registry::MANY").listed(&MANY[0]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[1]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[2]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[3]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[4]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[5]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[6]),
            Gate::new(1).with_name("registry::MANY").listed(&MANY[7]),
        ];
        let start = Barrier::new(N + 1);
        thread::scope(|scope| {
            for gate in &MANY {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    drop(gate.try_acquire().expect("free"));
                });
            }
            start.wait();
            for _ in 0..if cfg!(miri) { 4 } else { 100 } {
                let seen = gates()
                    .filter(|gate| gate.name() == "registry::MANY")
                    .count();
                assert!(seen <= N);
            }
        });
        for gate in &MANY {
            assert_eq!(times_listed(gate), 1);
        }
    }
}

/// The [`Stats`] of every listed gate, taken at once by [`report`], sorted by name; its
/// `Display` is a table, one gate per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    stats: Vec<Stats>,
}

impl Report {
    /// Each gate's stats, sorted by name.
    pub fn stats(&self) -> &[Stats] {
        &self.stats
    }
}

/// A table of every gate of the program that has been used, for a log line or a `/debug/gates`
/// handler: each gate's limit, what is in flight and waiting, what it admitted and rejected,
/// and how long its calls waited. Each gate's row is read without a lock, as
/// [`Gate::stats`] reads it; the rows are not one instant's snapshot across gates.
///
/// ```
/// use bounded_async::bounded;
///
/// #[bounded(limit = 4)]
/// async fn fetch(id: u64) -> u64 {
///     id
/// }
///
/// # futures::executor::block_on(async {
/// fetch(1).await;
/// let report = bounded_async::report();
/// let row = report.stats().iter().find(|s| s.name.ends_with("::fetch")).unwrap();
/// assert_eq!((row.limit, row.admitted), (4, 1));
/// println!("{report}");
/// // gate                  in flight  limit  peak  waiting  admitted  rejected  waited  mean wait  max wait  rate
/// // rust_out::fetch               0      4     1        0         1         0       0          -         -     -
/// # });
/// ```
pub fn report() -> Report {
    let mut stats: Vec<Stats> = gates().map(Gate::stats).collect();
    stats.sort_by(|a, b| a.name.cmp(b.name));
    Report { stats }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEADERS: [&str; 11] = [
            "gate",
            "in flight",
            "limit",
            "peak",
            "waiting",
            "admitted",
            "rejected",
            "waited",
            "mean wait",
            "max wait",
            "rate",
        ];
        if self.stats.is_empty() {
            return f.write_str("no gate has been used yet");
        }
        let rows: Vec<[String; 11]> = self
            .stats
            .iter()
            .map(|stats| {
                let waited = stats.waits.count > 0;
                let wait = |duration: std::time::Duration| {
                    if waited {
                        format!("{duration:.1?}")
                    } else {
                        "-".to_owned()
                    }
                };
                let limit = if stats.max == stats.limit {
                    stats.limit.to_string()
                } else {
                    format!("{} (max {})", stats.limit, stats.max)
                };
                [
                    stats.name.to_owned(),
                    stats.in_flight.to_string(),
                    limit,
                    stats.peak_in_flight.to_string(),
                    stats.waiting.to_string(),
                    stats.admitted.to_string(),
                    stats.rejected.to_string(),
                    stats.waits.count.to_string(),
                    wait(stats.waits.mean()),
                    wait(stats.waits.max),
                    stats
                        .rate
                        .map_or_else(|| "-".to_owned(), |rate| rate.to_string()),
                ]
            })
            .collect();
        let mut widths = HEADERS.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: &[&str]| -> fmt::Result {
            for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
                match column {
                    0 => write!(f, "{cell:<width$}")?,
                    _ => write!(f, "  {cell:>width$}")?,
                }
            }
            Ok(())
        };
        line(f, &HEADERS)?;
        for row in &rows {
            f.write_str("\n")?;
            line(f, &row.each_ref().map(String::as_str))?;
        }
        Ok(())
    }
}
