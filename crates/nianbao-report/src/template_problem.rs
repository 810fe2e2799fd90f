//! What can be wrong when a report template is built against data, as typed values with their
//! line and column, and the one place where each is worded — in Chinese and in English.
//!
//! The template builder never writes a sentence: it records a [`TemplateProblem`]; the editor's
//! live preview, the publish gate and the CLI render it in the reader's language.

use crate::document::PhotoError;
use crate::template::PLACEHOLDERS;
use crate::validation_output::Language;
use nianbao_core::SourcePosition;
use std::fmt;

/// Why an image named in a template or a case cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    /// No image of that name is bundled or uploaded.
    NotFound,
    /// The file exists but cannot be read (the detail is the operating system's, for the log).
    CannotRead { detail: String },
    /// An SVG that is not UTF-8 text.
    SvgNotUtf8,
    /// A file type that reports cannot print.
    UnsupportedType,
    /// A PNG or JPEG that is not a whole image.
    Photo(PhotoError),
}

impl ImageProblem {
    fn message(&self, language: Language) -> String {
        let zh = language == Language::Chinese;
        match self {
            ImageProblem::NotFound => {
                if zh {
                    "找不到这个图片文件".into()
                } else {
                    "no such image".into()
                }
            }
            ImageProblem::CannotRead { detail } => {
                if zh {
                    "图片文件无法读取".into()
                } else {
                    format!("the file cannot be read ({detail})")
                }
            }
            ImageProblem::SvgNotUtf8 => {
                if zh {
                    "SVG 文件不是 UTF-8 文本".into()
                } else {
                    "the SVG is not UTF-8 text".into()
                }
            }
            ImageProblem::UnsupportedType => {
                if zh {
                    "图片须为 .svg、.png 或 .jpg 文件".into()
                } else {
                    "images must be .svg, .png or .jpg".into()
                }
            }
            ImageProblem::Photo(error) => error.message(language),
        }
    }
}

impl PhotoError {
    /// Why the bytes are no printable photo, and what to do, in `language`: said the same to a
    /// school uploading a case photo and to an editor whose template names one.
    pub fn message(&self, language: Language) -> String {
        let zh = language == Language::Chinese;
        match self {
            PhotoError::NotAnImage => {
                if zh {
                    "照片须为 PNG 或 JPEG 图片，请另存为其中一种格式后重新上传".into()
                } else {
                    "the photo must be a PNG or JPEG image; save it as one and upload it again".into()
                }
            }
            PhotoError::TooLarge { width, height, max } => {
                if zh {
                    format!("照片为 {width} × {height} 像素，超过 {max} 百万像素，请缩小后重新上传")
                } else {
                    format!(
                        "the photo is {width} × {height} pixels, more than {max} megapixels; shrink it and upload again"
                    )
                }
            }
            PhotoError::Unreadable(_) => {
                if zh {
                    "照片文件已损坏或不完整，无法读取，请重新导出后上传".into()
                } else {
                    "the photo file is damaged or incomplete; export it again and upload it".into()
                }
            }
        }
    }
}

