//! Golden files: compare output with `tests/expect/<name>`; `UPDATE_EXPECT=1` rewrites them.

use std::path::PathBuf;

fn expect_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expect").join(name)
}

/// Asserts that `actual` equals the golden file `name`, or rewrites it when UPDATE_EXPECT is set.
pub fn assert_expect(name: &str, actual: &str) {
    let path = expect_path(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("golden file {} is missing; run with UPDATE_EXPECT=1 to create it", path.display()));
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (e, a))| e != a)
            .map(|(n, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", n + 1))
            .unwrap_or_else(|| {
                format!(
                    "lengths differ: expected {} lines, actual {}",
                    expected.lines().count(),
                    actual.lines().count()
                )
            });
        panic!("output differs from {} ({first_difference}); run with UPDATE_EXPECT=1 to accept", path.display());
    }
}
