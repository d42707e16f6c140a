use bounded_async::bounded;

struct Worker;

impl Worker {
    const JOBS: usize = 4;

    #[bounded(limit = Self::JOBS)]
    async fn run(&self) {}
}

fn main() {}
