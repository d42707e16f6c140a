//! `pool!(VIS NAME = CAPACITY)`: a named pool of permits that several functions share.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Visibility, bracketed};

use crate::diagnostics::unmentioned_name;
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
        // The capacity is evaluated once, in a constant inside the type's own const block (so a
        // wrong type or a value that is not constant is reported once). A literal was checked by
        // the macro; anything else is checked by the compiler, each rule a type error with its
        // message at the capacity: every token of the checked types is spanned there, and
        // `$crate`, which resolves through its own span, is named through an alias. The block's
        // items take names that the capacity does not mention.
        let alias = Ident::new(
            &unmentioned_name("__bounded_async", [capacity.to_token_stream()]),
            span,
        );
        let value = Ident::new(
            &unmentioned_name("__BOUNDED_CAPACITY", [capacity.to_token_stream()]),
            span,
        );
        let checks = (!matches!(capacity, Expr::Lit(_))).then(|| {
            quote_spanned! {span=>
                let _: <#alias::rules::Check<{ #value != 0 }>
                    as #alias::rules::CapacityIsNotZero>::Passes = ();
                let _: <#alias::rules::Check<{ #alias::__private::fits_a_semaphore(#value) }>
                    as #alias::rules::CapacityFitsASemaphore>::Passes = ();
            }
        });
        let evaluate = quote_spanned! {span=>
            const #value: usize = #alias::rules::limit_value(#capacity);
        };
        quote! {
            #(#attrs)*
            #vis static #name: #krate::Pool<{
                use #krate as #alias;
                #evaluate
                #checks
                #alias::__private::permits(#value)
            }> = #krate::Pool::new();
        }
    }
}
