//! The JSON API (`/api/v1`), authenticated by `Authorization: Bearer <token>`; described by the
//! OpenAPI document at `/api/v1/openapi.json`. Decimals travel as strings so they stay exact.

use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nianbao_core::Value;
use serde::Deserialize;
use serde_json::{Value as Json_, json};

pub const OPENAPI: &str = include_str!("../assets/openapi.json");

/// The years the API knows: what the document says of `{year}`.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// Path parameters of the API: a path that does not parse (a year that is not a whole number,
/// or one outside [`FIRST_YEAR`]..=[`LAST_YEAR`]) is answered with the API's JSON error body,
/// never axum's plain text.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

/// What a path carries that the extractor checks beyond its parse.
pub trait PathYear {
    fn year(&self) -> i32;
}
impl PathYear for (String, i32) {
    fn year(&self) -> i32 {
        self.1
    }
}
impl PathYear for (String, i32, String) {
    fn year(&self) -> i32 {
        self.1
    }
}

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + PathYear + Send,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await.map_err(|_| {
            ApiError(AppError::invalid(
                "路径无法识别：年份须为整数，单位和指标代码须为文字。",
                "The path cannot be read: the year must be a whole number.",
            ))
        })?;
        let year = value.year();
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(ApiError(AppError::invalid(
                format!("年份 {year} 超出范围（{FIRST_YEAR}–{LAST_YEAR}）。"),
                format!("The year {year} is out of range ({FIRST_YEAR}–{LAST_YEAR})."),
            )));
        }
        Ok(ApiPath(value))
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn value_json(value: &Value) -> Json_ {
    match value {
        Value::Missing => Json_::Null,
        Value::NotApplicable => json!("-"),
        Value::Number(number) => json!(number.normalize().to_string()),
        Value::Text(text) => json!(text),
    }
}

pub async fn orgs(State(state): State<AppState>, ApiUser(user): ApiUser) -> Json<Json_> {
    let access = state.access(&user);
    let orgs: Vec<Json_> = access
        .visible_orgs()
        .into_iter()
        .map(|index| {
            let unit = state.tree.unit(index);
            json!({
                "id": unit.id,
                "name": unit.name,
                "name_en": unit.name_en,
                "level": unit.level.name(),
                "parent": unit.parent.map(|p| state.tree.unit(p).id.clone()),
            })
        })
        .collect();
    Json(json!({ "open_year": state.config.year, "orgs": orgs }))
}

pub async fn values(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year)): ApiPath<(String, i32)>,
) -> Result<Json<Json_>, ApiError> {
    let values = state.access(&user).values(&org, year, year).await?;
    let values: Vec<Json_> = values
        .iter()
        .map(|v| {
            json!({
                "indicator": v.indicator_id,
                "layer": v.layer.as_str(),
                "value": value_json(&v.stored.value),
                "version": v.stored.version,
                "provenance": v.stored.provenance.as_str(),
                "changed_by": v.stored.changed_by,
                "changed_at": v.stored.changed_at,
                "coverage": v.stored.coverage.map(|(reporting, schools)| json!({"reporting": reporting, "schools": schools})),
            })
        })
        .collect();
    Ok(Json(json!({ "org": org, "year": year, "values": values })))
}

/// Body of `PUT …/values/{indicator}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutValue {
    /// The value as text (`"1234.5"`, `"-"` for not applicable, `null` to clear), or a JSON
    /// number, read from its digits as written (never through a binary float).
    pub value: Box<serde_json::value::RawValue>,
    /// The version read; absent when creating the value.
    #[serde(default)]
    pub expected_version: Option<i64>,
    /// Write over whatever version is stored (last writer wins).
    #[serde(default)]
    pub overwrite: bool,
}

pub async fn put_value(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year, indicator)): ApiPath<(String, i32, String)>,
    body: Result<Json<PutValue>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Json_>, ApiError> {
    let Json(body) = body.map_err(|e| {
        AppError::invalid("请求内容不是有效的 JSON，或缺少必需的字段。", format!("request body: {}", e.body_text()))
    })?;
    let index = state.framework.lookup(&indicator).ok_or(AppError::NotFound)?;
    let kind = state.framework.indicator(index).kind;
    let written = body.value.get().trim();
    let raw = match written.as_bytes().first() {
        _ if written == "null" => String::new(),
        Some(b'"') => serde_json::from_str::<String>(written)
            .map_err(|e| AppError::invalid("value 不是有效的 JSON 字符串。", format!("value: {e}")))?,
        // A number as its digits were written: `1.000000000000000000000000001` keeps them all.
        Some(b'-' | b'0'..=b'9') => written.to_string(),
        _ => {
            return Err(AppError::invalid(
                "value 须为字符串、数字或 null。",
                format!("value: expected a string, number or null, not {written}"),
            )
            .into());
        }
    };
    let value = nianbao_io::lenient::read_text(&raw, kind).map_err(|p| {
        AppError::invalid(format!("值“{raw}”：{}", p.message_zh), format!("value {raw:?}: {}", p.message_en))
    })?;
    let version = state
        .access(&user)
        .put_value(&org, year, &indicator, value.clone(), body.expected_version, body.overwrite)
        .await?;
    Ok(Json(
        json!({ "org": org, "year": year, "indicator": indicator, "value": value_json(&value), "version": version }),
    ))
}

