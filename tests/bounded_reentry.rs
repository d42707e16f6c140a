//! The debug-build guard: a task that holds a permit of a gate and asks the same gate again
//! panics at once, naming the gate, instead of deadlocking once the gate is full. Test builds
//! have `debug_assertions`, so the guard is on here.
#![cfg(debug_assertions)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use bounded_async::{bounded, join_bounded, pool};
use futures::executor::block_on;

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the nested call panics");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .unwrap_or_default(),
    }
}

/// Recursion through a path the macro cannot resolve: a method calling itself through its type.
struct Tree;

impl Tree {
    #[bounded(limit = 4)]
    async fn walk(depth: u32) -> u32 {
        if depth == 0 {
            0
        } else {
            Box::pin(Tree::walk(depth - 1)).await + 1
        }
    }
}

#[test]
fn direct_recursion_through_a_path_panics_naming_the_gate() {
    let message = panic_message(|| {
        block_on(Tree::walk(2));
    });
    assert!(
        message.contains("bounded_reentry::walk` asked for a permit of `bounded_reentry::walk`"),
        "{message}"
    );
    assert!(message.contains("deadlock"), "{message}");
    // The permit of the outer call was given back as the panic unwound.
    assert_eq!(block_on(Tree::walk(0)), 0);
}

pool!(DB = 2);

#[bounded(pool = DB)]
async fn load_items(order: u32) -> u32 {
    order * 10
}

#[bounded(pool = DB)]
async fn load_order(order: u32) -> u32 {
    Box::pin(load_items(order)).await + 1
}

#[test]
fn two_members_of_one_pool_nesting_panic_naming_the_pool() {
    let message = panic_message(|| {
        block_on(load_order(1));
    });
    assert!(
        message
            .contains("`bounded_reentry::load_items` asked for a permit of `bounded_reentry::DB`"),
        "{message}"
    );
    assert!(
        message.contains("taken by `bounded_reentry::load_order`"),
        "{message}"
    );
    assert_eq!((DB.in_flight(), DB.waiting()), (0, 0));
}

pool!(CACHE = 2);

#[bounded(pool = CACHE)]
async fn fetch_one(key: u32) -> u32 {
    key
}

#[bounded(pool = CACHE)]
async fn fetch_many(keys: u32) -> Vec<u32> {
    join_bounded!(limit = 8; for key in 0..keys => fetch_one(key))
}

#[test]
fn recursion_through_join_bounded_panics() {
    let message = panic_message(|| {
        block_on(fetch_many(8));
    });
    assert!(
        message.contains(
            "`bounded_reentry::fetch_one` asked for a permit of `bounded_reentry::CACHE`"
        ),
        "{message}"
    );
}

#[bounded(limit = 1)]
async fn outer() -> u32 {
    // Another gate nested inside, and a separate task: neither is this gate.
    let nested = inner().await;
    let spawned = std::thread::spawn(|| block_on(inner())).join().unwrap();
    nested + spawned
}

#[bounded(limit = 1)]
async fn inner() -> u32 {
    1
}

#[test]
fn other_gates_and_other_tasks_are_not_reentry() {
    assert_eq!(block_on(outer()), 2);
    // Calls one after another on the same thread hold nothing between them.
    assert_eq!(block_on(outer()), 2);
}
