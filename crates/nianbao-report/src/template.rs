//! The report template format: Markdown-like text with `{{ … }}` bindings to data and `:::`
//! blocks for tables, charts, case studies, figures and catalogues. Building a template against a
//! dataset gives a numbered [`Report`]; every problem is reported with line:column, all at once.
//!
//! ```text
//! +++
//! title = "{org}中等职业教育质量年度报告（{year}年）"
//! issuer = "赣州市教育局"
//! date = "二〇二五年一月"
//! +++
//! ::: contents
//! # 前言 {-}
//! ::: narrative preface
//! # 基本情况
//! ## 规模和结构
//! 全市共有中职学校 {{ value(facts.schools) }} 所，在校生比上年{{ change(t1.enrolled) }}人（见{{ ref(tab-enrolment) }}）。
//! ::: table t1 {#tab-enrolment}
//! ::: chart pie "{year} 年{org}中职学校类型分布" facts.schools_public="公办" facts.schools_private="民办" {#fig-types}
//! ::: case warm-education
//! ::: appendix
//! ::: table a1
//! ```

use crate::chart::{self, Chart, Series};
use crate::content::Content;
use crate::document::{Block, Caption, CatalogueKind, Figure, Image, Inline, Report};
use crate::format_zh;
use crate::template_problem::{ImageProblem, TemplateDiagnostic, TemplateProblem, TemplateProblems};
use nianbao_core::table_view::TableView;
use nianbao_core::value::format_decimal;
use nianbao_core::{Dataset, Framework, IndicatorIndex, SourcePosition, Value};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Everything a template is bound to.
pub struct Binding<'a> {
    pub framework: &'a Framework,
    pub dataset: &'a Dataset,
    /// The org unit the report is about.
    pub org: usize,
    pub year: i32,
    pub content: &'a Content,
    /// Name of the content file, for messages.
    pub content_file: &'a str,
    /// Loads an image named in the content or template (relative to its folder).
    pub load_image: &'a dyn Fn(&str) -> Result<Image, ImageProblem>,
}

impl std::fmt::Debug for Binding<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding").field("org", &self.org).field("year", &self.year).finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    #[serde(default)]
    title: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    date: String,
}

struct Builder<'a, 'b> {
    binding: &'b Binding<'a>,
    file: String,
    problems: Vec<TemplateDiagnostic>,
    blocks: Vec<Block>,
    headings: [u32; 3],
    tables: u32,
    appendix_tables: u32,
    figures: u32,
    cases: u32,
    in_appendix: bool,
    /// Label → printed number, for cross-references.
    labels: HashMap<String, String>,
    /// Where each cross-reference was written, for messages about unknown labels.
    pending_references: Vec<(String, SourcePosition)>,
}

