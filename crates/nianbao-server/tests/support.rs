//! A seeded deployment per test, and requests through the router without a network.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use nianbao_core::{Dataset, Framework, OrgLevel, OrgUnit, Value};
use nianbao_server::{AppState, ServerConfig};
use nianbao_store::{LoadOptions, Provenance, SessionRecord, SqliteStore, Store, SubmissionStatus as S, Transition};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn framework() -> Framework {
    nianbao_io::load_framework_file(&root().join("frameworks/zhongzhi-2024.toml")).expect("framework")
}

/// A seeded deployment: the demo, plus a second city outside Ganzhou (for "other org" checks),
/// with one signed-in session per test account.
pub struct Deployment {
    pub state: AppState,
    pub store: Arc<dyn Store>,
    pub _dir: tempfile::TempDir,
    /// (URL, schema) of a PostgreSQL deployment.
    postgres: Option<(String, String)>,
}

/// Test accounts: (user name, role, org) — demo accounts plus a city-level administrator.
pub const SCHOOL: &str = "yudu-s1";
pub const COUNTY: &str = "yudu-reviewer";
pub const CITY: &str = "ganzhou-editor";
pub const ADMIN: &str = "ganzhou-admin";

pub fn session_token(username: &str) -> String {
    format!("session-of-{username}")
}

pub fn csrf_of(username: &str) -> String {
    format!("csrf-of-{username}")
}

impl Deployment {
    /// On a fresh SQLite file.
    pub async fn new() -> Deployment {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("test.sqlite")).await.expect("open"));
        Deployment::on(store, dir).await
    }

    /// On a fresh schema of the test PostgreSQL (`NIANBAO_TEST_DATABASE_URL`, default
    /// `postgres://postgres@127.0.0.1:5432/test`); a PostgreSQL that cannot be reached fails.
    pub async fn postgres(name: &str) -> Deployment {
        let url = std::env::var("NIANBAO_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
        let schema = format!("nianbao_server_{name}_{}", std::process::id());
        nianbao_store::PostgresStore::drop_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} is required: {e}"));
        let store = nianbao_store::PostgresStore::connect_in_schema(&url, &schema).await.expect("connect");
        let mut deployment = Deployment::on(Arc::new(store), tempfile::tempdir().expect("temp dir")).await;
        deployment.postgres = Some((url, schema));
        deployment
    }

    pub async fn drop_postgres_schema(&self) {
        if let Some((url, schema)) = &self.postgres {
            nianbao_store::PostgresStore::drop_schema(url, schema).await.expect("drop the test schema");
        }
    }

    async fn on(store: Arc<dyn Store>, dir: tempfile::TempDir) -> Deployment {
        let framework = framework();
        nianbao_server::demo::seed(store.as_ref(), &framework, &root().join("datasets/ganzhou-sample"), 2023)
            .await
            .expect("seed the demo");
        // A second city under the province, outside Ganzhou.
        let mut extra = Dataset::new(framework.indicators.len());
        let province = extra.add_org(OrgUnit::new("jiangxi", "江西省", OrgLevel::Province, None)).expect("org");
        let city = extra.add_org(OrgUnit::new("other-city", "另一市", OrgLevel::City, Some(province))).expect("org");
        let county = extra.add_org(OrgUnit::new("other-county", "另一县", OrgLevel::County, Some(city))).expect("org");
        let school =
            extra.add_org(OrgUnit::new("other-school", "另一校（样例）", OrgLevel::School, Some(county))).expect("org");
        extra.set(school, 2024, framework.lookup("t1.enrolled").expect("indicator"), Value::Number(500.into()));
        let options = LoadOptions { provenance: Provenance::Imported, actor: "test".into(), reason: "test".into() };
        store.load(&framework, &extra, &options, &|_, _| {}).await.expect("load the other city");
        let hash = nianbao_server::auth::hash_password("test-password-1").expect("hash");
        store
            .add_account(&nianbao_store::Account {
                username: ADMIN.into(),
                password_hash: hash,
                role: nianbao_store::Role::Admin,
                org_id: "ganzhou".into(),
                display_name: "市级管理员".into(),
                created_at: String::new(),
                must_change_password: false,
                password_changed_at: String::new(),
            })
            .await
            .expect("admin");
        for username in [SCHOOL, COUNTY, CITY, ADMIN, "admin", "yudu-dexin", "ruijin-reviewer"] {
            store
                .create_session(&SessionRecord {
                    token_hash: nianbao_server::auth::token_hash(&session_token(username)),
                    username: username.into(),
                    csrf: csrf_of(username),
                    expires_at: nianbao_server::auth::unix_now() + 3600,
                })
                .await
                .expect("session");
        }
        let state = AppState::new(store.clone(), framework, ServerConfig::for_year(2024)).await.expect("state");
        Deployment { state, store, _dir: dir, postgres: None }
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        nianbao_server::router(self.state.clone()).oneshot(request).await.expect("infallible")
    }

    /// Sends a request and reads the answer: its status and its body as text.
    pub async fn send_read(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.send(request).await;
        let status = response.status();
        (status, body_text(response).await)
    }

    /// A request as `user` (None: anonymous) with its session cookie; `csrf` adds the token to
    /// state-changing requests.
    pub fn request(&self, user: Option<&str>, method: &str, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(user) = user {
            builder = builder.header(header::COOKIE, format!("nianbao_session={}", session_token(user)));
            if method != "GET" {
                builder = builder.header("x-csrf-token", csrf_of(user));
            }
        }
        builder
    }

    /// Serves this deployment on a loopback port (for tools that speak HTTP: Chromium,
    /// schemathesis); returns the address.
    pub async fn serve_on_loopback(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let app = nianbao_server::router(self.state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await
                .expect("serve")
        });
        address
    }

    pub async fn token(&self, username: &str) -> String {
        nianbao_server::demo::create_token(self.store.as_ref(), username, "test").await.expect("token")
    }
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn form(fields: &[(&str, &str)]) -> Body {
    Body::from(form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish())
}

