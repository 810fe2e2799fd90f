//! The storage suite: the same behaviour is required of every backend.

use nianbao_core::aggregate::roll_up;
use nianbao_core::{Aggregation, Dataset, Framework, IndicatorIndex, OrgLevel, OrgUnit, Value};
use nianbao_store::{Layer, LoadOptions, Provenance, ReadLayer, ReadScope, Store, StoreError, ValueWrite};
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
    // The changes since a moment: only the later one, naming its indicator.
    let since = store.changes_since("s1", 2024, Layer::Reported, &history[0].changed_at).await.expect("changes");
    let changed: Vec<(&str, Option<i64>)> = since.iter().map(|(id, h)| (id.as_str(), h.old_version)).collect();
    assert_eq!(changed, [("a1.graduates", Some(1))]);
    let everything = store.changes_since("s1", 2024, Layer::Reported, "").await.expect("changes");
    assert!(
        everything.len() > 1 && everything.iter().all(|(_, h)| h.changed_at.as_str() >= history[0].changed_at.as_str())
    );
    assert!(
        store.changes_since("s2", 2024, Layer::Reported, &history[1].changed_at).await.expect("changes").is_empty()
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
        overwrite: false,
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
    // A batch is all or nothing: its stale second write undoes its first.
    let batch = [write(50, Some(2), "batch"), write(51, Some(1), "batch")];
    assert!(matches!(store.write_values(&batch).await, Err(StoreError::Conflict { .. })));
    assert_eq!(store.history("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("history").len(), 2);
    assert_eq!(history[1].old_value, Some(Value::Number(90.into())));
    assert_eq!(history[1].new_value, Value::Number(winner_value.into()));
    // The loser retries with the version it now reads, and succeeds.
    assert_eq!(store.write_value(&write(97, Some(2), "retry")).await.expect("retry"), 3);
    assert!(matches!(store.write_value(&write(1, Some(7), "x")).await, Err(StoreError::Conflict { current: 3, .. })));
    // Overwrite (last writer wins) ignores the stale version but still versions the change.
    let overwrite = ValueWrite { overwrite: true, ..write(42, Some(1), "api") };
    assert_eq!(store.write_value(&overwrite).await.expect("overwrite"), 4);
    let history = store.history("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("history");
    assert_eq!((history.last().map(|h| h.old_version), history.len()), (Some(Some(3)), 4));
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

/// A read scoped to a subtree and some years holds exactly that part of the store: every value
/// of the subtree's units in those years as a whole read has it, and nothing else; the org tree
/// is whole either way.
pub async fn scoped_reads_hold_exactly_their_subtree_and_years(store: &dyn Store) {
    let sample = nianbao_io::load_dataset_dir(&root().join("datasets/ganzhou-sample")).expect("sample");
    let framework = &sample.framework;
    store.load(framework, &sample.dataset, &options(), &no_progress).await.expect("load");
    let whole = store.read_dataset(framework, ReadLayer::Reported).await.expect("read");
    for (root, years) in [("yudu", vec![2024]), ("yudu-s1", vec![2023, 2024]), ("ganzhou", vec![2023])] {
        let scoped =
            store.read_scoped(framework, ReadLayer::Reported, &ReadScope::subtree(root, &years)).await.expect("scoped");
        assert_eq!(scoped.orgs, whole.orgs, "the whole tree");
        let top = whole.org_index(root).expect("root");
        let mut inside = 0;
        for ((org, year), slots) in whole.iter_slots() {
            let within = nianbao_core::dataset::is_within(&whole.orgs, org, top) && years.contains(&year);
            for (index, value) in slots.iter().enumerate() {
                let read = scoped.get(org, year, IndicatorIndex(index));
                if within {
                    assert_eq!(read, value, "{root}: {} {year} {}", whole.orgs[org].id, framework.indicators[index].id);
                    inside += usize::from(!value.is_missing());
                } else {
                    assert!(read.is_missing(), "{root}: {} {year} was read", whole.orgs[org].id);
                }
            }
        }
        assert!(inside > 100, "{root}: {inside} values");
    }
    let nothing = store
        .read_scoped(framework, ReadLayer::Reported, &ReadScope::subtree("no-such-unit", &[]))
        .await
        .expect("read");
    assert!(
        nothing.iter_slots().all(|(_, slots)| slots.iter().all(Value::is_missing)),
        "an unknown root reads nothing"
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

pub async fn workflow_transitions_lock_and_audit(store: &dyn Store) {
    use nianbao_store::{SubmissionStatus as S, Transition};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    assert_eq!(store.submission("s1", 2024).await.expect("read").status, S::NotStarted);
    let step = |from: &'static [S], to: S, action: &'static str, comment: &'static str| Transition {
        org_id: "s1",
        year: 2024,
        from,
        to,
        actor: "tester",
        comment,
        action,
        expected_revision: None,
    };
    store.transition(&step(&[S::NotStarted, S::Draft, S::Returned], S::Submitted, "submit", "")).await.expect("submit");
    // Approving twice, or returning an approved school, is refused and changes nothing.
    store.transition(&step(&[S::Submitted], S::Approved, "approve", "ok")).await.expect("approve");
    let refused = store.transition(&step(&[S::Submitted], S::Returned, "return", "again")).await;
    assert!(matches!(refused, Err(StoreError::Workflow { from: "approved", to: "returned" })), "{refused:?}");
    // Approved data is locked in the store itself.
    let locked = store.write_value(&write(5, None, "clerk")).await;
    assert!(matches!(locked, Err(StoreError::Locked { .. })), "{locked:?}");
    store.transition(&step(&[S::Approved], S::Returned, "unlock", "fix 表2")).await.expect("unlock");
    assert_eq!(store.write_value(&write(5, None, "clerk")).await.expect("unlocked write"), 1);
    let events = store.events("s1", 2024).await.expect("events");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["submit", "approve", "unlock"]);
    assert_eq!(events[2].detail, "fix 表2");
    assert!(store.events("s2", 2024).await.expect("events").is_empty());
}

/// A submission names the data revision its check was made on: a write since refuses it, and
/// once submitted, values and explanations refuse writes until a reviewer returns the data.
pub async fn submission_is_atomic_with_its_check(store: &dyn Store) {
    use nianbao_store::{SubmissionStatus as S, Transition};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let submit = |revision: i64| Transition {
        org_id: "s1",
        year: 2024,
        from: &[S::NotStarted, S::Draft, S::Returned],
        to: S::Submitted,
        actor: "clerk",
        comment: "",
        action: "submit",
        expected_revision: Some(revision),
    };
    let checked = store.submission("s1", 2024).await.expect("read").revision;
    assert!(checked > 0, "the load changed the year, so its revision moved");
    store.write_value(&write(90, None, "colleague")).await.expect("a colleague's write after the check");
    let refused = store.transition(&submit(checked)).await;
    assert!(matches!(refused, Err(StoreError::ChangedSince { .. })), "{refused:?}");
    assert_eq!(store.submission("s1", 2024).await.expect("read").status, S::NotStarted);
    // An explanation is part of what is checked: writing one moves the revision too.
    let after_write = store.submission("s1", 2024).await.expect("read").revision;
    store
        .set_explanation("s1", 2024, "yoy.a1.graduates", "招生调整", "a1.graduates@2024=100", "clerk")
        .await
        .expect("explain");
    let explained = store.submission("s1", 2024).await.expect("read").revision;
    assert!(explained > after_write);
    let explanations = store.explanations("s1", 2024).await.expect("read");
    assert_eq!(explanations[0].values_seen, "a1.graduates@2024=100", "the explanation keeps the values it answers");
    store.transition(&submit(explained)).await.expect("a submit on the current revision");
    // Submitted: every write path refuses, and nothing changes.
    let value = store.write_value(&write(91, Some(1), "clerk")).await;
    assert!(matches!(value, Err(StoreError::UnderReview { .. })), "{value:?}");
    let explanation = store.set_explanation("s1", 2024, "yoy.a1.graduates", "改", "", "clerk").await;
    assert!(matches!(explanation, Err(StoreError::UnderReview { .. })), "{explanation:?}");
    let mut changed = small_dataset(&framework);
    changed.set(
        changed.org_index("s1").expect("s1"),
        2024,
        framework.lookup("a1.graduates").expect("id"),
        Value::Number(101.into()),
    );
    let load = store.load(&framework, &changed, &options(), &no_progress).await;
    assert!(matches!(load, Err(StoreError::UnderReview { .. })), "{load:?}");
    let stored = store.value("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("read").expect("stored");
    assert_eq!((stored.value, stored.version), (Value::Number(90.into()), 1));
    assert_eq!(store.submission("s1", 2024).await.expect("read").revision, explained);
    // Returned, the clerk may write again.
    let back = Transition {
        from: &[S::Submitted],
        to: S::Returned,
        action: "return",
        comment: "请核对",
        expected_revision: None,
        ..submit(0)
    };
    store.transition(&back).await.expect("return");
    assert_eq!(store.write_value(&write(91, Some(1), "clerk")).await.expect("write"), 2);
}

/// A writer and a submitter at the same time: whenever the submit lands, no write lands after
/// the revision it checked, so what was checked is what was submitted.
pub async fn no_write_slips_between_check_and_submit(store: &dyn Store) {
    use nianbao_store::{SubmissionStatus as S, Transition};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let writer = async {
        let mut written = Vec::new();
        for value in 1..=60 {
            let mut write = write(value, None, "writer");
            write.overwrite = true;
            match store.write_value(&write).await {
                Ok(_) => written.push(value),
                Err(StoreError::UnderReview { .. }) => break,
                Err(other) => panic!("unexpected {other:?}"),
            }
            tokio::task::yield_now().await;
        }
        written
    };
    let submitter = async {
        for attempt in 0..500 {
            let checked = store.submission("s1", 2024).await.expect("read").revision;
            // What a server does between reading and submitting: read the values it checks.
            let values = store.org_values("s1", 2024, 2024).await.expect("values");
            let result = store
                .transition(&Transition {
                    org_id: "s1",
                    year: 2024,
                    from: &[S::NotStarted, S::Draft],
                    to: S::Submitted,
                    actor: "clerk",
                    comment: "",
                    action: "submit",
                    expected_revision: Some(checked),
                })
                .await;
            match result {
                Ok(submission) => return (attempt, checked, submission.revision, values),
                Err(StoreError::ChangedSince { .. }) => tokio::task::yield_now().await,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        panic!("the submission never went through");
    };
    let (written, (_attempts, checked, landed, values_checked)) = tokio::join!(writer, submitter);
    assert_eq!(checked, landed);
    assert_eq!(store.submission("s1", 2024).await.expect("read").revision, checked, "no write after the check");
    let stored = store.value("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("read");
    let seen = values_checked.iter().find(|v| v.indicator_id == "a1.graduates_placed").map(|v| v.stored.value.clone());
    assert_eq!(stored.map(|s| s.value), seen, "the value submitted is the value checked");
    let history = store.history("s1", 2024, "a1.graduates_placed", Layer::Reported).await.expect("history");
    assert_eq!(history.len(), written.len(), "every write that answered ok is in the history, no other");
}

/// The editor's decisions between an entered figure and its aggregate: kept per figure, replaced
/// by a later decision, each one in the audit trail.
pub async fn figure_choices_are_kept_and_audited(store: &dyn Store) {
    use nianbao_store::FigureChoice;
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let choice = |aggregate: bool, reason: &str| FigureChoice {
        indicator_id: "a1.graduates".into(),
        aggregate,
        reason: reason.into(),
        decided_by: "editor".into(),
        decided_at: String::new(),
    };
    store.set_figure_choice("city", 2024, &choice(false, "市级口径")).await.expect("keep");
    store.set_figure_choice("city", 2024, &choice(true, "")).await.expect("take the aggregate");
    let choices = store.figure_choices("city", 2024).await.expect("read");
    assert_eq!(choices.len(), 1);
    assert!(choices[0].aggregate && !choices[0].decided_at.is_empty());
    assert!(store.figure_choices("city", 2023).await.expect("read").is_empty());
    let events = store.events("city", 2024).await.expect("events");
    let details: Vec<&str> = events.iter().filter(|e| e.action == "figure_choice").map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["a1.graduates：保留填报数（市级口径）", "a1.graduates：采用汇总数"]);
}

pub async fn publications_are_immutable_and_numbered(store: &dyn Store) {
    use nianbao_store::{NewPublication, PublicationFile};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let new = |note: &str| NewPublication {
        org_id: "city".into(),
        year: 2024,
        title: "年报".into(),
        published_by: "editor".into(),
        change_note: note.into(),
        html: b"<p>v</p>".to_vec(),
        docx: vec![1, 2],
        pdf: b"%PDF-".to_vec(),
        xlsx: vec![3],
        data: r#"{"2024":{"t1.enrolled":"100"}}"#.into(),
    };
    let first = store.publish(&new("首次发布")).await.expect("publish");
    let second = store.publish(&new("更正表2")).await.expect("publish again");
    assert_eq!((first.version, second.version), (1, 2));
    assert_eq!(store.publication_file(first.id, PublicationFile::Pdf).await.expect("file"), Some(b"%PDF-".to_vec()));
    let data = store.publication_file(second.id, PublicationFile::Data).await.expect("data").expect("present");
    assert!(String::from_utf8(data).expect("utf-8").contains("t1.enrolled"));
    let listed = store.publications().await.expect("list");
    assert_eq!(listed.iter().map(|p| p.version).collect::<Vec<_>>(), [2, 1]);
    // The database itself refuses to change a published version.
    assert!(store.tamper_with_publication(first.id).await.is_err(), "a published version was changed");
    assert_eq!(
        store.publication_file(first.id, PublicationFile::Html).await.expect("file"),
        Some(b"<p>v</p>".to_vec())
    );
}

pub async fn accounts_sessions_cases_and_photos(store: &dyn Store) {
    use nianbao_store::{Account, CasePhoto, CaseStudy, Role, SessionRecord};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let account = Account {
        username: "s1-clerk".into(),
        password_hash: "$argon2id$x".into(),
        role: Role::School,
        org_id: "s1".into(),
        display_name: "填报员".into(),
        created_at: String::new(),
        must_change_password: false,
        password_changed_at: String::new(),
    };
    store.add_account(&account).await.expect("add");
    let read = store.account("s1-clerk").await.expect("read").expect("present");
    assert_eq!((read.role, read.org_id.as_str()), (Role::School, "s1"));
    let orphan = Account { username: "x".into(), org_id: "nowhere".into(), ..account.clone() };
    assert!(matches!(store.add_account(&orphan).await, Err(StoreError::UnknownOrg(_))));
    let session =
        SessionRecord { token_hash: "h".into(), username: "s1-clerk".into(), csrf: "c".into(), expires_at: 9 };
    store.create_session(&session).await.expect("session");
    assert_eq!(store.session("h").await.expect("read"), Some(session));
    store.delete_session("h").await.expect("logout");
    store.add_api_token("t1", "s1-clerk", "sync").await.expect("token");
    store.add_api_token("t2", "s1-clerk", "load").await.expect("token");
    assert_eq!(store.api_token_user("t1").await.expect("read").as_deref(), Some("s1-clerk"));
    assert_eq!(store.revoke_api_tokens("s1-clerk").await.expect("revoke"), 2);
    assert_eq!(store.api_token_user("t2").await.expect("read"), None);
    assert_eq!(store.session("h").await.expect("read"), None);
    let photo = store.add_photo("s1", "image/png", &[137, 80, 78, 71], "s1-clerk").await.expect("photo");
    let second = store.add_photo("s1", "image/jpeg", &[0xff, 0xd8, 0xff], "s1-clerk").await.expect("photo");
    let mut case = CaseStudy {
        id: 0,
        org_id: "s1".into(),
        year: 2024,
        title: "实训基地".into(),
        body: "正文".into(),
        photos: vec![
            CasePhoto { photo_id: photo, caption: "图一".into() },
            CasePhoto { photo_id: second, caption: "图二".into() },
        ],
        section: "talent".into(),
        updated_by: "s1-clerk".into(),
        updated_at: String::new(),
    };
    case.id = store.save_case(&case).await.expect("insert");
    case.title = "实训基地建设".into();
    case.photos.swap(0, 1);
    assert_eq!(store.save_case(&case).await.expect("update"), case.id);
    // An update must name the right org unit: a case cannot be moved to another school.
    let moved = CaseStudy { org_id: "s2".into(), ..case.clone() };
    assert!(store.save_case(&moved).await.is_err());
    let cases = store.cases("s1", 2024).await.expect("cases");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].title, "实训基地建设");
    // The photos in their new order, with their captions.
    let captions: Vec<&str> = cases[0].photos.iter().map(|p| p.caption.as_str()).collect();
    assert_eq!(captions, ["图二", "图一"]);
    assert_eq!(store.case_study(case.id).await.expect("read").expect("present"), cases[0]);
    assert_eq!(store.photo(photo).await.expect("photo").expect("present").bytes, [137, 80, 78, 71]);
    // An update names the stamp it was read with: made on the current one, refused on a stale one
    // (two sessions on one case), and the refused one changes nothing.
    let read = cases[0].clone();
    let fresh = CaseStudy { title: "实训基地（一）".into(), ..read.clone() };
    store.save_case(&fresh).await.expect("update on the current stamp");
    let stale = CaseStudy { title: "实训基地（二）".into(), ..read };
    assert!(matches!(store.save_case(&stale).await, Err(StoreError::CaseChanged { .. })));
    assert_eq!(store.case_study(case.id).await.expect("read").expect("present").title, "实训基地（一）");
}

/// A case study is part of its school's return: locked while submitted or approved like the
/// values; picked into the report above, in order, with the picks audited; deleting a case
/// removes it from the reports that picked it.
pub async fn cases_lock_with_the_return_and_are_picked_above(store: &dyn Store) {
    use nianbao_store::{CasePick, CaseStudy, SubmissionStatus as S, Transition};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let new_case = |title: &str| CaseStudy {
        id: 0,
        org_id: "s1".into(),
        year: 2024,
        title: title.into(),
        body: "第一段。\n\n第二段。".into(),
        photos: Vec::new(),
        section: "talent".into(),
        updated_by: "s1-clerk".into(),
        updated_at: String::new(),
    };
    let first = store.save_case(&new_case("甲")).await.expect("first");
    let second = store.save_case(&new_case("乙")).await.expect("second");
    let step = |from: &'static [S], to: S, action: &'static str| Transition {
        org_id: "s1",
        year: 2024,
        from,
        to,
        actor: "tester",
        comment: "",
        action,
        expected_revision: None,
    };
    store.transition(&step(&[S::NotStarted, S::Draft, S::Returned], S::Submitted, "submit")).await.expect("submit");
    let edited = CaseStudy { id: first, title: "甲（改）".into(), ..new_case("") };
    assert!(matches!(store.save_case(&edited).await, Err(StoreError::UnderReview { .. })));
    assert!(matches!(store.save_case(&new_case("丙")).await, Err(StoreError::UnderReview { .. })));
    assert!(matches!(store.delete_case(first, "s1", 2024, "s1-clerk").await, Err(StoreError::UnderReview { .. })));
    store.transition(&step(&[S::Submitted], S::Approved, "approve")).await.expect("approve");
    assert!(matches!(store.delete_case(first, "s1", 2024, "s1-clerk").await, Err(StoreError::Locked { .. })));
    let titles: Vec<String> = store.cases("s1", 2024).await.expect("cases").into_iter().map(|c| c.title).collect();
    assert_eq!(titles, ["甲", "乙"]);

    let picks = [
        CasePick { case_id: second, position: 1, section: "talent".into() },
        CasePick { case_id: first, position: 2, section: "service".into() },
    ];
    store.set_case_picks("county", 2024, &picks, "editor").await.expect("pick");
    assert_eq!(store.case_picks("county", 2024).await.expect("picks"), picks);
    assert!(store.case_picks("county", 2023).await.expect("picks").is_empty());
    // A pick of a case that does not exist changes nothing.
    let wrong = [CasePick { case_id: 9999, position: 1, section: "talent".into() }];
    assert!(store.set_case_picks("county", 2024, &wrong, "editor").await.is_err());
    assert_eq!(store.case_picks("county", 2024).await.expect("picks"), picks);
    let events = store.events("county", 2024).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.action == "case_picks").count(), 1);
    assert!(events[0].detail.contains("乙"), "{}", events[0].detail);

    // Reopened, the school deletes a picked case: it leaves the county's picks too.
    store.transition(&step(&[S::Approved], S::Returned, "unlock")).await.expect("unlock");
    store.delete_case(first, "s1", 2024, "s1-clerk").await.expect("delete");
    assert!(store.delete_case(first, "s1", 2024, "s1-clerk").await.is_err(), "deleted twice");
    assert_eq!(store.case_picks("county", 2024).await.expect("picks"), picks[..1]);
    let school_events: Vec<String> =
        store.events("s1", 2024).await.expect("events").into_iter().map(|e| e.action).collect();
    assert!(school_events.contains(&"case_delete".to_string()), "{school_events:?}");
}

pub async fn a_password_change_ends_every_session(store: &dyn Store) {
    use nianbao_store::{Account, Role, SessionRecord};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    for username in ["clerk", "other"] {
        let account = Account {
            username: username.into(),
            password_hash: "$argon2id$old".into(),
            role: Role::School,
            org_id: "s1".into(),
            display_name: "填报员".into(),
            created_at: String::new(),
            must_change_password: false,
            password_changed_at: String::new(),
        };
        store.add_account(&account).await.expect("add");
    }
    for (hash, username) in [("a", "clerk"), ("b", "clerk"), ("c", "other")] {
        let session =
            SessionRecord { token_hash: hash.into(), username: username.into(), csrf: "x".into(), expires_at: 9 };
        store.create_session(&session).await.expect("session");
    }
    assert_eq!(store.set_password("clerk", "$argon2id$new", true).await.expect("reset"), 2);
    assert_eq!(store.session("a").await.expect("read"), None);
    assert_eq!(store.session("b").await.expect("read"), None);
    assert!(store.session("c").await.expect("read").is_some(), "another account's session was ended");
    let read = store.account("clerk").await.expect("read").expect("present");
    assert_eq!(read.password_hash, "$argon2id$new");
    assert!(read.must_change_password);
    assert!(!read.password_changed_at.is_empty());
    assert_eq!(store.set_password("clerk", "$argon2id$mine", false).await.expect("change"), 0);
    assert!(!store.account("clerk").await.expect("read").expect("present").must_change_password);
    assert!(matches!(store.set_password("nobody", "h", false).await, Err(StoreError::UnknownAccount(_))));
    assert_eq!(store.delete_sessions_of("other").await.expect("end"), 1);
    assert_eq!(store.session("c").await.expect("read"), None);
}

pub async fn deadlines_are_set_per_org_and_audited(store: &dyn Store) {
    use nianbao_store::{Deadline, DeadlineStage};
    let framework = framework();
    store.load(&framework, &small_dataset(&framework), &options(), &no_progress).await.expect("load");
    let deadline = |org: &str, stage, due: &str| Deadline {
        org_id: org.into(),
        year: 2024,
        stage,
        due_on: due.into(),
        set_by: "admin".into(),
        set_at: String::new(),
    };
    store.set_deadline(&deadline("county", DeadlineStage::Submit, "2025-01-10")).await.expect("set");
    store.set_deadline(&deadline("county", DeadlineStage::Review, "2025-01-20")).await.expect("set");
    store.set_deadline(&deadline("county", DeadlineStage::Submit, "2025-01-15")).await.expect("move");
    let read = store.deadlines(2024).await.expect("read");
    let days: Vec<(&str, DeadlineStage, &str)> =
        read.iter().map(|d| (d.org_id.as_str(), d.stage, d.due_on.as_str())).collect();
    assert_eq!(
        days,
        [("county", DeadlineStage::Review, "2025-01-20"), ("county", DeadlineStage::Submit, "2025-01-15")]
    );
    assert!(store.deadlines(2023).await.expect("read").is_empty());
    store.set_deadline(&deadline("county", DeadlineStage::Review, "")).await.expect("remove");
    assert_eq!(store.deadlines(2024).await.expect("read").len(), 1);
    assert!(matches!(
        store.set_deadline(&deadline("nowhere", DeadlineStage::Submit, "2025-01-10")).await,
        Err(StoreError::UnknownOrg(_))
    ));
    let events = store.events("county", 2024).await.expect("events");
    let details: Vec<&str> = events.iter().filter(|e| e.action == "deadline").map(|e| e.detail.as_str()).collect();
    assert_eq!(details, ["submit 2025-01-10", "review 2025-01-20", "submit 2025-01-15", "review -"]);
}

/// Re-aggregating one unit's subtree replaces the aggregates of exactly that subtree; the units
/// above are marked stale when (and only when) the subtree's top figures changed, and a school's
/// approval changing marks every unit above it. Re-aggregating a unit clears its mark.
pub async fn subtree_aggregation_replaces_its_units_and_marks_those_above(store: &dyn Store) {
    use nianbao_core::aggregate::roll_up_within;
    use nianbao_store::{StaleCause, SubmissionStatus as S, Transition};
    let framework = framework();
    let mut dataset = Dataset::new(framework.indicators.len());
    let unit = |id: &str, level: OrgLevel, parent: Option<usize>| OrgUnit::new(id, format!("{id}名"), level, parent);
    let province = dataset.add_org(unit("p", OrgLevel::Province, None)).expect("org");
    let city_a = dataset.add_org(unit("a", OrgLevel::City, Some(province))).expect("org");
    let county_a = dataset.add_org(unit("a1", OrgLevel::County, Some(city_a))).expect("org");
    let city_b = dataset.add_org(unit("b", OrgLevel::City, Some(province))).expect("org");
    let county_b = dataset.add_org(unit("b1", OrgLevel::County, Some(city_b))).expect("org");
    let graduates = framework.lookup("a1.graduates").expect("indicator");
    for (id, county, count) in [("sa1", county_a, 100), ("sa2", county_a, 200), ("sb1", county_b, 400)] {
        let school = dataset.add_org(unit(id, OrgLevel::School, Some(county))).expect("org");
        dataset.set(school, 2024, graduates, Value::Number(count.into()));
    }
    store.load(&framework, &dataset, &options(), &no_progress).await.expect("load");
    let aggregated = |org: &'static str| async move {
        store.value(org, 2024, "a1.graduates", Layer::Aggregated).await.expect("read").map(|v| v.value)
    };
    let number = |n: i64| Some(Value::Number(n.into()));

    let stored = store.read_dataset(&framework, ReadLayer::Reported).await.expect("read");
    let whole =
        store.replace_aggregates(&framework, &stored, &roll_up(&framework, &stored, 2024), "t").await.expect("all");
    assert_eq!((whole.units, whole.marked_stale.len()), (5, 0), "a whole roll-up has nothing above it");
    assert_eq!(aggregated("p").await, number(700));
    assert!(store.stale_aggregates(2024).await.expect("stale").is_empty());

    // A school of city a changes; city a is re-aggregated alone.
    let mut change = write(150, Some(1), "clerk");
    change.org = "sa1".into();
    change.indicator = "a1.graduates".into();
    store.write_value(&change).await.expect("write");
    let stored = store.read_dataset(&framework, ReadLayer::Reported).await.expect("read");
    let a = stored.org_index("a").expect("a");
    let outcome = store
        .replace_aggregates(&framework, &stored, &roll_up_within(&framework, &stored, 2024, a), "t")
        .await
        .expect("a");
    assert_eq!(outcome.units, 2, "city a and its county");
    assert_eq!(outcome.marked_stale, vec!["p".to_string()]);
    assert_eq!((aggregated("a").await, aggregated("a1").await), (number(350), number(350)));
    assert_eq!(aggregated("b").await, number(400), "city b is not touched");
    assert_eq!(aggregated("p").await, number(700), "the province keeps its figure until its own re-aggregation");
    let stale = store.stale_aggregates(2024).await.expect("stale");
    assert_eq!(stale.len(), 1);
    assert_eq!(
        (stale[0].org_id.as_str(), stale[0].cause, stale[0].cause_org_id.as_str()),
        ("p", StaleCause::BelowAggregated, "a")
    );

    // The same figures again mark nothing above.
    let again = store
        .replace_aggregates(&framework, &stored, &roll_up_within(&framework, &stored, 2024, a), "t")
        .await
        .expect("a");
    assert!(again.marked_stale.is_empty(), "unchanged figures leave the units above as they are");

    // The province's own re-aggregation brings it up to date and clears its mark.
    let p = stored.org_index("p").expect("p");
    store.replace_aggregates(&framework, &stored, &roll_up_within(&framework, &stored, 2024, p), "t").await.expect("p");
    assert_eq!(aggregated("p").await, number(750));
    assert!(store.stale_aggregates(2024).await.expect("stale").is_empty());

    // Approval decides what the aggregates count: approving a school, and withdrawing the
    // approval, mark every unit above it; submitting alone does not.
    let step = |from: &'static [S], to: S, action: &'static str| Transition {
        org_id: "sb1",
        year: 2024,
        from,
        to,
        actor: "reviewer",
        comment: "",
        action,
        expected_revision: None,
    };
    store.transition(&step(&[S::NotStarted], S::Submitted, "submit")).await.expect("submit");
    assert!(store.stale_aggregates(2024).await.expect("stale").is_empty(), "a submission counts in no aggregate");
    store.transition(&step(&[S::Submitted], S::Approved, "approve")).await.expect("approve");
    let marked: Vec<(String, StaleCause, String)> = store
        .stale_aggregates(2024)
        .await
        .expect("stale")
        .into_iter()
        .map(|mark| (mark.org_id, mark.cause, mark.cause_org_id))
        .collect();
    let expected: Vec<(String, StaleCause, String)> =
        ["b", "b1", "p"].iter().map(|id| (id.to_string(), StaleCause::Approval, "sb1".to_string())).collect();
    assert_eq!(marked, expected);
    let b = stored.org_index("b").expect("b");
    store.replace_aggregates(&framework, &stored, &roll_up_within(&framework, &stored, 2024, b), "t").await.expect("b");
    let left: Vec<String> = store.stale_aggregates(2024).await.expect("stale").into_iter().map(|m| m.org_id).collect();
    assert_eq!(left, vec!["p".to_string()], "b's subtree is up to date; the province still waits");
    store.transition(&step(&[S::Approved], S::Returned, "unlock")).await.expect("unlock");
    assert_eq!(store.stale_aggregates(2024).await.expect("stale").len(), 3, "withdrawing the approval marks again");

    // A closed year refuses the re-aggregation and changes nothing.
    store.set_year_closed(2024, true).await.expect("close");
    let refused =
        store.replace_aggregates(&framework, &stored, &roll_up_within(&framework, &stored, 2024, p), "t").await;
    assert!(matches!(refused, Err(StoreError::YearClosed(2024))), "{refused:?}");
    assert_eq!(store.stale_aggregates(2024).await.expect("stale").len(), 3);
    assert_eq!(aggregated("p").await, number(750));
}
