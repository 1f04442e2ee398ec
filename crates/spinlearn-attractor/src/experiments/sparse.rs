//! Sparse coding (Figs. 7-8): c = 1, f = 4 ln N / N, the rules of eqs. (6)-(7); the simulated
//! capacity maximized over a small grid of (C, θ), against N and against the noise r3.

use serde::{Deserialize, Serialize};
use spinlearn_core::stats::power_law_fit;
use spinlearn_core::{Observer, ParamGuard, Seed, check};

use super::non_empty;
use crate::error::Result;
use crate::params::{LearningRule, NetworkParams, SynapseParams};
use crate::progress::Steps;
use crate::simulate::{PlannedSim, SimParams, SimResult, ValidSimParams, simulate_steps};

/// The weight that sets the threshold scale of the sparse-coding grid: C for the Amit-Fusi-like rule
/// of eq. (7) (I1 = 2C sends a potentiated synapse to the upper well), the jump r2(1−f)² of the
/// Tsodyks-Feigel'man rule of eq. (6) (its optimum has C = 0, where nothing pins weights at ±C),
/// r2 for the balanced rule.
pub fn potentiated_weight(rule: LearningRule, f: f64, synapse: SynapseParams) -> f64 {
    match rule {
        LearningRule::AmitFusi => synapse.c_well,
        LearningRule::TsodyksFeigelman => synapse.r2 * (1.0 - f) * (1.0 - f),
        LearningRule::Balanced => synapse.r2,
    }
}

/// How many patterns a sparse-coding simulation tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternCount {
    /// A fixed number.
    Fixed(usize),
    /// This many times N.
    TimesN(usize),
}

impl PatternCount {
    /// The count at network size `n`.
    pub fn at(self, n: usize) -> usize {
        match self {
            PatternCount::Fixed(k) => k,
            PatternCount::TimesN(k) => k * n,
        }
    }
}

/// The (C, θ) grid of sparse coding (c = 1, f = 4 ln N / N from [`NetworkParams::sparse_f`]):
/// C = ρ·f(1−f) for ρ in `c_rel` (the depression jump of eq. 7 is r2·f(1−f), so ρ near 1 decides
/// whether one depression crosses the barrier) and θ = κ·w·fN for κ in `kappa`, where w is the
/// weight a potentiated synapse carries ([`potentiated_weight`]): fN active inputs at w.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseGrid {
    /// The learning rule.
    pub rule: LearningRule,
    /// r1, r2, r3 (C is set by `c_rel`).
    pub synapse: SynapseParams,
    /// The values ρ of C = ρ·f(1−f).
    pub c_rel: Vec<f64>,
    /// The values κ of θ = κ·w·fN.
    pub kappa: Vec<f64>,
    /// Patterns tested.
    pub patterns: PatternCount,
    /// Realizations per grid cell.
    pub realizations: usize,
}

/// Sparse coding at one N over a [`SparseGrid`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseParams {
    /// N.
    pub n: usize,
    /// The grid.
    pub grid: SparseGrid,
}

/// Checked [`SparseParams`]: the simulation of every grid cell, with its C and θ.
#[derive(Debug, Clone)]
pub struct ValidSparseParams {
    n: usize,
    f: f64,
    rule: LearningRule,
    r1: f64,
    r3: f64,
    cells: Vec<(f64, f64, ValidSimParams)>,
}

impl ValidSparseParams {
    /// N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// f = 4 ln N / N.
    pub fn f(&self) -> f64 {
        self.f
    }

    /// Grid cells (C, θ).
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// True when the grid is empty (never, once checked).
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn realizations(&self) -> usize {
        self.cells.iter().map(|c| c.2.realizations()).sum()
    }

    /// The simulation of each grid cell (ρ-major) with its seed when the grid's seed is `seed`
    /// (cell g: `seed.derive(g)`), to run their realizations apart.
    pub fn plan(&self, seed: Seed) -> Vec<PlannedSim> {
        self.cells
            .iter()
            .enumerate()
            .map(|(g, c)| PlannedSim {
                params: c.2,
                seed: seed.derive(g as u64),
            })
            .collect()
    }

    /// The optimum over the grid from the simulation of each cell (in the order of [`Self::plan`]).
    pub fn optimum(&self, sims: &[SimResult]) -> Result<SparseOptimum> {
        if sims.len() != self.cells.len() {
            return Err(crate::AttractorError::invalid(
                "c_rel",
                format!(
                    "{} simulations for {} grid cells",
                    sims.len(),
                    self.cells.len()
                ),
            ));
        }
        let mut best: Option<SparseOptimum> = None;
        for (&(c_well, theta, _), r) in self.cells.iter().zip(sims) {
            let cand = SparseOptimum {
                n: self.n,
                f: self.f,
                c_well,
                theta,
                capacity: r.capacity_mean,
                capacity_std: r.capacity_std,
                censored: r.realizations.iter().any(|x| x.censored),
                count: r.count_mean,
            };
            if best.is_none_or(|b| cand.capacity > b.capacity) {
                best = Some(cand);
            }
        }
        // A checked grid has at least one cell.
        best.ok_or_else(|| crate::AttractorError::invalid("c_rel", "empty list"))
    }

