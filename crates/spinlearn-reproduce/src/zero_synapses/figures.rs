//! Figures, tables and output files of paper 000's message-passing results, shared by the
//! `zero-synapses` report section and the `spinlearn bp learn|sweep` commands: ternary feature
//! maps, the rho / m_cav plot against `M`, rho against beta, and summaries keyed by `M`.
//!
//! Feature maps are drawn as the paper draws them (the MPM estimator `argmax_xi P_i(xi)`), with two
//! conventions the paper leaves open: `xi -> -xi` is a symmetry of eq. (2), so each map of a
//! sequence is flipped to overlap non-negatively with the one before it; and a synapse is drawn
//! only when its margin (largest marginal minus the second largest) exceeds [`MARGIN_FACTOR`]
//! times the run's convergence tolerance; below that the decision is rounding noise of the
//! unconverged messages, and the synapse is drawn gray.

use crate::Result;
use ndarray::{Array1, Array2, ArrayD, IxDyn};
use serde_json::{Map, Value, json};
use spinlearn_bp::BpResult;
use spinlearn_bp::experiments::{BetaSweep, FeatureMap, SizePoint, SizeSweep, fraction_converged};
use spinlearn_core::table::write_csv;
use spinlearn_data::npy::{NpyArray, write_npz};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::path::Path;

/// A synapse is drawn (black -1, white +1) only when its margin exceeds this many convergence
/// tolerances. With tol = 1e-6 the marginals move by at most 2e-6 when the tolerance is tightened
/// to 1e-11 (MNIST 0/1, M = 8 ... 512, beta = 0.5 and 10), so 100 tolerances leave no drawn
/// synapse that a tighter tolerance would change.
pub const MARGIN_FACTOR: f64 = 100.0;

/// The margin of each synapse's MPM decision: the largest of `P_i(-1), P_i(0), P_i(+1)` minus the
/// second largest (`marginals` is `(N, 3)`).
pub fn margins(marginals: &Array2<f64>) -> Vec<f64> {
    marginals
        .rows()
        .into_iter()
        .map(|p| {
            let mut v = [p[0], p[1], p[2]];
            v.sort_by(f64::total_cmp);
            v[2] - v[1]
        })
        .collect()
}

/// A feature map as drawn: sign-aligned with its predecessor in a sequence of maps, undecided
/// synapses set to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnMap {
    /// Data size `M`.
    pub m: usize,
    /// Inverse temperature.
    pub beta: f64,
    /// The drawn map, length `N`, values in {-1, 0, +1}: the MPM value where the margin exceeds
    /// `threshold`, else 0.
    pub xi: Vec<i8>,
    /// Marginals after alignment, `(N, 3)`: `P_i(-1)`, `P_i(0)`, `P_i(+1)`.
    pub marginals: Array2<f64>,
    /// Margin of each synapse (largest marginal minus the second largest).
    pub margin: Vec<f64>,
    /// Margin below which a synapse is undecided: [`MARGIN_FACTOR`] times the run's tolerance.
    pub threshold: f64,
    /// Whether the map was flipped (`xi -> -xi`) to align with its predecessor.
    pub flipped: bool,
}

impl DrawnMap {
    /// Synapses whose MPM value is ±1 but whose margin is below the threshold (drawn gray).
    pub fn n_undecided(&self) -> usize {
        self.marginals
            .rows()
            .into_iter()
            .zip(&self.margin)
            .filter(|(p, g)| **g <= self.threshold && p[1] < p[0].max(p[2]))
            .count()
    }

    /// Fraction of the drawn synapses that are 0 (zero or undecided).
    pub fn zero_fraction(&self) -> f64 {
        self.xi.iter().filter(|&&x| x == 0).count() as f64 / self.xi.len().max(1) as f64
    }
}

