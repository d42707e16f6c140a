//! Items the macros' expansions call. Not public API: names and signatures may change in any
//! release.

pub use std::num::NonZeroUsize;

use crate::IntoLimit;

/// A limit known only at run time.
#[track_caller]
pub fn runtime_limit(limit: impl IntoLimit) -> NonZeroUsize {
    match limit.into_limit() {
        Some(limit) => limit,
        None => panic!(
            "join_bounded!: `limit` evaluated to 0 at run time, so no future could ever run; it must be at least 1"
        ),
    }
}

/// A `stream_bounded!` limit known only at run time.
#[track_caller]
pub fn stream_runtime_limit(limit: impl IntoLimit) -> NonZeroUsize {
    match limit.into_limit() {
        Some(limit) => limit,
        None => panic!(
            "stream_bounded!: `limit` evaluated to 0 at run time, so no future could ever run; it must be at least 1"
        ),
    }
}

/// The limit of a join known at compile time; a compile error (in a `const` item) when it is 0.
pub const fn join_limit(limit: usize) -> NonZeroUsize {
    match NonZeroUsize::new(limit) {
        Some(limit) => limit,
        None => panic!(
            "join_bounded!: `limit` is 0, so no future could ever run; it must be at least 1"
        ),
    }
}

/// Whether `limit` is at most `MAX_PERMITS`.
pub const fn fits_a_semaphore(limit: usize) -> bool {
    limit <= crate::MAX_PERMITS
}

/// The pool of a `pool!`, whose capacity the expansion checks with its own rules.
#[cfg(not(loom))]
pub const fn pool<const CAPACITY: usize, const MAX: usize>() -> crate::Pool<CAPACITY, MAX> {
    crate::Pool::checked_elsewhere()
}

/// [`pool`] under `cfg(loom)`, whose gates are built at run time.
#[cfg(loom)]
pub fn pool<const CAPACITY: usize, const MAX: usize>() -> crate::Pool<CAPACITY, MAX> {
    crate::Pool::checked_elsewhere()
}

/// The most a pool can admit at once, its `MAX`, read from its type (no memory of the `static`
/// is read).
pub const fn pool_max<
    const CAPACITY: usize,
    const MAX: usize,
    const REJECTS: bool,
    const PACE: u64,
>(
    _: &crate::Pool<CAPACITY, MAX, REJECTS, PACE>,
) -> usize {
    MAX
}

/// Whether `rate` paces no faster than a pool's declared rate (its `PACE`, read from its type;
/// a pool whose type declares no rate takes any).
pub const fn rate_fits_pool<
    const CAPACITY: usize,
    const MAX: usize,
    const REJECTS: bool,
    const PACE: u64,
>(
    rate: crate::Rate,
    _: &crate::Pool<CAPACITY, MAX, REJECTS, PACE>,
) -> bool {
    PACE == 0 || rate.interval_nanos() >= PACE
}

/// Whether a pool can turn calls away, read from its type.
pub const fn pool_rejects<
    const CAPACITY: usize,
    const MAX: usize,
    const REJECTS: bool,
    const PACE: u64,
>(
    _: &crate::Pool<CAPACITY, MAX, REJECTS, PACE>,
) -> bool {
    REJECTS
}

pub use crate::join::{JoinBounded, join_bounded, join_bounded_stream};
pub use futures_util::StreamExt;

/// The strategies as `join_bounded!` chooses them: the builder's methods without their bounds on
/// the futures' output, so that a wrong output type is one error, where the join is awaited (at
/// the user's future, with the strategy's own message), and not a second one at a method's bound.
pub mod strategy {
    use std::future::Future;

    use crate::join::{
        AllCollector, AnyCollector, Join, JoinBounded, JoinCollector, RaceCollector,
        SettledCollector, Source,
    };

    type Output<I> = <<I as Source>::Future as Future>::Output;

    pub fn join<I: Source, P>(join: JoinBounded<I, P>) -> Join<I, JoinCollector<Output<I>>, P> {
        join.with(JoinCollector::new)
    }

    pub fn all<I: Source, P, T, E>(join: JoinBounded<I, P>) -> Join<I, AllCollector<T, E>, P> {
        join.with(AllCollector::new)
    }

