use bounded_async::join_bounded;

async fn run() {
    let () = join_bounded!(limit = 2;);
}

fn main() {}
