//! Authorisation below the handlers. The store lives in [`Guarded`], whose only callers are the
//! methods here: each one checks the caller's role and org scope ([`permitted`]) before it reads
//! or writes. Anonymous callers get [`PublicAccess`], which returns only published material.

use crate::auth::{Principal, unix_now};
use crate::error::AppError;
use crate::state::AppState;
use crate::tree::OrgTree;
use nianbao_core::completeness::Completeness;
use nianbao_core::validation::{Finding, Summary};
use nianbao_core::{Dataset, OrgLevel, Severity, Value};
use nianbao_store::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a caller wants to do to an org unit's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See values, findings, history, cases and the audit trail.
    Read,
    /// Enter or import values, explain warnings, write case studies, submit.
    Enter,
    /// Return or approve a school's submission.
    Review,
    /// Reopen approved data: the city or an administrator, or the county reviewer who approved
    /// it while no report above the county has been published for the year.
    Unlock,
    /// Aggregate, edit narrative and publish a report: a school its own 一校一年报, a county
    /// reviewer the county's, a city editor the city's and its counties', an administrator any
    /// above the schools.
    Edit,
}

impl Action {
    pub const ALL: [Action; 5] = [Action::Read, Action::Enter, Action::Review, Action::Unlock, Action::Edit];
}

/// The one authorisation rule: may `role`, scoped to `scope`, do `action` to `target`?
pub fn permitted(tree: &OrgTree, role: Role, scope: usize, target: usize, action: Action) -> bool {
    if !tree.is_within(target, scope) {
        return false;
    }
    let is_school = tree.unit(target).level == OrgLevel::School;
    match action {
        Action::Read => true,
        Action::Enter => is_school && matches!(role, Role::School | Role::Admin),
        Action::Review => is_school && target != scope && matches!(role, Role::County | Role::City | Role::Admin),
        Action::Unlock => is_school && target != scope && matches!(role, Role::County | Role::City | Role::Admin),
        Action::Edit => match role {
            Role::School | Role::County => target == scope,
            Role::City | Role::Admin => !is_school,
        },
    }
}

/// Holds the store; nothing outside this module can reach it.
pub struct Guarded {
    store: Arc<dyn Store>,
    sessions: Mutex<HashMap<String, (Principal, i64)>>,
    tokens: Mutex<HashMap<String, (Principal, Instant)>>,
}

impl std::fmt::Debug for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded").field("backend", &self.store.backend()).finish_non_exhaustive()
    }
}

const TOKEN_CACHE: Duration = Duration::from_secs(60);
const SESSION_CACHE_SECONDS: i64 = 60;

impl Guarded {
    pub(crate) fn new(store: Arc<dyn Store>) -> Guarded {
        Guarded { store, sessions: Mutex::default(), tokens: Mutex::default() }
    }

    async fn principal_of_account(
        &self,
        state: &AppState,
        username: &str,
        csrf: String,
    ) -> Result<Option<Principal>, AppError> {
        let Some(account) = self.store.account(username).await? else { return Ok(None) };
        let Some(org) = state.tree.find(&account.org_id) else { return Ok(None) };
        Ok(Some(Principal {
            username: account.username,
            display_name: account.display_name,
            role: account.role,
            org,
            org_id: account.org_id,
            csrf,
            must_change_password: account.must_change_password,
        }))
    }

    pub(crate) async fn principal_for_session(
        &self,
        state: &AppState,
        hash: &str,
    ) -> Result<Option<Principal>, AppError> {
        let now = unix_now();
        if let Some((principal, expires)) = self.sessions.lock().unwrap_or_else(|p| p.into_inner()).get(hash)
            && *expires > now
        {
            return Ok(Some(principal.clone()));
        }
        let Some(session) = self.store.session(hash).await? else { return Ok(None) };
        if session.expires_at <= now {
            self.store.delete_session(hash).await?;
            return Ok(None);
        }
        let principal = self.principal_of_account(state, &session.username, session.csrf).await?;
        if let Some(principal) = &principal {
            // Cached for a minute at most: a logout through another server process (shared
            // PostgreSQL) takes effect here within that minute.
            let cached_until = session.expires_at.min(now + SESSION_CACHE_SECONDS);
            self.sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(hash.to_string(), (principal.clone(), cached_until));
        }
        Ok(principal)
    }

    pub(crate) async fn principal_for_token(
        &self,
        state: &AppState,
        hash: &str,
    ) -> Result<Option<Principal>, AppError> {
        if let Some((principal, at)) = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(hash)
            && at.elapsed() < TOKEN_CACHE
        {
            return Ok(Some(principal.clone()));
        }
        let Some(username) = self.store.api_token_user(hash).await? else { return Ok(None) };
        let principal = self.principal_of_account(state, &username, String::new()).await?;
        if let Some(principal) = &principal {
            self.tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(hash.to_string(), (principal.clone(), Instant::now()));
        }
        Ok(principal)
    }

    /// Signs in with a password; returns the new session's cookie token.
    pub(crate) async fn login(
        &self,
        state: &AppState,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<String, AppError> {
        // A name or password longer than any account's is wrong: refused before it is hashed,
        // kept by the throttle or written to the log.
        if username.chars().count() > MAX_USERNAME_CHARS || password.len() > MAX_PASSWORD_BYTES {
            let shown: String = username.chars().take(MAX_USERNAME_CHARS).collect();
            tracing::warn!(username = %shown, address, "failed login: name or password too long");
            return Err(AppError::invalid("用户名或密码不正确。", "Wrong user name or password."));
        }
        if let Err(crate::auth::Wait(left)) = state.throttle.check(username, address) {
            tracing::warn!(username, address, "sign-in refused while backing off");
            return Err(AppError::TooManyRequests { wait_seconds: left.as_secs_f64().ceil() as u64 });
        }
        let account = self.store.account(username).await?;
        let valid = match &account {
            Some(account) => crate::auth::verify_password(password, &account.password_hash),
            None => {
                // Spend the same time on unknown names as on wrong passwords.
                let _ = crate::auth::verify_password(password, dummy_hash());
                false
            }
        };
        if !valid {
            state.throttle.fail(username, address);
            tracing::warn!(username, address, "failed login");
            return Err(AppError::invalid("用户名或密码不正确。", "Wrong user name or password."));
        }
        state.throttle.succeed(username, address);
        let token = self.new_session(state, username).await?;
        tracing::info!(username, "login");
        Ok(token)
    }

    /// Forgets every cached session and token of an account (after its password changed).
    fn forget_account(&self, username: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (principal, _)| principal.username != username);
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (principal, _)| principal.username != username);
    }

    /// A new session for an account that has just proved who it is; returns the cookie token.
    async fn new_session(&self, state: &AppState, username: &str) -> Result<String, AppError> {
        let token = crate::auth::random_token()?;
        let csrf = crate::auth::random_token()?;
        self.store
            .create_session(&SessionRecord {
                token_hash: crate::auth::token_hash(&token),
                username: username.to_string(),
                csrf,
                expires_at: unix_now() + state.config.session_seconds,
            })
            .await?;
        Ok(token)
    }

    /// Sets a password and ends every session of the account (in this process at once; other
    /// processes on a shared database within their one-minute cache).
    async fn set_password(&self, username: &str, hash: &str, must_change: bool) -> Result<u64, AppError> {
        let ended = self.store.set_password(username, hash, must_change).await?;
        self.forget_account(username);
        Ok(ended)
    }

    pub(crate) async fn logout(&self, token: &str) -> Result<(), AppError> {
        let hash = crate::auth::token_hash(token);
        self.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&hash);
        self.store.delete_session(&hash).await?;
        Ok(())
    }
}

/// An Argon2 hash of a random string, verified against when the user name is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| crate::auth::hash_password("no such account").unwrap_or_default())
}

/// A school's data for one year as the entry and review pages show it.
#[derive(Debug, Clone)]
pub struct SchoolYear {
    pub org: usize,
    pub year: i32,
    /// Reported values of the year and the year before, with versions.
    pub values: HashMap<(i32, String), StoredValue>,
    pub submission: Submission,
    pub explanations: Vec<Explanation>,
    pub findings: Vec<Finding>,
    /// Required figures of the year and which of them are empty.
    pub completeness: Completeness,
}

/// What the school's own entry page says about its return besides the data: the deadline that
/// applies and who last moved it (read only for that page, not for every check).
#[derive(Debug, Clone, Default)]
pub struct ReturnContext {
    /// The submission deadline that applies to the school (`YYYY-MM-DD`), if one is set.
    pub submit_by: Option<String>,
    /// Who last moved the return, as people name them.
    pub changed_by_name: String,
}

impl SchoolYear {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Warning)
    }
    /// The explanation that answers this finding: written for the values it is about now.
    pub fn explanation(&self, finding: &Finding) -> Option<&Explanation> {
        explanation_for(&self.explanations, finding)
    }
    /// An explanation written for the rule when its values were different: shown, but it no
    /// longer counts.
    pub fn outdated_explanation(&self, finding: &Finding) -> Option<&Explanation> {
        let seen = finding.values_seen();
        self.explanations.iter().find(|e| e.rule_id == finding.rule_id && e.values_seen != seen)
    }
    /// Warnings with no explanation for their current values.
    pub fn unexplained(&self) -> usize {
        self.warnings().filter(|f| self.explanation(f).is_none()).count()
    }
}

