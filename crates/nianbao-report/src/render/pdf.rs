//! PDF, in process: the report is written as Typst markup and compiled with Typst as a library.
//! CJK fonts are taken from the system or from configured folders; without any, a clear error
//! names what to install.

use super::{BODY_FONTS, FontUse, HEADING_FONTS, Options, PageStyle, TITLE_FONTS};
use crate::document::{Block, CatalogueKind, Figure, Inline, Report, heading_text};
use crate::table_output::grid;
use nianbao_core::TableLayout;
use nianbao_core::table_view::TableView;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

/// Errors while writing a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no Chinese (CJK) font was found on this system or in the configured font folders; install one, e.g. `apt-get install fonts-noto-cjk` (Noto Sans/Serif CJK SC), or pass a folder holding SimHei/FangSong or Source Han fonts"
    )]
    NoCjkFont,
    #[error(
        "the bundled fonts have no glyph for {0:?}: install a CJK font (e.g. `apt-get install fonts-noto-cjk`) to print them"
    )]
    MissingGlyphs(String),
    #[error("the report could not be typeset: {0}")]
    Typeset(String),
    #[error("the PDF could not be written: {0}")]
    Export(String),
}

/// Family names that can set Chinese text.
const CJK_FAMILIES: [&str; 10] = [
    "noto sans cjk sc",
    "noto serif cjk sc",
    "source han sans sc",
    "source han serif sc",
    "simhei",
    "simsun",
    "fangsong",
    "wenquanyi micro hei",
    "wenquanyi zen hei",
    "ar pl uming cn",
];

fn system_fonts() -> &'static FontStore {
    static FONTS: OnceLock<FontStore> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::system());
        store
    })
}

struct ReportWorld {
    library: LazyHash<Library>,
    fonts: &'static FontStore,
    extra: Option<FontStore>,
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl ReportWorld {
    fn store(&self) -> &FontStore {
        self.extra.as_ref().unwrap_or(self.fonts)
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.store().book()
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::NotSource) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(PathBuf::from("report image")))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.store().font(index)
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(2025, 1, 1)
    }
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let virtual_path = VirtualPath::new(path).map_err(|e| PdfError::Typeset(format!("{path}: {e:?}")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, virtual_path)))
}

/// A Typst string literal.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn font_list(fonts: &[&str]) -> String {
    format!("({})", fonts.iter().map(|f| string(f)).collect::<Vec<_>>().join(", "))
}

fn label(anchor: &str) -> String {
    let clean: String =
        anchor.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("<{clean}>")
}

fn inline_markup(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) | Inline::Bound { text, .. } => format!("#{}", string(text)),
            Inline::Strong(text) => format!("#strong({})", string(text)),
            Inline::Reference { anchor, text } => format!("#link({})[#{}]", label(anchor), string(text)),
        })
        .collect()
}

