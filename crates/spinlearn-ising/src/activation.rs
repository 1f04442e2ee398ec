//! Activation functions as unit types, with values and derivatives that stay finite and accurate
//! for large arguments (paper 002, section 2.4).
//!
//! Besides the usual ones (tanh, logistic, ReLU, softplus, ELU) the mean-field ones derived in the
//! paper: [`Activation::IsingTanh`] is the firing branch of eq. (2) written against the input
//! x = -(T - Tc) (the membrane voltage above threshold), `(1 + tanh(a x)) / 2`, and
//! [`Activation::IsingRate`] / [`Activation::IsingElu`] are its integrals over a quench x = Q, the
//! firing rates of section 2.4: `softplus(2 a x) / (2 a)` (the constant chosen so the rate vanishes
//! for strong inhibition, the ReLU-like case) and the definite integral from 0,
//! `softplus(2 a x) / (2 a) - ln 2 / (2 a)` (bounded below by `-ln 2 / (2 a)`, the ELU-like case).

use crate::error::{IsingError, Result};
use serde::{Deserialize, Serialize};
use spinlearn_core::numerics::{logistic, softplus};
use std::f64::consts::LN_2;

/// An activation function y = f(x) of a unit's input x. All variants are defined for every finite
/// x; [`Activation::value`] and [`Activation::derivative`] never overflow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Activation {
    /// f(x) = x.
    Linear,
    /// f(x) = tanh x, values in (-1, 1).
    Tanh,
    /// f(x) = 1 / (1 + e^-x), values in (0, 1).
    Logistic,
    /// f(x) = max(0, x); derivative 1 for x > 0, else 0.
    Relu,
    /// f(x) = ln(1 + e^x).
    Softplus,
    /// f(x) = x for x > 0, alpha (e^x - 1) otherwise.
    Elu {
        /// Saturation depth for x -> -inf (alpha > 0).
        alpha: f64,
    },
    /// Mean-field firing probability, eq. (2) with T - Tc = -x: (1 + tanh(a x)) / 2 = logistic(2 a x).
    IsingTanh {
        /// Steepness a > 0 (the paper fits a = 6 for Tc = 1).
        a: f64,
    },
    /// Mean-field firing rate over a quench x = Q, section 2.4, ReLU-like constant:
    /// ∫_{-inf}^{x} (1 + tanh(a t)) / 2 dt = softplus(2 a x) / (2 a).
    IsingRate {
        /// Steepness a > 0; a = 1 is the paper's integral.
        a: f64,
    },
    /// Mean-field firing rate, the definite integral from 0 (ELU-like):
    /// ∫_0^x (1 + tanh(a t)) / 2 dt = softplus(2 a x) / (2 a) - ln 2 / (2 a), bounded below by
    /// -ln 2 / (2 a).
    IsingElu {
        /// Steepness a > 0.
        a: f64,
    },
}

/// The names [`Activation::parse`] accepts.
pub const ACTIVATION_NAMES: &str = "linear, tanh, logistic|sigmoid, relu, softplus, elu[:alpha], ising-tanh[:a], ising-rate[:a], ising-elu[:a]";

impl Activation {
    /// Every kind with its default parameters (alpha = 1, a = 1), in a fixed order.
    pub fn all() -> Vec<Activation> {
        vec![
            Activation::Linear,
            Activation::Tanh,
            Activation::Logistic,
            Activation::Relu,
            Activation::Softplus,
            Activation::Elu { alpha: 1.0 },
            Activation::IsingTanh { a: 1.0 },
            Activation::IsingRate { a: 1.0 },
            Activation::IsingElu { a: 1.0 },
        ]
    }

