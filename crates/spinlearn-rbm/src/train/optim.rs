//! Optimizers: SGD with momentum, weight decay and a per-epoch learning-rate decay (004's RAPID
//! used ×0.96 per epoch), and Adam. Both ascend the log-likelihood.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};
use serde::{Deserialize, Serialize};
use spinlearn_core::check;

/// Optimizer and learning-rate schedule; the rate at epoch `e` (0-based) is `lr · lr_decay^e`.
/// Weight decay applies to weights or patterns, not to biases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Optimizer {
    /// `vel ← momentum·vel + (g − weight_decay·θ)`, `θ ← θ + lr·vel`.
    Sgd {
        /// Learning rate.
        lr: f64,
        /// Momentum in [0, 1).
        momentum: f64,
        /// L2 weight decay.
        weight_decay: f64,
        /// Multiplicative learning-rate factor per epoch (1 = constant).
        lr_decay: f64,
    },
    /// Adam (Kingma & Ba 2015) with bias correction.
    Adam {
        /// Learning rate.
        lr: f64,
        /// First-moment decay.
        beta1: f64,
        /// Second-moment decay.
        beta2: f64,
        /// Denominator offset.
        eps: f64,
        /// L2 weight decay.
        weight_decay: f64,
        /// Multiplicative learning-rate factor per epoch.
        lr_decay: f64,
    },
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::Sgd {
            lr: 0.05,
            momentum: 0.5,
            weight_decay: 0.0,
            lr_decay: 1.0,
        }
    }
}

/// Optimizer moments per parameter slot (0: weights or visible patterns, 1: hidden patterns,
/// 2: visible bias, 3: hidden bias).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OptState {
    /// First moments (SGD velocity or Adam m), per slot.
    pub first: Vec<Option<ArrayD<f32>>>,
    /// Adam second moments, per slot.
    pub second: Vec<Option<ArrayD<f32>>>,
}

impl Optimizer {
    /// Adam with the usual defaults at learning rate `lr`.
    pub fn adam(lr: f64) -> Optimizer {
        Optimizer::adam_with(lr, 0.0, 1.0)
    }

