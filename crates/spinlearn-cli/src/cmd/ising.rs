//! `spinlearn ising mean-field|mc|activation`: the activation function as a mean-field Ising model
//! (paper 002) and the 2D lattice check. Glue only: the science lives in `spinlearn-ising`; this
//! parses flags, calls it, draws figures and writes files. The figure builders here are shared with
//! `reproduce ising-activation`.

use crate::common::{Ctx, Experiment, execute};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::{Map, Value, json};
use spinlearn_core::record::{RunDir, write_atomic};
use spinlearn_ising::experiments::{
    ActivationParams, ActivationResult, LatticeSweep, activation_experiment,
};
use spinlearn_ising::mc::{Algorithm, McParams, Start, simulate};
use spinlearn_ising::{CurieWeiss, MeanFieldSolution, onsager};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::fmt::Write as _;
use std::path::Path;

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
        // F(m) with the solutions marked.
        let ms: Vec<f64> = (0..=400).map(|i| -1.0 + i as f64 / 200.0).collect();
        let fs: Vec<f64> = ms.iter().map(|&m| cw.free_energy(m)).collect();
        let mut plot = LinePlot::new(
            format!(
                "Mean-field free energy, T = {}, Tc = {}, h = {}",
                self.t, self.tc, self.h
            ),
            "m",
            "F(m) per spin",
        )
        .with(Series::line("F(m)", ms, fs));
        let (st, un): (Vec<&MeanFieldSolution>, Vec<&MeanFieldSolution>) =
            sols.iter().partition(|s| s.stable);
        if !st.is_empty() {
            plot = plot.with(Series::points(
                "stable",
                st.iter().map(|s| s.m).collect(),
                st.iter().map(|s| s.free_energy).collect(),
            ));
        }
        if !un.is_empty() {
            plot = plot.with(Series::points(
                "unstable",
                un.iter().map(|s| s.m).collect(),
                un.iter().map(|s| s.free_energy).collect(),
            ));
        }
        plot.save(&dir.file("free_energy"))?;
        Ok(json!({
            "t": self.t,
            "tc": self.tc,
            "h": self.h,
            "solutions": sols.iter().map(|s| json!({
                "m": s.m,
                "stable": s.stable,
                "free_energy": s.free_energy,
                "global": s.global,
                "curvature": s.curvature,
                "susceptibility": s.susceptibility,
            })).collect::<Vec<_>>(),
        }))
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

