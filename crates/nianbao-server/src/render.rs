//! Reports built inside the server: the bundled templates and content (embedded in the binary),
//! the editor's narrative edits on top, rendered to every published format.

use crate::error::AppError;
use crate::i18n::Lang;
use nianbao_core::{Dataset, Framework, OrgLevel};
use nianbao_report::content::Content;
use nianbao_report::document::{Image, Report};
use nianbao_report::render::{self, Options};
use nianbao_report::template::{Binding, build};
use nianbao_report::template_problem::{ImageProblem, TemplateDiagnostic, TemplateProblems};
use nianbao_report::validation_output::Language;
use nianbao_store::NarrativeEdit;
use std::collections::BTreeMap;

macro_rules! bundled {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../reports/", $path))
    };
}

/// A bundled report template with its content file.
#[derive(Debug, Clone, Copy)]
pub struct BundledTemplate {
    pub name: &'static str,
    pub template: &'static str,
    pub content: &'static str,
    /// The org unit a sample template was written for (its own report uses it); `None`: the
    /// generic template of its level.
    pub for_org: Option<&'static str>,
}

/// Ganzhou's 2024 report as sample content (used for the org unit `ganzhou` only).
pub const GANZHOU_SAMPLE: BundledTemplate = BundledTemplate {
    name: "reports/ganzhou-2024/template.md",
    template: bundled!("ganzhou-2024/template.md"),
    content: bundled!("ganzhou-2024/content.toml"),
    for_org: Some("ganzhou"),
};
pub const PROVINCE: BundledTemplate = BundledTemplate {
    name: "reports/province/template.md",
    template: bundled!("province/template.md"),
    content: bundled!("province/content.toml"),
    for_org: None,
};
pub const CITY: BundledTemplate = BundledTemplate {
    name: "reports/city/template.md",
    template: bundled!("city/template.md"),
    content: bundled!("city/content.toml"),
    for_org: None,
};
pub const COUNTY: BundledTemplate = BundledTemplate {
    name: "reports/county/template.md",
    template: bundled!("county/template.md"),
    content: bundled!("county/content.toml"),
    for_org: None,
};
pub const SCHOOL: BundledTemplate = BundledTemplate {
    name: "reports/school/template.md",
    template: bundled!("school/template.md"),
    content: bundled!("school/content.toml"),
    for_org: None,
};

/// Every bundled template (the sample first: it is chosen over its level's generic one).
pub const TEMPLATES: [BundledTemplate; 5] = [GANZHOU_SAMPLE, PROVINCE, CITY, COUNTY, SCHOOL];

const PHOTOS: [(&str, &str); 15] = [
    ("photos/photo-01.svg", bundled!("ganzhou-2024/photos/photo-01.svg")),
    ("photos/photo-02.svg", bundled!("ganzhou-2024/photos/photo-02.svg")),
    ("photos/photo-03.svg", bundled!("ganzhou-2024/photos/photo-03.svg")),
    ("photos/photo-04.svg", bundled!("ganzhou-2024/photos/photo-04.svg")),
    ("photos/photo-05.svg", bundled!("ganzhou-2024/photos/photo-05.svg")),
    ("photos/photo-06.svg", bundled!("ganzhou-2024/photos/photo-06.svg")),
    ("photos/photo-07.svg", bundled!("ganzhou-2024/photos/photo-07.svg")),
    ("photos/photo-08.svg", bundled!("ganzhou-2024/photos/photo-08.svg")),
    ("photos/photo-09.svg", bundled!("ganzhou-2024/photos/photo-09.svg")),
    ("photos/photo-10.svg", bundled!("ganzhou-2024/photos/photo-10.svg")),
    ("photos/photo-11.svg", bundled!("ganzhou-2024/photos/photo-11.svg")),
    ("photos/photo-12.svg", bundled!("ganzhou-2024/photos/photo-12.svg")),
    ("photos/photo-13.svg", bundled!("ganzhou-2024/photos/photo-13.svg")),
    ("photos/photo-14.svg", bundled!("ganzhou-2024/photos/photo-14.svg")),
    ("photos/photo-15.svg", bundled!("ganzhou-2024/photos/photo-15.svg")),
];

