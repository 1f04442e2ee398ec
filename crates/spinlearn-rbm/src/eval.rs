//! Evaluation of trained RBMs (all figures in f64): exact log Z, likelihoods, moments and gradients
//! by enumerating the smaller layer; forward and reverse AIS; the ground-state energy; Gibbs and
//! method accessibility (004 section V A); the reconstruction Hamming distance (004 Appendix C);
//! singular values; pattern overlaps; a linear probe.

use crate::linalg::gemm;
use crate::model::{Rbm, Rbm32};
use crate::sample::{random_states, sample_inplace};
use crate::{RbmError, Result};
use faer::Par;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::numerics::{LogSumExp, log_sum_exp};
use spinlearn_core::{ParamGuard, Seed, Units, check};

/// Largest layer size enumerated exactly (2^24 states).
pub const MAX_EXACT: usize = 24;

const CHUNK_BITS: usize = 12;

/// Which layer is enumerated: the smaller one (visible on ties).
fn enumerated_layer(rbm: &Rbm) -> Result<(bool, usize)> {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let visible = nv <= nh;
    let n = nv.min(nh);
    if n > MAX_EXACT {
        return Err(RbmError::TooLarge { n, max: MAX_EXACT });
    }
    Ok((visible, n))
}

/// States `start..start+len` of `n` units as rows (bit `i` of the index is unit `i`).
fn states(n: usize, units: Units, start: u64, len: usize) -> Array2<f64> {
    let [lo, hi] = units.values();
    Array2::from_shape_fn((len, n), |(r, i)| {
        if ((start + r as u64) >> i) & 1 == 1 {
            hi
        } else {
            lo
        }
    })
}

/// The per-chunk quantities of the enumeration: states `s (c, n)`, minus their free energies
/// `(c,)` and the conditional means of the other layer `(c, n_other)`.
struct Chunk {
    states: Array2<f64>,
    neg_free: Array1<f64>,
    other_field: Array2<f64>,
}

fn chunk(rbm: &Rbm, visible: bool, n: usize, start: u64, len: usize) -> Chunk {
    let (su, ou, w, sb, ob) = if visible {
        (
            rbm.units.visible,
            rbm.units.hidden,
            rbm.weights.view(),
            &rbm.visible_bias,
            &rbm.hidden_bias,
        )
    } else {
        (
            rbm.units.hidden,
            rbm.units.visible,
            rbm.weights.t(),
            &rbm.hidden_bias,
            &rbm.visible_bias,
        )
    };
    let st = states(n, su, start, len);
    let mut field = Array2::from_shape_fn((len, w.ncols()), |(_, j)| ob[j]);
    gemm(field.view_mut(), true, st.view(), w, 1.0, Par::Seq);
    let mut neg_free = st.dot(sb);
    for (f, row) in neg_free.iter_mut().zip(field.rows()) {
        *f += row.iter().map(|&x| ou.log_partition(x)).sum::<f64>();
    }
    Chunk {
        states: st,
        neg_free,
        other_field: field,
    }
}

/// Chunks `(start, len)` covering `2^n` states, grouped into at most 64 groups processed in
/// parallel (each group sequentially), so that the reduction order is fixed.
fn groups(n: usize) -> Vec<Vec<(u64, usize)>> {
    let total = 1u64 << n;
    let cb = CHUNK_BITS.min(n);
    let clen = 1u64 << cb;
    let n_chunks = total / clen;
    let n_groups = n_chunks.min(64);
    let per = n_chunks / n_groups;
    (0..n_groups)
        .map(|g| {
            (0..per)
                .map(|c| ((g * per + c) * clen, clen as usize))
                .collect()
        })
        .collect()
}

/// Exact `log Z = log Σ_{v,h} exp(-E(v, h))`, summing analytically over the larger layer and
/// enumerating the smaller one (at most [`MAX_EXACT`] units).
pub fn exact_log_z(rbm: &Rbm) -> Result<f64> {
    let (visible, n) = enumerated_layer(rbm)?;
    let parts: Vec<LogSumExp> = groups(n)
        .into_par_iter()
        .map(|g| {
            let mut acc = LogSumExp::new();
            for (start, len) in g {
                for &x in chunk(rbm, visible, n, start, len).neg_free.iter() {
                    acc.push(x);
                }
            }
            acc
        })
        .collect();
    let mut acc = LogSumExp::new();
    for p in parts {
        acc.merge(p);
    }
    Ok(acc.value())
}

/// Exact model moments `⟨v hᵀ⟩ (n_visible, n_hidden)`, `⟨v⟩`, `⟨h⟩`, and `log Z`.
#[derive(Debug, Clone)]
pub struct ExactMoments {
    /// `⟨v hᵀ⟩`.
    pub vh: Array2<f64>,
    /// `⟨v⟩`.
    pub v: Array1<f64>,
    /// `⟨h⟩`.
    pub h: Array1<f64>,
    /// `log Z`.
    pub log_z: f64,
}

/// Exact model moments by enumeration of the smaller layer.
pub fn exact_moments(rbm: &Rbm) -> Result<ExactMoments> {
    let (visible, n) = enumerated_layer(rbm)?;
    let log_z = exact_log_z(rbm)?;
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let ou = if visible {
        rbm.units.hidden
    } else {
        rbm.units.visible
    };
    let parts: Vec<(Array2<f64>, Array1<f64>, Array1<f64>)> = groups(n)
        .into_par_iter()
        .map(|g| {
            let mut vh = Array2::<f64>::zeros((nv, nh));
            let mut sv = Array1::<f64>::zeros(if visible { nv } else { nh });
            let mut so = Array1::<f64>::zeros(if visible { nh } else { nv });
            for (start, len) in g {
                let c = chunk(rbm, visible, n, start, len);
                let p = c.neg_free.mapv(|x| (x - log_z).exp());
                let mean = c.other_field.mapv(|x| ou.mean(x));
                let sp = &c.states * &p.view().insert_axis(Axis(1));
                sv += &sp.sum_axis(Axis(0));
                so += &mean.t().dot(&p);
                if visible {
                    gemm(vh.view_mut(), true, sp.t(), mean.view(), 1.0, Par::Seq);
                } else {
                    gemm(vh.view_mut(), true, mean.t(), sp.view(), 1.0, Par::Seq);
                }
            }
            (vh, sv, so)
        })
        .collect();
    let mut vh = Array2::<f64>::zeros((nv, nh));
    let mut v = Array1::<f64>::zeros(nv);
    let mut h = Array1::<f64>::zeros(nh);
    for (a, sv, so) in parts {
        vh += &a;
        if visible {
            v += &sv;
            h += &so;
        } else {
            h += &sv;
            v += &so;
        }
    }
    Ok(ExactMoments { vh, v, h, log_z })
}

/// Data must be nonempty with `n_visible` columns.
fn check_data(rbm: &Rbm, data: ArrayView2<'_, f64>) -> Result<()> {
    if data.ncols() != rbm.n_visible() || data.nrows() == 0 {
        return Err(RbmError::Shape(format!(
            "data ({}, {}) for a model with {} visible units",
            data.nrows(),
            data.ncols(),
            rbm.n_visible()
        )));
    }
    Ok(())
}

