//! Data as ±1 spins for the learner: MNIST digits (pixel above a threshold is +1), spike rasters
//! (active bin is +1), any ±1 or 0/1 table (`.npy` or text), random subsets, and a synthetic
//! stand-in for the salamander retina recording of paper 000 (Fig. 4), which is not public.

use crate::error::{BpError, Result};
use ndarray::{Array2, ArrayView2};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use spinlearn_core::{Seed, check};
use spinlearn_data::dataset::Dataset;
use std::path::Path;

/// Pixels in `[0, 1]` to spins: `+1` where `pixel > threshold`, else `-1`. `(M, N)` in, `(M, N)` out.
pub fn pixels_to_spins(pixels: ArrayView2<'_, f32>, threshold: f32) -> Array2<f64> {
    pixels.mapv(|p| if p > threshold { 1.0 } else { -1.0 })
}

/// The rows of `dataset` whose label is one of `digits`, as spins (threshold on pixels in [0, 1]).
/// Rows keep the dataset's order. Errors when the dataset has no labels or no row matches.
pub fn digit_pool(dataset: &Dataset, digits: &[u8], threshold: f32) -> Result<Array2<f64>> {
    check::in_range("threshold", f64::from(threshold), 0.0, 1.0)?;
    let labels = dataset
        .labels
        .as_ref()
        .ok_or_else(|| BpError::Data(format!("dataset `{}` has no labels", dataset.name)))?;
    let idx: Vec<usize> = (0..dataset.n_samples())
        .filter(|&r| digits.contains(&labels[r]))
        .collect();
    if idx.is_empty() {
        return Err(BpError::Data(format!(
            "dataset `{}` has no samples with labels {digits:?}",
            dataset.name
        )));
    }
    let sel = dataset.select(&idx);
    Ok(pixels_to_spins(sel.data.view(), threshold))
}

/// Which axis of a spike raster indexes neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NeuronAxis {
    /// Rows are neurons, columns are time bins: `(n_neurons, n_bins)`.
    Rows,
    /// Columns are neurons, rows are time bins: `(n_bins, n_neurons)` (samples as rows).
    Cols,
}

/// Maps a table of 0/1 (or ±1) values to spins: 1 → +1, 0 or -1 → -1. Any other value is an error
/// naming its position.
pub fn binary_to_spins(table: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    if let Some(((r, c), v)) = table
        .indexed_iter()
        .find(|(_, v)| !matches!(**v, 0.0 | 1.0 | -1.0))
    {
        return Err(BpError::Data(format!(
            "entry [{r}, {c}] is {v}; expected 0/1 or -1/+1"
        )));
    }
    Ok(table.mapv(|v| if v > 0.0 { 1.0 } else { -1.0 }))
}

/// A spike raster (0/1) to spin samples `(n_bins, n_neurons)`: transposed when neurons are rows.
pub fn raster_to_spins(raster: ArrayView2<'_, f64>, axis: NeuronAxis) -> Result<Array2<f64>> {
    let spins = binary_to_spins(raster)?;
    Ok(match axis {
        NeuronAxis::Cols => spins,
        NeuronAxis::Rows => spins.t().as_standard_layout().into_owned(),
    })
}

/// Reads a 2-D table from `.npy` (any numeric dtype) or text (one row per line, numbers separated by
/// whitespace or commas, `#` starts a comment).
pub fn read_table(path: &Path) -> Result<Array2<f64>> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        return Ok(spinlearn_data::npy::read_npy_f64(path)?);
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| BpError::Data(format!("{}: {e}", path.display())))?;
    parse_text_table(&text).map_err(|e| BpError::Data(format!("{}: {e}", path.display())))
}

fn parse_text_table(text: &str) -> std::result::Result<Array2<f64>, String> {
    let mut values = Vec::new();
    let mut n_cols = None;
    let mut n_rows = 0;
    for (ln, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let row: Vec<f64> = line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
            .map(|t| {
                t.parse::<f64>()
                    .map_err(|_| format!("line {}: `{t}` is not a number", ln + 1))
            })
            .collect::<std::result::Result<_, _>>()?;
        match n_cols {
            None => n_cols = Some(row.len()),
            Some(c) if c != row.len() => {
                return Err(format!(
                    "line {}: {} values, earlier rows have {c}",
                    ln + 1,
                    row.len()
                ));
            }
            _ => {}
        }
        values.extend(row);
        n_rows += 1;
    }
    let n_cols = n_cols.ok_or("no data rows")?;
    Array2::from_shape_vec((n_rows, n_cols), values).map_err(|e| e.to_string())
}

