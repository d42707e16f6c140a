mod config {
    pub const WORKERS: usize = 4;
}

async fn run() {
    let _ = bounded_async::join_bounded!(limit = config::WORKERS - 4; async { 1 });
}

fn main() {}