/// `log P(v) = -F(v) - log Z` per row of `data (n, n_visible)` (values in the visible units').
pub fn log_likelihood(rbm: &Rbm, data: ArrayView2<'_, f64>, log_z: f64) -> Array1<f64> {
    rbm.free_energy(data).mapv(|f| -f - log_z)
}

/// Exact mean log-likelihood of `data (n, n_visible)` (nats per sample).
pub fn mean_log_likelihood(rbm: &Rbm, data: ArrayView2<'_, f64>) -> Result<f64> {
    check_data(rbm, data)?;
    let lz = exact_log_z(rbm)?;
    Ok(log_likelihood(rbm, data, lz).mean().expect("nonempty"))
}

/// Gradient of the mean log-likelihood with respect to the weights and biases.
#[derive(Debug, Clone)]
pub struct Gradient {
    /// `∂/∂W`, `(n_visible, n_hidden)`.
    pub weights: Array2<f64>,
    /// `∂/∂a`, `(n_visible,)`.
    pub visible_bias: Array1<f64>,
    /// `∂/∂b`, `(n_hidden,)`.
    pub hidden_bias: Array1<f64>,
}

/// The exact gradient of the mean log-likelihood of `data`: `⟨v E[h|v]ᵀ⟩_data - ⟨v hᵀ⟩_model`.
pub fn exact_gradient(rbm: &Rbm, data: ArrayView2<'_, f64>) -> Result<Gradient> {
    check_data(rbm, data)?;
    let m = exact_moments(rbm)?;
    let n = data.nrows() as f64;
    let hp = rbm.hidden_mean(data);
    Ok(Gradient {
        weights: data.t().dot(&hp) / n - &m.vh,
        visible_bias: data.mean_axis(Axis(0)).expect("nonempty") - &m.v,
        hidden_bias: hp.mean_axis(Axis(0)).expect("nonempty") - &m.h,
    })
}

/// Ground state of the model: the minimum of `E(v, h)` and a configuration reaching it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroundState {
    /// Minimal energy.
    pub energy: f64,
    /// A minimizing visible configuration.
    pub visible: Vec<f64>,
    /// The matching hidden configuration.
    pub hidden: Vec<f64>,
}

/// Exact ground state: enumerate the smaller layer (at most [`MAX_EXACT`] units); the best state
/// of the other layer is the high value where its field is positive (`h = sign(Wᵀv)` for spins).
pub fn ground_state(rbm: &Rbm) -> Result<GroundState> {
    let (visible, n) = enumerated_layer(rbm)?;
    let (su, ou, sb) = if visible {
        (rbm.units.visible, rbm.units.hidden, &rbm.visible_bias)
    } else {
        (rbm.units.hidden, rbm.units.visible, &rbm.hidden_bias)
    };
    let w = if visible {
        rbm.weights.view()
    } else {
        rbm.weights.t()
    };
    let ob = if visible {
        &rbm.hidden_bias
    } else {
        &rbm.visible_bias
    };
    let [lo, hi] = ou.values();
    let best: Vec<(f64, u64)> = groups(n)
        .into_par_iter()
        .map(|g| {
            let mut best = (f64::INFINITY, 0u64);
            for (start, len) in g {
                let st = states(n, su, start, len);
                let mut field = Array2::from_shape_fn((len, w.ncols()), |(_, j)| ob[j]);
                gemm(field.view_mut(), true, st.view(), w, 1.0, Par::Seq);
                let lin = st.dot(sb);
                for (r, row) in field.rows().into_iter().enumerate() {
                    let e = -lin[r] - row.iter().map(|&x| (lo * x).max(hi * x)).sum::<f64>();
                    if e < best.0 {
                        best = (e, start + r as u64);
                    }
                }
            }
            best
        })
        .collect();
    let (energy, idx) = best
        .into_iter()
        .fold((f64::INFINITY, 0), |a, b| if b.0 < a.0 { b } else { a });
    let s = states(n, su, idx, 1);
    let field = s.dot(&w) + ob;
    let o: Vec<f64> = field
        .row(0)
        .iter()
        .map(|&x| if hi * x >= lo * x { hi } else { lo })
        .collect();
    let s: Vec<f64> = s.row(0).to_vec();
    let (visible, hidden) = if visible { (s, o) } else { (o, s) };
    Ok(GroundState {
        energy,
        visible,
        hidden,
    })
}

/// AIS inverse-temperature schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BetaSchedule {
    /// Evenly spaced in [0, 1].
    Linear,
    /// Salakhutdinov & Murray's piecewise-linear schedule: 1/28 of the points in [0, 0.5], 8/28 in
    /// [0.5, 0.9], 19/28 in [0.9, 1].
    #[default]
    Piecewise,
}

/// AIS configuration. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AisParams {
    /// Number of independent runs (chains).
    pub n_chains: usize,
    /// Number of intermediate distributions (β values including 0 and 1).
    pub n_betas: usize,
    /// Spacing of the β values.
    pub schedule: BetaSchedule,
}

valid_params! {
    /// [`AisParams`] that passed [`ParamGuard::check`].
    pub struct ValidAisParams {
        /// Number of chains (at least 2).
        n_chains: usize,
        /// Number of β values (at least 2).
        n_betas: usize,
        /// Spacing of the β values.
        schedule: BetaSchedule,
    }
}

impl ParamGuard for AisParams {
    type Checked = ValidAisParams;

    fn check(&self) -> spinlearn_core::Result<ValidAisParams> {
        spinlearn_core::mem::check("n_chains", &[(&[self.n_chains, 4], 8)])?;
        spinlearn_core::mem::check("n_betas", &[(&[self.n_betas], 8)])?;
        Ok(ValidAisParams {
            n_chains: check::at_least("n_chains", self.n_chains, 2)?,
            n_betas: check::at_least("n_betas", self.n_betas, 2)?,
            schedule: self.schedule,
        })
    }
}

impl Default for AisParams {
    fn default() -> Self {
        AisParams {
            n_chains: 100,
            n_betas: 10_000,
            schedule: BetaSchedule::Piecewise,
        }
    }
}

impl ValidAisParams {
    /// The β values, increasing from 0 to 1.
    pub fn betas(&self) -> Vec<f64> {
        let n = self.n_betas;
        match self.schedule {
            BetaSchedule::Linear => (0..n).map(|i| i as f64 / (n - 1) as f64).collect(),
            BetaSchedule::Piecewise => {
                let n1 = (n / 28).max(1);
                let n2 = (n * 8 / 28).max(1);
                let n3 = (n - 1 - n1 - n2).max(1);
                let mut b = Vec::with_capacity(n);
                for i in 0..n1 {
                    b.push(0.5 * i as f64 / n1 as f64);
                }
                for i in 0..n2 {
                    b.push(0.5 + 0.4 * i as f64 / n2 as f64);
                }
                for i in 0..n3 {
                    b.push(0.9 + 0.1 * i as f64 / n3 as f64);
                }
                b.push(1.0);
                b
            }
        }
    }
}

