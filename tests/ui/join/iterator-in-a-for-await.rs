use bounded_async::join_bounded;

async fn run() {
    let ids = vec![1, 2, 3];
    let _ = join_bounded!(limit = 2; for await id in ids => async move { id });
}

fn main() {}
