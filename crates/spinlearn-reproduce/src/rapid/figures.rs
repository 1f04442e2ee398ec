//! Figures of the `spinlearn rbm` commands: the training curve, the singular-value spectrum and a
//! grid of samples. Each writes `<stem>.png` and `<stem>.svg` (the spectrum also its data as
//! `<stem>.csv`).

use crate::Result;
use ndarray::{ArrayView2, Axis};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
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

/// Singular values below this fraction of the largest are round-off and are not drawn: the models
/// train in single precision (f32 weights), whose round-off leaves values of about 1e-8 of the
/// largest where the exact value is 0 (e.g. beyond the rank K of RA weights).
pub const SPECTRUM_FLOOR: f64 = 1e-6;

/// The singular values of `W` against their rank (1-based), on a log axis; values below
/// [`SPECTRUM_FLOOR`] of the largest (round-off, e.g. beyond the rank K of RA weights) are not
/// drawn, and the title says so. All values, clipped or not, go to `<stem>.csv`
/// (`index, singular_value`).
pub fn spectrum(stem: &Path, singular_values: &[f64]) -> Result<()> {
    let x: Vec<f64> = (1..=singular_values.len()).map(|i| i as f64).collect();
    let top = singular_values.iter().copied().fold(0.0, f64::max);
    let clipped: Vec<f64> = singular_values
        .iter()
        .map(|&v| {
            if top <= 0.0 || v > SPECTRUM_FLOOR * top {
                v
            } else {
                f64::NAN
            }
        })
        .collect();
    let n_clipped = clipped.iter().filter(|v| v.is_nan()).count();
    let title = if n_clipped > 0 {
        format!(
            "singular values of W ({n_clipped} below {SPECTRUM_FLOOR:e} of the largest not drawn)"
        )
    } else {
        "singular values of W".to_string()
    };
    let mut p = LinePlot::new(title, "index", "singular value")
        .with(Series::line("W", x.clone(), clipped).with_style(SeriesStyle::LinePoints));
    p.log_y = top > 0.0;
    p.save(stem)?;
    spinlearn_core::table::write_columns(
        &stem.with_extension("csv"),
        &["index", "singular_value"],
        &[&x, singular_values],
    )?;
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
