//! Hostile files: declared sizes far beyond the bytes present, archives that inflate to gigabytes,
//! NaN and infinities. Each gives a one-line error naming the file (and the array and index), and
//! nothing is allocated beyond what the file holds. Also replays the fuzzers' regression inputs
//! (`fuzz/regressions/<target>/`): each must load or fail cleanly, never panic.

use flate2::Compression;
use flate2::write::GzEncoder;
use ndarray::array;
use spinlearn_data::idx::parse_idx;
use spinlearn_data::npy::{
    NpzWriter, dataset_from_npz_bytes, encode_npy, parse_npy, parse_npz, read_npy,
};
use spinlearn_data::text::parse_text;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A `.npy` header (version 1.0) declaring `descr` and `shape`, with no data after it.
fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let mut h = dict.into_bytes();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(&h);
    out
}

/// A stored (uncompressed) zip holding one member `name` with `bytes`.
fn zip_one(name: &str, bytes: &[u8], compressed: bool) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let method = if compressed {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    w.start_file(
        name,
        SimpleFileOptions::default().compression_method(method),
    )
    .unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap();
    buf.into_inner()
}

#[test]
fn npy_declaring_more_than_it_holds_is_refused_before_allocating() {
    let p = Path::new("big.npy");
    // 2^40 float64 elements: 8 TiB, above any limit.
    let bytes = npy_header("<f8", "(1099511627776,)");
    assert!(bytes.len() <= 138, "{}", bytes.len());
    let e = parse_npy(&bytes, p).unwrap_err().to_string();
    assert!(
        e.starts_with("big.npy: the header declares shape [1099511627776]"),
        "{e}"
    );
    assert!(e.contains("above the limit"), "{e}");
    // (2^30, 2^30) float32 and a product that overflows 64 bits.
    let e = parse_npy(&npy_header("<f4", "(1073741824, 1073741824)"), p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("above the limit"), "{e}");
    let e = parse_npy(
        &npy_header("<f8", "(4294967296, 4294967296, 4294967296)"),
        p,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("overflow"), "{e}");
    // Within the limit but beyond the file: truncated, named, before reading.
    let e = parse_npy(&npy_header("<f8", "(1000,)"), p)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("big.npy: truncated"), "{e}");
    assert!(e.contains("8000 bytes") && e.contains("holds 0"), "{e}");
}

#[test]
fn npz_members_are_checked_as_streams() {
    let p = Path::new("a.npz");
    let big = zip_one("x.npy", &npy_header("<f8", "(1099511627776, 2)"), false);
    let e = parse_npz(&big, p).unwrap_err().to_string();
    assert!(e.starts_with("a.npz[x]: the header declares shape"), "{e}");
    // A member that inflates to 64 MiB of zeros after a header declaring 8 bytes.
    let mut member = npy_header("<f8", "(1,)");
    member.extend(std::iter::repeat_n(0u8, 64 << 20));
    let bomb = zip_one("x.npy", &member, true);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let e = parse_npz(&bomb, p).unwrap_err().to_string();
    assert!(e.starts_with("a.npz[x]: corrupt: extra bytes"), "{e}");
    // A member whose data stops early.
    let short = zip_one("x.npy", &npy_header("<f8", "(10,)"), true);
    let e = parse_npz(&short, p).unwrap_err().to_string();
    assert!(e.starts_with("a.npz[x]: truncated"), "{e}");
}

