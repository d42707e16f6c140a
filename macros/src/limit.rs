//! The `limit` option: what can be checked at compile time, and what is left to run time.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote_spanned};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, ExprLit, ExprUnary, Lit, UnOp};

/// A checked `limit` value.
pub(crate) enum Limit {
    /// Literals and constants: checked by the macro where it can, and by const evaluation.
    Const(Expr),
    /// Anything else (`args.jobs`, `n`): a `usize` or `NonZeroUsize` checked when it runs.
    Runtime(Expr),
}

/// The largest limit: a limit counts futures, so it must fit in a `usize` (checked here for
/// 64-bit targets; narrower targets reject larger values in const evaluation).
const MAX: u128 = u64::MAX as u128;

impl Limit {
    /// Classifies `value`, rejecting what can never be a limit, with a span on the offending token.
    pub(crate) fn from_expr(value: &Expr) -> syn::Result<Self> {
        let value = ungroup(value);
        match value {
            Expr::Lit(ExprLit { lit, .. }) => check_literal(lit)?,
            Expr::Unary(ExprUnary {
                op: UnOp::Neg(_),
                expr,
                ..
            }) if matches!(ungroup(expr), Expr::Lit(_)) => {
                return Err(syn::Error::new_spanned(
                    value,
                    format!(
                        "`limit` must be a positive integer, not {}: it is how many futures may run at once",
                        value.to_token_stream()
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

    /// An expression of type `NonZeroUsize`: evaluated in a `const` block for constants, so a
    /// zero constant fails to compile; checked when it runs otherwise.
    pub(crate) fn to_nonzero(&self, krate: &TokenStream) -> TokenStream {
        match self {
            Limit::Const(expr) => quote_spanned! {expr.span()=>
                const { #krate::__private::ConstLimit(#expr).get() }
            },
            Limit::Runtime(expr) => quote_spanned! {expr.span()=>
                #krate::__private::runtime_limit(#expr)
            },
        }
    }
}

fn check_literal(lit: &Lit) -> syn::Result<()> {
    match lit {
        Lit::Int(int) => {
            if !matches!(int.suffix(), "" | "usize") {
                return Err(syn::Error::new(
                    int.span(),
                    format!(
                        "`limit` is a `usize`; write `{}` without the `{}` suffix",
                        int.base10_digits(),
                        int.suffix()
                    ),
                ));
            }
            let value = int.base10_parse::<u128>().unwrap_or(u128::MAX);
            if value == 0 {
                return Err(syn::Error::new(
                    int.span(),
                    "`limit` must be at least 1: with a limit of 0 no future could ever run",
                ));
            }
            if value > MAX {
                return Err(syn::Error::new(
                    int.span(),
                    format!(
                        "`limit` = {} is too large: it must fit in a `usize` (at most {MAX})",
                        int.base10_digits()
                    ),
                ));
            }
            Ok(())
        }
        Lit::Float(float) => Err(syn::Error::new(
            float.span(),
            format!(
                "`limit` must be a whole number, not {}: it is how many futures may run at once",
                float.base10_digits()
            ),
        )),
        Lit::Str(string) => Err(syn::Error::new(
            string.span(),
            format!(
                "`limit` takes an integer, not a string: write `limit = {}`",
                string.value()
            ),
        )),
        other => Err(syn::Error::new(
            other.span(),
            "`limit` must be a positive integer, such as `limit = 8`",
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

/// Looks through the invisible groups that `macro_rules!` wraps around captured expressions.
fn ungroup(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => ungroup(&group.expr),
        other => other,
    }
}
