//! Discrete power-law fits of frequencies: `m_k ~ k^(-β-1)` (003, text after eq. 8) means the
//! frequencies `k_s` of the distinct states follow the discrete power law
//! `P(k) = k^(-α) / ζ(α, k_min)` for `k >= k_min`, with `β = α - 1`.
//!
//! Method of Clauset, Shalizi & Newman (SIAM Review 51, 661, 2009): maximum likelihood with the
//! Hurwitz zeta normalization (their eq. 3.5, solved numerically, not the continuous
//! approximation), `x_min` chosen to minimize the Kolmogorov-Smirnov distance between the
//! empirical and fitted tail CDFs, the standard error from the Fisher information
//! `1/sqrt(n · d²/dα² ln ζ(α, x_min))`, and the semi-parametric bootstrap goodness-of-fit p-value
//! (their section 4.1). The Hurwitz zeta is computed by Euler-Maclaurin summation.

use crate::{RelevanceError, Result};
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::stats::golden_section_min;
use spinlearn_core::{ParamGuard, Seed, check};

/// Bernoulli numbers `B_2, B_4, ..., B_20`.
const BERNOULLI: [f64; 10] = [
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
    43867.0 / 798.0,
    -174611.0 / 330.0,
];

/// The Hurwitz zeta function `ζ(s, q) = Σ_{n>=0} (q + n)^(-s)` for `s > 1`, `q > 0`, by
/// Euler-Maclaurin summation: the first `N` terms directly, then the integral, half the next term
/// and ten Bernoulli corrections at `a = q + N >= 12 + s` (relative error below 1e-15).
/// Returns NaN outside the domain.
pub fn hurwitz_zeta(s: f64, q: f64) -> f64 {
    if s.is_nan() || q.is_nan() || s <= 1.0 || q <= 0.0 || s.is_infinite() || q.is_infinite() {
        return f64::NAN;
    }
    let a_min = 12.0 + s;
    let n_direct = if q >= a_min {
        0
    } else {
        (a_min - q).ceil() as usize
    };
    let mut sum = 0.0;
    for n in 0..n_direct {
        sum += (q + n as f64).powf(-s);
    }
    let a = q + n_direct as f64;
    let a_s = a.powf(-s);
    sum += a * a_s / (s - 1.0) + 0.5 * a_s;
    // term_j = B_2j / (2j)! · s (s+1) ... (s+2j-2) · a^(-s-2j+1)
    let mut fact = 1.0; // (2j)!
    let mut rising = s; // s (s+1) ... (s+2j-2)
    let mut pow = a_s / a; // a^(-s-2j+1)
    let inv_a2 = 1.0 / (a * a);
    for (j, b) in BERNOULLI.iter().enumerate() {
        let jj = (j + 1) as f64;
        fact *= (2.0 * jj - 1.0) * (2.0 * jj);
        if j > 0 {
            rising *= (s + 2.0 * jj - 3.0) * (s + 2.0 * jj - 2.0);
            pow *= inv_a2;
        }
        sum += b / fact * rising * pow;
    }
    sum
}

/// How `x_min` is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum XminPolicy {
    /// A fixed lower cutoff.
    Fixed {
        /// The cutoff `x_min >= 1`.
        xmin: u64,
    },
    /// The distinct data value minimizing the KS distance, among those leaving at least
    /// `min_tail` samples in the tail.
    Auto {
        /// Smallest tail size considered.
        min_tail: usize,
    },
}

impl XminPolicy {
    /// Reads the `xmin` flag: `auto` (KS distance, tails of at least `min_tail` samples) or a
    /// positive integer.
    pub fn from_flag(text: &str, min_tail: usize) -> Result<XminPolicy> {
        if text == "auto" {
            return Ok(XminPolicy::Auto { min_tail });
        }
        let xmin: u64 = text.trim().parse().map_err(|_| {
            RelevanceError::invalid("xmin", format!("`{text}` is neither `auto` nor an integer"))
        })?;
        check::nonzero("xmin", xmin as usize)?;
        Ok(XminPolicy::Fixed { xmin })
    }
}

/// Fit configuration (the flags `xmin`, `min_tail`, `bootstrap`). Validate with
/// [`ParamGuard::check`]; the bootstrap's seed is an argument of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLawParams {
    /// The `x_min` policy.
    pub xmin: XminPolicy,
    /// Number of bootstrap replicates for the p-value (0: no p-value).
    pub bootstrap: usize,
}

