//! `#[bounded(...)]` on an `async fn`: parse the options and the function, check them, then
//! expand.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    Attribute, Block, Expr, ExprCall, ExprMethodCall, ExprPath, GenericArgument, Ident, Path,
    PathArguments, ReturnType, Signature, Token, Type, Visibility, braced,
};

use crate::args::{self, Arg};
use crate::diagnostics::{Diagnostics, located_at};
use crate::limit::{ATTRIBUTE_LIMIT, Limit};
use crate::strategy::Strategy;

const KEYS: &[&str] = &["limit", "pool", "strategy", "crate"];

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match Bounded::from_tokens(args, item.clone()) {
        Ok(bounded) => bounded.expand(),
        // The function as written stays next to the errors, so that one mistake does not
        // cascade into "cannot find function" errors and IDEs keep working.
        Err(error) => {
            let errors = error.to_compile_error();
            quote!(#errors #item)
        }
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
    body: Block,
}

impl Bounded {
    /// Parses and checks the options and the function, reporting every error at once.
    fn from_tokens(args: TokenStream, item: TokenStream) -> syn::Result<Self> {
        let mut errors = Diagnostics::default();
        let args = Punctuated::<Arg, Token![,]>::parse_terminated
            .parse2(args)
            .map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected options such as `limit = 8`, `pool = DB`, `strategy = \"settled\"`",
                )
            })?;
        let function: Function = syn::parse2(item)?;

        let mut limit: Option<Expr> = None;
        let mut pool: Option<Path> = None;
        let mut strategy: Option<Strategy> = None;
        let mut krate: Option<Path> = None;
        let seen = args::visit(args, KEYS, &mut errors, |key, value| {
            match key {
                "limit" => limit = Some(attribute_limit(value)?),
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

        // After an unknown key (likely a misspelt `limit`), its suggestion says enough.
        if !seen.unknown && !seen.contains("limit") && !seen.contains("pool") {
            errors.error(
                Span::call_site(),
                "#[bounded] needs a `limit` (how many calls of this function may run at once), \
                 a `pool` (a shared pool declared with `pool!`), or both: \
                 `#[bounded(limit = 8)]`",
            );
        }
        if function.sig.asyncness.is_none() {
            errors.error(
                function.sig.fn_token.span,
                "#[bounded] goes on an `async fn`: its permit is held while the call's body runs, \
                 across its `.await`s; add `async`",
            );
        }
        let body = match &function.body {
            Some(body) => Some(body.clone()),
            None => {
                errors.error(
                    function.sig.span(),
                    "#[bounded] needs the function's body: in a trait, put it on a method with a \
                     default body, or on the method of each `impl`",
                );
                None
            }
        };
        if strategy == Some(Strategy::Settled)
            && let Err(error) = check_settled_return(&function.sig)
        {
            errors.push(error);
        }
        if let Some(body) = &body {
            for call in self_calls(&function.sig, body) {
                errors.error(
                    call,
                    format!(
                        "`{}` calls itself while it holds a permit of its own limit: once every \
                         permit is held by a call waiting for a nested call, none can finish (a \
                         deadlock). Move the recursion into an unbounded helper",
                        function.sig.ident
                    ),
                );
            }
        }
        errors.finish()?;

        Ok(Bounded {
            krate: match krate {
                Some(path) => quote!(#path),
                None => quote!(::bounded_async),
            },
            limit,
            pool,
            strategy: strategy.unwrap_or(Strategy::All),
            function,
            body: body.expect("a missing body was reported"),
        })
    }

    fn expand(self) -> TokenStream {
        let krate = &self.krate;
        let mut setup = TokenStream::new();

        // Each semaphore is taken in one fixed order, the function's own limit first, so that two
        // functions sharing a pool cannot each hold what the other waits for. A free permit is
        // taken without building the `acquire` future (callgrind: 15 instructions over an
        // unannotated call instead of 35);
        // `try_acquire` refuses while anyone waits, so queued callers keep their turn.
        if let Some(limit) = &self.limit {
            let span = limit.span();
            let private = located_at(&quote!(#krate::__private), span);
            let permit = Ident::new("__bounded_limit_permit", Span::mixed_site());
            setup.extend(quote_spanned! {span=>
                static __BOUNDED_LIMIT: #private::Semaphore =
                    #private::Semaphore::new(#private::attribute_limit(#limit));
                let #permit = match __BOUNDED_LIMIT.try_acquire() {
                    ::core::option::Option::Some(permit) => permit,
                    ::core::option::Option::None => __BOUNDED_LIMIT.acquire().await,
                };
            });
        }
        if let Some(pool) = &self.pool {
            let span = pool.span();
            let private = located_at(&quote!(#krate::__private), span);
            let permit = Ident::new("__bounded_pool_permit", Span::mixed_site());
            if let Some(limit) = &self.limit {
                setup.extend(quote_spanned! {span=>
                    const _: () = #private::check_limit_within_pool(
                        #private::attribute_limit(#limit),
                        #private::pool_capacity(&#pool),
                    );
                });
            }
            setup.extend(quote_spanned! {span=>
                let #permit = match #pool.try_acquire() {
                    ::core::option::Option::Some(permit) => permit,
                    ::core::option::Option::None => #pool.acquire().await,
                };
            });
        }

        let Function {
            attrs,
            vis,
            sig,
            inner_attrs,
            ..
        } = &self.function;
        let statements = &self.body.stmts;
        match self.strategy {
            Strategy::Settled => {
                let declared = match &sig.output {
                    ReturnType::Type(_, ty) => (**ty).clone(),
                    ReturnType::Default => {
                        syn::parse_quote_spanned!(sig.paren_token.span.close()=> ())
                    }
                };
                let mut sig = sig.clone();
                let output = settled_output(krate, &declared);
                sig.output = syn::parse_quote_spanned!(declared.span()=> -> #output);
                quote! {
                    #(#attrs)*
                    #vis #sig {
                        #(#inner_attrs)*
                        #setup
                        #krate::__private::settle::<#declared, _>(async move {
                            #(#statements)*
                        })
                        .await
                    }
                }
            }
            // The body's statements follow the set-up directly (the permits' names are hygienic,
            // so the body cannot see them), keeping the body's type inference as written.
            _ => quote! {
                #(#attrs)*
                #vis #sig {
                    #(#inner_attrs)*
                    #setup
                    #(#statements)*
                }
            },
        }
    }
}

