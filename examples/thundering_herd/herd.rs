//! The core of the thundering-herd example: a rate-limited HTTP service on loopback (which can be
//! told to stop answering for a while, and can hold a quota of requests per second), a client,
//! and the five ways of fetching many records from it. The service also samples its load over
//! time, for the chart of `--plot`. The example prints a table from these;
//! `tests/thundering_herd.rs` runs a small configuration of them.

use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bounded_async::{Progress, Reason, Rejected, bounded, join_bounded};
use futures::future::join_all;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpSocket};
use tokio::time::Instant;

/// How the service behaves: like a third-party API with a concurrency quota, and optionally a
/// quota of requests per second.
#[derive(Clone, Copy, Debug)]
pub struct ServiceConfig {
    /// Requests served at once; any request beyond gets `429 Too Many Requests` at once.
    pub capacity: usize,
    /// How long serving one request takes on average: each record takes from half to one and a
    /// half times this, fixed per id, as real services vary.
    pub latency: Duration,
    /// Record requests accepted per second, counted in fixed one-second windows from the last
    /// reset, as many APIs count them. A request beyond gets `429 Too Many Requests` at once,
    /// with the time until the next window in `Retry-After` (whole seconds, rounded up, as
    /// RFC 9110 writes it) and in `Retry-After-Ms` (milliseconds, rounded up). `None`: no quota.
    pub quota: Option<u64>,
}

/// The length of the windows in which the service counts its [`ServiceConfig::quota`].
pub const QUOTA_WINDOW: Duration = Duration::from_secs(1);

/// How often the service samples its requests in flight, for the chart of `--plot`.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(2);

/// The most samples the service keeps between two resets: over a minute of them.
const MAX_SAMPLES: usize = 32_768;

/// One sample of the service's load, over the [`SAMPLE_EVERY`] that ends `at` (from its last
/// reset): the most requests it had at once in that time (throttled ones included, as in
/// [`ServiceStats::peak`]), and the requests it answered `429 Too Many Requests`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub at: Duration,
    pub in_flight: usize,
    pub throttled: usize,
}

/// The samples since the last reset.
struct Timeline {
    started: Instant,
    /// The service's 429s at the last sample.
    throttled: usize,
    samples: Vec<Sample>,
}

/// What the service saw since it was last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServiceStats {
    /// The most requests it had at once, throttled ones included. Throttled requests are
    /// answered at once, so this exceeds the capacity only by those arriving in the same instant.
    pub peak: usize,
    /// The most client connections it had open at once.
    pub peak_connections: usize,
    /// Requests answered with a record.
    pub served: usize,
    /// Requests answered with `429 Too Many Requests`.
    pub throttled: usize,
    /// Requests held unanswered by an outage (see [`Client::outage`]) until it ended.
    pub held: usize,
    /// Of the requests answered `429 Too Many Requests`, those refused for the quota of requests
    /// per second rather than for the capacity.
    pub over_quota: usize,
}

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    /// The most requests in flight since the last sample.
    sampled_peak: AtomicUsize,
    /// Sampled from the first reset on.
    timeline: Mutex<Option<Timeline>>,
    connections: AtomicUsize,
    peak_connections: AtomicUsize,
    served: AtomicUsize,
    throttled: AtomicUsize,
    held: AtomicUsize,
    over_quota: AtomicUsize,
    /// When the current outage ends, if one was started.
    outage_until: Mutex<Option<Instant>>,
    /// The quota's current window: when it started, and the requests accepted in it.
    window: Mutex<Option<(Instant, u64)>>,
}

impl Counters {
    fn stats(&self) -> ServiceStats {
        ServiceStats {
            peak: self.peak.load(Ordering::SeqCst),
            peak_connections: self.peak_connections.load(Ordering::SeqCst),
            served: self.served.load(Ordering::SeqCst),
            throttled: self.throttled.load(Ordering::SeqCst),
            held: self.held.load(Ordering::SeqCst),
            over_quota: self.over_quota.load(Ordering::SeqCst),
        }
    }

