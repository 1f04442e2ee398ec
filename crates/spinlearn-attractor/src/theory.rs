//! Mean-field theory of the balanced case (f = 1/2, θ = 0), Appendix I-II of the paper.
//!
//! Weight densities are represented by their masses on a uniform grid J_k = k·dx, |J| ≤ L, with
//! dx = r2/K so that a jump ±r2 is an exact shift by K cells. One presentation is the jump
//! (eq. 16: half the mass moves up by r2, half down; the noise r3 ε is a convolution with a
//! discretized Gaussian) followed by the exact relaxation of eq. (18)-(19) over one time unit: the
//! mass of cell k moves to y_k = sC + (J_k − sC)e^{−2r1} and is shared between the two cells around
//! y_k in proportion to proximity ("cloud in cell"), which conserves mass and the mean of every
//! cell exactly. The cell at J = 0 straddles the barrier and sends half its mass to each well. No
//! smoothness is assumed, so the singular stationary densities of deep wells (r1 > ln2/2, r3 = 0)
//! are resolved down to dx. Mass that would leave the grid is put in the edge cell (the range L
//! is chosen so that this mass is negligible).
//!
//! - [`stationary`]: g_∞ (eqs. 16-21) with mean M and RMS Ω (eqs. 22-23).
//! - [`Theory::overlaps_by_age`]: the conditional densities g_{σv}(J, t) (eqs. 24-26) and
//!   g_{σvσu} (eqs. 27-29), local-field moments (eqs. 33-34) and the overlap map of eq. (38)
//!   iterated from m_v = 1, m_u = ε.
//! - [`Theory::capacity`]: the largest age with a stable retrieval solution.
//! - [`Theory::snr`], [`Theory::markov_transition_probability`]: eqs. (14), (41).
//! - [`eq10_capacity`], [`fit_eq10_a`]: the single-well law of eq. (10).
//!
//! Local-field moments: with h_i = Σ_j c_ij J_ij V_j (eq. 2), presynaptic pattern bits (η_j^v,
//! η_j^u) uniform over the four combinations, P(V_j = 1) from eq. (31) and J_ij drawn from
//! g_{σvσu}(J, u⁺), the mean is μ = N c ¼ Σ P(s,s') M_{σvσu} and the variance
//! d² = N [c ¼ Σ P(s,s') Q_{σvσu} − (c ¼ Σ P(s,s') M_{σvσu})²] with Q the second moment. This is
//! eqs. (33)-(34) with the normalization of h written out. The extraction of eq. 34 drops the
//! condition on η^u; we keep the exact second moment ([`FieldVariance::Full`]). It is not
//! c f Ω²/N up to O(c) terms: it also holds the variance of the most recent pattern's own jump,
//! ±r2 with a sign that is random given η^v (r2² added to every Q, about 12 % of the variance at
//! r1 = 0.1, C = 2.7, one pattern of capacity at N = 3·10⁴). [`FieldVariance::WithoutRecent`]
//! leaves that spread out, as eq. (34) does.
//!
//! Timing ([`RetrievalTiming`]): eq. (33) takes the densities at u⁺, right after the most recent
//! pattern's jump, which is when our simulation starts the dynamics
//! ([`RetrievalTiming::AfterJump`]); the authors' code retrieves after one more decay step
//! ([`RetrievalTiming::AfterDecay`]), a documented alternative (29 against 26 patterns at
//! N = 3·10⁴, r1 = 0.1, C = 2.7, c = 0.05).
//!
//! The map of eq. (38) is the extremely diluted theory: it redraws the field noise at every sweep,
//! which is exact only as c → 0 (at fixed cN). At c = 0.05 the simulated capacity sits a few
//! patterns below it at every N; the gap closes as c → 0 at fixed cN
//! ([`crate::experiments::dilution_study`]).
//!
//! Eq. (31) as extracted, P(V=1 | s_v, s_u) = (s_v m_v + (1−m_v)/2)(s_u m_u + (1−m_u)/2), gives
//! P(V=1 | η^v = 1) = 1/2 at m_v = 1, m_u = 0, which contradicts the definition (30) of m_v. We use
//! the form linear in both overlaps, P = ½ + (s_v − ½) m_v + (s_u − ½) m_u (clipped to [0, 1]),
//! which reproduces m_v and m_u through eq. (30) exactly whenever it is not clipped.

use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, check};

use crate::error::{AttractorError, Result};
use crate::params::{LearningRule, NetworkParams, SynapseParams, ValidSynapseParams};

/// Numerical settings of the density evolution. Checked by [`ParamGuard::check`] (alone or as part
/// of [`TheoryParams`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridParams {
    /// Cells per jump r2 (dx = r2 / K).
    pub cells_per_r2: usize,
    /// Convergence tolerance on the L1 change of g_∞ over a block of 50 presentations.
    pub tol: f64,
    /// Cap on presentations when computing g_∞.
    pub max_iter: usize,
}

impl Default for GridParams {
    fn default() -> Self {
        GridParams {
            cells_per_r2: 20,
            tol: 1e-10,
            max_iter: 400_000,
        }
    }
}

impl ParamGuard for GridParams {
    type Checked = ValidGridParams;

    /// `cells_per_r2` ≥ 2, `tol` > 0, `max_iter` ≥ 1.
    fn check(&self) -> spinlearn_core::Result<ValidGridParams> {
        Ok(ValidGridParams {
            cells_per_r2: check::at_least("cells_per_r2", self.cells_per_r2, 2)?,
            tol: check::positive("tol", self.tol)?,
            max_iter: check::nonzero("max_iter", self.max_iter)?,
        })
    }
}

/// Checked [`GridParams`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidGridParams {
    cells_per_r2: usize,
    tol: f64,
    max_iter: usize,
}

