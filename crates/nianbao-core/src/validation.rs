//! The validation engine: rules derived from the framework, rules declared in it, and
//! year-over-year checks, compiled once and evaluated over many org units and years.

use crate::dataset::Dataset;
use crate::diagnostic::Severity;
use crate::expr::{self, BinaryOp, Evaluated, Expr, MissingStrategy, NotEvaluable, ValueSource};
use crate::framework::{Breakdown, Framework, Indicator, IndicatorIndex, Kind, Relation, RespondentBreakdown};
use crate::value::{Value, format_decimal};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleSource {
    /// Follows from the meaning of the framework (kinds, units, the 其中 hierarchy).
    Derived(DerivedKind),
    /// Written in the framework file.
    Declared,
    /// A change from the previous year beyond a threshold.
    YearOverYear,
}

/// The kinds of rule derived from the framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DerivedKind {
    NonNegative,
    WholeNumber,
    PercentageRange,
    ChildNotAboveParent,
    PartsAddUp,
    PartsNotAboveParent,
    RespondentsEqual,
    RespondentsAddUp,
}

impl DerivedKind {
    pub fn name(self) -> &'static str {
        match self {
            DerivedKind::NonNegative => "non_negative",
            DerivedKind::WholeNumber => "whole_number",
            DerivedKind::PercentageRange => "percentage_range",
            DerivedKind::ChildNotAboveParent => "child_le_parent",
            DerivedKind::PartsAddUp => "parts_add_up",
            DerivedKind::PartsNotAboveParent => "parts_le_parent",
            DerivedKind::RespondentsEqual => "respondents_equal",
            DerivedKind::RespondentsAddUp => "respondents_add_up",
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub source: RuleSource,
    pub severity: Severity,
    /// The condition as text (generated for derived rules).
    pub text: String,
    pub expr: Expr,
    /// Evaluated first when present: the rule applies only when it holds.
    pub guard: Option<Expr>,
    pub references: Vec<(IndicatorIndex, i32)>,
    /// The condition calls is_missing(): never skipped for missing values.
    pub asks_about_missing: bool,
    pub missing: MissingStrategy,
    pub tolerance: Option<Decimal>,
    pub message_zh: String,
    pub message_en: String,
}

/// Why a finding was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingStatus {
    /// The condition does not hold.
    Failed,
    /// The condition could not be evaluated (division by zero, overflow, missing operand).
    NotEvaluable(NotEvaluable),
}

/// A cell involved in a finding, with everything needed to point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    pub table_id: String,
    pub table_number: Option<String>,
    pub table_caption: String,
    pub indicator_id: String,
    pub label: String,
    pub unit: &'static str,
    pub year: i32,
    pub value: Value,
    pub value_text: String,
}

/// One problem found in the data of one org unit and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: String,
    pub rule_text: String,
    pub source: RuleSource,
    pub severity: Severity,
    pub status: FindingStatus,
    pub message_zh: String,
    pub message_en: String,
    pub org_id: String,
    pub org_name: String,
    pub org_name_en: String,
    pub year: i32,
    /// The two sides of a top-level comparison, when the rule has one.
    pub left: Option<Decimal>,
    pub right: Option<Decimal>,
    pub cells: Vec<CellRef>,
    /// Index into the framework's tables of the table the finding belongs to, `None` when it spans tables.
    pub table: Option<usize>,
}

impl Finding {
    /// The values this finding is about, as one text (`indicator@year=value;…`): an explanation
    /// records it, and counts only while the finding is about the same values.
    pub fn values_seen(&self) -> String {
        let mut text = String::new();
        for cell in &self.cells {
            if !text.is_empty() {
                text.push(';');
            }
            let value = match &cell.value {
                Value::Number(number) => number.normalize().to_string(),
                Value::NotApplicable => "-".to_string(),
                Value::Text(body) => format!("t:{body}"),
                Value::Missing => String::new(),
            };
            text.push_str(&format!("{}@{}={value}", cell.indicator_id, cell.year));
        }
        text
    }
}

