//! The checks of an audit: catalogues against the body, numbering, the national outline, caption
//! years, the framework's rules on the rebuilt data, the text's numbers and arithmetic against
//! the tables, and presentation. Severity follows certainty: a structural contradiction is an
//! error; what rests on reading a sentence or a definition is a warning.

use crate::problem::{AuditFinding, AuditProblem};
use crate::rebuild::{PrintedValue, RebuildProblem, Rebuilt};
use crate::structure::{CaptionKind, CatalogueKind, Place, Structure, compact, normalised_title};
use nianbao_core::validation::{FindingStatus, RuleSet, Summary};
use nianbao_core::{Framework, IndicatorIndex, Kind, Severity, Value};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The chapters the national outline of 中职 quality reports asks of every level, each with the
/// words that may name it.
pub const OUTLINE: [(&str, &[&str]); 8] = [
    ("基本情况", &["基本情况", "学校情况", "办学基本情况"]),
    ("人才培养", &["人才培养", "学生发展"]),
    ("服务贡献", &["服务贡献", "服务发展"]),
    ("文化传承", &["文化传承"]),
    ("国际合作", &["国际合作", "国际影响", "国际交流"]),
    ("产教融合", &["产教融合", "校企合作"]),
    ("发展保障", &["发展保障", "政策落实", "落实政策"]),
    ("面临挑战", &["面临挑战", "挑战"]),
];

fn finding(severity: Severity, place: Option<Place>, problem: AuditProblem) -> AuditFinding {
    AuditFinding { severity, place, problem }
}

/// Every check, in the order of the report's parts.
pub fn run_checks(framework: &Framework, structure: &Structure, rebuilt: &Rebuilt) -> Vec<AuditFinding> {
    let mut findings = Vec::new();
    catalogues(structure, &mut findings);
    numbering(structure, &mut findings);
    outline(structure, &mut findings);
    rebuild_problems(rebuilt, &mut findings);
    rules(framework, rebuilt, &mut findings);
    presentation(framework, rebuilt, &mut findings);
    text_numbers(framework, structure, rebuilt, &mut findings);
    text_arithmetic(structure, &mut findings);
    findings
}

/// The printed page number of a physical page: the one printed on it, else counted from the
/// nearest page that prints one.
fn printed_number(structure: &Structure, physical: u32) -> Option<u32> {
    if let Some(number) = structure.printed_page(physical) {
        return Some(number);
    }
    let pages = structure.page_numbers.len() as u32;
    (1..=pages)
        .filter_map(|p| structure.printed_page(p).map(|n| (p, n)))
        .min_by_key(|(p, _)| p.abs_diff(physical))
        .and_then(|(p, n)| {
            let number = i64::from(n) + i64::from(physical) - i64::from(p);
            u32::try_from(number).ok().filter(|n| *n > 0)
        })
}

/// One item of the body a catalogue can list: (its key, its text as printed, where).
struct BodyItem {
    key: String,
    title: String,
    shown: String,
    place: Place,
}

fn body_items(structure: &Structure, catalogue: CatalogueKind) -> Vec<BodyItem> {
    match catalogue {
        CatalogueKind::Contents => structure
            .headings
            .iter()
            .map(|h| BodyItem {
                key: h.number.clone().unwrap_or_else(|| normalised_title(&h.title)),
                title: h.title.clone(),
                shown: match &h.number {
                    Some(number) if h.level == 1 => format!("{number}. {}", h.title),
                    Some(number) => format!("{number} {}", h.title),
                    None => h.title.clone(),
                },
                place: h.place.clone(),
            })
            .collect(),
        kind => structure
            .captions
            .iter()
            .filter(|c| c.kind.catalogue() == kind)
            .map(|c| BodyItem {
                key: format!("{}{}", c.kind.prefix(), c.number),
                title: c.title.clone(),
                shown: format!("{} {} {}", c.kind.prefix(), c.number, c.title),
                place: c.place.clone(),
            })
            .collect(),
    }
}

