//! A fleet-wide pool's permits as leases on a Redis server (feature `redis`).
//!
//! Every state change is one Lua script, run atomically by Redis, and every time is Redis's own
//! (`TIME`), never a client's clock. Under the pool's key, in one `{hash tag}` so that Redis
//! Cluster runs the scripts:
//!
//! - `holders`: a sorted set of the calls holding a permit, scored by their lease's expiry.
//!   Expired holders are removed before each decision, so a process that died gives its permits
//!   back when their leases end.
//! - `waiters`: a sorted set of the calls waiting, scored by a ticket from the `ticket` counter,
//!   so that the whole fleet is served in arrival order: a waiter is admitted only while its rank
//!   is below the number of free permits.
//! - `seen`: when each waiter last asked. A waiter not seen for a lease (its process died while
//!   waiting) is removed, so it cannot hold the line.
//! - `lost:<process>`: a process's reports of leases lost, kept until the process has counted
//!   them, so that a renewal whose reply is lost has its reports sent again with the next.
//!
//! Every key outlives the leases in it: a renewal gives the keys two leases to live, and so does an
//! admission when they have less than one left (one `PTTL` per admission rather than four
//! `PEXPIRE`s); so a pool no longer used leaves nothing within two leases of its last use (a line
//! with holders is kept alive by their renewals). Waiters ask again after a jittered pause that
//! grows with their distance from the front of the line, and a permit given back by this process
//! wakes one of its waiters at once. A task of the pool, its keeper, renews every held lease a
//! third of a lease apart, and releases the lease of a call that ends or is dropped at once (a
//! `Drop` cannot wait for Redis). A lease that ran out before it was renewed (Redis stopped, or
//! restarted without its state) is reported lost, and taken back in if the pool has room, so that
//! its call is counted again while it runs.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::{Cmd, Pipeline, RedisFuture, Script, Value};
use tokio::sync::mpsc;

use crate::gate::Gate;

/// Removes expired holders and stale waiters, then admits `member` if a permit is free and no
/// one is ahead of it in line; otherwise puts it in line (once) and notes that it asked.
/// Returns -1 when `member` holds a permit, and otherwise how many waiters are between it and
/// the free permits (0 for the next to be admitted), which sets how soon it asks again.
/// Every key is given its expiry at once by the script that makes it, and then the keys share
/// one: an admission gives them two leases to live only when they have less than one left, and
/// a call that starts the line gives them two; so no key is ever left without an expiry.
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local holders, waiters, seen, ticket = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local capacity, lease, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', seen, '-inf', now - lease)) do
  redis.call('ZREM', waiters, gone)
  redis.call('ZREM', seen, gone)
end
local function expire()
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, 2 * lease) end
end
local function touch()
  if redis.call('PTTL', holders) < lease then expire() end
end
if redis.call('ZSCORE', holders, member) then
  return -1
end
local free = capacity - redis.call('ZCARD', holders)
local rank = redis.call('ZRANK', waiters, member)
local entered = false
if not rank then
  if free > 0 and redis.call('ZCARD', waiters) == 0 then
    redis.call('ZADD', holders, now + lease, member)
    touch()
    return -1
  end
  redis.call('ZADD', waiters, redis.call('INCR', ticket), member)
  rank = redis.call('ZCARD', waiters) - 1
  entered = true
end
if rank < free then
  redis.call('ZREM', waiters, member)
  redis.call('ZREM', seen, member)
  redis.call('ZADD', holders, now + lease, member)
  touch()
  return -1
end
redis.call('ZADD', seen, now, member)
-- A line that was empty: its keys (and the ticket, when it had expired with them) were made now.
if entered and rank == 0 then expire() end
return rank - math.max(free, 0)
",
    )
});

/// Gives `member`'s permit back, or its place in line. A permit given back is announced on the
/// pool's channel (`ARGV[2]`) with the name of the waiter it goes to, the last of those now
/// within the free permits (`ARGV[3]` is the capacity), whose process wakes it: one waiter per
/// permit, never every one.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local released = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if released == 1 then
  local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
  if free > 0 then
    local next = redis.call('ZRANGE', KEYS[2], free - 1, free - 1)
    if next[1] then
      redis.call('PUBLISH', ARGV[2], next[1])
    end
  end
end
return released
",
    )
});

