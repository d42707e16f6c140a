use bounded_async::bounded;

// The function's semaphore and its limit are items of the expansion; the body cannot see them.
#[bounded(limit = 4)]
async fn fetch() -> usize {
    __BOUNDED_GATE.in_flight() + __BOUNDED_LIMIT
}

fn main() {}
