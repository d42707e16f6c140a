//! A tour of `join_bounded!`: one flaky service, called 20 times with at most 4 calls in flight,
//! collected with each strategy.
//!
//! Run it with `cargo run --example strategies`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bounded_async::join_bounded;

/// Calls in flight right now, and the most seen at once.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct Unavailable(u64);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {} is unavailable", self.0)
    }
}

/// Counts a call as in flight until it finishes or is dropped (cancelled) midway.
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A pretend remote call: takes a few milliseconds, fails for every seventh id, and panics for
/// id 13 (a bug in a client library, say).
async fn fetch(id: u64) -> Result<String, Unavailable> {
    let _in_flight = InFlight::enter();
    tokio::time::sleep(Duration::from_millis(5 + (id * 7) % 11)).await;
    match id {
        13 => panic!("client bug while decoding record 13"),
        id if id % 7 == 0 => Err(Unavailable(id)),
        id => Ok(format!("record {id}")),
    }
}

/// Like `fetch`, but never panics, for the strategies under which a panic propagates.
async fn fetch_safe(id: u64) -> Result<String, Unavailable> {
    if id == 13 {
        Ok("record 13".to_owned())
    } else {
        fetch(id).await
    }
}

fn report(name: &str, started: Instant, result: impl std::fmt::Display) {
    println!(
        "{name:<9} {result}  (peak in flight: {}, took {:?})",
        PEAK.swap(0, Ordering::SeqCst),
        started.elapsed()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Keep the demonstration's panic (record 13) to one line.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "  (caught) {}",
            info.payload().downcast_ref::<&str>().unwrap_or(&"panic")
        )
    }));
    let ids = 1..=20_u64;

    let started = Instant::now();
    let all = join_bounded!(limit = 4, strategy = "all"; for id in ids.clone() => fetch_safe(id));
    report(
        "all",
        started,
        match all {
            Ok(records) => format!("Ok: {} records", records.len()),
            Err(error) => format!("Err: {error} (the other calls were dropped)"),
        },
    );

    let started = Instant::now();
    let settled =
        join_bounded!(limit = 4, strategy = "settled"; for id in ids.clone() => fetch(id));
    report("settled", started, &settled);
    for (id, outcome) in ids.clone().zip(&settled) {
        if !outcome.is_ok() {
            println!("          id {id:>2}: {outcome:?}");
        }
    }

    let started = Instant::now();
    let any = join_bounded!(limit = 4, strategy = "any"; for id in [7, 14, 3, 21] => fetch(id));
    report("any", started, format!("{any:?}"));

    let started = Instant::now();
    let race = join_bounded!(limit = 4, strategy = "race"; fetch(7), fetch_safe(2), fetch(3));
    report("race", started, format!("{race:?}"));

    let started = Instant::now();
    let joined = join_bounded!(limit = 4; for id in ids => fetch_safe(id));
    let failed = joined.iter().filter(|r| r.is_err()).count();
    report(
        "join",
        started,
        format!("{} results, {failed} of them errors", joined.len()),
    );
}
