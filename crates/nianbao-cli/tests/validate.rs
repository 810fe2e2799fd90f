//! `nianbao validate` on the bundled figures: the audit is stable, grouped by table, exit status 1.

use crate::expect::assert_expect;
use crate::nianbao;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = nianbao(args);
    (output.status.code(), String::from_utf8(output.stdout).expect("utf-8"))
}

#[test]
fn audit_of_the_published_figures_2024_in_chinese() {
    let (code, text) = run(&["validate", "--dataset", "datasets/ganzhou", "--year", "2024"]);
    assert_eq!(code, Some(1), "errors were found, so the exit status is 1");
    assert_expect("validate-2024.zh.txt", &text);
    assert!(text.contains("3 个错误"), "{text}");
}

#[test]
fn audit_2023_in_english() {
    let (code, text) = run(&["validate", "--dataset", "datasets/ganzhou", "--year", "2023", "--lang", "en"]);
    assert_eq!(code, Some(1));
    assert_expect("validate-2023.en.txt", &text);
}

#[test]
fn json_findings_carry_rule_sides_and_cells() {
    let (_, text) = run(&["validate", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let findings = value["findings"].as_array().expect("findings");
    let mentors =
        findings.iter().find(|f| f["rule"] == "mentors_same_in_table2_and_appendix6").expect("mentor finding");
    assert_eq!(mentors["severity"], "error");
    assert_eq!(mentors["left"], "236");
    assert_eq!(mentors["right"], "336");
    assert_eq!(mentors["cells"][0]["table"], "t2");
    assert_eq!(mentors["cells"][1]["label"], "聘请行业导师人数");
    assert_eq!(value["summary"]["errors"], 3);
}

#[test]
fn bad_arguments_are_clear_errors() {
    let output = nianbao(&["validate", "--dataset", "datasets/ganzhou", "--year", "2024", "--lang", "fr"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown language \"fr\""));
    let output = nianbao(&["validate", "--dataset", "datasets/ganzhou", "--year", "2020"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no values for 2020"));
}
