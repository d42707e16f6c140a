use bounded_async::{bounded, pool};

pool!(DB = 4);

#[bounded(pool = BD)]
async fn load() {}

fn main() {}
