//! `spinlearn.data`: the embedded MNIST subset and the Bars / Bars-and-Stripes generators of
//! `spinlearn_data`, as NumPy arrays (the same data as the CLI's dataset names `mnist`,
//! `bars<N>`, `bas<N>`).

use crate::common::{data_err, invalid};
use ndarray::Array1;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use spinlearn_data::{Dataset, generate, mnist, transform};

/// `(X, y)`: samples `(n_samples, n_features)` float64 and labels `(n_samples,)` int64.
type XY<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<i64>>);

fn x_of<'py>(py: Python<'py>, ds: &Dataset) -> Bound<'py, PyArray2<f64>> {
    ds.data.mapv(f64::from).into_pyarray(py)
}

fn y_of<'py>(py: Python<'py>, ds: &Dataset) -> Bound<'py, PyArray1<i64>> {
    let y: Array1<i64> = ds
        .labels
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|&l| i64::from(l))
        .collect();
    y.into_pyarray(py)
}

/// The embedded MNIST subset (10,000 real digits, 28 x 28, in a fixed random order): returns
/// `(X, y)` with `X (n_samples, 784)` float64 (pixels in [0, 1], rows are images in row-major
/// order) and `y (n_samples,)` int64 digits. `digits` keeps the samples with those labels (in
/// their order); `binarize` (a float) maps each pixel to 1 when `> binarize`, else 0; `n` keeps
/// the first n samples (after the digit filter; all of them when fewer), as the CLI's
/// `--digits`, `--threshold`, `--n-samples` do.
#[pyfunction]
#[pyo3(signature = (digits=None, binarize=None, n=None))]
pub fn data_mnist<'py>(
    py: Python<'py>,
    digits: Option<Vec<i64>>,
    binarize: Option<f64>,
    n: Option<usize>,
) -> PyResult<XY<'py>> {
    let ds = py.detach(|| -> PyResult<Dataset> {
        let mut ds = mnist::embedded().map_err(data_err)?;
        if let Some(digits) = &digits {
            let labels = digits
                .iter()
                .map(|&d| {
                    u8::try_from(d)
                        .ok()
                        .filter(|&d| d <= 9)
                        .ok_or_else(|| invalid("digits", format!("{d} is not a digit 0-9")))
                })
                .collect::<PyResult<Vec<u8>>>()?;
            ds = transform::select_labels(&ds, &labels).map_err(data_err)?;
        }
        if let Some(t) = binarize {
            ds = transform::binarize(&ds, t as f32).map_err(data_err)?;
        }
        if let Some(n) = n {
            if n == 0 {
                return Err(invalid("n", "must be at least 1, got 0"));
            }
            ds = ds.head(n.min(ds.n_samples()));
        }
        Ok(ds)
    })?;
    Ok((x_of(py, &ds), y_of(py, &ds)))
}

/// Bars `n x n`: every image whose columns are each all on or all off, without the two uniform
/// images, `(2^n - 2, n * n)` float64 0/1, ordered by column mask (14 images for n = 4, paper
/// 004). `2 <= n <= 16`.
#[pyfunction]
pub fn data_bars(py: Python<'_>, n: usize) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let ds = generate::bars(n).map_err(data_err)?;
    Ok(x_of(py, &ds))
}

/// Bars-and-Stripes `n x n`: the `2^n - 2` vertical-bar images (label 0) then the `2^n - 2`
/// horizontal-stripe images (label 1), returned as `(X (2^(n+1) - 4, n * n) float64 0/1,
/// y int64)`. `2 <= n <= 16`.
#[pyfunction]
pub fn data_bas(py: Python<'_>, n: usize) -> PyResult<XY<'_>> {
    let ds = generate::bars_and_stripes(n).map_err(data_err)?;
    Ok((x_of(py, &ds), y_of(py, &ds)))
}