fn catalogues(structure: &Structure, findings: &mut Vec<AuditFinding>) {
    for kind in [CatalogueKind::Contents, CatalogueKind::Tables, CatalogueKind::Figures, CatalogueKind::Cases] {
        if !structure.catalogues_printed.contains(&kind) {
            continue;
        }
        let body = body_items(structure, kind);
        let entries: Vec<_> = structure.catalogue.iter().filter(|e| e.catalogue == kind).collect();
        let mut used = vec![false; body.len()];
        let mut last_position: Option<usize> = None;
        for entry in &entries {
            let key = match entry.caption {
                Some((caption_kind, number)) => format!("{}{number}", caption_kind.prefix()),
                None => crate::structure::parse_heading(&entry.text)
                    .and_then(|(_, number, _)| number)
                    .unwrap_or_else(|| normalised_title(&entry.title)),
            };
            let Some(position) = body.iter().enumerate().position(|(i, item)| !used[i] && item.key == key) else {
                findings.push(finding(
                    Severity::Error,
                    Some(entry.place.clone()),
                    AuditProblem::CatalogueEntryNotInBody { catalogue: kind, entry: entry.text.clone() },
                ));
                continue;
            };
            used[position] = true;
            let item = &body[position];
            if normalised_title(&item.title) != normalised_title(&entry.title) {
                findings.push(finding(
                    Severity::Error,
                    Some(entry.place.clone()),
                    AuditProblem::CatalogueTitleDiffers {
                        catalogue: kind,
                        entry: entry.text.clone(),
                        body: item.shown.clone(),
                    },
                ));
            }
            if last_position.is_some_and(|last| position < last) {
                findings.push(finding(
                    Severity::Warning,
                    Some(entry.place.clone()),
                    AuditProblem::CatalogueOrder { catalogue: kind, entry: entry.text.clone() },
                ));
            }
            last_position = Some(position);
            if let (Some(listed), Some(physical)) = (entry.page, item.place.page)
                && let Some(printed) = printed_number(structure, physical)
                && printed != listed
            {
                findings.push(finding(
                    Severity::Error,
                    Some(entry.place.clone()),
                    AuditProblem::CataloguePage { catalogue: kind, entry: entry.text.clone(), listed, printed },
                ));
            }
        }
        if entries.is_empty() {
            continue;
        }
        for (item, used) in body.iter().zip(&used) {
            // Unnumbered headings (前言, 附表) need not be listed.
            if !used && (kind != CatalogueKind::Contents || item.key.chars().next().is_some_and(|c| c.is_ascii_digit()))
            {
                findings.push(finding(
                    Severity::Error,
                    Some(item.place.clone()),
                    AuditProblem::MissingFromCatalogue { catalogue: kind, body: item.shown.clone() },
                ));
            }
        }
    }
}

fn numbering(structure: &Structure, findings: &mut Vec<AuditFinding>) {
    for kind in [CaptionKind::Table, CaptionKind::AppendixTable, CaptionKind::Figure, CaptionKind::Case] {
        let mut expected = 1;
        let mut seen = Vec::new();
        for caption in structure.captions.iter().filter(|c| c.kind == kind) {
            if seen.contains(&caption.number) {
                findings.push(finding(
                    Severity::Error,
                    Some(caption.place.clone()),
                    AuditProblem::NumberingDuplicate { kind, number: caption.number },
                ));
                continue;
            }
            seen.push(caption.number);
            if caption.number != expected {
                findings.push(finding(
                    Severity::Error,
                    Some(caption.place.clone()),
                    AuditProblem::NumberingGap { kind, expected, found: caption.number },
                ));
            }
            expected = caption.number + 1;
        }
    }
}

