//! Aggregation up the org tree: each indicator's rule (sum, weighted mean, ratio of summed parts,
//! max/min, counts of schools by attribute), with coverage, computed bottom-up in one pass.

use crate::dataset::{Dataset, OrgLevel};
use crate::framework::{Aggregation, Framework, IndicatorIndex};
use crate::value::Value;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Running totals of one indicator over the schools below one org unit.
#[derive(Debug, Clone, Copy, Default)]
struct Accumulator {
    sum: Decimal,
    weighted_sum: Decimal,
    weight_sum: Decimal,
    min: Option<Decimal>,
    max: Option<Decimal>,
    /// Schools that gave a number.
    reporting: u32,
    /// Schools that stated “not applicable”.
    not_applicable: u32,
    /// Schools counted by `count_orgs`.
    counted: u32,
    /// A sum or product went beyond what a decimal holds: the aggregate cannot be given.
    overflowed: bool,
}

impl Accumulator {
    /// `total += part`, or the overflow noted.
    fn add(overflowed: &mut bool, total: &mut Decimal, part: Decimal) {
        match total.checked_add(part) {
            Some(sum) => *total = sum,
            None => *overflowed = true,
        }
    }

    fn merge(&mut self, other: &Accumulator) {
        self.overflowed |= other.overflowed;
        Accumulator::add(&mut self.overflowed, &mut self.sum, other.sum);
        Accumulator::add(&mut self.overflowed, &mut self.weighted_sum, other.weighted_sum);
        Accumulator::add(&mut self.overflowed, &mut self.weight_sum, other.weight_sum);
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.reporting += other.reporting;
        self.not_applicable += other.not_applicable;
        self.counted += other.counted;
    }
}

/// The aggregated values of every org unit above the schools, for one year.
#[derive(Debug, Clone, Default)]
pub struct RollUp {
    pub year: i32,
    /// Aggregated values per org unit (index into `Dataset::orgs`), one slot per indicator.
    pub values: HashMap<usize, Vec<Value>>,
    /// Per org unit and indicator: how many schools below it gave a number.
    pub reporting: HashMap<usize, Vec<u32>>,
    /// Per org unit: how many schools are below it.
    pub schools: HashMap<usize, u32>,
    /// (org unit, indicator) whose aggregate could not be computed: the schools' figures add up
    /// beyond what an exact decimal holds. Those aggregates are missing, and say so here.
    pub overflows: Vec<(usize, IndicatorIndex)>,
}

impl RollUp {
    pub fn value(&self, org: usize, indicator: IndicatorIndex) -> &Value {
        static MISSING: Value = Value::Missing;
        self.values.get(&org).and_then(|slots| slots.get(indicator.0)).unwrap_or(&MISSING)
    }

    /// (schools that gave a number, schools below the unit).
    pub fn coverage(&self, org: usize, indicator: IndicatorIndex) -> (u32, u32) {
        let reporting = self.reporting.get(&org).and_then(|r| r.get(indicator.0)).copied().unwrap_or(0);
        (reporting, self.schools.get(&org).copied().unwrap_or(0))
    }
}

/// What one indicator needs from each school's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Only the sum (sums; also the parts of ratios).
    Sum,
    /// The weighted sum and the sum of weights, weighted by another indicator.
    Weighted(IndicatorIndex),
    /// Minimum and maximum.
    Extremes,
    /// Nothing from the values (counts of schools, not aggregable, text).
    Nothing,
}

/// What each indicator needs from a school's values, prepared once per framework.
#[derive(Debug, Clone)]
pub struct AggregationPlan {
    rules: Vec<Aggregation>,
    needs: Vec<Need>,
    /// Indicators counted with `count_orgs`: (indicator, attribute and accepted values).
    counted: Vec<(usize, Option<String>, Vec<String>)>,
}

impl AggregationPlan {
    pub fn new(framework: &Framework) -> AggregationPlan {
        let rules: Vec<Aggregation> = framework.indicators.iter().map(|i| i.aggregation.clone()).collect();
        let mut needs: Vec<Need> = rules
            .iter()
            .map(|rule| match rule {
                Aggregation::Sum => Need::Sum,
                Aggregation::WeightedMean { by } => Need::Weighted(*by),
                Aggregation::Max | Aggregation::Min => Need::Extremes,
                Aggregation::Ratio { .. } | Aggregation::CountOrgs { .. } | Aggregation::NotAggregable => Need::Nothing,
            })
            .collect();
        for rule in &rules {
            if let Aggregation::Ratio { numerator, denominator, .. } = rule {
                for part in [numerator, denominator] {
                    if needs[part.0] == Need::Nothing {
                        needs[part.0] = Need::Sum;
                    }
                }
            }
        }
        let counted = rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| match rule {
                Aggregation::CountOrgs { attribute, values } => Some((index, attribute.clone(), values.clone())),
                _ => None,
            })
            .collect();
        AggregationPlan { rules, needs, counted }
    }
}

