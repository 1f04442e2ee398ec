//! Binarized MNIST (004 section V B, Fig. 6): an RA-RBM (eq. 5) with continuous patterns clipped to
//! `[-x, x]` after every update (Appendix B, value restriction) trained with PID whose negative
//! phase runs `gibbs_k` Gibbs steps seeded by the sign of the visible patterns; its AIS estimate of
//! the NLL on training and test images against epoch (a stochastic lower bound of log Z, hence of
//! the NLL) beside a rigorous lower bound of log Z (the log-sum of `e^{-F(v)}` over the training
//! images and the binarized visible patterns), samples from random starts, and linear probes fitted
//! to convergence by L-BFGS on one sampled hidden state per image (the paper's) and on the
//! standardized hidden means, for the trained RA-RBM, the same RA-RBM untrained (a control: a wide
//! layer of random features) and a standard 0/1 RBM with biases trained by PCD (with its AIS NLL).
//!
//! Input images are 0/1 (already binarized); the RA-RBM sees them as ±1 spins.

use super::{Band, MeanStd};
use crate::eval::{
    AisParams, BetaSchedule, LogRegParams, ProbeFeatures, ProbeFit, ValidAisParams,
    ValidLogRegParams, ais, base_visible_bias, probe_logreg,
};
use crate::model::UnitsSpec;
use crate::train::{
    Binarize, EpochObserver, Estimator, Optimizer, State, TrainParams, Trainer, ValidTrainParams,
    WeightsSpec,
};
use crate::{Rbm, RbmError, Result};
use ndarray::{Array2, ArrayView2, s};
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, Units, check};

/// Configuration. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MnistParams {
    /// Hidden units of the RA-RBM (004: 3000).
    pub n_hidden: usize,
    /// Patterns K (004: 190).
    pub k: usize,
    /// Learning rate (004: 0.015).
    pub lr: f64,
    /// Gibbs steps from the patterns (004: 10).
    pub gibbs_steps: usize,
    /// Pattern bound x of the value restriction (004: 1).
    pub clip: f64,
    /// Training epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Independent RA-RBM trainings (004: 25 for the NLL, 100 for the probe).
    pub n_runs: usize,
    /// Epochs at which the AIS NLL is estimated (0 = untrained).
    pub ais_epochs: Vec<usize>,
    /// AIS chains.
    pub ais_chains: usize,
    /// AIS intermediate distributions.
    pub ais_betas: usize,
    /// Images of each set used for the NLL (0: all).
    pub nll_max_images: usize,
    /// Hidden units of the standard RBM of the probe comparison (004: 300).
    pub rbm_hidden: usize,
    /// Its training epochs.
    pub rbm_epochs: usize,
    /// Its learning rate (SGD, momentum 0.5).
    pub rbm_lr: f64,
    /// Its PCD chains (1 Gibbs step per update).
    pub rbm_chains: usize,
    /// Logistic-regression settings of the probes (L-BFGS to convergence).
    pub probe: LogRegParams,
    /// Samples drawn from the first trained RA-RBM.
    pub n_samples: usize,
    /// Gibbs steps per sample.
    pub sample_steps: usize,
}

valid_params! {
    /// [`MnistParams`] that passed [`ParamGuard::check`].
    pub struct ValidMnistParams {
        /// The RA-RBM's training parameters.
        ra: ValidTrainParams,
        /// Independent RA-RBM trainings.
        n_runs: usize,
        /// Epochs at which the AIS NLL is estimated.
        ais_epochs: Vec<usize>,
        /// AIS settings.
        ais: ValidAisParams,
        /// Images of each set used for the NLL (0: all).
        nll_max_images: usize,
        /// The comparison RBM's training parameters.
        rbm: ValidTrainParams,
        /// Logistic-regression settings.
        probe: ValidLogRegParams,
        /// Samples drawn from the first trained RA-RBM.
        n_samples: usize,
        /// Gibbs steps per sample.
        sample_steps: usize,
    }
}

/// Names a parameter of the nested probe settings by its path in [`MnistParams`].
fn in_probe(e: spinlearn_core::Error) -> spinlearn_core::Error {
    match e {
        spinlearn_core::Error::InvalidParameter { name, reason } => {
            spinlearn_core::Error::invalid(format!("probe.{name}"), reason)
        }
        other => other,
    }
}

