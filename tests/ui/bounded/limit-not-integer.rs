use bounded_async::bounded;

#[bounded(limit = 1.5)]
async fn fetch() {}

#[bounded(limit = "4")]
async fn store() {}

fn main() {}
