//! Peak memory of 1,000,000 futures that each own a 1 KiB buffer, filled when the future is
//! created: `join_bounded!` (limit 64, over an iterator and `for await` over a stream) and
//! `stream_bounded!` (both orders, its outputs collected) next to `buffer_unordered(64)` and
//! `buffered(64)` over a lazy stream, `buffer_unordered(64)` over an eager `Vec` of every
//! future, and an unbounded `join_all`.
//!
//! `cargo bench --bench memory` runs each variant in a fresh process (the binary re-executes
//! itself with `--variant <name>`), so that no variant's peak hides another's, and prints each
//! one's peak RSS (VmHWM, Linux only), its ratio to the lazy `buffer_unordered`, and the number
//! of allocations it made. The `baseline` row is an empty join: the process's own overhead.
//! Under `cargo test --all-targets` it only checks, on 1,000 futures in-process, that every
//! variant returns every output.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bounded_async::{join_bounded, stream_bounded};
use futures::future;
use futures::stream::{self, StreamExt};
use tokio::runtime::Runtime;

/// Counts every call that allocates or reallocates.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const N: u64 = 1_000_000;
const LIMIT: usize = 64;
const BUFFER: usize = 1024;

/// The `--variant` name of each row and its label; `buffer_unordered` is the ratios' reference.
const VARIANTS: &[(&str, &str)] = &[
    ("baseline", "baseline (empty join)"),
    ("join_bounded", "join_bounded!"),
    ("buffer_unordered", "buffer_unordered (lazy stream)"),
    ("stream_input", "stream_bounded! (input order)"),
    ("stream_completion", "stream_bounded! (completion)"),
    ("for_await", "join_bounded! for await"),
    ("buffered", "buffered (lazy stream)"),
    ("eager_vec", "eager Vec + buffer_unordered"),
    ("join_all", "join_all (unbounded)"),
];

/// Future `i` returns `i + 1024`, from a buffer it owns from the moment it is created.
fn make_future(i: u64) -> impl Future<Output = u64> {
    // `black_box` makes the buffer real and filled now, so a future that exists holds a resident
    // kilobyte whether or not it has been polled yet.
    let buf = black_box(vec![1u8; BUFFER]);
    async move {
        tokio::task::yield_now().await;
        black_box(i + buf.iter().map(|&b| u64::from(b)).sum::<u64>())
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds")
}

/// Runs one variant over `n` futures and returns its outputs.
fn run(runtime: &Runtime, variant: &str, n: u64) -> Vec<u64> {
    runtime.block_on(async {
        match variant {
            "baseline" | "join_bounded" => {
                join_bounded!(limit = LIMIT; for i in 0..n => make_future(i))
            }
            "buffer_unordered" => {
                stream::iter(0..n)
                    .map(make_future)
                    .buffer_unordered(LIMIT)
                    .collect()
                    .await
            }
            "stream_input" => {
                stream_bounded!(limit = LIMIT; for i in 0..n => make_future(i))
                    .collect()
                    .await
            }
            "stream_completion" => {
                stream_bounded!(limit = LIMIT, order = "completion"; for i in 0..n => make_future(i))
                    .collect()
                    .await
            }
            "for_await" => {
                join_bounded!(limit = LIMIT; for await i in stream::iter(0..n) => make_future(i))
            }
            "buffered" => {
                stream::iter(0..n)
                    .map(make_future)
                    .buffered(LIMIT)
                    .collect()
                    .await
            }
            "eager_vec" => {
                let futures: Vec<_> = (0..n).map(make_future).collect();
                stream::iter(futures)
                    .buffer_unordered(LIMIT)
                    .collect()
                    .await
            }
            "join_all" => future::join_all((0..n).map(make_future)).await,
            other => panic!("unknown variant {other:?}"),
        }
    })
}

fn check(variant: &str, outputs: &[u64], n: u64) {
    let expected = n * n.saturating_sub(1) / 2 + n * BUFFER as u64;
    assert_eq!(outputs.len() as u64, n, "{variant} lost outputs");
    assert_eq!(
        outputs.iter().sum::<u64>(),
        expected,
        "{variant} returned wrong outputs"
    );
}

/// This process's peak resident set size, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has a VmHWM line in kB")
}

/// The child: runs `variant` once and prints its peak RSS in KiB and its allocation count.
fn child(variant: &str) {
    let n = if variant == "baseline" { 0 } else { N };
    let runtime = runtime();
    let before = ALLOCATIONS.load(Relaxed);
    let outputs = run(&runtime, variant, n);
    let allocations = ALLOCATIONS.load(Relaxed) - before;
    check(variant, &outputs, n);
    println!("{} {allocations}", peak_rss_kib());
}

/// Runs `variant` in a fresh process and returns its peak RSS in KiB and its allocation count.
fn measure(variant: &str) -> (u64, u64) {
    let exe = std::env::current_exe().expect("the bench binary's own path");
    let output = Command::new(exe)
        .args(["--variant", variant])
        .output()
        .expect("the bench binary re-executes itself");
    assert!(
        output.status.success(),
        "variant {variant} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("the child prints UTF-8");
    let mut numbers = stdout
        .split_whitespace()
        .map(|number| number.parse().expect("the child prints two integers"));
    let mut next = || numbers.next().expect("the child prints two integers");
    (next(), next())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--variant") {
        child(args.get(at + 1).expect("--variant needs a name"));
        return;
    }
    if !args.iter().any(|arg| arg == "--bench") {
        let runtime = runtime();
        for (variant, _) in VARIANTS {
            check(variant, &run(&runtime, variant, 1_000), 1_000);
        }
        println!("memory: every variant returns every output (run `cargo bench` to measure them)");
        return;
    }

    println!("{N} futures of {BUFFER} B each, limit {LIMIT}, tokio current-thread runtime");
    let rows: Vec<_> = VARIANTS
        .iter()
        .map(|&(variant, label)| (variant, label, measure(variant)))
        .collect();
    let (_, _, (reference, _)) = rows
        .iter()
        .find(|(variant, ..)| *variant == "buffer_unordered")
        .expect("buffer_unordered is measured");
    println!(
        "{:<32} {:>14} {:>26} {:>12}",
        "variant", "peak RSS", "vs lazy buffer_unordered", "allocations"
    );
    for (_, label, (peak_kib, allocations)) in &rows {
        println!(
            "{label:<32} {:>10.1} MiB {:>25.2}x {allocations:>12}",
            *peak_kib as f64 / 1024.0,
            *peak_kib as f64 / *reference as f64,
        );
    }
}
