//! `queue = 0` never lets a call wait, so a `wait` beside it would never apply.
use bounded_async::bounded;

#[bounded(limit = 4, queue = 0, wait = "1s")]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

fn main() {}
