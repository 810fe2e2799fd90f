//! Excel exchange: fill-in templates for one school and year, imports of those templates and of
//! multi-school workbooks (forgiving yet strict, every problem at sheet!cell), and exports of every
//! table as printed.

use crate::lenient::{CellProblem, read_float, read_text};
use calamine::{Data, Reader};
use nianbao_core::table_view::TableView;
use nianbao_core::{Dataset, Framework, IndicatorIndex, Kind, Value};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula, Workbook, XlsxError,
};
use std::collections::HashMap;
use std::io::Read;

/// Name of the hidden sheet holding what a workbook is for.
pub const META_SHEET: &str = "_nianbao";
/// Name of the sheet of a multi-school workbook.
pub const MULTI_SHEET: &str = "数据";

/// Limits that keep a hostile file from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_unpacked_bytes: u64,
    pub max_rows: usize,
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 100 << 20, max_unpacked_bytes: 1 << 30, max_rows: 20_000, max_columns: 2_000 }
    }
}

/// Errors that stop a workbook from being read or written at all.
#[derive(Debug, thiserror::Error)]
pub enum ExcelError {
    #[error("{0}")]
    Write(#[from] XlsxError),
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the workbook unpacks to more than {limit} bytes (a compressed archive that expands too far is refused)")]
    UnpackedTooLarge { limit: u64 },
    #[error("sheet {sheet}: {rows} rows × {columns} columns exceeds the limit of {max_rows} × {max_columns}")]
    TooManyCells { sheet: String, rows: usize, columns: usize, max_rows: usize, max_columns: usize },
    #[error("not an .xlsx workbook: {0}")]
    NotAWorkbook(String),
    #[error("{0}")]
    WrongWorkbook(String),
}

/// A problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellIssue {
    /// `sheet!A1`.
    pub cell: String,
    pub label: String,
    pub message_zh: String,
    pub message_en: String,
}

/// Where a value was read: sheet (index into [`Imported::sheets`]), zero-based row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellPosition {
    pub sheet: usize,
    pub row: usize,
    pub column: usize,
}

/// What an import read: values per (org, year, indicator) with their cells, or the problems.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub values: Vec<(usize, i32, IndicatorIndex, Value, CellPosition)>,
    /// Names of the sheets that [`CellPosition::sheet`] refers to.
    pub sheets: Vec<String>,
    pub issues: Vec<CellIssue>,
    pub kind: &'static str,
}

fn column_name(mut column: usize) -> String {
    let mut name = String::new();
    loop {
        name.insert(0, (b'A' + (column % 26) as u8) as char);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name
}

/// `sheet!B3` for zero-based row and column.
pub fn cell_ref(sheet: &str, row: usize, column: usize) -> String {
    format!("{sheet}!{}{}", column_name(column), row + 1)
}

/// Column width in Excel character units: Chinese characters take two.
fn display_width(text: &str) -> u32 {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<u32>() + 2
}

/// A sheet name for a table: “附表1 人才培养质量计分卡” cut to Excel's 31 characters.
fn sheet_name(number: Option<&str>, caption: &str) -> String {
    let name = format!("{}{}", number.map(|n| format!("{} ", n.replace(' ', ""))).unwrap_or_default(), caption);
    let cleaned: String = name.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).collect();
    cleaned.chars().take(31).collect()
}

fn validation_for(kind: Kind, allow_over_100: bool, cell: &str) -> Option<DataValidation> {
    let (formula, message) = match kind {
        Kind::Count => (
            format!("OR({cell}=\"-\",AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell})))"),
            "请填写不小于 0 的整数；不适用填“-”",
        ),
        Kind::Percentage if !allow_over_100 => (
            format!("OR({cell}=\"-\",AND(ISNUMBER({cell}),{cell}>=0,{cell}<=100))"),
            "请填写 0–100 之间的数（不带 %）；不适用填“-”",
        ),
        Kind::Text => return None,
        _ => (format!("OR({cell}=\"-\",AND(ISNUMBER({cell}),{cell}>=0))"), "请填写不小于 0 的数；不适用填“-”"),
    };
    let validation = DataValidation::new()
        .allow_custom(Formula::new(format!("={formula}")))
        .set_error_title("数值不符合要求")
        .ok()?
        .set_error_message(message)
        .ok()?
        .set_input_message(message)
        .ok()?
        .set_error_style(DataValidationErrorStyle::Stop);
    Some(validation)
}

