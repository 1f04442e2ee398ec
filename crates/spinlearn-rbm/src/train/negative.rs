//! The negative phase `⟨∂E/∂θ⟩_model` of the likelihood gradient (004 eq. 4), one trait with the
//! estimators Exact, CD-k, PCD-k, PID (004 eq. 6) and PID with Gibbs seeds (004 section V B).

use crate::model::Rbm32;
use crate::sample::{FieldPlan, random_states};
use crate::{RbmError, Result};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use spinlearn_core::{Seed, SpinRng};

/// What a negative phase hands back to the trainer.
#[derive(Debug, Clone)]
pub enum Negative {
    /// Configurations with equal weights: visible `(m, n_visible)` and hidden `(m, n_hidden)`
    /// (hidden states or conditional means `E[h|v]`); the model averages are their means.
    Samples {
        /// Visible states.
        visible: Array2<f32>,
        /// Hidden states or conditional means.
        hidden: Array2<f32>,
    },
    /// The model moments themselves: `⟨v hᵀ⟩ (n_visible, n_hidden)`, `⟨v⟩`, `⟨h⟩`.
    Moments {
        /// `⟨v hᵀ⟩`.
        vh: Array2<f32>,
        /// `⟨v⟩`.
        v: Array1<f32>,
        /// `⟨h⟩`.
        h: Array1<f32>,
    },
}

/// Persistent state of a negative phase (the PCD chains and their RNG streams); empty for
/// estimators without memory. Part of the checkpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChainState {
    /// Persistent visible states `(n_chains, n_visible)`.
    pub visible: Option<Array2<f32>>,
    /// One RNG stream per chain.
    pub rngs: Vec<SpinRng>,
}

/// Everything a negative phase may read for one update.
pub struct NegativeCtx<'a> {
    /// The current model. For RA models its weights equal eq. 5 of the patterns unless `fields`
    /// goes through the patterns (then the built-in estimators other than Exact do not read them
    /// and the trainer refreshes them once per epoch); custom estimators always see them current.
    pub model: &'a Rbm32,
    /// How to compute the model's fields for this update (binary gathers, RA patterns).
    pub fields: &'a FieldPlan<'a>,
    /// The patterns `(ξ_v (K, n_visible), ξ_h (K, n_hidden))` of an RA model.
    pub patterns: Option<(ArrayView2<'a, f32>, ArrayView2<'a, f32>)>,
    /// The data batch `(n, n_visible)`.
    pub batch: ArrayView2<'a, f32>,
    /// `E[h | batch]`, `(n, n_hidden)` (CD starts from a sample of it).
    pub positive_hidden: ArrayView2<'a, f32>,
    /// A seed unique to this update, for estimators that draw fresh streams.
    pub seed: Seed,
}

/// A negative-phase estimator. Implementations are immutable configuration; what they change
/// lives in the [`ChainState`].
pub trait NegativePhase: Send + Sync {
    /// A short name, e.g. `"pcd-1"`.
    fn name(&self) -> String;
    /// The initial chain state for a model with `n_visible` units.
    fn init(&self, model: &Rbm32, seed: Seed) -> Result<ChainState>;
    /// The negative phase for one update.
    fn negative(&self, ctx: &NegativeCtx<'_>, state: &mut ChainState) -> Result<Negative>;
}

/// Which hidden configuration PID pairs with each pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PidHidden {
    /// `E[h | ξ_v]`: the gradient of the free energy at the visible patterns (004 Appendix A).
    #[default]
    Mean,
    /// The hidden pattern `ξ_h` itself: the energy gradient at the joint configurations `ξ^(k)`
    /// (004 eq. 6 with `f = ∂E/∂θ`).
    Pattern,
}

/// The built-in estimators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Estimator {
    /// Exact model averages by enumerating the smaller layer (at most 24 units).
    Exact,
    /// Contrastive divergence: `gibbs_steps` Gibbs steps from the data batch (CD-k).
    Cd {
        /// Gibbs steps k.
        gibbs_steps: usize,
    },
    /// Persistent CD: `gibbs_steps` Gibbs steps of `n_chains` fantasy particles kept across
    /// updates (PCD-k).
    Pcd {
        /// Gibbs steps k per update.
        gibbs_steps: usize,
        /// Number of persistent chains (004 used 2048).
        n_chains: usize,
    },
    /// Pattern-InDuced correlations (004 eq. 6): averages over the K patterns; RA models only.
    Pid {
        /// Hidden configuration paired with each pattern.
        hidden: PidHidden,
    },
    /// PID with Gibbs seeds (004 section V B): `gibbs_steps` Gibbs steps from the binarized
    /// visible patterns.
    PidGibbs {
        /// Gibbs steps.
        gibbs_steps: usize,
    },
}

