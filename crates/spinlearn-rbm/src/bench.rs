//! The RBM benchmark behind `spinlearn bench rbm`: one epoch of CD-1 and of PCD-1 (f32) on a data
//! matrix (e.g. the embedded MNIST subset: 10,000 x 784, binarized at 0.5), each with the binary
//! kernels ([`Kernels::Auto`]) beside the dense products they replace ([`Kernels::Dense`]), measured
//! in the same run; the dense-equivalent GFLOP/s beside the measured f32 product peak; the time of
//! one field product by the gather against the dense product at several state densities (where
//! [`crate::kernels::GATHER_MAX_DENSITY`] comes from); and an RA-RBM epoch (PID with one Gibbs
//! step, 004's MNIST sizes H = 3000, K = 190 on the first 1,000 images) through the patterns beside
//! the same epoch through the dense weights.

use crate::Result;
use crate::kernels::{ActiveLists, Kernels};
use crate::linalg::{clear_upper_state, gemm, gemm_raw, par};
use crate::model::UnitsSpec;
use crate::train::{Binarize, Estimator, Optimizer, TrainParams, Trainer, WeightsSpec};
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
    /// Hidden units of the RA-RBM epoch (004's MNIST: 3000).
    pub ra_hidden: usize,
    /// Patterns K of the RA-RBM epoch (004's MNIST: 190).
    pub ra_k: usize,
    /// Images of the RA-RBM epoch (the first rows of the data, as ±1 spins).
    pub ra_images: usize,
}

impl Default for BenchParams {
    fn default() -> Self {
        BenchParams {
            n_hidden: 500,
            batch_size: 100,
            epochs: 5,
            ra_hidden: 3000,
            ra_k: 190,
            ra_images: 1000,
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
        /// Hidden units of the RA-RBM epoch.
        ra_hidden: usize,
        /// Patterns of the RA-RBM epoch.
        ra_k: usize,
        /// Images of the RA-RBM epoch.
        ra_images: usize,
    }
}

impl ParamGuard for BenchParams {
    type Checked = ValidBenchParams;

