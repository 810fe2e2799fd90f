//! Fuzz target: the framework loader returns diagnostics, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nianbao_core::Framework::from_toml("fuzz.toml", text);
    }
});
