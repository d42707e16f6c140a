//! The thundering-herd example's outage scenario: records are requested at a steady rate, the
//! service stops answering for a while (its requests hang on open connections), then recovers.
//! Each way is cut off at a deadline, so that the run always ends, and every request is accounted
//! for: answered with a record, failed with a reason (a status, a connection error, or the gate's
//! rejection with its [`Reason`]), or cut off at the deadline.
//!
//! **Time to recovery.** A request is *on time* when it succeeds within [`OutagePlan::on_time`] of
//! its arrival (its scheduled arrival, so that time spent queued in the client counts). A way's
//! *steady throughput* is its rate of on-time successes from [`OutagePlan::warm_up`] until the
//! outage starts. The way is back to it at instant `t` when the [`OutagePlan::window`] starting at
//! `t` holds at least [`RECOVERED`] of that rate's on-time successes; its time to recovery is the
//! first such `t`, on a 10 ms grid, counted from the service's recovery. A backlog served late
//! does not count, so a way that drains a backlog first recovers once it has caught up; a way
//! that fails its backlog fast recovers as soon as new requests succeed again.

use std::sync::Mutex;
use std::time::Duration;

use bounded_async::Reason;
use bounded_async::join_bounded;
use futures::future::join_all;
use futures::stream::{self, Stream, StreamExt};
use tokio::time::{Instant, sleep_until, timeout_at};

use crate::herd::{
    Client, FetchError, Record, Rejections, Sample, ServiceStats, Way, fetch_bounded, fetch_gated,
};

/// The share of its steady throughput a way must reach again to count as recovered.
pub const RECOVERED: f64 = 0.9;

/// The grid on which the time to recovery is searched.
const STEP: Duration = Duration::from_millis(10);

/// The scenario's timeline and its measures, the same for every way.
#[derive(Clone, Copy, Debug)]
pub struct OutagePlan {
    /// Requests arriving per second, one every `1 / rate` seconds, from the start to the end of
    /// the run.
    pub rate: u64,
    /// How long the service runs normally before the outage.
    pub before: Duration,
    /// How long the outage lasts.
    pub outage: Duration,
    /// How long requests keep arriving after the service's recovery.
    pub after: Duration,
    /// How long after the last arrival a way is cut off, whatever it still has pending.
    pub grace: Duration,
    /// Successes before this are the connections' warm-up, left out of the steady throughput.
    pub warm_up: Duration,
    /// The latency within which a success is on time.
    pub on_time: Duration,
    /// The window over which throughput is counted.
    pub window: Duration,
    /// After a way is cut off, how long the service must go without answering anything before
    /// its counts are read, so that the requests it was still serving are counted with this way
    /// and not the next. Once an outage is over it answers every request within 1.5 times its
    /// latency.
    pub settle: Duration,
}

impl OutagePlan {
    /// The example's plan around an outage of `outage`, for a service of `latency`: 1.5 s of
    /// normal running, the outage, twice its length of running after it, then as long again
    /// before the deadline. On time means within ten times the service's latency.
    pub fn new(rate: u64, outage: Duration, latency: Duration) -> Self {
        OutagePlan {
            rate,
            before: Duration::from_millis(1500),
            outage,
            after: (outage * 2).max(Duration::from_secs(1)),
            grace: outage.max(Duration::from_secs(1)),
            warm_up: Duration::from_millis(500),
            on_time: (latency * 10).max(Duration::from_millis(50)),
            window: Duration::from_millis(250),
            settle: (latency * 2).max(Duration::from_millis(100)),
        }
    }

    /// How long requests keep arriving.
    pub fn arriving(&self) -> Duration {
        self.before + self.outage + self.after
    }

    /// How many requests arrive in all.
    pub fn requests(&self) -> u64 {
        (self.arriving().as_secs_f64() * self.rate as f64) as u64
    }

    /// When, from the start, every way is cut off.
    pub fn deadline(&self) -> Duration {
        self.arriving() + self.grace
    }
}

/// When each request arrives: request `id` at `start + id / rate`.
#[derive(Clone, Copy, Debug)]
pub struct Arrivals {
    start: Instant,
    rate: u64,
    total: u64,
}

impl Arrivals {
    /// The arrival of request `id`, from the start.
    pub fn offset(&self, id: u64) -> Duration {
        Duration::from_nanos(id * 1_000_000_000 / self.rate)
    }

    /// Waits until request `id` has arrived.
    pub async fn wait(&self, id: u64) {
        sleep_until(self.start + self.offset(id)).await;
    }