/// A fill-in template for one school (`org`) and `year`: one sheet per printed table, the previous
/// year read-only beside the input column, validation on every input cell, the structure
/// protected, and hidden ids so the file cannot be loaded into another school or year.
pub fn write_template(framework: &Framework, dataset: &Dataset, org: usize, year: i32) -> Result<Vec<u8>, ExcelError> {
    let unit = &dataset.orgs[org];
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDE6F2")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let label = Format::new().set_border(FormatBorder::Thin);
    let locked = Format::new().set_border(FormatBorder::Thin).set_background_color("#F0F0F0");
    let input = Format::new().set_border(FormatBorder::Thin).set_unlocked().set_background_color("#FFFBE6");
    let wrap = Format::new().set_text_wrap();

    let instructions = workbook.add_worksheet().set_name("填报说明")?;
    let lines = [
        format!("{}（{}）{} 年度数据填报模板", unit.name, unit.id, year),
        format!("指标体系：{}（{} 版，{}）", framework.name, framework.version, framework.notice),
        "1. 只在浅黄色单元格中填写本年度数据；灰色为上一年度数据，仅供参考，不能修改。".into(),
        "2. 数值直接填写数字，不要带单位；百分比填写 0–100 之间的数，可带或不带 %。".into(),
        "3. 不适用或未统计的指标填“-”（也可填“—”“/”“无”）；确实缺失的留空。".into(),
        "4. 请勿增删行列、修改工作表名称或隐藏内容：导入时据此核对学校、年度和指标。".into(),
        "5. 导入时会逐格检查，问题会标明“工作表!单元格”和指标名称。".into(),
    ];
    instructions.set_column_width(0, 100)?;
    for (row, line) in lines.iter().enumerate() {
        instructions.write_string_with_format(row as u32, 0, line, if row == 0 { &title } else { &wrap })?;
    }

    for table in framework.tables.iter().filter(|t| t.printed) {
        let view = TableView::build(framework, dataset, table, org, year);
        let sheet = workbook.add_worksheet().set_name(sheet_name(table.number.as_deref(), &view.caption))?;
        let extra = &table.extra_columns;
        let last_column = 3 + extra.len() as u16;
        sheet.merge_range(0, 0, 0, last_column, &view.title, &title)?;
        let mut headers = vec![
            "指标".to_string(),
            "单位".to_string(),
            format!("{} 年（上年，参考）", year - 1),
            format!("{year} 年（填报）"),
        ];
        headers.extend(extra.iter().map(|c| c.header().to_string()));
        for (column, text) in headers.iter().enumerate() {
            sheet.write_string_with_format(1, column as u16, text, &header)?;
        }
        let id_column = last_column + 2;
        sheet.write_string(1, id_column, "indicator")?;
        let mut label_width: u32 = 10;
        for (position, row) in view.rows.iter().enumerate() {
            let r = 2 + position as u32;
            let indicator = framework.indicator(framework.lookup(&row.indicator_id).unwrap_or(IndicatorIndex(0)));
            let indent = Format::new().set_border(FormatBorder::Thin).set_indent(row.depth.min(3) as u8);
            sheet.write_string_with_format(r, 0, &row.label, if row.depth > 0 { &indent } else { &label })?;
            sheet.write_string_with_format(r, 1, row.unit, &label)?;
            label_width = label_width.max(display_width(&row.label) + 2 * row.depth as u32);
            match &row.cells[0].value {
                Value::Number(n) => sheet.write_string_with_format(r, 2, n.normalize().to_string(), &locked)?,
                other => sheet.write_string_with_format(r, 2, other.format(indicator.decimals), &locked)?,
            };
            let current = &row.cells[1].value;
            match current {
                Value::Missing => sheet.write_blank(r, 3, &input)?,
                value => sheet.write_string_with_format(r, 3, value.to_storage_string(), &input)?,
            };
            if let Some(validation) = validation_for(indicator.kind, indicator.allow_over_100, &format!("D{}", r + 1)) {
                sheet.add_data_validation(r, 3, r, 3, &validation)?;
            }
            for (e, cell) in row.extras.iter().enumerate() {
                let column = 4 + e as u16;
                match &cell.value {
                    Value::Missing => sheet.write_blank(r, column, &input)?,
                    value => sheet.write_string_with_format(r, column, value.to_storage_string(), &input)?,
                };
            }
            sheet.write_string(r, id_column, &row.indicator_id)?;
        }
        sheet.set_column_width(0, f64::from(label_width.min(60)))?;
        sheet.set_column_width(1, 8)?;
        sheet.set_column_width(2, 18)?;
        sheet.set_column_width(3, 18)?;
        for e in 0..extra.len() {
            sheet.set_column_width(4 + e as u16, 18)?;
        }
        sheet.set_column_hidden(id_column)?;
        sheet.protect();
    }

    let meta = workbook.add_worksheet().set_name(META_SHEET)?;
    let entries = [
        ("kind", "school-template".to_string()),
        ("framework", framework.id.clone()),
        ("version", framework.version.clone()),
        ("org", unit.id.clone()),
        ("year", year.to_string()),
    ];
    for (row, (key, value)) in entries.iter().enumerate() {
        meta.write_string(row as u32, 0, *key)?;
        meta.write_string(row as u32, 1, value)?;
    }
    meta.set_hidden(true);
    meta.protect();
    Ok(workbook.save_to_buffer()?)
}

