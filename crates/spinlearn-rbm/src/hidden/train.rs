//! CD-k and PCD-k training of a [`HiddenRbm`] (f64, SGD with momentum).
//!
//! This is its own small trainer rather than a path through the fast f32 [`crate::train`]: that
//! trainer's kernels, chains and checkpoints hold binary hidden states in f32 buffers and sample
//! them with its own logistic tables, and the continuous and counting units here would have to
//! reach into every one of them. The models this trains are the small ones exact enumeration can
//! check; for `bit`/`spin` hidden units on large data use [`crate::train`].
//!
//! The update is the usual likelihood gradient with the hidden layer summed out exactly:
//! `∂ ln p(v) / ∂W_ij = v_i g E[h_j | v] - ⟨v_i g E[h_j | v]⟩_model`, the model average estimated
//! from the visible states after `k` block Gibbs steps, started at the data (CD-k) or kept between
//! updates (PCD-k, `n_chains` persistent chains).

use super::{HiddenRbm, HiddenUnits};
use crate::{RbmError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, SpinRng, StepReport, Units, check};

/// Negative phase of [`train`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum HiddenEstimator {
    /// CD-k: `gibbs_steps` block Gibbs steps from each data row of the batch.
    Cd {
        /// k >= 1.
        gibbs_steps: usize,
    },
    /// PCD-k: `n_chains` persistent chains, advanced `gibbs_steps` per update.
    Pcd {
        /// k >= 1.
        gibbs_steps: usize,
        /// Number of chains >= 1.
        n_chains: usize,
    },
}

impl HiddenEstimator {
    /// `"cd-k"` or `"pcd-k"`.
    pub fn name(&self) -> String {
        match self {
            HiddenEstimator::Cd { gibbs_steps } => format!("cd-{gibbs_steps}"),
            HiddenEstimator::Pcd { gibbs_steps, .. } => format!("pcd-{gibbs_steps}"),
        }
    }
}

/// Parameters of [`train`] (checked into [`HiddenTrainValidParams`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenTrainParams {
    /// Number of hidden units (>= 1).
    pub n_hidden: usize,
    /// Visible units (the data's encoding).
    pub visible: Units,
    /// Hidden-unit type.
    pub hidden: HiddenUnits,
    /// Train the visible and hidden biases (false: held at zero).
    pub biases: bool,
    /// Negative phase.
    pub estimator: HiddenEstimator,
    /// Learning rate (> 0).
    pub lr: f64,
    /// Momentum in [0, 1).
    pub momentum: f64,
    /// L2 weight decay on `W` (>= 0).
    pub weight_decay: f64,
    /// Passes over the data (>= 1).
    pub epochs: usize,
    /// Mini-batch size (>= 1).
    pub batch_size: usize,
    /// Standard deviation of the initial weights (>= 0).
    pub init_std: f64,
    /// Compute the exact NLL after every epoch (n_visible <= 24).
    pub track_exact_nll: bool,
}

impl Default for HiddenTrainParams {
    fn default() -> Self {
        HiddenTrainParams {
            n_hidden: 8,
            visible: Units::Bit,
            hidden: HiddenUnits::Bit,
            biases: true,
            estimator: HiddenEstimator::Cd { gibbs_steps: 1 },
            lr: 0.05,
            momentum: 0.5,
            weight_decay: 0.0,
            epochs: 10,
            batch_size: 10,
            init_std: 0.01,
            track_exact_nll: false,
        }
    }
}

valid_params! {
    /// Checked [`HiddenTrainParams`].
    pub struct HiddenTrainValidParams {
        /// Number of hidden units.
        n_hidden: usize,
        /// Visible units.
        visible: Units,
        /// Hidden-unit type.
        hidden: HiddenUnits,
        /// Trainable biases.
        biases: bool,
        /// Negative phase.
        estimator: HiddenEstimator,
        /// Learning rate.
        lr: f64,
        /// Momentum.
        momentum: f64,
        /// Weight decay.
        weight_decay: f64,
        /// Epochs.
        epochs: usize,
        /// Batch size.
        batch_size: usize,
        /// Initial weight scale.
        init_std: f64,
        /// Exact NLL per epoch.
        track_exact_nll: bool,
    }
}

