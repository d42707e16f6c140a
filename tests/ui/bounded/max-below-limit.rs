//! `max` is the highest the limit can be raised to, so it is at least the limit.
use bounded_async::bounded;

const MAX: usize = 4;

#[bounded(limit = 8, max = 4)]
async fn fetch() {}

#[bounded(limit = 8, max = MAX)]
async fn store() {}

#[bounded(limit = 8, max = 0)]
async fn sync() {}

fn main() {}