/// Counts of rule evaluations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub evaluated: usize,
    pub passed: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.evaluated += other.evaluated;
        self.passed += other.passed;
        self.skipped += other.skipped;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
    }
}

/// All rules of a framework, compiled once.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    offsets: Vec<i32>,
}

/// A readable, unambiguous name of an indicator for messages: its label, with its ancestors'
/// labels when several rows print the same label, and the unit when still ambiguous.
pub fn indicator_name(framework: &Framework, index: IndicatorIndex) -> String {
    let indicator = framework.indicator(index);
    let same_label = framework.indicators.iter().filter(|other| other.label == indicator.label).count();
    let mut name = indicator.label.clone();
    if same_label > 1 {
        let mut path = vec![indicator.label.clone()];
        let mut current = indicator.parent;
        while let Some(parent) = current {
            path.push(framework.indicator(parent).label.clone());
            current = framework.indicator(parent).parent;
            if path.len() > 8 {
                break;
            }
        }
        path.reverse();
        name = path.join("›");
        let same_path = framework
            .indicators
            .iter()
            .filter(|other| other.label == indicator.label && other.unit != indicator.unit)
            .count();
        if same_path > 0 && path.len() == 1 {
            name = format!("{}（{}）", name, indicator.printed_unit());
        } else if same_path > 0 {
            let unit_twins = framework
                .indicators
                .iter()
                .enumerate()
                .filter(|(i, other)| {
                    other.label == indicator.label
                        && *i != index.0
                        && other.parent.map(|p| framework.indicator(p).label.clone())
                            == indicator.parent.map(|p| framework.indicator(p).label.clone())
                })
                .count();
            if unit_twins > 0 {
                name = format!("{}（{}）", name, indicator.printed_unit());
            }
        }
    }
    name
}

fn quote_zh(name: &str) -> String {
    format!("「{name}」")
}

