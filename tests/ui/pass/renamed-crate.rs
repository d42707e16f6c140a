//! `crate = "..."` points the expansion at a re-export of bounded-async.
mod reexport {
    pub use bounded_async as inner;
}

async fn run() -> Vec<u8> {
    bounded_async::join_bounded!(limit = 2, crate = "crate::reexport::inner"; for n in 0..3u8 => async move { n })
}

fn main() {
    assert_eq!(futures::executor::block_on(run()), [0, 1, 2]);
}