fn table_markup(view: &TableView, caption: &str, anchor: &str) -> String {
    let grid = grid(view);
    let columns = grid.right.len();
    let aligns: Vec<&str> = grid.right.iter().map(|&r| if r { "right" } else { "left" }).collect();
    let mut cells = Vec::new();
    let mut header = Vec::new();
    if view.layout == TableLayout::SingleRow && grid.header.len() == 2 {
        let mut i = 0;
        while i < view.rows.len() {
            match view.rows[i].group.as_deref() {
                Some(group) => {
                    let span = view.rows[i..].iter().take_while(|r| r.group.as_deref() == Some(group)).count();
                    header.push(format!("table.cell(colspan: {span}, align: center)[#strong({})]", string(group)));
                    i += span;
                }
                None => {
                    header.push(format!(
                        "table.cell(rowspan: 2, align: center + horizon)[#strong({})]",
                        string(&view.rows[i].header)
                    ));
                    i += 1;
                }
            }
        }
        for row in view.rows.iter().filter(|r| r.group.is_some()) {
            header.push(format!("table.cell(align: center)[#strong({})]", string(&row.header)));
        }
    } else {
        for line in &grid.header {
            for cell in line {
                header.push(format!("table.cell(align: center)[#strong({})]", string(cell)));
            }
        }
    }
    for (r, line) in grid.body.iter().enumerate() {
        for (c, text) in line.iter().enumerate() {
            let depth = if c == 0 && view.layout == TableLayout::IndicatorRows { view.rows[r].depth } else { 0 };
            if depth > 0 {
                // A wrapped label keeps its indent on every line.
                cells.push(format!("[#pad(left: {}em)[#{}]]", depth, string(text)));
            } else {
                cells.push(format!("[#{}]", string(text)));
            }
        }
    }
    // On every page after the table's first, its header repeats under a 续表 line naming it (empty
    // and without height on the first page).
    let continued = format!(
        "table.cell(colspan: {columns}, stroke: none, inset: 0pt)[#context {{ if here().page() > locate({}).page() {{ block(above: 0pt, below: 4pt, width: 100%, align(center, text(size: 10.5pt)[#{}])) }} }}]",
        label(anchor),
        string(&format!("续表（{caption}）"))
    );
    header.insert(0, continued);
    // A comparison of units gives the unit's name twice the room of a figure (a school's full name
    // would otherwise wrap in four lines); other tables size their columns to their content.
    let widths = if view.layout == TableLayout::OrgRows && columns > 1 {
        format!("(2fr, {})", vec!["1fr"; columns - 1].join(", "))
    } else {
        columns.to_string()
    };
    // Cells are set ragged: justified text in a narrow cell spreads a name's characters apart.
    format!(
        "#figure(kind: table, numbering: none, caption: [#{}], {{ set par(justify: false); table(columns: {widths}, align: ({}), stroke: 0.5pt, inset: (x: 5pt, y: 3pt), table.header(repeat: true, {}), {}) }})\n{}\n\n",
        string(caption),
        aligns.join(", "),
        header.join(", "),
        cells.join(", "),
        label(anchor)
    )
}

fn figure_markup(figure: &Figure, files: &mut HashMap<FileId, Bytes>) -> Result<String, PdfError> {
    let (path, data) = match (&figure.image.svg, &figure.image.raster) {
        (Some(svg), _) => (format!("/images/{}.svg", files.len()), Bytes::new(svg.clone().into_bytes())),
        (None, Some(raster)) => {
            (format!("/images/{}.{}", files.len(), raster.kind.extension()), Bytes::new(raster.bytes.clone()))
        }
        (None, None) => return Ok(String::new()),
    };
    files.insert(file_id(&path)?, data);
    Ok(format!(
        "#figure(kind: image, numbering: none, caption: [#{}], image({}, width: {}mm))\n{}\n\n",
        string(&figure.caption.full()),
        string(&path),
        figure.image.width_mm.min(150),
        label(&figure.caption.anchor)
    ))
}

