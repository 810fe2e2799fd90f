//! The structure of a printed report, read from its lines: the title, the catalogues (目录, 表目录,
//! 图目录, 案例目录) with their page numbers, headings, captions (表, 附表, 图, 案例), tables as rows of
//! cells, paragraphs, and the printed page number of each physical page.

use nianbao_io::printed::{PrintedDocument, PrintedLine};

/// Where something is in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The physical page (1-based), when the document has pages.
    pub page: Option<u32>,
    /// The line in the extracted text.
    pub line: usize,
}

/// The four catalogues a report prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CatalogueKind {
    Contents,
    Tables,
    Figures,
    Cases,
}

impl CatalogueKind {
    pub fn title_zh(self) -> &'static str {
        match self {
            CatalogueKind::Contents => "目录",
            CatalogueKind::Tables => "表目录",
            CatalogueKind::Figures => "图目录",
            CatalogueKind::Cases => "案例目录",
        }
    }
    pub fn title_en(self) -> &'static str {
        match self {
            CatalogueKind::Contents => "contents",
            CatalogueKind::Tables => "list of tables",
            CatalogueKind::Figures => "list of figures",
            CatalogueKind::Cases => "list of cases",
        }
    }
    fn of_heading(text: &str) -> Option<CatalogueKind> {
        Some(match compact(text).as_str() {
            "目录" | "目次" => CatalogueKind::Contents,
            "表目录" | "表格目录" => CatalogueKind::Tables,
            "图目录" | "插图目录" => CatalogueKind::Figures,
            "案例目录" => CatalogueKind::Cases,
            _ => return None,
        })
    }
}

/// What a caption numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaptionKind {
    Table,
    AppendixTable,
    Figure,
    Case,
}

impl CaptionKind {
    pub fn prefix(self) -> &'static str {
        match self {
            CaptionKind::Table => "表",
            CaptionKind::AppendixTable => "附表",
            CaptionKind::Figure => "图",
            CaptionKind::Case => "案例",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            CaptionKind::Table => "table",
            CaptionKind::AppendixTable => "appendix table",
            CaptionKind::Figure => "figure",
            CaptionKind::Case => "case",
        }
    }
    /// The catalogue that lists it.
    pub fn catalogue(self) -> CatalogueKind {
        match self {
            CaptionKind::Table | CaptionKind::AppendixTable => CatalogueKind::Tables,
            CaptionKind::Figure => CatalogueKind::Figures,
            CaptionKind::Case => CatalogueKind::Cases,
        }
    }
}

/// One entry of a catalogue as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub catalogue: CatalogueKind,
    /// The entry's text without leaders and page number (“案例 4 : 培养新时代的技能型劳动者”).
    pub text: String,
    /// For a caption entry: what and which number it names.
    pub caption: Option<(CaptionKind, u32)>,
    /// The title without its number.
    pub title: String,
    pub page: Option<u32>,
    pub place: Place,
}

/// A heading of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// “1”, “1.1”; `None` for 前言 and the like.
    pub number: Option<String>,
    pub title: String,
    pub place: Place,
}

/// A caption of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    pub kind: CaptionKind,
    pub number: u32,
    pub title: String,
    pub place: Place,
}

/// One printed row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedRow {
    pub cells: Vec<String>,
    /// Where each cell sits on the line (laid-out text only; empty otherwise).
    pub spans: Vec<(usize, usize)>,
    pub place: Place,
}

/// A table: its caption and its rows (header rows first, as printed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedTable {
    pub caption: Caption,
    pub rows: Vec<PrintedRow>,
}

/// A paragraph of narrative (lines joined), with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub place: Place,
}

/// The whole structure.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    pub title: String,
    pub catalogue: Vec<CatalogueEntry>,
    /// Which catalogues the document prints.
    pub catalogues_printed: Vec<CatalogueKind>,
    pub headings: Vec<Heading>,
    pub captions: Vec<Caption>,
    pub tables: Vec<PrintedTable>,
    pub paragraphs: Vec<Paragraph>,
    /// The number printed on each physical page (index 0 = page 1), where one is printed.
    pub page_numbers: Vec<Option<u32>>,
}