    /// The requests' ids, each as it arrives.
    pub fn stream(self) -> impl Stream<Item = u64> {
        stream::iter(0..self.total).then(move |id| async move {
            self.wait(id).await;
            id
        })
    }
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Answered with its record.
    Served,
    /// Answered `429 Too Many Requests`.
    Throttled,
    /// Answered with another unexpected status.
    OtherStatus,
    /// The connection failed (refused, reset, timed out by the system).
    ConnectionError,
    /// The gate turned the call away, for this reason.
    Rejected(Reason),
}

impl Fate {
    fn of(result: &Result<Record, FetchError>) -> Fate {
        match result {
            Ok(_) => Fate::Served,
            Err(FetchError::Throttled { .. }) => Fate::Throttled,
            Err(FetchError::Status(_)) => Fate::OtherStatus,
            Err(FetchError::Transport(_)) => Fate::ConnectionError,
            Err(FetchError::Rejected(rejected)) => Fate::Rejected(rejected.reason()),
        }
    }
}

/// Every request's fate and when it was decided, from the start; `None` while pending.
pub struct Ledger {
    start: Instant,
    entries: Mutex<Vec<Option<(Fate, Duration)>>>,
}

impl Ledger {
    fn new(start: Instant, requests: u64) -> Self {
        Ledger {
            start,
            entries: Mutex::new(vec![None; requests as usize]),
        }
    }

    /// Records how request `id` ended. Each request is recorded once.
    pub fn record(&self, id: u64, result: &Result<Record, FetchError>) {
        let mut entries = self.entries.lock().expect("never poisoned");
        let entry = &mut entries[id as usize];
        assert!(entry.is_none(), "request {id} recorded twice");
        *entry = Some((Fate::of(result), self.start.elapsed()));
    }

    fn into_entries(self) -> Vec<Option<(Fate, Duration)>> {
        self.entries.into_inner().expect("never poisoned")
    }
}

/// Makes the requests of `arrivals` the given way, each as it arrives (or, for a way that is
/// behind, as soon as the way gets to it), recording each one's fate in `ledger`.
pub async fn fetch_arrivals(
    way: Way,
    client: &Client,
    arrivals: Arrivals,
    ledger: &Ledger,
    capacity: usize,
) {
    let fetch = move |id: u64| async move {
        let result = client.fetch(id).await;
        ledger.record(id, &result);
    };
    match way {
        // Each request starts as it arrives, however many are in flight.
        Way::Unbounded => arrivals.stream().for_each_concurrent(None, fetch).await,
        // Each batch takes the requests that have arrived, up to `capacity`, and waits for all
        // of them before the next.
        Way::Batches => {
            let mut next = 0;
            while next < arrivals.total {
                arrivals.wait(next).await;
                let elapsed = arrivals.start.elapsed();
                let mut end = next + 1;
                while end < arrivals.total
                    && end - next < capacity as u64
                    && arrivals.offset(end) <= elapsed
                {
                    end += 1;
                }
                join_all((next..end).map(fetch)).await;
                next = end;
            }
        }
        // The join pulls the next request when a slot frees; the request then waits for its
        // arrival unless it has arrived already.
        Way::JoinBounded => {
            join_bounded!(limit = capacity; for id in 0..arrivals.total => async move {
                arrivals.wait(id).await;
                fetch(id).await;
            });
        }
        // Each request calls the bounded function as it arrives; the calls wait for permits.
        Way::Attribute => {
            arrivals
                .stream()
                .for_each_concurrent(None, |id| async move {
                    let result = fetch_bounded(client, id).await;
                    ledger.record(id, &result);
                })
                .await
        }
        // The same with the gate's keys: the calls wait for permits, within its queue and wait,
        // and run within its timeout, or are turned away.
        Way::Gated => {
            arrivals
                .stream()
                .for_each_concurrent(None, |id| async move {
                    let result = fetch_gated(client, id).await;
                    ledger.record(id, &result);
                })
                .await
        }
    }
}

