//! `spinlearn rbm train|eval|sample`: restricted Boltzmann machines (papers 003, 004). Glue only:
//! models, training, sampling and evaluation live in `spinlearn-rbm`.

use crate::cmd::data::load_named_or_file;
use crate::common::{Ctx, Experiment, execute, parse_digits};
use anyhow::{Context, Result};
use clap::{ArgAction, Args, Subcommand, ValueEnum};
use ndarray::{Array2, Axis};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::record::RunDir;
use spinlearn_core::{Control, Observer, StepReport, Units};
use spinlearn_data::Dataset;
use spinlearn_plot::{ImageGrid, LinePlot, Series};
use spinlearn_rbm::eval::{self, AisParams, BetaSchedule, ProbeParams};
use spinlearn_rbm::io::{load_npz, save_npz};
use spinlearn_rbm::train::{
    Binarize, Estimator, Optimizer, PidHidden, TrainParams, Trainer, WeightsSpec,
};
use spinlearn_rbm::{Model, Rbm, UnitsSpec};
use std::path::PathBuf;

/// The `rbm` subcommands.
#[derive(Debug, Subcommand)]
pub enum RbmCmd {
    /// Train an RBM (dense or Regularized Axons; exact, CD, PCD, PID or PID+Gibbs negative phase).
    Train(TrainArgs),
    /// Evaluate a saved model (.npz): exact or AIS log Z, ground state, accessibility, ...
    Eval(EvalArgs),
    /// Draw samples from a saved model by block Gibbs sampling and show them as images.
    Sample(SampleArgs),
}

/// Runs an `rbm` subcommand.
pub fn run_cmd(cmd: &RbmCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        RbmCmd::Train(a) => execute(a, ctx),
        RbmCmd::Eval(a) => execute(a, ctx),
        RbmCmd::Sample(a) => execute(a, ctx),
    }
}

/// Unit type of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitsArg {
    /// ±1.
    Spin,
    /// 0/1.
    Bit,
}

impl From<UnitsArg> for Units {
    fn from(u: UnitsArg) -> Units {
        match u {
            UnitsArg::Spin => Units::Spin,
            UnitsArg::Bit => Units::Bit,
        }
    }
}

/// Where the training or evaluation data come from.
#[derive(Debug, Clone, Args, Serialize)]
pub struct RbmDataArgs {
    /// A named dataset (`mnist`, `bars4`, `bas12`, ...; see `data list`) or a file (.npy, .npz, .txt).
    #[arg(long = "data", default_value = "mnist", value_name = "NAME|FILE")]
    pub data: String,
    /// Keep only these labels (labelled datasets), comma-separated; empty keeps all.
    #[arg(long, default_value = "", value_name = "LIST")]
    pub digits: String,
    /// Use at most this many samples (the first ones).
    #[arg(long)]
    pub n_samples: Option<usize>,
    /// Pixels above this value are on, the rest off (ignored with --real-valued).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Keep real values in [0, 1] as visible inputs (0/1 visible units only; paper 003).
    #[arg(long)]
    pub real_valued: bool,
    /// Directory of the full MNIST instead of the embedded subset.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

impl RbmDataArgs {
    /// The dataset with values in the visible units' encoding (`(n_samples, n_visible)` f32).
    fn load(&self, visible: Units) -> Result<Dataset> {
        let mut ds = load_named_or_file(&self.data, self.mnist_dir.as_deref())?;
        if ds.labels.is_some() && !self.digits.trim().is_empty() {
            ds = spinlearn_data::transform::select_labels(&ds, &parse_digits(&self.digits)?)?;
        }
        if let Some(n) = self.n_samples {
            anyhow::ensure!(
                n >= 1,
                "invalid parameter `n_samples`: must be at least 1, got 0"
            );
            ds = ds.head(n.min(ds.n_samples()));
        }
        anyhow::ensure!(ds.n_samples() > 0, "dataset `{}` has no samples", ds.name);
        let thr = self.threshold as f32;
        let detected = spinlearn_data::transform::detect_units(&ds.data);
        if self.real_valued {
            anyhow::ensure!(
                visible == Units::Bit,
                "invalid parameter `real_valued`: needs visible = bit"
            );
            if detected == Some(Units::Spin) {
                ds.data.mapv_inplace(|s| 0.5 * (s + 1.0));
            }
            anyhow::ensure!(
                ds.data.iter().all(|x| (0.0..=1.0).contains(x)),
                "invalid parameter `real_valued`: data values must lie in [0, 1]"
            );
        } else {
            let on = |x: f32| match detected {
                Some(Units::Spin) => x > 0.0,
                Some(Units::Bit) => x > 0.5,
                None => x > thr,
            };
            let lo = visible.low() as f32;
            ds.data.mapv_inplace(|x| if on(x) { 1.0 } else { lo });
        }
        Ok(ds)
    }
}

/// Weight parameterization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightsArg {
    /// Dense W.
    Dense,
    /// Regularized Axons (004 eq. 5).
    Ra,
}

