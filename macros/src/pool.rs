//! `pool!(VIS NAME = CAPACITY)`: a named pool of permits that several functions share.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Visibility, bracketed};

use crate::diagnostics::{located_at, unmentioned_name};
use crate::limit::{Limit, POOL_CAPACITY};

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
        input.parse::<Option<Token![;]>>()?;
        Ok(Input {
            krate,
            attrs,
            vis,
            name,
            capacity,
        })
    }
}

impl Input {
    /// Checks the capacity. The pool is a `static`, so the capacity is always evaluated at
    /// compile time: a literal is checked here, and anything else (a constant, a `const fn`
    /// call) is handed to const evaluation, whose own "not a constant" error is the right one for
    /// a run-time value.
    fn check(self) -> syn::Result<(Self, Expr)> {
        let (Limit::Const(capacity) | Limit::Runtime(capacity)) =
            Limit::from_expr(&self.capacity, &POOL_CAPACITY)?;
        Ok((self, capacity))
    }

    fn expand(&self, capacity: &Expr) -> TokenStream {
        let Input {
            krate,
            attrs,
            vis,
            name,
            ..
        } = self;
        let span = capacity.span();
        let private = located_at(&quote!(#krate::__private), span);
        let value = quote_spanned!(span=> #krate::rules::limit_value(#capacity));
        // A literal was checked by the macro; anything else is checked by the compiler, with
        // each rule's message at the capacity.
        // `$crate` keeps its own span (it resolves through it), so the checks name the crate
        // through an alias, and every token of the checked types is spanned at the capacity,
        // which is where the compiler then points.
        let checks = (!matches!(capacity, Expr::Lit(_))).then(|| {
            let alias = unmentioned_name("__bounded_async", [capacity.to_token_stream()]);
            let alias = Ident::new(&alias, span);
            let value = quote_spanned!(span=> #alias::rules::limit_value(#capacity));
            quote_spanned! {span=>
                const _: () = {
                    use #krate as #alias;
                    let _: <#alias::rules::Check<{ #value != 0 }>
                        as #alias::rules::CapacityIsNotZero>::Passes = ();
                    let _: <#alias::rules::Check<{ #alias::__private::fits_a_semaphore(#value) }>
                        as #alias::rules::CapacityFitsASemaphore>::Passes = ();
                };
            }
        });
        quote! {
            #(#attrs)*
            #vis static #name: #krate::Pool<{ #private::permits(#value) }> = #krate::Pool::new();
            #checks
        }
    }
}
