//! The registry: every pool and `#[bounded]` function used is listed under its name, `gate`
//! finds it, and a limit set through it is the one its calls are admitted under.

use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use bounded_async::{Gate, Rejected, bounded, pool};
use futures::executor::block_on;
use futures::future::join_all;

pool!(pub DB = 4, max = 8);
pool!(SHEDDING = 2, queue = 0);
pool!(CONFIGURED = 4, max = 8);

#[bounded(limit = 3)]
async fn fetch(id: u64) -> u64 {
    id
}

#[bounded(pool = DB)]
async fn load(id: u64) -> u64 {
    id
}

#[bounded(limit = 2, queue = 0)]
async fn shed(id: u64) -> Result<u64, Rejected> {
    Ok(id)
}

mod nested {
    #[bounded_async::bounded(limit = 1)]
    pub async fn fetch(id: u64) -> u64 {
        id
    }
}

struct Client;

impl Client {
    /// Returns the line of its name, which its gate's name holds (kept on one line for that).
    #[rustfmt::skip]
    #[bounded(limit = 2)]
    async fn get(&self) -> u32 { line!() }

    /// An associated function without a receiver: named as a function of the module.
    #[bounded(limit = 2)]
    async fn build() -> Client {
        Client
    }
}

fn listed(name: &str) -> Vec<&'static Gate> {
    bounded_async::gates()
        .filter(|gate| gate.name() == name)
        .collect()
}

#[test]
fn every_gate_used_is_listed_under_its_name() {
    let line = block_on(async {
        assert_eq!(fetch(1).await, 1);
        assert_eq!(load(2).await, 2);
        assert_eq!(shed(3).await.unwrap(), 3);
        assert_eq!(nested::fetch(4).await, 4);
        drop(SHEDDING.try_acquire());
        Client::build().await.get().await
    });
    let method = format!("registry::get@{}:{line}", file!());
    for (name, limit, max) in [
        ("registry::DB", 4, 8),
        ("registry::SHEDDING", 2, 2),
        ("registry::fetch", 3, 3),
        ("registry::shed", 2, 2),
        ("registry::nested::fetch", 1, 1),
        ("registry::build", 2, 2),
        (method.as_str(), 2, 2),
    ] {
        assert_eq!(listed(name).len(), 1, "{name} is listed once");
        let gate = bounded_async::gate(name).unwrap_or_else(|| panic!("{name} is found"));
        assert_eq!(gate.name(), name);
        let stats = gate.stats();
        assert_eq!((stats.name, stats.limit, stats.max), (name, limit, max));
        assert_eq!((gate.limit(), gate.max()), (limit, max));
        assert_eq!(stats.in_flight, 0);
    }
    // `load` has no gate of its own: its calls are counted by its pool's.
    assert!(bounded_async::gate("registry::load").is_none());
    assert!(
        bounded_async::gate("registry::DB")
            .unwrap()
            .stats()
            .admitted
            >= 1
    );
    assert!(
        bounded_async::gate("registry::get").is_none(),
        "a method's name has its place"
    );
}

#[test]
fn a_pool_is_its_gate_in_the_registry() {
    assert!(
        bounded_async::gate("registry::CONFIGURED").is_none(),
        "not used yet"
    );
    CONFIGURED.set_limit(6).unwrap();
    let gate = bounded_async::gate("registry::CONFIGURED").expect("set_limit is a use");
    assert_eq!(gate.limit(), 6);
    gate.set_limit(2).unwrap();
    assert_eq!(CONFIGURED.limit(), 2);
    let held: Vec<_> = std::iter::from_fn(|| CONFIGURED.try_acquire()).collect();
    assert_eq!(held.len(), 2);
    assert!(gate.set_limit(9).is_err(), "above the pool's max");
}

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Counts itself in flight while its body runs, across one yield.
#[bounded(limit = 1, max = 4)]
async fn work() {
    let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
    PEAK.fetch_max(now, Ordering::SeqCst);
    tokio::task::yield_now().await;
    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
}

