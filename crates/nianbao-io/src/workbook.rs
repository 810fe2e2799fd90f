//! Reading spreadsheets sparsely and within bounds: every non-empty cell of an .xlsx or .ods with
//! its cached value, whether it holds a formula, and what its number format means (percentage,
//! date, text). No grid is ever built, so a cell at XFD1048576 costs one cell; repeats, shared
//! strings and inflated parts are counted against limits before they are kept.

use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::str::FromStr;

/// The most a cell's text may take: Excel's 32,767 characters, at four bytes each.
pub const MAX_CELL_BYTES: usize = 32_767 * 4;

/// Limits that keep a hostile file from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Size of the file as uploaded.
    pub max_file_bytes: u64,
    /// Bytes inflated from the archive, all parts together.
    pub max_unpacked_bytes: u64,
    /// Non-empty cells kept over the whole workbook (after repeats).
    pub max_cells: usize,
    /// Highest row and column a cell may sit in (one-based counts).
    pub max_rows: u32,
    pub max_columns: u32,
    /// Sheets in the workbook.
    pub max_sheets: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 100 << 20,
            max_unpacked_bytes: 512 << 20,
            max_cells: 4_000_000,
            max_rows: 1_048_576,
            max_columns: 16_384,
            max_sheets: 200,
        }
    }
}

/// Why a workbook could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is {size} bytes; the limit is {limit}")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("the workbook unpacks to more than {limit} bytes")]
    UnpackedTooLarge { limit: u64 },
    #[error("the workbook holds more than {limit} filled cells")]
    TooManyCells { limit: usize },
    #[error("sheet {sheet}: cell {cell} lies beyond {max_rows} rows × {max_columns} columns")]
    CellOutOfRange { sheet: String, cell: String, max_rows: u32, max_columns: u32 },
    #[error("the workbook has more than {limit} sheets")]
    TooManySheets { limit: usize },
    #[error("legacy binary .xls workbooks are not read; save it as .xlsx")]
    LegacyXls,
    #[error("not a spreadsheet (.xlsx or .ods)")]
    NotASpreadsheet,
    #[error("the workbook is damaged: {part}: {detail}")]
    Damaged { part: String, detail: String },
}

/// What a cell holds, as the spreadsheet stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// A number, exact as written in the file (Excel writes doubles with up to 17 digits).
    Number(String),
    Text(String),
    Bool(bool),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A formula whose result the saving program did not store.
    FormulaWithoutResult,
}

/// What a cell's number format says about its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    General,
    /// `0%`, `0.00%`…: the cell displays 100 × its number.
    Percent,
    Date,
    /// `@`: text.
    Text,
}

/// One non-empty cell; `row` and `column` are zero-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub row: u32,
    pub column: u32,
    pub value: CellValue,
    pub formula: bool,
    pub format: NumberFormat,
}

/// A merged range, zero-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_column: u32,
    pub last_row: u32,
    pub last_column: u32,
}

impl Merge {
    pub fn contains(&self, row: u32, column: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row) && (self.first_column..=self.last_column).contains(&column)
    }
}

/// One sheet: its cells sorted by row then column.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub cells: Vec<Cell>,
    pub merges: Vec<Merge>,
    pub hidden_rows: Vec<u32>,
}

impl Sheet {
    /// The cell at a position, when it holds something.
    pub fn cell(&self, row: u32, column: u32) -> Option<&Cell> {
        self.cells.binary_search_by(|c| (c.row, c.column).cmp(&(row, column))).ok().map(|i| &self.cells[i])
    }

    /// The cells of one row.
    pub fn row(&self, row: u32) -> &[Cell] {
        let start = self.cells.partition_point(|c| c.row < row);
        let end = self.cells.partition_point(|c| c.row <= row);
        &self.cells[start..end]
    }

    /// Rows that hold at least one cell, in order.
    pub fn used_rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.cells.iter().map(|c| c.row).collect();
        rows.dedup();
        rows
    }

    /// The text of a cell (numbers as written), trimmed; empty when there is nothing.
    pub fn text(&self, row: u32, column: u32) -> String {
        match self.cell(row, column).map(|c| &c.value) {
            Some(CellValue::Text(text)) => text.trim().to_string(),
            Some(CellValue::Number(number)) => number.clone(),
            _ => String::new(),
        }
    }

    /// The merged range a cell belongs to, if any.
    pub fn merge_at(&self, row: u32, column: u32) -> Option<&Merge> {
        self.merges.iter().find(|m| m.contains(row, column))
    }
}

/// The file format a workbook was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpreadsheetFormat {
    Xlsx,
    Ods,
}

