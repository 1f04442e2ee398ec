//! `spinlearn rbm train|eval|sample`: restricted Boltzmann machines (papers 003, 004). Glue only:
//! models, training, sampling and evaluation live in `spinlearn-rbm`, the figures in
//! `spinlearn_reproduce::rapid::figures`.

use crate::common::{Ctx, DataArgs, Experiment, execute};
use anyhow::{Context, Result};
use clap::{ArgAction, Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::record::RunDir;
use spinlearn_core::{ParamGuard, Units};
use spinlearn_data::{Dataset, Values};
use spinlearn_rbm::evaluation::{EvalParams, Evaluation, evaluate_with_patterns};
use spinlearn_rbm::hidden::HiddenUnits;
use spinlearn_rbm::hidden::train::{HiddenEstimator, HiddenTrainParams};
use spinlearn_rbm::io::load_npz;
use spinlearn_rbm::train::{
    Binarize, Checkpointer, EpochObserver, Estimator, NegativePhase, Optimizer, PidHidden,
    TrainParams, Trainer, WeightsSpec,
};
use spinlearn_rbm::{Model, UnitsSpec};
use spinlearn_reproduce::rapid::figures;
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

/// The samples of `--data` in the visible units' encoding: 0/1 or ±1 binarized at `--threshold`
/// (default 0.5), or real values in [0, 1] with `--real-valued` (0/1 visible units only).
fn load_data(data: &DataArgs, real_valued: bool, visible: Units) -> Result<Dataset> {
    anyhow::ensure!(
        !real_valued || visible == Units::Bit,
        "invalid parameter `real_valued`: needs visible = bit"
    );
    data.load(|t| {
        if real_valued {
            Values::UnitInterval
        } else {
            Values::Binary {
                threshold: t.unwrap_or(0.5),
                encoding: visible,
            }
        }
    })
}

/// `--hidden`: a name of `spinlearn_rbm::hidden::HIDDEN_UNIT_NAMES`.
fn parse_hidden(text: &str) -> std::result::Result<HiddenUnits, String> {
    HiddenUnits::parse(text).map_err(|e| e.to_string())
}

fn hidden_name<S: serde::Serializer>(
    h: &HiddenUnits,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&h.name())
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
    /// Persistent CD with --n-chains fantasy particles.
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
    /// Clip to [-clip, clip] after every update.
    Clip,
    /// One Gibbs step from the patterns after every epoch.
    Gibbs,
}

/// The hidden configuration PID pairs with each pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PidHiddenArg {
    /// E[h | xi_v].
    Mean,
    /// The hidden pattern xi_h.
    Pattern,
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
    pub data: DataArgs,
    /// Keep real values in [0, 1] as visible inputs (0/1 visible units only; paper 003).
    #[arg(long)]
    pub real_valued: bool,
    /// Visible units.
    #[arg(long, value_enum, default_value_t = UnitsArg::Bit)]
    pub visible: UnitsArg,
    /// Hidden-unit type: bit, spin (the fast trainer), or one of paper 002's activations as a
    /// unit: ising-tanh[:a], ising-rate[:a[:n]], stepped[:n], ising-elu[:a[:n]], relu (an f64
    /// CD/PCD trainer with SGD, dense weights, for small models).
    #[arg(long, default_value = "bit", value_parser = parse_hidden)]
    #[serde(serialize_with = "hidden_name")]
    pub hidden: HiddenUnits,
    /// Train visible and hidden biases (false: held at zero, as in 004).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub biases: bool,
    /// Hidden units.
    #[arg(long, default_value_t = 500, allow_negative_numbers = true)]
    pub n_hidden: usize,
    /// Dense weights or Regularized Axons.
    #[arg(long, value_enum, default_value_t = WeightsArg::Dense)]
    pub weights: WeightsArg,
    /// Number of patterns K (RA).
    #[arg(long = "k", default_value_t = 8, allow_negative_numbers = true)]
    pub k: usize,
    /// Pattern binarization (RA).
    #[arg(long, value_enum, default_value_t = BinarizeArg::Sign)]
    pub binarize: BinarizeArg,
    /// Bound x of --binarize clip.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub clip: f64,
    /// Standard deviation of the initial dense weights.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub init_std: f64,
    /// Negative-phase estimator.
    #[arg(long, value_enum, default_value_t = EstimatorArg::Cd)]
    pub estimator: EstimatorArg,
    /// Gibbs steps per update (CD-k, PCD-k, PID+Gibbs).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub gibbs_steps: usize,
    /// PCD fantasy particles.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub n_chains: usize,
    /// PID: pair each visible pattern with E[h|xi_v] (mean) or with xi_h (pattern).
    #[arg(long, value_enum, default_value_t = PidHiddenArg::Mean)]
    pub pid_hidden: PidHiddenArg,
    /// Optimizer.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,
    /// Learning rate.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub lr: f64,
    /// SGD momentum.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub momentum: f64,
    /// L2 weight decay.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub weight_decay: f64,
    /// Learning-rate factor per epoch (004's RAPID: 0.96).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub lr_decay: f64,
    /// Epochs.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub epochs: usize,
    /// Mini-batch size.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub batch_size: usize,
    /// Report the exact NLL after every epoch (smaller layer <= 20 units).
    #[arg(long)]
    pub track_exact_nll: bool,
    /// Resume from a checkpoint (a model.npz holding a training state).
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