/// `spinlearn ising mc --l L --t T [--algorithm wolff|metropolis]`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct McArgs {
    /// Side length L of the periodic square lattice.
    #[arg(long)]
    pub l: usize,
    /// Temperature T > 0 (J = k_B = 1; exact Tc = 2.269).
    #[arg(long, allow_negative_numbers = true)]
    pub t: f64,
    /// External field h (Metropolis only).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub h: f64,
    /// Update algorithm.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Wolff)]
    pub algorithm: AlgorithmArg,
    /// Thermalization sweeps (a Wolff sweep flips about L^2 spins).
    #[arg(long, default_value_t = 500)]
    pub therm: usize,
    /// Measured sweeps (>= 64).
    #[arg(long, default_value_t = 5000)]
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
            },
            n_therm: self.therm,
            n_measure: self.sweeps,
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
        let mut progress = ctx.progress();
        let therm = self.therm;
        let mut obs = |r: &spinlearn_core::StepReport<'_>| {
            let step = if r.stage == "measure" {
                therm + r.step
            } else {
                r.step
            };
            let shifted = spinlearn_core::StepReport {
                step,
                total: Some(therm + self.sweeps),
                ..*r
            };
            spinlearn_core::Observer::observe(&mut progress, &shifted)
        };
        let r = simulate(&v, ctx.seed, &mut obs)?;
        drop(progress);
        let mut csv = String::from("sweep,m,e\n");
        for (i, (m, e)) in r.m_series.iter().zip(&r.e_series).enumerate() {
            let _ = writeln!(csv, "{},{m},{e}", i + 1);
        }
        write_atomic(&dir.file("series.csv"), csv.as_bytes())?;
        let n = r.m_series.len();
        LinePlot::new(
            format!("L = {}, T = {}, {}", self.l, self.t, r.algorithm.name()),
            "measured sweep",
            "m per spin",
        )
        .with(Series::line(
            "m",
            (1..=n).map(|i| i as f64).collect(),
            r.m_series.clone(),
        ))
        .save(&dir.file("magnetization_series"))?;
        if let Some(lat) = &r.final_lattice {
            lattice_image(
                lat,
                format!("Final configuration, L = {}, T = {}", self.l, self.t),
            )
            .save(&dir.file("lattice"))?;
        }
        Ok(json!({
            "l": self.l,
            "t": self.t,
            "h": self.h,
            "algorithm": r.algorithm.name(),
            "magnetization": r.magnetization.mean,
            "magnetization_err": r.magnetization.err,
            "energy": r.energy.mean,
            "energy_err": r.energy.err,
            "binder": r.binder.mean,
            "binder_err": r.binder.err,
            "susceptibility": r.susceptibility.mean,
            "susceptibility_err": r.susceptibility.err,
            "specific_heat": r.specific_heat.mean,
            "specific_heat_err": r.specific_heat.err,
            "tau_abs_m": r.tau_abs_m,
            "tau_energy": r.tau_energy,
            "acceptance": r.acceptance,
            "mean_cluster_fraction": r.mean_cluster_fraction,
            "clusters_per_sweep": r.clusters_per_sweep,
            "n_measured": r.n_measured,
            "stopped_early": r.stopped_early,
            "onsager_magnetization": if self.h == 0.0 { Some(onsager::magnetization(self.t)) } else { None },
            "onsager_energy": if self.h == 0.0 { Some(onsager::energy(self.t)) } else { None },
        }))
    }
}

/// `spinlearn ising activation`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ActivationArgs {
    /// Critical temperature (the paper's Tc = 1).
    #[arg(long, default_value_t = 1.0)]
    pub tc: f64,
    /// The branch and the fit cover T in (0, t_max].
    #[arg(long, default_value_t = 2.0)]
    pub t_max: f64,
    /// Temperatures on the branch.
    #[arg(long, default_value_t = 200)]
    pub n_t: usize,
    /// Smallest quench of the firing-rate curves.
    #[arg(long, default_value_t = -4.0, allow_negative_numbers = true)]
    pub q_min: f64,
    /// Largest quench of the firing-rate curves.
    #[arg(long, default_value_t = 4.0, allow_negative_numbers = true)]
    pub q_max: f64,
    /// Points on the firing-rate curves.
    #[arg(long, default_value_t = 161)]
    pub n_q: usize,
    /// Steepness a of the tanh integrated into the firing rate (the paper integrates a = 1).
    #[arg(long, default_value_t = 1.0)]
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
        let r = activation_experiment(&self.params())?;
        write_activation_outputs(&r, dir.path())?;
        Ok(activation_summary(&r))
    }
}

/// The activation experiment's summary (`fit.a`, `fit.residual_rms`, ...).
pub fn activation_summary(r: &ActivationResult) -> Value {
    json!({
        "fit": {
            "a": r.fit.a,
            "residual_rms": r.fit.residual_rms,
            "residual_max": r.fit.residual_max,
            "tc": r.fit.tc,
            "n_points": r.fit.n_points,
            "t_max": r.params.t_max,
        },
        "fit_shifted": {
            "a": r.fit_shifted.a,
            "b": r.fit_shifted.b,
            "residual_rms": r.fit_shifted.residual_rms,
        },
        "firing": {
            "a": r.firing.a,
            "max_quadrature_error": r.firing.max_quadrature_error,
            "tanh_rate_floor": r.firing.tanh_rate_floor,
        },
    })
}

