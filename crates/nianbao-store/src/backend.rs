//! The SQLite and PostgreSQL implementations of [`Store`]. The SQL is shared (both accept `$n`
//! parameters, `ON CONFLICT` and the same types as used here); a macro instantiates it per backend.

use crate::Store;
use crate::model::*;
use crate::time::now;
use async_trait::async_trait;
use nianbao_core::aggregate::RollUp;
use nianbao_core::{Dataset, Framework, IndicatorIndex, OrgLevel, OrgUnit, Ownership, Value};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// SQLite in one file (WAL journal), the embedded default.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: sqlx::SqlitePool,
    /// One connection for write transactions: writers queue in the pool (fairly, without
    /// sleeping) instead of in SQLite's busy handler, which backs off in milliseconds.
    write_pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) a SQLite database file and applies its migrations.
    /// Writes a consistent copy of the whole database to `target` while the store stays in use
    /// (SQLite's `VACUUM INTO`); `target` must not exist yet.
    pub async fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if target.exists() {
            return Err(StoreError::Invalid(format!("{} exists already: give a new file", target.display())));
        }
        let target = target.to_str().ok_or_else(|| StoreError::Invalid("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let write_pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(SqliteStore { pool, write_pool })
    }
}

/// PostgreSQL by URL, for shared deployments.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(crate) pool: sqlx::PgPool,
}

impl PostgresStore {
    /// Connects and applies the PostgreSQL migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(8).connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Connects with every table in `schema` (created if needed): isolated test runs and
    /// several deployments in one database.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        use sqlx::ConnectOptions;
        use std::str::FromStr;
        if !schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') || schema.is_empty() {
            return Err(StoreError::Invalid(format!(
                "schema name {schema:?} must be lowercase ASCII letters, digits or '_'"
            )));
        }
        let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let mut connection = options.connect().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}")))
            .execute(&mut connection)
            .await?;
        drop(connection);
        let options = options.options([("search_path", schema)]);
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// Drops a schema and everything in it (test clean-up).
    pub async fn drop_schema(url: &str, schema: &str) -> Result<(), StoreError> {
        use sqlx::ConnectOptions;
        use std::str::FromStr;
        if !schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(StoreError::Invalid(format!("schema name {schema:?}")));
        }
        let mut connection = sqlx::postgres::PgConnectOptions::from_str(url)?.connect().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
            .execute(&mut connection)
            .await?;
        Ok(())
    }
}

/// History text of a value: the decimal, `-`, or `t:` and the text.
fn history_text(value: &Value) -> String {
    match value {
        Value::Number(number) => number.normalize().to_string(),
        Value::NotApplicable => "-".into(),
        Value::Text(text) => format!("t:{text}"),
        Value::Missing => String::new(),
    }
}

fn history_value(text: &str) -> Result<Value, StoreError> {
    if text.is_empty() {
        Ok(Value::Missing)
    } else if text == "-" {
        Ok(Value::NotApplicable)
    } else if let Some(rest) = text.strip_prefix("t:") {
        Ok(Value::Text(rest.to_string()))
    } else {
        decode_value(text, "number")
    }
}

/// A stored value from seven columns starting at `first`: value, state, version, provenance,
/// note, changed_by, changed_at.
fn stored_value<R: Row>(row: &R, first: usize) -> Result<StoredValue, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredValue {
        value: decode_value(&row.try_get::<String, _>(first)?, &row.try_get::<String, _>(first + 1)?)?,
        version: row.try_get(first + 2)?,
        provenance: Provenance::parse(&row.try_get::<String, _>(first + 3)?),
        note: row.try_get(first + 4)?,
        changed_by: row.try_get(first + 5)?,
        changed_at: row.try_get(first + 6)?,
        coverage: None,
    })
}

fn level_of(text: &str) -> Result<OrgLevel, StoreError> {
    OrgLevel::from_name(text).ok_or_else(|| StoreError::Invalid(format!("unknown level {text:?}")))
}

/// Rows per multi-row INSERT (13 parameters each: well inside both backends' limits).
const BATCH: usize = 1000;

pub(crate) struct NewValue<'a> {
    org: &'a str,
    year: i64,
    indicator: &'a str,
    text: String,
    state: &'static str,
    note: String,
}

