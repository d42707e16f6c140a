//! Units spelt otherwise, fractions and units out of order are respelled.
use bounded_async::bounded;

#[bounded(limit = 4, wait = "30sec")]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, timeout = "1.5s")]
async fn store() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, timeout = "30s1m")]
async fn sync() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(limit = 4, timeout = "3d")]
async fn archive() -> anyhow::Result<()> {
    Ok(())
}

fn main() {}