/// An AIS estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AisResult {
    /// Estimated `log Z`.
    pub log_z: f64,
    /// Standard error of the estimate (delta method on the mean importance weight).
    pub log_z_stderr: f64,
    /// Effective sample size `(Σw)² / Σw²` of the importance weights.
    pub ess: f64,
    /// `log Z` of the base model.
    pub log_z_base: f64,
    /// The log importance weights, one per chain.
    pub log_weights: Vec<f64>,
}

/// The base model's visible biases matched to the data: `a0_i = logit(mean_i)` for bits,
/// `atanh(mean_i)` for spins, with the means kept away from the bounds (by 1e-3 of the range).
pub fn base_visible_bias(units: Units, data: ArrayView2<'_, f64>) -> Array1<f64> {
    let [lo, hi] = units.values();
    let means = data
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(data.ncols()));
    means.mapv(|m| {
        let p = ((m - lo) / (hi - lo)).clamp(1e-3, 1.0 - 1e-3);
        match units {
            Units::Bit => (p / (1.0 - p)).ln(),
            Units::Spin => 0.5 * (p / (1.0 - p)).ln(),
        }
    })
}

/// The annealing path `f_β(v) = exp((1-β) a0ᵀv + β aᵀv) Π_j Σ_{h_j} exp(β h_j x_j)`, `x = Wᵀv + b`
/// (every parameter annealed, hidden biases included).
struct Path<'a> {
    rbm: &'a Rbm,
    m32: Rbm32,
    a0: Array1<f64>,
    a0_32: Array1<f32>,
    low: Option<LowRankPath>,
}

/// The RA patterns of the model, laid out for fields through them: `x = ((v ξ_vᵀ) ξ_h) / √K + b`
/// in f64 for the importance weights, and (through [`crate::sample::FieldPlan::with_patterns`])
/// the f32 visible fields of the transitions.
struct LowRankPath {
    /// `ξ_vᵀ (n_visible, K)`.
    pvt: Array2<f64>,
    /// `ξ_h (K, n_hidden)`.
    ph: Array2<f64>,
    /// `1 / √K`.
    scale: f64,
    pv32: Array2<f32>,
    ph32: Array2<f32>,
}

impl Path<'_> {
    /// `(aᵀv, a0ᵀv, x)` for the states.
    fn parts(&self, v: &Array2<f32>) -> (Array1<f64>, Array1<f64>, Array2<f64>) {
        let v64 = v.mapv(f64::from);
        let x = match &self.low {
            Some(l) => {
                let a = crate::linalg::matmul(v64.view(), l.pvt.view());
                let mut x = crate::linalg::matmul(a.view(), l.ph.view());
                let (scale, b) = (l.scale, &self.rbm.hidden_bias);
                x.rows_mut()
                    .into_iter()
                    .for_each(|mut r| r.zip_mut_with(b, |xi, &bi| *xi = *xi * scale + bi));
                x
            }
            None => self.rbm.hidden_field(v64.view()),
        };
        (v64.dot(&self.rbm.visible_bias), v64.dot(&self.a0), x)
    }

    fn log_f(&self, beta: f64, parts: &(Array1<f64>, Array1<f64>, Array2<f64>)) -> Array1<f64> {
        let hu = self.rbm.units.hidden;
        let (av, a0v, x) = parts;
        // rows in parallel, each summed in order: the same numbers for any thread count
        let rows: Vec<f64> = (0..av.len())
            .into_par_iter()
            .map(|r| {
                (1.0 - beta) * a0v[r]
                    + beta * av[r]
                    + x.row(r)
                        .iter()
                        .map(|&xj| hu.log_partition(beta * xj))
                        .sum::<f64>()
            })
            .collect();
        Array1::from_vec(rows)
    }

    /// One Gibbs transition leaving `p_β` invariant, from the states `v` whose hidden fields
    /// `x = Wᵀv + b` (f64, from [`Path::parts`]) are already known: the hidden layer is drawn
    /// from `β x`, the visible layer from `β (W h + a) + (1 - β) a0`.
    fn transition(
        &self,
        beta: f64,
        x: &Array2<f64>,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        rngs: &mut [spinlearn_core::SpinRng],
    ) {
        h.zip_mut_with(x, |hi, &xi| *hi = (beta * xi) as f32);
        sample_inplace(h.view_mut(), self.m32.units.hidden, rngs);
        match &self.low {
            Some(l) => self
                .m32
                .fields(crate::kernels::Kernels::Auto)
                .with_patterns(l.pv32.view(), l.ph32.view())
                .visible_field_into(h.view(), v.view_mut(), beta as f32),
            None => self
                .m32
                .visible_field_into(h.view(), v.view_mut(), beta as f32),
        }
        let base = &self.a0_32 * (1.0 - beta as f32);
        *v += &base;
        sample_inplace(v.view_mut(), self.m32.units.visible, rngs);
    }

    fn log_z_base(&self) -> f64 {
        let vu = self.rbm.units.visible;
        self.a0.iter().map(|&a| vu.log_partition(a)).sum::<f64>()
            + self.rbm.n_hidden() as f64 * std::f64::consts::LN_2
    }
}

fn summarize(log_weights: Vec<f64>, log_z_base: f64, forward: bool) -> AisResult {
    let n = log_weights.len() as f64;
    let lm = log_sum_exp(&log_weights) - n.ln();
    let mx = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_weights.iter().map(|&l| (l - mx).exp()).collect();
    let mean = w.iter().sum::<f64>() / n;
    let var = w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let stderr = (var / n).sqrt() / mean;
    let ess = w.iter().sum::<f64>().powi(2) / w.iter().map(|x| x * x).sum::<f64>();
    AisResult {
        log_z: if forward {
            log_z_base + lm
        } else {
            log_z_base - lm
        },
        log_z_stderr: stderr,
        ess,
        log_z_base,
        log_weights,
    }
}

fn make_path<'a>(rbm: &'a Rbm, base_bias: ArrayView1<'_, f64>) -> Result<Path<'a>> {
    if base_bias.len() != rbm.n_visible() {
        return Err(RbmError::Shape(
            "base_bias must have n_visible entries".into(),
        ));
    }
    let a0 = base_bias.to_owned();
    let mut m32 = rbm.to_f32();
    m32.units.biases = true; // the visible field always carries the annealed bias
    Ok(Path {
        rbm,
        a0_32: a0.mapv(|x| x as f32),
        a0,
        m32,
        low: None,
    })
}

