//! The paper's experiments (paper 000, Figs. 1-4) as library functions returning plain structs.
//!
//! - [`size_sweep`]: `rho`, `m_cav` and `rho_asympt` against the data size `M`, mean and std over
//!   random selections of training samples, plus one feature map per `M` (Figs. 1, 2 and 4);
//! - [`beta_sweep`]: `rho` against `beta` for several `M`, the critical `beta_c` of each `M` and
//!   feature maps (Fig. 3).
//!
//! Every `(M, selection)` pair has its own streams, `seed.named("select").derive(M).stream(s)` for
//! the samples and `seed.named("init").derive(M).stream(s)` for the initial messages, so results do
//! not depend on the thread count or on which other sizes are run; a beta sweep uses the same
//! samples and initial messages for every `beta` of a given `(M, s)`.

use crate::bp::{BpParams, learn};
use crate::error::{BpError, Result};
use crate::spins::random_rows;
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::stats::mean_std;
use spinlearn_core::{NoObserver, Seed, check};

/// One learning run on one random selection of samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionRun {
    /// Data size `M`.
    pub m: usize,
    /// Selection index `s` (its streams derive from it).
    pub selection: usize,
    /// Inverse temperature.
    pub beta: f64,
    /// Sparsity `rho`.
    pub rho: f64,
    /// Message strength `m_cav`.
    pub m_cav: f64,
    /// Small-`m_cav` asymptote of `rho` at this run's `eps`, `omega`.
    pub rho_asympt: f64,
    /// RMS cavity magnetization `eps`.
    pub eps: f64,
    /// Sweeps performed.
    pub iterations: usize,
    /// Whether the run met its tolerance.
    pub converged: bool,
}

/// A learned MPM feature map (`xi_hat`, values in {-1, 0, +1}, length `N`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMap {
    /// Data size `M`.
    pub m: usize,
    /// Inverse temperature.
    pub beta: f64,
    /// `xi_hat`, length `N`.
    pub feature: Vec<i8>,
    /// The run's `rho`.
    pub rho: f64,
}

/// Learns from selection `s` of `m` samples of `pool` (`(n_pool, N)` spins).
pub fn run_selection(
    pool: ArrayView2<'_, f64>,
    m: usize,
    selection: usize,
    params: &BpParams,
    seed: Seed,
) -> Result<(SelectionRun, FeatureMap)> {
    let valid = params.check()?;
    let data = random_rows(
        pool,
        m,
        &mut seed
            .named("select")
            .derive(m as u64)
            .stream(selection as u64),
    )?;
    let mut init = seed.named("init").derive(m as u64).stream(selection as u64);
    let r = learn(data.view(), &valid, &mut init, &mut NoObserver)?;
    Ok((
        SelectionRun {
            m,
            selection,
            beta: params.beta,
            rho: r.rho,
            m_cav: r.m_cav,
            rho_asympt: r.rho_asympt,
            eps: r.eps,
            iterations: r.iterations,
            converged: r.converged,
        },
        FeatureMap {
            m,
            beta: params.beta,
            feature: r.feature,
            rho: r.rho,
        },
    ))
}

/// Settings of a data-size sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeSweepConfig {
    /// Data sizes `M` (e.g. `2^k`, `k = 2..10`).
    pub sizes: Vec<usize>,
    /// Random selections per size (10 in the paper).
    pub n_selections: usize,
    /// Learner parameters (`beta = 0.5` in Figs. 1, 2, 4).
    pub params: BpParams,
    /// Root seed.
    pub seed: Seed,
}

/// Mean and std over selections at one data size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizePoint {
    /// Data size `M`.
    pub m: usize,
    /// Mean of `rho`.
    pub rho_mean: f64,
    /// Unbiased std of `rho`.
    pub rho_std: f64,
    /// Mean of `m_cav`.
    pub m_cav_mean: f64,
    /// Unbiased std of `m_cav`.
    pub m_cav_std: f64,
    /// Mean of the asymptote `rho_asympt`.
    pub rho_asympt_mean: f64,
    /// Runs at this size.
    pub n_runs: usize,
    /// Of which converged.
    pub n_converged: usize,
}

