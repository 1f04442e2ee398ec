//! IDX bytes (raw or gzip) must parse or give an error, never panic or allocate past the limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    spinlearn_core::mem::set_limit(1 << 28);
    let _ = spinlearn_data::idx::parse_idx(data, Path::new("fuzz.idx"), None);
});