/// Negative-phase estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EstimatorArg {
    /// Exact model averages (smaller layer <= 24 units).
    Exact,
    /// Contrastive divergence CD-k.
    Cd,
    /// Persistent CD with --chains fantasy particles.
    Pcd,
    /// Pattern-InDuced correlations (RA only).
    Pid,
    /// PID with k Gibbs steps from the patterns (RA only).
    PidGibbs,
}

/// Pattern binarization (004 Appendix B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BinarizeArg {
    /// None.
    None,
    /// sign() after every epoch.
    Sign,
    /// Clip to [-x, x] after every update.
    Clip,
    /// One Gibbs step from the patterns after every epoch.
    Gibbs,
}

/// Optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerArg {
    /// SGD with momentum and weight decay.
    Sgd,
    /// Adam.
    Adam,
}

/// `spinlearn rbm train`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct TrainArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: RbmDataArgs,
    /// Visible units.
    #[arg(long, value_enum, default_value_t = UnitsArg::Bit)]
    pub visible: UnitsArg,
    /// Hidden units.
    #[arg(long, value_enum, default_value_t = UnitsArg::Bit)]
    pub hidden: UnitsArg,
    /// Train visible and hidden biases (false: held at zero, as in 004).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub biases: bool,
    /// Hidden units.
    #[arg(long, default_value_t = 500)]
    pub n_hidden: usize,
    /// Dense weights or Regularized Axons.
    #[arg(long, value_enum, default_value_t = WeightsArg::Dense)]
    pub weights: WeightsArg,
    /// Number of patterns K (RA).
    #[arg(long = "k", default_value_t = 8)]
    pub k: usize,
    /// Pattern binarization (RA).
    #[arg(long, value_enum, default_value_t = BinarizeArg::Sign)]
    pub binarize: BinarizeArg,
    /// Bound x of --binarize clip.
    #[arg(long, default_value_t = 1.0)]
    pub clip: f64,
    /// Standard deviation of the initial dense weights.
    #[arg(long, default_value_t = 0.01)]
    pub init_std: f64,
    /// Negative-phase estimator.
    #[arg(long, value_enum, default_value_t = EstimatorArg::Cd)]
    pub estimator: EstimatorArg,
    /// Gibbs steps per update (CD-k, PCD-k, PID+Gibbs).
    #[arg(long, default_value_t = 1)]
    pub gibbs_steps: usize,
    /// PCD fantasy particles.
    #[arg(long, default_value_t = 100)]
    pub chains: usize,
    /// PID: pair each visible pattern with E[h|xi_v] (mean) or with xi_h (pattern).
    #[arg(long, default_value = "mean")]
    pub pid_hidden: String,
    /// Optimizer.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,
    /// Learning rate.
    #[arg(long, default_value_t = 0.05)]
    pub lr: f64,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.5)]
    pub momentum: f64,
    /// L2 weight decay.
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f64,
    /// Learning-rate factor per epoch (004's RAPID: 0.96).
    #[arg(long, default_value_t = 1.0)]
    pub lr_decay: f64,
    /// Epochs.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Mini-batch size.
    #[arg(long = "batch", default_value_t = 100)]
    pub batch: usize,
    /// Report the exact NLL after every epoch (smaller layer <= 20 units).
    #[arg(long)]
    pub track_exact_nll: bool,
    /// Resume from a checkpoint (a model.npz holding a training state).
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

