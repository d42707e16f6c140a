use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, order = "completion"; for id in 0..3 => async move { id });
}

fn main() {}
