//! The `limit` option: what can be checked at compile time, and what is left to run time.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, ExprCast, ExprGroup, ExprLit, ExprParen, ExprUnary, Lit, Path, UnOp};

use crate::diagnostics::{located_at, unmentioned_name};

/// A checked `limit` value.
pub(crate) enum Limit {
    /// Literals and constants: checked by the macro where it can, and by const evaluation.
    Const(Expr),
    /// Anything else (`args.jobs`, `n`): a `usize` or `NonZeroUsize` checked when it runs.
    Runtime(Expr),
}

/// What a limit is called in messages, its largest value and why, and the rules (traits of
/// `bounded_async::rules`) that the compiler checks on a value only it knows.
pub(crate) struct Rules {
    name: &'static str,
    max: u128,
    why: &'static str,
    not_zero: &'static str,
    fits_a_semaphore: Option<&'static str>,
}

/// `join_bounded!`'s `limit`: it counts futures, so it must fit in a `usize` (checked here for
/// 64-bit targets; narrower targets reject larger values in const evaluation).
pub(crate) const JOIN_LIMIT: Rules = Rules {
    name: "`limit`",
    max: u64::MAX as u128,
    why: "it must fit in a `usize`",
    not_zero: "JoinLimitIsNotZero",
    fits_a_semaphore: None,
};

/// `#[bounded]`'s `limit`: the most permits a semaphore holds (`bounded_async::MAX_PERMITS`,
/// 2³¹ − 1 on every target).
pub(crate) const ATTRIBUTE_LIMIT: Rules = Rules {
    name: "`limit`",
    max: (1 << 31) - 1,
    why: "a semaphore holds at most `MAX_PERMITS` permits",
    not_zero: "LimitIsNotZero",
    fits_a_semaphore: Some("LimitFitsASemaphore"),
};

/// The `max` key: the highest a gate's limit may be raised to at run time, so it sizes the gate
/// like a limit.
pub(crate) const MAX_LIMIT: Rules = Rules {
    name: "`max`",
    not_zero: "MaxIsNotZero",
    fits_a_semaphore: Some("MaxFitsASemaphore"),
    ..ATTRIBUTE_LIMIT
};

/// `pool!`'s capacity, likewise.
pub(crate) const POOL_CAPACITY: Rules = Rules {
    name: "a pool's capacity",
    not_zero: "CapacityIsNotZero",
    fits_a_semaphore: Some("CapacityFitsASemaphore"),
    ..ATTRIBUTE_LIMIT
};

