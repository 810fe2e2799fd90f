//! Sign-in, sessions, CSRF, throttling, headers and upload checks.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_sessions_csrf_token_are_refused() {
    let deployment = Deployment::new().await;
    let cookie = format!("nianbao_session={}", session_token(SCHOOL));
    let post = |token: Option<&str>| {
        let mut fields = vec![("table", "t1")];
        if let Some(token) = token {
            fields.push(("csrf", token));
        }
        axum::http::Request::builder()
            .method("POST")
            .uri("/app/entry/yudu-s1/t1")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&fields))
            .expect("request")
    };
    assert_eq!(deployment.send(post(None)).await.status(), StatusCode::FORBIDDEN, "no token");
    assert_eq!(deployment.send(post(Some("forged"))).await.status(), StatusCode::FORBIDDEN, "wrong token");
    // Another user's token does not work either.
    assert_eq!(deployment.send(post(Some(&csrf_of(COUNTY)))).await.status(), StatusCode::FORBIDDEN);
    let accepted = deployment.send(post(Some(&csrf_of(SCHOOL)))).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER, "the right token in the form is accepted");
    // Multipart forms carry the token in the query string.
    let (kind, body) = multipart(&[("title", "", b"")]);
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/app/cases/yudu-s1")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, kind)
        .body(body)
        .expect("request");
    assert_eq!(deployment.send(request).await.status(), StatusCode::FORBIDDEN);
}

async fn login(deployment: &Deployment, username: &str, password: &str) -> axum::http::Response<Body> {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::COOKIE, "nianbao_login=abc")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("csrf", "abc"), ("username", username), ("password", password)]))
        .expect("request");
    deployment.send(request).await
}

