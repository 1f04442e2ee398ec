//! Figures of the `spinlearn data` commands: an image grid of a dataset's samples.

use crate::{ReproduceError, Result};
use spinlearn_data::Dataset;
use spinlearn_plot::ImageGrid;
use std::path::{Path, PathBuf};

/// Draws every sample of `ds` (an image dataset: `image_shape` set) as a grid with `cols` images
/// per row (default: about the square root of the count), captioned with the labels when present,
/// and saves it as `stem.png` and `stem.svg`; returns the files written. Values are drawn on
/// `[-1, 1]` when any is negative (spins), else on `[0, max(1, largest)]`.
pub fn sample_grid(ds: &Dataset, cols: Option<usize>, stem: &Path) -> Result<Vec<PathBuf>> {
    let shape = ds.image_shape.ok_or_else(|| {
        ReproduceError::invalid(
            "data",
            format!("dataset `{}` is not made of images", ds.name),
        )
    })?;
    let cols = cols.unwrap_or_else(|| (ds.n_samples() as f64).sqrt().ceil() as usize);
    let (lo, hi) = ds
        .data
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let images: Vec<Vec<f32>> = (0..ds.n_samples()).map(|i| ds.row(i).to_vec()).collect();
    let mut grid = ImageGrid::new(images, shape, cols.max(1));
    grid.range = if lo < 0.0 {
        (-1.0, 1.0)
    } else {
        (0.0, hi.max(1.0))
    };
    grid.title = format!("{} ({} samples)", ds.name, ds.n_samples());
    if let Some(l) = &ds.labels {
        grid.captions = Some(l.iter().map(|d| d.to_string()).collect());
    }
    Ok(grid.save(stem)?)
}
