//! A list of evaluations of one saved model on one dataset (what `spinlearn rbm eval` computes):
//! exact or AIS log Z with the mean log-likelihood, the ground state, the Gibbs accessibility, the
//! reconstruction Hamming distance, the singular values and the linear probe (see [`crate::eval`]).

use crate::eval::{self, AisParams, BetaSchedule, ProbeParams, ValidAisParams, ValidProbeParams};
use crate::{Rbm, RbmError, Result};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, Seed, check};
use spinlearn_data::Dataset;

/// One evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evaluation {
    /// Exact log Z (and the mean log-likelihood of the data).
    Exact,
    /// Forward AIS log Z (base matched to the data).
    Ais,
    /// Reverse AIS from the data: the first rows (at most the AIS chains, at most half) start
    /// the chains, the base is fitted on the other rows ([`eval::reverse_ais_split`]).
    ReverseAis,
    /// Exact ground-state energy.
    GroundState,
    /// Gibbs accessibility of the ground state (004 section V A).
    Accessibility,
    /// Reconstruction Hamming distance (004 Appendix C).
    Reconstruction,
    /// Singular values of W.
    Spectrum,
    /// Logistic-regression probe on the hidden means (labelled data, 80/20 split).
    Probe,
}

impl Evaluation {
    /// Every evaluation, in the order of the enum.
    pub const ALL: [Evaluation; 8] = [
        Evaluation::Exact,
        Evaluation::Ais,
        Evaluation::ReverseAis,
        Evaluation::GroundState,
        Evaluation::Accessibility,
        Evaluation::Reconstruction,
        Evaluation::Spectrum,
        Evaluation::Probe,
    ];

    /// The name as typed (`exact`, `ais`, `reverse-ais`, `ground-state`, `accessibility`,
    /// `reconstruction`, `spectrum`, `probe`).
    pub fn name(self) -> &'static str {
        match self {
            Evaluation::Exact => "exact",
            Evaluation::Ais => "ais",
            Evaluation::ReverseAis => "reverse-ais",
            Evaluation::GroundState => "ground-state",
            Evaluation::Accessibility => "accessibility",
            Evaluation::Reconstruction => "reconstruction",
            Evaluation::Spectrum => "spectrum",
            Evaluation::Probe => "probe",
        }
    }

    /// The evaluation named `name` ([`Evaluation::name`]).
    pub fn parse(name: &str) -> Option<Evaluation> {
        Evaluation::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether the evaluation reads samples.
    pub fn needs_data(self) -> bool {
        matches!(
            self,
            Evaluation::Exact
                | Evaluation::Ais
                | Evaluation::ReverseAis
                | Evaluation::Reconstruction
                | Evaluation::Probe
        )
    }
}

/// What to evaluate and how. Validate with [`ParamGuard::check`]; field names are the flags of
/// `spinlearn rbm eval`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalParams {
    /// The evaluations, in order.
    pub what: Vec<Evaluation>,
    /// AIS chains.
    pub ais_chains: usize,
    /// AIS intermediate distributions.
    pub ais_betas: usize,
    /// Random starts for the accessibility.
    pub starts: usize,
    /// Gibbs steps (accessibility, reconstruction).
    pub steps: usize,
    /// Clamped leading units for the reconstruction (`None`: the top image row).
    pub known: Option<usize>,
    /// Probe: passes over the training features.
    pub probe_epochs: usize,
}

valid_params! {
    /// [`EvalParams`] that passed [`ParamGuard::check`].
    pub struct ValidEvalParams {
        /// The evaluations, in order.
        what: Vec<Evaluation>,
        /// AIS settings.
        ais: ValidAisParams,
        /// Random starts for the accessibility.
        starts: usize,
        /// Gibbs steps.
        steps: usize,
        /// Clamped leading units for the reconstruction.
        known: Option<usize>,
        /// Probe settings.
        probe: ValidProbeParams,
    }
}

impl ParamGuard for EvalParams {
    type Checked = ValidEvalParams;

