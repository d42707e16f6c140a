use bounded_async::bounded;

#[tokio::main(flavor = "current_thread")]
#[bounded(limit = 1)]
async fn main() {}
