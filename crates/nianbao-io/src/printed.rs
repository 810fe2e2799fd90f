//! Reading a published report (PDF, DOCX, plain text as extracted from a PDF, Markdown) into
//! printed lines with their page, and table rows split into cells — the input of an audit.
//!
//! - Text and Markdown are read as they are: a form feed starts a page, a tab or a Markdown pipe
//!   separates the cells of a table row.
//! - DOCX is read from `word/document.xml` (zip + quick-xml, bounded): paragraphs in order, and
//!   each `w:tbl` row as cells. A DOCX has no pages until a word processor lays it out.
//! - PDF is laid out text: Poppler's `pdftotext -layout` (Debian `poppler-utils`) gives each
//!   page's lines with columns kept apart by runs of spaces, which become cells. The cost of the
//!   choice: an external program must be installed, and a table cell holding two words separated
//!   by a wide gap splits in two (the audit matches rows by label and unit, so such a row is
//!   reported as unknown rather than guessed).

use quick_xml::events::Event;
use std::io::Read;
use std::path::Path;

/// What a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Docx,
    Text,
    Markdown,
}

impl DocumentKind {
    /// By the file's name; `None` for a type the audit cannot read.
    pub fn of_path(path: &Path) -> Option<DocumentKind> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "pdf" => DocumentKind::Pdf,
            "docx" => DocumentKind::Docx,
            "txt" | "text" => DocumentKind::Text,
            "md" | "markdown" => DocumentKind::Markdown,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "PDF",
            DocumentKind::Docx => "DOCX",
            DocumentKind::Text => "text",
            DocumentKind::Markdown => "Markdown",
        }
    }
}

/// One printed line: its text, its page (when the document has pages), its line number in the
/// extracted text, and its cells when it is a row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLine {
    pub page: Option<u32>,
    /// 1-based, in the text as extracted (for a DOCX: paragraphs and table rows counted in order).
    pub line: usize,
    pub text: String,
    /// Two or more cells: a table row. Empty otherwise.
    pub cells: Vec<String>,
    /// For laid-out text (PDF): where each cell (or, for a line that is no row, its text) starts
    /// and ends on the line, in characters, so that a row with a blank cell can be aligned with
    /// its header and a cell wrapped onto the next line joined to its column. Empty otherwise.
    pub spans: Vec<(usize, usize)>,
}

/// A document as printed lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedDocument {
    pub name: String,
    pub kind: DocumentKind,
    pub lines: Vec<PrintedLine>,
}

/// Why a document cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintedReadError {
    /// The file cannot be read (detail from the operating system).
    Io {
        detail: String,
    },
    UnknownType,
    TooLarge {
        bytes: u64,
        max: u64,
    },
    NotUtf8,
    /// `pdftotext` is not installed.
    PdfToolMissing,
    /// `pdftotext` could not read the PDF (its own message).
    PdfUnreadable {
        detail: String,
    },
    /// Not a DOCX package, or its document part is damaged.
    DocxUnreadable {
        detail: String,
    },
}

impl PrintedReadError {
    pub fn message_zh(&self) -> String {
        match self {
            PrintedReadError::Io { .. } => "文件无法读取，请确认路径和权限".into(),
            PrintedReadError::UnknownType => "只能审查 .pdf、.docx、.txt 或 .md 文件".into(),
            PrintedReadError::TooLarge { bytes, max } => {
                format!("文件有 {} MB，超过 {} MB 的上限", bytes >> 20, max >> 20)
            }
            PrintedReadError::NotUtf8 => "文本文件不是 UTF-8 编码，请另存为 UTF-8 后再审查".into(),
            PrintedReadError::PdfToolMissing => {
                "读取 PDF 需要 Poppler 的 pdftotext（Debian：apt-get install poppler-utils）".into()
            }
            PrintedReadError::PdfUnreadable { .. } => "PDF 文件已损坏或加密，无法提取文字".into(),
            PrintedReadError::DocxUnreadable { .. } => "不是有效的 DOCX 文件，或其正文部分已损坏".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PrintedReadError::Io { detail } => format!("cannot read the file: {detail}"),
            PrintedReadError::UnknownType => "only .pdf, .docx, .txt and .md files can be audited".into(),
            PrintedReadError::TooLarge { bytes, max } => {
                format!("the file has {} MB, more than the limit of {} MB", bytes >> 20, max >> 20)
            }
            PrintedReadError::NotUtf8 => "the text file is not UTF-8; save it as UTF-8 and audit it again".into(),
            PrintedReadError::PdfToolMissing => {
                "reading a PDF needs Poppler's pdftotext (Debian: apt-get install poppler-utils)".into()
            }
            PrintedReadError::PdfUnreadable { detail } => format!("pdftotext cannot read the PDF: {detail}"),
            PrintedReadError::DocxUnreadable { detail } => format!("not a readable DOCX: {detail}"),
        }
    }
}

