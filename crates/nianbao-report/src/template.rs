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
use nianbao_core::table_view::TableView;
use nianbao_core::value::format_decimal;
use nianbao_core::{Dataset, Diagnostic, Diagnostics, Framework, IndicatorIndex, Severity, SourcePosition, Value};
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
    pub load_image: &'a dyn Fn(&str) -> Result<Image, String>,
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
    problems: Vec<Diagnostic>,
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
pub fn build(file_name: &str, text: &str, binding: &Binding<'_>) -> Result<Report, Diagnostics> {
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
                        builder.problem(position, format!("front matter: {}", error.message().trim()));
                    }
                }
                start = end + 2;
            }
            None => builder.problem(builder.position(1, 1), "the front matter opened with +++ is never closed".into()),
        }
    }
    builder.lines(&lines, start, 0, &builder.file.clone());
    builder.resolve_references();
    if !builder.problems.is_empty() {
        return Err(Diagnostics(builder.problems));
    }
    let fill = |text: &str| text.replace("{org}", &org_name).replace("{year}", &binding.year.to_string());
    let mut report = Report {
        title: fill(&front.title),
        issuer: fill(&front.issuer),
        date: fill(&front.date),
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

impl Builder<'_, '_> {
    fn position(&self, line: usize, column: usize) -> SourcePosition {
        SourcePosition { file: self.file.clone(), line, column }
    }

    fn problem(&mut self, position: SourcePosition, message: String) {
        self.problems.push(Diagnostic { severity: Severity::Error, position: Some(position), message });
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
            self.problem(self.position(line, 1), format!("headings have one to three '#', found {level}"));
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
                self.problem(
                    self.position(line, open + 1),
                    format!("unknown heading attribute {{{attribute}}}; use {{-}} or {{#label}}"),
                );
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
            self.problem(self.position(line, column), "a ::: line needs a block name".into());
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
                    self.problem(self.position(line, column), "::: table needs a table id".into());
                    return;
                };
                let Some(table) = binding.framework.table(id) else {
                    let known: Vec<&str> = binding.framework.tables.iter().map(|t| t.id.as_str()).collect();
                    self.problem(self.position(line, column), format!("unknown table {id:?}; tables: {}", known.join(", ")));
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
                self.blocks.push(Block::Table { caption: Caption { anchor, number, text: view.caption.clone() }, view, appendix });
            }
            "chart" => self.chart(&words, label, line, column),
            "figure" => {
                let (Some(file), Some(caption)) = (words.get(1), words.get(2)) else {
                    self.problem(self.position(line, column), "::: figure needs a file and a \"caption\"".into());
                    return;
                };
                match (binding.load_image)(file) {
                    Ok(image) => {
                        let caption = self.figure_caption(label, caption);
                        self.blocks.push(Block::Figure(Figure { caption, image }));
                    }
                    Err(message) => self.problem(self.position(line, column), format!("image {file:?}: {message}")),
                }
            }
            "narrative" => {
                let Some(key) = words.get(1) else {
                    self.problem(self.position(line, column), "::: narrative needs a section key".into());
                    return;
                };
                match binding.content.narrative.get(key.as_str()) {
                    Some(text) => {
                        let lines: Vec<&str> = text.lines().collect();
                        let file = format!("{}[narrative.{key}]", binding.content_file);
                        self.lines(&lines, 0, 0, &file);
                    }
                    None => {
                        let known: Vec<&str> = binding.content.narrative.keys().map(String::as_str).collect();
                        self.problem(self.position(line, column), format!("no narrative section {key:?} in {}; sections: {}", binding.content_file, known.join(", ")));
                    }
                }
            }
            "case" => self.case(words.get(1).map(String::as_str), label, line, column),
            other => self.problem(
                self.position(line, column),
                format!("unknown block {other:?}; blocks: contents, list-of-tables, list-of-figures, list-of-cases, table, chart, figure, narrative, case, appendix, pagebreak"),
            ),
        }
    }

    fn figure_caption(&mut self, label: Option<String>, text: &str) -> Caption {
        self.figures += 1;
        let number = format!("图 {}", self.figures);
        let anchor = label.unwrap_or_else(|| format!("fig-{}", self.figures));
        self.labels.insert(anchor.clone(), number.clone());
        let text = text.replace("{org}", &self.org_name()).replace("{year}", &self.binding.year.to_string());
        Caption { anchor, number, text }
    }

    /// The number of an indicator for the report's org unit, or a problem at (line, column) when it
    /// is missing or not applicable.
    fn number(&mut self, index: IndicatorIndex, year: i32, line: usize, column: usize) -> Option<Decimal> {
        let binding = self.binding;
        let id = &binding.framework.indicator(index).id;
        match binding.dataset.get(binding.org, year, index) {
            Value::Number(n) => Some(*n),
            Value::NotApplicable => {
                self.problem(
                    self.position(line, column),
                    format!("{id} is not applicable for {} {year}", self.org_name()),
                );
                None
            }
            _ => {
                self.problem(self.position(line, column), format!("no value of {id} for {} {year}", self.org_name()));
                None
            }
        }
    }

    fn org_name(&self) -> String {
        self.binding.dataset.orgs.get(self.binding.org).map(|o| o.name.clone()).unwrap_or_default()
    }

    fn chart(&mut self, words: &[String], label: Option<String>, line: usize, column: usize) {
        let binding = self.binding;
        let (Some(kind), Some(caption)) = (words.get(1), words.get(2)) else {
            self.problem(
                self.position(line, column),
                "::: chart needs a kind (pie, bar, line) and a \"caption\"".into(),
            );
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
                None => self.problem(self.position(line, column), format!("unknown indicator {id:?} in chart")),
            }
        }
        if series.is_empty() {
            if words.len() <= 3 {
                self.problem(self.position(line, column), "a chart needs at least one indicator".into());
            }
            return;
        }
        let years: Vec<i32> = match kind.as_str() {
            "pie" => vec![binding.year],
            "bar" => vec![binding.year - 1, binding.year],
            "line" => binding.dataset.years().into_iter().filter(|&y| y <= binding.year).collect(),
            other => {
                self.problem(
                    self.position(line, column),
                    format!("unknown chart kind {other:?}; expected pie, bar or line"),
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
                data.push(Series { name: name.clone(), values, unit });
            }
        }
        if data.len() != series.len() {
            return;
        }
        let caption = self.figure_caption(label, caption);
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

    fn case(&mut self, key: Option<&str>, label: Option<String>, line: usize, column: usize) {
        let binding = self.binding;
        let Some(key) = key else {
            self.problem(self.position(line, column), "::: case needs a case key".into());
            return;
        };
        let Some(case) = binding.content.case(key) else {
            let known: Vec<&str> = binding.content.cases.iter().map(|c| c.key.as_str()).collect();
            self.problem(
                self.position(line, column),
                format!("no case {key:?} in {}; cases: {}", binding.content_file, known.join(", ")),
            );
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
                    let caption = self.figure_caption(None, &photo.caption);
                    figures.push(Figure { caption, image });
                }
                Err(message) => self.problem(self.position(1, 1), format!("photo {:?}: {message}", photo.file)),
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
                self.problem(self.position(line, start_column), "a binding opened with {{ is never closed".into());
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
                self.problem(self.position(line, column), format!("expected ')' at the end of {expression:?}"));
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
                    format!("unknown indicator {arg:?} in {{{{ {expression} }}}}"),
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
                                format!("year offset {offset:?} must be a whole number from -50 to 0"),
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
                                format!("growth of {id} is undefined: the previous year's value is 0"),
                            );
                            return None;
                        }
                        format_zh::growth((now - before) / before * Decimal::ONE_HUNDRED, 2)
                    }
                };
                bound(text, format!("{}@{}..{year}", binding.framework.indicator(index).id, year - 1))
            }
            ("share", [part, whole]) => {
                let (part, whole) = (indicator(self, part), indicator(self, whole));
                let (part, whole) = (part?, whole?);
                let (a, b) = (self.number(part, year, line, column), self.number(whole, year, line, column));
                let (a, b) = (a?, b?);
                if b.is_zero() {
                    self.problem(self.position(line, column), "share of a total that is 0".into());
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
                    format!("unknown binding {expression:?}; use value(id[, -1]), prev(id), pct(id), money(id), diff(id), change(id), growth(id), share(part, whole), ref(label), year, prev_year, org"),
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
            self.problem(position, format!("reference to unknown label {anchor:?}"));
        }
    }
}
