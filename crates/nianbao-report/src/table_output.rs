//! Indicator tables as text (aligned by display width), Markdown, CSV and JSON.

use crate::text_width::{pad_left, pad_right, width};
use nianbao_core::TableLayout;
use nianbao_core::table_view::{RowView, TableView};
use serde_json::{Value as Json, json};

/// Output formats of the `table` and `tables` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

impl TableFormat {
    pub const NAMES: [&'static str; 4] = ["text", "markdown", "csv", "json"];
    pub fn from_name(name: &str) -> Option<TableFormat> {
        Some(match name {
            "text" => TableFormat::Text,
            "markdown" | "md" => TableFormat::Markdown,
            "csv" => TableFormat::Csv,
            "json" => TableFormat::Json,
            _ => return None,
        })
    }
}

/// Renders several tables in one format; text and Markdown separate tables by a blank line.
pub fn render(views: &[TableView], format: TableFormat) -> String {
    match format {
        TableFormat::Text => views.iter().map(text).collect::<Vec<_>>().join("\n"),
        TableFormat::Markdown => views.iter().map(markdown).collect::<Vec<_>>().join("\n"),
        TableFormat::Csv => csv(views),
        TableFormat::Json => {
            let value = if views.len() == 1 { json(&views[0]) } else { Json::Array(views.iter().map(json).collect()) };
            let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
            out.push('\n');
            out
        }
    }
}

fn year_header(year: i32) -> String {
    format!("{year} 年")
}

/// A grid of cells: the header lines, then the body; `right` says which columns are right-aligned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub header: Vec<Vec<String>>,
    pub body: Vec<Vec<String>>,
    pub right: Vec<bool>,
}

/// Column headers and body cells of a view in its printed layout (a single-row table with column
/// groups has two header lines: groups, then columns; a group title appears once, at its first column).
pub fn grid(view: &TableView) -> Grid {
    match view.layout {
        TableLayout::IndicatorRows => {
            let mut header = vec!["指标".to_string(), "单位".to_string()];
            header.extend(view.printed_years.iter().map(|&y| year_header(y)));
            header.extend(view.extra_headers.iter().map(|h| h.to_string()));
            let body = view
                .rows
                .iter()
                .map(|row| {
                    let mut line = vec![row.label.clone(), row.unit.to_string()];
                    line.extend(
                        view.printed_years
                            .iter()
                            .map(|&y| view.cell(row, y).map(|c| c.text.clone()).unwrap_or_default()),
                    );
                    line.extend(row.extras.iter().map(|c| c.text.clone()));
                    line
                })
                .collect();
            let mut right = vec![false, false];
            right.extend(view.printed_years.iter().map(|_| true));
            right.extend(view.extra_headers.iter().map(|h| *h == "调查人次"));
            Grid { header: vec![header], body, right }
        }
        TableLayout::YearRows => {
            let mut header = vec!["年度".to_string()];
            header.extend(view.rows.iter().map(column_title_with_unit));
            let body = view
                .printed_years
                .iter()
                .map(|&year| {
                    let mut line = vec![year_header(year)];
                    line.extend(
                        view.rows.iter().map(|row| view.cell(row, year).map(|c| c.text.clone()).unwrap_or_default()),
                    );
                    line
                })
                .collect();
            let mut right = vec![false];
            right.extend(view.rows.iter().map(|_| true));
            Grid { header: vec![header], body, right }
        }
        TableLayout::SingleRow => {
            let has_groups = view.rows.iter().any(|row| row.group.is_some());
            let mut top = Vec::new();
            let mut bottom = Vec::new();
            let mut previous_group: Option<&str> = None;
            for row in &view.rows {
                match row.group.as_deref() {
                    Some(group) => {
                        top.push(if previous_group == Some(group) { String::new() } else { group.to_string() });
                        bottom.push(row.header.clone());
                    }
                    None => {
                        top.push(row.header.clone());
                        bottom.push(String::new());
                    }
                }
                previous_group = row.group.as_deref();
            }
            let body = vec![
                view.rows
                    .iter()
                    .map(|row| view.cell(row, view.report_year).map(|c| c.text.clone()).unwrap_or_default())
                    .collect(),
            ];
            let header = if has_groups { vec![top, bottom] } else { vec![top] };
            Grid { header, body, right: view.rows.iter().map(|_| true).collect() }
        }
        TableLayout::OrgRows => {
            let mut header = vec![view.org_header.to_string()];
            header.extend(view.rows.iter().map(column_title_with_unit));
            let body = view
                .orgs
                .iter()
                .enumerate()
                .map(|(i, org)| {
                    let mut line = vec![org.clone()];
                    line.extend(
                        view.rows.iter().map(|row| row.cells.get(i).map(|c| c.text.clone()).unwrap_or_default()),
                    );
                    line
                })
                .collect();
            let mut right = vec![false];
            right.extend(view.rows.iter().map(|_| true));
            Grid { header: vec![header], body, right }
        }
    }
}

