//! Re-aggregating one unit's subtree gives exactly what the whole roll-up gives for the units
//! in it, and nothing for any unit outside it (its ancestors depend on schools elsewhere).

use nianbao_core::aggregate::{roll_up, roll_up_within};
use nianbao_core::synthetic::{TreeShape, fill_school_values, org_tree};
use nianbao_core::{Dataset, Framework, IndicatorIndex, OrgLevel};

fn within(dataset: &Dataset, unit: usize, root: usize) -> bool {
    let mut at = Some(unit);
    while let Some(index) = at {
        if index == root {
            return true;
        }
        at = dataset.orgs[index].parent;
    }
    false
}

#[test]
fn a_subtree_roll_up_equals_the_whole_roll_up_on_its_units_and_holds_nothing_else() {
    let framework = Framework::from_toml("zhongzhi-2024.toml", &crate::bundled_framework_text()).expect("framework");
    let mut dataset = Dataset::new(framework.indicators.len());
    let shape = TreeShape { provinces: 2, cities_per_province: 3, counties_per_city: 2, schools: 60 };
    let schools = org_tree(&mut dataset, shape, 7);
    fill_school_values(&framework, &mut dataset, &schools, &[2024], 7);
    let whole = roll_up(&framework, &dataset, 2024);
    let mut checked_levels = Vec::new();
    for root in 0..dataset.orgs.len() {
        let level = dataset.orgs[root].level;
        let part = roll_up_within(&framework, &dataset, 2024, root);
        if level == OrgLevel::School {
            assert!(part.values.is_empty(), "a school has nothing to roll up");
            continue;
        }
        checked_levels.push(level);
        let expected: Vec<usize> = (0..dataset.orgs.len())
            .filter(|&unit| dataset.orgs[unit].level != OrgLevel::School && within(&dataset, unit, root))
            .collect();
        let mut held: Vec<usize> = part.values.keys().copied().collect();
        held.sort_unstable();
        assert_eq!(held, expected, "the roll-up under {} holds its own subtree's units", dataset.orgs[root].id);
        for &unit in &expected {
            for indicator in (0..framework.indicators.len()).map(IndicatorIndex) {
                assert_eq!(part.value(unit, indicator), whole.value(unit, indicator));
                assert_eq!(part.coverage(unit, indicator), whole.coverage(unit, indicator));
            }
        }
    }
    for level in [OrgLevel::Nation, OrgLevel::Province, OrgLevel::City, OrgLevel::County] {
        assert!(checked_levels.contains(&level), "{level:?} roots were tried");
    }
}
