//! Training cross-checks: one update equals the exact gradient step, exact-gradient training lowers
//! the exact NLL on 4x4 Bars, results do not depend on the thread count, checkpoints resume exactly.
mod common;

use common::*;
use ndarray::Array2;
use spinlearn_core::{Control, NoObserver, Observer, ParamGuard, Seed, StepReport, Units};
use spinlearn_rbm::eval;
use spinlearn_rbm::train::{
    Binarize, Checkpointer, Estimator, Optimizer, PidHidden, State, TrainParams, Trainer,
    WeightsSpec, ra_pattern_gradient,
};
use spinlearn_rbm::{Model, RaRbm, UnitsSpec};

fn sgd(lr: f64) -> Optimizer {
    Optimizer::Sgd {
        lr,
        momentum: 0.0,
        weight_decay: 0.0,
        lr_decay: 1.0,
    }
}

fn nll(model: &Model, data: &Array2<f64>) -> f64 {
    -eval::mean_log_likelihood(&model.rbm(), data.view()).unwrap()
}

#[test]
fn one_exact_update_is_a_step_along_the_exact_gradient() {
    let units = UnitsSpec::BITS_WITH_BIAS;
    let data = random_data(10, 6, Units::Bit, 4);
    let params = TrainParams {
        n_hidden: 5,
        units,
        weights: WeightsSpec::Dense { init_std: 0.5 },
        estimator: Estimator::Exact,
        optimizer: sgd(0.1),
        epochs: 1,
        batch_size: 10,
        track_exact_nll: false,
    };
    let trainer = Trainer::new(params.check().unwrap(), Seed(3));
    let mut st = trainer.init(6).unwrap();
    let before = st.model().rbm();
    let g = eval::exact_gradient(&before, data.view()).unwrap();
    trainer
        .run(&mut st, data.mapv(|x| x as f32).view(), &mut NoObserver)
        .unwrap();
    let after = st.model().rbm();
    let dw = (&after.weights - &before.weights) / 0.1;
    for (a, b) in dw.iter().zip(g.weights.iter()) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
    let da = (&after.visible_bias - &before.visible_bias) / 0.1;
    for (a, b) in da.iter().zip(g.visible_bias.iter()) {
        assert!((a - b).abs() < 1e-4);
    }
    let db = (&after.hidden_bias - &before.hidden_bias) / 0.1;
    for (a, b) in db.iter().zip(g.hidden_bias.iter()) {
        assert!((a - b).abs() < 1e-4);
    }
}

#[test]
fn one_exact_update_of_an_ra_model_moves_the_patterns_along_eq_a7() {
    let data = random_data(8, 6, Units::Spin, 5);
    let params = TrainParams {
        n_hidden: 7,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: WeightsSpec::Ra {
            k: 3,
            binarize: Binarize::None,
        },
        estimator: Estimator::Exact,
        optimizer: sgd(0.01),
        epochs: 1,
        batch_size: 8,
        track_exact_nll: false,
    };
    let trainer = Trainer::new(params.check().unwrap(), Seed(9));
    let mut st = trainer.init(6).unwrap();
    let Model::Ra(before) = st.model() else {
        panic!("RA model expected")
    };
    let g = eval::exact_gradient(&before.to_rbm(), data.view()).unwrap();
    let (gv, gh) = ra_pattern_gradient(
        before.patterns_visible.view(),
        before.patterns_hidden.view(),
        g.weights.view(),
    );
    trainer
        .run(&mut st, data.mapv(|x| x as f32).view(), &mut NoObserver)
        .unwrap();
    let Model::Ra(after) = st.model() else {
        panic!("RA model expected")
    };
    let dv = (&after.patterns_visible - &before.patterns_visible) / 0.01;
    let dh = (&after.patterns_hidden - &before.patterns_hidden) / 0.01;
    for (a, b) in dv.iter().zip(gv.iter()).chain(dh.iter().zip(gh.iter())) {
        assert!((a - b).abs() < 2e-3, "{a} vs {b}");
    }
}

/// `tanh(Σ_j W_jα v_j)` for one visible row, with explicit loops.
fn tanh_field(w: &Array2<f64>, v: &[f64], a: usize) -> f64 {
    (0..v.len()).map(|j| w[[j, a]] * v[j]).sum::<f64>().tanh()
}

