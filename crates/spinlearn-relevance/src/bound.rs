//! The maximal relevance at given resolution (the dotted bound curve of 003 Fig. 2a).
//!
//! Over all ways of spreading `M` samples on states, i.e. integer degeneracies `m_k >= 0` with
//! `Σ_k k m_k = M`, the bound curve is traced by maximizing the Lagrangian `H[k] + μ H[s]`
//! (003 eq. 8, with μ in the role of the paper's β) for a sweep of `μ` (negative `μ` gives the
//! rising branch at low resolution, positive `μ` the falling branch at high resolution). The
//! objective is separable in the classes `k`:
//! `Σ_k φ_k(m_k)`, `φ_k(m) = -(k m/M) ln(k m/M) + μ (k m/M) ln(M/k)`, each concave in `m`.
//!
//! Solvers (all exact for integer `m_k` up to floating rounding, except the heuristic one):
//! - [`max_relevance_exact`]: dynamic programming over the total mass (a knapsack with one
//!   class per `k`); cost `O(M² ln M)`, used up to [`EXACT_LIMIT`] samples and checked against
//!   enumeration of all integer partitions.
//! - [`max_relevance_reduced`]: for large `M`, the mass constraint is relaxed with a second
//!   multiplier `ν` (each class is then solved in closed form, floor/ceil of the stationary point)
//!   and `ν` is bisected to the dual optimum; the dual value `UB(ν)` bounds every feasible
//!   objective from above, and a repaired integer solution bounds the maximum from below.
//!   Reduced-cost fixing then leaves only the few `m_k` whose reduced cost fits in the gap, and an
//!   exact search over them (a dynamic programme on the mass offset) finds the optimum, checked
//!   against [`max_relevance_exact`] for many `M` and `μ`.
//! - [`max_relevance_lagrangian`]: the repaired dual solution alone, with its certified gap
//!   (kept as the starting point of the search and for comparison).

use crate::states::{Entropies, entropies_of_degeneracy};
use crate::{RelevanceError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::ParamGuard;

/// Largest `M` for which [`max_relevance`] uses the dynamic programme (above it, the
/// reduced-cost search, also exact).
pub const EXACT_LIMIT: u64 = 1500;

/// One point of the bound curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundPoint {
    /// The multiplier μ of `H[k] + μ H[s]`.
    pub mu: f64,
    /// Entropies of the maximizing configuration (nats and / ln M).
    pub entropies: Entropies,
    /// `H[k] + μ H[s]` of the returned configuration.
    pub objective: f64,
    /// Certified upper bound on the maximum of `H[k] + μ H[s]` (equal to `objective` when exact).
    pub upper: f64,
    /// `upper - objective` (0 for the exact solver).
    pub gap: f64,
    /// Whether the point comes from the exact dynamic programme.
    pub exact: bool,
    /// The maximizing degeneracies `(k, m_k)`, sorted by `k`.
    pub degeneracy: Vec<(u64, u64)>,
}

struct Classes<'a> {
    m: f64,
    ln_m: f64,
    mu: f64,
    /// `ln n` for `n = 0..=M` (entry 0 unused).
    ln: &'a [f64],
}

fn ln_table(m: u64) -> Vec<f64> {
    (0..=m).map(|n| (n as f64).ln()).collect()
}

impl<'a> Classes<'a> {
    fn new(m: u64, mu: f64, ln: &'a [f64]) -> Self {
        Classes {
            m: m as f64,
            ln_m: (m as f64).ln(),
            mu,
            ln,
        }
    }

    /// `φ_k(m)`.
    #[inline]
    fn phi(&self, k: u64, mk: u64) -> f64 {
        if mk == 0 {
            return 0.0;
        }
        let ln_k = self.ln[k as usize];
        let p = k as f64 * mk as f64 / self.m;
        -p * (ln_k + self.ln[mk as usize] - self.ln_m) + self.mu * p * (self.ln_m - ln_k)
    }
}

fn point(mu: f64, deg: Vec<(u64, u64)>, upper: Option<f64>) -> Result<BoundPoint> {
    let e = entropies_of_degeneracy(&deg)?;
    let objective = e.h_k + mu * e.h_s;
    let (upper, exact) = match upper {
        Some(u) => (u.max(objective), false),
        None => (objective, true),
    };
    Ok(BoundPoint {
        mu,
        entropies: e,
        objective,
        upper,
        gap: upper - objective,
        exact,
        degeneracy: deg,
    })
}

