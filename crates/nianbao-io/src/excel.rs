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
use std::sync::Arc;

pub use crate::workbook::ReadLimits as Limits;

/// Name of the hidden sheet holding what a workbook is for.
pub const META_SHEET: &str = "_nianbao";
/// Name of the sheet of a multi-school workbook.
pub const MULTI_SHEET: &str = "数据";
/// Name of the hidden sheet of a multi-school workbook holding the version and value of each cell as made.
pub const MULTI_BASE_SHEET: &str = "_nianbao_base";
/// Reading stops after this many problems (a file that far off is not the one meant).
pub const MAX_PROBLEMS: usize = 1_000;

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

    /// Whether reading should stop: past [`MAX_PROBLEMS`] (then said once, as the last problem).
    fn too_many_problems(&mut self) -> bool {
        if self.problems.len() < MAX_PROBLEMS {
            return false;
        }
        if !matches!(self.problems.last().map(|p| &p.kind), Some(ProblemKind::TooMany { .. })) {
            self.problems.truncate(MAX_PROBLEMS);
            self.problems.push(Problem::whole(ProblemKind::TooMany { shown: MAX_PROBLEMS }));
        }
        true
    }
    /// The cells the clerk changed.
    pub fn changes(&self) -> impl Iterator<Item = &ImportedCell> {
        self.cells.iter().filter(|c| c.changed())
    }
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
        "7. 灰色斜体的单元格与另一张表中的同一数据相同（如附表 6 的全日制在校生人数同表 1）：只在原处填写，此处自动带出。".into(),
    ];
    instructions.set_column_width(0, 100)?;
    for (row, line) in lines.iter().enumerate() {
        instructions.write_string_with_format(row as u32, 0, line, if row == 0 { &title } else { &wrap })?;
    }

    // Where each indicator's input cell is (sheet, zero-based row): a copy (`same_as`) shows its
    // primary's cell through a formula instead of asking for the figure again.
    let mut input_cells: HashMap<IndicatorIndex, (String, u32)> = HashMap::new();
    for table in framework.tables.iter().filter(|t| t.printed) {
        let view = TableView::build(framework, dataset, table, org, year);
        let name = sheet_name(table.number.as_deref(), &view.caption);
        for (position, row) in view.rows.iter().enumerate() {
            if let Some(index) = framework.lookup(&row.indicator_id) {
                input_cells.insert(index, (name.clone(), 3 + position as u32));
            }
        }
    }
    let copy_format = Format::new().set_border(FormatBorder::Thin).set_background_color("#E8E8E8").set_italic();

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
            let stored_version =
                |value: &Value, index| if value.is_missing() { 0 } else { version(index).unwrap_or(0) };
            // A copy with no value of its own shows its primary's cell; one that holds its own
            // value (from a file that gave both) stays an input, to be corrected or cleared.
            let primary_cell = indicator
                .same_as
                .filter(|_| version(index).is_none_or(|v| v == 0))
                .and_then(|primary| input_cells.get(&primary));
            if let Some((primary_sheet, primary_row)) = primary_cell {
                let reference = format!("='{}'!D{}", primary_sheet.replace('\'', "''"), primary_row + 1);
                let mut formula = Formula::new(reference);
                if let Value::Number(number) = current {
                    formula = formula.set_result(number.normalize().to_string());
                }
                sheet.write_formula_with_format(r, 3, formula, &copy_format)?;
                sheet.write_string(r, id_column, &row.indicator_id)?;
                sheet.write_string(r, id_column + 1, base_text(0, &Value::Missing))?;
                continue;
            }
            write_input(sheet, r, 3, current, &input)?;
            if let Some(validation) = validation_for(indicator.kind, indicator.allow_over_100, &format!("D{}", r + 1)) {
                sheet.add_data_validation(r, 3, r, 3, &validation)?;
            }
            sheet.write_string(r, id_column, &row.indicator_id)?;
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

/// The columns of one template sheet, by the marker in its hidden row.
#[derive(Debug)]
struct Markers {
    row: u32,
    /// The table the sheet is for (from the id marker).
    table: String,
    columns: HashMap<String, u32>,
}

impl Markers {
    fn column(&self, marker: &str) -> Option<u32> {
        self.columns.get(marker).copied()
    }
}