    /// Adam with the usual moments (beta1 0.9, beta2 0.999, eps 1e-8), an L2 weight decay and a
    /// per-epoch learning-rate factor.
    pub fn adam_with(lr: f64, weight_decay: f64, lr_decay: f64) -> Optimizer {
        Optimizer::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            lr_decay,
        }
    }

    /// Checks the ranges (errors name `lr`, `momentum`, `weight_decay`, `lr_decay`, `beta1`,
    /// `beta2`, `eps`).
    pub fn check(&self) -> spinlearn_core::Result<()> {
        match *self {
            Optimizer::Sgd {
                lr,
                momentum,
                weight_decay,
                lr_decay,
            } => {
                check::positive("lr", lr)?;
                check::in_range("momentum", momentum, 0.0, 0.999_999)?;
                check::non_negative("weight_decay", weight_decay)?;
                check::positive("lr_decay", lr_decay)?;
            }
            Optimizer::Adam {
                lr,
                beta1,
                beta2,
                eps,
                weight_decay,
                lr_decay,
            } => {
                check::positive("lr", lr)?;
                check::in_range("beta1", beta1, 0.0, 0.999_999)?;
                check::in_range("beta2", beta2, 0.0, 0.999_999_999)?;
                check::positive("eps", eps)?;
                check::non_negative("weight_decay", weight_decay)?;
                check::positive("lr_decay", lr_decay)?;
            }
        }
        Ok(())
    }

    /// Learning rate at 0-based epoch `epoch`.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        let (lr, d) = match *self {
            Optimizer::Sgd { lr, lr_decay, .. } | Optimizer::Adam { lr, lr_decay, .. } => {
                (lr, lr_decay)
            }
        };
        lr * d.powi(epoch as i32)
    }

    /// Makes sure slot `slot` holds moments of `shape` (zeros when new or reshaped), and the
    /// second moments too for Adam.
    pub(crate) fn ensure_slot(&self, st: &mut OptState, slot: usize, shape: &[usize]) {
        if st.first.len() <= slot {
            st.first.resize(slot + 1, None);
            st.second.resize(slot + 1, None);
        }
        let fresh = |o: &Option<ArrayD<f32>>| o.as_ref().is_none_or(|a| a.shape() != shape);
        if fresh(&st.first[slot]) {
            st.first[slot] = Some(ArrayD::zeros(shape));
        }
        if matches!(self, Optimizer::Adam { .. }) && fresh(&st.second[slot]) {
            st.second[slot] = Some(ArrayD::zeros(shape));
        }
    }

    /// The elementwise update of one block of a parameter: `param`, its first moments `first`,
    /// Adam's second moments `second` (ignored by SGD) and the gradient `grad`, all of the same
    /// length; `decays`: whether weight decay applies (weights and patterns, not biases).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn step_slices(
        &self,
        param: &mut [f32],
        first: &mut [f32],
        second: Option<&mut [f32]>,
        grad: &[f32],
        lr: f64,
        step: u64,
        decays: bool,
    ) {
        match *self {
            Optimizer::Sgd {
                momentum,
                weight_decay,
                ..
            } => {
                let (mo, wd, lr) = (
                    momentum as f32,
                    if decays { weight_decay as f32 } else { 0.0 },
                    lr as f32,
                );
                for ((p, v), &g) in param.iter_mut().zip(first.iter_mut()).zip(grad) {
                    *v = mo * *v + (g - wd * *p);
                    *p += lr * *v;
                }
            }
            Optimizer::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            } => {
                let second = second.expect("Adam needs second moments");
                let t = (step + 1) as i32;
                let c1 = 1.0 - beta1.powi(t);
                let c2 = 1.0 - beta2.powi(t);
                let a = (lr * c2.sqrt() / c1) as f32;
                let (b1, b2, eps) = (beta1 as f32, beta2 as f32, (eps * c2.sqrt()) as f32);
                let wd = if decays { weight_decay as f32 } else { 0.0 };
                for (((p, m), v), &g) in param
                    .iter_mut()
                    .zip(first.iter_mut())
                    .zip(second.iter_mut())
                    .zip(grad)
                {
                    let g = g - wd * *p;
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p += a * *m / (v.sqrt() + eps);
                }
            }
        }
    }

    /// One ascent step on parameter slot `slot` with gradient `grad` (same shape as `param`);
    /// `step` is the 0-based update count (Adam's bias correction). Slots 0 and 1 (weights or
    /// patterns) take weight decay, the bias slots do not.
    pub fn step(
        &self,
        st: &mut OptState,
        slot: usize,
        mut param: ArrayViewMutD<'_, f32>,
        grad: ArrayViewD<'_, f32>,
        lr: f64,
        step: u64,
    ) {
        assert_eq!(param.shape(), grad.shape(), "optimizer: gradient shape");
        self.ensure_slot(st, slot, param.shape());
        let grad = grad.as_standard_layout();
        let grad = grad.as_slice().expect("standard layout");
        let first = st.first[slot].as_mut().expect("slot");
        let first = first.as_slice_mut().expect("owned moments are contiguous");
        let second = st.second[slot]
            .as_mut()
            .and_then(|a| a.as_slice_mut())
            .filter(|_| matches!(self, Optimizer::Adam { .. }));
        match param.as_slice_mut() {
            Some(p) => self.step_slices(p, first, second, grad, lr, step, slot < 2),
            None => {
                let mut p = param.as_standard_layout().into_owned();
                let ps = p.as_slice_mut().expect("standard layout");
                self.step_slices(ps, first, second, grad, lr, step, slot < 2);
                param.assign(&p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn optimizers_climb_a_concave_quadratic() {
        // maximize -(θ - 3)²: gradient 2(3 - θ)
        for opt in [
            Optimizer::Sgd {
                lr: 0.1,
                momentum: 0.5,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            Optimizer::adam(0.1),
        ] {
            let mut st = OptState::default();
            let mut theta = Array1::<f32>::zeros(1);
            for step in 0..500 {
                let g = theta.mapv(|t| 2.0 * (3.0 - t));
                opt.step(
                    &mut st,
                    0,
                    theta.view_mut().into_dyn(),
                    g.view().into_dyn(),
                    0.1,
                    step,
                );
            }
            assert!((theta[0] - 3.0).abs() < 1e-2, "{opt:?}: {}", theta[0]);
        }
        let o = Optimizer::Sgd {
            lr: 1.0,
            momentum: 0.0,
            weight_decay: 0.0,
            lr_decay: 0.96,
        };
        assert!((o.lr_at(2) - 0.9216).abs() < 1e-12);
        assert!(Optimizer::adam(-1.0).check().is_err());
    }
}
