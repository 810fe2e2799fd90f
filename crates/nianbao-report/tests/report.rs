//! The Ganzhou 2024 report: the document model (golden), continuous numbering, catalogues that
//! equal the captions, and every appendix number in its cell in HTML, DOCX and PDF.

use nianbao_report::content::Content;
use nianbao_report::document::{Block, CatalogueKind, Image, Inline, Report, plain_text};
use nianbao_report::render::{self, Options};
use nianbao_report::template::{Binding, build};
use nianbao_report::template_problem::ImageProblem;
use std::io::Read;

fn ganzhou_report() -> Report {
    let root = crate::root();
    let loaded = nianbao_io::load_dataset_dir(&root.join("datasets/ganzhou")).expect("dataset");
    let folder = root.join("reports/ganzhou-2024");
    let content =
        Content::from_toml("content.toml", &std::fs::read_to_string(folder.join("content.toml")).expect("content"))
            .expect("content parses");
    let loader = |file: &str| -> Result<Image, ImageProblem> {
        let svg = std::fs::read_to_string(folder.join(file)).map_err(|_| ImageProblem::NotFound)?;
        Ok(Image { svg: Some(svg), raster: None, width_mm: 120, height_mm: 68, alt: file.into() })
    };
    let org = loaded.dataset.org_index("ganzhou").expect("city");
    let template = std::fs::read_to_string(folder.join("template.md")).expect("template");
    let binding = Binding {
        framework: &loaded.framework,
        dataset: &loaded.dataset,
        org,
        year: 2024,
        content: &content,
        content_file: "content.toml",
        load_image: &loader,
    };
    build("template.md", &template, &binding).unwrap_or_else(|problems| panic!("{problems}"))
}

