use bounded_async::join_bounded;
use std::num::NonZeroUsize;
const MAX: usize = 3;
const NZ: NonZeroUsize = NonZeroUsize::new(2).unwrap();
async fn a() -> u32 {
    1
}
async fn b() -> String {
    "b".into()
}
async fn r(i: u32) -> Result<u32, String> {
    if i == 3 {
        Err(format!("bad {i}"))
    } else {
        Ok(i)
    }
}
fn main() {
    futures::executor::block_on(async {
        let (x, y, z) = join_bounded!(limit = 2; a(), b(), a());
        println!("{x} {y} {z}");
        let (x,) = join_bounded!(limit = MAX; a());
        println!("{x}");
        let v: Vec<u32> = join_bounded!(limit = NZ; for i in 0..10 => async move { i * 2 });
        println!("{v:?}");
        let n = 4usize;
        let all = join_bounded!(limit = n, strategy = "all"; for i in 0..5 => r(i));
        println!("{all:?}");
        let all =
            join_bounded!(limit = 2 * MAX, strategy = "all"; r(1), async { Ok::<_, String>("x") });
        println!("{all:?}");
        let s = join_bounded!(limit = 2, strategy = "settled"; for i in 0..5 => r(i));
        println!("{s} {s:?}");
        let s = join_bounded!(limit = 2, strategy = "settled"; r(1), async { Err::<(), _>(5u8) }, async { if true { panic!("boom") } Ok::<u8, ()>(1) });
        println!("{s:?}");
        let any = join_bounded!(limit = 2, strategy = "any"; for i in [3, 3, 1] => r(i));
        println!("{any:?}");
        let race = join_bounded!(limit = 2, strategy = "race"; a(), async { 5 });
        println!("{race:?}");
    });
}
