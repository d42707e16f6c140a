use bounded_async::join_bounded;

async fn count(n: u32) -> u32 {
    n
}

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "settled"; for n in 0..4 => count(n));
    let _ = join_bounded!(limit = 2, strategy = "settled"; count(1), count(2));
}

fn main() {}
