//! RBM models in f64: dense weights ([`Rbm`]) and Regularized Axons ([`RaRbm`], 004 eq. 5).
//!
//! Energy (k_B T = 1, lower is more probable), for visible `v` (length `n_visible`) and hidden `h`
//! (length `n_hidden`), each layer ±1 spins or 0/1 bits:
//!
//! `E(v, h) = -vᵀ W h - aᵀ v - bᵀ h`, with `W` of shape `(n_visible, n_hidden)`, `a` the visible bias
//! and `b` the hidden bias (both zero for bias-free models, 004's convention).
//!
//! Free energy with the hidden layer summed out (004 eq. A1/A2, with its sign restored):
//! `F(v) = -aᵀ v - Σ_j log Σ_{h_j} exp(h_j x_j)`, `x = Wᵀ v + b`, i.e. `-Σ_j log 2cosh x_j` for
//! spins and `-Σ_j softplus(x_j)` for bits; both are evaluated stably for large fields.

use crate::{RbmError, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use spinlearn_core::Units;

/// Unit types of the two layers and whether the model has biases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsSpec {
    /// Visible units: ±1 spins or 0/1 bits.
    pub visible: Units,
    /// Hidden units: ±1 spins or 0/1 bits.
    pub hidden: Units,
    /// Whether the visible and hidden biases are trainable (when false they are held at zero).
    pub biases: bool,
}

impl UnitsSpec {
    /// ±1 units in both layers, no biases (004's RBMs).
    pub const SPINS_NO_BIAS: UnitsSpec = UnitsSpec {
        visible: Units::Spin,
        hidden: Units::Spin,
        biases: false,
    };
    /// 0/1 units in both layers with biases (003's DBN layers).
    pub const BITS_WITH_BIAS: UnitsSpec = UnitsSpec {
        visible: Units::Bit,
        hidden: Units::Bit,
        biases: true,
    };
}

/// A dense RBM in f64: weights `(n_visible, n_hidden)`, biases `(n_visible,)` and `(n_hidden,)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rbm {
    /// Unit types and bias flag.
    pub units: UnitsSpec,
    /// Couplings `W`, shape `(n_visible, n_hidden)`.
    pub weights: Array2<f64>,
    /// Visible bias `a`, shape `(n_visible,)` (zeros when `units.biases` is false).
    pub visible_bias: Array1<f64>,
    /// Hidden bias `b`, shape `(n_hidden,)` (zeros when `units.biases` is false).
    pub hidden_bias: Array1<f64>,
}

fn log_partition_sum(units: Units, x: ArrayView1<'_, f64>) -> f64 {
    x.iter().map(|&xi| units.log_partition(xi)).sum()
}

impl Rbm {
    /// A model with the given weights and zero biases.
    pub fn new(units: UnitsSpec, weights: Array2<f64>) -> Rbm {
        let (nv, nh) = weights.dim();
        Rbm {
            units,
            weights,
            visible_bias: Array1::zeros(nv),
            hidden_bias: Array1::zeros(nh),
        }
    }

    /// A model with weights and biases; fails when the shapes disagree.
    pub fn with_biases(
        units: UnitsSpec,
        weights: Array2<f64>,
        visible_bias: Array1<f64>,
        hidden_bias: Array1<f64>,
    ) -> Result<Rbm> {
        let (nv, nh) = weights.dim();
        if visible_bias.len() != nv || hidden_bias.len() != nh {
            return Err(RbmError::Shape(format!(
                "weights ({nv}, {nh}) but visible_bias ({}) and hidden_bias ({})",
                visible_bias.len(),
                hidden_bias.len()
            )));
        }
        Ok(Rbm {
            units,
            weights,
            visible_bias,
            hidden_bias,
        })
    }

    /// Gaussian weights of standard deviation `std`, zero biases.
    pub fn random<R: Rng + ?Sized>(
        n_visible: usize,
        n_hidden: usize,
        units: UnitsSpec,
        std: f64,
        rng: &mut R,
    ) -> Rbm {
        let w = Array2::from_shape_simple_fn((n_visible, n_hidden), || {
            let z: f64 = StandardNormal.sample(rng);
            std * z
        });
        Rbm::new(units, w)
    }