/// One thing wrong with a template (or a narrative section, or a case) against its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateProblem {
    /// The settings between `+++` lines are not valid TOML or hold an unknown key; `detail` is the
    /// TOML reader's own (English) explanation, shown in English only.
    FrontMatter {
        detail: String,
    },
    FrontMatterNotClosed,
    HeadingLevel {
        found: usize,
    },
    HeadingAttribute {
        attribute: String,
    },
    BlockWithoutName,
    UnknownBlock {
        name: String,
    },
    TableWithoutId,
    UnknownTable {
        id: String,
        known: Vec<String>,
    },
    FigureWithoutCaption,
    Image {
        file: String,
        problem: ImageProblem,
    },
    NarrativeWithoutKey,
    UnknownNarrative {
        key: String,
        known: Vec<String>,
    },
    CaseWithoutKey,
    UnknownCase {
        key: String,
        known: Vec<String>,
    },
    Photo {
        file: String,
        problem: ImageProblem,
    },
    ChartWithoutCaption,
    ChartWithoutIndicator,
    /// `::: compare`, a `compare` chart, `most` or `least` in the report of an org unit with no
    /// units under it (a school).
    NothingToCompare {
        org: String,
    },
    CompareWithoutCaption,
    /// A `compare` chart's indicators print with different units or decimals (one axis).
    CompareChartMixed,
    UnknownChartKind {
        kind: String,
    },
    UnknownIndicatorInChart {
        id: String,
    },
    /// A figure the text needs is missing for the report's org unit and year.
    NoValue {
        id: String,
        label: String,
        org: String,
        year: i32,
    },
    /// A figure the text needs is marked not applicable (“—”) for the org unit and year.
    NotApplicable {
        id: String,
        label: String,
        org: String,
        year: i32,
    },
    UnclosedBinding,
    UnclosedParenthesis {
        expression: String,
    },
    UnknownIndicator {
        id: String,
        expression: String,
    },
    YearOffset {
        offset: String,
    },
    GrowthFromZero {
        id: String,
        label: String,
    },
    ShareOfZero {
        whole: String,
    },
    UnknownBinding {
        expression: String,
    },
    UnknownLabel {
        label: String,
    },
    /// A `{name}` in a cover text or caption that is no placeholder: it would be printed as is.
    UnknownPlaceholder {
        name: String,
    },
}

const BLOCKS: &str = "contents, list-of-tables, list-of-figures, list-of-cases, table, compare, chart, figure, narrative, case, appendix, pagebreak";
const BINDINGS: &str = "value(id[, -1]), prev(id), pct(id), money(id), diff(id), change(id), growth(id), share(part, whole), nonzero(id, \"…{}…\", \"…\"), most(id), least(id), ref(label), year, prev_year, org";

/// At most this many known names are listed after “unknown …”.
const LISTED_NAMES: usize = 12;

fn listed(names: &[String], separator: &str) -> String {
    let mut text = names.iter().take(LISTED_NAMES).cloned().collect::<Vec<_>>().join(separator);
    if names.len() > LISTED_NAMES {
        text.push_str(separator);
        text.push('…');
    }
    text
}

impl TemplateProblem {
    /// The problem in `language`, without its place.
    pub fn message(&self, language: Language) -> String {
        match language {
            Language::Chinese => self.message_zh(),
            Language::English => self.message_en(),
        }
    }

