//! The indicator framework: tables, indicators, the 其中 hierarchy and aggregation rules, as data.

use crate::diagnostic::Diagnostics;
use crate::unit::Unit;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Position of an indicator in [`Framework::indicators`]; stable for one loaded framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndicatorIndex(pub usize);

/// What sort of quantity an indicator holds; drives validation, aggregation defaults and formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A whole number of persons, items, hours…
    Count,
    /// A non-negative measured quantity that may have decimals (area, bandwidth, per-student values).
    Amount,
    /// A percentage, 0–100 unless declared otherwise.
    Percentage,
    /// A ratio printed as its first term (生师比 17.86 means 17.86:1).
    Ratio,
    /// An amount of money.
    Money,
    /// Free text (survey methods and the like).
    Text,
}

impl Kind {
    pub const NAMES: [&'static str; 6] = ["count", "amount", "percentage", "ratio", "money", "text"];

    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "count" => Kind::Count,
            "amount" => Kind::Amount,
            "percentage" => Kind::Percentage,
            "ratio" => Kind::Ratio,
            "money" => Kind::Money,
            "text" => Kind::Text,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Amount => "amount",
            Kind::Percentage => "percentage",
            Kind::Ratio => "ratio",
            Kind::Money => "money",
            Kind::Text => "text",
        }
    }

    /// Display decimals when the framework does not declare them.
    pub fn default_decimals(self) -> u32 {
        match self {
            Kind::Count | Kind::Text => 0,
            Kind::Amount | Kind::Percentage | Kind::Ratio | Kind::Money => 2,
        }
    }

    pub fn is_numeric(self) -> bool {
        self != Kind::Text
    }
}

/// How a 其中 row relates to its parent row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// One part of a breakdown of the parent: parts do not overlap (see [`Breakdown`]).
    Part,
    /// A subset of the parent that may overlap its siblings; it never exceeds the parent.
    Subset,
    /// A related measure of the parent (a rate of it, a facet of it); no numeric relation implied.
    Aspect,
}

impl Relation {
    pub const NAMES: [&'static str; 3] = ["part", "subset", "aspect"];
    pub fn from_name(name: &str) -> Option<Relation> {
        Some(match name {
            "part" => Relation::Part,
            "subset" => Relation::Subset,
            "aspect" => Relation::Aspect,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Relation::Part => "part",
            Relation::Subset => "subset",
            Relation::Aspect => "aspect",
        }
    }
}

/// Whether the `part` children of a row add up to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Breakdown {
    /// The parts add up exactly to the parent.
    Exhaustive,
    /// The parts do not overlap but may leave a remainder: their sum is at most the parent.
    Partial,
}

impl Breakdown {
    pub const NAMES: [&'static str; 2] = ["exhaustive", "partial"];
    pub fn from_name(name: &str) -> Option<Breakdown> {
        Some(match name {
            "exhaustive" => Breakdown::Exhaustive,
            "partial" => Breakdown::Partial,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Breakdown::Exhaustive => "exhaustive",
            Breakdown::Partial => "partial",
        }
    }
}

/// How the respondent counts (调查人次) of a survey row's children relate to its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RespondentBreakdown {
    /// Every child was asked of the same respondents: equal counts.
    Equal,
    /// The children's respondents are disjoint groups that make up the parent's.
    Exhaustive,
}

/// How the values of an org unit's descendants combine into its own value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregation {
    Sum,
    /// Mean of the children's values weighted by another indicator's values.
    WeightedMean {
        by: IndicatorIndex,
    },
    /// Recomputed from summed parts: `scale × Σ numerator ÷ Σ denominator`.
    Ratio {
        numerator: IndicatorIndex,
        denominator: IndicatorIndex,
        scale: Decimal,
    },
    Max,
    Min,
    /// Number of descendant schools, optionally only those whose attribute has one of the values.
    CountOrgs {
        attribute: Option<String>,
        values: Vec<String>,
    },
    /// Not aggregable: only a value entered at that level counts.
    NotAggregable,
}

/// How a table is laid out when printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableLayout {
    /// One printed row per indicator, one column per year (附表 style).
    IndicatorRows,
    /// One printed row per year, one column per indicator (表 1 style).
    YearRows,
    /// One row of values for the report year, indicators as (grouped) columns (表 2 style).
    SingleRow,
    /// One row per org unit under the report's (its schools, or its counties), then the report's
    /// own figure; one column per indicator; the report year. A report's comparison of its units
    /// ([`crate::table_view::TableView::compare`]), never a framework table's layout (it has no
    /// name in [`TableLayout::NAMES`]).
    OrgRows,
}

impl TableLayout {
    pub const NAMES: [&'static str; 3] = ["indicator-rows", "years-as-rows", "single-row"];
    pub fn from_name(name: &str) -> Option<TableLayout> {
        Some(match name {
            "indicator-rows" => TableLayout::IndicatorRows,
            "years-as-rows" => TableLayout::YearRows,
            "single-row" => TableLayout::SingleRow,
            _ => return None,
        })
    }
}

/// An extra printed column of a table beyond the year columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtraColumn {
    /// 调查方式: a text companion indicator `<id>.method`.
    SurveyMethod,
    /// 调查人次: a count companion indicator `<id>.respondents`.
    Respondents,
}