fn check_m(m: u64) -> Result<()> {
    if m < 2 {
        return Err(RelevanceError::invalid(
            "m",
            format!("must be at least 2, got {m}"),
        ));
    }
    if m > u32::MAX as u64 {
        return Err(RelevanceError::invalid("m", "must fit in 32 bits"));
    }
    Ok(())
}

/// Exact maximizer of `H[k] + μ H[s]` over integer `m_k` with `Σ k m_k = M` by dynamic
/// programming over the mass. Cost `O(M² ln M)` time and `O(M²)` bytes of choice table at
/// worst (`u16`/`u32` entries), so keep `M` to a few thousand.
pub fn max_relevance_exact(m: u64, mu: f64) -> Result<BoundPoint> {
    check_m(m)?;
    spinlearn_core::check::finite("mu", mu)?;
    let n = m as usize;
    let table = ln_table(m);
    let c = Classes::new(m, mu, &table);
    // best[t]: best objective with mass t using the classes processed so far.
    let mut best = vec![f64::NEG_INFINITY; n + 1];
    best[0] = 0.0;
    // choice[k-1][t]: m_k chosen at mass t when class k is processed (classes k = 1..=M).
    let mut choice: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut next = vec![0.0; n + 1];
    for k in 1..=n {
        let phi: Vec<f64> = (0..=n / k).map(|j| c.phi(k as u64, j as u64)).collect();
        let mut ch = vec![0u32; n + 1];
        for t in 0..=n {
            let mut b = best[t];
            let mut arg = 0u32;
            let mut j = 1;
            while j * k <= t {
                let v = best[t - j * k] + phi[j];
                if v > b {
                    b = v;
                    arg = j as u32;
                }
                j += 1;
            }
            next[t] = b;
            ch[t] = arg;
        }
        std::mem::swap(&mut best, &mut next);
        choice.push(ch);
    }
    // Walk the choices back from mass M.
    let mut deg = Vec::new();
    let mut t = n;
    for k in (1..=n).rev() {
        let j = choice[k - 1][t] as usize;
        if j > 0 {
            deg.push((k as u64, j as u64));
            t -= j * k;
        }
    }
    debug_assert_eq!(t, 0);
    deg.reverse();
    point(mu, deg, None)
}

/// Per-class optimum of `φ_k(m) - ν k m / M` (closed form: floor or ceil of the stationary point).
fn class_opt(c: &Classes, k: u64, nu: f64) -> (u64, f64) {
    let kf = k as f64;
    let max_m = m_max(c, k);
    let cost = |j: u64| c.phi(k, j) - nu * kf * j as f64 / c.m;
    // Stationary point of the continuous relaxation: ln(k m / M) = μ ln(M/k) - 1 - ν.
    let ln_k = c.ln[k as usize];
    let mc = (c.m / kf) * (c.mu * (c.ln_m - ln_k) - 1.0 - nu).exp();
    let lo = (mc.floor().max(0.0) as u64).min(max_m);
    let hi = (lo + 1).min(max_m);
    let (vl, vh) = (cost(lo), cost(hi));
    let (mut j, mut v) = if vh > vl { (hi, vh) } else { (lo, vl) };
    if v < 0.0 {
        (j, v) = (0, 0.0);
    }
    (j, v)
}

fn m_max(c: &Classes, k: u64) -> u64 {
    (c.m as u64) / k
}

/// Solves all classes at multiplier ν: returns `(mass Σ k m_k, dual value, m_k per class)`.
fn relaxed(c: &Classes, n: u64, nu: f64) -> (u64, f64, Vec<u64>) {
    let mut mass = 0u64;
    let mut dual = nu;
    let mut ms = vec![0u64; n as usize + 1];
    for k in 1..=n {
        let (j, v) = class_opt(c, k, nu);
        ms[k as usize] = j;
        mass += k * j;
        dual += v;
    }
    (mass, dual, ms)
}

/// Heuristic large-`M` solver: Lagrangian relaxation of the mass constraint, bisection on its
/// multiplier, and an exact-mass repair. Returns a feasible integer configuration with its
/// certified gap (not necessarily the optimum; [`max_relevance_reduced`] is exact).
pub fn max_relevance_lagrangian(m: u64, mu: f64) -> Result<BoundPoint> {
    check_m(m)?;
    lagrangian_with_table(m, mu, &ln_table(m))
}

