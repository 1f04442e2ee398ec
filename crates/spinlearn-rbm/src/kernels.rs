//! Products with one binary operand, as sums of selected rows (index lists), and the choice
//! between them and the dense product.
//!
//! Every product of block Gibbs sampling and of the CD/PCD gradient has a binary operand: the
//! field `v W` of 0/1 visible states is the sum of the rows `W_i` with `v_i = 1`, or
//! `Σ_i W_i - Σ_{v_i = 0} W_i` when zeros are fewer; for ±1 states,
//! `v W = 2 Σ_{v_i = +1} W_i - Σ_i W_i = Σ_i W_i - 2 Σ_{v_i = -1} W_i`. So only the minority value
//! of each row is listed (at most half the entries). The gradient `vᵀ p` of a batch is the same
//! gather over the columns of `v`. A row of `n` table entries costs `n` additions instead of `n`
//! multiply-adds per state entry, and only the listed entries count: at the 13.6 % ink of
//! binarized MNIST that is 7x less arithmetic.
//!
//! [`ActiveLists`] holds the index lists of a batch of binary rows (built from bit masks, by
//! AVX-512 comparisons where available; column lists, for gradients, by one pass over the masks of
//! the rows); [`Panels`] lays the table out in column panels of 32 entries (two cache lines of
//! f32, aligned to them), each panel `(k, 32)` contiguous; [`gather`] runs panel by panel, so a
//! panel stays in the L1/L2 cache while every row of the batch adds its listed rows from it, each
//! into 8 register-held partial sums (AVX-512 or AVX2 chosen at run time, the same order and so the
//! same numbers as the portable code). Each output row is the same whatever the number of threads
//! or the chunking of rows. [`use_gather`] compares a batch's listed density with
//! [`GATHER_MAX_DENSITY`], measured by `spinlearn bench rbm` against faer's dense product on this
//! code's shapes. The trainer keeps its panels of `W` across updates: the weight step writes each
//! updated block of rows into them ([`Panels::row_blocks_mut`]) while it is in cache.

use ndarray::{ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};
use std::ops::{Add, Mul, Sub};

/// Which products the samplers and the trainer use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernels {
    /// Binary gathers where a state batch is binary and sparse enough ([`use_gather`]), fields of
    /// RA models through their patterns where `(n_visible + n_hidden) K < n_visible n_hidden`,
    /// dense products otherwise.
    #[default]
    Auto,
    /// Dense products through the weights only (the reference path, for benchmarks and checks).
    Dense,
}

/// Largest density of the listed entries (the minority value of each row) at which a gather
/// replaces the dense product. Measured with `spinlearn bench rbm` on a 2-core AMD EPYC (AVX-512,
/// 48 KB L1 data cache) machine: one field product 100 x 784 x 500 (one thread, the list building
/// included, the panels made beforehand) was 6x faster than faer's dense product at density 0.05,
/// 3.0x at 0.136 (the ink of binarized MNIST), 2.2x at 0.2, 1.47x at 0.3, 1.04x at 0.4 and 0.8x
/// at 0.5. But a gather through `Wᵀ` (the hidden states of CD/PCD) must first copy `Wᵀ` into
/// panels once per update, and training measured faster with the threshold at 0.2 than at 0.3
/// (PCD-1 epoch 1.37-1.43x the dense path against 1.08-1.26x, three runs each, interleaved).
pub const GATHER_MAX_DENSITY: f64 = 0.2;

/// Whether a gather over `lists` is expected to beat the dense product.
pub fn use_gather(lists: &ActiveLists) -> bool {
    lists.density() <= GATHER_MAX_DENSITY
}

/// f32 or f64.
pub trait Real:
    Copy
    + Send
    + Sync
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + std::ops::AddAssign
    + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// -1.
    const MINUS_ONE: Self;
    /// 2.
    const TWO: Self;

    /// [`row_masks_portable`], with the fastest code for this type.
    fn row_masks(row: &[Self], low: Self, ones: &mut [u64], lows: &mut [u64]) {
        row_masks_portable(row, low, ones, lows)
    }

    /// [`gather`] into a contiguous output, with the code of this type (a generic body does not
    /// vectorize).
    fn gather_slice(
        lists: &ActiveLists,
        rows: std::ops::Range<usize>,
        table: &Panels<Self>,
        out: &mut [Self],
        alpha: Self,
        bias: Option<&[Self]>,
    );
}

