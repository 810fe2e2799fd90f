//! A generated corpus of broken and hostile documents, each with its expected outcome: refused
//! with a reason (in Chinese and English), or audited without a panic and without reading what is
//! not there. Real input is messy: a PDF cut short, a Word file renamed, a GBK text, a zip bomb.

use crate::*;
use nianbao_io::printed::{DocumentKind, PrintedReadError, read_printed};
use std::io::Write;

/// What a document must lead to.
#[derive(Debug)]
enum Outcome {
    /// Refused, with this reason.
    Refused(fn(&PrintedReadError) -> bool),
    /// Read and audited; at most this many values read.
    Audited { most_values: usize },
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }
    buffer.into_inner()
}

fn corpus() -> Vec<(&'static str, DocumentKind, Vec<u8>, Outcome)> {
    let markdown = ganzhou_markdown().as_bytes().to_vec();
    let docx = nianbao_report::render::docx::docx(&ganzhou_report(), &Default::default()).expect("docx");
    let pdf = nianbao_report::render::pdf::pdf(&ganzhou_report(), &Default::default()).expect("pdf");
    let gbk_like: Vec<u8> = vec![0xb8, 0xd3, 0xd6, 0xdd, 0xca, 0xd0, 0x0a, 0xb1, 0xed];
    let entity_bomb = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><w:document xmlns:w=\"x\"><w:body>{}</w:body></w:document>",
        "<w:p><w:r><w:t>&b;</w:t></w:r></w:p>".repeat(10)
    );
    let deep = format!(
        "<w:document xmlns:w=\"x\"><w:body>{}{}</w:body></w:document>",
        "<w:tbl><w:tr><w:tc>".repeat(2000),
        "</w:tc></w:tr></w:tbl>".repeat(2000)
    );
    // 80 MB of zeros inflated from a small part: more than the audit reads.
    let zeros = vec![b'a'; 80 << 20];
    let mut table_only = String::from("附表 1 人才培养质量计分卡\n");
    for n in 0..5000 {
        table_only.push_str(&format!("毕业生人数\t人\t{n}\t{n}\n"));
    }
    vec![
        ("empty.txt", DocumentKind::Text, Vec::new(), Outcome::Audited { most_values: 0 }),
        ("gbk.txt", DocumentKind::Text, gbk_like, Outcome::Refused(|e| matches!(e, PrintedReadError::NotUtf8))),
        (
            "binary.md",
            DocumentKind::Markdown,
            (0..=255u8).cycle().take(4096).collect(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::NotUtf8)),
        ),
        (
            "cut.md",
            DocumentKind::Markdown,
            markdown[..markdown.len() / 3].to_vec(),
            Outcome::Audited { most_values: 282 },
        ),
        (
            "renamed.docx",
            DocumentKind::Docx,
            markdown.clone(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::DocxUnreadable { .. })),
        ),
        (
            "cut.docx",
            DocumentKind::Docx,
            docx[..docx.len() / 2].to_vec(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::DocxUnreadable { .. })),
        ),
        (
            "no-document.docx",
            DocumentKind::Docx,
            zip_of(&[("word/other.xml", b"<x/>")]),
            Outcome::Refused(|e| matches!(e, PrintedReadError::DocxUnreadable { .. })),
        ),
        (
            "entities.docx",
            DocumentKind::Docx,
            zip_of(&[("word/document.xml", entity_bomb.as_bytes())]),
            Outcome::Audited { most_values: 0 },
        ),
        (
            "deep.docx",
            DocumentKind::Docx,
            zip_of(&[("word/document.xml", deep.as_bytes())]),
            Outcome::Audited { most_values: 0 },
        ),
        (
            "inflated.docx",
            DocumentKind::Docx,
            zip_of(&[("word/document.xml", &zeros)]),
            Outcome::Refused(|e| matches!(e, PrintedReadError::TooLarge { .. })),
        ),
        (
            "renamed.pdf",
            DocumentKind::Pdf,
            docx.clone(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::PdfUnreadable { .. })),
        ),
        (
            "cut.pdf",
            DocumentKind::Pdf,
            pdf[..pdf.len() / 2].to_vec(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::PdfUnreadable { .. })),
        ),
        (
            "no-text.pdf",
            DocumentKind::Pdf,
            b"%PDF-1.4\n%%EOF\n".to_vec(),
            Outcome::Refused(|e| matches!(e, PrintedReadError::PdfUnreadable { .. })),
        ),
        ("rows.txt", DocumentKind::Text, table_only.into_bytes(), Outcome::Audited { most_values: 2 }),
    ]
}

#[test]
fn broken_and_hostile_documents_are_refused_or_read_within_bounds() {
    for (name, kind, bytes, outcome) in corpus() {
        let read = read_printed(name, kind, &bytes);
        match (&outcome, read) {
            (Outcome::Refused(expected), Err(error)) => {
                assert!(expected(&error), "{name}: refused for another reason: {error:?}");
                let (zh, en) = (error.message_zh(), error.message_en());
                // Said in Chinese: the operating system's or the library's English detail stays out.
                assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{name}: {zh}");
                assert!(!zh.contains("Invalid") && !zh.contains("error") && !zh.contains("EOCD"), "{name}: {zh}");
                assert!(!en.is_empty(), "{name}");
            }
            (Outcome::Audited { most_values }, Ok(document)) => {
                let audit = audit_document(&loaded().framework, &document);
                assert!(audit.values_rebuilt() <= *most_values, "{name}: {} values read", audit.values_rebuilt());
            }
            (outcome, result) => panic!("{name}: expected {outcome:?}, got {:?}", result.map(|d| d.lines.len())),
        }
    }
}
