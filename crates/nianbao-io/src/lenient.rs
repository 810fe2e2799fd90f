//! Reading a value as a person plainly meant it in a hand-filled spreadsheet: full-width digits,
//! thousands separators, surrounding spaces, a trailing %, numbers stored as text; “-”, “—”, “/”
//! and “无” for not applicable. Anything else that is not a number is refused with a reason.

use nianbao_core::{Kind, Value};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub message_zh: String,
    pub message_en: String,
}

fn problem(zh: impl Into<String>, en: impl Into<String>) -> CellProblem {
    CellProblem { message_zh: zh.into(), message_en: en.into() }
}

/// Marks that mean “not applicable / not collected”.
pub const NOT_APPLICABLE_MARKS: [&str; 6] = ["-", "—", "–", "－", "/", "无"];

/// Full-width digits and signs to ASCII; other characters unchanged.
fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '，' => ',',
            '％' => '%',
            '－' | '−' => '-',
            '＋' => '+',
            '\u{3000}' | '\u{a0}' => ' ',
            c => c,
        })
        .collect()
}

/// Reads text typed into a cell for an indicator of `kind`.
pub fn read_text(raw: &str, kind: Kind) -> Result<Value, CellProblem> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}');
    if trimmed.is_empty() {
        return Ok(Value::Missing);
    }
    if NOT_APPLICABLE_MARKS.contains(&trimmed) {
        return Ok(Value::NotApplicable);
    }
    if kind == Kind::Text {
        return Ok(Value::Text(trimmed.to_string()));
    }
    let mut text = half_width(trimmed).replace(' ', "");
    let percent = text.ends_with('%');
    if percent {
        text.pop();
        if kind != Kind::Percentage {
            return Err(problem("此项不是百分比，请去掉 %", "this indicator is not a percentage: remove the %"));
        }
    }
    // Thousands separators: 1,234,567 (groups of three after the first comma).
    if text.contains(',') {
        let whole = text.split('.').next().unwrap_or("");
        let groups: Vec<&str> = whole.trim_start_matches(['-', '+']).split(',').collect();
        let well_grouped = groups.len() > 1
            && !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_grouped || text.matches('.').count() > 1 {
            return Err(problem(
                format!("“{trimmed}”中的逗号位置不像千位分隔符，无法确定数值"),
                format!("{trimmed:?}: the commas are not thousands separators; the number is ambiguous"),
            ));
        }
        text = text.replace(',', "");
    }
    let text = text.strip_prefix('+').unwrap_or(&text).to_string();
    let valid = !text.is_empty()
        && text.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1
        && text.trim_start_matches('-').starts_with(|c: char| c.is_ascii_digit())
        && !text.ends_with('.');
    if !valid {
        return Err(problem(
            format!("“{trimmed}”不是数值；请填写数字，不适用时填“-”"),
            format!("{trimmed:?} is not a number; enter digits, or '-' when not applicable"),
        ));
    }
    let number = Decimal::from_str(&text)
        .map_err(|_| problem(format!("“{trimmed}”超出可处理的范围"), format!("{trimmed:?} is out of range")))?;
    Ok(Value::Number(number.normalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Value {
        Value::Number(Decimal::from_str(text).expect("decimal"))
    }

    #[test]
    fn reads_what_a_person_meant() {
        let cases = [
            ("1234", Kind::Count, number("1234")),
            ("  1234 ", Kind::Count, number("1234")),
            ("１２３４", Kind::Count, number("1234")),
            ("1,234,567", Kind::Count, number("1234567")),
            ("１，２３４", Kind::Count, number("1234")),
            ("95.78%", Kind::Percentage, number("95.78")),
            ("95.78 %", Kind::Percentage, number("95.78")),
            ("９５．７８％", Kind::Percentage, number("95.78")),
            ("+12", Kind::Money, number("12")),
            ("-3.50", Kind::Money, number("-3.5")),
            ("—", Kind::Count, Value::NotApplicable),
            ("/", Kind::Count, Value::NotApplicable),
            ("无", Kind::Money, Value::NotApplicable),
            ("", Kind::Count, Value::Missing),
            ("电话、问卷", Kind::Text, Value::Text("电话、问卷".into())),
        ];
        for (text, kind, expected) in cases {
            assert_eq!(read_text(text, kind), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn refuses_what_is_ambiguous() {
        for (text, kind) in [
            ("12,34", Kind::Count),
            ("1,2345", Kind::Count),
            ("约100", Kind::Count),
            ("12%", Kind::Count),
            ("1.2.3", Kind::Money),
            ("1e3", Kind::Count),
            (".5", Kind::Amount),
            ("5.", Kind::Amount),
            ("--1", Kind::Count),
            ("N/A", Kind::Count),
        ] {
            assert!(read_text(text, kind).is_err(), "{text:?} should be refused");
        }
    }
}
