//! Template errors: unknown indicators, missing values and bad syntax, with line:column, all at once.

use nianbao_report::content::Content;
use nianbao_report::document::Image;
use nianbao_report::template::{Binding, build};

#[test]
fn every_problem_is_reported_with_its_position() {
    let loaded = nianbao_io::load_dataset_dir(&crate::root().join("datasets/ganzhou")).expect("dataset");
    let content = Content::default();
    let loader = |_: &str| -> Result<Image, String> { Err("no images here".into()) };
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
    let template = "# 标题\n在校生 {{ value(t1.enroled) }} 人，{{ value(a1.graduates) }} 人。\n\n招生 {{ growth(t2.staff_total) }}，{{ frob(x) }} 与 {{ value(t1.enrolled\n::: table zz\n::: chart pie \"图\" facts.nothing\n见{{ ref(tab-none) }}。\n::: frobnicate\n";
    let problems = build("broken.md", template, &binding)
        .expect_err("broken template")
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>();
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
