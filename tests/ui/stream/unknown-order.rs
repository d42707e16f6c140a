use bounded_async::stream_bounded;

fn main() {
    let _ = stream_bounded!(limit = 2, order = "completed"; for id in 0..3 => async move { id });
    let _ = stream_bounded!(limit = 2, order = completion; for id in 0..3 => async move { id });
}
