//! The validation engine: each derived rule kind, declared rules with tolerance, year-over-year,
//! not-evaluable rules, and the audit of the bundled framework's rules.

use nianbao_core::validation::{DerivedKind, FindingStatus, RuleSet, RuleSource, Summary};
use nianbao_core::{Dataset, Framework, OrgLevel, OrgUnit, Severity, Value};
use rust_decimal::Decimal;
use std::str::FromStr;

const FRAMEWORK: &str = r#"[framework]
id = "mini"
version = "1"
name = "迷你"
notice = "教职成司函〔2024〕29号"

[validation]
year_over_year_percent = "30"
year_over_year_points = "10"
year_over_year_min_magnitude = "10"

[[table]]
id = "x"
number = "附表 1"
caption = "测试表"
columns = ["respondents"]

[[table.indicator]]
id = "x.total"
label = "总数"
unit = "人"
kind = "count"
breakdown = "exhaustive"

[[table.indicator]]
id = "x.a"
label = "甲"
qizhong = true
unit = "人"
kind = "count"
parent = "x.total"
relation = "part"

[[table.indicator]]
id = "x.b"
label = "乙"
unit = "人"
kind = "count"
parent = "x.total"
relation = "part"

[[table.indicator]]
id = "x.levels"
label = "分级总数"
unit = "个"
kind = "count"
breakdown = "partial"
year_over_year = false

[[table.indicator]]
id = "x.level1"
label = "一级"
qizhong = true
unit = "个"
kind = "count"
parent = "x.levels"
relation = "part"
year_over_year = false

[[table.indicator]]
id = "x.level2"
label = "二级"
unit = "个"
kind = "count"
parent = "x.levels"
relation = "part"
year_over_year = false

[[table.indicator]]
id = "x.online"
label = "接入平台数"
unit = "个"
kind = "count"
parent = "x.level1"
relation = "subset"
year_over_year = false

[[table.indicator]]
id = "x.rate"
label = "满意度"
unit = "%"
kind = "percentage"
respondent_breakdown = "exhaustive"
aggregate = { rule = "weighted_mean", by = "x.rate.respondents" }

[[table.indicator]]
id = "x.rate_a"
label = "甲满意度"
qizhong = true
unit = "%"
kind = "percentage"
parent = "x.rate"
relation = "aspect"
aggregate = { rule = "weighted_mean", by = "x.rate_a.respondents" }

[[table.indicator]]
id = "x.rate_b"
label = "乙满意度"
unit = "%"
kind = "percentage"
parent = "x.rate"
relation = "aspect"
aggregate = { rule = "weighted_mean", by = "x.rate_b.respondents" }

[[table.indicator]]
id = "x.money"
label = "经费"
unit = "万元"
kind = "money"

[[table.indicator]]
id = "x.ratio"
label = "生师比"
unit = ":"
kind = "ratio"
aggregate = { rule = "none" }
year_over_year = false

[[rule]]
id = "ratio_matches"
check = "x.ratio == x.total / x.money"
tolerance = "0.01"
severity = "warning"
message = "比值应相符"
message_en = "ratio must match"
"#;

fn framework() -> Framework {
    Framework::from_toml("mini.toml", FRAMEWORK).expect("mini framework")
}

fn dataset(framework: &Framework, values: &[(&str, i32, &str)]) -> (Dataset, usize) {
    let mut dataset = Dataset::new(framework.indicators.len());
    let org = dataset.add_org(OrgUnit::new("s1", "一中", OrgLevel::School, None)).expect("org");
    for (id, year, value) in values {
        let index = framework.lookup(id).unwrap_or_else(|| panic!("{id}"));
        let value = match *value {
            "-" => Value::NotApplicable,
            text => Value::Number(Decimal::from_str(text).expect("decimal")),
        };
        dataset.set(org, *year, index, value);
    }
    (dataset, org)
}

/// Rule ids of the findings for 2024.
fn failing(values: &[(&str, i32, &str)]) -> Vec<String> {
    let framework = framework();
    let (dataset, org) = dataset(&framework, values);
    let rules = RuleSet::for_framework(&framework);
    let mut summary = Summary::default();
    let mut ids: Vec<String> =
        rules.evaluate(&framework, &dataset, org, 2024, &mut summary).into_iter().map(|f| f.rule_id).collect();
    ids.sort();
    ids
}

