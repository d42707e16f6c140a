//! `pool!(VIS NAME = CAPACITY)`: a named pool of permits that several functions share.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Visibility, bracketed};

use crate::diagnostics::located_at;
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
    fn check(self) -> syn::Result<(Self, Expr)> {
        let capacity = match Limit::from_expr(&self.capacity, &POOL_CAPACITY) {
            Ok(Limit::Const(expr)) => expr,
            Ok(Limit::Runtime(expr)) => {
                return Err(syn::Error::new_spanned(
                    expr,
                    "a pool's capacity must be a constant (a literal, or a constant such as \
                     `MAX_CONNS`): the pool is a `static`",
                ));
            }
            Err(error) => return Err(error),
        };
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
        let capacity = quote_spanned!(span=> { #private::pool_limit(#capacity) });
        quote! {
            #(#attrs)*
            #vis static #name: #krate::Pool<#capacity> = #krate::Pool::new();
        }
    }
}