fn column_title_with_unit(row: &RowView) -> String {
    if row.unit.is_empty() { row.header.clone() } else { format!("{}（{}）", row.header, row.unit) }
}

/// The table as aligned plain text, title first. Chinese text is aligned by display width.
pub fn text(view: &TableView) -> String {
    let grid = grid(view);
    let columns = grid.right.len();
    let mut widths = vec![0usize; columns];
    let two_line_header = view.layout == TableLayout::SingleRow && grid.header.len() == 2;
    for (n, line) in grid.header.iter().chain(&grid.body).enumerate() {
        for (i, cell) in line.iter().enumerate() {
            // Group titles span several columns; they are fitted below, not per column.
            if two_line_header && n == 0 && view.rows[i].group.is_some() {
                continue;
            }
            widths[i] = widths[i].max(width(cell));
        }
    }
    // A group title in a two-line header spans its columns: widen the last one if needed.
    if two_line_header {
        let mut start = 0;
        while start < view.rows.len() {
            let Some(group) = view.rows[start].group.as_deref() else {
                start += 1;
                continue;
            };
            let mut end = start;
            while end + 1 < view.rows.len() && view.rows[end + 1].group.as_deref() == Some(group) {
                end += 1;
            }
            let span: usize = widths[start..=end].iter().sum::<usize>() + 2 * (end - start);
            if width(group) > span {
                widths[end] += width(group) - span;
            }
            start = end + 1;
        }
    }
    let mut out = format!("{}\n", view.title);
    let render_line = |line: &[String], header_line: usize| -> String {
        let mut cells = Vec::new();
        let mut i = 0;
        while i < line.len() {
            // In the group line of a two-line header, a group title spans its columns.
            if header_line == 1
                && view.layout == TableLayout::SingleRow
                && let Some(group) = view.rows[i].group.as_deref()
            {
                let mut end = i;
                while end + 1 < view.rows.len() && view.rows[end + 1].group.as_deref() == Some(group) {
                    end += 1;
                }
                let span: usize = widths[i..=end].iter().sum::<usize>() + 2 * (end - i);
                cells.push(pad_right(&line[i], span));
                i = end + 1;
                continue;
            }
            let cell = if grid.right[i] && header_line == 0 {
                pad_left(&line[i], widths[i])
            } else {
                pad_right(&line[i], widths[i])
            };
            cells.push(cell);
            i += 1;
        }
        let mut joined = cells.join("  ");
        joined.truncate(joined.trim_end().len());
        joined.push('\n');
        joined
    };
    let header_lines = grid.header.len();
    for (n, line) in grid.header.iter().enumerate() {
        out.push_str(&render_line(line, if header_lines == 2 { n + 1 } else { 1 }));
    }
    for line in &grid.body {
        out.push_str(&render_line(line, 0));
    }
    out
}

