use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limt = 2; async { 1 });
}

fn main() {}