/// The Lagrangian dual of the mass constraint near its optimum multiplier: `ν` bracketed until the
/// relaxed mass crosses `M` (to `1e-8` relative), with the relaxed solutions on both sides of the
/// crossing. Any `ν` gives a valid upper bound; as the dual's slope is `(M - mass)/M`, within
/// `[-1, 1]`, stopping early loosens it by at most the bracket width, which only widens the
/// reduced-cost search a little.
struct Dual {
    /// The multiplier with the smaller dual value (either side of the crossing).
    nu: f64,
    /// `UB(ν) = ν + Σ_k max_m [φ_k(m) - ν k m / M]`, an upper bound on every feasible objective.
    upper: f64,
    /// Relaxed solution with mass `>= M` (multiplier below the crossing) and its mass.
    ms_lo: Vec<u64>,
    s_lo: u64,
    /// Relaxed solution with mass `<= M` (multiplier above the crossing) and its mass.
    ms_hi: Vec<u64>,
    s_hi: u64,
}

fn dual(c: &Classes, m: u64) -> Result<Dual> {
    // Mass is non-increasing in ν; bracket ν so that mass(lo) >= M >= mass(hi).
    let mut lo = -1.0;
    let mut hi = 1.0;
    let mut it = 0;
    while relaxed(c, m, lo).0 < m {
        lo = 2.0 * lo - 1.0;
        it += 1;
        if it > 200 {
            let short = m as f64 - relaxed(c, m, lo).0 as f64;
            return Err(RelevanceError::non_convergence(
                "bound bracket (low)",
                it,
                short,
            ));
        }
    }
    while relaxed(c, m, hi).0 > m {
        hi = 2.0 * hi + 1.0;
        it += 1;
        if it > 400 {
            let excess = relaxed(c, m, hi).0 as f64 - m as f64;
            return Err(RelevanceError::non_convergence(
                "bound bracket (high)",
                it,
                excess,
            ));
        }
    }
    let (mut s_lo, mut d_lo, mut ms_lo) = relaxed(c, m, lo);
    let (mut s_hi, mut d_hi, mut ms_hi) = relaxed(c, m, hi);
    // Safeguarded regula falsi on ln(mass), which is close to linear in ν (the relaxed m_k scale
    // as e^{-ν}), alternating with plain bisection so that the bracket at least halves every two
    // steps.
    let ln_m = (m as f64).ln();
    for it in 0..128 {
        if s_lo == m || s_hi == m || hi - lo < 1e-8 * (1.0 + lo.abs()) {
            break;
        }
        let w = hi - lo;
        let mid = if it % 2 == 0 && s_hi > 0 {
            let (a, b) = ((s_lo as f64).ln(), (s_hi as f64).ln());
            let t = if a > b { (a - ln_m) / (a - b) } else { 0.5 };
            lo + w * t.clamp(0.02, 0.98)
        } else {
            0.5 * (lo + hi)
        };
        let (s, d, ms) = relaxed(c, m, mid);
        if s >= m {
            (lo, s_lo, d_lo, ms_lo) = (mid, s, d, ms);
        } else {
            (hi, s_hi, d_hi, ms_hi) = (mid, s, d, ms);
        }
    }
    let (nu, upper) = if d_lo <= d_hi { (lo, d_lo) } else { (hi, d_hi) };
    Ok(Dual {
        nu,
        upper,
        ms_lo,
        s_lo,
        ms_hi,
        s_hi,
    })
}

/// `Σ_k φ_k(m_k)` of a configuration indexed by `k` (entry 0 unused).
fn objective_of(c: &Classes, ms: &[u64]) -> f64 {
    ms.iter()
        .enumerate()
        .skip(1)
        .map(|(k, &j)| c.phi(k as u64, j))
        .sum()
}

/// The best feasible configuration found by the dual and the single-move repairs (a lower bound).
fn repaired(c: &Classes, m: u64, d: &Dual) -> Result<Vec<u64>> {
    let mut candidates: Vec<Vec<u64>> = Vec::new();
    if d.s_hi == m {
        candidates.push(d.ms_hi.clone());
    }
    if d.s_lo == m {
        candidates.push(d.ms_lo.clone());
    }
    if candidates.is_empty() {
        candidates.extend(repair_up(c, &d.ms_hi, m - d.s_hi));
        candidates.extend(repair_down(c, &d.ms_lo, d.s_lo - m));
    }
    Ok(candidates
        .into_iter()
        .map(|ms| (objective_of(c, &ms), ms))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .ok_or_else(|| RelevanceError::Input("no feasible repair".into()))?
        .1)
}

fn degeneracy_of(ms: &[u64]) -> Vec<(u64, u64)> {
    ms.iter()
        .enumerate()
        .filter(|&(k, &j)| k > 0 && j > 0)
        .map(|(k, &j)| (k as u64, j))
        .collect()
}

