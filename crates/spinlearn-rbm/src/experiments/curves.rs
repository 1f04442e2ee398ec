//! Training runs with per-epoch metrics (004 Figs. 2-5): the exact gradient, CD-k, PCD-k and RAPID
//! (RA weights, eq. 5, with the PID negative phase, eq. 6) on ±1 data without biases.
//!
//! Metrics, at the epochs of two schedules (epoch 0 is the untrained model):
//! - every `hamming_epochs` entry: the reconstruction Hamming distance on the training and test
//!   sets (004 Appendix C; clamp masks from [`super::edge_masks`]);
//! - every `exact_epochs` entry (only when the visible layer can be enumerated): the Gibbs
//!   accessibility (004 Fig. 2a: lowest energy after `gibbs_steps` Gibbs steps from random visible
//!   states over the ground-state energy), the method accessibility (Fig. 2b: lowest `min_h E(v, h)`
//!   among the visible states the last negative phase used, over the ground-state energy; none for
//!   the exact gradient) and the exact training NLL (eq. 3, nats per image).
//!
//! After training: the singular values of `W` (004 Fig. 4).

use super::{Band, MeanStd, masked_reconstruction_hamming};
use crate::eval::{
    exact_log_z, gibbs_accessibility, ground_state, method_accessibility, singular_values,
};
use crate::model::UnitsSpec;
use crate::train::{
    ChainState, EpochObserver, Estimator, Negative, NegativeCtx, NegativePhase, Optimizer, State,
    TrainParams, Trainer, WeightsSpec,
};
use crate::{RbmError, Result};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, check};
use std::sync::Mutex;

/// One training method: weights, negative phase and optimizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Key in summaries (`exact`, `cd`, `pcd`, `rapid`).
    pub key: String,
    /// Legend label (e.g. `CD-10`).
    pub label: String,
    /// Dense or RA weights.
    pub weights: WeightsSpec,
    /// Negative phase.
    pub estimator: Estimator,
    /// Optimizer.
    pub optimizer: Optimizer,
}

/// Configuration shared by the methods of one figure. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvesParams {
    /// Hidden units (004: 1000).
    pub n_hidden: usize,
    /// Training epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Independent trainings per method (004: 100).
    pub n_runs: usize,
    /// Epochs at which the Hamming distances are measured (0 = before training).
    pub hamming_epochs: Vec<usize>,
    /// Epochs at which accessibilities and the exact NLL are measured (empty: never).
    pub exact_epochs: Vec<usize>,
    /// Random starts for the Gibbs accessibility.
    pub gibbs_starts: usize,
    /// Gibbs steps for the accessibility (004: 10).
    pub gibbs_steps: usize,
    /// Gibbs steps of a reconstruction.
    pub recon_steps: usize,
    /// Reconstructions averaged per image.
    pub recon_repeats: usize,
    /// Largest number of images of each set used for the Hamming distance (0: all); a larger set
    /// is thinned to an evenly strided subset.
    pub recon_max_images: usize,
}

valid_params! {
    /// [`CurvesParams`] that passed [`ParamGuard::check`].
    pub struct ValidCurvesParams {
        /// Hidden units.
        n_hidden: usize,
        /// Training epochs.
        epochs: usize,
        /// Mini-batch size.
        batch_size: usize,
        /// Independent trainings per method.
        n_runs: usize,
        /// Epochs at which the Hamming distances are measured.
        hamming_epochs: Vec<usize>,
        /// Epochs at which accessibilities and the exact NLL are measured.
        exact_epochs: Vec<usize>,
        /// Random starts for the Gibbs accessibility.
        gibbs_starts: usize,
        /// Gibbs steps for the accessibility.
        gibbs_steps: usize,
        /// Gibbs steps of a reconstruction.
        recon_steps: usize,
        /// Reconstructions averaged per image.
        recon_repeats: usize,
        /// Largest number of images of each set used for the Hamming distance (0: all).
        recon_max_images: usize,
    }
}

