use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, timeout = "0s"; for id in 0..3 => async move { id });
    let _ = join_bounded!(limit = 2, timeout = 5; for id in 0..3 => async move { id });
    let _ = join_bounded!(limit = 2, timeout = "5 sec"; for id in 0..3 => async move { id });
}

fn main() {}
