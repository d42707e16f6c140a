//! `join_bounded!` and `stream_bounded!`: parse the options and the futures, check them, then
//! expand.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Path, Token, bracketed};

use crate::args::{self, Arg};
use crate::diagnostics::{Diagnostics, located_at};
use crate::duration::Written;
use crate::limit::{JOIN_LIMIT, Limit, rule, unparen};
use crate::rate::{self, WrittenRate};
use crate::strategy::Strategy;

const JOIN_KEYS: &[&str] = &[
    "limit", "strategy", "timeout", "rate", "burst", "progress", "crate",
];
const STREAM_KEYS: &[&str] = &[
    "limit", "order", "timeout", "rate", "burst", "progress", "crate",
];

/// Which of the two macros is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Macro {
    /// `join_bounded!`: a future of every output, collected by a strategy.
    Join,
    /// `stream_bounded!`: a stream of the outputs as they come.
    Stream,
}

impl Macro {
    fn name(self) -> &'static str {
        match self {
            Macro::Join => "join_bounded!",
            Macro::Stream => "stream_bounded!",
        }
    }

    /// An example call, for the messages.
    fn example(self) -> &'static str {
        match self {
            Macro::Join => "join_bounded!(limit = 8; a(), b())",
            Macro::Stream => "stream_bounded!(limit = 8; for id in ids => fetch(id))",
        }
    }
}

/// The order of `stream_bounded!`'s outputs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Input,
    Completion,
}

const ORDERS: [&str; 2] = ["input", "completion"];

impl Order {
    fn from_expr(value: &Expr) -> syn::Result<Self> {
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        }) = unparen(value)
        else {
            return Err(syn::Error::new_spanned(
                value,
                "`order` takes a string literal: \"input\" (the default: outputs in input order) \
                 or \"completion\" (outputs as they finish)",
            ));
        };
        match name.value().as_str() {
            "input" => Ok(Order::Input),
            "completion" => Ok(Order::Completion),
            written => {
                let orders = "\"input\" (outputs in input order, the default) and \
                              \"completion\" (outputs as they finish)";
                let message = match crate::diagnostics::closest(written, &ORDERS) {
                    Some(near) => format!(
                        "unknown order \"{written}\"; did you mean \"{near}\"? The orders are \
                         {orders}"
                    ),
                    None => format!("unknown order \"{written}\"; the orders are {orders}"),
                };
                Err(syn::Error::new(name.span(), message))
            }
        }
    }
}

/// The join's `rate`: a literal checked here, or a `Rate` value.
enum JoinRate {
    Literal(WrittenRate),
    Value(Expr),
}

