//! Small statistics shared by every domain: means with spreads over runs ([`MeanStd`]), curves with
//! bands ([`Band`]), least-squares line and power-law fits ([`linear_fit`], [`power_law_fit`]) and a
//! golden-section search ([`golden_section_min`]).
//!
//! Two standard-deviation conventions exist in the literature and both are used here, each named:
//! [`mean_std`] is the unbiased (n - 1) sample estimate, [`mean_std_population`] divides by n.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Mean and unbiased (n - 1) standard deviation; std is 0 for one value, both NaN for none.
pub fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, var.sqrt())
}

/// Mean and population (divide by n) standard deviation; both NaN for an empty slice.
pub fn mean_std_population(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt())
}

/// Mean and population standard deviation of one figure over independent runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Mean over runs.
    pub mean: f64,
    /// Population standard deviation over runs (0 for one run).
    pub std: f64,
}

impl MeanStd {
    /// From values, leaving out non-finite ones (NaN mean and std when none is finite).
    pub fn of(xs: &[f64]) -> MeanStd {
        let f: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        let (mean, std) = mean_std_population(&f);
        MeanStd { mean, std }
    }
}

/// A curve with a band: mean and population standard deviation over runs at each `x`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Abscissae.
    pub x: Vec<f64>,
    /// Mean over runs at each abscissa (NaN where no run has a finite value).
    pub mean: Vec<f64>,
    /// Population standard deviation over runs (0 for a single run).
    pub std: Vec<f64>,
}

impl Band {
    /// Column-wise mean and standard deviation of `runs` (each of length `x.len()`); non-finite
    /// entries are left out.
    pub fn from_runs(x: Vec<f64>, runs: &[Vec<f64>]) -> Band {
        let n = x.len();
        let mut mean = Vec::with_capacity(n);
        let mut std = Vec::with_capacity(n);
        for i in 0..n {
            let col: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.get(i).copied())
                .filter(|v| v.is_finite())
                .collect();
            let (m, sd) = mean_std_population(&col);
            mean.push(m);
            std.push(sd);
        }
        Band { x, mean, std }
    }

    /// The last mean and std (NaN when empty).
    pub fn last(&self) -> (f64, f64) {
        match (self.mean.last(), self.std.last()) {
            (Some(&m), Some(&s)) => (m, s),
            _ => (f64::NAN, f64::NAN),
        }
    }

    /// The first abscissa where the mean is `<= threshold`.
    pub fn first_x_at_most(&self, threshold: f64) -> Option<f64> {
        self.x
            .iter()
            .zip(&self.mean)
            .find(|(_, m)| **m <= threshold)
            .map(|(x, _)| *x)
    }
}

/// A least-squares line `y = slope x + intercept`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// Slope.
    pub slope: f64,
    /// Intercept.
    pub intercept: f64,
}

impl LinearFit {
    /// The line at `x`.
    pub fn value(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }
}

/// Least-squares line through `(x, y)`; `None` for fewer than two points, unequal lengths or
/// constant `x`.
pub fn linear_fit(x: &[f64], y: &[f64]) -> Option<LinearFit> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    Some(LinearFit {
        slope,
        intercept: my - slope * mx,
    })
}

/// `y = prefactor · x^exponent` fitted by least squares in log-log space.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    /// The exponent (slope of ln y against ln x).
    pub exponent: f64,
    /// The prefactor (exp of the intercept).
    pub prefactor: f64,
}

impl PowerLawFit {
    /// The law at `x`.
    pub fn value(&self, x: f64) -> f64 {
        self.prefactor * x.powf(self.exponent)
    }
}

/// Power law through the points with `x > 0` and `y > 0` (others are left out); `None` when fewer
/// than two such points with distinct `x` remain.
pub fn power_law_fit(x: &[f64], y: &[f64]) -> Option<PowerLawFit> {
    let (lx, ly): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| **a > 0.0 && **b > 0.0)
        .map(|(a, b)| (a.ln(), b.ln()))
        .unzip();
    linear_fit(&lx, &ly).map(|f| PowerLawFit {
        exponent: f.slope,
        prefactor: f.intercept.exp(),
    })
}

/// Minimizes a unimodal `f` on `[lo, hi]` by golden-section search until the bracket is narrower
/// than `tol`; returns the bracket's midpoint. Fails with [`Error::NonConvergence`] after
/// `max_iter` steps (a bracket shrinks by 0.618 per step, so this only fires for a `tol` below the
/// floating-point resolution of the bracket). To maximize, minimize `-f`.
pub fn golden_section_min(
    what: &str,
    mut f: impl FnMut(f64) -> f64,
    lo: f64,
    hi: f64,
    tol: f64,
    max_iter: usize,
) -> Result<f64> {
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut a, mut d) = (lo, hi);
    let mut c1 = d - g * (d - a);
    let mut c2 = a + g * (d - a);
    let (mut f1, mut f2) = (f(c1), f(c2));
    let mut it = 0;
    while (d - a).abs() > tol {
        if it == max_iter {
            return Err(Error::NonConvergence {
                what: what.to_string(),
                iterations: it,
                residual: (d - a).abs(),
            });
        }
        if f1 < f2 {
            d = c2;
            c2 = c1;
            f2 = f1;
            c1 = d - g * (d - a);
            f1 = f(c1);
        } else {
            a = c1;
            c1 = c2;
            f1 = f2;
            c2 = a + g * (d - a);
            f2 = f(c2);
        }
        it += 1;
    }
    Ok(0.5 * (a + d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn spreads_fits_and_search() {
        let (m, s) = mean_std(&[1.0, 2.0, 3.0]);
        assert_relative_eq!(m, 2.0);
        assert_relative_eq!(s, 1.0);
        let (_, sp) = mean_std_population(&[1.0, 2.0, 3.0]);
        assert_relative_eq!(sp, (2.0f64 / 3.0).sqrt());
        let ms = MeanStd::of(&[1.0, f64::NAN, 3.0]);
        assert_relative_eq!(ms.mean, 2.0);
        assert_relative_eq!(ms.std, 1.0);
        let b = Band::from_runs(vec![0.0, 1.0], &[vec![1.0, 4.0], vec![3.0, 2.0]]);
        assert_eq!(b.mean, vec![2.0, 3.0]);
        assert_eq!(b.first_x_at_most(3.0), Some(0.0));
        let l = linear_fit(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).unwrap();
        assert_relative_eq!(l.slope, 2.0, epsilon = 1e-14);
        assert_relative_eq!(l.intercept, 1.0, epsilon = 1e-14);
        assert!(linear_fit(&[1.0, 1.0], &[0.0, 1.0]).is_none());
        let p = power_law_fit(&[1.0, 2.0, 4.0, 0.0], &[3.0, 12.0, 48.0, 5.0]).unwrap();
        assert_relative_eq!(p.exponent, 2.0, epsilon = 1e-12);
        assert_relative_eq!(p.prefactor, 3.0, epsilon = 1e-12);
        let x =
            golden_section_min("parabola", |x| (x - 0.3).powi(2), -1.0, 2.0, 1e-10, 200).unwrap();
        assert_relative_eq!(x, 0.3, epsilon = 1e-9);
        let e = golden_section_min("parabola", |x| x * x, -1.0, 1.0, 1e-10, 3).unwrap_err();
        assert!(e.to_string().contains("did not converge"), "{e}");
    }
}