impl ValidGridParams {
    /// Cells per jump r2.
    pub fn cells_per_r2(&self) -> usize {
        self.cells_per_r2
    }

    /// Convergence tolerance of g_∞.
    pub fn tol(&self) -> f64 {
        self.tol
    }

    /// Cap on presentations when computing g_∞.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }

    /// The plain parameters.
    pub fn params(&self) -> GridParams {
        GridParams {
            cells_per_r2: self.cells_per_r2,
            tol: self.tol,
            max_iter: self.max_iter,
        }
    }
}

/// When the overlaps are read relative to the most recent presentation u.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RetrievalTiming {
    /// Right after the jump of pattern u, before its decay: the densities g_{σvσu}(u⁺) of
    /// eq. (33), and the moment at which our simulation starts the dynamics (the default).
    #[default]
    AfterJump,
    /// One decay step later, as the authors' code does: g_{σvσu} relaxed over one time unit after
    /// the jump of pattern u (a documented alternative; it raises the capacity).
    AfterDecay,
}

/// Which variance of the local field the map of eq. (38) uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FieldVariance {
    /// The exact second moment of the four densities g_{σvσu}: it includes the spread of their
    /// means between σu = ±1, which is the most recent pattern's own jump (r2² at
    /// [`RetrievalTiming::AfterJump`]). The default.
    #[default]
    Full,
    /// Without that spread (each density's variance plus the σu-averaged mean squared), as
    /// eq. (34) of the paper writes the variance (Ω² terms only): the authors' convention.
    WithoutRecent,
}

/// A weight density as masses on the grid J_k = (k − half)·dx, k = 0..cells.
#[derive(Debug, Clone, Serialize)]
pub struct Density {
    /// Grid spacing dx.
    pub dx: f64,
    /// Index of the cell at J = 0 (the grid is symmetric: `mass.len() = 2·half + 1`).
    pub half: usize,
    /// Masses (sum 1).
    pub mass: Vec<f64>,
}

impl Density {
    /// J of cell k.
    pub fn x(&self, k: usize) -> f64 {
        (k as f64 - self.half as f64) * self.dx
    }

    /// Mean ∫ g J dJ.
    pub fn mean(&self) -> f64 {
        self.mass
            .iter()
            .enumerate()
            .map(|(k, m)| m * self.x(k))
            .sum()
    }

    /// Second moment ∫ g J² dJ.
    pub fn second_moment(&self) -> f64 {
        self.mass
            .iter()
            .enumerate()
            .map(|(k, m)| m * self.x(k).powi(2))
            .sum()
    }

    /// RMS (∫ g J² dJ)^{1/2}, eqs. (23), (26).
    pub fn rms(&self) -> f64 {
        self.second_moment().sqrt()
    }

    /// ∫ g sign(J) dJ (the cell at J = 0 counts zero).
    pub fn sign_integral(&self) -> f64 {
        let neg: f64 = self.mass[..self.half].iter().sum();
        let pos: f64 = self.mass[self.half + 1..].iter().sum();
        pos - neg
    }

    /// Total mass (1 up to rounding).
    pub fn total(&self) -> f64 {
        self.mass.iter().sum()
    }

    /// Mass in [a, b) with cell k counted at its centre.
    pub fn mass_between(&self, a: f64, b: f64) -> f64 {
        self.mass
            .iter()
            .enumerate()
            .filter(|(k, _)| (a..b).contains(&self.x(*k)))
            .map(|(_, m)| m)
            .sum()
    }

    /// The mirror image g(−J).
    pub fn mirrored(&self) -> Density {
        let mut m = self.mass.clone();
        m.reverse();
        Density {
            dx: self.dx,
            half: self.half,
            mass: m,
        }
    }

    /// A histogram with `bins` equal bins over [lo, hi) (masses, cells assigned by centre).
    pub fn histogram(&self, lo: f64, hi: f64, bins: usize) -> Vec<f64> {
        let mut h = vec![0.0; bins];
        let w = (hi - lo) / bins as f64;
        for (k, &m) in self.mass.iter().enumerate() {
            let b = ((self.x(k) - lo) / w).floor();
            if b >= 0.0 && (b as usize) < bins {
                h[b as usize] += m;
            }
        }
        h
    }
}

/// The one-presentation operators on a fixed grid.
#[derive(Debug, Clone)]
pub struct Evolution {
    syn: ValidSynapseParams,
    dx: f64,
    half: usize,
    shift: usize,
    /// Per cell: (lower target cell, weight to it, upper weight), or two for the zero cell.
    decay_map: Vec<(usize, f64)>,
    noise_kernel: Vec<f64>,
}

impl Evolution {
    /// Builds the grid for `syn` (requires r1 > 0: without forgetting there is no stationary
    /// density).
    pub fn new(syn: &ValidSynapseParams, grid: &ValidGridParams) -> Result<Self> {
        let syn = *syn;
        check_forgetting(syn.r1())?;
        let (r2, r3, c_well) = (syn.r2(), syn.r3(), syn.c_well());
        let e = syn.decay_factor();
        let k = grid.cells_per_r2();
        let dx = r2 / k as f64;
        let s2 = (r2 * r2 + r3 * r3) * e * e / (1.0 - e * e);
        let noiseless_bound = r2 * e / (1.0 - e);
        let spread = if r3 > 0.0 {
            12.0 * s2.sqrt()
        } else {
            noiseless_bound.min(12.0 * s2.sqrt())
        };
        let l = c_well + 2.0 * r2 + spread + 8.0 * r3;
        let half = (l / dx).ceil() as usize;
        let cells = 2 * half + 1;
        if cells > 50_000_000 {
            return Err(AttractorError::TooLarge(format!("{cells} grid cells")));
        }
        let decay_map = (0..cells)
            .map(|c| {
                let x = (c as f64 - half as f64) * dx;
                let w = if c >= half { c_well } else { -c_well };
                let y = w + (x - w) * e;
                let pos = y / dx + half as f64;
                let lo = pos.floor().clamp(0.0, (cells - 2) as f64);
                let frac = (pos - lo).clamp(0.0, 1.0);
                (lo as usize, 1.0 - frac)
            })
            .collect();
        let noise_kernel = if r3 > 0.0 {
            let sd = r3 / dx;
            let r = (8.0 * sd).ceil() as i64;
            let cdf = |z: f64| 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
            let mut ker: Vec<f64> = (-r..=r)
                .map(|i| cdf((i as f64 + 0.5) / sd) - cdf((i as f64 - 0.5) / sd))
                .collect();
            let s: f64 = ker.iter().sum();
            ker.iter_mut().for_each(|x| *x /= s);
            ker
        } else {
            vec![1.0]
        };
        Ok(Evolution {
            syn,
            dx,
            half,
            shift: k,
            decay_map,
            noise_kernel,
        })
    }

