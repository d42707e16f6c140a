//! The `rate` and `burst` keys on `#[bounded]` and `pool!`: calls go through paced at the rate,
//! a burst at once after the gate was idle; a pool's rate is shared by its members; `wait`
//! applies to the wait for a rate slot as to the wait for a permit. On tokio's paused clock: no
//! test reads the wall clock.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use bounded_async::{Rate, Reason, Rejected, bounded, pool};
use common::paused::{ms, soon};
use tokio::time::Instant;

/// When each call of `calls` went through, from `start`, in the order they went through.
async fn times_of<F: Future<Output = Instant> + Send + 'static>(
    start: Instant,
    calls: impl IntoIterator<Item = F>,
) -> Vec<Duration> {
    let tasks: Vec<_> = calls.into_iter().map(tokio::spawn).collect();
    let mut times = Vec::new();
    for task in tasks {
        times.push(soon(task).await.unwrap() - start);
    }
    times.sort();
    times
}

mod function {
    use super::*;

    #[bounded(limit = 20, rate = "50/s")]
    async fn send(_id: u32) -> Instant {
        Instant::now()
    }

    #[bounded(limit = 8, rate = "10/s", burst = 3)]
    async fn burst(_id: u32) -> Instant {
        Instant::now()
    }

    #[tokio::test(start_paused = true)]
    async fn calls_go_through_one_interval_apart() {
        let start = Instant::now();
        let times = times_of(start, (0..5).map(send)).await;
        assert_eq!(times, [0, 20, 40, 60, 80].map(ms));
        let gate = bounded_async::gate(concat!(module_path!(), "::send")).unwrap();
        assert_eq!(gate.rate(), Some(Rate::per_second(50)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_through_at_once_then_the_pace_is_the_rate() {
        let start = Instant::now();
        let times = times_of(start, (0..5).map(burst)).await;
        assert_eq!(times, [0, 0, 0, 100, 200].map(ms));
    }
}

mod shared {
    use super::*;

    pool!(PARTNER = 4, rate = "20/s");

    static ORDER: Mutex<Vec<&str>> = Mutex::new(Vec::new());

    #[bounded(pool = PARTNER)]
    async fn quote(_id: u32) -> Instant {
        ORDER.lock().unwrap().push("quote");
        Instant::now()
    }

    #[bounded(pool = PARTNER)]
    async fn order(_id: u32) -> Instant {
        ORDER.lock().unwrap().push("order");
        Instant::now()
    }

    #[tokio::test(start_paused = true)]
    async fn a_pools_rate_is_shared_by_its_members_in_arrival_order() {
        let start = Instant::now();
        let calls = (0..3).flat_map(|id| {
            [
                Box::pin(quote(id)) as std::pin::Pin<Box<dyn Future<Output = Instant> + Send>>,
                Box::pin(order(id)),
            ]
        });
        let times = times_of(start, calls).await;
        assert_eq!(times, [0, 50, 100, 150, 200, 250].map(ms));
        assert_eq!(
            *ORDER.lock().unwrap(),
            ["quote", "order", "quote", "order", "quote", "order"]
        );
        assert_eq!(PARTNER.rate(), Some(Rate::per_second(20)));
    }
}

mod waiting {
    use super::*;

    #[bounded(limit = 4, rate = "1/s", wait = "300ms")]
    async fn impatient(id: u32) -> Result<u32, Rejected> {
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn wait_applies_to_the_wait_for_a_rate_slot() {
        let start = Instant::now();
        assert_eq!(soon(impatient(0)).await.unwrap(), 0);
        // The next slot is 1 s away, and the call waits at most 300 ms for it.
        let rejected = soon(impatient(1)).await.unwrap_err();
        assert_eq!(rejected.reason(), Reason::WaitElapsed);
        assert_eq!(Instant::now() - start, ms(300));
        // Its slot was not taken: a call at 800 ms gets the one due at 1 s.
        tokio::time::sleep_until(start + ms(800)).await;
        assert_eq!(soon(impatient(2)).await.unwrap(), 2);
        assert_eq!(Instant::now() - start, ms(1000));
    }
}
