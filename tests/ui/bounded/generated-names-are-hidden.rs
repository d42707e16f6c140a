use bounded_async::bounded;

#[bounded(limit = 4)]
async fn fetch() {
    drop(__bounded_limit_permit);
}

fn main() {}
