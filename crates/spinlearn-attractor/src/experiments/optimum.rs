//! The optimal well position C* by the mean-field theory, and what is read off it: the critical
//! r1* (Fig. 3A), the scaling of p* with N and its exponent a (Figs. 2D, 3B, eq. 11), and the
//! robustness R of eq. (15) (Fig. 6).

use serde::{Deserialize, Serialize};
use spinlearn_core::stats::power_law_fit;
use spinlearn_core::{Observer, ParamGuard, check};

use super::{CapacityPoint, non_empty, theory_capacities};
use crate::error::Result;
use crate::markov::robustness;
use crate::params::SynapseParams;
use crate::progress::{Steps, par_map};
use crate::theory::{Theory, TheoryParams, ValidTheoryParams};

/// The optimum over a grid of C at each (r1, N) of the grid `r1` × `n`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimalCParams {
    /// The base theory: c, r2, r3, ε, threshold and grid (its N, r1 and C are replaced).
    pub theory: TheoryParams,
    /// The well depths r1.
    pub r1: Vec<f64>,
    /// The network sizes N.
    pub n: Vec<usize>,
    /// The C values tried.
    pub c_grid: Vec<f64>,
    /// The largest age scanned for the capacity.
    pub max_age: usize,
}

/// Checked [`OptimalCParams`]: the settings (r1-major, N-minor) and every theory point.
#[derive(Debug, Clone)]
pub struct ValidOptimalCParams {
    base: ValidTheoryParams,
    settings: Vec<(f64, usize)>,
    points: Vec<ValidTheoryParams>,
    n_len: usize,
    grid_len: usize,
    max_age: usize,
}

impl ValidOptimalCParams {
    /// The base theory (with the first r1 and N of the grid).
    pub fn base(&self) -> &ValidTheoryParams {
        &self.base
    }

    /// The (r1, N) settings in result order (r1-major).
    pub fn settings(&self) -> &[(f64, usize)] {
        &self.settings
    }

    /// The largest age scanned.
    pub fn max_age(&self) -> usize {
        self.max_age
    }

    /// The (r1 index, N index) of setting `i`.
    pub(crate) fn indices(&self, i: usize) -> (usize, usize) {
        (i / self.n_len, i % self.n_len)
    }

    /// Number of theory points (settings × C values).
    pub(crate) fn n_points(&self) -> usize {
        self.points.len()
    }

    /// Number of C values.
    pub(crate) fn grid_len(&self) -> usize {
        self.grid_len
    }

    /// Setting `k` alone (its C grid, its theory points).
    pub(crate) fn setting(&self, k: usize) -> crate::Result<ValidOptimalCParams> {
        if k >= self.settings.len() {
            return Err(crate::AttractorError::invalid(
                "r1",
                format!("no setting {k} of {}", self.settings.len()),
            ));
        }
        let points = self.points[k * self.grid_len..(k + 1) * self.grid_len].to_vec();
        Ok(ValidOptimalCParams {
            base: points[0],
            settings: vec![self.settings[k]],
            points,
            n_len: 1,
            grid_len: self.grid_len,
            max_age: self.max_age,
        })
    }

    /// The theory at setting `k` with well position `c_well`, checked.
    pub(crate) fn at(&self, k: usize, c_well: f64) -> spinlearn_core::Result<ValidTheoryParams> {
        let (r1, n) = self.settings[k];
        let base = self.base.params();
        TheoryParams {
            n,
            synapse: SynapseParams {
                r1,
                c_well,
                ..base.synapse
            },
            ..base
        }
        .check()
    }
}

impl ParamGuard for OptimalCParams {
    type Checked = ValidOptimalCParams;

