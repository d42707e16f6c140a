//! `join_bounded!`: parse the options and the futures, check them, then expand.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Path, Token, bracketed};

use crate::args::{self, Arg};
use crate::diagnostics::{Diagnostics, located_at};
use crate::limit::{JOIN_LIMIT, Limit};
use crate::strategy::Strategy;

const KEYS: &[&str] = &["limit", "strategy", "crate"];

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Input>(input).and_then(Join::from_input) {
        Ok(join) => join.expand(),
        Err(error) => errors_expression(error),
    }
}

/// Every error as one expression: a block of `compile_error!`s, the last one its value, so
/// that several errors in expression position do not confuse the parser.
fn errors_expression(error: syn::Error) -> TokenStream {
    let errors = error.into_iter().map(|error| error.to_compile_error());
    quote!({ #(#errors);* })
}

/// The macro's input as written: `[$crate] key = value, ...; futures`.
struct Input {
    /// The path of the facade crate, passed by the `macro_rules!` wrapper as `$crate`.
    default_crate: TokenStream,
    args: Vec<Arg>,
    semi: Token![;],
    futures: Futures,
}

struct IterForm {
    pat: Pat,
    iter: Expr,
    future: Expr,
}

enum Futures {
    /// `for PAT in ITER => FUTURE`
    Iter(Box<IterForm>),
    /// `a(), b(), c()`
    List(Vec<Expr>),
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let default_crate;
        bracketed!(default_crate in input);
        let default_crate = default_crate.parse()?;

        let mut args = Vec::new();
        while !input.peek(Token![;]) {
            if input.is_empty() {
                return Err(input.error(
                    "expected `;` and then the futures, as in `join_bounded!(limit = 8; a(), b())`",
                ));
            }
            let arg = input.parse::<Arg>().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected an option such as `limit = 8`; the futures come after a `;`, as in \
                     `join_bounded!(limit = 8; a(), b())`",
                )
            })?;
            args.push(arg);
            if !input.peek(Token![;]) {
                input.parse::<Token![,]>().map_err(|error| {
                    syn::Error::new(
                        error.span(),
                        "expected `,` before the next option, or `;` before the futures",
                    )
                })?;
            }
        }
        let semi = input.parse()?;

        let futures = if input.peek(Token![for]) {
            input.parse::<Token![for]>()?;
            let pat = Pat::parse_single(input)?;
            input.parse::<Token![in]>()?;
            let iter = input.parse()?;
            input.parse::<Token![=>]>()?;
            let future = input.parse()?;
            input.parse::<Option<Token![,]>>()?;
            Futures::Iter(Box::new(IterForm { pat, iter, future }))
        } else {
            let list = input.parse_terminated(Expr::parse, Token![,])?;
            Futures::List(list.into_iter().collect())
        };
        Ok(Input {
            default_crate,
            args,
            semi,
            futures,
        })
    }
}

/// A checked `join_bounded!` call, ready to expand.
struct Join {
    krate: TokenStream,
    limit: Limit,
    strategy: Strategy,
    futures: Futures,
}