/// The gather of one element type: `$sum` sums the listed rows of one panel in `$a` partial sums
/// (entry `t` of the list into partial sum `t mod $a`, in list order, then the partial sums added
/// pairwise: `s_t += s_{t + A/2}`, then `A/4`, ...); `$run` is the loop over panels and rows, built
/// for AVX-512 and AVX2 (chosen at run time) and portable. The builds run the same code (no fused
/// multiply-adds, the same order), so they give the same numbers.
macro_rules! gather_impl {
    ($t:ty, $a:expr, $sum:ident, $run:ident, $avx512:ident, $avx2:ident, $dispatch:ident,
     $sum512:path, $sum2:path) => {
        #[inline(always)]
        fn $sum(panel: &[$t], list: &[u32]) -> [$t; PANEL] {
            const A: usize = $a;
            let mut a = [[0.0 as $t; PANEL]; A];
            let mut q = list.chunks_exact(A);
            for c in &mut q {
                for t in 0..A {
                    let r: &[$t; PANEL] = panel
                        [c[t] as usize * PANEL..c[t] as usize * PANEL + PANEL]
                        .try_into()
                        .expect("a panel row");
                    for x in 0..PANEL {
                        a[t][x] += r[x];
                    }
                }
            }
            for (t, &i) in q.remainder().iter().enumerate() {
                let r: &[$t; PANEL] = panel[i as usize * PANEL..i as usize * PANEL + PANEL]
                    .try_into()
                    .expect("a panel row");
                for x in 0..PANEL {
                    a[t][x] += r[x];
                }
            }
            let mut w = A;
            while w > 1 {
                w /= 2;
                for t in 0..w {
                    for x in 0..PANEL {
                        a[t][x] += a[t + w][x];
                    }
                }
            }
            a[0]
        }

        #[inline(always)]
        fn $run(
            lists: &ActiveLists,
            rows: std::ops::Range<usize>,
            table: &Panels<$t>,
            out: &mut [$t],
            alpha: $t,
            bias: Option<&[$t]>,
            sum_rows: impl Fn(&[$t], &[u32]) -> [$t; PANEL],
        ) {
            let (k, n) = (table.k, table.n);
            // the panel sums read the listed rows unchecked: every entry is below `lists.len`
            assert_eq!(
                k, lists.len,
                "gather: table rows differ from the list length"
            );
            // the table's row sum enters only where the low value is listed (always for ±1)
            let need_sum = lists.spins || rows.clone().any(|r| lists.low_listed[r]);
            let sums: &[$t] = if need_sum { table.sum() } else { &[] };
            for (p, panel) in flat(&table.data).chunks_exact(k * PANEL).enumerate() {
                let c0 = p * PANEL;
                let w = (n - c0).min(PANEL);
                let sum = if need_sum { &sums[c0..c0 + w] } else { &[] };
                for (j, r) in rows.clone().enumerate() {
                    let acc = sum_rows(panel, lists.list(r));
                    let (c, d) = match (lists.spins, lists.low_listed[r]) {
                        // 0/1: Σ_1, or S - Σ_0
                        (false, false) => (alpha, 0.0),
                        (false, true) => (-alpha, alpha),
                        // ±1: S - 2 Σ_-, or 2 Σ_+ - S
                        (true, true) => (-2.0 * alpha, alpha),
                        (true, false) => (2.0 * alpha, -alpha),
                    };
                    let o = &mut out[j * n + c0..j * n + c0 + w];
                    match (d != 0.0, bias) {
                        (false, None) => {
                            for x in 0..w {
                                o[x] = c * acc[x];
                            }
                        }
                        (false, Some(b)) => {
                            for x in 0..w {
                                o[x] = c * acc[x] + b[c0 + x];
                            }
                        }
                        (true, None) => {
                            for x in 0..w {
                                o[x] = c * acc[x] + d * sum[x];
                            }
                        }
                        (true, Some(b)) => {
                            for x in 0..w {
                                o[x] = c * acc[x] + d * sum[x] + b[c0 + x];
                            }
                        }
                    }
                }
            }
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        unsafe fn $avx512(
            lists: &ActiveLists,
            rows: std::ops::Range<usize>,
            table: &Panels<$t>,
            out: &mut [$t],
            alpha: $t,
            bias: Option<&[$t]>,
        ) {
            // SAFETY (of the closure): this function runs only where AVX-512F is present, and the
            // lists' entries are below `k` (asserted in the loop).
            $run(lists, rows, table, out, alpha, bias, |p, l| unsafe {
                $sum512(p, l)
            })
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        unsafe fn $avx2(
            lists: &ActiveLists,
            rows: std::ops::Range<usize>,
            table: &Panels<$t>,
            out: &mut [$t],
            alpha: $t,
            bias: Option<&[$t]>,
        ) {
            // SAFETY (of the closure): this function runs only where AVX2 is present, and the lists'
            // entries are below `k` (asserted in the loop).
            $run(lists, rows, table, out, alpha, bias, |p, l| unsafe {
                $sum2(p, l)
            })
        }

        fn $dispatch(
            lists: &ActiveLists,
            rows: std::ops::Range<usize>,
            table: &Panels<$t>,
            out: &mut [$t],
            alpha: $t,
            bias: Option<&[$t]>,
        ) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: AVX-512F support was checked at run time.
                    return unsafe { $avx512(lists, rows, table, out, alpha, bias) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: AVX2 support was checked at run time.
                    return unsafe { $avx2(lists, rows, table, out, alpha, bias) };
                }
            }
            $run(lists, rows, table, out, alpha, bias, $sum)
        }
    };
}

gather_impl!(
    f32,
    8,
    panel_sum_f32,
    gather_run_f32,
    gather_avx512_f32,
    gather_avx2_f32,
    gather_f32,
    simd::panel_sum_f32_avx512,
    simd::panel_sum_f32_avx2
);
gather_impl!(
    f64,
    4,
    panel_sum_f64,
    gather_run_f64,
    gather_avx512_f64,
    gather_avx2_f64,
    gather_f64,
    simd::panel_sum_f64_portable_avx512,
    simd::panel_sum_f64_portable_avx2
);

/// The panel sums in explicit SIMD: the compiler does not reliably keep the partial sums of the
/// portable code in registers. Each adds the listed rows in the order of the portable code (entry
/// `t` into partial sum `t mod 8`, then pairwise), so it gives the same numbers.
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::PANEL;
    use std::arch::x86_64::*;

    /// A checked pointer to row `i` of a panel `(k, PANEL)`.
    #[inline(always)]
    fn row_ptr(panel: &[f32], i: u32) -> *const f32 {
        let s = i as usize * PANEL;
        debug_assert!(s + PANEL <= panel.len(), "a panel row");
        // SAFETY: the panel sums' contract: every listed row lies in the panel. Their callers
        // (the gather loops) pass lists of an `ActiveLists`, whose entries are below its `len`,
        // and `gather` asserts that the table's rows (`k`, the panel holding `k * PANEL` entries)
        // equal that `len`. (A bounds check here costs three instructions of about eight per row
        // added.)
        unsafe { panel.as_ptr().add(s) }
    }

    /// [`super::panel_sum_f32`] with two AVX-512 registers per partial sum (a panel row is 32
    /// f32, two cache lines: each index loaded serves two additions).
    ///
    /// # Safety
    /// The CPU must support AVX-512F, and every entry `i` of `list` must satisfy
    /// `(i + 1) * PANEL <= panel.len()` (the rows are read unchecked).
    #[target_feature(enable = "avx512f")]
    pub unsafe fn panel_sum_f32_avx512(panel: &[f32], list: &[u32]) -> [f32; PANEL] {
        const _: () = assert!(PANEL == 32);
        // SAFETY: the row holds 32 f32.
        let ld = |i: u32| unsafe {
            let p = row_ptr(panel, i);
            (_mm512_loadu_ps(p), _mm512_loadu_ps(p.add(16)))
        };
        let add = |a: (__m512, __m512), b: (__m512, __m512)| {
            (_mm512_add_ps(a.0, b.0), _mm512_add_ps(a.1, b.1))
        };
        let z = (_mm512_setzero_ps(), _mm512_setzero_ps());
        let (mut a0, mut a1, mut a2, mut a3, mut a4, mut a5, mut a6, mut a7) =
            (z, z, z, z, z, z, z, z);
        let mut q = list.chunks_exact(8);
        for c in &mut q {
            a0 = add(a0, ld(c[0]));
            a1 = add(a1, ld(c[1]));
            a2 = add(a2, ld(c[2]));
            a3 = add(a3, ld(c[3]));
            a4 = add(a4, ld(c[4]));
            a5 = add(a5, ld(c[5]));
            a6 = add(a6, ld(c[6]));
            a7 = add(a7, ld(c[7]));
        }
        let r = q.remainder();
        // the remainder (at most 7 rows) into partial sums 0, 1, ... in order
        if let Some(&i) = r.first() {
            a0 = add(a0, ld(i));
        }
        if let Some(&i) = r.get(1) {
            a1 = add(a1, ld(i));
        }
        if let Some(&i) = r.get(2) {
            a2 = add(a2, ld(i));
        }
        if let Some(&i) = r.get(3) {
            a3 = add(a3, ld(i));
        }
        if let Some(&i) = r.get(4) {
            a4 = add(a4, ld(i));
        }
        if let Some(&i) = r.get(5) {
            a5 = add(a5, ld(i));
        }
        if let Some(&i) = r.get(6) {
            a6 = add(a6, ld(i));
        }
        let (b0, b1, b2, b3) = (add(a0, a4), add(a1, a5), add(a2, a6), add(a3, a7));
        let s = add(add(b0, b2), add(b1, b3));
        let mut o = [0.0f32; PANEL];
        // SAFETY: `o` holds 32 f32.
        unsafe {
            _mm512_storeu_ps(o.as_mut_ptr(), s.0);
            _mm512_storeu_ps(o.as_mut_ptr().add(16), s.1);
        }
        o
    }

    /// [`super::panel_sum_f32`] with AVX2: the panel row's 32 columns in four passes of 8 (one
    /// register per partial sum), each column summed in the portable code's order.
    ///
    /// # Safety
    /// The CPU must support AVX2, and every entry `i` of `list` must satisfy
    /// `(i + 1) * PANEL <= panel.len()` (the rows are read unchecked).
    #[target_feature(enable = "avx2")]
    pub unsafe fn panel_sum_f32_avx2(panel: &[f32], list: &[u32]) -> [f32; PANEL] {
        let mut o = [0.0f32; PANEL];
        for q0 in (0..PANEL).step_by(8) {
            // SAFETY: the row holds 32 f32 and q0 + 8 <= 32.
            let ld = |i: u32| unsafe { _mm256_loadu_ps(row_ptr(panel, i).add(q0)) };
            let z = _mm256_setzero_ps();
            let (mut a0, mut a1, mut a2, mut a3, mut a4, mut a5, mut a6, mut a7) =
                (z, z, z, z, z, z, z, z);
            let mut q = list.chunks_exact(8);
            for c in &mut q {
                a0 = _mm256_add_ps(a0, ld(c[0]));
                a1 = _mm256_add_ps(a1, ld(c[1]));
                a2 = _mm256_add_ps(a2, ld(c[2]));
                a3 = _mm256_add_ps(a3, ld(c[3]));
                a4 = _mm256_add_ps(a4, ld(c[4]));
                a5 = _mm256_add_ps(a5, ld(c[5]));
                a6 = _mm256_add_ps(a6, ld(c[6]));
                a7 = _mm256_add_ps(a7, ld(c[7]));
            }
            let r = q.remainder();
            let acc = [
                &mut a0, &mut a1, &mut a2, &mut a3, &mut a4, &mut a5, &mut a6,
            ];
            for (a, &i) in acc.into_iter().zip(r) {
                *a = _mm256_add_ps(*a, ld(i));
            }
            let (b0, b1, b2, b3) = (
                _mm256_add_ps(a0, a4),
                _mm256_add_ps(a1, a5),
                _mm256_add_ps(a2, a6),
                _mm256_add_ps(a3, a7),
            );
            let s = _mm256_add_ps(_mm256_add_ps(b0, b2), _mm256_add_ps(b1, b3));
            // SAFETY: `o` holds 32 f32 and q0 + 8 <= 32.
            unsafe { _mm256_storeu_ps(o.as_mut_ptr().add(q0), s) };
        }
        o
    }

    /// The portable f64 panel sum, built for AVX-512.
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn panel_sum_f64_portable_avx512(panel: &[f64], list: &[u32]) -> [f64; PANEL] {
        super::panel_sum_f64(panel, list)
    }

    /// The portable f64 panel sum, built for AVX2.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn panel_sum_f64_portable_avx2(panel: &[f64], list: &[u32]) -> [f64; PANEL] {
        super::panel_sum_f64(panel, list)
    }
}