/// Forward AIS as [`ais`] for an RA model whose weights are `ξ_vᵀ ξ_h / √K` (004 eq. 5), given its
/// patterns `pv = ξ_v (K, n_visible)` and `ph = ξ_h (K, n_hidden)`: the fields go through the
/// patterns, `(n_visible + n_hidden) K` operations per state instead of `n_visible n_hidden`
/// (3.3x fewer at 004's MNIST sizes), when that is fewer; otherwise this is [`ais`]. The estimate
/// differs from [`ais`]'s only through rounding (which can flip an occasional sample and so
/// change the chains' paths, not their law). The patterns must belong to the model: the first
/// row of `W` is compared with the patterns' product (relative difference at most 1e-4, else an
/// error naming `patterns`).
pub fn ais_through_patterns(
    rbm: &Rbm,
    pv: ArrayView2<'_, f32>,
    ph: ArrayView2<'_, f32>,
    base_bias: ArrayView1<'_, f64>,
    params: &ValidAisParams,
    seed: Seed,
) -> Result<AisResult> {
    check_patterns(rbm, pv, ph)?;
    let (nv, nh, k) = (rbm.n_visible(), rbm.n_hidden(), pv.nrows());
    let scale = 1.0 / (k as f64).sqrt();
    let mut path = make_path(rbm, base_bias)?;
    if (nv + nh) * k < nv * nh {
        path.low = Some(LowRankPath {
            pvt: pv.t().mapv(f64::from),
            ph: ph.mapv(f64::from),
            scale,
            pv32: pv.to_owned(),
            ph32: ph.to_owned(),
        });
    }
    run_ais(&path, params, seed)
}

/// Checks that the RA patterns `pv = ξ_v (K, n_visible)`, `ph = ξ_h (K, n_hidden)` fit the model
/// and are its weights' factors: the first row of `W` is compared with the patterns' product
/// (relative difference at most 1e-4); errors name `patterns`.
fn check_patterns(rbm: &Rbm, pv: ArrayView2<'_, f32>, ph: ArrayView2<'_, f32>) -> Result<()> {
    let (nv, nh, k) = (rbm.n_visible(), rbm.n_hidden(), pv.nrows());
    if pv.ncols() != nv || ph.dim() != (k, nh) || k == 0 {
        return Err(RbmError::Shape(format!(
            "patterns: shapes {:?} and {:?} do not fit a model {nv} x {nh}",
            pv.dim(),
            ph.dim()
        )));
    }
    let scale = 1.0 / (k as f64).sqrt();
    let row0: Vec<f64> = (0..nh)
        .map(|j| {
            (0..k)
                .map(|a| f64::from(pv[[a, 0]]) * f64::from(ph[[a, j]]))
                .sum::<f64>()
                * scale
        })
        .collect();
    let w0 = rbm.weights.row(0);
    let norm = w0.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
    let diff = w0
        .iter()
        .zip(&row0)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    if diff > 1e-4 * norm {
        return Err(RbmError::Shape(
            "patterns: the model's weights are not ξ_vᵀ ξ_h / √K of these patterns".into(),
        ));
    }
    Ok(())
}

/// Forward AIS (Neal 2001; Salakhutdinov & Murray 2008) from independent visible units with
/// biases `base_bias (n_visible,)` (see [`base_visible_bias`]) to the model. Its expected
/// `exp(log_z)` is Z, so `log_z` is a stochastic lower bound. Chain `i` draws from
/// `seed.stream(i)`.
pub fn ais(
    rbm: &Rbm,
    base_bias: ArrayView1<'_, f64>,
    params: &ValidAisParams,
    seed: Seed,
) -> Result<AisResult> {
    let path = make_path(rbm, base_bias)?;
    run_ais(&path, params, seed)
}

fn run_ais(path: &Path<'_>, params: &ValidAisParams, seed: Seed) -> Result<AisResult> {
    let rbm = path.rbm;
    let betas = params.betas();
    let nc = params.n_chains;
    let mut rngs = seed.streams(nc);
    let mut v = Array2::from_shape_fn((nc, rbm.n_visible()), |(_, i)| path.a0_32[i]);
    sample_inplace(v.view_mut(), rbm.units.visible, &mut rngs);
    let mut h = Array2::<f32>::zeros((nc, rbm.n_hidden()));
    let mut lw = Array1::<f64>::zeros(nc);
    for k in 1..betas.len() {
        let parts = path.parts(&v);
        lw += &(path.log_f(betas[k], &parts) - path.log_f(betas[k - 1], &parts));
        if k + 1 < betas.len() {
            path.transition(betas[k], &parts.2, &mut v, &mut h, &mut rngs);
        }
    }
    Ok(summarize(lw.to_vec(), path.log_z_base(), true))
}

/// Reverse AIS: anneal from the model (β = 1) down to the base, starting at `start (n,
/// n_visible)`; one chain per start row (`params.n_chains` is not used); chain `i` draws from
/// `seed.stream(i)`.
///
/// What it estimates: with `w` the product of the reverse importance ratios,
/// `log_z = log Z_base - log mean(w)`. When the start rows are exact samples of the model **and**
/// `base_bias` does not depend on them, `E[w] = Z_base / Z`, so by Jensen's inequality
/// `E[log_z] >= log Z`: a stochastic upper bound that brackets `log Z` with the forward [`ais`].
/// A base fitted on the start rows themselves breaks the independence: the base then puts extra
/// mass exactly where the chains end, the weights grow, and the estimate falls below `log Z`
/// (measured on a 12x8 model with std-1.5 weights: about 0.05 nats below); use
/// [`reverse_ais_split`], which fits the base on other rows. When the starts are data rather than
/// model samples (a common approximation), the estimate is neither an upper nor a lower bound.
pub fn reverse_ais(
    rbm: &Rbm,
    base_bias: ArrayView1<'_, f64>,
    start: ArrayView2<'_, f64>,
    params: &ValidAisParams,
    seed: Seed,
) -> Result<AisResult> {
    check::at_least("start rows", start.nrows(), 2)?;
    if start.ncols() != rbm.n_visible() {
        return Err(RbmError::Shape(
            "start states must have n_visible columns".into(),
        ));
    }
    let path = make_path(rbm, base_bias)?;
    let betas = params.betas();
    let nc = start.nrows();
    let mut rngs = seed.streams(nc);
    let mut v = start.mapv(|x| x as f32);
    let mut h = Array2::<f32>::zeros((nc, rbm.n_hidden()));
    let mut lw = Array1::<f64>::zeros(nc);
    for k in (1..betas.len()).rev() {
        let parts = path.parts(&v);
        lw += &(path.log_f(betas[k - 1], &parts) - path.log_f(betas[k], &parts));
        if k > 1 {
            path.transition(betas[k - 1], &parts.2, &mut v, &mut h, &mut rngs);
        }
    }
    Ok(summarize(lw.to_vec(), path.log_z_base(), false))
}

/// Reverse AIS from `rows (n, n_visible)` (samples of the model, or data as an approximation) with
/// the base fitted on rows that are not the start states: the first
/// `s = min(max_starts, n / 2)` rows start the chains, the base visible biases
/// ([`base_visible_bias`]) come from the remaining `n - s` rows, so that the base is independent
/// of the starts as [`reverse_ais`] requires for its upper bound. Needs at least 4 rows.
pub fn reverse_ais_split(
    rbm: &Rbm,
    rows: ArrayView2<'_, f64>,
    max_starts: usize,
    params: &ValidAisParams,
    seed: Seed,
) -> Result<AisResult> {
    check::at_least("reverse AIS rows", rows.nrows(), 4)?;
    let n_start = max_starts.min(rows.nrows() / 2).max(2);
    let base = base_visible_bias(rbm.units.visible, rows.slice(ndarray::s![n_start.., ..]));
    reverse_ais(
        rbm,
        base.view(),
        rows.slice(ndarray::s![..n_start, ..]),
        params,
        seed,
    )
}

