//! Curie-Weiss mean-field theory (paper 002, section 2.3, eq. (1)).
//!
//! Per spin, with k_B = 1, coupling folded into Tc = zJ and an external field h, the mean-field
//! magnetization solves the self-consistency equation m = tanh((Tc m + h) / T), the stationarity
//! condition of the mean-field free energy F(m) = Tc m^2 / 2 - T ln(2 cosh((Tc m + h) / T)).
//!
//! All solutions are found by bracketing and safeguarded Newton, never by fixed-point iteration
//! (which crawls near Tc): g(m) = m - tanh((Tc m + h) / T) is convex on one side of its inflection
//! point m = -h / Tc and concave on the other, so it has at most two turning points, at
//! cosh((Tc m + h) / T) = sqrt(Tc / T) (only when T < Tc); between them g is monotone and holds at
//! most one root, bracketed by a sign change.
//!
//! Stability comes from the second derivative F''(m) = Tc (1 - (Tc / T) sech^2((Tc m + h) / T)):
//! a solution is stable (a local minimum of F) when F'' > 0. For Tc = 0 (no coupling) F does not
//! depend on m; its single solution m = tanh(h / T) is reported stable (the variational free
//! energy, whose curvature T / (1 - m^2) - Tc has the same sign as F'' for Tc > 0, is convex).

use crate::activation::sech2;
use crate::error::{IsingError, Result};
use serde::{Deserialize, Serialize};
use spinlearn_core::check;
use spinlearn_core::numerics::log_2cosh;

/// Parameters of the Curie-Weiss model: temperature `t` > 0, critical temperature `tc` = zJ >= 0
/// and external field `h` (all in units of k_B = 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurieWeiss {
    /// Temperature T > 0.
    pub t: f64,
    /// Critical temperature Tc = zJ >= 0 (Tc = 1 in the paper's Fig. 1; 4 for the square lattice).
    pub tc: f64,
    /// External field h.
    pub h: f64,
}

/// One solution of m = tanh((Tc m + h) / T).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanFieldSolution {
    /// Magnetization per spin, in [-1, 1].
    pub m: f64,
    /// Local minimum of the free energy (F''(m) > 0, or Tc = 0).
    pub stable: bool,
    /// The lowest free energy among all solutions (ties within 1e-12 all count).
    pub global: bool,
    /// F(m) = Tc m^2 / 2 - T ln(2 cosh((Tc m + h) / T)), per spin.
    pub free_energy: f64,
    /// F''(m) = Tc (1 - (Tc / T) sech^2((Tc m + h) / T)).
    pub curvature: f64,
    /// Susceptibility dm/dh along this solution, (1 - m^2) / (T - Tc (1 - m^2)); infinite at a
    /// spinodal, negative on an unstable branch. In JSON a non-finite value is the string `"inf"`,
    /// `"-inf"` or `"NaN"`, so that it reads back as written.
    #[serde(with = "nonfinite_as_string")]
    pub susceptibility: f64,
}

/// An f64 in JSON: a number when finite, otherwise `"inf"`, `"-inf"` or `"NaN"` (JSON has no
/// such numbers; serde_json would write `null`, which does not read back as an f64).
mod nonfinite_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        match *x {
            x if x.is_finite() => s.serialize_f64(x),
            x if x.is_nan() => s.serialize_str("NaN"),
            x if x > 0.0 => s.serialize_str("inf"),
            _ => s.serialize_str("-inf"),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Option::<Repr>::deserialize(d)? {
            Some(Repr::Number(x)) => Ok(x),
            None => Ok(f64::NAN),
            Some(Repr::Text(t)) => match t.as_str() {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "NaN" => Ok(f64::NAN),
                _ => Err(serde::de::Error::custom(format!(
                    "`{t}` is not a number, \"inf\", \"-inf\" or \"NaN\""
                ))),
            },
        }
    }
}

impl CurieWeiss {
    /// Zero-field model at temperature `t` with critical temperature `tc`.
    pub fn new(t: f64, tc: f64) -> Self {
        CurieWeiss { t, tc, h: 0.0 }
    }

