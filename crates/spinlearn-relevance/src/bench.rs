//! `spinlearn bench relevance`: timings of the analysis (60,000 states of width 500), the bound
//! curve at M = 60,000, a power-law fit, k-means and one DBN epoch over the embedded subset.

use crate::Result;
use crate::bound::{bound_curve, default_mus};
use crate::dbn::{DbnParams, train_dbn};
use crate::kmeans::{KMeansParams, kmeans};
use crate::powerlaw::{PowerLawParams, fit};
use crate::states::StateStats;
use ndarray::Array2;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BenchConfig {
    /// States counted.
    pub n_states: usize,
    /// Width of each state.
    pub width: usize,
    /// M of the bound curve.
    pub bound_m: u64,
    /// Points on the bound curve.
    pub bound_points: usize,
    /// Run the DBN epoch on the embedded MNIST subset.
    pub dbn_epoch: bool,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            n_states: 60_000,
            width: 500,
            bound_m: 60_000,
            bound_points: 41,
            dbn_epoch: true,
        }
    }
}

/// Measured figures (seconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// The configuration.
    pub config: BenchConfig,
    /// Counting + entropies of `n_states` binary states of `width` units.
    pub analysis_seconds: f64,
    /// Distinct states found (sanity).
    pub distinct_states: u64,
    /// The bound curve.
    pub bound_seconds: f64,
    /// Largest gap between the returned objective and its upper bound on the curve (0 when every
    /// point is exact).
    pub bound_max_gap: f64,
    /// Points of the curve solved exactly (all of them unless the rounding guard of
    /// [`crate::bound::max_relevance_reduced`] fired).
    pub bound_exact_points: usize,
    /// Points of the curve (the μ sweep with μ > -1 and the low-resolution branch).
    pub bound_total_points: usize,
    /// Power-law fit with automatic x_min on the frequencies.
    pub powerlaw_seconds: f64,
    /// k-means, K = 64, 10,000 x 784, 10 iterations, 1 restart.
    pub kmeans_seconds: f64,
    /// One epoch of the first DBN layer (784 -> 500, PCD-1, batch 100) over the embedded 10,000
    /// digits, when run.
    pub dbn_epoch_seconds: Option<f64>,
    /// Rayon threads.
    pub threads: usize,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.config;
        writeln!(f, "relevance benchmark ({} threads)", self.threads)?;
        writeln!(
            f,
            "  analysis of {} states x {} units: {:.1} ms ({} distinct)",
            c.n_states,
            c.width,
            self.analysis_seconds * 1e3,
            self.distinct_states
        )?;
        writeln!(
            f,
            "  bound curve at M = {} ({} mu values, {} points with the low branch): {:.2} s, exact on {}/{} points (max gap {:.1e})",
            c.bound_m,
            c.bound_points,
            self.bound_total_points,
            self.bound_seconds,
            self.bound_exact_points,
            self.bound_total_points,
            self.bound_max_gap
        )?;
        writeln!(
            f,
            "  power-law fit (auto x_min): {:.1} ms",
            self.powerlaw_seconds * 1e3
        )?;
        writeln!(
            f,
            "  k-means K=64 on 10,000 x 784, 10 iterations: {:.2} s",
            self.kmeans_seconds
        )?;
        match self.dbn_epoch_seconds {
            Some(s) => write!(
                f,
                "  DBN layer-1 epoch (784-500, 10,000 digits, PCD-1): {s:.2} s"
            ),
            None => write!(f, "  DBN epoch: not run"),
        }
    }
}

/// Runs the benchmark (timings only: no progress is reported, so that nothing but the work is
/// timed). States are drawn from a clustered source (200 prototypes with 1 % bit
/// flips and 1/3 copies) so that there are repeats to count.
/// The synthetic states and the data of the k-means and DBN timings are drawn from `seed`.
pub fn bench(config: &BenchConfig, seed: Seed) -> Result<BenchReport> {
    let mut rng = seed.stream(0);
    let (n, w) = (config.n_states, config.width);
    let protos = Array2::from_shape_fn((200, w), |_| f32::from(rng.random::<bool>()));
    let mut x = Array2::<f32>::zeros((n, w));
    for i in 0..n {
        let p = rng.random_range(0..200);
        let exact = rng.random::<f64>() < 1.0 / 3.0;
        for j in 0..w {
            let v = protos[[p, j]];
            x[[i, j]] = if !exact && rng.random::<f64>() < 0.01 {
                1.0 - v
            } else {
                v
            };
        }
    }
    let t = Instant::now();
    let stats = StateStats::from_rows(x.view(), 0.5)?;
    let analysis_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let curve = bound_curve(config.bound_m, &default_mus(config.bound_points))?;
    let bound_seconds = t.elapsed().as_secs_f64();
    let bound_max_gap = curve.iter().map(|p| p.gap).fold(0.0, f64::max);
    let bound_exact_points = curve.iter().filter(|p| p.exact).count();
    let bound_total_points = curve.len();

    let t = Instant::now();
    let _ = fit(
        &stats.counts,
        &PowerLawParams::default().check()?,
        seed.named("fit"),
    );
    let powerlaw_seconds = t.elapsed().as_secs_f64();

    let ds = spinlearn_data::mnist::embedded()?;
    let t = Instant::now();
    kmeans(
        ds.data.view(),
        &KMeansParams {
            k: 64,
            restarts: 1,
            max_iter: 10,
            tol: 0.0,
        }
        .check()?,
        seed.named("kmeans"),
    )?;
    let kmeans_seconds = t.elapsed().as_secs_f64();

    let dbn_epoch_seconds = if config.dbn_epoch {
        let t = Instant::now();
        train_dbn(
            ds.data.view(),
            &DbnParams {
                widths: vec![500],
                epochs: 1,
                ..DbnParams::default()
            }
            .check()?,
            seed.named("dbn"),
            &mut NoObserver,
        )?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };
    Ok(BenchReport {
        config: *config,
        analysis_seconds,
        distinct_states: stats.entropies.n_states,
        bound_seconds,
        bound_max_gap,
        bound_exact_points,
        bound_total_points,
        powerlaw_seconds,
        kmeans_seconds,
        dbn_epoch_seconds,
        threads: rayon::current_num_threads(),
    })
}