/// The explanation of `finding` among `explanations`, if written for its current values.
pub fn explanation_for<'e>(explanations: &'e [Explanation], finding: &Finding) -> Option<&'e Explanation> {
    let seen = finding.values_seen();
    explanations.iter().find(|e| e.rule_id == finding.rule_id && e.values_seen == seen)
}

/// A dataset holding one org unit (detached from its parent) and the values given; returns it
/// with the unit's index. Copies (`same_as`) without a value of their own show their primary's.
pub fn dataset_of(state: &AppState, org: usize, values: &[OrgValue]) -> (Dataset, usize) {
    let framework = &state.framework;
    let mut dataset = Dataset::new(framework.indicators.len());
    let mut unit = state.tree.unit(org).clone();
    unit.parent = None;
    let index = dataset.add_org(unit).unwrap_or(0);
    // Reported values win over aggregated ones.
    for layer in [Layer::Aggregated, Layer::Reported] {
        for value in values.iter().filter(|v| v.layer == layer) {
            if let Some(indicator) = framework.lookup(&value.indicator_id) {
                dataset.set(index, value.year, indicator, value.stored.value.clone());
            }
        }
    }
    nianbao_core::completeness::fill_copies(framework, &mut dataset);
    (dataset, index)
}

/// Runs the rules on one org unit's values (the year and the year before).
pub fn findings_of(state: &AppState, org: usize, year: i32, values: &[OrgValue]) -> Vec<Finding> {
    check_of(state, org, year, values).0
}

/// The findings and the completeness of one org unit's year.
pub fn check_of(state: &AppState, org: usize, year: i32, values: &[OrgValue]) -> (Vec<Finding>, Completeness) {
    let (mut dataset, index) = dataset_of(state, org, values);
    if dataset.slots(index, year).is_none() {
        dataset.set(index, year, nianbao_core::IndicatorIndex(0), Value::Missing);
    }
    let findings = state.rules.evaluate(&state.framework, &dataset, index, year, &mut Summary::default());
    let level = state.tree.unit(org).level;
    let completeness = nianbao_core::completeness::completeness(&state.framework, level, dataset.slots(index, year));
    (findings, completeness)
}

/// Which school data a report or an aggregate is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// Approved returns only: what may be aggregated and published.
    Approved,
    /// Every school's current values, drafts included: a preview, marked as unreviewed.
    Drafts,
}

/// Where the returns of the schools under an org unit stand in the open year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewState {
    pub schools: usize,
    pub approved: usize,
    pub submitted: usize,
    /// The schools whose return is not approved (names), in tree order.
    pub unapproved: Vec<String>,
}

/// The data a report is built from, and what it rests on.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The report's org unit in `dataset`.
    pub org: usize,
    /// Schools' values (approved only, unless a draft preview), the units above them rolled up
    /// from those, their own entered figures over the roll-up, copies filled.
    pub dataset: Dataset,
    pub scope: DataScope,
    pub review: ReviewState,
    /// Errors the rules find in the report's own figures of the year.
    pub errors: Vec<Finding>,
    /// The report's own entered figures that differ from the roll-up of its approved schools,
    /// with the editor's decision.
    pub differences: Vec<FigureDifference>,
    /// Per figure of the open year: (schools whose return gave it, schools below).
    pub coverage: Vec<(u32, u32)>,
    /// Per figure of the open year: the roll-up of the schools' returns (empty for a school).
    pub aggregates: Vec<Value>,
    /// The school cases the report prints, each with the section it goes in (photos are read
    /// by [`Access::printed_cases`] when a report is built).
    pub cases: Vec<(CaseStudy, String)>,
    /// Picked cases not printed because their school's return is not approved: “title（school）”.
    pub cases_left_out: Vec<String>,
}

/// A school's case study as the editor above sees it.
#[derive(Debug, Clone)]
pub struct SchoolCase {
    pub school: usize,
    pub status: SubmissionStatus,
    pub case: CaseStudy,
}

/// Who did something, as people name them: “display name（org unit）” by user name; and each
/// school's clerks by display name (from the same read of the accounts).
#[derive(Debug, Default)]
pub struct People(HashMap<String, String>, HashMap<String, Vec<String>>);

impl People {
    /// The display names of the school clerks of an org unit.
    pub fn clerks_of(&self, org_id: &str) -> &[String] {
        self.1.get(org_id).map(Vec::as_slice).unwrap_or_default()
    }

    /// The display name and org unit of `username`; a name without an account (a command-line
    /// load, a test) as it was recorded.
    pub fn name(&self, username: &str) -> String {
        self.0.get(username).cloned().unwrap_or_else(|| username.to_string())
    }
}

/// The longest user name an account can have (longer ones are refused at sign-in unread).
pub const MAX_USERNAME_CHARS: usize = 64;
/// The longest password hashed at sign-in.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The longest reviewer's comment on a return.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The longest narrative section of a report.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;

/// The most photos one case study may carry.
pub const MAX_CASE_PHOTOS: usize = 6;
/// The most case studies one school may write in a year (a quota on what it can store).
pub const MAX_CASES_PER_RETURN: usize = 30;

/// An org unit's entered figure of the open year that differs from the roll-up of its schools
/// (at the printed decimals), and what the editor decided.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureDifference {
    pub indicator: nianbao_core::IndicatorIndex,
    pub entered: Value,
    pub aggregate: Value,
    /// `None`: not decided yet (the entered figure is printed meanwhile).
    pub choice: Option<FigureChoice>,
}

/// A row of the review dashboard.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    pub org: usize,
    pub submission: Submission,
    pub completeness: Completeness,
    pub errors: usize,
    pub warnings: usize,
    pub unexplained: usize,
    pub values: usize,
    /// The framework's tables (indices) holding an error or an unexplained warning of the return.
    pub problem_tables: Vec<usize>,
}

/// What the review list shows of a school's return, as checked at a pair of data revisions
/// (the year's and the year before's).
#[derive(Debug, Clone)]
pub struct CheckedReturn {
    revisions: (i64, i64),
    completeness: Completeness,
    errors: usize,
    warnings: usize,
    unexplained: usize,
    values: usize,
    problem_tables: Vec<usize>,
}

impl CheckedReturn {
    fn of(
        state: &AppState,
        org: usize,
        year: i32,
        values: &[OrgValue],
        explanations: &[Explanation],
        revisions: (i64, i64),
    ) -> CheckedReturn {
        let (findings, completeness) = check_of(state, org, year, values);
        let open = |f: &&Finding| f.severity == Severity::Error || explanation_for(explanations, f).is_none();
        let mut problem_tables: Vec<usize> = findings.iter().filter(open).filter_map(|f| f.table).collect();
        problem_tables.sort_unstable();
        problem_tables.dedup();
        let warnings: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Warning).collect();
        CheckedReturn {
            revisions,
            completeness,
            errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
            warnings: warnings.len(),
            unexplained: warnings.iter().filter(|f| explanation_for(explanations, f).is_none()).count(),
            values: values.iter().filter(|v| v.year == year && v.layer == Layer::Reported).count(),
            problem_tables,
        }
    }
}

/// The review list's checks of returns, by (school id, year), each valid for the data revisions
/// it was made at.
pub type ReviewCache = Mutex<HashMap<(String, i32), CheckedReturn>>;

/// Checks into the review cache the returns of `schools` in `year` whose cached check is missing
/// or was made at other data revisions; returns how many were checked. Schools are read by the unit
/// above them (a county's values and explanations in two queries; one or two schools alone by
/// themselves), so memory stays that of one county however many schools are checked.
async fn check_returns(
    state: &AppState,
    store: &dyn Store,
    schools: &[usize],
    year: i32,
    revisions_of: &(dyn Fn(&str) -> (i64, i64) + Sync),
) -> Result<usize, AppError> {
    let stale: Vec<usize> = {
        let cache = state.review_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        schools
            .iter()
            .copied()
            .filter(|&org| {
                let org_id = &state.tree.unit(org).id;
                cache.get(&(org_id.clone(), year)).is_none_or(|checked| checked.revisions != revisions_of(org_id))
            })
            .collect()
    };
    let mut by_parent: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for &school in &stale {
        let parent = state.tree.unit(school).parent;
        match by_parent.iter_mut().find(|(p, _)| *p == parent) {
            Some((_, group)) => group.push(school),
            None => by_parent.push((parent, vec![school])),
        }
    }
    for (parent, group) in by_parent {
        let mut values_of: HashMap<String, Vec<OrgValue>> = HashMap::new();
        let mut explanations_of: HashMap<String, Vec<Explanation>> = HashMap::new();
        match parent {
            Some(parent) if group.len() > 2 => {
                let root = &state.tree.unit(parent).id;
                for (org_id, value) in store.org_values_within(root, year - 1, year).await? {
                    values_of.entry(org_id).or_default().push(value);
                }
                for (org_id, explanation) in store.explanations_within(root, year).await? {
                    explanations_of.entry(org_id).or_default().push(explanation);
                }
            }
            _ => {
                for &org in &group {
                    let org_id = &state.tree.unit(org).id;
                    values_of.insert(org_id.clone(), store.org_values(org_id, year - 1, year).await?);
                    explanations_of.insert(org_id.clone(), store.explanations(org_id, year).await?);
                }
            }
        }
        let checked: Vec<(String, CheckedReturn)> = group
            .iter()
            .map(|&org| {
                let org_id = state.tree.unit(org).id.clone();
                let values = values_of.remove(&org_id).unwrap_or_default();
                let explanations = explanations_of.remove(&org_id).unwrap_or_default();
                let checked = CheckedReturn::of(state, org, year, &values, &explanations, revisions_of(&org_id));
                (org_id, checked)
            })
            .collect();
        let mut cache = state.review_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (org_id, checked) in checked {
            cache.insert((org_id, year), checked);
        }
    }
    Ok(stale.len())
}

