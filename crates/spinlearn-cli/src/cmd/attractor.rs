//! `spinlearn attractor simulate|theory|capacity-scan` (paper 001, double-well synapses). Glue
//! only: the simulation, theory and sweeps live in `spinlearn_attractor`.

use crate::common::{Ctx, Experiment, execute};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_attractor::experiments::{self, CapacityPoint};
use spinlearn_attractor::simulate::{SimParams, simulate};
use spinlearn_attractor::theory::{Theory, TheoryParams};
use spinlearn_attractor::{LearningRule, NetworkParams, SynapseParams};
use spinlearn_core::record::RunDir;
use spinlearn_plot::{LinePlot, Series, SeriesStyle};
use std::fmt::Write as _;

/// The model parameters shared by the attractor subcommands.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ModelArgs {
    /// Number of neurons N.
    #[arg(long = "n", default_value_t = 10_000)]
    pub n: usize,
    /// Connection probability c.
    #[arg(long = "c", default_value_t = 0.05)]
    pub c: f64,
    /// Coding level f (0.5 for the balanced rule).
    #[arg(long = "f", default_value_t = 0.5)]
    pub f: f64,
    /// Learning rule: balanced (eq. 5), tsodyks-feigelman (eq. 6), amit-fusi (eq. 7).
    #[arg(long, default_value = "balanced")]
    pub rule: String,
    /// Well depth r1 (decay rate).
    #[arg(long, default_value_t = 0.1)]
    pub r1: f64,
    /// Jump strength r2.
    #[arg(long, default_value_t = 1.0)]
    pub r2: f64,
    /// Noise strength r3.
    #[arg(long, default_value_t = 0.0)]
    pub r3: f64,
    /// Well position C (minima at ±C; 0 = single well).
    #[arg(long = "c-well", alias = "C", default_value_t = 2.7)]
    pub c_well: f64,
    /// Neuronal threshold θ.
    #[arg(long, default_value_t = 0.0)]
    pub theta: f64,
}

impl ModelArgs {
    fn synapse(&self) -> SynapseParams {
        SynapseParams {
            r1: self.r1,
            r2: self.r2,
            r3: self.r3,
            c_well: self.c_well,
        }
    }

    fn network(&self) -> Result<NetworkParams> {
        let rule: LearningRule = self.rule.parse()?;
        let p = NetworkParams {
            n: self.n,
            c: self.c,
            f: self.f,
            rule,
            synapse: self.synapse(),
            theta: self.theta,
        };
        Ok(p.check()?)
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
    #[arg(long, default_value_t = 40)]
    pub patterns: usize,
    /// Presentations before the tested ones (default: max(2·patterns, 5/r1)).
    #[arg(long)]
    pub burn_in: Option<usize>,
    /// Independent realizations.
    #[arg(long, default_value_t = 1)]
    pub realizations: usize,
    /// Retrieval threshold on m_v.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Cap on sweeps of the dynamics per retrieval.
    #[arg(long, default_value_t = 100)]
    pub max_sweeps: usize,
}

impl SimulateArgs {
    fn params(&self) -> Result<SimParams> {
        let p = SimParams {
            network: self.model.network()?,
            ages: self.patterns,
            burn_in: self.burn_in,
            realizations: self.realizations,
            threshold: self.threshold,
            max_sweeps: self.max_sweeps,
            ..SimParams::default()
        };
        Ok(p.check()?)
    }
}

impl Experiment for SimulateArgs {
    const KIND: &'static str = "attractor simulate";

