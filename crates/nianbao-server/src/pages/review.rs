//! Review: the dashboard of a reviewer's schools and one school's return, with the actions on it.

#[allow(unused_imports)]
use super::*;
use crate::access::{Deadlines, Overdue, ReviewRow};
use nianbao_io::excel::ListCell;
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
    /// May be approved with others at once (see [`DashboardRow::eligible`]).
    eligible: bool,
}

/// What the dashboard shows: every school, one status, the overdue ones, those with errors; a
/// search by name or id; the column it is sorted by; the page.
#[derive(Debug, Deserialize, Default)]
pub struct ReviewFilter {
    #[serde(default)]
    show: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    sort: String,
    /// "1": descending.
    #[serde(default)]
    desc: String,
    /// 1-based; anything else is the first page.
    #[serde(default)]
    page: String,
    /// Schools per page: one of [`PAGE_SIZES`]; anything else is the default.
    #[serde(default)]
    per: String,
    /// Only schools with an error or an unexplained warning in this table (a table id).
    #[serde(default)]
    table: String,
}

/// Schools per page the dashboard offers; the first is the default.
pub const PAGE_SIZES: [usize; 5] = [50, 10, 20, 100, 200];

/// The columns the dashboard sorts by (query value).
const SORT_KEYS: [&str; 8] = ["name", "county", "status", "required", "errors", "warnings", "unexplained", "changed"];

/// The dashboard's view as its links carry it: filter, search, sort and page, validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListView {
    show: String,
    query: String,
    sort: &'static str,
    descending: bool,
    page: usize,
    per_page: usize,
    /// A framework table id (an unknown one matches no school), or empty.
    table: String,
}

impl ListView {
    fn from_filter(filter: &ReviewFilter) -> ListView {
        let show = match filter.show.as_str() {
            "" | "all" => String::new(),
            "overdue" | "errors" | "unexplained" | "eligible" => filter.show.clone(),
            status if SubmissionStatus::from_name(status).is_some() => filter.show.clone(),
            _ => String::new(),
        };
        ListView {
            show,
            query: filter.q.trim().chars().take(50).collect(),
            sort: SORT_KEYS.iter().copied().find(|key| *key == filter.sort).unwrap_or(""),
            descending: filter.desc == "1",
            page: filter.page.trim().parse::<usize>().ok().filter(|&p| p >= 1).unwrap_or(1),
            per_page: filter
                .per
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| PAGE_SIZES.contains(n))
                .unwrap_or(PAGE_SIZES[0]),
            table: filter.table.trim().chars().take(40).collect(),
        }
    }

    /// The query string of this view with some parts changed (always starts with `?`).
    fn query_string(&self, show: &str, sort: &str, descending: bool, page: usize) -> String {
        let mut out = form_urlencoded::Serializer::new(String::from("?"));
        if !show.is_empty() {
            out.append_pair("show", show);
        }
        if !self.query.is_empty() {
            out.append_pair("q", &self.query);
        }
        if !self.table.is_empty() {
            out.append_pair("table", &self.table);
        }
        if !sort.is_empty() {
            out.append_pair("sort", sort);
            if descending {
                out.append_pair("desc", "1");
            }
        }
        if page > 1 {
            out.append_pair("page", &page.to_string());
        }
        if self.per_page != PAGE_SIZES[0] {
            out.append_pair("per", &self.per_page.to_string());
        }
        out.finish()
    }

    /// The same view under another filter (first page).
    pub(crate) fn with_show(&self, show: &str) -> String {
        self.query_string(show, self.sort, self.descending, 1)
    }

    /// The same view sorted by `key`: ascending first, then the other way round.
    pub(crate) fn with_sort(&self, key: &str) -> String {
        let descending = self.sort == key && !self.descending;
        self.query_string(&self.show, key, descending, 1)
    }

    pub(crate) fn with_page(&self, page: usize) -> String {
        self.query_string(&self.show, self.sort, self.descending, page)
    }

    /// The whole filtered and sorted list (for the exports and the bulk approval).
    pub(crate) fn unpaged(&self) -> String {
        self.query_string(&self.show, self.sort, self.descending, 1)
    }

    /// ▲/▼ beside the column sorted by, with its name for screen readers.
    pub(crate) fn arrow(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        }
    }

    pub(crate) fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }
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
    view: ListView,
    total: usize,
    /// Schools matching the filter and search (all pages).
    matching: usize,
    /// 1-based numbers of the first and last school shown.
    first_shown: usize,
    last_shown: usize,
    pages: usize,
    rows: Vec<ReviewRowView>,
    /// Matching schools that may be approved in bulk (submitted, no error, warnings explained,
    /// complete) and that the user may approve.
    eligible: usize,
    may_review: bool,
    /// Some school on this page may be ticked for bulk approval (the column shows).
    pickable: bool,
    deadlines: Vec<DeadlineView>,
    may_set_deadlines: bool,
    overdue: usize,
    page_sizes: [usize; 5],
    /// (table id, “附表1 …”, schools with an error or unexplained warning in it).
    problem_tables: Vec<(String, String, usize)>,
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

