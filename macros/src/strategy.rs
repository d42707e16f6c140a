//! The strategies, by their names in the macros.

use proc_macro2::Span;
use syn::{Expr, ExprLit, Lit};

use crate::diagnostics::{closest, one_of};

/// How outputs are collected: by a join among many futures, or by `#[bounded]` for each call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Strategy {
    Join,
    All,
    Settled,
    Any,
    Race,
}

/// Every strategy with its name in `strategy = "..."`, in the order the docs list them.
const STRATEGIES: [(Strategy, &str); 5] = [
    (Strategy::Join, "join"),
    (Strategy::All, "all"),
    (Strategy::Settled, "settled"),
    (Strategy::Any, "any"),
    (Strategy::Race, "race"),
];

impl Strategy {
    /// The name as written in `strategy = "..."`.
    pub(crate) fn name(self) -> &'static str {
        STRATEGIES
            .iter()
            .find(|(strategy, _)| *strategy == self)
            .map(|(_, name)| *name)
            .expect("every strategy is in the table")
    }

    /// Parses the value of `strategy = "..."`, with a message that says what would be right.
    pub(crate) fn from_expr(value: &Expr) -> syn::Result<(Self, Span)> {
        let names = STRATEGIES.map(|(_, name)| name);
        let Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        }) = value
        else {
            return Err(syn::Error::new_spanned(
                value,
                format!(
                    "`strategy` takes a string literal: one of {}",
                    one_of(&names, '"')
                ),
            ));
        };
        let written = name.value();
        match STRATEGIES.iter().find(|(_, known)| *known == written) {
            Some((strategy, _)) => Ok((*strategy, name.span())),
            None => {
                let list = one_of(&names, '"');
                let message = match closest(&written, &names) {
                    Some(near) => format!(
                        "unknown strategy \"{written}\"; did you mean \"{near}\"? The strategies are {list}"
                    ),
                    None => format!("unknown strategy \"{written}\"; the strategies are {list}"),
                };
                Err(syn::Error::new(name.span(), message))
            }
        }
    }
}
