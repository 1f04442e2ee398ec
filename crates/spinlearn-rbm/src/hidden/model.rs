//! [`HiddenRbm`]: an f64 RBM whose hidden units are any [`HiddenUnits`] type.

use super::HiddenUnits;
use crate::eval::MAX_EXACT;
use crate::{RbmError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use spinlearn_core::Units;
use spinlearn_core::numerics::LogSumExp;

/// An RBM with visible units ±1 or 0/1 and hidden units of type `hidden` (f64 throughout).
///
/// Energy (k_B T = 1): `E(v, h) = -aᵀv - Σ_j g h_j (b_j + Σ_i v_i W_ij) - Σ_j ln μ(h_j)`, with `g`
/// and `μ` the gain and base measure of the hidden type (see [`super`]). Shapes: `weights
/// (n_visible, n_hidden)`, `visible_bias (n_visible,)`, `hidden_bias (n_hidden,)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenRbm {
    /// Visible units.
    pub visible: Units,
    /// Hidden-unit type.
    pub hidden: HiddenUnits,
    /// Whether the biases are trainable (when false they stay zero).
    pub biases: bool,
    /// `W`, `(n_visible, n_hidden)`.
    pub weights: Array2<f64>,
    /// `a`, `(n_visible,)`.
    pub visible_bias: Array1<f64>,
    /// `b`, `(n_hidden,)`.
    pub hidden_bias: Array1<f64>,
}

impl HiddenRbm {
    /// Gaussian weights of standard deviation `std`, zero biases.
    pub fn random<R: Rng + ?Sized>(
        n_visible: usize,
        n_hidden: usize,
        visible: Units,
        hidden: HiddenUnits,
        biases: bool,
        std: f64,
        rng: &mut R,
    ) -> HiddenRbm {
        let weights = Array2::from_shape_simple_fn((n_visible, n_hidden), || {
            let z: f64 = StandardNormal.sample(rng);
            std * z
        });
        HiddenRbm {
            visible,
            hidden,
            biases,
            weights,
            visible_bias: Array1::zeros(n_visible),
            hidden_bias: Array1::zeros(n_hidden),
        }
    }

    /// The same model from a dense [`crate::Rbm`] (hidden `bit` or `spin`).
    pub fn from_rbm(rbm: &crate::Rbm) -> HiddenRbm {
        HiddenRbm {
            visible: rbm.units.visible,
            hidden: rbm.units.hidden.into(),
            biases: rbm.units.biases,
            weights: rbm.weights.clone(),
            visible_bias: rbm.visible_bias.clone(),
            hidden_bias: rbm.hidden_bias.clone(),
        }
    }

    /// The dense [`crate::Rbm`] when the hidden type is `bit` or `spin`, else `None`.
    pub fn to_rbm(&self) -> Option<crate::Rbm> {
        let hidden = self.hidden.as_units()?;
        Some(crate::Rbm {
            units: crate::UnitsSpec {
                visible: self.visible,
                hidden,
                biases: self.biases,
            },
            weights: self.weights.clone(),
            visible_bias: self.visible_bias.clone(),
            hidden_bias: self.hidden_bias.clone(),
        })
    }

    /// Number of visible units.
    pub fn n_visible(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.weights.ncols()
    }

    /// Checks that shapes agree and all parameters are finite.
    pub fn check(&self) -> Result<()> {
        let (nv, nh) = self.weights.dim();
        if self.visible_bias.len() != nv || self.hidden_bias.len() != nh {
            return Err(RbmError::Shape(format!(
                "weights ({nv}, {nh}) but visible_bias ({}) and hidden_bias ({})",
                self.visible_bias.len(),
                self.hidden_bias.len()
            )));
        }
        let finite = self
            .weights
            .iter()
            .chain(&self.visible_bias)
            .chain(&self.hidden_bias)
            .all(|x| x.is_finite());
        if !finite {
            return Err(RbmError::invalid(
                "weights",
                "contain NaN or infinite values",
            ));
        }
        self.hidden.checked()?;
        Ok(())
    }

    /// Hidden inputs `x = v W + b`, `(n, n_visible) -> (n, n_hidden)`.
    pub fn hidden_field(&self, v: ArrayView2<'_, f64>) -> Array2<f64> {
        crate::linalg::matmul(v, self.weights.view()) + &self.hidden_bias
    }

    /// Visible fields `y = g h Wᵀ + a` for hidden states `h (n, n_hidden)`, `-> (n, n_visible)`.
    pub fn visible_field(&self, h: ArrayView2<'_, f64>) -> Array2<f64> {
        crate::linalg::matmul(h, self.weights.t()) * self.hidden.gain() + &self.visible_bias
    }

