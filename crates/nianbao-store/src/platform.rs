//! The web platform's records: accounts, sessions, API tokens, the review workflow, the audit
//! trail, case studies and photos, narrative edits and published report versions.

use crate::StoreError;
use async_trait::async_trait;

/// What an account may do; every role is scoped to one org unit and its descendants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, everywhere below its org unit (normally the province or city).
    Admin,
    /// The city bureau: reviews schools, edits and publishes the city report.
    City,
    /// A county reviewer: reviews the schools of the county.
    County,
    /// A school's data clerk: enters and submits the school's data.
    School,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::City, Role::County, Role::School];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::City => "city",
            Role::County => "county",
            Role::School => "school",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    pub fn title_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::City => "市级编辑/审核",
            Role::County => "县级审核",
            Role::School => "学校填报员",
        }
    }
}

/// A user account (the password only as an Argon2 PHC string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub org_id: String,
    pub display_name: String,
    pub created_at: String,
    /// Set by an administrator's reset: the user must choose a new password before anything else.
    pub must_change_password: bool,
    /// When the password was last set (empty: when the account was created).
    pub password_changed_at: String,
}

/// A browser session: the cookie's hash, its CSRF token and its expiry (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub username: String,
    pub csrf: String,
    pub expires_at: i64,
}

/// Which part of a year's work a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeadlineStage {
    /// Schools submit their returns.
    Submit,
    /// Reviewers approve the returns submitted to them.
    Review,
}

impl DeadlineStage {
    pub const ALL: [DeadlineStage; 2] = [DeadlineStage::Submit, DeadlineStage::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStage::Submit => "submit",
            DeadlineStage::Review => "review",
        }
    }

    pub fn from_name(name: &str) -> Option<DeadlineStage> {
        DeadlineStage::ALL.into_iter().find(|stage| stage.as_str() == name)
    }
}

/// The day (`YYYY-MM-DD`, in the deployment's time zone; due at its end) by which one stage of a
/// year's work is due for `org_id` and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub org_id: String,
    pub year: i32,
    pub stage: DeadlineStage,
    pub due_on: String,
    pub set_by: String,
    pub set_at: String,
}

/// Where a school's data for one year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionStatus {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "not_started",
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Approved => "approved",
        }
    }

    pub fn from_name(name: &str) -> Option<SubmissionStatus> {
        [
            SubmissionStatus::NotStarted,
            SubmissionStatus::Draft,
            SubmissionStatus::Submitted,
            SubmissionStatus::Returned,
            SubmissionStatus::Approved,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    pub fn title_zh(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "未开始",
            SubmissionStatus::Draft => "草稿",
            SubmissionStatus::Submitted => "已提交",
            SubmissionStatus::Returned => "已退回",
            SubmissionStatus::Approved => "已审核通过",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "not started",
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Approved => "approved",
        }
    }

    /// Whether the school may change its values.
    pub fn school_may_edit(self) -> bool {
        matches!(self, SubmissionStatus::NotStarted | SubmissionStatus::Draft | SubmissionStatus::Returned)
    }
}

/// The workflow state of one school and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub org_id: String,
    pub year: i32,
    pub status: SubmissionStatus,
    pub changed_by: String,
    pub changed_at: String,
    pub comment: String,
    /// The data revision of the school's year: bumped by every change of its values and
    /// explanations (0 before the first). A submission names the revision it checked.
    pub revision: i64,
}

/// A workflow transition: from one of `from` to `to`, with the audit event written in the same
/// transaction.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub org_id: &'a str,
    pub year: i32,
    pub from: &'a [SubmissionStatus],
    pub to: SubmissionStatus,
    pub actor: &'a str,
    pub comment: &'a str,
    pub action: &'a str,
    /// Refuse with [`StoreError::ChangedSince`] unless the data revision still is this one
    /// (a submission made on a check of that revision).
    pub expected_revision: Option<i64>,
}

/// A written explanation of a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub rule_id: String,
    pub text: String,
    /// The values the warning was about when the explanation was written
    /// ([`nianbao_core::validation::Finding::values_seen`]); when they change, the warning is
    /// open again.
    pub values_seen: String,
    pub written_by: String,
    pub written_at: String,
}

/// The editor's decision for one figure of an org unit above the schools whose entered value
/// differs from the schools' roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureChoice {
    pub indicator_id: String,
    /// `true`: print the aggregate; `false`: keep the entered figure (with `reason`).
    pub aggregate: bool,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// One entry of the audit trail (workflow actions, uploads, edits, publications).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: String,
    pub actor: String,
    pub org_id: String,
    pub year: i32,
    pub action: String,
    pub detail: String,
}

