use bounded_async::{bounded, pool};

pool!(DB = 4);

#[bounded(pool = DB, limit = 8)]
async fn rebuild_index() {}

fn main() {}
