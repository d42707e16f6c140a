use bounded_async::stream_bounded;

fn main() {
    let _ = stream_bounded!(limit = 2; async { 1 }, async { 2 });
}
