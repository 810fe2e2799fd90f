//! Reads a framework TOML file into a checked [`Framework`], reporting every problem with its position.

use crate::dataset::OrgLevel;
use crate::diagnostic::{Diagnostics, LineIndex, Severity};
use crate::expr::MissingStrategy;
use crate::framework::*;
use crate::unit::Unit;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use std::str::FromStr;
use toml::Spanned;

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    framework: RawMeta,
    #[serde(default, rename = "table")]
    tables: Vec<RawTable>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
    validation: Option<RawValidation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: S<String>,
    check: S<String>,
    severity: Option<S<String>>,
    message: S<String>,
    #[serde(default)]
    message_en: String,
    tolerance: Option<S<String>>,
    missing: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidation {
    year_over_year_percent: Option<S<String>>,
    year_over_year_points: Option<S<String>>,
    year_over_year_min_magnitude: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: S<String>,
    version: S<String>,
    name: String,
    #[serde(default)]
    name_en: String,
    notice: S<String>,
    #[serde(default)]
    notice_title: String,
    #[serde(default)]
    education_level: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    id: S<String>,
    number: Option<String>,
    caption: S<String>,
    #[serde(default)]
    caption_en: String,
    layout: Option<S<String>>,
    years: Option<S<i64>>,
    #[serde(default)]
    appendix: bool,
    printed: Option<bool>,
    #[serde(default)]
    columns: Vec<S<String>>,
    /// Org levels that must report every row of the table (rows may override).
    required: Option<Vec<S<String>>>,
    #[serde(default, rename = "indicator")]
    indicators: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: S<String>,
    label: S<String>,
    qizhong: Option<S<bool>>,
    header: Option<String>,
    group: Option<String>,
    #[serde(default)]
    en: String,
    unit: Option<S<String>>,
    kind: S<String>,
    decimals: Option<S<i64>>,
    parent: Option<S<String>>,
    relation: Option<S<String>>,
    breakdown: Option<S<String>>,
    respondent_breakdown: Option<S<String>>,
    #[serde(default)]
    definition: String,
    aggregate: Option<S<RawAggregate>>,
    allow_over_100: Option<S<bool>>,
    /// Year-over-year threshold as a decimal string, or `false` to disable the check.
    year_over_year: Option<S<toml::Value>>,
    /// Org levels that must report this row (overrides the table's `required`; `[]`: optional).
    required: Option<Vec<S<String>>>,
    /// The indicator this row prints again (one quantity, entered once).
    same_as: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    rule: S<String>,
    by: Option<S<String>>,
    numerator: Option<S<String>>,
    denominator: Option<S<String>>,
    scale: Option<S<toml::Value>>,
    attribute: Option<S<String>>,
    equals: Option<S<toml::Value>>,
}

/// An indicator reference to resolve once every id (including generated companions) is known.
enum PendingAggregation {
    Ready(Aggregation),
    WeightedMean(S<String>),
    Ratio(S<String>, S<String>, Decimal),
}

struct Pending {
    parent: Option<S<String>>,
    same_as: Option<S<String>>,
    aggregation: PendingAggregation,
    aggregation_offset: usize,
    id_offset: usize,
}