fn lagrangian_with_table(m: u64, mu: f64, table: &[f64]) -> Result<BoundPoint> {
    spinlearn_core::check::finite("mu", mu)?;
    let c = Classes::new(m, mu, table);
    let d = dual(&c, m)?;
    let best = repaired(&c, m, &d)?;
    point(mu, degeneracy_of(&best), Some(d.upper))
}

/// Absolute slack added to every reduced-cost comparison of the exact search, covering the
/// floating-point rounding of the `φ_k` and of their sums (each term is `O(ln M)`, so rounding is
/// `O(1e-13)` for the at most a few thousand classes involved).
pub const REDUCED_COST_TOL: f64 = 1e-9;

/// The reduced costs of one multiplier `ν`: `δ_k(m) = g_k* - g_k(m)` with
/// `g_k(m) = φ_k(m) - ν k m / M` and `g_k* = max_m g_k(m)`, attained at `base[k]`.
struct Reduced<'a> {
    c: &'a Classes<'a>,
    nu: f64,
    /// `argmax_m g_k(m)` per class (entry 0 unused).
    base: Vec<u64>,
    /// `g_k*` per class.
    best: Vec<f64>,
}

impl Reduced<'_> {
    #[inline]
    fn g(&self, k: u64, j: u64) -> f64 {
        self.c.phi(k, j) - self.nu * k as f64 * j as f64 / self.c.m
    }

    #[inline]
    fn delta(&self, k: u64, j: u64) -> f64 {
        self.best[k as usize] - self.g(k, j)
    }
}

/// One class left free by reduced-cost fixing: `m_k` may range over `lo..=hi` (containing
/// `base[k]`).
struct FreeClass {
    k: u64,
    lo: u64,
    hi: u64,
}

/// The cheapest mass correction within a reduced-cost budget.
///
/// Finds `x` minimising `Σ_k δ_k(x_k)` subject to `Σ_k k x_k = M` among the configurations with
/// `Σ_k δ_k(x_k) <= budget` (compared with [`REDUCED_COST_TOL`] of slack), or `None` if there is
/// none. Because every `δ_k >= 0`, such a configuration has `δ_k(x_k) <= budget` in every class;
/// by concavity of `g_k` the values allowed in class `k` form an interval around `base[k]`, found
/// by stepping outwards. Classes whose interval is the single point `base[k]` are fixed; over the
/// others a dynamic programme on the mass offset `t = Σ k (x_k - base[k])` keeps, for every
/// offset, the least reduced cost (a minimum over all partial assignments, so nothing is lost).
/// Offsets are kept to the window from which the remaining classes can still reach the required
/// total `M - Σ_k k base[k]`, and costs above the budget are dropped (they cannot lead to a
/// configuration within the budget since the remaining costs are `>= 0`). The classes are taken
/// from large `k` to small, so that the wide intervals of the small classes (for `k = 1` any
/// offset can be corrected) are met when the window is narrow.
fn cheapest_correction(r: &Reduced, n: u64, budget: f64) -> Option<(f64, Vec<u64>)> {
    let lim = budget + REDUCED_COST_TOL;
    let mut free: Vec<FreeClass> = Vec::new();
    let mut base_mass: i64 = 0;
    for k in 1..=n {
        let b = r.base[k as usize];
        base_mass += (k * b) as i64;
        let max_m = n / k;
        let mut lo = b;
        while lo > 0 && r.delta(k, lo - 1) <= lim {
            lo -= 1;
        }
        let mut hi = b;
        while hi < max_m && r.delta(k, hi + 1) <= lim {
            hi += 1;
        }
        if lo < hi {
            free.push(FreeClass { k, lo, hi });
        }
    }
    let target = n as i64 - base_mass;
    free.sort_by_key(|f| std::cmp::Reverse(f.k));
    // Reachable offset range of the classes after position i (suffix sums).
    let nf = free.len();
    let mut suf_lo = vec![0i64; nf + 1];
    let mut suf_hi = vec![0i64; nf + 1];
    for i in (0..nf).rev() {
        let f = &free[i];
        let b = r.base[f.k as usize] as i64;
        let k = f.k as i64;
        suf_lo[i] = suf_lo[i + 1] + k * (f.lo as i64 - b);
        suf_hi[i] = suf_hi[i + 1] + k * (f.hi as i64 - b);
    }
    if target < suf_lo[0] || target > suf_hi[0] {
        return None;
    }
    // cost[t - w_lo]: least reduced cost of an offset t in the window [w_lo, w_lo + len).
    let mut w_lo: i64 = 0;
    let mut cost: Vec<f64> = vec![0.0];
    // Per processed class: its window start and the chosen x_k per window entry.
    let mut choices: Vec<(i64, Vec<u32>)> = Vec::with_capacity(nf);
    for (i, f) in free.iter().enumerate() {
        let k = f.k as i64;
        let b = r.base[f.k as usize] as i64;
        let deltas: Vec<f64> = (f.lo..=f.hi).map(|j| r.delta(f.k, j)).collect();
        let w_hi_prev = w_lo + cost.len() as i64 - 1;
        // New window: reachable from the old one, and able to reach the target afterwards.
        let lo = (w_lo + k * (f.lo as i64 - b)).max(target - suf_hi[i + 1]);
        let hi = (w_hi_prev + k * (f.hi as i64 - b)).min(target - suf_lo[i + 1]);
        if lo > hi {
            return None;
        }
        let len = (hi - lo + 1) as usize;
        let mut next = vec![f64::INFINITY; len];
        let mut ch = vec![u32::MAX; len];
        for (u, &cu) in cost.iter().enumerate() {
            if cu > lim {
                continue;
            }
            let t0 = w_lo + u as i64;
            for (jj, &dj) in deltas.iter().enumerate() {
                let v = cu + dj;
                if v > lim {
                    continue;
                }
                let t = t0 + k * (f.lo as i64 + jj as i64 - b);
                if t < lo || t > hi {
                    continue;
                }
                let idx = (t - lo) as usize;
                if v < next[idx] {
                    next[idx] = v;
                    ch[idx] = jj as u32;
                }
            }
        }
        // Trim unreachable ends.
        let first = next.iter().position(|v| v.is_finite())?;
        let last = next.iter().rposition(|v| v.is_finite())?;
        w_lo = lo + first as i64;
        cost = next[first..=last].to_vec();
        choices.push((w_lo, ch[first..=last].to_vec()));
    }
    // The empty free set: only the base itself.
    let total = if nf == 0 {
        if target != 0 {
            return None;
        }
        0.0
    } else {
        let idx = target - w_lo;
        if idx < 0 || idx as usize >= cost.len() || !cost[idx as usize].is_finite() {
            return None;
        }
        cost[idx as usize]
    };
    // Walk the choices back from the target offset.
    let mut x = r.base.clone();
    let mut t = target;
    for (f, (start, ch)) in free.iter().zip(&choices).rev() {
        let jj = ch[(t - start) as usize];
        debug_assert!(jj != u32::MAX);
        let j = f.lo + jj as u64;
        x[f.k as usize] = j;
        t -= f.k as i64 * (j as i64 - r.base[f.k as usize] as i64);
    }
    debug_assert_eq!(t, 0);
    Some((total, x))
}

