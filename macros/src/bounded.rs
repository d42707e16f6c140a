//! `#[bounded(...)]` on an `async fn`: parse the options and the function, check them, then
//! expand.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Block, Expr, ExprCall, ExprMethodCall, ExprPath, GenericArgument, Ident, Path,
    PathArguments, ReturnType, Signature, Token, Type, Visibility, braced,
};

use crate::args;
use crate::diagnostics::{Diagnostics, located_at, respanned, unmentioned_name};
use crate::keys::GateKeys;
use crate::limit::{ATTRIBUTE_LIMIT, Limit, MAX_LIMIT, constant_names, names_self, rule};
use crate::strategy::Strategy;

/// The options, in the order the docs list them.
const KEYS: [&str; 10] = [
    "limit", "pool", "strategy", "wait", "queue", "timeout", "max", "rate", "burst", "crate",
];

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<Function>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#error #item);
        }
    };
    let (bounded, errors) = Bounded::from_tokens(args, function);
    let errors = errors.map(|error| error.to_compile_error());
    match bounded {
        Some(bounded) => {
            let function = bounded.expand();
            quote!(#errors #function)
        }
        // The function as written stays next to the errors, so that one mistake does not
        // cascade into "cannot find function" errors and IDEs keep working.
        None => quote!(#errors #item),
    }
}

/// An `async fn` (free, method, or a trait method's default body), as written.
struct Function {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    /// The body's inner attributes (`#![allow(..)]`), which `Block` does not keep.
    inner_attrs: Vec<Attribute>,
    body: Option<Block>,
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let mut inner_attrs = Vec::new();
        let body = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            None
        } else {
            let content;
            let brace_token = braced!(content in input);
            inner_attrs = content.call(Attribute::parse_inner)?;
            let stmts = content.call(Block::parse_within)?;
            Some(Block { brace_token, stmts })
        };
        Ok(Function {
            attrs,
            vis,
            sig,
            inner_attrs,
            body,
        })
    }
}

/// A checked `#[bounded]` function, ready to expand.
struct Bounded {
    krate: TokenStream,
    limit: Option<Expr>,
    pool: Option<Path>,
    strategy: Strategy,
    function: Function,
    /// The body to bound: the function's, or the `async` block that `#[async_trait]` made of it.
    body: Block,
    /// `Box::pin`, as `#[async_trait]` wrote it, when the function came through it.
    async_trait: Option<Expr>,
    /// Calls through `crate::`, `self::` and `super::` paths, checked by the compiler not to
    /// lead to the function itself.
    self_checks: Vec<Path>,
    /// The gate's keys: `wait`, `queue`, `timeout`, `max`.
    keys: GateKeys,
}

impl Bounded {
    /// Parses and checks the options and the function, reporting every error at once, each
    /// key's apart from the others'.
    ///
    /// With errors, the function is still expanded, without gates, whenever the strategy (and
    /// so the signature) is known, so that callers see the signature the strategy implies and
    /// get no errors of their own: a "settled" function returns its `Outcome` even while its
    /// limit is wrong. Without a body or a strategy that parsed, there is nothing to expand:
    /// `None`, and the function is emitted as written.
    fn from_tokens(args: TokenStream, function: Function) -> (Option<Self>, Option<syn::Error>) {
        let mut errors = Diagnostics::default();
        let args = (|input: ParseStream<'_>| {
            Ok(args::parse_list(
                input,
                |_| false,
                "expected options such as `limit = 8`, `pool = DB`, `strategy = \"settled\"`",
                &mut errors,
            ))
        })
        .parse2(args)
        .unwrap_or_default();
        let malformed = !errors.is_empty();

        let mut limit: Option<Expr> = None;
        let mut pool: Option<Path> = None;
        let mut strategy: Option<Strategy> = None;
        let mut krate: Option<Path> = None;
        let mut keys = GateKeys::default();
        let seen = args::visit(args, &KEYS, &mut errors, |key, value| {
            match key.to_string().as_str() {
                _ if keys.apply(key, value)? => {}
                "limit" => limit = Some(attribute_limit(value, &function.sig)?),
                "pool" => pool = Some(pool_path(value)?),
                "strategy" => {
                    let (value, span) = Strategy::from_expr(value)?;
                    check_strategy(value, span)?;
                    strategy = Some(value);
                }
                _ => krate = Some(args::crate_path(value)?),
            }
            Ok(())
        });

