//! Rebuilding the data of a printed report: each printed table is matched to a table of the
//! framework (by number and caption), each printed row to an indicator (by label, unit and order,
//! so rows printed alike under different parents stay apart), each value to its year column. What
//! cannot be matched is reported, never guessed.

use crate::structure::{CaptionKind, Place, PrintedRow, PrintedTable, Structure, compact, is_figure, year_of};
use nianbao_core::{Dataset, Framework, IndicatorIndex, OrgLevel, OrgUnit, TableLayout, Value};
use std::collections::HashMap;

/// A value as printed, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedValue {
    pub text: String,
    pub value: Value,
    pub place: Place,
    /// The caption of its table, as printed (“附表 1 人才培养质量计分卡”).
    pub table: String,
    pub row_label: String,
}

/// A printed row and the indicator it was matched to (none for a row of years or an unknown row).
pub type MatchedRow = (PrintedRow, Option<IndicatorIndex>);

/// What could not be matched or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildProblem {
    UnknownTable {
        caption: String,
        place: Place,
    },
    UnknownRow {
        table: String,
        label: String,
        place: Place,
    },
    UnreadableValue {
        table: String,
        label: String,
        text: String,
        place: Place,
    },
    /// A comparison of the units under the report's org unit whose units' figures of a summed
    /// indicator do not add up to the org unit's own figure in its last row.
    ComparisonSum {
        table: String,
        column: String,
        sum: String,
        total: String,
        place: Place,
    },
    /// A table printed for a year other than the one its caption names: (caption year, the year
    /// its figures are, the evidence: an equal figure printed elsewhere for that year).
    CaptionYear {
        table: String,
        caption_year: i32,
        figures_year: i32,
        evidence: String,
        place: Place,
    },
}

/// The data rebuilt from one report.
#[derive(Debug)]
pub struct Rebuilt {
    pub dataset: Dataset,
    pub org: usize,
    pub report_year: i32,
    /// Every printed value by (indicator, year); a quantity printed twice keeps both.
    pub printed: HashMap<(IndicatorIndex, i32), Vec<PrintedValue>>,
    pub problems: Vec<RebuildProblem>,
    /// Printed rows of each table in order, with the indicator each was matched to.
    pub rows: Vec<(String, Vec<MatchedRow>)>,
}

/// The org unit a report is about, from its title: “赣州市中等职业教育质量年度报告（2024年）”.
pub fn org_of_title(title: &str) -> (String, OrgLevel) {
    let title = compact(title);
    let name = [
        "中等职业教育质量年度报告",
        "中等职业教育质量报告",
        "职业教育质量年度报告",
        "质量年度报告",
        "年度质量报告",
        "质量报告",
    ]
    .iter()
    .find_map(|marker| title.find(marker).map(|at| title[..at].to_string()))
    .unwrap_or_default();
    let name = name.trim_start_matches(|c: char| c.is_ascii_digit() || c == '年').to_string();
    let level = if name.ends_with('省') || name.ends_with("自治区") {
        OrgLevel::Province
    } else if name.ends_with('市') || name.ends_with('州') || name.ends_with('盟') {
        OrgLevel::City
    } else if name.ends_with('县') || name.ends_with('区') || name.ends_with('旗') {
        OrgLevel::County
    } else if name.is_empty() {
        OrgLevel::City
    } else {
        OrgLevel::School
    };
    (if name.is_empty() { "（未识别的单位）".into() } else { name }, level)
}

/// The report's year: from its title (“（2024年）”), else the latest year column printed.
pub fn report_year(structure: &Structure) -> Option<i32> {
    let title = compact(&structure.title);
    let from_title = title.char_indices().filter(|(_, c)| c.is_ascii_digit()).find_map(|(at, _)| {
        let digits: String = title[at..].chars().take(4).collect();
        let year = year_of(&digits)?;
        title[at + 4..].starts_with('年').then_some(year)
    });
    from_title.or_else(|| {
        structure
            .tables
            .iter()
            .flat_map(|t| t.rows.iter())
            .flat_map(|r| r.cells.iter())
            // A header's year column says 年 (a figure such as 2095 is no year).
            .filter(|c| c.contains('年'))
            .filter_map(|c| year_of(c))
            .max()
    })
}

