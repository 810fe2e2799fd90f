//! `nianbao report` and `nianbao demo`: build a report from a template and write every format.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::OrgLevel;
use nianbao_io::LoadedDataset;
use nianbao_report::content::Content;
use nianbao_report::document::{Image, Report};
use nianbao_report::render::{self, Options};
use nianbao_report::template::{Binding, build};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Output formats of a report.
pub const FORMATS: [&str; 5] = ["html", "md", "docx", "pdf", "xlsx"];

/// The bundled templates: the city, a county, a school.
pub const CITY_TEMPLATE: &str = "reports/ganzhou-2024/template.md";
pub const SCHOOL_TEMPLATE: &str = "reports/school/template.md";
pub const COUNTY_TEMPLATE: &str = "reports/county/template.md";

fn load_image(folder: &Path, file: &str) -> Result<Image, String> {
    let path = folder.join(file);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let alt = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => Ok(Image {
            svg: Some(String::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8".to_string())?),
            png: None,
            width_mm: 120,
            height_mm: 68,
            alt,
        }),
        Some("png") => Ok(Image { svg: None, png: Some(bytes), width_mm: 120, height_mm: 68, alt }),
        _ => Err("images must be .svg or .png".into()),
    }
}

/// Builds the report of `org` for `year` from a template (its content.toml beside it).
pub fn build_report(loaded: &LoadedDataset, org: usize, year: i32, template: &Path) -> Result<Report> {
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
    build(&template.display().to_string(), &template_text, &binding).map_err(|problems| {
        anyhow!("the template cannot be built ({} problem(s)):\n{problems}", problems.error_count())
    })
}

/// Writes the report in each format into `out`; returns the files written.
pub fn write_formats(
    report: &Report,
    formats: &[String],
    out: &Path,
    stem: &str,
    tables: (&LoadedDataset, usize),
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let options = Options::default();
    let mut written = Vec::new();
    for format in formats {
        let started = Instant::now();
        let (bytes, extension): (Vec<u8>, &str) = match format.as_str() {
            "html" => (render::html::html(report, &options).into_bytes(), "html"),
            "md" | "markdown" => (render::markdown::markdown(report, &options).into_bytes(), "md"),
            "docx" => (render::docx::docx(report, &options)?, "docx"),
            "pdf" => (render::pdf::pdf(report, &options)?, "pdf"),
            "xlsx" => (
                nianbao_io::excel::export_tables(&tables.0.framework, &tables.0.dataset, tables.1, report.year)?,
                "xlsx",
            ),
            other => bail!("unknown report format {other:?}; formats: {}", FORMATS.join(", ")),
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
        written.push(path);
    }
    Ok(written)
}

pub fn parse_formats(text: &str) -> Vec<String> {
    text.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect()
}

pub fn default_template(loaded: &LoadedDataset, org: usize) -> PathBuf {
    PathBuf::from(match loaded.dataset.orgs[org].level {
        OrgLevel::School => SCHOOL_TEMPLATE,
        OrgLevel::County => COUNTY_TEMPLATE,
        _ => CITY_TEMPLATE,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn report(
    loaded: &LoadedDataset,
    org: Option<&str>,
    year: i32,
    out: &Path,
    formats: &str,
    template: Option<&Path>,
) -> Result<ExitCode> {
    let org = match org {
        Some(id) => loaded.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?,
        None => {
            let unit = loaded.dataset.default_org().context("the dataset has no org units")?;
            loaded.dataset.org_index(&unit.id).context("default org")?
        }
    };
    let template = template.map(Path::to_path_buf).unwrap_or_else(|| default_template(loaded, org));
    let started = Instant::now();
    let report = build_report(loaded, org, year, &template)?;
    eprintln!("built {} from {} in {} ms", report.title, template.display(), started.elapsed().as_millis());
    let stem = format!("{}-{year}", loaded.dataset.orgs[org].id);
    write_formats(&report, &parse_formats(formats), out, &stem, (loaded, org))?;
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
    for year in [2023, 2024] {
        crate::database::aggregate(&location, year)?;
    }
    let loaded = crate::database::read(&location, nianbao_store::ReadLayer::Combined)?;
    let formats: Vec<String> = FORMATS.iter().map(|f| f.to_string()).collect();
    let city = loaded.dataset.org_index("ganzhou").context("the demo data has no city ganzhou")?;
    eprintln!("Ganzhou 2024 report:");
    let report = build_report(&loaded, city, 2024, Path::new(CITY_TEMPLATE))?;
    write_formats(&report, &formats, out, "ganzhou-2024", (&loaded, city))?;
    let county = loaded.dataset.org_index("yudu").context("the demo data has no county yudu")?;
    eprintln!("a county report ({}):", loaded.dataset.orgs[county].name);
    let report = build_report(&loaded, county, 2024, Path::new(COUNTY_TEMPLATE))?;
    write_formats(&report, &formats, out, "yudu-2024", (&loaded, county))?;
    let school = loaded.dataset.org_index("yudu-s1").context("the demo data has no school yudu-s1")?;
    eprintln!("a school report ({}):", loaded.dataset.orgs[school].name);
    let report = build_report(&loaded, school, 2024, Path::new(SCHOOL_TEMPLATE))?;
    write_formats(&report, &formats, out, "yudu-s1-2024", (&loaded, school))?;
    println!(
        "demo written to {} in {:.1} s (open ganzhou-2024.html, .pdf or .docx)",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