/// Reads ±1 (or 0/1) samples as rows from `.npy` or text: `(n_samples, n_features)` spins.
pub fn load_spins(path: &Path) -> Result<Array2<f64>> {
    binary_to_spins(read_table(path)?.view())
}

/// Reads a spike raster (0/1, `.npy` or text) as spin samples `(n_bins, n_neurons)`.
pub fn load_raster(path: &Path, axis: NeuronAxis) -> Result<Array2<f64>> {
    raster_to_spins(read_table(path)?.view(), axis)
}

/// `m` distinct rows of `pool` chosen uniformly at random (partial Fisher-Yates), in draw order.
pub fn random_rows<R: Rng + ?Sized>(
    pool: ArrayView2<'_, f64>,
    m: usize,
    rng: &mut R,
) -> Result<Array2<f64>> {
    let total = pool.nrows();
    if m == 0 || m > total {
        return Err(BpError::invalid(
            "m",
            format!("must lie in [1, {total}] (the pool's size), got {m}"),
        ));
    }
    let mut idx: Vec<usize> = (0..total).collect();
    for k in 0..m {
        let j = rng.random_range(k..total);
        idx.swap(k, j);
    }
    let mut out = Array2::zeros((m, pool.ncols()));
    for (r, &i) in idx[..m].iter().enumerate() {
        out.row_mut(r).assign(&pool.row(i));
    }
    Ok(out)
}

/// Parameters of the synthetic retina: a pairwise maximum-entropy (Ising) model over firing bits
/// `n_i in {0, 1}`, `P(n) ∝ exp(sum_i h_i n_i + sum_{i<j} J_ij n_i n_j)`, with sparse firing and
/// weak, sparse positive couplings, sampled by Gibbs sweeps. It is a SYNTHETIC stand-in for the
/// salamander recording of paper 000 (Fig. 4), which is not public.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RetinaParams {
    /// Neurons (160 in the paper's recording).
    pub n_neurons: usize,
    /// Time bins (samples) to draw.
    pub n_samples: usize,
    /// Target mean firing probability per bin (a few percent).
    pub rate: f64,
    /// Probability that a pair is coupled.
    pub connectivity: f64,
    /// Mean coupling of a coupled pair (> 0: positive correlations); each is drawn uniformly in
    /// `[0.5, 1.5] * coupling`.
    pub coupling: f64,
    /// Gibbs sweeps discarded before the first sample.
    pub burn_in: usize,
    /// Gibbs sweeps between samples.
    pub thin: usize,
}

impl Default for RetinaParams {
    fn default() -> Self {
        RetinaParams {
            n_neurons: 160,
            n_samples: 20_000,
            rate: 0.03,
            connectivity: 0.1,
            coupling: 0.4,
            burn_in: 200,
            thin: 2,
        }
    }
}

impl RetinaParams {
    /// Validates the fields.
    pub fn check(&self) -> Result<()> {
        check::at_least("n_neurons", self.n_neurons, 2)?;
        check::nonzero("n_samples", self.n_samples)?;
        check::in_range("rate", self.rate, 1e-4, 0.5)?;
        check::in_range("connectivity", self.connectivity, 0.0, 1.0)?;
        check::non_negative("coupling", self.coupling)?;
        check::nonzero("thin", self.thin)?;
        Ok(())
    }
}

