//! A duration is a string with a unit; the message shows one.
use bounded_async::bounded;

#[bounded(limit = 4, wait = "250")]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, timeout = 250)]
async fn store() -> anyhow::Result<()> {
    Ok(())
}

fn main() {}
