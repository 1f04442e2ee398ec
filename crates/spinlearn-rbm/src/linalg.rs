//! Dense matrix products on ndarray views through faer (parallel, f32 or f64), and the singular
//! values of a matrix.
//!
//! faer splits a product over blocks of the output only, never over the summed index, so every
//! output element is accumulated in the same order whatever the number of threads; a test checks
//! that results agree bit for bit between `Par::Seq` and two threads.

use faer::traits::ComplexField;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayView2, ArrayViewMut2};

/// Parallelism of the products: all threads of the current rayon pool.
pub fn par() -> Par {
    let n = rayon::current_num_threads();
    if n <= 1 { Par::Seq } else { Par::rayon(n) }
}

fn as_faer<'a, T>(a: &ArrayView2<'a, T>) -> MatRef<'a, T> {
    let s = a.strides();
    // SAFETY: the view's pointer, shape and strides describe valid memory for its lifetime.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), a.nrows(), a.ncols(), s[0], s[1]) }
}

fn as_faer_mut<'a, T>(a: &'a mut ArrayViewMut2<'_, T>) -> MatMut<'a, T> {
    let (r, c) = a.dim();
    let s = a.strides();
    let (s0, s1) = (s[0], s[1]);
    // SAFETY: the view is uniquely borrowed; pointer, shape and strides describe valid memory.
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), r, c, s0, s1) }
}

/// `c = alpha * a b` (when `accumulate` is false) or `c += alpha * a b`; shapes `(m, k) (k, n) ->
/// (m, n)`. Transposed views (`a.t()`) are accepted. Clears the AVX upper state of the threads that
/// ran the product afterwards (see [`clear_upper_state`]).
pub fn gemm<T: ComplexField + Copy>(
    c: ArrayViewMut2<'_, T>,
    accumulate: bool,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    alpha: T,
    par: Par,
) {
    let used = gemm_raw(c, accumulate, a, b, alpha, par);
    clear_upper_state();
    if used != Par::Seq {
        // the pool's workers ran AVX kernels too
        rayon::broadcast(|_| clear_upper_state());
    }
}

/// [`gemm`] without clearing the AVX upper state afterwards (for timing loops of products only);
/// returns the parallelism used.
pub fn gemm_raw<T: ComplexField + Copy>(
    mut c: ArrayViewMut2<'_, T>,
    accumulate: bool,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    alpha: T,
    par: Par,
) -> Par {
    assert_eq!(a.ncols(), b.nrows(), "gemm: inner dimensions differ");
    assert_eq!(c.dim(), (a.nrows(), b.ncols()), "gemm: output shape");
    let acc = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    // threads cost more than they save on small products
    let par = if a.nrows() * a.ncols() * b.ncols() < 200_000 {
        Par::Seq
    } else {
        par
    };
    let (fa, fb) = (as_faer(&a), as_faer(&b));
    faer::linalg::matmul::matmul(as_faer_mut(&mut c), acc, fa, fb, alpha, par);
    par
}

/// faer's AVX kernels can return with the upper halves of the YMM registers dirty, which makes
/// later SSE code (libm's `exp`, `log1p`) an order of magnitude slower on some CPUs;
/// `vzeroupper` clears that state.
#[inline]
pub fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: AVX is available (checked above); vzeroupper only clears register halves.
            unsafe { zeroupper() }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn zeroupper() {
    std::arch::x86_64::_mm256_zeroupper();
}

/// `a b` as a new array.
pub fn matmul<T: ComplexField + Copy + num_zero::Zero>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
) -> ndarray::Array2<T> {
    let mut c = ndarray::Array2::<T>::from_elem((a.nrows(), b.ncols()), T::zero());
    gemm(c.view_mut(), false, a, b, T::one(), par());
    c
}