/// The return type of a `strategy = "settled"` function declared to return `declared`:
/// `Outcome<T, E>` for `Result<T, E>` as written, else the `Ok` and `Err` of `declared` as
/// `SettledOutput` (for aliases such as `io::Result<T>`, and to report a non-`Result` type).
fn settled_output(krate: &TokenStream, declared: &Type) -> TokenStream {
    if let Some((ok, err)) = result_arguments(declared) {
        return quote!(#krate::Outcome<#ok, #err>);
    }
    let span = declared.span();
    let private = located_at(&quote!(#krate::__private), span);
    quote_spanned! {span=>
        #krate::Outcome<
            <#declared as #private::SettledReturn>::Ok,
            <#declared as #private::SettledReturn>::Err,
        >
    }
}

/// Rejects, with one clear message, return types that are plainly not a `Result`. Other types
/// (such as an alias of `Result` under another name) are checked by the compiler, through the
/// `SettledReturn` trait.
fn check_settled_return(sig: &Signature) -> syn::Result<()> {
    let name = &sig.ident;
    let message = |returns: String| {
        format!(
            "`strategy = \"settled\"` needs a function that returns `Result<T, E>` (each call \
             then returns `Outcome<T, E>`), but `{name}` returns {returns}; use the default \
             strategy, \"all\", for other return types"
        )
    };
    let ty = match &sig.output {
        ReturnType::Default => {
            return Err(syn::Error::new(
                sig.paren_token.span.close(),
                message("`()`".to_owned()),
            ));
        }
        ReturnType::Type(_, ty) => &**ty,
    };
    let plainly_not_result = match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.len() == 1
                && matches!(
                    path.path.segments[0].ident.to_string().as_str(),
                    "bool"
                        | "char"
                        | "str"
                        | "String"
                        | "Option"
                        | "Vec"
                        | "Box"
                        | "Outcome"
                        | "u8"
                        | "u16"
                        | "u32"
                        | "u64"
                        | "u128"
                        | "usize"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "i128"
                        | "isize"
                        | "f32"
                        | "f64"
                )
        }
        Type::Path(_) | Type::Group(_) | Type::Paren(_) | Type::Macro(_) => false,
        _ => true,
    };
    if plainly_not_result {
        let returns = format!("`{}`", ty.to_token_stream())
            .replace(" < ", "<")
            .replace(" >", ">");
        return Err(syn::Error::new_spanned(ty, message(returns)));
    }
    Ok(())
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

/// Checks a `limit` for the attribute: a constant, since it sizes a `static`.
fn attribute_limit(value: &Expr) -> syn::Result<Expr> {
    match Limit::from_expr(value, &ATTRIBUTE_LIMIT)? {
        Limit::Const(expr) if names_self(&expr) => Err(syn::Error::new_spanned(
            &expr,
            "#[bounded] cannot use `Self` in `limit`: the limit is a `static`, which cannot name \
             `Self`; name the type instead, as in `limit = Worker::JOBS`",
        )),
        Limit::Const(expr) => Ok(expr),
        Limit::Runtime(expr) => Err(syn::Error::new_spanned(
            expr,
            "#[bounded] needs a constant `limit` (a literal, or a constant such as `MAX_CONNS`): \
             it sizes a `static` shared by every call. For a limit read at run time, use a \
             `Semaphore` or `join_bounded!`",
        )),
    }
}

/// Whether a constant expression names `Self` (as in `Self::JOBS`).
fn names_self(expr: &Expr) -> bool {
    match expr {
        Expr::Path(path) => path
            .path
            .segments
            .first()
            .is_some_and(|first| first.ident == "Self"),
        Expr::Paren(paren) => names_self(&paren.expr),
        Expr::Group(group) => names_self(&group.expr),
        Expr::Cast(cast) => names_self(&cast.expr),
        Expr::Binary(binary) => names_self(&binary.left) || names_self(&binary.right),
        _ => false,
    }
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

/// The spans of calls of the function to itself in `body`: `name(..)`, `Self::name(..)` and
/// `self.name(..)`. Nested `fn` items are other functions and are not searched.
fn self_calls(sig: &Signature, body: &Block) -> Vec<Span> {
    struct Finder<'a> {
        name: &'a Ident,
        is_method: bool,
        found: Vec<Span>,
    }

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast ExprCall) {
            if let Expr::Path(ExprPath {
                qself: None, path, ..
            }) = &*call.func
            {
                let segments: Vec<&Ident> = path.segments.iter().map(|s| &s.ident).collect();
                let direct = match segments.as_slice() {
                    [name] => !self.is_method && *name == self.name,
                    [owner, name] => *owner == "Self" && *name == self.name,
                    _ => false,
                };
                if direct {
                    self.found.push(call.span());
                }
            }
            syn::visit::visit_expr_call(self, call);
        }

        fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
            let on_self = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("self"));
            if self.is_method && on_self && call.method == *self.name {
                self.found.push(call.span());
            }
            syn::visit::visit_expr_method_call(self, call);
        }

        fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
    }

    let mut finder = Finder {
        name: &sig.ident,
        is_method: sig.receiver().is_some(),
        found: Vec::new(),
    };
    finder.visit_block(body);
    finder.found
}
