//! Server-rendered pages of the workspace: sign-in, school data entry with findings at the cells,
//! explanations and submission, Excel template and upload, case studies, review and the audit
//! trail. Every data access goes through [`crate::access::Access`].

use crate::access::{Access, Action, SchoolYear};
use crate::auth::{LOGIN_CSRF_COOKIE, MaybeUser, Principal, SESSION_COOKIE, User, cookie_header};
use crate::error::AppError;
use crate::i18n::{Lang, cookie};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_core::validation::Finding;
use nianbao_core::{Severity, Value};
use nianbao_store::{CaseStudy, Provenance, Role, ValueWrite};
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;

mod cases;
mod entry;
mod excel;
mod history;
mod home;
mod review;
mod signin;
pub use cases::*;
pub use entry::*;
pub use excel::*;
pub use history::*;
pub use home::*;
pub use review::*;
pub use signin::*;

/// A table's caption without its year and org placeholders, for tabs.
pub fn short_caption(lang: Lang, table: &nianbao_core::Table) -> String {
    let caption = lang.t(&table.caption, &table.caption_en);
    caption
        .replace("{year} 年{org}", "")
        .replace("{year}年{org}", "")
        .replace("{org}", "")
        .replace("{year}", "")
        .trim()
        .to_string()
}

/// The framework's tables as (id, "number caption", is the current one), for tab bars.
pub fn table_links(lang: Lang, framework: &nianbao_core::Framework, current: &str) -> Vec<(String, String, bool)> {
    framework
        .tables
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                format!("{} {}", t.number.clone().unwrap_or_default(), short_caption(lang, t)),
                t.id == current,
            )
        })
        .collect()
}

/// What every page shows around its content.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub signed_in: bool,
    pub user_name: String,
    pub role_title: String,
    pub csrf: String,
    pub flash: Option<String>,
}

impl Chrome {
    pub fn new(lang: Lang, title: impl Into<String>, user: Option<&Principal>) -> Chrome {
        Chrome {
            lang,
            title: title.into(),
            signed_in: user.is_some(),
            user_name: user.map(|u| u.display_name.clone()).unwrap_or_default(),
            role_title: user.map(|u| crate::accounts::role_title(lang, u.role).to_string()).unwrap_or_default(),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
            flash: None,
        }
    }
    pub fn with_flash(mut self, flash: Option<String>) -> Chrome {
        self.flash = flash;
        self
    }
}

pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    template.render().map(Html).map_err(|e| AppError::Internal(format!("template: {e}")))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    message_zh: &'a str,
    message_en: &'a str,
}

pub fn error_page(lang: Lang, status: u16, message_zh: &str, message_en: &str) -> Html<String> {
    let page = ErrorPage { chrome: Chrome::new(lang, format!("{status}"), None), status, message_zh, message_en };
    Html(
        page.render().unwrap_or_else(|_| {
            format!("<h1>{status}</h1><p>{}</p>", nianbao_report::render::html::escape(message_zh))
        }),
    )
}

// ----- assets and language -----

pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static str, &str) = match file.as_str() {
        "style.css" => (include_str!("../../assets/style.css"), "text/css; charset=utf-8"),
        "htmx.min.js" => (include_str!("../../assets/htmx.min.js"), "text/javascript; charset=utf-8"),
        "app.js" => (include_str!("../../assets/app.js"), "text/javascript; charset=utf-8"),
        _ => return AppError::NotFound.into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

pub async fn switch_language(State(state): State<AppState>, Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let code = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| {
            referer.find("://").and_then(|i| referer[i + 3..].find('/').map(|j| referer[i + 3 + j..].to_string()))
        })
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    match cookie_header(&state, "lang", code, 365 * 86400) {
        Ok(value) => ([(header::SET_COOKIE, value)], Redirect::to(&back)).into_response(),
        Err(error) => error.into_response(),
    }
}
