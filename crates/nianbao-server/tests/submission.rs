//! What a submission rests on: every required figure given, every warning explained for the
//! values it is about now, and one quantity entered once.

use crate::support::*;
use axum::body::Body;
use axum::http::StatusCode;
use serde_json::Value as Json;

async fn page(deployment: &Deployment, user: &str, path: &str) -> String {
    let response = deployment.send(deployment.request(Some(user), "GET", path).body(Body::empty()).expect("r")).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    body_text(response).await
}

const BASE: &str = "/api/v1/orgs/yudu-s1/years/2024";

/// Explains every warning, so that only completeness stands between the school and submission.
async fn explain_all(deployment: &Deployment, token: &str) {
    let (_, findings) = api(deployment, token, "GET", &format!("{BASE}/findings"), None).await;
    let mut texts = serde_json::Map::new();
    for finding in findings["findings"].as_array().expect("findings") {
        if finding["severity"] == "warning" {
            texts.insert(finding["rule"].as_str().expect("rule").into(), Json::String("样例说明".into()));
        }
    }
    let (status, body) =
        api(deployment, token, "POST", &format!("{BASE}/explanations"), Some(&Json::Object(texts).to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_with_an_empty_required_figure_is_refused_naming_it() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    let required = findings["required"].as_u64().expect("required");
    assert!(required > 100, "{findings}");
    assert_eq!(findings["required_missing"], Json::Array(Vec::new()), "the sample school reported everything");
    // The clerk empties 表 1's 招生人数.
    let cleared = r#"{"value": "", "overwrite": true}"#.to_string();
    let (status, body) =
        api(&deployment, &school, "PUT", &format!("{BASE}/values/t1.new_entrants"), Some(&cleared)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    explain_all(&deployment, &school).await;
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    assert_eq!(findings["required_missing"], serde_json::json!(["t1.new_entrants"]));
    let (status, body) = api(&deployment, &school, "POST", &format!("{BASE}/submit"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message_zh"].as_str().expect("message");
    assert!(message.contains("1 项必填数据未填") && message.contains("表 1 中等职业学校招生人数"), "{message}");
    assert!(body["error"]["message"].as_str().expect("en").contains("required"), "{body}");
    let (_, submission) = api(&deployment, &school, "GET", &format!("{BASE}/submission"), None).await;
    assert_ne!(submission["status"], "submitted", "{submission}");
    // The reviewer sees “x / y” per school, and which figure is missing.
    let list = page(&deployment, COUNTY, "/app/review").await;
    assert!(list.contains(&format!("{} / {required}", required - 1)), "the review list shows the count");
    let school_page = page(&deployment, COUNTY, "/app/review/yudu-s1").await;
    assert!(school_page.contains("中等职业学校招生人数"), "the review page names the missing figure");
    // Entering it again lets the return through.
    let entered = r#"{"value": "120", "overwrite": true}"#.to_string();
    api(&deployment, &school, "PUT", &format!("{BASE}/values/t1.new_entrants"), Some(&entered)).await;
    explain_all(&deployment, &school).await;
    let (status, body) = api(&deployment, &school, "POST", &format!("{BASE}/submit"), None).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("submitted")), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_value_reopens_the_warning_its_explanation_answered() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    explain_all(&deployment, &school).await;
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    assert_eq!(findings["unexplained_warnings"], 0, "{findings}");
    // A year-over-year warning on a count: move the figure further the same way.
    let warning = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["severity"] == "warning"
                && f["cells"].as_array().is_some_and(|c| c.len() == 2)
                && f["cells"][0]["indicator"].as_str().is_some_and(|i| i.starts_with("a1."))
        })
        .expect("a year-over-year warning on 附表 1")
        .clone();
    let indicator = warning["cells"][0]["indicator"].as_str().expect("indicator").to_string();
    let now_text =
        warning["cells"].as_array().expect("cells").iter().find(|c| c["year"] == 2024).expect("2024")["value"]
            .as_str()
            .expect("value")
            .replace(',', "");
    let before_text =
        warning["cells"].as_array().expect("cells").iter().find(|c| c["year"] == 2023).expect("2023")["value"]
            .as_str()
            .expect("value")
            .replace(',', "");
    let (now, before): (f64, f64) = (now_text.parse().expect("now"), before_text.parse().expect("before"));
    let moved = if now > before {
        now_text.parse::<i64>().expect("count") + 1
    } else {
        now_text.parse::<i64>().expect("count") - 1
    };
    let body = format!(r#"{{"value": "{moved}", "overwrite": true}}"#);
    let (status, answer) = api(&deployment, &school, "PUT", &format!("{BASE}/values/{indicator}"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    let reopened = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == warning["rule"])
        .expect("still a warning")
        .clone();
    assert_eq!(reopened["explanation"], Json::Null, "an explanation of other values does not count: {reopened}");
    assert_eq!(reopened["outdated_explanation"], "样例说明");
    assert_eq!(findings["unexplained_warnings"], 1, "{findings}");
    let (status, body) = api(&deployment, &school, "POST", &format!("{BASE}/submit"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message_zh"].as_str().expect("zh").contains("1 个警告未说明"), "{body}");
    // The entry page shows the old text as no longer counting.
    let entry = page(&deployment, SCHOOL, "/app/entry/yudu-s1/a1").await;
    assert!(entry.contains("原说明是针对修改前的数值写的"), "the entry page says why the warning is open again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quantity_printed_twice_is_asked_once() {
    let deployment = Deployment::new().await;
    // 附表 6's 全日制在校生人数 is 表 1's 在校生人数: the form shows it, does not ask it.
    let entry = page(&deployment, SCHOOL, "/app/entry/yudu-s1/a6").await;
    assert!(!entry.contains("name=\"v:a6.enrolled_full_time\""), "the copy must not be an input");
    assert!(entry.contains("同表 1 中等职业学校在校生人数"), "the copy says where it is entered");
    assert!(entry.contains("name=\"v:a6.funding_per_student\""), "other rows stay inputs");
    // The template shows it through a formula to 表 1's cell.
    let response = deployment
        .send(
            deployment.request(Some(SCHOOL), "GET", "/app/excel/yudu-s1/template.xlsx").body(Body::empty()).expect("r"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.expect("bytes");
    let read = nianbao_io::workbook::read_spreadsheet(&bytes, &Default::default()).expect("template reads");
    let sheet = read.sheets.iter().find(|s| s.name.starts_with("附表6")).expect("附表 6 sheet");
    let id_cell = sheet
        .cells
        .iter()
        .find(|c| matches!(&c.value, nianbao_io::workbook::CellValue::Text(t) if t == "a6.enrolled_full_time"))
        .expect("the copy's row");
    let input = sheet.cell(id_cell.row, 3).expect("the copy's cell");
    assert!(input.formula, "the copy's cell is a formula to its primary");
    // The findings still compare both printed figures where both are stored.
    let school = deployment.token(SCHOOL).await;
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    assert!(
        !findings["findings"]
            .as_array()
            .expect("f")
            .iter()
            .any(|f| f["rule"] == "enrolled_same_in_table1_and_appendix6"),
        "a copy shown from its primary agrees with it"
    );
}

/// Posts the entry form of `table` with `typed` over what is stored (every cell of the table sent,
/// as the browser does).
async fn post_entry(deployment: &Deployment, table: &str, typed: &[(&str, &str)]) -> (StatusCode, String) {
    let school = deployment.token(SCHOOL).await;
    let (_, values) = api(deployment, &school, "GET", &format!("{BASE}/values"), None).await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for value in values["values"].as_array().expect("values") {
        let id = value["indicator"].as_str().expect("id");
        if !id.starts_with(&format!("{table}.")) || value["layer"] != "reported" {
            continue;
        }
        let was = value["value"].as_str().unwrap_or_default().to_string();
        let text = typed.iter().find(|(t, _)| *t == id).map(|(_, v)| v.to_string()).unwrap_or_else(|| was.clone());
        fields.push((format!("v:{id}"), text));
        fields.push((format!("ver:{id}"), value["version"].as_i64().map(|v| v.to_string()).unwrap_or_default()));
        fields.push((format!("was:{id}"), was));
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let request = deployment
        .request(Some(SCHOOL), "POST", &format!("/app/entry/{SCHOOL}/{table}"))
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&pairs))
        .expect("request");
    deployment.send_read(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_sum_is_said_once_with_links_to_its_cells() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let (_, values) = api(&deployment, &school, "GET", &format!("{BASE}/values"), None).await;
    let total: i64 = values["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["indicator"] == "t2.campus_staff")
        .and_then(|v| v["value"].as_str())
        .expect("校内专任教师 is reported")
        .parse()
        .expect("whole");
    let (status, _) = post_entry(&deployment, "t2", &[("t2.campus_staff", &(total + 7).to_string())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, findings) = api(&deployment, &school, "GET", &format!("{BASE}/findings"), None).await;
    let broken: Vec<&Json> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error" && f["cells"].as_array().is_some_and(|c| c.len() >= 4))
        .filter(|f| f["cells"].as_array().expect("cells").iter().any(|c| c["indicator"] == "t2.campus_staff"))
        .collect();
    assert!(!broken.is_empty(), "the sum over 校内专任教师's parts fails: {findings}");
    let entry = page(&deployment, SCHOOL, "/app/entry/yudu-s1/t2").await;
    for finding in broken {
        let message = finding["message_zh"].as_str().expect("message");
        let said = entry.matches(&format!(">{message}<")).count();
        assert_eq!(said, 1, "the message is said once, not under every cell: {message}");
        // Every other cell of the finding in this table points at it, and the message links to them.
        let rule =
            finding["rule"].as_str().expect("rule").replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "-");
        // It is said at the total: the shallowest of its cells in this table.
        let cells = finding["cells"].as_array().expect("cells");
        let depth = |id: &str| {
            let framework = framework();
            framework.lookup(id).map(|index| framework.depth(index)).expect("known indicator")
        };
        let home = cells
            .iter()
            .filter(|c| c["table"] == "t2")
            .map(|c| c["indicator"].as_str().expect("id"))
            .min_by_key(|id| depth(id))
            .expect("a cell in 表 2");
        assert!(home == "t2.staff_total" || home == "t2.campus_staff", "a total: {home}");
        let anchor = format!("finding-{rule}-{}", home.replace('.', "-"));
        assert!(entry.contains(&format!("id=\"{anchor}\"")), "the message sits at its first cell: {anchor}");
        let pointers = entry.matches(&format!("href=\"#{anchor}\"")).count();
        let others = cells.iter().filter(|c| c["table"] == "t2" && c["year"] == 2024).count() - 1;
        assert!(pointers >= 1 && pointers <= others, "the other cells point at the message: {pointers} of {others}");
        assert!(entry.contains("涉及：<a href=\"#row-t2-"), "the message links to the cells it involves");
    }
    // A cell in two broken sums of one total points there once, counting them.
    assert!(entry.contains("此格参与的 2 项检查未通过，见“教职工合计”处"), "pointers to one cell are merged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_entry_is_marked_at_its_cell_and_nothing_is_saved() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let (_, before) = api(&deployment, &school, "GET", &format!("{BASE}/values"), None).await;
    let (status, entry) = post_entry(&deployment, "t1", &[("t1.new_entrants", "六"), ("t1.enrolled", "4321")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Said at the cell, which is marked invalid and described by the message…
    assert!(
        entry.contains("aria-invalid=\"true\" aria-describedby=\"input-problem-t1-new_entrants\""),
        "the unreadable cell is marked"
    );
    assert!(entry.contains("id=\"input-problem-t1-new_entrants\">“六”不是数值"), "the problem is said at the cell");
    // …the other typed cell is kept as typed, not marked…
    assert!(
        entry.contains("id=\"v-t1-enrolled\" value=\"4321\" inputmode=\"decimal\" aria-invalid=\"false\""),
        "kept as typed"
    );
    // …and nothing of the save was stored.
    let (_, after) = api(&deployment, &school, "GET", &format!("{BASE}/values"), None).await;
    assert_eq!(before, after, "a refused save stores nothing");
}