fn label_key(text: &str) -> String {
    let compacted = compact(text);
    let compacted = compacted.strip_prefix("其中:").or_else(|| compacted.strip_prefix("其中：")).unwrap_or(&compacted);
    compacted.replace(['“', '”', '"'], "").replace('（', "(").replace('）', ")")
}

fn unit_key(text: &str) -> String {
    compact(text).replace('：', ":")
}

/// The framework table a printed table is: by caption text (placeholders aside), then by number.
fn framework_table(framework: &Framework, table: &PrintedTable) -> Option<usize> {
    let printed = compact(&table.caption.title);
    let number = format!("{}{}", table.caption.kind.prefix(), table.caption.number);
    let by_caption = framework.tables.iter().position(|t| {
        let caption = compact(&t.caption.replace("{year}", "").replace("{org}", "").replace('年', ""));
        let printed = printed.chars().filter(|c| !c.is_ascii_digit() && *c != '年').collect::<String>();
        !caption.is_empty()
            && t.printed
            && (printed.contains(&caption) || (!printed.is_empty() && caption.contains(&printed)))
    });
    by_caption.or_else(|| {
        framework
            .tables
            .iter()
            .position(|t| t.printed && t.number.as_deref().map(compact).as_deref() == Some(number.as_str()))
    })
}

/// Rebuilds the data of the report from its tables.
pub fn rebuild(framework: &Framework, structure: &Structure) -> Rebuilt {
    let (name, level) = org_of_title(&structure.title);
    let year = report_year(structure).unwrap_or(2024);
    let mut dataset = Dataset::new(framework.indicators.len());
    let org = dataset.add_org(OrgUnit::new("audited", name.clone(), level, None)).unwrap_or(0);
    let mut rebuilt =
        Rebuilt { dataset, org, report_year: year, printed: HashMap::new(), problems: Vec::new(), rows: Vec::new() };
    // Single-row tables are placed once every other table is read: their year is checked
    // against the same quantities printed elsewhere.
    let mut single_rows = Vec::new();
    for table in &structure.tables {
        let caption_text = format!("{} {} {}", table.caption.kind.prefix(), table.caption.number, table.caption.title);
        let Some(table_index) = framework_table(framework, table) else {
            if matches!(table.caption.kind, CaptionKind::Table | CaptionKind::AppendixTable)
                && !read_comparison(framework, table, &caption_text, &mut rebuilt)
            {
                rebuilt
                    .problems
                    .push(RebuildProblem::UnknownTable { caption: caption_text, place: table.caption.place.clone() });
            }
            continue;
        };
        let framework_table = &framework.tables[table_index];
        match framework_table.layout {
            TableLayout::IndicatorRows => {
                read_indicator_rows(framework, table_index, table, &caption_text, &mut rebuilt)
            }
            TableLayout::YearRows => read_years_as_rows(framework, table_index, table, &caption_text, &mut rebuilt),
            TableLayout::SingleRow => single_rows.push((table_index, table, caption_text)),
            // No framework table is laid out so (a report's comparison of its units).
            TableLayout::OrgRows => {}
        }
    }
    for (table_index, table, caption_text) in single_rows {
        read_single_row(framework, table_index, table, &caption_text, &mut rebuilt);
    }
    rebuilt
}