impl TrainArgs {
    fn params(&self, seed: spinlearn_core::Seed) -> Result<TrainParams> {
        let units = UnitsSpec {
            visible: self.visible.into(),
            hidden: self.hidden.into(),
            biases: self.biases,
        };
        let weights = match self.weights {
            WeightsArg::Dense => WeightsSpec::Dense {
                init_std: self.init_std,
            },
            WeightsArg::Ra => WeightsSpec::Ra {
                k: self.k,
                binarize: match self.binarize {
                    BinarizeArg::None => Binarize::None,
                    BinarizeArg::Sign => Binarize::Sign,
                    BinarizeArg::Clip => Binarize::Clip { x: self.clip },
                    BinarizeArg::Gibbs => Binarize::Gibbs,
                },
            },
        };
        let k = self.gibbs_steps;
        let estimator = match self.estimator {
            EstimatorArg::Exact => Estimator::Exact,
            EstimatorArg::Cd => Estimator::Cd { k },
            EstimatorArg::Pcd => Estimator::Pcd {
                k,
                n_chains: self.chains,
            },
            EstimatorArg::Pid => Estimator::Pid {
                hidden: match self.pid_hidden.as_str() {
                    "mean" => PidHidden::Mean,
                    "pattern" => PidHidden::Pattern,
                    other => anyhow::bail!(
                        "invalid parameter `pid_hidden`: `{other}` (expected mean or pattern)"
                    ),
                },
            },
            EstimatorArg::PidGibbs => Estimator::PidGibbs { k },
        };
        let optimizer = match self.optimizer {
            OptimizerArg::Sgd => Optimizer::Sgd {
                lr: self.lr,
                momentum: self.momentum,
                weight_decay: self.weight_decay,
                lr_decay: self.lr_decay,
            },
            OptimizerArg::Adam => Optimizer::Adam {
                lr: self.lr,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: self.weight_decay,
                lr_decay: self.lr_decay,
            },
        };
        let p = TrainParams {
            n_hidden: self.n_hidden,
            units,
            weights,
            estimator,
            optimizer,
            epochs: self.epochs,
            batch_size: self.batch,
            seed,
            track_exact_nll: self.track_exact_nll,
        };
        p.check()?;
        Ok(p)
    }
}

impl Experiment for TrainArgs {
    const KIND: &'static str = "rbm train";

    fn validate(&self) -> Result<()> {
        self.params(spinlearn_core::Seed(0)).map(|_| ())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let params = self.params(ctx.seed)?;
        let ds = self.data.load(params.units.visible)?;
        let data = ds.data.view();
        let trainer = Trainer::new(params.check()?);
        let mut state = match &self.resume {
            Some(path) => {
                let saved = load_npz(path)?;
                let st = saved
                    .state
                    .with_context(|| format!("{}: holds no training state", path.display()))?;
                anyhow::ensure!(
                    saved.model.units() == params.units,
                    "{}: the model's units differ from the flags",
                    path.display()
                );
                st
            }
            None => trainer.init(ds.n_features())?,
        };
        anyhow::ensure!(
            state.model().shape() == (ds.n_features(), params.n_hidden),
            "the model's shape {:?} does not fit the data ({} features) and --n-hidden {}",
            state.model().shape(),
            ds.n_features(),
            params.n_hidden
        );
        let extra = serde_json::to_value(&params)?;
        let model_path = dir.file("model.npz");
        let mut progress = ctx.progress();
        let mut rows = Vec::new();
        while state.epoch < params.epochs {
            let m = trainer.epoch(&mut state, data)?;
            save_npz(&model_path, &state.model(), Some(&state), Some(&extra))?;
            let mut metrics = vec![
                ("seconds", m.seconds),
                ("lr", m.lr),
                ("weight_rms", m.weight_rms),
            ];
            if let Some(nll) = m.exact_nll {
                metrics.push(("exact_nll", nll));
            }
            rows.push(m);
            let r = StepReport {
                stage: "epoch",
                step: state.epoch,
                total: Some(params.epochs),
                metrics: &metrics,
            };
            if progress.observe(&r) == Control::Stop {
                break;
            }
        }
        drop(progress);
        spinlearn_core::record::write_json(&dir.file("epochs.json"), &rows)?;
        let x: Vec<f64> = rows.iter().map(|r| r.epoch as f64).collect();
        let (y, label): (Vec<f64>, &str) =
            if rows.iter().all(|r| r.exact_nll.is_some()) && !rows.is_empty() {
                (
                    rows.iter()
                        .map(|r| r.exact_nll.unwrap_or(f64::NAN))
                        .collect(),
                    "exact NLL (nats)",
                )
            } else {
                (rows.iter().map(|r| r.weight_rms).collect(), "weight RMS")
            };
        if !rows.is_empty() {
            LinePlot::new(format!("rbm train on {}", ds.name), "epoch", label)
                .with(Series::line(label, x, y))
                .save(&dir.file("training"))?;
        }
        let last = rows.last();
        Ok(json!({
            "data": ds.name,
            "n_samples": ds.n_samples(),
            "n_visible": ds.n_features(),
            "n_hidden": params.n_hidden,
            "estimator": spinlearn_rbm::train::NegativePhase::name(&params.estimator),
            "epochs_completed": state.epoch,
            "mean_epoch_seconds": if rows.is_empty() { f64::NAN } else { rows.iter().map(|r| r.seconds).sum::<f64>() / rows.len() as f64 },
            "final_exact_nll": last.and_then(|r| r.exact_nll),
            "final_weight_rms": last.map(|r| r.weight_rms),
            "model": model_path.file_name().and_then(|s| s.to_str()),
        }))
    }
}

