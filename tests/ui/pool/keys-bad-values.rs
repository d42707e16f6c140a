//! A pool's keys are checked as a function's are, each at its value, all at once.
use bounded_async::pool;

pool!(DB = 8, wait = "250", timeout = "1.5s");
pool!(CACHE = 8, queue = 0, wait = "1s");
pool!(API = 8, max = 4, retries = 3);

fn main() {}