    /// `r1`, `n` and `c_grid` non-empty, `max_age` ≥ 1, every point of the grid checked.
    fn check(&self) -> spinlearn_core::Result<ValidOptimalCParams> {
        non_empty("r1", &self.r1)?;
        non_empty("n", &self.n)?;
        non_empty("c_grid", &self.c_grid)?;
        check::nonzero("max_age", self.max_age)?;
        let settings: Vec<(f64, usize)> = self
            .r1
            .iter()
            .flat_map(|&r1| self.n.iter().map(move |&n| (r1, n)))
            .collect();
        let mut points = Vec::with_capacity(settings.len() * self.c_grid.len());
        for &(r1, n) in &settings {
            for &c_well in &self.c_grid {
                points.push(
                    TheoryParams {
                        n,
                        synapse: SynapseParams {
                            r1,
                            c_well,
                            ..self.theory.synapse
                        },
                        ..self.theory
                    }
                    .check()?,
                );
            }
        }
        Ok(ValidOptimalCParams {
            base: points[0],
            settings,
            points,
            n_len: self.n.len(),
            grid_len: self.c_grid.len(),
            max_age: self.max_age,
        })
    }
}

/// The optimum over the grid of C at one (r1, N): C*, p* and the whole curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimalC {
    /// r1.
    pub r1: f64,
    /// N.
    pub n: usize,
    /// C*: the first C of the grid that reaches the maximum (the smallest for an increasing grid).
    pub c_star: f64,
    /// p at C*.
    pub capacity: f64,
    /// p against C, in grid order.
    pub curve: Vec<CapacityPoint>,
}

/// The optimal C at every (r1, N) of the grid, r1-major (stage `"optimal C"`, one step per theory
/// point; all points in parallel).
pub fn optimal_c(p: &ValidOptimalCParams, obs: &mut dyn Observer) -> Result<Vec<OptimalC>> {
    let mut steps = Steps::new(obs, "optimal C", p.n_points());
    optimal_c_steps(p, &mut steps)
}

/// [`optimal_c`] as part of a driver's stage.
pub(crate) fn optimal_c_steps(
    p: &ValidOptimalCParams,
    steps: &mut Steps<'_>,
) -> Result<Vec<OptimalC>> {
    let all = theory_capacities(&p.points, p.max_age, steps)?;
    Ok(all
        .chunks(p.grid_len)
        .zip(&p.settings)
        .map(|(curve, &(r1, n))| {
            let best = curve
                .iter()
                .fold(None::<&CapacityPoint>, |b, q| match b {
                    Some(b) if b.capacity >= q.capacity => Some(b),
                    _ => Some(q),
                })
                .copied()
                .unwrap_or(curve[0]);
            OptimalC {
                r1,
                n,
                c_star: best.c_well,
                capacity: best.capacity,
                curve: curve.to_vec(),
            }
        })
        .collect())
}

/// The critical r1* (Fig. 3A): the first r1, in the order given, whose C* is above 0.
pub fn r1_critical(optima: &[OptimalC]) -> Option<f64> {
    optima.iter().find(|o| o.c_star > 0.0).map(|o| o.r1)
}

/// The optimal capacity against N at one r1 and the fitted exponent a, with the C = 0
/// capacities beside them (Fig. 2D, 3B).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scaling {
    /// r1.
    pub r1: f64,
    /// N values.
    pub ns: Vec<usize>,
    /// Optimal capacity p* by N.
    pub optimal: Vec<f64>,
    /// C* by N.
    pub c_star: Vec<f64>,
    /// Capacity at C = 0 by N (NaN when 0 is not in the grid).
    pub single_well: Vec<f64>,
    /// Exponent a of p* ∝ N^a: the least-squares slope of ln p* on ln N (points with p* > 0).
    pub exponent: Option<f64>,
}

/// The optima grouped by r1 (consecutive runs of equal r1, as [`optimal_c`] returns them), each
/// with its exponent a.
pub fn scaling(optima: &[OptimalC]) -> Vec<Scaling> {
    optima
        .chunk_by(|a, b| a.r1 == b.r1)
        .map(|run| {
            let ns: Vec<usize> = run.iter().map(|o| o.n).collect();
            let optimal: Vec<f64> = run.iter().map(|o| o.capacity).collect();
            let nf: Vec<f64> = ns.iter().map(|&n| n as f64).collect();
            Scaling {
                r1: run[0].r1,
                exponent: power_law_fit(&nf, &optimal).map(|f| f.exponent),
                single_well: run
                    .iter()
                    .map(|o| {
                        o.curve
                            .iter()
                            .find(|p| p.c_well == 0.0)
                            .map_or(f64::NAN, |p| p.capacity)
                    })
                    .collect(),
                c_star: run.iter().map(|o| o.c_star).collect(),
                ns,
                optimal,
            }
        })
        .collect()
}

