//! Exact results for the infinite 2D square-lattice Ising model (J = 1, h = 0, k_B = 1): Onsager's
//! critical temperature and energy, and the Onsager-Yang spontaneous magnetization.

use std::f64::consts::PI;

/// The exact critical temperature 2 / ln(1 + sqrt 2) = 2.269185...
pub fn tc_exact() -> f64 {
    2.0 / (1.0 + 2f64.sqrt()).ln()
}

/// The mean-field critical temperature of the square lattice, z J = 4.
pub const TC_MEAN_FIELD: f64 = 4.0;

/// Spontaneous magnetization per spin, (1 - sinh(2/T)^-4)^(1/8) for T < Tc, else 0.
pub fn magnetization(t: f64) -> f64 {
    if t >= tc_exact() || t <= 0.0 {
        return if t <= 0.0 { 1.0 } else { 0.0 };
    }
    let s = (2.0 / t).sinh();
    (1.0 - s.powi(-4)).max(0.0).powf(0.125)
}

/// Complete elliptic integral of the first kind K(k) = π / (2 AGM(1, sqrt(1 - k^2))), 0 <= k < 1.
pub fn elliptic_k(k: f64) -> f64 {
    let (mut a, mut b) = (1.0f64, (1.0 - k * k).sqrt());
    for _ in 0..60 {
        let (na, nb) = (0.5 * (a + b), (a * b).sqrt());
        a = na;
        b = nb;
        if (a - b).abs() <= 1e-16 * a {
            break;
        }
    }
    PI / (2.0 * a)
}

/// Energy per spin, u = -coth(2β) [1 + (2/π)(2 tanh^2(2β) - 1) K(k)], k = 2 sinh(2β) / cosh^2(2β).
pub fn energy(t: f64) -> f64 {
    let b2 = 2.0 / t;
    let k = 2.0 * b2.sinh() / b2.cosh().powi(2);
    let c = 2.0 * b2.tanh().powi(2) - 1.0;
    let kk = if k >= 1.0 { 0.0 } else { c * elliptic_k(k) };
    -(1.0 / b2.tanh()) * (1.0 + 2.0 / PI * kk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((tc_exact() - 2.269_185_314_213_022).abs() < 1e-14);
        // u(Tc) = -sqrt 2.
        assert!((energy(tc_exact() * (1.0 - 1e-9)) + 2f64.sqrt()).abs() < 1e-6);
        // Low-T expansions in x = e^{-8/T}: m = 1 - 2x - 8x^1.5 - 34x^2 + O(x^2.5) (from the
        // closed form), u = -2 + 8x + 24x^1.5 + O(x^2) (from the low-T series of ln Z).
        let t: f64 = 0.8;
        let x = (-8.0 / t).exp();
        let x15 = x.powf(1.5);
        assert!(
            (magnetization(t) - (1.0 - 2.0 * x - 8.0 * x15 - 34.0 * x * x)).abs() < 500.0 * x * x15
        );
        assert!((energy(t) - (-2.0 + 8.0 * x + 24.0 * x15)).abs() < 200.0 * x * x);
        // K(0) = π/2; K(1/sqrt 2) = 1.854074677301372.
        assert!((elliptic_k(0.0) - PI / 2.0).abs() < 1e-15);
        assert!((elliptic_k(0.5f64.sqrt()) - 1.854_074_677_301_372).abs() < 1e-13);
        assert_eq!(magnetization(3.0), 0.0);
        // High-T expansion: u ≈ -2 tanh(1/T) for T -> inf (leading order).
        let t = 50.0;
        assert!((energy(t) + 2.0 * (1.0 / t).tanh()).abs() < 1e-4);
    }
}