    /// `E[h | v]`, `(n, n_hidden)` (the hidden type's activation of its input).
    pub fn hidden_mean(&self, v: ArrayView2<'_, f64>) -> Array2<f64> {
        let t = self.hidden;
        self.hidden_field(v).mapv_into(|x| t.mean(x))
    }

    /// Energy `E(v, h)` of configurations `v (n, n_visible)`, `h (n, n_hidden)`, for the discrete
    /// hidden types including the base-measure term `-Σ_j ln μ(h_j)` (`h_j` must be one of
    /// [`HiddenUnits::discrete_states`]); for `relu` that term is `Σ_j h_j²/2`.
    pub fn energy(&self, v: ArrayView2<'_, f64>, h: ArrayView2<'_, f64>) -> Array1<f64> {
        let x = self.hidden_field(v);
        let g = self.hidden.gain();
        let states = self.hidden.discrete_states();
        let base = |hj: f64| -> f64 {
            match &states {
                None => 0.5 * hj * hj,
                Some(s) => s
                    .iter()
                    .find(|(value, _)| (value - hj).abs() < 1e-9)
                    .map_or(f64::INFINITY, |(_, log_w)| -log_w),
            }
        };
        let mut e = v.dot(&self.visible_bias) * -1.0;
        for ((ei, xr), hr) in e.iter_mut().zip(x.rows()).zip(h.rows()) {
            for (&xj, &hj) in xr.iter().zip(hr.iter()) {
                *ei += -g * hj * xj + base(hj);
            }
        }
        e
    }

    /// Exact free energy `F(v) = -aᵀv - Σ_j ln Z(x_j)`, `(n, n_visible) -> (n,)`.
    pub fn free_energy(&self, v: ArrayView2<'_, f64>) -> Array1<f64> {
        let x = self.hidden_field(v);
        let t = self.hidden;
        let mut f = v.dot(&self.visible_bias) * -1.0;
        for (fi, row) in f.iter_mut().zip(x.rows()) {
            *fi -= row.iter().map(|&xj| t.log_partition(xj)).sum::<f64>();
        }
        f
    }

    /// Exact `ln Z = ln Σ_v exp(-F(v))` by enumerating the `2^n_visible` visible states
    /// (n_visible <= [`MAX_EXACT`]), in chunks, in log space.
    pub fn exact_log_z(&self) -> Result<f64> {
        let n = self.n_visible();
        if n > MAX_EXACT {
            return Err(RbmError::TooLarge { n, max: MAX_EXACT });
        }
        let total = 1u64 << n;
        let chunk = 4096u64.min(total);
        let [lo, hi] = self.visible.values();
        let mut acc = LogSumExp::new();
        let mut start = 0u64;
        while start < total {
            let len = chunk.min(total - start);
            let v = Array2::from_shape_fn((len as usize, n), |(r, i)| {
                if ((start + r as u64) >> i) & 1 == 1 {
                    hi
                } else {
                    lo
                }
            });
            for f in self.free_energy(v.view()) {
                acc.push(-f);
            }
            start += len;
        }
        Ok(acc.value())
    }

    /// Exact mean negative log-likelihood (nats per sample) of `data (n, n_visible)`, given `ln Z`
    /// (from [`HiddenRbm::exact_log_z`]).
    pub fn nll_with(&self, data: ArrayView2<'_, f64>, log_z: f64) -> f64 {
        let f = self.free_energy(data);
        f.mean().unwrap_or(f64::NAN) + log_z
    }

    /// Exact mean negative log-likelihood of `data (n, n_visible)` (enumerates the visible layer).
    pub fn exact_nll(&self, data: ArrayView2<'_, f64>) -> Result<f64> {
        Ok(self.nll_with(data, self.exact_log_z()?))
    }

    /// Draws `h ~ p(h | v)` for each row of `v (n, n_visible)`; row `r` uses `rngs[r]`.
    pub fn sample_hidden<R: Rng>(&self, v: ArrayView2<'_, f64>, rngs: &mut [R]) -> Array2<f64> {
        let mut x = self.hidden_field(v);
        let t = self.hidden;
        for (mut row, rng) in x.axis_iter_mut(Axis(0)).zip(rngs.iter_mut()) {
            row.mapv_inplace(|xj| t.sample(xj, rng));
        }
        x
    }

    /// Draws `v ~ p(v | h)` for each row of `h (n, n_hidden)`; row `r` uses `rngs[r]`.
    pub fn sample_visible<R: Rng>(&self, h: ArrayView2<'_, f64>, rngs: &mut [R]) -> Array2<f64> {
        let mut y = self.visible_field(h);
        let u = self.visible;
        let [lo, hi] = u.values();
        for (mut row, rng) in y.axis_iter_mut(Axis(0)).zip(rngs.iter_mut()) {
            row.mapv_inplace(|yi| {
                if rng.random::<f64>() < u.p_high(yi) {
                    hi
                } else {
                    lo
                }
            });
        }
        y
    }
}
