//! Hidden-unit types for RBMs: the activations of paper 002 as stochastic units (issue 16, point 7).
//!
//! A hidden unit of type `t` with input `x = b_j + Σ_i v_i W_ij` has the conditional law
//! `p(h | x) ∝ exp(g h x) dμ(h)`: a base measure `μ` on its states and a gain `g` (1 except for the
//! slope-`a` units of paper 002, where `g = 2a`). The joint energy of an RBM with such units is
//! `E(v, h) = -aᵀv - Σ_j g h_j x_j(v) - Σ_j ln μ(h_j)`, and summing (integrating) `h` out gives the
//! exact free energy
//!
//! `F(v) = -aᵀv - Σ_j ln Z(x_j)`, `ln Z(x) = ln ∫ exp(g h x) dμ(h)` ([`HiddenUnits::log_partition`]),
//!
//! whose derivative is `d ln Z / dx = g E[h | x]` (`g` times [`HiddenUnits::mean`], the unit's
//! activation). The visible layer sees the field `a + W (g h)`.
//!
//! | type | states | mean `E[h \| x]` | `ln Z(x)` |
//! | --- | --- | --- | --- |
//! | `bit` | {0, 1} | logistic(x) | softplus(x) |
//! | `spin` | {-1, +1} | tanh(x) | ln 2cosh(x) |
//! | `ising-tanh:a` | {0, 1}, g = 2a | (1 + tanh(a x))/2, 002 eq. (2) | softplus(2ax) = 2a · rate |
//! | `ising-rate:a:n` | {0..n}, g = 2a | Σ_{i=1..n} (1 + tanh(a(x - i + 1/2)))/2 ≈ softplus(2ax)/(2a) | Σ_i softplus(2a(x - i + 1/2)) |
//! | `ising-elu:a:n` | {0..n} - ln2/(2a), g = 2a | the above - ln 2/(2a) ≈ 002's ELU-like rate | the above - x ln 2 |
//! | `relu` | h >= 0, dμ = e^{-h²/2} dh | x + φ(x)/Φ(x) (≈ ReLU for \|x\| >> 1) | x²/2 + ln(√(2π) Φ(x)) |
//!
//! `ising-tanh` is paper 002's mean-field firing probability with its slope `a`
//! ([`spinlearn_ising::Activation::IsingTanh`]); its `ln Z` is `2a` times the paper's firing rate
//! ([`spinlearn_ising::Activation::IsingRate`], section 2.4), the integral of the activation over
//! the quench. `ising-rate` makes that integral a sum: `n` copies of the firing unit with thresholds
//! at `i - 1/2` fire independently and the unit's state is their count (at `a = 1/2` these are
//! Nair and Hinton's stepped sigmoid units, whose mean approximates softplus); the mean is the
//! midpoint rule of the rate integral and saturates at `n`. `ising-elu` is the same unit shifted
//! down by `ln 2/(2a)`, the constant that turns the rate into 002's ELU-like definite integral
//! ([`spinlearn_ising::Activation::IsingElu`]); with trainable visible biases a shift of the hidden
//! states changes the parameterization, not the family of distributions over `v`. `relu` is the
//! rectified Gaussian (noisy rectified linear) unit: its conditional is `N(x, 1)` truncated to
//! `h >= 0`, sampled exactly.
//!
//! No unit of this form has a mean exactly ELU (or exactly ReLU): `ln Z` of a measure is analytic
//! wherever it is finite, so a mean equal to `x` on `x > 0` (`ln Z = x²/2 + c`) would force
//! `ln Z = x²/2 + c` everywhere, and an ELU mean differs from `x` for `x < 0`. The ELU-like unit
//! here has 002's form instead: a smooth rate with the floor `-ln 2/(2a)`.
//!
//! [`HiddenRbm`] is an f64 RBM with any of these hidden types (visible ±1 or 0/1); [`train`] trains
//! it by CD-k or PCD-k; [`HiddenRbm::exact_log_z`] enumerates the visible states.