/// A sign-in from a given client address (as the server sees a connection's peer).
pub async fn login_from(
    deployment: &Deployment,
    username: &str,
    password: &str,
    address: &str,
) -> axum::http::Response<Body> {
    let mut request = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::COOKIE, "nianbao_login=abc")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("csrf", "abc"), ("username", username), ("password", password)]))
        .expect("request");
    let peer: std::net::SocketAddr = format!("{address}:40000").parse().expect("address");
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    deployment.send(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_safe_cookie_and_throttles_guessing() {
    let deployment = Deployment::new().await;
    let ok = login(&deployment, "yudu-dexin", nianbao_server::demo::DEMO_PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> =
        ok.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().expect("ascii").to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("nianbao_session=")).expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"),
        "{session}"
    );
    // The login form itself is protected: without its cookie the post is refused.
    let forged = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("csrf", "abc"), ("username", "yudu-dexin"), ("password", "x")]))
        .expect("request");
    assert_eq!(deployment.send(forged).await.status(), StatusCode::FORBIDDEN);
    // Guessing from one address backs off after five failures, even with the right password…
    for _ in 0..5 {
        let wrong = login_from(&deployment, "yudu-tengfei", "wrong-password", "10.9.9.9").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = login_from(&deployment, "yudu-tengfei", nianbao_server::demo::DEMO_PASSWORD, "10.9.9.9").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = body_text(blocked).await;
    assert!(text.contains("秒后再试") && !text.contains("Too many"), "a wait in Chinese only: {text}");
    // …but the account's owner at the school is not locked out by it.
    let owner = login_from(&deployment, "yudu-tengfei", nianbao_server::demo::DEMO_PASSWORD, "10.1.2.3").await;
    assert_eq!(owner.status(), StatusCode::SEE_OTHER, "someone else's guessing must not lock out a school");
    // Unknown users get the same answer as wrong passwords.
    assert_eq!(login(&deployment, "nobody", "whatever-it-is").await.status(), StatusCode::UNAUTHORIZED);
    // Passwords are stored as Argon2id hashes.
    let account = deployment.store.account("yudu-dexin").await.expect("read").expect("account");
    assert!(account.password_hash.starts_with("$argon2id$"), "{}", account.password_hash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_logout_ends_the_session() {
    let deployment = Deployment::new().await;
    let response = deployment
        .send(deployment.request(Some(SCHOOL), "GET", "/app/entry/yudu-s1/t1").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().expect("ascii").contains("script-src 'self'"));
    assert_eq!(headers["cache-control"], "no-store", "a signed-in page is never cached");
    let public = deployment.send(deployment.request(None, "GET", "/").body(Body::empty()).expect("r")).await;
    assert!(public.headers().get("cache-control").is_none_or(|v| v != "no-store"), "the portal may be cached");
    let logout =
        deployment.send(deployment.request(Some(SCHOOL), "POST", "/logout").body(Body::empty()).expect("r")).await;
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let after = deployment
        .send(deployment.request(Some(SCHOOL), "GET", "/app/entry/yudu-s1/t1").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(after.headers().get(header::LOCATION).map(|v| v.to_str().expect("ascii")), Some("/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_photos_must_be_images_and_stay_in_scope() {
    let deployment = Deployment::new().await;
    let upload = |photo: &'static [u8]| {
        let (kind, body) = multipart(&[
            ("title", "", "实训基地建设".as_bytes()),
            ("body", "", "样例案例正文。".as_bytes()),
            ("photo", "p.png", photo),
        ]);
        deployment
            .request(Some(SCHOOL), "POST", "/app/cases/yudu-s1")
            .header(header::CONTENT_TYPE, kind)
            .body(body)
            .expect("r")
    };
    let refused = deployment.send(upload(b"<script>alert(1)</script>")).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(refused).await.contains("PNG 或 JPEG"));
    assert!(
        deployment.store.cases("yudu-s1", 2024).await.expect("cases").is_empty(),
        "nothing stored on a refused upload"
    );
    // A PNG cut short (its header alone) is refused too, naming the photo: it could never print.
    const CUT: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let refused = deployment.send(upload(CUT)).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(refused).await.contains("第 1 张新照片"));
    assert!(deployment.store.cases("yudu-s1", 2024).await.expect("cases").is_empty());
    let png: &'static [u8] = Box::leak(tiny_png().into_boxed_slice());
    assert_eq!(deployment.send(upload(png)).await.status(), StatusCode::SEE_OTHER);
    let cases = deployment.store.cases("yudu-s1", 2024).await.expect("cases");
    let photo = cases[0].photos[0].photo_id;
    let path = format!("/app/photos/{photo}");
    let own = deployment.send(deployment.request(Some(SCHOOL), "GET", &path).body(Body::empty()).expect("r")).await;
    assert_eq!(
        (own.status(), own.headers()[header::CONTENT_TYPE].to_str().expect("ascii")),
        (StatusCode::OK, "image/png")
    );
    let other =
        deployment.send(deployment.request(Some("yudu-dexin"), "GET", &path).body(Body::empty()).expect("r")).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "another school cannot see the photo, nor tell it exists");
    let absent = deployment
        .send(deployment.request(Some("yudu-dexin"), "GET", "/app/photos/999999").body(Body::empty()).expect("r"))
        .await;
    assert_eq!(absent.status(), StatusCode::NOT_FOUND, "a photo that is not there answers the same");
    let reviewer =
        deployment.send(deployment.request(Some(COUNTY), "GET", &path).body(Body::empty()).expect("r")).await;
    assert_eq!(reviewer.status(), StatusCode::OK, "the county reviewer can");
    // Too large is refused too.
    let big: &'static [u8] = Box::leak(vec![0x89; 6 << 20].into_boxed_slice());
    assert_eq!(deployment.send(upload(big)).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_first_english_switchable() {
    let deployment = Deployment::new().await;
    let page = |cookie: Option<&str>| {
        let mut builder = deployment.request(Some(SCHOOL), "GET", "/app/entry/yudu-s1/t1");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, format!("nianbao_session={}; {cookie}", session_token(SCHOOL)));
        }
        builder.body(Body::empty()).expect("r")
    };
    let chinese = body_text(deployment.send(page(None)).await).await;
    assert!(chinese.contains("保存草稿") && chinese.contains("lang=\"zh-CN\""));
    let switch = deployment
        .send(
            deployment
                .request(None, "GET", "/lang/en")
                .header(header::REFERER, "http://x/app/entry/yudu-s1/t1")
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(switch.headers()[header::LOCATION], "/app/entry/yudu-s1/t1", "back to the page it came from");
    assert!(switch.headers()[header::SET_COOKIE].to_str().expect("ascii").starts_with("lang=en"));
    let english = body_text(deployment.send(page(Some("lang=en"))).await).await;
    assert!(english.contains("Save draft") && english.contains("lang=\"en\""), "English labels");
    // A referer elsewhere is not followed.
    let away = deployment
        .send(
            deployment
                .request(None, "GET", "/lang/zh")
                .header(header::REFERER, "http://x//evil.example/")
                .body(Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(away.headers()[header::LOCATION], "/");
}

/// A real 4 × 3 PNG.
fn tiny_png() -> Vec<u8> {
    let image = image::RgbImage::from_pixel(4, 3, image::Rgb([10, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

/// Oversized input is refused before it costs anything: a megabyte user name at sign-in is not
/// echoed back, hashed or counted by the throttle; a reviewer's comment has a length limit and a
/// refused one changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_names_and_comments_are_refused() {
    let deployment = Deployment::new().await;
    let huge = "x".repeat(1 << 20);
    let response = login(&deployment, &huge, "whatever-it-is").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let page = body_text(response).await;
    assert!(page.len() < 64 * 1024, "the page does not echo the megabyte name ({} bytes)", page.len());
    // Many such attempts lock nobody out: the real account still signs in.
    for _ in 0..30 {
        login(&deployment, &huge, "whatever-it-is").await;
    }
    let ok = login(&deployment, "yudu-dexin", nianbao_server::demo::DEMO_PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER, "an account is not locked by others' oversized names");
    // A 2,001-character comment on a return is refused; the return stays as it was.
    use nianbao_store::{SubmissionStatus as S, Transition};
    deployment
        .store
        .transition(&Transition {
            org_id: "yudu-s1",
            year: 2024,
            from: &[S::NotStarted, S::Draft],
            to: S::Submitted,
            actor: "test",
            comment: "",
            action: "submit",
            expected_revision: None,
        })
        .await
        .expect("submit");
    let long = "意".repeat(nianbao_server::access::MAX_COMMENT_CHARS + 1);
    let response = deployment
        .send(
            deployment
                .request(Some(COUNTY), "POST", "/app/review/yudu-s1/return")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(&[("comment", &long)]))
                .expect("r"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("意见过长"));
    assert_eq!(deployment.store.submission("yudu-s1", 2024).await.expect("read").status, S::Submitted);
}

/// A connection that never finishes its request headers is closed after the header timeout, and
/// beyond the connection limit new connections are closed at once; a real request is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_and_surplus_connections_are_closed() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let deployment = Deployment::new().await;
    let mut config = nianbao_server::state::ServerConfig::for_year(2024);
    config.header_timeout = Duration::from_millis(600);
    config.max_connections = 3;
    let state =
        nianbao_server::state::AppState::new(deployment.store.clone(), framework(), config).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(nianbao_server::serve_on(listener, state, async {
        let _ = stopped.await;
    }));
    // Half a request, then silence: closed by the server within the timeout (plus slack).
    let started = Instant::now();
    let mut slow = tokio::net::TcpStream::connect(address).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    let mut buffer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut buffer))
        .await
        .expect("the server closes a half-open connection")
        .expect("read");
    assert!(started.elapsed() >= Duration::from_millis(500), "closed by the timeout, not at once");
    // Three idle connections hold every place: a fourth is closed as it arrives.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(address).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut surplus = tokio::net::TcpStream::connect(address).await.expect("connect");
    let _ = surplus.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_millis(400), surplus.read_to_end(&mut answer)).await;
    assert!(answer.is_empty(), "a connection beyond the limit is not served");
    drop(idle);
    // Once the idle ones are gone, a whole request is answered.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut client = tokio::net::TcpStream::connect(address).await.expect("connect");
    client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut response))
        .await
        .expect("answered")
        .expect("read");
    assert!(response.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&response[..response.len().min(200)]));
    stop.send(()).expect("stop");
    server.await.expect("join").expect("served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_goes_with_secure_cookies() {
    let deployment = Deployment::new().await;
    let plain = deployment.send(deployment.request(None, "GET", "/").body(Body::empty()).expect("r")).await;
    assert!(plain.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let mut config = nianbao_server::ServerConfig::for_year(2024);
    config.secure_cookies = true;
    let state = nianbao_server::AppState::new(deployment.store.clone(), framework(), config).await.expect("state");
    let response = tower::ServiceExt::oneshot(
        nianbao_server::router(state),
        axum::http::Request::builder().uri("/login").body(Body::empty()).expect("r"),
    )
    .await
    .expect("infallible");
    let hsts = response.headers().get("strict-transport-security").expect("HSTS behind HTTPS");
    assert!(hsts.to_str().expect("ascii").contains("max-age=31536000"));
    let cookie = response.headers().get(header::SET_COOKIE).expect("login cookie").to_str().expect("ascii");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_section_saves_no_section_of_the_form() {
    let deployment = Deployment::new().await;
    let long = "长".repeat(20_001);
    let request = deployment
        .request(Some(CITY), "POST", "/app/editor/ganzhou/narrative")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("s:preface", "样例：改过的前言。"), ("s:scale", &long)]))
        .expect("request");
    let response = deployment.send(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("全部章节均未保存"));
    assert!(deployment.store.narratives("ganzhou", 2024).await.expect("read").is_empty(), "nothing was kept");
}

