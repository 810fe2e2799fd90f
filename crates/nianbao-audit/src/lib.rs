//! nianbao-audit: reads a published quality report it did not make (PDF, DOCX, text, Markdown),
//! rebuilds its data against the framework, and finds what does not add up — catalogues against
//! the body, numbering, the national outline, caption years, the framework's rules, the text's
//! numbers and arithmetic, presentation — each at its place in the document.

pub mod checks;
pub mod output;
pub mod problem;
pub mod rebuild;
pub mod structure;

use nianbao_core::{Framework, OrgLevel, Severity};
use nianbao_io::printed::PrintedDocument;

/// The audit of one document.
#[derive(Debug)]
pub struct DocumentAudit {
    pub name: String,
    pub kind: nianbao_io::printed::DocumentKind,
    pub title: String,
    pub org_name: String,
    pub level: OrgLevel,
    pub year: i32,
    pub structure: structure::Structure,
    pub rebuilt: rebuild::Rebuilt,
    pub findings: Vec<problem::AuditFinding>,
}

impl DocumentAudit {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
    /// How many printed values were matched to the framework's indicators.
    pub fn values_rebuilt(&self) -> usize {
        self.rebuilt.printed.values().map(Vec::len).sum()
    }
}

/// Audits one document against a framework.
pub fn audit_document(framework: &Framework, document: &PrintedDocument) -> DocumentAudit {
    let mut units: Vec<&str> =
        framework.indicators.iter().map(|i| i.printed_unit()).filter(|u| !u.is_empty()).collect();
    units.sort_unstable();
    units.dedup();
    let structure = structure::read_structure(document, &units);
    let rebuilt = rebuild::rebuild(framework, &structure);
    let findings = checks::run_checks(framework, &structure, &rebuilt);
    let unit = &rebuilt.dataset.orgs[rebuilt.org];
    DocumentAudit {
        name: document.name.clone(),
        kind: document.kind,
        title: structure.title.clone(),
        org_name: unit.name.clone(),
        level: unit.level,
        year: rebuilt.report_year,
        findings,
        structure,
        rebuilt,
    }
}