impl TrainArgs {
    fn params(&self) -> TrainParams {
        let gibbs_steps = self.gibbs_steps;
        TrainParams {
            n_hidden: self.n_hidden,
            units: UnitsSpec {
                visible: self.visible.into(),
                // Other hidden types train through `hidden_params` instead.
                hidden: self.hidden.as_units().unwrap_or(Units::Bit),
                biases: self.biases,
            },
            weights: match self.weights {
                WeightsArg::Dense => WeightsSpec::Dense {
                    init_std: self.init_std,
                },
                WeightsArg::Ra => WeightsSpec::Ra {
                    k: self.k,
                    binarize: match self.binarize {
                        BinarizeArg::None => Binarize::None,
                        BinarizeArg::Sign => Binarize::Sign,
                        BinarizeArg::Clip => Binarize::Clip { clip: self.clip },
                        BinarizeArg::Gibbs => Binarize::Gibbs,
                    },
                },
            },
            estimator: match self.estimator {
                EstimatorArg::Exact => Estimator::Exact,
                EstimatorArg::Cd => Estimator::Cd { gibbs_steps },
                EstimatorArg::Pcd => Estimator::Pcd {
                    gibbs_steps,
                    n_chains: self.n_chains,
                },
                EstimatorArg::Pid => Estimator::Pid {
                    hidden: match self.pid_hidden {
                        PidHiddenArg::Mean => PidHidden::Mean,
                        PidHiddenArg::Pattern => PidHidden::Pattern,
                    },
                },
                EstimatorArg::PidGibbs => Estimator::PidGibbs { gibbs_steps },
            },
            optimizer: match self.optimizer {
                OptimizerArg::Sgd => Optimizer::Sgd {
                    lr: self.lr,
                    momentum: self.momentum,
                    weight_decay: self.weight_decay,
                    lr_decay: self.lr_decay,
                },
                OptimizerArg::Adam => {
                    Optimizer::adam_with(self.lr, self.weight_decay, self.lr_decay)
                }
            },
            epochs: self.epochs,
            batch_size: self.batch_size,
            track_exact_nll: self.track_exact_nll,
        }
    }
}

impl TrainArgs {
    /// The params of the f64 trainer for hidden types other than bit/spin; refuses the options it
    /// does not have.
    fn hidden_params(&self) -> Result<HiddenTrainParams> {
        let h = self.hidden.name();
        let refuse = |flag: &str, what: &str| {
            anyhow::anyhow!(
                "invalid parameter `{flag}`: {what} needs --hidden bit or spin (got {h})"
            )
        };
        let estimator = match self.estimator {
            EstimatorArg::Cd => HiddenEstimator::Cd {
                gibbs_steps: self.gibbs_steps,
            },
            EstimatorArg::Pcd => HiddenEstimator::Pcd {
                gibbs_steps: self.gibbs_steps,
                n_chains: self.n_chains,
            },
            EstimatorArg::Exact => return Err(refuse("estimator", "exact")),
            EstimatorArg::Pid | EstimatorArg::PidGibbs => {
                return Err(refuse("estimator", "pid"));
            }
        };
        anyhow::ensure!(self.weights == WeightsArg::Dense, refuse("weights", "ra"));
        anyhow::ensure!(
            self.optimizer == OptimizerArg::Sgd,
            refuse("optimizer", "adam")
        );
        anyhow::ensure!(
            !self.real_valued,
            refuse("real_valued", "real-valued input")
        );
        anyhow::ensure!(self.resume.is_none(), refuse("resume", "resuming"));
        anyhow::ensure!(
            self.lr_decay == 1.0,
            refuse("lr_decay", "a decay other than 1")
        );
        Ok(HiddenTrainParams {
            n_hidden: self.n_hidden,
            visible: self.visible.into(),
            hidden: self.hidden,
            biases: self.biases,
            estimator,
            lr: self.lr,
            momentum: self.momentum,
            weight_decay: self.weight_decay,
            epochs: self.epochs,
            batch_size: self.batch_size,
            init_std: self.init_std,
            track_exact_nll: self.track_exact_nll,
        })
    }

