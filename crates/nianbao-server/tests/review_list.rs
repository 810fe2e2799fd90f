//! The review list at a reviewer's scale: paged, sorted, filtered and searched with counts,
//! exported as CSV and Excel exactly as filtered, and approving many returns at once only after
//! a confirmation, each return only as it was confirmed.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::Value as Json;

async fn page(deployment: &Deployment, user: &str, path: &str) -> String {
    let (status, text) =
        deployment.send_read(deployment.request(Some(user), "GET", path).body(Body::empty()).expect("r")).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    text
}

/// The school ids of the list's rows, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<tr id=\"school-").skip(1).map(|rest| rest.split('"').next().unwrap_or("").to_string()).collect()
}

/// The export as rows of fields (CSV without quoting subtleties: the sample names hold no commas).
async fn exported(deployment: &Deployment, user: &str, query: &str) -> Vec<Vec<String>> {
    let text = page(deployment, user, &format!("/app/export/review.csv{query}")).await;
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    text.lines().map(|line| line.split(',').map(str::to_string).collect()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_list_pages_sorts_filters_and_exports_what_it_shows() {
    let deployment = Deployment::new().await;
    let all = exported(&deployment, CITY, "").await;
    let header = &all[0];
    assert_eq!(header[0], "学校");
    let schools = all.len() - 1;
    assert!(schools > 40, "the city's schools: {schools}");
    let errors_column = header.iter().position(|h| h == "错误").expect("错误 column");

    // Pages of ten: every school once, in the export's order, the last page short.
    let mut paged = Vec::new();
    let pages = schools.div_ceil(10);
    for number in 1..=pages {
        let html = page(&deployment, CITY, &format!("/app/review?per=10&page={number}")).await;
        assert!(html.contains(&format!("第 {number} / {pages} 页")), "page {number}");
        paged.extend(listed(&html));
    }
    let ids: Vec<String> = all[1..].iter().map(|row| row[1].clone()).collect();
    assert_eq!(paged, ids, "the pages hold every school once, in the export's order");
    let beyond = page(&deployment, CITY, "/app/review?per=10&page=999").await;
    assert_eq!(listed(&beyond), ids[(pages - 1) * 10..], "a page beyond the last shows the last");
    let nonsense = page(&deployment, CITY, "/app/review?per=7&page=abc&sort=drop+table&show=nothing").await;
    assert_eq!(listed(&nonsense).len(), schools.min(50), "unknown parameters fall back to the defaults");

    // Sorted by errors, most first: the export and the page agree, and the order holds.
    let by_errors = exported(&deployment, CITY, "?sort=errors&desc=1").await;
    let counts: Vec<i64> = by_errors[1..].iter().map(|row| row[errors_column].parse().expect("a count")).collect();
    assert!(counts.windows(2).all(|pair| pair[0] >= pair[1]), "{counts:?}");
    let html = page(&deployment, CITY, "/app/review?sort=errors&desc=1&per=100").await;
    let order: Vec<String> = by_errors[1..].iter().map(|row| row[1].clone()).collect();
    assert_eq!(listed(&html), order);
    assert!(html.contains("aria-sort=\"descending\""), "the sorted column says so");
    let by_name = exported(&deployment, CITY, "?sort=name").await;
    let names: Vec<&String> = by_name[1..].iter().map(|row| &row[0]).collect();
    assert!(names.windows(2).all(|pair| pair[0] <= pair[1]), "sorted by name");

    // The filters' counts are those of the rows they show; search narrows within a filter.
    let with_errors = counts.iter().filter(|&&n| n > 0).count();
    let html = page(&deployment, CITY, "/app/review?show=errors&per=200").await;
    assert_eq!(listed(&html).len(), with_errors);
    assert!(html.contains(&format!("有错误 <strong>{with_errors}</strong>")), "the count at the top");
    let unexplained_column = header.iter().position(|h| h == "未说明").expect("未说明 column");
    let unexplained = all[1..].iter().filter(|row| row[unexplained_column] != "0").count();
    let html = page(&deployment, CITY, "/app/review?show=unexplained&per=200").await;
    assert_eq!(listed(&html).len(), unexplained, "schools with unexplained warnings");
    // By the table a problem is in: the option's count is the rows it shows, page and export alike.
    let select =
        html.split("id=\"problem-table\"").nth(1).and_then(|rest| rest.split("</select>").next()).expect("select");
    let options: Vec<(String, usize)> = select
        .split("<option value=\"")
        .skip(2)
        .map(|option| {
            let id = option.split('"').next().unwrap_or("").to_string();
            let count = option.rsplit('（').next().and_then(|c| c.split('）').next()).and_then(|n| n.parse().ok());
            (id, count.expect("a count per table"))
        })
        .collect();
    assert!(!options.is_empty(), "tables with problems are offered");
    for (table, count) in &options {
        let shown = listed(&page(&deployment, CITY, &format!("/app/review?table={table}&per=200")).await);
        assert_eq!(shown.len(), *count, "table {table}");
        let exported_rows = exported(&deployment, CITY, &format!("?table={table}")).await;
        let exported_ids: Vec<String> = exported_rows[1..].iter().map(|row| row[1].clone()).collect();
        assert_eq!(exported_ids, shown, "table {table}: the export holds what the list shows");
    }
    assert!(listed(&page(&deployment, CITY, "/app/review?table=no-such-table").await).is_empty());
    let yudu = exported(&deployment, CITY, "?q=yudu").await;
    assert!(yudu.len() > 1 && yudu[1..].iter().all(|row| row[1].contains("yudu")), "search by id");

    // The Excel export holds the same rows, with counts as numbers.
    let (status, bytes) = {
        let response = deployment
            .send(
                deployment
                    .request(Some(CITY), "GET", "/app/export/review.xlsx?sort=errors&desc=1")
                    .body(Body::empty())
                    .expect("r"),
            )
            .await;
        let status = response.status();
        (status, http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes())
    };
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx is a zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet1.xml").expect("sheet"), &mut sheet)
        .expect("read");
    assert_eq!(sheet.matches("<row ").count(), schools + 1, "a header and one row per school");
    assert!(sheet.contains("<pane "), "the header stays in view");
    let first_errors = format!("<v>{}</v>", counts[0]);
    assert!(sheet.contains(&first_errors), "error counts are numbers");
    // A county reviewer lists and exports only the county's own schools.
    let county = exported(&deployment, COUNTY, "").await;
    assert!(county.len() - 1 < schools && county[1..].iter().all(|row| row[2] == "于都县"), "the county's own schools");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_returns_are_approved_at_once_only_as_confirmed() {
    let deployment = Deployment::new().await;
    // The walk-through school explains its warnings and submits: ready to approve.
    let school = deployment.token(SCHOOL).await;
    let base = format!("/api/v1/orgs/{SCHOOL}/years/2024");
    let (_, findings) = api(&deployment, &school, "GET", &format!("{base}/findings"), None).await;
    let mut explanations = serde_json::Map::new();
    for finding in findings["findings"].as_array().expect("findings") {
        if finding["severity"] == "warning" {
            explanations.insert(finding["rule"].as_str().expect("rule").into(), Json::String("样例说明".into()));
        }
    }
    let body = Json::Object(explanations).to_string();
    assert_eq!(api(&deployment, &school, "POST", &format!("{base}/explanations"), Some(&body)).await.0, StatusCode::OK);
    let (status, submitted) = api(&deployment, &school, "POST", &format!("{base}/submit"), None).await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    // Another school of the county is put under review with errors in its data.
    let county_rows = exported(&deployment, COUNTY, "?sort=errors&desc=1").await;
    let errors_column = county_rows[0].iter().position(|h| h == "错误").expect("错误 column");
    let flawed = county_rows[1..]
        .iter()
        .find(|row| row[1] != SCHOOL && row[errors_column] != "0")
        .expect("a school of the county with errors")
        .clone();
    let (flawed_name, flawed_id) = (flawed[0].clone(), flawed[1].clone());
    use nianbao_store::SubmissionStatus as S;
    submit_in_store(&deployment, &flawed_id).await;

    // Only the ready school can be ticked; the filter counts it.
    let list = page(&deployment, COUNTY, "/app/review").await;
    assert!(list.contains(&format!("id=\"pick-{SCHOOL}\"")), "the ready school has a box");
    assert!(!list.contains(&format!("id=\"pick-{flawed_id}\"")), "a school with errors has none");
    assert!(list.contains("可直接审核通过 <strong>1</strong>"), "counted at the top");

    // Ticking both: the confirmation lists the ready one and says why the other is left out.
    let post = |path: &str, fields: &[(&str, &str)]| {
        deployment
            .request(Some(COUNTY), "POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(fields))
            .expect("r")
    };
    let (status, confirm) =
        deployment.send_read(post("/app/approve-many", &[("school", SCHOOL), ("school", &flawed_id)])).await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    let revision = deployment.store.submission(SCHOOL, 2024).await.expect("read").revision;
    let confirmed = format!("{SCHOOL}@{revision}");
    assert!(confirm.contains(&format!("value=\"{confirmed}\"")), "the school, at the revision checked");
    assert!(confirm.contains(&format!("{flawed_name}：有错误")), "the other, with why");
    assert!(confirm.contains("确认审核通过这 1 所学校"));
    assert_eq!(deployment.store.submission(SCHOOL, 2024).await.expect("read").status, S::Submitted, "nothing yet");

    // A confirmation of another revision approves nothing; nor does a forged one of the flawed school.
    let stale = format!("{SCHOOL}@{}", revision + 1);
    let flawed_revision = deployment.store.submission(&flawed_id, 2024).await.expect("read").revision;
    let forged = format!("{flawed_id}@{flawed_revision}");
    let (status, outcome) =
        deployment.send_read(post("/app/approve-many/confirm", &[("confirmed", &stale), ("confirmed", &forged)])).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert!(outcome.contains("已审核通过 <strong>0</strong> 所，共 2 所"), "{outcome}");
    assert!(outcome.contains("确认之后此校的数据或状态又有变化"), "the changed one says so");
    assert!(outcome.contains("未通过：") && outcome.contains("错误"), "the flawed one is refused with its errors");
    for id in [SCHOOL, flawed_id.as_str()] {
        assert_eq!(deployment.store.submission(id, 2024).await.expect("read").status, S::Submitted, "{id} unchanged");
    }

    // As confirmed: approved, in the audit trail, by the reviewer, with the comment.
    let (status, outcome) = deployment
        .send_read(post("/app/approve-many/confirm", &[("confirmed", &confirmed), ("comment", "批量审核（样例）")]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(outcome.contains("已审核通过 <strong>1</strong> 所，共 1 所"), "{outcome}");
    let submission = deployment.store.submission(SCHOOL, 2024).await.expect("read");
    assert_eq!((submission.status, submission.changed_by.as_str()), (S::Approved, COUNTY));
    let events = deployment.store.events(SCHOOL, 2024).await.expect("events");
    assert!(events.iter().any(|e| e.action == "approve" && e.actor == COUNTY && e.detail == "批量审核（样例）"));

    // A reviewer cannot approve outside their scope by naming a school.
    let (status, outcome) =
        deployment.send_read(post("/app/approve-many/confirm", &[("confirmed", "other-school@0")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(outcome.contains("已审核通过 <strong>0</strong> 所"), "{outcome}");
    assert_eq!(deployment.store.submission("other-school", 2024).await.expect("read").status, S::NotStarted);
}

/// The list reuses a return's check while its data is unchanged, and checks it again after any
/// write to it: an explanation saved by the school shows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_list_shows_a_change_at_once() {
    let deployment = Deployment::new().await;
    let unexplained_of = |rows: &[Vec<String>]| -> i64 {
        let column = rows[0].iter().position(|h| h == "未说明").expect("未说明 column");
        rows[1..].iter().find(|row| row[1] == SCHOOL).expect("the school")[column].parse().expect("count")
    };
    let before = unexplained_of(&exported(&deployment, COUNTY, "").await);
    assert!(before > 1, "the sample school has warnings to explain: {before}");
    assert_eq!(unexplained_of(&exported(&deployment, COUNTY, "").await), before, "the same, read again");
    let school = deployment.token(SCHOOL).await;
    let base = format!("/api/v1/orgs/{SCHOOL}/years/2024");
    let (_, findings) = api(&deployment, &school, "GET", &format!("{base}/findings"), None).await;
    let rule = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["severity"] == "warning")
        .and_then(|f| f["rule"].as_str())
        .expect("a warning")
        .to_string();
    let body = serde_json::json!({ rule: "样例说明" }).to_string();
    assert_eq!(api(&deployment, &school, "POST", &format!("{base}/explanations"), Some(&body)).await.0, StatusCode::OK);
    assert_eq!(unexplained_of(&exported(&deployment, COUNTY, "").await), before - 1, "the explanation counts at once");
}

/// The checks made ahead at start cover every school, are not redone while nothing changes, and
/// are redone for a school whose data changed; the list then shows the same as checked afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_checks_made_ahead_cover_every_school_and_follow_changes() {
    let deployment = Deployment::new().await;
    let schools = deployment.state.tree.units.iter().filter(|u| u.level == nianbao_core::OrgLevel::School).count();
    let warm = || nianbao_server::access::warm_review_cache(&deployment.state);
    assert_eq!(warm().await.expect("warm"), schools, "every school checked");
    assert_eq!(warm().await.expect("warm"), 0, "nothing changed, nothing redone");
    let before = exported(&deployment, CITY, "").await;
    let school = deployment.token(SCHOOL).await;
    let body = r#"{"value": "1", "overwrite": true}"#;
    let (status, answer) =
        api(&deployment, &school, "PUT", &format!("/api/v1/orgs/{SCHOOL}/years/2024/values/t1.enrolled"), Some(body))
            .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(warm().await.expect("warm"), 1, "the changed school is checked again");
    let after = exported(&deployment, CITY, "").await;
    let row = |rows: &[Vec<String>]| rows.iter().find(|row| row[1] == SCHOOL).cloned().expect("the school");
    assert_ne!(row(&before), row(&after), "the list shows the change (在校生 1 breaks its checks)");
}
