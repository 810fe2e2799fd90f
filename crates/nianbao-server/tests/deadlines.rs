//! Deadlines and the reviewer's dashboard: a passed deadline marks the schools that have not
//! submitted (or not been reviewed), the 催报 list names them, filters narrow the list, and the
//! review page shows the figures beside each finding and what changed since a return.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};

async fn page(deployment: &Deployment, user: &str, path: &str) -> (StatusCode, String) {
    let response = deployment.send(deployment.request(Some(user), "GET", path).body(Body::empty()).expect("r")).await;
    let status = response.status();
    (status, body_text(response).await)
}

async fn post(deployment: &Deployment, user: &str, path: &str, fields: &[(&str, &str)]) -> axum::http::Response<Body> {
    let request = deployment
        .request(Some(user), "POST", path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(fields))
        .expect("request");
    deployment.send(request).await
}

fn rows_marked_overdue(html: &str) -> usize {
    html.matches("class=\"overdue\"").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passed_deadline_marks_late_schools_and_lists_them_for_reminders() {
    let deployment = Deployment::new().await;
    let (_, before) = page(&deployment, COUNTY, "/app/review").await;
    assert_eq!(rows_marked_overdue(&before), 0, "no deadline, nobody is late");
    // A school cannot set deadlines; a date that does not exist is refused and nothing changes.
    assert!(refused(&post(&deployment, SCHOOL, "/app/review/deadlines", &[("submit", "2024-12-31")]).await));
    let wrong =
        post(&deployment, COUNTY, "/app/review/deadlines", &[("submit", "2025-02-30"), ("review", "2025-03-01")]).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(wrong).await.contains("不是有效的日期"));
    assert!(deployment.store.deadlines(2024).await.expect("read").is_empty(), "a refused form stores neither date");

    // The city sets a deadline in the future: nobody is late yet; the county sees it as set above.
    let saved = post(&deployment, CITY, "/app/review/deadlines", &[("submit", "2099-12-31"), ("review", "")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&deployment, COUNTY, "/app/review").await;
    assert_eq!(rows_marked_overdue(&list), 0);
    assert!(list.contains("2099年12月31日（赣州市"), "the county sees the city's deadline");
    let (_, entry) = page(&deployment, SCHOOL, "/app/entry/yudu-s1/t1").await;
    assert!(entry.contains("提交截止：2099年12月31日（还有"), "the school sees its deadline");
    // School forms ask only what schools report: of the narrative's facts, only the school's own.
    let (_, facts) = page(&deployment, SCHOOL, "/app/entry/yudu-s1/facts").await;
    assert!(facts.contains("v-facts-land_per_student"), "a figure schools report is asked");
    assert!(
        !facts.contains("v-facts-schools_public") && !facts.contains("v-facts-annual_special_fund"),
        "city facts are not asked of schools"
    );
    assert!(entry.contains("/app/entry/yudu-s1/t2"), "no city facts for schools");

    // The county's own, earlier deadline applies to its schools and has passed.
    approve_in_store(&deployment, "yudu-dexin").await;
    let saved = post(&deployment, COUNTY, "/app/review/deadlines", &[("submit", "2024-12-31"), ("review", "")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&deployment, COUNTY, "/app/review").await;
    let schools = deployment.state.tree.schools_within(deployment.state.tree.find("yudu").expect("yudu")).len();
    assert_eq!(rows_marked_overdue(&list), schools - 1, "every school but the approved one is late");
    assert!(list.contains("逾期") && list.contains("天未提交"));
    assert!(!list.contains("id=\"school-yudu-dexin\" class=\"overdue\""), "an approved school is not late");
    let (_, entry) = page(&deployment, SCHOOL, "/app/entry/yudu-s1/t1").await;
    assert!(entry.contains("（已逾期"), "the school is told it is late");
    // Another county's schools follow the city's later deadline.
    let (_, city) = page(&deployment, CITY, "/app/review?show=overdue").await;
    assert!(!city.contains("school-ruijin"), "ruijin's schools follow the city's deadline and are not late");

    // The reminder list: the late schools with their clerks, as CSV for Excel.
    let response = deployment
        .send(deployment.request(Some(COUNTY), "GET", "/app/reminders.csv").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get(header::CONTENT_DISPOSITION)
            .expect("attachment")
            .to_str()
            .expect("ascii")
            .contains(".csv")
    );
    let csv = body_text(response).await;
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark, so Excel reads UTF-8");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), schools, "a header and one line per late school: {csv}");
    assert!(lines[0].contains("学校") && lines[0].contains("填报员"));
    assert!(lines.iter().any(|l| l.contains(",yudu-s1,") && l.contains("填报员")), "the clerk is named: {csv}");
    assert!(!csv.contains("yudu-dexin"));
    // A school's own clerk cannot read the reminder list of others.
    let (status, own) = page(&deployment, SCHOOL, "/app/reminders.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!own.contains("yudu-dexin") && own.lines().count() <= 2, "a school sees at most itself");

    // Filters: by status, by lateness, by name; the counts are per status.
    let (_, approved) = page(&deployment, COUNTY, "/app/review?show=approved").await;
    assert!(approved.contains("school-yudu-dexin") && !approved.contains("id=\"school-yudu-s1\""));
    let (_, search) = page(&deployment, COUNTY, "/app/review?q=yudu-s1").await;
    assert!(search.contains("id=\"school-yudu-s1\"") && !search.contains("school-yudu-dexin"));
    let (_, nothing) = page(&deployment, COUNTY, "/app/review?q=%3Cscript%3E").await;
    assert!(nothing.contains("没有符合条件的学校") && !nothing.contains("<script>"));
    // The review deadline: a submitted school not yet approved after it is late for review.
    let saved =
        post(&deployment, COUNTY, "/app/review/deadlines", &[("submit", "2024-12-31"), ("review", "2025-01-01")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let events = deployment.store.events("yudu", 2024).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.action == "deadline").count(), 2, "each change of a deadline is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_page_shows_figures_beside_findings_and_changes_since_the_return() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let base = "/api/v1/orgs/yudu-s1/years/2024";
    // Break a rule, so that the review page has a finding with figures.
    let (_, mentors) = api(&deployment, &school, "GET", &format!("{base}/values"), None).await;
    let current = mentors["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["indicator"] == "t2.industry_mentors")
        .and_then(|v| v["value"].as_str().map(str::to_string))
        .expect("mentors");
    let (_, page_before) = page(&deployment, COUNTY, "/app/review/yudu-s1").await;
    assert!(!page_before.contains("id=\"changes\""), "never returned: no changes section");
    assert!(page_before.contains("id=\"next-school\""), "a way to the next school");
    assert!(page_before.contains("id=\"back-to-list\""));
    let wrong = format!(r#"{{"value": "{}", "overwrite": true}}"#, current.parse::<i64>().expect("n") + 9);
    let (status, _) =
        api(&deployment, &school, "PUT", &format!("{base}/values/t2.industry_mentors"), Some(&wrong)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, review) = page(&deployment, COUNTY, "/app/review/yudu-s1").await;
    assert!(review.contains("class=\"finding-cells\""), "figures beside the findings");
    assert!(review.contains("#row-t2-industry_mentors"), "each figure links to its cell");

    // Returned, then changed by the school: the review page lists the change, before and after.
    use nianbao_store::{SubmissionStatus as S, Transition};
    for (from, to, action) in
        [(&[S::Draft, S::NotStarted][..], S::Submitted, "submit"), (&[S::Submitted][..], S::Returned, "return")]
    {
        deployment
            .store
            .transition(&Transition {
                org_id: "yudu-s1",
                year: 2024,
                from,
                to,
                actor: COUNTY,
                comment: "核对",
                action,
                expected_revision: None,
            })
            .await
            .expect("transition");
    }
    let (_, returned) = page(&deployment, COUNTY, "/app/review/yudu-s1").await;
    assert!(returned.contains("id=\"changes\"") && returned.contains("共修改 0 项"), "returned, nothing changed yet");
    let fixed = format!(r#"{{"value": "{current}", "overwrite": true}}"#);
    let (status, _) =
        api(&deployment, &school, "PUT", &format!("{base}/values/t2.industry_mentors"), Some(&fixed)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, changed) = page(&deployment, COUNTY, "/app/review/yudu-s1").await;
    assert!(changed.contains("共修改 1 项"), "one change since the return");
    let table = changed.split("id=\"changes-table\"").nth(1).expect("the changes table");
    let wrong_number = (current.parse::<i64>().expect("n") + 9).to_string();
    assert!(table.contains(&wrong_number) && table.contains(&current), "before and after are shown");
    // The school is told its return came back.
    let (_, entry) = page(&deployment, SCHOOL, "/app/entry/yudu-s1/t2").await;
    assert!(entry.contains("id=\"return-notice\"") && entry.contains("退回修改"), "the school gets a notice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explanation_batch_is_kept_whole_or_not_at_all() {
    let deployment = Deployment::new().await;
    let school = deployment.token(SCHOOL).await;
    let (_, findings) = api(&deployment, &school, "GET", "/api/v1/orgs/yudu-s1/years/2024/findings", None).await;
    let rules: Vec<String> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "warning")
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect();
    assert!(rules.len() >= 2, "the sample school has warnings");
    let long = "长".repeat(2001);
    let mut fields = vec![("table".to_string(), "t1".to_string())];
    fields.push((format!("x:{}", rules[0]), "样例说明：核实无误。".to_string()));
    fields.push((format!("x:{}", rules[1]), long));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = post(&deployment, SCHOOL, "/app/explain/yudu-s1", &pairs).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("全部说明均未保存"));
    assert!(
        deployment.store.explanations("yudu-s1", 2024).await.expect("read").is_empty(),
        "nothing of the batch was kept"
    );
}
