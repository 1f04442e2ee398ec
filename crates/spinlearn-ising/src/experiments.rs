//! The paper's experiments as plain computations returning plain structs (figures and tables are
//! drawn elsewhere, from these structs): Fig. 1 (bifurcation), Fig. 2 (tanh fit), the firing-rate
//! curves of section 2.4, and the lattice check (mean field against Monte Carlo against Onsager,
//! Binder crossing). Each takes checked params ([`ParamGuard`]); the lattice sweep also takes its
//! seed and an observer.

use crate::Activation;
use crate::error::Result;
use crate::firing::{integrate, rate_logistic, rate_mean_field, rate_tanh};
use crate::fit::{TanhFit, fit_tanh, fit_tanh_shifted};
use crate::mc::{Algorithm, McParams, McResult, McValidParams, Start, simulate};
use crate::mean_field::{BifurcationPoint, CurieWeiss, bifurcation, firing_branch};
use crate::onsager;
use serde::{Deserialize, Serialize};
use spinlearn_core::numerics::logistic;
use spinlearn_core::{Error, Observer, ParamGuard, Seed, check};

/// `n` evenly spaced points from `a` to `b` inclusive (n >= 2; n = 1 gives `[a]`).
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![a],
        _ => (0..n)
            .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

/// Parameters of the mean-field activation experiment (Figs. 1-2, section 2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivationParams {
    /// Critical temperature (the paper's Tc = 1).
    pub tc: f64,
    /// Largest temperature of the branch and fit; T runs over (0, t_max].
    pub t_max: f64,
    /// Temperatures on the branch (the fit uses all of them).
    pub n_t: usize,
    /// Quench range of the firing-rate curves.
    pub q_min: f64,
    /// Quench range of the firing-rate curves.
    pub q_max: f64,
    /// Points on the firing-rate curves.
    pub n_q: usize,
    /// Steepness a of the tanh integrated into the firing rate (the paper integrates a = 1).
    pub rate_a: f64,
}

impl Default for ActivationParams {
    fn default() -> Self {
        ActivationParams {
            tc: 1.0,
            t_max: 2.0,
            n_t: 200,
            q_min: -4.0,
            q_max: 4.0,
            n_q: 161,
            rate_a: 1.0,
        }
    }
}

impl ParamGuard for ActivationParams {
    type Checked = ActivationValidParams;

    fn check(&self) -> spinlearn_core::Result<ActivationValidParams> {
        check::positive("tc", self.tc)?;
        check::positive("t_max", self.t_max)?;
        check::at_least("n_t", self.n_t, 3)?;
        check::finite("q_min", self.q_min)?;
        check::finite("q_max", self.q_max)?;
        if self.q_max <= self.q_min {
            return Err(Error::invalid(
                "q_max",
                format!("must exceed q_min = {}, got {}", self.q_min, self.q_max),
            ));
        }
        check::at_least("n_q", self.n_q, 2)?;
        check::positive("rate_a", self.rate_a)?;
        // A few f64 columns per temperature (branch, fit) and per quench for each curve.
        spinlearn_core::mem::check("n_t", &[(&[self.n_t], 8 * 8)])?;
        spinlearn_core::mem::check("n_q", &[(&[self.n_q], 8 * 16)])?;
        Ok(ActivationValidParams(self.clone()))
    }
}

/// [`ActivationParams`] that passed [`ParamGuard::check`]; what [`activation_experiment`] accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationValidParams(ActivationParams);

impl ActivationValidParams {
    /// Critical temperature.
    pub fn tc(&self) -> f64 {
        self.0.tc
    }
    /// Largest temperature of the branch.
    pub fn t_max(&self) -> f64 {
        self.0.t_max
    }
    /// Temperatures on the branch.
    pub fn n_t(&self) -> usize {
        self.0.n_t
    }
    /// Smallest quench.
    pub fn q_min(&self) -> f64 {
        self.0.q_min
    }
    /// Largest quench.
    pub fn q_max(&self) -> f64 {
        self.0.q_max
    }
    /// Points on the firing-rate curves.
    pub fn n_q(&self) -> usize {
        self.0.n_q
    }
    /// Steepness a of the integrated tanh.
    pub fn rate_a(&self) -> f64 {
        self.0.rate_a
    }
    /// The plain params (for records).
    pub fn params(&self) -> &ActivationParams {
        &self.0
    }
}

