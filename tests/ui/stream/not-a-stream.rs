use bounded_async::stream_bounded;

fn main() {
    let _ = stream_bounded!(limit = 2; for await id in 0..3 => async move { id });
}