    /// Number of cells.
    pub fn cells(&self) -> usize {
        2 * self.half + 1
    }

    /// A density with all mass at J (nearest cell).
    pub fn point(&self, j: f64) -> Density {
        let mut mass = vec![0.0; self.cells()];
        let k = ((j / self.dx).round() + self.half as f64).clamp(0.0, (self.cells() - 1) as f64);
        mass[k as usize] = 1.0;
        Density {
            dx: self.dx,
            half: self.half,
            mass,
        }
    }

    fn shifted(&self, src: &[f64], up: bool, weight: f64, dst: &mut [f64]) {
        let n = src.len();
        let s = self.shift;
        if up {
            for (k, &v) in src.iter().enumerate() {
                dst[(k + s).min(n - 1)] += weight * v;
            }
        } else {
            for (k, &v) in src.iter().enumerate() {
                dst[k.saturating_sub(s)] += weight * v;
            }
        }
    }

    fn convolve_noise(&self, m: Vec<f64>) -> Vec<f64> {
        if self.noise_kernel.len() == 1 {
            return m;
        }
        let n = m.len() as i64;
        let r = (self.noise_kernel.len() / 2) as i64;
        let mut out = vec![0.0; m.len()];
        for (k, &v) in m.iter().enumerate() {
            if v == 0.0 {
                continue;
            }
            for (d, &w) in self.noise_kernel.iter().enumerate() {
                let t = (k as i64 + d as i64 - r).clamp(0, n - 1) as usize;
                out[t] += v * w;
            }
        }
        out
    }

    /// The jump of a presentation with a known sign σ (eqs. 24, 27): shift by σ r2, plus noise.
    pub fn jump(&self, g: &Density, sigma: f64) -> Density {
        let mut out = vec![0.0; g.mass.len()];
        self.shifted(&g.mass, sigma > 0.0, 1.0, &mut out);
        Density {
            mass: self.convolve_noise(out),
            ..g.clone()
        }
    }

    /// The jump of a presentation with a random balanced sign (eq. 16): half up, half down, noise.
    pub fn jump_random(&self, g: &Density) -> Density {
        let mut out = vec![0.0; g.mass.len()];
        self.shifted(&g.mass, true, 0.5, &mut out);
        self.shifted(&g.mass, false, 0.5, &mut out);
        Density {
            mass: self.convolve_noise(out),
            ..g.clone()
        }
    }

    /// The exact relaxation over one time unit (eqs. 17-19), mass conserving.
    pub fn decay(&self, g: &Density) -> Density {
        let n = g.mass.len();
        let mut out = vec![0.0; n];
        let zero_split = self.syn.c_well() > 0.0;
        for (k, &m) in g.mass.iter().enumerate() {
            if m == 0.0 {
                continue;
            }
            if k == self.half && zero_split {
                // Half of the barrier cell goes to each well (mirror image of the upper half).
                let (lo, w) = self.decay_map[k];
                out[lo] += 0.5 * m * w;
                out[lo + 1] += 0.5 * m * (1.0 - w);
                let (mlo, mw) = self.decay_map[k];
                let mirror_lo = n - 2 - mlo;
                out[mirror_lo + 1] += 0.5 * m * mw;
                out[mirror_lo] += 0.5 * m * (1.0 - mw);
                continue;
            }
            let (lo, w) = self.decay_map[k];
            out[lo] += m * w;
            out[lo + 1] += m * (1.0 - w);
        }
        Density {
            mass: out,
            ..g.clone()
        }
    }

    /// One full time unit with a random balanced input: jump then relaxation.
    pub fn step(&self, g: &Density) -> Density {
        self.decay(&self.jump_random(g))
    }
}

/// The stationary density just before a presentation, g_∞ (eqs. 16-21), by iterating
/// [`Evolution::step`] from a symmetric start (mass ½ at each minimum ±C) until the L1 change over
/// 50 presentations is below `grid.tol`.
pub fn stationary(ev: &Evolution, grid: &ValidGridParams) -> Result<Density> {
    let c = ev.syn.c_well();
    let mut g = ev.point(c);
    let m = ev.point(-c);
    for (a, b) in g.mass.iter_mut().zip(&m.mass) {
        *a = 0.5 * (*a + b);
    }
    let block = 50;
    let mut iter = 0;
    loop {
        let before = g.mass.clone();
        for _ in 0..block {
            g = ev.step(&g);
        }
        iter += block;
        let change: f64 = before.iter().zip(&g.mass).map(|(a, b)| (a - b).abs()).sum();
        if change < grid.tol() {
            return Ok(g);
        }
        if iter >= grid.max_iter() {
            return Err(spinlearn_core::Error::NonConvergence {
                what: "stationary weight density".into(),
                iterations: iter,
                residual: change,
            }
            .into());
        }
    }
}

