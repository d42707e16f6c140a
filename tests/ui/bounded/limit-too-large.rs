use bounded_async::bounded;

#[bounded(limit = 18_446_744_073_709_551_615)]
async fn fetch() {}

fn main() {}
