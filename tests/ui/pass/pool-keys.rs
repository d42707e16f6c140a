//! Pools with keys: their types, members with and without keys of their own, a member's limit
//! above the capacity but within `max`, and members of a pool without rejecting keys that return
//! anything; a pool with a rate, whose type declares the rate's pace (720 ms for 5000/h), and its
//! members with rates at or below it; a pool given a rate by hand, whose type a rate leaves as it
//! is.
use bounded_async::{Outcome, Pool, Rate, bounded, pool};

const MAX_CONNS: usize = 64;

pool!(
    /// The database: 16 connections, raised to 64 at most, 128 in line for a second at most.
    pub DB = 16, max = MAX_CONNS, queue = 128, wait = "1s"
);
pool!(CACHE = 4, max = 8);
pool!(pub(crate) PARTNER = 20, rate = "5000/h", burst = 50, max = 40);

#[bounded(pool = PARTNER, limit = 10, rate = "1/s")]
async fn quote(id: u64) -> u64 {
    id
}

// 5000/h, written as 1/720ms: the pool's own pace, which fits.
#[bounded(pool = PARTNER, limit = 10, rate = "1/720ms", burst = 10)]
async fn quote_again(id: u64) -> u64 {
    id
}

static BY_HAND: Pool<4> = Pool::new().with_rate(Rate::per_second(1));

// A pool whose type declares no rate takes any rate.
#[bounded(pool = BY_HAND, limit = 4, rate = "1000/s")]
async fn by_hand(id: u64) -> u64 {
    id
}

#[bounded(pool = DB, limit = 32)]
async fn load(id: u64) -> anyhow::Result<u64> {
    Ok(id)
}

#[bounded(pool = DB, timeout = "2s", strategy = "settled")]
async fn store(id: u64) -> Result<u64, String> {
    Ok(id)
}

#[bounded(pool = CACHE, limit = 8)]
async fn get(id: u64) -> u64 {
    id
}

fn main() {
    let _: &Pool<16, 64, true> = &DB;
    let _: &Pool<4, 8> = &CACHE;
    let _: &Pool<20, 40, false, 720_000_000> = &PARTNER;
    assert_eq!(PARTNER.rate(), Some(Rate::per(5000, std::time::Duration::from_secs(3600)).with_burst(50)));
    let _ = (quote(1), quote_again(1), by_hand(1));
    futures::executor::block_on(async {
        assert_eq!(load(1).await.unwrap(), 1);
        assert!(matches!(store(2).await, Outcome::Ok(2)));
        assert_eq!(get(3).await, 3);
    });
    assert_eq!((DB.limit(), DB.max(), DB.queue()), (16, 64, Some(128)));
}
