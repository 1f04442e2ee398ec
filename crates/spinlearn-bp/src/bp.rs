//! Message passing for the one-bit RBM with ternary synapses (paper 000, eqs. (2)-(4)).
//!
//! The posterior over synapses `xi in {-1, 0, +1}^N` given `M` spin samples `sigma^a` is eq. (2),
//!
//! ```text
//! P(xi | data) ∝ prod_a cosh(beta xi.sigma^a / sqrt N) * prod_i exp(-gamma xi_i^2),
//! gamma = alpha beta^2 / 2,  alpha = M / N.
//! ```
//!
//! Messages (eqs. (3)-(4), rebuilt from their definitions): the cavity magnetization
//! `m_{i->a} = zeta_{i->a} / (1 + zeta_{i->a}) tanh h_{i->a}`, with
//! `h_{i->a} = sum_{b != a} atanh(t_{b->i})`, `t_{b->i} = tanh(beta G_{b->i}) tanh(beta sigma_i^b / sqrt N)`,
//! `G_{b->i} = (1/sqrt N) sum_{j != i} sigma_j^b m_{j->b}` and
//! `zeta_{i->a} = exp(-gamma) sum_{x=±1} prod_{b != a} exp(u^x_{b->i})`,
//! `u^x_{b->i} = ln[cosh(beta sigma_i^b / sqrt N) (1 + x t_{b->i})]`.
//!
//! Since `u^±_{b->i} = ln cosh(beta / sqrt N) + ln(1 ± t_{b->i})`, the cavity weights of
//! `xi_i = ±1` are `exp(-gamma) cosh(beta/sqrt N)^(M-1) prod_{b != a} (1 ± t_{b->i})` and
//! `h_{i->a} = ½ ln[prod_{b != a}(1 + t) / prod_{b != a}(1 - t)]`. Every cavity quantity is a
//! full quantity with one term removed: `G_{b->i}` is the full row sum minus the `i` term, and
//! `prod_{b != a}(1 ± t_{b->i}) = prod_b (1 ± t_{b->i}) / (1 ± t_{a->i})`, with the full products
//! kept as logs (`A_i = sum_b atanh t_{b->i}`, `L_i = sum_b ½ ln(1 - t²_{b->i})`). A sweep costs
//! O(MN) with one `exp` and three divisions per message.
//!
//! Layout: data and messages are `(M, N)` = `(n_samples, n_features)` row-major f64 arrays;
//! `messages[[a, i]]` holds `m_{i->a}`. Updates are synchronous (all messages from the previous
//! sweep's values) with damping `m <- d m_old + (1 - d) m_new`. Work is split over fixed blocks of
//! rows whose partial sums are added in block order, so results do not depend on the thread count.

use crate::error::{BpError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::numerics::{log_2cosh, logistic};
use spinlearn_core::{Control, Observer, ParamGuard, StepReport, check};

/// Rows per parallel block; fixed so that the order of floating-point sums never depends on the
/// number of threads.
const ROW_BLOCK: usize = 16;

/// Parameters of the message-passing learner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BpParams {
    /// Inverse temperature `beta` of eq. (1) (> 0).
    pub beta: f64,
    /// Damping `d` in `[0, 1)`: `m <- d m_old + (1 - d) m_new`.
    pub damping: f64,
    /// Convergence tolerance on the largest undamped change `max |m_new - m_old|` of a sweep.
    pub tol: f64,
    /// Iteration cap (sweeps).
    pub max_iter: usize,
    /// Initial messages are drawn uniformly from `[-init_scale, init_scale]` (in `(0, 1]`).
    pub init_scale: f64,
}

impl Default for BpParams {
    fn default() -> Self {
        BpParams {
            beta: 0.5,
            damping: 0.5,
            tol: 1e-6,
            max_iter: 2000,
            init_scale: 1.0,
        }
    }
}

/// [`BpParams`] that passed [`ParamGuard::check`]: what [`Learner::new`], [`learn`] and the
/// experiments accept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidBpParams {
    beta: f64,
    damping: f64,
    tol: f64,
    max_iter: usize,
    init_scale: f64,
}

