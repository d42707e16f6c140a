//! A `max` named by a constant is checked against the capacity by the compiler, at the `max`.
use bounded_async::pool;

const MAX: usize = 4;

pool!(DB = 8, max = MAX);

fn main() {}