impl ParamGuard for CurvesParams {
    type Checked = ValidCurvesParams;

    fn check(&self) -> spinlearn_core::Result<ValidCurvesParams> {
        for (name, epochs) in [
            ("hamming_epochs", &self.hamming_epochs),
            ("exact_epochs", &self.exact_epochs),
        ] {
            if epochs.iter().any(|&e| e > self.epochs) {
                return Err(spinlearn_core::Error::invalid(
                    name,
                    "lists an epoch beyond `epochs`",
                ));
            }
        }
        Ok(ValidCurvesParams {
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            epochs: check::nonzero("epochs", self.epochs)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            n_runs: check::nonzero("n_runs", self.n_runs)?,
            hamming_epochs: self.hamming_epochs.clone(),
            exact_epochs: self.exact_epochs.clone(),
            gibbs_starts: check::nonzero("gibbs_starts", self.gibbs_starts)?,
            gibbs_steps: self.gibbs_steps,
            recon_steps: self.recon_steps,
            recon_repeats: check::nonzero("recon_repeats", self.recon_repeats)?,
            recon_max_images: self.recon_max_images,
        })
    }
}

/// A data set with its reconstruction clamp masks: `data (n, n_visible)` ±1, `clamp (n, n_visible)`.
#[derive(Debug, Clone)]
pub struct Split {
    /// ±1 images.
    pub data: Array2<f32>,
    /// Clamped units per image.
    pub clamp: Array2<bool>,
}

/// Metrics of one training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunCurves {
    /// Training-set Hamming distance at `hamming_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub train_hamming: Vec<f64>,
    /// Test-set Hamming distance at `hamming_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub test_hamming: Vec<f64>,
    /// Gibbs accessibility at `exact_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub gibbs_accessibility: Vec<f64>,
    /// Method accessibility at `exact_epochs` (NaN before the first update and for the exact method).
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub method_accessibility: Vec<f64>,
    /// Exact training NLL at `exact_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub exact_nll: Vec<f64>,
    /// Singular values of the final `W`, non-increasing.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub singular_values: Vec<f64>,
    /// Seconds spent in training updates (metrics excluded).
    #[serde(with = "spinlearn_core::nonfinite")]
    pub train_seconds: f64,
    /// The final weights `(n_visible, n_hidden)`.
    #[serde(skip)]
    pub final_model: Option<crate::Rbm>,
}

/// A negative phase that remembers the visible states of its last call (for the method
/// accessibility).
struct Recording {
    inner: Estimator,
    last: Mutex<Option<Array2<f32>>>,
}

impl NegativePhase for Recording {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn init(&self, model: &crate::Rbm32, seed: Seed) -> Result<ChainState> {
        self.inner.init(model, seed)
    }
    fn negative(&self, ctx: &NegativeCtx<'_>, state: &mut ChainState) -> Result<Negative> {
        let m = ctx.model;
        if self.inner == Estimator::Exact
            && m.units == UnitsSpec::SPINS_NO_BIAS
            && m.n_visible() <= crate::eval::MAX_EXACT
        {
            return Ok(spin_exact_moments(m));
        }
        let n = self.inner.negative(ctx, state)?;
        if let Negative::Samples { visible, .. } = &n {
            *self
                .last
                .lock()
                .map_err(|_| RbmError::Numerical("poisoned lock".into()))? = Some(visible.clone());
        }
        Ok(n)
    }
}

/// Spin states `start..start+len` of `n` units with unit 0 fixed at +1 (bits 1.. of the index).
fn half_states(n: usize, start: usize, len: usize) -> Array2<f32> {
    Array2::from_shape_fn((len, n), |(r, i)| {
        if i == 0 || ((start + r) >> (i - 1)) & 1 == 1 {
            1.0
        } else {
            -1.0
        }
    })
}

