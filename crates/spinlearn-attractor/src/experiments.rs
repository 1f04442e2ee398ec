//! Sweeps behind the paper's figures, as plain functions returning plain structs (the CLI only
//! draws and writes them): capacity against C, N and r1 by the mean-field theory (parallel over the
//! swept values), the optimal C*, the critical r1*, the exponent a of p ∝ N^a (eq. 11), and
//! simulated capacities for markers.

use rayon::prelude::*;
use serde::Serialize;
use spinlearn_core::{NoObserver, Seed};

use crate::error::Result;
use crate::params::{NetworkParams, SynapseParams};
use crate::simulate::{SimParams, simulate};
use crate::theory::{Theory, TheoryParams, power_law_exponent};

/// One point of a capacity scan.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CapacityPoint {
    /// N.
    pub n: usize,
    /// r1.
    pub r1: f64,
    /// C.
    pub c_well: f64,
    /// r3.
    pub r3: f64,
    /// Capacity (theory: largest retrievable age; simulation: mean over realizations).
    pub capacity: f64,
    /// Spread over realizations (0 for theory).
    pub capacity_std: f64,
}

/// Theory capacity at one parameter set (balanced, θ = 0), scanning ages up to `max_age`.
pub fn theory_capacity(
    base: &TheoryParams,
    n: usize,
    syn: SynapseParams,
    max_age: usize,
) -> Result<CapacityPoint> {
    let th = Theory::new(&TheoryParams {
        n,
        synapse: syn,
        ..*base
    })?;
    let cap = th.capacity(max_age);
    Ok(CapacityPoint {
        n,
        r1: syn.r1,
        c_well: syn.c_well,
        r3: syn.r3,
        capacity: cap.capacity as f64,
        capacity_std: 0.0,
    })
}

/// Theory capacities over a list of (N, synapse) settings, in parallel, in input order.
pub fn theory_scan(
    base: &TheoryParams,
    points: &[(usize, SynapseParams)],
    max_age: usize,
) -> Result<Vec<CapacityPoint>> {
    points
        .par_iter()
        .map(|&(n, s)| theory_capacity(base, n, s, max_age))
        .collect()
}

/// Simulated capacities over a list of settings (sequential over settings; each simulation is
/// parallel inside). Realization r of setting k uses `seed.derive(k).derive(r)`.
pub fn sim_scan(
    base: &SimParams,
    points: &[(usize, SynapseParams)],
    seed: Seed,
) -> Result<Vec<CapacityPoint>> {
    points
        .iter()
        .enumerate()
        .map(|(k, &(n, s))| {
            let p = SimParams {
                network: NetworkParams {
                    n,
                    synapse: s,
                    ..base.network
                },
                ..*base
            };
            let r = simulate(&p, seed.derive(k as u64), &mut NoObserver)?;
            Ok(CapacityPoint {
                n,
                r1: s.r1,
                c_well: s.c_well,
                r3: s.r3,
                capacity: r.capacity_mean,
                capacity_std: r.capacity_std,
            })
        })
        .collect()
}

/// The optimum over a grid of C values: (C*, p*, the whole curve). Ties go to the smallest C.
#[derive(Debug, Clone, Serialize)]
pub struct OptimalC {
    /// C* (the smallest C reaching the maximum).
    pub c_star: f64,
    /// p at C*.
    pub capacity: f64,
    /// p against C.
    pub curve: Vec<CapacityPoint>,
}

/// Theory capacity against C at fixed N and synapse parameters, and its optimum.
pub fn optimal_c(
    base: &TheoryParams,
    n: usize,
    syn: SynapseParams,
    c_grid: &[f64],
    max_age: usize,
) -> Result<OptimalC> {
    let pts: Vec<(usize, SynapseParams)> = c_grid
        .iter()
        .map(|&c| (n, SynapseParams { c_well: c, ..syn }))
        .collect();
    let curve = theory_scan(base, &pts, max_age)?;
    let best = curve.iter().fold(None::<CapacityPoint>, |b, p| match b {
        Some(q) if q.capacity >= p.capacity => Some(q),
        _ => Some(*p),
    });
    let best = best.unwrap_or(CapacityPoint {
        n,
        r1: syn.r1,
        c_well: 0.0,
        r3: syn.r3,
        capacity: 0.0,
        capacity_std: 0.0,
    });
    Ok(OptimalC {
        c_star: best.c_well,
        capacity: best.capacity,
        curve,
    })
}

/// Rows (r1, C*, p*) of an r1 scan.
pub type OptimumRows = Vec<(f64, f64, f64)>;

/// The critical r1*: the smallest r1 of the (increasing) grid at which C* > 0, with C* by r1.
pub fn r1_critical(
    base: &TheoryParams,
    n: usize,
    r1_grid: &[f64],
    c_grid: &[f64],
    max_age: usize,
) -> Result<(Option<f64>, OptimumRows)> {
    let mut rows = Vec::new();
    let mut crit = None;
    for &r1 in r1_grid {
        let o = optimal_c(
            base,
            n,
            SynapseParams {
                r1,
                r2: 1.0,
                r3: 0.0,
                c_well: 0.0,
            },
            c_grid,
            max_age,
        )?;
        if crit.is_none() && o.c_star > 0.0 {
            crit = Some(r1);
        }
        rows.push((r1, o.c_star, o.capacity));
    }
    Ok((crit, rows))
}