/// Rolls the schools' values for `year` up to every org unit above them.
pub fn roll_up(framework: &Framework, dataset: &Dataset, year: i32) -> RollUp {
    roll_up_with(&AggregationPlan::new(framework), dataset, year)
}

/// Gives every unit above the schools, in each of `years`, the roll-up of its schools' values
/// wherever it holds no figure of its own: its entered figures are printed over the roll-up.
/// What a report prints when it is built from school returns. Returns the roll-up of each year.
/// `within`: only that unit and the units below it (what its report prints; the rest of the
/// nation is not visited); None: every unit.
pub fn fill_with_roll_up(
    framework: &Framework,
    dataset: &mut Dataset,
    years: &[i32],
    within: Option<usize>,
) -> Vec<RollUp> {
    let plan = AggregationPlan::new(framework);
    let roots: Vec<usize> = match within {
        Some(root) => vec![root],
        None => (0..dataset.orgs.len()).filter(|&index| dataset.orgs[index].parent.is_none()).collect(),
    };
    let mut rolled_years = Vec::with_capacity(years.len());
    for &year in years {
        let rolled = roll_up_from(&plan, dataset, year, &roots);
        for (&org, values) in &rolled.values {
            for (position, value) in values.iter().enumerate() {
                let indicator = IndicatorIndex(position);
                if !value.is_missing() && dataset.get(org, year, indicator).is_missing() {
                    dataset.set(org, year, indicator, value.clone());
                }
            }
        }
        rolled_years.push(rolled);
    }
    rolled_years
}

/// As [`roll_up`], with a plan prepared once (for repeated roll-ups). Units are visited depth
/// first, so only the accumulators of one path through the tree are held at a time.
pub fn roll_up_with(plan: &AggregationPlan, dataset: &Dataset, year: i32) -> RollUp {
    let roots: Vec<usize> = (0..dataset.orgs.len()).filter(|&index| dataset.orgs[index].parent.is_none()).collect();
    roll_up_from(plan, dataset, year, &roots)
}

/// Rolls the schools' values for `year` up to `root` and the units between it and its schools,
/// and to nothing else: what re-aggregating one unit's subtree writes. The units above `root`
/// are not in the result (their aggregates also depend on schools outside the subtree). A school
/// as `root` gives an empty roll-up.
pub fn roll_up_within(framework: &Framework, dataset: &Dataset, year: i32, root: usize) -> RollUp {
    roll_up_from(&AggregationPlan::new(framework), dataset, year, &[root])
}

fn roll_up_from(plan: &AggregationPlan, dataset: &Dataset, year: i32, roots: &[usize]) -> RollUp {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); dataset.orgs.len()];
    for (index, org) in dataset.orgs.iter().enumerate() {
        if let Some(parent) = org.parent {
            children[parent].push(index);
        }
    }
    let mut result = RollUp { year, ..RollUp::default() };
    for &root in roots {
        if dataset.orgs.get(root).is_some_and(|unit| unit.level != OrgLevel::School) {
            visit(plan, dataset, &children, root, year, &mut result);
        }
    }
    result
}

/// Aggregates one unit from its children (recursively) and records its values; returns its
/// accumulators and school count for its parent to merge.
fn visit(
    plan: &AggregationPlan,
    dataset: &Dataset,
    children: &[Vec<usize>],
    unit: usize,
    year: i32,
    result: &mut RollUp,
) -> (Vec<Accumulator>, u32) {
    let mut accumulators = vec![Accumulator::default(); plan.rules.len()];
    let mut schools = 0u32;
    for &child in &children[unit] {
        if dataset.orgs[child].level == OrgLevel::School {
            schools += 1;
            add_school(plan, dataset, child, year, &mut accumulators);
        } else {
            let (child_accumulators, child_schools) = visit(plan, dataset, children, child, year, result);
            schools += child_schools;
            for (total, part) in accumulators.iter_mut().zip(&child_accumulators) {
                total.merge(part);
            }
        }
    }
    result.values.insert(unit, finish(plan, &accumulators, schools));
    for (index, _) in accumulators.iter().enumerate().filter(|(_, a)| a.overflowed) {
        result.overflows.push((unit, IndicatorIndex(index)));
    }
    result.reporting.insert(unit, accumulators.iter().map(|a| a.reporting).collect());
    result.schools.insert(unit, schools);
    (accumulators, schools)
}