    /// Number of visible units.
    pub fn n_visible(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.weights.ncols()
    }

    /// Energy `E(v, h)` of one configuration.
    pub fn energy(&self, v: ArrayView1<'_, f64>, h: ArrayView1<'_, f64>) -> f64 {
        -v.dot(&self.weights.dot(&h)) - self.visible_bias.dot(&v) - self.hidden_bias.dot(&h)
    }

    /// Energies of a batch of configurations: `v (n, n_visible)`, `h (n, n_hidden)` -> `(n,)`.
    pub fn energies(&self, v: ArrayView2<'_, f64>, h: ArrayView2<'_, f64>) -> Array1<f64> {
        let vw = crate::linalg::matmul(v, self.weights.view());
        (&vw * &h).sum_axis(Axis(1)) * -1.0 - v.dot(&self.visible_bias) - h.dot(&self.hidden_bias)
    }

    /// Hidden fields `x = v W + b`, `(n, n_visible) -> (n, n_hidden)`. Binary states (0/1 or ±1)
    /// that are sparse enough are summed as rows of `W` ([`crate::kernels::field`]).
    pub fn hidden_field(&self, v: ArrayView2<'_, f64>) -> Array2<f64> {
        crate::kernels::field(v, self.weights.view(), &self.hidden_bias)
    }

    /// Visible fields `y = h Wᵀ + a`, `(n, n_hidden) -> (n, n_visible)`.
    pub fn visible_field(&self, h: ArrayView2<'_, f64>) -> Array2<f64> {
        crate::linalg::matmul(h, self.weights.t()) + &self.visible_bias
    }

    /// Conditional means `E[h | v]` (tanh for spins, logistic for bits), `(n, n_hidden)`. For 0/1
    /// hidden units this is `P(h = 1 | v)`, 003's deterministic read-out (threshold at 0.5).
    pub fn hidden_mean(&self, v: ArrayView2<'_, f64>) -> Array2<f64> {
        let u = self.units.hidden;
        self.hidden_field(v).mapv_into(|x| u.mean(x))
    }

    /// Conditional means `E[v | h]`, `(n, n_visible)`.
    pub fn visible_mean(&self, h: ArrayView2<'_, f64>) -> Array2<f64> {
        let u = self.units.visible;
        self.visible_field(h).mapv_into(|x| u.mean(x))
    }

    /// `P(h_j = +1 | v)` (the high state, +1 or 1), `(n, n_hidden)`.
    pub fn hidden_p_high(&self, v: ArrayView2<'_, f64>) -> Array2<f64> {
        let u = self.units.hidden;
        self.hidden_field(v).mapv_into(|x| u.p_high(x))
    }

    /// Free energy `F(v)` with the hidden layer summed out (004 eq. A1-A2), `(n, n_visible) -> (n,)`.
    pub fn free_energy(&self, v: ArrayView2<'_, f64>) -> Array1<f64> {
        let x = self.hidden_field(v);
        let u = self.units.hidden;
        let mut f = v.dot(&self.visible_bias) * -1.0;
        for (fi, row) in f.iter_mut().zip(x.rows()) {
            *fi -= log_partition_sum(u, row);
        }
        f
    }

    /// Free energy of hidden configurations with the visible layer summed out, `(n, n_hidden) -> (n,)`.
    pub fn hidden_free_energy(&self, h: ArrayView2<'_, f64>) -> Array1<f64> {
        let y = self.visible_field(h);
        let u = self.units.visible;
        let mut f = h.dot(&self.hidden_bias) * -1.0;
        for (fi, row) in f.iter_mut().zip(y.rows()) {
            *fi -= log_partition_sum(u, row);
        }
        f
    }

