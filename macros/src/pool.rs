//! `pool!(VIS NAME = CAPACITY)`: a named pool of permits that several functions share.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Visibility, bracketed};

use crate::args;
use crate::diagnostics::{Diagnostics, unmentioned_name};
use crate::duration::Written;
use crate::keys::{GATE_KEYS, GateKeys};
use crate::limit::{Limit, MAX_LIMIT, POOL_CAPACITY, rule};

/// The keys of a pool beside the gate's: a fleet-wide pool's backend and lease.
const POOL_KEYS: [&str; 2] = ["backend", "lease"];

/// `backend = "redis"`, the one backend.
fn parse_backend(key: &Ident, value: &Expr) -> syn::Result<Ident> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        }) if name.value() == "redis" => Ok(key.clone()),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        }) => Err(syn::Error::new(
            name.span(),
            format!(
                "unknown backend \"{}\"; the one backend is \"redis\", for a pool shared by \
                 every process connected to one Redis",
                name.value()
            ),
        )),
        other => Err(syn::Error::new_spanned(
            other,
            "`backend` takes a string literal: `backend = \"redis\"`",
        )),
    }
}

/// `lease = "30s"`: at least a second, so that a renewal a third of a lease apart is not
/// outrun by a round trip to Redis.
fn parse_lease(value: &Expr) -> syn::Result<Written> {
    let lease = Written::from_expr("lease", value)?;
    if lease.duration < std::time::Duration::from_secs(1) {
        return Err(syn::Error::new(
            lease.literal.span(),
            format!(
                "`lease` must be at least 1s: it is renewed a third of a lease apart, and a \
                 shorter one could run out during a round trip to Redis; `{}` is too short",
                lease.literal.value()
            ),
        ));
    }
    Ok(lease)
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Input>(input).and_then(Input::check) {
        Ok((input, capacity)) => input.expand(&capacity),
        Err(error) => error.to_compile_error(),
    }
}

/// `[$crate] #[attrs] VIS NAME = CAPACITY`, with an optional trailing `;`.
struct Input {
    krate: TokenStream,
    attrs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    capacity: Expr,
    /// The gate's keys after the capacity.
    keys: GateKeys,
    /// `backend = "redis"`: a fleet-wide pool.
    backend: Option<Ident>,
    /// Its `lease`.
    lease: Option<(Ident, Written)>,
    /// What was wrong with the keys, reported with the capacity's checks.
    errors: Diagnostics,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let krate;
        bracketed!(krate in input);
        let krate = krate.parse()?;
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name: Ident = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected a pool's name and capacity, as in `pool!(pub DB = 16)`",
            )
        })?;
        input.parse::<Token![=]>().map_err(|_| {
            syn::Error::new(
                name.span(),
                format!("expected `= CAPACITY` after `{name}`, as in `pool!(pub {name} = 16)`"),
            )
        })?;
        let capacity = input.parse()?;
        // The gate's keys, after the capacity: `pool!(pub DB = 16, queue = 128, wait = "1s")`.
        let mut errors = Diagnostics::default();
        let mut keys = GateKeys::default();
        let mut backend = None;
        let mut lease = None;
        if input.parse::<Option<Token![,]>>()?.is_some() {
            let args = args::parse_list(
                input,
                |input| input.peek(Token![;]),
                "expected the pool's keys after its capacity, such as `queue = 128` or \
                 `wait = \"250ms\"`",
                &mut errors,
            );
            let pool_keys: Vec<&str> = GATE_KEYS.iter().copied().chain(POOL_KEYS).collect();
            args::visit(args, &pool_keys, &mut errors, |key, value| {
                match key.to_string().as_str() {
                    "backend" => backend = Some(parse_backend(key, value)?),
                    "lease" => lease = Some((key.clone(), parse_lease(value)?)),
                    _ => keys.apply(key, value).map(|_| ())?,
                }
                Ok(())
            });
        }
        input.parse::<Option<Token![;]>>()?;
        if !input.is_empty() {
            errors.error(
                input.span(),
                "expected the end of `pool!` here: one pool per `pool!`",
            );
        }
        Ok(Input {
            krate,
            attrs,
            vis,
            name,
            capacity,
            keys,
            backend,
            lease,
            errors,
        })
    }
}

impl Input {
    /// Checks the capacity. The pool is a `static`, so the capacity is always evaluated at
    /// compile time: a literal is checked here, and anything else (a constant, a `const fn`
    /// call) is handed to const evaluation, whose own "not a constant" error is the right one for
    /// a run-time value.
    fn check(mut self) -> syn::Result<(Self, Expr)> {
        let mut errors = std::mem::take(&mut self.errors);
        let capacity = match Limit::from_expr(&self.capacity, &POOL_CAPACITY) {
            Ok(Limit::Const(capacity) | Limit::Runtime(capacity)) => Some(capacity),
            Err(error) => {
                errors.push(error);
                None
            }
        };
        self.keys.check(capacity.as_ref(), &mut errors);
        match (&self.backend, &self.lease) {
            (None, Some((key, _))) => errors.error(
                key.span(),
                "`lease` is how long a fleet-wide pool's permit lasts without renewal; it goes \
                 with `backend = \"redis\"`",
            ),
            (Some(_), Some((_, lease))) => {
                if let Some(wait) = &self.keys.wait
                    && lease.duration <= wait.value.duration
                {
                    errors.error(
                        lease.literal.span(),
                        format!(
                            "`lease` must be longer than the pool's `wait` ({}), or a call could \
                             wait past the end of the leases it waits for",
                            wait.value.literal.value()
                        ),
                    );
                }
            }
            _ => {}
        }
        errors.finish()?;
        let capacity = capacity.expect("a capacity that did not parse was reported");
        Ok((self, capacity))
    }

