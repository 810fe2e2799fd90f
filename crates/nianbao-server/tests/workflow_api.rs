//! The workflow through the JSON API, Excel round trips through the entry page, and publishing.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::Value as Json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_workflow_submit_return_approve_lock_unlock() {
    api_workflow(&Deployment::new().await).await;
}

/// The same workflow with the server on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_workflow_on_postgres() {
    let deployment = Deployment::postgres("workflow").await;
    api_workflow(&deployment).await;
    deployment.drop_postgres_schema().await;
}

async fn api_workflow(deployment: &Deployment) {
    let (school, county, city) =
        (deployment.token(SCHOOL).await, deployment.token(COUNTY).await, deployment.token(CITY).await);
    let base = "/api/v1/orgs/yudu-s1/years/2024";
    let (status, values) = api(deployment, &school, "GET", &format!("{base}/values"), None).await;
    assert_eq!(status, StatusCode::OK);
    let enrolled = values["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["indicator"] == "t1.enrolled")
        .expect("t1.enrolled")
        .clone();
    let version = enrolled["version"].as_i64().expect("version");
    // A stale version is a conflict; the right one writes, exactly.
    let put = |version: i64| format!(r#"{{"value": "1,234", "expected_version": {version}}}"#);
    let (status, body) =
        api(deployment, &school, "PUT", &format!("{base}/values/t1.enrolled"), Some(&put(version - 1))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) =
        api(deployment, &school, "PUT", &format!("{base}/values/t1.enrolled"), Some(&put(version))).await;
    assert_eq!((status, body["version"].as_i64()), (StatusCode::OK, Some(version + 1)), "{body}");
    assert_eq!(body["value"], "1234");
    // A count with a fraction, a negative count or a huge figure is refused, whatever the version.
    for bad in ["1234.5", "-3", "70000000000000000000000000000"] {
        let body = format!(r#"{{"value": "{bad}", "overwrite": true}}"#);
        let (status, answer) =
            api(deployment, &school, "PUT", &format!("{base}/values/t1.enrolled"), Some(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert!(answer["error"]["message_zh"].as_str().expect("zh").contains("在校生"), "{answer}");
    }
    // Bad input names the problem.
    let (status, body) =
        api(deployment, &school, "PUT", &format!("{base}/values/t1.enrolled"), Some(r#"{"value": "十二"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().expect("message").contains("十二"), "{body}");
    let (status, _) =
        api(deployment, &school, "PUT", &format!("{base}/values/no.such"), Some(r#"{"value": "1"}"#)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Put it back, then explain every warning and submit.
    let original = enrolled["value"].as_str().expect("value").to_string();
    let body = format!(r#"{{"value": "{original}", "overwrite": true}}"#);
    assert_eq!(
        api(deployment, &school, "PUT", &format!("{base}/values/t1.enrolled"), Some(&body)).await.0,
        StatusCode::OK
    );
    let (status, findings) = api(deployment, &school, "GET", &format!("{base}/findings"), None).await;
    assert_eq!((status, findings["errors"].as_i64()), (StatusCode::OK, Some(0)), "{findings}");
    let (status, body) = api(deployment, &school, "POST", &format!("{base}/submit"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "unexplained warnings block submission: {body}");
    let mut explanations = serde_json::Map::new();
    for finding in findings["findings"].as_array().expect("findings") {
        if finding["severity"] == "warning" {
            explanations.insert(finding["rule"].as_str().expect("rule").into(), Json::String("样例说明".into()));
        }
    }
    let body = Json::Object(explanations).to_string();
    let (status, saved) = api(deployment, &school, "POST", &format!("{base}/explanations"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, body) = api(deployment, &school, "POST", &format!("{base}/submit"), None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("submitted")), "{body}");
    // Submitted data cannot be edited by the school.
    let (status, _) = api(
        deployment,
        &school,
        "PUT",
        &format!("{base}/values/t1.enrolled"),
        Some(r#"{"value": "1", "overwrite": true}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The school cannot approve itself; a return needs a comment.
    assert_eq!(api(deployment, &school, "POST", &format!("{base}/approve"), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api(deployment, &county, "POST", &format!("{base}/return"), None).await.0, StatusCode::BAD_REQUEST);
    let (status, body) = api(deployment, &county, "POST", &format!("{base}/approve"), Some(r#"{"comment": ""}"#)).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("approved")), "{body}");
    // Approved data is locked — for everyone, the administrator included.
    let admin = deployment.token(ADMIN).await;
    let (status, body) = api(
        deployment,
        &admin,
        "PUT",
        &format!("{base}/values/t1.enrolled"),
        Some(r#"{"value": "1", "overwrite": true}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The county may reopen its own approval while nothing above it is published (after that
    // only the city can: `a_county_reopens_its_approval_until_the_city_publishes`).
    let (status, body) =
        api(deployment, &county, "POST", &format!("{base}/unlock"), Some(r#"{"comment": "表 2 需更正"}"#)).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("returned")), "{body}");
    // The city can too; the return is already reopened, so there is nothing to unlock.
    let (status, _) = api(deployment, &city, "POST", &format!("{base}/unlock"), Some(r#"{"comment": "x"}"#)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Every action is in the audit trail, and every value change in its history.
    let events = deployment.store.events("yudu-s1", 2024).await.expect("events");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["start", "explain", "submit", "approve", "unlock"]);
    let (_, history) = api(deployment, &school, "GET", &format!("{base}/values/t1.enrolled/history"), None).await;
    let history = history["history"].as_array().expect("history");
    assert_eq!(history.len(), 3, "the load, the API write and the restore");
    assert_eq!(history[1]["new_value"], "1234");
    // Tokens are required, and an unknown token is refused.
    assert_eq!(
        api(deployment, "not-a-token", "GET", &format!("{base}/values"), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excel_template_round_trip_and_bad_cells_name_their_place() {
    let deployment = Deployment::new().await;
    let response = deployment
        .send(
            deployment.request(Some(SCHOOL), "GET", "/app/excel/yudu-s1/template.xlsx").body(Body::empty()).expect("r"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    let upload = |bytes: Vec<u8>| {
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        let (kind, body) = multipart(&[("file", "yudu-s1.xlsx", bytes)]);
        deployment
            .request(Some(SCHOOL), "POST", "/app/excel/yudu-s1")
            .header(header::CONTENT_TYPE, kind)
            .body(body)
            .expect("r")
    };
    // The unchanged template imports with nothing to change.
    let response = deployment.send(upload(bytes.to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("写入 0 项"));
    // Garbage is refused with a message, and nothing changes.
    let before = deployment
        .store
        .history("yudu-s1", 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("h")
        .len();
    let response = deployment.send(upload(b"PK not really".to_vec())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(response).await.contains("未做任何修改"));
    let after = deployment
        .store
        .history("yudu-s1", 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("h")
        .len();
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_form_keeps_typed_text_and_saves_nothing_when_a_cell_is_wrong() {
    let deployment = Deployment::new().await;
    let post = |fields: &[(&str, &str)]| {
        deployment
            .request(Some(SCHOOL), "POST", "/app/entry/yudu-s1/t1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(fields))
            .expect("r")
    };
    let stored = deployment
        .store
        .value("yudu-s1", 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("v")
        .expect("v");
    let version = stored.version.to_string();
    let response = deployment
        .send(post(&[
            ("v:t1.enrolled", "１２,３４５"),
            ("ver:t1.enrolled", &version),
            ("v:t1.new_entrants", "很多"),
            ("ver:t1.new_entrants", "1"),
        ]))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body_text(response).await;
    assert!(page.contains("很多"), "the typed text stays in the form");
    assert!(page.contains("未做任何修改") || page.contains("Nothing was saved"));
    let unchanged = deployment
        .store
        .value("yudu-s1", 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("v")
        .expect("v");
    assert_eq!(unchanged.version, stored.version, "the valid cell was not saved either");
    // Full-width digits and thousands separators are read as the number meant.
    let response = deployment.send(post(&[("v:t1.enrolled", "１２,３４５"), ("ver:t1.enrolled", &version)])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let saved = deployment
        .store
        .value("yudu-s1", 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("v")
        .expect("v");
    assert_eq!(saved.value, nianbao_core::Value::Number(12345.into()));
    // A stale version (someone else saved in between) is refused with a message, not lost silently.
    let response = deployment.send(post(&[("v:t1.enrolled", "12346"), ("ver:t1.enrolled", &version)])).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(body_text(response).await.contains("未写入"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_makes_immutable_versions_and_the_figures_public() {
    let deployment = Deployment::new().await;
    let publish_with = |note: &str, override_note: &str| {
        deployment
            .request(Some(CITY), "POST", "/app/editor/ganzhou/publish")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("change_note", note), ("override_note", override_note)]))
            .expect("r")
    };
    let override_note = "样例：各校仍在审核中，先发布市级公布数据";
    let publish = |note: &str| publish_with(note, override_note);
    // No school's 2024 return is approved yet: publishing is refused, naming what is open.
    let refused = deployment.send(publish_with("", "")).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = body_text(refused).await;
    assert!(page.contains("报告暂不能发布") && page.contains("尚未审核通过"), "{page:.600}");
    assert!(deployment.store.publications().await.expect("list").is_empty(), "nothing was published");
    // With a note it is published; the note is in the report and in the audit trail.
    let first = deployment.send(publish("")).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER, "{}", body_text(first).await);
    let html = deployment
        .send(deployment.request(None, "GET", "/reports/1/report.html").body(Body::empty()).expect("r"))
        .await;
    let html = body_text(html).await;
    assert!(html.contains(override_note) && html.contains("数据说明"), "the report prints its data note");
    let events = deployment.store.events("ganzhou", 2024).await.expect("events");
    assert!(events.iter().any(|e| e.action == "publish_override" && e.detail.contains(override_note)));
    // A correction needs a note.
    assert_eq!(deployment.send(publish("")).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(deployment.send(publish("更正表 2 行业导师人数")).await.status(), StatusCode::SEE_OTHER);
    let publications = deployment.store.publications().await.expect("list");
    assert_eq!(publications.iter().map(|p| p.version).collect::<Vec<_>>(), [2, 1]);
    for (file, magic) in [("pdf", &b"%PDF-"[..]), ("docx", b"PK"), ("xlsx", b"PK"), ("html", b"<!DOCTYPE")] {
        let path = format!("/reports/{}/report.{file}", publications[0].id);
        let response = deployment.send(deployment.request(None, "GET", &path).body(Body::empty()).expect("r")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
        assert!(bytes.starts_with(magic), "{path}");
    }
    let index =
        body_text(deployment.send(deployment.request(None, "GET", "/").body(Body::empty()).expect("r")).await).await;
    assert!(index.contains("更正表 2 行业导师人数") && index.contains("已被新版本取代"), "both versions are listed");
    // The city's published 2024 figures are now public, exactly as frozen into the publication.
    let data = body_text(
        deployment.send(deployment.request(None, "GET", "/data/ganzhou").body(Body::empty()).expect("r")).await,
    )
    .await;
    assert!(data.contains("<th>2024</th>"), "published year shows");
    assert!(data.contains("<td>116392</td>"), "the published city figure of 在校生 shows");
    // The trend page charts both years the report printed.
    let trend = body_text(
        deployment
            .send(deployment.request(None, "GET", "/data/ganzhou/t1.enrolled").body(Body::empty()).expect("r"))
            .await,
    )
    .await;
    assert!(trend.contains("<svg") && trend.contains("<td>2023</td>") && trend.contains("<td>116392</td>"), "{trend}");
    // Schools below are compared in their latest public (approved) year: 2023 for the sample.
    assert!(trend.contains("各校最近公开年度") && trend.contains("于都县第一中等职业学校"), "schools below are listed");
    // …a page at a time: every school once over the pages, the count said on each.
    let first = public_page(&deployment, "/data/ganzhou/t1.enrolled?per=10").await;
    let total: usize = first
        .split("（共 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the count of schools");
    assert!(total > 10, "{total} schools");
    let pages = total.div_ceil(10);
    let mut seen: Vec<String> = Vec::new();
    for page in 1..=pages + 1 {
        let html = public_page(&deployment, &format!("/data/ganzhou/t1.enrolled?per=10&page={page}")).await;
        let table = html.split("id=\"compare\"").nth(1).and_then(|rest| rest.split("</table>").next()).expect("table");
        let names: Vec<String> = table
            .split("<tbody>")
            .nth(1)
            .unwrap_or("")
            .split("<tr><td>")
            .skip(1)
            .map(|row| row.split("</td>").next().unwrap_or("").to_string())
            .collect();
        if page > pages {
            assert!(html.contains(&format!("第 {pages} / {pages} 页")), "a page beyond the last shows the last");
            continue;
        }
        assert!(names.len() <= 10 && !names.is_empty(), "page {page}: {names:?}");
        seen.extend(names);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (total, total), "every school once");
}

async fn public_page(deployment: &Deployment, path: &str) -> String {
    body_text(deployment.send(deployment.request(None, "GET", path).body(Body::empty()).expect("r")).await).await
}

/// A school's unreviewed figure never reaches a published report or the portal; once approved,
/// it is in the county's roll-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_unapproved_figure_is_published_at_any_level() {
    let deployment = Deployment::new().await;
    let draft = "987654";
    let school = deployment.token(SCHOOL).await;
    let request = axum::http::Request::builder()
        .method("PUT")
        .uri("/api/v1/orgs/yudu-s1/years/2024/values/a1.graduates")
        .header(header::AUTHORIZATION, format!("Bearer {school}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"value": "{draft}", "overwrite": true}}"#)))
        .expect("r");
    assert_eq!(deployment.send(request).await.status(), StatusCode::OK);
    let publish = |org: &str| {
        deployment
            .request(Some(CITY), "POST", &format!("/app/editor/{org}/publish"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("change_note", ""), ("override_note", "样例：测试发布")]))
            .expect("r")
    };
    let response = deployment.send(publish("ganzhou")).await;
    let status = response.status();
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body_text(response).await);
    // No return of the county is approved: its report has no figures to print and is refused.
    let response = deployment.send(publish("yudu")).await;
    assert!(response.status().is_client_error(), "a county report with no approved return was published");
    // The draft preview shows it, marked; what is published does not.
    let preview = deployment
        .send(
            deployment
                .request(Some(CITY), "GET", "/app/editor/yudu/draft.html?drafts=1")
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(preview.status(), StatusCode::OK, "the draft preview is built from the unreviewed returns");
    let preview = body_text(preview).await;
    assert!(preview.contains("预览稿") && preview.contains("含未审核"), "and says so");
    for publication in deployment.store.publications().await.expect("list") {
        for file in ["html"] {
            let text = public_page(&deployment, &format!("/reports/{}/report.{file}", publication.id)).await;
            assert!(
                !text.contains(draft) && !text.contains("987,654"),
                "{}: an unapproved figure was published",
                publication.org_id
            );
        }
    }
    for path in
        ["/data/ganzhou", "/data/yudu", "/data/yudu-s1", "/data/yudu/a1.graduates", "/data/ganzhou/a1.graduates"]
    {
        let text = public_page(&deployment, path).await;
        assert!(!text.contains(draft) && !text.contains("987,654"), "{path}: an unapproved figure is public");
    }
    // Approved, the school's figure is in the county's roll-up of a new version.
    approve_in_store(&deployment, SCHOOL).await;
    let correction = deployment
        .request(Some(CITY), "POST", "/app/editor/yudu/publish")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("change_note", "于都县第一中等职业学校审核通过"), ("override_note", "样例：其余学校仍在审核")]))
        .expect("r");
    assert_eq!(deployment.send(correction).await.status(), StatusCode::SEE_OTHER);
    let latest =
        deployment.store.publications().await.expect("list").into_iter().find(|p| p.org_id == "yudu").expect("yudu");
    let text = public_page(&deployment, &format!("/reports/{}/report.html", latest.id)).await;
    assert!(text.contains("已审核通过 1 所"), "the data note counts the approved return");
    assert!(text.contains("987,654") || text.contains(draft), "the approved figure is in the county's roll-up");
}

/// Where the city's own figure differs from the roll-up of its approved schools, the editor
/// decides which one the report prints; keeping the entered one needs a reason; every decision is
/// audited; undecided differences hold up publishing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_decides_between_entered_and_aggregated_figures() {
    let deployment = Deployment::new().await;
    approve_in_store(&deployment, SCHOOL).await;
    let school_value = deployment
        .store
        .value(SCHOOL, 2024, "t1.enrolled", nianbao_store::Layer::Reported)
        .await
        .expect("read")
        .expect("value")
        .value
        .to_storage_string();
    let page = |path: &str| deployment.request(Some(CITY), "GET", path).body(Body::empty()).expect("r");
    let editor = body_text(deployment.send(page("/app/editor/ganzhou?table=t1")).await).await;
    assert!(editor.contains("id=\"agg-t1.enrolled\" ") || editor.contains("id=\"agg-t1.enrolled\""), "the row");
    assert!(editor.contains("尚未决定的"), "undecided differences are counted");
    assert!(editor.contains("项本级填报数与已审核学校的汇总数不一致"), "and hold up publishing");
    let choose = |fields: &[(&str, &str)]| {
        deployment
            .request(Some(CITY), "POST", "/app/editor/ganzhou/choose")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(fields))
            .expect("r")
    };
    // Keeping the entered figure needs a reason.
    let refused = deployment.send(choose(&[("indicator", "t1.new_entrants"), ("choice", "entered")])).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let kept = choose(&[("indicator", "t1.new_entrants"), ("choice", "entered"), ("reason", "市级统计口径（样例）")]);
    assert_eq!(deployment.send(kept).await.status(), StatusCode::SEE_OTHER);
    let taken = deployment.send(choose(&[("indicator", "t1.enrolled"), ("choice", "aggregate")])).await;
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    // The report prints the aggregate for 在校生 (the one approved school's figure).
    let draft = body_text(deployment.send(page("/app/editor/ganzhou/draft.html")).await).await;
    let grouped = school_value.parse::<i64>().map(|n| {
        let text = n.to_string();
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if i > 0 && (text.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    });
    assert!(
        draft.contains(&school_value) || grouped.is_ok_and(|g| draft.contains(&g)),
        "the aggregate {school_value} is printed"
    );
    let events = deployment.store.events("ganzhou", 2024).await.expect("events");
    let choices: Vec<&str> = events.iter().filter(|e| e.action == "figure_choice").map(|e| e.detail.as_str()).collect();
    assert_eq!(choices.len(), 2, "{choices:?}");
    assert!(choices[0].contains("保留填报数（市级统计口径（样例））"), "{choices:?}");
    // All the rest at once: nothing is left undecided.
    let all = deployment.send(choose(&[("indicator", "*"), ("choice", "aggregate")])).await;
    assert_eq!(all.status(), StatusCode::SEE_OTHER);
    let editor = body_text(deployment.send(page("/app/editor/ganzhou?table=t1")).await).await;
    assert!(!editor.contains("项本级填报数与已审核学校的汇总数不一致"), "no undecided difference is left");
}

/// One save for every section: changed sections are saved; a section whose binding fails, or that
/// someone else changed meanwhile, is kept on the page with its problem at its line; sections are
/// labelled as the report prints them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_saves_every_section_at_once_and_loses_nothing() {
    let deployment = Deployment::new().await;
    let editor = body_text(
        deployment
            .send(deployment.request(Some(CITY), "GET", "/app/editor/ganzhou").body(Body::empty()).expect("r"))
            .await,
    )
    .await;
    assert!(editor.contains("id=\"save-narratives\""), "one save button");
    assert!(!editor.contains("章节 preface"), "sections are not labelled with internal keys");
    let stored = |key: &str| {
        let pattern = format!("name=\"was:{key}\" value=\"");
        let start = editor.find(&pattern).map(|at| at + pattern.len()).expect("the section's base");
        let end = editor[start..].find('"').expect("end") + start;
        editor[start..end]
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let keys: Vec<String> = editor
        .match_indices("name=\"was:")
        .map(|(at, _)| editor[at + 10..].split('"').next().expect("key").to_string())
        .collect();
    assert!(keys.len() >= 3, "{keys:?}");
    let (first, second, third) = (&keys[0], &keys[1], &keys[2]);
    let save = |fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        deployment
            .request(Some(CITY), "POST", "/app/editor/ganzhou/narrative")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .expect("r")
    };
    let fields = vec![
        (format!("s:{first}"), "样例：全市职业教育稳步发展（浏览器外测试）。".to_string()),
        (format!("was:{first}"), stored(first)),
        (format!("s:{second}"), "样例：在校生 {{ value(a1.nothing) }} 人。".to_string()),
        (format!("was:{second}"), stored(second)),
        (format!("s:{third}"), "样例：他人修改前的文字。".to_string()),
        (format!("was:{third}"), "这不是保存的文字".to_string()),
    ];
    let response = deployment.send(save(fields)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body_text(response).await;
    assert!(page.contains("样例：在校生 {{ value(a1.nothing) }} 人。"), "the refused text is kept");
    assert!(page.contains("第 1 行第"), "the problem names its line and column");
    assert!(page.contains("已被他人修改"), "a section changed since is not overwritten");
    assert!(page.contains("样例：他人修改前的文字。"), "and its typed text is kept");
    let saved = deployment.store.narratives("ganzhou", 2024).await.expect("narratives");
    let sections: Vec<&str> = saved.iter().map(|n| n.section.as_str()).collect();
    assert_eq!(sections, [first.as_str()], "only the good section was saved");
}

/// A JSON number is read from its digits as written: one that a binary float would round is
/// stored exactly or refused, never stored rounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_numbers_keep_every_digit() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let path = "/api/v1/orgs/yudu-s1/years/2024/values/a1.monthly_income";
    for (number, stored) in
        [("3418.5", Some("3418.5")), ("1.000000000000000000000000001", None), ("4000", Some("4000"))]
    {
        let body = format!(r#"{{"value": {number}, "overwrite": true}}"#);
        let (status, answer) = api(&deployment, &school, "PUT", path, Some(&body)).await;
        match stored {
            Some(text) => {
                assert_eq!(status, StatusCode::OK, "{number}: {answer}");
                assert_eq!(answer["value"], text, "{number}");
            }
            // Stored with every digit, or refused; never rounded to 1.
            None if status == StatusCode::OK => assert_eq!(answer["value"], number, "{number}"),
            None => {
                assert_eq!(status, StatusCode::BAD_REQUEST, "{number}: {answer}");
                let value = deployment
                    .store
                    .value("yudu-s1", 2024, "a1.monthly_income", nianbao_store::Layer::Reported)
                    .await
                    .expect("read");
                assert_ne!(value.map(|v| v.value.to_storage_string()).as_deref(), Some("1"), "stored rounded");
            }
        }
    }
    for bad in ["true", "[1]", r#"{"a": 1}"#] {
        let body = format!(r#"{{"value": {bad}, "overwrite": true}}"#);
        let (status, answer) = api(&deployment, &school, "PUT", path, Some(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert!(answer["error"]["message_zh"].as_str().expect("zh").contains("value 须为"), "{answer}");
    }
}

/// A county reviewer may reopen its own approval until a report above the county is published
/// for the year; then only the city can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_reopens_its_approval_until_the_city_publishes() {
    let deployment = Deployment::new().await;
    let unlock = |comment: &'static str| {
        deployment
            .request(Some(COUNTY), "POST", "/app/review/yudu-s1/unlock")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("comment", comment)]))
            .expect("r")
    };
    approve_in_store(&deployment, SCHOOL).await;
    let response = deployment.send(unlock("样例：复核表 2")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", body_text(response).await);
    let status = deployment.store.submission("yudu-s1", 2024).await.expect("read").status;
    assert_eq!(status, nianbao_store::SubmissionStatus::Returned);
    // Approved again, and the city publishes: the county can no longer reopen it.
    approve_in_store(&deployment, SCHOOL).await;
    let publish = deployment
        .request(Some(CITY), "POST", "/app/editor/ganzhou/publish")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("change_note", ""), ("override_note", "样例：测试发布")]))
        .expect("r");
    assert_eq!(deployment.send(publish).await.status(), StatusCode::SEE_OTHER);
    let response = deployment.send(unlock("样例：再复核")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("县级不能再解锁"));
    let status = deployment.store.submission("yudu-s1", 2024).await.expect("read").status;
    assert_eq!(status, nianbao_store::SubmissionStatus::Approved, "nothing changed");
}

/// 重新汇总 by a city's editor reads and rewrites the city's subtree only: another city's stored
/// aggregates are left as they are, and the province above is marked for re-aggregation instead
/// of being recomputed from the whole province. The page says what was done and what is stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_re_aggregates_its_own_subtree_and_marks_the_units_above() {
    use nianbao_store::{Layer, ReadLayer, StaleCause};
    let deployment = Deployment::new().await;
    let framework = framework();
    let store = &deployment.store;
    // Stored aggregates everywhere to begin with (a whole roll-up), nothing stale.
    let reported = store.read_dataset(&framework, ReadLayer::Reported).await.expect("read");
    let rolled = nianbao_core::aggregate::roll_up(&framework, &reported, 2024);
    store.replace_aggregates(&framework, &reported, &rolled, "test").await.expect("whole roll-up");
    let other_city = || async {
        store.value("other-city", 2024, "t1.enrolled", Layer::Aggregated).await.expect("read").map(|v| v.value)
    };
    let before = other_city().await;
    assert!(before.is_some(), "the other city has a stored aggregate");
    assert!(store.stale_aggregates(2024).await.expect("stale").is_empty());

    // An approval below the city makes the city's stored aggregates stale; the editor says so.
    approve_in_store(&deployment, SCHOOL).await;
    let page = |path: &str| deployment.request(Some(CITY), "GET", path).body(Body::empty()).expect("r");
    let editor = body_text(deployment.send(page("/app/editor/ganzhou")).await).await;
    assert!(editor.contains("id=\"stale-notice\""), "the city is marked stale");
    assert!(editor.contains("的审核状态有变化。请重新汇总。"), "with its cause");
    let below = editor.split("id=\"stale-below\"").nth(1).and_then(|rest| rest.split("</p>").next()).unwrap_or("");
    assert!(below.contains("于都县"), "and the county below: {below}");

    let aggregate = deployment
        .request(Some(CITY), "POST", "/app/editor/ganzhou/aggregate")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[]))
        .expect("r");
    let answer = deployment.send(aggregate).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location = answer.headers()[header::LOCATION].to_str().expect("location").to_string();
    assert!(location.contains("above=1"), "{location}");
    let done = body_text(deployment.send(page(&location)).await).await;
    assert!(done.contains("重新汇总本单位及下级共"), "the page says what was aggregated");
    assert!(done.contains("上级 1 个单位已存的汇总值已标记为待重新汇总"), "and what was marked");
    assert!(!done.contains("id=\"stale-notice\""), "the city is up to date");

    assert_eq!(other_city().await, before, "another city's aggregates are not touched");
    let stale = store.stale_aggregates(2024).await.expect("stale");
    let marks: Vec<(&str, StaleCause, &str)> =
        stale.iter().map(|m| (m.org_id.as_str(), m.cause, m.cause_org_id.as_str())).collect();
    assert_eq!(marks, vec![("jiangxi", StaleCause::BelowAggregated, "ganzhou")], "only the province waits");
    let events = store.events("ganzhou", 2024).await.expect("events");
    assert!(
        events.iter().any(|e| e.action == "aggregate" && e.detail.contains("上级 1 个单位标记为待重新汇总")),
        "the audit trail records it"
    );
}