/// The result of [`size_sweep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeSweep {
    /// One point per size that fits the pool, ascending as given.
    pub points: Vec<SizePoint>,
    /// The feature map of selection 0 at each size.
    pub features: Vec<FeatureMap>,
    /// Every run, ordered by size then selection.
    pub runs: Vec<SelectionRun>,
    /// Sizes left out because the pool has fewer samples.
    pub skipped: Vec<usize>,
}

fn check_selections(n_selections: usize, pool_rows: usize) -> Result<()> {
    check::nonzero("n_selections", n_selections)?;
    if pool_rows == 0 {
        return Err(BpError::Data("the sample pool is empty".into()));
    }
    Ok(())
}

/// `rho`, `m_cav` against `M` (Figs. 1(b), 2, 4): for each size and selection, learn from a random
/// selection of `M` rows of `pool`; runs go in parallel. `on_run` is called once per finished run
/// (for progress bars). Sizes larger than the pool are listed in `skipped`.
pub fn size_sweep(
    pool: ArrayView2<'_, f64>,
    cfg: &SizeSweepConfig,
    on_run: &(dyn Fn() + Sync),
) -> Result<SizeSweep> {
    cfg.params.check()?;
    check_selections(cfg.n_selections, pool.nrows())?;
    let (sizes, skipped): (Vec<usize>, Vec<usize>) = cfg
        .sizes
        .iter()
        .partition(|&&m| m >= 1 && m <= pool.nrows());
    let jobs: Vec<(usize, usize)> = sizes
        .iter()
        .flat_map(|&m| (0..cfg.n_selections).map(move |s| (m, s)))
        .collect();
    let results: Vec<(SelectionRun, FeatureMap)> = jobs
        .par_iter()
        .map(|&(m, s)| {
            let r = run_selection(pool, m, s, &cfg.params, cfg.seed);
            on_run();
            r
        })
        .collect::<Result<_>>()?;
    let mut points = Vec::new();
    let mut features = Vec::new();
    for (k, &m) in sizes.iter().enumerate() {
        let chunk = &results[k * cfg.n_selections..(k + 1) * cfg.n_selections];
        let rho: Vec<f64> = chunk.iter().map(|r| r.0.rho).collect();
        let mcav: Vec<f64> = chunk.iter().map(|r| r.0.m_cav).collect();
        let asy: Vec<f64> = chunk.iter().map(|r| r.0.rho_asympt).collect();
        let (rho_mean, rho_std) = mean_std(&rho);
        let (m_cav_mean, m_cav_std) = mean_std(&mcav);
        points.push(SizePoint {
            m,
            rho_mean,
            rho_std,
            m_cav_mean,
            m_cav_std,
            rho_asympt_mean: mean_std(&asy).0,
            n_runs: chunk.len(),
            n_converged: chunk.iter().filter(|r| r.0.converged).count(),
        });
        features.push(chunk[0].1.clone());
    }
    Ok(SizeSweep {
        points,
        features,
        runs: results.into_iter().map(|r| r.0).collect(),
        skipped,
    })
}

/// Settings of an inverse-temperature sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaSweepConfig {
    /// Data sizes `M`.
    pub sizes: Vec<usize>,
    /// Inverse temperatures, ascending.
    pub betas: Vec<f64>,
    /// Random selections per `(M, beta)` (the same selections for every beta).
    pub n_selections: usize,
    /// Learner parameters (`beta` is overridden by each grid value).
    pub params: BpParams,
    /// Root seed.
    pub seed: Seed,
}