impl Structure {
    /// The printed page number of a physical page.
    pub fn printed_page(&self, physical: u32) -> Option<u32> {
        self.page_numbers.get(physical.checked_sub(1)? as usize).copied().flatten()
    }
}

/// Text without any whitespace, with the invisible characters PDF extraction leaves removed.
pub fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && !is_invisible(*c)).collect()
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{2060}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}')
}

/// A title as compared: no whitespace, full-width punctuation as half-width, no leaders.
pub fn normalised_title(text: &str) -> String {
    compact(text)
        .chars()
        .map(|c| match c {
            '：' => ':',
            '，' => ',',
            '（' => '(',
            '）' => ')',
            '；' => ';',
            '！' => '!',
            '？' => '?',
            '“' | '”' | '"' => '"',
            '‘' | '’' | '\'' => '\'',
            '—' | '–' => '-',
            other => other,
        })
        .collect()
}

fn clean(text: &str) -> String {
    text.chars().filter(|c| !is_invisible(*c)).collect::<String>().replace('\u{a0}', " ").trim().to_string()
}

/// A printed page number alone on a line: “7”, “— 7 —”, “- 7 -”, “第 7 页”.
fn footer_number(text: &str) -> Option<u32> {
    let inner = compact(text);
    let inner = inner.trim_matches(|c| matches!(c, '—' | '-' | '–'));
    let inner = inner.strip_prefix('第').and_then(|t| t.strip_suffix('页')).unwrap_or(inner);
    if inner.is_empty() || inner.len() > 3 || !inner.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok()
}

/// “表 1 : 在校生与招生人数” → (Table, 1, “在校生与招生人数”).
pub fn parse_caption(text: &str) -> Option<(CaptionKind, u32, String)> {
    let text = clean(text);
    let (kind, rest) = if let Some(rest) = text.strip_prefix("附表") {
        (CaptionKind::AppendixTable, rest)
    } else if let Some(rest) = text.strip_prefix("案例") {
        (CaptionKind::Case, rest)
    } else if let Some(rest) = text.strip_prefix('表') {
        (CaptionKind::Table, rest)
    } else if let Some(rest) = text.strip_prefix('图') {
        (CaptionKind::Figure, rest)
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    let after = rest[digits.len()..].trim_start();
    // “表 1。” or “表 1 所示” in a wrapped sentence is no caption.
    if after.starts_with(['。', '，', ',', '、', '）', ')', '所', '中', '的']) {
        return None;
    }
    let title = after.trim_start_matches([':', '：', '.', '．', ' ']).trim().to_string();
    if title.chars().count() > 60 || title.ends_with('。') {
        return None;
    }
    Some((kind, number, title))
}

/// A numbered heading: “1. 基本情况” (level 1), “1.1 规模和结构” (2), “1.1.1 …” (3); 前言 and the
/// like, unnumbered.
pub(crate) fn parse_heading(text: &str) -> Option<(u8, Option<String>, String)> {
    let text = clean(text);
    let compacted = compact(&text);
    if matches!(compacted.as_str(), "前言" | "附表" | "附录" | "结语" | "后记") {
        return Some((1, None, compacted));
    }
    let number: String = text.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let parts: Vec<&str> = number.trim_end_matches('.').split('.').collect();
    if number.is_empty() || parts.iter().any(|p| p.is_empty() || p.len() > 2) || parts.len() > 3 {
        return None;
    }
    // “1.” for a chapter; “1.1” without a trailing dot for a section.
    if parts.len() == 1 && !number.ends_with('.') {
        return None;
    }
    let first: u32 = parts[0].parse().ok()?;
    if first == 0 || first > 30 {
        return None;
    }
    let title = text[number.len()..].trim().to_string();
    let count = title.chars().count();
    if count == 0
        || count > 30
        || title.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '%' | '.' | '、'))
        || title.ends_with(['。', '；', '，', '：', ':'])
    {
        return None;
    }
    Some((parts.len() as u8, Some(parts.join(".")), title))
}