#[allow(clippy::too_many_arguments, reason = "a value with its indicator, year, text and place")]
fn record(
    framework: &Framework,
    rebuilt: &mut Rebuilt,
    index: IndicatorIndex,
    year: i32,
    text: &str,
    place: &Place,
    table: &str,
    row_label: &str,
) {
    let kind = framework.indicator(index).kind;
    let text = text.trim();
    match nianbao_io::lenient::read_text(text, kind) {
        Ok(value) => {
            if rebuilt.dataset.get(rebuilt.org, year, index).is_missing() {
                rebuilt.dataset.set(rebuilt.org, year, index, value.clone());
            }
            rebuilt.printed.entry((index, year)).or_default().push(PrintedValue {
                text: text.to_string(),
                value,
                place: place.clone(),
                table: table.to_string(),
                row_label: row_label.to_string(),
            });
        }
        Err(_) => rebuilt.problems.push(RebuildProblem::UnreadableValue {
            table: table.to_string(),
            label: row_label.to_string(),
            text: text.to_string(),
            place: place.clone(),
        }),
    }
}

/// The year a caption names (“2023 年赣州市…”), if any.
fn caption_year(title: &str) -> Option<i32> {
    let title = compact(title);
    title.char_indices().find_map(|(at, _)| title.get(at..at + 7).and_then(|t| t.strip_suffix('年')).and_then(year_of))
}

/// A caption that names a year its table prints no column (or row) of: the caption is wrong.
fn check_caption_year(table: &PrintedTable, caption: &str, printed_years: &[i32], rebuilt: &mut Rebuilt) {
    let Some(year) = caption_year(&table.caption.title) else { return };
    if printed_years.is_empty() || printed_years.contains(&year) {
        return;
    }
    let latest = printed_years.iter().copied().max().unwrap_or(year);
    rebuilt.problems.push(RebuildProblem::CaptionYear {
        table: caption.to_string(),
        caption_year: year,
        figures_year: latest,
        evidence: printed_years.iter().map(|y| format!("{y} 年")).collect::<Vec<_>>().join("、"),
        place: table.caption.place.clone(),
    });
}

/// The indicators that are the same quantity printed elsewhere: a copy declared `same_as`, either
/// way.
pub fn same_quantity(framework: &Framework, index: IndicatorIndex) -> Vec<IndicatorIndex> {
    let own = framework.indicator(index).same_as;
    framework
        .indicators
        .iter()
        .enumerate()
        .filter(|(i, other)| other.same_as == Some(index) || own == Some(IndicatorIndex(*i)))
        .map(|(i, _)| IndicatorIndex(i))
        .collect()
}