/// Writes Figs. 1-2, the firing-rate figure and CSV tables of the curves into `dir`.
pub fn write_activation_outputs(r: &ActivationResult, dir: &Path) -> Result<()> {
    bifurcation_plot(r).save(&dir.join("bifurcation"))?;
    fit_plot(r).save(&dir.join("tanh_fit"))?;
    firing_plot(r).save(&dir.join("firing_rates"))?;
    let mut csv = String::from("t,m_branch,m_fit,m_fit_shifted\n");
    for (&t, &m) in r.branch_t.iter().zip(&r.branch_m) {
        let _ = writeln!(csv, "{t},{m},{},{}", r.fit.value(t), r.fit_shifted.value(t));
    }
    write_atomic(&dir.join("branch.csv"), csv.as_bytes())?;
    let f = &r.firing;
    let mut csv = String::from(
        "q,tanh_rate,tanh_rate_quadrature,logistic_rate,logistic_rate_quadrature,mean_field_rate,relu,softplus,elu,sigmoid,tanh\n",
    );
    for i in 0..f.q.len() {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{}",
            f.q[i],
            f.tanh_rate[i],
            f.tanh_rate_quadrature[i],
            f.logistic_rate[i],
            f.logistic_rate_quadrature[i],
            f.mean_field_rate[i],
            f.relu[i],
            f.softplus[i],
            f.elu[i],
            f.sigmoid[i],
            f.tanh[i]
        );
    }
    write_atomic(&dir.join("firing_rates.csv"), csv.as_bytes())
        .with_context(|| format!("{}: cannot write", dir.display()))?;
    Ok(())
}

/// Fig. 1: m against T, all branches, stable solid and unstable dashed.
pub fn bifurcation_plot(r: &ActivationResult) -> LinePlot {
    let (mut up, mut down, mut zero_st, mut zero_un) = (vec![], vec![], vec![], vec![]);
    for p in &r.bifurcation {
        for s in &p.solutions {
            let v = (p.t, s.m);
            if s.m > 1e-12 {
                up.push(v);
            } else if s.m < -1e-12 {
                down.push(v);
            } else if s.stable {
                zero_st.push(v);
            } else {
                zero_un.push(v);
            }
        }
    }
    let split = |v: Vec<(f64, f64)>| -> (Vec<f64>, Vec<f64>) { v.into_iter().unzip() };
    let mut plot = LinePlot::new(
        "Fig. 1: mean-field magnetization m = tanh(Tc m / T), Tc = 1",
        "T",
        "m",
    );
    for (label, pts, style) in [
        ("m > 0 (stable)", up, SeriesStyle::Line),
        ("m < 0 (stable)", down, SeriesStyle::Line),
        ("m = 0 (stable, T > Tc)", zero_st, SeriesStyle::Line),
        ("m = 0 (unstable, T < Tc)", zero_un, SeriesStyle::Dashed),
    ] {
        if !pts.is_empty() {
            let (x, y) = split(pts);
            plot = plot.with(Series::line(label, x, y).with_style(style));
        }
    }
    plot.vlines.push((r.params.tc, "Tc".into()));
    plot
}

/// Fig. 2: the firing branch with the fitted eq. (2).
pub fn fit_plot(r: &ActivationResult) -> LinePlot {
    let ts = r.branch_t.clone();
    let mut plot = LinePlot::new(
        format!(
            "Fig. 2: eq. (2): a = {:.3} (rms {:.3}); free b: a = {:.3}, b = {:.3} (rms {:.3})",
            r.fit.a,
            r.fit.residual_rms,
            r.fit_shifted.a,
            r.fit_shifted.b,
            r.fit_shifted.residual_rms
        ),
        "T (= -V)",
        "m",
    )
    .with(Series::line(
        "mean-field branch m >= 0",
        ts.clone(),
        r.branch_m.clone(),
    ))
    .with(
        Series::line(
            "1/2 - 1/2 tanh(a (T - Tc))",
            ts.clone(),
            ts.iter().map(|&t| r.fit.value(t)).collect(),
        )
        .with_style(SeriesStyle::Dashed),
    )
    .with(
        Series::line(
            "1/2 - 1/2 tanh(a (T - b Tc))",
            ts.clone(),
            ts.iter().map(|&t| r.fit_shifted.value(t)).collect(),
        )
        .with_style(SeriesStyle::Dashed),
    );
    plot.vlines.push((r.params.tc, "Tc".into()));
    plot
}