impl ExtraColumn {
    pub const NAMES: [&'static str; 2] = ["survey_method", "respondents"];
    pub fn from_name(name: &str) -> Option<ExtraColumn> {
        Some(match name {
            "survey_method" => ExtraColumn::SurveyMethod,
            "respondents" => ExtraColumn::Respondents,
            _ => return None,
        })
    }
    pub fn header(self) -> &'static str {
        match self {
            ExtraColumn::SurveyMethod => "调查方式",
            ExtraColumn::Respondents => "调查人次",
        }
    }
    pub fn header_en(self) -> &'static str {
        match self {
            ExtraColumn::SurveyMethod => "survey method",
            ExtraColumn::Respondents => "respondents",
        }
    }
    /// The suffix of the companion indicator id.
    pub fn suffix(self) -> &'static str {
        match self {
            ExtraColumn::SurveyMethod => "method",
            ExtraColumn::Respondents => "respondents",
        }
    }
}

/// One indicator (one printed row, or a companion value of a row).
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    /// The label as printed, without a 其中： prefix.
    pub label: String,
    /// Whether the printed row starts with “其中：”.
    pub qizhong: bool,
    /// Column header when the table prints indicators as columns (defaults to the label).
    pub header: Option<String>,
    /// Column group header in a single-row table (e.g. 校本部教职工).
    pub group: Option<String>,
    pub name_en: String,
    /// `None` only for text indicators.
    pub unit: Option<Unit>,
    pub kind: Kind,
    pub decimals: u32,
    pub parent: Option<IndicatorIndex>,
    pub relation: Option<Relation>,
    pub breakdown: Option<Breakdown>,
    pub respondent_breakdown: Option<RespondentBreakdown>,
    pub definition: String,
    pub aggregation: Aggregation,
    /// Percentages that may exceed 100 (target completion rates).
    pub allow_over_100: bool,
    /// Index into [`Framework::tables`].
    pub table: usize,
    /// For a generated companion (调查方式/调查人次): the row it belongs to.
    pub companion_of: Option<(IndicatorIndex, ExtraColumn)>,
    /// Year-over-year check: `None` uses the framework default for the kind; `Some(None)`
    /// disables it; `Some(Some(t))` sets the threshold (percent change, or percentage points for
    /// percentages).
    pub year_over_year: Option<Option<Decimal>>,
    /// The org levels that must report this figure (completeness); empty: optional everywhere.
    /// A copy (`same_as`) is never required itself: its primary is.
    pub required_at: Vec<crate::dataset::OrgLevel>,
    /// This row prints the same quantity as another indicator (declared once, shown in both
    /// places): forms and templates ask for the primary only, and a copy with no value of its own
    /// shows the primary's. A copy that does hold a value of its own (a published dataset that
    /// printed both) keeps it, and the cross-table rule compares the two.
    pub same_as: Option<IndicatorIndex>,
    /// Line of the indicator's `id` in the framework file, for messages.
    pub line: usize,
}

impl Indicator {
    /// The row label exactly as printed, with its 其中： prefix where printed.
    pub fn printed_label(&self) -> String {
        if self.qizhong { format!("其中：{}", self.label) } else { self.label.clone() }
    }

    pub fn printed_unit(&self) -> &'static str {
        self.unit.map(Unit::printed).unwrap_or("")
    }

    pub fn column_header(&self) -> &str {
        self.header.as_deref().unwrap_or(&self.label)
    }

    /// Whether an org unit of `level` must report this figure.
    pub fn is_required_at(&self, level: crate::dataset::OrgLevel) -> bool {
        self.required_at.contains(&level)
    }

    /// Whether a clerk enters this figure (false for a copy of another row).
    pub fn is_entered(&self) -> bool {
        self.same_as.is_none()
    }
}

/// One table of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: String,
    /// e.g. “附表 1”; `None` for unnumbered data (figures stated in the narrative).
    pub number: Option<String>,
    /// Caption; may contain `{year}` and `{org}` placeholders.
    pub caption: String,
    pub caption_en: String,
    pub layout: TableLayout,
    /// Year columns printed: 2 = previous and report year, 1 = report year only.
    pub year_count: u32,
    pub appendix: bool,
    /// Whether the table is printed in the report (false: figures stated in the text).
    pub printed: bool,
    pub extra_columns: Vec<ExtraColumn>,
    /// Printed rows in order (companions are not rows).
    pub rows: Vec<IndicatorIndex>,
}

impl Table {
    /// The caption with `{year}` and `{org}` filled in.
    pub fn caption_for(&self, year: i32, org_name: &str) -> String {
        self.caption.replace("{year}", &year.to_string()).replace("{org}", org_name)
    }

    /// “附表 1 人才培养质量计分卡”, or just the caption when unnumbered.
    pub fn title_for(&self, year: i32, org_name: &str) -> String {
        match &self.number {
            Some(number) => format!("{number} {}", self.caption_for(year, org_name)),
            None => self.caption_for(year, org_name),
        }
    }
}