/// The largest document read (a long report with photos is well under it).
pub const MAX_DOCUMENT_BYTES: u64 = 200 << 20;
/// The most text taken from a document part or an extraction.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// Reads a document from a file, by its extension.
pub fn read_printed_file(path: &Path) -> Result<PrintedDocument, PrintedReadError> {
    let kind = DocumentKind::of_path(path).ok_or(PrintedReadError::UnknownType)?;
    let metadata = std::fs::metadata(path).map_err(|e| PrintedReadError::Io { detail: e.to_string() })?;
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(PrintedReadError::TooLarge { bytes: metadata.len(), max: MAX_DOCUMENT_BYTES });
    }
    let bytes = std::fs::read(path).map_err(|e| PrintedReadError::Io { detail: e.to_string() })?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    read_printed(&name, kind, &bytes)
}

/// Reads a document from its bytes.
pub fn read_printed(name: &str, kind: DocumentKind, bytes: &[u8]) -> Result<PrintedDocument, PrintedReadError> {
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(PrintedReadError::TooLarge { bytes: bytes.len() as u64, max: MAX_DOCUMENT_BYTES });
    }
    let lines = match kind {
        DocumentKind::Text => {
            let text = std::str::from_utf8(bytes).map_err(|_| PrintedReadError::NotUtf8)?;
            text_lines(text.trim_start_matches('\u{feff}'), false)
        }
        DocumentKind::Markdown => {
            let text = std::str::from_utf8(bytes).map_err(|_| PrintedReadError::NotUtf8)?;
            text_lines(text.trim_start_matches('\u{feff}'), true)
        }
        DocumentKind::Pdf => layout_lines(&pdf_text(bytes)?),
        DocumentKind::Docx => docx_lines(bytes)?,
    };
    Ok(PrintedDocument { name: name.to_string(), kind, lines })
}

/// Lines of extracted text: a form feed starts a new page (pages are counted only when the text
/// has form feeds); cells are split at tabs, or at Markdown pipes.
fn text_lines(text: &str, markdown: bool) -> Vec<PrintedLine> {
    let paged = text.contains('\u{c}');
    let mut page = 1;
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let mut raw = raw;
        while let Some(rest) = raw.strip_prefix('\u{c}') {
            page += 1;
            raw = rest;
        }
        let mut text = raw.trim_end().to_string();
        let mut cells = Vec::new();
        if markdown {
            let trimmed = text.trim();
            if trimmed.starts_with('|') {
                // A separator row (|---|:--:|) is no row.
                if trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                    continue;
                }
                cells = trimmed.trim_matches('|').split('|').map(|c| unmark(c.trim())).collect();
            } else {
                // A heading's attribute ({#anchor}, {-}) is not printed.
                let mut line = trimmed.trim_start_matches('#').trim();
                if line.ends_with('}')
                    && let Some(open) = line.rfind(" {")
                {
                    line = line[..open].trim_end();
                }
                text = unmark(line);
            }
        } else if text.contains('\t') {
            cells = text.split('\t').map(|c| c.trim().to_string()).collect();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
        }
        if cells.len() < 2 {
            cells.clear();
        }
        if !cells.is_empty() {
            text = cells.join(" ");
        }
        out.push(PrintedLine {
            page: paged.then_some(page),
            line: index + 1,
            text: text.trim().to_string(),
            cells,
            spans: Vec::new(),
        });
    }
    out
}

