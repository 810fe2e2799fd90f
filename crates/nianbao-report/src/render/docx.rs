//! DOCX for Word, WPS and LibreOffice: the PDF's page (GB/T 9704 style by default), 黑体 headings,
//! 仿宋 body, “— n —” page numbers, bordered tables whose header rows repeat. Word-native: the
//! contents is a TOC field over the heading styles and the 表/图/案例 catalogues TOC fields over
//! the caption styles, each with its entries and page numbers cached (the pages the PDF prints
//! them on) so the file reads right before any update; captions are numbered by SEQ fields and
//! cross-references to them are REF fields, so inserting a table in Word renumbers everything.

use super::Options;
use super::PageStyle;
use super::raster::svg_to_png;
use crate::document::{Block, Caption, CatalogueKind, Figure, Image, Inline, Report, heading_text};
use crate::table_output::grid;
use docx_rs::*;
use nianbao_core::TableLayout;
use nianbao_core::table_view::TableView;
use std::collections::{HashMap, HashSet};

/// The document's properties as a word processor shows them: its title, the issuer as author,
/// the language and, when the cover's date reads as one (“二〇二五年一月”, “2025年1月”), its date.
fn core_properties(report: &Report) -> String {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let dated = match cover_date(&report.date) {
        Some(date) => format!(
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>"
        ),
        None => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><cp:lastModifiedBy>{}</cp:lastModifiedBy><dc:language>zh-CN</dc:language>{dated}<cp:revision>1</cp:revision></cp:coreProperties>",
        escape(&report.title),
        escape(&report.issuer),
        escape(&report.issuer)
    )
}

/// A cover date as W3CDTF (the first of its month): “二〇二五年一月” → 2025-01-01T00:00:00Z.
pub fn cover_date(text: &str) -> Option<String> {
    let digit =
        |c: char| "〇一二三四五六七八九".chars().position(|d| d == c).or_else(|| c.to_digit(10).map(|d| d as usize));
    let (year, rest) = text.trim().split_once('年')?;
    let year: String =
        year.trim().chars().map(|c| digit(c).and_then(|d| char::from_digit(d as u32, 10))).collect::<Option<_>>()?;
    let month_text = rest.trim().split_once('月')?.0.trim();
    let month = match month_text {
        "十" => 10,
        "十一" => 11,
        "十二" => 12,
        other if other.chars().count() == 1 => digit(other.chars().next()?)?,
        other => other.parse().ok()?,
    };
    (year.len() == 4 && (1..=12).contains(&month)).then(|| format!("{year}-{month:02}-01T00:00:00Z"))
}

/// Errors while writing a DOCX.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("image {0}: {1}")]
    Image(String, String),
    #[error("cannot write the DOCX package: {0}")]
    Package(String),
}

const BODY_FONT: &str = "FangSong";
const HEADING_FONT: &str = "SimHei";
/// A4's width, in twentieths of a point (twips).
const PAGE_WIDTH: usize = 11_906;

/// The page's margins in twips (top, bottom, left, right), the PDF's: GB/T 9704's 37/35/28/26 mm,
/// or 25 mm all round.
fn margins(page: PageStyle) -> (usize, usize, usize, usize) {
    // 1 mm = 1440 / 25.4 twips, rounded to the nearest twip (integer arithmetic).
    let twips = |mm: usize| (mm * 14_400 + 127) / 254;
    match page {
        PageStyle::Official => (twips(37), twips(35), twips(28), twips(26)),
        PageStyle::PlainA4 => (twips(25), twips(25), twips(25), twips(25)),
    }
}

/// The width of the text between the side margins, in twips.
fn text_width(page: PageStyle) -> usize {
    let (_, _, left, right) = margins(page);
    PAGE_WIDTH - left - right
}

/// The paragraph styles of the captions, by what they caption: each catalogue is a TOC field over
/// one of them (`\t "Table Caption,1"`), so Word rebuilds it from the captions themselves.
const TABLE_CAPTION_STYLE: (&str, &str) = ("TableCaption", "Table Caption");
const FIGURE_CAPTION_STYLE: (&str, &str) = ("FigureCaption", "Figure Caption");
const CASE_TITLE_STYLE: (&str, &str) = ("CaseTitle", "Case Title");