fn outline(structure: &Structure, findings: &mut Vec<AuditFinding>) {
    if structure.headings.is_empty() {
        return;
    }
    for (chapter, words) in OUTLINE {
        let present = structure
            .headings
            .iter()
            .filter(|h| h.level == 1)
            .any(|h| words.iter().any(|w| compact(&h.title).contains(w)));
        if !present {
            findings.push(finding(
                Severity::Error,
                None,
                AuditProblem::ChapterMissing { chapter: chapter.to_string() },
            ));
        }
    }
}

fn rebuild_problems(rebuilt: &Rebuilt, findings: &mut Vec<AuditFinding>) {
    for problem in &rebuilt.problems {
        findings.push(match problem {
            RebuildProblem::CaptionYear { table, caption_year, figures_year, evidence, place } => finding(
                Severity::Error,
                Some(place.clone()),
                AuditProblem::CaptionYear {
                    table: table.clone(),
                    caption_year: *caption_year,
                    figures_year: *figures_year,
                    evidence: evidence.clone(),
                },
            ),
            RebuildProblem::UnknownTable { caption, place } => {
                finding(Severity::Warning, Some(place.clone()), AuditProblem::UnknownTable { caption: caption.clone() })
            }
            RebuildProblem::ComparisonSum { table, column, sum, total, place } => finding(
                Severity::Error,
                Some(place.clone()),
                AuditProblem::ComparisonSum {
                    table: table.clone(),
                    column: column.clone(),
                    sum: sum.clone(),
                    total: total.clone(),
                },
            ),
            RebuildProblem::UnknownRow { table, label, place } => finding(
                Severity::Warning,
                Some(place.clone()),
                AuditProblem::UnknownRow { table: table.clone(), label: label.clone() },
            ),
            RebuildProblem::UnreadableValue { table, label, text, place } => finding(
                Severity::Error,
                Some(place.clone()),
                AuditProblem::UnreadableValue { table: table.clone(), label: label.clone(), text: text.clone() },
            ),
        });
    }
}

/// Every rule of the framework on the rebuilt data of the report's year (rules that cannot be
/// evaluated for want of a figure the report does not print are not findings).
fn rules(framework: &Framework, rebuilt: &Rebuilt, findings: &mut Vec<AuditFinding>) {
    let rules = RuleSet::for_framework(framework);
    let mut summary = Summary::default();
    for result in rules.evaluate(framework, &rebuilt.dataset, rebuilt.org, rebuilt.report_year, &mut summary) {
        if result.status != FindingStatus::Failed {
            continue;
        }
        let place = result.cells.iter().find_map(|cell| {
            let index = framework.lookup(&cell.indicator_id)?;
            rebuilt.printed.get(&(index, cell.year))?.first().map(|p| p.place.clone())
        });
        // The cells as printed: the table's number and the row's label are the document's own
        // words in either language.
        let cells_in = |english: bool| {
            result
                .cells
                .iter()
                .map(|cell| {
                    let table = cell.table_number.clone().unwrap_or_else(|| cell.table_caption.clone());
                    let value = match (cell.value_text.is_empty(), english) {
                        (true, false) => "空",
                        (true, true) => "empty",
                        (false, _) => cell.value_text.as_str(),
                    };
                    if english {
                        format!("{table} {} {}: {value}", cell.label, cell.year)
                    } else {
                        format!("{table} {} {} 年 {value}", cell.label, cell.year)
                    }
                })
                .collect::<Vec<_>>()
                .join(if english { "; " } else { "；" })
        };
        let (cells_zh, cells_en) = (cells_in(false), cells_in(true));
        findings.push(finding(
            result.severity,
            place,
            AuditProblem::Rule {
                rule: result.rule_id.clone(),
                message_zh: result.message_zh,
                message_en: result.message_en,
                cells_zh,
                cells_en,
            },
        ));
    }
}

fn decimals_of(text: &str) -> Option<usize> {
    let text = text.trim().trim_end_matches('%');
    Decimal::from_str(&text.replace(',', "")).ok()?;
    Some(text.split_once('.').map_or(0, |(_, fraction)| fraction.len()))
}

