//! Sign-in and sign-out: the login form, throttled password checks, the session cookie.

#[allow(unused_imports)]
use super::*;

// ----- sign-in -----

/// The client's address, for login throttling: the connection's peer, or — when the peer is a
/// reverse proxy named in `ServerConfig::trusted_proxies` — the address that proxy saw
/// (`X-Forwarded-For`, read from the right, past every trusted proxy).
#[derive(Debug)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok());
        Ok(ClientAddress(match peer {
            Some(peer) => client_address(peer, forwarded, &state.config.trusted_proxies).to_string(),
            None => "local".into(),
        }))
    }
}

/// The address a request came from: the peer, unless the peer is a trusted proxy; then the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its left
/// are written by the client and can be anything). A header that does not parse leaves the peer.
pub fn client_address<'h>(
    peer: std::net::IpAddr,
    forwarded: impl Iterator<Item = &'h str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // Bounded: a header longer than this many entries is read at its right end only.
    const MOST_ENTRIES: usize = 64;
    let entries: Vec<&str> = forwarded.flat_map(|value| value.split(',')).map(str::trim).collect();
    for entry in entries.iter().rev().take(MOST_ENTRIES) {
        match entry.parse::<std::net::IpAddr>() {
            Ok(address) if trusted.contains(&address) => continue,
            Ok(address) => return address,
            Err(_) => return peer,
        }
    }
    peer
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    chrome: Chrome,
    login_csrf: String,
    username: String,
    problem: Option<String>,
}

pub(crate) fn login_page(
    state: &AppState,
    lang: Lang,
    username: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    // What was typed is shown again, but never more than a user name can be.
    let username: String = username.chars().take(crate::access::MAX_USERNAME_CHARS).collect();
    let username = username.as_str();
    let token = match crate::auth::random_token() {
        Ok(token) => token,
        Err(error) => return error.into_response(),
    };
    let page = LoginPage {
        chrome: Chrome::new(lang, lang.t("登录", "Log in"), None),
        login_csrf: token.clone(),
        username: username.to_string(),
        problem,
    };
    match (render(&page), cookie_header(state, LOGIN_CSRF_COOKIE, &token, 3600)) {
        (Ok(html), Ok(cookie)) => (status, [(header::SET_COOKIE, cookie)], html).into_response(),
        (Err(error), _) | (_, Err(error)) => error.into_response(),
    }
}

pub async fn login_form(State(state): State<AppState>, MaybeUser(user): MaybeUser, lang: Lang) -> Response {
    if user.is_some() {
        return Redirect::to("/app").into_response();
    }
    login_page(&state, lang, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm").field("username", &self.username).finish_non_exhaustive()
    }
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Response {
    match state.public().login(form.username.trim(), &form.password, &address).await {
        Ok(token) => {
            let max_age = state.config.session_seconds;
            match (
                cookie_header(&state, SESSION_COOKIE, &token, max_age),
                cookie_header(&state, LOGIN_CSRF_COOKIE, "", 0),
            ) {
                (Ok(session), Ok(clear)) => (
                    StatusCode::SEE_OTHER,
                    axum::response::AppendHeaders([
                        (header::SET_COOKIE, session),
                        (header::SET_COOKIE, clear),
                        (header::LOCATION, axum::http::HeaderValue::from_static("/app")),
                    ]),
                )
                    .into_response(),
                (Err(error), _) | (_, Err(error)) => error.into_response(),
            }
        }
        Err(error @ AppError::TooManyRequests { .. }) => {
            login_page(&state, lang, &form.username, Some(error.message(lang)), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(error @ AppError::Invalid { .. }) => {
            login_page(&state, lang, &form.username, Some(error.message(lang)), StatusCode::UNAUTHORIZED)
        }
        Err(error) => error.into_response(),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(error) = state.public().logout(token).await
    {
        return error.into_response();
    }
    match cookie_header(&state, SESSION_COOKIE, "", 0) {
        Ok(clear) => (
            StatusCode::SEE_OTHER,
            [(header::SET_COOKIE, clear), (header::LOCATION, axum::http::HeaderValue::from_static("/"))],
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}