/// A catalogue line: its text and the page number at its end (“前 言..... 1”).
fn parse_entry(line: &PrintedLine) -> Option<(String, u32)> {
    // A page number printed as “— 7 —” in the catalogue too.
    let text = clean(&line.text);
    let text = text.trim_end_matches(['—', '-', '–', ' ']).to_string();
    let text = match text.rfind(['—', '–']) {
        Some(at) if text[at..].chars().skip(1).all(|c| c.is_ascii_digit() || c == ' ') => {
            format!("{} {}", &text[..at], text[at..].chars().skip(1).collect::<String>().trim())
        }
        _ => text,
    };
    let digits: String = text.chars().rev().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let page: u32 = digits.chars().rev().collect::<String>().parse().ok()?;
    let head = &text[..text.len() - digits.len()];
    let title =
        head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '·' | '…' | '．' | '_' | '-' | '⋯'));
    if title.is_empty() || title.chars().all(|c| c.is_ascii_digit() || c == '.' || c.is_whitespace()) {
        return None;
    }
    Some((title.trim().to_string(), page))
}

/// A catalogue entry from its text: what it names (a caption's kind and number, else a heading)
/// and its title without the number.
fn catalogue_entry(catalogue: CatalogueKind, text: String, page: Option<u32>, place: Place) -> CatalogueEntry {
    let (caption, title) = match parse_caption(&text) {
        Some((kind, number, title)) => (Some((kind, number)), title),
        None => (None, parse_heading(&text).map(|(_, _, title)| title).unwrap_or_else(|| compact(&text))),
    };
    CatalogueEntry { catalogue, text, caption, title, page, place }
}