#[test]
fn one_pid_update_follows_eq_6_written_out() {
    // 004 eq. 6 with f = -∂E/∂ξ: the negative phase is the average over the K patterns of the
    // pattern gradient at the pattern itself, paired with its hidden pattern (eq. 6 as written,
    // the joint configuration ξ^(k)) or with the hidden means E[h | ξ_v^(k)] (Appendix A's free
    // energy at the visible pattern). The positive phase is A7a/A7b averaged over the batch. One
    // SGD step, written out with loops in f64, against the trainer's update.
    let (nv, nh, k, n, lr) = (5, 4, 3, 6, 0.05);
    let data = random_data(n, nv, Units::Spin, 21);
    for hidden in [PidHidden::Pattern, PidHidden::Mean] {
        let params = TrainParams {
            n_hidden: nh,
            units: UnitsSpec::SPINS_NO_BIAS,
            weights: WeightsSpec::Ra {
                k,
                binarize: Binarize::None,
            },
            estimator: Estimator::Pid { hidden },
            optimizer: sgd(lr),
            epochs: 1,
            batch_size: n,
            track_exact_nll: false,
        };
        let trainer = Trainer::new(params.check().unwrap(), Seed(17));
        let mut st = trainer.init(nv).unwrap();
        let Model::Ra(before) = st.model() else {
            panic!("RA model expected")
        };
        let (xv, xh) = (&before.patterns_visible, &before.patterns_hidden);
        // W_ia = Σ_k ξ_i^k ξ_a^k / √K
        let sk = 1.0 / (k as f64).sqrt();
        let w = Array2::from_shape_fn((nv, nh), |(i, a)| {
            (0..k).map(|m| xv[[m, i]] * xh[[m, a]]).sum::<f64>() * sk
        });
        // G_ia = (1/n) Σ_b v_bi tanh(field_a(v_b)) - (1/K) Σ_m ξ_i^m h_a^m
        let mut g = Array2::<f64>::zeros((nv, nh));
        for b in 0..n {
            let v: Vec<f64> = data.row(b).to_vec();
            for a in 0..nh {
                let t = tanh_field(&w, &v, a);
                for i in 0..nv {
                    g[[i, a]] += v[i] * t / n as f64;
                }
            }
        }
        for m in 0..k {
            let v: Vec<f64> = xv.row(m).to_vec();
            for a in 0..nh {
                let h = match hidden {
                    PidHidden::Pattern => xh[[m, a]],
                    PidHidden::Mean => tanh_field(&w, &v, a),
                };
                for i in 0..nv {
                    g[[i, a]] -= v[i] * h / k as f64;
                }
            }
        }
        // Δξ_i^k = lr Σ_a ξ_a^k G_ia / √K, Δξ_a^k = lr Σ_i ξ_i^k G_ia / √K (A7a, A7b)
        let want_v = Array2::from_shape_fn((k, nv), |(m, i)| {
            xv[[m, i]] + lr * sk * (0..nh).map(|a| xh[[m, a]] * g[[i, a]]).sum::<f64>()
        });
        let want_h = Array2::from_shape_fn((k, nh), |(m, a)| {
            xh[[m, a]] + lr * sk * (0..nv).map(|i| xv[[m, i]] * g[[i, a]]).sum::<f64>()
        });
        trainer
            .run(&mut st, data.mapv(|x| x as f32).view(), &mut NoObserver)
            .unwrap();
        let Model::Ra(after) = st.model() else {
            panic!("RA model expected")
        };
        let moved = (&after.patterns_visible - xv).mapv(f64::abs).sum();
        assert!(
            moved > 1e-3,
            "{hidden:?}: the update did not move the patterns"
        );
        for (x, y) in after
            .patterns_visible
            .iter()
            .zip(&want_v)
            .chain(after.patterns_hidden.iter().zip(&want_h))
        {
            assert!((x - y).abs() < 1e-5, "{hidden:?}: {x} vs {y}");
        }
    }
}

fn bars_params(
    estimator: Estimator,
    weights: WeightsSpec,
    lr: f64,
    batch_size: usize,
    epochs: usize,
) -> TrainParams {
    TrainParams {
        n_hidden: 40,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights,
        estimator,
        optimizer: sgd(lr),
        epochs,
        batch_size,
        track_exact_nll: false,
    }
}

