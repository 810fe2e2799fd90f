//! `nianbao audit`: a report nianbao wrote, read back from Markdown and DOCX in a folder; the
//! summary per file, JSON, exit status 1 on errors, and `--save-dataset` giving a dataset that
//! validates exactly as the figures it was printed from.

use crate::{nianbao, nianbao_ok};

#[test]
fn a_folder_of_reports_is_audited_and_its_figures_saved_as_a_dataset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reports = dir.path().join("reports");
    let out = reports.to_str().expect("utf-8 path");
    nianbao_ok(&["report", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "md,docx", "--out", out]);
    std::fs::write(reports.join("notes.csv"), "not a report").expect("write");
    // The figures carry the framework's errors (as published): exit status 1, with both files in
    // the summary and nothing of the document itself wrong.
    let audit = nianbao(&["audit", out]);
    assert_eq!(audit.status.code(), Some(1), "errors were found");
    let text = String::from_utf8(audit.stdout).expect("utf-8");
    assert!(text.contains("ganzhou-2024.docx\t赣州市\t2024\t282\t3\t27"), "{text}");
    assert!(text.contains("ganzhou-2024.md\t赣州市\t2024\t282\t3\t27"), "{text}");
    assert!(!text.contains("notes.csv"), "only reports are read from a folder");
    assert!(text.contains("表 2 的行业导师应与附表 6 的聘请行业导师人数一致"), "{text}");
    let json = nianbao(&["audit", "--format", "json", "--lang", "en", &format!("{out}/ganzhou-2024.md")]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let document = &json["documents"][0];
    assert_eq!((document["values_read"].as_u64(), document["errors"].as_u64()), (Some(282), Some(3)), "{document}");
    assert!(document["findings"].as_array().expect("findings").iter().all(|f| f["kind"] == "rule"), "{document}");
    // The figures read back validate as the dataset they were printed from.
    let saved = dir.path().join("read-back");
    let saved = saved.to_str().expect("utf-8 path");
    let _ = nianbao(&["audit", &format!("{out}/ganzhou-2024.docx"), "--save-dataset", saved]);
    let original = nianbao(&["validate", "--dataset", "datasets/ganzhou", "--year", "2024"]);
    let read_back = nianbao(&["validate", "--dataset", saved, "--year", "2024"]);
    let summary = |output: &std::process::Output| {
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        let first = text.lines().next().unwrap_or_default().to_string();
        first.split("数据校验：").nth(1).and_then(|rest| rest.split('（').next()).unwrap_or_default().to_string()
    };
    assert_eq!(summary(&read_back), summary(&original), "the same errors and warnings");
    assert_eq!(summary(&original), "3 个错误，27 个警告，0 条提示");
    // Unknown files are refused by name, in Chinese.
    let missing = nianbao(&["audit", "no-such-report.pdf"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-report.pdf: 文件无法读取"), "{missing:?}");
}

/// nianbao's own report at every level (the demo's city, province, county and school) follows
/// the national outline and numbers and lists everything it prints: the audit finds nothing in
/// the documents themselves, only what the sample figures carry.
#[test]
fn every_level_of_nianbaos_own_report_passes_the_document_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("demo");
    nianbao_ok(&["demo", "--out", out.to_str().expect("utf-8 path")]);
    for stem in ["ganzhou-2024", "jiangxi-2024", "yudu-2024", "yudu-s1-2024"] {
        for extension in ["md", "docx", "pdf"] {
            let file = out.join(format!("{stem}.{extension}"));
            let audit = nianbao(&["audit", "--format", "json", file.to_str().expect("utf-8 path")]);
            let json: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
            let document = &json["documents"][0];
            let structural: Vec<&serde_json::Value> = document["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| !matches!(f["kind"].as_str(), Some("rule" | "text_number")))
                // The county's comparison of its schools is read from Markdown and DOCX (its
                // header names each column). Laid-out PDF text interleaves its wrapped column
                // headers, so there the audit says it did not check that table (a warning), and
                // that is all it may say of it.
                .filter(|f| {
                    !(extension == "pdf"
                        && f["kind"].as_str() == Some("unknown_table")
                        && f["message_zh"].as_str().is_some_and(|m| m.contains("各校主要指标")))
                })
                .collect();
            assert!(structural.is_empty(), "{stem}.{extension}: {structural:#?}");
            assert!(document["values_read"].as_u64() > Some(200), "{stem}.{extension}: {document}");
        }
    }
}

/// A county's comparison of its schools is checked: its last row is the county's own figures
/// (one printed differently from 表 1 is found), and the schools' figures of a summed indicator
/// must add up to it (a school's figure changed is found at the total row).
#[test]
fn a_comparison_of_schools_is_checked_against_its_total_and_the_other_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("demo");
    nianbao_ok(&["demo", "--out", out.to_str().expect("utf-8 path")]);
    let original = std::fs::read_to_string(out.join("yudu-2024.md")).expect("county md");
    let kinds = |text: &str, name: &str| -> Vec<(String, String)> {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("write");
        let audit = nianbao(&["audit", "--format", "json", file.to_str().expect("utf-8 path")]);
        let json: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
        json["documents"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| !matches!(f["kind"].as_str(), Some("rule" | "text_number")))
            .map(|f| (f["kind"].as_str().unwrap_or("").to_string(), f["message_zh"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    assert!(kinds(&original, "clean.md").is_empty(), "the county report as built");
    let school_row = original.lines().find(|l| l.starts_with("| 于都县第一中等职业学校")).expect("a school's row");
    let total_row = original.lines().find(|l| l.starts_with("| 于都县 |")).expect("the county's row");
    assert!(school_row.contains("| 3374 |") && total_row.contains("| 7703 |"), "{school_row} / {total_row}");
    // A school's figure changed: the schools no longer add up to the county.
    let found = kinds(&original.replacen(school_row, &school_row.replacen("| 3374 |", "| 3375 |", 1), 1), "school.md");
    assert!(
        found
            .iter()
            .any(|(kind, message)| kind == "comparison_sum" && message.contains("之和为 7704，合计一行为 7703")),
        "{found:#?}"
    );
    // Messy rows: a word where a figure belongs, a row missing a cell, a figure too large for
    // any sum. Each is said at its row; none passes as a figure.
    let cases = [
        ("| 3374 |", "| 三千 |", "unreadable_value", "“三千”不是数值"),
        ("| 3374 | 1018 |", "| 3374 |", "unknown_row", "无法对应到指标体系的指标"),
        (
            "| 3374 |",
            "| 99999999999999999999999999999 |",
            "unreadable_value",
            "“99999999999999999999999999999”不是数值",
        ),
        ("| 3374 |", "| 79228162514264337593543950335 |", "comparison_sum", "之和为 > 79228162514264337593543950335"),
    ];
    for (number, (from, to, kind, said)) in cases.iter().enumerate() {
        let found =
            kinds(&original.replacen(school_row, &school_row.replacen(from, to, 1), 1), &format!("messy-{number}.md"));
        assert!(found.iter().any(|(k, message)| k == kind && message.contains(said)), "{to}: {found:#?}");
    }
    // The county's row changed: it disagrees with the schools and with 表 1.
    let found = kinds(&original.replacen(total_row, &total_row.replacen("| 7703 |", "| 7704 |", 1), 1), "total.md");
    assert!(found.iter().any(|(kind, _)| kind == "comparison_sum"), "{found:#?}");
    assert!(found.iter().any(|(kind, message)| kind != "comparison_sum" && message.contains("7704")), "{found:#?}");
}
