//! Splitting published totals of an org unit into school-level figures whose roll-up reproduces
//! them: exact for sums, to the printed decimals for weighted means. Used to build the bundled
//! synthetic school sample; deterministic for a given seed.

use crate::aggregate::{AggregationPlan, roll_up_with};
use crate::dataset::Dataset;
use crate::framework::{Aggregation, Breakdown, Framework, IndicatorIndex, Kind, Relation};
use crate::synthetic::Random;
use crate::value::Value;
use rust_decimal::{Decimal, RoundingStrategy};

/// Splits `total` over schools in proportion to `weights` (largest-remainder method) in steps
/// of `unit`; the parts add up to `total` exactly when it is a multiple of `unit`.
pub fn allocate(total: Decimal, weights: &[Decimal], unit: Decimal) -> Vec<Decimal> {
    let weight_sum: Decimal = weights.iter().sum();
    if weights.is_empty() || weight_sum.is_zero() || unit.is_zero() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let units_total = (total / unit).trunc();
    let exact: Vec<Decimal> = weights.iter().map(|w| units_total * w / weight_sum).collect();
    let mut parts: Vec<Decimal> = exact.iter().map(|e| e.floor()).collect();
    let mut remaining = units_total - parts.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - parts[b]).cmp(&(exact[a] - parts[a])).then(a.cmp(&b)));
    let mut next = 0;
    while remaining > Decimal::ZERO && !order.is_empty() {
        parts[order[next % order.len()]] += Decimal::ONE;
        remaining -= Decimal::ONE;
        next += 1;
    }
    let leftover = total - units_total * unit;
    let mut result: Vec<Decimal> = parts.into_iter().map(|p| p * unit).collect();
    if let Some(first) = result.first_mut() {
        *first += leftover;
    }
    result
}

fn unit_of(decimals: u32) -> Decimal {
    Decimal::new(1, decimals)
}

