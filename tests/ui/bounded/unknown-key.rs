use bounded_async::bounded;

#[bounded(limt = 4)]
async fn fetch() {}

fn main() {}
