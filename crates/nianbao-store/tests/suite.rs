//! The storage suite: the same behaviour is required of every backend.

use nianbao_core::aggregate::roll_up;
use nianbao_core::{Aggregation, Dataset, Framework, IndicatorIndex, OrgLevel, OrgUnit, Value};
use nianbao_store::{Layer, LoadOptions, Provenance, ReadLayer, Store, StoreError, ValueWrite};
use std::path::PathBuf;
use std::str::FromStr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn framework() -> Framework {
    let text = std::fs::read_to_string(root().join("frameworks/zhongzhi-2024.toml")).expect("framework file");
    Framework::from_toml("zhongzhi-2024.toml", &text).expect("framework")
}

/// A small dataset: a city, a county, two schools, a few values.
fn small_dataset(framework: &Framework) -> Dataset {
    let mut dataset = Dataset::new(framework.indicators.len());
    let unit = |id: &str, level: OrgLevel, parent: Option<usize>| OrgUnit::new(id, format!("{id}名"), level, parent);
    let city = dataset.add_org(unit("city", OrgLevel::City, None)).expect("org");
    let county = dataset.add_org(unit("county", OrgLevel::County, Some(city))).expect("org");
    let s1 = dataset.add_org(unit("s1", OrgLevel::School, Some(county))).expect("org");
    let s2 = dataset.add_org(unit("s2", OrgLevel::School, Some(county))).expect("org");
    let set = |dataset: &mut Dataset, org: usize, id: &str, value: Value| {
        dataset.set(org, 2024, framework.lookup(id).expect(id), value);
    };
    set(&mut dataset, s1, "a1.graduates", Value::Number(100.into()));
    set(&mut dataset, s2, "a1.graduates", Value::Number(300.into()));
    set(&mut dataset, s1, "a1.self_employment_rate", Value::Number(rust_decimal::Decimal::from_str("2.5").expect("d")));
    set(&mut dataset, s2, "a1.self_employment_rate", Value::Number(rust_decimal::Decimal::from_str("3.5").expect("d")));
    set(&mut dataset, s1, "a2.staff", Value::NotApplicable);
    set(&mut dataset, s1, "a2.staff.method", Value::Text("全国统一网上调查".into()));
    set(
        &mut dataset,
        s1,
        "a4.vertical_research_funding",
        Value::Number(rust_decimal::Decimal::from_str("35.84").expect("d")),
    );
    dataset
}

fn options() -> LoadOptions {
    LoadOptions { provenance: Provenance::Imported, actor: "tester".into(), reason: "test load".into() }
}

fn no_progress(_: usize, _: usize) {}

async fn snapshot(store: &dyn Store, framework: &Framework) -> (Vec<OrgUnit>, String, (i64, i64, i64)) {
    let dataset = store.read_dataset(framework, ReadLayer::Combined).await.expect("read");
    (
        store.org_units().await.expect("orgs"),
        nianbao_io_free_values(framework, &dataset),
        store.counts().await.expect("counts"),
    )
}

/// Every value of a dataset as sorted text lines.
fn nianbao_io_free_values(framework: &Framework, dataset: &Dataset) -> String {
    let mut lines = Vec::new();
    for ((org, year), slots) in dataset.iter_slots() {
        for (index, value) in slots.iter().enumerate() {
            if !value.is_missing() {
                lines.push(format!("{} {year} {} {value:?}", dataset.orgs[org].id, framework.indicators[index].id));
            }
        }
    }
    lines.sort();
    lines.join("\n")
}

pub async fn load_keeps_tree_values_and_history(store: &dyn Store) {
    let framework = framework();
    let dataset = small_dataset(&framework);
    let report = store.load(&framework, &dataset, &options(), &no_progress).await.expect("load");
    assert_eq!(report.orgs_added, 4);
    assert_eq!(report.values_inserted, 7);
    let orgs = store.org_units().await.expect("orgs");
    assert_eq!(orgs.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), vec!["city", "county", "s1", "s2"]);
    assert_eq!(orgs[2].parent, Some(1));
    let read = store.read_dataset(&framework, ReadLayer::Reported).await.expect("read");
    assert_eq!(
        nianbao_io_free_values(&framework, &read),
        nianbao_io_free_values(&framework, &dataset),
        "values round-trip exactly"
    );
    let stored = store
        .value("s1", 2024, "a4.vertical_research_funding", Layer::Reported)
        .await
        .expect("value")
        .expect("present");
    assert_eq!(stored.value, Value::Number(rust_decimal::Decimal::from_str("35.84").expect("d")));
    assert_eq!((stored.version, stored.provenance, stored.changed_by.as_str()), (1, Provenance::Imported, "tester"));
    let history = store.history("s1", 2024, "a2.staff", Layer::Reported).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].old_value.clone(), history[0].new_value.clone()), (None, Value::NotApplicable));
    assert_eq!(history[0].reason, "test load");
}