    fn expand(&self, capacity: &Expr) -> TokenStream {
        let Input {
            krate,
            attrs,
            vis,
            name,
            keys,
            ..
        } = self;
        let span = capacity.span();
        // The type's arguments as written, which rustdoc shows (`Pool<16>`, `Pool<MAX>`,
        // `Pool<16, 64, true>`, and with a rate of 100/s, `Pool<16, 16, false, 10000000>`), so the compiler reports a value that is not a constant `usize`
        // there, once. A literal or a bare name is an argument as it is; any other expression
        // (a path with `::` included) needs braces.
        let argument = |value: &Expr| match value {
            Expr::Lit(_) => value.to_token_stream(),
            Expr::Path(path) if path.path.get_ident().is_some() => value.to_token_stream(),
            _ => quote_spanned!(value.span()=> { #value }),
        };
        // A fleet-wide pool can turn calls away: its Redis may be out of reach.
        let rejects = keys.rejecting_key().is_some() || self.backend.is_some();
        // A literal of the macro's own (rustdoc renders a span of the user's as its source).
        let pace = keys
            .rate
            .as_ref()
            .map(|rate| Literal::u64_unsuffixed(rate.value.pace()));
        let mut arguments = vec![argument(capacity)];
        if keys.max.is_some() || rejects || pace.is_some() {
            arguments.push(match &keys.max {
                Some(max) => argument(&max.value),
                None => argument(capacity),
            });
        }
        if rejects || pace.is_some() {
            arguments.push(if rejects { quote!(true) } else { quote!(false) });
        }
        if let Some(pace) = pace {
            arguments.push(pace.into_token_stream());
        }
        let mut builder = quote! {
            .with_name(::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)))
        };
        if let Some(queue) = &keys.queue {
            let queue = &queue.value;
            builder.extend(quote_spanned!(queue.span()=> .with_queue(#queue)));
        }
        if let Some(wait) = &keys.wait {
            let wait = wait.value.to_tokens();
            builder.extend(quote!(.with_wait(#wait)));
        }
        if let Some(timeout) = &keys.timeout {
            let timeout = timeout.value.to_tokens();
            builder.extend(quote!(.with_timeout(#timeout)));
        }
        let mut built = quote!(#krate::__private::pool() #builder);
        if let Some(rate) = keys.rate_tokens(krate) {
            built = quote!(#krate::__private::pool_with_rate(#built, #rate));
        }
        if self.backend.is_some() {
            let lease = match &self.lease {
                Some((_, lease)) => lease.to_tokens(),
                None => quote!(::core::time::Duration::from_secs(30)),
            };
            built = quote!(#krate::__private::pool_with_redis(#built, #lease));
        }
        let item = quote! {
            #(#attrs)*
            #vis static #name: #krate::Pool<#(#arguments),*> = #built .listed(&#name);
        };

        // The rules the macro could not check itself are checked in an item beside the static,
        // each a type error with its message at its key: every token of the checked types is
        // spanned there, and `$crate`, which resolves through its own span, is named through an
        // alias. The item's own items take names that the keys do not mention.
        let mentioned = || {
            [capacity.to_token_stream()]
                .into_iter()
                .chain(keys.max.iter().map(|max| max.value.to_token_stream()))
        };
        let alias = Ident::new(&unmentioned_name("__bounded_async", mentioned()), span);
        let value = Ident::new(&unmentioned_name("__BOUNDED_CAPACITY", mentioned()), span);
        let mut checks = TokenStream::new();
        if !matches!(capacity, Expr::Lit(_)) {
            checks.extend(POOL_CAPACITY.checks(&quote_spanned!(span=> #alias), &value, span));
        }
        if let Some(max) = &keys.max {
            let max_span = max.value.span();
            let max_alias = Ident::new(&alias.to_string(), max_span).into_token_stream();
            let max_value = Ident::new(&unmentioned_name("__BOUNDED_MAX", mentioned()), max_span);
            let max_expr = &max.value;
            // Every token of a rule's condition at the `max`, so that it is reported there.
            let capacity_at_max = Ident::new(&value.to_string(), max_span);
            checks.extend(quote!(const #max_value: usize = #max_expr;));
            if !matches!((capacity, max_expr), (Expr::Lit(_), Expr::Lit(_))) {
                checks.extend(MAX_LIMIT.checks(&max_alias, &max_value, max_span));
                checks.extend(rule(
                    &max_alias,
                    max_span,
                    quote!(#max_value >= #capacity_at_max),
                    "MaxIsAtLeastTheLimit",
                ));
            }
        }
        if let Some(key) = keys.timer_key() {
            let key_span = key.span();
            let key_alias = Ident::new(&alias.to_string(), key_span).into_token_stream();
            checks.extend(rule(
                &key_alias,
                key_span,
                quote!(#key_alias::__private::TIMERS),
                "TimersNeedTheTokioFeature",
            ));
        }
        if let Some(key) = &self.backend {
            let key_span = key.span();
            let key_alias = Ident::new(&alias.to_string(), key_span).into_token_stream();
            checks.extend(rule(
                &key_alias,
                key_span,
                quote!(#key_alias::__private::REDIS),
                "RedisNeedsTheRedisFeature",
            ));
        }
        if checks.is_empty() {
            return item;
        }
        quote! {
            #item
            const _: () = {
                use #krate as #alias;
                const #value: usize = #capacity;
                #checks
            };
        }
    }
}