/// Optimal capacity against N at one r1 and the fitted exponent a (slope of ln p* on ln N), with
/// the C = 0 capacities beside them.
#[derive(Debug, Clone, Serialize)]
pub struct Scaling {
    /// r1.
    pub r1: f64,
    /// N values.
    pub ns: Vec<usize>,
    /// Optimal capacity p* by N.
    pub optimal: Vec<f64>,
    /// C* by N.
    pub c_star: Vec<f64>,
    /// Capacity at C = 0 by N.
    pub single_well: Vec<f64>,
    /// Exponent a of p* ∝ N^a.
    pub exponent: Option<f64>,
}

/// Theory scaling of the optimal capacity with N at fixed r1.
pub fn scaling(
    base: &TheoryParams,
    r1: f64,
    ns: &[usize],
    c_grid: &[f64],
    max_age: usize,
) -> Result<Scaling> {
    let syn = SynapseParams {
        r1,
        r2: 1.0,
        r3: 0.0,
        c_well: 0.0,
    };
    let mut optimal = Vec::new();
    let mut c_star = Vec::new();
    let mut single = Vec::new();
    for &n in ns {
        let o = optimal_c(base, n, syn, c_grid, max_age)?;
        single.push(
            o.curve
                .iter()
                .find(|p| p.c_well == 0.0)
                .map_or(f64::NAN, |p| p.capacity),
        );
        optimal.push(o.capacity);
        c_star.push(o.c_star);
    }
    let nf: Vec<f64> = ns.iter().map(|&n| n as f64).collect();
    let exponent = power_law_exponent(&nf, &optimal);
    Ok(Scaling {
        r1,
        ns: ns.to_vec(),
        optimal,
        c_star,
        single_well: single,
        exponent,
    })
}

/// The weight that sets the threshold scale of the sparse-coding grid: C for the Amit-Fusi-like rule
/// of eq. (7) (I1 = 2C sends a potentiated synapse to the upper well), the jump r2(1−f)² of the
/// Tsodyks-Feigel'man rule of eq. (6) (its optimum has C = 0, where nothing pins weights at ±C),
/// r2 for the balanced rule.
pub fn potentiated_weight(rule: crate::LearningRule, f: f64, synapse: SynapseParams) -> f64 {
    match rule {
        crate::LearningRule::AmitFusi => synapse.c_well,
        crate::LearningRule::TsodyksFeigelman => synapse.r2 * (1.0 - f) * (1.0 - f),
        crate::LearningRule::Balanced => synapse.r2,
    }
}

/// The best simulated capacity over a grid of (C, θ) in the sparse-coding setting of Figs. 7-8.
#[derive(Debug, Clone, Copy, Serialize)]
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
    /// Every tested age was retrieved at the optimum (capacity censored at `ages − 1`).
    pub censored: bool,
    /// The count variant at the optimum: mean number of retrieved patterns among the `ages` tested.
    pub count: f64,
}

/// Sparse coding (c = 1, f = 4 ln N / N, rule `rule`): simulated capacity maximized over
/// C = ρ·f(1−f) for ρ in `c_rel` (the depression jump of eq. 7 is r2·f(1−f), so ρ near 1 decides
/// whether one depression crosses the barrier) and θ = κ·w·fN for κ in `kappa`, where w is the
/// weight a potentiated synapse carries ([`potentiated_weight`]): fN active inputs at w. Setting k
/// of the grid uses `seed.derive(k)`.
#[allow(clippy::too_many_arguments)]
pub fn sparse_optimum(
    n: usize,
    synapse: SynapseParams,
    rule: crate::LearningRule,
    c_rel: &[f64],
    kappa: &[f64],
    ages: usize,
    realizations: usize,
    seed: Seed,
) -> Result<SparseOptimum> {
    let f = NetworkParams::sparse_f(n);
    let mut best: Option<SparseOptimum> = None;
    let mut k = 0u64;
    for &rho in c_rel {
        let c_well = rho * f * (1.0 - f);
        let w = potentiated_weight(rule, f, SynapseParams { c_well, ..synapse });
        for &kap in kappa {
            let theta = kap * w * f * n as f64;
            let network = NetworkParams {
                n,
                c: 1.0,
                f,
                rule,
                synapse: SynapseParams { c_well, ..synapse },
                theta,
            };
            let p = SimParams {
                network,
                ages,
                realizations,
                ..SimParams::default()
            };
            let r = simulate(&p, seed.derive(k), &mut NoObserver)?;
            k += 1;
            let cand = SparseOptimum {
                n,
                f,
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
    }
    best.ok_or_else(|| crate::AttractorError::invalid("c_rel", "empty grid"))
}