    /// The point of Fig. 8 of this grid with its optimum.
    pub fn noise_point(&self, optimum: SparseOptimum) -> SparseNoisePoint {
        SparseNoisePoint {
            rule: self.rule,
            r1: self.r1,
            r3: self.r3,
            optimum,
        }
    }
}

impl ParamGuard for SparseParams {
    type Checked = ValidSparseParams;

    /// `c_rel` non-empty with values ≥ 0, `kappa` non-empty and finite, and each cell's
    /// simulation checked (`n`, `patterns`, `realizations`, the synapse).
    fn check(&self) -> spinlearn_core::Result<ValidSparseParams> {
        let g = &self.grid;
        non_empty("c_rel", &g.c_rel)?;
        non_empty("kappa", &g.kappa)?;
        check::at_least("n", self.n, 2)?;
        let patterns = check::nonzero("patterns", g.patterns.at(self.n))?;
        let f = NetworkParams::sparse_f(self.n);
        let mut cells = Vec::with_capacity(g.c_rel.len() * g.kappa.len());
        for &rho in &g.c_rel {
            let c_well = check::non_negative("c_rel", rho)? * f * (1.0 - f);
            let synapse = SynapseParams {
                c_well,
                ..g.synapse
            };
            let w = potentiated_weight(g.rule, f, synapse);
            for &kap in &g.kappa {
                let theta = check::finite("kappa", kap)? * w * f * self.n as f64;
                let network = NetworkParams {
                    n: self.n,
                    c: 1.0,
                    f,
                    rule: g.rule,
                    synapse,
                    theta,
                };
                let sim = SimParams {
                    network,
                    patterns,
                    realizations: g.realizations,
                    ..SimParams::default()
                }
                .check()?;
                cells.push((c_well, theta, sim));
            }
        }
        Ok(ValidSparseParams {
            n: self.n,
            f,
            rule: g.rule,
            r1: g.synapse.r1,
            r3: g.synapse.r3,
            cells,
        })
    }
}

/// The best simulated capacity over the grid of (C, θ).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SparseOptimum {
    /// N.
    pub n: usize,
    /// Coding level f = 4 ln N / N.
    pub f: f64,
    /// The best C.
    pub c_well: f64,
    /// The best θ.
    pub theta: f64,
    /// Mean capacity there.
    pub capacity: f64,
    /// Its spread over realizations.
    pub capacity_std: f64,
    /// Every tested age was retrieved at the optimum (capacity censored at `patterns − 1`).
    pub censored: bool,
    /// The count variant at the optimum: mean number of retrieved patterns among those tested.
    pub count: f64,
}

/// The optimum of one grid as part of a driver's stage; cell g uses `seed.derive(g)` (ρ-major).
fn optimum_steps(
    p: &ValidSparseParams,
    seed: Seed,
    steps: &mut Steps<'_>,
) -> Result<SparseOptimum> {
    let mut sims = Vec::with_capacity(p.cells.len());
    for sim in p.plan(seed) {
        steps.go_on()?;
        let r = simulate_steps(&sim.params, sim.seed, steps)?;
        if r.stopped_early {
            return Err(steps.stopped());
        }
        sims.push(r);
    }
    p.optimum(&sims)
}

/// The capacity maximized over the grid (ties: the first cell in ρ-major order). Stage
/// `"sparse optimum"`, one step per realization; cell g simulates with `seed.derive(g)`.
pub fn sparse_optimum(
    p: &ValidSparseParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<SparseOptimum> {
    let mut steps = Steps::new(obs, "sparse optimum", p.realizations());
    optimum_steps(p, seed, &mut steps)
}

/// One [`SparseGrid`] at each of several N (Fig. 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseScanParams {
    /// The grid.
    pub grid: SparseGrid,
    /// The network sizes.
    pub n: Vec<usize>,
}

/// Checked [`SparseScanParams`].
#[derive(Debug, Clone)]
pub struct ValidSparseScanParams {
    grids: Vec<ValidSparseParams>,
}

impl ParamGuard for SparseScanParams {
    type Checked = ValidSparseScanParams;

    /// `n` non-empty and the grid at each N checked.
    fn check(&self) -> spinlearn_core::Result<ValidSparseScanParams> {
        non_empty("n", &self.n)?;
        Ok(ValidSparseScanParams {
            grids: self
                .n
                .iter()
                .map(|&n| {
                    SparseParams {
                        n,
                        grid: self.grid.clone(),
                    }
                    .check()
                })
                .collect::<spinlearn_core::Result<_>>()?,
        })
    }
}