/// The mean-field theory needs forgetting (r1 > 0) for a stationary density.
fn check_forgetting(r1: f64) -> spinlearn_core::Result<f64> {
    if r1 > 0.0 {
        Ok(r1)
    } else {
        Err(spinlearn_core::Error::invalid(
            "r1",
            format!("the mean-field theory needs r1 > 0 (a stationary density), got {r1}"),
        ))
    }
}

/// The default retrieval threshold of the theory on m_v: the paper's "m_v ≠ 0" criterion (see
/// [`TheoryParams::threshold`]).
pub const THEORY_THRESHOLD: f64 = 0.01;

/// Parameters of the mean-field computation (balanced rule, f = 1/2, θ = 0). Plain data;
/// [`ParamGuard::check`] gives the [`ValidTheoryParams`] that [`Theory::new`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TheoryParams {
    /// Synapse dynamics (balanced rule, f = 1/2, θ = 0).
    pub synapse: SynapseParams,
    /// Network size N.
    pub n: usize,
    /// Connection probability c.
    pub c: f64,
    /// Initial perturbation toward the most recent pattern, m_u = ε (paper: 0.05).
    pub eps: f64,
    /// Retrieval threshold on the converged m_v. Default [`THEORY_THRESHOLD`] = 0.01: the paper's
    /// criterion, a stable solution with m_v ≠ 0 (Sec. 2, after eq. 9). The map's non-retrieval
    /// fixed point is m_v = 0 to 1e-9, and where the retrieval branch ends m_v drops from ≥ 0.3 to
    /// 0, so any small threshold gives the same capacity; but at small r1 the retrieved m_v decays
    /// gradually (0.60 at age 1 to 0.37 at age 19 for r1 = 0.002, N = 10,000, C = 0), and the
    /// simulations' threshold 0.5 would cut that branch early (11 instead of 20 patterns there).
    pub threshold: f64,
    /// Grid settings.
    pub grid: GridParams,
    /// When the overlaps are read (eq. 33 by default; the authors' code one decay later).
    #[serde(default)]
    pub timing: RetrievalTiming,
    /// Field variance with or without the most recent pattern's r2² term.
    #[serde(default)]
    pub variance: FieldVariance,
}

impl Default for TheoryParams {
    fn default() -> Self {
        TheoryParams {
            synapse: SynapseParams::default(),
            n: 10_000,
            c: 0.05,
            eps: 0.05,
            threshold: THEORY_THRESHOLD,
            grid: GridParams::default(),
            timing: RetrievalTiming::AfterJump,
            variance: FieldVariance::Full,
        }
    }
}

impl TheoryParams {
    /// The theory of a network given as [`NetworkParams`] (its N, c and synapse; default ε,
    /// threshold and grid). The theory covers the balanced case only: other rules, f ≠ 1/2 or
    /// θ ≠ 0 are errors naming `rule`, `f` or `theta`.
    pub fn for_network(net: &NetworkParams) -> spinlearn_core::Result<TheoryParams> {
        if net.rule != LearningRule::Balanced {
            return Err(spinlearn_core::Error::invalid(
                "rule",
                "the mean-field theory covers the balanced rule only",
            ));
        }
        if (net.f - 0.5).abs() > 1e-12 {
            return Err(spinlearn_core::Error::invalid(
                "f",
                format!("the mean-field theory needs f = 0.5, got {}", net.f),
            ));
        }
        if net.theta != 0.0 {
            return Err(spinlearn_core::Error::invalid(
                "theta",
                format!("the mean-field theory needs theta = 0, got {}", net.theta),
            ));
        }
        Ok(TheoryParams {
            synapse: net.synapse,
            n: net.n,
            c: net.c,
            ..TheoryParams::default()
        })
    }

    /// The network the theory describes: N, c and the synapse, balanced rule, f = 1/2, θ = 0.
    pub fn network(&self) -> NetworkParams {
        NetworkParams {
            n: self.n,
            c: self.c,
            f: 0.5,
            rule: LearningRule::Balanced,
            synapse: self.synapse,
            theta: 0.0,
        }
    }
}

impl ParamGuard for TheoryParams {
    type Checked = ValidTheoryParams;

    /// The synapse's checks and r1 > 0, `n` ≥ 2, 0 < `c` ≤ 1, `eps` and `threshold` in [0, 1],
    /// the grid's checks.
    fn check(&self) -> spinlearn_core::Result<ValidTheoryParams> {
        let synapse = self.synapse.check()?;
        check_forgetting(synapse.r1())?;
        check::at_least("n", self.n, 2)?;
        check::in_range("c", self.c, 0.0, 1.0)?;
        if self.c <= 0.0 {
            return Err(spinlearn_core::Error::invalid("c", "must be > 0, got 0"));
        }
        Ok(ValidTheoryParams {
            synapse,
            n: self.n,
            c: self.c,
            eps: check::in_range("eps", self.eps, 0.0, 1.0)?,
            threshold: check::in_range("threshold", self.threshold, 0.0, 1.0)?,
            grid: self.grid.check()?,
            timing: self.timing,
            variance: self.variance,
        })
    }
}

/// Checked [`TheoryParams`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidTheoryParams {
    synapse: ValidSynapseParams,
    n: usize,
    c: f64,
    eps: f64,
    threshold: f64,
    grid: ValidGridParams,
    timing: RetrievalTiming,
    variance: FieldVariance,
}

impl ValidTheoryParams {
    /// The synapse dynamics.
    pub fn synapse(&self) -> &ValidSynapseParams {
        &self.synapse
    }

    /// N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The connection probability c.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// The initial perturbation ε.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// The retrieval threshold on m_v.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The grid settings.
    pub fn grid(&self) -> &ValidGridParams {
        &self.grid
    }