pub mod compare;
mod model;
pub mod train;

pub use model::HiddenRbm;

use crate::{RbmError, Result};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, StandardNormal};
use serde::{Deserialize, Serialize};
use spinlearn_core::Units;
use spinlearn_core::numerics::{log_2cosh, log_add_exp, logistic, softplus};
use spinlearn_ising::Activation;
use std::f64::consts::{LN_2, PI};

/// The names [`HiddenUnits::parse`] accepts (for error messages and `--help`).
pub const HIDDEN_UNIT_NAMES: &str =
    "bit, spin, ising-tanh[:a], ising-rate[:a[:n]], stepped[:n], ising-elu[:a[:n]], relu";

/// Default number of copies of a stepped (`ising-rate`, `ising-elu`) unit.
pub const DEFAULT_STEPS: u32 = 8;

/// Largest number of copies of a stepped unit.
pub const MAX_STEPS: u32 = 64;

/// The type of a hidden unit: its states, base measure and gain (see the module docs for the
/// table of means and log partitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HiddenUnits {
    /// Bernoulli 0/1: mean logistic(x).
    Bit,
    /// ±1 spin: mean tanh(x).
    Spin,
    /// 002's mean-field firing unit with slope `a`: h ∈ {0, 1}, gain 2a,
    /// `P(h = 1 | x) = (1 + tanh(a x))/2`.
    IsingTanh {
        /// Slope a > 0 (002 fits a ≈ 6 at Tc = 1).
        a: f64,
    },
    /// The firing rate as a count: `n` firing units of slope `a` with thresholds `i - 1/2`,
    /// `i = 1..n`; h ∈ {0..n}, gain 2a; mean ≈ softplus(2ax)/(2a) below saturation.
    IsingRate {
        /// Slope a > 0 (a = 1/2: Nair-Hinton stepped sigmoid units).
        a: f64,
        /// Number of copies, 1..=[`MAX_STEPS`].
        n: u32,
    },
    /// [`HiddenUnits::IsingRate`] shifted down by ln 2/(2a): 002's ELU-like rate, floor
    /// -ln 2/(2a).
    IsingElu {
        /// Slope a > 0.
        a: f64,
        /// Number of copies, 1..=[`MAX_STEPS`].
        n: u32,
    },
    /// Rectified Gaussian (noisy ReLU): h >= 0 with density ∝ exp(h x - h²/2).
    Relu,
}

impl From<Units> for HiddenUnits {
    fn from(u: Units) -> HiddenUnits {
        match u {
            Units::Spin => HiddenUnits::Spin,
            Units::Bit => HiddenUnits::Bit,
        }
    }
}

impl HiddenUnits {
    /// One of each type with default parameters (a = 1, n = [`DEFAULT_STEPS`]), in a fixed order.
    pub fn all() -> Vec<HiddenUnits> {
        vec![
            HiddenUnits::Bit,
            HiddenUnits::Spin,
            HiddenUnits::IsingTanh { a: 1.0 },
            HiddenUnits::IsingRate {
                a: 1.0,
                n: DEFAULT_STEPS,
            },
            HiddenUnits::IsingElu {
                a: 1.0,
                n: DEFAULT_STEPS,
            },
            HiddenUnits::Relu,
        ]
    }

