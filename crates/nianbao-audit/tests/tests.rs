//! The audit's integration tests: one binary, one module per area.

mod planted;

use std::path::PathBuf;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled framework.
pub fn framework() -> nianbao_core::Framework {
    nianbao_io::load_framework_file(&root().join("frameworks/zhongzhi-2024.toml")).expect("framework")
}
