//! The DOCX of every level is Word-native: a TOC field for the contents and one over each caption
//! style for the 表/图/案例 catalogues, with their entries and the PDF's page numbers cached;
//! captions numbered by SEQ fields, cross-references as REF fields; valid against the OOXML
//! schema (Microsoft's Open XML SDK validator).

use crate::nianbao_ok;
use std::io::Read;
use std::path::Path;

fn part(docx: &Path, name: &str) -> String {
    let bytes = std::fs::read(docx).expect("docx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut text).expect("utf-8");
    text
}

/// The texts of `<w:t>` elements in a piece of document XML, joined.
fn texts(xml: &str) -> String {
    xml.split("<w:t xml:space=\"preserve\">")
        .skip(1)
        .filter_map(|t| t.split("</w:t>").next())
        .collect::<String>()
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Each catalogue entry of the DOCX: its bookmark, its text and its cached page number.
fn catalogue_entries(document: &str) -> Vec<(String, String, String)> {
    document
        .split("<w:hyperlink w:anchor=\"")
        .skip(1)
        .map(|link| {
            let bookmark = link.split('"').next().unwrap_or("").to_string();
            let link = link.split("</w:hyperlink>").next().unwrap_or("");
            let (entry, page) = link.split_once("PAGEREF").unwrap_or((link, ""));
            (bookmark, texts(entry), texts(page))
        })
        .collect()
}

/// The cached results of the fields with an instruction starting with `instruction`, in order.
fn field_results(document: &str, instruction: &str) -> Vec<String> {
    document
        .split(&format!("<w:instrText> {instruction}"))
        .skip(1)
        .map(|rest| texts(rest.split("w:fldCharType=\"end\"").next().unwrap_or("")))
        .collect()
}

/// Text without spaces, word joiners (the PDF's catalogue puts one before each page number) and
/// leader dots.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '\u{2060}' && *c != '.').collect()
}

#[test]
fn every_levels_docx_is_word_native_with_the_pdfs_pages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("demo");
    nianbao_ok(&["demo", "--out", out.to_str().expect("utf-8 path")]);
    let validator = std::env::var("NIANBAO_OOXML_VALIDATOR").expect(
        "NIANBAO_OOXML_VALIDATOR must name the OOXML validator (scripts/test.sh installs it from e2e/package-lock.json)",
    );
    for stem in ["ganzhou-2024", "jiangxi-2024", "yudu-2024", "yudu-s1-2024"] {
        let docx = out.join(format!("{stem}.docx"));
        let document = part(&docx, "word/document.xml");

        // The contents is a TOC field over Heading 1–3; each catalogue one over its caption style.
        assert!(
            document.contains("<w:instrText> TOC \\o \"1-3\" \\h \\z \\u </w:instrText>"),
            "{stem}: contents field"
        );
        assert!(
            document.contains("<w:instrText> TOC \\h \\z \\t \"Table Caption,1\" </w:instrText>"),
            "{stem}: 表目录"
        );

        // Every entry links to its bookmark and caches a page number: the page the PDF prints in
        // its own catalogue line for that entry (the audit checks those against the real pages).
        let pdf = std::process::Command::new("pdftotext")
            .args(["-layout", out.join(format!("{stem}.pdf")).to_str().expect("path"), "-"])
            .output()
            .expect("pdftotext (apt-get install poppler-utils)");
        let pdf_text = String::from_utf8_lossy(&pdf.stdout).to_string();
        let pdf_lines: Vec<String> = pdf_text.lines().map(squeeze).collect();
        let entries = catalogue_entries(&document);
        assert!(entries.len() >= 10, "{stem}: {} catalogue entries", entries.len());
        for (bookmark, text, page) in &entries {
            assert!(document.contains(&format!("w:name=\"{bookmark}\"")), "{stem}: {text} links to a bookmark");
            assert!(!page.is_empty() && page.chars().all(|c| c.is_ascii_digit()), "{stem}: {text} caches {page:?}");
            let wanted = format!("{}{page}", squeeze(text));
            assert!(
                pdf_lines.iter().any(|line| line.starts_with(&squeeze(text)) && line.ends_with(&wanted)),
                "{stem}: the DOCX lists {text} on page {page}, the PDF's catalogue does not"
            );
        }

        // Captions are numbered by SEQ fields counting 1, 2, 3 … per label, as printed.
        for label in ["表", "附表", "图", "案例"] {
            let numbers = field_results(&document, &format!("SEQ {label} \\* ARABIC"));
            let expected: Vec<String> = (1..=numbers.len()).map(|n| n.to_string()).collect();
            assert_eq!(numbers, expected, "{stem}: SEQ {label}");
            let printed = entries.iter().filter(|(_, text, _)| text.starts_with(&format!("{label} "))).count();
            assert_eq!(numbers.len(), printed, "{stem}: every {label} caption is numbered by a field");
        }
        assert!(field_results(&document, "SEQ 附表").len() >= 6, "{stem}: 附表 1–6");

        // Chapter headings alone use the built-in heading styles; no placeholder is printed.
        let headings = document.matches("<w:pStyle w:val=\"Heading1\" />").count();
        let contents_level_one = document.matches("<w:pStyle w:val=\"TOC1\" />").count();
        assert!(headings >= 5 && contents_level_one >= headings, "{stem}: {headings} chapters");
        assert!(!document.contains("{org}") && !document.contains("{year}"), "{stem}: a placeholder");

        // Valid against the OOXML schema.
        let output = std::process::Command::new(&validator)
            .arg(&docx)
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .output()
            .unwrap_or_else(|e| panic!("the OOXML validator {validator} did not run: {e}"));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("validator output: {e}: {}", String::from_utf8_lossy(&output.stdout)));
        assert_eq!(report["ok"], serde_json::Value::Bool(true), "{stem}: {report:#}");
    }
    // A reference in the city's text to a table follows the table's number (a REF field).
    let city = part(&out.join("ganzhou-2024.docx"), "word/document.xml");
    let references = field_results(&city, "REF _Ref_nb");
    assert!(
        !references.is_empty() && references.iter().all(|r| r.starts_with('表') || r.starts_with('图')),
        "{references:?}"
    );
}