fn bundled_image(file: &str) -> Result<Image, ImageProblem> {
    let svg =
        PHOTOS.iter().find(|(name, _)| *name == file).map(|(_, svg)| svg.to_string()).ok_or(ImageProblem::NotFound)?;
    let alt = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".svg").to_string();
    Ok(Image { svg: Some(svg), raster: None, width_mm: 120, height_mm: 68, alt })
}

/// The template of an org unit: the sample written for it, else the generic one of its level
/// (the nation's report uses the province's outline).
pub fn template_for(org_id: &str, level: OrgLevel) -> BundledTemplate {
    if let Some(sample) = TEMPLATES.iter().find(|t| t.for_org == Some(org_id)) {
        return *sample;
    }
    match level {
        OrgLevel::School => SCHOOL,
        OrgLevel::County => COUNTY,
        OrgLevel::City => CITY,
        OrgLevel::Province | OrgLevel::Nation => PROVINCE,
    }
}

/// A school's case study as a report prints it: placed after the narrative section `section`
/// (a key of the report's template), its photos already checked.
#[derive(Debug, Clone)]
pub struct PrintedCase {
    pub case_id: i64,
    pub title: String,
    pub school: String,
    pub body: String,
    pub section: String,
    pub photos: Vec<(nianbao_report::document::Raster, String)>,
}

/// A case's text as paragraphs: every non-empty line is one (how clerks type them), and blank
/// lines separate them too.
pub fn case_paragraphs(body: &str) -> Vec<String> {
    body.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect()
}

/// The narrative sections of a template in the order it prints them, with their headings:
/// where a picked case can be placed.
pub fn case_places(template: BundledTemplate) -> Vec<(String, String)> {
    let titles = section_titles(template);
    template
        .template
        .lines()
        .filter_map(|line| line.trim().strip_prefix("::: narrative "))
        .filter_map(|rest| rest.split_whitespace().next())
        // A preface is the editor's own words: no case goes there.
        .filter(|key| *key != "preface")
        .map(|key| (key.to_string(), titles.get(key).cloned().unwrap_or_else(|| key.to_string())))
        .collect()
}

/// The template text with a `::: case` line for each picked case at the end of its section (a
/// section the template lacks: its last narrative section), and the content with those cases.
fn with_cases(template: BundledTemplate, content: &mut Content, cases: &[PrintedCase]) -> String {
    let places = case_places(template);
    let fallback = places.last().map(|(key, _)| key.clone()).unwrap_or_default();
    let mut by_section: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in cases {
        let key = format!("school-case-{}", case.case_id);
        let section = if places.iter().any(|(place, _)| *place == case.section) {
            case.section.clone()
        } else {
            fallback.clone()
        };
        by_section.entry(section).or_default().push(key.clone());
        content.cases.push(nianbao_report::content::Case {
            key,
            title: case.title.clone(),
            school: case.school.clone(),
            text: case_paragraphs(&case.body).join("\n\n"),
            photos: case
                .photos
                .iter()
                .enumerate()
                .map(|(index, (_, caption))| nianbao_report::content::Photo {
                    file: format!("school-case-{}/{index}", case.case_id),
                    caption: caption.clone(),
                })
                .collect(),
            literal: true,
        });
    }
    // Each section's cases go at its end: after its narrative and the template's own blocks,
    // before the next heading or narrative section.
    let mut out = String::with_capacity(template.template.len() + cases.len() * 32);
    let mut pending: Option<&Vec<String>> = None;
    let flush = |out: &mut String, pending: &mut Option<&Vec<String>>| {
        for case_key in pending.take().into_iter().flatten() {
            out.push_str(&format!("::: case {case_key}\n"));
        }
    };
    for line in template.template.lines() {
        let trimmed = line.trim();
        let narrative = trimmed.strip_prefix("::: narrative ").and_then(|rest| rest.split_whitespace().next());
        if trimmed.starts_with('#') || narrative.is_some() || trimmed.starts_with("::: appendix") {
            flush(&mut out, &mut pending);
        }
        out.push_str(line);
        out.push('\n');
        if let Some(keys) = narrative.and_then(|key| by_section.get(key)) {
            pending = Some(keys);
        }
    }
    flush(&mut out, &mut pending);
    out
}

