//! `pool!` checks `rate` and `burst` as `#[bounded]` does.
use bounded_async::pool;

pool!(ZERO = 4, rate = "0/m");
pool!(ALIAS = 4, rate = "5000/hours");
pool!(BURST = 4, rate = "50/s", burst = 0);
pool!(LONELY_BURST = 4, burst = 2);

fn main() {}