/// An evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvalWhat {
    /// Exact log Z (and the mean log-likelihood of --data).
    Exact,
    /// Forward AIS log Z (base matched to --data).
    Ais,
    /// Reverse AIS from --data.
    ReverseAis,
    /// Exact ground-state energy.
    GroundState,
    /// Gibbs accessibility of the ground state (004 section V A).
    Accessibility,
    /// Reconstruction Hamming distance (004 Appendix C).
    Reconstruction,
    /// Singular values of W.
    Spectrum,
    /// Logistic-regression probe on the hidden means (labelled data).
    Probe,
}

/// `spinlearn rbm eval`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct EvalArgs {
    /// The model file (.npz with `weights`, optional biases/patterns/metadata).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// What to compute, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "spectrum")]
    pub what: Vec<EvalWhat>,
    #[command(flatten)]
    #[serde(flatten)]
    pub data: RbmDataArgs,
    /// AIS chains.
    #[arg(long, default_value_t = 100)]
    pub ais_chains: usize,
    /// AIS intermediate distributions.
    #[arg(long, default_value_t = 10_000)]
    pub ais_betas: usize,
    /// Random starts for accessibility.
    #[arg(long, default_value_t = 100)]
    pub starts: usize,
    /// Gibbs steps (accessibility, reconstruction).
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// Clamped leading pixels for reconstruction (default: the top image row).
    #[arg(long)]
    pub known: Option<usize>,
    /// Probe: passes over the training features.
    #[arg(long, default_value_t = 20)]
    pub probe_epochs: usize,
}

fn spec_label(units: UnitsSpec) -> String {
    format!(
        "{}/{}{}",
        units.visible,
        units.hidden,
        if units.biases { "+bias" } else { "" }
    )
}