/// Mean and std of `rho` at one `(M, beta)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaPoint {
    /// Data size.
    pub m: usize,
    /// Inverse temperature.
    pub beta: f64,
    /// Mean of `rho` over selections.
    pub rho_mean: f64,
    /// Unbiased std of `rho`.
    pub rho_std: f64,
    /// Mean of `m_cav`.
    pub m_cav_mean: f64,
    /// Runs.
    pub n_runs: usize,
    /// Of which converged.
    pub n_converged: usize,
}

/// The critical inverse temperature of one data size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalBeta {
    /// Data size.
    pub m: usize,
    /// `beta_c` on the grid, `None` when `rho` never turns upward on it.
    pub beta_c: Option<f64>,
}

/// The result of [`beta_sweep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaSweep {
    /// Points ordered by size, then beta.
    pub points: Vec<BetaPoint>,
    /// `beta_c` per size.
    pub beta_c: Vec<CriticalBeta>,
    /// Feature maps of selection 0 at every `(M, beta)`, same order as `points`.
    pub features: Vec<FeatureMap>,
    /// Every run, ordered by size, beta, selection.
    pub runs: Vec<SelectionRun>,
    /// Sizes left out because the pool has fewer samples.
    pub skipped: Vec<usize>,
}

/// The grid value where `rho(beta)` stops decreasing and starts to increase: the first interior
/// local minimum of `rho` along the ascending grid (the first `k` with `rho[k] < rho[k-1]` and
/// `rho[k+1] > rho[k]`), or the first grid point when `rho` rises from the start. `None` when `rho`
/// never rises. Resolution is the grid's.
pub fn critical_beta(betas: &[f64], rho: &[f64]) -> Option<f64> {
    let n = betas.len().min(rho.len());
    (0..n.saturating_sub(1))
        .find(|&k| rho[k + 1] > rho[k] && (k == 0 || rho[k] < rho[k - 1]))
        .map(|k| betas[k])
}

/// `rho` against `beta` for several `M` (Fig. 3(b)) and `beta_c` per `M`; runs go in parallel.
pub fn beta_sweep(
    pool: ArrayView2<'_, f64>,
    cfg: &BetaSweepConfig,
    on_run: &(dyn Fn() + Sync),
) -> Result<BetaSweep> {
    check_selections(cfg.n_selections, pool.nrows())?;
    if cfg.betas.is_empty() {
        return Err(BpError::invalid("betas", "need at least one value"));
    }
    if cfg.betas.windows(2).any(|w| w[1] <= w[0]) {
        return Err(BpError::invalid("betas", "must be strictly ascending"));
    }
    for &b in &cfg.betas {
        BpParams {
            beta: b,
            ..cfg.params
        }
        .check()?;
    }
    let (sizes, skipped): (Vec<usize>, Vec<usize>) = cfg
        .sizes
        .iter()
        .partition(|&&m| m >= 1 && m <= pool.nrows());
    let jobs: Vec<(usize, f64, usize)> = sizes
        .iter()
        .flat_map(|&m| {
            cfg.betas
                .iter()
                .flat_map(move |&b| (0..cfg.n_selections).map(move |s| (m, b, s)))
        })
        .collect();
    let results: Vec<(SelectionRun, FeatureMap)> = jobs
        .par_iter()
        .map(|&(m, beta, s)| {
            let p = BpParams { beta, ..cfg.params };
            let r = run_selection(pool, m, s, &p, cfg.seed);
            on_run();
            r
        })
        .collect::<Result<_>>()?;
    let ns = cfg.n_selections;
    let mut points = Vec::new();
    let mut features = Vec::new();
    let mut beta_c = Vec::new();
    for (k, &m) in sizes.iter().enumerate() {
        let mut rho_means = Vec::new();
        for (j, &beta) in cfg.betas.iter().enumerate() {
            let start = (k * cfg.betas.len() + j) * ns;
            let chunk = &results[start..start + ns];
            let rho: Vec<f64> = chunk.iter().map(|r| r.0.rho).collect();
            let mcav: Vec<f64> = chunk.iter().map(|r| r.0.m_cav).collect();
            let (rho_mean, rho_std) = mean_std(&rho);
            rho_means.push(rho_mean);
            points.push(BetaPoint {
                m,
                beta,
                rho_mean,
                rho_std,
                m_cav_mean: mean_std(&mcav).0,
                n_runs: ns,
                n_converged: chunk.iter().filter(|r| r.0.converged).count(),
            });
            features.push(chunk[0].1.clone());
        }
        beta_c.push(CriticalBeta {
            m,
            beta_c: critical_beta(&cfg.betas, &rho_means),
        });
    }
    Ok(BetaSweep {
        points,
        beta_c,
        features,
        runs: results.into_iter().map(|r| r.0).collect(),
        skipped,
    })
}

