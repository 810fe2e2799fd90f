//! One renderer per output format, each over the same [`Report`](crate::document::Report):
//! `html`, `markdown`, `docx`, `pdf`.

pub mod docx;
pub mod html;
pub mod markdown;
mod ooxml_order;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod raster;

use std::path::PathBuf;

/// Options shared by the renderers.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Extra folders to look for fonts in (PDF and rasterised charts), beside the system fonts.
    pub font_dirs: Vec<PathBuf>,
    /// Leave the system's fonts out (the bundled CJK subsets are used): what a machine without
    /// fonts sees. For tests.
    pub without_system_fonts: bool,
    /// The PDF's page: the official document layout by default, or plain A4.
    pub page: PageStyle,
}

/// How a printed page is set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PageStyle {
    /// GB/T 9704 (党政机关公文格式) style: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm
    /// right; page numbers “— 7 —” at the foot; none on the cover.
    #[default]
    Official,
    /// A4 with 25 mm margins and a bare page number.
    PlainA4,
}

/// The bundled CJK fonts (SIL OFL 1.1, see `fonts/LICENSE-OFL.txt`): Noto Sans and Serif CJK SC
/// subset to GB 2312 plus every character of the bundled texts. Used when no CJK font is installed.
pub const BUNDLED_FONTS: [&[u8]; 2] = [
    include_bytes!("../../fonts/NotoSansSC-Regular-subset.otf"),
    include_bytes!("../../fonts/NotoSerifSC-Regular-subset.otf"),
];

/// The heading font list (黑体 first) and the body font list (仿宋 first), with fallbacks that
/// exist on Linux (Noto CJK) and on Windows; the cover title's list (方正小标宋, the face of
/// bureau documents' titles, then 华文中宋, then a bold serif).
pub const HEADING_FONTS: [&str; 4] = ["SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei"];
pub const BODY_FONTS: [&str; 5] = ["FangSong", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun"];
pub const TITLE_FONTS: [&str; 7] = [
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "FZXiaoBiaoSong-B05",
    "STZhongsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "SimSun",
];

/// What each kind of text is set in: the face wanted and the face found (the first of its list
/// that is installed), for the editor to see when a fallback was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontUse {
    /// 标题, 章节标题 or 正文.
    pub role: &'static str,
    pub wanted: &'static str,
    pub used: Option<String>,
    /// The face used is a fallback (or none of the list is installed).
    pub fallback: bool,
}
