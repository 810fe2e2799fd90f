//! The SQLite and PostgreSQL implementations of [`Platform`]: shared SQL, one macro instance per
//! backend (as in `backend.rs`).

use crate::model::decode_value;
use crate::platform::*;
use crate::time::now;
use crate::{Layer, PostgresStore, Provenance, SqliteStore, StaleCause, StoreError, StoredValue};
use async_trait::async_trait;
use sqlx::Row;

fn role_of(text: &str) -> Result<Role, StoreError> {
    Role::from_name(text).ok_or_else(|| StoreError::Invalid(format!("unknown role {text:?}")))
}

fn status_of(text: &str) -> Result<SubmissionStatus, StoreError> {
    SubmissionStatus::from_name(text).ok_or_else(|| StoreError::Invalid(format!("unknown status {text:?}")))
}

fn year_of(year: i64) -> Result<i32, StoreError> {
    i32::try_from(year).map_err(|_| StoreError::Invalid(format!("year {year} out of range")))
}

const ACCOUNT_COLUMNS: &str =
    "username, password_hash, role, org_id, display_name, created_at, must_change_password, password_changed_at";
const CASE_COLUMNS: &str = "id, org_id, year, title, body, updated_by, updated_at, section";
const PUBLICATION_COLUMNS: &str = "id, org_id, year, version, title, published_at, published_by, change_note";

macro_rules! from_row {
    (account, $row:expr) => {
        Account {
            username: $row.try_get(0)?,
            password_hash: $row.try_get(1)?,
            role: role_of(&$row.try_get::<String, _>(2)?)?,
            org_id: $row.try_get(3)?,
            display_name: $row.try_get(4)?,
            created_at: $row.try_get(5)?,
            must_change_password: $row.try_get::<i64, _>(6)? != 0,
            password_changed_at: $row.try_get(7)?,
        }
    };
    (case, $row:expr) => {
        CaseStudy {
            id: $row.try_get(0)?,
            org_id: $row.try_get(1)?,
            year: year_of($row.try_get(2)?)?,
            title: $row.try_get(3)?,
            body: $row.try_get(4)?,
            photos: Vec::new(),
            updated_by: $row.try_get(5)?,
            updated_at: $row.try_get(6)?,
            section: $row.try_get(7)?,
        }
    };
    (publication, $row:expr) => {
        Publication {
            id: $row.try_get(0)?,
            org_id: $row.try_get(1)?,
            year: year_of($row.try_get(2)?)?,
            version: $row.try_get(3)?,
            title: $row.try_get(4)?,
            published_at: $row.try_get(5)?,
            published_by: $row.try_get(6)?,
            change_note: $row.try_get(7)?,
        }
    };
    // An `org_values` row: org id, then the value with its bookkeeping.
    (org_value, $row:expr) => {
        (
            $row.try_get::<String, _>(0)?,
            OrgValue {
                year: year_of($row.try_get(1)?)?,
                indicator_id: $row.try_get(2)?,
                layer: if $row.try_get::<String, _>(3)? == "aggregated" { Layer::Aggregated } else { Layer::Reported },
                stored: StoredValue {
                    value: decode_value(&$row.try_get::<String, _>(4)?, &$row.try_get::<String, _>(5)?)?,
                    version: $row.try_get(6)?,
                    provenance: Provenance::parse(&$row.try_get::<String, _>(7)?),
                    note: $row.try_get(8)?,
                    changed_by: $row.try_get(9)?,
                    changed_at: $row.try_get(10)?,
                    coverage: $row.try_get::<Option<i64>, _>(11)?.zip($row.try_get::<Option<i64>, _>(12)?),
                },
            },
        )
    };
    (submission, $row:expr) => {
        Submission {
            org_id: $row.try_get(0)?,
            year: year_of($row.try_get(1)?)?,
            status: status_of(&$row.try_get::<String, _>(2)?)?,
            changed_by: $row.try_get(3)?,
            changed_at: $row.try_get(4)?,
            comment: $row.try_get(5)?,
            revision: $row.try_get::<Option<i64>, _>(6)?.unwrap_or(0),
        }
    };
}

