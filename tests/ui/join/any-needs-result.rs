use bounded_async::join_bounded;

async fn count(n: u32) -> u32 {
    n
}

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "any"; for n in 0..4 => count(n));
}

fn main() {}