impl ValidBpParams {
    /// Inverse temperature `beta` (> 0).
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Damping `d` in `[0, 1)`.
    pub fn damping(&self) -> f64 {
        self.damping
    }

    /// Convergence tolerance (> 0).
    pub fn tol(&self) -> f64 {
        self.tol
    }

    /// Iteration cap (>= 1).
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }

    /// Half-width of the uniform initial messages, in `(0, 1]`.
    pub fn init_scale(&self) -> f64 {
        self.init_scale
    }

    /// The same parameters at another inverse temperature (checked: `beta > 0`).
    pub fn with_beta(&self, beta: f64) -> Result<ValidBpParams> {
        Ok(ValidBpParams {
            beta: check::positive("beta", beta)?,
            ..*self
        })
    }

    /// The plain parameters back (for records).
    pub fn params(&self) -> BpParams {
        BpParams {
            beta: self.beta,
            damping: self.damping,
            tol: self.tol,
            max_iter: self.max_iter,
            init_scale: self.init_scale,
        }
    }
}

impl ParamGuard for BpParams {
    type Checked = ValidBpParams;

    /// Validates every field once; errors name the field (`beta`, `damping`, `tol`, `max_iter`,
    /// `init_scale`, the flag and config-key names).
    fn check(&self) -> spinlearn_core::Result<ValidBpParams> {
        check::positive("beta", self.beta)?;
        check::in_range("damping", self.damping, 0.0, 1.0)?;
        if self.damping >= 1.0 {
            return Err(spinlearn_core::Error::invalid(
                "damping",
                "must be < 1 (1 freezes the messages)",
            ));
        }
        check::positive("tol", self.tol)?;
        check::nonzero("max_iter", self.max_iter)?;
        check::in_range("init_scale", self.init_scale, 0.0, 1.0)?;
        if self.init_scale == 0.0 {
            return Err(spinlearn_core::Error::invalid(
                "init_scale",
                "must be > 0 (all-zero messages are a fixed point)",
            ));
        }
        Ok(ValidBpParams {
            beta: self.beta,
            damping: self.damping,
            tol: self.tol,
            max_iter: self.max_iter,
            init_scale: self.init_scale,
        })
    }
}

/// Checks that `data` is `(M, N)` with `M >= 1`, `N >= 2` and every entry exactly ±1.
pub fn check_spins(data: ArrayView2<'_, f64>) -> Result<()> {
    let (m, n) = data.dim();
    if m == 0 {
        return Err(BpError::Data("no samples (M = 0)".into()));
    }
    if n < 2 {
        return Err(BpError::Data(format!("need at least 2 features, got {n}")));
    }
    if let Some(((a, i), v)) = data.indexed_iter().find(|(_, v)| **v != 1.0 && **v != -1.0) {
        return Err(BpError::Data(format!(
            "entry [{a}, {i}] is {v}; spins must be exactly -1 or +1"
        )));
    }
    Ok(())
}

/// The iteration state: cavity magnetizations `m_{i->a}`, shape `(M, N)`, `[[a, i]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BpState {
    /// `messages[[a, i]] = m_{i->a}` in `[-1, 1]`.
    pub messages: Array2<f64>,
}

impl BpState {
    /// Messages drawn uniformly from `[-scale, scale]`, one draw per `(a, i)` in row-major order.
    pub fn random<R: Rng + ?Sized>(
        n_samples: usize,
        n_features: usize,
        scale: f64,
        rng: &mut R,
    ) -> Self {
        let messages = Array2::from_shape_simple_fn((n_samples, n_features), || {
            scale * (2.0 * rng.random::<f64>() - 1.0)
        });
        BpState { messages }
    }
}

/// Figures of one sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepStats {
    /// `max_{(i,a)} |m_new - m_old|` before damping.
    pub residual: f64,
    /// Message strength `m_cav = (1/(MN)) sum_{(i,a)} tanh² h_{i->a}` of this sweep's fields.
    pub m_cav: f64,
}

