//! Golden tests: every table of the bundled dataset in every output format.

use crate::expect::assert_expect;
use crate::nianbao_ok;

const TABLES: [&str; 9] = ["t1", "t2", "a1", "a2", "a3", "a4", "a5", "a6", "facts"];
const FORMATS: [(&str, &str); 4] = [("text", "txt"), ("markdown", "md"), ("csv", "csv"), ("json", "json")];

#[test]
fn every_table_in_every_format() {
    for table in TABLES {
        for (format, extension) in FORMATS {
            let output =
                nianbao_ok(&["table", table, "--dataset", "datasets/ganzhou", "--year", "2024", "--format", format]);
            assert_expect(&format!("{table}.{extension}"), &output);
        }
    }
}

#[test]
fn all_tables_as_text_and_csv() {
    let text = nianbao_ok(&["tables", "--dataset", "datasets/ganzhou", "--year", "2024"]);
    assert_expect("tables-2024.txt", &text);
    let csv = nianbao_ok(&["tables", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
    assert_expect("tables-2024.csv", &csv);
}

#[test]
fn text_columns_line_up_by_display_width() {
    let text = nianbao_ok(&["table", "a1", "--dataset", "datasets/ganzhou", "--year", "2024"]);
    let lines: Vec<&str> = text.lines().skip(1).collect();
    let widths: Vec<usize> = lines.iter().map(|l| unicode_display_width(l)).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "rows of different display width: {widths:?}\n{text}");
}

/// Display width without a dependency: CJK and full-width forms count two columns.
fn unicode_display_width(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            0x201C | 0x201D => 1,
            _ => 1,
        })
        .sum()
}

#[test]
fn unknown_table_and_format_are_clear_errors() {
    let output = crate::nianbao(&["table", "a9", "--dataset", "datasets/ganzhou"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown table \"a9\"; tables of zhongzhi-2024: t1, t2, a1"), "{stderr}");
    let output = crate::nianbao(&["table", "a1", "--dataset", "datasets/ganzhou", "--format", "xml"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown format \"xml\""));
    let output = crate::nianbao(&["table", "a1", "--dataset", "datasets/ganzhou", "--year", "2019"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no values for 2019"));
}
