//! DOCX for Word, WPS and LibreOffice: A4, 黑体 headings, 仿宋 body, page numbers in the footer,
//! bordered tables whose header rows repeat, and contents/catalogues whose lines are PAGEREF
//! fields to bookmarks (page numbers filled in by the word processor).

use super::Options;
use super::raster::svg_to_png;
use crate::document::{Block, CatalogueKind, Figure, Image, Inline, Report, heading_text};
use crate::table_output::grid;
use docx_rs::*;
use nianbao_core::TableLayout;
use nianbao_core::table_view::TableView;
use std::collections::HashMap;

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
/// Text width of A4 with 2.5 cm side margins, in twentieths of a point.
const TEXT_WIDTH: usize = 9_072;

fn body_fonts() -> RunFonts {
    RunFonts::new().east_asia(BODY_FONT).ascii("Times New Roman").hi_ansi("Times New Roman")
}

fn heading_fonts() -> RunFonts {
    RunFonts::new().east_asia(HEADING_FONT).ascii("Arial").hi_ansi("Arial")
}

/// Bookmark names: letters, digits and underscores, at most 40 characters.
struct Bookmarks {
    names: HashMap<String, (usize, String)>,
}

impl Bookmarks {
    fn new(report: &Report) -> Bookmarks {
        let mut names = HashMap::new();
        let mut add = |anchor: &str| {
            let id = names.len() + 1;
            names.entry(anchor.to_string()).or_insert_with(|| (id, format!("_nb{id}")));
        };
        for block in &report.blocks {
            match block {
                Block::Heading { anchor, .. } => add(anchor),
                Block::Table { caption, .. } => add(&caption.anchor),
                Block::Figure(figure) => add(&figure.caption.anchor),
                Block::Case { caption, figures, .. } => {
                    add(&caption.anchor);
                    for figure in figures {
                        add(&figure.caption.anchor);
                    }
                }
                _ => {}
            }
        }
        Bookmarks { names }
    }

    fn get(&self, anchor: &str) -> (usize, String) {
        self.names.get(anchor).cloned().unwrap_or((0, "_nb0".into()))
    }
}

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn bookmarked(paragraph: Paragraph, bookmarks: &Bookmarks, anchor: &str, text: &str) -> Paragraph {
    let (id, name) = bookmarks.get(anchor);
    paragraph.add_bookmark_start(id, name).add_run(run(text)).add_bookmark_end(id)
}

fn inline_runs(mut paragraph: Paragraph, inlines: &[Inline]) -> Paragraph {
    for inline in inlines {
        paragraph = match inline {
            Inline::Text(text) | Inline::Bound { text, .. } | Inline::Reference { text, .. } => {
                paragraph.add_run(run(text))
            }
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
    docx.add_style(Style::new("Normal", StyleType::Paragraph).name("Normal").fonts(body_fonts()).size(28))
        .add_style(heading("Heading1", "heading 1", 32, 0))
        .add_style(heading("Heading2", "heading 2", 30, 1))
        .add_style(heading("Heading3", "heading 3", 28, 2))
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("Normal")
                .fonts(heading_fonts())
                .size(24)
                .align(AlignmentType::Center),
        )
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .fonts(heading_fonts())
                .size(44)
                .bold()
                .align(AlignmentType::Center),
        )
        .add_style(Style::new("CatalogueLine", StyleType::Paragraph).name("Catalogue line").based_on("Normal").size(26))
        .add_style(
            Style::new("CaseTitle", StyleType::Paragraph)
                .name("Case title")
                .based_on("Normal")
                .next("Normal")
                .fonts(heading_fonts())
                .size(28)
                .bold(),
        )
        .add_style(
            Style::new("CatalogueTitle", StyleType::Paragraph)
                .name("Catalogue title")
                .based_on("Normal")
                .next("CatalogueLine")
                .fonts(heading_fonts())
                .size(32)
                .bold()
                .align(AlignmentType::Center),
        )
}

