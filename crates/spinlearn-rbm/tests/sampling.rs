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
fn ais_and_reverse_ais_bracket_exact_log_z() {
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
        let samples = exact_samples(&rbm, 200, seed + 10);
        let base = eval::base_visible_bias(units.visible, samples.view());
        let params = AisParams {
            n_chains: 200,
            n_betas: 1000,
            schedule: BetaSchedule::Piecewise,
        }
        .check()
        .unwrap();
        let fwd = eval::ais(&rbm, base.view(), &params, Seed(seed)).unwrap();
        let rev =
            eval::reverse_ais(&rbm, base.view(), samples.view(), &params, Seed(seed)).unwrap();
        let msg = format!(
            "{units:?} nv={nv}: exact {exact:.4}, ais {:.4} ± {:.4} (ess {:.0}), reverse {:.4} ± {:.4}",
            fwd.log_z, fwd.log_z_stderr, fwd.ess, rev.log_z, rev.log_z_stderr
        );
        eprintln!("{msg}");
        // each within its own error of the truth, and on its side of it
        assert!(fwd.log_z <= exact + 3.0 * fwd.log_z_stderr + 1e-6, "{msg}");
        assert!(rev.log_z >= exact - 3.0 * rev.log_z_stderr - 1e-6, "{msg}");
        assert!(
            (fwd.log_z - exact).abs() < 3.0 * fwd.log_z_stderr + 0.05,
            "{msg}"
        );
        assert!(
            (rev.log_z - exact).abs() < 3.0 * rev.log_z_stderr + 0.05,
            "{msg}"
        );
        assert!(fwd.ess > 10.0 && fwd.log_z_stderr < 0.1, "{msg}");
    }
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
