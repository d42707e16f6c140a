//! Durations written in the options, such as `wait = "250ms"` or `timeout = "1m30s"`: parsed at
//! compile time into a `Duration` that the expansion builds in a const context.
//!
//! A duration is a string of whole numbers, each followed by a unit (`ns`, `us`, `ms`, `s`, `m`,
//! `h`), largest unit first, each unit at most once. Whatever else is written gets an error that
//! shows the right spelling of what was meant when it can be guessed: `"1.5s"` is `"1s500ms"`,
//! `"30 sec"` is `"30s"`, `"250"` needs a unit.

use std::fmt;
use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::{Expr, ExprLit, Lit, LitStr};

use crate::diagnostics::closest;

/// The units, largest first, with their length in nanoseconds.
const UNITS: [(&str, u128); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// Other spellings of the units that people write, and the unit each means.
const ALIASES: [(&str, &str); 20] = [
    ("hr", "h"),
    ("hrs", "h"),
    ("hour", "h"),
    ("hours", "h"),
    ("min", "m"),
    ("mins", "m"),
    ("minute", "m"),
    ("minutes", "m"),
    ("sec", "s"),
    ("secs", "s"),
    ("second", "s"),
    ("seconds", "s"),
    ("msec", "ms"),
    ("msecs", "ms"),
    ("millis", "ms"),
    ("milliseconds", "ms"),
    ("µs", "us"),
    ("micros", "us"),
    ("nanos", "ns"),
    ("nsec", "ns"),
];

/// A duration from the options, with the literal it was written as (for messages).
#[derive(Clone)]
pub(crate) struct Written {
    pub(crate) duration: Duration,
    pub(crate) literal: LitStr,
}

impl Written {
    /// The value of `key = "..."`. `key` names the option in messages.
    pub(crate) fn from_expr(key: &str, value: &Expr) -> syn::Result<Self> {
        let literal = match value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(literal),
                ..
            }) => literal,
            Expr::Lit(ExprLit {
                lit: Lit::Int(number),
                ..
            }) => {
                return Err(syn::Error::new(
                    number.span(),
                    format!(
                        "`{key}` takes a duration as a string with a unit, such as \
                         `{key} = \"{}ms\"` or `{key} = \"{}s\"`",
                        number.base10_digits(),
                        number.base10_digits(),
                    ),
                ));
            }
            Expr::Group(group) => return Self::from_expr(key, &group.expr),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    format!(
                        "`{key}` takes a duration written as a string, such as `{key} = \"250ms\"` \
                         or `{key} = \"1m30s\"`, so that it is checked at compile time"
                    ),
                ));
            }
        };
        match parse(&literal.value()) {
            Ok(duration) if duration.is_zero() => Err(syn::Error::new(
                literal.span(),
                format!("`{key}` must be longer than 0"),
            )),
            Ok(duration) => Ok(Written {
                duration,
                literal: literal.clone(),
            }),
            Err(error) => Err(syn::Error::new(
                literal.span(),
                format!("`{key} = {:?}`: {error}", literal.value()),
            )),
        }
    }

    /// The duration, built in a const context.
    pub(crate) fn to_tokens(&self) -> TokenStream {
        let secs = self.duration.as_secs();
        let nanos = self.duration.subsec_nanos();
        quote_spanned!(self.literal.span()=> ::core::time::Duration::new(#secs, #nanos))
    }
}

/// Why a duration did not parse: what is wrong, and what to write instead when it can be
/// guessed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Error {
    Empty,
    NoNumber {
        at: String,
    },
    NoUnit {
        number: String,
        suggestion: String,
    },
    UnknownUnit {
        unit: String,
        suggestion: Option<String>,
    },
    Fraction {
        suggestion: Option<String>,
    },
    OutOfOrder {
        suggestion: String,
    },
    TooLong,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: &str = "`h`, `m`, `s`, `ms`, `us` or `ns`";
        match self {
            Error::Empty => write!(f, "a duration needs a number and a unit, such as \"250ms\""),
            Error::NoNumber { at } => {
                write!(
                    f,
                    "expected a number before `{at}`, as in \"250ms\" or \"1m30s\""
                )
            }
            Error::NoUnit { number, suggestion } => write!(
                f,
                "`{number}` needs a unit ({UNITS}); for example \"{suggestion}\""
            ),
            Error::UnknownUnit {
                unit,
                suggestion: Some(suggestion),
            } => write!(f, "unknown unit `{unit}`; write \"{suggestion}\""),
            Error::UnknownUnit {
                unit,
                suggestion: None,
            } => write!(f, "unknown unit `{unit}`; expected {UNITS}"),
            Error::Fraction {
                suggestion: Some(suggestion),
            } => write!(f, "use whole numbers of each unit: write \"{suggestion}\""),
            Error::Fraction { suggestion: None } => write!(
                f,
                "use whole numbers of each unit, with a smaller unit for the rest, as in \"1s500ms\""
            ),
            Error::OutOfOrder { suggestion } => {
                write!(f, "write each unit once, largest first: \"{suggestion}\"")
            }
            Error::TooLong => write!(f, "too long to be a `Duration`"),
        }
    }
}

