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