    pub fn settled<I: Source, P, T, E>(
        join: JoinBounded<I, P>,
    ) -> Join<I, SettledCollector<T, E>, P> {
        join.with(SettledCollector::new)
    }

    pub fn any<I: Source, P, T, E>(join: JoinBounded<I, P>) -> Join<I, AnyCollector<T, E>, P> {
        join.with(|_| AnyCollector::new())
    }

    pub fn race<I: Source, P>(join: JoinBounded<I, P>) -> Join<I, RaceCollector<Output<I>>, P> {
        join.with(|_| RaceCollector::new())
    }
}

/// Runs the body of a `strategy = "settled"` function, turning its `Result` and any panic into
/// the `Outcome` the function returns. The function's return type says which `Result` that is
/// (`SettledOf<R>` requires `R: SettledOutput`), so a return type that is not one is reported
/// once, there, and not again here.
pub async fn settle<O, F>(body: F) -> O
where
    F: std::future::Future,
    O: Settles<F::Output>,
{
    use futures_util::FutureExt;
    let caught = std::panic::AssertUnwindSafe(body).catch_unwind().await;
    O::settle(caught)
}

/// Runs a "settled" pool member's call (see [`member`]): [`settle_gated`], its mode dropped.
pub async fn settle_member<O, R, F, const REJECTS: bool>(call: F) -> O
where
    F: std::future::Future<Output = (Mode<REJECTS>, Result<R, crate::Rejected>)>,
    O: Settles<R> + crate::rules::Rejectable,
{
    use futures_util::FutureExt;
    settle_gated(call.map(|(_, output)| output)).await
}

/// `gate` with `rate`: the `rate` key of `#[bounded]`. Without the `tokio` feature a gate has no
/// rate, and the macros refuse the key (`rules::TimersNeedTheTokioFeature`), so the gate is
/// never built.
pub const fn gate_with_rate(gate: crate::Gate, rate: crate::Rate) -> crate::Gate {
    #[cfg(feature = "tokio")]
    return gate.with_rate(rate);
    #[cfg(not(feature = "tokio"))]
    {
        let _ = rate;
        gate
    }
}

/// `pool` with `rate`: the `rate` key of `pool!` (see [`gate_with_rate`]), whose type declares
/// the rate's interval as its `PACE` (written by the macro, checked here).
pub const fn pool_with_rate<
    const CAPACITY: usize,
    const MAX: usize,
    const REJECTS: bool,
    const PACE: u64,
>(
    pool: crate::Pool<CAPACITY, MAX, REJECTS>,
    rate: crate::Rate,
) -> crate::Pool<CAPACITY, MAX, REJECTS, PACE> {
    assert!(
        rate.interval_nanos() == PACE,
        "pool!: the pool's type declares another pace than its rate"
    );
    #[cfg(feature = "tokio")]
    let pool = pool.with_rate(rate);
    pool.with_pace()
}

/// The outcome of a "settled" list's future: its `Result`, as an `Outcome`.
pub fn settled_outcome<R: crate::SettledOutput>(output: R) -> crate::Outcome<R::Ok, R::Err> {
    crate::Outcome::from(output.into_result())
}

/// The outcome of a "settled" list's future with a `timeout`: `Outcome::Rejected` when it ran
/// past it.
pub fn timely_outcome<R: crate::SettledOutput>(
    output: timeout::Timely<R>,
) -> crate::Outcome<R::Ok, R::Err> {
    match output.0 {
        Ok(output) => crate::Outcome::from(output.into_result()),
        Err(rejected) => crate::Outcome::Rejected(rejected),
    }
}

/// The `timeout` key of `join_bounded!` and `stream_bounded!`: each future wrapped as its
/// strategy carries a future that ran past it (see `join::timeout`).
pub mod timeout {
    use std::future::Future;
    use std::time::Duration;

    use crate::Rejected;
    use crate::rules::JoinTimeoutOutput;

    pub use crate::join::timeout::{Timed, Timely};

    /// `"join"`, `"race"` and streams: the output becomes `Result<T, Rejected>`.
    pub fn as_result<F: Future>(
        site: &'static str,
        timeout: Duration,
        future: F,
    ) -> Timed<F, Result<F::Output, Rejected>> {
        Timed::new(site, timeout, future, Ok, Err)
    }