/// Exact maximizer for large `M` by reduced-cost fixing and search (the standard knapsack
/// proof technique).
///
/// For any multiplier `ν`, every configuration with `Σ k m_k = M` satisfies
/// `obj(x) = UB(ν) - Σ_k δ_k(x_k)` with the reduced costs `δ_k >= 0` of `Reduced` and the dual
/// value `UB(ν)`; the maximum of the objective is therefore `UB(ν)` minus the least total reduced
/// cost over feasible configurations, which `cheapest_correction` computes exactly within a
/// budget. A feasible configuration of value `LB` (the repaired dual solution) has total reduced
/// cost `UB - LB`, so the search with budget `UB - LB` always succeeds and returns the optimum;
/// smaller budgets are tried first (they leave fewer classes free) and a result found with cost
/// `c <= budget` is optimal too, since any better configuration has total cost `< c` and lies in
/// the searched set. Completeness is up to floating rounding: comparisons carry
/// [`REDUCED_COST_TOL`] of slack, so a configuration within the tolerance of the optimum may be
/// returned in its place. `ν` is the dual optimum (bisection of the relaxed mass), which makes
/// `UB - LB` and hence the search small.
pub fn max_relevance_reduced(m: u64, mu: f64) -> Result<BoundPoint> {
    check_m(m)?;
    reduced_with_table(m, mu, &ln_table(m))
}