    fn message_zh(&self) -> String {
        use TemplateProblem as P;
        match self {
            P::FrontMatter { .. } => {
                "开头 +++ 之间的报告设置有误（只能有 title、issuer、date 三项，值须用英文引号括起）".into()
            }
            P::FrontMatterNotClosed => "开头的报告设置以 +++ 开始，但没有以 +++ 结束".into(),
            P::HeadingLevel { found } => format!("标题只能用 1 到 3 个 #，这里有 {found} 个"),
            P::HeadingAttribute { attribute } => {
                format!("标题后的 {{{attribute}}} 无法识别；不编号请写 {{-}}，加引用标签请写 {{#标签}}")
            }
            P::BlockWithoutName => "::: 之后须写块的名称（如 table、chart、narrative）".into(),
            P::UnknownBlock { name } => format!("没有名为“{name}”的块；可用的块：{BLOCKS}"),
            P::TableWithoutId => "::: table 之后须写表的编号（如 t1）".into(),
            P::UnknownTable { id, known } => format!("指标体系中没有表“{id}”；已有的表：{}", listed(known, "、")),
            P::FigureWithoutCaption => "::: figure 之后须写图片文件名和用英文引号括起的图题".into(),
            P::Image { file, problem } => format!("图片“{file}”无法使用：{}", problem.message(Language::Chinese)),
            P::NarrativeWithoutKey => "::: narrative 之后须写章节的名称".into(),
            P::UnknownNarrative { key, known } => {
                format!("正文中没有章节“{key}”；已有的章节：{}", listed(known, "、"))
            }
            P::CaseWithoutKey => "::: case 之后须写案例的名称".into(),
            P::UnknownCase { key, known } => format!("没有案例“{key}”；已有的案例：{}", listed(known, "、")),
            P::Photo { file, problem } => format!("案例照片“{file}”无法使用：{}", problem.message(Language::Chinese)),
            P::ChartWithoutCaption => {
                "::: chart 之后须写图的类型（pie、bar、line 或 compare）和用英文引号括起的图题".into()
            }
            P::ChartWithoutIndicator => "图至少要有一项指标".into(),
            P::NothingToCompare { org } => {
                format!("{org}下没有学校或下级单位，无法比较；学校报告请勿使用 compare、most 或 least")
            }
            P::CompareWithoutCaption => {
                "::: compare 之后须写用英文引号括起的表题，再写要比较的指标（如 t1.enrolled）".into()
            }
            P::CompareChartMixed => {
                "compare 图的各项指标须有相同的单位和小数位数（共用一条坐标轴），请分成几幅图".into()
            }
            P::UnknownChartKind { kind } => {
                format!(
                    "没有“{kind}”这种图；可用 pie（饼图）、bar（柱状图）、line（折线图）或 compare（各校对比柱状图）"
                )
            }
            P::UnknownIndicatorInChart { id } => format!("图中的指标“{id}”在指标体系中不存在"),
            P::NoValue { label, org, year, .. } => format!("{org} {year} 年的“{label}”没有数据"),
            P::NotApplicable { label, org, year, .. } => format!("{org} {year} 年的“{label}”填的是“不适用”，不能引用"),
            P::UnclosedBinding => "以 {{ 开始的引用没有以 }} 结束".into(),
            P::UnclosedParenthesis { expression } => format!("引用“{expression}”缺少结尾的右括号“)”"),
            P::UnknownIndicator { id, expression } => {
                format!("引用 {{{{ {expression} }}}} 中的指标“{id}”在指标体系中不存在")
            }
            P::YearOffset { offset } => format!("年份偏移“{offset}”须为 -50 到 0 之间的整数"),
            P::GrowthFromZero { label, .. } => format!("“{label}”上一年为 0，无法计算增长率"),
            P::ShareOfZero { whole } => format!("“{whole}”为 0，无法计算占比"),
            P::UnknownBinding { expression } => format!("无法识别的引用“{expression}”；可用：{BINDINGS}"),
            P::UnknownLabel { label } => format!("引用的标签“{label}”在报告中不存在"),
            P::UnknownPlaceholder { name } => format!(
                "“{{{name}}}”不是可用的占位符，会原样印出；可用：{}",
                PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join("、")
            ),
        }
    }

