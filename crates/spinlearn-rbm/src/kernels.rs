//! Products with one binary operand, as sums of selected rows (index lists), and the choice
//! between them and the dense product.
//!
//! Every product of block Gibbs sampling and of the CD/PCD gradient has a binary operand: the
//! field `v W` of 0/1 visible states is the sum of the rows `W_i` with `v_i = 1`; for ±1 states,
//! `v W = 2 Σ_{v_i = +1} W_i - Σ_i W_i = Σ_i W_i - 2 Σ_{v_i = -1} W_i`, so only the minority sign
//! is listed. The gradient `vᵀ p` of a batch is the same gather over the columns of `v`. A row of
//! `n` table entries costs `n` additions instead of `n` multiply-adds per state entry, and only
//! the listed entries count: at the 13.6 % ink of binarized MNIST that is 7x less work.
//!
//! [`ActiveLists`] holds the index lists of a batch of binary rows; [`gather`] forms the products.
//! The kernel adds four table rows at a time into a contiguous accumulator row (a loop the compiler
//! vectorizes; an AVX2 build of the same loop is chosen at run time), always in the order of the
//! list, so each output row is the same whatever the number of threads or the chunking of rows.
//! [`use_gather`] compares a list's density with [`GATHER_MAX_DENSITY`], measured by
//! `spinlearn bench rbm` (the crossover against faer's dense product on this code's shapes).

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

/// Largest density of the listed entries (ones of 0/1 states, the minority sign of ±1 states) at
/// which a gather replaces the dense product. Measured with `spinlearn bench rbm` (one field
/// product 100 x 784 x 500, one thread, gather and faer's dense product interleaved) on a shared
/// 2-core x86-64 machine under load: the gather was 7x faster at density 0.05, 1.3x at 0.136 (the
/// ink of binarized MNIST), 0.87x at 0.2 and 0.6x at 0.3; the threshold sits just below the
/// crossover.
pub const GATHER_MAX_DENSITY: f64 = 0.16;

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
}

impl Real for f32 {
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const MINUS_ONE: f32 = -1.0;
    const TWO: f32 = 2.0;
}

impl Real for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const MINUS_ONE: f64 = -1.0;
    const TWO: f64 = 2.0;
}

/// Index lists of a batch of binary rows `(n_lists, len)`: for 0/1 rows the positions of the ones;
/// for ±1 rows the positions of the minority sign (with a flag per row saying which sign).
#[derive(Debug, Clone, Default)]
pub struct ActiveLists {
    starts: Vec<usize>,
    idx: Vec<u32>,
    low_listed: Vec<bool>,
    spins: bool,
    len: usize,
}

