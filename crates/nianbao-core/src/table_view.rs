//! A printed table resolved against a dataset: captions filled in, labels, units and formatted cells.

use crate::dataset::Dataset;
use crate::framework::{Framework, Table, TableLayout};
use crate::value::Value;

/// One formatted cell: the exact value and its text as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellView {
    pub value: Value,
    pub text: String,
}

/// One printed row (one indicator) with a cell for the previous year and the report year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowView {
    pub indicator_id: String,
    /// The label exactly as printed, with its 其中： prefix where printed.
    pub label: String,
    /// The label as a column header (single-row and years-as-rows layouts).
    pub header: String,
    pub group: Option<String>,
    pub unit: &'static str,
    pub name_en: String,
    /// Depth in the 其中 hierarchy.
    pub depth: usize,
    /// Cells for [`TableView::years`], in the same order.
    pub cells: Vec<CellView>,
    /// Cells for [`TableView::extra_headers`] (report year), e.g. 调查方式 and 调查人次.
    pub extras: Vec<CellView>,
}

/// A table ready to be printed in any output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableView {
    pub table_id: String,
    pub number: Option<String>,
    pub caption: String,
    /// Number and caption, e.g. “附表 1 人才培养质量计分卡”.
    pub title: String,
    pub caption_en: String,
    pub layout: TableLayout,
    pub report_year: i32,
    /// Always the previous year and the report year, in that order.
    pub years: Vec<i32>,
    /// Years the printed layout shows (the report year alone for a one-year table).
    pub printed_years: Vec<i32>,
    pub extra_headers: Vec<&'static str>,
    pub rows: Vec<RowView>,
    /// [`TableLayout::OrgRows`] only: the org units compared, one per printed row (the last is
    /// the report's own org unit), each row's cell `i` of every column; and the first column's
    /// header (“学校” or “单位”).
    pub orgs: Vec<String>,
    pub org_header: &'static str,
}

impl TableView {
    /// Builds the view of `table` for the org unit at `org` and the report `year`.
    pub fn build(framework: &Framework, dataset: &Dataset, table: &Table, org: usize, year: i32) -> TableView {
        let org_name = dataset.orgs.get(org).map(|unit| unit.name.as_str()).unwrap_or("");
        let years = vec![year - 1, year];
        let printed_years = if table.year_count == 1 { vec![year] } else { years.clone() };
        let rows = table
            .rows
            .iter()
            .map(|&index| {
                let indicator = framework.indicator(index);
                let cell = |indicator_index, year| {
                    let value = dataset.get(org, year, indicator_index).clone();
                    let decimals = framework.indicator(indicator_index).decimals;
                    CellView { text: value.format(decimals), value }
                };
                RowView {
                    indicator_id: indicator.id.clone(),
                    label: indicator.printed_label(),
                    header: indicator.column_header().to_string(),
                    group: indicator.group.clone(),
                    unit: indicator.printed_unit(),
                    name_en: indicator.name_en.clone(),
                    depth: framework.depth(index),
                    cells: years.iter().map(|&y| cell(index, y)).collect(),
                    extras: table
                        .extra_columns
                        .iter()
                        .map(|&column| match framework.companion(index, column) {
                            Some(companion) => cell(companion, year),
                            None => CellView { value: Value::Missing, text: String::new() },
                        })
                        .collect(),
                }
            })
            .collect();
        TableView {
            table_id: table.id.clone(),
            number: table.number.clone(),
            caption: table.caption_for(year, org_name),
            title: table.title_for(year, org_name),
            caption_en: table.caption_en.replace("{year}", &year.to_string()),
            layout: table.layout,
            report_year: year,
            years,
            printed_years,
            extra_headers: table.extra_columns.iter().map(|c| c.header()).collect(),
            rows,
            orgs: Vec::new(),
            org_header: "",
        }
    }

    /// A comparison of the org units directly under `org` (a county's schools, a city's
    /// counties) in `year`: one printed row per unit, then `org`'s own figure; one column per
    /// indicator. A figure not given prints as in every table (empty, or “-” when not
    /// applicable), never as zero. None when `org` has no units under it.
    pub fn compare(
        framework: &Framework,
        dataset: &Dataset,
        org: usize,
        year: i32,
        indicators: &[crate::IndicatorIndex],
        caption: &str,
    ) -> Option<TableView> {
        let mut units: Vec<usize> = dataset.children_of(org).collect();
        if units.is_empty() {
            return None;
        }
        let all_schools = units.iter().all(|&i| dataset.orgs[i].level == crate::OrgLevel::School);
        units.push(org);
        let rows = indicators
            .iter()
            .map(|&index| {
                let indicator = framework.indicator(index);
                RowView {
                    indicator_id: indicator.id.clone(),
                    label: indicator.printed_label(),
                    header: indicator.column_header().to_string(),
                    group: None,
                    unit: indicator.printed_unit(),
                    name_en: indicator.name_en.clone(),
                    depth: 0,
                    cells: units
                        .iter()
                        .map(|&unit| {
                            let value = dataset.get(unit, year, index).clone();
                            CellView { text: value.format(indicator.decimals), value }
                        })
                        .collect(),
                    extras: Vec::new(),
                }
            })
            .collect();
        Some(TableView {
            table_id: "compare".to_string(),
            number: None,
            caption: caption.to_string(),
            title: caption.to_string(),
            caption_en: String::new(),
            layout: TableLayout::OrgRows,
            report_year: year,
            years: vec![year],
            printed_years: vec![year],
            extra_headers: Vec::new(),
            rows,
            orgs: units.iter().map(|&unit| dataset.orgs[unit].name.clone()).collect(),
            org_header: if all_schools { "学校" } else { "单位" },
        })
    }

    /// The cell of a row for a given year, if that year is in the view.
    pub fn cell<'a>(&self, row: &'a RowView, year: i32) -> Option<&'a CellView> {
        self.years.iter().position(|&y| y == year).map(|i| &row.cells[i])
    }
}
