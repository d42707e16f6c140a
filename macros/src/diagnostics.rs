//! Collecting every error of one macro call, so that all of them are reported at once.

use proc_macro2::{Span, TokenStream};
use std::fmt::Display;

/// The errors found so far in one macro call.
#[derive(Default)]
pub(crate) struct Diagnostics {
    error: Option<syn::Error>,
}

impl Diagnostics {
    /// Records an error at `span`.
    pub(crate) fn error(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.error {
            Some(first) => first.combine(error),
            None => self.error = Some(error),
        }
    }

    /// Whether nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.error.is_none()
    }

    /// `Ok` when nothing was recorded; otherwise every recorded error.
    pub(crate) fn finish(self) -> syn::Result<()> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// The closest of `candidates` to `input`, if any is close enough to be a likely typo.
pub(crate) fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(input, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(3) / 3).max(1) + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `a`, `b` and `c` as "`a`, `b`, `c`", quoted with `quote` (a backtick or a double quote).
pub(crate) fn one_of(candidates: &[&str], quote: char) -> String {
    candidates
        .iter()
        .map(|c| format!("{quote}{c}{quote}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `tokens` shown at `location` in diagnostics, still resolved as before (this keeps `$crate`
/// working while errors point at the user's code rather than at the whole macro call).
pub(crate) fn located_at(tokens: &TokenStream, location: Span) -> TokenStream {
    map_spans(tokens, &|span| span.located_at(location))
}

/// `tokens` with every span replaced by `span`, resolution included: for paths that name no
/// `$crate`, in nodes that the compiler must report at `span` (a node made of tokens of several
/// origins is reported at the whole macro call).
pub(crate) fn respanned(tokens: &TokenStream, span: Span) -> TokenStream {
    map_spans(tokens, &|_| span)
}

fn map_spans(tokens: &TokenStream, map: &dyn Fn(Span) -> Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut mapped =
                    proc_macro2::Group::new(group.delimiter(), map_spans(&group.stream(), map));
                mapped.set_span(map(group.span()));
                token = proc_macro2::TokenTree::Group(mapped);
            } else {
                token.set_span(map(token.span()));
            }
            token
        })
        .collect()
}

/// `base`, or `base` with `_`s appended, whichever first is not an identifier anywhere in
/// `tokens`: the name of an item of an expansion whose scope holds `tokens` of the user's.
/// Items are not hygienic, so this is how no user name can come to mean the item.
pub(crate) fn unmentioned_name(
    base: &str,
    tokens: impl IntoIterator<Item = TokenStream>,
) -> String {
    fn collect(tokens: TokenStream, into: &mut Vec<String>) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Ident(ident) => into.push(ident.to_string()),
                proc_macro2::TokenTree::Group(group) => collect(group.stream(), into),
                _ => {}
            }
        }
    }
    let mut mentioned = Vec::new();
    for stream in tokens {
        collect(stream, &mut mentioned);
    }
    let mut name = String::from(base);
    while mentioned.contains(&name) {
        name.push('_');
    }
    name
}

/// Levenshtein distance, case-insensitive (so `Limit` suggests `limit`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let keys = ["limit", "strategy", "crate"];
        assert_eq!(closest("limt", &keys), Some("limit"));
        assert_eq!(closest("Limit", &keys), Some("limit"));
        assert_eq!(closest("stratgey", &keys), Some("strategy"));
        assert_eq!(closest("krate", &keys), Some("crate"));
        assert_eq!(closest("timeout", &keys), None);
        let strategies = ["join", "all", "settled", "any", "race"];
        assert_eq!(closest("setled", &strategies), Some("settled"));
        // JavaScript's name for it.
        assert_eq!(closest("allSettled", &strategies), Some("settled"));
        assert_eq!(closest("first", &strategies), None);
    }
}
