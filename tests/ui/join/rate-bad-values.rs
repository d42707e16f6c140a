//! `join_bounded!` checks a literal `rate` and `burst` as `#[bounded]` does, and `burst` needs a
//! rate written in the macro.
use bounded_async::{Rate, join_bounded};

async fn zero() -> Vec<u32> {
    join_bounded!(limit = 4, rate = "0/s"; for i in 0..3u32 => async move { i })
}

async fn unit() -> Vec<u32> {
    join_bounded!(limit = 4, rate = "10/secs"; for i in 0..3u32 => async move { i })
}

async fn lonely_burst() -> Vec<u32> {
    join_bounded!(limit = 4, burst = 2; for i in 0..3u32 => async move { i })
}

async fn burst_of_a_value() -> Vec<u32> {
    let rate = Rate::per_second(10);
    join_bounded!(limit = 4, rate = rate, burst = 2; for i in 0..3u32 => async move { i })
}

async fn not_a_rate() -> Vec<u32> {
    join_bounded!(limit = 4, rate = 10; for i in 0..3u32 => async move { i })
}

fn main() {}
