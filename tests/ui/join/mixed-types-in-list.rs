use bounded_async::join_bounded;

async fn parse(s: &str) -> Result<u8, std::num::ParseIntError> {
    s.parse()
}

async fn read() -> Result<String, std::io::Error> {
    Ok(String::new())
}

async fn count() -> u32 {
    1
}

async fn run() {
    let _ = join_bounded!(limit = 2, strategy = "all"; parse("1"), read(), parse("2"));
    let _ = join_bounded!(limit = 2, strategy = "any"; parse("1"), read());
    let _ = join_bounded!(limit = 2, strategy = "race"; count(), parse("1"));
    // Left open, the later futures' types are the first's.
    let _ = join_bounded!(limit = 2, strategy = "all"; parse("1"), async { Ok(true) });
    let _ = join_bounded!(limit = 2, strategy = "any"; parse("1"), async { Ok(7) });
}

fn main() {}
