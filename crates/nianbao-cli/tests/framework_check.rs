//! `nianbao framework check`: a summary for a good file, every problem with its position for a bad one.

use crate::{nianbao, nianbao_ok};

#[test]
fn bundled_framework_checks_clean() {
    let output = nianbao_ok(&["framework", "check", "frameworks/zhongzhi-2024.toml"]);
    assert!(output.contains("frameworks/zhongzhi-2024.toml: ok"), "{output}");
    assert!(output.contains("9 tables, 166 indicators (+24 survey companions), 123 appendix rows"), "{output}");
}

#[test]
fn broken_framework_fails_with_positions() {
    let dir = std::env::temp_dir().join(format!("nianbao-framework-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let original =
        std::fs::read_to_string(crate::repository_root().join("frameworks/zhongzhi-2024.toml")).expect("read");
    let broken = original.replacen("unit = \"门\"", "unit = \"门课\"", 1).replacen(
        "parent = \"a1.further_study\"",
        "parent = \"a1.further\"",
        1,
    );
    let path = dir.join("broken.toml");
    std::fs::write(&path, broken).expect("write");
    let output = nianbao(&["framework", "check", path.to_str().expect("utf-8 path")]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: unknown unit \"门课\""), "{stderr}");
    assert!(stderr.contains("error: parent refers to unknown indicator \"a1.further\""), "{stderr}");
    assert!(stderr.contains("broken.toml: 2 error(s)"), "{stderr}");
}