impl Rules {
    /// The checks of `value`, a constant whose value only the compiler knows: not 0, and within
    /// a semaphore where the value sizes one. `krate` is spanned at `span`, the limit's.
    pub(crate) fn checks(&self, krate: &TokenStream, value: &Ident, span: Span) -> TokenStream {
        let mut checks = rule(krate, span, quote!(#value != 0), self.not_zero);
        if let Some(fits) = self.fits_a_semaphore {
            let fits_a_semaphore = quote_spanned!(span=> #krate::__private::fits_a_semaphore);
            checks.extend(rule(krate, span, quote!(#fits_a_semaphore(#value)), fits));
        }
        checks
    }
}

/// A rule on values known at compile time: a statement that is a type error, with the message
/// of `name` (a trait of `bounded_async::rules`) at `span`, unless `condition` holds. Every
/// token of the checked type is spanned at `span` (a node made of tokens of several origins is
/// reported at the whole macro call), so `krate` must be too.
pub(crate) fn rule(
    krate: &TokenStream,
    span: Span,
    condition: TokenStream,
    name: &str,
) -> TokenStream {
    let name = Ident::new(name, span);
    quote_spanned! {span=>
        let _: <#krate::rules::Check<{ #condition }> as #krate::rules::#name>::Passes;
    }
}

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
            }) if matches!(unparen(expr), Expr::Lit(_)) => {
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
        Ok(match constant_names(value) {
            Some(_) => Limit::Const(value.clone()),
            None => Limit::Runtime(value.clone()),
        })
    }

    /// The expression as written, outer parentheses dropped.
    pub(crate) fn expr(&self) -> &Expr {
        let (Limit::Const(expr) | Limit::Runtime(expr)) = self;
        expr
    }

    /// An expression of type `NonZeroUsize`, for `join_bounded!`.
    ///
    /// A constant made of literals and paths such as `config::MAX` is evaluated in a `const`
    /// item, which rustc evaluates even under `cargo check`, so a zero constant fails to
    /// compile there. A constant that names `Self` or a bare name (`MAX`, `N`) may name a
    /// generic parameter, which a nested item cannot see (E0401), and the macro cannot tell
    /// a generic from a constant; it is evaluated in an inline `const` block, which rustc
    /// evaluates when it compiles the function: for a generic one, once per instantiation.
    /// Anything else is checked when it runs.
    /// `runtime` is the `__private` function that checks a limit known only at run time, whose
    /// panic names the macro.
    pub(crate) fn to_nonzero(&self, krate: &TokenStream, runtime: &str) -> TokenStream {
        let runtime = Ident::new(runtime, Span::call_site());
        let expr = self.expr();
        let span = expr.span();
        let krate = &located_at(krate, span);
        match self {
            Limit::Const(expr) if may_name_a_generic(expr) => quote_spanned! {span=>
                const { #krate::__private::join_limit(#krate::rules::limit_value(#expr)) }
            },
            Limit::Const(expr) => {
                // A `const` item and the rule that it is not 0: a type error with its message
                // at the limit, with `$crate` (which resolves through its own span) named
                // through an alias. Items are not hygienic, so their names are ones the limit
                // does not mention.
                let tokens = || [expr.to_token_stream()];
                let name = Ident::new(&unmentioned_name("__BOUNDED_LIMIT", tokens()), span);
                let alias = Ident::new(&unmentioned_name("__bounded_async", tokens()), span);
                let alias_path = quote_spanned!(span=> #alias);
                let checks = JOIN_LIMIT.checks(&alias_path, &name, span);
                quote_spanned! {span=>
                    {
                        use #krate as #alias;
                        const #name: usize = #alias::rules::limit_value(#expr);
                        #checks
                        #alias::__private::join_limit(#name)
                    }
                }
            }
            Limit::Runtime(expr) => quote_spanned! {span=>
                #krate::__private::#runtime(#expr)
            },
        }
    }
}

/// Whether a constant expression names `Self` or a bare name, either of which may be (or
/// depend on) a generic parameter.
fn may_name_a_generic(expr: &Expr) -> bool {
    constant_names(expr)
        .unwrap_or_default()
        .into_iter()
        .any(|path| names_self(path) || path.segments.len() == 1)
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

/// The names a constant expression is made of: `Some` when `expr` holds only integer literals and
/// constants (paths in SCREAMING_SNAKE_CASE), combined by casts and arithmetic, so that it can be
/// evaluated at compile time; `None` for anything else. The one walker over limit expressions.
pub(crate) fn constant_names(expr: &Expr) -> Option<Vec<&Path>> {
    fn walk<'a>(expr: &'a Expr, names: &mut Vec<&'a Path>) -> bool {
        match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Int(_), ..
            }) => true,
            Expr::Path(path) => {
                let constant = path.qself.is_none()
                    && path.path.segments.last().is_some_and(|last| {
                        last.arguments.is_none() && is_screaming(&last.ident.to_string())
                    });
                names.push(&path.path);
                constant
            }
            Expr::Paren(ExprParen { expr, .. })
            | Expr::Group(ExprGroup { expr, .. })
            | Expr::Cast(ExprCast { expr, .. }) => walk(expr, names),
            Expr::Binary(binary) => {
                is_arithmetic(&binary.op) && walk(&binary.left, names) && walk(&binary.right, names)
            }
            _ => false,
        }
    }
    let mut names = Vec::new();
    walk(expr, &mut names).then_some(names)
}

/// Whether `path` starts with `Self`.
pub(crate) fn names_self(path: &Path) -> bool {
    path.segments
        .first()
        .is_some_and(|first| first.ident == "Self")
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

/// Looks through parentheses and the invisible groups that `macro_rules!` wraps around captured
/// expressions.
pub(crate) fn unparen(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(ExprParen { expr, .. }) | Expr::Group(ExprGroup { expr, .. }) => unparen(expr),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Option<Vec<String>> {
        let expr: Expr = syn::parse_str(expr).expect("an expression");
        constant_names(&expr).map(|paths| {
            paths
                .iter()
                .map(|path| path.to_token_stream().to_string().replace(' ', ""))
                .collect()
        })
    }

    fn generic(expr: &str) -> bool {
        may_name_a_generic(&syn::parse_str(expr).expect("an expression"))
    }

    #[test]
    fn constants_are_literals_and_screaming_paths_in_arithmetic() {
        assert_eq!(names("8"), Some(vec![]));
        assert_eq!(
            names("(2 * MAX + 1) as usize"),
            Some(vec!["MAX".to_owned()])
        );
        assert_eq!(
            names("config::MAX_CONNS / Self::JOBS"),
            Some(vec![
                "config::MAX_CONNS".to_owned(),
                "Self::JOBS".to_owned()
            ])
        );
        assert_eq!(names("jobs"), None);
        assert_eq!(names("MAX.min(4)"), None);
        assert_eq!(names("max_conns()"), None);
        assert_eq!(names("MAX == 4"), None);
        assert_eq!(names("<T as Trait>::MAX"), None);
    }

    #[test]
    fn bare_names_and_self_may_name_generics() {
        assert!(generic("N"));
        assert!(generic("CAPACITY / 2"));
        assert!(generic("Self::JOBS"));
        assert!(!generic("8 * 2"));
        assert!(!generic("config::MAX_CONNS"));
        assert!(!generic("jobs"));
    }

    #[test]
    fn outer_parentheses_are_dropped() {
        let limit = Limit::from_expr(&syn::parse_str("((MAX))").unwrap(), &JOIN_LIMIT)
            .expect("a constant limit");
        assert!(matches!(limit, Limit::Const(Expr::Path(_))));
    }
}
