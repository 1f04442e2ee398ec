//! k-means clustering, the baseline of 003 Fig. 2a-b: k-means++ seeding (Arthur & Vassilvitskii
//! 2007), Lloyd iterations, several seeded restarts (restart `r` draws from `seed.stream(r)`, run
//! in parallel, the lowest inertia wins, ties to the lower restart index), so the result does not
//! depend on the thread count.

use crate::{RelevanceError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, Seed, check};

/// k-means configuration. Validate with [`ParamGuard::check`]; the seed is an argument of
/// [`kmeans`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    /// Number of clusters K.
    pub k: usize,
    /// Independent restarts.
    pub restarts: usize,
    /// Maximum Lloyd iterations per restart.
    pub max_iter: usize,
    /// Stop when the relative decrease of the inertia falls below this.
    pub tol: f64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 8,
            restarts: 4,
            max_iter: 100,
            tol: 1e-6,
        }
    }
}

/// [`KMeansParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidKMeansParams {
    k: usize,
    restarts: usize,
    max_iter: usize,
    tol: f64,
}

impl ValidKMeansParams {
    /// Number of clusters K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Independent restarts.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// Maximum Lloyd iterations per restart.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }

    /// Relative inertia tolerance.
    pub fn tol(&self) -> f64 {
        self.tol
    }
}

impl ParamGuard for KMeansParams {
    type Checked = ValidKMeansParams;

    fn check(&self) -> spinlearn_core::Result<ValidKMeansParams> {
        Ok(ValidKMeansParams {
            k: check::nonzero("k", self.k)?,
            restarts: check::nonzero("restarts", self.restarts)?,
            max_iter: check::nonzero("max_iter", self.max_iter)?,
            tol: check::non_negative("tol", self.tol)?,
        })
    }
}

/// A clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansResult {
    /// Cluster of each sample, `(n_samples,)`, in `0..k`.
    pub assignment: Vec<u32>,
    /// Centroids `(k, n_features)`.
    pub centroids: Array2<f32>,
    /// Sum of squared distances to the assigned centroids.
    pub inertia: f64,
    /// Lloyd iterations of the winning restart.
    pub iterations: usize,
    /// Whether the winning restart met the tolerance within `max_iter`.
    pub converged: bool,
}

/// Squared distances `(n_samples, k)` via `|x|² - 2 x·c + |c|²` (clamped at 0).
fn sq_dists(x: ArrayView2<'_, f32>, x_sq: &Array1<f32>, c: ArrayView2<'_, f32>) -> Array2<f32> {
    let c_sq: Array1<f32> = c.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut d = x.dot(&c.t());
    for (mut row, &xs) in d.rows_mut().into_iter().zip(x_sq.iter()) {
        for (v, &cs) in row.iter_mut().zip(c_sq.iter()) {
            *v = (xs - 2.0 * *v + cs).max(0.0);
        }
    }
    d
}

fn assign(d: &Array2<f32>) -> (Vec<u32>, f64) {
    let mut inertia = 0.0f64;
    let a = d
        .rows()
        .into_iter()
        .map(|row| {
            let (mut bi, mut bv) = (0usize, f32::INFINITY);
            for (i, &v) in row.iter().enumerate() {
                if v < bv {
                    bv = v;
                    bi = i;
                }
            }
            inertia += f64::from(bv);
            bi as u32
        })
        .collect();
    (a, inertia)
}