    fn reset(&self) {
        self.peak.store(0, Ordering::SeqCst);
        self.peak_connections
            .store(self.connections.load(Ordering::SeqCst), Ordering::SeqCst);
        self.served.store(0, Ordering::SeqCst);
        self.throttled.store(0, Ordering::SeqCst);
        self.held.store(0, Ordering::SeqCst);
        self.over_quota.store(0, Ordering::SeqCst);
        *self.outage_until.lock().expect("never poisoned") = None;
        *self.window.lock().expect("never poisoned") = Some((Instant::now(), 0));
        self.sampled_peak
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
        *self.timeline.lock().expect("never poisoned") = Some(Timeline {
            started: Instant::now(),
            throttled: 0,
            samples: Vec::new(),
        });
    }

    /// Adds a sample to the timeline, if one was started: the most requests in flight since the
    /// last sample, and the 429s since.
    fn sample(&self) {
        let in_flight = self.in_flight.load(Ordering::SeqCst);
        let peak = self.sampled_peak.swap(in_flight, Ordering::SeqCst);
        let throttled = self.throttled.load(Ordering::SeqCst);
        let mut timeline = self.timeline.lock().expect("never poisoned");
        if let Some(timeline) = timeline.as_mut()
            && timeline.samples.len() < MAX_SAMPLES
        {
            timeline.samples.push(Sample {
                at: timeline.started.elapsed(),
                in_flight: peak.max(in_flight),
                throttled: throttled.saturating_sub(timeline.throttled),
            });
            timeline.throttled = throttled;
        }
    }

    /// Counts a request against `quota` in the current window: `Ok` if it is within it, or the
    /// time until the next window.
    fn within_quota(&self, quota: u64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut window = self.window.lock().expect("never poisoned");
        let (start, accepted) = window.get_or_insert((now, 0));
        let elapsed = now - *start;
        if elapsed >= QUOTA_WINDOW {
            // Windows follow each other from the reset, whether or not requests came.
            let windows = (elapsed.as_nanos() / QUOTA_WINDOW.as_nanos()) as u32;
            *start += QUOTA_WINDOW * windows;
            *accepted = 0;
        }
        if *accepted < quota {
            *accepted += 1;
            Ok(())
        } else {
            Err(*start + QUOTA_WINDOW - now)
        }
    }

    /// Holds a request unanswered until the current outage, if any, ends. Returns whether it did.
    async fn ride_out_outage(&self) -> bool {
        let until = *self.outage_until.lock().expect("never poisoned");
        match until {
            Some(until) if Instant::now() < until => {
                tokio::time::sleep_until(until).await;
                true
            }
            _ => false,
        }
    }
}

/// A listener on an ephemeral loopback port, with a backlog deep enough for a herd of
/// connections arriving at once.
pub fn listen() -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    socket.listen(4096)
}

