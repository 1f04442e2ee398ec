//! Diagnosis of the RA-RBM on binarized MNIST (issue 15): trains an RA-RBM with Gibbs-seeded PID
//! and a plain 0/1 RBM on the same digits and prints, per epoch, the NLL under three estimates of
//! log Z: forward AIS (a stochastic lower bound), a hard lower bound `log Σ_{v∈S} e^{-F(v)}` over the
//! training digits and the binarized visible patterns, and the AIS routine of the authors' library
//! re-implemented from its description (linear β, 0/1 Gibbs sampler, ±1 free energy).
//!
//! `cargo run --release -p spinlearn-rbm --example rapid_mnist_diagnosis -- N_TRAIN N_TEST H K
//! BATCH EPOCHS GIBBS LR`
use ndarray::{Array2, s};
use rand::RngExt;
use spinlearn_core::numerics::log_sum_exp;
use spinlearn_core::{ParamGuard, Seed, Units};
use spinlearn_rbm::eval::{self, AisParams, BetaSchedule};
use spinlearn_rbm::train::{Binarize, Estimator, Optimizer, TrainParams, Trainer, WeightsSpec};
use spinlearn_rbm::{Rbm, UnitsSpec};

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The authors' library's AIS as described in its source: β linear in [0, 1], chains start
/// uniform over {0,1}^V, each temperature does `k` Gibbs steps of the 0/1 sampler on `βW`, the
/// weights use the ±1 model's free energy at `βv`, `log Z = (V + H) ln 2 + log mean w`.
fn library_ais(rbm: &Rbm, chains: usize, n_betas: usize, k: usize, seed: Seed) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut rng = seed.stream(0);
    let w = &rbm.weights;
    let mut v = Array2::from_shape_fn(
        (chains, nv),
        |_| if rng.random_bool(0.5) { 1.0 } else { 0.0 },
    );
    let fe = |x: &Array2<f64>, b: f64| rbm.free_energy((x * b).view());
    let betas: Vec<f64> = (0..n_betas)
        .map(|i| i as f64 / (n_betas - 1) as f64)
        .collect();
    let mut lw = fe(&v, betas[0]);
    for &b in &betas[1..n_betas - 1] {
        lw = lw - fe(&v, b);
        for _ in 0..k {
            let ph = v.dot(w).mapv(|x| sigmoid(b * x));
            let h = ph.mapv(|p| if rng.random::<f64>() < p { 1.0 } else { 0.0 });
            let pv = h.dot(&w.t()).mapv(|x| sigmoid(b * x));
            v = pv.mapv(|p| if rng.random::<f64>() < p { 1.0 } else { 0.0 });
        }
        lw = lw + fe(&v, b);
    }
    lw = lw - fe(&v, 1.0);
    let lw: Vec<f64> = lw.to_vec();
    (nv + nh) as f64 * std::f64::consts::LN_2 + log_sum_exp(&lw) - (chains as f64).ln()
}