fn presentation(framework: &Framework, rebuilt: &Rebuilt, findings: &mut Vec<AuditFinding>) {
    let mut keys: Vec<&(IndicatorIndex, i32)> = rebuilt.printed.keys().collect();
    keys.sort();
    // One quantity printed in two places (表 1 and a comparison's total row, a table repeated
    // in an appendix): the same value in both, whatever its decimals.
    for key in &keys {
        let printed = &rebuilt.printed[key];
        let Some(first) = printed.iter().find(|p| p.value.number().is_some()) else { continue };
        for other in printed.iter().filter(|p| p.value.number().is_some() && p.value.number() != first.value.number()) {
            findings.push(finding(
                Severity::Error,
                Some(other.place.clone()),
                AuditProblem::PrintedDifferently {
                    label: framework.indicator(key.0).label.clone(),
                    year: key.1,
                    first: format!("{} {}", first.table, first.text),
                    other: format!("{} {}", other.table, other.text),
                },
            ));
        }
    }
    for key in &keys {
        let indicator = framework.indicator(key.0);
        if indicator.kind != Kind::Percentage || indicator.allow_over_100 {
            continue;
        }
        for printed in &rebuilt.printed[key] {
            if let Value::Number(n) = printed.value
                && n > Decimal::ONE_HUNDRED
            {
                findings.push(finding(
                    Severity::Error,
                    Some(printed.place.clone()),
                    AuditProblem::PercentageOver100 {
                        table: printed.table.clone(),
                        label: printed.row_label.clone(),
                        year: key.1,
                        text: printed.text.clone(),
                    },
                ));
            }
        }
    }
    // One row's year columns: the same decimals (a value and “-” aside).
    let mut rows: Vec<(&PrintedValue, Vec<String>)> = Vec::new();
    for key in &keys {
        if framework.indicator(key.0).companion_of.is_some() || framework.indicator(key.0).kind == Kind::Text {
            continue;
        }
        for printed in &rebuilt.printed[key] {
            match rows
                .iter_mut()
                .find(|(first, _)| first.place == printed.place && first.row_label == printed.row_label)
            {
                Some((_, texts)) => texts.push(printed.text.clone()),
                None => rows.push((printed, vec![printed.text.clone()])),
            }
        }
    }
    rows.sort_by_key(|(first, _)| (first.place.page, first.place.line));
    for (first, texts) in rows {
        let decimals: Vec<usize> = texts.iter().filter_map(|t| decimals_of(t)).collect();
        if decimals.len() >= 2 && decimals.iter().any(|d| *d != decimals[0]) {
            findings.push(finding(
                Severity::Warning,
                Some(first.place.clone()),
                AuditProblem::InconsistentDecimals {
                    table: first.table.clone(),
                    label: first.row_label.clone(),
                    texts,
                },
            ));
        }
    }
}

/// A number in a sentence, with what follows it (its unit) and where it starts (in chars).
#[derive(Debug, Clone)]
struct TextNumber {
    value: Decimal,
    text: String,
    unit: String,
    start: usize,
    end: usize,
}

const UNITS: [&str; 16] = [
    "平方米",
    "万人次",
    "人次",
    "万人",
    "万元",
    "亿元",
    "学时",
    "课时",
    "人日",
    "人",
    "所",
    "元",
    "个",
    "门",
    "项",
    "%",
];