type Fields<'a> = dyn Fn(usize) -> (Array2<f32>, Array2<f32>) + Sync + 'a;

/// Per chunk, minus the free energies of the half states; also `log Σ_half e^{-F}` and the largest
/// `Σ_j |x_j|` (minus the ground-state energy).
fn half_free_energies(starts: &[usize], fields: &Fields<'_>) -> (Vec<Vec<f64>>, f64, f64) {
    use rayon::prelude::*;
    let per: Vec<(Vec<f64>, f64)> = starts
        .par_iter()
        .map(|&s0| {
            let (_, x) = fields(s0);
            let mut best = f64::NEG_INFINITY;
            let nf = x
                .rows()
                .into_iter()
                .map(|r| {
                    let (lc, a) = crate::sample::row_log_2cosh(r.as_slice().expect("contiguous"));
                    best = best.max(a);
                    lc
                })
                .collect();
            (nf, best)
        })
        .collect();
    let all: Vec<f64> = per.iter().flat_map(|p| p.0.iter().copied()).collect();
    let log_z_half = spinlearn_core::numerics::log_sum_exp(&all);
    let best = per.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    (per.into_iter().map(|p| p.0).collect(), log_z_half, best)
}

/// `log Z` and the ground-state energy of a ±1 RBM without biases (f32 fields, f64 sums), the fast
/// path of the exact metrics: `Z = 2 Σ_{v: v_0 = +1} Π_j 2cosh(x_j)` and
/// `E_GS = -max_v Σ_j |x_j|`, `x = Wᵀv`. Needs `n_visible <= 24`.
pub fn spin_log_z_and_ground_state(model: &crate::Rbm32) -> Result<(f64, f64)> {
    let nv = model.n_visible();
    if model.units != UnitsSpec::SPINS_NO_BIAS || nv == 0 || nv > crate::eval::MAX_EXACT {
        return Err(RbmError::invalid(
            "model",
            "the fast path needs 1..=24 ±1 visible units and no biases",
        ));
    }
    let total = 1usize << (nv - 1);
    let clen = total.min(2048);
    let starts: Vec<usize> = (0..total).step_by(clen).collect();
    let fields = |start: usize| half_state_fields(model, start, clen.min(total - start));
    let (_, lz, best) = half_free_energies(&starts, &fields);
    Ok((lz + std::f64::consts::LN_2, -best))
}

/// The visible states `start..start + len` of the half with `v_0 = +1` and their hidden fields
/// `W^T v`, `(len, n_visible)` and `(len, n_hidden)`, computed on the calling thread.
fn half_state_fields(model: &crate::Rbm32, start: usize, len: usize) -> (Array2<f32>, Array2<f32>) {
    let st = half_states(model.n_visible(), start, len);
    let mut x = Array2::<f32>::zeros((st.nrows(), model.n_hidden()));
    crate::linalg::gemm(
        x.view_mut(),
        false,
        st.view(),
        model.weights.view(),
        1.0,
        faer::Par::Seq,
    );
    (st, x)
}

