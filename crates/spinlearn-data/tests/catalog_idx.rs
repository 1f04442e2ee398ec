//! The dataset catalog (every listed entry loads with its listed size; unknown names and bad sizes
//! are one-line errors) and the MNIST directory loader on small IDX files written here, including
//! truncated files and wrong magic numbers.

use flate2::Compression;
use flate2::write::GzEncoder;
use spinlearn_data::catalog::{list, load};
use spinlearn_data::idx::{encode_idx, read_idx};
use spinlearn_data::mnist;
use std::io::Write;
use std::path::{Path, PathBuf};

fn tmp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-data-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A fake MNIST directory: `n_train` and `n_test` images of 2 x 3 pixels (gzip for train, raw
/// for test), pixel k of image i = (i + k) mod 256, label i mod 10.
fn fake_mnist(dir: &Path, n_train: usize, n_test: usize) {
    let images = |n: usize| {
        let px: Vec<u8> = (0..n)
            .flat_map(|i| (0..6).map(move |k| ((i + k) % 256) as u8))
            .collect();
        encode_idx(&[n, 2, 3], &px)
    };
    let labels = |n: usize| encode_idx(&[n], &(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>());
    std::fs::write(dir.join("train-images-idx3-ubyte.gz"), gz(&images(n_train))).unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte.gz"), gz(&labels(n_train))).unwrap();
    std::fs::write(dir.join("t10k-images-idx3-ubyte"), images(n_test)).unwrap();
    std::fs::write(dir.join("t10k-labels-idx1-ubyte"), labels(n_test)).unwrap();
}

#[test]
fn every_listed_dataset_loads_with_its_listed_size() {
    for info in list() {
        if info.name == "mnist-test" {
            continue; // needs a directory, checked below
        }
        let d = load(&info.name, None).unwrap();
        assert_eq!(
            (d.n_samples(), d.n_features()),
            (info.n_samples, info.n_features),
            "{}",
            info.name
        );
    }
}

#[test]
fn unknown_names_and_missing_directory() {
    let e = load("cifar10", None).unwrap_err().to_string();
    assert!(e.contains("unknown dataset 'cifar10'"), "{e}");
    assert!(e.contains("bars<N>") && e.contains("mnist-test"), "{e}");
    assert!(!e.contains('\n'));
    let e = load("mnist-test", None).unwrap_err().to_string();
    assert!(e.contains("--mnist-dir"), "{e}");
    let e = load("mnist", Some(Path::new("/nonexistent/mnist")))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/mnist: "), "{e}");
}

#[test]
fn mnist_directory_loads_train_and_test() {
    let dir = tmp_dir("mnist-dir");
    fake_mnist(&dir, 25, 7);
    let train = load("mnist", Some(&dir)).unwrap();
    let test = load("mnist-test", Some(&dir)).unwrap();
    assert_eq!((train.n_samples(), train.n_features()), (25, 6));
    assert_eq!(test.n_samples(), 7);
    assert_eq!(train.image_shape, Some((2, 3)));
    // Image 3, pixel 4 = 7 / 255; label 3.
    assert_eq!(train.row(3)[4], 7.0 / 255.0);
    assert_eq!(train.labels.as_ref().unwrap()[13], 3);

    // A truncated image file: the error names the file.
    let f = dir.join("t10k-images-idx3-ubyte");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 5]).unwrap();
    let e = mnist::load_dir(&dir).unwrap_err().to_string();
    assert!(
        e.starts_with(&f.display().to_string()) && e.contains("truncated"),
        "{e}"
    );
    // Labels and images swapped: wrong magic.
    std::fs::write(
        &f,
        std::fs::read(dir.join("t10k-labels-idx1-ubyte")).unwrap(),
    )
    .unwrap();
    let e = mnist::load_dir(&dir).unwrap_err().to_string();
    assert!(
        e.contains("wrong IDX magic number 2049, expected 2051"),
        "{e}"
    );
    // A gzip file cut short.
    let g = dir.join("train-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&g).unwrap();
    std::fs::write(&g, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_idx(&g, None).unwrap_err().to_string();
    assert!(e.starts_with(&g.display().to_string()), "{e}");
    // Image and label counts that disagree.
    fake_mnist(&dir, 25, 7);
    std::fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        encode_idx(&[6], &[0, 1, 2, 3, 4, 5]),
    )
    .unwrap();
    let e = mnist::load_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("7 images but 6 labels"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