impl ValidSparseScanParams {
    /// The grid of each N with its seed when the scan's seed is `seed` (N index k:
    /// `seed.derive(k)`), as [`sparse_scan`] runs them.
    pub fn plan(&self, seed: Seed) -> Vec<(&ValidSparseParams, Seed)> {
        self.grids
            .iter()
            .enumerate()
            .map(|(k, g)| (g, seed.derive(k as u64)))
            .collect()
    }
}

/// The optimum at each N (stage `"sparse scan"`; N index k uses `seed.derive(k)`, its cell g
/// `seed.derive(k).derive(g)`).
pub fn sparse_scan(
    p: &ValidSparseScanParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<SparseOptimum>> {
    let total = p.grids.iter().map(|g| g.realizations()).sum();
    let mut steps = Steps::new(obs, "sparse scan", total);
    p.plan(seed)
        .into_iter()
        .map(|(g, s)| optimum_steps(g, s, &mut steps))
        .collect()
}

/// The exponent of p ∝ (N / ln N)^x fitted to sparse optima (Fig. 7D, where the paper finds 2):
/// the least-squares slope of ln p on ln(N / ln N), points with p > 0.
pub fn sparse_exponent(points: &[SparseOptimum]) -> Option<f64> {
    let x: Vec<f64> = points
        .iter()
        .map(|o| o.n as f64 / (o.n as f64).ln())
        .collect();
    let y: Vec<f64> = points.iter().map(|o| o.capacity).collect();
    power_law_fit(&x, &y).map(|f| f.exponent)
}

/// Sparse optima against the noise r3 for several rule settings (Fig. 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseNoiseParams {
    /// The settings compared (N and grid; the grid's r3 is replaced by each noise level).
    pub rules: Vec<SparseParams>,
    /// The noise levels ν: r3 = ν·f(1−f), in units of the depression jump.
    pub r3_rel: Vec<f64>,
}

/// Checked [`SparseNoiseParams`].
#[derive(Debug, Clone)]
pub struct ValidSparseNoiseParams {
    grids: Vec<Vec<ValidSparseParams>>,
}

impl ParamGuard for SparseNoiseParams {
    type Checked = ValidSparseNoiseParams;

    /// `rules` and `r3_rel` non-empty, ν ≥ 0, every (setting, ν) grid checked.
    fn check(&self) -> spinlearn_core::Result<ValidSparseNoiseParams> {
        non_empty("rules", &self.rules)?;
        non_empty("r3_rel", &self.r3_rel)?;
        let mut grids = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let f = NetworkParams::sparse_f(rule.n);
            let mut by_noise = Vec::with_capacity(self.r3_rel.len());
            for &nu in &self.r3_rel {
                let r3 = check::non_negative("r3_rel", nu)? * f * (1.0 - f);
                let grid = SparseGrid {
                    synapse: SynapseParams {
                        r3,
                        ..rule.grid.synapse
                    },
                    ..rule.grid.clone()
                };
                by_noise.push(SparseParams { n: rule.n, grid }.check()?);
            }
            grids.push(by_noise);
        }
        Ok(ValidSparseNoiseParams { grids })
    }
}

/// One point of Fig. 8.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SparseNoisePoint {
    /// The rule.
    pub rule: LearningRule,
    /// r1.
    pub r1: f64,
    /// r3.
    pub r3: f64,
    /// The optimum over the grid there.
    pub optimum: SparseOptimum,
}

impl ValidSparseNoiseParams {
    /// The grid of each (setting, noise level), setting-major, with its seed when the sweep's seed
    /// is `seed` (setting k, level j: `seed.derive(k).derive(j)`), as [`sparse_noise_sweep`] runs
    /// them.
    pub fn plan(&self, seed: Seed) -> Vec<(&ValidSparseParams, Seed)> {
        self.grids
            .iter()
            .enumerate()
            .flat_map(|(k, by_noise)| {
                by_noise
                    .iter()
                    .enumerate()
                    .map(move |(j, g)| (g, seed.derive(k as u64).derive(j as u64)))
            })
            .collect()
    }
}

/// The optimum at each (setting, noise level), setting-major (stage `"sparse noise"`; setting k,
/// level j uses `seed.derive(k).derive(j)`, its cell g `.derive(g)` of that).
pub fn sparse_noise_sweep(
    p: &ValidSparseNoiseParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<SparseNoisePoint>> {
    let total = p.grids.iter().flatten().map(|g| g.realizations()).sum();
    let mut steps = Steps::new(obs, "sparse noise", total);
    let mut out = Vec::new();
    for (g, s) in p.plan(seed) {
        let optimum = optimum_steps(g, s, &mut steps)?;
        out.push(g.noise_point(optimum));
    }
    Ok(out)
}
