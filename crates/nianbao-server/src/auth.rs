//! Authentication: Argon2 passwords, session cookies and API tokens, the extractors that turn a
//! request into a [`Principal`], login throttling, and the CSRF guard on every form.

use crate::error::AppError;
use crate::i18n::cookie;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use nianbao_store::Role;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const SESSION_COOKIE: &str = "nianbao_session";
pub const LOGIN_CSRF_COOKIE: &str = "nianbao_login";

/// Someone signed in: who, with which role, scoped to which org unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Index of the org unit in the state's tree.
    pub org: usize,
    pub org_id: String,
    /// The session's CSRF token (empty for API tokens, which are not sent by browsers).
    pub csrf: String,
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash the password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A new random token (256 bits, URL-safe base64).
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Tokens are stored only as their SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn constant_time_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failed logins per user name and per client address; too many in the window are refused.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    pub const PER_USER: usize = 5;
    pub const PER_ADDRESS: usize = 20;

    fn recent(&self, key: &str) -> usize {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(list) = failures.get_mut(key) else { return 0 };
        list.retain(|at| at.elapsed() < Self::WINDOW);
        let recent = list.len();
        if recent == 0 {
            failures.remove(key);
        }
        recent
    }

    /// Refuses when the user or the address has failed too often lately.
    pub fn check(&self, username: &str, address: &str) -> Result<(), AppError> {
        if self.recent(&format!("user:{username}")) >= Self::PER_USER
            || self.recent(&format!("addr:{address}")) >= Self::PER_ADDRESS
        {
            return Err(AppError::TooManyRequests(
                "登录失败次数过多，请 15 分钟后再试。Too many failed logins; try again in 15 minutes.".into(),
            ));
        }
        Ok(())
    }

    pub fn fail(&self, username: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what has aged out everywhere, so failures for ever-new names cannot pile up.
        failures.retain(|_, list| {
            list.retain(|at| at.elapsed() < Self::WINDOW);
            !list.is_empty()
        });
        for key in [format!("user:{username}"), format!("addr:{address}")] {
            failures.entry(key).or_default().push(Instant::now());
        }
    }

    pub fn succeed(&self, username: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&format!("user:{username}"));
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Resolves the caller from a session cookie or an API token, if any.
pub async fn principal_of(parts: &Parts, state: &AppState) -> Result<Option<Principal>, AppError> {
    if let Some(token) = bearer(parts) {
        return match state.guarded.principal_for_token(state, &token_hash(token)).await? {
            Some(principal) => Ok(Some(principal)),
            None => Err(AppError::Unauthenticated),
        };
    }
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) => state.guarded.principal_for_session(state, &token_hash(token)).await,
        None => Ok(None),
    }
}

/// The caller if signed in (pages that anyone may see).
#[derive(Debug)]
pub struct MaybeUser(pub Option<Principal>);

/// A signed-in caller; anyone else is sent to the login page (or gets 401 from the API).
#[derive(Debug)]
pub struct User(pub Principal);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(principal_of(parts, state).await.unwrap_or(None)))
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        principal_of(parts, state).await?.map(User).ok_or(AppError::Unauthenticated)
    }
}

/// An API caller authenticated by `Authorization: Bearer <token>` only: the API takes no cookies,
/// so it needs no CSRF protection.
#[derive(Debug)]
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = crate::error::ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AppError::Unauthenticated)?;
        let principal = state.guarded.principal_for_token(state, &token_hash(token)).await?;
        principal.map(ApiUser).ok_or(crate::error::ApiError(AppError::Unauthenticated))
    }
}

/// The `Set-Cookie` value of a cookie with the application's flags.
pub fn cookie_header(state: &AppState, name: &str, value: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The CSRF token a form sent: header `X-CSRF-Token`, query `csrf`, or a urlencoded field `csrf`.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// Rejects every state-changing request made with a session cookie unless it carries the
/// session's CSRF token; the login form is checked against its own cookie (double submit).
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let expected = if parts.uri.path() == "/login" {
        cookie(&parts.headers, LOGIN_CSRF_COOKIE).map(str::to_string)
    } else if bearer(&parts).is_some() && cookie(&parts.headers, SESSION_COOKIE).is_none() {
        // Token callers (the API) are not browsers carrying ambient credentials.
        return next.run(Request::from_parts(parts, body)).await;
    } else {
        match principal_of(&parts, &state).await {
            Ok(Some(principal)) => Some(principal.csrf),
            // No session: nothing to forge; the handler refuses anonymous changes itself.
            Ok(None) => return next.run(Request::from_parts(parts, body)).await,
            Err(error) => return error.into_response(),
        }
    };
    let Some(expected) = expected.filter(|token| !token.is_empty()) else {
        return AppError::Csrf.into_response();
    };
    let mut provided = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    if provided.is_none() {
        provided = parts.uri.query().and_then(|query| form_field(query.as_bytes(), "csrf"));
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = if provided.is_none() && is_form {
        let bytes = match axum::body::to_bytes(body, 4 << 20).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::invalid("表单过大，请分次提交", "the form is too large").into_response(),
        };
        provided = form_field(&bytes, "csrf");
        Body::from(bytes)
    } else {
        body
    };
    match provided {
        Some(provided) if constant_time_equal(&provided, &expected) => next.run(Request::from_parts(parts, body)).await,
        _ => {
            tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
            AppError::Csrf.into_response()
        }
    }
}

/// Headers on every response: no framing, no sniffing, scripts only from the application.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    // What a signed-in person sees (their pages, the API) is never kept by a shared cache or the
    // browser's back-forward store; a response that chose its own caching keeps it.
    if path.starts_with("/app") || path.starts_with("/api") {
        headers.entry("cache-control").or_insert(HeaderValue::from_static("no-store"));
    }
    headers.entry("content-security-policy").or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
    ));
    tracing::debug!(%method, %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn checking_names_leaves_no_trace_and_failures_block() {
        let throttle = Throttle::default();
        for i in 0..1000 {
            assert!(throttle.check(&format!("guess-{i}"), "10.0.0.1").is_ok());
        }
        assert!(throttle.failures.lock().expect("lock").is_empty(), "checks alone must not grow the map");
        for _ in 0..Throttle::PER_USER {
            throttle.fail("clerk", "10.0.0.2");
        }
        assert!(throttle.check("clerk", "10.0.0.3").is_err(), "the user is blocked from any address");
        assert!(throttle.check("other", "10.0.0.2").is_ok(), "the address is not blocked after 5");
        throttle.succeed("clerk");
        assert!(throttle.check("clerk", "10.0.0.3").is_ok());
    }
}
