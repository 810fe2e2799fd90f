//! An audit for people (text in Chinese or English; a self-contained HTML page) and for programs
//! (JSON): a summary table of every document, then each document's findings at their places.

use crate::DocumentAudit;
use crate::problem::{AuditFinding, place_text};
use nianbao_core::Severity;
use serde_json::{Value as Json, json};

fn severity_text(severity: Severity, english: bool) -> &'static str {
    match (severity, english) {
        (Severity::Error, false) => "错误",
        (Severity::Warning, false) => "警告",
        (Severity::Info, false) => "提示",
        (Severity::Error, true) => "error",
        (Severity::Warning, true) => "warning",
        (Severity::Info, true) => "info",
    }
}

fn place_of(audit: &DocumentAudit, finding: &AuditFinding, english: bool) -> String {
    match &finding.place {
        Some(place) => {
            let printed = place.page.and_then(|p| audit.structure.printed_page(p));
            place_text(place, printed, english)
        }
        None => (if english { "whole document" } else { "全文" }).to_string(),
    }
}

/// Findings in order: errors first, each kind in document order.
fn ordered(audit: &DocumentAudit) -> Vec<&AuditFinding> {
    let mut findings: Vec<&AuditFinding> = audit.findings.iter().collect();
    findings.sort_by_key(|f| (f.severity, f.place.as_ref().map(|p| (p.page, p.line))));
    findings
}

/// The audit as text.
pub fn text(audits: &[DocumentAudit], english: bool) -> String {
    let mut out = String::new();
    if english {
        out.push_str("Audit of published reports\n\n");
        out.push_str("file\tunit\tyear\tvalues read\terrors\twarnings\n");
    } else {
        out.push_str("质量年报审查结果\n\n");
        out.push_str("文件\t单位\t年度\t读出数值\t错误\t警告\n");
    }
    for audit in audits {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            audit.name,
            audit.org_name,
            audit.year,
            audit.values_rebuilt(),
            audit.errors(),
            audit.warnings()
        ));
    }
    for audit in audits {
        out.push('\n');
        if english {
            out.push_str(&format!(
                "== {} ({}): {} error(s), {} warning(s)\n",
                audit.name,
                audit.kind.name(),
                audit.errors(),
                audit.warnings()
            ));
        } else {
            out.push_str(&format!(
                "== {}（{}）：错误 {} 个，警告 {} 个\n",
                audit.name,
                audit.kind.name(),
                audit.errors(),
                audit.warnings()
            ));
        }
        if audit.findings.is_empty() {
            out.push_str(if english { "No problems found.\n" } else { "未发现问题。\n" });
        }
        for finding in ordered(audit) {
            out.push_str(&format!(
                "{}\t{}\t{}\n",
                severity_text(finding.severity, english),
                place_of(audit, finding, english),
                finding.problem.message(english)
            ));
        }
    }
    out
}

/// The audit as JSON.
pub fn json(audits: &[DocumentAudit]) -> Json {
    json!({
        "documents": audits.iter().map(|audit| json!({
            "file": audit.name,
            "kind": audit.kind.name(),
            "title": audit.title,
            "org": audit.org_name,
            "level": audit.level.name(),
            "year": audit.year,
            "values_read": audit.values_rebuilt(),
            "errors": audit.errors(),
            "warnings": audit.warnings(),
            "findings": ordered(audit).iter().map(|f| json!({
                "severity": f.severity.as_str(),
                "kind": f.problem.code(),
                "page": f.place.as_ref().and_then(|p| p.page),
                "printed_page": f.place.as_ref().and_then(|p| p.page).and_then(|p| audit.structure.printed_page(p)),
                "line": f.place.as_ref().map(|p| p.line),
                "message_zh": f.problem.message_zh(),
                "message": f.problem.message_en(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The audit as one self-contained HTML page.
pub fn html(audits: &[DocumentAudit], english: bool) -> String {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let body =
        format!("<h1>{}</h1>\n{}", t("质量年报审查结果", "Audit of published reports"), html_fragment(audits, english));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>\
body{{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:1.5rem;line-height:1.5;color:#1b1f24}}\
table{{border-collapse:collapse;margin:.8rem 0;width:100%}}th,td{{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}}\
td.n{{text-align:right;font-variant-numeric:tabular-nums}}tr.error td:first-child,td.error{{color:#b3261e;font-weight:bold}}\
tr.warning td:first-child,td.warning{{color:#8a5a00}}.ok{{color:#1e6b32}}@media (max-width:600px){{table{{font-size:.85rem}}}}\
</style></head><body>\n{body}</body></html>\n",
        if english { "en" } else { "zh-CN" },
        t("质量年报审查结果", "Audit of published reports")
    )
}

/// The summary table and each document's findings, as an HTML fragment (for a page of the app).
pub fn html_fragment(audits: &[DocumentAudit], english: bool) -> String {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let mut body = String::new();
    body.push_str("<table class=\"summary audit-summary\"><thead><tr>");
    for header in [
        t("文件", "File"),
        t("单位", "Unit"),
        t("年度", "Year"),
        t("读出数值", "Values read"),
        t("错误", "Errors"),
        t("警告", "Warnings"),
    ] {
        body.push_str(&format!("<th>{header}</th>"));
    }
    body.push_str("</tr></thead><tbody>\n");
    for (n, audit) in audits.iter().enumerate() {
        body.push_str(&format!(
            "<tr><td><a href=\"#doc-{n}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n error\">{}</td><td class=\"n warning\">{}</td></tr>\n",
            escape(&audit.name),
            escape(&audit.org_name),
            audit.year,
            audit.values_rebuilt(),
            audit.errors(),
            audit.warnings()
        ));
    }
    body.push_str("</tbody></table>\n");
    for (n, audit) in audits.iter().enumerate() {
        body.push_str(&format!(
            "<section id=\"doc-{n}\"><h2>{}（{}）</h2>\n",
            escape(&audit.name),
            escape(&audit.title)
        ));
        if audit.findings.is_empty() {
            body.push_str(&format!("<p class=\"ok\">{}</p>", t("未发现问题。", "No problems found.")));
        } else {
            body.push_str(&format!(
                "<table class=\"findings audit-findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                t("级别", "Severity"),
                t("位置", "Place"),
                t("问题", "Problem")
            ));
            for finding in ordered(audit) {
                body.push_str(&format!(
                    "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    finding.severity.as_str(),
                    severity_text(finding.severity, english),
                    escape(&place_of(audit, finding, english)),
                    escape(&finding.problem.message(english))
                ));
            }
            body.push_str("</tbody></table>\n");
        }
        body.push_str("</section>\n");
    }
    body
}