/// The report as Typst markup (images are registered in `files`).
fn markup(report: &Report, files: &mut HashMap<FileId, Bytes>, style: PageStyle) -> Result<String, PdfError> {
    let mut out = String::new();
    // Chapters run on: a chapter starts a new page only where the page is nearly full (a heading is
    // kept with what follows it), so no page is left mostly empty.
    let page = match style {
        PageStyle::Official => {
            "margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), numbering: \"1\", footer: context align(center)[— #counter(page).display() —]"
        }
        PageStyle::PlainA4 => "margin: (x: 25mm, y: 25mm), numbering: \"1\", number-align: center",
    };
    out.push_str(&format!(
        "#set document(title: {})\n#set page(paper: \"a4\", {page})\n#set text(font: {}, size: 12pt, lang: \"zh\", region: \"cn\")\n#set par(justify: true, leading: 0.9em, first-line-indent: (amount: 2em, all: true))\n#show heading: set text(font: {})\n#show heading.where(level: 1): set text(size: 16pt)\n#show heading: set block(above: 1.4em, below: 1em, sticky: true)\n#show figure.where(kind: table): set figure.caption(position: top)\n#show figure.caption.where(kind: table): it => block(sticky: true, it)\n#show figure: set block(breakable: true)\n#show figure.where(kind: image): set block(breakable: false)\n#show figure.caption: set text(font: {}, size: 10.5pt)\n#show outline.entry.where(level: 1): set block(above: 0.8em)\n",
        string(&report.title),
        font_list(&BODY_FONTS),
        font_list(&HEADING_FONTS),
        font_list(&HEADING_FONTS)
    ));
    // Cover page without a page number.
    out.push_str("#page(numbering: none, footer: none)[\n#v(6cm)\n#align(center)[\n");
    // The title in 二号 (22 pt) 小标宋 where installed, else a bold serif.
    out.push_str(&format!(
        "#text(font: {}, size: 22pt, weight: \"bold\")[#{}]\n",
        font_list(&TITLE_FONTS),
        string(&report.title)
    ));
    if let Some(notice) = &report.sample_notice {
        out.push_str(&format!(
            "\n#v(1cm)\n#block(stroke: 1pt + rgb(\"#c44e52\"), inset: 8pt)[#text(fill: rgb(\"#c44e52\"))[#{}]]\n",
            string(notice)
        ));
    }
    out.push_str(&format!(
        "\n#v(6cm)\n#text(size: 16pt)[#{}]\n\n#text(size: 16pt)[#{}]\n]\n]\n",
        string(&report.issuer),
        string(&report.date)
    ));
    for block in &report.blocks {
        match block {
            Block::Heading { level, number, text, anchor } => {
                out.push_str(&format!(
                    "#heading(level: {level}, numbering: none)[#{}] {}\n\n",
                    string(&heading_text(number.as_deref(), text)),
                    label(anchor)
                ));
            }
            Block::Paragraph(inlines) => out.push_str(&format!("{}\n\n", inline_markup(inlines))),
            Block::Note(inlines) => out.push_str(&format!("#text(size: 10pt)[{}]\n\n", inline_markup(inlines))),
            Block::Table { caption, view, .. } => out.push_str(&table_markup(view, &caption.full(), &caption.anchor)),
            Block::Figure(figure) => out.push_str(&figure_markup(figure, files)?),
            Block::Case { caption, school, paragraphs, figures } => {
                out.push_str(&format!(
                    "#figure(kind: \"case\", supplement: none, numbering: none, caption: [#{}], [])\n{}\n\n",
                    string(&caption.full()),
                    label(&caption.anchor)
                ));
                out.push_str("#block(stroke: (left: 2pt + rgb(\"#2f6db5\")), inset: (left: 10pt, y: 4pt), fill: rgb(\"#f7f9fc\"), width: 100%)[\n");
                out.push_str(&format!("#text(size: 10.5pt, style: \"italic\")[#{}]\n\n", string(school)));
                for paragraph in paragraphs {
                    out.push_str(&format!("{}\n\n", inline_markup(paragraph)));
                }
                for figure in figures {
                    out.push_str(&figure_markup(figure, files)?);
                }
                out.push_str("]\n\n");
            }
            Block::Catalogue(kind) => {
                let target = match kind {
                    CatalogueKind::Contents => "heading.where(outlined: true)".to_string(),
                    CatalogueKind::Tables => "figure.where(kind: table)".to_string(),
                    CatalogueKind::Figures => "figure.where(kind: image)".to_string(),
                    CatalogueKind::Cases => "figure.where(kind: \"case\")".to_string(),
                };
                let depth = if *kind == CatalogueKind::Contents { ", depth: 2" } else { "" };
                out.push_str(&format!(
                    "#outline(title: [#{}], target: {target}{depth})\n#pagebreak(weak: true)\n\n",
                    string(kind.title())
                ));
            }
            Block::PageBreak => out.push_str("#pagebreak(weak: true)\n\n"),
        }
    }
    // A case is a caption-only marker figure: show just its caption as a heading-like line.
    let prelude = "#show figure.where(kind: \"case\"): it => block(above: 1.2em, below: 0.6em, text(font: HEADINGS, weight: \"bold\", size: 13pt, it.caption.body))\n"
        .replace("HEADINGS", &font_list(&HEADING_FONTS));
    Ok(format!("{prelude}{out}"))
}

/// The faces the PDF sets its title, headings and body in, from what is installed (and the
/// configured folders): the first of each list found, or None when only the bundled subsets
/// (or another CJK face) will print it.
pub fn fonts_used(options: &Options) -> Vec<FontUse> {
    let mut scanned = FontStore::new();
    let store = if options.font_dirs.is_empty() && !options.without_system_fonts {
        system_fonts()
    } else {
        if !options.without_system_fonts {
            scanned.extend(typst_kit::fonts::system());
        }
        for dir in &options.font_dirs {
            scanned.extend(typst_kit::fonts::scan(dir));
        }
        &scanned
    };
    let installed: Vec<String> = store.book().families().map(|(family, _)| family.to_lowercase()).collect();
    // Each list's preferred faces come first: the 方正小标宋 names, SimHei, FangSong/仿宋.
    let choose = |role: &'static str, wanted: &'static str, list: &[&str], preferred: usize| {
        let found = list.iter().position(|f| installed.contains(&f.to_lowercase()));
        FontUse {
            role,
            wanted,
            used: found.map(|at| list[at].to_string()),
            fallback: found.is_none_or(|at| at >= preferred),
        }
    };
    vec![
        choose("标题", "方正小标宋", &TITLE_FONTS, 3),
        choose("章节标题", "黑体", &HEADING_FONTS, 1),
        choose("正文", "仿宋", &BODY_FONTS, 2),
    ]
}

