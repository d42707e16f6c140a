//! A "settled" function declared to return a `Result` under another name returns
//! `SettledOf<R>`, a public name for its `Outcome`.
use bounded_async::{Outcome, SettledOf, bounded};

mod api {
    pub type Result<T> = std::result::Result<T, String>;
}

#[bounded(limit = 2, strategy = "settled")]
async fn read() -> std::io::Result<u8> {
    Ok(1)
}

#[bounded(limit = 2, strategy = "settled")]
async fn call() -> api::Result<u8> {
    Err(String::from("down"))
}

fn main() {
    futures::executor::block_on(async {
        let read: SettledOf<std::io::Result<u8>> = read().await;
        assert!(matches!(read, Outcome::Ok(1)));
        let call: Outcome<u8, String> = call().await;
        assert_eq!(call, Outcome::Err(String::from("down")));
    });
}
