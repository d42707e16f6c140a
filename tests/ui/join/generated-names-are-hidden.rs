use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2; async { __bounded_limit });
}

fn main() {}
