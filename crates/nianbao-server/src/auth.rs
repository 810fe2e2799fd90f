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
    /// An administrator reset the password: pages other than the account page send the user
    /// there until a new one is chosen.
    pub must_change_password: bool,
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

/// Failed sign-ins, kept so that guessing is slowed without letting anyone lock out a school.
///
/// Three counts, each forgotten [`Throttle::FORGET_AFTER`] after its last failure:
/// - per account **and** address: after [`Throttle::FREE_PAIR`] failures each further attempt
///   from that address at that account waits twice as long as the last (1 s, 2 s, 4 s, … at most
///   15 minutes). This stops one address guessing one password; the account's owner elsewhere is
///   untouched.
/// - per address, over all accounts: after [`Throttle::FREE_ADDRESS`] failures, back-off up to one
///   minute (spraying many accounts from one address; behind a proxy that hides addresses it only
///   slows, never locks).
/// - per account, over all addresses: after [`Throttle::FREE_ACCOUNT`] failures, back-off up to
///   one minute, but only for addresses that have not signed in to the account successfully
///   lately: an attack from many addresses slows new places, never the school's own computer.
///
/// Memory is bounded: at most [`Throttle::MAX_ENTRIES`] counts and as many remembered addresses;
/// beyond that the oldest are forgotten first.
#[derive(Debug, Default)]
pub struct Throttle {
    inner: Mutex<ThrottleInner>,
}

#[derive(Debug, Default)]
struct ThrottleInner {
    strikes: HashMap<String, Strikes>,
    /// Addresses that signed in to an account successfully, with when.
    known: HashMap<String, Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Strikes {
    count: u32,
    last: Instant,
}

/// How long a caller must wait before the next sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl Throttle {
    pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
    pub const KNOWN_FOR: Duration = Duration::from_secs(30 * 86400);
    pub const FREE_PAIR: u32 = 5;
    pub const FREE_ADDRESS: u32 = 50;
    pub const FREE_ACCOUNT: u32 = 20;
    pub const MAX_PAIR_WAIT: Duration = Duration::from_secs(15 * 60);
    pub const MAX_SHARED_WAIT: Duration = Duration::from_secs(60);
    pub const MAX_ENTRIES: usize = 100_000;

    fn pair_key(username: &str, address: &str) -> String {
        format!("pair:{username}\u{0}{address}")
    }

    /// The back-off after `count` failures of which `free` cost nothing.
    fn backoff(count: u32, free: u32, cap: Duration) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(20);
        Duration::from_secs(1u64 << doublings).min(cap)
    }

    /// How long the caller must still wait, if at all.
    fn wait_for(inner: &ThrottleInner, username: &str, address: &str, now: Instant) -> Option<Duration> {
        let known = inner
            .known
            .get(&Self::pair_key(username, address))
            .is_some_and(|at| now.duration_since(*at) < Self::KNOWN_FOR);
        let mut checks = vec![
            (Self::pair_key(username, address), Self::FREE_PAIR, Self::MAX_PAIR_WAIT),
            (format!("addr:{address}"), Self::FREE_ADDRESS, Self::MAX_SHARED_WAIT),
        ];
        if !known {
            checks.push((format!("user:{username}"), Self::FREE_ACCOUNT, Self::MAX_SHARED_WAIT));
        }
        checks
            .into_iter()
            .filter_map(|(key, free, cap)| {
                let strikes = inner.strikes.get(&key)?;
                let since = now.duration_since(strikes.last);
                if since >= Self::FORGET_AFTER {
                    return None;
                }
                Self::backoff(strikes.count, free, cap).checked_sub(since).filter(|left| !left.is_zero())
            })
            .max()
    }

    /// Refuses (saying how long to wait) while the caller is backing off. Checking leaves no
    /// trace: only failures are counted.
    pub fn check(&self, username: &str, address: &str) -> Result<(), Wait> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match Self::wait_for(&inner, username, address, Instant::now()) {
            Some(left) => Err(Wait(left)),
            None => Ok(()),
        }
    }

    /// Forgets what aged out, then (when still full) the oldest tenth, so `map` has room for one more.
    fn make_room<V>(map: &mut HashMap<String, V>, age: impl Fn(&V) -> Instant, keep: Duration) {
        if map.len() < Self::MAX_ENTRIES {
            return;
        }
        let now = Instant::now();
        map.retain(|_, value| now.duration_since(age(value)) < keep);
        if map.len() >= Self::MAX_ENTRIES {
            // Forget the oldest tenth at once, so that a flood costs one sort per many entries.
            let mut ages: Vec<Instant> = map.values().map(&age).collect();
            let cut = ages.len() / 10;
            let (_, cutoff, _) = ages.select_nth_unstable(cut);
            let cutoff = *cutoff;
            map.retain(|_, value| age(value) > cutoff);
        }
    }

    pub fn fail(&self, username: &str, address: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        for key in [Self::pair_key(username, address), format!("addr:{address}"), format!("user:{username}")] {
            if !inner.strikes.contains_key(&key) {
                Self::make_room(&mut inner.strikes, |strikes| strikes.last, Self::FORGET_AFTER);
            }
            let strikes = inner.strikes.entry(key).or_insert(Strikes { count: 0, last: now });
            if now.duration_since(strikes.last) >= Self::FORGET_AFTER {
                strikes.count = 0;
            }
            strikes.count = strikes.count.saturating_add(1);
            strikes.last = now;
        }
    }

    /// A successful sign-in: this address's failures at the account are forgotten and the
    /// address is remembered as one the account's owner uses.
    pub fn succeed(&self, username: &str, address: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = Self::pair_key(username, address);
        inner.strikes.remove(&key);
        if !inner.known.contains_key(&key) {
            Self::make_room(&mut inner.known, |at| *at, Self::KNOWN_FOR);
        }
        inner.known.insert(key, Instant::now());
    }

    /// How many counts and addresses are kept (for tests of the memory bound).
    pub fn entries(&self) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.strikes.len() + inner.known.len()
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
        let principal = principal_of(parts, state).await?.ok_or(AppError::Unauthenticated)?;
        // Only the account page and its password form (not `/app/accounts`, the administrator's
        // list) until a new password is chosen.
        if principal.must_change_password && !matches!(parts.uri.path(), "/app/account" | "/app/account/password") {
            return Err(AppError::MustChangePassword);
        }
        Ok(User(principal))
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

