use bounded_async::bounded;

const MAX_CONNS: u32 = 4;

#[bounded(limit = MAX_CONNS)]
async fn fetch() {}

fn main() {}
