//! `nianbao report` and `nianbao demo`: build a report from a template and write every format.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::OrgLevel;
use nianbao_io::LoadedDataset;
use nianbao_report::content::Content;
use nianbao_report::document::{DataBasis, Image, Report};
use nianbao_report::render::{self, Options};
use nianbao_report::template::{Binding, build};
use nianbao_report::template_problem::ImageProblem;
use nianbao_store::SubmissionStatus;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Output formats of a report.
pub const FORMATS: [&str; 5] = ["html", "md", "docx", "pdf", "xlsx"];

/// The bundled templates: Ganzhou's sample report, and the generic one of each level.
pub const GANZHOU_TEMPLATE: &str = "reports/ganzhou-2024/template.md";
pub const PROVINCE_TEMPLATE: &str = "reports/province/template.md";
pub const CITY_TEMPLATE: &str = "reports/city/template.md";
pub const SCHOOL_TEMPLATE: &str = "reports/school/template.md";
pub const COUNTY_TEMPLATE: &str = "reports/county/template.md";

fn load_image(folder: &Path, file: &str) -> Result<Image, ImageProblem> {
    let path = folder.join(file);
    let bytes = std::fs::read(&path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ImageProblem::NotFound,
        _ => ImageProblem::CannotRead { detail: error.to_string() },
    })?;
    let alt = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => Ok(Image {
            svg: Some(String::from_utf8(bytes).map_err(|_| ImageProblem::SvgNotUtf8)?),
            raster: None,
            width_mm: 120,
            height_mm: 68,
            alt,
        }),
        Some("png" | "jpg" | "jpeg") => nianbao_report::document::Raster::check(bytes)
            .map(|raster| Image::photo(raster, alt, 120))
            .map_err(ImageProblem::Photo),
        _ => Err(ImageProblem::UnsupportedType),
    }
}

/// Builds the report of `org` for `year` from a template (its content.toml beside it).
pub fn build_report(loaded: &LoadedDataset, org: usize, year: i32, template: &Path) -> Result<Report> {
    let template = &crate::bundled::resolve(template);
    let folder = template.parent().unwrap_or(Path::new(".")).to_path_buf();
    let template_text =
        std::fs::read_to_string(template).with_context(|| format!("reading template {}", template.display()))?;
    let content_path = folder.join("content.toml");
    let content = match std::fs::read_to_string(&content_path) {
        Ok(text) => {
            Content::from_toml(&content_path.display().to_string(), &text).map_err(|problems| anyhow!("{problems}"))?
        }
        Err(_) => Content::default(),
    };
    let content_file = content_path.display().to_string();
    let loader = |file: &str| load_image(&folder, file);
    let binding = Binding {
        framework: &loaded.framework,
        dataset: &loaded.dataset,
        org,
        year,
        content: &content,
        content_file: &content_file,
        load_image: &loader,
    };
    build(&template.display().to_string(), &template_text, &binding)
        .map_err(|problems| anyhow!("the template cannot be built ({} problem(s)):\n{problems}", problems.len()))
}

/// Writes the report in each format into `out`; returns the files written.
pub fn write_formats(
    report: &Report,
    formats: &[String],
    out: &Path,
    stem: &str,
    tables: (&LoadedDataset, usize),
    page: render::PageStyle,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let options = Options { page, ..Options::default() };
    let mut written = Vec::new();
    if let Some(other) =
        formats.iter().find(|f| !matches!(f.as_str(), "html" | "md" | "markdown" | "docx" | "pdf" | "xlsx"))
    {
        bail!("unknown report format {other:?}; formats: {}", FORMATS.join(", "));
    }
    // A format that cannot be built does not stop the others; it is named at the end.
    let mut failed: Vec<String> = Vec::new();
    // With both PDF and DOCX asked for, the report is typeset once: the PDF is written from it and
    // the DOCX's catalogues cache its pages.
    let typeset = (formats.iter().any(|f| f == "pdf") && formats.iter().any(|f| f == "docx"))
        .then(|| render::pdf::pdf_and_pages(report, &options).ok())
        .flatten();
    for format in formats {
        let started = Instant::now();
        let built: Result<(Vec<u8>, &str)> = match format.as_str() {
            "html" => Ok((render::html::html(report, &options).into_bytes(), "html")),
            "md" | "markdown" => Ok((render::markdown::markdown(report, &options).into_bytes(), "md")),
            "docx" => match &typeset {
                Some((_, pages)) => render::docx::docx_with_pages(report, &options, pages),
                None => render::docx::docx(report, &options),
            }
            .map(|b| (b, "docx"))
            .map_err(Into::into),
            "pdf" => match &typeset {
                Some((bytes, _)) => Ok((bytes.clone(), "pdf")),
                None => render::pdf::pdf(report, &options).map(|b| (b, "pdf")).map_err(Into::into),
            },
            _ => nianbao_io::excel::export_tables(&tables.0.framework, &tables.0.dataset, tables.1, report.year)
                .map(|b| (b, "xlsx"))
                .map_err(Into::into),
        };
        let (bytes, extension) = match built {
            Ok(built) => built,
            Err(error) => {
                eprintln!("  {format:<5} not written: {error:#}");
                failed.push(format!("{format}: {error:#}"));
                continue;
            }
        };
        let path = out.join(format!("{stem}.{extension}"));
        std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "  {:<5} {:>9} bytes  {:>6} ms  {}",
            extension,
            bytes.len(),
            started.elapsed().as_millis(),
            path.display()
        );
        if extension == "pdf" {
            // Which faces were found: a fallback is named, so the editor knows what to install.
            let fonts: Vec<String> = render::pdf::fonts_used(&options)
                .into_iter()
                .map(|font| match (font.used, font.fallback) {
                    (Some(used), false) => format!("{} {used}", font.role),
                    (Some(used), true) => format!("{} {used}（未装{}）", font.role, font.wanted),
                    (None, _) => format!("{} 内置字体（未装{}）", font.role, font.wanted),
                })
                .collect();
            eprintln!("        字体：{}", fonts.join("，"));
        }
        written.push(path);
    }
    if !failed.is_empty() {
        bail!("{} format(s) could not be written (the others were): {}", failed.len(), failed.join("; "));
    }
    Ok(written)
}

