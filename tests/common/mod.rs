//! Helpers shared by the `join_*` behaviour tests.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

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

/// A gauge: how many of something exist now, the most that ever existed at once, and how many
/// were ever created and released.
#[derive(Clone, Default)]
pub struct Gauge {
    inner: Arc<GaugeInner>,
}

#[derive(Default)]
struct GaugeInner {
    current: AtomicUsize,
    max: AtomicUsize,
    created: AtomicUsize,
    released: AtomicUsize,
}

impl Gauge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one more until the returned guard is dropped.
    pub fn enter(&self) -> GaugeGuard {
        let now = self.inner.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.max.fetch_max(now, Ordering::SeqCst);
        self.inner.created.fetch_add(1, Ordering::SeqCst);
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

    pub fn created(&self) -> usize {
        self.inner.created.load(Ordering::SeqCst)
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

/// The message of a panic payload caught by `catch_unwind`.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}
