//! The data path through the web: every corpus upload is stored as meant or leaves the store as
//! it was (and the server answering); two clerks on one table, and a stale template, revert nothing.

use crate::support::*;
use axum::http::{StatusCode, header};
use nianbao_core::{IndicatorIndex, Value};
use nianbao_io::corpus::{self, Expect};
use nianbao_store::{Layer, OrgValue, ReadLayer};
use std::collections::BTreeMap;

type Snapshot = BTreeMap<(i32, String), (String, i64)>;

async fn snapshot(deployment: &Deployment, org: &str) -> Snapshot {
    let values: Vec<OrgValue> = deployment.store.org_values(org, 2023, 2024).await.expect("values");
    values
        .into_iter()
        .filter(|v| v.layer == Layer::Reported)
        .map(|v| ((v.year, v.indicator_id), (v.stored.value.to_storage_string(), v.stored.version)))
        .collect()
}

async fn upload(deployment: &Deployment, org: &str, bytes: &[u8]) -> (StatusCode, String) {
    let (kind, body) = multipart(&[("file", "upload.xlsx", bytes)]);
    let request = deployment
        .request(Some(SCHOOL), "POST", &format!("/app/excel/{org}"))
        .header(header::CONTENT_TYPE, kind)
        .body(body)
        .expect("request");
    deployment.send_read(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_uploads_are_stored_as_meant_or_change_nothing_and_the_server_keeps_answering() {
    let deployment = Deployment::new().await;
    let framework = &deployment.state.framework;
    let dataset = deployment.store.read_dataset(framework, ReadLayer::Reported).await.expect("dataset");
    let school = dataset.org_index(SCHOOL).expect("school");
    let stored = snapshot(&deployment, SCHOOL).await;
    let version = |index: IndicatorIndex| stored.get(&(2024, framework.indicator(index).id.clone())).map(|v| v.1);
    let cases = corpus::cases_with_versions(framework, &dataset, school, 2024, &version);
    assert!(cases.len() >= 60);
    let mut refused = 0;
    // Refusals first, all on one deployment: after each, the store is exactly as it was.
    // (Multi-school workbooks are the io corpus's; here the school's own template cases.)
    for case in cases.iter().filter(|c| matches!(c.expect, Expect::Refused(_)) && c.school.is_some()) {
        let before = snapshot(&deployment, SCHOOL).await;
        let (status, page) = upload(&deployment, SCHOOL, &case.bytes).await;
        assert!(!status.is_server_error(), "{}: {status}", case.name);
        {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {page:.300}", case.name);
            assert!(page.contains("未做任何修改"), "{}", case.name);
            refused += 1;
        }
        assert_eq!(snapshot(&deployment, SCHOOL).await, before, "{}: the store changed after a refusal", case.name);
        // The server still answers.
        let home = deployment
            .send(deployment.request(Some(SCHOOL), "GET", "/app").body(axum::body::Body::empty()).expect("request"))
            .await;
        assert!(home.status().is_success() || home.status().is_redirection(), "{}: {}", case.name, home.status());
    }
    assert!(refused >= 30, "{refused} refusals");
    // An accepted upload stores exactly its changes and nothing else.
    let case = cases.iter().find(|c| c.name == "percent-format-excel").expect("case");
    let Expect::Stored(changes) = &case.expect else { panic!("stored case") };
    let before = snapshot(&deployment, SCHOOL).await;
    let (status, page) = upload(&deployment, SCHOOL, &case.bytes).await;
    assert_eq!(status, StatusCode::OK, "{page:.500}");
    let after = snapshot(&deployment, SCHOOL).await;
    for (id, _, value) in changes {
        assert_eq!(after[&(2024, id.clone())].0, value.to_storage_string(), "{id}");
    }
    let changed: Vec<_> = after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.1.clone()).collect();
    assert_eq!(changed.len(), changes.len(), "only the changed cells are written: {changed:?}");
    // The same (now stale) template with another cell changed: that cell is written, the first
    // change is not reverted.
    let again = cases.iter().find(|c| c.name == "typed-count").expect("case");
    let (status, _) = upload(&deployment, SCHOOL, &again.bytes).await;
    assert_eq!(status, StatusCode::OK);
    let last = snapshot(&deployment, SCHOOL).await;
    for (id, _, value) in changes {
        assert_eq!(last[&(2024, id.clone())].0, value.to_storage_string(), "{id} was reverted by a stale template");
    }
    // A stale template that changes the very cell someone changed since: a conflict at the cell.
    let conflicting = cases.iter().find(|c| c.name == "percent-typed-with-sign").expect("case");
    let Expect::Stored(_) = &conflicting.expect else { panic!() };
    let percent_id = &changes[0].0;
    deployment
        .store
        .write_value(&nianbao_store::ValueWrite {
            org: SCHOOL.into(),
            year: 2024,
            indicator: percent_id.clone(),
            value: Value::Number(50.into()),
            note: String::new(),
            expected_version: Some(last[&(2024, percent_id.clone())].1),
            overwrite: false,
            provenance: nianbao_store::Provenance::Entered,
            actor: "colleague".into(),
            reason: "test".into(),
        })
        .await
        .expect("colleague's change");
    let (status, page) = upload(&deployment, SCHOOL, &conflicting.bytes).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page:.400}");
    assert!(page.contains("colleague"), "the conflict names who changed it");
    assert_eq!(
        snapshot(&deployment, SCHOOL).await[&(2024, percent_id.clone())].0,
        "50",
        "the colleague's value stands"
    );
}

