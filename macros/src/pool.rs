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
        let static_item = |capacity: TokenStream| {
            quote! {
                #(#attrs)*
                #vis static #name: #krate::Pool<#capacity> = #krate::__private::pool();
            }
        };
        // A literal was checked by the macro, and is the type's argument as written, which
        // rustdoc shows: `Pool<16>`.
        if let Expr::Lit(_) = capacity {
            return static_item(capacity.to_token_stream());
        }
        // Anything else is the type's argument as written too (`Pool<MAX>`, `Pool<{ MAX / 2 }>`),
        // so the compiler reports a value that is not a constant `usize` there, once. The rules
        // are checked in an item beside the static, each a type error with its message at the
        // capacity: every token of the checked types is spanned there, and `$crate`, which
        // resolves through its own span, is named through an alias. The item's own items take
        // names that the capacity does not mention.
        let alias = Ident::new(
            &unmentioned_name("__bounded_async", [capacity.to_token_stream()]),
            span,
        );
        let value = Ident::new(
            &unmentioned_name("__BOUNDED_CAPACITY", [capacity.to_token_stream()]),
            span,
        );
        let checks = POOL_CAPACITY.checks(&quote_spanned!(span=> #alias), &value, span);
        // A bare name is an argument as it is; any other expression (a path with `::`
        // included) needs braces.
        let argument = match capacity {
            Expr::Path(path) if path.path.get_ident().is_some() => capacity.to_token_stream(),
            _ => quote_spanned!(span=> { #capacity }),
        };
        let item = static_item(argument);
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
