//! Exact marginals of the posterior eq. (2) by enumerating all `3^N` synapse configurations, the
//! reference the message passing is checked against (small `N` only).

use crate::error::{BpError, Result};
use ndarray::{Array2, ArrayView2};
use spinlearn_core::numerics::{LogSumExp, log_cosh};

/// Largest `N` [`exact_marginals`] accepts (`3^14` ≈ 4.8 million configurations).
pub const MAX_EXACT_N: usize = 14;

/// Exact marginals `P_i(xi_i)` of `P(xi) ∝ prod_a cosh(beta xi.sigma^a / sqrt N) exp(-gamma |xi|²)`,
/// `gamma = (M/N) beta² / 2`, for `(M, N)` ±1 data with `N <= MAX_EXACT_N`. Returns `(N, 3)` with
/// columns `P(-1)`, `P(0)`, `P(+1)`. Sums are done in log space.
pub fn exact_marginals(data: ArrayView2<'_, f64>, beta: f64) -> Result<Array2<f64>> {
    enumerate(data, beta, None)
}

/// Exact marginals of the posterior restricted to one of its two mirror-image lobes: only
/// configurations with overlap `q = xi . direction > 0` count (those with `q = 0` count half).
/// The posterior is symmetric under `xi -> -xi`, so its unrestricted marginals have
/// `P(+1) = P(-1)`; message passing that has broken this symmetry towards `direction` is compared
/// with these. `direction` has length `N`.
pub fn exact_marginals_in_lobe(
    data: ArrayView2<'_, f64>,
    beta: f64,
    direction: &[f64],
) -> Result<Array2<f64>> {
    if direction.len() != data.ncols() {
        return Err(BpError::Data(format!(
            "direction has length {}, data has {} features",
            direction.len(),
            data.ncols()
        )));
    }
    enumerate(data, beta, Some(direction))
}

fn enumerate(
    data: ArrayView2<'_, f64>,
    beta: f64,
    direction: Option<&[f64]>,
) -> Result<Array2<f64>> {
    crate::bp::check_spins(data)?;
    spinlearn_core::check::positive("beta", beta)?;
    let (m, n) = data.dim();
    if n > MAX_EXACT_N {
        return Err(BpError::invalid(
            "n_features",
            format!("exact enumeration supports N <= {MAX_EXACT_N}, got {n}"),
        ));
    }
    let gamma = m as f64 / n as f64 * beta * beta / 2.0;
    let scale = beta / (n as f64).sqrt();
    let mut acc = vec![[LogSumExp::new(); 3]; n];
    let mut xi = vec![-1i32; n];
    let total = 3usize.pow(n as u32);
    let mut fields = vec![0.0f64; m];
    for _ in 0..total {
        // fields[a] = xi . sigma^a
        for (a, f) in fields.iter_mut().enumerate() {
            *f = data
                .row(a)
                .iter()
                .zip(&xi)
                .map(|(s, &x)| s * f64::from(x))
                .sum();
        }
        let n_nonzero = xi.iter().filter(|&&x| x != 0).count() as f64;
        let mut log_w: f64 =
            fields.iter().map(|&f| log_cosh(scale * f)).sum::<f64>() - gamma * n_nonzero;
        if let Some(dir) = direction {
            let q: f64 = xi.iter().zip(dir).map(|(&x, d)| f64::from(x) * d).sum();
            if q < 0.0 {
                log_w = f64::NEG_INFINITY;
            } else if q == 0.0 {
                log_w -= std::f64::consts::LN_2;
            }
        }
        if log_w > f64::NEG_INFINITY {
            for (i, &x) in xi.iter().enumerate() {
                acc[i][(x + 1) as usize].push(log_w);
            }
        }
        // next configuration (base-3 counter over {-1, 0, 1})
        for x in xi.iter_mut() {
            if *x < 1 {
                *x += 1;
                break;
            }
            *x = -1;
        }
    }
    let mut out = Array2::zeros((n, 3));
    for (i, a) in acc.iter().enumerate() {
        let logs: Vec<f64> = a.iter().map(|l| l.value()).collect();
        let z = spinlearn_core::numerics::log_sum_exp(&logs);
        for k in 0..3 {
            out[[i, k]] = (logs[k] - z).exp();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn one_sample_one_synapse_pair_by_hand() {
        // N = 2, M = 1, sigma = (+1, +1): weights cosh(beta (x1 + x2)/sqrt 2) exp(-gamma |xi|²).
        let d = Array2::from_shape_vec((1, 2), vec![1.0, 1.0]).unwrap();
        let beta = 0.9;
        let g = 0.5 * beta * beta / 2.0;
        let s = beta / 2f64.sqrt();
        let w = |x1: f64, x2: f64| (s * (x1 + x2)).cosh() * (-g * (x1 * x1 + x2 * x2)).exp();
        let vals = [-1.0, 0.0, 1.0];
        let z: f64 = vals
            .iter()
            .flat_map(|&a| vals.iter().map(move |&b| w(a, b)))
            .sum();
        let p0: f64 = vals.iter().map(|&b| w(0.0, b)).sum::<f64>() / z;
        let pp: f64 = vals.iter().map(|&b| w(1.0, b)).sum::<f64>() / z;
        let p = exact_marginals(d.view(), beta).unwrap();
        assert_relative_eq!(p[[0, 1]], p0, epsilon = 1e-13);
        assert_relative_eq!(p[[0, 2]], pp, epsilon = 1e-13);
        assert_relative_eq!(p[[1, 1]], p0, epsilon = 1e-13);
    }
}
