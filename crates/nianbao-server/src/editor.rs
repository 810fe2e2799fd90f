//! The city editor: aggregated tables with coverage, narrative sections and case studies edited in
//! the browser with a live preview, the draft report from current data, and publishing versions.

use crate::access::{Action, DataScope, ReportData};
use crate::auth::User;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::render::{
    add_data_note, build_report, editable_fields, figures_json, preview_section, render_all, template_for,
};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use nianbao_store::{Layer, NewPublication};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug)]
struct AggregateRow {
    label: String,
    depth: usize,
    unit: String,
    entered: String,
    aggregated: String,
    previous: String,
    coverage: String,
    differs: bool,
    indicator_id: String,
    /// What the editor decided for a differing figure (empty: undecided).
    decision: String,
}

#[derive(Debug)]
struct Field {
    key: String,
    dom_id: String,
    label: String,
    body: String,
    edited: String,
    rows: usize,
}

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    tables: Vec<(String, String, bool)>,
    table_title: String,
    table_id: String,
    rows: Vec<AggregateRow>,
    /// Figures whose entered value differs from the aggregate and is not decided yet.
    undecided: usize,
    fields: Vec<Field>,
    publications: Vec<nianbao_store::Publication>,
    school_cases: Vec<(String, String, String)>,
    /// “已审核通过 a / n 所学校…”
    review_line: String,
    /// What stands between the report and publication.
    gate: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct EditorQuery {
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    msg: Option<String>,
}