/// Reads the structure of a document; `units` are the units a table may print (to tell a label
/// from the unit joined to it by a narrow gap in laid-out text).
pub fn read_structure(document: &PrintedDocument, units: &[&str]) -> Structure {
    let lines = &document.lines;
    let markdown = document.kind == nianbao_io::printed::DocumentKind::Markdown;
    let place = |line: &PrintedLine| Place { page: line.page, line: line.line };
    let mut structure = Structure::default();
    // Page numbers printed alone on a page's last line.
    let pages = lines.iter().filter_map(|l| l.page).max().unwrap_or(0);
    structure.page_numbers = vec![None; pages as usize];
    for page in 1..=pages {
        let last = lines.iter().rev().filter(|l| l.page == Some(page)).find(|l| !l.text.trim().is_empty());
        if let Some(last) = last
            && let Some(number) = footer_number(&last.text)
        {
            structure.page_numbers[page as usize - 1] = Some(number);
        }
    }
    let is_footer = |line: &PrintedLine| {
        line.page.is_some()
            && footer_number(&line.text).is_some()
            && lines.iter().rev().filter(|l| l.page == line.page).find(|l| !l.text.trim().is_empty()).map(|l| l.line)
                == Some(line.line)
    };
    // The title: the first lines up to the one with 报告 (a long title wraps), joined with a
    // following “（2024 年）” broken off it.
    let opening: Vec<&PrintedLine> = lines.iter().filter(|l| !clean(&l.text).is_empty()).take(6).collect();
    if let Some(end) = opening.iter().position(|l| clean(&l.text).contains("报告")) {
        let start = if end > 0 && !clean(&opening[end - 1].text).starts_with("样例") { end - 1 } else { end };
        let mut title: String = opening[start..=end].iter().map(|l| clean(&l.text)).collect();
        if let Some(next) = opening.get(end + 1).map(|l| clean(&l.text))
            && next.chars().count() <= 10
            && (next.starts_with('年') || title.ends_with(|c: char| c.is_ascii_digit() || c == '（' || c == '('))
        {
            title.push_str(&next);
        }
        structure.title = compact(&title);
    }
    // Catalogues: a heading line, then entries that end with a page number.
    let mut index = 0;
    let mut body_start = 0;
    while index < lines.len() {
        let Some(kind) = CatalogueKind::of_heading(&lines[index].text) else {
            index += 1;
            continue;
        };
        structure.catalogues_printed.push(kind);
        index += 1;
        let mut pending: Option<String> = None;
        while index < lines.len() {
            let line = &lines[index];
            if line.text.trim().is_empty() || is_footer(line) {
                index += 1;
                continue;
            }
            if CatalogueKind::of_heading(&line.text).is_some() {
                break;
            }
            // A Markdown catalogue is a list of links, without page numbers.
            if markdown {
                let Some(item) = clean(&line.text).strip_prefix("- ").map(str::to_string) else { break };
                structure.catalogue.push(catalogue_entry(kind, item, None, place(line)));
                index += 1;
                continue;
            }
            match parse_entry(line) {
                Some((mut text, page)) => {
                    if let Some(start) = pending.take() {
                        text = format!("{start}{text}");
                    }
                    structure.catalogue.push(catalogue_entry(kind, text, Some(page), place(line)));
                    index += 1;
                }
                // An entry wrapped over two lines: its first part has no page number.
                None if pending.is_none()
                    && lines.get(index + 1).is_some_and(|next| parse_entry(next).is_some())
                    && (parse_caption(&line.text).is_some() || parse_heading(&line.text).is_some()) =>
                {
                    pending = Some(clean(&line.text));
                    index += 1;
                }
                None => break,
            }
        }
        body_start = index;
    }
    // The body.
    let mut index = body_start;
    let mut paragraph: Option<Paragraph> = None;
    let flush = |paragraph: &mut Option<Paragraph>, structure: &mut Structure| {
        if let Some(p) = paragraph.take()
            && !p.text.is_empty()
        {
            structure.paragraphs.push(p);
        }
    };
    while index < lines.len() {
        let line = &lines[index];
        let text = clean(&line.text);
        if text.is_empty() || is_footer(line) {
            // A paragraph of extracted PDF text continues over a page break, not over a blank line.
            if text.is_empty() {
                flush(&mut paragraph, &mut structure);
            }
            index += 1;
            continue;
        }
        if line.cells.is_empty()
            && let Some((level, number, title)) = parse_heading(&text)
        {
            flush(&mut paragraph, &mut structure);
            structure.headings.push(Heading { level, number, title, place: place(line) });
            index += 1;
            continue;
        }
        if let Some((kind, number, mut title)) = parse_caption(&text) {
            flush(&mut paragraph, &mut structure);
            // “附表 1” with its title on the next line.
            if title.is_empty()
                && let Some(offset) = lines[index + 1..].iter().take(3).position(|l| !clean(&l.text).is_empty())
                && let Some(next) = lines.get(index + 1 + offset)
                && next.cells.is_empty()
                && clean(&next.text).chars().count() <= 40
                && parse_caption(&next.text).is_none()
                && parse_heading(&next.text).is_none()
            {
                title = clean(&next.text);
                index += 1 + offset;
            }
            let caption = Caption { kind, number, title, place: place(line) };
            index += 1;
            if matches!(kind, CaptionKind::Table | CaptionKind::AppendixTable) {
                let (rows, next) = read_rows(lines, index, &is_footer, units);
                index = next;
                structure.tables.push(PrintedTable { caption: caption.clone(), rows });
            }
            structure.captions.push(caption);
            continue;
        }
        if !line.cells.is_empty() {
            // A row outside any table (a chart's labels): not narrative.
            flush(&mut paragraph, &mut structure);
            index += 1;
            continue;
        }
        match paragraph.as_mut() {
            Some(p) => p.text.push_str(&text),
            None => paragraph = Some(Paragraph { text: text.clone(), place: place(line) }),
        }
        // A line ending a sentence ends the paragraph in extracted text.
        if text.ends_with('。') && line.page.is_none() {
            flush(&mut paragraph, &mut structure);
        }
        index += 1;
    }
    flush(&mut paragraph, &mut structure);
    structure
}