/// The most calls of `work` in flight at once, out of `calls` started together on one thread:
/// each call is polled once before any finishes, so every call the gate admits at once is in.
fn peak_of(calls: usize) -> usize {
    PEAK.store(0, Ordering::SeqCst);
    block_on(join_all((0..calls).map(|_| work())));
    assert_eq!(IN_FLIGHT.load(Ordering::SeqCst), 0);
    PEAK.load(Ordering::SeqCst)
}

#[test]
fn a_limit_set_through_the_registry_is_the_functions_limit() {
    assert_eq!(peak_of(5), 1, "the declared limit");
    let gate = bounded_async::gate("registry::work").expect("called, so listed");
    gate.set_limit(4).unwrap();
    assert_eq!(peak_of(5), 4, "the limit set through the registry");
    assert_eq!(gate.stats().peak_in_flight, 4);
    gate.set_limit(2).unwrap();
    assert_eq!(peak_of(5), 2);
    let error = gate.set_limit(5).unwrap_err();
    assert_eq!((error.requested(), error.max()), (5, 4));
    assert_eq!(gate.limit(), 2, "a refused limit changes nothing");
}

#[bounded(limit = 8)]
async fn raced() {}

/// A function's gate first used from many threads at once is listed once.
#[test]
fn a_function_first_called_on_many_threads_is_listed_once() {
    let threads = 8;
    let start = std::sync::Barrier::new(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                block_on(raced());
            });
        }
    });
    let gates = listed("registry::raced");
    assert_eq!(gates.len(), 1);
    assert_eq!(gates[0].stats().admitted, threads as u64);
    assert!(ptr::eq(
        gates[0],
        bounded_async::gate("registry::raced").unwrap()
    ));
}

/// The report is a table of every gate used so far: a header, then one aligned row per gate
/// with its counts, and the `Display` of each gate's stats is one line with the same counts.
#[tokio::test(start_paused = true)]
async fn the_report_is_a_table_of_every_gate_used() {
    use bounded_async::{Rate, report};
    use std::time::Duration;

    bounded_async::pool!(REPORTED = 2, max = 4, queue = 0);
    #[bounded(pool = REPORTED)]
    async fn reported() -> Result<(), Rejected> {
        Ok(())
    }
    static PACED: Gate = Gate::new(1)
        .with_rate(Rate::per_second(10).with_burst(2))
        .with_name("registry::PACED")
        .listed(&PACED);

    let held = (REPORTED.try_acquire(), REPORTED.try_acquire());
    assert!(reported().await.is_err(), "queue = 0 refuses");
    drop(held);
    for _ in 0..3 {
        drop(PACED.acquire().await);
    }

    let report = report();
    let rows: Vec<&str> = report.stats().iter().map(|stats| stats.name).collect();
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted, "sorted by name");
    let table = report.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("gate ") && lines[0].ends_with("rate"),
        "{table}"
    );
    assert_eq!(lines.len(), report.stats().len() + 1, "{table}");
    // Every line is as wide as the header: the columns are aligned.
    let width = |line: &str| line.chars().count();
    assert!(
        lines.iter().all(|line| width(line) == width(lines[0])),
        "{table}"
    );
    let row = |name: &str| {
        let line = lines.iter().find(|line| line.starts_with(name)).unwrap();
        line.split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        row("registry::REPORTED "),
        "0 2 (max 4) 2 0 2 1 (1 queue full) 0 - - -"
    );
    // The third call waited an interval, 100 ms, for its slot after the burst of 2.
    assert_eq!(
        row("registry::PACED "),
        "0 1 1 0 3 0 1 100.0ms 100.0ms 10/s"
    );

    let stats = REPORTED.stats();
    assert_eq!(
        stats.to_string(),
        "registry::REPORTED: 0/2 in flight (peak 2, max 4), 0 waiting, 2 admitted, \
         1 rejected (1 queue full)"
    );
    assert_eq!(
        PACED.stats().to_string(),
        "registry::PACED: 0/1 in flight (peak 1), 0 waiting, 3 admitted, 0 rejected, \
         1 waited (mean 100.0ms, max 100.0ms, 100.0ms in all for the rate), rate 10/s (burst 2)"
    );
    assert_eq!(PACED.stats().waits.mean(), Duration::from_millis(100));
}