    fn check(&self) -> spinlearn_core::Result<ValidBenchParams> {
        Ok(ValidBenchParams {
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            epochs: check::nonzero("epochs", self.epochs)?,
            ra_hidden: check::nonzero("ra_hidden", self.ra_hidden)?,
            ra_k: check::nonzero("ra_k", self.ra_k)?,
            ra_images: check::nonzero("ra_images", self.ra_images)?,
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
    /// Best CD-1 epoch with the binary kernels, seconds.
    pub cd1_epoch_s: f64,
    /// Best CD-1 epoch with dense products only (same run), seconds.
    pub cd1_dense_epoch_s: f64,
    /// Best PCD-1 epoch (chains = batch size) with the binary kernels, seconds.
    pub pcd1_epoch_s: f64,
    /// Best PCD-1 epoch with dense products only, seconds.
    pub pcd1_dense_epoch_s: f64,
    /// Floating-point operations of the CD-1 epoch's matrix products when done densely (5 products
    /// per batch), in GFLOP.
    pub cd1_gflop: f64,
    /// Same for PCD-1 (6 products per batch).
    pub pcd1_gflop: f64,
    /// `cd1_gflop / cd1_epoch_s` (dense-equivalent rate of the binary kernels).
    pub cd1_gflops: f64,
    /// `pcd1_gflop / pcd1_epoch_s`.
    pub pcd1_gflops: f64,
    /// `cd1_gflop / cd1_dense_epoch_s`.
    pub cd1_dense_gflops: f64,
    /// `pcd1_gflop / pcd1_dense_epoch_s`.
    pub pcd1_dense_gflops: f64,
    /// One field product `(batch x n_visible) (n_visible x n_hidden)` of 0/1 states by density:
    /// `(density, gather seconds, dense seconds)`, best of several repetitions, one thread.
    pub field_by_density: Vec<(f64, f64, f64)>,
    /// Best of two RA-RBM epochs (PID with one Gibbs step, ±1 units, SGD) through the patterns,
    /// seconds.
    pub ra_epoch_s: f64,
    /// The same epoch through the dense weights, seconds.
    pub ra_dense_epoch_s: f64,
    /// Best of two forward AIS runs (32 chains, 200 temperatures) on the initial RA-RBM with the
    /// fields through its patterns ([`crate::eval::ais_through_patterns`]), seconds.
    #[serde(default)]
    pub ra_ais_s: f64,
    /// The same AIS through the dense weights ([`crate::eval::ais`]), seconds.
    #[serde(default)]
    pub ra_ais_dense_s: f64,
    /// Best of five computations of the probe's features on the RA-RBM's images (one sampled
    /// hidden state and the hidden means per image) through its patterns, seconds.
    #[serde(default)]
    pub ra_probe_s: f64,
    /// The same through the dense weights, seconds.
    #[serde(default)]
    pub ra_probe_dense_s: f64,
    /// Hidden units of the RA-RBM epoch.
    pub ra_hidden: usize,
    /// Patterns K of the RA-RBM epoch.
    pub ra_k: usize,
    /// Images of the RA-RBM epoch.
    pub ra_images: usize,
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
            "  {:<12} {:>22} {:>22} {:>8}",
            "", "binary kernels", "dense products", "speedup"
        )?;
        let row =
            |f: &mut std::fmt::Formatter<'_>, name: &str, a: f64, ga: f64, d: f64, gd: f64| {
                writeln!(
                    f,
                    "  {name:<12} {:>8.3} s ({:>5.1} GF/s) {:>8.3} s ({:>5.1} GF/s) {:>7.2}x",
                    a,
                    ga,
                    d,
                    gd,
                    d / a
                )
            };
        row(
            f,
            "CD-1 epoch",
            self.cd1_epoch_s,
            self.cd1_gflops,
            self.cd1_dense_epoch_s,
            self.cd1_dense_gflops,
        )?;
        row(
            f,
            "PCD-1 epoch",
            self.pcd1_epoch_s,
            self.pcd1_gflops,
            self.pcd1_dense_epoch_s,
            self.pcd1_dense_gflops,
        )?;
        writeln!(
            f,
            "  ({:.1} and {:.1} GFLOP of dense products per epoch; GF/s of the kernels are dense-equivalent)",
            self.cd1_gflop, self.pcd1_gflop
        )?;
        write!(
            f,
            "  f32 product peak on these shapes: {:.1} GFLOP/s (",
            self.matmul_peak_gflops
        )?;
        for (i, (s, g)) in self.matmul_shapes.iter().enumerate() {
            write!(f, "{}{s}: {g:.1}", if i > 0 { ", " } else { "" })?;
        }
        writeln!(f, ")")?;
        writeln!(
            f,
            "  one field product {} x {} x {} of 0/1 states, 1 thread (gather threshold {}):",
            self.batch_size,
            self.n_visible,
            self.n_hidden,
            crate::kernels::GATHER_MAX_DENSITY
        )?;
        for &(d, g, dn) in &self.field_by_density {
            writeln!(
                f,
                "    density {d:.3}: gather {:>7.1} us, dense {:>7.1} us, {:>5.2}x",
                g * 1e6,
                dn * 1e6,
                dn / g
            )?;
        }
        write!(
            f,
            "  RA-RBM epoch (PID + 1 Gibbs step, 784 -> {} hidden, K = {}, {} images): {:.3} s through \
             the patterns, {:.3} s through W: {:.2}x",
            self.ra_hidden,
            self.ra_k,
            self.ra_images,
            self.ra_epoch_s,
            self.ra_dense_epoch_s,
            self.ra_dense_epoch_s / self.ra_epoch_s
        )?;
        write!(
            f,
            "\n  RA-RBM AIS (32 chains, 200 temperatures, 784 -> {} hidden, K = {}): {:.3} s through \
             the patterns, {:.3} s through W: {:.2}x",
            self.ra_hidden,
            self.ra_k,
            self.ra_ais_s,
            self.ra_ais_dense_s,
            self.ra_ais_dense_s / self.ra_ais_s
        )?;
        write!(
            f,
            "\n  RA-RBM probe features ({} images: a sampled hidden state and the f64 hidden means \
             each): {:.3} s through the patterns, {:.3} s through W: {:.2}x",
            self.ra_images,
            self.ra_probe_s,
            self.ra_probe_dense_s,
            self.ra_probe_dense_s / self.ra_probe_s
        )
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

/// One field product of 0/1 states `(m, k)` at `density` against `(k, n)` weights: best seconds
/// of the gather and of the dense product, on this thread.
fn time_field(m: usize, k: usize, n: usize, density: f64, reps: usize) -> (f64, f64) {
    let w = Array2::<f32>::from_shape_fn((k, n), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.1);
    // a fixed pseudo-random pattern of ones at the given density
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let v = Array2::<f32>::from_shape_simple_fn((m, k), || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if ((x >> 11) as f64 / (1u64 << 53) as f64) < density {
            1.0
        } else {
            0.0
        }
    });
    let mut c = Array2::<f32>::zeros((m, n));
    let best = |f: &mut dyn FnMut()| {
        f();
        let mut best = f64::INFINITY;
        for _ in 0..2 {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            best = best.min(t.elapsed().as_secs_f64() / reps as f64);
        }
        best
    };
    // the panel copy of the weights is made once per parameter update and serves every field
    // product of that update; it is timed apart
    let panels = crate::kernels::Panels::of(w.view());
    let mut gather = || {
        let lists = ActiveLists::of_rows(v.view()).expect("binary");
        crate::kernels::gather(&lists, 0..m, &panels, c.view_mut(), 1.0, None);
    };
    let (mut g, mut d) = (f64::INFINITY, f64::INFINITY);
    let mut c2 = Array2::<f32>::zeros((m, n));
    for _ in 0..5 {
        g = g.min(best(&mut gather));
        d = d.min(best(&mut || {
            gemm_raw(
                c2.view_mut(),
                false,
                v.view(),
                w.view(),
                1.0,
                faer::Par::Seq,
            );
        }));
    }
    clear_upper_state();
    (g, d)
}

/// Times CD-1 and PCD-1 epochs on `data (n_samples, n_visible)` (0/1 units with biases, SGD) with
/// the binary kernels and with dense products, the f32 products of the same shapes, one field
/// product by state density, and an RA-RBM epoch on the first `ra_images` rows (as ±1 spins)
/// through the patterns and through the weights; the models start from `seed`.
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
    // the kernels and the dense path train side by side, epoch by epoch, so that a changing load
    // on the machine affects both alike; the best epoch of each counts
    let time = |p: TrainParams, data: ArrayView2<'_, f32>| -> Result<(f64, f64)> {
        let epochs = p.epochs;
        let valid = p.check()?;
        let fast = Trainer::new(valid.clone(), seed);
        let dense = Trainer::new(valid, seed).with_kernels(Kernels::Dense);
        let (mut sf, mut sd) = (fast.init(data.ncols())?, dense.init(data.ncols())?);
        let (mut bf, mut bd) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..epochs {
            let t = Instant::now();
            fast.epoch(&mut sf, data)?;
            bf = bf.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            dense.epoch(&mut sd, data)?;
            bd = bd.min(t.elapsed().as_secs_f64());
        }
        Ok((bf, bd))
    };
    let dense_params = |estimator: Estimator| TrainParams {
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
    let cd = Estimator::Cd { gibbs_steps: 1 };
    let pcd = Estimator::Pcd {
        gibbs_steps: 1,
        n_chains: bs,
    };
    let (cd1, cd1_dense) = time(dense_params(cd), data)?;
    let (pcd1, pcd1_dense) = time(dense_params(pcd), data)?;
    let shapes = [(bs, nv, nh), (bs, nh, nv), (nv, bs, nh)];
    let matmul_shapes: Vec<(String, f64)> = shapes
        .iter()
        .map(|&(m, k, nn)| (format!("({m}x{k})({k}x{nn})"), time_product(m, k, nn, 50)))
        .collect();
    let peak = matmul_shapes.iter().map(|s| s.1).fold(0.0, f64::max);
    let field_by_density = [0.05, 0.136, 0.2, 0.3, 0.4, 0.5]
        .iter()
        .map(|&d| {
            let (g, dn) = time_field(bs, nv, nh, d, 20);
            (d, g, dn)
        })
        .collect();
    // RA-RBM: 004's MNIST setting (±1 units without biases, clipped continuous patterns, PID with
    // Gibbs seeds), one epoch over the first images
    let ra_rows = params.ra_images.min(n);
    let spins = data
        .slice(ndarray::s![..ra_rows, ..])
        .mapv(|x| if x > 0.5 { 1.0f32 } else { -1.0 });
    let ra = TrainParams {
        n_hidden: params.ra_hidden,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: WeightsSpec::Ra {
            k: params.ra_k,
            binarize: Binarize::Clip { clip: 1.0 },
        },
        estimator: Estimator::PidGibbs { gibbs_steps: 1 },
        optimizer: Optimizer::Sgd {
            lr: 0.015,
            momentum: 0.0,
            weight_decay: 0.0,
            lr_decay: 1.0,
        },
        epochs: 2,
        batch_size: bs,
        track_exact_nll: false,
    };
    let (ra_epoch, ra_dense) = time(ra.clone(), spins.view())?;
    // AIS on the initial RA model, through the patterns and through W, interleaved
    let init = Trainer::new(ra.check()?, seed).init(nv)?;
    let (ra_model, (pv, ph)) = match (&init.model, &init.patterns) {
        (Some(m), Some(p)) => (m.to_f64(), p),
        _ => {
            return Err(crate::RbmError::Numerical(
                "bench: the RA trainer started without its patterns".into(),
            ));
        }
    };
    let ais_params = crate::eval::AisParams {
        n_chains: 32,
        n_betas: 200,
        schedule: crate::eval::BetaSchedule::Piecewise,
    }
    .check()?;
    let base = ndarray::Array1::<f64>::zeros(nv);
    let (mut ais_low, mut ais_dense) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..2 {
        let t = Instant::now();
        crate::eval::ais_through_patterns(
            &ra_model,
            pv.view(),
            ph.view(),
            base.view(),
            &ais_params,
            seed,
        )?;
        ais_low = ais_low.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        crate::eval::ais(&ra_model, base.view(), &ais_params, seed)?;
        ais_dense = ais_dense.min(t.elapsed().as_secs_f64());
    }
    // the probe's features on the RA model's images, through the patterns and through W
    let x64 = spins.mapv(f64::from);
    let m32 = ra_model.to_f32();
    let (mut probe_low, mut probe_dense) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        for low in [true, false] {
            let t = Instant::now();
            let plan = crate::sample::FieldPlan::new(&m32, Kernels::Auto);
            let plan = if low {
                plan.with_patterns(pv.view(), ph.view())
            } else {
                plan
            };
            let mut rngs = seed.named("probe").streams(ra_rows);
            let mut h = Array2::<f32>::zeros((ra_rows, params.ra_hidden));
            plan.sample_hidden(spins.view(), &mut h, &mut rngs);
            let means = if low {
                crate::eval::hidden_field_through_patterns(
                    &ra_model,
                    x64.view(),
                    pv.view(),
                    ph.view(),
                )
            } else {
                ra_model.hidden_field(x64.view())
            };
            std::hint::black_box((h, means));
            let e = t.elapsed().as_secs_f64();
            if low {
                probe_low = probe_low.min(e);
            } else {
                probe_dense = probe_dense.min(e);
            }
        }
    }
    Ok(BenchReport {
        n_samples: n,
        n_visible: nv,
        n_hidden: nh,
        batch_size: bs,
        threads: rayon::current_num_threads(),
        cd1_epoch_s: cd1,
        cd1_dense_epoch_s: cd1_dense,
        pcd1_epoch_s: pcd1,
        pcd1_dense_epoch_s: pcd1_dense,
        cd1_gflop: 5.0 * product,
        pcd1_gflop: 6.0 * product,
        cd1_gflops: 5.0 * product / cd1,
        pcd1_gflops: 6.0 * product / pcd1,
        cd1_dense_gflops: 5.0 * product / cd1_dense,
        pcd1_dense_gflops: 6.0 * product / pcd1_dense,
        matmul_peak_gflops: peak,
        matmul_shapes,
        field_by_density,
        ra_epoch_s: ra_epoch,
        ra_dense_epoch_s: ra_dense,
        ra_ais_s: ais_low,
        ra_ais_dense_s: ais_dense,
        ra_probe_s: probe_low,
        ra_probe_dense_s: probe_dense,
        ra_hidden: params.ra_hidden,
        ra_k: params.ra_k,
        ra_images: ra_rows,
    })
}