impl Estimator {
    /// Checks the estimator's own parameters (errors name `gibbs_steps`, `n_chains`).
    pub fn check(&self) -> spinlearn_core::Result<()> {
        match *self {
            Estimator::Cd { gibbs_steps } | Estimator::PidGibbs { gibbs_steps } => {
                spinlearn_core::check::nonzero("gibbs_steps", gibbs_steps)?;
            }
            Estimator::Pcd {
                gibbs_steps,
                n_chains,
            } => {
                spinlearn_core::check::nonzero("gibbs_steps", gibbs_steps)?;
                spinlearn_core::check::nonzero("n_chains", n_chains)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether the estimator needs an RA model.
    pub fn needs_patterns(&self) -> bool {
        matches!(self, Estimator::Pid { .. } | Estimator::PidGibbs { .. })
    }
}

fn hidden_means(fields: &FieldPlan<'_>, v: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut h = Array2::zeros((v.nrows(), fields.model().n_hidden()));
    fields.hidden_mean_into(v, &mut h);
    h
}

impl NegativePhase for Estimator {
    fn name(&self) -> String {
        match *self {
            Estimator::Exact => "exact".into(),
            Estimator::Cd { gibbs_steps: k } => format!("cd-{k}"),
            Estimator::Pcd { gibbs_steps: k, .. } => format!("pcd-{k}"),
            Estimator::Pid { .. } => "pid".into(),
            Estimator::PidGibbs { gibbs_steps: k } => format!("pid-gibbs-{k}"),
        }
    }

    fn init(&self, model: &Rbm32, seed: Seed) -> Result<ChainState> {
        match *self {
            Estimator::Pcd { n_chains, .. } => {
                let mut rngs = seed.streams(n_chains);
                let visible = random_states(model.n_visible(), model.units.visible, &mut rngs);
                Ok(ChainState {
                    visible: Some(visible),
                    rngs,
                })
            }
            _ => Ok(ChainState::default()),
        }
    }

    fn negative(&self, ctx: &NegativeCtx<'_>, state: &mut ChainState) -> Result<Negative> {
        let model = ctx.model;
        match *self {
            Estimator::Exact => {
                let m = crate::eval::exact_moments(&model.to_f64())?;
                Ok(Negative::Moments {
                    vh: m.vh.mapv(|x| x as f32),
                    v: m.v.mapv(|x| x as f32),
                    h: m.h.mapv(|x| x as f32),
                })
            }
            Estimator::Cd { gibbs_steps: k } => {
                let n = ctx.batch.nrows();
                let mut rngs = ctx.seed.streams(n);
                let mut hidden = ctx.positive_hidden.to_owned();
                let mut v = Array2::zeros((n, model.n_visible()));
                ctx.fields
                    .cd_from_hidden_means(&mut v, &mut hidden, k, &mut rngs);
                Ok(Negative::Samples { visible: v, hidden })
            }
            Estimator::Pcd { gibbs_steps: k, .. } => {
                let mut v = state
                    .visible
                    .take()
                    .ok_or_else(|| RbmError::invalid("chains", "PCD state has no chains"))?;
                if v.ncols() != model.n_visible() || v.nrows() != state.rngs.len() {
                    return Err(RbmError::Shape("PCD chains do not fit the model".into()));
                }
                let mut hidden = Array2::zeros((v.nrows(), model.n_hidden()));
                ctx.fields
                    .gibbs_then_means(&mut v, &mut hidden, k, &mut state.rngs);
                state.visible = Some(v.clone());
                Ok(Negative::Samples { visible: v, hidden })
            }
            Estimator::Pid { hidden } => {
                let (pv, ph) = ctx
                    .patterns
                    .ok_or_else(|| RbmError::invalid("estimator", "PID needs an RA model"))?;
                let visible = pv.to_owned();
                let hidden = match hidden {
                    PidHidden::Mean => hidden_means(ctx.fields, pv),
                    PidHidden::Pattern => ph.to_owned(),
                };
                Ok(Negative::Samples { visible, hidden })
            }
            Estimator::PidGibbs { gibbs_steps: k } => {
                let (pv, _) = ctx
                    .patterns
                    .ok_or_else(|| RbmError::invalid("estimator", "PID needs an RA model"))?;
                let lo = model.units.visible.low() as f32;
                let mut v = pv.mapv(|x| if x >= 0.0 { 1.0 } else { lo });
                let mut rngs = ctx.seed.streams(v.nrows());
                let mut hidden = Array2::zeros((v.nrows(), model.n_hidden()));
                ctx.fields
                    .gibbs_then_means(&mut v, &mut hidden, k, &mut rngs);
                Ok(Negative::Samples { visible: v, hidden })
            }
        }
    }
}
