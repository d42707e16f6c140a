//! The `limit` option: what can be checked at compile time, and what is left to run time.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote_spanned};
use syn::spanned::Spanned;

use crate::diagnostics::{located_at, unmentioned_name};
use syn::{BinOp, Expr, ExprLit, ExprUnary, Lit, UnOp};

/// A checked `limit` value.
pub(crate) enum Limit {
    /// Literals and constants: checked by the macro where it can, and by const evaluation.
    Const(Expr),
    /// Anything else (`args.jobs`, `n`): a `usize` or `NonZeroUsize` checked when it runs.
    Runtime(Expr),
}

/// What a limit is called in messages, its largest value and why.
pub(crate) struct Rules {
    name: &'static str,
    max: u128,
    why: &'static str,
}

/// `join_bounded!`'s `limit`: it counts futures, so it must fit in a `usize` (checked here for
/// 64-bit targets; narrower targets reject larger values in const evaluation).
pub(crate) const JOIN_LIMIT: Rules = Rules {
    name: "`limit`",
    max: u64::MAX as u128,
    why: "it must fit in a `usize`",
};

/// `#[bounded]`'s `limit`: the most permits a semaphore holds (`bounded_async::MAX_PERMITS` on
/// 64-bit targets; narrower targets reject larger values in const evaluation).
pub(crate) const ATTRIBUTE_LIMIT: Rules = Rules {
    name: "`limit`",
    max: (u64::MAX >> 1) as u128,
    why: "a semaphore holds at most `MAX_PERMITS` permits",
};

/// `pool!`'s capacity, likewise.
pub(crate) const POOL_CAPACITY: Rules = Rules {
    name: "a pool's capacity",
    ..ATTRIBUTE_LIMIT
};

impl Limit {
    /// Classifies `value`, rejecting what can never be a limit, with a span on the offending token.
    pub(crate) fn from_expr(value: &Expr, rules: &Rules) -> syn::Result<Self> {
        // Outer parentheses are dropped, or the expansion would warn about them (`unused_parens`).
        let value = unparen(value);
        match value {
            Expr::Lit(ExprLit { lit, .. }) => check_literal(lit, rules)?,
            Expr::Unary(ExprUnary {
                op: UnOp::Neg(_),
                expr,
                ..
            }) if matches!(ungroup(expr), Expr::Lit(_)) => {
                return Err(syn::Error::new_spanned(
                    value,
                    format!(
                        "{} must be a positive integer, not -{}: it is how many may run at once",
                        rules.name,
                        expr.to_token_stream()
                    ),
                ));
            }
            _ => {}
        }
        Ok(if is_constant(value) {
            Limit::Const(value.clone())
        } else {
            Limit::Runtime(value.clone())
        })
    }

