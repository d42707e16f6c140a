use bounded_async::bounded;

trait Store {
    #[bounded(limit = 4)]
    async fn load(&self) -> u32;
}

fn main() {}
