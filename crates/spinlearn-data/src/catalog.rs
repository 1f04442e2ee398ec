//! Named datasets for the command line: `mnist` (the embedded 10,000-digit subset, or the full
//! 60,000-digit training set when an MNIST directory is given), `mnist-test` (the full t10k set;
//! needs the directory), `bars<N>` (Bars N x N), `bas<N>` (Bars-and-Stripes N x N) and
//! `random<N>x<D>` (N samples of D fair bits, seed 0).

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::{generate, mnist};
use serde::Serialize;
use spinlearn_core::Seed;
use std::path::Path;

/// One entry of [`list`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetInfo {
    /// The name [`load`] accepts, e.g. `"bas12"`.
    pub name: String,
    /// Number of samples (rows).
    pub n_samples: usize,
    /// Number of features (columns), e.g. pixels.
    pub n_features: usize,
    /// One line: what it is and where it comes from.
    pub description: String,
}

/// The name forms [`load`] accepts, for error messages and help texts.
pub const NAME_FORMS: &str = "mnist, mnist-test, bars<N>, bas<N>, random<N>x<D>";

fn info(name: &str, n_samples: usize, n_features: usize, description: &str) -> DatasetInfo {
    DatasetInfo {
        name: name.into(),
        n_samples,
        n_features,
        description: description.into(),
    }
}

/// The datasets available by name. `bars<N>`, `bas<N>` and `random<N>x<D>` are families; the list
/// shows the sizes used in the papers, and any `2 <= N <= 16` (resp. positive N, D) loads.
pub fn list() -> Vec<DatasetInfo> {
    vec![
        info(
            "mnist",
            10_000,
            784,
            "embedded subset of real MNIST digits (pixels in [0,1], labels 0-9); with --mnist-dir \
             the full 60,000-digit training set",
        ),
        info(
            "mnist-test",
            10_000,
            784,
            "the standard MNIST t10k test set; needs --mnist-dir",
        ),
        info(
            "bars4",
            14,
            16,
            "Bars 4x4: vertical bars without the two uniform images (bars<N>, 2 <= N <= 16: 2^N-2 images)",
        ),
        info(
            "bas4",
            28,
            16,
            "Bars-and-Stripes 4x4 without uniform images (bas<N>: 2^(N+1)-4 images; label 0 bars, 1 stripes)",
        ),
        info(
            "bas12",
            8188,
            144,
            "Bars-and-Stripes 12x12, the large BAS benchmark of the RAPID paper",
        ),
        info(
            "random1000x64",
            1000,
            64,
            "uniform random bits, seed 0 (random<N>x<D>: N samples of D bits)",
        ),
    ]
}

fn unknown(name: &str) -> DataError {
    DataError::invalid(
        "dataset",
        format!("unknown dataset '{name}' (known: {NAME_FORMS}; e.g. bars4, bas12, random100x16)"),
    )
}

/// Parses a size written in a dataset name; zero, negative and non-numbers are errors naming
/// `param`.
fn size(name: &str, param: &str, text: &str) -> Result<usize> {
    match text.parse::<i64>() {
        Ok(v) if v >= 1 => usize::try_from(v).map_err(|_| unknown(name)),
        Ok(v) => Err(DataError::invalid(
            param,
            format!("must be at least 1 in dataset '{name}', got {v}"),
        )),
        Err(_) if text.is_empty() => Err(DataError::invalid(
            param,
            format!("missing in dataset '{name}' (forms: {NAME_FORMS})"),
        )),
        Err(_) => Err(unknown(name)),
    }
}

/// Loads a dataset by name (see the module doc). `mnist_dir` is a directory with the standard
/// MNIST files; without it `mnist` is the embedded subset and `mnist-test` is an error. An unknown
/// name gives an error listing the known forms; zero or negative sizes an error naming the size.
pub fn load(name: &str, mnist_dir: Option<&Path>) -> Result<Dataset> {
    match name {
        "mnist" => match mnist_dir {
            None => mnist::embedded(),
            Some(dir) => Ok(mnist::load_dir(dir)?.0),
        },
        "mnist-test" => match mnist_dir {
            Some(dir) => Ok(mnist::load_dir(dir)?.1),
            None => Err(DataError::invalid(
                "mnist-dir",
                "dataset 'mnist-test' needs the full MNIST files: pass --mnist-dir DIR",
            )),
        },
        _ => {
            if let Some(rest) = name.strip_prefix("random") {
                let (n, d) = rest.split_once('x').ok_or_else(|| unknown(name))?;
                let n = size(name, "n_samples", n)?;
                let d = size(name, "n_features", d)?;
                spinlearn_core::mem::admit(spinlearn_core::mem::array_bytes(&[n, d], 4)).map_err(
                    |why| DataError::invalid("data", format!("dataset '{name}': {why}")),
                )?;
                generate::uniform(n, d, Seed(0))
            } else if let Some(rest) = name.strip_prefix("bars") {
                generate::bars(size(name, "n", rest)?)
            } else if let Some(rest) = name.strip_prefix("bas") {
                generate::bars_and_stripes(size(name, "n", rest)?)
            } else {
                Err(unknown(name))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_names() {
        assert_eq!(load("bars3", None).unwrap().n_samples(), 6);
        assert_eq!(load("random5x7", None).unwrap().data.dim(), (5, 7));
        let e = load("bars0", None).unwrap_err().to_string();
        assert!(e.starts_with("invalid parameter `n`"), "{e}");
        let e = load("bas-3", None).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid parameter `n`") && e.contains("-3"),
            "{e}"
        );
        let e = load("random0x4", None).unwrap_err().to_string();
        assert!(e.contains("`n_samples`"), "{e}");
        let e = load("random4x-1", None).unwrap_err().to_string();
        assert!(e.contains("`n_features`"), "{e}");
        let e = load("bars", None).unwrap_err().to_string();
        assert!(e.contains("`n`") && e.contains("missing"), "{e}");
        assert!(load("random4", None).is_err());
    }
}