    /// An expression of type `NonZeroUsize`. A constant is evaluated in a `const` item, which
    /// rustc evaluates even under `cargo check`, so a zero constant fails to compile; a
    /// constant that names `Self` or a generic parameter cannot live in an item and is checked
    /// in an inline `const` block instead, when the function is compiled for a caller. Anything
    /// else is checked when it runs.
    pub(crate) fn to_nonzero(&self, krate: &TokenStream) -> TokenStream {
        let (Limit::Const(expr) | Limit::Runtime(expr)) = self;
        let krate = &located_at(krate, expr.span());
        match self {
            Limit::Const(expr) if needs_inline_const(expr) => quote_spanned! {expr.span()=>
                const { #krate::__private::join_limit(#krate::rules::limit_value(#expr)) }
            },
            Limit::Const(expr) => {
                // A `const` item, which rustc evaluates even under `cargo check`, and a rule
                // that it is not 0: a type error with its message at the limit, every token of
                // the checked type spanned there, with `$crate` (which resolves through its own
                // span) named through an alias. Items are not hygienic, so their names are ones
                // the limit does not mention.
                let span = expr.span();
                let tokens = || [expr.to_token_stream()];
                let name = unmentioned_name("__BOUNDED_LIMIT", tokens());
                let name = proc_macro2::Ident::new(&name, span);
                let alias = unmentioned_name("__bounded_async", tokens());
                let alias = proc_macro2::Ident::new(&alias, span);
                let evaluate = quote_spanned! {span=>
                    const #name: usize = #alias::rules::limit_value(#expr);
                    let _: <#alias::rules::Check<{ #name != 0 }>
                        as #alias::rules::JoinLimitIsNotZero>::Passes;
                };
                quote_spanned! {span=>
                    {
                        use #krate as #alias;
                        #evaluate
                        #alias::__private::join_limit(#name)
                    }
                }
            }
            Limit::Runtime(expr) => quote_spanned! {expr.span()=>
                #krate::__private::runtime_limit(#expr)
            },
        }
    }
}

fn check_literal(lit: &Lit, rules: &Rules) -> syn::Result<()> {
    let name = rules.name;
    match lit {
        Lit::Int(int) => {
            if !matches!(int.suffix(), "" | "usize") {
                return Err(syn::Error::new(
                    int.span(),
                    format!(
                        "{name} is a `usize`; write `{}` without the `{}` suffix",
                        int.base10_digits(),
                        int.suffix()
                    ),
                ));
            }
            let value = int.base10_parse::<u128>().unwrap_or(u128::MAX);
            if value == 0 {
                return Err(syn::Error::new(
                    int.span(),
                    format!("{name} must be at least 1: with 0, nothing could ever run"),
                ));
            }
            if value > rules.max {
                return Err(syn::Error::new(
                    int.span(),
                    format!(
                        "{name} {} is too large: {} (at most {})",
                        int.base10_digits(),
                        rules.why,
                        rules.max
                    ),
                ));
            }
            Ok(())
        }
        Lit::Float(float) => Err(syn::Error::new(
            float.span(),
            format!(
                "{name} must be a whole number, not {}: it is how many may run at once",
                float.base10_digits()
            ),
        )),
        Lit::Str(string) => Err(syn::Error::new(
            string.span(),
            format!(
                "{name} is an integer, not a string: write {} without the quotes",
                string.value()
            ),
        )),
        other => Err(syn::Error::new(
            other.span(),
            format!("{name} must be a positive integer, such as 8"),
        )),
    }
}

/// Whether `expr` is made only of integer literals and constants (paths in SCREAMING_SNAKE_CASE),
/// so that it can be evaluated at compile time.
fn is_constant(expr: &Expr) -> bool {
    match ungroup(expr) {
        Expr::Lit(ExprLit {
            lit: Lit::Int(_), ..
        }) => true,
        Expr::Path(path) => {
            path.qself.is_none()
                && path.path.segments.last().is_some_and(|last| {
                    last.arguments.is_none() && is_screaming(&last.ident.to_string())
                })
        }
        Expr::Paren(paren) => is_constant(&paren.expr),
        Expr::Cast(cast) => is_constant(&cast.expr),
        Expr::Binary(binary) => {
            is_arithmetic(&binary.op) && is_constant(&binary.left) && is_constant(&binary.right)
        }
        _ => false,
    }
}

fn is_arithmetic(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::Add(_)
            | BinOp::Sub(_)
            | BinOp::Mul(_)
            | BinOp::Div(_)
            | BinOp::Rem(_)
            | BinOp::Shl(_)
            | BinOp::Shr(_)
            | BinOp::BitAnd(_)
            | BinOp::BitOr(_)
            | BinOp::BitXor(_)
    )
}

/// `MAX_CONNS`, `LIMIT2`: at least one letter, and no lowercase letters.
fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether a constant expression names `Self` or what is likely a const generic parameter (a
/// one-letter name such as `N`): neither can be used in a nested `const` item.
fn needs_inline_const(expr: &Expr) -> bool {
    match ungroup(expr) {
        Expr::Path(path) => {
            let segments = &path.path.segments;
            segments.first().is_some_and(|first| first.ident == "Self")
                || (segments.len() == 1 && segments[0].ident.to_string().len() == 1)
        }
        Expr::Paren(paren) => needs_inline_const(&paren.expr),
        Expr::Cast(cast) => needs_inline_const(&cast.expr),
        Expr::Binary(binary) => {
            needs_inline_const(&binary.left) || needs_inline_const(&binary.right)
        }
        _ => false,
    }
}

/// Looks through parentheses and invisible groups.
fn unparen(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => unparen(&paren.expr),
        Expr::Group(group) => unparen(&group.expr),
        other => other,
    }
}

/// Looks through the invisible groups that `macro_rules!` wraps around captured expressions.
fn ungroup(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => ungroup(&group.expr),
        other => other,
    }
}