/// Full marginals `P_i(xi_i)` from the non-cavity sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marginals {
    /// `(N, 3)`: columns `P_i(-1)`, `P_i(0)`, `P_i(+1)`; rows sum to 1.
    pub probs: Array2<f64>,
    /// Full fields `h_i = sum_b atanh t_{b->i}`, length `N`.
    pub fields: Array1<f64>,
}

impl Marginals {
    /// Sparsity `rho = (1/N) sum_i P_i(0)`.
    pub fn rho(&self) -> f64 {
        self.probs.column(1).mean().unwrap_or(f64::NAN)
    }

    /// The MPM feature `xi_hat_i = argmax P_i`, length `N`, values in {-1, 0, +1}. Probabilities
    /// within [`TIE_TOL`] of the largest count as tied: a tie involving `P(0)` gives 0, and so does
    /// a tie between `P(+1)` and `P(-1)` (at the unpolarized, symmetric fixed point the sign is
    /// undetermined, and rounding noise must not draw a feature).
    pub fn feature(&self) -> Vec<i8> {
        self.probs
            .rows()
            .into_iter()
            .map(|p| {
                let (pm, p0, pp) = (p[0], p[1], p[2]);
                let top = pm.max(p0).max(pp) - TIE_TOL;
                if p0 >= top || (pm >= top && pp >= top) {
                    0
                } else if pp >= top {
                    1
                } else {
                    -1
                }
            })
            .collect()
    }
}

/// Probabilities closer than this count as tied in [`Marginals::feature`].
pub const TIE_TOL: f64 = 1e-6;

/// Image statistic `omega = (1/N) sum_i f_i²`, `f_i = (1/(MN)) sum_{b,j} sigma_i^b sigma_j^b`, of
/// the small-`m_cav` asymptote.
pub fn omega(data: ArrayView2<'_, f64>) -> f64 {
    let (m, n) = data.dim();
    let row_sums: Array1<f64> = data.sum_axis(Axis(1));
    let f = data.t().dot(&row_sums) / (m as f64 * n as f64);
    f.mapv(|x| x * x).mean().unwrap_or(f64::NAN)
}

/// The small strength `eps` at which [`BpResult::rho_asympt`] evaluates the asymptote: every
/// cavity magnetization `m_{j->b} = eps` (paper 000, text after Fig. 2: "eps denotes the small
/// strength"; the paper gives no value). Fixed, not measured: the converged messages stop being
/// small once they polarize, and the expansion then says nothing.
pub const ASYMPTOTE_EPS: f64 = 0.01;

/// The small-message asymptote `rho_asympt = (1/3) [1 - beta^4 eps² omega M² / 3]` (paper 000,
/// text after Fig. 2), for uniform cavity magnetizations `m_{j->b} = eps`: the first order in
/// `x = beta^4 eps² omega M²` of `rho`, which the learner's marginals give as the mean of
/// `1 / (1 + 2 cosh(beta² eps M f_i))`. A fraction cannot be negative: past the expansion's root
/// `x = 3` (`M* = `[`asymptote_root`]) the first order has lost its meaning and the value is 0.
pub fn rho_asymptote(beta: f64, eps: f64, omega: f64, n_samples: usize) -> f64 {
    let m = n_samples as f64;
    ((1.0 - beta.powi(4) * eps * eps * omega * m * m / 3.0) / 3.0).max(0.0)
}

/// The data size `M* = sqrt(3 / (beta^4 eps² omega))` at which [`rho_asymptote`] reaches 0
/// (infinite when `eps` or `omega` is 0).
pub fn asymptote_root(beta: f64, eps: f64, omega: f64) -> f64 {
    (3.0 / (beta.powi(4) * eps * eps * omega)).sqrt()
}

