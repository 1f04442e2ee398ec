//! Figures and data files of paper 001: the report section's figures (Figs. 1B-8) and the outputs
//! of the `spinlearn attractor` commands (overlap tables, densities, scans). Every file is written
//! atomically (tables through [`spinlearn_core::table`], figures by [`spinlearn_plot`]).

use std::path::Path;

use serde_json::{Value, json};
use spinlearn_attractor::experiments::{
    CapacityPoint, DilutionPoint, OptimalC, OverlapCurve, Robustness, Scaling, ScanMethod,
    SimScaling, SparseNoisePoint, SparseOptimum, Sweep,
};
use spinlearn_attractor::markov::{markov_snr, two_state_envelope};
use spinlearn_attractor::simulate::SimResult;
use spinlearn_attractor::theory::{Density, Theory, TheoryCapacity, eq10_capacity};
use spinlearn_core::record::write_json;
use spinlearn_core::table::{Cell, write_csv};
use spinlearn_plot::{LinePlot, Series, SeriesStyle};

use crate::Result;

/// `n` with thousands separators, as the report writes sizes (10,000).
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Saves `fig` at `stem` (PNG and SVG) and its data as `<stem>.csv` in long form: one row per
/// point, columns `series` (the legend text), the x-axis label, the y-axis label and `sd` (the
/// error bar, empty where the series has none). Guides are written too, under their legend text.
pub fn save_with_data(fig: &LinePlot, stem: &Path) -> Result<()> {
    fig.save(stem)?;
    let header = ["series", fig.x_label.as_str(), fig.y_label.as_str(), "sd"];
    let rows = fig.series.iter().flat_map(|s| {
        (0..s.x.len()).map(move |i| {
            vec![
                Cell::from(s.label.clone()),
                Cell::from(s.x[i]),
                Cell::from(s.y[i]),
                s.y_err
                    .as_ref()
                    .map_or(Cell::from(""), |e| Cell::from(e[i])),
            ]
        })
    });
    write_csv(&stem.with_extension("csv"), &header, rows)?;
    Ok(())
}

/// Fig. 1B: m_v against age, theory lines and simulation markers, one colour per r1; error bars
/// (sd over realizations) only when there are several realizations.
pub fn overlap_by_age(stem: &Path, n: usize, curves: &[OverlapCurve]) -> Result<()> {
    let mut fig = LinePlot::new(
        format!("Overlap by age, N = {} (Fig. 1B)", thousands(n)),
        "age u - v (patterns presented since)",
        "m_v",
    );
    for (k, c) in curves.iter().enumerate() {
        fig = fig.with(
            Series::line(
                format!("theory r1 = {}, C* = {}", c.r1, c.c_star),
                c.theory.iter().map(|x| x.age as f64).collect(),
                c.theory.iter().map(|x| x.m_v).collect(),
            )
            .with_color(k),
        );
        let ages = c.sim.m_v_mean.len();
        let mut sim = Series::points(
            format!("simulation r1 = {}", c.r1),
            (1..ages).map(|a| a as f64).collect(),
            c.sim.m_v_mean[1..].to_vec(),
        )
        .with_color(k);
        if c.sim.realizations.len() > 1 {
            sim = sim.with_err(c.sim.m_v_std[1..].to_vec());
        }
        fig = fig.with(sim);
    }
    save_with_data(&fig, stem)
}

/// Fig. 2A-B: theory capacity against C, one curve per r1.
pub fn capacity_vs_c(stem: &Path, n: usize, optima: &[OptimalC]) -> Result<()> {
    let mut fig = LinePlot::new(
        format!("Capacity against C, N = {} (Fig. 2A-B)", thousands(n)),
        "C (units of r2)",
        "capacity p (patterns)",
    );
    for (k, o) in optima.iter().enumerate() {
        fig = fig.with(
            Series::points(
                format!("r1 = {} (C* = {})", o.r1, o.c_star),
                o.curve.iter().map(|p| p.c_well).collect(),
                o.curve.iter().map(|p| p.capacity).collect(),
            )
            .with_style(SeriesStyle::LinePoints)
            .with_color(k),
        );
    }
    save_with_data(&fig, stem)
}

