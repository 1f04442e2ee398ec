//! `spinlearn relevance analyze|powerlaw|bound` and `spinlearn dbn train|analyze` (paper 003).
//! Glue only: flags -> checked params -> one `spinlearn-relevance` call -> the outputs written by
//! `spinlearn_reproduce::relevance::figures`.

use crate::common::{Ctx, DataArgs, Experiment, execute};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::record::RunDir;
use spinlearn_core::{ParamGuard, Units};
use spinlearn_data::{Dataset, Values};
use spinlearn_relevance::bound::{self, BoundParams};
use spinlearn_relevance::classifier::MlpParams;
use spinlearn_relevance::dbn::{Dbn, DbnParams, EpochUnit, TopDown};
use spinlearn_relevance::experiments::{
    KMeansSweepParams, PipelineParams, Samples, analyze_ids, run_pipeline, train_and_analyze,
};
use spinlearn_relevance::input::{read_counts, read_state_ids};
use spinlearn_relevance::powerlaw::{PowerLawParams, XminPolicy, fit, tail_ccdf};
use spinlearn_reproduce::relevance::figures;
use std::path::PathBuf;

/// The `relevance` subcommands.
#[derive(Debug, Subcommand)]
pub enum RelevanceCmd {
    /// H[s], H[k], m_k and the power-law fit of a list of states (binary matrix rows or integer labels).
    Analyze(AnalyzeArgs),
    /// Discrete power-law fit of counts (one positive integer per line).
    Powerlaw(PowerlawArgs),
    /// The maximal-relevance bound curve at sample size M.
    Bound(BoundArgs),
}

/// The `dbn` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbnCmd {
    /// Train a deep belief network greedily (PCD-1) and save it with its layers' H[s], H[k].
    Train(DbnTrainArgs),
    /// The full analysis of paper 003: trained/untrained/shuffled networks, k-means, the bound,
    /// generation from each layer scored by a digit classifier.
    Analyze(DbnAnalyzeArgs),
}

/// Runs a `relevance` subcommand.
pub fn run_cmd(cmd: &RelevanceCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        RelevanceCmd::Analyze(a) => execute(a, ctx),
        RelevanceCmd::Powerlaw(a) => execute(a, ctx),
        RelevanceCmd::Bound(a) => execute(a, ctx),
    }
}

/// Runs a `dbn` subcommand.
pub fn run_dbn_cmd(cmd: &DbnCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        DbnCmd::Train(a) => execute(a, ctx),
        DbnCmd::Analyze(a) => execute(a, ctx),
    }
}

/// The power-law flags shared by `relevance analyze` and `relevance powerlaw`.
fn powerlaw_params(xmin: &str, min_tail: usize, bootstrap: usize) -> Result<PowerLawParams> {
    Ok(PowerLawParams {
        xmin: XminPolicy::from_flag(xmin, min_tail)?,
        bootstrap,
    })
}

/// `spinlearn relevance analyze FILE`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct AnalyzeArgs {
    /// States: a .npy/.npz/.txt matrix (one state per row, unit on when > threshold), a text
    /// file with one integer label per line, or a dataset name (`spinlearn data list`).
    pub file: PathBuf,
    /// Threshold for matrix entries.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub threshold: f32,
    /// Power-law cutoff: `auto` (KS) or an integer.
    #[arg(long, default_value = "auto")]
    pub xmin: String,
    /// Smallest tail for `--xmin auto`.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub min_tail: usize,
    /// Bootstrap replicates for the power-law p-value (0: none).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub bootstrap: usize,
}

impl Experiment for AnalyzeArgs {
    const KIND: &'static str = "relevance analyze";

    fn validate(&self) -> Result<()> {
        powerlaw_params(&self.xmin, self.min_tail, self.bootstrap)?.check()?;
        spinlearn_core::check::finite("threshold", f64::from(self.threshold))?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let pl = powerlaw_params(&self.xmin, self.min_tail, self.bootstrap)?.check()?;
        let ids = read_state_ids(&self.file.to_string_lossy(), self.threshold)?;
        let a = analyze_ids(&ids, 0, None, &pl, ctx.seed)?;
        Ok(figures::write_analysis(dir.path(), &a)?)
    }
}