    /// `"all"` and `"any"`: `Err(E::from(rejected))`, which the output must be able to carry.
    pub fn as_err<F>(site: &'static str, timeout: Duration, future: F) -> Timed<F, F::Output>
    where
        F: Future<Output: JoinTimeoutOutput>,
    {
        Timed::new(
            site,
            timeout,
            future,
            std::convert::identity,
            JoinTimeoutOutput::rejected,
        )
    }

    /// `"settled"`: a [`Timely`] output, recorded as `Outcome::Rejected` when it ran past it.
    pub fn as_outcome<F: Future>(
        site: &'static str,
        timeout: Duration,
        future: F,
    ) -> Timed<F, Timely<F::Output>> {
        Timed::new(
            site,
            timeout,
            future,
            |output| Timely(Ok(output)),
            |rejected| Timely(Err(rejected)),
        )
    }
}

/// `join` with `progress`: the `progress` key of `join_bounded!`.
pub fn progressed<I, F>(
    join: crate::JoinBounded<I>,
    progress: F,
) -> crate::JoinBounded<I, crate::join::OnProgress<F>>
where
    I: crate::Source,
    F: FnMut(&crate::Progress),
{
    join.progress(progress)
}

/// `join` with `rate`: the `rate` key of `join_bounded!`. Without the `tokio` feature a join has
/// no rate, and the macro refuses the key (`rules::TimersNeedTheTokioFeature`).
pub fn paced<I>(join: crate::JoinBounded<I>, rate: crate::Rate) -> crate::JoinBounded<I>
where
    I: crate::Source,
{
    #[cfg(feature = "tokio")]
    return join.rate(rate);
    #[cfg(not(feature = "tokio"))]
    {
        let _ = rate;
        join
    }
}

/// Whether the runtime has fleet-wide pools (its `redis` feature), for the `backend` key.
pub const REDIS: bool = cfg!(feature = "redis");

/// `pool` with a Redis backend: the `backend` and `lease` keys of `pool!`. Without the `redis`
/// feature the macro refuses the key (`rules::RedisNeedsTheRedisFeature`), and the pool is never
/// run.
pub const fn pool_with_redis<
    const CAPACITY: usize,
    const MAX: usize,
    const REJECTS: bool,
    const PACE: u64,
>(
    pool: crate::Pool<CAPACITY, MAX, REJECTS, PACE>,
    lease: std::time::Duration,
) -> crate::Pool<CAPACITY, MAX, true, PACE> {
    #[cfg(feature = "redis")]
    return pool.with_redis(lease);
    #[cfg(not(feature = "redis"))]
    {
        let _ = lease;
        pool.rejecting()
    }
}

/// Whether the runtime has timers (its `tokio` feature), for the `wait` and `timeout` keys.
pub const TIMERS: bool = cfg!(feature = "tokio");

/// The `max` of a `#[bounded]` function's gate, `limit` when `max` breaks a rule: the rule
/// reports it once, at the key, and the gate is never run.
pub const fn max_permits(max: usize, limit: usize) -> usize {
    if max >= limit && max <= crate::MAX_PERMITS {
        max
    } else {
        limit
    }
}

/// Runs a "settled" function's call whose gates can turn it away (see [`gated`]): its
/// `Result`, a rejection and any panic become the `Outcome` the function returns.
pub async fn settle_gated<O, R, F>(call: F) -> O
where
    F: std::future::Future<Output = Result<R, crate::Rejected>>,
    O: Settles<R> + crate::rules::Rejectable,
{
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(call).catch_unwind().await {
        Ok(Err(rejected)) => O::rejected(rejected),
        Ok(Ok(output)) => O::settle(Ok(output)),
        Err(panic) => O::settle(Err(panic)),
    }
}

/// The `Outcome` of a "settled" body that returned `R` or panicked. Unimplemented when `R` is
/// a type of the user's that is named `Result` but is not one.
#[diagnostic::on_unimplemented(
    message = "`strategy = \"settled\"` needs `Result<T, E>`, but this returns `{R}`",
    label = "returns `{R}`, not `std::result::Result`",
    note = "\"settled\" records each `Ok`, `Err` and panic as an `Outcome`; for other types, use the default strategy"
)]
pub trait Settles<R> {
    /// `R` as an outcome, or the panic.
    fn settle(caught: std::thread::Result<R>) -> Self;
}