fn numbers_in(chars: &[char]) -> Vec<TextNumber> {
    let mut out = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if !chars[index].is_ascii_digit()
            || (index > 0 && (chars[index - 1].is_ascii_digit() || chars[index - 1] == '.'))
        {
            index += 1;
            continue;
        }
        let start = index;
        while index < chars.len()
            && (chars[index].is_ascii_digit()
                || (chars[index] == '.' && chars.get(index + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            index += 1;
        }
        let text: String = chars[start..index].iter().collect();
        let mut after = index;
        while after < chars.len() && chars[after] == ' ' {
            after += 1;
        }
        let rest: String = chars[after..chars.len().min(after + 4)].iter().collect();
        let unit = UNITS.iter().find(|u| rest.starts_with(*u)).map(|u| u.to_string()).unwrap_or_default();
        let end = if unit.is_empty() { index } else { after + unit.chars().count() };
        if let Ok(value) = Decimal::from_str(&text)
            && !rest.starts_with('年')
            && !rest.starts_with('月')
        {
            out.push(TextNumber { value, text, unit, start, end });
        }
        index = end.max(index);
    }
    out
}

/// The words a sentence may use for an indicator: its label without 其中, a leading
/// 中等职业学校/全日制 and a trailing 人数/数/总数.
fn keywords(label: &str) -> Vec<String> {
    // A parenthesised qualifier (“（校本部）”) is not said in running text.
    let label = match label.find(['（', '(']) {
        Some(open) => &label[..open],
        None => label,
    };
    let mut key = compact(label);
    for prefix in ["中等职业学校", "中职学校", "全日制"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            key = rest.to_string();
        }
    }
    let mut keys = vec![compact(label)];
    for suffix in ["总数", "人数", "数"] {
        if let Some(rest) = key.strip_suffix(suffix)
            && rest.chars().count() >= 2
        {
            keys.push(rest.to_string());
            break;
        }
    }
    if !keys.contains(&key) && key.chars().count() >= 2 {
        keys.push(key);
    }
    keys.retain(|k| k.chars().count() >= 2 && !k.contains('（') && !k.contains('('));
    keys
}

fn sentences(text: &str) -> Vec<String> {
    text.split(['。', '；', ';']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The value of an indicator for a year as the tables print it: its own, else a copy's or its
/// primary's.
fn table_value<'r>(
    framework: &Framework,
    rebuilt: &'r Rebuilt,
    index: IndicatorIndex,
    year: i32,
) -> Option<&'r PrintedValue> {
    let own = rebuilt.printed.get(&(index, year)).and_then(|v| v.first());
    own.or_else(|| {
        crate::rebuild::same_quantity(framework, index)
            .into_iter()
            .find_map(|other| rebuilt.printed.get(&(other, year)).and_then(|v| v.first()))
    })
}