fn main() {
    let n_train: usize = arg(1, 2000);
    let n_test: usize = arg(2, 500);
    let nh: usize = arg(3, 500);
    let k: usize = arg(4, 50);
    let batch: usize = arg(5, 100);
    let epochs: usize = arg(6, 10);
    let gibbs: usize = arg(7, 1);
    let lr: f64 = arg(8, 0.015);
    let mode: String = arg(9, "ra".to_string());
    let ds = spinlearn_data::mnist::embedded().unwrap();
    let bits = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let spins = bits.mapv(|x| 2.0 * x - 1.0);
    let tr = spins.slice(s![..n_train, ..]).to_owned();
    let te = spins
        .slice(s![n_train..n_train + n_test, ..])
        .mapv(f64::from);
    let tr64 = tr.mapv(f64::from);
    let ais_p = AisParams {
        n_chains: 32,
        n_betas: 2000,
        schedule: BetaSchedule::Piecewise,
    }
    .check()
    .unwrap();
    let uniform = 784.0 * std::f64::consts::LN_2;
    println!(
        "n_train {n_train} n_test {n_test} H {nh} K {k} batch {batch} gibbs {gibbs} lr {lr} mode {mode}; uniform NLL {uniform:.1}"
    );
    if mode == "rbm" {
        let btr = bits.slice(s![..n_train, ..]).to_owned();
        let bte = bits
            .slice(s![n_train..n_train + n_test, ..])
            .mapv(f64::from);
        let p = TrainParams {
            n_hidden: nh,
            units: UnitsSpec::BITS_WITH_BIAS,
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator: Estimator::Pcd {
                gibbs_steps: gibbs,
                n_chains: batch,
            },
            optimizer: Optimizer::Sgd {
                lr,
                momentum: 0.5,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            epochs,
            batch_size: batch,
            track_exact_nll: false,
        }
        .check()
        .unwrap();
        let trainer = Trainer::new(p, Seed(1));
        let mut st = trainer.init(784).unwrap();
        let base = eval::base_visible_bias(Units::Bit, btr.mapv(f64::from).view());
        for e in 0..epochs {
            trainer.epoch(&mut st, btr.view()).unwrap();
            let rbm = st.model().rbm();
            let a = eval::ais(&rbm, base.view(), &ais_p, Seed(7)).unwrap();
            let ftr = rbm.free_energy(btr.mapv(f64::from).view()).mean().unwrap();
            let fte = rbm.free_energy(bte.view()).mean().unwrap();
            println!(
                "rbm epoch {} ais logZ {:.1} ± {:.2} NLL train {:.1} test {:.1}",
                e + 1,
                a.log_z,
                a.log_z_stderr,
                ftr + a.log_z,
                fte + a.log_z
            );
        }
        return;
    }
    let p = TrainParams {
        n_hidden: nh,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: WeightsSpec::Ra {
            k,
            binarize: Binarize::Clip { clip: 1.0 },
        },
        estimator: Estimator::PidGibbs { gibbs_steps: gibbs },
        optimizer: Optimizer::Sgd {
            lr,
            momentum: 0.0,
            weight_decay: 0.0,
            lr_decay: 1.0,
        },
        epochs,
        batch_size: batch,
        track_exact_nll: false,
    }
    .check()
    .unwrap();
    let trainer = Trainer::new(p, Seed(1));
    let mut st = trainer.init(784).unwrap();
    let base = eval::base_visible_bias(Units::Spin, tr64.view());
    for e in 0..=epochs {
        if e > 0 {
            trainer.epoch(&mut st, tr.view()).unwrap();
        }
        let rbm = st.model().rbm();
        let (pv, _) = st.patterns.as_ref().unwrap();
        let sat = pv.iter().filter(|x| x.abs() >= 0.999).count() as f64 / pv.len() as f64;
        let pat = pv.mapv(|x| if x >= 0.0 { 1.0f64 } else { -1.0 });
        let ftr_all = rbm.free_energy(tr64.view());
        let fpat = rbm.free_energy(pat.view());
        let neg: Vec<f64> = ftr_all.iter().chain(fpat.iter()).map(|f| -f).collect();
        let hard = log_sum_exp(&neg);
        let a = eval::ais(&rbm, base.view(), &ais_p, Seed(7)).unwrap();
        let lib = library_ais(&rbm, 32, 1000, 1, Seed(9));
        let ftr = ftr_all.mean().unwrap();
        let fte = rbm.free_energy(te.view()).mean().unwrap();
        let wrms = (rbm.weights.mapv(|x| x * x).mean().unwrap()).sqrt();
        let minf = fpat.iter().cloned().fold(f64::INFINITY, f64::min);
        println!(
            "ra epoch {e} |W|rms {wrms:.3} sat {sat:.2} meanF(train) {ftr:.0} minF(pat) {minf:.0} | logZ: ais {:.0} ± {:.2}, hard>= {hard:.0}, library {lib:.0} | NLL test: ais {:.0}, hard>= {:.0}, library {:.0}",
            a.log_z,
            a.log_z_stderr,
            fte + a.log_z,
            fte + hard,
            fte + lib
        );
    }
}