/// Exact model moments of a ±1 RBM without biases, the fast path of the exact negative phase:
/// `P(v) = P(-v)` and `tanh` is odd, so `⟨v hᵀ⟩ = Σ_v P(v) v tanh(Wᵀv)` is summed over the half of
/// the visible states with `v_0 = +1` (doubling), `⟨v⟩ = ⟨h⟩ = 0`. f32 fields and `tanh`, f64
/// weights and normalization; chunks are reduced in a fixed order.
pub fn spin_exact_moments(model: &crate::Rbm32) -> Negative {
    use crate::linalg::gemm;
    use faer::Par;
    use rayon::prelude::*;
    let (nv, nh) = (model.n_visible(), model.n_hidden());
    let total = 1usize << (nv - 1);
    let clen = total.min(2048);
    let starts: Vec<usize> = (0..total).step_by(clen).collect();
    let fields = |start: usize| half_state_fields(model, start, clen.min(total - start));
    // pass 1: minus the free energies, for the normalization
    let (neg_free, log_z_half, _) = half_free_energies(&starts, &fields);
    // pass 2: Σ_v P(v) v tanh(Wᵀv) over the half, each chunk's gemm in f32
    let parts: Vec<Array2<f32>> = starts
        .par_iter()
        .zip(neg_free.par_iter())
        .map(|(&s0, nf)| {
            let (st, mut x) = fields(s0);
            crate::sample::mean_inplace(x.view_mut(), spinlearn_core::Units::Spin);
            for (mut row, &f) in x.rows_mut().into_iter().zip(nf) {
                let p = (f - log_z_half).exp() as f32;
                row.mapv_inplace(|t| t * p);
            }
            let mut vh = Array2::<f32>::zeros((nv, nh));
            gemm(vh.view_mut(), false, st.t(), x.view(), 1.0, Par::Seq);
            vh
        })
        .collect();
    let mut vh = Array2::<f32>::zeros((nv, nh));
    for p in parts {
        vh += &p;
    }
    Negative::Moments {
        vh,
        v: ndarray::Array1::zeros(nv),
        h: ndarray::Array1::zeros(nh),
    }
}

/// Measures the metrics of the module doc on the state after each epoch.
struct Measure<'a> {
    p: &'a ValidCurvesParams,
    rec: &'a Recording,
    seed: Seed,
    train: (Array2<f32>, Array2<bool>),
    test: (Array2<f32>, Array2<bool>),
    train64: Array2<f64>,
    out: RunCurves,
}

impl Measure<'_> {
    fn at(&mut self, state: &State) -> Result<()> {
        let p = self.p;
        let epoch = state.epoch;
        let m32 = state.model.as_ref().expect("model");
        let es = self.seed.derive(epoch as u64);
        if p.hamming_epochs.contains(&epoch) {
            let a = masked_reconstruction_hamming(
                m32,
                self.train.0.view(),
                self.train.1.view(),
                p.recon_steps,
                p.recon_repeats,
                es.named("train"),
            )?;
            let b = masked_reconstruction_hamming(
                m32,
                self.test.0.view(),
                self.test.1.view(),
                p.recon_steps,
                p.recon_repeats,
                es.named("test"),
            )?;
            self.out.train_hamming.push(mean(&a));
            self.out.test_hamming.push(mean(&b));
        }
        if p.exact_epochs.contains(&epoch) {
            let rbm = m32.to_f64();
            let fast = spin_log_z_and_ground_state(m32).ok();
            let gs = match fast {
                Some((_, e)) => e,
                None => ground_state(&rbm)?.energy,
            };
            let acc =
                gibbs_accessibility(&rbm, gs, p.gibbs_starts, p.gibbs_steps, es.named("gibbs"))?;
            self.out.gibbs_accessibility.push(acc.accessibility);
            let last = self
                .rec
                .last
                .lock()
                .map_err(|_| RbmError::Numerical("poisoned lock".into()))?;
            self.out.method_accessibility.push(match last.as_ref() {
                // continuous RA patterns between binarizations are read as their signs (spins)
                Some(v) if epoch > 0 => {
                    let states = v.mapv(|x| {
                        rbm.units
                            .visible
                            .from_bool(x > threshold(rbm.units.visible))
                    });
                    method_accessibility(&rbm, states.view(), gs)
                }
                _ => f64::NAN,
            });
            let lz = match fast {
                Some((lz, _)) => lz,
                None => exact_log_z(&rbm)?,
            };
            let f = rbm.free_energy(self.train64.view());
            self.out.exact_nll.push(f.mean().expect("nonempty") + lz);
        }
        Ok(())
    }
}

impl EpochObserver for Measure<'_> {
    fn epoch_done(&mut self, state: &State, _report: &StepReport<'_>) -> Result<Control> {
        self.at(state)?;
        Ok(Control::Continue)
    }
}

