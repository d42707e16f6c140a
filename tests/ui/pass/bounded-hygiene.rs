//! No item of the user's, named after anything the expansion uses, changes what it means, and
//! the expansion changes the meaning of no name of the user's.
#![allow(non_upper_case_globals, non_camel_case_types, dead_code, clippy::all)]

use bounded_async::{bounded, pool};

const permit: u8 = 7;
const __bounded_permits: u8 = 1;
const __bounded_gates: u8 = 2;
static __bounded_limit_gate: u8 = 3;
static __bounded_limit_permit: u8 = 4;
struct __bounded_pool_gate;
struct __bounded_pool_permit;
const __BOUNDED_GATE: usize = 2;
const __BOUNDED_LIMIT: usize = 3;
struct Some;
struct None;
const __bounded_async: usize = 5;

pool!(DB = __bounded_async);

#[bounded(limit = 2)]
async fn reads_permit() -> u8 {
    permit + __bounded_permits + __bounded_gates + __bounded_limit_gate + __bounded_limit_permit
}

// The limit may name constants called like the expansion's own items.
#[bounded(limit = __BOUNDED_GATE)]
async fn limit_named_like_the_gate() -> usize {
    __BOUNDED_GATE
}

#[bounded(limit = __BOUNDED_LIMIT, pool = DB)]
async fn limit_named_like_the_value() -> usize {
    let _ = (__bounded_pool_gate, __bounded_pool_permit, Some, None);
    __BOUNDED_LIMIT
}

// `max` and `queue` may name them too, and the body sees the user's.
const __BOUNDED_MAX: usize = 8;
const Rejectable: u8 = 9;
#[bounded(limit = __BOUNDED_LIMIT, max = __BOUNDED_MAX, queue = __BOUNDED_GATE, timeout = "1s")]
async fn keys_named_like_the_items() -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    Ok(__BOUNDED_MAX + __BOUNDED_LIMIT + Rejectable as usize)
}

#[bounded(pool = DB, strategy = "settled")]
async fn settled_reads_them() -> Result<usize, ()> {
    Ok(__BOUNDED_GATE + __BOUNDED_LIMIT)
}

fn main() {
    futures::executor::block_on(async {
        assert_eq!(reads_permit().await, 17);
        assert_eq!(limit_named_like_the_gate().await, 2);
        assert_eq!(limit_named_like_the_value().await, 3);
        assert_eq!(settled_reads_them().await.ok(), Option::Some(5));
        assert_eq!(keys_named_like_the_items().await.unwrap(), 20);
    });
}