/// Parses a duration such as `"1m30s"`.
pub(crate) fn parse(text: &str) -> Result<Duration, Error> {
    let parts = parts(text)?;
    if parts.is_empty() {
        return Err(Error::Empty);
    }
    let mut total: u128 = 0;
    let mut in_order = true;
    let mut previous = usize::MAX;
    for &(number, unit) in &parts {
        let index = UNITS.iter().position(|(name, _)| *name == unit);
        let Some(index) = index else {
            return Err(unknown_unit(text, unit));
        };
        // Largest first means the index into `UNITS` only grows.
        in_order &= previous == usize::MAX || index > previous;
        previous = index;
        let Some(whole) = number.parse::<u128>().ok() else {
            return Err(fraction(&parts));
        };
        total = whole
            .checked_mul(UNITS[index].1)
            .and_then(|nanos| total.checked_add(nanos))
            .ok_or(Error::TooLong)?;
    }
    let duration = duration_of(total)?;
    if !in_order {
        return Err(Error::OutOfOrder {
            suggestion: written(duration),
        });
    }
    Ok(duration)
}

/// Splits `text` into (number, unit) pairs, ignoring spaces between a number and its unit.
fn parts(text: &str) -> Result<Vec<(&str, &str)>, Error> {
    let text = text.trim();
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() {
            return Err(Error::NoNumber {
                at: after.chars().take_while(|c| !c.is_ascii_digit()).collect(),
            });
        }
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(Error::NoUnit {
                suggestion: format!("{number}ms"),
                number: number.to_owned(),
            });
        }
        parts.push((number, unit));
        rest = after.trim_start();
    }
    Ok(parts)
}

/// The error for a unit that is not one of [`UNITS`]: the whole duration respelled when every
/// unit in it is a known alias or close to a unit, else the units that exist.
fn unknown_unit(text: &str, unit: &str) -> Error {
    let respelled = parts(text).ok().and_then(|parts| {
        let mut suggestion = String::new();
        for (number, unit) in parts {
            suggestion.push_str(number);
            suggestion.push_str(canonical(unit)?);
        }
        Some(suggestion)
    });
    Error::UnknownUnit {
        unit: unit.to_owned(),
        suggestion: respelled.filter(|s| parse(s).is_ok()),
    }
}

/// The unit `unit` means: itself, an alias's unit, or a unit it is a typo of.
pub(crate) fn canonical(unit: &str) -> Option<&'static str> {
    let names = UNITS.map(|(name, _)| name);
    if let Some(name) = names.iter().find(|name| **name == unit) {
        return Some(name);
    }
    let lower = unit.to_lowercase();
    if let Some((_, name)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        return Some(name);
    }
    // A typo only of a longer spelling: a letter or two is too short to guess from.
    if lower.chars().count() < 4 {
        return None;
    }
    let aliases = ALIASES.map(|(alias, _)| alias);
    closest(&lower, &aliases)
        .and_then(|alias| ALIASES.iter().find(|(a, _)| *a == alias))
        .map(|(_, name)| *name)
}

/// The error for a number with a fraction (`"1.5s"`): the same duration in whole units, when
/// every unit is known and it comes to whole nanoseconds.
fn fraction(parts: &[(&str, &str)]) -> Error {
    let mut total: u128 = 0;
    for &(number, unit) in parts {
        let nanos = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .and_then(|&(_, length)| decimal_times(number, length))
            .and_then(|nanos| total.checked_add(nanos));
        match nanos {
            Some(nanos) => total = nanos,
            None => return Error::Fraction { suggestion: None },
        }
    }
    match duration_of(total) {
        Ok(duration) if !duration.is_zero() => Error::Fraction {
            suggestion: Some(written(duration)),
        },
        _ => Error::Fraction { suggestion: None },
    }
}

