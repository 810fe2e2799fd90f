//! The database commands end to end on SQLite: init, load (twice), aggregate, tables from the database.

use crate::{nianbao, nianbao_ok};

#[test]
fn load_aggregate_and_print_the_city_tables_from_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.sqlite");
    let db = db.to_str().expect("utf-8 path");
    assert!(nianbao_ok(&["db", "init", "--db", db]).contains("sqlite database ready"));
    let first = nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", db]);
    assert!(first.contains("63 org units added, 13128 values inserted, 0 updated, 0 unchanged"), "{first}");
    let second = nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", db]);
    assert!(second.contains("0 org units added, 0 values inserted, 0 updated, 13128 unchanged"), "{second}");
    for year in ["2023", "2024"] {
        let aggregated = nianbao_ok(&["aggregate", "--year", year, "--db", db]);
        assert!(
            aggregated.contains("every figure entered above the schools equals the aggregate of its schools"),
            "{aggregated}"
        );
    }
    for table in ["a1", "a3", "a4", "a5", "a6", "t1", "t2"] {
        let published =
            nianbao_ok(&["table", table, "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
        let from_db = nianbao_ok(&[
            "table",
            table,
            "--db",
            db,
            "--layer",
            "aggregated",
            "--org",
            "ganzhou",
            "--year",
            "2024",
            "--format",
            "csv",
        ]);
        assert_eq!(from_db, published, "{table}: the aggregated city table equals the published one");
    }
    let published = nianbao_ok(&["table", "a2", "--dataset", "datasets/ganzhou", "--year", "2024", "--format", "csv"]);
    let from_db = nianbao_ok(&[
        "table",
        "a2",
        "--db",
        db,
        "--layer",
        "aggregated",
        "--org",
        "ganzhou",
        "--year",
        "2024",
        "--format",
        "csv",
    ]);
    let rates = |csv: &str| csv.lines().map(|l| l.split(',').take(5).collect::<Vec<_>>().join(",")).collect::<Vec<_>>();
    assert_eq!(rates(&from_db), rates(&published), "附表 2 rates");
    let status = nianbao_ok(&["db", "status", "--db", db]);
    assert!(status.contains("13128 reported values, 6020 aggregated values, 13128 history entries"), "{status}");
}

#[test]
fn closed_year_refuses_a_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("closed.sqlite");
    let db = db.to_str().expect("utf-8 path");
    nianbao_ok(&["db", "close-year", "2024", "--db", db]);
    let output = nianbao(&["load", "datasets/ganzhou", "--db", db]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("year 2024 is closed"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(nianbao_ok(&["db", "status", "--db", db]).contains("0 org units, 0 reported values"));
}

/// `nianbao report` from a database whose 2024 returns are not approved: `--strict` refuses,
/// naming how many; without it the same summary is printed and the report, built from approved
/// data only, says so in its data note.
#[test]
fn report_from_unapproved_returns_is_refused_with_strict_and_marked_without() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.sqlite");
    let db = db.to_str().expect("utf-8 path");
    nianbao_ok(&["db", "init", "--db", db]);
    nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", db]);
    let out = dir.path().join("report");
    let out = out.to_str().expect("utf-8 path");
    let args = ["report", "--db", db, "--org", "ganzhou", "--year", "2024", "--format", "html", "--out", out];
    let strict = nianbao(&[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains("43 所学校，已审核通过 0"), "{stderr}");
    assert!(stderr.contains("--strict：43 所学校的填报未审核通过"), "{stderr}");
    assert!(!std::path::Path::new(out).join("ganzhou-2024.html").exists(), "nothing is built with --strict");
    let built = nianbao(&args);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(String::from_utf8_lossy(&built.stderr).contains("已审核通过 0"), "the same summary is printed");
    let html = std::fs::read_to_string(std::path::Path::new(out).join("ganzhou-2024.html")).expect("report");
    assert!(html.contains("2024 年度填报已审核通过 0 所、尚未提交 43 所"), "the data note says it");
    // The open data is for publication too: no unapproved school figure is in it.
    let sdmx = dir.path().join("open.csv");
    nianbao_ok(&["export", "--db", db, "--format", "sdmx", "--year", "2024", "--out", sdmx.to_str().expect("path")]);
    let sdmx = std::fs::read_to_string(sdmx).expect("sdmx");
    assert!(sdmx.contains(",ganzhou,2024,"), "the city's own figures are there");
    assert!(!sdmx.contains(",yudu-s1,2024,"), "an unapproved school figure is in the open data");
}

/// `nianbao db backup` copies a database in use into a new file that opens with the same figures;
/// it never writes over an existing file.
#[test]
fn a_backup_opens_with_the_same_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.sqlite");
    let db = db.to_str().expect("utf-8 path");
    nianbao_ok(&["db", "init", "--db", db]);
    nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", db]);
    let copy = dir.path().join("backup.sqlite");
    let copy = copy.to_str().expect("utf-8 path");
    assert!(nianbao_ok(&["db", "backup", "--to", copy, "--db", db]).contains("backed up"));
    let status = |path: &str| nianbao_ok(&["db", "status", "--db", path]).replace(path, "");
    assert_eq!(status(copy), status(db));
    let again = nianbao(&["db", "backup", "--to", copy, "--db", db]);
    assert_eq!(again.status.code(), Some(1), "an existing file is never overwritten");
}

/// A report of one org unit and year reads only its subtree and the two years it prints; what
/// it prints is what a whole read gives (a county and a school, every format that holds text).
#[test]
fn a_report_read_by_subtree_prints_what_a_whole_read_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.sqlite");
    let db = db.to_str().expect("utf-8 path");
    nianbao_ok(&["db", "init", "--db", db]);
    nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", db]);
    for org in ["yudu", "yudu-s1"] {
        let scoped = dir.path().join(format!("scoped-{org}"));
        let whole = dir.path().join(format!("whole-{org}"));
        // With --year the read is scoped; without it (the year found from the data) it is whole.
        let common = ["report", "--db", db, "--org", org, "--drafts", "--format", "md,html"];
        nianbao_ok(&[&common[..], &["--year", "2024", "--out", scoped.to_str().expect("path")]].concat());
        nianbao_ok(&[&common[..], &["--out", whole.to_str().expect("path")]].concat());
        for extension in ["md", "html"] {
            let file = format!("{org}-2024.{extension}");
            let a = std::fs::read_to_string(scoped.join(&file)).expect("scoped report");
            let b = std::fs::read_to_string(whole.join(&file)).expect("whole report");
            assert!(a.len() > 5000, "{file}");
            assert_eq!(a, b, "{file}: the scoped read prints otherwise");
        }
    }
}
