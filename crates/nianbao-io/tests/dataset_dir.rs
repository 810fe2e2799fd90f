//! Dataset folders: the bundled Ganzhou data loads; broken files are reported with file:line:column.

use nianbao_core::Value;
use nianbao_io::load_dataset_dir;
use std::path::{Path, PathBuf};

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A dataset folder in a temporary directory using the bundled framework.
fn dataset_with(orgs: &str, values: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let framework = repository_root().join("frameworks/zhongzhi-2024.toml");
    std::fs::write(
        dir.path().join("dataset.toml"),
        format!("[dataset]\nname = \"测试\"\nframework = {:?}\nsample = true\n", framework.display().to_string()),
    )
    .expect("write");
    std::fs::write(dir.path().join("orgs.csv"), orgs).expect("write");
    std::fs::write(dir.path().join("values.csv"), values).expect("write");
    dir
}

const ORGS: &str = "id,name,name_en,level,parent,ownership,designations,provincial_grade,school_type\ncity,示例市,Sample City,city,,,,,\n";

#[test]
fn bundled_ganzhou_dataset_loads() {
    let loaded = load_dataset_dir(&repository_root().join("datasets/ganzhou")).expect("bundled dataset loads");
    let dataset = &loaded.dataset;
    assert!(!dataset.sample, "the Ganzhou figures are published, not sample");
    assert_eq!(dataset.years(), vec![2023, 2024]);
    let city = dataset.org_index("ganzhou").expect("city");
    assert_eq!(dataset.children_of(city).count(), 18, "18 county-level divisions");
    let enrolled = loaded.framework.lookup("a6.enrolled_full_time").expect("indicator");
    assert_eq!(dataset.get(city, 2024, enrolled), &Value::Number(116392.into()));
    let staff = loaded.framework.lookup("a2.staff").expect("indicator");
    assert_eq!(dataset.get(city, 2024, staff), &Value::NotApplicable);
    let method = loaded.framework.lookup("a2.employers.method").expect("companion");
    assert_eq!(dataset.get(city, 2024, method), &Value::Text("电话、问卷".into()));
}

fn load_errors(orgs: &str, values: &str) -> Vec<String> {
    let dir = dataset_with(orgs, values);
    match load_dataset_dir(dir.path()) {
        Ok(_) => panic!("expected errors"),
        Err(problems) => {
            problems.iter().map(|d| d.to_string().replace(&dir.path().display().to_string(), "DIR")).collect()
        }
    }
}

#[test]
fn every_bad_value_row_is_reported_with_its_cell() {
    let values = "org,year,indicator,value,note\n\
                  city,2024,a1.graduates,39481,\n\
                  town,2024,a1.graduates,1,\n\
                  city,20x4,a1.graduates,1,\n\
                  city,2024,a1.graduats,1,\n\
                  city,2024,a1.graduates_placed,\"38,315\",\n\
                  city,2024,a1.graduates,39481,\n";
    let errors = load_errors(ORGS, values);
    assert_eq!(
        errors,
        vec![
            "DIR/values.csv:3:1: error: unknown org unit \"town\" (not in orgs.csv)",
            "DIR/values.csv:4:6: error: \"20x4\" is not a year",
            "DIR/values.csv:5:11: error: unknown indicator \"a1.graduats\" (not in framework zhongzhi-2024 2024.1)",
            "DIR/values.csv:6:31: error: 毕业去向落实人数 (a1.graduates_placed): \"38,315\" is not a number: write digits with an optional '.' fraction (no separators, units or %), or '-' for not applicable",
            "DIR/values.csv:7:1: error: a second value for city 2024 a1.graduates (first on line 2)",
        ]
    );
}

#[test]
fn bad_header_field_count_and_quotes_are_reported() {
    assert_eq!(
        load_errors(ORGS, "org,year,value\n"),
        vec!["DIR/values.csv:1:1: error: expected the header org,year,indicator,value,note, found org,year,value"]
    );
    assert_eq!(
        load_errors(ORGS, "org,year,indicator,value,note\ncity,2024,a1.graduates,1\n"),
        vec!["DIR/values.csv:2:24: error: expected 5 fields, found 4"]
    );
    assert_eq!(
        load_errors(ORGS, "org,year,indicator,value,note\ncity,2024,a1.graduates,\"1,\n"),
        vec!["DIR/values.csv:2:24: error: a quoted field is never closed"]
    );
}

#[test]
fn org_tree_problems_are_reported() {
    let orgs = "id,name,name_en,level,parent,ownership,designations,provincial_grade,school_type\n\
                city,示例市,,city,,,,,\n\
                school1,一中,,school,county9,public,,,\n\
                county1,一县,,county,city,,,,\n\
                county2,二县,,town,city,,,,\n\
                school2,二中,,school,county1,state,,,\n\
                city,重复,,city,,,,,\n";
    let errors = load_errors(orgs, "org,year,indicator,value,note\n");
    assert_eq!(
        errors,
        vec![
            "DIR/orgs.csv:3:20: error: unknown parent \"county9\" (parents must be listed before their children)",
            "DIR/orgs.csv:5:13: error: unknown level \"town\"; expected one of nation, province, city, county, school",
            "DIR/orgs.csv:6:28: error: unknown ownership \"state\"; expected public or private",
            "DIR/orgs.csv:7:1: error: duplicate org unit id \"city\"",
        ]
    );
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let problems = load_dataset_dir(dir.path()).expect_err("no dataset.toml");
    assert!(problems.to_string().contains("dataset.toml: cannot read"), "{problems}");
}