/// 附表 style: 指标 | 单位 | 2023 年 | 2024 年 | (调查方式 | 调查人次).
fn read_indicator_rows(
    framework: &Framework,
    table_index: usize,
    table: &PrintedTable,
    caption: &str,
    rebuilt: &mut Rebuilt,
) {
    let framework_table = &framework.tables[table_index];
    // The header row names the year columns.
    let header = table.rows.iter().find(|r| r.cells.iter().any(|c| year_of(c).is_some()));
    let year_columns: Vec<(usize, i32)> = header
        .map(|h| h.cells.iter().enumerate().filter_map(|(i, c)| year_of(c).map(|y| (i, y))).collect())
        .unwrap_or_default();
    check_caption_year(table, caption, &year_columns.iter().map(|c| c.1).collect::<Vec<_>>(), rebuilt);
    let extra_columns: Vec<(usize, String)> = header
        .map(|h| {
            h.cells
                .iter()
                .enumerate()
                .skip(2)
                .filter(|(_, c)| year_of(c).is_none())
                .map(|(i, c)| (i, compact(c)))
                .collect()
        })
        .unwrap_or_default();
    // Units longest first, so that “学时” is taken before “时”.
    let mut units: Vec<&str> =
        framework.indicators.iter().map(|i| i.printed_unit()).filter(|u| !u.is_empty()).collect();
    units.sort_by_key(|u| std::cmp::Reverse(u.len()));
    units.dedup();
    let mut matched = vec![false; framework_table.rows.len()];
    let mut pointer = 0;
    let mut rows = Vec::new();
    for row in &table.rows {
        if Some(row) == header
            || row.cells.iter().all(|c| year_of(c).is_none() && !c.chars().any(|ch| ch.is_ascii_digit()) && c != "-")
        {
            continue;
        }
        // A unit set right against its label (a tab of no width in the layout): “升学人数人”.
        let mut row = row.clone();
        if let Some(header) = header
            && row.cells.len() + 1 == header.cells.len()
            && let Some(first) = row.cells.first().cloned()
            && let Some(unit) = units.iter().find(|u| first.ends_with(*u) && first.len() > u.len())
        {
            row.cells[0] = first[..first.len() - unit.len()].to_string();
            row.cells.insert(1, unit.to_string());
        }
        let row = &row;
        let label = row.cells.first().cloned().unwrap_or_default();
        let unit = row.cells.get(1).cloned().unwrap_or_default();
        let fits = |position: usize| {
            let indicator = framework.indicator(framework_table.rows[position]);
            label_key(&indicator.label) == label_key(&label) && unit_key(indicator.printed_unit()) == unit_key(&unit)
        };
        // In order first (rows printed alike are told apart by their place), then anywhere.
        let found = (pointer..framework_table.rows.len())
            .find(|&p| !matched[p] && fits(p))
            .or_else(|| (0..framework_table.rows.len()).find(|&p| !matched[p] && fits(p)));
        let Some(position) = found else {
            rebuilt.problems.push(RebuildProblem::UnknownRow {
                table: caption.to_string(),
                label: label.clone(),
                place: row.place.clone(),
            });
            rows.push((row.clone(), None));
            continue;
        };
        matched[position] = true;
        pointer = position + 1;
        let index = framework_table.rows[position];
        rows.push((row.clone(), Some(index)));
        // Cells are taken by the header's columns. A row with fewer cells (a blank cell lost in
        // laid-out text) is aligned by where its cells sit under the header; a row that cannot
        // be aligned is reported rather than read by guess.
        let aligned: Vec<Option<String>> = match header {
            Some(h) if h.cells.len() != row.cells.len() => match align(h, row).or_else(|| align_by_kind(h, row)) {
                Some(aligned) => aligned,
                None => {
                    rebuilt.problems.push(RebuildProblem::UnknownRow {
                        table: caption.to_string(),
                        label: row.cells.join(" "),
                        place: row.place.clone(),
                    });
                    continue;
                }
            },
            _ => row.cells.iter().cloned().map(Some).collect(),
        };
        for &(column, year) in &year_columns {
            if let Some(Some(text)) = aligned.get(column) {
                record(framework, rebuilt, index, year, text, &row.place, caption, &label);
            }
        }
        for (column, name) in &extra_columns {
            let Some(Some(text)) = aligned.get(*column) else { continue };
            let column_kind = framework_table.extra_columns.iter().find(|c| compact(c.header()) == *name);
            if let Some(column_kind) = column_kind
                && let Some(companion) = framework.companion(index, *column_kind)
            {
                record(framework, rebuilt, companion, rebuilt.report_year, text, &row.place, caption, &label);
            }
        }
    }
    rebuilt.rows.push((caption.to_string(), rows));
}

/// A row's cells placed under the header's columns by where they sit on the line: each cell
/// goes to the header cell it overlaps most (else the nearest); `None` when two cells would share
/// a column or positions are unknown.
fn align(header: &PrintedRow, row: &PrintedRow) -> Option<Vec<Option<String>>> {
    if header.spans.len() != header.cells.len()
        || row.spans.len() != row.cells.len()
        || row.cells.len() > header.cells.len()
    {
        return None;
    }
    let mut aligned: Vec<Option<String>> = vec![None; header.cells.len()];
    for (cell, &(start, end)) in row.cells.iter().zip(&row.spans) {
        let overlap = |&(h_start, h_end): &(usize, usize)| end.min(h_end).saturating_sub(start.max(h_start));
        let centre = |&(a, b): &(usize, usize)| a + b;
        let column = (0..header.spans.len()).max_by_key(|&i| {
            (overlap(&header.spans[i]), std::cmp::Reverse(centre(&header.spans[i]).abs_diff(start + end)))
        })?;
        if aligned[column].is_some() {
            return None;
        }
        aligned[column] = Some(cell.clone());
    }
    Some(aligned)
}

