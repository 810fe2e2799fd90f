//! Excel exchange: fill-in templates for one school and year, imports of those templates and of
//! multi-school workbooks, and exports of every table as printed.
//!
//! Imports read by meaning, never by position: each value is found by its indicator id and
//! checked against the printed label and unit of its row; columns are found by hidden markers.
//! A template carries the version and value of every cell it was made with, so that an import
//! writes only what the clerk changed, each change as a compare-and-set.

use crate::import_problem::{Place, Problem, ProblemKind, ReadProblem};
use crate::lenient::read_text;
use crate::workbook::{self, CellValue, NumberFormat, Sheet, Spreadsheet};
use nianbao_core::table_view::TableView;
use nianbao_core::{Dataset, Framework, IndicatorIndex, Kind, OrgLevel, Value, bounds};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula, Workbook, XlsxError,
};
use std::collections::HashMap;

pub use crate::workbook::ReadLimits as Limits;

/// Name of the hidden sheet holding what a workbook is for.
pub const META_SHEET: &str = "_nianbao";
/// Name of the sheet of a multi-school workbook.
pub const MULTI_SHEET: &str = "数据";
/// The layout version written into templates; older templates are refused with a clear word.
pub const TEMPLATE_FORMAT: &str = "2";

/// Markers of the hidden row that names each column of a template sheet.
const MARK_LABEL: &str = "nianbao:label";
const MARK_UNIT: &str = "nianbao:unit";
const MARK_PREVIOUS: &str = "nianbao:previous";
const MARK_INPUT: &str = "nianbao:input";
const MARK_ID: &str = "nianbao:id@";
const MARK_BASE: &str = "nianbao:base";

/// Errors that stop a workbook from being written.
#[derive(Debug, thiserror::Error)]
pub enum ExcelError {
    #[error("{0}")]
    Write(#[from] XlsxError),
}

/// What the workbook was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkbookKind {
    SchoolTemplate,
    MultiSchool,
}

impl WorkbookKind {
    pub fn name(self) -> &'static str {
        match self {
            WorkbookKind::SchoolTemplate => "school-template",
            WorkbookKind::MultiSchool => "multi-school",
        }
    }
}

/// What the caller is importing into; anything else in the workbook is refused, naming both.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected {
    /// The school a template must be for.
    pub org: Option<usize>,
    /// The year every value must be for.
    pub year: Option<i32>,
    /// Every school of a multi-school workbook must lie below this unit.
    pub within: Option<usize>,
}

/// The version and value a template was made with, for one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// 0: the value did not exist.
    pub version: i64,
    pub value: Value,
}

/// One value read from a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCell {
    pub org: usize,
    pub year: i32,
    pub indicator: IndicatorIndex,
    /// `Missing` when a pre-filled cell was emptied: the value is to be cleared.
    pub value: Value,
    /// What the template held (templates only).
    pub base: Option<Base>,
    pub place: Place,
}

impl ImportedCell {
    /// Whether the clerk changed the cell from what the template held (always true without a base).
    pub fn changed(&self) -> bool {
        self.base.as_ref().is_none_or(|base| base.value != self.value)
    }
}

/// What an import read: values with their cells, or the problems (then nothing may be stored).
#[derive(Debug, Clone)]
pub struct Imported {
    pub kind: WorkbookKind,
    pub cells: Vec<ImportedCell>,
    pub problems: Vec<Problem>,
    /// Things seen and left alone (sheets that are not the template's), for the user to know.
    pub notes: Vec<Problem>,
}

impl Imported {
    fn new(kind: WorkbookKind) -> Imported {
        Imported { kind, cells: Vec::new(), problems: Vec::new(), notes: Vec::new() }
    }
    /// The cells the clerk changed.
    pub fn changes(&self) -> impl Iterator<Item = &ImportedCell> {
        self.cells.iter().filter(|c| c.changed())
    }
}