impl ActiveLists {
    /// The lists of the rows of `x (n, len)` when all entries are in {0, 1} or all in {-1, 1};
    /// `None` otherwise (then only the dense product applies).
    pub fn of_rows<T: Real>(x: ArrayView2<'_, T>) -> Option<ActiveLists> {
        let (n, len) = x.dim();
        if len > u32::MAX as usize {
            return None;
        }
        // the encoding: spins when a -1 occurs, bits when a 0 occurs (all ones: either)
        let mut spins = None;
        for &e in x.iter() {
            if e == T::ONE {
                continue;
            }
            spins = Some(e == T::MINUS_ONE);
            break;
        }
        let spins = spins.unwrap_or(false);
        let low = if spins { T::MINUS_ONE } else { T::ZERO };
        let mut starts = Vec::with_capacity(n + 1);
        let mut low_listed = Vec::with_capacity(n);
        let mut idx = Vec::new();
        starts.push(0);
        for row in x.rows() {
            let s = idx.len();
            // branch-free: write every index, advance past the ones
            idx.resize(s + len, 0);
            let (mut pos, mut bad) = (s, false);
            for (j, &e) in row.iter().enumerate() {
                idx[pos] = j as u32;
                let one = e == T::ONE;
                bad |= !one & (e != low);
                pos += usize::from(one);
            }
            if bad {
                return None;
            }
            idx.truncate(pos);
            let ones = pos - s;
            let flip = spins && 2 * ones > len;
            if flip {
                idx.truncate(s);
                idx.extend(
                    row.iter()
                        .enumerate()
                        .filter(|(_, e)| **e == low)
                        .map(|(j, _)| j as u32),
                );
            }
            low_listed.push(flip);
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

    /// The lists of the columns of `x (len, n)` (the rows of `xᵀ`), for gradients `xᵀ p`.
    pub fn of_columns<T: Real>(x: ArrayView2<'_, T>) -> Option<ActiveLists> {
        ActiveLists::of_rows(x.t())
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

    /// Listed entries over all entries (0 for an empty batch).
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

/// Sum of the rows of `table (k, n)` (the term `Σ_i W_i` of the ±1 gather), in row order.
pub fn row_sum<T: Real>(table: ArrayView2<'_, T>) -> Vec<T> {
    let mut s = vec![T::ZERO; table.ncols()];
    for row in table.rows() {
        for (a, &b) in s.iter_mut().zip(row.iter()) {
            *a += b;
        }
    }
    s
}

/// `out[r] = alpha · (x_r table) + bias` for the rows `r` of `rows` of the state batch whose lists
/// are `lists` (`x (n_lists, k)`), `table (k, n)` with contiguous rows, `out (rows.len(), n)`.
/// For ±1 states `table_sum` must be [`row_sum`] of `table`. Runs on this thread; each output row
/// is accumulated in the order of its list, four table rows at a time.
///
/// Summation order: the result differs from the dense product only by rounding; with `m` listed
/// rows each output is a recursive sum of `m / 4` partial sums of four, so its error is at most
/// about `(m/4 + 2) ε Σ_i |table_ij|` (plus, for ±1 states, `ε` times the error of `table_sum`).
#[allow(clippy::too_many_arguments)]
pub fn gather<T: Real>(
    lists: &ActiveLists,
    rows: std::ops::Range<usize>,
    table: ArrayView2<'_, T>,
    table_sum: Option<&[T]>,
    mut out: ArrayViewMut2<'_, T>,
    alpha: T,
    bias: Option<&[T]>,
) {
    let (k, n) = table.dim();
    assert_eq!(
        k, lists.len,
        "gather: table rows differ from the list length"
    );
    assert_eq!(out.dim(), (rows.len(), n), "gather: output shape");
    assert!(rows.end <= lists.n_lists(), "gather: rows out of range");
    let tab = match table.as_slice() {
        Some(t) => std::borrow::Cow::Borrowed(t),
        None => std::borrow::Cow::Owned(table.as_standard_layout().iter().copied().collect()),
    };
    let sum = if lists.spins {
        Some(table_sum.expect("gather: ±1 states need the table's row sum"))
    } else {
        None
    };
    if let Some(s) = sum {
        assert_eq!(s.len(), n, "gather: table_sum length");
    }
    if let Some(b) = bias {
        assert_eq!(b.len(), n, "gather: bias length");
    }
    if !out.is_standard_layout() {
        let mut tmp = ndarray::Array2::from_elem((rows.len(), n), T::ZERO);
        gather(lists, rows, table, table_sum, tmp.view_mut(), alpha, bias);
        out.assign(&tmp);
        return;
    }
    let o = out.as_slice_mut().expect("standard layout");
    // columns in tiles, so that the table's tile stays in cache while every row adds into it
    let tile = (GATHER_TILE_BYTES / std::mem::size_of::<T>()).max(8);
    for c0 in (0..n).step_by(tile) {
        let c1 = (c0 + tile).min(n);
        for (j, r) in rows.clone().enumerate() {
            let acc = &mut o[j * n + c0..j * n + c1];
            acc.fill(T::ZERO);
            add_rows(acc, &tab, n, c0, lists.list(r));
            // ±1: 2 Σ_+ - S, or S - 2 Σ_-
            let (c, d) = match sum {
                None => (alpha, None),
                Some(s) if lists.low_listed[r] => {
                    (T::ZERO - T::TWO * alpha, Some((&s[c0..c1], alpha)))
                }
                Some(s) => (T::TWO * alpha, Some((&s[c0..c1], T::ZERO - alpha))),
            };
            finish(acc, c, d, bias.map(|b| &b[c0..c1]));
        }
    }
}

/// Width of the column tiles of [`gather`] in bytes (the table's tile, `k` rows of it, stays in
/// the L2 cache).
const GATHER_TILE_BYTES: usize = 512;

/// `acc = c · acc + d.1 · d.0 + bias`.
fn finish<T: Real>(acc: &mut [T], c: T, d: Option<(&[T], T)>, bias: Option<&[T]>) {
    match (d, bias) {
        (None, None) => acc.iter_mut().for_each(|a| *a = c * *a),
        (None, Some(b)) => acc.iter_mut().zip(b).for_each(|(a, &b)| *a = c * *a + b),
        (Some((s, f)), None) => acc
            .iter_mut()
            .zip(s)
            .for_each(|(a, &s)| *a = c * *a + f * s),
        (Some((s, f)), Some(b)) => acc
            .iter_mut()
            .zip(s)
            .zip(b)
            .for_each(|((a, &s), &b)| *a = c * *a + f * s + b),
    }
}

fn add_rows<T: Real>(acc: &mut [T], table: &[T], n: usize, c0: usize, list: &[u32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 support was checked at run time.
        return unsafe { add_rows_avx2(acc, table, n, c0, list) };
    }
    add_rows_kernel(acc, table, n, c0, list)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_rows_avx2<T: Real>(acc: &mut [T], table: &[T], n: usize, c0: usize, list: &[u32]) {
    add_rows_kernel(acc, table, n, c0, list)
}

/// `acc += Σ_{i ∈ list} table[i, c0..c0 + acc.len()]` (`table` has rows of `n`), four rows per
/// pass over `acc` (no fused multiply-adds: the AVX2 build gives the same numbers as the portable
/// one).
#[inline(always)]
fn add_rows_kernel<T: Real>(acc: &mut [T], table: &[T], n: usize, c0: usize, list: &[u32]) {
    let w = acc.len();
    let row = |i: u32| &table[i as usize * n + c0..i as usize * n + c0 + w];
    let mut quads = list.chunks_exact(4);
    for q in &mut quads {
        let (a, b, c, d) = (row(q[0]), row(q[1]), row(q[2]), row(q[3]));
        for ((((o, &a), &b), &c), &d) in acc.iter_mut().zip(a).zip(b).zip(c).zip(d) {
            *o += (a + b) + (c + d);
        }
    }
    for &i in quads.remainder() {
        for (o, &a) in acc.iter_mut().zip(row(i)) {
            *o += a;
        }
    }
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
    let table = table.as_standard_layout();
    let sum = lists.spins().then(|| row_sum(table.view()));
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
        gather(
            &lists,
            rows,
            table.view(),
            sum.as_deref(),
            o,
            T::ONE,
            Some(b.as_slice()),
        );
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
        assert!(!b.spins() && (b.density() - 2.0 / 3.0).abs() < 1e-12);
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
                let sum = row_sum(t32.view());
                let mut out = Array2::<f32>::zeros((n, m));
                gather(
                    &lists,
                    0..n,
                    t32.view(),
                    Some(sum.as_slice()),
                    out.view_mut(),
                    0.7,
                    Some(b32.as_slice()),
                );
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
                    t32.view(),
                    Some(sum.as_slice()),
                    wide.slice_mut(s![..n - 2, ..;2]),
                    0.7,
                    Some(b32.as_slice()),
                );
                assert_eq!(wide.slice(s![..n - 2, ..;2]), out.slice(s![2.., ..]));
            }
        }
    }

    #[test]
    fn column_lists_give_the_gradient_product() {
        let x = states(30, 11, 0.2, false, 5);
        let p = table(30, 7, 6);
        let lists = ActiveLists::of_columns(x.view()).unwrap();
        let mut g = Array2::<f64>::zeros((11, 7));
        gather(&lists, 0..11, p.view(), None, g.view_mut(), 1.0, None);
        let exact = x.t().dot(&p);
        for (a, b) in g.iter().zip(exact.iter()) {
            assert!((a - b).abs() < 1e-12);
        }
        assert_eq!(transpose(p.view()), p.t());
    }
}