    /// `rbm train --hidden <not bit/spin>`: the f64 CD/PCD trainer of `spinlearn_rbm::hidden`.
    fn run_hidden(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let params = self.hidden_params()?.check()?;
        let ds = load_data(&self.data, false, params.visible())?;
        let data = ds.data.mapv(f64::from);
        let mut progress = ctx.progress();
        let (model, history) =
            spinlearn_rbm::hidden::train::train(&params, data.view(), ctx.seed, &mut progress)?;
        drop(progress);
        let mut extra = serde_json::to_value(&params)?;
        extra["seed"] = json!(ctx.seed.value());
        let model_path = dir.file("model.npz");
        spinlearn_rbm::io::save_hidden_npz(&model_path, &model, Some(&extra))?;
        spinlearn_core::record::write_json(&dir.file("epochs.json"), &history)?;
        let last = history.last();
        Ok(json!({
            "data": ds.name,
            "n_samples": ds.n_samples(),
            "n_visible": ds.n_features(),
            "n_hidden": params.n_hidden(),
            "hidden": params.hidden().name(),
            "estimator": params.estimator().name(),
            "epochs_completed": history.len(),
            "final_exact_nll": last.and_then(|r| r.exact_nll),
            "final_weight_rms": last.map(|r| r.weight_rms),
            "model": model_path.file_name().and_then(|s| s.to_str()),
        }))
    }
}

impl Experiment for TrainArgs {
    const KIND: &'static str = "rbm train";

    fn validate(&self) -> Result<()> {
        if self.hidden.as_units().is_some() {
            self.params().check()?;
        } else {
            self.hidden_params()?.check()?;
        }
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        if self.hidden.as_units().is_none() {
            return self.run_hidden(ctx, dir);
        }
        let params = self.params().check()?;
        let ds = load_data(&self.data, self.real_valued, params.units().visible)?;
        let trainer = Trainer::new(params.clone(), ctx.seed);
        let mut state = match &self.resume {
            Some(path) => {
                let state = load_npz(path)?
                    .state
                    .with_context(|| format!("{}: holds no training state", path.display()))?;
                trainer
                    .check_state(&state, ds.n_features())
                    .with_context(|| format!("{}: cannot resume", path.display()))?;
                state
            }
            None => trainer.init(ds.n_features())?,
        };
        let mut extra = serde_json::to_value(&params)?;
        extra["seed"] = json!(ctx.seed.value());
        let model_path = dir.file("model.npz");
        let epochs_path = dir.file("epochs.json");
        let already_done = state.epoch >= params.epochs();
        if already_done {
            // Nothing to train: the checkpoint is the result.
            ctx.say(format!(
                "the checkpoint has {} epochs already (--epochs {}): writing its model unchanged",
                state.epoch,
                params.epochs()
            ));
            spinlearn_rbm::io::save_npz(&model_path, &state.model(), Some(&state), Some(&extra))?;
        }
        let mut progress = ctx.progress();
        let summary = trainer.run_observed(
            &mut state,
            ds.data.view(),
            &mut EpochsWriter {
                path: epochs_path.clone(),
                inner: Checkpointer {
                    path: model_path.clone(),
                    extra: Some(extra.clone()),
                    progress: &mut progress,
                },
            },
        )?;
        drop(progress);
        if !summary.epochs.is_empty() {
            // the checkpoints were written uncompressed for speed; the final model compressed
            spinlearn_rbm::io::save_npz(&model_path, &state.model(), Some(&state), Some(&extra))?;
        }
        let rows = &state.history;
        spinlearn_core::record::write_json(&epochs_path, rows)?;
        figures::training_curve(&dir.file("training"), &ds.name, rows)?;
        let last = rows.last();
        let this_run = &summary.epochs;
        Ok(json!({
            "data": ds.name,
            "n_samples": ds.n_samples(),
            "n_visible": ds.n_features(),
            "n_hidden": params.n_hidden(),
            "estimator": params.estimator().name(),
            "epochs_completed": state.epoch,
            "epochs_this_run": this_run.len(),
            "already_trained": already_done,
            "mean_epoch_seconds": if this_run.is_empty() { None } else { Some(this_run.iter().map(|r| r.seconds).sum::<f64>() / this_run.len() as f64) },
            "final_exact_nll": last.and_then(|r| r.exact_nll),
            "final_weight_rms": last.map(|r| r.weight_rms),
            "model": model_path.file_name().and_then(|s| s.to_str()),
        }))
    }
}

