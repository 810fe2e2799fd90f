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
            role_title: user.map(|u| u.role.title_zh().to_string()).unwrap_or_default(),
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
        "style.css" => (include_str!("../assets/style.css"), "text/css; charset=utf-8"),
        "htmx.min.js" => (include_str!("../assets/htmx.min.js"), "text/javascript; charset=utf-8"),
        "app.js" => (include_str!("../assets/app.js"), "text/javascript; charset=utf-8"),
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

// ----- sign-in -----

/// The client's address, for login throttling.
#[derive(Debug)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "local".into()),
        ))
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    login_csrf: String,
    username: String,
    problem: Option<String>,
}

fn login_page(state: &AppState, lang: Lang, username: &str, problem: Option<String>, status: StatusCode) -> Response {
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
        Err(AppError::TooManyRequests(message)) => {
            login_page(&state, lang, &form.username, Some(message), StatusCode::TOO_MANY_REQUESTS)
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

// ----- home -----

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    org_path: String,
    year: i32,
    links: Vec<(String, String)>,
}

pub async fn home(State(state): State<AppState>, User(user): User, lang: Lang) -> Result<Response, AppError> {
    let access = state.access(&user);
    let org_id = &user.org_id;
    if user.role == Role::School {
        return Ok(Redirect::to(&format!("/app/entry/{org_id}")).into_response());
    }
    let mut links = vec![("/app/review".to_string(), lang.t("学校数据审核", "Review schools").to_string())];
    if access.may(user.org, Action::Edit) {
        links
            .push((format!("/app/editor/{org_id}"), lang.t("汇总与年报编辑", "Aggregates and the report").to_string()));
    }
    for child in state.tree.children(user.org) {
        if access.may(child, Action::Edit) {
            let unit = state.tree.unit(child);
            links.push((format!("/app/editor/{}", unit.id), format!("{} {}", unit.name, lang.t("年报", "report"))));
        }
    }
    let page = HomePage {
        chrome: Chrome::new(lang, lang.t("工作台", "Workspace"), Some(&user)),
        org_path: state.tree.path_name(user.org),
        year: state.config.year,
        links,
    };
    Ok(render(&page)?.into_response())
}

// ----- data entry -----

#[derive(Debug)]
struct Tab {
    id: String,
    title: String,
    active: bool,
    /// Errors and warnings in the table's cells, badged apart.
    errors: usize,
    warnings: usize,
}

#[derive(Debug)]
struct ExtraCell {
    id: String,
    value: String,
    version: String,
    was: String,
}

#[derive(Debug)]
struct EntryRow {
    indicator_id: String,
    dom_id: String,
    label: String,
    depth: usize,
    unit: String,
    previous: String,
    value: String,
    version: String,
    /// The stored value the form was made with: only cells typed differently are saved.
    was: String,
    state: &'static str,
    messages: Vec<String>,
    extras: Vec<ExtraCell>,
    /// The figure must be reported before submission.
    required: bool,
    /// …and it is empty.
    missing: bool,
    /// For a copy (`same_as`): where the figure is entered, e.g. “同表 1 中等职业学校在校生人数”.
    copy_note: String,
    /// A copy that holds a value of its own (from a file that gave both): editable, so that it
    /// can be corrected or cleared.
    copy_editable: bool,
}

#[derive(Debug)]
struct FindingView {
    rule_id: String,
    dom_id: String,
    severity: &'static str,
    place: String,
    message: String,
    explanation: String,
    /// An explanation written when the values were different: shown, no longer counted.
    outdated: String,
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    previous_year: i32,
    status_code: &'static str,
    status_title: &'static str,
    status_comment: String,
    editable: bool,
    /// The user may edit and publish this school's own report.
    may_edit_report: bool,
    tabs: Vec<Tab>,
    table_id: String,
    table_title: String,
    extra_headers: Vec<&'static str>,
    rows: Vec<EntryRow>,
    errors: usize,
    warnings: Vec<FindingView>,
    unexplained: usize,
    /// Required figures of the year, and how many of them are filled.
    required: usize,
    reported: usize,
    other_findings: Vec<FindingView>,
    problems: Vec<String>,
}

fn finding_place(finding: &Finding) -> String {
    // The cell of the finding's own year first (a year-over-year check also names the year before).
    let cell = finding.cells.iter().find(|c| c.year == finding.year).or(finding.cells.first());
    match cell {
        Some(cell) => format!("{} {}（{} 年）", cell.table_number.clone().unwrap_or_default(), cell.label, cell.year),
        None => finding.rule_text.clone(),
    }
}

fn finding_view(lang: Lang, finding: &Finding, data: &SchoolYear) -> FindingView {
    FindingView {
        rule_id: finding.rule_id.clone(),
        dom_id: finding.rule_id.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
        severity: finding.severity.as_str(),
        place: finding_place(finding),
        message: lang.t(&finding.message_zh, &finding.message_en).to_string(),
        explanation: data.explanation(finding).map(|e| e.text.clone()).unwrap_or_default(),
        outdated: data.outdated_explanation(finding).map(|e| e.text.clone()).unwrap_or_default(),
    }
}

/// Does `finding` point at a cell of `table` in `year`?
fn touches(finding: &Finding, table_id: &str, year: i32) -> bool {
    finding.cells.iter().any(|cell| cell.table_id == table_id && cell.year == year)
}

fn table_index(state: &AppState, table_id: &str) -> Result<usize, AppError> {
    state.framework.tables.iter().position(|t| t.id == table_id).ok_or(AppError::NotFound)
}

/// Builds the entry page; `typed` holds what the user typed when a save was refused.
#[allow(clippy::too_many_arguments, reason = "one page, built from everything it shows")]
fn entry_page(
    state: &AppState,
    access: &Access<'_>,
    lang: Lang,
    data: &SchoolYear,
    table: usize,
    typed: &HashMap<String, TypedCell>,
    problems: Vec<String>,
    flash: Option<String>,
) -> Result<Html<String>, AppError> {
    let framework = &state.framework;
    let table = &framework.tables[table];
    let unit = state.tree.unit(data.org);
    let year = data.year;
    let editable =
        access.may(data.org, Action::Enter) && data.submission.status.school_may_edit() && year == state.config.year;
    let stored = |year: i32, id: &str| data.values.get(&(year, id.to_string()));
    // What the clerk typed (kept when the form comes back with problems, with the version and
    // value it was typed over), or what is stored.
    let input_text = |id: &str| -> (String, String, String) {
        match typed.get(id) {
            Some(cell) => (cell.text.clone(), cell.version.clone(), cell.was.clone()),
            None => {
                let version = stored(year, id).map(|v| v.version.to_string()).unwrap_or_default();
                let text = stored(year, id).map(|v| v.value.to_storage_string()).unwrap_or_default();
                (text.clone(), version, text)
            }
        }
    };
    let rows = table
        .rows
        .iter()
        .map(|&index| {
            let indicator = framework.indicator(index);
            let related: Vec<&Finding> = data
                .findings
                .iter()
                .filter(|f| f.cells.iter().any(|c| c.indicator_id == indicator.id && c.year == year))
                .collect();
            let state_class = if related.iter().any(|f| f.severity == Severity::Error) {
                "error"
            } else if related.iter().any(|f| f.severity == Severity::Warning) {
                "warning"
            } else {
                ""
            };
            let (value, version, was) = input_text(&indicator.id);
            let required = indicator.is_required_at(unit.level);
            let missing = data.completeness.missing.contains(&index);
            let (copy_note, copy_editable, value) = match indicator.same_as {
                Some(primary) => {
                    let primary_indicator = framework.indicator(primary);
                    let primary_table = &framework.tables[primary_indicator.table];
                    let place = format!(
                        "{} {}",
                        primary_table.number.clone().unwrap_or_else(|| short_caption(lang, primary_table)),
                        lang.t(&primary_indicator.printed_label(), &primary_indicator.name_en)
                    );
                    // A value of its own counts only where it differs from the primary's: an equal
                    // one is shown like the primary's, and goes stale visibly (the cross-table rule)
                    // if the primary changes.
                    let primary_value = stored(year, &primary_indicator.id).map(|v| &v.value);
                    let own = stored(year, &indicator.id)
                        .is_some_and(|v| !v.value.is_missing() && Some(&v.value) != primary_value);
                    let shown = if own {
                        value
                    } else {
                        stored(year, &primary_indicator.id).map(|v| v.value.format(indicator.decimals)).unwrap_or_default()
                    };
                    let note = if own {
                        lang.t(
                            &format!("与{place}是同一数据：此处另有一个值，请改为一致或清空（清空后自动显示{place}的值）"),
                            &format!("Same figure as {place}: this cell holds a value of its own; make it equal or clear it (then it shows {place})"),
                        )
                        .to_string()
                    } else {
                        lang.t(&format!("同{place}，在该处填写"), &format!("Same as {place}; entered there")).to_string()
                    };
                    (note, own, shown)
                }
                None => (String::new(), false, value),
            };
            EntryRow {
                required,
                missing,
                copy_note,
                copy_editable,
                indicator_id: indicator.id.clone(),
                dom_id: indicator.id.replace('.', "-"),
                label: indicator.printed_label(),
                depth: framework.depth(index),
                unit: indicator.printed_unit().to_string(),
                previous: stored(year - 1, &indicator.id)
                    .map(|v| v.value.format(indicator.decimals))
                    .unwrap_or_default(),
                value,
                version,
                was,
                state: state_class,
                messages: related
                    .iter()
                    .filter(|f| f.severity != Severity::Info)
                    .map(|f| lang.t(&f.message_zh, &f.message_en).to_string())
                    .collect(),
                extras: table
                    .extra_columns
                    .iter()
                    .map(|&column| match framework.companion(index, column) {
                        Some(companion) => {
                            let id = framework.indicator(companion).id.clone();
                            let (value, version, was) = input_text(&id);
                            ExtraCell { id, value, version, was }
                        }
                        None => ExtraCell {
                            id: String::new(),
                            value: String::new(),
                            version: String::new(),
                            was: String::new(),
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let tabs = framework
        .tables
        .iter()
        .map(|t| Tab {
            id: t.id.clone(),
            title: format!("{} {}", t.number.clone().unwrap_or_default(), short_caption(lang, t)),
            active: t.id == table.id,
            errors: data.findings.iter().filter(|f| f.severity == Severity::Error && touches(f, &t.id, year)).count(),
            warnings: data
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Warning && touches(f, &t.id, year))
                .count(),
        })
        .collect();
    let warnings: Vec<FindingView> = data.warnings().map(|f| finding_view(lang, f, data)).collect();
    let other_findings = data
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !touches(f, &table.id, year))
        .map(|f| finding_view(lang, f, data))
        .collect();
    let status = data.submission.status;
    let page = EntryPage {
        chrome: Chrome::new(lang, format!("{} {}", unit.name, year), Some(access.user())).with_flash(flash),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        previous_year: year - 1,
        status_code: status.as_str(),
        status_title: lang.t(status.title_zh(), status.title_en()),
        status_comment: data.submission.comment.clone(),
        editable,
        may_edit_report: access.may(data.org, Action::Edit),
        tabs,
        table_id: table.id.clone(),
        table_title: format!("{} {}", table.number.clone().unwrap_or_default(), table.caption_for(year, &unit.name)),
        extra_headers: table.extra_columns.iter().map(|c| lang.t(c.header(), c.header_en())).collect(),
        rows,
        errors: data.errors(),
        unexplained: data.unexplained(),
        required: data.completeness.required,
        reported: data.completeness.reported(),
        warnings,
        other_findings,
        problems,
    };
    render(&page)
}

pub async fn entry_first_table(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Redirect, AppError> {
    state.access(&user).check(&org, Action::Read)?;
    let first = state.framework.tables.first().ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/app/entry/{org}/{}", first.id)))
}

#[derive(Debug, Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    saved: Option<usize>,
    #[serde(default)]
    msg: Option<String>,
}

fn notice_text(lang: Lang, notice: &Notice) -> Option<String> {
    if let Some(count) = notice.saved {
        return Some(if lang.is_en() {
            format!("Saved {count} value(s).")
        } else {
            format!("已保存 {count} 项。")
        });
    }
    let text = match notice.msg.as_deref()? {
        "explained" => lang.t("说明已保存。", "Explanations saved."),
        "submitted" => lang.t("已提交审核。", "Submitted for review."),
        "imported" => lang.t("Excel 已导入。", "The workbook was imported."),
        "case" => lang.t("案例已保存。", "Case study saved."),
        "case_deleted" => lang.t("案例已删除。", "Case study deleted."),
        "return" => lang.t("已退回学校修改。", "Returned to the school."),
        "approve" => lang.t("已审核通过，数据已锁定。", "Approved; the data is locked."),
        "unlock" => lang.t("已解锁，学校可以修改。", "Unlocked; the school may edit again."),
        _ => return None,
    };
    Some(text.to_string())
}

pub async fn entry(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path((org, table)): Path<(String, String)>,
    Query(notice): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let data = access.school_year(&org, state.config.year).await?;
    let table = table_index(&state, &table)?;
    entry_page(&state, &access, lang, &data, table, &HashMap::new(), Vec::new(), notice_text(lang, &notice))
}

/// A cell as the clerk left it in the form: the text, and the version and value it was typed over.
#[derive(Debug, Clone, Default)]
pub struct TypedCell {
    text: String,
    version: String,
    was: String,
}

/// Reads the entry form: the writes for the cells the clerk changed (typed differently from the
/// value the form was made with, each with that value's version), or the problems (with the
/// typed texts kept).
fn read_entry_form(
    state: &AppState,
    lang: Lang,
    org_id: &str,
    year: i32,
    data: &SchoolYear,
    fields: &[(String, String)],
) -> (Vec<ValueWrite>, HashMap<String, TypedCell>, Vec<String>) {
    let by_prefix = |prefix: &str| -> HashMap<&str, &str> {
        fields.iter().filter_map(|(k, v)| Some((k.strip_prefix(prefix)?, v.as_str()))).collect()
    };
    let (bases, versions) = (by_prefix("was:"), by_prefix("ver:"));
    let mut writes = Vec::new();
    let mut typed = HashMap::new();
    let mut problems = Vec::new();
    for (key, raw) in fields {
        let Some(id) = key.strip_prefix("v:") else { continue };
        let Some(index) = state.framework.lookup(id) else {
            problems.push(lang.t(&format!("{id}：未知指标"), &format!("{id}: unknown indicator")).to_string());
            continue;
        };
        let indicator = state.framework.indicator(index);
        let stored = data.values.get(&(year, id.to_string()));
        // A form without the base fields (an older page) is taken as made from what is stored now.
        let was = bases
            .get(id)
            .map(|t| t.to_string())
            .unwrap_or_else(|| stored.map(|s| s.value.to_storage_string()).unwrap_or_default());
        let version_text = versions
            .get(id)
            .map(|t| t.to_string())
            .unwrap_or_else(|| stored.map(|s| s.version.to_string()).unwrap_or_default());
        typed.insert(id.to_string(), TypedCell { text: raw.clone(), version: version_text.clone(), was: was.clone() });
        let value = match nianbao_io::lenient::read_text(raw, indicator.kind)
            .map_err(|p| (p.message_zh, p.message_en))
            .and_then(|value| {
                nianbao_core::bounds::check(indicator, &value)
                    .map(|()| value)
                    .map_err(|b| (b.message_zh().to_string(), b.message_en().to_string()))
            }) {
            Ok(value) => value,
            Err((zh, en)) => {
                let label = indicator.printed_label();
                problems
                    .push(lang.t(&format!("{label}「{raw}」：{zh}"), &format!("{label} {raw:?}: {en}")).to_string());
                continue;
            }
        };
        let base = nianbao_io::lenient::read_text(&was, indicator.kind).unwrap_or(Value::Missing);
        if value == base {
            continue;
        }
        let expected_version = match version_text.as_str() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(version) => Some(version),
                Err(_) => {
                    problems.push(lang.t(&format!("{id}：版本号无效"), &format!("{id}: bad version")).to_string());
                    continue;
                }
            },
        };
        writes.push(ValueWrite {
            org: org_id.to_string(),
            year,
            indicator: id.to_string(),
            value,
            note: String::new(),
            expected_version,
            overwrite: false,
            provenance: Provenance::Entered,
            actor: String::new(),
            reason: "网页填报".into(),
        });
    }
    (writes, typed, problems)
}

pub async fn entry_save(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path((org, table)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let access = state.access(&user);
    access.check(&org, Action::Enter)?;
    let year = state.config.year;
    let table_at = table_index(&state, &table)?;
    let data = access.school_year(&org, year).await?;
    let (writes, typed, problems) = read_entry_form(&state, lang, &org, year, &data, &fields);
    if !problems.is_empty() {
        let html = entry_page(&state, &access, lang, &data, table_at, &typed, problems, None)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let placed: Vec<crate::exchange::PlacedWrite> = writes.iter().map(|w| (w.clone(), String::new())).collect();
    let outcomes = match access.save_cells(&org, year, writes).await {
        Ok(outcomes) => outcomes,
        Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. } | AppError::Store(_))) => {
            let html = entry_page(&state, &access, lang, &data, table_at, &typed, vec![error.message(lang)], None)?;
            return Ok((StatusCode::CONFLICT, html).into_response());
        }
        Err(error) => return Err(error),
    };
    let summary = crate::exchange::ImportSummary::of(&state.framework, &placed, &outcomes);
    let saved = summary.written + summary.cleared;
    let conflicts: Vec<String> =
        summary.conflicts.iter().map(|c| lang.t(&c.line_zh(), &c.line_en()).to_string()).collect();
    if conflicts.is_empty() {
        return Ok(Redirect::to(&format!("/app/entry/{org}/{table}?saved={saved}")).into_response());
    }
    // The other cells are saved; the page shows what is stored now, and why some cells differ.
    let data = access.school_year(&org, year).await?;
    let flash = Some(lang.t(&format!("已保存 {saved} 项。"), &format!("Saved {saved} value(s).")).to_string());
    let html = entry_page(&state, &access, lang, &data, table_at, &HashMap::new(), conflicts, flash)?;
    Ok((StatusCode::CONFLICT, html).into_response())
}

pub async fn explain(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let texts: Vec<(String, String)> =
        fields.iter().filter_map(|(k, v)| k.strip_prefix("x:").map(|rule| (rule.to_string(), v.clone()))).collect();
    access.explain(&org, state.config.year, &texts).await?;
    let table = fields.iter().find(|(k, _)| k == "table").map(|(_, v)| v.clone()).unwrap_or_default();
    let table = if state.framework.tables.iter().any(|t| t.id == table) { table } else { String::new() };
    Ok(Redirect::to(&format!("/app/entry/{org}/{table}?msg=explained").replace("//?", "?")))
}

pub async fn submit(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Redirect, AppError> {
    state.access(&user).submit(&org, state.config.year).await?;
    Ok(Redirect::to(&format!("/app/review/{org}?msg=submitted")))
}

// ----- Excel -----

pub async fn excel_template(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Response, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let year = state.config.year;
    let values = access.values(&org, year - 1, year).await?;
    let (dataset, at) = crate::access::dataset_of(&state, index, &values);
    // The template carries the version of every reported value it shows.
    let versions: HashMap<String, i64> = values
        .iter()
        .filter(|v| v.layer == nianbao_store::Layer::Reported && v.year == year)
        .map(|v| (v.indicator_id.clone(), v.stored.version))
        .collect();
    let version =
        |indicator: nianbao_core::IndicatorIndex| versions.get(&state.framework.indicator(indicator).id).copied();
    let bytes = nianbao_io::excel::write_template(&state.framework, &dataset, at, year, &version)
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{org}-{year}.xlsx\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn read_upload(multipart: &mut Multipart, limit: usize) -> Result<HashMap<String, (String, Vec<u8>)>, AppError> {
    let mut parts = HashMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        let content_type = field.content_type().unwrap_or("").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?;
        if bytes.len() > limit {
            return Err(AppError::invalid(
                format!("文件过大（{} 字节，上限 {limit} 字节），请缩小后重新上传", bytes.len()),
                format!("the file is too large ({} bytes, at most {limit})", bytes.len()),
            ));
        }
        parts.insert(name, (content_type, bytes.to_vec()));
    }
    Ok(parts)
}

pub async fn excel_upload(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Enter)?;
    let year = state.config.year;
    let parts = read_upload(&mut multipart, state.config.max_upload_bytes).await?;
    let (_, bytes) = parts.get("file").ok_or_else(|| AppError::invalid("没有上传文件", "no file"))?;
    let values = access.values(&org, year - 1, year).await?;
    let (dataset, at) = crate::access::dataset_of(&state, index, &values);
    // A school's template holds a few hundred cells: a school upload is bounded far below a
    // county's workbook, so that no upload can take more than a few tens of MB.
    let limits = nianbao_io::excel::Limits {
        max_file_bytes: state.config.max_upload_bytes as u64,
        max_unpacked_bytes: 64 << 20,
        max_cells: 100_000,
        ..Default::default()
    };
    // Reading is CPU work on untrusted input: off the async workers, bounded by the limits.
    let framework = state.framework.clone();
    let bytes = bytes.clone();
    let expected = nianbao_io::excel::Expected { org: Some(at), year: Some(year), within: None };
    let imported = tokio::task::spawn_blocking(move || {
        nianbao_io::excel::import(&bytes, &framework, &dataset, &expected, &limits)
    })
    .await
    .map_err(|e| AppError::Internal(format!("import: {e}")))?;
    let line = |p: &nianbao_io::import_problem::Problem| if lang.is_en() { p.line_en() } else { p.line_zh() };
    let mut problems: Vec<String> = imported.problems.iter().map(line).collect();
    if problems.is_empty() {
        let org_id = |_: usize| org.clone();
        let writes = crate::exchange::writes_for_import(
            &state.framework,
            &org_id,
            &imported,
            crate::exchange::Unversioned::CreateOnly,
            "",
            "Excel",
        );
        let plain: Vec<ValueWrite> = writes.iter().map(|(w, _)| w.clone()).collect();
        match access.save_cells(&org, year, plain).await {
            Ok(outcomes) => {
                let summary = crate::exchange::ImportSummary::of(&state.framework, &writes, &outcomes);
                access
                    .record_import(
                        &org,
                        year,
                        &format!(
                            "Excel：写入 {} 项，清空 {} 项，冲突 {} 项",
                            summary.written,
                            summary.cleared,
                            summary.conflicts.len()
                        ),
                    )
                    .await?;
                let mut lines: Vec<String> =
                    summary.conflicts.iter().map(|c| lang.t(&c.line_zh(), &c.line_en()).to_string()).collect();
                lines.extend(imported.notes.iter().map(line));
                let flash = if lang.is_en() {
                    format!(
                        "Workbook imported: {} value(s) written, {} cleared, {} unchanged cell(s) skipped, {} conflict(s).",
                        summary.written,
                        summary.cleared,
                        imported.cells.len() - writes.len() + summary.unchanged,
                        summary.conflicts.len()
                    )
                } else {
                    format!(
                        "已导入：写入 {} 项，清空 {} 项，未改动的 {} 项未写入，冲突 {} 项。",
                        summary.written,
                        summary.cleared,
                        imported.cells.len() - writes.len() + summary.unchanged,
                        summary.conflicts.len()
                    )
                };
                let data = access.school_year(&org, year).await?;
                let status = if summary.conflicts.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
                let html = entry_page(&state, &access, lang, &data, 0, &HashMap::new(), lines, Some(flash))?;
                return Ok((status, html).into_response());
            }
            Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. } | AppError::Store(_))) => {
                problems.push(error.message(lang))
            }
            Err(error) => return Err(error),
        }
    }
    let data = access.school_year(&org, year).await?;
    let html = entry_page(&state, &access, lang, &data, 0, &HashMap::new(), problems, None)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

