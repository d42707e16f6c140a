//! The thundering herd, measured.
//!
//! A rate-limited HTTP service runs on loopback (in a child process, so that the client's memory
//! is measured alone): it serves at most `--capacity` requests at once, each taking
//! `--latency-ms`, and answers any request beyond with `429 Too Many Requests` at once. The same
//! job, fetching `--requests` records by id, runs five ways, and the table shows what each way
//! did to the service and to the client.
//!
//! The fifth way calls a `#[bounded]` function with the gate's keys,
//! `#[bounded(limit = 20, queue = 60, wait = "100ms", timeout = "200ms")]`, named
//! "#[bounded] with keys" in both tables. Its values follow the service (capacity 20, ~20 ms per
//! request, at most 30 ms) and the outage (3 s):
//!
//! - `timeout = "200ms"`: ten times the latency, so that no healthy request reaches it even on a
//!   busy machine (and a slower answer would not count as on time below anyway), yet a fifteenth
//!   of the outage, so that a hung request gives its permit back after 200 ms instead of holding
//!   it until the service recovers;
//! - `wait = "100ms"`: half the timeout, so that a call admitted at the end of its wait and
//!   answered at the usual pace is still on time;
//! - `queue = 60`: three rounds of the limit, which a healthy service clears in at most 90 ms,
//!   within the wait; a longer line would only hold calls that then wait out their `wait`.
//!
//! A call it turns away fails with its `Reason` (queue full, wait elapsed, timed out), and both
//! tables count those. Like the limit, these keys are constants: the flags below do not change
//! them.
//!
//! ```sh
//! cargo run --release --example thundering_herd
//! cargo run --release --example thundering_herd -- --requests 5000 --capacity 50 --latency-ms 10
//! ```
//!
//! `--plot FILE.svg` also draws what the table sums up, in any scenario: the service samples
//! its requests in flight every 2 ms (the most in each sample) and counts its 429s, and the
//! chart has a panel per way, named as in the table, on one time axis, with the capacity as a
//! dashed line and the 429s per 10 ms in red. `plot.rs` draws it (with plotters); the README
//! shows the herd's, `docs/herd.svg`:
//!
//! ```sh
//! cargo run --release --example thundering_herd -- --plot docs/herd.svg
//! ```
//!
//! `--scenario outage` prints a second table instead: records are requested at a steady
//! `--rate`, and 1.5 s in, the service stops answering for `--outage-ms` (its requests hang on
//! open connections), then recovers and answers the requests it held as if they had just
//! arrived. Requests keep arriving for twice the outage after it, and every way is cut off as
//! long again after the last one, so that the run always ends. For each way the table shows:
//!
//! - its time to recovery. A request is *on time* when it succeeds within ten times the
//!   service's latency of its scheduled arrival (time queued in the client counts). The way's
//!   steady throughput is its rate of on-time successes from 0.5 s in until the outage. It is back
//!   to it at the first instant, from the service's recovery on a 10 ms grid, whose following
//!   250 ms hold at least 90% of that rate's on-time successes. A backlog served late does not
//!   count;
//! - the requests served, failed by reason (429, connection error, rejected by the gate with its
//!   `Reason`) or cut off at the deadline, which add up to the requests made;
//! - the requests the service held through the outage, the most connections it had open at once,
//!   and the most heap the client held.
//!
//! `outage.rs` implements these.
//!
//! ```sh
//! cargo run --release --example thundering_herd -- --scenario outage
//! cargo run --release --example thundering_herd -- --scenario outage --outage-ms 1000 --rate 200
//! ```
//!
//! `--scenario rate` prints a third table: the service also holds a quota of 200 record requests
//! a second, counted in one-second windows, and answers any request beyond with 429 and the time
//! until its next window in `Retry-After`. `--requests` records (default 1,000) are fetched four
//! ways, each of which makes a throttled request again after its `Retry-After`: the `#[bounded]`
//! fn, whose calls each sleep out their own; a `pool!` member whose first throttled call pauses
//! the pool with `pause_for`; and `#[bounded]` and `join_bounded!` with `rate = "190/s"`, which
//! pace themselves under the quota. The table counts the 429s each took. `rate.rs` implements
//! these.
//!
//! ```sh
//! cargo run --release --example thundering_herd -- --scenario rate
//! ```