/// Checks every school's return of the open year into the review cache (at start, in the
/// background): the first review list of a province or the nation then reads the cache rather
/// than checking every return while its reviewer waits. Returns how many were checked.
pub async fn warm_review_cache(state: &AppState) -> Result<usize, AppError> {
    let store = state.guarded.store.as_ref();
    let year = state.config.year;
    let (now, before) = (store.data_revisions(year).await?, store.data_revisions(year - 1).await?);
    let revisions_of = |org_id: &str| (now.get(org_id).copied().unwrap_or(0), before.get(org_id).copied().unwrap_or(0));
    let schools: Vec<usize> =
        (0..state.tree.units.len()).filter(|&org| state.tree.unit(org).level == OrgLevel::School).collect();
    check_returns(state, store, &schools, year, &revisions_of).await
}

/// A deadline as typed: empty (none) or a real `YYYY-MM-DD` day.
pub fn check_deadline_day(text: &str) -> Result<(), AppError> {
    let text = text.trim();
    if text.is_empty() || crate::i18n::parse_day(text).is_some() {
        return Ok(());
    }
    let shown: String = text.chars().take(20).collect();
    Err(AppError::invalid(
        format!("截止日期“{shown}”不是有效的日期，请按 2025-01-10 的格式填写。"),
        format!("The deadline {shown:?} is not a date; write it as 2025-01-10."),
    ))
}

/// Every deadline of a year; the one that applies to an org unit is the nearest set at it or
/// above it.
#[derive(Debug, Clone, Default)]
pub struct Deadlines(Vec<(usize, Deadline)>);

/// A deadline passed without its work done: which stage, the day and how many days ago.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub stage: DeadlineStage,
    pub due_on: String,
    pub days: i64,
}

impl Deadlines {
    /// The deadline of `stage` that applies to `org`, with the org unit that set it.
    pub fn applying(&self, tree: &OrgTree, org: usize, stage: DeadlineStage) -> Option<(usize, &Deadline)> {
        let mut current = Some(org);
        let mut steps = 0;
        while let Some(at) = current {
            if let Some((set_at, deadline)) = self.0.iter().find(|(set_at, d)| *set_at == at && d.stage == stage) {
                return Some((*set_at, deadline));
            }
            current = tree.unit(at).parent;
            steps += 1;
            if steps > tree.units.len() {
                break;
            }
        }
        None
    }

    /// The deadline set at `org` itself.
    pub fn own(&self, org: usize, stage: DeadlineStage) -> Option<&Deadline> {
        self.0.iter().find(|(set_at, d)| *set_at == org && d.stage == stage).map(|(_, d)| d)
    }

    /// Whether a school with this status has let a deadline pass (`today` in days since 1970):
    /// not submitted after the submission deadline, or submitted and not yet approved after the
    /// review deadline.
    pub fn overdue(&self, tree: &OrgTree, org: usize, status: SubmissionStatus, today: i64) -> Option<Overdue> {
        let stage = match status {
            SubmissionStatus::NotStarted | SubmissionStatus::Draft | SubmissionStatus::Returned => {
                DeadlineStage::Submit
            }
            SubmissionStatus::Submitted => DeadlineStage::Review,
            SubmissionStatus::Approved => return None,
        };
        let (_, deadline) = self.applying(tree, org, stage)?;
        let due = crate::i18n::parse_day(&deadline.due_on)?;
        (today > due).then(|| Overdue { stage, due_on: deadline.due_on.clone(), days: today - due })
    }
}

/// Data access for a signed-in user.
#[derive(Debug)]
pub struct Access<'a> {
    state: &'a AppState,
    user: &'a Principal,
}

