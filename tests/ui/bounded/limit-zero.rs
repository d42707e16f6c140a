use bounded_async::bounded;

#[bounded(limit = 0)]
async fn fetch() {}

fn main() {}