/// The marker row of a template sheet (`None`: not a template sheet); a marker given twice
/// (a copied column) is refused.
fn find_markers(sheet: &Sheet) -> Option<Result<Markers, Vec<Problem>>> {
    let id_cell = sheet
        .cells
        .iter()
        .take_while(|c| c.row < 30)
        .find(|c| matches!(&c.value, CellValue::Text(t) if t.starts_with(MARK_ID)))?;
    let row = id_cell.row;
    let mut markers = Markers { row, table: String::new(), columns: HashMap::new() };
    let mut problems = Vec::new();
    for cell in sheet.row(row) {
        let CellValue::Text(text) = &cell.value else { continue };
        let mut marker = text.trim();
        if let Some(table) = marker.strip_prefix(MARK_ID) {
            markers.table = table.to_string();
            marker = MARK_ID;
        }
        if !marker.starts_with("nianbao:") {
            continue;
        }
        if let Some(first) = markers.columns.insert(marker.to_string(), cell.column) {
            problems.push(Problem::at(
                &sheet.name,
                row,
                cell.column,
                "",
                ProblemKind::DuplicateColumn { role: marker.to_string(), first: workbook::cell_name(row, first) },
            ));
        }
    }
    Some(if problems.is_empty() { Ok(markers) } else { Err(problems) })
}

fn merge_problem(sheet: &str, merge: &workbook::Merge, first_data_row: u32) -> Problem {
    Problem::at(
        sheet,
        merge.first_row.max(first_data_row),
        merge.first_column,
        "",
        ProblemKind::Merged {
            range: format!(
                "{}:{}",
                workbook::cell_name(merge.first_row, merge.first_column),
                workbook::cell_name(merge.last_row, merge.last_column)
            ),
        },
    )
}

/// The cells read so far. A second place for the same value with a different value is a conflict
/// naming both. The index by (org, year, indicator) is built only once a second place is possible:
/// a multi-school workbook whose school-years each appear once pays nothing for it.
#[derive(Debug, Default)]
struct ReadCells {
    index: Option<HashMap<(usize, i32, IndicatorIndex), usize>>,
}

impl ReadCells {
    /// Every push is checked against the cells read before it.
    fn keyed() -> ReadCells {
        ReadCells { index: Some(HashMap::new()) }
    }

    /// From now on, pushes are checked (indexing what was read so far).
    fn check_from_now_on(&mut self, imported: &Imported) {
        if self.index.is_none() {
            let cells = imported.cells.iter().enumerate();
            self.index = Some(cells.map(|(i, c)| ((c.org, c.year, c.indicator), i)).collect());
        }
    }

    fn push(&mut self, imported: &mut Imported, cell: ImportedCell, framework: &Framework) {
        let Some(index) = self.index.as_mut() else {
            imported.cells.push(cell);
            return;
        };
        match index.get(&(cell.org, cell.year, cell.indicator)) {
            Some(&first) => {
                let earlier = &imported.cells[first];
                if earlier.value != cell.value {
                    imported.problems.push(Problem {
                        place: Some(cell.place.clone()),
                        label: framework.indicator(cell.indicator).printed_label(),
                        kind: ProblemKind::TwoPlaces {
                            first: earlier.place.to_string(),
                            first_value: earlier.value.to_storage_string(),
                            second_value: cell.value.to_storage_string(),
                        },
                    });
                }
            }
            None => {
                index.insert((cell.org, cell.year, cell.indicator), imported.cells.len());
                imported.cells.push(cell);
            }
        }
    }
}