#[test]
fn exact_gradient_training_on_bars_lowers_the_exact_nll() {
    let data = bars4(Units::Spin);
    let p = TrainParams {
        track_exact_nll: true,
        ..bars_params(
            Estimator::Exact,
            WeightsSpec::Dense { init_std: 0.1 },
            0.05,
            14,
            25,
        )
    };
    let trainer = Trainer::new(p.check().unwrap(), Seed(11));
    let mut st = trainer.init(16).unwrap();
    let initial = nll(&st.model(), &data);
    let summary = trainer
        .run(&mut st, data.mapv(|x| x as f32).view(), &mut NoObserver)
        .unwrap();
    let last = summary.epochs.last().unwrap().exact_nll.unwrap();
    let final_nll = nll(&st.model(), &data);
    assert!((last - final_nll).abs() < 1e-6);
    // initial ~ 16 ln 2 = 11.09 nats; the data's entropy, the optimum, is ln 14 = 2.64
    eprintln!("exact training on bars: NLL {initial:.3} -> {final_nll:.3}");
    assert!(
        initial > 10.0 && final_nll < initial - 3.0,
        "{initial} -> {final_nll}"
    );
    assert!(final_nll > 14f64.ln() - 1e-6);
}

#[test]
fn sampling_estimators_lower_the_exact_nll_on_bars() {
    let data = bars4(Units::Spin);
    // RA models start cold (weights of order sqrt(K)), hence their high initial NLL; with sign
    // binarization after each epoch the updates of one epoch must add up to flip a sign
    // (004 Appendix B), so they take several mini-batches per epoch.
    let sign = WeightsSpec::Ra {
        k: 8,
        binarize: Binarize::Sign,
    };
    let clip = WeightsSpec::Ra {
        k: 8,
        binarize: Binarize::Clip { clip: 1.0 },
    };
    let dense = WeightsSpec::Dense { init_std: 0.1 };
    for (est, w, lr, bs) in [
        (Estimator::Cd { gibbs_steps: 1 }, dense, 0.05, 14),
        (
            Estimator::Pcd {
                gibbs_steps: 1,
                n_chains: 64,
            },
            dense,
            0.05,
            14,
        ),
        (
            Estimator::Pid {
                hidden: PidHidden::Mean,
            },
            sign,
            0.1,
            2,
        ),
        (Estimator::PidGibbs { gibbs_steps: 1 }, clip, 0.05, 2),
    ] {
        let p = bars_params(est, w, lr, bs, 30);
        let trainer = Trainer::new(p.check().unwrap(), Seed(11));
        let mut st = trainer.init(16).unwrap();
        let initial = nll(&st.model(), &data);
        trainer
            .run(&mut st, data.mapv(|x| x as f32).view(), &mut NoObserver)
            .unwrap();
        let final_nll = nll(&st.model(), &data);
        eprintln!("{est:?}: NLL {initial:.3} -> {final_nll:.3}");
        assert!(
            final_nll < initial - 1.0,
            "{est:?}: {initial} -> {final_nll}"
        );
    }
}

fn run_with_threads(threads: usize, est: Estimator) -> State {
    let data = random_data(300, 64, Units::Bit, 1).mapv(|x| x as f32);
    let p = TrainParams {
        n_hidden: 100,
        units: UnitsSpec::BITS_WITH_BIAS,
        weights: WeightsSpec::Dense { init_std: 0.01 },
        estimator: est,
        optimizer: Optimizer::adam(0.01),
        epochs: 2,
        batch_size: 100,
        track_exact_nll: false,
    }
    .check()
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let (_, st, _) =
            spinlearn_rbm::train::train(&p, data.view(), Seed(5), &mut NoObserver).unwrap();
        st
    })
}

