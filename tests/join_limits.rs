//! `join_bounded!` limits: never more than `limit` in flight, exactly `limit` while enough items
//! remain, lazy pulling from the iterator, and the forms a limit can take.

mod common;

use std::future::Future;
use std::num::NonZeroUsize;
use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};

use bounded_async::join_bounded;
use common::{CountingIter, Gauge, Log, drive, panic_message, tracked, yield_times};

/// Different, deterministic amounts of work per item, so that items finish out of input order.
fn yields_for(i: usize) -> usize {
    (i * 7) % 5 + 1
}

/// Watches the futures of one join.
struct Probe {
    limit: usize,
    /// Futures whose body is running: entered at the body's first poll, left when it returns.
    running: Gauge,
    /// Futures created by the iterator and not yet finished. Counted from creation rather than
    /// from the first poll, so a future placed in a slot but not yet polled (the join may yield
    /// to its executor between the two) still counts as in flight.
    outstanding: AtomicUsize,
    /// `outstanding` as each future saw it just before finishing (itself included).
    observed: Log<usize>,
}

impl Probe {
    fn new(limit: usize) -> Self {
        Probe {
            limit,
            running: Gauge::new(),
            outstanding: AtomicUsize::new(0),
            observed: Log::new(),
        }
    }

    /// Creates item `i`'s future; called by the join when it pulls item `i`.
    fn job(&self, i: usize) -> impl Future<Output = usize> + '_ {
        let outstanding = self.outstanding.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(
            outstanding <= self.limit,
            "item {i} was pulled with {outstanding} futures unfinished, limit {}",
            self.limit
        );
        async move {
            let _running = self.running.enter();
            let now = self.running.current();
            assert!(
                now <= self.limit,
                "item {i} started with {now} running, limit {}",
                self.limit
            );
            yield_times(yields_for(i)).await;
            self.observed.push(self.outstanding.load(Ordering::SeqCst));
            self.outstanding.fetch_sub(1, Ordering::SeqCst);
            i
        }
    }

    /// Checks a finished join of `n` items.
    ///
    /// When every finished future is replaced at once while items remain, `outstanding` stays at
    /// `limit` until the input runs out, and only then falls: the first `n - limit` futures to
    /// finish see `limit`, and the last `limit` see `limit, limit - 1, ..., 1`.
    fn check(&self, n: usize, outputs: &[usize]) {
        assert_eq!(
            outputs,
            (0..n).collect::<Vec<_>>(),
            "outputs in input order"
        );
        let full = self.limit.min(n);
        // Only `<=`: a future can be placed in a slot and polled a little later (the join may
        // yield to its executor in between), so "running" can lag "in flight". That `limit` are
        // in flight is checked through `outstanding` below.
        assert!(self.running.max() <= full, "most futures running at once");
        assert_eq!(self.running.current(), 0);
        assert_eq!(self.outstanding.load(Ordering::SeqCst), 0);

        let mut observed = self.observed.snapshot();
        observed.sort_unstable();
        let mut expected: Vec<usize> = (1..full).collect();
        expected.extend(std::iter::repeat_n(full, n + 1 - full));
        assert_eq!(observed, expected, "in flight as each future finished");
    }
}

#[test]
fn literal_limit_is_never_exceeded_and_always_filled() {
    for n in [1, 2, 3, 10, 40] {
        let probe = Probe::new(3);
        let outputs = drive(async { join_bounded!(limit = 3; for i in 0..n => probe.job(i)) });
        probe.check(n, &outputs);
        assert_eq!(probe.running.max(), n.min(3));
    }
}

#[test]
fn limit_of_one_runs_items_one_at_a_time_in_input_order() {
    let probe = Probe::new(1);
    let started = Log::new();
    let outputs = drive(async {
        join_bounded!(limit = 1; for i in 0..12 => {
            let job = probe.job(i);
            let started = &started;
            async move {
                started.push(i);
                job.await
            }
        })
    });
    probe.check(12, &outputs);
    assert_eq!(started.snapshot(), (0..12).collect::<Vec<_>>());
}

const MAX: usize = 4;
const NZ_LIMIT: NonZeroUsize = NonZeroUsize::new(5).unwrap();

#[test]
fn constant_limits() {
    let probe = Probe::new(MAX);
    let outputs = drive(async { join_bounded!(limit = MAX; for i in 0..25 => probe.job(i)) });
    probe.check(25, &outputs);
    assert_eq!(probe.running.max(), MAX);

    let probe = Probe::new(2 * MAX - 1);
    let outputs =
        drive(async { join_bounded!(limit = 2 * MAX - 1; for i in 0..25 => probe.job(i)) });
    probe.check(25, &outputs);

    let probe = Probe::new(NZ_LIMIT.get());
    let outputs = drive(async { join_bounded!(limit = NZ_LIMIT; for i in 0..25 => probe.job(i)) });
    probe.check(25, &outputs);
}

