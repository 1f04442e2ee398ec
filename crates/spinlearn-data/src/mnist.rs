//! MNIST: the embedded 10,000-digit subset (compiled into the library from `data/mnist10k/`, see
//! its PROVENANCE.md) and the loader of a user's full MNIST directory.
//!
//! Pixels are scaled to [0, 1] (byte / 255); images are 28 x 28 row-major; labels are digits 0..9.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::idx::{IdxArray, parse_idx, read_idx};
use ndarray::Array2;
use std::path::{Path, PathBuf};

const EMBEDDED_IMAGES: &[u8] =
    include_bytes!("../../../data/mnist10k/mnist10k-images-idx3-ubyte.gz");
const EMBEDDED_LABELS: &[u8] =
    include_bytes!("../../../data/mnist10k/mnist10k-labels-idx1-ubyte.gz");

/// Magic number of IDX image files (u8, 3 dimensions).
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of IDX label files (u8, 1 dimension).
pub const LABELS_MAGIC: u32 = 2049;

/// The embedded subset: 10,000 real MNIST digits, labels 0:1001 1:1127 2:991 3:1032 4:980 5:863
/// 6:1014 7:1070 8:944 9:978, in a fixed random order.
pub fn embedded() -> Result<Dataset> {
    let images = parse_idx(
        EMBEDDED_IMAGES,
        Path::new("<embedded>/mnist10k-images-idx3-ubyte.gz"),
        Some(IMAGES_MAGIC),
    )?;
    let labels = parse_idx(
        EMBEDDED_LABELS,
        Path::new("<embedded>/mnist10k-labels-idx1-ubyte.gz"),
        Some(LABELS_MAGIC),
    )?;
    assemble("mnist10k", images, labels, Path::new("<embedded>"))
}

/// Loads an image file and a label file pair (IDX, gzip or raw) into a dataset named `name`.
pub fn load_pair(name: &str, images: &Path, labels: &Path) -> Result<Dataset> {
    let img = read_idx(images, Some(IMAGES_MAGIC))?;
    let lab = read_idx(labels, Some(LABELS_MAGIC))?;
    assemble(name, img, lab, images)
}

fn assemble(name: &str, img: IdxArray, lab: IdxArray, path: &Path) -> Result<Dataset> {
    if img.dims.len() != 3 {
        return Err(DataError::format(
            path,
            format!("image file must have 3 dimensions, has {}", img.dims.len()),
        ));
    }
    if lab.dims.len() != 1 {
        return Err(DataError::format(path, "label file must have 1 dimension"));
    }
    let (n, h, w) = (img.dims[0], img.dims[1], img.dims[2]);
    if lab.dims[0] != n {
        return Err(DataError::format(
            path,
            format!("{n} images but {} labels", lab.dims[0]),
        ));
    }
    if let Some(bad) = lab.data.iter().find(|&&l| l > 9) {
        return Err(DataError::format(
            path,
            format!("label {bad} is not a digit"),
        ));
    }
    let data = Array2::from_shape_vec(
        (n, h * w),
        img.data.iter().map(|&b| b as f32 / 255.0).collect(),
    )
    .map_err(|e| DataError::Shape(e.to_string()))?;
    Ok(Dataset {
        name: name.into(),
        data,
        labels: Some(lab.data),
        image_shape: Some((h, w)),
    })
}

fn find(dir: &Path, stem: &str) -> Result<PathBuf> {
    for cand in [
        format!("{stem}.gz"),
        stem.to_string(),
        stem.replacen("-idx", ".idx", 1),
    ] {
        let p = dir.join(&cand);
        if p.exists() {
            return Ok(p);
        }
    }
    Err(DataError::io(
        dir.join(format!("{stem}[.gz]")),
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file in the MNIST directory",
        ),
    ))
}

/// Loads the standard MNIST files from `dir`: `train-images-idx3-ubyte[.gz]`,
/// `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`.
/// Returns `(train, test)`.
pub fn load_dir(dir: &Path) -> Result<(Dataset, Dataset)> {
    if !dir.is_dir() {
        return Err(DataError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "MNIST directory not found"),
        ));
    }
    let train = load_pair(
        "mnist-train",
        &find(dir, "train-images-idx3-ubyte")?,
        &find(dir, "train-labels-idx1-ubyte")?,
    )?;
    let test = load_pair(
        "mnist-test",
        &find(dir, "t10k-images-idx3-ubyte")?,
        &find(dir, "t10k-labels-idx1-ubyte")?,
    )?;
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_subset_has_the_documented_counts() {
        let d = embedded().unwrap();
        assert_eq!(d.n_samples(), 10_000);
        assert_eq!(d.n_features(), 784);
        assert_eq!(d.image_shape, Some((28, 28)));
        let mut counts = [0usize; 10];
        for &l in d.labels.as_ref().unwrap() {
            counts[l as usize] += 1;
        }
        assert_eq!(
            counts,
            [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
        );
        assert!(d.data.iter().all(|&x| (0.0..=1.0).contains(&x)));
        // Real digits: some ink, mostly background.
        let ink = d.data.iter().filter(|&&x| x > 0.5).count() as f64 / d.data.len() as f64;
        assert!((0.08..0.2).contains(&ink), "ink fraction {ink}");
    }
}
