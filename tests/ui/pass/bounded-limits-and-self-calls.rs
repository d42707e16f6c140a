//! Limits that are any constant expression, and calls that look like the function calling
//! itself but are not.
#![allow(dead_code)]

use std::fmt::Display;
use std::num::NonZeroUsize;

use bounded_async::bounded;

const fn max_conns() -> usize {
    4
}
#[allow(non_upper_case_globals)]
const lowercase: usize = 2;
const NON_ZERO: NonZeroUsize = NonZeroUsize::new(3).unwrap();

#[bounded(limit = max_conns())]
async fn const_fn_limit() {}

#[bounded(limit = lowercase)]
async fn lowercase_limit() {}

#[bounded(limit = NON_ZERO)]
async fn non_zero_limit() {}

#[bounded(limit = max_conns() * 2 - lowercase)]
async fn arithmetic_on_calls() {}

// A parameter named like the function.
#[bounded(limit = 2)]
async fn retry(retry: impl Fn() -> u8) -> u8 {
    retry()
}

// A local closure named like the function.
#[bounded(limit = 2)]
async fn parse() -> u8 {
    let parse = |s: &str| s.len() as u8;
    parse("ab")
}

// A nested `fn` named like the function.
#[bounded(limit = 2)]
async fn helper() -> u8 {
    fn helper() -> u8 {
        5
    }
    helper()
}

// Patterns of `match`, `if let` and `for` named like the function.
#[bounded(limit = 2)]
async fn pick(choices: Vec<fn() -> u8>) -> u8 {
    let mut total = 0;
    for pick in &choices {
        total += pick();
    }
    if let Some(pick) = choices.first() {
        total += pick();
    }
    match choices.last() {
        Some(pick) => total + pick(),
        None => total,
    }
}

async fn fetch(id: u64) -> u64 {
    id + 1
}

struct Client;

impl Client {
    // An associated fn without a receiver that wraps the free fn of the same name.
    #[bounded(limit = 2)]
    async fn fetch(id: u64) -> u64 {
        fetch(id).await
    }

    #[bounded(limit = 2)]
    async fn fetch_through_path(id: u64) -> u64 {
        crate::fetch(id).await + self::fetch(id).await
    }
}

// `strategy = "settled"` with `impl Trait` in the `Result`.
#[bounded(limit = 2, strategy = "settled")]
async fn shown(n: u8) -> Result<impl Display, String> {
    if n == 0 {
        return Err("zero".to_owned());
    }
    let n: u8 = n.to_string().parse().map_err(|_| "unparsable".to_owned())?;
    Ok(n)
}

#[bounded(limit = 2)]
async fn opaque() -> impl Display {
    7
}

fn main() {
    futures::executor::block_on(async {
        const_fn_limit().await;
        lowercase_limit().await;
        non_zero_limit().await;
        arithmetic_on_calls().await;
        assert_eq!(retry(|| 3).await, 3);
        assert_eq!(parse().await, 2);
        assert_eq!(helper().await, 5);
        assert_eq!(pick(vec![|| 1, || 2]).await, 6);
        assert_eq!(Client::fetch(1).await, 2);
        assert_eq!(Client::fetch_through_path(1).await, 4);
        assert_eq!(shown(4).await.ok().map(|n| n.to_string()).as_deref(), Some("4"));
        assert!(shown(0).await.is_err());
        assert_eq!(opaque().await.to_string(), "7");
    });
}