struct Config {
    jobs: usize,
}

#[test]
fn run_time_limits() {
    let n = 6_usize;
    let probe = Probe::new(n);
    let outputs = drive(async { join_bounded!(limit = n; for i in 0..30 => probe.job(i)) });
    probe.check(30, &outputs);
    assert_eq!(probe.running.max(), n);

    let config = Config { jobs: 2 };
    let probe = Probe::new(2);
    let outputs =
        drive(async { join_bounded!(limit = config.jobs; for i in 0..30 => probe.job(i)) });
    probe.check(30, &outputs);

    let nonzero = NonZeroUsize::new(3).unwrap();
    let probe = Probe::new(3);
    let outputs = drive(async { join_bounded!(limit = nonzero; for i in 0..30 => probe.job(i)) });
    probe.check(30, &outputs);
}

#[test]
fn run_time_limit_in_list_form() {
    let limit = 2_usize;
    let running = Gauge::new();
    let job = |i: usize| {
        let running = &running;
        async move {
            let _running = running.enter();
            assert!(running.current() <= limit);
            yield_times(3).await;
            i
        }
    };
    let outputs = drive(async { join_bounded!(limit = limit; job(0), job(1), job(2), job(3)) });
    assert_eq!(outputs, (0, 1, 2, 3));
    assert_eq!(running.max(), 2);
}

#[test]
fn limit_larger_than_input_runs_everything_at_once() {
    let probe = Probe::new(100);
    let outputs = drive(async { join_bounded!(limit = 100; for i in 0..7 => probe.job(i)) });
    probe.check(7, &outputs);
    assert_eq!(probe.running.max(), 7);

    let running = Gauge::new();
    let job = |i: u8| {
        let running = &running;
        async move {
            let _running = running.enter();
            yield_times(2).await;
            i
        }
    };
    let outputs = drive(async { join_bounded!(limit = 10; job(0), job(1), job(2)) });
    assert_eq!(outputs, (0, 1, 2));
    assert_eq!(running.max(), 3);
}

#[test]
fn huge_run_time_limit_over_an_input_of_unknown_length() {
    let probe = Probe::new(usize::MAX);
    let (iter, pulled) = CountingIter::unsized_hint(0..100);
    let outputs = drive(async { join_bounded!(limit = usize::MAX; for i in iter => probe.job(i)) });
    assert_eq!(pulled.load(Ordering::SeqCst), 100);
    probe.check(100, &outputs);
}

#[test]
fn limits_above_one_chunk_of_slots_are_filled() {
    // More than 64 in flight, over inputs that do and do not report their length.
    let probe = Probe::new(70);
    let outputs = drive(async { join_bounded!(limit = 70; for i in 0..150 => probe.job(i)) });
    probe.check(150, &outputs);

    let probe = Probe::new(130);
    let (iter, _) = CountingIter::unsized_hint(0..300);
    let outputs = drive(async { join_bounded!(limit = 130; for i in iter => probe.job(i)) });
    probe.check(300, &outputs);
}

#[test]
fn input_of_unknown_length_is_filled_to_the_limit() {
    let probe = Probe::new(4);
    let (iter, _) = CountingIter::unsized_hint(0..33);
    let outputs = drive(async { join_bounded!(limit = 4; for i in iter => probe.job(i)) });
    probe.check(33, &outputs);
}

#[test]
fn builder_api_respects_and_fills_the_limit() {
    let probe = Probe::new(3);
    let outputs = drive(join_bounded(3, (0..20).map(|i| probe.job(i))).join());
    probe.check(20, &outputs);

    let probe = Probe::new(2);
    let outputs = drive(
        join_bounded(
            NonZeroUsize::new(2).unwrap(),
            (0..20).map(|i| {
                let job = probe.job(i);
                async move { Ok::<_, ()>(job.await) }
            }),
        )
        .all(),
    )
    .unwrap();
    probe.check(20, &outputs);

    let probe = Probe::new(5);
    let settled = drive(
        join_bounded(
            5,
            (0..20).map(|i| {
                let job = probe.job(i);
                async move { Ok::<_, ()>(job.await) }
            }),
        )
        .settled(),
    );
    let outputs: Vec<usize> = settled.successes().copied().collect();
    probe.check(20, &outputs);
}