    fn check(&self) -> spinlearn_core::Result<ValidEvalParams> {
        if self.what.is_empty() {
            return Err(spinlearn_core::Error::invalid(
                "what",
                "name at least one evaluation",
            ));
        }
        check::at_least("ais_chains", self.ais_chains, 2)?;
        check::at_least("ais_betas", self.ais_betas, 2)?;
        check::nonzero("probe_epochs", self.probe_epochs)?;
        // Sizes that drive allocations before the model's own (which `evaluate` checks): a log
        // weight and states per AIS chain, one β per intermediate distribution, a state per start.
        spinlearn_core::mem::check("ais_chains", &[(&[self.ais_chains, 4], 8)])?;
        spinlearn_core::mem::check("ais_betas", &[(&[self.ais_betas], 8)])?;
        spinlearn_core::mem::check("starts", &[(&[self.starts, 2], 8)])?;
        Ok(ValidEvalParams {
            what: self.what.clone(),
            ais: AisParams {
                n_chains: self.ais_chains,
                n_betas: self.ais_betas,
                schedule: BetaSchedule::Piecewise,
            }
            .check()?,
            starts: check::nonzero("starts", self.starts)?,
            steps: self.steps,
            known: self.known,
            probe: ProbeParams {
                epochs: self.probe_epochs,
                ..ProbeParams::default()
            }
            .check()?,
        })
    }
}

/// The figures computed; a field is `None` when its evaluation was not asked for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EvalReport {
    /// The exact log Z when computed, else the forward AIS estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_z: Option<f64>,
    /// Exact log Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_log_z: Option<f64>,
    /// Mean log-likelihood of the data under `log_z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_log_likelihood: Option<f64>,
    /// Forward AIS log Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ais_log_z: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_z_stderr: Option<f64>,
    /// Its effective sample size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ess: Option<f64>,
    /// Mean log-likelihood of the data under the forward AIS log Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ais_mean_log_likelihood: Option<f64>,
    /// Reverse AIS log Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_log_z: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_log_z_stderr: Option<f64>,
    /// Its effective sample size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_ess: Option<f64>,
    /// Mean log-likelihood of the data under the reverse AIS log Z.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse_mean_log_likelihood: Option<f64>,
    /// Exact ground-state energy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ground_state_energy: Option<f64>,
    /// Gibbs accessibility.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gibbs_accessibility: Option<f64>,
    /// Mean Gibbs accessibility over the starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gibbs_mean_accessibility: Option<f64>,
    /// Mean reconstruction Hamming distance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconstruction_hamming: Option<f64>,
    /// Singular values of W, non-increasing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub singular_values: Option<Vec<f64>>,
    /// Probe accuracy on the training part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_train_accuracy: Option<f64>,
    /// Probe accuracy on the test part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_test_accuracy: Option<f64>,
}

/// Runs the evaluations of `p` in order on `rbm`, with `data` (values in the visible units'
/// encoding) where an evaluation needs samples. Streams: AIS from `seed.named("ais")`, the
/// accessibility from `seed.named("access")`, the reconstruction from `seed.named("recon")`, the
/// probe's split and regression from `seed.named("probe-split")` and `seed.named("probe")`.
pub fn evaluate(
    rbm: &Rbm,
    data: Option<&Dataset>,
    p: &ValidEvalParams,
    seed: Seed,
) -> Result<EvalReport> {
    evaluate_with_patterns(rbm, None, data, p, seed)
}