pub(crate) fn parse(file_name: &str, text: &str) -> Result<Framework, Diagnostics> {
    let lines = LineIndex::new(file_name, text);
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let offset = error.span().map(|span| span.start).unwrap_or(0);
            let message = error.message().trim().to_string();
            return Err(Diagnostics(vec![lines.error(offset, message)]));
        }
    };
    let mut problems = Diagnostics::default();
    let mut error = |offset: usize, message: String| problems.push(lines.error(offset, message));

    if raw.framework.id.get_ref().trim().is_empty() {
        error(raw.framework.id.span().start, "framework id must not be empty".into());
    }
    if raw.framework.version.get_ref().trim().is_empty() {
        error(raw.framework.version.span().start, "framework version must not be empty".into());
    }
    if raw.framework.notice.get_ref().trim().is_empty() {
        error(raw.framework.notice.span().start, "the notice the framework implements must be named".into());
    }

    let mut tables = Vec::new();
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_id: HashMap<String, IndicatorIndex> = HashMap::new();
    let mut table_ids: HashMap<String, usize> = HashMap::new();

    for raw_table in &raw.tables {
        let table_index = tables.len();
        let table_id = raw_table.id.get_ref().clone();
        if !is_valid_id(&table_id) {
            error(
                raw_table.id.span().start,
                format!("table id {table_id:?} must be lowercase ASCII letters, digits, '_' or '.'"),
            );
        }
        if let Some(previous) = table_ids.insert(table_id.clone(), table_index) {
            error(
                raw_table.id.span().start,
                format!("duplicate table id {table_id:?} (first used by table #{})", previous + 1),
            );
        }
        let layout = match &raw_table.layout {
            None => TableLayout::IndicatorRows,
            Some(name) => TableLayout::from_name(name.get_ref()).unwrap_or_else(|| {
                error(
                    name.span().start,
                    format!("unknown layout {:?}; expected one of {}", name.get_ref(), TableLayout::NAMES.join(", ")),
                );
                TableLayout::IndicatorRows
            }),
        };
        let year_count = match &raw_table.years {
            None => 2,
            Some(years) if (1..=2).contains(years.get_ref()) => *years.get_ref() as u32,
            Some(years) => {
                error(
                    years.span().start,
                    format!("years must be 1 (report year) or 2 (previous and report year), not {}", years.get_ref()),
                );
                2
            }
        };
        if layout == TableLayout::SingleRow && year_count != 1 {
            error(raw_table.id.span().start, "a single-row table prints one year: set years = 1".into());
        }
        let mut extra_columns = Vec::new();
        for column in &raw_table.columns {
            match ExtraColumn::from_name(column.get_ref()) {
                Some(extra) if extra_columns.contains(&extra) => {
                    error(column.span().start, format!("column {:?} listed twice", column.get_ref()))
                }
                Some(extra) => extra_columns.push(extra),
                None => error(
                    column.span().start,
                    format!(
                        "unknown extra column {:?}; expected one of {}",
                        column.get_ref(),
                        ExtraColumn::NAMES.join(", ")
                    ),
                ),
            }
        }
        if raw_table.indicators.is_empty() {
            error(raw_table.id.span().start, format!("table {table_id:?} has no indicators"));
        }
        let table_required =
            raw_table.required.as_ref().map(|levels| parse_levels(levels, &mut error)).unwrap_or_default();

        let mut rows = Vec::new();
        for raw_indicator in &raw_table.indicators {
            let id = raw_indicator.id.get_ref().clone();
            let id_offset = raw_indicator.id.span().start;
            if !is_valid_id(&id) {
                error(id_offset, format!("indicator id {id:?} must be lowercase ASCII letters, digits, '_' or '.'"));
            }
            let kind = Kind::from_name(raw_indicator.kind.get_ref()).unwrap_or_else(|| {
                error(
                    raw_indicator.kind.span().start,
                    format!(
                        "unknown kind {:?}; expected one of {}",
                        raw_indicator.kind.get_ref(),
                        Kind::NAMES.join(", ")
                    ),
                );
                Kind::Count
            });
            let unit = match &raw_indicator.unit {
                Some(unit) => match Unit::from_printed(unit.get_ref()) {
                    Some(known) => Some(known),
                    None => {
                        let known: Vec<&str> = Unit::ALL.iter().map(|u| u.printed()).collect();
                        error(
                            unit.span().start,
                            format!("unknown unit {:?}; known units: {}", unit.get_ref(), known.join(" ")),
                        );
                        None
                    }
                },
                None => {
                    if kind != Kind::Text {
                        error(id_offset, format!("indicator {id:?} has no unit (only text indicators may omit it)"));
                    }
                    None
                }
            };
            check_unit_fits_kind(unit, kind, &raw_indicator.unit, &mut error);
            let decimals = match &raw_indicator.decimals {
                None => kind.default_decimals(),
                Some(decimals) if (0..=6).contains(decimals.get_ref()) => {
                    if kind == Kind::Count && *decimals.get_ref() != 0 {
                        error(decimals.span().start, "a count is a whole number: decimals must be 0".into());
                    }
                    *decimals.get_ref() as u32
                }
                Some(decimals) => {
                    error(
                        decimals.span().start,
                        format!("decimals must be between 0 and 6, not {}", decimals.get_ref()),
                    );
                    kind.default_decimals()
                }
            };
            let relation = raw_indicator.relation.as_ref().and_then(|relation| {
                let parsed = Relation::from_name(relation.get_ref());
                if parsed.is_none() {
                    error(
                        relation.span().start,
                        format!(
                            "unknown relation {:?}; expected one of {}",
                            relation.get_ref(),
                            Relation::NAMES.join(", ")
                        ),
                    );
                }
                parsed
            });
            match (&raw_indicator.parent, &raw_indicator.relation) {
                (Some(parent), None) => error(
                    parent.span().start,
                    format!(
                        "indicator {id:?} has a parent but no relation; say whether it is a part, a subset or an aspect of {:?}",
                        parent.get_ref()
                    ),
                ),
                (None, Some(relation)) => {
                    error(relation.span().start, format!("indicator {id:?} declares a relation but no parent"))
                }
                _ => {}
            }
            let qizhong = raw_indicator.qizhong.as_ref().is_some_and(|q| *q.get_ref());
            let allow_over_100 = raw_indicator.allow_over_100.as_ref().is_some_and(|a| *a.get_ref());
            if let (true, Some(flag), None) = (qizhong, &raw_indicator.qizhong, &raw_indicator.parent) {
                error(flag.span().start, format!("indicator {id:?} is printed with 其中： but has no parent"));
            }
            let breakdown = raw_indicator.breakdown.as_ref().and_then(|breakdown| {
                let parsed = Breakdown::from_name(breakdown.get_ref());
                if parsed.is_none() {
                    error(
                        breakdown.span().start,
                        format!(
                            "unknown breakdown {:?}; expected one of {}",
                            breakdown.get_ref(),
                            Breakdown::NAMES.join(", ")
                        ),
                    );
                }
                parsed
            });
            let respondent_breakdown = raw_indicator.respondent_breakdown.as_ref().and_then(|value| {
                if !extra_columns.contains(&ExtraColumn::Respondents) {
                    error(value.span().start, format!("respondent_breakdown needs a table with the \"respondents\" column (table {table_id:?} has none)"));
                }
                match value.get_ref().as_str() {
                    "equal" => Some(RespondentBreakdown::Equal),
                    "exhaustive" => Some(RespondentBreakdown::Exhaustive),
                    other => {
                        error(value.span().start, format!("unknown respondent_breakdown {other:?}; expected equal or exhaustive"));
                        None
                    }
                }
            });
            if let (true, Some(flag)) = (allow_over_100 && kind != Kind::Percentage, &raw_indicator.allow_over_100) {
                error(flag.span().start, "allow_over_100 only applies to percentages".into());
            }
            let (aggregation, aggregation_offset) = match &raw_indicator.aggregate {
                Some(aggregate) => (parse_aggregation(aggregate, &mut error), aggregate.span().start),
                None => (PendingAggregation::Ready(default_aggregation(kind)), id_offset),
            };
            if let PendingAggregation::Ready(Aggregation::Sum) = aggregation
                && (!matches!(kind, Kind::Count | Kind::Money | Kind::Amount) || unit.is_some_and(is_intensive_unit))
            {
                let unit_text = unit.map(Unit::printed).unwrap_or("");
                error(
                    aggregation_offset,
                    format!(
                        "indicator {id:?} ({} in {unit_text:?}) cannot be summed up an org tree; declare aggregate = {{ rule = \"weighted_mean\", by = … }}, \"ratio\", \"max\" or \"none\"",
                        kind.name()
                    ),
                );
            }

            let required_at = match (&raw_indicator.required, &raw_indicator.same_as) {
                (Some(levels), Some(_)) if !levels.is_empty() => {
                    error(
                        levels[0].span().start,
                        format!("indicator {id:?} is a copy (same_as): its primary is required, not the copy"),
                    );
                    Vec::new()
                }
                (_, Some(_)) => Vec::new(),
                (Some(levels), None) => parse_levels(levels, &mut error),
                (None, None) => table_required.clone(),
            };
            let index = IndicatorIndex(indicators.len());
            match by_id.entry(id.clone()) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    error(
                        id_offset,
                        format!(
                            "duplicate indicator id {id:?} (first declared on line {})",
                            indicators[first.get().0].line
                        ),
                    );
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
            rows.push(index);
            indicators.push(Indicator {
                id: id.clone(),
                label: raw_indicator.label.get_ref().trim().to_string(),
                qizhong,
                header: raw_indicator.header.clone(),
                group: raw_indicator.group.clone(),
                name_en: raw_indicator.en.clone(),
                unit,
                kind,
                decimals,
                parent: None,
                relation,
                breakdown,
                respondent_breakdown,
                definition: raw_indicator.definition.clone(),
                aggregation: Aggregation::NotAggregable,
                allow_over_100,
                table: table_index,
                companion_of: None,
                year_over_year: raw_indicator.year_over_year.as_ref().map(|setting| match setting.get_ref() {
                    toml::Value::Boolean(false) => None,
                    toml::Value::String(text) => match Decimal::from_str(text) {
                        Ok(threshold) if threshold > Decimal::ZERO => Some(threshold),
                        _ => {
                            error(setting.span().start, format!("year_over_year {text:?} is not a positive decimal"));
                            None
                        }
                    },
                    _ => {
                        error(
                            setting.span().start,
                            "year_over_year is a decimal string such as \"50\" or false".into(),
                        );
                        None
                    }
                }),
                required_at,
                same_as: None,
                line: lines.position(id_offset).line,
            });
            if raw_indicator.label.get_ref().trim().is_empty() {
                error(raw_indicator.label.span().start, format!("indicator {id:?} has an empty label"));
            }
            pending.push(Pending {
                parent: raw_indicator.parent.clone(),
                same_as: raw_indicator.same_as.clone(),
                aggregation,
                aggregation_offset,
                id_offset,
            });
        }

        // Companion indicators for the extra columns (调查方式, 调查人次) of every row.
        for &row in &rows {
            for &column in &extra_columns {
                let owner = indicators[row.0].clone();
                let id = format!("{}.{}", owner.id, column.suffix());
                let index = IndicatorIndex(indicators.len());
                let id_offset = pending[row.0].id_offset;
                if by_id.insert(id.clone(), index).is_some() {
                    error(id_offset, format!("the generated companion id {id:?} clashes with a declared indicator"));
                }
                let (kind, unit, aggregation) = match column {
                    ExtraColumn::SurveyMethod => (Kind::Text, None, Aggregation::NotAggregable),
                    ExtraColumn::Respondents => (Kind::Count, Some(Unit::PersonTime), Aggregation::Sum),
                };
                indicators.push(Indicator {
                    id,
                    label: format!("{}（{}）", owner.label, column.header()),
                    qizhong: false,
                    header: Some(column.header().to_string()),
                    group: None,
                    name_en: format!("{}: {}", owner.name_en, column.header_en()),
                    unit,
                    kind,
                    decimals: 0,
                    parent: None,
                    relation: None,
                    breakdown: None,
                    respondent_breakdown: None,
                    definition: format!("{}的{}。", owner.label, column.header()),
                    aggregation: Aggregation::NotAggregable,
                    allow_over_100: false,
                    table: table_index,
                    companion_of: Some((row, column)),
                    year_over_year: None,
                    required_at: owner.required_at.clone(),
                    same_as: None,
                    line: owner.line,
                });
                pending.push(Pending {
                    parent: None,
                    same_as: None,
                    aggregation: PendingAggregation::Ready(aggregation),
                    aggregation_offset: id_offset,
                    id_offset,
                });
            }
        }

        tables.push(Table {
            id: table_id,
            number: raw_table.number.clone(),
            caption: raw_table.caption.get_ref().clone(),
            caption_en: raw_table.caption_en.clone(),
            layout,
            year_count,
            appendix: raw_table.appendix,
            printed: raw_table.printed.unwrap_or(true),
            extra_columns,
            rows,
        });
    }

    // Resolve references now that every id is known.
    let resolve = |name: &S<String>, what: &str, problems: &mut Vec<(usize, String)>| -> Option<IndicatorIndex> {
        let found = by_id.get(name.get_ref()).copied();
        if found.is_none() {
            problems.push((name.span().start, format!("{what} refers to unknown indicator {:?}", name.get_ref())));
        }
        found
    };
    let mut reference_problems = Vec::new();
    for (position, item) in pending.iter().enumerate() {
        if let Some(parent_name) = &item.parent
            && let Some(parent) = resolve(parent_name, "parent", &mut reference_problems)
        {
            indicators[position].parent = Some(parent);
        }
        indicators[position].aggregation = match &item.aggregation {
            PendingAggregation::Ready(aggregation) => aggregation.clone(),
            PendingAggregation::WeightedMean(by) => match resolve(by, "weighted_mean", &mut reference_problems) {
                Some(by) => Aggregation::WeightedMean { by },
                None => Aggregation::NotAggregable,
            },
            PendingAggregation::Ratio(numerator, denominator, scale) => {
                let numerator = resolve(numerator, "ratio numerator", &mut reference_problems);
                let denominator = resolve(denominator, "ratio denominator", &mut reference_problems);
                match (numerator, denominator) {
                    (Some(numerator), Some(denominator)) => {
                        Aggregation::Ratio { numerator, denominator, scale: *scale }
                    }
                    _ => Aggregation::NotAggregable,
                }
            }
        };
    }
    for (position, item) in pending.iter().enumerate() {
        if let Some(name) = &item.same_as
            && let Some(primary) = resolve(name, "same_as", &mut reference_problems)
        {
            indicators[position].same_as = Some(primary);
        }
    }
    for (offset, message) in reference_problems {
        error(offset, message);
    }
    check_copies(&indicators, &pending, &mut error);

    check_hierarchy(&indicators, &pending, &mut error);
    check_aggregation_references(&indicators, &pending, &mut error);

    let mut rules = Vec::new();
    let mut rule_ids: HashMap<String, usize> = HashMap::new();
    for raw_rule in &raw.rules {
        let id = raw_rule.id.get_ref().clone();
        if !is_valid_id(&id) {
            error(
                raw_rule.id.span().start,
                format!("rule id {id:?} must be lowercase ASCII letters, digits, '_' or '.'"),
            );
        }
        let line = lines.position(raw_rule.id.span().start).line;
        if let Some(first) = rule_ids.insert(id.clone(), line) {
            error(raw_rule.id.span().start, format!("duplicate rule id {id:?} (first declared on line {first})"));
        }
        let severity = match raw_rule.severity.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some("info") => Severity::Info,
            Some(other) => {
                let offset = raw_rule.severity.as_ref().map(|s| s.span().start).unwrap_or(0);
                error(offset, format!("unknown severity {other:?}; expected error, warning or info"));
                Severity::Error
            }
        };
        let missing = match &raw_rule.missing {
            None => MissingStrategy::default(),
            Some(name) => MissingStrategy::from_name(name.get_ref()).unwrap_or_else(|| {
                error(
                    name.span().start,
                    format!(
                        "unknown missing-value strategy {:?}; expected one of {}",
                        name.get_ref(),
                        MissingStrategy::NAMES.join(", ")
                    ),
                );
                MissingStrategy::default()
            }),
        };
        let tolerance =
            raw_rule.tolerance.as_ref().and_then(|tolerance| match Decimal::from_str(tolerance.get_ref()) {
                Ok(value) if value >= Decimal::ZERO => Some(value),
                _ => {
                    error(
                        tolerance.span().start,
                        format!("tolerance {:?} is not a non-negative decimal", tolerance.get_ref()),
                    );
                    None
                }
            });
        let check = raw_rule.check.get_ref();
        // Offsets inside the expression map onto the file: the string starts one byte after its quote.
        let check_offset = raw_rule.check.span().start + 1;
        let resolve = |name: &str| by_id.get(name).copied();
        match crate::expr::parse(check, &resolve, Some(crate::expr::Type::Bool)) {
            Ok(expr) => {
                if tolerance.is_some() && !matches!(&expr, crate::expr::Expr::Binary(op, _, _) if op.is_comparison()) {
                    error(
                        raw_rule.check.span().start,
                        format!("rule {id:?} has a tolerance, which needs a comparison at the top of its check"),
                    );
                }
                rules.push(DeclaredRule {
                    id,
                    text: check.clone(),
                    expr,
                    severity,
                    message: raw_rule.message.get_ref().clone(),
                    message_en: raw_rule.message_en.clone(),
                    tolerance,
                    missing,
                    line,
                });
            }
            Err(parse_error) => {
                error(check_offset + parse_error.offset, format!("in rule {id:?}: {}", parse_error.message))
            }
        }
    }

    let mut validation = ValidationSettings::default();
    if let Some(raw_validation) = &raw.validation {
        let mut setting = |field: &Option<S<String>>, target: &mut Decimal| {
            if let Some(value) = field {
                match Decimal::from_str(value.get_ref()) {
                    Ok(parsed) if parsed >= Decimal::ZERO => *target = parsed,
                    _ => error(value.span().start, format!("{:?} is not a non-negative decimal", value.get_ref())),
                }
            }
        };
        setting(&raw_validation.year_over_year_percent, &mut validation.year_over_year_percent);
        setting(&raw_validation.year_over_year_points, &mut validation.year_over_year_points);
        setting(&raw_validation.year_over_year_min_magnitude, &mut validation.year_over_year_min_magnitude);
    }

    if problems.has_errors() {
        return Err(problems);
    }
    Ok(Framework {
        id: raw.framework.id.into_inner(),
        version: raw.framework.version.into_inner(),
        name: raw.framework.name,
        name_en: raw.framework.name_en,
        notice: raw.framework.notice.into_inner(),
        notice_title: raw.framework.notice_title,
        education_level: raw.framework.education_level,
        tables,
        indicators,
        rules,
        validation,
        by_id,
    })
}

