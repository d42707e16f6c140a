use bounded_async::bounded;

#[bounded(limit = 4, strategy = "settled")]
async fn count() -> u32 {
    1
}

#[bounded(limit = 4, strategy = "settled")]
async fn nothing() {}

fn main() {}
