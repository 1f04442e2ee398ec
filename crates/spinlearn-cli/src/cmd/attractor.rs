//! `spinlearn attractor simulate|theory|capacity-scan` (paper 001, double-well synapses). Glue
//! only: flags -> checked params of `spinlearn_attractor` -> one library call -> the files of
//! `spinlearn_reproduce::double_well::figures`.

use crate::common::{Ctx, Experiment, execute};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use spinlearn_attractor::experiments::{CapacityScanParams, ScanMethod, Sweep, capacity_scan};
use spinlearn_attractor::network::WeightView;
use spinlearn_attractor::simulate::{SimParams, simulate};
use spinlearn_attractor::theory::{FieldVariance, RetrievalTiming, Theory, TheoryParams};
use spinlearn_attractor::{LearningRule, NetworkParams, SynapseParams};
use spinlearn_core::ParamGuard;
use spinlearn_core::record::RunDir;
use spinlearn_reproduce::double_well::figures;

/// The model parameters shared by the attractor subcommands.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ModelArgs {
    /// Number of neurons N.
    #[arg(long = "n", default_value_t = 10_000, allow_negative_numbers = true)]
    pub n: usize,
    /// Connection probability c.
    #[arg(long = "c", default_value_t = 0.05, allow_negative_numbers = true)]
    pub c: f64,
    /// Coding level f (0.5 for the balanced rule).
    #[arg(long = "f", default_value_t = 0.5, allow_negative_numbers = true)]
    pub f: f64,
    /// Learning rule: balanced (eq. 5), tsodyks-feigelman (eq. 6), amit-fusi (eq. 7).
    #[arg(long, default_value = "balanced")]
    pub rule: String,
    /// Well depth r1 (decay rate).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub r1: f64,
    /// Jump strength r2.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub r2: f64,
    /// Noise strength r3.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub r3: f64,
    /// Well position C (minima at ±C; 0 = single well).
    #[arg(
        long = "c-well",
        alias = "C",
        default_value_t = 2.7,
        allow_negative_numbers = true
    )]
    pub c_well: f64,
    /// Neuronal threshold θ.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub theta: f64,
}

impl ModelArgs {
    /// The network as plain params (checked by the command's params).
    fn network(&self) -> Result<NetworkParams> {
        let rule: LearningRule = self.rule.parse()?;
        Ok(NetworkParams {
            n: self.n,
            c: self.c,
            f: self.f,
            rule,
            synapse: SynapseParams {
                r1: self.r1,
                r2: self.r2,
                r3: self.r3,
                c_well: self.c_well,
            },
            theta: self.theta,
        })
    }
}

/// The attractor subcommands.
#[derive(Debug, Subcommand)]
pub enum AttractorCmd {
    /// Simulate the network: overlaps m_v, m_u by age and the capacity over realizations.
    Simulate(SimulateArgs),
    /// Mean-field theory (balanced rule): overlaps by age, weight-density moments, capacity.
    Theory(TheoryArgs),
    /// Capacity against C, N or r1 (theory, or simulation with --sim), in parallel.
    CapacityScan(ScanArgs),
}

/// Runs an attractor subcommand.
pub fn run_cmd(cmd: &AttractorCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        AttractorCmd::Simulate(a) => execute(a, ctx),
        AttractorCmd::Theory(a) => execute(a, ctx),
        AttractorCmd::CapacityScan(a) => execute(a, ctx),
    }
}

/// `spinlearn attractor simulate`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SimulateArgs {
    /// Model parameters.
    #[command(flatten)]
    #[serde(flatten)]
    pub model: ModelArgs,
    /// Number of pattern ages tested (0..patterns−1).
    #[arg(long, default_value_t = 40, allow_negative_numbers = true)]
    pub patterns: usize,
    /// Presentations before the tested ones (default: max(2·patterns, 5/r1)).
    #[arg(long, allow_negative_numbers = true)]
    pub burn_in: Option<usize>,
    /// Independent realizations.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub realizations: usize,
    /// Retrieval threshold on m_v.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Cap on sweeps of the dynamics per retrieval.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub max_sweeps: usize,
    /// Run the dynamics on binarized weights sign(J) (eq. 12, Fig. 4A); learning stays analog.
    #[arg(long)]
    pub binarized: bool,
}

impl SimulateArgs {
    fn params(&self) -> Result<SimParams> {
        Ok(SimParams {
            network: self.model.network()?,
            patterns: self.patterns,
            burn_in: self.burn_in,
            realizations: self.realizations,
            threshold: self.threshold,
            max_sweeps: self.max_sweeps,
            view: if self.binarized {
                WeightView::Binarized
            } else {
                WeightView::Analog
            },
            ..SimParams::default()
        })
    }
}