    /// Parses a name of [`HIDDEN_UNIT_NAMES`]: `bit` (also `bernoulli`, `sigmoid`), `spin`
    /// (`tanh`), `ising-tanh:6`, `ising-rate:1:8` (slope, copies; defaults 1 and
    /// [`DEFAULT_STEPS`]), `stepped:n` (= `ising-rate:0.5:n`, Nair-Hinton), `ising-elu:a:n`,
    /// `relu` (`nrelu`, `rectified-gaussian`). Fails with one line naming the valid ones.
    pub fn parse(text: &str) -> Result<HiddenUnits> {
        let bad = |reason: String| RbmError::invalid("hidden", reason);
        let text = text.trim().to_ascii_lowercase();
        let mut parts = text.split(':');
        let name = parts.next().unwrap_or("").trim().to_string();
        let params: Vec<&str> = parts.map(str::trim).collect();
        let number = |i: usize, default: f64| -> Result<f64> {
            match params.get(i) {
                None => Ok(default),
                Some(p) => p
                    .parse::<f64>()
                    .map_err(|_| bad(format!("`{p}` in `{text}` is not a number"))),
            }
        };
        let max_params = |m: usize| -> Result<()> {
            if params.len() > m {
                Err(bad(format!(
                    "`{name}` takes at most {m} parameter(s), got `{text}`"
                )))
            } else {
                Ok(())
            }
        };
        let steps = |i: usize| -> Result<u32> {
            let n = number(i, f64::from(DEFAULT_STEPS))?;
            if n.fract() != 0.0 || !(1.0..=f64::from(MAX_STEPS)).contains(&n) {
                return Err(bad(format!(
                    "copies n = {n} in `{text}` must be an integer in 1..={MAX_STEPS}"
                )));
            }
            Ok(n as u32)
        };
        let units = match name.as_str() {
            "bit" | "bits" | "bernoulli" | "sigmoid" | "logistic" => {
                max_params(0)?;
                HiddenUnits::Bit
            }
            "spin" | "spins" | "tanh" => {
                max_params(0)?;
                HiddenUnits::Spin
            }
            "ising-tanh" => {
                max_params(1)?;
                HiddenUnits::IsingTanh { a: number(0, 1.0)? }
            }
            "ising-rate" => {
                max_params(2)?;
                HiddenUnits::IsingRate {
                    a: number(0, 1.0)?,
                    n: steps(1)?,
                }
            }
            "stepped" | "stepped-sigmoid" => {
                max_params(1)?;
                HiddenUnits::IsingRate {
                    a: 0.5,
                    n: steps(0)?,
                }
            }
            "ising-elu" => {
                max_params(2)?;
                HiddenUnits::IsingElu {
                    a: number(0, 1.0)?,
                    n: steps(1)?,
                }
            }
            "relu" | "nrelu" | "rectified-gaussian" => {
                max_params(0)?;
                HiddenUnits::Relu
            }
            _ => {
                return Err(bad(format!(
                    "unknown hidden unit type `{text}`; expected one of: {HIDDEN_UNIT_NAMES}"
                )));
            }
        };
        units.checked()
    }

    /// The type if its parameters are valid (a finite and > 0, 1 <= n <= [`MAX_STEPS`]).
    pub fn checked(self) -> Result<HiddenUnits> {
        match self {
            HiddenUnits::IsingTanh { a } => {
                spinlearn_core::check::positive("a", a)?;
            }
            HiddenUnits::IsingRate { a, n } | HiddenUnits::IsingElu { a, n } => {
                spinlearn_core::check::positive("a", a)?;
                if n == 0 || n > MAX_STEPS {
                    return Err(RbmError::invalid(
                        "n",
                        format!("must be in 1..={MAX_STEPS}, got {n}"),
                    ));
                }
            }
            _ => {}
        }
        Ok(self)
    }

    /// The canonical name, e.g. `"ising-rate:1:8"`; [`HiddenUnits::parse`] reads it back.
    pub fn name(self) -> String {
        match self {
            HiddenUnits::Bit => "bit".into(),
            HiddenUnits::Spin => "spin".into(),
            HiddenUnits::IsingTanh { a } => format!("ising-tanh:{a}"),
            HiddenUnits::IsingRate { a, n } => format!("ising-rate:{a}:{n}"),
            HiddenUnits::IsingElu { a, n } => format!("ising-elu:{a}:{n}"),
            HiddenUnits::Relu => "relu".into(),
        }
    }

