//! Figures, tables and summaries of paper 002's computations, shared by `reproduce
//! ising-activation` and the `spinlearn ising` commands: Figs. 1-2 and the firing-rate curves, the
//! lattice-check figures, the mean-field free energy, and one Monte Carlo run's series and final
//! configuration. Each writer saves PNG and SVG (figures) or CSV (tables) under the given directory.

use crate::Result;
use serde_json::{Map, Value, json};
use spinlearn_core::table::{Cell, write_columns, write_csv};
use spinlearn_ising::experiments::{ActivationResult, LatticeSweep};
use spinlearn_ising::{CurieWeiss, Lattice, McResult, MeanFieldSolution, onsager};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::path::Path;

/// The activation experiment's summary (`fit.a`, `fit.residual_rms`, `fit_shifted`, `firing`).
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

/// Writes Figs. 1-2 (`bifurcation`, `tanh_fit`), the firing-rate figure (`firing_rates`) and the
/// tables `branch.csv` (t, m_branch, m_fit, m_fit_shifted) and `firing_rates.csv` (one column per
/// curve) into `dir`.
pub fn write_activation_outputs(r: &ActivationResult, dir: &Path) -> Result<()> {
    bifurcation_plot(r).save(&dir.join("bifurcation"))?;
    fit_plot(r).save(&dir.join("tanh_fit"))?;
    firing_plot(r).save(&dir.join("firing_rates"))?;
    let fit: Vec<f64> = r.branch_t.iter().map(|&t| r.fit.value(t)).collect();
    let shifted: Vec<f64> = r.branch_t.iter().map(|&t| r.fit_shifted.value(t)).collect();
    write_columns(
        &dir.join("branch.csv"),
        &["t", "m_branch", "m_fit", "m_fit_shifted"],
        &[&r.branch_t, &r.branch_m, &fit, &shifted],
    )?;
    let f = &r.firing;
    write_columns(
        &dir.join("firing_rates.csv"),
        &[
            "q",
            "tanh_rate",
            "tanh_rate_quadrature",
            "logistic_rate",
            "logistic_rate_quadrature",
            "mean_field_rate",
            "relu",
            "softplus",
            "elu",
            "sigmoid",
            "tanh",
        ],
        &[
            &f.q,
            &f.tanh_rate,
            &f.tanh_rate_quadrature,
            &f.logistic_rate,
            &f.logistic_rate_quadrature,
            &f.mean_field_rate,
            &f.relu,
            &f.softplus,
            &f.elu,
            &f.sigmoid,
            &f.tanh,
        ],
    )?;
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

/// A temperature as a JSON key: 4 decimals, trailing zeros dropped (`2.2`, `2.275`, `1`).
pub fn t_key(t: f64) -> String {
    let s = format!("{t:.4}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// The stems [`lattice_plots`] writes, in order.
pub const LATTICE_FIGURES: [&str; 6] = [
    "lattice_magnetization",
    "lattice_binder",
    "lattice_binder_zoom",
    "lattice_energy",
    "lattice_specific_heat",
    "lattice_susceptibility",
];

/// Lattice-check figures ([`LATTICE_FIGURES`]): ⟨|m|⟩(T) per L with the mean-field curve (Tc = 4)
/// and Onsager's, the Binder cumulant U(T) with its crossing and a zoom within 0.2 of the exact
/// Tc, energy, specific heat and susceptibility per spin.
pub fn lattice_plots(sw: &LatticeSweep, dir: &Path) -> Result<()> {
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
    let per = |f: &dyn Fn(&McResult) -> (f64, f64), title: &str, ylab: &str| {
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
    mplot.save(&dir.join(LATTICE_FIGURES[0]))?;
    let mut binder = per(
        &|r| (r.binder.mean, r.binder.err),
        "Binder cumulant",
        "U = 1 - <m^4>/(3<m^2>^2)",
    );
    if let Some(tc) = sw.tc_binder_crossing {
        binder.vlines.push((tc, "crossing".into()));
    }
    binder.x_range = Some((t_lo, t_hi));
    binder.save(&dir.join(LATTICE_FIGURES[1]))?;
    let near = |r: &&McResult| (r.t - sw.tc_exact).abs() <= 0.2;
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
    zoom.save(&dir.join(LATTICE_FIGURES[2]))?;
    per(
        &|r| (r.energy.mean, r.energy.err),
        "Energy per spin",
        "<E>/N",
    )
    .save(&dir.join(LATTICE_FIGURES[3]))?;
    per(
        &|r| (r.specific_heat.mean, r.specific_heat.err),
        "Specific heat per spin",
        "C/N",
    )
    .save(&dir.join(LATTICE_FIGURES[4]))?;
    per(
        &|r| (r.susceptibility.mean, r.susceptibility.err),
        "Susceptibility per spin (from |m|)",
        "chi",
    )
    .save(&dir.join(LATTICE_FIGURES[5]))?;
    Ok(())
}

/// ⟨|m|⟩ keyed by [`t_key`] for the largest L (the summary's `mc.magnetization`).
pub fn magnetization_by_t(sw: &LatticeSweep) -> Value {
    let l = *sw.params.ls.last().unwrap_or(&0);
    let mut m = Map::new();
    for r in sw.for_size(l) {
        m.insert(t_key(r.t), json!(r.magnetization.mean));
    }
    Value::Object(m)
}

/// An image of a lattice configuration (white +1, black -1), about 512 pixels wide.
pub fn lattice_image(lat: &Lattice, title: String) -> ImageGrid {
    let img: Vec<f32> = lat.spins().iter().map(|&s| f32::from(s)).collect();
    ImageGrid {
        title,
        range: (-1.0, 1.0),
        scale: (512 / lat.l() as u32).max(1),
        ..ImageGrid::new(vec![img], (lat.l(), lat.l()), 1)
    }
}

/// Writes one mean-field solve: `free_energy` (F(m) on m in [-1, 1] with the stable and unstable
/// solutions marked).
pub fn write_mean_field(cw: &CurieWeiss, sols: &[MeanFieldSolution], dir: &Path) -> Result<()> {
    let ms: Vec<f64> = (0..=400).map(|i| -1.0 + i as f64 / 200.0).collect();
    let fs: Vec<f64> = ms.iter().map(|&m| cw.free_energy(m)).collect();
    let mut plot = LinePlot::new(
        format!(
            "Mean-field free energy, T = {}, Tc = {}, h = {}",
            cw.t, cw.tc, cw.h
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
    plot.save(&dir.join("free_energy"))?;
    Ok(())
}

/// The summary of one mean-field solve: the model and every solution.
pub fn mean_field_summary(cw: &CurieWeiss, sols: &[MeanFieldSolution]) -> Value {
    json!({
        "t": cw.t,
        "tc": cw.tc,
        "h": cw.h,
        "solutions": sols.iter().map(|s| json!({
            "m": s.m,
            "stable": s.stable,
            "free_energy": s.free_energy,
            "global": s.global,
            "curvature": s.curvature,
            "susceptibility": s.susceptibility,
        })).collect::<Vec<_>>(),
    })
}

/// Writes one Monte Carlo run: `series.csv` (sweep, m, e per measured sweep),
/// `magnetization_series` and, when present, the final configuration `lattice`.
pub fn write_mc_outputs(r: &McResult, dir: &Path) -> Result<()> {
    write_csv(
        &dir.join("series.csv"),
        &["sweep", "m", "e"],
        r.m_series
            .iter()
            .zip(&r.e_series)
            .enumerate()
            .map(|(i, (&m, &e))| vec![Cell::from(i + 1), Cell::from(m), Cell::from(e)]),
    )?;
    let n = r.m_series.len();
    LinePlot::new(
        format!("L = {}, T = {}, {}", r.l, r.t, r.algorithm.name()),
        "measured sweep",
        "m per spin",
    )
    .with(Series::line(
        "m",
        (1..=n).map(|i| i as f64).collect(),
        r.m_series.clone(),
    ))
    .save(&dir.join("magnetization_series"))?;
    if let Some(lat) = &r.final_lattice {
        lattice_image(
            lat,
            format!("Final configuration, L = {}, T = {}", r.l, r.t),
        )
        .save(&dir.join("lattice"))?;
    }
    Ok(())
}

/// The summary of one Monte Carlo run, with Onsager's exact magnetization and energy beside it in
/// zero field.
pub fn mc_summary(r: &McResult) -> Value {
    let exact = r.h == 0.0;
    json!({
        "l": r.l,
        "t": r.t,
        "h": r.h,
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
        "onsager_magnetization": exact.then(|| onsager::magnetization(r.t)),
        "onsager_energy": exact.then(|| onsager::energy(r.t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_keys_drop_trailing_zeros() {
        assert_eq!(t_key(2.0), "2");
        assert_eq!(t_key(2.275), "2.275");
        assert_eq!(t_key(2.15 + 0.025 * 3.0), "2.225");
    }
}
