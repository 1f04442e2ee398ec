//! Single-precision block Gibbs sampling: fields by matrix products (faer), a vectorizable
//! logistic, and one RNG stream per row (chain), so results do not depend on the thread count.
//!
//! Conventions: a state batch is `(n_rows, n_units)` f32 with entries in the layer's values (±1 or
//! 0/1); one Gibbs step is `h ~ p(h|v)` then `v ~ p(v|h)`. The model type is
//! [`crate::model::Rbm32`]; this module adds its sampling methods.

use crate::kernels::{self, ActiveLists, Kernels};
use crate::linalg::gemm;
use crate::model::Rbm32;
use faer::Par;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rand::Rng;
use rayon::prelude::*;
use spinlearn_core::{Seed, SpinRng, Units};
use std::sync::OnceLock;

/// `exp(x)` in f32 by range reduction and a degree-6 polynomial (relative error < 3e-7 on
/// [-87, 88]; saturates outside), written branch-free so that loops over slices vectorize.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // round to nearest by the 1.5·2^23 trick: no libm call, so loops vectorize
    const MAGIC: f32 = 12_582_912.0;
    let k = x * std::f32::consts::LOG2_E + MAGIC;
    let n = k - MAGIC;
    // Cody-Waite: ln 2 split into a part exact in f32 and a remainder.
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67
                    + r * (0.041_666_668 + r * (0.008_333_334 + r * 0.001_388_889)))));
    // n as an integer from the bits of k (k = 1.5·2^23 + n, |n| <= 127, keeps the exponent of
    // 2^23, so its low mantissa bits are 0x40_0000 + n): the same value as `n as i32` without the
    // saturating float-to-int conversion, which costs several vector instructions
    let ni = (k.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let bits = ((ni + 127) as u32) << 23;
    p * f32::from_bits(bits)
}

/// The logistic function `1 / (1 + e^{-x})` in f32 via [`fast_exp`].
#[inline(always)]
pub fn fast_logistic(x: f32) -> f32 {
    1.0 / (1.0 + fast_exp(-x))
}

/// Fills `buf` with uniform f32 numbers in `[0, 1)` (24 random bits each, two per `next_u64`).
#[inline]
pub fn fill_uniform<R: Rng + ?Sized>(rng: &mut R, buf: &mut [f32]) {
    const S: f32 = 1.0 / (1u32 << 24) as f32;
    let mut chunks = buf.chunks_exact_mut(2);
    for c in &mut chunks {
        let x = rng.next_u64();
        c[0] = ((x >> 40) as u32) as f32 * S;
        c[1] = (((x >> 8) & 0xFF_FFFF) as u32) as f32 * S;
    }
    for c in chunks.into_remainder() {
        c.clone_from(&(((rng.next_u64() >> 40) as u32) as f32 * S));
    }
}

/// Probability of the high state from a field (spins: `σ(2x)`, bits: `σ(x)`).
#[inline(always)]
fn p_high_scale(units: Units) -> f32 {
    match units {
        Units::Spin => 2.0,
        Units::Bit => 1.0,
    }
}

#[inline(always)]
fn mean_kernel(xs: &mut [f32], s: f32, lo: f32) {
    for xi in xs.iter_mut() {
        let p = fast_logistic(s * *xi);
        *xi = lo + (1.0 - lo) * p;
    }
}

