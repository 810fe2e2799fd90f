//! Integration tests of nianbao-core (one test binary; modules per area).

mod bundled_framework;
mod completeness;
mod extreme_values;
mod framework_loader;
mod subtree_roll_up;
mod table_view;
mod validation;

pub fn bundled_framework_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../frameworks/zhongzhi-2024.toml");
    std::fs::read_to_string(path).expect("bundled framework file")
}