impl Default for PowerLawParams {
    fn default() -> Self {
        PowerLawParams {
            xmin: XminPolicy::Auto { min_tail: 10 },
            bootstrap: 0,
        }
    }
}

/// [`PowerLawParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidPowerLawParams {
    xmin: XminPolicy,
    bootstrap: usize,
}

impl ValidPowerLawParams {
    /// The `x_min` policy.
    pub fn xmin(&self) -> XminPolicy {
        self.xmin
    }

    /// Bootstrap replicates (0: no p-value).
    pub fn bootstrap(&self) -> usize {
        self.bootstrap
    }
}

impl ParamGuard for PowerLawParams {
    type Checked = ValidPowerLawParams;

    fn check(&self) -> spinlearn_core::Result<ValidPowerLawParams> {
        match self.xmin {
            XminPolicy::Fixed { xmin } => {
                check::nonzero("xmin", xmin as usize)?;
            }
            XminPolicy::Auto { min_tail } => {
                check::at_least("min_tail", min_tail, 2)?;
            }
        }
        // One KS distance per replicate (the replicates' own samples are the data's size).
        spinlearn_core::mem::check("bootstrap", &[(&[self.bootstrap], 8)])?;
        Ok(ValidPowerLawParams {
            xmin: self.xmin,
            bootstrap: self.bootstrap,
        })
    }
}

/// The result of a discrete power-law fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    /// Exponent α of `P(k) ∝ k^(-α)`.
    pub alpha: f64,
    /// `β = α - 1`, the exponent of `m_k ∝ k^(-β-1)` (003).
    pub beta: f64,
    /// Lower cutoff.
    pub xmin: u64,
    /// Standard error of α (Fisher information).
    pub alpha_stderr: f64,
    /// Samples in the tail `k >= x_min`.
    pub n_tail: usize,
    /// All samples.
    pub n: usize,
    /// KS distance between the tail's empirical CDF and the fit.
    pub ks_distance: f64,
    /// Log-likelihood of the tail at α.
    pub log_likelihood: f64,
    /// Bootstrap goodness-of-fit p-value (fraction of replicates with a larger KS distance);
    /// `None` without bootstrap.
    pub p_value: Option<f64>,
    /// Number of bootstrap replicates used.
    pub n_bootstrap: usize,
}

const ALPHA_LO: f64 = 1.0 + 1e-9;
const ALPHA_HI: f64 = 20.0;

/// Data sorted once, with suffix sums of `ln x` for O(1) tail statistics.
struct Sorted {
    x: Vec<u64>,
    /// suffix[i] = Σ_{j >= i} ln x_j
    suffix_ln: Vec<f64>,
}

impl Sorted {
    fn new(data: &[u64]) -> Sorted {
        let mut x = data.to_vec();
        x.sort_unstable();
        let mut suffix_ln = vec![0.0; x.len() + 1];
        for i in (0..x.len()).rev() {
            suffix_ln[i] = suffix_ln[i + 1] + (x[i] as f64).ln();
        }
        Sorted { x, suffix_ln }
    }
    fn start_of(&self, xmin: u64) -> usize {
        self.x.partition_point(|&v| v < xmin)
    }
}

/// Maximum-likelihood α for the tail (`n` samples with `Σ ln x = sum_ln`) above `xmin`, by golden
/// section on the concave log-likelihood `-n ln ζ(α, xmin) - α Σ ln x` (minimizing its negative).
fn mle_alpha(n: usize, sum_ln: f64, xmin: u64) -> Result<(f64, f64)> {
    let q = xmin as f64;
    let nf = n as f64;
    let ll = |a: f64| -nf * hurwitz_zeta(a, q).ln() - a * sum_ln;
    let alpha = golden_section_min("power-law MLE", |a| -ll(a), ALPHA_LO, ALPHA_HI, 1e-10, 500)?;
    Ok((alpha, ll(alpha)))
}

/// `d²/dα² ln ζ(α, q)` (the variance of `ln k` under the fitted law) by central differences.
pub fn log_zeta_second_derivative(alpha: f64, q: f64) -> f64 {
    let h = 1e-4 * alpha.max(1.0);
    let h = h.min(0.5 * (alpha - 1.0));
    let f = |a: f64| hurwitz_zeta(a, q).ln();
    (f(alpha + h) - 2.0 * f(alpha) + f(alpha - h)) / (h * h)
}

