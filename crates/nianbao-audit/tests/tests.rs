//! The audit's integration tests: one binary, one module per area.

mod hostile;
mod planted;
mod round_trip;

use nianbao_audit::{DocumentAudit, audit_document};
use nianbao_io::printed::{DocumentKind, read_printed};
use nianbao_report::content::Content;
use nianbao_report::document::{Image, Report};
use nianbao_report::template::{Binding, build};
use nianbao_report::template_problem::ImageProblem;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled framework and the published Ganzhou figures.
pub fn loaded() -> &'static nianbao_io::LoadedDataset {
    static LOADED: OnceLock<nianbao_io::LoadedDataset> = OnceLock::new();
    LOADED.get_or_init(|| nianbao_io::load_dataset_dir(&root().join("datasets/ganzhou")).expect("dataset"))
}

/// nianbao's own Ganzhou 2024 report, built from the published figures.
pub fn ganzhou_report() -> Report {
    let loaded = loaded();
    let folder = root().join("reports/ganzhou-2024");
    let content =
        Content::from_toml("content.toml", &std::fs::read_to_string(folder.join("content.toml")).expect("content"))
            .expect("content parses");
    let loader = |file: &str| -> Result<Image, ImageProblem> {
        let svg = std::fs::read_to_string(folder.join(file)).map_err(|_| ImageProblem::NotFound)?;
        Ok(Image { svg: Some(svg), raster: None, width_mm: 120, height_mm: 68, alt: file.into() })
    };
    let template = std::fs::read_to_string(folder.join("template.md")).expect("template");
    let binding = Binding {
        framework: &loaded.framework,
        dataset: &loaded.dataset,
        org: loaded.dataset.org_index("ganzhou").expect("city"),
        year: 2024,
        content: &content,
        content_file: "content.toml",
        load_image: &loader,
    };
    build("template.md", &template, &binding).unwrap_or_else(|problems| panic!("{problems}"))
}

/// The Markdown of nianbao's own Ganzhou report (built once).
pub fn ganzhou_markdown() -> &'static str {
    static MARKDOWN: OnceLock<String> = OnceLock::new();
    MARKDOWN.get_or_init(|| nianbao_report::render::markdown::markdown(&ganzhou_report(), &Default::default()))
}

/// Audits a document given as bytes.
pub fn audit(name: &str, kind: DocumentKind, bytes: &[u8]) -> DocumentAudit {
    let document = read_printed(name, kind, bytes).unwrap_or_else(|e| panic!("{name}: {}", e.message_en()));
    audit_document(&loaded().framework, &document)
}