/// Gives every school in `schools` values for `years` so that rolling them up to `parent`
/// reproduces the parent's values. `weights` are the schools' relative sizes.
pub fn disaggregate(
    framework: &Framework,
    dataset: &mut Dataset,
    parent: usize,
    schools: &[usize],
    weights: &[Decimal],
    years: &[i32],
    seed: u64,
) {
    let mut random = Random::new(seed);
    // Rows before their children; exhaustive parents after their parts (they are their sum).
    let mut order: Vec<IndicatorIndex> = (0..framework.indicators.len()).map(IndicatorIndex).collect();
    order.sort_by_key(|&i| framework.depth(i));
    for &year in years {
        let published = |index: IndicatorIndex| dataset.get(parent, year, index).clone();
        let mut school_values: Vec<Vec<Value>> = vec![vec![Value::Missing; framework.indicators.len()]; schools.len()];
        let number_at =
            |values: &Vec<Vec<Value>>, school: usize, index: IndicatorIndex| values[school][index.0].number();

        // 1. Additive indicators: proportional shares.
        for &index in &order {
            let indicator = framework.indicator(index);
            if !matches!(indicator.aggregation, Aggregation::Sum) {
                continue;
            }
            match published(index) {
                Value::Number(total) => {
                    let shares = allocate(total, weights, unit_of(indicator.decimals));
                    for (school, share) in shares.into_iter().enumerate() {
                        school_values[school][index.0] = Value::Number(share);
                    }
                }
                Value::NotApplicable => school_values.iter_mut().for_each(|v| v[index.0] = Value::NotApplicable),
                _ => {}
            }
        }
        // 2. Exhaustive parents are the sum of their parts at every school (when the published
        //    parts add up), and 其中 rows are kept within their parent row, deepest last.
        for &index in order.iter().rev() {
            let indicator = framework.indicator(index);
            if indicator.breakdown != Some(Breakdown::Exhaustive) {
                continue;
            }
            let parts: Vec<IndicatorIndex> = framework
                .children(index)
                .filter(|&c| framework.indicator(c).relation == Some(Relation::Part))
                .collect();
            let published_parts: Option<Decimal> = parts.iter().map(|&p| published(p).number()).sum();
            if published_parts.is_some() && published_parts == published(index).number() {
                for school in 0..schools.len() {
                    let sum: Option<Decimal> = parts.iter().map(|&p| number_at(&school_values, school, p)).sum();
                    if let Some(sum) = sum {
                        school_values[school][index.0] = Value::Number(sum);
                    }
                }
            }
        }
        for &index in &order {
            let indicator = framework.indicator(index);
            let (Some(parent_row), Some(Relation::Part | Relation::Subset)) = (indicator.parent, indicator.relation)
            else {
                continue;
            };
            if !matches!(indicator.aggregation, Aggregation::Sum) {
                continue;
            }
            keep_within(&mut school_values, index, parent_row);
        }

        // 3. Rates, averages and maxima, now that their weights are known.
        for &index in &order {
            let indicator = framework.indicator(index);
            let value = published(index);
            match (&indicator.aggregation, value) {
                (Aggregation::Sum | Aggregation::CountOrgs { .. } | Aggregation::NotAggregable, Value::Text(text))
                    if indicator.kind == Kind::Text =>
                {
                    school_values.iter_mut().for_each(|v| v[index.0] = Value::Text(text.clone()));
                }
                (Aggregation::NotAggregable, Value::Text(text)) => {
                    school_values.iter_mut().for_each(|v| v[index.0] = Value::Text(text.clone()));
                }
                (Aggregation::WeightedMean { by }, Value::Number(target)) => {
                    // A rate whose weight was not published this year (e.g. respondents of an
                    // earlier survey) gets weights split from the nearest year that has them.
                    if (0..schools.len()).all(|s| number_at(&school_values, s, *by).is_none())
                        && let Some(total) =
                            years.iter().filter(|&&y| y != year).find_map(|&y| dataset.get(parent, y, *by).number())
                    {
                        let unit = unit_of(framework.indicator(*by).decimals);
                        for (school, share) in allocate(total, weights, unit).into_iter().enumerate() {
                            school_values[school][by.0] = Value::Number(share);
                        }
                    }
                    let school_weights: Vec<Decimal> = (0..schools.len())
                        .map(|s| number_at(&school_values, s, *by).unwrap_or(Decimal::ZERO))
                        .collect();
                    let rates = spread_rate(
                        target,
                        &school_weights,
                        indicator.decimals,
                        indicator.kind == Kind::Percentage,
                        &mut random,
                    );
                    for (school, rate) in rates.into_iter().enumerate() {
                        school_values[school][index.0] = Value::Number(rate);
                    }
                }
                (Aggregation::Max | Aggregation::Min, Value::Number(target)) => {
                    school_values.iter_mut().for_each(|v| v[index.0] = Value::Number(target));
                }
                (Aggregation::Ratio { numerator, denominator, scale }, Value::Number(_)) => {
                    for school in 0..schools.len() {
                        if let (Some(top), Some(bottom)) = (
                            number_at(&school_values, school, *numerator),
                            number_at(&school_values, school, *denominator),
                        ) && !bottom.is_zero()
                        {
                            let ratio = (top / bottom * scale)
                                .round_dp_with_strategy(indicator.decimals + 2, RoundingStrategy::MidpointAwayFromZero);
                            school_values[school][index.0] = Value::Number(ratio);
                        }
                    }
                }
                (Aggregation::Sum | Aggregation::CountOrgs { .. } | Aggregation::NotAggregable, _) => {}
                (_, Value::NotApplicable) => school_values.iter_mut().for_each(|v| v[index.0] = Value::NotApplicable),
                _ => {}
            }
        }
        for (position, &school) in schools.iter().enumerate() {
            for (index, value) in school_values[position].iter().enumerate() {
                if !value.is_missing() {
                    dataset.set(school, year, IndicatorIndex(index), value.clone());
                }
            }
        }
    }
    // A final check that the weighted means land on the printed decimals; rates that do not are
    // set to the published value at every school (always exact).
    let plan = AggregationPlan::new(framework);
    for &year in years {
        let rolled = roll_up_with(&plan, dataset, year);
        for (position, indicator) in framework.indicators.iter().enumerate() {
            let index = IndicatorIndex(position);
            if !matches!(indicator.aggregation, Aggregation::WeightedMean { .. }) {
                continue;
            }
            let published = dataset.get(parent, year, index).clone();
            if published.number().is_some()
                && rolled.value(parent, index).format(indicator.decimals) != published.format(indicator.decimals)
            {
                for &school in schools {
                    dataset.set(school, year, index, published.clone());
                }
            }
        }
    }
}

