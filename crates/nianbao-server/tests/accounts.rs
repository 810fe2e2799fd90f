//! Accounts: a password change (checked against the policy) ends every other session; an
//! administrator's reset gives a one-time password that must be changed before anything else.

use crate::security::login_from;
use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};

fn session_cookie(response: &axum::http::Response<Body>) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("nianbao_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn get_with(deployment: &Deployment, token: &str, path: &str) -> axum::http::Response<Body> {
    let request = axum::http::Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("nianbao_session={token}"))
        .body(Body::empty())
        .expect("request");
    deployment.send(request).await
}

async fn change(deployment: &Deployment, user: &str, fields: &[(&str, &str)]) -> axum::http::Response<Body> {
    let request = deployment
        .request(Some(user), "POST", "/app/account/password")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(fields))
        .expect("request");
    deployment.send(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_is_checked_and_ends_the_other_sessions() {
    let deployment = Deployment::new().await;
    let demo = nianbao_server::demo::DEMO_PASSWORD;
    // The clerk is also signed in elsewhere.
    let elsewhere = login_from(&deployment, SCHOOL, demo, "10.0.0.7").await;
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
    let elsewhere = session_cookie(&elsewhere);
    assert_eq!(get_with(&deployment, &elsewhere, "/app/account").await.status(), StatusCode::OK);

    let page = body_text(
        deployment
            .send(deployment.request(Some(SCHOOL), "GET", "/app/account").body(Body::empty()).expect("request"))
            .await,
    )
    .await;
    assert!(page.contains("修改密码") && page.contains("于都"), "{page}");

    // Each refusal names its reason in Chinese, and the password stays as it was.
    let before = deployment.store.account(SCHOOL).await.expect("read").expect("account").password_hash;
    for (fields, reason) in [
        (
            vec![("current", "not-my-password"), ("new", "river stones at dawn"), ("repeat", "river stones at dawn")],
            "当前密码不正确",
        ),
        (vec![("current", demo), ("new", "short"), ("repeat", "short")], "至少要有 10 个字符"),
        (vec![("current", demo), ("new", "yudu-s1-2025-new"), ("repeat", "yudu-s1-2025-new")], "不能包含用户名"),
        (vec![("current", demo), ("new", "Password2024!"), ("repeat", "Password2024!")], "太常见"),
        (vec![("current", demo), ("new", "1234567890"), ("repeat", "1234567890")], "键盘"),
        (vec![("current", demo), ("new", "river stones at dawn"), ("repeat", "river stones at dusk")], "不一致"),
        (vec![("current", demo), ("new", demo), ("repeat", demo)], "不能与当前密码相同"),
    ] {
        let response = change(&deployment, SCHOOL, &fields).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{reason}");
        let text = body_text(response).await;
        assert!(text.contains(reason), "expected {reason:?} in the page");
        assert!(!text.contains("The new password"), "no English on a Chinese page");
    }
    assert_eq!(deployment.store.account(SCHOOL).await.expect("read").expect("account").password_hash, before);

    let fresh = "river stones at dawn";
    let response = change(&deployment, SCHOOL, &[("current", demo), ("new", fresh), ("repeat", fresh)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers().get(header::LOCATION).expect("location"), "/app/account?changed=1");
    let mine = session_cookie(&response);
    // This browser goes on with its new session; the old one and the other browser's are gone.
    assert_eq!(get_with(&deployment, &mine, "/app/account?changed=1").await.status(), StatusCode::OK);
    assert!(refused(&get_with(&deployment, &elsewhere, "/app/account").await), "the other session must end");
    assert!(refused(
        &deployment.send(deployment.request(Some(SCHOOL), "GET", "/app/account").body(Body::empty()).expect("r")).await
    ));
    // The old password no longer signs in; the new one does.
    assert_eq!(login_from(&deployment, SCHOOL, demo, "10.0.0.8").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login_from(&deployment, SCHOOL, fresh, "10.0.0.8").await.status(), StatusCode::SEE_OTHER);
    let events = deployment.store.events("yudu-s1", 2024).await.expect("events");
    assert!(events.iter().any(|e| e.action == "password_change" && e.detail == SCHOOL));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_resets_within_scope_and_the_user_must_choose_anew() {
    let deployment = Deployment::new().await;
    // Only administrators manage accounts.
    for user in [SCHOOL, COUNTY, CITY] {
        let list = deployment
            .send(deployment.request(Some(user), "GET", "/app/accounts").body(Body::empty()).expect("r"))
            .await;
        assert!(refused(&list), "{user} may not list accounts");
        let reset = deployment
            .send(
                deployment
                    .request(Some(user), "POST", &format!("/app/accounts/{SCHOOL}/reset"))
                    .body(Body::empty())
                    .expect("r"),
            )
            .await;
        assert!(refused(&reset), "{user} may not reset");
    }
    let list = body_text(
        deployment.send(deployment.request(Some(ADMIN), "GET", "/app/accounts").body(Body::empty()).expect("r")).await,
    )
    .await;
    assert!(list.contains(SCHOOL) && !list.contains("other-school"), "the admin's scope only");
    // Another city's account is answered as missing, and stays as it was.
    let outside = deployment
        .send(deployment.request(Some(ADMIN), "POST", "/app/accounts/admin/reset").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    let unknown = deployment
        .send(deployment.request(Some(ADMIN), "POST", "/app/accounts/nobody/reset").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let reset = deployment
        .send(
            deployment
                .request(Some(ADMIN), "POST", &format!("/app/accounts/{SCHOOL}/reset"))
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let page = body_text(reset).await;
    let temporary = page
        .split("id=\"temporary-password\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the temporary password is shown")
        .to_string();
    assert_eq!(temporary.len(), 17, "{temporary}");
    // The clerk's session ended at once.
    assert!(refused(
        &deployment
            .send(deployment.request(Some(SCHOOL), "GET", "/app/entry/yudu-s1").body(Body::empty()).expect("r"))
            .await
    ));
    // Signing in with the temporary password leads to the account page and nowhere else.
    let signed_in = login_from(&deployment, SCHOOL, &temporary, "10.0.0.9").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let token = session_cookie(&signed_in);
    let entry = get_with(&deployment, &token, "/app/entry/yudu-s1").await;
    assert_eq!(entry.status(), StatusCode::SEE_OTHER);
    assert_eq!(entry.headers().get(header::LOCATION).expect("location"), "/app/account");
    let account = body_text(get_with(&deployment, &token, "/app/account").await).await;
    assert!(account.contains("管理员已重置您的密码"), "{account}");
    let events = deployment.store.events("yudu-s1", 2024).await.expect("events");
    assert!(events.iter().any(|e| e.action == "password_reset" && e.actor == ADMIN));
    // After choosing a new password the clerk works as before.
    let csrf = {
        let session =
            deployment.store.session(&nianbao_server::auth::token_hash(&token)).await.expect("read").expect("session");
        session.csrf
    };
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/app/account/password")
        .header(header::COOKIE, format!("nianbao_session={token}"))
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[
            ("current", &temporary),
            ("new", "a quiet morning in class"),
            ("repeat", "a quiet morning in class"),
        ]))
        .expect("request");
    let changed = deployment.send(request).await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let token = session_cookie(&changed);
    assert_eq!(get_with(&deployment, &token, "/app/entry/yudu-s1").await.status(), StatusCode::SEE_OTHER);
    let entry = get_with(&deployment, &token, "/app/entry/yudu-s1/t1").await;
    assert_eq!(entry.status(), StatusCode::OK);
    assert!(!deployment.store.account(SCHOOL).await.expect("read").expect("account").must_change_password);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_administrator_cannot_manage_accounts_before_choosing_a_password() {
    let deployment = Deployment::new().await;
    // The province administrator resets the city administrator.
    let reset = deployment
        .send(
            deployment
                .request(Some("admin"), "POST", &format!("/app/accounts/{ADMIN}/reset"))
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let page = body_text(reset).await;
    let temporary = page
        .split("id=\"temporary-password\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("shown")
        .to_string();
    let signed_in = login_from(&deployment, ADMIN, &temporary, "10.0.0.11").await;
    let token = session_cookie(&signed_in);
    for path in ["/app/accounts", "/app", "/app/review"] {
        let response = get_with(&deployment, &token, path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers().get(header::LOCATION).expect("location"), "/app/account", "{path}");
    }
    assert_eq!(get_with(&deployment, &token, "/app/account").await.status(), StatusCode::OK);
}