/// A workbook with one row per school and one column per indicator, for county and city offices.
/// Row 1 holds the printed labels, row 2 the indicator ids (hidden), then one row per school.
pub fn write_multi_school(
    framework: &Framework,
    dataset: &Dataset,
    schools: &[usize],
    year: i32,
) -> Result<Vec<u8>, ExcelError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDE6F2").set_text_wrap();
    let sheet = workbook.add_worksheet().set_name(MULTI_SHEET)?;
    let indicators: Vec<IndicatorIndex> = (0..framework.indicators.len()).map(IndicatorIndex).collect();
    sheet.write_string_with_format(0, 0, "学校代码", &header)?;
    sheet.write_string_with_format(0, 1, "学校名称", &header)?;
    sheet.write_string_with_format(0, 2, "年度", &header)?;
    sheet.write_string(1, 0, "org")?;
    sheet.write_string(1, 1, "name")?;
    sheet.write_string(1, 2, "year")?;
    for (position, &index) in indicators.iter().enumerate() {
        let indicator = framework.indicator(index);
        let column = 3 + position as u16;
        sheet.write_string_with_format(
            0,
            column,
            format!("{}（{}）", indicator.printed_label(), indicator.printed_unit()),
            &header,
        )?;
        sheet.write_string(1, column, &indicator.id)?;
    }
    sheet.set_row_hidden(1)?;
    for (r, &school) in schools.iter().enumerate() {
        let row = 2 + r as u32;
        sheet.write_string(row, 0, &dataset.orgs[school].id)?;
        sheet.write_string(row, 1, &dataset.orgs[school].name)?;
        sheet.write_number(row, 2, f64::from(year))?;
        if let Some(slots) = dataset.slots(school, year) {
            for (position, value) in slots.iter().enumerate() {
                let column = 3 + position as u16;
                match value {
                    Value::Missing => {}
                    // Numbers go in as numbers (Excel stores doubles; the importer reads back the
                    // shortest decimal, exact up to 15 significant digits).
                    Value::Number(number) => {
                        sheet.write_number(row, column, number.to_string().parse::<f64>().unwrap_or(0.0))?;
                    }
                    value => {
                        sheet.write_string(row, column, value.to_storage_string())?;
                    }
                }
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// Checks size limits before unpacking: the file, and the declared size of every zip entry.
fn check_limits(bytes: &[u8], limits: &Limits) -> Result<(), ExcelError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ExcelError::TooLarge { size: bytes.len() as u64, limit: limits.max_file_bytes });
    }
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
        total = total.saturating_add(entry.size());
        if total > limits.max_unpacked_bytes {
            return Err(ExcelError::UnpackedTooLarge { limit: limits.max_unpacked_bytes });
        }
    }
    // Declared sizes can lie: inflate the largest entries with a hard cap as well.
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
        let mut limited = entry.take(limits.max_unpacked_bytes + 1);
        let inflated =
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
        if inflated > limits.max_unpacked_bytes {
            return Err(ExcelError::UnpackedTooLarge { limit: limits.max_unpacked_bytes });
        }
    }
    Ok(())
}

impl Imported {
    /// `sheet!A1` of a position.
    pub fn cell_name(&self, position: &CellPosition) -> String {
        cell_ref(self.sheets.get(position.sheet).map(String::as_str).unwrap_or("?"), position.row, position.column)
    }