#[test]
fn consistent_data_has_no_findings() {
    let good = [
        ("x.total", 2024, "10"),
        ("x.a", 2024, "4"),
        ("x.b", 2024, "6"),
        ("x.levels", 2024, "9"),
        ("x.level1", 2024, "3"),
        ("x.level2", 2024, "5"),
        ("x.online", 2024, "2"),
        ("x.rate", 2024, "90.5"),
        ("x.rate.respondents", 2024, "30"),
        ("x.rate_a.respondents", 2024, "10"),
        ("x.rate_b.respondents", 2024, "20"),
        ("x.money", 2024, "4"),
        ("x.ratio", 2024, "2.5"),
    ];
    assert_eq!(failing(&good), Vec::<String>::new());
}

#[test]
fn counts_must_be_whole_and_non_negative() {
    assert_eq!(failing(&[("x.a", 2024, "-1")]), vec!["derived.non_negative.x.a"]);
    assert_eq!(failing(&[("x.a", 2024, "1.5")]), vec!["derived.whole_number.x.a"]);
    assert_eq!(failing(&[("x.money", 2024, "-0.01")]), vec!["derived.non_negative.x.money"]);
}

#[test]
fn percentages_lie_between_0_and_100() {
    assert_eq!(failing(&[("x.rate", 2024, "100.01")]), vec!["derived.percentage_range.x.rate"]);
    assert_eq!(failing(&[("x.rate", 2024, "-3")]), vec!["derived.non_negative.x.rate"]);
    assert_eq!(failing(&[("x.rate", 2024, "100")]), Vec::<String>::new());
}

#[test]
fn child_not_above_parent_and_exhaustive_parts_add_up() {
    assert_eq!(
        failing(&[("x.total", 2024, "10"), ("x.a", 2024, "11"), ("x.b", 2024, "0")]),
        vec!["derived.child_le_parent.x.a", "derived.parts_add_up.x.total"]
    );
    assert_eq!(
        failing(&[("x.total", 2024, "10"), ("x.a", 2024, "4"), ("x.b", 2024, "5")]),
        vec!["derived.parts_add_up.x.total"]
    );
}

#[test]
fn partial_parts_stay_within_parent_and_subsets_within_their_row() {
    assert_eq!(
        failing(&[("x.levels", 2024, "5"), ("x.level1", 2024, "3"), ("x.level2", 2024, "3"), ("x.online", 2024, "4")]),
        vec!["derived.child_le_parent.x.online", "derived.parts_le_parent.x.levels"]
    );
}

#[test]
fn survey_respondents_add_up() {
    assert_eq!(
        failing(&[
            ("x.rate.respondents", 2024, "30"),
            ("x.rate_a.respondents", 2024, "10"),
            ("x.rate_b.respondents", 2024, "21")
        ]),
        vec!["derived.respondents_add_up.x.rate.respondents"]
    );
}

#[test]
fn declared_rule_with_tolerance_reports_both_sides() {
    let framework = framework();
    let (dataset, org) =
        dataset(&framework, &[("x.total", 2024, "10"), ("x.money", 2024, "3"), ("x.ratio", 2024, "3.35")]);
    let rules = RuleSet::for_framework(&framework);
    let mut summary = Summary::default();
    let findings = rules.evaluate(&framework, &dataset, org, 2024, &mut summary);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding.rule_id, "ratio_matches");
    assert_eq!(finding.source, RuleSource::Declared);
    assert_eq!(finding.severity, Severity::Warning);
    assert_eq!(finding.left, Some(Decimal::from_str("3.35").expect("d")));
    assert_eq!(finding.right.map(|r| r.round_dp(4)), Some(Decimal::from_str("3.3333").expect("d")));
    assert!(
        finding.message_zh.starts_with("比值应相符：附表 1 生师比 3.35，计算得 3.3333，相差 0.0167，允许误差 0.01"),
        "{}",
        finding.message_zh
    );
    let labels: Vec<(&str, &str, i32)> =
        finding.cells.iter().map(|c| (c.indicator_id.as_str(), c.label.as_str(), c.year)).collect();
    assert_eq!(labels, vec![("x.ratio", "生师比", 2024), ("x.total", "总数", 2024), ("x.money", "经费", 2024)]);
    assert_eq!(finding.cells[0].table_caption, "测试表");
    // Within tolerance: 3.335 − 10/3 = 0.0017 <= 0.01.
    let (dataset, org) = dataset_for_ratio(&framework, "3.335");
    assert!(rules.evaluate(&framework, &dataset, org, 2024, &mut summary).is_empty());
}

