use bounded_async::join_bounded;

async fn parse(s: &str) -> Result<u8, std::num::ParseIntError> {
    s.parse()
}

async fn run() -> Result<u8, std::num::ParseIntError> {
    let _ = join_bounded!(limit = 2; for x in 0..3u8 => {
        if x == 1 {
            return std::future::ready(99);
        }
        std::future::ready(x)
    });
    let _ = join_bounded!(limit = 2; for s in ["1", "2"] => std::future::ready(s.parse::<u8>()?));
    // Inside an `async` block or a closure, `return` and `?` are the block's own: no error.
    let _ = join_bounded!(limit = 2, strategy = "all"; for s in ["1"] => async move {
        let n: u8 = s.parse()?;
        if n == 0 {
            return Ok(0);
        }
        parse(s).await
    });
    let _ = join_bounded!(limit = 2; for s in ["1"] => (|| parse(s))());
    Ok(1)
}

fn main() {}
