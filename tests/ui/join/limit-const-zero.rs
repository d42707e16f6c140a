use bounded_async::join_bounded;

const WORKERS: usize = 4;

async fn run() {
    let _ = join_bounded!(limit = WORKERS - 4; async { 1 });
}

fn main() {}
