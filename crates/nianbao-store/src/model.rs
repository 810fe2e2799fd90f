//! The types the store reads and writes, and its errors.

use nianbao_core::Value;
use thiserror::Error;

/// Values entered for an org unit, versus values computed from its schools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Reported,
    Aggregated,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Reported => "reported",
            Layer::Aggregated => "aggregated",
        }
    }
}

/// Which values [`crate::Store::read_dataset`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadLayer {
    Reported,
    Aggregated,
    /// Reported values, and aggregated values where nothing was reported.
    Combined,
}

/// Which part of the store a read takes ([`crate::Store::read_scoped`]): the values of one org
/// unit's subtree (every unit when `root` is None) in some years (every year when `years` is
/// empty). The org tree itself is always read whole, so org indices and parents stay as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadScope {
    pub root: Option<String>,
    pub years: Vec<i32>,
}

impl ReadScope {
    /// Everything: what [`crate::Store::read_dataset`] reads.
    pub fn everything() -> ReadScope {
        ReadScope::default()
    }

    /// The subtree of `root` (the unit and every unit under it) in `years`.
    pub fn subtree(root: &str, years: &[i32]) -> ReadScope {
        ReadScope { root: Some(root.to_string()), years: years.to_vec() }
    }
}

/// How a value came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provenance {
    Entered,
    Imported,
    Aggregated,
    Computed,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Entered => "entered",
            Provenance::Imported => "imported",
            Provenance::Aggregated => "aggregated",
            Provenance::Computed => "computed",
        }
    }
    pub fn parse(text: &str) -> Provenance {
        match text {
            "imported" => Provenance::Imported,
            "aggregated" => Provenance::Aggregated,
            "computed" => Provenance::Computed,
            _ => Provenance::Entered,
        }
    }
}

/// One write of a reported value.
#[derive(Debug, Clone)]
pub struct ValueWrite {
    pub org: String,
    pub year: i32,
    pub indicator: String,
    pub value: Value,
    pub note: String,
    /// The version the writer last read; None when creating the value.
    pub expected_version: Option<i64>,
    /// Last writer wins: write over whatever version is stored (`expected_version` is ignored).
    /// The change still gets its own version and history entry.
    pub overwrite: bool,
    pub provenance: Provenance,
    pub actor: String,
    pub reason: String,
}

/// Why a unit's stored aggregates of a year were marked stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleCause {
    /// A school below was approved, or its approval was withdrawn.
    Approval,
    /// A unit below was re-aggregated, and its figures changed.
    BelowAggregated,
}

impl StaleCause {
    pub fn as_str(self) -> &'static str {
        match self {
            StaleCause::Approval => "approval",
            StaleCause::BelowAggregated => "below_aggregated",
        }
    }

    pub fn parse(text: &str) -> Result<StaleCause, StoreError> {
        match text {
            "approval" => Ok(StaleCause::Approval),
            "below_aggregated" => Ok(StaleCause::BelowAggregated),
            other => Err(StoreError::Invalid(format!("unknown stale cause {other:?}"))),
        }
    }
}

/// A unit whose stored aggregates of `year` may no longer match the approved data below it:
/// the latest cause, and the unit (a school, or a unit re-aggregated) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleAggregate {
    pub org_id: String,
    pub year: i32,
    pub cause: StaleCause,
    pub cause_org_id: String,
    pub marked_at: String,
}

/// What [`crate::Store::replace_aggregates`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AggregatesWritten {
    /// Aggregated values written.
    pub written: usize,
    /// Units re-aggregated (their earlier aggregates of the year replaced, their stale marks cleared).
    pub units: usize,
    /// Units above the re-aggregated subtree now marked stale, nearest first (empty when the
    /// subtree's top figures came out as they were, or for a whole roll-up).
    pub marked_stale: Vec<String>,
}

/// A stored value with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredValue {
    pub value: Value,
    pub version: i64,
    pub provenance: Provenance,
    pub note: String,
    pub changed_by: String,
    pub changed_at: String,
    /// For aggregated values: schools that gave a number, and schools below the unit.
    pub coverage: Option<(i64, i64)>,
}

/// What became of one write of [`crate::Store::write_cells`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellOutcome {
    /// Written: the new version.
    Written(i64),
    /// The stored value already was the one given: nothing written.
    Unchanged,
    /// Changed by someone else since the writer read it: nothing written for this cell; the
    /// value as it is now (None: it does not exist).
    Conflict(Option<StoredValue>),
}

/// One change of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub old_value: Option<Value>,
    pub new_value: Value,
    pub old_version: Option<i64>,
    pub new_version: i64,
    pub provenance: Provenance,
    pub changed_by: String,
    pub changed_at: String,
    pub reason: String,
}

/// Options of a bulk load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub provenance: Provenance,
    pub actor: String,
    pub reason: String,
}

/// What a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub orgs_added: usize,
    pub values_inserted: usize,
    pub values_updated: usize,
    pub values_unchanged: usize,
}

/// Errors of the store.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "{org} {year} {indicator}: the value was changed by someone else (you read version {expected:?}, it is now version {current}); reload and try again"
    )]
    Conflict { org: String, year: i32, indicator: String, expected: Option<i64>, current: i64 },
    #[error("{org} {year} {indicator}: version {expected} was expected but the value does not exist")]
    Missing { org: String, year: i32, indicator: String, expected: i64 },
    #[error("year {0} is closed: its values can no longer be changed")]
    YearClosed(i32),
    #[error("unknown org unit {0:?}")]
    UnknownOrg(String),
    #[error("unknown account {0:?}")]
    UnknownAccount(String),
    #[error("the database holds values of framework {stored}, not {given}")]
    FrameworkMismatch { stored: String, given: String },
    #[error("{org} {year}: the data has been approved and is locked; a reviewer above must unlock it first")]
    Locked { org: String, year: i32 },
    #[error("{org} {year}: the data is submitted and under review; a reviewer must return it before it can change")]
    UnderReview { org: String, year: i32 },
    #[error("{org} {year}: the data changed while it was being checked for submission; check it again")]
    ChangedSince { org: String, year: i32 },
    #[error("case study {id} was changed by someone else since it was read; reload and merge")]
    CaseChanged { id: i64 },
    #[error("cannot move from {from} to {to}")]
    Workflow { from: &'static str, to: &'static str },
    #[error("stored data is invalid: {0}")]
    Invalid(String),
}

/// The text form, state and parsed form of values in the `value` table.
pub(crate) fn encode_value(value: &Value) -> (String, &'static str) {
    match value {
        Value::Number(number) => (number.normalize().to_string(), "number"),
        Value::NotApplicable => ("-".to_string(), "not_applicable"),
        Value::Text(text) => (text.clone(), "text"),
        Value::Missing => (String::new(), "text"),
    }
}

pub(crate) fn decode_value(text: &str, state: &str) -> Result<Value, StoreError> {
    match state {
        "number" => {
            text.parse().map(Value::Number).map_err(|_| StoreError::Invalid(format!("{text:?} is not a decimal")))
        }
        "not_applicable" => Ok(Value::NotApplicable),
        // A cleared value is stored as empty text.
        "text" if text.is_empty() => Ok(Value::Missing),
        "text" => Ok(Value::Text(text.to_string())),
        other => Err(StoreError::Invalid(format!("unknown value state {other:?}"))),
    }
}