/// Reads one cell of `indicator` (with the base it was made with, if any): the value, nothing
/// (empty, and empty when made), or a problem added to `imported`.
fn read_cell(
    imported: &mut Imported,
    (sheet, cell): (&Arc<str>, Option<&workbook::Cell>),
    (row, column): (u32, u32),
    framework: &Framework,
    (org, year, indicator): (usize, i32, IndicatorIndex),
    base: Option<Base>,
) -> Option<ImportedCell> {
    let place = Place::cell(sheet, row, column);
    match cell_value(cell, framework, indicator) {
        Err(problem) => {
            let label = framework.indicator(indicator).printed_label();
            imported.problems.push(Problem { place: Some(place), label, kind: ProblemKind::Cell(problem) });
            None
        }
        Ok(Value::Missing) if base.as_ref().is_none_or(|b| b.value.is_missing()) => None,
        Ok(value) => Some(ImportedCell { org, year, indicator, value, base, place }),
    }
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
    if get("framework") != framework.id || get("version") != framework.version {
        imported.problems.push(Problem::whole(ProblemKind::FrameworkMismatch {
            made_for: format!("{} {}", get("framework"), get("version")),
            here: format!("{} {}", framework.id, framework.version),
        }));
        return imported;
    }
    if get("format") != TEMPLATE_FORMAT {
        imported.problems.push(Problem::whole(ProblemKind::OldTemplate));
        return imported;
    }
    let org_id = get("org");
    let Some(org) = dataset.org_index(&org_id) else {
        imported
            .problems
            .push(Problem::whole(ProblemKind::UnknownSchool { template: format!("{} {}", org_id, get("org_name")) }));
        return imported;
    };
    let year: i32 = match get("year").parse() {
        Ok(year) if bounds::YEARS.contains(&year) => year,
        _ => {
            imported.problems.push(Problem::whole(ProblemKind::BadYear { text: get("year") }));
            return imported;
        }
    };
    if let Some(wanted) = expected.org.filter(|&wanted| wanted != org) {
        let name = |index: usize| format!("{}（{}）", dataset.orgs[index].name, dataset.orgs[index].id);
        imported
            .problems
            .push(Problem::whole(ProblemKind::WrongSchool { template: name(org), expected: name(wanted) }));
    }
    if let Some(wanted) = expected.year.filter(|&wanted| wanted != year) {
        imported.problems.push(Problem::whole(ProblemKind::WrongYear { template: year, expected: wanted }));
    }
    if !imported.problems.is_empty() {
        return imported;
    }
    let mut read = ReadCells::keyed();
    let mut tables_seen: Vec<&str> = Vec::new();
    for sheet in &spreadsheet.sheets {
        if sheet.name == META_SHEET {
            continue;
        }
        let markers = match find_markers(sheet) {
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
            Some(Ok(markers)) => markers,
        };
        let Some(table) = framework.tables.iter().find(|t| t.id == markers.table && t.printed) else {
            imported
                .problems
                .push(Problem::sheet(&sheet.name, ProblemKind::UnknownTable { id: markers.table.clone() }));
            continue;
        };
        tables_seen.push(&table.id);
        read_template_sheet(sheet, &markers, table, framework, dataset, (org, year), &mut read, &mut imported);
    }
    for table in framework.tables.iter().filter(|t| t.printed && !tables_seen.contains(&t.id.as_str())) {
        imported.problems.push(Problem::whole(ProblemKind::MissingSheet {
            sheet: sheet_name(table.number.as_deref(), &table.caption_for(year, &dataset.orgs[org].name)),
        }));
    }
    imported
}