    fn validate(&self) -> Result<()> {
        self.params().map(|_| ())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let p = self.params()?;
        let mut bar = ctx.progress();
        let r = simulate(&p, ctx.seed, &mut bar)?;
        drop(bar);
        let mut csv = String::from("age,m_v_mean,m_v_std,m_u_mean\n");
        for a in 0..p.ages {
            writeln!(
                csv,
                "{a},{},{},{}",
                r.m_v_mean[a], r.m_v_std[a], r.m_u_mean[a]
            )?;
        }
        std::fs::write(dir.file("overlaps.csv"), csv).context("writing overlaps.csv")?;
        spinlearn_core::record::write_json(&dir.file("realizations.json"), &r.realizations)?;
        let ages: Vec<f64> = (0..p.ages).map(|a| a as f64).collect();
        LinePlot::new("Retrieval overlap by age (simulation)", "age u - v", "m")
            .with(
                Series::points("m_v", ages.clone(), r.m_v_mean.clone())
                    .with_err(r.m_v_std.clone())
                    .with_style(SeriesStyle::LinePoints),
            )
            .with(Series::line("m_u", ages, r.m_u_mean.clone()).with_style(SeriesStyle::Dashed))
            .save(&dir.file("overlaps"))?;
        Ok(json!({
            "capacity": r.capacity_mean,
            "capacity_std": r.capacity_std,
            "capacity_count": r.count_mean,
            "capacity_count_std": r.count_std,
            "censored": r.realizations.iter().any(|x| x.censored),
            "burn_in": r.burn_in,
            "cycles": r.realizations.iter().map(|x| x.cycles).sum::<usize>(),
            "unconverged": r.realizations.iter().map(|x| x.unconverged).sum::<usize>(),
        }))
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
    #[arg(long, default_value_t = 2000)]
    pub max_age: usize,
    /// Initial perturbation m_u = ε of the overlap map.
    #[arg(long, default_value_t = 0.05)]
    pub eps: f64,
    /// Retrieval threshold on m_v.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Grid cells per jump r2.
    #[arg(long, default_value_t = 20)]
    pub cells_per_r2: usize,
}

impl TheoryArgs {
    fn params(&self) -> Result<TheoryParams> {
        let net = self.model.network()?;
        anyhow::ensure!(
            net.rule == LearningRule::Balanced && (net.f - 0.5).abs() < 1e-12 && net.theta == 0.0,
            "the mean-field theory covers the balanced case only (rule balanced, f = 0.5, theta = 0)"
        );
        let mut p = TheoryParams {
            synapse: net.synapse,
            n: net.n,
            c: net.c,
            eps: self.eps,
            threshold: self.threshold,
            ..TheoryParams::default()
        };
        p.grid.cells_per_r2 = self.cells_per_r2;
        Ok(p)
    }
}

impl Experiment for TheoryArgs {
    const KIND: &'static str = "attractor theory";

    fn validate(&self) -> Result<()> {
        self.params().map(|_| ())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let th = Theory::new(&self.params()?)?;
        let cap = th.capacity(self.max_age);
        let (mean, rms) = th.stationary_moments();
        let mut csv = String::from(
            "age,m_v,m_u,converged,mean_plus,rms_plus,mean_pp,mean_pm,rms_pp,rms_pm\n",
        );
        for o in &cap.overlaps {
            let m = &o.moments;
            writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{}",
                o.age,
                o.m_v,
                o.m_u,
                o.converged,
                m.mean_plus,
                m.rms_plus,
                m.mean_pp,
                m.mean_pm,
                m.rms_pp,
                m.rms_pm
            )?;
        }
        std::fs::write(dir.file("overlaps.csv"), csv).context("writing overlaps.csv")?;
        let g = &th.stationary;
        let mut dens = String::from("J,mass\n");
        for (k, m) in g.mass.iter().enumerate() {
            if *m > 0.0 {
                writeln!(dens, "{},{}", g.x(k), m)?;
            }
        }
        std::fs::write(dir.file("stationary_density.csv"), dens)
            .context("writing stationary_density.csv")?;
        let ages: Vec<f64> = cap.overlaps.iter().map(|o| o.age as f64).collect();
        LinePlot::new(
            "Retrieval overlap by age (mean-field theory)",
            "age u - v",
            "m",
        )
        .with(Series::line(
            "m_v",
            ages.clone(),
            cap.overlaps.iter().map(|o| o.m_v).collect(),
        ))
        .with(
            Series::line("m_u", ages, cap.overlaps.iter().map(|o| o.m_u).collect())
                .with_style(SeriesStyle::Dashed),
        )
        .save(&dir.file("overlaps"))?;
        Ok(json!({
            "capacity": cap.capacity,
            "censored": cap.censored,
            "stationary_mean": mean,
            "stationary_rms": rms,
            "markov_q": th.markov_transition_probability(),
            "grid_cells": th.evolution.cells(),
        }))
    }
}

/// What a capacity scan sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sweep {
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
    pub sweep: Sweep,
    /// Comma-separated values of the swept parameter.
    #[arg(long, default_value = "0,0.5,1,1.5,2,2.5,3,3.5,4")]
    pub values: String,
    /// Simulate instead of using the theory.
    #[arg(long)]
    pub sim: bool,
    /// Realizations per point (with --sim).
    #[arg(long, default_value_t = 1)]
    pub realizations: usize,
    /// Ages tested per point (with --sim) or largest age (theory).
    #[arg(long, default_value_t = 200)]
    pub max_age: usize,
}

