use bounded_async::bounded;

#[bounded(limit = 4, strategy = "setled")]
async fn fetch() -> Result<(), ()> {
    Ok(())
}

fn main() {}