#[allow(clippy::too_many_arguments)]
fn read_template_sheet(
    sheet: &Sheet,
    markers: &Markers,
    table: &nianbao_core::Table,
    framework: &Framework,
    dataset: &Dataset,
    (org, year): (usize, i32),
    read: &mut ReadCells,
    imported: &mut Imported,
) {
    let name = &sheet.name;
    let sheet_name: &Arc<str> = &Arc::from(name.as_str());
    let problem_count = imported.problems.len();
    // The input columns (the year's figure, then the extra columns), each with its base column.
    let mut inputs: Vec<(Option<nianbao_core::framework::ExtraColumn>, String, String)> =
        vec![(None, MARK_INPUT.to_string(), MARK_BASE.to_string())];
    inputs.extend(
        table
            .extra_columns
            .iter()
            .map(|c| (Some(*c), format!("{MARK_INPUT}:{}", c.suffix()), format!("{MARK_BASE}:{}", c.suffix()))),
    );
    let mut required = vec![(MARK_LABEL, "label"), (MARK_ID, "id")];
    for (_, input, base) in &inputs {
        if markers.column(input).is_none() {
            let role = input.strip_prefix(&format!("{MARK_INPUT}:")).unwrap_or("input").to_string();
            imported.problems.push(Problem::sheet(name, ProblemKind::MissingColumn { role }));
        } else if markers.column(base).is_none() {
            imported.problems.push(Problem::sheet(name, ProblemKind::OldTemplate));
        }
    }
    required.retain(|(marker, _)| markers.column(marker).is_none());
    for (_, role) in &required {
        imported.problems.push(Problem::sheet(name, ProblemKind::MissingColumn { role: role.to_string() }));
    }
    let (Some(label_column), Some(id_column)) = (markers.column(MARK_LABEL), markers.column(MARK_ID)) else { return };
    if imported.problems.len() > problem_count {
        return;
    }
    let input_columns: Vec<u32> = inputs.iter().filter_map(|(_, input, _)| markers.column(input)).collect();
    let first_data_row = markers.row + 2;
    for merge in &sheet.merges {
        if merge.last_row >= first_data_row
            && input_columns.iter().any(|&c| (merge.first_column..=merge.last_column).contains(&c))
        {
            imported.problems.push(merge_problem(name, merge, first_data_row));
        }
    }
    let view = TableView::build(framework, dataset, table, org, year);
    let expected_rows: HashMap<&str, &nianbao_core::table_view::RowView> =
        view.rows.iter().map(|r| (r.indicator_id.as_str(), r)).collect();
    let mut rows_found: HashMap<String, u32> = HashMap::new();
    for row in sheet.used_rows().into_iter().filter(|&r| r >= first_data_row) {
        if imported.too_many_problems() {
            return;
        }
        // Every column of the template is marked; a filled cell in any other one is refused.
        for cell in sheet.row(row) {
            let blank = matches!(&cell.value, CellValue::Text(t) if t.trim().is_empty());
            if !blank && !markers.columns.values().any(|&c| c == cell.column) {
                imported.problems.push(Problem::at(name, row, cell.column, "", ProblemKind::ForeignColumn));
            }
        }
        let id = sheet.text(row, id_column);
        if id.is_empty() {
            if let Some(cell) = input_columns.iter().find_map(|&c| sheet.cell(row, c)) {
                let label = sheet.text(row, label_column);
                imported.problems.push(Problem::at(name, row, cell.column, &label, ProblemKind::RowWithoutId));
            }
            continue;
        }
        let (Some(expected_row), Some(index)) = (expected_rows.get(id.as_str()), framework.lookup(&id)) else {
            imported.problems.push(Problem::at(
                name,
                row,
                id_column,
                &id,
                ProblemKind::UnknownIndicator { id: id.clone() },
            ));
            continue;
        };
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
        if let Some(unit_column) = markers.column(MARK_UNIT) {
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
        for (extra, input, base_marker) in &inputs {
            let indicator = match extra {
                None => Some(index),
                Some(column) => framework.companion(index, *column),
            };
            let (Some(indicator), Some(column), Some(base_column)) =
                (indicator, markers.column(input), markers.column(base_marker))
            else {
                continue;
            };
            let definition = framework.indicator(indicator);
            let Some(base) = parse_base(&sheet.text(row, base_column), definition.kind) else {
                let label = definition.printed_label();
                imported.problems.push(Problem::at(name, row, base_column, &label, ProblemKind::OldTemplate));
                continue;
            };
            let found = sheet.cell(row, column);
            // A copy without a value of its own is shown, not asked: its formula (or an empty
            // cell) is no figure; a constant typed over it is refused, naming where it belongs.
            if let (Some(primary), None) = (definition.same_as, extra)
                && base.value.is_missing()
            {
                let typed =
                    found.filter(|c| !c.formula && !matches!(&c.value, CellValue::Text(t) if t.trim().is_empty()));
                if typed.is_some() {
                    let primary = framework.indicator(primary);
                    let primary_table = &framework.tables[primary.table];
                    imported.problems.push(Problem::at(
                        name,
                        row,
                        column,
                        &definition.printed_label(),
                        ProblemKind::CopyTyped {
                            primary: format!(
                                "{} {}",
                                primary_table.number.clone().unwrap_or_default(),
                                primary.printed_label()
                            ),
                        },
                    ));
                }
                continue;
            }
            let cell = (sheet_name, found);
            if let Some(cell) = read_cell(imported, cell, (row, column), framework, (org, year, indicator), Some(base))
            {
                read.push(imported, cell, framework);
            }
        }
    }
    // Rows of the table that the sheet lost.
    if imported.problems.len() == problem_count {
        for row in view.rows.iter().filter(|r| !rows_found.contains_key(&r.indicator_id)) {
            imported.problems.push(Problem::sheet(name, ProblemKind::MissingRow { label: row.label.clone() }));
        }
    }
}

/// The header a multi-school workbook prints above an indicator's column.
fn multi_header(framework: &Framework, index: IndicatorIndex) -> String {
    let indicator = framework.indicator(index);
    format!("{}（{}）", indicator.printed_label(), indicator.printed_unit())
}

/// The first row (of the first 10) holding both `org` and `year`: the id row of a multi-school sheet.
fn multi_id_row(sheet: &Sheet) -> Option<u32> {
    sheet.used_rows().into_iter().take(10).find(|&r| {
        let texts: Vec<String> = sheet.row(r).iter().map(|c| sheet.text(c.row, c.column)).collect();
        texts.iter().any(|t| t == "org") && texts.iter().any(|t| t == "year")
    })
}

/// Longest text put in one cell of the base sheet (Excel holds at most 32,767 characters).
const BASE_CHUNK: usize = 30_000;

/// `%`, `;` and `|` escaped, so that entries can be joined with `;` and split again.
fn escape_entry(text: &str) -> String {
    text.replace('%', "%25").replace(';', "%3B").replace('|', "%7C")
}

fn unescape_entry(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('%') {
        text.replace("%7C", "|").replace("%3B", ";").replace("%25", "%").into()
    } else {
        text.into()
    }
}

/// Writes `entries` joined with `;` into one row, over as many cells from column B as needed.
fn write_chunked(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, entries: &[String]) -> Result<(), XlsxError> {
    let joined = entries.join(";");
    let chars: Vec<char> = joined.chars().collect();
    for (i, chunk) in chars.chunks(BASE_CHUNK).enumerate() {
        sheet.write_string(row, 1 + i as u16, chunk.iter().collect::<String>())?;
    }
    Ok(())
}

/// One row of the base sheet: its cells from column B, in order, joined (entries split by `;`).
fn read_chunked(sheet: &Sheet, row: u32) -> String {
    let mut joined = String::new();
    for cell in sheet.row(row).iter().filter(|c| c.column > 0) {
        if let CellValue::Text(text) = &cell.value {
            joined.push_str(text);
        }
    }
    joined
}

/// What a multi-school workbook was made with, per school: the joined entries of its row of the
/// base sheet, and where each indicator's entry (`version|value`, escaped) lies in it. Entries
/// are parsed when their cell is read: most cells equal their base, and then the cell's own
/// number is the only one parsed.
#[derive(Debug)]
struct SchoolBase {
    joined: String,
    /// Per indicator, the byte range of its entry (`None`: no entry, or already taken).
    entries: Vec<Option<(u32, u32)>>,
}

impl SchoolBase {
    /// Takes the entry of `indicator` (a second row of the school gets none).
    fn take(&mut self, indicator: IndicatorIndex) -> Option<&str> {
        let (start, end) = self.entries.get_mut(indicator.0)?.take()?;
        self.joined.get(start as usize..end as usize)
    }
}

type SchoolBases = HashMap<usize, SchoolBase>;

/// The hidden base sheet does not read back whole.
#[derive(Debug)]
struct Tampered;

/// The bases of a multi-school workbook, from its hidden base sheet: per school, per indicator.
/// Row 1 lists the indicator ids; each school's row gives `version|value` for each (empty:
/// nothing was stored). A sheet that does not read back whole is refused: without it, an old
/// copy could revert newer values.
fn multi_bases(
    spreadsheet: &Spreadsheet,
    framework: &Framework,
    dataset: &Dataset,
) -> Result<Option<SchoolBases>, Tampered> {
    let Some(sheet) = spreadsheet.sheet(MULTI_BASE_SHEET) else { return Ok(None) };
    let tampered = || Tampered;
    if sheet.text(0, 0) != "org" {
        return Err(tampered());
    }
    let header = read_chunked(sheet, 0);
    let ids: Vec<Option<IndicatorIndex>> = header.split(';').map(|id| framework.lookup(&unescape_entry(id))).collect();
    let mut bases = SchoolBases::new();
    for row in sheet.used_rows().into_iter().filter(|&r| r > 0) {
        let org = dataset.org_index(&sheet.text(row, 0)).ok_or_else(tampered)?;
        let joined = read_chunked(sheet, row);
        if u32::try_from(joined.len()).is_err() {
            return Err(tampered());
        }
        let mut entries = vec![None; framework.indicators.len()];
        let mut count = 0;
        let mut start = 0usize;
        for (entry, id) in joined.split(';').zip(ids.iter().chain(std::iter::repeat(&None))) {
            count += 1;
            let range = (start as u32, (start + entry.len()) as u32);
            start += entry.len() + 1;
            let Some(indicator) = *id else { continue };
            if !entry.is_empty() {
                // The version is checked now; the value when its cell is read.
                let (version, _) = split_entry(entry).ok_or_else(tampered)?;
                version.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(tampered)?;
                entries[indicator.0] = Some(range);
            }
        }
        if count != ids.len() {
            return Err(tampered());
        }
        bases.insert(org, SchoolBase { joined, entries });
    }
    Ok(Some(bases))
}

/// An escaped base entry split into its version and its (still escaped) value.
fn split_entry(entry: &str) -> Option<(&str, &str)> {
    entry.split_once("%7C").or_else(|| entry.split_once('|'))
}

/// A cell holding, as a plain number, exactly the text of its base entry: the value is read once
/// and is its own base. `None` for anything else (read the long way).
fn unchanged_number(
    entry: &str,
    cell: &workbook::Cell,
    framework: &Framework,
    indicator: IndicatorIndex,
) -> Option<(Value, Base)> {
    let (version, text) = split_entry(entry)?;
    let CellValue::Number(number) = &cell.value else { return None };
    if cell.formula || cell.format != NumberFormat::General || number != text || text.contains('%') {
        return None;
    }
    let definition = framework.indicator(indicator);
    if !definition.kind.is_numeric() {
        return None;
    }
    let value = Value::Number(workbook::spreadsheet_number(number)?);
    bounds::check(definition, &value).ok()?;
    let version = version.parse().ok()?;
    let base = Base { version, value: value.clone() };
    Some((value, base))
}

/// Reads every sheet that carries the id row of a multi-school workbook; `None` when none does.
fn import_multi_school(
    spreadsheet: &Spreadsheet,
    framework: &Framework,
    dataset: &Dataset,
    expected: &Expected,
) -> Option<Imported> {
    let mut imported = Imported::new(WorkbookKind::MultiSchool);
    let mut bases = match multi_bases(spreadsheet, framework, dataset) {
        Ok(bases) => bases,
        Err(Tampered) => {
            imported.problems.push(Problem::sheet(MULTI_BASE_SHEET, ProblemKind::OldTemplate));
            return Some(imported);
        }
    };
    let mut read = ReadCells::default();
    let mut rows_seen: std::collections::HashSet<(usize, i32)> = std::collections::HashSet::new();
    let mut any = false;
    for sheet in spreadsheet.sheets.iter().filter(|s| s.name != MULTI_BASE_SHEET) {
        let Some(id_row) = multi_id_row(sheet) else {
            if !sheet.cells.is_empty() {
                imported.notes.push(Problem::sheet(&sheet.name, ProblemKind::ForeignSheet));
            }
            continue;
        };
        any = true;
        let name = &sheet.name;
        let sheet_name: &Arc<str> = &Arc::from(name.as_str());
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
        for merge in sheet.merges.iter().filter(|m| m.last_row > id_row) {
            imported.problems.push(merge_problem(name, merge, id_row + 1));
        }
        columns.sort_unstable();
        let mut is_known = vec![false; known.iter().max().map_or(0, |&c| c as usize + 1)];
        for &column in &known {
            is_known[column as usize] = true;
        }
        for row in sheet.used_rows().into_iter().filter(|&r| r > id_row) {
            if imported.too_many_problems() {
                return Some(imported);
            }
            let cells = sheet.row(row);
            for cell in cells.iter().filter(|c| !is_known.get(c.column as usize).copied().unwrap_or(false)) {
                imported.problems.push(Problem::at(name, row, cell.column, "", ProblemKind::ForeignColumn));
            }
            let org_id = sheet.text(row, org_column);
            if org_id.is_empty() {
                if columns.iter().any(|&(c, _)| sheet.cell(row, c).is_some()) {
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
            let unit_name = dataset.orgs[org].name.clone();
            let refusal = if dataset.orgs[org].level != OrgLevel::School {
                Some(ProblemKind::NotASchool { id: org_id.clone(), name: unit_name.clone() })
            } else if let Some(only) = expected.org.filter(|&only| only != org) {
                Some(ProblemKind::OutsideScope { id: org_id.clone(), scope: dataset.orgs[only].name.clone() })
            } else {
                expected
                    .within
                    .filter(|&w| !nianbao_core::dataset::is_within(&dataset.orgs, org, w))
                    .map(|w| ProblemKind::OutsideScope { id: org_id.clone(), scope: dataset.orgs[w].name.clone() })
            };
            if let Some(kind) = refusal {
                imported.problems.push(Problem::at(name, row, org_column, &unit_name, kind));
                continue;
            }
            let year_text = sheet.text(row, year_column);
            let year = workbook::spreadsheet_number(&year_text)
                .filter(|n| n.fract().is_zero())
                .and_then(|n| i32::try_from(n.mantissa() / 10i128.pow(n.scale())).ok())
                .filter(|y| bounds::YEARS.contains(y));
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
                let kind = ProblemKind::WrongYear { template: year, expected: wanted };
                imported.problems.push(Problem::at(name, row, year_column, "年度", kind));
                continue;
            }
            if !rows_seen.insert((org, year)) {
                // A second row or sheet for this school-year: compare every cell with the first.
                read.check_from_now_on(&imported);
            }
            // The row's cells and the indicator columns, both in column order, walked together.
            let mut of_school = bases.as_mut().map(|b| b.get_mut(&org));
            let mut next = cells.iter().peekable();
            for &(column, indicator) in &columns {
                while next.next_if(|c| c.column < column).is_some() {}
                let cell = next.next_if(|c| c.column == column);
                let at = (row, column);
                // With the workbook's bases, an emptied cell is a clearing and an untouched one no
                // change. (A second row of the school takes no base: it is compared, not written.)
                let entry = of_school.as_mut().map(|school| school.as_mut().and_then(|b| b.take(indicator)));
                // The common case: a plain number typed as it was made. One parse serves both.
                if let (Some(Some(entry)), Some(cell)) = (entry, cell)
                    && let Some(unchanged) = unchanged_number(entry, cell, framework, indicator)
                {
                    let (value, base) = unchanged;
                    let place = Place::cell(sheet_name, at.0, at.1);
                    let cell = ImportedCell { org, year, indicator, value, base: Some(base), place };
                    read.push(&mut imported, cell, framework);
                    continue;
                }
                let base = match entry {
                    None => None,
                    Some(None) => Some(Base { version: 0, value: Value::Missing }),
                    Some(Some(entry)) => {
                        let kind = framework.indicator(indicator).kind;
                        match parse_base(&unescape_entry(entry), kind) {
                            Some(base) => Some(base),
                            None => {
                                imported.problems.push(Problem::sheet(MULTI_BASE_SHEET, ProblemKind::OldTemplate));
                                return Some(imported);
                            }
                        }
                    }
                };
                if let Some(cell) =
                    read_cell(&mut imported, (sheet_name, cell), at, framework, (org, year, indicator), base)
                {
                    read.push(&mut imported, cell, framework);
                }
            }
        }
    }
    any.then_some(imported)
}

/// A workbook with one row per school and one column per indicator entered (copies only where a
/// school holds its own value), for county and city offices.
/// Row 1 holds the printed labels, row 2 the indicator ids (hidden), then one row per school. A
/// hidden sheet holds, one row per school, the version and value of every cell as made (`version` gives the stored
/// version of a school's value), so that an import writes only what was changed, each change a
/// compare-and-set, and an old copy reverts nothing.
pub fn write_multi_school(
    framework: &Framework,
    dataset: &Dataset,
    schools: &[usize],
    year: i32,
    version: &dyn Fn(usize, IndicatorIndex) -> Option<i64>,
) -> Result<Vec<u8>, ExcelError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDE6F2").set_text_wrap();
    let plain = Format::new();
    let sheet = workbook.add_worksheet().set_name(MULTI_SHEET)?;
    // One quantity, asked once: a copy (`same_as`) gets a column only where a school holds a
    // value of its own for it (to be corrected or cleared).
    let indicators: Vec<IndicatorIndex> = (0..framework.indicators.len())
        .map(IndicatorIndex)
        .filter(|&index| {
            framework.indicator(index).is_entered()
                || schools.iter().any(|&school| version(school, index).is_some_and(|v| v > 0))
        })
        .collect();
    sheet.write_string_with_format(0, 0, "学校代码", &header)?;
    sheet.write_string_with_format(0, 1, "学校名称", &header)?;
    sheet.write_string_with_format(0, 2, "年度", &header)?;
    sheet.write_string(1, 0, "org")?;
    sheet.write_string(1, 1, "name")?;
    sheet.write_string(1, 2, "year")?;
    for (position, &index) in indicators.iter().enumerate() {
        let column = 3 + position as u16;
        sheet.write_string_with_format(0, column, multi_header(framework, index), &header)?;
        sheet.write_string(1, column, &framework.indicator(index).id)?;
    }
    sheet.set_row_hidden(1)?;
    for (r, &school) in schools.iter().enumerate() {
        let row = 2 + r as u32;
        sheet.write_string(row, 0, &dataset.orgs[school].id)?;
        sheet.write_string(row, 1, &dataset.orgs[school].name)?;
        sheet.write_number(row, 2, f64::from(year))?;
        for &index in &indicators {
            let value = dataset.get(school, year, index);
            if !value.is_missing() {
                write_input(sheet, row, 3 + index.0 as u16, value, &plain)?;
            }
        }
    }
    let bases = workbook.add_worksheet().set_name(MULTI_BASE_SHEET)?;
    bases.write_string(0, 0, "org")?;
    let ids: Vec<String> = indicators.iter().map(|&i| escape_entry(&framework.indicator(i).id)).collect();
    write_chunked(bases, 0, &ids)?;
    for (r, &school) in schools.iter().enumerate() {
        let row = 1 + r as u32;
        bases.write_string(row, 0, &dataset.orgs[school].id)?;
        let entries: Vec<String> = indicators
            .iter()
            .map(|&index| match dataset.get(school, year, index) {
                Value::Missing => String::new(),
                value => escape_entry(&base_text(version(school, index).unwrap_or(0), value)),
            })
            .collect();
        write_chunked(bases, row, &entries)?;
    }
    bases.set_hidden(true);
    bases.protect();
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
                let bordered = Format::new().set_border(FormatBorder::Thin);
                // A count (调查人次) is a number, a method (调查方式) text.
                match nianbao_core::value::parse_plain_decimal(&cell.text) {
                    Some(number) if workbook::round_significant(number, 15) == number => sheet
                        .write_number_with_format(
                            r,
                            column,
                            number.to_string().parse::<f64>().unwrap_or(0.0),
                            &bordered.set_num_format("0"),
                        )?,
                    _ => sheet.write_string_with_format(r, column, &cell.text, &bordered)?,
                };
            }
        }
        // The title and header stay in view, and so do the labels.
        sheet.set_freeze_panes(2, 1)?;
        sheet.set_column_width(0, f64::from(width.min(70)))?;
        sheet.set_column_width(1, 8)?;
        for c in 2..headers.len() as u16 {
            sheet.set_column_width(c, 14)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A cell of a plain list written by [`write_list`]: text, or a whole number Excel can add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListCell {
    Text(String),
    Count(i64),
}

/// A work list as a workbook (the review list's export): one sheet, a bold header row that stays
/// in view, the first column frozen, counts as numbers, every text written as text (a leading
/// `=` is never a formula).
pub fn write_list(sheet_name: &str, header: &[String], rows: &[Vec<ListCell>]) -> Result<Vec<u8>, ExcelError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDE6F2").set_border(FormatBorder::Thin);
    let sheet = workbook.add_worksheet().set_name(sheet_name)?;
    let mut widths: Vec<u32> = header.iter().map(|h| display_width(h) + 2).collect();
    for (c, text) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, text, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                ListCell::Text(text) => {
                    sheet.write_string(r, c as u16, text)?;
                    if let Some(width) = widths.get_mut(c) {
                        *width = (*width).max(display_width(text) + 2);
                    }
                }
                // Exact in a double: counts of schools and figures stay far below 2^53.
                ListCell::Count(count) => {
                    sheet.write_number(r, c as u16, *count as f64)?;
                }
            };
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, f64::from((*width).min(60)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_rows_longer_than_a_cell_read_back_whole() {
        let entries: Vec<String> = (0..9_000).map(|i| escape_entry(&format!("{i}|问卷;座谈|{i}%"))).collect();
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("b").expect("sheet");
        write_chunked(sheet, 0, &entries).expect("write");
        let bytes = workbook.save_to_buffer().expect("save");
        let read = workbook::read_spreadsheet(&bytes, &Limits::default()).expect("read");
        let joined = read_chunked(&read.sheets[0], 0);
        let back: Vec<String> = joined.split(';').map(|e| unescape_entry(e).into_owned()).collect();
        assert!(read.sheets[0].row(0).len() > 2, "spread over several cells");
        assert_eq!(back.len(), entries.len());
        assert_eq!(back[7], "7|问卷;座谈|7%");
    }
}
