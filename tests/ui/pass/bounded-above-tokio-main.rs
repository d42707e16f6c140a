//! `#[bounded]` above `#[tokio::main]`: the order the error for the other order asks for.
use bounded_async::bounded;

#[bounded(limit = 1)]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    tokio::task::yield_now().await;
}