/// Fraction of runs that converged (NaN for no runs).
pub fn fraction_converged(runs: &[SelectionRun]) -> f64 {
    runs.iter().filter(|r| r.converged).count() as f64 / runs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn critical_beta_is_the_first_turn_upward() {
        let b = [0.5, 1.0, 2.0, 3.0, 5.0];
        assert_eq!(critical_beta(&b, &[0.3, 0.2, 0.1, 0.15, 0.3]), Some(2.0));
        assert_eq!(critical_beta(&b, &[0.3, 0.2, 0.1, 0.05, 0.01]), None);
        assert_eq!(critical_beta(&b, &[0.1, 0.2, 0.3, 0.4, 0.5]), Some(0.5));
    }

    #[test]
    fn sweeps_are_reproducible_and_skip_oversized_m() {
        let mut rng = Seed(2).stream(0);
        let pool = Array2::from_shape_simple_fn((30, 12), || {
            if rand::RngExt::random_bool(&mut rng, 0.7) {
                1.0
            } else {
                -1.0
            }
        });
        let cfg = SizeSweepConfig {
            sizes: vec![4, 8, 64],
            n_selections: 3,
            params: BpParams::default(),
            seed: Seed(9),
        };
        let a = size_sweep(pool.view(), &cfg, &|| {}).unwrap();
        assert_eq!(a.skipped, vec![64]);
        assert_eq!(a.points.len(), 2);
        assert_eq!(a.runs.len(), 6);
        // A sweep over one size alone reproduces that size's runs exactly.
        let single = SizeSweepConfig {
            sizes: vec![8],
            ..cfg.clone()
        };
        let b = size_sweep(pool.view(), &single, &|| {}).unwrap();
        assert_eq!(b.runs[..], a.runs[3..]);
        assert_eq!(fraction_converged(&a.runs), 1.0);
    }

    #[test]
    fn beta_sweep_runs_are_the_single_runs_and_reject_bad_grids() {
        let mut rng = Seed(4).stream(0);
        let pool = Array2::from_shape_simple_fn((40, 10), || {
            if rand::RngExt::random_bool(&mut rng, 0.7) {
                1.0
            } else {
                -1.0
            }
        });
        let cfg = BetaSweepConfig {
            sizes: vec![8, 16],
            betas: vec![0.5, 2.0, 4.0],
            n_selections: 2,
            params: BpParams::default(),
            seed: Seed(5),
        };
        let sw = beta_sweep(pool.view(), &cfg, &|| {}).unwrap();
        assert_eq!(sw.points.len(), 6);
        assert_eq!(sw.beta_c.len(), 2);
        // Run (M = 16, beta = 2, s = 1) is the 2nd size, 2nd beta, 2nd selection.
        let p = BpParams {
            beta: 2.0,
            ..BpParams::default()
        };
        let (single, _) = run_selection(pool.view(), 16, 1, &p, Seed(5)).unwrap();
        assert_eq!(sw.runs[(3 + 1) * 2 + 1], single);
        let bad = BetaSweepConfig {
            betas: vec![2.0, 1.0],
            ..cfg.clone()
        };
        assert!(beta_sweep(pool.view(), &bad, &|| {}).is_err());
    }
}