/// `sheet!B3` for zero-based row and column.
pub fn cell_ref(sheet: &str, row: usize, column: usize) -> String {
    format!("{sheet}!{}", workbook::cell_name(row as u32, column as u32))
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
            "请填写 0–100 之间的数（可带 %）；不适用填“-”",
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

/// The hidden text of a base cell: `version|value`.
fn base_text(version: i64, value: &Value) -> String {
    format!("{version}|{}", value.to_storage_string())
}

fn parse_base(text: &str, kind: Kind) -> Option<Base> {
    let (version, value) = text.split_once('|')?;
    let version: i64 = version.parse().ok().filter(|v| *v >= 0)?;
    let value = match value {
        "" => Value::Missing,
        "-" => Value::NotApplicable,
        text if kind == Kind::Text => Value::Text(text.to_string()),
        text => Value::Number(nianbao_core::value::parse_plain_decimal(text)?),
    };
    Some(Base { version, value })
}

/// Writes a value into an input cell: numbers as numbers where Excel holds them exactly.
fn write_input(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Value::Missing => sheet.write_blank(row, column, format)?,
        Value::Number(number) if workbook::round_significant(*number, 15) == *number => {
            let float: f64 = number.to_string().parse().unwrap_or(0.0);
            sheet.write_number_with_format(row, column, float, format)?
        }
        other => sheet.write_string_with_format(row, column, other.to_storage_string(), format)?,
    };
    Ok(())
}