/// Moves units of a 其中 row from schools where it exceeds its parent row to schools with room.
fn keep_within(values: &mut [Vec<Value>], child: IndicatorIndex, parent: IndicatorIndex) {
    let count = values.len();
    for school in 0..count {
        let (Some(mut own), Some(limit)) = (values[school][child.0].number(), values[school][parent.0].number()) else {
            continue;
        };
        while own > limit {
            let excess = own - limit;
            let Some(target) = (0..count).find(
                |&t| matches!((values[t][child.0].number(), values[t][parent.0].number()), (Some(c), Some(p)) if c < p),
            ) else {
                break;
            };
            let (Some(target_value), Some(target_limit)) =
                (values[target][child.0].number(), values[target][parent.0].number())
            else {
                break;
            };
            let moved = excess.min(target_limit - target_value);
            values[target][child.0] = Value::Number(target_value + moved);
            own -= moved;
            values[school][child.0] = Value::Number(own);
        }
    }
}

/// School rates around `target` whose weighted mean is `target` to `decimals` places.
fn spread_rate(
    target: Decimal,
    weights: &[Decimal],
    decimals: u32,
    percentage: bool,
    random: &mut Random,
) -> Vec<Decimal> {
    let weight_sum: Decimal = weights.iter().sum();
    if weight_sum.is_zero() {
        return vec![target; weights.len()];
    }
    let spread = (target.abs() / Decimal::from(20)).max(unit_of(decimals));
    let steps = (spread / unit_of(decimals)).trunc().to_string().parse::<i64>().unwrap_or(1).max(1);
    let limit = |rate: Decimal| {
        if percentage { rate.max(Decimal::ZERO).min(Decimal::ONE_HUNDRED) } else { rate.max(Decimal::ZERO) }
    };
    let mut rates: Vec<Decimal> = weights
        .iter()
        .map(|_| limit(target + Decimal::from(random.between(-steps, steps)) * unit_of(decimals)))
        .collect();
    // The heaviest school absorbs the difference.
    let heaviest = (0..weights.len()).max_by_key(|&i| weights[i]).unwrap_or(0);
    let others: Decimal = (0..weights.len()).filter(|&i| i != heaviest).map(|i| rates[i] * weights[i]).sum();
    if !weights[heaviest].is_zero() {
        let needed = (target * weight_sum - others) / weights[heaviest];
        rates[heaviest] = limit(needed.round_dp_with_strategy(decimals + 2, RoundingStrategy::MidpointAwayFromZero));
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn allocation_adds_up_exactly() {
        let weights = [dec("3"), dec("1"), dec("1"), dec("2")];
        let parts = allocate(dec("1000"), &weights, Decimal::ONE);
        assert_eq!(parts.iter().sum::<Decimal>(), dec("1000"));
        assert_eq!(
            parts,
            vec![dec("428"), dec("143"), dec("143"), dec("286")],
            "largest remainders get the spare units"
        );
        let money = allocate(dec("266.11"), &weights, dec("0.01"));
        assert_eq!(money.iter().sum::<Decimal>(), dec("266.11"));
        assert!(money.iter().all(|m| m.scale() <= 2));
    }
}