        keys.check(limit.as_ref(), &mut errors);
        // `queue`, `max`, `rate` and `burst` shape the function's own gate, which only a `limit`
        // declares.
        if limit.is_none() && seen.contains("pool") && !seen.contains("limit") {
            for key in keys.gate_shaping_keys() {
                errors.error(
                    key.span(),
                    format!(
                        "`{key}` shapes the function's own gate, which it has only with a \
                         `limit`: add one, as in `limit = 8, {key} = ..`, or set `{key}` on the \
                         pool"
                    ),
                );
            }
        }
        // After an unknown key (likely a misspelt `limit`) or one without a value, its own
        // error says enough.
        if !seen.unknown && !malformed && !seen.contains("limit") && !seen.contains("pool") {
            errors.error(
                Span::call_site(),
                "#[bounded] needs a `limit` (how many calls of this function may run at once), \
                 a `pool` (a shared pool declared with `pool!`), or both: \
                 `#[bounded(limit = 8)]`",
            );
        }
        if let Some(other) = function.attrs.iter().find(|attr| is_bounded(attr)) {
            errors.push(syn::Error::new_spanned(
                other,
                format!(
                    "#[bounded] is applied twice to `{}`; write one attribute with every option, \
                     as in `#[bounded(limit = 8, pool = DB)]`",
                    function.sig.ident
                ),
            ));
        }
        let async_trait = function
            .body
            .as_ref()
            .and_then(|body| async_trait_future(&function.sig, body));
        let body = match (&function.body, &async_trait) {
            (Some(_), Some((_, inner))) => Some(inner.clone()),
            (Some(_), None) if function.sig.asyncness.is_none() => {
                errors.error(function.sig.fn_token.span, not_async_message(&function));
                None
            }
            (Some(body), None) => Some(body.clone()),
            (None, _) if function.sig.asyncness.is_none() => {
                errors.error(
                    function.sig.span(),
                    "#[bounded] goes on an `async fn` with a body; this declaration has none to \
                     bound (a function of an `extern` block, or a trait method without a default \
                     body: put it on the method of each `impl` instead)",
                );
                None
            }
            (None, _) => {
                errors.error(
                    function.sig.span(),
                    "#[bounded] needs the function's body: in a trait, put it on a method with a \
                     default body, or on the method of each `impl`",
                );
                None
            }
        };
        if strategy == Some(Strategy::Settled) && async_trait.is_some() {
            errors.error(
                function.sig.span(),
                "`strategy = \"settled\"` cannot change the return type of an \
                 `#[async_trait]` method, which the trait fixes; use the default strategy, \
                 \"all\", and turn the result into an `Outcome` at the caller",
            );
            strategy = None;
        }
        let mut self_checks = Vec::new();
        if let Some(body) = &body {
            for call in self_calls(&function.sig, body) {
                match call {
                    SelfCall::Certain(span) => errors.error(
                        span,
                        format!(
                            "`{}` calls itself while it holds a permit of its own limit: once \
                             every permit is held by a call waiting for a nested call, none can \
                             finish (a deadlock). Move the recursion into an unbounded helper",
                            function.sig.ident
                        ),
                    ),
                    SelfCall::IfModuleIs(path) => self_checks.push(path),
                }
            }
        }

        let errors = errors.finish().err();
        let strategy = match strategy {
            Some(strategy) => strategy,
            None if seen.contains("strategy") => return (None, errors),
            None => Strategy::All,
        };
        let Some(body) = body else {
            return (None, errors);
        };
        let krate = match krate {
            Some(path) => quote!(#path),
            // A wrong path to a renamed crate: the default path may not resolve either.
            None if seen.contains("crate") => return (None, errors),
            None => quote!(::bounded_async),
        };
        let mut bounded = Bounded {
            krate,
            limit,
            pool,
            strategy,
            function,
            body,
            async_trait: async_trait.map(|(boxed, _)| boxed),
            self_checks,
            keys,
        };
        if errors.is_some() {
            // Behind the errors, no gates: their checks would only repeat what was reported.
            bounded.limit = None;
            bounded.pool = None;
            bounded.self_checks.clear();
        }
        (Some(bounded), errors)
    }