macro_rules! implement_store {
    ($store:ty, $database:ty, $backend:literal) => {
        impl $store {
            async fn check_open(transaction: &mut sqlx::Transaction<'static, $database>, year: i32) -> Result<(), StoreError> {
                let closed: Option<i64> = sqlx::query_scalar("SELECT closed FROM report_year WHERE year = $1")
                    .bind(i64::from(year))
                    .fetch_optional(&mut **transaction)
                    .await?;
                if closed == Some(1) { Err(StoreError::YearClosed(year)) } else { Ok(()) }
            }

            /// Takes an org unit's year for this write transaction: bumps its data revision first
            /// (on PostgreSQL the row stays locked until commit, so a submission waits for this
            /// write or this write sees the submission), then refuses when the data is submitted
            /// (under review) or approved (locked). Every path that changes a school's year —
            /// values, explanations, loads — goes through here.
            pub(crate) async fn claim(transaction: &mut sqlx::Transaction<'static, $database>, org: &str, year: i32) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO data_revision (org_id, year, revision) VALUES ($1, $2, 1) \
                     ON CONFLICT (org_id, year) DO UPDATE SET revision = data_revision.revision + 1",
                )
                .bind(org)
                .bind(i64::from(year))
                .execute(&mut **transaction)
                .await?;
                let status: Option<String> = sqlx::query_scalar("SELECT status FROM submission WHERE org_id = $1 AND year = $2")
                    .bind(org)
                    .bind(i64::from(year))
                    .fetch_optional(&mut **transaction)
                    .await?;
                match status.as_deref() {
                    Some("approved") => Err(StoreError::Locked { org: org.to_string(), year }),
                    Some("submitted") => Err(StoreError::UnderReview { org: org.to_string(), year }),
                    _ => Ok(()),
                }
            }

            /// Marks every unit above `org` stale for `year` inside a write transaction; returns
            /// their ids, nearest first.
            pub(crate) async fn mark_above_stale(
                transaction: &mut sqlx::Transaction<'static, $database>,
                org: &str,
                year: i32,
                cause: StaleCause,
                cause_org: &str,
                stamp: &str,
            ) -> Result<Vec<String>, StoreError> {
                let above: Vec<String> = sqlx::query_scalar(
                    "WITH RECURSIVE above (id, depth) AS ( \
                       SELECT parent_id, 1 FROM org_unit WHERE id = $1 AND parent_id IS NOT NULL \
                       UNION ALL \
                       SELECT o.parent_id, a.depth + 1 FROM org_unit o JOIN above a ON o.id = a.id WHERE o.parent_id IS NOT NULL \
                     ) SELECT id FROM above ORDER BY depth",
                )
                .bind(org)
                .fetch_all(&mut **transaction)
                .await?;
                for unit in &above {
                    sqlx::query(
                        "INSERT INTO aggregate_stale (org_id, year, cause, cause_org_id, marked_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (org_id, year) DO UPDATE SET cause = excluded.cause, cause_org_id = excluded.cause_org_id, marked_at = excluded.marked_at",
                    )
                    .bind(unit)
                    .bind(i64::from(year))
                    .bind(cause.as_str())
                    .bind(cause_org)
                    .bind(stamp)
                    .execute(&mut **transaction)
                    .await?;
                }
                Ok(above)
            }

            /// Writes one audit event inside a transaction (`at` empty: now).
            /// A `value_history` row read from column `at` on: old value, new value, old and new
            /// version, provenance, who, when, why.
            fn history_entry(row: &<$database as sqlx::Database>::Row, at: usize) -> Result<HistoryEntry, StoreError> {
                let old: Option<String> = row.try_get(at)?;
                Ok(HistoryEntry {
                    old_value: old.as_deref().map(history_value).transpose()?,
                    new_value: history_value(&row.try_get::<String, _>(at + 1)?)?,
                    old_version: row.try_get(at + 2)?,
                    new_version: row.try_get(at + 3)?,
                    provenance: Provenance::parse(&row.try_get::<String, _>(at + 4)?),
                    changed_by: row.try_get(at + 5)?,
                    changed_at: row.try_get(at + 6)?,
                    reason: row.try_get(at + 7)?,
                })
            }

            pub(crate) async fn event_in(transaction: &mut sqlx::Transaction<'static, $database>, event: &crate::platform::AuditEvent) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO audit_event (at, actor, org_id, year, action, detail) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(if event.at.is_empty() { now() } else { event.at.clone() })
                    .bind(&event.actor)
                    .bind(&event.org_id)
                    .bind(i64::from(event.year))
                    .bind(&event.action)
                    .bind(&event.detail)
                    .execute(&mut **transaction)
                    .await?;
                Ok(())
            }

            /// The reported value a write is about, as it is inside the transaction.
            async fn stored_in(transaction: &mut sqlx::Transaction<'static, $database>, write: &ValueWrite) -> Result<Option<StoredValue>, StoreError> {
                let row = sqlx::query(
                    "SELECT value, state, version, provenance, note, changed_by, changed_at FROM value \
                     WHERE org_id = $1 AND year = $2 AND indicator_id = $3 AND layer = 'reported'",
                )
                .bind(&write.org)
                .bind(i64::from(write.year))
                .bind(&write.indicator)
                .fetch_optional(&mut **transaction)
                .await?;
                row.map(|row| stored_value(&row, 0)).transpose()
            }

            /// One write inside a transaction: checks, compare-and-set, history. The answer for
            /// this cell: written (its new version), unchanged (only when `skip_unchanged`: the
            /// stored value already is the one given), or a conflict with the value as it is now.
            async fn write_in(transaction: &mut sqlx::Transaction<'static, $database>, write: &ValueWrite, skip_unchanged: bool, claimed: &mut Vec<(String, i32)>) -> Result<CellOutcome, StoreError> {
                if write.overwrite {
                    Self::lock_row(transaction, write).await?;
                }
                // The year open, the org unit known, the data not locked, the stored value: one
                // round trip (write transactions are serialised, so each one saved counts).
                let row = sqlx::query(
                    "SELECT (SELECT closed FROM report_year WHERE year = $1), \
                            (SELECT CAST(1 AS BIGINT) FROM org_unit WHERE id = $2), \
                            v.value, v.state, v.version, v.provenance, v.note, v.changed_by, v.changed_at \
                     FROM (SELECT 1 AS one) AS anchor \
                     LEFT JOIN value v ON v.org_id = $2 AND v.year = $1 AND v.indicator_id = $3 AND v.layer = 'reported'",
                )
                .bind(i64::from(write.year))
                .bind(&write.org)
                .bind(&write.indicator)
                .fetch_one(&mut **transaction)
                .await?;
                let closed: Option<i64> = row.try_get(0)?;
                let known: Option<i64> = row.try_get(1)?;
                let current = match row.try_get::<Option<i64>, _>(4)? {
                    Some(_) => Some(stored_value(&row, 2)?),
                    None => None,
                };
                if closed == Some(1) {
                    return Err(StoreError::YearClosed(write.year));
                }
                if known.is_none() {
                    return Err(StoreError::UnknownOrg(write.org.clone()));
                }
                if skip_unchanged && current.as_ref().map_or(write.value.is_missing(), |c| c.value == write.value) {
                    return Ok(CellOutcome::Unchanged);
                }
                if !claimed.iter().any(|(org, year)| *org == write.org && *year == write.year) {
                    Self::claim(transaction, &write.org, write.year).await?;
                    claimed.push((write.org.clone(), write.year));
                }
                let (text, state) = encode_value(&write.value);
                let stamp = now();
                let expected_version = if write.overwrite { current.as_ref().map(|c| c.version) } else { write.expected_version };
                let (old_value, old_version, new_version) = match (current, expected_version) {
                    (None, None) => {
                        // Someone may have created it since we looked (PostgreSQL runs writers
                        // side by side): then this is a conflict, not a database error.
                        let inserted = sqlx::query(
                            "INSERT INTO value (org_id, year, indicator_id, layer, value, state, provenance, note, version, changed_by, changed_at) \
                             VALUES ($1, $2, $3, 'reported', $4, $5, $6, $7, 1, $8, $9) ON CONFLICT DO NOTHING",
                        )
                        .bind(&write.org)
                        .bind(i64::from(write.year))
                        .bind(&write.indicator)
                        .bind(&text)
                        .bind(state)
                        .bind(write.provenance.as_str())
                        .bind(&write.note)
                        .bind(&write.actor)
                        .bind(&stamp)
                        .execute(&mut **transaction)
                        .await?;
                        if inserted.rows_affected() != 1 {
                            return Ok(CellOutcome::Conflict(Self::stored_in(transaction, write).await?));
                        }
                        (None, None, 1)
                    }
                    (Some(current), Some(expected)) if current.version == expected => {
                        // Compare-and-set: the update only happens if nobody wrote in between.
                        let updated = sqlx::query(
                            "UPDATE value SET value = $1, state = $2, provenance = $3, note = $4, version = version + 1, changed_by = $5, changed_at = $6 \
                             WHERE org_id = $7 AND year = $8 AND indicator_id = $9 AND layer = 'reported' AND version = $10",
                        )
                        .bind(&text)
                        .bind(state)
                        .bind(write.provenance.as_str())
                        .bind(&write.note)
                        .bind(&write.actor)
                        .bind(&stamp)
                        .bind(&write.org)
                        .bind(i64::from(write.year))
                        .bind(&write.indicator)
                        .bind(current.version)
                        .execute(&mut **transaction)
                        .await?;
                        if updated.rows_affected() != 1 {
                            return Ok(CellOutcome::Conflict(Self::stored_in(transaction, write).await?));
                        }
                        (Some(current.value), Some(current.version), current.version + 1)
                    }
                    (current, _) => return Ok(CellOutcome::Conflict(current)),
                };
                sqlx::query(
                    "INSERT INTO value_history (org_id, year, indicator_id, layer, old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason) \
                     VALUES ($1, $2, $3, 'reported', $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&write.org)
                .bind(i64::from(write.year))
                .bind(&write.indicator)
                .bind(old_value.as_ref().map(history_text))
                .bind(history_text(&write.value))
                .bind(old_version)
                .bind(new_version)
                .bind(write.provenance.as_str())
                .bind(&write.actor)
                .bind(&stamp)
                .bind(&write.reason)
                .execute(&mut **transaction)
                .await?;
                Ok(CellOutcome::Written(new_version))
            }

            /// A write that must land: a conflict is the error it always was.
            async fn write_or_refuse(transaction: &mut sqlx::Transaction<'static, $database>, write: &ValueWrite, claimed: &mut Vec<(String, i32)>) -> Result<i64, StoreError> {
                match Self::write_in(transaction, write, false, claimed).await? {
                    CellOutcome::Written(version) => Ok(version),
                    CellOutcome::Conflict(None) | CellOutcome::Unchanged => match write.expected_version {
                        Some(expected) => Err(StoreError::Missing { org: write.org.clone(), year: write.year, indicator: write.indicator.clone(), expected }),
                        None => Err(StoreError::Conflict { org: write.org.clone(), year: write.year, indicator: write.indicator.clone(), expected: None, current: 1 }),
                    },
                    CellOutcome::Conflict(Some(current)) => Err(StoreError::Conflict {
                        org: write.org.clone(),
                        year: write.year,
                        indicator: write.indicator.clone(),
                        expected: write.expected_version,
                        current: current.version,
                    }),
                }
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn bind_framework(&self, framework: &Framework) -> Result<(), StoreError> {
                let given = format!("{} {}", framework.id, framework.version);
                let stored: Option<String> =
                    sqlx::query_scalar("SELECT value FROM meta WHERE key = 'framework'").fetch_optional(&self.pool).await?;
                match stored {
                    Some(stored) if stored != given => Err(StoreError::FrameworkMismatch { stored, given }),
                    Some(_) => Ok(()),
                    None => {
                        sqlx::query("INSERT INTO meta (key, value) VALUES ('framework', $1) ON CONFLICT (key) DO NOTHING")
                            .bind(&given)
                            .execute(&self.pool)
                            .await?;
                        Ok(())
                    }
                }
            }

            async fn org_units(&self) -> Result<Vec<OrgUnit>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, name, name_en, level, parent_id, ownership, designations, provincial_grade, school_type FROM org_unit ORDER BY position",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut index: HashMap<String, usize> = HashMap::new();
                let mut units = Vec::with_capacity(rows.len());
                for row in rows {
                    let id: String = row.try_get(0)?;
                    let parent_id: Option<String> = row.try_get(4)?;
                    let parent = match parent_id {
                        Some(parent_id) => Some(*index.get(&parent_id).ok_or_else(|| StoreError::Invalid(format!("org {id:?} comes before its parent {parent_id:?}")))?),
                        None => None,
                    };
                    let ownership: Option<String> = row.try_get(5)?;
                    let designations: String = row.try_get(6)?;
                    index.insert(id.clone(), units.len());
                    units.push(OrgUnit {
                        id,
                        name: row.try_get(1)?,
                        name_en: row.try_get(2)?,
                        level: level_of(&row.try_get::<String, _>(3)?)?,
                        parent,
                        ownership: ownership.as_deref().and_then(Ownership::from_name),
                        designations: designations.split(';').filter(|d| !d.is_empty()).map(String::from).collect(),
                        provincial_grade: row.try_get(7)?,
                        school_type: row.try_get(8)?,
                    });
                }
                Ok(units)
            }

            async fn set_year_closed(&self, year: i32, closed: bool) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO report_year (year, closed) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET closed = excluded.closed")
                    .bind(i64::from(year))
                    .bind(i64::from(closed))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn is_year_closed(&self, year: i32) -> Result<bool, StoreError> {
                let closed: Option<i64> = sqlx::query_scalar("SELECT closed FROM report_year WHERE year = $1")
                    .bind(i64::from(year))
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(closed == Some(1))
            }

            async fn write_value(&self, write: &ValueWrite) -> Result<i64, StoreError> {
                let mut transaction = self.begin_write().await?;
                let version = Self::write_or_refuse(&mut transaction, write, &mut Vec::new()).await?;
                transaction.commit().await?;
                Ok(version)
            }

            async fn write_values(&self, writes: &[ValueWrite]) -> Result<Vec<i64>, StoreError> {
                let mut transaction = self.begin_write().await?;
                let mut versions = Vec::with_capacity(writes.len());
                let mut claimed = Vec::new();
                for write in writes {
                    versions.push(Self::write_or_refuse(&mut transaction, write, &mut claimed).await?);
                }
                transaction.commit().await?;
                Ok(versions)
            }

            async fn write_cells(&self, writes: &[ValueWrite]) -> Result<Vec<CellOutcome>, StoreError> {
                let mut transaction = self.begin_write().await?;
                let mut outcomes = Vec::with_capacity(writes.len());
                let mut claimed = Vec::new();
                for write in writes {
                    outcomes.push(Self::write_in(&mut transaction, write, true, &mut claimed).await?);
                }
                transaction.commit().await?;
                Ok(outcomes)
            }

            async fn value(&self, org: &str, year: i32, indicator: &str, layer: Layer) -> Result<Option<StoredValue>, StoreError> {
                let row = sqlx::query(
                    "SELECT value, state, version, provenance, note, changed_by, changed_at, reporting, schools FROM value \
                     WHERE org_id = $1 AND year = $2 AND indicator_id = $3 AND layer = $4",
                )
                .bind(org)
                .bind(i64::from(year))
                .bind(indicator)
                .bind(layer.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let reporting: Option<i64> = row.try_get(7)?;
                let schools: Option<i64> = row.try_get(8)?;
                Ok(Some(StoredValue { coverage: reporting.zip(schools), ..stored_value(&row, 0)? }))
            }

            async fn history(&self, org: &str, year: i32, indicator: &str, layer: Layer) -> Result<Vec<HistoryEntry>, StoreError> {
                let rows = sqlx::query(
                    "SELECT old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason FROM value_history \
                     WHERE org_id = $1 AND year = $2 AND indicator_id = $3 AND layer = $4 ORDER BY id",
                )
                .bind(org)
                .bind(i64::from(year))
                .bind(indicator)
                .bind(layer.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Self::history_entry(row, 0)).collect()
            }

            async fn changes_since(&self, org: &str, year: i32, layer: Layer, since: &str) -> Result<Vec<(String, HistoryEntry)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT indicator_id, old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason FROM value_history \
                     WHERE org_id = $1 AND year = $2 AND layer = $3 AND changed_at > $4 ORDER BY id",
                )
                .bind(org)
                .bind(i64::from(year))
                .bind(layer.as_str())
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok((row.try_get(0)?, Self::history_entry(row, 1)?))).collect()
            }

            async fn load(
                &self,
                framework: &Framework,
                dataset: &Dataset,
                options: &LoadOptions,
                progress: &(dyn Fn(usize, usize) + Sync),
            ) -> Result<LoadReport, StoreError> {
                self.bind_framework(framework).await?;
                let mut report = LoadReport::default();
                let stamp = now();
                let mut transaction = self.begin_write().await?;

                // Closed years refuse the whole load.
                let years = dataset.years();
                for &year in &years {
                    Self::check_open(&mut transaction, year).await?;
                }

                // The org tree: new units appended in order, known ones updated.
                let existing: Vec<String> = sqlx::query_scalar("SELECT id FROM org_unit").fetch_all(&mut *transaction).await?;
                let existing: std::collections::HashSet<String> = existing.into_iter().collect();
                let mut position: i64 = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(position) FROM org_unit")
                    .fetch_one(&mut *transaction)
                    .await?
                    .unwrap_or(0);
                for unit in &dataset.orgs {
                    let parent = unit.parent.map(|p| dataset.orgs[p].id.clone());
                    let ownership = unit.ownership.map(|o| o.name());
                    let designations = unit.designations.join(";");
                    if existing.contains(&unit.id) {
                        sqlx::query(
                            "UPDATE org_unit SET name = $1, name_en = $2, level = $3, parent_id = $4, ownership = $5, designations = $6, provincial_grade = $7, school_type = $8 WHERE id = $9",
                        )
                        .bind(&unit.name)
                        .bind(&unit.name_en)
                        .bind(unit.level.name())
                        .bind(parent)
                        .bind(ownership)
                        .bind(designations)
                        .bind(&unit.provincial_grade)
                        .bind(&unit.school_type)
                        .bind(&unit.id)
                        .execute(&mut *transaction)
                        .await?;
                    } else {
                        position += 1;
                        sqlx::query(
                            "INSERT INTO org_unit (id, position, name, name_en, level, parent_id, ownership, designations, provincial_grade, school_type) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        )
                        .bind(&unit.id)
                        .bind(position)
                        .bind(&unit.name)
                        .bind(&unit.name_en)
                        .bind(unit.level.name())
                        .bind(parent)
                        .bind(ownership)
                        .bind(designations)
                        .bind(&unit.provincial_grade)
                        .bind(&unit.school_type)
                        .execute(&mut *transaction)
                        .await?;
                        report.orgs_added += 1;
                    }
                }

                // Submitted (under review) and approved (locked) school-years refuse any change,
                // whoever loads: each year that changes is claimed before its first change.
                let mut claimed: Vec<(String, i32)> = Vec::new();

                // What is stored already for these years (empty on a first load: the fast path).
                let mut stored: HashMap<(String, i64, String), (String, String, i64)> = HashMap::new();
                let any: Option<i64> = sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM value WHERE layer = 'reported' LIMIT 1").fetch_optional(&mut *transaction).await?;
                if any.is_some() {
                    for &year in &years {
                        let rows = sqlx::query("SELECT org_id, indicator_id, value, state, version FROM value WHERE layer = 'reported' AND year = $1")
                            .bind(i64::from(year))
                            .fetch_all(&mut *transaction)
                            .await?;
                        for row in rows {
                            stored.insert(
                                (row.try_get(0)?, i64::from(year), row.try_get(1)?),
                                (row.try_get(2)?, row.try_get(3)?, row.try_get(4)?),
                            );
                        }
                    }
                }

                let total = dataset.value_count();
                let mut done = 0usize;
                let mut inserts: Vec<NewValue<'_>> = Vec::with_capacity(Self::BATCH);
                let mut slots: Vec<((usize, i32), &[Value])> = dataset.iter_slots().collect();
                slots.sort_by_key(|((org, year), _)| (*org, *year));
                for ((org, year), values) in slots {
                    let org_id = dataset.orgs[org].id.as_str();
                    for (index, value) in values.iter().enumerate() {
                        if value.is_missing() {
                            continue;
                        }
                        let indicator = framework.indicator(IndicatorIndex(index)).id.as_str();
                        let note = dataset.note(org, year, IndicatorIndex(index)).unwrap_or("").to_string();
                        let (text, state) = encode_value(value);
                        // A first load stores nothing yet: skip building lookup keys for every value.
                        let existing = if stored.is_empty() { None } else { stored.get(&(org_id.to_string(), i64::from(year), indicator.to_string())) };
                        let unchanged = matches!(existing, Some((old_text, old_state, _)) if *old_text == text && *old_state == state);
                        if !unchanged && claimed.last().is_none_or(|(org, claimed_year)| org != org_id || *claimed_year != year) {
                            Self::claim(&mut transaction, org_id, year).await?;
                            claimed.push((org_id.to_string(), year));
                        }
                        match existing {
                            Some((old_text, old_state, _)) if *old_text == text && *old_state == state => report.values_unchanged += 1,
                            Some((old_text, old_state, version)) => {
                                sqlx::query(
                                    "UPDATE value SET value = $1, state = $2, provenance = $3, note = $4, version = version + 1, changed_by = $5, changed_at = $6 \
                                     WHERE org_id = $7 AND year = $8 AND indicator_id = $9 AND layer = 'reported'",
                                )
                                .bind(&text)
                                .bind(state)
                                .bind(options.provenance.as_str())
                                .bind(&note)
                                .bind(&options.actor)
                                .bind(&stamp)
                                .bind(org_id)
                                .bind(i64::from(year))
                                .bind(indicator)
                                .execute(&mut *transaction)
                                .await?;
                                sqlx::query(
                                    "INSERT INTO value_history (org_id, year, indicator_id, layer, old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason) \
                                     VALUES ($1, $2, $3, 'reported', $4, $5, $6, $7, $8, $9, $10, $11)",
                                )
                                .bind(org_id)
                                .bind(i64::from(year))
                                .bind(indicator)
                                .bind(history_text(&decode_value(old_text, old_state)?))
                                .bind(history_text(value))
                                .bind(*version)
                                .bind(*version + 1)
                                .bind(options.provenance.as_str())
                                .bind(&options.actor)
                                .bind(&stamp)
                                .bind(&options.reason)
                                .execute(&mut *transaction)
                                .await?;
                                report.values_updated += 1;
                            }
                            None => {
                                inserts.push(NewValue { org: org_id, year: i64::from(year), indicator, text, state, note });
                                if inserts.len() == Self::BATCH {
                                    Self::insert_new(&mut transaction, &inserts, options, &stamp).await?;
                                    report.values_inserted += inserts.len();
                                    inserts.clear();
                                }
                            }
                        }
                        done += 1;
                        if done % 100_000 == 0 {
                            progress(done, total);
                        }
                    }
                }
                if !inserts.is_empty() {
                    Self::insert_new(&mut transaction, &inserts, options, &stamp).await?;
                    report.values_inserted += inserts.len();
                }
                transaction.commit().await?;
                progress(total, total);
                Ok(report)
            }

            async fn read_scoped(&self, framework: &Framework, layer: ReadLayer, scope: &ReadScope) -> Result<Dataset, StoreError> {
                let mut dataset = Dataset::new(framework.indicators.len());
                for unit in self.org_units().await? {
                    dataset.add_org(unit).map_err(StoreError::Invalid)?;
                }
                self.read_values_into(framework, layer, scope, &mut dataset).await?;
                Ok(dataset)
            }

            async fn read_values_into(&self, framework: &Framework, layer: ReadLayer, scope: &ReadScope, dataset: &mut Dataset) -> Result<(), StoreError> {
                use futures_util::TryStreamExt;
                let org_index: HashMap<String, usize> = dataset.orgs.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();
                let layers: &[&str] = match layer {
                    ReadLayer::Reported => &["reported"],
                    ReadLayer::Aggregated => &["aggregated"],
                    // Reported first, so that aggregated values only fill the gaps.
                    ReadLayer::Combined => &["reported", "aggregated"],
                };
                // The years as a range (bound the same way on both backends); a year inside the
                // range but not asked for is skipped below.
                let (first_year, last_year) = match (scope.years.iter().min(), scope.years.iter().max()) {
                    (Some(&first), Some(&last)) => (i64::from(first), i64::from(last)),
                    _ => (i64::from(i32::MIN), i64::from(i32::MAX)),
                };
                let wanted_year = |year: i32| scope.years.is_empty() || scope.years.contains(&year);
                for (pass, row_layer) in layers.iter().enumerate() {
                    let mut rows = match &scope.root {
                        None => sqlx::query("SELECT org_id, year, indicator_id, value, state, note FROM value WHERE layer = $1 AND year >= $2 AND year <= $3")
                            .bind(*row_layer)
                            .bind(first_year)
                            .bind(last_year)
                            .fetch(&self.pool),
                        // The subtree by a recursive query over the parent links (indexed).
                        // CROSS JOIN keeps the subtree the outer loop on SQLite (the bundled
                        // planner otherwise scans every value of the years and probes the
                        // subtree: a whole-nation read for one school); PostgreSQL plans freely.
                        Some(root) => sqlx::query(
                            "WITH RECURSIVE scope(id) AS (SELECT id FROM org_unit WHERE id = $1 UNION ALL SELECT o.id FROM org_unit o JOIN scope s ON o.parent_id = s.id) \
                             SELECT v.org_id, v.year, v.indicator_id, v.value, v.state, v.note FROM scope s CROSS JOIN value v \
                             WHERE v.org_id = s.id AND v.layer = $2 AND v.year >= $3 AND v.year <= $4",
                        )
                        .bind(root.as_str())
                        .bind(*row_layer)
                        .bind(first_year)
                        .bind(last_year)
                        .fetch(&self.pool),
                    };
                    while let Some(row) = rows.try_next().await? {
                        let org_id: &str = row.try_get(0)?;
                        let indicator_id: &str = row.try_get(2)?;
                        let (Some(&org), Some(indicator)) = (org_index.get(org_id), framework.lookup(indicator_id)) else {
                            return Err(StoreError::Invalid(format!("value of unknown org {org_id:?} or indicator {indicator_id:?}")));
                        };
                        let year = i32::try_from(row.try_get::<i64, _>(1)?).map_err(|_| StoreError::Invalid("year out of range".into()))?;
                        if !wanted_year(year) || (pass > 0 && !dataset.get(org, year, indicator).is_missing()) {
                            continue;
                        }
                        let value = decode_value(row.try_get::<&str, _>(3)?, row.try_get::<&str, _>(4)?)?;
                        dataset.set(org, year, indicator, value);
                        let note: &str = row.try_get(5)?;
                        if !note.is_empty() {
                            dataset.set_note(org, year, indicator, note.to_string());
                        }
                    }
                }
                Ok(())
            }

            async fn replace_aggregates(&self, framework: &Framework, dataset: &Dataset, roll_up: &RollUp, actor: &str) -> Result<AggregatesWritten, StoreError> {
                let stamp = now();
                let mut transaction = self.begin_write().await?;
                Self::check_open(&mut transaction, roll_up.year).await?;
                let year = i64::from(roll_up.year);
                let mut units: Vec<usize> = roll_up.values.keys().copied().collect();
                units.sort_unstable();
                let held: HashSet<usize> = units.iter().copied().collect();
                // The subtree's top units (their parent is outside the roll-up): the units above
                // depend on their figures, and are marked stale where those figures changed.
                let mut marked_stale = Vec::new();
                let tops = units.iter().copied().filter(|&unit| dataset.orgs[unit].parent.is_some_and(|parent| !held.contains(&parent)));
                for top in tops.collect::<Vec<_>>() {
                    let org_id = &dataset.orgs[top].id;
                    let mut before: Vec<(String, String, String, Option<i64>, Option<i64>)> = Vec::new();
                    let rows = sqlx::query("SELECT indicator_id, value, state, reporting, schools FROM value WHERE org_id = $1 AND year = $2 AND layer = 'aggregated'")
                        .bind(org_id)
                        .bind(year)
                        .fetch_all(&mut *transaction)
                        .await?;
                    for row in rows {
                        before.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?));
                    }
                    before.sort();
                    let mut after: Vec<(String, String, String, Option<i64>, Option<i64>)> = roll_up.values[&top]
                        .iter()
                        .enumerate()
                        .filter(|(_, value)| !value.is_missing())
                        .map(|(index, value)| {
                            let (text, state) = encode_value(value);
                            let (reporting, schools) = roll_up.coverage(top, IndicatorIndex(index));
                            (framework.indicators[index].id.clone(), text, state.to_string(), Some(i64::from(reporting)), Some(i64::from(schools)))
                        })
                        .collect();
                    after.sort();
                    if before != after {
                        for above in Self::mark_above_stale(&mut transaction, org_id, roll_up.year, StaleCause::BelowAggregated, org_id, &stamp).await? {
                            if !marked_stale.contains(&above) {
                                marked_stale.push(above);
                            }
                        }
                    }
                }
                for chunk in units.chunks(Self::BATCH) {
                    for table in ["value", "aggregate_stale"] {
                        let mut delete = sqlx::QueryBuilder::<$database>::new(format!("DELETE FROM {table} WHERE year = "));
                        delete.push_bind(year);
                        if table == "value" {
                            delete.push(" AND layer = 'aggregated'");
                        }
                        delete.push(" AND org_id IN (");
                        let mut ids = delete.separated(", ");
                        for &unit in chunk {
                            ids.push_bind(dataset.orgs[unit].id.clone());
                        }
                        ids.push_unseparated(")");
                        delete.build().execute(&mut *transaction).await?;
                    }
                }
                let mut written = 0;
                let mut rows: Vec<(usize, usize, String, &'static str)> = Vec::with_capacity(Self::BATCH);
                for &org in &units {
                    for (index, value) in roll_up.values[&org].iter().enumerate() {
                        if value.is_missing() {
                            continue;
                        }
                        let (text, state) = encode_value(value);
                        rows.push((org, index, text, state));
                        if rows.len() == Self::BATCH {
                            written += rows.len();
                            Self::insert_aggregate_rows(&mut transaction, framework, dataset, roll_up, &rows, actor, &stamp).await?;
                            rows.clear();
                        }
                    }
                }
                if !rows.is_empty() {
                    written += rows.len();
                    Self::insert_aggregate_rows(&mut transaction, framework, dataset, roll_up, &rows, actor, &stamp).await?;
                }
                transaction.commit().await?;
                Ok(AggregatesWritten { written, units: units.len(), marked_stale })
            }

            async fn stale_aggregates(&self, year: i32) -> Result<Vec<StaleAggregate>, StoreError> {
                let rows = sqlx::query("SELECT org_id, cause, cause_org_id, marked_at FROM aggregate_stale WHERE year = $1 ORDER BY org_id")
                    .bind(i64::from(year))
                    .fetch_all(&self.pool)
                    .await?;
                let mut stale = Vec::with_capacity(rows.len());
                for row in rows {
                    let cause: String = row.try_get(1)?;
                    stale.push(StaleAggregate {
                        org_id: row.try_get(0)?,
                        year,
                        cause: StaleCause::parse(&cause)?,
                        cause_org_id: row.try_get(2)?,
                        marked_at: row.try_get(3)?,
                    });
                }
                Ok(stale)
            }

            async fn counts(&self) -> Result<(i64, i64, i64), StoreError> {
                let reported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM value WHERE layer = 'reported'").fetch_one(&self.pool).await?;
                let aggregated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM value WHERE layer = 'aggregated'").fetch_one(&self.pool).await?;
                let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM value_history").fetch_one(&self.pool).await?;
                Ok((reported, aggregated, history))
            }
        }
    };
}