    fn message_en(&self) -> String {
        use TemplateProblem as P;
        match self {
            P::FrontMatter { detail } => format!("front matter: {detail}"),
            P::FrontMatterNotClosed => "the front matter opened with +++ is never closed".into(),
            P::HeadingLevel { found } => format!("headings have one to three '#', found {found}"),
            P::HeadingAttribute { attribute } => {
                format!("unknown heading attribute {{{attribute}}}; use {{-}} or {{#label}}")
            }
            P::BlockWithoutName => "a ::: line needs a block name".into(),
            P::UnknownBlock { name } => format!("unknown block {name:?}; blocks: {BLOCKS}"),
            P::TableWithoutId => "::: table needs a table id".into(),
            P::UnknownTable { id, known } => format!("unknown table {id:?}; tables: {}", listed(known, ", ")),
            P::FigureWithoutCaption => "::: figure needs a file and a \"caption\"".into(),
            P::Image { file, problem } => format!("image {file:?}: {}", problem.message(Language::English)),
            P::NarrativeWithoutKey => "::: narrative needs a section key".into(),
            P::UnknownNarrative { key, known } => {
                format!("no narrative section {key:?}; sections: {}", listed(known, ", "))
            }
            P::CaseWithoutKey => "::: case needs a case key".into(),
            P::UnknownCase { key, known } => format!("no case {key:?}; cases: {}", listed(known, ", ")),
            P::Photo { file, problem } => format!("photo {file:?}: {}", problem.message(Language::English)),
            P::ChartWithoutCaption => "::: chart needs a kind (pie, bar, line, compare) and a \"caption\"".into(),
            P::ChartWithoutIndicator => "a chart needs at least one indicator".into(),
            P::NothingToCompare { org } => {
                format!(
                    "{org} has no schools or units under it to compare; a school's report cannot use compare, most or least"
                )
            }
            P::CompareWithoutCaption => {
                "::: compare needs a \"caption\" and then the indicators to compare (e.g. t1.enrolled)".into()
            }
            P::CompareChartMixed => {
                "a compare chart's indicators must share their unit and decimals (one axis); make several charts".into()
            }
            P::UnknownChartKind { kind } => format!("unknown chart kind {kind:?}; expected pie, bar, line or compare"),
            P::UnknownIndicatorInChart { id } => format!("unknown indicator {id:?} in chart"),
            P::NoValue { id, org, year, .. } => format!("no value of {id} for {org} {year}"),
            P::NotApplicable { id, org, year, .. } => format!("{id} is not applicable for {org} {year}"),
            P::UnclosedBinding => "a binding opened with {{ is never closed".into(),
            P::UnclosedParenthesis { expression } => format!("expected ')' at the end of {expression:?}"),
            P::UnknownIndicator { id, expression } => format!("unknown indicator {id:?} in {{{{ {expression} }}}}"),
            P::YearOffset { offset } => format!("year offset {offset:?} must be a whole number from -50 to 0"),
            P::GrowthFromZero { id, .. } => format!("growth of {id} is undefined: the previous year's value is 0"),
            P::ShareOfZero { whole } => format!("share of a total that is 0 ({whole})"),
            P::UnknownBinding { expression } => format!("unknown binding {expression:?}; use {BINDINGS}"),
            P::UnknownLabel { label } => format!("reference to unknown label {label:?}"),
            P::UnknownPlaceholder { name } => format!(
                "{{{name}}} is not a placeholder and would be printed as is; placeholders: {}",
                PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// A problem at its place in the template or in a content section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDiagnostic {
    pub position: SourcePosition,
    pub problem: TemplateProblem,
}

impl TemplateDiagnostic {
    /// “第 l 行第 c 列：…” (or “line l, column c: …”), the place within its file or section.
    pub fn at_line(&self, language: Language) -> String {
        let message = self.problem.message(language);
        match language {
            Language::Chinese => format!("第 {} 行第 {} 列：{message}", self.position.line, self.position.column),
            Language::English => format!("line {}, column {}: {message}", self.position.line, self.position.column),
        }
    }

    /// With the file: “file:line:column：…”.
    pub fn with_file(&self, language: Language) -> String {
        let message = self.problem.message(language);
        match language {
            Language::Chinese => format!("{}：{message}", self.position),
            Language::English => format!("{}: error: {message}", self.position),
        }
    }
}

/// English, with the file, line and column: for logs and programmers.
impl fmt::Display for TemplateDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.with_file(Language::English))
    }
}

/// Every problem of one build, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateProblems(pub Vec<TemplateDiagnostic>);

impl TemplateProblems {
    pub fn iter(&self) -> impl Iterator<Item = &TemplateDiagnostic> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// One line per problem, with its file, in `language`.
    pub fn lines(&self, language: Language) -> Vec<String> {
        self.0.iter().map(|problem| problem.with_file(language)).collect()
    }
}

impl fmt::Display for TemplateProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.0 {
            writeln!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateProblems {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Chinese message is Chinese: no problem says an English sentence to a Chinese reader.
    #[test]
    fn chinese_messages_carry_no_english_sentence() {
        let photo = ImageProblem::Photo(PhotoError::Unreadable("Format error decoding Png".into()));
        let problems = vec![
            TemplateProblem::FrontMatter { detail: "unknown field `titel`, expected one of".into() },
            TemplateProblem::Image {
                file: "a.png".into(),
                problem: ImageProblem::CannotRead { detail: "No such file or directory".into() },
            },
            TemplateProblem::Photo { file: "b.jpg".into(), problem: photo },
            TemplateProblem::NoValue {
                id: "t1.enrolled".into(),
                label: "全日制在校生人数".into(),
                org: "某市".into(),
                year: 2024,
            },
            TemplateProblem::GrowthFromZero { id: "t1.enrolled".into(), label: "全日制在校生人数".into() },
        ];
        for problem in problems {
            let zh = problem.message(Language::Chinese);
            for english in ["field", "expected", "such", "decoding", "value of", "enrolled", "growth"] {
                assert!(!zh.contains(english), "{zh:?} carries {english:?}");
            }
            assert!(!problem.message(Language::English).is_empty());
        }
    }
}
