use bounded_async::bounded;

fn jobs() -> usize {
    4
}

#[bounded(limit = jobs())]
async fn fetch() {}

fn main() {}
