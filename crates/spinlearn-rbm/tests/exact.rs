//! Exact quantities against brute-force enumeration and finite differences.
#![allow(clippy::needless_range_loop)]
mod common;

use common::*;
use ndarray::{Array2, Axis};
use spinlearn_core::Units;
use spinlearn_rbm::eval;
use spinlearn_rbm::train::ra_pattern_gradient;
use spinlearn_rbm::{RaRbm, Rbm, UnitsSpec};

#[test]
fn exact_log_z_matches_brute_force_for_all_unit_types() {
    for (t, units) in all_units().into_iter().enumerate() {
        // visible smaller (enumerate v) and hidden smaller (enumerate h)
        for (nv, nh) in [(4, 6), (7, 3)] {
            let rbm = random_rbm(nv, nh, units, 0.8, 10 + t as u64);
            let exact = eval::exact_log_z(&rbm).unwrap();
            let brute = brute_log_z(&rbm);
            assert!(
                (exact - brute).abs() < 1e-10,
                "{units:?} ({nv},{nh}): {exact} vs {brute}"
            );
        }
    }
}

#[test]
fn exact_log_z_enumerates_beyond_one_chunk() {
    // 14 visible units: several enumeration chunks; reference sums over v with h summed by hand.
    let units = UnitsSpec {
        visible: Units::Bit,
        hidden: Units::Spin,
        biases: true,
    };
    let rbm = random_rbm(14, 40, units, 0.3, 5);
    let mut terms = Vec::new();
    for v in configs(14, Units::Bit) {
        let mut t: f64 = (0..14).map(|i| rbm.visible_bias[i] * v[i]).sum();
        for j in 0..40 {
            let x: f64 =
                rbm.hidden_bias[j] + (0..14).map(|i| v[i] * rbm.weights[[i, j]]).sum::<f64>();
            t += (x.exp() + (-x).exp()).ln();
        }
        terms.push(t);
    }
    let brute = spinlearn_core::numerics::log_sum_exp(&terms);
    assert!((eval::exact_log_z(&rbm).unwrap() - brute).abs() < 1e-9);
}

fn mean_ll(rbm: &Rbm, data: &Array2<f64>) -> f64 {
    eval::mean_log_likelihood(rbm, data.view()).unwrap()
}

#[test]
fn exact_gradient_matches_finite_differences() {
    let eps = 1e-5;
    for (t, units) in all_units().into_iter().filter(|u| u.biases).enumerate() {
        for (nv, nh) in [(5, 7), (6, 3)] {
            let rbm = random_rbm(nv, nh, units, 0.7, 100 + t as u64);
            let data = random_data(9, nv, units.visible, 7 + t as u64);
            let g = eval::exact_gradient(&rbm, data.view()).unwrap();
            for i in 0..nv {
                for j in 0..nh {
                    let mut p = rbm.clone();
                    p.weights[[i, j]] += eps;
                    let mut m = rbm.clone();
                    m.weights[[i, j]] -= eps;
                    let fd = (mean_ll(&p, &data) - mean_ll(&m, &data)) / (2.0 * eps);
                    assert!(
                        (fd - g.weights[[i, j]]).abs() < 1e-7,
                        "{units:?} W[{i},{j}]: {fd} vs {}",
                        g.weights[[i, j]]
                    );
                }
                let mut p = rbm.clone();
                p.visible_bias[i] += eps;
                let mut m = rbm.clone();
                m.visible_bias[i] -= eps;
                let fd = (mean_ll(&p, &data) - mean_ll(&m, &data)) / (2.0 * eps);
                assert!((fd - g.visible_bias[i]).abs() < 1e-7);
            }
            for j in 0..nh {
                let mut p = rbm.clone();
                p.hidden_bias[j] += eps;
                let mut m = rbm.clone();
                m.hidden_bias[j] -= eps;
                let fd = (mean_ll(&p, &data) - mean_ll(&m, &data)) / (2.0 * eps);
                assert!((fd - g.hidden_bias[j]).abs() < 1e-7);
            }
        }
    }
}

fn continuous_ra(k: usize, nv: usize, nh: usize, seed: u64) -> RaRbm {
    let base = random_rbm(k, nv + nh, UnitsSpec::SPINS_NO_BIAS, 0.6, seed);
    let pv = base.weights.slice(ndarray::s![.., ..nv]).to_owned();
    let ph = base.weights.slice(ndarray::s![.., nv..]).to_owned();
    RaRbm::new(UnitsSpec::SPINS_NO_BIAS, pv, ph).unwrap()
}

