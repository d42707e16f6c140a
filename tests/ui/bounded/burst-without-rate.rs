//! `burst` only means something with a `rate`.
use bounded_async::bounded;

#[bounded(limit = 4, burst = 10)]
async fn fetch() {}

fn main() {}