pub fn multipart(fields: &[(&str, &str, &[u8])]) -> (String, Body) {
    let boundary = "nianbao-test-boundary";
    let mut body = Vec::new();
    for (name, filename, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if filename.is_empty() {
            body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
        } else {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), Body::from(body))
}

/// Refused means 403, 401, or a redirect to the login page (anonymous browser requests).
pub fn refused(response: &Response<Body>) -> bool {
    let to_login = response.status() == StatusCode::SEE_OTHER
        && response.headers().get(header::LOCATION).is_some_and(|l| l == "/login");
    matches!(response.status(), StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED) || to_login
}

/// An API call with a bearer token; the answer as JSON (or the text as a JSON string).
pub async fn api(
    deployment: &Deployment,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut builder =
        Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let response = deployment
        .send(builder.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default()).expect("request"))
        .await;
    let status = response.status();
    let text = body_text(response).await;
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// Submits a school's 2024 return in the store, unchecked (as if its checks had passed), from
/// not started, draft or returned.
pub async fn submit_in_store(deployment: &Deployment, school: &str) {
    transition_in_store(deployment, school, &[S::NotStarted, S::Draft, S::Returned], S::Submitted, "submit").await;
}

/// Submits and approves a school's 2024 return in the store (as its reviewer would), from any
/// status a school can still change (not started, draft, returned).
pub async fn approve_in_store(deployment: &Deployment, school: &str) {
    submit_in_store(deployment, school).await;
    transition_in_store(deployment, school, &[S::Submitted], S::Approved, "approve").await;
}

async fn transition_in_store(deployment: &Deployment, school: &str, from: &[S], to: S, action: &str) {
    let transition = Transition {
        org_id: school,
        year: 2024,
        from,
        to,
        actor: "test",
        comment: "",
        action,
        expected_revision: None,
    };
    deployment.store.transition(&transition).await.expect("transition");
}
