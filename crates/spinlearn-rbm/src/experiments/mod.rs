//! Experiment drivers for the RAPID reproduction (paper 004, "Efficient training of energy-based
//! models via spin-glass control"): each takes a checked params struct and a seed and returns plain
//! structs of curves and headline numbers (figures and summaries are drawn by
//! `spinlearn-reproduce`).
//!
//! - [`untrained`]: Gibbs accessibility of untrained RA, Gaussian and uniform RBMs against the
//!   weight scale and against `n_visible` (004 Fig. 1).
//! - [`curves`]: training runs with per-epoch metrics (Gibbs and method accessibility, exact NLL,
//!   reconstruction Hamming distance, singular values) for the exact gradient, CD, PCD and RAPID
//!   (004 Figs. 2-5).
//! - [`mnist`]: RA-RBM with continuous clipped patterns and Gibbs-seeded PID on binarized MNIST,
//!   AIS NLL, samples and the logistic-regression probe against a PCD-trained RBM (004 Fig. 6,
//!   section V B).
//! - [`timing`]: seconds per update of PID against CD-k at equal sizes (004 Appendix D).
//!
//! All runs are seeded explicitly from the seed passed to the driver, so results do not depend on the
//! thread count.

pub mod curves;
pub mod mnist;
pub mod timing;
pub mod untrained;

use crate::model::Rbm32;
use crate::{RbmError, Result};
use ndarray::{Array2, ArrayView2, s};
pub use spinlearn_core::stats::{Band, MeanStd};
use spinlearn_core::{Seed, Units};

/// Epochs `0 ..= epochs` thinned to about `n_points` roughly log-spaced values (always holding 0,
/// 1 and `epochs`), increasing and without repeats. `n_points = 0` or `>= epochs + 1` gives every
/// epoch.
pub fn log_epochs(epochs: usize, n_points: usize) -> Vec<usize> {
    if n_points == 0 || n_points > epochs {
        return (0..=epochs).collect();
    }
    let mut v = vec![0usize];
    let top = (epochs as f64).ln();
    for i in 0..n_points {
        let t = i as f64 / (n_points - 1).max(1) as f64;
        let e = (t * top).exp().round() as usize;
        v.push(e.clamp(1, epochs));
    }
    v.push(epochs);
    v.sort_unstable();
    v.dedup();
    v
}

/// Which units of each image are clamped for the reconstruction test of 004 Appendix C: the row or
/// column perpendicular to the image's bars. `image (h, w)`; `vertical[r]` says whether image `r`
/// has vertical bars (clamp the top row) or horizontal stripes (clamp the left column). Returns
/// `(n, h*w)` booleans, true where clamped.
pub fn edge_masks(shape: (usize, usize), vertical: &[bool]) -> Array2<bool> {
    let (h, w) = shape;
    Array2::from_shape_fn((vertical.len(), h * w), |(r, p)| {
        let (row, col) = (p / w, p % w);
        if vertical[r] { row == 0 } else { col == 0 }
    })
}

/// Reconstruction Hamming distance with a general clamp mask (004 Appendix C): each row of
/// `data (n, n_visible)` (the visible units' values) is copied `repeats` times, the unclamped units
/// set to 0 (spins) or 0.5 (bits, the uninformative mean), and `steps` block Gibbs steps update the
/// unclamped units while the clamped ones keep their values; returns, per row, the mean over
/// repeats of the fraction of the `n_visible` units that differ from the original. Repeat `q` of row
/// `r` draws from `seed.stream(r * repeats + q)`.
pub fn masked_reconstruction_hamming(
    model: &Rbm32,
    data: ArrayView2<'_, f32>,
    clamp: ArrayView2<'_, bool>,
    steps: usize,
    repeats: usize,
    seed: Seed,
) -> Result<Vec<f64>> {
    let (n, nv) = data.dim();
    if nv != model.n_visible() || clamp.dim() != (n, nv) {
        return Err(RbmError::Shape(format!(
            "data ({n}, {nv}) and clamp {:?} for a model with {} visible units",
            clamp.dim(),
            model.n_visible()
        )));
    }
    spinlearn_core::check::nonzero("repeats", repeats)?;
    let units = model.units.visible;
    let blank = match units {
        Units::Spin => 0.0,
        Units::Bit => 0.5,
    };
    let thr = blank;
    let m = n * repeats;
    let mut v = Array2::<f32>::zeros((m, nv));
    let mut mask = Array2::<bool>::from_elem((m, nv), false);
    for r in 0..n {
        for q in 0..repeats {
            let i = r * repeats + q;
            for p in 0..nv {
                let c = clamp[[r, p]];
                mask[[i, p]] = c;
                v[[i, p]] = if c { data[[r, p]] } else { blank };
            }
        }
    }
    let orig = v.clone();
    let mut rngs = seed.streams(m);
    let mut h = Array2::<f32>::zeros((m, model.n_hidden()));
    for _ in 0..steps {
        model.sample_hidden(v.view(), &mut h, &mut rngs);
        model.sample_visible(h.view(), &mut v, &mut rngs);
        ndarray::Zip::from(&mut v)
            .and(&mask)
            .and(&orig)
            .for_each(|x, &c, &o| {
                if c {
                    *x = o;
                }
            });
    }
    let mut out = vec![0.0; n];
    for (r, o) in out.iter_mut().enumerate() {
        let mut tot = 0usize;
        for q in 0..repeats {
            let row = v.slice(s![r * repeats + q, ..]);
            tot += row
                .iter()
                .zip(data.row(r))
                .filter(|&(&a, &b)| (a > thr) != (b > thr))
                .count();
        }
        *o = tot as f64 / (repeats * nv) as f64;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_mean_and_std() {
        let b = Band::from_runs(vec![0.0, 1.0], &[vec![1.0, 2.0], vec![3.0, f64::NAN]]);
        assert_eq!(b.mean, vec![2.0, 2.0]);
        assert_eq!(b.std, vec![1.0, 0.0]);
        assert_eq!(b.first_x_at_most(2.0), Some(0.0));
        assert_eq!(b.first_x_at_most(1.0), None);
    }

    #[test]
    fn log_epochs_cover_ends() {
        let e = log_epochs(100, 8);
        assert_eq!(e[0], 0);
        assert_eq!(*e.last().unwrap(), 100);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        assert!(e.len() <= 10 && e.contains(&1));
        assert_eq!(log_epochs(5, 10), vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn edge_masks_clamp_perpendicular_edge() {
        let m = edge_masks((2, 3), &[true, false]);
        assert_eq!(
            m.row(0).to_vec(),
            vec![true, true, true, false, false, false]
        );
        assert_eq!(
            m.row(1).to_vec(),
            vec![true, false, false, true, false, false]
        );
    }
}
