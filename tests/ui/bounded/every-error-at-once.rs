use bounded_async::bounded;

#[bounded(limit = 0, strategy = "setled", retries = 3)]
async fn fetch() -> Result<(), ()> {
    Ok(())
}

// The function is still emitted beside the errors, so callers compile.
async fn caller() -> Result<(), ()> {
    fetch().await
}

fn main() {}