/// Typesets the report (the pages, before they are written as PDF).
fn typeset(report: &Report, options: &Options) -> Result<typst_layout::PagedDocument, PdfError> {
    let fonts = system_fonts();
    let has_cjk = |store: &FontStore| {
        store.book().families().any(|(family, _)| CJK_FAMILIES.contains(&family.to_lowercase().as_str()))
    };
    let mut extra = if options.font_dirs.is_empty() && !options.without_system_fonts {
        None
    } else {
        let mut store = FontStore::new();
        if !options.without_system_fonts {
            store.extend(typst_kit::fonts::system());
        }
        for dir in &options.font_dirs {
            store.extend(typst_kit::fonts::scan(dir));
        }
        Some(store)
    };
    let mut files = HashMap::new();
    let text = markup(report, &mut files, options.page)?;
    // No CJK font installed: the bundled subsets, and every character they cannot print is named.
    if !has_cjk(extra.as_ref().unwrap_or(fonts)) {
        let mut store = FontStore::new();
        if !options.without_system_fonts {
            store.extend(typst_kit::fonts::system());
        }
        for dir in &options.font_dirs {
            store.extend(typst_kit::fonts::scan(dir));
        }
        let bundled: Vec<Font> = super::BUNDLED_FONTS.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
        let missing: String = text
            .chars()
            .filter(|&c| {
                u32::from(c) >= 0x2E80 && !bundled.iter().any(|font| font.info().coverage.contains(u32::from(c)))
            })
            .collect::<std::collections::BTreeSet<char>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            return Err(PdfError::MissingGlyphs(missing));
        }
        store.extend(bundled.into_iter().map(|font| {
            let info = font.info().clone();
            (font, info)
        }));
        if !has_cjk(&store) {
            return Err(PdfError::NoCjkFont);
        }
        extra = Some(store);
    }
    let main = Source::new(file_id("/main.typ")?, text);
    let world = ReportWorld { library: LazyHash::new(Library::default()), fonts, extra, main, files };
    let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
    compiled.output.map_err(|errors| {
        PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}

/// The printed page of every anchored item (headings, captions, cases) as the page footer numbers
/// it (the cover is page 1): what the catalogues print, and what the DOCX's contents and
/// catalogues carry as their cached page numbers.
fn anchor_pages(report: &Report, document: &typst_layout::PagedDocument) -> HashMap<String, usize> {
    use typst::introspection::Introspector;
    let introspector = document.introspector();
    let mut pages = HashMap::new();
    let mut add = |anchor: &str| {
        let name = label(anchor);
        let name = &name[1..name.len() - 1];
        let found = typst::foundations::Label::new(typst::utils::PicoStr::intern(name))
            .and_then(|label| introspector.query_label(label).ok())
            .and_then(|content| content.location())
            .and_then(|location| introspector.page(location));
        if let Some(page) = found {
            pages.insert(anchor.to_string(), page.get());
        }
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
    pages
}

/// Renders the report as PDF.
pub fn pdf(report: &Report, options: &Options) -> Result<Vec<u8>, PdfError> {
    Ok(pdf_and_pages(report, options)?.0)
}

/// The printed page of every anchored item, by anchor (see [`anchor_pages`]), without writing
/// the PDF.
pub fn pages(report: &Report, options: &Options) -> Result<HashMap<String, usize>, PdfError> {
    let document = typeset(report, options)?;
    let pages = anchor_pages(report, &document);
    typst::comemo::evict(10);
    Ok(pages)
}

/// Renders the report as PDF, with the printed page of every anchored item by anchor.
pub fn pdf_and_pages(report: &Report, options: &Options) -> Result<(Vec<u8>, HashMap<String, usize>), PdfError> {
    let document = typeset(report, options)?;
    let pages = anchor_pages(report, &document);
    let bytes = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Export(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    typst::comemo::evict(10);
    Ok((bytes, pages))
}