fn one_run(
    x: ArrayView2<'_, f32>,
    x_sq: &Array1<f32>,
    p: &ValidKMeansParams,
    seed: Seed,
    r: usize,
) -> KMeansResult {
    let mut rng = seed.stream(r as u64);
    let (n, dim) = x.dim();
    let k = p.k;
    // k-means++: first centre uniform, then proportional to the squared distance to the nearest.
    let mut centroids = Array2::<f32>::zeros((k, dim));
    let first = rng.random_range(0..n);
    centroids.row_mut(0).assign(&x.row(first));
    let mut nearest: Vec<f32> = sq_dists(x, x_sq, centroids.slice(ndarray::s![0..1, ..]))
        .column(0)
        .to_vec();
    for c in 1..k {
        let total: f64 = nearest.iter().map(|&v| f64::from(v)).sum();
        let pick = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            let mut idx = n - 1;
            for (i, &v) in nearest.iter().enumerate() {
                u -= f64::from(v);
                if u < 0.0 {
                    idx = i;
                    break;
                }
            }
            idx
        } else {
            rng.random_range(0..n)
        };
        centroids.row_mut(c).assign(&x.row(pick));
        let d = sq_dists(x, x_sq, centroids.slice(ndarray::s![c..c + 1, ..]));
        for (v, &dv) in nearest.iter_mut().zip(d.column(0).iter()) {
            *v = v.min(dv);
        }
    }
    let mut prev = f64::INFINITY;
    let mut iterations = 0;
    let mut converged = false;
    let (mut assignment, mut inertia);
    loop {
        let d = sq_dists(x, x_sq, centroids.view());
        (assignment, inertia) = assign(&d);
        if iterations >= p.max_iter {
            break;
        }
        if prev.is_finite() && prev - inertia <= p.tol * prev.max(f64::MIN_POSITIVE) {
            converged = true;
            break;
        }
        prev = inertia;
        iterations += 1;
        // Update: means of the members; an empty cluster takes the sample farthest from its centre.
        let mut sums = Array2::<f64>::zeros((k, dim));
        let mut counts = vec![0usize; k];
        for (row, &a) in x.rows().into_iter().zip(&assignment) {
            counts[a as usize] += 1;
            let mut s = sums.row_mut(a as usize);
            for (sv, &xv) in s.iter_mut().zip(row.iter()) {
                *sv += f64::from(xv);
            }
        }
        let own: Vec<f32> = assignment
            .iter()
            .enumerate()
            .map(|(i, &a)| d[[i, a as usize]])
            .collect();
        let mut far: Vec<usize> = (0..n).collect();
        far.sort_by(|&i, &j| own[j].total_cmp(&own[i]).then(i.cmp(&j)));
        let mut far_iter = far.into_iter();
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                let inv = 1.0 / count as f64;
                for (cv, &sv) in centroids.row_mut(c).iter_mut().zip(sums.row(c).iter()) {
                    *cv = (sv * inv) as f32;
                }
            } else if let Some(i) = far_iter.next() {
                centroids.row_mut(c).assign(&x.row(i));
            }
        }
    }
    KMeansResult {
        assignment,
        centroids,
        inertia,
        iterations,
        converged,
    }
}

/// Clusters the rows of `x (n_samples, n_features)` into `k` clusters; restart `r` draws from
/// `seed.stream(r)`.
pub fn kmeans(x: ArrayView2<'_, f32>, p: &ValidKMeansParams, seed: Seed) -> Result<KMeansResult> {
    if x.nrows() < p.k {
        return Err(RelevanceError::Input(format!(
            "k-means needs at least k = {} samples, got {}",
            p.k,
            x.nrows()
        )));
    }
    let x_sq: Array1<f32> = x.map_axis(Axis(1), |r| r.dot(&r));
    let runs: Vec<KMeansResult> = (0..p.restarts)
        .into_par_iter()
        .map(|r| one_run(x, &x_sq, p, seed, r))
        .collect();
    let best = runs
        .into_iter()
        .reduce(|a, b| if b.inertia < a.inertia { b } else { a })
        .expect("at least one restart");
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn recovers_separated_blobs_and_is_thread_independent() {
        // Three Gaussian blobs (σ = 0.1) at distance 10: every restart must recover them exactly.
        let mut rng = Seed(3).stream(0);
        let centres = [[0.0f32, 0.0], [10.0, 0.0], [0.0, 10.0]];
        let n_per = 50;
        let mut x = Array2::<f32>::zeros((3 * n_per, 2));
        for (c, ctr) in centres.iter().enumerate() {
            for i in 0..n_per {
                for d in 0..2 {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    x[[c * n_per + i, d]] = ctr[d] + 0.1 * z as f32;
                }
            }
        }
        let p = KMeansParams {
            k: 3,
            restarts: 3,
            ..Default::default()
        }
        .check()
        .unwrap();
        let r = kmeans(x.view(), &p, Seed(1)).unwrap();
        for c in 0..3 {
            let a = r.assignment[c * n_per];
            assert!(
                r.assignment[c * n_per..(c + 1) * n_per]
                    .iter()
                    .all(|&v| v == a)
            );
        }
        let mut seen: Vec<u32> = (0..3).map(|c| r.assignment[c * n_per]).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2]);
        assert!(r.converged);
        // Inertia ≈ n · dim · σ² = 150 · 2 · 0.01 = 3 (within 30 %).
        assert!((r.inertia - 3.0).abs() < 0.9, "inertia {}", r.inertia);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let r1 = pool.install(|| kmeans(x.view(), &p, Seed(1)).unwrap());
        assert_eq!(r1.assignment, r.assignment);
        let e = KMeansParams {
            k: 0,
            ..Default::default()
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains("`k`"), "{e}");
    }
}