/// KS distance between the empirical CDF of the sorted tail `xs` and the discrete power law.
fn ks_distance(xs: &[u64], alpha: f64, xmin: u64) -> f64 {
    let z0 = hurwitz_zeta(alpha, xmin as f64);
    let n = xs.len() as f64;
    let model_cdf = |x: u64| 1.0 - hurwitz_zeta(alpha, (x + 1) as f64) / z0; // P(K <= x)
    let mut d: f64 = 0.0;
    let mut i = 0;
    let mut prev_emp = 0.0;
    let mut prev_x = xmin; // first integer not yet compared
    while i < xs.len() {
        let x = xs[i];
        let mut j = i;
        while j < xs.len() && xs[j] == x {
            j += 1;
        }
        // Between the previous value and x the empirical CDF is flat at prev_emp; the model rises,
        // so compare at x - 1 (the largest gap on that stretch).
        if x > prev_x {
            d = d.max((model_cdf(x - 1) - prev_emp).abs());
        }
        let emp = j as f64 / n;
        d = d.max((model_cdf(x) - emp).abs());
        prev_emp = emp;
        prev_x = x + 1;
        i = j;
    }
    d
}

struct TailFit {
    alpha: f64,
    xmin: u64,
    n_tail: usize,
    ks: f64,
    ll: f64,
}

fn fit_at(s: &Sorted, xmin: u64) -> Result<Option<TailFit>> {
    let i = s.start_of(xmin);
    let n_tail = s.x.len() - i;
    if n_tail == 0 {
        return Ok(None);
    }
    let (alpha, ll) = mle_alpha(n_tail, s.suffix_ln[i], xmin)?;
    let ks = ks_distance(&s.x[i..], alpha, xmin);
    Ok(Some(TailFit {
        alpha,
        xmin,
        n_tail,
        ks,
        ll,
    }))
}

fn select(s: &Sorted, policy: XminPolicy) -> Result<TailFit> {
    match policy {
        XminPolicy::Fixed { xmin } => fit_at(s, xmin)?
            .ok_or_else(|| RelevanceError::Input(format!("no data at or above xmin = {xmin}"))),
        XminPolicy::Auto { min_tail } => {
            let mut cands: Vec<u64> = s.x.clone();
            cands.dedup();
            let mut best: Option<TailFit> = None;
            for xm in cands {
                let i = s.start_of(xm);
                if s.x.len() - i < min_tail {
                    break;
                }
                // A tail of one repeated value has no exponent to fit.
                if s.x[i] == *s.x.last().expect("non-empty") {
                    break;
                }
                if let Some(f) = fit_at(s, xm)?
                    && best.as_ref().is_none_or(|b| f.ks < b.ks)
                {
                    best = Some(f);
                }
            }
            best.ok_or_else(|| {
                RelevanceError::Input(format!(
                    "no x_min leaves {min_tail} samples with at least two distinct values"
                ))
            })
        }
    }
}

/// Fits a discrete power law to positive integer data (e.g. the frequencies `k_s`); bootstrap
/// replicate `b` draws from `seed.stream(b)`.
pub fn fit(data: &[u64], p: &ValidPowerLawParams, seed: Seed) -> Result<PowerLawFit> {
    if data.contains(&0) {
        return Err(RelevanceError::Input(
            "power-law data must be positive integers".into(),
        ));
    }
    if data.len() < 2 {
        return Err(RelevanceError::Input("need at least two samples".into()));
    }
    let s = Sorted::new(data);
    let f = select(&s, p.xmin)?;
    let var = log_zeta_second_derivative(f.alpha, f.xmin as f64);
    let alpha_stderr = 1.0 / (f.n_tail as f64 * var).sqrt();
    let p_value = if p.bootstrap > 0 {
        Some(bootstrap_p(&s, &f, p, seed)?)
    } else {
        None
    };
    Ok(PowerLawFit {
        alpha: f.alpha,
        beta: f.alpha - 1.0,
        xmin: f.xmin,
        alpha_stderr,
        n_tail: f.n_tail,
        n: data.len(),
        ks_distance: f.ks,
        log_likelihood: f.ll,
        p_value,
        n_bootstrap: p.bootstrap,
    })
}

