//! HTML: one self-contained file (styles and images inline), a print stylesheet, accessible tables.

use super::Options;
use crate::document::{Block, CatalogueKind, Figure, Image, Inline, Report, heading_text};
use crate::table_output::grid;
use base64::Engine;
use nianbao_core::TableLayout;
use nianbao_core::table_view::TableView;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --rule: #444; --muted: #666; }
body { font-family: "FangSong", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; color: var(--ink); max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.8; font-size: 16px; }
h1, h2, h3, h4, caption, figcaption { font-family: "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; } h3 { font-size: 1.25rem; } h4 { font-size: 1.1rem; }
p { text-indent: 2em; margin: 0.6em 0; }
.cover { text-align: center; padding: 6rem 0 4rem; } .cover h1 { font-size: 2rem; } .cover p { text-indent: 0; }
.sample { border: 2px solid #c44e52; color: #c44e52; padding: 0.5rem 1rem; text-indent: 0; display: inline-block; }
nav ol { list-style: none; padding-left: 0; } nav li.level-2 { padding-left: 2em; } nav a { color: inherit; text-decoration: none; }
table { border-collapse: collapse; margin: 0.5rem auto 1.5rem; font-size: 0.9rem; }
caption { caption-side: top; font-weight: bold; padding: 0.4rem; }
th, td { border: 1px solid var(--rule); padding: 0.2rem 0.5rem; }
th { background: #f2f2f2; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
th[scope=row] { text-align: left; font-weight: normal; background: none; }
th[scope=row].depth-1 { padding-left: 1.5em; } th[scope=row].depth-2 { padding-left: 2.5em; }
figure { margin: 1rem auto; text-align: center; } figure svg, figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.95rem; }
.case { border-left: 4px solid #2f6db5; padding: 0.2rem 1rem; margin: 1.5rem 0; background: #f7f9fc; }
.case .school { color: var(--muted); text-indent: 0; }
.note { color: var(--muted); font-size: 0.9rem; text-indent: 0; }
.bound { font-variant-numeric: tabular-nums; }
@media (max-width: 600px) {
  th, td { padding: 0.2rem 0.3rem; }
  th[scope=row] { min-width: 5em; }
}
@media print {
  body { max-width: none; margin: 0; font-size: 12pt; }
  @page { size: A4; margin: 25mm 20mm; }
  .cover, nav { page-break-after: always; }
  h2 { page-break-before: always; } nav h2 { page-break-before: auto; } .page-break { page-break-after: always; }
  table, figure, .case { page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Renders the report as one self-contained HTML file.
pub fn html(report: &Report, _options: &Options) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&report.title)
    ));
    out.push_str(&format!("<header class=\"cover\">\n<h1>{}</h1>\n", escape(&report.title)));
    if let Some(notice) = &report.sample_notice {
        out.push_str(&format!("<p class=\"sample\" role=\"note\">{}</p>\n", escape(notice)));
    }
    out.push_str(&format!("<p>{}</p>\n<p>{}</p>\n</header>\n<main>\n", escape(&report.issuer), escape(&report.date)));
    // A case's heading is one level under the section it ends (no level is skipped).
    let mut section_level = 2;
    for block in &report.blocks {
        match block {
            Block::Heading { level, number, text, anchor } => {
                // The cover holds the page's only <h1>; chapters are <h2>.
                let level = (*level).min(3) + 1;
                section_level = level;
                out.push_str(&format!(
                    "<h{level} id=\"{}\">{}</h{level}>\n",
                    escape(anchor),
                    escape(&heading_text(number.as_deref(), text))
                ));
            }
            Block::Paragraph(inlines) => out.push_str(&format!("<p>{}</p>\n", inline_html(inlines))),
            Block::Note(inlines) => out.push_str(&format!("<p class=\"note\">{}</p>\n", inline_html(inlines))),
            Block::Table { caption, view, .. } => out.push_str(&table_html(&caption.anchor, &caption.full(), view)),
            Block::Figure(figure) => out.push_str(&figure_html(figure)),
            Block::Case { caption, school, paragraphs, figures } => {
                out.push_str(&format!(
                    "<section class=\"case\" id=\"{}\" aria-labelledby=\"{}-title\">\n",
                    escape(&caption.anchor),
                    escape(&caption.anchor)
                ));
                let level = section_level + 1;
                out.push_str(&format!(
                    "<h{level} id=\"{}-title\">{}</h{level}>\n",
                    escape(&caption.anchor),
                    escape(&caption.full())
                ));
                out.push_str(&format!("<p class=\"school\">{}</p>\n", escape(school)));
                for paragraph in paragraphs {
                    out.push_str(&format!("<p>{}</p>\n", inline_html(paragraph)));
                }
                for figure in figures {
                    out.push_str(&figure_html(figure));
                }
                out.push_str("</section>\n");
            }
            Block::Catalogue(kind) => {
                out.push_str(&format!("<nav aria-label=\"{0}\">\n<h2>{0}</h2>\n<ol>\n", kind.title()));
                for entry in report.catalogue(*kind) {
                    let class = if *kind == CatalogueKind::Contents {
                        format!(" class=\"level-{}\"", entry.level)
                    } else {
                        String::new()
                    };
                    out.push_str(&format!(
                        "<li{class}><a href=\"#{}\">{}</a></li>\n",
                        escape(&entry.anchor),
                        escape(&entry.text)
                    ));
                }
                out.push_str("</ol>\n</nav>\n");
            }
            Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn inline_html(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) => escape(text),
            Inline::Strong(text) => format!("<strong>{}</strong>", escape(text)),
            Inline::Bound { text, source } => {
                format!("<span class=\"bound\" data-source=\"{}\">{}</span>", escape(source), escape(text))
            }
            Inline::Reference { anchor, text } => format!("<a href=\"#{}\">{}</a>", escape(anchor), escape(text)),
        })
        .collect()
}

/// An image as inline SVG, or a PNG or JPEG data URL.
pub fn image_html(image: &Image) -> String {
    match (&image.svg, &image.raster) {
        (Some(svg), _) => {
            svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(&image.alt)), 1)
        }
        (None, Some(raster)) => format!(
            "<img alt=\"{}\" style=\"max-width:100%;width:{}mm;height:auto\" src=\"data:{};base64,{}\">",
            escape(&image.alt),
            image.width_mm,
            raster.kind.mime(),
            base64::engine::general_purpose::STANDARD.encode(&raster.bytes)
        ),
        (None, None) => String::new(),
    }
}

