const WORKERS: usize = 4;

bounded_async::pool!(pub DB = WORKERS - 4);

fn main() {}
