//! `nianbao template`, `import` and `export` end to end on SQLite, and every generated file
//! opened by LibreOffice (converted headless), which CI installs.

use crate::{nianbao, nianbao_ok};
use std::path::Path;

fn demo_database(dir: &Path) -> String {
    let db = dir.join("x.sqlite").to_str().expect("utf-8 path").to_string();
    nianbao_ok(&["db", "init", "--db", &db]);
    nianbao_ok(&["load", "datasets/ganzhou-sample", "--db", &db]);
    db
}

#[test]
fn template_import_round_trip_changes_nothing_and_reports_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path());
    let template = dir.path().join("school.xlsx");
    let template = template.to_str().expect("path");
    nianbao_ok(&["template", "--school", "xingguo-s1", "--year", "2024", "-o", template, "--db", &db]);
    let output = nianbao_ok(&["import", template, "--school", "xingguo-s1", "--year", "2024", "--db", &db]);
    assert!(
        output.contains("（school-template）：写入 0 项"),
        "importing the school's own figures changes nothing: {output}"
    );
    assert!(output.contains("导入后校验（2024 年）"), "{output}");
    let status = nianbao_ok(&["db", "status", "--db", &db]);
    assert!(status.contains("13128 reported values"), "{status}");
    // Another school's or another year's import of the same file is refused, naming both.
    let output = nianbao(&["import", template, "--school", "xingguo-qihang", "--year", "2024", "--db", &db]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("不能导入"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = nianbao(&["import", template, "--school", "xingguo-s1", "--year", "2023", "--db", &db]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("这是 2024 年度的数据"));
    let output = nianbao(&["import", template, "--year", "2024", "--db", &db]);
    assert_eq!(output.status.code(), Some(1), "a template needs --school");
    assert_eq!(nianbao_ok(&["db", "status", "--db", &db]), status, "nothing stored by the refusals");
}

#[test]
fn a_bad_cell_refuses_the_whole_import_and_names_the_cell() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path());
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("数据").expect("sheet");
    for (column, id) in ["org", "name", "year", "a1.graduates", "a1.graduates_placed"].iter().enumerate() {
        sheet.write_string(1, column as u16, *id).expect("write");
    }
    sheet.write_string(2, 0, "xingguo-s1").expect("write");
    sheet.write_number(2, 2, 2024.0).expect("write");
    sheet.write_string(2, 3, "１，０００").expect("write");
    sheet.write_string(2, 4, "约九百").expect("write");
    let file = dir.path().join("bad.xlsx");
    workbook.save(&file).expect("save");
    let before = nianbao_ok(&["db", "status", "--db", &db]);
    let output = nianbao(&["import", file.to_str().expect("path"), "--year", "2024", "--db", &db]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("数据!E3 「毕业去向落实人数」：“约九百”不是数值"), "{stderr}");
    assert!(stderr.contains("未导入任何数据"), "{stderr}");
    let output = nianbao(&["import", file.to_str().expect("path"), "--year", "2024", "--db", &db, "--lang", "en"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("数据!E3 “毕业去向落实人数”: \"约九百\" is not a number"));
    assert_eq!(nianbao_ok(&["db", "status", "--db", &db]), before, "nothing stored");
}

#[test]
fn exports_and_every_generated_file_opens_in_libreoffice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path());
    let path = |name: &str| dir.path().join(name).to_str().expect("path").to_string();
    nianbao_ok(&[
        "export",
        "--dataset",
        "datasets/ganzhou",
        "--year",
        "2024",
        "--format",
        "xlsx",
        "-o",
        &path("tables.xlsx"),
    ]);
    nianbao_ok(&[
        "export",
        "--dataset",
        "datasets/ganzhou",
        "--year",
        "2024",
        "--format",
        "sdmx",
        "-o",
        &path("open-data.csv"),
    ]);
    nianbao_ok(&[
        "export",
        "--dataset",
        "datasets/ganzhou",
        "--year",
        "2024",
        "--format",
        "csv",
        "-o",
        &path("values.csv"),
    ]);
    nianbao_ok(&["template", "--school", "xingguo-s1", "--year", "2024", "-o", &path("template.xlsx"), "--db", &db]);
    nianbao_ok(&[
        "template",
        "--school",
        "xingguo",
        "--multi",
        "--year",
        "2024",
        "-o",
        &path("county.xlsx"),
        "--db",
        &db,
    ]);
    let sdmx = std::fs::read_to_string(path("open-data.csv")).expect("sdmx");
    assert!(sdmx.contains(",ganzhou,2024,a6.enrolled_full_time,人,116392,A"), "{}", &sdmx[..300]);
    let values = std::fs::read_to_string(path("values.csv")).expect("csv");
    let bundled =
        std::fs::read_to_string(crate::repository_root().join("datasets/ganzhou/values.csv")).expect("bundled");
    // The same lines, numbers compared as decimals (the export writes 3418 for 3418.00).
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text
            .lines()
            .map(|line| {
                let mut fields: Vec<String> = line.splitn(5, ',').map(String::from).collect();
                if let Some(number) = fields.get(3).and_then(|v| v.parse::<rust_decimal::Decimal>().ok()) {
                    fields[3] = number.normalize().to_string();
                }
                fields.join(",")
            })
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&values), sorted(&bundled), "the long format round-trips the bundled file (same lines)");
    // LibreOffice converts each workbook's first sheet to CSV.
    for (file, expected) in
        [("tables.xlsx", "在校生与招生人数"), ("template.xlsx", "年度数据填报模板"), ("county.xlsx", "学校代码")]
    {
        let output = std::process::Command::new("soffice")
            .args([
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",
                "--outdir",
                dir.path().to_str().expect("path"),
                &path(file),
            ])
            .output()
            .expect("LibreOffice (apt-get install libreoffice-calc-nogui) is required for this test");
        assert!(output.status.success(), "soffice failed on {file}: {}", String::from_utf8_lossy(&output.stderr));
        let csv = std::fs::read_to_string(path(&file.replace(".xlsx", ".csv"))).expect("converted csv");
        assert!(csv.contains(expected), "{file}: {csv}");
    }
}