/// A fill-in template for one school (`org`) and `year`: one sheet per printed table, the previous
/// year read-only beside the input column, validation on every input cell, the structure
/// protected, and hidden markers, ids and the stored version of every value, so that the file
/// cannot be loaded into another school or year, and an import changes only what was changed.
/// `version` gives the stored version of a value of `year` (0 or None: not stored).
pub fn write_template(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    version: &dyn Fn(IndicatorIndex) -> Option<i64>,
) -> Result<Vec<u8>, ExcelError> {
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
        "3. 不适用或未统计的指标填“-”（也可填“—”“/”“无”）；确实缺失的留空。清空已有数值表示删除该数值。".into(),
        "4. 请勿增删行列、排序、合并单元格或复制工作表：导入时逐行核对指标编号、名称和单位。".into(),
        "5. 模板记录了下载时每个数值的版本：导入只写入您改动的单元格；若他人在此期间改过同一单元格，会提示冲突而不会覆盖。".into(),
        "6. 导入时会逐格检查，问题会标明“工作表!单元格”和指标名称。".into(),
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
        // Row 2 (hidden): what each column is.
        let id_column = last_column + 2;
        let mut markers = vec![MARK_LABEL.to_string(), MARK_UNIT.into(), MARK_PREVIOUS.into(), MARK_INPUT.into()];
        markers.extend(extra.iter().map(|c| format!("{MARK_INPUT}:{}", c.suffix())));
        for (column, marker) in markers.iter().enumerate() {
            sheet.write_string(1, column as u16, marker)?;
        }
        sheet.write_string(1, id_column, format!("{MARK_ID}{}", table.id))?;
        sheet.write_string(1, id_column + 1, MARK_BASE)?;
        for (e, column) in extra.iter().enumerate() {
            sheet.write_string(1, id_column + 2 + e as u16, format!("{MARK_BASE}:{}", column.suffix()))?;
        }
        sheet.set_row_hidden(1)?;
        let mut headers = vec![
            "指标".to_string(),
            "单位".to_string(),
            format!("{} 年（上年，参考）", year - 1),
            format!("{year} 年（填报）"),
        ];
        headers.extend(extra.iter().map(|c| c.header().to_string()));
        for (column, text) in headers.iter().enumerate() {
            sheet.write_string_with_format(2, column as u16, text, &header)?;
        }
        let mut label_width: u32 = 10;
        for (position, row) in view.rows.iter().enumerate() {
            let r = 3 + position as u32;
            let Some(index) = framework.lookup(&row.indicator_id) else { continue };
            let indicator = framework.indicator(index);
            let indent = Format::new().set_border(FormatBorder::Thin).set_indent(row.depth.min(3) as u8);
            sheet.write_string_with_format(r, 0, &row.label, if row.depth > 0 { &indent } else { &label })?;
            sheet.write_string_with_format(r, 1, row.unit, &label)?;
            label_width = label_width.max(display_width(&row.label) + 2 * row.depth as u32);
            match &row.cells[0].value {
                Value::Number(n) => sheet.write_string_with_format(r, 2, n.normalize().to_string(), &locked)?,
                other => sheet.write_string_with_format(r, 2, other.format(indicator.decimals), &locked)?,
            };
            let current = &row.cells[1].value;
            write_input(sheet, r, 3, current, &input)?;
            if let Some(validation) = validation_for(indicator.kind, indicator.allow_over_100, &format!("D{}", r + 1)) {
                sheet.add_data_validation(r, 3, r, 3, &validation)?;
            }
            sheet.write_string(r, id_column, &row.indicator_id)?;
            let stored_version =
                |value: &Value, index| if value.is_missing() { 0 } else { version(index).unwrap_or(0) };
            sheet.write_string(r, id_column + 1, base_text(stored_version(current, index), current))?;
            for (e, (cell, column)) in row.extras.iter().zip(extra.iter()).enumerate() {
                let at = 4 + e as u16;
                write_input(sheet, r, at, &cell.value, &input)?;
                if let Some(companion) = framework.companion(index, *column) {
                    sheet.write_string(
                        r,
                        id_column + 2 + e as u16,
                        base_text(stored_version(&cell.value, companion), &cell.value),
                    )?;
                }
            }
        }
        sheet.set_column_width(0, f64::from(label_width.min(60)))?;
        sheet.set_column_width(1, 8)?;
        sheet.set_column_width(2, 18)?;
        sheet.set_column_width(3, 18)?;
        for e in 0..extra.len() {
            sheet.set_column_width(4 + e as u16, 18)?;
        }
        for column in id_column..=id_column + 1 + extra.len() as u16 {
            sheet.set_column_hidden(column)?;
        }
        sheet.protect();
    }

    let meta = workbook.add_worksheet().set_name(META_SHEET)?;
    let entries = [
        ("kind", "school-template".to_string()),
        ("format", TEMPLATE_FORMAT.to_string()),
        ("framework", framework.id.clone()),
        ("version", framework.version.clone()),
        ("org", unit.id.clone()),
        ("org_name", unit.name.clone()),
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

/// Reads one cell as a value of `indicator`, or says why it cannot be.
pub fn cell_value(
    cell: Option<&workbook::Cell>,
    framework: &Framework,
    indicator: IndicatorIndex,
) -> Result<Value, ReadProblem> {
    let definition = framework.indicator(indicator);
    let kind = definition.kind;
    let Some(cell) = cell else { return Ok(Value::Missing) };
    let value = match &cell.value {
        CellValue::FormulaWithoutResult => return Err(ReadProblem::FormulaWithoutResult),
        CellValue::Error(code) => return Err(ReadProblem::ErrorValue(code.clone())),
        CellValue::Bool(_) => return Err(ReadProblem::Boolean),
        CellValue::Text(text) => {
            if cell.format == NumberFormat::Date {
                return Err(ReadProblem::Date);
            }
            read_text(text, kind).map_err(ReadProblem::Text)?
        }
        CellValue::Number(text) => {
            if kind == Kind::Text {
                Value::Text(text.clone())
            } else {
                let number = workbook::spreadsheet_number(text).ok_or(ReadProblem::Unreadable)?;
                match cell.format {
                    NumberFormat::Date => return Err(ReadProblem::Date),
                    NumberFormat::Percent if kind == Kind::Percentage => Value::Number(
                        number.checked_mul(Decimal::ONE_HUNDRED).ok_or(ReadProblem::Unreadable)?.normalize(),
                    ),
                    NumberFormat::Percent => return Err(ReadProblem::PercentFormatNotPercentage),
                    _ => Value::Number(number),
                }
            }
        }
    };
    bounds::check(definition, &value).map_err(ReadProblem::Bounds)?;
    Ok(value)
}

/// Reads a template or a multi-school workbook. Nothing is stored here: the caller writes
/// [`Imported::changes`] only when [`Imported::problems`] is empty.
pub fn import(
    bytes: &[u8],
    framework: &Framework,
    dataset: &Dataset,
    expected: &Expected,
    limits: &Limits,
) -> Imported {
    let spreadsheet = match workbook::read_spreadsheet(bytes, limits) {
        Ok(spreadsheet) => spreadsheet,
        Err(error) => {
            let mut imported = Imported::new(WorkbookKind::SchoolTemplate);
            imported.problems.push(Problem::whole(ProblemKind::Unreadable(error)));
            return imported;
        }
    };
    if spreadsheet.sheet(META_SHEET).is_some() {
        return import_template(&spreadsheet, framework, dataset, expected);
    }
    if let Some(imported) = import_multi_school(&spreadsheet, framework, dataset, expected) {
        return imported;
    }
    let mut imported = Imported::new(WorkbookKind::SchoolTemplate);
    imported.problems.push(Problem::whole(ProblemKind::NotANianbaoWorkbook));
    imported
}

fn meta_entries(sheet: &Sheet) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    for row in sheet.used_rows() {
        let key = sheet.text(row, 0);
        if !key.is_empty() {
            entries.insert(key, sheet.text(row, 1));
        }
    }
    entries
}

