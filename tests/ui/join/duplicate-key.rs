use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "join", limit = 3; async { 1 });
}

fn main() {}
