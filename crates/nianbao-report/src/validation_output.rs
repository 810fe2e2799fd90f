//! Validation findings for people (text grouped by table, Chinese or English) and for programs (JSON).

use nianbao_core::Framework;
use nianbao_core::Severity;
use nianbao_core::validation::{Finding, FindingStatus, RuleSource, Summary, group_by_table};
use serde_json::{Value as Json, json};

/// Language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    pub fn from_name(name: &str) -> Option<Language> {
        match name {
            "zh" | "zh-CN" | "cn" => Some(Language::Chinese),
            "en" => Some(Language::English),
            _ => None,
        }
    }
}

fn severity_label(severity: Severity, language: Language) -> &'static str {
    match (severity, language) {
        (Severity::Error, Language::Chinese) => "错误",
        (Severity::Warning, Language::Chinese) => "警告",
        (Severity::Info, Language::Chinese) => "提示",
        (Severity::Error, Language::English) => "error",
        (Severity::Warning, Language::English) => "warning",
        (Severity::Info, Language::English) => "info",
    }
}

/// A findings report readable by a bureau clerk: a summary line, then findings grouped by table
/// (cross-table rules last), each with its message, rule and the cells involved.
pub fn text(
    framework: &Framework,
    title: &str,
    findings: &[Finding],
    summary: &Summary,
    rule_count: usize,
    language: Language,
) -> String {
    let mut out = String::new();
    match language {
        Language::Chinese => out.push_str(&format!(
            "{title}：{} 个错误，{} 个警告，{} 条提示（规则 {rule_count} 条；检查 {} 次，通过 {} 次，因缺少数据跳过 {} 次）\n",
            summary.errors, summary.warnings, summary.infos, summary.evaluated, summary.passed, summary.skipped
        )),
        Language::English => out.push_str(&format!(
            "{title}: {} error(s), {} warning(s), {} info ({rule_count} rules; {} checks, {} passed, {} skipped for missing data)\n",
            summary.errors, summary.warnings, summary.infos, summary.evaluated, summary.passed, summary.skipped
        )),
    }
    for (table, group) in group_by_table(framework, findings) {
        let heading = match table {
            Some(t) => {
                let table = &framework.tables[t];
                let caption = table.caption.replace("{year} 年", "").replace("{year}年", "").replace("{org}", "");
                match (&table.number, language) {
                    (Some(number), Language::Chinese) => format!("{number} {caption}"),
                    (Some(number), Language::English) => {
                        format!("{number} {}", table.caption_en.replace(", {year}", ""))
                    }
                    (None, Language::Chinese) => caption,
                    (None, Language::English) => table.caption_en.clone(),
                }
            }
            None => match language {
                Language::Chinese => "跨表核对".to_string(),
                Language::English => "Across tables".to_string(),
            },
        };
        out.push_str(&format!("\n{heading}\n"));
        let mut sorted = group;
        sorted.sort_by_key(|f| (f.severity, f.org_id.clone()));
        for finding in &sorted {
            let message = match language {
                Language::Chinese => &finding.message_zh,
                Language::English => &finding.message_en,
            };
            let place = match language {
                Language::Chinese => format!("{}（{}）", finding.org_name, finding.year),
                Language::English => format!("{} ({}): ", finding.org_name_en, finding.year),
            };
            out.push_str(&format!("  {}  {place}{message}\n", severity_label(finding.severity, language)));
            let (rule_word, cells_word) = match language {
                Language::Chinese => ("规则", "单元格"),
                Language::English => ("rule", "cells"),
            };
            out.push_str(&format!("        {rule_word} {}: {}\n", finding.rule_id, finding.rule_text));
            let cells: Vec<String> = finding
                .cells
                .iter()
                .map(|cell| {
                    let table = cell.table_number.clone().unwrap_or_else(|| cell.table_caption.clone());
                    let value =
                        if cell.value_text.is_empty() { "（空）".to_string() } else { cell.value_text.clone() };
                    match language {
                        Language::Chinese => {
                            format!("{table}「{}」{} {} 年 = {value}", cell.label, cell.unit, cell.year)
                        }
                        Language::English => {
                            format!("{table} “{}” ({}) {} = {value}", cell.label, cell.unit, cell.year)
                        }
                    }
                })
                .collect();
            out.push_str(&format!("        {cells_word}: {}\n", cells.join("；")));
        }
    }
    out
}

fn source_name(source: RuleSource) -> String {
    match source {
        RuleSource::Derived(kind) => format!("derived:{}", kind.name()),
        RuleSource::Declared => "declared".into(),
        RuleSource::YearOverYear => "year_over_year".into(),
    }
}

/// Findings as JSON with a summary; decimals are strings so that nothing is rounded.
pub fn json(findings: &[Finding], summary: &Summary, rule_count: usize) -> Json {
    let items: Vec<Json> = findings
        .iter()
        .map(|finding| {
            json!({
                "rule": finding.rule_id,
                "rule_text": finding.rule_text,
                "source": source_name(finding.source),
                "severity": finding.severity.as_str(),
                "status": match &finding.status { FindingStatus::Failed => "failed".to_string(), FindingStatus::NotEvaluable(reason) => format!("not_evaluable: {}", reason.reason_en()) },
                "message": finding.message_zh,
                "message_en": finding.message_en,
                "org": finding.org_id,
                "org_name": finding.org_name,
                "year": finding.year,
                "left": finding.left.map(|d| d.normalize().to_string()),
                "right": finding.right.map(|d| d.normalize().to_string()),
                "cells": finding.cells.iter().map(|cell| json!({
                    "table": cell.table_id,
                    "table_number": cell.table_number,
                    "table_caption": cell.table_caption,
                    "indicator": cell.indicator_id,
                    "label": cell.label,
                    "unit": cell.unit,
                    "year": cell.year,
                    "value": if cell.value.is_missing() { Json::Null } else { Json::String(cell.value.to_storage_string()) },
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "summary": {
            "rules": rule_count,
            "checks": summary.evaluated,
            "passed": summary.passed,
            "skipped": summary.skipped,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
        },
        "findings": items,
    })
}
