//! Cross-checks of the training-curve, reconstruction, MNIST-style and timing drivers (004 Figs.
//! 2-6, Appendix D) on tiny problems with independently known answers.

use ndarray::{Array2, array};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_rbm::eval::LogRegParams;
use spinlearn_rbm::experiments::curves::{CurvesParams, Method, Split, membership, method_curves};
use spinlearn_rbm::experiments::mnist::{MnistParams, mnist_experiment};
use spinlearn_rbm::experiments::timing::{TimingParams, time_updates};
use spinlearn_rbm::experiments::{edge_masks, log_epochs, masked_reconstruction_hamming};
use spinlearn_rbm::train::{Binarize, Estimator, Optimizer, PidHidden, WeightsSpec};
use spinlearn_rbm::{RaRbm, UnitsSpec};

#[test]
fn reconstruction_of_a_mattis_model_recovers_its_pattern() {
    // K = 1 with huge weights: the only low-energy visible states are ±ξ, so clamping one unit of ξ
    // forces the rest of ξ; a row differing from ξ in two unclamped units is off by 2 / V.
    let xi = array![[1.0, -1.0, 1.0, 1.0, -1.0, -1.0]];
    let xh = Array2::from_elem((1, 8), 1.0);
    let ra = RaRbm::new(UnitsSpec::SPINS_NO_BIAS, xi.clone() * 20.0, xh).unwrap();
    let m = ra.to_rbm().to_f32();
    let mut off = xi.clone();
    off[[0, 3]] = -1.0;
    off[[0, 5]] = 1.0;
    let data = ndarray::concatenate![ndarray::Axis(0), xi, off].mapv(|x| x as f32);
    let mut clamp = Array2::from_elem((2, 6), false);
    clamp[[0, 0]] = true;
    clamp[[1, 0]] = true;
    let d = masked_reconstruction_hamming(&m, data.view(), clamp.view(), 3, 4, Seed(1)).unwrap();
    assert_eq!(d, vec![0.0, 2.0 / 6.0]);
}

#[test]
fn reconstruction_with_zero_weights_is_a_coin_flip() {
    // W = 0: every unclamped unit is a fair coin, so the expected distance is 0.5 * unclamped / V.
    let rbm = spinlearn_rbm::Rbm::new(UnitsSpec::SPINS_NO_BIAS, Array2::zeros((16, 5))).to_f32();
    let data = Array2::from_elem((10, 16), 1.0f32);
    let clamp = edge_masks((4, 4), &[true; 10]);
    let d =
        masked_reconstruction_hamming(&rbm, data.view(), clamp.view(), 2, 200, Seed(4)).unwrap();
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    // 24000 coin flips: sd of the mean 0.5*12/16/sqrt(24000) ~ 0.0024 after scaling
    assert!((mean - 0.375).abs() < 0.012, "{mean}");
}

#[test]
fn membership_classifies_exact_rows() {
    let tr = array![[1.0f32, -1.0], [1.0, 1.0]];
    let te = array![[-1.0f32, -1.0]];
    let s = array![[1.0f32, 1.0], [-1.0, -1.0], [-1.0, 1.0]];
    assert_eq!(membership(s.view(), tr.view(), te.view()), vec![0, 1, 2]);
}

fn bars3() -> (Split, Split) {
    // 3x3 vertical bars as ±1, the sign-symmetric split done by hand: pairs (v, -v)
    let img = |mask: u32| -> Vec<f32> {
        (0..9)
            .map(|p| if mask >> (p % 3) & 1 == 1 { 1.0 } else { -1.0 })
            .collect()
    };
    let rows = |masks: &[u32]| {
        let v: Vec<f32> = masks.iter().flat_map(|&m| img(m)).collect();
        Array2::from_shape_vec((masks.len(), 9), v).unwrap()
    };
    let tr = rows(&[1, 6, 2, 5]);
    let te = rows(&[3, 4]);
    let split = |d: Array2<f32>| Split {
        clamp: edge_masks((3, 3), &vec![true; d.nrows()]),
        data: d,
    };
    (split(tr), split(te))
}

fn params(epochs: usize) -> CurvesParams {
    CurvesParams {
        n_hidden: 12,
        epochs,
        batch_size: 2,
        n_runs: 2,
        hamming_epochs: log_epochs(epochs, 4),
        exact_epochs: log_epochs(epochs, 3),
        gibbs_starts: 20,
        gibbs_steps: 5,
        recon_steps: 5,
        recon_repeats: 4,
        recon_max_images: 0,
    }
}