impl DashboardRow {
    /// Submitted, without errors, every warning explained, every required figure given: a
    /// reviewer may approve it with others at once.
    fn eligible(&self) -> bool {
        self.row.submission.status == SubmissionStatus::Submitted
            && self.row.errors == 0
            && self.row.unexplained == 0
            && self.row.completeness.is_complete()
    }
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

fn matches_filter(state: &AppState, row: &DashboardRow, view: &ListView) -> bool {
    let (show, query) = (view.show.as_str(), view.query.as_str());
    let in_table = view.table.is_empty()
        || state
            .framework
            .tables
            .iter()
            .position(|t| t.id == view.table)
            .is_some_and(|t| row.row.problem_tables.contains(&t));
    if !in_table {
        return false;
    }
    let unit = state.tree.unit(row.row.org);
    let shown = match show {
        "" | "all" => true,
        "overdue" => row.overdue.is_some(),
        "errors" => row.row.errors > 0,
        "unexplained" => row.row.unexplained > 0,
        "eligible" => row.eligible(),
        status => row.row.submission.status.as_str() == status,
    };
    shown && (query.is_empty() || unit.name.contains(query) || unit.id.contains(query))
}

/// Where a status stands in the sort: the order a return moves in.
fn status_rank(status: SubmissionStatus) -> u8 {
    match status {
        SubmissionStatus::NotStarted => 0,
        SubmissionStatus::Draft => 1,
        SubmissionStatus::Returned => 2,
        SubmissionStatus::Submitted => 3,
        SubmissionStatus::Approved => 4,
    }
}

/// The dashboard's schools under the view's filter and search, in its order (tree order unless a
/// column is chosen; ties keep tree order).
fn filtered_rows<'r>(state: &AppState, rows: &'r [DashboardRow], view: &ListView) -> Vec<&'r DashboardRow> {
    let mut chosen: Vec<&DashboardRow> = rows.iter().filter(|row| matches_filter(state, row, view)).collect();
    let county = |row: &DashboardRow| {
        state.tree.unit(row.row.org).parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default()
    };
    let ratio = |row: &DashboardRow| (row.row.completeness.reported(), row.row.completeness.required);
    match view.sort {
        "name" => chosen.sort_by(|a, b| state.tree.unit(a.row.org).name.cmp(&state.tree.unit(b.row.org).name)),
        "county" => chosen.sort_by_cached_key(|row| county(row)),
        "status" => chosen.sort_by_key(|row| status_rank(row.row.submission.status)),
        "required" => chosen.sort_by(|a, b| {
            // Share of required figures given: a/b against c/d as a·d against c·b.
            let ((a_given, a_required), (b_given, b_required)) = (ratio(a), ratio(b));
            (a_given * b_required.max(1)).cmp(&(b_given * a_required.max(1)))
        }),
        "errors" => chosen.sort_by_key(|row| row.row.errors),
        "warnings" => chosen.sort_by_key(|row| row.row.warnings),
        "unexplained" => chosen.sort_by_key(|row| row.row.unexplained),
        "changed" => chosen.sort_by(|a, b| a.row.submission.changed_at.cmp(&b.row.submission.changed_at)),
        _ => {}
    }
    if view.descending && !view.sort.is_empty() {
        chosen.reverse();
    }
    chosen
}

