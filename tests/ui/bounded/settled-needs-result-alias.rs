use bounded_async::bounded;

/// Not a `Result`, though its name does not say so.
type Response = Vec<u8>;

#[bounded(limit = 4, strategy = "settled")]
async fn fetch() -> Response {
    Vec::new()
}

fn main() {}