/// A whole workbook, read sparsely.
#[derive(Debug, Clone)]
pub struct Spreadsheet {
    pub format: SpreadsheetFormat,
    pub sheets: Vec<Sheet>,
}

impl Spreadsheet {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// `A1` of a zero-based position.
pub fn cell_name(row: u32, column: u32) -> String {
    let mut name = String::new();
    let mut column = column as u64;
    loop {
        name.insert(0, (b'A' + (column % 26) as u8) as char);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    format!("{name}{}", row as u64 + 1)
}

/// Parses `B3` into a zero-based (row, column); `None` when it is not a cell reference.
pub fn parse_cell_name(text: &str) -> Option<(u32, u32)> {
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut column: u32 = 0;
    for b in letters.bytes() {
        column = column * 26 + u32::from(b - b'A' + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, column - 1))
}

/// A number as written in a spreadsheet file, to a decimal at Excel's precision: 15 significant
/// digits (so a formula's 1.2400000000000002 is 1.24, as Excel displays it).
pub fn spreadsheet_number(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let parsed = if text.contains(['e', 'E']) {
        // Decimal's scientific parser takes exponents within its range only.
        let (mantissa, exponent) = text.split_once(['e', 'E'])?;
        let exponent: i32 = exponent.trim_start_matches('+').parse().ok()?;
        if !(-40..=28).contains(&exponent) {
            return if exponent < -40 && Decimal::from_str(mantissa).is_ok() { Some(Decimal::ZERO) } else { None };
        }
        Decimal::from_scientific(&format!("{mantissa}e{exponent}")).ok()?
    } else {
        Decimal::from_str(text).ok()?
    };
    Some(round_significant(parsed, 15).normalize())
}

/// Rounds to `digits` significant digits (half away from zero, as Excel displays).
pub fn round_significant(number: Decimal, digits: u32) -> Decimal {
    if number.is_zero() {
        return number;
    }
    let mantissa = number.mantissa().unsigned_abs();
    let total_digits = if mantissa == 0 { 1 } else { mantissa.ilog10() + 1 };
    if total_digits <= digits {
        return number;
    }
    let scale = number.scale();
    let integer_digits = total_digits as i64 - i64::from(scale);
    let keep = i64::from(digits) - integer_digits;
    if keep >= 0 {
        number.round_dp_with_strategy(keep as u32, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    } else {
        // More than `digits` integer digits: keep the leading ones.
        let factor = Decimal::from_i128_with_scale(10i128.pow((-keep) as u32), 0);
        match number.checked_div(factor) {
            Some(shifted) => shifted
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .checked_mul(factor)
                .unwrap_or(number),
            None => number,
        }
    }
}

/// Reads a workbook from its bytes: .xlsx (and .xlsm) or .ods, told apart by content.
pub fn read_spreadsheet(bytes: &[u8], limits: &ReadLimits) -> Result<Spreadsheet, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge { size: bytes.len() as u64, limit: limits.max_file_bytes });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::LegacyXls);
    }
    if !bytes.starts_with(b"PK") {
        return Err(ReadError::NotASpreadsheet);
    }
    let mut archive = Archive::open(bytes, limits)?;
    if archive.has("content.xml") && archive.has("META-INF/manifest.xml") || archive.mimetype_is_ods() {
        return read_ods(&mut archive, limits);
    }
    if archive.has("xl/workbook.xml") {
        return read_xlsx(&mut archive, limits);
    }
    Err(ReadError::NotASpreadsheet)
}

/// The zip archive, with one budget of inflated bytes shared by every part read.
struct Archive<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    budget: u64,
    limit: u64,
}

