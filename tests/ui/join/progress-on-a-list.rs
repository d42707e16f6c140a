use bounded_async::join_bounded;

async fn run() {
    let _ = join_bounded!(limit = 2, progress = |p| println!("{p}"); async { 1 }, async { 2 });
}

fn main() {}