/// Serves `GET /records/{id}` under `config`, plus `GET /stats`, `GET /timeline`, `POST /reset`
/// and `POST /outage?ms=N` for the client that measures it. Runs until the process ends.
pub async fn serve(listener: TcpListener, config: ServiceConfig) {
    let counters = Arc::new(Counters::default());
    // Samples the requests in flight every few milliseconds, from the service's side.
    let sampled = Arc::clone(&counters);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SAMPLE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            sampled.sample();
        }
    });
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let open = counters.connections.fetch_add(1, Ordering::SeqCst) + 1;
        counters.peak_connections.fetch_max(open, Ordering::SeqCst);
        let counters = Arc::clone(&counters);
        tokio::spawn(async move {
            let per_request = Arc::clone(&counters);
            let service = service_fn(move |request| {
                let counters = Arc::clone(&per_request);
                async move { Ok::<_, Infallible>(handle(request, &counters, config).await) }
            });
            // A client that hangs up mid-request is not the service's problem.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
            counters.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn handle(
    request: Request<Incoming>,
    counters: &Counters,
    config: ServiceConfig,
) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    match (request.method(), path) {
        (&Method::GET, "/stats") => {
            let ServiceStats {
                peak,
                peak_connections,
                served,
                throttled,
                held,
                over_quota,
            } = counters.stats();
            let stats =
                format!("{peak} {peak_connections} {served} {throttled} {held} {over_quota}");
            return text(StatusCode::OK, stats);
        }
        (&Method::GET, "/timeline") => {
            // A last sample, so that the timeline holds every request until now.
            counters.sample();
            let timeline = counters.timeline.lock().expect("never poisoned");
            let samples = timeline
                .as_ref()
                .map_or(&[][..], |timeline| &timeline.samples);
            let mut body = String::with_capacity(samples.len() * 16);
            for sample in samples {
                // Into the body itself: no `String` of its own per sample.
                writeln!(
                    body,
                    "{} {} {}",
                    sample.at.as_micros(),
                    sample.in_flight,
                    sample.throttled
                )
                .expect("writing to a String never fails");
            }
            return text(StatusCode::OK, body);
        }
        (&Method::POST, "/reset") => {
            counters.reset();
            return text(StatusCode::OK, String::new());
        }
        (&Method::POST, "/outage") => {
            let ms = request
                .uri()
                .query()
                .and_then(|query| query.strip_prefix("ms="))
                .and_then(|ms| ms.parse().ok());
            let Some(ms) = ms else {
                return text(StatusCode::BAD_REQUEST, "expected ?ms=N".to_owned());
            };
            let until = Instant::now() + Duration::from_millis(ms);
            *counters.outage_until.lock().expect("never poisoned") = Some(until);
            return text(StatusCode::OK, String::new());
        }
        _ => {}
    }
    let Some(id) = path
        .strip_prefix("/records/")
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return text(StatusCode::NOT_FOUND, "no such record".to_owned());
    };

    // During an outage the service answers nothing: a request arriving then waits for its end
    // before it is even counted, and one being served is not answered before the end.
    let mut held = counters.ride_out_outage().await;
    if let Some(quota) = config.quota
        && let Err(next_window) = counters.within_quota(quota)
    {
        counters.throttled.fetch_add(1, Ordering::SeqCst);
        counters.over_quota.fetch_add(1, Ordering::SeqCst);
        let mut response = text(StatusCode::TOO_MANY_REQUESTS, "over quota".to_owned());
        let ms = next_window.as_nanos().div_ceil(1_000_000).max(1);
        let headers = response.headers_mut();
        headers.insert(RETRY_AFTER, HeaderValue::from(ms.div_ceil(1000) as u64));
        headers.insert(RETRY_AFTER_MS, HeaderValue::from(ms as u64));
        return response;
    }
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let in_flight = InFlight(counters);
    counters.peak.fetch_max(now, Ordering::SeqCst);
    counters.sampled_peak.fetch_max(now, Ordering::SeqCst);
    if now > config.capacity {
        drop(in_flight);
        counters.throttled.fetch_add(1, Ordering::SeqCst);
        if held {
            counters.held.fetch_add(1, Ordering::SeqCst);
        }
        return text(StatusCode::TOO_MANY_REQUESTS, "slow down".to_owned());
    }
    let spread = 0.5 + (id.wrapping_mul(37) % 101) as f64 / 100.0;
    tokio::time::sleep(config.latency.mul_f64(spread)).await;
    held |= counters.ride_out_outage().await;
    if held {
        counters.held.fetch_add(1, Ordering::SeqCst);
    }
    counters.served.fetch_add(1, Ordering::SeqCst);
    // Leave before answering, so that a client which sends its next request as soon as this
    // answer arrives never finds this one still counted.
    drop(in_flight);
    text(StatusCode::OK, format!("record {id}"))
}

/// Counts a request in flight until dropped, also when its client hangs up and the request is
/// dropped unanswered.
struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
}

/// A record fetched from the service.
#[derive(Debug, PartialEq, Eq)]
pub struct Record(pub String);

/// The service's `Retry-After` in milliseconds, as some APIs send it beside the standard header,
/// whose whole seconds are too coarse for a quota counted per second.
const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");

