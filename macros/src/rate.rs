//! Rates written in the options, such as `rate = "100/s"` or `rate = "3/250ms"`, and their
//! `burst`: parsed at compile time into the count and the period in nanoseconds, which the
//! expansion builds into a `Rate` in a const context. Nothing is parsed at run time.
//!
//! A rate is a whole number of calls, `/`, and a period: a unit alone (`"100/s"`, one of that
//! unit) or a duration as `wait` takes it (`"3/250ms"`, `"10/1m30s"`). Whatever else is written
//! gets an error that shows the right spelling of what was meant when it can be guessed.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::duration;
use crate::limit::unparen;

/// A rate from the options, with the literal it was written as (for messages and spans).
pub(crate) struct WrittenRate {
    pub(crate) count: u64,
    pub(crate) period_nanos: u64,
    pub(crate) literal: LitStr,
}

impl WrittenRate {
    /// The value of `rate = "..."`.
    pub(crate) fn from_expr(value: &Expr) -> syn::Result<Self> {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            ..
        }) = unparen(value)
        else {
            return Err(syn::Error::new_spanned(
                value,
                "`rate` takes a count per period as a string, such as `rate = \"100/s\"` or \
                 `rate = \"3/250ms\"`; a rate read at run time is set with `Gate::set_rate`",
            ));
        };
        let (count, period_nanos) =
            parse(&literal.value()).map_err(|message| syn::Error::new(literal.span(), message))?;
        Ok(WrittenRate {
            count,
            period_nanos,
            literal: literal.clone(),
        })
    }

    /// The nanoseconds between two admissions at this rate, rounded up as `Rate::interval`
    /// rounds them: a pool's type declares its rate this way (`Pool`'s `PACE`).
    pub(crate) fn pace(&self) -> u64 {
        self.period_nanos.div_ceil(self.count)
    }

    /// `krate::Rate::per(count, period).with_burst(burst)`, spanned at the literal.
    pub(crate) fn to_tokens(&self, krate: &TokenStream, burst: u32) -> TokenStream {
        let (count, nanos) = (self.count, self.period_nanos);
        quote_spanned! {self.literal.span()=>
            #krate::Rate::per(#count, ::core::time::Duration::from_nanos(#nanos)).with_burst(#burst)
        }
    }
}

/// Parses a rate such as `"100/s"` or `"3/250ms"` into its count and its period in nanoseconds,
/// or says what to write instead.
pub(crate) fn parse(text: &str) -> Result<(u64, u64), String> {
    if text.chars().any(char::is_whitespace) {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if parse(&compact).is_ok() {
            return Err(format!("write the rate without spaces: \"{compact}\""));
        }
    }
    let Some((count, period)) = text.split_once('/') else {
        return Err(match text.parse::<u64>() {
            Ok(count) => format!(
                "a rate needs a period: write \"{count}/s\" for {count} calls a second, or \
                 \"{count}/m\", \"{count}/h\", \"{count}/250ms\""
            ),
            Err(_) => "a rate is a count of calls per period, such as \"100/s\", \"5000/h\" or \
                       \"3/250ms\""
                .to_owned(),
        });
    };
    let count = match count.parse::<u64>() {
        Ok(0) => {
            return Err(format!(
                "a rate of 0 lets nothing through; write a rate above 0, such as \"1/{period}\" \
                 (to hold calls back for a while, a gate or a pool has `pause_for`)"
            ));
        }
        Ok(count) => count,
        Err(_) if !count.is_empty() && count.parse::<f64>().is_ok() => {
            return Err(format!(
                "the count is a whole number of calls: for {count} a period, count over a longer \
                 period, as in \"3/2s\""
            ));
        }
        Err(_) => {
            return Err(format!(
                "expected a whole number of calls before `/`, as in \"100/{period}\""
            ));
        }
    };
    let period_nanos = period_nanos(count, period)?;
    if u128::from(count) > u128::from(period_nanos) {
        return Err(format!(
            "{count} calls per {} is faster than 1 call per nanosecond, the finest pace a gate \
             keeps",
            duration::written(std::time::Duration::from_nanos(period_nanos))
        ));
    }
    Ok((count, period_nanos))
}

/// The period after the `/`: a unit alone, or a duration.
fn period_nanos(count: u64, period: &str) -> Result<u64, String> {
    const UNITS: &str = "`h`, `m`, `s`, `ms`, `us` or `ns`";
    if period.is_empty() {
        return Err(format!(
            "the period is missing after `/`: write \"{count}/s\" for {count} calls a second"
        ));
    }
    let nanos = if period.starts_with(|c: char| c.is_ascii_digit()) {
        let duration = duration::parse(period)
            .map_err(|error| format!("in the rate's period `{period}`: {error}"))?;
        duration.as_nanos()
    } else {
        match duration::canonical(period) {
            Some(unit) if unit == period => duration::parse(&format!("1{unit}"))
                .expect("a unit alone is one of it")
                .as_nanos(),
            Some(unit) => {
                return Err(format!("unknown unit `{period}`; write \"{count}/{unit}\""));
            }
            None => {
                return Err(format!(
                    "unknown unit `{period}`; write \"{count}/s\" for {count} calls a second \
                     (units: {UNITS})"
                ));
            }
        }
    };
    if nanos == 0 {
        return Err(format!(
            "a rate's period is longer than zero: write \"{count}/s\", \"{count}/250ms\", ..."
        ));
    }
    u64::try_from(nanos).map_err(|_| "the rate's period is too long".to_owned())
}

/// The value of `burst`: a whole number, at least 1.
pub(crate) fn burst(value: &Expr) -> syn::Result<u32> {
    let value = unparen(value);
    let Expr::Lit(ExprLit {
        lit: Lit::Int(number),
        ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            "`burst` is how many calls may go through at once after the gate was idle: a whole \
             number, at least 1, such as `burst = 10`",
        ));
    };
    match number.base10_parse::<u32>() {
        Ok(0) => Err(syn::Error::new(
            number.span(),
            "`burst = 0` would let no call through; the least is `burst = 1` (the default), one \
             call at a time at the rate's pace",
        )),
        Ok(burst) => Ok(burst),
        Err(_) => Err(syn::Error::new(
            number.span(),
            format!(
                "`burst = {}` is more than a gate lets through at once (at most {})",
                number.base10_digits(),
                u32::MAX
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rates() {
        let cases = [
            ("100/s", (100, 1_000_000_000)),
            ("5000/h", (5000, 3_600_000_000_000)),
            ("3/250ms", (3, 250_000_000)),
            ("10/1m30s", (10, 90_000_000_000)),
            ("1/m", (1, 60_000_000_000)),
            ("1000000000/s", (1_000_000_000, 1_000_000_000)),
        ];
        for (text, parsed) in cases {
            assert_eq!(parse(text), Ok(parsed), "{text}");
        }
    }

    #[test]
    fn bad_rates_say_what_to_write() {
        let cases = [
            ("0/s", "a rate of 0 lets nothing through"),
            ("100/sec", "unknown unit `sec`; write \"100/s\""),
            ("100/fortnight", "write \"100/s\" for 100 calls a second"),
            ("100", "write \"100/s\""),
            ("100 / s", "without spaces: \"100/s\""),
            ("1.5/s", "whole number of calls"),
            ("100/", "the period is missing"),
            ("3/250", "`250` needs a unit"),
            ("5/0s", "longer than zero"),
            ("1001/us", "faster than 1 call per nanosecond"),
            ("fast", "a count of calls per period"),
        ];
        for (text, expected) in cases {
            let message = parse(text).unwrap_err();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
