//! `spinlearn bp learn|sweep`: the one-bit RBM with ternary synapses learned by message passing
//! (paper 000). Glue only: the learner and the sweeps live in `spinlearn-bp`.

use crate::cmd::data::load_named_or_file;
use crate::common::{Ctx, Experiment, execute, parse_digits};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use ndarray::{Array1, Array2};
use serde::Serialize;
use serde_json::{Map, Value, json};
use spinlearn_bp::experiments::{SizeSweep, SizeSweepConfig, size_sweep};
use spinlearn_bp::spins::{self, NeuronAxis, RetinaParams};
use spinlearn_bp::{BpParams, learn};
use spinlearn_core::record::RunDir;
use spinlearn_data::npy;
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use std::path::PathBuf;

/// The `bp` subcommands.
#[derive(Debug, Subcommand)]
pub enum BpCmd {
    /// Learn one ternary feature from ±1 data: marginals, MPM feature map, rho, m_cav.
    Learn(LearnArgs),
    /// rho and m_cav against the data size M over random selections (paper 000, Figs. 1, 2, 4).
    Sweep(SweepArgs),
}

/// Runs a `bp` subcommand.
pub fn run_cmd(cmd: &BpCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        BpCmd::Learn(a) => execute(a, ctx),
        BpCmd::Sweep(a) => execute(a, ctx),
    }
}

/// The learner's flags, shared by `learn` and `sweep`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct LearnerArgs {
    /// Inverse temperature beta of eq. (1).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub beta: f64,
    /// Damping d in [0, 1): m <- d m_old + (1 - d) m_new.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub damping: f64,
    /// Convergence tolerance on max |m_new - m_old| per sweep.
    #[arg(long, default_value_t = 1e-6)]
    pub tol: f64,
    /// Iteration cap (sweeps).
    #[arg(long, default_value_t = 2000)]
    pub max_iter: usize,
}

impl LearnerArgs {
    fn params(&self) -> BpParams {
        BpParams {
            beta: self.beta,
            damping: self.damping,
            tol: self.tol,
            max_iter: self.max_iter,
            ..BpParams::default()
        }
    }
}

/// Where the ±1 samples come from.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SpinDataArgs {
    /// A named dataset (`mnist`, `bars4`, …; see `data list`) or a file (.npy or .txt, rows =
    /// samples; values ±1, 0/1, or pixels in [0, 1] thresholded at --threshold).
    #[arg(long = "data", default_value = "mnist", value_name = "NAME|FILE")]
    pub data: String,
    /// Keep only these labels (labelled datasets), comma-separated.
    #[arg(long, default_value = "0,1", value_name = "LIST")]
    pub digits: String,
    /// A pixel above this fraction of full scale is +1, else -1.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Directory of the full standard MNIST (train set) instead of the embedded subset.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

/// Loaded spin samples.
struct SpinPool {
    /// `(n_samples, N)` spins.
    spins: Array2<f64>,
    /// `(h, w)` when samples are images.
    shape: Option<(usize, usize)>,
    /// The data's name for titles and summaries.
    name: String,
}

impl SpinDataArgs {
    /// The pool of spin samples and the image shape, if any.
    fn load(&self) -> Result<SpinPool> {
        anyhow::ensure!(
            (0.0..1.0).contains(&self.threshold),
            "invalid parameter `threshold`: must lie in [0, 1), got {}",
            self.threshold
        );
        let mut ds = load_named_or_file(&self.data, self.mnist_dir.as_deref())?;
        if ds.labels.is_some() && !self.digits.trim().is_empty() {
            let digits = parse_digits(&self.digits)?;
            ds = spinlearn_data::transform::select_labels(&ds, &digits)?;
        }
        anyhow::ensure!(ds.n_samples() > 0, "dataset `{}` has no samples", ds.name);
        Ok(SpinPool {
            spins: spins::pixels_to_spins(ds.data.view(), self.threshold as f32),
            shape: ds.image_shape,
            name: ds.name,
        })
    }
}