impl ParamGuard for MnistParams {
    type Checked = ValidMnistParams;

    fn check(&self) -> spinlearn_core::Result<ValidMnistParams> {
        // the comparison RBM's and AIS's own fields first, so that errors carry these names
        check::nonzero("rbm_hidden", self.rbm_hidden)?;
        check::nonzero("rbm_epochs", self.rbm_epochs)?;
        check::positive("rbm_lr", self.rbm_lr)?;
        check::nonzero("rbm_chains", self.rbm_chains)?;
        check::at_least("ais_chains", self.ais_chains, 2)?;
        check::at_least("ais_betas", self.ais_betas, 2)?;
        let ra = TrainParams {
            n_hidden: self.n_hidden,
            units: UnitsSpec::SPINS_NO_BIAS,
            weights: WeightsSpec::Ra {
                k: self.k,
                binarize: Binarize::Clip { clip: self.clip },
            },
            estimator: Estimator::PidGibbs {
                gibbs_steps: self.gibbs_steps,
            },
            optimizer: Optimizer::Sgd {
                lr: self.lr,
                momentum: 0.0,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            epochs: self.epochs,
            batch_size: self.batch_size,
            track_exact_nll: false,
        }
        .check()?;
        let rbm = TrainParams {
            n_hidden: self.rbm_hidden,
            units: UnitsSpec::BITS_WITH_BIAS,
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator: Estimator::Pcd {
                gibbs_steps: 1,
                n_chains: self.rbm_chains,
            },
            optimizer: Optimizer::Sgd {
                lr: self.rbm_lr,
                momentum: 0.5,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            epochs: self.rbm_epochs,
            batch_size: self.batch_size,
            track_exact_nll: false,
        }
        .check()?;
        if self.ais_epochs.iter().any(|&e| e > self.epochs) {
            return Err(spinlearn_core::Error::invalid(
                "ais_epochs",
                "lists an epoch beyond `epochs`",
            ));
        }
        Ok(ValidMnistParams {
            ra,
            n_runs: check::nonzero("n_runs", self.n_runs)?,
            ais_epochs: self.ais_epochs.clone(),
            ais: AisParams {
                n_chains: self.ais_chains,
                n_betas: self.ais_betas,
                schedule: BetaSchedule::Piecewise,
            }
            .check()?,
            nll_max_images: self.nll_max_images,
            rbm,
            probe: self.probe.check().map_err(in_probe)?,
            n_samples: self.n_samples,
            sample_steps: self.sample_steps,
        })
    }
}

/// Probe accuracies of one model kind (mean and std over its trainings).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ProbeScores {
    /// On one sampled hidden state per image (004 section V B), training set.
    pub sampled_train: MeanStd,
    /// The same, test set.
    pub sampled_test: MeanStd,
    /// On the standardized hidden means, training set.
    pub mean_train: MeanStd,
    /// The same, test set.
    pub mean_test: MeanStd,
}

/// Collects [`ProbeFit`]s into [`ProbeScores`] and the fits' convergence.
#[derive(Default)]
struct ProbeAcc {
    st: Vec<f64>,
    se: Vec<f64>,
    mt: Vec<f64>,
    me: Vec<f64>,
    converged: bool,
    fits: usize,
    max_iter: usize,
}

impl ProbeAcc {
    fn push(&mut self, sampled: &ProbeFit, mean: &ProbeFit) {
        if self.fits == 0 {
            self.converged = true;
        }
        self.st.push(sampled.train_accuracy);
        self.se.push(sampled.test_accuracy);
        self.mt.push(mean.train_accuracy);
        self.me.push(mean.test_accuracy);
        for f in [sampled, mean] {
            self.converged &= f.fit.converged;
            self.fits += 1;
            self.max_iter = self.max_iter.max(f.fit.iterations);
        }
    }

