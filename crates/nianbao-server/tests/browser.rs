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

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (deployment, address) = runtime.block_on(async {
        let deployment = Deployment::new().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let app = nianbao_server::router(deployment.state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await
                .expect("serve")
        });
        (deployment, address)
    });
    let output = Command::new("node")
        .arg(e2e.join("walkthrough.mjs"))
        .env("BASE_URL", format!("http://{address}"))
        .env("PASSWORD", nianbao_server::demo::DEMO_PASSWORD)
        .env("ARTEFACTS", &artefacts)
        .env("CHROMIUM", &chromium)
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
    });
    let screenshots = std::fs::read_dir(&artefacts)
        .expect("artefacts")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png")));
    assert!(screenshots.count() >= 12, "a screenshot per step");
    assert!(std::fs::read(artefacts.join("downloaded-report.pdf")).expect("pdf").starts_with(b"%PDF-"));
}
