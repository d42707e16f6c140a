//! The gate's keys on `#[bounded]`: `queue` refuses the call that finds the line full, `wait`
//! turns a call away at its deadline and not before, `timeout` drops a body that runs too long and
//! frees its permit at once; each rejection reaches the caller as `Err(E::from(rejected))`, or as
//! `Outcome::Rejected` under "settled". On tokio's paused clock: no test reads the wall clock.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bounded_async::{Outcome, Reason, Rejected, bounded};
use common::paused::{settle_tasks, soon};
use tokio::sync::Semaphore as Release;
use tokio::time::{advance, sleep};

/// Lets each test hold its calls until it releases them: a call runs until it gets a permit of
/// `release`.
async fn hold(release: &Release) {
    release.acquire().await.expect("never closed").forget();
}

mod queue {
    use super::*;

    static RELEASE: Release = Release::const_new(0);
    static RAN: AtomicUsize = AtomicUsize::new(0);

    #[bounded(limit = 1, queue = 2)]
    async fn fetch(id: u32) -> Result<u32, Rejected> {
        hold(&RELEASE).await;
        RAN.fetch_add(1, Ordering::SeqCst);
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn exactly_queue_calls_wait_and_the_next_is_refused() {
        // One runs, two wait: the line is full.
        let calls: Vec<_> = (0..3).map(|id| tokio::spawn(fetch(id))).collect();
        settle_tasks().await;
        let refused = soon(fetch(3)).await.expect_err("the line is full");
        assert_eq!(refused.reason(), Reason::QueueFull);
        assert!(
            refused.gate().ends_with("queue::fetch"),
            "{}",
            refused.gate()
        );
        assert_eq!(
            refused.to_string(),
            format!("{}: 2 calls already waiting (queue = 2)", refused.gate())
        );

        // The three admitted calls finish, in order, and nothing was run for the refused one.
        RELEASE.add_permits(3);
        for (id, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap().unwrap(), id as u32);
        }
        assert_eq!(RAN.load(Ordering::SeqCst), 3);
    }
}

mod shedding {
    use super::*;

    static RELEASE: Release = Release::const_new(0);