/// The rows of a table starting at `index`: rows of cells, over blank lines, page footers, 续表
/// captions and repeated header rows, with a label wrapped onto a line of its own joined to its
/// row. Returns the rows and the index after them.
fn read_rows(
    lines: &[PrintedLine],
    mut index: usize,
    is_footer: &dyn Fn(&PrintedLine) -> bool,
    units: &[&str],
) -> (Vec<PrintedRow>, usize) {
    let mut rows: Vec<PrintedRow> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    // The header's lines as printed (a header may wrap over several), to know it again when it is
    // repeated on the next page; recorded until the first row of figures.
    let mut header_lines: Vec<String> = Vec::new();
    let mut recording_header = false;
    let mut repeat_at = 0;
    while index < lines.len() {
        let line = &lines[index];
        let text = clean(&line.text);
        if text.is_empty() || is_footer(line) || compact(&text).starts_with("续表") {
            index += 1;
            continue;
        }
        // A row of figures ends a header that wraps over several lines; that header seen again
        // line by line (on a new page) is skipped.
        let key = compact(&text);
        let figures =
            line.cells.iter().any(|c| is_figure(c) || (c.chars().any(|ch| ch.is_ascii_digit()) && !looks_like_year(c)));
        if recording_header {
            if figures {
                recording_header = false;
            } else {
                header_lines.push(key.clone());
            }
        } else if header_lines.get(repeat_at) == Some(&key) {
            repeat_at += 1;
            index += 1;
            continue;
        } else {
            repeat_at = 0;
        }
        if line.cells.is_empty() {
            // A wrapped label: a short line between rows, with rows after it.
            // The next line with text (over a page's foot) is a row of the table.
            let next_is_row = lines[index + 1..]
                .iter()
                .find(|l| !clean(&l.text).is_empty() && !is_footer(l))
                .is_some_and(|l| !l.cells.is_empty());
            // …or, for the table's last row, the line right under it.
            let right_under = rows.last().is_some_and(|r| r.place.line + 1 == line.line && !line.spans.is_empty());
            if !rows.is_empty()
                && (next_is_row || right_under)
                && text.chars().count() <= 16
                && parse_caption(&text).is_none()
                && parse_heading(&text).is_none()
                && !text.ends_with('。')
            {
                // Laid-out text says which column it continues (a wrapped unit “人/ … 门”); else it
                // is the label's.
                if let Some(last) = rows.last_mut() {
                    let column = match (line.spans.first(), last.spans.len() == last.cells.len()) {
                        (Some(&(start, _)), true) => nearest_words(last, start),
                        _ => 0,
                    };
                    if let Some(cell) = last.cells.get_mut(column) {
                        cell.push_str(&text);
                    }
                }
                index += 1;
                continue;
            }
            break;
        }
        let mut cells: Vec<String> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (n, cell) in line.cells.iter().enumerate() {
            let start = line.spans.get(n).map(|s| s.0);
            for (part, offset, end) in refine_cell(cell, units) {
                cells.push(clean(&part));
                if let Some(start) = start {
                    spans.push((start + offset, start + end));
                }
            }
        }
        let is_header = cells.iter().all(|c| !c.chars().any(|ch| ch.is_ascii_digit()) || looks_like_year(c));
        if is_header {
            // Words without figures under a row of figures, in laid-out text: that row's cells
            // wrapped onto the next line (“治课）教学满意度 … 一网上”), each joined to the column it
            // sits under. A header has years, and a row of “-” is a row.
            let under_figures =
                rows.last().is_some_and(|r| r.cells.iter().any(|c| c.chars().any(|ch| ch.is_ascii_digit())));
            let fewer = header.as_ref().is_some_and(|h| cells.len() < h.len());
            let marks = cells.iter().any(|c| looks_like_year(c) || matches!(c.as_str(), "-" | "—" | "－" | "%"));
            if fewer && under_figures && !spans.is_empty() && !marks {
                if let Some(last) = rows.last_mut()
                    && last.spans.len() == last.cells.len()
                {
                    for (cell, &(start, _)) in cells.iter().zip(&spans) {
                        let column = nearest_words(last, start);
                        last.cells[column].push_str(cell);
                    }
                }
                index += 1;
                continue;
            }
            if header.is_none() {
                header = Some(cells.clone());
                header_lines = vec![compact(&text)];
                recording_header = true;
            }
        }
        rows.push(PrintedRow { cells, spans, place: Place { page: line.page, line: line.line } });
        index += 1;
    }
    (rows, index)
}

