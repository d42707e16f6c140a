//! `for await` and `stream_bounded!` in the shapes users write: a `!Unpin` stream, patterns,
//! futures that borrow from the caller, a limit read at run time, every key at once, and a
//! re-exported crate.

use bounded_async::{Progress, join_bounded, stream_bounded};
use futures::stream::{self, StreamExt};

mod deps {
    pub(crate) use ::bounded_async as concurrency;
}

async fn lookup(names: &[String], id: usize) -> &str {
    &names[id]
}

async fn run(names: Vec<String>, jobs: usize) {
    // A `!Unpin` stream of pairs, destructured.
    let pages = stream::unfold(0_usize, |page| async move { (page < 3).then_some(((page, page * 2), page + 1)) });
    let sums = join_bounded!(limit = jobs, strategy = "all"; for await (page, size) in pages => async move {
        Ok::<_, std::io::Error>(page + size)
    });
    let _: std::io::Result<Vec<usize>> = sums;

    // Futures that borrow `names`, streamed in completion order with every key.
    let names = &names;
    let mut found = stream_bounded!(limit = jobs, order = "completion", rate = "100/s", burst = 2,
        progress = |p: &Progress| eprintln!("{p}"); for id in 0..names.len() => lookup(names, id));
    while let Some(name) = found.next().await {
        let _: &str = name;
    }

    let doubled: Vec<u32> = bounded_async::stream_bounded!(limit = 2, crate = "deps::concurrency";
        for await n in stream::iter([1_u32, 2]) => async move { n * 2 })
    .collect()
    .await;
    assert_eq!(doubled, [2, 4]);
}

fn main() {
    let _ = run;
}
