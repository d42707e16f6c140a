bounded_async::pool!(pub DB);

fn main() {}
