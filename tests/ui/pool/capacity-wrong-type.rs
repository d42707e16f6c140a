const CONNECTIONS: u16 = 16;

bounded_async::pool!(pub DB = CONNECTIONS);

fn main() {}
