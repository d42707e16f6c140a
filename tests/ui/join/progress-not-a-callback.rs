use bounded_async::join_bounded;

async fn run() {
    // A value, not a callback.
    let _ = join_bounded!(limit = 2, progress = 10; for n in 0..3 => async move { n });
    // A callback that takes the count rather than a `&Progress`.
    let _ = join_bounded!(limit = 2, progress = |done: usize| println!("{done}");
        for n in 0..3 => async move { n });
}

fn main() {}