/// Writes `epochs.json` (every epoch so far, resumed ones included) after each checkpoint, so an
/// interrupted run keeps its record.
struct EpochsWriter<'a> {
    path: PathBuf,
    inner: Checkpointer<'a>,
}

impl EpochObserver for EpochsWriter<'_> {
    fn epoch_done(
        &mut self,
        state: &spinlearn_rbm::train::State,
        report: &spinlearn_core::StepReport<'_>,
    ) -> spinlearn_rbm::Result<spinlearn_core::Control> {
        let control = self.inner.epoch_done(state, report)?;
        spinlearn_core::record::write_json(&self.path, &state.history)?;
        Ok(control)
    }
}

/// `--what`: the library's evaluation names, with clap's list of possible values.
fn evaluation_parser() -> impl clap::builder::TypedValueParser<Value = Evaluation> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Evaluation::ALL.map(Evaluation::name))
        .map(|s| Evaluation::parse(&s).expect("a listed name"))
}

/// `spinlearn rbm eval`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct EvalArgs {
    /// The model file (.npz with `weights`, optional biases/patterns/metadata).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// What to compute, comma-separated.
    #[arg(long, value_parser = evaluation_parser(), value_delimiter = ',', default_value = "spectrum")]
    pub what: Vec<Evaluation>,
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    /// Keep real values in [0, 1] as visible inputs (0/1 visible units only; paper 003).
    #[arg(long)]
    pub real_valued: bool,
    /// AIS chains.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub ais_chains: usize,
    /// AIS intermediate distributions.
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub ais_betas: usize,
    /// Random starts for accessibility.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub starts: usize,
    /// Gibbs steps (accessibility, reconstruction).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub steps: usize,
    /// Clamped leading pixels for reconstruction (default: the top image row).
    #[arg(long, allow_negative_numbers = true)]
    pub known: Option<usize>,
    /// Probe: passes over the training features.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    pub probe_epochs: usize,
}

impl EvalArgs {
    fn params(&self) -> EvalParams {
        EvalParams {
            what: self.what.clone(),
            ais_chains: self.ais_chains,
            ais_betas: self.ais_betas,
            starts: self.starts,
            steps: self.steps,
            known: self.known,
            probe_epochs: self.probe_epochs,
        }
    }
}

