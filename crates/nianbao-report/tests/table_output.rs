//! Table output formats on hand-built views: alignment, escaping, missing versus not applicable.

use nianbao_core::TableLayout;
use nianbao_core::table_view::{CellView, RowView, TableView};
use nianbao_core::value::Value;
use nianbao_report::table_output::{TableFormat, csv, json, markdown, render, text};
use nianbao_report::text_width::width;

fn cell(value: Value, decimals: u32) -> CellView {
    CellView { text: value.format(decimals), value }
}

fn row(id: &str, label: &str, unit: &'static str, values: [Value; 2], depth: usize) -> RowView {
    RowView {
        indicator_id: id.into(),
        label: label.into(),
        header: label.into(),
        group: None,
        unit,
        name_en: id.into(),
        depth,
        cells: values.into_iter().map(|v| cell(v, 2)).collect(),
        extras: vec![],
    }
}

fn view() -> TableView {
    TableView {
        table_id: "x1".into(),
        number: Some("附表 9".into()),
        caption: "测试|表".into(),
        title: "附表 9 测试|表".into(),
        caption_en: "Test".into(),
        layout: TableLayout::IndicatorRows,
        report_year: 2024,
        years: vec![2023, 2024],
        printed_years: vec![2023, 2024],
        extra_headers: vec![],
        rows: vec![
            row("x1.total", "总数", "万元", [Value::Number(1234.into()), Value::NotApplicable], 0),
            row("x1.part", "其中：甲, \"乙\"", "万元", [Value::Missing, Value::Number(5.into())], 1),
        ],
        orgs: vec![],
        org_header: "",
    }
}

#[test]
fn text_aligns_by_display_width_and_right_aligns_numbers() {
    let output = text(&view());
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines[0], "附表 9 测试|表");
    assert_eq!(lines[1], "指标            单位  2023 年  2024 年");
    assert_eq!(lines[2], "总数            万元  1234.00        -");
    assert_eq!(lines[3], "其中：甲, \"乙\"  万元              5.00");
    assert_eq!(width(lines[2]), width(lines[3]));
}

#[test]
fn markdown_escapes_pipes_and_marks_numeric_columns() {
    let output = markdown(&view());
    assert!(
        output
            .starts_with("**附表 9 测试\\|表**\n\n| 指标 | 单位 | 2023 年 | 2024 年 |\n| --- | --- | ---: | ---: |\n"),
        "{output}"
    );
}

#[test]
fn csv_quotes_fields_and_keeps_missing_apart_from_not_applicable() {
    let output = csv(&[view()]);
    assert_eq!(output, "table,label,unit,2023,2024\nx1,总数,万元,1234.00,-\nx1,\"其中：甲, \"\"乙\"\"\",万元,,5.00\n");
}

#[test]
fn json_gives_null_for_missing_and_dash_for_not_applicable() {
    let value = json(&view());
    assert_eq!(value["rows"][0]["values"]["2024"], "-");
    assert!(value["rows"][1]["values"]["2023"].is_null());
    assert_eq!(value["rows"][1]["depth"], 1);
    let rendered = render(&[view(), view()], TableFormat::Json);
    let parsed: serde_json::Value = serde_json::from_str(&rendered).expect("valid json");
    assert_eq!(parsed.as_array().map(Vec::len), Some(2));
}