pub fn parse_formats(text: &str) -> Vec<String> {
    text.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect()
}

/// The template of an org unit: Ganzhou's sample for Ganzhou, else the generic one of its level.
pub fn default_template(loaded: &LoadedDataset, org: usize) -> PathBuf {
    let unit = &loaded.dataset.orgs[org];
    PathBuf::from(match unit.level {
        OrgLevel::School => SCHOOL_TEMPLATE,
        OrgLevel::County => COUNTY_TEMPLATE,
        OrgLevel::City if unit.id == "ganzhou" => GANZHOU_TEMPLATE,
        OrgLevel::City => CITY_TEMPLATE,
        OrgLevel::Province | OrgLevel::Nation => PROVINCE_TEMPLATE,
    })
}

/// What may be printed from a database's returns: with `approved`, a school's values only for
/// the years its return is approved; copies filled; the units above rolled up afresh from the
/// schools for `years` (their own entered figures printed over the roll-up) — only `within`'s
/// subtree when given (a report prints nothing above its own unit). Reports and the published
/// exports (tables, open data) read a database through this.
pub fn printed_view(
    framework: &nianbao_core::Framework,
    dataset: &mut nianbao_core::Dataset,
    approved: Option<&HashMap<(String, i32), SubmissionStatus>>,
    years: &[i32],
    within: Option<usize>,
) {
    if let Some(statuses) = approved {
        dataset.retain_org_years(|unit, year| {
            unit.level != OrgLevel::School
                || statuses.get(&(unit.id.clone(), year)) == Some(&SubmissionStatus::Approved)
        });
    }
    nianbao_core::completeness::fill_copies(framework, dataset);
    nianbao_core::aggregate::fill_with_roll_up(framework, dataset, years, within);
    nianbao_core::completeness::fill_copies(framework, dataset);
}

/// What `nianbao report` is asked.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions<'a> {
    pub org: Option<&'a str>,
    pub year: i32,
    pub strict: bool,
    pub drafts: bool,
    /// The PDF's page: official (GB/T 9704 style) or plain A4.
    pub page: render::PageStyle,
}