#[test]
fn the_client_behind_a_trusted_proxy_is_read_from_the_right() {
    use nianbao_server::pages::client_address;
    let ip = |text: &str| -> std::net::IpAddr { text.parse().expect("address") };
    let proxy = ip("10.0.0.1");
    let trusted = [proxy, ip("10.0.0.2")];
    // From an untrusted peer the header is the client's to forge: ignored.
    assert_eq!(client_address(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted), ip("203.0.113.9"));
    // From the proxy: the right-most entry that is not a trusted proxy (a forged left part is ignored).
    assert_eq!(client_address(proxy, ["1.2.3.4, 198.51.100.7"].into_iter(), &trusted), ip("198.51.100.7"));
    assert_eq!(client_address(proxy, ["198.51.100.7, 10.0.0.2"].into_iter(), &trusted), ip("198.51.100.7"));
    assert_eq!(client_address(proxy, ["1.2.3.4", "198.51.100.8"].into_iter(), &trusted), ip("198.51.100.8"));
    // Nothing usable: the proxy itself.
    assert_eq!(client_address(proxy, ["not-an-address"].into_iter(), &trusted), proxy);
    assert_eq!(client_address(proxy, std::iter::empty(), &trusted), proxy);
    assert_eq!(client_address(proxy, ["10.0.0.2"].into_iter(), &trusted), proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_one_clients_guessing_does_not_slow_another() {
    let deployment = Deployment::new().await;
    let mut config = nianbao_server::ServerConfig::for_year(2024);
    config.trusted_proxies = vec!["10.0.0.1".parse().expect("address")];
    let state = nianbao_server::AppState::new(deployment.store.clone(), framework(), config).await.expect("state");
    let app = nianbao_server::router(state);
    let via_proxy = |password: &str, client: &str| {
        let mut request = axum::http::Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::COOKIE, "nianbao_login=abc")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", client)
            .body(form(&[("csrf", "abc"), ("username", "yudu-tengfei"), ("password", password)]))
            .expect("request");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>("10.0.0.1:40000".parse().expect("peer")));
        request
    };
    let send = |request| async { tower::ServiceExt::oneshot(app.clone(), request).await.expect("infallible") };
    for _ in 0..5 {
        assert_eq!(send(via_proxy("wrong-password", "198.51.100.66")).await.status(), StatusCode::UNAUTHORIZED);
    }
    let guesser = send(via_proxy(nianbao_server::demo::DEMO_PASSWORD, "198.51.100.66")).await;
    assert_eq!(guesser.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing client backs off");
    // Another client behind the same proxy (and the guesser's forged left part) is not slowed.
    let other = send(via_proxy(nianbao_server::demo::DEMO_PASSWORD, "198.51.100.66, 192.0.2.10")).await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER, "one client's guessing must not slow everyone behind the proxy");
}
