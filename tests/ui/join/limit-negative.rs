use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = -4; async { 1 });
}

fn main() {}
