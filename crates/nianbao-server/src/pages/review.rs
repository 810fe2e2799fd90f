//! Review: the dashboard of a reviewer's schools and one school's return, with the actions on it.

#[allow(unused_imports)]
use super::*;
use crate::access::{Deadlines, Overdue, ReviewRow};
use nianbao_store::{DeadlineStage, SubmissionStatus};

// ----- the dashboard -----

#[derive(Debug)]
pub(crate) struct ReviewRowView {
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
    /// “逾期 3 天未提交”, empty when on time.
    overdue: String,
}

/// What the dashboard shows: every school, one status, the overdue ones, those with errors; and
/// a search by name or id.
#[derive(Debug, Deserialize, Default)]
pub struct ReviewFilter {
    #[serde(default)]
    show: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    msg: Option<String>,
}

/// A filter link at the top of the dashboard: (query value, title, count, chosen).
#[derive(Debug)]
pub(crate) struct FilterLink {
    value: String,
    title: String,
    count: usize,
    chosen: bool,
}

/// A deadline as the dashboard shows and edits it.
#[derive(Debug)]
pub(crate) struct DeadlineView {
    stage: &'static str,
    title: &'static str,
    /// Set at the user's own org unit (editable here).
    own: String,
    /// Set above (applies unless one is set here): “2025年1月10日（赣州市）”.
    above: String,
}

#[derive(Template)]
#[template(path = "review_list.html")]
pub(crate) struct ReviewListPage {
    chrome: Chrome,
    org_path: String,
    year: i32,
    filters: Vec<FilterLink>,
    query: String,
    show: String,
    total: usize,
    rows: Vec<ReviewRowView>,
    deadlines: Vec<DeadlineView>,
    may_set_deadlines: bool,
    overdue: usize,
}

fn stage_title(lang: Lang, stage: DeadlineStage) -> &'static str {
    match stage {
        DeadlineStage::Submit => lang.t("学校提交截止", "Schools submit by"),
        DeadlineStage::Review => lang.t("审核完成截止", "Reviews done by"),
    }
}

fn overdue_text(lang: Lang, overdue: &Overdue) -> String {
    match (lang, overdue.stage) {
        (Lang::Zh, DeadlineStage::Submit) => format!("逾期 {} 天未提交", overdue.days),
        (Lang::Zh, DeadlineStage::Review) => format!("逾期 {} 天未审核", overdue.days),
        (Lang::En, DeadlineStage::Submit) => format!("{} day(s) late: not submitted", overdue.days),
        (Lang::En, DeadlineStage::Review) => format!("{} day(s) late: not reviewed", overdue.days),
    }
}

/// Who last moved a return and when (“于都县县级审核 2026年12月2日 09:37”); empty if nobody has.
fn last_change(lang: Lang, people: &crate::access::People, submission: &nianbao_store::Submission) -> String {
    if submission.changed_at.is_empty() {
        String::new()
    } else {
        format!("{} {}", people.name(&submission.changed_by), lang.time(&submission.changed_at))
    }
}

/// A school of the dashboard with its deadline state.
struct DashboardRow {
    row: ReviewRow,
    overdue: Option<Overdue>,
}

async fn dashboard_rows(
    state: &AppState,
    user: &Principal,
    year: i32,
) -> Result<(Vec<DashboardRow>, Deadlines), AppError> {
    let access = state.access(user);
    let deadlines = access.deadlines(year).await?;
    let today = crate::i18n::today_days();
    let rows = access
        .review_rows(year)
        .await?
        .into_iter()
        .map(|row| DashboardRow { overdue: deadlines.overdue(&state.tree, row.org, row.submission.status, today), row })
        .collect();
    Ok((rows, deadlines))
}