impl Experiment for EvalArgs {
    const KIND: &'static str = "rbm eval";

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            !self.what.is_empty(),
            "invalid parameter `what`: name at least one evaluation"
        );
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let saved = load_npz(&self.model)?;
        let rbm: Rbm = saved.model.rbm();
        let units = rbm.units;
        let needs_data = self.what.iter().any(|w| {
            matches!(
                w,
                EvalWhat::Ais | EvalWhat::ReverseAis | EvalWhat::Reconstruction | EvalWhat::Probe
            )
        });
        let ds = if needs_data || self.what.contains(&EvalWhat::Exact) {
            Some(self.data.load(units.visible)?)
        } else {
            None
        };
        if let Some(ds) = &ds {
            anyhow::ensure!(
                ds.n_features() == rbm.n_visible(),
                "data has {} features, the model {} visible units",
                ds.n_features(),
                rbm.n_visible()
            );
        }
        let data64 = ds.as_ref().map(|d| d.data.mapv(f64::from));
        let mut s = serde_json::Map::new();
        s.insert("model".into(), json!(self.model.display().to_string()));
        s.insert("units".into(), json!(spec_label(units)));
        s.insert("n_visible".into(), json!(rbm.n_visible()));
        s.insert("n_hidden".into(), json!(rbm.n_hidden()));
        let ais_params = AisParams {
            n_chains: self.ais_chains,
            n_betas: self.ais_betas,
            schedule: BetaSchedule::Piecewise,
            seed: ctx.seed.named("ais"),
        };
        let mut gs_energy = None;
        for what in &self.what {
            match what {
                EvalWhat::Exact => {
                    let lz = eval::exact_log_z(&rbm)?;
                    s.insert("log_z".into(), json!(lz));
                    s.insert("exact_log_z".into(), json!(lz));
                    if let Some(d) = &data64 {
                        let ll = eval::log_likelihood(&rbm, d.view(), lz);
                        s.insert("mean_log_likelihood".into(), json!(ll.mean()));
                    }
                }
                EvalWhat::Ais | EvalWhat::ReverseAis => {
                    let d = data64.as_ref().context("AIS needs --data")?;
                    let base = eval::base_visible_bias(units.visible, d.view());
                    let r = if *what == EvalWhat::Ais {
                        eval::ais(&rbm, base.view(), &ais_params)?
                    } else {
                        let n = d.nrows().min(self.ais_chains.max(2));
                        eval::reverse_ais(
                            &rbm,
                            base.view(),
                            d.slice(ndarray::s![..n, ..]),
                            &ais_params,
                        )?
                    };
                    let key = if *what == EvalWhat::Ais {
                        ""
                    } else {
                        "reverse_"
                    };
                    // `log_z` is the exact value when computed, else the forward AIS estimate
                    if *what == EvalWhat::Ais && !self.what.contains(&EvalWhat::Exact) {
                        s.insert("log_z".into(), json!(r.log_z));
                    }
                    s.insert(
                        format!("{}log_z", if key.is_empty() { "ais_" } else { key }),
                        json!(r.log_z),
                    );
                    s.insert(format!("{key}log_z_stderr"), json!(r.log_z_stderr));
                    s.insert(format!("{key}ess"), json!(r.ess));
                    let ll = eval::log_likelihood(&rbm, d.view(), r.log_z);
                    let k2 = if key.is_empty() { "ais_" } else { key };
                    s.insert(format!("{k2}mean_log_likelihood"), json!(ll.mean()));
                    if !s.contains_key("mean_log_likelihood") && *what == EvalWhat::Ais {
                        s.insert("mean_log_likelihood".into(), json!(ll.mean()));
                    }
                }
                EvalWhat::GroundState => {
                    let gs = eval::ground_state(&rbm)?;
                    gs_energy = Some(gs.energy);
                    s.insert("ground_state_energy".into(), json!(gs.energy));
                }
                EvalWhat::Accessibility => {
                    let e = match gs_energy {
                        Some(e) => e,
                        None => eval::ground_state(&rbm)?.energy,
                    };
                    let a = eval::gibbs_accessibility(
                        &rbm,
                        e,
                        self.starts,
                        self.steps,
                        ctx.seed.named("access"),
                    )?;
                    s.insert("ground_state_energy".into(), json!(e));
                    s.insert("gibbs_accessibility".into(), json!(a.accessibility));
                    s.insert(
                        "gibbs_mean_accessibility".into(),
                        json!(a.mean_accessibility),
                    );
                }
                EvalWhat::Reconstruction => {
                    let d = data64.as_ref().context("reconstruction needs --data")?;
                    let shape = ds.as_ref().and_then(|d| d.image_shape);
                    let known = self.known.unwrap_or(shape.map_or(1, |(_, w)| w));
                    let h = eval::reconstruction_hamming(
                        &rbm,
                        d.view(),
                        known,
                        self.steps,
                        ctx.seed.named("recon"),
                    )?;
                    s.insert("reconstruction_hamming".into(), json!(h.mean()));
                }
                EvalWhat::Spectrum => {
                    let sv = eval::singular_values(&rbm)?;
                    let sv32: Vec<f64> = sv.clone();
                    LinePlot::new("singular values of W", "index", "singular value")
                        .with(Series::line(
                            "W",
                            (1..=sv.len()).map(|i| i as f64).collect(),
                            sv32,
                        ))
                        .save(&dir.file("spectrum"))?;
                    s.insert("singular_values".into(), json!(sv));
                }
                EvalWhat::Probe => {
                    let ds = ds.as_ref().context("probe needs labelled --data")?;
                    anyhow::ensure!(ds.labels.is_some(), "probe needs labelled --data");
                    let (tr, te) =
                        spinlearn_data::transform::split(ds, 0.8, ctx.seed.named("probe-split"))?;
                    let p = ProbeParams {
                        epochs: self.probe_epochs,
                        seed: ctx.seed.named("probe"),
                        ..ProbeParams::default()
                    };
                    let r = eval::probe(
                        &rbm,
                        tr.data.mapv(f64::from).view(),
                        tr.labels.as_deref().unwrap_or_default(),
                        te.data.mapv(f64::from).view(),
                        te.labels.as_deref().unwrap_or_default(),
                        &p,
                    )?;
                    s.insert("probe_train_accuracy".into(), json!(r.train_accuracy));
                    s.insert("probe_test_accuracy".into(), json!(r.test_accuracy));
                }
            }
        }
        Ok(Value::Object(s))
    }
}