impl ParamGuard for HiddenTrainParams {
    type Checked = HiddenTrainValidParams;

    fn check(&self) -> spinlearn_core::Result<HiddenTrainValidParams> {
        check::nonzero("n_hidden", self.n_hidden)?;
        check::positive("lr", self.lr)?;
        check::in_range("momentum", self.momentum, 0.0, 1.0)?;
        if self.momentum >= 1.0 {
            return Err(spinlearn_core::Error::invalid("momentum", "must be < 1"));
        }
        check::non_negative("weight_decay", self.weight_decay)?;
        check::nonzero("epochs", self.epochs)?;
        check::nonzero("batch_size", self.batch_size)?;
        check::non_negative("init_std", self.init_std)?;
        let hidden = self
            .hidden
            .checked()
            .map_err(|e| spinlearn_core::Error::invalid("hidden", e.to_string()))?;
        match self.estimator {
            HiddenEstimator::Cd { gibbs_steps } => {
                check::nonzero("gibbs_steps", gibbs_steps)?;
            }
            HiddenEstimator::Pcd {
                gibbs_steps,
                n_chains,
            } => {
                check::nonzero("gibbs_steps", gibbs_steps)?;
                check::nonzero("n_chains", n_chains)?;
            }
        }
        Ok(HiddenTrainValidParams {
            n_hidden: self.n_hidden,
            visible: self.visible,
            hidden,
            biases: self.biases,
            estimator: self.estimator,
            lr: self.lr,
            momentum: self.momentum,
            weight_decay: self.weight_decay,
            epochs: self.epochs,
            batch_size: self.batch_size,
            init_std: self.init_std,
            track_exact_nll: self.track_exact_nll,
        })
    }
}

/// What one epoch of [`train`] measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenEpoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Exact mean NLL of the training data (nats) when tracked.
    pub exact_nll: Option<f64>,
    /// RMS of the weights.
    pub weight_rms: f64,
}

/// Runs `k` block Gibbs steps from `v (n, n_visible)` in place; row `r` uses `rngs[r]`.
pub fn gibbs(model: &HiddenRbm, v: &mut Array2<f64>, k: usize, rngs: &mut [SpinRng]) {
    for _ in 0..k {
        let h = model.sample_hidden(v.view(), rngs);
        *v = model.sample_visible(h.view(), rngs);
    }
}

/// `(Σ_r v_r ⊗ g E[h | v_r], Σ_r v_r, Σ_r g E[h | v_r])` over the rows of `v`.
fn statistics(
    model: &HiddenRbm,
    v: ArrayView2<'_, f64>,
) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let gh = model.hidden_mean(v) * model.hidden.gain();
    (
        crate::linalg::matmul(v.t(), gh.view()),
        v.sum_axis(Axis(0)),
        gh.sum_axis(Axis(0)),
    )
}