#[test]
fn curves_respect_bounds_and_start_uniform() {
    let (tr, te) = bars3();
    let p = params(6).check().unwrap();
    let sgd = Optimizer::Sgd {
        lr: 0.1,
        momentum: 0.0,
        weight_decay: 0.0,
        lr_decay: 1.0,
    };
    let methods = [
        Method {
            key: "exact".into(),
            label: "exact".into(),
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator: Estimator::Exact,
            optimizer: sgd,
        },
        Method {
            key: "cd".into(),
            label: "CD-2".into(),
            weights: WeightsSpec::Dense { init_std: 0.01 },
            estimator: Estimator::Cd { gibbs_steps: 2 },
            optimizer: sgd,
        },
        Method {
            key: "rapid".into(),
            label: "RAPID".into(),
            weights: WeightsSpec::Ra {
                k: 2,
                binarize: Binarize::Sign,
            },
            estimator: Estimator::Pid {
                hidden: PidHidden::Mean,
            },
            optimizer: sgd,
        },
    ];
    let ln4 = 4f64.ln();
    for m in &methods {
        let c = method_curves(m, &p, &tr, &te, Seed(2), &mut NoObserver).unwrap();
        assert_eq!(c.train_hamming.mean.len(), p.hamming_epochs().len());
        assert_eq!(c.exact_nll.mean.len(), p.exact_epochs().len());
        assert_eq!(c.final_models.len(), 2);
        // Gibbs' inequality: the NLL of 4 distinct images is at least ln 4
        assert!(
            c.exact_nll.mean.iter().all(|&x| x >= ln4 - 1e-9),
            "{:?}",
            c.exact_nll
        );
        // the ground-state energy of the fast path has f32 fields: allow 1e-6
        for b in [&c.gibbs_accessibility, &c.method_accessibility] {
            assert!(
                b.mean
                    .iter()
                    .filter(|x| x.is_finite())
                    .all(|&a| a <= 1.0 + 1e-6),
                "{b:?}"
            );
        }
        assert!(
            c.train_hamming
                .mean
                .iter()
                .chain(&c.test_hamming.mean)
                .all(|&h| (0.0..=1.0).contains(&h))
        );
        let sv = &c.singular_values.mean;
        assert!(sv.windows(2).all(|w| w[0] >= w[1] - 1e-9));
        if m.key != "rapid" {
            // weights of std 0.01: the model is within 1e-2 of uniform, NLL = 9 ln 2
            assert!(
                (c.exact_nll.mean[0] - 9.0 * 2f64.ln()).abs() < 0.02,
                "{:?}",
                c.exact_nll
            );
            // at epoch 0 no negative phase has run yet
            assert!(c.method_accessibility.mean[0].is_nan());
        }
        if m.key == "exact" {
            assert!(c.method_accessibility.mean.iter().all(|x| x.is_nan()));
            // exact gradient ascent on 4 images must lower the NLL
            assert!(
                c.exact_nll.mean.last().unwrap() < &(c.exact_nll.mean[0] - 0.01),
                "{:?}",
                c.exact_nll
            );
        }
    }
}

#[test]
fn mnist_driver_runs_on_bars_and_stripes() {
    // 4x4 bars-and-stripes as stand-in digits: label 0 = bars, 1 = stripes
    let ds = spinlearn_data::generate::bars_and_stripes(4).unwrap();
    let labels = ds.labels.clone().unwrap();
    let idx_tr: Vec<usize> = (0..ds.n_samples()).filter(|i| i % 4 != 0).collect();
    let idx_te: Vec<usize> = (0..ds.n_samples()).filter(|i| i % 4 == 0).collect();
    let (tr, te) = (ds.select(&idx_tr), ds.select(&idx_te));
    let lab = |ix: &[usize]| ix.iter().map(|&i| labels[i]).collect::<Vec<u8>>();
    let p = MnistParams {
        n_hidden: 16,
        k: 4,
        lr: 0.01,
        gibbs_steps: 2,
        clip: 1.0,
        epochs: 2,
        batch_size: 7,
        n_runs: 2,
        ais_epochs: vec![0, 2],
        ais_chains: 16,
        ais_betas: 50,
        nll_max_images: 0,
        rbm_hidden: 8,
        rbm_epochs: 2,
        rbm_lr: 0.05,
        rbm_chains: 10,
        probe: LogRegParams {
            l2: 1e-3,
            max_iter: 200,
            tol: 1e-6,
        },
        n_samples: 3,
        sample_steps: 5,
    }
    .check()
    .unwrap();
    let r = mnist_experiment(
        tr.data.view(),
        &lab(&idx_tr),
        te.data.view(),
        &lab(&idx_te),
        &p,
        Seed(8),
        &mut NoObserver,
    )
    .unwrap();
    assert_eq!(r.ais_train_nll.x, vec![0.0, 2.0]);
    assert!(
        r.ais_train_nll
            .mean
            .iter()
            .chain(&r.ais_test_nll.mean)
            .all(|x| x.is_finite())
    );
    assert_eq!(r.samples.dim(), (3, 16));
    assert!(r.samples.iter().all(|&x| x == 1.0 || x == -1.0));
    for p in [r.ra_probe, r.untrained_probe, r.rbm_probe] {
        for a in [p.sampled_train, p.sampled_test, p.mean_train, p.mean_test] {
            assert!((0.0..=1.0).contains(&a.mean));
        }
    }
    assert!(r.probes_converged, "{r:?}");
    // the rigorous floor of log Z gives a lower bound of the NLL at every measured epoch
    assert_eq!(r.floor_test_nll.x, r.ais_test_nll.x);
    assert!(r.rbm_ais_test_nll.is_finite());
    // at epoch 0 the AIS NLL of ±1 images under a model with W of order sqrt(K) is finite and
    // positive: P(v) <= 1
    assert!(r.ais_train_nll.mean[0] > 0.0);
}