    /// Reads one cell for `indicator`: a value to store, nothing (empty), or an issue at the cell.
    fn read(
        &mut self,
        framework: &Framework,
        target: (usize, i32, IndicatorIndex),
        data: &Data,
        position: CellPosition,
    ) {
        let (org, year, indicator) = target;
        let definition = framework.indicator(indicator);
        match cell_value(data, definition.kind) {
            Ok(Value::Missing) => {}
            Ok(value) => self.values.push((org, year, indicator, value, position)),
            Err(problem) => self.issues.push(CellIssue {
                cell: self.cell_name(&position),
                label: definition.printed_label(),
                message_zh: problem.message_zh,
                message_en: problem.message_en,
            }),
        }
    }
}

fn cell_value(data: &Data, kind: Kind) -> Result<Value, CellProblem> {
    match data {
        Data::Empty => Ok(Value::Missing),
        Data::String(text) => read_text(text, kind),
        Data::Float(number) => read_float(*number, kind),
        Data::Int(number) => read_float(*number as f64, kind),
        Data::Bool(_) => Err(CellProblem {
            message_zh: "单元格是逻辑值，不是数值".into(),
            message_en: "the cell holds TRUE/FALSE, not a number".into(),
        }),
        Data::Error(error) => Err(CellProblem {
            message_zh: format!("单元格是错误值 {error:?}（公式出错？）"),
            message_en: format!("the cell holds the error {error:?} (a broken formula?)"),
        }),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Err(CellProblem {
            message_zh: "单元格是日期，不是数值".into(),
            message_en: "the cell holds a date, not a number".into(),
        }),
    }
}

/// A sheet read by absolute positions (calamine ranges start at the first used cell).
struct Sheet<'a> {
    range: &'a calamine::Range<Data>,
}

impl Sheet<'_> {
    fn get(&self, row: usize, column: usize) -> &Data {
        static EMPTY: Data = Data::Empty;
        self.range.get_value((row as u32, column as u32)).unwrap_or(&EMPTY)
    }
    /// One past the last used row, and one past the last used column.
    fn size(&self) -> (usize, usize) {
        self.range.end().map(|(r, c)| (r as usize + 1, c as usize + 1)).unwrap_or((0, 0))
    }
}

fn text_of(data: &Data) -> String {
    match data {
        Data::String(text) => text.trim().to_string(),
        Data::Float(number) => format!("{number}"),
        Data::Int(number) => number.to_string(),
        _ => String::new(),
    }
}