impl SqliteStore {
    const BATCH: usize = BATCH;

    /// Nothing to do: SQLite write transactions are serialised (one writer connection).
    async fn lock_row(_: &mut sqlx::Transaction<'static, sqlx::Sqlite>, _: &ValueWrite) -> Result<(), StoreError> {
        Ok(())
    }

    /// Write transactions take the write lock at once (BEGIN IMMEDIATE): two writers then wait
    /// for each other (busy timeout) instead of deadlocking when both upgrade a read lock.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.write_pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// SQLite: inserts new reported values and their creation in the history, in two multi-row statements.
    async fn insert_new(
        transaction: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        rows: &[NewValue<'_>],
        options: &LoadOptions,
        stamp: &str,
    ) -> Result<(), StoreError> {
        let mut values = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO value (org_id, year, indicator_id, layer, value, state, provenance, note, version, changed_by, changed_at) ",
        );
        values.push_values(rows, |mut b, row| {
            b.push_bind(row.org.to_string())
                .push_bind(row.year)
                .push_bind(row.indicator.to_string())
                .push_bind("reported".to_string())
                .push_bind(row.text.clone())
                .push_bind(row.state.to_string())
                .push_bind(options.provenance.as_str().to_string())
                .push_bind(row.note.clone())
                .push_bind(1i64)
                .push_bind(options.actor.clone())
                .push_bind(stamp.to_string());
        });
        values.build().execute(&mut **transaction).await?;
        let mut history = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO value_history (org_id, year, indicator_id, layer, old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason) ",
        );
        history.push_values(rows, |mut b, row| {
            let new_value = if row.state == "not_applicable" {
                "-".to_string()
            } else if row.state == "text" {
                format!("t:{}", row.text)
            } else {
                row.text.clone()
            };
            b.push_bind(row.org.to_string())
                .push_bind(row.year)
                .push_bind(row.indicator.to_string())
                .push_bind("reported".to_string())
                .push_bind(None::<String>)
                .push_bind(new_value)
                .push_bind(None::<i64>)
                .push_bind(1i64)
                .push_bind(options.provenance.as_str().to_string())
                .push_bind(options.actor.clone())
                .push_bind(stamp.to_string())
                .push_bind(options.reason.clone());
        });
        history.build().execute(&mut **transaction).await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_aggregate_rows(
        transaction: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        framework: &Framework,
        dataset: &Dataset,
        roll_up: &RollUp,
        rows: &[(usize, usize, String, &'static str)],
        actor: &str,
        stamp: &str,
    ) -> Result<(), StoreError> {
        let mut builder = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO value (org_id, year, indicator_id, layer, value, state, provenance, note, version, changed_by, changed_at, reporting, schools) ",
        );
        builder.push_values(rows, |mut b, (org, index, text, state)| {
            let (reporting, schools) = roll_up.coverage(*org, IndicatorIndex(*index));
            b.push_bind(dataset.orgs[*org].id.clone())
                .push_bind(i64::from(roll_up.year))
                .push_bind(framework.indicators[*index].id.clone())
                .push_bind("aggregated".to_string())
                .push_bind(text.clone())
                .push_bind(state.to_string())
                .push_bind("aggregated".to_string())
                .push_bind(String::new())
                .push_bind(1i64)
                .push_bind(actor.to_string())
                .push_bind(stamp.to_string())
                .push_bind(i64::from(reporting))
                .push_bind(i64::from(schools));
        });
        builder.build().execute(&mut **transaction).await?;
        Ok(())
    }
}

/// A CSV field for PostgreSQL COPY: always quoted (so that an empty string is not NULL).
fn csv_field(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

impl PostgresStore {
    /// COPY sends large batches in one round trip.
    const BATCH: usize = 50_000;

    /// An overwrite locks the row first, so that concurrent overwrites queue instead of failing
    /// the compare-and-set (READ COMMITTED then reads the version the previous one committed).
    async fn lock_row(
        transaction: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        write: &ValueWrite,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "SELECT 1 FROM value WHERE org_id = $1 AND year = $2 AND indicator_id = $3 AND layer = 'reported' FOR UPDATE",
        )
        .bind(&write.org)
        .bind(i64::from(write.year))
        .bind(&write.indicator)
        .execute(&mut **transaction)
        .await?;
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    async fn copy(
        transaction: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        statement: &str,
        data: String,
    ) -> Result<(), StoreError> {
        let mut copy = transaction.copy_in_raw(statement).await?;
        copy.send(data.into_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    async fn insert_new(
        transaction: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        rows: &[NewValue<'_>],
        options: &LoadOptions,
        stamp: &str,
    ) -> Result<(), StoreError> {
        let mut values = String::with_capacity(rows.len() * 96);
        let mut history = String::with_capacity(rows.len() * 112);
        for row in rows {
            let year = row.year.to_string();
            for (i, field) in [
                row.org,
                &year,
                row.indicator,
                "reported",
                &row.text,
                row.state,
                options.provenance.as_str(),
                &row.note,
                "1",
                &options.actor,
                stamp,
            ]
            .iter()
            .enumerate()
            {
                if i > 0 {
                    values.push(',');
                }
                csv_field(&mut values, field);
            }
            values.push('\n');
            let new_value = match row.state {
                "not_applicable" => "-".to_string(),
                "text" => format!("t:{}", row.text),
                _ => row.text.clone(),
            };
            // old_value and old_version are NULL: unquoted empty fields.
            for (i, field) in [
                Some(row.org),
                Some(&year),
                Some(row.indicator),
                Some("reported"),
                None,
                Some(new_value.as_str()),
                None,
                Some("1"),
                Some(options.provenance.as_str()),
                Some(options.actor.as_str()),
                Some(stamp),
                Some(options.reason.as_str()),
            ]
            .iter()
            .enumerate()
            {
                if i > 0 {
                    history.push(',');
                }
                if let Some(field) = field {
                    csv_field(&mut history, field);
                }
            }
            history.push('\n');
        }
        Self::copy(transaction, "COPY value (org_id, year, indicator_id, layer, value, state, provenance, note, version, changed_by, changed_at) FROM STDIN WITH (FORMAT csv)", values).await?;
        Self::copy(transaction, "COPY value_history (org_id, year, indicator_id, layer, old_value, new_value, old_version, new_version, provenance, changed_by, changed_at, reason) FROM STDIN WITH (FORMAT csv)", history).await
    }

    async fn insert_aggregate_rows(
        transaction: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        framework: &Framework,
        dataset: &Dataset,
        roll_up: &RollUp,
        rows: &[(usize, usize, String, &'static str)],
        actor: &str,
        stamp: &str,
    ) -> Result<(), StoreError> {
        let mut data = String::with_capacity(rows.len() * 110);
        let year = roll_up.year.to_string();
        for (org, index, text, state) in rows {
            let (reporting, schools) = roll_up.coverage(*org, IndicatorIndex(*index));
            let (reporting, schools) = (reporting.to_string(), schools.to_string());
            let fields = [
                dataset.orgs[*org].id.as_str(),
                &year,
                &framework.indicators[*index].id,
                "aggregated",
                text,
                state,
                "aggregated",
                "",
                "1",
                actor,
                stamp,
                &reporting,
                &schools,
            ];
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    data.push(',');
                }
                csv_field(&mut data, field);
            }
            data.push('\n');
        }
        Self::copy(transaction, "COPY value (org_id, year, indicator_id, layer, value, state, provenance, note, version, changed_by, changed_at, reporting, schools) FROM STDIN WITH (FORMAT csv)", data).await
    }
}

implement_store!(SqliteStore, sqlx::Sqlite, "sqlite");
implement_store!(PostgresStore, sqlx::Postgres, "postgres");