/// Section 2.4: firing rates against the quench, with the usual activations beside them.
pub fn firing_plot(r: &ActivationResult) -> LinePlot {
    let f = &r.firing;
    let q = f.q.clone();
    let mut plot = LinePlot::new(
        format!(
            "Firing rate over a quench Q (a = {}; max |closed form - quadrature| = {:.1e})",
            f.a, f.max_quadrature_error
        ),
        "Q",
        "rate / activation",
    )
    .with(Series::line(
        "∫₀^Q (1 + tanh t)/2 dt (closed form)",
        q.clone(),
        f.tanh_rate.clone(),
    ))
    .with(
        Series::points(
            "  same, quadrature",
            q.iter().step_by(8).copied().collect(),
            f.tanh_rate_quadrature.iter().step_by(8).copied().collect(),
        )
        .with_style(SeriesStyle::Points),
    )
    .with(Series::line(
        "∫₀^Q σ(t) dt = softplus(Q) - ln 2",
        q.clone(),
        f.logistic_rate.clone(),
    ))
    .with(Series::line(
        "∫₀^Q m_MF(Tc - t) dt",
        q.clone(),
        f.mean_field_rate.clone(),
    ))
    .with(Series::line("ReLU", q.clone(), f.relu.clone()).with_style(SeriesStyle::Dashed))
    .with(Series::line("softplus", q.clone(), f.softplus.clone()).with_style(SeriesStyle::Dashed))
    .with(Series::line("ELU (alpha = 1)", q.clone(), f.elu.clone()).with_style(SeriesStyle::Dashed))
    .with(Series::line("sigmoid", q.clone(), f.sigmoid.clone()).with_style(SeriesStyle::Dashed))
    .with(Series::line("tanh", q, f.tanh.clone()).with_style(SeriesStyle::Dashed));
    plot.hlines.push((f.tanh_rate_floor, "-ln2/(2a)".into()));
    plot
}