pub async fn loading_twice_changes_nothing(store: &dyn Store) {
    let framework = framework();
    let dataset = small_dataset(&framework);
    store.load(&framework, &dataset, &options(), &no_progress).await.expect("first load");
    let before = snapshot(store, &framework).await;
    let report = store.load(&framework, &dataset, &options(), &no_progress).await.expect("second load");
    assert_eq!(
        (report.orgs_added, report.values_inserted, report.values_updated, report.values_unchanged),
        (0, 0, 0, 7)
    );
    assert_eq!(snapshot(store, &framework).await, before);
    // A changed figure is an update with history.
    let mut changed = dataset.clone();
    changed.set(2, 2024, framework.lookup("a1.graduates").expect("id"), Value::Number(101.into()));
    let report = store.load(&framework, &changed, &options(), &no_progress).await.expect("third load");
    assert_eq!((report.values_updated, report.values_unchanged), (1, 6));
    let history = store.history("s1", 2024, "a1.graduates", Layer::Reported).await.expect("history");
    assert_eq!(
        history.iter().map(|h| (h.old_version, h.new_version)).collect::<Vec<_>>(),
        vec![(None, 1), (Some(1), 2)]
    );
}

fn write(value: i64, expected_version: Option<i64>, actor: &str) -> ValueWrite {
    ValueWrite {
        org: "s1".into(),
        year: 2024,
        indicator: "a1.graduates_placed".into(),
        value: Value::Number(value.into()),
        note: String::new(),
        expected_version,
        provenance: Provenance::Entered,
        actor: actor.into(),
        reason: format!("{actor} edits"),
    }
}