/// Reads a template or a multi-school workbook. Values are checked cell by cell against the
/// framework; nothing is stored here. Structural problems stop the import; cell problems are all
/// collected.
pub fn import(bytes: &[u8], framework: &Framework, dataset: &Dataset, limits: &Limits) -> Result<Imported, ExcelError> {
    check_limits(bytes, limits)?;
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
    let names = workbook.sheet_names();
    let mut range_of = |name: &str| -> Result<calamine::Range<Data>, ExcelError> {
        let range = workbook.worksheet_range(name).map_err(|e| ExcelError::NotAWorkbook(e.to_string()))?;
        let (rows, columns) = range.get_size();
        if rows > limits.max_rows || columns > limits.max_columns {
            return Err(ExcelError::TooManyCells {
                sheet: name.to_string(),
                rows,
                columns,
                max_rows: limits.max_rows,
                max_columns: limits.max_columns,
            });
        }
        Ok(range)
    };
    if names.iter().any(|n| n == META_SHEET) {
        let meta = range_of(META_SHEET)?;
        let mut entries: HashMap<String, String> = HashMap::new();
        for row in meta.rows() {
            if let (Some(key), Some(value)) = (row.first(), row.get(1)) {
                entries.insert(text_of(key), text_of(value));
            }
        }
        let get = |key: &str| entries.get(key).cloned().unwrap_or_default();
        if get("framework") != framework.id || get("version") != framework.version {
            return Err(ExcelError::WrongWorkbook(format!(
                "the template was made for framework {} {}, not {} {}",
                get("framework"),
                get("version"),
                framework.id,
                framework.version
            )));
        }
        let org_id = get("org");
        let org = dataset.org_index(&org_id).ok_or_else(|| {
            ExcelError::WrongWorkbook(format!("the template is for org unit {org_id:?}, which is not known here"))
        })?;
        let year: i32 = get("year")
            .parse()
            .map_err(|_| ExcelError::WrongWorkbook(format!("the template's year {:?} is not a year", get("year"))))?;
        let mut imported = Imported { kind: "school-template", ..Imported::default() };
        for name in names.iter().filter(|n| *n != META_SHEET && *n != "填报说明") {
            let range = range_of(name)?;
            let sheet = Sheet { range: &range };
            let (height, width) = sheet.size();
            let sheet_index = imported.sheets.len();
            imported.sheets.push(name.clone());
            // The hidden id column: the header row holds "indicator".
            let Some(id_column) = (0..width).find(|&c| text_of(sheet.get(1, c)) == "indicator") else {
                return Err(ExcelError::WrongWorkbook(format!(
                    "sheet {name} has lost its hidden indicator ids; export a fresh template"
                )));
            };
            for r in 2..height {
                let id = text_of(sheet.get(r, id_column));
                if id.is_empty() {
                    continue;
                }
                let Some(index) = framework.lookup(&id) else {
                    imported.issues.push(CellIssue {
                        cell: cell_ref(name, r, id_column),
                        label: id.clone(),
                        message_zh: format!("未知指标 {id}"),
                        message_en: format!("unknown indicator {id}"),
                    });
                    continue;
                };
                let table = &framework.tables[framework.indicator(index).table];
                let mut columns = vec![(3usize, index)];
                for (e, column) in table.extra_columns.iter().enumerate() {
                    if let Some(companion) = framework.companion(index, *column) {
                        columns.push((4 + e, companion));
                    }
                }
                for (column, indicator) in columns {
                    imported.read(
                        framework,
                        (org, year, indicator),
                        sheet.get(r, column),
                        CellPosition { sheet: sheet_index, row: r, column },
                    );
                }
            }
        }
        return Ok(imported);
    }
    if names.iter().any(|n| n == MULTI_SHEET) {
        let range = range_of(MULTI_SHEET)?;
        let sheet = Sheet { range: &range };
        let (height, width) = sheet.size();
        let ids: Vec<String> = (0..width).map(|c| text_of(sheet.get(1, c))).collect();
        if ids.first().map(String::as_str) != Some("org") || ids.get(2).map(String::as_str) != Some("year") {
            return Err(ExcelError::WrongWorkbook(format!(
                "sheet {MULTI_SHEET}: row 2 must hold the ids org, name, year, then indicator ids"
            )));
        }
        let mut imported =
            Imported { kind: "multi-school", sheets: vec![MULTI_SHEET.to_string()], ..Imported::default() };
        let mut columns = Vec::new();
        for (column, id) in ids.iter().enumerate().skip(3) {
            match framework.lookup(id) {
                Some(index) => columns.push((column, index)),
                None if id.is_empty() => {}
                None => imported.issues.push(CellIssue {
                    cell: cell_ref(MULTI_SHEET, 1, column),
                    label: id.clone(),
                    message_zh: format!("未知指标 {id}"),
                    message_en: format!("unknown indicator {id}"),
                }),
            }
        }
        for r in 2..height {
            let org_id = text_of(sheet.get(r, 0));
            if org_id.is_empty() {
                continue;
            }
            let Some(org) = dataset.org_index(&org_id) else {
                imported.issues.push(CellIssue {
                    cell: cell_ref(MULTI_SHEET, r, 0),
                    label: "学校代码".into(),
                    message_zh: format!("未知的学校代码 {org_id}"),
                    message_en: format!("unknown org unit {org_id}"),
                });
                continue;
            };
            let year_text = text_of(sheet.get(r, 2));
            let Ok(year) = year_text.trim_end_matches(".0").parse::<i32>() else {
                imported.issues.push(CellIssue {
                    cell: cell_ref(MULTI_SHEET, r, 2),
                    label: "年度".into(),
                    message_zh: format!("“{year_text}”不是年度"),
                    message_en: format!("{year_text:?} is not a year"),
                });
                continue;
            };
            for &(column, index) in &columns {
                imported.read(
                    framework,
                    (org, year, index),
                    sheet.get(r, column),
                    CellPosition { sheet: 0, row: r, column },
                );
            }
        }
        return Ok(imported);
    }
    Err(ExcelError::WrongWorkbook(format!(
        "neither a nianbao template (no {META_SHEET} sheet) nor a multi-school workbook (no {MULTI_SHEET} sheet)"
    )))
}