mod herd;
mod outage;
mod plot;
mod rate;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bounded_async::Progress;

use herd::{
    ATTRIBUTE_LIMIT, Client, GATE_QUEUE, GATE_TIMEOUT, GATE_WAIT, Rejections, Sample,
    ServiceConfig, ServiceStats, Way, fetch_all, gated_attribute,
};
use outage::{OutagePlan, OutageRow, RECOVERED, run_outage};
use rate::{MAX_ATTEMPTS, PACED, QUOTA, RateWay, fetch_rated};

/// Counts the heap bytes this process holds, and the most it held, for the "client peak heap"
/// column.
struct CountingAllocator;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn hold(bytes: usize) {
    let now = HELD.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed to `System` unchanged; the counters are only bookkeeping.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            hold(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
            hold(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const USAGE: &str = "\
usage: thundering_herd [--requests N] [--capacity C] [--latency-ms L] [--plot FILE.svg]
       thundering_herd --scenario outage [--rate R] [--outage-ms O] [--capacity C] [--latency-ms L]
                       [--plot FILE.svg]
       thundering_herd --scenario rate [--requests N] [--capacity C] [--latency-ms L]
                       [--plot FILE.svg]

  --requests N     records to fetch in each run (default 2000; 1000 with --scenario rate)
  --capacity C     requests the service serves at once; more get 429 (default 20)
  --latency-ms L   how long the service takes per request on average (default 20)
  --scenario S     `herd` (default): fetch N records at once, five ways
                   `outage`: request records at a steady rate while the service stops answering
                   for a while, five ways
                   `rate`: fetch N records from a service with a quota of 200 requests a second,
                   four ways, trying throttled ones again
  --rate R         outage: records requested per second (default 400)
  --outage-ms O    outage: how long the service stops answering (default 3000)
  --plot FILE.svg  also draw the requests in flight at the service over time, one panel per way,
                   as an SVG chart";

/// Which table to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Herd,
    Outage,
    Rate,
}

struct Options {
    scenario: Scenario,
    /// `--requests`, if given: the herd and rate scenarios each have their own default.
    requests: Option<u64>,
    service: ServiceConfig,
    rate: u64,
    outage: Duration,
    /// `--plot`: where to draw the chart.
    plot: Option<PathBuf>,
}

impl Options {
    /// The records each way fetches: `--requests`, or the scenario's default.
    fn requests(&self) -> u64 {
        match (self.requests, self.scenario) {
            (Some(requests), _) => requests,
            (None, Scenario::Rate) => 1000,
            (None, _) => 2000,
        }
    }

    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            scenario: Scenario::Herd,
            requests: None,
            service: ServiceConfig {
                capacity: ATTRIBUTE_LIMIT,
                latency: Duration::from_millis(20),
                quota: None,
            },
            rate: 400,
            outage: Duration::from_millis(3000),
            plot: None,
        };
        let mut herd_flags = false;
        let mut outage_flags = false;
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            if flag == "--scenario" {
                options.scenario = match args.next().map(String::as_str) {
                    Some("herd") => Scenario::Herd,
                    Some("outage") => Scenario::Outage,
                    Some("rate") => Scenario::Rate,
                    other => {
                        return Err(format!(
                            "--scenario takes `herd`, `outage` or `rate`, not {other:?}"
                        ));
                    }
                };
                continue;
            }
            if flag == "--plot" {
                let path = args.next().ok_or("--plot needs a file to write")?;
                options.plot = Some(PathBuf::from(path));
                continue;
            }
            let mut value = |name: &str| -> Result<u64, String> {
                let value = args.next().ok_or(format!("{name} needs a value"))?;
                value
                    .parse()
                    .map_err(|_| format!("{name} takes a whole number, not {value:?}"))
            };
            match flag.as_str() {
                "--requests" => {
                    options.requests = Some(value("--requests")?);
                    herd_flags = true;
                }
                // The service's own flag, which the rate scenario passes to it.
                "--quota" => options.service.quota = Some(value("--quota")?),
                "--rate" => {
                    options.rate = value("--rate")?;
                    outage_flags = true;
                }
                "--outage-ms" => {
                    options.outage = Duration::from_millis(value("--outage-ms")?);
                    outage_flags = true;
                }
                "--capacity" => options.service.capacity = value("--capacity")? as usize,
                "--latency-ms" => {
                    options.service.latency = Duration::from_millis(value("--latency-ms")?)
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if options.requests == Some(0) || options.service.capacity == 0 {
            return Err("--requests and --capacity must be at least 1".to_owned());
        }
        if options.rate == 0 || options.outage.is_zero() {
            return Err("--rate and --outage-ms must be at least 1".to_owned());
        }
        match options.scenario {
            Scenario::Herd | Scenario::Rate if outage_flags => {
                Err("--rate and --outage-ms need --scenario outage".to_owned())
            }
            Scenario::Outage if herd_flags => Err(
                "--scenario outage requests records at --rate for as long as the outage needs; \
                 it takes no --requests"
                    .to_owned(),
            ),
            _ => Ok(options),
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("--serve") {
        return match Options::parse(&args[1..]) {
            Ok(options) => serve(options.service),
            Err(error) => fail(&error),
        };
    }
    let options = match Options::parse(&args) {
        // The quota is the service's own flag: the rate scenario sets it.
        Ok(options) if options.service.quota.is_some() => {
            return fail("unknown argument \"--quota\"");
        }
        Ok(options) => options,
        Err(error) => return fail(&error),
    };
    let measured = match options.scenario {
        Scenario::Herd => measure(&options).and_then(|rows| {
            print_table(&options, &rows);
            let series = rows.iter().map(|row| {
                let note = turned_away(&row.rejected);
                (row.way.name(), &row.timeline[..], note)
            });
            let how = format!("{} records fetched five ways", options.requests());
            plot_if_asked(&options, series, &how)
        }),
        Scenario::Outage => measure_outage(&options).and_then(|lines| {
            print_outage_table(&options, &lines);
            let series = lines.iter().map(|line| {
                let note = turned_away(&line.row.rejected);
                (line.row.way.name(), &line.row.timeline[..], note)
            });
            let out = OutagePlan::new(options.rate, options.outage, options.service.latency).before;
            let during = format!(
                "{}/s, out from {:.1} s to {:.1} s",
                options.rate,
                out.as_secs_f64(),
                (out + options.outage).as_secs_f64()
            );
            plot_if_asked(&options, series, &during)
        }),
        Scenario::Rate => measure_rate(&options).and_then(|lines| {
            print_rate_table(&options, &lines);
            let series = lines
                .iter()
                .map(|line| (line.way.name(), &line.timeline[..], None));
            let how = format!("{} records under a quota of {QUOTA}/s", options.requests());
            plot_if_asked(&options, series, &how)
        }),
    };
    match measured {
        Ok(()) => {
            // Every gate the ways went through, as the registry saw them after the runs.
            println!(
                "\nThe client's gates, from bounded_async::report():\n\n{}",
                bounded_async::report()
            );
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

/// Draws the chart of `--plot`, if it was given: one panel per way of `series` (its name in the
/// table, and the service's samples while it ran).
fn plot_if_asked<'a>(
    options: &Options,
    series: impl Iterator<Item = (&'a str, &'a [Sample], Option<String>)>,
    how: &str,
) -> Result<(), String> {
    let Some(path) = &options.plot else {
        return Ok(());
    };
    let series: Vec<plot::Series> = series
        .map(|(name, samples, note)| plot::Series {
            name,
            samples,
            note,
        })
        .collect();
    let title = format!(
        "Requests in flight at a service that serves {} at once: {}",
        options.service.capacity, how
    );
    plot::draw(path, &title, options.service.capacity, &series)?;
    println!(
        "\nThe chart of the requests in flight is in {}.",
        path.display()
    );
    Ok(())
}

/// What a panel's caption says of the calls a way's gate turned away, if any.
fn turned_away(rejected: &Rejections) -> Option<String> {
    let total = rejected.total();
    (total > 0).then(|| format!("{total} turned away by its gate"))
}

/// The single-threaded runtime that the service and each scenario's client run on.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())
}

/// Clears the progress line, which is drawn on a terminal only.
fn clear_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r{:<40}\r", "");
    }
}

fn fail(error: &str) -> ExitCode {
    eprintln!("thundering_herd: {error}\n\n{USAGE}");
    ExitCode::from(2)
}

/// The service, in the child process: prints its address, then serves until the parent closes
/// its standard input (or exits).
fn serve(config: ServiceConfig) -> ExitCode {
    let runtime = runtime().expect("a tokio runtime");
    runtime.block_on(async {
        let listener = match herd::listen() {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("thundering_herd: cannot listen on loopback: {error}");
                std::process::exit(1);
            }
        };
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        println!("{addr}");
        std::io::stdout()
            .flush()
            .expect("the parent reads our address");
        std::thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
        herd::serve(listener, config).await;
    });
    ExitCode::SUCCESS
}

/// The service's child process, killed when dropped.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Row {
    way: Way,
    /// The service's samples of its load while the way ran.
    timeline: Vec<Sample>,
    elapsed: Duration,
    stats: ServiceStats,
    successes: usize,
    rejected: Rejections,
    peak_heap: usize,
}

/// Starts the service in a child process, and returns it with its address.
fn start_service(options: &Options) -> Result<(Service, SocketAddr), String> {
    let exe = std::env::current_exe().map_err(|error| error.to_string())?;
    let mut args = vec![
        "--serve".to_owned(),
        "--capacity".to_owned(),
        options.service.capacity.to_string(),
        "--latency-ms".to_owned(),
        options.service.latency.as_millis().to_string(),
    ];
    if let Some(quota) = options.service.quota {
        args.extend(["--quota".to_owned(), quota.to_string()]);
    }
    let child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start the service: {error}"))?;
    let mut service = Service(child);
    let mut line = String::new();
    BufReader::new(service.0.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .map_err(|error| error.to_string())?;
    let addr: SocketAddr = line
        .trim()
        .parse()
        .map_err(|_| format!("the service did not report its address: {line:?}"))?;
    Ok((service, addr))
}

fn measure(options: &Options) -> Result<Vec<Row>, String> {
    let (service, addr) = start_service(options)?;
    println!(
        "Fetching {} records from a service on {addr} that serves {} at once, ~{} ms each:",
        options.requests(),
        options.service.capacity,
        options.service.latency.as_millis()
    );
    let runtime = runtime()?;
    let mut rows = Vec::new();
    for way in Way::ALL {
        rows.push(runtime.block_on(run(way, addr, options))?);
    }
    drop(service);
    Ok(rows)
}

async fn run(way: Way, addr: SocketAddr, options: &Options) -> Result<Row, String> {
    let control = Client::new(addr);
    control.reset().await.map_err(|error| error.to_string())?;

    let baseline = HELD.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let started = Instant::now();
    let (results, elapsed) = {
        let client = Client::new(addr);
        // A progress line rewritten in place makes sense on a terminal only, and ten times a
        // second is enough.
        let show_progress = std::io::stderr().is_terminal();
        let shown = std::cell::Cell::new(Instant::now());
        let line = |done: usize| {
            if show_progress && shown.get().elapsed() >= Duration::from_millis(100) {
                eprint!("\r  {:<20} {done:>6}/{}", way.name(), options.requests());
                shown.set(Instant::now());
            }
        };
        // join_bounded! reports its own progress (its `progress` key); the other ways are
        // looked at every 100 ms.
        let reports_itself = way == Way::JoinBounded;
        let work = fetch_all(
            way,
            &client,
            options.requests(),
            options.service.capacity,
            |progress: &Progress| line(progress.done()),
        );
        tokio::pin!(work);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let results = loop {
            tokio::select! {
                results = &mut work => break results,
                _ = tick.tick(), if show_progress && !reports_itself => {
                    line(client.completed());
                }
            }
        };
        (results, started.elapsed())
    };
    let peak_heap = PEAK.load(Ordering::Relaxed) - baseline;
    clear_progress();

    let stats = control.stats().await.map_err(|error| error.to_string())?;
    let timeline = control
        .timeline()
        .await
        .map_err(|error| error.to_string())?;
    Ok(Row {
        way,
        timeline,
        elapsed,
        stats,
        successes: results.iter().filter(|result| result.is_ok()).count(),
        rejected: Rejections::of(&results),
        peak_heap,
    })
}

fn print_table(options: &Options, rows: &[Row]) {
    println!();
    println!(
        "{:<20} {:>7} {:>13} {:>10} {:>14} {:>16} {:>8} {:>12}",
        "way", "time", "peak requests", "peak conns", "429s", "rejected", "records", "client heap"
    );
    for row in rows {
        let throttled = row.stats.throttled;
        let share = 100.0 * throttled as f64 / options.requests() as f64;
        println!(
            "{:<20} {:>6.2}s {:>13} {:>10} {:>14} {:>16} {:>8} {:>8.1} MiB",
            row.way.name(),
            row.elapsed.as_secs_f64(),
            row.stats.peak,
            row.stats.peak_connections,
            format!("{throttled} ({share:.1}%)"),
            row.rejected,
            row.successes,
            row.peak_heap as f64 / (1024.0 * 1024.0),
        );
    }
    println!();
    println!(
        "peak requests: the most requests the service had at once (it serves {c}; a request \
         beyond gets 429 at\nonce). peak conns: the most connections open to it at once, the measuring one included. \
         client heap:\nthe most heap the client held.\n\n\
         Unbounded, every request starts at once: a connection each, all but a few throttled, \
         and the client\nholds every request's state at once. Fixed batches stay within the \
         capacity, but each batch waits for\nits slowest request before the next starts. \
         join_bounded! keeps exactly {c} in flight and starts the next\nrequest as soon as one \
         finishes. The #[bounded] fn is called from an unbounded join_all, yet its limit\nholds \
         program-wide; the join_all around it still holds every pending call, hence its larger \
         heap.\n\n#[bounded] with keys is {attribute}:\n\
         {limit} calls run and {queue} wait, and it turns the rest of the herd away at once \
         (queue full). rejected:\nin all, and by reason (queue full/wait elapsed/timed out). \
         So the job gets only the records the gate\nadmitted: keys are for load that may be \
         shed, not for a batch that needs every record.",
        c = options.service.capacity,
        attribute = gated_attribute(),
        limit = ATTRIBUTE_LIMIT,
        queue = GATE_QUEUE,
    );
    if options.service.capacity != ATTRIBUTE_LIMIT {
        println!(
            "\nNote: the #[bounded] ways' limit is the constant {ATTRIBUTE_LIMIT} (an \
             attribute's limit is fixed at compile time), not --capacity {}.",
            options.service.capacity
        );
    }
}

struct OutageLine {
    row: OutageRow,
    peak_heap: usize,
}

fn measure_outage(options: &Options) -> Result<Vec<OutageLine>, String> {
    let (service, addr) = start_service(options)?;
    let plan = OutagePlan::new(options.rate, options.outage, options.service.latency);
    println!(
        "Requesting {} records a second for {:.1} s from a service on {addr} that serves {} at \
         once, ~{} ms each;\nit stops answering {:.1} s in, for {:.1} s; every way is cut off \
         {:.1} s after the last request:",
        plan.rate,
        plan.arriving().as_secs_f64(),
        options.service.capacity,
        options.service.latency.as_millis(),
        plan.before.as_secs_f64(),
        plan.outage.as_secs_f64(),
        plan.grace.as_secs_f64(),
    );
    let runtime = runtime()?;
    let mut lines = Vec::new();
    for way in Way::ALL {
        if std::io::stderr().is_terminal() {
            eprint!(
                "\r  {:<20} ({:.0} s)",
                way.name(),
                plan.deadline().as_secs_f64()
            );
        }
        let baseline = HELD.load(Ordering::Relaxed);
        PEAK.store(baseline, Ordering::Relaxed);
        let row = runtime
            .block_on(run_outage(way, addr, &plan, options.service.capacity))
            .map_err(|error| error.to_string())?;
        let peak_heap = PEAK.load(Ordering::Relaxed) - baseline;
        clear_progress();
        lines.push(OutageLine { row, peak_heap });
    }
    drop(service);
    Ok(lines)
}

fn print_outage_table(options: &Options, lines: &[OutageLine]) {
    let plan = OutagePlan::new(options.rate, options.outage, options.service.latency);
    println!();
    println!(
        "{:<20} {:>9} {:>8} {:>6} {:>7} {:>6} {:>9} {:>16} {:>7} {:>10} {:>12}",
        "way",
        "recovery",
        "steady",
        "held",
        "served",
        "429s",
        "conn errs",
        "rejected",
        "cut off",
        "peak conns",
        "client heap"
    );
    for OutageLine { row, peak_heap } in lines {
        let recovery = match row.recovery {
            Some(recovery) => format!("{:.2}s", recovery.as_secs_f64()),
            None => format!(">{:.1}s", plan.after.as_secs_f64()),
        };
        println!(
            "{:<20} {:>9} {:>6.0}/s {:>6} {:>7} {:>6} {:>9} {:>16} {:>7} {:>10} {:>8.1} MiB",
            row.way.name(),
            recovery,
            row.steady_rate,
            row.stats.held,
            row.served,
            row.throttled,
            row.connection_errors,
            row.rejected,
            row.cut_off,
            row.stats.peak_connections,
            *peak_heap as f64 / (1024.0 * 1024.0),
        );
        if row.other_status > 0 || row.rejected.other > 0 || row.lost > 0 {
            println!(
                "  {}: {} other statuses, {} rejected for another reason, {} requests lost",
                row.way.name(),
                row.other_status,
                row.rejected.other,
                row.lost
            );
        }
    }
    println!();
    println!(
        "Each way made {requests} requests: served, 429s, conn errs, rejected and cut off add up \
         to them. recovery: from the\nservice's recovery until the way is back to its steady throughput, \
         that is until a {window} ms window\nholds {share:.0}% of the on-time successes it had \
         per second before the outage (on time: within {on_time} ms\nof the request's \
         arrival); >{after:.1}s: not back before the last request arrived. steady: \
         its on-time\nsuccesses per second before the outage. held: requests the service held \
         unanswered through the\noutage. rejected: calls the gate turned away, in all and by \
         reason (queue full/wait elapsed/\ntimed out). cut off: requests still pending at the \
         deadline.\n\n\
         #[bounded] with keys is {attribute}.\nThrough the outage it sheds ({shed} of its \
         requests failed while the service was out): each hung\ncall is dropped after its \
         {timeout} ms timeout, which frees its permit, and the calls behind wait at most\n\
         {wait} ms, then are turned away. So it has no backlog to drain once the service is \
         back, while the\nplain #[bounded] fn stalls behind permits held by hung calls.",
        requests = lines
            .first()
            .map_or(plan.requests(), |line| line.row.requests),
        window = plan.window.as_millis(),
        share = RECOVERED * 100.0,
        on_time = plan.on_time.as_millis(),
        after = plan.after.as_secs_f64(),
        attribute = gated_attribute(),
        timeout = GATE_TIMEOUT.as_millis(),
        wait = GATE_WAIT.as_millis(),
        shed = lines
            .iter()
            .find(|line| line.row.way == Way::Gated)
            .map_or(0, |line| line.row.failed_in_outage),
    );
    if options.service.capacity != ATTRIBUTE_LIMIT {
        println!(
            "\nNote: the #[bounded] ways' limit is the constant {ATTRIBUTE_LIMIT} (an \
             attribute's limit is fixed at compile time), not --capacity {}.",
            options.service.capacity
        );
    }
}

struct RateLine {
    way: RateWay,
    /// The service's samples of its load while the way ran.
    timeline: Vec<Sample>,
    elapsed: Duration,
    stats: ServiceStats,
    records: usize,
    /// Records given up on after `MAX_ATTEMPTS` throttled attempts.
    gave_up: usize,
    /// The 429s the way's calls met, by the client's count.
    throttled: usize,
    /// The most 429s one record met.
    most_for_one: u32,
}

fn measure_rate(options: &Options) -> Result<Vec<RateLine>, String> {
    let service = ServiceConfig {
        quota: Some(QUOTA),
        ..options.service
    };
    let (child, addr) = start_service(&Options {
        service,
        plot: None,
        ..*options
    })?;
    println!(
        "Fetching {} records from a service on {addr} that serves {} at once, ~{} ms each,\nand \
         accepts {QUOTA} requests a second (in one-second windows); each way makes a throttled \
         request\nagain after its Retry-After:",
        options.requests(),
        service.capacity,
        service.latency.as_millis()
    );
    let runtime = runtime()?;
    let mut lines = Vec::new();
    for way in RateWay::ALL {
        if std::io::stderr().is_terminal() {
            eprint!("\r  {:<24}", way.name());
        }
        let line = runtime.block_on(async {
            let control = Client::new(addr);
            control.reset().await.map_err(|error| error.to_string())?;
            let client = Client::new(addr);
            let started = Instant::now();
            let fetched = fetch_rated(way, &client, options.requests()).await;
            let elapsed = started.elapsed();
            let stats = control.stats().await.map_err(|error| error.to_string())?;
            let timeline = control
                .timeline()
                .await
                .map_err(|error| error.to_string())?;
            let records = fetched.iter().filter(|fetch| fetch.result.is_ok()).count();
            let gave_up = fetched
                .iter()
                .filter(|fetch| fetch.throttled == MAX_ATTEMPTS)
                .count();
            Ok::<_, String>(RateLine {
                way,
                timeline,
                elapsed,
                stats,
                records,
                gave_up,
                throttled: fetched.iter().map(|fetch| fetch.throttled as usize).sum(),
                most_for_one: fetched
                    .iter()
                    .map(|fetch| fetch.throttled)
                    .max()
                    .unwrap_or(0),
            })
        })?;
        clear_progress();
        lines.push(line);
    }
    drop(child);
    Ok(lines)
}

fn print_rate_table(options: &Options, lines: &[RateLine]) {
    println!();
    println!(
        "{:<22} {:>7} {:>9} {:>8} {:>11} {:>8} {:>8} {:>13}",
        "way", "time", "records/s", "records", "429s", "per 100", "most/one", "peak requests"
    );
    for line in lines {
        println!(
            "{:<22} {:>6.2}s {:>7.0}/s {:>8} {:>11} {:>8.1} {:>8} {:>13}",
            line.way.name(),
            line.elapsed.as_secs_f64(),
            line.records as f64 / line.elapsed.as_secs_f64(),
            line.records,
            line.stats.throttled,
            100.0 * line.stats.throttled as f64 / line.records.max(1) as f64,
            line.most_for_one,
            line.stats.peak,
        );
        if line.gave_up > 0 || line.throttled != line.stats.throttled {
            println!(
                "  {}: {} records given up after {MAX_ATTEMPTS} attempts; the client counted {} \
                 429s",
                line.way.name(),
                line.gave_up,
                line.throttled
            );
        }
    }
    println!();
    println!(
        "429s: requests the service throttled, all for its quota of {QUOTA} a second. per 100: \
         429s per 100\nrecords. most/one: the most 429s one record met. peak requests: as in the \
         first table. Every\nway gets every record, making a throttled request again after the \
         service's Retry-After (up to\n{MAX_ATTEMPTS} times).\n\n\
         #[bounded] fn: its limit of {limit} keeps the service within its capacity, not within \
         its quota. Once a\nwindow's quota is spent, every call admitted meets a 429 and sleeps \
         until the next window: at each\nwindow's start, every call left tries again at once, \
         and most are throttled again.\n\n\
         pool + pause_for: the first 429 pauses the pool until the next window, and the calls \
         behind it wait\nat the gate. Only calls already in flight meet a 429: at most {limit} \
         a window.\n\n\
         #[bounded] with rate is #[bounded(limit = {limit}, rate = \"{paced}\")], and \
         join_bounded! rate is\njoin_bounded!(limit = {limit}, rate = \"{paced}\"; ..). They \
         start {paced_count} requests a second, evenly, 5%\nunder the quota, so that a request \
         delayed on its way cannot make one more than the quota in a\nwindow: the service never \
         has to say 429, at the cost of that margin.",
        limit = ATTRIBUTE_LIMIT,
        paced = PACED,
        paced_count = PACED.count(),
    );
    if options.service.capacity != ATTRIBUTE_LIMIT {
        println!(
            "\nNote: the ways' limit is the constant {ATTRIBUTE_LIMIT} (an attribute's limit is \
             fixed at compile time), not --capacity {}.",
            options.service.capacity
        );
    }
}