/// The message-passing learner for one data set: constants and work arrays. Build it with
/// [`Learner::new`], then call [`Learner::sweep`] on a [`BpState`] (or use [`learn`]).
#[derive(Debug)]
pub struct Learner {
    /// `(M, N)` spins, standard layout.
    data: Array2<f64>,
    beta: f64,
    damping: f64,
    inv_sqrt_n: f64,
    /// tanh(beta / sqrt N).
    tau: f64,
    /// -gamma + (M - 1) ln cosh(beta / sqrt N): the constant of ln zeta_{i->a}.
    k_cav: f64,
    /// -gamma + M ln cosh(beta / sqrt N): the constant of the full ln zeta_i.
    k_full: f64,
    /// t_{b->i}, `(M, N)`.
    t: Array2<f64>,
    /// Column sums `A_i = sum_b atanh t_{b->i}` and `L_i = sum_b ½ ln(1 - t²_{b->i})`, length `N`.
    at_sum: Vec<f64>,
    lt_sum: Vec<f64>,
}

impl Learner {
    /// Checks the data (±1, `(M, N)`) and sets up the constants of eqs. (3)-(4).
    pub fn new(data: ArrayView2<'_, f64>, params: &ValidBpParams) -> Result<Self> {
        check_spins(data)?;
        let (m, n) = data.dim();
        let (mf, nf) = (m as f64, n as f64);
        let inv_sqrt_n = 1.0 / nf.sqrt();
        let beta = params.beta;
        let gamma = mf / nf * beta * beta / 2.0;
        let lc = spinlearn_core::numerics::log_cosh(beta * inv_sqrt_n);
        Ok(Learner {
            data: data.as_standard_layout().into_owned(),
            beta,
            damping: params.damping,
            inv_sqrt_n,
            tau: (beta * inv_sqrt_n).tanh(),
            k_cav: -gamma + (mf - 1.0) * lc,
            k_full: -gamma + mf * lc,
            t: Array2::zeros((m, n)),
            at_sum: vec![0.0; n],
            lt_sum: vec![0.0; n],
        })
    }

    /// `(M, N)`.
    pub fn dim(&self) -> (usize, usize) {
        self.data.dim()
    }

    /// Data-node side: from the messages compute `t_{b->i} = tanh(beta G_{b->i}) tanh(beta
    /// sigma_i^b / sqrt N)` for every `(b, i)` and the column sums `A_i = sum_b atanh t_{b->i}`,
    /// `L_i = sum_b ½ ln(1 - t²_{b->i})`. The sums are taken as logs of products over blocks of
    /// [`ROW_BLOCK`] rows (each factor lies in `[1 - tau, 1 + tau]`, so a block's product cannot
    /// overflow), which needs two logs per column per block instead of two per element.
    fn factor_side(&mut self, messages: &[f64]) {
        let n = self.data.ncols();
        let (beta, inv_sqrt_n, tau) = (self.beta, self.inv_sqrt_n, self.tau);
        let data = self.data.as_slice().expect("standard layout");
        let block = ROW_BLOCK * n;
        let partials: Vec<Vec<f64>> = self
            .t
            .as_slice_mut()
            .expect("standard layout")
            .par_chunks_mut(block)
            .zip(messages.par_chunks(block))
            .zip(data.par_chunks(block))
            .map(|((t_blk, msg), sig)| {
                let mut prod = vec![1.0; 2 * n];
                let (pp, pm) = prod.split_at_mut(n);
                for ((t_row, m_row), s_row) in t_blk
                    .chunks_exact_mut(n)
                    .zip(msg.chunks_exact(n))
                    .zip(sig.chunks_exact(n))
                {
                    let total: f64 = s_row.iter().zip(m_row).map(|(s, m)| s * m).sum();
                    let bs = beta * inv_sqrt_n;
                    for i in 0..n {
                        let s = s_row[i];
                        // beta G_{b->i}, with the i term removed from the full sum
                        let x = bs * (total - s * m_row[i]);
                        let e = (-2.0 * x.abs()).exp();
                        let th = (1.0 - e) / (1.0 + e);
                        let t = (s * tau * th).copysign(s * x);
                        t_row[i] = t;
                        pp[i] *= 1.0 + t;
                        pm[i] *= 1.0 - t;
                    }
                }
                // ln prod (1 + t), ln prod (1 - t)
                prod.iter_mut().for_each(|p| *p = p.ln());
                prod
            })
            .collect();
        self.at_sum.iter_mut().for_each(|x| *x = 0.0);
        self.lt_sum.iter_mut().for_each(|x| *x = 0.0);
        for part in &partials {
            for i in 0..n {
                self.at_sum[i] += part[i];
                self.lt_sum[i] += part[n + i];
            }
        }
        for i in 0..n {
            let (lp, lm) = (self.at_sum[i], self.lt_sum[i]);
            self.at_sum[i] = 0.5 * (lp - lm);
            self.lt_sum[i] = 0.5 * (lp + lm);
        }
    }

