//! The strategies, by their names in the macros.

use proc_macro2::Span;
use syn::{Expr, ExprLit, Lit};

use crate::diagnostics::{closest, one_of};

/// How a join collects its outputs (API.md, `join_bounded!`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Strategy {
    Join,
    All,
    Settled,
    Any,
    Race,
}

pub(crate) const NAMES: &[&str] = &["join", "all", "settled", "any", "race"];

impl Strategy {
    /// The name as written in `strategy = "..."`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Strategy::Join => "join",
            Strategy::All => "all",
            Strategy::Settled => "settled",
            Strategy::Any => "any",
            Strategy::Race => "race",
        }
    }

    /// Parses the value of `strategy = "..."`, with a message that says what would be right.
    pub(crate) fn from_expr(value: &Expr) -> syn::Result<(Self, Span)> {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        }) = value
        else {
            return Err(syn::Error::new_spanned(
                value,
                format!(
                    "`strategy` takes a string literal: one of {}",
                    one_of(NAMES, '"')
                ),
            ));
        };
        let strategy = match name.value().as_str() {
            "join" => Strategy::Join,
            "all" => Strategy::All,
            "settled" => Strategy::Settled,
            "any" => Strategy::Any,
            "race" => Strategy::Race,
            unknown => {
                let names = one_of(NAMES, '"');
                let message = match closest(unknown, NAMES) {
                    Some(near) => format!(
                        "unknown strategy \"{unknown}\"; did you mean \"{near}\"? The strategies are {names}"
                    ),
                    None => format!("unknown strategy \"{unknown}\"; the strategies are {names}"),
                };
                return Err(syn::Error::new(name.span(), message));
            }
        };
        Ok((strategy, name.span()))
    }
}
