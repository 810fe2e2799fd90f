//! The audit trail of one value: every change, who made it, from where.

#[allow(unused_imports)]
use super::*;

// ----- audit of one value -----

/// How a value came to be, as the reader says it.
pub(crate) fn provenance_title(lang: Lang, provenance: Provenance) -> &'static str {
    match provenance {
        Provenance::Entered => lang.t("网页填报", "entered"),
        Provenance::Imported => lang.t("导入", "imported"),
        Provenance::Aggregated => lang.t("汇总", "aggregated"),
        Provenance::Computed => lang.t("计算", "computed"),
    }
}

/// An audit action, as the reader says it (unknown ones as stored).
pub fn action_title(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "start" => ("开始填报", "started"),
        "submit" => ("提交", "submitted"),
        "return" => ("退回", "returned"),
        "approve" => ("审核通过", "approved"),
        "unlock" => ("解锁", "reopened"),
        "case" => ("保存案例", "case study saved"),
        "case_delete" => ("删除案例", "case study deleted"),
        "case_picks" => ("选择案例", "cases picked"),
        "narrative" => ("修改章节", "section edited"),
        "aggregate" => ("重新汇总", "aggregated"),
        "figure_choice" => ("决定采用数值", "figure decided"),
        "publish_override" => ("说明后发布", "published with a note"),
        "publish" => ("发布", "published"),
        "import" => ("导入 Excel", "workbook imported"),
        "explain" => ("填写说明", "explained"),
        other => return other.to_string(),
    };
    lang.t(zh, en).to_string()
}

#[derive(Template)]
#[template(path = "history.html")]
pub(crate) struct HistoryPage {
    chrome: Chrome,
    org_name: String,
    label: String,
    year: i32,
    entries: Vec<(String, String, String, String, i64, &'static str, String)>,
}

pub async fn value_history(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path((org, indicator)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let at = state.framework.lookup(&indicator).ok_or(AppError::NotFound)?;
    let year = state.config.year;
    let people = access.people().await?;
    let entries = access
        .history(&org, year, &indicator)
        .await?
        .into_iter()
        .map(|e| {
            (
                lang.time(&e.changed_at),
                people.name(&e.changed_by),
                e.old_value.map(|v| v.to_storage_string()).unwrap_or_default(),
                e.new_value.to_storage_string(),
                e.new_version,
                provenance_title(lang, e.provenance),
                e.reason,
            )
        })
        .collect();
    render(&HistoryPage {
        chrome: Chrome::new(lang, lang.t("修改历史", "History"), Some(&user)),
        org_name: state.tree.unit(index).name.clone(),
        label: state.framework.indicator(at).printed_label(),
        year,
        entries,
    })
}
