use bounded_async::join_bounded;

async fn load() -> u8 {
    1
}

async fn run() {
    let _ = join_bounded!(limit = 2, load(), load());
}

fn main() {}
