use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = settled; async { Ok::<u8, ()>(1) });
}

fn main() {}