/// Text of a label cell as compared: surrounding and full-width spaces dropped.
fn normalised_label(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}').to_string()
}

/// The columns of one template sheet, found by the hidden markers.
#[derive(Debug, Default)]
struct Columns {
    marker_row: u32,
    label: Option<u32>,
    unit: Option<u32>,
    previous: Option<u32>,
    input: Option<u32>,
    extras: HashMap<String, u32>,
    id: Option<u32>,
    table: String,
    base: Option<u32>,
    extra_bases: HashMap<String, u32>,
}

fn find_columns(sheet: &Sheet) -> Option<Result<Columns, Vec<Problem>>> {
    let marker_cell = sheet
        .cells
        .iter()
        .take_while(|c| c.row < 30)
        .find(|c| matches!(&c.value, CellValue::Text(t) if t.starts_with(MARK_ID)))?;
    let marker_row = marker_cell.row;
    let mut columns = Columns { marker_row, ..Columns::default() };
    let mut problems = Vec::new();
    let mut set = |slot: &mut Option<u32>, column: u32, role: &str| {
        if let Some(first) = slot.replace(column) {
            problems.push(Problem::at(
                &sheet.name,
                marker_row,
                column,
                "",
                ProblemKind::DuplicateColumn { role: role.to_string(), first: workbook::cell_name(marker_row, first) },
            ));
        }
    };
    for cell in sheet.row(marker_row) {
        let CellValue::Text(marker) = &cell.value else { continue };
        let marker = marker.trim();
        match marker {
            MARK_LABEL => set(&mut columns.label, cell.column, MARK_LABEL),
            MARK_UNIT => set(&mut columns.unit, cell.column, MARK_UNIT),
            MARK_PREVIOUS => set(&mut columns.previous, cell.column, MARK_PREVIOUS),
            MARK_INPUT => set(&mut columns.input, cell.column, MARK_INPUT),
            MARK_BASE => set(&mut columns.base, cell.column, MARK_BASE),
            _ => {
                if let Some(table) = marker.strip_prefix(MARK_ID) {
                    columns.table = table.to_string();
                    set(&mut columns.id, cell.column, MARK_ID);
                } else if let Some(suffix) = marker.strip_prefix(&format!("{MARK_INPUT}:")) {
                    let mut slot = columns.extras.get(suffix).copied();
                    set(&mut slot, cell.column, marker);
                    columns.extras.insert(suffix.to_string(), cell.column);
                } else if let Some(suffix) = marker.strip_prefix(&format!("{MARK_BASE}:")) {
                    let mut slot = columns.extra_bases.get(suffix).copied();
                    set(&mut slot, cell.column, marker);
                    columns.extra_bases.insert(suffix.to_string(), cell.column);
                }
            }
        }
    }
    Some(if problems.is_empty() { Ok(columns) } else { Err(problems) })
}