    /// The binary encoding when the type is `bit` or `spin` (the types the dense [`crate::Rbm`]
    /// and its fast trainer handle).
    pub fn as_units(self) -> Option<Units> {
        match self {
            HiddenUnits::Bit => Some(Units::Bit),
            HiddenUnits::Spin => Some(Units::Spin),
            _ => None,
        }
    }

    /// The gain `g`: the unit couples to its input through `g h x`.
    pub fn gain(self) -> f64 {
        match self {
            HiddenUnits::IsingTanh { a }
            | HiddenUnits::IsingRate { a, .. }
            | HiddenUnits::IsingElu { a, .. } => 2.0 * a,
            _ => 1.0,
        }
    }

    /// The state shift of the ELU-like unit (`ln 2/(2a)`), 0 for the others.
    fn shift(self) -> f64 {
        match self {
            HiddenUnits::IsingElu { a, .. } => LN_2 / (2.0 * a),
            _ => 0.0,
        }
    }

    /// `ln Z(x) = ln ∫ exp(g h x) dμ(h)`, finite and accurate for every finite x (log space).
    pub fn log_partition(self, x: f64) -> f64 {
        match self {
            HiddenUnits::Bit => softplus(x),
            HiddenUnits::Spin => log_2cosh(x),
            // softplus(2ax) = 2a × 002's firing rate.
            HiddenUnits::IsingTanh { a } => 2.0 * a * Activation::IsingRate { a }.value(x),
            HiddenUnits::IsingRate { a, n } | HiddenUnits::IsingElu { a, n } => {
                let rate = Activation::IsingRate { a };
                let sum: f64 = (1..=n)
                    .map(|i| 2.0 * a * rate.value(x - f64::from(i) + 0.5))
                    .sum();
                sum - self.gain() * self.shift() * x
            }
            HiddenUnits::Relu => 0.5 * x * x + 0.5 * (2.0 * PI).ln() + log_normal_cdf(x),
        }
    }

    /// The activation `E[h | x]`, accurate for every finite x.
    pub fn mean(self, x: f64) -> f64 {
        match self {
            HiddenUnits::Bit => logistic(x),
            HiddenUnits::Spin => x.tanh(),
            HiddenUnits::IsingTanh { a } => Activation::IsingTanh { a }.value(x),
            HiddenUnits::IsingRate { a, n } | HiddenUnits::IsingElu { a, n } => {
                let fire = Activation::IsingTanh { a };
                let count: f64 = (1..=n).map(|i| fire.value(x - f64::from(i) + 0.5)).sum();
                count - self.shift()
            }
            HiddenUnits::Relu => rectified_gaussian_mean(x),
        }
    }

    /// `Var[h | x]` (`= (1/g) d mean/dx`).
    pub fn variance(self, x: f64) -> f64 {
        let pq = |z: f64| logistic(z) * logistic(-z);
        match self {
            HiddenUnits::Bit => pq(x),
            HiddenUnits::Spin => spinlearn_ising::activation::sech2(x),
            HiddenUnits::IsingTanh { a } => pq(2.0 * a * x),
            HiddenUnits::IsingRate { a, n } | HiddenUnits::IsingElu { a, n } => (1..=n)
                .map(|i| pq(2.0 * a * (x - f64::from(i) + 0.5)))
                .sum(),
            HiddenUnits::Relu => rectified_gaussian_variance(x),
        }
    }

    /// One draw of `h ~ p(h | x)` (exact for every type).
    pub fn sample<R: Rng + ?Sized>(self, x: f64, rng: &mut R) -> f64 {
        let bernoulli = |p: f64, rng: &mut R| -> bool { rng.random::<f64>() < p };
        match self {
            HiddenUnits::Bit => f64::from(u8::from(bernoulli(logistic(x), rng))),
            HiddenUnits::Spin => {
                if bernoulli(logistic(2.0 * x), rng) {
                    1.0
                } else {
                    -1.0
                }
            }
            HiddenUnits::IsingTanh { a } => {
                f64::from(u8::from(bernoulli(logistic(2.0 * a * x), rng)))
            }
            HiddenUnits::IsingRate { a, n } | HiddenUnits::IsingElu { a, n } => {
                let mut count = 0u32;
                for i in 1..=n {
                    let z = 2.0 * a * (x - f64::from(i) + 0.5);
                    count += u32::from(bernoulli(logistic(z), rng));
                }
                f64::from(count) - self.shift()
            }
            HiddenUnits::Relu => sample_rectified_gaussian(x, rng),
        }
    }