    /// Minimum of `E(v, h)` over `h` for each visible row: `-aᵀv - Σ_j max(lo·x_j, hi·x_j)`.
    pub fn min_energy_over_hidden(&self, v: ArrayView2<'_, f64>) -> Array1<f64> {
        let x = self.hidden_field(v);
        let [lo, hi] = self.units.hidden.values();
        let mut e = v.dot(&self.visible_bias) * -1.0;
        for (ei, row) in e.iter_mut().zip(x.rows()) {
            *ei -= row.iter().map(|&xj| (lo * xj).max(hi * xj)).sum::<f64>();
        }
        e
    }

    /// The same distribution over the other unit encoding. Each layer is mapped affinely
    /// (`bit = (spin + 1)/2`); the returned constant `c` satisfies `E_self(x) = E_new(x') + c` for
    /// every configuration, so `log Z_self = log Z_new - c` and all likelihoods of corresponding
    /// configurations agree. The result has biases (they are generally nonzero after the map).
    pub fn to_units(&self, visible: Units, hidden: Units) -> (Rbm, f64) {
        // old = alpha * new + gamma, per layer
        let map = |from: Units, to: Units| -> (f64, f64) {
            match (from, to) {
                (Units::Bit, Units::Spin) => (0.5, 0.5),
                (Units::Spin, Units::Bit) => (2.0, -1.0),
                _ => (1.0, 0.0),
            }
        };
        let (av, gv) = map(self.units.visible, visible);
        let (ah, gh) = map(self.units.hidden, hidden);
        let w = &self.weights;
        let row_sums = w.sum_axis(Axis(1)); // W 1, (nv,)
        let col_sums = w.sum_axis(Axis(0)); // Wᵀ 1, (nh,)
        let weights = w * (av * ah);
        let visible_bias = (&self.visible_bias + &(row_sums * gh)) * av;
        let hidden_bias = (&self.hidden_bias + &(col_sums * gv)) * ah;
        // E_old = -(gv gh 1ᵀW1 + gv Σa + gh Σb) + E_new
        let c = -(gv * gh * w.sum() + gv * self.visible_bias.sum() + gh * self.hidden_bias.sum());
        let units = UnitsSpec {
            visible,
            hidden,
            biases: true,
        };
        (
            Rbm {
                units,
                weights,
                visible_bias,
                hidden_bias,
            },
            c,
        )
    }

    /// A single-precision copy for sampling and training.
    pub fn to_f32(&self) -> Rbm32 {
        Rbm32 {
            units: self.units,
            weights: self.weights.mapv(|x| x as f32),
            visible_bias: self.visible_bias.mapv(|x| x as f32),
            hidden_bias: self.hidden_bias.mapv(|x| x as f32),
        }
    }

    /// Checks that all parameters are finite.
    pub fn check_finite(&self) -> Result<()> {
        let ok = self.weights.iter().all(|x| x.is_finite())
            && self.visible_bias.iter().all(|x| x.is_finite())
            && self.hidden_bias.iter().all(|x| x.is_finite());
        if ok {
            Ok(())
        } else {
            Err(RbmError::invalid(
                "weights",
                "contain NaN or infinite values",
            ))
        }
    }
}

/// An RBM with Regularized Axons (004 eq. 5): `W = (1/√K) Σ_k ξ_v^(k) ξ_h^(k)ᵀ`, from `K` trainable
/// patterns over the visible (`patterns_visible`, `(K, n_visible)`) and hidden
/// (`patterns_hidden`, `(K, n_hidden)`) units. Pattern entries are ±1 (binary) or continuous in
/// `[-x, x]` (004 Appendix B).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaRbm {
    /// Unit types and bias flag.
    pub units: UnitsSpec,
    /// `ξ_v`, shape `(K, n_visible)`.
    pub patterns_visible: Array2<f64>,
    /// `ξ_h`, shape `(K, n_hidden)`.
    pub patterns_hidden: Array2<f64>,
    /// Visible bias, `(n_visible,)`.
    pub visible_bias: Array1<f64>,
    /// Hidden bias, `(n_hidden,)`.
    pub hidden_bias: Array1<f64>,
}

