//! Review: the dashboard of a reviewer's schools and one school's return, with the actions on it.

#[allow(unused_imports)]
use super::*;

// ----- review -----

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
}

#[derive(Template)]
#[template(path = "review_list.html")]
pub(crate) struct ReviewListPage {
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
pub(crate) struct ReviewSchoolPage {
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