/// The editable fields of a template's content: narrative sections, then each case's title and
/// text (`case:<key>:title`, `case:<key>:text`), with their bundled texts.
pub fn editable_fields(template: BundledTemplate) -> Result<Vec<(String, String)>, AppError> {
    let content = bundled_content(template)?;
    // In the order the template uses them.
    let position = |marker: String| template.template.find(&marker).unwrap_or(usize::MAX);
    let mut sections: Vec<(usize, String, String)> = content
        .narrative
        .into_iter()
        .map(|(key, text)| (position(format!("::: narrative {key}")), key, text))
        .collect();
    sections.sort_by_key(|(at, ..)| *at);
    let mut fields: Vec<(String, String)> = sections.into_iter().map(|(_, key, text)| (key, text)).collect();
    let mut cases: Vec<_> =
        content.cases.into_iter().map(|case| (position(format!("::: case {}", case.key)), case)).collect();
    cases.sort_by_key(|(at, _)| *at);
    for (_, case) in cases {
        fields.push((format!("case:{}:title", case.key), case.title));
        fields.push((format!("case:{}:text", case.key), case.text));
    }
    Ok(fields)
}

fn bundled_content(template: BundledTemplate) -> Result<Content, AppError> {
    Content::from_toml(template.name, template.content)
        .map_err(|problems| AppError::Internal(format!("bundled content: {problems}")))
}

/// Bundled content with the editor's edits applied.
pub fn content_with_edits(template: BundledTemplate, edits: &[NarrativeEdit]) -> Result<Content, AppError> {
    let mut content = bundled_content(template)?;
    for edit in edits {
        if let Some(rest) = edit.section.strip_prefix("case:") {
            let Some((key, field)) = rest.rsplit_once(':') else { continue };
            if let Some(case) = content.cases.iter_mut().find(|case| case.key == key) {
                match field {
                    "title" => case.title = edit.body.clone(),
                    "text" => case.text = edit.body.clone(),
                    _ => {}
                }
            }
        } else {
            content.narrative.insert(edit.section.clone(), edit.body.clone());
        }
    }
    Ok(content)
}

/// Builds the report of the org unit at `org` (an index into `dataset`), with the editor's edits
/// and the schools' cases it prints.
pub fn build_report(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    edits: &[NarrativeEdit],
    cases: &[PrintedCase],
) -> Result<Report, AppError> {
    let unit = &dataset.orgs[org];
    let template = template_for(&unit.id, unit.level);
    let mut content = content_with_edits(template, edits)?;
    let text = with_cases(template, &mut content, cases);
    let load_image = |file: &str| -> Result<Image, ImageProblem> {
        if let Some(rest) = file.strip_prefix("school-case-") {
            let (id, index) = rest.split_once('/').ok_or(ImageProblem::NotFound)?;
            let case = cases.iter().find(|case| case.case_id.to_string() == id).ok_or(ImageProblem::NotFound)?;
            let index: usize = index.parse().map_err(|_| ImageProblem::NotFound)?;
            let (raster, caption) = case.photos.get(index).ok_or(ImageProblem::NotFound)?;
            return Ok(Image::photo(raster.clone(), caption.clone(), 120));
        }
        bundled_image(file)
    };
    let binding =
        Binding { framework, dataset, org, year, content: &content, content_file: "content", load_image: &load_image };
    build(template.name, &text, &binding).map_err(|problems| {
        // Where the sections' bindings fail against these data, say which sections and lines.
        let sections = section_build_problems(framework, dataset, org, year, edits);
        if sections.is_empty() {
            AppError::invalid(
                format!("报告模板有误，无法生成：\n{}", problems.lines(Language::Chinese).join("\n")),
                format!("the report cannot be built:\n{}", problems.lines(Language::English).join("\n")),
            )
        } else {
            AppError::ReportProblems { sections }
        }
    })
}