#[inline(always)]
fn sample_kernel(xs: &mut [f32], u: &[f32], s: f32, lo: f32) {
    for (xi, &ui) in xs.iter_mut().zip(u.iter()) {
        let p = fast_logistic(s * *xi);
        *xi = if ui < p { 1.0 } else { lo };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn mean_kernel_avx2(xs: &mut [f32], s: f32, lo: f32) {
    mean_kernel(xs, s, lo)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sample_kernel_avx2(xs: &mut [f32], u: &[f32], s: f32, lo: f32) {
    sample_kernel(xs, u, s, lo)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn mean_kernel_avx512(xs: &mut [f32], s: f32, lo: f32) {
    mean_kernel(xs, s, lo)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sample_kernel_avx512(xs: &mut [f32], u: &[f32], s: f32, lo: f32) {
    sample_kernel(xs, u, s, lo)
}

fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `Σ_j log 2cosh x_j` and `Σ_j |x_j|` of one row of fields (the free energy of a ±1 RBM without
/// biases, and minus its lowest energy over `h`), as `Σ|x| + ln Π (1 + e^{-2|x|})`: per block of 64
/// fields the product is kept in eight independent f32 lanes (each lane multiplies at most eight
/// factors in (1, 2], so the block product stays below 2^64) and one `ln` is taken per block. The
/// lanes let the loop vectorize; the AVX2 path gives the same numbers as the portable one.
pub fn row_log_2cosh(row: &[f32]) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: AVX2 support was checked at run time.
        return unsafe { row_log_2cosh_avx2(row) };
    }
    row_log_2cosh_kernel(row)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn row_log_2cosh_avx2(row: &[f32]) -> (f64, f64) {
    row_log_2cosh_kernel(row)
}

#[inline(always)]
fn row_log_2cosh_kernel(row: &[f32]) -> (f64, f64) {
    const L: usize = 8;
    let mut abs_sum = 0.0f64;
    let mut log_sum = 0.0f64;
    for block in row.chunks(64) {
        let mut prod = [1.0f32; L];
        let mut a_sum = [0.0f32; L];
        let mut lanes = block.chunks_exact(L);
        for c in &mut lanes {
            for l in 0..L {
                let a = c[l].abs();
                a_sum[l] += a;
                prod[l] *= 1.0 + fast_exp(-2.0 * a);
            }
        }
        for (l, &x) in lanes.remainder().iter().enumerate() {
            let a = x.abs();
            a_sum[l] += a;
            prod[l] *= 1.0 + fast_exp(-2.0 * a);
        }
        let p: f32 = prod.iter().product();
        let a: f32 = a_sum.iter().sum();
        abs_sum += f64::from(a);
        log_sum += f64::from(p).ln();
    }
    (abs_sum + log_sum, abs_sum)
}

/// Conditional means of a slice of fields. The AVX-512 and AVX2 paths compute exactly the same
/// numbers as the portable one (no fused multiply-adds), they only process 16 or 8 lanes at a time.
fn mean_slice(xs: &mut [f32], s: f32, lo: f32) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F support was checked at run time.
        return unsafe { mean_kernel_avx512(xs, s, lo) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: AVX2 support was checked at run time.
        return unsafe { mean_kernel_avx2(xs, s, lo) };
    }
    mean_kernel(xs, s, lo)
}

fn sample_slice(xs: &mut [f32], u: &[f32], s: f32, lo: f32) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: AVX-512F support was checked at run time.
        return unsafe { sample_kernel_avx512(xs, u, s, lo) };
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: AVX2 support was checked at run time.
        return unsafe { sample_kernel_avx2(xs, u, s, lo) };
    }
    sample_kernel(xs, u, s, lo)
}

/// Replaces fields by conditional means in place (`tanh` for spins, logistic for bits).
pub fn mean_inplace(mut x: ArrayViewMut2<'_, f32>, units: Units) {
    let s = p_high_scale(units);
    let lo = units.low() as f32;
    match x.as_slice_mut() {
        Some(sl) => sl.par_chunks_mut(8192).for_each(|c| mean_slice(c, s, lo)),
        None => x.rows_mut().into_iter().for_each(|mut r| {
            let mut tmp = r.to_vec();
            mean_slice(&mut tmp, s, lo);
            r.assign(&ndarray::ArrayView1::from(&tmp));
        }),
    }
}

/// Replaces fields `(n_rows, n_units)` by samples in place, row `r` drawing from `rngs[r]`.
pub fn sample_inplace(mut x: ArrayViewMut2<'_, f32>, units: Units, rngs: &mut [SpinRng]) {
    assert_eq!(x.nrows(), rngs.len(), "one RNG stream per row");
    let s = p_high_scale(units);
    let lo = units.low() as f32;
    let n = x.ncols();
    if n == 0 {
        return;
    }
    let row_fn = |u: &mut Vec<f32>, row: &mut [f32], rng: &mut SpinRng| {
        fill_uniform(rng, u);
        sample_slice(row, u, s, lo);
    };
    match x.as_slice_mut() {
        Some(sl) => sl
            .par_chunks_mut(n)
            .zip(rngs.par_iter_mut())
            .with_min_len(8)
            .for_each_init(|| vec![0f32; n], |u, (row, rng)| row_fn(u, row, rng)),
        None => {
            let mut u = vec![0f32; n];
            for (mut row, rng) in x.rows_mut().into_iter().zip(rngs.iter_mut()) {
                let mut tmp = row.to_vec();
                row_fn(&mut u, &mut tmp, rng);
                row.assign(&ndarray::ArrayView1::from(&tmp));
            }
        }
    }
}

/// Rows per task when a batch of states is split over threads. It depends on the number of rows
/// only (at most 64 rows, chunks of equal size), so every product, every draw and hence every
/// result is the same whatever the number of threads.
pub fn row_chunk_len(n_rows: usize) -> usize {
    let chunks = n_rows.div_ceil(64).max(1);
    n_rows.div_ceil(chunks).max(1)
}

/// Applies `f` to matching chunks of rows of `x` and `out` ([`row_chunk_len`]), in parallel.
/// `f` receives the index of the chunk's first row.
fn by_row_chunks(
    x: ArrayView2<'_, f32>,
    mut out: ArrayViewMut2<'_, f32>,
    f: impl Fn(usize, ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) + Sync,
) {
    assert_eq!(x.nrows(), out.nrows(), "rows differ");
    let cl = row_chunk_len(x.nrows());
    if x.nrows() <= cl {
        return f(0, x, out);
    }
    let tasks: Vec<_> = x
        .axis_chunks_iter(Axis(0), cl)
        .zip(out.axis_chunks_iter_mut(Axis(0), cl))
        .enumerate()
        .collect();
    tasks
        .into_par_iter()
        .for_each(|(c, (x, o))| f(c * cl, x, o));
}

/// What a field product of one chunk of rows knows of its batch's lists.
#[derive(Clone, Copy)]
enum Pre<'l> {
    /// Nothing: the chunk builds its own lists and decides.
    Unknown,
    /// The batch is dense or not binary: the dense product.
    Dense,
    /// Gather with the batch's lists, this chunk starting at the given row.
    Gather(&'l ActiveLists, usize),
}

impl<'l> Pre<'l> {
    /// From [`FieldPlan::batch_lists`] for the chunk starting at row `r0`.
    fn of(lists: &'l Option<Option<ActiveLists>>, r0: usize) -> Pre<'l> {
        match lists {
            None => Pre::Unknown,
            Some(None) => Pre::Dense,
            Some(Some(l)) => Pre::Gather(l, r0),
        }
    }
}

/// Samples a chunk of fields `(rows, units)` in place, row `r` from `rngs[r]`, on this thread.
fn sample_rows(mut x: ArrayViewMut2<'_, f32>, units: Units, rngs: &mut [SpinRng], u: &mut [f32]) {
    let (s, lo) = (p_high_scale(units), units.low() as f32);
    let n = x.ncols();
    let u = &mut u[..n];
    for (mut row, rng) in x.rows_mut().into_iter().zip(rngs.iter_mut()) {
        fill_uniform(rng, u);
        match row.as_slice_mut() {
            Some(r) => sample_slice(r, u, s, lo),
            None => {
                let mut tmp = row.to_vec();
                sample_slice(&mut tmp, u, s, lo);
                row.assign(&ndarray::ArrayView1::from(&tmp));
            }
        }
    }
}

/// Replaces a chunk of fields by conditional means, on this thread.
fn mean_rows(mut x: ArrayViewMut2<'_, f32>, units: Units) {
    let (s, lo) = (p_high_scale(units), units.low() as f32);
    match x.as_slice_mut() {
        Some(sl) => mean_slice(sl, s, lo),
        None => x.rows_mut().into_iter().for_each(|mut r| {
            let mut tmp = r.to_vec();
            mean_slice(&mut tmp, s, lo);
            r.assign(&ndarray::ArrayView1::from(&tmp));
        }),
    }
}

/// Rows of fields a call must compute before a gather through dense weights may make its copy of
/// `W` or `Wᵀ` in panels ([`kernels::Panels`]): the copy costs about as much as a dense product of a
/// few rows, so short calls keep the dense product.
pub const MIN_ROWS_FOR_PANELS: usize = 64;

/// How the fields of an f32 model are computed: dense products through `W`, binary gathers
/// ([`crate::kernels`]) where a state batch is binary and sparse enough, and, for RA models given
/// their patterns ([`FieldPlan::with_patterns`]), products through the patterns
/// `v W = ((v ξ_vᵀ) ξ_h) / √K` whenever `(n_visible + n_hidden) K < n_visible n_hidden`. Copies the
/// plan needs (`W` and `Wᵀ` in panels, with their sums of rows) are made once per plan, on first use, so
/// build one plan per parameter update and reuse it for every product of that update.
///
/// Every output row is computed by the same operations whatever the chunking of rows, so results
/// do not depend on the number of threads.
pub struct FieldPlan<'a> {
    model: &'a Rbm32,
    kernels: Kernels,
    w_panels: OnceLock<kernels::Panels<f32>>,
    wt_panels: OnceLock<kernels::Panels<f32>>,
    low_rank: Option<LowRank>,
}

/// The patterns of an RA model laid out for the products through them.
struct LowRank {
    /// `ξ_vᵀ (n_visible, K)`, and in panels.
    pvt: (Array2<f32>, kernels::Panels<f32>),
    /// `ξ_hᵀ (n_hidden, K)`, and in panels.
    pht: (Array2<f32>, kernels::Panels<f32>),
    /// `ξ_v (K, n_visible)`.
    pv: Array2<f32>,
    /// `ξ_h (K, n_hidden)`.
    ph: Array2<f32>,
    /// `1 / √K`.
    scale: f32,
}

impl<'a> FieldPlan<'a> {
    /// A plan for `model` (dense weights) with the given kernels.
    pub fn new(model: &'a Rbm32, kernels: Kernels) -> FieldPlan<'a> {
        FieldPlan {
            model,
            kernels,
            w_panels: OnceLock::new(),
            wt_panels: OnceLock::new(),
            low_rank: None,
        }
    }

    /// Fields through the RA patterns `ξ_v (K, n_visible)`, `ξ_h (K, n_hidden)` (004 eq. 5: the
    /// model's weights must equal `ξ_vᵀ ξ_h / √K`) when the kernels are [`Kernels::Auto`] and
    /// `(n_visible + n_hidden) K < n_visible n_hidden`; otherwise the plan is unchanged.
    pub fn with_patterns(mut self, pv: ArrayView2<'_, f32>, ph: ArrayView2<'_, f32>) -> Self {
        let (nv, nh, k) = (self.model.n_visible(), self.model.n_hidden(), pv.nrows());
        assert_eq!(
            (pv.ncols(), ph.dim()),
            (nv, (k, nh)),
            "patterns do not fit the model"
        );
        if self.kernels == Kernels::Auto && (nv + nh) * k < nv * nh {
            let pvt = kernels::transpose(pv);
            let pht = kernels::transpose(ph);
            let (sv, sh) = (
                kernels::Panels::of(pvt.view()),
                kernels::Panels::of(pht.view()),
            );
            self.low_rank = Some(LowRank {
                pvt: (pvt, sv),
                pht: (pht, sh),
                pv: pv.as_standard_layout().into_owned(),
                ph: ph.as_standard_layout().into_owned(),
                scale: 1.0 / (k as f32).sqrt(),
            });
        }
        self
    }

    /// Gives the plan the panels of `W` (a [`kernels::Panels`] copy of this model's weights, e.g.
    /// kept up to date by the trainer's weight step) instead of making its own on first use.
    /// Panels of another shape are dropped; the caller is responsible for their entries being
    /// this model's weights.
    pub fn with_w_panels(self, panels: Option<kernels::Panels<f32>>) -> Self {
        let m = self.model;
        if let Some(p) = panels.filter(|p| (p.rows(), p.cols()) == m.weights.dim()) {
            let _ = self.w_panels.set(p);
        }
        self
    }

    /// The panels of `W` this plan made or was given, if any (to keep them across updates).
    pub fn into_w_panels(self) -> Option<kernels::Panels<f32>> {
        self.w_panels.into_inner()
    }

    /// Whether the fields go through RA patterns.
    pub fn uses_patterns(&self) -> bool {
        self.low_rank.is_some()
    }

    /// The model.
    pub fn model(&self) -> &Rbm32 {
        self.model
    }

    fn lists(&self, x: ArrayView2<'_, f32>) -> Option<ActiveLists> {
        if self.kernels == Kernels::Dense {
            return None;
        }
        ActiveLists::of_rows(x).filter(kernels::use_gather)
    }

    /// `out = beta (v W + b)` on this thread (`Par::Seq`). A gather through dense weights needs
    /// `W` in panels; the copy is made only when `rows` (all the rows this plan's call handles)
    /// are enough to repay it ([`MIN_ROWS_FOR_PANELS`]) or it exists already.
    fn hidden_field_seq(
        &self,
        v: ArrayView2<'_, f32>,
        mut out: ArrayViewMut2<'_, f32>,
        beta: f32,
        rows: usize,
        pre: Pre<'_>,
    ) {
        let m = self.model;
        let panels_ok =
            self.low_rank.is_some() || rows >= MIN_ROWS_FOR_PANELS || self.w_panels.get().is_some();
        let owned;
        let (lists, offset) = match pre {
            Pre::Unknown => {
                owned = if panels_ok { self.lists(v) } else { None };
                (owned.as_ref(), 0)
            }
            Pre::Dense => (None, 0),
            Pre::Gather(l, r0) => (Some(l), r0),
        };
        if let Some(lr) = &self.low_rank {
            let a = self.project(v, lists, offset, &lr.pvt);
            return through_patterns(
                &m.hidden_bias,
                m.units.biases,
                a.view(),
                lr.ph.view(),
                lr.scale,
                out,
                beta,
            );
        }
        let bias = m.units.biases.then(|| (&m.hidden_bias * beta).to_vec());
        match lists {
            Some(l) => {
                let p = self
                    .w_panels
                    .get_or_init(|| kernels::Panels::of(m.weights.view()));
                let n = v.nrows();
                kernels::gather(l, offset..offset + n, p, out, beta, bias.as_deref());
            }
            None => {
                if let Some(b) = &bias {
                    let b = ndarray::ArrayView1::from(b);
                    out.rows_mut().into_iter().for_each(|mut r| r.assign(&b));
                }
                gemm(out, bias.is_some(), v, m.weights.view(), beta, Par::Seq);
            }
        }
    }

    /// `out = beta (h Wᵀ + a)` on this thread (`Par::Seq`). A gather through dense weights needs
    /// `Wᵀ` in panels; the copy is made only when `rows` (all the rows this plan's call handles)
    /// are enough to repay it ([`MIN_ROWS_FOR_PANELS`]) or it exists already.
    fn visible_field_seq(
        &self,
        h: ArrayView2<'_, f32>,
        mut out: ArrayViewMut2<'_, f32>,
        beta: f32,
        rows: usize,
        pre: Pre<'_>,
    ) {
        let m = self.model;
        let panels_ok = self.low_rank.is_some()
            || rows >= MIN_ROWS_FOR_PANELS
            || self.wt_panels.get().is_some();
        let owned;
        let (lists, offset) = match pre {
            Pre::Unknown => {
                owned = if panels_ok { self.lists(h) } else { None };
                (owned.as_ref(), 0)
            }
            Pre::Dense => (None, 0),
            Pre::Gather(l, r0) => (Some(l), r0),
        };
        if let Some(lr) = &self.low_rank {
            let a = self.project(h, lists, offset, &lr.pht);
            return through_patterns(
                &m.visible_bias,
                m.units.biases,
                a.view(),
                lr.pv.view(),
                lr.scale,
                out,
                beta,
            );
        }
        let bias = m.units.biases.then(|| (&m.visible_bias * beta).to_vec());
        match lists {
            Some(l) => {
                let p = self
                    .wt_panels
                    .get_or_init(|| kernels::Panels::of(m.weights.t()));
                let n = h.nrows();
                kernels::gather(l, offset..offset + n, p, out, beta, bias.as_deref());
            }
            None => {
                if let Some(b) = &bias {
                    let b = ndarray::ArrayView1::from(b);
                    out.rows_mut().into_iter().for_each(|mut r| r.assign(&b));
                }
                gemm(out, bias.is_some(), h, m.weights.t(), beta, Par::Seq);
            }
        }
    }

    /// `x ξᵀ (n, K)` from `ξᵀ` with contiguous rows: a gather when `lists` are given.
    fn project(
        &self,
        x: ArrayView2<'_, f32>,
        lists: Option<&ActiveLists>,
        offset: usize,
        pt: &(Array2<f32>, kernels::Panels<f32>),
    ) -> Array2<f32> {
        let mut a = Array2::<f32>::zeros((x.nrows(), pt.0.ncols()));
        match lists {
            Some(l) => {
                let n = x.nrows();
                kernels::gather(l, offset..offset + n, &pt.1, a.view_mut(), 1.0, None)
            }
            None => gemm(a.view_mut(), false, x, pt.0.view(), 1.0, Par::Seq),
        }
        a
    }

    /// `out = beta (v W + b)`, `v (n, n_visible)`, `out (n, n_hidden)`; rows are split into fixed
    /// chunks ([`row_chunk_len`]) computed in parallel, each on one thread.
    pub fn hidden_field_into(
        &self,
        v: ArrayView2<'_, f32>,
        out: ArrayViewMut2<'_, f32>,
        beta: f32,
    ) {
        let rows = v.nrows();
        let lists = self.batch_lists(v, &self.w_panels, || self.model.weights.view());
        by_row_chunks(v, out, |r0, v, o| {
            self.hidden_field_seq(v, o, beta, rows, Pre::of(&lists, r0))
        });
    }

    /// The lists of a whole batch `x` for the gather through `W` (or `Wᵀ`), built once and shared
    /// by the row chunks; when the gather applies the panels (`cell`, a copy of `table()`) are
    /// made here, in parallel, before the chunks start (made inside a chunk, the other chunks
    /// would wait for it). `None` when the plan goes through patterns, or when the batch is too
    /// short to repay the copy (then each chunk decides, as in the Gibbs chains).
    fn batch_lists<'t>(
        &self,
        x: ArrayView2<'_, f32>,
        cell: &OnceLock<kernels::Panels<f32>>,
        table: impl FnOnce() -> ArrayView2<'t, f32>,
    ) -> Option<Option<ActiveLists>> {
        if self.low_rank.is_some() || (x.nrows() < MIN_ROWS_FOR_PANELS && cell.get().is_none()) {
            return None;
        }
        let lists = self.lists(x);
        if lists.is_some() {
            cell.get_or_init(|| kernels::Panels::of(table()));
        }
        Some(lists)
    }

    /// `out = beta (h Wᵀ + a)`, `h (n, n_hidden)`, `out (n, n_visible)`; fixed row chunks in
    /// parallel as in [`FieldPlan::hidden_field_into`].
    pub fn visible_field_into(
        &self,
        h: ArrayView2<'_, f32>,
        out: ArrayViewMut2<'_, f32>,
        beta: f32,
    ) {
        let rows = h.nrows();
        let lists = self.batch_lists(h, &self.wt_panels, || self.model.weights.t());
        by_row_chunks(h, out, |r0, h, o| {
            self.visible_field_seq(h, o, beta, rows, Pre::of(&lists, r0))
        });
    }

    /// The chain of one chunk of rows, on this thread: optionally `h ~ p(h = high) = start` then
    /// `v ~ p(v|h)` (CD's first half step), `steps` block Gibbs steps, and at the end either the
    /// last hidden sample or (with `means`) `E[h | v]` in `h`.
    #[allow(clippy::too_many_arguments)]
    fn chain_chunk(
        &self,
        mut v: ArrayViewMut2<'_, f32>,
        mut h: ArrayViewMut2<'_, f32>,
        start_from_hidden_means: bool,
        steps: usize,
        means: bool,
        rows: usize,
        rngs: &mut [SpinRng],
        u: &mut [f32],
    ) {
        let (hu, vu) = (self.model.units.hidden, self.model.units.visible);
        if start_from_hidden_means {
            let lo = hu.low() as f32;
            let n = h.ncols();
            for (mut row, rng) in h.rows_mut().into_iter().zip(rngs.iter_mut()) {
                fill_uniform(rng, &mut u[..n]);
                for (xi, &ui) in row.iter_mut().zip(u.iter()) {
                    let p = (*xi - lo) / (1.0 - lo);
                    *xi = if ui < p { 1.0 } else { lo };
                }
            }
            self.visible_field_seq(h.view(), v.view_mut(), 1.0, rows, Pre::Unknown);
            sample_rows(v.view_mut(), vu, rngs, u);
        }
        for _ in 0..steps {
            self.hidden_field_seq(v.view(), h.view_mut(), 1.0, rows, Pre::Unknown);
            sample_rows(h.view_mut(), hu, rngs, u);
            self.visible_field_seq(h.view(), v.view_mut(), 1.0, rows, Pre::Unknown);
            sample_rows(v.view_mut(), vu, rngs, u);
        }
        if means {
            self.hidden_field_seq(v.view(), h.view_mut(), 1.0, rows, Pre::Unknown);
            mean_rows(h.view_mut(), hu);
        }
    }

    /// Runs [`Rbm32::chain_chunk`] over fixed row chunks in parallel.
    fn chains(
        &self,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        start_from_hidden_means: bool,
        steps: usize,
        means: bool,
        rngs: &mut [SpinRng],
    ) {
        assert_eq!(v.nrows(), rngs.len(), "one RNG stream per chain");
        assert_eq!(h.dim(), (v.nrows(), self.model.n_hidden()), "hidden shape");
        let cl = row_chunk_len(v.nrows());
        let rows = v.nrows() * steps.max(1);
        let width = self.model.n_visible().max(self.model.n_hidden());
        let tasks: Vec<_> = v
            .axis_chunks_iter_mut(Axis(0), cl)
            .zip(h.axis_chunks_iter_mut(Axis(0), cl))
            .zip(rngs.chunks_mut(cl))
            .collect();
        tasks.into_par_iter().for_each(|((v, h), rngs)| {
            let mut u = vec![0f32; width];
            self.chain_chunk(
                v,
                h,
                start_from_hidden_means,
                steps,
                means,
                rows,
                rngs,
                &mut u,
            );
        });
    }

    /// `steps` block Gibbs steps from `v` (in place), then `hmean = E[h | v]` of the final states;
    /// row `r` draws from `rngs[r]`. Fused per fixed chunk of rows (PCD's negative phase).
    pub fn gibbs_then_means(
        &self,
        v: &mut Array2<f32>,
        hmean: &mut Array2<f32>,
        steps: usize,
        rngs: &mut [SpinRng],
    ) {
        if hmean.dim() != (v.nrows(), self.model.n_hidden()) {
            *hmean = Array2::zeros((v.nrows(), self.model.n_hidden()));
        }
        self.chains(v, hmean, false, steps, true, rngs);
    }

    /// CD-k from the hidden means of the data: on entry `h` holds `E[h | data]`; draws
    /// `h ~ p(h = high) = E[h | data]`, `v ~ p(v | h)`, runs `k - 1` more Gibbs steps and leaves the
    /// final visible states in `v` and `E[h | v]` in `h`. Fused per fixed chunk of rows.
    pub fn cd_from_hidden_means(
        &self,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        k: usize,
        rngs: &mut [SpinRng],
    ) {
        assert!(k >= 1, "CD needs k >= 1");
        if v.dim() != (h.nrows(), self.model.n_visible()) {
            *v = Array2::zeros((h.nrows(), self.model.n_visible()));
        }
        self.chains(v, h, true, k - 1, true, rngs);
    }

    /// Samples `h ~ p(h | v)` into `h`.
    pub fn sample_hidden(&self, v: ArrayView2<'_, f32>, h: &mut Array2<f32>, rngs: &mut [SpinRng]) {
        self.hidden_field_into(v, h.view_mut(), 1.0);
        sample_inplace(h.view_mut(), self.model.units.hidden, rngs);
    }

    /// Samples `v ~ p(v | h)` into `v`.
    pub fn sample_visible(
        &self,
        h: ArrayView2<'_, f32>,
        v: &mut Array2<f32>,
        rngs: &mut [SpinRng],
    ) {
        self.visible_field_into(h, v.view_mut(), 1.0);
        sample_inplace(v.view_mut(), self.model.units.visible, rngs);
    }

    /// `E[h | v]` into `h`.
    pub fn hidden_mean_into(&self, v: ArrayView2<'_, f32>, h: &mut Array2<f32>) {
        let rows = v.nrows();
        let lists = self.batch_lists(v, &self.w_panels, || self.model.weights.view());
        let units = self.model.units.hidden;
        by_row_chunks(v, h.view_mut(), |r0, v, mut o| {
            self.hidden_field_seq(v, o.view_mut(), 1.0, rows, Pre::of(&lists, r0));
            mean_rows(o, units);
        });
    }

    /// `E[v | h]` into `v`.
    pub fn visible_mean_into(&self, h: ArrayView2<'_, f32>, v: &mut Array2<f32>) {
        let rows = h.nrows();
        let lists = self.batch_lists(h, &self.wt_panels, || self.model.weights.t());
        let units = self.model.units.visible;
        by_row_chunks(h, v.view_mut(), |r0, h, mut o| {
            self.visible_field_seq(h, o.view_mut(), 1.0, rows, Pre::of(&lists, r0));
            mean_rows(o, units);
        });
    }

    /// `steps` block Gibbs steps from the visible states `v` (updated in place); `h` receives the
    /// last hidden sample. Row `r` draws from `rngs[r]`.
    pub fn gibbs(
        &self,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        steps: usize,
        rngs: &mut [SpinRng],
    ) {
        if h.dim() != (v.nrows(), self.model.n_hidden()) {
            *h = Array2::zeros((v.nrows(), self.model.n_hidden()));
        }
        self.chains(v, h, false, steps, false, rngs);
    }
}

/// `out = beta (a ξ + bias)` with `a = x ξ'ᵀ` already formed: `(n, K) (K, n_out)`.
fn through_patterns(
    bias: &ndarray::Array1<f32>,
    biases: bool,
    a: ArrayView2<'_, f32>,
    p: ArrayView2<'_, f32>,
    scale: f32,
    mut out: ArrayViewMut2<'_, f32>,
    beta: f32,
) {
    if biases {
        let b = bias * beta;
        out.rows_mut().into_iter().for_each(|mut r| r.assign(&b));
    }
    gemm(out, biases, a, p, beta * scale, Par::Seq);
}

impl Rbm32 {
    /// A [`FieldPlan`] for this model (dense weights) with the given kernels.
    pub fn fields(&self, kernels: Kernels) -> FieldPlan<'_> {
        FieldPlan::new(self, kernels)
    }

    /// `out = beta (v W + b)`, `v (n, n_visible)`, `out (n, n_hidden)`; rows are split into fixed
    /// chunks ([`row_chunk_len`]) computed in parallel (see [`FieldPlan`]).
    pub fn hidden_field_into(
        &self,
        v: ArrayView2<'_, f32>,
        out: ArrayViewMut2<'_, f32>,
        beta: f32,
    ) {
        self.fields(Kernels::Auto).hidden_field_into(v, out, beta)
    }

    /// `out = beta (h Wᵀ + a)`, `h (n, n_hidden)`, `out (n, n_visible)`; fixed row chunks in
    /// parallel as in [`Rbm32::hidden_field_into`].
    pub fn visible_field_into(
        &self,
        h: ArrayView2<'_, f32>,
        out: ArrayViewMut2<'_, f32>,
        beta: f32,
    ) {
        self.fields(Kernels::Auto).visible_field_into(h, out, beta)
    }

    /// `steps` block Gibbs steps from `v` (in place), then `hmean = E[h | v]` of the final states;
    /// row `r` draws from `rngs[r]`. Fused per fixed chunk of rows (PCD's negative phase).
    pub fn gibbs_then_means(
        &self,
        v: &mut Array2<f32>,
        hmean: &mut Array2<f32>,
        steps: usize,
        rngs: &mut [SpinRng],
    ) {
        self.fields(Kernels::Auto)
            .gibbs_then_means(v, hmean, steps, rngs)
    }

    /// CD-k from the hidden means of the data (see [`FieldPlan::cd_from_hidden_means`]).
    pub fn cd_from_hidden_means(
        &self,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        k: usize,
        rngs: &mut [SpinRng],
    ) {
        self.fields(Kernels::Auto)
            .cd_from_hidden_means(v, h, k, rngs)
    }

    /// Samples `h ~ p(h | v)` into `h`.
    pub fn sample_hidden(&self, v: ArrayView2<'_, f32>, h: &mut Array2<f32>, rngs: &mut [SpinRng]) {
        self.fields(Kernels::Auto).sample_hidden(v, h, rngs)
    }

    /// Samples `v ~ p(v | h)` into `v`.
    pub fn sample_visible(
        &self,
        h: ArrayView2<'_, f32>,
        v: &mut Array2<f32>,
        rngs: &mut [SpinRng],
    ) {
        self.fields(Kernels::Auto).sample_visible(h, v, rngs)
    }

    /// `E[h | v]` into `h`.
    pub fn hidden_mean_into(&self, v: ArrayView2<'_, f32>, h: &mut Array2<f32>) {
        self.fields(Kernels::Auto).hidden_mean_into(v, h)
    }

    /// `E[v | h]` into `v`.
    pub fn visible_mean_into(&self, h: ArrayView2<'_, f32>, v: &mut Array2<f32>) {
        self.fields(Kernels::Auto).visible_mean_into(h, v)
    }

    /// `steps` block Gibbs steps from the visible states `v` (updated in place); `h` receives the
    /// last hidden sample. Row `r` draws from `rngs[r]`.
    pub fn gibbs(
        &self,
        v: &mut Array2<f32>,
        h: &mut Array2<f32>,
        steps: usize,
        rngs: &mut [SpinRng],
    ) {
        self.fields(Kernels::Auto).gibbs(v, h, steps, rngs)
    }
}

/// Samples from random starts (004 Figs. 5 and 6c): `n` chains of `steps` block Gibbs steps from
/// uniformly random visible states, chain `i` drawing from `seed.stream(i)`; returns the final
/// visible states `(n, n_visible)` in the visible units' values.
pub fn from_random_starts(rbm: &crate::Rbm, n: usize, steps: usize, seed: Seed) -> Array2<f32> {
    let m = rbm.to_f32();
    let mut rngs = seed.streams(n);
    let mut v = random_states(rbm.n_visible(), rbm.units.visible, &mut rngs);
    let mut h = Array2::<f32>::zeros((n, rbm.n_hidden()));
    m.gibbs(&mut v, &mut h, steps, &mut rngs);
    v
}

/// Uniformly random states `(n, n_units)` of a layer, row `r` from `rngs[r]`.
pub fn random_states(n_units: usize, units: Units, rngs: &mut [SpinRng]) -> Array2<f32> {
    let mut x = Array2::<f32>::zeros((rngs.len(), n_units));
    sample_inplace(x.view_mut(), units, rngs);
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_log_2cosh_matches_f64() {
        use rand::RngExt;
        let mut rng = spinlearn_core::Seed(5).stream(0);
        for len in [0usize, 1, 7, 8, 63, 64, 65, 400, 1000] {
            for scale in [0.01f32, 1.0, 30.0, 500.0] {
                let row: Vec<f32> = (0..len)
                    .map(|_| scale * (rng.random::<f32>() * 2.0 - 1.0))
                    .collect();
                let (lc, a) = row_log_2cosh(&row);
                let (rl, ra) = row.iter().fold((0.0f64, 0.0f64), |(l, s), &x| {
                    let x = f64::from(x).abs();
                    (l + x + (-2.0 * x).exp().ln_1p(), s + x)
                });
                assert!(
                    (a - ra).abs() <= 1e-6 * (1.0 + ra),
                    "{len} {scale}: {a} {ra}"
                );
                assert!(
                    (lc - rl).abs() <= 1e-5 * (1.0 + rl),
                    "{len} {scale}: {lc} {rl}"
                );
                assert_eq!((lc, a), row_log_2cosh_kernel(&row));
            }
        }
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut worst = 0f32;
        let mut x = -80.0f32;
        while x < 80.0 {
            let rel = (fast_exp(x) - x.exp()).abs() / x.exp();
            worst = worst.max(rel);
            x += 0.0137;
        }
        assert!(worst < 1e-6, "relative error {worst}");
        assert!(fast_logistic(-200.0) < 1e-37);
        assert_eq!(fast_logistic(200.0), 1.0);
        assert!((fast_logistic(0.0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn uniforms_have_the_right_moments() {
        let mut rng = spinlearn_core::Seed(3).stream(0);
        let mut buf = vec![0f32; 100_001];
        fill_uniform(&mut rng, &mut buf);
        let n = buf.len() as f64;
        let m: f64 = buf.iter().map(|&u| f64::from(u)).sum::<f64>() / n;
        let v: f64 = buf.iter().map(|&u| (f64::from(u) - m).powi(2)).sum::<f64>() / n;
        assert!(buf.iter().all(|&u| (0.0..1.0).contains(&u)));
        // sd of the mean: 0.29/sqrt(1e5) = 9e-4
        assert!((m - 0.5).abs() < 5e-3 && (v - 1.0 / 12.0).abs() < 2e-3);
    }
}