/// `spinlearn relevance powerlaw FILE`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct PowerlawArgs {
    /// Counts: one positive integer per line.
    pub file: PathBuf,
    /// Cutoff: `auto` (KS distance) or an integer.
    #[arg(long, default_value = "auto")]
    pub xmin: String,
    /// Smallest tail for `--xmin auto`.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub min_tail: usize,
    /// Bootstrap replicates for the goodness-of-fit p-value (0: none).
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub bootstrap: usize,
}

impl Experiment for PowerlawArgs {
    const KIND: &'static str = "relevance powerlaw";

    fn validate(&self) -> Result<()> {
        powerlaw_params(&self.xmin, self.min_tail, self.bootstrap)?.check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let pl = powerlaw_params(&self.xmin, self.min_tail, self.bootstrap)?.check()?;
        let counts = read_counts(&self.file)?;
        let f = fit(&counts, &pl, ctx.seed)?;
        Ok(figures::write_powerlaw(
            dir.path(),
            &f,
            &tail_ccdf(&counts, &f),
        )?)
    }
}

/// `spinlearn relevance bound --m M`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct BoundArgs {
    /// Sample size M.
    #[arg(long = "m", value_name = "M", allow_negative_numbers = true)]
    pub m: u64,
    /// Multipliers mu in the sweep.
    #[arg(long, default_value_t = 61, allow_negative_numbers = true)]
    pub points: usize,
}

impl BoundArgs {
    fn params(&self) -> BoundParams {
        BoundParams {
            m: self.m,
            points: self.points,
        }
    }
}

impl Experiment for BoundArgs {
    const KIND: &'static str = "relevance bound";

    fn validate(&self) -> Result<()> {
        self.params().check()?;
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let p = self.params().check()?;
        let t = std::time::Instant::now();
        let pts = bound::sweep(&p)?;
        let secs = t.elapsed().as_secs_f64();
        Ok(figures::write_bound(dir.path(), p.m(), &pts, secs)?)
    }
}

/// `--epoch-unit`, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EpochUnitArg {
    /// One parameter update on one mini-batch (003 Text S1).
    Update,
    /// One pass over the data.
    Pass,
}

/// Network flags shared by `dbn train` and `dbn analyze`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct NetArgs {
    /// Hidden widths, comma-separated (default: the paper's 500,250,120,60,30,25,20,15,10,5).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "500,250,120,60,30,25,20,15,10,5"
    )]
    pub widths: Vec<usize>,
    /// Epochs per layer (paper: 200), in units of --epoch-unit.
    #[arg(long, default_value_t = 200, allow_negative_numbers = true)]
    pub epochs: usize,
    /// What an epoch is: one parameter update on one batch (the paper's definition) or one pass
    /// over the data.
    #[arg(long, value_enum, default_value_t = EpochUnitArg::Update)]
    pub epoch_unit: EpochUnitArg,
    /// Learning rate (paper: 0.1).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub lr: f64,
    /// Mini-batch size (paper: 100).
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub batch_size: usize,
    /// Persistent chains.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub n_chains: usize,
    /// Read hidden states out by sampling P(h | v) instead of thresholding at 0.5.
    #[arg(long)]
    pub sampled_readout: bool,
}

impl NetArgs {
    fn params(&self) -> DbnParams {
        DbnParams {
            widths: self.widths.clone(),
            epochs: self.epochs,
            epoch_unit: match self.epoch_unit {
                EpochUnitArg::Update => EpochUnit::Update,
                EpochUnitArg::Pass => EpochUnit::Pass,
            },
            batch_size: self.batch_size,
            lr: self.lr,
            n_chains: self.n_chains,
            sampled_readout: self.sampled_readout,
            ..DbnParams::default()
        }
    }
}

/// DBN inputs: values in [0, 1] as stored, or binarized at `--threshold`.
fn load_unit_interval(data: &DataArgs) -> Result<Dataset> {
    data.load(|threshold| match threshold {
        Some(threshold) => Values::Binary {
            threshold,
            encoding: Units::Bit,
        },
        None => Values::UnitInterval,
    })
}

/// `spinlearn dbn train`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct DbnTrainArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub net: NetArgs,
}

impl Experiment for DbnTrainArgs {
    const KIND: &'static str = "dbn train";