pub async fn editor(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Query(query): Query<EditorQuery>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Edit)?;
    let year = state.config.year;
    let framework = &state.framework;
    let unit = state.tree.unit(index);
    let table_at = query.table.as_deref().and_then(|id| framework.tables.iter().position(|t| t.id == id)).unwrap_or(0);
    let table = &framework.tables[table_at];
    let values = access.values(&org, year - 1, year).await?;
    let data = access.report_data(&org, DataScope::Approved).await?;
    let mut by_key: HashMap<(i32, &str, Layer), &nianbao_store::StoredValue> = HashMap::new();
    for value in &values {
        by_key.insert((value.year, value.indicator_id.as_str(), value.layer), &value.stored);
    }
    let rows = table
        .rows
        .iter()
        .map(|&row| {
            let indicator = framework.indicator(row);
            let text = |year: i32, layer: Layer| {
                by_key
                    .get(&(year, indicator.id.as_str(), layer))
                    .map(|v| v.value.format(indicator.decimals))
                    .unwrap_or_default()
            };
            let aggregated = by_key.get(&(year, indicator.id.as_str(), Layer::Aggregated));
            let entered = text(year, Layer::Reported);
            // The aggregate the report would print: the fresh roll-up of the approved schools.
            let difference = data.differences.iter().find(|d| d.year == year && d.indicator == row);
            let aggregated_text = match difference {
                Some(difference) => difference.aggregate.format(indicator.decimals),
                None => text(year, Layer::Aggregated),
            };
            let decision = match difference.and_then(|d| d.choice.as_ref()) {
                Some(choice) if choice.aggregate => lang.t("采用汇总数", "aggregate printed").to_string(),
                Some(choice) => format!("{}：{}", lang.t("保留填报数", "entered figure kept"), choice.reason),
                None => String::new(),
            };
            AggregateRow {
                indicator_id: indicator.id.clone(),
                decision,
                label: indicator.printed_label(),
                depth: framework.depth(row),
                unit: indicator.printed_unit().to_string(),
                differs: difference.is_some(),
                entered,
                aggregated: aggregated_text,
                previous: {
                    let reported = text(year - 1, Layer::Reported);
                    if reported.is_empty() { text(year - 1, Layer::Aggregated) } else { reported }
                },
                coverage: aggregated
                    .and_then(|v| v.coverage)
                    .map(|(reporting, schools)| format!("{reporting}/{schools}"))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let edits = access.narratives(&org, year).await?;
    let fields = editable_fields(template_for(unit.level))?
        .into_iter()
        .map(|(key, bundled)| {
            let edit = edits.iter().find(|e| e.section == key);
            let body = edit.map(|e| e.body.clone()).unwrap_or(bundled);
            Field {
                dom_id: key.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
                label: if let Some(rest) = key.strip_prefix("case:") {
                    format!("{} {}", lang.t("案例", "Case"), rest)
                } else {
                    format!("{} {key}", lang.t("章节", "Section"))
                },
                rows: (body.chars().count() / 60 + 2).clamp(2, 14),
                body,
                edited: edit
                    .map(|e| format!("{} {}", e.updated_by, e.updated_at.get(..16).unwrap_or("")))
                    .unwrap_or_default(),
                key,
            }
        })
        .collect();
    let school_cases = access
        .school_cases(&org, year)
        .await?
        .into_iter()
        .map(|(school, case)| (state.tree.unit(school).name.clone(), case.title, case.body))
        .collect();
    let flash = match query.msg.as_deref() {
        Some("aggregated") => Some(
            lang.t("已按已审核通过的学校数据重新汇总。", "Aggregated from the schools' approved data.").to_string(),
        ),
        Some("chosen") => Some(lang.t("已记录采用哪个数值。", "The choice is recorded.").to_string()),
        Some("saved") => Some(lang.t("已保存。", "Saved.").to_string()),
        _ => None,
    };
    let review = &data.review;
    let review_line = lang
        .t(
            &format!(
                "{} 年度填报：已审核通过 {} / {} 所学校（已提交待审核 {} 所）。报告、汇总和公开数据只用已审核通过的数据。",
                year, review.approved, review.schools, review.submitted
            ),
            &format!(
                "{year} returns: {} of {} schools approved ({} submitted, awaiting review). Reports, aggregates and public data use approved data only.",
                review.approved, review.schools, review.submitted
            ),
        )
        .to_string();
    let gate: Vec<String> = publish_gate(&data).into_iter().map(|(zh, en)| lang.t(&zh, &en).to_string()).collect();
    render(&EditorPage {
        chrome: Chrome::new(lang, lang.t("年报编辑", "Report editor"), Some(&user)).with_flash(flash),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        tables: crate::pages::table_links(lang, framework, &table.id),
        table_title: format!("{} {}", table.number.clone().unwrap_or_default(), table.caption_for(year, &unit.name)),
        table_id: table.id.clone(),
        undecided: data.differences.iter().filter(|d| d.choice.is_none() && d.year == year).count(),
        rows,
        fields,
        publications: access.publications_of(&org).await?,
        school_cases,
        review_line,
        gate,
    })
}

#[derive(Debug, Deserialize)]
pub struct ChoiceForm {
    /// An indicator id, or `*` for every undecided figure (take the aggregate).
    indicator: String,
    /// `aggregate` or `entered`.
    choice: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    table: String,
}

/// The editor decides, for a figure whose entered value differs from the aggregate, which one
/// the report prints (or takes the aggregate for every undecided one).
pub async fn choose(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<ChoiceForm>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let year = state.config.year;
    let aggregate = match form.choice.as_str() {
        "aggregate" => true,
        "entered" => false,
        _ => return Err(AppError::BadRequest("未知的选择 / unknown choice".into())),
    };
    if form.indicator == "*" {
        let data = access.report_data(&org, DataScope::Approved).await?;
        for difference in data.differences.iter().filter(|d| d.choice.is_none() && d.year == year) {
            let id = &state.framework.indicator(difference.indicator).id;
            access.choose_figure(&org, year, id, true, "").await?;
        }
    } else {
        access.choose_figure(&org, year, &form.indicator, aggregate, &form.reason).await?;
    }
    let table = if form.table.is_empty() { String::new() } else { format!("table={}&", form.table) };
    Ok(Redirect::to(&format!("/app/editor/{org}?{table}msg=chosen")))
}

pub async fn aggregate(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Redirect, AppError> {
    state.access(&user).aggregate(&org, state.config.year).await?;
    Ok(Redirect::to(&format!("/app/editor/{org}?msg=aggregated")))
}

#[derive(Debug, Deserialize)]
pub struct SectionForm {
    section: String,
    body: String,
}

fn check_section(state: &AppState, org: usize, section: &str) -> Result<(), AppError> {
    let known = editable_fields(template_for(state.tree.unit(org).level))?.into_iter().any(|(key, _)| key == section);
    if known { Ok(()) } else { Err(AppError::BadRequest(format!("unknown section {section:?}"))) }
}

pub async fn save_narrative(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<SectionForm>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Edit)?;
    check_section(&state, index, &form.section)?;
    access.set_narrative(&org, state.config.year, &form.section, form.body.replace("\r\n", "\n").trim()).await?;
    Ok(Redirect::to(&format!(
        "/app/editor/{org}?msg=saved#field-{}",
        form.section.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    )))
}

/// The live preview (htmx): one section rendered with its bindings resolved against current data.
pub async fn preview(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<SectionForm>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Edit)?;
    check_section(&state, index, &form.section)?;
    let data = access.report_data(&org, DataScope::Approved).await?;
    Ok(Html(preview_section(&state.framework, &data.dataset, data.org, state.config.year, &form.section, &form.body)))
}

#[derive(Debug, Deserialize, Default)]
pub struct DraftQuery {
    /// `1`: include the schools' unreviewed data (marked as a preview).
    #[serde(default)]
    drafts: Option<String>,
}

/// The report as it would be published now (approved data), or with `?drafts=1` from every
/// school's current data, marked as an unreviewed preview.
pub async fn draft(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Query(query): Query<DraftQuery>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let scope = if query.drafts.as_deref() == Some("1") { DataScope::Drafts } else { DataScope::Approved };
    let data = access.report_data(&org, scope).await?;
    let year = state.config.year;
    let edits = access.narratives(&org, year).await?;
    let mut report = build_report(&state.framework, &data.dataset, data.org, year, &edits)?;
    add_data_note(&mut report, &data, data.dataset.orgs[data.org].level, None);
    Ok(Html(nianbao_report::render::html::html(&report, &nianbao_report::render::Options::default())))
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    change_note: String,
    /// Why the report is published although returns are unapproved or its figures fail a rule;
    /// printed in the report's data note and kept in the audit trail.
    #[serde(default)]
    override_note: String,
}

/// What stands between a report and its publication: unapproved returns and errors in its
/// figures (empty: nothing).
pub fn publish_gate(data: &ReportData) -> Vec<(String, String)> {
    let mut open = Vec::new();
    let review = &data.review;
    if !review.unapproved.is_empty() {
        let named: Vec<&str> = review.unapproved.iter().take(10).map(String::as_str).collect();
        let more =
            if review.unapproved.len() > 10 { format!("等 {} 所", review.unapproved.len()) } else { String::new() };
        open.push((
            format!(
                "{} 所学校的填报尚未审核通过（{}{more}），其数据不进入报告；已审核通过 {} / {} 所",
                review.unapproved.len(),
                named.join("、"),
                review.approved,
                review.schools
            ),
            format!(
                "{} school return(s) not approved ({}); their data is left out; {} of {} approved",
                review.unapproved.len(),
                named.join(", "),
                review.approved,
                review.schools
            ),
        ));
    }
    let undecided = data.differences.iter().filter(|d| d.choice.is_none()).count();
    if undecided > 0 {
        open.push((
            format!("{undecided} 项本级填报数与已审核学校的汇总数不一致，尚未决定采用哪一个（在“汇总数据与覆盖率”中逐项或一并决定）"),
            format!("{undecided} entered figure(s) differ from the approved schools' aggregate and are not decided yet"),
        ));
    }
    for finding in data.errors.iter().take(20) {
        open.push((
            format!("报告数据有错误：{}", finding.message_zh),
            format!("error in the report's figures: {}", finding.message_en),
        ));
    }
    open
}

pub async fn publish(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<PublishForm>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let year = state.config.year;
    let earlier = access.publications_of(&org).await?.into_iter().filter(|p| p.year == year).count();
    let note = form.change_note.trim().to_string();
    if note.chars().count() > 500 {
        return Err(AppError::BadRequest("修改说明过长（最多 500 字）/ the change note is too long".into()));
    }
    if earlier > 0 && note.is_empty() {
        return Err(AppError::BadRequest("更正版本须说明修改内容 / a correction needs a note of what changed".into()));
    }
    let note = if note.is_empty() { "首次发布".to_string() } else { note };
    let data = access.report_data(&org, DataScope::Approved).await?;
    // A school publishes its own report only once its return is approved: no note overrides that.
    if data.dataset.orgs[data.org].level == nianbao_core::OrgLevel::School && data.review.approved == 0 {
        return Err(AppError::PublishGate {
            open: vec![(
                "本校本年度填报尚未审核通过，审核通过后才能发布本校年报".into(),
                "the school's return is not approved yet; its report is published after approval".into(),
            )],
        });
    }
    let open = publish_gate(&data);
    let override_note = form.override_note.trim().to_string();
    if override_note.chars().count() > 500 {
        return Err(AppError::BadRequest("发布说明过长（最多 500 字）/ the override note is too long".into()));
    }
    if !open.is_empty() && override_note.is_empty() {
        return Err(AppError::PublishGate { open });
    }
    if !open.is_empty() {
        let detail = format!(
            "{override_note}（发布时：{}）",
            open.iter().map(|(zh, _)| zh.as_str()).collect::<Vec<_>>().join("；")
        );
        access.record_publish_override(&org, year, &detail).await?;
    }
    let (at, dataset) = (data.org, data.dataset.clone());
    let edits = access.narratives(&org, year).await?;
    let framework = state.framework.clone();
    let mut report = build_report(&framework, &dataset, at, year, &edits)?;
    let override_text = (!open.is_empty()).then(|| {
        format!(
            "发布时仍有以下情况，经编辑确认后发布：{}。编辑说明：{override_note}",
            open.iter().map(|(zh, _)| zh.as_str()).collect::<Vec<_>>().join("；")
        )
    });
    add_data_note(&mut report, &data, dataset.orgs[at].level, override_text.as_deref());
    let title = report.title.clone();
    let data = figures_json(&framework, &dataset, at, year);
    let rendered = tokio::task::spawn_blocking(move || render_all(&framework, &dataset, at, &report))
        .await
        .map_err(|e| AppError::Internal(format!("rendering: {e}")))??;
    let publication = access
        .publish(NewPublication {
            org_id: org.clone(),
            year,
            title,
            published_by: String::new(),
            change_note: note,
            html: rendered.html,
            docx: rendered.docx,
            pdf: rendered.pdf,
            xlsx: rendered.xlsx,
            data,
        })
        .await?;
    Ok(Redirect::to(&format!("/reports/{}", publication.id)))
}
