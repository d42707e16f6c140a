//! The join's poll budget and fairness among its own futures: a woken future is not left waiting
//! behind others that keep waking, or behind a slot that keeps finishing ready items.

mod common;

use std::cell::Cell;

use bounded_async::join_bounded;
use common::{drive, yield_now};

/// More futures than one poll of the join may poll (its budget is 128), each waking itself
/// again and again: every future gets its turn, so none finishes before every other has run
/// at least half-way.
#[test]
fn futures_beyond_the_poll_budget_take_turns_with_those_before_them() {
    // Fewer rounds under Miri.
    const FUTURES: usize = 300;
    const YIELDS: u32 = if cfg!(miri) { 6 } else { 20 };
    let polls: Vec<Cell<u32>> = (0..FUTURES).map(|_| Cell::new(0)).collect();
    let least_polled_at_a_finish = Cell::new(u32::MAX);

    let polls = &polls;
    let least = &least_polled_at_a_finish;
    let futures = (0..FUTURES).map(|i| async move {
        for _ in 0..YIELDS {
            polls[i].set(polls[i].get() + 1);
            yield_now().await;
        }
        polls[i].set(polls[i].get() + 1);
        let fewest = polls.iter().map(Cell::get).min().unwrap();
        least.set(least.get().min(fewest));
    });
    drive(join_bounded(FUTURES, futures).join());

    // Taking turns, every future finishes in the last few rounds (the join starts them over its
    // first few polls, so some are a round or two behind); serving the lowest slots first would
    // finish the first 128 before the others had been polled twice.
    assert!(
        least.get() >= YIELDS / 2,
        "a future finished while another had been polled only {} times",
        least.get()
    );
}

/// A slot whose input keeps giving ready futures does not hold back the future in another slot
/// until the input runs out.
#[test]
fn a_slot_finishing_ready_items_does_not_hold_back_another() {
    // Fewer under Miri, still many budgets' worth.
    const ITEMS: usize = if cfg!(miri) { 1_000 } else { 20_000 };
    let finished = Cell::new(0_usize);
    let longest_wait = Cell::new(0_usize);

    let finished = &finished;
    let longest = &longest_wait;
    // Every future is ready at its first poll: how long it waits is how many others finish
    // between its creation (when its slot is refilled) and that poll.
    let futures = (0..ITEMS).map(|_| {
        let created = finished.get();
        async move {
            longest.set(longest.get().max(finished.get() - created));
            finished.set(finished.get() + 1);
        }
    });
    drive(join_bounded(2, futures).join());

    // Each poll of the join polls at most 128 futures, and the next poll starts after the slot
    // that spent the budget, so a waiting future is polled within two polls. Lowest slot first,
    // the second slot would wait for the whole input.
    assert!(
        longest_wait.get() <= 2 * 128,
        "a future waited while {} others finished",
        longest_wait.get()
    );
}
