//! Every figure of the reference report's tables (表 1, 表 2, 附表 1–6), transcribed in
//! `fixtures/`, appears in its cell of the `nianbao tables` output with the same label and unit.

use crate::nianbao_ok;
use rust_decimal::Decimal;
use std::str::FromStr;

/// Equal as printed values: the same decimal (3379 = 3379.00), or the same text (“-”).
fn same_value(reference: &str, ours: &str) -> bool {
    match (Decimal::from_str(reference), Decimal::from_str(ours)) {
        (Ok(a), Ok(b)) => a == b,
        _ => reference == ours,
    }
}

/// Removes the spaces that PDF line-wrapping left between two Chinese characters.
fn normalise_label(label: &str) -> String {
    let chars: Vec<char> = label.trim().chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let wrapped = c == ' ' && i > 0 && i + 1 < chars.len() && !chars[i - 1].is_ascii() && !chars[i + 1].is_ascii();
        if !wrapped {
            out.push(c);
        }
    }
    out
}

fn csv_fields(line: &str) -> Vec<String> {
    // Our CSV quotes only fields with commas or quotes; the survey method “电话、问卷” needs none.
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
    }
    fields.push(current);
    fields
}

#[test]
fn appendix_tables_match_the_reference_report_cell_by_cell() {
    let reference = include_str!("fixtures/reference-appendix.tsv");
    let csv = nianbao_ok(&["tables", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
    let ours: Vec<Vec<String>> = csv.lines().skip(1).map(csv_fields).filter(|f| f[0].starts_with('a')).collect();

    let mut table = 0;
    let mut reference_rows = Vec::new();
    for line in reference.lines() {
        if let Some(number) = line.strip_prefix("附表 ") {
            table = number.trim().parse::<usize>().expect("table number");
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() < 4 || cells[0] == "指标" {
            continue;
        }
        reference_rows.push((format!("a{table}"), cells));
    }
    assert_eq!(reference_rows.len(), 123, "the reference appendix has 123 rows");
    assert_eq!(ours.len(), 123, "nianbao prints 123 appendix rows");

    let mut checked_values = 0;
    for ((table, cells), row) in reference_rows.iter().zip(&ours) {
        let context = format!("{table} row {:?}", cells[0]);
        assert_eq!(&row[0], table, "{context}");
        assert_eq!(row[1], normalise_label(cells[0]), "{context}: label");
        assert_eq!(row[2], cells[1], "{context}: unit");
        for (reference, ours) in [(cells[2], &row[3]), (cells[3], &row[4])] {
            assert!(same_value(reference, ours), "{context}: reference {reference:?}, nianbao {ours:?}");
            checked_values += 1;
        }
        if table == "a2" {
            assert_eq!(row[5], cells[4], "{context}: 调查方式");
            assert!(same_value(cells[5], &row[6]), "{context}: 调查人次 {:?} vs {:?}", cells[5], row[6]);
            checked_values += 2;
        }
    }
    assert_eq!(checked_values, 123 * 2 + 12 * 2);
}

#[test]
fn body_tables_match_the_reference_report() {
    let reference = include_str!("fixtures/reference-body-tables.tsv");
    let lines: Vec<&str> = reference.lines().collect();
    let t1 = nianbao_ok(&["table", "t1", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
    let t1_rows: Vec<Vec<String>> = t1.lines().skip(1).map(csv_fields).collect();
    // 表 1 prints years as rows: transpose.
    for (line, year_column) in [(lines[2], 3), (lines[3], 4)] {
        let cells: Vec<&str> = line.split('\t').collect();
        assert!(same_value(cells[1], &t1_rows[0][year_column]), "在校生 {line}");
        assert!(same_value(cells[2], &t1_rows[1][year_column]), "招生 {line}");
    }
    let t2 = nianbao_ok(&["table", "t2", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
    let t2_values: Vec<String> = t2.lines().skip(1).map(|l| csv_fields(l)[4].clone()).collect();
    let reference_values: Vec<&str> = lines[7].split('\t').collect();
    assert_eq!(t2_values, reference_values, "表 2 values in printed column order");
    let text = nianbao_ok(&["table", "t2", "--dataset", "datasets/ganzhou", "--year", "2024"]);
    assert!(
        text.starts_with("表 2 2024 年赣州市中等职业教育教职工数情况表\n"),
        "the caption takes the data's year: {text}"
    );
}