/// What one way did through the outage.
#[derive(Debug)]
pub struct OutageRow {
    pub way: Way,
    /// Requests made, all accounted for below.
    pub requests: u64,
    pub served: usize,
    pub throttled: usize,
    pub other_status: usize,
    pub connection_errors: usize,
    /// Calls the gate turned away, by reason.
    pub rejected: Rejections,
    /// Requests that failed, for any reason, while the service was out: from the outage's start
    /// until its recovery.
    pub failed_in_outage: usize,
    /// Requests still pending when the deadline cut the way off.
    pub cut_off: usize,
    /// Requests without a fate although the way returned before the deadline: always 0 unless
    /// a way loses requests.
    pub lost: usize,
    /// On-time successes per second before the outage.
    pub steady_rate: f64,
    /// From the service's recovery until the way is back to its steady throughput; `None` if it
    /// was not back before the last arrival.
    pub recovery: Option<Duration>,
    /// What the service saw.
    pub stats: ServiceStats,
    /// The service's samples of its load while the way ran.
    pub timeline: Vec<Sample>,
}

/// Runs `way` through `plan`'s outage at the service on `addr`, whose capacity is `capacity`.
pub async fn run_outage(
    way: Way,
    addr: std::net::SocketAddr,
    plan: &OutagePlan,
    capacity: usize,
) -> Result<OutageRow, FetchError> {
    let control = Client::new(addr);
    control.reset().await?;

    let client = Client::new(addr);
    let start = Instant::now();
    let requests = plan.requests();
    let arrivals = Arrivals {
        start,
        rate: plan.rate,
        total: requests,
    };
    let ledger = Ledger::new(start, requests);
    let work = fetch_arrivals(way, &client, arrivals, &ledger, capacity);
    let outage = async {
        sleep_until(start + plan.before).await;
        let started = start.elapsed();
        control.outage(plan.outage).await?;
        Ok::<_, FetchError>((started, started + plan.outage))
    };
    let (outage, finished) = tokio::join!(outage, timeout_at(start + plan.deadline(), work));
    let (out, recovered) = outage?;
    let cut = finished.is_err();
    drop(client);
    let mut stats = control.stats().await?;
    if cut {
        loop {
            tokio::time::sleep(plan.settle).await;
            let now = control.stats().await?;
            if now == stats {
                break;
            }
            stats = now;
        }
    }

    let timeline = control.timeline().await?;

    let entries = ledger.into_entries();
    let count = |fate: Fate| entries.iter().flatten().filter(|(f, _)| *f == fate).count();
    let pending = entries.iter().filter(|entry| entry.is_none()).count();
    let mut rejected = Rejections::default();
    for (fate, _) in entries.iter().flatten() {
        if let Fate::Rejected(reason) = fate {
            rejected.add(*reason);
        }
    }
    let failed_in_outage = entries
        .iter()
        .flatten()
        .filter(|(fate, done)| *fate != Fate::Served && (out..=recovered).contains(done))
        .count();
    let mut on_time: Vec<Duration> = entries
        .iter()
        .enumerate()
        .filter_map(|(id, entry)| match entry {
            Some((Fate::Served, done)) if *done - arrivals.offset(id as u64) <= plan.on_time => {
                Some(*done)
            }
            _ => None,
        })
        .collect();
    on_time.sort();
    let steady_rate = between(&on_time, plan.warm_up, plan.before) as f64
        / (plan.before - plan.warm_up).as_secs_f64();
    let recovery = time_to_recovery(&on_time, steady_rate, recovered, plan);

    Ok(OutageRow {
        way,
        requests,
        served: count(Fate::Served),
        throttled: count(Fate::Throttled),
        other_status: count(Fate::OtherStatus),
        connection_errors: count(Fate::ConnectionError),
        rejected,
        failed_in_outage,
        cut_off: if cut { pending } else { 0 },
        lost: if cut { 0 } else { pending },
        steady_rate,
        recovery,
        stats,
        timeline,
    })
}

/// How many of the sorted `times` fall in `from..to`.
fn between(times: &[Duration], from: Duration, to: Duration) -> usize {
    times.partition_point(|&t| t < to) - times.partition_point(|&t| t < from)
}

/// The first instant from `recovered`, on the grid, whose window holds [`RECOVERED`] of the
/// steady rate's on-time successes, as a time from `recovered`. Only windows that end by the
/// last arrival count.
fn time_to_recovery(
    on_time: &[Duration],
    steady_rate: f64,
    recovered: Duration,
    plan: &OutagePlan,
) -> Option<Duration> {
    let needed = RECOVERED * steady_rate * plan.window.as_secs_f64();
    if needed <= 0.0 {
        return None;
    }
    let mut at = recovered;
    while at + plan.window <= plan.arriving() {
        if between(on_time, at, at + plan.window) as f64 >= needed {
            return Some(at - recovered);
        }
        at += STEP;
    }
    None
}