/// Gibbs accessibility of the ground state (004 section V A 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accessibility {
    /// Ground-state energy used as reference.
    pub ground_state_energy: f64,
    /// Lowest final energy over the starts.
    pub min_energy: f64,
    /// Mean final energy over the starts.
    pub mean_energy: f64,
    /// `min_energy / ground_state_energy` (1 = ground state reached; 004 Fig. 2a).
    pub accessibility: f64,
    /// `mean_energy / ground_state_energy`.
    pub mean_accessibility: f64,
}

/// Runs `steps` block Gibbs steps from `n_starts` uniformly random visible states and compares the
/// energies `E(v, h)` of the final configurations with `ground_state_energy` (004 used 10 steps).
pub fn gibbs_accessibility(
    rbm: &Rbm,
    ground_state_energy: f64,
    n_starts: usize,
    steps: usize,
    seed: Seed,
) -> Result<Accessibility> {
    check::nonzero("n_starts", n_starts)?;
    let m = rbm.to_f32();
    let mut rngs = seed.streams(n_starts);
    let mut v = random_states(rbm.n_visible(), rbm.units.visible, &mut rngs);
    let mut h = Array2::<f32>::zeros((n_starts, rbm.n_hidden()));
    m.gibbs(&mut v, &mut h, steps, &mut rngs);
    if steps == 0 {
        m.sample_hidden(v.view(), &mut h, &mut rngs);
    }
    let e = rbm.energies(v.mapv(f64::from).view(), h.mapv(f64::from).view());
    let min_energy = e.iter().copied().fold(f64::INFINITY, f64::min);
    let mean_energy = e.mean().expect("nonempty");
    Ok(Accessibility {
        ground_state_energy,
        min_energy,
        mean_energy,
        accessibility: min_energy / ground_state_energy,
        mean_accessibility: mean_energy / ground_state_energy,
    })
}

/// Method accessibility (004 section V A 2): the lowest energy `min_h E(v, h)` among the visible
/// configurations `states (m, n_visible)` a negative phase used, divided by the ground-state energy.
pub fn method_accessibility(
    rbm: &Rbm,
    states: ArrayView2<'_, f64>,
    ground_state_energy: f64,
) -> f64 {
    let e = rbm.min_energy_over_hidden(states);
    e.iter().copied().fold(f64::INFINITY, f64::min) / ground_state_energy
}

/// Reconstruction Hamming distance (004 Appendix C): the first `known` visible units of each row
/// of `data (n, n_visible)` are kept and clamped, the others set to 0; `steps` Gibbs steps sample
/// the rest; returns the normalized Hamming distance (over all `n_visible` units) to the original,
/// per row. Bit data are compared after thresholding at 0.5, spin data at 0.
pub fn reconstruction_hamming(
    rbm: &Rbm,
    data: ArrayView2<'_, f64>,
    known: usize,
    steps: usize,
    seed: Seed,
) -> Result<Array1<f64>> {
    let nv = rbm.n_visible();
    if data.ncols() != nv || known > nv {
        return Err(RbmError::Shape(format!(
            "data has {} columns (model {nv}); known = {known}",
            data.ncols()
        )));
    }
    let n = data.nrows();
    let m = rbm.to_f32();
    let mut rngs = seed.streams(n);
    let mut v = data.mapv(|x| x as f32);
    let clamp = v.slice(s![.., ..known]).to_owned();
    v.slice_mut(s![.., known..]).fill(0.0);
    let mut h = Array2::<f32>::zeros((n, rbm.n_hidden()));
    for _ in 0..steps {
        m.sample_hidden(v.view(), &mut h, &mut rngs);
        m.sample_visible(h.view(), &mut v, &mut rngs);
        v.slice_mut(s![.., ..known]).assign(&clamp);
    }
    let thr = match rbm.units.visible {
        Units::Spin => 0.0,
        Units::Bit => 0.5,
    };
    Ok(Array1::from_shape_fn(n, |r| {
        let d = (0..nv)
            .filter(|&i| (f64::from(v[[r, i]]) > thr) != (data[[r, i]] > thr))
            .count();
        d as f64 / nv as f64
    }))
}

/// Singular values of the weight matrix, non-increasing (004 Fig. 4).
pub fn singular_values(rbm: &Rbm) -> Result<Vec<f64>> {
    crate::linalg::singular_values(rbm.weights.view())
}

/// Overlaps `m_{rk} = (1/n) Σ_i s_{ri} ξ_i^(k)` of samples `(n_samples, n)` with patterns `(K, n)`,
/// shape `(n_samples, K)`.
pub fn pattern_overlaps(
    samples: ArrayView2<'_, f64>,
    patterns: ArrayView2<'_, f64>,
) -> Array2<f64> {
    samples.dot(&patterns.t()) / samples.ncols().max(1) as f64
}

/// Linear-probe configuration: multinomial logistic regression trained by mini-batch SGD.
/// Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeParams {
    /// Standardize each feature (zero mean, unit variance, statistics of the training features;
    /// constant features become 0) before the regression. Hidden means of ±1 RBMs are often
    /// saturated, i.e. nearly constant with small image-dependent variations, which plain SGD on
    /// the raw features barely uses.
    #[serde(default = "yes")]
    pub standardize: bool,
    /// Passes over the training features.
    pub epochs: usize,
    /// Learning rate.
    pub lr: f64,
    /// L2 penalty.
    pub l2: f64,
    /// Mini-batch size.
    pub batch_size: usize,
}

valid_params! {
    /// [`ProbeParams`] that passed [`ParamGuard::check`].
    pub struct ValidProbeParams {
        /// Standardize each feature before the regression.
        standardize: bool,
        /// Passes over the training features.
        epochs: usize,
        /// Learning rate.
        lr: f64,
        /// L2 penalty.
        l2: f64,
        /// Mini-batch size.
        batch_size: usize,
    }
}

impl ParamGuard for ProbeParams {
    type Checked = ValidProbeParams;

    fn check(&self) -> spinlearn_core::Result<ValidProbeParams> {
        Ok(ValidProbeParams {
            standardize: self.standardize,
            epochs: check::nonzero("epochs", self.epochs)?,
            lr: check::positive("lr", self.lr)?,
            l2: check::non_negative("l2", self.l2)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
        })
    }
}

fn yes() -> bool {
    true
}

impl Default for ProbeParams {
    fn default() -> Self {
        ProbeParams {
            standardize: true,
            epochs: 20,
            lr: 0.1,
            l2: 1e-4,
            batch_size: 100,
        }
    }
}

/// Probe accuracies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeResult {
    /// Training accuracy in [0, 1].
    pub train_accuracy: f64,
    /// Test accuracy in [0, 1].
    pub test_accuracy: f64,
    /// Number of classes (largest label + 1).
    pub n_classes: usize,
}

