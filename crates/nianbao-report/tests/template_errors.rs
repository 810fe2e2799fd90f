//! Template errors: unknown indicators, missing values and bad syntax, with line:column, all at once.

use nianbao_report::content::Content;
use nianbao_report::document::Image;
use nianbao_report::template::{Binding, build};
use nianbao_report::template_problem::ImageProblem;
use nianbao_report::validation_output::Language;

/// Builds `template` for Ganzhou 2024 with no content and no images.
fn build_for_ganzhou(
    file: &str,
    template: &str,
) -> Result<nianbao_report::document::Report, nianbao_report::template_problem::TemplateProblems> {
    let loaded = nianbao_io::load_dataset_dir(&crate::root().join("datasets/ganzhou")).expect("dataset");
    let content = Content::default();
    let loader = |_: &str| -> Result<Image, ImageProblem> { Err(ImageProblem::NotFound) };
    let org = loaded.dataset.org_index("ganzhou").expect("city");
    let binding = Binding {
        framework: &loaded.framework,
        dataset: &loaded.dataset,
        org,
        year: 2024,
        content: &content,
        content_file: "content.toml",
        load_image: &loader,
    };
    build(file, template, &binding)
}

#[test]
fn every_problem_is_reported_with_its_position() {
    let template = "# 标题\n在校生 {{ value(t1.enroled) }} 人，{{ value(a1.graduates) }} 人。\n\n招生 {{ growth(t2.staff_total) }}，{{ frob(x) }} 与 {{ value(t1.enrolled\n::: table zz\n::: chart pie \"图\" facts.nothing\n见{{ ref(tab-none) }}。\n::: frobnicate\n";
    let refused = build_for_ganzhou("broken.md", template).expect_err("broken template");
    let problems = refused.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    // The same problems for a Chinese reader: each at its line and column, naming the figure by
    // its label rather than its id, with no English sentence.
    let chinese = refused.iter().map(|d| d.at_line(Language::Chinese)).collect::<Vec<_>>();
    assert!(
        chinese.iter().any(|line| line.starts_with("第 4 行第 7 列：赣州市 2023 年的“") && line.ends_with("”没有数据")),
        "{chinese:#?}"
    );
    assert!(chinese.iter().any(|line| line == "第 8 行第 4 列：没有名为“frobnicate”的块；可用的块：contents, list-of-tables, list-of-figures, list-of-cases, table, compare, chart, figure, narrative, case, appendix, pagebreak"), "{chinese:#?}");
    for line in &chinese {
        for english in ["unknown", "no value", "never closed", "reference to", " for "] {
            assert!(!line.contains(english), "{line:?} carries {english:?}");
        }
    }
    let expected = [
        "broken.md:2:8: error: unknown indicator \"t1.enroled\"",
        "broken.md:4:7: error: no value of t2.staff_total for 赣州市 2023",
        "broken.md:4:36: error: unknown binding \"frob(x)\"",
        "broken.md:4:49: error: a binding opened with {{ is never closed",
        "broken.md:5:4: error: unknown table \"zz\"",
        "broken.md:6:4: error: unknown indicator \"facts.nothing\" in chart",
        "broken.md:8:4: error: unknown block \"frobnicate\"",
        "broken.md:7:2: error: reference to unknown label \"tab-none\"",
    ];
    for needle in expected {
        assert!(problems.iter().any(|p| p.starts_with(needle)), "missing {needle:?} in {problems:#?}");
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}

#[test]
fn cover_placeholders_are_filled_or_refused_at_their_line() {
    let good = "+++\ntitle = \"{org}中等职业教育质量年度报告（{year}年）\"\nissuer = \"{org}教育局\"\ndate = \"{next_year_zh}年一月\"\n+++\n# 前言 {-}\n正文。\n";
    let report = build_for_ganzhou("cover.md", good).expect("builds");
    assert_eq!(report.title, "赣州市中等职业教育质量年度报告（2024年）");
    assert_eq!(report.issuer, "赣州市教育局");
    assert_eq!(report.date, "二〇二五年一月");
    // A placeholder that is not one (a typo) is an error at its line, in both languages; a lone
    // brace is text.
    let typo = "+++\ntitle = \"{org}年报 {a\"\nissuer = \"{organisation}教育局\"\n+++\n# 前言 {-}\n::: chart pie \"{yaer} 年分布\" facts.schools_public\n";
    let refused = build_for_ganzhou("cover.md", typo).expect_err("a placeholder left");
    let lines: Vec<String> = refused.iter().map(|d| d.with_file(Language::Chinese)).collect();
    assert!(lines.iter().any(|l| l.starts_with("cover.md:3:1：“{organisation}”不是可用的占位符")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("cover.md:6:4：“{yaer}”不是可用的占位符")), "{lines:#?}");
    assert_eq!(lines.len(), 2, "{lines:#?}");
}

/// `nonzero` says a stated zero in words; a figure not given is a problem at its place, never
/// printed as if it were zero.
#[test]
fn nonzero_says_a_zero_in_words_and_refuses_a_missing_figure() {
    let zero = "# 标题\n国际技能大赛{{ nonzero(a5.joint_programmes, \"合作专业 {} 个\", \"尚无合作专业\") }}。\n";
    let markdown = |report| nianbao_report::render::markdown::markdown(&report, &Default::default());
    let text = markdown(build_for_ganzhou("zero.md", zero).expect("builds"));
    assert!(text.contains("尚无合作专业") && !text.contains("0 个"), "{text}");
    let many = "# 标题\n{{ nonzero(a1.graduates, \"毕业生 {} 人\", \"没有毕业生\") }}。\n";
    let text = markdown(build_for_ganzhou("many.md", many).expect("builds"));
    assert!(text.contains("毕业生 39481 人"), "{text}");
    let missing = "# 标题\n{{ nonzero(a2.staff, \"满意度 {}\", \"无\") }}。\n";
    // 教职工满意度 is printed “-” (not applicable): no zero either.
    let refused = build_for_ganzhou("missing.md", missing).expect_err("a figure not given is no zero");
    assert!(refused.iter().any(|d| d.at_line(Language::Chinese).starts_with("第 2 行")), "{refused}");
}

/// Comparisons written wrong are refused, each at its line, all at once; a comparison whose units
/// hold no figure at all (the city's counties, before any roll-up) names the first unit's missing
/// figure rather than printing a largest of nothing.
#[test]
fn comparisons_written_wrong_are_refused_at_their_lines() {
    let sample = nianbao_io::load_dataset_dir(&crate::root().join("datasets/ganzhou-sample")).expect("sample");
    let content = Content::default();
    let loader = |_: &str| -> Result<Image, ImageProblem> { Err(ImageProblem::NotFound) };
    let binding = Binding {
        framework: &sample.framework,
        dataset: &sample.dataset,
        org: sample.dataset.org_index("ganzhou").expect("city"),
        year: 2024,
        content: &content,
        content_file: "content.toml",
        load_image: &loader,
    };
    let template = [
        "# 比较",
        "::: compare",
        "::: compare \"各县\"",
        "::: compare \"各县\" t1.nothing",
        "::: compare \"{orgg}各县\" t1.enrolled",
        "::: chart compare \"各县\" t1.enrolled a3.dual_qualified_share",
        "最多的是{{ most(t1.nothing) }}。",
        "最多的是{{ most(t1.enrolled) }}。",
    ]
    .join("\n");
    let refused = build("compare.md", &template, &binding).expect_err("refused");
    let lines: Vec<String> = refused.iter().map(|d| d.at_line(Language::Chinese)).collect();
    let expected = [
        ("第 2 行", "::: compare 之后须写用英文引号括起的表题"),
        ("第 3 行", "::: compare 之后须写用英文引号括起的表题"),
        ("第 4 行", "“t1.nothing”在指标体系中不存在"),
        ("第 5 行", "“{orgg}”不是可用的占位符"),
        ("第 6 行", "compare 图的各项指标须有相同的单位和小数位数"),
        ("第 7 行", "“t1.nothing”在指标体系中不存在"),
        ("第 8 行", "2024 年的“中等职业学校在校生人数”没有数据"),
    ];
    for (line, text) in expected {
        assert!(lines.iter().any(|l| l.starts_with(line) && l.contains(text)), "{line} {text}: {lines:#?}");
    }
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
}
