//! Data as ±1 spins for the learner. Samples come as a [`Dataset`] selected through
//! [`spinlearn_data::Selection`] with binary spin values (MNIST pixels above a threshold are +1);
//! this module turns such a dataset into the learner's `(M, N)` f64 matrix ([`spin_matrix`]),
//! reads spike rasters whose rows may be neurons ([`raster_samples`]), draws random subsets
//! ([`random_rows`]) and samples a synthetic stand-in for the salamander retina recording of
//! paper 000 (Fig. 4), which is not public ([`synthetic_retina`]).

use crate::error::{BpError, Result};
use ndarray::{Array2, ArrayView2};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, Seed, Units, check};
use spinlearn_data::{Dataset, Values};

/// The paper's binarization: a pixel above half of full scale is `+1`.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// The values the learner needs: binary spins, on above `threshold` (default
/// [`DEFAULT_THRESHOLD`]); data already 0/1 or ±1 keeps its pattern. Pass it to
/// [`spinlearn_data::Selection`].
pub fn spin_values(threshold: Option<f32>) -> Values {
    Values::Binary {
        threshold: threshold.unwrap_or(DEFAULT_THRESHOLD),
        encoding: Units::Spin,
    }
}

/// The samples of `ds` as the learner's `(n_samples, n_features)` f64 matrix. Every value must be
/// exactly ±1 (select the data with `Values::Binary { encoding: Units::Spin, .. }`); the first
/// other value is an error naming its position.
pub fn spin_matrix(ds: &Dataset) -> Result<Array2<f64>> {
    if let Some(((r, c), v)) = ds
        .data
        .indexed_iter()
        .find(|(_, v)| **v != 1.0 && **v != -1.0)
    {
        return Err(BpError::Data(format!(
            "dataset `{}`: entry [{r}, {c}] is {v}; spins must be exactly -1 or +1",
            ds.name
        )));
    }
    Ok(ds.data.mapv(f64::from))
}

/// Which axis of a spike raster indexes neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeuronAxis {
    /// Rows are neurons, columns are time bins: `(n_neurons, n_bins)`.
    Rows,
    /// Columns are neurons, rows are time bins: `(n_bins, n_neurons)` (samples as rows).
    Cols,
}

/// A spike raster (values 0/1 or ±1, as read by [`spinlearn_data::open`]) as spin samples
/// `(n_bins, n_neurons)`: transposed when neurons are rows, active bins `+1`, silent `-1`. Any
/// other value is an error.
pub fn raster_samples(raster: Dataset, axis: NeuronAxis) -> Result<Dataset> {
    if let Some(((r, c), v)) = raster
        .data
        .indexed_iter()
        .find(|(_, v)| !matches!(**v, 0.0 | 1.0 | -1.0))
    {
        return Err(BpError::Data(format!(
            "raster `{}`: entry [{r}, {c}] is {v}; expected 0/1 or -1/+1",
            raster.name
        )));
    }
    let spins = raster.data.mapv(|v| if v > 0.0 { 1.0 } else { -1.0 });
    let data = match axis {
        NeuronAxis::Cols => spins,
        NeuronAxis::Rows => spins.t().as_standard_layout().into_owned(),
    };
    Ok(Dataset {
        name: raster.name,
        data,
        labels: None,
        image_shape: None,
    })
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

/// [`RetinaParams`] that passed [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidRetinaParams(RetinaParams);

impl ValidRetinaParams {
    /// The checked parameters.
    pub fn params(&self) -> &RetinaParams {
        &self.0
    }
}

impl ParamGuard for RetinaParams {
    type Checked = ValidRetinaParams;

    /// Validates the fields (errors name them: `n_neurons`, `n_samples`, `rate`, ...).
    fn check(&self) -> spinlearn_core::Result<ValidRetinaParams> {
        check::at_least("n_neurons", self.n_neurons, 2)?;
        check::nonzero("n_samples", self.n_samples)?;
        check::in_range("rate", self.rate, 1e-4, 0.5)?;
        check::in_range("connectivity", self.connectivity, 0.0, 1.0)?;
        check::non_negative("coupling", self.coupling)?;
        check::nonzero("thin", self.thin)?;
        Ok(ValidRetinaParams(*self))
    }
}

/// Samples the synthetic retina: returns spins `(n_samples, n_neurons)` (f32 ±1, `+1` = spike in
/// the bin) as a dataset named `synthetic-retina`.
/// Fields `h_i` are set by the mean-field rule `h_i = logit(r_i) - sum_j J_ij r_j` for per-neuron
/// target rates `r_i` (log-normal around `rate`, clipped to `[0.005, 0.2]`), so the sampled rates
/// come out near the targets. Deterministic given `seed` (one stream for the model, one for the
/// chain).
pub fn synthetic_retina(params: &ValidRetinaParams, seed: Seed) -> Result<Dataset> {
    let params = params.params();
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
    Ok(Dataset {
        name: "synthetic-retina".into(),
        data: out,
        labels: None,
        image_shape: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(rows: usize, cols: usize, values: Vec<f32>) -> Dataset {
        Dataset {
            name: "t".into(),
            data: Array2::from_shape_vec((rows, cols), values).unwrap(),
            labels: None,
            image_shape: None,
        }
    }

    #[test]
    fn rasters_transpose_and_reject_non_binary_values() {
        // Neurons are rows: neuron 0 fired in bin 1 only.
        let raster = dataset(3, 3, vec![0., 1., 0., 1., 1., 0., 0., 0., 1.]);
        let s = raster_samples(raster.clone(), NeuronAxis::Rows).unwrap();
        assert_eq!(s.data.dim(), (3, 3));
        assert_eq!(s.data[[1, 0]], 1.0);
        assert_eq!(s.data[[0, 0]], -1.0);
        let c = raster_samples(raster, NeuronAxis::Cols).unwrap();
        assert_eq!(c.data[[0, 1]], 1.0);
        let e = raster_samples(dataset(1, 2, vec![0.5, 1.0]), NeuronAxis::Cols)
            .unwrap_err()
            .to_string();
        assert!(e.contains("[0, 0]"), "{e}");
    }

    #[test]
    fn spin_matrices_hold_only_spins() {
        let m = spin_matrix(&dataset(1, 2, vec![1.0, -1.0])).unwrap();
        assert_eq!(m[[0, 1]], -1.0);
        let e = spin_matrix(&dataset(1, 2, vec![1.0, 0.0])).unwrap_err();
        assert!(e.to_string().contains("[0, 1]"), "{e}");
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
        let p = p.check().unwrap();
        let s = synthetic_retina(&p, Seed(1)).unwrap().data.mapv(f64::from);
        let bits = s.mapv(|x| (x + 1.0) / 2.0);
        let rate = bits.mean().unwrap();
        assert!((0.015..0.06).contains(&rate), "mean rate {rate}");
        // Mean pairwise covariance of bits must be positive (couplings are all >= 0).
        let mean = bits.mean_axis(ndarray::Axis(0)).unwrap();
        let centered = &bits - &mean;
        let cov = centered.t().dot(&centered) / bits.nrows() as f64;
        let n = p.params().n_neurons;
        let off: f64 = (0..n)
            .flat_map(|a| (0..n).filter(move |&b| b != a).map(move |b| (a, b)))
            .map(|(a, b)| cov[[a, b]])
            .sum::<f64>()
            / (n * (n - 1)) as f64;
        assert!(off > 0.0, "mean covariance {off}");
        assert_eq!(
            synthetic_retina(&p, Seed(1)).unwrap().data.mapv(f64::from),
            s
        );
    }
}