pub async fn history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year, indicator)): ApiPath<(String, i32, String)>,
) -> Result<Json<Json_>, ApiError> {
    let entries = state.access(&user).history(&org, year, &indicator).await?;
    let entries: Vec<Json_> = entries
        .iter()
        .map(|e| {
            json!({
                "old_value": e.old_value.as_ref().map(value_json),
                "new_value": value_json(&e.new_value),
                "old_version": e.old_version,
                "new_version": e.new_version,
                "provenance": e.provenance.as_str(),
                "changed_by": e.changed_by,
                "changed_at": e.changed_at,
                "reason": e.reason,
            })
        })
        .collect();
    Ok(Json(json!({ "history": entries })))
}

pub async fn findings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year)): ApiPath<(String, i32)>,
) -> Result<Json<Json_>, ApiError> {
    let data = state.access(&user).school_year(&org, year).await?;
    let findings: Vec<Json_> = data
        .findings
        .iter()
        .map(|f| {
            let cells: Vec<Json_> = f
                .cells
                .iter()
                .map(|c| json!({"table": c.table_id, "indicator": c.indicator_id, "year": c.year, "value": c.value_text}))
                .collect();
            json!({
                "rule": f.rule_id,
                "severity": f.severity.as_str(),
                "message_zh": f.message_zh,
                "message_en": f.message_en,
                "cells": cells,
                "explanation": data.explanation(f).map(|e| e.text.clone()),
                "outdated_explanation": data.outdated_explanation(f).map(|e| e.text.clone()),
            })
        })
        .collect();
    Ok(Json(json!({
        "org": org,
        "year": year,
        "errors": data.errors(),
        "unexplained_warnings": data.unexplained(),
        "required": data.completeness.required,
        "required_missing": data
            .completeness
            .missing
            .iter()
            .map(|&index| state.framework.indicator(index).id.clone())
            .collect::<Vec<_>>(),
        "findings": findings,
    })))
}

/// Body of `POST …/explanations`: rule id → explanation text.
pub async fn explanations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year)): ApiPath<(String, i32)>,
    body: Result<Json<std::collections::BTreeMap<String, String>>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Json_>, ApiError> {
    let Json(texts) = body.map_err(|e| {
        AppError::invalid("请求内容不是有效的 JSON，或缺少必需的字段。", format!("request body: {}", e.body_text()))
    })?;
    let texts: Vec<(String, String)> = texts.into_iter().collect();
    let saved = state.access(&user).explain(&org, year, &texts).await?;
    Ok(Json(json!({ "saved": saved })))
}

fn submission_json(submission: &nianbao_store::Submission) -> Json_ {
    json!({
        "org": submission.org_id,
        "year": submission.year,
        "status": submission.status.as_str(),
        "changed_by": submission.changed_by,
        "changed_at": submission.changed_at,
        "comment": submission.comment,
    })
}

pub async fn submission(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year)): ApiPath<(String, i32)>,
) -> Result<Json<Json_>, ApiError> {
    Ok(Json(submission_json(&state.access(&user).submission(&org, year).await?)))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WorkflowBody {
    #[serde(default)]
    pub comment: String,
}

pub async fn workflow(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((org, year, action)): ApiPath<(String, i32, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Json_>, ApiError> {
    // No body is no comment; a body must be the documented object (else the JSON error, 400).
    let comment = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<WorkflowBody>(&body)
            .map_err(|e| {
                AppError::invalid(
                    format!(
                        "请求内容不是 {{\"comment\": \"…\"}} 形式的 JSON（第 {} 行第 {} 列）。",
                        e.line(),
                        e.column()
                    ),
                    format!(
                        "The body must be JSON like {{\"comment\": \"…\"}} (line {}, column {}).",
                        e.line(),
                        e.column()
                    ),
                )
            })?
            .comment
    };
    let access = state.access(&user);
    let submission = match action.as_str() {
        "submit" => access.submit(&org, year).await?,
        "return" | "approve" | "unlock" => access.review(&org, year, &action, &comment).await?,
        _ => return Err(AppError::NotFound.into()),
    };
    Ok(Json(submission_json(&submission)))
}

pub async fn publications(State(state): State<AppState>) -> Result<Json<Json_>, ApiError> {
    let list: Vec<Json_> = state
        .public()
        .publications()
        .await?
        .iter()
        .map(|p| {
            let files: Vec<String> =
                ["html", "docx", "pdf", "xlsx"].iter().map(|e| format!("/reports/{}/report.{e}", p.id)).collect();
            json!({
                "id": p.id, "org": p.org_id, "year": p.year, "version": p.version, "title": p.title,
                "published_at": p.published_at, "change_note": p.change_note,
                "files": files,
            })
        })
        .collect();
    Ok(Json(json!({ "publications": list })))
}