/// Trains a multinomial logistic regression on features `(n, d)` with labels; returns weights
/// `(d + 1, n_classes)` (last row: intercept). Epoch `e` shuffles with `seed.stream(e)`.
pub fn fit_softmax(
    x: ArrayView2<'_, f64>,
    y: &[u8],
    p: &ValidProbeParams,
    seed: Seed,
) -> Result<Array2<f64>> {
    if y.len() != x.nrows() || y.is_empty() {
        return Err(RbmError::Shape("labels must match the feature rows".into()));
    }
    let c = *y.iter().max().expect("nonempty") as usize + 1;
    let d = x.ncols();
    let mut w = Array2::<f64>::zeros((d + 1, c));
    let n = x.nrows();
    let mut order: Vec<usize> = (0..n).collect();
    for e in 0..p.epochs {
        let mut rng = seed.stream(e as u64);
        for i in (1..n).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        for idx in order.chunks(p.batch_size) {
            let xb = x.select(Axis(0), idx);
            let mut logits = xb.dot(&w.slice(s![..d, ..])) + w.row(d);
            for (mut row, &i) in logits.rows_mut().into_iter().zip(idx) {
                let lse = log_sum_exp(row.as_slice().expect("contiguous"));
                row.mapv_inplace(|z| (z - lse).exp());
                row[y[i] as usize] -= 1.0;
            }
            let b = idx.len() as f64;
            let gw = xb.t().dot(&logits) / b;
            let gb = logits.sum_axis(Axis(0)) / b;
            let l2 = p.l2;
            let mut top = w.slice_mut(s![..d, ..]);
            top.zip_mut_with(&gw, |wi, g| *wi -= p.lr * (g + l2 * *wi));
            let mut last = w.row_mut(d);
            last.zip_mut_with(&gb, |wi, g| *wi -= p.lr * g);
        }
    }
    Ok(w)
}

/// Accuracy of softmax weights from [`fit_softmax`] on `(x, y)`.
pub fn softmax_accuracy(w: &Array2<f64>, x: ArrayView2<'_, f64>, y: &[u8]) -> f64 {
    let d = x.ncols();
    let logits = x.dot(&w.slice(s![..d, ..])) + w.row(d);
    let correct = logits
        .rows()
        .into_iter()
        .zip(y)
        .filter(|(row, yi)| {
            let arg = row
                .iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |a, (i, &z)| if z > a.1 { (i, z) } else { a },
                )
                .0;
            arg == **yi as usize
        })
        .count();
    correct as f64 / y.len().max(1) as f64
}

/// Standardizes the columns of `train (n, d)` and `test (m, d)` with the mean and standard
/// deviation of the training columns; a column with standard deviation below 1e-9 (constant on the
/// training set) becomes 0 in both.
pub fn standardize_features(
    train: ArrayView2<'_, f64>,
    test: ArrayView2<'_, f64>,
) -> (Array2<f64>, Array2<f64>) {
    let d = train.ncols();
    let mean = train.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
    let scale = train
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-9 { 1.0 / s } else { 0.0 });
    let z = |x: ArrayView2<'_, f64>| (&x - &mean) * &scale;
    (z(train), z(test))
}

/// Linear probe (004 section V B): logistic regression on the hidden means `E[h|v]` of the model
/// (standardized when `params.standardize`), trained on `(train, train_labels)`, scored on both
/// sets; the regression shuffles from `seed`. For an RA model give its `patterns` (checked as in
/// [`ais_through_patterns`]): the means then go through them
/// ([`hidden_field_through_patterns`]).
#[allow(clippy::too_many_arguments)]
pub fn probe(
    rbm: &Rbm,
    train: ArrayView2<'_, f64>,
    train_labels: &[u8],
    test: ArrayView2<'_, f64>,
    test_labels: &[u8],
    params: &ValidProbeParams,
    seed: Seed,
    patterns: Option<(ArrayView2<'_, f32>, ArrayView2<'_, f32>)>,
) -> Result<ProbeResult> {
    check_data(rbm, train)?;
    check_data(rbm, test)?;
    if let Some((pv, ph)) = patterns {
        check_patterns(rbm, pv, ph)?;
    }
    let mean = |x: ArrayView2<'_, f64>| match patterns {
        Some((pv, ph)) => {
            let u = rbm.units.hidden;
            hidden_field_through_patterns(rbm, x, pv, ph).mapv_into(|f| u.mean(f))
        }
        None => rbm.hidden_mean(x),
    };
    let mut ftr = mean(train);
    let mut fte = mean(test);
    if params.standardize {
        (ftr, fte) = standardize_features(ftr.view(), fte.view());
    }
    let w = fit_softmax(ftr.view(), train_labels, params, seed)?;
    Ok(ProbeResult {
        train_accuracy: softmax_accuracy(&w, ftr.view(), train_labels),
        test_accuracy: softmax_accuracy(&w, fte.view(), test_labels),
        n_classes: w.ncols(),
    })
}

/// Full-batch multinomial logistic regression fitted by L-BFGS. Validate with
/// [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogRegParams {
    /// L2 penalty `l2/2 ‖W‖²` on the weights (not the intercepts), added to the mean
    /// cross-entropy; it keeps the optimum finite when the classes are separable.
    pub l2: f64,
    /// Iteration limit of L-BFGS.
    pub max_iter: usize,
    /// Converged when the largest absolute entry of the gradient is below `tol`.
    pub tol: f64,
}

impl Default for LogRegParams {
    fn default() -> Self {
        LogRegParams {
            l2: 1e-4,
            max_iter: 1000,
            tol: 1e-5,
        }
    }
}

valid_params! {
    /// [`LogRegParams`] that passed [`ParamGuard::check`].
    pub struct ValidLogRegParams {
        /// L2 penalty.
        l2: f64,
        /// Iteration limit.
        max_iter: usize,
        /// Gradient tolerance.
        tol: f64,
    }
}

impl ParamGuard for LogRegParams {
    type Checked = ValidLogRegParams;

    fn check(&self) -> spinlearn_core::Result<ValidLogRegParams> {
        Ok(ValidLogRegParams {
            l2: check::non_negative("l2", self.l2)?,
            max_iter: check::nonzero("max_iter", self.max_iter)?,
            tol: check::positive("tol", self.tol)?,
        })
    }
}

/// A fitted logistic regression and how the fit ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogRegFit {
    /// Weights `(d + 1, n_classes)`, last row the intercepts (as [`fit_softmax`]).
    #[serde(skip)]
    pub weights: Array2<f64>,
    /// L-BFGS iterations done.
    pub iterations: usize,
    /// Whether the gradient test passed (false: the iteration limit was reached or the line
    /// search could not decrease the loss).
    pub converged: bool,
    /// Largest absolute gradient entry at the end.
    #[serde(with = "spinlearn_core::nonfinite")]
    pub grad_max: f64,
    /// Final penalized mean cross-entropy.
    #[serde(with = "spinlearn_core::nonfinite")]
    pub loss: f64,
}

