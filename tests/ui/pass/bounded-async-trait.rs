//! `#[bounded]` on the methods of an `#[async_trait]` impl, which async-trait has already turned
//! into plain `fn`s that return a boxed future.
use async_trait::async_trait;
use bounded_async::{bounded, pool};

pool!(DB = 4);

#[async_trait]
trait Store {
    async fn load(&self, id: u64) -> Result<u64, String>;
    async fn touch(&mut self);
}

struct Memory(u64);

#[async_trait]
impl Store for Memory {
    #[bounded(limit = 2, pool = DB)]
    async fn load(&self, id: u64) -> Result<u64, String> {
        if id == 0 {
            return Err("no id 0".to_owned());
        }
        let parsed: u64 = id.to_string().parse().map_err(|_| "unparsable".to_owned())?;
        Ok(parsed + self.0)
    }

    #[bounded(limit = 1)]
    async fn touch(&mut self) {
        self.0 += 1;
    }
}

fn main() {
    futures::executor::block_on(async {
        let mut store = Memory(10);
        store.touch().await;
        assert_eq!(store.load(1).await, Ok(12));
        assert!(store.load(0).await.is_err());
        let dynamic: Box<dyn Store + Send + Sync> = Box::new(store);
        assert_eq!(dynamic.load(2).await, Ok(13));
    });
}