fn form_of(snapshot: &Snapshot, ids: &[&str], typed: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for id in ids {
        let (was, version) = snapshot.get(&(2024, id.to_string())).cloned().unwrap_or_default();
        let text = typed.iter().find(|(t, _)| t == id).map(|(_, v)| v.to_string()).unwrap_or_else(|| was.clone());
        fields.push((format!("v:{id}"), text));
        fields.push((format!("ver:{id}"), if version == 0 { String::new() } else { version.to_string() }));
        fields.push((format!("was:{id}"), was));
    }
    fields
}

async fn save(deployment: &Deployment, fields: &[(String, String)]) -> StatusCode {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let request = deployment
        .request(Some(SCHOOL), "POST", &format!("/app/entry/{SCHOOL}/t1"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&pairs))
        .expect("request");
    deployment.send(request).await.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clerks_on_one_table_revert_nothing() {
    let deployment = Deployment::new().await;
    let ids = ["t1.enrolled", "t1.new_entrants"];
    // Both open the form.
    let opened = snapshot(&deployment, SCHOOL).await;
    // B saves the first cell.
    let status = save(&deployment, &form_of(&opened, &ids, &[("t1.enrolled", "4321")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A, from the page opened before, changes only the second cell: saved, B's value stands.
    let status = save(&deployment, &form_of(&opened, &ids, &[("t1.new_entrants", "1234")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a conflict on an untouched cell must not block the save");
    let now = snapshot(&deployment, SCHOOL).await;
    assert_eq!(now[&(2024, "t1.enrolled".into())].0, "4321", "B's value was reverted");
    assert_eq!(now[&(2024, "t1.new_entrants".into())].0, "1234");
    // A, still from the old page, changes both: the first is a conflict (B's stands), the second is saved.
    let status = save(&deployment, &form_of(&opened, &ids, &[("t1.enrolled", "1"), ("t1.new_entrants", "999")])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let now = snapshot(&deployment, SCHOOL).await;
    assert_eq!(now[&(2024, "t1.enrolled".into())].0, "4321", "a stale cell overwrote a newer value");
    assert_eq!(now[&(2024, "t1.new_entrants".into())].0, "1234", "its base is stale too: not written");
    // With a fresh form, the change goes in.
    let status = save(&deployment, &form_of(&now, &ids, &[("t1.new_entrants", "999")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(snapshot(&deployment, SCHOOL).await[&(2024, "t1.new_entrants".into())].0, "999");
}
