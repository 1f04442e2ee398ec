//! Figures, tables and output files of paper 000's message-passing results, shared by the
//! `zero-synapses` report section and the `spinlearn bp learn|sweep` commands: ternary feature
//! maps, the rho / m_cav plot against `M`, rho against beta, and summaries keyed by `M`.

use crate::Result;
use ndarray::Array1;
use serde_json::{Map, Value, json};
use spinlearn_bp::BpResult;
use spinlearn_bp::experiments::{BetaSweep, SizePoint, SizeSweep, fraction_converged};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::path::Path;

/// An `(h, w)` layout for `n` values: the image shape when known, else the divisor pair closest to
/// square (a `1 x n` strip for a prime `n`).
fn layout(n: usize, shape: Option<(usize, usize)>) -> (usize, usize) {
    if let Some((h, w)) = shape.filter(|(h, w)| h * w == n) {
        return (h, w);
    }
    let mut h = (n as f64).sqrt().floor() as usize;
    while h > 1 && !n.is_multiple_of(h) {
        h -= 1;
    }
    (h.max(1), n / h.max(1))
}

/// Saves ternary feature maps (values in {-1, 0, +1}, each of length `N`; black -1, gray 0,
/// white +1) as `stem.png` and `stem.svg`, `cols` maps per row, one caption per map. Maps are
/// drawn as `shape` images when it fits `N`, else in the most square layout.
pub fn save_features(
    stem: &Path,
    title: &str,
    features: &[Vec<i8>],
    captions: Vec<String>,
    shape: Option<(usize, usize)>,
    cols: usize,
) -> Result<()> {
    let n = features.first().map_or(0, Vec::len);
    let images: Vec<Vec<f32>> = features
        .iter()
        .map(|f| f.iter().map(|&x| f32::from(x)).collect())
        .collect();
    let mut grid = ImageGrid::ternary(images, layout(n, shape), cols.max(1));
    grid.title = title.to_string();
    grid.captions = Some(captions);
    grid.scale = if n <= 200 { 8 } else { 4 };
    grid.save(stem)?;
    Ok(())
}

/// The feature maps of a size sweep (selection 0 at each `M`), captioned `M = ...`.
pub fn save_sweep_features(
    stem: &Path,
    title: &str,
    sweep: &SizeSweep,
    shape: Option<(usize, usize)>,
    cols: usize,
) -> Result<()> {
    let features: Vec<Vec<i8>> = sweep.features.iter().map(|f| f.feature.clone()).collect();
    let captions = sweep
        .features
        .iter()
        .map(|f| format!("M = {}", f.m))
        .collect();
    save_features(stem, title, &features, captions, shape, cols)
}

/// `{"<M>": f(point)}` over the points of a size sweep (summary objects keyed by `M`).
pub fn keyed_by_m(sweep: &SizeSweep, f: impl Fn(&SizePoint) -> f64) -> Value {
    let mut map = Map::new();
    for p in &sweep.points {
        map.insert(p.m.to_string(), json!(f(p)));
    }
    Value::Object(map)
}

/// The rho / m_cav plot of a size sweep against `M` (log axis), with error bars (std over
/// selections) and the small-`m_cav` asymptote where it is still positive.
pub fn sweep_plot(title: &str, sweep: &SizeSweep) -> LinePlot {
    let ms: Vec<f64> = sweep.points.iter().map(|p| p.m as f64).collect();
    let col = |f: &dyn Fn(&SizePoint) -> f64| -> Vec<f64> { sweep.points.iter().map(f).collect() };
    // The asymptote only holds for small m_cav; draw it where it is still positive.
    let (ax, ay): (Vec<f64>, Vec<f64>) = sweep
        .points
        .iter()
        .filter(|p| p.rho_asympt_mean > 0.0)
        .map(|p| (p.m as f64, p.rho_asympt_mean))
        .unzip();
    let mut plot = LinePlot::new(title, "data size M", "rho, m_cav")
        .with(
            Series::points(
                "rho (fraction of zero synapses)",
                ms.clone(),
                col(&|p| p.rho_mean),
            )
            .with_err(col(&|p| p.rho_std))
            .with_style(SeriesStyle::LinePoints),
        )
        .with(
            Series::points("m_cav (message strength)", ms, col(&|p| p.m_cav_mean))
                .with_err(col(&|p| p.m_cav_std))
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::line("rho_asympt (small m_cav)", ax, ay).with_style(SeriesStyle::Dashed));
    plot.log_x = true;
    plot.y_range = Some((0.0, 1.0));
    plot
}

