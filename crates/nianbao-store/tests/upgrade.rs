//! A database made by the previous release's schema (migrations 0001–0002: before data revisions,
//! explanation values, figure choices, several photos per case and case picks) opens with this release and migrates, its data intact.

use nianbao_store::{Platform, SqliteStore, SubmissionStatus};
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_previous_schema_opens_and_migrates() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The previous release's migrations only.
    let old = dir.path().join("migrations");
    std::fs::create_dir_all(&old).expect("dir");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for name in ["0001_initial.sql", "0002_platform.sql"] {
        std::fs::copy(here.join(name), old.join(name)).expect("copy migration");
    }
    let path = dir.path().join("old.sqlite");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("pool");
    sqlx::migrate::Migrator::new(old.as_path()).await.expect("old migrator").run(&pool).await.expect("old schema");
    for statement in [
        "INSERT INTO org_unit (id, position, name, name_en, level, parent_id, designations) VALUES ('s1', 1, '样例学校', '', 'school', NULL, '')",
        "INSERT INTO submission (org_id, year, status, changed_by, changed_at, comment) VALUES ('s1', 2024, 'submitted', 'clerk', '2024-12-01', '')",
        "INSERT INTO explanation (org_id, year, rule_id, text, written_by, written_at) VALUES ('s1', 2024, 'yoy.a1.graduates', '招生调整', 'clerk', '2024-12-01')",
        // A case study with its one photo, as 0002 kept it.
        "INSERT INTO photo (id, org_id, content_type, bytes, uploaded_by, uploaded_at) VALUES (7, 's1', 'image/png', x'89504E47', 'clerk', '2024-12-01')",
        "INSERT INTO case_study (id, org_id, year, title, body, photo_id, photo_caption, updated_by, updated_at) VALUES (3, 's1', 2024, '实训基地', '正文', 7, '实训课', 'clerk', '2024-12-01')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    pool.close().await;
    // This release opens it: the new migrations run, the old records stand.
    let store = SqliteStore::open(&path).await.expect("the previous schema migrates");
    let submission = store.submission("s1", 2024).await.expect("submission");
    assert_eq!((submission.status, submission.revision), (SubmissionStatus::Submitted, 0));
    let explanations = store.explanations("s1", 2024).await.expect("explanations");
    assert_eq!(explanations.len(), 1);
    assert_eq!(explanations[0].text, "招生调整");
    assert_eq!(explanations[0].values_seen, "", "an old explanation answers no values: its warning is open again");
    assert!(store.figure_choices("s1", 2024).await.expect("choices").is_empty());
    // The case keeps its photo and caption (moved to the photos of a case by 0005).
    let case = store.case_study(3).await.expect("case").expect("present");
    assert_eq!(case.title, "实训基地");
    assert_eq!(case.photos, [nianbao_store::CasePhoto { photo_id: 7, caption: "实训课".into() }]);
    assert_eq!(case.section, "", "an old case has no chapter yet");
    // And opening it again changes nothing.
    drop(store);
    SqliteStore::open(&path).await.expect("reopens");
}
