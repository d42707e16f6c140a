use bounded_async::join_bounded;
use futures::stream::{self, StreamExt};

async fn run() {
    let pages = stream::iter(1..=3).map(|page| page * 10);
    let _ = join_bounded!(limit = 2; for page in pages => async move { page });
}

fn main() {}
