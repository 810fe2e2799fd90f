//! The document model of a report: blocks (headings, paragraphs, tables, figures, charts, case
//! studies, notes, catalogues), already numbered. Every renderer reads this model and nothing else.

use nianbao_core::table_view::TableView;

/// A whole report, numbered and bound to data.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub issuer: String,
    pub date: String,
    pub org_name: String,
    pub year: i32,
    /// Shown on the cover and in the footer when figures or texts are samples.
    pub sample_notice: Option<String>,
    pub blocks: Vec<Block>,
}

/// An image: SVG source (charts, drawings) or raster bytes (photos), with its printed size.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub svg: Option<String>,
    pub raster: Option<Raster>,
    pub width_mm: u32,
    pub height_mm: u32,
    pub alt: String,
}

/// A PNG or JPEG image as uploaded, with its size in pixels (read when it was checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    pub kind: RasterKind,
    pub bytes: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RasterKind {
    Png,
    Jpeg,
}

impl RasterKind {
    pub fn mime(self) -> &'static str {
        match self {
            RasterKind::Png => "image/png",
            RasterKind::Jpeg => "image/jpeg",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            RasterKind::Png => "png",
            RasterKind::Jpeg => "jpg",
        }
    }
}

/// Why bytes are not a photo a report can print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("not a PNG or JPEG image")]
    NotAnImage,
    #[error("the image is {width} × {height} pixels; at most {max} million pixels")]
    TooLarge { width: u32, height: u32, max: u32 },
    #[error("the image cannot be decoded: {0}")]
    Unreadable(String),
}

/// The most pixels a photo may have (a 24-megapixel camera picture fits).
pub const MAX_PHOTO_MEGAPIXELS: u32 = 40;

impl Raster {
    /// Checks that `bytes` are a whole PNG or JPEG image (decoding it, within bounded memory) and
    /// reads its size. The type is read from the bytes, never from a name or a declared type.
    pub fn check(bytes: Vec<u8>) -> Result<Raster, PhotoError> {
        let raster = Raster::sized(bytes)?;
        // The JPEG decoder fills a file cut short with grey: a photo must reach its end marker.
        if raster.kind == RasterKind::Jpeg && !jpeg_is_complete(&raster.bytes) {
            return Err(PhotoError::Unreadable("the JPEG ends before its end-of-image marker".into()));
        }
        raster.reader().decode().map_err(|error| PhotoError::Unreadable(error.to_string()))?;
        Ok(raster)
    }

    /// Reads the type and size of an image already checked by [`Raster::check`] (the header only).
    pub fn sized(bytes: Vec<u8>) -> Result<Raster, PhotoError> {
        let kind = if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
            RasterKind::Png
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            RasterKind::Jpeg
        } else {
            return Err(PhotoError::NotAnImage);
        };
        let mut raster = Raster { kind, bytes, width_px: 0, height_px: 0 };
        let (width, height) =
            raster.reader().into_dimensions().map_err(|error| PhotoError::Unreadable(error.to_string()))?;
        if width == 0
            || height == 0
            || u64::from(width) * u64::from(height) > u64::from(MAX_PHOTO_MEGAPIXELS) * 1_000_000
        {
            return Err(PhotoError::TooLarge { width, height, max: MAX_PHOTO_MEGAPIXELS });
        }
        (raster.width_px, raster.height_px) = (width, height);
        Ok(raster)
    }

    fn reader(&self) -> image::ImageReader<std::io::Cursor<&[u8]>> {
        let format = match self.kind {
            RasterKind::Png => image::ImageFormat::Png,
            RasterKind::Jpeg => image::ImageFormat::Jpeg,
        };
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(self.bytes.as_slice()), format);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(u64::from(MAX_PHOTO_MEGAPIXELS) * 1_000_000 * 4 + (16 << 20));
        reader.limits(limits);
        reader
    }

    /// The raster as PNG bytes (a JPEG is decoded and re-encoded).
    pub fn to_png(&self) -> Result<Vec<u8>, PhotoError> {
        match self.kind {
            RasterKind::Png => Ok(self.bytes.clone()),
            RasterKind::Jpeg => {
                let decoded = image::load_from_memory_with_format(&self.bytes, image::ImageFormat::Jpeg)
                    .map_err(|error| PhotoError::Unreadable(error.to_string()))?;
                let mut out = std::io::Cursor::new(Vec::new());
                decoded
                    .write_to(&mut out, image::ImageFormat::Png)
                    .map_err(|error| PhotoError::Unreadable(error.to_string()))?;
                Ok(out.into_inner())
            }
        }
    }
}

