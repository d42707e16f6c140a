use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2.5; async { 1 });
    let _ = join_bounded!(limit = "8"; async { 1 });
    let _ = join_bounded!(limit = 8u32; async { 1 });
}

fn main() {}
