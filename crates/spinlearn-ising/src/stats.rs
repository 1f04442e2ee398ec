//! Error bars for correlated Monte Carlo series: binning (blocking) analysis, the integrated
//! autocorrelation time with Sokal's automatic window, and block jackknife for derived quantities
//! (susceptibility, specific heat, Binder cumulant).

use serde::{Deserialize, Serialize};

/// A mean with its one-standard-error bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub mean: f64,
    /// Its standard error (autocorrelation-aware).
    pub err: f64,
}

/// The binning analysis of a series: its mean, the error from the plateau of block errors, and the
/// implied integrated autocorrelation time τ = (err_binned / err_naive)^2 / 2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Binned {
    /// Mean and binned standard error.
    pub estimate: Estimate,
    /// Naive standard error (as if uncorrelated).
    pub naive_err: f64,
    /// τ_int from the error ratio (1/2 for an uncorrelated series).
    pub tau_int: f64,
}

/// Mean and unbiased variance (0 for one value). The error bars divide the variance itself by n, so
/// this stays a variance rather than `spinlearn_core::stats::mean_std`'s rounded square root.
fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, v)
}

/// Binning analysis: blocks of size 1, 2, 4, ... while at least `min_blocks` (32) blocks remain;
/// the error is the largest block-level error (conservative plateau estimate).
pub fn binning(xs: &[f64]) -> Binned {
    let min_blocks = 32;
    if xs.is_empty() {
        return Binned {
            estimate: Estimate {
                mean: f64::NAN,
                err: f64::NAN,
            },
            naive_err: f64::NAN,
            tau_int: f64::NAN,
        };
    }
    let (mean, var) = mean_var(xs);
    let naive = (var / xs.len() as f64).sqrt();
    let mut level: Vec<f64> = xs.to_vec();
    let mut err = naive;
    while level.len() / 2 >= min_blocks {
        level = level.chunks_exact(2).map(|c| 0.5 * (c[0] + c[1])).collect();
        let (_, v) = mean_var(&level);
        err = err.max((v / level.len() as f64).sqrt());
    }
    let tau = if naive > 0.0 {
        0.5 * (err / naive).powi(2)
    } else {
        0.5
    };
    Binned {
        estimate: Estimate { mean, err },
        naive_err: naive,
        tau_int: tau,
    }
}

/// Integrated autocorrelation time τ_int = 1/2 + Σ_{t=1}^{W} ρ(t) with the smallest window
/// W >= c τ_int(W), c = 6 (Sokal). 1/2 for white noise; 0.5 for a constant series.
pub fn tau_int(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 4 {
        return 0.5;
    }
    let (m, _) = mean_var(xs);
    let d: Vec<f64> = xs.iter().map(|x| x - m).collect();
    let c0 = d.iter().map(|x| x * x).sum::<f64>() / n as f64;
    if c0 <= 0.0 {
        return 0.5;
    }
    let mut tau = 0.5;
    for t in 1..n / 2 {
        let ct = d[..n - t]
            .iter()
            .zip(&d[t..])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / n as f64;
        tau += ct / c0;
        if t as f64 >= 6.0 * tau {
            break;
        }
    }
    tau.max(0.5)
}

/// Block jackknife of a function of several series' means: `series` are equally long, split into
/// `n_blocks` blocks; `f` maps the vector of means to the quantity. Returns the full-sample value
/// with the jackknife error. Blocks longer than the autocorrelation time make the error honest.
pub fn jackknife(series: &[&[f64]], n_blocks: usize, f: impl Fn(&[f64]) -> f64) -> Estimate {
    let n = series.first().map_or(0, |s| s.len());
    let k = series.len();
    let means: Vec<f64> = series
        .iter()
        .map(|s| s.iter().sum::<f64>() / n as f64)
        .collect();
    let full = f(&means);
    let nb = n_blocks.min(n);
    if nb < 2 {
        return Estimate {
            mean: full,
            err: f64::NAN,
        };
    }
    let bs = n / nb;
    let used = bs * nb;
    let totals: Vec<f64> = series.iter().map(|s| s[..used].iter().sum()).collect();
    let mut vals = Vec::with_capacity(nb);
    let mut loo = vec![0.0; k];
    for b in 0..nb {
        for (q, s) in series.iter().enumerate() {
            let block: f64 = s[b * bs..(b + 1) * bs].iter().sum();
            loo[q] = (totals[q] - block) / (used - bs) as f64;
        }
        vals.push(f(&loo));
    }
    let mv = vals.iter().sum::<f64>() / nb as f64;
    let var = vals.iter().map(|v| (v - mv).powi(2)).sum::<f64>() * (nb as f64 - 1.0) / nb as f64;
    Estimate {
        mean: full,
        err: var.sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use spinlearn_core::Seed;

    /// AR(1) series x_t = φ x_{t-1} + noise has τ_int = (1 + φ) / (2 (1 - φ)).
    fn ar1(phi: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Seed(seed).stream(0);
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                let u: f64 = rng.random::<f64>() - 0.5;
                x = phi * x + u;
                x
            })
            .collect()
    }

    #[test]
    fn autocorrelation_time_of_ar1() {
        let phi = 0.8;
        let want = (1.0 + phi) / (2.0 * (1.0 - phi)); // 4.5
        let xs = ar1(phi, 200_000, 1);
        let t = tau_int(&xs);
        assert!((t / want - 1.0).abs() < 0.1, "tau {t} vs {want}");
        let b = binning(&xs);
        assert!(
            (b.tau_int / want - 1.0).abs() < 0.25,
            "binned tau {} vs {want}",
            b.tau_int
        );
        // White noise: τ = 1/2.
        let w = ar1(0.0, 100_000, 2);
        assert!((tau_int(&w) - 0.5).abs() < 0.05);
    }

    #[test]
    fn jackknife_of_the_mean_matches_the_block_error() {
        let xs = ar1(0.0, 64_000, 3);
        let j = jackknife(&[&xs], 64, |m| m[0]);
        let (_, v) = mean_var(&xs);
        let want = (v / xs.len() as f64).sqrt();
        assert!((j.err / want - 1.0).abs() < 0.3, "{} vs {want}", j.err);
    }
}