impl RuleSet {
    /// Compiles every rule of the framework: derived, declared and year-over-year.
    pub fn for_framework(framework: &Framework) -> RuleSet {
        let mut rules = Vec::new();
        let name = |index: IndicatorIndex| indicator_name(framework, index);
        let english = |index: IndicatorIndex| framework.indicator(index).name_en.clone();
        let id_of = |index: IndicatorIndex| framework.indicator(index).id.clone();
        let reference = |index: IndicatorIndex| Expr::Reference { indicator: index, year_offset: 0 };
        let mut derived =
            |kind: DerivedKind, subject: IndicatorIndex, text: String, expr: Expr, zh: String, en: String| {
                rules.push(Rule {
                    id: format!("derived.{}.{}", kind.name(), id_of(subject)),
                    source: RuleSource::Derived(kind),
                    severity: Severity::Error,
                    references: expr.references(),
                    asks_about_missing: false,
                    text,
                    expr,
                    guard: None,
                    missing: MissingStrategy::SkipIfAnyMissing,
                    tolerance: None,
                    message_zh: zh,
                    message_en: en,
                });
            };

        for (position, indicator) in framework.indicators.iter().enumerate() {
            let index = IndicatorIndex(position);
            let id = &indicator.id;
            let zero = Expr::Number(Decimal::ZERO);
            if matches!(indicator.kind, Kind::Count | Kind::Amount | Kind::Money | Kind::Ratio) {
                derived(
                    DerivedKind::NonNegative,
                    index,
                    format!("{id} >= 0"),
                    Expr::Binary(BinaryOp::GreaterOrEqual, Box::new(reference(index)), Box::new(zero.clone())),
                    format!("{}不能为负数", quote_zh(&name(index))),
                    format!("{} must not be negative", english(index)),
                );
            }
            if indicator.kind == Kind::Count {
                derived(
                    DerivedKind::WholeNumber,
                    index,
                    format!("{id} == round({id}, 0)"),
                    Expr::Binary(
                        BinaryOp::Equal,
                        Box::new(reference(index)),
                        Box::new(Expr::Call(expr::Function::Round, vec![reference(index), zero.clone()])),
                    ),
                    format!("{}是计数，应为整数", quote_zh(&name(index))),
                    format!("{} is a count and must be a whole number", english(index)),
                );
            }
            if indicator.kind == Kind::Percentage {
                derived(
                    DerivedKind::NonNegative,
                    index,
                    format!("{id} >= 0"),
                    Expr::Binary(BinaryOp::GreaterOrEqual, Box::new(reference(index)), Box::new(zero.clone())),
                    format!("{}是百分比，不能为负数", quote_zh(&name(index))),
                    format!("{} is a percentage and must not be negative", english(index)),
                );
                if !indicator.allow_over_100 {
                    derived(
                        DerivedKind::PercentageRange,
                        index,
                        format!("{id} <= 100"),
                        Expr::Binary(
                            BinaryOp::LessOrEqual,
                            Box::new(reference(index)),
                            Box::new(Expr::Number(Decimal::ONE_HUNDRED)),
                        ),
                        format!("{}是百分比，不能超过 100", quote_zh(&name(index))),
                        format!("{} is a percentage and must not exceed 100", english(index)),
                    );
                }
            }
            // A 其中 row that is a part or a subset never exceeds its parent.
            if let (Some(parent), Some(Relation::Part | Relation::Subset)) = (indicator.parent, indicator.relation) {
                let parent_id = &framework.indicator(parent).id;
                derived(
                    DerivedKind::ChildNotAboveParent,
                    index,
                    format!("{id} <= {parent_id}"),
                    Expr::Binary(BinaryOp::LessOrEqual, Box::new(reference(index)), Box::new(reference(parent))),
                    format!("{}不应大于{}", quote_zh(&name(index)), quote_zh(&name(parent))),
                    format!("{} must not exceed {}", english(index), english(parent)),
                );
            }
            // Parts of a breakdown add up to (exhaustive) or stay within (partial) their parent.
            if let Some(breakdown) = indicator.breakdown {
                let parts: Vec<IndicatorIndex> = framework
                    .children(index)
                    .filter(|&c| framework.indicator(c).relation == Some(Relation::Part))
                    .collect();
                if parts.len() >= 2 || breakdown == Breakdown::Exhaustive {
                    let part_ids: Vec<String> = parts.iter().map(|&p| id_of(p)).collect();
                    let part_names: Vec<String> = parts.iter().map(|&p| quote_zh(&name(p))).collect();
                    let sum = Expr::Call(expr::Function::Sum, parts.iter().map(|&p| reference(p)).collect());
                    let (kind, op, symbol, zh, en) = match breakdown {
                        Breakdown::Exhaustive => (
                            DerivedKind::PartsAddUp,
                            BinaryOp::Equal,
                            "==",
                            format!("{}应等于其组成部分{}之和", quote_zh(&name(index)), part_names.join("、")),
                            format!("{} must equal the sum of its parts", english(index)),
                        ),
                        Breakdown::Partial => (
                            DerivedKind::PartsNotAboveParent,
                            BinaryOp::LessOrEqual,
                            ">=",
                            format!("{}的组成部分{}之和不应大于其本身", quote_zh(&name(index)), part_names.join("、")),
                            format!("the parts of {} must not add up to more than it", english(index)),
                        ),
                    };
                    derived(
                        kind,
                        index,
                        format!("{id} {symbol} sum({})", part_ids.join(", ")),
                        match op {
                            BinaryOp::Equal => Expr::Binary(op, Box::new(reference(index)), Box::new(sum)),
                            _ => Expr::Binary(op, Box::new(sum), Box::new(reference(index))),
                        },
                        zh,
                        en,
                    );
                }
            }
            // Survey respondents (调查人次) of the sub-rows.
            if let Some(respondent_breakdown) = indicator.respondent_breakdown
                && let Some(own) = framework.companion(index, crate::framework::ExtraColumn::Respondents)
            {
                let children: Vec<IndicatorIndex> = framework
                    .children(index)
                    .filter_map(|c| framework.companion(c, crate::framework::ExtraColumn::Respondents))
                    .collect();
                match respondent_breakdown {
                    RespondentBreakdown::Equal => {
                        for child in children {
                            let owner = framework.indicator(child).companion_of.map(|(row, _)| row).unwrap_or(child);
                            derived(
                                DerivedKind::RespondentsEqual,
                                child,
                                format!("{} == {}", id_of(child), id_of(own)),
                                Expr::Binary(BinaryOp::Equal, Box::new(reference(child)), Box::new(reference(own))),
                                format!(
                                    "{}与{}调查的是同一批对象，调查人次应相同",
                                    quote_zh(&name(owner)),
                                    quote_zh(&name(index))
                                ),
                                format!(
                                    "{} surveys the same respondents as {}: respondent counts must be equal",
                                    english(owner),
                                    english(index)
                                ),
                            );
                        }
                    }
                    RespondentBreakdown::Exhaustive if !children.is_empty() => {
                        let ids: Vec<String> = children.iter().map(|&c| id_of(c)).collect();
                        derived(
                            DerivedKind::RespondentsAddUp,
                            own,
                            format!("{} == sum({})", id_of(own), ids.join(", ")),
                            Expr::Binary(
                                BinaryOp::Equal,
                                Box::new(reference(own)),
                                Box::new(Expr::Call(
                                    expr::Function::Sum,
                                    children.iter().map(|&c| reference(c)).collect(),
                                )),
                            ),
                            format!("{}的调查人次应等于各分项调查人次之和", quote_zh(&name(index))),
                            format!(
                                "the respondents of {} must equal the sum of its sub-rows' respondents",
                                english(index)
                            ),
                        );
                    }
                    RespondentBreakdown::Exhaustive => {}
                }
            }
        }

        for declared in &framework.rules {
            rules.push(Rule {
                id: declared.id.clone(),
                source: RuleSource::Declared,
                severity: declared.severity,
                text: declared.text.clone(),
                references: declared.expr.references(),
                asks_about_missing: expr::uses_is_missing(&declared.expr),
                expr: declared.expr.clone(),
                guard: None,
                missing: declared.missing,
                tolerance: declared.tolerance,
                message_zh: declared.message.clone(),
                message_en: if declared.message_en.is_empty() {
                    declared.message.clone()
                } else {
                    declared.message_en.clone()
                },
            });
        }

        for (position, indicator) in framework.indicators.iter().enumerate() {
            if let Some(rule) = year_over_year_rule(framework, IndicatorIndex(position), indicator) {
                rules.push(rule);
            }
        }

        let mut offsets: Vec<i32> = rules.iter().flat_map(|r| r.references.iter().map(|(_, o)| *o)).collect();
        offsets.sort_unstable();
        offsets.dedup();
        RuleSet { rules, offsets }
    }