macro_rules! implement_platform {
    ($store:ty) => {
        impl $store {
            /// The photos of the given case studies, in order: `(case id, photo)`.
            async fn case_photos(&self, ids: &[i64]) -> Result<Vec<(i64, CasePhoto)>, StoreError> {
                let mut photos = Vec::new();
                // A bounded number of placeholders per query.
                for chunk in ids.chunks(200) {
                    let places: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
                    let sql = format!(
                        "SELECT case_id, photo_id, caption FROM case_photo WHERE case_id IN ({}) ORDER BY case_id, position",
                        places.join(", ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    for row in query.fetch_all(&self.pool).await? {
                        photos.push((row.try_get(0)?, CasePhoto { photo_id: row.try_get(1)?, caption: row.try_get(2)? }));
                    }
                }
                Ok(photos)
            }
        }

        #[async_trait]
        impl Platform for $store {
            async fn org_values(&self, org_id: &str, first: i32, last: i32) -> Result<Vec<OrgValue>, StoreError> {
                let rows = sqlx::query(
                    "SELECT org_id, year, indicator_id, layer, value, state, version, provenance, note, changed_by, changed_at, reporting, schools \
                     FROM value WHERE org_id = $1 AND year >= $2 AND year <= $3",
                )
                .bind(org_id)
                .bind(i64::from(first))
                .bind(i64::from(last))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok(from_row!(org_value, row).1)).collect()
            }

            async fn org_values_within(&self, root: &str, first: i32, last: i32) -> Result<Vec<(String, OrgValue)>, StoreError> {
                let rows = sqlx::query(
                    "WITH RECURSIVE inside (id) AS ( \
                       SELECT id FROM org_unit WHERE id = $1 \
                       UNION ALL SELECT o.id FROM org_unit o JOIN inside i ON o.parent_id = i.id \
                     ) \
                     SELECT v.org_id, v.year, v.indicator_id, v.layer, v.value, v.state, v.version, v.provenance, v.note, v.changed_by, v.changed_at, v.reporting, v.schools \
                     FROM inside CROSS JOIN value v WHERE v.org_id = inside.id AND v.year >= $2 AND v.year <= $3",
                )
                .bind(root)
                .bind(i64::from(first))
                .bind(i64::from(last))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok(from_row!(org_value, row))).collect()
            }

            async fn explanations_within(&self, root: &str, year: i32) -> Result<Vec<(String, Explanation)>, StoreError> {
                let rows = sqlx::query(
                    "WITH RECURSIVE inside (id) AS ( \
                       SELECT id FROM org_unit WHERE id = $1 \
                       UNION ALL SELECT o.id FROM org_unit o JOIN inside i ON o.parent_id = i.id \
                     ) \
                     SELECT e.org_id, e.rule_id, e.text, e.written_by, e.written_at, e.values_seen \
                     FROM inside CROSS JOIN explanation e WHERE e.org_id = inside.id AND e.year = $2 ORDER BY e.org_id, e.rule_id",
                )
                .bind(root)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok((
                            row.try_get(0)?,
                            Explanation {
                                rule_id: row.try_get(1)?,
                                text: row.try_get(2)?,
                                written_by: row.try_get(3)?,
                                written_at: row.try_get(4)?,
                                values_seen: row.try_get(5)?,
                            },
                        ))
                    })
                    .collect()
            }

            async fn add_account(&self, account: &Account) -> Result<(), StoreError> {
                let known: Option<i64> = sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM org_unit WHERE id = $1")
                    .bind(&account.org_id)
                    .fetch_optional(&self.pool)
                    .await?;
                if known.is_none() {
                    return Err(StoreError::UnknownOrg(account.org_id.clone()));
                }
                sqlx::query(
                    "INSERT INTO account (username, password_hash, role, org_id, display_name, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, org_id = excluded.org_id, display_name = excluded.display_name",
                )
                .bind(&account.username)
                .bind(&account.password_hash)
                .bind(account.role.as_str())
                .bind(&account.org_id)
                .bind(&account.display_name)
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE username = $1")))
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row { Some(row) => Some(from_row!(account, row)), None => None })
            }

            async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY username")))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|row| Ok(from_row!(account, row))).collect()
            }

            async fn set_password(&self, username: &str, password_hash: &str, must_change: bool) -> Result<u64, StoreError> {
                let mut transaction = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE account SET password_hash = $1, must_change_password = $2, password_changed_at = $3 WHERE username = $4",
                )
                .bind(password_hash)
                .bind(i64::from(must_change))
                .bind(now())
                .bind(username)
                .execute(&mut *transaction)
                .await?;
                if changed.rows_affected() == 0 {
                    return Err(StoreError::UnknownAccount(username.to_string()));
                }
                let ended = sqlx::query("DELETE FROM session WHERE username = $1").bind(username).execute(&mut *transaction).await?;
                transaction.commit().await?;
                Ok(ended.rows_affected())
            }

            async fn delete_sessions_of(&self, username: &str) -> Result<u64, StoreError> {
                let ended = sqlx::query("DELETE FROM session WHERE username = $1").bind(username).execute(&self.pool).await?;
                Ok(ended.rows_affected())
            }

            async fn create_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO session (token_hash, username, csrf, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&session.token_hash)
                    .bind(&session.username)
                    .bind(&session.csrf)
                    .bind(session.expires_at)
                    .bind(now())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
                let row = sqlx::query("SELECT token_hash, username, csrf, expires_at FROM session WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(row) => Some(SessionRecord {
                        token_hash: row.try_get(0)?,
                        username: row.try_get(1)?,
                        csrf: row.try_get(2)?,
                        expires_at: row.try_get(3)?,
                    }),
                    None => None,
                })
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn add_api_token(&self, token_hash: &str, username: &str, label: &str) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO api_token (token_hash, username, label, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(username)
                    .bind(label)
                    .bind(now())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn api_token_user(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
                Ok(sqlx::query_scalar("SELECT username FROM api_token WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn revoke_api_tokens(&self, username: &str) -> Result<u64, StoreError> {
                let deleted = sqlx::query("DELETE FROM api_token WHERE username = $1").bind(username).execute(&self.pool).await?;
                Ok(deleted.rows_affected())
            }

            async fn submission(&self, org_id: &str, year: i32) -> Result<Submission, StoreError> {
                // The revision first: a write landing between the two reads makes the revision
                // older than the data, which a submission then refuses, never the other way.
                let revision: Option<i64> = sqlx::query_scalar("SELECT revision FROM data_revision WHERE org_id = $1 AND year = $2")
                    .bind(org_id)
                    .bind(i64::from(year))
                    .fetch_optional(&self.pool)
                    .await?;
                let row = sqlx::query(
                    "SELECT org_id, year, status, changed_by, changed_at, comment, CAST(NULL AS BIGINT) FROM submission WHERE org_id = $1 AND year = $2",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_optional(&self.pool)
                .await?;
                let submission = match row {
                    Some(row) => from_row!(submission, row),
                    None => Submission {
                        org_id: org_id.to_string(),
                        year,
                        status: SubmissionStatus::NotStarted,
                        changed_by: String::new(),
                        changed_at: String::new(),
                        comment: String::new(),
                        revision: 0,
                    },
                };
                Ok(Submission { revision: revision.unwrap_or(0), ..submission })
            }

            async fn submissions(&self, year: i32) -> Result<Vec<Submission>, StoreError> {
                let rows = sqlx::query(
                    "SELECT s.org_id, s.year, s.status, s.changed_by, s.changed_at, s.comment, d.revision FROM submission s \
                     LEFT JOIN data_revision d ON d.org_id = s.org_id AND d.year = s.year WHERE s.year = $1 ORDER BY s.org_id",
                )
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok(from_row!(submission, row))).collect()
            }

            async fn data_revisions(&self, year: i32) -> Result<std::collections::HashMap<String, i64>, StoreError> {
                let rows = sqlx::query("SELECT org_id, revision FROM data_revision WHERE year = $1")
                    .bind(i64::from(year))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
            }

            async fn transition(&self, transition: &Transition<'_>) -> Result<Submission, StoreError> {
                let mut transaction = self.begin_write().await?;
                // Take the year's revision row (PostgreSQL locks it until commit): a write either
                // lands before and changes the revision, or waits and then sees the new status.
                let revision: i64 = sqlx::query_scalar(
                    "INSERT INTO data_revision (org_id, year, revision) VALUES ($1, $2, 0) \
                     ON CONFLICT (org_id, year) DO UPDATE SET revision = data_revision.revision RETURNING revision",
                )
                .bind(transition.org_id)
                .bind(i64::from(transition.year))
                .fetch_one(&mut *transaction)
                .await?;
                let current: Option<String> = sqlx::query_scalar("SELECT status FROM submission WHERE org_id = $1 AND year = $2")
                    .bind(transition.org_id)
                    .bind(i64::from(transition.year))
                    .fetch_optional(&mut *transaction)
                    .await?;
                let current = match current.as_deref() {
                    Some(text) => status_of(text)?,
                    None => SubmissionStatus::NotStarted,
                };
                if !transition.from.contains(&current) {
                    return Err(StoreError::Workflow { from: current.as_str(), to: transition.to.as_str() });
                }
                if transition.expected_revision.is_some_and(|expected| expected != revision) {
                    return Err(StoreError::ChangedSince { org: transition.org_id.to_string(), year: transition.year });
                }
                let stamp = now();
                sqlx::query(
                    "INSERT INTO submission (org_id, year, status, changed_by, changed_at, comment) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (org_id, year) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, changed_at = excluded.changed_at, comment = excluded.comment",
                )
                .bind(transition.org_id)
                .bind(i64::from(transition.year))
                .bind(transition.to.as_str())
                .bind(transition.actor)
                .bind(&stamp)
                .bind(transition.comment)
                .execute(&mut *transaction)
                .await?;
                let event = AuditEvent {
                    at: stamp.clone(),
                    actor: transition.actor.to_string(),
                    org_id: transition.org_id.to_string(),
                    year: transition.year,
                    action: transition.action.to_string(),
                    detail: transition.comment.to_string(),
                };
                Self::event_in(&mut transaction, &event).await?;
                // A school's approval decides whether its figures count in the aggregates above
                // it: when that changes, those aggregates no longer match (marked, in the same
                // transaction, so no approval can leave a stale aggregate unmarked).
                if (current == SubmissionStatus::Approved) != (transition.to == SubmissionStatus::Approved) {
                    Self::mark_above_stale(&mut transaction, transition.org_id, transition.year, StaleCause::Approval, transition.org_id, &stamp).await?;
                }
                transaction.commit().await?;
                Ok(Submission {
                    org_id: transition.org_id.to_string(),
                    year: transition.year,
                    status: transition.to,
                    changed_by: transition.actor.to_string(),
                    changed_at: stamp,
                    comment: transition.comment.to_string(),
                    revision,
                })
            }

            async fn set_explanation(&self, org_id: &str, year: i32, rule_id: &str, text: &str, values_seen: &str, actor: &str) -> Result<(), StoreError> {
                let mut transaction = self.begin_write().await?;
                Self::claim(&mut transaction, org_id, year).await?;
                if text.trim().is_empty() {
                    sqlx::query("DELETE FROM explanation WHERE org_id = $1 AND year = $2 AND rule_id = $3")
                        .bind(org_id)
                        .bind(i64::from(year))
                        .bind(rule_id)
                        .execute(&mut *transaction)
                        .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO explanation (org_id, year, rule_id, text, values_seen, written_by, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (org_id, year, rule_id) DO UPDATE SET text = excluded.text, values_seen = excluded.values_seen, written_by = excluded.written_by, written_at = excluded.written_at",
                    )
                    .bind(org_id)
                    .bind(i64::from(year))
                    .bind(rule_id)
                    .bind(text.trim())
                    .bind(values_seen)
                    .bind(actor)
                    .bind(now())
                    .execute(&mut *transaction)
                    .await?;
                }
                transaction.commit().await?;
                Ok(())
            }

            async fn explanations(&self, org_id: &str, year: i32) -> Result<Vec<Explanation>, StoreError> {
                let rows = sqlx::query(
                    "SELECT rule_id, text, written_by, written_at, values_seen FROM explanation WHERE org_id = $1 AND year = $2 ORDER BY rule_id",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(Explanation {
                            rule_id: row.try_get(0)?,
                            text: row.try_get(1)?,
                            written_by: row.try_get(2)?,
                            written_at: row.try_get(3)?,
                            values_seen: row.try_get(4)?,
                        })
                    })
                    .collect()
            }

            async fn set_figure_choice(&self, org_id: &str, year: i32, choice: &FigureChoice) -> Result<(), StoreError> {
                let mut transaction = self.begin_write().await?;
                let stamp = now();
                sqlx::query(
                    "INSERT INTO figure_choice (org_id, year, indicator_id, choice, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (org_id, year, indicator_id) DO UPDATE SET choice = excluded.choice, reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .bind(&choice.indicator_id)
                .bind(if choice.aggregate { "aggregate" } else { "entered" })
                .bind(&choice.reason)
                .bind(&choice.decided_by)
                .bind(&stamp)
                .execute(&mut *transaction)
                .await?;
                let detail = if choice.aggregate {
                    format!("{}：采用汇总数", choice.indicator_id)
                } else {
                    format!("{}：保留填报数（{}）", choice.indicator_id, choice.reason)
                };
                let event = AuditEvent {
                    at: stamp,
                    actor: choice.decided_by.clone(),
                    org_id: org_id.to_string(),
                    year,
                    action: "figure_choice".into(),
                    detail,
                };
                Self::event_in(&mut transaction, &event).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn figure_choices(&self, org_id: &str, year: i32) -> Result<Vec<FigureChoice>, StoreError> {
                let rows = sqlx::query(
                    "SELECT indicator_id, choice, reason, decided_by, decided_at FROM figure_choice WHERE org_id = $1 AND year = $2 ORDER BY indicator_id",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(FigureChoice {
                            indicator_id: row.try_get(0)?,
                            aggregate: row.try_get::<String, _>(1)? == "aggregate",
                            reason: row.try_get(2)?,
                            decided_by: row.try_get(3)?,
                            decided_at: row.try_get(4)?,
                        })
                    })
                    .collect()
            }

            async fn set_deadline(&self, deadline: &Deadline) -> Result<(), StoreError> {
                let mut transaction = self.begin_write().await?;
                let known: Option<i64> = sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM org_unit WHERE id = $1")
                    .bind(&deadline.org_id)
                    .fetch_optional(&mut *transaction)
                    .await?;
                if known.is_none() {
                    return Err(StoreError::UnknownOrg(deadline.org_id.clone()));
                }
                if deadline.due_on.is_empty() {
                    sqlx::query("DELETE FROM deadline WHERE org_id = $1 AND year = $2 AND stage = $3")
                        .bind(&deadline.org_id)
                        .bind(i64::from(deadline.year))
                        .bind(deadline.stage.as_str())
                        .execute(&mut *transaction)
                        .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO deadline (org_id, year, stage, due_on, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (org_id, year, stage) DO UPDATE SET due_on = excluded.due_on, set_by = excluded.set_by, set_at = excluded.set_at",
                    )
                    .bind(&deadline.org_id)
                    .bind(i64::from(deadline.year))
                    .bind(deadline.stage.as_str())
                    .bind(&deadline.due_on)
                    .bind(&deadline.set_by)
                    .bind(now())
                    .execute(&mut *transaction)
                    .await?;
                }
                let event = AuditEvent {
                    at: now(),
                    actor: deadline.set_by.clone(),
                    org_id: deadline.org_id.clone(),
                    year: deadline.year,
                    action: "deadline".into(),
                    detail: format!("{} {}", deadline.stage.as_str(), if deadline.due_on.is_empty() { "-" } else { &deadline.due_on }),
                };
                Self::event_in(&mut transaction, &event).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn deadlines(&self, year: i32) -> Result<Vec<Deadline>, StoreError> {
                let rows = sqlx::query(
                    "SELECT org_id, year, stage, due_on, set_by, set_at FROM deadline WHERE year = $1 ORDER BY org_id, stage",
                )
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let stage: String = row.try_get(2)?;
                        Ok(Deadline {
                            org_id: row.try_get(0)?,
                            year: year_of(row.try_get(1)?)?,
                            stage: DeadlineStage::from_name(&stage)
                                .ok_or_else(|| StoreError::Invalid(format!("unknown deadline stage {stage:?}")))?,
                            due_on: row.try_get(3)?,
                            set_by: row.try_get(4)?,
                            set_at: row.try_get(5)?,
                        })
                    })
                    .collect()
            }

            async fn record_event(&self, event: &AuditEvent) -> Result<(), StoreError> {
                let mut transaction = self.begin_write().await?;
                Self::event_in(&mut transaction, event).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn events(&self, org_id: &str, year: i32) -> Result<Vec<AuditEvent>, StoreError> {
                let rows = sqlx::query(
                    "SELECT at, actor, org_id, year, action, detail FROM audit_event WHERE org_id = $1 AND year = $2 ORDER BY id",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(AuditEvent {
                            at: row.try_get(0)?,
                            actor: row.try_get(1)?,
                            org_id: row.try_get(2)?,
                            year: year_of(row.try_get(3)?)?,
                            action: row.try_get(4)?,
                            detail: row.try_get(5)?,
                        })
                    })
                    .collect()
            }

            async fn add_photo(&self, org_id: &str, content_type: &str, bytes: &[u8], actor: &str) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO photo (org_id, content_type, bytes, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(org_id)
                .bind(content_type)
                .bind(bytes)
                .bind(actor)
                .bind(now())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, StoreError> {
                let row = sqlx::query("SELECT id, org_id, content_type, bytes FROM photo WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(row) => Some(PhotoRecord {
                        id: row.try_get(0)?,
                        org_id: row.try_get(1)?,
                        content_type: row.try_get(2)?,
                        bytes: row.try_get(3)?,
                    }),
                    None => None,
                })
            }

            async fn save_case(&self, case: &CaseStudy) -> Result<i64, StoreError> {
                let stamp = now();
                let mut transaction = self.begin_write().await?;
                Self::claim(&mut transaction, &case.org_id, case.year).await?;
                let id: i64 = if case.id == 0 {
                    sqlx::query_scalar(
                        "INSERT INTO case_study (org_id, year, title, body, photo_caption, updated_by, updated_at, section) \
                         VALUES ($1, $2, $3, $4, '', $5, $6, $7) RETURNING id",
                    )
                    .bind(&case.org_id)
                    .bind(i64::from(case.year))
                    .bind(&case.title)
                    .bind(&case.body)
                    .bind(&case.updated_by)
                    .bind(&stamp)
                    .bind(&case.section)
                    .fetch_one(&mut *transaction)
                    .await?
                } else {
                    // Compare-and-set on the stamp the editor read: an edit made on a stale page
                    // never overwrites someone else's newer one.
                    let updated = sqlx::query(
                        "UPDATE case_study SET title = $1, body = $2, updated_by = $3, updated_at = $4, section = $8 \
                         WHERE id = $5 AND org_id = $6 AND year = $7 AND ($9 = '' OR updated_at = $9)",
                    )
                    .bind(&case.title)
                    .bind(&case.body)
                    .bind(&case.updated_by)
                    .bind(&stamp)
                    .bind(case.id)
                    .bind(&case.org_id)
                    .bind(i64::from(case.year))
                    .bind(&case.section)
                    .bind(&case.updated_at)
                    .execute(&mut *transaction)
                    .await?;
                    if updated.rows_affected() != 1 {
                        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM case_study WHERE id = $1 AND org_id = $2 AND year = $3")
                            .bind(case.id)
                            .bind(&case.org_id)
                            .bind(i64::from(case.year))
                            .fetch_optional(&mut *transaction)
                            .await?;
                        return Err(match exists {
                            Some(_) => StoreError::CaseChanged { id: case.id },
                            None => StoreError::Invalid(format!("case study {} of {} {} does not exist", case.id, case.org_id, case.year)),
                        });
                    }
                    sqlx::query("DELETE FROM case_photo WHERE case_id = $1").bind(case.id).execute(&mut *transaction).await?;
                    case.id
                };
                for (position, photo) in case.photos.iter().enumerate() {
                    sqlx::query("INSERT INTO case_photo (case_id, position, photo_id, caption) VALUES ($1, $2, $3, $4)")
                        .bind(id)
                        .bind(position as i64 + 1)
                        .bind(photo.photo_id)
                        .bind(&photo.caption)
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(id)
            }

            async fn delete_case(&self, id: i64, org_id: &str, year: i32, actor: &str) -> Result<(), StoreError> {
                let mut transaction = self.begin_write().await?;
                Self::claim(&mut transaction, org_id, year).await?;
                let title: Option<String> = sqlx::query_scalar("SELECT title FROM case_study WHERE id = $1 AND org_id = $2 AND year = $3")
                    .bind(id)
                    .bind(org_id)
                    .bind(i64::from(year))
                    .fetch_optional(&mut *transaction)
                    .await?;
                let Some(title) = title else {
                    return Err(StoreError::Invalid(format!("case study {id} of {org_id} {year} does not exist")));
                };
                sqlx::query("DELETE FROM case_pick WHERE case_id = $1").bind(id).execute(&mut *transaction).await?;
                sqlx::query("DELETE FROM case_photo WHERE case_id = $1").bind(id).execute(&mut *transaction).await?;
                sqlx::query("DELETE FROM case_study WHERE id = $1").bind(id).execute(&mut *transaction).await?;
                let event = AuditEvent {
                    at: now(),
                    actor: actor.to_string(),
                    org_id: org_id.to_string(),
                    year,
                    action: "case_delete".into(),
                    detail: title,
                };
                Self::event_in(&mut transaction, &event).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn case_study(&self, id: i64) -> Result<Option<CaseStudy>, StoreError> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM case_study WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(row) = row else { return Ok(None) };
                let mut case = from_row!(case, row);
                case.photos = self.case_photos(&[case.id]).await?.into_iter().map(|(_, photo)| photo).collect();
                Ok(Some(case))
            }

            async fn cases(&self, org_id: &str, year: i32) -> Result<Vec<CaseStudy>, StoreError> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CASE_COLUMNS} FROM case_study WHERE org_id = $1 AND year = $2 ORDER BY id"
                )))
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                let mut cases: Vec<CaseStudy> = rows.iter().map(|row| Ok::<_, StoreError>(from_row!(case, row))).collect::<Result<_, _>>()?;
                let ids: Vec<i64> = cases.iter().map(|case| case.id).collect();
                for (case_id, photo) in self.case_photos(&ids).await? {
                    if let Some(case) = cases.iter_mut().find(|case| case.id == case_id) {
                        case.photos.push(photo);
                    }
                }
                Ok(cases)
            }

            async fn case_picks(&self, org_id: &str, year: i32) -> Result<Vec<CasePick>, StoreError> {
                let rows = sqlx::query("SELECT case_id, position, section FROM case_pick WHERE org_id = $1 AND year = $2 ORDER BY position, case_id")
                    .bind(org_id)
                    .bind(i64::from(year))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let position: i64 = row.try_get(1)?;
                        Ok(CasePick {
                            case_id: row.try_get(0)?,
                            position: i32::try_from(position).map_err(|_| StoreError::Invalid(format!("position {position} out of range")))?,
                            section: row.try_get(2)?,
                        })
                    })
                    .collect()
            }

            async fn set_case_picks(&self, org_id: &str, year: i32, picks: &[CasePick], actor: &str) -> Result<(), StoreError> {
                let stamp = now();
                let mut transaction = self.begin_write().await?;
                sqlx::query("DELETE FROM case_pick WHERE org_id = $1 AND year = $2")
                    .bind(org_id)
                    .bind(i64::from(year))
                    .execute(&mut *transaction)
                    .await?;
                let mut titles = Vec::new();
                for pick in picks {
                    let title: Option<String> = sqlx::query_scalar("SELECT title FROM case_study WHERE id = $1 AND year = $2")
                        .bind(pick.case_id)
                        .bind(i64::from(year))
                        .fetch_optional(&mut *transaction)
                        .await?;
                    let Some(title) = title else {
                        return Err(StoreError::Invalid(format!("case study {} of {year} does not exist", pick.case_id)));
                    };
                    sqlx::query(
                        "INSERT INTO case_pick (org_id, year, case_id, position, section, picked_by, picked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(org_id)
                    .bind(i64::from(year))
                    .bind(pick.case_id)
                    .bind(i64::from(pick.position))
                    .bind(&pick.section)
                    .bind(actor)
                    .bind(&stamp)
                    .execute(&mut *transaction)
                    .await?;
                    titles.push(format!("{}. {}（{}）", pick.position, title, pick.section));
                }
                let event = AuditEvent {
                    at: stamp,
                    actor: actor.to_string(),
                    org_id: org_id.to_string(),
                    year,
                    action: "case_picks".into(),
                    detail: if titles.is_empty() { "—".into() } else { titles.join("；") },
                };
                Self::event_in(&mut transaction, &event).await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn set_narrative(&self, org_id: &str, year: i32, section: &str, body: &str, actor: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO narrative (org_id, year, section, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (org_id, year, section) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .bind(section)
                .bind(body)
                .bind(actor)
                .bind(now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn narratives(&self, org_id: &str, year: i32) -> Result<Vec<NarrativeEdit>, StoreError> {
                let rows = sqlx::query(
                    "SELECT section, body, updated_by, updated_at FROM narrative WHERE org_id = $1 AND year = $2 ORDER BY section",
                )
                .bind(org_id)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(NarrativeEdit {
                            section: row.try_get(0)?,
                            body: row.try_get(1)?,
                            updated_by: row.try_get(2)?,
                            updated_at: row.try_get(3)?,
                        })
                    })
                    .collect()
            }

            async fn publish(&self, publication: &NewPublication) -> Result<Publication, StoreError> {
                let mut transaction = self.begin_write().await?;
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM publication WHERE org_id = $1 AND year = $2")
                    .bind(&publication.org_id)
                    .bind(i64::from(publication.year))
                    .fetch_one(&mut *transaction)
                    .await?;
                let version = last.unwrap_or(0) + 1;
                let stamp = now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO publication (org_id, year, version, title, published_at, published_by, change_note, html, docx, pdf, xlsx, data) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(&publication.org_id)
                .bind(i64::from(publication.year))
                .bind(version)
                .bind(&publication.title)
                .bind(&stamp)
                .bind(&publication.published_by)
                .bind(&publication.change_note)
                .bind(&publication.html)
                .bind(&publication.docx)
                .bind(&publication.pdf)
                .bind(&publication.xlsx)
                .bind(&publication.data)
                .fetch_one(&mut *transaction)
                .await?;
                sqlx::query("INSERT INTO audit_event (at, actor, org_id, year, action, detail) VALUES ($1, $2, $3, $4, 'publish', $5)")
                    .bind(&stamp)
                    .bind(&publication.published_by)
                    .bind(&publication.org_id)
                    .bind(i64::from(publication.year))
                    .bind(format!("v{version}: {}", publication.change_note))
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
                Ok(Publication {
                    id,
                    org_id: publication.org_id.clone(),
                    year: publication.year,
                    version,
                    title: publication.title.clone(),
                    published_at: stamp,
                    published_by: publication.published_by.clone(),
                    change_note: publication.change_note.clone(),
                })
            }

            async fn publications(&self) -> Result<Vec<Publication>, StoreError> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {PUBLICATION_COLUMNS} FROM publication ORDER BY org_id, year DESC, version DESC"
                )))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok(from_row!(publication, row))).collect()
            }

            async fn publication(&self, id: i64) -> Result<Option<Publication>, StoreError> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PUBLICATION_COLUMNS} FROM publication WHERE id = $1")))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row { Some(row) => Some(from_row!(publication, row)), None => None })
            }

            async fn publication_file(&self, id: i64, file: PublicationFile) -> Result<Option<Vec<u8>>, StoreError> {
                if file == PublicationFile::Data {
                    let text: Option<String> = sqlx::query_scalar("SELECT data FROM publication WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    return Ok(text.map(String::into_bytes));
                }
                Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {} FROM publication WHERE id = $1", file.column())))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn tamper_with_publication(&self, id: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE publication SET title = 'tampered' WHERE id = $1").bind(id).execute(&self.pool).await?;
                sqlx::query("DELETE FROM publication WHERE id = $1").bind(id).execute(&self.pool).await?;
                Ok(())
            }
        }
    };
}

implement_platform!(SqliteStore);
implement_platform!(PostgresStore);
