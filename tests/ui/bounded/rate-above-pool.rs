use bounded_async::{bounded, pool};

pool!(PARTNER = 20, rate = "50/s");

// 1 call every 10 ms, where the pool lets one through every 20 ms.
#[bounded(pool = PARTNER, limit = 4, rate = "100/s")]
async fn search() {}

// The same pace, written over another period, is not faster: it passes.
#[bounded(pool = PARTNER, limit = 4, rate = "3000/m")]
async fn lookup() {}

fn main() {}