fn reduced_with_table(m: u64, mu: f64, table: &[f64]) -> Result<BoundPoint> {
    spinlearn_core::check::finite("mu", mu)?;
    let c = Classes::new(m, mu, table);
    let d = dual(&c, m)?;
    let feasible = repaired(&c, m, &d)?;
    let mut base = vec![0u64; m as usize + 1];
    let mut best = vec![0.0; m as usize + 1];
    for k in 1..=m {
        let (j, v) = class_opt(&c, k, d.nu);
        base[k as usize] = j;
        best[k as usize] = v;
    }
    let r = Reduced {
        c: &c,
        nu: d.nu,
        base,
        best,
    };
    let gap = (d.upper - objective_of(&c, &feasible)).max(0.0);
    // Budgets from small to the certified gap; the last one always succeeds.
    let mut budget = (gap * 1e-4).max(1e-9).min(gap);
    loop {
        if let Some((cost, x)) = cheapest_correction(&r, m, budget)
            && cost <= budget + REDUCED_COST_TOL
        {
            return point(mu, degeneracy_of(&x), None);
        }
        if budget >= gap {
            break;
        }
        budget = (budget * 16.0).min(gap);
    }
    // Unreachable in exact arithmetic (the feasible configuration lies within the last budget);
    // kept as a guard against rounding: report the certified feasible point instead.
    point(mu, degeneracy_of(&feasible), Some(d.upper))
}

/// Adds `r > 0` missing samples: either a new state of frequency `r`, or one state of frequency
/// `k` grows to `k + r` (best single move).
fn repair_up(c: &Classes, ms: &[u64], r: u64) -> Option<Vec<u64>> {
    let n = ms.len() as u64 - 1;
    let delta = |ms: &[u64], k: u64, d: i64| -> f64 {
        let j = ms[k as usize];
        c.phi(k, (j as i64 + d) as u64) - c.phi(k, j)
    };
    let mut best = (delta(ms, r, 1), None::<u64>);
    for k in 1..=n - r {
        if ms[k as usize] == 0 {
            continue;
        }
        let mut tmp_gain = delta(ms, k, -1);
        // Gain of adding one state at k + r after removing one at k (distinct classes).
        tmp_gain += delta(ms, k + r, 1);
        if tmp_gain > best.0 {
            best = (tmp_gain, Some(k));
        }
    }
    let mut out = ms.to_vec();
    match best.1 {
        None => out[r as usize] += 1,
        Some(k) => {
            out[k as usize] -= 1;
            out[(k + r) as usize] += 1;
        }
    }
    Some(out)
}

/// Removes `e > 0` surplus samples: one state of frequency `k > e` shrinks to `k - e`, or one
/// state of frequency exactly `e` disappears (best single move).
fn repair_down(c: &Classes, ms: &[u64], e: u64) -> Option<Vec<u64>> {
    let n = ms.len() as u64 - 1;
    let delta = |ms: &[u64], k: u64, d: i64| -> f64 {
        let j = ms[k as usize];
        c.phi(k, (j as i64 + d) as u64) - c.phi(k, j)
    };
    let mut best: Option<(f64, u64)> = None;
    for k in e..=n {
        if ms[k as usize] == 0 {
            continue;
        }
        let mut gain = delta(ms, k, -1);
        if k > e {
            gain += delta(ms, k - e, 1);
        }
        if best.is_none_or(|(g, _)| gain > g) {
            best = Some((gain, k));
        }
    }
    let (_, k) = best?;
    let mut out = ms.to_vec();
    out[k as usize] -= 1;
    if k > e {
        out[(k - e) as usize] += 1;
    }
    Some(out)
}

/// The maximizer of `H[k] + μ H[s]`: exact dynamic programme up to [`EXACT_LIMIT`], the exact
/// reduced-cost search above it.
pub fn max_relevance(m: u64, mu: f64) -> Result<BoundPoint> {
    if m <= EXACT_LIMIT {
        max_relevance_exact(m, mu)
    } else {
        max_relevance_reduced(m, mu)
    }
}

/// The default sweep of μ: `tan θ` for `n` angles θ evenly spaced in `(-0.49π, 0.49π)`,
/// covering both branches (μ from about -32 to 32).
pub fn default_mus(n: usize) -> Vec<f64> {
    let n = n.max(2);
    let a = 0.49 * std::f64::consts::PI;
    (0..n)
        .map(|i| (-a + 2.0 * a * i as f64 / (n - 1) as f64).tan())
        .collect()
}