/// A case study (案例) written by a school or the city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStudy {
    pub id: i64,
    pub org_id: String,
    pub year: i32,
    pub title: String,
    pub body: String,
    /// The case's photos in order, each with its caption.
    pub photos: Vec<CasePhoto>,
    /// The chapter (a narrative section key of the report templates) the school places it in.
    pub section: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// A photo of a case study and its caption (printed as 图 n under the case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePhoto {
    pub photo_id: i64,
    pub caption: String,
}

/// A school's case study picked into the report of an org unit above it: where it is printed
/// (after the narrative section `section`) and in which order (`position`, from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePick {
    pub case_id: i64,
    pub position: i32,
    pub section: String,
}

/// An uploaded photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub id: i64,
    pub org_id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A narrative section as edited in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeEdit {
    pub section: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// The rendered files of a report version to publish.
#[derive(Debug, Clone)]
pub struct NewPublication {
    pub org_id: String,
    pub year: i32,
    pub title: String,
    pub published_by: String,
    pub change_note: String,
    pub html: Vec<u8>,
    pub docx: Vec<u8>,
    pub pdf: Vec<u8>,
    pub xlsx: Vec<u8>,
    /// The published figures as JSON (`{"year": {"indicator": "value"}}`), what the portal's
    /// trend pages show.
    pub data: String,
}

/// A published version, without its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: i64,
    pub org_id: String,
    pub year: i32,
    pub version: i64,
    pub title: String,
    pub published_at: String,
    pub published_by: String,
    pub change_note: String,
}

/// The files a publication holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationFile {
    Html,
    Docx,
    Pdf,
    Xlsx,
    /// The published figures (JSON).
    Data,
}

impl PublicationFile {
    pub fn from_extension(extension: &str) -> Option<PublicationFile> {
        match extension {
            "html" => Some(PublicationFile::Html),
            "docx" => Some(PublicationFile::Docx),
            "pdf" => Some(PublicationFile::Pdf),
            "xlsx" => Some(PublicationFile::Xlsx),
            _ => None,
        }
    }
    pub fn column(self) -> &'static str {
        match self {
            PublicationFile::Html => "html",
            PublicationFile::Docx => "docx",
            PublicationFile::Pdf => "pdf",
            PublicationFile::Xlsx => "xlsx",
            PublicationFile::Data => "data",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            PublicationFile::Html => "text/html; charset=utf-8",
            PublicationFile::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            PublicationFile::Pdf => "application/pdf",
            PublicationFile::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            PublicationFile::Data => "application/json",
        }
    }
}

/// One stored value of an org unit, as the entry pages and the API read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgValue {
    pub year: i32,
    pub indicator_id: String,
    pub layer: crate::Layer,
    pub stored: crate::StoredValue,
}