    /// Sets the field.
    pub fn with_field(mut self, h: f64) -> Self {
        self.h = h;
        self
    }

    /// Validates: T > 0, Tc >= 0, h finite.
    pub fn check(&self) -> Result<()> {
        check::positive("t", self.t)?;
        check::non_negative("tc", self.tc)?;
        check::finite("h", self.h)?;
        Ok(())
    }

    #[inline]
    fn arg(&self, m: f64) -> f64 {
        (self.tc * m + self.h) / self.t
    }

    /// g(m) = m - tanh((Tc m + h) / T); its zeros are the solutions.
    #[inline]
    pub fn residual(&self, m: f64) -> f64 {
        m - self.arg(m).tanh()
    }

    /// g'(m) = 1 - (Tc / T) sech^2((Tc m + h) / T).
    #[inline]
    pub fn residual_derivative(&self, m: f64) -> f64 {
        1.0 - self.tc / self.t * sech2(self.arg(m))
    }

    /// Mean-field free energy per spin F(m) = Tc m^2 / 2 - T ln(2 cosh((Tc m + h) / T)).
    pub fn free_energy(&self, m: f64) -> f64 {
        0.5 * self.tc * m * m - self.t * log_2cosh(self.arg(m))
    }

    /// F''(m) = Tc g'(m).
    pub fn curvature(&self, m: f64) -> f64 {
        self.tc * self.residual_derivative(m)
    }

    /// dm/dh at a solution m: (1 - m^2) / (T - Tc (1 - m^2)).
    pub fn susceptibility_at(&self, m: f64) -> f64 {
        let s = 1.0 - m * m;
        s / (self.t - self.tc * s)
    }

    /// Every solution of m = tanh((Tc m + h) / T) in increasing m (one, two at a spinodal, or
    /// three), each with its stability, free energy and susceptibility. Roots are accurate to
    /// about 1e-14.
    pub fn solve(&self) -> Result<Vec<MeanFieldSolution>> {
        self.check()?;
        // Split [-1, 1] at the turning points of g, where g is monotone in between.
        let mut cuts = vec![-1.0];
        if self.tc > self.t {
            let x = (self.tc / self.t).sqrt().acosh();
            for xc in [-x, x] {
                let m = (self.t * xc - self.h) / self.tc;
                if m > -1.0 && m < 1.0 {
                    cuts.push(m);
                }
            }
        }
        cuts.push(1.0);
        cuts.sort_by(f64::total_cmp);
        let mut roots: Vec<f64> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (ga, gb) = (self.residual(a), self.residual(b));
            if ga == 0.0 {
                roots.push(a);
            }
            if gb == 0.0 {
                roots.push(b);
            } else if ga != 0.0 && ga.signum() != gb.signum() {
                roots.push(self.newton_bracketed(a, b, ga)?);
            }
        }
        // A double root at a spinodal shows up as a turning point where g touches zero.
        for &c in &cuts[1..cuts.len() - 1] {
            if self.residual(c).abs() < 1e-13 {
                roots.push(c);
            }
        }
        roots.sort_by(f64::total_cmp);
        roots.dedup_by(|a, b| (*a - *b).abs() < 1e-10);
        let mut sols: Vec<MeanFieldSolution> = roots
            .into_iter()
            .map(|m| {
                let curvature = self.curvature(m);
                MeanFieldSolution {
                    m,
                    stable: if self.tc == 0.0 {
                        true
                    } else {
                        self.residual_derivative(m) > 0.0
                    },
                    global: false,
                    free_energy: self.free_energy(m),
                    curvature,
                    susceptibility: self.susceptibility_at(m),
                }
            })
            .collect();
        let fmin = sols
            .iter()
            .map(|s| s.free_energy)
            .fold(f64::INFINITY, f64::min);
        for s in &mut sols {
            s.global = s.free_energy <= fmin + 1e-12 * (1.0 + fmin.abs());
        }
        if sols.is_empty() {
            // g(-1) < 0 < g(1) always, so an empty set means a numerical failure.
            return Err(IsingError::non_convergence(
                "mean-field root bracketing",
                0,
                f64::NAN,
            ));
        }
        Ok(sols)
    }

    /// The equilibrium magnetization: the stable solution of lowest free energy; for h = 0 below
    /// Tc, the positive one.
    pub fn equilibrium(&self) -> Result<MeanFieldSolution> {
        let sols = self.solve()?;
        let best = sols
            .iter()
            .filter(|s| s.global)
            .max_by(|a, b| a.m.total_cmp(&b.m))
            .copied();
        best.ok_or_else(|| IsingError::non_convergence("mean-field equilibrium", 0, f64::NAN))
    }

    /// Newton's method kept inside the bracket [a, b] (bisection when a step leaves it or stalls).
    fn newton_bracketed(&self, mut a: f64, mut b: f64, ga: f64) -> Result<f64> {
        let sign_a = ga.signum();
        let mut x = 0.5 * (a + b);
        let max_iter = 200;
        for _ in 0..max_iter {
            let g = self.residual(x);
            if g == 0.0 {
                return Ok(x);
            }
            if g.signum() == sign_a {
                a = x;
            } else {
                b = x;
            }
            let d = self.residual_derivative(x);
            let mut next = x - g / d;
            if !(next > a.min(b) && next < a.max(b) && next.is_finite()) {
                next = 0.5 * (a + b);
            }
            if (next - x).abs() <= 1e-15 * (1.0 + x.abs()) || (b - a).abs() <= 4.0 * f64::EPSILON {
                return Ok(next);
            }
            x = next;
        }
        let g = self.residual(x);
        if g.abs() < 1e-12 {
            Ok(x)
        } else {
            Err(IsingError::non_convergence(
                "mean-field Newton",
                max_iter,
                g.abs(),
            ))
        }
    }
}

