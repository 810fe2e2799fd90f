//! The city editor: aggregated tables with coverage, narrative sections and case studies edited in
//! the browser with a live preview, the draft report from current data, and publishing versions.

use crate::access::{Action, DataScope, ReportData};
use crate::auth::User;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::render::{
    add_data_note, build_report, check_section_text, editable_fields, figures_json, preview_section, render_all,
    section_titles, template_for,
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
    /// The stored text the page was made with: only sections typed differently are saved.
    was: String,
    edited: String,
    rows: usize,
    /// Why the last save of this section was refused, or why its stored text does not build
    /// against the approved data (its bindings, at their lines).
    problems: Vec<String>,
    /// The text shown was typed and not saved (a refused save).
    unsaved: bool,
}

/// A school's case study in the editor's list of cases to pick.
#[derive(Debug)]
struct CaseRow {
    id: i64,
    title: String,
    school: String,
    status: String,
    approved: bool,
    picked: bool,
    position: String,
    section: String,
    paragraphs: Vec<String>,
    photos: Vec<(i64, String)>,
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
    /// The schools' case studies, picked ones first (empty for a school's own report).
    case_rows: Vec<CaseRow>,
    /// Where a picked case can be placed: (section key, heading).
    case_places: Vec<(String, String)>,
    /// A school's own report: how many of its cases it prints.
    own_cases: Option<usize>,
    /// “已审核通过 a / n 所学校…”
    review_line: String,
    /// Why this unit's stored aggregates are marked stale, if they are.
    stale_notice: Option<String>,
    /// Units below this one whose stored aggregates are marked stale.
    stale_below: Vec<String>,
    /// What stands between the report and publication.
    gate: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct EditorQuery {
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    msg: Option<String>,
    /// After 重新汇总: units re-aggregated, values written, units above marked stale.
    #[serde(default)]
    units: Option<usize>,
    #[serde(default)]
    written: Option<usize>,
    #[serde(default)]
    above: Option<usize>,
}

pub async fn editor(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Query(query): Query<EditorQuery>,
) -> Result<Html<String>, AppError> {
    editor_page(&state, &user, lang, &org, &query, &Kept::default()).await
}

/// What a refused save keeps on the page: the typed text of every section sent, and the problems
/// of the sections that could not be saved.
#[derive(Debug, Default)]
struct Kept {
    typed: HashMap<String, (String, String)>,
    problems: HashMap<String, Vec<String>>,
}

async fn editor_page(
    state: &AppState,
    user: &crate::auth::Principal,
    lang: Lang,
    org: &str,
    query: &EditorQuery,
    kept: &Kept,
) -> Result<Html<String>, AppError> {
    let org = org.to_string();
    let access = state.access(user);
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
            let entered = text(year, Layer::Reported);
            // The aggregate the report would print: the fresh roll-up of the approved schools.
            let difference = data.differences.iter().find(|d| d.indicator == row);
            let aggregated_text =
                data.aggregates.get(row.0).map(|value| value.format(indicator.decimals)).unwrap_or_default();
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
                coverage: match data.coverage.get(row.0) {
                    Some((reporting, schools)) if *schools > 0 => format!("{reporting}/{schools}"),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let edits = access.narratives(&org, year).await?;
    let people = access.people().await?;
    let titles = section_titles(template_for(&unit.id, unit.level));
    let fields: Vec<Field> = editable_fields(template_for(&unit.id, unit.level))?
        .into_iter()
        .map(|(key, bundled)| {
            let edit = edits.iter().find(|e| e.section == key);
            let stored = edit.map(|e| e.body.clone()).unwrap_or(bundled);
            // A refused save shows what was typed, over the base it was typed on.
            let (body, was) = kept.typed.get(&key).cloned().unwrap_or_else(|| (stored.clone(), stored));
            // A stored section whose bindings no longer resolve (a school's figure left the
            // approved data since) says so here, at its lines, before preview or publish.
            let problems = match kept.problems.get(&key) {
                Some(problems) => problems.clone(),
                None => check_section_text(framework, &data.dataset, data.org, year, &key, &body)
                    .err()
                    .map(|problems| problems.iter().map(|problem| problem.at_line(lang.language())).collect())
                    .unwrap_or_default(),
            };
            Field {
                dom_id: key.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
                label: titles.get(&key).cloned().unwrap_or_else(|| key.clone()),
                rows: (body.chars().count() / 60 + 2).clamp(2, 14),
                problems,
                unsaved: kept.typed.contains_key(&key),
                was,
                body,
                edited: edit
                    .map(|e| format!("{} {}", people.name(&e.updated_by), lang.time(&e.updated_at)))
                    .unwrap_or_default(),
                key,
            }
        })
        .collect();
    let template = template_for(&unit.id, unit.level);
    let case_places = crate::render::case_places(template);
    let (case_rows, own_cases) = if unit.level == nianbao_core::OrgLevel::School {
        (Vec::new(), Some(access.cases(&org, year).await?.len()))
    } else {
        let picks = access.case_picks(&org, year).await?;
        let fallback = case_places.last().map(|(key, _)| key.clone()).unwrap_or_default();
        let mut rows: Vec<(Option<i32>, CaseRow)> = access
            .school_cases(&org, year)
            .await?
            .into_iter()
            .map(|found| {
                let pick = picks.iter().find(|p| p.case_id == found.case.id);
                let wanted = pick.map(|p| p.section.clone()).unwrap_or_else(|| found.case.section.clone());
                let section = if case_places.iter().any(|(key, _)| *key == wanted) { wanted } else { fallback.clone() };
                let row = CaseRow {
                    id: found.case.id,
                    title: found.case.title.clone(),
                    school: state.tree.unit(found.school).name.clone(),
                    status: lang.t(found.status.title_zh(), found.status.title_en()).to_string(),
                    approved: found.status == nianbao_store::SubmissionStatus::Approved,
                    picked: pick.is_some(),
                    position: pick.map(|p| p.position.to_string()).unwrap_or_default(),
                    section,
                    paragraphs: crate::render::case_paragraphs(&found.case.body),
                    photos: found.case.photos.iter().map(|p| (p.photo_id, p.caption.clone())).collect(),
                };
                (pick.map(|p| p.position), row)
            })
            .collect();
        rows.sort_by_key(|(position, _)| position.unwrap_or(i32::MAX));
        (rows.into_iter().map(|(_, row)| row).collect(), None)
    };
    let flash = match query.msg.as_deref() {
        Some("aggregated") => {
            let (units, written, above) =
                (query.units.unwrap_or(0), query.written.unwrap_or(0), query.above.unwrap_or(0));
            let mut text = lang
                .t(
                    &format!("已按已审核通过的学校数据重新汇总本单位及下级共 {units} 个单位（{written} 个汇总值）。"),
                    &format!("Aggregated this unit and those below it, {units} unit(s) ({written} values), from the schools' approved data."),
                )
                .to_string();
            if above > 0 {
                text.push_str(lang.t(
                    &format!("汇总数有变化，上级 {above} 个单位已存的汇总值已标记为待重新汇总。"),
                    &format!(" The figures changed: the stored aggregates of {above} unit(s) above are marked for re-aggregation."),
                ));
            }
            Some(text)
        }
        Some("chosen") => Some(lang.t("已记录采用哪个数值。", "The choice is recorded.").to_string()),
        Some("saved") => Some(lang.t("已保存。", "Saved.").to_string()),
        Some("picked") => Some(lang.t("案例选择已保存。", "The picked cases are saved.").to_string()),
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
    let mut gate: Vec<String> = publish_gate(&data).into_iter().map(|(zh, en)| lang.t(&zh, &en).to_string()).collect();
    let failing: Vec<&str> = fields.iter().filter(|f| !f.problems.is_empty()).map(|f| f.label.as_str()).collect();
    if !failing.is_empty() {
        gate.push(
            lang.t(
                &format!("{} 个章节引用的数字在已审核数据中缺失或无法计算，报告无法生成（见下方各章节的提示）：{}", failing.len(), failing.join("、")),
                &format!("{} section(s) bind figures the approved data lack; the report cannot be built (see each section): {}", failing.len(), failing.join(", ")),
            )
            .to_string(),
        );
    }
    let stale = access.stale_aggregates(year).await?;
    let stale_notice = stale.iter().find(|mark| mark.org_id == org).map(|mark| stale_text(state, lang, mark));
    let stale_below: Vec<String> = stale
        .iter()
        .filter_map(|mark| state.tree.find(&mark.org_id))
        .filter(|&below| below != index && state.tree.is_within(below, index))
        .map(|below| state.tree.unit(below).name.clone())
        .collect();
    render(&EditorPage {
        chrome: Chrome::new(lang, lang.t("年报编辑", "Report editor"), Some(user)).with_flash(flash),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        tables: crate::pages::table_links(lang, framework, &table.id),
        table_title: format!("{} {}", table.number.clone().unwrap_or_default(), table.caption_for(year, &unit.name)),
        table_id: table.id.clone(),
        undecided: data.differences.iter().filter(|d| d.choice.is_none()).count(),
        rows,
        fields,
        publications: access
            .publications_of(&org)
            .await?
            .into_iter()
            .map(|p| nianbao_store::Publication {
                published_at: lang.time(&p.published_at),
                published_by: people.name(&p.published_by),
                ..p
            })
            .collect(),
        case_rows,
        case_places,
        own_cases,
        review_line,
        stale_notice,
        stale_below,
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
        _ => return Err(AppError::invalid("未知的选择", "unknown choice")),
    };
    if form.indicator == "*" {
        let data = access.report_data(&org, DataScope::Approved).await?;
        for difference in data.differences.iter().filter(|d| d.choice.is_none()) {
            let id = &state.framework.indicator(difference.indicator).id;
            access.choose_figure(&org, year, id, true, "").await?;
        }
    } else {
        access.choose_figure(&org, year, &form.indicator, aggregate, &form.reason).await?;
    }
    let table = if form.table.is_empty() { String::new() } else { format!("table={}&", form.table) };
    Ok(Redirect::to(&format!("/app/editor/{org}?{table}msg=chosen")))
}

/// The editor picks school cases into the report: `pick` = case ids, with `order:<id>` (a
/// number) and `section:<id>` (the narrative section it follows) for each.
pub async fn pick_cases(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let mut picks: Vec<(u32, usize, nianbao_store::CasePick)> = Vec::new();
    for (sent, (name, id)) in fields.iter().enumerate() {
        if name != "pick" {
            continue;
        }
        let case_id: i64 =
            id.trim().parse().map_err(|_| AppError::invalid(format!("无效的案例编号 {id}"), "bad case id"))?;
        let order = value(&format!("order:{case_id}")).unwrap_or_default();
        let order: u32 = if order.is_empty() {
            u32::MAX
        } else {
            order.parse().map_err(|_| {
                AppError::invalid(format!("顺序须为正整数（收到“{order}”）"), "the order must be a whole number")
            })?
        };
        let section = value(&format!("section:{case_id}")).unwrap_or_default();
        picks.push((order, sent, nianbao_store::CasePick { case_id, position: 0, section }));
    }
    picks.sort_by_key(|(order, sent, _)| (*order, *sent));
    let year = state.config.year;
    access.set_case_picks(&org, year, picks.into_iter().map(|(_, _, pick)| pick).collect()).await?;
    Ok(Redirect::to(&format!("/app/editor/{org}?msg=picked#case-picks")))
}

pub async fn aggregate(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Redirect, AppError> {
    let outcome = state.access(&user).aggregate(&org, state.config.year).await?;
    Ok(Redirect::to(&format!(
        "/app/editor/{org}?msg=aggregated&units={}&written={}&above={}",
        outcome.units,
        outcome.written,
        outcome.marked_stale.len()
    )))
}

/// Why a unit's stored aggregates are marked stale, in the reader's language.
fn stale_text(state: &AppState, lang: Lang, mark: &nianbao_store::StaleAggregate) -> String {
    let name =
        state.tree.find(&mark.cause_org_id).map_or(mark.cause_org_id.clone(), |org| state.tree.unit(org).name.clone());
    let at = lang.time(&mark.marked_at);
    match mark.cause {
        nianbao_store::StaleCause::Approval => lang
            .t(
                &format!("本单位已存的汇总值不是最新的：{at} 下级学校“{name}”的审核状态有变化。请重新汇总。"),
                &format!("This unit's stored aggregates are out of date: the approval of “{name}” below changed at {at}. Aggregate again."),
            )
            .to_string(),
        nianbao_store::StaleCause::BelowAggregated => lang
            .t(
                &format!("本单位已存的汇总值不是最新的：{at} 下级单位“{name}”重新汇总后数字有变化。请重新汇总。"),
                &format!("This unit's stored aggregates are out of date: “{name}” below was aggregated again at {at} with different figures. Aggregate again."),
            )
            .to_string(),
    }
}

fn check_section(state: &AppState, org: usize, section: &str) -> Result<(), AppError> {
    let known = editable_fields(template_for(&state.tree.unit(org).id, state.tree.unit(org).level))?
        .into_iter()
        .any(|(key, _)| key == section);
    if known {
        Ok(())
    } else {
        Err(AppError::invalid(format!("未知的章节“{section}”"), format!("unknown section {section:?}")))
    }
}

/// One save for every section: each section typed differently from the text the page was made
/// with is checked against the data and saved; a section whose bindings fail, or that someone else
/// changed meanwhile, is not saved and comes back with its typed text and its problems at their
/// lines. Nothing typed is lost.
pub async fn save_narratives(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let access = state.access(&user);
    let index = access.check(&org, Action::Edit)?;
    let year = state.config.year;
    let known: Vec<String> = editable_fields(template_for(&state.tree.unit(index).id, state.tree.unit(index).level))?
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.replace("\r\n", "\n"));
    // The old one-section form still works.
    let mut sent: Vec<(String, String, Option<String>)> = Vec::new();
    if let (Some(section), Some(body)) = (value("section"), value("body")) {
        sent.push((section, body, None));
    }
    for (name, body) in &fields {
        if let Some(key) = name.strip_prefix("s:") {
            sent.push((key.to_string(), body.replace("\r\n", "\n"), value(&format!("was:{key}"))));
        }
    }
    if let Some((unknown, _, _)) = sent.iter().find(|(key, _, _)| !known.contains(key)) {
        return Err(AppError::invalid(format!("未知的章节 {unknown}"), format!("unknown section {unknown:?}")));
    }
    // Limits are checked for the whole form before any section is stored.
    if sent.len() > known.len() {
        return Err(AppError::invalid(
            "同一章节提交了多次，未保存。",
            "A section was sent more than once; nothing was saved.",
        ));
    }
    if let Some((key, _, _)) =
        sent.iter().find(|(_, body, _)| body.chars().count() > crate::access::MAX_NARRATIVE_CHARS)
    {
        let title = section_titles(template_for(&state.tree.unit(index).id, state.tree.unit(index).level))
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.clone());
        return Err(AppError::invalid(
            format!("章节“{title}”的文字过长（最多 {} 字），全部章节均未保存。", crate::access::MAX_NARRATIVE_CHARS),
            format!(
                "The section {title:?} is too long (at most {} characters); nothing was saved.",
                crate::access::MAX_NARRATIVE_CHARS
            ),
        ));
    }
    let stored = access.narratives(&org, year).await?;
    let bundled: HashMap<String, String> =
        editable_fields(template_for(&state.tree.unit(index).id, state.tree.unit(index).level))?.into_iter().collect();
    let data = access.report_data(&org, DataScope::Approved).await?;
    let mut kept = Kept::default();
    let mut saved = 0;
    for (key, body, was) in &sent {
        let current =
            stored.iter().find(|e| e.section == *key).map(|e| e.body.clone()).unwrap_or_else(|| bundled[key].clone());
        if body.trim() == current.trim() {
            continue;
        }
        kept.typed.insert(key.clone(), (body.clone(), current.clone()));
        if was.as_ref().is_some_and(|was| was.trim() != current.trim()) {
            kept.problems.insert(
                key.clone(),
                vec![lang.t("此章节在您打开页面后已被他人修改：下面是您输入的文字，当前保存的内容见预览；请合并后再保存。", "Someone else changed this section since the page was opened: your text is kept below; merge and save again.").to_string()],
            );
            continue;
        }
        if let Err(problems) = check_section_text(&state.framework, &data.dataset, data.org, year, key, body.trim()) {
            let lines = problems.iter().map(|problem| problem.at_line(lang.language())).collect();
            kept.problems.insert(key.clone(), lines);
            continue;
        }
        access.set_narrative(&org, year, key, body.trim()).await?;
        kept.typed.remove(key);
        saved += 1;
    }
    if kept.problems.is_empty() {
        return Ok(Redirect::to(&format!("/app/editor/{org}?msg=saved&n={saved}")).into_response());
    }
    // Everything typed stays on the page; what was refused says why, at its section.
    let page = editor_page(&state, &user, lang, &org, &EditorQuery::default(), &kept).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The live preview (htmx): one section rendered with its bindings resolved against current data.
pub async fn preview(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Edit)?;
    // `section` names the section; its text is `body`, or the all-sections form's `s:<section>`.
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let section = value("section").ok_or_else(|| AppError::invalid("缺少章节", "section missing"))?;
    let body = value("body").or_else(|| value(&format!("s:{section}"))).unwrap_or_default();
    check_section(&state, index, &section)?;
    let data = access.report_data(&org, DataScope::Approved).await?;
    Ok(Html(preview_section(lang, &state.framework, &data.dataset, data.org, state.config.year, &section, &body)))
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
    let cases = access.printed_cases(&data).await?;
    let mut report = build_report(&state.framework, &data.dataset, data.org, year, &edits, &cases)?;
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
    if !data.cases_left_out.is_empty() {
        open.push((
            format!(
                "{} 个选入的案例所属学校的填报尚未审核通过，不进入报告：{}",
                data.cases_left_out.len(),
                data.cases_left_out.join("、")
            ),
            format!(
                "{} picked case(s) left out, their school's return not approved: {}",
                data.cases_left_out.len(),
                data.cases_left_out.join(", ")
            ),
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
        return Err(AppError::invalid("修改说明过长（最多 500 字）", "the change note is too long (at most 500)"));
    }
    if earlier > 0 && note.is_empty() {
        return Err(AppError::invalid("更正版本须说明修改内容", "a correction needs a note of what changed"));
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
        return Err(AppError::invalid("发布说明过长（最多 500 字）", "the override note is too long (at most 500)"));
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
    let cases = access.printed_cases(&data).await?;
    let mut report = build_report(&framework, &dataset, at, year, &edits, &cases)?;
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