/// The editable sections (with the editor's edits) whose bindings fail against the data, each
/// as (heading as printed, problems at their lines), in the order of the report.
pub fn section_build_problems(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    edits: &[NarrativeEdit],
) -> Vec<(String, Vec<TemplateDiagnostic>)> {
    let unit = &dataset.orgs[org];
    let template = template_for(&unit.id, unit.level);
    let titles = section_titles(template);
    let Ok(fields) = editable_fields(template) else { return Vec::new() };
    fields
        .into_iter()
        .filter_map(|(key, bundled)| {
            let body = edits.iter().find(|e| e.section == key).map(|e| e.body.as_str()).unwrap_or(&bundled);
            check_section_text(framework, dataset, org, year, &key, body)
                .err()
                .map(|problems| (titles.get(&key).cloned().unwrap_or(key), problems))
        })
        .collect()
}

/// One narrative section (or case field) built alone against the data: the report it makes, or
/// the problems of its bindings (each with its line and column in the section).
fn build_section(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    section: &str,
    body: &str,
) -> Result<Report, TemplateProblems> {
    let mut content = Content::default();
    let template_text = if let Some(rest) = section.strip_prefix("case:") {
        let key = rest.rsplit_once(':').map(|(key, _)| key).unwrap_or(rest);
        let mut case = bundled_content(template_for(&dataset.orgs[org].id, dataset.orgs[org].level))
            .ok()
            .and_then(|c| c.cases.into_iter().find(|case| case.key == key));
        if let Some(case) = case.as_mut() {
            if section.ends_with(":title") {
                case.title = body.to_string();
            } else {
                case.text = body.to_string();
            }
            case.photos.clear();
            content.cases.push(case.clone());
        }
        format!("::: case {key}\n")
    } else {
        content.narrative = BTreeMap::from([(section.to_string(), body.to_string())]);
        format!("::: narrative {section}\n")
    };
    let binding = Binding {
        framework,
        dataset,
        org,
        year,
        content: &content,
        content_file: "section",
        load_image: &bundled_image,
    };
    build("section", &template_text, &binding)
}

/// One narrative section (or case) rendered alone, as an HTML fragment: the editor's live preview
/// (or the problems of its bindings at their lines, in the page's language).
pub fn preview_section(
    lang: Lang,
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    section: &str,
    body: &str,
) -> String {
    match build_section(framework, dataset, org, year, section, body) {
        Ok(report) => {
            let html = render::html::html(&report, &Options::default());
            match (html.find("<main>"), html.rfind("</main>")) {
                (Some(start), Some(end)) if start < end => html[start + 6..end].to_string(),
                _ => html,
            }
        }
        Err(problems) => format!(
            "<ul class=\"problems\">{}</ul>",
            problems
                .iter()
                .map(|problem| format!("<li>{}</li>", render::html::escape(&problem.at_line(lang.language()))))
                .collect::<String>()
        ),
    }
}

/// Checks a section's bindings against the data: `Err` lists its problems at their lines.
pub fn check_section_text(
    framework: &Framework,
    dataset: &Dataset,
    org: usize,
    year: i32,
    section: &str,
    body: &str,
) -> Result<(), Vec<TemplateDiagnostic>> {
    build_section(framework, dataset, org, year, section, body).map(|_| ()).map_err(|problems| problems.0)
}