/// `number` (decimal, such as `1.5`) times `unit_nanos`, when that is a whole number of
/// nanoseconds.
fn decimal_times(number: &str, unit_nanos: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if fraction.contains('.') || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digits = u32::try_from(fraction.len()).ok()?;
    let scale = 10u128.checked_pow(digits)?;
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let part = fraction.checked_mul(unit_nanos)?;
    (part % scale == 0).then_some(())?;
    whole.checked_mul(unit_nanos)?.checked_add(part / scale)
}

fn duration_of(nanos: u128) -> Result<Duration, Error> {
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| Error::TooLong)?;
    // Below a billion, so it fits.
    let subsec = (nanos % 1_000_000_000) as u32;
    Ok(Duration::new(secs, subsec))
}

/// `duration` as the options write it: each unit once, largest first (`1m30s`, `250ms`).
pub(crate) fn written(duration: Duration) -> String {
    let mut nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    let mut text = String::new();
    for (name, length) in UNITS {
        let count = nanos / length;
        if count > 0 {
            text.push_str(&count.to_string());
            text.push_str(name);
            nanos %= length;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn units_and_combinations() {
        assert_eq!(parse("250ms"), Ok(ms(250)));
        assert_eq!(parse("2s"), Ok(ms(2000)));
        assert_eq!(parse("1m30s"), Ok(ms(90_000)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("1h2m3s4ms5us6ns"), Ok(Duration::new(3723, 4_005_006)));
        assert_eq!(parse(" 30 s "), Ok(ms(30_000)));
    }

    #[test]
    fn a_number_without_a_unit_is_shown_with_one() {
        assert_eq!(
            parse("250"),
            Err(Error::NoUnit {
                number: "250".into(),
                suggestion: "250ms".into()
            })
        );
        assert_eq!(
            parse("1m30").unwrap_err().to_string(),
            "`30` needs a unit (`h`, `m`, `s`, `ms`, `us` or `ns`); for example \"30ms\""
        );
    }

    #[test]
    fn other_spellings_of_units_are_respelled() {
        let suggestion = |text| match parse(text) {
            Err(Error::UnknownUnit { suggestion, .. }) => suggestion,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(suggestion("30sec").as_deref(), Some("30s"));
        assert_eq!(suggestion("2 minutes").as_deref(), Some("2m"));
        assert_eq!(suggestion("1hr30min").as_deref(), Some("1h30m"));
        assert_eq!(suggestion("250millis").as_deref(), Some("250ms"));
        assert_eq!(suggestion("5 secnds").as_deref(), Some("5s"));
        assert_eq!(suggestion("3 fortnights"), None);
        assert_eq!(
            parse("3d").unwrap_err().to_string(),
            "unknown unit `d`; expected `h`, `m`, `s`, `ms`, `us` or `ns`"
        );
    }

    #[test]
    fn fractions_are_rewritten_in_whole_units() {
        assert_eq!(
            parse("1.5s"),
            Err(Error::Fraction {
                suggestion: Some("1s500ms".into())
            })
        );
        assert_eq!(
            parse("0.25s").unwrap_err().to_string(),
            "use whole numbers of each unit: write \"250ms\""
        );
        assert_eq!(parse("1.5ns"), Err(Error::Fraction { suggestion: None }));
    }

    #[test]
    fn units_out_of_order_or_repeated_are_put_in_order() {
        assert_eq!(
            parse("30s1m"),
            Err(Error::OutOfOrder {
                suggestion: "1m30s".into()
            })
        );
        assert_eq!(
            parse("1s1s"),
            Err(Error::OutOfOrder {
                suggestion: "2s".into()
            })
        );
    }

    #[test]
    fn nothing_to_read_or_too_much() {
        assert_eq!(parse(""), Err(Error::Empty));
        assert_eq!(parse("ms"), Err(Error::NoNumber { at: "ms".into() }));
        assert_eq!(parse("99999999999999999999h"), Err(Error::TooLong));
        // Zero parses; the option's own check rejects it with the key's name.
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn durations_are_written_back_as_the_options_write_them() {
        assert_eq!(written(ms(90_000)), "1m30s");
        assert_eq!(written(ms(250)), "250ms");
        assert_eq!(written(Duration::new(3723, 4_005_006)), "1h2m3s4ms5us6ns");
        for text in ["250ms", "1m30s", "2h", "1s500ms"] {
            assert_eq!(written(parse(text).unwrap()), text);
        }
    }
}