impl Real for f32 {
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const MINUS_ONE: f32 = -1.0;
    const TWO: f32 = 2.0;

    fn row_masks(row: &[f32], low: f32, ones: &mut [u64], lows: &mut [u64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: AVX-512F support was checked at run time.
            return unsafe { row_masks_f32_avx512(row, low, ones, lows) };
        }
        row_masks_portable(row, low, ones, lows)
    }

    fn gather_slice(
        lists: &ActiveLists,
        rows: std::ops::Range<usize>,
        table: &Panels<f32>,
        out: &mut [f32],
        alpha: f32,
        bias: Option<&[f32]>,
    ) {
        gather_f32(lists, rows, table, out, alpha, bias)
    }
}

impl Real for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const MINUS_ONE: f64 = -1.0;
    const TWO: f64 = 2.0;

    fn gather_slice(
        lists: &ActiveLists,
        rows: std::ops::Range<usize>,
        table: &Panels<f64>,
        out: &mut [f64],
        alpha: f64,
        bias: Option<&[f64]>,
    ) {
        gather_f64(lists, rows, table, out, alpha, bias)
    }
}

/// Index lists of a batch of binary rows `(n_lists, len)`: the positions of the minority value of
/// each row (the ones, or the zeros / the -1 entries / the +1 entries when those are fewer), with a
/// flag per row saying whether the low value (0 or -1) is the one listed.
#[derive(Debug, Clone, Default)]
pub struct ActiveLists {
    starts: Vec<usize>,
    idx: Vec<u32>,
    low_listed: Vec<bool>,
    spins: bool,
    len: usize,
}

/// Bit masks of a batch of binary rows: per row, `words` u64 of "entry is 1" and of "entry is the
/// low value".
struct Masks {
    words: usize,
    ones: Vec<u64>,
    lows: Vec<u64>,
}

impl Masks {
    fn new(n: usize, len: usize) -> Masks {
        let words = len.div_ceil(64);
        Masks {
            words,
            ones: vec![0; n * words],
            lows: vec![0; n * words],
        }
    }

    /// Masks of one contiguous row into row `r`.
    fn set_row<T: Real>(&mut self, r: usize, row: &[T], low: T) {
        let w = self.words;
        let (ones, lows) = (
            &mut self.ones[r * w..(r + 1) * w],
            &mut self.lows[r * w..(r + 1) * w],
        );
        T::row_masks(row, low, ones, lows);
    }
}

/// Bit masks of `row` (64 entries a word): entries equal to 1 into `ones`, equal to `low` into
/// `lows`.
#[inline(always)]
fn row_masks_portable<T: Real>(row: &[T], low: T, ones: &mut [u64], lows: &mut [u64]) {
    for ((chunk, o), l) in row.chunks(64).zip(ones).zip(lows) {
        let (mut a, mut b) = (0u64, 0u64);
        for (bit, &e) in chunk.iter().enumerate() {
            a |= u64::from(e == T::ONE) << bit;
            b |= u64::from(e == low) << bit;
        }
        *o = a;
        *l = b;
    }
}

