use bounded_async::bounded;

#[bounded(limit = 4)]
#[bounded(limit = 2)]
async fn fetch() {}

fn main() {}