/// Firing rates against the quench Q, with the usual activations beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiringCurves {
    /// Quench values.
    pub q: Vec<f64>,
    /// ∫_0^Q (1 + tanh(a t)) / 2 dt, closed form.
    pub tanh_rate: Vec<f64>,
    /// The same by adaptive quadrature.
    pub tanh_rate_quadrature: Vec<f64>,
    /// ∫_0^Q logistic(t) dt = softplus(Q) - ln 2, closed form.
    pub logistic_rate: Vec<f64>,
    /// The same by adaptive quadrature.
    pub logistic_rate_quadrature: Vec<f64>,
    /// ∫_0^Q m(Tc - t) dt over the exact mean-field branch (quadrature).
    pub mean_field_rate: Vec<f64>,
    /// max(0, Q).
    pub relu: Vec<f64>,
    /// ln(1 + e^Q).
    pub softplus: Vec<f64>,
    /// ELU with alpha = 1.
    pub elu: Vec<f64>,
    /// logistic(Q).
    pub sigmoid: Vec<f64>,
    /// tanh(Q).
    pub tanh: Vec<f64>,
    /// Largest |closed form - quadrature| over both cases.
    pub max_quadrature_error: f64,
    /// The tanh rate's floor for Q -> -inf, -ln 2 / (2a) (the ELU-like offset).
    pub tanh_rate_floor: f64,
    /// Steepness a used.
    pub a: f64,
}

/// Everything of the mean-field activation experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivationResult {
    /// Parameters.
    pub params: ActivationParams,
    /// Temperatures of the branch.
    pub branch_t: Vec<f64>,
    /// The m >= 0 branch m(T) of eq. (1) (0 above Tc).
    pub branch_m: Vec<f64>,
    /// Eq. (2) with b = 1: a and the residual.
    pub fit: TanhFit,
    /// Eq. (2) with Tc scaled by a fitted b.
    pub fit_shifted: TanhFit,
    /// Fig. 1: all solutions over the branch temperatures.
    pub bifurcation: Vec<BifurcationPoint>,
    /// Section 2.4 firing rates.
    pub firing: FiringCurves,
}

/// Runs Figs. 1-2 and the firing-rate curves.
pub fn activation_experiment(p: &ActivationValidParams) -> Result<ActivationResult> {
    let (n_t, t_max, tc) = (p.n_t(), p.t_max(), p.tc());
    let branch_t: Vec<f64> = (1..=n_t).map(|i| t_max * i as f64 / n_t as f64).collect();
    let branch_m = branch_t
        .iter()
        .map(|&t| firing_branch(t, tc))
        .collect::<Result<Vec<_>>>()?;
    let fit = fit_tanh(&branch_t, &branch_m, tc)?;
    let fit_shifted = fit_tanh_shifted(&branch_t, &branch_m, tc)?;
    let bif = bifurcation(&branch_t, tc, 0.0)?;
    let firing = firing_curves(p)?;
    Ok(ActivationResult {
        params: p.params().clone(),
        branch_t,
        branch_m,
        fit,
        fit_shifted,
        bifurcation: bif,
        firing,
    })
}

/// The firing-rate curves over `n_q` quenches in [q_min, q_max], integrating the tanh of steepness
/// `rate_a` and the mean-field branch of critical temperature `tc`.
pub fn firing_curves(p: &ActivationValidParams) -> Result<FiringCurves> {
    let (a, tc) = (p.rate_a(), p.tc());
    let q = linspace(p.q_min(), p.q_max(), p.n_q());
    let tanh_rate: Vec<f64> = q.iter().map(|&x| rate_tanh(x, a)).collect();
    let tanh_rate_quadrature = q
        .iter()
        .map(|&x| integrate(|t| 0.5 * (1.0 + (a * t).tanh()), 0.0, x, 1e-11))
        .collect::<Result<Vec<_>>>()?;
    let logistic_rate: Vec<f64> = q.iter().map(|&x| rate_logistic(x)).collect();
    let logistic_rate_quadrature = q
        .iter()
        .map(|&x| integrate(logistic, 0.0, x, 1e-11))
        .collect::<Result<Vec<_>>>()?;
    let mean_field_rate = q
        .iter()
        .map(|&x| rate_mean_field(x, tc))
        .collect::<Result<Vec<_>>>()?;
    let max_err = tanh_rate
        .iter()
        .zip(&tanh_rate_quadrature)
        .chain(logistic_rate.iter().zip(&logistic_rate_quadrature))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let apply = |act: Activation| q.iter().map(|&x| act.value(x)).collect::<Vec<f64>>();
    Ok(FiringCurves {
        relu: apply(Activation::Relu),
        softplus: apply(Activation::Softplus),
        elu: apply(Activation::Elu { alpha: 1.0 }),
        sigmoid: apply(Activation::Logistic),
        tanh: apply(Activation::Tanh),
        q,
        tanh_rate,
        tanh_rate_quadrature,
        logistic_rate,
        logistic_rate_quadrature,
        mean_field_rate,
        max_quadrature_error: max_err,
        tanh_rate_floor: crate::firing::rate_tanh_floor(a),
        a,
    })
}

