//! Training: parameters ([`TrainParams`]), optimizers ([`Optimizer`]), the pluggable negative phase
//! ([`NegativePhase`], built-ins in [`Estimator`]), the serializable [`State`] (parameters, chains,
//! RNG streams, optimizer moments: the checkpoint), the epoch loop ([`Trainer`]) and what watches it
//! ([`EpochObserver`]: progress, [`Checkpointer`], per-epoch measurements).
//!
//! The update ascends the mean log-likelihood (004 eq. 4 with the opposite sign):
//! `∂⟨log P⟩/∂W = ⟨v E[h|v]ᵀ⟩_data - ⟨v hᵀ⟩_model`, and likewise for the biases. For RA models
//! (004 eq. 5) the gradient flows to the patterns by the chain rule (004 eqs. A7a, A7b):
//! `∂/∂ξ_v = ξ_h Gᵀ / √K`, `∂/∂ξ_h = ξ_v G / √K`, `G` the weight gradient. Binarization follows
//! 004 Appendix B. All arithmetic is f32.

pub mod negative;
mod observe;
mod optim;

pub use negative::{ChainState, Estimator, Negative, NegativeCtx, NegativePhase, PidHidden};
pub use observe::{Checkpointer, EpochObserver, Reports};
pub use optim::{OptState, Optimizer};

use crate::kernels::{ActiveLists, Kernels};
use crate::linalg::{gemm, par};
use crate::model::Rbm32;
use crate::model::{Model, RaRbm, Rbm, UnitsSpec};
use crate::{RbmError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, check};
use std::time::Instant;

/// How pattern values are brought back to spins (004 Appendix B).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Binarize {
    /// Keep continuous patterns unconstrained.
    None,
    /// `ξ ← sign(ξ)` after every epoch (B1; used for Bars and BAS).
    #[default]
    Sign,
    /// Clip to `[-clip, clip]` after every update (value restriction; used for MNIST with 1).
    Clip {
        /// The bound x of Appendix B.
        clip: f64,
    },
    /// One Gibbs step from the patterns after every epoch (B2a, B2b): `ξ_v ~ p(v | ξ_h)`, then
    /// `ξ_h ~ p(h | ξ_v)`.
    Gibbs,
}

/// The weight parameterization and its initialization.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WeightsSpec {
    /// Dense `W` initialized i.i.d. Gaussian with standard deviation `init_std`.
    Dense {
        /// Standard deviation of the initial weights (0.01 is Hinton's guide).
        init_std: f64,
    },
    /// Regularized Axons (004 eq. 5) with `k` random ±1 patterns.
    Ra {
        /// Number of patterns K.
        k: usize,
        /// Binarization of the patterns (004 Appendix B).
        binarize: Binarize,
    },
}

/// Training configuration: plain data, as written in flags or a config. Validate with
/// [`ParamGuard::check`], which gives the [`ValidTrainParams`] that [`Trainer`] takes. The seed is
/// not a field: it is passed to [`Trainer::new`] or [`train`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Number of hidden units.
    pub n_hidden: usize,
    /// Unit types and bias flag.
    pub units: UnitsSpec,
    /// Dense or RA weights.
    pub weights: WeightsSpec,
    /// The negative-phase estimator.
    pub estimator: Estimator,
    /// Optimizer and learning-rate schedule.
    pub optimizer: Optimizer,
    /// Number of epochs (passes over the data).
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Report the exact mean negative log-likelihood after each epoch (smaller layer <= 20 units).
    pub track_exact_nll: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            n_hidden: 500,
            units: UnitsSpec::BITS_WITH_BIAS,
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator: Estimator::Cd { gibbs_steps: 1 },
            optimizer: Optimizer::default(),
            epochs: 10,
            batch_size: 100,
            track_exact_nll: false,
        }
    }
}

valid_params! {
    /// [`TrainParams`] that passed [`ParamGuard::check`]; read through the accessors.
    pub struct ValidTrainParams {
        /// Number of hidden units.
        n_hidden: usize,
        /// Unit types and bias flag.
        units: UnitsSpec,
        /// Dense or RA weights.
        weights: WeightsSpec,
        /// The negative-phase estimator.
        estimator: Estimator,
        /// Optimizer and learning-rate schedule.
        optimizer: Optimizer,
        /// Number of epochs.
        epochs: usize,
        /// Mini-batch size.
        batch_size: usize,
        /// Whether the exact NLL is reported after each epoch.
        track_exact_nll: bool,
    }
}

impl ParamGuard for TrainParams {
    type Checked = ValidTrainParams;

    /// Validates every field once; errors name the field (`n_hidden`, `epochs`, `batch_size`,
    /// `gibbs_steps`, `n_chains`, `lr`, ..., `init_std`, `k`, `clip`, `estimator`).
    fn check(&self) -> spinlearn_core::Result<ValidTrainParams> {
        check::nonzero("n_hidden", self.n_hidden)?;
        check::nonzero("epochs", self.epochs)?;
        check::nonzero("batch_size", self.batch_size)?;
        self.estimator.check()?;
        self.optimizer.check()?;
        match self.weights {
            WeightsSpec::Dense { init_std } => {
                check::non_negative("init_std", init_std)?;
            }
            WeightsSpec::Ra { k, binarize } => {
                check::nonzero("k", k)?;
                if let Binarize::Clip { clip } = binarize {
                    check::positive("clip", clip)?;
                }
            }
        }
        if self.estimator.needs_patterns() && !matches!(self.weights, WeightsSpec::Ra { .. }) {
            return Err(spinlearn_core::Error::invalid(
                "estimator",
                "PID needs weights = ra (Regularized Axons)",
            ));
        }
        // The data's width is not known yet: at least one visible unit. `Trainer::init` and
        // `Trainer::check_state` check again with the data's width.
        training_memory(self.n_hidden, &self.weights, &self.estimator, 1)?;
        Ok(ValidTrainParams {
            n_hidden: self.n_hidden,
            units: self.units,
            weights: self.weights,
            estimator: self.estimator,
            optimizer: self.optimizer,
            epochs: self.epochs,
            batch_size: self.batch_size,
            track_exact_nll: self.track_exact_nll,
        })
    }
}

