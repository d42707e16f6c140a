//! The thundering-herd example's core, on a small configuration: bounded clients stay within
//! the service's capacity and are never throttled; the unbounded one is. Through an outage, every
//! request is accounted for, the unbounded way piles up and sheds, and the bounded ones wait and
//! drain.

#[path = "../examples/thundering_herd/herd.rs"]
mod herd;
#[path = "../examples/thundering_herd/outage.rs"]
mod outage;

use std::time::Duration;

use herd::{ATTRIBUTE_LIMIT, Client, ServiceConfig, ServiceStats, Way, fetch_all};
use outage::{OutagePlan, OutageRow, run_outage};

/// The `#[bounded] fn` way's limit is program-wide, so the tests, which run in parallel, take
/// turns rather than share its permits.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const REQUESTS: u64 = 200;

/// The capacity equals the attribute's limit, so that all four ways face the same service.
const CONFIG: ServiceConfig = ServiceConfig {
    capacity: ATTRIBUTE_LIMIT,
    latency: Duration::from_millis(20),
};

/// Runs every way against one service, as the example does, resetting its counters between.
async fn run_every_way() -> Vec<(Way, ServiceStats, usize)> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let listener = herd::listen().expect("a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = tokio::spawn(herd::serve(listener, CONFIG));
    let mut rows = Vec::new();
    for way in Way::ALL {
        let client = Client::new(addr);
        client.reset().await.expect("the service resets");
        let results = fetch_all(way, &client, REQUESTS, CONFIG.capacity).await;
        assert_eq!(results.len(), REQUESTS as usize, "{}", way.name());
        assert_eq!(client.completed(), REQUESTS as usize, "{}", way.name());
        let successes = results.iter().filter(|result| result.is_ok()).count();
        let stats = client.stats().await.expect("the service answers /stats");
        rows.push((way, stats, successes));
    }
    server.abort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_ways_stay_within_capacity_and_the_unbounded_way_is_a_herd() {
    for (way, stats, successes) in run_every_way().await {
        if way == Way::Unbounded {
            assert!(stats.peak > CONFIG.capacity, "{stats:?}");
            assert!(stats.throttled > 0, "{stats:?}");
            assert_eq!(
                stats.served + stats.throttled,
                REQUESTS as usize,
                "{stats:?}"
            );
            assert_eq!(successes, stats.served);
        } else {
            let name = way.name();
            assert_eq!(stats.throttled, 0, "{name} was throttled: {stats:?}");
            assert!(
                stats.peak <= CONFIG.capacity,
                "{name} exceeded capacity: {stats:?}"
            );
            assert_eq!(stats.served, REQUESTS as usize, "{name}: {stats:?}");
            assert_eq!(successes, REQUESTS as usize, "{name}");
        }
    }
}

/// A short outage: 300 requests a second, the service stops answering 600 ms in for 300 ms, and
/// requests keep arriving for 900 ms after. The deadline is far: a way that works finishes long
/// before it, so that any request cut off is a failure of the test.
fn plan() -> OutagePlan {
    OutagePlan {
        before: Duration::from_millis(600),
        after: Duration::from_millis(900),
        grace: Duration::from_secs(20),
        warm_up: Duration::from_millis(200),
        window: Duration::from_millis(100),
        ..OutagePlan::new(300, Duration::from_millis(300), CONFIG.latency)
    }
}

/// Runs every way through the outage, as the example does.
async fn run_every_way_through_an_outage() -> Vec<OutageRow> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let listener = herd::listen().expect("a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = tokio::spawn(herd::serve(listener, CONFIG));
    let mut rows = Vec::new();
    for way in Way::ALL {
        let row = run_outage(way, addr, &plan(), CONFIG.capacity)
            .await
            .expect("the service answers its control requests");
        rows.push(row);
    }
    server.abort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_an_outage_every_request_is_accounted_for_and_the_bounded_ways_drain_their_backlog()
{
    let rows = run_every_way_through_an_outage().await;
    let ways: Vec<Way> = rows.iter().map(|row| row.way).collect();
    assert_eq!(ways, Way::ALL, "one row per way, in the table's order");

    for row in &rows {
        let name = row.way.name();
        // Every request has a fate, and the service saw the same answers.
        assert_eq!(row.requests, plan().requests(), "{name}");
        assert_eq!(
            row.served + row.throttled + row.other_status + row.connection_errors + row.cut_off,
            row.requests as usize,
            "{name}: {row:?}"
        );
        assert_eq!(
            row.lost, 0,
            "{name} returned with requests unanswered: {row:?}"
        );
        assert_eq!(
            row.cut_off, 0,
            "{name} did not finish by the deadline: {row:?}"
        );
        assert_eq!(row.served, row.stats.served, "{name}: {row:?}");
        assert_eq!(row.throttled, row.stats.throttled, "{name}: {row:?}");
        assert_eq!(
            row.other_status + row.connection_errors,
            0,
            "{name}: {row:?}"
        );
        // The outage hung real requests, and every way had a steady throughput before it and
        // got back to it before the last request arrived.
        assert!(
            row.stats.held > 0,
            "{name}: the outage held nothing: {row:?}"
        );
        assert!(row.steady_rate > 0.0, "{name}: {row:?}");
        assert!(row.recovery.is_some(), "{name} never recovered: {row:?}");

        if row.way == Way::Unbounded {
            // It keeps sending into the outage, so its requests pile up at the service, and come
            // back as a herd at the recovery: most of it is throttled.
            assert!(row.stats.held > CONFIG.capacity, "{name}: {row:?}");
            assert!(row.stats.peak > CONFIG.capacity, "{name}: {row:?}");
            assert!(row.throttled > 0, "{name}: {row:?}");
        } else {
            // A bounded way stalls behind the requests the outage holds, at most its limit of
            // them, then drains its backlog: every request is served, none throttled.
            assert!(row.stats.held <= CONFIG.capacity, "{name}: {row:?}");
            assert!(row.stats.peak <= CONFIG.capacity, "{name}: {row:?}");
            assert_eq!(row.throttled, 0, "{name}: {row:?}");
            assert_eq!(row.served, row.requests as usize, "{name}: {row:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_way_cut_off_at_the_deadline_counts_what_it_had_pending_as_cut_off() {
    // The deadline falls at the service's recovery: the requests it holds cannot be answered
    // before it, whatever the way.
    let plan = OutagePlan {
        after: Duration::ZERO,
        grace: Duration::ZERO,
        ..plan()
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let listener = herd::listen().expect("a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = tokio::spawn(herd::serve(listener, CONFIG));
    for way in Way::ALL {
        let row = run_outage(way, addr, &plan, CONFIG.capacity)
            .await
            .expect("the service answers its control requests");
        let name = way.name();
        assert!(row.cut_off > 0, "{name} was not cut off: {row:?}");
        assert_eq!(row.lost, 0, "{name}: {row:?}");
        assert_eq!(
            row.served + row.throttled + row.other_status + row.connection_errors + row.cut_off,
            row.requests as usize,
            "{name}: {row:?}"
        );
        assert!(row.served <= row.stats.served, "{name}: {row:?}");
        assert_eq!(row.recovery, None, "{name}: {row:?}");
        // A bounded way stays within the capacity, also after a way cut off before it.
        if way != Way::Unbounded {
            assert_eq!(row.throttled, 0, "{name}: {row:?}");
        }
    }
    server.abort();
}