fn body_fonts() -> RunFonts {
    RunFonts::new().east_asia(BODY_FONT).ascii("Times New Roman").hi_ansi("Times New Roman")
}

fn heading_fonts() -> RunFonts {
    RunFonts::new().east_asia(HEADING_FONT).ascii("Arial").hi_ansi("Arial")
}

/// Bookmark names (letters, digits and underscores, at most 40 characters) of every anchored
/// item, the caption numbers, and the caption labels whose numbers SEQ fields can carry.
struct Bookmarks {
    names: HashMap<String, (usize, String)>,
    /// A caption's number (“表 3”) by its anchor.
    numbers: HashMap<String, String>,
    /// Labels (“表”, “附表”, “图”, “案例”) whose numbers run 1, 2, 3 … in document order: a SEQ
    /// field counts exactly so. A label numbered otherwise keeps its numbers as plain text, so an
    /// update in Word can never print a number other than the one meant.
    sequenced: HashSet<String>,
}

/// A caption number split into its label and number: “附表 3” → (“附表”, 3).
fn caption_label(number: &str) -> Option<(&str, usize)> {
    let (label, n) = number.rsplit_once(' ')?;
    let n: usize = n.parse().ok()?;
    (!label.is_empty() && !label.contains(char::is_whitespace) && n > 0).then_some((label, n))
}

impl Bookmarks {
    fn new(report: &Report) -> Bookmarks {
        let mut names = HashMap::new();
        let mut numbers = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut broken = HashSet::new();
        let mut add = |anchor: &str, caption: Option<&Caption>| {
            let id = names.len() + 1;
            names.entry(anchor.to_string()).or_insert_with(|| (id, format!("_nb{id}")));
            // A number not of the form “label n” is printed as written, never as a field.
            if let Some(caption) = caption {
                numbers.insert(anchor.to_string(), caption.number.clone());
                if let Some((label, n)) = caption_label(&caption.number) {
                    let count = seen.entry(label.to_string()).or_insert(0);
                    *count += 1;
                    if *count != n {
                        broken.insert(label.to_string());
                    }
                }
            }
        };
        for block in &report.blocks {
            match block {
                Block::Heading { anchor, .. } => add(anchor, None),
                Block::Table { caption, .. } => add(&caption.anchor, Some(caption)),
                Block::Figure(figure) => add(&figure.caption.anchor, Some(&figure.caption)),
                Block::Case { caption, figures, .. } => {
                    add(&caption.anchor, Some(caption));
                    for figure in figures {
                        add(&figure.caption.anchor, Some(&figure.caption));
                    }
                }
                _ => {}
            }
        }
        let sequenced = seen.into_keys().filter(|label| !broken.contains(label)).collect();
        Bookmarks { names, numbers, sequenced }
    }

    fn get(&self, anchor: &str) -> (usize, String) {
        self.names.get(anchor).cloned().unwrap_or((0, "_nb0".into()))
    }

    /// The bookmark around a caption's label and number (what a REF field prints), when its
    /// number is a SEQ field.
    fn number_bookmark(&self, anchor: &str) -> Option<(usize, String, &str)> {
        let number = self.numbers.get(anchor)?;
        let (label, _) = caption_label(number)?;
        if !self.sequenced.contains(label) {
            return None;
        }
        let (id, _) = self.names.get(anchor)?;
        Some((100_000 + id, format!("_Ref_nb{id}"), number.as_str()))
    }
}

/// A complex field: begin, its instruction, separate, the cached result, end.
fn field_runs(instruction: &str, cached: &str) -> [Run; 3] {
    [
        Run::new()
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(InstrText::Unsupported(format!(" {instruction} ")))
            .add_field_char(FieldCharType::Separate, false),
        run(cached),
        Run::new().add_field_char(FieldCharType::End, false),
    ]
}