    /// One synchronous, damped sweep of eqs. (4a)-(4c) over all `M N` messages.
    ///
    /// With `A_i`, `L_i` the full column sums, the cavity weights of `xi_i = ±1` are
    /// `zeta^±_{i->a} = exp(K + L_i ± A_i) / (1 ± t_{a->i})` (`K = -gamma + (M-1) ln cosh(beta/sqrt N)`),
    /// since `prod_{b != a}(1 ± t_b) = prod_b (1 ± t_b) / (1 ± t_a)`; then
    /// `m_{i->a} = (zeta^+ - zeta^-) / (1 + zeta^+ + zeta^-)`, which is eq. (4a). Per column the
    /// common factor `exp(K + L_i + |A_i|)` is divided out so nothing overflows.
    ///
    /// # Panics
    /// If `state` does not have the data's shape `(M, N)` in standard layout (a programming error;
    /// [`learn_from`] checks it).
    pub fn sweep(&mut self, state: &mut BpState) -> SweepStats {
        assert_eq!(
            state.messages.dim(),
            self.data.dim(),
            "state shape must match the data"
        );
        let n = self.data.ncols();
        let messages = state.messages.as_slice_mut().expect("standard layout");
        self.factor_side(messages);
        let (k_cav, d) = (self.k_cav, self.damping);
        // Per column: c± = exp(±A - |A|) in (0, 1], s = exp(-(K + L + |A|)) (may be +inf).
        let mut cp = vec![0.0; n];
        let mut cm = vec![0.0; n];
        let mut sc = vec![0.0; n];
        for i in 0..n {
            let a = self.at_sum[i];
            cp[i] = (a - a.abs()).exp();
            cm[i] = (-a - a.abs()).exp();
            sc[i] = (-(k_cav + self.lt_sum[i] + a.abs())).exp();
        }
        let (cp, cm, sc) = (&cp, &cm, &sc);
        let block = ROW_BLOCK * n;
        let parts: Vec<(f64, f64)> = messages
            .par_chunks_mut(block)
            .zip(
                self.t
                    .as_slice()
                    .expect("standard layout")
                    .par_chunks(block),
            )
            .map(|(msg, t_blk)| {
                let (mut res, mut tanh2) = (0.0f64, 0.0f64);
                for (m_row, t_row) in msg.chunks_exact_mut(n).zip(t_blk.chunks_exact(n)) {
                    for i in 0..n {
                        let t = t_row[i];
                        // zeta^± (1 - t²) / exp(K + L + |A|)
                        let zp = cp[i] * (1.0 - t);
                        let zm = cm[i] * (1.0 + t);
                        let num = zp - zm;
                        let m_new = num / (sc[i] * (1.0 - t * t) + zp + zm);
                        let th = num / (zp + zm);
                        let old = m_row[i];
                        res = res.max((m_new - old).abs());
                        m_row[i] = d * old + (1.0 - d) * m_new;
                        tanh2 += th * th;
                    }
                }
                (res, tanh2)
            })
            .collect();
        let residual = parts.iter().fold(0.0f64, |r, p| r.max(p.0));
        let tanh2: f64 = parts.iter().map(|p| p.1).sum();
        let (m, n) = self.data.dim();
        SweepStats {
            residual,
            m_cav: tanh2 / (m as f64 * n as f64),
        }
    }

