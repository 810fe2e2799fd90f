//! The generated corpus of messy and hostile workbooks that the import is held to: each case
//! starts from a real template (or multi-school workbook) of the bundled framework, changes it
//! the way a tired clerk, a different spreadsheet program or an attacker would, and says what
//! must come of it — stored exactly as meant, or refused naming the place.
//! `nianbao corpus --out DIR` writes the files; the tests assert every outcome.

use crate::excel::{self, META_SHEET, MULTI_SHEET};
use crate::workbook::{self, Cell, CellValue, Merge, NumberFormat, ReadLimits, Sheet, Spreadsheet};
use nianbao_core::{Dataset, Framework, IndicatorIndex, Kind, OrgLevel, Value};
use std::io::Write;

/// What must come of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Accepted; exactly these changes (indicator id, org id, value), in any order.
    Stored(Vec<(String, String, Value)>),
    /// Refused; every one of these places (`sheet!D5`, or a sheet name) is named.
    Refused(Vec<String>),
}

/// One file of the corpus.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub bytes: Vec<u8>,
    /// The file extension: xlsx or ods.
    pub extension: &'static str,
    /// What the importer is told to expect (school index, year).
    pub school: Option<usize>,
    pub year: i32,
    pub expect: Expect,
}

/// Writes a sparse spreadsheet as an .xlsx the way other programs do: inline strings or a shared
/// string table (with phonetic runs, as WPS writes them), cells with or without `r`.
pub fn write_xlsx(spreadsheet: &Spreadsheet, shared_strings: bool, omit_references: bool) -> Vec<u8> {
    let mut strings: Vec<String> = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut workbook_sheets = String::new();
    let mut rels = String::new();
    let mut content_types = String::new();
    for (i, sheet) in spreadsheet.sheets.iter().enumerate() {
        let n = i + 1;
        workbook_sheets.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{n}\"{} r:id=\"rId{n}\"/>",
            escape(&sheet.name),
            if sheet.hidden { " state=\"hidden\"" } else { "" }
        ));
        rels.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        ));
        content_types.push_str(&format!("<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"));
        let mut data = String::new();
        let mut current_row: Option<u32> = None;
        let mut next_column = 0;
        for cell in &sheet.cells {
            if current_row != Some(cell.row) {
                if current_row.is_some() {
                    data.push_str("</row>");
                }
                let hidden = if sheet.hidden_rows.contains(&cell.row) { " hidden=\"1\"" } else { "" };
                data.push_str(&format!("<row r=\"{}\"{hidden}>", cell.row + 1));
                current_row = Some(cell.row);
                next_column = 0;
            }
            // Without references a cell sits right after the one before: only gaps get an `r`.
            let reference = if omit_references && cell.column == next_column {
                String::new()
            } else {
                format!(" r=\"{}\"", workbook::cell_name(cell.row, cell.column))
            };
            next_column = cell.column + 1;
            let style = match cell.format {
                NumberFormat::General => "",
                NumberFormat::Percent => " s=\"1\"",
                NumberFormat::Date => " s=\"2\"",
                NumberFormat::Text => " s=\"3\"",
            };
            let formula = if cell.formula { "<f>SUM(A1:A1)</f>" } else { "" };
            let body = match &cell.value {
                CellValue::Number(number) => format!("<c{reference}{style}>{formula}<v>{number}</v></c>"),
                CellValue::Text(text) if cell.formula => {
                    format!("<c{reference}{style} t=\"str\">{formula}<v>{}</v></c>", escape(text))
                }
                CellValue::Text(text) if shared_strings => {
                    strings.push(text.clone());
                    format!("<c{reference}{style} t=\"s\"><v>{}</v></c>", strings.len() - 1)
                }
                CellValue::Text(text) => {
                    format!("<c{reference}{style} t=\"inlineStr\"><is><t>{}</t></is></c>", escape(text))
                }
                CellValue::Bool(b) => format!("<c{reference} t=\"b\"><v>{}</v></c>", u8::from(*b)),
                CellValue::Error(code) => format!("<c{reference} t=\"e\">{formula}<v>{}</v></c>", escape(code)),
                CellValue::FormulaWithoutResult => format!("<c{reference}{style}><f>SUM(A1:A1)</f></c>"),
            };
            data.push_str(&body);
        }
        if current_row.is_some() {
            data.push_str("</row>");
        }
        let merges = if sheet.merges.is_empty() {
            String::new()
        } else {
            let list: String = sheet
                .merges
                .iter()
                .map(|m| {
                    format!(
                        "<mergeCell ref=\"{}:{}\"/>",
                        workbook::cell_name(m.first_row, m.first_column),
                        workbook::cell_name(m.last_row, m.last_column)
                    )
                })
                .collect();
            format!("<mergeCells count=\"{}\">{list}</mergeCells>", sheet.merges.len())
        };
        files.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{data}</sheetData>{merges}</worksheet>"),
        ));
    }
    files.push(("xl/workbook.xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{workbook_sheets}</sheets></workbook>")));
    rels.push_str("<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>");
    if shared_strings {
        rels.push_str("<Relationship Id=\"rIdT\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>");
        let items: String = strings
            .iter()
            .map(|s| format!("<si><r><t>{}</t></r><rPh sb=\"0\" eb=\"1\"><t>ピン</t></rPh></si>", escape(s)))
            .collect();
        files.push(("xl/sharedStrings.xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">{items}</sst>", strings.len())));
    }
    files.push(("xl/_rels/workbook.xml.rels".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>")));
    files.push(("xl/styles.xml".into(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.00%\"/></numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"49\"/></cellXfs></styleSheet>".into()));
    files.push(("[Content_Types].xml".into(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{content_types}</Types>")));
    files.push(("_rels/.rels".into(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".into()));
    zip_files(&files)
}

/// A bare workbook of one sheet whose part holds `sheet_xml`: for hostile sheet contents.
fn one_sheet_xlsx(sheet_xml: String) -> Vec<u8> {
    zip_files(&[
        (
            "xl/workbook.xml".into(),
            "<workbook><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".into(),
        ),
        ("xl/worksheets/sheet1.xml".into(), sheet_xml),
    ])
}

fn zip_files(files: &[(String, String)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in files {
            if zip.start_file(name.as_str(), options).is_ok() {
                let _ = zip.write_all(text.as_bytes());
            }
        }
        let _ = zip.finish();
    }
    out.into_inner()
}

/// A tiny .ods as LibreOffice writes one: repeated empty cells and rows, percentages typed as such.
fn ods(rows: &[Vec<String>], tail_repeat: u64) -> Vec<u8> {
    let body: String = rows
        .iter()
        .map(|cells| {
            format!(
                "<table:table-row>{}<table:table-cell table:number-columns-repeated=\"1000\"/></table:table-row>",
                cells.join("")
            )
        })
        .collect();
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet><table:table table:name=\"{MULTI_SHEET}\">{body}<table:table-row table:number-rows-repeated=\"{tail_repeat}\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    );
    zip_files(&[
        ("mimetype".into(), "application/vnd.oasis.opendocument.spreadsheet".into()),
        ("META-INF/manifest.xml".into(), "<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>".into()),
        ("content.xml".into(), content),
    ])
}

fn ods_text(text: &str) -> String {
    format!("<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>")
}

fn ods_number(value: &str, kind: &str) -> String {
    format!(
        "<table:table-cell office:value-type=\"{kind}\" office:value=\"{value}\"><text:p>{value}</text:p></table:table-cell>"
    )
}

/// Where an indicator's row and the template's columns are in a sheet.
struct Located {
    sheet: usize,
    row: u32,
    input: u32,
    label: u32,
}

fn marker_column(sheet: &Sheet, marker: &str) -> Option<(u32, u32)> {
    sheet
        .cells
        .iter()
        .find(|c| matches!(&c.value, CellValue::Text(t) if t == marker || (marker.ends_with('@') && t.starts_with(marker))))
        .map(|c| (c.row, c.column))
}

fn locate(spreadsheet: &Spreadsheet, id: &str) -> Option<Located> {
    for (index, sheet) in spreadsheet.sheets.iter().enumerate() {
        let Some((_, id_column)) = marker_column(sheet, "nianbao:id@") else { continue };
        let Some((_, input)) = marker_column(sheet, "nianbao:input") else { continue };
        let Some((_, label)) = marker_column(sheet, "nianbao:label") else { continue };
        if let Some(cell) =
            sheet.cells.iter().find(|c| c.column == id_column && matches!(&c.value, CellValue::Text(t) if t == id))
        {
            return Some(Located { sheet: index, row: cell.row, input, label });
        }
    }
    None
}

fn set(sheet: &mut Sheet, row: u32, column: u32, value: Option<CellValue>, format: NumberFormat, formula: bool) {
    sheet.cells.retain(|c| (c.row, c.column) != (row, column));
    if let Some(value) = value {
        sheet.cells.push(Cell { row, column, value, formula, format });
    }
    sheet.cells.sort_by_key(|c| (c.row, c.column));
}

fn text(t: &str) -> Option<CellValue> {
    Some(CellValue::Text(t.to_string()))
}

fn number(t: &str) -> Option<CellValue> {
    Some(CellValue::Number(t.to_string()))
}

fn shift_columns(sheet: &mut Sheet, from: u32, by: i64) {
    sheet.cells.retain(|c| !(by < 0 && c.column == from));
    for cell in &mut sheet.cells {
        if cell.column >= from && !(by < 0 && cell.column == from) {
            cell.column = (i64::from(cell.column) + by) as u32;
        }
    }
    for merge in &mut sheet.merges {
        if merge.first_column >= from {
            merge.first_column = (i64::from(merge.first_column) + by).max(0) as u32;
        }
        if merge.last_column >= from {
            merge.last_column = (i64::from(merge.last_column) + by).max(0) as u32;
        }
    }
    sheet.cells.sort_by_key(|c| (c.row, c.column));
}

fn shift_rows(sheet: &mut Sheet, from: u32, by: i64) {
    sheet.cells.retain(|c| !(by < 0 && c.row == from));
    for cell in &mut sheet.cells {
        if cell.row > from || (by > 0 && cell.row == from) {
            cell.row = (i64::from(cell.row) + by) as u32;
        }
    }
    sheet.cells.sort_by_key(|c| (c.row, c.column));
}

/// The corpus over a school's template for `year`, made from `dataset` (whose values play the
/// part of what is stored, every value at version 1).
#[allow(clippy::collapsible_if)]
pub fn cases(framework: &Framework, dataset: &Dataset, school: usize, year: i32) -> Vec<Case> {
    let version = |index: IndicatorIndex| (!dataset.get(school, year, index).is_missing()).then_some(1);
    cases_with_versions(framework, dataset, school, year, &version)
}

/// The corpus over a template made with the stored versions given.
#[allow(clippy::collapsible_if)]
pub fn cases_with_versions(
    framework: &Framework,
    dataset: &Dataset,
    school: usize,
    year: i32,
    version: &dyn Fn(IndicatorIndex) -> Option<i64>,
) -> Vec<Case> {
    let school_id = dataset.orgs[school].id.clone();
    let Ok(template) = excel::write_template(framework, dataset, school, year, version) else { return Vec::new() };
    let Ok(base) = workbook::read_spreadsheet(&template, &ReadLimits::default()) else { return Vec::new() };
    let printed: Vec<IndicatorIndex> =
        framework.tables.iter().filter(|t| t.printed).flat_map(|t| t.rows.iter().copied()).collect();
    let pick = |want: &dyn Fn(&nianbao_core::Indicator) -> bool| {
        printed
            .iter()
            .copied()
            .find(|&i| want(framework.indicator(i)) && locate(&base, &framework.indicator(i).id).is_some())
    };
    let Some(count) = pick(&|i| i.kind == Kind::Count && i.parent.is_none()) else { return Vec::new() };
    let Some(percent) = pick(&|i| i.kind == Kind::Percentage && !i.allow_over_100) else { return Vec::new() };
    let Some(money) = pick(&|i| matches!(i.kind, Kind::Money | Kind::Amount)) else { return Vec::new() };
    let count_id = framework.indicator(count).id.clone();
    let percent_id = framework.indicator(percent).id.clone();
    let money_id = framework.indicator(money).id.clone();
    let method =
        printed.iter().find_map(|&row| framework.companion(row, nianbao_core::framework::ExtraColumn::SurveyMethod));
    let Some(at_count) = locate(&base, &count_id) else { return Vec::new() };
    let Some(at_percent) = locate(&base, &percent_id) else { return Vec::new() };
    let Some(at_money) = locate(&base, &money_id) else { return Vec::new() };
    let name_of = |sheet: usize| base.sheets[sheet].name.clone();
    let place = |at: &Located, column: u32| format!("{}!{}", name_of(at.sheet), workbook::cell_name(at.row, column));
    let count_place = place(&at_count, at_count.input);
    let percent_place = place(&at_percent, at_percent.input);
    let n = |t: &str| Value::Number(t.parse().unwrap_or_default());
    let stored = |id: &str, value: Value| Expect::Stored(vec![(id.to_string(), school_id.clone(), value)]);
    let refused = |places: &[&str]| Expect::Refused(places.iter().map(|p| p.to_string()).collect());

    let mut out: Vec<Case> = Vec::new();
    let mut saved_as =
        |name: &str, spreadsheet: Spreadsheet, expect: Expect, shared_strings: bool, omit_references: bool| {
            out.push(Case {
                name: name.to_string(),
                bytes: write_xlsx(&spreadsheet, shared_strings, omit_references),
                extension: "xlsx",
                school: Some(school),
                year,
                expect,
            });
        };
    // Re-saved by other programs: WPS (a shared string table with phonetic runs), and a writer
    // that leaves out cell references.
    saved_as("unchanged-wps-shared-strings", base.clone(), Expect::Stored(Vec::new()), true, false);
    saved_as("unchanged-no-refs", base.clone(), Expect::Stored(Vec::new()), false, true);
    let mut add =
        |name: &str, spreadsheet: Spreadsheet, expect: Expect| saved_as(name, spreadsheet, expect, false, false);
    let edit = |f: &dyn Fn(&mut Spreadsheet)| {
        let mut copy = base.clone();
        f(&mut copy);
        copy
    };
    let typed = |at: &Located, value: Option<CellValue>, format: NumberFormat, formula: bool| {
        let (sheet, row, column) = (at.sheet, at.row, at.input);
        edit(&move |s: &mut Spreadsheet| set(&mut s.sheets[sheet], row, column, value.clone(), format, formula))
    };

    // --- Accepted, stored exactly as meant ---
    add("unchanged-template", base.clone(), Expect::Stored(Vec::new()));
    add("typed-count", typed(&at_count, number("1234"), NumberFormat::General, false), stored(&count_id, n("1234")));
    add("typed-count-as-text", typed(&at_count, text("1234"), NumberFormat::Text, false), stored(&count_id, n("1234")));
    add(
        "typed-full-width",
        typed(&at_count, text("１２３４"), NumberFormat::General, false),
        stored(&count_id, n("1234")),
    );
    add("typed-thousands", typed(&at_count, text("1,234"), NumberFormat::General, false), stored(&count_id, n("1234")));
    add("typed-spaces", typed(&at_count, text("  1234 "), NumberFormat::General, false), stored(&count_id, n("1234")));
    add(
        "typed-not-applicable-dash",
        typed(&at_count, text("—"), NumberFormat::General, false),
        stored(&count_id, Value::NotApplicable),
    );
    add(
        "typed-not-applicable-wu",
        typed(&at_count, text("无"), NumberFormat::General, false),
        stored(&count_id, Value::NotApplicable),
    );
    add(
        "percent-typed-with-sign",
        typed(&at_percent, text("92.54%"), NumberFormat::General, false),
        stored(&percent_id, n("92.54")),
    );
    add(
        "percent-format-excel",
        typed(&at_percent, number("0.9254"), NumberFormat::Percent, false),
        stored(&percent_id, n("92.54")),
    );
    add(
        "percent-format-float-noise",
        typed(&at_percent, number("0.92539999999999989"), NumberFormat::Percent, false),
        stored(&percent_id, n("92.54")),
    );
    add(
        "percent-plain-number",
        typed(&at_percent, number("92.54"), NumberFormat::General, false),
        stored(&percent_id, n("92.54")),
    );
    add(
        "formula-cached-noise",
        typed(&at_money, number("1.2400000000000002"), NumberFormat::General, true),
        stored(&money_id, n("1.24")),
    );
    add(
        "float-noise-typed",
        typed(&at_money, number("3418.0000000000005"), NumberFormat::General, false),
        stored(&money_id, n("3418")),
    );
    add(
        "scientific-in-file",
        typed(&at_count, number("1.5E+3"), NumberFormat::General, false),
        stored(&count_id, n("1500")),
    );
    add(
        "cleared-cell",
        typed(&at_count, None, NumberFormat::General, false),
        if dataset.get(school, year, count).is_missing() {
            Expect::Stored(Vec::new())
        } else {
            stored(&count_id, Value::Missing)
        },
    );
    if let Some(method) = method {
        let method_id = framework.indicator(method).id.clone();
        let row_id = method_id.trim_end_matches(".method").to_string();
        if let Some(at) = locate(&base, &row_id) {
            let sheet = at.sheet;
            let row = at.row;
            let copy = edit(&move |s: &mut Spreadsheet| {
                let column = marker_column(&s.sheets[sheet], "nianbao:input:method").map(|m| m.1).unwrap_or(4);
                set(&mut s.sheets[sheet], row, column, text("问卷、座谈"), NumberFormat::General, false)
            });
            add("survey-method-text", copy, stored(&method_id, Value::Text("问卷、座谈".into())));
        }
    }
    {
        let sheet = at_count.sheet;
        add(
            "sheet-hidden-by-clerk",
            edit(&move |s: &mut Spreadsheet| s.sheets[sheet].hidden = true),
            Expect::Stored(Vec::new()),
        );
        add(
            "notes-sheet-added",
            edit(&|s: &mut Spreadsheet| {
                s.sheets.push(Sheet {
                    name: "备注".into(),
                    cells: vec![Cell {
                        row: 0,
                        column: 0,
                        value: CellValue::Text("本表由教务处填写".into()),
                        formula: false,
                        format: NumberFormat::General,
                    }],
                    ..Sheet::default()
                })
            }),
            Expect::Stored(Vec::new()),
        );
        let input = at_count.input;
        let row = at_count.row;
        add(
            "empty-column-inserted",
            edit(&move |s: &mut Spreadsheet| shift_columns(&mut s.sheets[sheet], input, 1)),
            Expect::Stored(Vec::new()),
        );
        add(
            "column-inserted-then-typed-in-input",
            edit(&move |s: &mut Spreadsheet| {
                shift_columns(&mut s.sheets[sheet], input, 1);
                set(&mut s.sheets[sheet], row, input + 1, number("777"), NumberFormat::General, false);
            }),
            stored(&count_id, n("777")),
        );
        add(
            "previous-year-column-deleted",
            edit(&move |s: &mut Spreadsheet| shift_columns(&mut s.sheets[sheet], 2, -1)),
            Expect::Stored(Vec::new()),
        );
        add(
            "whole-rows-sorted",
            edit(&move |s: &mut Spreadsheet| {
                // Reverse the order of every data row, hidden columns included.
                let marker = marker_column(&s.sheets[sheet], "nianbao:id@").map(|m| m.0).unwrap_or(1);
                let last = s.sheets[sheet].cells.iter().map(|c| c.row).max().unwrap_or(0);
                for cell in &mut s.sheets[sheet].cells {
                    if cell.row > marker + 1 {
                        cell.row = last - (cell.row - marker - 2);
                    }
                }
                s.sheets[sheet].cells.sort_by_key(|c| (c.row, c.column));
            }),
            Expect::Stored(Vec::new()),
        );
        add(
            "duplicate-row-identical",
            edit(&move |s: &mut Spreadsheet| {
                let copies: Vec<Cell> = s.sheets[sheet].row(row).to_vec();
                let last = s.sheets[sheet].cells.iter().map(|c| c.row).max().unwrap_or(0);
                for cell in copies {
                    s.sheets[sheet].cells.push(Cell { row: last + 2, ..cell });
                }
            }),
            Expect::Stored(Vec::new()),
        );
        add(
            "sheet-copied-identical",
            edit(&move |s: &mut Spreadsheet| {
                let mut copy = s.sheets[sheet].clone();
                copy.name = format!("{} (2)", copy.name);
                s.sheets.push(copy);
            }),
            Expect::Stored(Vec::new()),
        );
    }

    // --- Refused, naming the place ---
    let s_count = name_of(at_count.sheet);
    add("text-not-a-number", typed(&at_count, text("约100"), NumberFormat::General, false), refused(&[&count_place]));
    add("ambiguous-commas", typed(&at_count, text("12,34"), NumberFormat::General, false), refused(&[&count_place]));
    add("chinese-numeral", typed(&at_count, text("六"), NumberFormat::General, false), refused(&[&count_place]));
    add(
        "count-with-fraction",
        typed(&at_count, number("12.5"), NumberFormat::General, false),
        refused(&[&count_place]),
    );
    add("count-negative", typed(&at_count, number("-3"), NumberFormat::General, false), refused(&[&count_place]));
    add(
        "percent-over-100",
        typed(&at_percent, number("120"), NumberFormat::General, false),
        refused(&[&percent_place]),
    );
    add(
        "percent-format-over-100",
        typed(&at_percent, number("1.2"), NumberFormat::Percent, false),
        refused(&[&percent_place]),
    );
    add("percent-sign-on-count", typed(&at_count, text("12%"), NumberFormat::General, false), refused(&[&count_place]));
    add(
        "percent-format-on-count",
        typed(&at_count, number("0.5"), NumberFormat::Percent, false),
        refused(&[&count_place]),
    );
    add(
        "huge-decimal",
        typed(&at_money, number("70000000000000000000000000000"), NumberFormat::General, false),
        refused(&[&place(&at_money, at_money.input)]),
    );
    add(
        "exponent-out-of-range",
        typed(&at_money, number("1E+300"), NumberFormat::General, false),
        refused(&[&place(&at_money, at_money.input)]),
    );
    add(
        "boolean-cell",
        typed(&at_count, Some(CellValue::Bool(true)), NumberFormat::General, false),
        refused(&[&count_place]),
    );
    add(
        "error-cell",
        typed(&at_count, Some(CellValue::Error("#DIV/0!".into())), NumberFormat::General, true),
        refused(&[&count_place]),
    );
    add(
        "date-formatted-number",
        typed(&at_count, number("45292"), NumberFormat::Date, false),
        refused(&[&count_place]),
    );
    add(
        "formula-without-cached-result",
        typed(&at_count, Some(CellValue::FormulaWithoutResult), NumberFormat::General, true),
        refused(&[&count_place]),
    );
    {
        let sheet = at_count.sheet;
        let input = at_count.input;
        let label = at_count.label;
        let row = at_count.row;
        let next_row = at_count.row + 1;
        add(
            "input-column-deleted",
            edit(&move |s: &mut Spreadsheet| shift_columns(&mut s.sheets[sheet], input, -1)),
            refused(&[&s_count]),
        );
        add(
            "column-inserted-with-content",
            edit(&move |s: &mut Spreadsheet| {
                shift_columns(&mut s.sheets[sheet], input, 1);
                set(&mut s.sheets[sheet], row, input, number("555"), NumberFormat::General, false);
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(row, input))]),
        );
        add(
            "visible-block-sorted",
            edit(&move |s: &mut Spreadsheet| {
                // Swap two rows' visible label cells only (the hidden ids stay put).
                let a = s.sheets[sheet].text(row, label);
                let b = s.sheets[sheet].text(next_row, label);
                set(&mut s.sheets[sheet], row, label, text(&b), NumberFormat::General, false);
                set(&mut s.sheets[sheet], next_row, label, text(&a), NumberFormat::General, false);
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(row, label))]),
        );
        add(
            "label-overtyped",
            edit(&move |s: &mut Spreadsheet| {
                set(&mut s.sheets[sheet], row, label, text("学生人数（合计）"), NumberFormat::General, false)
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(row, label))]),
        );
        add(
            "unit-changed",
            edit(&move |s: &mut Spreadsheet| {
                set(&mut s.sheets[sheet], row, label + 1, text("万人"), NumberFormat::General, false)
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(row, label + 1))]),
        );
        add(
            "row-inserted-with-value",
            edit(&move |s: &mut Spreadsheet| {
                shift_rows(&mut s.sheets[sheet], next_row, 1);
                set(&mut s.sheets[sheet], next_row, label, text("其中：新增专业学生"), NumberFormat::General, false);
                set(&mut s.sheets[sheet], next_row, input, number("12"), NumberFormat::General, false);
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(next_row, input))]),
        );
        add(
            "row-deleted",
            edit(&move |s: &mut Spreadsheet| shift_rows(&mut s.sheets[sheet], row, -1)),
            refused(&[&s_count]),
        );
        add(
            "merged-input-cells",
            edit(&move |s: &mut Spreadsheet| {
                s.sheets[sheet].merges.push(Merge {
                    first_row: row,
                    first_column: input,
                    last_row: next_row,
                    last_column: input,
                })
            }),
            refused(&[&format!("{s_count}!{}", workbook::cell_name(row, input))]),
        );
        add(
            "duplicate-row-differs",
            edit(&move |s: &mut Spreadsheet| {
                let copies: Vec<Cell> = s.sheets[sheet].row(row).to_vec();
                let last = s.sheets[sheet].cells.iter().map(|c| c.row).max().unwrap_or(0);
                for cell in copies {
                    let value = if cell.column == input { CellValue::Number("999".into()) } else { cell.value.clone() };
                    s.sheets[sheet].cells.push(Cell { row: last + 2, value, ..cell });
                }
            }),
            refused(&[&count_place]),
        );
        add(
            "draft-sheet-copy-differs",
            edit(&move |s: &mut Spreadsheet| {
                let mut copy = s.sheets[sheet].clone();
                copy.name = "草稿".into();
                set(&mut copy, row, input, number("4321"), NumberFormat::General, false);
                s.sheets.insert(0, copy);
            }),
            refused(&["草稿", &count_place]),
        );
        add(
            "value-in-last-cell-xfd1048576",
            edit(&move |s: &mut Spreadsheet| {
                set(&mut s.sheets[sheet], 1_048_575, 16_383, number("1"), NumberFormat::General, false)
            }),
            refused(&[&format!("{s_count}!XFD1048576")]),
        );
        add(
            "unknown-indicator-id",
            edit(&move |s: &mut Spreadsheet| {
                let id_column = marker_column(&s.sheets[sheet], "nianbao:id@").map(|m| m.1).unwrap_or(6);
                set(&mut s.sheets[sheet], row, id_column, text("no.such.indicator"), NumberFormat::General, false)
            }),
            refused(&[&s_count]),
        );
        add(
            "base-versions-tampered",
            edit(&move |s: &mut Spreadsheet| {
                let base_column = marker_column(&s.sheets[sheet], "nianbao:base").map(|m| m.1).unwrap_or(7);
                set(&mut s.sheets[sheet], row, base_column, text("garbage"), NumberFormat::General, false)
            }),
            refused(&[&s_count]),
        );
        add(
            "thousands-of-stray-cells",
            edit(&move |s: &mut Spreadsheet| {
                for r in 0..5_000 {
                    s.sheets[sheet].cells.push(Cell {
                        row: 100 + r,
                        column: 30,
                        value: CellValue::Number("1".into()),
                        formula: false,
                        format: NumberFormat::General,
                    });
                }
            }),
            refused(&[&format!("{s_count}!AE101")]),
        );
        add(
            "sheet-deleted",
            edit(&move |s: &mut Spreadsheet| {
                s.sheets.remove(sheet);
            }),
            Expect::Refused(Vec::new()),
        );
    }
    let meta = |key: &'static str, value: &'static str| {
        edit(&move |s: &mut Spreadsheet| {
            if let Some(sheet) = s.sheets.iter_mut().find(|s| s.name == META_SHEET) {
                let row =
                    sheet.cells.iter().find(|c| matches!(&c.value, CellValue::Text(t) if t == key)).map(|c| c.row);
                if let Some(row) = row {
                    set(sheet, row, 1, text(value), NumberFormat::General, false);
                }
            }
        })
    };
    add("last-years-template", meta("year", "2023"), Expect::Refused(Vec::new()));
    add("year-20244", meta("year", "20244"), Expect::Refused(Vec::new()));
    add("older-framework-version", meta("version", "2019"), Expect::Refused(Vec::new()));
    add("old-template-layout", meta("format", "1"), Expect::Refused(Vec::new()));
    add("unknown-school", meta("org", "no-such-school"), Expect::Refused(Vec::new()));
    // Another school's template, uploaded to this school.
    if let Some(other) = (0..dataset.orgs.len()).find(|&o| o != school && dataset.orgs[o].level == OrgLevel::School) {
        let version = |_: IndicatorIndex| Some(1);
        if let Ok(bytes) = excel::write_template(framework, dataset, other, year, &version) {
            out.push(Case {
                name: "other-schools-template".into(),
                bytes,
                extension: "xlsx",
                school: Some(school),
                year,
                expect: Expect::Refused(Vec::new()),
            });
        }
    }

    // --- One quantity, entered once: a copy (`same_as`) shows its primary through a formula ---
    let shown_copy = framework.copies().find(|&(copy, primary)| {
        locate(&base, &framework.indicator(copy).id).is_some()
            && locate(&base, &framework.indicator(primary).id).is_some()
    });
    if let Some((copy, primary)) = shown_copy {
        let (copy_id, primary_id) = (framework.indicator(copy).id.clone(), framework.indicator(primary).id.clone());
        let mut entered_once = dataset.clone();
        entered_once.set(school, year, copy, Value::Missing);
        let version_once = |index: IndicatorIndex| if index == copy { None } else { version(index) };
        if let Ok(bytes) = excel::write_template(framework, &entered_once, school, year, &version_once)
            && let Ok(once) = workbook::read_spreadsheet(&bytes, &ReadLimits::default())
            && let (Some(at_copy), Some(at_primary)) = (locate(&once, &copy_id), locate(&once, &primary_id))
        {
            let mut case = |name: &str, spreadsheet: Spreadsheet, expect: Expect| {
                out.push(Case {
                    name: name.into(),
                    bytes: write_xlsx(&spreadsheet, false, false),
                    extension: "xlsx",
                    school: Some(school),
                    year,
                    expect,
                })
            };
            let copy_place =
                format!("{}!{}", once.sheets[at_copy.sheet].name, workbook::cell_name(at_copy.row, at_copy.input));
            case("copy-shown-by-formula", once.clone(), Expect::Stored(Vec::new()));
            // The clerk changes the primary; the program recomputes the copy's formula.
            let mut recomputed = once.clone();
            set(
                &mut recomputed.sheets[at_primary.sheet],
                at_primary.row,
                at_primary.input,
                number("4321"),
                NumberFormat::General,
                false,
            );
            set(
                &mut recomputed.sheets[at_copy.sheet],
                at_copy.row,
                at_copy.input,
                number("4321"),
                NumberFormat::General,
                true,
            );
            case(
                "copy-formula-recomputed",
                recomputed,
                Expect::Stored(vec![(primary_id.clone(), school_id.clone(), Value::Number(4321.into()))]),
            );
            // A figure typed over the copy's formula: asked once means entered once.
            let mut typed_over = once.clone();
            set(
                &mut typed_over.sheets[at_copy.sheet],
                at_copy.row,
                at_copy.input,
                number("999"),
                NumberFormat::General,
                false,
            );
            case("copy-typed-over", typed_over, Expect::Refused(vec![copy_place]));
        }
    }

    // --- Hostile files ---
    let mut hostile = |name: &str, bytes: Vec<u8>| {
        out.push(Case {
            name: name.into(),
            bytes,
            extension: "xlsx",
            school: Some(school),
            year,
            expect: Expect::Refused(Vec::new()),
        });
    };
    hostile("not-a-zip", b"this is not a workbook at all".to_vec());
    hostile("empty-file", Vec::new());
    hostile("legacy-xls-magic", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0].to_vec());
    hostile("truncated-zip", template[..template.len() / 2].to_vec());
    let sheet_data = |rows: &str| format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
    hostile("zip-bomb-sheet", one_sheet_xlsx(sheet_data(&" ".repeat(600 << 20))));
    hostile("malformed-xml", one_sheet_xlsx("<worksheet><sheetData><row><c r=\"A1\"><v>1</c></row>".into()));
    hostile(
        "unknown-entity",
        one_sheet_xlsx(sheet_data("<row><c r=\"A1\" t=\"inlineStr\"><is><t>&boom;</t></is></c></row>")),
    );
    hostile(
        "shared-string-out-of-range",
        one_sheet_xlsx(sheet_data("<row><c r=\"A1\" t=\"s\"><v>99999999</v></c></row>")),
    );
    hostile("cell-beyond-excel", one_sheet_xlsx(sheet_data("<row r=\"4000000000\"><c><v>1</v></c></row>")));
    hostile(
        "value-text-too-long",
        one_sheet_xlsx(sheet_data(&format!(
            "<row><c r=\"A1\" t=\"inlineStr\"><is><t>{}</t></is></c></row>",
            "长".repeat(50_000)
        ))),
    );

    // --- Multi-school workbooks (county and city offices) ---
    let parent = dataset.orgs[school].parent;
    let siblings: Vec<usize> = (0..dataset.orgs.len())
        .filter(|&o| dataset.orgs[o].level == OrgLevel::School && dataset.orgs[o].parent == parent)
        .take(3)
        .collect();
    let multi_version = |_: usize, _: IndicatorIndex| Some(1);
    if let (Ok(multi), Some(county)) =
        (excel::write_multi_school(framework, dataset, &siblings, year, &multi_version), parent)
    {
        if let Ok(base_multi) = workbook::read_spreadsheet(&multi, &ReadLimits::default()) {
            let id_column = |s: &Spreadsheet, id: &str| {
                s.sheets[0].row(1).iter().find(|c| matches!(&c.value, CellValue::Text(t) if t == id)).map(|c| c.column)
            };
            let count_column = id_column(&base_multi, &count_id).unwrap_or(3);
            let percent_column = id_column(&base_multi, &percent_id).unwrap_or(3);
            let first = siblings[0];
            let first_id = dataset.orgs[first].id.clone();
            let all_values: Vec<(String, String, Value)> = siblings
                .iter()
                .flat_map(|&o| {
                    (0..framework.indicators.len()).filter_map(move |i| {
                        let value = dataset.get(o, year, IndicatorIndex(i));
                        (!value.is_missing())
                            .then(|| (framework.indicators[i].id.clone(), dataset.orgs[o].id.clone(), value.clone()))
                    })
                })
                .collect();
            let mut multi_case = |name: &str, f: &dyn Fn(&mut Spreadsheet), expect: Expect| {
                let mut copy = base_multi.clone();
                f(&mut copy);
                out.push(Case {
                    name: name.into(),
                    bytes: write_xlsx(&copy, false, false),
                    extension: "xlsx",
                    school: None,
                    year,
                    expect,
                });
            };
            multi_case("multi-unchanged", &|_| {}, Expect::Stored(Vec::new()));
            multi_case(
                "multi-percent-format",
                &|s| set(&mut s.sheets[0], 2, percent_column, number("0.9254"), NumberFormat::Percent, false),
                Expect::Stored(vec![(percent_id.clone(), first_id.clone(), n("92.54"))]),
            );
            let cleared = if dataset.get(first, year, count).is_missing() {
                Expect::Stored(Vec::new())
            } else {
                Expect::Stored(vec![(count_id.clone(), first_id.clone(), Value::Missing)])
            };
            multi_case(
                "multi-cell-emptied",
                &|s| set(&mut s.sheets[0], 2, count_column, None, NumberFormat::General, false),
                cleared,
            );
            // A hand-made workbook (no hidden base sheet): every figure in it is what is meant.
            multi_case(
                "multi-without-base-sheet",
                &|s| s.sheets.retain(|s| s.name != excel::MULTI_BASE_SHEET),
                Expect::Stored(all_values.clone()),
            );
            multi_case(
                "multi-rows-sorted",
                &|s| {
                    let last = s.sheets[0].cells.iter().map(|c| c.row).max().unwrap_or(2);
                    for cell in &mut s.sheets[0].cells {
                        if cell.row >= 2 {
                            cell.row = last - (cell.row - 2);
                        }
                    }
                    s.sheets[0].cells.sort_by_key(|c| (c.row, c.column));
                },
                Expect::Stored(Vec::new()),
            );
            let county_id = dataset.orgs[county].id.clone();
            multi_case(
                "multi-total-row-with-county-code",
                &|s| {
                    let last = s.sheets[0].cells.iter().map(|c| c.row).max().unwrap_or(2) + 1;
                    set(&mut s.sheets[0], last, 0, text(&county_id), NumberFormat::General, false);
                    set(&mut s.sheets[0], last, 1, text("合计"), NumberFormat::General, false);
                    set(&mut s.sheets[0], last, 2, number(&year.to_string()), NumberFormat::General, false);
                    set(&mut s.sheets[0], last, count_column, number("35104"), NumberFormat::General, false);
                },
                refused(&[&format!("{MULTI_SHEET}!A{}", siblings.len() + 3)]),
            );
            multi_case(
                "multi-year-20244",
                &|s| set(&mut s.sheets[0], 2, 2, number("20244"), NumberFormat::General, false),
                refused(&[&format!("{MULTI_SHEET}!C3")]),
            );
            multi_case(
                "multi-last-year",
                &|s| set(&mut s.sheets[0], 2, 2, number(&(year - 1).to_string()), NumberFormat::General, false),
                refused(&[&format!("{MULTI_SHEET}!C3")]),
            );
            multi_case(
                "multi-duplicate-school-differs",
                &|s| {
                    let copies: Vec<Cell> = s.sheets[0].row(2).to_vec();
                    let last = s.sheets[0].cells.iter().map(|c| c.row).max().unwrap_or(2) + 1;
                    for cell in copies {
                        let value = if cell.column == count_column {
                            CellValue::Number("1".into())
                        } else {
                            cell.value.clone()
                        };
                        s.sheets[0].cells.push(Cell { row: last, value, ..cell });
                    }
                },
                refused(&[&format!("{MULTI_SHEET}!{}", workbook::cell_name(siblings.len() as u32 + 2, count_column))]),
            );
            multi_case(
                "multi-header-labels-swapped",
                &|s| {
                    let a = s.sheets[0].text(0, 3);
                    let b = s.sheets[0].text(0, 4);
                    set(&mut s.sheets[0], 0, 3, text(&b), NumberFormat::General, false);
                    set(&mut s.sheets[0], 0, 4, text(&a), NumberFormat::General, false);
                },
                refused(&[&format!("{MULTI_SHEET}!D1")]),
            );
            multi_case(
                "multi-unknown-school",
                &|s| set(&mut s.sheets[0], 2, 0, text("no-such-school"), NumberFormat::General, false),
                refused(&[&format!("{MULTI_SHEET}!A3")]),
            );
            multi_case(
                "multi-merged-cells",
                &|s| {
                    s.sheets[0].merges.push(Merge {
                        first_row: 2,
                        first_column: count_column,
                        last_row: 3,
                        last_column: count_column,
                    })
                },
                refused(&[&format!("{MULTI_SHEET}!{}", workbook::cell_name(2, count_column))]),
            );
            // As LibreOffice saves it: an .ods with repeated empty cells and a percentage.
            let header_row: Vec<String> = vec![
                ods_text("学校代码"),
                ods_text("学校名称"),
                ods_text("年度"),
                ods_text(&format!(
                    "{}（{}）",
                    framework.indicator(percent).printed_label(),
                    framework.indicator(percent).printed_unit()
                )),
            ];
            let id_row: Vec<String> = vec![ods_text("org"), ods_text("name"), ods_text("year"), ods_text(&percent_id)];
            let data_row: Vec<String> = vec![
                ods_text(&first_id),
                ods_text(&dataset.orgs[first].name),
                ods_number(&year.to_string(), "float"),
                ods_number("0.9254", "percentage"),
            ];
            out.push(Case {
                name: "multi-ods-libreoffice-percent".into(),
                bytes: ods(&[header_row.clone(), id_row.clone(), data_row.clone()], 1_048_000),
                extension: "ods",
                school: None,
                year,
                expect: Expect::Stored(vec![(percent_id.clone(), first_id.clone(), n("92.54"))]),
            });
            let bomb_row = "<table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"16000\"><text:p>1</text:p></table:table-cell>";
            let bomb = {
                let content = format!(
                    "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\"><office:body><office:spreadsheet><table:table table:name=\"{MULTI_SHEET}\"><table:table-row table:number-rows-repeated=\"1000000\">{bomb_row}</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
                );
                zip_files(&[
                    ("mimetype".into(), "application/vnd.oasis.opendocument.spreadsheet".into()),
                    ("META-INF/manifest.xml".into(), "<manifest/>".into()),
                    ("content.xml".into(), content),
                ])
            };
            out.push(Case {
                name: "ods-repeated-cells-bomb".into(),
                bytes: bomb,
                extension: "ods",
                school: None,
                year,
                expect: Expect::Refused(Vec::new()),
            });
        }
    }
    out
}