fn damaged(part: &str, detail: impl ToString) -> ReadError {
    ReadError::Damaged { part: part.to_string(), detail: detail.to_string() }
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8], limits: &ReadLimits) -> Result<Archive<'a>, ReadError> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| ReadError::NotASpreadsheet)?;
        Ok(Archive { zip, budget: limits.max_unpacked_bytes, limit: limits.max_unpacked_bytes })
    }

    fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    fn mimetype_is_ods(&mut self) -> bool {
        self.read_small("mimetype")
            .map(|m| m.starts_with(b"application/vnd.oasis.opendocument.spreadsheet"))
            .unwrap_or(false)
    }

    /// A whole (small) part as bytes, counted against the budget.
    fn read_small(&mut self, name: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let budget = self.budget;
        let entry = self.zip.by_name(name).ok()?;
        let read = entry.take(budget.saturating_add(1)).read_to_end(&mut out).ok()? as u64;
        if read > budget {
            return None;
        }
        self.budget -= read;
        Some(out)
    }

    /// Streams one part through `parse`, refusing when the inflated bytes pass the budget.
    fn stream<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&mut quick_xml::Reader<BufReader<&mut dyn Read>>) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let budget = self.budget;
        let limit = self.limit;
        let entry = self.zip.by_name(name).map_err(|e| damaged(name, e))?;
        let mut counted =
            Counted { inner: entry.take(budget.saturating_add(1)), read: 0, since_open: 0, overlong: false };
        let result = {
            let reader: &mut dyn Read = &mut counted;
            let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 << 10, reader));
            xml.config_mut().trim_text(false);
            parse(&mut xml)
        };
        if counted.read > budget {
            return Err(ReadError::UnpackedTooLarge { limit });
        }
        if counted.overlong {
            return Err(ReadError::Damaged {
                part: name.to_string(),
                detail: format!("more than {} MB of text without markup", MAX_TOKEN_BYTES >> 20),
            });
        }
        self.budget -= counted.read;
        result
    }
}

/// The longest run of a part without a `<`: no tag and no text between tags may be longer, so
/// the parser's buffer stays small whatever the file (a cell holds at most [`MAX_CELL_BYTES`]).
const MAX_TOKEN_BYTES: u64 = 1 << 20;

