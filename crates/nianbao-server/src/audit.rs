//! Auditing published reports in the browser: a reviewer uploads reports (PDF, DOCX, text,
//! Markdown, or a zip of them) and gets the audit as a page, with the same audit to download as
//! HTML and JSON. Nothing is stored. Authorisation is `Access::check_audit`.

use crate::auth::User;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Html;
use base64::Engine;
use nianbao_audit::{DocumentAudit, audit_document, output};
use nianbao_io::printed::{DocumentKind, PrintedReadError, read_printed};
use std::io::Read;

/// The most documents audited from one upload (files and zip entries together).
pub const MAX_AUDIT_DOCUMENTS: usize = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    /// The audit as an HTML fragment (escaped where built).
    result: String,
    /// Files that could not be read: (name, why).
    refused: Vec<(String, String)>,
    /// The self-contained HTML and the JSON of the audit, as data URLs to download.
    html_download: String,
    json_download: String,
    audited: usize,
    max_documents: usize,
    max_mb: usize,
}

fn page(state: &AppState, user: &crate::auth::Principal, lang: Lang) -> AuditPage {
    AuditPage {
        chrome: Chrome::new(lang, lang.t("审查已发布的年报", "Audit published reports"), Some(user)),
        result: String::new(),
        refused: Vec::new(),
        html_download: String::new(),
        json_download: String::new(),
        audited: 0,
        max_documents: MAX_AUDIT_DOCUMENTS,
        max_mb: state.config.max_upload_bytes >> 20,
    }
}

pub async fn audit_form(State(state): State<AppState>, User(user): User, lang: Lang) -> Result<Html<String>, AppError> {
    state.access(&user).check_audit()?;
    render(&page(&state, &user, lang))
}

/// A file as uploaded, or an entry of an uploaded zip.
struct Upload {
    name: String,
    kind: Option<DocumentKind>,
    bytes: Vec<u8>,
}

fn kind_of(name: &str) -> Option<DocumentKind> {
    DocumentKind::of_path(std::path::Path::new(name))
}

/// The documents of a zip: its entries of a readable type, each read within `limit` bytes.
fn unzip(name: &str, bytes: &[u8], limit: usize, out: &mut Vec<Upload>, refused: &mut Vec<(String, PrintedReadError)>) {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        refused.push((name.to_string(), PrintedReadError::DocxUnreadable { detail: "not a zip archive".into() }));
        return;
    };
    for index in 0..archive.len() {
        // One more than may be audited is enough for the caller to refuse the upload, saying so.
        if out.len() > MAX_AUDIT_DOCUMENTS {
            break;
        }
        let Ok(entry) = archive.by_index(index) else { continue };
        let entry_name = format!("{name}/{}", entry.name());
        if entry.is_dir() || kind_of(entry.name()).is_none() || entry.name().starts_with("__MACOSX") {
            continue;
        }
        let mut content = Vec::new();
        if entry.take(limit as u64 + 1).read_to_end(&mut content).is_err() {
            refused.push((entry_name, PrintedReadError::Io { detail: "damaged zip entry".into() }));
            continue;
        }
        if content.len() > limit {
            refused.push((entry_name, PrintedReadError::TooLarge { bytes: content.len() as u64, max: limit as u64 }));
            continue;
        }
        out.push(Upload { kind: kind_of(&entry_name), name: entry_name, bytes: content });
    }
}

pub async fn audit_upload(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    mut multipart: Multipart,
) -> Result<Html<String>, AppError> {
    state.access(&user).check_audit()?;
    let limit = state.config.max_upload_bytes;
    let mut uploads: Vec<Upload> = Vec::new();
    let mut refused: Vec<(String, PrintedReadError)> = Vec::new();
    let mut total = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?
    {
        if field.name() != Some("files") {
            continue;
        }
        let name: String = field.file_name().unwrap_or("upload").chars().take(200).collect();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?;
        total = total.saturating_add(bytes.len());
        if bytes.len() > limit || total > limit.saturating_mul(4) {
            return Err(AppError::invalid(
                format!(
                    "上传的文件过大（单个文件不超过 {} MB，合计不超过 {} MB），请分批审查",
                    limit >> 20,
                    (limit * 4) >> 20
                ),
                format!(
                    "the upload is too large (at most {} MB a file, {} MB in all); audit in batches",
                    limit >> 20,
                    (limit * 4) >> 20
                ),
            ));
        }
        if name.to_ascii_lowercase().ends_with(".zip") {
            unzip(&name, &bytes, limit, &mut uploads, &mut refused);
        } else {
            uploads.push(Upload { kind: kind_of(&name), name, bytes: bytes.to_vec() });
        }
        if uploads.len() > MAX_AUDIT_DOCUMENTS {
            return Err(AppError::invalid(
                format!("一次最多审查 {MAX_AUDIT_DOCUMENTS} 份报告，请分批上传"),
                format!("at most {MAX_AUDIT_DOCUMENTS} reports at a time; upload them in batches"),
            ));
        }
    }
    if uploads.is_empty() && refused.is_empty() {
        return Err(AppError::invalid(
            "请选择要审查的报告文件（.pdf、.docx、.txt、.md 或它们的 .zip 压缩包）",
            "choose the report files to audit (.pdf, .docx, .txt, .md, or a .zip of them)",
        ));
    }
    // Reading a PDF runs pdftotext: off the async workers.
    let shared = state.clone();
    let (audits, unreadable) = tokio::task::spawn_blocking(move || {
        let framework = &shared.framework;
        let mut audits: Vec<DocumentAudit> = Vec::new();
        for upload in uploads {
            let Some(kind) = upload.kind else {
                refused.push((upload.name, PrintedReadError::UnknownType));
                continue;
            };
            match read_printed(&upload.name, kind, &upload.bytes) {
                Ok(document) => audits.push(audit_document(framework, &document)),
                Err(error) => refused.push((upload.name, error)),
            }
        }
        (audits, refused)
    })
    .await
    .map_err(|e| AppError::Internal(format!("audit: {e}")))?;
    let english = lang.is_en();
    let mut page = page(&state, &user, lang);
    page.audited = audits.len();
    page.refused = unreadable
        .into_iter()
        .map(|(name, error)| (name, if english { error.message_en() } else { error.message_zh() }))
        .collect();
    if !audits.is_empty() {
        page.result = output::html_fragment(&audits, english);
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        page.html_download =
            format!("data:text/html;charset=utf-8;base64,{}", encode(output::html(&audits, english).as_bytes()));
        let json =
            serde_json::to_string_pretty(&output::json(&audits)).map_err(|e| AppError::Internal(e.to_string()))?;
        page.json_download = format!("data:application/json;charset=utf-8;base64,{}", encode(json.as_bytes()));
    }
    render(&page)
}
