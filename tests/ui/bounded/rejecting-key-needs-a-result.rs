//! A call that its gate can turn away must be able to say so: `Result<T, E>` with
//! `E: From<Rejected>`, or "settled".
use bounded_async::bounded;

#[bounded(limit = 4, queue = 16)]
async fn fetch() -> u32 {
    1
}

#[bounded(limit = 4, timeout = "2s")]
async fn read() -> std::io::Result<u32> {
    Ok(1)
}

#[derive(Debug)]
enum StoreError {
    Full,
}

#[bounded(limit = 4, wait = "250ms")]
async fn store() -> Result<(), StoreError> {
    Err(StoreError::Full)
}

fn main() {}
