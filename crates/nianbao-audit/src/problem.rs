//! What an audit finds, as typed values with their place, and the one place where each is worded,
//! in Chinese and in English.

use crate::structure::{CaptionKind, CatalogueKind, Place};
use nianbao_core::Severity;

/// One thing that does not add up in a published report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// A catalogue entry's title differs from the caption or heading of the same number.
    CatalogueTitleDiffers {
        catalogue: CatalogueKind,
        entry: String,
        body: String,
    },
    /// A catalogue entry names nothing in the body.
    CatalogueEntryNotInBody {
        catalogue: CatalogueKind,
        entry: String,
    },
    /// A caption or heading of the body is missing from its catalogue.
    MissingFromCatalogue {
        catalogue: CatalogueKind,
        body: String,
    },
    /// Entries in another order than the body.
    CatalogueOrder {
        catalogue: CatalogueKind,
        entry: String,
    },
    /// The page a catalogue gives is not the page the item is printed on.
    CataloguePage {
        catalogue: CatalogueKind,
        entry: String,
        listed: u32,
        printed: u32,
    },
    /// Numbering of 表/附表/图/案例 with a gap or out of order.
    NumberingGap {
        kind: CaptionKind,
        expected: u32,
        found: u32,
    },
    NumberingDuplicate {
        kind: CaptionKind,
        number: u32,
    },
    /// A chapter of the national outline is not in the report.
    ChapterMissing {
        chapter: String,
    },
    /// A caption names a year its figures are not of.
    CaptionYear {
        table: String,
        caption_year: i32,
        figures_year: i32,
        evidence: String,
    },
    /// A number stated in the text differs from the table's figure of the same quantity.
    TextNumber {
        quantity: String,
        stated: String,
        table_value: String,
        table: String,
        year: i32,
        excerpt: String,
    },
    /// Arithmetic stated in the text does not follow from its operands.
    TextArithmetic {
        excerpt: String,
        stated: String,
        computed: String,
    },
    /// A percentage above 100 printed for a percentage that cannot exceed it.
    PercentageOver100 {
        table: String,
        label: String,
        year: i32,
        text: String,
    },
    /// One row printed with different decimals in its year columns.
    InconsistentDecimals {
        table: String,
        label: String,
        texts: Vec<String>,
    },
    /// A printed table that is none of the framework's.
    UnknownTable {
        caption: String,
    },
    /// One quantity printed with two different values: (table and text) of each.
    PrintedDifferently {
        label: String,
        year: i32,
        first: String,
        other: String,
    },
    /// The units' figures in a comparison do not add up to the org unit's own.
    ComparisonSum {
        table: String,
        column: String,
        sum: String,
        total: String,
    },
    /// A printed row that matches no indicator of its table.
    UnknownRow {
        table: String,
        label: String,
    },
    /// A printed cell that is no value.
    UnreadableValue {
        table: String,
        label: String,
        text: String,
    },
    /// A validation rule of the framework fails on the rebuilt data (its own messages).
    Rule {
        rule: String,
        message_zh: String,
        message_en: String,
        /// The cells it involves, in each language.
        cells_zh: String,
        cells_en: String,
    },
}

/// A problem at its place, with how certain it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFinding {
    pub severity: Severity,
    pub place: Option<Place>,
    pub problem: AuditProblem,
}

