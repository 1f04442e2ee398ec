//! Figures of the `spinlearn rbm` commands: the training curve, the singular-value spectrum and a
//! grid of samples. Each writes `<stem>.png` and `<stem>.svg`.

use crate::Result;
use ndarray::{ArrayView2, Axis};
use spinlearn_plot::{ImageGrid, LinePlot, Series};
use spinlearn_rbm::train::EpochMetrics;
use std::path::Path;

/// The exact NLL against epoch when every epoch tracked it, else the weight RMS; nothing for no
/// epochs.
pub fn training_curve(stem: &Path, data_name: &str, epochs: &[EpochMetrics]) -> Result<()> {
    if epochs.is_empty() {
        return Ok(());
    }
    let x: Vec<f64> = epochs.iter().map(|r| r.epoch as f64).collect();
    let nll: Option<Vec<f64>> = epochs.iter().map(|r| r.exact_nll).collect();
    let (y, label) = match nll {
        Some(y) => (y, "exact NLL (nats)"),
        None => (epochs.iter().map(|r| r.weight_rms).collect(), "weight RMS"),
    };
    LinePlot::new(format!("rbm train on {data_name}"), "epoch", label)
        .with(Series::line(label, x, y))
        .save(stem)?;
    Ok(())
}

/// The singular values of `W` against their rank (1-based).
pub fn spectrum(stem: &Path, singular_values: &[f64]) -> Result<()> {
    LinePlot::new("singular values of W", "index", "singular value")
        .with(Series::line(
            "W",
            (1..=singular_values.len()).map(|i| i as f64).collect(),
            singular_values.to_vec(),
        ))
        .save(stem)?;
    Ok(())
}

/// Samples `(n, height * width)` as images, `cols` per row, gray levels from `low` (the off value
/// of the visible units) to 1.
pub fn sample_grid(
    stem: &Path,
    samples: ArrayView2<'_, f32>,
    shape: (usize, usize),
    cols: usize,
    low: f32,
    title: String,
) -> Result<()> {
    let images: Vec<Vec<f32>> = samples.axis_iter(Axis(0)).map(|r| r.to_vec()).collect();
    let mut grid = ImageGrid::new(images, shape, cols);
    grid.range = (low, 1.0);
    grid.title = title;
    grid.save(stem)?;
    Ok(())
}