    /// Evaluates every rule for one org unit and year.
    pub fn evaluate(
        &self,
        framework: &Framework,
        dataset: &Dataset,
        org: usize,
        year: i32,
        summary: &mut Summary,
    ) -> Vec<Finding> {
        let source = SlotSource::new(dataset, org, year, &self.offsets);
        let mut findings = Vec::new();
        for rule in &self.rules {
            if let Some(finding) = self.evaluate_rule(rule, &source, framework, dataset, org, year, summary) {
                findings.push(finding);
            }
        }
        findings
    }

    /// Evaluates every rule for every org unit holding values in `year`, spread over the
    /// machine's cores. Findings come back in org-unit order.
    pub fn evaluate_year(
        &self,
        framework: &Framework,
        dataset: &Dataset,
        year: i32,
        summary: &mut Summary,
    ) -> Vec<Finding> {
        let mut orgs: Vec<usize> =
            dataset.iter_slots().filter(|((_, y), _)| *y == year).map(|((org, _), _)| org).collect();
        orgs.sort_unstable();
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(orgs.len().max(1));
        let chunk = orgs.len().div_ceil(threads).max(1);
        let results: Vec<(Vec<Finding>, Summary)> = std::thread::scope(|scope| {
            let handles: Vec<_> = orgs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut local = Summary::default();
                        let findings: Vec<Finding> = part
                            .iter()
                            .flat_map(|&org| self.evaluate(framework, dataset, org, year, &mut local))
                            .collect();
                        (findings, local)
                    })
                })
                .collect();
            handles.into_iter().map(|handle| handle.join().unwrap_or_default()).collect()
        });
        let mut findings = Vec::new();
        for (part, local) in results {
            findings.extend(part);
            summary.add(&local);
        }
        findings
    }

    #[allow(clippy::too_many_arguments)]
    fn evaluate_rule(
        &self,
        rule: &Rule,
        source: &SlotSource<'_>,
        framework: &Framework,
        dataset: &Dataset,
        org: usize,
        year: i32,
        summary: &mut Summary,
    ) -> Option<Finding> {
        if let Some(guard) = &rule.guard {
            match expr::evaluate_value(guard, source, rule.missing) {
                Ok(Evaluated::Bool(true)) => {}
                _ => {
                    summary.skipped += 1;
                    return None;
                }
            }
        }
        let (status, left, right) = match check(rule, source) {
            Check::Passed => {
                summary.evaluated += 1;
                summary.passed += 1;
                return None;
            }
            Check::Skipped => {
                summary.skipped += 1;
                return None;
            }
            Check::Finding(status, left, right) => (status, left, right),
        };
        summary.evaluated += 1;
        let severity = match status {
            FindingStatus::Failed => rule.severity,
            FindingStatus::NotEvaluable(_) => Severity::Info,
        };
        match severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
        let cells: Vec<CellRef> = rule
            .references
            .iter()
            .map(|&(indicator, offset)| {
                cell_ref(framework, dataset, org, year + offset, indicator, source.value(indicator, offset).clone())
            })
            .collect();
        let tables: Vec<usize> = {
            let mut tables: Vec<usize> = rule.references.iter().map(|(i, _)| framework.indicator(*i).table).collect();
            tables.dedup();
            tables
        };
        let (message_zh, message_en) = finding_messages(rule, &status, left, right, &cells, framework, year);
        let org_unit = &dataset.orgs[org];
        Some(Finding {
            rule_id: rule.id.clone(),
            rule_text: rule.text.clone(),
            source: rule.source,
            severity,
            status,
            message_zh,
            message_en,
            org_id: org_unit.id.clone(),
            org_name: org_unit.name.clone(),
            org_name_en: if org_unit.name_en.is_empty() { org_unit.name.clone() } else { org_unit.name_en.clone() },
            year,
            left,
            right,
            cells,
            table: if tables.len() == 1 { Some(tables[0]) } else { None },
        })
    }
}