#[diagnostic::do_not_recommend]
impl<T, E> Settles<Result<T, E>> for crate::Outcome<T, E> {
    fn settle(caught: std::thread::Result<Result<T, E>>) -> Self {
        crate::Outcome::from_caught(caught)
    }
}

/// The permits of a gate whose limit or capacity is `value`, kept in range so that a bad value is
/// reported once, by its rule's check, and not a second time by `Semaphore::new`.
pub const fn permits(value: usize) -> usize {
    if value == 0 {
        1
    } else if value > crate::MAX_PERMITS {
        crate::MAX_PERMITS
    } else {
        value
    }
}

/// Whether the module path `module` is where `path` leads from `here` (the `module_path!()` of
/// the call): `path` is a call's module segments, starting with `crate`, `self` or `super`.
pub const fn same_module(here: &str, path: &[&str]) -> bool {
    let here = here.as_bytes();
    if path.is_empty() {
        return false;
    }
    // The length of the prefix of `here` that `path`'s first segments lead to.
    let mut prefix;
    let mut next = 1;
    if eq(path[0].as_bytes(), b"crate") {
        prefix = 0;
        while prefix < here.len() && here[prefix] != b':' {
            prefix += 1;
        }
    } else if eq(path[0].as_bytes(), b"self") {
        prefix = here.len();
    } else if eq(path[0].as_bytes(), b"super") {
        prefix = here.len();
        next = 0;
        while next < path.len() && eq(path[next].as_bytes(), b"super") {
            // Up one module: back to the last `::`, which the crate root does not have.
            let mut at = prefix;
            while at > 1 && !(here[at - 1] == b':' && here[at - 2] == b':') {
                at -= 1;
            }
            if at <= 1 {
                return false;
            }
            prefix = at - 2;
            next += 1;
        }
    } else {
        return false;
    }
    // The rest must be `::segment` for each remaining segment, to the end of `here`.
    let mut at = prefix;
    while next < path.len() {
        let segment = path[next].as_bytes();
        if at + 2 + segment.len() > here.len() || here[at] != b':' || here[at + 1] != b':' {
            return false;
        }
        let mut i = 0;
        while i < segment.len() {
            if here[at + 2 + i] != segment[i] {
                return false;
            }
            i += 1;
        }
        at += 2 + segment.len();
        next += 1;
    }
    at == here.len()
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The constructors of [`Rejected`](crate::Rejected), one per reason, for the gates and the
/// expansions.
pub mod rejected {
    pub use crate::rejected::{paused, queue_full, timed_out, wait_elapsed};
}

pub use crate::gate::{Admit, Refusal, Semaphore};
pub use crate::gated::{
    Gated, GatedCall, Member, MemberCall, Mode, Tagged, Unrejected, gated, member, with_mode,
};
pub use crate::list::{Keep, KeepOk, ListItem, Pass, Settle, Slot, run_list};
pub use crate::reentry::{Call, Enabled, GateRef, Gates, Guard, Guarded, call};

#[cfg(test)]
mod tests {
    use super::same_module;

    #[test]
    fn paths_are_resolved_against_the_calling_module() {
        assert!(same_module("app", &["crate"]));
        assert!(same_module("app", &["self"]));
        assert!(!same_module("app::db", &["crate"]));
        assert!(same_module("app::db", &["crate", "db"]));
        assert!(same_module("app::db", &["self"]));
        assert!(same_module("app::db::pool", &["super", "pool"]));
        assert!(same_module(
            "app::db::pool",
            &["super", "super", "db", "pool"]
        ));
        assert!(!same_module("app::db::pool", &["super"]));
        assert!(!same_module("app::db::pool", &["super", "other"]));
        assert!(!same_module("app", &["super"]));
        assert!(!same_module("app::db", &["crate", "d"]));
        assert!(!same_module("app::db", &["crate", "dbx"]));
        assert!(!same_module("app::db", &["other", "db"]));
    }
}
