//! `nianbao audit`: audits published reports (PDF, DOCX, text, Markdown, or folders of them) and
//! says what does not add up, as text, JSON or HTML; saves the rebuilt data as a dataset.

use anyhow::{Context, Result, bail};
use nianbao_audit::{DocumentAudit, audit_document, output};
use nianbao_io::printed::{DocumentKind, read_printed_file};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options of `nianbao audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Reports to audit: .pdf, .docx, .txt (text extracted from a PDF), .md, or folders of them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output: text, json or html.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Write the output to this file instead of standard output.
    #[arg(short = 'o', long)]
    pub out: Option<PathBuf>,
    /// Message language: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
    /// Save the data rebuilt from the (single) report as a dataset folder that `nianbao load` and
    /// `nianbao validate` read.
    #[arg(long)]
    pub save_dataset: Option<PathBuf>,
    /// The indicator framework the reports follow.
    #[arg(long, default_value = "frameworks/zhongzhi-2024.toml")]
    pub framework: PathBuf,
}

/// The documents named: files as given, folders' readable files in name order.
fn documents(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading the folder {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && DocumentKind::of_path(p).is_some())
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        bail!("no .pdf, .docx, .txt or .md file to audit");
    }
    Ok(files)
}

pub fn audit(args: &AuditArgs) -> Result<ExitCode> {
    let english = match args.lang.as_str() {
        "zh" | "zh-CN" => false,
        "en" => true,
        other => bail!("unknown language {other:?}; expected zh or en"),
    };
    let framework = nianbao_io::load_framework_file(&crate::bundled::resolve(&args.framework))
        .map_err(|problems| anyhow::anyhow!("cannot load framework {}:\n{problems}", args.framework.display()))?;
    let mut audits: Vec<DocumentAudit> = Vec::new();
    let mut unreadable = 0;
    for file in documents(&args.files)? {
        match read_printed_file(&file) {
            Ok(document) => audits.push(audit_document(&framework, &document)),
            Err(error) => {
                unreadable += 1;
                let message = if english { error.message_en() } else { error.message_zh() };
                eprintln!("{}: {message}", file.display());
            }
        }
    }
    let rendered = match args.format.as_str() {
        "text" => output::text(&audits, english),
        "json" => serde_json::to_string_pretty(&output::json(&audits))? + "\n",
        "html" => output::html(&audits, english),
        other => bail!("unknown format {other:?}; expected text, json or html"),
    };
    match &args.out {
        Some(path) => std::fs::write(path, rendered).with_context(|| format!("writing {}", path.display()))?,
        None => print!("{rendered}"),
    }
    if let Some(folder) = &args.save_dataset {
        let [audit] = audits.as_slice() else { bail!("--save-dataset takes exactly one report") };
        save_dataset(&framework, audit, folder, &args.framework)?;
    }
    let errors: usize = audits.iter().map(DocumentAudit::errors).sum();
    Ok(if errors > 0 || unreadable > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Writes dataset.toml, orgs.csv and values.csv of the rebuilt data.
fn save_dataset(
    framework: &nianbao_core::Framework,
    audit: &DocumentAudit,
    folder: &Path,
    framework_path: &Path,
) -> Result<()> {
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let framework_file =
        std::fs::canonicalize(crate::bundled::resolve(framework_path)).unwrap_or_else(|_| framework_path.to_path_buf());
    let name = format!("{}（从“{}”读出）", audit.title, audit.name).replace('"', "'");
    let toml = format!(
        "# Figures read back from a published report by `nianbao audit`.\n[dataset]\nname = \"{name}\"\nframework = \"{}\"\nsample = false\nsource = \"{}\"\n",
        framework_file.display().to_string().replace('\\', "/"),
        audit.name.replace('"', "'")
    );
    std::fs::write(folder.join("dataset.toml"), toml)?;
    std::fs::write(folder.join("orgs.csv"), nianbao_io::orgs_csv(&audit.rebuilt.dataset))?;
    std::fs::write(folder.join("values.csv"), nianbao_io::values_csv(framework, &audit.rebuilt.dataset))?;
    eprintln!("dataset written to {}", folder.display());
    Ok(())
}
