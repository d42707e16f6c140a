//! Options that do not parse are reported one by one, and the others are still read: here the
//! strategy, so that the callers of a "settled" function see its `Outcome`.
use bounded_async::bounded;

#[bounded(limit, strategy = "settled", pool = )]
async fn fetch() -> Result<u8, String> {
    Ok(1)
}

async fn caller() -> bool {
    fetch().await.is_panicked()
}

fn main() {}