/// The low-resolution branch. Since `k` is a function of `s`, `H[k] <= H[s]`, with equality
/// exactly when all states have distinct frequencies (`m_k <= 1`); these configurations are the
/// maximizers at μ = -1 (objective 0), which the sweep cannot separate. This returns `n` of them,
/// `{1, 2, ..., r-1, M - r(r-1)/2}` for `r` from 1 to the largest value keeping parts distinct,
/// tracing `H[k] = H[s]` from 0 up to about `ln(2M)/(2 ln M)`.
pub fn low_resolution_branch(m: u64, n: usize) -> Result<Vec<BoundPoint>> {
    check_m(m)?;
    let mut r_max = 1u64;
    while m > (r_max + 1) * r_max / 2 + r_max {
        r_max += 1;
    }
    let n = n.max(2) as u64;
    let mut rs: Vec<u64> = (0..n).map(|i| 1 + i * (r_max - 1) / (n - 1)).collect();
    rs.dedup();
    rs.into_iter()
        .map(|r| {
            let top = m - r * (r - 1) / 2;
            let mut deg: Vec<(u64, u64)> = (1..r).map(|k| (k, 1)).collect();
            deg.push((top, 1));
            point(-1.0, deg, None)
        })
        .collect()
}

/// The bound curve at sample size `M`: the [`low_resolution_branch`] (20 points) and one point per
/// μ of `mus` with μ > -1 (μ <= -1 only gives the single-state point), sorted by `H[s]`. Plot
/// `entropies.h_s_norm` against `entropies.h_k_norm`.
pub fn bound_curve(m: u64, mus: &[f64]) -> Result<Vec<BoundPoint>> {
    check_m(m)?;
    let mus: Vec<f64> = mus.iter().copied().filter(|&mu| mu > -1.0).collect();
    let mut out = low_resolution_branch(m, 20)?;
    let sweep: Result<Vec<BoundPoint>> = if m <= EXACT_LIMIT {
        mus.par_iter()
            .map(|&mu| max_relevance_exact(m, mu))
            .collect()
    } else {
        let table = ln_table(m);
        mus.par_iter()
            .map(|&mu| reduced_with_table(m, mu, &table))
            .collect()
    };
    out.extend(sweep?);
    out.sort_by(|a, b| a.entropies.h_s.total_cmp(&b.entropies.h_s));
    Ok(out)
}

/// The bound curve of `spinlearn relevance bound`: the sample size and the number of multipliers
/// μ in the sweep. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundParams {
    /// Sample size `M` (at least 2, at most `u32::MAX`).
    pub m: u64,
    /// Multipliers μ in the sweep ([`default_mus`]), at least 2.
    pub points: usize,
}

/// [`BoundParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidBoundParams {
    m: u64,
    points: usize,
}

impl ValidBoundParams {
    /// Sample size `M`.
    pub fn m(&self) -> u64 {
        self.m
    }

    /// Multipliers μ in the sweep.
    pub fn points(&self) -> usize {
        self.points
    }
}

impl ParamGuard for BoundParams {
    type Checked = ValidBoundParams;

    fn check(&self) -> spinlearn_core::Result<ValidBoundParams> {
        if self.m < 2 {
            return Err(spinlearn_core::Error::invalid(
                "m",
                format!("must be at least 2, got {}", self.m),
            ));
        }
        if self.m > u32::MAX as u64 {
            return Err(spinlearn_core::Error::invalid("m", "must fit in 32 bits"));
        }
        spinlearn_core::check::at_least("points", self.points, 2)?;
        // The multipliers and one point each; for large M a table of ln over 0..=M plus, on
        // every worker thread, the working vectors of one point (three of M + 1 words).
        spinlearn_core::mem::check("points", &[(&[self.points], 8 + size_of::<BoundPoint>())])?;
        let words = 1 + 3 * rayon::current_num_threads();
        spinlearn_core::mem::check("m", &[(&[self.m as usize + 1, words], 8)])?;
        Ok(ValidBoundParams {
            m: self.m,
            points: self.points,
        })
    }
}

/// The bound curve at `M = p.m()` over [`default_mus`]`(p.points())` (see [`bound_curve`]).
pub fn sweep(p: &ValidBoundParams) -> Result<Vec<BoundPoint>> {
    bound_curve(p.m, &default_mus(p.points))
}

/// Headline figures of a bound curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundSummary {
    /// Whether every point was solved exactly.
    pub exact: bool,
    /// Largest `upper - objective` over the curve (0 when every point is exact).
    pub max_gap: f64,
    /// The largest `H[k] / ln M` on the curve.
    pub h_k_norm_max: f64,
    /// `H[s] / ln M` where `H[k]` is largest.
    pub h_s_norm_at_max: f64,
}

