//! Errors of requests: what the user is told, as an HTML page or as JSON for the API.

use crate::i18n::Lang;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nianbao_report::template_problem::TemplateDiagnostic;
use nianbao_store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("you may not do this here")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Input that cannot be taken, said in each language (the page's language is shown).
    #[error("{en}")]
    Invalid { zh: String, en: String },
    /// The data is in a state that does not allow this, said in each language.
    #[error("{en}")]
    Conflict { zh: String, en: String },
    #[error("too many failed sign-ins; try again in {} s", .wait_seconds)]
    TooManyRequests { wait_seconds: u64 },
    /// An administrator reset the password: it must be changed before anything else.
    #[error("choose a new password first")]
    MustChangePassword,
    #[error("the request's CSRF token is missing or wrong; reload the page and try again")]
    Csrf,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("{label_en}: {}", bound.message_en())]
    OutOfBounds { label: String, label_en: String, bound: nianbao_core::bounds::OutOfBounds },
    #[error("{}", not_ready_en(.errors, .unexplained, .missing))]
    NotReady {
        errors: usize,
        unexplained: usize,
        /// Required figures without a value: (Chinese place, English place).
        missing: Vec<(String, String)>,
    },
    #[error("the report cannot be published yet: {}; give a note to publish anyway", .open.iter().map(|(_, en)| en.as_str()).collect::<Vec<_>>().join("; "))]
    PublishGate {
        /// What is open: (Chinese, English).
        open: Vec<(String, String)>,
    },
    /// A report cannot be built from its data: sections whose bindings fail, each as
    /// (section heading as printed, problems at their lines).
    #[error("the report cannot be built: {}", report_problems(.sections, Lang::En))]
    ReportProblems { sections: Vec<(String, Vec<TemplateDiagnostic>)> },
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// Input refused, with what to say in Chinese and in English.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::Invalid { zh: zh.into(), en: en.into() }
    }
}