/// Numbers stated in the narrative against the table figure of the same quantity: a figure named
/// by its label (or the label's core), followed within a few characters by a number in the
/// indicator's unit, for the year the sentence names (else the report's).
fn text_numbers(framework: &Framework, structure: &Structure, rebuilt: &Rebuilt, findings: &mut Vec<AuditFinding>) {
    let mut candidates: Vec<(String, IndicatorIndex)> = Vec::new();
    for (i, indicator) in framework.indicators.iter().enumerate() {
        if indicator.kind == Kind::Text || indicator.companion_of.is_some() {
            continue;
        }
        for key in keywords(&indicator.label) {
            candidates.push((key, IndicatorIndex(i)));
        }
    }
    // Longer words first: “专任教师” is not read inside “体育课专任教师”.
    candidates.sort_by_key(|(key, _)| std::cmp::Reverse(key.chars().count()));
    for paragraph in &structure.paragraphs {
        for sentence in sentences(&paragraph.text) {
            let chars: Vec<char> = sentence.chars().collect();
            let numbers = numbers_in(&chars);
            let mut claimed: Vec<(usize, usize)> = Vec::new();
            for number in &numbers {
                if number.unit.is_empty()
                    || number.unit == "%" && number.start > 0 && chars[..number.start].ends_with(&['占'])
                {
                    continue;
                }
                // The word right before the number (at most 8 characters between them).
                let window_start = number.start.saturating_sub(24);
                let before: String = chars[window_start..number.start].iter().collect();
                let mut best: Option<(usize, &str, Vec<IndicatorIndex>)> = None;
                for (key, index) in &candidates {
                    let unit = framework.indicator(*index).printed_unit();
                    if unit != number.unit && !(unit.starts_with(&number.unit) && unit.contains('/')) {
                        continue;
                    }
                    let Some(at) = before.rfind(key.as_str()) else { continue };
                    let at_chars = before[..at].chars().count();
                    let gap = before.chars().count() - at_chars - key.chars().count();
                    if gap > 8
                        || before[at + key.len()..]
                            .chars()
                            .any(|c| c.is_ascii_digit() || matches!(c, '，' | ',' | '、' | '（' | '('))
                    {
                        continue;
                    }
                    match &mut best {
                        Some((best_gap, best_key, indices)) if *best_gap == gap && *best_key == key.as_str() => {
                            indices.push(*index)
                        }
                        Some((best_gap, _, _)) if *best_gap <= gap => {}
                        _ => best = Some((gap, key.as_str(), vec![*index])),
                    }
                }
                let Some((_, key, indices)) = best else { continue };
                let start = number.start;
                if claimed.iter().any(|(s, e)| *s <= start && start < *e) {
                    continue;
                }
                claimed.push((number.start, number.end));
                // The year the sentence names last before the number, else the report's.
                let year = year_before(&chars[..number.start]).unwrap_or(rebuilt.report_year);
                let values: Vec<(IndicatorIndex, &PrintedValue)> =
                    indices.iter().filter_map(|&i| table_value(framework, rebuilt, i, year).map(|v| (i, v))).collect();
                if values.is_empty() {
                    continue;
                }
                let agrees = values.iter().any(|(_, printed)| match &printed.value {
                    Value::Number(n) => n.normalize() == number.value.normalize(),
                    _ => true,
                });
                if !agrees {
                    let (_, printed) = values[0];
                    let excerpt: String =
                        chars[window_start.max(number.start.saturating_sub(16))..number.end].iter().collect();
                    findings.push(finding(
                        Severity::Warning,
                        Some(paragraph.place.clone()),
                        AuditProblem::TextNumber {
                            quantity: key.to_string(),
                            stated: format!("{}{}", number.text, number.unit),
                            table_value: printed.text.clone(),
                            table: printed.table.clone(),
                            year,
                            excerpt,
                        },
                    ));
                }
            }
        }
    }
}

fn year_before(chars: &[char]) -> Option<i32> {
    let text: String = chars.iter().collect();
    let compacted = compact(&text);
    let positions: Vec<usize> = compacted.match_indices('年').map(|(at, _)| at).collect();
    positions.iter().rev().find_map(|&at| {
        let digits = compacted[..at].chars().rev().take(4).collect::<String>().chars().rev().collect::<String>();
        crate::structure::year_of(&digits)
    })
}

/// Where the verb before a stated change begins (增加了 N 人 → at 增).
fn verb_start(chars: &[char], number_start: usize) -> usize {
    let from = number_start.saturating_sub(5);
    (from..number_start).find(|&i| matches!(chars[i], '增' | '减' | '下')).unwrap_or(from)
}

fn rounds_to(computed: Decimal, stated: &TextNumber) -> bool {
    let decimals = stated.text.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    let unit = Decimal::new(1, decimals);
    (computed.round_dp(decimals) - stated.value).abs() <= unit
}