/// rho against beta, one series per data size of the sweep (Fig. 3(b)).
pub fn rho_beta_plot(title: &str, sweep: &BetaSweep, sizes: &[usize]) -> LinePlot {
    let mut plot = LinePlot::new(title, "beta", "rho (fraction of zero synapses)");
    for &m in sizes {
        let pts: Vec<_> = sweep.points.iter().filter(|p| p.m == m).collect();
        if pts.is_empty() {
            continue;
        }
        plot = plot.with(
            Series::points(
                format!("M = {m}"),
                pts.iter().map(|p| p.beta).collect(),
                pts.iter().map(|p| p.rho_mean).collect(),
            )
            .with_err(pts.iter().map(|p| p.rho_std).collect())
            .with_style(SeriesStyle::LinePoints),
        );
    }
    plot
}

/// The outputs of one learning run (`spinlearn bp learn`) in `dir`: `marginals.npy` `(N, 3)`,
/// `feature.npy` (int8, length `N`) and the feature map `feature_map.png`/`.svg`. Returns the
/// run's summary (rho, m_cav, convergence, asymptote, feature counts, files).
pub fn learn_outputs(
    dir: &Path,
    dataset: &str,
    shape: Option<(usize, usize)>,
    r: &BpResult,
) -> Result<Value> {
    spinlearn_data::npy::write_npy(&dir.join("marginals.npy"), &r.marginals)?;
    spinlearn_data::npy::write_npy(
        &dir.join("feature.npy"),
        &Array1::from_vec(r.feature.clone()),
    )?;
    let status = if r.converged {
        "converged"
    } else {
        "NOT converged"
    };
    let m = r.n_samples;
    save_features(
        &dir.join("feature_map"),
        &format!(
            "{dataset}: M = {m}, beta = {}, rho = {:.3} ({status})",
            r.beta, r.rho
        ),
        std::slice::from_ref(&r.feature),
        vec![format!("M = {m}")],
        shape,
        1,
    )?;
    let count = |v: i8| r.feature.iter().filter(|&&x| x == v).count();
    Ok(json!({
        "rho": r.rho,
        "m_cav": r.m_cav,
        "iterations": r.iterations,
        "converged": r.converged,
        "residual": r.residual,
        "rho_asympt": r.rho_asympt,
        "eps": r.eps,
        "omega": r.omega,
        "n_samples": m,
        "n_features": r.n_features,
        "beta": r.beta,
        "dataset": dataset,
        "feature_counts": {"minus": count(-1), "zero": count(0), "plus": count(1)},
        "files": ["marginals.npy", "feature.npy", "feature_map.png", "feature_map.svg"],
    }))
}

/// The outputs of a size sweep (`spinlearn bp sweep`) in `dir`: the rho / m_cav plot
/// `rho_mcav.png`/`.svg`, the feature maps `features.png`/`.svg` and every run in `runs.json`.
/// Returns the summary (rho, m_cav and their std, asymptote, convergence, keyed by `M`).
pub fn sweep_outputs(
    dir: &Path,
    dataset: &str,
    beta: f64,
    shape: Option<(usize, usize)>,
    sweep: &SizeSweep,
) -> Result<Value> {
    sweep_plot(&format!("{dataset}: beta = {beta}"), sweep).save(&dir.join("rho_mcav"))?;
    save_sweep_features(
        &dir.join("features"),
        &format!("{dataset}: feature maps (selection 0)"),
        sweep,
        shape,
        3,
    )?;
    spinlearn_core::record::write_json(&dir.join("runs.json"), &sweep.runs)?;
    Ok(json!({
        "dataset": dataset,
        "rho": keyed_by_m(sweep, |p| p.rho_mean),
        "rho_std": keyed_by_m(sweep, |p| p.rho_std),
        "m_cav": keyed_by_m(sweep, |p| p.m_cav_mean),
        "m_cav_std": keyed_by_m(sweep, |p| p.m_cav_std),
        "rho_asympt": keyed_by_m(sweep, |p| p.rho_asympt_mean),
        "n_converged": keyed_by_m(sweep, |p| p.n_converged as f64),
        "skipped_sizes": sweep.skipped,
        "convergence": {
            "fraction_converged": fraction_converged(&sweep.runs),
            "n_runs": sweep.runs.len(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_fill_exactly() {
        assert_eq!(layout(784, Some((28, 28))), (28, 28));
        assert_eq!(layout(160, None), (10, 16));
        assert_eq!(layout(7, None), (1, 7));
        assert_eq!(layout(12, Some((5, 5))), (3, 4));
    }
}
