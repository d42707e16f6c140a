use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 0, strategy = "first", timeout = 5; async { 1 });
}

fn main() {}