#[test]
fn settled_and_any_strategies_respect_and_fill_the_limit() {
    let probe = Probe::new(3);
    let settled = drive(async {
        join_bounded!(limit = 3, strategy = "settled"; for i in 0..15 => {
            let job = probe.job(i);
            async move { if i % 2 == 0 { Ok(job.await) } else { Err(job.await) } }
        })
    });
    let outputs: Vec<usize> = settled
        .into_vec()
        .into_iter()
        .map(|outcome| {
            outcome
                .into_result_with(|rejected| panic!("a join without keys rejected {rejected}"))
                .unwrap_or_else(|i| i)
        })
        .collect();
    probe.check(15, &outputs);

    let probe = Probe::new(4);
    let errors = drive(async {
        join_bounded!(limit = 4, strategy = "any"; for i in 0..15 => {
            let job = probe.job(i);
            async move { Err::<(), usize>(job.await) }
        })
    })
    .unwrap_err();
    probe.check(15, &errors);
}

#[test]
fn iterator_is_pulled_lazily() {
    const LIMIT: usize = 3;
    const N: usize = 30;
    for size_hint in [true, false] {
        let (iter, pulled) = if size_hint {
            CountingIter::new(0..N)
        } else {
            CountingIter::unsized_hint(0..N)
        };
        let completed = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        let outputs = drive(async {
            join_bounded!(limit = LIMIT; for i in iter => {
                // Runs right after the join took item `i` from the iterator.
                let ahead = pulled.load(Ordering::SeqCst) - completed.load(Ordering::SeqCst);
                assert!(ahead <= LIMIT, "item {i}: {ahead} items pulled and unfinished");
                most_ahead.fetch_max(ahead, Ordering::SeqCst);
                let completed = &completed;
                async move {
                    yield_times(yields_for(i)).await;
                    completed.fetch_add(1, Ordering::SeqCst);
                    i
                }
            })
        });
        assert_eq!(outputs, (0..N).collect::<Vec<_>>());
        assert_eq!(pulled.load(Ordering::SeqCst), N);
        assert_eq!(most_ahead.load(Ordering::SeqCst), LIMIT);
    }
}

#[test]
fn iterator_is_not_pulled_before_the_join_is_polled() {
    let (iter, pulled) = CountingIter::new(0..10);
    let join = join_bounded(2, iter.map(|i| async move { i }));
    let join = join.join();
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    assert_eq!(drive(join), (0..10).collect::<Vec<_>>());
    assert_eq!(pulled.load(Ordering::SeqCst), 10);
}

#[test]
fn at_most_limit_futures_exist_at_once() {
    const LIMIT: usize = 3;
    let alive = Gauge::new();
    let outputs = drive(async {
        join_bounded!(limit = LIMIT; for i in 0..20_usize => {
            let future = tracked(&alive, async move {
                yield_times(yields_for(i)).await;
                i
            });
            let now = alive.current();
            assert!(now <= LIMIT, "item {i} created while {now} futures exist");
            future
        })
    });
    assert_eq!(outputs, (0..20).collect::<Vec<_>>());
    assert_eq!(alive.current(), 0);
    assert_eq!(alive.entered(), 20);
    assert_eq!(alive.max(), LIMIT);
}

#[test]
fn at_most_limit_futures_exist_at_once_with_the_builder() {
    // The smallest case: limit 1 and futures that finish at their first poll. Each finished
    // future must be dropped before the next one is created.
    let alive = Gauge::new();
    let outputs =
        drive(join_bounded(1, (0..3_usize).map(|i| tracked(&alive, async move { i }))).join());
    assert_eq!(outputs, [0, 1, 2]);
    assert_eq!(alive.max(), 1, "futures that existed at once, limit 1");
}

#[test]
#[should_panic(expected = "join_bounded!")]
fn run_time_limit_of_zero_panics_in_iterator_form() {
    let limit = 0_usize;
    let _ = drive(async { join_bounded!(limit = limit; for i in 0..3 => async move { i }) });
}

#[test]
#[should_panic(expected = "join_bounded!")]
fn run_time_limit_of_zero_panics_in_list_form() {
    let config = Config { jobs: 0 };
    let _ = drive(async { join_bounded!(limit = config.jobs; async { 1 }, async { 2 }) });
}

#[test]
fn run_time_limit_of_zero_panics_before_anything_runs() {
    let limit = 0_usize;
    let (iter, pulled) = CountingIter::new(0..3);
    let polled = AtomicUsize::new(0);
    let payload = panic::catch_unwind(panic::AssertUnwindSafe(|| {
        drive(async {
            join_bounded!(limit = limit, strategy = "settled"; for i in iter => {
                let polled = &polled;
                async move {
                    polled.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(i)
                }
            })
        })
    }))
    .unwrap_err();
    let message = panic_message(&*payload).expect("a string message");
    assert!(message.contains("join_bounded!"), "message: {message}");
    assert!(message.contains('0'), "message: {message}");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    assert_eq!(polled.load(Ordering::SeqCst), 0);
}
