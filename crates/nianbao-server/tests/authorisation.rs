//! The authorisation matrix: every route × every role (and anonymous) × own and other org unit,
//! each asserting allowed or refused. Expectations are written out here, not derived from the
//! server's own rule.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};

/// Who may do what. `Read`: anyone signed in within scope. `Enter`: the school and admins.
/// `Review`: county, city, admin. `Unlock`: county (until a report above it is published), city, admin. `Edit`: city, admin (on a city; a county
/// reviewer and a school on their own unit only: see `reports_at_every_level_are_edited_by_their_own_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Enter,
    Review,
    Unlock,
    Edit,
}

/// (user, own school, other school, own city-level unit, other city-level unit)
const CALLERS: [(&str, &str, &str, &str, &str); 4] = [
    (SCHOOL, "yudu-s1", "yudu-dexin", "ganzhou", "other-city"),
    (COUNTY, "yudu-s1", "ruijin-s1", "ganzhou", "other-city"),
    (CITY, "yudu-s1", "other-school", "ganzhou", "other-city"),
    (ADMIN, "yudu-s1", "other-school", "ganzhou", "other-city"),
];

fn expected(user: &str, need: Need, own: bool) -> bool {
    let allowed_roles: &[&str] = match need {
        Need::Read => &[SCHOOL, COUNTY, CITY, ADMIN],
        Need::Enter => &[SCHOOL, ADMIN],
        Need::Review => &[COUNTY, CITY, ADMIN],
        Need::Unlock => &[COUNTY, CITY, ADMIN],
        Need::Edit => &[CITY, ADMIN],
    };
    own && allowed_roles.contains(&user)
}

struct Route {
    name: &'static str,
    need: Need,
    /// Targets a school (true) or a city-level unit (false).
    school: bool,
    method: &'static str,
    path: &'static str,
    body: fn() -> (Option<String>, Body),
    api: bool,
}

