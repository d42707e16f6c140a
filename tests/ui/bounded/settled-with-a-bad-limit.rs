//! One mistake in the attribute is one error: the function keeps the signature its strategy
//! implies, so its callers compile as they will once the mistake is fixed.
use bounded_async::bounded;

#[bounded(limit = 0, strategy = "settled")]
async fn fetch() -> Result<u8, String> {
    Ok(1)
}

#[bounded(limit = 4, strategy = "settled", retries = 3)]
async fn fetch_io() -> std::io::Result<u8> {
    Ok(1)
}

async fn callers() -> bool {
    fetch().await.is_panicked() || fetch_io().await.is_panicked()
}

fn main() {}