/// A temperature as a JSON key: 4 decimals, trailing zeros dropped.
pub fn t_key(t: f64) -> String {
    let s = format!("{t:.4}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// Lattice-check figures: m(T) per L with mean field and Onsager, Binder U(T), energy, specific
/// heat and susceptibility. Returns the stems written (without extension).
pub fn lattice_plots(sw: &LatticeSweep, dir: &Path) -> Result<Vec<&'static str>> {
    let ts = &sw.params.ts;
    let (t_lo, t_hi) = (ts[0], ts[ts.len() - 1]);
    let dense: Vec<f64> = (0..=400)
        .map(|i| 0.05 + (4.6 - 0.05) * i as f64 / 400.0)
        .collect();
    let mf: Vec<f64> = dense
        .iter()
        .map(|&t| {
            CurieWeiss::new(t, onsager::TC_MEAN_FIELD)
                .equilibrium()
                .map(|s| s.m)
        })
        .collect::<std::result::Result<_, _>>()?;
    let ons: Vec<f64> = dense.iter().map(|&t| onsager::magnetization(t)).collect();
    let mut mplot = LinePlot::new(
        "Square lattice: mean field vs Monte Carlo vs Onsager",
        "T",
        "<|m|>",
    )
    .with(Series::line("mean field (Tc = 4)", dense.clone(), mf).with_style(SeriesStyle::Dashed))
    .with(Series::line("Onsager (Tc = 2.269)", dense, ons));
    let per = |f: &dyn Fn(&spinlearn_ising::McResult) -> (f64, f64), title: &str, ylab: &str| {
        let mut p = LinePlot::new(title, "T", ylab);
        for &l in &sw.params.ls {
            let pts = sw.for_size(l);
            let (y, e): (Vec<f64>, Vec<f64>) = pts.iter().map(|r| f(r)).unzip();
            p = p.with(
                Series::points(format!("L = {l}"), pts.iter().map(|r| r.t).collect(), y)
                    .with_err(e)
                    .with_style(SeriesStyle::LinePoints),
            );
        }
        p.vlines.push((sw.tc_exact, "exact Tc".into()));
        p
    };
    for &l in &sw.params.ls {
        let pts = sw.for_size(l);
        mplot = mplot.with(
            Series::points(
                format!("MC L = {l}"),
                pts.iter().map(|r| r.t).collect(),
                pts.iter().map(|r| r.magnetization.mean).collect(),
            )
            .with_err(pts.iter().map(|r| r.magnetization.err).collect())
            .with_style(SeriesStyle::Points),
        );
    }
    mplot.vlines.push((sw.tc_exact, "exact Tc".into()));
    mplot
        .vlines
        .push((sw.tc_mean_field, "mean-field Tc".into()));
    mplot.x_range = Some((0.0, 4.6));
    mplot.save(&dir.join("lattice_magnetization"))?;
    let mut binder = per(
        &|r| (r.binder.mean, r.binder.err),
        "Binder cumulant",
        "U = 1 - <m^4>/(3<m^2>^2)",
    );
    if let Some(tc) = sw.tc_binder_crossing {
        binder.vlines.push((tc, "crossing".into()));
    }
    binder.x_range = Some((t_lo, t_hi));
    binder.save(&dir.join("lattice_binder"))?;
    // Zoom on the crossing: the points within 0.2 of the exact Tc.
    let near = |r: &&spinlearn_ising::McResult| (r.t - sw.tc_exact).abs() <= 0.2;
    let mut zoom = LinePlot::new("Binder cumulant near Tc", "T", "U = 1 - <m^4>/(3<m^2>^2)");
    for &l in &sw.params.ls {
        let pts: Vec<_> = sw.for_size(l).into_iter().filter(near).collect();
        zoom = zoom.with(
            Series::points(
                format!("L = {l}"),
                pts.iter().map(|r| r.t).collect(),
                pts.iter().map(|r| r.binder.mean).collect(),
            )
            .with_err(pts.iter().map(|r| r.binder.err).collect())
            .with_style(SeriesStyle::LinePoints),
        );
    }
    zoom.vlines.push((sw.tc_exact, "exact Tc".into()));
    zoom.save(&dir.join("lattice_binder_zoom"))?;
    per(
        &|r| (r.energy.mean, r.energy.err),
        "Energy per spin",
        "<E>/N",
    )
    .save(&dir.join("lattice_energy"))?;
    per(
        &|r| (r.specific_heat.mean, r.specific_heat.err),
        "Specific heat per spin",
        "C/N",
    )
    .save(&dir.join("lattice_specific_heat"))?;
    per(
        &|r| (r.susceptibility.mean, r.susceptibility.err),
        "Susceptibility per spin (from |m|)",
        "chi",
    )
    .save(&dir.join("lattice_susceptibility"))?;
    Ok(vec![
        "lattice_magnetization",
        "lattice_binder",
        "lattice_binder_zoom",
        "lattice_energy",
        "lattice_specific_heat",
        "lattice_susceptibility",
    ])
}

/// `mc.magnetization` of the summary: ⟨|m|⟩ keyed by T for the largest L.
pub fn magnetization_by_t(sw: &LatticeSweep) -> Value {
    let l = *sw.params.ls.last().unwrap_or(&0);
    let mut m = Map::new();
    for r in sw.for_size(l) {
        m.insert(t_key(r.t), json!(r.magnetization.mean));
    }
    Value::Object(m)
}

/// An image of a lattice configuration (white +1, black -1).
pub fn lattice_image(lat: &spinlearn_ising::Lattice, title: String) -> ImageGrid {
    let img: Vec<f32> = lat.spins().iter().map(|&s| f32::from(s)).collect();
    ImageGrid {
        title,
        range: (-1.0, 1.0),
        scale: (512 / lat.l() as u32).max(1),
        ..ImageGrid::new(vec![img], (lat.l(), lat.l()), 1)
    }
}