/// `spinlearn bp learn`: one run of message passing on `--m` random samples.
#[derive(Debug, Clone, Args, Serialize)]
pub struct LearnArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: SpinDataArgs,
    /// Number of samples M drawn at random from the data (default: all of them).
    #[arg(long = "m", value_name = "M")]
    pub m: Option<usize>,
    #[command(flatten)]
    #[serde(flatten)]
    pub learner: LearnerArgs,
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

/// Saves ternary feature maps (black -1, gray 0, white +1) as `stem.png`/`stem.svg`.
pub fn save_features(
    stem: &std::path::Path,
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

impl Experiment for LearnArgs {
    const KIND: &'static str = "bp learn";

    fn validate(&self) -> Result<()> {
        self.learner.params().check()?;
        if let Some(m) = self.m {
            anyhow::ensure!(m > 0, "invalid parameter `m`: must be at least 1, got 0");
        }
        parse_digits(&self.data.digits)?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let SpinPool {
            spins: pool,
            shape,
            name,
        } = self.data.load()?;
        let m = self.m.unwrap_or(pool.nrows());
        let data = spins::random_rows(pool.view(), m, &mut ctx.seed.named("select").stream(0))
            .with_context(|| format!("dataset `{name}` has {} samples", pool.nrows()))?;
        let params = self.learner.params().check()?;
        let mut progress = ctx.progress();
        let r = learn(
            data.view(),
            &params,
            &mut ctx.seed.named("init").stream(0),
            &mut progress,
        )?;
        drop(progress);
        npy::write_npy(&dir.file("marginals.npy"), &r.marginals)?;
        npy::write_npy(
            &dir.file("feature.npy"),
            &Array1::from_vec(r.feature.clone()),
        )?;
        let status = if r.converged {
            "converged"
        } else {
            "NOT converged"
        };
        save_features(
            &dir.file("feature_map"),
            &format!(
                "{name}: M = {m}, beta = {}, rho = {:.3} ({status})",
                self.learner.beta, r.rho
            ),
            std::slice::from_ref(&r.feature),
            vec![format!("M = {m}")],
            shape,
            1,
        )?;
        if !r.converged {
            ctx.say(format!(
                "warning: message passing did not converge in {} sweeps (residual {:.2e}); figures are the last iterate's",
                r.iterations, r.residual
            ));
        }
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
            "dataset": name,
            "feature_counts": {"minus": count(-1), "zero": count(0), "plus": count(1)},
            "files": ["marginals.npy", "feature.npy", "feature_map.png", "feature_map.svg"],
        }))
    }
}

/// Which axis of a raster indexes neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AxisArg {
    /// Rows are neurons, columns time bins.
    Rows,
    /// Columns are neurons, rows time bins.
    Cols,
}

/// `spinlearn bp sweep`: rho, m_cav (mean ± std over selections) against M.
#[derive(Debug, Clone, Args, Serialize)]
pub struct SweepArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: SpinDataArgs,
    /// A spike raster (.npy or text, 0/1) to learn from instead of --data (retinal activity).
    #[arg(long, value_name = "FILE", conflicts_with = "synthetic_retina")]
    pub raster: Option<PathBuf>,
    /// Which axis of --raster indexes neurons.
    #[arg(long, value_enum, default_value = "rows")]
    pub neurons: AxisArg,
    /// Learn from the SYNTHETIC retina stand-in (160 neurons, Ising model, sparse firing).
    #[arg(long)]
    pub synthetic_retina: bool,
    /// Data sizes M, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "4,8,16,32,64,128,256,512,1024"
    )]
    pub sizes: Vec<usize>,
    /// Random selections per size.
    #[arg(long, default_value_t = 10)]
    pub selections: usize,
    #[command(flatten)]
    #[serde(flatten)]
    pub learner: LearnerArgs,
}

/// `summary`-style objects keyed by M from a sweep.
pub fn keyed_by_m(
    sweep: &SizeSweep,
    f: impl Fn(&spinlearn_bp::experiments::SizePoint) -> f64,
) -> Value {
    let mut map = Map::new();
    for p in &sweep.points {
        map.insert(p.m.to_string(), json!(f(p)));
    }
    Value::Object(map)
}