/// Parameters of the lattice check: Monte Carlo at every (L, T), zero field, cold start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatticeSweepParams {
    /// Side lengths, strictly increasing.
    pub ls: Vec<usize>,
    /// Temperatures, strictly increasing.
    pub ts: Vec<f64>,
    /// Update algorithm.
    pub algorithm: Algorithm,
    /// Thermalization sweeps per point.
    pub therm: usize,
    /// Measured sweeps per point (>= 64).
    pub sweeps: usize,
}

impl LatticeSweepParams {
    fn point(&self, l: usize, t: f64) -> McParams {
        McParams {
            l,
            t,
            h: 0.0,
            algorithm: self.algorithm,
            therm: self.therm,
            sweeps: self.sweeps,
            wolff_clusters: None,
            start: Start::Cold,
            parallel: false,
        }
    }
}

impl ParamGuard for LatticeSweepParams {
    type Checked = LatticeSweepValidParams;

    /// Checks the grids and every point's [`McParams`].
    fn check(&self) -> spinlearn_core::Result<LatticeSweepValidParams> {
        if self.ls.is_empty() {
            return Err(Error::invalid("ls", "need at least one size"));
        }
        if self.ts.is_empty() {
            return Err(Error::invalid("ts", "need at least one temperature"));
        }
        if self.ls.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::invalid("ls", "must be strictly increasing"));
        }
        if self.ts.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::invalid("ts", "must be strictly increasing"));
        }
        let mut points = Vec::with_capacity(self.ls.len() * self.ts.len());
        for &l in &self.ls {
            for &t in &self.ts {
                points.push(self.point(l, t).check()?);
            }
        }
        Ok(LatticeSweepValidParams {
            params: self.clone(),
            points,
        })
    }
}

/// [`LatticeSweepParams`] that passed [`ParamGuard::check`]; what [`lattice_sweep`] accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct LatticeSweepValidParams {
    params: LatticeSweepParams,
    /// Checked runs, L-major.
    points: Vec<McValidParams>,
}

impl LatticeSweepValidParams {
    /// The plain params (for records).
    pub fn params(&self) -> &LatticeSweepParams {
        &self.params
    }
    /// Side lengths.
    pub fn ls(&self) -> &[usize] {
        &self.params.ls
    }
    /// Temperatures.
    pub fn ts(&self) -> &[f64] {
        &self.params.ts
    }
    /// Thermalization sweeps per point.
    pub fn therm(&self) -> usize {
        self.params.therm
    }
    /// Measured sweeps per point.
    pub fn sweeps(&self) -> usize {
        self.params.sweeps
    }
    /// Points of the grid, `ls.len() * ts.len()`.
    pub fn n_points(&self) -> usize {
        self.points.len()
    }
    /// Size and temperature of point `k` (L-major: k = L index * n_T + T index); panics for
    /// `k >= n_points()`.
    pub fn point(&self, k: usize) -> (usize, f64) {
        let nt = self.params.ts.len();
        (self.params.ls[k / nt], self.params.ts[k % nt])
    }
}

/// Where the Binder cumulants of two sizes cross.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BinderCrossing {
    /// Smaller size.
    pub l_small: usize,
    /// Larger size.
    pub l_large: usize,
    /// Crossing temperature (linear interpolation between grid points).
    pub t: f64,
}

