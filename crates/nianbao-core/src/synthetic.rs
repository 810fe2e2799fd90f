//! Deterministic synthetic data for benchmarks and tests: a national org tree and school values
//! that follow a framework's hierarchy. Labelled synthetic; never published.

use crate::dataset::{Dataset, OrgLevel, OrgUnit, Ownership};
use crate::framework::{Breakdown, Framework, IndicatorIndex, Kind, Relation, RespondentBreakdown};
use crate::value::Value;
use rust_decimal::Decimal;

/// A small, fast, deterministic pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = (high - low + 1).max(1) as u64;
        low + (self.next_u64() % span) as i64
    }
}

/// Shape of a synthetic national tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeShape {
    pub provinces: usize,
    pub cities_per_province: usize,
    pub counties_per_city: usize,
    pub schools: usize,
}

impl TreeShape {
    /// 34 provinces × 10 cities × 5 counties, 8,500 schools: the national scale.
    pub const NATIONAL: TreeShape =
        TreeShape { provinces: 34, cities_per_province: 10, counties_per_city: 5, schools: 8500 };
}

/// Builds the org tree: one nation, provinces, cities, counties, and schools spread evenly over counties.
pub fn org_tree(dataset: &mut Dataset, shape: TreeShape, seed: u64) -> Vec<usize> {
    let mut random = Random::new(seed);
    let add = |dataset: &mut Dataset, unit: OrgUnit| dataset.add_org(unit).unwrap_or(usize::MAX);
    let unit = |id: String, name: String, level: OrgLevel, parent: Option<usize>| OrgUnit::new(id, name, level, parent);
    let nation = add(dataset, unit("cn".into(), "全国（合成）".into(), OrgLevel::Nation, None));
    let mut counties = Vec::new();
    for p in 0..shape.provinces {
        let province =
            add(dataset, unit(format!("p{p:02}"), format!("合成省{p:02}"), OrgLevel::Province, Some(nation)));
        for c in 0..shape.cities_per_province {
            let city = add(
                dataset,
                unit(format!("p{p:02}c{c:02}"), format!("合成市{p:02}-{c:02}"), OrgLevel::City, Some(province)),
            );
            for k in 0..shape.counties_per_city {
                let county = add(
                    dataset,
                    unit(
                        format!("p{p:02}c{c:02}k{k}"),
                        format!("合成县{p:02}-{c:02}-{k}"),
                        OrgLevel::County,
                        Some(city),
                    ),
                );
                counties.push(county);
            }
        }
    }
    let mut schools = Vec::with_capacity(shape.schools);
    for s in 0..shape.schools {
        let county = counties[s % counties.len().max(1)];
        let mut school = unit(format!("s{s:05}"), format!("合成学校{s:05}"), OrgLevel::School, Some(county));
        school.ownership = Some(if random.between(0, 9) < 6 { Ownership::Public } else { Ownership::Private });
        school.provincial_grade = Some(["A", "B", "C", "D"][random.between(0, 3) as usize].to_string());
        if random.between(0, 19) == 0 {
            school.designations.push("national_key".into());
        }
        schools.push(add(dataset, school));
    }
    schools
}

