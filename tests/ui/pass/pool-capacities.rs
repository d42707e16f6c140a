//! Every kind of capacity: a literal, constants named bare or by a path, constant expressions
//! and `const fn` calls, and a pool built by hand.
use bounded_async::Pool;

const MAX: usize = 8;

mod config {
    pub const MAX_CONNS: usize = 16;
}

const fn doubled(n: usize) -> usize {
    n * 2
}

bounded_async::pool!(pub LITERAL = 4);
bounded_async::pool!(BARE = MAX);
bounded_async::pool!(PATH = config::MAX_CONNS);
bounded_async::pool!(EXPRESSION = (MAX / 2 + 1));
bounded_async::pool!(CALL = doubled(MAX));
static BY_HAND: Pool<3> = Pool::new();

fn main() {
    let _: &Pool<4> = &LITERAL;
    let _: &Pool<8> = &BARE;
    let _: &Pool<16> = &PATH;
    let _: &Pool<5> = &EXPRESSION;
    let _: &Pool<16> = &CALL;
    assert_eq!(BY_HAND.capacity(), 3);
    assert_eq!(Pool::<2>::default().capacity(), 2);
}