/// Trains run `run` of `method` on `train.data` (seed `seed.named(method.key).derive(run)`),
/// measuring the metrics of the module doc.
pub fn train_run(
    method: &Method,
    p: &ValidCurvesParams,
    train: &Split,
    test: &Split,
    seed: Seed,
    run: usize,
) -> Result<RunCurves> {
    let seed = seed.named(&method.key).derive(run as u64);
    let tp = TrainParams {
        n_hidden: p.n_hidden,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: method.weights,
        estimator: method.estimator,
        optimizer: method.optimizer,
        epochs: p.epochs,
        batch_size: p.batch_size,
        track_exact_nll: false,
    };
    let rec = Recording {
        inner: method.estimator,
        last: Mutex::new(None),
    };
    let trainer = Trainer::with_negative_phase(tp.check()?, seed, &rec);
    let mut state = trainer.init(train.data.ncols())?;
    // an evenly strided subset, so that every part of an ordered data set is represented
    let sub = |s: &Split| -> (Array2<f32>, Array2<bool>) {
        let n = s.data.nrows();
        let m = if p.recon_max_images == 0 {
            n
        } else {
            n.min(p.recon_max_images)
        };
        let idx: Vec<usize> = (0..m).map(|i| i * n / m.max(1)).collect();
        (
            s.data.select(ndarray::Axis(0), &idx),
            s.clamp.select(ndarray::Axis(0), &idx),
        )
    };
    let mut measure = Measure {
        p,
        rec: &rec,
        seed: seed.named("metrics"),
        train: sub(train),
        test: sub(test),
        train64: train.data.mapv(f64::from),
        out: RunCurves {
            train_hamming: Vec::new(),
            test_hamming: Vec::new(),
            gibbs_accessibility: Vec::new(),
            method_accessibility: Vec::new(),
            exact_nll: Vec::new(),
            singular_values: Vec::new(),
            train_seconds: 0.0,
            final_model: None,
        },
    };
    measure.at(&state)?;
    let summary = trainer.run_observed(&mut state, train.data.view(), &mut measure)?;
    let mut out = measure.out;
    out.train_seconds = summary.epochs.iter().map(|e| e.seconds).sum();
    let rbm = state.model.as_ref().expect("model").to_f64();
    out.singular_values = singular_values(&rbm)?;
    out.final_model = Some(rbm);
    Ok(out)
}

fn threshold(u: spinlearn_core::Units) -> f32 {
    match u {
        spinlearn_core::Units::Spin => 0.0,
        spinlearn_core::Units::Bit => 0.5,
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len().max(1) as f64
}

/// Curves of one method over its runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodCurves {
    /// The method.
    pub method: Method,
    /// Training-set Hamming distance against epoch.
    pub train_hamming: Band,
    /// Test-set Hamming distance against epoch.
    pub test_hamming: Band,
    /// Gibbs accessibility against epoch (empty without exact metrics).
    pub gibbs_accessibility: Band,
    /// Method accessibility against epoch.
    pub method_accessibility: Band,
    /// Exact training NLL against epoch (nats per image).
    pub exact_nll: Band,
    /// Singular values of the final weights against their rank (1-based).
    pub singular_values: Band,
    /// Mean seconds of training per run.
    pub train_seconds: f64,
    /// Final models of the runs (not serialized).
    #[serde(skip)]
    pub final_models: Vec<crate::Rbm>,
}

impl MethodCurves {
    /// Final training Hamming distance.
    pub fn final_train_hamming(&self) -> MeanStd {
        let (mean, std) = self.train_hamming.last();
        MeanStd { mean, std }
    }
    /// Final test Hamming distance.
    pub fn final_test_hamming(&self) -> MeanStd {
        let (mean, std) = self.test_hamming.last();
        MeanStd { mean, std }
    }
    /// Final exact NLL.
    pub fn final_nll(&self) -> MeanStd {
        let (mean, std) = self.exact_nll.last();
        MeanStd { mean, std }
    }
}

