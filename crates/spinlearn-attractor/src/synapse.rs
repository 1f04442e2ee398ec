//! Single-synapse dynamics of eqs. (3)-(4): jumps r2 I + r3 ε at each presentation, and between
//! presentations relaxation in the double-well potential U(J) = (J − sC)², s = sign(J).
//!
//! Between presentations dJ/dt = −r1 U'(J) = −2 r1 (J − sC), whose exact solution over a time dt is
//! J ← sC + (J − sC) e^{−2 r1 dt} (the sign never changes: the flow points away from J = 0 for C > 0
//! and toward it for C = 0). Convention for the measure-zero point J = 0 (the barrier top, where U'
//! is undefined): it belongs to the upper well, s = +1 (for C = 0 this is irrelevant).

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::params::ValidSynapseParams;

/// The synapse model: checked [`crate::SynapseParams`] with the exact maps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleWellSynapses {
    params: ValidSynapseParams,
}

impl DoubleWellSynapses {
    /// The model for checked parameters.
    pub fn new(params: ValidSynapseParams) -> Self {
        DoubleWellSynapses { params }
    }

    /// The parameters.
    pub fn params(&self) -> &ValidSynapseParams {
        &self.params
    }

    /// The minimum sC of the well that J lies in (J ≥ 0: +C, J < 0: −C).
    #[inline]
    pub fn well(&self, j: f64) -> f64 {
        if j >= 0.0 {
            self.params.c_well()
        } else {
            -self.params.c_well()
        }
    }

    /// The exact relaxation over a time `dt` (eq. 3 without inputs, potential of eq. 4).
    #[inline]
    pub fn decay(&self, j: f64, dt: f64) -> f64 {
        let w = self.well(j);
        w + (j - w) * (-2.0 * self.params.r1() * dt).exp()
    }

    /// The jump of eq. (3) at a presentation: J + r2 I + r3 ε.
    #[inline]
    pub fn jump(&self, j: f64, i_value: f64, eps: f64) -> f64 {
        j + self.params.r2() * i_value + self.params.r3() * eps
    }

    /// One time unit from just before a presentation to just before the next: jump, then decay.
    #[inline]
    pub fn step(&self, j: f64, i_value: f64, eps: f64) -> f64 {
        self.decay(self.jump(j, i_value, eps), 1.0)
    }

    /// Reference solution of the relaxation by classical Runge-Kutta (order 4) with `n_steps`
    /// steps of dJ/dt = −r1 U'(J); only for checking [`Self::decay`].
    pub fn integrate_decay_rk4(&self, j: f64, dt: f64, n_steps: usize) -> f64 {
        let r1 = self.params.r1();
        let rhs = |x: f64| -2.0 * r1 * (x - self.well(x));
        let h = dt / n_steps as f64;
        let mut x = j;
        for _ in 0..n_steps {
            let k1 = rhs(x);
            let k2 = rhs(x + 0.5 * h * k1);
            let k3 = rhs(x + 0.5 * h * k2);
            let k4 = rhs(x + h * k3);
            x += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        x
    }

    /// Monte Carlo of `n_synapses` independent synapses under the balanced rule (I = ±1 with
    /// probability 1/2 each), started at J = 0 and run for `n_steps` presentations; returns the
    /// weights just before the next presentation (samples of g_∞ of eqs. 16-21 when `n_steps` is
    /// past the mixing time).
    pub fn sample_balanced<R: rand::Rng + ?Sized>(
        &self,
        n_synapses: usize,
        n_steps: usize,
        rng: &mut R,
    ) -> Vec<f64> {
        let mut js = vec![0.0; n_synapses];
        for j in js.iter_mut() {
            for _ in 0..n_steps {
                let i_value = if rng.random::<bool>() { 1.0 } else { -1.0 };
                let eps: f64 = if self.params.r3() > 0.0 {
                    rng.sample(StandardNormal)
                } else {
                    0.0
                };
                *j = self.step(*j, i_value, eps);
            }
        }
        js
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynapseParams;
    use spinlearn_core::ParamGuard;

    fn syn(r1: f64, c: f64) -> DoubleWellSynapses {
        DoubleWellSynapses::new(SynapseParams::unit_jump(r1, c, 0.0).check().unwrap())
    }

    #[test]
    fn decay_matches_fine_integration() {
        for &(r1, c) in &[(0.1, 2.7), (0.5, 1.0), (0.002, 0.0), (1.3, 3.0)] {
            let s = syn(r1, c);
            for &j in &[-5.0, -2.0, -0.3, 0.2, 1.0, 2.7, 4.5, 10.0] {
                let exact = s.decay(j, 1.0);
                let rk = s.integrate_decay_rk4(j, 1.0, 2000);
                assert!(
                    (exact - rk).abs() < 1e-10,
                    "r1={r1} C={c} J={j}: {exact} vs {rk}"
                );
                // Composition: two half steps equal one full step.
                assert!((s.decay(s.decay(j, 0.5), 0.5) - exact).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn limits_flat_and_single_well() {
        // r1 = 0: no forgetting at all.
        assert_eq!(syn(0.0, 2.0).decay(1.234, 1.0), 1.234);
        // C = 0: pure exponential decay to 0 with rate 2 r1.
        let s = syn(0.25, 0.0);
        assert!((s.decay(-3.0, 1.0) + 3.0 * (-0.5f64).exp()).abs() < 1e-14);
        // Deep wells: everything ends at ±C, sign preserved, J = 0 goes up.
        let d = syn(20.0, 2.0);
        assert!((d.decay(0.01, 1.0) - 2.0).abs() < 1e-12);
        assert!((d.decay(-0.01, 1.0) + 2.0).abs() < 1e-12);
        assert!(d.decay(0.0, 1.0) > 0.0);
    }
}
