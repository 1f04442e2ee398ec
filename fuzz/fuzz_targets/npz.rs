//! `.npz` bytes must parse or give an error, never panic or allocate past the limit; a parsed
//! archive is also read as a dataset.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    spinlearn_core::mem::set_limit(1 << 28);
    let _ = spinlearn_data::npy::parse_npz(data, Path::new("fuzz.npz"));
    let _ = spinlearn_data::npy::dataset_from_npz_bytes(data, Path::new("fuzz.npz"));
});
