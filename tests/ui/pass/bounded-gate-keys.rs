//! The gate's keys on tricky signatures: `impl Trait` in the output, generics, methods,
//! `io::Result` under "settled", `#[async_trait]`, a constant `max`, and a rate with its burst on
//! a generic method.
use std::fmt::Display;

use async_trait::async_trait;
use bounded_async::{Rejected, SettledOf, bounded};

const MAX_CONNS: usize = 32;

#[bounded(limit = 4, queue = 8, wait = "250ms")]
async fn display(id: u64) -> Result<impl Display, Box<dyn std::error::Error + Send + Sync>> {
    Ok(id)
}

#[bounded(limit = 4, timeout = "1s", max = MAX_CONNS)]
async fn parse<T: std::str::FromStr>(text: &str) -> anyhow::Result<Option<T>> {
    Ok(text.parse().ok())
}

#[bounded(limit = 2, queue = 0, strategy = "settled")]
async fn read() -> std::io::Result<u8> {
    Ok(1)
}

#[derive(Debug)]
enum StoreError {
    Busy(Rejected),
}

impl From<Rejected> for StoreError {
    fn from(rejected: Rejected) -> Self {
        StoreError::Busy(rejected)
    }
}

struct Store;

impl Store {
    #[bounded(limit = 2, queue = 4, timeout = "2s")]
    async fn load(&self, id: u64) -> Result<u64, StoreError> {
        Ok(id)
    }
}

#[async_trait]
trait Cache {
    async fn get(&self, key: &str) -> Result<String, String>;
}

impl Store {
    #[bounded(limit = 4, rate = "3/250ms", burst = 2, wait = "1s", max = 16)]
    async fn paced<T: Into<u64> + Send>(&self, id: T) -> anyhow::Result<u64> {
        Ok(id.into())
    }
}

#[async_trait]
impl Cache for Store {
    #[bounded(limit = 8, queue = 16, wait = "1m30s")]
    async fn get(&self, key: &str) -> Result<String, String> {
        Ok(key.to_owned())
    }
}

fn main() {
    let _: SettledOf<std::io::Result<u8>> = futures::executor::block_on(read());
    futures::executor::block_on(async {
        assert_eq!(parse::<u8>("7").await.unwrap(), Some(7));
        assert_eq!(Store.load(3).await.unwrap(), 3);
        let _ = display(1);
        let _ = Store.get("k");
        let _ = Store.paced(1u8);
        let _ = StoreError::Busy;
    });
}
