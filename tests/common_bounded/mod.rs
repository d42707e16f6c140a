//! Helpers shared by the `bounded_*` behaviour tests (`#[bounded]`, `pool!`, `Semaphore`).
//!
//! Every test drives its futures either by hand (`poll_once`, with a waker that does nothing, so
//! the test decides exactly what runs when) or on a tokio runtime, and observes the bodies
//! through a [`Gauge`]: how many are inside right now, and the most that ever were at once.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Polls `future` once with a waker that does nothing.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Polls `future` until it is ready, at most `rounds` times (every future driven this way only
/// waits for things the test already made ready, such as an open [`Gate`] or a `yield_now`).
pub fn poll_to_completion<F: Future + ?Sized>(mut future: Pin<&mut F>, rounds: usize) -> F::Output {
    for _ in 0..rounds {
        if let Poll::Ready(output) = poll_once(future.as_mut()) {
            return output;
        }
    }
    panic!("the future was still pending after {rounds} polls");
}

/// Returns `Pending` once (waking itself at once), then `Ready`: an executor-agnostic yield.
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            Poll::Ready(())
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// How many bodies are inside right now, the most that ever were at once, and how many ever
/// entered.
#[derive(Clone, Default)]
pub struct Gauge {
    inner: Arc<GaugeInner>,
}

#[derive(Default)]
struct GaugeInner {
    current: AtomicUsize,
    max: AtomicUsize,
    entered: AtomicUsize,
}

impl Gauge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one body in until the guard is dropped (also by a panic or a cancellation).
    #[must_use = "the body counts as inside only while the guard lives"]
    pub fn enter(&self) -> GaugeGuard {
        let now = self.inner.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.max.fetch_max(now, Ordering::SeqCst);
        self.inner.entered.fetch_add(1, Ordering::SeqCst);
        GaugeGuard {
            gauge: self.clone(),
        }
    }

    pub fn current(&self) -> usize {
        self.inner.current.load(Ordering::SeqCst)
    }

    pub fn max(&self) -> usize {
        self.inner.max.load(Ordering::SeqCst)
    }

    pub fn entered(&self) -> usize {
        self.inner.entered.load(Ordering::SeqCst)
    }
}

pub struct GaugeGuard {
    gauge: Gauge,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.gauge.inner.current.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A one-way gate: bodies wait at it until the test opens it. Works on any executor (and with
/// a no-op waker when polled by hand).
#[derive(Clone)]
pub struct Gate {
    open: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Gate {
    pub fn new() -> Self {
        Gate {
            open: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    pub fn open(&self) {
        self.open.send_replace(true);
    }

    pub async fn wait(&self) {
        let mut open = self.open.subscribe();
        open.wait_for(|open| *open)
            .await
            .expect("the sender lives in `self`");
    }
}

/// The first `parties` bodies to enter wait for each other, so that `parties` bodies are
/// certainly inside at once (if the limit lets them in); later bodies pass straight through.
/// Used to make "the limit is reached" deterministic under a multi-thread runtime.
#[derive(Clone)]
pub struct FirstWave {
    inner: Arc<FirstWaveInner>,
}

struct FirstWaveInner {
    arrived: AtomicUsize,
    parties: usize,
    barrier: tokio::sync::Barrier,
}

impl FirstWave {
    pub fn new(parties: usize) -> Self {
        FirstWave {
            inner: Arc::new(FirstWaveInner {
                arrived: AtomicUsize::new(0),
                parties,
                barrier: tokio::sync::Barrier::new(parties),
            }),
        }
    }

    pub async fn arrive(&self) {
        if self.inner.arrived.fetch_add(1, Ordering::SeqCst) < self.inner.parties {
            self.inner.barrier.wait().await;
        }
    }
}

/// Runs `future`, failing the test instead of hanging when it deadlocks (for example when fewer
/// bodies than a [`FirstWave`] needs can ever run at once). The bound is a hang guard, far above
/// the test's normal run time; nothing asserts on time.
pub async fn no_deadlock<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(Duration::from_secs(30), future).await {
        Ok(output) => output,
        Err(_) => panic!("deadlock: {what} never finished"),
    }
}

/// A short pause that lets bodies overlap on a multi-thread runtime.
pub async fn overlap() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// Yields to the (current-thread) tokio scheduler until `condition` holds, failing after many
/// rounds instead of hanging.
pub async fn yield_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if condition() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("never happened: {what}");
}

/// An ordered log of events, shared between futures.
#[derive(Clone)]
pub struct Log<T> {
    entries: Arc<Mutex<Vec<T>>>,
}

impl<T: Clone> Log<T> {
    pub fn new() -> Self {
        Log {
            entries: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn push(&self, entry: T) {
        self.entries.lock().unwrap().push(entry);
    }

    pub fn snapshot(&self) -> Vec<T> {
        self.entries.lock().unwrap().clone()
    }
}

/// The message of a panic payload caught by `catch_unwind` or returned by a `JoinError`.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}
