//! Text rasters must parse or give an error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let p = Path::new("fuzz.txt");
        let _ = spinlearn_data::text::parse_text(text, p, false);
        let _ = spinlearn_data::text::parse_text(text, p, true);
    }
});