/// A caption paragraph: “表 ” SEQ-numbered (the label and number bookmarked for REF fields), then
/// its text; the whole caption bookmarked for the catalogues' page numbers.
fn caption_paragraph(paragraph: Paragraph, bookmarks: &Bookmarks, caption: &Caption) -> Paragraph {
    let (id, name) = bookmarks.get(&caption.anchor);
    let mut paragraph = paragraph.add_bookmark_start(id, name);
    match (bookmarks.number_bookmark(&caption.anchor), caption_label(&caption.number)) {
        (Some((ref_id, ref_name, _)), Some((label, n))) => {
            paragraph = paragraph.add_bookmark_start(ref_id, ref_name).add_run(run(&format!("{label} ")));
            for field in field_runs(&format!("SEQ {label} \\* ARABIC"), &n.to_string()) {
                paragraph = paragraph.add_run(field);
            }
            paragraph = paragraph.add_bookmark_end(ref_id).add_run(run(&format!(" {}", caption.text)));
        }
        _ => paragraph = paragraph.add_run(run(&caption.full())),
    }
    paragraph.add_bookmark_end(id)
}

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn bookmarked(paragraph: Paragraph, bookmarks: &Bookmarks, anchor: &str, text: &str) -> Paragraph {
    let (id, name) = bookmarks.get(anchor);
    paragraph.add_bookmark_start(id, name).add_run(run(text)).add_bookmark_end(id)
}

fn inline_runs(mut paragraph: Paragraph, inlines: &[Inline], bookmarks: &Bookmarks) -> Paragraph {
    for inline in inlines {
        paragraph = match inline {
            // A reference to a SEQ-numbered caption is a REF field: it follows the caption's number.
            Inline::Reference { anchor, text } => match bookmarks.number_bookmark(anchor) {
                Some((_, name, number)) if number == text => {
                    field_runs(&format!("REF {name} \\h"), text).into_iter().fold(paragraph, Paragraph::add_run)
                }
                _ => paragraph.add_run(run(text)),
            },
            Inline::Text(text) | Inline::Bound { text, .. } => paragraph.add_run(run(text)),
            Inline::Strong(text) => paragraph.add_run(run(text).bold()),
        };
    }
    paragraph
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .fonts(heading_fonts())
            .size(size)
            .bold()
            .outline_lvl(level)
    };
    let caption = |(id, name): (&str, &str)| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Caption")
            .next("Normal")
            .fonts(heading_fonts())
            .size(21)
            .align(AlignmentType::Center)
    };
    // The contents' entry styles, Word's built-in “toc 1”–“toc 3” (目录 1–3).
    let toc = |level: usize| {
        Style::new(format!("TOC{level}"), StyleType::Paragraph)
            .name(format!("toc {level}"))
            .based_on("Normal")
            .next("Normal")
            .size(24)
            .indent(Some(420 * (level as i32 - 1)), None, None, None)
    };
    // 小四 (12 pt) body, as in the PDF; 三号 and 四号 headings.
    docx.add_style(Style::new("Normal", StyleType::Paragraph).name("Normal").fonts(body_fonts()).size(24))
        .add_style(heading("Heading1", "heading 1", 32, 0))
        .add_style(heading("Heading2", "heading 2", 28, 1))
        .add_style(heading("Heading3", "heading 3", 24, 2))
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("Normal")
                .fonts(heading_fonts())
                .size(21)
                .align(AlignmentType::Center),
        )
        .add_style(caption(TABLE_CAPTION_STYLE))
        .add_style(caption(FIGURE_CAPTION_STYLE))
        .add_style(toc(1))
        .add_style(toc(2))
        .add_style(toc(3))
        .add_style(
            // 二号 方正小标宋 (Word substitutes a face it has where it is not installed).
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .fonts(RunFonts::new().east_asia("方正小标宋简体").ascii("Times New Roman").hi_ansi("Times New Roman"))
                .size(44)
                .bold()
                .align(AlignmentType::Center),
        )
        .add_style(
            Style::new(CASE_TITLE_STYLE.0, StyleType::Paragraph)
                .name(CASE_TITLE_STYLE.1)
                .based_on("Normal")
                .next("Normal")
                .fonts(heading_fonts())
                .size(26)
                .bold(),
        )
        .add_style(
            Style::new("CatalogueTitle", StyleType::Paragraph)
                .name("Catalogue title")
                .based_on("Normal")
                .next("TOC1")
                .fonts(heading_fonts())
                .size(32)
                .bold()
                .align(AlignmentType::Center),
        )
}