/// Why a fetch failed.
#[derive(Debug)]
pub enum FetchError {
    /// The service answered `429 Too Many Requests`, saying when to try again if it did: its
    /// `Retry-After-Ms`, else its `Retry-After`.
    Throttled { retry_after: Option<Duration> },
    /// Any other unexpected status.
    Status(StatusCode),
    /// The request did not complete (connection refused or reset, ...).
    Transport(String),
    /// The gate of [`fetch_gated`] turned the call away: its queue was full, it waited too long
    /// for a permit, or it ran past its timeout.
    Rejected(Rejected),
}

impl From<Rejected> for FetchError {
    fn from(rejected: Rejected) -> Self {
        FetchError::Rejected(rejected)
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Throttled { retry_after: None } => f.write_str("429 Too Many Requests"),
            FetchError::Throttled {
                retry_after: Some(after),
            } => write!(
                f,
                "429 Too Many Requests, retry after {} ms",
                after.as_millis()
            ),
            FetchError::Status(status) => write!(f, "unexpected status {status}"),
            FetchError::Transport(error) => write!(f, "request failed: {error}"),
            FetchError::Rejected(rejected) => write!(f, "rejected: {rejected}"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::Rejected(rejected) => Some(rejected),
            _ => None,
        }
    }
}

/// An HTTP client of the service, counting the fetches it completes (for a progress line).
pub struct Client {
    http: HttpClient<HttpConnector, Empty<Bytes>>,
    base: String,
    completed: AtomicUsize,
}

impl Client {
    /// A client with its own connection pool, so that no run inherits another's connections.
    pub fn new(addr: SocketAddr) -> Self {
        Client {
            http: HttpClient::builder(TokioExecutor::new()).build_http(),
            base: format!("http://{addr}"),
            completed: AtomicUsize::new(0),
        }
    }

    /// Fetches record `id`.
    pub async fn fetch(&self, id: u64) -> Result<Record, FetchError> {
        let result = self.get(&format!("/records/{id}")).await.map(Record);
        self.completed.fetch_add(1, Ordering::Relaxed);
        result
    }

    /// How many fetches have completed, successfully or not.
    pub fn completed(&self) -> usize {
        self.completed.load(Ordering::Relaxed)
    }

    /// What the service saw since it was last reset.
    pub async fn stats(&self) -> Result<ServiceStats, FetchError> {
        let text = self.get("/stats").await?;
        let numbers: Vec<usize> = text.split(' ').filter_map(|n| n.parse().ok()).collect();
        match numbers[..] {
            [peak, peak_connections, served, throttled, held, over_quota] => Ok(ServiceStats {
                peak,
                peak_connections,
                served,
                throttled,
                held,
                over_quota,
            }),
            _ => Err(FetchError::Transport(format!("unreadable stats: {text:?}"))),
        }
    }

    /// The service's samples of its load since it was last reset, every [`SAMPLE_EVERY`].
    pub async fn timeline(&self) -> Result<Vec<Sample>, FetchError> {
        let text = self.get("/timeline").await?;
        text.lines()
            .map(|line| {
                let numbers: Vec<u64> = line.split(' ').filter_map(|n| n.parse().ok()).collect();
                match numbers[..] {
                    [at, in_flight, throttled] => Ok(Sample {
                        at: Duration::from_micros(at),
                        in_flight: in_flight as usize,
                        throttled: throttled as usize,
                    }),
                    _ => Err(FetchError::Transport(format!(
                        "unreadable sample: {line:?}"
                    ))),
                }
            })
            .collect()
    }

    /// Clears the service's counters, and ends any outage.
    pub async fn reset(&self) -> Result<(), FetchError> {
        self.post("/reset").await
    }

    /// Starts an outage at the service: from now until `duration` has passed, it answers no
    /// record request (they hang, on open connections), then it recovers and answers those it
    /// held as if they had just arrived. Its other requests are answered as usual.
    pub async fn outage(&self, duration: Duration) -> Result<(), FetchError> {
        self.post(&format!("/outage?ms={}", duration.as_millis()))
            .await
    }

