use bounded_async::join_bounded;

async fn fetch(id: u32) -> Result<u32, std::num::ParseIntError> {
    Ok(id)
}

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "all", timeout = "1s"; for id in 0..3 => fetch(id));
}

fn main() {}