fn import_template(
    spreadsheet: &Spreadsheet,
    framework: &Framework,
    dataset: &Dataset,
    expected: &Expected,
) -> Imported {
    let mut imported = Imported::new(WorkbookKind::SchoolTemplate);
    let Some(meta_sheet) = spreadsheet.sheet(META_SHEET) else { return imported };
    let meta = meta_entries(meta_sheet);
    let get = |key: &str| meta.get(key).cloned().unwrap_or_default();
    let whole = |kind| Problem::whole(kind);
    if get("framework") != framework.id || get("version") != framework.version {
        imported.problems.push(whole(ProblemKind::FrameworkMismatch {
            made_for: format!("{} {}", get("framework"), get("version")),
            here: format!("{} {}", framework.id, framework.version),
        }));
        return imported;
    }
    if get("format") != TEMPLATE_FORMAT {
        imported.problems.push(whole(ProblemKind::OldTemplate));
        return imported;
    }
    let org_id = get("org");
    let Some(org) = dataset.org_index(&org_id) else {
        imported
            .problems
            .push(whole(ProblemKind::UnknownSchool { template: format!("{} {}", org_id, get("org_name")) }));
        return imported;
    };
    let year: i32 = match get("year").parse() {
        Ok(year) if bounds::YEARS.contains(&year) => year,
        _ => {
            imported.problems.push(whole(ProblemKind::BadYear { text: get("year") }));
            return imported;
        }
    };
    if let Some(wanted) = expected.org.filter(|&wanted| wanted != org) {
        let name = |index: usize| format!("{}（{}）", dataset.orgs[index].name, dataset.orgs[index].id);
        imported.problems.push(whole(ProblemKind::WrongSchool { template: name(org), expected: name(wanted) }));
    }
    if let Some(wanted) = expected.year.filter(|&wanted| wanted != year) {
        imported.problems.push(whole(ProblemKind::WrongYear { template: year, expected: wanted }));
    }
    if !imported.problems.is_empty() {
        return imported;
    }

    // Where each (indicator) was read, to refuse two places giving one cell differently.
    let mut seen: HashMap<IndicatorIndex, usize> = HashMap::new();
    let mut tables_seen: HashMap<String, String> = HashMap::new();
    for sheet in &spreadsheet.sheets {
        if sheet.name == META_SHEET {
            continue;
        }
        let columns = match find_columns(sheet) {
            None => {
                if sheet.name != "填报说明" && !sheet.cells.is_empty() {
                    imported.notes.push(Problem::sheet(&sheet.name, ProblemKind::ForeignSheet));
                }
                continue;
            }
            Some(Err(problems)) => {
                imported.problems.extend(problems);
                continue;
            }
            Some(Ok(columns)) => columns,
        };
        let Some(table) = framework.tables.iter().find(|t| t.id == columns.table && t.printed) else {
            imported
                .problems
                .push(Problem::sheet(&sheet.name, ProblemKind::UnknownTable { id: columns.table.clone() }));
            continue;
        };
        tables_seen.entry(table.id.clone()).or_insert_with(|| sheet.name.clone());
        read_template_sheet(sheet, &columns, table, framework, dataset, org, year, &mut seen, &mut imported);
    }
    for table in framework.tables.iter().filter(|t| t.printed) {
        if !tables_seen.contains_key(&table.id) {
            imported.problems.push(whole(ProblemKind::MissingSheet {
                sheet: sheet_name(table.number.as_deref(), &table.caption_for(year, &dataset.orgs[org].name)),
            }));
        }
    }
    imported
}

