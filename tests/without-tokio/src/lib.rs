//! Without the `tokio` feature there are no timers: `wait`, `timeout` and `rate` (on the attribute,
//! `pool!`, `join_bounded!` and `stream_bounded!`) are compile errors that name the feature, at
//! the key, and `queue` still works. `.ci/run` builds this crate and checks that it fails with
//! those errors, and only those.

use bounded_async::{Rejected, bounded, pool};

#[bounded(limit = 4, queue = 8)]
pub async fn shed() -> Result<(), Rejected> {
    Ok(())
}

#[bounded(limit = 4, wait = "250ms")]
pub async fn wait() -> Result<(), Rejected> {
    Ok(())
}

pool!(pub DB = 4, timeout = "1s");

#[bounded(limit = 4, rate = "10/s")]
pub async fn paced() {}

pub async fn paced_join() -> Vec<u32> {
    bounded_async::join_bounded!(limit = 2, rate = "10/s"; for i in 0..3u32 => async move { i })
}

pub async fn timed_join() -> Vec<Result<u32, Rejected>> {
    bounded_async::join_bounded!(limit = 2, timeout = "1s"; for i in 0..3u32 => async move { i })
}

pub fn timed_stream() -> impl Sized {
    bounded_async::stream_bounded!(limit = 2, timeout = "1s"; for i in 0..3u32 => async move { i })
}

pool!(pub PARTNER = 4, backend = "redis", lease = "30s");