#[test]
fn gzip_is_inflated_as_a_stream_with_the_header_first() {
    let p = Path::new("bomb.gz");
    // An IDX header declaring 17 x 2^30 bytes: refused from the first bytes inflated.
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&[0, 0, 8, 2]).unwrap();
    gz.write_all(&17u32.to_be_bytes()).unwrap();
    gz.write_all(&(1u32 << 30).to_be_bytes()).unwrap();
    gz.write_all(&vec![0u8; 1 << 20]).unwrap();
    let e = parse_idx(&gz.finish().unwrap(), p, None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bomb.gz: dimensions [17, 1073741824]"), "{e}");
    assert!(e.contains("above the limit"), "{e}");
    // A small header followed by 64 MiB of zeros: the inflation stops one byte past the data.
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&[0, 0, 8, 1]).unwrap();
    gz.write_all(&4u32.to_be_bytes()).unwrap();
    gz.write_all(&vec![0u8; 64 << 20]).unwrap();
    let e = parse_idx(&gz.finish().unwrap(), p, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("trailing bytes after 4 elements"), "{e}");
    // 255 dimensions of 2^32 - 1: the product overflows.
    let mut raw = vec![0, 0, 8, 255];
    for _ in 0..255 {
        raw.extend_from_slice(&u32::MAX.to_be_bytes());
    }
    let e = parse_idx(&raw, p, None).unwrap_err().to_string();
    assert!(e.contains("overflow"), "{e}");
}

#[test]
fn nan_and_infinity_are_refused_with_file_array_and_index() {
    let p = Path::new("x.npy");
    let e = parse_npy(
        &encode_npy(&array![[0.0f32, 1.0], [f32::NAN, 1.0]]).unwrap(),
        p,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, "x.npy: non-finite value NaN at index [1, 0]");
    let e = parse_npy(&encode_npy(&array![1.0f64, f64::INFINITY]).unwrap(), p)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "x.npy: non-finite value inf at index [1]");
    let dir = std::env::temp_dir().join(format!("spinlearn-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let q = dir.join("d.npz");
    let mut w = NpzWriter::new(&q, true);
    w.add("data", &array![[0.0f32, f32::NEG_INFINITY]]).unwrap();
    w.finish().unwrap();
    let bytes = std::fs::read(&q).unwrap();
    let e = dataset_from_npz_bytes(&bytes, &q).unwrap_err().to_string();
    assert!(
        e.ends_with("d.npz[data]: non-finite value -inf at index [0, 1]"),
        "{e}"
    );
    // The file reader goes through the same checks.
    let r = dir.join("n.npy");
    std::fs::write(&r, encode_npy(&array![f64::NAN]).unwrap()).unwrap();
    assert!(read_npy(&r).unwrap_err().to_string().contains("NaN"));
    std::fs::remove_dir_all(&dir).ok();
    // Integer arrays and finite floats still load.
    assert!(parse_npy(&encode_npy(&array![1u8, 2]).unwrap(), p).is_ok());
}

fn regression_files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
}

/// Every saved fuzz input of the data loaders loads or fails with an error naming the source.
#[test]
fn fuzz_regressions_replay() {
    spinlearn_core::mem::set_limit(1 << 28);
    for f in regression_files("idx") {
        if let Err(e) = parse_idx(&std::fs::read(&f).unwrap(), Path::new("in.idx"), None) {
            assert!(e.to_string().starts_with("in.idx"), "{}: {e}", f.display());
        }
    }
    for f in regression_files("npy") {
        if let Err(e) = parse_npy(&std::fs::read(&f).unwrap(), Path::new("in.npy")) {
            assert!(e.to_string().starts_with("in.npy"), "{}: {e}", f.display());
        }
    }
    for f in regression_files("npz") {
        let bytes = std::fs::read(&f).unwrap();
        if let Err(e) = parse_npz(&bytes, Path::new("in.npz")) {
            assert!(e.to_string().starts_with("in.npz"), "{}: {e}", f.display());
        }
        let _ = dataset_from_npz_bytes(&bytes, Path::new("in.npz"));
    }
    for f in regression_files("text") {
        if let Ok(text) = std::str::from_utf8(&std::fs::read(&f).unwrap()) {
            for transpose in [false, true] {
                if let Err(e) = parse_text(text, Path::new("in.txt"), transpose) {
                    assert!(e.to_string().starts_with("in.txt"), "{}: {e}", f.display());
                }
            }
        }
    }
}