/// The noise robustness of eq. (15) at the optimal C of each (r1, N).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustnessParams {
    /// Where C* is sought (at the base theory's r3).
    pub optimum: OptimalCParams,
    /// The noise levels r3 of the slope fit.
    pub r3: Vec<f64>,
}

/// Checked [`RobustnessParams`].
#[derive(Debug, Clone)]
pub struct ValidRobustnessParams {
    optimum: ValidOptimalCParams,
    r3: Vec<f64>,
}

impl ParamGuard for RobustnessParams {
    type Checked = ValidRobustnessParams;

    /// The optimum's checks, `r3` non-empty with values ≥ 0.
    fn check(&self) -> spinlearn_core::Result<ValidRobustnessParams> {
        let optimum = self.optimum.check()?;
        non_empty("r3", &self.r3)?;
        for &r3 in &self.r3 {
            check::non_negative("r3", r3)?;
        }
        Ok(ValidRobustnessParams {
            optimum,
            r3: self.r3.clone(),
        })
    }
}

/// The robustness at one (r1, N).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// r1.
    pub r1: f64,
    /// N.
    pub n: usize,
    /// C*.
    pub c_star: f64,
    /// The capacity at C* without added noise (at the base r3).
    pub p0: f64,
    /// Ω, the RMS of g_∞ at C* (eq. 23, base r3).
    pub omega: f64,
    /// The noise levels r3.
    pub r3: Vec<f64>,
    /// The capacity at C* by noise level.
    pub capacity: Vec<f64>,
    /// R = |dp/d(r3/Ω)|⁻¹ (least-squares slope), `None` for a zero slope or a single level.
    pub r: Option<f64>,
}

/// C* at every (r1, N), then the capacity at C* against r3 and R of eq. (15) (stage
/// `"robustness"`: one step per theory point, all in parallel within each phase).
pub fn robustness_scan(
    p: &ValidRobustnessParams,
    obs: &mut dyn Observer,
) -> Result<Vec<Robustness>> {
    let o = &p.optimum;
    let n_set = o.settings.len();
    let total = o.n_points() + n_set * p.r3.len() + n_set;
    let mut steps = Steps::new(obs, "robustness", total);
    let optima = optimal_c_steps(o, &mut steps)?;
    let mut noisy = Vec::with_capacity(n_set * p.r3.len());
    let mut quiet = Vec::with_capacity(n_set);
    for (k, opt) in optima.iter().enumerate() {
        let at_c = o.at(k, opt.c_star)?;
        quiet.push(at_c);
        for &r3 in &p.r3 {
            let base = at_c.params();
            noisy.push(
                TheoryParams {
                    synapse: SynapseParams { r3, ..base.synapse },
                    ..base
                }
                .check()?,
            );
        }
    }
    let caps = theory_capacities(&noisy, o.max_age, &mut steps)?;
    let omegas = par_map(&quiet, &mut steps, "omega", |t| {
        let omega = Theory::new(t)?.stationary_moments().1;
        Ok((omega, omega))
    })?;
    Ok(optima
        .iter()
        .zip(caps.chunks(p.r3.len()))
        .zip(omegas)
        .map(|((opt, pts), omega)| {
            let capacity: Vec<f64> = pts.iter().map(|q| q.capacity).collect();
            Robustness {
                r1: opt.r1,
                n: opt.n,
                c_star: opt.c_star,
                p0: opt.capacity,
                omega,
                r: robustness(&p.r3, &capacity, omega),
                r3: p.r3.clone(),
                capacity,
            }
        })
        .collect())
}

/// The optimal capacity against N with C refined: a coarse grid first, then a fine grid of step
/// `fine_step` over [C*_coarse − coarse step, C*_coarse + coarse step] (clipped at 0) at each
/// (r1, N). The theory is cheap enough for N up to 10⁷, where the exponent a of eq. (11) is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefinedScalingParams {
    /// The coarse optimum (its `c_grid` must be evenly spaced; its step is the refinement's range).
    pub optimum: OptimalCParams,
    /// The step of the fine grid.
    pub fine_step: f64,
}