    /// For the discrete types, the states `h` with their base-measure log weights `ln μ(h)`
    /// (for a stepped unit, the count `k` weighs the subsets of `k` copies that fire:
    /// `ln Σ exp(-g Σ_{i fired} (i - 1/2))`, by a recursion over copies); `None` for `relu`.
    pub fn discrete_states(self) -> Option<Vec<(f64, f64)>> {
        match self {
            HiddenUnits::Bit | HiddenUnits::IsingTanh { .. } => Some(vec![(0.0, 0.0), (1.0, 0.0)]),
            HiddenUnits::Spin => Some(vec![(-1.0, 0.0), (1.0, 0.0)]),
            HiddenUnits::IsingRate { n, .. } | HiddenUnits::IsingElu { n, .. } => {
                let g = self.gain();
                // log_w[k] over the copies seen so far.
                let mut log_w = vec![f64::NEG_INFINITY; n as usize + 1];
                log_w[0] = 0.0;
                for i in 1..=n as usize {
                    let cost = -g * (i as f64 - 0.5);
                    for k in (1..=i).rev() {
                        log_w[k] = log_add_exp(log_w[k], log_w[k - 1] + cost);
                    }
                }
                let s = self.shift();
                Some(
                    log_w
                        .into_iter()
                        .enumerate()
                        .map(|(k, w)| (k as f64 - s, w))
                        .collect(),
                )
            }
            HiddenUnits::Relu => None,
        }
    }
}

impl std::fmt::Display for HiddenUnits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for HiddenUnits {
    type Err = RbmError;
    fn from_str(s: &str) -> Result<Self> {
        HiddenUnits::parse(s)
    }
}

/// Below this input the rectified-Gaussian quantities use the continued fraction
/// ([`mills_fraction`]) instead of erfc, whose route loses digits to cancellation there.
const CF_BELOW: f64 = -5.0;

/// ln Φ(x) for every finite x: from erfc for x >= -5, else ln φ(x) - ln(c + K) with c = -x and
/// `K` the continued fraction of `mills_fraction` (Φ(-c)/φ(c) = 1/(c + K)).
pub fn log_normal_cdf(x: f64) -> f64 {
    if x >= CF_BELOW {
        (0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)).ln()
    } else {
        let c = -x;
        let (k, _) = mills_fraction(c);
        -0.5 * c * c - 0.5 * (2.0 * PI).ln() - (c + k).ln()
    }
}

/// `(K, L)` for c >= 5: `K = 1/(c + 2/(c + 3/(c + ...)))` and `L = 2/(c + 3/(c + ...))`, so
/// that `Q(c)/φ(c) = 1/(c + K)` (Laplace's continued fraction of the normal tail) and
/// `K = 1/(c + L)`. Evaluated backwards from depth 200, far past convergence for c >= 5.
fn mills_fraction(c: f64) -> (f64, f64) {
    let mut t = 0.0; // T_k = k / (c + T_{k+1})
    for k in (2..=200).rev() {
        t = k as f64 / (c + t);
    }
    let l = t;
    (1.0 / (c + l), l)
}

/// E[h] for h >= 0 with density ∝ exp(hx - h²/2): x + φ(x)/Φ(x); for x < -5 it is the
/// continued fraction `K` itself (≈ 1/|x|), free of the cancellation between x and φ/Φ.
fn rectified_gaussian_mean(x: f64) -> f64 {
    if x >= CF_BELOW {
        let log_phi = -0.5 * x * x - 0.5 * (2.0 * PI).ln();
        x + (log_phi - log_normal_cdf(x)).exp()
    } else {
        mills_fraction(-x).0
    }
}