    /// Full marginals from the current messages (non-cavity sums over all data nodes).
    pub fn marginals(&mut self, state: &BpState) -> Marginals {
        let std = state.messages.as_standard_layout();
        self.factor_side(std.as_slice().expect("standard layout"));
        let n = self.data.ncols();
        let mut probs = Array2::zeros((n, 3));
        let mut fields = Array1::zeros(n);
        for i in 0..n {
            let h = self.at_sum[i];
            let log_zeta = self.k_full + self.lt_sum[i] + log_2cosh(h);
            let p0 = logistic(-log_zeta);
            let nz = logistic(log_zeta);
            // (1 ± tanh h) / 2 = logistic(±2h), stable for large |h|.
            probs[[i, 0]] = nz * logistic(-2.0 * h);
            probs[[i, 1]] = p0;
            probs[[i, 2]] = nz * logistic(2.0 * h);
            fields[i] = h;
        }
        Marginals { probs, fields }
    }
}

/// Everything a converged (or capped) run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BpResult {
    /// Number of samples `M`.
    pub n_samples: usize,
    /// Number of synapses `N`.
    pub n_features: usize,
    /// Inverse temperature used.
    pub beta: f64,
    /// Full marginals, `(N, 3)`: `P_i(-1)`, `P_i(0)`, `P_i(+1)`.
    pub marginals: Array2<f64>,
    /// MPM feature `xi_hat`, length `N`, values in {-1, 0, +1}.
    pub feature: Vec<i8>,
    /// Sparsity `rho = (1/N) sum_i P_i(0)`.
    pub rho: f64,
    /// Message strength `m_cav` of the last sweep.
    pub m_cav: f64,
    /// Root-mean-square cavity magnetization `sqrt(mean m_{i->a}²)` of the final messages (the
    /// measured message strength; the asymptote uses the fixed [`ASYMPTOTE_EPS`] instead).
    pub eps: f64,
    /// Image statistic `omega` of the data.
    pub omega: f64,
    /// Small-`m_cav` asymptote of `rho` ([`rho_asymptote`]) at the fixed strength
    /// [`ASYMPTOTE_EPS`], this data's `omega` and `M`; in [0, 1/3].
    pub rho_asympt: f64,
    /// Sweeps performed.
    pub iterations: usize,
    /// Whether the residual fell below `tol` within `max_iter` sweeps.
    pub converged: bool,
    /// Whether an observer stopped the run early.
    pub stopped: bool,
    /// The last sweep's residual `max |m_new - m_old|`.
    pub residual: f64,
}

/// Runs message passing from random initial messages (drawn from `rng`) until the residual is
/// below `tol` or `max_iter` sweeps have run, reporting each sweep to `observer`
/// (stage `"sweep"`, metrics `residual`, `m_cav`). A run that hits the cap returns
/// `converged: false`; its figures are those of the last iterate and must be read as such.
pub fn learn<R: Rng + ?Sized>(
    data: ArrayView2<'_, f64>,
    params: &ValidBpParams,
    rng: &mut R,
    observer: &mut dyn Observer,
) -> Result<BpResult> {
    check_spins(data)?;
    let (m, n) = data.dim();
    let mut state = BpState::random(m, n, params.init_scale, rng);
    learn_from(data, params, &mut state, observer)
}

