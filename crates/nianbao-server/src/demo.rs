//! A demonstration deployment: the bundled sample data (synthetic schools, marked as sample),
//! 2023 approved as a past year, 2024 open, and one account per school and reviewer.

use nianbao_core::{Framework, OrgLevel};
use nianbao_store::{Account, LoadOptions, Provenance, ReadLayer, Role, Store, SubmissionStatus, Transition};
use std::path::Path;

/// The password of every demonstration account. Sample only: never use it in a real deployment.
pub const DEMO_PASSWORD: &str = "nianbao-sample";

/// The school whose current-year data the demo tidies so that it passes every rule.
pub const WALKTHROUGH_SCHOOL: &str = "yudu-s1";

/// A demonstration account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub org_id: String,
    pub display_name: String,
}

/// Accounts for a tree: `admin` at the root, `<city>-editor` per city, `<county>-reviewer` per
/// county, and each school's id as its reporter's user name.
pub fn demo_accounts(units: &[nianbao_core::OrgUnit]) -> Vec<DemoAccount> {
    units
        .iter()
        .enumerate()
        .filter_map(|(index, unit)| {
            let (username, role, title) = match unit.level {
                _ if index == 0 => ("admin".to_string(), Role::Admin, "管理员"),
                OrgLevel::City => (format!("{}-editor", unit.id), Role::City, "市级编辑"),
                OrgLevel::County => (format!("{}-reviewer", unit.id), Role::County, "县级审核"),
                OrgLevel::School => (unit.id.clone(), Role::School, "填报员"),
                _ => return None,
            };
            Some(DemoAccount {
                username,
                role,
                org_id: unit.id.clone(),
                display_name: format!("{}{title}", unit.name.trim_end_matches("（样例）")),
            })
        })
        .collect()
}