/// The heading under which each narrative section and case of a template is printed, as the
/// reader sees it (“基本情况”, “案例：…”), for the editor's labels.
pub fn section_titles(template: BundledTemplate) -> BTreeMap<String, String> {
    let mut titles = BTreeMap::new();
    let mut heading = String::new();
    let content = bundled_content(template).ok();
    for line in template.template.lines() {
        let trimmed = line.trim();
        if let Some(text) = trimmed.strip_prefix('#') {
            let text = text.trim_start_matches('#').trim();
            let text = text.split(" {").next().unwrap_or(text).trim();
            heading = text.replace(' ', "");
        } else if let Some(key) = trimmed.strip_prefix("::: narrative ") {
            let key = key.split_whitespace().next().unwrap_or(key);
            let title = if heading.is_empty() { key.to_string() } else { heading.clone() };
            titles.insert(key.to_string(), title);
        } else if let Some(key) = trimmed.strip_prefix("::: case ") {
            let key = key.split_whitespace().next().unwrap_or(key);
            let title = content
                .as_ref()
                .and_then(|c| c.cases.iter().find(|case| case.key == key))
                .map(|case| case.title.clone())
                .unwrap_or_else(|| key.to_string());
            titles.insert(format!("case:{key}:title"), format!("{heading} · 案例标题：{title}"));
            titles.insert(format!("case:{key}:text"), format!("{heading} · 案例正文：{title}"));
        }
    }
    titles
}

/// The files of a publication.
#[derive(Debug)]
pub struct Rendered {
    pub html: Vec<u8>,
    pub docx: Vec<u8>,
    pub pdf: Vec<u8>,
    pub xlsx: Vec<u8>,
}

/// Renders every published format (blocking: run it off the async threads).
pub fn render_all(framework: &Framework, dataset: &Dataset, org: usize, report: &Report) -> Result<Rendered, AppError> {
    let options = Options::default();
    let failed = |format: &str, error: String| AppError::Internal(format!("{format}: {error}"));
    // Typeset once: the DOCX's catalogues cache the pages the PDF prints each item on.
    let (pdf, pages) = render::pdf::pdf_and_pages(report, &options).map_err(|e| failed("PDF", e.to_string()))?;
    Ok(Rendered {
        html: render::html::html(report, &options).into_bytes(),
        docx: render::docx::docx_with_pages(report, &options, &pages).map_err(|e| failed("DOCX", e.to_string()))?,
        pdf,
        xlsx: nianbao_io::excel::export_tables(framework, dataset, org, report.year)
            .map_err(|e| failed("XLSX", e.to_string()))?,
    })
}

/// The published figures of an org unit: `{"year": {"indicator": "value"}}` for the report year
/// and the year before.
pub fn figures_json(framework: &Framework, dataset: &Dataset, org: usize, year: i32) -> String {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for y in [year - 1, year] {
        let figures = out.entry(y.to_string()).or_default();
        for (i, indicator) in framework.indicators.iter().enumerate() {
            let value = dataset.get(org, y, nianbao_core::IndicatorIndex(i));
            if !value.is_missing() {
                figures.insert(indicator.id.clone(), value.to_storage_string());
            }
        }
    }
    serde_json::to_string(&out).unwrap_or_else(|_| "{}".into())
}

/// Puts the report's data note before its first heading: what its figures rest on (approved
/// returns and how many, or a draft preview), and the editor's note when it was published over
/// open problems.
pub fn add_data_note(
    report: &mut Report,
    data: &crate::access::ReportData,
    level: OrgLevel,
    override_note: Option<&str>,
) {
    let review = &data.review;
    report.add_data_note(&nianbao_report::document::DataBasis {
        school_report: level == OrgLevel::School,
        schools: review.schools,
        approved: review.approved,
        submitted: review.submitted,
        drafts: data.scope == crate::access::DataScope::Drafts,
        override_note: override_note.map(str::to_string),
    });
}
