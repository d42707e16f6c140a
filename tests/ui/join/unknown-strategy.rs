use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "setled"; async { Ok::<u8, ()>(1) });
    let _ = join_bounded!(limit = 2, strategy = "allSettled"; async { Ok::<u8, ()>(1) });
}

fn main() {}