/// [`row_masks_portable`] for f32 by AVX-512 comparisons (16 entries at a time).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn row_masks_f32_avx512(row: &[f32], low: f32, ones: &mut [u64], lows: &mut [u64]) {
    use std::arch::x86_64::*;
    let (one_v, low_v) = (_mm512_set1_ps(1.0), _mm512_set1_ps(low));
    for ((chunk, o), l) in row.chunks(64).zip(ones).zip(lows) {
        if chunk.len() < 64 {
            row_masks_portable(chunk, low, std::slice::from_mut(o), std::slice::from_mut(l));
            continue;
        }
        let (mut a, mut b) = (0u64, 0u64);
        for q in 0..4 {
            // SAFETY: the chunk holds 64 f32, so entries 16q .. 16q + 16 exist.
            let x = unsafe { _mm512_loadu_ps(chunk.as_ptr().add(16 * q)) };
            a |= u64::from(_mm512_cmpeq_ps_mask(x, one_v)) << (16 * q);
            b |= u64::from(_mm512_cmpeq_ps_mask(x, low_v)) << (16 * q);
        }
        *o = a;
        *l = b;
    }
}

impl ActiveLists {
    /// The lists of the rows of `x (n, len)` when all entries are in {0, 1} or all in {-1, 1};
    /// `None` otherwise (then only the dense product applies).
    pub fn of_rows<T: Real>(x: ArrayView2<'_, T>) -> Option<ActiveLists> {
        let (n, len) = x.dim();
        if len > u32::MAX as usize {
            return None;
        }
        let (spins, low) = encoding(x)?;
        let mut m = Masks::new(n, len);
        if x.is_standard_layout() {
            let flat = x.as_slice().expect("standard layout");
            for r in 0..n {
                m.set_row(r, &flat[r * len..(r + 1) * len], low);
            }
        } else if x.t().is_standard_layout() && len > 0 {
            // columns contiguous (the rows of a transposed array, as for gradients): the lists
            // are built from the masks of the contiguous rows of `xᵀ`
            let flat = x.t().to_slice().expect("standard layout");
            return Self::of_transposed(&[flat], n, len, spins, low);
        } else {
            let mut buf = vec![T::ZERO; len];
            for (r, row) in x.rows().into_iter().enumerate() {
                buf.iter_mut().zip(row.iter()).for_each(|(b, &e)| *b = e);
                m.set_row(r, &buf, low);
            }
        }
        Self::from_masks(&m, n, len, spins)
    }

    /// The lists of the `n` columns of a row-major `(len, n)` array `flat`: bit masks of each of
    /// its rows, the count of ones of each column (to pick its minority value), then one pass
    /// over the masks that appends row `s` to the list of every column whose listed value it
    /// holds, so each list comes out sorted. Costs `O(len n / 64 + listed)` instead of a bit
    /// scatter per entry.
    fn of_transposed<T: Real>(
        parts: &[&[T]],
        n: usize,
        len: usize,
        spins: bool,
        low: T,
    ) -> Option<ActiveLists> {
        if len > u32::MAX as usize {
            return None;
        }
        let mut m = Masks::new(len, n);
        let w = m.words;
        let mut s = 0;
        for part in parts {
            for row in part.chunks_exact(n.max(1)) {
                m.set_row(s, row, low);
                s += 1;
            }
        }
        let tail = if n.is_multiple_of(64) {
            u64::MAX
        } else {
            (1u64 << (n % 64)) - 1
        };
        let mut counts = vec![0usize; n];
        for s in 0..len {
            for k in 0..w {
                let (o, l) = (m.ones[s * w + k], m.lows[s * w + k]);
                let full = if k + 1 == w { tail } else { u64::MAX };
                if o | l != full {
                    return None; // an entry that is neither 1 nor the low value
                }
                let mut b = o;
                while b != 0 {
                    counts[k * 64 + b.trailing_zeros() as usize] += 1;
                    b &= b - 1;
                }
            }
        }
        let low_listed: Vec<bool> = counts.iter().map(|&c| 2 * c > len).collect();
        let mut flip = vec![0u64; w];
        for (j, &f) in low_listed.iter().enumerate() {
            flip[j / 64] |= u64::from(f) << (j % 64);
        }
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0usize);
        for (j, &c) in counts.iter().enumerate() {
            let listed = if low_listed[j] { len - c } else { c };
            starts.push(starts[j] + listed);
        }
        let mut idx = vec![0u32; starts[n]];
        let mut cursor = starts[..n].to_vec();
        for s in 0..len {
            for (k, &f) in flip.iter().enumerate() {
                let (o, l) = (m.ones[s * w + k], m.lows[s * w + k]);
                let mut b = (o & !f) | (l & f);
                while b != 0 {
                    let j = k * 64 + b.trailing_zeros() as usize;
                    idx[cursor[j]] = s as u32;
                    cursor[j] += 1;
                    b &= b - 1;
                }
            }
        }
        debug_assert!(cursor.iter().zip(&starts[1..]).all(|(a, b)| a == b));
        Some(ActiveLists {
            starts,
            idx,
            low_listed,
            spins,
            len,
        })
    }

    /// The lists of the columns of the rows of `parts` stacked (each `(rows_i, n)`), as
    /// [`ActiveLists::of_columns`] of their concatenation would give them, without making it.
    pub fn of_columns_stacked<T: Real>(parts: &[ArrayView2<'_, T>]) -> Option<ActiveLists> {
        let n = parts.first()?.ncols();
        if parts
            .iter()
            .any(|p| p.ncols() != n || !p.is_standard_layout())
            || n == 0
        {
            let views: Vec<_> = parts.to_vec();
            let all = ndarray::concatenate(ndarray::Axis(0), &views).ok()?;
            return ActiveLists::of_columns(all.view());
        }
        // the encoding of the concatenation: its first entry other than 1
        let first = parts.iter().find_map(|p| {
            p.as_slice()
                .and_then(|s| s.iter().find(|&&e| e != T::ONE))
                .copied()
        });
        let (spins, low) = match first {
            None => (false, T::ZERO),
            Some(e) if e == T::MINUS_ONE => (true, T::MINUS_ONE),
            Some(e) if e == T::ZERO => (false, T::ZERO),
            Some(_) => return None,
        };
        let flats: Vec<&[T]> = parts
            .iter()
            .map(|p| p.as_slice().expect("standard layout"))
            .collect();
        let len = parts.iter().map(|p| p.nrows()).sum();
        Self::of_transposed(&flats, n, len, spins, low)
    }

    /// The lists of the columns of `x (len, n)` (the rows of `xᵀ`), for gradients `xᵀ p`.
    pub fn of_columns<T: Real>(x: ArrayView2<'_, T>) -> Option<ActiveLists> {
        ActiveLists::of_rows(x.t())
    }

    fn from_masks(m: &Masks, n: usize, len: usize, spins: bool) -> Option<ActiveLists> {
        let w = m.words;
        let tail = if len.is_multiple_of(64) {
            u64::MAX
        } else {
            (1u64 << (len % 64)) - 1
        };
        let mut starts = Vec::with_capacity(n + 1);
        let mut low_listed = Vec::with_capacity(n);
        let mut total = 0usize;
        let mut counts = Vec::with_capacity(n);
        for r in 0..n {
            let (ones, lows) = (&m.ones[r * w..(r + 1) * w], &m.lows[r * w..(r + 1) * w]);
            for (k, (&o, &l)) in ones.iter().zip(lows).enumerate() {
                let full = if k + 1 == w { tail } else { u64::MAX };
                if o | l != full {
                    return None; // an entry that is neither 1 nor the low value
                }
            }
            let c: usize = ones.iter().map(|o| o.count_ones() as usize).sum();
            let flip = 2 * c > len;
            low_listed.push(flip);
            let listed = if flip { len - c } else { c };
            counts.push(listed);
            total += listed;
        }
        let mut idx = Vec::with_capacity(total);
        starts.push(0);
        for (r, &flip) in low_listed.iter().enumerate() {
            let words = if flip {
                &m.lows[r * w..(r + 1) * w]
            } else {
                &m.ones[r * w..(r + 1) * w]
            };
            for (k, &word) in words.iter().enumerate() {
                let mut b = word;
                while b != 0 {
                    idx.push((k * 64) as u32 + b.trailing_zeros());
                    b &= b - 1;
                }
            }
            debug_assert_eq!(idx.len() - starts[r], counts[r]);
            starts.push(idx.len());
        }
        Some(ActiveLists {
            starts,
            idx,
            low_listed,
            spins,
            len,
        })
    }

    /// Number of lists (rows of the state batch).
    pub fn n_lists(&self) -> usize {
        self.low_listed.len()
    }

    /// Entries per state row (the inner dimension of the product).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the state rows are empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the states are ±1 (else 0/1).
    pub fn spins(&self) -> bool {
        self.spins
    }

    /// Listed entries over all entries (0 for an empty batch); at most 1/2.
    pub fn density(&self) -> f64 {
        let all = self.n_lists() * self.len;
        if all == 0 {
            0.0
        } else {
            self.idx.len() as f64 / all as f64
        }
    }

    fn list(&self, r: usize) -> &[u32] {
        &self.idx[self.starts[r]..self.starts[r + 1]]
    }
}

