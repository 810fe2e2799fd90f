//! Values held against an indicator: an exact decimal, text, not applicable, or missing.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// One value of one indicator for one org unit and year.
///
/// `NotApplicable` (printed “-”) and `Missing` (nothing given) are kept apart: the first is
/// a statement by the reporter, the second is the absence of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Value {
    #[default]
    Missing,
    NotApplicable,
    Number(Decimal),
    Text(String),
}

/// The printed form of “not applicable / not collected”.
pub const NOT_APPLICABLE: &str = "-";

impl Value {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Value::Number(number) => Some(*number),
            _ => None,
        }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// Formats the value for a table cell: numbers rounded half away from zero to `decimals`
    /// places and always shown with exactly that many; “-” for not applicable; empty when missing.
    pub fn format(&self, decimals: u32) -> String {
        match self {
            Value::Missing => String::new(),
            Value::NotApplicable => NOT_APPLICABLE.to_string(),
            Value::Number(number) => format_decimal(*number, decimals),
            Value::Text(text) => text.clone(),
        }
    }

    /// The value as stored in a dataset file: numbers without trailing formatting, “-”, text or empty.
    pub fn to_storage_string(&self) -> String {
        match self {
            Value::Missing => String::new(),
            Value::NotApplicable => NOT_APPLICABLE.to_string(),
            Value::Number(number) => number.normalize().to_string(),
            Value::Text(text) => text.clone(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_storage_string())
    }
}

/// Rounds half away from zero and prints exactly `decimals` places, without thousands separators.
pub fn format_decimal(number: Decimal, decimals: u32) -> String {
    let rounded = number.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    format!("{:.*}", decimals as usize, rounded)
}

/// Parses a plain decimal as written in a dataset file: optional sign, digits, optional
/// fraction. No exponent, no separators, no percent sign (the forgiving reader for
/// hand-filled workbooks lives in nianbao-io).
pub fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let well_formed = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return None;
    }
    Decimal::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("test decimal")
    }

    #[test]
    fn formats_with_declared_decimals_and_rounds_half_away_from_zero() {
        assert_eq!(Value::Number(dec("3418")).format(2), "3418.00");
        assert_eq!(Value::Number(dec("0.125")).format(2), "0.13");
        assert_eq!(Value::Number(dec("-0.125")).format(2), "-0.13");
        assert_eq!(Value::Number(dec("17.855")).format(2), "17.86");
        assert_eq!(Value::Number(dec("123630")).format(0), "123630");
        assert_eq!(Value::NotApplicable.format(2), "-");
        assert_eq!(Value::Missing.format(2), "");
    }

    #[test]
    fn decimal_sums_are_exact() {
        let sum: Decimal = ["0.1", "0.2"].iter().map(|t| dec(t)).sum();
        assert_eq!(sum, dec("0.3"));
    }

    #[test]
    fn plain_decimal_rejects_anything_but_digits() {
        assert_eq!(parse_plain_decimal("6392.17"), Some(dec("6392.17")));
        assert_eq!(parse_plain_decimal("-2"), Some(dec("-2")));
        for bad in ["", ".5", "5.", "1e3", "1,000", " 1", "1 ", "12%", "+1", "--1", "1.2.3"] {
            assert_eq!(parse_plain_decimal(bad), None, "{bad:?}");
        }
    }
}