#[test]
fn long_format_csv_imports_and_bad_lines_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path());
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "org,year,indicator,value,note\nxingguo-s1,2025,a1.graduates,1500,新学年\n").expect("write");
    let output = nianbao_ok(&["import", good.to_str().expect("path"), "--year", "2025", "--db", &db]);
    assert!(output.contains("（long-format CSV）：写入 1 项"), "{output}");
    // A CSV carries no versions: a figure that differs from a stored one is a conflict naming the
    // stored figure, and is written over it only when asked for.
    let changed = dir.path().join("changed.csv");
    std::fs::write(&changed, "org,year,indicator,value,note\nxingguo-s1,2025,a1.graduates,1600,\n").expect("write");
    let output = nianbao(&["import", changed.to_str().expect("path"), "--year", "2025", "--db", &db]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("“1500”") && stderr.contains("未写入"), "{stderr}");
    let output = nianbao_ok(&["import", changed.to_str().expect("path"), "--year", "2025", "--overwrite", "--db", &db]);
    assert!(output.contains("写入 1 项"), "{output}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "org,year,indicator,value,note\nxingguo-s1,2025,a1.graduates_placed,1400,\nxingguo-s1,2025,a1.graduates,12%,\n",
    )
    .expect("write");
    let output = nianbao(&["import", bad.to_str().expect("path"), "--year", "2025", "--db", &db]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.csv:3:30: error: 毕业生人数 (a1.graduates): \"12%\" is not a number"), "{stderr}");
    assert!(nianbao_ok(&["db", "status", "--db", &db]).contains("13129 reported values"), "the bad file added nothing");
}

/// A stale template imported through the CLI after someone else changed one of its cells (here
/// by a CSV written over it, as a web save would): that cell is a conflict naming the stored
/// figure and stays as the other writer left it; the template's other change is written.
#[test]
fn a_stale_template_through_the_cli_reverts_nothing() {
    use nianbao_io::workbook::{self, CellValue};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_database(dir.path());
    let template = dir.path().join("school.xlsx");
    nianbao_ok(&[
        "template",
        "--school",
        "xingguo-s1",
        "--year",
        "2024",
        "-o",
        template.to_str().expect("p"),
        "--db",
        &db,
    ]);
    // The clerk types two figures into the downloaded template.
    let bytes = std::fs::read(&template).expect("template");
    let mut spreadsheet = workbook::read_spreadsheet(&bytes, &Default::default()).expect("reads");
    let sheet = spreadsheet.sheets.iter_mut().find(|s| s.name.starts_with("表1")).expect("表 1 sheet");
    let input = sheet
        .cells
        .iter()
        .find(|c| matches!(&c.value, CellValue::Text(t) if t == "nianbao:input"))
        .map(|c| c.column)
        .expect("input marker");
    for (id, typed) in [("t1.enrolled", "4321"), ("t1.new_entrants", "999")] {
        let row =
            sheet.cells.iter().find(|c| matches!(&c.value, CellValue::Text(t) if t == id)).map(|c| c.row).expect("row");
        let cell = sheet.cells.iter_mut().find(|c| c.row == row && c.column == input).expect("input cell");
        cell.value = CellValue::Number(typed.into());
    }
    let edited = dir.path().join("edited.xlsx");
    std::fs::write(&edited, nianbao_io::corpus::write_xlsx(&spreadsheet, false, false)).expect("write");
    // Meanwhile a colleague changes 在校生人数.
    let colleague = dir.path().join("colleague.csv");
    std::fs::write(&colleague, "org,year,indicator,value,note\nxingguo-s1,2024,t1.enrolled,5000,\n").expect("csv");
    nianbao_ok(&["import", colleague.to_str().expect("p"), "--year", "2024", "--overwrite", "--db", &db]);
    let output =
        nianbao(&["import", edited.to_str().expect("p"), "--school", "xingguo-s1", "--year", "2024", "--db", &db]);
    assert_eq!(output.status.code(), Some(1), "a conflict is a failure");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(format!("{stdout}{stderr}").contains("5000"), "the conflict names the stored figure: {stdout}{stderr}");
    let table = nianbao_ok(&["table", "t1", "--db", &db, "--org", "xingguo-s1", "--year", "2024", "--format", "csv"]);
    assert!(table.contains("5000"), "the colleague's figure was reverted: {table}");
    assert!(table.contains("999") && !table.contains("4321"), "{table}");
}