/// Draws a sequence of maps (in the order given, e.g. ascending `M`): each is thresholded at
/// `factor` times its run's tolerance, then flipped when its overlap `sum_i xi_i xi'_i` with the
/// last non-empty drawn map before it is negative (when the drawn maps do not overlap, the
/// magnetizations `P_i(+1) - P_i(-1)` of the two maps decide).
pub fn draw_maps(maps: &[FeatureMap], factor: f64) -> Vec<DrawnMap> {
    let mut out: Vec<DrawnMap> = Vec::with_capacity(maps.len());
    for f in maps {
        let threshold = factor * f.tol;
        let margin = margins(&f.marginals);
        let mut xi: Vec<i8> = f
            .marginals
            .rows()
            .into_iter()
            .zip(&margin)
            .map(|(p, &g)| {
                if g <= threshold || (p[1] >= p[0] && p[1] >= p[2]) {
                    0
                } else if p[2] > p[0] {
                    1
                } else {
                    -1
                }
            })
            .collect();
        let mag: Vec<f64> = f
            .marginals
            .rows()
            .into_iter()
            .map(|p| p[2] - p[0])
            .collect();
        let reference = out.iter().rev().find(|d| d.xi.iter().any(|&x| x != 0));
        let overlap = reference.map_or(0.0, |r| {
            let q: f64 = r.xi.iter().zip(&xi).map(|(&a, &b)| f64::from(a * b)).sum();
            if q != 0.0 {
                q
            } else {
                r.marginals
                    .rows()
                    .into_iter()
                    .zip(&mag)
                    .map(|(p, &m)| (p[2] - p[0]) * m)
                    .sum()
            }
        });
        let flipped = overlap < 0.0;
        let mut marginals = f.marginals.clone();
        if flipped {
            xi.iter_mut().for_each(|x| *x = -*x);
            for mut row in marginals.rows_mut() {
                row.swap(0, 2);
            }
        }
        out.push(DrawnMap {
            m: f.m,
            beta: f.beta,
            xi,
            marginals,
            margin,
            threshold,
            flipped,
        });
    }
    out
}

/// Saves drawn maps as an image grid (`stem.png`, `stem.svg`; black -1, gray 0 or undecided,
/// white +1, one caption per map) and their data as `stem.npz`: `m` (k,), `beta` (k,), `xi`
/// (k, N) int8 drawn maps, `marginals` (k, N, 3) aligned marginals, `margin` (k, N), `threshold`
/// (k,), `flipped` (k,) bool.
pub fn save_drawn_maps(
    stem: &Path,
    title: &str,
    maps: &[DrawnMap],
    captions: Vec<String>,
    shape: Option<(usize, usize)>,
    cols: usize,
) -> Result<()> {
    let features: Vec<Vec<i8>> = maps.iter().map(|d| d.xi.clone()).collect();
    save_features(stem, title, &features, captions, shape, cols)?;
    let k = maps.len();
    let n = maps.first().map_or(0, |d| d.xi.len());
    let flat_f =
        |f: &dyn Fn(&DrawnMap) -> Vec<f64>| -> Vec<f64> { maps.iter().flat_map(f).collect() };
    let arr = |shape: &[usize], v: Vec<f64>| {
        ArrayD::from_shape_vec(IxDyn(shape), v).expect("lengths match the shape")
    };
    let xi: Vec<i8> = maps.iter().flat_map(|d| d.xi.clone()).collect();
    let arrays = [
        (
            "m",
            NpyArray::I64(arr(&[k], flat_f(&|d| vec![d.m as f64])).mapv(|x| x as i64)),
        ),
        ("beta", NpyArray::F64(arr(&[k], flat_f(&|d| vec![d.beta])))),
        (
            "xi",
            NpyArray::I8(ArrayD::from_shape_vec(IxDyn(&[k, n]), xi).expect("lengths match")),
        ),
        (
            "marginals",
            NpyArray::F64(arr(
                &[k, n, 3],
                flat_f(&|d| d.marginals.iter().copied().collect()),
            )),
        ),
        (
            "margin",
            NpyArray::F64(arr(&[k, n], flat_f(&|d| d.margin.clone()))),
        ),
        (
            "threshold",
            NpyArray::F64(arr(&[k], flat_f(&|d| vec![d.threshold]))),
        ),
        (
            "flipped",
            NpyArray::Bool(
                ArrayD::from_shape_vec(IxDyn(&[k]), maps.iter().map(|d| d.flipped).collect())
                    .expect("lengths match"),
            ),
        ),
    ];
    write_npz(&stem.with_extension("npz"), &arrays)?;
    Ok(())
}