/// Whether `x` holds ±1 states (a -1 occurs) or 0/1 states (a 0 occurs; all ones: either), and its
/// low value; `None` when the first entry other than 1 is neither.
fn encoding<T: Real>(x: ArrayView2<'_, T>) -> Option<(bool, T)> {
    let first = match x.as_slice_memory_order() {
        Some(s) => s.iter().find(|&&e| e != T::ONE).copied(),
        None => x.iter().find(|&&e| e != T::ONE).copied(),
    };
    match first {
        None => Some((false, T::ZERO)),
        Some(e) if e == T::MINUS_ONE => Some((true, T::MINUS_ONE)),
        Some(e) if e == T::ZERO => Some((false, T::ZERO)),
        Some(_) => None,
    }
}

/// Columns per panel of [`Panels`]: 32 f32 are two cache lines, two AVX-512 registers, so each
/// listed index loaded serves two additions and each output row has half as many per-panel
/// reductions. Measured (one 100 x 784 x 500 gather, one thread, AVX-512): 54 / 121 / 260 / 460 µs
/// at densities 0.05 / 0.136 / 0.3 / 0.5 against 66 / 128 / 265 / 371 µs with panels of 16; the
/// gathers run at densities up to [`GATHER_MAX_DENSITY`], where 32 is faster.
pub const PANEL: usize = 32;

/// A table `(k, n)` laid out for [`gather`]: in column panels of [`PANEL`] columns (the last one
/// padded with zeros), each panel `(k, PANEL)` contiguous, so that the rows a gather adds are whole
/// cache lines of one small block of memory; with the sum of the table's rows (in row order).
#[derive(Debug, Clone)]
pub struct Panels<T> {
    data: Vec<Line<T>>,
    k: usize,
    n: usize,
    /// The sum of the table's rows, made on first use after [`Panels::refresh_sum`].
    sum: std::sync::OnceLock<Vec<T>>,
}

impl<T: Real> PartialEq for Panels<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.k, self.n) == (other.k, other.n)
            && self.data == other.data
            && self.sum() == other.sum()
    }
}

/// A block of consecutive rows of a [`Panels`] table, across all its panels
/// ([`Panels::row_blocks_mut`]).
#[derive(Debug)]
pub struct PanelRows<'a, T> {
    r0: usize,
    rows: usize,
    n: usize,
    parts: Vec<&'a mut [Line<T>]>,
}

impl<T: Real> PanelRows<'_, T> {
    /// The first table row of the block.
    pub fn first_row(&self) -> usize {
        self.r0
    }

    /// Rows in the block.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Writes rows `offset ..` of the block from `src`, `(rows, n)` row-major.
    pub fn write_rows(&mut self, offset: usize, src: &[T]) {
        let n = self.n;
        let rows = src.len().checked_div(n).unwrap_or(0);
        assert!(
            src.len() == rows * n && offset + rows <= self.rows,
            "PanelRows::write_rows: source length or offset"
        );
        for (p, part) in self.parts.iter_mut().enumerate() {
            let c0 = p * PANEL;
            let w = (n - c0).min(PANEL);
            for (i, line) in part[offset..offset + rows].iter_mut().enumerate() {
                line.0[..w].copy_from_slice(&src[i * n + c0..i * n + c0 + w]);
            }
        }
    }
}

/// One row of a panel, aligned to a cache line: an unaligned 64-byte load spans two cache lines
/// and halves the gather's throughput (the allocator aligns large `Vec<f32>`s to 16 bytes only).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(64))]
struct Line<T>([T; PANEL]);

/// The entries of panel rows, in order.
fn flat<T>(lines: &[Line<T>]) -> &[T] {
    // SAFETY: `Line<T>` is `repr(C)` around `[T; PANEL]` and its size (`PANEL` f32 or f64: 64 or
    // 128 bytes) is a multiple of its alignment, so the lines are `PANEL * len` consecutive `T`.
    unsafe { std::slice::from_raw_parts(lines.as_ptr().cast::<T>(), lines.len() * PANEL) }
}

/// [`flat`], mutable.
fn flat_mut<T>(lines: &mut [Line<T>]) -> &mut [T] {
    // SAFETY: as in `flat`; the borrow is unique.
    unsafe { std::slice::from_raw_parts_mut(lines.as_mut_ptr().cast::<T>(), lines.len() * PANEL) }
}

