//! `#[bounded]` composes with `#[tracing::instrument]` in either order: the function keeps its
//! signature, its limit, and its span.

use std::sync::atomic::{AtomicUsize, Ordering};

use bounded_async::bounded;

static INSIDE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Counts the calls inside a body, and the most at once.
struct Inside;

impl Inside {
    fn enter() -> Self {
        let now = INSIDE.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tracing::instrument]
#[bounded(limit = 2)]
async fn instrumented_outside(id: u64) -> u64 {
    let _inside = Inside::enter();
    tokio::task::yield_now().await;
    id
}

#[bounded(limit = 2)]
#[tracing::instrument(skip(id))]
async fn instrumented_inside(id: u64) -> u64 {
    let _inside = Inside::enter();
    tokio::task::yield_now().await;
    id
}

#[tokio::test]
async fn both_orders_keep_the_limit() {
    let outside: Vec<_> = (0..20)
        .map(|id| tokio::spawn(instrumented_outside(id)))
        .collect();
    for (id, handle) in (0..).zip(outside) {
        assert_eq!(handle.await.unwrap(), id);
    }
    assert_eq!(PEAK.swap(0, Ordering::SeqCst), 2);

    let inside: Vec<_> = (0..20)
        .map(|id| tokio::spawn(instrumented_inside(id)))
        .collect();
    for (id, handle) in (0..).zip(inside) {
        assert_eq!(handle.await.unwrap(), id);
    }
    assert_eq!(PEAK.load(Ordering::SeqCst), 2);
}