/// Builds the report of `binding.org` for `binding.year` from a template.
pub fn build(file_name: &str, text: &str, binding: &Binding<'_>) -> Result<Report, TemplateProblems> {
    let org_name = binding.dataset.orgs.get(binding.org).map(|o| o.name.clone()).unwrap_or_default();
    let mut builder = Builder {
        binding,
        file: file_name.to_string(),
        problems: Vec::new(),
        blocks: Vec::new(),
        headings: [0; 3],
        tables: 0,
        appendix_tables: 0,
        figures: 0,
        cases: 0,
        in_appendix: false,
        labels: HashMap::new(),
        pending_references: Vec::new(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0;
    let mut front = FrontMatter::default();
    if lines.first().map(|l| l.trim()) == Some("+++") {
        match lines.iter().skip(1).position(|l| l.trim() == "+++") {
            Some(end) => {
                let toml_text = lines[1..=end].join("\n");
                match toml::from_str::<FrontMatter>(&toml_text) {
                    Ok(parsed) => front = parsed,
                    Err(error) => {
                        let index = nianbao_core::diagnostic::LineIndex::new(file_name, &toml_text);
                        let mut position = index.position(error.span().map(|s| s.start).unwrap_or(0));
                        position.line += 1;
                        builder.problem(
                            position,
                            TemplateProblem::FrontMatter { detail: error.message().trim().to_string() },
                        );
                    }
                }
                start = end + 2;
            }
            None => builder.problem(builder.position(1, 1), TemplateProblem::FrontMatterNotClosed),
        }
    }
    // The cover's texts are filled from the data; a placeholder that cannot be filled is an error
    // at its line, never printed.
    let mut cover = [front.title.clone(), front.issuer.clone(), front.date.clone()];
    for (key, text) in ["title", "issuer", "date"].into_iter().zip(cover.iter_mut()) {
        match fill_placeholders(text, &org_name, binding.year) {
            Ok(filled) => *text = filled,
            Err(name) => {
                let line = lines.iter().take(start).position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1);
                builder.problem(builder.position(line, 1), TemplateProblem::UnknownPlaceholder { name });
            }
        }
    }
    builder.lines(&lines, start, 0, &builder.file.clone());
    builder.resolve_references();
    if !builder.problems.is_empty() {
        return Err(TemplateProblems(builder.problems));
    }
    let [title, issuer, date] = cover;
    let mut report = Report {
        title,
        issuer,
        date,
        org_name,
        year: binding.year,
        sample_notice: (binding.content.meta.sample || binding.dataset.sample).then(|| {
            if binding.content.meta.notice.is_empty() {
                "样例：本报告含合成数据或示例文字，仅供演示。".to_string()
            } else {
                binding.content.meta.notice.clone()
            }
        }),
        blocks: builder.blocks,
    };
    // A catalogue with nothing to list (a report without figures or cases) is not printed.
    let empty: Vec<CatalogueKind> = [CatalogueKind::Tables, CatalogueKind::Figures, CatalogueKind::Cases]
        .into_iter()
        .filter(|kind| report.catalogue(*kind).is_empty())
        .collect();
    report.blocks.retain(|block| !matches!(block, Block::Catalogue(kind) if empty.contains(kind)));
    Ok(report)
}

/// The placeholders a cover text or a figure caption may hold.
pub const PLACEHOLDERS: [&str; 5] = ["org", "year", "next_year", "year_zh", "next_year_zh"];

/// Fills `{org}`, `{year}`, `{next_year}`, `{year_zh}` (二〇二四) and `{next_year_zh}` in `text`;
/// `Err` names the first `{name}` that is none of them (a placeholder must never be printed).
pub fn fill_placeholders(text: &str, org: &str, year: i32) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let name = &after[..name_end];
        if name.is_empty() || !after[name_end..].starts_with('}') {
            // Not a placeholder (a lone brace): printed as written.
            out.push('{');
            rest = after;
            continue;
        }
        match name {
            "org" => out.push_str(org),
            "year" => out.push_str(&year.to_string()),
            "next_year" => out.push_str(&(year + 1).to_string()),
            "year_zh" => out.push_str(&format_zh::year_in_numerals(year)),
            "next_year_zh" => out.push_str(&format_zh::year_in_numerals(year + 1)),
            unknown => return Err(unknown.to_string()),
        }
        rest = &after[name_end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl Builder<'_, '_> {
    fn position(&self, line: usize, column: usize) -> SourcePosition {
        SourcePosition { file: self.file.clone(), line, column }
    }

    fn problem(&mut self, position: SourcePosition, problem: TemplateProblem) {
        self.problems.push(TemplateDiagnostic { position, problem });
    }

    /// Parses template lines (or a narrative section's lines); `line_offset` maps to file lines.
    fn lines(&mut self, lines: &[&str], start: usize, line_offset: usize, file: &str) {
        let mut paragraph: Vec<(usize, &str)> = Vec::new();
        let saved_file = std::mem::replace(&mut self.file, file.to_string());
        for (index, raw) in lines.iter().enumerate().skip(start) {
            let line_number = index + 1 + line_offset;
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with("<!--") {
                self.flush_paragraph(&mut paragraph);
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix(":::") {
                self.flush_paragraph(&mut paragraph);
                let column = line.len() - trimmed.len() + 4;
                self.directive(rest.trim(), line_number, column);
                continue;
            }
            if trimmed.starts_with('#') {
                self.flush_paragraph(&mut paragraph);
                self.heading(trimmed, line_number);
                continue;
            }
            if let Some(note) = trimmed.strip_prefix("> ") {
                self.flush_paragraph(&mut paragraph);
                let inlines = self.inlines(note, line_number, line.len() - trimmed.len() + 3);
                self.blocks.push(Block::Note(inlines));
                continue;
            }
            paragraph.push((line_number, line));
        }
        self.flush_paragraph(&mut paragraph);
        self.file = saved_file;
    }

    fn flush_paragraph(&mut self, paragraph: &mut Vec<(usize, &str)>) {
        if paragraph.is_empty() {
            return;
        }
        let mut inlines = Vec::new();
        for (number, line) in paragraph.drain(..) {
            let leading = line.len() - line.trim_start().len();
            let parsed = self.inlines(line.trim(), number, leading + 1);
            // Lines of one paragraph join without a space between Chinese characters.
            let needs_space = matches!((inlines.last(), parsed.first()), (Some(Inline::Text(a)), Some(Inline::Text(b))) if a.ends_with(|c: char| c.is_ascii_alphanumeric()) && b.starts_with(|c: char| c.is_ascii_alphanumeric()));
            if needs_space {
                inlines.push(Inline::Text(" ".into()));
            }
            inlines.extend(parsed);
        }
        self.blocks.push(Block::Paragraph(inlines));
    }

    fn heading(&mut self, text: &str, line: usize) {
        let level = text.chars().take_while(|&c| c == '#').count();
        if !(1..=3).contains(&level) {
            self.problem(self.position(line, 1), TemplateProblem::HeadingLevel { found: level });
            return;
        }
        let mut title = text[level..].trim().to_string();
        let mut numbered = true;
        let mut anchor = None;
        if let Some(open) = title.rfind('{')
            && title.ends_with('}')
        {
            let attribute = title[open + 1..title.len() - 1].trim().to_string();
            title = title[..open].trim().to_string();
            if attribute == "-" {
                numbered = false;
            } else if let Some(label) = attribute.strip_prefix('#') {
                anchor = Some(label.to_string());
            } else {
                self.problem(self.position(line, open + 1), TemplateProblem::HeadingAttribute { attribute });
            }
        }
        let number = if numbered && !self.in_appendix {
            self.headings[level - 1] += 1;
            for deeper in &mut self.headings[level..] {
                *deeper = 0;
            }
            let parts: Vec<String> = self.headings[..level].iter().map(|n| n.to_string()).collect();
            Some(if level == 1 { format!("{}.", parts[0]) } else { parts.join(".") })
        } else {
            None
        };
        let anchor = anchor.unwrap_or_else(|| format!("sec-{}", self.blocks.len()));
        if let Some(number) = &number {
            self.labels.insert(anchor.clone(), number.trim_end_matches('.').to_string());
        }
        self.blocks.push(Block::Heading { level: level as u8, number, text: title, anchor });
    }

    /// Splits a directive line into words: bare words, "quoted strings", key="value", {#label}.
    fn words(text: &str) -> (Vec<String>, Option<String>) {
        let mut words = Vec::new();
        let mut label = None;
        let mut rest = text.trim();
        while !rest.is_empty() {
            if rest.starts_with("{#") {
                let end = rest.find('}').unwrap_or(rest.len());
                label = Some(rest[2..end].trim().to_string());
                rest = rest.get(end + 1..).unwrap_or("").trim_start();
                continue;
            }
            let mut word = String::new();
            let mut quoted = false;
            let mut consumed = rest.len();
            for (i, c) in rest.char_indices() {
                if c == '"' {
                    quoted = !quoted;
                    continue;
                }
                if c.is_whitespace() && !quoted {
                    consumed = i;
                    break;
                }
                word.push(c);
            }
            words.push(word);
            rest = rest[consumed..].trim_start();
        }
        (words, label)
    }

    fn directive(&mut self, text: &str, line: usize, column: usize) {
        let (words, label) = Self::words(text);
        let Some(name) = words.first() else {
            self.problem(self.position(line, column), TemplateProblem::BlockWithoutName);
            return;
        };
        let binding = self.binding;
        match name.as_str() {
            "contents" => self.blocks.push(Block::Catalogue(CatalogueKind::Contents)),
            "list-of-tables" => self.blocks.push(Block::Catalogue(CatalogueKind::Tables)),
            "list-of-figures" => self.blocks.push(Block::Catalogue(CatalogueKind::Figures)),
            "list-of-cases" => self.blocks.push(Block::Catalogue(CatalogueKind::Cases)),
            "pagebreak" => self.blocks.push(Block::PageBreak),
            "appendix" => self.in_appendix = true,
            "table" => {
                let Some(id) = words.get(1) else {
                    self.problem(self.position(line, column), TemplateProblem::TableWithoutId);
                    return;
                };
                let Some(table) = binding.framework.table(id) else {
                    let known = binding.framework.tables.iter().map(|t| t.id.clone()).collect();
                    self.problem(self.position(line, column), TemplateProblem::UnknownTable { id: id.clone(), known });
                    return;
                };
                let view = TableView::build(binding.framework, binding.dataset, table, binding.org, binding.year);
                let appendix = self.in_appendix || table.appendix;
                let number = if appendix {
                    self.appendix_tables += 1;
                    format!("附表 {}", self.appendix_tables)
                } else {
                    self.tables += 1;
                    format!("表 {}", self.tables)
                };
                let anchor = label.unwrap_or_else(|| format!("tab-{}", table.id));
                self.labels.insert(anchor.clone(), number.clone());
                self.blocks.push(Block::Table {
                    caption: Caption { anchor, number, text: view.caption.clone() },
                    view,
                    appendix,
                });
            }
            "chart" => self.chart(&words, label, line, column),
            "compare" => self.compare(&words, label, line, column),
            "figure" => {
                let (Some(file), Some(caption)) = (words.get(1), words.get(2)) else {
                    self.problem(self.position(line, column), TemplateProblem::FigureWithoutCaption);
                    return;
                };
                match (binding.load_image)(file) {
                    Ok(mut image) => {
                        let caption = self.figure_caption(label, caption, false, line, column);
                        // Read aloud and shown when the image cannot be: the caption, not a file name.
                        image.alt = caption.text.clone();
                        self.blocks.push(Block::Figure(Figure { caption, image }));
                    }
                    Err(problem) => self
                        .problem(self.position(line, column), TemplateProblem::Image { file: file.clone(), problem }),
                }
            }
            "narrative" => {
                let Some(key) = words.get(1) else {
                    self.problem(self.position(line, column), TemplateProblem::NarrativeWithoutKey);
                    return;
                };
                match binding.content.narrative.get(key.as_str()) {
                    Some(text) => {
                        let lines: Vec<&str> = text.lines().collect();
                        let file = format!("{}[narrative.{key}]", binding.content_file);
                        self.lines(&lines, 0, 0, &file);
                    }
                    None => {
                        let known = binding.content.narrative.keys().cloned().collect();
                        self.problem(
                            self.position(line, column),
                            TemplateProblem::UnknownNarrative { key: key.clone(), known },
                        );
                    }
                }
            }
            "case" => self.case(words.get(1).map(String::as_str), label, line, column),
            other => {
                self.problem(self.position(line, column), TemplateProblem::UnknownBlock { name: other.to_string() })
            }
        }
    }

    /// A figure's caption, numbered; placeholders in a template's caption are filled (a school's
    /// photo caption is printed as written: `literal`).
    fn figure_caption(
        &mut self,
        label: Option<String>,
        text: &str,
        literal: bool,
        line: usize,
        column: usize,
    ) -> Caption {
        self.figures += 1;
        let number = format!("图 {}", self.figures);
        let anchor = label.unwrap_or_else(|| format!("fig-{}", self.figures));
        self.labels.insert(anchor.clone(), number.clone());
        let text = if literal {
            text.to_string()
        } else {
            match fill_placeholders(text, &self.org_name(), self.binding.year) {
                Ok(filled) => filled,
                Err(name) => {
                    self.problem(self.position(line, column), TemplateProblem::UnknownPlaceholder { name });
                    text.to_string()
                }
            }
        };
        Caption { anchor, number, text }
    }

    /// The number of an indicator for the report's org unit, or a problem at (line, column) when it
    /// is missing or not applicable.
    fn number(&mut self, index: IndicatorIndex, year: i32, line: usize, column: usize) -> Option<Decimal> {
        self.number_of(self.binding.org, index, year, line, column)
    }

    /// The number of an indicator for the org unit at `org`, or a problem naming that unit.
    fn number_of(
        &mut self,
        org: usize,
        index: IndicatorIndex,
        year: i32,
        line: usize,
        column: usize,
    ) -> Option<Decimal> {
        let binding = self.binding;
        let indicator = binding.framework.indicator(index);
        let (id, label) = (indicator.id.clone(), indicator.label.clone());
        let value = binding.dataset.get(org, year, index);
        let org = binding.dataset.orgs.get(org).map(|o| o.name.clone()).unwrap_or_default();
        match value {
            Value::Number(n) => Some(*n),
            Value::NotApplicable => {
                self.problem(self.position(line, column), TemplateProblem::NotApplicable { id, label, org, year });
                None
            }
            _ => {
                self.problem(self.position(line, column), TemplateProblem::NoValue { id, label, org, year });
                None
            }
        }
    }

    fn org_name(&self) -> String {
        self.binding.dataset.orgs.get(self.binding.org).map(|o| o.name.clone()).unwrap_or_default()
    }

    /// The org units directly under the report's (a county's schools), in order; a problem when
    /// there are none.
    fn units(&mut self, line: usize, column: usize) -> Option<Vec<usize>> {
        let units: Vec<usize> = self.binding.dataset.children_of(self.binding.org).collect();
        if units.is_empty() {
            self.problem(self.position(line, column), TemplateProblem::NothingToCompare { org: self.org_name() });
            return None;
        }
        Some(units)
    }

    /// `::: compare "caption" id id …`: a table of the units under the report's org unit, one row
    /// each and the org unit's own figure last, one column per indicator (numbered as a 表).
    fn compare(&mut self, words: &[String], label: Option<String>, line: usize, column: usize) {
        let binding = self.binding;
        let Some(caption) = words.get(1) else {
            self.problem(self.position(line, column), TemplateProblem::CompareWithoutCaption);
            return;
        };
        let mut indicators = Vec::new();
        for id in &words[2..] {
            match binding.framework.lookup(id) {
                Some(index) => indicators.push(index),
                None => self.problem(
                    self.position(line, column),
                    TemplateProblem::UnknownIndicator { id: id.clone(), expression: words.join(" ") },
                ),
            }
        }
        if indicators.len() + 2 != words.len() {
            return;
        }
        if indicators.is_empty() {
            self.problem(self.position(line, column), TemplateProblem::CompareWithoutCaption);
            return;
        }
        let caption = match fill_placeholders(caption, &self.org_name(), binding.year) {
            Ok(filled) => filled,
            Err(name) => {
                self.problem(self.position(line, column), TemplateProblem::UnknownPlaceholder { name });
                return;
            }
        };
        let Some(view) =
            TableView::compare(binding.framework, binding.dataset, binding.org, binding.year, &indicators, &caption)
        else {
            self.problem(self.position(line, column), TemplateProblem::NothingToCompare { org: self.org_name() });
            return;
        };
        self.tables += 1;
        let number = format!("表 {}", self.tables);
        let anchor = label.unwrap_or_else(|| format!("tab-compare-{}", self.tables));
        self.labels.insert(anchor.clone(), number.clone());
        self.blocks.push(Block::Table { caption: Caption { anchor, number, text: caption }, view, appendix: false });
    }

    fn chart(&mut self, words: &[String], label: Option<String>, line: usize, column: usize) {
        let binding = self.binding;
        let (Some(kind), Some(caption)) = (words.get(1), words.get(2)) else {
            self.problem(self.position(line, column), TemplateProblem::ChartWithoutCaption);
            return;
        };
        let mut series = Vec::new();
        for word in &words[3..] {
            let (id, name) = match word.split_once('=') {
                Some((id, name)) => (id, name.to_string()),
                None => (word.as_str(), String::new()),
            };
            match binding.framework.lookup(id) {
                Some(index) => {
                    let name = if name.is_empty() { binding.framework.indicator(index).label.clone() } else { name };
                    series.push((index, name));
                }
                None => self.problem(
                    self.position(line, column),
                    TemplateProblem::UnknownIndicatorInChart { id: id.to_string() },
                ),
            }
        }
        if series.is_empty() {
            if words.len() <= 3 {
                self.problem(self.position(line, column), TemplateProblem::ChartWithoutIndicator);
            }
            return;
        }
        if kind == "compare" {
            self.compare_chart(&series, caption, label, line, column);
            return;
        }
        let years: Vec<i32> = match kind.as_str() {
            "pie" => vec![binding.year],
            "bar" => vec![binding.year - 1, binding.year],
            "line" => binding.dataset.years().into_iter().filter(|&y| y <= binding.year).collect(),
            other => {
                self.problem(
                    self.position(line, column),
                    TemplateProblem::UnknownChartKind { kind: other.to_string() },
                );
                return;
            }
        };
        let mut data = Vec::new();
        for (index, name) in &series {
            let values: Vec<Decimal> =
                years.iter().filter_map(|&year| self.number(*index, year, line, column)).collect();
            if values.len() == years.len() {
                let unit = binding.framework.indicator(*index).printed_unit().to_string();
                let decimals = binding.framework.indicator(*index).decimals;
                data.push(Series { name: name.clone(), values, unit, decimals });
            }
        }
        if data.len() != series.len() {
            return;
        }
        let caption = self.figure_caption(label, caption, false, line, column);
        let chart = Chart {
            title: caption.text.clone(),
            categories: years.iter().map(|y| format!("{y} 年")).collect(),
            series: data,
        };
        let svg = match kind.as_str() {
            "pie" => chart::pie(&chart),
            "bar" => chart::bar(&chart),
            _ => chart::line(&chart),
        };
        let image = Image { svg: Some(svg), raster: None, width_mm: 150, height_mm: 90, alt: caption.text.clone() };
        self.blocks.push(Block::Figure(Figure { caption, image }));
    }

    /// A bar chart of the units under the report's org unit in the report year: one bar per unit
    /// for each indicator. Every unit's figure must be given (none is drawn as zero).
    fn compare_chart(
        &mut self,
        series: &[(IndicatorIndex, String)],
        caption: &str,
        label: Option<String>,
        line: usize,
        column: usize,
    ) {
        let binding = self.binding;
        let Some(units) = self.units(line, column) else { return };
        let indicator = |index: IndicatorIndex| binding.framework.indicator(index);
        let first = indicator(series[0].0);
        if series.iter().any(|(index, _)| {
            indicator(*index).printed_unit() != first.printed_unit() || indicator(*index).decimals != first.decimals
        }) {
            self.problem(self.position(line, column), TemplateProblem::CompareChartMixed);
            return;
        }
        // One group per unit (named under it), one bar per indicator (named in the legend); a
        // unit without every figure (not given, or not yet approved) is left out, never drawn as 0.
        let mut data = Vec::new();
        for &unit in &units {
            let values: Vec<Decimal> = series
                .iter()
                .filter_map(|(index, _)| binding.dataset.get(unit, binding.year, *index).number())
                .collect();
            if values.len() == series.len() {
                data.push(Series {
                    name: binding.dataset.orgs[unit].name.clone(),
                    values,
                    unit: first.printed_unit().to_string(),
                    decimals: first.decimals,
                });
            }
        }
        if data.is_empty() {
            self.number_of(units[0], series[0].0, binding.year, line, column);
            return;
        }
        let drawn = data.len();
        let caption = self.figure_caption(label, caption, false, line, column);
        let chart = Chart {
            title: caption.text.clone(),
            categories: series.iter().map(|(_, name)| name.clone()).collect(),
            series: data,
        };
        let image = Image {
            svg: Some(chart::bar(&chart)),
            raster: None,
            width_mm: 150,
            height_mm: 90,
            alt: caption.text.clone(),
        };
        self.blocks.push(Block::Figure(Figure { caption, image }));
        // Units left out are said under the chart, so that it never reads as every unit.
        let left_out = units.len() - drawn;
        if left_out > 0 {
            self.blocks
                .push(Block::Note(vec![Inline::Text(format!("注：另有 {left_out} 个单位无数据，未列入本图。"))]));
        }
    }

    fn case(&mut self, key: Option<&str>, label: Option<String>, line: usize, column: usize) {
        let binding = self.binding;
        let Some(key) = key else {
            self.problem(self.position(line, column), TemplateProblem::CaseWithoutKey);
            return;
        };
        let Some(case) = binding.content.case(key) else {
            let known = binding.content.cases.iter().map(|c| c.key.clone()).collect();
            self.problem(self.position(line, column), TemplateProblem::UnknownCase { key: key.to_string(), known });
            return;
        };
        self.cases += 1;
        let number = format!("案例 {}", self.cases);
        let anchor = label.unwrap_or_else(|| format!("case-{key}"));
        self.labels.insert(anchor.clone(), number.clone());
        let file = format!("{}[case.{key}]", binding.content_file);
        let saved = std::mem::replace(&mut self.file, file);
        let mut paragraphs = Vec::new();
        for (index, paragraph) in case.text.split("\n\n").enumerate() {
            let joined: String = paragraph.lines().map(str::trim).collect::<Vec<_>>().join("");
            if joined.is_empty() {
                continue;
            }
            // A school's text is printed as written: braces in it are not bindings.
            paragraphs.push(if case.literal {
                vec![Inline::Text(joined)]
            } else {
                self.inlines(&joined, index + 1, 1)
            });
        }
        let mut figures = Vec::new();
        for photo in &case.photos {
            match (binding.load_image)(&photo.file) {
                Ok(mut image) => {
                    // Read aloud and shown when the image cannot be: the caption, not a file name.
                    if !photo.caption.trim().is_empty() {
                        image.alt = photo.caption.trim().to_string();
                    }
                    let caption = self.figure_caption(None, &photo.caption, case.literal, 1, 1);
                    figures.push(Figure { caption, image });
                }
                Err(problem) => {
                    self.problem(self.position(1, 1), TemplateProblem::Photo { file: photo.file.clone(), problem })
                }
            }
        }
        self.file = saved;
        self.blocks.push(Block::Case {
            caption: Caption { anchor, number, text: case.title.clone() },
            school: case.school.clone(),
            paragraphs,
            figures,
        });
    }

    /// Text with `{{ … }}` bindings; `column` is the 1-based column of the text's first character.
    fn inlines(&mut self, text: &str, line: usize, column: usize) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut rest = text;
        let mut consumed_chars = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                out.push(Inline::Text(rest[..open].to_string()));
            }
            let start_column = column + consumed_chars + rest[..open].chars().count();
            let Some(close) = rest[open..].find("}}") else {
                self.problem(self.position(line, start_column), TemplateProblem::UnclosedBinding);
                return out;
            };
            let expression = &rest[open + 2..open + close];
            let leading = expression.chars().take_while(|c| c.is_whitespace()).count();
            match self.binding_value(expression.trim(), line, start_column + 2 + leading) {
                Some(inline) => {
                    if let Inline::Reference { anchor, .. } = &inline {
                        self.pending_references.push((anchor.clone(), self.position(line, start_column)));
                    }
                    out.push(inline);
                }
                None => out.push(Inline::Text("?".into())),
            }
            consumed_chars += rest[..open + close + 2].chars().count();
            rest = &rest[open + close + 2..];
        }
        if !rest.is_empty() {
            out.push(Inline::Text(rest.to_string()));
        }
        out
    }

    /// Evaluates one binding: `name` or `name(arg, …)`.
    fn binding_value(&mut self, expression: &str, line: usize, column: usize) -> Option<Inline> {
        let binding = self.binding;
        let (name, args) = match expression.find('(') {
            Some(open) if expression.ends_with(')') => {
                let inner = &expression[open + 1..expression.len() - 1];
                (
                    expression[..open].trim(),
                    inner.split(',').map(str::trim).filter(|a| !a.is_empty()).collect::<Vec<_>>(),
                )
            }
            Some(_) => {
                self.problem(
                    self.position(line, column),
                    TemplateProblem::UnclosedParenthesis { expression: expression.to_string() },
                );
                return None;
            }
            None => (expression, Vec::new()),
        };
        let bound = |text: String, source: String| Some(Inline::Bound { text, source });
        let year = binding.year;
        match (name, args.len()) {
            ("year", 0) => return bound(year.to_string(), "year".into()),
            ("prev_year", 0) => return bound((year - 1).to_string(), "year".into()),
            ("org", 0) => return bound(self.org_name(), "org".into()),
            ("ref", 1) => {
                let anchor = args[0].trim_matches('"').to_string();
                return Some(Inline::Reference { text: String::new(), anchor });
            }
            _ => {}
        }
        let indicator = |builder: &mut Self, arg: &str| -> Option<IndicatorIndex> {
            let found = binding.framework.lookup(arg);
            if found.is_none() {
                builder.problem(
                    builder.position(line, column),
                    TemplateProblem::UnknownIndicator { id: arg.to_string(), expression: expression.to_string() },
                );
            }
            found
        };
        let source = |index: IndicatorIndex, year: i32| format!("{}@{year}", binding.framework.indicator(index).id);
        match (name, args.as_slice()) {
            ("value" | "pct" | "money" | "prev", [id]) | ("value" | "pct", [id, _]) => {
                let index = indicator(self, id)?;
                let offset = match args.get(1) {
                    Some(offset) => match offset.parse::<i32>() {
                        Ok(offset) if (-50..=0).contains(&offset) => offset,
                        _ => {
                            self.problem(
                                self.position(line, column),
                                TemplateProblem::YearOffset { offset: offset.to_string() },
                            );
                            return None;
                        }
                    },
                    None if name == "prev" => -1,
                    None => 0,
                };
                let value = self.number(index, year + offset, line, column)?;
                let indicator = binding.framework.indicator(index);
                let text = match name {
                    "pct" => format_zh::percent(value, indicator.decimals),
                    "money" => format_zh::money(value, indicator.printed_unit()),
                    _ => format_decimal(value, indicator.decimals),
                };
                bound(text, source(index, year + offset))
            }
            ("diff" | "change" | "growth", [id]) => {
                let index = indicator(self, id)?;
                let (now, before) =
                    (self.number(index, year, line, column), self.number(index, year - 1, line, column));
                let (now, before) = (now?, before?);
                let decimals = binding.framework.indicator(index).decimals;
                let text = match name {
                    "diff" => format_decimal((now - before).abs(), decimals),
                    "change" => format_zh::change(now - before, decimals),
                    _ => {
                        if before.is_zero() {
                            self.problem(
                                self.position(line, column),
                                TemplateProblem::GrowthFromZero {
                                    id: id.to_string(),
                                    label: binding.framework.indicator(index).label.clone(),
                                },
                            );
                            return None;
                        }
                        format_zh::growth((now - before) / before * Decimal::ONE_HUNDRED, 2)
                    }
                };
                bound(text, format!("{}@{}..{year}", binding.framework.indicator(index).id, year - 1))
            }
            // What to say when a figure is zero or not given: “获奖 {} 项” or “尚未获奖”.
            // Only a stated zero is said in words: a figure not given (or not applicable) is a
            // problem as in `value`, never printed as if it were zero.
            ("nonzero", [id, said, otherwise]) => {
                let index = indicator(self, id)?;
                let value = self.number(index, year, line, column)?;
                let (said, otherwise) = (said.trim_matches('"'), otherwise.trim_matches('"'));
                let text = if value.is_zero() {
                    otherwise.to_string()
                } else {
                    said.replace("{}", &format_decimal(value, binding.framework.indicator(index).decimals))
                };
                bound(text, source(index, year))
            }
            // The unit under the report's org unit with the largest (smallest) figure, with it:
            // “于都县第一中等职业学校（1 234 人）”; units tied are all named. Every unit's figure
            // must be given: a unit without one could be the largest.
            ("most" | "least", [id]) => {
                let index = indicator(self, id)?;
                let units = self.units(line, column)?;
                // Units without a figure (not given, or not yet approved) are left out, and the
                // sentence says how many: never a largest among some that reads as among all.
                let values: Vec<(usize, Decimal)> = units
                    .iter()
                    .filter_map(|&unit| binding.dataset.get(unit, year, index).number().map(|n| (unit, n)))
                    .collect();
                if values.is_empty() {
                    // Names the first unit's missing figure.
                    self.number_of(units[0], index, year, line, column);
                    return None;
                }
                let left_out = units.len() - values.len();
                let pick =
                    if name == "most" { values.iter().map(|v| v.1).max() } else { values.iter().map(|v| v.1).min() }?;
                let indicator = binding.framework.indicator(index);
                let names: Vec<&str> =
                    values.iter().filter(|v| v.1 == pick).map(|v| binding.dataset.orgs[v.0].name.as_str()).collect();
                let figure = if indicator.printed_unit() == "%" {
                    format_zh::percent(pick, indicator.decimals)
                } else {
                    format!("{} {}", format_decimal(pick, indicator.decimals), indicator.printed_unit())
                        .trim_end()
                        .to_string()
                };
                let note = if left_out > 0 {
                    format!("（另有 {left_out} 个单位无数据，未计入）")
                } else {
                    String::new()
                };
                // Every unit the same: nobody is the largest.
                if names.len() == values.len() && values.len() > 1 {
                    return bound(format!("各校相同（均为 {figure}）{note}"), source(index, year));
                }
                bound(format!("{}（{figure}）{note}", names.join("、")), source(index, year))
            }
            ("share", [part, whole]) => {
                let (part, whole) = (indicator(self, part), indicator(self, whole));
                let (part, whole) = (part?, whole?);
                let (a, b) = (self.number(part, year, line, column), self.number(whole, year, line, column));
                let (a, b) = (a?, b?);
                if b.is_zero() {
                    self.problem(
                        self.position(line, column),
                        TemplateProblem::ShareOfZero { whole: binding.framework.indicator(whole).label.clone() },
                    );
                    return None;
                }
                bound(
                    format_zh::percent(a / b * Decimal::ONE_HUNDRED, 2),
                    format!("{}/{}", source(part, year), source(whole, year)),
                )
            }
            _ => {
                self.problem(
                    self.position(line, column),
                    TemplateProblem::UnknownBinding { expression: expression.to_string() },
                );
                None
            }
        }
    }

    fn resolve_references(&mut self) {
        let mut unresolved = Vec::new();
        for block in &mut self.blocks {
            let inlines = match block {
                Block::Paragraph(inlines) | Block::Note(inlines) => inlines,
                _ => continue,
            };
            for inline in inlines.iter_mut() {
                if let Inline::Reference { anchor, text } = inline {
                    match self.labels.get(anchor.as_str()) {
                        Some(number) => *text = number.clone(),
                        None => unresolved.push(anchor.clone()),
                    }
                }
            }
        }
        for anchor in unresolved {
            let position = self
                .pending_references
                .iter()
                .find(|p| p.0 == anchor)
                .map(|p| p.1.clone())
                .unwrap_or_else(|| self.position(1, 1));
            self.problem(position, TemplateProblem::UnknownLabel { label: anchor });
        }
    }
}
