//! Markdown (GFM): headings, paragraphs, pipe tables, images as data URLs, catalogues as lists.

use super::Options;
use crate::document::{Block, Image, Inline, Report, heading_text};
use crate::table_output::markdown_titled;
use base64::Engine;

fn image_markdown(image: &Image, caption: &str) -> String {
    let (mime, data) = match (&image.svg, &image.raster) {
        (Some(svg), _) => ("image/svg+xml", svg.as_bytes().to_vec()),
        (None, Some(raster)) => (raster.kind.mime(), raster.bytes.clone()),
        (None, None) => return String::new(),
    };
    format!("![{caption}](data:{mime};base64,{})", base64::engine::general_purpose::STANDARD.encode(data))
}

fn inline_markdown(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) | Inline::Bound { text, .. } => text.clone(),
            Inline::Strong(text) => format!("**{text}**"),
            Inline::Reference { anchor, text } => format!("[{text}](#{anchor})"),
        })
        .collect()
}

/// Renders the report as Markdown.
pub fn markdown(report: &Report, _options: &Options) -> String {
    let mut out = format!("# {}\n\n", report.title);
    if let Some(notice) = &report.sample_notice {
        out.push_str(&format!("> {notice}\n\n"));
    }
    out.push_str(&format!("{}  \n{}\n\n", report.issuer, report.date));
    // A case's heading is one level under the section it ends (no level is skipped).
    let mut section_level = 2;
    for block in &report.blocks {
        match block {
            Block::Heading { level, number, text, anchor } => {
                section_level = usize::from(*level) + 1;
                out.push_str(&format!(
                    "{} {} {{#{anchor}}}\n\n",
                    "#".repeat(section_level),
                    heading_text(number.as_deref(), text)
                ));
            }
            Block::Paragraph(inlines) => out.push_str(&format!("{}\n\n", inline_markdown(inlines))),
            Block::Note(inlines) => out.push_str(&format!("> {}\n\n", inline_markdown(inlines))),
            Block::Table { caption, view, .. } => {
                out.push_str(&format!(
                    "<a id=\"{}\"></a>\n\n{}\n",
                    caption.anchor,
                    markdown_titled(view, &caption.full())
                ));
            }
            Block::Figure(figure) => {
                out.push_str(&format!(
                    "<a id=\"{}\"></a>\n\n{}\n\n*{}*\n\n",
                    figure.caption.anchor,
                    image_markdown(&figure.image, &figure.caption.full()),
                    figure.caption.full()
                ));
            }
            Block::Case { caption, school, paragraphs, figures } => {
                out.push_str(&format!(
                    "<a id=\"{}\"></a>\n\n{} {}\n\n*{school}*\n\n",
                    caption.anchor,
                    "#".repeat(section_level + 1),
                    caption.full()
                ));
                for paragraph in paragraphs {
                    out.push_str(&format!("{}\n\n", inline_markdown(paragraph)));
                }
                for figure in figures {
                    out.push_str(&format!(
                        "{}\n\n*{}*\n\n",
                        image_markdown(&figure.image, &figure.caption.full()),
                        figure.caption.full()
                    ));
                }
            }
            Block::Catalogue(kind) => {
                out.push_str(&format!("**{}**\n\n", kind.title()));
                for entry in report.catalogue(*kind) {
                    let indent = if entry.level > 1 { "    " } else { "" };
                    out.push_str(&format!("{indent}- [{}](#{})\n", entry.text, entry.anchor));
                }
                out.push('\n');
            }
            Block::PageBreak => out.push_str("---\n\n"),
        }
    }
    out
}
