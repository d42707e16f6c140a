//! `queue` is how many calls may wait: a whole number, 0 or more.
use bounded_async::bounded;

#[bounded(limit = 4, queue = -1)]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, queue = "128")]
async fn store() -> anyhow::Result<()> {
    Ok(())
}

fn main() {}