/// Writes the points of a size sweep as `path` (CSV): `M, rho_mean, rho_std, m_cav_mean,
/// m_cav_std, rho_asympt_mean, n_runs, n_converged` (std over selections, unbiased).
pub fn write_sweep_csv(path: &Path, sweep: &SizeSweep) -> Result<()> {
    write_csv(
        path,
        &[
            "M",
            "rho_mean",
            "rho_std",
            "m_cav_mean",
            "m_cav_std",
            "rho_asympt_mean",
            "n_runs",
            "n_converged",
        ],
        sweep.points.iter().map(|p| {
            vec![
                p.m as f64,
                p.rho_mean,
                p.rho_std,
                p.m_cav_mean,
                p.m_cav_std,
                p.rho_asympt_mean,
                p.n_runs as f64,
                p.n_converged as f64,
            ]
        }),
    )?;
    Ok(())
}

/// Writes the points of a beta sweep as `path` (CSV): `M, beta, rho_mean, rho_std, m_cav_mean,
/// n_runs, n_converged`.
pub fn write_beta_csv(path: &Path, sweep: &BetaSweep) -> Result<()> {
    write_csv(
        path,
        &[
            "M",
            "beta",
            "rho_mean",
            "rho_std",
            "m_cav_mean",
            "n_runs",
            "n_converged",
        ],
        sweep.points.iter().map(|p| {
            vec![
                p.m as f64,
                p.beta,
                p.rho_mean,
                p.rho_std,
                p.m_cav_mean,
                p.n_runs as f64,
                p.n_converged as f64,
            ]
        }),
    )?;
    Ok(())
}

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

/// The feature maps of a size sweep (selection 0 at each `M`), sign-aligned across `M` and
/// thresholded at [`MARGIN_FACTOR`] tolerances ([`draw_maps`]), captioned `M = ...`, with their
/// data in `stem.npz` ([`save_drawn_maps`]). Returns the drawn maps.
pub fn save_sweep_features(
    stem: &Path,
    title: &str,
    sweep: &SizeSweep,
    shape: Option<(usize, usize)>,
    cols: usize,
) -> Result<Vec<DrawnMap>> {
    let maps = draw_maps(&sweep.features, MARGIN_FACTOR);
    let captions = maps
        .iter()
        .map(|d| {
            let u = d.n_undecided();
            if u > 0 {
                format!("M = {} ({u} undec.)", d.m)
            } else {
                format!("M = {}", d.m)
            }
        })
        .collect();
    save_drawn_maps(stem, title, &maps, captions, shape, cols)?;
    Ok(maps)
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
    let (m_lo, m_hi) = (
        ms.first().copied().unwrap_or(1.0),
        ms.last().copied().unwrap_or(1.0),
    );
    let mut plot = LinePlot::new(
        title,
        "data size M (samples)",
        "rho, m_cav (fractions; mean ± std over selections)",
    )
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
    .with(
        Series::line(
            format!(
                "rho_asympt (eps = {}; drawn where positive)",
                spinlearn_bp::bp::ASYMPTOTE_EPS
            ),
            ax,
            ay,
        )
        .with_style(SeriesStyle::Dashed),
    )
    .with(
        Series::line(
            "1/3 (the M -> 0 limit)",
            vec![m_lo, m_hi],
            vec![1.0 / 3.0; 2],
        )
        .with_style(SeriesStyle::Guide),
    );
    plot.log_x = true;
    plot.y_range = Some((0.0, 1.0));
    plot
}

/// rho against beta, one series per data size of the sweep (Fig. 3(b)).
pub fn rho_beta_plot(title: &str, sweep: &BetaSweep, sizes: &[usize]) -> LinePlot {
    let mut plot = LinePlot::new(
        title,
        "inverse temperature beta (dimensionless)",
        "rho (fraction of zero synapses; mean ± std)",
    );
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
    write_sweep_csv(&dir.join("rho_mcav.csv"), sweep)?;
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
