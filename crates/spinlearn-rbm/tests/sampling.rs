//! Samplers against exact distributions: Gibbs chi-square, AIS and reverse AIS brackets.
mod common;

use common::*;
use ndarray::Array2;
use rand::RngExt;
use spinlearn_core::{ParamGuard, Seed, Units};
use spinlearn_rbm::eval::{self, AisParams, BetaSchedule};
use spinlearn_rbm::{Rbm, UnitsSpec};

fn index_of(x: &[f32], units: Units) -> usize {
    let hi = 1.0f32;
    let _ = units;
    x.iter()
        .enumerate()
        .map(|(i, &s)| if s == hi { 1 << i } else { 0 })
        .sum()
}

#[test]
fn block_gibbs_samples_the_exact_joint_distribution() {
    // chi-square over all (v, h) cells of a 3x2 model, independent chains, fixed seed.
    for units in [
        UnitsSpec {
            visible: Units::Spin,
            hidden: Units::Spin,
            biases: true,
        },
        UnitsSpec {
            visible: Units::Bit,
            hidden: Units::Spin,
            biases: true,
        },
        UnitsSpec {
            visible: Units::Bit,
            hidden: Units::Bit,
            biases: true,
        },
    ] {
        let mut rbm = random_rbm(3, 2, units, 0.9, 77);
        // the sampler runs in f32: compare against the f32-rounded model
        rbm = rbm.to_f32().to_f64();
        let n_chains = 40_000;
        let mut rngs = Seed(5).streams(n_chains);
        let m = rbm.to_f32();
        let mut v = spinlearn_rbm::sample::random_states(3, units.visible, &mut rngs);
        let mut h = Array2::<f32>::zeros((n_chains, 2));
        m.gibbs(&mut v, &mut h, 25, &mut rngs);
        // (v_k, h_{k-1}) is a draw from the joint
        let mut counts = vec![0f64; 32];
        for r in 0..n_chains {
            let iv = index_of(v.row(r).as_slice().unwrap(), units.visible);
            let ih = index_of(h.row(r).as_slice().unwrap(), units.hidden);
            counts[iv + 8 * ih] += 1.0;
        }
        let lz = brute_log_z(&rbm);
        let vs = configs(3, units.visible);
        let hs = configs(2, units.hidden);
        let mut chi2 = 0.0;
        for (ih, hh) in hs.iter().enumerate() {
            for (iv, vv) in vs.iter().enumerate() {
                let p = (-energy(&rbm, vv, hh) - lz).exp();
                let e = p * n_chains as f64;
                chi2 += (counts[iv + 8 * ih] - e).powi(2) / e;
            }
        }
        // 31 degrees of freedom: P(chi2 > 70) ~ 1e-4
        assert!(chi2 < 70.0, "{units:?}: chi2 = {chi2}");
    }
}

/// Exact samples of p(v) by inverse-CDF over all visible states.
fn exact_samples(rbm: &Rbm, n: usize, seed: u64) -> Array2<f64> {
    let vs = configs(rbm.n_visible(), rbm.units.visible);
    let flat = Array2::from_shape_fn((vs.len(), rbm.n_visible()), |(r, c)| vs[r][c]);
    let lz = eval::exact_log_z(rbm).unwrap();
    let p: Vec<f64> = rbm
        .free_energy(flat.view())
        .iter()
        .map(|f| (-f - lz).exp())
        .collect();
    let mut cdf = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for x in &p {
        acc += x;
        cdf.push(acc);
    }
    let mut rng = Seed(seed).stream(0);
    let mut out = Array2::zeros((n, rbm.n_visible()));
    for r in 0..n {
        let u: f64 = rng.random::<f64>() * acc;
        let i = cdf.partition_point(|&c| c < u).min(p.len() - 1);
        out.row_mut(r).assign(&flat.row(i));
    }
    out
}

