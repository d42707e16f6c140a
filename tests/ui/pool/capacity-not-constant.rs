fn capacity() -> usize {
    4
}

bounded_async::pool!(pub DB = capacity());

fn main() {}