/// A cell that holds a figure: a number (with % or separators) or “-”.
pub fn is_figure(cell: &str) -> bool {
    let cell = cell.trim();
    matches!(cell, "-" | "—" | "－")
        || (cell.chars().any(|c| c.is_ascii_digit())
            && cell.trim_end_matches('%').replace(',', "").parse::<f64>().is_ok())
}

/// The cell of `row` that words wrapped from it at column `start` belong to: the nearest cell of
/// words (a label, a unit, a survey method), never a figure's (the layout of a new page can
/// shift columns).
fn nearest_words(row: &PrintedRow, start: usize) -> usize {
    (0..row.spans.len().min(row.cells.len()))
        .filter(|&i| !is_figure(&row.cells[i]))
        .min_by_key(|&i| row.spans[i].0.abs_diff(start))
        .unwrap_or(0)
}

/// A cell of laid-out text that holds several columns joined by single spaces (“单位 2023 年
/// 2024 年”, “- 3814.77”, “面向第一产业就业人数 人”, “95.52 电话、问卷”) split into them: values,
/// years and units each alone, around at most one run of text. Any other cell is kept whole.
fn refine_cell(cell: &str, units: &[&str]) -> Vec<(String, usize, usize)> {
    // Tokens with their character offset in the cell.
    let mut tokens: Vec<(String, usize)> = Vec::new();
    let mut offset = 0;
    for part in cell.split(' ') {
        if !part.is_empty() {
            match tokens.last_mut() {
                Some(last) if part == "年" && year_of(&last.0).is_some() => last.0.push_str(" 年"),
                _ => tokens.push((part.to_string(), offset)),
            }
        }
        offset += part.chars().count() + 1;
    }
    let whole = vec![(cell.to_string(), 0, cell.chars().count())];
    let is_column = |token: &str| looks_like_year(token) || units.contains(&token) || is_figure(token);
    // A token's text with its start and end (a year keeps its 年).
    let span = |tokens: &[(String, usize)]| -> (String, usize, usize) {
        let text = tokens.iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join(" ");
        let (first, last) = (&tokens[0], &tokens[tokens.len() - 1]);
        (text, first.1, last.1 + last.0.chars().count())
    };
    let alone = |token: &(String, usize)| span(std::slice::from_ref(token));
    if tokens.len() < 2 {
        return whole;
    }
    // A header (years among words, no other number): every word its own column.
    if tokens.iter().any(|t| looks_like_year(&t.0))
        && tokens.iter().all(|t| looks_like_year(&t.0) || !t.0.chars().any(|c| c.is_ascii_digit()))
        && tokens.iter().all(|t| !matches!(t.0.as_str(), "-" | "—"))
    {
        return tokens.iter().map(alone).collect();
    }
    // Columns around at most one run of text (a label, a survey method), kept together.
    let texts: Vec<usize> = (0..tokens.len()).filter(|&i| !is_column(&tokens[i].0)).collect();
    match (texts.first(), texts.last()) {
        (Some(&first), Some(&last)) if last - first + 1 != texts.len() => whole,
        (Some(&first), Some(&last)) => {
            let mut out: Vec<(String, usize, usize)> = tokens[..first].iter().map(alone).collect();
            out.push(span(&tokens[first..=last]));
            out.extend(tokens[last + 1..].iter().map(alone));
            out
        }
        _ => tokens.iter().map(alone).collect(),
    }
}