/// A row whose only missing cells are words (a survey method left blank): the label and unit, then
/// every figure in the order of the header's figure columns. Used only when the row has exactly
/// as many figures as the header has figure columns, so that no figure can move to another year.
fn align_by_kind(header: &PrintedRow, row: &PrintedRow) -> Option<Vec<Option<String>>> {
    // The header's figure columns: years, and words naming a count (调查人次).
    let figure_columns: Vec<usize> = (2..header.cells.len())
        .filter(|&i| {
            year_of(&header.cells[i]).is_some() || header.cells[i].contains("人次") || header.cells[i].contains("数")
        })
        .collect();
    let text_columns: Vec<usize> = (2..header.cells.len()).filter(|i| !figure_columns.contains(i)).collect();
    let (figures, texts): (Vec<&String>, Vec<&String>) = row.cells.iter().skip(2).partition(|c| is_figure(c));
    if row.cells.len() < 2 || figures.len() != figure_columns.len() || texts.len() > text_columns.len() {
        return None;
    }
    // Words fill the text columns only when there is exactly one place for them.
    if !texts.is_empty() && texts.len() != text_columns.len() {
        return None;
    }
    let mut aligned: Vec<Option<String>> = vec![None; header.cells.len()];
    aligned[0] = Some(row.cells[0].clone());
    aligned[1] = Some(row.cells[1].clone());
    for (&column, cell) in figure_columns.iter().zip(&figures) {
        aligned[column] = Some((*cell).clone());
    }
    for (&column, cell) in text_columns.iter().zip(&texts) {
        aligned[column] = Some((*cell).clone());
    }
    Some(aligned)
}

