//! The workspace's front page: what the signed-in user can do.

#[allow(unused_imports)]
use super::*;

// ----- home -----

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    chrome: Chrome,
    org_path: String,
    year: i32,
    links: Vec<(String, String)>,
}

pub async fn home(State(state): State<AppState>, User(user): User, lang: Lang) -> Result<Response, AppError> {
    let access = state.access(&user);
    let org_id = &user.org_id;
    if user.role == Role::School {
        return Ok(Redirect::to(&format!("/app/entry/{org_id}")).into_response());
    }
    let mut links = vec![("/app/review".to_string(), lang.t("学校数据审核", "Review schools").to_string())];
    if access.may(user.org, Action::Edit) {
        links
            .push((format!("/app/editor/{org_id}"), lang.t("汇总与年报编辑", "Aggregates and the report").to_string()));
    }
    if access.check_audit().is_ok() {
        links.push(("/app/audit".to_string(), lang.t("审查已发布的年报", "Audit published reports").to_string()));
    }
    if user.role == Role::Admin {
        links.push(("/app/accounts".to_string(), lang.t("账号管理", "Accounts").to_string()));
    }
    for child in state.tree.children(user.org) {
        if access.may(child, Action::Edit) {
            let unit = state.tree.unit(child);
            links.push((format!("/app/editor/{}", unit.id), format!("{} {}", unit.name, lang.t("年报", "report"))));
        }
    }
    let page = HomePage {
        chrome: Chrome::new(lang, lang.t("工作台", "Workspace"), Some(&user)),
        org_path: state.tree.path_name(user.org),
        year: state.config.year,
        links,
    };
    Ok(render(&page)?.into_response())
}
