//! Fuzz target: auditing any text or Markdown (structure, rebuilding, every check) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_io::printed::{DocumentKind, read_printed};
use std::sync::OnceLock;

fn framework() -> &'static nianbao_core::Framework {
    static FRAMEWORK: OnceLock<nianbao_core::Framework> = OnceLock::new();
    FRAMEWORK.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../frameworks/zhongzhi-2024.toml");
        nianbao_io::load_framework_file(std::path::Path::new(path)).expect("the bundled framework")
    })
}

fuzz_target!(|data: &[u8]| {
    let kind = if data.first().is_some_and(|b| b % 2 == 0) { DocumentKind::Text } else { DocumentKind::Markdown };
    if let Ok(document) = read_printed("fuzz", kind, data.get(1..).unwrap_or_default()) {
        let audit = nianbao_audit::audit_document(framework(), &document);
        let _ = nianbao_audit::output::text(std::slice::from_ref(&audit), false);
    }
});