// ----- case studies -----

#[derive(Debug)]
struct CaseView {
    id: i64,
    title: String,
    body: String,
    paragraphs: Vec<String>,
    section: String,
    section_title: String,
    photos: Vec<(i64, String)>,
    updated_by: String,
    updated_at: String,
    /// The stored stamp the edit form was made with (an edit of a stale page is refused).
    stamp: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    cases: Vec<CaseView>,
    editable: bool,
    /// Why the cases cannot be changed now (the return is submitted or approved).
    locked_note: String,
    /// The chapters of the school's report a case can be placed after.
    places: Vec<(String, String)>,
    max_photos: usize,
}

pub async fn cases(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let year = state.config.year;
    let unit = state.tree.unit(index);
    let places = crate::render::case_places(crate::render::template_for(&unit.id, unit.level));
    let title_of = |key: &str| places.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()).unwrap_or_default();
    let people = access.people().await?;
    let cases = access
        .cases(&org, year)
        .await?
        .into_iter()
        .map(|case| CaseView {
            id: case.id,
            paragraphs: crate::render::case_paragraphs(&case.body),
            section_title: title_of(&case.section),
            section: case.section,
            title: case.title,
            body: case.body,
            photos: case.photos.into_iter().map(|p| (p.photo_id, p.caption)).collect(),
            updated_by: people.name(&case.updated_by),
            updated_at: lang.time(&case.updated_at),
            stamp: case.updated_at,
        })
        .collect();
    let status = access.submission(&org, year).await?.status;
    let may_enter = access.may(index, Action::Enter);
    let editable = may_enter && status.school_may_edit();
    let locked_note = if may_enter && !editable {
        lang.t(
            "本年度填报已提交或已审核通过，案例随填报一并锁定；如需修改，请审核人员退回或解锁。",
            "The return is submitted or approved: its case studies are locked with it until a reviewer returns or reopens it.",
        )
        .to_string()
    } else {
        String::new()
    };
    render(&CasesPage {
        chrome: Chrome::new(lang, lang.t("案例", "Case studies"), Some(&user)).with_flash(notice_text(lang, &notice)),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        cases,
        editable,
        locked_note,
        places,
        max_photos: crate::access::MAX_CASE_PHOTOS,
    })
}