/// The result of checking one rule.
enum Check {
    Passed,
    Skipped,
    Finding(FindingStatus, Option<Decimal>, Option<Decimal>),
}

/// Checks a rule. A condition that is one comparison is evaluated side by side, so that the
/// finding can show both sides and the tolerance can apply.
fn check(rule: &Rule, source: &SlotSource<'_>) -> Check {
    if !expr::applies(&rule.references, rule.asks_about_missing, source, rule.missing) {
        return Check::Skipped;
    }
    let not_evaluable = |reason| Check::Finding(FindingStatus::NotEvaluable(reason), None, None);
    let (op, left_expr, right_expr) = match &rule.expr {
        Expr::Binary(op, left, right) if op.is_comparison() => (*op, left, right),
        other => {
            return match expr::evaluate_value(other, source, rule.missing) {
                Ok(Evaluated::Bool(true)) => Check::Passed,
                Ok(Evaluated::Bool(false)) => Check::Finding(FindingStatus::Failed, None, None),
                Ok(_) => not_evaluable(NotEvaluable::MissingOperand),
                Err(reason) => not_evaluable(reason),
            };
        }
    };
    let side = |side: &Expr| match expr::evaluate_value(side, source, rule.missing) {
        Ok(Evaluated::Number(n)) => Ok(n),
        Ok(_) => Err(NotEvaluable::MissingOperand),
        Err(reason) => Err(reason),
    };
    let (left, right) = match (side(left_expr), side(right_expr)) {
        (Ok(left), Ok(right)) => (left, right),
        (Err(reason), _) | (_, Err(reason)) => return not_evaluable(reason),
    };
    let tolerance = rule.tolerance.unwrap_or(Decimal::ZERO);
    // Checked: a difference beyond a decimal's range is "not evaluable", never a panic.
    let holds = match op {
        BinaryOp::Equal => left.checked_sub(right).map(|d| d.abs() <= tolerance),
        BinaryOp::NotEqual => left.checked_sub(right).map(|d| d.abs() > tolerance),
        BinaryOp::Less => right.checked_add(tolerance).map(|r| left < r),
        BinaryOp::LessOrEqual => right.checked_add(tolerance).map(|r| left <= r),
        BinaryOp::Greater => left.checked_add(tolerance).map(|l| l > right),
        BinaryOp::GreaterOrEqual => left.checked_add(tolerance).map(|l| l >= right),
        _ => Some(false),
    };
    let Some(holds) = holds else { return not_evaluable(NotEvaluable::Overflow) };
    if holds { Check::Passed } else { Check::Finding(FindingStatus::Failed, Some(left), Some(right)) }
}