/// Markdown emphasis, escapes and links reduced to their text.
fn unmark(text: &str) -> String {
    // An image is not text (its caption follows it as a line of its own).
    if text.starts_with("![") {
        return String::new();
    }
    let mut out = text.replace("**", "").replace("\\|", "|").replace('\\', "");
    if out.len() > 2 && out.starts_with(['*', '_']) && out.ends_with(['*', '_']) {
        out = out[1..out.len() - 1].to_string();
    }
    // [text](#anchor) → text
    while let (Some(open), Some(middle)) = (out.find('['), out.find("](")) {
        let Some(close) = out[middle..].find(')').map(|c| middle + c) else { break };
        if open > middle {
            break;
        }
        let inner = out[open + 1..middle].to_string();
        out.replace_range(open..=close, &inner);
    }
    out.trim().to_string()
}

/// Runs `pdftotext -layout` on the bytes (through a temporary file).
fn pdf_text(bytes: &[u8]) -> Result<String, PrintedReadError> {
    let folder = std::env::temp_dir().join(format!("nianbao-audit-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&folder).map_err(|e| PrintedReadError::Io { detail: e.to_string() })?;
    let input = folder.join("in.pdf");
    let result = (|| {
        std::fs::write(&input, bytes).map_err(|e| PrintedReadError::Io { detail: e.to_string() })?;
        let output = std::process::Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8", "-eol", "unix"])
            .arg(&input)
            .arg("-")
            .output()
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => PrintedReadError::PdfToolMissing,
                _ => PrintedReadError::Io { detail: error.to_string() },
            })?;
        if !output.status.success() {
            let detail = String::from_utf8_lossy(&output.stderr).chars().take(300).collect();
            return Err(PrintedReadError::PdfUnreadable { detail });
        }
        if output.stdout.len() as u64 > MAX_TEXT_BYTES {
            return Err(PrintedReadError::TooLarge { bytes: output.stdout.len() as u64, max: MAX_TEXT_BYTES });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    })();
    let _ = std::fs::remove_dir_all(&folder);
    result
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Lines of `pdftotext -layout`: pages at form feeds; a line whose text falls into columns kept
/// apart by two or more spaces is a row of cells.
fn layout_lines(text: &str) -> Vec<PrintedLine> {
    let mut out = Vec::new();
    let mut page = 1;
    for (index, raw) in text.split('\n').enumerate() {
        let mut raw = raw;
        while let Some(rest) = raw.strip_prefix('\u{c}') {
            page += 1;
            raw = rest;
        }
        let columns = split_columns(raw.trim_end());
        let row = columns.len() >= 2;
        let text = if row {
            columns.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(" ")
        } else {
            raw.trim().to_string()
        };
        out.push(PrintedLine {
            page: Some(page),
            line: index + 1,
            text,
            cells: if row { columns.iter().map(|c| c.0.clone()).collect() } else { Vec::new() },
            spans: match (row, columns.first(), columns.last()) {
                (true, _, _) => columns.iter().map(|c| (c.1, c.2)).collect(),
                (false, Some(first), Some(last)) => vec![(first.1, last.2)],
                _ => Vec::new(),
            },
        });
    }
    out
}

/// Splits a laid-out line at runs of two or more spaces (or a full-width space), with where each
/// part starts and ends (in characters).
fn split_columns(line: &str) -> Vec<(String, usize, usize)> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut end = 0;
    let mut spaces = 0;
    for (position, c) in line.chars().enumerate() {
        if c == ' ' || c == '\u{3000}' {
            spaces += if c == ' ' { 1 } else { 2 };
            continue;
        }
        if spaces >= 2 && !current.is_empty() {
            cells.push((std::mem::take(&mut current), start, end));
        } else if spaces == 1 && !current.is_empty() {
            current.push(' ');
        }
        if current.is_empty() {
            start = position;
        }
        spaces = 0;
        current.push(c);
        end = position + 1;
    }
    if !current.is_empty() {
        cells.push((current, start, end));
    }
    cells
}

/// Paragraphs and table rows of a DOCX's `word/document.xml`, in order.
fn docx_lines(bytes: &[u8]) -> Result<Vec<PrintedLine>, PrintedReadError> {
    let damaged = |detail: String| PrintedReadError::DocxUnreadable { detail };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    let part = archive.by_name("word/document.xml").map_err(|e| damaged(e.to_string()))?;
    let mut xml = Vec::new();
    part.take(MAX_TEXT_BYTES + 1).read_to_end(&mut xml).map_err(|e| damaged(e.to_string()))?;
    if xml.len() as u64 > MAX_TEXT_BYTES {
        return Err(PrintedReadError::TooLarge { bytes: xml.len() as u64, max: MAX_TEXT_BYTES });
    }
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buffer = Vec::new();
    let mut lines = Vec::new();
    // The current row's cells (a nested table's rows are read as rows too), the current cell's
    // text and the current paragraph's text.
    // The current row's cells, each as its paragraphs.
    let mut row: Option<Vec<Vec<String>>> = None;
    let mut cell: Option<Vec<String>> = None;
    let mut paragraph = String::new();
    let mut in_text = false;
    let mut in_instruction = false;
    let push_line = |lines: &mut Vec<PrintedLine>, text: String, cells: Vec<String>| {
        let number = lines.len() + 1;
        lines.push(PrintedLine { page: None, line: number, text, cells, spans: Vec::new() });
    };
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(|e| damaged(e.to_string()))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "tr" => row = Some(Vec::new()),
                "tc" => cell = Some(Vec::new()),
                "p" => paragraph.clear(),
                "t" => in_text = true,
                "instrText" => in_instruction = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => paragraph.push('\t'),
                "br" | "cr" => paragraph.push(' '),
                _ => {}
            },
            Event::Text(text) if in_text && !in_instruction => paragraph.push_str(&text.xml10_content()),
            Event::GeneralRef(reference) if in_text && !in_instruction => {
                let name: String = reference.as_ref().to_string();
                if let Some(resolved) = quick_xml::escape::resolve_xml_entity(&name) {
                    paragraph.push_str(resolved);
                } else if let Ok(Some(c)) = reference.resolve_char_ref() {
                    paragraph.push(c);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "instrText" => in_instruction = false,
                "p" => {
                    let text = std::mem::take(&mut paragraph);
                    match cell.as_mut() {
                        Some(cell) => {
                            if !text.trim().is_empty() {
                                cell.push(text.replace('\t', " ").trim().to_string());
                            }
                        }
                        // A tab inside a paragraph is a catalogue's leader, not a table.
                        None => push_line(&mut lines, text.replace('\t', " ").trim().to_string(), Vec::new()),
                    }
                }
                "tc" => {
                    if let (Some(row), Some(text)) = (row.as_mut(), cell.take()) {
                        row.push(text);
                    }
                }
                "tr" => match row.take() {
                    // A one-cell table is a box around text (a case study): its paragraphs are lines.
                    Some(cells) if cells.len() == 1 => {
                        for paragraph in cells.into_iter().flatten() {
                            push_line(&mut lines, paragraph, Vec::new());
                        }
                    }
                    Some(cells) => {
                        let cells: Vec<String> = cells.iter().map(|paragraphs| paragraphs.join(" ")).collect();
                        push_line(&mut lines, cells.join(" "), cells);
                    }
                    None => {}
                },
                // The end of a table is a blank line, as in extracted text.
                "tbl" => push_line(&mut lines, String::new(), Vec::new()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laid_out_lines_split_at_wide_gaps() {
        let texts = |line: &str| split_columns(line).into_iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(texts("毕业生人数   人   34147    39481"), ["毕业生人数", "人", "34147", "39481"]);
        assert_eq!(texts("  1.1 规模和结构"), ["1.1 规模和结构"]);
        assert!(texts("").is_empty());
        assert_eq!(split_columns("  ab  cd e")[1], ("cd e".to_string(), 6, 10));
    }

    #[test]
    fn text_pages_and_cells() {
        let lines = text_lines("目录\n表 1\t3\n\u{c}正文\n指标\t单位\t2024 年\n", false);
        assert_eq!(lines[0].page, Some(1));
        assert_eq!(lines[1].cells, ["表 1", "3"]);
        assert_eq!(lines[2].page, Some(2));
        assert_eq!(lines[2].text, "正文");
        let markdown = text_lines("## 1. 基本情况\n| 指标 | 单位 |\n|---|---|\n| **毕业生** | 人 |\n", true);
        assert_eq!(markdown[0].text, "1. 基本情况");
        assert_eq!(markdown[2].cells, ["毕业生", "人"]);
        assert_eq!(markdown[0].page, None);
    }
}