/// Why an uploaded photo cannot be used, in the reader's language, naming the field.
fn photo_problem(lang: Lang, field: &str, error: &nianbao_report::document::PhotoError) -> String {
    use nianbao_report::document::PhotoError;
    match error {
        PhotoError::NotAnImage => lang
            .t(
                &format!("{field}：照片须为 PNG 或 JPEG 图片，请另存为其中一种格式后重新上传"),
                &format!("{field}: the photo must be a PNG or JPEG image; save it as one and upload it again"),
            )
            .to_string(),
        PhotoError::TooLarge { width, height, max } => lang
            .t(
                &format!("{field}：照片为 {width} × {height} 像素，超过 {max} 百万像素，请缩小后重新上传"),
                &format!("{field}: the photo is {width} × {height} pixels, more than {max} megapixels; shrink it and upload again"),
            )
            .to_string(),
        PhotoError::Unreadable(_) => lang
            .t(
                &format!("{field}：照片文件已损坏或不完整，无法读取，请重新导出后上传"),
                &format!("{field}: the photo file is damaged or incomplete; export it again and upload it"),
            )
            .to_string(),
    }
}

/// Saves a new case study or, with `id`, an edited one: title, text, chapter, the captions of
/// the photos kept (`caption:<photo id>`; `remove:<photo id>` drops one) and new photos
/// (`photo1`…, each with `caption1`…).
pub async fn case_save(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    mut multipart: Multipart,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Enter)?;
    let parts = read_upload(&mut multipart, state.config.max_photo_bytes).await?;
    let text = |name: &str| {
        parts
            .get(name)
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).replace("\r\n", "\n").trim().to_string())
            .unwrap_or_default()
    };
    let (title, body, section) = (text("title"), text("body"), text("section"));
    if title.is_empty() || body.is_empty() {
        return Err(AppError::invalid("案例须有标题和正文", "a case study needs a title and a text"));
    }
    if title.chars().count() > 200 || body.chars().count() > 20_000 {
        return Err(AppError::invalid(
            "标题（最多 200 字）或正文（最多 20000 字）过长",
            "the title (200) or text (20,000) is too long",
        ));
    }
    let unit = state.tree.unit(index);
    let places = crate::render::case_places(crate::render::template_for(&unit.id, unit.level));
    if !section.is_empty() && !places.iter().any(|(key, _)| *key == section) {
        return Err(AppError::invalid("未知的章节", "unknown chapter"));
    }
    let id: i64 = match text("id") {
        id if id.is_empty() => 0,
        id => id.parse().map_err(|_| AppError::invalid("无效的案例编号", "bad case id"))?,
    };
    if id != 0 && text("was").is_empty() {
        return Err(AppError::invalid(
            "修改案例的表单不完整，请重新打开案例页后再修改。",
            "the edit form is incomplete: open the case page again",
        ));
    }
    let year = state.config.year;
    // The photos of the stored case that stay, in their order, with their edited captions.
    let mut kept = Vec::new();
    if id != 0 {
        let existing = access.cases(&org, year).await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
        for photo in existing.photos {
            if parts.contains_key(&format!("remove:{}", photo.photo_id)) {
                continue;
            }
            let caption = match parts.get(&format!("caption:{}", photo.photo_id)) {
                Some(_) => text(&format!("caption:{}", photo.photo_id)),
                None => photo.caption,
            };
            kept.push(nianbao_store::CasePhoto { photo_id: photo.photo_id, caption });
        }
    }
    let mut uploads = Vec::new();
    for n in 1..=crate::access::MAX_CASE_PHOTOS {
        let Some((_, bytes)) =
            parts.get(&format!("photo{n}")).or_else(|| (n == 1).then(|| parts.get("photo")).flatten())
        else {
            continue;
        };
        if bytes.is_empty() {
            continue;
        }
        let caption =
            if n == 1 && !parts.contains_key("caption1") { text("caption") } else { text(&format!("caption{n}")) };
        uploads.push((n, bytes.clone(), caption));
    }
    if kept.iter().map(|p| &p.caption).chain(uploads.iter().map(|u| &u.2)).any(|c| c.chars().count() > 200) {
        return Err(AppError::invalid("图题过长（最多 200 字）", "a caption is too long (at most 200)"));
    }
    // Every photo is decoded whole before anything is stored: a damaged one is refused here, not
    // found later when a report cannot be built.
    let checked = tokio::task::spawn_blocking(move || {
        uploads
            .into_iter()
            .map(|(n, bytes, caption)| {
                nianbao_report::document::Raster::check(bytes)
                    .map(|raster| (raster.kind.mime().to_string(), raster.bytes, caption))
                    .map_err(|error| (n, error))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Internal(format!("photo check: {e}")))?;
    let new_photos = match checked {
        Ok(photos) => photos,
        Err((n, error)) => {
            return Err(AppError::invalid(
                photo_problem(Lang::Zh, &format!("第 {n} 张新照片"), &error),
                photo_problem(Lang::En, &format!("new photo {n}"), &error),
            ));
        }
    };
    let case = CaseStudy {
        id,
        org_id: org.clone(),
        year,
        title,
        body,
        photos: kept,
        section,
        updated_by: String::new(),
        // An edit is made only on the version the form was made with.
        updated_at: if id == 0 { String::new() } else { text("was") },
    };
    let saved = access.save_case(case, new_photos).await?;
    Ok(Redirect::to(&format!("/app/cases/{org}?msg=case#case-{saved}")))
}

#[derive(Debug, Deserialize)]
pub struct CaseDeleteForm {
    id: i64,
}

/// Deletes a case study (until the return is submitted).
pub async fn case_delete(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<CaseDeleteForm>,
) -> Result<Redirect, AppError> {
    state.access(&user).delete_case(&org, form.id).await?;
    Ok(Redirect::to(&format!("/app/cases/{org}?msg=case_deleted")))
}

pub async fn photo(State(state): State<AppState>, User(user): User, Path(id): Path<i64>) -> Result<Response, AppError> {
    let photo = state.access(&user).photo(id).await?;
    Ok((
        [(header::CONTENT_TYPE, photo.content_type), (header::CACHE_CONTROL, "private, max-age=600".into())],
        photo.bytes,
    )
        .into_response())
}

// ----- audit of one value -----

/// How a value came to be, as the reader says it.
fn provenance_title(lang: Lang, provenance: Provenance) -> &'static str {
    match provenance {
        Provenance::Entered => lang.t("网页填报", "entered"),
        Provenance::Imported => lang.t("导入", "imported"),
        Provenance::Aggregated => lang.t("汇总", "aggregated"),
        Provenance::Computed => lang.t("计算", "computed"),
    }
}

/// An audit action, as the reader says it (unknown ones as stored).
pub fn action_title(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "start" => ("开始填报", "started"),
        "submit" => ("提交", "submitted"),
        "return" => ("退回", "returned"),
        "approve" => ("审核通过", "approved"),
        "unlock" => ("解锁", "reopened"),
        "case" => ("保存案例", "case study saved"),
        "case_delete" => ("删除案例", "case study deleted"),
        "case_picks" => ("选择案例", "cases picked"),
        "narrative" => ("修改章节", "section edited"),
        "aggregate" => ("重新汇总", "aggregated"),
        "figure_choice" => ("决定采用数值", "figure decided"),
        "publish_override" => ("说明后发布", "published with a note"),
        "publish" => ("发布", "published"),
        "import" => ("导入 Excel", "workbook imported"),
        "explain" => ("填写说明", "explained"),
        other => return other.to_string(),
    };
    lang.t(zh, en).to_string()
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    org_name: String,
    label: String,
    year: i32,
    entries: Vec<(String, String, String, String, i64, &'static str, String)>,
}

pub async fn value_history(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path((org, indicator)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let at = state.framework.lookup(&indicator).ok_or(AppError::NotFound)?;
    let year = state.config.year;
    let people = access.people().await?;
    let entries = access
        .history(&org, year, &indicator)
        .await?
        .into_iter()
        .map(|e| {
            (
                lang.time(&e.changed_at),
                people.name(&e.changed_by),
                e.old_value.map(|v| v.to_storage_string()).unwrap_or_default(),
                e.new_value.to_storage_string(),
                e.new_version,
                provenance_title(lang, e.provenance),
                e.reason,
            )
        })
        .collect();
    render(&HistoryPage {
        chrome: Chrome::new(lang, lang.t("修改历史", "History"), Some(&user)),
        org_name: state.tree.unit(index).name.clone(),
        label: state.framework.indicator(at).printed_label(),
        year,
        entries,
    })
}

// ----- review -----

#[derive(Debug)]
struct ReviewRowView {
    org_id: String,
    name: String,
    county: String,
    status: String,
    status_code: &'static str,
    values: usize,
    /// “reported / required” figures.
    required: String,
    incomplete: bool,
    errors: usize,
    warnings: usize,
    unexplained: usize,
    changed: String,
}

#[derive(Template)]
#[template(path = "review_list.html")]
struct ReviewListPage {
    chrome: Chrome,
    org_path: String,
    year: i32,
    counts: Vec<(String, usize)>,
    rows: Vec<ReviewRowView>,
}

pub async fn review_list(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
) -> Result<Html<String>, AppError> {
    let year = state.config.year;
    let rows = state.access(&user).review_rows(year).await?;
    let people = state.access(&user).people().await?;
    let mut counts: Vec<(String, usize)> = Vec::new();
    let rows: Vec<ReviewRowView> = rows
        .into_iter()
        .map(|row| {
            let unit = state.tree.unit(row.org);
            let status = lang.t(row.submission.status.title_zh(), row.submission.status.title_en()).to_string();
            match counts.iter_mut().find(|(name, _)| *name == status) {
                Some(count) => count.1 += 1,
                None => counts.push((status.clone(), 1)),
            }
            ReviewRowView {
                org_id: unit.id.clone(),
                name: unit.name.clone(),
                county: unit.parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default(),
                status,
                status_code: row.submission.status.as_str(),
                values: row.values,
                required: format!("{} / {}", row.completeness.reported(), row.completeness.required),
                incomplete: !row.completeness.is_complete(),
                errors: row.errors,
                warnings: row.warnings,
                unexplained: row.unexplained,
                changed: format!(
                    "{} {}",
                    people.name(&row.submission.changed_by),
                    lang.time(&row.submission.changed_at)
                ),
            }
        })
        .collect();
    render(&ReviewListPage {
        chrome: Chrome::new(lang, lang.t("审核", "Review"), Some(&user)),
        org_path: state.tree.path_name(user.org),
        year,
        counts,
        rows,
    })
}

#[derive(Template)]
#[template(path = "review_school.html")]
struct ReviewSchoolPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    status_code: &'static str,
    status_title: &'static str,
    status_comment: String,
    tabs: Vec<(String, String)>,
    findings: Vec<FindingView>,
    /// “reported / required”, and the required figures still empty.
    required: String,
    missing: Vec<String>,
    may_review: bool,
    may_unlock: bool,
    events: Vec<EventView>,
}

/// An audit event as the reader sees it: local time, action in words.
#[derive(Debug)]
struct EventView {
    at: String,
    actor: String,
    action_title: String,
    detail: String,
}

pub async fn review_school(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let year = state.config.year;
    let data = access.school_year(&org, year).await?;
    let people = access.people().await?;
    let events = access
        .events(&org, year)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: lang.time(&e.at),
            action_title: action_title(lang, &e.action),
            actor: people.name(&e.actor),
            detail: e.detail,
        })
        .collect();
    let unit = state.tree.unit(data.org);
    let status = data.submission.status;
    render(&ReviewSchoolPage {
        chrome: Chrome::new(lang, format!("{} {}", unit.name, year), Some(&user))
            .with_flash(notice_text(lang, &notice)),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        status_code: status.as_str(),
        status_title: lang.t(status.title_zh(), status.title_en()),
        status_comment: data.submission.comment.clone(),
        tabs: state
            .framework
            .tables
            .iter()
            .map(|t| (t.id.clone(), t.number.clone().unwrap_or_else(|| t.caption.clone())))
            .collect(),
        findings: data
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(|f| finding_view(lang, f, &data))
            .collect(),
        required: format!("{} / {}", data.completeness.reported(), data.completeness.required),
        missing: data
            .completeness
            .missing
            .iter()
            .map(|&index| {
                let indicator = state.framework.indicator(index);
                let table = &state.framework.tables[indicator.table];
                format!(
                    "{} {}",
                    table.number.clone().unwrap_or_else(|| short_caption(lang, table)),
                    lang.t(&indicator.printed_label(), &indicator.name_en)
                )
            })
            .collect(),
        may_review: access.may(data.org, Action::Review),
        may_unlock: access.may(data.org, Action::Unlock),
        events,
    })
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    comment: String,
}

pub async fn review_action(
    State(state): State<AppState>,
    User(user): User,
    Path((org, action)): Path<(String, String)>,
    Form(form): Form<CommentForm>,
) -> Result<Redirect, AppError> {
    state.access(&user).review(&org, state.config.year, &action, &form.comment).await?;
    Ok(Redirect::to(&format!("/app/review/{org}?msg={action}")))
}
