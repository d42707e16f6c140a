//! The gate's keys, which `#[bounded]` and `pool!` share: `wait`, `queue`, `timeout`, `max`,
//! `rate` and `burst`.
//!
//! Each value is parsed by the parser of its kind (durations in [`crate::duration`], rates in
//! [`crate::rate`], limits in [`crate::limit`]); the relations between keys are checked in
//! [`GateKeys::check`], which reports every broken one at once.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit};

use crate::diagnostics::Diagnostics;
use crate::duration::Written;
use crate::limit::{Limit, MAX_LIMIT, unparen};
use crate::rate::{self, WrittenRate};

/// The gate's keys, in the order the docs list them.
pub(crate) const GATE_KEYS: [&str; 6] = ["wait", "queue", "timeout", "max", "rate", "burst"];

/// The gate's keys as given, each value checked on its own.
#[derive(Default)]
pub(crate) struct GateKeys {
    pub(crate) wait: Option<Key<Written>>,
    pub(crate) queue: Option<Key<Expr>>,
    pub(crate) timeout: Option<Key<Written>>,
    pub(crate) max: Option<Key<Expr>>,
    pub(crate) rate: Option<Key<WrittenRate>>,
    pub(crate) burst: Option<Key<u32>>,
}

/// A key and its checked value.
pub(crate) struct Key<T> {
    pub(crate) key: Ident,
    pub(crate) value: T,
}

