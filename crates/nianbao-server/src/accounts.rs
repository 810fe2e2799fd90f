//! The user's own account (password change) and the administrator's account list (password
//! reset). Authorisation is in [`crate::access::Access`]; these handlers only read forms and
//! render.

use crate::auth::{SESSION_COOKIE, User, cookie_header};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::{Chrome, ClientAddress, render};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use nianbao_store::Role;
use serde::Deserialize;

/// A role as people call it, in the page's language.
pub fn role_title(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Admin => lang.t("系统管理员", "administrator"),
        Role::City => lang.t("市级编辑/审核", "city editor and reviewer"),
        Role::County => lang.t("县级审核", "county reviewer"),
        Role::School => lang.t("学校填报员", "school data clerk"),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    display_name: String,
    role: String,
    org_path: String,
    changed_at: String,
    must_change: bool,
    problem: Option<String>,
    is_admin: bool,
    min_chars: usize,
}

#[derive(Debug, Deserialize, Default)]
pub struct AccountNotice {
    #[serde(default)]
    changed: Option<u8>,
}

async fn account_page(
    state: &AppState,
    user: &crate::auth::Principal,
    lang: Lang,
    problem: Option<String>,
    flash: Option<String>,
) -> Result<AccountPage, AppError> {
    let account = state.access(user).own_account().await?;
    Ok(AccountPage {
        chrome: Chrome::new(lang, lang.t("我的账号", "My account"), Some(user)).with_flash(flash),
        username: account.username,
        display_name: account.display_name,
        role: role_title(lang, account.role).to_string(),
        org_path: state.tree.path_name(user.org),
        changed_at: if account.password_changed_at.is_empty() {
            lang.t("账号创建以来未修改", "never changed since the account was made").to_string()
        } else {
            lang.time(&account.password_changed_at)
        },
        must_change: account.must_change_password,
        problem,
        is_admin: user.role == Role::Admin,
        min_chars: crate::password::MIN_PASSWORD_CHARS,
    })
}

pub async fn account(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Query(notice): Query<AccountNotice>,
) -> Result<Html<String>, AppError> {
    let flash = notice.changed.map(|_| {
        lang.t("密码已修改。其他设备和浏览器上的登录已全部退出。", "Password changed. Every other session has ended.")
            .to_string()
    });
    render(&account_page(&state, &user, lang, None, flash).await?)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordForm").finish_non_exhaustive()
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    ClientAddress(address): ClientAddress,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match state.access(&user).change_password(&form.current, &form.new, &form.repeat, &address).await {
        Ok(token) => {
            let cookie = cookie_header(&state, SESSION_COOKIE, &token, state.config.session_seconds)?;
            Ok((
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (
                        header::LOCATION,
                        "/app/account?changed=1".parse().map_err(|_| AppError::Internal("location".into()))?,
                    ),
                ],
            )
                .into_response())
        }
        Err(error @ (AppError::Invalid { .. } | AppError::TooManyRequests { .. })) => {
            let status = error.status();
            let page = account_page(&state, &user, lang, Some(error.message(lang)), None).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(error) => Err(error),
    }
}

struct AccountRow {
    username: String,
    display_name: String,
    role: String,
    org_path: String,
    changed_at: String,
    must_change: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    rows: Vec<AccountRow>,
}

pub async fn accounts(State(state): State<AppState>, User(user): User, lang: Lang) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let rows = access
        .managed_accounts()
        .await?
        .into_iter()
        .map(|(org, account)| AccountRow {
            is_self: account.username == user.username,
            role: role_title(lang, account.role).to_string(),
            org_path: state.tree.path_name(org),
            changed_at: if account.password_changed_at.is_empty() {
                "—".to_string()
            } else {
                lang.time(&account.password_changed_at)
            },
            must_change: account.must_change_password,
            username: account.username,
            display_name: account.display_name,
        })
        .collect();
    render(&AccountsPage { chrome: Chrome::new(lang, lang.t("账号管理", "Accounts"), Some(&user)), rows })
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    chrome: Chrome,
    display_name: String,
    username: String,
    temporary: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(username): Path<String>,
) -> Result<Html<String>, AppError> {
    let (account, temporary) = state.access(&user).reset_password(&username).await?;
    render(&ResetPage {
        chrome: Chrome::new(lang, lang.t("密码已重置", "Password reset"), Some(&user)),
        display_name: account.display_name,
        username: account.username,
        temporary,
    })
}
