//! Figures, tables and summaries of paper 003, shared by the `relevance` section and the
//! `spinlearn relevance` / `spinlearn dbn` commands. Each `write_*` function writes one command's
//! outputs into a directory and returns its summary (named headline figures).

use crate::Result;
use serde_json::{Value, json};
use spinlearn_core::record::write_json;
use spinlearn_core::table::{Cell, write_columns, write_csv};
use spinlearn_data::npy::NpzWriter;
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use spinlearn_relevance::bound::{BoundPoint, BoundSummary};
use spinlearn_relevance::dbn::Dbn;
use spinlearn_relevance::experiments::{KMeansPoint, LayerAnalysis, NetworkResult, PipelineResult};
use spinlearn_relevance::powerlaw::{PowerLawFit, TailCcdf, fitted_degeneracy};
use std::path::Path;

/// The fit's figures as JSON (`null` without a fit).
fn fit_json(f: Option<&PowerLawFit>) -> Value {
    match f {
        Some(f) => json!({
            "alpha": f.alpha, "beta": f.beta, "xmin": f.xmin, "alpha_stderr": f.alpha_stderr,
            "p_value": f.p_value, "n_tail": f.n_tail, "ks_distance": f.ks_distance,
        }),
        None => Value::Null,
    }
}

/// `k,m_k` rows.
fn write_mk_csv(path: &Path, deg: &[(u64, u64)]) -> Result<()> {
    write_csv(path, &["k", "m_k"], deg.iter().map(|&(k, m)| vec![k, m]))?;
    Ok(())
}

fn mk_series(label: &str, deg: &[(u64, u64)]) -> Series {
    Series::points(
        label,
        deg.iter().map(|d| d.0 as f64).collect(),
        deg.iter().map(|d| d.1 as f64).collect(),
    )
}

/// The fitted law drawn over the m_k points ([`fitted_degeneracy`], 40 points).
fn power_line(f: &PowerLawFit, deg: &[(u64, u64)]) -> Series {
    let k_max = deg.last().map_or(f.xmin, |d| d.0);
    let (ks, ms) = fitted_degeneracy(f, k_max, 40);
    Series::line(
        format!("fit beta = {:.2} ± {:.2}", f.beta, f.alpha_stderr),
        ks,
        ms,
    )
    .with_style(SeriesStyle::Guide)
}

/// `spinlearn relevance analyze`: `m_k.csv`, the figure `m_k` (degeneracies and the fitted law)
/// and the summary (entropies, the fit, its headline figures at the top level, `null` when no
/// power law can be fitted, e.g. when every state is distinct).
pub fn write_analysis(dir: &Path, a: &LayerAnalysis) -> Result<Value> {
    write_mk_csv(&dir.join("m_k.csv"), &a.degeneracy)?;
    let mut plot = LinePlot::new("Degeneracy of frequencies", "k", "m_k");
    plot.log_x = true;
    plot.log_y = true;
    plot = plot.with(mk_series("m_k", &a.degeneracy));
    if let Some(f) = &a.powerlaw {
        plot = plot.with(power_line(f, &a.degeneracy));
    }
    plot.save(&dir.join("m_k"))?;
    let e = &a.entropies;
    let f = a.powerlaw.as_ref();
    Ok(json!({
        "M": e.m, "n_states": e.n_states, "H_s": e.h_s, "H_k": e.h_k,
        "H_s_norm": e.h_s_norm, "H_k_norm": e.h_k_norm, "powerlaw": fit_json(f),
        "alpha": f.map(|f| f.alpha),
        "beta": f.map(|f| f.beta),
        "xmin": f.map(|f| f.xmin),
        "alpha_stderr": f.map(|f| f.alpha_stderr),
        "p_value": f.and_then(|f| f.p_value),
    }))
}