/// “2024 年”, “2024年”, “2024”.
pub fn looks_like_year(text: &str) -> bool {
    year_of(text).is_some()
}

/// The year a header cell names.
pub fn year_of(text: &str) -> Option<i32> {
    let compacted = compact(text);
    let digits = compacted.strip_suffix('年').unwrap_or(&compacted);
    (digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_headings_and_entries() {
        assert_eq!(parse_caption("表 1: 在校生与招生人数"), Some((CaptionKind::Table, 1, "在校生与招生人数".into())));
        assert_eq!(parse_caption("附表 1"), Some((CaptionKind::AppendixTable, 1, String::new())));
        assert_eq!(
            parse_caption("案例 4：培养新时代的技能型劳动者"),
            Some((CaptionKind::Case, 4, "培养新时代的技能型劳动者".into()))
        );
        assert_eq!(parse_caption("表 1。"), None);
        assert_eq!(parse_caption("图书馆藏书"), None);
        assert_eq!(parse_heading("1. 基本情况"), Some((1, Some("1".into()), "基本情况".into())));
        assert_eq!(parse_heading("1.1 规模和结构"), Some((2, Some("1.1".into()), "规模和结构".into())));
        assert_eq!(parse_heading("前 言"), Some((1, None, "前言".into())));
        assert_eq!(parse_heading("2024 年，全市具备中职学历教育招生资格的学校共有 43 所。"), None);
        assert_eq!(parse_heading("1.06"), None);
        let line =
            |text: &str| PrintedLine { page: None, line: 1, text: text.into(), cells: Vec::new(), spans: Vec::new() };
        assert_eq!(parse_entry(&line("前 言..... 1")), Some(("前 言".into(), 1)));
        assert_eq!(
            parse_entry(&line("图 4 : 安远中专开展“三树三养”主题教育——叠军用被比赛 .. 7")).map(|e| e.1),
            Some(7)
        );
        assert_eq!(parse_entry(&line("1.2 设施和设备 . . . . \u{2060}8")), Some(("1.2 设施和设备".into(), 8)));
        assert_eq!(parse_entry(&line("1.3 教师队伍 . . . . \u{2060}— 7 —")), Some(("1.3 教师队伍".into(), 7)));
        assert_eq!(footer_number("— 7 —"), Some(7));
        assert_eq!(footer_number("2024"), None, "a year is no page number");
        assert_eq!(normalised_title("温度教育, 自信成长"), normalised_title("温度教育，自信成长"));
        let units = ["人", "%", "元"];
        let refined = |cell: &str| refine_cell(cell, &units).into_iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(refined("单位 2023 年 2024 年"), ["单位", "2023 年", "2024 年"]);
        assert_eq!(
            refined("单位 2023 年 2024 年 调查方式 调查人次"),
            ["单位", "2023 年", "2024 年", "调查方式", "调查人次"]
        );
        assert_eq!(refined("- 全国统一网上调查"), ["-", "全国统一网上调查"]);
        assert_eq!(refined("其中：面向第一产业就业人数 人"), ["其中：面向第一产业就业人数", "人"]);
        assert_eq!(refined("A 类：留在当地就业人数"), ["A 类：留在当地就业人数"]);
        assert_eq!(
            refined("职业技能等级证书（含职业资格证书） 获取人数"),
            ["职业技能等级证书（含职业资格证书） 获取人数"]
        );
        assert_eq!(refined("电话 95 问卷"), ["电话 95 问卷"]);
        assert_eq!(refine_cell("人 34147  39481", &units)[1], ("34147".to_string(), 2, 7));
    }
}