    fn scores(&self) -> ProbeScores {
        ProbeScores {
            sampled_train: MeanStd::of(&self.st),
            sampled_test: MeanStd::of(&self.se),
            mean_train: MeanStd::of(&self.mt),
            mean_test: MeanStd::of(&self.me),
        }
    }
}

/// Outcome of the MNIST experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MnistResult {
    /// AIS NLL of the training images against epoch (nats per image).
    pub ais_train_nll: Band,
    /// AIS NLL of the test images against epoch.
    pub ais_test_nll: Band,
    /// Test NLL under the rigorous lower bound of log Z (log-sum of `e^{-F}` over the training
    /// images and the binarized visible patterns), at the same epochs: a lower bound of the NLL
    /// that, unlike AIS, cannot fall below the truth by chance; AIS values below it are
    /// underestimates.
    pub floor_test_nll: Band,
    /// Probes of the trained RA-RBMs.
    pub ra_probe: ProbeScores,
    /// Probes of the first RA-RBM before training (random patterns).
    pub untrained_probe: ProbeScores,
    /// Probes of the standard RBM.
    pub rbm_probe: ProbeScores,
    /// Whether every L-BFGS probe fit met its gradient tolerance.
    pub probes_converged: bool,
    /// Most L-BFGS iterations over the probe fits.
    pub probe_max_iterations: usize,
    /// AIS NLL of the test images under the standard RBM (same AIS settings, base from its data).
    pub rbm_ais_test_nll: f64,
    /// Samples of the first RA-RBM, `(n_samples, 784)` as ±1.
    #[serde(skip)]
    pub samples: Array2<f32>,
    /// Mean seconds of RA-RBM training per run.
    pub train_seconds: f64,
}

fn to_spins(x: ArrayView2<'_, f32>) -> Array2<f32> {
    x.mapv(|b| if b > 0.5 { 1.0 } else { -1.0 })
}

fn head(x: &Array2<f32>, n: usize) -> ArrayView2<'_, f32> {
    let n = if n == 0 { x.nrows() } else { x.nrows().min(n) };
    x.slice(s![..n, ..])
}

/// AIS NLL of two sets of ±1 rows: mean free energy plus the AIS log Z (shared by both); the AIS
/// fields go through the RA patterns `(ξ_v, ξ_h)` when given.
#[allow(clippy::too_many_arguments)]
fn ais_nll_pair(
    rbm: &Rbm,
    patterns: Option<(ArrayView2<'_, f32>, ArrayView2<'_, f32>)>,
    base: ndarray::ArrayView1<'_, f64>,
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    ap: &ValidAisParams,
    seed: Seed,
) -> Result<((f64, f64), f64)> {
    let lz = match patterns {
        Some((pv, ph)) => crate::eval::ais_through_patterns(rbm, pv, ph, base, ap, seed)?,
        None => ais(rbm, base, ap, seed)?,
    }
    .log_z;
    let fa = mean_free_energy(rbm, a);
    let fb = mean_free_energy(rbm, b);
    Ok(((fa + lz, fb + lz), lz))
}

fn mean_free_energy(rbm: &Rbm, x: ArrayView2<'_, f32>) -> f64 {
    rbm.free_energy(x.mapv(f64::from).view())
        .mean()
        .unwrap_or(f64::NAN)
}

/// A rigorous lower bound of log Z: `log Σ_{v ∈ S} e^{-F(v)}` over the rows of `a` and of `b`.
fn log_z_floor(rbm: &Rbm, a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> f64 {
    let terms: Vec<f64> = [a, b]
        .iter()
        .flat_map(|x| rbm.free_energy(x.mapv(f64::from).view()).to_vec())
        .map(|f| -f)
        .collect();
    spinlearn_core::numerics::log_sum_exp(&terms)
}

/// Estimates the AIS NLL of the training and test images at the listed epochs of one training
/// (epoch 0 is measured before it starts), passing each epoch's report on to `progress`.
struct AisCurve<'a> {
    p: &'a ValidMnistParams,
    seed: Seed,
    base: &'a ndarray::Array1<f64>,
    train: ArrayView2<'a, f32>,
    test: ArrayView2<'a, f32>,
    nll: (Vec<f64>, Vec<f64>),
    floor: Vec<f64>,
    progress: &'a mut dyn Observer,
}

