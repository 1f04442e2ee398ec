//! The paper's experiments (paper 000, Figs. 1-4) as library drivers with params structs,
//! returning plain structs.
//!
//! - [`learn_sample`]: one run on `M` random samples of a dataset (`spinlearn bp learn`);
//! - [`size_sweep`]: `rho`, `m_cav` and `rho_asympt` against the data size `M`, mean and std over
//!   random selections of training samples, plus one feature map per `M` (Figs. 1, 2 and 4);
//! - [`beta_sweep`]: `rho` against `beta` for several `M`, the critical `beta_c` of each `M` and
//!   feature maps (Fig. 3).
//!
//! Every `(M, selection)` pair has its own streams, `seed.named("select").derive(M).stream(s)` for
//! the samples and `seed.named("init").derive(M).stream(s)` for the initial messages, so results do
//! not depend on the thread count or on which other sizes are run; a beta sweep uses the same
//! samples and initial messages for every `beta` of a given `(M, s)`. The sweeps run their
//! selections in parallel and report each finished run to the observer (stage `"size sweep"` or
//! `"beta sweep"`); an observer answering Stop ends the sweep with [`BpError::Stopped`].

use crate::bp::{BpParams, BpResult, ValidBpParams, learn};
use crate::error::{BpError, Result};
use crate::spins::{random_rows, spin_matrix};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use spinlearn_core::par::par_map_observed;
use spinlearn_core::stats::mean_std;
use spinlearn_core::{Observer, ParamGuard, Seed, check};
use spinlearn_data::Dataset;

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
    /// The full marginals behind `feature`, `(N, 3)`: columns `P_i(-1)`, `P_i(0)`, `P_i(+1)`.
    pub marginals: Array2<f64>,
    /// The run's convergence tolerance on the messages: differences between marginals of this
    /// order are not resolved, so a synapse whose margin is not well above it is undecided.
    pub tol: f64,
}

/// Learns from `m` samples of `ds` (±1 values) drawn at random without replacement (all of them,
/// in random order, when `m` is `None`): rows from `seed.named("select").stream(0)`, initial
/// messages from `seed.named("init").stream(0)`. Each sweep is reported to `obs` (see [`learn`]).
/// Errors name `m` when it exceeds the samples available.
pub fn learn_sample(
    ds: &Dataset,
    m: Option<usize>,
    params: &ValidBpParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<BpResult> {
    let pool = spin_matrix(ds)?;
    let m = m.unwrap_or(pool.nrows());
    let data = random_rows(pool.view(), m, &mut seed.named("select").stream(0))?;
    learn(data.view(), params, &mut seed.named("init").stream(0), obs)
}

/// Learns from selection `s` of `m` rows of `pool` (`(n_pool, N)` spins), reporting each sweep to
/// `obs`.
pub fn run_selection(
    pool: ArrayView2<'_, f64>,
    m: usize,
    selection: usize,
    params: &ValidBpParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<(SelectionRun, FeatureMap)> {
    let data = random_rows(
        pool,
        m,
        &mut seed
            .named("select")
            .derive(m as u64)
            .stream(selection as u64),
    )?;
    let mut init = seed.named("init").derive(m as u64).stream(selection as u64);
    let r = learn(data.view(), params, &mut init, obs)?;
    Ok((
        SelectionRun {
            m,
            selection,
            beta: params.beta(),
            rho: r.rho,
            m_cav: r.m_cav,
            rho_asympt: r.rho_asympt,
            eps: r.eps,
            iterations: r.iterations,
            converged: r.converged,
        },
        FeatureMap {
            m,
            beta: params.beta(),
            feature: r.feature,
            rho: r.rho,
            marginals: r.marginals,
            tol: params.tol(),
        },
    ))
}

/// Runs `job` over `jobs` through [`par_map_observed`] (progress on the calling thread, results
/// in job order); a sweep stopped by its observer ends in [`BpError::Stopped`].
fn sweep_jobs<J: Sync, T: Send>(
    jobs: &[J],
    stage: &str,
    obs: &mut dyn Observer,
    job: impl Fn(&J, &mut dyn Observer) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    par_map_observed(jobs, stage, obs, |j, halt| {
        job(j, halt).map(|r| (r, Vec::new()))
    })?
    .into_iter()
    .map(|r| r.ok_or_else(|| BpError::Stopped(stage.to_string())))
    .collect()
}

/// The runs of one cell of a sweep (one size `M`, or one `(M, beta)`): every selection's run in
/// selection order and the feature map of selection 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepCell {
    /// Selection `s` at index `s`.
    pub runs: Vec<SelectionRun>,
    /// Selection 0's feature map.
    pub feature: FeatureMap,
}

/// Runs `selections` random selections of each cell `(M, learner)` on `pool` (±1 values), every
/// `(cell, selection)` in parallel, each from its own streams (see the module notes): a cell's
/// result does not depend on the other cells run with it. Each finished run is reported to `obs`
/// as a step of `stage`; an observer answering Stop ends in [`BpError::Stopped`]. A size larger
/// than the pool is an error naming `m`.
pub fn sweep_cells(
    pool: &Dataset,
    cells: &[(usize, &ValidBpParams)],
    selections: usize,
    seed: Seed,
    stage: &str,
    obs: &mut dyn Observer,
) -> Result<Vec<SweepCell>> {
    let pool = spin_matrix(pool)?;
    let pool = pool.view();
    let jobs: Vec<(usize, usize)> = (0..cells.len())
        .flat_map(|c| (0..selections).map(move |s| (c, s)))
        .collect();
    let results = sweep_jobs(&jobs, stage, obs, |&(c, s), halt| {
        let (m, learner) = cells[c];
        run_selection(pool, m, s, learner, seed, halt)
    })?;
    let mut it = results.into_iter();
    let mut out = Vec::with_capacity(cells.len());
    for _ in cells {
        let chunk: Vec<(SelectionRun, FeatureMap)> = it.by_ref().take(selections).collect();
        let mut chunk = chunk.into_iter();
        let (run0, feature) = chunk
            .next()
            .ok_or_else(|| BpError::invalid("selections", "must be at least 1"))?;
        out.push(SweepCell {
            runs: std::iter::once(run0).chain(chunk.map(|r| r.0)).collect(),
            feature,
        });
    }
    Ok(out)
}

/// Parameters of a data-size sweep (field names are the flags of `spinlearn bp sweep`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeSweepParams {
    /// Data sizes `M` (e.g. `2^k`, `k = 2..10`); each at least 1.
    pub sizes: Vec<usize>,
    /// Random selections per size (10 in the paper).
    pub selections: usize,
    /// Learner parameters (`beta = 0.5` in Figs. 1, 2, 4).
    pub learner: BpParams,
}