/// Penalized mean cross-entropy and its gradient at `w (d + 1, c)`.
fn logreg_loss_grad(
    x: ArrayView2<'_, f64>,
    y: &[u8],
    w: &Array2<f64>,
    l2: f64,
) -> (f64, Array2<f64>) {
    let (n, d) = x.dim();
    let c = w.ncols();
    let mut z = Array2::<f64>::zeros((n, c));
    gemm(z.view_mut(), false, x, w.slice(s![..d, ..]), 1.0, Par::Seq);
    z += &w.row(d);
    let mut loss = 0.0;
    for (mut row, &yi) in z.rows_mut().into_iter().zip(y) {
        let lse = log_sum_exp(row.as_slice().expect("contiguous"));
        loss += lse - row[yi as usize];
        row.mapv_inplace(|v| (v - lse).exp());
        row[yi as usize] -= 1.0;
    }
    let nf = n as f64;
    let top = w.slice(s![..d, ..]);
    loss = loss / nf + 0.5 * l2 * top.iter().map(|v| v * v).sum::<f64>();
    let mut g = Array2::<f64>::zeros((d + 1, c));
    gemm(
        g.slice_mut(s![..d, ..]),
        false,
        x.t(),
        z.view(),
        1.0 / nf,
        Par::Seq,
    );
    g.slice_mut(s![..d, ..]).scaled_add(l2, &top);
    g.row_mut(d).assign(&(z.sum_axis(Axis(0)) / nf));
    (loss, g)
}

/// Fits a multinomial logistic regression to features `(n, d)` and labels (classes `0..=max`) by
/// full-batch L-BFGS (memory 10, backtracking Armijo line search) from zero weights, until the
/// largest gradient entry is below `p.tol` or `p.max_iter` iterations; the result says which.
/// Deterministic (no randomness, sequential products).
pub fn fit_logreg(x: ArrayView2<'_, f64>, y: &[u8], p: &ValidLogRegParams) -> Result<LogRegFit> {
    if y.len() != x.nrows() || y.is_empty() {
        return Err(RbmError::Shape("labels must match the feature rows".into()));
    }
    let c = *y.iter().max().expect("nonempty") as usize + 1;
    let d = x.ncols();
    let mut w = Array2::<f64>::zeros((d + 1, c));
    let (mut f, mut g) = logreg_loss_grad(x, y, &w, p.l2);
    let gmax = |g: &Array2<f64>| g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let dot = |a: &Array2<f64>, b: &Array2<f64>| (a * b).sum();
    let mut mem: std::collections::VecDeque<(Array2<f64>, Array2<f64>, f64)> =
        std::collections::VecDeque::new();
    let mut it = 0;
    let mut converged = gmax(&g) < p.tol;
    while !converged && it < p.max_iter {
        // two-loop recursion: direction = -H g
        let mut q = g.clone();
        let mut alphas = Vec::with_capacity(mem.len());
        for (sv, yv, rho) in mem.iter().rev() {
            let a = rho * dot(sv, &q);
            q.scaled_add(-a, yv);
            alphas.push(a);
        }
        let gamma = match mem.back() {
            Some((sv, yv, _)) => dot(sv, yv) / dot(yv, yv),
            None => 1.0 / gmax(&g).max(1e-12),
        };
        q *= gamma;
        for ((sv, yv, rho), a) in mem.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(yv, &q);
            q.scaled_add(a - b, sv);
        }
        let dir = -q;
        let slope = dot(&g, &dir);
        if slope >= 0.0 {
            // not a descent direction: restart from steepest descent
            mem.clear();
            continue;
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let wn = &w + &(&dir * step);
            let (fn_, gn) = logreg_loss_grad(x, y, &wn, p.l2);
            if fn_ <= f + 1e-4 * step * slope {
                accepted = Some((wn, fn_, gn));
                break;
            }
            step *= 0.5;
        }
        it += 1;
        let Some((wn, fn_, gn)) = accepted else {
            break;
        };
        let sv = &wn - &w;
        let yv = &gn - &g;
        let sy = dot(&sv, &yv);
        if sy > 1e-12 {
            if mem.len() == 10 {
                mem.pop_front();
            }
            mem.push_back((sv, yv, 1.0 / sy));
        }
        w = wn;
        f = fn_;
        g = gn;
        converged = gmax(&g) < p.tol;
    }
    Ok(LogRegFit {
        grad_max: gmax(&g),
        weights: w,
        iterations: it,
        converged,
        loss: f,
    })
}

/// Hidden fields `x W + b = ((x ξ_vᵀ) ξ_h) / √K + b` of an RA model through its patterns
/// `pv = ξ_v (K, n_visible)`, `ph = ξ_h (K, n_hidden)` (004 eq. 5), in f64, when
/// `(n_visible + n_hidden) K < n_visible n_hidden`; otherwise through the weights
/// ([`Rbm::hidden_field`]). The caller checks that the patterns belong to the model.
pub fn hidden_field_through_patterns(
    rbm: &Rbm,
    x: ArrayView2<'_, f64>,
    pv: ArrayView2<'_, f32>,
    ph: ArrayView2<'_, f32>,
) -> Array2<f64> {
    let (nv, nh, k) = (rbm.n_visible(), rbm.n_hidden(), pv.nrows());
    if (nv + nh) * k >= nv * nh {
        return rbm.hidden_field(x);
    }
    let a = crate::linalg::matmul(x, pv.t().mapv(f64::from).view());
    let mut f = crate::linalg::matmul(a.view(), ph.mapv(f64::from).view());
    let scale = 1.0 / (k as f64).sqrt();
    for mut row in f.rows_mut() {
        row.zip_mut_with(&rbm.hidden_bias, |y, &b| *y = *y * scale + b);
    }
    f
}

/// What the probe regresses the labels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeFeatures {
    /// The hidden means `E[h|v]`, standardized with the training statistics.
    StandardizedMean,
    /// One sample `h ~ p(h|v)` per image, raw unit values (004 section V B).
    SampledState,
}

/// The outcome of [`probe_logreg`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeFit {
    /// Training accuracy in [0, 1].
    #[serde(with = "spinlearn_core::nonfinite")]
    pub train_accuracy: f64,
    /// Test accuracy in [0, 1].
    #[serde(with = "spinlearn_core::nonfinite")]
    pub test_accuracy: f64,
    /// How the L-BFGS fit ended.
    pub fit: LogRegFit,
}