fn catalogue_line(entry_text: &str, bookmark: &str, level: u8) -> Paragraph {
    let indent = if level > 1 { 420 } else { 0 };
    Paragraph::new()
        .style("CatalogueLine")
        .indent(Some(indent), None, None, None)
        .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(TEXT_WIDTH))
        .add_run(run(entry_text))
        .add_run(Run::new().add_tab())
        .add_run(
            Run::new()
                .add_field_char(FieldCharType::Begin, true)
                .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(bookmark).hyperlink()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
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
        bookmarked(Paragraph::new().style("Caption"), bookmarks, &figure.caption.anchor, &figure.caption.full()),
    ])
}

/// Column widths (twentieths of a point) that fill the text width: a wide label column, a narrow
/// unit column, the rest shared; single-row and year-row tables share evenly.
fn column_widths(view: &TableView, columns: usize) -> Vec<usize> {
    match view.layout {
        TableLayout::IndicatorRows if columns > 2 => {
            let label = TEXT_WIDTH * 40 / 100;
            let unit = TEXT_WIDTH * 9 / 100;
            let rest = (TEXT_WIDTH - label - unit) / (columns - 2);
            let mut widths = vec![label, unit];
            widths.extend(std::iter::repeat_n(rest, columns - 2));
            widths
        }
        _ => vec![TEXT_WIDTH / columns.max(1); columns],
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

fn table(view: &TableView) -> Table {
    let grid = grid(view);
    let widths = column_widths(view, grid.right.len());
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
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// Renders the report as a DOCX package.
pub fn docx(report: &Report, options: &Options) -> Result<Vec<u8>, DocxError> {
    let bookmarks = Bookmarks::new(report);
    let mut document = styles(Docx::new())
        .page_size(11_906, 16_838)
        .page_margin(PageMargin::new().top(1_440).bottom(1_440).left(1_417).right(1_417).header(851).footer(992))
        .default_fonts(body_fonts())
        .default_size(28)
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
                        .indent(None, Some(SpecialIndentType::FirstLine(560)), None, None)
                        .line_spacing(LineSpacing::new().line(420)),
                    inlines,
                ));
            }
            Block::Note(inlines) => document = document.add_paragraph(inline_runs(Paragraph::new().size(21), inlines)),
            Block::Table { caption, view, .. } => {
                document = document.add_paragraph(bookmarked(
                    Paragraph::new().style("Caption").keep_next(true),
                    &bookmarks,
                    &caption.anchor,
                    &caption.full(),
                ));
                document = document.add_table(table(view)).add_paragraph(Paragraph::new());
            }
            Block::Figure(figure) => {
                for paragraph in figure_paragraphs(figure, options, &bookmarks)? {
                    document = document.add_paragraph(paragraph);
                }
            }
            // A case study is boxed: its title (not a chapter heading), then a shaded, bordered box
            // with the school, the text and the photos.
            Block::Case { caption, school, paragraphs, figures } => {
                document = document.add_paragraph(bookmarked(
                    Paragraph::new().style("CaseTitle").keep_next(true),
                    &bookmarks,
                    &caption.anchor,
                    &caption.full(),
                ));
                let mut boxed = TableCell::new()
                    .width(TEXT_WIDTH, WidthType::Dxa)
                    .shading(Shading::new().fill("F3F6FB"))
                    .add_paragraph(Paragraph::new().add_run(run(school).italic().size(24)));
                for paragraph in paragraphs {
                    boxed = boxed.add_paragraph(inline_runs(
                        Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(560)), None, None),
                        paragraph,
                    ));
                }
                for figure in figures {
                    for paragraph in figure_paragraphs(figure, options, &bookmarks)? {
                        boxed = boxed.add_paragraph(paragraph);
                    }
                }
                document = document
                    .add_table(Table::new(vec![TableRow::new(vec![boxed])]).set_grid(vec![TEXT_WIDTH]))
                    .add_paragraph(Paragraph::new());
            }
            Block::Catalogue(kind) => {
                // A catalogue's title is no chapter: it stays out of the navigation pane and the TOC.
                document = document.add_paragraph(Paragraph::new().style("CatalogueTitle").add_run(run(kind.title())));
                for entry in report.catalogue(*kind) {
                    let (_, name) = bookmarks.get(&entry.anchor);
                    document = document.add_paragraph(catalogue_line(
                        &entry.text,
                        &name,
                        if *kind == CatalogueKind::Contents { entry.level } else { 1 },
                    ));
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
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(|e| DocxError::Package(e.to_string()))?;
    Ok(bytes.into_inner())
}
