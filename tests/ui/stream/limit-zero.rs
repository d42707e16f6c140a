use bounded_async::stream_bounded;

fn main() {
    let _ = stream_bounded!(limit = 0; for id in 0..3 => async move { id });
    let _ = stream_bounded!(order = "input"; for id in 0..3 => async move { id });
}