/// `nianbao report`: from a database, built from approved returns only (unless `drafts`), the
/// units above rolled up afresh, with a data note; the state of the returns and the errors in the
/// report's figures are printed first, and with `strict` either one refuses the build.
/// `statuses` is `None` for a dataset folder (no workflow: its figures are taken as given).
pub fn report_reviewed(
    loaded: &mut LoadedDataset,
    statuses: Option<&HashMap<(String, i32), SubmissionStatus>>,
    options: &ReportOptions<'_>,
    out: &Path,
    formats: &str,
    template: Option<&Path>,
) -> Result<ExitCode> {
    let org = match options.org {
        Some(id) => loaded.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?,
        None => {
            let unit = loaded.dataset.default_org().context("the dataset has no org units")?;
            loaded.dataset.org_index(&unit.id).context("default org")?
        }
    };
    let year = options.year;
    let framework = loaded.framework.clone();
    let mut basis = DataBasis {
        school_report: loaded.dataset.orgs[org].level == OrgLevel::School,
        drafts: options.drafts,
        ..DataBasis::default()
    };
    let mut unapproved: Vec<String> = Vec::new();
    if let Some(statuses) = statuses {
        let units = loaded.dataset.orgs.clone();
        for (index, unit) in units.iter().enumerate() {
            if unit.level != OrgLevel::School || !nianbao_core::dataset::is_within(&units, index, org) {
                continue;
            }
            basis.schools += 1;
            match statuses.get(&(unit.id.clone(), year)) {
                Some(SubmissionStatus::Approved) => basis.approved += 1,
                Some(SubmissionStatus::Submitted) => {
                    basis.submitted += 1;
                    unapproved.push(unit.name.clone());
                }
                _ => unapproved.push(unit.name.clone()),
            }
        }
        let approved = (!options.drafts).then_some(statuses);
        printed_view(&framework, &mut loaded.dataset, approved, &[year - 1, year], Some(org));
    } else {
        nianbao_core::completeness::fill_copies(&framework, &mut loaded.dataset);
    }
    let rules = nianbao_core::validation::RuleSet::for_framework(&framework);
    let errors = rules
        .evaluate(&framework, &loaded.dataset, org, year, &mut nianbao_core::validation::Summary::default())
        .into_iter()
        .filter(|f| f.severity == nianbao_core::Severity::Error)
        .count();
    let name = &loaded.dataset.orgs[org].name;
    match statuses {
        Some(_) => {
            let named: Vec<&str> = unapproved.iter().take(10).map(String::as_str).collect();
            let tail = if unapproved.is_empty() {
                String::new()
            } else {
                format!("；未审核通过：{}{}", named.join("、"), if unapproved.len() > 10 { " 等" } else { "" })
            };
            eprintln!(
                "审核状态：{name} {year} 年 {} 所学校，已审核通过 {}、已提交待审核 {}、未提交 {}{tail}",
                basis.schools,
                basis.approved,
                basis.submitted,
                basis.schools - basis.approved - basis.submitted
            );
            eprintln!(
                "{}",
                if options.drafts {
                    "报告含未审核的填报数据（--drafts），标明为预览稿。"
                } else {
                    "报告只用已审核通过的学校数据。"
                }
            );
        }
        None => eprintln!("数据集目录（无审核流程）：{}，数据按文件所给使用。", loaded.dataset.name),
    }
    eprintln!("校验：报告的 {year} 年数据有 {errors} 个错误。");
    if options.strict && (!unapproved.is_empty() || errors > 0 || options.drafts) {
        eprintln!(
            "--strict：{} 所学校的填报未审核通过，{errors} 个错误；未生成报告。",
            if options.drafts { basis.schools - basis.approved } else { unapproved.len() }
        );
        return Ok(ExitCode::FAILURE);
    }
    let template = template.map(Path::to_path_buf).unwrap_or_else(|| default_template(loaded, org));
    let started = Instant::now();
    let mut report = build_report(loaded, org, year, &template)?;
    if statuses.is_some() {
        report.add_data_note(&basis);
    }
    eprintln!("built {} from {} in {} ms", report.title, template.display(), started.elapsed().as_millis());
    let stem = format!("{}-{year}", loaded.dataset.orgs[org].id);
    write_formats(&report, &parse_formats(formats), out, &stem, (loaded, org), options.page)?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Builds the demo database from the bundled data and writes the Ganzhou 2024 report, a county's
/// and a school's report in every format.
pub fn demo(out: &Path) -> Result<ExitCode> {
    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let db = out.join("nianbao-demo.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let location = crate::database::Location {
        db: Some(db.clone()),
        database_url: None,
        framework: PathBuf::from("frameworks/zhongzhi-2024.toml"),
    };
    eprintln!("demo database {}:", db.display());
    crate::database::init(&location)?;
    crate::database::load(Path::new("datasets/ganzhou-sample"), &location)?;
    // The sample returns count as reviewed in the demo (recorded as such in its audit trail).
    crate::database::approve_every_school(&location, &[2023, 2024], "样例数据：演示中视为已审核通过")?;
    for year in [2023, 2024] {
        crate::database::aggregate(&location, year, None)?;
    }
    let loaded = crate::database::read(&location, nianbao_store::ReadLayer::Reported)?;
    let statuses = crate::database::statuses(&location, &[2023, 2024])?;
    let formats = FORMATS.join(",");
    for (org, template, what) in [
        ("ganzhou", GANZHOU_TEMPLATE, "Ganzhou 2024 report"),
        ("jiangxi", PROVINCE_TEMPLATE, "a province report"),
        ("yudu", COUNTY_TEMPLATE, "a county report"),
        ("yudu-s1", SCHOOL_TEMPLATE, "a school report"),
    ] {
        eprintln!("{what} ({org}):");
        let options =
            ReportOptions { org: Some(org), year: 2024, strict: false, drafts: false, page: Default::default() };
        let mut copy = loaded.clone();
        report_reviewed(&mut copy, Some(&statuses), &options, out, &formats, Some(Path::new(template)))?;
    }
    println!(
        "demo written to {} in {:.1} s (open ganzhou-2024.html, .pdf or .docx)",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