/// Headers on every response: no framing, no sniffing, scripts only from the application; behind
/// HTTPS (secure cookies), HSTS, so that a browser never again asks over plain HTTP.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if state.config.secure_cookies {
        headers.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
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
    use std::time::Duration;

    #[test]
    fn checking_names_leaves_no_trace() {
        let throttle = Throttle::default();
        for i in 0..1000 {
            assert!(throttle.check(&format!("guess-{i}"), "10.0.0.1").is_ok());
        }
        assert_eq!(throttle.entries(), 0, "checks alone must not grow the memory");
    }

    #[test]
    fn one_address_guessing_one_account_backs_off_and_doubles() {
        let throttle = Throttle::default();
        for _ in 0..Throttle::FREE_PAIR - 1 {
            throttle.fail("clerk", "10.0.0.2");
            assert!(throttle.check("clerk", "10.0.0.2").is_ok(), "the first failures cost nothing");
        }
        throttle.fail("clerk", "10.0.0.2");
        let first = throttle.check("clerk", "10.0.0.2").expect_err("backs off");
        throttle.fail("clerk", "10.0.0.2");
        let second = throttle.check("clerk", "10.0.0.2").expect_err("backs off");
        assert!(second.0 > first.0, "the wait grows: {first:?} then {second:?}");
        assert!(second.0 <= Duration::from_secs(2));
        // The account's owner at another address is not touched.
        assert!(throttle.check("clerk", "10.0.0.3").is_ok());
        // Nor is another account from the same address.
        assert!(throttle.check("other", "10.0.0.2").is_ok());
    }

    #[test]
    fn many_addresses_cannot_lock_out_the_owner() {
        let throttle = Throttle::default();
        throttle.succeed("clerk", "10.1.1.1");
        for i in 0..200 {
            throttle.fail("clerk", &format!("192.168.{}.{}", i / 250, i % 250));
        }
        assert!(throttle.check("clerk", "10.1.1.1").is_ok(), "the owner's own address is never held back");
        let wait = throttle.check("clerk", "172.16.0.9").expect_err("a new address is slowed");
        assert!(wait.0 <= Throttle::MAX_SHARED_WAIT, "slowed, not locked: {wait:?}");
    }

    #[test]
    fn memory_is_bounded() {
        let throttle = Throttle::default();
        for i in 0..(Throttle::MAX_ENTRIES / 3 + 500) {
            throttle.fail(&format!("guess-{i}"), &format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255));
        }
        assert!(throttle.entries() <= Throttle::MAX_ENTRIES, "{} entries", throttle.entries());
    }
}