/// Walks a JPEG's segments and scans to its end-of-image marker (bytes after it, such as
/// trailing maker data, are allowed); `false` when the file ends first.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    loop {
        // Fill bytes before a marker are allowed.
        while bytes.get(at) == Some(&0xff) && bytes.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let (Some(&0xff), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else { return false };
        at += 2;
        match marker {
            0xd9 => return true,
            0x01 | 0xd0..=0xd7 => continue,
            _ => {}
        }
        let (Some(&high), Some(&low)) = (bytes.get(at), bytes.get(at + 1)) else { return false };
        let length = usize::from(high) << 8 | usize::from(low);
        if length < 2 {
            return false;
        }
        at += length;
        if marker == 0xda {
            // Entropy-coded data: runs to the next marker that is not a stuffed 0xff or a restart.
            loop {
                match (bytes.get(at), bytes.get(at + 1)) {
                    (Some(&0xff), Some(&next)) if next == 0x00 || (0xd0..=0xd7).contains(&next) => at += 2,
                    (Some(&0xff), Some(_)) => break,
                    (Some(_), _) => at += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}

impl Image {
    /// A checked photo printed at most `max_width_mm` wide and 100 mm high, keeping its aspect.
    pub fn photo(raster: Raster, alt: String, max_width_mm: u32) -> Image {
        let (w, h) = (u64::from(raster.width_px.max(1)), u64::from(raster.height_px.max(1)));
        let mut width = u64::from(max_width_mm.max(10));
        let mut height = width * h / w;
        if height > 100 {
            height = 100;
            width = (100 * w / h).max(10);
        }
        Image { svg: None, raster: Some(raster), width_mm: width as u32, height_mm: height.max(10) as u32, alt }
    }
}

/// A numbered, captioned item: a table, a figure or a case study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    /// Anchor for cross-references and catalogues, e.g. `tab-3`.
    pub anchor: String,
    /// e.g. “表 3”, “附表 1”, “图 2”, “案例 4”.
    pub number: String,
    pub text: String,
}

impl Caption {
    /// “表 3 在校生与招生人数”.
    pub fn full(&self) -> String {
        format!("{} {}", self.number, self.text)
    }
}

/// Text within a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// A number (or phrase) computed from data; `source` says from what (for tracing).
    Bound {
        text: String,
        source: String,
    },
    /// A cross-reference to a numbered item, already resolved to its number.
    Reference {
        anchor: String,
        text: String,
    },
    Strong(String),
}

/// A figure inside a case study, or on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub caption: Caption,
    pub image: Image,
}

/// The kinds of catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueKind {
    Contents,
    Tables,
    Figures,
    Cases,
}

impl CatalogueKind {
    pub fn title(self) -> &'static str {
        match self {
            CatalogueKind::Contents => "目录",
            CatalogueKind::Tables => "表目录",
            CatalogueKind::Figures => "图目录",
            CatalogueKind::Cases => "案例目录",
        }
    }
}

/// One block of the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading { level: u8, number: Option<String>, text: String, anchor: String },
    Paragraph(Vec<Inline>),
    Note(Vec<Inline>),
    Table { caption: Caption, view: TableView, appendix: bool },
    Figure(Figure),
    Case { caption: Caption, school: String, paragraphs: Vec<Vec<Inline>>, figures: Vec<Figure> },
    Catalogue(CatalogueKind),
    PageBreak,
}

/// One line of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub anchor: String,
    pub level: u8,
    /// As printed in the catalogue: “1.1 规模和结构”, “表 1 在校生与招生人数”.
    pub text: String,
}

impl Report {
    /// The contents down to `deepest` heading level (the printed catalogues go to level 2; the
    /// DOCX's TOC field, which Word rebuilds, to level 3).
    pub fn contents(&self, deepest: u8) -> Vec<CatalogueEntry> {
        self.blocks
            .iter()
            .filter_map(|block| match block {
                Block::Heading { level, number, text, anchor } if *level <= deepest => Some(CatalogueEntry {
                    anchor: anchor.clone(),
                    level: *level,
                    text: heading_text(number.as_deref(), text),
                }),
                _ => None,
            })
            .collect()
    }