#[allow(clippy::too_many_arguments)]
fn read_template_sheet(
    sheet: &Sheet,
    columns: &Columns,
    table: &nianbao_core::Table,
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    seen: &mut HashMap<IndicatorIndex, usize>,
    imported: &mut Imported,
) {
    let name = &sheet.name;
    let problem_count = imported.problems.len();
    let (Some(label_column), Some(input_column), Some(id_column)) = (columns.label, columns.input, columns.id) else {
        let missing = if columns.input.is_none() {
            "input"
        } else if columns.label.is_none() {
            "label"
        } else {
            "id"
        };
        imported.problems.push(Problem::sheet(name, ProblemKind::MissingColumn { role: missing.to_string() }));
        return;
    };
    let Some(base_column) = columns.base else {
        imported.problems.push(Problem::sheet(name, ProblemKind::OldTemplate));
        return;
    };
    // Every column the template has; a filled cell in any other column is refused.
    let mut known: Vec<u32> = vec![label_column, input_column, id_column, base_column];
    known.extend(columns.unit);
    known.extend(columns.previous);
    known.extend(columns.extras.values().copied());
    known.extend(columns.extra_bases.values().copied());
    let input_columns: Vec<u32> = std::iter::once(input_column).chain(columns.extras.values().copied()).collect();
    for extra in &table.extra_columns {
        if !columns.extras.contains_key(extra.suffix()) {
            imported
                .problems
                .push(Problem::sheet(name, ProblemKind::MissingColumn { role: extra.suffix().to_string() }));
        }
    }
    let view = TableView::build(framework, dataset, table, org, year);
    let expected_rows: HashMap<&str, &nianbao_core::table_view::RowView> =
        view.rows.iter().map(|r| (r.indicator_id.as_str(), r)).collect();
    let mut rows_found: HashMap<String, u32> = HashMap::new();
    for merge in &sheet.merges {
        if merge.last_row > columns.marker_row + 1
            && input_columns.iter().any(|&c| (merge.first_column..=merge.last_column).contains(&c))
        {
            imported.problems.push(Problem::at(
                name,
                merge.first_row.max(columns.marker_row + 2),
                merge.first_column,
                "",
                ProblemKind::Merged {
                    range: format!(
                        "{}:{}",
                        workbook::cell_name(merge.first_row, merge.first_column),
                        workbook::cell_name(merge.last_row, merge.last_column)
                    ),
                },
            ));
        }
    }
    for row in sheet.used_rows().into_iter().filter(|&r| r > columns.marker_row + 1) {
        let id = sheet.text(row, id_column);
        for cell in sheet.row(row) {
            if !known.contains(&cell.column) && !matches!(&cell.value, CellValue::Text(t) if t.trim().is_empty()) {
                imported.problems.push(Problem::at(name, row, cell.column, "", ProblemKind::ForeignColumn));
            }
        }
        if id.is_empty() {
            if let Some(cell) = input_columns.iter().find_map(|&c| sheet.cell(row, c)) {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    cell.column,
                    &sheet.text(row, label_column),
                    ProblemKind::RowWithoutId,
                ));
            }
            continue;
        }
        let Some(expected_row) = expected_rows.get(id.as_str()) else {
            imported.problems.push(Problem::at(
                name,
                row,
                id_column,
                &id,
                ProblemKind::UnknownIndicator { id: id.clone() },
            ));
            continue;
        };
        let Some(index) = framework.lookup(&id) else { continue };
        let found_label = normalised_label(&sheet.text(row, label_column));
        if found_label != expected_row.label {
            imported.problems.push(Problem::at(
                name,
                row,
                label_column,
                &expected_row.label,
                ProblemKind::LabelMismatch { expected: expected_row.label.clone(), found: found_label },
            ));
            continue;
        }
        if let Some(unit_column) = columns.unit {
            let found_unit = normalised_label(&sheet.text(row, unit_column));
            if found_unit != expected_row.unit {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    unit_column,
                    &expected_row.label,
                    ProblemKind::UnitMismatch { expected: expected_row.unit.to_string(), found: found_unit },
                ));
                continue;
            }
        }
        // A pasted duplicate row is read like any other place: differing values are refused.
        rows_found.entry(id.clone()).or_insert(row);
        let mut targets = vec![(input_column, index, base_column)];
        for column in &table.extra_columns {
            if let (Some(companion), Some(&at)) =
                (framework.companion(index, *column), columns.extras.get(column.suffix()))
            {
                match columns.extra_bases.get(column.suffix()) {
                    Some(&base_at) => targets.push((at, companion, base_at)),
                    None => imported.problems.push(Problem::sheet(name, ProblemKind::OldTemplate)),
                }
            }
        }
        for (column, indicator, base_at) in targets {
            let definition = framework.indicator(indicator);
            let base = parse_base(&sheet.text(row, base_at), definition.kind);
            let Some(base) = base else {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    base_at,
                    &definition.printed_label(),
                    ProblemKind::OldTemplate,
                ));
                continue;
            };
            let place = Place::cell(name, row, column);
            match cell_value(sheet.cell(row, column), framework, indicator) {
                Err(problem) => imported.problems.push(Problem {
                    place: Some(place),
                    label: definition.printed_label(),
                    kind: ProblemKind::Cell(problem),
                }),
                Ok(value) => {
                    if value.is_missing() && base.value.is_missing() {
                        continue;
                    }
                    let cell = ImportedCell { org, year, indicator, value, base: Some(base), place };
                    push_cell(imported, seen, cell, &definition.printed_label());
                }
            }
        }
    }
    // Rows of the table that the sheet lost.
    if imported.problems.len() == problem_count {
        for row in &view.rows {
            if !rows_found.contains_key(&row.indicator_id) {
                imported.problems.push(Problem::sheet(name, ProblemKind::MissingRow { label: row.label.clone() }));
            }
        }
    }
}

