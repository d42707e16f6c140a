//! `pause_for`: nobody is admitted while a gate is paused. A call that may wait that long waits
//! and is admitted when the pause ends, in order; a call whose `wait` ends sooner is rejected with
//! `Reason::Paused` and the rest of the pause as `retry_after`; a call that cannot be rejected
//! waits anyway. The waiter at the head of the line keeps the timer that ends the pause, and hands
//! it on when it gives up. On tokio's paused clock: no test reads the wall clock.

mod common;

use std::pin::pin;

use bounded_async::{Gate, Outcome, Reason, Rejected, bounded, pool};
use common::paused::{ms, settle_tasks, soon};
use futures::poll;
use tokio::sync::Semaphore as Release;
use tokio::time::{Instant, advance, sleep};

/// Lets each test hold its calls until it releases them.
async fn hold(release: &Release) {
    release.acquire().await.expect("never closed").forget();
}

mod gate {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn acquire_waits_for_the_end_of_the_pause_and_not_a_moment_less() {
        static GATE: Gate = Gate::new(2);
        GATE.pause_for(ms(2000));
        let mut acquire = pin!(GATE.acquire());
        assert!(poll!(&mut acquire).is_pending());
        advance(ms(1999)).await;
        assert!(poll!(&mut acquire).is_pending(), "admitted before the end");
        advance(ms(1)).await;
        let permit = soon(acquire).await;
        assert_eq!(GATE.in_flight(), 1);
        drop(permit);
        assert_eq!(GATE.paused_until(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn try_acquire_is_refused_while_paused_and_succeeds_after_with_nobody_waiting() {
        static GATE: Gate = Gate::new(1);
        GATE.pause_for(ms(100));
        assert!(GATE.try_acquire().is_none());
        advance(ms(100)).await;
        // Nobody waited, so no timer ended the pause: the first look after it lifts it.
        let permit = GATE.try_acquire().expect("the pause is over");
        drop(permit);
        assert!(GATE.try_acquire().is_some(), "the fast path again");
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_in_flight_goes_on_and_its_permit_waits_for_the_end_of_the_pause() {
        static GATE: Gate = Gate::new(1);
        let held = GATE.try_acquire().unwrap();
        let waiter = tokio::spawn(async {
            let permit = GATE.acquire().await;
            drop(permit);
            Instant::now()
        });
        settle_tasks().await;
        let start = Instant::now();
        GATE.pause_for(ms(1000));
        advance(ms(500)).await;
        drop(held);
        settle_tasks().await;
        assert!(
            !waiter.is_finished(),
            "a permit given back was handed out while paused"
        );
        assert_eq!(GATE.in_flight(), 0);
        let admitted_at = soon(waiter).await.unwrap();
        assert_eq!(admitted_at - start, ms(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_admitted_in_the_order_they_arrived_when_the_pause_ends() {
        static GATE: Gate = Gate::new(2);
        static ORDER: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());
        GATE.pause_for(ms(300));
        let waiters: Vec<_> = (0..6)
            .map(|id| {
                let waiter = tokio::spawn(async move {
                    let permit = GATE.acquire().await;
                    ORDER.lock().unwrap().push(id);
                    sleep(ms(10)).await;
                    drop(permit);
                });
                (id, waiter)
            })
            .collect();
        // One at a time, so that each joins the line in turn.
        settle_tasks().await;
        assert_eq!(GATE.waiting(), 6);
        for (_, waiter) in waiters {
            soon(waiter).await.unwrap();
        }
        assert_eq!(*ORDER.lock().unwrap(), [0, 1, 2, 3, 4, 5]);
        assert_eq!(GATE.stats().peak_in_flight, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_head_that_gives_up_hands_the_timer_to_the_next_waiter() {
        static GATE: Gate = Gate::new(1);
        GATE.pause_for(ms(1000));
        let start = Instant::now();
        let head = tokio::spawn(async { drop(GATE.acquire().await) });
        settle_tasks().await;
        let next = tokio::spawn(async {
            drop(GATE.acquire().await);
            Instant::now()
        });
        settle_tasks().await;
        assert_eq!(GATE.waiting(), 2);
        advance(ms(100)).await;
        head.abort();
        settle_tasks().await;
        assert_eq!(GATE.waiting(), 1);
        // Only a timer of the new head's can end the pause: nothing else happens at the gate.
        let admitted_at = soon(next).await.unwrap();
        assert_eq!(admitted_at - start, ms(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_started_with_waiters_in_line_holds_them_back_until_it_ends() {
        static GATE: Gate = Gate::new(1);
        let held = GATE.try_acquire().unwrap();
        let waiter = tokio::spawn(async {
            drop(GATE.acquire().await);
            Instant::now()
        });
        settle_tasks().await;
        let start = Instant::now();
        GATE.pause_for(ms(700));
        drop(held);
        let admitted_at = soon(waiter).await.unwrap();
        assert_eq!(admitted_at - start, ms(700));
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_end_wins_and_a_shorter_pause_shortens_nothing() {
        static GATE: Gate = Gate::new(1);
        let start = Instant::now();
        GATE.pause_for(ms(1000));
        GATE.pause_for(ms(200));
        assert_eq!(GATE.paused_until(), Some(start + ms(1000)));
        let waiter = tokio::spawn(async {
            drop(GATE.acquire().await);
            Instant::now()
        });
        settle_tasks().await;
        // Extended while the head's timer runs for the earlier end.
        advance(ms(600)).await;
        GATE.pause_for(ms(900));
        let admitted_at = soon(waiter).await.unwrap();
        assert_eq!(admitted_at - start, ms(1500));
    }
}

mod bounded_fn {
    use super::*;

    static RELEASE: Release = Release::const_new(0);

    #[bounded(limit = 1, wait = "100ms")]
    async fn short_wait(id: u32) -> Result<u32, Rejected> {
        Ok(id)
    }

    #[bounded(limit = 1, wait = "5s")]
    async fn long_wait(id: u32) -> Result<u32, Rejected> {
        Ok(id)
    }

    #[bounded(limit = 1)]
    async fn plain(id: u32) -> u32 {
        id
    }

    #[bounded(limit = 1, wait = "500ms")]
    async fn held(id: u32) -> Result<u32, Rejected> {
        hold(&RELEASE).await;
        Ok(id)
    }

    #[bounded(limit = 1, queue = 0, strategy = "settled")]
    async fn shedding(id: u32) -> Result<u32, String> {
        Ok(id)
    }

    /// The gate of a `#[bounded]` function, listed on its first call.
    async fn gate_of(name: &str) -> &'static Gate {
        let name = format!("{}::{name}", module_path!());
        bounded_async::gate(&name).unwrap_or_else(|| panic!("{name} is listed once called"))
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_whose_wait_ends_before_the_pause_is_rejected_at_once() {
        short_wait(0).await.unwrap();
        let gate = gate_of("short_wait").await;
        gate.pause_for(ms(1500));
        let start = Instant::now();
        let rejected = soon(short_wait(1)).await.unwrap_err();
        assert_eq!(
            Instant::now(),
            start,
            "rejected at once, not at its deadline"
        );
        assert_eq!(rejected.reason(), Reason::Paused);
        assert_eq!(rejected.retry_after(), Some(ms(1500)));
        assert_eq!(rejected.gate(), gate.name());
        assert_eq!(
            rejected.to_string(),
            format!("{}: paused for another 1s500ms (pause_for)", gate.name())
        );
        assert_eq!(gate.stats().rejected.paused, 1);
        // Once the pause is over, calls go through again.
        advance(ms(1500)).await;
        assert_eq!(soon(short_wait(2)).await.unwrap(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_may_wait_that_long_waits_for_the_end() {
        long_wait(0).await.unwrap();
        let gate = gate_of("long_wait").await;
        gate.pause_for(ms(1500));
        let start = Instant::now();
        assert_eq!(soon(long_wait(1)).await.unwrap(), 1);
        assert_eq!(Instant::now() - start, ms(1500));
        assert_eq!(gate.stats().rejected.total(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_cannot_be_rejected_waits_anyway() {
        plain(0).await;
        let gate = gate_of("plain").await;
        gate.pause_for(ms(2500));
        let start = Instant::now();
        assert_eq!(soon(plain(1)).await, 1);
        assert_eq!(Instant::now() - start, ms(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_whose_wait_runs_out_during_the_pause_is_rejected_as_paused() {
        // The first call holds the permit; the second waits for it, with a wait of 500 ms.
        let first = tokio::spawn(held(0));
        settle_tasks().await;
        let start = Instant::now();
        let second = tokio::spawn(held(1));
        settle_tasks().await;
        advance(ms(100)).await;
        let gate = gate_of("held").await;
        gate.pause_for(ms(2000));
        RELEASE.add_permits(1);
        assert_eq!(soon(first).await.unwrap().unwrap(), 0);
        let rejected = soon(second).await.unwrap().unwrap_err();
        assert_eq!(Instant::now() - start, ms(500), "at the end of its wait");
        assert_eq!(rejected.reason(), Reason::Paused);
        assert_eq!(rejected.retry_after(), Some(ms(1600)));
        let stats = gate.stats();
        assert_eq!((stats.rejected.paused, stats.rejected.wait_elapsed), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn under_settled_a_paused_call_is_an_outcome_rejected() {
        assert!(matches!(shedding(0).await, Outcome::Ok(0)));
        let gate = gate_of("shedding").await;
        gate.pause_for(ms(300));
        // `queue = 0` cannot wait at all: while paused, the pause is what rejects it.
        let Outcome::Rejected(rejected) = soon(shedding(1)).await else {
            panic!("not rejected");
        };
        assert_eq!(rejected.reason(), Reason::Paused);
        assert_eq!(rejected.retry_after(), Some(ms(300)));
        advance(ms(300)).await;
        assert!(matches!(soon(shedding(2)).await, Outcome::Ok(2)));
        let stats = gate.stats();
        assert_eq!(stats.admitted + stats.rejected.total(), 3);
    }
}

mod pool_members {
    use super::*;

    pool!(PARTNER = 4, wait = "1s");

    #[bounded(pool = PARTNER)]
    async fn quote(id: u32) -> Result<u32, Rejected> {
        Ok(id)
    }

    pool!(FRIENDLY = 2);

    #[bounded(pool = FRIENDLY)]
    async fn greet(id: u32) -> u32 {
        id
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_of_the_pool_rejects_its_members_whose_wait_ends_sooner() {
        PARTNER.pause_for(ms(3000));
        let rejected = soon(quote(0)).await.unwrap_err();
        assert_eq!(rejected.reason(), Reason::Paused);
        assert_eq!(rejected.gate(), PARTNER.name());
        assert_eq!(rejected.retry_after(), Some(ms(3000)));
        advance(ms(3000)).await;
        assert_eq!(soon(quote(1)).await.unwrap(), 1);
        let stats = PARTNER.stats();
        assert_eq!(stats.rejected.paused, 1);
        assert_eq!(stats.admitted + stats.rejected.total(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn members_of_a_pool_that_cannot_reject_wait_the_pause_out() {
        FRIENDLY.pause_for(ms(800));
        let start = Instant::now();
        let calls: Vec<_> = (0..3).map(|id| tokio::spawn(greet(id))).collect();
        for (id, call) in calls.into_iter().enumerate() {
            assert_eq!(soon(call).await.unwrap(), id as u32);
        }
        assert_eq!(Instant::now() - start, ms(800));
    }
}
