//! The thundering-herd example's core, on a small configuration: bounded clients stay within
//! the service's capacity and are never throttled; the unbounded one is, and the gated one turns
//! the rest of a herd away. Through an outage, every request is accounted for, the unbounded way
//! piles up and sheds, the plain bounded ones wait and drain, and the gated one sheds during the
//! outage and is back within a few of its timeouts.

#[path = "../examples/thundering_herd/herd.rs"]
mod herd;
#[path = "../examples/thundering_herd/outage.rs"]
mod outage;
#[path = "../examples/thundering_herd/plot.rs"]
mod plot;
#[path = "../examples/thundering_herd/rate.rs"]
mod rate;

use std::time::Duration;

use bounded_async::Reason;

use herd::{
    ATTRIBUTE_LIMIT, Client, FetchError, GATE_QUEUE, GATE_TIMEOUT, GATE_WAIT, Rejections, Sample,
    ServiceConfig, ServiceStats, Way, fetch_all, fetch_gated, gated_attribute,
};
use outage::{OutagePlan, OutageRow, run_outage};
use rate::{PACED, QUOTA, RateWay, fetch_rated};

/// The `#[bounded]` ways' limits are program-wide, so the tests, which run in parallel, take
/// turns rather than share its permits.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const REQUESTS: u64 = 200;

/// The capacity equals the attributes' limit, so that all five ways face the same service.
const CONFIG: ServiceConfig = ServiceConfig {
    capacity: ATTRIBUTE_LIMIT,
    latency: Duration::from_millis(20),
    quota: None,
};