/// Fig. 2C: single-well capacity against N (semi-log), theory points and eq. (10) with `a_fit`.
pub fn single_well(stem: &Path, scans: &[(f64, Vec<CapacityPoint>)], a_fit: f64) -> Result<()> {
    let mut fig = LinePlot::new(
        "Single well (C = 0): capacity against N (Fig. 2C)",
        "N",
        "capacity p (patterns)",
    );
    fig.log_x = true;
    for (k, (r1, pts)) in scans.iter().enumerate() {
        fig = fig.with(
            Series::points(
                format!("theory r1 = {r1}"),
                pts.iter().map(|p| p.n as f64).collect(),
                pts.iter().map(|p| p.capacity).collect(),
            )
            .with_style(SeriesStyle::Points)
            .with_color(k),
        );
    }
    for (k, (r1, pts)) in scans.iter().enumerate() {
        fig = fig.with(
            Series::line(
                format!("eq. (10), r1 = {r1}"),
                pts.iter().map(|p| p.n as f64).collect(),
                pts.iter().map(|p| eq10_capacity(p.n, *r1, a_fit)).collect(),
            )
            .with_style(SeriesStyle::Dashed)
            .with_color(k),
        );
    }
    save_with_data(&fig, stem)
}

/// Fig. 2D: optimal capacity against N (log-log; solid C*, dashed C = 0) with a √N guide (grey
/// dotted, not data).
pub fn optimal_scaling(stem: &Path, scaling: &[Scaling], ns: &[usize]) -> Result<()> {
    let mut fig = LinePlot::new(
        "Optimal C: capacity against N (Fig. 2D)",
        "N",
        "capacity p* (patterns)",
    );
    fig.log_x = true;
    fig.log_y = true;
    for (k, sc) in scaling.iter().enumerate() {
        let nx: Vec<f64> = sc.ns.iter().map(|&n| n as f64).collect();
        fig = fig
            .with(
                Series::points(
                    format!("C*, r1 = {}", sc.r1),
                    nx.clone(),
                    sc.optimal.clone(),
                )
                .with_style(SeriesStyle::LinePoints)
                .with_color(k),
            )
            .with(
                Series::line(format!("C = 0, r1 = {}", sc.r1), nx, sc.single_well.clone())
                    .with_style(SeriesStyle::Dashed)
                    .with_color(k),
            );
    }
    fig = fig.with(
        Series::line(
            "guide: p = √N",
            ns.iter().map(|&n| n as f64).collect(),
            ns.iter().map(|&n| (n as f64).sqrt()).collect(),
        )
        .with_style(SeriesStyle::Guide),
    );
    save_with_data(&fig, stem)
}

/// Fig. 3A: C* against r1.
pub fn c_star(stem: &Path, n: usize, optima: &[OptimalC]) -> Result<()> {
    let fig = LinePlot::new(
        format!("Optimal C against r1, N = {} (Fig. 3A)", thousands(n)),
        "r1",
        "C* (units of r2)",
    )
    .with(
        Series::points(
            "theory",
            optima.iter().map(|o| o.r1).collect(),
            optima.iter().map(|o| o.c_star).collect(),
        )
        .with_style(SeriesStyle::LinePoints),
    );
    save_with_data(&fig, stem)
}

/// The spread over realizations of the exponent a of a simulated scaling (Fig. 3B error bars):
/// a is the least-squares slope of ln p on ln N, so with independent realizations at each N its
/// standard deviation is √(Σ_j w_j² (sd_j / p_j)²), w_j = (ln N_j − mean) / Σ (ln N − mean)²
/// (first order in sd/p). `None` with one realization, fewer than two N or a zero capacity.
pub fn exponent_spread(s: &SimScaling, realizations: usize) -> Option<f64> {
    if realizations < 2 || s.n.len() < 2 || s.capacity.iter().any(|&p| p <= 0.0) {
        return None;
    }
    let x: Vec<f64> = s.n.iter().map(|&n| (n as f64).ln()).collect();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let sxx: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    let var: f64 = x
        .iter()
        .zip(s.capacity.iter().zip(&s.capacity_std))
        .map(|(v, (p, sd))| ((v - mean) / sxx).powi(2) * (sd / p).powi(2))
        .sum();
    Some(var.sqrt())
}