/// Singular values of an `(m, n)` matrix, in non-increasing order (faer's SVD, on the calling
/// thread: faer's parallel SVD rounds differently with the thread count, and the results must not
/// depend on it).
pub fn singular_values(a: ArrayView2<'_, f64>) -> crate::Result<Vec<f64>> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::svd::{ComputeSvdVectors, svd, svd_scratch};
    let (m, n) = a.dim();
    let mut s = faer::diag::Diag::<f64>::zeros(m.min(n));
    let mut buf = MemBuffer::new(svd_scratch::<f64>(
        m,
        n,
        ComputeSvdVectors::No,
        ComputeSvdVectors::No,
        Par::Seq,
        Default::default(),
    ));
    svd(
        as_faer(&a),
        s.as_mut(),
        None,
        None,
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| crate::RbmError::Numerical(format!("SVD did not converge: {e:?}")))?;
    Ok(s.column_vector().iter().copied().collect())
}

/// Zero, one and conversion from f64 for the two float types (avoids a num-traits dependency).
pub mod num_zero {
    /// Additive and multiplicative identities.
    pub trait Zero: Copy {
        /// 0.
        fn zero() -> Self;
        /// 1.
        fn one() -> Self;
        /// `x` rounded to this type.
        fn from_f64(x: f64) -> Self;
    }
    impl Zero for f32 {
        fn zero() -> Self {
            0.0
        }
        fn one() -> Self {
            1.0
        }
        fn from_f64(x: f64) -> Self {
            x as f32
        }
    }
    impl Zero for f64 {
        fn zero() -> Self {
            0.0
        }
        fn one() -> Self {
            1.0
        }
        fn from_f64(x: f64) -> Self {
            x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn filled(r: usize, c: usize, s: u64) -> Array2<f32> {
        let mut x = s;
        Array2::from_shape_fn((r, c), |_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
    }

    #[test]
    fn products_match_naive_and_are_thread_independent() {
        let a = filled(37, 300, 1);
        let b = filled(300, 29, 2);
        let mut seq = Array2::<f32>::zeros((37, 29));
        gemm(seq.view_mut(), false, a.view(), b.view(), 1.0, Par::Seq);
        let naive = a.dot(&b);
        for (x, y) in seq.iter().zip(naive.iter()) {
            assert!((x - y).abs() < 1e-4);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let big_a = filled(100, 784, 3);
        let big_b = filled(784, 500, 4);
        let mut c1 = Array2::<f32>::zeros((784, 500));
        let mut c2 = Array2::<f32>::zeros((784, 500));
        gemm(
            c1.view_mut(),
            false,
            big_a.t(),
            big_a.dot(&big_b).view(),
            0.5,
            Par::Seq,
        );
        pool.install(|| {
            gemm(
                c2.view_mut(),
                false,
                big_a.t(),
                big_a.dot(&big_b).view(),
                0.5,
                Par::rayon(2),
            )
        });
        assert!(
            c1.iter()
                .zip(c2.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
    }

    #[test]
    fn singular_values_of_diagonal() {
        let mut a = Array2::<f64>::zeros((3, 4));
        a[[0, 0]] = -2.0;
        a[[1, 1]] = 5.0;
        a[[2, 2]] = 1.0;
        let s = singular_values(a.view()).unwrap();
        assert!(
            (s[0] - 5.0).abs() < 1e-12 && (s[1] - 2.0).abs() < 1e-12 && (s[2] - 1.0).abs() < 1e-12
        );
    }

    #[test]
    fn singular_values_do_not_depend_on_the_thread_count() {
        let a = filled(1000, 144, 7).mapv(f64::from);
        let one = singular_values(a.view()).unwrap();
        for threads in [2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let many = pool.install(|| singular_values(a.view()).unwrap());
            assert!(
                one.iter()
                    .zip(&many)
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "{threads} threads"
            );
        }
        assert!(one.windows(2).all(|w| w[0] >= w[1]));
        assert!(one[0] > 0.0);
    }
}