    /// When the overlaps are read.
    pub fn timing(&self) -> RetrievalTiming {
        self.timing
    }

    /// The field-variance convention.
    pub fn variance(&self) -> FieldVariance {
        self.variance
    }

    /// The plain parameters (to record them or to derive a variant, checked again).
    pub fn params(&self) -> TheoryParams {
        TheoryParams {
            synapse: self.synapse.params(),
            n: self.n,
            c: self.c,
            eps: self.eps,
            threshold: self.threshold,
            grid: self.grid.params(),
            timing: self.timing,
            variance: self.variance,
        }
    }
}

/// Moments of the conditional weight densities at one age (σv = +1; σv = −1 by symmetry).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgeMoments {
    /// Age u − v.
    pub age: usize,
    /// M_{+}(u⁻), eq. (25).
    pub mean_plus: f64,
    /// Ω_{+}(u⁻), eq. (26).
    pub rms_plus: f64,
    /// M_{++} at the retrieval time (u⁺ for [`RetrievalTiming::AfterJump`]), eq. (28).
    pub mean_pp: f64,
    /// M_{+−} at the retrieval time, eq. (28).
    pub mean_pm: f64,
    /// Ω_{++} at the retrieval time, eq. (29).
    pub rms_pp: f64,
    /// Ω_{+−} at the retrieval time, eq. (29).
    pub rms_pm: f64,
}

/// The fixed point of the overlap map at one age.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgeOverlap {
    /// Age u − v.
    pub age: usize,
    /// Converged m_v.
    pub m_v: f64,
    /// Converged m_u.
    pub m_u: f64,
    /// The map reached a fixed point (|Δm| < 1e-10) within 2,000 iterations.
    pub converged: bool,
    /// m_v ≥ threshold and m_v > m_u.
    pub retrieved: bool,
    /// The moments used.
    pub moments: AgeMoments,
}

/// Standard normal CDF.
fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The mean-field model at fixed parameters: the stationary density and the evolution operators.
#[derive(Debug, Clone)]
pub struct Theory {
    params: ValidTheoryParams,
    evolution: Evolution,
    stationary: Density,
}

/// Result of a capacity computation.
#[derive(Debug, Clone, Serialize)]
pub struct TheoryCapacity {
    /// Largest age a with every age 1..=a retrieved (0 if age 1 is not).
    pub capacity: usize,
    /// The scan stopped at `max_age` with every age retrieved (capacity censored).
    pub censored: bool,
    /// Overlaps by age 1..=capacity+1 (or up to `max_age`).
    pub overlaps: Vec<AgeOverlap>,
}

