use bounded_async::stream_bounded;

fn main() {
    let _ = stream_bounded!(limit = 2, strategy = "settled"; for id in 0..3 => async move { Ok::<_, ()>(id) });
}