fn markdown_escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The table as a Markdown (GFM) pipe table under a bold title. Grouped column headers are
/// written as “group：header”.
pub fn markdown(view: &TableView) -> String {
    markdown_titled(view, &view.title)
}

/// As [`markdown`], under a given title (a report numbers its tables itself).
pub fn markdown_titled(view: &TableView, title: &str) -> String {
    let mut grid = grid(view);
    if grid.header.len() == 2 {
        let merged = view
            .rows
            .iter()
            .map(|row| match &row.group {
                Some(group) => format!("{group}：{}", row.header),
                None => row.header.clone(),
            })
            .collect();
        grid.header = vec![merged];
    }
    let mut out = format!("**{}**\n\n", markdown_escape(title));
    let line = |cells: &[String]| {
        format!("| {} |\n", cells.iter().map(|c| markdown_escape(c)).collect::<Vec<_>>().join(" | "))
    };
    out.push_str(&line(&grid.header[0]));
    out.push_str(&format!(
        "|{}|\n",
        grid.right.iter().map(|&r| if r { " ---: " } else { " --- " }).collect::<Vec<_>>().join("|")
    ));
    for body in &grid.body {
        out.push_str(&line(body));
    }
    out
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// One CSV line per indicator: `table,label,unit,<previous year>,<year>`, then the extra columns
/// (调查方式, 调查人次) when any of the tables has them. Not applicable is `-`, missing is empty.
pub fn csv(views: &[TableView]) -> String {
    let Some(first) = views.first() else {
        return String::new();
    };
    let mut extra_headers: Vec<&str> = Vec::new();
    for view in views {
        for header in &view.extra_headers {
            if !extra_headers.contains(header) {
                extra_headers.push(header);
            }
        }
    }
    let mut header = vec!["table".to_string(), "label".to_string(), "unit".to_string()];
    header.extend(first.years.iter().map(|y| y.to_string()));
    header.extend(extra_headers.iter().map(|h| h.to_string()));
    let mut out = header.join(",");
    out.push('\n');
    for view in views {
        for row in &view.rows {
            let mut fields = vec![view.table_id.clone(), row.label.clone(), row.unit.to_string()];
            fields.extend(row.cells.iter().map(|c| c.text.clone()));
            for header in &extra_headers {
                let cell = view.extra_headers.iter().position(|h| h == header).map(|i| row.extras[i].text.clone());
                fields.push(cell.unwrap_or_default());
            }
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    }
    out
}

/// The table as JSON: title, years and one object per row with the indicator id, the printed
/// label, the unit and each year's value as printed (`null` when missing, `"-"` when not applicable).
pub fn json(view: &TableView) -> Json {
    let rows: Vec<Json> = view
        .rows
        .iter()
        .map(|row| {
            let cell_json = |text: &str, missing: bool| {
                if missing { Json::Null } else { Json::String(text.to_string()) }
            };
            let values: serde_json::Map<String, Json> = view
                .years
                .iter()
                .zip(&row.cells)
                .map(|(year, cell)| (year.to_string(), cell_json(&cell.text, cell.value.is_missing())))
                .collect();
            let mut object = json!({
                "indicator": row.indicator_id,
                "label": row.label,
                "label_en": row.name_en,
                "unit": row.unit,
                "depth": row.depth,
                "values": values,
            });
            if !view.extra_headers.is_empty() {
                let extras: serde_json::Map<String, Json> = view
                    .extra_headers
                    .iter()
                    .zip(&row.extras)
                    .map(|(header, cell)| (header.to_string(), cell_json(&cell.text, cell.value.is_missing())))
                    .collect();
                object["extra"] = Json::Object(extras);
            }
            object
        })
        .collect();
    json!({
        "table": view.table_id,
        "number": view.number,
        "caption": view.caption,
        "title": view.title,
        "caption_en": view.caption_en,
        "years": view.years,
        "rows": rows,
    })
}