fn matches_filter(state: &AppState, row: &DashboardRow, show: &str, query: &str) -> bool {
    let unit = state.tree.unit(row.row.org);
    let shown = match show {
        "" | "all" => true,
        "overdue" => row.overdue.is_some(),
        "errors" => row.row.errors > 0,
        status => row.row.submission.status.as_str() == status,
    };
    shown && (query.is_empty() || unit.name.contains(query) || unit.id.contains(query))
}

pub async fn review_list(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Query(filter): Query<ReviewFilter>,
) -> Result<Html<String>, AppError> {
    let year = state.config.year;
    let (rows, deadlines) = dashboard_rows(&state, &user, year).await?;
    let people = state.access(&user).people().await?;
    let query: String = filter.q.trim().chars().take(50).collect();
    let show = filter.show.clone();
    let mut filters = vec![FilterLink {
        value: "all".into(),
        title: lang.t("全部", "All").into(),
        count: rows.len(),
        chosen: show.is_empty() || show == "all",
    }];
    for status in [
        SubmissionStatus::NotStarted,
        SubmissionStatus::Draft,
        SubmissionStatus::Submitted,
        SubmissionStatus::Returned,
        SubmissionStatus::Approved,
    ] {
        let count = rows.iter().filter(|r| r.row.submission.status == status).count();
        filters.push(FilterLink {
            value: status.as_str().into(),
            title: lang.t(status.title_zh(), status.title_en()).into(),
            count,
            chosen: show == status.as_str(),
        });
    }
    let overdue = rows.iter().filter(|r| r.overdue.is_some()).count();
    filters.push(FilterLink {
        value: "overdue".into(),
        title: lang.t("逾期", "Overdue").into(),
        count: overdue,
        chosen: show == "overdue",
    });
    filters.push(FilterLink {
        value: "errors".into(),
        title: lang.t("有错误", "With errors").into(),
        count: rows.iter().filter(|r| r.row.errors > 0).count(),
        chosen: show == "errors",
    });
    let total = rows.len();
    let views: Vec<ReviewRowView> = rows
        .iter()
        .filter(|row| matches_filter(&state, row, &show, &query))
        .map(|DashboardRow { row, overdue }| {
            let unit = state.tree.unit(row.org);
            ReviewRowView {
                org_id: unit.id.clone(),
                name: unit.name.clone(),
                county: unit.parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default(),
                status: lang.t(row.submission.status.title_zh(), row.submission.status.title_en()).to_string(),
                status_code: row.submission.status.as_str(),
                values: row.values,
                required: format!("{} / {}", row.completeness.reported(), row.completeness.required),
                incomplete: !row.completeness.is_complete(),
                errors: row.errors,
                warnings: row.warnings,
                unexplained: row.unexplained,
                changed: last_change(lang, &people, &row.submission),
                overdue: overdue.as_ref().map(|o| overdue_text(lang, o)).unwrap_or_default(),
            }
        })
        .collect();
    let deadline_views = DeadlineStage::ALL
        .into_iter()
        .map(|stage| DeadlineView {
            stage: stage.as_str(),
            title: stage_title(lang, stage),
            own: deadlines.own(user.org, stage).map(|d| d.due_on.clone()).unwrap_or_default(),
            above: state
                .tree
                .unit(user.org)
                .parent
                .and_then(|parent| deadlines.applying(&state.tree, parent, stage))
                .map(|(at, d)| format!("{}（{}）", lang.day(&d.due_on), state.tree.unit(at).name))
                .unwrap_or_default(),
        })
        .collect();
    let flash = match filter.msg.as_deref() {
        Some("deadlines") => Some(lang.t("截止日期已保存。", "Deadlines saved.").to_string()),
        _ => None,
    };
    render(&ReviewListPage {
        chrome: Chrome::new(lang, lang.t("审核", "Review"), Some(&user)).with_flash(flash),
        org_path: state.tree.path_name(user.org),
        year,
        filters,
        query,
        show,
        total,
        rows: views,
        deadlines: deadline_views,
        may_set_deadlines: user.role != Role::School,
        overdue,
    })
}

