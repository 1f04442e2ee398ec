//! Untrained models (004 Fig. 1): Gibbs accessibility `E_final / E_GS` of RBMs with ±1 units and
//! no biases whose weights are Regularized Axons from K random patterns (004 eq. 5), i.i.d.
//! Gaussian, or i.i.d. uniform, against the standard deviation of the weights and (inset) against
//! `n_visible` at a fixed standard deviation.
//!
//! Each model is drawn once, rescaled so that its *measured* weight standard deviation is exactly
//! the target, and its ground state found by enumeration once: without biases the energy is linear
//! in `W`, so `E_GS(cW) = c E_GS(W)` for `c > 0`.

use super::{Band, MeanStd};
use crate::eval::{gibbs_accessibility, ground_state};
use crate::model::{RaRbm, Rbm, UnitsSpec};
use crate::{RbmError, Result};
use ndarray::Array2;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, check};

/// How the untrained weights are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightKind {
    /// Regularized Axons: `W = ξ_vᵀ ξ_h / √K` with K uniformly random ±1 patterns (004 eq. 5).
    Ra,
    /// I.i.d. Gaussian with mean zero.
    Gaussian,
    /// I.i.d. uniform, centred at zero.
    Uniform,
}

impl WeightKind {
    /// The three kinds in the figure's order.
    pub const ALL: [WeightKind; 3] = [WeightKind::Ra, WeightKind::Gaussian, WeightKind::Uniform];

    /// Key used in summaries (`ra`, `gaussian`, `uniform`).
    pub fn key(self) -> &'static str {
        match self {
            WeightKind::Ra => "ra",
            WeightKind::Gaussian => "gaussian",
            WeightKind::Uniform => "uniform",
        }
    }
}

/// Configuration of the Fig. 1 sweep. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UntrainedParams {
    /// Visible units of the main sweep (004: 20; at most 24, the ground state is enumerated).
    pub n_visible: usize,
    /// Hidden units (004: 1000).
    pub n_hidden: usize,
    /// Patterns of the RA models (004: 10).
    pub k: usize,
    /// Weight standard deviations of the sweep.
    pub stds: Vec<f64>,
    /// Independent models per kind (004: 100).
    pub n_models: usize,
    /// Random visible starts per model; the accessibility uses the lowest final energy.
    pub n_starts: usize,
    /// Gibbs steps from each start (004: 10).
    pub gibbs_steps: usize,
    /// `n_visible` values of the inset.
    pub inset_visible: Vec<usize>,
    /// Weight standard deviation of the inset (004: 10).
    pub inset_std: f64,
}

valid_params! {
    /// [`UntrainedParams`] that passed [`ParamGuard::check`].
    pub struct ValidUntrainedParams {
        /// Visible units of the main sweep.
        n_visible: usize,
        /// Hidden units.
        n_hidden: usize,
        /// Patterns of the RA models.
        k: usize,
        /// Weight standard deviations of the sweep.
        stds: Vec<f64>,
        /// Independent models per kind.
        n_models: usize,
        /// Random visible starts per model.
        n_starts: usize,
        /// Gibbs steps from each start.
        gibbs_steps: usize,
        /// `n_visible` values of the inset.
        inset_visible: Vec<usize>,
        /// Weight standard deviation of the inset.
        inset_std: f64,
    }
}

impl ParamGuard for UntrainedParams {
    type Checked = ValidUntrainedParams;

    fn check(&self) -> spinlearn_core::Result<ValidUntrainedParams> {
        if self.stds.is_empty() {
            return Err(spinlearn_core::Error::invalid("stds", "is empty"));
        }
        for &s in &self.stds {
            check::positive("stds", s)?;
        }
        let max = crate::eval::MAX_EXACT;
        for (name, &v) in std::iter::once(("n_visible", &self.n_visible))
            .chain(self.inset_visible.iter().map(|v| ("inset_visible", v)))
        {
            check::nonzero(name, v)?;
            if v > max {
                return Err(spinlearn_core::Error::invalid(
                    name,
                    format!("{v} exceeds {max} (the ground state is enumerated)"),
                ));
            }
        }
        Ok(ValidUntrainedParams {
            n_visible: self.n_visible,
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            k: check::nonzero("k", self.k)?,
            stds: self.stds.clone(),
            n_models: check::nonzero("n_models", self.n_models)?,
            n_starts: check::nonzero("n_starts", self.n_starts)?,
            gibbs_steps: self.gibbs_steps,
            inset_visible: self.inset_visible.clone(),
            inset_std: check::positive("inset_std", self.inset_std)?,
        })
    }
}

/// Result of the sweep: bands of Gibbs accessibility (min final energy / ground-state energy).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UntrainedResult {
    /// Accessibility against weight std, one band per kind in [`WeightKind::ALL`] order.
    pub sweep: Vec<(WeightKind, Band)>,
    /// Glorot standard deviation `sqrt(2 / (n_visible + n_hidden))`.
    pub glorot_std: f64,
    /// Accessibility of Gaussian models at the Glorot std.
    pub glorot: MeanStd,
    /// Inset: accessibility against `n_visible` at `inset_std`, per kind.
    pub inset: Vec<(WeightKind, Band)>,
    /// Accessibility at the largest std of the sweep, per kind (the plateau of Fig. 1).
    pub plateau: Vec<(WeightKind, MeanStd)>,
}

