use bounded_async::join_bounded;

async fn run() {
    let (_sender, receiver) = tokio::sync::mpsc::channel::<u32>(8);
    let _ = join_bounded!(limit = 2; for await id in receiver => async move { id });
}

async fn run_plain() {
    let (_sender, receiver) = tokio::sync::mpsc::channel::<u32>(8);
    let _ = join_bounded!(limit = 2; for id in receiver => async move { id });
}

fn main() {}