    /// The entries of a catalogue, generated from the content: they always equal the body.
    pub fn catalogue(&self, kind: CatalogueKind) -> Vec<CatalogueEntry> {
        if kind == CatalogueKind::Contents {
            return self.contents(2);
        }
        let mut entries = Vec::new();
        for block in &self.blocks {
            match (kind, block) {
                (CatalogueKind::Tables, Block::Table { caption, .. }) => {
                    entries.push(CatalogueEntry { anchor: caption.anchor.clone(), level: 1, text: caption.full() })
                }
                (CatalogueKind::Figures, Block::Figure(figure)) => entries.push(CatalogueEntry {
                    anchor: figure.caption.anchor.clone(),
                    level: 1,
                    text: figure.caption.full(),
                }),
                (CatalogueKind::Figures, Block::Case { figures, .. }) => {
                    for figure in figures {
                        entries.push(CatalogueEntry {
                            anchor: figure.caption.anchor.clone(),
                            level: 1,
                            text: figure.caption.full(),
                        });
                    }
                }
                (CatalogueKind::Cases, Block::Case { caption, .. }) => {
                    entries.push(CatalogueEntry { anchor: caption.anchor.clone(), level: 1, text: caption.full() })
                }
                _ => {}
            }
        }
        entries
    }

    /// Every table of the report, in order.
    pub fn tables(&self) -> impl Iterator<Item = (&Caption, &TableView)> {
        self.blocks.iter().filter_map(|block| match block {
            Block::Table { caption, view, .. } => Some((caption, view)),
            _ => None,
        })
    }
}

/// A heading as printed: “1.1 规模和结构”, or the text alone when unnumbered.
pub fn heading_text(number: Option<&str>, text: &str) -> String {
    match number {
        Some(number) => format!("{number} {text}"),
        None => text.to_string(),
    }
}

/// The plain text of inline content.
pub fn plain_text(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) | Inline::Strong(text) => text.as_str(),
            Inline::Bound { text, .. } | Inline::Reference { text, .. } => text.as_str(),
        })
        .collect()
}

/// What a report's figures rest on, for its data note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataBasis {
    /// The report is a school's own.
    pub school_report: bool,
    /// Schools under the report's org unit, and how many of their returns are approved or
    /// submitted (awaiting review) in the report year.
    pub schools: usize,
    pub approved: usize,
    pub submitted: usize,
    /// Built from every school's current values, unreviewed ones included (a preview).
    pub drafts: bool,
    /// Why it was published over open problems (printed as it was given).
    pub override_note: Option<String>,
}

impl Report {
    /// Puts the data note before the first heading: what the figures rest on.
    pub fn add_data_note(&mut self, basis: &DataBasis) {
        let year = self.year;
        let mut lines = Vec::new();
        if basis.drafts {
            lines
                .push("预览稿：本稿含尚未审核通过的学校填报数据（草稿），仅供核对，不能作为正式报告发布。".to_string());
        }
        if basis.school_report {
            if basis.approved == 1 {
                lines.push(format!("数据说明：本报告数据为本校 {year} 年度填报并经审核通过的数据。"));
            } else {
                lines.push(format!("数据说明：本校 {year} 年度填报数据尚未审核通过。"));
            }
        } else {
            let mut counts = format!("已审核通过 {} 所", basis.approved);
            if basis.submitted > 0 {
                counts.push_str(&format!("、已提交待审核 {} 所", basis.submitted));
            }
            let others = basis.schools.saturating_sub(basis.approved + basis.submitted);
            if others > 0 {
                counts.push_str(&format!("、尚未提交 {others} 所"));
            }
            let rests_on = if basis.drafts {
                "汇总数据含各校当前填报数据（含未审核）"
            } else {
                "汇总数据只含已审核通过学校的数据"
            };
            lines.push(format!(
                "数据说明：{}共有中职学校 {} 所，{year} 年度填报{counts}；{rests_on}。",
                self.org_name, basis.schools
            ));
        }
        if let Some(note) = basis.override_note.as_deref().filter(|n| !n.trim().is_empty()) {
            lines.push(format!("发布说明：{}", note.trim()));
        }
        let at = self.blocks.iter().position(|b| matches!(b, Block::Heading { .. })).unwrap_or(0);
        for (offset, line) in lines.into_iter().enumerate() {
            self.blocks.insert(at + offset, Block::Note(vec![Inline::Text(line)]));
        }
    }
}