impl<T: Real> Panels<T> {
    /// The panels of `table (k, n)`, of any memory layout; the panels are filled in parallel (each
    /// by the same operations whatever the number of threads).
    pub fn of(table: ArrayView2<'_, T>) -> Panels<T> {
        use rayon::prelude::*;
        let (k, n) = table.dim();
        let np = n.div_ceil(PANEL);
        let mut data = vec![Line([T::ZERO; PANEL]); np * k];
        let mut sum = vec![T::ZERO; np * PANEL];
        let rows = table.as_slice();
        let cols = table.t().to_slice();
        if k > 0 {
            data.par_chunks_mut(k)
                .zip(sum.par_chunks_mut(PANEL))
                .enumerate()
                .for_each(|(p, (panel, s))| {
                    let panel = flat_mut(panel);
                    let c0 = p * PANEL;
                    let w = (n - c0).min(PANEL);
                    if let Some(flat) = rows {
                        for (i, dst) in panel.chunks_exact_mut(PANEL).enumerate() {
                            let src = &flat[i * n + c0..i * n + c0 + w];
                            if let (Ok(d), Ok(s)) = (
                                <&mut [T; PANEL]>::try_from(&mut *dst),
                                <&[T; PANEL]>::try_from(src),
                            ) {
                                *d = *s;
                            } else {
                                dst[..w].copy_from_slice(src);
                            }
                        }
                    } else if let Some(flat) = cols {
                        // the w columns are rows of the transpose: read them side by side
                        let cols: Vec<&[T]> = (0..w)
                            .map(|c| &flat[(c0 + c) * k..(c0 + c + 1) * k])
                            .collect();
                        for (i, dst) in panel.chunks_exact_mut(PANEL).enumerate() {
                            for (d, col) in dst.iter_mut().zip(&cols) {
                                *d = col[i];
                            }
                        }
                    } else {
                        for (i, dst) in panel.chunks_exact_mut(PANEL).enumerate() {
                            for c in 0..w {
                                dst[c] = table[[i, c0 + c]];
                            }
                        }
                    }
                    for row in panel.chunks_exact(PANEL) {
                        for (a, &b) in s.iter_mut().zip(row) {
                            *a += b;
                        }
                    }
                });
        }
        sum.truncate(n);
        Panels {
            data,
            k,
            n,
            sum: std::sync::OnceLock::from(sum),
        }
    }