/// Every printed table of `org` for `year` as printed: title merged over the columns, years as
/// columns, 其中 rows indented, real number formats, widths that fit Chinese labels.
pub fn export_tables(framework: &Framework, dataset: &Dataset, org: usize, year: i32) -> Result<Vec<u8>, ExcelError> {
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13).set_align(FormatAlign::Center);
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDE6F2")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    for table in framework.tables.iter().filter(|t| t.printed) {
        let view = TableView::build(framework, dataset, table, org, year);
        let sheet = workbook.add_worksheet().set_name(sheet_name(table.number.as_deref(), &view.caption))?;
        let mut headers = vec!["指标".to_string(), "单位".to_string()];
        headers.extend(view.printed_years.iter().map(|y| format!("{y} 年")));
        headers.extend(view.extra_headers.iter().map(|h| h.to_string()));
        sheet.merge_range(0, 0, 0, headers.len() as u16 - 1, &view.title, &title)?;
        for (c, text) in headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, text, &header)?;
        }
        let mut width: u32 = 8;
        for (position, row) in view.rows.iter().enumerate() {
            let r = 2 + position as u32;
            let indicator = framework.indicator(framework.lookup(&row.indicator_id).unwrap_or(IndicatorIndex(0)));
            let label_format = Format::new().set_border(FormatBorder::Thin).set_indent(row.depth.min(3) as u8);
            sheet.write_string_with_format(r, 0, &row.label, &label_format)?;
            sheet.write_string_with_format(r, 1, row.unit, &Format::new().set_border(FormatBorder::Thin))?;
            width = width.max(display_width(&row.label) + 2 * row.depth as u32);
            let number_format =
                Format::new().set_border(FormatBorder::Thin).set_num_format(if indicator.decimals == 0 {
                    "0".to_string()
                } else {
                    format!("0.{}", "0".repeat(indicator.decimals as usize))
                });
            for (c, &printed_year) in view.printed_years.iter().enumerate() {
                let cell = view.cell(row, printed_year).map(|c| c.value.clone()).unwrap_or_default();
                let column = 2 + c as u16;
                match cell {
                    // The value is written as the decimal Excel will display; Excel itself stores doubles.
                    Value::Number(number) => sheet.write_number_with_format(
                        r,
                        column,
                        number.to_string().parse::<f64>().unwrap_or(0.0),
                        &number_format,
                    )?,
                    Value::Missing => sheet.write_blank(r, column, &number_format)?,
                    other => sheet.write_string_with_format(
                        r,
                        column,
                        other.format(0),
                        &number_format.clone().set_align(FormatAlign::Right),
                    )?,
                };
            }
            for (e, cell) in row.extras.iter().enumerate() {
                let column = 2 + view.printed_years.len() as u16 + e as u16;
                sheet.write_string_with_format(r, column, &cell.text, &Format::new().set_border(FormatBorder::Thin))?;
            }
        }
        sheet.set_column_width(0, f64::from(width.min(70)))?;
        sheet.set_column_width(1, 8)?;
        for c in 2..headers.len() as u16 {
            sheet.set_column_width(c, 14)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// SDMX-CSV (version 1) of a dataset's values for one year: one observation per org unit and
/// indicator, for open-data publication.
pub fn sdmx_csv(framework: &Framework, dataset: &Dataset, year: i32) -> String {
    use crate::csv_text::quote;
    let flow = format!("NIANBAO:{}({})", framework.id.to_uppercase().replace('-', "_"), framework.version);
    let mut out = String::from("DATAFLOW,REF_AREA,TIME_PERIOD,INDICATOR,UNIT_MEASURE,OBS_VALUE,OBS_STATUS\n");
    for (org, unit) in dataset.orgs.iter().enumerate() {
        let Some(slots) = dataset.slots(org, year) else { continue };
        for (index, value) in slots.iter().enumerate() {
            let indicator = &framework.indicators[index];
            let (observation, status) = match value {
                Value::Number(number) => (number.normalize().to_string(), "A"),
                Value::NotApplicable => (String::new(), "N"),
                _ => continue,
            };
            out.push_str(&format!(
                "{},{},{year},{},{},{observation},{status}\n",
                quote(&flow),
                quote(&unit.id),
                quote(&indicator.id),
                quote(indicator.printed_unit())
            ));
        }
    }
    out
}
