//! Integration tests of nianbao-store: one storage suite, run against SQLite and PostgreSQL.
//!
//! PostgreSQL is taken from `NIANBAO_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets a fresh schema. A PostgreSQL that
//! cannot be reached fails these tests: it is never skipped.

mod suite;
mod upgrade;

use nianbao_store::{PostgresStore, SqliteStore, Store};
use std::future::Future;

pub fn postgres_url() -> String {
    std::env::var("NIANBAO_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Runs `test` against a fresh SQLite file.
pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Box<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("test.sqlite")).await.expect("open SQLite");
    test(Box::new(store)).await;
}

/// Runs `test` against a fresh schema of the test PostgreSQL, dropped afterwards.
pub async fn with_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Box<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let url = postgres_url();
    let schema = format!("nianbao_test_{name}_{}", std::process::id());
    PostgresStore::drop_schema(&url, &schema)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} is required for the storage suite: {e}"));
    let store =
        PostgresStore::connect_in_schema(&url, &schema).await.unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    test(Box::new(store)).await;
    PostgresStore::drop_schema(&url, &schema).await.expect("drop test schema");
}

/// Declares one test per backend for a suite function.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::with_sqlite(|store| async move { crate::suite::$name(store.as_ref()).await }).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::with_postgres(stringify!($name), |store| async move { crate::suite::$name(store.as_ref()).await }).await;
                }
            )*
        }
    };
}

both_backends!(
    load_keeps_tree_values_and_history,
    loading_twice_changes_nothing,
    two_writers_with_the_same_version,
    closed_year_refuses_writes,
    failed_load_leaves_database_as_before,
    sample_schools_aggregate_to_the_published_city_figures,
    scoped_reads_hold_exactly_their_subtree_and_years,
    subtree_aggregation_replaces_its_units_and_marks_those_above,
    unknown_org_and_framework_mismatch_are_refused,
    workflow_transitions_lock_and_audit,
    submission_is_atomic_with_its_check,
    no_write_slips_between_check_and_submit,
    figure_choices_are_kept_and_audited,
    publications_are_immutable_and_numbered,
    accounts_sessions_cases_and_photos,
    cases_lock_with_the_return_and_are_picked_above,
    a_password_change_ends_every_session,
    deadlines_are_set_per_org_and_audited,
);