impl RaRbm {
    /// A model from patterns with zero biases; fails if the pattern counts differ or K = 0.
    pub fn new(
        units: UnitsSpec,
        patterns_visible: Array2<f64>,
        patterns_hidden: Array2<f64>,
    ) -> Result<RaRbm> {
        if patterns_visible.nrows() != patterns_hidden.nrows() || patterns_visible.nrows() == 0 {
            return Err(RbmError::Shape(format!(
                "patterns_visible has {} patterns, patterns_hidden {}; need the same K >= 1",
                patterns_visible.nrows(),
                patterns_hidden.nrows()
            )));
        }
        let (nv, nh) = (patterns_visible.ncols(), patterns_hidden.ncols());
        Ok(RaRbm {
            units,
            patterns_visible,
            patterns_hidden,
            visible_bias: Array1::zeros(nv),
            hidden_bias: Array1::zeros(nh),
        })
    }

    /// K uniformly random ±1 patterns (004 Algorithm 1's initialization).
    pub fn random<R: Rng + ?Sized>(
        n_visible: usize,
        n_hidden: usize,
        k: usize,
        units: UnitsSpec,
        rng: &mut R,
    ) -> Result<RaRbm> {
        let mut pm =
            |n| {
                Array2::from_shape_simple_fn((k, n), || {
                    if rng.next_u32() & 1 == 1 { 1.0 } else { -1.0 }
                })
            };
        let pv = pm(n_visible);
        let ph = pm(n_hidden);
        RaRbm::new(units, pv, ph)
    }

    /// Number of patterns K.
    pub fn k(&self) -> usize {
        self.patterns_visible.nrows()
    }

    /// `W = ξ_vᵀ ξ_h / √K`, shape `(n_visible, n_hidden)` (004 eq. 5).
    pub fn weights(&self) -> Array2<f64> {
        let s = 1.0 / (self.k() as f64).sqrt();
        crate::linalg::matmul(self.patterns_visible.t(), self.patterns_hidden.view()) * s
    }

    /// The equivalent dense model.
    pub fn to_rbm(&self) -> Rbm {
        Rbm {
            units: self.units,
            weights: self.weights(),
            visible_bias: self.visible_bias.clone(),
            hidden_bias: self.hidden_bias.clone(),
        }
    }

    /// Gradient of the free energy `F(v)` of one visible configuration with respect to the patterns
    /// (004 eqs. A7a, A7b, sign included, any unit types):
    /// `∂F/∂ξ_i^(k) = -(1/√K) v_i Σ_α ξ_α^(k) m_α`, `∂F/∂ξ_α^(k) = -(1/√K) (Σ_i v_i ξ_i^(k)) m_α`,
    /// with `m_α = E[h_α | v]` (`tanh(Σ_j W_jα v_j + b_α)` for spins). Returns
    /// `((K, n_visible), (K, n_hidden))`.
    pub fn free_energy_pattern_gradient(
        &self,
        v: ArrayView1<'_, f64>,
    ) -> (Array2<f64>, Array2<f64>) {
        let rbm = self.to_rbm();
        let v2 = v.insert_axis(Axis(0));
        let m = rbm.hidden_mean(v2).row(0).to_owned();
        let s = -1.0 / (self.k() as f64).sqrt();
        let xi_m = self.patterns_hidden.dot(&m); // (K,)
        let xi_v = self.patterns_visible.dot(&v); // (K,)
        let gv = Array2::from_shape_fn(self.patterns_visible.dim(), |(k, i)| s * v[i] * xi_m[k]);
        let gh = Array2::from_shape_fn(self.patterns_hidden.dim(), |(k, a)| s * xi_v[k] * m[a]);
        (gv, gh)
    }
}

/// A dense RBM in f32 (the training and sampling representation); see [`crate::Rbm`] for the
/// conventions. Shapes: `weights (n_visible, n_hidden)`, biases `(n_visible,)`, `(n_hidden,)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rbm32 {
    /// Unit types and bias flag.
    pub units: UnitsSpec,
    /// `W`, `(n_visible, n_hidden)`.
    pub weights: Array2<f32>,
    /// `a`, `(n_visible,)`.
    pub visible_bias: Array1<f32>,
    /// `b`, `(n_hidden,)`.
    pub hidden_bias: Array1<f32>,
}