/// Org level names (`required = ["school", "city"]`).
fn parse_levels(levels: &[S<String>], error: &mut impl FnMut(usize, String)) -> Vec<OrgLevel> {
    let mut parsed = Vec::new();
    for level in levels {
        match OrgLevel::from_name(level.get_ref()) {
            Some(known) if parsed.contains(&known) => {
                error(level.span().start, format!("level {:?} listed twice", level.get_ref()))
            }
            Some(known) => parsed.push(known),
            None => error(
                level.span().start,
                format!("unknown org level {:?}; expected one of {}", level.get_ref(), OrgLevel::NAMES.join(", ")),
            ),
        }
    }
    parsed
}

/// A copy prints its primary's quantity: same kind and unit, the primary is no copy itself.
fn check_copies(indicators: &[Indicator], pending: &[Pending], error: &mut impl FnMut(usize, String)) {
    for (position, indicator) in indicators.iter().enumerate() {
        let Some(primary) = indicator.same_as else { continue };
        let offset = pending[position].same_as.as_ref().map(|name| name.span().start).unwrap_or(0);
        let target = &indicators[primary.0];
        if primary.0 == position {
            error(offset, format!("indicator {:?} cannot be the same as itself", indicator.id));
        } else if target.same_as.is_some() {
            error(
                offset,
                format!(
                    "indicator {:?} is the same as {:?}, which is itself a copy; point it at the primary",
                    indicator.id, target.id
                ),
            );
        } else if target.kind != indicator.kind || target.unit != indicator.unit {
            error(
                offset,
                format!(
                    "indicator {:?} ({} in {:?}) cannot be the same as {:?} ({} in {:?})",
                    indicator.id,
                    indicator.kind.name(),
                    indicator.printed_unit(),
                    target.id,
                    target.kind.name(),
                    target.printed_unit()
                ),
            );
        } else if target.aggregation != indicator.aggregation {
            error(
                offset,
                format!(
                    "indicator {:?} is the same as {:?} but aggregates differently; give it the primary's aggregate",
                    indicator.id, target.id
                ),
            );
        }
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        && id.as_bytes()[0].is_ascii_lowercase()
        && !id.ends_with('.')
        && !id.contains("..")
}

/// Units that express an intensity (per student, per course, a share): summing them is meaningless.
fn is_intensive_unit(unit: Unit) -> bool {
    matches!(
        unit,
        Unit::Percent
            | Unit::Ratio
            | Unit::ItemPerStudent
            | Unit::YuanPerStudent
            | Unit::PersonPerCourse
            | Unit::SquareMetrePerStudent
            | Unit::Mbps
    )
}

fn default_aggregation(kind: Kind) -> Aggregation {
    match kind {
        Kind::Count | Kind::Money | Kind::Amount => Aggregation::Sum,
        Kind::Percentage | Kind::Ratio => Aggregation::Sum, // rejected later with a clear message
        Kind::Text => Aggregation::NotAggregable,
    }
}

fn check_unit_fits_kind(
    unit: Option<Unit>,
    kind: Kind,
    raw: &Option<S<String>>,
    error: &mut impl FnMut(usize, String),
) {
    let (Some(unit), Some(raw)) = (unit, raw) else {
        return;
    };
    let fits = match kind {
        Kind::Percentage => unit == Unit::Percent,
        Kind::Ratio => unit == Unit::Ratio,
        Kind::Money => {
            matches!(unit, Unit::Yuan | Unit::TenThousandYuan | Unit::HundredMillionYuan | Unit::YuanPerStudent)
        }
        Kind::Count | Kind::Amount => !matches!(unit, Unit::Percent | Unit::Ratio),
        Kind::Text => false,
    };
    if !fits {
        error(raw.span().start, format!("unit {:?} does not fit kind {:?}", unit.printed(), kind.name()));
    }
}

fn parse_aggregation(aggregate: &S<RawAggregate>, error: &mut impl FnMut(usize, String)) -> PendingAggregation {
    let raw = aggregate.get_ref();
    let rule_offset = raw.rule.span().start;
    let need = |field: &Option<S<String>>, name: &str, error: &mut dyn FnMut(usize, String)| -> Option<S<String>> {
        if field.is_none() {
            error(rule_offset, format!("aggregate rule {:?} needs `{name}`", raw.rule.get_ref()));
        }
        field.clone()
    };
    let mut error_dyn = |offset: usize, message: String| error(offset, message);
    match raw.rule.get_ref().as_str() {
        "sum" => PendingAggregation::Ready(Aggregation::Sum),
        "max" => PendingAggregation::Ready(Aggregation::Max),
        "min" => PendingAggregation::Ready(Aggregation::Min),
        "none" => PendingAggregation::Ready(Aggregation::NotAggregable),
        "weighted_mean" => match need(&raw.by, "by", &mut error_dyn) {
            Some(by) => PendingAggregation::WeightedMean(by),
            None => PendingAggregation::Ready(Aggregation::NotAggregable),
        },
        "ratio" => {
            let numerator = need(&raw.numerator, "numerator", &mut error_dyn);
            let denominator = need(&raw.denominator, "denominator", &mut error_dyn);
            let scale = match &raw.scale {
                None => Decimal::ONE,
                Some(scale) => match scale.get_ref() {
                    toml::Value::Integer(value) => Decimal::from(*value),
                    toml::Value::String(text) => Decimal::from_str(text).unwrap_or_else(|_| {
                        error_dyn(scale.span().start, format!("scale {text:?} is not a decimal number"));
                        Decimal::ONE
                    }),
                    _ => {
                        error_dyn(
                            scale.span().start,
                            "scale must be an integer or a decimal written as a string (no binary floats)".into(),
                        );
                        Decimal::ONE
                    }
                },
            };
            match (numerator, denominator) {
                (Some(numerator), Some(denominator)) => PendingAggregation::Ratio(numerator, denominator, scale),
                _ => PendingAggregation::Ready(Aggregation::NotAggregable),
            }
        }
        "count_orgs" => {
            let attribute = raw.attribute.as_ref().map(|a| a.get_ref().clone());
            let values = match &raw.equals {
                None => Vec::new(),
                Some(equals) => match equals.get_ref() {
                    toml::Value::String(text) => vec![text.clone()],
                    toml::Value::Array(items) => items
                        .iter()
                        .filter_map(|item| match item {
                            toml::Value::String(text) => Some(text.clone()),
                            _ => {
                                error_dyn(equals.span().start, "equals must hold strings".into());
                                None
                            }
                        })
                        .collect(),
                    _ => {
                        error_dyn(equals.span().start, "equals must be a string or a list of strings".into());
                        Vec::new()
                    }
                },
            };
            if attribute.is_some() != raw.equals.is_some() {
                error_dyn(rule_offset, "count_orgs takes `attribute` and `equals` together".into());
            }
            if let Some(attribute) = &raw.attribute
                && !crate::dataset::ORG_ATTRIBUTES.contains(&attribute.get_ref().as_str())
            {
                error_dyn(
                    attribute.span().start,
                    format!(
                        "unknown org attribute {:?}; expected one of {}",
                        attribute.get_ref(),
                        crate::dataset::ORG_ATTRIBUTES.join(", ")
                    ),
                );
            }
            PendingAggregation::Ready(Aggregation::CountOrgs { attribute, values })
        }
        other => {
            error_dyn(
                rule_offset,
                format!(
                    "unknown aggregate rule {other:?}; expected one of sum, weighted_mean, ratio, max, min, count_orgs, none"
                ),
            );
            PendingAggregation::Ready(Aggregation::NotAggregable)
        }
    }
}

fn check_hierarchy(indicators: &[Indicator], pending: &[Pending], error: &mut impl FnMut(usize, String)) {
    for (position, indicator) in indicators.iter().enumerate() {
        let offset = pending[position].parent.as_ref().map(|p| p.span().start).unwrap_or(pending[position].id_offset);
        let Some(parent_index) = indicator.parent else {
            continue;
        };
        // A cycle: walking up from this row comes back to it.
        let mut current = Some(parent_index);
        let mut steps = 0;
        while let Some(step) = current {
            if step.0 == position {
                error(
                    offset,
                    format!("indicator {:?} is its own ancestor: the 其中 hierarchy has a cycle", indicator.id),
                );
                break;
            }
            steps += 1;
            if steps > indicators.len() {
                break;
            }
            current = indicators[step.0].parent;
        }
        let parent = &indicators[parent_index.0];
        if parent.table != indicator.table {
            error(
                offset,
                format!(
                    "parent {:?} of {:?} is in another table; a 其中 row belongs to its parent's table",
                    parent.id, indicator.id
                ),
            );
        }
        match indicator.relation {
            Some(Relation::Part) | Some(Relation::Subset) => {
                let units_known = (indicator.unit.is_some() || indicator.kind == Kind::Text)
                    && (parent.unit.is_some() || parent.kind == Kind::Text);
                if units_known && indicator.unit != parent.unit {
                    error(
                        offset,
                        format!(
                            "{:?} is a {} of {:?} but their units differ ({:?} vs {:?}); use relation = \"aspect\" for a related measure",
                            indicator.id,
                            indicator.relation.map(Relation::name).unwrap_or(""),
                            parent.id,
                            indicator.printed_unit(),
                            parent.printed_unit()
                        ),
                    );
                }
                if indicator.relation == Some(Relation::Part)
                    && !matches!(indicator.kind, Kind::Count | Kind::Money | Kind::Amount)
                {
                    error(
                        offset,
                        format!(
                            "{:?} is a {}: only additive quantities can be parts that add up",
                            indicator.id,
                            indicator.kind.name()
                        ),
                    );
                }
                if indicator.relation == Some(Relation::Part) && parent.breakdown.is_none() {
                    error(
                        offset,
                        format!("{:?} has parts; declare breakdown = \"exhaustive\" or \"partial\" on it", parent.id),
                    );
                }
            }
            _ => {}
        }
    }
    for (position, indicator) in indicators.iter().enumerate() {
        if indicator.breakdown.is_some()
            && !indicators
                .iter()
                .any(|child| child.parent == Some(IndicatorIndex(position)) && child.relation == Some(Relation::Part))
        {
            error(
                pending[position].id_offset,
                format!("{:?} declares a breakdown but has no children with relation = \"part\"", indicator.id),
            );
        }
    }
}

fn check_aggregation_references(indicators: &[Indicator], pending: &[Pending], error: &mut impl FnMut(usize, String)) {
    for (position, indicator) in indicators.iter().enumerate() {
        let offset = pending[position].aggregation_offset;
        match &indicator.aggregation {
            Aggregation::WeightedMean { by } => {
                let weight = &indicators[by.0];
                if !matches!(weight.kind, Kind::Count | Kind::Amount | Kind::Money) {
                    error(
                        offset,
                        format!(
                            "{:?} is weighted by {:?}, a {}: weights must be counts or amounts",
                            indicator.id,
                            weight.id,
                            weight.kind.name()
                        ),
                    );
                }
            }
            Aggregation::Ratio { numerator, denominator, .. } => {
                for reference in [numerator, denominator] {
                    if !indicators[reference.0].kind.is_numeric() {
                        error(
                            offset,
                            format!(
                                "{:?} is a ratio of {:?}, which is not numeric",
                                indicator.id, indicators[reference.0].id
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
        if indicator.kind == Kind::Text && !matches!(indicator.aggregation, Aggregation::NotAggregable) {
            error(offset, format!("text indicator {:?} cannot be aggregated; use rule = \"none\"", indicator.id));
        }
    }
}
