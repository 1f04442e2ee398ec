//! .npy/.npz round trips for each dtype, reading files built by an independent writer (the Python
//! standard library following the NPY format specification, see tests/data/make_fixtures.py), and
//! the errors on truncated, corrupt, wrong-dtype and wrong-ndim files.

use ndarray::{Array2, ArrayD, IxDyn, arr0, array};
use spinlearn_data::npy::{
    NpyArray, NpzWriter, parse_npy, read_npy, read_npy_dataset, read_npy_f32, read_npy_f64,
    read_npz, write_npy, write_npz,
};
use std::path::{Path, PathBuf};

fn tmp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-data-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A version-1.0 .npy file built by hand from the format specification.
fn handmade_npy(descr: &str, shape: &str, fortran: bool, payload: &[u8]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn npy_round_trip_each_dtype() {
    let dir = tmp_dir("npy-rt");
    let p = dir.join("a.npy");

    let f64s = array![[1.0, -2.5, 1e-300], [f64::MAX, 0.0, 3.25]];
    write_npy(&p, &f64s).unwrap();
    let back = read_npy(&p).unwrap();
    assert_eq!(back.dtype(), "float64");
    assert_eq!(back, NpyArray::from(f64s.clone()));
    assert_eq!(read_npy_f64(&p).unwrap(), f64s);

    let f32s = array![[0.5f32, -1.0, 7.0]];
    write_npy(&p, &f32s).unwrap();
    assert_eq!(read_npy(&p).unwrap().dtype(), "float32");
    assert_eq!(read_npy_f32(&p).unwrap(), f32s);

    let u8s = array![[0u8, 255], [17, 1]];
    write_npy(&p, &u8s).unwrap();
    assert_eq!(read_npy(&p).unwrap().dtype(), "uint8");
    assert_eq!(
        read_npy_f32(&p).unwrap(),
        array![[0.0f32, 255.0], [17.0, 1.0]]
    );

    let i8s = array![-128i8, -1, 0, 127];
    write_npy(&p, &i8s).unwrap();
    assert_eq!(read_npy(&p).unwrap().dtype(), "int8");
    // 1-D becomes one column.
    assert_eq!(
        read_npy_f32(&p).unwrap(),
        array![[-128.0f32], [-1.0], [0.0], [127.0]]
    );

    let bools = array![[true, false, false], [false, true, true]];
    write_npy(&p, &bools).unwrap();
    assert_eq!(read_npy(&p).unwrap().dtype(), "bool");
    assert_eq!(
        read_npy_f64(&p).unwrap(),
        array![[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]
    );

    // No temporary file is left behind.
    assert!(!dir.join("a.npy.partial").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn npy_reads_handmade_files() {
    let p = Path::new("hand.npy");
    // Little-endian f8, C order.
    let mut payload = Vec::new();
    for x in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.5] {
        payload.extend_from_slice(&x.to_le_bytes());
    }
    let a = parse_npy(&handmade_npy("<f8", "(2, 3)", false, &payload), p).unwrap();
    assert_eq!(
        a.to_f64_2d(p).unwrap(),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]
    );
    // Big-endian i4.
    let mut payload = Vec::new();
    for x in [1i32, -2, 300] {
        payload.extend_from_slice(&x.to_be_bytes());
    }
    let a = parse_npy(&handmade_npy(">i4", "(3,)", false, &payload), p).unwrap();
    assert_eq!(a.dtype(), "int32");
    assert_eq!(
        a.to_f64().into_raw_vec_and_offset().0,
        vec![1.0, -2.0, 300.0]
    );
    // Fortran order: column-major bytes 1, 3, 2, 4 are the matrix [[1, 2], [3, 4]].
    let a = parse_npy(&handmade_npy("|u1", "(2, 2)", true, &[1, 3, 2, 4]), p).unwrap();
    assert_eq!(a.to_f32_2d(p).unwrap(), array![[1.0f32, 2.0], [3.0, 4.0]]);
    // 3-D: a dataset of 2 images of 1 x 2 pixels.
    let dir = tmp_dir("npy-3d");
    let f = dir.join("imgs.npy");
    std::fs::write(&f, handmade_npy("|u1", "(2, 1, 2)", false, &[0, 1, 1, 0])).unwrap();
    let ds = read_npy_dataset(&f).unwrap();
    assert_eq!(ds.name, "imgs");
    assert_eq!(ds.image_shape, Some((1, 2)));
    assert_eq!(ds.data, array![[0.0f32, 1.0], [1.0, 0.0]]);
    // ... which read_npy_f32 refuses, naming the file and the dimensions.
    let e = read_npy_f32(&f).unwrap_err().to_string();
    assert!(e.starts_with(&f.display().to_string()), "{e}");
    assert!(e.contains("expected 1 or 2, found 3"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn npy_bad_files() {
    let p = Path::new("bad.npy");
    let good = handmade_npy("<f4", "(4,)", false, &[0u8; 16]);
    assert!(parse_npy(&good, p).is_ok());
    // Truncated data.
    let e = parse_npy(&good[..good.len() - 1], p)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bad.npy: truncated"), "{e}");
    // Truncated header.
    let e = parse_npy(&good[..20], p).unwrap_err().to_string();
    assert!(e.starts_with("bad.npy: truncated .npy header"), "{e}");
    // Extra bytes.
    let mut long = good.clone();
    long.push(0);
    let e = parse_npy(&long, p).unwrap_err().to_string();
    assert!(e.contains("extra bytes"), "{e}");
    // Wrong magic.
    let mut wrong = good.clone();
    wrong[1] = b'X';
    let e = parse_npy(&wrong, p).unwrap_err().to_string();
    assert!(e.starts_with("bad.npy: not a .npy file"), "{e}");
    assert!(parse_npy(b"", p).is_err());
    // Corrupt header dictionary.
    let mut corrupt = good.clone();
    corrupt[12] = b'#';
    let e = parse_npy(&corrupt, p).unwrap_err().to_string();
    assert!(e.starts_with("bad.npy: corrupt .npy header"), "{e}");
    // Unsupported dtype.
    let c = handmade_npy("<c8", "(1,)", false, &[0u8; 8]);
    let e = parse_npy(&c, p).unwrap_err().to_string();
    assert!(e.contains("unsupported dtype '<c8'"), "{e}");
    // Invalid bool byte.
    let b = handmade_npy("|b1", "(2,)", false, &[1, 2]);
    assert!(
        parse_npy(&b, p)
            .unwrap_err()
            .to_string()
            .starts_with("bad.npy: ")
    );
    // Missing file.
    let e = read_npy(Path::new("/nonexistent/x.npy"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/x.npy: "), "{e}");
}

#[test]
fn npz_round_trip_each_dtype() {
    let dir = tmp_dir("npz-rt");
    for compressed in [false, true] {
        let p = dir.join(format!("model-{compressed}.npz"));
        let w = array![[0.1, -0.2], [0.3, 0.4], [5.0, 6.0]];
        let mut npz = NpzWriter::new(&p, compressed);
        npz.add("w", &w).unwrap();
        npz.add("a", &array![1.5f32, -2.0]).unwrap();
        npz.add("img", &array![[0u8, 200]]).unwrap();
        npz.add("xi", &array![[-1i8, 1], [1, -1]]).unwrap();
        npz.add("mask", &array![true, false]).unwrap();
        npz.add_scalar("beta", 0.75).unwrap();
        npz.add("w_view", &w.t()).unwrap();
        // A repeated or empty name is refused.
        assert!(npz.add("w", &w).is_err());
        assert!(npz.add("", &w).is_err());
        npz.finish().unwrap();

        let r = read_npz(&p).unwrap();
        assert_eq!(
            r.names(),
            vec!["w", "a", "img", "xi", "mask", "beta", "w_view"]
        );
        assert_eq!(r.f64_2d("w").unwrap(), w);
        assert_eq!(r.get("a").unwrap().dtype(), "float32");
        assert_eq!(r.f64_1d("a").unwrap(), array![1.5, -2.0]);
        assert_eq!(r.get("img").unwrap().dtype(), "uint8");
        assert_eq!(r.f32_2d("img").unwrap(), array![[0.0f32, 200.0]]);
        assert_eq!(r.get("xi").unwrap().dtype(), "int8");
        assert_eq!(r.f64_2d("xi").unwrap(), array![[-1.0, 1.0], [1.0, -1.0]]);
        assert_eq!(r.get("mask").unwrap().dtype(), "bool");
        assert_eq!(r.f64_1d("mask").unwrap(), array![1.0, 0.0]);
        assert_eq!(r.scalar_f64("beta").unwrap(), 0.75);
        assert_eq!(r.f64_2d("w_view").unwrap(), w.t().to_owned());
        let e = r.f64_2d("nope").unwrap_err().to_string();
        assert!(
            e.contains("no array named 'nope'") && e.contains("w, a, img"),
            "{e}"
        );
        let e = r.f64_1d("w").unwrap_err().to_string();
        assert!(
            e.contains("[w]") && e.contains("expected 1, found 2"),
            "{e}"
        );
    }

    // write_npz with owned arrays.
    let p = dir.join("owned.npz");
    let xi: ArrayD<i8> =
        ArrayD::from_shape_vec(IxDyn(&[2, 2, 2]), vec![1, -1, 1, 1, -1, -1, 1, 1]).unwrap();
    write_npz(
        &p,
        &[
            ("xi", NpyArray::from(xi.clone())),
            ("n", NpyArray::from(arr0(3u64))),
        ],
    )
    .unwrap();
    let r = read_npz(&p).unwrap();
    assert_eq!(r.get("xi").unwrap(), &NpyArray::I8(xi));
    assert_eq!(r.scalar_f64("n").unwrap(), 3.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn npz_reads_handmade_archives() {
    let r = read_npz(&fixture("handmade.npz")).unwrap();
    assert_eq!(r.names(), vec!["w", "counts", "img", "mask", "beta"]);
    assert_eq!(
        r.f64_2d("w").unwrap(),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]
    );
    assert_eq!(r.get("counts").unwrap().dtype(), "int32");
    assert_eq!(r.f64_1d("counts").unwrap(), array![1.0, -2.0, 300.0]);
    assert_eq!(r.f32_2d("img").unwrap(), array![[1.0f32, 2.0], [3.0, 4.0]]);
    assert_eq!(r.f64_1d("mask").unwrap(), array![1.0, 0.0]);
    assert_eq!(r.scalar_f64("beta").unwrap(), 0.25);

    // A stored (uncompressed) archive whose second member has an unsupported dtype.
    let p = fixture("handmade_stored.npz");
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(e.contains("handmade_stored.npz[c]"), "{e}");
    assert!(e.contains("unsupported dtype"), "{e}");
}

#[test]
fn npz_bad_files() {
    let dir = tmp_dir("npz-bad");
    let p = dir.join("m.npz");
    let mut npz = NpzWriter::new(&p, true);
    npz.add("w", &Array2::<f64>::ones((20, 20))).unwrap();
    npz.finish().unwrap();
    let bytes = std::fs::read(&p).unwrap();
    // Truncated archive: the zip directory at the end is gone.
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_npz(&p).unwrap_err().to_string();
    assert!(e.starts_with(&p.display().to_string()), "{e}");
    assert!(e.contains("corrupt .npz"), "{e}");
    // Not a zip at all (an .npy given as .npz).
    let q = dir.join("x.npz");
    write_npy(&q, &array![1.0f64]).unwrap();
    let e = read_npz(&q).unwrap_err().to_string();
    assert!(e.contains("not an .npz file"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dataset_npz_and_npy_export_round_trip() {
    use spinlearn_data::npy::{read_dataset_npz, write_dataset_npy, write_dataset_npz};
    let dir = tmp_dir("ds-export");
    let bas = spinlearn_data::generate::bars_and_stripes(3).unwrap();
    let p = dir.join("bas3.npz");
    write_dataset_npz(&p, &bas).unwrap();
    let back = read_dataset_npz(&p).unwrap();
    assert_eq!(back, bas);
    let paths = write_dataset_npy(&dir, "bas3", &bas).unwrap();
    assert_eq!(paths.len(), 2);
    assert_eq!(read_npy_f32(&paths[0]).unwrap(), bas.data);
    let labels = read_npy(&paths[1]).unwrap();
    assert_eq!(labels.dtype(), "uint8");
    assert_eq!(labels.shape(), &[12]);
    // A dataset file whose image shape does not fit its features is refused.
    let mut w = NpzWriter::new(&p, false);
    w.add("data", &bas.data).unwrap();
    w.add("image_shape", &array![2u64, 2]).unwrap();
    w.finish().unwrap();
    let e = read_dataset_npz(&p).unwrap_err().to_string();
    assert!(e.contains("does not match 9 features"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