/// [`SizeSweepParams`] that passed [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSizeSweepParams {
    sizes: Vec<usize>,
    selections: usize,
    learner: ValidBpParams,
}

impl ValidSizeSweepParams {
    /// Data sizes `M`, as given.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Random selections per size.
    pub fn selections(&self) -> usize {
        self.selections
    }

    /// The learner's parameters.
    pub fn learner(&self) -> &ValidBpParams {
        &self.learner
    }
}

fn check_sizes(sizes: &[usize]) -> spinlearn_core::Result<()> {
    if sizes.is_empty() {
        return Err(spinlearn_core::Error::invalid("sizes", "empty list"));
    }
    if sizes.contains(&0) {
        return Err(spinlearn_core::Error::invalid(
            "sizes",
            "every M must be at least 1",
        ));
    }
    Ok(())
}

impl ParamGuard for SizeSweepParams {
    type Checked = ValidSizeSweepParams;

    fn check(&self) -> spinlearn_core::Result<ValidSizeSweepParams> {
        check_sizes(&self.sizes)?;
        check::nonzero("selections", self.selections)?;
        Ok(ValidSizeSweepParams {
            sizes: self.sizes.clone(),
            selections: self.selections,
            learner: self.learner.check()?,
        })
    }
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

/// `rho`, `m_cav` against `M` (Figs. 1(b), 2, 4): for each size and selection, learn from a random
/// selection of `M` samples of `pool` (±1 values); runs go in parallel, each finished run is
/// reported to `obs` (stage `"size sweep"`). Sizes larger than the pool are listed in `skipped`.
pub fn size_sweep(
    pool: &Dataset,
    params: &ValidSizeSweepParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<SizeSweep> {
    let n_pool = pool.n_samples();
    let sizes: Vec<usize> = params
        .sizes
        .iter()
        .copied()
        .filter(|&m| m <= n_pool)
        .collect();
    let cells: Vec<(usize, &ValidBpParams)> = sizes.iter().map(|&m| (m, &params.learner)).collect();
    let mut done =
        sweep_cells(pool, &cells, params.selections, seed, "size sweep", obs)?.into_iter();
    Ok(SizeSweep::assemble(
        params
            .sizes
            .iter()
            .map(|&m| (m, if m <= n_pool { done.next() } else { None }))
            .collect(),
    ))
}

impl SizeSweep {
    /// The sweep from its cells, one per size in the order of the sweep's sizes: `(M, Some(cell))`
    /// for a size that was run, `(M, None)` for one left out (listed in `skipped`).
    pub fn assemble(cells: Vec<(usize, Option<SweepCell>)>) -> SizeSweep {
        let mut points = Vec::new();
        let mut features = Vec::new();
        let mut runs = Vec::new();
        let mut skipped = Vec::new();
        for (m, cell) in cells {
            let Some(cell) = cell else {
                skipped.push(m);
                continue;
            };
            let chunk = &cell.runs;
            let rho: Vec<f64> = chunk.iter().map(|r| r.rho).collect();
            let mcav: Vec<f64> = chunk.iter().map(|r| r.m_cav).collect();
            let asy: Vec<f64> = chunk.iter().map(|r| r.rho_asympt).collect();
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
                n_converged: chunk.iter().filter(|r| r.converged).count(),
            });
            features.push(cell.feature);
            runs.extend(cell.runs);
        }
        SizeSweep {
            points,
            features,
            runs,
            skipped,
        }
    }
}

