//! A pool with `queue`, `wait` or `timeout` can turn its members' calls away, so each member must
//! be able to report it: the error is at the member's `pool`.
use bounded_async::{bounded, pool};

pool!(DB = 8, queue = 64);

#[bounded(pool = DB)]
async fn load(id: u64) -> u64 {
    id
}

#[bounded(pool = DB, limit = 2)]
async fn store(id: u64) -> std::io::Result<u64> {
    Ok(id)
}

fn main() {}
