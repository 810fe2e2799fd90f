//! Arithmetic never panics on data: extreme decimals in every school make aggregates missing
//! and reported as overflows, and every rule not evaluable, instead of taking the process down.

use nianbao_core::aggregate::roll_up;
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, Framework, IndicatorIndex, OrgLevel, OrgUnit, Value};
use rust_decimal::Decimal;

#[test]
fn extreme_decimals_neither_panic_nor_pass_as_figures() {
    let framework = Framework::from_toml("zhongzhi-2024.toml", &crate::bundled_framework_text()).expect("framework");
    let mut dataset = Dataset::new(framework.indicators.len());
    let city = dataset.add_org(OrgUnit::new("city", "样例市", OrgLevel::City, None)).expect("org");
    let huge = Decimal::MAX;
    let extremes = [huge, Decimal::from_str_exact("70000000000000000000000000000").expect("decimal"), Decimal::MIN];
    for (s, extreme) in extremes.iter().enumerate() {
        let school = dataset
            .add_org(OrgUnit::new(format!("s{s}"), format!("样例学校{s}"), OrgLevel::School, Some(city)))
            .expect("org");
        for index in 0..framework.indicators.len() {
            if framework.indicators[index].kind.is_numeric() {
                for year in [2023, 2024] {
                    dataset.set(school, year, IndicatorIndex(index), Value::Number(*extreme));
                }
            }
        }
    }
    let rolled = roll_up(&framework, &dataset, 2024);
    assert!(!rolled.overflows.is_empty(), "the overflowing sums are reported");
    for &(org, indicator) in &rolled.overflows {
        assert_eq!(rolled.value(org, indicator), &Value::Missing, "an overflow is no figure");
    }
    let rules = RuleSet::for_framework(&framework);
    for org in 0..dataset.orgs.len() {
        let findings = rules.evaluate(&framework, &dataset, org, 2024, &mut Summary::default());
        assert!(!findings.is_empty() || org == city);
    }
}