#[test]
fn training_does_not_depend_on_the_thread_count() {
    for est in [
        Estimator::Cd { gibbs_steps: 1 },
        Estimator::Pcd {
            gibbs_steps: 2,
            n_chains: 100,
        },
    ] {
        let a = run_with_threads(1, est).model().rbm();
        let b = run_with_threads(2, est).model().rbm();
        assert!(
            a.weights
                .iter()
                .zip(b.weights.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{est:?}"
        );
        assert_eq!(a.hidden_bias, b.hidden_bias);
    }
}

fn resume_params(epochs: usize) -> TrainParams {
    TrainParams {
        n_hidden: 15,
        units: UnitsSpec::BITS_WITH_BIAS,
        weights: WeightsSpec::Dense { init_std: 0.1 },
        estimator: Estimator::Pcd {
            gibbs_steps: 1,
            n_chains: 30,
        },
        optimizer: Optimizer::adam(0.01),
        epochs,
        batch_size: 40,
        track_exact_nll: false,
    }
}

#[test]
fn checkpoints_resume_exactly() {
    let data = random_data(120, 20, Units::Bit, 2).mapv(|x| x as f32);
    let p = resume_params(4).check().unwrap();
    let seed = Seed(8);
    let (straight, _, _) =
        spinlearn_rbm::train::train(&p, data.view(), seed, &mut NoObserver).unwrap();
    let half = resume_params(2).check().unwrap();
    let (_, st, _) =
        spinlearn_rbm::train::train(&half, data.view(), seed, &mut NoObserver).unwrap();
    let dir = std::env::temp_dir().join(format!("spinlearn-rbm-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ckpt.npz");
    spinlearn_rbm::io::save_npz(&path, &st.model(), Some(&st), None).unwrap();
    let saved = spinlearn_rbm::io::load_npz(&path).unwrap();
    let mut st2 = saved.state.unwrap();
    assert_eq!(st2.epoch, 2);
    let trainer = Trainer::new(p, seed);
    trainer.run(&mut st2, data.view(), &mut NoObserver).unwrap();
    assert_eq!(st2.model(), straight);
    std::fs::remove_dir_all(&dir).ok();
}

/// Stops the loop after `at` epochs.
struct StopAt(usize);

impl Observer for StopAt {
    fn observe(&mut self, r: &StepReport<'_>) -> Control {
        if r.step >= self.0 {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

#[test]
fn the_checkpoint_observer_writes_a_file_that_resumes_exactly() {
    let data = random_data(120, 20, Units::Bit, 3).mapv(|x| x as f32);
    let p = resume_params(4).check().unwrap();
    let seed = Seed(12);
    let (straight, _, _) =
        spinlearn_rbm::train::train(&p, data.view(), seed, &mut NoObserver).unwrap();
    let dir = std::env::temp_dir().join(format!("spinlearn-rbm-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.npz");
    let trainer = Trainer::new(p.clone(), seed);
    let mut st = trainer.init(20).unwrap();
    let summary = trainer
        .run_observed(
            &mut st,
            data.view(),
            &mut Checkpointer {
                path: path.clone(),
                extra: None,
                progress: &mut StopAt(3),
            },
        )
        .unwrap();
    assert!(summary.stopped_early);
    assert_eq!(summary.epochs.len(), 3);
    let mut resumed = spinlearn_rbm::io::load_npz(&path).unwrap().state.unwrap();
    assert_eq!(resumed.epoch, 3);
    Trainer::new(p, seed)
        .run(&mut resumed, data.view(), &mut NoObserver)
        .unwrap();
    assert_eq!(resumed.model(), straight);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn model_files_round_trip_ra_models() {
    let mut rng = Seed(1).stream(0);
    let units = UnitsSpec {
        visible: Units::Spin,
        hidden: Units::Bit,
        biases: true,
    };
    let mut ra = RaRbm::random(5, 4, 3, units, &mut rng).unwrap();
    ra.visible_bias[1] = 0.25;
    let model = Model::Ra(ra);
    let dir = std::env::temp_dir().join(format!("spinlearn-rbm-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.npz");
    spinlearn_rbm::io::save_npz(&path, &model, None, Some(&serde_json::json!({"note": 1})))
        .unwrap();
    let back = spinlearn_rbm::io::load_npz(&path).unwrap();
    assert_eq!(back.model, model);
    assert!(back.state.is_none());
    assert_eq!(back.metadata["extra"]["note"], 1);
    assert_eq!(back.metadata["hidden"], "bit");
    std::fs::remove_dir_all(&dir).ok();
}
