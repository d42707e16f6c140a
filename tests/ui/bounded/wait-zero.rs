//! `wait = "0s"` would turn away every call that has to wait: `queue = 0` says that.
use bounded_async::bounded;

#[bounded(limit = 4, wait = "0s")]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, timeout = "0ms")]
async fn store() -> anyhow::Result<()> {
    Ok(())
}

fn main() {}