/// A loaded, checked framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    pub id: String,
    pub version: String,
    pub name: String,
    pub name_en: String,
    /// The notice the framework implements, e.g. 教职成司函〔2024〕29号.
    pub notice: String,
    pub notice_title: String,
    pub education_level: String,
    pub tables: Vec<Table>,
    pub indicators: Vec<Indicator>,
    /// Rules declared in the file (`[[rule]]`), in file order.
    pub rules: Vec<DeclaredRule>,
    pub validation: ValidationSettings,
    pub(crate) by_id: HashMap<String, IndicatorIndex>,
}

/// A rule written in the framework file: an equation or inequality within or across tables.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredRule {
    pub id: String,
    /// The condition as written.
    pub text: String,
    pub expr: crate::expr::Expr,
    pub severity: crate::diagnostic::Severity,
    pub message: String,
    pub message_en: String,
    /// Allowed difference for a top-level comparison (`a == b` passes when |a − b| ≤ tolerance).
    pub tolerance: Option<Decimal>,
    pub missing: crate::expr::MissingStrategy,
    pub line: usize,
}

/// Framework-wide validation settings (`[validation]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationSettings {
    /// Year-over-year: a relative change above this percentage is a warning (counts, amounts, money, ratios).
    pub year_over_year_percent: Decimal,
    /// Year-over-year: a change of a percentage above this many points is a warning.
    pub year_over_year_points: Decimal,
    /// Year-over-year changes are not checked when both years' values are below this magnitude.
    pub year_over_year_min_magnitude: Decimal,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            year_over_year_percent: Decimal::from(30),
            year_over_year_points: Decimal::from(10),
            year_over_year_min_magnitude: Decimal::from(10),
        }
    }
}

impl Framework {
    /// Parses and checks a framework file. `file_name` is used in messages only.
    /// On failure every problem found is returned, each with file, line and column.
    pub fn from_toml(file_name: &str, text: &str) -> Result<Framework, Diagnostics> {
        crate::framework_parse::parse(file_name, text)
    }

    pub fn indicator(&self, index: IndicatorIndex) -> &Indicator {
        &self.indicators[index.0]
    }

    pub fn lookup(&self, id: &str) -> Option<IndicatorIndex> {
        self.by_id.get(id).copied()
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.id == id)
    }

    /// Whether a form for an org unit of `level` asks for this row: a printed table asks for
    /// every row; an unprinted one (the figures a report's narrative states, mostly counted from
    /// the org tree or stated by the level above) only for what `level` must report.
    pub fn asks(&self, level: crate::dataset::OrgLevel, index: IndicatorIndex) -> bool {
        let indicator = self.indicator(index);
        self.tables[indicator.table].printed || indicator.is_required_at(level)
    }

    /// Whether a form for `level` shows `table` at all (it asks for at least one of its rows).
    pub fn table_asks(&self, level: crate::dataset::OrgLevel, table: &Table) -> bool {
        table.rows.iter().any(|&index| self.asks(level, index))
    }

    /// The children of a row, in printed order.
    pub fn children(&self, parent: IndicatorIndex) -> impl Iterator<Item = IndicatorIndex> + '_ {
        self.indicators
            .iter()
            .enumerate()
            .filter(move |(_, indicator)| indicator.parent == Some(parent))
            .map(|(index, _)| IndicatorIndex(index))
    }

    /// The companion indicator (调查方式 or 调查人次) of a row, when its table has that column.
    pub fn companion(&self, row: IndicatorIndex, column: ExtraColumn) -> Option<IndicatorIndex> {
        self.lookup(&format!("{}.{}", self.indicator(row).id, column.suffix()))
    }

    /// Depth of a row in the 其中 hierarchy (0 for a top-level row).
    pub fn depth(&self, index: IndicatorIndex) -> usize {
        let mut depth = 0;
        let mut current = self.indicator(index).parent;
        while let Some(parent) = current {
            depth += 1;
            if depth > self.indicators.len() {
                break;
            }
            current = self.indicator(parent).parent;
        }
        depth
    }

    /// Every (copy, primary) pair declared with `same_as`, in framework order.
    pub fn copies(&self) -> impl Iterator<Item = (IndicatorIndex, IndicatorIndex)> + '_ {
        self.indicators
            .iter()
            .enumerate()
            .filter_map(|(index, indicator)| indicator.same_as.map(|primary| (IndicatorIndex(index), primary)))
    }

    /// The indicators an org unit of `level` must report, in framework order.
    pub fn required_at(&self, level: crate::dataset::OrgLevel) -> impl Iterator<Item = IndicatorIndex> + '_ {
        self.indicators
            .iter()
            .enumerate()
            .filter(move |(_, indicator)| indicator.is_required_at(level))
            .map(|(index, _)| IndicatorIndex(index))
    }

    /// Number of printed rows across the appendix tables (附表).
    pub fn appendix_row_count(&self) -> usize {
        self.tables.iter().filter(|t| t.appendix).map(|t| t.rows.len()).sum()
    }
}
