//! The framework loader's messages on broken files: position, wording, and all problems at once.

use nianbao_core::{Framework, Kind};

const GOOD: &str = r#"[framework]
id = "mini"
version = "1"
name = "迷你框架"
notice = "教职成司函〔2024〕29号"

[[table]]
id = "a1"
number = "附表 1"
caption = "测试表"

[[table.indicator]]
id = "a1.total"
label = "总数"
unit = "人"
kind = "count"
breakdown = "exhaustive"

[[table.indicator]]
id = "a1.part_a"
label = "甲类人数"
qizhong = true
unit = "人"
kind = "count"
parent = "a1.total"
relation = "part"

[[table.indicator]]
id = "a1.rate"
label = "比例"
unit = "%"
kind = "percentage"
aggregate = { rule = "weighted_mean", by = "a1.total" }
"#;

fn errors_of(text: &str) -> Vec<String> {
    match Framework::from_toml("broken.toml", text) {
        Ok(_) => panic!("expected the loader to reject:\n{text}"),
        Err(problems) => problems.iter().map(|d| d.to_string()).collect(),
    }
}

fn assert_has(errors: &[String], needle: &str) {
    assert!(errors.iter().any(|e| e.contains(needle)), "no error containing {needle:?} in {errors:#?}");
}

#[test]
fn good_file_loads_with_hierarchy_and_rules() {
    let framework = Framework::from_toml("good.toml", GOOD).expect("good framework");
    assert_eq!(framework.indicators.len(), 3);
    let part = framework.lookup("a1.part_a").expect("part");
    let total = framework.lookup("a1.total").expect("total");
    assert_eq!(framework.indicator(part).parent, Some(total));
    assert_eq!(framework.indicator(part).printed_label(), "其中：甲类人数");
    assert_eq!(framework.indicator(total).kind, Kind::Count);
    assert_eq!(framework.children(total).collect::<Vec<_>>(), vec![part]);
}

#[test]
fn unknown_parent_is_reported_at_the_parent_value() {
    let errors = errors_of(&GOOD.replace("parent = \"a1.total\"", "parent = \"a1.totl\""));
    assert_has(&errors, "broken.toml:25:10: error: parent refers to unknown indicator \"a1.totl\"");
}

#[test]
fn duplicate_id_names_the_first_declaration() {
    let errors = errors_of(&GOOD.replace("id = \"a1.rate\"", "id = \"a1.total\""));
    assert_eq!(errors.len(), 1, "a duplicate should not cascade: {errors:#?}");
    assert_has(&errors, "broken.toml:29:6: error: duplicate indicator id \"a1.total\" (first declared on line 13)");
}

#[test]
fn unknown_unit_lists_the_known_units() {
    let errors = errors_of(&GOOD.replace(
        "label = \"甲类人数\"\nqizhong = true\nunit = \"人\"",
        "label = \"甲类人数\"\nqizhong = true\nunit = \"人们\"",
    ));
    assert_has(&errors, "broken.toml:23:8: error: unknown unit \"人们\"; known units: 人 人次");
    assert_eq!(errors.len(), 1, "an unknown unit should not cascade: {errors:#?}");
}

#[test]
fn cycle_in_the_hierarchy_is_reported() {
    let text = GOOD.replace(
        "breakdown = \"exhaustive\"\n",
        "breakdown = \"exhaustive\"\nparent = \"a1.part_a\"\nrelation = \"part\"\n",
    );
    let errors = errors_of(&text);
    assert_has(&errors, "is its own ancestor: the 其中 hierarchy has a cycle");
}

#[test]
fn rule_referring_to_unknown_indicator_is_reported() {
    let errors = errors_of(&GOOD.replace("by = \"a1.total\"", "by = \"a1.nothing\""));
    assert_has(&errors, "error: weighted_mean refers to unknown indicator \"a1.nothing\"");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = GOOD
        .replace("parent = \"a1.total\"", "parent = \"a1.totl\"")
        .replace("unit = \"%\"", "unit = \"百分比\"")
        .replace("kind = \"percentage\"", "kind = \"percent\"");
    let errors = errors_of(&text);
    assert_has(&errors, "unknown indicator \"a1.totl\"");
    assert_has(&errors, "unknown unit \"百分比\"");
    assert_has(&errors, "unknown kind \"percent\"; expected one of count, amount, percentage, ratio, money, text");
    assert!(errors.len() >= 3, "{errors:#?}");
}

#[test]
fn syntax_error_gives_line_and_column() {
    let errors = errors_of(&GOOD.replace("caption = \"测试表\"", "caption = \"测试表"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("broken.toml:10:"), "{errors:?}");
}

#[test]
fn unknown_field_is_rejected_with_position() {
    let errors =
        errors_of(&GOOD.replace("kind = \"count\"\nbreakdown", "kind = \"count\"\ncolour = \"red\"\nbreakdown"));
    assert_has(&errors, "broken.toml:17:1");
    assert_has(&errors, "colour");
}

#[test]
fn percentages_cannot_be_summed_up_the_tree() {
    let errors = errors_of(&GOOD.replace("aggregate = { rule = \"weighted_mean\", by = \"a1.total\" }\n", ""));
    assert_has(&errors, "\"a1.rate\" (percentage in \"%\") cannot be summed up an org tree");
}

#[test]
fn parts_must_share_the_parent_unit_and_parents_must_declare_a_breakdown() {
    let errors = errors_of(
        &GOOD
            .replace("qizhong = true\nunit = \"人\"", "qizhong = true\nunit = \"人次\"")
            .replace("breakdown = \"exhaustive\"\n", ""),
    );
    assert_has(&errors, "\"a1.part_a\" is a part of \"a1.total\" but their units differ (\"人次\" vs \"人\")");
    assert_has(&errors, "\"a1.total\" has parts; declare breakdown");
}

#[test]
fn child_with_parent_needs_a_relation_and_qizhong_needs_a_parent() {
    let errors = errors_of(
        &GOOD
            .replace("relation = \"part\"\n", "")
            .replace("kind = \"percentage\"", "kind = \"percentage\"\nqizhong = true"),
    );
    assert_has(&errors, "has a parent but no relation");
    assert_has(&errors, "is printed with 其中： but has no parent");
}

#[test]
fn counts_have_no_decimals_and_ids_are_ascii() {
    let errors = errors_of(
        &GOOD
            .replace("id = \"a1.part_a\"", "id = \"a1.甲\"")
            .replace("kind = \"count\"\nbreakdown", "kind = \"count\"\ndecimals = 2\nbreakdown"),
    );
    assert_has(&errors, "indicator id \"a1.甲\" must be lowercase ASCII");
    assert_has(&errors, "a count is a whole number: decimals must be 0");
}

#[test]
fn loader_never_panics_on_truncated_input() {
    let bundled = crate::bundled_framework_text();
    for cut in (0..bundled.len()).step_by(997) {
        let Some(prefix) = bundled.get(..cut) else {
            continue;
        };
        let _ = Framework::from_toml("cut.toml", prefix);
    }
}
