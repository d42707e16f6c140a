use bounded_async::bounded;

#[bounded(limit = JOBS * 2)]
async fn run<const JOBS: usize>() {}

fn main() {}
