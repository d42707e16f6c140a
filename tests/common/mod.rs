//! Helpers shared by the behaviour tests (`join_*` and `bounded_*`).
//!
//! Tests drive futures by hand (so they decide exactly what runs when) or on a tokio runtime, and
//! observe bodies through a [`Gauge`].

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Runs `future` to completion on the current thread, for futures whose only waits are
/// [`yield_now`]s (or that are `Ready` at once).
///
/// Unlike `block_on`, it panics instead of hanging when the future returns `Pending` without
/// anything having woken it: a join that stops polling a future it should poll (or waits on one
/// that never finishes) fails the test instead of blocking the run forever.
pub fn drive<F: Future>(future: F) -> F::Output {
    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        assert!(
            flag.0.load(Ordering::SeqCst),
            "stalled: the future is pending and nothing will wake it"
        );
    }
}

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

/// Returns `Pending` once (waking itself at once), then `Ready`: a deterministic, executor-agnostic
/// yield point.
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

/// Yields `n` times, then completes.
pub async fn yield_times(n: usize) {
    for _ in 0..n {
        yield_now().await;
    }
}

/// How many of something (bodies, futures) are inside right now, the most that ever were at once,
/// and how many ever entered and were released.
#[derive(Clone, Default)]
pub struct Gauge {
    inner: Arc<GaugeInner>,
}

#[derive(Default)]
struct GaugeInner {
    current: AtomicUsize,
    max: AtomicUsize,
    entered: AtomicUsize,
    released: AtomicUsize,
}

impl Gauge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one more until the guard is dropped (also by a panic or a cancellation).
    #[must_use = "the entry counts only while the guard lives"]
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

    pub fn released(&self) -> usize {
        self.inner.released.load(Ordering::SeqCst)
    }
}

pub struct GaugeGuard {
    gauge: Gauge,
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.gauge.inner.current.fetch_sub(1, Ordering::SeqCst);
        self.gauge.inner.released.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that counts as "alive" in a gauge from its creation until it is dropped, whether it
/// was polled, finished or not. (An `async` block drops its captures when it finishes, so a guard
/// captured by one would not show a finished but not yet dropped future.)
pub struct Tracked<F> {
    _guard: GaugeGuard,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.future.as_mut().poll(cx)
    }
}

pub fn tracked<F: Future>(gauge: &Gauge, future: F) -> Tracked<F> {
    Tracked {
        _guard: gauge.enter(),
        future: Box::pin(future),
    }
}

/// An iterator that counts the items taken from it.
pub struct CountingIter<I> {
    inner: I,
    pulled: Arc<AtomicUsize>,
    forward_size_hint: bool,
}

impl<I: Iterator> CountingIter<I> {
    /// Counts the items of `inner` and reports its size hint.
    pub fn new(inner: impl IntoIterator<IntoIter = I>) -> (Self, Arc<AtomicUsize>) {
        let pulled = Arc::new(AtomicUsize::new(0));
        let iter = CountingIter {
            inner: inner.into_iter(),
            pulled: Arc::clone(&pulled),
            forward_size_hint: true,
        };
        (iter, pulled)
    }

    /// Counts the items of `inner` and hides its length (size hint `(0, None)`).
    pub fn unsized_hint(inner: impl IntoIterator<IntoIter = I>) -> (Self, Arc<AtomicUsize>) {
        let (mut iter, pulled) = Self::new(inner);
        iter.forward_size_hint = false;
        (iter, pulled)
    }
}

impl<I: Iterator> Iterator for CountingIter<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next();
        if item.is_some() {
            self.pulled.fetch_add(1, Ordering::SeqCst);
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.forward_size_hint {
            self.inner.size_hint()
        } else {
            (0, None)
        }
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

/// How long a hang guard waits before it fails the test: far above any test's normal run time.
///
/// Under Miri, time is virtual and runs on with every instruction interpreted, so a test that
/// takes a few milliseconds natively can spend many virtual seconds; the guard is longer there.
pub const HANG_GUARD: Duration = if cfg!(miri) {
    Duration::from_secs(3600)
} else {
    Duration::from_secs(30)
};

/// Runs `future`, failing the test instead of hanging when it deadlocks (for example when fewer
/// bodies than a [`FirstWave`] needs can ever run at once). The bound is a hang guard, far above
/// the test's normal run time; nothing asserts on time.
pub async fn no_deadlock<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG_GUARD, future).await {
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

/// Runs `f` on its own thread and returns what it returned, failing the test instead of hanging
/// when `f` deadlocks (for example on a lock its own thread holds). The bound is a hang guard,
/// far above the test's normal run time; nothing asserts on time. A panic in `f` is resumed
/// here.
pub fn no_hang<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let output = f();
        // The receiver is gone only when the guard already gave up.
        let _ = done.send(());
        output
    });
    match finished.recv_timeout(HANG_GUARD) {
        // Finished, or panicked (which dropped the sender): `join` says which.
        Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => thread
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("deadlock: {what} never finished")
        }
    }
}

/// Helpers for the tests that run on tokio's paused clock (`start_paused = true`), where no
/// test reads the wall clock.
pub mod paused {
    use std::future::Future;
    use std::time::Duration;

    /// `n` milliseconds.
    pub fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// `future`'s output, or a panic if it is still pending after an hour: on the paused clock,
    /// that comes as soon as every task is idle, so a regression fails instead of hanging.
    pub async fn soon<F: Future>(future: F) -> F::Output {
        tokio::time::timeout(Duration::from_secs(3600), future)
            .await
            .expect("never finished")
    }

    /// Lets the spawned tasks run until each is parked, without moving the paused clock.
    pub async fn settle_tasks() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }
}

/// A small xorshift generator: the tests need variety, not quality.
pub struct Random(pub u64);

impl Random {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