fn year_over_year_rule(framework: &Framework, index: IndicatorIndex, indicator: &Indicator) -> Option<Rule> {
    if !indicator.kind.is_numeric() || indicator.companion_of.is_some() {
        return None;
    }
    let settings = &framework.validation;
    let threshold = match indicator.year_over_year {
        Some(None) => return None,
        Some(Some(threshold)) => threshold,
        None if indicator.kind == Kind::Percentage => settings.year_over_year_points,
        None => settings.year_over_year_percent,
    };
    let id = &indicator.id;
    let current = Expr::Reference { indicator: index, year_offset: 0 };
    let previous = Expr::Reference { indicator: index, year_offset: -1 };
    let change = Expr::Call(
        expr::Function::Abs,
        vec![Expr::Binary(BinaryOp::Subtract, Box::new(current.clone()), Box::new(previous.clone()))],
    );
    let name = indicator_name(framework, index);
    let (text, allowed, zh, en) = if indicator.kind == Kind::Percentage {
        (
            format!("abs({id} - {id}[-1]) <= {threshold}"),
            Expr::Number(threshold),
            format!("{}较上年变化超过 {threshold} 个百分点，请填写说明", quote_zh(&name)),
            format!(
                "{} changed by more than {threshold} percentage points from the previous year; explain why",
                indicator.name_en
            ),
        )
    } else {
        (
            format!("abs({id} - {id}[-1]) <= {threshold}% * abs({id}[-1])"),
            Expr::Binary(
                BinaryOp::Multiply,
                Box::new(Expr::Number(threshold / Decimal::ONE_HUNDRED)),
                Box::new(Expr::Call(expr::Function::Abs, vec![previous.clone()])),
            ),
            format!("{}较上年变化超过 {threshold}%，请填写说明", quote_zh(&name)),
            format!("{} changed by more than {threshold}% from the previous year; explain why", indicator.name_en),
        )
    };
    let magnitude = Expr::Call(
        expr::Function::Max,
        vec![
            Expr::Call(expr::Function::Abs, vec![current.clone()]),
            Expr::Call(expr::Function::Abs, vec![previous.clone()]),
        ],
    );
    let guard = (indicator.kind != Kind::Percentage).then(|| {
        Expr::Binary(
            BinaryOp::GreaterOrEqual,
            Box::new(magnitude),
            Box::new(Expr::Number(settings.year_over_year_min_magnitude)),
        )
    });
    let expr = Expr::Binary(BinaryOp::LessOrEqual, Box::new(change), Box::new(allowed));
    Some(Rule {
        id: format!("year_over_year.{id}"),
        source: RuleSource::YearOverYear,
        severity: Severity::Warning,
        references: vec![(index, -1), (index, 0)],
        asks_about_missing: false,
        text,
        expr,
        guard,
        missing: MissingStrategy::SkipIfAnyMissing,
        tolerance: None,
        message_zh: zh,
        message_en: en,
    })
}