/// Like [`learn`], from given initial messages (updated in place: on return `state` holds the
/// final messages).
pub fn learn_from(
    data: ArrayView2<'_, f64>,
    params: &ValidBpParams,
    state: &mut BpState,
    observer: &mut dyn Observer,
) -> Result<BpResult> {
    let p = *params;
    let mut learner = Learner::new(data, params)?;
    if state.messages.dim() != data.dim() {
        return Err(BpError::Data(format!(
            "initial messages have shape {:?}, data {:?}",
            state.messages.dim(),
            data.dim()
        )));
    }
    if state.messages.iter().any(|m| !(-1.0..=1.0).contains(m)) {
        return Err(BpError::Data(
            "initial messages must be finite and lie in [-1, 1]".into(),
        ));
    }
    if !state.messages.is_standard_layout() {
        state.messages = state.messages.as_standard_layout().into_owned();
    }
    let (mut iterations, mut converged, mut stopped) = (0, false, false);
    let mut last = SweepStats {
        residual: f64::INFINITY,
        m_cav: f64::NAN,
    };
    while iterations < p.max_iter {
        last = learner.sweep(state);
        iterations += 1;
        if !last.residual.is_finite() {
            break;
        }
        if last.residual < p.tol {
            converged = true;
        }
        let report = StepReport {
            stage: "sweep",
            step: iterations,
            total: Some(p.max_iter),
            metrics: &[("residual", last.residual), ("m_cav", last.m_cav)],
        };
        if observer.observe(&report) == Control::Stop && !converged {
            stopped = true;
            break;
        }
        if converged {
            break;
        }
    }
    let marg = learner.marginals(state);
    let (m, n) = data.dim();
    let eps = (state.messages.iter().map(|x| x * x).sum::<f64>() / (m * n) as f64).sqrt();
    let om = omega(data);
    Ok(BpResult {
        n_samples: m,
        n_features: n,
        beta: p.beta,
        rho: marg.rho(),
        feature: marg.feature(),
        marginals: marg.probs,
        m_cav: last.m_cav,
        eps,
        omega: om,
        rho_asympt: rho_asymptote(p.beta, ASYMPTOTE_EPS, om, m),
        iterations,
        converged,
        stopped,
        residual: last.residual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn params_are_checked() {
        assert!(BpParams::default().check().is_ok());
        let bad = BpParams {
            damping: 1.0,
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("damping"));
        let bad = BpParams {
            beta: -1.0,
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("`beta`"));
    }

    #[test]
    fn spins_are_checked() {
        let ok = Array2::from_shape_vec((2, 2), vec![1.0, -1.0, -1.0, 1.0]).unwrap();
        assert!(check_spins(ok.view()).is_ok());
        let bad = Array2::from_shape_vec((2, 2), vec![1.0, 0.0, -1.0, 1.0]).unwrap();
        assert!(
            check_spins(bad.view())
                .unwrap_err()
                .to_string()
                .contains("[0, 1]")
        );
        assert!(check_spins(Array2::<f64>::zeros((0, 3)).view()).is_err());
    }

    #[test]
    fn mpm_feature_breaks_ties_towards_zero() {
        let probs = Array2::from_shape_vec(
            (5, 3),
            vec![
                0.2,
                0.3,
                0.5, // +1
                0.6,
                0.3,
                0.1, // -1
                0.3,
                0.4,
                0.3, // 0
                1.0 / 3.0 + 1e-9,
                1.0 / 3.0,
                1.0 / 3.0 - 1e-9, // tie: 0
                0.4,
                0.2,
                0.4 + 1e-8, // ±1 tie: 0
            ],
        )
        .unwrap();
        let m = Marginals {
            probs,
            fields: Array1::zeros(5),
        };
        assert_eq!(m.feature(), vec![1, -1, 0, 0, 0]);
    }

    #[test]
    fn omega_of_constant_data_is_one() {
        let d = Array2::from_elem((5, 4), -1.0);
        assert_relative_eq!(omega(d.view()), 1.0, epsilon = 1e-15);
        assert_relative_eq!(rho_asymptote(0.5, 0.0, 1.0, 100), 1.0 / 3.0);
    }

    #[test]
    fn asymptote_is_the_papers_formula_until_its_root_then_zero() {
        let (beta, eps, om) = (0.5, 0.01, 0.4);
        let root = asymptote_root(beta, eps, om);
        // x = beta^4 eps² omega M² = 3 at the root.
        assert_relative_eq!(
            beta.powi(4) * eps * eps * om * root * root,
            3.0,
            epsilon = 1e-12
        );
        for m in [1usize, 10, 100, 500] {
            let x = beta.powi(4) * eps * eps * om * (m * m) as f64;
            assert!((m as f64) < root);
            assert_relative_eq!(rho_asymptote(beta, eps, om, m), (1.0 - x / 3.0) / 3.0);
        }
        for m in [root.ceil() as usize, 2000, 100_000] {
            assert_eq!(rho_asymptote(beta, eps, om, m), 0.0);
        }
        assert!(asymptote_root(beta, 0.0, om).is_infinite());
    }
}