/// `spinlearn rbm sample`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SampleArgs {
    /// The model file (.npz).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Number of samples (independent chains from uniformly random visible states).
    #[arg(long, default_value_t = 64)]
    pub n: usize,
    /// Gibbs steps per chain.
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Image shape HxW (default: square when n_visible is a square).
    #[arg(long, value_name = "HxW")]
    pub shape: Option<String>,
    /// Images per row of the grid.
    #[arg(long, default_value_t = 8)]
    pub cols: usize,
}

impl Experiment for SampleArgs {
    const KIND: &'static str = "rbm sample";

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            self.n >= 1,
            "invalid parameter `n`: must be at least 1, got 0"
        );
        anyhow::ensure!(
            self.cols >= 1,
            "invalid parameter `cols`: must be at least 1, got 0"
        );
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let saved = load_npz(&self.model)?;
        let rbm = saved.model.rbm();
        let nv = rbm.n_visible();
        let shape = match &self.shape {
            Some(s) => {
                let (h, w) = s
                    .split_once(['x', 'X'])
                    .context("invalid parameter `shape`: expected HxW, e.g. 28x28")?;
                let (h, w): (usize, usize) = (h.trim().parse()?, w.trim().parse()?);
                anyhow::ensure!(
                    h * w == nv,
                    "invalid parameter `shape`: {h}x{w} != {nv} visible units"
                );
                (h, w)
            }
            None => {
                let r = (nv as f64).sqrt().round() as usize;
                if r * r == nv { (r, r) } else { (1, nv) }
            }
        };
        let m = rbm.to_f32();
        let mut rngs = ctx.seed.named("sample").streams(self.n);
        let mut v = spinlearn_rbm::sample::random_states(nv, rbm.units.visible, &mut rngs);
        let mut h = Array2::<f32>::zeros((self.n, rbm.n_hidden()));
        let progress = ctx.progress();
        m.gibbs(&mut v, &mut h, self.steps, &mut rngs);
        drop(progress);
        spinlearn_data::npy::write_npy(&dir.file("samples.npy"), &v)?;
        let lo = rbm.units.visible.low() as f32;
        let images: Vec<Vec<f32>> = v.axis_iter(Axis(0)).map(|r| r.to_vec()).collect();
        let mut grid = ImageGrid::new(images, shape, self.cols);
        grid.range = (lo, 1.0);
        grid.title = format!("{} Gibbs steps", self.steps);
        grid.save(&dir.file("samples"))?;
        let energy = rbm.min_energy_over_hidden(v.mapv(f64::from).view());
        Ok(json!({
            "n_samples": self.n,
            "steps": self.steps,
            "mean_energy_min_over_hidden": energy.mean(),
            "samples": "samples.npy",
            "units": spec_label(rbm.units),
            "model_kind": match saved.model { Model::Dense(_) => "dense", Model::Ra(_) => "ra" },
        }))
    }
}