#[test]
fn ais_and_reverse_ais_agree_with_exact_log_z_on_weak_models() {
    // weak models (std <= 0.5): both estimators are accurate; each must lie within four of its
    // own standard errors of the truth (no fixed slack). The reverse base is fitted on samples
    // that are not its start states.
    let cases = [
        (UnitsSpec::SPINS_NO_BIAS, 16, 0.25, 1u64),
        (UnitsSpec::BITS_WITH_BIAS, 18, 0.5, 2),
        (
            UnitsSpec {
                visible: Units::Spin,
                hidden: Units::Bit,
                biases: true,
            },
            20,
            0.3,
            3,
        ),
    ];
    for (units, nv, std, seed) in cases {
        let rbm = random_rbm(nv, 20, units, std, seed);
        let exact = eval::exact_log_z(&rbm).unwrap();
        let samples = exact_samples(&rbm, 400, seed + 10);
        let params = AisParams {
            n_chains: 200,
            n_betas: 1000,
            schedule: BetaSchedule::Piecewise,
        }
        .check()
        .unwrap();
        let base = eval::base_visible_bias(units.visible, samples.view());
        let fwd = eval::ais(&rbm, base.view(), &params, Seed(seed)).unwrap();
        let rev = eval::reverse_ais_split(&rbm, samples.view(), 200, &params, Seed(seed)).unwrap();
        let msg = format!(
            "{units:?} nv={nv}: exact {exact:.4}, ais {:.4} ± {:.4} (ess {:.0}), reverse {:.4} ± {:.4}",
            fwd.log_z, fwd.log_z_stderr, fwd.ess, rev.log_z, rev.log_z_stderr
        );
        eprintln!("{msg}");
        assert!((fwd.log_z - exact).abs() < 4.0 * fwd.log_z_stderr, "{msg}");
        assert!((rev.log_z - exact).abs() < 4.0 * rev.log_z_stderr, "{msg}");
        assert!(fwd.ess > 10.0 && fwd.log_z_stderr < 0.1, "{msg}");
    }
}

