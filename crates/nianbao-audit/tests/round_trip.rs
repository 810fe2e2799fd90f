//! nianbao's own report, audited in each format it writes: every figure is read back as it was
//! printed, the document-level checks find nothing, and the framework's rules find exactly what
//! the validator finds in the same figures.

use crate::*;
use nianbao_audit::problem::AuditProblem;
use nianbao_core::validation::{FindingStatus, RuleSet, Summary};
use nianbao_io::printed::DocumentKind;
use std::collections::BTreeSet;

/// What the validator says of the published figures themselves (failed rules of 2024).
fn validator_rules() -> BTreeSet<String> {
    let loaded = loaded();
    let org = loaded.dataset.org_index("ganzhou").expect("city");
    let mut summary = Summary::default();
    RuleSet::for_framework(&loaded.framework)
        .evaluate(&loaded.framework, &loaded.dataset, org, 2024, &mut summary)
        .into_iter()
        .filter(|f| f.status == FindingStatus::Failed)
        .map(|f| f.rule_id)
        .collect()
}

fn check_round_trip(name: &str, kind: DocumentKind, bytes: &[u8]) {
    check_round_trip_paged_elsewhere(name, kind, bytes, false)
}

/// `paged_elsewhere`: the document was paginated by another program than the one whose pages its
/// catalogues cache (LibreOffice's layout of the DOCX, whose TOC fields cache the PDF's pages and
/// which LibreOffice shows until its indexes are updated): a catalogue's page may then be off, by
/// at most two pages; every other check must hold.
fn check_round_trip_paged_elsewhere(name: &str, kind: DocumentKind, bytes: &[u8], paged_elsewhere: bool) {
    let audit = audit(name, kind, bytes);
    assert_eq!(audit.org_name, "赣州市", "{name}");
    assert_eq!(audit.year, 2024, "{name}");
    // No document-level finding: catalogues, numbering, outline, captions, text and presentation
    // hold in nianbao's own output.
    let off_by = |listed: usize, printed: usize| listed.abs_diff(printed);
    let document_level: Vec<String> = audit
        .findings
        .iter()
        .filter(|f| !matches!(f.problem, AuditProblem::Rule { .. }))
        .filter(|f| {
            !(paged_elsewhere
                && matches!(f.problem, AuditProblem::CataloguePage { listed, printed, .. } if off_by(listed as usize, printed as usize) <= 2))
        })
        .map(|f| format!("{:?} {}", f.place, f.problem.message_zh()))
        .collect();
    assert!(document_level.is_empty(), "{name}: {document_level:#?}");
    // The rules find what the validator finds in the same figures.
    let rules: BTreeSet<String> = audit
        .findings
        .iter()
        .filter_map(|f| match &f.problem {
            AuditProblem::Rule { rule, .. } => Some(rule.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(rules, validator_rules(), "{name}");
    // Every figure printed in a table is read back as stored.
    let loaded = loaded();
    let org = loaded.dataset.org_index("ganzhou").expect("city");
    let mut compared = 0;
    for ((index, year), printed) in &audit.rebuilt.printed {
        for value in printed {
            let stored = loaded.dataset.get(org, *year, *index);
            let expected = if stored.is_missing() {
                // A copy prints its primary's figure.
                match loaded.framework.indicator(*index).same_as {
                    Some(primary) => loaded.dataset.get(org, *year, primary).clone(),
                    None => stored.clone(),
                }
            } else {
                stored.clone()
            };
            assert_eq!(
                value.value,
                expected,
                "{name}: {} {year} printed {:?}",
                loaded.framework.indicator(*index).id,
                value.text
            );
            compared += 1;
        }
    }
    assert!(compared >= 280, "{name}: only {compared} figures read back");
}

#[test]
fn markdown_reads_back_clean() {
    check_round_trip("ganzhou-2024.md", DocumentKind::Markdown, ganzhou_markdown().as_bytes());
}

#[test]
fn docx_reads_back_clean() {
    let docx = nianbao_report::render::docx::docx(&ganzhou_report(), &Default::default()).expect("docx");
    check_round_trip("ganzhou-2024.docx", DocumentKind::Docx, &docx);
}

/// Needs Poppler's pdftotext (Debian poppler-utils, installed by scripts/test.sh): without it the
/// test fails, naming it.
#[test]
fn pdf_reads_back_clean_with_its_page_numbers() {
    let pdf = nianbao_report::render::pdf::pdf(&ganzhou_report(), &Default::default()).expect("pdf");
    check_round_trip("ganzhou-2024.pdf", DocumentKind::Pdf, &pdf);
    // The catalogues were read with their page numbers, and every one was checked against the
    // page its item is printed on (a wrong one would be a finding above).
    let audit = audit("ganzhou-2024.pdf", DocumentKind::Pdf, &pdf);
    // A table that runs onto the next page says so there, above its repeated header; a table that
    // does not, does not (its caption stays with it).
    let document = read_printed("ganzhou-2024.pdf", DocumentKind::Pdf, &pdf).expect("read");
    let continued: Vec<&str> =
        document.lines.iter().map(|l| l.text.as_str()).filter(|t| t.starts_with("续表（")).collect();
    assert!(continued.contains(&"续表（附表 3 教学资源表）"), "{continued:?}");
    assert!(!continued.iter().any(|t| t.starts_with("续表（表 1")), "表 1 fits on one page: {continued:?}");
    let listed = audit.structure.catalogue.iter().filter(|e| e.page.is_some()).count();
    assert!(listed >= 60, "catalogue entries with pages: {listed}");
    assert!(audit.structure.page_numbers.iter().filter(|p| p.is_some()).count() >= 20, "printed page numbers read");
}

/// A PDF made by another program: LibreOffice's export of nianbao's DOCX (its own layout, wrapped
/// units and labels, tables broken over pages). Needs `soffice` (Debian libreoffice-writer-nogui,
/// installed by scripts/test.sh): without it the test fails, naming it.
#[test]
fn a_pdf_made_by_libreoffice_reads_back_clean() {
    let docx = nianbao_report::render::docx::docx(&ganzhou_report(), &Default::default()).expect("docx");
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("ganzhou-2024.docx");
    std::fs::write(&input, &docx).expect("write");
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let status = std::process::Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .expect("soffice (LibreOffice) must be installed: apt-get install libreoffice-writer-nogui");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let pdf = std::fs::read(dir.path().join("ganzhou-2024.pdf")).expect("LibreOffice wrote the PDF");
    check_round_trip_paged_elsewhere("ganzhou-2024-libreoffice.pdf", DocumentKind::Pdf, &pdf, true);
}