pub async fn two_writers_with_the_same_version(store: &dyn Store) {
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    assert_eq!(store.write_value(&write(90, None, "clerk")).await.expect("create"), 1);
    // Creating again without reading is a conflict too.
    assert!(matches!(store.write_value(&write(91, None, "other")).await, Err(StoreError::Conflict { current: 1, .. })));
    // Two writers read version 1 and both write; run them at the same time.
    let (write_a, write_b) = (write(95, Some(1), "writer-a"), write(96, Some(1), "writer-b"));
    let (first, second) = tokio::join!(store.write_value(&write_a), store.write_value(&write_b));
    let (winner_value, loser) = match (&first, &second) {
        (Ok(2), Err(error)) => (95, error),
        (Err(error), Ok(2)) => (96, error),
        other => panic!("exactly one writer must win: {other:?}"),
    };
    assert!(matches!(loser, StoreError::Conflict { expected: Some(1), current: 2, .. }), "{loser}");
    assert!(loser.to_string().contains("changed by someone else"), "{loser}");
    let stored = store.value("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("read").expect("present");
    assert_eq!((stored.value, stored.version), (Value::Number(winner_value.into()), 2));
    let history = store.history("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("history");
    assert_eq!(history.len(), 2, "one creation and one winning update: nothing lost, nothing duplicated");
    assert_eq!(history[1].old_value, Some(Value::Number(90.into())));
    assert_eq!(history[1].new_value, Value::Number(winner_value.into()));
    // The loser retries with the version it now reads, and succeeds.
    assert_eq!(store.write_value(&write(97, Some(2), "retry")).await.expect("retry"), 3);
    assert!(matches!(store.write_value(&write(1, Some(7), "x")).await, Err(StoreError::Conflict { current: 3, .. })));
}

pub async fn closed_year_refuses_writes(store: &dyn Store) {
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    store.set_year_closed(2024, true).await.expect("close");
    assert!(store.is_year_closed(2024).await.expect("read"));
    assert!(matches!(store.write_value(&write(1, None, "late")).await, Err(StoreError::YearClosed(2024))));
    assert!(matches!(
        store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await,
        Err(StoreError::YearClosed(2024))
    ));
    store.set_year_closed(2024, false).await.expect("reopen");
    store.write_value(&write(1, None, "reopened")).await.expect("write after reopening");
}

pub async fn failed_load_leaves_database_as_before(store: &dyn Store) {
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let before = snapshot(store, &framework).await;
    // A dataset with 2,500 new schools and values, one of which the database refuses.
    let mut bad = small_dataset(&framework);
    for i in 0..2500 {
        let org =
            bad.add_org(OrgUnit::new(format!("x{i}"), format!("新学校{i}"), OrgLevel::School, Some(1))).expect("org");
        bad.set(org, 2024, framework.lookup("a1.graduates").expect("id"), Value::Number(i.into()));
    }
    // The last value carries a note longer than the database allows: its batch is refused
    // after two full batches of new values were written inside the transaction.
    let last = bad.org_index("x2499").expect("last");
    bad.set_note(last, 2024, framework.lookup("a1.graduates").expect("id"), "长".repeat(2001));
    let result = store.load(&framework, &bad, &options(), &no_progress).await;
    assert!(result.is_err(), "the bad load must fail");
    assert_eq!(snapshot(store, &framework).await, before, "nothing of the failed load remains");
}

pub async fn unknown_org_and_framework_mismatch_are_refused(store: &dyn Store) {
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let mut stray = write(1, None, "x");
    stray.org = "nowhere".into();
    assert!(matches!(store.write_value(&stray).await, Err(StoreError::UnknownOrg(_))));
    let mut other = framework.clone();
    other.version = "2099.1".into();
    let error = store.bind_framework(&other).await.expect_err("mismatch");
    assert!(
        error.to_string().contains("holds values of framework zhongzhi-2024 2024.1, not zhongzhi-2024 2099.1"),
        "{error}"
    );
}

pub async fn sample_schools_aggregate_to_the_published_city_figures(store: &dyn Store) {
    let sample = nianbao_io::load_dataset_dir(&root().join("datasets/ganzhou-sample")).expect("sample");
    let published = nianbao_io::load_dataset_dir(&root().join("datasets/ganzhou")).expect("published");
    let framework = &sample.framework;
    // Load only the schools' figures: the city's come from aggregation.
    let mut schools_only = Dataset::new(framework.indicators.len());
    for unit in &sample.dataset.orgs {
        schools_only.add_org(unit.clone()).expect("org");
    }
    for ((org, year), slots) in sample.dataset.iter_slots() {
        if sample.dataset.orgs[org].level == OrgLevel::School {
            for (index, value) in slots.iter().enumerate() {
                schools_only.set(org, year, IndicatorIndex(index), value.clone());
            }
        }
    }
    store.load(framework, &schools_only, &options(), &no_progress).await.expect("load schools");
    let stored = store.read_dataset(framework, ReadLayer::Reported).await.expect("read");
    for year in [2023, 2024] {
        let rolled = roll_up(framework, &stored, year);
        store.replace_aggregates(framework, &stored, &rolled, "aggregator").await.expect("write aggregates");
    }
    let aggregated = store.read_dataset(framework, ReadLayer::Aggregated).await.expect("read aggregates");
    let city = aggregated.org_index("ganzhou").expect("city");
    let published_city = published.dataset.org_index("ganzhou").expect("city");
    let mut compared = 0;
    for year in [2023, 2024] {
        for (index, indicator) in framework.indicators.iter().enumerate() {
            let expected = published.dataset.get(published_city, year, IndicatorIndex(index));
            let actual = aggregated.get(city, year, IndicatorIndex(index));
            if expected.number().is_none()
                || matches!(indicator.aggregation, Aggregation::NotAggregable)
                || actual.is_missing()
            {
                continue;
            }
            assert_eq!(
                actual.format(indicator.decimals),
                expected.format(indicator.decimals),
                "{year} {}",
                indicator.id
            );
            compared += 1;
        }
    }
    assert!(compared >= 270, "compared {compared} city figures");
    let coverage =
        store.value("ganzhou", 2024, "a1.graduates", Layer::Aggregated).await.expect("read").expect("aggregated");
    assert_eq!(coverage.coverage, Some((43, 43)), "all 43 schools gave 毕业生人数");
    assert_eq!(coverage.provenance, Provenance::Aggregated);
}