/// Checks the memory that training `n_visible x n_hidden` allocates against the limit of
/// [`spinlearn_core::mem`], naming the parameter that drives each part: the f32 model with its
/// gradient and two optimizer moments plus the f64 copy written at each checkpoint (`n_hidden`),
/// the RA patterns (`k`), the PCD chains and their streams (`n_chains`).
fn training_memory(
    n_hidden: usize,
    weights: &WeightsSpec,
    estimator: &Estimator,
    n_visible: usize,
) -> spinlearn_core::Result<u64> {
    use spinlearn_core::mem;
    let units = n_visible.checked_add(n_hidden);
    let overflow = |name: &str| {
        spinlearn_core::Error::invalid(name, mem::admit(None).err().unwrap_or_default())
    };
    let model = mem::check("n_hidden", &[(&[n_visible, n_hidden], 4 * 4 + 8)])?;
    let patterns = match *weights {
        WeightsSpec::Ra { k, .. } => {
            mem::check("k", &[(&[k, units.ok_or_else(|| overflow("k"))?], 4 * 4)])?
        }
        WeightsSpec::Dense { .. } => 0,
    };
    let chains = match *estimator {
        Estimator::Pcd { n_chains, .. } => mem::check(
            "n_chains",
            &[
                (&[n_chains, units.ok_or_else(|| overflow("n_chains"))?], 4),
                (&[n_chains], 32),
            ],
        )?,
        _ => 0,
    };
    mem::admit(
        model
            .checked_add(patterns)
            .and_then(|b| b.checked_add(chains)),
    )
    .map_err(|why| spinlearn_core::Error::invalid("n_hidden", why))
}

/// Everything that changes during training: the checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Epochs completed.
    pub epoch: usize,
    /// Parameter updates done.
    pub step: u64,
    /// The model in f32 (for RA models the weights are kept equal to eq. 5 of the patterns).
    pub model: Option<Rbm32>,
    /// RA patterns `(ξ_v (K, n_visible), ξ_h (K, n_hidden))`.
    pub patterns: Option<(Array2<f32>, Array2<f32>)>,
    /// Negative-phase chains and their streams.
    pub chains: ChainState,
    /// Optimizer moments.
    pub optimizer: OptState,
    /// The figures of every epoch completed so far, resumed runs included (what `epochs.json`
    /// holds).
    #[serde(default)]
    pub history: Vec<EpochMetrics>,
}

impl State {
    /// The current model in f64 (an empty dense model if the state holds none).
    pub fn model(&self) -> Model {
        let Some(m) = self.model.as_ref() else {
            return Model::Dense(Rbm::new(UnitsSpec::SPINS_NO_BIAS, Array2::zeros((0, 0))));
        };
        match &self.patterns {
            Some((pv, ph)) => Model::Ra(RaRbm {
                units: m.units,
                patterns_visible: pv.mapv(f64::from),
                patterns_hidden: ph.mapv(f64::from),
                visible_bias: m.visible_bias.mapv(f64::from),
                hidden_bias: m.hidden_bias.mapv(f64::from),
            }),
            None => Model::Dense(m.to_f64()),
        }
    }

    /// A state holding `model` (parameters converted to f32), with empty chains and moments.
    pub fn from_model(model: &Model) -> State {
        let (m32, patterns) = match model {
            Model::Dense(r) => (r.to_f32(), None),
            Model::Ra(r) => {
                let pv = r.patterns_visible.mapv(|x| x as f32);
                let ph = r.patterns_hidden.mapv(|x| x as f32);
                let mut m = r.to_rbm().to_f32();
                m.weights = ra_weights(pv.view(), ph.view());
                (m, Some((pv, ph)))
            }
        };
        State {
            epoch: 0,
            step: 0,
            model: Some(m32),
            patterns,
            chains: ChainState::default(),
            optimizer: OptState::default(),
            history: Vec::new(),
        }
    }
}

/// `W = ξ_vᵀ ξ_h / √K` in f32.
pub fn ra_weights(pv: ArrayView2<'_, f32>, ph: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut w = Array2::zeros((pv.ncols(), ph.ncols()));
    let s = 1.0 / (pv.nrows() as f32).sqrt();
    gemm(w.view_mut(), false, pv.t(), ph, s, par());
    w
}

/// The chain rule from a weight gradient `G (n_visible, n_hidden)` to the patterns (004 eqs.
/// A7a, A7b): returns `(ξ_h Gᵀ / √K (K, n_visible), ξ_v G / √K (K, n_hidden))`.
/// f64 for the checks, f32 in training.
pub fn ra_pattern_gradient<T>(
    pv: ArrayView2<'_, T>,
    ph: ArrayView2<'_, T>,
    g: ArrayView2<'_, T>,
) -> (Array2<T>, Array2<T>)
where
    T: faer::traits::ComplexField + crate::linalg::num_zero::Zero,
{
    let k = pv.nrows();
    let s = T::from_f64(1.0 / (k as f64).sqrt());
    let mut gv = Array2::from_elem((k, pv.ncols()), T::zero());
    let mut gh = Array2::from_elem((k, ph.ncols()), T::zero());
    gemm(gv.view_mut(), false, ph, g.t(), s, par());
    gemm(gh.view_mut(), false, pv, g, s, par());
    (gv, gh)
}