/// Samples the synthetic retina: returns spins `(n_samples, n_neurons)`, `+1` = spike in the bin.
/// Fields `h_i` are set by the mean-field rule `h_i = logit(r_i) - sum_j J_ij r_j` for per-neuron
/// target rates `r_i` (log-normal around `rate`, clipped to `[0.005, 0.2]`), so the sampled rates
/// come out near the targets. Deterministic given `seed` (one stream for the model, one for the
/// chain).
pub fn synthetic_retina(params: &RetinaParams, seed: Seed) -> Result<Array2<f64>> {
    params.check()?;
    let n = params.n_neurons;
    let mut model_rng = seed.named("retina-model").stream(0);
    let rates: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = model_rng.sample(rand_distr::StandardNormal);
            (params.rate * (0.5 * z).exp()).clamp(0.005, 0.2)
        })
        .collect();
    let mut j = vec![0.0f64; n * n];
    for a in 0..n {
        for b in a + 1..n {
            if model_rng.random_bool(params.connectivity) {
                let w = params.coupling * (0.5 + model_rng.random::<f64>());
                j[a * n + b] = w;
                j[b * n + a] = w;
            }
        }
    }
    let h: Vec<f64> = (0..n)
        .map(|a| {
            let r = rates[a];
            (r / (1.0 - r)).ln() - (0..n).map(|b| j[a * n + b] * rates[b]).sum::<f64>()
        })
        .collect();
    let mut rng = seed.named("retina-chain").stream(0);
    let mut state = vec![0u8; n];
    // local[a] = h_a + sum_b J_ab n_b, updated incrementally when a unit flips.
    let mut local = h.clone();
    let sweep = |state: &mut Vec<u8>, local: &mut Vec<f64>, rng: &mut spinlearn_core::SpinRng| {
        for a in 0..n {
            let p = spinlearn_core::numerics::logistic(local[a]);
            let new = u8::from(rng.random::<f64>() < p);
            if new != state[a] {
                let delta = if new == 1 { 1.0 } else { -1.0 };
                for b in 0..n {
                    local[b] += delta * j[b * n + a];
                }
                state[a] = new;
            }
        }
    };
    for _ in 0..params.burn_in {
        sweep(&mut state, &mut local, &mut rng);
    }
    let mut out = Array2::zeros((params.n_samples, n));
    for s in 0..params.n_samples {
        for _ in 0..params.thin {
            sweep(&mut state, &mut local, &mut rng);
        }
        for a in 0..n {
            out[[s, a]] = if state[a] == 1 { 1.0 } else { -1.0 };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_parse_and_reject_ragged_rows() {
        let t = parse_text_table("# raster\n0 1 0\n1,1,0\n\n0 0 1 # last\n").unwrap();
        assert_eq!(t.dim(), (3, 3));
        assert_eq!(t[[1, 1]], 1.0);
        assert!(parse_text_table("0 1\n1\n").unwrap_err().contains("line 2"));
        assert!(parse_text_table("0 x\n").unwrap_err().contains("`x`"));
        let s = raster_to_spins(t.view(), NeuronAxis::Rows).unwrap();
        assert_eq!(s.dim(), (3, 3));
        // Neurons are rows of the raster: neuron 0 fired in bin 1 only.
        assert_eq!(s[[1, 0]], 1.0);
        assert_eq!(s[[0, 0]], -1.0);
        assert!(binary_to_spins(Array2::from_elem((1, 2), 0.5).view()).is_err());
    }

    #[test]
    fn random_rows_are_distinct_and_bounded() {
        let pool = Array2::from_shape_fn((50, 2), |(r, _)| r as f64);
        let mut rng = Seed(3).stream(0);
        let sel = random_rows(pool.view(), 20, &mut rng).unwrap();
        let mut ids: Vec<usize> = sel.column(0).iter().map(|&x| x as usize).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20);
        assert!(random_rows(pool.view(), 51, &mut rng).is_err());
    }

    #[test]
    fn synthetic_retina_fires_sparsely_with_positive_correlations() {
        let p = RetinaParams {
            n_samples: 3000,
            ..Default::default()
        };
        let s = synthetic_retina(&p, Seed(1)).unwrap();
        let bits = s.mapv(|x| (x + 1.0) / 2.0);
        let rate = bits.mean().unwrap();
        assert!((0.015..0.06).contains(&rate), "mean rate {rate}");
        // Mean pairwise covariance of bits must be positive (couplings are all >= 0).
        let mean = bits.mean_axis(ndarray::Axis(0)).unwrap();
        let centered = &bits - &mean;
        let cov = centered.t().dot(&centered) / bits.nrows() as f64;
        let n = p.n_neurons;
        let off: f64 = (0..n)
            .flat_map(|a| (0..n).filter(move |&b| b != a).map(move |b| (a, b)))
            .map(|(a, b)| cov[[a, b]])
            .sum::<f64>()
            / (n * (n - 1)) as f64;
        assert!(off > 0.0, "mean covariance {off}");
        assert_eq!(synthetic_retina(&p, Seed(1)).unwrap(), s);
    }
}