/// Var[h] of the rectified Gaussian: 1 - λ(x + λ), λ = φ(x)/Φ(x); for x < -5 the equal form
/// `(L - K)/(c + L)` (≈ 1/x²) without cancellation.
fn rectified_gaussian_variance(x: f64) -> f64 {
    if x >= CF_BELOW {
        let log_phi = -0.5 * x * x - 0.5 * (2.0 * PI).ln();
        let lambda = (log_phi - log_normal_cdf(x)).exp();
        (1.0 - lambda * (x + lambda)).max(0.0)
    } else {
        let c = -x;
        let (k, l) = mills_fraction(c);
        (l - k) / (c + l)
    }
}
/// Exact draw from N(x, 1) truncated to [0, ∞): z = h - x >= c = -x by rejection, from the
/// normal itself when c < 0 (acceptance >= 1/2), else from c + Exp(λ) with
/// λ = (c + √(c² + 4))/2 (Robert 1995; acceptance >= 0.76 for every c >= 0).
fn sample_rectified_gaussian<R: Rng + ?Sized>(x: f64, rng: &mut R) -> f64 {
    let c = -x;
    if c < 0.0 {
        loop {
            let z: f64 = StandardNormal.sample(rng);
            if z >= c {
                return z - c;
            }
        }
    }
    let lambda = 0.5 * (c + (c * c + 4.0).sqrt());
    loop {
        let e: f64 = Exp1.sample(rng);
        let z = c + e / lambda;
        let u: f64 = rng.random();
        let d = z - lambda;
        if u.ln() <= -0.5 * d * d {
            return z - c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_are_refused_in_one_line() {
        for t in HiddenUnits::all().into_iter().chain([
            HiddenUnits::IsingTanh { a: 6.0 },
            HiddenUnits::IsingRate { a: 0.5, n: 3 },
        ]) {
            assert_eq!(HiddenUnits::parse(&t.name()).unwrap(), t);
        }
        assert_eq!(
            HiddenUnits::parse("stepped:5").unwrap(),
            HiddenUnits::IsingRate { a: 0.5, n: 5 }
        );
        assert_eq!(
            HiddenUnits::parse("ising-tanh").unwrap(),
            HiddenUnits::IsingTanh { a: 1.0 }
        );
        for bad in [
            "swish",
            "relu:2",
            "ising-tanh:0",
            "ising-tanh:x",
            "ising-rate:1:0",
            "ising-rate:1:2.5",
            "ising-rate:1:65",
            "ising-elu:1:2:3",
            "bit:1",
        ] {
            let e = HiddenUnits::parse(bad).unwrap_err().to_string();
            assert!(e.contains("`hidden`") || e.contains("`a`"), "{bad}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let e = HiddenUnits::parse("swish").unwrap_err().to_string();
        assert!(e.contains(HIDDEN_UNIT_NAMES), "{e}");
    }

    #[test]
    fn stepped_units_approximate_the_paper_002_rate_and_elu() {
        // The midpoint sum of the firing branch against the rate integral, below saturation.
        for a in [0.5, 1.0] {
            let rate = Activation::IsingRate { a };
            let elu = Activation::IsingElu { a };
            let (r, e) = (
                HiddenUnits::IsingRate { a, n: 40 },
                HiddenUnits::IsingElu { a, n: 40 },
            );
            for x in [-6.0, -1.0, 0.0, 2.0, 10.0] {
                assert!((r.mean(x) - rate.value(x)).abs() < 0.03, "{a} {x}");
                assert!((e.mean(x) - elu.value(x)).abs() < 0.03, "{a} {x}");
            }
            assert!((e.mean(-1e3) + LN_2 / (2.0 * a)).abs() < 1e-12);
        }
    }
}