pub(crate) fn expand(input: TokenStream, which: Macro) -> TokenStream {
    let parser = |stream: ParseStream<'_>| Input::parse(stream, which);
    match parser
        .parse2(input)
        .and_then(|input| Join::from_input(input, which))
    {
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
    /// `Some` for `for await`: the input is a stream.
    awaits: Option<Token![await]>,
    pat: Pat,
    iter: Expr,
    future: Expr,
}

enum Futures {
    /// `for PAT in ITER => FUTURE`, or `for await PAT in STREAM => FUTURE`
    Iter(Box<IterForm>),
    /// `a(), b(), c()`
    List(Vec<Expr>),
}

impl Input {
    fn parse(input: ParseStream<'_>, which: Macro) -> syn::Result<Self> {
        let default_crate;
        bracketed!(default_crate in input);
        let default_crate = default_crate.parse()?;

        let mut args = Vec::new();
        while !input.peek(Token![;]) {
            if input.is_empty() {
                return Err(input.error(format!(
                    "expected `;` and then the futures, as in `{}`",
                    which.example()
                )));
            }
            let arg = input.parse::<Arg>().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    format!(
                        "expected an option such as `limit = 8`; the futures come after a `;`, \
                         as in `{}`",
                        which.example()
                    ),
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
            let awaits = input.parse()?;
            let pat = Pat::parse_single(input)?;
            input.parse::<Token![in]>()?;
            let iter = input.parse()?;
            input.parse::<Token![=>]>()?;
            let future = input.parse()?;
            input.parse::<Option<Token![,]>>()?;
            Futures::Iter(Box::new(IterForm {
                awaits,
                pat,
                iter,
                future,
            }))
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

/// A checked `join_bounded!` or `stream_bounded!` call, ready to expand.
struct Join {
    which: Macro,
    /// `stream_bounded!`'s order.
    order: Order,
    krate: TokenStream,
    limit: Limit,
    strategy: Strategy,
    futures: Futures,
    /// The `rate` key and the rate it builds (a `Rate` expression), if any.
    rate: Option<(Ident, TokenStream)>,
    /// The `progress` callback, if any: an `FnMut(&Progress)`.
    progress: Option<Expr>,
    /// The `timeout` key and its duration, if any.
    timeout: Option<(Ident, Written)>,
}

impl Join {
    /// Builds the typed configuration, with every cross-key rule, reporting all errors at once.
    fn from_input(input: Input, which: Macro) -> syn::Result<Self> {
        let mut errors = Diagnostics::default();
        let mut limit: Option<Limit> = None;
        let mut strategy: Option<Strategy> = None;
        let mut order: Option<Order> = None;
        let mut timeout: Option<(Ident, Written)> = None;
        let mut krate: Option<Path> = None;
        let mut rate: Option<(Ident, JoinRate)> = None;
        let mut burst: Option<(Ident, u32)> = None;
        let mut progress: Option<(Ident, Expr)> = None;
        let keys = match which {
            Macro::Join => JOIN_KEYS,
            Macro::Stream => STREAM_KEYS,
        };
        // The key that belongs to the other macro gets a message of its own.
        let foreign_key = match which {
            Macro::Join => "order",
            Macro::Stream => "strategy",
        };
        let (foreign, args): (Vec<Arg>, Vec<Arg>) = input
            .args
            .into_iter()
            .partition(|arg| arg.key == foreign_key);
        for Arg { key, .. } in &foreign {
            let message = match which {
                Macro::Join => {
                    "join_bounded! returns every output at once, in input order, so it has no \
                     `order`; to take the outputs as they finish, use \
                     `stream_bounded!(limit = .., order = \"completion\"; ..)`"
                }
                Macro::Stream => {
                    "stream_bounded! hands on every output as it comes, so it has no \
                     `strategy`; choose the `order` of its outputs (\"input\" or \
                     \"completion\"), or collect them with `join_bounded!`, which has the \
                     strategies"
                }
            };
            errors.error(key.span(), message);
        }
        let seen = args::visit(args, keys, &mut errors, |key, value| {
            match key.to_string().as_str() {
                "limit" => limit = Some(Limit::from_expr(value, &JOIN_LIMIT)?),
                "strategy" => strategy = Some(Strategy::from_expr(value)?.0),
                "order" => order = Some(Order::from_expr(value)?),
                "timeout" => timeout = Some((key.clone(), Written::from_expr("timeout", value)?)),
                "rate" => {
                    let value = match unparen(value) {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(_),
                            ..
                        }) => JoinRate::Literal(WrittenRate::from_expr(value)?),
                        Expr::Lit(literal) => {
                            return Err(syn::Error::new_spanned(
                                literal,
                                "`rate` takes a count per period as a string, such as \
                                 `rate = \"100/s\"`, or a `bounded_async::Rate` value, such as \
                                 `rate = Rate::per_second(100)`",
                            ));
                        }
                        other => JoinRate::Value(other.clone()),
                    };
                    rate = Some((key.clone(), value));
                }
                "burst" => burst = Some((key.clone(), rate::burst(value)?)),
                "progress" => progress = Some((key.clone(), value.clone())),
                _ => krate = Some(args::crate_path(value)?),
            }
            Ok(())
        });
        match (&burst, &rate) {
            (Some((key, burst)), None) => errors.error(
                key.span(),
                format!(
                    "`burst` goes with `rate`: it is how many futures may start at once; add a \
                     rate, as in `rate = \"100/s\", burst = {burst}`"
                ),
            ),
            (Some((key, burst)), Some((_, JoinRate::Value(_)))) => errors.error(
                key.span(),
                format!(
                    "`burst` goes with a rate written here; a `Rate` value carries its own \
                     burst: `rate = my_rate.with_burst({burst})`"
                ),
            ),
            _ => {}
        }

        // After an unknown key (likely a misspelt `limit`), its suggestion says enough.
        if !seen.unknown && !seen.contains("limit") {
            let name = which.name();
            errors.error(
                Span::call_site(),
                format!(
                    "{name} needs a `limit`: how many futures may run at once, as in \
                     `{name}(limit = 8; ...)`"
                ),
            );
        }
        if let (Macro::Stream, Futures::List(list)) = (which, &input.futures) {
            let span = list.first().map_or(input.semi.span, Spanned::span);
            errors.error(
                span,
                "stream_bounded! takes its futures from an iterator or a stream, as in \
                 `for id in ids => fetch(id)` or `for await id in ids => fetch(id)`; for a list \
                 of futures, use `join_bounded!`",
            );
        } else if let Futures::List(list) = &input.futures
            && list.is_empty()
        {
            errors.error(
                input.semi.span,
                "join_bounded! needs at least one future after `;` (or an iterator: \
                 `for x in xs => f(x)`)",
            );
        }
        if let (Some((key, _)), Futures::List(list)) = (&progress, &input.futures) {
            errors.error(
                key.span(),
                format!(
                    "`progress` reports on a join over an iterator, as in \
                     `join_bounded!(limit = 8, progress = |p| ..; for id in ids => fetch(id))`; \
                     this list of {} future{} gives its results all at once",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                ),
            );
        }
        if let Futures::Iter(form) = &input.futures {
            let mut visitor = ControlFlowInFuture {
                errors: &mut errors,
            };
            syn::visit::Visit::visit_expr(&mut visitor, &form.future);
        }
        errors.finish()?;

        let krate_tokens = match krate {
            Some(path) => quote!(#path),
            None => input.default_crate,
        };
        Ok(Join {
            which,
            order: order.unwrap_or(Order::Input),
            krate: krate_tokens.clone(),
            limit: limit.expect("a missing limit was reported"),
            strategy: strategy.unwrap_or(Strategy::Join),
            futures: input.futures,
            rate: rate.map(|(key, rate)| {
                let tokens = match rate {
                    JoinRate::Literal(written) => {
                        let burst = burst.map_or(1, |(_, burst)| burst);
                        written.to_tokens(&krate_tokens, burst)
                    }
                    JoinRate::Value(value) => quote_spanned!(value.span()=> #value),
                };
                (key, tokens)
            }),
            progress: progress.map(|(_, value)| value),
            timeout,
        })
    }

    fn expand(self) -> TokenStream {
        let krate = &self.krate;
        let limit = self.limit.to_nonzero(
            krate,
            match self.which {
                Macro::Join => "runtime_limit",
                Macro::Stream => "stream_runtime_limit",
            },
        );
        match &self.futures {
            Futures::Iter(form) => {
                let IterForm {
                    awaits,
                    pat,
                    iter,
                    future,
                } = &**form;
                let krate = located_at(krate, future.span());
                // The closure is the macro's own code (call-site resolution), so that lints such
                // as `clippy::redundant_closure` do not blame the user for
                // `for id in ids => f(id)`, but it is located at the user's future, so that the
                // compiler's notes name the closure by the user's file, not by this crate's.
                // It binds nothing but the user's pattern, and the expansion binds no local of
                // its own, so no name of the user's can change what it means.
                let bars = Span::call_site().located_at(future.span());
                let timed = self.timed(&krate, future);
                let closure = quote_spanned!(bars=> |#pat| #timed);
                // The input goes through a rule of its own, at the input, that says which form
                // takes it: a stream given to `for`, or an iterator to `for await`.
                let input_krate = located_at(&krate, iter.span());
                // The input's kind, found by method resolution, takes it: an iterator for
                // `for`, a stream for `for await`, or anything else with a rule that says which
                // form takes it, at the input.
                // At the user's input, so that the rule's error points there; it binds nothing
                // the user's code can see (the input is evaluated before it is bound).
                let input = Ident::new("__bounded_async_input", iter.span());
                let (probe, kind) = match awaits {
                    None => (
                        quote!(IterProbe as _, NotIterProbe as _),
                        quote_spanned!(iter.span()=> __bounded_async_for),
                    ),
                    Some(_) => (
                        quote!(StreamProbe as _, NotStreamProbe as _),
                        quote_spanned!(iter.span()=> __bounded_async_for_await),
                    ),
                };
                let taken = quote_spanned! {iter.span()=>
                    {
                        use #input_krate::rules::input::{#probe};
                        match #iter {
                            #input => (&#input_krate::rules::input::Probe::of(&#input))
                                .#kind()
                                .into_input(#input),
                        }
                    }
                };
                let mut join = match awaits {
                    None => quote_spanned! {future.span()=>
                        #krate::__private::join_bounded(
                            #limit,
                            ::core::iter::Iterator::map(#taken, #closure),
                        )
                    },
                    Some(_) => quote_spanned! {future.span()=>
                        #krate::__private::join_bounded_stream(
                            #limit,
                            #krate::__private::StreamExt::map(#taken, #closure),
                        )
                    },
                };
                if let Some((_, rate)) = &self.rate {
                    join = quote!(#krate::__private::paced(#join, #rate));
                }
                if let Some(progress) = &self.progress {
                    // At the callback, so that a closure of the wrong shape is reported there.
                    let krate = located_at(&krate, progress.span());
                    join = quote_spanned! {progress.span()=>
                        #krate::__private::progressed(#join, #progress)
                    };
                }
                let join = match self.which {
                    Macro::Join => {
                        // Spanned at the future, so that "needs `Result`" points at it.
                        let strategy = strategy_method(self.strategy, future.span());
                        quote_spanned! {future.span()=>
                            #krate::__private::strategy::#strategy(#join).await
                        }
                    }
                    Macro::Stream => {
                        let method = match self.order {
                            Order::Input => quote_spanned!(future.span()=> stream),
                            Order::Completion => quote_spanned!(future.span()=> stream_unordered),
                        };
                        quote_spanned! {future.span()=>
                            #krate::__private::JoinBounded::#method(#join)
                        }
                    }
                };
                self.with_rate_rule(join)
            }
            Futures::List(list) => self.with_rate_rule(self.expand_list(list, limit)),
        }
    }

    /// `join`, after the rule that a rate needs the runtime's timers (its `tokio` feature),
    /// reported at the `rate` key.
    fn with_rate_rule(&self, join: TokenStream) -> TokenStream {
        let keys = [
            self.rate.as_ref().map(|(key, _)| key),
            self.timeout.as_ref().map(|(key, _)| key),
        ];
        let krate = &self.krate;
        let rules = keys.into_iter().flatten().map(|key| {
            // Every token of the rule at the key, so that it is reported there: `$crate`, which
            // resolves through its own span, is named through an alias, in a block of its own
            // that holds no user code.
            let span = key.span();
            let alias = Ident::new("__bounded_async", span);
            let alias_path = quote!(#alias);
            let timers = rule(
                &alias_path,
                span,
                quote!(#alias::__private::TIMERS),
                "TimersNeedTheTokioFeature",
            );
            quote!({ use #krate as #alias; #timers })
        });
        let rules: Vec<TokenStream> = rules.collect();
        if rules.is_empty() {
            return join;
        }
        quote!({ #(#rules)* #join })
    }

    /// `future` with the join's `timeout`, if it has one, carried as its strategy carries a
    /// future that ran past it; the call is located at the future, so that an output the strategy
    /// cannot carry the rejection in is reported there.
    fn timed(&self, krate: &TokenStream, future: &Expr) -> TokenStream {
        let Some((_, written)) = &self.timeout else {
            return quote!(#future);
        };
        let carry = match (self.which, self.strategy) {
            (Macro::Stream, _) | (Macro::Join, Strategy::Join | Strategy::Race) => "as_result",
            (Macro::Join, Strategy::All | Strategy::Any) => "as_err",
            (Macro::Join, Strategy::Settled) => "as_outcome",
        };
        let span = future.span();
        let carry = Ident::new(carry, span);
        let krate = located_at(krate, span);
        let duration = written.to_tokens();
        let site = format!("{} at ", self.which.name());
        quote_spanned! {span=>
            #krate::__private::timeout::#carry(
                ::core::concat!(#site, ::core::file!(), ":", ::core::line!()),
                #duration,
                #future,
            )
        }
    }

    /// The list form: one slot per future, pinned in place, and one generated enum with one
    /// variant per future, so that the driver gets items of one type. Each item keeps what its
    /// strategy keeps in its slot, read back as a tuple in list order once the join returns.
    /// Every part grows linearly with the number of futures.
    ///
    /// The user's expressions are evaluated, in order, as the arguments of the macro's own
    /// closure, before the join starts. The closure and the enum are defined in a block that
    /// holds no user code: its names cannot be seen by the user's code, and the block shadows
    /// any item of the user's named like one of its locals (a `static`, a `const` or a unit
    /// struct would otherwise turn a `let` into a pattern). The closure's body is checked with
    /// the futures' own types, so a type that does not fit is reported at the user's future.
    fn expand_list(&self, list: &[Expr], limit: TokenStream) -> TokenStream {
        let krate = &self.krate;
        let ident = |name: &str| Ident::new(name, Span::mixed_site());
        let locals = ["args", "slots", "items", "cx", "item", "output"].map(ident);
        let [args, slots, items, cx, item, output] = &locals;
        let enum_name = ident("Item");
        let shape = ListShape {
            strategy: self.strategy,
            timed: self.timeout.is_some(),
        };
        let variants: Vec<Ident> = (0..list.len()).map(|i| format_ident!("V{}", i)).collect();

        // The enum's generics: per future, its type parameters (the future's first), then the
        // one output type of the list that the first future fixes.
        let (shared, output_type) = shape.output();
        let generics = (0..list.len()).map(|i| {
            let params = shape.params(i);
            let (future, rest) = params.split_first().expect("a future's parameters");
            quote!(#future: ::core::future::Future, #(#rest,)*)
        });
        let generics = quote!(<'bounded, #shared #(#generics)*>);
        let arguments = (0..list.len()).flat_map(|i| shape.params(i));
        let arguments = quote!(<'bounded, #shared #(#arguments),*>);
        let held = (0..list.len()).map(|i| shape.held(&shape.params(i)));

        // The futures are `args.1`, `args.2`, ... (after the limit); their slots `slots.0`, ...
        let new_slots = list.iter().enumerate().map(|(i, expr)| {
            let index = syn::Index::from(i + 1);
            // Located at the future, so that "is not a future" points at it.
            let into_future = quote_spanned!(expr.span()=> ::core::future::IntoFuture::into_future);
            quote!(::core::pin::pin!(Slot::new(#into_future(#args.#index))))
        });
        let new_items = list.iter().enumerate().map(|(i, expr)| {
            let index = syn::Index::from(i);
            let slot = quote!(::core::pin::Pin::as_mut(&mut #slots.#index));
            shape.item(krate, i, expr.span(), slot)
        });
        let takes = (0..list.len()).map(|i| {
            let index = syn::Index::from(i);
            quote!(Slot::take(::core::pin::Pin::as_mut(&mut #slots.#index)))
        });
        let tuple = quote!((#(#takes,)*));
        // The rate, after the futures in the arguments: `args.<n + 1>`.
        let (rate, paced) = match &self.rate {
            Some((_, rate)) => {
                let index = syn::Index::from(list.len() + 1);
                (quote!(#rate,), Some(quote!(#args.#index)))
            }
            None => (TokenStream::new(), None),
        };
        let result = shape.result(args, items, output, tuple, paced);

        let list = list.iter().map(|expr| {
            if self.timeout.is_none() {
                return quote!(#expr);
            }
            let into_future =
                quote_spanned!(expr.span()=> ::core::future::IntoFuture::into_future(#expr));
            let into_future: Expr = syn::parse2(into_future).expect("a call");
            self.timed(krate, &into_future)
        });
        quote! {
            #krate::__private::run_list((#limit, #(#list,)* #rate), {
                #(#[allow(dead_code)] fn #locals() {})*
                #[allow(unused_imports)]
                use #krate::__private::{
                    join_bounded, paced, Keep, KeepOk, ListItem, Pass, Settle, Slot,
                };
                enum #enum_name #generics { #(#variants(#held),)* }
                impl #generics ::core::future::Future for #enum_name #arguments {
                    type Output = #output_type;
                    fn poll(
                        self: ::core::pin::Pin<&mut Self>,
                        #cx: &mut ::core::task::Context<'_>,
                    ) -> ::core::task::Poll<Self::Output> {
                        match ::core::pin::Pin::get_mut(self) {
                            #(#enum_name::#variants(#item) => ListItem::poll_item(#item, #cx),)*
                        }
                    }
                }
                |#args| async move {
                    let mut #slots = (#(#new_slots,)*);
                    let #items = [#(#enum_name::#variants(#new_items),)*];
                    #result
                }
            })
            .await
        }
    }
}

/// What the list form does for one strategy: what each future's item keeps in its slot, the
/// one output type the driver sees, and how the join's output becomes the macro's value.
struct ListShape {
    strategy: Strategy,
    /// Whether the futures have a `timeout`: a "settled" item then reads a `Timely` output.
    timed: bool,
}

impl ListShape {
    /// The type parameters of future `i`'s item: the future's type first, then what its
    /// strategy names of its output (`T` the `Ok` type and `X` the error, or `M` the output).
    fn params(&self, i: usize) -> Vec<Ident> {
        let names: &[&str] = match self.strategy {
            Strategy::Join => &["F"],
            Strategy::All | Strategy::Settled => &["F", "T", "X"],
            Strategy::Any | Strategy::Race => &["F", "M"],
        };
        names
            .iter()
            .map(|name| format_ident!("{}{}", name, i))
            .collect()
    }

    /// The list's one output type for the driver, after the type parameters it needs: `E` and
    /// `O` are fixed by the first future.
    fn output(&self) -> (TokenStream, TokenStream) {
        match self.strategy {
            Strategy::Join | Strategy::Settled => (quote!(), quote!(())),
            Strategy::All => (quote!(E,), quote!(::core::result::Result<(), E>)),
            Strategy::Any | Strategy::Race => (quote!(O,), quote!(O)),
        }
    }

    /// The runtime type that an item with type parameters `params` holds.
    fn held(&self, params: &[Ident]) -> TokenStream {
        match self.strategy {
            Strategy::Join => quote!(Keep<'bounded, #(#params),*>),
            Strategy::All => quote!(KeepOk<'bounded, #(#params),*, E>),
            Strategy::Settled => quote!(Settle<'bounded, #(#params),*>),
            Strategy::Any | Strategy::Race => quote!(Pass<'bounded, #(#params),*, O>),
        }
    }

    /// The item of future `i`, written at `span`, over its pinned `slot`. The checks of the
    /// future's output are located at the future: the first future's output fixes the list's
    /// one type, and each later one is checked against it.
    fn item(&self, krate: &TokenStream, i: usize, span: Span, slot: TokenStream) -> TokenStream {
        let krate = located_at(krate, span);
        let same = |check: &str| {
            let check = Ident::new(check, span);
            if i == 0 {
                quote_spanned!(span=> ::core::convert::identity)
            } else {
                quote_spanned!(span=> #krate::rules::#check::same)
            }
        };
        let into_result = |output: &str| {
            let output = Ident::new(output, span);
            quote_spanned!(span=> #krate::#output::into_result)
        };
        match self.strategy {
            Strategy::Join => quote!(Keep::new(#slot)),
            Strategy::All => {
                let (result, same) = (into_result("AllOutput"), same("SameError"));
                quote!(KeepOk::new(#slot, #result, #same))
            }
            Strategy::Settled => {
                let outcome = Ident::new(
                    if self.timed {
                        "timely_outcome"
                    } else {
                        "settled_outcome"
                    },
                    span,
                );
                let outcome = quote_spanned!(span=> #krate::__private::#outcome);
                quote!(Settle::new(#slot, #outcome))
            }
            Strategy::Any => {
                let (result, same) = (into_result("AnyOutput"), same("SameResult"));
                quote!(Pass::new(#slot, #result, #same))
            }
            Strategy::Race => {
                let same = same("SameOutput");
                quote!(Pass::new(#slot, ::core::convert::identity, #same))
            }
        }
    }

    /// The join of `items` with the limit in `args.0`, and the macro's value made of its
    /// `output` and the slots' `tuple`.
    fn result(
        &self,
        args: &Ident,
        items: &Ident,
        output: &Ident,
        tuple: TokenStream,
        rate: Option<TokenStream>,
    ) -> TokenStream {
        // "settled" items catch their own panics and keep their outcomes: the driver joins.
        let driver = match self.strategy {
            Strategy::Settled => Strategy::Join,
            strategy => strategy,
        };
        let method = strategy_method(driver, Span::call_site());
        // A statement of its own, so that the items' borrows of the slots end with it.
        let join = match rate {
            Some(rate) => {
                quote!(let #output = paced(join_bounded(#args.0, #items), #rate).#method().await;)
            }
            None => quote!(let #output = join_bounded(#args.0, #items).#method().await;),
        };
        match self.strategy {
            Strategy::Join | Strategy::Settled => quote!(#join #tuple),
            Strategy::All => quote! {
                #join
                match #output {
                    ::core::result::Result::Ok(_) => ::core::result::Result::Ok(#tuple),
                    ::core::result::Result::Err(#output) => ::core::result::Result::Err(#output),
                }
            },
            Strategy::Any => quote!(#join #output),
            Strategy::Race => quote! {
                #join
                ::core::option::Option::expect(#output, "a non-empty race has a winner")
            },
        }
    }
}

/// Finds `return` and `?` in the iterator form's future expression outside any closure, `async`
/// block or item: the expression is the body of the macro's closure, so they would return from
/// that closure rather than from the user's function, which would go on silently.
struct ControlFlowInFuture<'a> {
    errors: &'a mut Diagnostics,
}

impl<'ast> syn::visit::Visit<'ast> for ControlFlowInFuture<'_> {
    fn visit_expr_return(&mut self, expr: &'ast syn::ExprReturn) {
        self.errors.error(
            expr.return_token.span,
            "`return` in the future of `for .. in .. => FUTURE` would return from the join's \
             closure, not from this function; move the logic into an `async` block, as in \
             `for x in xs => async move { .. }`, and return a value from it",
        );
        syn::visit::visit_expr_return(self, expr);
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.errors.error(
            expr.question_token.span,
            "`?` in the future of `for .. in .. => FUTURE` would return from the join's \
             closure, not from this function; move the logic into an `async` block, as in \
             `for x in xs => async move { f(x)?; .. }`, and use a strategy such as \"all\"",
        );
        syn::visit::visit_expr_try(self, expr);
    }

    // Their own `return` and `?` are theirs.
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// The builder method of `strategy`, spanned at `span`. A wrong output type is reported where
/// the join is awaited, with the strategy's own message.
fn strategy_method(strategy: Strategy, span: Span) -> Ident {
    Ident::new(strategy.name(), span)
}
