//! `spinlearn bp learn|sweep`: the one-bit RBM with ternary synapses learned by message passing
//! (paper 000). Glue only: the learner and the sweeps live in `spinlearn-bp`, the figures and
//! output files in `spinlearn_reproduce::zero_synapses::figures`.

use crate::common::{Ctx, DataArgs, Experiment, execute};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use spinlearn_bp::spins::{self, NeuronAxis, RetinaParams};
use spinlearn_bp::{BpParams, SizeSweepParams, learn_sample, size_sweep};
use spinlearn_core::ParamGuard;
use spinlearn_core::record::RunDir;
use spinlearn_data::Dataset;
use spinlearn_reproduce::zero_synapses::figures;
use std::path::PathBuf;

/// The `bp` subcommands.
#[derive(Debug, Subcommand)]
pub enum BpCmd {
    /// Learn one ternary feature from ±1 data: marginals, MPM feature map, rho, m_cav.
    Learn(LearnArgs),
    /// rho and m_cav against the data size M over random selections (paper 000, Figs. 1, 2, 4).
    Sweep(SweepArgs),
}

/// Runs a `bp` subcommand.
pub fn run_cmd(cmd: &BpCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        BpCmd::Learn(a) => execute(a, ctx),
        BpCmd::Sweep(a) => execute(a, ctx),
    }
}

/// The learner's flags, shared by `learn` and `sweep`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct LearnerArgs {
    /// Inverse temperature beta of eq. (1).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub beta: f64,
    /// Damping d in [0, 1): m <- d m_old + (1 - d) m_new.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub damping: f64,
    /// Convergence tolerance on max |m_new - m_old| per sweep.
    #[arg(long, default_value_t = 1e-6, allow_negative_numbers = true)]
    pub tol: f64,
    /// Iteration cap (sweeps).
    #[arg(long, default_value_t = 2000, allow_negative_numbers = true)]
    pub max_iter: usize,
}

impl LearnerArgs {
    fn params(&self) -> BpParams {
        BpParams {
            beta: self.beta,
            damping: self.damping,
            tol: self.tol,
            max_iter: self.max_iter,
            ..BpParams::default()
        }
    }
}

/// Checks the selection flags: `--digits` parses and `--threshold` lies in [0, 1).
fn check_data(data: &DataArgs) -> Result<()> {
    if let Some(t) = data.threshold {
        anyhow::ensure!(
            (0.0..1.0).contains(&t),
            "invalid parameter `threshold`: must lie in [0, 1), got {t}"
        );
    }
    data.selection(spins::spin_values)?;
    Ok(())
}

/// `spinlearn bp learn`: one run of message passing on `--m` random samples.
#[derive(Debug, Clone, Args, Serialize)]
pub struct LearnArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    /// Number of samples M drawn at random from the data (default: all of them).
    #[arg(long = "m", value_name = "M", allow_negative_numbers = true)]
    pub m: Option<usize>,
    #[command(flatten)]
    #[serde(flatten)]
    pub learner: LearnerArgs,
}

impl Experiment for LearnArgs {
    const KIND: &'static str = "bp learn";

    fn validate(&self) -> Result<()> {
        check_data(&self.data)?;
        self.learner.params().check()?;
        if let Some(m) = self.m {
            anyhow::ensure!(m > 0, "invalid parameter `m`: must be at least 1, got 0");
        }
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = self.data.load(spins::spin_values)?;
        let params = self.learner.params().check()?;
        let r = learn_sample(&ds, self.m, &params, ctx.seed, &mut ctx.progress())
            .with_context(|| format!("dataset `{}` has {} samples", ds.name, ds.n_samples()))?;
        if !r.converged {
            ctx.say(format!(
                "warning: message passing did not converge in {} sweeps (residual {:.2e}); figures are the last iterate's",
                r.iterations, r.residual
            ));
        }
        Ok(figures::learn_outputs(
            dir.path(),
            &ds.name,
            ds.image_shape,
            &r,
        )?)
    }
}

/// Which axis of a raster indexes neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AxisArg {
    /// Rows are neurons, columns time bins.
    Rows,
    /// Columns are neurons, rows time bins.
    Cols,
}

/// `spinlearn bp sweep`: rho, m_cav (mean ± std over selections) against M.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SweepArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    /// A spike raster (.npy or text, 0/1) to learn from instead of --data (retinal activity).
    #[arg(long, value_name = "FILE", conflicts_with = "synthetic_retina")]
    pub raster: Option<PathBuf>,
    /// Which axis of --raster indexes neurons.
    #[arg(long, value_enum, default_value = "rows")]
    pub neurons: AxisArg,
    /// Learn from the SYNTHETIC retina stand-in (160 neurons, Ising model, sparse firing).
    #[arg(long)]
    pub synthetic_retina: bool,
    /// Data sizes M, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "4,8,16,32,64,128,256,512,1024"
    )]
    pub sizes: Vec<usize>,
    /// Random selections per size.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub selections: usize,
    #[command(flatten)]
    #[serde(flatten)]
    pub learner: LearnerArgs,
}

impl SweepArgs {
    fn params(&self) -> SizeSweepParams {
        SizeSweepParams {
            sizes: self.sizes.clone(),
            selections: self.selections,
            learner: self.learner.params(),
        }
    }

    /// The sample pool: a raster, the synthetic retina or the selected dataset, as ±1 spins.
    fn pool(&self, ctx: &Ctx) -> Result<(Dataset, String)> {
        if let Some(path) = &self.raster {
            let axis = match self.neurons {
                AxisArg::Rows => NeuronAxis::Rows,
                AxisArg::Cols => NeuronAxis::Cols,
            };
            let raster = spinlearn_data::open(&path.to_string_lossy(), None)?;
            let pool = spins::raster_samples(raster, axis)?;
            Ok((pool, format!("raster {}", path.display())))
        } else if self.synthetic_retina {
            let p = RetinaParams::default().check()?;
            let pool = spins::synthetic_retina(&p, ctx.seed.named("retina"))?;
            Ok((
                pool,
                "SYNTHETIC retina stand-in (160-neuron Ising model)".to_string(),
            ))
        } else {
            let pool = self.data.load(spins::spin_values)?;
            let name = pool.name.clone();
            Ok((pool, name))
        }
    }
}

impl Experiment for SweepArgs {
    const KIND: &'static str = "bp sweep";

    fn validate(&self) -> Result<()> {
        check_data(&self.data)?;
        self.params().check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let (pool, name) = self.pool(ctx)?;
        let params = self.params().check()?;
        let sweep = size_sweep(&pool, &params, ctx.seed, &mut ctx.progress())?;
        anyhow::ensure!(
            !sweep.points.is_empty(),
            "invalid parameter `sizes`: every size exceeds the {} samples available",
            pool.n_samples()
        );
        if !sweep.skipped.is_empty() {
            ctx.say(format!(
                "skipped sizes larger than the {} samples: {:?}",
                pool.n_samples(),
                sweep.skipped
            ));
        }
        Ok(figures::sweep_outputs(
            dir.path(),
            &name,
            self.learner.beta,
            pool.image_shape,
            &sweep,
        )?)
    }
}