fn bootstrap_p(s: &Sorted, f: &TailFit, p: &ValidPowerLawParams, seed: Seed) -> Result<f64> {
    let sampler = DiscretePowerLaw::new(f.alpha, f.xmin)?;
    let n = s.x.len();
    let below = &s.x[..s.start_of(f.xmin)];
    let p_tail = f.n_tail as f64 / n as f64;
    let ds: Vec<f64> = (0..p.bootstrap)
        .into_par_iter()
        .map(|b| {
            let mut rng = seed.stream(b as u64);
            let synth: Vec<u64> = match p.xmin {
                XminPolicy::Fixed { .. } => {
                    (0..f.n_tail).map(|_| sampler.sample(&mut rng)).collect()
                }
                XminPolicy::Auto { .. } => (0..n)
                    .map(|_| {
                        if below.is_empty() || rng.random::<f64>() < p_tail {
                            sampler.sample(&mut rng)
                        } else {
                            below[rng.random_range(0..below.len())]
                        }
                    })
                    .collect(),
            };
            let ss = Sorted::new(&synth);
            // A replicate that cannot be fitted counts as a worse fit than the data.
            select(&ss, p.xmin).map(|t| t.ks).unwrap_or(f64::INFINITY)
        })
        .collect();
    Ok(ds.iter().filter(|&&d| d >= f.ks).count() as f64 / ds.len() as f64)
}

/// Empirical and fitted complementary CDFs of a fit's tail, at each distinct value `k >= x_min`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailCcdf {
    /// The distinct data values `k >= x_min`, increasing.
    pub k: Vec<f64>,
    /// Empirical `P(K >= k)` among the tail samples.
    pub empirical: Vec<f64>,
    /// Fitted `P(K >= k) = ζ(α, k) / ζ(α, x_min)`.
    pub fitted: Vec<f64>,
}

/// The tail CCDF of `data` above the fit's `x_min`, empirical and fitted.
pub fn tail_ccdf(data: &[u64], f: &PowerLawFit) -> TailCcdf {
    let mut tail: Vec<u64> = data.iter().copied().filter(|&x| x >= f.xmin).collect();
    tail.sort_unstable();
    let n = tail.len() as f64;
    let mut k = Vec::new();
    let mut empirical = Vec::new();
    let mut i = 0;
    while i < tail.len() {
        k.push(tail[i] as f64);
        empirical.push((tail.len() - i) as f64 / n);
        let v = tail[i];
        while i < tail.len() && tail[i] == v {
            i += 1;
        }
    }
    let z = hurwitz_zeta(f.alpha, f.xmin as f64);
    let fitted = k.iter().map(|&x| hurwitz_zeta(f.alpha, x) / z).collect();
    TailCcdf {
        k,
        empirical,
        fitted,
    }
}

/// The fitted degeneracies `m_k = n_tail k^(-α) / ζ(α, x_min)` (the expected number of states
/// seen `k` times, normalized to the states at or above `x_min`) at `n_points >= 2` values of `k`
/// spaced logarithmically from `x_min` to `max(k_max, x_min)`; returns `(k, m_k)`.
pub fn fitted_degeneracy(f: &PowerLawFit, k_max: u64, n_points: usize) -> (Vec<f64>, Vec<f64>) {
    let n_points = n_points.max(2);
    let kmax = k_max.max(f.xmin);
    let last = (n_points - 1) as f64;
    let ks: Vec<f64> = (0..n_points)
        .map(|i| f.xmin as f64 * (kmax as f64 / f.xmin as f64).powf(i as f64 / last))
        .collect();
    let z = hurwitz_zeta(f.alpha, f.xmin as f64);
    let ms = ks
        .iter()
        .map(|k| f.n_tail as f64 * k.powf(-f.alpha) / z)
        .collect();
    (ks, ms)
}

/// Exact sampler of the discrete power law `P(k) = k^(-α)/ζ(α, k_min)`, `k >= k_min`, by inversion
/// of the tail function `P(K >= k) = ζ(α, k)/ζ(α, k_min)` (a table for the first 4096 values,
/// bisection on the zeta function beyond).
#[derive(Debug, Clone)]
pub struct DiscretePowerLaw {
    alpha: f64,
    xmin: u64,
    z0: f64,
    /// ccdf[i] = P(K >= xmin + i)
    ccdf: Vec<f64>,
}

const TABLE: usize = 4096;