impl<'a> Access<'a> {
    pub(crate) fn new(state: &'a AppState, user: &'a Principal) -> Access<'a> {
        Access { state, user }
    }

    fn store(&self) -> &dyn Store {
        self.state.guarded.store.as_ref()
    }

    pub fn user(&self) -> &Principal {
        self.user
    }

    pub fn may(&self, org: usize, action: Action) -> bool {
        permitted(&self.state.tree, self.user.role, self.user.org, org, action)
    }

    /// Auditing published reports (files the user brings; no stored data is read) is for
    /// reviewers, editors and administrators, not for school clerks.
    pub fn check_audit(&self) -> Result<(), AppError> {
        if self.user.role == Role::School { Err(AppError::Forbidden) } else { Ok(()) }
    }

    /// The org unit's index if the user may do `action` there.
    pub fn check(&self, org_id: &str, action: Action) -> Result<usize, AppError> {
        let org = self.state.tree.find(org_id).ok_or(AppError::NotFound)?;
        if self.may(org, action) {
            Ok(org)
        } else {
            tracing::warn!(user = %self.user.username, org = org_id, ?action, "refused");
            Err(AppError::Forbidden)
        }
    }

    /// Org units the user may see, in tree order.
    pub fn visible_orgs(&self) -> Vec<usize> {
        self.state.tree.within(self.user.org)
    }

    pub async fn school_year(&self, org_id: &str, year: i32) -> Result<SchoolYear, AppError> {
        let org = self.check(org_id, Action::Read)?;
        // The submission (with its data revision) before the values: a write in between makes
        // the revision older than the data read, so a submission made on this check is refused.
        let submission = self.store().submission(org_id, year).await?;
        let values = self.store().org_values(org_id, year - 1, year).await?;
        let explanations = self.store().explanations(org_id, year).await?;
        let (findings, completeness) = check_of(self.state, org, year, &values);
        Ok(SchoolYear {
            org,
            year,
            values: values
                .into_iter()
                .filter(|v| v.layer == Layer::Reported)
                .map(|v| ((v.year, v.indicator_id), v.stored))
                .collect(),
            submission,
            explanations,
            findings,
            completeness,
        })
    }

    /// Every stored value of an org unit in the years given (both layers).
    pub async fn values(&self, org_id: &str, first: i32, last: i32) -> Result<Vec<OrgValue>, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().org_values(org_id, first, last).await?)
    }

    /// Checks that the user may change the school's values now.
    async fn check_editable(&self, org_id: &str, year: i32) -> Result<SubmissionStatus, AppError> {
        self.check(org_id, Action::Enter)?;
        if year != self.state.config.year {
            return Err(AppError::invalid(
                format!("只能填报开放年度 {} 的数据。", self.state.config.year),
                format!("Only the open year {} can be entered.", self.state.config.year),
            ));
        }
        let status = self.store().submission(org_id, year).await?.status;
        if !status.school_may_edit() {
            return Err(AppError::Conflict {
                zh: format!("数据状态为「{}」，不能修改；如需修改请联系审核人员退回。", status.title_zh()),
                en: format!("The data is {} and cannot be changed; ask a reviewer to return it.", status.title_en()),
            });
        }
        Ok(status)
    }

    /// Writes values of one school, each as its own compare-and-set: conflicts are returned per
    /// cell and the other cells are written. Marks the submission as a draft when anything changed.
    pub async fn save_cells(
        &self,
        org_id: &str,
        year: i32,
        writes: Vec<ValueWrite>,
    ) -> Result<Vec<CellOutcome>, AppError> {
        let status = self.check_editable(org_id, year).await?;
        if writes.iter().any(|w| w.org != org_id || w.year != year) {
            return Err(AppError::Forbidden);
        }
        for write in &writes {
            self.check_bounds(&write.indicator, &write.value)?;
        }
        let writes: Vec<ValueWrite> =
            writes.into_iter().map(|w| ValueWrite { actor: self.user.username.clone(), ..w }).collect();
        let outcomes = self.store().write_cells(&writes).await?;
        if outcomes.iter().any(|o| matches!(o, CellOutcome::Written(_))) {
            self.mark_draft(org_id, year, status).await?;
        }
        Ok(outcomes)
    }

    /// One value written through the API; `expected_version` None creates, and `overwrite`
    /// writes over whatever version is stored.
    pub async fn put_value(
        &self,
        org_id: &str,
        year: i32,
        indicator_id: &str,
        value: Value,
        expected_version: Option<i64>,
        overwrite: bool,
    ) -> Result<i64, AppError> {
        let status = self.check_editable(org_id, year).await?;
        self.check_bounds(indicator_id, &value)?;
        // Overwrite is last-writer-wins, decided inside the store's write transaction.
        let version = self
            .store()
            .write_value(&ValueWrite {
                org: org_id.to_string(),
                year,
                indicator: indicator_id.to_string(),
                value,
                note: String::new(),
                expected_version,
                overwrite,
                provenance: Provenance::Entered,
                actor: self.user.username.clone(),
                reason: "API".into(),
            })
            .await?;
        self.mark_draft(org_id, year, status).await?;
        Ok(version)
    }

    /// Every value written through the server is within its indicator's bounds (whole counts,
    /// percentages to 100, magnitudes): whatever the path, a value out of bounds is refused here.
    fn check_bounds(&self, indicator_id: &str, value: &Value) -> Result<(), AppError> {
        let framework = &self.state.framework;
        let indicator = framework.lookup(indicator_id).map(|i| framework.indicator(i)).ok_or(AppError::NotFound)?;
        nianbao_core::bounds::check(indicator, value).map_err(|bound| AppError::OutOfBounds {
            label: indicator.printed_label(),
            label_en: indicator.name_en.clone(),
            bound,
        })
    }

    async fn mark_draft(&self, org_id: &str, year: i32, status: SubmissionStatus) -> Result<(), AppError> {
        if status == SubmissionStatus::NotStarted {
            let transition = Transition {
                org_id,
                year,
                from: &[SubmissionStatus::NotStarted],
                to: SubmissionStatus::Draft,
                actor: &self.user.username,
                comment: "",
                action: "start",
                expected_revision: None,
            };
            match self.store().transition(&transition).await {
                Ok(_) | Err(StoreError::Workflow { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }

    /// Writes the explanations of warnings (rule id → text), each bound to the values its warning
    /// is about now: when they change, the warning is open again.
    pub async fn explain(&self, org_id: &str, year: i32, texts: &[(String, String)]) -> Result<usize, AppError> {
        self.check_editable(org_id, year).await?;
        let data = self.school_year(org_id, year).await?;
        // Everything is checked before anything is saved: a batch is kept whole or not at all.
        if texts.len() > data.findings.len() + 16 {
            return Err(AppError::invalid("一次提交的说明过多。", "Too many explanations in one request."));
        }
        for (rule_id, text) in texts {
            if text.chars().count() > MAX_COMMENT_CHARS {
                let place = data
                    .warnings()
                    .find(|f| f.rule_id == *rule_id)
                    .map(|f| f.message_zh.chars().take(40).collect::<String>())
                    .unwrap_or_default();
                return Err(AppError::invalid(
                    format!(
                        "有一条说明过长（最多 {MAX_COMMENT_CHARS} 字）：{place}。全部说明均未保存，请缩短后再保存。"
                    ),
                    format!("An explanation is too long (at most {MAX_COMMENT_CHARS} characters); none was saved."),
                ));
            }
        }
        let mut saved = 0;
        for (rule_id, text) in texts {
            let Some(warning) = data.warnings().find(|f| f.rule_id == *rule_id) else { continue };
            let current = data.explanations.iter().find(|e| e.rule_id == *rule_id);
            let seen = warning.values_seen();
            if current.is_some_and(|e| e.text == text.trim() && e.values_seen == seen) {
                continue;
            }
            self.store().set_explanation(org_id, year, rule_id, text, &seen, &self.user.username).await?;
            saved += 1;
        }
        if saved > 0 {
            self.record(org_id, year, "explain", &format!("{saved} 条说明")).await?;
        }
        Ok(saved)
    }

    /// Submits a school's data: refused while required figures are empty, errors remain or
    /// warnings are unexplained. The check and the transition are one: the transition names the
    /// data revision the check was made on, and the store refuses it if anything was written
    /// since (and refuses writes once it is submitted).
    pub async fn submit(&self, org_id: &str, year: i32) -> Result<Submission, AppError> {
        self.check_editable(org_id, year).await?;
        let data = self.school_year(org_id, year).await?;
        if data.errors() > 0 || data.unexplained() > 0 || !data.completeness.is_complete() {
            let framework = &self.state.framework;
            let missing = data
                .completeness
                .missing
                .iter()
                .map(|&index| {
                    let indicator = framework.indicator(index);
                    let table = &framework.tables[indicator.table];
                    let number = table.number.clone().unwrap_or_else(|| table.caption.clone());
                    (format!("{number} {}", indicator.printed_label()), format!("{number} {}", indicator.name_en))
                })
                .collect();
            return Err(AppError::NotReady { errors: data.errors(), unexplained: data.unexplained(), missing });
        }
        Ok(self
            .store()
            .transition(&Transition {
                org_id,
                year,
                from: &[SubmissionStatus::NotStarted, SubmissionStatus::Draft, SubmissionStatus::Returned],
                to: SubmissionStatus::Submitted,
                actor: &self.user.username,
                comment: "",
                action: "submit",
                expected_revision: Some(data.submission.revision),
            })
            .await?)
    }

    /// `return` (with a comment), `approve` or `unlock` a school's submission.
    pub async fn review(&self, org_id: &str, year: i32, action: &str, comment: &str) -> Result<Submission, AppError> {
        use SubmissionStatus as S;
        let (needed, from, to): (Action, &[S], S) = match action {
            "return" => (Action::Review, &[S::Submitted], S::Returned),
            "approve" => (Action::Review, &[S::Submitted], S::Approved),
            "unlock" => (Action::Unlock, &[S::Approved], S::Returned),
            _ => return Err(AppError::NotFound),
        };
        self.check(org_id, needed)?;
        if action != "approve" && comment.trim().is_empty() {
            return Err(AppError::invalid("退回或解锁时请填写意见。", "A comment is required."));
        }
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::invalid(
                format!("意见过长（最多 {MAX_COMMENT_CHARS} 字）"),
                format!("the comment is too long (at most {MAX_COMMENT_CHARS})"),
            ));
        }
        // A county reopens its own approval only while nothing above it has printed the data.
        if action == "unlock" && self.user.role == Role::County {
            let tree = &self.state.tree;
            let published_above = self.store().publications().await?.into_iter().find(|p| {
                p.year == year
                    && tree
                        .find(&p.org_id)
                        .is_some_and(|above| above != self.user.org && tree.is_within(self.user.org, above))
            });
            if let Some(publication) = published_above {
                let name = tree.find(&publication.org_id).map(|o| tree.unit(o).name.clone()).unwrap_or_default();
                return Err(AppError::invalid(
                    format!("{name}已发布 {year} 年度报告，县级不能再解锁；如需修改，请联系市级审核人员解锁。"),
                    format!("{name} has published its {year} report: only the city can reopen this return now"),
                ));
            }
        }
        Ok(self
            .store()
            .transition(&Transition {
                org_id,
                year,
                from,
                to,
                actor: &self.user.username,
                comment: comment.trim(),
                action,
                expected_revision: None,
            })
            .await?)
    }

    /// Approves one submitted return as part of a bulk approval: only if it is still the return
    /// the reviewer confirmed (`revision`), still submitted, and — checked again now — without
    /// errors, with every warning explained and every required figure given.
    pub async fn approve_confirmed(
        &self,
        org_id: &str,
        year: i32,
        revision: i64,
        comment: &str,
    ) -> Result<Submission, AppError> {
        self.check(org_id, Action::Review)?;
        let data = self.school_year(org_id, year).await?;
        if data.submission.status != SubmissionStatus::Submitted {
            return Err(AppError::Store(StoreError::Workflow {
                from: data.submission.status.as_str(),
                to: SubmissionStatus::Approved.as_str(),
            }));
        }
        if data.submission.revision != revision {
            return Err(AppError::Store(StoreError::ChangedSince { org: org_id.to_string(), year }));
        }
        if data.errors() > 0 || data.unexplained() > 0 || !data.completeness.is_complete() {
            return Err(AppError::NotReady {
                errors: data.errors(),
                unexplained: data.unexplained(),
                missing: Vec::new(),
            });
        }
        Ok(self
            .store()
            .transition(&Transition {
                org_id,
                year,
                from: &[SubmissionStatus::Submitted],
                to: SubmissionStatus::Approved,
                actor: &self.user.username,
                comment: comment.trim(),
                action: "approve",
                expected_revision: Some(revision),
            })
            .await?)
    }

    pub async fn submission(&self, org_id: &str, year: i32) -> Result<Submission, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().submission(org_id, year).await?)
    }

    pub async fn history(&self, org_id: &str, year: i32, indicator_id: &str) -> Result<Vec<HistoryEntry>, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().history(org_id, year, indicator_id, Layer::Reported).await?)
    }

    pub async fn events(&self, org_id: &str, year: i32) -> Result<Vec<AuditEvent>, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().events(org_id, year).await?)
    }

    async fn record(&self, org_id: &str, year: i32, action: &str, detail: &str) -> Result<(), AppError> {
        Ok(self
            .store()
            .record_event(&AuditEvent {
                at: String::new(),
                actor: self.user.username.clone(),
                org_id: org_id.to_string(),
                year,
                action: action.to_string(),
                detail: detail.to_string(),
            })
            .await?)
    }

    /// The editor's decision for a figure of `org_id` whose entered value differs from the
    /// roll-up: print the aggregate, or keep the entered figure for a reason (required).
    pub async fn choose_figure(
        &self,
        org_id: &str,
        year: i32,
        indicator_id: &str,
        aggregate: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        self.check(org_id, Action::Edit)?;
        self.state.framework.lookup(indicator_id).ok_or(AppError::NotFound)?;
        let reason = reason.trim();
        if !aggregate && reason.is_empty() {
            return Err(AppError::invalid(
                "保留本级填报数时请写明理由。",
                "A reason is required to keep the entered figure.",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("理由过长（最多 500 字）", "the reason is too long (at most 500)"));
        }
        let choice = FigureChoice {
            indicator_id: indicator_id.to_string(),
            aggregate,
            reason: reason.to_string(),
            decided_by: self.user.username.clone(),
            decided_at: String::new(),
        };
        Ok(self.store().set_figure_choice(org_id, year, &choice).await?)
    }

    /// Records a publication made over open problems, with the editor's note, in the audit trail.
    pub async fn record_publish_override(&self, org_id: &str, year: i32, detail: &str) -> Result<(), AppError> {
        self.check(org_id, Action::Edit)?;
        self.record(org_id, year, "publish_override", detail).await
    }

    /// Records an import in the audit trail (the values' own history says what changed).
    pub async fn record_import(&self, org_id: &str, year: i32, detail: &str) -> Result<(), AppError> {
        self.check(org_id, Action::Enter)?;
        self.record(org_id, year, "import", detail).await
    }

    /// The status of every school the user may read, in tree order (one read of the
    /// submissions; no values).
    pub async fn school_statuses(&self, year: i32) -> Result<Vec<(usize, SubmissionStatus)>, AppError> {
        let statuses: HashMap<String, SubmissionStatus> =
            self.store().submissions(year).await?.into_iter().map(|s| (s.org_id, s.status)).collect();
        Ok(self
            .state
            .tree
            .schools_within(self.user.org)
            .into_iter()
            .filter(|&org| self.may(org, Action::Read))
            .map(|org| {
                (org, statuses.get(&self.state.tree.unit(org).id).copied().unwrap_or(SubmissionStatus::NotStarted))
            })
            .collect())
    }

    /// The review dashboard: every school in the user's scope.
    pub async fn review_rows(&self, year: i32) -> Result<Vec<ReviewRow>, AppError> {
        let submissions: HashMap<String, Submission> =
            self.store().submissions(year).await?.into_iter().map(|s| (s.org_id.clone(), s)).collect();
        let schools: Vec<usize> = self
            .state
            .tree
            .schools_within(self.user.org)
            .into_iter()
            .filter(|&org| self.may(org, Action::Read))
            .collect();
        // A school's check depends on its data of the year and the year before, and each write
        // to either bumps its data revision: a check made at the same two revisions is reused.
        // The revisions are read before the data, so a write in between can only make the stored
        // check newer than its key (and it is redone next time), never older.
        let (now, before) = (self.store().data_revisions(year).await?, self.store().data_revisions(year - 1).await?);
        let revisions_of =
            |org_id: &str| (now.get(org_id).copied().unwrap_or(0), before.get(org_id).copied().unwrap_or(0));
        check_returns(self.state, self.store(), &schools, year, &revisions_of).await?;
        let cache = self.state.review_cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut rows = Vec::with_capacity(schools.len());
        for org in schools {
            let org_id = &self.state.tree.unit(org).id;
            let Some(checked) = cache.get(&(org_id.clone(), year)) else { continue };
            rows.push(ReviewRow {
                org,
                submission: submissions.get(org_id).cloned().unwrap_or(Submission {
                    org_id: org_id.clone(),
                    year,
                    status: SubmissionStatus::NotStarted,
                    changed_by: String::new(),
                    changed_at: String::new(),
                    comment: String::new(),
                    revision: 0,
                }),
                completeness: checked.completeness.clone(),
                errors: checked.errors,
                warnings: checked.warnings,
                unexplained: checked.unexplained,
                values: checked.values,
                problem_tables: checked.problem_tables.clone(),
            });
        }
        Ok(rows)
    }

    pub async fn cases(&self, org_id: &str, year: i32) -> Result<Vec<CaseStudy>, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().cases(org_id, year).await?)
    }

    /// Saves a case study (id 0: a new one). `case.photos` lists the photos of the stored case
    /// that stay (with their captions, in order); `new_photos` (already checked by the caller)
    /// are added after them. Refused once the school's return is submitted or approved.
    pub async fn save_case(
        &self,
        mut case: CaseStudy,
        new_photos: Vec<(String, Vec<u8>, String)>,
    ) -> Result<i64, AppError> {
        self.check(&case.org_id, Action::Enter)?;
        if case.id != 0 {
            let existing = self.store().case_study(case.id).await?.ok_or(AppError::NotFound)?;
            if existing.org_id != case.org_id || existing.year != case.year {
                return Err(AppError::Forbidden);
            }
            // Only the case's own photos can stay: an id from elsewhere is refused.
            if case.photos.iter().any(|kept| !existing.photos.iter().any(|p| p.photo_id == kept.photo_id)) {
                return Err(AppError::Forbidden);
            }
        } else if !case.photos.is_empty() {
            return Err(AppError::Forbidden);
        } else if self.store().cases(&case.org_id, case.year).await?.len() >= MAX_CASES_PER_RETURN {
            return Err(AppError::invalid(
                format!("每所学校每年最多 {MAX_CASES_PER_RETURN} 个案例"),
                format!("at most {MAX_CASES_PER_RETURN} case studies per school and year"),
            ));
        }
        if case.photos.len() + new_photos.len() > MAX_CASE_PHOTOS {
            return Err(AppError::invalid(
                format!("一个案例最多 {MAX_CASE_PHOTOS} 张照片"),
                format!("at most {MAX_CASE_PHOTOS} photos per case study"),
            ));
        }
        // The return's lock is checked before any photo is stored.
        let status = self.store().submission(&case.org_id, case.year).await?.status;
        if matches!(status, SubmissionStatus::Submitted | SubmissionStatus::Approved) {
            return Err(AppError::Store(if status == SubmissionStatus::Approved {
                StoreError::Locked { org: case.org_id.clone(), year: case.year }
            } else {
                StoreError::UnderReview { org: case.org_id.clone(), year: case.year }
            }));
        }
        for (content_type, bytes, caption) in new_photos {
            let photo_id = self.store().add_photo(&case.org_id, &content_type, &bytes, &self.user.username).await?;
            case.photos.push(CasePhoto { photo_id, caption });
        }
        case.updated_by = self.user.username.clone();
        let id = self.store().save_case(&case).await?;
        self.record(&case.org_id, case.year, "case", &case.title).await?;
        Ok(id)
    }

    /// Everyone with an account, by the name people know them by.
    pub async fn people(&self) -> Result<People, AppError> {
        let mut names = HashMap::new();
        let mut clerks: HashMap<String, Vec<String>> = HashMap::new();
        for account in self.store().accounts().await? {
            let org = self.state.tree.find(&account.org_id).map(|o| self.state.tree.unit(o).name.clone());
            let name = if account.display_name.is_empty() { account.username.clone() } else { account.display_name };
            if account.role == Role::School {
                clerks.entry(account.org_id.clone()).or_default().push(name.clone());
            }
            // A display name that already names its unit (“于都县县级审核”) is not repeated.
            let shown = match org {
                Some(org) if !name.contains(org.split('（').next().unwrap_or(&org)) => format!("{name}（{org}）"),
                _ => name,
            };
            names.insert(account.username, shown);
        }
        Ok(People(names, clerks))
    }

    /// The changes of a school's values since its return was last sent back (returned or
    /// unlocked), one per figure (first value before, last after), with that moment; `None`
    /// when it never was.
    pub async fn changes_since_return(
        &self,
        org_id: &str,
        year: i32,
    ) -> Result<Option<(AuditEvent, Vec<(String, HistoryEntry)>)>, AppError> {
        self.check(org_id, Action::Read)?;
        let events = self.store().events(org_id, year).await?;
        let Some(sent_back) = events.into_iter().rev().find(|e| e.action == "return" || e.action == "unlock") else {
            return Ok(None);
        };
        let mut changes: Vec<(String, HistoryEntry)> = Vec::new();
        for (indicator, entry) in self.store().changes_since(org_id, year, Layer::Reported, &sent_back.at).await? {
            match changes.iter_mut().find(|(id, _)| *id == indicator) {
                Some((_, first)) => {
                    first.new_value = entry.new_value;
                    first.new_version = entry.new_version;
                    first.changed_by = entry.changed_by;
                    first.changed_at = entry.changed_at;
                    first.provenance = entry.provenance;
                }
                None => changes.push((indicator, entry)),
            }
        }
        // A figure changed and changed back is no change.
        changes.retain(|(_, entry)| entry.old_value.as_ref() != Some(&entry.new_value));
        Ok(Some((sent_back, changes)))
    }

    /// Deletes a case study of a school (refused once its return is submitted or approved).
    pub async fn delete_case(&self, org_id: &str, id: i64) -> Result<(), AppError> {
        self.check(org_id, Action::Enter)?;
        let case = self.store().case_study(id).await?.ok_or(AppError::NotFound)?;
        if case.org_id != org_id {
            return Err(AppError::Forbidden);
        }
        Ok(self.store().delete_case(id, org_id, case.year, &self.user.username).await?)
    }

    /// A photo the user may see; one that exists elsewhere answers like one that does not, so
    /// that photo ids cannot be probed.
    pub async fn photo(&self, id: i64) -> Result<PhotoRecord, AppError> {
        let photo = self.store().photo(id).await?.ok_or(AppError::NotFound)?;
        match self.state.tree.find(&photo.org_id) {
            Some(org) if self.may(org, Action::Read) => Ok(photo),
            _ => Err(AppError::NotFound),
        }
    }

    // ----- the editor -----

    /// The whole tree with reported values, and aggregated ones where nothing was reported.
    /// The schools' reported values of every year; with [`DataScope::Approved`], only the
    /// school-years whose return is approved (the units above keep their own entered figures).
    /// `within`: only the values of that unit's subtree in those years are read (a report's
    /// roll-up needs nothing outside its subtree); None reads every value.
    async fn school_data(&self, scope: DataScope, within: Option<(&str, &[i32])>) -> Result<Dataset, AppError> {
        let framework = &self.state.framework;
        let read_scope = match within {
            Some((root, years)) => ReadScope::subtree(root, years),
            None => ReadScope::everything(),
        };
        // The org tree as the server holds it (read once at start, as stored): only values are read.
        let mut dataset = Dataset::new(framework.indicators.len());
        for unit in &self.state.tree.units {
            dataset.add_org(unit.clone()).map_err(AppError::Internal)?;
        }
        self.store().read_values_into(framework, ReadLayer::Reported, &read_scope, &mut dataset).await?;
        if scope == DataScope::Approved {
            let mut approved: HashSet<(String, i32)> = HashSet::new();
            for year in dataset.years() {
                for submission in self.store().submissions(year).await? {
                    if submission.status == SubmissionStatus::Approved {
                        approved.insert((submission.org_id, year));
                    }
                }
            }
            dataset.retain_org_years(|unit, year| {
                unit.level != OrgLevel::School || approved.contains(&(unit.id.clone(), year))
            });
        }
        nianbao_core::completeness::fill_copies(framework, &mut dataset);
        Ok(dataset)
    }

    /// The data of a report on `org_id` for the open year: approved school data by default, the
    /// units above rolled up from it afresh (their own entered figures printed over the roll-up),
    /// with the state of the returns below and the errors in the report's own figures.
    pub async fn report_data(&self, org_id: &str, scope: DataScope) -> Result<ReportData, AppError> {
        self.check(org_id, Action::Edit)?;
        let framework = &self.state.framework;
        let year = self.state.config.year;
        let mut dataset = self.school_data(scope, Some((org_id, &[year - 1, year]))).await?;
        let index = dataset.org_index(org_id).ok_or(AppError::NotFound)?;
        // The unit's own entered figures of the open year, before the roll-up fills the gaps.
        let entered: Option<Vec<Value>> = dataset.slots(index, year).map(<[Value]>::to_vec);
        let rolled =
            nianbao_core::aggregate::fill_with_roll_up(framework, &mut dataset, &[year - 1, year], Some(index));
        let roll_up = rolled.iter().find(|r| r.year == year);
        // Where the unit's own figure of the open year differs from its schools' roll-up, the
        // editor decides (the year before prints what was entered, as it was published then).
        let mut differences = Vec::new();
        if let (Some(own), Some(roll_up), false) = (&entered, roll_up, dataset.orgs[index].level == OrgLevel::School) {
            let choices = self.store().figure_choices(org_id, year).await?;
            for (position, value) in own.iter().enumerate() {
                let indicator_index = nianbao_core::IndicatorIndex(position);
                let indicator = framework.indicator(indicator_index);
                let aggregate = roll_up.value(index, indicator_index);
                if value.is_missing()
                    || aggregate.is_missing()
                    || value.format(indicator.decimals) == aggregate.format(indicator.decimals)
                {
                    continue;
                }
                let choice = choices.iter().find(|c| c.indicator_id == indicator.id).cloned();
                if choice.as_ref().is_some_and(|c| c.aggregate) {
                    dataset.set(index, year, indicator_index, aggregate.clone());
                }
                differences.push(FigureDifference {
                    indicator: indicator_index,
                    entered: value.clone(),
                    aggregate: aggregate.clone(),
                    choice,
                });
            }
        }
        nianbao_core::completeness::fill_copies(framework, &mut dataset);
        let statuses: HashMap<String, SubmissionStatus> =
            self.store().submissions(year).await?.into_iter().map(|s| (s.org_id, s.status)).collect();
        let mut review = ReviewState::default();
        for school in self.state.tree.schools_within(self.state.tree.find(org_id).ok_or(AppError::NotFound)?) {
            let unit = self.state.tree.unit(school);
            review.schools += 1;
            match statuses.get(&unit.id).copied().unwrap_or(SubmissionStatus::NotStarted) {
                SubmissionStatus::Approved => review.approved += 1,
                SubmissionStatus::Submitted => {
                    review.submitted += 1;
                    review.unapproved.push(unit.name.clone());
                }
                _ => review.unapproved.push(unit.name.clone()),
            }
        }
        let errors = self
            .state
            .rules
            .evaluate(framework, &dataset, index, year, &mut Summary::default())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let (coverage, aggregates) = match roll_up {
            Some(roll_up) => (0..framework.indicators.len())
                .map(|i| {
                    let indicator = nianbao_core::IndicatorIndex(i);
                    (roll_up.coverage(index, indicator), roll_up.value(index, indicator).clone())
                })
                .unzip(),
            None => (Vec::new(), Vec::new()),
        };
        let tree_org = self.state.tree.find(org_id).ok_or(AppError::NotFound)?;
        let (cases, cases_left_out) = self.cases_to_print(tree_org, year, scope, &statuses).await?;
        Ok(ReportData {
            org: index,
            dataset,
            scope,
            review,
            errors,
            differences,
            coverage,
            aggregates,
            cases,
            cases_left_out,
        })
    }

    /// Recomputes the stored aggregates of `year` of `org_id` and the units below it from the
    /// approved values of its schools, reading only its subtree. The units above are marked
    /// stale where its figures changed (their own editors re-aggregate them).
    pub async fn aggregate(&self, org_id: &str, year: i32) -> Result<AggregatesWritten, AppError> {
        self.check(org_id, Action::Edit)?;
        let framework = &self.state.framework;
        let dataset = self.school_data(DataScope::Approved, Some((org_id, &[year]))).await?;
        let root = dataset.org_index(org_id).ok_or(AppError::NotFound)?;
        let rolled = nianbao_core::aggregate::roll_up_within(framework, &dataset, year, root);
        let outcome = self.store().replace_aggregates(framework, &dataset, &rolled, &self.user.username).await?;
        let mut detail = format!("{} 个单位，{} 个汇总值", outcome.units, outcome.written);
        if !outcome.marked_stale.is_empty() {
            detail.push_str(&format!("；上级 {} 个单位标记为待重新汇总", outcome.marked_stale.len()));
        }
        self.record(org_id, year, "aggregate", &detail).await?;
        Ok(outcome)
    }

    /// The units of the caller's scope whose stored aggregates of `year` are marked stale.
    pub async fn stale_aggregates(&self, year: i32) -> Result<Vec<StaleAggregate>, AppError> {
        let stale = self.store().stale_aggregates(year).await?;
        Ok(stale
            .into_iter()
            .filter(|mark| self.state.tree.find(&mark.org_id).is_some_and(|org| self.may(org, Action::Read)))
            .collect())
    }

    pub async fn narratives(&self, org_id: &str, year: i32) -> Result<Vec<NarrativeEdit>, AppError> {
        self.check(org_id, Action::Edit)?;
        Ok(self.store().narratives(org_id, year).await?)
    }

    pub async fn set_narrative(&self, org_id: &str, year: i32, section: &str, body: &str) -> Result<(), AppError> {
        self.check(org_id, Action::Edit)?;
        if body.chars().count() > MAX_NARRATIVE_CHARS {
            return Err(AppError::invalid(
                format!("文字过长（最多 {MAX_NARRATIVE_CHARS} 字）"),
                format!("the text is too long (at most {MAX_NARRATIVE_CHARS})"),
            ));
        }
        self.store().set_narrative(org_id, year, section, body, &self.user.username).await?;
        self.record(org_id, year, "narrative", section).await
    }

    /// The case studies of the schools below an org unit (for the editor to draw on), with
    /// each school's return status.
    pub async fn school_cases(&self, org_id: &str, year: i32) -> Result<Vec<SchoolCase>, AppError> {
        let org = self.check(org_id, Action::Edit)?;
        let statuses: HashMap<String, SubmissionStatus> =
            self.store().submissions(year).await?.into_iter().map(|s| (s.org_id, s.status)).collect();
        let mut all = Vec::new();
        for school in self.state.tree.schools_within(org) {
            let id = &self.state.tree.unit(school).id;
            let status = statuses.get(id).copied().unwrap_or(SubmissionStatus::NotStarted);
            for case in self.store().cases(id, year).await? {
                all.push(SchoolCase { school, status, case });
            }
        }
        Ok(all)
    }

    /// The cases picked into the report of an org unit above the schools, by position.
    pub async fn case_picks(&self, org_id: &str, year: i32) -> Result<Vec<CasePick>, AppError> {
        self.check(org_id, Action::Edit)?;
        Ok(self.store().case_picks(org_id, year).await?)
    }

    /// Replaces the cases picked into a report: each must be a case of an approved school below
    /// the org unit, placed in a narrative section of the report's template. Positions are
    /// renumbered 1, 2, … in the order given. Audited.
    pub async fn set_case_picks(&self, org_id: &str, year: i32, picks: Vec<CasePick>) -> Result<(), AppError> {
        let org = self.check(org_id, Action::Edit)?;
        let unit = self.state.tree.unit(org);
        if unit.level == OrgLevel::School {
            return Err(AppError::invalid(
                "学校年报收录本校全部案例，无需选择",
                "a school's report prints all its own cases",
            ));
        }
        let places = crate::render::case_places(crate::render::template_for(&unit.id, unit.level));
        let available = self.school_cases(org_id, year).await?;
        let already: Vec<i64> = self.store().case_picks(org_id, year).await?.into_iter().map(|p| p.case_id).collect();
        let mut seen = HashSet::new();
        let mut checked = Vec::new();
        for pick in picks {
            let Some(found) = available.iter().find(|c| c.case.id == pick.case_id) else {
                return Err(AppError::invalid(
                    format!("案例 {} 不是本级所属学校的案例", pick.case_id),
                    format!("case {} is not a case of a school below", pick.case_id),
                ));
            };
            // A pick made while the school was approved may stay (it is left out of the report
            // until the school is approved again); a new pick needs the approval.
            if found.status != SubmissionStatus::Approved && !already.contains(&pick.case_id) {
                return Err(AppError::invalid(
                    format!(
                        "“{}”所属学校（{}）的填报尚未审核通过，审核通过后才能选入报告",
                        found.case.title,
                        self.state.tree.unit(found.school).name
                    ),
                    format!("“{}”: the school's return is not approved yet", found.case.title),
                ));
            }
            if !places.iter().any(|(key, _)| *key == pick.section) {
                return Err(AppError::invalid(
                    format!("报告中没有章节“{}”", pick.section),
                    format!("the report has no section {:?}", pick.section),
                ));
            }
            if seen.insert(pick.case_id) {
                checked.push(pick);
            }
        }
        for (index, pick) in checked.iter_mut().enumerate() {
            pick.position = index as i32 + 1;
        }
        Ok(self.store().set_case_picks(org_id, year, &checked, &self.user.username).await?)
    }

    /// The school cases a report prints: a school's own cases; above the schools, the picked
    /// cases whose school's return is approved (with `Drafts`, every pick), each with the section
    /// it goes in. Picks left out (their school not approved) are named in the second list.
    /// Photos are not read here (see [`Access::printed_cases`]).
    async fn cases_to_print(
        &self,
        org: usize,
        year: i32,
        scope: DataScope,
        statuses: &HashMap<String, SubmissionStatus>,
    ) -> Result<(Vec<(CaseStudy, String)>, Vec<String>), AppError> {
        let unit = self.state.tree.unit(org);
        let approved = |school: &str| statuses.get(school) == Some(&SubmissionStatus::Approved);
        let mut chosen = Vec::new();
        let mut left_out = Vec::new();
        if unit.level == OrgLevel::School {
            if scope == DataScope::Drafts || approved(&unit.id) {
                for case in self.store().cases(&unit.id, year).await? {
                    let section = case.section.clone();
                    chosen.push((case, section));
                }
            }
        } else {
            for pick in self.store().case_picks(&unit.id, year).await? {
                let Some(case) = self.store().case_study(pick.case_id).await? else { continue };
                let Some(school) = self.state.tree.find(&case.org_id) else { continue };
                if !self.state.tree.is_within(school, org) {
                    continue;
                }
                if scope == DataScope::Drafts || approved(&case.org_id) {
                    chosen.push((case, pick.section));
                } else {
                    left_out.push(format!("{}（{}）", case.title, self.state.tree.unit(school).name));
                }
            }
        }
        Ok((chosen, left_out))
    }

    /// The cases of [`ReportData::cases`] with their photos read, as a report prints them (only
    /// for building a report: the editor's page and live preview do not read photos).
    pub async fn printed_cases(&self, data: &ReportData) -> Result<Vec<crate::render::PrintedCase>, AppError> {
        let mut printed = Vec::new();
        for (case, section) in &data.cases {
            let mut photos = Vec::new();
            for photo in &case.photos {
                let record = self.store().photo(photo.photo_id).await?.ok_or(AppError::NotFound)?;
                let raster = nianbao_report::document::Raster::sized(record.bytes)
                    .map_err(|e| AppError::Internal(format!("photo {}: {e}", photo.photo_id)))?;
                photos.push((raster, photo.caption.clone()));
            }
            let tree = &self.state.tree;
            let school = tree.find(&case.org_id).map(|s| tree.unit(s).name.clone()).unwrap_or_default();
            printed.push(crate::render::PrintedCase {
                case_id: case.id,
                title: case.title.clone(),
                school,
                body: case.body.clone(),
                section: section.clone(),
                photos,
            });
        }
        Ok(printed)
    }

    pub async fn publish(&self, publication: NewPublication) -> Result<Publication, AppError> {
        self.check(&publication.org_id, Action::Edit)?;
        let publication = NewPublication { published_by: self.user.username.clone(), ..publication };
        Ok(self.store().publish(&publication).await?)
    }

    /// The deadline and the last actor's name for a school's entry page.
    pub async fn return_context(&self, data: &SchoolYear) -> Result<ReturnContext, AppError> {
        let submit_by = self
            .deadlines(data.year)
            .await?
            .applying(&self.state.tree, data.org, DeadlineStage::Submit)
            .map(|(_, deadline)| deadline.due_on.clone());
        let actor = &data.submission.changed_by;
        let changed_by_name = match actor.is_empty() {
            true => String::new(),
            false => match self.store().account(actor).await? {
                Some(account) if !account.display_name.is_empty() => account.display_name,
                _ => actor.clone(),
            },
        };
        Ok(ReturnContext { submit_by, changed_by_name })
    }

    /// The deadlines of a year that bear on the user's work (set at its org unit, above or below).
    pub async fn deadlines(&self, year: i32) -> Result<Deadlines, AppError> {
        let tree = &self.state.tree;
        Ok(Deadlines(
            self.store()
                .deadlines(year)
                .await?
                .into_iter()
                .filter_map(|deadline| tree.find(&deadline.org_id).map(|org| (org, deadline)))
                .filter(|(org, _)| tree.is_within(*org, self.user.org) || tree.is_within(self.user.org, *org))
                .collect(),
        ))
    }

    /// Sets (or with an empty day, removes) a deadline of the open year for the user's own org
    /// unit and everything below it: reviewers and administrators only.
    pub async fn set_deadline(&self, stage: DeadlineStage, due_on: &str) -> Result<(), AppError> {
        if self.user.role == Role::School {
            return Err(AppError::Forbidden);
        }
        let due_on = due_on.trim();
        check_deadline_day(due_on)?;
        self.store()
            .set_deadline(&Deadline {
                org_id: self.user.org_id.clone(),
                year: self.state.config.year,
                stage,
                due_on: due_on.to_string(),
                set_by: self.user.username.clone(),
                set_at: String::new(),
            })
            .await?;
        Ok(())
    }

    /// The signed-in user's own account.
    pub async fn own_account(&self) -> Result<Account, AppError> {
        self.store().account(&self.user.username).await?.ok_or(AppError::Unauthenticated)
    }

    /// Changes the user's own password after checking the current one (throttled like a
    /// sign-in) and the policy; every session of the account ends, and a new one is returned for
    /// this browser.
    pub async fn change_password(
        &self,
        current: &str,
        new: &str,
        repeat: &str,
        address: &str,
    ) -> Result<String, AppError> {
        let account = self.own_account().await?;
        let username = account.username.as_str();
        if let Err(crate::auth::Wait(left)) = self.state.throttle.check(username, address) {
            return Err(AppError::TooManyRequests { wait_seconds: left.as_secs_f64().ceil() as u64 });
        }
        if current.len() > MAX_PASSWORD_BYTES || !crate::auth::verify_password(current, &account.password_hash) {
            self.state.throttle.fail(username, address);
            tracing::warn!(username, address, "password change: wrong current password");
            return Err(AppError::invalid("当前密码不正确。", "The current password is wrong."));
        }
        if new != repeat {
            return Err(crate::password::PasswordProblem::Mismatch.into());
        }
        if new == current {
            return Err(crate::password::PasswordProblem::Unchanged.into());
        }
        crate::password::check_new_password(new, username, &account.display_name)?;
        let hash = crate::auth::hash_password(new)?;
        let ended = self.state.guarded.set_password(username, &hash, false).await?;
        self.audit_account(&account, "password_change").await?;
        tracing::info!(username, sessions_ended = ended, "password changed");
        self.state.guarded.new_session(self.state, username).await
    }

    /// The accounts an administrator manages: those of its org unit and below, by org unit.
    pub async fn managed_accounts(&self) -> Result<Vec<(usize, Account)>, AppError> {
        if self.user.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let tree = &self.state.tree;
        let mut accounts: Vec<(usize, Account)> = self
            .store()
            .accounts()
            .await?
            .into_iter()
            .filter_map(|account| tree.find(&account.org_id).map(|org| (org, account)))
            .filter(|(org, _)| tree.is_within(*org, self.user.org))
            .collect();
        let order: HashMap<usize, usize> =
            tree.within(self.user.org).into_iter().enumerate().map(|(i, o)| (o, i)).collect();
        accounts
            .sort_by_key(|(org, account)| (order.get(org).copied().unwrap_or(usize::MAX), account.username.clone()));
        Ok(accounts)
    }

    /// An administrator resets an account of its scope (not its own: that is changed on the
    /// account page): a temporary password, to be changed at the next sign-in, is returned once;
    /// the account's sessions end.
    pub async fn reset_password(&self, username: &str) -> Result<(Account, String), AppError> {
        if self.user.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let account = self.store().account(username).await?.ok_or(AppError::NotFound)?;
        let org = self.state.tree.find(&account.org_id).ok_or(AppError::NotFound)?;
        // Outside the scope is answered as if there were no such account.
        if !self.state.tree.is_within(org, self.user.org) {
            return Err(AppError::NotFound);
        }
        if account.username == self.user.username {
            return Err(AppError::invalid(
                "不能在这里重置自己的密码，请在“我的账号”中修改。",
                "Your own password is changed on the account page, not reset here.",
            ));
        }
        let temporary = crate::password::temporary_password()?;
        let hash = crate::auth::hash_password(&temporary)?;
        let ended = self.state.guarded.set_password(username, &hash, true).await?;
        self.audit_account(&account, "password_reset").await?;
        tracing::info!(admin = %self.user.username, username, sessions_ended = ended, "password reset");
        Ok((account, temporary))
    }

    async fn audit_account(&self, account: &Account, action: &str) -> Result<(), AppError> {
        self.store()
            .record_event(&AuditEvent {
                at: String::new(),
                actor: self.user.username.clone(),
                org_id: account.org_id.clone(),
                year: self.state.config.year,
                action: action.into(),
                detail: account.username.clone(),
            })
            .await?;
        Ok(())
    }

    pub async fn publications_of(&self, org_id: &str) -> Result<Vec<Publication>, AppError> {
        self.check(org_id, Action::Read)?;
        Ok(self.store().publications().await?.into_iter().filter(|p| p.org_id == org_id).collect())
    }
}

