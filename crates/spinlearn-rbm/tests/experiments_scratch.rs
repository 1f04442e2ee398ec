// temporary tuning scratch (deleted before hand-off)
use spinlearn_core::{NoObserver, Seed};
use spinlearn_data::{generate, transform};
use spinlearn_rbm::experiments::{curves::*, edge_masks, log_epochs};
use spinlearn_rbm::train::*;

fn env(name: &str, d: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(d)
}

#[test]
#[ignore]
fn tune_bars4() {
    let bars = transform::to_spins(&generate::bars(4).unwrap()).unwrap();
    let (tr, te) = transform::sign_symmetric_split(&bars, 10.0 / 14.0, Seed(1)).unwrap();
    let mk = |d: &spinlearn_data::Dataset| Split {
        data: d.data.clone(),
        clamp: edge_masks((4, 4), &vec![true; d.n_samples()]),
    };
    let (tr, te) = (mk(&tr), mk(&te));
    let epochs = env("EPOCHS", 100.0) as usize;
    let h = env("H", 200.0) as usize;
    let p = CurvesParams {
        n_hidden: h,
        epochs,
        batch_size: env("BS", 10.0) as usize,
        n_runs: env("RUNS", 2.0) as usize,
        hamming_epochs: log_epochs(epochs, env("NH", 15.0) as usize),
        exact_epochs: log_epochs(epochs, env("NEX", 6.0) as usize),
        gibbs_starts: 100,
        gibbs_steps: 10,
        recon_steps: 10,
        recon_repeats: 10,
        recon_max_images: 0,
        seed: Seed(7),
    };
    let lr = env("LR", 0.01);
    let rlr = env("RLR", 0.01);
    let sgd = |lr| Optimizer::Sgd {
        lr,
        momentum: env("MOM", 0.0),
        weight_decay: 0.0,
        lr_decay: env("DECAY", 1.0),
    };
    let dense = WeightsSpec::Dense { init_std: 0.01 };
    let methods = vec![
        Method {
            key: "exact".into(),
            label: "exact".into(),
            weights: dense,
            estimator: Estimator::Exact,
            optimizer: sgd(lr),
        },
        Method {
            key: "cd".into(),
            label: "CD-10".into(),
            weights: dense,
            estimator: Estimator::Cd { k: 10 },
            optimizer: sgd(lr),
        },
        Method {
            key: "pcd".into(),
            label: "PCD-10".into(),
            weights: dense,
            estimator: Estimator::Pcd {
                k: 10,
                n_chains: 2048,
            },
            optimizer: sgd(lr),
        },
        Method {
            key: "rapid".into(),
            label: "RAPID".into(),
            weights: WeightsSpec::Ra {
                k: 8,
                binarize: Binarize::Sign,
            },
            estimator: Estimator::Pid {
                hidden: if env("PAT", 0.0) > 0.0 {
                    PidHidden::Pattern
                } else {
                    PidHidden::Mean
                },
            },
            optimizer: sgd(rlr),
        },
    ];
    let only = std::env::var("ONLY").unwrap_or_default();
    for m in &methods {
        if !only.is_empty() && !only.contains(&m.key) {
            continue;
        }
        let t = std::time::Instant::now();
        let c = method_curves(m, &p, &tr, &te, &mut NoObserver).unwrap();
        println!(
            "== {} ({:.1}s, train {:.1}s)",
            m.key,
            t.elapsed().as_secs_f64(),
            c.train_seconds
        );
        println!(" ep   {:?}", c.train_hamming.x);
        println!(
            " trH  {:?}",
            c.train_hamming
                .mean
                .iter()
                .map(|x| (x * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        );
        println!(
            " teH  {:?}",
            c.test_hamming
                .mean
                .iter()
                .map(|x| (x * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        );
        println!(" ex   {:?}", c.exact_nll.x);
        println!(
            " nll  {:?}",
            c.exact_nll
                .mean
                .iter()
                .map(|x| (x * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
        println!(
            " gacc {:?}",
            c.gibbs_accessibility
                .mean
                .iter()
                .map(|x| (x * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
        println!(
            " macc {:?}",
            c.method_accessibility
                .mean
                .iter()
                .map(|x| (x * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
        println!(
            " sv   {:?}",
            c.singular_values
                .mean
                .iter()
                .take(8)
                .map(|x| (x * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
#[ignore]
fn time_exact() {
    let mut rng = Seed(1).stream(0);
    let h = env("H", 100.0) as usize;
    let rbm = spinlearn_rbm::Rbm::random(
        16,
        h,
        spinlearn_rbm::UnitsSpec::SPINS_NO_BIAS,
        0.5,
        &mut rng,
    );
    let t = std::time::Instant::now();
    let gs = spinlearn_rbm::eval::ground_state(&rbm).unwrap();
    println!("gs {:.3}s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let _ = spinlearn_rbm::eval::exact_log_z(&rbm).unwrap();
    println!("logz {:.3}s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let _ = spinlearn_rbm::eval::exact_moments(&rbm).unwrap();
    println!("moments {:.3}s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let _ = spinlearn_rbm::eval::gibbs_accessibility(&rbm, gs.energy, 100, 10, Seed(2)).unwrap();
    println!("gibbs {:.3}s", t.elapsed().as_secs_f64());
}

#[test]
#[ignore]
fn tune_bas() {
    let bas = transform::to_spins(&generate::bars_and_stripes(12).unwrap()).unwrap();
    let (tr, te) = transform::sign_symmetric_split(&bas, 0.8, Seed(1)).unwrap();
    let mk = |d: &spinlearn_data::Dataset| Split { data: d.data.clone(), clamp: edge_masks((12, 12), &d.labels.as_ref().unwrap().iter().map(|&l| l == 0).collect::<Vec<_>>()) };
    let (tr, te) = (mk(&tr), mk(&te));
    let epochs = env("EPOCHS", 8.0) as usize;
    let p = CurvesParams { n_hidden: env("H", 400.0) as usize, epochs, batch_size: 120, n_runs: 1,
        hamming_epochs: (0..=epochs).collect(), exact_epochs: vec![], gibbs_starts: 1, gibbs_steps: 10,
        recon_steps: 10, recon_repeats: 2, recon_max_images: 200, seed: Seed(7) };
    for lr in [env("L1", 0.001), env("L2", 0.1)] {
        let m = Method { key: "rapid".into(), label: "r".into(), weights: WeightsSpec::Ra { k: env("K", 20.0) as usize, binarize: Binarize::Sign }, estimator: Estimator::Pid { hidden: PidHidden::Mean }, optimizer: Optimizer::Sgd { lr, momentum: 0.0, weight_decay: 0.0, lr_decay: env("DECAY", 0.96) } };
        let t = std::time::Instant::now();
        let c = method_curves(&m, &p, &tr, &te, &mut NoObserver).unwrap();
        println!("lr {lr} ({:.1}s) trH {:?}", t.elapsed().as_secs_f64(), c.train_hamming.mean.iter().map(|x| (x*1000.0).round()/1000.0).collect::<Vec<_>>());
        println!("   teH {:?}", c.test_hamming.mean.iter().map(|x| (x*1000.0).round()/1000.0).collect::<Vec<_>>());
    }
}