fn add_school(plan: &AggregationPlan, dataset: &Dataset, school: usize, year: i32, accumulators: &mut [Accumulator]) {
    let org = &dataset.orgs[school];
    for (index, attribute, values) in &plan.counted {
        let matches = match attribute {
            None => true,
            Some(attribute) => org.attribute_values(attribute).iter().any(|v| values.iter().any(|w| w == v)),
        };
        accumulators[*index].counted += u32::from(matches);
    }
    let Some(slots) = dataset.slots(school, year) else { return };
    for ((value, need), accumulator) in slots.iter().zip(&plan.needs).zip(accumulators.iter_mut()) {
        match value {
            Value::Number(number) => {
                accumulator.reporting += 1;
                match need {
                    Need::Sum => Accumulator::add(&mut accumulator.overflowed, &mut accumulator.sum, *number),
                    Need::Weighted(by) => {
                        if let Some(Value::Number(weight)) = slots.get(by.0) {
                            match number.checked_mul(*weight) {
                                Some(product) => Accumulator::add(
                                    &mut accumulator.overflowed,
                                    &mut accumulator.weighted_sum,
                                    product,
                                ),
                                None => accumulator.overflowed = true,
                            }
                            Accumulator::add(&mut accumulator.overflowed, &mut accumulator.weight_sum, *weight);
                        }
                    }
                    Need::Extremes => {
                        accumulator.min = Some(accumulator.min.map_or(*number, |m| m.min(*number)));
                        accumulator.max = Some(accumulator.max.map_or(*number, |m| m.max(*number)));
                    }
                    Need::Nothing => {}
                }
            }
            Value::NotApplicable => accumulator.not_applicable += 1,
            Value::Missing | Value::Text(_) => {}
        }
    }
}

fn finish(plan: &AggregationPlan, accumulators: &[Accumulator], schools: u32) -> Vec<Value> {
    let empty = |a: &Accumulator| if a.not_applicable > 0 { Value::NotApplicable } else { Value::Missing };
    plan.rules
        .iter()
        .zip(accumulators)
        .map(|(rule, a)| match rule {
            _ if a.overflowed => Value::Missing,
            Aggregation::Sum if a.reporting > 0 => Value::Number(a.sum),
            Aggregation::WeightedMean { .. } if a.weight_sum > Decimal::ZERO => {
                match a.weighted_sum.checked_div(a.weight_sum) {
                    Some(mean) => Value::Number(mean),
                    None => Value::Missing,
                }
            }
            Aggregation::Max => a.max.map(Value::Number).unwrap_or_else(|| empty(a)),
            Aggregation::Min => a.min.map(Value::Number).unwrap_or_else(|| empty(a)),
            Aggregation::CountOrgs { .. } if schools > 0 => Value::Number(Decimal::from(a.counted)),
            Aggregation::Ratio { numerator, denominator, scale } => {
                let (top, bottom) = (&accumulators[numerator.0], &accumulators[denominator.0]);
                if top.overflowed || bottom.overflowed {
                    Value::Missing
                } else if top.reporting > 0 && bottom.reporting > 0 && !bottom.sum.is_zero() {
                    top.sum
                        .checked_div(bottom.sum)
                        .and_then(|q| q.checked_mul(*scale))
                        .map(Value::Number)
                        .unwrap_or(Value::Missing)
                } else {
                    Value::Missing
                }
            }
            Aggregation::NotAggregable => Value::Missing,
            _ => empty(a),
        })
        .collect()
}

/// A figure entered at a higher level that differs from the aggregate of its schools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub org: usize,
    pub indicator: IndicatorIndex,
    pub entered: Value,
    pub aggregated: Value,
}

/// Entered values of units above the schools compared with the roll-up, at each indicator's
/// printed decimals. Only indicators with an aggregation rule are compared.
pub fn differences(framework: &Framework, dataset: &Dataset, roll_up: &RollUp) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut units: Vec<&usize> = roll_up.values.keys().collect();
    units.sort();
    for &org in units {
        let Some(entered) = dataset.slots(org, roll_up.year) else { continue };
        for (index, value) in entered.iter().enumerate() {
            let indicator = &framework.indicators[index];
            if value.is_missing() || matches!(indicator.aggregation, Aggregation::NotAggregable) {
                continue;
            }
            let aggregated = roll_up.value(org, IndicatorIndex(index));
            if aggregated.is_missing() {
                continue;
            }
            if value.format(indicator.decimals) != aggregated.format(indicator.decimals) {
                out.push(Difference {
                    org,
                    indicator: IndicatorIndex(index),
                    entered: value.clone(),
                    aggregated: aggregated.clone(),
                });
            }
        }
    }
    out
}
