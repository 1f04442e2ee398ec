//! The least-squares fit of eq. (2), m(T) ≈ 1/2 - 1/2 tanh(a (T - b Tc)), to the mean-field
//! firing branch (paper 002, section 2.4, Fig. 2; the paper quotes a = 6 with Tc = 1 and b = 1, and
//! notes that "a second hyperparameter multiplying the critical temperature", b here, brings the fit
//! closer).
//!
//! With b fixed the sum of squares S(a) is minimized by a logarithmic grid scan (S need not be
//! convex in a) followed by golden-section search in the best grid cell; with b free, by
//! Levenberg-Marquardt (analytic Jacobian) started from the one-parameter optimum.

use crate::activation::sech2;
use crate::error::{IsingError, Result, invalid};
use serde::{Deserialize, Serialize};
use spinlearn_core::stats::golden_section_min;

/// The model of eq. (2): 1/2 - 1/2 tanh(a (T - b Tc)).
#[inline]
pub fn tanh_model(t: f64, a: f64, b: f64, tc: f64) -> f64 {
    0.5 - 0.5 * (a * (t - b * tc)).tanh()
}

/// A fitted eq. (2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TanhFit {
    /// Steepness a.
    pub a: f64,
    /// Multiplier b of Tc (1 when not fitted).
    pub b: f64,
    /// The Tc the model was written with.
    pub tc: f64,
    /// Root-mean-square residual sqrt(S / n).
    pub residual_rms: f64,
    /// Largest absolute residual.
    pub residual_max: f64,
    /// Number of points fitted.
    pub n_points: usize,
}

impl TanhFit {
    /// The fitted curve at temperature t.
    pub fn value(&self, t: f64) -> f64 {
        tanh_model(t, self.a, self.b, self.tc)
    }
}

fn sum_squares(ts: &[f64], ms: &[f64], a: f64, b: f64, tc: f64) -> f64 {
    ts.iter()
        .zip(ms)
        .map(|(&t, &m)| (tanh_model(t, a, b, tc) - m).powi(2))
        .sum()
}

fn finish(ts: &[f64], ms: &[f64], a: f64, b: f64, tc: f64) -> TanhFit {
    let n = ts.len();
    let mut max: f64 = 0.0;
    for (&t, &m) in ts.iter().zip(ms) {
        max = max.max((tanh_model(t, a, b, tc) - m).abs());
    }
    TanhFit {
        a,
        b,
        tc,
        residual_rms: (sum_squares(ts, ms, a, b, tc) / n as f64).sqrt(),
        residual_max: max,
        n_points: n,
    }
}

fn check_data(ts: &[f64], ms: &[f64], tc: f64) -> Result<()> {
    if ts.len() != ms.len() {
        return Err(invalid(
            "ms",
            format!("length {} differs from ts length {}", ms.len(), ts.len()),
        ));
    }
    if ts.len() < 2 {
        return Err(invalid("ts", "need at least 2 points"));
    }
    if ts.iter().chain(ms).any(|x| !x.is_finite()) {
        return Err(invalid("ts/ms", "must be finite"));
    }
    spinlearn_core::check::finite("tc", tc)?;
    Ok(())
}

/// Fits a with b = 1 fixed: log-grid scan of a over [1e-3, 1e3] then golden section to relative
/// precision 1e-12. `ts` and `ms` have equal length n >= 2.
pub fn fit_tanh(ts: &[f64], ms: &[f64], tc: f64) -> Result<TanhFit> {
    check_data(ts, ms, tc)?;
    let a = minimize_a(ts, ms, tc, 1.0)?;
    Ok(finish(ts, ms, a, 1.0, tc))
}

fn minimize_a(ts: &[f64], ms: &[f64], tc: f64, b: f64) -> Result<f64> {
    let n_grid = 241;
    let (lo, hi) = (1e-3f64.ln(), 1e3f64.ln());
    let grid: Vec<f64> = (0..n_grid)
        .map(|i| (lo + (hi - lo) * i as f64 / (n_grid - 1) as f64).exp())
        .collect();
    let s: Vec<f64> = grid
        .iter()
        .map(|&a| sum_squares(ts, ms, a, b, tc))
        .collect();
    let best = (0..n_grid)
        .min_by(|&i, &j| s[i].total_cmp(&s[j]))
        .unwrap_or(0);
    let x0 = grid[best.saturating_sub(1)].ln();
    let x1 = grid[(best + 1).min(n_grid - 1)].ln();
    // Golden section in ln a.
    let f = |x: f64| sum_squares(ts, ms, x.exp(), b, tc);
    let x = golden_section_min("tanh fit (golden section)", f, x0, x1, 1e-13, 200)?;
    Ok(x.exp())
}

