//! School data entry: the grid of one table with findings at the cells, saving, explanations and submission.

#[allow(unused_imports)]
use super::*;

// ----- data entry -----

#[derive(Debug)]
pub(crate) struct Tab {
    id: String,
    title: String,
    active: bool,
    /// Errors and warnings in the table's cells, badged apart.
    errors: usize,
    warnings: usize,
}

#[derive(Debug)]
pub(crate) struct ExtraCell {
    id: String,
    value: String,
    version: String,
    was: String,
    /// What was typed here cannot be read as a value.
    input_problem: String,
}

#[derive(Debug)]
pub(crate) struct EntryRow {
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
    /// The findings at this cell: each finding's message once, at the first of its cells in this
    /// table, with links to the other cells; a pointer to it at those other cells.
    notes: Vec<CellNote>,
    /// What the clerk typed here cannot be read as a value (nothing of the save was stored).
    input_problem: String,
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

/// A finding as shown at one cell of the grid.
#[derive(Debug)]
pub(crate) struct CellNote {
    severity: Severity,
    /// The message (at its home cell), or where it is said (at the others).
    text: String,
    /// The element id of the message at its home cell.
    anchor: String,
    /// The other cells the finding involves: (link, label with value).
    links: Vec<(String, String)>,
    /// This note points at the message said at another cell…
    pointer: bool,
    /// …of this label.
    home_label: String,
}

#[derive(Debug)]
pub(crate) struct FindingView {
    pub(crate) rule_id: String,
    pub(crate) dom_id: String,
    pub(crate) severity: &'static str,
    pub(crate) place: String,
    pub(crate) message: String,
    pub(crate) explanation: String,
    /// An explanation written when the values were different: shown, no longer counted.
    pub(crate) outdated: String,
}

#[derive(Template)]
#[template(path = "entry.html")]
pub(crate) struct EntryPage {
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
    /// Warnings of the whole return, and how many of them belong to other tables.
    warning_total: usize,
    other_warnings: usize,
    unexplained: usize,
    /// What happened to the return lately (returned, approved): (class, text).
    notice: Option<(&'static str, String)>,
    /// The submission deadline: (text, late).
    deadline: Option<(String, bool)>,
    /// Required figures of the year, and how many of them are filled.
    required: usize,
    reported: usize,
    other_findings: Vec<FindingView>,
    problems: Vec<String>,
}

/// The element id of a grid row (`row-…`), its input (`v-…`) and a finding's message there: the
/// id with every character other than letters, digits and `_` as `-` (t2.campus_staff → t2-campus_staff).
pub(crate) fn cell_dom_id(id: &str) -> String {
    id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "-")
}

pub(crate) fn finding_place(finding: &Finding) -> String {
    // The cell of the finding's own year first (a year-over-year check also names the year before).
    let cell = finding.cells.iter().find(|c| c.year == finding.year).or(finding.cells.first());
    match cell {
        Some(cell) => format!("{} {}（{} 年）", cell.table_number.clone().unwrap_or_default(), cell.label, cell.year),
        None => finding.rule_text.clone(),
    }
}

pub(crate) fn finding_view(lang: Lang, finding: &Finding, data: &SchoolYear) -> FindingView {
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

/// Whether a school's forms show a table ([`nianbao_core::Framework::table_asks`]).
pub(crate) fn asked_of_schools(framework: &nianbao_core::Framework, table: &nianbao_core::Table) -> bool {
    framework.table_asks(nianbao_core::OrgLevel::School, table)
}

/// A finding as said at the cell of `indicator_id` in `table`: in full at its home cell (the
/// shallowest of its cells that this form shows), with links to every other cell it involves; elsewhere a
/// pointer to that message. So a sum over four cells is said once, not four times.
#[allow(clippy::too_many_arguments, reason = "the finding, the cell and the form it is shown in")]
fn cell_note(
    lang: Lang,
    framework: &nianbao_core::Framework,
    finding: &Finding,
    indicator_id: &str,
    table: &nianbao_core::Table,
    year: i32,
    asked: &[&str],
    org_id: &str,
) -> CellNote {
    let shown_here = |cell: &&nianbao_core::validation::CellRef| {
        cell.year == year && cell.table_id == table.id && asked.contains(&cell.indicator_id.as_str())
    };
    // The home is the cell a reader looks at first: the shallowest in the 其中 hierarchy (the
    // total of a sum), the first of them as the rule is written.
    let depth = |id: &str| framework.lookup(id).map_or(usize::MAX, |index| framework.depth(index));
    let home = finding
        .cells
        .iter()
        .filter(shown_here)
        .min_by_key(|cell| depth(&cell.indicator_id))
        .map(|c| c.indicator_id.as_str())
        .unwrap_or(indicator_id);
    let anchor = format!("finding-{}-{}", cell_dom_id(&finding.rule_id), cell_dom_id(home));
    let severity = finding.severity;
    if home != indicator_id {
        let home_label = finding
            .cells
            .iter()
            .find(|c| c.indicator_id == home)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| home.to_string());
        let text = pointer_text(lang, finding.severity, &home_label, 1);
        return CellNote { severity, text, anchor, links: Vec::new(), pointer: true, home_label };
    }
    let mut links: Vec<(String, String)> = Vec::new();
    let mut seen = vec![(indicator_id.to_string(), year)];
    for cell in &finding.cells {
        if seen.contains(&(cell.indicator_id.clone(), cell.year)) {
            continue;
        }
        seen.push((cell.indicator_id.clone(), cell.year));
        let value =
            if cell.value_text.is_empty() { lang.t("空", "empty").to_string() } else { cell.value_text.clone() };
        let unit = if cell.value_text.is_empty() { "" } else { cell.unit };
        let (href, label) = if cell.year != year {
            (
                format!("/app/history/{org_id}/{}", cell.indicator_id),
                lang.t(
                    &format!("{} 年{} {value}{unit}", cell.year, cell.label),
                    &format!("{} {} {value} {unit}", cell.year, cell.label),
                )
                .to_string(),
            )
        } else if cell.table_id == table.id {
            (format!("#row-{}", cell_dom_id(&cell.indicator_id)), format!("{} {value}{unit}", cell.label))
        } else {
            let number = cell.table_number.clone().unwrap_or_else(|| cell.table_caption.clone());
            (
                format!("/app/entry/{org_id}/{}#row-{}", cell.table_id, cell_dom_id(&cell.indicator_id)),
                format!("{number} {} {value}{unit}", cell.label),
            )
        };
        links.push((href, label));
    }
    let text = lang.t(&finding.message_zh, &finding.message_en).to_string();
    CellNote { severity, text, anchor, links, pointer: false, home_label: String::new() }
}

/// Where the message of `count` checks involving a cell is said.
fn pointer_text(lang: Lang, severity: Severity, home: &str, count: usize) -> String {
    match (severity, count) {
        (Severity::Error, 1) => lang
            .t(
                &format!("此格参与的一项检查未通过，见“{home}”处"),
                &format!("This cell is part of a failed check: see “{home}”"),
            )
            .to_string(),
        (Severity::Error, n) => lang
            .t(
                &format!("此格参与的 {n} 项检查未通过，见“{home}”处"),
                &format!("This cell is part of {n} failed checks: see “{home}”"),
            )
            .to_string(),
        (_, 1) => lang
            .t(
                &format!("此格参与的一项检查有警告，见“{home}”处"),
                &format!("This cell is part of a check with a warning: see “{home}”"),
            )
            .to_string(),
        (_, n) => lang
            .t(
                &format!("此格参与的 {n} 项检查有警告，见“{home}”处"),
                &format!("This cell is part of {n} checks with warnings: see “{home}”"),
            )
            .to_string(),
    }
}

/// The notes of one cell: what is said here first, then one pointer per other cell and severity
/// where the rest is said (“此格参与的 2 项检查未通过，见…”).
fn merge_pointers(lang: Lang, notes: Vec<CellNote>) -> Vec<CellNote> {
    let (mut merged, pointers): (Vec<CellNote>, Vec<CellNote>) = notes.into_iter().partition(|note| !note.pointer);
    let mut grouped: Vec<(CellNote, usize)> = Vec::new();
    for pointer in pointers {
        match grouped.iter_mut().find(|(g, _)| g.home_label == pointer.home_label && g.severity == pointer.severity) {
            Some((_, count)) => *count += 1,
            None => grouped.push((pointer, 1)),
        }
    }
    for (mut pointer, count) in grouped {
        pointer.text = pointer_text(lang, pointer.severity, &pointer.home_label, count);
        merged.push(pointer);
    }
    merged
}

/// Does `finding` point at a cell of any table in `year`?
fn framework_tables_touched(framework: &nianbao_core::Framework, finding: &Finding, year: i32) -> bool {
    framework.tables.iter().any(|t| touches(finding, &t.id, year))
}

/// Does `finding` point at a cell of `table` in `year`?
pub(crate) fn touches(finding: &Finding, table_id: &str, year: i32) -> bool {
    finding.cells.iter().any(|cell| cell.table_id == table_id && cell.year == year)
}

pub(crate) fn table_index(state: &AppState, table_id: &str) -> Result<usize, AppError> {
    state.framework.tables.iter().position(|t| t.id == table_id).ok_or(AppError::NotFound)
}

/// Builds the entry page; `typed` holds what the user typed when a save was refused.
#[allow(clippy::too_many_arguments, reason = "one page, built from everything it shows")]
pub(crate) async fn entry_page(
    state: &AppState,
    access: &Access<'_>,
    lang: Lang,
    data: &SchoolYear,
    table: usize,
    typed: &HashMap<String, TypedCell>,
    problems: Vec<String>,
    flash: Option<String>,
) -> Result<Html<String>, AppError> {
    let context = access.return_context(data).await?;
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
    // A form asks only what the org unit's level reports (`Framework::asks`).
    let asked: Vec<&str> = table
        .rows
        .iter()
        .filter(|&&index| framework.asks(unit.level, index))
        .map(|&index| framework.indicator(index).id.as_str())
        .collect();
    let rows = table
        .rows
        .iter()
        .filter(|&&index| framework.asks(unit.level, index))
        .map(|&index| {
            let indicator = framework.indicator(index);
            let related: Vec<&Finding> = data
                .findings
                .iter()
                .filter(|f| f.cells.iter().any(|c| c.indicator_id == indicator.id && c.year == year))
                .collect();
            let input_problem = typed.get(&indicator.id).map(|cell| cell.problem.clone()).unwrap_or_default();
            let state_class = if !input_problem.is_empty() || related.iter().any(|f| f.severity == Severity::Error) {
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
                dom_id: cell_dom_id(&indicator.id),
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
                notes: merge_pointers(
                    lang,
                    related
                        .iter()
                        .filter(|f| f.severity != Severity::Info)
                        .map(|f| cell_note(lang, framework, f, &indicator.id, table, year, &asked, &unit.id))
                        .collect(),
                ),
                input_problem,
                extras: table
                    .extra_columns
                    .iter()
                    .map(|&column| match framework.companion(index, column) {
                        Some(companion) => {
                            let id = framework.indicator(companion).id.clone();
                            let (value, version, was) = input_text(&id);
                            let input_problem = typed.get(&id).map(|cell| cell.problem.clone()).unwrap_or_default();
                            ExtraCell { id, value, version, was, input_problem }
                        }
                        None => ExtraCell {
                            id: String::new(),
                            value: String::new(),
                            version: String::new(),
                            was: String::new(),
                            input_problem: String::new(),
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    let tabs = framework
        .tables
        .iter()
        .filter(|t| asked_of_schools(framework, t))
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
    // Only this table's warnings are explained here (and any that sit in no table of the year);
    // the others are counted, each under its own tab.
    let placed = |f: &Finding| framework_tables_touched(&state.framework, f, year);
    let warnings: Vec<FindingView> = data
        .warnings()
        .filter(|f| touches(f, &table.id, year) || !placed(f))
        .map(|f| finding_view(lang, f, data))
        .collect();
    let warning_total = data.warnings().count();
    let other_warnings = warning_total - warnings.len();
    let other_findings = data
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !touches(f, &table.id, year))
        .map(|f| finding_view(lang, f, data))
        .collect();
    let status = data.submission.status;
    let when = lang.time(&data.submission.changed_at);
    let notice = match status {
        nianbao_store::SubmissionStatus::Returned => Some((
            "returned",
            if lang.is_en() {
                format!(
                    "Returned for changes by {} on {when}. Correct the data and submit again.",
                    context.changed_by_name
                )
            } else {
                format!("本年度数据已于 {when} 退回修改（{}），请按审核意见修改后重新提交。", context.changed_by_name)
            },
        )),
        nianbao_store::SubmissionStatus::Approved => Some((
            "approved",
            if lang.is_en() {
                format!("Approved by {} on {when}; the data is locked.", context.changed_by_name)
            } else {
                format!("本年度数据已于 {when} 审核通过（{}），数据已锁定。", context.changed_by_name)
            },
        )),
        _ => None,
    };
    let deadline = context.submit_by.as_deref().and_then(|due_on| {
        let due = crate::i18n::parse_day(due_on)?;
        let today = crate::i18n::today_days();
        let open = matches!(
            status,
            nianbao_store::SubmissionStatus::NotStarted
                | nianbao_store::SubmissionStatus::Draft
                | nianbao_store::SubmissionStatus::Returned
        );
        let left = due - today;
        let tail = match (open, left) {
            (false, _) => String::new(),
            (true, left) if left < 0 => {
                if lang.is_en() {
                    format!(" — {} day(s) late", -left)
                } else {
                    format!("（已逾期 {} 天）", -left)
                }
            }
            (true, 0) => lang.t("（今天截止）", " — due today").to_string(),
            (true, left) => {
                if lang.is_en() {
                    format!(" — {left} day(s) left")
                } else {
                    format!("（还有 {left} 天）")
                }
            }
        };
        Some((format!("{}{}{tail}", lang.t("提交截止：", "Submit by "), lang.day(due_on)), open && left < 0))
    });
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
        warning_total,
        other_warnings,
        other_findings,
        problems,
        notice,
        deadline,
    };
    render(&page)
}

pub async fn entry_first_table(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Redirect, AppError> {
    state.access(&user).check(&org, Action::Read)?;
    let first =
        state.framework.tables.iter().find(|t| asked_of_schools(&state.framework, t)).ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/app/entry/{org}/{}", first.id)))
}

#[derive(Debug, Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    saved: Option<usize>,
    #[serde(default)]
    msg: Option<String>,
}

pub(crate) fn notice_text(lang: Lang, notice: &Notice) -> Option<String> {
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
    entry_page(&state, &access, lang, &data, table, &HashMap::new(), Vec::new(), notice_text(lang, &notice)).await
}

/// A cell as the clerk left it in the form: the text, and the version and value it was typed over.
#[derive(Debug, Clone, Default)]
pub struct TypedCell {
    text: String,
    version: String,
    was: String,
    /// Why the text cannot be taken (said at the cell as well as above the form).
    problem: String,
}

/// Reads the entry form: the writes for the cells the clerk changed (typed differently from the
/// value the form was made with, each with that value's version), or the problems (with the
/// typed texts kept).
pub(crate) fn read_entry_form(
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
        typed.insert(
            id.to_string(),
            TypedCell { text: raw.clone(), version: version_text.clone(), was: was.clone(), problem: String::new() },
        );
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
                if let Some(cell) = typed.get_mut(id) {
                    // The reason names what was typed; the cell shows it beside the text.
                    cell.problem = lang.t(&zh, &en).to_string();
                }
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
        let html = entry_page(&state, &access, lang, &data, table_at, &typed, problems, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let placed: Vec<crate::exchange::PlacedWrite> = writes.iter().map(|w| (w.clone(), String::new())).collect();
    let outcomes = match access.save_cells(&org, year, writes).await {
        Ok(outcomes) => outcomes,
        Err(error @ (AppError::Conflict { .. } | AppError::Invalid { .. } | AppError::Store(_))) => {
            let html =
                entry_page(&state, &access, lang, &data, table_at, &typed, vec![error.message(lang)], None).await?;
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
    let html = entry_page(&state, &access, lang, &data, table_at, &HashMap::new(), conflicts, flash).await?;
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