    #[bounded(limit = 2, queue = 0, strategy = "settled")]
    async fn fetch(id: u32) -> Result<u32, String> {
        hold(&RELEASE).await;
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn queue_0_never_waits_and_settled_reports_the_rejection() {
        let calls: Vec<_> = (0..2).map(|id| tokio::spawn(fetch(id))).collect();
        settle_tasks().await;
        match soon(fetch(2)).await {
            Outcome::Rejected(rejected) => {
                assert_eq!(rejected.reason(), Reason::QueueFull);
                assert!(rejected.to_string().ends_with("(queue = 0)"), "{rejected}");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        RELEASE.add_permits(2);
        for (id, call) in calls.into_iter().enumerate() {
            assert!(matches!(call.await.unwrap(), Outcome::Ok(n) if n == id as u32));
        }
        // With the permits back, a call is admitted again.
        RELEASE.add_permits(1);
        assert!(matches!(soon(fetch(5)).await, Outcome::Ok(5)));
    }
}

mod wait {
    use super::*;

    static RELEASE: Release = Release::const_new(0);

    #[derive(Debug)]
    enum FetchError {
        Rejected(Rejected),
    }

    impl From<Rejected> for FetchError {
        fn from(rejected: Rejected) -> Self {
            FetchError::Rejected(rejected)
        }
    }

    #[bounded(limit = 1, wait = "100ms")]
    async fn fetch(id: u32) -> Result<u32, FetchError> {
        hold(&RELEASE).await;
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn wait_rejects_at_its_deadline_and_not_before() {
        let first = tokio::spawn(fetch(0));
        settle_tasks().await;
        let second = tokio::spawn(fetch(1));
        settle_tasks().await;

        advance(Duration::from_millis(99)).await;
        settle_tasks().await;
        assert!(!second.is_finished(), "turned away before its wait was up");

        advance(Duration::from_millis(1)).await;
        let FetchError::Rejected(rejected) = second.await.unwrap().expect_err("waited 100ms");
        assert_eq!(rejected.reason(), Reason::WaitElapsed);
        assert!(
            rejected.to_string().ends_with("(wait = \"100ms\")"),
            "{rejected}"
        );

        RELEASE.add_permits(1);
        assert_eq!(first.await.unwrap().unwrap(), 0);
    }

    // A gate of its own: tests run in parallel, and a call of the other test holding `fetch`'s
    // permit would make this one wait.
    static RELEASE_IN_TIME: Release = Release::const_new(0);

    #[bounded(limit = 1, wait = "100ms")]
    async fn fetch_in_time(id: u32) -> Result<u32, FetchError> {
        hold(&RELEASE_IN_TIME).await;
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_admitted_in_time_never_sees_its_wait() {
        let first = tokio::spawn(fetch_in_time(10));
        settle_tasks().await;
        let second = tokio::spawn(fetch_in_time(11));
        settle_tasks().await;
        advance(Duration::from_millis(50)).await;
        // The first finishes; the second gets its permit within its wait, and runs.
        RELEASE_IN_TIME.add_permits(2);
        assert_eq!(first.await.unwrap().unwrap(), 10);
        assert_eq!(second.await.unwrap().unwrap(), 11);
    }
}

mod timeout {
    use super::*;

    static STARTED: AtomicUsize = AtomicUsize::new(0);

    #[bounded(limit = 1, timeout = "50ms")]
    async fn fetch(work: Duration) -> anyhow::Result<Duration> {
        STARTED.fetch_add(1, Ordering::SeqCst);
        sleep(work).await;
        Ok(work)
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_drops_the_body_and_frees_the_permit_at_once() {
        let slow = tokio::spawn(fetch(Duration::from_secs(10)));
        settle_tasks().await;
        let next = tokio::spawn(fetch(Duration::from_millis(10)));
        settle_tasks().await;
        assert_eq!(
            STARTED.load(Ordering::SeqCst),
            1,
            "the second waits for the permit"
        );

        advance(Duration::from_millis(50)).await;
        let error = slow.await.unwrap().expect_err("ran past its timeout");
        let rejected = error.downcast_ref::<Rejected>().expect("a rejection");
        assert_eq!(rejected.reason(), Reason::TimedOut);
        assert!(
            rejected.to_string().ends_with("(timeout = \"50ms\")"),
            "{rejected}"
        );

        // The permit went to the waiting call as soon as the slow one was dropped.
        settle_tasks().await;
        assert_eq!(STARTED.load(Ordering::SeqCst), 2);
        advance(Duration::from_millis(10)).await;
        assert_eq!(next.await.unwrap().unwrap(), Duration::from_millis(10));
    }
}

mod pool_queue {
    use super::*;
    use bounded_async::pool;

    static RELEASE: Release = Release::const_new(0);

    pool!(DB = 1, queue = 1);

    #[bounded(pool = DB)]
    async fn load(id: u32) -> Result<u32, Rejected> {
        hold(&RELEASE).await;
        Ok(id)
    }

    #[bounded(pool = DB, strategy = "settled")]
    async fn store(id: u32) -> Result<u32, String> {
        hold(&RELEASE).await;
        Ok(id)
    }

    #[tokio::test(start_paused = true)]
    async fn a_pools_queue_turns_away_its_members_calls() {
        let running = tokio::spawn(load(0));
        settle_tasks().await;
        let waiting = tokio::spawn(store(1));
        settle_tasks().await;

        let refused = soon(load(2)).await.expect_err("the pool's line is full");
        assert_eq!(refused.reason(), Reason::QueueFull);
        assert_eq!(refused.gate(), concat!(module_path!(), "::DB"));
        match soon(store(3)).await {
            Outcome::Rejected(rejected) => assert_eq!(rejected.reason(), Reason::QueueFull),
            other => panic!("expected a rejection, got {other:?}"),
        }

        RELEASE.add_permits(2);
        assert_eq!(running.await.unwrap().unwrap(), 0);
        assert!(matches!(waiting.await.unwrap(), Outcome::Ok(1)));
        // Every call that asked is admitted or refused.
        let stats = DB.stats();
        assert_eq!((stats.admitted, stats.rejected.queue_full), (2, 2));
        assert_eq!((stats.in_flight, stats.waiting), (0, 0));
    }
}

mod pool_timers {
    use super::*;
    use bounded_async::pool;

    static RELEASE: Release = Release::const_new(0);

    pool!(API = 1, wait = "1s", timeout = "200ms");

    #[bounded(pool = API)]
    async fn call(work: Duration) -> anyhow::Result<Duration> {
        sleep(work).await;
        Ok(work)
    }

    // The member's own `wait` is shorter than the pool's, so it applies.
    #[bounded(pool = API, wait = "100ms")]
    async fn impatient() -> anyhow::Result<()> {
        hold(&RELEASE).await;
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_pools_wait_and_timeout_apply_to_its_members_and_the_shorter_wait_wins() {
        let slow = tokio::spawn(call(Duration::from_secs(60)));
        settle_tasks().await;
        let waiting = tokio::spawn(impatient());
        settle_tasks().await;

        advance(Duration::from_millis(100)).await;
        let error = waiting
            .await
            .unwrap()
            .expect_err("waited past its own wait");
        let rejected = error.downcast_ref::<Rejected>().unwrap();
        assert_eq!(rejected.reason(), Reason::WaitElapsed);
        assert!(
            rejected.to_string().ends_with("(wait = \"100ms\")"),
            "{rejected}"
        );

        advance(Duration::from_millis(100)).await;
        let error = slow
            .await
            .unwrap()
            .expect_err("ran past the pool's timeout");
        let rejected = error.downcast_ref::<Rejected>().unwrap();
        assert_eq!(rejected.reason(), Reason::TimedOut);
        assert_eq!(rejected.gate(), concat!(module_path!(), "::API"));

        let stats = API.stats();
        assert_eq!(stats.in_flight, 0);
        assert_eq!(
            (stats.rejected.wait_elapsed, stats.rejected.timed_out),
            (1, 1)
        );

        assert_eq!(
            soon(call(Duration::from_millis(5))).await.unwrap(),
            Duration::from_millis(5)
        );
    }
}

mod pool_wait {
    use super::*;
    use bounded_async::pool;

    static RELEASE: Release = Release::const_new(0);

    pool!(SLOW = 1, wait = "1s");

    // The pool's `wait` is shorter than this member's, so the pool's applies.
    #[bounded(pool = SLOW, wait = "1h")]
    async fn patient() -> anyhow::Result<()> {
        hold(&RELEASE).await;
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn the_pools_shorter_wait_wins_over_its_members() {
        let holder = tokio::spawn(patient());
        settle_tasks().await;
        let waiting = tokio::spawn(patient());
        settle_tasks().await;
        advance(Duration::from_millis(999)).await;
        settle_tasks().await;
        assert!(
            !waiting.is_finished(),
            "turned away before the pool's wait was up"
        );
        advance(Duration::from_millis(1)).await;
        let error = waiting
            .await
            .unwrap()
            .expect_err("waited past the pool's wait");
        let rejected = error.downcast_ref::<Rejected>().unwrap();
        assert_eq!(rejected.reason(), Reason::WaitElapsed);
        assert!(
            rejected.to_string().ends_with("(wait = \"1s\")"),
            "{rejected}"
        );
        RELEASE.add_permits(1);
        assert!(holder.await.unwrap().is_ok());
    }
}