/// Mean and standard error of the mean.
fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Per repeat `r` of 24 on the 12x8 std-1.5 spin model: (forward, reverse with the base on other
/// rows, reverse with the base on its own start rows), each from fresh exact samples and streams.
fn strong_model_repeats(rbm: &Rbm, n_betas: usize, n_chains: usize) -> [Vec<f64>; 3] {
    let params = AisParams {
        n_chains,
        n_betas,
        schedule: BetaSchedule::Linear,
    }
    .check()
    .unwrap();
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for r in 0..24u64 {
        let rows = exact_samples(rbm, 2 * n_chains, 1000 + r);
        let starts = rows.slice(ndarray::s![..n_chains, ..]);
        let others = rows.slice(ndarray::s![n_chains.., ..]);
        let base = eval::base_visible_bias(Units::Spin, others);
        let fwd = eval::ais(rbm, base.view(), &params, Seed(2000 + r)).unwrap();
        out[0].push(fwd.log_z);
        let split = eval::reverse_ais_split(rbm, rows.view(), n_chains, &params, Seed(3000 + r));
        out[1].push(split.unwrap().log_z);
        let own = eval::base_visible_bias(Units::Spin, starts);
        let same = eval::reverse_ais(rbm, own.view(), starts, &params, Seed(3000 + r)).unwrap();
        out[2].push(same.log_z);
    }
    out
}

#[test]
fn forward_and_reverse_ais_bracket_exact_log_z_of_a_strong_model_in_the_mean() {
    // a 12x8 spin model with std-1.5 weights and exact model samples, 24 independent repeats
    // (fresh samples and streams each). Forward AIS is a lower bound of log Z in expectation and
    // reverse AIS, with its base fitted on rows that are not its starts, an upper bound.
    let rbm = random_rbm(12, 8, UnitsSpec::SPINS_NO_BIAS, 1.5, 41);
    let exact = eval::exact_log_z(&rbm).unwrap();
    // (a) a short schedule (10 temperatures, 20 chains): the Jensen gaps of both estimators
    // dominate their noise, and the means must bracket the exact log Z with no slack
    let [fwd, rev, _] = strong_model_repeats(&rbm, 10, 20);
    let ((f, fs), (v, vs)) = (mean_se(&fwd), mean_se(&rev));
    let msg = format!(
        "short schedule, exact {exact:.4}: forward {:+.4} ± {fs:.4}, reverse {:+.4} ± {vs:.4}",
        f - exact,
        v - exact
    );
    eprintln!("{msg}");
    assert!(f <= exact && exact <= v, "no bracket: {msg}");
    // (b) a fine schedule (1000 temperatures, 100 chains): the split reverse estimate is
    // unbiased within three standard errors of its mean, while the same reverse AIS with the base
    // fitted on its own start rows (the old evaluation) sits more than three below log Z: the bias
    // the split removes, visible at this precision
    let [fwd, rev, same] = strong_model_repeats(&rbm, 1000, 100);
    let ((f, fs), (v, vs), (o, os)) = (mean_se(&fwd), mean_se(&rev), mean_se(&same));
    // the two reverse estimates share their start rows and streams: their paired difference
    // isolates the effect of where the base comes from
    let diff: Vec<f64> = same.iter().zip(&rev).map(|(a, b)| a - b).collect();
    let (d, ds) = mean_se(&diff);
    let msg = format!(
        "fine schedule, exact {exact:.4}: forward {:+.4} ± {fs:.4}, reverse (split) {:+.4} ± \
         {vs:.4}, reverse (base on the starts) {:+.4} ± {os:.4}; paired difference {d:+.4} ± {ds:.4}",
        f - exact,
        v - exact,
        o - exact
    );
    eprintln!("{msg}");
    assert!((v - exact).abs() < 3.0 * vs, "split reverse biased: {msg}");
    assert!((f - exact).abs() < 3.0 * fs, "forward biased: {msg}");
    assert!(d < -3.0 * ds, "the same-row bias is not visible: {msg}");
}

/// The fused, chunked chains (CD from hidden means, Gibbs then means) are the same Markov chains,
/// with the same random streams, as the step-by-step composition of the single-layer samplers.
#[test]
fn fused_chains_equal_the_step_by_step_composition() {
    let units = UnitsSpec {
        visible: Units::Bit,
        hidden: Units::Spin,
        biases: true,
    };
    let m = random_rbm(20, 12, units, 0.7, 11).to_f32();
    let n = 150; // three chunks of 50 rows
    let mut rngs = Seed(8).streams(n);
    let data = spinlearn_rbm::sample::random_states(20, units.visible, &mut rngs);
    // CD-2 from the hidden means of the data
    let mut hmean = Array2::<f32>::zeros((n, 12));
    m.hidden_mean_into(data.view(), &mut hmean);
    let (mut r1, mut r2) = (Seed(9).streams(n), Seed(9).streams(n));
    let mut v_fused = Array2::<f32>::zeros((n, 20));
    let mut h_fused = hmean.clone();
    m.cd_from_hidden_means(&mut v_fused, &mut h_fused, 2, &mut r1);
    // reference: h ~ Bernoulli(mean) with one uniform per unit, then v ~ p(v|h), one more step,
    // then E[h | v]
    let mut h = hmean.clone();
    for (mut row, rng) in h.rows_mut().into_iter().zip(r2.iter_mut()) {
        let mut u = vec![0f32; 12];
        spinlearn_rbm::sample::fill_uniform(rng, &mut u);
        for (x, &ui) in row.iter_mut().zip(&u) {
            let p = (*x + 1.0) / 2.0;
            *x = if ui < p { 1.0 } else { -1.0 };
        }
    }
    let mut v = Array2::<f32>::zeros((n, 20));
    m.sample_visible(h.view(), &mut v, &mut r2);
    m.sample_hidden(v.view(), &mut h, &mut r2);
    m.sample_visible(h.view(), &mut v, &mut r2);
    m.hidden_mean_into(v.view(), &mut h);
    assert_eq!(v_fused, v);
    assert!(
        h_fused
            .iter()
            .zip(h.iter())
            .all(|(a, b)| (a - b).abs() < 1e-6)
    );
    // PCD: 3 Gibbs steps then the hidden means
    let (mut r1, mut r2) = (Seed(10).streams(n), Seed(10).streams(n));
    let (mut v1, mut v2) = (data.clone(), data.clone());
    let mut hm = Array2::<f32>::zeros((n, 12));
    m.gibbs_then_means(&mut v1, &mut hm, 3, &mut r1);
    let mut h2 = Array2::<f32>::zeros((n, 12));
    for _ in 0..3 {
        m.sample_hidden(v2.view(), &mut h2, &mut r2);
        m.sample_visible(h2.view(), &mut v2, &mut r2);
    }
    m.hidden_mean_into(v2.view(), &mut h2);
    assert_eq!(v1, v2);
    assert!(hm.iter().zip(h2.iter()).all(|(a, b)| (a - b).abs() < 1e-6));
    // the chains moved: the test is not comparing untouched arrays
    assert_ne!(v1, data);
}

#[test]
fn ais_nll_of_a_trained_model_matches_the_exact_enumeration() {
    // an RA-RBM trained for a few epochs on 4x4 Bars with Gibbs-seeded PID (the MNIST recipe),
    // small enough (16 x 12) to enumerate: the AIS NLL (mean free energy + AIS log Z, the
    // experiments' estimate) must be within four standard errors of the exact NLL, and the model
    // must have moved away from its initial NLL (so the comparison is on a trained model).
    use spinlearn_core::NoObserver;
    use spinlearn_rbm::train::{Binarize, Estimator, Optimizer, TrainParams, WeightsSpec, train};
    let data = bars4(Units::Spin);
    let params = TrainParams {
        n_hidden: 12,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: WeightsSpec::Ra {
            k: 4,
            binarize: Binarize::Clip { clip: 1.0 },
        },
        estimator: Estimator::PidGibbs { gibbs_steps: 2 },
        optimizer: Optimizer::Sgd {
            lr: 0.02,
            momentum: 0.0,
            weight_decay: 0.0,
            lr_decay: 1.0,
        },
        epochs: 5,
        batch_size: 7,
        track_exact_nll: true,
    }
    .check()
    .unwrap();
    let (model, _, summary) = train(
        &params,
        data.mapv(|x| x as f32).view(),
        Seed(12),
        &mut NoObserver,
    )
    .unwrap();
    let rbm = model.rbm();
    let exact = -eval::mean_log_likelihood(&rbm, data.view()).unwrap();
    let ais_params = AisParams {
        n_chains: 200,
        n_betas: 2000,
        schedule: BetaSchedule::Piecewise,
    }
    .check()
    .unwrap();
    let base = eval::base_visible_bias(Units::Spin, data.view());
    let a = eval::ais(&rbm, base.view(), &ais_params, Seed(5)).unwrap();
    let ais_nll = rbm.free_energy(data.view()).mean().unwrap() + a.log_z;
    let first = summary.epochs[0].exact_nll.unwrap();
    let msg = format!(
        "exact NLL {exact:.4} (after epoch 1: {first:.4}), AIS NLL {ais_nll:.4} ± {:.4} (ess {:.0})",
        a.log_z_stderr, a.ess
    );
    eprintln!("{msg}");
    assert!((ais_nll - exact).abs() < 4.0 * a.log_z_stderr, "{msg}");
    assert!(a.log_z_stderr < 0.2, "{msg}");
    assert!((first - exact).abs() > 0.01, "{msg}");
}

#[test]
fn ais_through_ra_patterns_matches_dense_ais_and_exact_log_z() {
    // an RA model (±1 units, no biases, W = ξ_vᵀ ξ_h / √K) small enough to enumerate, with K low
    // enough that the fields go through the patterns: (12 + 16) 3 < 12 · 16
    let (nv, nh, k) = (12, 16, 3);
    let mut rng = Seed(41).stream(0);
    let mut pm = |n: usize| {
        Array2::from_shape_fn((k, n), |_| if rng.random_bool(0.5) { 0.8f32 } else { -0.8 })
    };
    let (pv, ph) = (pm(nv), pm(nh));
    let w = spinlearn_rbm::train::ra_weights(pv.view(), ph.view()).mapv(f64::from);
    let rbm = Rbm::new(UnitsSpec::SPINS_NO_BIAS, w);
    let exact = eval::exact_log_z(&rbm).unwrap();
    let params = AisParams {
        n_chains: 200,
        n_betas: 500,
        schedule: BetaSchedule::Piecewise,
    }
    .check()
    .unwrap();
    let base = ndarray::Array1::zeros(nv);
    let dense = eval::ais(&rbm, base.view(), &params, Seed(3)).unwrap();
    let low = eval::ais_through_patterns(&rbm, pv.view(), ph.view(), base.view(), &params, Seed(3))
        .unwrap();
    let msg = format!(
        "exact {exact:.4}, dense {:.4} ± {:.4}, patterns {:.4} ± {:.4}",
        dense.log_z, dense.log_z_stderr, low.log_z, low.log_z_stderr
    );
    assert!((low.log_z - exact).abs() < 4.0 * low.log_z_stderr, "{msg}");
    assert!(
        (dense.log_z - exact).abs() < 4.0 * dense.log_z_stderr,
        "{msg}"
    );
    // same streams, same law: the two runs differ only where rounding flipped a sample
    assert!(
        (low.log_z - dense.log_z).abs() < 4.0 * (low.log_z_stderr + dense.log_z_stderr),
        "{msg}"
    );
    // patterns of another model are refused
    let other = pv.mapv(|x| -x);
    let err =
        eval::ais_through_patterns(&rbm, other.view(), ph.view(), base.view(), &params, Seed(3))
            .unwrap_err()
            .to_string();
    assert!(err.contains("patterns"), "{err}");
}

#[test]
fn probe_through_ra_patterns_matches_the_probe_through_the_weights() {
    // an RA model whose fields go through the patterns ((60 + 80) 4 < 60 · 80), with biases so
    // the bias term is exercised, and labelled ±1 data: three noisy prototypes
    let (nv, nh, k) = (60, 80, 4);
    let mut rng = Seed(43).stream(0);
    let mut pm = |n: usize| Array2::from_shape_fn((k, n), |_| rng.random_range(-1.0f32..1.0));
    let (pv, ph) = (pm(nv), pm(nh));
    let w = spinlearn_rbm::train::ra_weights(pv.view(), ph.view()).mapv(f64::from);
    let spins_with_bias = UnitsSpec {
        biases: true,
        ..UnitsSpec::SPINS_NO_BIAS
    };
    let mut rbm = Rbm::new(spins_with_bias, w);
    let mut rng = Seed(44).stream(0);
    rbm.hidden_bias
        .mapv_inplace(|_| rng.random_range(-0.3..0.3));
    let protos = Array2::from_shape_fn((3, nv), |_| if rng.random_bool(0.5) { 1.0 } else { -1.0 });
    let labels: Vec<u8> = (0..300).map(|i| (i % 3) as u8).collect();
    let x = Array2::from_shape_fn((300, nv), |(i, j)| {
        let p = protos[[i % 3, j]];
        if rng.random_bool(0.2) { -p } else { p }
    });
    let (tr, te) = (
        x.slice(ndarray::s![..200, ..]),
        x.slice(ndarray::s![200.., ..]),
    );
    let (trl, tel) = (&labels[..200], &labels[200..]);
    // the f64 fields through the patterns equal the dense ones up to the f32 rounding of the
    // weights (`ra_weights` forms W in f32: each of the nv terms of a field is off by at most
    // about K ε32 |ξ|², |ξ| < 1), far below one flipped unit's contribution
    let f = eval::hidden_field_through_patterns(&rbm, tr, pv.view(), ph.view());
    let d = rbm.hidden_field(tr);
    let err = (&f - &d).iter().fold(0.0f64, |m, e| m.max(e.abs()));
    let tol = (nv * k) as f64 * f64::from(f32::EPSILON);
    assert!(err < tol, "fields differ by {err} (bound {tol})");
    let lr = eval::LogRegParams {
        l2: 1e-3,
        max_iter: 200,
        tol: 1e-6,
    }
    .check()
    .unwrap();
    for features in [
        eval::ProbeFeatures::StandardizedMean,
        eval::ProbeFeatures::SampledState,
    ] {
        let dense =
            eval::probe_logreg(&rbm, tr, trl, te, tel, features, &lr, Seed(5), None).unwrap();
        let low = eval::probe_logreg(
            &rbm,
            tr,
            trl,
            te,
            tel,
            features,
            &lr,
            Seed(5),
            Some((pv.view(), ph.view())),
        )
        .unwrap();
        // the same streams draw the same states except where rounding moved a probability past
        // its uniform number: the accuracies agree to within a few images of 100
        let msg = format!("{features:?}: dense {dense:?}, patterns {low:?}");
        assert!(
            (dense.test_accuracy - low.test_accuracy).abs() <= 0.03,
            "{msg}"
        );
        assert!(
            (dense.train_accuracy - low.train_accuracy).abs() <= 0.03,
            "{msg}"
        );
        assert!(low.test_accuracy > 0.5, "{msg}");
    }
    // the SGD probe of `rbm eval --what probe` likewise
    let sgd = eval::ProbeParams {
        standardize: true,
        epochs: 20,
        lr: 0.1,
        l2: 1e-4,
        batch_size: 20,
    }
    .check()
    .unwrap();
    let dense = eval::probe(&rbm, tr, trl, te, tel, &sgd, Seed(6), None).unwrap();
    let low = eval::probe(
        &rbm,
        tr,
        trl,
        te,
        tel,
        &sgd,
        Seed(6),
        Some((pv.view(), ph.view())),
    )
    .unwrap();
    assert!(
        (dense.test_accuracy - low.test_accuracy).abs() <= 0.03,
        "SGD probe: dense {dense:?}, patterns {low:?}"
    );
    // patterns of another model are refused
    let other = pv.mapv(|x| -x);
    let err = eval::probe_logreg(
        &rbm,
        tr,
        trl,
        te,
        tel,
        eval::ProbeFeatures::SampledState,
        &lr,
        Seed(5),
        Some((other.view(), ph.view())),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("patterns"), "{err}");
}