/// A comparison of the units under the report's org unit (a county's schools), as nianbao's
/// `::: compare` prints one: a header “学校|单位, indicator（unit）…”, one row per unit, the org
/// unit's own row last. Its last row is recorded as the org unit's figures (so it is checked
/// against the same figures elsewhere), and for a summed indicator the units' figures, when all
/// are given, must add up to it. False (the table stays unknown) when the header does not name
/// every column's indicator or the last row is not the org unit's.
fn read_comparison(framework: &Framework, table: &PrintedTable, caption: &str, rebuilt: &mut Rebuilt) -> bool {
    let Some((header, rows)) = table.rows.split_first() else { return false };
    if !matches!(header.cells.first().map(|c| compact(c)).as_deref(), Some("学校" | "单位")) {
        return false;
    }
    // Each column's indicator, by its printed header and unit (an indicator printed as a copy of
    // another, `same_as`, is the same quantity: its primary is taken).
    let indicator_of = |text: &str| -> Option<IndicatorIndex> {
        let wanted = compact(text);
        framework
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, indicator)| indicator.same_as.is_none())
            .find(|(_, indicator)| {
                let unit = indicator.printed_unit();
                let printed = if unit.is_empty() {
                    indicator.column_header().to_string()
                } else {
                    format!("{}（{unit}）", indicator.column_header())
                };
                compact(&printed) == wanted
            })
            .map(|(index, _)| IndicatorIndex(index))
    };
    let Some(columns) = header.cells[1..].iter().map(|c| indicator_of(c)).collect::<Option<Vec<_>>>() else {
        return false;
    };
    let org_name = compact(&rebuilt.dataset.orgs[rebuilt.org].name);
    let Some((total, units)) = rows.split_last() else { return false };
    if total.cells.first().map(|c| compact(c)) != Some(org_name)
        || total.cells.len() != header.cells.len()
        || columns.is_empty()
    {
        return false;
    }
    let year = caption_year(&table.caption.title).unwrap_or(rebuilt.report_year);
    // Every unit's row: as many cells as the header, each a value or blank (not given).
    for row in units {
        let label = row.cells.first().cloned().unwrap_or_default();
        if row.cells.len() != header.cells.len() {
            rebuilt.problems.push(RebuildProblem::UnknownRow {
                table: caption.to_string(),
                label: row.cells.join(" "),
                place: row.place.clone(),
            });
            continue;
        }
        for (text, &index) in row.cells[1..].iter().zip(&columns) {
            let text = text.trim();
            if !text.is_empty() && nianbao_io::lenient::read_text(text, framework.indicator(index).kind).is_err() {
                rebuilt.problems.push(RebuildProblem::UnreadableValue {
                    table: caption.to_string(),
                    label: label.clone(),
                    text: text.to_string(),
                    place: row.place.clone(),
                });
            }
        }
    }
    for (column, &index) in columns.iter().enumerate() {
        let indicator = framework.indicator(index);
        let label = indicator.label.clone();
        record(framework, rebuilt, index, year, &total.cells[column + 1], &total.place, caption, &label);
        if !matches!(indicator.aggregation, nianbao_core::Aggregation::Sum) {
            continue;
        }
        let read =
            |text: &str| nianbao_io::lenient::read_text(text.trim(), indicator.kind).ok().and_then(|v| v.number());
        let figures: Option<Vec<_>> =
            units.iter().map(|row| row.cells.get(column + 1).and_then(|text| read(text))).collect();
        let (Some(figures), Some(printed_total)) = (figures, read(&total.cells[column + 1])) else { continue };
        // A sum beyond what a decimal holds is no total any printed figure can be: said as such.
        let sum = figures.iter().try_fold(rust_decimal::Decimal::ZERO, |sum, figure| sum.checked_add(*figure));
        if !units.is_empty() && sum != Some(printed_total) {
            rebuilt.problems.push(RebuildProblem::ComparisonSum {
                table: caption.to_string(),
                column: label,
                sum: match sum {
                    Some(sum) => nianbao_core::value::format_decimal(sum, indicator.decimals),
                    None => format!("> {}", rust_decimal::Decimal::MAX),
                },
                total: total.cells[column + 1].trim().to_string(),
                place: total.place.clone(),
            });
        }
    }
    true
}

/// 表 1 style: one row per year, one column per indicator.
fn read_years_as_rows(
    framework: &Framework,
    table_index: usize,
    table: &PrintedTable,
    caption: &str,
    rebuilt: &mut Rebuilt,
) {
    let framework_table = &framework.tables[table_index];
    let years: Vec<i32> = table.rows.iter().filter_map(|r| r.cells.first().and_then(|c| year_of(c))).collect();
    check_caption_year(table, caption, &years, rebuilt);
    let mut rows = Vec::new();
    for row in &table.rows {
        let Some(year) = row.cells.first().and_then(|c| year_of(c)) else {
            rows.push((row.clone(), None));
            continue;
        };
        let values = &row.cells[1..];
        if values.len() != framework_table.rows.len() {
            rebuilt.problems.push(RebuildProblem::UnknownRow {
                table: caption.to_string(),
                label: row.cells.join(" "),
                place: row.place.clone(),
            });
            rows.push((row.clone(), None));
            continue;
        }
        for (text, &index) in values.iter().zip(&framework_table.rows) {
            let label = framework.indicator(index).label.clone();
            record(framework, rebuilt, index, year, text, &row.place, caption, &format!("{year} 年 {label}"));
        }
        rows.push((row.clone(), None));
    }
    rebuilt.rows.push((caption.to_string(), rows));
}

