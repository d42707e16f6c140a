use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(strategy = "all"; async { Ok::<u8, ()>(1) });
}

fn main() {}
