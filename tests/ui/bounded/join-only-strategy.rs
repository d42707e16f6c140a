use bounded_async::bounded;

#[bounded(limit = 4, strategy = "any")]
async fn fetch() -> Result<(), ()> {
    Ok(())
}

#[bounded(limit = 4, strategy = "race")]
async fn store() {}

fn main() {}