/// Arithmetic the text states: 增加/减少 N against the two figures of the sentence; 增长 x%
/// against the figure and its increase; 占 y% against the two figures before it.
fn text_arithmetic(structure: &Structure, findings: &mut Vec<AuditFinding>) {
    for paragraph in &structure.paragraphs {
        for sentence in sentences(&paragraph.text) {
            let chars: Vec<char> = sentence.chars().collect();
            let numbers = numbers_in(&chars);
            let word_before = |n: &TextNumber, words: &[&str]| -> bool {
                let before: String =
                    chars[n.start.saturating_sub(4)..n.start].iter().collect::<String>().replace(' ', "");
                let before = before.trim_end_matches('了');
                words.iter().any(|w| before.ends_with(w))
            };
            let excerpt = || -> String { chars.iter().take(80).collect() };
            for (position, stated) in numbers.iter().enumerate() {
                if stated.unit.is_empty() {
                    continue;
                }
                if stated.unit != "%" && word_before(stated, &["增加", "减少", "增长", "下降"]) {
                    let operands: Vec<&TextNumber> = numbers
                        .iter()
                        .enumerate()
                        .filter(|(i, n)| *i != position && n.unit == stated.unit)
                        .map(|(_, n)| n)
                        .collect();
                    if operands.len() == 2 {
                        let difference = (operands[0].value - operands[1].value).abs();
                        if difference != stated.value {
                            findings.push(finding(
                                Severity::Warning,
                                Some(paragraph.place.clone()),
                                AuditProblem::TextArithmetic {
                                    excerpt: excerpt(),
                                    stated: chars[verb_start(&chars, stated.start)..stated.end].iter().collect(),
                                    computed: format!("{}{}", difference.normalize(), stated.unit),
                                },
                            ));
                        }
                    }
                }
                if stated.unit == "%" && word_before(stated, &["增长", "增长比例", "增长率", "增幅"]) {
                    // The figure now and its increase, both stated.
                    let increase =
                        numbers[..position].iter().rev().find(|n| n.unit != "%" && word_before(n, &["增加", "增长"]));
                    let Some(increase) = increase else { continue };
                    let now =
                        numbers[..position].iter().rev().find(|n| n.unit == increase.unit && n.start < increase.start);
                    let Some(now) = now else { continue };
                    let before = now.value - increase.value;
                    if before.is_zero() {
                        continue;
                    }
                    let computed = increase.value / before * Decimal::ONE_HUNDRED;
                    if !rounds_to(computed, stated) {
                        findings.push(finding(
                            Severity::Warning,
                            Some(paragraph.place.clone()),
                            AuditProblem::TextArithmetic {
                                excerpt: excerpt(),
                                stated: chars[stated.start.saturating_sub(4)..stated.end].iter().collect(),
                                computed: format!("{}%", computed.round_dp(2)),
                            },
                        ));
                    }
                }
                if stated.unit == "%" && chars[..stated.start].iter().rev().take(12).any(|c| *c == '占') {
                    let share_at = chars[..stated.start].iter().rposition(|c| *c == '占').unwrap_or(0);
                    let parts: Vec<&TextNumber> = numbers[..position]
                        .iter()
                        .filter(|n| n.end <= share_at && n.unit != "%" && !n.unit.is_empty())
                        .collect();
                    if parts.len() < 2 {
                        continue;
                    }
                    let (part, whole) = (parts[parts.len() - 2], parts[parts.len() - 1]);
                    // The whole is stated last, and a share is of a larger whole: otherwise the
                    // whole is not in the sentence and nothing can be checked.
                    if part.unit != whole.unit || whole.value.is_zero() || part.value > whole.value {
                        continue;
                    }
                    // Any pair of the sentence's figures that gives the share will do.
                    let fits = parts.iter().any(|a| {
                        parts.iter().any(|b| {
                            a.unit == b.unit
                                && !b.value.is_zero()
                                && rounds_to(a.value / b.value * Decimal::ONE_HUNDRED, stated)
                        })
                    });
                    if !fits {
                        findings.push(finding(
                            Severity::Warning,
                            Some(paragraph.place.clone()),
                            AuditProblem::TextArithmetic {
                                excerpt: excerpt(),
                                stated: chars[share_at..stated.end].iter().collect(),
                                computed: format!("{}%", (part.value / whole.value * Decimal::ONE_HUNDRED).round_dp(2)),
                            },
                        ));
                    }
                }
            }
        }
    }
}
