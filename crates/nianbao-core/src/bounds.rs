//! What a value may be for its indicator, whatever path it came by: counts are whole and not
//! negative, percentages lie in 0–100 (unless declared otherwise), magnitudes are bounded so that
//! sums and products of them stay exact, and years are plausible.

use crate::framework::{Indicator, Kind};
use crate::value::Value;
use rust_decimal::Decimal;

/// The largest magnitude any value may have (10¹²): products of two such values still fit a
/// decimal exactly.
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// The years a return may be made for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Why a value cannot stand for its indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfBounds {
    /// A count with a fraction.
    NotWhole,
    Negative,
    /// A percentage above 100 where the indicator does not allow it.
    OverHundred,
    /// Beyond [`MAX_MAGNITUDE`].
    TooLarge,
    /// More decimal places than can be meant (over 10).
    TooPrecise,
    /// Text given for a numeric indicator, or a number for a text one.
    WrongType,
}

/// Checks a value against its indicator's kind.
pub fn check(indicator: &Indicator, value: &Value) -> Result<(), OutOfBounds> {
    let number = match (value, indicator.kind) {
        (Value::Missing | Value::NotApplicable, _) => return Ok(()),
        (Value::Text(_), Kind::Text) => return Ok(()),
        (Value::Text(_), _) | (Value::Number(_), Kind::Text) => return Err(OutOfBounds::WrongType),
        (Value::Number(number), _) => *number,
    };
    if number.abs() > MAX_MAGNITUDE {
        return Err(OutOfBounds::TooLarge);
    }
    if number.normalize().scale() > 10 {
        return Err(OutOfBounds::TooPrecise);
    }
    if number.is_sign_negative() && !number.is_zero() {
        return Err(OutOfBounds::Negative);
    }
    match indicator.kind {
        Kind::Count if !number.fract().is_zero() => Err(OutOfBounds::NotWhole),
        Kind::Percentage if !indicator.allow_over_100 && number > Decimal::ONE_HUNDRED => Err(OutOfBounds::OverHundred),
        _ => Ok(()),
    }
}

impl OutOfBounds {
    pub fn message_zh(self) -> &'static str {
        match self {
            OutOfBounds::NotWhole => "此项是人数、个数等计数，应为整数",
            OutOfBounds::Negative => "不能为负数",
            OutOfBounds::OverHundred => "百分比不能超过 100",
            OutOfBounds::TooLarge => "数值过大（超过 1 万亿），请检查是否多输了数字",
            OutOfBounds::TooPrecise => "小数位数过多（超过 10 位），请检查",
            OutOfBounds::WrongType => "此项应填数值（文字类指标应填文字）",
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            OutOfBounds::NotWhole => "this is a count: it must be a whole number",
            OutOfBounds::Negative => "it cannot be negative",
            OutOfBounds::OverHundred => "a percentage cannot exceed 100",
            OutOfBounds::TooLarge => "the number is too large (over 10¹²): check for extra digits",
            OutOfBounds::TooPrecise => "too many decimal places (over 10)",
            OutOfBounds::WrongType => "this indicator takes a number (text indicators take text)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_magnitude_bound_is_ten_to_the_twelfth() {
        assert_eq!(MAX_MAGNITUDE, Decimal::from(1_000_000_000_000i64));
    }
}
