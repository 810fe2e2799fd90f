//! Fuzz target: the rule expression parser and evaluator must never panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_core::IndicatorIndex;
use nianbao_core::expr::{self, MissingStrategy, ValueSource};
use nianbao_core::Value;
use nianbao_core::value::parse_plain_decimal;

struct Values;
impl ValueSource for Values {
    fn value(&self, indicator: IndicatorIndex, year_offset: i32) -> &Value {
        static VALUES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
        let values = VALUES.get_or_init(|| {
            vec![
                Value::Number(parse_plain_decimal("0").unwrap_or_default()),
                Value::Number(parse_plain_decimal("79228162514264337593543950335").unwrap_or_default()),
                Value::Number(parse_plain_decimal("-0.0000000001").unwrap_or_default()),
                Value::NotApplicable,
                Value::Missing,
            ]
        });
        &values[(indicator.0 + year_offset.unsigned_abs() as usize) % values.len()]
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let resolve = |name: &str| Some(IndicatorIndex(name.len() % 5));
    if let Ok(parsed) = expr::parse(text, &resolve, None) {
        for strategy in [MissingStrategy::SkipIfAnyMissing, MissingStrategy::SkipIfAllMissing, MissingStrategy::MissingAsZero] {
            let _ = expr::evaluate(&parsed, &Values, strategy);
        }
    }
});
