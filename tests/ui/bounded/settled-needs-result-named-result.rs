use bounded_async::bounded;

/// Named `Result`, but not one.
enum Result<T, E> {
    Done(T),
    Failed(E),
}

#[bounded(limit = 4, strategy = "settled")]
async fn fetch() -> Result<u8, String> {
    Result::Done(1)
}

fn main() {}