impl AisCurve<'_> {
    fn at(&mut self, state: &State) -> Result<()> {
        let e = state.epoch;
        if self.p.ais_epochs.contains(&e) {
            let rbm = state.model.as_ref().expect("model").to_f64();
            let patterns = state
                .patterns
                .as_ref()
                .map(|(pv, ph)| (pv.view(), ph.view()));
            let ((x, y), _) = ais_nll_pair(
                &rbm,
                patterns,
                self.base.view(),
                self.train,
                self.test,
                &self.p.ais,
                self.seed.named("ais").derive(e as u64),
            )?;
            self.nll.0.push(x);
            self.nll.1.push(y);
            let (pv, _) = state.patterns.as_ref().expect("RA patterns");
            let signs = pv.mapv(|x| if x >= 0.0 { 1.0f32 } else { -1.0 });
            let floor = log_z_floor(&rbm, self.train, signs.view());
            self.floor.push(mean_free_energy(&rbm, self.test) + floor);
        }
        Ok(())
    }
}

impl EpochObserver for AisCurve<'_> {
    fn epoch_done(&mut self, state: &State, report: &StepReport<'_>) -> Result<Control> {
        self.at(state)?;
        Ok(self.progress.observe(report))
    }
}

/// The two probes (one sampled hidden state per image; standardized hidden means) of `rbm`, with
/// the fields through the RA `patterns` when given.
#[allow(clippy::too_many_arguments)]
fn probes(
    rbm: &Rbm,
    tr: ArrayView2<'_, f64>,
    trl: &[u8],
    te: ArrayView2<'_, f64>,
    tel: &[u8],
    p: &ValidLogRegParams,
    seed: Seed,
    patterns: Option<&(Array2<f32>, Array2<f32>)>,
) -> Result<(ProbeFit, ProbeFit)> {
    let pat = patterns.map(|(a, b)| (a.view(), b.view()));
    let s = probe_logreg(
        rbm,
        tr,
        trl,
        te,
        tel,
        ProbeFeatures::SampledState,
        p,
        seed,
        pat,
    )?;
    let m = probe_logreg(
        rbm,
        tr,
        trl,
        te,
        tel,
        ProbeFeatures::StandardizedMean,
        p,
        seed,
        pat,
    )?;
    Ok((s, m))
}

/// One training of the RA-RBM ([`mnist_ra_run`]): one unit of the experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RaRun {
    /// The run's index.
    pub run: usize,
    /// AIS NLL of the training images at `ais_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub ais_train_nll: Vec<f64>,
    /// AIS NLL of the test images at `ais_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub ais_test_nll: Vec<f64>,
    /// Test NLL under the rigorous lower bound of log Z at `ais_epochs`.
    #[serde(with = "spinlearn_core::nonfinite::vec")]
    pub floor_test_nll: Vec<f64>,
    /// Probes of the trained model: on sampled states, on standardized means.
    pub probe: (ProbeFit, ProbeFit),
    /// Run 0 only: the probes of the model before training.
    pub untrained_probe: Option<(ProbeFit, ProbeFit)>,
    /// Run 0 only: samples of the trained model, `(n_samples, 784)` as ±1.
    pub samples: Option<Array2<f32>>,
    /// Seconds of training updates.
    #[serde(with = "spinlearn_core::nonfinite")]
    pub train_seconds: f64,
}

/// The comparison RBM ([`mnist_rbm_run`]): one unit of the experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RbmRun {
    /// Probes: on sampled states, on standardized means.
    pub probe: (ProbeFit, ProbeFit),
    /// AIS NLL of the test images.
    #[serde(with = "spinlearn_core::nonfinite")]
    pub ais_test_nll: f64,
}

fn check_data(
    train: ArrayView2<'_, f32>,
    train_labels: &[u8],
    test: ArrayView2<'_, f32>,
    test_labels: &[u8],
) -> Result<()> {
    if train_labels.len() != train.nrows()
        || test_labels.len() != test.nrows()
        || train.ncols() != test.ncols()
    {
        return Err(RbmError::Shape("images and labels do not match".into()));
    }
    Ok(())
}

