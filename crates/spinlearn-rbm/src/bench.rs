//! The RBM benchmark behind `spinlearn bench rbm`: one epoch of CD-1 and of PCD-1 (f32) on a data
//! matrix (e.g. the embedded MNIST subset: 10,000 x 784, binarized at 0.5), with the achieved GFLOP/s of
//! the matrix products beside the measured single-precision product peak on the same shapes.

use crate::Result;
use crate::linalg::{clear_upper_state, gemm, gemm_raw, par};
use crate::model::UnitsSpec;
use crate::train::{Estimator, Optimizer, TrainParams, Trainer, WeightsSpec};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, Seed, check};
use std::time::Instant;

/// Benchmark settings. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BenchParams {
    /// Hidden units (500 by default).
    pub n_hidden: usize,
    /// Mini-batch size (100).
    pub batch_size: usize,
    /// Epochs timed per estimator (the best epoch is reported).
    pub epochs: usize,
}

impl Default for BenchParams {
    fn default() -> Self {
        BenchParams {
            n_hidden: 500,
            batch_size: 100,
            epochs: 5,
        }
    }
}

valid_params! {
    /// [`BenchParams`] that passed [`ParamGuard::check`].
    pub struct ValidBenchParams {
        /// Hidden units.
        n_hidden: usize,
        /// Mini-batch size.
        batch_size: usize,
        /// Epochs timed per estimator.
        epochs: usize,
    }
}

impl ParamGuard for BenchParams {
    type Checked = ValidBenchParams;

    fn check(&self) -> spinlearn_core::Result<ValidBenchParams> {
        Ok(ValidBenchParams {
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            epochs: check::nonzero("epochs", self.epochs)?,
        })
    }
}

/// Measured figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// Training samples.
    pub n_samples: usize,
    /// Visible units.
    pub n_visible: usize,
    /// Hidden units.
    pub n_hidden: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Threads of the rayon pool.
    pub threads: usize,
    /// Best CD-1 epoch, seconds.
    pub cd1_epoch_s: f64,
    /// Best PCD-1 epoch (chains = batch size), seconds.
    pub pcd1_epoch_s: f64,
    /// Floating-point operations of the CD-1 epoch's matrix products (5 products per batch), in GFLOP.
    pub cd1_gflop: f64,
    /// Same for PCD-1 (6 products per batch).
    pub pcd1_gflop: f64,
    /// `cd1_gflop / cd1_epoch_s`.
    pub cd1_gflops: f64,
    /// `pcd1_gflop / pcd1_epoch_s`.
    pub pcd1_gflops: f64,
    /// Best measured f32 product rate over the epoch's three product shapes, GFLOP/s.
    pub matmul_peak_gflops: f64,
    /// The rate per shape: `(shape, GFLOP/s)`.
    pub matmul_shapes: Vec<(String, f64)>,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "RBM epoch on {} x {} -> {} hidden, batch {}, f32, {} threads",
            self.n_samples, self.n_visible, self.n_hidden, self.batch_size, self.threads
        )?;
        writeln!(
            f,
            "  CD-1 epoch : {:.3} s  ({:.1} GFLOP in products, {:.1} GFLOP/s)",
            self.cd1_epoch_s, self.cd1_gflop, self.cd1_gflops
        )?;
        writeln!(
            f,
            "  PCD-1 epoch: {:.3} s  ({:.1} GFLOP in products, {:.1} GFLOP/s)",
            self.pcd1_epoch_s, self.pcd1_gflop, self.pcd1_gflops
        )?;
        write!(
            f,
            "  f32 product peak on these shapes: {:.1} GFLOP/s (",
            self.matmul_peak_gflops
        )?;
        for (i, (s, g)) in self.matmul_shapes.iter().enumerate() {
            write!(f, "{}{s}: {g:.1}", if i > 0 { ", " } else { "" })?;
        }
        write!(f, ")")
    }
}

fn time_product(m: usize, k: usize, n: usize, reps: usize) -> f64 {
    let a = Array2::<f32>::from_shape_fn((m, k), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.1);
    let b = Array2::<f32>::from_shape_fn((k, n), |(i, j)| ((i * 5 + j) % 13) as f32 * 0.1);
    let mut c = Array2::<f32>::zeros((m, n));
    gemm(c.view_mut(), false, a.view(), b.view(), 1.0, par());
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..reps {
            gemm_raw(c.view_mut(), false, a.view(), b.view(), 1.0, par());
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    clear_upper_state();
    rayon::broadcast(|_| clear_upper_state());
    2.0 * (m * k * n) as f64 / best / 1e9
}

/// Times CD-1 and PCD-1 epochs on `data (n_samples, n_visible)` (0/1 units with biases, SGD) and
/// the f32 products of the same shapes; the models start from `seed`.
pub fn bench(
    data: ArrayView2<'_, f32>,
    params: &ValidBenchParams,
    seed: Seed,
) -> Result<BenchReport> {
    let (n, nv) = data.dim();
    let nh = params.n_hidden;
    let bs = params.batch_size.min(n);
    let n_batches = n.div_ceil(bs);
    let product = 2.0 * (bs * nv * nh) as f64 * n_batches as f64 / 1e9;
    let time = |estimator: Estimator| -> Result<f64> {
        let p = TrainParams {
            n_hidden: nh,
            units: UnitsSpec::BITS_WITH_BIAS,
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator,
            optimizer: Optimizer::Sgd {
                lr: 0.05,
                momentum: 0.5,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            epochs: params.epochs,
            batch_size: bs,
            track_exact_nll: false,
        };
        let trainer = Trainer::new(p.check()?, seed);
        let mut st = trainer.init(nv)?;
        let mut best = f64::INFINITY;
        for _ in 0..params.epochs {
            let t = Instant::now();
            trainer.epoch(&mut st, data)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        Ok(best)
    };
    let cd1 = time(Estimator::Cd { gibbs_steps: 1 })?;
    let pcd1 = time(Estimator::Pcd {
        gibbs_steps: 1,
        n_chains: bs,
    })?;
    let shapes = [(bs, nv, nh), (bs, nh, nv), (nv, bs, nh)];
    let matmul_shapes: Vec<(String, f64)> = shapes
        .iter()
        .map(|&(m, k, nn)| (format!("({m}x{k})({k}x{nn})"), time_product(m, k, nn, 50)))
        .collect();
    let peak = matmul_shapes.iter().map(|s| s.1).fold(0.0, f64::max);
    Ok(BenchReport {
        n_samples: n,
        n_visible: nv,
        n_hidden: nh,
        batch_size: bs,
        threads: rayon::current_num_threads(),
        cd1_epoch_s: cd1,
        pcd1_epoch_s: pcd1,
        cd1_gflop: 5.0 * product,
        pcd1_gflop: 6.0 * product,
        cd1_gflops: 5.0 * product / cd1,
        pcd1_gflops: 6.0 * product / pcd1,
        matmul_peak_gflops: peak,
        matmul_shapes,
    })
}
