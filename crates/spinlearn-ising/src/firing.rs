//! Firing rates as integrals of the activation over a quench Q (paper 002, section 2.4).
//!
//! With the bath heating back linearly at unit rate, the time spent magnetized (the spike count)
//! after a quench Q is the integral of the firing branch over [0, Q]. For the tanh form of eq. (2)
//! with steepness a (a = 1 in the paper's integral):
//!
//! ∫_0^Q (1 + tanh(a t)) / 2 dt = Q + ln(1 + e^{-2aQ}) / (2a) - ln 2 / (2a)
//!                              = softplus(2aQ) / (2a) - ln 2 / (2a),
//!
//! the paper's "Q + ln2/2 + ln(1 + e^{-2Q})/2 + C" with its constant made explicit. Large Q gives
//! the linear (ReLU) branch; Q -> -inf gives the floor -ln 2 / (2a), the ELU-like offset (an ELU
//! with alpha = ln 2 / (2a)). For the logistic form, ∫_0^Q σ(t) dt = softplus(Q) - ln 2.
//! [`integrate`] (adaptive Simpson) checks these closed forms numerically.

use crate::error::{IsingError, Result};
use crate::mean_field::firing_branch;
use spinlearn_core::numerics::{logistic, softplus};
use std::f64::consts::LN_2;

/// ∫_0^Q (1 + tanh(a t)) / 2 dt in closed form, stable for every finite Q; a > 0.
pub fn rate_tanh(q: f64, a: f64) -> f64 {
    (softplus(2.0 * a * q) - LN_2) / (2.0 * a)
}

/// The paper's printed form Q + ln(1 + e^{-2Q}) / 2 (+ C), evaluated literally (overflows for
/// Q < -350: use [`rate_tanh`]); equals [`rate_tanh`]`(q, 1) + ln 2 / 2`.
pub fn rate_tanh_paper_form(q: f64) -> f64 {
    q + 0.5 * (-2.0 * q).exp().ln_1p()
}

/// ∫_0^Q logistic(t) dt = softplus(Q) - ln 2.
pub fn rate_logistic(q: f64) -> f64 {
    softplus(q) - LN_2
}

/// The limit of [`rate_tanh`] for strong inhibition, Q -> -inf: -ln 2 / (2a).
pub fn rate_tanh_floor(a: f64) -> f64 {
    -LN_2 / (2.0 * a)
}

/// ∫_0^Q f(t) dt (negative for Q < 0) by adaptive Simpson to absolute tolerance `tol`.
/// Fails with a non-convergence error when the error estimates of the intervals where the
/// recursion depth (50) ran out add up to more than `tol`, or the result is not finite.
pub fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> Result<f64> {
    if a == b {
        return Ok(0.0);
    }
    let fa = f(a);
    let fb = f(b);
    let m = 0.5 * (a + b);
    let fm = f(m);
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    // Error left in intervals where the depth ran out; only their total against `tol` matters.
    let mut worst: f64 = 0.0;
    let v = simpson_rec(&f, a, b, fa, fm, fb, whole, tol, 50, &mut worst);
    if worst > tol || !v.is_finite() {
        return Err(IsingError::non_convergence(
            "adaptive Simpson quadrature",
            50,
            worst,
        ));
    }
    Ok(v)
}

#[allow(clippy::too_many_arguments)]
fn simpson_rec(
    f: &impl Fn(f64) -> f64,
    a: f64,
    b: f64,
    fa: f64,
    fm: f64,
    fb: f64,
    whole: f64,
    tol: f64,
    depth: u32,
    worst: &mut f64,
) -> f64 {
    let m = 0.5 * (a + b);
    let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
    let (flm, frm) = (f(lm), f(rm));
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    if delta.abs() <= 15.0 * tol {
        return left + right + delta / 15.0;
    }
    if depth == 0 {
        *worst += delta.abs() / 15.0;
        return left + right + delta / 15.0;
    }
    simpson_rec(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1, worst)
        + simpson_rec(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1, worst)
}

/// The mean-field firing probability against the input above threshold x = Tc - T: the firing
/// branch m(T = Tc - x) of eq. (1), 0 for x <= 0, 1 for x >= Tc (T <= 0).
pub fn mean_field_activation(x: f64, tc: f64) -> Result<f64> {
    if x <= 0.0 {
        return Ok(0.0);
    }
    if x >= tc {
        return Ok(1.0);
    }
    firing_branch(tc - x, tc)
}

/// Firing rate of the exact mean-field branch over a quench Q: ∫_0^Q m(Tc - t) dt, by quadrature
/// (no closed form; the branch has a square-root onset at t = 0).
pub fn rate_mean_field(q: f64, tc: f64) -> Result<f64> {
    let f = |t: f64| mean_field_activation(t, tc).unwrap_or(f64::NAN);
    if q <= 0.0 {
        return Ok(0.0);
    }
    // Split at Tc where the branch saturates; the onset is integrable and handled adaptively.
    let split = q.min(tc);
    let head = integrate(f, 0.0, split, 1e-10)?;
    Ok(head + (q - split).max(0.0))
}

/// The logistic activation's value, exposed for plotting next to the rates.
pub fn sigmoid(x: f64) -> f64 {
    logistic(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simpson_integrates_polynomials_and_exp() {
        let v = integrate(|x| x * x * x - 2.0 * x, -1.0, 3.0, 1e-12).unwrap();
        assert!((v - (81.0 / 4.0 - 1.0 / 4.0 - 9.0 + 1.0)).abs() < 1e-10);
        let v = integrate(f64::exp, 0.0, 1.0, 1e-13).unwrap();
        assert!((v - (std::f64::consts::E - 1.0)).abs() < 1e-11);
        let v = integrate(f64::exp, 1.0, 0.0, 1e-13).unwrap();
        assert!((v + (std::f64::consts::E - 1.0)).abs() < 1e-11);
    }

    #[test]
    fn paper_form_differs_by_the_constant() {
        for q in [-5.0, -0.3, 0.0, 2.0, 30.0] {
            assert!((rate_tanh_paper_form(q) - (rate_tanh(q, 1.0) + LN_2 / 2.0)).abs() < 1e-12);
        }
    }
}
