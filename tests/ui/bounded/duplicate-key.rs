use bounded_async::bounded;

#[bounded(limit = 4, limit = 8)]
async fn fetch() {}

fn main() {}