fn empty() -> (Option<String>, Body) {
    (None, Body::empty())
}
fn save_form() -> (Option<String>, Body) {
    (Some("application/x-www-form-urlencoded".into()), form(&[("v:t1.enrolled", "")]))
}
fn explain_form() -> (Option<String>, Body) {
    (Some("application/x-www-form-urlencoded".into()), form(&[("x:none", "text")]))
}
fn comment_form() -> (Option<String>, Body) {
    (Some("application/x-www-form-urlencoded".into()), form(&[("comment", "matrix")]))
}
fn bad_workbook() -> (Option<String>, Body) {
    let (kind, body) = multipart(&[("file", "x.xlsx", b"not a workbook")]);
    (Some(kind), body)
}
fn empty_case() -> (Option<String>, Body) {
    let (kind, body) = multipart(&[("title", "", b"")]);
    (Some(kind), body)
}
fn narrative_form() -> (Option<String>, Body) {
    (Some("application/x-www-form-urlencoded".into()), form(&[("section", "no-such-section"), ("body", "x")]))
}
fn long_note() -> (Option<String>, Body) {
    let note = "长".repeat(600);
    (Some("application/x-www-form-urlencoded".into()), form(&[("change_note", &note)]))
}
fn json_value() -> (Option<String>, Body) {
    (Some("application/json".into()), Body::from(r#"{"value": "1", "overwrite": true}"#))
}
fn json_explanations() -> (Option<String>, Body) {
    (Some("application/json".into()), Body::from(r#"{"no-such-rule": "text"}"#))
}
fn json_comment() -> (Option<String>, Body) {
    (Some("application/json".into()), Body::from(r#"{"comment": "matrix"}"#))
}

const ROUTES: &[Route] = &[
    Route {
        name: "entry page",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/entry/{org}/t1",
        body: empty,
        api: false,
    },
    Route {
        name: "entry first table",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/entry/{org}",
        body: empty,
        api: false,
    },
    Route {
        name: "save values",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/app/entry/{org}/t1",
        body: save_form,
        api: false,
    },
    Route {
        name: "explain warnings",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/app/explain/{org}",
        body: explain_form,
        api: false,
    },
    Route {
        name: "submit",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/app/submit/{org}",
        body: empty,
        api: false,
    },
    Route {
        name: "Excel template",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/excel/{org}/template.xlsx",
        body: empty,
        api: false,
    },
    Route {
        name: "Excel upload",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/app/excel/{org}",
        body: bad_workbook,
        api: false,
    },
    Route {
        name: "case studies",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/cases/{org}",
        body: empty,
        api: false,
    },
    Route {
        name: "save case study",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/app/cases/{org}",
        body: empty_case,
        api: false,
    },
    Route {
        name: "value history",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/history/{org}/t1.enrolled",
        body: empty,
        api: false,
    },
    Route {
        name: "review page",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/app/review/{org}",
        body: empty,
        api: false,
    },
    Route {
        name: "return",
        need: Need::Review,
        school: true,
        method: "POST",
        path: "/app/review/{org}/return",
        body: comment_form,
        api: false,
    },
    Route {
        name: "approve",
        need: Need::Review,
        school: true,
        method: "POST",
        path: "/app/review/{org}/approve",
        body: comment_form,
        api: false,
    },
    Route {
        name: "unlock",
        need: Need::Unlock,
        school: true,
        method: "POST",
        path: "/app/review/{org}/unlock",
        body: comment_form,
        api: false,
    },
    Route {
        name: "editor",
        need: Need::Edit,
        school: false,
        method: "GET",
        path: "/app/editor/{org}",
        body: empty,
        api: false,
    },
    Route {
        name: "aggregate",
        need: Need::Edit,
        school: false,
        method: "POST",
        path: "/app/editor/{org}/aggregate",
        body: empty,
        api: false,
    },
    Route {
        name: "save narrative",
        need: Need::Edit,
        school: false,
        method: "POST",
        path: "/app/editor/{org}/narrative",
        body: narrative_form,
        api: false,
    },
    Route {
        name: "preview",
        need: Need::Edit,
        school: false,
        method: "POST",
        path: "/app/editor/{org}/preview",
        body: narrative_form,
        api: false,
    },
    Route {
        name: "draft report",
        need: Need::Edit,
        school: false,
        method: "GET",
        path: "/app/editor/{org}/draft.html",
        body: empty,
        api: false,
    },
    Route {
        name: "publish",
        need: Need::Edit,
        school: false,
        method: "POST",
        path: "/app/editor/{org}/publish",
        body: long_note,
        api: false,
    },
    Route {
        name: "API values",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/api/v1/orgs/{org}/years/2024/values",
        body: empty,
        api: true,
    },
    Route {
        name: "API put value",
        need: Need::Enter,
        school: true,
        method: "PUT",
        path: "/api/v1/orgs/{org}/years/2024/values/t1.enrolled",
        body: json_value,
        api: true,
    },
    Route {
        name: "API history",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/api/v1/orgs/{org}/years/2024/values/t1.enrolled/history",
        body: empty,
        api: true,
    },
    Route {
        name: "API findings",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/api/v1/orgs/{org}/years/2024/findings",
        body: empty,
        api: true,
    },
    Route {
        name: "API submission",
        need: Need::Read,
        school: true,
        method: "GET",
        path: "/api/v1/orgs/{org}/years/2024/submission",
        body: empty,
        api: true,
    },
    Route {
        name: "API explanations",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/api/v1/orgs/{org}/years/2024/explanations",
        body: json_explanations,
        api: true,
    },
    Route {
        name: "API submit",
        need: Need::Enter,
        school: true,
        method: "POST",
        path: "/api/v1/orgs/{org}/years/2024/submit",
        body: json_comment,
        api: true,
    },
    Route {
        name: "API return",
        need: Need::Review,
        school: true,
        method: "POST",
        path: "/api/v1/orgs/{org}/years/2024/return",
        body: json_comment,
        api: true,
    },
    Route {
        name: "API approve",
        need: Need::Review,
        school: true,
        method: "POST",
        path: "/api/v1/orgs/{org}/years/2024/approve",
        body: json_comment,
        api: true,
    },
    Route {
        name: "API unlock",
        need: Need::Unlock,
        school: true,
        method: "POST",
        path: "/api/v1/orgs/{org}/years/2024/unlock",
        body: json_comment,
        api: true,
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_own_and_other_org() {
    let deployment = Deployment::new().await;
    let mut tokens = std::collections::HashMap::new();
    for (user, ..) in CALLERS {
        tokens.insert(user, deployment.token(user).await);
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in ROUTES {
        for (user, own_school, other_school, own_city, other_city) in CALLERS {
            for own in [true, false] {
                let org = match (route.school, own) {
                    (true, true) => own_school,
                    (true, false) => other_school,
                    (false, true) => own_city,
                    (false, false) => other_city,
                };
                let path = route.path.replace("{org}", org);
                let (content_type, body) = (route.body)();
                let mut builder = if route.api {
                    axum::http::Request::builder()
                        .method(route.method)
                        .uri(&path)
                        .header(header::AUTHORIZATION, format!("Bearer {}", tokens[user]))
                } else {
                    deployment.request(Some(user), route.method, &path)
                };
                if let Some(content_type) = content_type {
                    builder = builder.header(header::CONTENT_TYPE, content_type);
                }
                let response = deployment.send(builder.body(body).expect("request")).await;
                let status = response.status();
                let was_refused = refused(&response);
                let allowed = expected(user, route.need, own);
                checked += 1;
                if allowed == was_refused || status.is_server_error() || status == StatusCode::NOT_FOUND {
                    failures.push(format!(
                        "{} {} as {user} ({}): expected {}, got {status}",
                        route.method,
                        path,
                        if own { "own" } else { "other" },
                        if allowed { "allowed" } else { "refused" },
                    ));
                }
            }
        }
        // Anonymous callers are refused everywhere in the workspace and the API.
        let path = route.path.replace("{org}", if route.school { "yudu-s1" } else { "ganzhou" });
        let (content_type, body) = (route.body)();
        let mut builder = axum::http::Request::builder().method(route.method).uri(&path);
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let response = deployment.send(builder.body(body).expect("request")).await;
        checked += 1;
        if !refused(&response) {
            failures.push(format!(
                "{} {path} anonymous ({}): expected refused, got {}",
                route.method,
                route.name,
                response.status()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, ROUTES.len() * 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_routes_show_only_published_material() {
    let deployment = Deployment::new().await;
    for path in [
        "/",
        "/data/ganzhou",
        "/data/yudu-s1",
        "/data/ganzhou/t1.enrolled",
        "/api/v1/publications",
        "/api/v1/openapi.json",
    ] {
        let response =
            deployment.send(deployment.request(None, "GET", path).body(Body::empty()).expect("request")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = body_text(response).await;
        // Nothing is published and 2024 is not approved: no 2024 figure of the city may show.
        if path.starts_with("/data/") {
            assert!(
                !text.contains("<th>2024</th>") && !text.contains("<td>2024</td>"),
                "{path} shows unpublished 2024 data"
            );
        }
    }
    // 2023 was approved for every sample school: the school's page shows 2023 only.
    let text = body_text(
        deployment.send(deployment.request(None, "GET", "/data/yudu-s1").body(Body::empty()).expect("r")).await,
    )
    .await;
    assert!(text.contains("<th>2023</th>"), "the approved year should be public");
    let response =
        deployment.send(deployment.request(None, "GET", "/reports/1/report.pdf").body(Body::empty()).expect("r")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// A county reviewer edits and publishes the county's report, a school its own: each its own
/// unit only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_at_every_level_are_edited_by_their_own_level() {
    let deployment = Deployment::new().await;
    for (user, path, allowed) in [
        (COUNTY, "/app/editor/yudu", true),
        (COUNTY, "/app/editor/ruijin", false),
        (COUNTY, "/app/editor/ganzhou", false),
        (COUNTY, "/app/editor/yudu-s1", false),
        (SCHOOL, "/app/editor/yudu-s1", true),
        (SCHOOL, "/app/editor/yudu-dexin", false),
        (SCHOOL, "/app/editor/yudu", false),
        (CITY, "/app/editor/yudu", true),
        (CITY, "/app/editor/yudu-s1", false),
    ] {
        let response =
            deployment.send(deployment.request(Some(user), "GET", path).body(Body::empty()).expect("r")).await;
        assert_eq!(response.status().is_success(), allowed, "{user} {path}: {}", response.status());
    }
    // The school's own report is published only after approval, whatever the note.
    let publish = deployment
        .request(Some(SCHOOL), "POST", "/app/editor/yudu-s1/publish")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("change_note", ""), ("override_note", "想先发布")]))
        .expect("r");
    let response = deployment.send(publish).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(body_text(response).await.contains("审核通过后才能发布本校年报"));
    assert!(deployment.store.publications().await.expect("list").is_empty());
}
