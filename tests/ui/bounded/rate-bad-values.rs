//! Each bad `rate` or `burst` is an error at its value that says what to write.
use bounded_async::bounded;

#[bounded(limit = 4, rate = "0/s")]
async fn zero() {}

#[bounded(limit = 4, rate = "100/sec")]
async fn alias() {}

#[bounded(limit = 4, rate = "100/fortnight")]
async fn unknown_unit() {}

#[bounded(limit = 4, rate = "100")]
async fn no_period() {}

#[bounded(limit = 4, rate = "3/250")]
async fn period_without_unit() {}

#[bounded(limit = 4, rate = "2000/us")]
async fn faster_than_a_nanosecond() {}

#[bounded(limit = 4, rate = 100)]
async fn not_a_string() {}

#[bounded(limit = 4, rate = "10/s", burst = 0)]
async fn burst_zero() {}

fn main() {}
