use bounded_async::bounded;

struct Crawler<const CAPACITY: usize>;

impl<const CAPACITY: usize> Crawler<CAPACITY> {
    #[bounded(limit = CAPACITY)]
    async fn crawl(&self) {}
}

fn main() {}
