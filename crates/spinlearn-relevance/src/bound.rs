//! The maximal relevance at given resolution (the dotted bound curve of 003 Fig. 2a).
//!
//! Over all ways of spreading `M` samples on states, i.e. integer degeneracies `m_k >= 0` with
//! `Σ_k k m_k = M`, the bound curve is traced by maximizing the Lagrangian `H[k] + μ H[s]`
//! (003 eq. 8, with μ in the role of the paper's β) for a sweep of `μ` (negative `μ` gives the
//! rising branch at low resolution, positive `μ` the falling branch at high resolution). The
//! objective is separable in the classes `k`:
//! `Σ_k φ_k(m_k)`, `φ_k(m) = -(k m/M) ln(k m/M) + μ (k m/M) ln(M/k)`, each concave in `m`.
//!
//! Two solvers:
//! - [`max_relevance_exact`]: dynamic programming over the total mass (a knapsack with one
//!   class per `k`), exact for integer `m_k`; cost `O(M² ln M)`, used up to
//!   [`EXACT_LIMIT`] samples and checked against enumeration of all integer partitions.
//! - [`max_relevance_lagrangian`]: for large `M`, the mass constraint is relaxed with a second
//!   multiplier `ν` (each class is then solved in closed form, floor/ceil of the stationary point),
//!   `ν` is bisected to the mass `M`, and the integer solution is repaired to `Σ k m_k = M`
//!   exactly. Every returned point is a feasible integer configuration (a lower bound on the
//!   maximum); the dual value is a certified upper bound, and their difference (`gap`) is
//!   reported with each point.

use crate::states::{Entropies, entropies_of_degeneracy};
use crate::{RelevanceError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Largest `M` for which [`max_relevance`] uses the exact dynamic programme.
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

impl Classes<'_> {
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
    let c = Classes {
        m: m as f64,
        ln_m: (m as f64).ln(),
        mu,
        ln: &table,
    };
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

/// Large-`M` solver: Lagrangian relaxation of the mass constraint, bisection on its multiplier,
/// and an exact-mass repair. Returns a feasible integer configuration with its certified gap.
pub fn max_relevance_lagrangian(m: u64, mu: f64) -> Result<BoundPoint> {
    check_m(m)?;
    lagrangian_with_table(m, mu, &ln_table(m))
}

fn lagrangian_with_table(m: u64, mu: f64, table: &[f64]) -> Result<BoundPoint> {
    spinlearn_core::check::finite("mu", mu)?;
    let c = Classes {
        m: m as f64,
        ln_m: (m as f64).ln(),
        mu,
        ln: table,
    };
    // Mass is non-increasing in ν; bracket ν so that mass(lo) >= M >= mass(hi).
    let mut lo = -1.0;
    let mut hi = 1.0;
    let mut it = 0;
    while relaxed(&c, m, lo).0 < m {
        lo = 2.0 * lo - 1.0;
        it += 1;
        if it > 200 {
            return Err(RelevanceError::NonConvergence {
                what: "bound bracket (low)".into(),
                iterations: it,
            });
        }
    }
    while relaxed(&c, m, hi).0 > m {
        hi = 2.0 * hi + 1.0;
        it += 1;
        if it > 400 {
            return Err(RelevanceError::NonConvergence {
                what: "bound bracket (high)".into(),
                iterations: it,
            });
        }
    }
    let (mut s_lo, mut d_lo, mut ms_lo) = relaxed(&c, m, lo);
    let (mut s_hi, mut d_hi, mut ms_hi) = relaxed(&c, m, hi);
    for _ in 0..64 {
        if s_lo == m || s_hi == m || hi - lo < 1e-12 * (1.0 + lo.abs()) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        let (s, d, ms) = relaxed(&c, m, mid);
        if s >= m {
            (lo, s_lo, d_lo, ms_lo) = (mid, s, d, ms);
        } else {
            (hi, s_hi, d_hi, ms_hi) = (mid, s, d, ms);
        }
    }
    let upper = d_lo.min(d_hi);
    let objective = |ms: &[u64]| -> f64 {
        ms.iter()
            .enumerate()
            .skip(1)
            .map(|(k, &j)| c.phi(k as u64, j))
            .sum()
    };
    let mut candidates: Vec<Vec<u64>> = Vec::new();
    if s_hi == m {
        candidates.push(ms_hi.clone());
    }
    if s_lo == m {
        candidates.push(ms_lo.clone());
    }
    if candidates.is_empty() {
        candidates.extend(repair_up(&c, &ms_hi, m - s_hi));
        candidates.extend(repair_down(&c, &ms_lo, s_lo - m));
    }
    let best = candidates
        .into_iter()
        .map(|ms| (objective(&ms), ms))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .ok_or_else(|| RelevanceError::Input("no feasible repair".into()))?
        .1;
    let deg: Vec<(u64, u64)> = best
        .iter()
        .enumerate()
        .filter(|&(k, &j)| k > 0 && j > 0)
        .map(|(k, &j)| (k as u64, j))
        .collect();
    point(mu, deg, Some(upper))
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

/// The maximizer of `H[k] + μ H[s]`: exact dynamic programme up to [`EXACT_LIMIT`], the
/// certified Lagrangian solver above it.
pub fn max_relevance(m: u64, mu: f64) -> Result<BoundPoint> {
    if m <= EXACT_LIMIT {
        max_relevance_exact(m, mu)
    } else {
        max_relevance_lagrangian(m, mu)
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
            .map(|&mu| lagrangian_with_table(m, mu, &table))
            .collect()
    };
    out.extend(sweep?);
    out.sort_by(|a, b| a.entropies.h_s.total_cmp(&b.entropies.h_s));
    Ok(out)
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
}