/// RA-RBM training `r` on 0/1 images `(n, 784)` with labels, from `seed.named("ra").derive(r)`:
/// its AIS curve, probes and (run 0) the untrained control's probes and samples. `observer` sees
/// each training epoch (stage `"epoch"`).
#[allow(clippy::too_many_arguments)]
pub fn mnist_ra_run(
    train: ArrayView2<'_, f32>,
    train_labels: &[u8],
    test: ArrayView2<'_, f32>,
    test_labels: &[u8],
    p: &ValidMnistParams,
    seed: Seed,
    r: usize,
    observer: &mut dyn Observer,
) -> Result<RaRun> {
    check_data(train, train_labels, test, test_labels)?;
    let trs = to_spins(train);
    let tes = to_spins(test);
    let base = base_visible_bias(Units::Spin, trs.mapv(f64::from).view());
    let tr64 = trs.mapv(f64::from);
    let te64 = tes.mapv(f64::from);
    let seed = seed.named("ra").derive(r as u64);
    let trainer = Trainer::new(p.ra.clone(), seed);
    let mut state = trainer.init(train.ncols())?;
    let untrained_probe = if r == 0 {
        // the control: the first RA-RBM before training (random patterns)
        let rbm0 = state.model.as_ref().expect("model").to_f64();
        Some(probes(
            &rbm0,
            tr64.view(),
            train_labels,
            te64.view(),
            test_labels,
            &p.probe,
            seed.named("probe"),
            state.patterns.as_ref(),
        )?)
    } else {
        None
    };
    let mut curve = AisCurve {
        p,
        seed,
        base: &base,
        train: head(&trs, p.nll_max_images),
        test: head(&tes, p.nll_max_images),
        nll: (Vec::new(), Vec::new()),
        floor: Vec::new(),
        progress: &mut *observer,
    };
    curve.at(&state)?;
    let summary = trainer.run_observed(&mut state, trs.view(), &mut curve)?;
    let (a, b) = curve.nll;
    let floor = curve.floor;
    let rbm = state.model.as_ref().expect("model").to_f64();
    let probe = probes(
        &rbm,
        tr64.view(),
        train_labels,
        te64.view(),
        test_labels,
        &p.probe,
        seed.named("probe"),
        state.patterns.as_ref(),
    )?;
    let samples = (r == 0).then(|| {
        crate::sample::from_random_starts(&rbm, p.n_samples, p.sample_steps, seed.named("samples"))
    });
    Ok(RaRun {
        run: r,
        ais_train_nll: a,
        ais_test_nll: b,
        floor_test_nll: floor,
        probe,
        untrained_probe,
        samples,
        train_seconds: summary.epochs.iter().map(|e| e.seconds).sum::<f64>(),
    })
}

