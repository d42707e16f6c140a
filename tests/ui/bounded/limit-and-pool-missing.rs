use bounded_async::bounded;

#[bounded(strategy = "settled")]
async fn fetch() -> Result<(), ()> {
    Ok(())
}

fn main() {}
