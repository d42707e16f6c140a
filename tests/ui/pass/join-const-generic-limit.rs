//! Limits that name const generic parameters, whatever their case, and `Self`: evaluated where
//! the generics are visible.
use bounded_async::join_bounded;

struct Crawler<const CAPACITY: usize>;

impl<const CAPACITY: usize> Crawler<CAPACITY> {
    const HALF: usize = CAPACITY / 2;

    async fn crawl(&self) -> Vec<u8> {
        join_bounded!(limit = CAPACITY; for n in 0..3u8 => async move { n })
    }

    async fn crawl_half(&self) -> (u8, u8) {
        join_bounded!(limit = Self::HALF + 1; async { 1 }, async { 2 })
    }
}

async fn fetch_all<const MAX_IN_FLIGHT: usize>() -> Result<Vec<u8>, ()> {
    join_bounded!(limit = 2 * MAX_IN_FLIGHT, strategy = "all"; for n in 0..3u8 => async move { Ok(n) })
}

fn main() {
    futures::executor::block_on(async {
        assert_eq!(Crawler::<2>.crawl().await, [0, 1, 2]);
        assert_eq!(Crawler::<3>.crawl_half().await, (1, 2));
        assert_eq!(fetch_all::<1>().await, Ok(vec![0, 1, 2]));
    });
}