/// The nonnegative (firing) branch of the zero-field solution, eq. (2)'s target: the largest
/// solution of m = tanh(Tc m / T), i.e. m > 0 for T < Tc and 0 for T >= Tc.
pub fn firing_branch(t: f64, tc: f64) -> Result<f64> {
    let sols = CurieWeiss::new(t, tc).solve()?;
    Ok(sols.last().map_or(0.0, |s| s.m.max(0.0)))
}

/// One temperature of the bifurcation diagram (Fig. 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BifurcationPoint {
    /// Temperature.
    pub t: f64,
    /// All solutions at this temperature, increasing in m.
    pub solutions: Vec<MeanFieldSolution>,
}

/// The bifurcation diagram of Fig. 1: all solutions of m = tanh((Tc m + h) / T) for each T in `ts`.
pub fn bifurcation(ts: &[f64], tc: f64, h: f64) -> Result<Vec<BifurcationPoint>> {
    ts.iter()
        .map(|&t| {
            Ok(BifurcationPoint {
                t,
                solutions: CurieWeiss::new(t, tc).with_field(h).solve()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_susceptibility_reads_back_from_json() {
        // At T = Tc the m = 0 solution has dm/dh = 1 / (T - Tc) = +inf.
        let sols = CurieWeiss::new(1.0, 1.0).solve().unwrap();
        assert_eq!(sols[0].susceptibility, f64::INFINITY);
        let text = serde_json::to_string(&sols).unwrap();
        assert!(text.contains("\"susceptibility\":\"inf\""), "{text}");
        let back: Vec<MeanFieldSolution> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, sols);
        let neg = MeanFieldSolution {
            susceptibility: f64::NEG_INFINITY,
            ..sols[0]
        };
        let text = serde_json::to_string(&neg).unwrap();
        let back: MeanFieldSolution = serde_json::from_str(&text).unwrap();
        assert_eq!(back, neg);
        let nan = serde_json::to_string(&MeanFieldSolution {
            susceptibility: f64::NAN,
            ..sols[0]
        })
        .unwrap();
        let back: MeanFieldSolution = serde_json::from_str(&nan).unwrap();
        assert!(back.susceptibility.is_nan());
        let bad = text.replace("-inf", "lots");
        assert!(serde_json::from_str::<MeanFieldSolution>(&bad).is_err());
    }

    #[test]
    fn solutions_satisfy_the_equation() {
        for &(t, tc, h) in &[
            (0.5, 1.0, 0.0),
            (0.99, 1.0, 0.0),
            (0.999_999, 1.0, 0.0),
            (1.0, 1.0, 0.0),
            (1.5, 1.0, 0.0),
            (0.5, 1.0, 0.05),
            (0.5, 1.0, -0.3),
            (2.0, 4.0, 0.1),
            (0.01, 1.0, 0.0),
            (1.0, 0.0, 0.7),
        ] {
            let cw = CurieWeiss::new(t, tc).with_field(h);
            for s in cw.solve().unwrap() {
                assert!(cw.residual(s.m).abs() < 1e-13, "T={t} h={h} m={}", s.m);
            }
        }
    }

    #[test]
    fn zero_field_counts_and_stability() {
        // Below Tc: -m*, 0, +m* with the outer two stable; above: only 0, stable.
        let s = CurieWeiss::new(0.5, 1.0).solve().unwrap();
        assert_eq!(s.len(), 3);
        assert!(s[0].stable && !s[1].stable && s[2].stable);
        assert!(s[0].global && !s[1].global && s[2].global);
        assert!((s[0].m + s[2].m).abs() < 1e-14 && s[1].m == 0.0);
        // m* at T = 0.5 solves m = tanh(2 m): 0.957504...
        assert!((s[2].m - 0.957_504_024_077_268_8).abs() < 1e-12);
        let s = CurieWeiss::new(1.5, 1.0).solve().unwrap();
        assert_eq!(s.len(), 1);
        assert!(s[0].stable && s[0].m == 0.0);
        // Curie law above Tc: chi = 1 / (T - Tc).
        assert!((s[0].susceptibility - 2.0).abs() < 1e-14);
    }

    #[test]
    fn near_tc_matches_the_landau_expansion() {
        // m^2 ≈ 3 (Tc - T) / Tc close to Tc (from tanh x ≈ x - x^3 / 3).
        let eps = 1e-6;
        let m = firing_branch(1.0 - eps, 1.0).unwrap();
        assert!((m * m / (3.0 * eps) - 1.0).abs() < 1e-4, "m = {m}");
    }

    #[test]
    fn field_splits_the_branches_and_spinodal_is_found() {
        // Small positive field below Tc: the negative branch is metastable.
        let s = CurieWeiss::new(0.5, 1.0).with_field(0.05).solve().unwrap();
        assert_eq!(s.len(), 3);
        assert!(s[0].stable && !s[0].global && s[2].global);
        // Spinodal: g and g' vanish together at x0 = acosh(sqrt(Tc/T)), m_d = tanh(x0),
        // h_d = T x0 - Tc m_d (negative: the positive branch is about to disappear).
        let (t, tc): (f64, f64) = (0.5, 1.0);
        let x0 = (tc / t).sqrt().acosh();
        let m_d = x0.tanh();
        let h_d = t * x0 - tc * m_d;
        assert!(h_d < 0.0);
        let s = CurieWeiss::new(t, tc).with_field(h_d).solve().unwrap();
        assert!(s.iter().any(|s| (s.m - m_d).abs() < 1e-7), "{s:?}");
        assert_eq!(s.len(), 2, "{s:?}");
        let beyond = CurieWeiss::new(t, tc)
            .with_field(h_d * 1.01)
            .solve()
            .unwrap();
        assert_eq!(beyond.len(), 1);
        assert!(beyond[0].m < 0.0);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(CurieWeiss::new(0.0, 1.0).solve().is_err());
        assert!(CurieWeiss::new(1.0, -1.0).solve().is_err());
        assert!(
            CurieWeiss::new(1.0, 1.0)
                .with_field(f64::NAN)
                .solve()
                .is_err()
        );
    }
}