impl BoundSummary {
    /// Summarizes a curve; `None` when it is empty.
    pub fn of(points: &[BoundPoint]) -> Option<BoundSummary> {
        let top = points
            .iter()
            .max_by(|a, b| a.entropies.h_k.total_cmp(&b.entropies.h_k))?;
        Some(BoundSummary {
            exact: points.iter().all(|p| p.exact),
            max_gap: points.iter().map(|p| p.gap).fold(0.0, f64::max),
            h_k_norm_max: top.entropies.h_k_norm,
            h_s_norm_at_max: top.entropies.h_s_norm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_branch_lies_on_the_diagonal() {
        let b = low_resolution_branch(5000, 10).unwrap();
        assert!(b.len() >= 5);
        for p in &b {
            assert!((p.entropies.h_k - p.entropies.h_s).abs() < 1e-12);
            assert_eq!(p.degeneracy.iter().map(|&(k, j)| k * j).sum::<u64>(), 5000);
        }
        let c = bound_curve(300, &default_mus(11)).unwrap();
        assert!(
            c.windows(2)
                .all(|w| w[0].entropies.h_s <= w[1].entropies.h_s)
        );
    }

    #[test]
    fn limits_of_the_sweep() {
        // μ → +∞ favours resolution: all singletons (H[s] = ln M, H[k] = 0).
        let p = max_relevance_exact(30, 50.0).unwrap();
        assert_eq!(p.degeneracy, vec![(1, 30)]);
        // μ → -∞: one state holding everything (H[s] = 0).
        let p = max_relevance_exact(30, -50.0).unwrap();
        assert_eq!(p.degeneracy, vec![(30, 1)]);
        assert!(max_relevance_exact(1, 0.0).is_err());
        assert!(max_relevance_exact(10, f64::NAN).is_err());
    }

    #[test]
    fn lagrangian_matches_exact_within_its_gap() {
        for &m in &[200u64, 700] {
            for &mu in &[-0.5, 0.0, 0.5, 1.0, 2.0] {
                let ex = max_relevance_exact(m, mu).unwrap();
                let la = max_relevance_lagrangian(m, mu).unwrap();
                let mass: u64 = la.degeneracy.iter().map(|&(k, j)| k * j).sum();
                assert_eq!(mass, m);
                // Feasible: cannot beat the exact maximum; certified: the dual bounds it.
                assert!(la.objective <= ex.objective + 1e-12, "m={m} mu={mu}");
                assert!(la.upper >= ex.objective - 1e-12, "m={m} mu={mu}");
                assert!(
                    ex.objective - la.objective < 0.02,
                    "m={m} mu={mu}: {} vs {}",
                    la.objective,
                    ex.objective
                );
            }
        }
    }

    /// The reduced-cost search is the exact optimum: equal to the dynamic programme for many μ on
    /// both branches (and μ <= -1), at several M, including points where the repaired Lagrangian
    /// solution is strictly worse (so the search, not the heuristic, finds them).
    #[test]
    fn reduced_cost_search_matches_the_dynamic_programme() {
        let mut mus: Vec<f64> = default_mus(21);
        mus.extend([-3.0, -1.0, -0.97, -0.6, -0.05, 0.0, 0.05, 0.4, 0.9, 2.5]);
        let mut improved = 0;
        for &m in &[200u64, 700, 1500] {
            for &mu in &mus {
                let ex = max_relevance_exact(m, mu).unwrap();
                let re = max_relevance_reduced(m, mu).unwrap();
                let la = max_relevance_lagrangian(m, mu).unwrap();
                let mass: u64 = re.degeneracy.iter().map(|&(k, j)| k * j).sum();
                assert_eq!(mass, m);
                assert!(re.exact && re.gap == 0.0, "m={m} mu={mu}");
                assert!(
                    (re.objective - ex.objective).abs() < 1e-9,
                    "m={m} mu={mu}: reduced {} exact {}",
                    re.objective,
                    ex.objective
                );
                if ex.objective - la.objective > 1e-9 {
                    improved += 1;
                }
            }
        }
        assert!(improved >= 10, "only {improved} points needed the search");
    }

    /// Wider randomized cross-check in the release profile (`cargo test --release -- --ignored`).
    #[test]
    #[ignore]
    fn reduced_cost_search_random_cross_check() {
        use rand::RngExt;
        let mut rng = spinlearn_core::Seed(17).stream(0);
        for _ in 0..300 {
            let m = rng.random_range(20u64..=1500);
            let mu = rng.random_range(-3.0..6.0);
            let ex = max_relevance_exact(m, mu).unwrap();
            let re = max_relevance_reduced(m, mu).unwrap();
            assert!(re.exact);
            assert!(
                (re.objective - ex.objective).abs() < 1e-9,
                "m={m} mu={mu}: reduced {} exact {}",
                re.objective,
                ex.objective
            );
        }
    }
}