/// Figures of one epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based epoch.
    pub epoch: usize,
    /// Wall-clock seconds of the epoch (excluding the exact NLL).
    pub seconds: f64,
    /// Learning rate used.
    pub lr: f64,
    /// Root mean square of the weights.
    pub weight_rms: f64,
    /// Exact mean negative log-likelihood of the training data (nats), when tracked.
    pub exact_nll: Option<f64>,
}

/// The outcome of [`Trainer::run`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainSummary {
    /// Per-epoch figures of this run.
    pub epochs: Vec<EpochMetrics>,
    /// Whether an observer stopped the loop early.
    pub stopped_early: bool,
}

/// The epoch loop for one negative-phase estimator, with the run's seed.
pub struct Trainer<'a> {
    params: ValidTrainParams,
    seed: Seed,
    custom: Option<&'a dyn NegativePhase>,
    kernels: Kernels,
}

impl<'a> Trainer<'a> {
    /// A trainer with the parameters' own estimator. Every random stream of the training
    /// (initialization, shuffling, chains, sampling) derives from `seed`.
    pub fn new(params: ValidTrainParams, seed: Seed) -> Trainer<'static> {
        Trainer {
            params,
            seed,
            custom: None,
            kernels: Kernels::Auto,
        }
    }

    /// A trainer with a user-supplied negative phase in place of the parameters' estimator.
    pub fn with_negative_phase(
        params: ValidTrainParams,
        seed: Seed,
        negative: &'a dyn NegativePhase,
    ) -> Self {
        Trainer {
            params,
            seed,
            custom: Some(negative),
            kernels: Kernels::Auto,
        }
    }

    /// The same trainer with the given product kernels ([`Kernels::Auto`] by default;
    /// [`Kernels::Dense`] is the reference path that benchmarks compare against).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }

    /// Whether RA weights may go stale between updates: the fields go through the patterns
    /// (see [`crate::sample::FieldPlan::with_patterns`]) and the estimator is a built-in one that does not read
    /// the weights; they are then refreshed once per epoch.
    fn ra_weights_lazy(&self, state: &State) -> bool {
        let Some((pv, ph)) = &state.patterns else {
            return false;
        };
        let (k, nv, nh) = (pv.nrows(), pv.ncols(), ph.ncols());
        self.kernels == Kernels::Auto
            && (nv + nh) * k < nv * nh
            && self.custom.is_none()
            && !matches!(self.params.estimator, Estimator::Exact)
    }

    fn estimator(&self) -> &dyn NegativePhase {
        match self.custom {
            Some(n) => n,
            None => &self.params.estimator,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &ValidTrainParams {
        &self.params
    }

    /// A fresh state for data with `n_visible` columns: initial model and chains.
    pub fn init(&self, n_visible: usize) -> Result<State> {
        let p = &self.params;
        check::nonzero("n_visible", n_visible)?;
        training_memory(p.n_hidden, &p.weights, &p.estimator, n_visible)?;
        let mut rng = self.seed.named("init").stream(0);
        let model = match p.weights {
            WeightsSpec::Dense { init_std } => Model::Dense(Rbm::random(
                n_visible, p.n_hidden, p.units, init_std, &mut rng,
            )),
            WeightsSpec::Ra { k, .. } => {
                Model::Ra(RaRbm::random(n_visible, p.n_hidden, k, p.units, &mut rng)?)
            }
        };
        self.init_from(&model)
    }

    /// A fresh state starting from a given model.
    pub fn init_from(&self, model: &Model) -> Result<State> {
        let mut st = State::from_model(model);
        if st.patterns.is_none() && self.params.estimator.needs_patterns() {
            return Err(RbmError::invalid("estimator", "PID needs an RA model"));
        }
        let m = st.model.as_ref().expect("model");
        st.chains = self.estimator().init(m, self.seed.named("chains"))?;
        Ok(st)
    }

    /// Checks that `state` (e.g. a checkpoint to resume) fits these parameters and data with
    /// `n_visible` columns: the same units, dense or RA weights (and the same K), the shape
    /// `(n_visible, n_hidden)`, chains that the estimator can continue (PCD: `n_chains` finite
    /// chains of `n_visible` units with one stream each; other estimators: none) and optimizer
    /// moments of the parameters' shapes. Errors name the parameter that differs (`resume` when
    /// the checkpoint itself is inconsistent).
    pub fn check_state(&self, state: &State, n_visible: usize) -> Result<()> {
        let p = &self.params;
        let Some(m) = state.model.as_ref() else {
            return Err(RbmError::invalid("resume", "the checkpoint holds no model"));
        };
        if m.units != p.units {
            return Err(RbmError::invalid(
                "resume",
                format!(
                    "the checkpoint's units ({}/{}, biases {}) differ from the training \
                     parameters ({}/{}, biases {})",
                    m.units.visible,
                    m.units.hidden,
                    m.units.biases,
                    p.units.visible,
                    p.units.hidden,
                    p.units.biases
                ),
            ));
        }
        let (nv, nh) = (m.n_visible(), m.n_hidden());
        if nv != n_visible {
            return Err(RbmError::invalid(
                "resume",
                format!("the checkpoint has {nv} visible units, the data {n_visible} features"),
            ));
        }
        if nh != p.n_hidden {
            return Err(RbmError::invalid(
                "n_hidden",
                format!("the checkpoint has {nh} hidden units, got {}", p.n_hidden),
            ));
        }
        match (&p.weights, &state.patterns) {
            (WeightsSpec::Dense { .. }, Some((pv, _))) => {
                return Err(RbmError::invalid(
                    "weights",
                    format!(
                        "the checkpoint is an RA model (K = {}), got weights = dense",
                        pv.nrows()
                    ),
                ));
            }
            (WeightsSpec::Ra { .. }, None) => {
                return Err(RbmError::invalid(
                    "weights",
                    "the checkpoint is a dense model, got weights = ra",
                ));
            }
            (WeightsSpec::Ra { k, .. }, Some((pv, ph))) => {
                if pv.nrows() != *k {
                    return Err(RbmError::invalid(
                        "k",
                        format!("the checkpoint has K = {} patterns, got {k}", pv.nrows()),
                    ));
                }
                if pv.dim() != (*k, nv) || ph.dim() != (*k, nh) {
                    return Err(RbmError::invalid(
                        "resume",
                        "the checkpoint's patterns do not fit its model",
                    ));
                }
            }
            (WeightsSpec::Dense { .. }, None) => {}
        }
        if m.weights.dim() != (nv, nh) || m.visible_bias.len() != nv || m.hidden_bias.len() != nh {
            return Err(RbmError::invalid(
                "resume",
                "the checkpoint's weights and biases do not fit together",
            ));
        }
        training_memory(p.n_hidden, &p.weights, &p.estimator, n_visible)?;
        let chains = &state.chains;
        match (p.estimator, &chains.visible) {
            (Estimator::Pcd { n_chains, .. }, Some(v)) => {
                if v.nrows() != n_chains {
                    return Err(RbmError::invalid(
                        "n_chains",
                        format!(
                            "the checkpoint has {} PCD chains, got {n_chains}",
                            v.nrows()
                        ),
                    ));
                }
                if v.ncols() != nv || chains.rngs.len() != n_chains {
                    return Err(RbmError::invalid(
                        "resume",
                        "the checkpoint's PCD chains do not fit its model",
                    ));
                }
                if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                    return Err(RbmError::invalid(
                        "resume",
                        format!("the checkpoint's chains hold {x} at element {i}"),
                    ));
                }
            }
            (Estimator::Pcd { .. }, None) => {
                return Err(RbmError::invalid(
                    "estimator",
                    "the checkpoint holds no PCD chains (it was trained with another \
                     estimator), got estimator = pcd",
                ));
            }
            (_, Some(_)) if self.custom.is_none() => {
                return Err(RbmError::invalid(
                    "estimator",
                    format!(
                        "the checkpoint holds PCD chains, got estimator = {}",
                        p.estimator.name()
                    ),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Runs epochs `state.epoch + 1 ..= epochs` over `data (n_samples, n_visible)`, reporting
    /// each epoch to `observer` (stage `"epoch"`, metrics `seconds`, `lr`, `weight_rms` and, when
    /// tracked, `exact_nll`).
    pub fn run(
        &self,
        state: &mut State,
        data: ArrayView2<'_, f32>,
        observer: &mut dyn Observer,
    ) -> Result<TrainSummary> {
        self.run_observed(state, data, &mut Reports(observer))
    }

    /// [`Trainer::run`] with an observer that also sees the whole [`State`] after each epoch
    /// (checkpoint writers such as [`Checkpointer`], measurements on the current model). An error
    /// of the observer ends training with that error.
    pub fn run_observed(
        &self,
        state: &mut State,
        data: ArrayView2<'_, f32>,
        observer: &mut dyn EpochObserver,
    ) -> Result<TrainSummary> {
        let mut out = TrainSummary {
            epochs: Vec::new(),
            stopped_early: false,
        };
        while state.epoch < self.params.epochs {
            let m = self.epoch(state, data)?;
            let mut metrics = vec![
                ("seconds", m.seconds),
                ("lr", m.lr),
                ("weight_rms", m.weight_rms),
            ];
            if let Some(nll) = m.exact_nll {
                metrics.push(("exact_nll", nll));
            }
            let report = StepReport {
                stage: "epoch",
                step: m.epoch,
                total: Some(self.params.epochs),
                metrics: &metrics,
            };
            state.history.push(m.clone());
            out.epochs.push(m);
            if observer.epoch_done(state, &report)? == Control::Stop {
                out.stopped_early = state.epoch < self.params.epochs;
                break;
            }
        }
        Ok(out)
    }

    /// One epoch (shuffled mini-batches); advances `state.epoch`.
    pub fn epoch(&self, state: &mut State, data: ArrayView2<'_, f32>) -> Result<EpochMetrics> {
        let p = &self.params;
        let t0 = Instant::now();
        let model = state
            .model
            .as_ref()
            .ok_or_else(|| RbmError::invalid("state", "no model"))?;
        let nv = model.n_visible();
        if data.ncols() != nv {
            return Err(RbmError::Shape(format!(
                "data has {} columns, the model {nv} visible units",
                data.ncols()
            )));
        }
        if data.nrows() == 0 {
            return Err(RbmError::invalid("data", "has no samples"));
        }
        let epoch = state.epoch;
        let lr = p.optimizer.lr_at(epoch);
        let n = data.nrows();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = self.seed.named("shuffle").stream(epoch as u64);
        for i in (1..n).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let bs = p.batch_size.min(n);
        let mut batch = Array2::<f32>::zeros((bs, nv));
        let neg_seed = self.seed.named("negative").derive(epoch as u64);
        // the panels of W for the binary gathers, kept up to date by the weight step from one
        // update to the next within this epoch (nothing else changes W in between)
        let mut w_panels = None;
        for (b, idx) in order.chunks(bs).enumerate() {
            let mut view = batch.slice_mut(s![..idx.len(), ..]);
            for (mut row, &i) in view.rows_mut().into_iter().zip(idx) {
                let src = data.row(i);
                match (row.as_slice_mut(), src.as_slice()) {
                    (Some(d), Some(s)) => d.copy_from_slice(s),
                    _ => row.assign(&src),
                }
            }
            let bview = batch.slice(s![..idx.len(), ..]);
            self.update(state, bview, neg_seed.derive(b as u64), lr, &mut w_panels)?;
        }
        if self.ra_weights_lazy(state) {
            let (pv, ph) = state.patterns.as_ref().expect("RA patterns");
            state.model.as_mut().expect("model").weights = ra_weights(pv.view(), ph.view());
        }
        if matches!(
            p.weights,
            WeightsSpec::Ra {
                binarize: Binarize::Sign | Binarize::Gibbs,
                ..
            }
        ) {
            self.binarize_epoch(state, epoch)?;
        }
        state.epoch += 1;
        let model = state.model.as_ref().expect("model");
        let finite = model.weights.iter().all(|x| x.is_finite())
            && model.visible_bias.iter().all(|x| x.is_finite())
            && model.hidden_bias.iter().all(|x| x.is_finite());
        if !finite {
            return Err(RbmError::Diverged { epoch: state.epoch });
        }
        let weight_rms = (model
            .weights
            .iter()
            .map(|&x| f64::from(x).powi(2))
            .sum::<f64>()
            / model.weights.len() as f64)
            .sqrt();
        let seconds = t0.elapsed().as_secs_f64();
        let exact_nll = if p.track_exact_nll {
            let rbm = model.to_f64();
            let d64 = data.mapv(f64::from);
            Some(-crate::eval::mean_log_likelihood(&rbm, d64.view())?)
        } else {
            None
        };
        Ok(EpochMetrics {
            epoch: state.epoch,
            seconds,
            lr,
            weight_rms,
            exact_nll,
        })
    }

    fn binarize_epoch(&self, state: &mut State, epoch: usize) -> Result<()> {
        let WeightsSpec::Ra { binarize, .. } = self.params.weights else {
            return Ok(());
        };
        let model = state.model.as_mut().expect("model");
        let (pv, ph) = state.patterns.as_mut().expect("RA patterns");
        match binarize {
            Binarize::Sign => {
                pv.mapv_inplace(sign);
                ph.mapv_inplace(sign);
            }
            Binarize::Gibbs => {
                let mut rngs = self
                    .seed
                    .named("binarize")
                    .derive(epoch as u64)
                    .streams(pv.nrows());
                let spin = UnitsSpec {
                    visible: spinlearn_core::Units::Spin,
                    hidden: spinlearn_core::Units::Spin,
                    biases: false,
                };
                let m = Rbm32 {
                    units: spin,
                    weights: model.weights.clone(),
                    visible_bias: Array1::zeros(model.n_visible()),
                    hidden_bias: Array1::zeros(model.n_hidden()),
                };
                let (mut v, mut h) = (pv.clone(), ph.clone());
                m.sample_visible(ph.view(), &mut v, &mut rngs);
                m.sample_hidden(v.view(), &mut h, &mut rngs);
                *pv = v;
                *ph = h;
            }
            _ => {}
        }
        model.weights = ra_weights(pv.view(), ph.view());
        Ok(())
    }

    fn update(
        &self,
        state: &mut State,
        batch: ArrayView2<'_, f32>,
        seed: Seed,
        lr: f64,
        w_panels: &mut Option<crate::kernels::Panels<f32>>,
    ) -> Result<()> {
        let model = state.model.as_ref().expect("model");
        let (nv, nh) = (model.n_visible(), model.n_hidden());
        let n = batch.nrows();
        let lazy = self.ra_weights_lazy(state);
        let mut hpos = Array2::<f32>::zeros((n, nh));
        let fields = match &state.patterns {
            Some((pv, ph)) => model
                .fields(self.kernels)
                .with_patterns(pv.view(), ph.view()),
            None => model.fields(self.kernels).with_w_panels(w_panels.take()),
        };
        fields.hidden_mean_into(batch, &mut hpos);
        let neg = {
            let ctx = NegativeCtx {
                model,
                fields: &fields,
                patterns: state.patterns.as_ref().map(|(a, b)| (a.view(), b.view())),
                batch,
                positive_hidden: hpos.view(),
                seed,
            };
            self.estimator().negative(&ctx, &mut state.chains)?
        };
        *w_panels = fields.into_w_panels();
        // weight gradient G = <v h>_data - <v h>_model = vsᵀ hs over the stacked samples (kept as
        // the two factors for dense models, whose update runs block by block); bias gradients
        // likewise
        let mut ga = batch.mean_axis(Axis(0)).expect("nonempty");
        let mut gb = hpos.mean_axis(Axis(0)).expect("nonempty");
        let (factors, g_full) = match &neg {
            Negative::Samples { visible, hidden } => {
                let m = visible.nrows();
                if m == 0 || hidden.nrows() != m || visible.ncols() != nv || hidden.ncols() != nh {
                    return Err(RbmError::Shape(
                        "negative samples are empty or mismatched".into(),
                    ));
                }
                ga -= &visible.mean_axis(Axis(0)).expect("nonempty");
                gb -= &hidden.mean_axis(Axis(0)).expect("nonempty");
                let stacked = Stacked {
                    v: [batch, visible.view()],
                    h: [hpos.view(), hidden.view()],
                    div: [n as f32, -(m as f32)],
                };
                (Some(stacked), None)
            }
            Negative::Moments { vh, v, h } => {
                let mut g = Array2::<f32>::zeros((nv, nh));
                gemm(
                    g.view_mut(),
                    false,
                    batch.t(),
                    hpos.view(),
                    1.0 / n as f32,
                    par(),
                );
                g -= vh;
                ga -= v;
                gb -= h;
                (None, Some(g))
            }
        };
        let biases = model.units.biases;
        let opt = &self.params.optimizer;
        let step = state.step;
        let model = state.model.as_mut().expect("model");
        match state.patterns.as_mut() {
            None => match (g_full, factors) {
                (Some(g), _) => {
                    *w_panels = None;
                    opt.step(
                        &mut state.optimizer,
                        0,
                        model.weights.view_mut().into_dyn(),
                        g.view().into_dyn(),
                        lr,
                        step,
                    )
                }
                (None, Some(st)) => dense_weight_step(
                    opt,
                    &mut state.optimizer,
                    &mut model.weights,
                    &st,
                    lr,
                    step,
                    self.kernels,
                    w_panels.as_mut(),
                ),
                (None, None) => unreachable!("a gradient is always formed"),
            },
            Some((pv, ph)) => {
                *w_panels = None;
                let (gv, gh) = match (g_full, factors) {
                    (Some(g), _) => ra_pattern_gradient(pv.view(), ph.view(), g.view()),
                    (None, Some(st)) => {
                        let (vs, hs) = st.concatenated();
                        ra_pattern_gradient_factored(pv.view(), ph.view(), vs.view(), hs.view())
                    }
                    (None, None) => unreachable!("a gradient is always formed"),
                };
                opt.step(
                    &mut state.optimizer,
                    0,
                    pv.view_mut().into_dyn(),
                    gv.view().into_dyn(),
                    lr,
                    step,
                );
                opt.step(
                    &mut state.optimizer,
                    1,
                    ph.view_mut().into_dyn(),
                    gh.view().into_dyn(),
                    lr,
                    step,
                );
                if let WeightsSpec::Ra {
                    binarize: Binarize::Clip { clip },
                    ..
                } = self.params.weights
                {
                    let x = clip as f32;
                    pv.mapv_inplace(|v| v.clamp(-x, x));
                    ph.mapv_inplace(|v| v.clamp(-x, x));
                }
                if !lazy {
                    model.weights = ra_weights(pv.view(), ph.view());
                }
            }
        }
        if biases {
            opt.step(
                &mut state.optimizer,
                2,
                model.visible_bias.view_mut().into_dyn(),
                ga.view_mut().into_dyn().view(),
                lr,
                step,
            );
            opt.step(
                &mut state.optimizer,
                3,
                model.hidden_bias.view_mut().into_dyn(),
                gb.view_mut().into_dyn().view(),
                lr,
                step,
            );
        }
        state.step += 1;
        Ok(())
    }
}

/// The pattern gradients for a weight gradient given as factors, `G = vsᵀ hs` (`vs (m,
/// n_visible)`, `hs (m, n_hidden)`, the stacked and weighted positive and negative samples).
/// `ξ_h Gᵀ = (ξ_h hsᵀ) vs` and `ξ_v G = (ξ_v vsᵀ) hs` cost `4 K m (n_visible + n_hidden)`
/// flops against `2 m n_visible n_hidden + 4 K n_visible n_hidden` through `G`, so the product
/// order is chosen by that count: the factored one whenever K is small next to the layer sizes
/// (as for MNIST's K = 190, V = 784, H = 3000).
fn ra_pattern_gradient_factored(
    pv: ArrayView2<'_, f32>,
    ph: ArrayView2<'_, f32>,
    vs: ArrayView2<'_, f32>,
    hs: ArrayView2<'_, f32>,
) -> (Array2<f32>, Array2<f32>) {
    let (k, nv, nh, m) = (pv.nrows(), pv.ncols(), ph.ncols(), vs.nrows());
    let flops = |a: usize, b: usize, c: usize| (a * b * c) as f64;
    let factored = 2.0 * (flops(k, m, nv) + flops(k, m, nh));
    let through_g = flops(m, nv, nh) + 2.0 * flops(k, nv, nh);
    if factored >= through_g {
        let mut g = Array2::<f32>::zeros((nv, nh));
        gemm(g.view_mut(), false, vs.t(), hs, 1.0, par());
        return ra_pattern_gradient(pv, ph, g.view());
    }
    let s = 1.0 / (k as f32).sqrt();
    let mut a = Array2::<f32>::zeros((k, m));
    let mut gv = Array2::<f32>::zeros((k, nv));
    gemm(a.view_mut(), false, ph, hs.t(), 1.0, par());
    gemm(gv.view_mut(), false, a.view(), vs, s, par());
    let mut gh = Array2::<f32>::zeros((k, nh));
    gemm(a.view_mut(), false, pv, vs.t(), 1.0, par());
    gemm(gh.view_mut(), false, a.view(), hs, s, par());
    (gv, gh)
}

/// The weight gradient `G = vsᵀ hs` as its factors' parts: `vs` the data batch over the negative
/// visible samples, `hs` the positive hidden means over the negative hidden samples, each hidden
/// part divided by its divisor (`n` and `-m`: the means of the two phases).
struct Stacked<'a> {
    v: [ArrayView2<'a, f32>; 2],
    h: [ArrayView2<'a, f32>; 2],
    div: [f32; 2],
}

impl Stacked<'_> {
    /// `(vs, hs)` as arrays.
    fn concatenated(&self) -> (Array2<f32>, Array2<f32>) {
        let vs = ndarray::concatenate(Axis(0), &self.v).expect("same columns");
        let mut hs = ndarray::concatenate(Axis(0), &self.h).expect("same columns");
        let n = self.h[0].nrows();
        let (d0, d1) = (self.div[0], self.div[1]);
        hs.slice_mut(s![..n, ..]).mapv_inplace(|x| x / d0);
        hs.slice_mut(s![n.., ..]).mapv_inplace(|x| x / d1);
        (vs, hs)
    }
}

/// Rows of `W` per task in the blocked weight update: depends on `n_visible` only (an even number
/// of blocks of at most 128 rows), so results do not depend on the number of threads.
fn weight_block_rows(n_visible: usize) -> usize {
    let blocks = n_visible.div_ceil(128).max(1);
    let blocks = blocks + blocks % 2;
    n_visible.div_ceil(blocks).max(1)
}

/// The dense weight update `W += step(G)` with `G = vsᵀ hs`, computed block by block of rows of
/// `W`: each task forms its block of `G` by a sequential product (fixed shapes, so the same numbers
/// whatever the thread count) and applies the optimizer to it while it is in cache. When `vs` is
/// binary and sparse enough (and `kernels` allow it), row `i` of `G` is the sum of the rows of `hs`
/// where `vs[:, i]` is 1 (or the ±1 form of [`crate::kernels`]). When `panels` (the gathers' copy
/// of `W`) are given, each task writes its updated rows into them too, while they are in cache,
/// so the next update need not copy `W` again.
#[allow(clippy::too_many_arguments)]
fn dense_weight_step(
    opt: &Optimizer,
    st: &mut optim::OptState,
    w: &mut Array2<f32>,
    stacked: &Stacked<'_>,
    lr: f64,
    step: u64,
    kernels: Kernels,
    mut panels: Option<&mut crate::kernels::Panels<f32>>,
) {
    use rayon::prelude::*;
    let (nv, nh) = w.dim();
    let lists_of = || match kernels {
        Kernels::Auto => {
            ActiveLists::of_columns_stacked(&stacked.v).filter(crate::kernels::use_gather)
        }
        Kernels::Dense => None,
    };
    let panels_of = || {
        crate::kernels::Panels::of_stacked(&[
            (stacked.h[0], stacked.div[0]),
            (stacked.h[1], stacked.div[1]),
        ])
    };
    // when the data batch went through a gather (the plan made panels of W), the gradient's lists
    // are expected to be sparse too: the panels of hs are made beside the lists
    let (lists, hs_panels) = if kernels == Kernels::Auto && panels.is_some() {
        let (l, p) = rayon::join(lists_of, panels_of);
        let p = l.as_ref().map(|_| p);
        (l, p)
    } else {
        let l = lists_of();
        let p = l.as_ref().map(|_| panels_of());
        (l, p)
    };
    // the dense path's operands, made only when it runs
    let dense = lists.is_none().then(|| stacked.concatenated());
    let (vs, hs) = match &dense {
        Some((v, h)) => (Some(v.view()), Some(h.view())),
        None => (None, None),
    };
    opt.ensure_slot(st, 0, &[nv, nh]);
    let blk = weight_block_rows(nv);
    let len = blk * nh;
    let adam = matches!(opt, Optimizer::Adam { .. });
    let first = st.first[0]
        .as_mut()
        .expect("slot")
        .as_slice_mut()
        .expect("contiguous");
    let mut second: Vec<Option<&mut [f32]>> = match st.second[0].as_mut().filter(|_| adam) {
        Some(a) => a
            .as_slice_mut()
            .expect("contiguous")
            .chunks_mut(len)
            .map(Some)
            .collect(),
        None => (0..nv.div_ceil(blk)).map(|_| None).collect(),
    };
    let w = w.as_slice_mut().expect("weights are contiguous");
    let nblocks = nv.div_ceil(blk);
    let mut panel_rows: Vec<Option<crate::kernels::PanelRows<'_, f32>>> =
        match panels.as_deref_mut() {
            Some(p) if (p.rows(), p.cols()) == (nv, nh) => {
                p.row_blocks_mut(blk).into_iter().map(Some).collect()
            }
            _ => (0..nblocks).map(|_| None).collect(),
        };
    let tasks: Vec<_> = w
        .chunks_mut(len)
        .zip(first.chunks_mut(len))
        .zip(second.iter_mut().map(Option::take))
        .zip(panel_rows.iter_mut().map(Option::take))
        .enumerate()
        .collect();
    tasks
        .into_par_iter()
        .for_each(|(b, (((wb, mb), mut sb), mut pb))| {
            let r0 = b * blk;
            let rows = wb.len() / nh;
            if let (Some(l), Some(p)) = (&lists, &hs_panels) {
                // sub-blocks of rows whose gradient stays in the L1 cache from the gather to the
                // optimizer step
                const SUB: usize = 16;
                let mut g = vec![0.0f32; SUB.min(rows) * nh];
                for s0 in (0..rows).step_by(SUB) {
                    let sr = SUB.min(rows - s0);
                    let gs = &mut g[..sr * nh];
                    let view =
                        ndarray::ArrayViewMut2::from_shape((sr, nh), &mut *gs).expect("shape");
                    crate::kernels::gather(l, r0 + s0..r0 + s0 + sr, p, view, 1.0, None);
                    let range = s0 * nh..(s0 + sr) * nh;
                    opt.step_slices(
                        &mut wb[range.clone()],
                        &mut mb[range.clone()],
                        sb.as_deref_mut().map(|x| &mut x[range.clone()]),
                        gs,
                        lr,
                        step,
                        true,
                    );
                    if let Some(pb) = pb.as_mut() {
                        pb.write_rows(s0, &wb[range]);
                    }
                }
            } else {
                // a row-major copy of this block of vsᵀ: faer's kernels run faster on it than on
                // the transposed (column-major) view
                let (vs, hs) = (vs.expect("dense operands"), hs.expect("dense operands"));
                let at = vs
                    .slice(s![.., r0..r0 + rows])
                    .t()
                    .as_standard_layout()
                    .into_owned();
                let mut g = Array2::<f32>::zeros((rows, nh));
                gemm(g.view_mut(), false, at.view(), hs, 1.0, faer::Par::Seq);
                let g = g.as_slice().expect("contiguous");
                opt.step_slices(wb, mb, sb, g, lr, step, true);
                if let Some(pb) = pb.as_mut() {
                    pb.write_rows(0, wb);
                }
            }
        });
    if let Some(p) = panels
        && (p.rows(), p.cols()) == (nv, nh)
    {
        p.refresh_sum();
    }
}

fn sign(x: f32) -> f32 {
    if x >= 0.0 { 1.0 } else { -1.0 }
}

/// Trains a fresh model on `data (n_samples, n_visible)` from `seed`; returns the model, the
/// final state and the per-epoch figures.
pub fn train(
    params: &ValidTrainParams,
    data: ArrayView2<'_, f32>,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<(Model, State, TrainSummary)> {
    let trainer = Trainer::new(params.clone(), seed);
    let mut state = trainer.init(data.ncols())?;
    let summary = trainer.run(&mut state, data, observer)?;
    Ok((state.model(), state, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
        let mut rng = Seed(seed).stream(0);
        Array2::from_shape_fn((rows, cols), |_| rng.random_range(-1.0f32..1.0))
    }

    #[test]
    fn factored_pattern_gradient_matches_the_one_through_g() {
        // (K, m, V, H): factored product order (small K) and the fallback through G (large K)
        for (k, m, nv, nh) in [(7, 13, 40, 90), (60, 50, 10, 12)] {
            let (pv, ph) = (random(k, nv, 1), random(k, nh, 2));
            let (vs, hs) = (random(m, nv, 3), random(m, nh, 4));
            let mut g = Array2::<f32>::zeros((nv, nh));
            gemm(g.view_mut(), false, vs.t(), hs.view(), 1.0, par());
            let (av, ah) = ra_pattern_gradient(pv.view(), ph.view(), g.view());
            let (bv, bh) = ra_pattern_gradient_factored(pv.view(), ph.view(), vs.view(), hs.view());
            // reference in f64 straight from the definition ξ_h Gᵀ/√K, ξ_v G/√K
            let g64 = vs.mapv(f64::from).t().dot(&hs.mapv(f64::from));
            let s = 1.0 / (k as f64).sqrt();
            let rv = ph.mapv(f64::from).dot(&g64.t()) * s;
            let rh = pv.mapv(f64::from).dot(&g64) * s;
            for (x, r) in [(&av, &rv), (&bv, &rv), (&ah, &rh), (&bh, &rh)] {
                assert_eq!(x.dim(), r.dim());
                for (a, b) in x.iter().zip(r) {
                    assert!(
                        (f64::from(*a) - b).abs() < 1e-4 * (1.0 + b.abs()),
                        "{a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_weight_step_keeps_the_gather_panels_equal_to_the_new_weights() {
        let (nv, nh, n, m) = (300, 70, 12, 9);
        let bits = |rows: usize, seed: u64| random(rows, nv, seed).mapv(|x| f32::from(x > 0.8));
        let (v0, v1) = (bits(n, 1), bits(m, 2));
        let (h0, h1) = (
            random(n, nh, 3).mapv(f32::abs),
            random(m, nh, 4).mapv(f32::abs),
        );
        let stacked = Stacked {
            v: [v0.view(), v1.view()],
            h: [h0.view(), h1.view()],
            div: [n as f32, -(m as f32)],
        };
        let opt = Optimizer::Sgd {
            lr: 0.1,
            momentum: 0.5,
            weight_decay: 0.01,
            lr_decay: 1.0,
        };
        let w0 = random(nv, nh, 5);
        let run = |kernels: Kernels, keep: bool| {
            let mut st = optim::OptState::default();
            let mut w = w0.clone();
            let mut panels = keep.then(|| crate::kernels::Panels::of(w0.view()));
            // two steps, so the momentum enters too
            for step in 0..2 {
                dense_weight_step(
                    &opt,
                    &mut st,
                    &mut w,
                    &stacked,
                    0.1,
                    step,
                    kernels,
                    panels.as_mut(),
                );
            }
            (w, panels)
        };
        let (w, panels) = run(Kernels::Auto, true);
        assert_eq!(panels.expect("kept"), crate::kernels::Panels::of(w.view()));
        // the panels do not change the step; the gather differs from the dense path by rounding
        assert_eq!(run(Kernels::Auto, false).0, w);
        let (wd, _) = run(Kernels::Dense, false);
        for (a, b) in w.iter().zip(&wd) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert!(w.iter().zip(&w0).any(|(a, b)| a != b));
    }
}
