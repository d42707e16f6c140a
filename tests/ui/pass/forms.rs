//! The shapes of input: patterns in the iterator form, trailing commas, borrowed state, options
//! in any order, and the macro used inside another macro.
use bounded_async::{Errors, Outcome, Settled, join_bounded};

struct Client {
    base: String,
}

impl Client {
    async fn get(&self, path: &str) -> Result<String, String> {
        Ok(format!("{}{path}", self.base))
    }
}

macro_rules! fetch_all {
    ($client:expr, $paths:expr) => {
        join_bounded!(limit = 2, strategy = "all"; for path in $paths => $client.get(path))
    };
}

async fn run() {
    let client = Client { base: "http://localhost".to_owned() };
    let paths = vec!["/a", "/b"];

    let _: Vec<Result<String, String>> = join_bounded!(limit = 2; for p in &paths => client.get(p),);
    let _: Vec<u32> = join_bounded!(limit = 2; for (a, b) in [(1, 2), (3, 4)] => async move { a + b });
    let _: Result<Vec<String>, String> = fetch_all!(client, paths.iter().copied());
    let _: (u8, String) = join_bounded!(limit = 2; async { 1 }, async { String::new() },);
    let _: Settled<String, String> =
        join_bounded!(strategy = "settled", limit = 2; for p in &paths => client.get(p));
    let _: (Outcome<u8, ()>, Outcome<String, std::io::Error>) = join_bounded!(
        limit = 1,
        strategy = "settled";
        async { Ok(1) },
        async { Ok(String::new()) },
    );
    let _: Result<String, Errors<String>> =
        join_bounded!(limit = 2, strategy = "any"; client.get("/a"), client.get("/b"));
    let _: u8 = join_bounded!(limit = 2, strategy = "race"; async { 1 }, async { 2 });
    let _: Option<u8> = join_bounded!(limit = 2, strategy = "race"; for n in 0..3u8 => async move { n });
    let _: Result<(u8, String), ()> =
        join_bounded!(limit = 2, strategy = "all"; async { Ok(1) }, async { Ok(String::new()) });
}

fn main() {
    futures::executor::block_on(run());
}
