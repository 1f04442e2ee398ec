//! Monte Carlo against exact enumeration of small periodic lattices: thermodynamic averages
//! (energy, |m|, specific heat) within error bars, and the sampled distribution against the exact
//! Boltzmann law (chi-square with independent chains, fixed seeds).

use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_ising::lattice::{exact_distribution, exact_thermo};
use spinlearn_ising::{
    Algorithm, Checkerboard, Lattice, McParams, Metropolis, Start, Wolff, simulate,
};

/// Chi-square quantile by Wilson-Hilferty at z = 4.265 (upper tail 1e-5).
fn chi2_critical(df: usize) -> f64 {
    let k = df as f64;
    let z = 4.265;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Pearson chi-square of counts against probabilities, pooling states with expectation < 5.
fn chi2(counts: &[u64], probs: &[f64]) -> (f64, usize) {
    let n: u64 = counts.iter().sum();
    let (mut stat, mut df) = (0.0, 0usize);
    let (mut pool_o, mut pool_e) = (0.0, 0.0);
    for (&c, &p) in counts.iter().zip(probs) {
        let e = p * n as f64;
        if e < 5.0 {
            pool_o += c as f64;
            pool_e += e;
        } else {
            stat += (c as f64 - e).powi(2) / e;
            df += 1;
        }
    }
    if pool_e > 0.0 {
        stat += (pool_o - pool_e).powi(2) / pool_e.max(1e-300);
        df += 1;
    }
    (stat, df - 1)
}

fn within(name: &str, mc: f64, err: f64, exact: f64) {
    assert!(err.is_finite() && err > 0.0, "{name}: error bar {err}");
    assert!(
        (mc - exact).abs() < 4.0 * err + 1e-12,
        "{name}: MC {mc} ± {err} vs exact {exact}"
    );
}

fn check_averages(l: usize, t: f64, algorithm: Algorithm, seed: u64) {
    let ex = exact_thermo(l, t, 0.0).unwrap();
    let p = McParams {
        algorithm,
        therm: 100,
        sweeps: 40_000,
        wolff_clusters: Some(1),
        start: Start::Hot,
        ..McParams::new(l, t)
    };
    let r = simulate(&p.check().unwrap(), Seed(seed), &mut NoObserver).unwrap();
    let tag = format!("L={l} T={t} {algorithm:?}");
    within(
        &format!("{tag} energy"),
        r.energy.mean,
        r.energy.err,
        ex.energy,
    );
    within(
        &format!("{tag} |m|"),
        r.magnetization.mean,
        r.magnetization.err,
        ex.abs_magnetization,
    );
    within(
        &format!("{tag} C"),
        r.specific_heat.mean,
        r.specific_heat.err,
        ex.specific_heat,
    );
    within(
        &format!("{tag} chi"),
        r.susceptibility.mean,
        r.susceptibility.err,
        ex.susceptibility,
    );
}

#[test]
fn averages_match_enumeration_2x2_3x3_4x4() {
    check_averages(2, 2.0, Algorithm::Metropolis, 1);
    check_averages(2, 2.0, Algorithm::Wolff, 2);
    check_averages(3, 2.5, Algorithm::Wolff, 3);
    check_averages(3, 1.5, Algorithm::Wolff, 4);
    check_averages(4, 2.3, Algorithm::Metropolis, 5);
    check_averages(4, 2.3, Algorithm::Wolff, 6);
}

#[test]
fn enumeration_closed_forms() {
    // 2x2: Z = 2 e^{8β} + 12 + 2 e^{-8β}; ⟨E⟩ = -16 (e^{8β} - e^{-8β}) / Z, per spin / 4.
    let t = 2.0f64;
    let b = 1.0 / t;
    let z = 2.0 * (8.0 * b).exp() + 12.0 + 2.0 * (-8.0 * b).exp();
    let e = -16.0 * ((8.0 * b).exp() - (-8.0 * b).exp()) / z / 4.0;
    let ex = exact_thermo(2, t, 0.0).unwrap();
    assert!((ex.energy - e).abs() < 1e-12);
    // |m|: 2 states with |m| = 1, 8 with |m| = 1/2, the rest 0.
    let am = (2.0 * (8.0 * b).exp() + 8.0 * 0.5) / z;
    assert!((ex.abs_magnetization - am).abs() < 1e-12);
    // Probabilities sum to one and the ground states are the most probable.
    let p = exact_distribution(3, 1.0, 0.0).unwrap();
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let top = p.iter().copied().fold(0.0, f64::max);
    assert_eq!(top, p[0]);
    assert_eq!(top, p[511]);
}

/// Runs `chains` independent chains for `steps` updates from independent hot starts and returns
/// the final configuration's code per chain.
fn metropolis_samples(l: usize, t: f64, h: f64, chains: usize, sweeps: usize) -> Vec<u64> {
    let k = Metropolis::new(t, h).unwrap();
    (0..chains as u64)
        .map(|c| {
            let s = Seed(77).derive(c);
            let lat = Lattice::random(l, &mut s.named("init").stream(0)).unwrap();
            let mut cb = Checkerboard::from_lattice(&lat).unwrap();
            let mut rngs = s.streams(l);
            for _ in 0..sweeps {
                k.sweep(&mut cb, &mut rngs, false);
            }
            cb.to_lattice().code()
        })
        .collect()
}

fn wolff_samples(l: usize, t: f64, chains: usize, clusters: usize) -> Vec<u64> {
    let mut k = Wolff::new(t).unwrap();
    (0..chains as u64)
        .map(|c| {
            let s = Seed(78).derive(c);
            let mut lat = Lattice::random(l, &mut s.named("init").stream(0)).unwrap();
            let mut rng = s.stream(0);
            for _ in 0..clusters {
                k.step(&mut lat, &mut rng);
            }
            lat.code()
        })
        .collect()
}

fn counts(codes: &[u64], n_states: usize) -> Vec<u64> {
    let mut c = vec![0u64; n_states];
    for &x in codes {
        c[x as usize] += 1;
    }
    c
}

#[test]
fn samplers_are_stationary_on_the_exact_boltzmann_law() {
    // Metropolis 2x2 in a field (all 16 states), Wolff 3x3 at h = 0 (512 states).
    // Sweeps per chain: enough to cross the barrier between the two ordered states
    // (rate ~ e^{-8/T} per sweep) many times.
    for &(t, h, sweeps) in &[(2.0, 0.0, 40), (3.0, 0.3, 100)] {
        let codes = metropolis_samples(2, t, h, 20_000, sweeps);
        let c = counts(&codes, 16);
        let (stat, df) = chi2(&c, &exact_distribution(2, t, h).unwrap());
        assert!(
            stat < chi2_critical(df),
            "Metropolis 2x2 T={t} h={h}: chi2 {stat} df {df}"
        );
        // The test has power: the same samples fail against a wrong temperature.
        let (wrong, dfw) = chi2(&c, &exact_distribution(2, 1.3 * t, h).unwrap());
        assert!(
            wrong > chi2_critical(dfw),
            "wrong-T control passed: {wrong}"
        );
    }
    let t = 2.5;
    let codes = wolff_samples(3, t, 40_000, 12);
    let c = counts(&codes, 512);
    let (stat, df) = chi2(&c, &exact_distribution(3, t, 0.0).unwrap());
    assert!(stat < chi2_critical(df), "Wolff 3x3: chi2 {stat} df {df}");
    let (wrong, dfw) = chi2(&c, &exact_distribution(3, 1.3 * t, 0.0).unwrap());
    assert!(
        wrong > chi2_critical(dfw),
        "wrong-T control passed: {wrong}"
    );
}

#[test]
fn zero_field_metropolis_matches_the_exact_energy_law_of_4x4() {
    // L = 4 runs the vectorizable zero-field row kernel; compare the distribution of the energy
    // (9 levels) over independent chains with the exact one.
    let (l, t) = (4, 2.4);
    let p = exact_distribution(l, t, 0.0).unwrap();
    let level = |code: u64| -> usize {
        let e = Lattice::from_code(l, code).unwrap().energy(0.0);
        ((e + 32.0) / 4.0).round() as usize // E in {-32, -28, ..., 32}
    };
    let mut probs = vec![0.0; 17];
    for (code, &pc) in p.iter().enumerate() {
        probs[level(code as u64)] += pc;
    }
    let codes = metropolis_samples(l, t, 0.0, 20_000, 60);
    let mut c = vec![0u64; 17];
    for &x in &codes {
        c[level(x)] += 1;
    }
    let (stat, df) = chi2(&c, &probs);
    assert!(
        stat < chi2_critical(df),
        "4x4 energy law: chi2 {stat} df {df}"
    );
}

#[test]
fn metropolis_and_wolff_agree_on_6x6() {
    // L = 6 exercises an odd number of sites per sublattice row; the two kernels share no code.
    let run = |algorithm, seed| {
        let p = McParams {
            algorithm,
            therm: 200,
            sweeps: 20_000,
            ..McParams::new(6, 2.5)
        };
        simulate(&p.check().unwrap(), Seed(seed), &mut NoObserver).unwrap()
    };
    let (a, b) = (run(Algorithm::Metropolis, 21), run(Algorithm::Wolff, 22));
    for (name, x, y) in [
        ("energy", a.energy, b.energy),
        ("|m|", a.magnetization, b.magnetization),
        ("binder", a.binder, b.binder),
    ] {
        let err = (x.err.powi(2) + y.err.powi(2)).sqrt();
        assert!(
            (x.mean - y.mean).abs() < 4.0 * err,
            "{name}: {x:?} vs {y:?}"
        );
    }
}
