use bounded_async::join_bounded;

struct Args {
    jobs: u32,
}

async fn run(args: Args) {
    let _ = join_bounded!(limit = args.jobs; async { 1 });
}

fn main() {}