/// Adds a read cell; a second place for the same value with a different value is a conflict.
fn push_cell(imported: &mut Imported, seen: &mut HashMap<IndicatorIndex, usize>, cell: ImportedCell, label: &str) {
    let key = cell.indicator;
    match seen.get(&key) {
        Some(&first) => {
            let earlier = &imported.cells[first];
            if earlier.value != cell.value {
                imported.problems.push(Problem {
                    place: Some(cell.place.clone()),
                    label: label.to_string(),
                    kind: ProblemKind::TwoPlaces {
                        first: earlier.place.to_string(),
                        first_value: earlier.value.to_storage_string(),
                        second_value: cell.value.to_storage_string(),
                    },
                });
            }
        }
        None => {
            seen.insert(key, imported.cells.len());
            imported.cells.push(cell);
        }
    }
}

fn is_below(dataset: &Dataset, unit: usize, ancestor: usize) -> bool {
    let mut current = Some(unit);
    let mut steps = 0;
    while let Some(at) = current {
        if at == ancestor {
            return true;
        }
        steps += 1;
        if steps > dataset.orgs.len() {
            return false;
        }
        current = dataset.orgs[at].parent;
    }
    false
}

/// The header a multi-school workbook prints above an indicator's column.
fn multi_header(framework: &Framework, index: IndicatorIndex) -> String {
    let indicator = framework.indicator(index);
    format!("{}（{}）", indicator.printed_label(), indicator.printed_unit())
}