/// What anyone may see.
#[derive(Debug)]
pub struct PublicAccess<'a> {
    state: &'a AppState,
}

impl<'a> PublicAccess<'a> {
    pub(crate) fn new(state: &'a AppState) -> PublicAccess<'a> {
        PublicAccess { state }
    }

    fn store(&self) -> &dyn Store {
        self.state.guarded.store.as_ref()
    }

    pub async fn login(&self, username: &str, password: &str, address: &str) -> Result<String, AppError> {
        self.state.guarded.login(self.state, username, password, address).await
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        self.state.guarded.logout(token).await
    }

    pub async fn publications(&self) -> Result<Vec<Publication>, AppError> {
        Ok(self.store().publications().await?)
    }

    pub async fn publication(&self, id: i64) -> Result<Publication, AppError> {
        self.store().publication(id).await?.ok_or(AppError::NotFound)
    }

    pub async fn publication_file(&self, id: i64, file: PublicationFile) -> Result<Vec<u8>, AppError> {
        self.store().publication_file(id, file).await?.ok_or(AppError::NotFound)
    }

    /// The years of an org unit whose data is public: a school's approved years, a published
    /// report's year for any other unit.
    pub async fn public_years(&self, org: usize) -> Result<Vec<i32>, AppError> {
        let unit = self.state.tree.unit(org);
        let mut years: Vec<i32> = if unit.level == OrgLevel::School {
            let mut years = Vec::new();
            for year in (self.state.config.year - 9)..=self.state.config.year {
                if self.store().submission(&unit.id, year).await?.status == SubmissionStatus::Approved {
                    years.push(year);
                }
            }
            years
        } else {
            self.store().publications().await?.into_iter().filter(|p| p.org_id == unit.id).map(|p| p.year).collect()
        };
        years.sort_unstable();
        years.dedup();
        Ok(years)
    }

    /// The schools among `schools` that have a public (approved) year, each with its latest, in
    /// the order given. Reads each year's submissions once rather than each school's.
    pub async fn latest_public_years(&self, schools: &[usize]) -> Result<Vec<(usize, i32)>, AppError> {
        let mut latest: HashMap<&str, i32> = HashMap::new();
        for year in (self.state.config.year - 9)..=self.state.config.year {
            for submission in self.store().submissions(year).await? {
                if submission.status == SubmissionStatus::Approved
                    && let Some(org) = self.state.tree.find(&submission.org_id)
                {
                    latest.insert(self.state.tree.unit(org).id.as_str(), year);
                }
            }
        }
        Ok(schools
            .iter()
            .filter(|&&school| self.state.tree.unit(school).level == OrgLevel::School)
            .filter_map(|&school| latest.get(self.state.tree.unit(school).id.as_str()).map(|&year| (school, year)))
            .collect())
    }

    /// One indicator of the given schools, each in the (public) year given with it; None where
    /// the school gave no figure. Only the schools asked for are read (a page of them).
    pub async fn public_school_values(
        &self,
        picks: &[(usize, i32)],
        indicator_id: &str,
    ) -> Result<Vec<(usize, i32, Option<Value>)>, AppError> {
        let mut out = Vec::with_capacity(picks.len());
        for &(school, year) in picks {
            let unit = self.state.tree.unit(school);
            let stored = self.store().value(&unit.id, year, indicator_id, Layer::Reported).await?;
            out.push((school, year, stored.map(|stored| stored.value)));
        }
        Ok(out)
    }

    /// Public values of an org unit: (year, indicator id) → value, only for public years. A
    /// school's approved values are locked, so they are read as stored; any other unit's come
    /// from the figures frozen into its latest publication of each year.
    pub async fn public_values(&self, org: usize) -> Result<(Vec<i32>, HashMap<(i32, String), Value>), AppError> {
        let years = self.public_years(org).await?;
        let (Some(&first), Some(&last)) = (years.first(), years.last()) else { return Ok((years, HashMap::new())) };
        let unit = self.state.tree.unit(org);
        let mut values = HashMap::new();
        if unit.level == OrgLevel::School {
            for value in self.store().org_values(&unit.id, first, last).await? {
                if value.layer == Layer::Reported && years.contains(&value.year) {
                    values.insert((value.year, value.indicator_id), value.stored.value);
                }
            }
            return Ok((years, values));
        }
        // Newest first: each year's figures come from the latest publication that printed them
        // (a report prints the year before beside its own year).
        let publications = self.store().publications().await?;
        let mut published_years: Vec<i32> = Vec::new();
        for publication in publications.iter().filter(|p| p.org_id == unit.id) {
            let Some(bytes) = self.store().publication_file(publication.id, PublicationFile::Data).await? else {
                continue;
            };
            let data: HashMap<String, HashMap<String, String>> = serde_json::from_slice(&bytes).unwrap_or_default();
            for (data_year, figures) in data {
                let Ok(data_year) = data_year.parse::<i32>() else { continue };
                for (indicator, text) in figures {
                    // Written by `Value::to_storage_string`: read back as a dataset file's cell.
                    let Some(at) = self.state.framework.lookup(&indicator) else { continue };
                    let Ok(value) =
                        nianbao_io::dataset_dir::parse_value_cell(&text, self.state.framework.indicator(at).kind)
                    else {
                        continue;
                    };
                    values.entry((data_year, indicator)).or_insert(value);
                }
                published_years.push(data_year);
            }
        }
        published_years.sort_unstable();
        published_years.dedup();
        let years = published_years;
        Ok((years, values))
    }
}
