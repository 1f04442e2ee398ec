//! Mean-field roots against a brute-force grid scan, and the firing-rate closed forms against
//! quadrature and their limits.

use spinlearn_ising::firing::{
    integrate, rate_logistic, rate_mean_field, rate_tanh, rate_tanh_floor,
};
use spinlearn_ising::{Activation, CurieWeiss};
use std::f64::consts::LN_2;

/// Sign changes of g on a fine grid: an independent count and location of the roots.
fn grid_roots(cw: &CurieWeiss) -> Vec<f64> {
    let n = 200_000;
    let xs: Vec<f64> = (0..=n).map(|i| -1.0 + 2.0 * i as f64 / n as f64).collect();
    let mut roots = Vec::new();
    for w in xs.windows(2) {
        let (a, b) = (cw.residual(w[0]), cw.residual(w[1]));
        if a == 0.0 {
            roots.push(w[0]);
        } else if a.signum() != b.signum() && b != 0.0 {
            roots.push(0.5 * (w[0] + w[1]));
        }
    }
    roots
}

#[test]
fn roots_match_a_grid_scan_and_stability_matches_local_minima() {
    for &(t, tc, h) in &[
        (0.3, 1.0, 0.0123),
        (0.7, 1.0, -0.05),
        (0.9, 1.0, 0.01),
        (1.2, 1.0, 0.2),
        (2.0, 4.0, 0.37),
        (3.0, 4.0, -0.01),
    ] {
        let cw = CurieWeiss::new(t, tc).with_field(h);
        let sols = cw.solve().unwrap();
        let grid = grid_roots(&cw);
        assert_eq!(
            sols.len(),
            grid.len(),
            "T={t} h={h}: {sols:?} vs grid {grid:?}"
        );
        for (s, g) in sols.iter().zip(&grid) {
            assert!((s.m - g).abs() < 1e-5, "T={t} h={h}");
            // Stable iff F is lower on both sides (a local minimum), by direct evaluation.
            let d = 1e-4;
            let f0 = cw.free_energy(s.m);
            let is_min = cw.free_energy(s.m - d) > f0 && cw.free_energy(s.m + d) > f0;
            assert_eq!(s.stable, is_min, "T={t} h={h} m={}", s.m);
            // Susceptibility against a finite difference of the root in h.
            let e = 1e-7;
            let up = CurieWeiss::new(t, tc).with_field(h + e).solve().unwrap();
            let dn = CurieWeiss::new(t, tc).with_field(h - e).solve().unwrap();
            if up.len() == sols.len() && dn.len() == sols.len() {
                let i = sols.iter().position(|x| x.m == s.m).unwrap();
                let fd = (up[i].m - dn[i].m) / (2.0 * e);
                assert!(
                    (fd / s.susceptibility - 1.0).abs() < 1e-4,
                    "chi {} vs {fd}",
                    s.susceptibility
                );
            }
        }
        // The global solution has the lowest F on the whole grid.
        let g = sols.iter().find(|s| s.global).unwrap();
        let fmin = (0..=20_000)
            .map(|i| cw.free_energy(-1.0 + i as f64 / 10_000.0))
            .fold(f64::INFINITY, f64::min);
        assert!(g.free_energy <= fmin + 1e-9);
    }
}

#[test]
fn firing_rate_closed_forms_match_quadrature() {
    for a in [0.5, 1.0, 6.0] {
        for q in [-6.0, -1.3, -0.01, 0.0, 0.4, 2.7, 9.0] {
            let num = integrate(|t| 0.5 * (1.0 + (a * t).tanh()), 0.0, q, 1e-12).unwrap();
            assert!((rate_tanh(q, a) - num).abs() < 1e-10, "a={a} Q={q}");
        }
    }
    for q in [-8.0, -1.0, 0.0, 0.5, 7.5] {
        let num = integrate(|t| 1.0 / (1.0 + (-t).exp()), 0.0, q, 1e-12).unwrap();
        assert!((rate_logistic(q) - num).abs() < 1e-10, "Q={q}");
    }
    // Limits: linear (ReLU shifted by the constant) for large Q, the ELU-like floor for Q -> -inf.
    assert!((rate_tanh(40.0, 1.0) - (40.0 - LN_2 / 2.0)).abs() < 1e-14);
    assert!((rate_tanh(-40.0, 1.0) - rate_tanh_floor(1.0)).abs() < 1e-14);
    assert!((rate_tanh_floor(1.0) + LN_2 / 2.0).abs() < 1e-15);
    // The ReLU-like activation is the integral from -inf: compare against quadrature from -40.
    let act = Activation::IsingRate { a: 1.0 };
    for x in [-3.0, 0.0, 2.0] {
        let num = integrate(|t| 0.5 * (1.0 + t.tanh()), -40.0, x, 1e-12).unwrap();
        assert!((act.value(x) - num).abs() < 1e-10);
    }
    // The exact mean-field rate: 0 below threshold, Q - ∫_0^Tc (1 - m) beyond Tc; bounded by ReLU.
    assert_eq!(rate_mean_field(-1.0, 1.0).unwrap(), 0.0);
    let r2 = rate_mean_field(2.0, 1.0).unwrap();
    let r3 = rate_mean_field(3.0, 1.0).unwrap();
    assert!((r3 - r2 - 1.0).abs() < 1e-9);
    assert!(r2 < 2.0 && r2 > 1.0);
}