/// Reads every sheet that carries the id row of a multi-school workbook; `None` when none does.
fn import_multi_school(
    spreadsheet: &Spreadsheet,
    framework: &Framework,
    dataset: &Dataset,
    expected: &Expected,
) -> Option<Imported> {
    let mut imported = Imported::new(WorkbookKind::MultiSchool);
    let mut any = false;
    let mut seen: HashMap<(usize, i32, IndicatorIndex), usize> = HashMap::new();
    for sheet in &spreadsheet.sheets {
        // The id row: the first row (of the first 10) holding both `org` and `year`.
        let Some(id_row) = sheet.used_rows().into_iter().take(10).find(|&r| {
            let texts: Vec<String> = sheet.row(r).iter().map(|c| sheet.text(c.row, c.column)).collect();
            texts.iter().any(|t| t == "org") && texts.iter().any(|t| t == "year")
        }) else {
            if !sheet.cells.is_empty() {
                imported.notes.push(Problem::sheet(&sheet.name, ProblemKind::ForeignSheet));
            }
            continue;
        };
        any = true;
        let name = &sheet.name;
        let mut org_column = None;
        let mut year_column = None;
        let mut known = Vec::new();
        let mut columns: Vec<(u32, IndicatorIndex)> = Vec::new();
        for cell in sheet.row(id_row) {
            let id = sheet.text(id_row, cell.column);
            known.push(cell.column);
            match id.as_str() {
                "org" => org_column = Some(cell.column),
                "year" => year_column = Some(cell.column),
                "name" | "" => {}
                id => match framework.lookup(id) {
                    Some(index) => {
                        if let Some(&(first, _)) = columns.iter().find(|(_, i)| *i == index) {
                            imported.problems.push(Problem::at(
                                name,
                                id_row,
                                cell.column,
                                id,
                                ProblemKind::DuplicateColumn {
                                    role: id.to_string(),
                                    first: workbook::cell_name(id_row, first),
                                },
                            ));
                            continue;
                        }
                        if id_row > 0 {
                            let header = normalised_label(&sheet.text(id_row - 1, cell.column));
                            let wanted = multi_header(framework, index);
                            // A hand-made workbook may have no label above an id; a label that
                            // names another indicator is refused.
                            if !header.is_empty() && header != wanted {
                                imported.problems.push(Problem::at(
                                    name,
                                    id_row - 1,
                                    cell.column,
                                    &wanted,
                                    ProblemKind::LabelMismatch { expected: wanted.clone(), found: header },
                                ));
                                continue;
                            }
                        }
                        columns.push((cell.column, index));
                    }
                    None => imported.problems.push(Problem::at(
                        name,
                        id_row,
                        cell.column,
                        id,
                        ProblemKind::UnknownIndicator { id: id.to_string() },
                    )),
                },
            }
        }
        let (Some(org_column), Some(year_column)) = (org_column, year_column) else { continue };
        for merge in &sheet.merges {
            if merge.last_row > id_row {
                imported.problems.push(Problem::at(
                    name,
                    merge.first_row.max(id_row + 1),
                    merge.first_column,
                    "",
                    ProblemKind::Merged {
                        range: format!(
                            "{}:{}",
                            workbook::cell_name(merge.first_row, merge.first_column),
                            workbook::cell_name(merge.last_row, merge.last_column)
                        ),
                    },
                ));
            }
        }
        for row in sheet.used_rows().into_iter().filter(|&r| r > id_row) {
            let org_id = sheet.text(row, org_column);
            let has_values = columns.iter().any(|&(c, _)| sheet.cell(row, c).is_some());
            for cell in sheet.row(row) {
                if !known.contains(&cell.column) {
                    imported.problems.push(Problem::at(name, row, cell.column, "", ProblemKind::ForeignColumn));
                }
            }
            if org_id.is_empty() {
                if has_values {
                    imported.problems.push(Problem::at(name, row, org_column, "", ProblemKind::RowWithoutId));
                }
                continue;
            }
            let Some(org) = dataset.org_index(&org_id) else {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    org_column,
                    &org_id.clone(),
                    ProblemKind::UnknownOrg { id: org_id },
                ));
                continue;
            };
            if dataset.orgs[org].level != OrgLevel::School {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    org_column,
                    &dataset.orgs[org].name,
                    ProblemKind::NotASchool { id: org_id, name: dataset.orgs[org].name.clone() },
                ));
                continue;
            }
            if let Some(only) = expected.org.filter(|&only| only != org) {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    org_column,
                    &dataset.orgs[org].name,
                    ProblemKind::OutsideScope { id: org_id, scope: dataset.orgs[only].name.clone() },
                ));
                continue;
            }
            if let Some(within) = expected.within.filter(|&w| !is_below(dataset, org, w)) {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    org_column,
                    &dataset.orgs[org].name,
                    ProblemKind::OutsideScope { id: org_id, scope: dataset.orgs[within].name.clone() },
                ));
                continue;
            }
            let year_text = sheet.text(row, year_column);
            let year = match workbook::spreadsheet_number(&year_text) {
                Some(number) if number.fract().is_zero() => {
                    i32::try_from(number.mantissa() / 10i128.pow(number.scale()))
                        .ok()
                        .filter(|y| bounds::YEARS.contains(y))
                }
                _ => None,
            };
            let Some(year) = year else {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    year_column,
                    "年度",
                    ProblemKind::BadYear { text: year_text },
                ));
                continue;
            };
            if let Some(wanted) = expected.year.filter(|&w| w != year) {
                imported.problems.push(Problem::at(
                    name,
                    row,
                    year_column,
                    "年度",
                    ProblemKind::WrongYear { template: year, expected: wanted },
                ));
                continue;
            }
            for &(column, indicator) in &columns {
                let definition = framework.indicator(indicator);
                let place = Place::cell(name, row, column);
                match cell_value(sheet.cell(row, column), framework, indicator) {
                    Err(problem) => imported.problems.push(Problem {
                        place: Some(place),
                        label: definition.printed_label(),
                        kind: ProblemKind::Cell(problem),
                    }),
                    Ok(Value::Missing) => {}
                    Ok(value) => {
                        let cell = ImportedCell { org, year, indicator, value, base: None, place };
                        let key = (org, year, indicator);
                        match seen.get(&key) {
                            Some(&first) if imported.cells[first].value != cell.value => {
                                let earlier = &imported.cells[first];
                                imported.problems.push(Problem {
                                    place: Some(cell.place.clone()),
                                    label: definition.printed_label(),
                                    kind: ProblemKind::TwoPlaces {
                                        first: earlier.place.to_string(),
                                        first_value: earlier.value.to_storage_string(),
                                        second_value: cell.value.to_storage_string(),
                                    },
                                });
                            }
                            Some(_) => {}
                            None => {
                                seen.insert(key, imported.cells.len());
                                imported.cells.push(cell);
                            }
                        }
                    }
                }
            }
        }
    }
    any.then_some(imported)
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
