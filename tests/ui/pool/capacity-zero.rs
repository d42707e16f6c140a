bounded_async::pool!(pub DB = 0);

fn main() {}
