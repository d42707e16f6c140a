//! A pool built by hand with a capacity of 0 does not compile either.
use bounded_async::Pool;

static DB: Pool<0> = Pool::new();

fn main() {}