fn row_view(state: &AppState, lang: Lang, people: &crate::access::People, dashboard: &DashboardRow) -> ReviewRowView {
    let DashboardRow { row, overdue } = dashboard;
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
        changed: last_change(lang, people, &row.submission),
        overdue: overdue.as_ref().map(|o| overdue_text(lang, o)).unwrap_or_default(),
        eligible: dashboard.eligible(),
    }
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
    let view = ListView::from_filter(&filter);
    let show = view.show.as_str();
    let mut filters = vec![FilterLink {
        value: "all".into(),
        title: lang.t("全部", "All").into(),
        count: rows.len(),
        chosen: show.is_empty(),
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
    filters.push(FilterLink {
        value: "unexplained".into(),
        title: lang.t("有未说明的警告", "With unexplained warnings").into(),
        count: rows.iter().filter(|r| r.row.unexplained > 0).count(),
        chosen: show == "unexplained",
    });
    filters.push(FilterLink {
        value: "eligible".into(),
        title: lang.t("可直接审核通过", "Ready to approve").into(),
        count: rows.iter().filter(|r| r.eligible()).count(),
        chosen: show == "eligible",
    });
    // Tables with problems somewhere in the scope, each with how many schools (for the filter).
    let problem_tables: Vec<(String, String, usize)> = state
        .framework
        .tables
        .iter()
        .enumerate()
        .filter_map(|(index, table)| {
            let count = rows.iter().filter(|r| r.row.problem_tables.contains(&index)).count();
            (count > 0).then(|| {
                let number = table.number.clone().unwrap_or_default();
                let caption = table.caption_for(year, &state.tree.unit(user.org).name);
                (table.id.clone(), format!("{number} {caption}").trim().to_string(), count)
            })
        })
        .collect();
    let total = rows.len();
    let matching_rows = filtered_rows(&state, &rows, &view);
    let matching = matching_rows.len();
    let pages = matching.div_ceil(view.per_page).max(1);
    let view = ListView { page: view.page.min(pages), ..view };
    let skip = (view.page - 1) * view.per_page;
    let views: Vec<ReviewRowView> =
        matching_rows.iter().skip(skip).take(view.per_page).map(|row| row_view(&state, lang, &people, row)).collect();
    let access = state.access(&user);
    let eligible = matching_rows.iter().filter(|row| row.eligible() && access.may(row.row.org, Action::Review)).count();
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
    let pickable = user.role != Role::School && views.iter().any(|row| row.eligible);
    render(&ReviewListPage {
        chrome: Chrome::new(lang, lang.t("审核", "Review"), Some(&user)).with_flash(flash),
        org_path: state.tree.path_name(user.org),
        year,
        filters,
        total,
        matching,
        first_shown: if views.is_empty() { 0 } else { skip + 1 },
        last_shown: skip + views.len(),
        pages,
        rows: views,
        eligible,
        may_review: user.role != Role::School,
        pickable,
        deadlines: deadline_views,
        may_set_deadlines: user.role != Role::School,
        overdue,
        view,
        page_sizes: {
            let mut sizes = PAGE_SIZES;
            sizes.sort_unstable();
            sizes
        },
        problem_tables,
    })
}

/// The dashboard's columns in an export: (Chinese, English).
const EXPORT_COLUMNS: [(&str, &str); 12] = [
    ("学校", "school"),
    ("单位代码", "school id"),
    ("县区", "county"),
    ("状态", "status"),
    ("必填已填", "required given"),
    ("必填项", "required"),
    ("已填", "values"),
    ("错误", "errors"),
    ("警告", "warnings"),
    ("未说明", "unexplained"),
    ("逾期", "late"),
    ("最近操作", "last change"),
];

fn export_rows(
    state: &AppState,
    lang: Lang,
    people: &crate::access::People,
    rows: &[&DashboardRow],
) -> Vec<Vec<ListCell>> {
    rows.iter()
        .map(|DashboardRow { row, overdue }| {
            let unit = state.tree.unit(row.org);
            let count = |n: usize| ListCell::Count(i64::try_from(n).unwrap_or(i64::MAX));
            vec![
                ListCell::Text(unit.name.clone()),
                ListCell::Text(unit.id.clone()),
                ListCell::Text(unit.parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default()),
                ListCell::Text(lang.t(row.submission.status.title_zh(), row.submission.status.title_en()).to_string()),
                count(row.completeness.reported()),
                count(row.completeness.required),
                count(row.values),
                count(row.errors),
                count(row.warnings),
                count(row.unexplained),
                ListCell::Text(overdue.as_ref().map(|o| overdue_text(lang, o)).unwrap_or_default()),
                ListCell::Text(last_change(lang, people, &row.submission)),
            ]
        })
        .collect()
}

/// The dashboard's list as filtered, searched and sorted, every page: `/app/review.csv` (UTF-8
/// with a byte-order mark, for Excel) or `/app/review.xlsx`.
pub async fn review_export(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(file): Path<String>,
    Query(filter): Query<ReviewFilter>,
) -> Result<Response, AppError> {
    let year = state.config.year;
    let (rows, _) = dashboard_rows(&state, &user, year).await?;
    let people = state.access(&user).people().await?;
    let view = ListView::from_filter(&filter);
    let chosen = filtered_rows(&state, &rows, &view);
    let cells = export_rows(&state, lang, &people, &chosen);
    let header: Vec<String> = EXPORT_COLUMNS.iter().map(|(zh, en)| lang.t(zh, en).to_string()).collect();
    let stem = format!("review-{}-{year}", user.org_id);
    match file.as_str() {
        "review.csv" => {
            let mut out = String::from("\u{feff}");
            out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
            for row in &cells {
                let fields: Vec<String> = row
                    .iter()
                    .map(|cell| match cell {
                        ListCell::Text(text) => csv_field(text),
                        ListCell::Count(count) => count.to_string(),
                    })
                    .collect();
                out.push_str(&fields.join(","));
                out.push_str("\r\n");
            }
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.csv\"")),
                ],
                out,
            )
                .into_response())
        }
        "review.xlsx" => {
            let sheet = lang.t("审核列表", "Review");
            let bytes = nianbao_io::excel::write_list(sheet, &header, &cells)
                .map_err(|error| AppError::Internal(format!("review list workbook: {error}")))?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.xlsx\"")),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}