fn cell_ref(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    index: IndicatorIndex,
    value: Value,
) -> CellRef {
    let indicator = framework.indicator(index);
    let (row, label) = match indicator.companion_of {
        Some((row, column)) => (row, format!("{}（{}）", framework.indicator(row).printed_label(), column.header())),
        None => (index, indicator.printed_label()),
    };
    let table = &framework.tables[framework.indicator(row).table];
    let org_name = dataset.orgs.get(org).map(|o| o.name.as_str()).unwrap_or("");
    CellRef {
        table_id: table.id.clone(),
        table_number: table.number.clone(),
        table_caption: table.caption_for(year, org_name),
        indicator_id: indicator.id.clone(),
        label,
        unit: indicator.printed_unit(),
        year,
        value_text: value.format(indicator.decimals),
        value,
    }
}

fn plain(number: Decimal) -> String {
    let normalized = number.normalize();
    if normalized.scale() > 4 { format_decimal(normalized, 4) } else { normalized.to_string() }
}

/// One side of a failed comparison in words, with its value: a figure by its table, label and
/// unit (“表 2 行业导师 236 人”), a sum of figures as their sum, anything else as computed.
fn side_text(side: &Expr, value: Decimal, cells: &[CellRef], framework: &Framework, year: i32) -> (String, String) {
    let cell_of = |indicator: IndicatorIndex, year_offset: i32| {
        let id = &framework.indicator(indicator).id;
        cells.iter().find(|c| c.indicator_id == *id && c.year == year + year_offset)
    };
    let is_sum_of_figures = |expr: &Expr| {
        fn leaves(expr: &Expr) -> bool {
            match expr {
                Expr::Reference { .. } | Expr::Number(_) => true,
                Expr::Binary(BinaryOp::Add, a, b) => leaves(a) && leaves(b),
                Expr::Call(expr::Function::Sum | expr::Function::Coalesce, arguments) => arguments.iter().all(leaves),
                _ => false,
            }
        }
        matches!(expr, Expr::Binary(BinaryOp::Add, ..) | Expr::Call(expr::Function::Sum, _)) && leaves(expr)
    };
    match side {
        Expr::Reference { indicator, year_offset } => match cell_of(*indicator, *year_offset) {
            Some(cell) => {
                let table = cell.table_number.as_deref().map(|n| format!("{n} ")).unwrap_or_default();
                let (year_zh, year_en) = if *year_offset != 0 {
                    (format!("{} 年", cell.year), format!("{} ", cell.year))
                } else {
                    (String::new(), String::new())
                };
                let unit = match cell.unit {
                    "" | ":" => String::new(),
                    "%" => "%".to_string(),
                    unit => format!(" {unit}"),
                };
                let percent = if cell.unit == "%" { "%" } else { "" };
                let name = indicator_name(framework, *indicator);
                // A name that already says its unit (“在线精品课程数（门）”) is not followed by it.
                let unit = if !cell.unit.is_empty() && name.ends_with(&format!("（{}）", cell.unit)) {
                    String::new()
                } else {
                    unit
                };
                let name_en = &framework.indicator(*indicator).name_en;
                (
                    format!("{year_zh}{table}{name} {}{unit}", plain(value)),
                    format!("{year_en}{name_en} {}{percent}", plain(value)),
                )
            }
            None => (format!("计算得 {}", plain(value)), format!("computed {}", plain(value))),
        },
        Expr::Number(_) => (plain(value), plain(value)),
        expr if is_sum_of_figures(expr) => {
            (format!("各项之和 {}", plain(value)), format!("the parts add up to {}", plain(value)))
        }
        _ => (format!("计算得 {}", plain(value)), format!("computed {}", plain(value))),
    }
}