    /// Parses `"tanh"`, `"elu:0.5"`, `"ising-tanh:6"` and the like ([`ACTIVATION_NAMES`]); the
    /// parameter after `:` defaults to 1. Parameters must be finite and > 0.
    pub fn parse(text: &str) -> Result<Activation> {
        let text = text.trim().to_ascii_lowercase();
        let (name, param) = match text.split_once(':') {
            Some((n, p)) => {
                let v: f64 = p.trim().parse().map_err(|_| {
                    crate::error::invalid("activation", format!("`{p}` is not a number"))
                })?;
                (n.trim().to_string(), Some(v))
            }
            None => (text.clone(), None),
        };
        let p = param.unwrap_or(1.0);
        let no_param = |a: Activation| -> Result<Activation> {
            match param {
                Some(_) => Err(crate::error::invalid(
                    "activation",
                    format!("`{name}` takes no parameter"),
                )),
                None => Ok(a),
            }
        };
        let act = match name.as_str() {
            "linear" | "identity" => no_param(Activation::Linear)?,
            "tanh" => no_param(Activation::Tanh)?,
            "logistic" | "sigmoid" => no_param(Activation::Logistic)?,
            "relu" => no_param(Activation::Relu)?,
            "softplus" => no_param(Activation::Softplus)?,
            "elu" => Activation::Elu { alpha: p },
            "ising-tanh" => Activation::IsingTanh { a: p },
            "ising-rate" => Activation::IsingRate { a: p },
            "ising-elu" => Activation::IsingElu { a: p },
            _ => {
                return Err(IsingError::UnknownName {
                    what: "activation",
                    name: text,
                    expected: ACTIVATION_NAMES,
                });
            }
        };
        act.checked()
    }

    /// The activation if its parameter (alpha or a) is finite and > 0.
    fn checked(self) -> Result<Activation> {
        match self {
            Activation::Elu { alpha } => {
                spinlearn_core::check::positive("alpha", alpha)?;
            }
            Activation::IsingTanh { a }
            | Activation::IsingRate { a }
            | Activation::IsingElu { a } => {
                spinlearn_core::check::positive("a", a)?;
            }
            _ => {}
        }
        Ok(self)
    }

    /// The canonical name with its parameter, e.g. `"elu:1"`; [`Activation::parse`] reads it back.
    pub fn name(self) -> String {
        match self {
            Activation::Linear => "linear".into(),
            Activation::Tanh => "tanh".into(),
            Activation::Logistic => "logistic".into(),
            Activation::Relu => "relu".into(),
            Activation::Softplus => "softplus".into(),
            Activation::Elu { alpha } => format!("elu:{alpha}"),
            Activation::IsingTanh { a } => format!("ising-tanh:{a}"),
            Activation::IsingRate { a } => format!("ising-rate:{a}"),
            Activation::IsingElu { a } => format!("ising-elu:{a}"),
        }
    }

    /// f(x). Finite for every finite x.
    #[inline]
    pub fn value(self, x: f64) -> f64 {
        match self {
            Activation::Linear => x,
            Activation::Tanh => x.tanh(),
            Activation::Logistic => logistic(x),
            Activation::Relu => x.max(0.0),
            Activation::Softplus => softplus(x),
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            Activation::IsingTanh { a } => logistic(2.0 * a * x),
            Activation::IsingRate { a } => ising_rate(x, a),
            Activation::IsingElu { a } => ising_rate(x, a) - LN_2 / (2.0 * a),
        }
    }

