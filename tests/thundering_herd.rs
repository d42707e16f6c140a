//! The thundering-herd example's core, on a small configuration: bounded clients stay within
//! the service's capacity and are never throttled; the unbounded one is.

#[path = "../examples/thundering_herd/herd.rs"]
mod herd;

use std::time::Duration;

use herd::{ATTRIBUTE_LIMIT, Client, ServiceConfig, ServiceStats, Way, fetch_all};

const REQUESTS: u64 = 200;

/// The capacity equals the attribute's limit, so that all four ways face the same service.
const CONFIG: ServiceConfig = ServiceConfig {
    capacity: ATTRIBUTE_LIMIT,
    latency: Duration::from_millis(20),
};

/// Runs every way against one service, as the example does, resetting its counters between.
async fn run_every_way() -> Vec<(Way, ServiceStats, usize)> {
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