/// Linear probe fitted to convergence: logistic regression ([`fit_logreg`]) on the features of
/// `features` computed from the model for every row of `train` and `test`; a sampled state draws
/// row `i` of the training set from `seed.named("train").stream(i)`, of the test set from
/// `seed.named("test").stream(i)`. For an RA model give its `patterns` (`ξ_v (K, n_visible)`,
/// `ξ_h (K, n_hidden)`, checked as in [`ais_through_patterns`]): the hidden fields then go
/// through them ([`hidden_field_through_patterns`], and [`crate::sample::FieldPlan::with_patterns`]
/// for the sampled states) whenever `(n_visible + n_hidden) K < n_visible n_hidden`; the features
/// differ from the dense path's only by rounding.
#[allow(clippy::too_many_arguments)]
pub fn probe_logreg(
    rbm: &Rbm,
    train: ArrayView2<'_, f64>,
    train_labels: &[u8],
    test: ArrayView2<'_, f64>,
    test_labels: &[u8],
    features: ProbeFeatures,
    params: &ValidLogRegParams,
    seed: Seed,
    patterns: Option<(ArrayView2<'_, f32>, ArrayView2<'_, f32>)>,
) -> Result<ProbeFit> {
    check_data(rbm, train)?;
    check_data(rbm, test)?;
    if let Some((pv, ph)) = patterns {
        check_patterns(rbm, pv, ph)?;
    }
    let (ftr, fte) = match features {
        ProbeFeatures::StandardizedMean => {
            let mean = |x: ArrayView2<'_, f64>| match patterns {
                Some((pv, ph)) => {
                    let u = rbm.units.hidden;
                    hidden_field_through_patterns(rbm, x, pv, ph).mapv_into(|f| u.mean(f))
                }
                None => rbm.hidden_mean(x),
            };
            standardize_features(mean(train).view(), mean(test).view())
        }
        ProbeFeatures::SampledState => {
            let m = rbm.to_f32();
            let plan = crate::sample::FieldPlan::new(&m, crate::kernels::Kernels::Auto);
            let plan = match patterns {
                Some((pv, ph)) => plan.with_patterns(pv, ph),
                None => plan,
            };
            let sample = |x: ArrayView2<'_, f64>, name: &str| {
                let mut rngs = seed.named(name).streams(x.nrows());
                let mut h = Array2::<f32>::zeros((x.nrows(), rbm.n_hidden()));
                plan.sample_hidden(x.mapv(|v| v as f32).view(), &mut h, &mut rngs);
                h.mapv(f64::from)
            };
            (sample(train, "train"), sample(test, "test"))
        }
    };
    let fit = fit_logreg(ftr.view(), train_labels, params)?;
    Ok(ProbeFit {
        train_accuracy: softmax_accuracy(&fit.weights, ftr.view(), train_labels),
        test_accuracy: softmax_accuracy(&fit.weights, fte.view(), test_labels),
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn lbfgs_logistic_regression_reaches_a_stationary_point() {
        // 3 noisy classes in 4 dimensions: the fit must report convergence, its gradient (checked
        // here by finite differences of the loss) must vanish, and a perturbation of the weights
        // must not lower the loss
        let mut rng = Seed(4).stream(0);
        let n = 300;
        let y: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
        let x = Array2::from_shape_fn((n, 4), |(i, j)| {
            let centre = if j == (i % 3) { 1.0 } else { 0.0 };
            centre + rng.random_range(-1.0..1.0)
        });
        let p = LogRegParams {
            l2: 1e-3,
            max_iter: 500,
            tol: 1e-7,
        }
        .check()
        .unwrap();
        let fit = fit_logreg(x.view(), &y, &p).unwrap();
        assert!(fit.converged && fit.grad_max < 1e-7, "{fit:?}");
        let (f0, _) = logreg_loss_grad(x.view(), &y, &fit.weights, 1e-3);
        assert!((f0 - fit.loss).abs() < 1e-12);
        for (r, c) in [(0, 0), (2, 1), (4, 2)] {
            let h = 1e-5;
            let mut wp = fit.weights.clone();
            wp[[r, c]] += h;
            let mut wm = fit.weights.clone();
            wm[[r, c]] -= h;
            let fd = (logreg_loss_grad(x.view(), &y, &wp, 1e-3).0
                - logreg_loss_grad(x.view(), &y, &wm, 1e-3).0)
                / (2.0 * h);
            assert!(fd.abs() < 1e-6, "finite-difference gradient {fd}");
            assert!(logreg_loss_grad(x.view(), &y, &wp, 1e-3).0 >= f0 - 1e-12);
        }
        assert!(softmax_accuracy(&fit.weights, x.view(), &y) > 0.6);
        // an iteration limit that is too small is reported, not hidden
        let short = LogRegParams {
            l2: 1e-3,
            max_iter: 2,
            tol: 1e-7,
        }
        .check()
        .unwrap();
        let f2 = fit_logreg(x.view(), &y, &short).unwrap();
        assert!(!f2.converged && f2.iterations == 2);
    }

    #[test]
    fn groups_cover_every_state_once() {
        for n in [1, 5, 12, 13, 20] {
            let g = groups(n);
            let total: usize = g.iter().flatten().map(|c| c.1).sum();
            assert_eq!(total, 1 << n);
            let mut starts: Vec<u64> = g.iter().flatten().map(|c| c.0).collect();
            starts.sort();
            starts.dedup();
            assert_eq!(starts.len(), g.iter().flatten().count());
        }
    }

    #[test]
    fn softmax_probe_separates_separable_classes() {
        let x = array![
            [1.0, 0.0],
            [0.9, 0.1],
            [0.0, 1.0],
            [0.1, 0.9],
            [0.8, 0.0],
            [0.0, 0.7]
        ];
        let y = [0u8, 0, 1, 1, 0, 1];
        let p = ProbeParams {
            standardize: false,
            epochs: 300,
            lr: 0.5,
            l2: 0.0,
            batch_size: 3,
        }
        .check()
        .unwrap();
        let w = fit_softmax(x.view(), &y, &p, Seed(1)).unwrap();
        assert_eq!(softmax_accuracy(&w, x.view(), &y), 1.0);
    }

    #[test]
    fn probe_reads_saturated_hidden_units() {
        // 0/1 hidden units with bias 5 and couplings ±0.05 to the first visible spin, whose sign is
        // the label: E[h|v] = σ(5 ± 0.05) differs between the classes only in the fourth decimal,
        // yet the classes are perfectly separable. The standardized probe must find that; plain
        // SGD on the raw means (the probe before standardization) stays near chance.
        let units = crate::model::UnitsSpec {
            visible: Units::Spin,
            hidden: Units::Bit,
            biases: true,
        };
        let w = array![[0.05, -0.05, 0.05], [0.0, 0.0, 0.0]];
        let rbm = Rbm::with_biases(units, w, array![0.0, 0.0], array![5.0, 5.0, 5.0]).unwrap();
        let mut rng = Seed(3).stream(0);
        let n = 200;
        let y: Vec<u8> = (0..n).map(|_| rng.random_range(0..2u8)).collect();
        let x = Array2::from_shape_fn((n, 2), |(r, c)| {
            if c == 0 {
                2.0 * f64::from(y[r]) - 1.0
            } else if rng.random_range(0..2u8) == 1 {
                1.0
            } else {
                -1.0
            }
        });
        let p = ProbeParams {
            epochs: 10,
            ..ProbeParams::default()
        };
        let r = probe(
            &rbm,
            x.view(),
            &y,
            x.view(),
            &y,
            &p.check().unwrap(),
            Seed(0),
            None,
        )
        .unwrap();
        assert!(r.test_accuracy > 0.99, "standardized: {}", r.test_accuracy);
        let raw = ProbeParams {
            standardize: false,
            ..p
        };
        let r = probe(
            &rbm,
            x.view(),
            &y,
            x.view(),
            &y,
            &raw.check().unwrap(),
            Seed(0),
            None,
        )
        .unwrap();
        assert!(r.test_accuracy < 0.8, "raw features: {}", r.test_accuracy);
    }
}
