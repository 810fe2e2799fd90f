//! Integration tests of nianbao-report (one test binary; modules per area).

mod photos;
mod report;
mod table_output;
mod template_errors;

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compares with `tests/expect/<name>`, or rewrites it when UPDATE_EXPECT is set.
pub fn assert_expect(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expect").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_EXPECT=1", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a).map(|n| n + 1).unwrap_or(0);
        panic!("output differs from {} at line {line}; run with UPDATE_EXPECT=1 to accept", path.display());
    }
}