    /// The panels of the rows of `parts` stacked, each part's entries divided by its divisor
    /// (`(x, d)` contributes rows `x / d`): [`Panels::of`] of that table without making it. The
    /// parts must have the same number of columns.
    pub fn of_stacked(parts: &[(ArrayView2<'_, T>, T)]) -> Panels<T>
    where
        T: std::ops::Div<Output = T>,
    {
        use rayon::prelude::*;
        let n = parts.first().map_or(0, |p| p.0.ncols());
        assert!(
            parts.iter().all(|p| p.0.ncols() == n),
            "Panels::of_stacked: parts differ in columns"
        );
        let k: usize = parts.iter().map(|p| p.0.nrows()).sum();
        let np = n.div_ceil(PANEL);
        let owned: Vec<_> = parts.iter().map(|p| p.0.as_standard_layout()).collect();
        let flats: Vec<(&[T], T)> = owned
            .iter()
            .zip(parts)
            .map(|(o, p)| (o.as_slice().expect("standard layout"), p.1))
            .collect();
        let mut data = vec![Line([T::ZERO; PANEL]); np * k];
        let mut sum = vec![T::ZERO; np * PANEL];
        if k > 0 {
            data.par_chunks_mut(k)
                .zip(sum.par_chunks_mut(PANEL))
                .enumerate()
                .for_each(|(p, (panel, s))| {
                    let c0 = p * PANEL;
                    let w = (n - c0).min(PANEL);
                    let mut i = 0;
                    for &(x, d) in &flats {
                        for row in x.chunks_exact(n) {
                            let dst = &mut panel[i].0;
                            if let (Ok(dst), Ok(src)) = (
                                <&mut [T; PANEL]>::try_from(&mut dst[..]),
                                <&[T; PANEL]>::try_from(&row[c0..c0 + w]),
                            ) {
                                for c in 0..PANEL {
                                    dst[c] = src[c] / d;
                                }
                            } else {
                                for (c, &v) in row[c0..c0 + w].iter().enumerate() {
                                    dst[c] = v / d;
                                }
                            }
                            i += 1;
                        }
                    }
                    for row in flat(panel).chunks_exact(PANEL) {
                        for (a, &b) in s.iter_mut().zip(row) {
                            *a += b;
                        }
                    }
                });
        }
        sum.truncate(n);
        Panels {
            data,
            k,
            n,
            sum: std::sync::OnceLock::from(sum),
        }
    }

    /// Rows of the table (the length of the lists it is gathered with).
    pub fn rows(&self) -> usize {
        self.k
    }

    /// The panels' parts holding the table's rows in blocks of `blk` rows (block `b`: rows
    /// `b blk ..`), each writable on its own thread ([`PanelRows::write`]); after writing, call
    /// [`Panels::refresh_sum`].
    pub fn row_blocks_mut(&mut self, blk: usize) -> Vec<PanelRows<'_, T>> {
        let (k, n) = (self.k, self.n);
        let blk = blk.max(1);
        let nb = k.div_ceil(blk);
        let mut blocks: Vec<PanelRows<'_, T>> = (0..nb)
            .map(|b| PanelRows {
                r0: b * blk,
                rows: blk.min(k - b * blk),
                n,
                parts: Vec::new(),
            })
            .collect();
        if k > 0 {
            for panel in self.data.chunks_mut(k) {
                let mut rest = panel;
                for blkr in blocks.iter_mut() {
                    let (head, tail) = rest.split_at_mut(blkr.rows);
                    blkr.parts.push(head);
                    rest = tail;
                }
            }
        }
        blocks
    }

    /// Marks the sum of the table's rows stale after [`Panels::row_blocks_mut`] writes; it is
    /// recomputed on first use ([`Panels::sum`]: a gather needs it only where the low value of a
    /// state row is listed) by the same operations as [`Panels::of`], so the panels equal those of
    /// the new table bit for bit.
    pub fn refresh_sum(&mut self) {
        self.sum = std::sync::OnceLock::new();
    }

    /// The sum of the rows, panel by panel in row order (as [`Panels::of`] forms it).
    fn compute_sum(&self) -> Vec<T> {
        let (k, n) = (self.k, self.n);
        let np = n.div_ceil(PANEL);
        let mut sum = vec![T::ZERO; np * PANEL];
        if k > 0 {
            for (panel, s) in self.data.chunks(k).zip(sum.chunks_mut(PANEL)) {
                for row in flat(panel).chunks_exact(PANEL) {
                    for (a, &b) in s.iter_mut().zip(row) {
                        *a += b;
                    }
                }
            }
        }
        sum.truncate(n);
        sum
    }

    /// Columns of the table.
    pub fn cols(&self) -> usize {
        self.n
    }

    /// The sum of the table's rows.
    pub fn sum(&self) -> &[T] {
        self.sum.get_or_init(|| self.compute_sum())
    }
}

/// `out[r] = alpha · (x_r table) + bias` for the rows `r` of `rows` of the state batch whose lists
/// are `lists` (`x (n_lists, k)`), with `table (k, n)` given as [`Panels`], `out (rows.len(), n)`.
/// Runs on this thread.
///
/// Summation order: each panel of an output row is accumulated in 8 (f32) or 4 (f64) partial sums,
/// entry `t` of the list going to partial sum `t mod 8` (or 4), in list order; the partial sums are
/// added pairwise; when the low value is listed the result is subtracted from the table's row sum.
/// So the result is the same whatever the number of threads or the rows of a call, and differs
/// from the dense product only by rounding: with `m` listed rows the error is at most about
/// `(m/8 + 4) ε Σ_i |table_ij|` (plus `ε` times the row sum's own error, `k ε Σ_i |table_ij|`,
/// when the low value is listed).
pub fn gather<T: Real>(
    lists: &ActiveLists,
    rows: std::ops::Range<usize>,
    table: &Panels<T>,
    mut out: ArrayViewMut2<'_, T>,
    alpha: T,
    bias: Option<&[T]>,
) {
    let (k, n) = (table.k, table.n);
    assert_eq!(
        k, lists.len,
        "gather: table rows differ from the list length"
    );
    assert_eq!(out.dim(), (rows.len(), n), "gather: output shape");
    assert!(rows.end <= lists.n_lists(), "gather: rows out of range");
    if let Some(b) = bias {
        assert_eq!(b.len(), n, "gather: bias length");
    }
    if !out.is_standard_layout() {
        let mut tmp = ndarray::Array2::from_elem((rows.len(), n), T::ZERO);
        gather(lists, rows, table, tmp.view_mut(), alpha, bias);
        out.assign(&tmp);
        return;
    }
    let o = out.as_slice_mut().expect("standard layout");
    T::gather_slice(lists, rows, table, o, alpha, bias);
}

/// `x table + bias` (`x (n, k)`, `table (k, m)` with contiguous rows, `bias (m,)`), by a gather
/// in fixed row chunks in parallel when `x` is binary and sparse enough ([`use_gather`]), else by
/// the dense product. Each row's numbers do not depend on the number of threads.
pub fn field<T: Real + faer::traits::ComplexField + crate::linalg::num_zero::Zero>(
    x: ArrayView2<'_, T>,
    table: ArrayView2<'_, T>,
    bias: &ndarray::Array1<T>,
) -> ndarray::Array2<T> {
    use rayon::prelude::*;
    let Some(lists) = ActiveLists::of_rows(x).filter(use_gather) else {
        let mut c = crate::linalg::matmul(x, table);
        c.rows_mut().into_iter().for_each(|mut r| {
            r.zip_mut_with(bias, |a, &b| *a += b);
        });
        return c;
    };
    let (n, m) = (x.nrows(), table.ncols());
    let table = Panels::of(table);
    let mut out = ndarray::Array2::from_elem((n, m), T::ZERO);
    let b = bias.to_vec();
    let cl = crate::sample::row_chunk_len(n);
    let tasks: Vec<_> = out
        .axis_chunks_iter_mut(ndarray::Axis(0), cl)
        .enumerate()
        .collect();
    tasks.into_par_iter().for_each(|(c, o)| {
        let r0 = c * cl;
        let rows = r0..r0 + o.nrows();
        gather(&lists, rows, &table, o, T::ONE, Some(b.as_slice()));
    });
    out
}

/// `(r, c) -> (c, r)` copy with contiguous rows, in cache-sized tiles.
pub fn transpose<T: Real>(a: ArrayView2<'_, T>) -> ndarray::Array2<T> {
    let (r, c) = a.dim();
    let mut t = ndarray::Array2::from_elem((c, r), T::ZERO);
    const B: usize = 32;
    for i0 in (0..r).step_by(B) {
        for j0 in (0..c).step_by(B) {
            for i in i0..(i0 + B).min(r) {
                for j in j0..(j0 + B).min(c) {
                    t[[j, i]] = a[[i, j]];
                }
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, s};
    use rand::RngExt;
    use spinlearn_core::Seed;

    fn states(n: usize, k: usize, p: f64, spins: bool, seed: u64) -> Array2<f64> {
        let mut rng = Seed(seed).stream(0);
        let lo = if spins { -1.0 } else { 0.0 };
        Array2::from_shape_simple_fn((n, k), || if rng.random_bool(p) { 1.0 } else { lo })
    }

    fn table(k: usize, n: usize, seed: u64) -> Array2<f64> {
        let mut rng = Seed(seed).stream(1);
        Array2::from_shape_simple_fn((k, n), || rng.random_range(-1.0..1.0))
    }

    #[test]
    fn lists_refuse_non_binary_states_and_pick_the_minority_sign() {
        assert!(ActiveLists::of_rows(ndarray::array![[0.0, 0.5]].view()).is_none());
        assert!(ActiveLists::of_rows(ndarray::array![[0.0, -1.0]].view()).is_none());
        let l = ActiveLists::of_rows(ndarray::array![[1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]].view())
            .unwrap();
        assert!(l.spins());
        assert_eq!((l.list(0), l.low_listed[0]), (&[2u32][..], true));
        assert_eq!((l.list(1), l.low_listed[1]), (&[2u32][..], false));
        let b = ActiveLists::of_rows(ndarray::array![[1.0f32, 0.0, 1.0]].view()).unwrap();
        // two ones of three: the zero is listed
        assert!(!b.spins() && (b.density() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((b.list(0), b.low_listed[0]), (&[1u32][..], true));
    }

    /// Gathers in f32 against the f64 product of the same numbers. The bound: the f32 sum of `m`
    /// terms (partial sums of four, then a recursive sum) has an error below
    /// `(m/4 + 3) ε32 Σ_i |t_ij|`, and for ±1 states the row-sum term adds `(k + 2) ε32 Σ_i |t_ij|`;
    /// the test allows `(k + 8) ε32 Σ_i |t_ij|`, far below the size of one wrongly added row.
    #[test]
    fn gather_matches_the_dense_product_within_its_rounding() {
        for spins in [false, true] {
            for p in [0.05, 0.5, 0.9] {
                let (n, k, m) = (9, 67, 45);
                let x = states(n, k, p, spins, 3);
                let t = table(k, m, 4);
                let bias: Vec<f64> = (0..m).map(|j| j as f64 * 0.01).collect();
                let exact = x.dot(&t) * 0.7 + ndarray::ArrayView1::from(&bias);
                let (x32, t32) = (x.mapv(|v| v as f32), t.mapv(|v| v as f32));
                let b32: Vec<f32> = bias.iter().map(|&v| v as f32).collect();
                let lists = ActiveLists::of_rows(x32.view()).unwrap();
                assert_eq!(lists.spins(), spins);
                assert!(lists.density() <= 0.5);
                let panels = Panels::of(t32.view());
                let mut out = Array2::<f32>::zeros((n, m));
                gather(
                    &lists,
                    0..n,
                    &panels,
                    out.view_mut(),
                    0.7,
                    Some(b32.as_slice()),
                );
                // every instruction-set build gives the portable code's numbers
                let mut portable = vec![0.0f32; n * m];
                gather_run_f32(
                    &lists,
                    0..n,
                    &panels,
                    &mut portable,
                    0.7,
                    Some(b32.as_slice()),
                    panel_sum_f32,
                );
                assert_eq!(out.as_slice().unwrap(), portable.as_slice());
                let abs_col: Vec<f64> =
                    (0..m).map(|j| t.column(j).map(|v| v.abs()).sum()).collect();
                for ((r, j), &o) in out.indexed_iter() {
                    let tol = (k as f64 + 8.0) * f64::from(f32::EPSILON) * abs_col[j];
                    let err = (f64::from(o) - exact[[r, j]]).abs();
                    assert!(err <= tol, "spins {spins} p {p} ({r},{j}): {err} > {tol}");
                }
                // a sub-range of rows into a strided output gives the same rows bit for bit
                let mut wide = Array2::<f32>::zeros((n, 2 * m));
                gather(
                    &lists,
                    2..n,
                    &panels,
                    wide.slice_mut(s![..n - 2, ..;2]),
                    0.7,
                    Some(b32.as_slice()),
                );
                assert_eq!(wide.slice(s![..n - 2, ..;2]), out.slice(s![2.., ..]));
            }
        }
    }

    /// Panels of a table in any memory layout are the same, the lists of a batch are the same
    /// from any layout, and the row sums are in row order.
    #[test]
    fn panels_and_lists_do_not_depend_on_the_layout() {
        let t = table(37, 41, 7).mapv(|v| v as f32);
        let tt = t.t().as_standard_layout().into_owned();
        let a = Panels::of(t.view());
        let b = Panels::of(tt.t());
        let c = Panels::of(t.slice(s![.., ..;1]).to_owned().slice(s![.., ..]));
        assert_eq!(a.data, b.data);
        assert_eq!(a.data, c.data);
        assert_eq!((a.rows(), a.cols()), (37, 41));
        // the row sums in row order
        let mut sum = vec![0.0f32; 41];
        for row in t.rows() {
            for (a, &b) in sum.iter_mut().zip(row) {
                *a += b;
            }
        }
        assert_eq!(a.sum(), sum.as_slice());
        // a strided view (every other column) takes the general path
        let wide = ndarray::concatenate![ndarray::Axis(1), t, t];
        let strided = wide.slice(s![.., ..;2]);
        let d = Panels::of(strided);
        assert_eq!(d.data, Panels::of(strided.to_owned().view()).data);
        for spins in [false, true] {
            let x = states(70, 130, 0.7, spins, 8).mapv(|v| v as f32);
            let xt = x.t().as_standard_layout().into_owned();
            let r = ActiveLists::of_rows(x.view()).unwrap();
            let c = ActiveLists::of_rows(xt.t()).unwrap();
            assert_eq!(
                (&r.idx, &r.starts, &r.low_listed),
                (&c.idx, &c.starts, &c.low_listed)
            );
            // every row lists its minority value
            for i in 0..70 {
                let ones = x.row(i).iter().filter(|&&e| e == 1.0).count();
                assert_eq!(r.low_listed[i], 2 * ones > 130);
                assert_eq!(r.list(i).len(), ones.min(130 - ones));
            }
        }
    }

    #[test]
    fn column_lists_give_the_gradient_product() {
        let x = states(30, 11, 0.2, false, 5);
        let p = table(30, 7, 6);
        let lists = ActiveLists::of_columns(x.view()).unwrap();
        let mut g = Array2::<f64>::zeros((11, 7));
        gather(
            &lists,
            0..11,
            &Panels::of(p.view()),
            g.view_mut(),
            1.0,
            None,
        );
        let exact = x.t().dot(&p);
        for (a, b) in g.iter().zip(exact.iter()) {
            assert!((a - b).abs() < 1e-12);
        }
        assert_eq!(transpose(p.view()), p.t());
    }

    #[test]
    fn stacked_parts_give_the_lists_and_panels_of_their_concatenation() {
        for spins in [false, true] {
            // the second part dense enough that some columns list their low value
            let a = states(9, 45, 0.2, spins, 11).mapv(|v| v as f32);
            let b = states(14, 45, 0.8, spins, 12).mapv(|v| v as f32);
            let all = ndarray::concatenate![ndarray::Axis(0), a, b];
            let want = ActiveLists::of_columns(all.view()).unwrap();
            let got = ActiveLists::of_columns_stacked(&[a.view(), b.view()]).unwrap();
            assert_eq!(
                (&got.idx, &got.starts, &got.low_listed, got.spins, got.len),
                (
                    &want.idx,
                    &want.starts,
                    &want.low_listed,
                    want.spins,
                    want.len
                )
            );
            assert!(want.low_listed.iter().any(|&f| f));
            // a part in column-major layout takes the concatenation
            let bt = b.t().as_standard_layout().into_owned();
            let got = ActiveLists::of_columns_stacked(&[a.view(), bt.t()]).unwrap();
            assert_eq!(got.idx, want.idx);
        }
        // a part that is not binary: no lists
        let c = Array2::from_elem((2, 45), 0.5f32);
        let a = states(3, 45, 0.5, false, 1).mapv(|v| v as f32);
        assert!(ActiveLists::of_columns_stacked(&[a.view(), c.view()]).is_none());
        // panels of parts divided by their divisors
        let h0 = table(9, 70, 3).mapv(|v| v as f32);
        let h1 = table(14, 70, 4).mapv(|v| v as f32);
        let mut cat = ndarray::concatenate![ndarray::Axis(0), h0, h1];
        cat.slice_mut(s![..9, ..]).mapv_inplace(|x| x / 9.0);
        cat.slice_mut(s![9.., ..]).mapv_inplace(|x| x / -14.0);
        let got = Panels::of_stacked(&[(h0.view(), 9.0), (h1.view(), -14.0)]);
        assert_eq!(got, Panels::of(cat.view()));
    }

    #[test]
    fn rewritten_row_blocks_give_the_panels_of_the_new_table() {
        let t0 = table(50, 70, 5).mapv(|v| v as f32);
        let t1 = table(50, 70, 6).mapv(|v| v as f32);
        let mut p = Panels::of(t0.view());
        let before = p.sum().to_vec();
        {
            let mut blocks = p.row_blocks_mut(16);
            assert_eq!(blocks.len(), 4);
            for b in blocks.iter_mut() {
                let (r0, rows) = (b.first_row(), b.rows());
                // in two writes, the second at an offset
                let src = t1.slice(s![r0..r0 + rows, ..]).to_owned();
                let src = src.as_slice().unwrap();
                let half = rows / 2;
                b.write_rows(0, &src[..half * 70]);
                b.write_rows(half, &src[half * 70..]);
            }
        }
        p.refresh_sum();
        let fresh = Panels::of(t1.view());
        assert_eq!(p, fresh);
        assert_ne!(p.sum(), before.as_slice());
        // a gather that needs the sum (±1 states) through the rewritten panels
        let x = states(6, 50, 0.5, true, 2).mapv(|v| v as f32);
        let lists = ActiveLists::of_rows(x.view()).unwrap();
        let (mut a, mut b) = (Array2::<f32>::zeros((6, 70)), Array2::<f32>::zeros((6, 70)));
        gather(&lists, 0..6, &p, a.view_mut(), 1.0, None);
        gather(&lists, 0..6, &fresh, b.view_mut(), 1.0, None);
        assert_eq!(a, b);
    }
}