impl GateKeys {
    /// Takes `key = value` if `key` is one of [`GATE_KEYS`]: `Ok(false)` if it is not one.
    pub(crate) fn apply(&mut self, key: &Ident, value: &Expr) -> syn::Result<bool> {
        let name = key.to_string();
        let key = key.clone();
        match name.as_str() {
            "wait" => {
                let value = Written::from_expr("wait", value).map_err(|error| {
                    if matches!(unparen(value), Expr::Lit(ExprLit { lit: Lit::Str(text), .. })
                        if crate::duration::parse(&text.value()).is_ok_and(|d| d.is_zero()))
                    {
                        syn::Error::new(
                            value.span(),
                            "`wait = \"0s\"` would turn away every call that has to wait; to \
                             never wait (load shedding), write `queue = 0`",
                        )
                    } else {
                        error
                    }
                })?;
                self.wait = Some(Key { key, value });
            }
            "timeout" => {
                let value = Written::from_expr("timeout", value)?;
                self.timeout = Some(Key { key, value });
            }
            "queue" => {
                let value = queue(value)?;
                self.queue = Some(Key { key, value });
            }
            "max" => {
                let value = match Limit::from_expr(value, &MAX_LIMIT)? {
                    Limit::Const(value) => value,
                    Limit::Runtime(value) => {
                        return Err(syn::Error::new_spanned(
                            value,
                            "`max` must be a constant: the gate keeps room for `max` permits \
                             from the start; to start lower, set `limit` (or call `set_limit`)",
                        ));
                    }
                };
                self.max = Some(Key { key, value });
            }
            "rate" => {
                let value = WrittenRate::from_expr(value)?;
                self.rate = Some(Key { key, value });
            }
            "burst" => {
                let value = rate::burst(value)?;
                self.burst = Some(Key { key, value });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Checks the relations between the keys, and with the `limit` given next to them (the
    /// attribute's limit, or the pool's capacity), reporting each broken one into `errors`.
    pub(crate) fn check(&self, limit: Option<&Expr>, errors: &mut Diagnostics) {
        if let (Some(burst), None) = (&self.burst, &self.rate) {
            errors.error(
                burst.key.span(),
                format!(
                    "`burst` goes with `rate`: it is how many calls may go through at once after \
                     the gate was idle; add a rate, as in `rate = \"100/s\", burst = {}`",
                    burst.value
                ),
            );
        }
        if let (Some(wait), Some(queue)) = (&self.wait, &self.queue)
            && literal(&queue.value) == Some(0)
        {
            errors.error(
                wait.key.span(),
                "`queue = 0` never lets a call wait, so `wait` would never apply; remove one of \
                 them",
            );
        }
        if let (Some(max), Some(limit)) = (&self.max, limit)
            && let (Some(max_value), Some(limit_value)) = (literal(&max.value), literal(limit))
            && max_value < limit_value
        {
            errors.error(
                max.value.span(),
                format!(
                    "`max = {max_value}` is below the limit, {limit_value}: `max` is the highest \
                     the limit can be raised to at run time, so it must be at least \
                     {limit_value}"
                ),
            );
        }
    }

    /// The first key that lets the gate turn a call away (`wait`, `queue` or `timeout`), if any.
    pub(crate) fn rejecting_key(&self) -> Option<&Ident> {
        [
            self.wait.as_ref().map(|key| &key.key),
            self.queue.as_ref().map(|key| &key.key),
            self.timeout.as_ref().map(|key| &key.key),
        ]
        .into_iter()
        .flatten()
        .next()
    }

    /// The first key that needs a timer (`wait`, `timeout` or `rate`), if any.
    pub(crate) fn timer_key(&self) -> Option<&Ident> {
        [
            self.wait.as_ref().map(|key| &key.key),
            self.timeout.as_ref().map(|key| &key.key),
            self.rate.as_ref().map(|key| &key.key),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

impl GateKeys {
    /// The keys that shape the gate itself (`queue`, `max`, `rate`, `burst`), which a
    /// `#[bounded]` function has only with a `limit` of its own.
    pub(crate) fn gate_shaping_keys(&self) -> impl Iterator<Item = &Ident> {
        [
            self.queue.as_ref().map(|key| &key.key),
            self.max.as_ref().map(|key| &key.key),
            self.rate.as_ref().map(|key| &key.key),
            self.burst.as_ref().map(|key| &key.key),
        ]
        .into_iter()
        .flatten()
    }

    /// The gate's rate, as `krate::Rate::per(..).with_burst(..)`, if it has one.
    pub(crate) fn rate_tokens(&self, krate: &TokenStream) -> Option<TokenStream> {
        let rate = self.rate.as_ref()?;
        let burst = self.burst.as_ref().map_or(1, |burst| burst.value);
        Some(rate.value.to_tokens(krate, burst))
    }
}

/// The value of `queue`: how many calls may wait at once, 0 or more.
fn queue(value: &Expr) -> syn::Result<Expr> {
    let value = unparen(value);
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(number),
            ..
        }) => {
            if number.base10_parse::<u64>().is_err() {
                return Err(syn::Error::new(
                    number.span(),
                    format!(
                        "`queue = {}` is more than a `usize` can count",
                        number.base10_digits()
                    ),
                ));
            }
            match number.suffix() {
                "" | "usize" => Ok(value.clone()),
                suffix => Err(syn::Error::new(
                    number.span(),
                    format!(
                        "`queue` is a `usize`; write `queue = {}` without the `{suffix}` suffix",
                        number.base10_digits()
                    ),
                )),
            }
        }
        Expr::Lit(other) => Err(syn::Error::new_spanned(
            other,
            "`queue` is how many calls may wait at once: a whole number, 0 or more, such as \
             `queue = 128` (`queue = 0` never waits)",
        )),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
            Err(syn::Error::new_spanned(
                value,
                format!(
                    "`queue` cannot be negative: it is how many calls may wait at once; \
                     `queue = 0` never waits, not `queue = -{}`",
                    unary.expr.to_token_stream()
                ),
            ))
        }
        // A constant: evaluated where the gate is built, in a `static`, so the compiler's own
        // "not a constant" error covers anything else.
        _ => Ok(value.clone()),
    }
}

/// The value of a literal integer, if `value` is one.
fn literal(value: &Expr) -> Option<u128> {
    match unparen(value) {
        Expr::Lit(ExprLit {
            lit: Lit::Int(number),
            ..
        }) => number.base10_parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use syn::parse_quote;

    fn parsed(options: &[(&str, Expr)]) -> (GateKeys, Vec<String>) {
        let mut keys = GateKeys::default();
        let mut messages = Vec::new();
        for (key, value) in options {
            let key = Ident::new(key, Span::call_site());
            match keys.apply(&key, value) {
                Ok(true) => {}
                Ok(false) => messages.push(format!("not a gate key: {key}")),
                Err(error) => messages.push(error.to_string()),
            }
        }
        (keys, messages)
    }

    fn checked(options: &[(&str, Expr)], limit: Option<Expr>) -> Vec<String> {
        let (keys, mut messages) = parsed(options);
        let mut errors = Diagnostics::default();
        keys.check(limit.as_ref(), &mut errors);
        if let Err(error) = errors.finish() {
            messages.extend(error.into_iter().map(|error| error.to_string()));
        }
        messages
    }

    #[test]
    fn good_values() {
        let (keys, messages) = parsed(&[
            ("wait", parse_quote!("250ms")),
            ("queue", parse_quote!(128)),
            ("timeout", parse_quote!("1m30s")),
            ("max", parse_quote!(32)),
        ]);
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(
            keys.wait.unwrap().value.duration,
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            keys.timeout.unwrap().value.duration,
            std::time::Duration::from_secs(90)
        );
        assert!(keys.queue.is_some() && keys.max.is_some());
    }

    #[test]
    fn bad_values_say_what_to_write() {
        let (_, messages) = parsed(&[
            ("wait", parse_quote!("0s")),
            ("timeout", parse_quote!(250)),
            ("queue", parse_quote!(-1)),
            ("max", parse_quote!(0)),
            ("wait", parse_quote!("250")),
            ("queue", parse_quote!(8u32)),
        ]);
        assert_eq!(
            messages,
            [
                "`wait = \"0s\"` would turn away every call that has to wait; to never wait \
                 (load shedding), write `queue = 0`",
                "`timeout` takes a duration as a string with a unit, such as `timeout = \
                 \"250ms\"` or `timeout = \"250s\"`",
                "`queue` cannot be negative: it is how many calls may wait at once; `queue = 0` \
                 never waits, not `queue = -1`",
                "`max` must be at least 1: with 0, nothing could ever run",
                "`wait = \"250\"`: `250` needs a unit (`h`, `m`, `s`, `ms`, `us` or `ns`); for \
                 example \"250ms\"",
                "`queue` is a `usize`; write `queue = 8` without the `u32` suffix",
            ]
        );
    }

    #[test]
    fn relations_between_keys() {
        assert_eq!(
            checked(
                &[("queue", parse_quote!(0)), ("wait", parse_quote!("1s"))],
                None
            ),
            ["`queue = 0` never lets a call wait, so `wait` would never apply; remove one of them"]
        );
        assert_eq!(
            checked(&[("max", parse_quote!(4))], Some(parse_quote!(8))),
            [
                "`max = 4` is below the limit, 8: `max` is the highest the limit can be raised to \
              at run time, so it must be at least 8"
            ]
        );
        assert!(checked(&[("max", parse_quote!(8))], Some(parse_quote!(8))).is_empty());
        assert!(checked(&[("queue", parse_quote!(0))], None).is_empty());
    }

    #[test]
    fn which_keys_reject_and_which_need_timers() {
        let (keys, _) = parsed(&[("max", parse_quote!(8)), ("queue", parse_quote!(0))]);
        assert_eq!(keys.rejecting_key().unwrap(), "queue");
        assert!(keys.timer_key().is_none());
        let (keys, _) = parsed(&[("timeout", parse_quote!("1s"))]);
        assert_eq!(keys.rejecting_key().unwrap(), "timeout");
        assert_eq!(keys.timer_key().unwrap(), "timeout");
    }
}