/// Parameters of an inverse-temperature sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaSweepParams {
    /// Data sizes `M`; each at least 1.
    pub sizes: Vec<usize>,
    /// Inverse temperatures, strictly ascending, each > 0.
    pub betas: Vec<f64>,
    /// Random selections per `(M, beta)` (the same selections for every beta).
    pub selections: usize,
    /// Learner parameters (`beta` is replaced by each grid value).
    pub learner: BpParams,
}

/// [`BetaSweepParams`] that passed [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidBetaSweepParams {
    sizes: Vec<usize>,
    selections: usize,
    /// One learner per grid value, ascending in beta.
    learners: Vec<ValidBpParams>,
}

impl ValidBetaSweepParams {
    /// Data sizes `M`, as given.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The beta grid, ascending.
    pub fn betas(&self) -> Vec<f64> {
        self.learners.iter().map(ValidBpParams::beta).collect()
    }

    /// Random selections per `(M, beta)`.
    pub fn selections(&self) -> usize {
        self.selections
    }
}

impl ParamGuard for BetaSweepParams {
    type Checked = ValidBetaSweepParams;

    fn check(&self) -> spinlearn_core::Result<ValidBetaSweepParams> {
        check_sizes(&self.sizes)?;
        check::nonzero("selections", self.selections)?;
        if self.betas.is_empty() {
            return Err(spinlearn_core::Error::invalid(
                "betas",
                "need at least one value",
            ));
        }
        if self.betas.windows(2).any(|w| w[1] <= w[0]) {
            return Err(spinlearn_core::Error::invalid(
                "betas",
                "must be strictly ascending",
            ));
        }
        let learners = self
            .betas
            .iter()
            .map(|&beta| {
                BpParams {
                    beta,
                    ..self.learner
                }
                .check()
            })
            .collect::<spinlearn_core::Result<_>>()?;
        Ok(ValidBetaSweepParams {
            sizes: self.sizes.clone(),
            selections: self.selections,
            learners,
        })
    }
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

/// `rho` against `beta` for several `M` (Fig. 3(b)) and `beta_c` per `M`, on `pool` (±1 values);
/// runs go in parallel, each finished run is reported to `obs` (stage `"beta sweep"`).
pub fn beta_sweep(
    pool: &Dataset,
    params: &ValidBetaSweepParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<BetaSweep> {
    let n_pool = pool.n_samples();
    let cells: Vec<(usize, &ValidBpParams)> = params
        .sizes
        .iter()
        .filter(|&&m| m <= n_pool)
        .flat_map(|&m| params.learners.iter().map(move |l| (m, l)))
        .collect();
    let mut done =
        sweep_cells(pool, &cells, params.selections, seed, "beta sweep", obs)?.into_iter();
    let nb = params.learners.len();
    let cells = params
        .sizes
        .iter()
        .flat_map(|&m| (0..nb).map(move |_| m))
        .map(|m| if m <= n_pool { done.next() } else { None })
        .collect();
    BetaSweep::assemble(&params.sizes, &params.betas(), cells)
}

impl BetaSweep {
    /// The sweep from its cells, size-major then beta in the grid's order, `None` for the cells of
    /// a size left out (listed in `skipped`). Errors when the count is not sizes x betas or a size
    /// is run at some betas only.
    pub fn assemble(
        sizes: &[usize],
        betas: &[f64],
        cells: Vec<Option<SweepCell>>,
    ) -> Result<BetaSweep> {
        let nb = betas.len();
        if cells.len() != sizes.len() * nb {
            return Err(BpError::invalid(
                "cells",
                format!(
                    "{} cells for {} sizes x {nb} betas",
                    cells.len(),
                    sizes.len()
                ),
            ));
        }
        let mut points = Vec::new();
        let mut features = Vec::new();
        let mut beta_c = Vec::new();
        let mut runs = Vec::new();
        let mut skipped = Vec::new();
        let mut cells = cells.into_iter();
        for &m in sizes {
            let row: Vec<Option<SweepCell>> = cells.by_ref().take(nb).collect();
            if row.iter().all(Option::is_none) {
                skipped.push(m);
                continue;
            }
            let mut rho_means = Vec::new();
            for (cell, &beta) in row.into_iter().zip(betas) {
                let cell = cell.ok_or_else(|| {
                    BpError::invalid(
                        "cells",
                        format!("M = {m} is run at some betas only (not at {beta})"),
                    )
                })?;
                let chunk = &cell.runs;
                let rho: Vec<f64> = chunk.iter().map(|r| r.rho).collect();
                let mcav: Vec<f64> = chunk.iter().map(|r| r.m_cav).collect();
                let (rho_mean, rho_std) = mean_std(&rho);
                rho_means.push(rho_mean);
                points.push(BetaPoint {
                    m,
                    beta,
                    rho_mean,
                    rho_std,
                    m_cav_mean: mean_std(&mcav).0,
                    n_runs: chunk.len(),
                    n_converged: chunk.iter().filter(|r| r.converged).count(),
                });
                features.push(cell.feature);
                runs.extend(cell.runs);
            }
            beta_c.push(CriticalBeta {
                m,
                beta_c: critical_beta(betas, &rho_means),
            });
        }
        Ok(BetaSweep {
            points,
            beta_c,
            features,
            runs,
            skipped,
        })
    }
}

/// Fraction of runs that converged (NaN for no runs).
pub fn fraction_converged(runs: &[SelectionRun]) -> f64 {
    runs.iter().filter(|r| r.converged).count() as f64 / runs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use spinlearn_core::{Control, NoObserver, StepReport};

    fn spin_pool(rows: usize, cols: usize, seed: u64) -> Dataset {
        let mut rng = Seed(seed).stream(0);
        let data = Array2::from_shape_simple_fn((rows, cols), || {
            if rand::RngExt::random_bool(&mut rng, 0.7) {
                1.0
            } else {
                -1.0
            }
        });
        Dataset {
            name: "random".into(),
            data,
            labels: None,
            image_shape: None,
        }
    }

    #[test]
    fn critical_beta_is_the_first_turn_upward() {
        let b = [0.5, 1.0, 2.0, 3.0, 5.0];
        assert_eq!(critical_beta(&b, &[0.3, 0.2, 0.1, 0.15, 0.3]), Some(2.0));
        assert_eq!(critical_beta(&b, &[0.3, 0.2, 0.1, 0.05, 0.01]), None);
        assert_eq!(critical_beta(&b, &[0.1, 0.2, 0.3, 0.4, 0.5]), Some(0.5));
    }

    #[test]
    fn sweeps_are_reproducible_and_skip_oversized_m() {
        let pool = spin_pool(30, 12, 2);
        let params = SizeSweepParams {
            sizes: vec![4, 8, 64],
            selections: 3,
            learner: BpParams::default(),
        };
        let mut reports = 0;
        let mut count = |r: &StepReport<'_>| {
            assert_eq!(r.stage, "size sweep");
            assert_eq!(r.total, Some(6));
            reports += 1;
            Control::Continue
        };
        let a = size_sweep(&pool, &params.check().unwrap(), Seed(9), &mut count).unwrap();
        assert_eq!(reports, 6);
        assert_eq!(a.skipped, vec![64]);
        assert_eq!(a.points.len(), 2);
        assert_eq!(a.runs.len(), 6);
        // A sweep over one size alone reproduces that size's runs exactly.
        let single = SizeSweepParams {
            sizes: vec![8],
            ..params.clone()
        };
        let b = size_sweep(&pool, &single.check().unwrap(), Seed(9), &mut NoObserver).unwrap();
        assert_eq!(b.runs[..], a.runs[3..]);
        assert_eq!(fraction_converged(&a.runs), 1.0);
        // An observer that stops ends the sweep with an error, not a partial result.
        // On a pool of one thread the stop is seen after the first run, before the others start
        // (on a loaded machine several threads could finish every run before it is seen).
        let mut stop = |_: &StepReport<'_>| Control::Stop;
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let v = params.check().unwrap();
        let e = one
            .install(|| size_sweep(&pool, &v, Seed(9), &mut stop))
            .unwrap_err();
        assert!(matches!(e, BpError::Stopped(_)), "{e}");
        let bad = SizeSweepParams {
            selections: 0,
            ..params
        };
        assert!(
            bad.check()
                .unwrap_err()
                .to_string()
                .contains("`selections`")
        );
    }

    #[test]
    fn beta_sweep_runs_are_the_single_runs_and_reject_bad_grids() {
        let pool = spin_pool(40, 10, 4);
        let params = BetaSweepParams {
            sizes: vec![8, 16],
            betas: vec![0.5, 2.0, 4.0],
            selections: 2,
            learner: BpParams::default(),
        };
        let sw = beta_sweep(&pool, &params.check().unwrap(), Seed(5), &mut NoObserver).unwrap();
        assert_eq!(sw.points.len(), 6);
        assert_eq!(sw.beta_c.len(), 2);
        // Run (M = 16, beta = 2, s = 1) is the 2nd size, 2nd beta, 2nd selection.
        let p = BpParams {
            beta: 2.0,
            ..BpParams::default()
        }
        .check()
        .unwrap();
        let matrix = spin_matrix(&pool).unwrap();
        let (single, _) =
            run_selection(matrix.view(), 16, 1, &p, Seed(5), &mut NoObserver).unwrap();
        assert_eq!(sw.runs[(3 + 1) * 2 + 1], single);
        let bad = BetaSweepParams {
            betas: vec![2.0, 1.0],
            ..params.clone()
        };
        assert!(bad.check().unwrap_err().to_string().contains("`betas`"));
        let bad = BetaSweepParams {
            betas: vec![-1.0, 1.0],
            ..params
        };
        assert!(bad.check().unwrap_err().to_string().contains("`beta`"));
    }

    #[test]
    fn cells_run_apart_assemble_into_the_sweeps() {
        let pool = spin_pool(40, 10, 4);
        let params = BetaSweepParams {
            sizes: vec![8, 16, 64],
            betas: vec![0.5, 2.0],
            selections: 2,
            learner: BpParams::default(),
        };
        let v = params.check().unwrap();
        let whole = beta_sweep(&pool, &v, Seed(5), &mut NoObserver).unwrap();
        assert_eq!(whole.skipped, vec![64]);
        let l: Vec<ValidBpParams> = [0.5, 2.0]
            .iter()
            .map(|&beta| {
                BpParams {
                    beta,
                    ..BpParams::default()
                }
                .check()
                .unwrap()
            })
            .collect();
        // Each cell on its own, in another order.
        let mut cells: Vec<Option<SweepCell>> = vec![None; 6];
        for (i, (m, b)) in [(3, (16, 1)), (0, (8, 0)), (2, (16, 0)), (1, (8, 1))] {
            let mut one =
                sweep_cells(&pool, &[(m, &l[b])], 2, Seed(5), "cell", &mut NoObserver).unwrap();
            cells[i] = one.pop();
        }
        let parts = BetaSweep::assemble(&params.sizes, &params.betas, cells.clone()).unwrap();
        assert_eq!(parts, whole);
        let mut partial = cells.clone();
        partial[1] = None;
        let e = BetaSweep::assemble(&params.sizes, &params.betas, partial).unwrap_err();
        assert!(e.to_string().contains("M = 8"), "{e}");
        assert!(BetaSweep::assemble(&params.sizes, &params.betas, cells[1..].to_vec()).is_err());
        // A size sweep from cells, with a size left out.
        let sizes = SizeSweepParams {
            sizes: vec![8, 64, 16],
            selections: 2,
            learner: BpParams::default(),
        };
        let whole = size_sweep(&pool, &sizes.check().unwrap(), Seed(5), &mut NoObserver).unwrap();
        let cell = |m| {
            sweep_cells(&pool, &[(m, &l[0])], 2, Seed(5), "cell", &mut NoObserver)
                .unwrap()
                .pop()
        };
        let parts = SizeSweep::assemble(vec![(8, cell(8)), (64, None), (16, cell(16))]);
        assert_eq!(parts, whole);
        assert_eq!(parts.skipped, vec![64]);
        assert!(sweep_cells(&pool, &[(64, &l[0])], 2, Seed(5), "cell", &mut NoObserver).is_err());
    }
}
