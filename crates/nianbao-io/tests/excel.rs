//! Excel exchange: template round trip, a corpus of messy and hostile workbooks, limits.

use nianbao_core::{Dataset, IndicatorIndex, Value};
use nianbao_io::excel::{self, ExcelError, Limits};
use nianbao_io::{LoadedDataset, load_dataset_dir};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Formula, Workbook};
use std::path::Path;
use std::str::FromStr;

fn sample() -> LoadedDataset {
    load_dataset_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/ganzhou-sample")).expect("sample")
}

fn number(text: &str) -> Value {
    Value::Number(Decimal::from_str(text).expect("decimal"))
}

#[test]
fn template_round_trip_gives_back_what_was_filled() {
    let loaded = sample();
    let school = loaded.dataset.org_index("xingguo-s1").expect("school");
    // The school's 2024 figures play the part of what a clerk typed into the template.
    let bytes = excel::write_template(&loaded.framework, &loaded.dataset, school, 2024).expect("template");
    let imported = excel::import(&bytes, &loaded.framework, &loaded.dataset, &Limits::default()).expect("import");
    assert!(imported.issues.is_empty(), "{:#?}", imported.issues);
    assert_eq!(imported.kind, "school-template");
    let mut expected = Vec::new();
    for table in loaded.framework.tables.iter().filter(|t| t.printed) {
        for &row in &table.rows {
            let mut indicators = vec![row];
            indicators.extend(table.extra_columns.iter().filter_map(|c| loaded.framework.companion(row, *c)));
            for indicator in indicators {
                let value = loaded.dataset.get(school, 2024, indicator);
                if !value.is_missing() {
                    expected.push((indicator, value.clone()));
                }
            }
        }
    }
    let mut got: Vec<(IndicatorIndex, Value)> = imported
        .values
        .iter()
        .map(|(org, year, i, v, _)| {
            assert_eq!((*org, *year), (school, 2024), "the hidden ids carry the school and year");
            (*i, v.clone())
        })
        .collect();
    got.sort_by_key(|(i, _)| *i);
    expected.sort_by_key(|(i, _)| *i);
    assert_eq!(got, expected);
    assert!(expected.len() > 150, "{} values", expected.len());
}

#[test]
fn a_template_cannot_be_loaded_into_another_framework() {
    let loaded = sample();
    let school = loaded.dataset.org_index("xingguo-s1").expect("school");
    let bytes = excel::write_template(&loaded.framework, &loaded.dataset, school, 2024).expect("template");
    let mut other = loaded.framework.clone();
    other.version = "2099.1".into();
    let error = excel::import(&bytes, &other, &loaded.dataset, &Limits::default()).expect_err("other framework");
    assert!(error.to_string().contains("made for framework zhongzhi-2024 2024.1"), "{error}");
    let empty = Dataset::new(loaded.framework.indicators.len());
    let error = excel::import(&bytes, &loaded.framework, &empty, &Limits::default()).expect_err("unknown school");
    assert!(error.to_string().contains("org unit \"xingguo-s1\""), "{error}");
}

/// A multi-school workbook written cell by cell, as a person might have filled it.
fn messy_workbook(cells: &[(&str, MessyCell)]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name(excel::MULTI_SHEET).expect("sheet");
    for (column, id) in ["org", "name", "year"].iter().enumerate() {
        sheet.write_string(1, column as u16, *id).expect("write");
    }
    sheet.write_string(2, 0, "xingguo-s1").expect("write");
    sheet.write_string(2, 2, "2024").expect("write"); // the year typed as text
    for (position, (id, cell)) in cells.iter().enumerate() {
        let column = 3 + position as u16;
        sheet.write_string(0, column, *id).expect("write");
        sheet.write_string(1, column, *id).expect("write");
        match cell {
            MessyCell::Text(text) => sheet.write_string(2, column, *text).map(|_| ()),
            MessyCell::Number(n) => sheet.write_number(2, column, *n).map(|_| ()),
            MessyCell::Formula(formula, cached) => {
                sheet.write_formula(2, column, Formula::new(*formula).set_result(*cached)).map(|_| ())
            }
            MessyCell::Bool => sheet.write_boolean(2, column, true).map(|_| ()),
        }
        .expect("write");
    }
    workbook.save_to_buffer().expect("save")
}

