//! Variants of a report with one inconsistency planted in each: the audit finds each at its
//! place, and nothing else new. The base is nianbao's own Markdown of the Ganzhou 2024 report.

use crate::*;
use nianbao_core::Severity;
use nianbao_io::printed::DocumentKind;

/// A planted inconsistency: edits to the base text, the kinds of finding it must add (in any
/// order), and the text of the line each is expected at.
struct Plant {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    expected: &'static [(&'static str, Severity, &'static str)],
}

const PLANTS: &[Plant] = &[
    Plant {
        name: "a case titled differently in the list of cases",
        edits: &[("- [案例 15 红色资源融入课程思政]", "- [案例 15 红色资源融入思政课程]")],
        expected: &[("catalogue_title", Severity::Error, "- [案例 15 红色资源融入思政课程]")],
    },
    Plant {
        name: "a table captioned with the year before its figures",
        edits: &[("表 2 2024 年赣州市", "表 2 2023 年赣州市")],
        expected: &[("caption_year", Severity::Error, "**表 2 2023 年赣州市")],
    },
    Plant {
        name: "a table captioned with a year none of its columns is",
        edits: &[
            ("**附表 1 人才培养质量计分卡**", "**附表 1 2022 年人才培养质量计分卡**"),
            ("- [附表 1 人才培养质量计分卡]", "- [附表 1 2022 年人才培养质量计分卡]"),
        ],
        expected: &[("caption_year", Severity::Error, "**附表 1 2022 年人才培养质量计分卡**")],
    },
    Plant {
        name: "one row printed with different decimals",
        edits: &[("| 月收入 | 元 | 3379.00 | 3418.00 |", "| 月收入 | 元 | 3379 | 3418.00 |")],
        expected: &[("inconsistent_decimals", Severity::Warning, "| 月收入 | 元 | 3379 |")],
    },
    Plant {
        name: "a number in the text that the table does not support",
        edits: &[("全市中职在校生 116392 人", "全市中职在校生 116932 人")],
        expected: &[("text_number", Severity::Warning, "全市中职在校生 116932 人")],
    },
    Plant {
        name: "a difference stated in the text that its operands do not give",
        edits: &[(
            "全市中职在校生 116392 人，比上年减少了 7238 人",
            "全市中职在校生 116392 人，比 2023 年（123630 人）减少了 7283 人",
        )],
        expected: &[("text_arithmetic", Severity::Warning, "减少了 7283 人")],
    },
    Plant {
        name: "a percentage above 100",
        edits: &[("| 在校生满意度 | % | 89.24 |", "| 在校生满意度 | % | 100.24 |")],
        expected: &[("percentage_over_100", Severity::Error, "| 在校生满意度 | % | 100.24 |")],
    },
    Plant {
        name: "a gap in the numbering of cases",
        edits: &[("案例 15 红色资源融入课程思政", "案例 16 红色资源融入课程思政")],
        expected: &[("numbering_gap", Severity::Error, "# 案例 16 红色资源融入课程思政")],
    },
    Plant {
        name: "a chapter of the national outline left out",
        edits: &[("5. 国际合作", "5. 对外往来")],
        expected: &[("chapter_missing", Severity::Error, "")],
    },
    Plant {
        name: "a sub-item that no longer adds up to its total",
        edits: &[("| 6523 | 5984 | 5065 |", "| 6523 | 5984 | 5165 |")],
        expected: &[
            ("rule", Severity::Error, "| 6523 | 5984 | 5165 |"),
            ("rule", Severity::Error, "| 6523 | 5984 | 5165 |"),
        ],
    },
];

/// (kind, severity, message) of every finding.
fn keyed(audit: &DocumentAudit) -> Vec<(String, Severity, String, Option<usize>)> {
    audit
        .findings
        .iter()
        .map(|f| (f.problem.code().to_string(), f.severity, f.problem.message_zh(), f.place.as_ref().map(|p| p.line)))
        .collect()
}

#[test]
fn each_planted_inconsistency_is_found_at_its_place_and_nothing_else() {
    let base_text = ganzhou_markdown();
    let base = keyed(&audit("base.md", DocumentKind::Markdown, base_text.as_bytes()));
    let base_messages: Vec<(String, String)> =
        base.iter().map(|(code, _, message, _)| (code.clone(), message.clone())).collect();
    for plant in PLANTS {
        let mut text = base_text.to_string();
        for (from, to) in plant.edits {
            assert!(text.contains(from), "{}: the base lacks {from:?}", plant.name);
            text = text.replace(from, to);
        }
        let findings = keyed(&audit("variant.md", DocumentKind::Markdown, text.as_bytes()));
        let new: Vec<&(String, Severity, String, Option<usize>)> = findings
            .iter()
            .filter(|(code, _, message, _)| !base_messages.contains(&(code.clone(), message.clone())))
            .collect();
        let mut codes: Vec<&str> = new.iter().map(|f| f.0.as_str()).collect();
        codes.sort_unstable();
        let mut expected: Vec<&str> = plant.expected.iter().map(|e| e.0).collect();
        expected.sort_unstable();
        assert_eq!(codes, expected, "{}: new findings {new:#?}", plant.name);
        for (code, severity, line_text) in plant.expected {
            let found = new.iter().find(|f| f.0 == *code).expect("found");
            assert_eq!(found.1, *severity, "{}: {found:?}", plant.name);
            if line_text.is_empty() {
                assert_eq!(found.3, None, "{}: a whole-document finding", plant.name);
                continue;
            }
            let line = text.lines().position(|l| l.contains(line_text)).expect("the planted line") + 1;
            assert_eq!(found.3, Some(line), "{}: at the planted line: {found:?}", plant.name);
        }
    }
}

/// The base itself: nothing but what the published figures carry.
#[test]
fn the_base_has_no_document_level_finding() {
    let base = audit("base.md", DocumentKind::Markdown, ganzhou_markdown().as_bytes());
    let document_level: Vec<String> =
        base.findings.iter().filter(|f| f.problem.code() != "rule").map(|f| f.problem.message_zh()).collect();
    assert!(document_level.is_empty(), "{document_level:#?}");
}
