use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, crate = "not a path"; async { 1 });
}

fn main() {}
