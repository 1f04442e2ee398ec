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

/// One model of the sweep (model `m` of a kind, at every std of the sweep and at the Glorot std)
/// and of the inset (model `m` of the kind at every `inset_visible`): one unit of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UntrainedModel {
    /// The weight kind.
    pub kind: WeightKind,
    /// The model's index among the kind's `n_models`.
    pub model: usize,
    /// Accessibility at each of `stds`, then at the Glorot std.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub sweep: Vec<f64>,
    /// Accessibility at `inset_std` for each of `inset_visible`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub inset: Vec<f64>,
}

/// Model `m` of `kind` for the sweep and the inset. Its streams derive from `seed` and `(kind, m)`
/// only: the sweep's model from `seed.named(kind.key()).derive(m)`, the inset's at the `j`-th
/// `n_visible` from `seed.named("inset").derive(kind's index).derive(j).derive(m)`.
pub fn untrained_model(
    p: &ValidUntrainedParams,
    kind: WeightKind,
    m: usize,
    seed: Seed,
) -> Result<UntrainedModel> {
    let glorot_std = glorot_std(p);
    let mut stds = p.stds.clone();
    stds.push(glorot_std);
    let kseed = seed.named(kind.key());
    let rbm = unit_model(kind, p.n_visible, p.n_hidden, p.k, kseed.derive(m as u64))?;
    let sweep = model_accessibility(
        &rbm,
        &stds,
        p.n_starts,
        p.gibbs_steps,
        kseed.named("gibbs").derive(m as u64),
    )?;
    let ki = WeightKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("a weight kind");
    let iseed = seed.named("inset").derive(ki as u64);
    let inset = p
        .inset_visible
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
        .collect::<Result<Vec<f64>>>()?;
    Ok(UntrainedModel {
        kind,
        model: m,
        sweep,
        inset,
    })
}

/// Glorot standard deviation `sqrt(2 / (n_visible + n_hidden))`.
fn glorot_std(p: &ValidUntrainedParams) -> f64 {
    (2.0 / (p.n_visible + p.n_hidden) as f64).sqrt()
}

impl UntrainedResult {
    /// The sweep's bands from its models ([`untrained_model`]), in any order: every kind of
    /// [`WeightKind::ALL`] needs models `0..n_models`, each once.
    pub fn from_models(p: &ValidUntrainedParams, models: &[UntrainedModel]) -> Result<Self> {
        Self::of_kinds(p, models, &WeightKind::ALL)
    }

    /// The bands of the kinds `kinds` only.
    fn of_kinds(
        p: &ValidUntrainedParams,
        models: &[UntrainedModel],
        kinds: &[WeightKind],
    ) -> Result<Self> {
        let glorot_std = glorot_std(p);
        let n_std = p.stds.len();
        let mut sweep = Vec::new();
        let mut plateau = Vec::new();
        let mut inset = Vec::new();
        let mut glorot = MeanStd {
            mean: f64::NAN,
            std: f64::NAN,
        };
        for &kind in kinds {
            let mut runs: Vec<&UntrainedModel> = Vec::with_capacity(p.n_models);
            for m in 0..p.n_models {
                let mut of_m = models.iter().filter(|u| u.kind == kind && u.model == m);
                match (of_m.next(), of_m.next()) {
                    (Some(u), None)
                        if u.sweep.len() == n_std + 1 && u.inset.len() == p.inset_visible.len() =>
                    {
                        runs.push(u)
                    }
                    (None, _) => {
                        return Err(RbmError::invalid(
                            "models",
                            format!("{} model {m} missing", kind.key()),
                        ));
                    }
                    (Some(_), Some(_)) => {
                        return Err(RbmError::invalid(
                            "models",
                            format!("{} model {m} given twice", kind.key()),
                        ));
                    }
                    (Some(_), None) => {
                        return Err(RbmError::invalid(
                            "models",
                            format!("{} model {m} has other sizes", kind.key()),
                        ));
                    }
                }
            }
            let main: Vec<Vec<f64>> = runs.iter().map(|r| r.sweep[..n_std].to_vec()).collect();
            let last: Vec<f64> = main.iter().map(|r| r[n_std - 1]).collect();
            plateau.push((kind, MeanStd::of(&last)));
            if kind == WeightKind::Gaussian {
                let g: Vec<f64> = runs.iter().map(|r| r.sweep[n_std]).collect();
                glorot = MeanStd::of(&g);
            }
            sweep.push((kind, Band::from_runs(p.stds.clone(), &main)));
            let x = p.inset_visible.iter().map(|&v| v as f64).collect();
            let inset_runs: Vec<Vec<f64>> = runs.iter().map(|r| r.inset.clone()).collect();
            inset.push((kind, Band::from_runs(x, &inset_runs)));
        }
        Ok(UntrainedResult {
            sweep,
            glorot_std,
            glorot,
            inset,
            plateau,
        })
    }
}

/// Runs the Fig. 1 sweep and its inset: every model of [`untrained_model`], the models of a kind
/// in parallel. `observer` sees one report per weight kind; after a stop the result holds the kinds
/// done.
pub fn untrained_accessibility(
    p: &ValidUntrainedParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<UntrainedResult> {
    let mut models = Vec::new();
    let mut done = Vec::new();
    for (ki, kind) in WeightKind::ALL.into_iter().enumerate() {
        let of_kind: Vec<UntrainedModel> = (0..p.n_models)
            .into_par_iter()
            .map(|m| untrained_model(p, kind, m, seed))
            .collect::<Result<_>>()?;
        let last: Vec<f64> = of_kind.iter().map(|u| u.sweep[p.stds.len() - 1]).collect();
        models.extend(of_kind);
        done.push(kind);
        let metrics = [("plateau", MeanStd::of(&last).mean)];
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
    UntrainedResult::of_kinds(p, &models, &done)
}
