//! `nianbao sample` is deterministic and the committed sample is exactly what it generates.

use crate::{nianbao_ok, repository_root};

#[test]
fn committed_sample_is_what_the_generator_writes() {
    let root = repository_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let framework = root.join("frameworks/zhongzhi-2024.toml");
    std::fs::write(
        dir.path().join("dataset.toml"),
        format!("[dataset]\nname = \"样例\"\nframework = {:?}\nsample = true\n", framework.display().to_string()),
    )
    .expect("write");
    std::fs::copy(root.join("datasets/ganzhou-sample/orgs.csv"), dir.path().join("orgs.csv")).expect("copy");
    let out = dir.path().to_str().expect("utf-8 path");
    nianbao_ok(&["sample", "--published", "datasets/ganzhou", "--out", out, "--org", "ganzhou", "--seed", "2024"]);
    let generated = std::fs::read_to_string(dir.path().join("values.csv")).expect("generated");
    let committed = std::fs::read_to_string(root.join("datasets/ganzhou-sample/values.csv")).expect("committed");
    assert!(generated == committed, "datasets/ganzhou-sample/values.csv is stale: run `nianbao sample`");
}
