//! `pool!(VIS NAME = CAPACITY)`: a named pool of permits that several functions share.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Visibility, bracketed};

use crate::args;
use crate::diagnostics::{Diagnostics, unmentioned_name};
use crate::keys::{GATE_KEYS, GateKeys};
use crate::limit::{Limit, MAX_LIMIT, POOL_CAPACITY, rule};

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
        if input.parse::<Option<Token![,]>>()?.is_some() {
            let args = args::parse_list(
                input,
                |input| input.peek(Token![;]),
                "expected the pool's keys after its capacity, such as `queue = 128` or \
                 `wait = \"250ms\"`",
                &mut errors,
            );
            args::visit(args, &GATE_KEYS, &mut errors, |key, value| {
                keys.apply(key, value).map(|_| ())
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
        let rejects = keys.rejecting_key().is_some();
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
