//! The `key = value` options shared by the macros.

use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, Path, Token};

use crate::diagnostics::{Diagnostics, closest, one_of};

/// One `key = value` option, as written.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `crate` is a keyword, so keys are parsed as any identifier.
        let key = input.call(Ident::parse_any)?;
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Arg { key, value })
    }
}

/// Parses `key = value` options separated by commas, up to the end of `input` or to `stop`. An
/// option that does not parse is reported into `errors` with `message` and skipped up to the
/// next comma, so that the options after it are still read and checked.
pub(crate) fn parse_list(
    input: ParseStream<'_>,
    stop: impl Fn(ParseStream<'_>) -> bool,
    message: &str,
    errors: &mut Diagnostics,
) -> Vec<Arg> {
    let mut args = Vec::new();
    while !input.is_empty() && !stop(input) {
        let fork = input.fork();
        match fork.parse::<Arg>() {
            Ok(arg) if fork.is_empty() || fork.peek(Token![,]) || stop(&fork) => {
                input.advance_to(&fork);
                args.push(arg);
            }
            Ok(_) => errors.error(fork.span(), message),
            Err(error) => {
                // A key without a value that parses (`limit,`) is named.
                match input.fork().call(Ident::parse_any) {
                    Ok(key) => errors.error(
                        key.span(),
                        format!("expected a value for `{key}`, as in `{key} = ..`"),
                    ),
                    Err(_) => errors.error(error.span(), message),
                }
            }
        }
        // After a bad option, skip to the next comma.
        while !input.is_empty() && !input.peek(Token![,]) && !stop(input) {
            let _ = input.parse::<proc_macro2::TokenTree>();
        }
        if input.peek(Token![,]) {
            let _ = input.parse::<Token![,]>();
        }
    }
    args
}

/// What [`visit`] saw of the options.
pub(crate) struct Seen {
    keys: Vec<Ident>,
    /// Whether some key was unknown (and reported, with a suggestion).
    pub(crate) unknown: bool,
}

impl Seen {
    /// Whether `key` was given (even with a bad value).
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.keys.iter().any(|seen| seen == key)
    }
}

/// Hands each option whose key is one of `keys` to `apply`, once; reports a key given twice,
/// an unknown key (with the nearest known one), and whatever `apply` rejects, all into `errors`.
pub(crate) fn visit(
    args: impl IntoIterator<Item = Arg>,
    keys: &[&str],
    errors: &mut Diagnostics,
    mut apply: impl FnMut(&Ident, &Expr) -> syn::Result<()>,
) -> Seen {
    let mut seen = Seen {
        keys: Vec::new(),
        unknown: false,
    };
    for Arg { key, value } in args {
        let name = key.to_string();
        if let Some(first) = seen.keys.iter().find(|seen| **seen == key) {
            let mut error = syn::Error::new(key.span(), format!("`{name}` is set twice"));
            error.combine(syn::Error::new(
                first.span(),
                format!("`{name}` is first set here"),
            ));
            errors.push(error);
            continue;
        }
        let applied = if keys.contains(&name.as_str()) {
            apply(&key, &value)
        } else {
            seen.unknown = true;
            Err(unknown_key(&key, keys))
        };
        if let Err(error) = applied {
            errors.push(error);
        }
        seen.keys.push(key);
    }
    seen
}

fn unknown_key(key: &Ident, keys: &[&str]) -> syn::Error {
    let name = key.to_string();
    let expected = one_of(keys, '`');
    let message = match closest(&name, keys) {
        Some(near) => {
            format!("unknown key `{name}`; did you mean `{near}`? Expected one of {expected}")
        }
        None => format!("unknown key `{name}`; expected one of {expected}"),
    };
    syn::Error::new(key.span(), message)
}

/// The value of `crate = "..."`: the path to the bounded-async crate.
pub(crate) fn crate_path(value: &Expr) -> syn::Result<Path> {
    let message = "`crate` takes the path of the bounded-async crate as a string, such as \
                   `crate = \"::my_reexport::bounded_async\"`";
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(path),
            ..
        }) => path
            .parse::<Path>()
            .map_err(|_| syn::Error::new(path.span(), message)),
        other => Err(syn::Error::new_spanned(other, message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse::Parser;

    fn parse(tokens: &str) -> (Vec<String>, Vec<String>) {
        let mut errors = Diagnostics::default();
        let args = (|input: ParseStream<'_>| {
            Ok(parse_list(
                input,
                |_| false,
                "expected options",
                &mut errors,
            ))
        })
        .parse_str(tokens)
        .expect("parse_list reports its errors");
        let keys = args.iter().map(|arg| arg.key.to_string()).collect();
        let errors = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (keys, errors)
    }

    #[test]
    fn a_bad_option_is_skipped_and_the_others_read() {
        let (keys, errors) = parse("limit, strategy = \"settled\", pool = , crate = \"c\",");
        assert_eq!(keys, ["strategy", "crate"]);
        assert_eq!(
            errors,
            [
                "expected a value for `limit`, as in `limit = ..`",
                "expected a value for `pool`, as in `pool = ..`",
            ]
        );
        let (keys, errors) = parse("limit = 8 8, strategy = \"all\"");
        assert_eq!(keys, ["strategy"]);
        assert_eq!(errors, ["expected options"]);
        let (keys, errors) = parse("= 3, limit = 2");
        assert_eq!(keys, ["limit"]);
        assert_eq!(errors, ["expected options"]);
    }
}