enum MessyCell {
    Text(&'static str),
    Number(f64),
    Formula(&'static str, &'static str),
    Bool,
}

#[test]
fn messy_cells_are_read_as_meant_and_the_rest_refused_at_their_cell() {
    use MessyCell::*;
    let loaded = sample();
    let cells = [
        ("a1.graduates", Text(" １，２３４ ")), // D: full-width digits, separator, spaces
        ("a1.graduates_placed", Text("1,200")), // E: thousands separator
        ("a1.placed_in_province_rate", Text("86.31%")), // F: trailing %
        ("a1.monthly_income", Number(3418.0)),  // G: a number
        ("a1.further_study", Formula("=600+100", "700")), // H: formula: the cached value
        ("a1.to_undergraduate", Text("—")),     // I: not applicable
        ("a1.employed_by_sector", Text("/")),   // J: not applicable
        ("a1.self_employment_rate", Text("2.98 %")), // K
        ("a1.promoted_within_three_years", Text("约30")), // L: refused
        ("a1.employed_primary", Text("12%")),   // M: a % on a count: refused
        ("a1.employed_secondary", Text("12,34")), // N: ambiguous comma: refused
        ("a1.employed_tertiary", Bool),         // O: TRUE: refused
        ("a2.students.method", Text("全国统一网上调查")), // P: text indicator
        ("nonexistent.id", Text("1")),          // Q: unknown indicator
    ];
    let bytes = messy_workbook(&cells);
    let imported = excel::import(&bytes, &loaded.framework, &loaded.dataset, &Limits::default()).expect("import");
    let value = |id: &str| {
        imported
            .values
            .iter()
            .find(|(_, _, i, _, _)| loaded.framework.indicator(*i).id == id)
            .map(|v| (v.3.clone(), imported.cell_name(&v.4)))
    };
    assert_eq!(value("a1.graduates"), Some((number("1234"), "数据!D3".to_string())));
    assert_eq!(value("a1.graduates_placed").map(|v| v.0), Some(number("1200")));
    assert_eq!(value("a1.placed_in_province_rate").map(|v| v.0), Some(number("86.31")));
    assert_eq!(value("a1.monthly_income").map(|v| v.0), Some(number("3418")));
    assert_eq!(value("a1.further_study").map(|v| v.0), Some(number("700")));
    assert_eq!(value("a1.to_undergraduate").map(|v| v.0), Some(Value::NotApplicable));
    assert_eq!(value("a1.employed_by_sector").map(|v| v.0), Some(Value::NotApplicable));
    assert_eq!(value("a1.self_employment_rate").map(|v| v.0), Some(number("2.98")));
    assert_eq!(value("a2.students.method").map(|v| v.0), Some(Value::Text("全国统一网上调查".into())));
    let issues: Vec<(String, String)> = imported.issues.iter().map(|i| (i.cell.clone(), i.label.clone())).collect();
    assert_eq!(
        issues,
        vec![
            ("数据!Q2".to_string(), "nonexistent.id".to_string()),
            ("数据!L3".to_string(), "毕业三年晋升比例".to_string()),
            ("数据!M3".to_string(), "其中：面向第一产业就业人数".to_string()),
            ("数据!N3".to_string(), "面向第二产业就业人数".to_string()),
            ("数据!O3".to_string(), "面向第三产业就业人数".to_string()),
        ]
    );
    assert!(imported.issues[1].message_zh.contains("不是数值"), "{:?}", imported.issues[1]);
    assert!(imported.issues[2].message_en.contains("not a percentage"), "{:?}", imported.issues[2]);
}

#[test]
fn hostile_files_are_refused_with_a_clear_error() {
    let loaded = sample();
    let refuse = |bytes: &[u8], limits: Limits| {
        excel::import(bytes, &loaded.framework, &loaded.dataset, &limits).expect_err("refused").to_string()
    };
    assert!(refuse(b"not a zip at all", Limits::default()).starts_with("not an .xlsx workbook"));
    // A workbook that unpacks far beyond its size (a 4 MB string compresses to a few KB).
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name(excel::MULTI_SHEET).expect("sheet");
    sheet.write_string(0, 0, "x".repeat(32_000)).expect("write");
    for row in 1..130 {
        sheet.write_string(row, 0, format!("{row}{}", "y".repeat(32_000))).expect("write"); // distinct: no shared string
    }
    let bomb = workbook.save_to_buffer().expect("save");
    assert!(bomb.len() < 200_000, "compressed to {} bytes", bomb.len());
    let message = refuse(&bomb, Limits { max_unpacked_bytes: 1 << 20, ..Limits::default() });
    assert!(message.contains("unpacks to more than 1048576 bytes"), "{message}");
    let message = refuse(&bomb, Limits { max_file_bytes: 1000, ..Limits::default() });
    assert!(message.contains("the limit is 1000 bytes"), "{message}");
    let message = refuse(&bomb, Limits { max_rows: 50, ..Limits::default() });
    assert!(message.contains("exceeds the limit of 50"), "{message}");
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Sheet1").expect("sheet");
    let plain = workbook.save_to_buffer().expect("save");
    assert!(matches!(
        excel::import(&plain, &loaded.framework, &loaded.dataset, &Limits::default()),
        Err(ExcelError::WrongWorkbook(_))
    ));
}

#[test]
fn export_writes_every_printed_table_as_a_sheet() {
    let loaded =
        load_dataset_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/ganzhou")).expect("published");
    let city = loaded.dataset.org_index("ganzhou").expect("city");
    let bytes = excel::export_tables(&loaded.framework, &loaded.dataset, city, 2024).expect("export");
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("readable");
    let names = workbook.sheet_names();
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names[2], "附表1 人才培养质量计分卡");
    let range = workbook.worksheet_range(&names[2]).expect("sheet");
    assert_eq!(range.get((0, 0)).map(|d| d.to_string()), Some("附表 1 人才培养质量计分卡".into()));
    assert_eq!(range.get((2, 0)).map(|d| d.to_string()), Some("毕业生人数".into()));
    assert_eq!(range.get((2, 3)), Some(&calamine::Data::Float(39481.0)));
    let sdmx = excel::sdmx_csv(&loaded.framework, &loaded.dataset, 2024);
    assert!(sdmx.starts_with("DATAFLOW,REF_AREA,TIME_PERIOD,INDICATOR,UNIT_MEASURE,OBS_VALUE,OBS_STATUS\n"));
    assert!(sdmx.contains("NIANBAO:ZHONGZHI_2024(2024.1),ganzhou,2024,a1.graduates,人,39481,A\n"), "{}", &sdmx[..400]);
    assert!(sdmx.contains(",ganzhou,2024,a2.staff,%,,N\n"));
}
