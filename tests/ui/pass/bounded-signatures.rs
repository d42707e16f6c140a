//! Signatures that `#[bounded]` must keep as written.
use std::fmt::Display;
use std::io;
use std::sync::Arc;

use bounded_async::{Outcome, bounded, pool};

const MAX_CONNS: usize = 8;

pool!(
    /// The database's connections.
    pub(crate) DB = MAX_CONNS * 2
);

/// Doc comments and other attributes stay.
#[must_use]
#[bounded(limit = MAX_CONNS / 2)]
pub async fn free(id: u64) -> u64 {
    id
}

#[bounded(limit = 2, strategy = "settled")]
async fn alias_of_result(path: &str) -> io::Result<String> {
    Ok(path.to_owned())
}

#[bounded(pool = DB, limit = 4, strategy = "settled")]
async fn early_return(n: u8) -> Result<u8, String> {
    if n == 0 {
        return Err("zero".to_owned());
    }
    let doubled = n.checked_mul(2).ok_or("overflow")?;
    Ok(doubled)
}

#[bounded(limit = 2)]
async fn generic<T, U>(value: T, shown: impl Display) -> String
where
    T: Into<U>,
    U: Display,
{
    format!("{} {shown}", value.into())
}

#[bounded(limit = 2)]
async fn borrowed<'a, 'b: 'a>(first: &'a str, _second: &'b str) -> &'a str {
    first
}

#[bounded(limit = 2)]
async fn inner_attributes() -> u8 {
    #![allow(unused_variables)]
    let unused = 1;
    2
}

#[bounded(limit = 2, strategy = "settled")]
async fn inner_attributes_settled() -> Result<u8, ()> {
    #![allow(unused_variables)]
    let unused = 1;
    Ok(2)
}

#[bounded(limit = 2)]
async fn patterns((a, b): (u8, u8), mut total: u16, _: ()) -> u16 {
    total += u16::from(a) + u16::from(b);
    total
}

struct Client {
    hits: u32,
}

impl Client {
    #[bounded(limit = 1)]
    async fn by_ref(&self) -> u32 {
        self.hits
    }

    #[bounded(limit = 1)]
    async fn by_mut(&mut self) {
        self.hits += 1;
    }

    #[bounded(limit = 1)]
    async fn by_value(self) -> u32 {
        self.hits
    }

    #[bounded(limit = 1)]
    async fn by_arc(self: Arc<Self>) -> u32 {
        self.hits
    }
}

trait Store {
    #[bounded(limit = 3)]
    async fn load(&self, key: &str) -> usize {
        key.len()
    }

    async fn save(&self, key: &str) -> bool;
}

impl Store for Client {
    #[bounded(pool = DB)]
    async fn save(&self, key: &str) -> bool {
        !key.is_empty()
    }
}

fn main() {
    futures::executor::block_on(async {
        let _ = free(1).await;
        let _: Outcome<String, io::Error> = alias_of_result("/").await;
        let _: Outcome<u8, String> = early_return(3).await;
        let _ = generic::<u8, u32>(1, "x").await;
        let _ = borrowed("a", "b").await;
        let _ = patterns((1, 2), 0, ()).await;
        let _ = inner_attributes().await;
        let _ = inner_attributes_settled().await;
        let mut client = Client { hits: 0 };
        client.by_mut().await;
        let _ = client.by_ref().await;
        let _ = client.load("k").await;
        let _ = client.save("k").await;
        let _ = Arc::new(Client { hits: 1 }).by_arc().await;
        let _ = client.by_value().await;
    });
}