/// One model of a kind with measured weight standard deviation exactly 1 (before scaling).
pub fn unit_model(
    kind: WeightKind,
    n_visible: usize,
    n_hidden: usize,
    k: usize,
    seed: Seed,
) -> Result<Rbm> {
    let mut rng = seed.stream(0);
    let units = UnitsSpec::SPINS_NO_BIAS;
    let w = match kind {
        WeightKind::Ra => RaRbm::random(n_visible, n_hidden, k, units, &mut rng)?.weights(),
        WeightKind::Gaussian => {
            Array2::from_shape_simple_fn((n_visible, n_hidden), || StandardNormal.sample(&mut rng))
        }
        WeightKind::Uniform => {
            Array2::from_shape_simple_fn((n_visible, n_hidden), || rng.random_range(-1.0..1.0))
        }
    };
    let n = w.len() as f64;
    let mean = w.sum() / n;
    let sd = (w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd <= 0.0 || !sd.is_finite() {
        return Err(RbmError::Numerical(format!(
            "{} weights of size ({n_visible}, {n_hidden}) have zero spread",
            kind.key()
        )));
    }
    Ok(Rbm::new(units, w / sd))
}

/// Accessibilities of one unit-std model at each of `stds`: `(Gibbs accessibility per std)`.
fn model_accessibility(
    rbm: &Rbm,
    stds: &[f64],
    n_starts: usize,
    steps: usize,
    seed: Seed,
) -> Result<Vec<f64>> {
    let gs = ground_state(rbm)?.energy;
    stds.iter()
        .enumerate()
        .map(|(i, &s)| {
            let scaled = Rbm::new(rbm.units, &rbm.weights * s);
            Ok(
                gibbs_accessibility(&scaled, gs * s, n_starts, steps, seed.derive(i as u64))?
                    .accessibility,
            )
        })
        .collect()
}

/// Runs the Fig. 1 sweep and its inset; kind `k`'s models derive from `seed.named(k.key())`, the
/// inset's from `seed.named("inset")`. `observer` sees one report per weight kind.
pub fn untrained_accessibility(
    p: &ValidUntrainedParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<UntrainedResult> {
    let glorot_std = (2.0 / (p.n_visible + p.n_hidden) as f64).sqrt();
    let mut stds = p.stds.clone();
    stds.push(glorot_std);
    let mut sweep = Vec::new();
    let mut plateau = Vec::new();
    let mut glorot = MeanStd {
        mean: f64::NAN,
        std: f64::NAN,
    };
    let mut inset = Vec::new();
    for (ki, kind) in WeightKind::ALL.into_iter().enumerate() {
        let kseed = seed.named(kind.key());
        let runs: Vec<Vec<f64>> = (0..p.n_models)
            .into_par_iter()
            .map(|m| {
                let rbm = unit_model(kind, p.n_visible, p.n_hidden, p.k, kseed.derive(m as u64))?;
                model_accessibility(
                    &rbm,
                    &stds,
                    p.n_starts,
                    p.gibbs_steps,
                    kseed.named("gibbs").derive(m as u64),
                )
            })
            .collect::<Result<_>>()?;
        let main: Vec<Vec<f64>> = runs.iter().map(|r| r[..p.stds.len()].to_vec()).collect();
        let band = Band::from_runs(p.stds.clone(), &main);
        let last: Vec<f64> = main.iter().map(|r| r[p.stds.len() - 1]).collect();
        plateau.push((kind, MeanStd::of(&last)));
        if kind == WeightKind::Gaussian {
            let g: Vec<f64> = runs.iter().map(|r| r[p.stds.len()]).collect();
            glorot = MeanStd::of(&g);
        }
        sweep.push((kind, band));
        let iseed = seed.named("inset").derive(ki as u64);
        let inset_runs: Vec<Vec<f64>> = (0..p.n_models)
            .into_par_iter()
            .map(|m| {
                p.inset_visible
                    .iter()
                    .enumerate()
                    .map(|(j, &nv)| {
                        let s = iseed.derive(j as u64).derive(m as u64);
                        let rbm = unit_model(kind, nv, p.n_hidden, p.k, s)?;
                        Ok(model_accessibility(
                            &rbm,
                            &[p.inset_std],
                            p.n_starts,
                            p.gibbs_steps,
                            s.named("gibbs"),
                        )?[0])
                    })
                    .collect::<Result<Vec<f64>>>()
            })
            .collect::<Result<_>>()?;
        let x = p.inset_visible.iter().map(|&v| v as f64).collect();
        inset.push((kind, Band::from_runs(x, &inset_runs)));
        let metrics = [("plateau", plateau[ki].1.mean)];
        if observer.observe(&StepReport {
            stage: "untrained",
            step: ki + 1,
            total: Some(WeightKind::ALL.len()),
            metrics: &metrics,
        }) == Control::Stop
        {
            break;
        }
    }
    Ok(UntrainedResult {
        sweep,
        glorot_std,
        glorot,
        inset,
        plateau,
    })
}