/// `spinlearn relevance powerlaw`: the figure `ccdf` (empirical and fitted tail CCDF) and the
/// fit's summary.
pub fn write_powerlaw(dir: &Path, f: &PowerLawFit, ccdf: &TailCcdf) -> Result<Value> {
    let mut plot = LinePlot::new("Tail of the counts", "k", "P(K >= k)");
    plot.log_x = true;
    plot.log_y = true;
    plot = plot
        .with(Series::points(
            "data",
            ccdf.k.clone(),
            ccdf.empirical.clone(),
        ))
        .with(
            Series::line(
                format!("discrete power law, alpha = {:.3}", f.alpha),
                ccdf.k.clone(),
                ccdf.fitted.clone(),
            )
            .with_style(SeriesStyle::Dashed),
        );
    plot.save(&dir.join("ccdf"))?;
    write_columns(
        &dir.join("ccdf.csv"),
        &["k", "ccdf_empirical", "ccdf_fitted"],
        &[&ccdf.k, &ccdf.empirical, &ccdf.fitted],
    )?;
    Ok(json!({
        "alpha": f.alpha, "beta": f.beta, "xmin": f.xmin, "alpha_stderr": f.alpha_stderr,
        "p_value": f.p_value, "n": f.n, "n_tail": f.n_tail, "ks_distance": f.ks_distance,
        "n_bootstrap": f.n_bootstrap,
    }))
}

fn bound_series(pts: &[BoundPoint]) -> Series {
    Series::line(
        "maximal relevance",
        pts.iter().map(|p| p.entropies.h_s_norm).collect(),
        pts.iter().map(|p| p.entropies.h_k_norm).collect(),
    )
    .with_style(SeriesStyle::Guide)
}

/// `spinlearn relevance bound`: `bound.csv`, the figure `bound` and the summary (`seconds` is
/// the time the curve took).
pub fn write_bound(dir: &Path, m: u64, pts: &[BoundPoint], seconds: f64) -> Result<Value> {
    write_csv(
        &dir.join("bound.csv"),
        &[
            "mu",
            "H_s",
            "H_k",
            "H_s_norm",
            "H_k_norm",
            "objective",
            "upper",
            "gap",
            "exact",
        ],
        pts.iter().map(|p| {
            let e = &p.entropies;
            vec![
                Cell::from(p.mu),
                e.h_s.into(),
                e.h_k.into(),
                e.h_s_norm.into(),
                e.h_k_norm.into(),
                p.objective.into(),
                p.upper.into(),
                p.gap.into(),
                p.exact.to_string().into(),
            ]
        }),
    )?;
    let mut plot = LinePlot::new(
        format!("Maximal relevance at M = {m}"),
        "H[s] / ln M",
        "H[k] / ln M",
    );
    plot.x_range = Some((0.0, 1.0));
    plot.y_range = Some((0.0, 1.0));
    plot.with(bound_series(pts)).save(&dir.join("bound"))?;
    let s =
        BoundSummary::of(pts).ok_or_else(|| crate::ReproduceError::invalid("m", "empty curve"))?;
    Ok(json!({
        "M": m,
        "points": pts.len(),
        "exact": s.exact,
        "max_gap": s.max_gap,
        "H_k_norm_max": s.h_k_norm_max,
        "H_s_norm_at_max": s.h_s_norm_at_max,
        "seconds": seconds,
    }))
}

/// `spinlearn dbn train`: `model.npz` ([`Dbn::save_npz`]) and the summary of the network's
/// layers on its `m` training samples.
pub fn write_trained(dir: &Path, dbn: &Dbn, m: usize, net: &NetworkResult) -> Result<Value> {
    dbn.save_npz(&dir.join("model.npz"))?;
    Ok(json!({
        "M": m,
        "train_seconds": net.train_seconds,
        "model": "model.npz",
        "layers": net.layers.iter().map(|l| {
            let a = &l.analysis;
            json!({
                "width": a.width, "H_s": a.entropies.h_s_norm, "H_k": a.entropies.h_k_norm,
                "beta": a.powerlaw.map(|f| f.beta), "classification_error": a.classification_error,
            })
        }).collect::<Vec<_>>(),
    }))
}