    fn expand(self) -> TokenStream {
        let krate = &self.krate;
        let private = quote!(#krate::__private);
        let name = &self.function.sig.ident;
        // The expansion binds no local of its own: a `let`, even a hygienic one, becomes a
        // pattern when a constant or unit struct of the same name is in scope, so the permits
        // live in the runtime's `call` future. Its items (the semaphore, its limit and the gates) live in a
        // block that holds no user code but the limit and the pool, under names that neither
        // mentions, so no user name can come to mean them, and the body cannot see them.
        let debug = quote!({ ::core::cfg!(debug_assertions) });
        let caller = quote! {
            ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name))
        };
        // The name of the function's own gate, in the registry: its module and name, and for a
        // method (the macro cannot see its type), the file and the line of its name.
        let gate_name = if self.function.sig.receiver().is_some() {
            let location = quote_spanned!(name.span()=> ::core::file!(), ":", ::core::line!());
            quote! {
                ::core::concat!(
                    ::core::module_path!(), "::", ::core::stringify!(#name), "@", #location
                )
            }
        } else {
            caller.clone()
        };
        let self_checks: Vec<_> = self
            .self_checks
            .iter()
            .map(|path| self_check(krate, path))
            .collect();

        // The gates are taken in one fixed order, the function's own limit first, so that two
        // functions sharing a pool cannot each hold what the other waits for. In debug builds,
        // asking for a gate that the task already holds (recursion the macro could not see)
        // panics instead of deadlocking.
        let mut items = TokenStream::new();
        let limit_gate = match &self.limit {
            Some(limit) => {
                let span = limit.span();
                let gate = self.item_name("__BOUNDED_GATE", Span::mixed_site());
                // The limit is evaluated once, in a constant (so a value that is not constant is
                // reported once), and every rule on it is a type error spanned, token for token,
                // at the limit, so that the compiler points there: a node made of tokens of
                // several origins is reported at the whole attribute instead.
                let value = self.item_name("__BOUNDED_LIMIT", span);
                let krate = &respanned(krate, span);
                // The gate's own keys: how high its limit may be raised, and its line's bound.
                let mut policy = TokenStream::new();
                if let Some(max) = &self.keys.max {
                    let max_span = max.value.span();
                    let max_value = self.item_name("__BOUNDED_MAX", max_span);
                    let max_krate = &respanned(krate, max_span);
                    let max_expr = &max.value;
                    items.extend(quote! {
                        const #max_value: usize = #max_krate::rules::limit_value(#max_expr);
                    });
                    if !matches!(max_expr, Expr::Lit(_)) {
                        // Every token of a rule's condition at the `max`, so that it is
                        // reported there.
                        let limit_at_max = Ident::new(&value.to_string(), max_span);
                        items.extend(MAX_LIMIT.checks(max_krate, &max_value, max_span));
                        items.extend(rule(
                            max_krate,
                            max_span,
                            quote!(#max_value >= #limit_at_max),
                            "MaxIsAtLeastTheLimit",
                        ));
                    }
                    policy.extend(quote! {
                        .with_max(#private::max_permits(#max_value, #private::permits(#value)))
                    });
                }
                if let Some(queue) = &self.keys.queue {
                    let queue = &queue.value;
                    policy.extend(quote_spanned!(queue.span()=> .with_queue(#queue)));
                }
                let mut built = quote! {
                    #private::Semaphore::new(#private::permits(#value)) #policy
                };
                if let Some(rate) = self.keys.rate_tokens(krate) {
                    built = quote!(#private::gate_with_rate(#built, #rate));
                }
                items.extend(quote! {
                    const #value: usize = #krate::rules::limit_value(#limit);
                    static #gate: #private::Semaphore =
                        #built
                            .with_name(#gate_name)
                            .listed(&#gate);
                });
                if !matches!(limit, Expr::Lit(_)) {
                    items.extend(ATTRIBUTE_LIMIT.checks(krate, &value, span));
                }
                if let Some(pool) = &self.pool {
                    let capacity = quote_spanned!(span=> #krate::__private::pool_max(&#pool));
                    items.extend(rule(
                        krate,
                        span,
                        quote!(#value <= #capacity),
                        "LimitFitsItsPool",
                    ));
                    if let Some(rate) = &self.keys.rate {
                        // The pool's declared rate is read from its type, as its `max` is.
                        let rate_span = rate.value.literal.span();
                        let rate_krate = &respanned(krate, rate_span);
                        let rate = rate.value.to_tokens(rate_krate, 1);
                        let fits = quote_spanned!(rate_span=>
                            #rate_krate::__private::rate_fits_pool(#rate, &#pool)
                        );
                        items.extend(rule(rate_krate, rate_span, fits, "RateFitsItsPool"));
                    }
                }
                let timers = self.timers();
                quote! {
                    ::core::option::Option::Some(
                        #private::GateRef::limit(&#gate, #gate_name) #timers
                    )
                }
            }
            None => quote!(::core::option::Option::None),
        };
        let pool_gate = match &self.pool {
            Some(pool) => {
                let span = pool.span();
                let private = located_at(&private, span);
                // Without a limit of its own, the function's `wait` and `timeout` go with its
                // pool's gate, for its calls only.
                let timers = match &self.limit {
                    Some(_) => TokenStream::new(),
                    None => self.timers(),
                };
                quote_spanned! {span=>
                    ::core::option::Option::Some(
                        #private::GateRef::pool(&#pool) #timers
                    )
                }
            }
            None => quote!(::core::option::Option::None),
        };
        // `wait` and `timeout` need the runtime's timers (its `tokio` feature).
        if let Some(key) = self.keys.timer_key() {
            let span = key.span();
            let krate = respanned(krate, span);
            items.extend(rule(
                &krate,
                span,
                quote!(#krate::__private::TIMERS),
                "TimersNeedTheTokioFeature",
            ));
        }
        let gates = self.item_name("__BOUNDED_GATES", Span::mixed_site());
        // The gates, and for a pool member without rejecting keys of its own, whether its pool
        // can turn calls away: read from the gates in a const context, so that the pool is
        // named once, here (a wrong path is one error).
        let gates_ident = gates;
        let gates = |tail: TokenStream| {
            quote! {
                {
                    #items
                    #(#self_checks)*
                    static #gates_ident: #private::Gates =
                        #private::Gates::new(#limit_gate, #pool_gate, #caller);
                    #tail
                }
            }
        };
        let gates_with_mode = gates(quote! {
            #private::with_mode::<{ #private::Gates::rejects(&#gates_ident) }>(&#gates_ident)
        });
        let gates = gates(quote!(&#gates_ident));

        let Function {
            attrs,
            vis,
            sig,
            inner_attrs,
            ..
        } = &self.function;
        let statements = &self.body.stmts;
        let declared = match &sig.output {
            ReturnType::Type(_, ty) => (**ty).clone(),
            ReturnType::Default => syn::parse_quote_spanned!(sig.paren_token.span.close()=> ()),
        };
        // The body's output type, named so that `?` and `return` in the body infer as they do
        // in the function as written; `impl Trait` cannot be named there and is inferred.
        let output = match &self.async_trait {
            Some(_) => quote!(_),
            None => {
                let mut nameable = declared.clone();
                InferImplTrait.visit_type_mut(&mut nameable);
                quote!(#nameable)
            }
        };
        let body = match (self.keys.rejecting_key(), &self.pool) {
            // A pool member with no rejecting key of its own: its pool's type says whether the
            // pool can turn calls away, and so which call it is and what its value needs.
            (None, Some(pool)) => {
                let call = quote! {
                    #private::member(#private::Guard::<#debug>, #gates_with_mode, async move {
                        #(#statements)*
                    })
                };
                match self.strategy {
                    Strategy::Settled => quote!(#private::settle_member(#call).await),
                    // At the pool, path and parentheses, so that an output that cannot carry a
                    // rejection is reported there.
                    _ => {
                        let span = pool.span();
                        let krate = located_at(krate, span);
                        quote_spanned! {span=>
                            #krate::rules::PoolOutput::finish(
                                ::core::convert::identity(#call.await)
                            )
                        }
                    }
                }
            }
            (None, None) => {
                let call = quote! {
                    #private::call::<#debug, #output, _>(#gates, async move {
                        #(#statements)*
                    })
                };
                match self.strategy {
                    Strategy::Settled => quote!(#private::settle(#call).await),
                    _ => quote!(#call.await),
                }
            }
            // A call its gates can turn away returns `Ok` of the body's output or `Err` of the
            // rejection, which becomes the function's value: `Err(E::from(rejected))`, or
            // `Outcome::Rejected` when "settled". `rejecting` is named at the key, so that an
            // output that cannot carry a rejection is reported there.
            (Some(key), _) => {
                let call = quote! {
                    #private::gated::<#debug, #output, _>(#gates, async move {
                        #(#statements)*
                    })
                };
                match self.strategy {
                    Strategy::Settled => quote!(#private::settle_gated(#call).await),
                    _ => {
                        let span = key.span();
                        let krate = located_at(krate, span);
                        let rejecting = quote_spanned!(span=> #krate::rules::Rejectable::output);
                        // The argument is a call at the key too (path and parentheses), so
                        // that an output that cannot carry a rejection is reported there.
                        quote_spanned! {span=>
                            #rejecting(::core::convert::identity(#call.await))
                        }
                    }
                }
            }
        };
        let body = match &self.async_trait {
            // `#[async_trait]` made the function return `Box::pin(async move { .. })`: the
            // permit is taken inside that future, as an `async fn` would take it.
            Some(boxed) => quote_spanned!(boxed.span()=> #boxed(async move { #body })),
            None => body,
        };
        let mut sig = sig.clone();
        if self.strategy == Strategy::Settled {
            let output = settled_output(krate, &declared);
            sig.output = syn::parse_quote_spanned!(declared.span()=> -> #output);
        }
        quote! {
            #(#attrs)*
            #vis #sig {
                #(#inner_attrs)*
                #body
            }
        }
    }

    /// The function's `wait` and `timeout`, as the builder calls that set them on a gate, after
    /// the check that the runtime has timers.
    fn timers(&self) -> TokenStream {
        let mut timers = TokenStream::new();
        if let Some(wait) = &self.keys.wait {
            let wait = wait.value.to_tokens();
            timers.extend(quote!(.with_wait(#wait)));
        }
        if let Some(timeout) = &self.keys.timeout {
            let timeout = timeout.value.to_tokens();
            timers.extend(quote!(.with_timeout(#timeout)));
        }
        timers
    }

    /// The name of an item of the expansion, `base` unless the limit, the pool, `max` or `queue`,
    /// the only user code in the item's scope, mentions it: items are not hygienic, so this is how no user name
    /// can come to mean the item.
    fn item_name(&self, base: &str, span: Span) -> Ident {
        let tokens = self
            .limit
            .iter()
            .map(ToTokens::to_token_stream)
            .chain(self.pool.iter().map(ToTokens::to_token_stream))
            .chain(self.keys.max.iter().map(|max| max.value.to_token_stream()))
            .chain(
                self.keys
                    .queue
                    .iter()
                    .map(|queue| queue.value.to_token_stream()),
            );
        Ident::new(&unmentioned_name(base, tokens), span)
    }
}

/// Replaces every `impl Trait` in a type by `_`, so that the type can be written inside the
/// function's body.
struct InferImplTrait;

impl VisitMut for InferImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: Token![_](impl_trait.impl_token.span),
            });
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// The return type of a `strategy = "settled"` function declared to return `declared`:
/// `Outcome<T, E>` for `Result<T, E>` as written, else the public alias `SettledOf<declared>`
/// (for aliases such as `io::Result<T>`). For a type that is not a `Result`, the alias's
/// `SettledOutput` bound is the one error, with its own message, at the return type.
fn settled_output(krate: &TokenStream, declared: &Type) -> TokenStream {
    if let Some((ok, err)) = result_arguments(declared) {
        return quote!(#krate::Outcome<#ok, #err>);
    }
    let span = declared.span();
    let krate = located_at(krate, span);
    quote_spanned!(span=> #krate::SettledOf<#declared>)
}

/// `(T, E)` of a type written `Result<T, E>` (with any path before `Result`).
fn result_arguments(ty: &Type) -> Option<(&Type, &Type)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next(), types.next()) {
        (Some(ok), Some(err), None) => Some((ok, err)),
        _ => None,
    }
}

/// Checks a `limit` for the attribute. It sizes a `static`, so it is always evaluated at compile
/// time: a literal is checked here, and anything else (a constant, a `const fn` call) is handed
/// to const evaluation, whose own "not a constant" error is the right one for a run-time value.
/// A `static` cannot name `Self` or the function's generic parameters, which get a message of
/// their own here; an `impl`'s generic parameters, which the attribute does not see, are
/// reported by the compiler (E0401).
fn attribute_limit(value: &Expr, sig: &Signature) -> syn::Result<Expr> {
    let limit = Limit::from_expr(value, &ATTRIBUTE_LIMIT)?;
    let expr = limit.expr();
    let names = constant_names(expr).unwrap_or_default();
    if names.iter().any(|path| names_self(path)) {
        return Err(syn::Error::new_spanned(
            expr,
            "#[bounded] cannot use `Self` in `limit`: the limit is a `static`, which cannot name \
             `Self`; name the type instead, as in `limit = Worker::JOBS`",
        ));
    }
    let generic = names.iter().find_map(|path| {
        let first = &path.segments.first()?.ident;
        sig.generics.params.iter().find_map(|param| match param {
            syn::GenericParam::Const(param) if param.ident == *first => Some(*path),
            syn::GenericParam::Type(param) if param.ident == *first => Some(*path),
            _ => None,
        })
    });
    if let Some(path) = generic {
        return Err(syn::Error::new_spanned(
            path,
            format!(
                "#[bounded] cannot use the generic parameter `{}` in `limit`: the limit is one \
                 `static` that every instantiation of `{}` shares, so it cannot depend on them; \
                 use a constant",
                path.segments[0].ident, sig.ident
            ),
        ));
    }
    Ok(expr.clone())
}

fn pool_path(value: &Expr) -> syn::Result<Path> {
    match value {
        Expr::Path(ExprPath {
            qself: None, path, ..
        }) => Ok(path.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            "`pool` takes the name of a pool declared with `pool!`, such as `pool = DB`",
        )),
    }
}

fn check_strategy(strategy: Strategy, span: Span) -> syn::Result<()> {
    match strategy {
        Strategy::All | Strategy::Settled => Ok(()),
        other => Err(syn::Error::new(
            span,
            format!(
                "strategy \"{}\" belongs to `join_bounded!`, where it chooses among many futures; \
                 #[bounded] takes \"all\" (the default: each call returns what it returns) or \
                 \"settled\" (each call returns an `Outcome`)",
                other.name()
            ),
        )),
    }
}

/// Whether `attr` is a `#[bounded]` (by any path), applied a second time.
fn is_bounded(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|last| last.ident == "bounded")
}

/// The message for a plain `fn`: add `async`, or, when another attribute already turned the
/// `async fn` into a plain one, the order to write them in.
fn not_async_message(function: &Function) -> String {
    let body = function
        .body
        .as_ref()
        .map(ToTokens::to_token_stream)
        .unwrap_or_default();
    // `block_on` is the one name the body does mention when a runtime's attribute ran first.
    if unmentioned_name("block_on", [body]) != "block_on" {
        "#[bounded] goes on an `async fn`, and an attribute above it (such as `#[tokio::main]` or \
         `#[tokio::test]`) has already turned this one into a plain `fn` that blocks on its body; \
         write `#[bounded(..)]` above that attribute instead"
            .to_owned()
    } else {
        "#[bounded] goes on an `async fn`: its permit is held while the call's body runs, across \
         its `.await`s; add `async`"
            .to_owned()
    }
}

/// The `Box::pin` call and the `async move` block of a method that `#[async_trait]` already
/// rewrote into `fn m(..) -> Pin<Box<dyn Future<Output = T> + ..>> { Box::pin(async move { .. }) }`
/// (the shape tracing-attributes recognises too).
fn async_trait_future(sig: &Signature, body: &Block) -> Option<(Expr, Block)> {
    if sig.asyncness.is_some() || !matches!(sig.output, ReturnType::Type(..)) {
        return None;
    }
    let [syn::Stmt::Expr(Expr::Call(call), None)] = body.stmts.as_slice() else {
        return None;
    };
    let Expr::Path(ExprPath { path, .. }) = &*call.func else {
        return None;
    };
    let is_box_pin = path.segments.len() >= 2
        && path.segments[path.segments.len() - 2].ident == "Box"
        && path.segments[path.segments.len() - 1].ident == "pin";
    match call.args.first() {
        Some(Expr::Async(block))
            if is_box_pin && call.args.len() == 1 && block.capture.is_some() =>
        {
            Some(((*call.func).clone(), block.block.clone()))
        }
        _ => None,
    }
}

/// A call in a bounded function's body that may be a call of the function itself.
enum SelfCall {
    /// `name(..)`, `Self::name(..)` or `self.name(..)`: the function itself.
    Certain(Span),
    /// `crate::..::name(..)`, `self::name(..)` or `super::..::name(..)`: the function itself
    /// when the path's module is the function's, which only the compiler knows.
    IfModuleIs(Path),
}

/// The calls of the function to itself in `body` that can deadlock: those not awaited in place.
/// A call awaited in place (`name(..).await`) cannot be the function itself, since rustc
/// rejects an `async fn` that awaits itself without boxing (E0733); it is another function of
/// the same name, such as a free function wrapped by an associated one. Nested `fn` items,
/// and names bound by parameters, `let`, closures and patterns, shadow the function's name.
fn self_calls(sig: &Signature, body: &Block) -> Vec<SelfCall> {
    struct Finder<'a> {
        name: &'a Ident,
        is_method: bool,
        /// Whether `name` means something else here: a local, a parameter, a nested `fn`.
        shadowed: bool,
        found: Vec<SelfCall>,
    }

    impl Finder<'_> {
        fn binds(&self, pat: &syn::Pat) -> bool {
            struct Binds<'a>(&'a Ident, bool);
            impl<'ast> Visit<'ast> for Binds<'_> {
                fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
                    self.1 |= pat.ident == *self.0;
                    syn::visit::visit_pat_ident(self, pat);
                }
            }
            let mut binds = Binds(self.name, false);
            binds.visit_pat(pat);
            binds.1
        }

        /// Visits `f` with `name` shadowed when `shadows`, restoring the scope after.
        fn scoped(&mut self, shadows: bool, f: impl FnOnce(&mut Self)) {
            let outer = self.shadowed;
            self.shadowed |= shadows;
            f(self);
            self.shadowed = outer;
        }

        fn candidate(&mut self, call: &ExprCall) {
            let Expr::Path(ExprPath {
                qself: None, path, ..
            }) = &*call.func
            else {
                return;
            };
            let segments: Vec<&Ident> = path.segments.iter().map(|s| &s.ident).collect();
            let Some((last, modules)) = segments.split_last() else {
                return;
            };
            if *last != self.name {
                return;
            }
            match modules {
                [] if !self.is_method && !self.shadowed => {
                    self.found.push(SelfCall::Certain(call.span()));
                }
                [owner] if *owner == "Self" => self.found.push(SelfCall::Certain(call.span())),
                [first, ..]
                    if !self.is_method
                        && (*first == "crate" || *first == "self" || *first == "super") =>
                {
                    self.found.push(SelfCall::IfModuleIs(path.clone()));
                }
                _ => {}
            }
        }
    }

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast ExprCall) {
            self.candidate(call);
            syn::visit::visit_expr_call(self, call);
        }

        fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
            let on_self = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("self"));
            if self.is_method && on_self && call.method == *self.name {
                self.found.push(SelfCall::Certain(call.span()));
            }
            syn::visit::visit_expr_method_call(self, call);
        }

        fn visit_expr_await(&mut self, awaited: &'ast syn::ExprAwait) {
            // Awaited in place: not the function itself (see above); its parts may still hold
            // calls.
            match &*awaited.base {
                Expr::Call(call) => syn::visit::visit_expr_call(self, call),
                Expr::MethodCall(call) => syn::visit::visit_expr_method_call(self, call),
                other => self.visit_expr(other),
            }
        }

        fn visit_block(&mut self, block: &'ast Block) {
            let nested_fn = block.stmts.iter().any(|stmt| {
                matches!(stmt, syn::Stmt::Item(syn::Item::Fn(item)) if item.sig.ident == *self.name)
            });
            self.scoped(nested_fn, |this| {
                for stmt in &block.stmts {
                    if let syn::Stmt::Local(local) = stmt {
                        if let Some(init) = &local.init {
                            this.visit_local_init(init);
                        }
                        this.shadowed |= this.binds(&local.pat);
                    } else {
                        this.visit_stmt(stmt);
                    }
                }
            });
        }

        fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
            let shadows = closure.inputs.iter().any(|pat| self.binds(pat));
            self.scoped(shadows, |this| this.visit_expr(&closure.body));
        }

        fn visit_arm(&mut self, arm: &'ast syn::Arm) {
            let shadows = self.binds(&arm.pat);
            self.scoped(shadows, |this| {
                if let Some((_, guard)) = &arm.guard {
                    this.visit_expr(guard);
                }
                this.visit_expr(&arm.body);
            });
        }

        fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
            self.visit_expr(&for_loop.expr);
            let shadows = self.binds(&for_loop.pat);
            self.scoped(shadows, |this| this.visit_block(&for_loop.body));
        }

        fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
            self.visit_expr(&expr.cond);
            let shadows = lets_in(&expr.cond).any(|pat| self.binds(pat));
            self.scoped(shadows, |this| this.visit_block(&expr.then_branch));
            if let Some((_, other)) = &expr.else_branch {
                self.visit_expr(other);
            }
        }

        fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
            self.visit_expr(&expr.cond);
            let shadows = lets_in(&expr.cond).any(|pat| self.binds(pat));
            self.scoped(shadows, |this| this.visit_block(&expr.body));
        }

        fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
    }

    /// The patterns of the `let`s in an `if` or `while` condition (`let` chains included).
    fn lets_in(cond: &Expr) -> Box<dyn Iterator<Item = &syn::Pat> + '_> {
        match cond {
            Expr::Let(expr) => Box::new(std::iter::once(&*expr.pat)),
            Expr::Binary(binary) => Box::new(lets_in(&binary.left).chain(lets_in(&binary.right))),
            Expr::Paren(paren) => lets_in(&paren.expr),
            _ => Box::new(std::iter::empty()),
        }
    }

    let mut finder = Finder {
        name: &sig.ident,
        is_method: sig.receiver().is_some(),
        shadowed: false,
        found: Vec::new(),
    };
    // A parameter of the function's name shadows it in the whole body.
    finder.shadowed = sig.inputs.iter().any(|input| match input {
        syn::FnArg::Typed(typed) => finder.binds(&typed.pat),
        syn::FnArg::Receiver(_) => false,
    });
    finder.visit_block(body);
    finder.found
}
/// A check, at `path`, that the module `path` leads to is not the function's own, so that the
/// call is not the function itself. It is a type error with the rule's message when it is.
fn self_check(krate: &TokenStream, path: &Path) -> TokenStream {
    let span = path.span();
    let krate = respanned(krate, span);
    let segments = &path.segments;
    let modules = segments
        .iter()
        .take(segments.len() - 1)
        .map(|segment| segment.ident.to_string());
    let same_module = quote_spanned! {span=>
        #krate::__private::same_module(::core::module_path!(), &[#(#modules),*])
    };
    rule(&krate, span, quote!(!#same_module), "NotASelfCall")
}