/// Checked [`RefinedScalingParams`].
#[derive(Debug, Clone)]
pub struct ValidRefinedScalingParams {
    coarse: ValidOptimalCParams,
    coarse_step: f64,
    fine_step: f64,
}

impl ParamGuard for RefinedScalingParams {
    type Checked = ValidRefinedScalingParams;

    /// The optimum's checks, at least two C values, 0 < `fine_step` ≤ the coarse step.
    fn check(&self) -> spinlearn_core::Result<ValidRefinedScalingParams> {
        let coarse = self.optimum.check()?;
        let g = &self.optimum.c_grid;
        if g.len() < 2 {
            return Err(spinlearn_core::Error::invalid(
                "c_grid",
                "the refinement needs at least two C values",
            ));
        }
        let coarse_step = (g[g.len() - 1] - g[0]) / (g.len() - 1) as f64;
        let fine_step = check::positive("fine_step", self.fine_step)?;
        if fine_step > coarse_step {
            return Err(spinlearn_core::Error::invalid(
                "fine_step",
                format!("must not exceed the coarse step {coarse_step}, got {fine_step}"),
            ));
        }
        Ok(ValidRefinedScalingParams {
            coarse,
            coarse_step,
            fine_step,
        })
    }
}

/// The refined optimum at each (r1, N) (r1-major), the coarse curve replaced by the fine one
/// (stage `"refined optimum"`: one step per theory point of both passes).
pub fn refined_optimal_c(
    p: &ValidRefinedScalingParams,
    obs: &mut dyn Observer,
) -> Result<Vec<OptimalC>> {
    let o = &p.coarse;
    let per = (2.0 * p.coarse_step / p.fine_step).round() as usize + 1;
    let mut steps = Steps::new(
        obs,
        "refined optimum",
        o.n_points() + o.settings.len() * per,
    );
    let coarse = optimal_c_steps(o, &mut steps)?;
    let mut points = Vec::with_capacity(o.settings.len() * per);
    let mut grids = Vec::with_capacity(o.settings.len());
    for (k, opt) in coarse.iter().enumerate() {
        let lo = opt.c_star - p.coarse_step;
        let grid: Vec<f64> = (0..per)
            .map(|i| lo + i as f64 * p.fine_step)
            .filter(|&c| c >= -1e-12)
            .map(|c| c.max(0.0))
            .collect();
        for &c in &grid {
            points.push(o.at(k, c)?);
        }
        grids.push(grid.len());
    }
    let all = theory_capacities(&points, o.max_age, &mut steps)?;
    let mut out = Vec::with_capacity(coarse.len());
    let mut at = 0;
    for (opt, len) in coarse.iter().zip(grids) {
        let curve = &all[at..at + len];
        at += len;
        let best = curve
            .iter()
            .fold(None::<&CapacityPoint>, |b, q| match b {
                Some(b) if b.capacity >= q.capacity => Some(b),
                _ => Some(q),
            })
            .copied()
            .unwrap_or(curve[0]);
        // The coarse curve's C = 0 point stays available for the single-well comparison.
        let mut full: Vec<CapacityPoint> = if curve.iter().any(|q| q.c_well == 0.0) {
            Vec::new()
        } else {
            opt.curve
                .iter()
                .filter(|q| q.c_well == 0.0)
                .copied()
                .collect()
        };
        full.extend_from_slice(curve);
        out.push(OptimalC {
            r1: opt.r1,
            n: opt.n,
            c_star: best.c_well,
            capacity: best.capacity,
            curve: full,
        });
    }
    Ok(out)
}

/// Local exponents of p ∝ N^a between consecutive N: ln(p_{k+1}/p_k) / ln(N_{k+1}/N_k) (NaN
/// where a capacity is 0).
pub fn local_exponents(ns: &[usize], p: &[f64]) -> Vec<f64> {
    ns.windows(2)
        .zip(p.windows(2))
        .map(|(n, q)| {
            if q[0] > 0.0 && q[1] > 0.0 {
                (q[1] / q[0]).ln() / (n[1] as f64 / n[0] as f64).ln()
            } else {
                f64::NAN
            }
        })
        .collect()
}