impl Experiment for SimulateArgs {
    const KIND: &'static str = "attractor simulate";

    fn validate(&self) -> Result<()> {
        self.params()?.check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let p = self.params()?.check()?;
        let r = simulate(&p, ctx.seed, &mut ctx.progress())?;
        Ok(figures::simulation_outputs(dir.path(), &r)?)
    }
}

/// `spinlearn attractor theory`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct TheoryArgs {
    /// Model parameters (balanced rule, f = 0.5, θ = 0 only).
    #[command(flatten)]
    #[serde(flatten)]
    pub model: ModelArgs,
    /// Largest age computed.
    #[arg(long, default_value_t = 2000, allow_negative_numbers = true)]
    pub max_age: usize,
    /// Initial perturbation m_u = ε of the overlap map.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub eps: f64,
    /// Retrieval threshold on m_v (default: the paper's criterion m_v ≠ 0, numerically 0.01; the
    /// simulations use 0.5, which cuts the slowly decaying overlaps of small r1 early).
    #[arg(long, default_value_t = spinlearn_attractor::theory::THEORY_THRESHOLD, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Grid cells per jump r2.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    pub cells_per_r2: usize,
    /// Retrieve one decay step after the most recent presentation, as the authors' code does
    /// (default: right after its jump, eq. 33, as the simulation does).
    #[arg(long)]
    pub authors_timing: bool,
    /// Leave the most recent pattern's r2² term out of the field variance (eq. 34 as printed).
    #[arg(long)]
    pub without_recent_variance: bool,
}

impl TheoryArgs {
    fn params(&self) -> Result<TheoryParams> {
        spinlearn_core::check::nonzero("max_age", self.max_age)?;
        let mut p = TheoryParams {
            eps: self.eps,
            threshold: self.threshold,
            timing: if self.authors_timing {
                RetrievalTiming::AfterDecay
            } else {
                RetrievalTiming::AfterJump
            },
            variance: if self.without_recent_variance {
                FieldVariance::WithoutRecent
            } else {
                FieldVariance::Full
            },
            ..TheoryParams::for_network(&self.model.network()?)?
        };
        p.grid.cells_per_r2 = self.cells_per_r2;
        Ok(p)
    }
}

impl Experiment for TheoryArgs {
    const KIND: &'static str = "attractor theory";

    fn validate(&self) -> Result<()> {
        self.params()?.check()?;
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let th = Theory::new(&self.params()?.check()?)?;
        let cap = th.capacity(self.max_age);
        Ok(figures::theory_outputs(dir.path(), &th, &cap)?)
    }
}

/// What a capacity scan sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SweepArg {
    /// The well position C.
    C,
    /// The network size N.
    N,
    /// The well depth r1.
    R1,
}

/// `spinlearn attractor capacity-scan`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ScanArgs {
    /// Model parameters (the swept one is replaced by each value).
    #[command(flatten)]
    #[serde(flatten)]
    pub model: ModelArgs,
    /// The swept parameter.
    #[arg(long, value_enum, default_value = "c")]
    pub sweep: SweepArg,
    /// Comma-separated values of the swept parameter.
    #[arg(long, default_value = "0,0.5,1,1.5,2,2.5,3,3.5,4")]
    pub values: String,
    /// Simulate instead of using the theory.
    #[arg(long)]
    pub sim: bool,
    /// Realizations per point (with --sim).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub realizations: usize,
    /// Ages tested per point (with --sim) or largest age (theory).
    #[arg(long, default_value_t = 200, allow_negative_numbers = true)]
    pub max_age: usize,
}

impl ScanArgs {
    fn params(&self) -> Result<CapacityScanParams> {
        let values = self
            .values
            .split(',')
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .with_context(|| format!("invalid parameter `values`: {v:?} is not a number"))
            })
            .collect::<Result<Vec<f64>>>()?;
        Ok(CapacityScanParams {
            network: self.model.network()?,
            sweep: match self.sweep {
                SweepArg::C => Sweep::CWell,
                SweepArg::N => Sweep::N,
                SweepArg::R1 => Sweep::R1,
            },
            values,
            method: if self.sim {
                ScanMethod::Simulation
            } else {
                ScanMethod::Theory
            },
            max_age: self.max_age,
            realizations: self.realizations,
        })
    }
}

impl Experiment for ScanArgs {
    const KIND: &'static str = "attractor capacity-scan";

    fn validate(&self) -> Result<()> {
        self.params()?.check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let p = self.params()?.check()?;
        let points = capacity_scan(&p, ctx.seed, &mut ctx.progress())?;
        Ok(figures::scan_outputs(
            dir.path(),
            p.sweep(),
            p.method(),
            &points,
        )?)
    }
}
