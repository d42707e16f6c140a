//! Public items made by the macros. `.ci/run` renders these docs and checks that every
//! signature shows what a user can name: a pool's capacity as written, and a "settled"
//! function's output through the public [`SettledOf`](bounded_async::SettledOf) alias rather
//! than a hidden trait.

use bounded_async::{bounded, pool};

/// The capacity of [`CACHE`].
pub const MAX: usize = 8;

pool!(
    /// A pool with a literal capacity: rendered `Pool<16>`.
    pub DB = 16
);

pool!(
    /// A pool whose capacity is a constant: rendered `Pool<MAX>`.
    pub CACHE = MAX
);

pool!(
    /// A pool with keys: rendered `Pool<16, 64, true>`, its capacity, its `max`, and that it can
    /// turn calls away.
    pub API = 16, max = 64, queue = 128
);

pool!(
    /// A pool with a rate: rendered `Pool<20, 20, false, 20000000>`, its type declaring the
    /// rate's pace, one admission every 20 ms.
    pub PARTNER = 20, rate = "50/s"
);

/// A "settled" function returning `Result` as written: rendered `Outcome<u8, String>`.
#[bounded(limit = 4, strategy = "settled")]
pub async fn charge(cents: u8) -> Result<u8, String> {
    Ok(cents)
}

/// A "settled" function returning an alias of `Result` (`std::io::Result<u8>`): rendered
/// `SettledOf<Result<u8>>`, each name a link.
#[bounded(pool = DB, strategy = "settled")]
pub async fn read() -> std::io::Result<u8> {
    Ok(1)
}