// ----- approving many at once -----

/// Most returns one bulk approval takes (each is checked again and approved in its own step).
pub const MOST_APPROVED_AT_ONCE: usize = 500;

#[derive(Debug)]
pub(crate) struct BulkRow {
    org_id: String,
    name: String,
    county: String,
    warnings: usize,
    revision: i64,
    /// After approving: what happened (empty before).
    outcome: String,
    approved: bool,
}

#[derive(Template)]
#[template(path = "review_bulk.html")]
pub(crate) struct BulkApprovalPage {
    chrome: Chrome,
    year: i32,
    rows: Vec<BulkRow>,
    /// Chosen schools that cannot be approved in bulk, with why.
    left_out: Vec<(String, String)>,
    /// False: the confirmation; true: the outcome.
    done: bool,
    approved: usize,
    back: String,
}

/// The schools a bulk approval form names: `school` fields (ids), in order, without repeats.
fn chosen_schools(body: &[u8]) -> Vec<String> {
    let mut chosen: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        if key == "school" && !chosen.iter().any(|c| *c == value) {
            chosen.push(value.into_owned());
        }
    }
    chosen
}

/// The confirmation of a bulk approval. GET: every school of the dashboard's view that is ready
/// to approve; POST: the schools ticked on the dashboard. Nothing is approved here: the page
/// lists them, with the revision each was checked at, for the reviewer to confirm.
pub async fn approve_many(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Query(filter): Query<ReviewFilter>,
    method: axum::http::Method,
    body: axum::body::Bytes,
) -> Result<Html<String>, AppError> {
    let year = state.config.year;
    let (rows, _) = dashboard_rows(&state, &user, year).await?;
    let access = state.access(&user);
    let view = ListView::from_filter(&filter);
    let chosen: Vec<&DashboardRow> = if method == axum::http::Method::POST {
        let ids = chosen_schools(&body);
        ids.iter().filter_map(|id| rows.iter().find(|row| state.tree.unit(row.row.org).id == *id)).collect()
    } else {
        filtered_rows(&state, &rows, &view)
    };
    let mut ready = Vec::new();
    let mut left_out = Vec::new();
    for row in chosen {
        let unit = state.tree.unit(row.row.org);
        if !access.may(row.row.org, Action::Review) {
            left_out.push((unit.name.clone(), lang.t("您不能审核此校", "you may not review it").to_string()));
        } else if row.eligible() {
            ready.push(row);
        } else if method == axum::http::Method::POST {
            let why = if row.row.submission.status != SubmissionStatus::Submitted {
                lang.t("不是“已提交”状态", "not submitted")
            } else if row.row.errors > 0 {
                lang.t("有错误", "has errors")
            } else if row.row.unexplained > 0 {
                lang.t("有未说明的警告", "has unexplained warnings")
            } else {
                lang.t("必填项未填全", "required figures missing")
            };
            left_out.push((unit.name.clone(), why.to_string()));
        }
    }
    if ready.len() > MOST_APPROVED_AT_ONCE {
        for row in ready.split_off(MOST_APPROVED_AT_ONCE) {
            left_out.push((
                state.tree.unit(row.row.org).name.clone(),
                lang.t(
                    &format!("一次最多批量审核 {MOST_APPROVED_AT_ONCE} 所，请下一批再审"),
                    &format!("at most {MOST_APPROVED_AT_ONCE} at once: approve it in the next batch"),
                )
                .to_string(),
            ));
        }
    }
    let rows: Vec<BulkRow> = ready
        .iter()
        .map(|row| {
            let unit = state.tree.unit(row.row.org);
            BulkRow {
                org_id: unit.id.clone(),
                name: unit.name.clone(),
                county: unit.parent.map(|p| state.tree.unit(p).name.clone()).unwrap_or_default(),
                warnings: row.row.warnings,
                revision: row.row.submission.revision,
                outcome: String::new(),
                approved: false,
            }
        })
        .collect();
    render(&BulkApprovalPage {
        chrome: Chrome::new(lang, lang.t("批量审核通过", "Approve many"), Some(&user)),
        year,
        rows,
        left_out,
        done: false,
        approved: 0,
        back: format!("/app/review{}", view.unpaged()),
    })
}

