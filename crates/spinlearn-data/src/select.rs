//! The one data path of the toolkit: [`open`] a dataset by name or file, then apply one
//! [`Selection`] (labels, count, value encoding). Every command and experiment loads its data
//! this way, so `--data`, `--digits`, `--n-samples` and `--threshold` mean the same everywhere.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::{catalog, npy, text, transform};
use serde::{Deserialize, Serialize};
use spinlearn_core::Units;
use std::path::Path;

/// Opens a dataset: a file when `name_or_path` ends in `.npy`, `.npz` (the array `data`, with
/// `labels` when present, else the first array), `.txt`, `.csv` or `.dat` (rows = samples), else a
/// named dataset of [`catalog::load`]. `mnist_dir` holds the full standard MNIST files.
pub fn open(name_or_path: &str, mnist_dir: Option<&Path>) -> Result<Dataset> {
    let path = Path::new(name_or_path);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("npy") => npy::read_npy_dataset(path),
        Some("npz") => {
            let npz = npy::read_npz(path)?;
            if npz.names().contains(&"data") {
                npy::read_dataset_npz(path)
            } else {
                let key = npz
                    .names()
                    .first()
                    .map(|s| s.to_string())
                    .ok_or_else(|| DataError::format(path, "the .npz holds no array"))?;
                Ok(Dataset {
                    name: name_or_path.into(),
                    data: npz.f32_2d(&key)?,
                    labels: None,
                    image_shape: None,
                })
            }
        }
        Some("txt") | Some("csv") | Some("dat") => text::read_text(path, false),
        _ => catalog::load(name_or_path, mnist_dir),
    }
}

/// What values the selected samples carry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Values {
    /// The values as stored.
    #[default]
    Keep,
    /// Real values in [0, 1] (±1 data is mapped to 0/1 first); any other value is an error.
    UnitInterval,
    /// Binary values in `encoding`: data already binary (0/1 or ±1) keeps its on/off pattern,
    /// any other value is on when `> threshold`.
    Binary {
        /// On above this value (pixels are fractions of full scale).
        threshold: f32,
        /// The binary encoding of the result.
        encoding: Units,
    },
}

/// Which samples of a dataset, and in which encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Selection {
    /// Keep only samples with these labels (`None`: all). An error on an unlabelled dataset.
    pub digits: Option<Vec<u8>>,
    /// Keep the first `n` samples after label selection (at most all of them).
    pub n_samples: Option<usize>,
    /// The values of the result.
    pub values: Values,
}

impl Selection {
    /// Applies the selection. Errors name the parameter (`digits`, `n_samples`, `threshold`) and
    /// refuse an empty result.
    pub fn apply(&self, ds: Dataset) -> Result<Dataset> {
        let mut ds = ds;
        if let Some(d) = &self.digits {
            if ds.labels.is_none() {
                return Err(DataError::invalid(
                    "digits",
                    format!("dataset `{}` has no labels to select from", ds.name),
                ));
            }
            ds = transform::select_labels(&ds, d)?;
        }
        if let Some(n) = self.n_samples {
            spinlearn_core::check::nonzero("n_samples", n)?;
            ds = ds.head(n.min(ds.n_samples()));
        }
        if ds.n_samples() == 0 {
            return Err(DataError::invalid(
                "data",
                format!("dataset `{}` has no samples", ds.name),
            ));
        }
        match self.values {
            Values::Keep => {}
            Values::UnitInterval => {
                if transform::detect_units(&ds.data) == Some(Units::Spin) {
                    ds.data.mapv_inplace(|s| 0.5 * (s + 1.0));
                }
                if let Some(x) = ds.data.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                    return Err(DataError::invalid(
                        "real_valued",
                        format!("data values must lie in [0, 1], found {x}"),
                    ));
                }
            }
            Values::Binary {
                threshold,
                encoding,
            } => {
                spinlearn_core::check::finite("threshold", f64::from(threshold))?;
                let detected = transform::detect_units(&ds.data);
                let on = |x: f32| match detected {
                    Some(Units::Spin) => x > 0.0,
                    Some(Units::Bit) => x > 0.5,
                    None => x > threshold,
                };
                let lo = encoding.low() as f32;
                ds.data.mapv_inplace(|x| if on(x) { 1.0 } else { lo });
            }
        }
        Ok(ds)
    }

    /// [`open`] then [`Selection::apply`].
    pub fn load(&self, name_or_path: &str, mnist_dir: Option<&Path>) -> Result<Dataset> {
        self.apply(open(name_or_path, mnist_dir)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_encodes_and_names_its_parameters() {
        let sel = Selection {
            digits: Some(vec![0, 1]),
            n_samples: Some(30),
            values: Values::Binary {
                threshold: 0.5,
                encoding: Units::Spin,
            },
        };
        let ds = sel.load("mnist", None).unwrap();
        assert_eq!(ds.n_samples(), 30);
        assert!(ds.labels.as_ref().unwrap().iter().all(|&l| l <= 1));
        assert!(ds.data.iter().all(|&x| x == 1.0 || x == -1.0));
        let e = Selection {
            digits: Some(vec![1]),
            ..Selection::default()
        }
        .load("bars3", None)
        .unwrap_err()
        .to_string();
        assert!(e.contains("`digits`"), "{e}");
        let e = Selection {
            n_samples: Some(0),
            ..Selection::default()
        }
        .load("bars3", None)
        .unwrap_err()
        .to_string();
        assert!(e.contains("`n_samples`"), "{e}");
        // Binary data keeps its pattern whatever the threshold.
        let bits = Selection {
            values: Values::Binary {
                threshold: 0.99,
                encoding: Units::Bit,
            },
            ..Selection::default()
        }
        .load("bars3", None)
        .unwrap();
        assert_eq!(
            bits.data,
            open("bars3", None)
                .unwrap()
                .data
                .mapv(|x| if x > 0.0 { 1.0 } else { 0.0 })
        );
    }
}