/// Extends the leases of the members in `ARGV[4..]` by `ARGV[1]` ms from now. A member whose
/// lease ran out before this renewal (Redis was stopped, or restarted without its state) is
/// taken back in if the pool has room (`ARGV[2]` is the capacity), so that its call is counted
/// again while it runs, and is otherwise left out: a lease lost either way.
///
/// Each lease lost is reported in the process's own sorted set (`KEYS[5]`), numbered, as
/// `number:t:member` (taken back in) or `number:d:member` (left out), and stays there until the
/// process says it has counted every report up to `ARGV[3]`. Returns every report not yet
/// counted: a renewal whose reply is lost on the way (Redis ran it, the connection failed) has
/// its reports sent again with the next one, so each lease lost is counted once. A member left
/// out and not yet counted is not renewed again meanwhile (its process drops it on reading).
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease, capacity, counted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local holders, reports = KEYS[1], KEYS[5]
redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
redis.call('ZREMRANGEBYSCORE', reports, '-inf', counted)
local last, left_out = counted, {}
local pending = redis.call('ZRANGE', reports, 0, -1, 'WITHSCORES')
for i = 1, #pending, 2 do
  last = math.max(last, tonumber(pending[i + 1]))
  local kind, member = string.match(pending[i], '^%d+:(%a):(.*)$')
  if kind == 'd' then left_out[member] = true end
end
for i = 4, #ARGV do
  local member = ARGV[i]
  if not left_out[member] then
    local held = redis.call('ZSCORE', holders, member)
    if not held then
      local kind = 'd'
      if redis.call('ZCARD', holders) < capacity then
        kind, held = 't', true
      end
      last = last + 1
      redis.call('ZADD', reports, last, last .. ':' .. kind .. ':' .. member)
    end
    if held then
      redis.call('ZADD', holders, now + lease, member)
    end
  end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, 2 * lease) end
return redis.call('ZRANGE', reports, 0, -1)
",
    )
});

/// The keeper's account of the leases-lost reports it has read (see [`RENEW`]).
#[derive(Default)]
struct Reports {
    /// The number of the last report counted.
    counted: u64,
    /// Whether the last renewal got no reply (Redis out of reach, or the reply lost), so that
    /// reports may be waiting in Redis even with no lease left to renew.
    unanswered: bool,
}

/// The user's connection (any `ConnectionLike + Clone`), cloned for each use.
#[derive(Clone)]
struct Connection(Arc<dyn Fn() -> Erased + Send + Sync>);

/// One clone of the user's connection.
struct Erased(Box<dyn ConnectionLike + Send>);