/// One entry of a catalogue as Word writes it: a hyperlink to its bookmark holding the text, a
/// dotted tab and a PAGEREF field whose cached result is the page the item is printed on.
struct CatalogueLine {
    text: String,
    bookmark: String,
    level: u8,
    page: Option<usize>,
}

/// A catalogue as one TOC field over its entries: the field begins in the first entry's paragraph
/// and ends in the last's, as Word itself writes it.
fn catalogue_field(instruction: &str, lines: &[CatalogueLine], width: usize) -> Vec<Paragraph> {
    let [begin, _, end] = field_runs(instruction, "");
    let mut paragraphs = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let mut paragraph = Paragraph::new()
            .style(&format!("TOC{}", line.level.clamp(1, 3)))
            .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(width));
        if index == 0 {
            paragraph = paragraph.add_run(begin.clone());
        }
        let page = line.page.map(|page| page.to_string()).unwrap_or_default();
        let mut link = Hyperlink::new(&line.bookmark, HyperlinkType::Anchor)
            .add_run(run(&line.text))
            .add_run(Run::new().add_tab());
        for field in field_runs(&format!("PAGEREF {} \\h", line.bookmark), &page) {
            link = link.add_run(field);
        }
        paragraph = paragraph.add_hyperlink(link);
        if index + 1 == lines.len() {
            paragraph = paragraph.add_run(end.clone());
        }
        paragraphs.push(paragraph);
    }
    if lines.is_empty() {
        paragraphs.push(Paragraph::new().style("TOC1").add_run(begin).add_run(end));
    }
    paragraphs
}

/// The TOC field instruction of a catalogue: the contents over Heading 1–3 (and outline levels),
/// hyperlinked; the others over their caption style.
fn catalogue_instruction(kind: CatalogueKind) -> String {
    match kind {
        CatalogueKind::Contents => "TOC \\o \"1-3\" \\h \\z \\u".to_string(),
        CatalogueKind::Tables => format!("TOC \\h \\z \\t \"{},1\"", TABLE_CAPTION_STYLE.1),
        CatalogueKind::Figures => format!("TOC \\h \\z \\t \"{},1\"", FIGURE_CAPTION_STYLE.1),
        CatalogueKind::Cases => format!("TOC \\h \\z \\t \"{},1\"", CASE_TITLE_STYLE.1),
    }
}

/// The image as PNG bytes with its size in pixels (Word's pictures here are PNG).
fn png_of(image: &Image, options: &Options, name: &str) -> Result<(Vec<u8>, u32, u32), DocxError> {
    match (&image.raster, &image.svg) {
        (Some(raster), _) => {
            let png = raster.to_png().map_err(|e| DocxError::Image(name.to_string(), e.to_string()))?;
            Ok((png, raster.width_px, raster.height_px))
        }
        (None, Some(svg)) => {
            let png = svg_to_png(svg, 2.0, &options.font_dirs).map_err(|e| DocxError::Image(name.to_string(), e))?;
            let (width, height) = png_size(&png).ok_or_else(|| DocxError::Image(name.to_string(), "bad PNG".into()))?;
            Ok((png, width, height))
        }
        (None, None) => Err(DocxError::Image(name.to_string(), "no image data".into())),
    }
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    Some((word(16), word(20)))
}