/// A readable dump of the document model.
fn dump(report: &Report) -> String {
    let mut out = format!(
        "title: {}\nissuer: {}\ndate: {}\nsample: {:?}\n",
        report.title, report.issuer, report.date, report.sample_notice
    );
    for block in &report.blocks {
        let line = match block {
            Block::Heading { level, number, text, anchor } => {
                format!("{} {} {text} #{anchor}", "#".repeat(usize::from(*level)), number.clone().unwrap_or_default())
            }
            Block::Paragraph(inlines) => {
                let bound: Vec<String> = inlines
                    .iter()
                    .filter_map(|i| {
                        if let Inline::Bound { text, source } = i { Some(format!("{text}<{source}>")) } else { None }
                    })
                    .collect();
                format!("  ¶ {}\n    bound: {}", plain_text(inlines), bound.join(" "))
            }
            Block::Note(inlines) => format!("  note: {}", plain_text(inlines)),
            Block::Table { caption, view, appendix } => {
                format!("[{}] {} ({} rows, appendix: {appendix})", caption.anchor, caption.full(), view.rows.len())
            }
            Block::Figure(figure) => format!("[{}] {}", figure.caption.anchor, figure.caption.full()),
            Block::Case { caption, school, paragraphs, figures } => format!(
                "[{}] {} — {school} ({} paragraphs; figures: {})",
                caption.anchor,
                caption.full(),
                paragraphs.len(),
                figures.iter().map(|f| f.caption.full()).collect::<Vec<_>>().join("; ")
            ),
            Block::Catalogue(kind) => format!("{{{}}}", kind.title()),
            Block::PageBreak => "---".into(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn document_model_golden() {
    crate::assert_expect("ganzhou-2024.model.txt", &dump(&ganzhou_report()));
}

#[test]
fn numbering_is_continuous_and_catalogues_equal_the_captions() {
    let report = ganzhou_report();
    let numbers = |prefix: &str, kind: CatalogueKind| -> Vec<String> {
        report
            .catalogue(kind)
            .iter()
            .filter_map(|e| e.text.strip_prefix(prefix).map(|r| r.split(' ').next().unwrap_or("").to_string()))
            .collect()
    };
    let expect = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
    assert_eq!(numbers("表 ", CatalogueKind::Tables), expect(2));
    assert_eq!(numbers("附表 ", CatalogueKind::Tables), expect(6));
    assert_eq!(numbers("图 ", CatalogueKind::Figures), expect(16));
    assert_eq!(numbers("案例 ", CatalogueKind::Cases), expect(15));
    // Every catalogue entry is the caption of a block in the body, and the other way round.
    let mut captions = Vec::new();
    for block in &report.blocks {
        match block {
            Block::Table { caption, .. } | Block::Case { caption, .. } => captions.push(caption.full()),
            Block::Figure(figure) => captions.push(figure.caption.full()),
            _ => {}
        }
        if let Block::Case { figures, .. } = block {
            captions.extend(figures.iter().map(|f| f.caption.full()));
        }
    }
    let mut entries: Vec<String> = [CatalogueKind::Tables, CatalogueKind::Figures, CatalogueKind::Cases]
        .iter()
        .flat_map(|k| report.catalogue(*k))
        .map(|e| e.text)
        .collect();
    entries.sort();
    captions.sort();
    assert_eq!(entries, captions);
    let contents: Vec<String> = report.catalogue(CatalogueKind::Contents).iter().map(|e| e.text.clone()).collect();
    assert_eq!(
        contents.iter().filter(|t| !t.starts_with(char::is_numeric)).count(),
        2,
        "前言 and 附表 are unnumbered: {contents:?}"
    );
    assert!(
        contents.contains(&"1.1 规模和结构".to_string()) && contents.contains(&"9. 改进措施".to_string()),
        "{contents:?}"
    );
    assert!(report.blocks.iter().any(|b| matches!(b, Block::Table { caption, .. } if caption.full() == "表 2 2024 年赣州市中等职业教育教职工数情况表")), "the caption takes the data's year");
}

/// Every appendix row as (label, values) in printed order.
fn appendix_rows(report: &Report) -> Vec<(String, Vec<String>)> {
    report
        .tables()
        .filter(|(caption, _)| caption.number.starts_with("附表"))
        .flat_map(|(_, view)| {
            view.rows
                .iter()
                .map(|row| (row.label.clone(), row.cells.iter().chain(&row.extras).map(|c| c.text.clone()).collect()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn cell_texts_in_order(haystack: &[String], row: &(String, Vec<String>), from: usize) -> Option<usize> {
    let start = haystack[from..].iter().position(|t| *t == row.0)? + from;
    let mut at = start + 1;
    for value in &row.1 {
        if value.is_empty() {
            continue;
        }
        at = haystack[at..].iter().position(|t| t == value)? + at + 1;
    }
    Some(start + 1)
}

#[test]
fn every_appendix_number_is_in_its_cell_in_html() {
    let report = ganzhou_report();
    let html = render::html::html(&report, &Options::default());
    let rows = appendix_rows(&report);
    assert_eq!(rows.len(), 123);
    // Cells of the HTML tables, in document order.
    let cells: Vec<String> = html
        .split("<t")
        .filter_map(|piece| {
            let rest = piece.strip_prefix('d').or_else(|| piece.strip_prefix('h'))?;
            let start = rest.find('>')? + 1;
            let end = rest.find("</t")?;
            Some(rest.get(start..end)?.replace("&quot;", "\"").replace("&amp;", "&"))
        })
        .collect();
    let mut at = cells.iter().position(|c| c == "毕业生人数").expect("附表 1 starts");
    for row in &rows {
        at = cell_texts_in_order(&cells, row, at).unwrap_or_else(|| panic!("HTML: row {row:?} not found in order"));
    }
    assert!(html.contains("<caption>附表 3 教学资源表</caption>") && html.contains("scope=\"row\""));
}

fn docx_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut document = String::new();
    archive.by_name("word/document.xml").expect("document.xml").read_to_string(&mut document).expect("utf-8");
    document
}

#[test]
fn every_appendix_number_is_in_its_cell_in_docx() {
    let report = ganzhou_report();
    let bytes = render::docx::docx(&report, &Options::default()).expect("docx");
    let xml = docx_xml(&bytes);
    // Text of each table cell (w:tc), in order.
    let cells: Vec<String> = xml
        .split("<w:tc>")
        .skip(1)
        .map(|cell| {
            let cell = cell.split("</w:tc>").next().unwrap_or("");
            cell.split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|t| t.split("</w:t>").next())
                .collect::<String>()
                .replace("&quot;", "\"")
        })
        .collect();
    let rows = appendix_rows(&report);
    let mut at = cells.iter().position(|c| c == "毕业生人数").expect("附表 1 starts");
    for row in &rows {
        at = cell_texts_in_order(&cells, row, at).unwrap_or_else(|| panic!("DOCX: row {row:?} not found in order"));
    }
    assert!(xml.contains("<w:tblHeader />"), "header rows repeat");
    assert!(xml.contains("PAGEREF _nb"), "catalogue lines carry page references");
    // The text of each paragraph (a caption's number is a SEQ field: its cached result counts,
    // its instruction does not).
    let paragraphs: Vec<String> = xml
        .split("<w:p ")
        .skip(1)
        .map(|paragraph| {
            let paragraph = paragraph.split("</w:p>").next().unwrap_or("");
            paragraph
                .split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|t| t.split("</w:t>").next())
                .collect::<String>()
        })
        .collect();
    for entry in report.catalogue(CatalogueKind::Tables) {
        assert!(
            paragraphs.iter().filter(|p| p.starts_with(&entry.text)).count() >= 2,
            "{} appears in the catalogue and in the body",
            entry.text
        );
    }
}

#[test]
fn pdf_has_every_appendix_number_and_catalogue_entry() {
    let report = ganzhou_report();
    let bytes =
        render::pdf::pdf(&report, &Options::default()).expect("PDF (needs a CJK font: apt-get install fonts-noto-cjk)");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (apt-get install poppler-utils) is required for this test");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    // Each appendix row is one line holding its label and its values in order.
    let lines: Vec<&str> = text.lines().collect();
    let mut at = lines.iter().position(|l| l.trim_start().starts_with("毕业生人数")).expect("附表 1 starts");
    for (label, values) in appendix_rows(&report) {
        // A long label may wrap inside its cell: its first characters start the row's line.
        let head: String = label.chars().filter(|c| !c.is_whitespace()).take(8).collect();
        let found = lines[at..].iter().position(|line| {
            let squeezed: String = line.split_whitespace().collect();
            squeezed.starts_with(&head)
        });
        let Some(offset) = found else { panic!("PDF: row {label} not found after line {at}") };
        at += offset;
        let mut rest = lines[at].to_string();
        for value in values.iter().filter(|v| !v.is_empty() && !v.contains('、') && !v.contains("调查")) {
            let position = rest
                .find(value.as_str())
                .unwrap_or_else(|| panic!("PDF: {value} not on the line of {label}: {:?}", lines[at]));
            rest = rest[position + value.len()..].to_string();
        }
        at += 1;
    }
    for kind in [CatalogueKind::Tables, CatalogueKind::Cases] {
        for entry in report.catalogue(kind) {
            let squeezed: String = text.split_whitespace().collect();
            let needle: String = entry.text.split_whitespace().collect();
            assert!(squeezed.matches(&needle).count() >= 2, "{} appears in its catalogue and in the body", entry.text);
        }
    }
}

#[test]
fn the_school_template_builds_for_every_sample_school() {
    let root = crate::root();
    let sample = nianbao_io::load_dataset_dir(&root.join("datasets/ganzhou-sample")).expect("sample");
    let folder = root.join("reports/school");
    let content =
        Content::from_toml("content.toml", &std::fs::read_to_string(folder.join("content.toml")).expect("content"))
            .expect("content parses");
    let template = std::fs::read_to_string(folder.join("template.md")).expect("template");
    let loader = |_: &str| -> Result<Image, ImageProblem> { Err(ImageProblem::NotFound) };
    let mut built = 0;
    for (org, unit) in sample.dataset.orgs.iter().enumerate().filter(|(_, o)| o.level == nianbao_core::OrgLevel::School)
    {
        let binding = Binding {
            framework: &sample.framework,
            dataset: &sample.dataset,
            org,
            year: 2024,
            content: &content,
            content_file: "content.toml",
            load_image: &loader,
        };
        let report =
            build("template.md", &template, &binding).unwrap_or_else(|problems| panic!("{}: {problems}", unit.id));
        assert_eq!(report.title, format!("{}质量年度报告（2024年）", unit.name));
        // 表 1, 表 2 and 附表 1–6.
        assert_eq!(report.catalogue(CatalogueKind::Tables).len(), 8);
        built += 1;
    }
    assert_eq!(built, 43);
}

/// On a machine without a CJK font the PDF is set in the bundled subsets: every heading and
/// table label is real text, and the fonts embedded are the bundled ones.
#[test]
fn pdf_without_system_fonts_uses_the_bundled_subsets() {
    let report = ganzhou_report();
    let options = Options { without_system_fonts: true, ..Options::default() };
    let bytes = render::pdf::pdf(&report, &options).expect("PDF from the bundled fonts alone");
    // Kept for a look (pages to PNG): target/artefacts/report-bundled-fonts.pdf.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/artefacts");
    std::fs::create_dir_all(&dir).expect("artefacts folder");
    let path = dir.join("report-bundled-fonts.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let text = std::process::Command::new("pdftotext")
        .args([path.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext (apt-get install poppler-utils) is required for this test");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("人才培养质量计分卡") && text.contains("毕业生人数"), "Chinese text is set");
    let fonts = std::process::Command::new("pdffonts").arg(&path).output().expect("pdffonts (poppler-utils)");
    let fonts = String::from_utf8_lossy(&fonts.stdout).to_string();
    assert!(fonts.contains("NotoSansCJKsc") || fonts.contains("NotoSerifCJKsc") || fonts.contains("Noto"), "{fonts}");
    assert!(!fonts.to_lowercase().contains("dejavu"), "no Latin fallback stood in for Chinese: {fonts}");
}

/// Headings never skip a level (a case under a chapter without sections is one level under the
/// chapter), in HTML and in Markdown; a figure is described by its caption, not a file name.
#[test]
fn heading_levels_do_not_skip_and_images_are_described() {
    let report = ganzhou_report();
    let html = render::html::html(&report, &Options::default());
    let levels: Vec<u32> =
        html.match_indices("<h").filter_map(|(at, _)| html[at + 2..].chars().next()?.to_digit(10)).collect();
    assert!(levels.len() > 40, "{levels:?}");
    for pair in levels.windows(2) {
        assert!(pair[1] <= pair[0] + 1, "a heading skips from h{} to h{}", pair[0], pair[1]);
    }
    let markdown = render::markdown::markdown(&report, &Options::default());
    let depths: Vec<usize> =
        markdown.lines().filter(|l| l.starts_with('#')).map(|l| l.chars().take_while(|c| *c == '#').count()).collect();
    for pair in depths.windows(2) {
        assert!(pair[1] <= pair[0] + 1, "a Markdown heading skips from {} to {}", pair[0], pair[1]);
    }
    assert!(!html.contains("alt=\"photo-"), "an image described by its file name");
}

/// The DOCX as a word processor reads it: its properties (title, issuer, date, language), one
/// Normal style, Chinese as the language of every run, “— n —” page numbers and none on the cover.
#[test]
fn docx_properties_language_and_page_numbers() {
    let report = ganzhou_report();
    let bytes = render::docx::docx(&report, &Options::default()).expect("docx");
    let part = |name: &str| {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("zip");
        let mut text = String::new();
        archive.by_name(name).expect(name).read_to_string(&mut text).expect("utf-8");
        text
    };
    let core = part("docProps/core.xml");
    assert!(core.contains("<dc:title>赣州市中等职业教育质量年度报告（2024年）</dc:title>"), "{core}");
    assert!(core.contains("<dc:creator>赣州市教育局</dc:creator>") && core.contains("2025-01-01T00:00:00Z"), "{core}");
    assert!(!core.contains("unknown") && !core.contains("1970"), "{core}");
    let styles = part("word/styles.xml");
    assert_eq!(styles.matches("w:styleId=\"Normal\"").count(), 1, "Normal is defined once");
    assert!(styles.contains("<w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\""), "runs are Chinese");
    let document = part("word/document.xml");
    assert!(document.contains("<w:titlePg"), "the cover page has its own (empty) footer");
    // Every drawing has its own id.
    let ids: Vec<&str> =
        document.match_indices("<wp:docPr id=\"").map(|(at, m)| &document[at + m.len()..][..3]).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert!(ids.len() >= 16 && unique.len() == ids.len(), "drawing ids: {ids:?}");
    // A case is boxed (a shaded one-cell table) under its own title style, not a chapter heading.
    assert!(
        document.contains("<w:pStyle w:val=\"CaseTitle\" />") && document.contains("w:fill=\"F3F6FB\""),
        "boxed cases"
    );
    assert_eq!(document.matches("<w:pStyle w:val=\"CaseTitle\" />").count(), 15, "every case under its title style");
    // Catalogue titles are no chapters; table text is 五号 on its runs.
    assert!(document.contains("<w:pStyle w:val=\"CatalogueTitle\" />"), "catalogue titles have their own style");
    assert!(
        !document.contains("<w:pStyle w:val=\"Heading1\" /></w:pPr><w:r><w:rPr /><w:t xml:space=\"preserve\">表目录"),
        "表目录 is no Heading 1"
    );
    assert!(
        document.contains(
            "<w:sz w:val=\"21\" /><w:szCs w:val=\"21\" /></w:rPr><w:t xml:space=\"preserve\">毕业生人数</w:t>"
        ),
        "table text is 10.5 pt on its run"
    );
    let footers: String = (1..=3)
        .filter_map(|n| {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).ok()?;
            let mut text = String::new();
            archive.by_name(&format!("word/footer{n}.xml")).ok()?.read_to_string(&mut text).ok()?;
            Some(text)
        })
        .collect();
    assert!(footers.contains("— ") && footers.contains("PAGE"), "{footers}");
    assert_eq!(render::docx::cover_date("二〇二五年一月").as_deref(), Some("2025-01-01T00:00:00Z"));
    assert_eq!(render::docx::cover_date("2024年12月").as_deref(), Some("2024-12-01T00:00:00Z"));
    assert_eq!(render::docx::cover_date("二〇二五年十一月").as_deref(), Some("2025-11-01T00:00:00Z"));
    assert_eq!(render::docx::cover_date("2024 年度"), None);
}

/// A county's report compares its schools: a table with one row per school and the county's own
/// figure last, a chart of them, and sentences naming the largest and smallest; a school's report
/// cannot compare (it has nothing under it), and says so at the line.
#[test]
fn a_county_report_compares_its_schools() {
    let root = crate::root();
    let sample = nianbao_io::load_dataset_dir(&root.join("datasets/ganzhou-sample")).expect("sample");
    let mut dataset = sample.dataset.clone();
    nianbao_core::aggregate::fill_with_roll_up(&sample.framework, &mut dataset, &[2023, 2024], None);
    let folder = root.join("reports/county");
    let content =
        Content::from_toml("content.toml", &std::fs::read_to_string(folder.join("content.toml")).expect("content"))
            .expect("content parses");
    let template = std::fs::read_to_string(folder.join("template.md")).expect("template");
    let loader = |_: &str| -> Result<Image, ImageProblem> { Err(ImageProblem::NotFound) };
    let county = dataset.org_index("yudu").expect("county");
    let binding = Binding {
        framework: &sample.framework,
        dataset: &dataset,
        org: county,
        year: 2024,
        content: &content,
        content_file: "content.toml",
        load_image: &loader,
    };
    let report = build("template.md", &template, &binding).unwrap_or_else(|problems| panic!("{problems}"));
    let enrolled = sample.framework.lookup("t1.enrolled").expect("t1.enrolled");
    let schools: Vec<usize> = (0..dataset.orgs.len()).filter(|&i| dataset.orgs[i].parent == Some(county)).collect();
    assert_eq!(schools.len(), 3);
    let figure = |org: usize| match dataset.get(org, 2024, enrolled) {
        nianbao_core::Value::Number(n) => *n,
        other => panic!("{other:?}"),
    };
    // The comparison table as printed.
    let comparison = |report: &Report| {
        report
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table { caption, view, .. } if caption.text.contains("各校主要指标") => {
                    Some(nianbao_report::table_output::grid(view))
                }
                _ => None,
            })
            .expect("the comparison table")
    };
    let grid = comparison(&report);
    assert_eq!(grid.header[0][0], "学校");
    assert_eq!(grid.body.len(), 4, "three schools, then the county");
    assert_eq!(grid.body[3][0], "于都县");
    for (row, &school) in schools.iter().enumerate() {
        assert_eq!(grid.body[row][0], dataset.orgs[school].name);
        assert_eq!(grid.body[row][1], figure(school).to_string(), "{}", dataset.orgs[school].name);
    }
    assert_eq!(grid.body[3][1], figure(county).to_string(), "the county's own figure");
    // The sentence names the largest school with its figure.
    let largest = schools.iter().copied().max_by_key(|&s| figure(s)).expect("a school");
    let text: String = report
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(inlines) => Some(plain_text(inlines)),
            _ => None,
        })
        .collect();
    let said = format!("在校生最多的是{}（{} 人）", dataset.orgs[largest].name, figure(largest));
    assert!(text.contains(&said), "{said} not in the text");
    assert!(report.catalogue(CatalogueKind::Figures).iter().any(|f| f.text.contains("各校在校生人数")), "the chart");

    // A school without the figure (not given, or its return not approved) is left out of the
    // sentence and the chart, and both say so; its cell in the table is blank, never 0.
    let mut partial = dataset.clone();
    partial.set(schools[1], 2024, enrolled, nianbao_core::Value::Missing);
    let partial_report =
        build("template.md", &template, &Binding { dataset: &partial, ..binding }).unwrap_or_else(|p| panic!("{p}"));
    let texts: Vec<String> = partial_report
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(inlines) | Block::Note(inlines) => Some(plain_text(inlines)),
            _ => None,
        })
        .collect();
    assert!(texts.iter().any(|t| t.contains("（另有 1 个单位无数据，未计入）")), "the sentence says who is left out");
    assert!(texts.iter().any(|t| t.contains("另有 1 个单位无数据，未列入本图")), "the chart says who is left out");
    assert_eq!(comparison(&partial_report).body[1][1], "", "a blank, never 0");

    // A school has nothing to compare.
    let school = schools[0];
    let binding = Binding { org: school, ..binding };
    let problems = build("t.md", "# 比较\n\n::: compare \"各校\" t1.enrolled\n", &binding).expect_err("refused");
    let message = problems.lines(nianbao_report::validation_output::Language::Chinese).join("\n");
    assert!(message.contains("t.md") && message.contains("下没有学校或下级单位，无法比较"), "{message}");
}

/// A caption label whose numbers do not run 1, 2, 3 … in order keeps them as plain text in the
/// DOCX: a SEQ field would renumber it on Word's update and print a number other than the one
/// meant. The other labels stay fields.
#[test]
fn docx_numbers_a_label_by_field_only_when_word_would_count_the_same() {
    let mut report = ganzhou_report();
    let second = report
        .blocks
        .iter_mut()
        .filter_map(|b| match b {
            Block::Table { caption, appendix: false, .. } => Some(caption),
            _ => None,
        })
        .nth(1)
        .expect("表 2");
    assert_eq!(second.number, "表 2");
    second.number = "表 5".into();
    let xml = docx_xml(&render::docx::docx(&report, &Options::default()).expect("docx"));
    assert!(!xml.contains("SEQ 表 "), "表 is numbered as printed");
    assert!(xml.contains(">表 5 "), "表 5 printed as meant");
    assert!(xml.contains("SEQ 附表 ") && xml.contains("SEQ 图 "), "the other labels stay fields");
}