impl ConnectionLike for Erased {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        self.0.req_packed_command(cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        self.0.req_packed_commands(cmd, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}

/// The keys of one pool.
struct Keys {
    holders: String,
    waiters: String,
    seen: String,
    ticket: String,
    /// This process's reports of leases lost, until it has counted them.
    reports: String,
}

/// A pool's connected Redis backend.
pub(crate) struct Leases {
    gate: &'static Gate,
    connection: Connection,
    keys: Keys,
    capacity: usize,
    lease: Duration,
    /// This process, in the members' names: its id and a random part, so that a restarted
    /// process with the same id is another holder.
    process: String,
    next: AtomicU64,
    /// The members holding a permit now, whose leases the keeper renews.
    held: Mutex<HashSet<String>>,
    /// To the keeper: the leases to give back, in turn, and the flushes to answer.
    releases: mpsc::UnboundedSender<Kept>,
    /// Notified when this process gives a permit back: one waiter, the longest parked, asks
    /// again at once.
    freed: tokio::sync::Notify,
    /// The channel on which releases name the waiter at the front of the line.
    channel: String,
    /// The client to subscribe to it with, when `connect` was given one.
    wakes: Option<redis::Client>,
    /// This process's waiters, by member name, for the subscriber to wake.
    waiting: Mutex<HashMap<String, Arc<tokio::sync::Notify>>>,
}

impl fmt::Debug for Leases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leases")
            .field("key", &self.keys.holders)
            .field("capacity", &self.capacity)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// Why `connect` failed.
#[derive(Debug)]
pub struct ConnectError {
    pool: &'static str,
    kind: ConnectErrorKind,
}

#[derive(Debug)]
enum ConnectErrorKind {
    Unreachable(redis::RedisError),
    NotDeclared,
    AlreadyConnected,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pool = self.pool;
        match &self.kind {
            ConnectErrorKind::Unreachable(error) => {
                write!(f, "{pool}: could not reach its Redis: {error}")
            }
            ConnectErrorKind::NotDeclared => write!(
                f,
                "{pool}: has no Redis backend to connect; declare it with `backend = \"redis\"`"
            ),
            ConnectErrorKind::AlreadyConnected => write!(f, "{pool}: is already connected"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ConnectErrorKind::Unreachable(error) => Some(error),
            _ => None,
        }
    }
}

impl ConnectError {
    pub(crate) fn not_declared(pool: &'static str) -> Self {
        ConnectError {
            pool,
            kind: ConnectErrorKind::NotDeclared,
        }
    }

    pub(crate) fn unreachable(pool: &'static str, error: redis::RedisError) -> Self {
        ConnectError {
            pool,
            kind: ConnectErrorKind::Unreachable(error),
        }
    }

    pub(crate) fn already_connected(pool: &'static str) -> Self {
        ConnectError {
            pool,
            kind: ConnectErrorKind::AlreadyConnected,
        }
    }
}

/// What the keeper of a pool's leases is sent.
pub(crate) enum Kept {
    /// Give this member's lease (or place in line) back.
    Release(String),
    /// Answer once the releases sent before are done.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// A permit of the backend, or a place in its line: released (or left) when dropped.
pub(crate) struct Lease {
    leases: &'static Leases,
    member: String,
    /// Whether Redis has not answered the latest attempt (for a call whose `wait` runs out).
    failing: Arc<AtomicBool>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let member = std::mem::take(&mut self.member);
        if self.leases.wakes.is_some() {
            lock(&self.leases.waiting).remove(&member);
        }
        lock(&self.leases.held).remove(&member);
        // The keeper runs as long as the pool; a send fails only once the runtime it ran
        // on is gone, when the lease ends on its own.
        let _ = self.leases.releases.send(Kept::Release(member));
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("member", &self.member)
            .finish_non_exhaustive()
    }
}

/// The attempt to take a lease: `Ok` with it, or `Err` when Redis could not be reached and the
/// call may not wait for it.
pub(crate) type Leasing = Pin<Box<dyn Future<Output = Result<Lease, ()>> + Send>>;

impl Leases {
    /// Connects `gate` (a pool of `capacity` permits named `gate.name()`) to the Redis behind
    /// `connection`: checks that it answers and loads the scripts. `start` then runs the pool's
    /// keeper of its leases, once the backend has its place in the gate.
    pub(crate) async fn connect<C>(
        gate: &'static Gate,
        capacity: usize,
        lease: Duration,
        connection: C,
        wakes: Option<redis::Client>,
    ) -> Result<(Box<Leases>, mpsc::UnboundedReceiver<Kept>), ConnectError>
    where
        C: ConnectionLike + Clone + Send + Sync + 'static,
    {
        let connection = Connection(Arc::new(move || Erased(Box::new(connection.clone()))));
        let unreachable = |error| ConnectError {
            pool: gate.name(),
            kind: ConnectErrorKind::Unreachable(error),
        };
        let mut conn = (connection.0)();
        redis::cmd("PING")
            .query_async::<()>(&mut conn)
            .await
            .map_err(unreachable)?;
        for script in [&*ACQUIRE, &*RELEASE, &*RENEW] {
            script
                .prepare_invoke()
                .load_async(&mut conn)
                .await
                .map_err(unreachable)?;
        }
        let prefix = format!("{{bounded-async:{}}}", gate.name());
        let process = format!("{}-{:016x}", std::process::id(), random());
        let (releases, released) = mpsc::unbounded_channel();
        let leases = Box::new(Leases {
            gate,
            connection,
            keys: Keys {
                holders: format!("{prefix}:holders"),
                waiters: format!("{prefix}:waiters"),
                seen: format!("{prefix}:seen"),
                ticket: format!("{prefix}:ticket"),
                reports: format!("{prefix}:lost:{process}"),
            },
            capacity,
            lease,
            process,
            next: AtomicU64::new(0),
            held: Mutex::new(HashSet::new()),
            releases,
            freed: tokio::sync::Notify::new(),
            channel: format!("{prefix}:freed"),
            wakes,
            waiting: Mutex::new(HashMap::new()),
        });
        Ok((leases, released))
    }

    /// Starts the keeper of a connected backend's leases (and its listener, with a client) on the
    /// current tokio runtime.
    pub(crate) fn start(&'static self, released: mpsc::UnboundedReceiver<Kept>) {
        tokio::spawn(self.keep(released));
        if let Some(client) = &self.wakes {
            tokio::spawn(self.listen(client.clone()));
        }
    }

    /// Wakes this process's waiter named on the pool's channel, for as long as the program runs;
    /// subscribes again after a lost connection (the waiters' own polls cover what it missed).
    async fn listen(&'static self, client: redis::Client) {
        use futures_util::StreamExt;
        loop {
            if let Ok(mut pubsub) = client.get_async_pubsub().await
                && pubsub.subscribe(&self.channel).await.is_ok()
            {
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    let Ok(member) = message.get_payload::<String>() else {
                        continue;
                    };
                    let waiting = lock(&self.waiting);
                    if let Some(waiter) = waiting.get(&member) {
                        waiter.notify_one();
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn lease_ms(&self) -> u64 {
        u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX)
    }

    /// How long a waiter pauses before it asks again, unless a release of this process wakes it
    /// first: 2 ms for the `capacity` waiters next in line, 2 ms more for each further
    /// `capacity`, at most 100 ms, jittered by ±50% so that the fleet's waiters do not ask in
    /// step. The waiters near the front ask often, so a permit given back by another process is
    /// taken soon; those far behind ask seldom, so a long line costs Redis little.
    fn pause(&self, behind: u64) -> Duration {
        let rounds = behind / self.capacity as u64 + 1;
        // With wake-ups through the channel, polling only covers what they miss (a lease that
        // ran out, a message lost while reconnecting).
        let (step, most) = match self.wakes {
            Some(_) => (Duration::from_millis(25), Duration::from_millis(250)),
            None => (Duration::from_millis(2), Duration::from_millis(100)),
        };
        let base = step
            .saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX))
            .min(most);
        base / 2 + base.mul_f64((random() % 1000) as f64 / 1000.0)
    }

    /// Takes a lease, waiting in the fleet's line as long as it takes. When Redis cannot be
    /// reached, it gives up at once unless `retry` (the call has a `wait`, which bounds it).
    pub(crate) fn acquire(&'static self, retry: bool) -> (Leasing, Arc<AtomicBool>) {
        let failing = Arc::new(AtomicBool::new(false));
        let lease = Lease {
            leases: self,
            member: format!(
                "{}:{}",
                self.process,
                self.next.fetch_add(1, Ordering::Relaxed)
            ),
            failing: Arc::clone(&failing),
        };
        (Box::pin(lease.take(retry)), failing)
    }

    /// Keeps the pool's leases, for as long as the program runs: renews every held lease a
    /// third of a lease apart, and gives back each lease dropped, in turn. One task does both,
    /// so that a renewal never reaches Redis after the release of a lease it names (which it
    /// would take back in as lost): a lease dropped after the renewal's list was made is released
    /// after the renewal. Renewals come first when both are due, so that a steady stream of
    /// releases cannot hold them back past a lease.
    async fn keep(&'static self, mut released: mpsc::UnboundedReceiver<Kept>) {
        let mut conn = (self.connection.0)();
        let mut reports = Reports::default();
        let period = self.lease / 3;
        let mut renewal = tokio::time::Instant::now() + period;
        loop {
            if tokio::time::Instant::now() >= renewal {
                self.renew(&mut conn, &mut reports).await;
                if reports.unanswered {
                    // Tried again at the next period; a lease that runs out meanwhile is
                    // counted then. A new connection may be needed (a `ConnectionManager`
                    // reconnects itself).
                    conn = (self.connection.0)();
                }
                renewal = tokio::time::Instant::now() + period;
                continue;
            }
            match tokio::time::timeout_at(renewal, released.recv()).await {
                Ok(Some(Kept::Release(member))) => self.release(&mut conn, &member).await,
                // Every release sent before it is done.
                Ok(Some(Kept::Flush(done))) => {
                    let _ = done.send(());
                }
                // The sender is the pool's own, which lives as long as the program.
                Ok(None) => return,
                Err(_) => {}
            }
        }
    }

    /// Waits until the keeper has given back every lease dropped before this call.
    pub(crate) async fn flush(&self) {
        let (done, flushed) = tokio::sync::oneshot::channel();
        if self.releases.send(Kept::Flush(done)).is_ok() {
            // An error: the keeper is gone with its runtime, and nothing more will be released.
            let _ = flushed.await;
        }
    }

    /// Renews the leases held now; counts those that ran out before this renewal, and those of
    /// an earlier renewal whose reply was lost. Notes in `reports` whether Redis answered.
    async fn renew(&self, conn: &mut Erased, reports: &mut Reports) {
        let members: Vec<String> = lock(&self.held).iter().cloned().collect();
        if members.is_empty() && !reports.unanswered {
            return;
        }
        let mut renew = RENEW.key(&self.keys.holders);
        renew
            .key(&self.keys.waiters)
            .key(&self.keys.seen)
            .key(&self.keys.ticket)
            .key(&self.keys.reports)
            .arg(self.lease_ms())
            .arg(self.capacity)
            .arg(reports.counted);
        for member in &members {
            renew.arg(member);
        }
        let Ok(pending) = renew.invoke_async::<Vec<String>>(conn).await else {
            reports.unanswered = true;
            return;
        };
        reports.unanswered = false;
        let (mut taken_again, mut left_out) = (0, 0);
        for report in &pending {
            let mut fields = report.splitn(3, ':');
            let (Some(number), Some(kind), Some(member)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            if number <= reports.counted {
                continue;
            }
            reports.counted = number;
            if kind == "t" {
                taken_again += 1;
            } else {
                // A call left out runs uncounted: it no longer has a lease to renew.
                lock(&self.held).remove(member);
                left_out += 1;
            }
        }
        self.gate.leases_lost(taken_again, left_out);
    }

    /// Gives `member`'s permit (or its place in line) back. A permit given back wakes this
    /// process's waiters, which ask again at once. A release that fails leaves the lease to
    /// expire on its own.
    async fn release(&self, conn: &mut Erased, member: &str) {
        let result = RELEASE
            .key(&self.keys.holders)
            .key(&self.keys.waiters)
            .key(&self.keys.seen)
            .arg(member)
            .arg(&self.channel)
            .arg(self.capacity)
            .invoke_async::<i64>(conn)
            .await;
        if let Ok(1) = result {
            self.freed.notify_one();
        }
    }
}

impl Lease {
    async fn take(self, retry: bool) -> Result<Lease, ()> {
        let leases = self.leases;
        let mut conn = (leases.connection.0)();
        // Woken by name when a release of any process puts it at the front of the line.
        let named = Arc::new(tokio::sync::Notify::new());
        if leases.wakes.is_some() {
            lock(&leases.waiting).insert(self.member.clone(), Arc::clone(&named));
        }
        loop {
            // Armed before asking, so that a release between the answer and the pause wakes it.
            let mut freed = std::pin::pin!(leases.freed.notified());
            freed.as_mut().enable();
            let mut woken = std::pin::pin!(named.notified());
            woken.as_mut().enable();
            // Failing until Redis answers: a wait that runs out during a round trip that never
            // came back is the backend's doing.
            self.failing.store(true, Ordering::Relaxed);
            let answer = ACQUIRE
                .key(&leases.keys.holders)
                .key(&leases.keys.waiters)
                .key(&leases.keys.seen)
                .key(&leases.keys.ticket)
                .arg(leases.capacity)
                .arg(leases.lease_ms())
                .arg(&self.member)
                .invoke_async::<i64>(&mut conn)
                .await;
            let mut behind = 0;
            match answer {
                Ok(-1) => {
                    self.failing.store(false, Ordering::Relaxed);
                    if leases.wakes.is_some() {
                        lock(&leases.waiting).remove(&self.member);
                    }
                    lock(&leases.held).insert(self.member.clone());
                    return Ok(self);
                }
                Ok(waiting) => {
                    self.failing.store(false, Ordering::Relaxed);
                    behind = u64::try_from(waiting).unwrap_or(0);
                }
                Err(_) => {
                    if !retry {
                        return Err(());
                    }
                    // A new connection may be needed (a `ConnectionManager` reconnects itself).
                    conn = (leases.connection.0)();
                }
            }
            let pause = std::pin::pin!(tokio::time::sleep(leases.pause(behind)));
            let wake = futures_util::future::select(freed, woken);
            futures_util::future::select(wake, pause).await;
        }
    }
}

/// `mutex`, locked; a panic of another holder (which never leaves these sets half-changed)
/// does not stop the pool.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A random number, from the standard library's randomly seeded hasher.
fn random() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