fn figure_paragraphs(figure: &Figure, options: &Options, bookmarks: &Bookmarks) -> Result<Vec<Paragraph>, DocxError> {
    let (png, width_px, height_px) = png_of(&figure.image, options, &figure.caption.full())?;
    let emu_per_mm = 36_000;
    // Built from the size already read: docx-rs would otherwise decode the image again (and
    // panic on one it cannot read).
    let picture = Pic::new_with_dimensions(png, width_px, height_px)
        .size(figure.image.width_mm * emu_per_mm, figure.image.height_mm * emu_per_mm);
    Ok(vec![
        Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_image(picture)),
        caption_paragraph(Paragraph::new().style(FIGURE_CAPTION_STYLE.0), bookmarks, &figure.caption),
    ])
}

/// Column widths (twentieths of a point) that fill the text width: a wide label column, a narrow
/// unit column, the rest shared; single-row and year-row tables share evenly.
fn column_widths(view: &TableView, columns: usize, width: usize) -> Vec<usize> {
    match view.layout {
        TableLayout::IndicatorRows if columns > 2 => {
            let label = width * 40 / 100;
            let unit = width * 9 / 100;
            let rest = (width - label - unit) / (columns - 2);
            let mut widths = vec![label, unit];
            widths.extend(std::iter::repeat_n(rest, columns - 2));
            widths
        }
        _ => vec![width / columns.max(1); columns],
    }
}

fn cell(text: &str, right: bool, header: bool, indent: usize, width: usize) -> TableCell {
    // 五号 (10.5 pt) on the run itself, not only on the paragraph mark.
    let text_run = run(text).size(21);
    let mut paragraph = Paragraph::new().add_run(if header { text_run.bold() } else { text_run }).size(21);
    paragraph = paragraph.align(if header {
        AlignmentType::Center
    } else if right {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    });
    if indent > 0 {
        paragraph = paragraph.indent(Some(indent as i32 * 210), None, None, None);
    }
    TableCell::new().width(width, WidthType::Dxa).add_paragraph(paragraph)
}

fn table(view: &TableView, width: usize) -> Table {
    let grid = grid(view);
    let widths = column_widths(view, grid.right.len(), width);
    let width_of = |from: usize, span: usize| -> usize {
        widths[from.min(widths.len() - 1)..(from + span).min(widths.len())].iter().sum()
    };
    let mut rows = Vec::new();
    if view.layout == TableLayout::SingleRow && grid.header.len() == 2 {
        let mut top = Vec::new();
        let mut bottom = Vec::new();
        let mut i = 0;
        while i < view.rows.len() {
            match view.rows[i].group.as_deref() {
                Some(group) => {
                    let span = view.rows[i..].iter().take_while(|r| r.group.as_deref() == Some(group)).count();
                    top.push(cell(group, false, true, 0, width_of(i, span)).grid_span(span));
                    for (k, row) in view.rows[i..i + span].iter().enumerate() {
                        bottom.push(cell(&row.header, false, true, 0, width_of(i + k, 1)));
                    }
                    i += span;
                }
                None => {
                    top.push(
                        cell(&view.rows[i].header, false, true, 0, width_of(i, 1)).vertical_merge(VMergeType::Restart),
                    );
                    bottom.push(cell("", false, true, 0, width_of(i, 1)).vertical_merge(VMergeType::Continue));
                    i += 1;
                }
            }
        }
        rows.push(TableRow::new(top).cant_split());
        rows.push(TableRow::new(bottom).cant_split());
    } else {
        for line in &grid.header {
            rows.push(
                TableRow::new(line.iter().enumerate().map(|(c, h)| cell(h, false, true, 0, width_of(c, 1))).collect())
                    .cant_split(),
            );
        }
    }
    for (r, line) in grid.body.iter().enumerate() {
        let depth = if view.layout == TableLayout::IndicatorRows { view.rows[r].depth } else { 0 };
        rows.push(TableRow::new(
            line.iter()
                .enumerate()
                .map(|(c, text)| {
                    cell(
                        text,
                        grid.right.get(c).copied().unwrap_or(false),
                        false,
                        if c == 0 { depth } else { 0 },
                        width_of(c, 1),
                    )
                })
                .collect(),
        ));
    }
    Table::new(rows)
        .set_grid(widths)
        .align(TableAlignmentType::Center)
        .layout(TableLayoutType::Fixed)
        .width(width, WidthType::Dxa)
}