/// The rho / m_cav / asymptote plot of a size sweep.
pub fn sweep_plot(title: &str, sweep: &SizeSweep) -> LinePlot {
    let ms: Vec<f64> = sweep.points.iter().map(|p| p.m as f64).collect();
    let col = |f: &dyn Fn(&spinlearn_bp::experiments::SizePoint) -> f64| -> Vec<f64> {
        sweep.points.iter().map(f).collect()
    };
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

impl Experiment for SweepArgs {
    const KIND: &'static str = "bp sweep";

    fn validate(&self) -> Result<()> {
        self.learner.params().check()?;
        anyhow::ensure!(
            self.selections > 0,
            "invalid parameter `selections`: must be at least 1, got 0"
        );
        anyhow::ensure!(
            !self.sizes.is_empty(),
            "invalid parameter `sizes`: empty list"
        );
        anyhow::ensure!(
            self.sizes.iter().all(|&m| m > 0),
            "invalid parameter `sizes`: every M must be at least 1"
        );
        parse_digits(&self.data.digits)?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let (pool, shape, name) = if let Some(path) = &self.raster {
            let axis = match self.neurons {
                AxisArg::Rows => NeuronAxis::Rows,
                AxisArg::Cols => NeuronAxis::Cols,
            };
            let pool = spins::load_raster(path, axis)?;
            (pool, None, format!("raster {}", path.display()))
        } else if self.synthetic_retina {
            let p = RetinaParams::default();
            let pool = spins::synthetic_retina(&p, ctx.seed.named("retina"))?;
            (
                pool,
                None,
                "SYNTHETIC retina stand-in (160-neuron Ising model)".to_string(),
            )
        } else {
            let p = self.data.load()?;
            (p.spins, p.shape, p.name)
        };
        let cfg = SizeSweepConfig {
            sizes: self.sizes.clone(),
            n_selections: self.selections,
            params: self.learner.params(),
            seed: ctx.seed,
        };
        let progress = ctx.progress();
        let sweep = size_sweep(pool.view(), &cfg, &|| progress.inc())?;
        drop(progress);
        anyhow::ensure!(
            !sweep.points.is_empty(),
            "invalid parameter `sizes`: every size exceeds the {} samples available",
            pool.nrows()
        );
        if !sweep.skipped.is_empty() {
            ctx.say(format!(
                "skipped sizes larger than the {} samples: {:?}",
                pool.nrows(),
                sweep.skipped
            ));
        }
        sweep_plot(&format!("{name}: beta = {}", self.learner.beta), &sweep)
            .save(&dir.file("rho_mcav"))?;
        let feats: Vec<Vec<i8>> = sweep.features.iter().map(|f| f.feature.clone()).collect();
        let caps = sweep
            .features
            .iter()
            .map(|f| format!("M = {}", f.m))
            .collect();
        save_features(
            &dir.file("features"),
            &format!("{name}: feature maps (selection 0)"),
            &feats,
            caps,
            shape,
            3,
        )?;
        spinlearn_core::record::write_json(&dir.file("runs.json"), &sweep.runs)?;
        Ok(json!({
            "dataset": name,
            "rho": keyed_by_m(&sweep, |p| p.rho_mean),
            "rho_std": keyed_by_m(&sweep, |p| p.rho_std),
            "m_cav": keyed_by_m(&sweep, |p| p.m_cav_mean),
            "m_cav_std": keyed_by_m(&sweep, |p| p.m_cav_std),
            "rho_asympt": keyed_by_m(&sweep, |p| p.rho_asympt_mean),
            "n_converged": keyed_by_m(&sweep, |p| p.n_converged as f64),
            "skipped_sizes": sweep.skipped,
            "convergence": {
                "fraction_converged": spinlearn_bp::experiments::fraction_converged(&sweep.runs),
                "n_runs": sweep.runs.len(),
            },
        }))
    }
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
