//! The walk-through in real Chromium (playwright-core from npm, Debian's chromium): runs
//! `e2e/walkthrough.mjs` against a server on a loopback port. Screenshots of every step are
//! written to `target/e2e-artefacts/`. A missing node, playwright-core or chromium fails the test.

use crate::support::*;
use std::process::Command;

#[test]
fn walkthrough_in_chromium() {
    let root = root();
    let e2e = root.join("e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix e2e` (scripts/test.sh does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(std::path::Path::new(&chromium).exists(), "Chromium not found at {chromium}: apt-get install chromium");
    let artefacts = root.join("target/e2e-artefacts");
    let _ = std::fs::remove_dir_all(&artefacts);
    std::fs::create_dir_all(&artefacts).expect("artefacts");
    // The school's case photo: a real JPEG, as a phone would send.
    let photo = artefacts.join("case-photo.jpg");
    std::fs::write(&photo, sample_jpeg(800, 500)).expect("photo");

    // A published report for the reviewer to audit: nianbao's own Ganzhou report as Markdown, with
    // a case titled differently in its list of cases.
    let report = artefacts.join("audited-report.md");
    std::fs::write(&report, crate::audit::planted_report()).expect("report");

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (deployment, address) = runtime.block_on(async {
        let deployment = Deployment::new().await;
        let address = deployment.serve_on_loopback().await;
        (deployment, address)
    });
    let output = Command::new("node")
        .arg(e2e.join("walkthrough.mjs"))
        .env("BASE_URL", format!("http://{address}"))
        .env("PASSWORD", nianbao_server::demo::DEMO_PASSWORD)
        .env("ARTEFACTS", &artefacts)
        .env("CHROMIUM", &chromium)
        .env("PHOTO", &photo)
        .env("REPORT", &report)
        .output()
        .expect("node must be installed to run the browser walk-through");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "walk-through failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stdout.contains("walk-through passed"), "{stdout}");
    // What the browser did is what the store holds.
    runtime.block_on(async {
        let submission = deployment.store.submission("yudu-s1", 2024).await.expect("submission");
        assert_eq!(submission.status, nianbao_store::SubmissionStatus::Approved);
        let publications = deployment.store.publications().await.expect("publications");
        // The county's report (by its reviewer) and the city's (by its editor), newest first.
        let who: Vec<(&str, &str)> =
            publications.iter().map(|p| (p.org_id.as_str(), p.published_by.as_str())).collect();
        assert_eq!(who, [("ganzhou", CITY), ("yudu", COUNTY)]);
        // The city report prints the school's picked case with its photo in every format.
        let city = publications[0].id;
        let file = |kind| {
            let store = deployment.store.clone();
            async move { store.publication_file(city, kind).await.expect("file").expect("present") }
        };
        let html = String::from_utf8(file(nianbao_store::PublicationFile::Html).await).expect("utf-8");
        assert!(html.contains("校企共建智能制造实训室"), "HTML lacks the picked case");
        assert!(html.contains("data:image/jpeg;base64,"), "HTML lacks the case's photo");
        let docx = file(nianbao_store::PublicationFile::Docx).await;
        let document = zip_entry(&docx, "word/document.xml");
        assert!(document.contains("校企共建智能制造实训室"), "DOCX lacks the picked case");
        assert!(document.contains("样例照片：学生在共建实训室练习"), "DOCX lacks the photo's caption");
        let pdf = file(nianbao_store::PublicationFile::Pdf).await;
        let pdf_path = artefacts.join("city-report.pdf");
        std::fs::write(&pdf_path, &pdf).expect("pdf");
        std::fs::write(artefacts.join("city-report.docx"), &docx).expect("docx");
        let text = Command::new("pdftotext").arg(&pdf_path).arg("-").output().expect("pdftotext (poppler-utils)");
        let text = String::from_utf8_lossy(&text.stdout).replace([' ', '\n'], "");
        assert!(text.contains("校企共建智能制造实训室"), "PDF lacks the picked case");
        assert!(text.contains("样例照片：学生在共建实训室练习"), "PDF lacks the photo's caption");
        // One numbering in every format: the case and photo numbers the browser saw.
        let numbers = std::fs::read_to_string(artefacts.join("picked-case.txt")).expect("picked-case.txt");
        for line in numbers.lines() {
            let compact = line.replace(' ', "");
            assert!(text.contains(&compact), "PDF numbers the case or its photo differently from HTML: {line}");
        }
    });
    let screenshots = std::fs::read_dir(&artefacts)
        .expect("artefacts")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png")));
    assert!(screenshots.count() >= 12, "a screenshot per step");
    assert!(std::fs::read(artefacts.join("downloaded-report.pdf")).expect("pdf").starts_with(b"%PDF-"));
}

/// A JPEG photo of `width` × `height` pixels (a gradient).
fn sample_jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

/// One file of a zip archive as text.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    archive.by_name(name).expect("entry").read_to_string(&mut text).expect("read");
    text
}