fn figure_html(figure: &Figure) -> String {
    format!(
        "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(&figure.caption.anchor),
        image_html(&figure.image),
        escape(&figure.caption.full())
    )
}

/// A table with a caption, column headers (`scope="col"`) and row headers (`scope="row"`).
pub fn table_html(anchor: &str, title: &str, view: &TableView) -> String {
    let grid = grid(view);
    let mut out = format!("<table id=\"{}\">\n<caption>{}</caption>\n<thead>\n", escape(anchor), escape(title));
    if view.layout == TableLayout::SingleRow && grid.header.len() == 2 {
        // Group titles span their columns; ungrouped columns span both header rows.
        out.push_str("<tr>");
        let mut i = 0;
        while i < view.rows.len() {
            match view.rows[i].group.as_deref() {
                Some(group) => {
                    let span = view.rows[i..].iter().take_while(|r| r.group.as_deref() == Some(group)).count();
                    out.push_str(&format!("<th scope=\"colgroup\" colspan=\"{span}\">{}</th>", escape(group)));
                    i += span;
                }
                None => {
                    out.push_str(&format!("<th scope=\"col\" rowspan=\"2\">{}</th>", escape(&view.rows[i].header)));
                    i += 1;
                }
            }
        }
        out.push_str("</tr>\n<tr>");
        for row in view.rows.iter().filter(|r| r.group.is_some()) {
            out.push_str(&format!("<th scope=\"col\">{}</th>", escape(&row.header)));
        }
        out.push_str("</tr>\n");
    } else {
        for line in &grid.header {
            out.push_str("<tr>");
            for cell in line {
                out.push_str(&format!("<th scope=\"col\">{}</th>", escape(cell)));
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</thead>\n<tbody>\n");
    for (r, line) in grid.body.iter().enumerate() {
        out.push_str("<tr>");
        for (c, cell) in line.iter().enumerate() {
            if c == 0 && view.layout != TableLayout::SingleRow {
                let depth = if view.layout == TableLayout::IndicatorRows { view.rows[r].depth.min(2) } else { 0 };
                out.push_str(&format!("<th scope=\"row\" class=\"depth-{depth}\">{}</th>", escape(cell)));
            } else if grid.right.get(c).copied().unwrap_or(false) {
                out.push_str(&format!("<td class=\"number\">{}</td>", escape(cell)));
            } else {
                out.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}
