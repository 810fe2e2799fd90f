//! The API against its own document: schemathesis (from PyPI, installed by `scripts/test.sh`
//! into `target/schemathesis/`) generates requests from `/api/v1/openapi.json` and checks every
//! answer against it — status codes documented, bodies as described, no 5xx. A missing
//! schemathesis fails the test.

use crate::support::*;
use std::process::Command;

#[test]
fn the_api_answers_as_its_openapi_document_says() {
    let schemathesis = std::env::var("SCHEMATHESIS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root().join("target/schemathesis/bin/schemathesis"));
    assert!(
        schemathesis.exists(),
        "schemathesis not found at {}: run scripts/test.sh (it installs it from PyPI into target/schemathesis)",
        schemathesis.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (deployment, address) = runtime.block_on(async {
        let deployment = Deployment::new().await;
        let address = deployment.serve_on_loopback().await;
        (deployment, address)
    });
    let token = runtime.block_on(deployment.token(COUNTY));
    let work = tempfile::tempdir().expect("temp dir");
    let output = Command::new(&schemathesis)
        .args(["run", &format!("http://{address}/api/v1/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", "40", "--seed", "20261202", "--no-color"])
        .current_dir(work.path())
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "schemathesis found failures\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stdout.contains("Tested: 9"), "every operation of the document was tested:\n{stdout}");
    assert!(!stdout.contains("failures,") && !stdout.contains("failure,"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_error_is_the_json_error_body() {
    let deployment = Deployment::new().await;
    let token = deployment.token(SCHOOL).await;
    for (method, path, body, status) in [
        ("GET", "/api/v1/orgs/yudu-s1/years/twenty/values", None, 400),
        ("GET", "/api/v1/orgs/yudu-s1/years/99999999999/values", None, 400),
        ("GET", "/api/v1/orgs/yudu-s1/years/3000/findings", None, 400),
        ("GET", "/api/v1/no-such-thing", None, 404),
        ("GET", "/api/v1/orgs/nowhere/years/2024/values", None, 404),
        ("POST", "/api/v1/orgs/yudu-s1/years/2024/submit", Some(r#"{"comment": {}}"#), 400),
        ("POST", "/api/v1/orgs/yudu-s1/years/2024/submit", Some(r#"{"other": "x"}"#), 400),
        ("POST", "/api/v1/orgs/yudu-s1/years/2024/publish", None, 404),
    ] {
        let (got, json) = api(&deployment, &token, method, path, body).await;
        assert_eq!(got.as_u16(), status, "{method} {path}: {json}");
        assert_eq!(json["error"]["status"], status, "{method} {path}: the JSON error body, got {json}");
        let message = json["error"]["message_zh"].as_str().expect("a Chinese message");
        assert!(!message.is_empty() && !message.is_ascii(), "{method} {path}: {message}");
    }
}
