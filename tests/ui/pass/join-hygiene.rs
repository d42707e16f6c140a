//! Items of the user's named after every name `join_bounded!` generates change nothing: every
//! form and strategy compiles and means what it says, and the user's names keep their meaning.
#![allow(dead_code, non_upper_case_globals, non_camel_case_types)]

use bounded_async::Outcome;

// Statics cannot be shadowed by a `let`, consts and unit structs would turn it into a pattern.
static __bounded_limit: u8 = 1;
static args: u8 = 2;
const slots: u8 = 3;
struct cx;
const items: u8 = 4;
struct item;
static output: u8 = 5;
const __bounded_output: u8 = 6;
struct __bounded_value;
const __BOUNDED_LIMIT: u8 = 7;
struct Item;
struct Slot;
struct Keep;
const join_bounded: u8 = 8;
struct E;
struct O;
struct F0;
struct V0;
// The names a constant limit's evaluation uses, as the limit itself and inside the futures.
const __bounded_async: usize = 2;

async fn run() {
    let (seven,) = bounded_async::join_bounded!(limit = __bounded_async; async { __BOUNDED_LIMIT });
    assert_eq!(seven, 7);
    let sums = bounded_async::join_bounded!(limit = __bounded_async * 2;
        for x in 0..2_u8 => async move { x + __BOUNDED_LIMIT });
    assert_eq!(sums, [7, 8]);
    let _: (u8, u8, u8) =
        bounded_async::join_bounded!(limit = 2; async { args }, async { slots }, async { items });
    let _: Result<(u8, u8), ()> = bounded_async::join_bounded!(limit = 2, strategy = "all"; async { Ok(output) }, async { Ok(__bounded_output) });
    let _: (Outcome<u8, ()>, Outcome<u8, ()>) = bounded_async::join_bounded!(limit = 2, strategy = "settled"; async { Ok(__bounded_limit) }, async { Ok(join_bounded) });
    let _: Result<u8, bounded_async::Errors<()>> = bounded_async::join_bounded!(limit = 2, strategy = "any"; async { Ok(__BOUNDED_LIMIT) }, async { Ok(args) });
    let _: u8 = bounded_async::join_bounded!(limit = 2, strategy = "race"; async { slots }, async { items });
    let _: Vec<u8> =
        bounded_async::join_bounded!(limit = 2; for n in 0..2u8 => async move { n + args });
    let _: Result<Vec<u8>, ()> = bounded_async::join_bounded!(limit = 2, strategy = "all"; for n in 0..2u8 => async move { Ok(n + slots) });
    let _: bounded_async::Settled<u8, ()> = bounded_async::join_bounded!(limit = 2, strategy = "settled"; for n in 0..2u8 => async move { Ok(n) });
    let _: Result<u8, bounded_async::Errors<()>> = bounded_async::join_bounded!(limit = 2, strategy = "any"; for n in 0..2u8 => async move { Ok(n) });
    let _: Option<u8> = bounded_async::join_bounded!(limit = 2, strategy = "race"; for n in 0..2u8 => async move { n });
    let _: (cx, item, __bounded_value, Item, Slot, Keep, E, O, F0, V0) = bounded_async::join_bounded!(limit = 2;
        async { cx }, async { item }, async { __bounded_value }, async { Item }, async { Slot },
        async { Keep }, async { E }, async { O }, async { F0 }, async { V0 });
}

fn main() {
    futures::executor::block_on(run());
}