/// 表 2 style: grouped headers, then one row of the table's figures for one year. The year is
/// the caption's, unless every figure that is printed elsewhere too equals the other year's.
fn read_single_row(
    framework: &Framework,
    table_index: usize,
    table: &PrintedTable,
    caption: &str,
    rebuilt: &mut Rebuilt,
) {
    let framework_table = &framework.tables[table_index];
    let Some(row) = table.rows.iter().find(|r| {
        r.cells.len() == framework_table.rows.len()
            && r.cells.iter().all(|c| c.chars().any(|ch| ch.is_ascii_digit()) || c == "-")
    }) else {
        rebuilt.problems.push(RebuildProblem::UnknownRow {
            table: caption.to_string(),
            label: table.rows.last().map(|r| r.cells.join(" ")).unwrap_or_default(),
            place: table.caption.place.clone(),
        });
        return;
    };
    let printed_year = caption_year(&table.caption.title).unwrap_or(rebuilt.report_year);
    let partners = |index: IndicatorIndex| same_quantity(framework, index);
    let agreements = |year: i32| -> Vec<String> {
        let mut found = Vec::new();
        for (text, &index) in row.cells.iter().zip(&framework_table.rows) {
            let Ok(value) = nianbao_io::lenient::read_text(text, framework.indicator(index).kind) else { continue };
            for partner in partners(index) {
                if let Some(other) = rebuilt.printed.get(&(partner, year)).and_then(|v| v.first())
                    && other.value == value
                    && !value.is_missing()
                {
                    found.push(format!("{} {}（{} {year} 年）", other.row_label, other.text, other.table));
                }
            }
        }
        found
    };
    let mut year = printed_year;
    for other_year in [rebuilt.report_year, rebuilt.report_year - 1] {
        if other_year == printed_year {
            continue;
        }
        let (here, there) = (agreements(printed_year), agreements(other_year));
        if here.is_empty() && !there.is_empty() {
            rebuilt.problems.push(RebuildProblem::CaptionYear {
                table: caption.to_string(),
                caption_year: printed_year,
                figures_year: other_year,
                evidence: there.join("；"),
                place: table.caption.place.clone(),
            });
            year = other_year;
            break;
        }
    }
    for (text, &index) in row.cells.iter().zip(&framework_table.rows) {
        let label = framework.indicator(index).label.clone();
        record(framework, rebuilt, index, year, text, &row.place, caption, &label);
    }
    rebuilt.rows.push((caption.to_string(), vec![(row.clone(), None)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> PrintedRow {
        PrintedRow {
            cells: cells.iter().map(|c| c.to_string()).collect(),
            spans: Vec::new(),
            place: Place { page: None, line: 1 },
        }
    }

    /// Only words may be missing: a figure is never moved to another year's column.
    #[test]
    fn rows_missing_words_align_and_rows_missing_figures_do_not() {
        let header = row(&["指标", "单位", "2023 年", "2024 年", "调查方式", "调查人次"]);
        let aligned =
            align_by_kind(&header, &row(&["专业课教学满意度", "%", "91.73", "95.75", "1293"])).expect("aligned");
        assert_eq!(aligned[2].as_deref(), Some("91.73"));
        assert_eq!(aligned[3].as_deref(), Some("95.75"));
        assert_eq!(aligned[4], None, "the survey method was blank");
        assert_eq!(aligned[5].as_deref(), Some("1293"));
        assert_eq!(align_by_kind(&header, &row(&["专业课教学满意度", "%", "95.75", "全国统一网上调查", "1293"])), None);
        assert_eq!(align_by_kind(&header, &row(&["专业课教学满意度", "%", "95.75", "1293"])), None);
        let dashes = align_by_kind(&header, &row(&["教职工满意度", "%", "-", "-", "-"])).expect("aligned");
        assert_eq!((dashes[2].as_deref(), dashes[5].as_deref()), (Some("-"), Some("-")));
    }
}