/// Approves the confirmed schools, each only as it was confirmed: still submitted, at the same
/// revision, and still without errors when checked again now. Every approval is its own step in
/// the audit trail; the page says what happened to each.
pub async fn approve_many_confirmed(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    body: axum::body::Bytes,
) -> Result<Html<String>, AppError> {
    let year = state.config.year;
    let access = state.access(&user);
    let mut comment = String::new();
    let mut confirmed: Vec<(String, i64)> = Vec::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "comment" => comment = value.into_owned(),
            "confirmed" => {
                let Some((id, revision)) = value.rsplit_once('@') else { continue };
                let Ok(revision) = revision.parse::<i64>() else { continue };
                if !confirmed.iter().any(|(c, _)| c == id) {
                    confirmed.push((id.to_string(), revision));
                }
            }
            _ => {}
        }
    }
    if confirmed.is_empty() {
        return Err(AppError::invalid("没有选中要审核通过的学校。", "No school was chosen."));
    }
    if confirmed.len() > MOST_APPROVED_AT_ONCE {
        return Err(AppError::invalid(
            format!("一次最多批量审核 {MOST_APPROVED_AT_ONCE} 所学校，请分批审核。"),
            format!("At most {MOST_APPROVED_AT_ONCE} schools at once; approve them in batches."),
        ));
    }
    if comment.chars().count() > crate::access::MAX_COMMENT_CHARS {
        return Err(AppError::invalid(
            format!("意见过长（最多 {} 字）", crate::access::MAX_COMMENT_CHARS),
            format!("the comment is too long (at most {})", crate::access::MAX_COMMENT_CHARS),
        ));
    }
    let mut rows = Vec::with_capacity(confirmed.len());
    let mut approved = 0;
    for (org_id, revision) in confirmed {
        let unit = state.tree.find(&org_id).map(|org| state.tree.unit(org));
        let result = access.approve_confirmed(&org_id, year, revision, &comment).await;
        let (outcome, done) = match result {
            Ok(_) => (lang.t("已审核通过", "approved").to_string(), true),
            Err(AppError::Store(nianbao_store::StoreError::ChangedSince { .. })) => (
                lang.t(
                    "未通过：确认之后此校的数据或状态又有变化，请打开此校重新审核",
                    "not approved: its data or status changed after you confirmed; review it again",
                )
                .to_string(),
                false,
            ),
            Err(error) => (format!("{}{}", lang.t("未通过：", "not approved: "), error.message(lang)), false),
        };
        approved += usize::from(done);
        rows.push(BulkRow {
            org_id: org_id.clone(),
            name: unit.map(|u| u.name.clone()).unwrap_or(org_id.clone()),
            county: unit.and_then(|u| u.parent).map(|p| state.tree.unit(p).name.clone()).unwrap_or_default(),
            warnings: 0,
            revision,
            outcome,
            approved: done,
        });
    }
    render(&BulkApprovalPage {
        chrome: Chrome::new(lang, lang.t("批量审核通过", "Approve many"), Some(&user)),
        year,
        rows,
        left_out: Vec::new(),
        done: true,
        approved,
        back: "/app/review".into(),
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