impl EvalArgs {
    /// `rbm eval` of a model whose hidden units are not spin/bit: exact log Z (enumerating the
    /// visible layer) and the data's mean log-likelihood; the other evaluations are refused.
    fn run_hidden(
        &self,
        params: &spinlearn_rbm::evaluation::ValidEvalParams,
        model: &spinlearn_rbm::hidden::HiddenRbm,
    ) -> Result<Value> {
        let h = model.hidden.name();
        if let Some(w) = params.what().iter().find(|&&w| w != Evaluation::Exact) {
            anyhow::bail!(
                "invalid parameter `what`: {} needs spin or bit hidden units (the model has {h}); exact is available",
                w.name()
            );
        }
        let log_z = model.exact_log_z()?;
        let ds = load_data(&self.data, self.real_valued, model.visible)?;
        let data = ds.data.mapv(f64::from);
        anyhow::ensure!(
            data.ncols() == model.n_visible(),
            "invalid parameter `data`: {} has {} features, the model {} visible units",
            ds.name,
            data.ncols(),
            model.n_visible()
        );
        Ok(json!({
            "model": self.model.display().to_string(),
            "units": format!("{}/{}{}", model.visible, h, if model.biases { "+bias" } else { "" }),
            "n_visible": model.n_visible(),
            "n_hidden": model.n_hidden(),
            "log_z": log_z,
            "exact_log_z": log_z,
            "mean_log_likelihood": -model.nll_with(data.view(), log_z),
        }))
    }
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
        self.params().check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let params = self.params().check()?;
        let (typed, _) = spinlearn_rbm::io::load_hidden_npz(&self.model)?;
        if typed.hidden.as_units().is_none() {
            return self.run_hidden(&params, &typed);
        }
        let model = load_npz(&self.model)?.model;
        let rbm = model.rbm();
        // RA models: AIS and the probe through the patterns
        let patterns = model
            .patterns()
            .map(|(pv, ph)| (pv.mapv(|x| x as f32), ph.mapv(|x| x as f32)));
        let ds = if params.what().iter().any(|w| w.needs_data()) {
            Some(load_data(&self.data, self.real_valued, rbm.units.visible)?)
        } else {
            None
        };
        let report = evaluate_with_patterns(
            &rbm,
            patterns.as_ref().map(|(pv, ph)| (pv.view(), ph.view())),
            ds.as_ref(),
            &params,
            ctx.seed,
        )?;
        if let Some(sv) = &report.singular_values {
            figures::spectrum(&dir.file("spectrum"), sv)?;
        }
        let mut s = json!({
            "model": self.model.display().to_string(),
            "units": spec_label(rbm.units),
            "n_visible": rbm.n_visible(),
            "n_hidden": rbm.n_hidden(),
        });
        if let (Value::Object(s), Value::Object(r)) = (&mut s, serde_json::to_value(&report)?) {
            s.extend(r);
        }
        Ok(s)
    }
}

/// `spinlearn rbm sample`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SampleArgs {
    /// The model file (.npz).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Number of samples (independent chains from uniformly random visible states).
    #[arg(long, default_value_t = 64, allow_negative_numbers = true)]
    pub n: usize,
    /// Gibbs steps per chain.
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    pub steps: usize,
    /// Image shape HxW (default: square when n_visible is a square).
    #[arg(long, value_name = "HxW")]
    pub shape: Option<String>,
    /// Images per row of the grid.
    #[arg(long, default_value_t = 8, allow_negative_numbers = true)]
    pub cols: usize,
}

impl SampleArgs {
    fn image_shape(&self, n_visible: usize) -> Result<(usize, usize)> {
        let Some(s) = &self.shape else {
            let r = (n_visible as f64).sqrt().round() as usize;
            return Ok(if r * r == n_visible {
                (r, r)
            } else {
                (1, n_visible)
            });
        };
        let bad = || anyhow::anyhow!("invalid parameter `shape`: expected HxW, e.g. 28x28");
        let (h, w) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let (h, w): (usize, usize) = (
            h.trim().parse().map_err(|_| bad())?,
            w.trim().parse().map_err(|_| bad())?,
        );
        anyhow::ensure!(
            h.checked_mul(w) == Some(n_visible),
            "invalid parameter `shape`: {h}x{w} != {n_visible} visible units"
        );
        Ok((h, w))
    }
}

impl Experiment for SampleArgs {
    const KIND: &'static str = "rbm sample";

    fn validate(&self) -> Result<()> {
        spinlearn_core::check::nonzero("n", self.n)?;
        spinlearn_core::check::nonzero("cols", self.cols)?;
        // A state and a stream per chain (the model's size is checked once it is read).
        spinlearn_core::mem::check("n", &[(&[self.n], 4 + 32)])?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let saved = load_npz(&self.model)?;
        let rbm = saved.model.rbm();
        let shape = self.image_shape(rbm.n_visible())?;
        let units_total = rbm.n_visible().saturating_add(rbm.n_hidden());
        spinlearn_core::mem::check("n", &[(&[self.n, units_total], 4), (&[self.n], 32)])?;
        let v = spinlearn_rbm::sample::from_random_starts(
            &rbm,
            self.n,
            self.steps,
            ctx.seed.named("sample"),
        );
        spinlearn_data::npy::write_npy(&dir.file("samples.npy"), &v)?;
        figures::sample_grid(
            &dir.file("samples"),
            v.view(),
            shape,
            self.cols,
            rbm.units.visible.low() as f32,
            format!("{} Gibbs steps", self.steps),
        )?;
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
