//! Cross-checks of the Fig. 1 driver (004): rescaled models, ground-state scaling against brute
//! force, and the Mattis limit (K = 1) where Gibbs sampling at low temperature must reach the
//! ground state.

use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_rbm::Rbm;
use spinlearn_rbm::eval::ground_state;
use spinlearn_rbm::experiments::untrained::{
    UntrainedParams, WeightKind, unit_model, untrained_accessibility,
};

/// Brute-force ground-state energy over both layers, with explicit loops.
fn brute_ground_state(rbm: &Rbm) -> f64 {
    let (nv, nh) = (rbm.n_visible(), rbm.n_hidden());
    let mut best = f64::INFINITY;
    for sv in 0..1u32 << nv {
        for sh in 0..1u32 << nh {
            let mut e = 0.0;
            for i in 0..nv {
                let v = if sv >> i & 1 == 1 { 1.0 } else { -1.0 };
                for j in 0..nh {
                    let h = if sh >> j & 1 == 1 { 1.0 } else { -1.0 };
                    e -= v * rbm.weights[[i, j]] * h;
                }
            }
            best = best.min(e);
        }
    }
    best
}

#[test]
fn unit_models_have_unit_measured_std() {
    for kind in WeightKind::ALL {
        let m = unit_model(kind, 5, 7, 3, Seed(11)).unwrap();
        let w: Vec<f64> = m.weights.iter().copied().collect();
        let n = w.len() as f64;
        let mean = w.iter().sum::<f64>() / n;
        let sd = (w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
        assert!((sd - 1.0).abs() < 1e-12, "{kind:?}: std {sd}");
    }
    // RA weights with K = 1 are rank one: every 2x2 minor vanishes
    let m = unit_model(WeightKind::Ra, 4, 5, 1, Seed(3)).unwrap();
    let w = &m.weights;
    for (i, j) in [(0, 1), (1, 3), (2, 3)] {
        let minor = w[[i, 0]] * w[[j, 1]] - w[[i, 1]] * w[[j, 0]];
        assert!(minor.abs() < 1e-12);
    }
}

#[test]
fn ground_state_scales_linearly_and_matches_brute_force() {
    for kind in WeightKind::ALL {
        let m = unit_model(kind, 4, 5, 2, Seed(5)).unwrap();
        let e1 = brute_ground_state(&m);
        let scaled = Rbm::new(m.units, &m.weights * 3.5);
        let e2 = brute_ground_state(&scaled);
        assert!((e2 - 3.5 * e1).abs() < 1e-9);
        assert!((ground_state(&m).unwrap().energy - e1).abs() < 1e-9);
    }
}

#[test]
fn accessibility_bounds_and_mattis_limit() {
    let p = UntrainedParams {
        n_visible: 6,
        n_hidden: 12,
        k: 1,
        stds: vec![0.01, 100.0],
        n_models: 3,
        n_starts: 20,
        gibbs_steps: 10,
        inset_visible: vec![3, 6],
        inset_std: 100.0,
    }
    .check()
    .unwrap();
    let r = untrained_accessibility(&p, Seed(9), &mut NoObserver).unwrap();
    assert!((r.glorot_std - (2.0f64 / 18.0).sqrt()).abs() < 1e-15);
    for (kind, band) in r.sweep.iter().chain(&r.inset) {
        assert_eq!(band.mean.len(), band.x.len());
        // the ground state is the minimum: no start can go below it
        assert!(
            band.mean.iter().all(|&a| a <= 1.0 + 1e-9),
            "{kind:?}: {:?}",
            band.mean
        );
    }
    // K = 1 is Mattis' unfrustrated model: at std 100 one Gibbs sweep from any start lands on ±ξ
    let ra = &r
        .sweep
        .iter()
        .find(|(k, _)| *k == WeightKind::Ra)
        .unwrap()
        .1;
    assert!(
        (ra.mean[1] - 1.0).abs() < 1e-9 && ra.std[1] < 1e-9,
        "{ra:?}"
    );
    // at std 0.01 the chains are at infinite temperature: the energy is ~0, far from the ground state
    assert!(ra.mean[0].abs() < 0.6, "{ra:?}");
    let plateau_ra = r
        .plateau
        .iter()
        .find(|(k, _)| *k == WeightKind::Ra)
        .unwrap()
        .1;
    assert!((plateau_ra.mean - 1.0).abs() < 1e-9);
}
