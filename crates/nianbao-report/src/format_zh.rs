//! Chinese number conventions for narrative text: 万元/亿元, percentages, 增加/减少 by sign.

use nianbao_core::value::format_decimal;
use rust_decimal::Decimal;

/// A year written in Chinese numerals as on a document's date line: 2025 → “二〇二五”.
pub fn year_in_numerals(year: i32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    year.to_string()
        .chars()
        .map(|c| c.to_digit(10).and_then(|d| DIGITS.get(d as usize).copied()).unwrap_or(c))
        .collect()
}

/// A money amount given in `unit` (元 or 万元) in the largest sensible unit: 亿元 from 1 亿,
/// 万元 from 1 万, with up to two decimals and no trailing zeros.
pub fn money(amount: Decimal, unit: &str) -> String {
    let factor = match unit {
        "万元" => Decimal::from(10_000),
        "亿元" => Decimal::from(100_000_000),
        _ => Decimal::ONE,
    };
    // Beyond a decimal's range in 元: printed as given (checked, never a panic).
    let Some(yuan) = amount.checked_mul(factor) else {
        return format!("{}{unit}", trim_zeros(&format_decimal(amount, 2)));
    };
    let (value, unit) = if yuan.abs() >= Decimal::from(100_000_000) {
        (yuan / Decimal::from(100_000_000), "亿元")
    } else if yuan.abs() >= Decimal::from(10_000) {
        (yuan / Decimal::from(10_000), "万元")
    } else {
        (yuan, "元")
    };
    format!("{}{unit}", trim_zeros(&format_decimal(value, 2)))
}

/// Removes trailing zeros after a decimal point: 12.50 → 12.5, 3.00 → 3.
pub fn trim_zeros(text: &str) -> String {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text.to_string() }
}

/// A percentage with `decimals` places and a % sign.
pub fn percent(value: Decimal, decimals: u32) -> String {
    format!("{}%", format_decimal(value, decimals))
}

/// “增加了 12”, “减少了 7238” or “持平” for a change, the amount formatted with `decimals`.
pub fn change(difference: Decimal, decimals: u32) -> String {
    if difference.is_zero() {
        "持平".to_string()
    } else if difference > Decimal::ZERO {
        format!("增加了 {}", format_decimal(difference, decimals))
    } else {
        format!("减少了 {}", format_decimal(-difference, decimals))
    }
}

/// “增长 12.34%” / “下降 3.20%” / “持平” for a growth rate in percent.
pub fn growth(rate: Decimal, decimals: u32) -> String {
    if rate.round_dp(decimals).is_zero() {
        "持平".to_string()
    } else if rate > Decimal::ZERO {
        format!("增长 {}", percent(rate, decimals))
    } else {
        format!("下降 {}", percent(-rate, decimals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn extreme_amounts_print_without_panicking() {
        assert_eq!(money(Decimal::MAX, "亿元"), format!("{}亿元", Decimal::MAX));
        assert!(money(Decimal::MIN, "万元").ends_with("万元"));
    }

    #[test]
    fn years_in_chinese_numerals() {
        assert_eq!(year_in_numerals(2025), "二〇二五");
        assert_eq!(year_in_numerals(2010), "二〇一〇");
        assert_eq!(year_in_numerals(1999), "一九九九");
    }

    #[test]
    fn money_picks_the_unit() {
        assert_eq!(money(dec("32136.13"), "万元"), "3.21亿元");
        assert_eq!(money(dec("2315"), "万元"), "2315万元");
        assert_eq!(money(dec("6392.17"), "元"), "6392.17元");
        assert_eq!(money(dec("48.8"), "亿元"), "48.8亿元");
        assert_eq!(money(dec("12000"), "元"), "1.2万元");
    }

    #[test]
    fn change_and_growth_choose_words_by_sign() {
        assert_eq!(change(dec("-7238"), 0), "减少了 7238");
        assert_eq!(change(dec("12.5"), 1), "增加了 12.5");
        assert_eq!(change(Decimal::ZERO, 0), "持平");
        assert_eq!(growth(dec("49.2248"), 2), "增长 49.22%");
        assert_eq!(growth(dec("-5.854"), 2), "下降 5.85%");
        assert_eq!(growth(dec("0.001"), 2), "持平");
    }
}