impl AuditProblem {
    /// A short name of the kind of problem, for JSON and for counting.
    pub fn code(&self) -> &'static str {
        match self {
            AuditProblem::CatalogueTitleDiffers { .. } => "catalogue_title",
            AuditProblem::CatalogueEntryNotInBody { .. } => "catalogue_entry_not_in_body",
            AuditProblem::MissingFromCatalogue { .. } => "missing_from_catalogue",
            AuditProblem::CatalogueOrder { .. } => "catalogue_order",
            AuditProblem::CataloguePage { .. } => "catalogue_page",
            AuditProblem::NumberingGap { .. } => "numbering_gap",
            AuditProblem::NumberingDuplicate { .. } => "numbering_duplicate",
            AuditProblem::ChapterMissing { .. } => "chapter_missing",
            AuditProblem::CaptionYear { .. } => "caption_year",
            AuditProblem::TextNumber { .. } => "text_number",
            AuditProblem::TextArithmetic { .. } => "text_arithmetic",
            AuditProblem::PercentageOver100 { .. } => "percentage_over_100",
            AuditProblem::InconsistentDecimals { .. } => "inconsistent_decimals",
            AuditProblem::UnknownTable { .. } => "unknown_table",
            AuditProblem::UnknownRow { .. } => "unknown_row",
            AuditProblem::ComparisonSum { .. } => "comparison_sum",
            AuditProblem::PrintedDifferently { .. } => "printed_differently",
            AuditProblem::UnreadableValue { .. } => "unreadable_value",
            AuditProblem::Rule { .. } => "rule",
        }
    }

    pub fn message_zh(&self) -> String {
        use AuditProblem as P;
        match self {
            P::CatalogueTitleDiffers { catalogue, entry, body } => {
                format!("{}中为“{entry}”，正文中为“{body}”，两者应一致", catalogue.title_zh())
            }
            P::CatalogueEntryNotInBody { catalogue, entry } => {
                format!("{}中的“{entry}”在正文中找不到", catalogue.title_zh())
            }
            P::MissingFromCatalogue { catalogue, body } => format!("正文中的“{body}”没有列入{}", catalogue.title_zh()),
            P::CatalogueOrder { catalogue, entry } => format!("{}中“{entry}”的顺序与正文不一致", catalogue.title_zh()),
            P::CataloguePage { catalogue, entry, listed, printed } => {
                format!("{}中“{entry}”标为第 {listed} 页，正文中在第 {printed} 页", catalogue.title_zh())
            }
            P::NumberingGap { kind, expected, found } => {
                format!(
                    "{}的编号不连续：应为{} {expected}，实为{} {found}",
                    kind.prefix(),
                    kind.prefix(),
                    kind.prefix()
                )
            }
            P::NumberingDuplicate { kind, number } => format!("{} {number} 的编号重复", kind.prefix()),
            P::ChapterMissing { chapter } => format!("缺少国家年报提纲要求的“{chapter}”部分"),
            P::CaptionYear { table, caption_year, figures_year, evidence } => {
                format!("{table}的标题年份为 {caption_year} 年，但表中数字是 {figures_year} 年的（{evidence}）")
            }
            P::TextNumber { quantity, stated, table_value, table, year, excerpt } => {
                format!("正文称{quantity} {stated}，{table} {year} 年为 {table_value}，两者应一致（“{excerpt}”）")
            }
            P::TextArithmetic { excerpt, stated, computed } => {
                format!("正文所述“{stated}”与其数字不符，按文中数字应为 {computed}（“{excerpt}”）")
            }
            P::PercentageOver100 { table, label, year, text } => {
                format!("{table}“{label}”{year} 年为 {text}%，超过 100%")
            }
            P::InconsistentDecimals { table, label, texts } => {
                format!("{table}“{label}”一行的小数位数不一致：{}", texts.join("、"))
            }
            P::UnknownTable { caption } => format!("“{caption}”不是指标体系中的表，其数字未核对"),
            P::UnknownRow { table, label } => format!("{table}中的“{label}”一行无法对应到指标体系的指标，其数字未核对"),
            P::ComparisonSum { table, column, sum, total } => {
                format!("{table}中各单位的“{column}”之和为 {sum}，合计一行为 {total}，两者不符")
            }
            P::PrintedDifferently { label, year, first, other } => {
                format!("{year} 年的“{label}”印了两个不同的数：{first}，{other}")
            }
            P::UnreadableValue { table, label, text } => format!("{table}“{label}”中的“{text}”不是数值"),
            P::Rule { message_zh, cells_zh, .. } => {
                if cells_zh.is_empty() {
                    message_zh.clone()
                } else {
                    format!("{message_zh}（{cells_zh}）")
                }
            }
        }
    }

    pub fn message_en(&self) -> String {
        use AuditProblem as P;
        match self {
            P::CatalogueTitleDiffers { catalogue, entry, body } => {
                format!("the {} says “{entry}” where the body says “{body}”", catalogue.title_en())
            }
            P::CatalogueEntryNotInBody { catalogue, entry } => {
                format!("“{entry}” in the {} is not in the body", catalogue.title_en())
            }
            P::MissingFromCatalogue { catalogue, body } => {
                format!("“{body}” of the body is not in the {}", catalogue.title_en())
            }
            P::CatalogueOrder { catalogue, entry } => {
                format!("“{entry}” is out of order in the {}", catalogue.title_en())
            }
            P::CataloguePage { catalogue, entry, listed, printed } => {
                format!("the {} puts “{entry}” on page {listed}; it is printed on page {printed}", catalogue.title_en())
            }
            P::NumberingGap { kind, expected, found } => {
                format!("{} numbers are not continuous: {expected} expected, {found} found", kind.name_en())
            }
            P::NumberingDuplicate { kind, number } => format!("{} {number} is numbered twice", kind.name_en()),
            P::ChapterMissing { chapter } => format!("the national outline's chapter “{chapter}” is missing"),
            P::CaptionYear { table, caption_year, figures_year, evidence } => {
                format!("{table} is captioned {caption_year}, but its figures are {figures_year}'s ({evidence})")
            }
            P::TextNumber { quantity, stated, table_value, table, year, excerpt } => {
                format!("the text gives {quantity} as {stated}; {table} gives {table_value} for {year} (“{excerpt}”)")
            }
            P::TextArithmetic { excerpt, stated, computed } => {
                format!("“{stated}” in the text does not follow from its numbers, which give {computed} (“{excerpt}”)")
            }
            P::PercentageOver100 { table, label, year, text } => {
                format!("{table} “{label}” {year} is {text}%, above 100%")
            }
            P::InconsistentDecimals { table, label, texts } => {
                format!("{table} “{label}” is printed with different decimals: {}", texts.join(", "))
            }
            P::UnknownTable { caption } => {
                format!("“{caption}” is no table of the framework; its figures were not checked")
            }
            P::UnknownRow { table, label } => {
                format!("the row “{label}” of {table} matches no indicator; its figures were not checked")
            }
            P::ComparisonSum { table, column, sum, total } => {
                format!("in {table} the units' “{column}” add up to {sum}, but the total row says {total}")
            }
            P::PrintedDifferently { label, year, first, other } => {
                format!("“{label}” of {year} is printed as two different numbers: {first}; {other}")
            }
            P::UnreadableValue { table, label, text } => format!("“{text}” in {table} “{label}” is not a value"),
            P::Rule { message_en, cells_en, .. } => {
                if cells_en.is_empty() {
                    message_en.clone()
                } else {
                    format!("{message_en} ({cells_en})")
                }
            }
        }
    }

    pub fn message(&self, english: bool) -> String {
        if english { self.message_en() } else { self.message_zh() }
    }
}

/// A place as people read it: “第 7 页（第 123 行）” / “page 7 (line 123)”; without pages, the line.
pub fn place_text(place: &Place, printed_page: Option<u32>, english: bool) -> String {
    match (place.page, english) {
        (Some(page), false) => {
            let shown = printed_page.map(|p| format!("，页码 {p}")).unwrap_or_default();
            format!("第 {page} 页{shown}（第 {} 行）", place.line)
        }
        (Some(page), true) => {
            let shown = printed_page.map(|p| format!(", numbered {p}")).unwrap_or_default();
            format!("page {page}{shown} (line {})", place.line)
        }
        (None, false) => format!("第 {} 行", place.line),
        (None, true) => format!("line {}", place.line),
    }
}