    async fn post(&self, path: &str) -> Result<(), FetchError> {
        let request = Request::post(self.uri(path))
            .body(Empty::new())
            .expect("a static request is valid");
        let response = self
            .http
            .request(request)
            .await
            .map_err(|error| FetchError::Transport(error.to_string()))?;
        match response.status() {
            StatusCode::OK => Ok(()),
            status => Err(FetchError::Status(status)),
        }
    }

    async fn get(&self, path: &str) -> Result<String, FetchError> {
        let response = self
            .http
            .get(self.uri(path))
            .await
            .map_err(|error| FetchError::Transport(error.to_string()))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| FetchError::Transport(error.to_string()))?
            .to_bytes();
        match status {
            StatusCode::OK => Ok(String::from_utf8_lossy(&body).into_owned()),
            StatusCode::TOO_MANY_REQUESTS => Err(FetchError::Throttled { retry_after }),
            status => Err(FetchError::Status(status)),
        }
    }

    fn uri(&self, path: &str) -> Uri {
        format!("{}{path}", self.base)
            .parse()
            .expect("a loopback address and a path make a valid URI")
    }
}

/// When a `429` says to try again: `Retry-After-Ms` if the service sent it, else `Retry-After`'s
/// whole seconds (an HTTP date there is not read).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
    };
    number(&RETRY_AFTER_MS)
        .map(Duration::from_millis)
        .or_else(|| number(&RETRY_AFTER).map(Duration::from_secs))
}

/// The limit of [`fetch_bounded`]. An attribute's limit is a constant: the example's
/// `--capacity` does not change it.
pub const ATTRIBUTE_LIMIT: usize = 20;

/// The client's fetch, bounded where it is declared: however many callers there are, at most
/// `ATTRIBUTE_LIMIT` of these requests are in flight, program-wide.
#[bounded(limit = ATTRIBUTE_LIMIT)]
pub async fn fetch_bounded(client: &Client, id: u64) -> Result<Record, FetchError> {
    client.fetch(id).await
}

/// The most calls of [`fetch_gated`] that wait for a permit at once: three rounds of the limit.
/// A healthy service clears them in at most 3 × 30 ms (a record takes at most 1.5 times the
/// 20 ms latency), within [`GATE_WAIT`]; a longer line would only hold calls that wait out their
/// `wait`. The attribute takes literals, so these constants repeat its keys for the table and the
/// tests, which check them against the gate's own rejections.
pub const GATE_QUEUE: usize = 60;

/// The longest a call of [`fetch_gated`] waits for a permit: half of [`GATE_TIMEOUT`], so that a
/// call admitted at the end of its wait and answered at the service's usual pace is still on
/// time.
pub const GATE_WAIT: Duration = Duration::from_millis(100);

/// The longest a call of [`fetch_gated`] runs once admitted: ten times the service's 20 ms
/// latency (which the table also takes as on time), so that no healthy request reaches it, even
/// on a busy machine, and a fifteenth of the 3 s outage, so that a hung request gives its permit
/// back after 200 ms rather than holding it through the outage.
pub const GATE_TIMEOUT: Duration = Duration::from_millis(200);

/// The attribute of [`fetch_gated`], as the tables name it.
pub fn gated_attribute() -> String {
    format!(
        "#[bounded(limit = {ATTRIBUTE_LIMIT}, queue = {GATE_QUEUE}, wait = \"{}ms\", \
         timeout = \"{}ms\")]",
        GATE_WAIT.as_millis(),
        GATE_TIMEOUT.as_millis()
    )
}

/// [`fetch_bounded`] with the gate's keys: a call waits at most [`GATE_WAIT`] for a permit, at
/// most [`GATE_QUEUE`] calls wait at once, and an admitted call is dropped after
/// [`GATE_TIMEOUT`], its permit given back at once. A call turned away returns
/// `Err(FetchError::Rejected(..))` with its [`Reason`].
#[bounded(limit = ATTRIBUTE_LIMIT, queue = 60, wait = "100ms", timeout = "200ms")]
pub async fn fetch_gated(client: &Client, id: u64) -> Result<Record, FetchError> {
    client.fetch(id).await
}

