//! Model parameters and their validation: each `XParams` is plain serializable data (flags, config
//! keys); [`ParamGuard::check`] turns it once into `ValidXParams` with private fields, which the
//! models take. Errors name the parameter as the user spells it (`c_well`, not `C`).

use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, check};

use crate::error::{AttractorError, Result};

/// The activity-dependent term I(η_i, η_j) of eq. (3), for post-synaptic η_i and pre-synaptic η_j.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LearningRule {
    /// Eq. (5), balanced coding f = 1/2: I = +1 when η_i = η_j, −1 otherwise.
    #[default]
    Balanced,
    /// Eq. (6), Tsodyks-Feigel'man: I = (η_i − f)(η_j − f), i.e. (1−f)², −f(1−f), f².
    TsodyksFeigelman,
    /// Eq. (7), Amit-Fusi-like: I = I1 = 2C when both are active, I2 = −f(1−f) when exactly one is,
    /// 0 when both are silent.
    AmitFusi,
}

impl LearningRule {
    /// I(η_i, η_j) for coding level `f` and well position `c_well` (C, used by eq. 7).
    pub fn value(self, eta_i: bool, eta_j: bool, f: f64, c_well: f64) -> f64 {
        match self {
            LearningRule::Balanced => {
                if eta_i == eta_j {
                    1.0
                } else {
                    -1.0
                }
            }
            LearningRule::TsodyksFeigelman => {
                let a = if eta_i { 1.0 - f } else { -f };
                let b = if eta_j { 1.0 - f } else { -f };
                a * b
            }
            LearningRule::AmitFusi => match (eta_i, eta_j) {
                (true, true) => 2.0 * c_well,
                (false, false) => 0.0,
                _ => -f * (1.0 - f),
            },
        }
    }

    /// The name used in configs and records (`balanced`, `tsodyks-feigelman`, `amit-fusi`).
    pub fn name(self) -> &'static str {
        match self {
            LearningRule::Balanced => "balanced",
            LearningRule::TsodyksFeigelman => "tsodyks-feigelman",
            LearningRule::AmitFusi => "amit-fusi",
        }
    }
}

impl std::str::FromStr for LearningRule {
    type Err = AttractorError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "balanced" => Ok(LearningRule::Balanced),
            "tsodyks-feigelman" | "tf" => Ok(LearningRule::TsodyksFeigelman),
            "amit-fusi" | "af" => Ok(LearningRule::AmitFusi),
            _ => Err(AttractorError::invalid(
                "rule",
                format!("unknown rule {s:?} (balanced, tsodyks-feigelman, amit-fusi)"),
            )),
        }
    }
}

/// Parameters of the synapse dynamics, eqs. (3)-(4). Plain data; [`ParamGuard::check`] gives the
/// [`ValidSynapseParams`] that the models take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SynapseParams {
    /// r1 ≥ 0: depth of the wells (decay rate; time constant 1/(2 r1)). 0 is the flat potential.
    pub r1: f64,
    /// r2 > 0: strength of the activity-dependent jump.
    pub r2: f64,
    /// r3 ≥ 0: strength of the Gaussian noise added at each presentation.
    pub r3: f64,
    /// C ≥ 0: the minima of the double well sit at ±C; C = 0 is the single quadratic well.
    pub c_well: f64,
}

impl Default for SynapseParams {
    fn default() -> Self {
        SynapseParams {
            r1: 0.1,
            r2: 1.0,
            r3: 0.0,
            c_well: 2.7,
        }
    }
}

impl SynapseParams {
    /// The balanced-rule synapse of the paper's figures: r2 = 1 and the given r1, C, r3.
    pub fn unit_jump(r1: f64, c_well: f64, r3: f64) -> Self {
        SynapseParams {
            r1,
            r2: 1.0,
            r3,
            c_well,
        }
    }
}

impl ParamGuard for SynapseParams {
    type Checked = ValidSynapseParams;

    /// r1 ≥ 0, r2 > 0, r3 ≥ 0, C ≥ 0 (errors name `r1`, `r2`, `r3`, `c_well`).
    fn check(&self) -> spinlearn_core::Result<ValidSynapseParams> {
        Ok(ValidSynapseParams {
            r1: check::non_negative("r1", self.r1)?,
            r2: check::positive("r2", self.r2)?,
            r3: check::non_negative("r3", self.r3)?,
            c_well: check::non_negative("c_well", self.c_well)?,
        })
    }
}

/// Checked [`SynapseParams`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidSynapseParams {
    r1: f64,
    r2: f64,
    r3: f64,
    c_well: f64,
}

impl ValidSynapseParams {
    /// r1, the well depth (decay rate).
    pub fn r1(&self) -> f64 {
        self.r1
    }

    /// r2, the jump strength.
    pub fn r2(&self) -> f64 {
        self.r2
    }

    /// r3, the noise strength.
    pub fn r3(&self) -> f64 {
        self.r3
    }

    /// C, the position ±C of the minima.
    pub fn c_well(&self) -> f64 {
        self.c_well
    }

    /// The factor exp(−2 r1) by which the distance to the nearest minimum shrinks per time unit.
    pub fn decay_factor(&self) -> f64 {
        (-2.0 * self.r1).exp()
    }

    /// The plain parameters (to record them or to derive a variant, checked again).
    pub fn params(&self) -> SynapseParams {
        SynapseParams {
            r1: self.r1,
            r2: self.r2,
            r3: self.r3,
            c_well: self.c_well,
        }
    }
}

