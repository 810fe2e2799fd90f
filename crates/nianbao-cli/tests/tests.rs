//! Integration tests of the `nianbao` binary (one test binary; modules per area).

mod audit;
mod database;
mod demo;
mod docx_native;
mod exchange;
mod expect;
mod framework_check;
mod reference_figures;
mod sample;
mod serve;
mod table_golden;
mod validate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Runs the built `nianbao` binary from the repository root.
pub fn nianbao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).current_dir(repository_root()).output().expect("run nianbao")
}

/// Runs `nianbao` and returns its stdout, failing the test on a non-zero exit.
pub fn nianbao_ok(args: &[&str]) -> String {
    let output = nianbao(args);
    assert!(output.status.success(), "nianbao {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}
