//! `spinlearn ising mean-field|mc|activation`: the activation function as a mean-field Ising model
//! (paper 002) and the 2D lattice check. Glue only: flags -> checked params -> one call of
//! `spinlearn-ising` -> figures and tables from `spinlearn_reproduce::ising_activation::figures`.

use crate::common::{Ctx, Experiment, execute};
use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::ParamGuard;
use spinlearn_core::record::RunDir;
use spinlearn_ising::CurieWeiss;
use spinlearn_ising::experiments::{ActivationParams, activation_experiment};
use spinlearn_ising::mc::{Algorithm, McParams, Start, simulate};
use spinlearn_reproduce::ising_activation::figures;

/// The `ising` subcommands.
#[derive(Debug, Subcommand)]
pub enum IsingCmd {
    /// Every solution of the Curie-Weiss equation m = tanh((Tc m + h)/T) with stability and free energy.
    MeanField(MeanFieldArgs),
    /// 2D square-lattice Monte Carlo at one (L, T): |m|, energy, susceptibility, Binder cumulant.
    Mc(McArgs),
    /// The firing branch, its tanh fit (eq. 2) and the firing-rate curves (paper 002, Figs. 1-2).
    Activation(ActivationArgs),
}

/// Runs an `ising` subcommand.
pub fn run_cmd(cmd: &IsingCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        IsingCmd::MeanField(a) => execute(a, ctx),
        IsingCmd::Mc(a) => execute(a, ctx),
        IsingCmd::Activation(a) => execute(a, ctx),
    }
}

/// `spinlearn ising mean-field --t T [--h H] [--tc TC]`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct MeanFieldArgs {
    /// Temperature T > 0 (k_B = 1).
    #[arg(long, allow_negative_numbers = true)]
    pub t: f64,
    /// External field h.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub h: f64,
    /// Critical temperature Tc = zJ >= 0 (1 in the paper's Fig. 1; 4 for the square lattice).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub tc: f64,
}

impl MeanFieldArgs {
    fn model(&self) -> CurieWeiss {
        CurieWeiss::new(self.t, self.tc).with_field(self.h)
    }
}

impl Experiment for MeanFieldArgs {
    const KIND: &'static str = "ising mean-field";

    fn validate(&self) -> Result<()> {
        self.model().check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let cw = self.model();
        let sols = cw.solve()?;
        ctx.say(format!(
            "T = {}, Tc = {}, h = {}: {} solution(s)",
            self.t,
            self.tc,
            self.h,
            sols.len()
        ));
        for s in &sols {
            ctx.say(format!(
                "  m = {:+.12}  {}{}  F = {:.12}  F'' = {:+.4e}  chi = {:.6e}",
                s.m,
                if s.stable { "stable  " } else { "unstable" },
                if s.global { " (global)" } else { "         " },
                s.free_energy,
                s.curvature,
                s.susceptibility
            ));
        }
        figures::write_mean_field(&cw, &sols, dir.path())?;
        Ok(figures::mean_field_summary(&cw, &sols))
    }
}

/// Monte Carlo update, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlgorithmArg {
    /// Wolff single-cluster updates (zero field only).
    Wolff,
    /// Checkerboard Metropolis (even L).
    Metropolis,
    /// Multi-spin-coded checkerboard Metropolis, 64 spins a word (even L, zero field only).
    Multispin,
}

/// Initial configuration, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StartArg {
    /// All spins up.
    Cold,
    /// Random spins.
    Hot,
}

/// `spinlearn ising mc --l L --t T [--algorithm wolff|metropolis|multispin]`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct McArgs {
    /// Side length L of the periodic square lattice.
    #[arg(long, allow_negative_numbers = true)]
    pub l: usize,
    /// Temperature T > 0 (J = k_B = 1; exact Tc = 2.269).
    #[arg(long, allow_negative_numbers = true)]
    pub t: f64,
    /// External field h (metropolis only).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub h: f64,
    /// Update algorithm.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Wolff)]
    pub algorithm: AlgorithmArg,
    /// Thermalization sweeps (a Wolff sweep flips about L^2 spins).
    #[arg(long, default_value_t = 500, allow_negative_numbers = true)]
    pub therm: usize,
    /// Measured sweeps (>= 64).
    #[arg(long, default_value_t = 5000, allow_negative_numbers = true)]
    pub sweeps: usize,
    /// Initial configuration.
    #[arg(long, value_enum, default_value_t = StartArg::Cold)]
    pub start: StartArg,
}

impl McArgs {
    fn params(&self) -> McParams {
        McParams {
            l: self.l,
            t: self.t,
            h: self.h,
            algorithm: match self.algorithm {
                AlgorithmArg::Wolff => Algorithm::Wolff,
                AlgorithmArg::Metropolis => Algorithm::Metropolis,
                AlgorithmArg::Multispin => Algorithm::MultiSpin,
            },
            therm: self.therm,
            sweeps: self.sweeps,
            wolff_clusters: None,
            start: match self.start {
                StartArg::Cold => Start::Cold,
                StartArg::Hot => Start::Hot,
            },
            parallel: true,
        }
    }
}

impl Experiment for McArgs {
    const KIND: &'static str = "ising mc";

    fn validate(&self) -> Result<()> {
        self.params().check()?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let v = self.params().check()?;
        let r = simulate(&v, ctx.seed, &mut ctx.progress())?;
        figures::write_mc_outputs(&r, dir.path())?;
        Ok(figures::mc_summary(&r))
    }
}

/// `spinlearn ising activation`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ActivationArgs {
    /// Critical temperature (the paper's Tc = 1).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub tc: f64,
    /// The branch and the fit cover T in (0, t_max].
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub t_max: f64,
    /// Temperatures on the branch.
    #[arg(long, default_value_t = 200, allow_negative_numbers = true)]
    pub n_t: usize,
    /// Smallest quench of the firing-rate curves.
    #[arg(long, default_value_t = -4.0, allow_negative_numbers = true)]
    pub q_min: f64,
    /// Largest quench of the firing-rate curves.
    #[arg(long, default_value_t = 4.0, allow_negative_numbers = true)]
    pub q_max: f64,
    /// Points on the firing-rate curves.
    #[arg(long, default_value_t = 161, allow_negative_numbers = true)]
    pub n_q: usize,
    /// Steepness a of the tanh integrated into the firing rate (the paper integrates a = 1).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub rate_a: f64,
}

impl ActivationArgs {
    fn params(&self) -> ActivationParams {
        ActivationParams {
            tc: self.tc,
            t_max: self.t_max,
            n_t: self.n_t,
            q_min: self.q_min,
            q_max: self.q_max,
            n_q: self.n_q,
            rate_a: self.rate_a,
        }
    }
}

impl Experiment for ActivationArgs {
    const KIND: &'static str = "ising activation";

    fn validate(&self) -> Result<()> {
        self.params().check()?;
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let r = activation_experiment(&self.params().check()?)?;
        figures::write_activation_outputs(&r, dir.path())?;
        Ok(figures::activation_summary(&r))
    }
}