fn dataset_for_ratio(framework: &Framework, ratio: &str) -> (Dataset, usize) {
    dataset(framework, &[("x.total", 2024, "10"), ("x.money", 2024, "3"), ("x.ratio", 2024, ratio)])
}

#[test]
fn division_by_zero_is_reported_as_not_evaluable() {
    let framework = framework();
    let (dataset, org) =
        dataset(&framework, &[("x.total", 2024, "10"), ("x.money", 2024, "0"), ("x.ratio", 2024, "1")]);
    let rules = RuleSet::for_framework(&framework);
    let mut summary = Summary::default();
    let findings = rules.evaluate(&framework, &dataset, org, 2024, &mut summary);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Info);
    assert!(matches!(findings[0].status, FindingStatus::NotEvaluable(_)));
    assert!(findings[0].message_zh.contains("无法计算：除数为 0"), "{}", findings[0].message_zh);
}

#[test]
fn year_over_year_changes_beyond_threshold_are_warnings() {
    // +40% on a count above the minimum magnitude: warning.
    assert_eq!(failing(&[("x.money", 2023, "100"), ("x.money", 2024, "140")]), vec!["year_over_year.x.money"]);
    // +30% exactly: fine. Small numbers (both below 10): not checked.
    assert_eq!(failing(&[("x.money", 2023, "100"), ("x.money", 2024, "130")]), Vec::<String>::new());
    assert_eq!(failing(&[("x.money", 2023, "2"), ("x.money", 2024, "9")]), Vec::<String>::new());
    // Percentages move in points: 10.01 points is too much.
    assert_eq!(failing(&[("x.rate", 2023, "80"), ("x.rate", 2024, "90.01")]), vec!["year_over_year.x.rate"]);
    // Switched off for an indicator.
    assert_eq!(failing(&[("x.levels", 2023, "100"), ("x.levels", 2024, "300")]), Vec::<String>::new());
}

#[test]
fn not_applicable_values_skip_rules() {
    assert_eq!(failing(&[("x.total", 2024, "-"), ("x.a", 2024, "5"), ("x.b", 2024, "5")]), Vec::<String>::new());
}

#[test]
fn bundled_framework_derives_every_kind_of_rule() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../frameworks/zhongzhi-2024.toml"))
        .expect("read");
    let framework = Framework::from_toml("zhongzhi-2024.toml", &text).expect("framework");
    let rules = RuleSet::for_framework(&framework);
    let count = |kind: DerivedKind| rules.rules.iter().filter(|r| r.source == RuleSource::Derived(kind)).count();
    assert!(count(DerivedKind::NonNegative) > 100);
    assert!(count(DerivedKind::WholeNumber) > 80);
    assert_eq!(
        count(DerivedKind::PartsAddUp),
        4,
        "exhaustive breakdowns: t2 campus staff, a1 sectors, a5 adopted abroad, schools"
    );
    assert_eq!(count(DerivedKind::RespondentsEqual), 5, "the five 在校生 sub-rows");
    assert_eq!(count(DerivedKind::RespondentsAddUp), 1, "毕业生满意度");
    let platform_rules = rules
        .rules
        .iter()
        .filter(|r| r.id.starts_with("derived.child_le_parent.") && r.id.ends_with("_on_platform"))
        .count();
    assert_eq!(platform_rules, 10, "every 接入国家智慧教育平台数 row is checked against its row");
    assert!(rules.rules.iter().any(|r| r.id == "mentors_same_in_table2_and_appendix6"));
}