/// `spinlearn dbn analyze`: `model.npz` (the trained network), `results.json` (everything),
/// the figures of [`pipeline_figures`]; returns [`pipeline_summary`].
pub fn write_pipeline(
    dir: &Path,
    r: &PipelineResult,
    image_shape: Option<(usize, usize)>,
) -> Result<Value> {
    if let Some(d) = &r.dbn {
        d.save_npz(&dir.join("model.npz"))?;
    }
    write_json(&dir.join("results.json"), r)?;
    pipeline_figures(r, dir, image_shape)?;
    Ok(pipeline_summary(r))
}

/// summary.json of the experiment (the `relevance` section and `spinlearn dbn analyze`).
pub fn pipeline_summary(r: &PipelineResult) -> Value {
    let layers: Vec<Value> = r
        .trained
        .layers
        .iter()
        .map(|l| {
            let a = &l.analysis;
            json!({
                "layer": l.layer,
                "width": a.width,
                "H_s": a.entropies.h_s_norm,
                "H_k": a.entropies.h_k_norm,
                "H_s_nats": a.entropies.h_s,
                "H_k_nats": a.entropies.h_k,
                "beta": a.powerlaw.map(|f| f.beta),
                "beta_stderr": a.powerlaw.map(|f| f.alpha_stderr),
                "xmin": a.powerlaw.map(|f| f.xmin),
                "classification_error": a.classification_error,
                "generation_ability": l.generation.as_ref().map(|g| g.generation_ability),
                "kl_pq": l.generation.as_ref().map(|g| g.kl_pq),
                "kl_qp": l.generation.as_ref().map(|g| g.kl_qp),
            })
        })
        .collect();
    let net = |n: Option<&NetworkResult>| {
        n.map(|n| {
            n.layers
                .iter()
                .map(|l| {
                    json!({
                        "width": l.analysis.width,
                        "H_s": l.analysis.entropies.h_s_norm,
                        "H_k": l.analysis.entropies.h_k_norm,
                        "beta": l.analysis.powerlaw.map(|f| f.beta),
                        "classification_error": l.analysis.classification_error,
                        "generation_ability": l.generation.as_ref().map(|g| g.generation_ability),
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let bound = BoundSummary::of(&r.bound);
    json!({
        "M": r.m,
        "layers": layers,
        "best_layer_by_H_sum": r.trained.best_by_h_sum(),
        "best_layer_by_generation": r.trained.best_by_generation(),
        "kmeans": r.kmeans.iter().map(|k| json!({
            "K": k.k,
            "H_s": k.analysis.entropies.h_s_norm,
            "H_k": k.analysis.entropies.h_k_norm,
            "beta": k.analysis.powerlaw.map(|f| f.beta),
        })).collect::<Vec<_>>(),
        "classifier_test_error": r.classifier_test_error,
        "epoch0_layers": net(Some(&r.epoch0)),
        "shuffled_layers": net(r.shuffled.as_ref()),
        "contrast_layers": net(r.contrast.as_ref()),
        "contrast_best_layer_by_generation": r.contrast.as_ref().and_then(|c| c.best_by_generation()),
        "train_seconds": r.trained.train_seconds,
        "realizations": r.realizations().len(),
        "ensemble_layers": r.ensemble_layers(),
        "bound_max_gap": bound.map_or(0.0, |b| b.max_gap),
        "bound_exact": bound.is_none_or(|b| b.exact),
        "entropies_unit": "H_s and H_k divided by ln M; *_nats in nats",
    })
}

/// The layers shown in Fig. 3 (samples, label distributions): shallow, middle and deepest.
fn fig3_layers(n: usize) -> Vec<usize> {
    let mut picks: Vec<usize> = [2usize, n.div_ceil(2) + 1, n]
        .into_iter()
        .filter(|&l| l >= 1 && l <= n)
        .collect();
    picks.dedup();
    picks
}

/// The layers of Fig. 2b: the paper's H3, H6, H9 (those present) and the best generating layer.
fn fig2b_layers(r: &PipelineResult) -> Vec<usize> {
    let n = r.trained.layers.len();
    let mut picks: Vec<usize> = [3usize, 6, 9].into_iter().filter(|&l| l <= n).collect();
    if let Some(b) = r.trained.best_by_generation()
        && !picks.contains(&b)
    {
        picks.push(b);
        picks.sort_unstable();
    }
    picks
}

/// The k-means clustering shown in Fig. 2b (the second largest K, as the paper's 2^12 of 2^14).
fn fig2b_kmeans(r: &PipelineResult) -> Option<&KMeansPoint> {
    r.kmeans.iter().rev().nth(1).or(r.kmeans.last())
}

/// The networks of a run with their names in the data files.
fn networks(r: &PipelineResult) -> Vec<(&'static str, &NetworkResult)> {
    let mut v = vec![("trained", &r.trained), ("epoch0", &r.epoch0)];
    if let Some(s) = &r.shuffled {
        v.push(("shuffled", s));
    }
    if let Some(c) = &r.contrast {
        v.push(("contrast", c));
    }
    v
}

fn opt(x: Option<f64>) -> Cell {
    Cell::from(x.unwrap_or(f64::NAN))
}

/// The data behind Fig. 2a, 2c, 2d and 3g: one row per layer of every network
/// (`network,layer,width,H_s,H_k,n_states,beta,beta_stderr,xmin,classification_error,
/// generation_ability,kl_pq`; H divided by ln M, NaN where a value does not exist).
fn layer_rows(r: &PipelineResult) -> Vec<Vec<Cell>> {
    networks(r)
        .into_iter()
        .flat_map(|(name, n)| {
            n.layers.iter().map(move |l| {
                let a = &l.analysis;
                let f = a.powerlaw;
                vec![
                    Cell::from(name),
                    l.layer.into(),
                    a.width.into(),
                    a.entropies.h_s_norm.into(),
                    a.entropies.h_k_norm.into(),
                    a.entropies.n_states.into(),
                    opt(f.map(|f| f.beta)),
                    opt(f.map(|f| f.alpha_stderr)),
                    opt(f.map(|f| f.xmin as f64)),
                    opt(a.classification_error),
                    opt(l.generation.as_ref().map(|g| g.generation_ability)),
                    opt(l.generation.as_ref().map(|g| g.kl_pq)),
                ]
            })
        })
        .collect()
}

const LAYER_HEADER: [&str; 12] = [
    "network",
    "layer",
    "width",
    "H_s",
    "H_k",
    "n_states",
    "beta",
    "beta_stderr",
    "xmin",
    "classification_error",
    "generation_ability",
    "kl_pq",
];

/// Draws the figures of 003 (Fig. 2a-d, Fig. 3) into `dir`, each with its data beside it
/// (`<stem>.csv`, or `<stem>.npz` for generated images); returns `(file stem, caption)` of each.
pub fn pipeline_figures(
    r: &PipelineResult,
    dir: &Path,
    image_shape: Option<(usize, usize)>,
) -> Result<Vec<(String, String)>> {
    let mut figs = Vec::new();
    let hs = |n: &NetworkResult| {
        n.layers
            .iter()
            .map(|l| l.analysis.entropies.h_s_norm)
            .collect::<Vec<_>>()
    };
    let hk = |n: &NetworkResult| {
        n.layers
            .iter()
            .map(|l| l.analysis.entropies.h_k_norm)
            .collect::<Vec<_>>()
    };
    let rows = layer_rows(r);
    // Fig. 2a
    let mut a = LinePlot::new(
        format!("Resolution and relevance (M = {})", r.m),
        "H[s] / ln M",
        "H[k] / ln M",
    );
    a.x_range = Some((0.0, 1.0));
    a.y_range = Some((0.0, 0.6));
    a = a
        .with(bound_series(&r.bound))
        .with(
            Series::line("DBN trained", hs(&r.trained), hk(&r.trained))
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::points("DBN epoch 0", hs(&r.epoch0), hk(&r.epoch0)));
    let mut shuffled_note = String::new();
    if let Some(s) = &r.shuffled {
        a = a.with(Series::points("shuffled pixels", hs(s), hk(s)));
        let single = s
            .layers
            .iter()
            .filter(|l| l.analysis.entropies.n_states == 1)
            .count();
        if single > 0 {
            shuffled_note = format!(
                " Shuffled pixels: {single} of {} layers map every input to one state (the point at the origin).",
                s.layers.len()
            );
        }
    }
    if let Some(c) = &r.contrast {
        a = a.with(Series::points("contrast (not narrowing)", hs(c), hk(c)));
    }
    a = a.with(Series::points(
        "k-means",
        r.kmeans
            .iter()
            .map(|k| k.analysis.entropies.h_s_norm)
            .collect(),
        r.kmeans
            .iter()
            .map(|k| k.analysis.entropies.h_k_norm)
            .collect(),
    ));
    a.save(&dir.join("fig2a_hs_hk"))?;
    let mut rows_2a: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            vec![
                row[0].clone(),
                row[1].clone(),
                row[3].clone(),
                row[4].clone(),
            ]
        })
        .collect();
    rows_2a.extend(r.kmeans.iter().map(|k| {
        vec![
            Cell::from("kmeans"),
            k.k.into(),
            k.analysis.entropies.h_s_norm.into(),
            k.analysis.entropies.h_k_norm.into(),
        ]
    }));
    rows_2a.extend(r.bound.iter().enumerate().map(|(i, p)| {
        vec![
            Cell::from("bound"),
            i.into(),
            p.entropies.h_s_norm.into(),
            p.entropies.h_k_norm.into(),
        ]
    }));
    write_csv(
        &dir.join("fig2a_hs_hk.csv"),
        &["series", "index", "H_s", "H_k"],
        rows_2a,
    )?;
    figs.push(("fig2a_hs_hk".into(), format!("Fig. 2a: H[k] against H[s] (both / ln M, dimensionless) per layer, before and after training, shuffled pixels, a non-narrowing network, k-means, and the maximal-relevance bound (grey dotted). In the data file `index` is the layer for networks, K for k-means and the point's number on the bound.{shuffled_note}")));
    // Fig. 2b
    let mut b = LinePlot::new("Degeneracy of state frequencies", "k", "m_k");
    b.log_x = true;
    b.log_y = true;
    let mut rows_2b: Vec<Vec<Cell>> = Vec::new();
    let mut fits = Vec::new();
    let mut shown: Vec<(String, &LayerAnalysis)> = fig2b_layers(r)
        .into_iter()
        .map(|l| (format!("H{l}"), &r.trained.layers[l - 1].analysis))
        .collect();
    if let Some(k) = fig2b_kmeans(r) {
        shown.push((format!("k-means K = {}", k.k), &k.analysis));
    }
    for (name, a) in &shown {
        b = b.with(mk_series(name, &a.degeneracy));
        rows_2b.extend(a.degeneracy.iter().map(|&(k, m)| {
            vec![
                Cell::from(name.as_str()),
                "data".into(),
                (k as f64).into(),
                (m as f64).into(),
            ]
        }));
    }
    for (name, a) in &shown {
        if let Some(f) = &a.powerlaw {
            let mut line = power_line(f, &a.degeneracy);
            line.label = if fits.is_empty() {
                "power-law fits (k >= x_min)".into()
            } else {
                String::new()
            };
            rows_2b.extend(
                line.x.iter().zip(&line.y).map(|(&k, &m)| {
                    vec![Cell::from(name.as_str()), "fit".into(), k.into(), m.into()]
                }),
            );
            fits.push(format!("{name} {:.2} ± {:.2}", f.beta, f.alpha_stderr));
            b = b.with(line);
        }
    }
    b.save(&dir.join("fig2b_mk"))?;
    write_csv(
        &dir.join("fig2b_mk.csv"),
        &["series", "kind", "k", "m_k"],
        rows_2b,
    )?;
    figs.push((
        "fig2b_mk".into(),
        format!(
            "Fig. 2b: m_k against k for the paper's layers 3, 6, 9, the best generating layer and a k-means clustering, with the fitted discrete power laws m_k ∝ k^(-β-1) (grey dotted, from x_min up). Fitted β: {}.",
            if fits.is_empty() {
                "none".into()
            } else {
                fits.join(", ")
            }
        ),
    ));
    // Fig. 2c
    let beta = |n: &NetworkResult| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let pts: Vec<_> = n
            .layers
            .iter()
            .filter_map(|l| {
                l.analysis
                    .powerlaw
                    .map(|f| (l.layer as f64, f.beta, f.alpha_stderr))
            })
            .collect();
        (
            pts.iter().map(|p| p.0).collect(),
            pts.iter().map(|p| p.1).collect(),
            pts.iter().map(|p| p.2).collect(),
        )
    };
    let (x1, y1, e1) = beta(&r.trained);
    let (x0, y0, e0) = beta(&r.epoch0);
    // Ensemble means ± standard errors over the realizations of the trained DBN (when several).
    let ens = r.ensemble_layers();
    let n_real = r.realizations().len();
    let ens_series = |f: &dyn Fn(
        &spinlearn_relevance::experiments::EnsembleLayer,
    )
        -> Option<spinlearn_relevance::experiments::EnsembleValue>|
     -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let pts: Vec<(f64, f64, f64)> = ens
            .iter()
            .filter_map(|e| f(e).map(|v| (e.layer as f64, v.mean, v.stderr)))
            .collect();
        (
            pts.iter().map(|p| p.0).collect(),
            pts.iter().map(|p| p.1).collect(),
            pts.iter().map(|p| p.2).collect(),
        )
    };
    let ens_label = format!("trained, mean ± s.e. over {n_real} realizations");
    if n_real > 1 {
        let rows: Vec<Vec<Cell>> = ens
            .iter()
            .map(|e| {
                let v = |x: Option<spinlearn_relevance::experiments::EnsembleValue>| {
                    x.map_or((f64::NAN, f64::NAN), |v| (v.mean, v.stderr))
                };
                let (b, be) = v(e.beta);
                let (c, ce) = v(e.classification_error);
                let (g, ge) = v(e.generation_ability);
                vec![
                    (e.layer as f64).into(),
                    e.h_s_norm.mean.into(),
                    e.h_s_norm.stderr.into(),
                    e.h_k_norm.mean.into(),
                    e.h_k_norm.stderr.into(),
                    b.into(),
                    be.into(),
                    c.into(),
                    ce.into(),
                    g.into(),
                    ge.into(),
                    (n_real as f64).into(),
                ]
            })
            .collect();
        write_csv(
            &dir.join("ensemble_layers.csv"),
            &[
                "layer",
                "H_s_norm",
                "H_s_norm_se",
                "H_k_norm",
                "H_k_norm_se",
                "beta",
                "beta_se",
                "classification_error",
                "classification_error_se",
                "generation_ability",
                "generation_ability_se",
                "realizations",
            ],
            rows,
        )?;
    }
    let mut c = LinePlot::new(
        "Power-law exponent per layer",
        "layer",
        "beta (m_k ∝ k^(-beta-1))",
    );
    c.hlines.push((1.0, "Zipf, beta = 1".into()));
    c = c
        .with(
            Series::line("trained", x1, y1)
                .with_err(e1)
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::points("epoch 0", x0, y0).with_err(e0));
    if n_real > 1 {
        let (x, y, e) = ens_series(&|e| e.beta);
        c = c.with(
            Series::line(ens_label.clone(), x, y)
                .with_err(e)
                .with_style(SeriesStyle::Dashed),
        );
    }
    c.save(&dir.join("fig2c_beta"))?;
    write_csv(&dir.join("fig2c_beta.csv"), &LAYER_HEADER, rows.clone())?;
    figs.push(("fig2c_beta".into(), if n_real > 1 {
        format!("Fig. 2c: fitted beta (m_k ~ k^(-beta-1), discrete MLE with KS x_min) per layer: the first trained network and epoch 0 with the fit's standard error, and the mean ± standard error over {n_real} independently trained realizations (dashed; per-layer values in ensemble_layers.csv).")
    } else {
        "Fig. 2c: fitted beta (m_k ~ k^(-beta-1), discrete MLE with KS x_min) per layer, trained and untrained; error bars are the fit's standard error (one network, not the paper's twelve).".into()
    }));
    // Fig. 2d
    let err = |n: &NetworkResult| {
        (
            n.layers.iter().map(|l| l.layer as f64).collect::<Vec<_>>(),
            n.layers
                .iter()
                .map(|l| l.analysis.classification_error.unwrap_or(f64::NAN))
                .collect::<Vec<_>>(),
        )
    };
    let (xe, ye) = err(&r.trained);
    let (xe0, ye0) = err(&r.epoch0);
    let mut d = LinePlot::new(
        "Classification error per layer",
        "layer",
        "classification error (fraction of samples)",
    )
    .with(Series::line("trained", xe, ye).with_style(SeriesStyle::LinePoints))
    .with(Series::points("epoch 0", xe0, ye0));
    if n_real > 1 {
        let (x, y, e) = ens_series(&|e| e.classification_error);
        d = d.with(
            Series::line(ens_label.clone(), x, y)
                .with_err(e)
                .with_style(SeriesStyle::Dashed),
        );
    }
    d.save(&dir.join("fig2d_error"))?;
    write_csv(&dir.join("fig2d_error.csv"), &LAYER_HEADER, rows.clone())?;
    figs.push(("fig2d_error".into(), if n_real > 1 {
        format!("Fig. 2d: fraction of samples whose label differs from the majority label of their hidden state: the first trained network, epoch 0, and the mean ± standard error over {n_real} realizations (dashed).")
    } else {
        "Fig. 2d: fraction of samples whose label differs from the majority label of their hidden state (one network, no error bars).".into()
    }));
    // Fig. 3: samples and generation ability against beta.
    let n = r.trained.layers.len();
    if let Some(shape) = image_shape {
        for l in fig3_layers(n) {
            if let Some(s) = &r.trained.layers[l - 1].samples {
                let imgs: Vec<Vec<f32>> = s.rows().into_iter().map(|r| r.to_vec()).collect();
                let cols = (imgs.len() as f64).sqrt().ceil() as usize;
                let mut g = ImageGrid::new(imgs, shape, cols.max(1));
                g.title = format!("Generated from H{l}");
                let name = format!("fig3_samples_h{l}");
                g.save(&dir.join(&name))?;
                let mut npz = NpzWriter::new(&dir.join(format!("{name}.npz")), true);
                npz.add("images", s)?;
                npz.add(
                    "image_shape",
                    &ndarray::arr1(&[shape.0 as u64, shape.1 as u64]),
                )?;
                npz.add("layer", &ndarray::arr0(l as u64))?;
                npz.finish()?;
                figs.push((
                    name,
                    format!("Fig. 3: samples generated from hidden layer {l} (pixel means; `images` in the data file, one row per sample)."),
                ));
            }
        }
    }
    let gen_pts = |n: &NetworkResult| -> Vec<(f64, f64, f64)> {
        n.layers
            .iter()
            .filter_map(|l| {
                Some((
                    l.analysis.powerlaw?.beta,
                    l.generation.as_ref()?.generation_ability,
                    l.analysis.classification_error?,
                ))
            })
            .collect()
    };
    let g = gen_pts(&r.trained);
    if !g.is_empty() {
        let mut plot = LinePlot::new(
            "Generation ability and classification error against beta",
            "beta",
            "1/KL(P || Q) (1/nats)  and  10 x error",
        );
        plot.vlines.push((1.0, "beta = 1".into()));
        plot = plot
            .with(Series::points(
                "generation ability",
                g.iter().map(|p| p.0).collect(),
                g.iter().map(|p| p.1).collect(),
            ))
            .with(Series::points(
                "10 x classification error",
                g.iter().map(|p| p.0).collect(),
                g.iter().map(|p| 10.0 * p.2).collect(),
            ));
        if n_real > 1 {
            // Per layer: mean beta against mean generation ability ± its standard error.
            let pts: Vec<(f64, f64, f64)> = ens
                .iter()
                .filter_map(|e| {
                    let (b, g) = (e.beta?, e.generation_ability?);
                    Some((b.mean, g.mean, g.stderr))
                })
                .collect();
            plot = plot.with(
                Series::points(
                    format!("generation ability, mean ± s.e. over {n_real} realizations"),
                    pts.iter().map(|p| p.0).collect(),
                    pts.iter().map(|p| p.1).collect(),
                )
                .with_err(pts.iter().map(|p| p.2).collect()),
            );
        }
        if let Some(c) = &r.contrast {
            let gc = gen_pts(c);
            plot = plot.with(Series::points(
                "contrast: generation ability",
                gc.iter().map(|p| p.0).collect(),
                gc.iter().map(|p| p.1).collect(),
            ));
        }
        plot.save(&dir.join("fig3g_generation"))?;
        write_csv(&dir.join("fig3g_generation.csv"), &LAYER_HEADER, rows)?;
        figs.push(("fig3g_generation".into(), if n_real > 1 {
            format!("Fig. 3g: generation ability 1/KL(P_train(label) || Q_generated(label)) (KL in nats) and classification error per layer against beta, for the first trained network, and the generation ability's mean ± standard error over {n_real} realizations (each trained and generating from its own seed) against their mean beta (the paper: twelve ensembles).")
        } else {
            "Fig. 3g: generation ability 1/KL(P_train(label) || Q_generated(label)) (KL in nats) and classification error per layer against beta. One ensemble of generated samples per layer, so no error bars (the paper's come from twelve ensembles).".into()
        }));
        let mut lab = LinePlot::new(
            "Label distribution of generated samples",
            "label",
            "frequency",
        );
        lab = lab.with(
            Series::line(
                "training P(label)",
                (0..r.p_label.len()).map(|i| i as f64).collect(),
                r.p_label.clone(),
            )
            .with_style(SeriesStyle::Dashed),
        );
        let labels: Vec<f64> = (0..r.p_label.len()).map(|i| i as f64).collect();
        let mut header = vec!["label".to_string(), "P_train".to_string()];
        let mut cols: Vec<Vec<f64>> = vec![labels, r.p_label.clone()];
        let shown = fig3_layers(n);
        for l in &r.trained.layers {
            if let Some(gs) = &l.generation
                && shown.contains(&l.layer)
            {
                lab = lab.with(
                    Series::line(
                        format!("H{}", l.layer),
                        (0..gs.q.len()).map(|i| i as f64).collect(),
                        gs.q.clone(),
                    )
                    .with_style(SeriesStyle::LinePoints),
                );
                if gs.q.len() == r.p_label.len() {
                    header.push(format!("Q_H{}", l.layer));
                    cols.push(gs.q.clone());
                }
            }
        }
        lab.save(&dir.join("fig3def_labels"))?;
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        write_columns(&dir.join("fig3def_labels.csv"), &header, &cols)?;
        figs.push(("fig3def_labels".into(), "Fig. 3d-f: label frequencies of samples generated from shallow, middle and deep layers, with the training distribution (dashed).".into()));
    }
    Ok(figs)
}