/// Runs every way against one service, as the example does, resetting its counters between; with
/// what the service saw, the successes, the rejections and the service's samples of its load.
async fn run_every_way() -> Vec<(Way, ServiceStats, usize, Rejections, Vec<Sample>)> {
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
        let mut reported = Vec::new();
        let results = fetch_all(way, &client, REQUESTS, CONFIG.capacity, |progress| {
            reported.push(progress.done())
        })
        .await;
        assert_eq!(results.len(), REQUESTS as usize, "{}", way.name());
        // join_bounded! reports each request through its `progress` key; no other way can.
        if way == Way::JoinBounded {
            assert_eq!(reported, (1..=REQUESTS as usize).collect::<Vec<_>>());
        } else {
            assert!(reported.is_empty(), "{}", way.name());
        }
        let rejections = Rejections::of(&results);
        // Every call the gate did not turn away made its request, and it completed.
        assert_eq!(
            client.completed() + rejections.total(),
            REQUESTS as usize,
            "{}",
            way.name()
        );
        let successes = results.iter().filter(|result| result.is_ok()).count();
        let stats = client.stats().await.expect("the service answers /stats");
        let timeline = client
            .timeline()
            .await
            .expect("the service answers /timeline");
        rows.push((way, stats, successes, rejections, timeline));
    }
    server.abort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_ways_stay_within_capacity_and_the_unbounded_way_is_a_herd() {
    for (way, stats, successes, rejections, _) in run_every_way().await {
        let name = way.name();
        if way != Way::Gated {
            assert_eq!(rejections, Rejections::default(), "{name}");
        }
        if way == Way::Unbounded {
            assert!(stats.peak > CONFIG.capacity, "{stats:?}");
            assert!(stats.throttled > 0, "{stats:?}");
            assert_eq!(
                stats.served + stats.throttled,
                REQUESTS as usize,
                "{stats:?}"
            );
            assert_eq!(successes, stats.served);
        } else if way == Way::Gated {
            // The limit runs, the queue waits, and the rest of the herd is turned away at once:
            // a herd larger than both leaves some rejected as queue full. What is admitted is
            // served, never throttled, and the results add up.
            assert_eq!(stats.throttled, 0, "{name} was throttled: {stats:?}");
            assert!(
                stats.peak <= CONFIG.capacity,
                "{name} exceeded capacity: {stats:?}"
            );
            assert!(REQUESTS as usize > ATTRIBUTE_LIMIT + GATE_QUEUE);
            assert!(rejections.queue_full > 0, "{name}: {rejections:?}");
            assert_eq!(rejections.other, 0, "{name}: {rejections:?}");
            assert!(successes >= ATTRIBUTE_LIMIT, "{name}: {successes} served");
            assert_eq!(successes, stats.served, "{name}: {stats:?}");
            assert_eq!(
                successes + rejections.total(),
                REQUESTS as usize,
                "{name}: {rejections:?}"
            );
        } else {
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

/// `--plot`'s chart of a small herd, drawn into a temporary file: well-formed SVG, one panel per
/// way with its line named exactly as in the table, drawn from samples that hold what the
/// service counted, in which join_bounded! stays at the capacity and reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_draws_each_way_from_the_services_samples_named_as_in_the_table() {
    let rows = run_every_way().await;
    let series: Vec<plot::Series> = rows
        .iter()
        .map(|(way, _, _, _, timeline)| plot::Series {
            name: way.name(),
            samples: timeline,
            note: None,
        })
        .collect();
    let path = std::env::temp_dir().join(format!(
        "bounded-async-herd-chart-{}.svg",
        std::process::id()
    ));
    plot::draw(&path, "a small herd", CONFIG.capacity, &series).expect("the chart is drawn");
    let svg = std::fs::read_to_string(&path).expect("the chart is written");
    let _ = std::fs::remove_file(&path);

    let chart = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    assert_eq!(chart.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = chart
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .filter_map(|node| node.text())
        .map(str::trim)
        .collect();
    // Each way's line, and its key in the legend, in the in-flight colour.
    let lines = chart
        .descendants()
        .filter(|node| node.has_tag_name("polyline") && node.attribute("stroke") == Some("#1F77B4"))
        .count();
    assert_eq!(lines, 2 * Way::ALL.len(), "one line and one key per way");
    for (way, stats, _, _, timeline) in &rows {
        let name = way.name();
        assert_eq!(
            texts.iter().filter(|text| **text == name).count(),
            1,
            "the legend names {name} as the table does, in {texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|text| text.starts_with(&format!("{name}: at most"))),
            "a panel captioned {name}"
        );
        // The samples hold every request: their peak is the service's, and their 429s add up
        // to its count.
        let sampled_peak = timeline.iter().map(|sample| sample.in_flight).max();
        assert_eq!(sampled_peak, Some(stats.peak), "{name}");
        let sampled_throttled: usize = timeline.iter().map(|sample| sample.throttled).sum();
        assert_eq!(sampled_throttled, stats.throttled, "{name}");
        if *way == Way::JoinBounded {
            assert!(
                timeline
                    .iter()
                    .all(|sample| sample.in_flight <= CONFIG.capacity),
                "join_bounded! over the capacity in {timeline:?}"
            );
            assert_eq!(sampled_peak, Some(CONFIG.capacity), "and reaches it");
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

/// How many of its timeouts the gated way may take to recover after the outage: the expected
/// shape is about one, and this leaves room for a busy machine.
const RECOVERY_TIMEOUTS: u32 = 3;

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
            row.served
                + row.throttled
                + row.other_status
                + row.connection_errors
                + row.rejected.total()
                + row.cut_off,
            row.requests as usize,
            "{name}: {row:?}"
        );
        assert_eq!(
            row.lost, 0,
            "{name} returned with requests unanswered: {row:?}"
        );
        assert_eq!(row.rejected.other, 0, "{name}: {row:?}");
        assert_eq!(
            row.cut_off, 0,
            "{name} did not finish by the deadline: {row:?}"
        );
        assert_eq!(row.served, row.stats.served, "{name}: {row:?}");
        // What `--plot` draws holds what the service counted.
        let sampled_peak = row.timeline.iter().map(|sample| sample.in_flight).max();
        assert_eq!(sampled_peak, Some(row.stats.peak), "{name}");
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
            // A bounded way has at most its limit of requests at the service, so the outage
            // holds at most that many, and none is throttled.
            assert!(row.stats.held <= CONFIG.capacity, "{name}: {row:?}");
            assert!(row.stats.peak <= CONFIG.capacity, "{name}: {row:?}");
            assert_eq!(row.throttled, 0, "{name}: {row:?}");
        }
        if row.way == Way::Gated {
            // It sheds during the outage: hung calls run past their timeout, and calls behind
            // them are turned away; everything else is served.
            assert!(
                plan().outage > GATE_TIMEOUT,
                "the outage outlasts the timeout"
            );
            assert!(row.rejected.timed_out > 0, "{name}: {row:?}");
            assert!(row.failed_in_outage > 0, "{name}: {row:?}");
            assert_eq!(
                row.served + row.rejected.total(),
                row.requests as usize,
                "{name}: {row:?}"
            );
            // And it is back to its steady throughput within a few timeouts of the recovery,
            // by the example's own measure on its own clock.
            let recovery = row.recovery.expect("checked above");
            assert!(
                recovery <= GATE_TIMEOUT * RECOVERY_TIMEOUTS,
                "{name} took {recovery:?} to recover, more than {RECOVERY_TIMEOUTS} timeouts \
                 of {GATE_TIMEOUT:?}: {row:?}"
            );
        } else {
            // The others turn nothing away: the unbounded way sheds with 429s, and the plain
            // bounded ways stall behind the requests the outage holds, then drain their
            // backlog: every request is served.
            assert_eq!(row.rejected, Rejections::default(), "{name}: {row:?}");
            if row.way != Way::Unbounded {
                assert_eq!(row.served, row.requests as usize, "{name}: {row:?}");
            }
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
            row.served
                + row.throttled
                + row.other_status
                + row.connection_errors
                + row.rejected.total()
                + row.cut_off,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gated_fn_turns_calls_away_by_the_keys_the_tables_name() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // A service that never answers: the system accepts its connections, and nothing reads them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let client = Client::new(
        silent
            .local_addr()
            .expect("a bound listener has an address"),
    );
    // The limit runs and hangs, the queue waits, and one more finds the queue full.
    let calls = (ATTRIBUTE_LIMIT + GATE_QUEUE + 1) as u64;
    let results = futures::future::join_all((0..calls).map(|id| fetch_gated(&client, id))).await;

    // The tables name the attribute as it is written on the function.
    let source = include_str!("../examples/thundering_herd/herd.rs");
    let written = gated_attribute().replace(
        &format!("limit = {ATTRIBUTE_LIMIT}"),
        "limit = ATTRIBUTE_LIMIT",
    );
    assert!(
        source.contains(&format!("{written}\npub async fn fetch_gated(")),
        "{written}"
    );

    let rejections = Rejections::of(&results);
    assert_eq!(
        rejections,
        Rejections {
            queue_full: 1,
            wait_elapsed: GATE_QUEUE,
            timed_out: ATTRIBUTE_LIMIT,
            other: 0,
        }
    );
    for result in &results {
        let Err(FetchError::Rejected(rejected)) = result else {
            panic!("expected a rejection, got {result:?}");
        };
        let key = match rejected.reason() {
            Reason::QueueFull => format!("(queue = {GATE_QUEUE})"),
            Reason::WaitElapsed => format!("(wait = \"{}ms\")", GATE_WAIT.as_millis()),
            Reason::TimedOut => format!("(timeout = \"{}ms\")", GATE_TIMEOUT.as_millis()),
            other => panic!("unexpected reason {other:?}"),
        };
        assert!(rejected.to_string().ends_with(&key), "{rejected} for {key}");
    }
    drop(silent);
}

/// Under a quota of requests per second, with every throttled request made again after its
/// `Retry-After`: every way gets every record; the plain limit's calls meet 429s at each window,
/// the pool paused on its first 429 meets fewer, and the ways paced under the quota meet none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_quota_pausing_meets_fewer_429s_and_pacing_meets_none() {
    // More than a window's quota, so that the ways that do not pace themselves spend it; few
    // enough windows to keep the test short.
    const RECORDS: u64 = QUOTA + QUOTA / 2;
    let _turn = ONE_AT_A_TIME.lock().await;
    let listener = herd::listen().expect("a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let config = ServiceConfig {
        quota: Some(QUOTA),
        ..CONFIG
    };
    let server = tokio::spawn(herd::serve(listener, config));
    let mut throttled = Vec::new();
    for way in RateWay::ALL {
        let name = way.name();
        let client = Client::new(addr);
        client.reset().await.expect("the service resets");
        let fetched = fetch_rated(way, &client, RECORDS).await;
        let stats = client.stats().await.expect("the service answers /stats");
        assert_eq!(fetched.len(), RECORDS as usize, "{name}");
        for (id, fetch) in fetched.iter().enumerate() {
            let Ok(record) = &fetch.result else {
                panic!("{name}: record {id}: {:?}", fetch.result);
            };
            assert_eq!(record.0, format!("record {id}"), "{name}");
        }
        // Every 429 was for the quota, and the client met each one.
        let met: usize = fetched.iter().map(|fetch| fetch.throttled as usize).sum();
        assert_eq!((stats.throttled, stats.over_quota), (met, met), "{name}");
        assert!(stats.peak <= CONFIG.capacity, "{name}: {stats:?}");
        assert_eq!(stats.served, RECORDS as usize, "{name}: {stats:?}");
        throttled.push(met);
    }
    server.abort();
    let [retry, pause, paced, join_paced] = throttled[..] else {
        unreachable!("four ways");
    };
    // The first window's quota is spent by the ways that do not pace themselves, and each record
    // beyond it meets a 429 at least once with the plain limit; the pool's pause spares the calls
    // behind the first 429.
    assert!(retry >= (RECORDS - QUOTA) as usize, "{throttled:?}");
    assert!(pause < retry, "{throttled:?}");
    assert_eq!((paced, join_paced), (0, 0), "{throttled:?}");
}

#[test]
fn the_paced_fn_has_the_rate_the_tables_name() {
    // The attribute takes a literal, which the table names through `PACED`.
    let source = include_str!("../examples/thundering_herd/rate.rs");
    assert!(
        source.contains(&format!(
            "#[bounded(limit = ATTRIBUTE_LIMIT, rate = \"{PACED}\")]\npub async fn fetch_paced("
        )),
        "{PACED}"
    );
    assert!(
        PACED.count() < QUOTA,
        "the paced ways keep a margin under the quota"
    );
}