    /// f'(x). Uses forms without cancellation on the tails (sech^2 from e^{-2|x|}, logistic'
    /// as logistic(x) logistic(-x)); ReLU's derivative at 0 is taken as 0.
    #[inline]
    pub fn derivative(self, x: f64) -> f64 {
        match self {
            Activation::Linear => 1.0,
            Activation::Tanh => sech2(x),
            Activation::Logistic => logistic(x) * logistic(-x),
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Softplus => logistic(x),
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    1.0
                } else {
                    alpha * x.exp()
                }
            }
            Activation::IsingTanh { a } => {
                let z = 2.0 * a * x;
                2.0 * a * logistic(z) * logistic(-z)
            }
            Activation::IsingRate { a } | Activation::IsingElu { a } => logistic(2.0 * a * x),
        }
    }

    /// f(x) in f32 for training loops (computed in f64 and rounded).
    #[inline]
    pub fn value_f32(self, x: f32) -> f32 {
        self.value(f64::from(x)) as f32
    }

    /// f'(x) in f32 (computed in f64 and rounded).
    #[inline]
    pub fn derivative_f32(self, x: f32) -> f32 {
        self.derivative(f64::from(x)) as f32
    }

    /// Applies f element-wise in place.
    pub fn apply(self, xs: &mut [f64]) {
        for x in xs {
            *x = self.value(*x);
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for Activation {
    type Err = IsingError;
    fn from_str(s: &str) -> Result<Self> {
        Activation::parse(s)
    }
}

/// softplus(2 a x) / (2 a) without overflow of 2 a x: x + softplus(-2 a x) / (2 a) for x > 0.
#[inline]
fn ising_rate(x: f64, a: f64) -> f64 {
    if x > 0.0 {
        x + softplus(-2.0 * a * x) / (2.0 * a)
    } else {
        softplus(2.0 * a * x) / (2.0 * a)
    }
}

/// sech^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2, accurate (not 0 by cancellation) for large |x|.
#[inline]
pub fn sech2(x: f64) -> f64 {
    let e = (-2.0 * x.abs()).exp();
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_central_differences() {
        for act in Activation::all().into_iter().chain([
            Activation::Elu { alpha: 0.3 },
            Activation::IsingTanh { a: 6.0 },
        ]) {
            for x in [-7.3, -1.1, -0.2, 0.37, 1.9, 8.2] {
                let h = 1e-6;
                let fd = (act.value(x + h) - act.value(x - h)) / (2.0 * h);
                let d = act.derivative(x);
                assert!(
                    (fd - d).abs() < 1e-7 * (1.0 + d.abs()),
                    "{act} at {x}: derivative {d} vs finite difference {fd}"
                );
            }
        }
    }

    #[test]
    fn large_arguments_stay_finite_and_accurate() {
        for act in Activation::all() {
            for x in [-1e308, -1e4, -800.0, 800.0, 1e4, 1e308] {
                assert!(act.value(x).is_finite() || matches!(act, Activation::Linear));
                assert!(act.derivative(x).is_finite(), "{act}' at {x}");
            }
        }
        // sech^2(30) = 4 e^-60 to relative precision, where 1 - tanh^2 would give 0.
        let want = 4.0 * (-60.0f64).exp();
        assert!((sech2(30.0) / want - 1.0).abs() < 1e-12);
        assert!((Activation::Logistic.derivative(-40.0) / (-40.0f64).exp() - 1.0).abs() < 1e-12);
        assert_eq!(Activation::IsingRate { a: 1.0 }.value(1e4), 1e4);
        let elu_floor = Activation::IsingElu { a: 2.0 }.value(-1e4);
        assert!((elu_floor + LN_2 / 4.0).abs() < 1e-15);
    }

    #[test]
    fn names_round_trip_and_bad_input_is_an_error() {
        for act in Activation::all()
            .into_iter()
            .chain([Activation::Elu { alpha: 0.25 }])
        {
            assert_eq!(Activation::parse(&act.name()).unwrap(), act);
        }
        assert_eq!(Activation::parse("Sigmoid").unwrap(), Activation::Logistic);
        assert!(Activation::parse("swish").is_err());
        assert!(Activation::parse("elu:-1").is_err());
        assert!(Activation::parse("elu:x").is_err());
        assert!(Activation::parse("tanh:2").is_err());
        let json = serde_json::to_string(&Activation::IsingTanh { a: 6.0 }).unwrap();
        assert_eq!(json, r#"{"kind":"ising-tanh","a":6.0}"#);
    }
}
