//! Figures, tables and summaries of paper 002's computations, shared by `reproduce
//! ising-activation` and the `spinlearn ising` commands: Figs. 1-2 and the firing-rate curves, the
//! lattice-check figures, the mean-field free energy, and one Monte Carlo run's series and final
//! configuration. Each writer saves PNG and SVG (figures) or CSV (tables) under the given directory.

use crate::Result;
use serde_json::{Map, Value, json};
use spinlearn_core::table::{Cell, write_columns, write_csv};
use spinlearn_ising::experiments::{ActivationResult, BinderCrossingEstimate, LatticeSweep};
use spinlearn_ising::fit::tanh_model;
use spinlearn_ising::mean_field::{BifurcationPoint, bifurcation};
use spinlearn_ising::{CurieWeiss, Lattice, McResult, MeanFieldSolution, onsager};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::f64::consts::LN_2;
use std::path::Path;

/// The steepness the paper quotes for eq. (2) (Fig. 2 caption: "a = 6, and Tc = 1"; b = 1).
pub const PAPER_A: f64 = 6.0;

/// Axis label of the mean-field temperature (Figs. 1-2 set Tc = zJ / k_B = 1).
const T_MEAN_FIELD: &str = "T (units of zJ/k_B = Tc)";
/// Axis label of the lattice temperature (J = 1).
const T_LATTICE: &str = "T (units of J/k_B)";

/// Temperatures `tc (1 - 10^-k)`, k = 1..=k_max, and `tc` itself, that `grid` lacks (to within
/// 1e-12): a grid of fixed step jumps over the square-root (mean field) or eighth-root (Onsager)
/// drop of m at Tc, and these points draw it.
pub fn near_tc(tc: f64, k_max: i32, grid: &[f64]) -> Vec<f64> {
    (1..=k_max)
        .map(|k| tc * (1.0 - 10f64.powi(-k)))
        .chain(std::iter::once(tc))
        .filter(|t| grid.iter().all(|g| (g - t).abs() > 1e-12))
        .collect()
}

/// `grid` with `extra` merged in, sorted.
fn merged(grid: &[f64], extra: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = grid.iter().chain(extra).copied().collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Fig. 1's points: the experiment's bifurcation diagram with the temperatures of [`near_tc`]
/// (k up to 6) and `tc (1 + 10^-k)` (k = 1..=6) solved as well, in temperature order.
pub fn bifurcation_near_tc(r: &ActivationResult) -> Result<Vec<BifurcationPoint>> {
    let tc = r.params.tc;
    let mut extra = near_tc(tc, 6, &r.branch_t);
    // Above Tc too, so that the stable m = 0 branch starts at Tc.
    extra.extend(
        (1..=6)
            .map(|k| tc * (1.0 + 10f64.powi(-k)))
            .filter(|t| r.branch_t.iter().all(|g| (g - t).abs() > 1e-12)),
    );
    let mut pts = r.bifurcation.clone();
    pts.extend(bifurcation(&extra, r.params.tc, 0.0)?);
    pts.sort_by(|a, b| a.t.total_cmp(&b.t));
    Ok(pts)
}

/// The paper's printed firing rate with C = 0, Q + ln 2 / 2 + ln(1 + e^{-2Q}) / 2 (section 2.4; a
/// = 1): the definite integral plus ln 2, because of the sign of its constant.
pub fn paper_printed_rate(q: f64) -> f64 {
    q + 0.5 * LN_2 + 0.5 * (-2.0 * q).exp().ln_1p()
}

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
/// tables behind them: `bifurcation.csv` (t, m, stable: every root drawn), `tanh_fit.csv` (t,
/// m_branch, m_fit, m_fit_shifted, m_paper_a6, in_fit: the fit's grid plus the points near Tc),
/// `firing_rates.csv` (one column per curve) and `branch.csv` (t, m_branch, m_fit, m_fit_shifted
/// on the fit's grid) into `dir`.
pub fn write_activation_outputs(r: &ActivationResult, dir: &Path) -> Result<()> {
    let bif = bifurcation_near_tc(r)?;
    bifurcation_plot(&bif, r.params.tc).save(&dir.join("bifurcation"))?;
    write_csv(
        &dir.join("bifurcation.csv"),
        &["t", "m", "stable"],
        bif.iter().flat_map(|p| {
            p.solutions.iter().map(move |s| {
                vec![
                    Cell::from(p.t),
                    Cell::from(s.m),
                    Cell::from(usize::from(s.stable)),
                ]
            })
        }),
    )?;
    let (fig_t, fig_m) = branch_near_tc(r)?;
    fit_plot(r, &fig_t, &fig_m).save(&dir.join("tanh_fit"))?;
    let in_fit: Vec<f64> = fig_t
        .iter()
        .map(|t| f64::from(u8::from(r.branch_t.iter().any(|b| b == t))))
        .collect();
    let col = |f: &dyn Fn(f64) -> f64| fig_t.iter().map(|&t| f(t)).collect::<Vec<f64>>();
    write_columns(
        &dir.join("tanh_fit.csv"),
        &[
            "t",
            "m_branch",
            "m_fit",
            "m_fit_shifted",
            "m_paper_a6",
            "in_fit",
        ],
        &[
            &fig_t,
            &fig_m,
            &col(&|t| r.fit.value(t)),
            &col(&|t| r.fit_shifted.value(t)),
            &col(&|t| tanh_model(t, PAPER_A, 1.0, r.params.tc)),
            &in_fit,
        ],
    )?;
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
            "paper_printed_form",
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
            &f.q.iter()
                .map(|&q| paper_printed_rate(q))
                .collect::<Vec<f64>>(),
        ],
    )?;
    Ok(())
}