    fn validate(&self) -> Result<()> {
        self.net.params().check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = load_unit_interval(&self.data)?;
        let p = self.net.params().check()?;
        let pl = PowerLawParams::default().check()?;
        let samples = Samples {
            data: ds.data.view(),
            labels: ds.labels.as_deref(),
        };
        let (dbn, net) = train_and_analyze(samples, &p, &pl, ctx.seed, &mut ctx.progress())?;
        Ok(figures::write_trained(
            dir.path(),
            &dbn,
            ds.n_samples(),
            &net,
        )?)
    }
}

/// `spinlearn dbn analyze`: the full experiment of paper 003.
#[derive(Debug, Clone, Args, Serialize)]
pub struct DbnAnalyzeArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub net: NetArgs,
    /// A trained network (model.npz of `dbn train`) instead of training one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Widths of the contrast architecture (deep, not narrowing), comma-separated; `none` to skip.
    #[arg(long, default_value = "500,500,500,500,500,500,500,500,500,500")]
    pub contrast_widths: String,
    /// Skip the shuffled-pixel control.
    #[arg(long)]
    pub no_shuffled: bool,
    /// Realizations of the trained DBN for ensemble means and standard errors (paper: 12).
    #[arg(long, default_value_t = 1)]
    pub ensembles: usize,
    /// K values of the k-means baseline, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "4,16,64,256,1024,4096,16384"
    )]
    pub kmeans_ks: Vec<usize>,
    /// k-means restarts.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    pub kmeans_restarts: usize,
    /// Samples generated per layer (0: no generation).
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub n_generate: usize,
    /// Gibbs steps per generation (paper: 10,000).
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub gibbs_steps: usize,
    /// Down pass of generation: `mean-field` (each layer gets P(v = 1 | h) of the layer above)
    /// or `sampled` (ancestral sampling at every layer).
    #[arg(long, default_value = "mean-field")]
    pub top_down: String,
    /// Classifier epochs.
    #[arg(long, default_value_t = 30, allow_negative_numbers = true)]
    pub classifier_epochs: usize,
    /// Bootstrap replicates for the per-layer power-law p-values (0: none).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub bootstrap: usize,
}

impl DbnAnalyzeArgs {
    /// The experiment: the paper's setup ([`PipelineParams::default`]) with the flags applied.
    fn params(&self) -> Result<PipelineParams> {
        let d = PipelineParams::default();
        let contrast_widths = match self.contrast_widths.trim() {
            "none" => None,
            list => Some(
                list.split(',')
                    .map(|t| {
                        t.trim().parse::<usize>().map_err(|_| {
                            anyhow::anyhow!(
                                "invalid parameter `contrast_widths`: `{t}` is not a width"
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let top_down = match self.top_down.as_str() {
            "mean-field" => TopDown::MeanField,
            "sampled" => TopDown::Sampled,
            other => bail!(
                "invalid parameter `top_down`: must be `mean-field` or `sampled`, got `{other}`"
            ),
        };
        Ok(PipelineParams {
            dbn: self.net.params(),
            contrast_widths,
            shuffled: !self.no_shuffled,
            ensembles: self.ensembles,
            kmeans: KMeansSweepParams {
                ks: self.kmeans_ks.clone(),
                restarts: self.kmeans_restarts,
                ..d.kmeans
            },
            classifier: MlpParams {
                epochs: self.classifier_epochs,
                ..d.classifier
            },
            n_generate: self.n_generate,
            gibbs_steps: self.gibbs_steps,
            top_down,
            powerlaw: PowerLawParams {
                bootstrap: self.bootstrap,
                ..d.powerlaw
            },
            ..d
        })
    }
}

impl Experiment for DbnAnalyzeArgs {
    const KIND: &'static str = "dbn analyze";

    fn validate(&self) -> Result<()> {
        self.params()?.check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let p = self.params()?.check()?;
        let ds = load_unit_interval(&self.data)?;
        let labels = ds
            .labels
            .as_deref()
            .context("dbn analyze needs labelled data")?;
        let pretrained = self.model.as_deref().map(Dbn::load_npz).transpose()?;
        let r = run_pipeline(
            ds.data.view(),
            labels,
            ds.image_shape,
            &p,
            pretrained,
            ctx.seed,
            &mut ctx.progress(),
        )?;
        Ok(figures::write_pipeline(dir.path(), &r, ds.image_shape)?)
    }
}
