//! The thundering-herd example's rate scenario: the service accepts at most [`QUOTA`] record
//! requests a second, counted in fixed one-second windows, and answers any request beyond with
//! `429 Too Many Requests` and the time until its next window (see [`ServiceConfig::quota`]).
//! Every way fetches every record: a throttled request is made again after the `Retry-After` the
//! service sent, up to [`MAX_ATTEMPTS`] times. What differs is who waits out the `Retry-After`,
//! and whether the client paces itself so that the service never has to say it:
//!
//! - [`RateWay::Retry`]: a `#[bounded]` function with a limit and no rate. Each throttled call
//!   sleeps out its own `Retry-After`, then calls again.
//! - [`RateWay::Pause`]: a member of the pool [`PARTNER`]. The first throttled call pauses the
//!   whole pool for its `Retry-After` ([`Pool::pause_for`](bounded_async::Pool::pause_for)), so
//!   the calls behind it wait at the gate instead of meeting the 429 themselves.
//! - [`RateWay::Paced`]: a `#[bounded]` function with a `rate` just under the quota.
//! - [`RateWay::JoinPaced`]: `join_bounded!` with the same `rate`, over plain requests.

use std::future::Future;
use std::time::Duration;

use bounded_async::{Rate, bounded, join_bounded, pool};
use futures::future::join_all;

use crate::herd::{ATTRIBUTE_LIMIT, Client, FetchError, Record, fetch_bounded};

/// The service's quota in this scenario: record requests accepted per one-second window. An
/// attribute's `rate` is a literal, so it is a constant, as the limit is: `--capacity` and
/// `--latency-ms` change the service, not this.
pub const QUOTA: u64 = 200;

/// The rate of the paced ways: 5% under [`QUOTA`]. At the quota itself, a request sent on time
/// but delayed on its way (by the network, or a busy machine) can land in the next window, as one
/// more than its quota; the margin absorbs that. The attribute of [`fetch_paced`] repeats it as a
/// literal, and the tests check the two agree.
pub const PACED: Rate = Rate::per_second(190);

/// How many times a way makes one record's request before it gives up on the record.
pub const MAX_ATTEMPTS: u32 = 20;

/// How long a way waits after a 429 that says nothing of when to try again (the service sends
/// that for its capacity, which these ways' limit of [`ATTRIBUTE_LIMIT`] never exceeds).
const UNSAID_RETRY_AFTER: Duration = Duration::from_millis(50);

pool!(
    /// The partner API, as a pool: its members share its limit and, after a 429, its pause.
    pub PARTNER = ATTRIBUTE_LIMIT
);

/// A fetch through [`PARTNER`]: at most [`ATTRIBUTE_LIMIT`] in flight with every other member's
/// calls, and none admitted while the pool is paused.
#[bounded(pool = PARTNER)]
pub async fn fetch_partner(client: &Client, id: u64) -> Result<Record, FetchError> {
    client.fetch(id).await
}

/// A fetch that paces itself: at most [`ATTRIBUTE_LIMIT`] in flight, and at most 190 started per
/// second, evenly ([`PACED`]).
#[bounded(limit = ATTRIBUTE_LIMIT, rate = "190/s")]
pub async fn fetch_paced(client: &Client, id: u64) -> Result<Record, FetchError> {
    client.fetch(id).await
}

/// The ways of the rate scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateWay {
    /// An unbounded `join_all` over calls of the herd's `#[bounded]` function; each throttled call
    /// sleeps out its `Retry-After`, then calls again.
    Retry,
    /// An unbounded `join_all` over calls of [`fetch_partner`]; the first throttled call pauses
    /// [`PARTNER`] for its `Retry-After`, then every call tries again.
    Pause,
    /// An unbounded `join_all` over calls of [`fetch_paced`].
    Paced,
    /// `join_bounded!` with `limit = 20` and `rate = PACED`, over the client's requests.
    JoinPaced,
}

impl RateWay {
    /// Every way, in the order of the table.
    pub const ALL: [RateWay; 4] = [
        RateWay::Retry,
        RateWay::Pause,
        RateWay::Paced,
        RateWay::JoinPaced,
    ];

    /// The way's name in the table.
    pub fn name(self) -> &'static str {
        match self {
            RateWay::Retry => "#[bounded] fn",
            RateWay::Pause => "pool + pause_for",
            RateWay::Paced => "#[bounded] with rate",
            RateWay::JoinPaced => "join_bounded! rate",
        }
    }
}

/// One record's fetch: its result, after its last attempt, and how many of its attempts were
/// throttled.
#[derive(Debug)]
pub struct Fetched {
    pub result: Result<Record, FetchError>,
    pub throttled: u32,
}

/// Calls `fetch` until it is not throttled, or [`MAX_ATTEMPTS`] times; after each 429, awaits
/// `after_429` with the service's `Retry-After` before the next attempt.
async fn with_retries<T, A>(
    mut fetch: impl FnMut() -> T,
    after_429: impl Fn(Duration) -> A,
) -> Fetched
where
    T: Future<Output = Result<Record, FetchError>>,
    A: Future<Output = ()>,
{
    let mut throttled = 0;
    loop {
        let result = fetch().await;
        match result {
            Err(FetchError::Throttled { retry_after }) if throttled + 1 < MAX_ATTEMPTS => {
                throttled += 1;
                after_429(retry_after.unwrap_or(UNSAID_RETRY_AFTER)).await;
            }
            Err(FetchError::Throttled { .. }) => {
                return Fetched {
                    result,
                    throttled: throttled + 1,
                };
            }
            result => return Fetched { result, throttled },
        }
    }
}

/// Fetches records `0..requests` the given way, returning every record's fetch in input order.
pub async fn fetch_rated(way: RateWay, client: &Client, requests: u64) -> Vec<Fetched> {
    let sleep = tokio::time::sleep;
    match way {
        RateWay::Retry => {
            join_all((0..requests).map(|id| with_retries(move || fetch_bounded(client, id), sleep)))
                .await
        }
        RateWay::Pause => {
            // `pause_for` keeps the later end of the pauses asked for: the calls throttled
            // together each ask for the same window's end.
            let pause = |after| async move { PARTNER.pause_for(after) };
            join_all((0..requests).map(|id| with_retries(move || fetch_partner(client, id), pause)))
                .await
        }
        RateWay::Paced => {
            join_all((0..requests).map(|id| with_retries(move || fetch_paced(client, id), sleep)))
                .await
        }
        RateWay::JoinPaced => {
            join_bounded!(limit = ATTRIBUTE_LIMIT, rate = PACED;
                for id in 0..requests => with_retries(move || client.fetch(id), sleep))
        }
    }
}
