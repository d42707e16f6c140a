use bounded_async::bounded;

const MAX_CONNS: usize = 0;

#[bounded(limit = MAX_CONNS)]
async fn fetch() {}

fn main() {}
