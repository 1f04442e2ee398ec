//! `.npy` bytes must parse or give an error, never panic or allocate past the limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    spinlearn_core::mem::set_limit(1 << 28);
    let p = Path::new("fuzz.npy");
    if let Ok(a) = spinlearn_data::npy::parse_npy(data, p) {
        let _ = a.to_f64_2d(p);
    }
});