impl DiscretePowerLaw {
    /// A sampler for exponent `alpha > 1` and cutoff `xmin >= 1`.
    pub fn new(alpha: f64, xmin: u64) -> Result<DiscretePowerLaw> {
        check::finite("alpha", alpha)?;
        if alpha <= 1.0 {
            return Err(RelevanceError::invalid(
                "alpha",
                format!("must be > 1, got {alpha}"),
            ));
        }
        check::nonzero("xmin", xmin as usize)?;
        let z0 = hurwitz_zeta(alpha, xmin as f64);
        let ccdf = (0..TABLE)
            .map(|i| hurwitz_zeta(alpha, (xmin + i as u64) as f64) / z0)
            .collect();
        Ok(DiscretePowerLaw {
            alpha,
            xmin,
            z0,
            ccdf,
        })
    }

    /// `P(K = k)`.
    pub fn pmf(&self, k: u64) -> f64 {
        if k < self.xmin {
            0.0
        } else {
            (k as f64).powf(-self.alpha) / self.z0
        }
    }

    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        // u in (0, 1]; K = the largest k with P(K >= k) >= u.
        let u = 1.0 - rng.random::<f64>();
        let last = *self.ccdf.last().expect("table");
        if u > last {
            // ccdf is decreasing: count entries >= u.
            let i = self.ccdf.partition_point(|&c| c >= u);
            return self.xmin + i as u64 - 1;
        }
        let tail = |k: u64| hurwitz_zeta(self.alpha, k as f64) / self.z0;
        let mut lo = self.xmin + TABLE as u64 - 1; // tail(lo) >= u
        let mut hi = lo.saturating_mul(2);
        while tail(hi) >= u {
            lo = hi;
            if hi >= u64::MAX / 4 {
                return hi;
            }
            hi = hi.saturating_mul(2);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if tail(mid) >= u { lo = mid } else { hi = mid }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn zeta_known_values() {
        // Riemann zeta values and Hurwitz identities.
        let cases = [
            (2.0, 1.0, PI * PI / 6.0),
            (4.0, 1.0, PI.powi(4) / 90.0),
            (3.0, 1.0, 1.202_056_903_159_594_2),
            (1.5, 1.0, 2.612_375_348_685_488),
            (2.0, 0.5, PI * PI / 2.0), // ζ(2, 1/2) = (2² - 1) ζ(2)
            (6.0, 1.0, PI.powi(6) / 945.0),
            (1.1, 1.0, 10.584_448_464_950_81),
        ];
        for (s, q, want) in cases {
            let got = hurwitz_zeta(s, q);
            assert!(
                ((got - want) / want).abs() < 1e-13,
                "zeta({s},{q}) = {got}, want {want}"
            );
        }
        // ζ(s, q) - ζ(s, q + 1) = q^(-s), also for large q.
        for &(s, q) in &[(2.5, 3.0), (1.7, 1000.0), (9.0, 2.0), (3.3, 50_000.0)] {
            let d = hurwitz_zeta(s, q) - hurwitz_zeta(s, q + 1.0);
            let want = f64::powf(q, -s);
            assert!(((d - want) / want).abs() < 1e-9, "s={s} q={q}");
        }
        assert!(hurwitz_zeta(1.0, 1.0).is_nan() && hurwitz_zeta(2.0, 0.0).is_nan());
    }

    #[test]
    fn second_derivative_is_variance_of_log() {
        // d²/dα² ln ζ(α, q) = Var[ln K] under the law; direct sum up to 10^6 for α = 3, q = 1.
        let (alpha, q) = (3.0f64, 1.0f64);
        let z = hurwitz_zeta(alpha, q);
        let (mut m1, mut m2) = (0.0, 0.0);
        for k in 1..1_000_000u64 {
            let kf = k as f64;
            let p = kf.powf(-alpha) / z;
            m1 += p * kf.ln();
            m2 += p * kf.ln() * kf.ln();
        }
        let var = m2 - m1 * m1;
        let got = log_zeta_second_derivative(alpha, q);
        assert!((got - var).abs() < 1e-6 * var, "{got} vs {var}");
    }

    #[test]
    fn params_are_checked() {
        let p = PowerLawParams {
            xmin: XminPolicy::Fixed { xmin: 0 },
            ..Default::default()
        };
        assert!(p.check().is_err());
        let ok = PowerLawParams::default().check().unwrap();
        assert!(fit(&[0, 2, 3], &ok, Seed(0)).is_err());
        assert!(XminPolicy::from_flag("auto", 10).is_ok());
        let e = XminPolicy::from_flag("0", 10).unwrap_err().to_string();
        assert!(e.contains("`xmin`"), "{e}");
        assert!(XminPolicy::from_flag("ten", 10).is_err());
        assert!(DiscretePowerLaw::new(1.0, 1).is_err());
    }
}