/// Trains a [`HiddenRbm`] on `data (n_samples, n_visible)` (values in the visible encoding) from
/// Gaussian initial weights. Every stream derives from `seed`: the weights (`"init"`), the batch
/// order (`"order"`), the CD rows (`"cd"`, one stream per batch row) or the PCD chains (`"pcd"`,
/// one per chain, which start uniformly random). Reports each epoch to `observer` (metrics
/// `exact_nll` when tracked, `weight_rms`); stops early when it answers Stop.
pub fn train(
    params: &HiddenTrainValidParams,
    data: ArrayView2<'_, f64>,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<(HiddenRbm, Vec<HiddenEpoch>)> {
    let (n_samples, nv) = data.dim();
    if n_samples == 0 || nv == 0 {
        return Err(RbmError::invalid("data", "is empty"));
    }
    let [lo, hi] = params.visible().values();
    if data.iter().any(|&x| x != lo && x != hi) {
        return Err(RbmError::invalid(
            "data",
            format!(
                "values must be {lo} or {hi} for {} visible units",
                params.visible()
            ),
        ));
    }
    if params.track_exact_nll() && nv > crate::eval::MAX_EXACT {
        return Err(RbmError::TooLarge {
            n: nv,
            max: crate::eval::MAX_EXACT,
        });
    }
    let nh = params.n_hidden();
    let batch = params.batch_size().min(n_samples);
    // Refuse sizes beyond memory before allocating: the model, its update and the batch
    // statistics (f64), and the PCD chains with their streams.
    spinlearn_core::mem::check("n_hidden", &[(&[nv, nh], 8 * 6), (&[batch, nh], 8 * 4)])?;
    if let HiddenEstimator::Pcd { n_chains, .. } = params.estimator() {
        spinlearn_core::mem::check(
            "n_chains",
            &[(&[n_chains, nv.max(nh)], 8 * 4), (&[n_chains], 32)],
        )?;
    }
    let mut model = HiddenRbm::random(
        nv,
        nh,
        params.visible(),
        params.hidden(),
        params.biases(),
        params.init_std(),
        &mut seed.named("init").stream(0),
    );
    let mut order_rng = seed.named("order").stream(0);
    // PCD's persistent chains (no rows for CD).
    let (mut chains, mut chain_rngs) = match params.estimator() {
        HiddenEstimator::Cd { .. } => (Array2::zeros((0, nv)), seed.named("cd").streams(batch)),
        HiddenEstimator::Pcd { n_chains, .. } => {
            let mut rngs = seed.named("pcd").streams(n_chains);
            let v = Array2::from_shape_fn((n_chains, nv), |(c, _)| {
                if rand::RngExt::random::<bool>(&mut rngs[c]) {
                    hi
                } else {
                    lo
                }
            });
            (v, rngs)
        }
    };
    let (mut dw, mut da, mut db) = (
        Array2::<f64>::zeros((nv, nh)),
        Array1::<f64>::zeros(nv),
        Array1::<f64>::zeros(nh),
    );
    let mut order: Vec<usize> = (0..n_samples).collect();
    let mut history = Vec::with_capacity(params.epochs());
    for epoch in 1..=params.epochs() {
        order.shuffle(&mut order_rng);
        for idx in order.chunks(batch) {
            let vb = data.select(Axis(0), idx);
            let (pw, pa, pb) = statistics(&model, vb.view());
            let neg_v = match params.estimator() {
                HiddenEstimator::Cd { gibbs_steps } => {
                    let mut v = vb.clone();
                    gibbs(&model, &mut v, gibbs_steps, &mut chain_rngs[..idx.len()]);
                    v
                }
                HiddenEstimator::Pcd { gibbs_steps, .. } => {
                    gibbs(&model, &mut chains, gibbs_steps, &mut chain_rngs);
                    chains.clone()
                }
            };
            let (nw, na, nb) = statistics(&model, neg_v.view());
            let (sp, sn) = (1.0 / idx.len() as f64, 1.0 / neg_v.nrows() as f64);
            let (lr, mom) = (params.lr(), params.momentum());
            let grad_w = &pw * sp - &nw * sn - &model.weights * params.weight_decay();
            dw = &dw * mom + &grad_w * lr;
            model.weights += &dw;
            if params.biases() {
                da = &da * mom + &((&pa * sp - &na * sn) * lr);
                db = &db * mom + &((&pb * sp - &nb * sn) * lr);
                model.visible_bias += &da;
                model.hidden_bias += &db;
            }
        }
        if model.check().is_err() {
            return Err(RbmError::Diverged { epoch });
        }
        let exact_nll = if params.track_exact_nll() {
            Some(model.exact_nll(data)?)
        } else {
            None
        };
        let weight_rms = (model.weights.mapv(|w| w * w).mean().unwrap_or(0.0)).sqrt();
        history.push(HiddenEpoch {
            epoch,
            exact_nll,
            weight_rms,
        });
        let mut metrics = vec![("weight_rms", weight_rms)];
        if let Some(nll) = exact_nll {
            metrics.push(("exact_nll", nll));
        }
        let control = observer.observe(&StepReport {
            stage: "epoch",
            step: epoch,
            total: Some(params.epochs()),
            metrics: &metrics,
        });
        if control == Control::Stop {
            break;
        }
    }
    Ok((model, history))
}