/// [`evaluate`] for an RA model given its patterns `ξ_v (K, n_visible)`, `ξ_h (K, n_hidden)`:
/// AIS ([`eval::ais_through_patterns`]) and the probe's hidden means go through them whenever
/// `(n_visible + n_hidden) K < n_visible n_hidden`; the patterns must be the model's (checked
/// against its weights, else an error naming `patterns`).
pub fn evaluate_with_patterns(
    rbm: &Rbm,
    patterns: Option<(ArrayView2<'_, f32>, ArrayView2<'_, f32>)>,
    data: Option<&Dataset>,
    p: &ValidEvalParams,
    seed: Seed,
) -> Result<EvalReport> {
    if let Some(ds) = data
        && ds.n_features() != rbm.n_visible()
    {
        return Err(RbmError::Shape(format!(
            "data has {} features, the model {} visible units",
            ds.n_features(),
            rbm.n_visible()
        )));
    }
    let units_total = rbm.n_visible().saturating_add(rbm.n_hidden());
    spinlearn_core::mem::check("ais_chains", &[(&[p.ais.n_chains(), units_total], 2 * 8)])?;
    spinlearn_core::mem::check("starts", &[(&[p.starts, units_total], 2 * 8)])?;
    let data64 = data.map(|d| d.data.mapv(f64::from));
    let need = |what: &str| {
        data64
            .as_ref()
            .ok_or_else(|| RbmError::invalid("data", format!("{what} needs data")))
    };
    let units = rbm.units;
    let mut r = EvalReport::default();
    for &what in &p.what {
        match what {
            Evaluation::Exact => {
                let lz = eval::exact_log_z(rbm)?;
                r.log_z = Some(lz);
                r.exact_log_z = Some(lz);
                if let Some(d) = &data64 {
                    r.mean_log_likelihood = eval::log_likelihood(rbm, d.view(), lz).mean();
                }
            }
            Evaluation::Ais => {
                let d = need("AIS")?;
                let base = eval::base_visible_bias(units.visible, d.view());
                let a = match patterns {
                    Some((pv, ph)) => eval::ais_through_patterns(
                        rbm,
                        pv,
                        ph,
                        base.view(),
                        &p.ais,
                        seed.named("ais"),
                    )?,
                    None => eval::ais(rbm, base.view(), &p.ais, seed.named("ais"))?,
                };
                let ll = eval::log_likelihood(rbm, d.view(), a.log_z).mean();
                if !p.what.contains(&Evaluation::Exact) {
                    r.log_z = Some(a.log_z);
                    r.mean_log_likelihood = ll;
                }
                r.ais_log_z = Some(a.log_z);
                r.log_z_stderr = Some(a.log_z_stderr);
                r.ess = Some(a.ess);
                r.ais_mean_log_likelihood = ll;
            }
            Evaluation::ReverseAis => {
                let d = need("reverse AIS")?;
                // starts: the first rows (at most n_chains, at most half); base: the others
                let a = eval::reverse_ais_split(
                    rbm,
                    d.view(),
                    p.ais.n_chains(),
                    &p.ais,
                    seed.named("ais"),
                )?;
                r.reverse_log_z = Some(a.log_z);
                r.reverse_log_z_stderr = Some(a.log_z_stderr);
                r.reverse_ess = Some(a.ess);
                r.reverse_mean_log_likelihood = eval::log_likelihood(rbm, d.view(), a.log_z).mean();
            }
            Evaluation::GroundState => {
                r.ground_state_energy = Some(eval::ground_state(rbm)?.energy);
            }
            Evaluation::Accessibility => {
                let e = match r.ground_state_energy {
                    Some(e) => e,
                    None => eval::ground_state(rbm)?.energy,
                };
                let a = eval::gibbs_accessibility(rbm, e, p.starts, p.steps, seed.named("access"))?;
                r.ground_state_energy = Some(e);
                r.gibbs_accessibility = Some(a.accessibility);
                r.gibbs_mean_accessibility = Some(a.mean_accessibility);
            }
            Evaluation::Reconstruction => {
                let d = need("reconstruction")?;
                let shape = data.and_then(|d| d.image_shape);
                let known = p.known.unwrap_or(shape.map_or(1, |(_, w)| w));
                let h = eval::reconstruction_hamming(
                    rbm,
                    d.view(),
                    known,
                    p.steps,
                    seed.named("recon"),
                )?;
                r.reconstruction_hamming = h.mean();
            }
            Evaluation::Spectrum => {
                r.singular_values = Some(eval::singular_values(rbm)?);
            }
            Evaluation::Probe => {
                let ds = data
                    .filter(|d| d.labels.is_some())
                    .ok_or_else(|| RbmError::invalid("data", "the probe needs labelled data"))?;
                let (tr, te) =
                    spinlearn_data::transform::split(ds, 0.8, seed.named("probe-split"))?;
                let pr = eval::probe(
                    rbm,
                    tr.data.mapv(f64::from).view(),
                    tr.labels.as_deref().unwrap_or_default(),
                    te.data.mapv(f64::from).view(),
                    te.labels.as_deref().unwrap_or_default(),
                    &p.probe,
                    seed.named("probe"),
                    patterns,
                )?;
                r.probe_train_accuracy = Some(pr.train_accuracy);
                r.probe_test_accuracy = Some(pr.test_accuracy);
            }
        }
    }
    Ok(r)
}