/// Parameters of the network, eqs. (1)-(3). Plain data; [`ParamGuard::check`] gives the
/// [`ValidNetworkParams`] that the network takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NetworkParams {
    /// Number of neurons N.
    pub n: usize,
    /// Connection probability c of each ordered pair (i ≠ j).
    pub c: f64,
    /// Coding level f = P(η = 1).
    pub f: f64,
    /// The learning rule I.
    pub rule: LearningRule,
    /// Synapse dynamics.
    pub synapse: SynapseParams,
    /// Neuronal threshold θ of eq. (1): V_i = 1 when h_i > θ.
    pub theta: f64,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            n: 10_000,
            c: 0.05,
            f: 0.5,
            rule: LearningRule::Balanced,
            synapse: SynapseParams::default(),
            theta: 0.0,
        }
    }
}

impl NetworkParams {
    /// The sparse-coding level of the paper's Figs. 7-8, f = 4 ln N / N (capped at 1/2).
    pub fn sparse_f(n: usize) -> f64 {
        (4.0 * (n as f64).ln() / n as f64).min(0.5)
    }
}

impl ParamGuard for NetworkParams {
    type Checked = ValidNetworkParams;

    /// N ≥ 2 and < 2³², 0 < c ≤ 1, 0 < f < 1, finite θ, and the synapse's checks.
    fn check(&self) -> spinlearn_core::Result<ValidNetworkParams> {
        check::at_least("n", self.n, 2)?;
        if self.n as u64 >= u64::from(u32::MAX) {
            return Err(spinlearn_core::Error::invalid(
                "n",
                format!("{} does not fit u32 neuron indices", self.n),
            ));
        }
        check::in_range("c", self.c, 0.0, 1.0)?;
        if self.c <= 0.0 {
            return Err(spinlearn_core::Error::invalid("c", "must be > 0, got 0"));
        }
        if !(self.f > 0.0 && self.f < 1.0) {
            return Err(spinlearn_core::Error::invalid(
                "f",
                format!("must lie in (0, 1), got {}", self.f),
            ));
        }
        Ok(ValidNetworkParams {
            n: self.n,
            c: self.c,
            f: self.f,
            rule: self.rule,
            synapse: self.synapse.check()?,
            theta: check::finite("theta", self.theta)?,
        })
    }
}

/// Checked [`NetworkParams`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidNetworkParams {
    n: usize,
    c: f64,
    f: f64,
    rule: LearningRule,
    synapse: ValidSynapseParams,
    theta: f64,
}

impl ValidNetworkParams {
    /// N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The connection probability c.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// The coding level f.
    pub fn f(&self) -> f64 {
        self.f
    }

    /// The learning rule.
    pub fn rule(&self) -> LearningRule {
        self.rule
    }

    /// The synapse dynamics.
    pub fn synapse(&self) -> &ValidSynapseParams {
        &self.synapse
    }

    /// The neuronal threshold θ.
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// The plain parameters (to record them or to derive a variant, checked again).
    pub fn params(&self) -> NetworkParams {
        NetworkParams {
            n: self.n,
            c: self.c,
            f: self.f,
            rule: self.rule,
            synapse: self.synapse.params(),
            theta: self.theta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_the_paper_tables() {
        let f = 0.1;
        let b = LearningRule::Balanced;
        assert_eq!(b.value(true, true, 0.5, 1.0), 1.0);
        assert_eq!(b.value(false, false, 0.5, 1.0), 1.0);
        assert_eq!(b.value(true, false, 0.5, 1.0), -1.0);
        let tf = LearningRule::TsodyksFeigelman;
        assert!((tf.value(true, true, f, 0.0) - 0.81).abs() < 1e-12);
        assert!((tf.value(true, false, f, 0.0) + 0.09).abs() < 1e-12);
        assert!((tf.value(false, true, f, 0.0) + 0.09).abs() < 1e-12);
        assert!((tf.value(false, false, f, 0.0) - 0.01).abs() < 1e-12);
        let af = LearningRule::AmitFusi;
        assert_eq!(af.value(true, true, f, 1.5), 3.0);
        assert!((af.value(false, true, f, 1.5) + 0.09).abs() < 1e-12);
        assert_eq!(af.value(false, false, f, 1.5), 0.0);
        assert_eq!("amit-fusi".parse::<LearningRule>().unwrap(), af);
        assert!("x".parse::<LearningRule>().is_err());
    }

    #[test]
    fn checks_name_the_parameter() {
        let mut p = NetworkParams::default();
        let v = p.check().unwrap();
        assert_eq!(v.params(), p);
        assert_eq!(v.synapse().c_well(), 2.7);
        let named = |p: &NetworkParams| p.check().unwrap_err().to_string();
        p.c = 0.0;
        assert!(named(&p).contains("`c`"));
        p.c = 0.1;
        p.synapse.r2 = -1.0;
        assert!(named(&p).contains("`r2`"));
        p.synapse.r2 = 1.0;
        p.synapse.c_well = -1.0;
        assert!(named(&p).contains("`c_well`"));
        p.synapse.c_well = 1.0;
        p.f = 1.0;
        assert!(named(&p).contains("`f`"));
        p.f = 0.5;
        p.n = 1;
        assert!(named(&p).contains("`n`"));
        p.n = 100;
        p.theta = f64::NAN;
        assert!(named(&p).contains("`theta`"));
    }
}