/// Fills plausible values for every indicator of `framework`, for each school and year, following
/// the 其中 hierarchy (exhaustive parts add up, subsets stay within their rows). Deterministic.
pub fn fill_school_values(framework: &Framework, dataset: &mut Dataset, schools: &[usize], years: &[i32], seed: u64) {
    // Parents before children: order by depth.
    let mut order: Vec<IndicatorIndex> = (0..framework.indicators.len()).map(IndicatorIndex).collect();
    order.sort_by_key(|&i| (framework.depth(i), framework.indicator(i).companion_of.is_some()));
    let mut values: Vec<Value> = vec![Value::Missing; framework.indicators.len()];
    for &school in schools {
        let size = Random::new(seed ^ (school as u64).wrapping_mul(0x51_7CC1_B727_220A)).between(200, 4000);
        for (year_number, &year) in years.iter().enumerate() {
            // Each school's figures drift a little from year to year: the same base, a few percent of noise.
            let mut noise = Random::new(seed ^ ((school as u64) << 20) ^ year_number as u64);
            for &index in &order {
                let indicator = framework.indicator(index);
                let mut random =
                    Random::new(seed ^ ((school as u64) << 16) ^ (index.0 as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
                let growth = 100 + noise.between(-8, 8);
                let parent_number = indicator.parent.and_then(|p| values[p.0].number());
                let value = match (indicator.kind, indicator.relation, parent_number) {
                    (Kind::Text, _, _) => Value::Text("全国统一网上调查".into()),
                    (Kind::Percentage, _, _) => Value::Number(Decimal::new(
                        (random.between(6000, 9700) + noise.between(-200, 200)).min(10000),
                        2,
                    )),
                    (Kind::Ratio | Kind::Amount, _, _) => {
                        Value::Number(Decimal::new(random.between(100, 9999) * growth / 100, 2))
                    }
                    (Kind::Count | Kind::Money, Some(Relation::Part), Some(parent)) => {
                        let parent_index = indicator.parent.map(|p| p.0).unwrap_or(0);
                        let siblings: Vec<IndicatorIndex> = framework
                            .children(IndicatorIndex(parent_index))
                            .filter(|&c| framework.indicator(c).relation == Some(Relation::Part))
                            .collect();
                        let position = siblings.iter().position(|&s| s == index).unwrap_or(0);
                        let exhaustive =
                            framework.indicator(IndicatorIndex(parent_index)).breakdown == Some(Breakdown::Exhaustive);
                        let share = if exhaustive && position + 1 == siblings.len() {
                            let taken: Decimal = siblings[..position].iter().filter_map(|s| values[s.0].number()).sum();
                            parent - taken
                        } else {
                            (parent / Decimal::from(siblings.len() as i64 + 1)).floor()
                        };
                        Value::Number(share.max(Decimal::ZERO))
                    }
                    (Kind::Count | Kind::Money, Some(Relation::Subset), Some(parent)) => {
                        Value::Number((parent * Decimal::new(random.between(0, 90), 2)).floor())
                    }
                    (Kind::Count, _, _) => {
                        Value::Number(Decimal::from(size * growth / 100 * random.between(1, 30) / 10))
                    }
                    (Kind::Money, _, _) => Value::Number(Decimal::new(size * growth * random.between(1, 50), 2)),
                };
                values[index.0] = value;
            }
            // Survey respondents follow their rows' declared breakdown.
            for (position, indicator) in framework.indicators.iter().enumerate() {
                let Some(breakdown) = indicator.respondent_breakdown else { continue };
                let Some(own) =
                    framework.companion(IndicatorIndex(position), crate::framework::ExtraColumn::Respondents)
                else {
                    continue;
                };
                let children: Vec<IndicatorIndex> = framework
                    .children(IndicatorIndex(position))
                    .filter_map(|c| framework.companion(c, crate::framework::ExtraColumn::Respondents))
                    .collect();
                match breakdown {
                    RespondentBreakdown::Equal => {
                        for child in children {
                            values[child.0] = values[own.0].clone();
                        }
                    }
                    RespondentBreakdown::Exhaustive => {
                        let total: Decimal = children.iter().filter_map(|c| values[c.0].number()).sum();
                        values[own.0] = Value::Number(total);
                    }
                }
            }
            // The same quantity stated in two tables (declared `a == b` rules) gets the same value.
            for rule in &framework.rules {
                if let crate::expr::Expr::Binary(crate::expr::BinaryOp::Equal, left, right) = &rule.expr
                    && let (
                        crate::expr::Expr::Reference { indicator: target, year_offset: 0 },
                        crate::expr::Expr::Reference { indicator: origin, year_offset: 0 },
                    ) = (left.as_ref(), right.as_ref())
                {
                    values[target.0] = values[origin.0].clone();
                }
            }
            for (position, value) in values.iter().enumerate() {
                dataset.set(school, year, IndicatorIndex(position), value.clone());
            }
        }
    }
}

/// A synthetic framework of `tables` × 20 indicators (400 with 20 tables): in each table a total
/// with three exhaustive parts, subsets, counts, money, weighted percentages, a recomputed ratio
/// and a maximum. For benchmarks at national scale.
pub fn framework_text(tables: usize) -> String {
    let mut text = String::from(
        "[framework]\nid = \"synthetic\"\nversion = \"1\"\nname = \"合成指标体系（基准测试用）\"\nnotice = \"synthetic\"\n",
    );
    for t in 0..tables {
        text.push_str(&format!("\n[[table]]\nid = \"t{t}\"\nnumber = \"表 {t}\"\ncaption = \"合成表 {t}\"\n"));
        let mut indicator = |id: &str, rest: &str| {
            text.push_str(&format!("\n[[table.indicator]]\nid = \"t{t}.{id}\"\nlabel = \"{id}\"\nen = \"{id}\"\ndefinition = \"合成\"\n{rest}"));
        };
        indicator("total", "unit = \"人\"\nkind = \"count\"\nbreakdown = \"exhaustive\"\n");
        for p in 0..3 {
            indicator(
                &format!("part{p}"),
                &format!("unit = \"人\"\nkind = \"count\"\nparent = \"t{t}.total\"\nrelation = \"part\"\n"),
            );
        }
        for s in 0..3 {
            indicator(
                &format!("subset{s}"),
                &format!("unit = \"人\"\nkind = \"count\"\nparent = \"t{t}.total\"\nrelation = \"subset\"\n"),
            );
        }
        for c in 0..5 {
            indicator(&format!("count{c}"), "unit = \"个\"\nkind = \"count\"\n");
        }
        for m in 0..3 {
            indicator(&format!("money{m}"), "unit = \"万元\"\nkind = \"money\"\n");
        }
        for r in 0..3 {
            indicator(
                &format!("rate{r}"),
                &format!(
                    "unit = \"%\"\nkind = \"percentage\"\naggregate = {{ rule = \"weighted_mean\", by = \"t{t}.total\" }}\n"
                ),
            );
        }
        indicator(
            "ratio",
            &format!(
                "unit = \":\"\nkind = \"ratio\"\naggregate = {{ rule = \"ratio\", numerator = \"t{t}.count0\", denominator = \"t{t}.count1\" }}\n"
            ),
        );
        indicator("bandwidth", "unit = \"Mbps\"\nkind = \"amount\"\ndecimals = 0\naggregate = { rule = \"max\" }\n");
    }
    text
}