impl Theory {
    /// Computes g_∞ for the parameters.
    pub fn new(params: &ValidTheoryParams) -> Result<Self> {
        let evolution = Evolution::new(params.synapse(), params.grid())?;
        let stationary = stationary(&evolution, params.grid())?;
        Ok(Theory {
            params: *params,
            evolution,
            stationary,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &ValidTheoryParams {
        &self.params
    }

    /// The grid operators.
    pub fn evolution(&self) -> &Evolution {
        &self.evolution
    }

    /// g_∞, the stationary density just before a presentation.
    pub fn stationary(&self) -> &Density {
        &self.stationary
    }

    /// Mean M (eq. 22) and RMS Ω (eq. 23) of g_∞.
    pub fn stationary_moments(&self) -> (f64, f64) {
        (self.stationary.mean(), self.stationary.rms())
    }

    /// g_{+}(J, v⁺) (eq. 24): g_∞ after a potentiation.
    pub fn potentiated(&self) -> Density {
        self.evolution.jump(&self.stationary, 1.0)
    }

    /// Moments at age a from g_{+}(u⁻).
    fn moments(&self, age: usize, g_minus: &Density) -> AgeMoments {
        let ev = &self.evolution;
        let (mut gp, mut gm) = (ev.jump(g_minus, 1.0), ev.jump(g_minus, -1.0));
        if self.params.timing() == RetrievalTiming::AfterDecay {
            gp = ev.decay(&gp);
            gm = ev.decay(&gm);
        }
        AgeMoments {
            age,
            mean_plus: g_minus.mean(),
            rms_plus: g_minus.rms(),
            mean_pp: gp.mean(),
            mean_pm: gm.mean(),
            rms_pp: gp.rms(),
            rms_pm: gm.rms(),
        }
    }

    /// One iteration of the map of eq. (38) (one parallel sweep in the mean-field description):
    /// the overlaps (m_v, m_u) after a sweep from a state with overlaps (`m_v`, `m_u`), with the
    /// moments of one age.
    pub fn map_step(&self, mo: &AgeMoments, m_v: f64, m_u: f64) -> (f64, f64) {
        let stats = self.field_stats(mo, m_v, m_u);
        // P(h > 0 | η_i^v = sv, η_i^u = su).
        let ph = stats.map(|row| {
            row.map(|(mu_h, var)| {
                if var > 0.0 {
                    norm_cdf(mu_h / var.sqrt())
                } else if mu_h > 0.0 {
                    1.0
                } else {
                    0.0
                }
            })
        });
        (
            0.5 * (ph[1][1] + ph[1][0] - ph[0][1] - ph[0][0]),
            0.5 * (ph[1][1] + ph[0][1] - ph[1][0] - ph[0][0]),
        )
    }

    /// Mean and variance of the local field h_i (eqs. 33-34) in a state with overlaps (`m_v`,
    /// `m_u`), given η_i^v = sv and η_i^u = su: index `[sv][su]` with 1 for an active bit, with the
    /// variance convention of the parameters ([`FieldVariance`]).
    pub fn field_stats(&self, mo: &AgeMoments, m_v: f64, m_u: f64) -> [[(f64, f64); 2]; 2] {
        let n = self.params.n() as f64;
        let c = self.params.c();
        // M and Q (second moment) of g_{σvσu} for σ ∈ {+,−}: index [σv][σu] with 0 = +, 1 = −.
        let (mut q_pp, mut q_pm) = (mo.rms_pp * mo.rms_pp, mo.rms_pm * mo.rms_pm);
        if self.params.variance() == FieldVariance::WithoutRecent {
            // Each density's variance plus the σu-averaged mean squared: the spread of the means
            // between σu = ±1 (the most recent pattern's jump, r2² at u⁺ and m_u = 0) left out.
            let mbar2 = (0.5 * (mo.mean_pp + mo.mean_pm)).powi(2);
            q_pp += mbar2 - mo.mean_pp * mo.mean_pp;
            q_pm += mbar2 - mo.mean_pm * mo.mean_pm;
        }
        let mm = [[mo.mean_pp, mo.mean_pm], [-mo.mean_pm, -mo.mean_pp]];
        let qq = [[q_pp, q_pm], [q_pm, q_pp]];
        // P(V_j = 1 | η_j^v = s, η_j^u = s'), see the module docs on eq. (31).
        let p = |s: usize, s2: usize| {
            let sv = if s == 1 { 0.5 } else { -0.5 };
            let su = if s2 == 1 { 0.5 } else { -0.5 };
            (0.5 + sv * m_v + su * m_u).clamp(0.0, 1.0)
        };
        let mut out = [[(0.0, 0.0); 2]; 2];
        for (sv, row) in out.iter_mut().enumerate() {
            for (su, cell) in row.iter_mut().enumerate() {
                let (mut m1, mut m2) = (0.0, 0.0);
                for s in 0..2 {
                    for s2 in 0..2 {
                        let iv = usize::from(sv != s);
                        let iu = usize::from(su != s2);
                        let w = 0.25 * c * p(s, s2);
                        m1 += w * mm[iv][iu];
                        m2 += w * qq[iv][iu];
                    }
                }
                *cell = (n * m1, n * (m2 - m1 * m1));
            }
        }
        out
    }

    /// Iterates the map of eq. (38) from m_v = 1, m_u = ε with the moments of one age.
    pub fn solve_overlaps(&self, mo: &AgeMoments) -> AgeOverlap {
        let (mut mv, mut mu) = (1.0, self.params.eps());
        let mut converged = false;
        for _ in 0..2000 {
            let (nv, nu) = self.map_step(mo, mv, mu);
            let delta = (nv - mv).abs() + (nu - mu).abs();
            mv = nv;
            mu = nu;
            if delta < 1e-10 {
                converged = true;
                break;
            }
        }
        AgeOverlap {
            age: mo.age,
            m_v: mv,
            m_u: mu,
            converged,
            retrieved: mv >= self.params.threshold() && mv > mu,
            moments: *mo,
        }
    }

    /// The moments of every age 1..=max_age (σv = +1).
    pub fn moments_by_age(&self, max_age: usize) -> Vec<AgeMoments> {
        let ev = &self.evolution;
        let mut g = ev.decay(&self.potentiated());
        let mut out = Vec::with_capacity(max_age);
        for age in 1..=max_age {
            if age > 1 {
                g = ev.step(&g);
            }
            out.push(self.moments(age, &g));
        }
        out
    }

    /// Overlaps by age 1..=max_age.
    pub fn overlaps_by_age(&self, max_age: usize) -> Vec<AgeOverlap> {
        self.moments_by_age(max_age)
            .iter()
            .map(|mo| self.solve_overlaps(mo))
            .collect()
    }

    /// The capacity: the largest age a with every age 1..=a retrieved, scanning ages up to
    /// `max_age`.
    pub fn capacity(&self, max_age: usize) -> TheoryCapacity {
        let ev = &self.evolution;
        let mut g = ev.decay(&self.potentiated());
        let mut out = Vec::new();
        for age in 1..=max_age {
            if age > 1 {
                g = ev.step(&g);
            }
            let o = self.solve_overlaps(&self.moments(age, &g));
            out.push(o);
            if !o.retrieved {
                return TheoryCapacity {
                    capacity: age - 1,
                    censored: false,
                    overlaps: out,
                };
            }
        }
        TheoryCapacity {
            capacity: max_age,
            censored: true,
            overlaps: out,
        }
    }

    /// SNR of the binarized weights, eq. (14)/(41): SNR(t) = √(cN) ∫ g_{+}(J, t) sign(J) dJ for
    /// t = 0..=t_max further presentations after the potentiation (t = 0 just after it).
    pub fn snr(&self, t_max: usize) -> Vec<f64> {
        let ev = &self.evolution;
        let scale = (self.params.c() * self.params.n() as f64).sqrt();
        let mut g = self.potentiated();
        let mut out = vec![scale * g.sign_integral()];
        for _ in 0..t_max {
            g = ev.jump_random(&ev.decay(&g));
            out.push(scale * g.sign_integral());
        }
        out
    }

    /// The transition probability of the matching two-state Markov synapse: the fraction of
    /// synapses in the low well that cross to the high one at a potentiation, which makes the
    /// initial SNRs equal (SNR(0) = √(cN) q).
    pub fn markov_transition_probability(&self) -> f64 {
        self.potentiated().sign_integral()
    }

    /// g_{+}(J, t) at t = 1..=t_max presentations after the potentiation (just before each next
    /// presentation), for Fig. 4D.
    pub fn conditional_densities(&self, t_max: usize) -> Vec<Density> {
        let ev = &self.evolution;
        let mut g = ev.decay(&self.potentiated());
        let mut out = vec![g.clone()];
        for _ in 1..t_max {
            g = ev.step(&g);
            out.push(g.clone());
        }
        out
    }
}

/// Eq. (10), the capacity of the single well (C = 0): p = (τ/2) ln(τ0/τ), τ = 1/(2 r1),
/// τ0 = 2 A N; 0 when τ ≥ τ0.
pub fn eq10_capacity(n: usize, r1: f64, a: f64) -> f64 {
    let tau = 1.0 / (2.0 * r1);
    let tau0 = 2.0 * a * n as f64;
    if tau >= tau0 {
        0.0
    } else {
        0.5 * tau * (tau0 / tau).ln()
    }
}

/// Fits A of eq. (10) to capacities `(n, r1, p)`: each point gives ln A = ln(τ/(2N)) + 2p/τ; the
/// fit is their mean (least squares in ln A). Returns (A, rms residual of p in patterns).
pub fn fit_eq10_a(points: &[(usize, f64, f64)]) -> Option<(f64, f64)> {
    if points.is_empty() {
        return None;
    }
    let ln_a: f64 = points
        .iter()
        .map(|&(n, r1, p)| {
            let tau = 1.0 / (2.0 * r1);
            (tau / (2.0 * n as f64)).ln() + 2.0 * p / tau
        })
        .sum::<f64>()
        / points.len() as f64;
    let a = ln_a.exp();
    let rms = (points
        .iter()
        .map(|&(n, r1, p)| (eq10_capacity(n, r1, a) - p).powi(2))
        .sum::<f64>()
        / points.len() as f64)
        .sqrt();
    Some((a, rms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(r1: f64, c: f64, r3: f64) -> SynapseParams {
        SynapseParams {
            r1,
            r2: 1.0,
            r3,
            c_well: c,
        }
    }

    #[test]
    fn capacity_is_where_the_retrieval_solution_vanishes() {
        // Where the retrieval branch ends abruptly (r1 = 0.1) any threshold in (0, 0.3] gives the
        // same capacity. At r1 = 0.002 the retrieved m_v decays gradually: the default threshold
        // (the paper's m_v ≠ 0) counts up to the last age with a nonzero stable solution, after
        // which m_v is 0 (or the state has gone to the most recent pattern), while 0.5 cuts early.
        let cap = |r1: f64, c_well: f64, threshold: f64| {
            let p = TheoryParams {
                synapse: syn(r1, c_well, 0.0),
                threshold,
                ..TheoryParams::default()
            };
            Theory::new(&p.check().unwrap()).unwrap().capacity(200)
        };
        let abrupt: Vec<usize> = [0.001, THEORY_THRESHOLD, 0.3, 0.5]
            .iter()
            .map(|&t| cap(0.1, 2.7, t).capacity)
            .collect();
        assert!(
            abrupt.iter().all(|&c| c == abrupt[0] && c > 0),
            "{abrupt:?}"
        );
        let gradual = cap(0.002, 0.0, THEORY_THRESHOLD);
        let p = gradual.capacity;
        assert!(!gradual.censored && p > 0);
        let last = &gradual.overlaps[p - 1];
        let next = &gradual.overlaps[p];
        assert!(
            last.retrieved && last.m_v > 0.3 && last.m_v < 0.5,
            "{last:?}"
        );
        assert!(next.m_v < 1e-3 || next.m_v <= next.m_u, "{next:?}");
        assert_eq!(cap(0.002, 0.0, 0.001).capacity, p);
        let cut = cap(0.002, 0.0, 0.5).capacity;
        assert!(cut < p, "threshold 0.5: {cut}, paper's criterion: {p}");
    }

    #[test]
    fn single_well_moments_match_closed_forms() {
        // C = 0: J = Σ_k ±r2 e^k (k ≥ 1 presentations ago) plus noise, so g_∞ has mean 0 and
        // variance (r2² + r3²) e²/(1 − e²); after a potentiation, M_+(age a, u⁻) = r2 e^a.
        for &(r1, r3) in &[(0.05, 0.0), (0.2, 0.5)] {
            let p = TheoryParams {
                synapse: syn(r1, 0.0, r3),
                ..TheoryParams::default()
            };
            let th = Theory::new(&p.check().unwrap()).unwrap();
            let e: f64 = (-2.0f64 * r1).exp();
            let var = (1.0 + r3 * r3) * e * e / (1.0 - e * e);
            let (m, rms) = th.stationary_moments();
            assert!(m.abs() < 1e-9, "{m}");
            // Cloud-in-cell adds at most dx²/4 per step, contracted by e²: a relative bias
            // below (dx²/4)/(1 − e²)/var.
            let bias = (0.05f64 * 0.05 / 4.0) / (1.0 - e * e);
            assert!(
                (rms * rms - var).abs() < bias + 1e-9,
                "{} vs {var}",
                rms * rms
            );
            let ov = th.overlaps_by_age(5);
            for o in &ov {
                let expect = e.powi(o.age as i32);
                assert!((o.moments.mean_plus - expect).abs() < 1e-9, "{o:?}");
                assert!((o.moments.mean_pp - o.moments.mean_plus - 1.0).abs() < 1e-9);
            }
            assert!((th.stationary.total() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn overlap_map_limits() {
        // Very large N: the signal dominates, every recent age is retrieved with m_v → 1.
        let p = TheoryParams {
            synapse: syn(0.1, 0.0, 0.0),
            n: 10_000_000,
            c: 0.05,
            ..TheoryParams::default()
        };
        let th = Theory::new(&p.check().unwrap()).unwrap();
        let ov = th.overlaps_by_age(3);
        assert!(
            ov.iter()
                .all(|o| o.retrieved && o.m_v > 0.999 && o.m_u.abs() < 0.01),
            "{ov:?}"
        );
        // The capacity grows with N (more synapses average out the interference).
        let cap = |n| {
            Theory::new(&TheoryParams { n, ..p }.check().unwrap())
                .unwrap()
                .capacity(2000)
                .capacity
        };
        let (small, large) = (cap(2_000), cap(200_000));
        assert!(small < large, "{small} vs {large}");
    }

    #[test]
    fn checks_name_the_parameter_and_the_balanced_case() {
        let named = |p: TheoryParams| p.check().unwrap_err().to_string();
        let p = TheoryParams::default();
        assert!(named(TheoryParams { n: 1, ..p }).contains("`n`"));
        assert!(named(TheoryParams { c: 0.0, ..p }).contains("`c`"));
        assert!(named(TheoryParams { eps: 2.0, ..p }).contains("`eps`"));
        assert!(
            named(TheoryParams {
                threshold: -0.1,
                ..p
            })
            .contains("`threshold`")
        );
        assert!(
            named(TheoryParams {
                synapse: syn(0.0, 1.0, 0.0),
                ..p
            })
            .contains("`r1`")
        );
        let grid = GridParams {
            cells_per_r2: 1,
            ..GridParams::default()
        };
        assert!(named(TheoryParams { grid, ..p }).contains("`cells_per_r2`"));
        let net = NetworkParams::default();
        let t = TheoryParams::for_network(&net).unwrap();
        assert_eq!((t.n, t.c, t.synapse), (net.n, net.c, net.synapse));
        assert_eq!(t.network(), net);
        for (bad, name) in [
            (NetworkParams { f: 0.2, ..net }, "`f`"),
            (NetworkParams { theta: 1.0, ..net }, "`theta`"),
            (
                NetworkParams {
                    rule: LearningRule::AmitFusi,
                    ..net
                },
                "`rule`",
            ),
        ] {
            let e = TheoryParams::for_network(&bad).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
        }
    }

    #[test]
    fn without_recent_variance_drops_exactly_the_recent_jump() {
        // At eq. (33)'s timing the four densities are g_+(u⁻) shifted by ±r2, so at m_u = 0 the
        // full variance exceeds the other by the most recent pattern's term, N c r2² / 2 (c N
        // synapses, half of them active, each jump ±r2 with a sign random given η^v), and the
        // means are the same.
        let (n, c, r2) = (30_000, 0.05, 1.0);
        let base = TheoryParams {
            synapse: syn(0.1, 2.7, 0.0),
            n,
            c,
            ..TheoryParams::default()
        };
        let full = Theory::new(&base.check().unwrap()).unwrap();
        let without = Theory::new(
            &TheoryParams {
                variance: FieldVariance::WithoutRecent,
                ..base
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        let mo = full.moments_by_age(12)[11];
        for &m_v in &[1.0, 0.7, 0.2] {
            let (a, b) = (
                full.field_stats(&mo, m_v, 0.0),
                without.field_stats(&mo, m_v, 0.0),
            );
            for sv in 0..2 {
                for su in 0..2 {
                    let ((ma, va), (mb, vb)) = (a[sv][su], b[sv][su]);
                    assert!((ma - mb).abs() < 1e-9, "means {ma} vs {mb}");
                    let expect = n as f64 * c * r2 * r2 / 2.0;
                    assert!(
                        (va - vb - expect).abs() < 1e-9 * va,
                        "{va} − {vb} vs {expect}"
                    );
                }
            }
        }
        // Less noise, more capacity.
        assert!(without.capacity(500).capacity > full.capacity(500).capacity);
    }

    #[test]
    fn authors_timing_is_one_relaxation_later() {
        // With a single well the relaxation is linear (J → J e^{−2 r1}): one more decay scales
        // every mean and RMS by e, and the overlap map only sees mean/sd, so both timings give
        // the same overlaps. With two wells the decay pulls weights into their wells and the
        // authors' timing retrieves more.
        let base = TheoryParams {
            synapse: syn(0.1, 0.0, 0.0),
            n: 30_000,
            ..TheoryParams::default()
        };
        let later = |p: TheoryParams| TheoryParams {
            timing: RetrievalTiming::AfterDecay,
            ..p
        };
        let th = |p: TheoryParams| Theory::new(&p.check().unwrap()).unwrap();
        let (now, next) = (th(base), th(later(base)));
        let e = (-0.2f64).exp();
        for (a, b) in now.moments_by_age(20).iter().zip(next.moments_by_age(20)) {
            assert!((b.mean_pp - e * a.mean_pp).abs() < 1e-12, "{a:?} {b:?}");
            assert!((b.mean_pm - e * a.mean_pm).abs() < 1e-12);
            // Cloud-in-cell adds at most dx²/4 to a second moment.
            assert!((b.rms_pp.powi(2) - (e * a.rms_pp).powi(2)).abs() < 0.05f64.powi(2) / 4.0);
        }
        let (ca, cb) = (now.capacity(500), next.capacity(500));
        assert!(
            (ca.capacity as i64 - cb.capacity as i64).abs() <= 1,
            "{} vs {}",
            ca.capacity,
            cb.capacity
        );
        let wells = TheoryParams {
            synapse: syn(0.1, 2.7, 0.0),
            ..base
        };
        assert!(th(later(wells)).capacity(500).capacity > th(wells).capacity(500).capacity);
    }

    #[test]
    fn eq10_fit_recovers_a() {
        let a = 0.3;
        let pts: Vec<(usize, f64, f64)> = [(1000, 0.05), (10_000, 0.05), (10_000, 0.01)]
            .iter()
            .map(|&(n, r1)| (n, r1, eq10_capacity(n, r1, a)))
            .collect();
        let (fit, rms) = fit_eq10_a(&pts).unwrap();
        assert!((fit - a).abs() < 1e-12 && rms < 1e-9);
        assert_eq!(eq10_capacity(10, 0.001, 0.1), 0.0);
    }
}
