//! Every kind of limit: literal, constants and constant expressions, `NonZeroUsize` constants,
//! and run-time values of both types.
use bounded_async::join_bounded;
use std::num::NonZeroUsize;

const WORKERS: usize = 4;
const NONZERO: NonZeroUsize = NonZeroUsize::new(3).unwrap();

mod config {
    pub const MAX_CONNS: usize = 16;
}

async fn run(jobs: usize, nonzero: NonZeroUsize) {
    let _: Vec<u8> = join_bounded!(limit = 1_000; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = 8usize; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = WORKERS; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = 2 * WORKERS + 1; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = config::MAX_CONNS / 2; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = (WORKERS as usize); for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = NONZERO; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = usize::MAX; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = jobs; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = nonzero; for n in 0..3u8 => async move { n });
    let _: Vec<u8> = join_bounded!(limit = jobs.max(1) * 2; for n in 0..3u8 => async move { n });
}

fn main() {
    futures::executor::block_on(run(2, NonZeroUsize::MIN));
}

/// Constants that cannot live in a nested `const` item: associated constants through `Self`,
/// and const generic parameters.
struct Pool;

impl Pool {
    const JOBS: usize = 3;

    async fn run(&self) -> Vec<u8> {
        join_bounded!(limit = Self::JOBS; for n in 0..3u8 => async move { n })
    }
}

async fn generic<const N: usize>() -> Vec<u8> {
    join_bounded!(limit = N; for n in 0..3u8 => async move { n })
}

#[allow(dead_code)]
async fn more() {
    Pool.run().await;
    generic::<2>().await;
}
