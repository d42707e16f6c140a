//! A pipeline: read a large file line by line as a stream, send each line through a bounded
//! async call, and write the results out as they come, with `stream_bounded!`.
//!
//! ```sh
//! cargo run --release --example pipeline
//! cargo run --release --example pipeline -- --lines 5000000
//! ```
//!
//! It writes a CSV of generated records (`--lines`, 1,000,000 by default) to a temporary
//! folder, then runs the pipeline over the first hundredth of it, the first tenth, and all of
//! it. After each run it prints the process's peak memory so far: the input is never held, and
//! at most 64 records are in flight and 64 enriched ones wait to be written, so the peak stays
//! flat however long the input is. For contrast, it last reads the whole file into a `Vec`
//! before joining it, as code built on an eager list would, and the peak grows by the file's
//! size.

use std::path::{Path, PathBuf};
use std::time::Instant;

use bounded_async::{bounded, join_bounded, stream_bounded};
use futures::StreamExt;
use futures::stream::{self, Stream};
use tokio::fs::File;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};

/// A record of the input, parsed from `id,name,score`.
struct Record {
    id: u64,
    name: String,
    score: u32,
}

/// The bounded async call each line goes through: at most 32 at once, program-wide, as a call
/// to a service or a database would be. It parses the line and "looks up" a grade for it
/// (standing for I/O: it yields to the runtime twice, as a round trip would).
#[bounded(limit = 32)]
async fn enrich(line: String) -> Result<String, String> {
    let mut fields = line.splitn(3, ',');
    let mut field = || {
        fields
            .next()
            .ok_or_else(|| format!("too few fields in {line:?}"))
    };
    let record = Record {
        id: field()?
            .parse()
            .map_err(|e| format!("bad id in {line:?}: {e}"))?,
        name: field()?.to_owned(),
        score: field()?
            .parse()
            .map_err(|e| format!("bad score in {line:?}: {e}"))?,
    };
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    let grade = match record.score {
        90.. => 'A',
        75..90 => 'B',
        50..75 => 'C',
        _ => 'D',
    };
    Ok(format!(
        "{},{},{},{grade}\n",
        record.id, record.name, record.score
    ))
}

/// The first `limit` lines of `path`, as a stream that reads them as it is pulled.
async fn lines(path: &Path, limit: u64) -> impl Stream<Item = String> + use<> {
    let file = File::open(path).await.expect("the input was just written");
    let lines = BufReader::new(file).lines();
    stream::unfold((lines, 0), move |(mut lines, read)| async move {
        if read == limit {
            return None;
        }
        let line = lines.next_line().await.expect("the input reads")?;
        Some((line, (lines, read + 1)))
    })
    .fuse()
}

/// Writes `n` generated records to `path`.
async fn write_input(path: &Path, n: u64) {
    let mut out = BufWriter::new(File::create(path).await.expect("a temporary file"));
    for id in 0..n {
        let line = format!("{id},user-{id:08},{}\n", id * 37 % 101);
        out.write_all(line.as_bytes())
            .await
            .expect("the input writes");
    }
    out.flush().await.expect("the input writes");
}

/// The pipeline over the first `n` lines: read, enrich with at most 64 calls in flight, write
/// each result as it comes, in input order. Returns how many lines were written.
async fn pipeline(input: &Path, output: &Path, n: u64) -> u64 {
    let mut out = BufWriter::new(File::create(output).await.expect("a temporary file"));
    let mut enriched =
        stream_bounded!(limit = 64; for await line in lines(input, n).await => enrich(line));
    let mut written = 0;
    while let Some(result) = enriched.next().await {
        let line = result.expect("every generated line parses");
        out.write_all(line.as_bytes())
            .await
            .expect("the output writes");
        written += 1;
    }
    out.flush().await.expect("the output writes");
    written
}

/// The eager way, for contrast: every line read into memory first, then joined.
async fn eager(input: &Path, n: u64) -> u64 {
    let all: Vec<String> = lines(input, n).await.collect().await;
    let enriched = join_bounded!(limit = 64; for line in all => enrich(line));
    enriched.iter().filter(|line| line.is_ok()).count() as u64
}

/// This process's peak resident memory so far, in MiB (Linux only).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn peak() -> String {
    peak_mib().map_or_else(
        || "n/a (Linux only)".to_owned(),
        |mib| format!("{mib:.1} MiB"),
    )
}

fn arguments() -> u64 {
    let mut args = std::env::args().skip(1);
    let mut lines = 1_000_000;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--lines", Some(n)) => match n.replace('_', "").parse() {
                Ok(n) if n >= 100 => lines = n,
                _ => {
                    eprintln!("pipeline: --lines takes a count of at least 100, not {n:?}");
                    std::process::exit(2);
                }
            },
            _ => {
                eprintln!("usage: pipeline [--lines N]");
                std::process::exit(2);
            }
        }
    }
    lines
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n = arguments();
    let dir: PathBuf =
        std::env::temp_dir().join(format!("bounded-async-pipeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let (input, output) = (dir.join("records.csv"), dir.join("enriched.csv"));

    write_input(&input, n).await;
    let size = std::fs::metadata(&input)
        .expect("the input was written")
        .len();
    println!(
        "input: {n} records, {:.1} MiB; peak memory after writing it: {}",
        size as f64 / (1 << 20) as f64,
        peak()
    );
    println!();
    println!(
        "{:>12} {:>10} {:>14} {:>20}",
        "records", "time", "records/s", "peak memory so far"
    );
    for lines in [n / 100, n / 10, n] {
        let start = Instant::now();
        let written = pipeline(&input, &output, lines).await;
        assert_eq!(written, lines, "every record read is written");
        let elapsed = start.elapsed();
        println!(
            "{written:>12} {:>8.2} s {:>14.0} {:>20}",
            elapsed.as_secs_f64(),
            written as f64 / elapsed.as_secs_f64(),
            peak()
        );
    }
    println!();
    let start = Instant::now();
    let ok = eager(&input, n).await;
    assert_eq!(ok, n);
    println!(
        "for contrast, the whole file read into a Vec first: {n} records in {:.2} s, peak {}",
        start.elapsed().as_secs_f64(),
        peak()
    );
    std::fs::remove_dir_all(&dir).expect("the temporary folder is removed");
}