impl Join {
    /// Builds the typed configuration, with every cross-key rule, reporting all errors at once.
    fn from_input(input: Input) -> syn::Result<Self> {
        let mut errors = Diagnostics::default();
        let mut limit: Option<Limit> = None;
        let mut strategy: Option<Strategy> = None;
        let mut krate: Option<Path> = None;
        let seen = args::visit(input.args, KEYS, &mut errors, |key, value| {
            match key {
                "limit" => limit = Some(Limit::from_expr(value, &JOIN_LIMIT)?),
                "strategy" => strategy = Some(Strategy::from_expr(value)?.0),
                _ => krate = Some(args::crate_path(value)?),
            }
            Ok(())
        });

        // After an unknown key (likely a misspelt `limit`), its suggestion says enough.
        if !seen.unknown && !seen.contains("limit") {
            errors.error(
                Span::call_site(),
                "join_bounded! needs a `limit`: how many futures may run at once, as in \
                 `join_bounded!(limit = 8; ...)`",
            );
        }
        if let Futures::List(list) = &input.futures
            && list.is_empty()
        {
            errors.error(
                input.semi.span,
                "join_bounded! needs at least one future after `;` (or an iterator: \
                 `for x in xs => f(x)`)",
            );
        }
        errors.finish()?;

        Ok(Join {
            krate: match krate {
                Some(path) => quote!(#path),
                None => input.default_crate,
            },
            limit: limit.expect("a missing limit was reported"),
            strategy: strategy.unwrap_or(Strategy::Join),
            futures: input.futures,
        })
    }

    fn expand(self) -> TokenStream {
        let krate = &self.krate;
        let limit_name = Ident::new("__bounded_limit", Span::mixed_site());
        let limit = self.limit.to_nonzero(krate);
        let join = match &self.futures {
            Futures::Iter(form) => {
                let IterForm { pat, iter, future } = &**form;
                // Spanned at the future, so that "needs `Result`" points at it.
                let strategy = strategy_method(self.strategy, future.span());
                let krate = located_at(krate, future.span());
                // The closure is the macro's own code (call-site spans), so that lints such as
                // `clippy::redundant_closure` do not blame the user for `for id in ids => f(id)`.
                let closure = quote!(|#pat| #future);
                quote_spanned! {future.span()=>
                    #krate::__private::join_bounded(
                        #limit_name,
                        ::core::iter::Iterator::map(
                            ::core::iter::IntoIterator::into_iter(#iter),
                            #closure,
                        ),
                    )
                    .#strategy()
                    .await
                }
            }
            Futures::List(list) => self.expand_list(list, &limit_name),
        };
        quote! {
            {
                let #limit_name = #limit;
                #join
            }
        }
    }

    /// The list form: an iterator over an array of futures that are made one type by nesting
    /// them in `Either`, with outputs nested the same way and unpacked into a tuple afterwards.
    fn expand_list(&self, list: &[Expr], limit_name: &Ident) -> TokenStream {
        let krate = &self.krate;
        let either = quote!(#krate::__private::Either);
        let count = list.len();
        // Hygienic names, located at each future so errors about its output point at it.
        let names: Vec<Ident> = list
            .iter()
            .enumerate()
            .map(|(i, expr)| {
                let span = Span::mixed_site().located_at(expr.span());
                format_ident!("__bounded_future{}", i, span = span)
            })
            .collect();
        let value = Ident::new("__bounded_value", Span::mixed_site());
        let outputs = Ident::new("__bounded_outputs", Span::mixed_site());

        let futures = list.iter().zip(&names).enumerate().map(|(position, (expr, name))| {
            // The awaited output gets a name located at the future, so that an error about its
            // type points at the future rather than at the whole macro call. No user code runs
            // inside this `async` block, so the name needs no hygiene.
            let awaited = Ident::new("__bounded_output", expr.span());
            let krate = located_at(krate, expr.span());
            let wrap = |tokens: TokenStream| nest(&either, position, count, tokens);
            let output = match self.strategy {
                Strategy::Join => wrap(quote!(#awaited)),
                Strategy::All => {
                    let ok = wrap(quote!(#value));
                    quote_spanned! {expr.span()=>
                        ::core::result::Result::map(
                            #krate::__private::all_output(#awaited),
                            |#value| #ok,
                        )
                    }
                }
                Strategy::Settled => {
                    let ok = wrap(quote!(#value));
                    quote_spanned! {expr.span()=>
                        match #krate::__private::settled_output(#awaited) {
                            ::core::result::Result::Ok(#value) => ::core::result::Result::Ok(#ok),
                            ::core::result::Result::Err(#value) => ::core::result::Result::Err(#ok),
                        }
                    }
                }
                Strategy::Any => quote_spanned!(expr.span()=> #krate::__private::any_output(#awaited)),
                Strategy::Race => quote!(#awaited),
            };
            wrap(quote!(async move {
                let #awaited = #name.await;
                #output
            }))
        });

        // Unpacks output `position` from its `Either` nesting.
        let unpack = |position: usize, tokens: TokenStream| {
            let pattern = nest(&either, position, count, quote!(#value));
            quote! {
                match #tokens {
                    #pattern => #value,
                    #[allow(unreachable_patterns)]
                    _ => ::core::unreachable!("join_bounded!: an output arrived out of place"),
                }
            }
        };
        let next = quote! {
            ::core::option::Option::expect(
                ::core::iter::Iterator::next(&mut #outputs),
                "join_bounded!: one output per future",
            )
        };
        let tuple = |each: &dyn Fn(usize) -> TokenStream| {
            let items = (0..count).map(each);
            quote!({
                let mut #outputs = ::core::iter::IntoIterator::into_iter(#outputs);
                (#(#items,)*)
            })
        };
        let strategy = strategy_method(self.strategy, Span::call_site());
        let result = match self.strategy {
            Strategy::Join => tuple(&|i| unpack(i, quote!(#next))),
            Strategy::All => {
                let tuple = tuple(&|i| unpack(i, quote!(#next)));
                quote!(::core::result::Result::map(#outputs, |#outputs| #tuple))
            }
            Strategy::Settled => tuple(&|i| {
                let unpack = unpack(i, quote!(#value));
                quote! {
                    #krate::Outcome::map_err(
                        #krate::Outcome::map(
                            #next,
                            |#value| #unpack,
                        ),
                        |#value| #unpack,
                    )
                }
            }),
            Strategy::Any => quote!(#outputs),
            Strategy::Race => quote! {
                ::core::option::Option::expect(#outputs, "a non-empty race has a winner")
            },
        };

        quote! {
            #(let #names = #list;)*
            let #outputs =
                #krate::__private::join_bounded(#limit_name, [#(#futures),*]).#strategy().await;
            #result
        }
    }
}

/// `tokens` nested in `Either` for `position` of `count`: `Left(x)`, `Right(Left(x))`, ...,
/// with the last position all `Right`. A single future is not nested at all.
fn nest(either: &TokenStream, position: usize, count: usize, tokens: TokenStream) -> TokenStream {
    let mut nested = if position + 1 == count {
        tokens
    } else {
        quote!(#either::Left(#tokens))
    };
    for _ in 0..position {
        nested = quote!(#either::Right(#nested));
    }
    nested
}

/// The builder method of `strategy`, spanned at `span`. A wrong output type is reported where
/// the join is awaited, with the strategy's own message.
fn strategy_method(strategy: Strategy, span: Span) -> Ident {
    Ident::new(strategy.name(), span)
}
