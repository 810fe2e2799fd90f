//! The bundled synthetic school sample rolls up to the city's published figures, and the
//! committed sample is what `nianbao sample` generates.

use nianbao_core::aggregate::{differences, roll_up};
use nianbao_core::{Aggregation, IndicatorIndex, OrgLevel, Ownership, Value};
use nianbao_io::load_dataset_dir;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn sample_has_43_schools_in_18_counties_with_the_published_designations() {
    let loaded = load_dataset_dir(&root().join("datasets/ganzhou-sample")).expect("sample loads");
    let dataset = &loaded.dataset;
    assert!(dataset.sample, "the sample is labelled synthetic");
    let schools: Vec<_> = dataset.orgs.iter().filter(|o| o.level == OrgLevel::School).collect();
    assert_eq!(schools.len(), 43);
    assert_eq!(dataset.orgs.iter().filter(|o| o.level == OrgLevel::County).count(), 18);
    assert_eq!(schools.iter().filter(|s| s.ownership == Some(Ownership::Public)).count(), 18);
    assert_eq!(schools.iter().filter(|s| s.ownership == Some(Ownership::Private)).count(), 25);
    assert!(schools.iter().all(|s| s.name.contains("样例")), "invented names are marked as samples");
}

#[test]
fn city_roll_up_reproduces_every_published_aggregable_figure() {
    let sample = load_dataset_dir(&root().join("datasets/ganzhou-sample")).expect("sample loads");
    let published = load_dataset_dir(&root().join("datasets/ganzhou")).expect("published loads");
    let framework = &sample.framework;
    let city = sample.dataset.org_index("ganzhou").expect("city");
    let published_city = published.dataset.org_index("ganzhou").expect("city");
    let mut compared = 0;
    let mut not_aggregated = Vec::new();
    for year in [2023, 2024] {
        let rolled = roll_up(framework, &sample.dataset, year);
        for (position, indicator) in framework.indicators.iter().enumerate() {
            let index = IndicatorIndex(position);
            let expected = published.dataset.get(published_city, year, index);
            if expected.is_missing() || matches!(expected, Value::Text(_)) {
                continue;
            }
            let actual = rolled.value(city, index);
            if matches!(indicator.aggregation, Aggregation::NotAggregable) || actual.is_missing() {
                not_aggregated.push(format!("{year} {}", indicator.id));
                continue;
            }
            assert_eq!(
                actual.format(indicator.decimals),
                expected.format(indicator.decimals),
                "{year} {} ({}): roll-up {actual:?} vs published {expected:?}",
                indicator.id,
                indicator.label
            );
            if matches!(indicator.aggregation, Aggregation::Sum) {
                assert_eq!(actual, &expected.clone(), "{year} {}: sums are exact", indicator.id);
            }
            compared += 1;
        }
        assert!(
            differences(framework, &sample.dataset, &rolled).is_empty(),
            "entered city figures equal the roll-up in {year}"
        );
    }
    assert_eq!(compared, 282, "figures compared; not aggregated: {not_aggregated:?}");
    // Figures that no school roll-up can produce: stated only at city level, or shares of a
    // province total.
    for id in &not_aggregated {
        assert!(id.contains("facts."), "{id} was not aggregated");
    }
}