/// Trains `p.n_runs` models with `method` and aggregates their curves; run `r` starts from
/// `seed.named(method.key).derive(r)`. `observer` sees one report per finished run (stage the
/// method's key, metrics: final train and test Hamming distance).
pub fn method_curves(
    method: &Method,
    p: &ValidCurvesParams,
    train: &Split,
    test: &Split,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<MethodCurves> {
    let mut runs = Vec::with_capacity(p.n_runs);
    for r in 0..p.n_runs {
        let c = train_run(method, p, train, test, seed, r)?;
        let metrics = [
            (
                "train_hamming",
                c.train_hamming.last().copied().unwrap_or(f64::NAN),
            ),
            (
                "test_hamming",
                c.test_hamming.last().copied().unwrap_or(f64::NAN),
            ),
        ];
        runs.push(c);
        let report = StepReport {
            stage: &method.key,
            step: r + 1,
            total: Some(p.n_runs),
            metrics: &metrics,
        };
        if observer.observe(&report) == Control::Stop {
            break;
        }
    }
    Ok(MethodCurves::from_runs(method, p, runs))
}

impl MethodCurves {
    /// The bands of `method` over its runs ([`train_run`]), in the order given; the final models
    /// are taken from the runs that carry one.
    pub fn from_runs(method: &Method, p: &ValidCurvesParams, mut runs: Vec<RunCurves>) -> Self {
        let hx: Vec<f64> = p.hamming_epochs.iter().map(|&e| e as f64).collect();
        let ex: Vec<f64> = p.exact_epochs.iter().map(|&e| e as f64).collect();
        let col = |f: &dyn Fn(&RunCurves) -> Vec<f64>| runs.iter().map(f).collect::<Vec<_>>();
        let n_sv = runs
            .iter()
            .map(|r| r.singular_values.len())
            .min()
            .unwrap_or(0);
        MethodCurves {
            method: method.clone(),
            train_hamming: Band::from_runs(hx.clone(), &col(&|r| r.train_hamming.clone())),
            test_hamming: Band::from_runs(hx, &col(&|r| r.test_hamming.clone())),
            gibbs_accessibility: Band::from_runs(
                ex.clone(),
                &col(&|r| r.gibbs_accessibility.clone()),
            ),
            method_accessibility: Band::from_runs(
                ex.clone(),
                &col(&|r| r.method_accessibility.clone()),
            ),
            exact_nll: Band::from_runs(ex, &col(&|r| r.exact_nll.clone())),
            singular_values: Band::from_runs(
                (1..=n_sv).map(|i| i as f64).collect(),
                &col(&|r| r.singular_values[..n_sv].to_vec()),
            ),
            train_seconds: mean(&runs.iter().map(|r| r.train_seconds).collect::<Vec<_>>()),
            final_models: runs
                .iter_mut()
                .filter_map(|r| r.final_model.take())
                .collect(),
        }
    }
}

/// Where each sample lies: 0 = in `train`, 1 = in `test`, 2 = neither (exact match of ±1 rows).
pub fn membership(
    samples: ArrayView2<'_, f32>,
    train: ArrayView2<'_, f32>,
    test: ArrayView2<'_, f32>,
) -> Vec<u8> {
    use std::collections::HashSet;
    let key =
        |r: ndarray::ArrayView1<'_, f32>| -> Vec<bool> { r.iter().map(|&x| x > 0.0).collect() };
    let tr: HashSet<Vec<bool>> = train.rows().into_iter().map(key).collect();
    let te: HashSet<Vec<bool>> = test.rows().into_iter().map(key).collect();
    samples
        .rows()
        .into_iter()
        .map(|r| {
            let k = key(r);
            if tr.contains(&k) {
                0
            } else if te.contains(&k) {
                1
            } else {
                2
            }
        })
        .collect()
}