/// Loads the dataset folder into an empty store, aggregates both years, marks `past_year` as
/// approved for every school and creates the demonstration accounts.
pub async fn seed(
    store: &dyn Store,
    framework: &Framework,
    dataset_dir: &Path,
    past_year: i32,
) -> Result<Vec<DemoAccount>, String> {
    let mut loaded = nianbao_io::load_dataset_dir(dataset_dir).map_err(|e| e.to_string())?;
    // Schools enter one quantity once: a sample school's copy (`same_as`) that repeats its
    // primary is left to show the primary; one that differs stays, for the rules to find.
    let copies: Vec<_> = framework.copies().collect();
    let schools: Vec<bool> = loaded.dataset.orgs.iter().map(|u| u.level == OrgLevel::School).collect();
    for ((org, _), slots) in loaded.dataset.iter_slots_mut() {
        if !schools[org] {
            continue;
        }
        for &(copy, primary) in &copies {
            if slots[copy.0] == slots[primary.0] {
                slots[copy.0] = nianbao_core::Value::Missing;
            }
        }
    }
    let options =
        LoadOptions { provenance: Provenance::Imported, actor: "nianbao demo".into(), reason: "sample data".into() };
    store.load(framework, &loaded.dataset, &options, &|_, _| {}).await.map_err(|e| e.to_string())?;
    let units = store.org_units().await.map_err(|e| e.to_string())?;
    for unit in units.iter().filter(|u| u.level == OrgLevel::School) {
        store
            .transition(&Transition {
                org_id: &unit.id,
                year: past_year,
                from: &[SubmissionStatus::NotStarted],
                to: SubmissionStatus::Approved,
                actor: "nianbao demo",
                comment: "往年数据（样例）",
                action: "approve",
                expected_revision: None,
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    // Aggregates are of approved returns only (here the past year's).
    let mut reported = store.read_dataset(framework, ReadLayer::Reported).await.map_err(|e| e.to_string())?;
    reported.retain_org_years(|unit, year| unit.level != OrgLevel::School || year == past_year);
    nianbao_core::completeness::fill_copies(framework, &mut reported);
    for year in reported.years() {
        let rolled = nianbao_core::aggregate::roll_up(framework, &reported, year);
        store.replace_aggregates(framework, &reported, &rolled, "nianbao demo").await.map_err(|e| e.to_string())?;
    }
    // The walk-through school starts from data without errors (warnings stay, to be explained).
    if units.iter().any(|u| u.id == WALKTHROUGH_SCHOOL) {
        tidy_school(store, framework, WALKTHROUGH_SCHOOL, past_year + 1).await?;
    }
    // One hash for the shared sample password keeps seeding quick.
    let hash = crate::auth::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let accounts = demo_accounts(&units);
    for account in &accounts {
        store
            .add_account(&Account {
                username: account.username.clone(),
                password_hash: hash.clone(),
                role: account.role,
                org_id: account.org_id.clone(),
                display_name: account.display_name.clone(),
                created_at: String::new(),
                must_change_password: false,
                password_changed_at: String::new(),
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(accounts)
}

/// Adjusts a sample school's values of `year` until no rule reports an error, so that the
/// walk-through of the demo starts from data a school could submit. Each pass moves the first
/// cell of each failing comparison by the difference the finding reports. Returns the number
/// of values changed.
pub async fn tidy_school(store: &dyn Store, framework: &Framework, org_id: &str, year: i32) -> Result<usize, String> {
    use nianbao_core::validation::{RuleSet, Summary};
    use nianbao_core::{Severity, Value};
    let rules = RuleSet::for_framework(framework);
    let mut original = store.read_dataset(framework, ReadLayer::Reported).await.map_err(|e| e.to_string())?;
    nianbao_core::completeness::fill_copies(framework, &mut original);
    let org = original.org_index(org_id).ok_or_else(|| format!("no org unit {org_id:?}"))?;
    let mut dataset = original.clone();
    let errors = |dataset: &nianbao_core::Dataset| -> Vec<nianbao_core::validation::Finding> {
        rules
            .evaluate(framework, dataset, org, year, &mut Summary::default())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect()
    };
    for _ in 0..12 {
        let failing = errors(&dataset);
        let Some(finding) = failing.first() else { break };
        let (Some(left), Some(right)) = (finding.left, finding.right) else {
            return Err(format!("{org_id} {year}: cannot tidy {}", finding.rule_id));
        };
        let difference = left - right;
        // Try moving each current-year cell of the finding either way; keep the first move that
        // makes this rule pass without adding errors.
        let mut fixed = false;
        'cells: for cell in finding.cells.iter().filter(|c| c.year == year) {
            let (Some(index), Some(current)) = (framework.lookup(&cell.indicator_id), cell.value.number()) else {
                continue;
            };
            for candidate in [current - difference, current + difference] {
                let mut trial = dataset.clone();
                trial.set(org, year, index, Value::Number(candidate));
                let after = errors(&trial);
                if after.iter().all(|f| f.rule_id != finding.rule_id) && after.len() < failing.len() {
                    dataset = trial;
                    fixed = true;
                    break 'cells;
                }
            }
        }
        if !fixed {
            return Err(format!("{org_id} {year}: cannot tidy {}", finding.rule_id));
        }
    }
    let mut writes = Vec::new();
    for (i, indicator) in framework.indicators.iter().enumerate() {
        let index = nianbao_core::IndicatorIndex(i);
        let (before, after) = (original.get(org, year, index), dataset.get(org, year, index));
        if before != after {
            let stored = store
                .value(org_id, year, &indicator.id, nianbao_store::Layer::Reported)
                .await
                .map_err(|e| e.to_string())?;
            writes.push(nianbao_store::ValueWrite {
                org: org_id.to_string(),
                year,
                indicator: indicator.id.clone(),
                value: after.clone(),
                note: String::new(),
                expected_version: stored.map(|s| s.version),
                overwrite: false,
                provenance: Provenance::Computed,
                actor: "nianbao demo".into(),
                reason: "样例数据整理，使演示学校无错误".into(),
            });
        }
    }
    store.write_values(&writes).await.map_err(|e| e.to_string())?;
    Ok(writes.len())
}

/// Creates an API token for an account; returns the token (only its hash is stored).
pub async fn create_token(store: &dyn Store, username: &str, label: &str) -> Result<String, String> {
    if store.account(username).await.map_err(|e| e.to_string())?.is_none() {
        return Err(format!("no account {username:?}"));
    }
    let token = crate::auth::random_token().map_err(|e| e.to_string())?;
    store.add_api_token(&crate::auth::token_hash(&token), username, label).await.map_err(|e| e.to_string())?;
    Ok(token)
}