/// The sections of a report that cannot be built, each with its problems at their lines.
fn report_problems(sections: &[(String, Vec<TemplateDiagnostic>)], lang: Lang) -> String {
    let (open, close, between, separator) =
        if lang.is_en() { ("section “", "”: ", "; ", " | ") } else { ("章节“", "”：", "；", "。") };
    sections
        .iter()
        .map(|(title, problems)| {
            let lines: Vec<String> = problems.iter().map(|problem| problem.at_line(lang.language())).collect();
            format!("{open}{title}{close}{}", lines.join(between))
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// A wait as people say it: “40 秒”, “3 分钟”.
fn wait_zh(seconds: u64) -> String {
    if seconds < 60 { format!("{} 秒", seconds.max(1)) } else { format!("{} 分钟", seconds.div_ceil(60)) }
}

/// How many missing cells a refusal names before it says “and n more”.
const NAMED_MISSING: usize = 8;

fn not_ready_en(errors: &usize, unexplained: &usize, missing: &[(String, String)]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        let named: Vec<&str> = missing.iter().take(NAMED_MISSING).map(|(_, en)| en.as_str()).collect();
        let more = missing.len().saturating_sub(NAMED_MISSING);
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        parts.push(format!("{} required figure(s) are empty ({}{tail})", missing.len(), named.join("; ")));
    }
    if *errors > 0 {
        parts.push(format!("{errors} error(s) remain"));
    }
    if *unexplained > 0 {
        parts.push(format!("{unexplained} warning(s) are not explained"));
    }
    format!("Cannot submit: {}.", parts.join(", "))
}

fn not_ready_zh(errors: usize, unexplained: usize, missing: &[(String, String)]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        let named: Vec<&str> = missing.iter().take(NAMED_MISSING).map(|(zh, _)| zh.as_str()).collect();
        let more = missing.len().saturating_sub(NAMED_MISSING);
        let tail = if more > 0 { format!("等，另有 {more} 项") } else { String::new() };
        parts.push(format!("{} 项必填数据未填（{}{tail}）", missing.len(), named.join("、")));
    }
    if errors > 0 {
        parts.push(format!("{errors} 个错误未改正"));
    }
    if unexplained > 0 {
        parts.push(format!("{unexplained} 个警告未说明"));
    }
    format!("还不能提交：{}。请补齐、改正或说明后再提交。", parts.join("，"))
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } | AppError::OutOfBounds { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. }
            | AppError::NotReady { .. }
            | AppError::PublishGate { .. }
            | AppError::ReportProblems { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::MustChangePassword => StatusCode::FORBIDDEN,
            AppError::Store(
                StoreError::Conflict { .. }
                | StoreError::Missing { .. }
                | StoreError::Workflow { .. }
                | StoreError::CaseChanged { .. },
            ) => StatusCode::CONFLICT,
            AppError::Store(
                StoreError::Locked { .. }
                | StoreError::YearClosed(_)
                | StoreError::UnderReview { .. }
                | StoreError::ChangedSince { .. },
            ) => StatusCode::CONFLICT,
            AppError::Store(StoreError::UnknownOrg(_)) => StatusCode::NOT_FOUND,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message in Chinese (the store's own messages are English and technical).
    pub fn message_zh(&self) -> String {
        match self {
            AppError::Unauthenticated => "请先登录。".into(),
            AppError::Forbidden => "您没有权限查看或修改此单位的数据。".into(),
            AppError::NotFound => "未找到该页面或数据。".into(),
            AppError::Csrf => "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。".into(),
            AppError::Store(StoreError::Locked { .. }) => {
                "该单位本年度数据已审核通过并锁定，需上级解锁后才能修改。".into()
            }
            AppError::Store(StoreError::UnderReview { .. }) => {
                "该单位本年度数据已提交、正在审核，不能修改；如需修改请联系审核人员退回。".into()
            }
            AppError::Store(StoreError::ChangedSince { .. }) => {
                "检查期间数据又有改动（可能是同事刚保存或上传），未提交。请查看最新数据后再提交。".into()
            }
            AppError::NotReady { errors, unexplained, missing } => not_ready_zh(*errors, *unexplained, missing),
            AppError::PublishGate { open } => format!(
                "报告暂不能发布：{}。请先处理；如确需发布，请在“发布说明”中写明理由（将印在报告的数据说明中并记入操作记录）。",
                open.iter().map(|(zh, _)| zh.as_str()).collect::<Vec<_>>().join("；")
            ),
            AppError::Invalid { zh, .. } | AppError::Conflict { zh, .. } => zh.clone(),
            AppError::TooManyRequests { wait_seconds } => {
                format!("登录失败次数过多，请 {}后再试。", wait_zh(*wait_seconds))
            }
            AppError::MustChangePassword => "管理员已重置您的密码，请先设置新密码。".into(),
            AppError::ReportProblems { sections } => format!(
                "报告暂不能生成：以下章节引用的数字在本报告的数据中缺失或无法计算。请在年报编辑页修改这些章节，或待相关学校的填报审核通过后再生成。{}",
                report_problems(sections, Lang::Zh)
            ),
            AppError::Store(StoreError::Conflict { .. }) => "该数据已被他人修改，请刷新后重试。".into(),
            AppError::Store(StoreError::CaseChanged { .. }) => {
                "此案例在您打开页面后已被他人修改，您的修改没有保存。请重新打开案例页，核对后再修改。".into()
            }
            AppError::Store(StoreError::Workflow { from, to }) => {
                format!("当前状态（{from}）不能执行此操作（→ {to}）。")
            }
            AppError::Store(StoreError::YearClosed(year)) => format!("{year} 年度已关闭，数据不能再修改。"),
            AppError::OutOfBounds { label, bound, .. } => format!("{label}：{}。", bound.message_zh()),
            AppError::Store(StoreError::Missing { .. }) => "该数据已不存在（可能刚被他人清除），请刷新后重试。".into(),
            AppError::Store(StoreError::UnknownOrg(id)) => format!("未找到单位“{id}”。"),
            AppError::Store(StoreError::UnknownAccount(_)) => "未找到该账号。".into(),
            // What went wrong inside is for the log, not for the page: never an English message
            // on a Chinese page.
            AppError::Store(_) | AppError::Internal(_) => {
                "服务器内部错误，您的操作没有完成。请稍后重试；如果一再出现，请联系系统管理员。".into()
            }
        }
    }

    /// The message in the page's language.
    pub fn message(&self, lang: Lang) -> String {
        if lang.is_en() { self.to_string() } else { self.message_zh() }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(self, AppError::MustChangePassword) {
            return axum::response::Redirect::to("/app/account").into_response();
        }
        let page = crate::pages::error_page(Lang::Zh, self.status().as_u16(), &self.message_zh(), &self.to_string());
        (self.status(), page).into_response()
    }
}

/// The JSON form of an error, for the API: `{"error": {"status", "message", "message_zh"}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError(AppError::Store(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = serde_json::json!({
            "error": { "status": status.as_u16(), "message": self.0.to_string(), "message_zh": self.0.message_zh() }
        });
        (status, axum::Json(body)).into_response()
    }
}
