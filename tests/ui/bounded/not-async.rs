use bounded_async::bounded;

#[bounded(limit = 4)]
fn fetch() -> u32 {
    1
}

fn main() {}
