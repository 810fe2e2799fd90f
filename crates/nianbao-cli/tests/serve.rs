//! `nianbao serve` and `nianbao user`: the binary seeds a demo, serves, answers, and shuts down
//! gracefully on SIGTERM; accounts and tokens from the command line work against it.

use crate::{nianbao, repository_root};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn get(address: &str, path: &str, token: Option<&str>) -> Option<String> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_answers_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("serve.sqlite");
    let db = db.to_str().expect("path");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("address").port()
    };
    let address = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["serve", "--demo", "--db", db, "--bind", &address, "--log-format", "json"])
        .current_dir(repository_root())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nianbao serve");
    let started = Instant::now();
    let mut portal = None;
    while started.elapsed() < Duration::from_secs(120) {
        if let Some(response) = get(&address, "/", None) {
            portal = Some(response);
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let portal = portal.expect("the server should answer within two minutes");
    assert!(portal.starts_with("HTTP/1.1 200"), "{portal}");
    assert!(portal.contains("尚无已发布的报告"), "nothing is published in a fresh demo");

    // An account and a token made by the CLI work against the running server (SQLite WAL).
    let add = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["user", "add", "ruijin-clerk", "--role", "school", "--org", "ruijin-s1", "--db", db])
        .env("NIANBAO_PASSWORD", "river stones at dawn")
        .current_dir(repository_root())
        .output()
        .expect("user add");
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let short = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["user", "add", "x", "--role", "school", "--org", "ruijin-s1", "--db", db])
        .env("NIANBAO_PASSWORD", "short")
        .current_dir(repository_root())
        .output()
        .expect("user add");
    assert!(!short.status.success(), "a short password is refused");
    let common = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["user", "add", "x", "--role", "school", "--org", "ruijin-s1", "--db", db])
        .env("NIANBAO_PASSWORD", "Password2024!")
        .current_dir(repository_root())
        .output()
        .expect("user add");
    assert!(!common.status.success(), "a common password is refused");
    assert!(
        String::from_utf8_lossy(&common.stderr).contains("too common"),
        "{}",
        String::from_utf8_lossy(&common.stderr)
    );
    let token = nianbao(&["user", "token", "ruijin-clerk", "--db", db]);
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).expect("utf-8").trim().to_string();
    let orgs = get(&address, "/api/v1/orgs", Some(&token)).expect("API answers");
    assert!(orgs.starts_with("HTTP/1.1 200") && orgs.contains("ruijin-s1") && !orgs.contains("yudu-s1"), "{orgs}");

    // Revoking reports how many tokens went (a running server forgets cached ones within a minute).
    let revoke = nianbao(&["user", "revoke", "ruijin-clerk", "--db", db]);
    assert!(revoke.status.success() && String::from_utf8_lossy(&revoke.stdout).contains("revoked 1"));

    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let exit = server.wait().expect("wait");
    let mut log = String::new();
    server.stderr.take().expect("stderr").read_to_string(&mut log).expect("log");
    assert!(exit.success(), "a graceful shutdown exits 0: {exit:?}\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    // Structured logs: one JSON object per line.
    let json_lines = log.lines().filter(|line| line.starts_with('{')).count();
    assert!(json_lines >= 2, "{log}");
    assert!(log.contains("\"message\":\"nianbao serving\""), "{log}");
}