/// Counts the bytes inflated from a part, and the bytes since the last `<`.
struct Counted<R> {
    inner: R,
    read: u64,
    since_open: u64,
    overlong: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let chunk = &buf[..n];
        self.since_open = match chunk.iter().rposition(|&b| b == b'<') {
            Some(position) => (n - position - 1) as u64,
            None => self.since_open + n as u64,
        };
        if self.since_open > MAX_TOKEN_BYTES {
            self.overlong = true;
            return Err(std::io::Error::other("a run of text without markup is too long"));
        }
        Ok(n)
    }
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// Appends text or an entity reference to `out`, refusing an unknown entity.
fn push_text(event: &Event<'_>, out: &mut String, part: &str) -> Result<(), ReadError> {
    match event {
        Event::Text(text) => out.push_str(&text.xml10_content()),
        Event::CData(data) => out.push_str(data.as_ref()),
        Event::GeneralRef(reference) => {
            let name: String = reference.as_ref().to_string();
            if let Some(resolved) = quick_xml::escape::resolve_xml_entity(&name) {
                out.push_str(resolved);
            } else if let Ok(Some(c)) = reference.resolve_char_ref() {
                out.push(c);
            } else {
                return Err(damaged(part, format!("unknown entity &{name};")));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Counts cells kept and checks positions, over the whole workbook.
struct CellBudget {
    left: usize,
    limit: usize,
    max_rows: u32,
    max_columns: u32,
}

impl CellBudget {
    fn new(limits: &ReadLimits) -> CellBudget {
        CellBudget {
            left: limits.max_cells,
            limit: limits.max_cells,
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
        }
    }
    fn take(&mut self, count: u64) -> Result<(), ReadError> {
        if count > self.left as u64 {
            return Err(ReadError::TooManyCells { limit: self.limit });
        }
        self.left -= count as usize;
        Ok(())
    }
    fn check(&self, sheet: &str, row: u64, column: u64) -> Result<(u32, u32), ReadError> {
        if row >= u64::from(self.max_rows) || column >= u64::from(self.max_columns) {
            return Err(ReadError::CellOutOfRange {
                sheet: sheet.to_string(),
                cell: cell_name(row.min(u64::from(u32::MAX)) as u32, column.min(u64::from(u32::MAX)) as u32),
                max_rows: self.max_rows,
                max_columns: self.max_columns,
            });
        }
        Ok((row as u32, column as u32))
    }
}

// ----- xlsx -----

/// Built-in number formats that display a percentage or a date.
fn builtin_format(id: u32) -> NumberFormat {
    match id {
        9 | 10 => NumberFormat::Percent,
        14..=22 | 27..=36 | 45..=47 | 50..=58 => NumberFormat::Date,
        49 => NumberFormat::Text,
        _ => NumberFormat::General,
    }
}

/// What a custom format code displays: a `%` outside quotes and escapes makes it a percentage.
fn format_code_meaning(code: &str) -> NumberFormat {
    let section = code.split(';').next().unwrap_or("");
    let mut in_quotes = false;
    let mut escaped = false;
    let mut in_brackets = false;
    let mut date = false;
    for c in section.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quotes = !in_quotes,
            '[' if !in_quotes => in_brackets = true,
            ']' if !in_quotes => in_brackets = false,
            '%' if !in_quotes && !in_brackets => return NumberFormat::Percent,
            'y' | 'Y' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' if !in_quotes && !in_brackets => date = true,
            '@' if !in_quotes => return NumberFormat::Text,
            _ => {}
        }
    }
    if date { NumberFormat::Date } else { NumberFormat::General }
}

fn read_styles(archive: &mut Archive<'_>, path: &str) -> Result<Vec<NumberFormat>, ReadError> {
    if !archive.has(path) {
        return Ok(Vec::new());
    }
    archive.stream(path, |xml| {
        let mut custom: HashMap<u32, NumberFormat> = HashMap::new();
        let mut formats = Vec::new();
        let mut in_cell_xfs = false;
        let mut buf = Vec::new();
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "numFmt" => {
                        if let (Some(Ok(id)), Some(code)) =
                            (attribute(e, "numFmtId").map(|i| i.parse::<u32>()), attribute(e, "formatCode"))
                        {
                            custom.insert(id, format_code_meaning(&code));
                        }
                    }
                    "cellXfs" => in_cell_xfs = matches!(event, Event::Start(_)),
                    "xf" if in_cell_xfs => {
                        let id: u32 = attribute(e, "numFmtId").and_then(|i| i.parse().ok()).unwrap_or(0);
                        formats.push(custom.get(&id).copied().unwrap_or_else(|| builtin_format(id)));
                        if formats.len() > 1_000_000 {
                            return Err(damaged(path, "too many cell formats"));
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(formats)
    })
}

fn read_shared_strings(archive: &mut Archive<'_>, path: &str) -> Result<Vec<String>, ReadError> {
    if !archive.has(path) {
        return Ok(Vec::new());
    }
    archive.stream(path, |xml| {
        let mut strings = Vec::new();
        let mut current = String::new();
        let mut in_t = false;
        let mut skip_depth = 0usize; // inside <rPh> (phonetic guides) text is not the cell's
        let mut buf = Vec::new();
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            match &event {
                Event::Start(e) => match e.local_name().as_ref() {
                    "si" => current.clear(),
                    "t" => in_t = true,
                    "rPh" => skip_depth += 1,
                    _ => {}
                },
                Event::Empty(e) if e.local_name().as_ref() == "si" => strings.push(String::new()),
                Event::End(e) => match e.local_name().as_ref() {
                    "si" => strings.push(std::mem::take(&mut current)),
                    "t" => in_t = false,
                    "rPh" => skip_depth = skip_depth.saturating_sub(1),
                    _ => {}
                },
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if in_t && skip_depth == 0 => {
                    push_text(&event, &mut current, path)?
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(strings)
    })
}

/// Resolves a relationship target against the folder of the part that names it.
fn resolve_target(base_folder: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = base_folder.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn read_xlsx(archive: &mut Archive<'_>, limits: &ReadLimits) -> Result<Spreadsheet, ReadError> {
    // The sheets in order, with their visibility and relationship ids.
    let mut declared: Vec<(String, bool, String)> = Vec::new();
    archive.stream("xl/workbook.xml", |xml| {
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf).map_err(|e| damaged("xl/workbook.xml", e))? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                    let name = attribute(&e, "name").unwrap_or_default();
                    let hidden = attribute(&e, "state").is_some_and(|s| s != "visible");
                    let id = attribute(&e, "r:id")
                        .or_else(|| {
                            e.attributes()
                                .flatten()
                                .find(|a| a.key.local_name().as_ref() == "id")
                                .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default();
                    declared.push((name, hidden, id));
                    if declared.len() > limits.max_sheets {
                        return Err(ReadError::TooManySheets { limit: limits.max_sheets });
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(())
    })?;
    let mut targets: HashMap<String, (String, String)> = HashMap::new();
    if archive.has("xl/_rels/workbook.xml.rels") {
        archive.stream("xl/_rels/workbook.xml.rels", |xml| {
            let mut buf = Vec::new();
            loop {
                match xml.read_event_into(&mut buf).map_err(|e| damaged("xl/_rels/workbook.xml.rels", e))? {
                    Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                        let id = attribute(&e, "Id").unwrap_or_default();
                        let target = resolve_target("xl", &attribute(&e, "Target").unwrap_or_default());
                        let kind = attribute(&e, "Type").unwrap_or_default();
                        targets.insert(id, (target, kind));
                        if targets.len() > 10_000 {
                            return Err(damaged("xl/_rels/workbook.xml.rels", "too many relationships"));
                        }
                    }
                    Event::Eof => break,
                    _ => {}
                }
                buf.clear();
            }
            Ok(())
        })?;
    }
    let part_of = |suffix: &str, default: &str| -> String {
        targets.values().find(|(_, kind)| kind.ends_with(suffix)).map(|(t, _)| t.clone()).unwrap_or(default.to_string())
    };
    let styles_path = part_of("/styles", "xl/styles.xml");
    let strings_path = part_of("/sharedStrings", "xl/sharedStrings.xml");
    let formats = read_styles(archive, &styles_path)?;
    let strings = read_shared_strings(archive, &strings_path)?;
    let mut budget = CellBudget::new(limits);
    let mut sheets = Vec::with_capacity(declared.len());
    for (position, (name, hidden, id)) in declared.into_iter().enumerate() {
        let path = match targets.get(&id) {
            Some((target, _)) => target.clone(),
            None => format!("xl/worksheets/sheet{}.xml", position + 1),
        };
        if !archive.has(&path) {
            // Chart sheets and dialog sheets have no cells to read.
            sheets.push(Sheet { name, hidden, ..Sheet::default() });
            continue;
        }
        let sheet = read_xlsx_sheet(archive, &path, name, hidden, &formats, &strings, &mut budget)?;
        sheets.push(sheet);
    }
    Ok(Spreadsheet { format: SpreadsheetFormat::Xlsx, sheets })
}

fn parse_range(text: &str) -> Option<Merge> {
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    let (first_row, first_column) = parse_cell_name(first)?;
    let (last_row, last_column) = parse_cell_name(last)?;
    Some(Merge {
        first_row: first_row.min(last_row),
        first_column: first_column.min(last_column),
        last_row: first_row.max(last_row),
        last_column: first_column.max(last_column),
    })
}

/// The `t` attribute of an xlsx cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    Inline,
    Str,
    Bool,
    Error,
    Date,
}

impl CellType {
    fn of(text: &str) -> CellType {
        match text {
            "s" => CellType::Shared,
            "inlineStr" => CellType::Inline,
            "str" => CellType::Str,
            "b" => CellType::Bool,
            "e" => CellType::Error,
            "d" => CellType::Date,
            _ => CellType::Number,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_xlsx_sheet(
    archive: &mut Archive<'_>,
    path: &str,
    name: String,
    hidden: bool,
    formats: &[NumberFormat],
    strings: &[String],
    budget: &mut CellBudget,
) -> Result<Sheet, ReadError> {
    archive.stream(path, |xml| {
        let mut sheet = Sheet { name, hidden, ..Sheet::default() };
        let mut buf = Vec::new();
        let mut row: u64 = 0;
        let mut next_row: u64 = 0;
        let mut next_column: u64 = 0;
        // The cell being read.
        let mut in_cell = false;
        let mut cell_position = (0u32, 0u32);
        let mut cell_type = CellType::Number;
        let mut cell_style = 0usize;
        let mut has_formula = false;
        let mut value_text = String::new();
        let mut inline_text = String::new();
        let mut in_v = false;
        let mut in_inline_t = false;
        let mut has_value = false;
        let mut sorted = true;
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.local_name().as_ref() {
                        "row" => {
                            row = match attribute(e, "r").and_then(|r| r.parse::<u64>().ok()) {
                                Some(r) if r >= 1 => r - 1,
                                _ => next_row,
                            };
                            next_row = row + 1;
                            next_column = 0;
                            if attribute(e, "hidden").is_some_and(|h| h == "1" || h == "true") {
                                let (r, _) = budget.check(&sheet.name, row, 0)?;
                                sheet.hidden_rows.push(r);
                            }
                        }
                        "c" => {
                            // The hot path: one pass over the raw attributes (r, t and s never
                            // hold escapes), no allocation.
                            let mut reference = None;
                            cell_type = CellType::Number;
                            cell_style = 0;
                            for attribute in e.attributes().with_checks(false).flatten() {
                                match attribute.key.as_ref() {
                                    "r" => reference = parse_cell_name(&attribute.value),
                                    "t" => cell_type = CellType::of(&attribute.value),
                                    "s" => cell_style = attribute.value.parse().unwrap_or(0),
                                    _ => {}
                                }
                            }
                            let (r, c) = match reference {
                                Some((r, c)) => (u64::from(r), u64::from(c)),
                                None => (row, next_column),
                            };
                            cell_position = budget.check(&sheet.name, r, c)?;
                            next_column = c + 1;
                            has_formula = false;
                            has_value = false;
                            value_text.clear();
                            inline_text.clear();
                            in_cell = !empty;
                        }
                        "f" if in_cell => has_formula = true,
                        "v" if in_cell => {
                            in_v = !empty;
                            has_value = true;
                        }
                        "t" if in_cell && cell_type == CellType::Inline => {
                            in_inline_t = !empty;
                            has_value = true;
                        }
                        "mergeCell" => {
                            if let Some(merge) = attribute(e, "ref").as_deref().and_then(parse_range) {
                                budget.take(1)?;
                                sheet.merges.push(merge);
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "v" => in_v = false,
                    "t" => in_inline_t = false,
                    "c" if in_cell => {
                        in_cell = false;
                        let mut format = formats.get(cell_style).copied().unwrap_or(NumberFormat::General);
                        let value = match cell_type {
                            _ if has_formula && (!has_value || value_text.is_empty() && cell_type != CellType::Str) => {
                                Some(CellValue::FormulaWithoutResult)
                            }
                            CellType::Shared => {
                                let index: usize = value_text.trim().parse().map_err(|_| {
                                    damaged(
                                        path,
                                        format!(
                                            "{}: bad shared string index",
                                            cell_name(cell_position.0, cell_position.1)
                                        ),
                                    )
                                })?;
                                let text = strings.get(index).ok_or_else(|| {
                                    damaged(
                                        path,
                                        format!(
                                            "{}: shared string {index} missing",
                                            cell_name(cell_position.0, cell_position.1)
                                        ),
                                    )
                                })?;
                                Some(CellValue::Text(text.clone()))
                            }
                            CellType::Inline => Some(CellValue::Text(std::mem::take(&mut inline_text))),
                            CellType::Str => Some(CellValue::Text(std::mem::take(&mut value_text))),
                            CellType::Bool => Some(CellValue::Bool(value_text.trim() == "1")),
                            CellType::Error => Some(CellValue::Error(std::mem::take(&mut value_text))),
                            CellType::Date => {
                                format = NumberFormat::Date;
                                Some(CellValue::Text(std::mem::take(&mut value_text)))
                            }
                            _ if !has_value || value_text.trim().is_empty() => None,
                            CellType::Number => Some(CellValue::Number(value_text.trim().to_string())),
                        };
                        if let Some(value) = value {
                            if matches!(&value, CellValue::Text(t) if t.is_empty()) && !has_formula {
                                // An empty string is an empty cell.
                            } else {
                                budget.take(1)?;
                                if sheet.cells.last().is_some_and(|last| (last.row, last.column) >= cell_position) {
                                    sorted = false;
                                }
                                sheet.cells.push(Cell {
                                    row: cell_position.0,
                                    column: cell_position.1,
                                    value,
                                    formula: has_formula,
                                    format,
                                });
                            }
                        }
                    }
                    _ => {}
                },
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    if in_v {
                        push_text(&event, &mut value_text, path)?;
                        if value_text.len() > MAX_CELL_BYTES {
                            return Err(damaged(path, "a cell value is too long"));
                        }
                    } else if in_inline_t {
                        push_text(&event, &mut inline_text, path)?;
                        if inline_text.len() > MAX_CELL_BYTES {
                            return Err(damaged(path, "a cell value is too long"));
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !sorted {
            sheet.cells.sort_by_key(|c| (c.row, c.column));
            // A position written twice keeps its last cell, as spreadsheet programs do.
            let mut deduplicated: Vec<Cell> = Vec::with_capacity(sheet.cells.len());
            for cell in sheet.cells.drain(..) {
                match deduplicated.last_mut() {
                    Some(last) if (last.row, last.column) == (cell.row, cell.column) => *last = cell,
                    _ => deduplicated.push(cell),
                }
            }
            sheet.cells = deduplicated;
        }
        Ok(sheet)
    })
}

// ----- ods -----

/// An .ods cell being read: what its start tag said, and its text so far.
#[derive(Debug)]
struct OdsCell {
    repeat: u64,
    value: Option<CellValue>,
    value_type: String,
    text: String,
    formula: bool,
    format: NumberFormat,
    span: (u64, u64),
}

impl OdsCell {
    fn start(e: &BytesStart<'_>) -> OdsCell {
        let number = |name| attribute(e, name).and_then(|r| r.parse::<u64>().ok());
        let value_type =
            attribute(e, "office:value-type").or_else(|| attribute(e, "calcext:value-type")).unwrap_or_default();
        let formula = attribute(e, "table:formula").is_some();
        let mut format = NumberFormat::General;
        let value = match value_type.as_str() {
            "float" | "currency" => attribute(e, "office:value").map(CellValue::Number),
            "percentage" => {
                format = NumberFormat::Percent;
                attribute(e, "office:value").map(CellValue::Number)
            }
            "boolean" => attribute(e, "office:boolean-value").map(|b| CellValue::Bool(b == "true")),
            "date" | "time" => {
                format = NumberFormat::Date;
                Some(CellValue::Text(
                    attribute(e, "office:date-value").or_else(|| attribute(e, "office:time-value")).unwrap_or_default(),
                ))
            }
            "string" => attribute(e, "office:string-value").map(CellValue::Text),
            _ if formula => Some(CellValue::FormulaWithoutResult),
            _ => None,
        };
        OdsCell {
            repeat: number("table:number-columns-repeated").unwrap_or(1).max(1),
            value,
            value_type,
            text: String::new(),
            formula,
            format,
            span: (
                number("table:number-rows-spanned").unwrap_or(1).max(1),
                number("table:number-columns-spanned").unwrap_or(1).max(1),
            ),
        }
    }

    /// Adds the cell (repeated as declared) to the row being read, and its merge to the sheet.
    fn finish(
        self,
        budget: &mut CellBudget,
        sheet: &mut Sheet,
        row_cells: &mut Vec<Cell>,
        row: u64,
        column: &mut u64,
    ) -> Result<(), ReadError> {
        let value = match self.value {
            // A string cell's text is in its paragraphs unless given as an attribute.
            Some(CellValue::Text(t)) if t.is_empty() && self.value_type == "string" => {
                (!self.text.is_empty()).then_some(CellValue::Text(self.text))
            }
            Some(value) => Some(value),
            None if (self.value_type.is_empty() || self.value_type == "string") && !self.text.is_empty() => {
                Some(CellValue::Text(self.text))
            }
            None => None,
        };
        if self.span.0 > 1 || self.span.1 > 1 {
            let (r, c) = budget.check(&sheet.name, row, *column)?;
            let last = budget.check(&sheet.name, row + self.span.0 - 1, *column + self.span.1 - 1)?;
            budget.take(1)?;
            sheet.merges.push(Merge { first_row: r, first_column: c, last_row: last.0, last_column: last.1 });
        }
        if let Some(value) = value {
            budget.take(self.repeat)?;
            for offset in 0..self.repeat {
                let (_, c) = budget.check(&sheet.name, row, *column + offset)?;
                row_cells.push(Cell {
                    row: 0,
                    column: c,
                    value: value.clone(),
                    formula: self.formula,
                    format: self.format,
                });
            }
        }
        *column = column.saturating_add(self.repeat);
        Ok(())
    }
}

fn read_ods(archive: &mut Archive<'_>, limits: &ReadLimits) -> Result<Spreadsheet, ReadError> {
    let part = "content.xml";
    let mut budget = CellBudget::new(limits);
    archive.stream(part, |xml| {
        let mut sheets: Vec<Sheet> = Vec::new();
        let mut hidden_styles: Vec<String> = Vec::new();
        let mut style_name = String::new();
        let mut buf = Vec::new();
        let mut row: u64 = 0;
        let mut column: u64 = 0;
        let mut row_repeat: u64 = 1;
        let mut row_cells: Vec<Cell> = Vec::new();
        let mut row_hidden = false;
        let mut cell: Option<OdsCell> = None;
        let mut paragraphs = 0usize;
        let mut in_paragraph = 0usize;
        loop {
            let event = xml.read_event_into(&mut buf).map_err(|e| damaged(part, e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.local_name().as_ref() {
                        "style" => style_name = attribute(e, "style:name").unwrap_or_default(),
                        "table-properties" if attribute(e, "table:display").as_deref() == Some("false") => {
                            hidden_styles.push(style_name.clone());
                        }
                        "table" => {
                            let name = attribute(e, "table:name").unwrap_or_default();
                            let style = attribute(e, "table:style-name").unwrap_or_default();
                            sheets.push(Sheet { name, hidden: hidden_styles.contains(&style), ..Sheet::default() });
                            if sheets.len() > limits.max_sheets {
                                return Err(ReadError::TooManySheets { limit: limits.max_sheets });
                            }
                            row = 0;
                        }
                        "table-row" => {
                            row_repeat = attribute(e, "table:number-rows-repeated")
                                .and_then(|r| r.parse::<u64>().ok())
                                .unwrap_or(1)
                                .max(1);
                            row_hidden = attribute(e, "table:visibility").is_some_and(|v| v != "visible");
                            column = 0;
                            row_cells.clear();
                            if empty {
                                row = row.saturating_add(row_repeat);
                            }
                        }
                        "table-cell" | "covered-table-cell" => {
                            let started = OdsCell::start(e);
                            paragraphs = 0;
                            match sheets.last_mut() {
                                Some(sheet) if empty => {
                                    started.finish(&mut budget, sheet, &mut row_cells, row, &mut column)?
                                }
                                _ => cell = Some(started),
                            }
                        }
                        "p" if cell.is_some() => {
                            if let Some(cell) = cell.as_mut().filter(|_| paragraphs > 0) {
                                cell.text.push('\n');
                            }
                            paragraphs += 1;
                            if !empty {
                                in_paragraph += 1;
                            }
                        }
                        "s" | "tab" | "line-break" if in_paragraph > 0 => {
                            if let Some(cell) = cell.as_mut() {
                                let count: usize = match e.local_name().as_ref() {
                                    "s" => attribute(e, "text:c").and_then(|c| c.parse().ok()).unwrap_or(1),
                                    _ => 1,
                                };
                                if cell.text.len().saturating_add(count) > MAX_CELL_BYTES {
                                    return Err(damaged(part, "a cell value is too long"));
                                }
                                let c = match e.local_name().as_ref() {
                                    "s" => ' ',
                                    "tab" => '\t',
                                    _ => '\n',
                                };
                                cell.text.extend(std::iter::repeat_n(c, count));
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "p" => in_paragraph = in_paragraph.saturating_sub(1),
                    "table-cell" | "covered-table-cell" => {
                        if let (Some(finished), Some(sheet)) = (cell.take(), sheets.last_mut()) {
                            finished.finish(&mut budget, sheet, &mut row_cells, row, &mut column)?;
                        }
                    }
                    "table-row" => {
                        let Some(sheet) = sheets.last_mut() else { continue };
                        if !row_cells.is_empty() {
                            budget.take((row_cells.len() as u64).saturating_mul(row_repeat.saturating_sub(1)))?;
                            for repeat in 0..row_repeat {
                                let r = budget.check(&sheet.name, row + repeat, 0)?.0;
                                for cell in &row_cells {
                                    sheet.cells.push(Cell { row: r, ..cell.clone() });
                                }
                                if row_hidden {
                                    sheet.hidden_rows.push(r);
                                }
                            }
                        }
                        row = row.saturating_add(row_repeat);
                        row_cells.clear();
                    }
                    _ => {}
                },
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if in_paragraph > 0 => {
                    if let Some(cell) = cell.as_mut() {
                        push_text(&event, &mut cell.text, part)?;
                        if cell.text.len() > MAX_CELL_BYTES {
                            return Err(damaged(part, "a cell value is too long"));
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        for sheet in &mut sheets {
            sheet.cells.sort_by_key(|c| (c.row, c.column));
        }
        Ok(Spreadsheet { format: SpreadsheetFormat::Ods, sheets })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_at_excels_precision() {
        let cases = [
            ("1.2400000000000002", "1.24"),
            ("0.1", "0.1"),
            ("92.539999999999992", "92.54"),
            ("3418", "3418"),
            ("1E-3", "0.001"),
            ("1.5E+3", "1500"),
            ("123456789012345678", "123456789012346000"),
            ("-0.30000000000000004", "-0.3"),
        ];
        for (text, expected) in cases {
            assert_eq!(spreadsheet_number(text), Decimal::from_str(expected).ok(), "{text}");
        }
        assert_eq!(spreadsheet_number("1E+300"), None);
        assert_eq!(spreadsheet_number("abc"), None);
    }

    #[test]
    fn format_codes_say_what_they_display() {
        assert_eq!(format_code_meaning("0.00%"), NumberFormat::Percent);
        assert_eq!(format_code_meaning("0.0\"%\""), NumberFormat::General);
        assert_eq!(format_code_meaning("0.0\\%"), NumberFormat::General);
        assert_eq!(format_code_meaning("yyyy-mm-dd"), NumberFormat::Date);
        assert_eq!(format_code_meaning("[Red]0.00"), NumberFormat::General);
        assert_eq!(format_code_meaning("#,##0.00"), NumberFormat::General);
        assert_eq!(format_code_meaning("@"), NumberFormat::Text);
    }

    #[test]
    fn cell_names_round_trip() {
        for (name, position) in [("A1", (0, 0)), ("D5", (4, 3)), ("AA10", (9, 26)), ("XFD1048576", (1_048_575, 16_383))]
        {
            assert_eq!(parse_cell_name(name), Some(position));
            assert_eq!(cell_name(position.0, position.1), name);
        }
        assert_eq!(parse_cell_name("A0"), None);
        assert_eq!(parse_cell_name("a1"), None);
        assert_eq!(parse_cell_name("AAAA1"), None);
    }
}