fn finding_messages(
    rule: &Rule,
    status: &FindingStatus,
    left: Option<Decimal>,
    right: Option<Decimal>,
    cells: &[CellRef],
    framework: &Framework,
    year: i32,
) -> (String, String) {
    let (detail_zh, detail_en) = match status {
        FindingStatus::NotEvaluable(reason) => {
            (format!("无法计算：{}", reason.reason_zh()), format!("not evaluable: {}", reason.reason_en()))
        }
        FindingStatus::Failed if rule.source == RuleSource::YearOverYear && cells.len() == 2 => {
            match (cells[0].value.number(), cells[1].value.number()) {
                (Some(before), Some(after)) => {
                    let change = after - before;
                    let sign = if change >= Decimal::ZERO { "+" } else { "" };
                    let relative = if before.is_zero() {
                        String::new()
                    } else {
                        format!("（{sign}{}%）", format_decimal(change / before.abs() * Decimal::ONE_HUNDRED, 1))
                    };
                    (
                        format!(
                            "{} 年 {}，{} 年 {}，变化 {sign}{}{relative}",
                            cells[0].year,
                            cells[0].value_text,
                            cells[1].year,
                            cells[1].value_text,
                            plain(change)
                        ),
                        format!(
                            "{} {}, {} {}, change {sign}{}{}",
                            cells[0].year,
                            cells[0].value_text,
                            cells[1].year,
                            cells[1].value_text,
                            plain(change),
                            relative.replace('（', " (").replace('）', ")")
                        ),
                    )
                }
                _ => (String::new(), String::new()),
            }
        }
        FindingStatus::Failed => match (left, right) {
            (Some(left), Some(right)) => {
                let tolerance = rule.tolerance.map(|t| format!("，允许误差 {}", plain(t))).unwrap_or_default();
                let tolerance_en = rule.tolerance.map(|t| format!(", tolerance {}", plain(t))).unwrap_or_default();
                let difference = plain((left - right).abs());
                match &rule.expr {
                    // A bound on one figure (“不能为负数”): the figure is all there is to say.
                    Expr::Binary(_, side, bound) if matches!(**bound, Expr::Number(_)) => {
                        let (zh, en) = side_text(side, left, cells, framework, year);
                        (zh, en)
                    }
                    Expr::Binary(_, left_side, right_side) => {
                        let (left_zh, left_en) = side_text(left_side, left, cells, framework, year);
                        let (right_zh, right_en) = side_text(right_side, right, cells, framework, year);
                        (
                            format!("{left_zh}，{right_zh}，相差 {difference}{tolerance}"),
                            format!("{left_en}, {right_en}, difference {difference}{tolerance_en}"),
                        )
                    }
                    _ => (
                        format!("计算得 {} 与 {}，相差 {difference}{tolerance}", plain(left), plain(right)),
                        format!("{} against {}, difference {difference}{tolerance_en}", plain(left), plain(right)),
                    ),
                }
            }
            _ => (String::new(), String::new()),
        },
    };
    let join = |message: &str, detail: String, separator: &str| {
        if detail.is_empty() { message.to_string() } else { format!("{message}{separator}{detail}") }
    };
    (join(&rule.message_zh, detail_zh, "："), join(&rule.message_en, detail_en, ": "))
}

/// Values of one org unit for the years a rule set looks at, fetched once per org unit.
struct SlotSource<'a> {
    slots: Vec<(i32, Option<&'a [Value]>)>,
}

impl<'a> SlotSource<'a> {
    fn new(dataset: &'a Dataset, org: usize, year: i32, offsets: &[i32]) -> SlotSource<'a> {
        SlotSource { slots: offsets.iter().map(|&offset| (offset, dataset.slots(org, year + offset))).collect() }
    }
}

impl ValueSource for SlotSource<'_> {
    fn value(&self, indicator: IndicatorIndex, year_offset: i32) -> &Value {
        static MISSING: Value = Value::Missing;
        self.slots
            .iter()
            .find(|(offset, _)| *offset == year_offset)
            .and_then(|(_, slots)| slots.and_then(|s| s.get(indicator.0)))
            .unwrap_or(&MISSING)
    }
}

/// Groups findings by the table they belong to (cross-table findings last), in framework order.
pub fn group_by_table(framework: &Framework, findings: &[Finding]) -> Vec<(Option<usize>, Vec<Finding>)> {
    let mut groups: HashMap<Option<usize>, Vec<Finding>> = HashMap::new();
    for finding in findings {
        groups.entry(finding.table).or_default().push(finding.clone());
    }
    let mut ordered: Vec<(Option<usize>, Vec<Finding>)> =
        (0..framework.tables.len()).filter_map(|t| groups.remove(&Some(t)).map(|f| (Some(t), f))).collect();
    if let Some(cross) = groups.remove(&None) {
        ordered.push((None, cross));
    }
    ordered
}
