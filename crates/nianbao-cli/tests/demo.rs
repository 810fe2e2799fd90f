//! `nianbao demo` (the README's main command) and `nianbao report` for a school and for every format.

use crate::{nianbao, nianbao_ok};

#[test]
fn demo_writes_the_city_the_province_a_county_and_a_school_report_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("demo");
    let stdout = nianbao_ok(&["demo", "--out", out.to_str().expect("utf-8 path")]);
    assert!(stdout.contains("demo written to"), "{stdout}");
    for stem in ["ganzhou-2024", "jiangxi-2024", "yudu-2024", "yudu-s1-2024"] {
        for extension in ["html", "md", "docx", "pdf", "xlsx"] {
            let path = out.join(format!("{stem}.{extension}"));
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            assert!(size > 1000, "{} is missing or empty", path.display());
        }
    }
    let html = std::fs::read_to_string(out.join("ganzhou-2024.html")).expect("html");
    assert!(
        html.contains("<caption>附表 6 落实政策表</caption>") && html.contains("案例 15"),
        "the city report is complete"
    );
    let school = std::fs::read_to_string(out.join("yudu-s1-2024.md")).expect("md");
    assert!(
        school.contains("于都县第一中等职业学校（样例）质量年度报告（2024年）"),
        "the school report is about the school"
    );
    assert!(school.contains("**附表 1 人才培养质量计分卡**"));
    let county = std::fs::read_to_string(out.join("yudu-2024.md")).expect("county md");
    assert!(
        county.contains("于都县共有中职学校 3 所，其中公办 1 所、民办 2 所"),
        "the county's figures are its schools' roll-up"
    );
    // Covers are filled from data: no placeholder is ever printed.
    for (text, issuer) in [(&county, "于都县教育局"), (&county, "二〇二五年一月"), (&school, "二〇二五年一月")]
    {
        assert!(!text.contains("{org}") && !text.contains("{year}"), "a placeholder was printed");
        assert!(text.contains(issuer), "the cover names {issuer}");
    }
    assert!(county.contains("数据说明：于都县共有中职学校 3 所，2024 年度填报已审核通过 3 所"), "the data note");
    // The province report, from the generic province template, rolls up its city's schools.
    let province = std::fs::read_to_string(out.join("jiangxi-2024.md")).expect("province md");
    assert!(province.contains("江西省中等职业教育质量年度报告（2024年）"), "the province report is about the province");
    assert!(province.contains("江西省教育厅"), "the province's cover names its issuer");
    assert!(province.contains("**附表 6 落实政策表**") && province.contains("面临挑战"), "the national outline");
}

#[test]
fn report_errors_name_the_template_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("template.md");
    std::fs::write(&template, "# 标题\n{{ value(a1.nothing) }}\n").expect("write");
    let output = nianbao(&[
        "report",
        "--dataset",
        "datasets/ganzhou",
        "--year",
        "2024",
        "--template",
        template.to_str().expect("path"),
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("template.md:2:4: error: unknown indicator \"a1.nothing\""), "{stderr}");
}

/// The binary carries what it needs: `nianbao demo` from a folder outside the checkout writes
/// every report, from the bundled framework, sample data and templates.
#[test]
fn demo_works_from_any_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["demo", "--out", "demo"])
        .current_dir(dir.path())
        .output()
        .expect("run nianbao");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for stem in ["ganzhou-2024", "jiangxi-2024", "yudu-2024", "yudu-s1-2024"] {
        let html = dir.path().join("demo").join(format!("{stem}.html"));
        assert!(std::fs::metadata(&html).is_ok_and(|m| m.len() > 1000), "{} is missing", html.display());
    }
    // The photos of the city template come along too.
    let city = std::fs::read_to_string(dir.path().join("demo/ganzhou-2024.html")).expect("city report");
    assert!(city.contains("<svg") || city.contains("data:image"), "the bundled photos are in the report");
}