/// Storage of the platform's records (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait Platform: Send + Sync {
    /// Every stored value (both layers) of one org unit in the years `first..=last`.
    async fn org_values(&self, org_id: &str, first: i32, last: i32) -> Result<Vec<OrgValue>, StoreError>;
    /// As [`Platform::org_values`] for every unit of `root`'s subtree at once, each with its org id
    /// (a reviewer's list of schools in one query rather than one per school).
    async fn org_values_within(&self, root: &str, first: i32, last: i32)
    -> Result<Vec<(String, OrgValue)>, StoreError>;

    async fn add_account(&self, account: &Account) -> Result<(), StoreError>;
    async fn account(&self, username: &str) -> Result<Option<Account>, StoreError>;
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;
    /// Sets an account's password hash (and whether it must be changed at the next sign-in) and
    /// ends every session of the account, in one transaction; returns how many sessions ended.
    /// [`StoreError::UnknownAccount`] if there is no such account.
    async fn set_password(&self, username: &str, password_hash: &str, must_change: bool) -> Result<u64, StoreError>;
    /// Ends every session of an account; returns how many there were.
    async fn delete_sessions_of(&self, username: &str) -> Result<u64, StoreError>;

    async fn create_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    async fn add_api_token(&self, token_hash: &str, username: &str, label: &str) -> Result<(), StoreError>;
    /// The account an API token belongs to.
    async fn api_token_user(&self, token_hash: &str) -> Result<Option<String>, StoreError>;
    /// Revokes every API token of an account; returns how many there were.
    async fn revoke_api_tokens(&self, username: &str) -> Result<u64, StoreError>;

    /// The workflow state (NotStarted when nothing was recorded).
    async fn submission(&self, org_id: &str, year: i32) -> Result<Submission, StoreError>;
    async fn submissions(&self, year: i32) -> Result<Vec<Submission>, StoreError>;
    /// Every org unit's data revision of `year` (bumped by each write to its data of the year,
    /// explanations included); a unit never written to is absent.
    async fn data_revisions(&self, year: i32) -> Result<std::collections::HashMap<String, i64>, StoreError>;
    /// Moves a submission from one of `from` to `to` and records the audit event, in one
    /// transaction; refuses with [`StoreError::Workflow`] if the state is not one of `from`.
    async fn transition(&self, transition: &Transition<'_>) -> Result<Submission, StoreError>;

    /// Writes (or, with blank text, removes) the explanation of a warning about `values_seen`;
    /// refused like a value write when the data is submitted or approved.
    async fn set_explanation(
        &self,
        org_id: &str,
        year: i32,
        rule_id: &str,
        text: &str,
        values_seen: &str,
        actor: &str,
    ) -> Result<(), StoreError>;
    async fn explanations(&self, org_id: &str, year: i32) -> Result<Vec<Explanation>, StoreError>;
    /// The explanations of every unit of `root`'s subtree in `year`, each with its org id.
    async fn explanations_within(&self, root: &str, year: i32) -> Result<Vec<(String, Explanation)>, StoreError>;

    /// Records the editor's decision for a figure (and the audit event) in one transaction.
    async fn set_figure_choice(&self, org_id: &str, year: i32, choice: &FigureChoice) -> Result<(), StoreError>;
    async fn figure_choices(&self, org_id: &str, year: i32) -> Result<Vec<FigureChoice>, StoreError>;

    /// Sets (or with `due_on` empty, removes) a deadline, and writes the audit event, in one
    /// transaction.
    async fn set_deadline(&self, deadline: &Deadline) -> Result<(), StoreError>;
    /// Every deadline of a year, of every org unit.
    async fn deadlines(&self, year: i32) -> Result<Vec<Deadline>, StoreError>;

    async fn record_event(&self, event: &AuditEvent) -> Result<(), StoreError>;
    /// Audit events of one org unit and year, oldest first.
    async fn events(&self, org_id: &str, year: i32) -> Result<Vec<AuditEvent>, StoreError>;

    async fn add_photo(&self, org_id: &str, content_type: &str, bytes: &[u8], actor: &str) -> Result<i64, StoreError>;
    async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, StoreError>;
    /// Inserts (id 0) or updates a case study with its photos; returns its id. An update with
    /// `updated_at` set is made only if the stored case still carries that stamp (else
    /// [`StoreError::CaseChanged`]). A case is part of its school's return: refused like a value
    /// write when the return is submitted or approved.
    async fn save_case(&self, case: &CaseStudy) -> Result<i64, StoreError>;
    /// Deletes a case study of `org_id` and `year` (and the reports' picks of it), refused like
    /// [`Platform::save_case`]; the audit event is written in the same transaction.
    async fn delete_case(&self, id: i64, org_id: &str, year: i32, actor: &str) -> Result<(), StoreError>;
    /// The cases picked into the report of `org_id`, by position.
    async fn case_picks(&self, org_id: &str, year: i32) -> Result<Vec<CasePick>, StoreError>;
    /// Replaces the picks of a report (and writes the audit event) in one transaction.
    async fn set_case_picks(&self, org_id: &str, year: i32, picks: &[CasePick], actor: &str) -> Result<(), StoreError>;
    async fn case_study(&self, id: i64) -> Result<Option<CaseStudy>, StoreError>;
    async fn cases(&self, org_id: &str, year: i32) -> Result<Vec<CaseStudy>, StoreError>;

    async fn set_narrative(
        &self,
        org_id: &str,
        year: i32,
        section: &str,
        body: &str,
        actor: &str,
    ) -> Result<(), StoreError>;
    async fn narratives(&self, org_id: &str, year: i32) -> Result<Vec<NarrativeEdit>, StoreError>;

    /// Stores a new version (one more than the last of the org unit and year); returns it.
    async fn publish(&self, publication: &NewPublication) -> Result<Publication, StoreError>;
    /// Every published version, newest first.
    async fn publications(&self) -> Result<Vec<Publication>, StoreError>;
    async fn publication(&self, id: i64) -> Result<Option<Publication>, StoreError>;
    async fn publication_file(&self, id: i64, file: PublicationFile) -> Result<Option<Vec<u8>>, StoreError>;

    /// Tries to change a published version behind the API's back; the database's triggers must
    /// refuse it. Exists only so that tests can prove that.
    #[doc(hidden)]
    async fn tamper_with_publication(&self, id: i64) -> Result<(), StoreError>;
}