/// The standard RBM of the probe comparison (0/1 units with biases, PCD-1) from
/// `seed.named("rbm")`: its probes and AIS test NLL.
pub fn mnist_rbm_run(
    train: ArrayView2<'_, f32>,
    train_labels: &[u8],
    test: ArrayView2<'_, f32>,
    test_labels: &[u8],
    p: &ValidMnistParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<RbmRun> {
    check_data(train, train_labels, test, test_labels)?;
    let seed = seed.named("rbm");
    let bits_tr = train.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let bits_te = test.mapv(|x| if x > 0.5 { 1.0f64 } else { 0.0 });
    let (model, _, _) = crate::train::train(&p.rbm, bits_tr.view(), seed, observer)?;
    let rbm = model.rbm();
    let bits_tr64 = bits_tr.mapv(f64::from);
    let probe = probes(
        &rbm,
        bits_tr64.view(),
        train_labels,
        bits_te.view(),
        test_labels,
        &p.probe,
        seed.named("probe"),
        None,
    )?;
    let rbm_base = base_visible_bias(Units::Bit, bits_tr64.view());
    let rbm_lz = ais(&rbm, rbm_base.view(), &p.ais, seed.named("ais"))?.log_z;
    let n_nll = if p.nll_max_images == 0 {
        bits_te.nrows()
    } else {
        bits_te.nrows().min(p.nll_max_images)
    };
    let ais_test_nll = rbm
        .free_energy(bits_te.slice(s![..n_nll, ..]))
        .mean()
        .unwrap_or(f64::NAN)
        + rbm_lz;
    Ok(RbmRun {
        probe,
        ais_test_nll,
    })
}

impl MnistResult {
    /// The result from the RA-RBM trainings `runs` (in any order; runs `0..n` each once, run 0
    /// with its control and samples) and the comparison RBM.
    pub fn from_runs(p: &ValidMnistParams, runs: &[RaRun], rbm: &RbmRun) -> Result<Self> {
        let mut sorted: Vec<&RaRun> = runs.iter().collect();
        sorted.sort_by_key(|r| r.run);
        if sorted.iter().enumerate().any(|(i, r)| r.run != i) || sorted.is_empty() {
            return Err(RbmError::invalid(
                "runs",
                format!(
                    "RA-RBM runs {:?} are not 0..{} each once",
                    sorted.iter().map(|r| r.run).collect::<Vec<_>>(),
                    sorted.len()
                ),
            ));
        }
        let first = sorted[0];
        let (Some(u), Some(samples)) = (&first.untrained_probe, &first.samples) else {
            return Err(RbmError::invalid(
                "runs",
                "run 0 lacks the untrained control or the samples",
            ));
        };
        let (mut ra, mut untrained, mut plain) = (
            ProbeAcc::default(),
            ProbeAcc::default(),
            ProbeAcc::default(),
        );
        untrained.push(&u.0, &u.1);
        for r in &sorted {
            ra.push(&r.probe.0, &r.probe.1);
        }
        plain.push(&rbm.probe.0, &rbm.probe.1);
        let col = |f: &dyn Fn(&RaRun) -> Vec<f64>| sorted.iter().map(|r| f(r)).collect::<Vec<_>>();
        let secs: Vec<f64> = sorted.iter().map(|r| r.train_seconds).collect();
        let x: Vec<f64> = p.ais_epochs.iter().map(|&e| e as f64).collect();
        Ok(MnistResult {
            ais_train_nll: Band::from_runs(x.clone(), &col(&|r| r.ais_train_nll.clone())),
            ais_test_nll: Band::from_runs(x.clone(), &col(&|r| r.ais_test_nll.clone())),
            floor_test_nll: Band::from_runs(x, &col(&|r| r.floor_test_nll.clone())),
            ra_probe: ra.scores(),
            untrained_probe: untrained.scores(),
            rbm_probe: plain.scores(),
            probes_converged: ra.converged && untrained.converged && plain.converged,
            probe_max_iterations: ra.max_iter.max(untrained.max_iter).max(plain.max_iter),
            rbm_ais_test_nll: rbm.ais_test_nll,
            samples: samples.clone(),
            train_seconds: MeanStd::of(&secs).mean,
        })
    }
}

/// Runs the experiment on 0/1 images `(n, 784)` with labels: every RA-RBM training of
/// [`mnist_ra_run`], then the comparison RBM of [`mnist_rbm_run`]. `observer` sees each training
/// epoch (stage `"epoch"`) and one report per finished training (stages `"ra-rbm"`, `"rbm"`);
/// after a stop the RA-RBM runs done are kept.
pub fn mnist_experiment(
    train: ArrayView2<'_, f32>,
    train_labels: &[u8],
    test: ArrayView2<'_, f32>,
    test_labels: &[u8],
    p: &ValidMnistParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<MnistResult> {
    let total = p.n_runs + 1;
    let mut runs = Vec::new();
    for r in 0..p.n_runs {
        let run = mnist_ra_run(train, train_labels, test, test_labels, p, seed, r, observer)?;
        let metrics = [
            (
                "ais_test_nll",
                run.ais_test_nll.last().copied().unwrap_or(f64::NAN),
            ),
            ("probe_test", run.probe.0.test_accuracy),
        ];
        runs.push(run);
        let rep = StepReport {
            stage: "ra-rbm",
            step: r + 1,
            total: Some(total),
            metrics: &metrics,
        };
        if observer.observe(&rep) == Control::Stop {
            break;
        }
    }
    let rbm = mnist_rbm_run(train, train_labels, test, test_labels, p, seed, observer)?;
    let metrics = [
        ("probe_test", rbm.probe.0.test_accuracy),
        ("ais_test_nll", rbm.ais_test_nll),
    ];
    let _ = observer.observe(&StepReport {
        stage: "rbm",
        step: total,
        total: Some(total),
        metrics: &metrics,
    });
    MnistResult::from_runs(p, &runs, &rbm)
}
