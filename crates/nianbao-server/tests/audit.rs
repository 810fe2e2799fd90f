//! Auditing published reports in the browser: a reviewer uploads reports (and a zip of them) and
//! gets the audit at their places, with downloads; unreadable files are named; a school clerk
//! may not; nothing is stored.

use crate::support::*;
use axum::http::{StatusCode, header};
use std::io::Write;

/// nianbao's own Ganzhou report as Markdown, with one inconsistency planted: a case titled
/// differently in the list of cases.
pub fn planted_report() -> Vec<u8> {
    let loaded = nianbao_io::load_dataset_dir(&root().join("datasets/ganzhou")).expect("dataset");
    let org = loaded.dataset.org_index("ganzhou").expect("city");
    let report = nianbao_server::render::build_report(&loaded.framework, &loaded.dataset, org, 2024, &[], &[])
        .expect("the Ganzhou report builds");
    let markdown = nianbao_report::render::markdown::markdown(&report, &Default::default());
    let planted = markdown.replacen("- [案例 15 红色资源融入课程思政]", "- [案例 15 红色资源融入思政课程]", 1);
    assert_ne!(planted, markdown, "the list of cases names 案例 15");
    planted.into_bytes()
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        for (name, bytes) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }
    buffer.into_inner()
}

async fn upload(deployment: &Deployment, user: &str, files: &[(&str, &[u8])]) -> (StatusCode, String) {
    // The session's CSRF token goes in the request's header (Deployment::request).
    let mut fields: Vec<(&str, &str, &[u8])> = Vec::new();
    for (name, bytes) in files {
        fields.push(("files", name, bytes));
    }
    let (content_type, body) = multipart(&fields);
    let request = deployment
        .request(Some(user), "POST", "/app/audit")
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .expect("request");
    deployment.send_read(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_audits_uploaded_reports_and_a_school_clerk_may_not() {
    let deployment = Deployment::new().await;
    let report = planted_report();
    let zip = zip_of(&[
        ("county/report.md", &report),
        ("county/notes.xlsx", b"not audited"),
        ("county/broken.docx", b"not a docx"),
    ]);
    let publications_before = deployment.store.publications().await.expect("list").len();
    let (status, page) = upload(&deployment, COUNTY, &[("ganzhou-2024.md", &report), ("reports.zip", &zip)]).await;
    assert_eq!(status, StatusCode::OK, "{page:.500}");
    // Both copies are audited (the loose file and the zip's), each finding the planted title…
    assert!(page.contains("2 份报告的审查结果"), "{page:.2000}");
    let planted = "案例目录中为“案例 15 红色资源融入思政课程”，正文中为“案例 15 红色资源融入课程思政”，两者应一致";
    assert_eq!(page.matches(planted).count(), 2, "the planted title is found in each copy");
    // …at its line, with the figures' own inconsistencies from the framework's rules.
    assert!(page.contains("第 82 行"), "the place is named");
    assert!(page.contains("表 2 的行业导师应与附表 6 的聘请行业导师人数一致"), "the rules run on the rebuilt data");
    // The broken file in the zip is named with its reason, in Chinese; the spreadsheet is skipped.
    assert!(page.contains("reports.zip/county/broken.docx：不是有效的 DOCX 文件"), "{page:.3000}");
    assert!(!page.contains("notes.xlsx"), "only report files are audited");
    // The same audit to download.
    assert!(page.contains("download=\"audit.html\"") && page.contains("data:text/html;charset=utf-8;base64,"));
    assert!(page.contains("download=\"audit.json\""));
    assert!(!page.contains("catalogue_title") && !page.contains("the list of cases"), "no English on a Chinese page");
    // Nothing is stored.
    assert_eq!(deployment.store.publications().await.expect("list").len(), publications_before);
    // A school clerk may not; the form is linked from a reviewer's home page only.
    let (status, _) = upload(&deployment, SCHOOL, &[("ganzhou-2024.md", &report)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let home = deployment
        .send(deployment.request(Some(COUNTY), "GET", "/app").body(axum::body::Body::empty()).expect("r"))
        .await;
    assert!(body_text(home).await.contains("href=\"/app/audit\""), "the reviewer's home links the audit");
    // More reports than one audit takes, in a zip: refused whole, saying how many, not cut short.
    let names: Vec<String> = (0..=nianbao_server::audit::MAX_AUDIT_DOCUMENTS).map(|n| format!("r{n}.md")).collect();
    let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), "# 报告".as_bytes())).collect();
    let (status, page) = upload(&deployment, CITY, &[("many.zip", &zip_of(&many))]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("一次最多审查 50 份报告"), "{page:.500}");
    // An upload without a report says what to choose.
    let (status, page) = upload(&deployment, CITY, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("请选择要审查的报告文件"), "{page:.500}");
}