/// The rejections among results, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rejections {
    pub queue_full: usize,
    pub wait_elapsed: usize,
    pub timed_out: usize,
    /// Any other reason (a gate that was paused): always 0 here, as nothing pauses the gate.
    pub other: usize,
}

impl Rejections {
    /// Counts one rejection for `reason`.
    pub fn add(&mut self, reason: Reason) {
        match reason {
            Reason::QueueFull => self.queue_full += 1,
            Reason::WaitElapsed => self.wait_elapsed += 1,
            Reason::TimedOut => self.timed_out += 1,
            _ => self.other += 1,
        }
    }

    /// The rejections among `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a Result<Record, FetchError>>) -> Self {
        let mut rejections = Rejections::default();
        for result in results {
            if let Err(FetchError::Rejected(rejected)) = result {
                rejections.add(rejected.reason());
            }
        }
        rejections
    }

    /// Every rejection, whatever its reason.
    pub fn total(&self) -> usize {
        self.queue_full + self.wait_elapsed + self.timed_out + self.other
    }
}

/// The total, then the breakdown by reason: queue full / wait elapsed / timed out.
impl fmt::Display for Rejections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total() == 0 {
            return f.pad("0");
        }
        f.pad(&format!(
            "{} ({}/{}/{})",
            self.total(),
            self.queue_full,
            self.wait_elapsed,
            self.timed_out
        ))
    }
}

/// The five ways of fetching records `0..requests`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// `join_all` over every request at once.
    Unbounded,
    /// `join_all` over `capacity` requests at a time, each batch after the previous one.
    Batches,
    /// `join_bounded!` with `limit = capacity` and `strategy = "settled"`.
    JoinBounded,
    /// An unbounded `join_all` over calls of [`fetch_bounded`].
    Attribute,
    /// An unbounded `join_all` over calls of [`fetch_gated`].
    Gated,
}

impl Way {
    /// Every way, in the order of the table.
    pub const ALL: [Way; 5] = [
        Way::Unbounded,
        Way::Batches,
        Way::JoinBounded,
        Way::Attribute,
        Way::Gated,
    ];

    /// The way's name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Way::Unbounded => "unbounded join_all",
            Way::Batches => "fixed batches",
            Way::JoinBounded => "join_bounded!",
            Way::Attribute => "#[bounded] fn",
            Way::Gated => "#[bounded] with keys",
        }
    }
}

/// Fetches records `0..requests` the given way, returning every result in input order.
/// `join_bounded!` reports its progress to `progress` (its `progress` key) after each request;
/// the other ways have no such key, and report nothing.
pub async fn fetch_all(
    way: Way,
    client: &Client,
    requests: u64,
    capacity: usize,
    progress: impl FnMut(&Progress),
) -> Vec<Result<Record, FetchError>> {
    match way {
        Way::Unbounded => join_all((0..requests).map(|id| client.fetch(id))).await,
        Way::Batches => {
            let mut results = Vec::with_capacity(requests as usize);
            let ids: Vec<u64> = (0..requests).collect();
            for batch in ids.chunks(capacity) {
                results.extend(join_all(batch.iter().map(|&id| client.fetch(id))).await);
            }
            results
        }
        Way::JoinBounded => {
            let settled = join_bounded!(limit = capacity, strategy = "settled", progress = progress;
                for id in 0..requests => client.fetch(id));
            settled
                .into_iter()
                // The join has no `timeout` and `Client::fetch` no gate, so nothing is rejected.
                .map(|outcome| outcome.into_result_with(|rejected| unreachable!("{rejected}")))
                .collect()
        }
        Way::Attribute => join_all((0..requests).map(|id| fetch_bounded(client, id))).await,
        Way::Gated => join_all((0..requests).map(|id| fetch_gated(client, id))).await,
    }
}
