//! Procedural macros of [bounded-async](https://docs.rs/bounded-async).
//!
//! Use them through the `bounded-async` crate, which documents them and re-exports them next to
//! the runtime their expansions call; this crate is not meant to be depended on directly.

mod args;
mod bounded;
mod diagnostics;
mod join;
mod limit;
mod pool;
mod strategy;

use proc_macro::TokenStream;

/// The implementation of `bounded_async::join_bounded!`, which calls it with `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn join_bounded_impl(input: TokenStream) -> TokenStream {
    join::expand(input.into()).into()
}

/// The implementation of `bounded_async::bounded`.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn bounded(args: TokenStream, item: TokenStream) -> TokenStream {
    bounded::expand(args.into(), item.into()).into()
}

/// The implementation of `bounded_async::pool!`, which calls it with `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn pool_impl(input: TokenStream) -> TokenStream {
    pool::expand(input.into()).into()
}