/// The lattice check's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatticeSweep {
    /// Parameters.
    pub params: LatticeSweepParams,
    /// One result per (L, T), L-major in the order of `params` (when stopped early, the points
    /// finished so far, in the same order).
    pub points: Vec<McResult>,
    /// True when the observer stopped the sweep (no crossing is computed then).
    pub stopped_early: bool,
    /// Crossings of consecutive sizes (those found).
    pub crossings: Vec<BinderCrossing>,
    /// Mean of the crossings' temperatures, the Monte Carlo estimate of Tc.
    pub tc_binder_crossing: Option<f64>,
    /// 2 / ln(1 + sqrt 2).
    pub tc_exact: f64,
    /// z J = 4.
    pub tc_mean_field: f64,
    /// Mean-field m(T) for Tc = 4 on `params.ts`.
    pub mean_field_m: Vec<f64>,
    /// Onsager's m(T) on `params.ts`.
    pub onsager_m: Vec<f64>,
}

impl LatticeSweep {
    /// The points of size `l`, in temperature order.
    pub fn for_size(&self, l: usize) -> Vec<&McResult> {
        self.points.iter().filter(|p| p.l == l).collect()
    }
}

/// The temperature where U_large - U_small changes sign from + (below Tc, the larger lattice is
/// more ordered) to -, by linear interpolation; with several such changes the steepest one.
pub fn binder_crossing(ts: &[f64], u_small: &[f64], u_large: &[f64]) -> Option<f64> {
    let d: Vec<f64> = u_large.iter().zip(u_small).map(|(a, b)| a - b).collect();
    let mut best: Option<(f64, f64)> = None;
    for i in 0..d.len().saturating_sub(1).min(ts.len().saturating_sub(1)) {
        if d[i] > 0.0 && d[i + 1] <= 0.0 {
            let drop = d[i] - d[i + 1];
            let t = ts[i] + (ts[i + 1] - ts[i]) * d[i] / drop;
            if best.is_none_or(|(bd, _)| drop > bd) {
                best = Some((drop, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// Like [`binder_crossing`], but among the sign changes from + to - the one nearest `t0`: the
/// same crossing followed through a resample, so that noise crossings far from Tc (where both
/// cumulants sit at 2/3 or at 0 and differ only by noise) do not enter a bootstrap.
pub fn binder_crossing_near(ts: &[f64], u_small: &[f64], u_large: &[f64], t0: f64) -> Option<f64> {
    let n = u_large.len().min(u_small.len()).min(ts.len());
    let d: Vec<f64> = (0..n).map(|i| u_large[i] - u_small[i]).collect();
    (0..n.saturating_sub(1))
        .filter(|&i| d[i] > 0.0 && d[i + 1] <= 0.0)
        .map(|i| ts[i] + (ts[i + 1] - ts[i]) * d[i] / (d[i] - d[i + 1]))
        .min_by(|a, b| (a - t0).abs().total_cmp(&(b - t0).abs()))
}

/// The Binder crossing of the two largest sizes with a parametric-bootstrap error bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BinderCrossingEstimate {
    /// Smaller size of the pair.
    pub l_small: usize,
    /// Larger size of the pair.
    pub l_large: usize,
    /// Crossing of the measured cumulants ([`binder_crossing`] on the means).
    pub t: f64,
    /// Standard deviation of the crossing over the resamples that cross (0 when fewer than 2 do).
    pub err: f64,
    /// Resamples drawn.
    pub n_boot: usize,
    /// Resamples in which the cumulants cross on the grid.
    pub n_crossing: usize,
}

/// The Binder crossing of the two largest sizes of `sw` with its bootstrap error: each of `n_boot`
/// resamples draws every cumulant U(L, T) from a normal with the measured mean and standard error
/// (the points are independent runs) and locates the crossing again, the sign change nearest the
/// measured crossing ([`binder_crossing_near`]); the error is the standard deviation of the
/// resampled crossings. `None` with fewer than two sizes or
/// when the measured cumulants do not cross on the grid. Deterministic in `seed`.
pub fn binder_crossing_bootstrap(
    sw: &LatticeSweep,
    n_boot: usize,
    seed: Seed,
) -> Option<BinderCrossingEstimate> {
    let ls = &sw.params.ls;
    if ls.len() < 2 || sw.stopped_early {
        return None;
    }
    let (l_small, l_large) = (ls[ls.len() - 2], ls[ls.len() - 1]);
    let (small, large) = (sw.for_size(l_small), sw.for_size(l_large));
    let ts: Vec<f64> = small.iter().map(|r| r.t).collect();
    let mean = |v: &[&McResult]| v.iter().map(|r| r.binder.mean).collect::<Vec<f64>>();
    let t = binder_crossing(&ts, &mean(&small), &mean(&large))?;
    let mut rng = seed.stream(0);
    let mut normal = || {
        use rand::RngExt;
        // Box-Muller; 1 - u keeps the logarithm finite.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    let mut draws = Vec::with_capacity(n_boot);
    for _ in 0..n_boot {
        let mut draw = |v: &[&McResult]| -> Vec<f64> {
            v.iter()
                .map(|r| r.binder.mean + r.binder.err * normal())
                .collect()
        };
        let (us, ul) = (draw(&small), draw(&large));
        if let Some(tb) = binder_crossing_near(&ts, &us, &ul, t) {
            draws.push(tb);
        }
    }
    let err = if draws.len() > 1 {
        spinlearn_core::stats::mean_std_population(&draws).1
    } else {
        0.0
    };
    Some(BinderCrossingEstimate {
        l_small,
        l_large,
        t,
        err,
        n_boot,
        n_crossing: draws.len(),
    })
}

/// Runs every (L, T) point in parallel (point k = L index * n_T + T index draws from
/// `seed.derive(k)`, so results do not depend on the thread count). The observer sees one report
/// per finished point (stage `"lattice point"`, metrics `l`, `t`, `abs_m`, in completion order) and
/// may stop the sweep: points not yet finished are then dropped. The same as [`lattice_points`]
/// over every point followed by [`LatticeSweep::assemble`].
pub fn lattice_sweep(
    p: &LatticeSweepValidParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<LatticeSweep> {
    let all: Vec<usize> = (0..p.n_points()).collect();
    let results = lattice_points(p, &all, seed, obs)?;
    let stopped_early = results.iter().any(Option::is_none);
    LatticeSweep::assemble(p, results.into_iter().flatten().collect(), stopped_early)
}

/// Runs the points `ks` (indices into the L-major grid, see [`LatticeSweepValidParams::point`]) in
/// parallel, point k from `seed.derive(k)`: each point's result is the one [`lattice_sweep`] gives
/// it, however the points are split between calls. Reports like [`lattice_sweep`]; a point the
/// observer stopped before it finished is `None`. An index outside the grid is an error.
pub fn lattice_points(
    p: &LatticeSweepValidParams,
    ks: &[usize],
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<Option<McResult>>> {
    let jobs = ks
        .iter()
        .map(|&k| {
            p.points.get(k).map(|v| (k, v)).ok_or_else(|| {
                crate::IsingError::invalid(
                    "point",
                    format!("point {k} of a grid of {} does not exist", p.n_points()),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    spinlearn_core::par::par_map_observed(&jobs, "lattice point", obs, |&(k, v), halt| {
        let r = simulate(v, seed.derive(k as u64), halt)?;
        let metrics = vec![
            ("l", r.l as f64),
            ("t", r.t),
            ("abs_m", r.magnetization.mean),
        ];
        Ok::<_, crate::IsingError>((r, metrics))
    })
}

impl LatticeSweep {
    /// The sweep from its points' results, L-major in the grid's order (all of them, or when
    /// `stopped_early` the ones finished): the Binder crossings (only when complete), the
    /// mean-field and Onsager curves. Errors when a point is not the grid's (size, temperature or
    /// run length) or, for a complete sweep, when the count is not the grid's.
    pub fn assemble(
        p: &LatticeSweepValidParams,
        points: Vec<McResult>,
        stopped_early: bool,
    ) -> Result<LatticeSweep> {
        let ts = p.ts();
        if !stopped_early && points.len() != p.n_points() {
            return Err(crate::IsingError::invalid(
                "points",
                format!(
                    "{} results for a grid of {} points",
                    points.len(),
                    p.n_points()
                ),
            ));
        }
        if !stopped_early {
            for (k, r) in points.iter().enumerate() {
                let (l, t) = p.point(k);
                if r.l != l || r.t.to_bits() != t.to_bits() || r.n_measured != p.sweeps() {
                    return Err(crate::IsingError::invalid(
                        "points",
                        format!(
                            "result {k} is L = {}, T = {} with {} sweeps, the grid's point is L = {l}, T = {t} with {}",
                            r.l,
                            r.t,
                            r.n_measured,
                            p.sweeps()
                        ),
                    ));
                }
            }
        }
        let mut crossings = Vec::new();
        if !stopped_early {
            for w in p.ls().windows(2) {
                let u = |l: usize| -> Vec<f64> {
                    points
                        .iter()
                        .filter(|r| r.l == l)
                        .map(|r| r.binder.mean)
                        .collect()
                };
                if let Some(t) = binder_crossing(ts, &u(w[0]), &u(w[1])) {
                    crossings.push(BinderCrossing {
                        l_small: w[0],
                        l_large: w[1],
                        t,
                    });
                }
            }
        }
        let tc_binder_crossing = if crossings.is_empty() {
            None
        } else {
            Some(crossings.iter().map(|c| c.t).sum::<f64>() / crossings.len() as f64)
        };
        let mean_field_m = ts
            .iter()
            .map(|&t| {
                CurieWeiss::new(t, onsager::TC_MEAN_FIELD)
                    .equilibrium()
                    .map(|s| s.m)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LatticeSweep {
            params: p.params().clone(),
            points,
            stopped_early,
            crossings,
            tc_binder_crossing,
            tc_exact: onsager::tc_exact(),
            tc_mean_field: onsager::TC_MEAN_FIELD,
            mean_field_m,
            onsager_m: ts.iter().map(|&t| onsager::magnetization(t)).collect(),
        })
    }
}

/// All activation kinds evaluated on a grid (for the activation-function figure).
pub fn activation_table(acts: &[Activation], xs: &[f64]) -> Vec<(String, Vec<f64>, Vec<f64>)> {
    acts.iter()
        .map(|a| {
            (
                a.name(),
                xs.iter().map(|&x| a.value(x)).collect(),
                xs.iter().map(|&x| a.derivative(x)).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spinlearn_core::{Control, StepReport};

    #[test]
    fn binder_crossing_interpolates() {
        let ts = [1.0, 2.0, 3.0, 4.0];
        let small = [0.6, 0.5, 0.3, 0.1];
        let large = [0.66, 0.6, 0.2, 0.01];
        // d = 0.06, 0.1, -0.1, -0.09: crossing halfway between 2 and 3.
        assert!((binder_crossing(&ts, &small, &large).unwrap() - 2.5).abs() < 1e-12);
        assert!(binder_crossing(&ts, &large, &small).is_none());
    }

    fn small_sweep() -> LatticeSweepValidParams {
        LatticeSweepParams {
            ls: vec![4, 6],
            ts: vec![1.5, 2.5, 3.5],
            algorithm: Algorithm::Wolff,
            therm: 10,
            sweeps: 64,
        }
        .check()
        .unwrap()
    }

    #[test]
    fn lattice_sweep_reports_every_point_and_can_be_stopped() {
        let p = small_sweep();
        let mut steps = Vec::new();
        let mut count = |r: &StepReport<'_>| {
            assert_eq!((r.stage, r.total), ("lattice point", Some(6)));
            steps.push(r.step);
            Control::Continue
        };
        let full = lattice_sweep(&p, Seed(2), &mut count).unwrap();
        assert_eq!(steps, (1..=6).collect::<Vec<_>>());
        assert!(!full.stopped_early && full.points.len() == 6);
        let mut stop = |_: &StepReport<'_>| Control::Stop;
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let cut = one
            .install(|| lattice_sweep(&p, Seed(2), &mut stop))
            .unwrap();
        assert!(cut.stopped_early && cut.points.len() < 6 && cut.crossings.is_empty());
        // What was finished is what the full sweep computed for those points.
        for r in &cut.points {
            assert!(full.points.contains(r));
        }
    }

    #[test]
    fn points_split_between_calls_assemble_into_the_sweep() {
        let p = small_sweep();
        let mut go = |_: &StepReport<'_>| Control::Continue;
        let whole = lattice_sweep(&p, Seed(4), &mut go).unwrap();
        let odd = lattice_points(&p, &[5, 1, 3], Seed(4), &mut go).unwrap();
        let even = lattice_points(&p, &[0, 2, 4], Seed(4), &mut go).unwrap();
        let mut points = vec![None; 6];
        for (k, r) in [5, 1, 3, 0, 2, 4]
            .into_iter()
            .zip(odd.into_iter().chain(even))
        {
            points[k] = r;
        }
        let points: Vec<McResult> = points.into_iter().map(Option::unwrap).collect();
        assert_eq!((p.point(4), p.n_points()), ((6, 2.5), 6));
        assert_eq!(
            LatticeSweep::assemble(&p, points.clone(), false).unwrap(),
            whole
        );
        let mut swapped = points.clone();
        swapped.swap(0, 1);
        let e = LatticeSweep::assemble(&p, swapped, false).unwrap_err();
        assert!(e.to_string().contains("result 0 is L = 4, T = 2.5"), "{e}");
        assert!(LatticeSweep::assemble(&p, points[1..].to_vec(), false).is_err());
        assert!(lattice_points(&p, &[6], Seed(4), &mut go).is_err());
    }

    #[test]
    fn bootstrap_error_matches_linear_propagation() {
        let mut sw = lattice_sweep(&small_sweep(), Seed(3), &mut |_: &StepReport<'_>| {
            Control::Continue
        })
        .unwrap();
        let set = |sw: &mut LatticeSweep, err: f64| {
            for r in &mut sw.points {
                let k = [1.5, 2.5, 3.5].iter().position(|&t| t == r.t).unwrap();
                r.binder.mean = if r.l == 4 {
                    [0.6, 0.5, 0.3][k]
                } else {
                    [0.66, 0.6, 0.2][k]
                };
                r.binder.err = err;
            }
        };
        // d = U6 - U4 = 0.06, 0.1, -0.1: the crossing is halfway between 2.5 and 3.5.
        set(&mut sw, 0.0);
        let b = binder_crossing_bootstrap(&sw, 100, Seed(1)).unwrap();
        assert_eq!((b.l_small, b.l_large, b.n_crossing), (4, 6, 100));
        assert!((b.t - 3.0).abs() < 1e-12 && b.err == 0.0);
        // t = 2.5 + d1 / (d1 - d2): dt/dd1 = dt/dd2 = 2.5 at the means, and each d has standard
        // deviation sqrt(2) * 0.01, so the crossing's is 2.5 * 0.02 = 0.05 to first order.
        set(&mut sw, 0.01);
        let b = binder_crossing_bootstrap(&sw, 4000, Seed(1)).unwrap();
        assert!((b.t - 3.0).abs() < 1e-12);
        assert!((b.err - 0.05).abs() < 0.01, "bootstrap error {}", b.err);
        assert_eq!(b, binder_crossing_bootstrap(&sw, 4000, Seed(1)).unwrap());
    }

    #[test]
    fn bootstrap_follows_the_crossing_not_noise_far_from_it() {
        // d = U_large - U_small: a noise sign change at T = 1.0-1.5 (steeper) and the real one
        // between 2.25 and 2.3.
        let ts = [1.0, 1.5, 2.0, 2.25, 2.3, 3.0];
        let small = [0.66, 0.66, 0.60, 0.50, 0.45, 0.1];
        let large = [0.70, 0.60, 0.62, 0.51, 0.44, 0.1];
        let steepest = binder_crossing(&ts, &small, &large).unwrap();
        assert!((steepest - 1.0 - 0.5 * 0.04 / 0.10).abs() < 1e-12);
        let near = binder_crossing_near(&ts, &small, &large, 2.27).unwrap();
        assert!((near - (2.25 + 0.05 * 0.01 / 0.02)).abs() < 1e-12, "{near}");
        assert!(binder_crossing_near(&ts, &large, &small, 2.27).is_some());
        assert!(binder_crossing_near(&ts, &small, &small, 2.27).is_none());
    }

    #[test]
    fn sweep_params_name_the_bad_field() {
        let mut p = small_sweep().params().clone();
        p.sweeps = 0;
        assert!(p.check().unwrap_err().to_string().contains("`sweeps`"));
        p.sweeps = 64;
        p.ts = vec![2.0, 1.0];
        assert!(p.check().unwrap_err().to_string().contains("`ts`"));
        p.ts = vec![];
        assert!(p.check().unwrap_err().to_string().contains("`ts`"));
        let q = ActivationParams {
            q_max: -5.0,
            ..Default::default()
        };
        assert!(q.check().unwrap_err().to_string().contains("`q_max`"));
    }

    #[test]
    fn activation_experiment_runs_and_quadrature_agrees() {
        let p = ActivationParams {
            n_t: 50,
            n_q: 21,
            ..Default::default()
        };
        let r = activation_experiment(&p.check().unwrap()).unwrap();
        assert!(r.firing.max_quadrature_error < 1e-8);
        assert!(r.fit.a > 1.0 && r.fit.a < 20.0);
        assert!(r.fit_shifted.residual_rms <= r.fit.residual_rms);
        assert_eq!(r.bifurcation.len(), 50);
    }
}
