//! `queue`, `max`, `rate` and `burst` shape the function's own gate, which only a `limit`
//! declares.
use bounded_async::{bounded, pool};

pool!(DB = 8);

#[bounded(pool = DB, queue = 16)]
async fn fetch() -> anyhow::Result<()> {
    Ok(())
}

#[bounded(pool = DB, max = 16)]
async fn store() {}

#[bounded(pool = DB, rate = "100/s", burst = 4)]
async fn paced() {}

fn main() {}