#[derive(Debug, Deserialize)]
pub struct DeadlineForm {
    #[serde(default)]
    submit: String,
    #[serde(default)]
    review: String,
}

/// Sets the deadlines of the open year for the reviewer's own org unit (and everything below).
pub async fn set_deadlines(
    State(state): State<AppState>,
    User(user): User,
    Form(form): Form<DeadlineForm>,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    // Both are checked before either is stored.
    crate::access::check_deadline_day(&form.submit)?;
    crate::access::check_deadline_day(&form.review)?;
    let current = access.deadlines(state.config.year).await?;
    for (stage, text) in [(DeadlineStage::Submit, &form.submit), (DeadlineStage::Review, &form.review)] {
        let was = current.own(user.org, stage).map(|d| d.due_on.as_str()).unwrap_or("");
        if was != text.trim() {
            access.set_deadline(stage, text).await?;
        }
    }
    Ok(Redirect::to("/app/review?msg=deadlines"))
}

/// The 催报 list: every overdue school of the reviewer's scope, as a CSV file Excel opens
/// (UTF-8 with a byte-order mark), with who to call.
pub async fn reminders_csv(State(state): State<AppState>, User(user): User, lang: Lang) -> Result<Response, AppError> {
    let year = state.config.year;
    let (rows, _) = dashboard_rows(&state, &user, year).await?;
    let access = state.access(&user);
    let people = access.people().await?;
    let mut out = String::from("\u{feff}");
    let header = if lang.is_en() {
        "school,school id,county,status,late,deadline,required filled,errors,last change,clerks"
    } else {
        "学校,单位代码,县区,状态,逾期,截止日期,必填已填,错误,最近操作,填报员"
    };
    out.push_str(header);
    out.push_str("\r\n");
    for DashboardRow { row, overdue } in &rows {
        let Some(overdue) = overdue else { continue };
        let unit = state.tree.unit(row.org);
        let fields = [
            unit.name.clone(),
            unit.id.clone(),
            unit.parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default(),
            lang.t(row.submission.status.title_zh(), row.submission.status.title_en()).to_string(),
            overdue_text(lang, overdue),
            lang.day(&overdue.due_on),
            format!("{} / {}", row.completeness.reported(), row.completeness.required),
            row.errors.to_string(),
            last_change(lang, &people, &row.submission),
            people.clerks_of(&unit.id).join("、"),
        ];
        out.push_str(&fields.iter().map(|field| csv_field(field)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let name = format!("reminders-{}-{year}.csv", user.org_id);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        out,
    )
        .into_response())
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is
/// prefixed with an apostrophe so that a spreadsheet does not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

#[derive(Template)]
#[template(path = "review_school.html")]
pub(crate) struct ReviewSchoolPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    status_code: &'static str,
    status_title: &'static str,
    status_comment: String,
    tabs: Vec<(String, String)>,
    findings: Vec<ReviewFinding>,
    /// “reported / required”, and the required figures still empty.
    required: String,
    missing: Vec<String>,
    may_review: bool,
    may_unlock: bool,
    events: Vec<EventView>,
    /// Since when changes are shown (“2026年12月1日 15:52 退回”), and the changes.
    changes_since: String,
    changes: Vec<ChangeView>,
    /// The next school of the dashboard waiting for review (else the next one): (id, name).
    next: Option<(String, String)>,
    /// The school's deadline state, e.g. “逾期 3 天未提交”.
    overdue: String,
}

/// A finding with the figures it is about, each linked to its cell.
#[derive(Debug)]
pub(crate) struct ReviewFinding {
    view: FindingView,
    cells: Vec<CellView>,
}

#[derive(Debug)]
pub(crate) struct CellView {
    href: String,
    place: String,
    value: String,
}

/// One figure changed since the return was sent back.
#[derive(Debug)]
pub(crate) struct ChangeView {
    href: String,
    place: String,
    before: String,
    after: String,
    by: String,
    at: String,
}

fn shown_value(lang: Lang, value: &Value, unit: &str) -> String {
    match value {
        Value::Missing => lang.t("（空）", "(empty)").to_string(),
        Value::NotApplicable => lang.t("不适用", "not applicable").to_string(),
        // A ratio's “:” (and any unit that is only punctuation) reads better left off.
        other if !unit.chars().any(char::is_alphanumeric) || !matches!(other, Value::Number(_)) => other.to_string(),
        other => format!("{other} {unit}"),
    }
}

/// An audit event as the reader sees it: local time, action in words.
#[derive(Debug)]
pub(crate) struct EventView {
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
    let (changes_since, changes) = match access.changes_since_return(&org, year).await? {
        Some((event, changes)) => (
            format!("{} {}", lang.time(&event.at), action_title(lang, &event.action)),
            changes
                .into_iter()
                .map(|(indicator_id, entry)| {
                    let (place, unit_text, table_id) = match state.framework.lookup(&indicator_id) {
                        Some(index) => {
                            let indicator = state.framework.indicator(index);
                            let table = &state.framework.tables[indicator.table];
                            (
                                format!(
                                    "{} {}",
                                    table.number.clone().unwrap_or_else(|| short_caption(lang, table)),
                                    lang.t(&indicator.printed_label(), &indicator.name_en)
                                ),
                                indicator.printed_unit(),
                                table.id.clone(),
                            )
                        }
                        None => (indicator_id.clone(), "", String::new()),
                    };
                    ChangeView {
                        href: format!("/app/entry/{}/{table_id}#row-{}", unit.id, cell_dom_id(&indicator_id)),
                        place,
                        before: entry
                            .old_value
                            .as_ref()
                            .map(|v| shown_value(lang, v, unit_text))
                            .unwrap_or_else(|| lang.t("（空）", "(empty)").to_string()),
                        after: shown_value(lang, &entry.new_value, unit_text),
                        by: people.name(&entry.changed_by),
                        at: lang.time(&entry.changed_at),
                    }
                })
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    // The next school: the next one in the dashboard's order waiting for review, else the next.
    // Only the statuses are read, not every school's values (the dashboard's findings).
    let statuses = access.school_statuses(year).await?;
    let position = statuses.iter().position(|(org, _)| *org == data.org);
    let after: Vec<&(usize, SubmissionStatus)> = match position {
        Some(at) => statuses[at + 1..].iter().chain(statuses[..at].iter()).collect(),
        None => statuses.iter().collect(),
    };
    let next = after.iter().find(|(_, status)| *status == SubmissionStatus::Submitted).or_else(|| after.first()).map(
        |(org, _)| {
            let next = state.tree.unit(*org);
            (next.id.clone(), next.name.clone())
        },
    );
    let deadlines = access.deadlines(year).await?;
    let overdue = deadlines
        .overdue(&state.tree, data.org, status, crate::i18n::today_days())
        .map(|o| overdue_text(lang, &o))
        .unwrap_or_default();
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
            .filter(|t| asked_of_schools(&state.framework, t))
            .map(|t| (t.id.clone(), t.number.clone().unwrap_or_else(|| t.caption.clone())))
            .collect(),
        findings: data
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(|f| ReviewFinding {
                view: finding_view(lang, f, &data),
                cells: f
                    .cells
                    .iter()
                    .map(|cell| CellView {
                        href: format!(
                            "/app/entry/{}/{}#row-{}",
                            unit.id,
                            cell.table_id,
                            cell_dom_id(&cell.indicator_id)
                        ),
                        place: format!(
                            "{} {} {}{}",
                            cell.table_number.clone().unwrap_or_default(),
                            cell.label,
                            cell.year,
                            lang.t("年", "")
                        ),
                        value: shown_value(lang, &cell.value, cell.unit),
                    })
                    .collect(),
            })
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
        changes_since,
        changes,
        next,
        overdue,
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