/// Renders the report as a DOCX package. The catalogues' cached page numbers are the pages the
/// PDF of the same report and options prints each item on (typeset here, without writing it).
pub fn docx(report: &Report, options: &Options) -> Result<Vec<u8>, DocxError> {
    #[cfg(feature = "pdf")]
    let pages = super::pdf::pages(report, options).unwrap_or_default();
    #[cfg(not(feature = "pdf"))]
    let pages = HashMap::new();
    docx_with_pages(report, options, &pages)
}

/// Renders the report as a DOCX package whose catalogues cache the given page of each anchored
/// item (see [`super::pdf::pdf_and_pages`]); an item without a page caches an empty number, which
/// Word fills in when it updates the fields on opening.
pub fn docx_with_pages(
    report: &Report,
    options: &Options,
    pages: &HashMap<String, usize>,
) -> Result<Vec<u8>, DocxError> {
    let bookmarks = Bookmarks::new(report);
    let width = text_width(options.page);
    let (top, bottom, left, right) = margins(options.page);
    let mut document = styles(Docx::new())
        .page_size(PAGE_WIDTH as u32, 16_838)
        .page_margin(
            PageMargin::new()
                .top(top as i32)
                .bottom(bottom as i32)
                .left(left as i32)
                .right(right as i32)
                .header(851)
                .footer(992),
        )
        .default_fonts(body_fonts())
        .default_size(24)
        // Page numbers “— 7 —” at the foot (GB/T 9704 style); none on the cover, the section's first
        // page (w:titlePg with an empty first-page footer).
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(run("— "))
                    .add_page_num(PageNum::new())
                    .add_run(run(" —")),
            ),
        )
        .first_footer(Footer::new().add_paragraph(Paragraph::new()))
        .title_pg();

    // Cover.
    document = document
        .add_paragraph(Paragraph::new().line_spacing(LineSpacing::new().before(3_600)))
        .add_paragraph(Paragraph::new().style("Title").add_run(run(&report.title)));
    if let Some(notice) = &report.sample_notice {
        document =
            document.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(notice).color("C44E52")));
    }
    document = document
        .add_paragraph(
            Paragraph::new()
                .line_spacing(LineSpacing::new().before(2_400))
                .align(AlignmentType::Center)
                .add_run(run(&report.issuer).size(32)),
        )
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(&report.date).size(32)))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));

    for block in &report.blocks {
        match block {
            Block::Heading { level, number, text, anchor } => {
                let style = match level {
                    1 => "Heading1",
                    2 => "Heading2",
                    _ => "Heading3",
                };
                document = document.add_paragraph(bookmarked(
                    Paragraph::new().style(style),
                    &bookmarks,
                    anchor,
                    &heading_text(number.as_deref(), text),
                ));
            }
            Block::Paragraph(inlines) => {
                document = document.add_paragraph(inline_runs(
                    Paragraph::new()
                        .indent(None, Some(SpecialIndentType::FirstLine(480)), None, None)
                        .line_spacing(LineSpacing::new().line(360)),
                    inlines,
                    &bookmarks,
                ));
            }
            Block::Note(inlines) => {
                document = document.add_paragraph(inline_runs(Paragraph::new().size(21), inlines, &bookmarks))
            }
            Block::Table { caption, view, .. } => {
                document = document.add_paragraph(caption_paragraph(
                    Paragraph::new().style(TABLE_CAPTION_STYLE.0).keep_next(true),
                    &bookmarks,
                    caption,
                ));
                document = document.add_table(table(view, width)).add_paragraph(Paragraph::new());
            }
            Block::Figure(figure) => {
                for paragraph in figure_paragraphs(figure, options, &bookmarks)? {
                    document = document.add_paragraph(paragraph);
                }
            }
            // A case study is boxed: its title (not a chapter heading), then a shaded, bordered box
            // with the school, the text and the photos.
            Block::Case { caption, school, paragraphs, figures } => {
                document = document.add_paragraph(caption_paragraph(
                    Paragraph::new().style(CASE_TITLE_STYLE.0).keep_next(true),
                    &bookmarks,
                    caption,
                ));
                let mut boxed = TableCell::new()
                    .width(width, WidthType::Dxa)
                    .shading(Shading::new().fill("F3F6FB"))
                    .add_paragraph(Paragraph::new().add_run(run(school).italic().size(24)));
                for paragraph in paragraphs {
                    boxed = boxed.add_paragraph(inline_runs(
                        Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(480)), None, None),
                        paragraph,
                        &bookmarks,
                    ));
                }
                for figure in figures {
                    for paragraph in figure_paragraphs(figure, options, &bookmarks)? {
                        boxed = boxed.add_paragraph(paragraph);
                    }
                }
                document = document
                    .add_table(Table::new(vec![TableRow::new(vec![boxed])]).set_grid(vec![width]))
                    .add_paragraph(Paragraph::new());
            }
            Block::Catalogue(kind) => {
                // A catalogue's title is no chapter: it stays out of the navigation pane and the TOC.
                document = document.add_paragraph(Paragraph::new().style("CatalogueTitle").add_run(run(kind.title())));
                // The contents lists levels 1–3, as its field does (the other formats print 1–2).
                let entries =
                    if *kind == CatalogueKind::Contents { report.contents(3) } else { report.catalogue(*kind) };
                let lines: Vec<CatalogueLine> = entries
                    .into_iter()
                    .map(|entry| CatalogueLine {
                        bookmark: bookmarks.get(&entry.anchor).1,
                        level: entry.level,
                        page: pages.get(&entry.anchor).copied(),
                        text: entry.text,
                    })
                    .collect();
                for paragraph in catalogue_field(&catalogue_instruction(*kind), &lines, width) {
                    document = document.add_paragraph(paragraph);
                }
                document = document.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
            }
            Block::PageBreak => {
                document = document.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
        }
    }
    let mut xml = document.build();
    // Every drawing its own id (docx-rs gives each picture id 1; some Word versions then call the
    // file unreadable).
    let mut drawing = 0;
    let numbered: String = String::from_utf8_lossy(&xml.document)
        .split("<wp:docPr id=\"1\"")
        .enumerate()
        .map(|(n, part)| {
            if n == 0 {
                part.to_string()
            } else {
                drawing += 1;
                format!("<wp:docPr id=\"{drawing}\"{part}")
            }
        })
        .collect();
    xml.document = numbered.into_bytes();
    // Header rows repeat on every page (w:tblHeader), and fields are updated when the file opens.
    let body = String::from_utf8_lossy(&xml.document)
        .replace("<w:trPr><w:cantSplit /></w:trPr>", "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>");
    xml.document = body.into_bytes();
    let settings = String::from_utf8_lossy(&xml.settings)
        .replace("</w:settings>", "<w:updateFields w:val=\"true\" /></w:settings>");
    xml.settings = settings.into_bytes();
    // One Normal style (docx-rs adds an empty one before ours), and Chinese as the language of
    // every run, so that word processors pick Chinese glyph forms and line breaking.
    let styles = String::from_utf8_lossy(&xml.styles)
        .replacen(
            "<w:style w:type=\"paragraph\" w:styleId=\"Normal\"><w:name w:val=\"Normal\" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style>",
            "",
            1,
        )
        .replacen(
            "</w:rPr></w:rPrDefault>",
            "<w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\" /></w:rPr></w:rPrDefault>",
            1,
        );
    xml.styles = styles.into_bytes();
    xml.doc_props.core = core_properties(report).into_bytes();
    // Property elements in the order the OOXML schema requires (docx-rs writes some out of order).
    xml.document = super::ooxml_order::schema_order(&xml.document);
    xml.styles = super::ooxml_order::schema_order(&xml.styles);
    xml.settings = super::ooxml_order::schema_order(&xml.settings);
    for part in xml.footers.iter_mut().chain(xml.headers.iter_mut()) {
        *part = super::ooxml_order::schema_order(part);
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(|e| DocxError::Package(e.to_string()))?;
    Ok(bytes.into_inner())
}
