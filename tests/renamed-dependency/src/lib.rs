//! This crate knows bounded-async only as `concurrency`, as a user who renamed the dependency
//! would, so `::bounded_async` does not resolve here and the macros must follow `crate = "..."`
//! (the attribute) or `$crate` (the function-like macros).

#[cfg(test)]
mod tests {
    use concurrency::{Outcome, bounded, join_bounded, pool};

    pool!(DB = 2);

    #[bounded(limit = 2, crate = "::concurrency")]
    async fn fetch(id: u8) -> u8 {
        id
    }

    #[bounded(pool = DB, limit = 1, strategy = "settled", crate = "::concurrency")]
    async fn charge(cents: u8) -> Result<u8, String> {
        if cents == 0 {
            Err("nothing to charge".to_owned())
        } else {
            Ok(cents)
        }
    }

    #[test]
    fn the_attribute_follows_crate() {
        futures::executor::block_on(async {
            assert_eq!(fetch(3).await, 3);
            assert!(matches!(charge(5).await, Outcome::Ok(5)));
            assert!(charge(0).await.is_err());
            assert_eq!(DB.in_flight(), 0);
        });
    }

    #[test]
    fn the_join_follows_dollar_crate_and_crate() {
        futures::executor::block_on(async {
            let plain = join_bounded!(limit = 2; for id in 0..3 => fetch(id));
            let renamed =
                join_bounded!(limit = 2, crate = "::concurrency"; for id in 0..3 => fetch(id));
            assert_eq!(plain, [0, 1, 2]);
            assert_eq!(renamed, plain);
        });
    }
}