impl ScanArgs {
    fn points(&self) -> Result<Vec<(usize, SynapseParams)>> {
        let base = self.model.synapse();
        self.values
            .split(',')
            .map(|v| {
                let x: f64 = v.trim().parse().with_context(|| {
                    format!("invalid parameter `values`: {v:?} is not a number")
                })?;
                let mut s = base;
                let mut n = self.model.n;
                match self.sweep {
                    Sweep::C => s.c_well = x,
                    Sweep::R1 => s.r1 = x,
                    Sweep::N => {
                        anyhow::ensure!(
                            x >= 2.0 && x.fract() == 0.0,
                            "invalid parameter `values`: N must be an integer >= 2, got {x}"
                        );
                        n = x as usize;
                    }
                }
                NetworkParams {
                    n,
                    synapse: s,
                    ..self.model.network()?
                }
                .check()?;
                Ok((n, s))
            })
            .collect()
    }
}

impl Experiment for ScanArgs {
    const KIND: &'static str = "attractor capacity-scan";

    fn validate(&self) -> Result<()> {
        self.model.network()?;
        anyhow::ensure!(
            !self.values.trim().is_empty(),
            "invalid parameter `values`: empty list"
        );
        self.points().map(|_| ())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let pts = self.points()?;
        let res: Vec<CapacityPoint> = if self.sim {
            let base = SimParams {
                network: self.model.network()?,
                ages: self.max_age,
                realizations: self.realizations,
                ..SimParams::default()
            };
            experiments::sim_scan(&base, &pts, ctx.seed)?
        } else {
            let tp = TheoryParams {
                n: self.model.n,
                c: self.model.c,
                ..TheoryParams::default()
            };
            experiments::theory_scan(&tp, &pts, self.max_age)?
        };
        let x: Vec<f64> = res
            .iter()
            .map(|p| match self.sweep {
                Sweep::C => p.c_well,
                Sweep::N => p.n as f64,
                Sweep::R1 => p.r1,
            })
            .collect();
        let mut csv = String::from("n,r1,c_well,r3,capacity,capacity_std\n");
        for p in &res {
            writeln!(
                csv,
                "{},{},{},{},{},{}",
                p.n, p.r1, p.c_well, p.r3, p.capacity, p.capacity_std
            )?;
        }
        std::fs::write(dir.file("scan.csv"), csv).context("writing scan.csv")?;
        let name = match self.sweep {
            Sweep::C => "C",
            Sweep::N => "N",
            Sweep::R1 => "r1",
        };
        let mut plot = LinePlot::new(format!("Capacity against {name}"), name, "capacity p").with(
            Series::points(
                if self.sim { "simulation" } else { "theory" },
                x.clone(),
                res.iter().map(|p| p.capacity).collect(),
            )
            .with_err(res.iter().map(|p| p.capacity_std).collect())
            .with_style(SeriesStyle::LinePoints),
        );
        plot.log_x = self.sweep == Sweep::N;
        plot.save(&dir.file("capacity"))?;
        Ok(json!({
            "sweep": name,
            "method": if self.sim { "simulation" } else { "theory" },
            "values": x,
            "capacity": res.iter().map(|p| p.capacity).collect::<Vec<_>>(),
            "capacity_std": res.iter().map(|p| p.capacity_std).collect::<Vec<_>>(),
        }))
    }
}