/// Fig. 3B: the exponent a against r1, theory at C* and simulation markers (error bars: the
/// spread of [`exponent_spread`] when there are several realizations).
pub fn exponent(
    stem: &Path,
    theory: &[Scaling],
    sim: &[SimScaling],
    ns_sim: &[usize],
    realizations: usize,
) -> Result<()> {
    let mut markers = Series::points(
        format!(
            "simulation, C* of the theory, N = {}",
            ns_sim
                .iter()
                .map(|&n| thousands(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        sim.iter().map(|e| e.r1).collect(),
        sim.iter().map(|e| e.exponent.unwrap_or(f64::NAN)).collect(),
    )
    .with_style(SeriesStyle::Points)
    .with_color(1);
    if realizations > 1 {
        markers = markers.with_err(
            sim.iter()
                .map(|e| exponent_spread(e, realizations).unwrap_or(f64::NAN))
                .collect(),
        );
    }
    let fig = LinePlot::new("Exponent a of p* ~ N^a (Fig. 3B)", "r1", "a")
        .with(
            Series::points(
                "theory, C*",
                theory.iter().map(|e| e.r1).collect(),
                theory
                    .iter()
                    .map(|e| e.exponent.unwrap_or(f64::NAN))
                    .collect(),
            )
            .with_style(SeriesStyle::LinePoints)
            .with_color(0),
        )
        .with(markers);
    save_with_data(&fig, stem)
}

/// Fig. 4B: SNR of binarized double-well weights (eq. 14), of the matching Markov synapse, and the
/// two-state envelope (a bound, drawn as a guide), t = 0..=t_max.
pub fn snr(stem: &Path, th: &Theory, t_max: usize, c_star: f64, critical: f64) -> Result<()> {
    let p = th.params();
    let cn = p.c() * p.n() as f64;
    let q = th.markov_transition_probability();
    let ts: Vec<f64> = (0..=t_max).map(|t| t as f64).collect();
    let mut fig = LinePlot::new(
        format!(
            "SNR, r1 = {}, C = {c_star}, cN = {cn} (Fig. 4B)",
            p.synapse().r1()
        ),
        "t (patterns presented since)",
        "SNR",
    );
    fig.log_y = true;
    fig = fig
        .with(Series::line(
            "double well (eq. 14)",
            ts.clone(),
            th.snr(t_max).iter().map(|x| x.max(1e-3)).collect(),
        ))
        .with(Series::line(
            format!("Markov, q = {q:.3}"),
            ts.clone(),
            markov_snr(q, cn, t_max)
                .iter()
                .map(|x| x.max(1e-3))
                .collect(),
        ))
        .with(
            Series::line(
                "bound: envelope of two-state Markov curves",
                ts.clone(),
                two_state_envelope(cn, t_max),
            )
            .with_style(SeriesStyle::Guide),
        )
        .with(
            Series::line(
                format!("critical SNR {critical:.3} (m_v = 1/2 fixed point)"),
                ts.clone(),
                vec![critical; ts.len()],
            )
            .with_style(SeriesStyle::Dashed),
        );
    save_with_data(&fig, stem)
}

/// The dilution study: simulated capacity (mean ± sd) and the theory's four conventions against
/// c at fixed cN (log x).
pub fn dilution(stem: &Path, cn: f64, pts: &[DilutionPoint]) -> Result<()> {
    let mut fig = LinePlot::new(
        format!("Theory against simulation at fixed cN = {cn}"),
        "connection probability c (N = cN / c)",
        "capacity p (patterns)",
    );
    fig.log_x = true;
    let cs: Vec<f64> = pts.iter().map(|p| p.c).collect();
    let names = [
        "theory: eq. (33) timing, full variance (ours)",
        "theory: eq. (33) timing, without r2² term",
        "theory: authors' timing, full variance",
        "theory: authors' timing, without r2² term",
    ];
    for (k, name) in names.iter().enumerate() {
        let style = if k == 0 {
            SeriesStyle::LinePoints
        } else {
            SeriesStyle::Dashed
        };
        fig = fig.with(
            Series::points(
                *name,
                cs.clone(),
                pts.iter().map(|p| p.theory[k] as f64).collect(),
            )
            .with_style(style)
            .with_color(k),
        );
    }
    if pts.iter().any(|p| p.realizations > 0) {
        fig = fig.with(
            Series::points("simulation", cs, pts.iter().map(|p| p.sim).collect())
                .with_err(pts.iter().map(|p| p.sim_std).collect())
                .with_style(SeriesStyle::Points)
                .with_color(4),
        );
    }
    save_with_data(&fig, stem)
}

/// Fig. 4D: the conditional densities g_+(J, t) at t = 2, 3 within C* + 3 of 0.
pub fn densities(stem: &Path, th: &Theory, c_star: f64) -> Result<()> {
    let dens = th.conditional_densities(3);
    let mut fig = LinePlot::new(
        "Weights potentiated at t = 0 (Fig. 4D)",
        "J (units of r2)",
        "mass per cell",
    );
    for (k, t) in [2usize, 3].iter().enumerate() {
        let g: &Density = &dens[t - 1];
        let keep: Vec<usize> = (0..g.mass.len())
            .filter(|&i| g.x(i).abs() <= c_star + 3.0)
            .collect();
        fig = fig.with(
            Series::line(
                format!("t = {t}"),
                keep.iter().map(|&i| g.x(i)).collect(),
                keep.iter().map(|&i| g.mass[i]).collect(),
            )
            .with_color(k),
        );
    }
    save_with_data(&fig, stem)
}

/// Fig. 5: theory capacity against r3, one curve per C.
pub fn noise(stem: &Path, r1: f64, n: usize, scans: &[(f64, Vec<CapacityPoint>)]) -> Result<()> {
    let mut fig = LinePlot::new(
        format!(
            "Capacity against noise, r1 = {r1}, N = {} (Fig. 5)",
            thousands(n)
        ),
        "r3 (noise strength)",
        "capacity p (patterns)",
    );
    for (k, (c_well, pts)) in scans.iter().enumerate() {
        fig = fig.with(
            Series::points(
                format!("C = {c_well}"),
                pts.iter().map(|p| p.r3).collect(),
                pts.iter().map(|p| p.capacity).collect(),
            )
            .with_style(SeriesStyle::LinePoints)
            .with_color(k),
        );
    }
    save_with_data(&fig, stem)
}

/// Fig. 6B: the robustness R against the noiseless capacity p0.
pub fn robustness(stem: &Path, rob: &[Robustness]) -> Result<()> {
    let r1s: Vec<String> = rob.iter().map(|r| r.r1.to_string()).collect();
    let fig = LinePlot::new(
        "Robustness against capacity (Fig. 6B)",
        "p0 (capacity without noise, patterns)",
        "R (eq. 15)",
    )
    .with(
        Series::points(
            format!("r1 = {}", r1s.join(", ")),
            rob.iter().map(|x| x.p0).collect(),
            rob.iter().map(|x| x.r.unwrap_or(f64::NAN)).collect(),
        )
        .with_style(SeriesStyle::LinePoints),
    );
    save_with_data(&fig, stem)
}

/// Fig. 7D: sparse-coding capacity (rule 7) against N / ln N (log-log) with a (N / ln N)² guide
/// through the last point. Error bars only with several realizations.
pub fn sparse(stem: &Path, r1: f64, sp: &[SparseOptimum], realizations: usize) -> Result<()> {
    let x: Vec<f64> = sp.iter().map(|o| o.n as f64 / (o.n as f64).ln()).collect();
    let mut fig = LinePlot::new(
        format!("Sparse coding, rule (7), r1 = {r1}, c = 1 (Fig. 7D)"),
        "N / ln N",
        "capacity p (patterns)",
    );
    fig.log_x = true;
    fig.log_y = true;
    let mut data = Series::points(
        "simulation, C and θ optimized",
        x.clone(),
        sp.iter().map(|o| o.capacity).collect(),
    )
    .with_style(SeriesStyle::LinePoints);
    if realizations > 1 {
        data = data.with_err(sp.iter().map(|o| o.capacity_std).collect());
    }
    fig = fig.with(data);
    let scale = sp.last().map_or(1.0, |o| o.capacity) / x.last().map_or(1.0, |x| x * x);
    fig = fig.with(
        Series::line(
            "guide: ∝ (N / ln N)²",
            x.clone(),
            x.iter().map(|x| scale * x * x).collect(),
        )
        .with_style(SeriesStyle::Guide),
    );
    save_with_data(&fig, stem)
}

/// Fig. 7A, C: sparse-coding capacity and count (rule 6) against N (semi-log). Error bars only
/// with several realizations.
pub fn sparse_tf(stem: &Path, r1: f64, tf: &[SparseOptimum], realizations: usize) -> Result<()> {
    let x: Vec<f64> = tf.iter().map(|o| o.n as f64).collect();
    let mut fig = LinePlot::new(
        format!("Sparse coding, rule (6), r1 = {r1}, c = 1 (Fig. 7A, C)"),
        "N",
        "capacity p (patterns)",
    );
    fig.log_x = true;
    let mut cap = Series::points(
        "capacity (every age ≤ p retrieved)",
        x.clone(),
        tf.iter().map(|o| o.capacity).collect(),
    )
    .with_style(SeriesStyle::LinePoints)
    .with_color(0);
    if realizations > 1 {
        cap = cap.with_err(tf.iter().map(|o| o.capacity_std).collect());
    }
    fig = fig.with(cap).with(
        Series::points(
            "count of retrieved patterns among the tested ages",
            x,
            tf.iter().map(|o| o.count).collect(),
        )
        .with_style(SeriesStyle::LinePoints)
        .with_color(1),
    );
    save_with_data(&fig, stem)
}

/// Fig. 8: sparse-coding capacity against r3, one curve per rule setting. Error bars only with
/// several realizations.
pub fn sparse_noise(
    stem: &Path,
    n: usize,
    points: &[SparseNoisePoint],
    realizations: usize,
) -> Result<()> {
    let mut fig = LinePlot::new(
        format!("Sparse coding against noise, N = {} (Fig. 8)", thousands(n)),
        "r3 (noise strength)",
        "capacity p (patterns)",
    );
    let runs: Vec<&[SparseNoisePoint]> = points
        .chunk_by(|a, b| a.rule == b.rule && a.r1 == b.r1)
        .collect();
    for (k, run) in runs.iter().enumerate() {
        let mut s = Series::points(
            format!("rule {}, r1 = {}", run[0].rule.name(), run[0].r1),
            run.iter().map(|p| p.r3).collect(),
            run.iter().map(|p| p.optimum.capacity).collect(),
        )
        .with_style(SeriesStyle::LinePoints)
        .with_color(k);
        if realizations > 1 {
            s = s.with_err(run.iter().map(|p| p.optimum.capacity_std).collect());
        }
        fig = fig.with(s);
    }
    save_with_data(&fig, stem)
}

/// `spinlearn attractor simulate`: `overlaps.csv` (age, m_v mean and sd, m_u mean),
/// `realizations.json` and the `overlaps` figure in `dir`; returns the run summary.
pub fn simulation_outputs(dir: &Path, r: &SimResult) -> Result<Value> {
    let ages = r.m_v_mean.len();
    write_csv(
        &dir.join("overlaps.csv"),
        &["age", "m_v_mean", "m_v_std", "m_u_mean"],
        (0..ages).map(|a| {
            vec![
                Cell::from(a),
                Cell::from(r.m_v_mean[a]),
                Cell::from(r.m_v_std[a]),
                Cell::from(r.m_u_mean[a]),
            ]
        }),
    )?;
    write_json(&dir.join("realizations.json"), &r.realizations)?;
    let x: Vec<f64> = (0..ages).map(|a| a as f64).collect();
    LinePlot::new("Retrieval overlap by age (simulation)", "age u - v", "m")
        .with(
            Series::points("m_v", x.clone(), r.m_v_mean.clone())
                .with_err(r.m_v_std.clone())
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::line("m_u", x, r.m_u_mean.clone()).with_style(SeriesStyle::Dashed))
        .save(&dir.join("overlaps"))?;
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

/// `spinlearn attractor theory`: `overlaps.csv` (overlaps and moments by age),
/// `stationary_density.csv` (cells with mass) and the `overlaps` figure in `dir`; returns the run
/// summary.
pub fn theory_outputs(dir: &Path, th: &Theory, cap: &TheoryCapacity) -> Result<Value> {
    write_csv(
        &dir.join("overlaps.csv"),
        &[
            "age",
            "m_v",
            "m_u",
            "converged",
            "mean_plus",
            "rms_plus",
            "mean_pp",
            "mean_pm",
            "rms_pp",
            "rms_pm",
        ],
        cap.overlaps.iter().map(|o| {
            let m = &o.moments;
            vec![
                Cell::from(o.age),
                Cell::from(o.m_v),
                Cell::from(o.m_u),
                Cell::from(o.converged.to_string()),
                Cell::from(m.mean_plus),
                Cell::from(m.rms_plus),
                Cell::from(m.mean_pp),
                Cell::from(m.mean_pm),
                Cell::from(m.rms_pp),
                Cell::from(m.rms_pm),
            ]
        }),
    )?;
    let g = th.stationary();
    write_csv(
        &dir.join("stationary_density.csv"),
        &["J", "mass"],
        g.mass
            .iter()
            .enumerate()
            .filter(|(_, m)| **m > 0.0)
            .map(|(k, &m)| vec![g.x(k), m]),
    )?;
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
    .save(&dir.join("overlaps"))?;
    let (mean, rms) = th.stationary_moments();
    Ok(json!({
        "capacity": cap.capacity,
        "censored": cap.censored,
        "stationary_mean": mean,
        "stationary_rms": rms,
        "markov_q": th.markov_transition_probability(),
        "grid_cells": th.evolution().cells(),
    }))
}

/// `spinlearn attractor capacity-scan`: `scan.csv` (one row per point) and the `capacity` figure
/// in `dir`; returns the run summary.
pub fn scan_outputs(
    dir: &Path,
    sweep: Sweep,
    method: ScanMethod,
    points: &[CapacityPoint],
) -> Result<Value> {
    write_csv(
        &dir.join("scan.csv"),
        &["n", "r1", "c_well", "r3", "capacity", "capacity_std"],
        points.iter().map(|p| {
            vec![
                Cell::from(p.n),
                Cell::from(p.r1),
                Cell::from(p.c_well),
                Cell::from(p.r3),
                Cell::from(p.capacity),
                Cell::from(p.capacity_std),
            ]
        }),
    )?;
    let x: Vec<f64> = points.iter().map(|p| sweep.value(p)).collect();
    let name = sweep.symbol();
    let label = match method {
        ScanMethod::Theory => "theory",
        ScanMethod::Simulation => "simulation",
    };
    let mut plot = LinePlot::new(format!("Capacity against {name}"), name, "capacity p").with(
        Series::points(
            label,
            x.clone(),
            points.iter().map(|p| p.capacity).collect(),
        )
        .with_err(points.iter().map(|p| p.capacity_std).collect())
        .with_style(SeriesStyle::LinePoints),
    );
    plot.log_x = sweep == Sweep::N;
    plot.save(&dir.join("capacity"))?;
    Ok(json!({
        "sweep": name,
        "method": label,
        "values": x,
        "capacity": points.iter().map(|p| p.capacity).collect::<Vec<_>>(),
        "capacity_std": points.iter().map(|p| p.capacity_std).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(1_234_567), "1,234,567");
        assert_eq!(super::thousands(10_000), "10,000");
        assert_eq!(super::thousands(400), "400");
    }
}