#[test]
fn timing_reports_every_configuration() {
    let p = TimingParams {
        n_visible: 10,
        n_hidden: 20,
        batch_size: 4,
        ks: vec![2, 5],
        cd_steps: vec![1, 3],
        n_updates: 2,
    }
    .check()
    .unwrap();
    let r = time_updates(&p, Seed(1)).unwrap();
    assert_eq!(r.pid.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 5]);
    assert_eq!(r.cd.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 3]);
    assert!(
        r.pid
            .iter()
            .chain(&r.cd)
            .all(|x| x.1 > 0.0 && x.1.is_finite())
    );
}

#[test]
fn fast_spin_moments_match_the_exact_enumeration() {
    use spinlearn_rbm::experiments::curves::spin_exact_moments;
    use spinlearn_rbm::train::Negative;
    let mut rng = Seed(21).stream(0);
    for nv in [1usize, 5, 13] {
        let rbm = spinlearn_rbm::Rbm::random(nv, 7, UnitsSpec::SPINS_NO_BIAS, 0.6, &mut rng);
        let exact = spinlearn_rbm::eval::exact_moments(&rbm).unwrap();
        let Negative::Moments { vh, v, h } = spin_exact_moments(&rbm.to_f32()) else {
            panic!("moments")
        };
        let err = (&vh.mapv(f64::from) - &exact.vh)
            .iter()
            .fold(0.0f64, |a, x| a.max(x.abs()));
        assert!(err < 2e-5, "nv {nv}: {err}");
        assert!(
            exact
                .v
                .iter()
                .chain(exact.h.iter())
                .all(|x| x.abs() < 1e-12)
        );
        assert!(v.iter().chain(h.iter()).all(|&x| x == 0.0));
    }
}

#[test]
fn fast_log_z_and_ground_state_match_the_enumeration() {
    use spinlearn_rbm::experiments::curves::spin_log_z_and_ground_state;
    let mut rng = Seed(22).stream(0);
    for (nv, nh, std) in [
        (1usize, 3usize, 1.0),
        (6, 9, 0.7),
        (12, 150, 0.3),
        (10, 40, 8.0),
    ] {
        let rbm = spinlearn_rbm::Rbm::random(nv, nh, UnitsSpec::SPINS_NO_BIAS, std, &mut rng);
        // the f32 weights are what the fast path sees; compare with the f64 enumeration of them
        let m32 = rbm.to_f32();
        let r64 = m32.to_f64();
        let (lz, gs) = spin_log_z_and_ground_state(&m32).unwrap();
        let lz_ref = spinlearn_rbm::eval::exact_log_z(&r64).unwrap();
        let gs_ref = spinlearn_rbm::eval::ground_state(&r64).unwrap().energy;
        assert!(
            (lz - lz_ref).abs() < 2e-5 * lz_ref.abs().max(1.0),
            "{nv}x{nh}: {lz} vs {lz_ref}"
        );
        assert!(
            (gs - gs_ref).abs() < 2e-5 * gs_ref.abs().max(1.0),
            "{nv}x{nh}: {gs} vs {gs_ref}"
        );
    }
}