impl Rbm32 {
    /// Number of visible units.
    pub fn n_visible(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.weights.ncols()
    }

    /// The f64 model.
    pub fn to_f64(&self) -> Rbm {
        Rbm {
            units: self.units,
            weights: self.weights.mapv(f64::from),
            visible_bias: self.visible_bias.mapv(f64::from),
            hidden_bias: self.hidden_bias.mapv(f64::from),
        }
    }
}

/// A model of either kind, as saved to and loaded from files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Model {
    /// Dense weights.
    Dense(Rbm),
    /// Regularized Axons (patterns).
    Ra(RaRbm),
}

impl Model {
    /// The dense equivalent (weights computed from the patterns for RA models).
    pub fn rbm(&self) -> Rbm {
        match self {
            Model::Dense(r) => r.clone(),
            Model::Ra(r) => r.to_rbm(),
        }
    }

    /// Unit types and bias flag.
    pub fn units(&self) -> UnitsSpec {
        match self {
            Model::Dense(r) => r.units,
            Model::Ra(r) => r.units,
        }
    }

    /// `(n_visible, n_hidden)`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            Model::Dense(r) => r.weights.dim(),
            Model::Ra(r) => (r.patterns_visible.ncols(), r.patterns_hidden.ncols()),
        }
    }

    /// The patterns `(ξ_v, ξ_h)` of an RA model.
    pub fn patterns(&self) -> Option<(&Array2<f64>, &Array2<f64>)> {
        match self {
            Model::Ra(r) => Some((&r.patterns_visible, &r.patterns_hidden)),
            Model::Dense(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn free_energy_matches_sum_over_hidden() {
        for hidden in [Units::Spin, Units::Bit] {
            let units = UnitsSpec {
                visible: Units::Spin,
                hidden,
                biases: true,
            };
            let w = array![[0.3, -1.2], [0.7, 0.1], [-0.4, 2.0]];
            let rbm =
                Rbm::with_biases(units, w, array![0.5, -0.2, 0.1], array![-0.3, 0.8]).unwrap();
            let v = array![[1.0, -1.0, 1.0]];
            let f = rbm.free_energy(v.view())[0];
            let mut z = 0.0;
            for h0 in hidden.values() {
                for h1 in hidden.values() {
                    z += (-rbm.energy(v.row(0), array![h0, h1].view())).exp();
                }
            }
            assert!((f + z.ln()).abs() < 1e-12);
            let e = rbm.energies(v.view(), array![[1.0, hidden.low()]].view())[0];
            assert!((e - rbm.energy(v.row(0), array![1.0, hidden.low()].view())).abs() < 1e-12);
        }
    }

    #[test]
    fn free_energy_is_stable_for_huge_fields() {
        let rbm = Rbm::new(UnitsSpec::SPINS_NO_BIAS, array![[1e4]]);
        let f = rbm.free_energy(array![[1.0]].view())[0];
        assert!((f + 1e4).abs() < 1e-9);
        let (bits, _) = rbm.to_units(Units::Bit, Units::Bit);
        assert!(bits.free_energy(array![[1.0]].view())[0].is_finite());
    }

    #[test]
    fn ra_weights_follow_eq5() {
        let pv = array![[1.0, -1.0], [1.0, 1.0]];
        let ph = array![[1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]];
        let ra = RaRbm::new(UnitsSpec::SPINS_NO_BIAS, pv, ph).unwrap();
        let w = ra.weights();
        let s = 1.0 / 2f64.sqrt();
        assert!((w[[0, 0]] - 0.0).abs() < 1e-15);
        assert!((w[[0, 1]] - 2.0 * s).abs() < 1e-15);
        assert!((w[[1, 2]] - 2.0 * s).abs() < 1e-15);
        assert!((w[[1, 0]] + 2.0 * s).abs() < 1e-15);
    }
}