/// Fits both a and b (eq. (2) with Tc replaced by b Tc) by Levenberg-Marquardt, started from the
/// b = 1 optimum. Fails with a non-convergence error if the gradient does not vanish.
pub fn fit_tanh_shifted(ts: &[f64], ms: &[f64], tc: f64) -> Result<TanhFit> {
    check_data(ts, ms, tc)?;
    let mut a = minimize_a(ts, ms, tc, 1.0)?;
    let mut b = 1.0;
    let mut lambda = 1e-3;
    let mut s = sum_squares(ts, ms, a, b, tc);
    let max_iter = 500;
    let mut grad_norm = f64::INFINITY;
    for _ in 0..max_iter {
        // J^T J and J^T r for r_i = model - m_i.
        let (mut jaa, mut jab, mut jbb, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&t, &m) in ts.iter().zip(ms) {
            let u = a * (t - b * tc);
            let r = 0.5 - 0.5 * u.tanh() - m;
            let s2 = sech2(u);
            let da = -0.5 * s2 * (t - b * tc);
            let db = 0.5 * s2 * a * tc;
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        grad_norm = (ga * ga + gb * gb).sqrt();
        if grad_norm < 1e-13 * (1.0 + s) {
            return Ok(finish(ts, ms, a, b, tc));
        }
        loop {
            let (maa, mbb) = (jaa * (1.0 + lambda), jbb * (1.0 + lambda));
            let det = maa * mbb - jab * jab;
            if det.abs() < f64::MIN_POSITIVE || !det.is_finite() {
                lambda *= 10.0;
                if lambda > 1e12 {
                    break;
                }
                continue;
            }
            let step_a = -(mbb * ga - jab * gb) / det;
            let step_b = -(maa * gb - jab * ga) / det;
            let (na, nb) = (a + step_a, b + step_b);
            let ns = sum_squares(ts, ms, na, nb, tc);
            if ns <= s && na > 0.0 {
                let small = step_a.abs() <= 1e-14 * a.abs() && step_b.abs() <= 1e-14 * b.abs();
                a = na;
                b = nb;
                s = ns;
                lambda = (lambda / 3.0).max(1e-12);
                if small {
                    return Ok(finish(ts, ms, a, b, tc));
                }
                break;
            }
            lambda *= 4.0;
            if lambda > 1e12 {
                break;
            }
        }
        if lambda > 1e12 {
            // No step lowers S any more: a minimum to machine precision.
            return Ok(finish(ts, ms, a, b, tc));
        }
    }
    Err(IsingError::non_convergence(
        "tanh fit (Levenberg-Marquardt)",
        max_iter,
        grad_norm,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_known_parameters_from_exact_model_data() {
        let ts: Vec<f64> = (0..81).map(|i| 0.025 * i as f64).collect();
        let ms: Vec<f64> = ts.iter().map(|&t| tanh_model(t, 6.0, 1.0, 1.0)).collect();
        let f = fit_tanh(&ts, &ms, 1.0).unwrap();
        assert!((f.a - 6.0).abs() < 1e-8, "{f:?}");
        assert!(f.residual_rms < 1e-10);
        let ms: Vec<f64> = ts.iter().map(|&t| tanh_model(t, 3.5, 0.9, 1.0)).collect();
        let f = fit_tanh_shifted(&ts, &ms, 1.0).unwrap();
        assert!(
            (f.a - 3.5).abs() < 1e-7 && (f.b - 0.9).abs() < 1e-8,
            "{f:?}"
        );
    }

    #[test]
    fn fitted_a_is_a_least_squares_minimum() {
        // Noisy-ish data: the fitted a beats its neighbours.
        let ts: Vec<f64> = (1..40).map(|i| 0.05 * i as f64).collect();
        let ms: Vec<f64> = ts.iter().map(|&t| (1.0 - t).max(0.0).sqrt()).collect();
        let f = fit_tanh(&ts, &ms, 1.0).unwrap();
        let s = |a| sum_squares(&ts, &ms, a, 1.0, 1.0);
        assert!(s(f.a) <= s(f.a * 1.001) && s(f.a) <= s(f.a / 1.001));
        let g = fit_tanh_shifted(&ts, &ms, 1.0).unwrap();
        assert!(g.residual_rms <= f.residual_rms + 1e-15);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(fit_tanh(&[1.0], &[0.5], 1.0).is_err());
        assert!(fit_tanh(&[1.0, 2.0], &[0.5], 1.0).is_err());
        assert!(fit_tanh(&[1.0, f64::NAN], &[0.5, 0.2], 1.0).is_err());
    }
}