#[test]
fn pid_free_energy_pattern_gradients_match_finite_differences() {
    // 004 eqs. A7a, A7b against finite differences of F(v) in the patterns.
    let (k, nv, nh) = (3, 5, 4);
    let ra = continuous_ra(k, nv, nh, 3);
    let data = random_data(4, nv, Units::Spin, 9);
    let eps = 1e-6;
    let f = |r: &RaRbm, v: &ndarray::ArrayView1<f64>| {
        r.to_rbm().free_energy(v.view().insert_axis(Axis(0)))[0]
    };
    for v in data.rows() {
        let (gv, gh) = ra.free_energy_pattern_gradient(v);
        for kk in 0..k {
            for i in 0..nv {
                let (mut p, mut m) = (ra.clone(), ra.clone());
                p.patterns_visible[[kk, i]] += eps;
                m.patterns_visible[[kk, i]] -= eps;
                let fd = (f(&p, &v) - f(&m, &v)) / (2.0 * eps);
                assert!(
                    (fd - gv[[kk, i]]).abs() < 1e-7,
                    "xi_v[{kk},{i}]: {fd} vs {}",
                    gv[[kk, i]]
                );
            }
            for a in 0..nh {
                let (mut p, mut m) = (ra.clone(), ra.clone());
                p.patterns_hidden[[kk, a]] += eps;
                m.patterns_hidden[[kk, a]] -= eps;
                let fd = (f(&p, &v) - f(&m, &v)) / (2.0 * eps);
                assert!(
                    (fd - gh[[kk, a]]).abs() < 1e-7,
                    "xi_h[{kk},{a}]: {fd} vs {}",
                    gh[[kk, a]]
                );
            }
        }
    }
}

#[test]
fn ra_chain_rule_gives_the_likelihood_gradient_in_the_patterns() {
    let (k, nv, nh) = (2, 5, 6);
    let ra = continuous_ra(k, nv, nh, 4);
    let data = random_data(6, nv, Units::Spin, 11);
    let g = eval::exact_gradient(&ra.to_rbm(), data.view()).unwrap();
    let (gv, gh) = ra_pattern_gradient(
        ra.patterns_visible.view(),
        ra.patterns_hidden.view(),
        g.weights.view(),
    );
    let ll = |r: &RaRbm| mean_ll(&r.to_rbm(), &data);
    let eps = 1e-5;
    for kk in 0..k {
        for i in 0..nv {
            let (mut p, mut m) = (ra.clone(), ra.clone());
            p.patterns_visible[[kk, i]] += eps;
            m.patterns_visible[[kk, i]] -= eps;
            assert!(((ll(&p) - ll(&m)) / (2.0 * eps) - gv[[kk, i]]).abs() < 1e-7);
        }
        for a in 0..nh {
            let (mut p, mut m) = (ra.clone(), ra.clone());
            p.patterns_hidden[[kk, a]] += eps;
            m.patterns_hidden[[kk, a]] -= eps;
            assert!(((ll(&p) - ll(&m)) / (2.0 * eps) - gh[[kk, a]]).abs() < 1e-7);
        }
    }
}

#[test]
fn spin_and_bit_parameterizations_give_the_same_likelihoods() {
    for units in all_units() {
        let rbm = random_rbm(6, 5, units, 0.9, 21);
        let data = random_data(7, 6, units.visible, 3);
        let ll = eval::log_likelihood(&rbm, data.view(), eval::exact_log_z(&rbm).unwrap());
        for (vis, hid) in [
            (Units::Spin, Units::Spin),
            (Units::Bit, Units::Bit),
            (Units::Bit, Units::Spin),
        ] {
            let (other, c) = rbm.to_units(vis, hid);
            let mapped = data.mapv(|x| match (units.visible, vis) {
                (Units::Bit, Units::Spin) => 2.0 * x - 1.0,
                (Units::Spin, Units::Bit) => 0.5 * (x + 1.0),
                _ => x,
            });
            let lz = eval::exact_log_z(&other).unwrap();
            let ll2 = eval::log_likelihood(&other, mapped.view(), lz);
            for (a, b) in ll.iter().zip(ll2.iter()) {
                assert!(
                    (a - b).abs() < 1e-10,
                    "{units:?} -> ({vis}, {hid}): {a} vs {b}"
                );
            }
            assert!((eval::exact_log_z(&rbm).unwrap() - (lz - c)).abs() < 1e-10);
        }
    }
}

#[test]
fn ground_state_matches_brute_force() {
    for (t, units) in all_units().into_iter().enumerate() {
        for (nv, nh) in [(5, 6), (6, 4)] {
            let rbm = random_rbm(nv, nh, units, 1.0, 40 + t as u64);
            let gs = eval::ground_state(&rbm).unwrap();
            let mut best = f64::INFINITY;
            for v in configs(nv, units.visible) {
                for h in configs(nh, units.hidden) {
                    best = best.min(energy(&rbm, &v, &h));
                }
            }
            assert!(
                (gs.energy - best).abs() < 1e-10,
                "{units:?}: {} vs {best}",
                gs.energy
            );
            assert!((energy(&rbm, &gs.visible, &gs.hidden) - best).abs() < 1e-10);
        }
    }
}
