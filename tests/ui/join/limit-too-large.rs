use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 100_000_000_000_000_000_000; async { 1 });
}

fn main() {}