/// The firing branch on the fit's grid plus the temperatures of [`near_tc`] (k up to 6), sorted:
/// what Fig. 2 draws.
pub fn branch_near_tc(r: &ActivationResult) -> Result<(Vec<f64>, Vec<f64>)> {
    let tc = r.params.tc;
    let extra = near_tc(tc, 6, &r.branch_t);
    let ts = merged(&r.branch_t, &extra);
    let ms = ts
        .iter()
        .map(|&t| match r.branch_t.iter().position(|&b| b == t) {
            Some(i) => Ok(r.branch_m[i]),
            None => spinlearn_ising::mean_field::firing_branch(t, tc),
        })
        .collect::<std::result::Result<Vec<f64>, _>>()?;
    Ok((ts, ms))
}

/// Fig. 1: m against T, all branches, stable solid and unstable dashed, from `points` (e.g.
/// [`bifurcation_near_tc`]) of critical temperature `tc`.
pub fn bifurcation_plot(points: &[BifurcationPoint], tc: f64) -> LinePlot {
    let (mut up, mut down, mut zero_st, mut zero_un) = (vec![], vec![], vec![], vec![]);
    for p in points {
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
        T_MEAN_FIELD,
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
    plot.vlines.push((tc, "Tc".into()));
    plot
}

/// Fig. 2: the firing branch (`branch_t`, `branch_m`, e.g. from [`branch_near_tc`]) with the
/// fitted eq. (2), b = 1 and b free, and the paper's a = 6 (b = 1) as a guide.
pub fn fit_plot(r: &ActivationResult, branch_t: &[f64], branch_m: &[f64]) -> LinePlot {
    let ts = branch_t.to_vec();
    let mut plot = LinePlot::new(
        format!(
            "Fig. 2: eq. (2) fitted (rms {:.3} at b = 1, {:.3} with b free)",
            r.fit.residual_rms, r.fit_shifted.residual_rms
        ),
        format!("{T_MEAN_FIELD}; T = -V"),
        "m",
    )
    .with(Series::line(
        "mean-field branch m >= 0",
        ts.clone(),
        branch_m.to_vec(),
    ))
    .with(
        Series::line(
            format!("least squares, b = 1: a = {:.2}", r.fit.a),
            ts.clone(),
            ts.iter().map(|&t| r.fit.value(t)).collect(),
        )
        .with_style(SeriesStyle::Dashed),
    )
    .with(
        Series::line(
            format!(
                "least squares, b free: a = {:.2}, b = {:.3}",
                r.fit_shifted.a, r.fit_shifted.b
            ),
            ts.clone(),
            ts.iter().map(|&t| r.fit_shifted.value(t)).collect(),
        )
        .with_style(SeriesStyle::Dashed),
    )
    .with(
        Series::line(
            format!("paper (Fig. 2): a = {PAPER_A}, b = 1"),
            ts.clone(),
            ts.iter()
                .map(|&t| tanh_model(t, PAPER_A, 1.0, r.params.tc))
                .collect(),
        )
        .with_style(SeriesStyle::Guide),
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
        "quench Q (units of Tc)",
        "firing rate (∫ m dT, units of Tc) / activation",
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
    .with(Series::line("tanh", q.clone(), f.tanh.clone()).with_style(SeriesStyle::Dashed))
    .with(
        Series::line(
            "paper's printed form, C = 0 (+ln2/2: sign slip)",
            q.clone(),
            q.iter().map(|&x| paper_printed_rate(x)).collect(),
        )
        .with_style(SeriesStyle::Guide),
    );
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

/// Lattice-check figures ([`LATTICE_FIGURES`]): ⟨|m|⟩(T) per L with error bars, the mean-field
/// curve (Tc = 4) and Onsager's (both with points approaching their Tc), the Binder cumulant U(T)
/// with the crossing `crossing` (of the two largest sizes, when found) and a zoom within 0.2 of the
/// exact Tc, energy, specific heat and susceptibility per spin. Beside each PNG, `<stem>.csv`:
/// `lattice_magnetization.csv` in long form (series, l, t, abs_m, abs_m_err; l = 0 and err NaN
/// for the two theory curves), the others with columns l, t, value, value_err.
pub fn lattice_plots(
    sw: &LatticeSweep,
    crossing: Option<&BinderCrossingEstimate>,
    dir: &Path,
) -> Result<()> {
    let ts = &sw.params.ts;
    let (t_lo, t_hi) = (ts[0], ts[ts.len() - 1]);
    let dense: Vec<f64> = (0..=400)
        .map(|i| 0.05 + (4.6 - 0.05) * i as f64 / 400.0)
        .collect();
    let t_mf = merged(&dense, &near_tc(onsager::TC_MEAN_FIELD, 8, &dense));
    let mf: Vec<f64> = t_mf
        .iter()
        .map(|&t| {
            CurieWeiss::new(t, onsager::TC_MEAN_FIELD)
                .equilibrium()
                .map(|s| s.m.abs())
        })
        .collect::<std::result::Result<_, _>>()?;
    let t_ons = merged(&dense, &near_tc(sw.tc_exact, 12, &dense));
    let ons: Vec<f64> = t_ons.iter().map(|&t| onsager::magnetization(t)).collect();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (name, t, m) in [("mean_field", &t_mf, &mf), ("onsager", &t_ons, &ons)] {
        for (&t, &m) in t.iter().zip(m.iter()) {
            rows.push(vec![
                name.into(),
                0usize.into(),
                t.into(),
                m.into(),
                f64::NAN.into(),
            ]);
        }
    }
    let mut mplot = LinePlot::new(
        "Square lattice: mean field vs Monte Carlo vs Onsager",
        T_LATTICE,
        "<|m|> per spin",
    )
    .with(Series::line("mean field (Tc = zJ/k_B = 4)", t_mf, mf).with_style(SeriesStyle::Dashed))
    .with(Series::line("Onsager (Tc = 2.269)", t_ons, ons));
    let per = |f: &dyn Fn(&McResult) -> (f64, f64), title: &str, ylab: &str| {
        let mut p = LinePlot::new(title, T_LATTICE, ylab);
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
        for r in &pts {
            rows.push(vec![
                format!("mc_L{l}").into(),
                l.into(),
                r.t.into(),
                r.magnetization.mean.into(),
                r.magnetization.err.into(),
            ]);
        }
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
    write_csv(
        &dir.join(format!("{}.csv", LATTICE_FIGURES[0])),
        &["series", "l", "t", "abs_m", "abs_m_err"],
        rows,
    )?;
    let crossing_line = crossing.map(|c| {
        (
            c.t,
            format!(
                "L = {}/{} crossing {:.3} ± {:.3}",
                c.l_small, c.l_large, c.t, c.err
            ),
        )
    });
    let mut binder = per(
        &|r| (r.binder.mean, r.binder.err),
        "Binder cumulant",
        "U = 1 - <m^4>/(3<m^2>^2)",
    );
    binder.vlines.extend(crossing_line.clone());
    binder.x_range = Some((t_lo, t_hi));
    binder.save(&dir.join(LATTICE_FIGURES[1]))?;
    let near = |r: &&McResult| (r.t - sw.tc_exact).abs() <= 0.2;
    let mut zoom = LinePlot::new(
        "Binder cumulant near Tc",
        T_LATTICE,
        "U = 1 - <m^4>/(3<m^2>^2)",
    );
    let mut zoom_pts: Vec<&McResult> = Vec::new();
    for &l in &sw.params.ls {
        let pts: Vec<_> = sw.for_size(l).into_iter().filter(near).collect();
        zoom_pts.extend(pts.iter().copied());
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
    zoom.vlines.extend(crossing_line);
    zoom.save(&dir.join(LATTICE_FIGURES[2]))?;
    let all: Vec<&McResult> = sw.points.iter().collect();
    point_table(&dir.join("lattice_binder.csv"), "binder", &all, |r| {
        (r.binder.mean, r.binder.err)
    })?;
    point_table(
        &dir.join("lattice_binder_zoom.csv"),
        "binder",
        &zoom_pts,
        |r| (r.binder.mean, r.binder.err),
    )?;
    type Pick = fn(&McResult) -> (f64, f64);
    let rest: [(usize, &str, &str, &str, Pick); 3] = [
        (3, "energy", "Energy per spin", "<E>/N (units of J)", |r| {
            (r.energy.mean, r.energy.err)
        }),
        (
            4,
            "specific_heat",
            "Specific heat per spin",
            "C/N (units of k_B)",
            |r| (r.specific_heat.mean, r.specific_heat.err),
        ),
        (
            5,
            "susceptibility",
            "Susceptibility per spin (from |m|)",
            "chi per spin (units of 1/J)",
            |r| (r.susceptibility.mean, r.susceptibility.err),
        ),
    ];
    for (i, name, title, ylab, pick) in rest {
        per(&pick, title, ylab).save(&dir.join(LATTICE_FIGURES[i]))?;
        point_table(
            &dir.join(format!("{}.csv", LATTICE_FIGURES[i])),
            name,
            &all,
            pick,
        )?;
    }
    Ok(())
}

/// Writes one Monte Carlo observable per (L, T) point: columns l, t, `name`, `name`_err.
fn point_table(
    path: &Path,
    name: &str,
    pts: &[&McResult],
    pick: impl Fn(&McResult) -> (f64, f64),
) -> Result<()> {
    let err = format!("{name}_err");
    write_csv(
        path,
        &["l", "t", name, &err],
        pts.iter().map(|r| {
            let (v, e) = pick(r);
            vec![
                Cell::from(r.l),
                Cell::from(r.t),
                Cell::from(v),
                Cell::from(e),
            ]
        }),
    )?;
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
