use bounded_async::bounded;

#[bounded(limit = 2, crate = "not a path")]
async fn fetch() {}

fn main() {}
