use bounded_async::bounded;

unsafe extern "C" {
    #[bounded(limit = 2)]
    fn abs(input: i32) -> i32;
}

fn main() {}
