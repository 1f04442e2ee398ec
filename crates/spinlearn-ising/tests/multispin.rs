//! The multi-spin-coded Metropolis kernel against the scalar one and against exact results: the
//! distributions of energy and magnetization over independent chains (chi-square, fixed seeds,
//! threshold the chi-square quantile at upper tail 1e-5), the exact 4x4 energy law, Onsager's
//! magnetization at L = 64, and independence of the thread count.

use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_ising::lattice::exact_distribution;
use spinlearn_ising::multispin::sweep_ensemble;
use spinlearn_ising::{
    Algorithm, Checkerboard, Lattice, McParams, Metropolis, MultiSpinChain, onsager, simulate,
    simulate_many,
};

/// Chi-square quantile by Wilson-Hilferty at z = 4.265 (upper tail 1e-5).
fn chi2_critical(df: usize) -> f64 {
    let k = df as f64;
    let z = 4.265;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Two-sample chi-square of equal-size histograms, pooling bins with fewer than 10 counts in all.
fn chi2_two_sample(a: &[u64], b: &[u64]) -> (f64, usize) {
    assert_eq!(a.iter().sum::<u64>(), b.iter().sum::<u64>());
    let (mut stat, mut bins) = (0.0, 0usize);
    let (mut pa, mut pb) = (0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64, y as f64);
        if x + y < 10.0 {
            pa += x;
            pb += y;
        } else {
            stat += (x - y).powi(2) / (x + y);
            bins += 1;
        }
    }
    if pa + pb > 0.0 {
        stat += (pa - pb).powi(2) / (pa + pb);
        bins += 1;
    }
    (stat, bins - 1)
}

/// Pearson chi-square of counts against probabilities, pooling bins with expectation < 5.
fn chi2_exact(counts: &[u64], probs: &[f64]) -> (f64, usize) {
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
        stat += (pool_o - pool_e).powi(2) / pool_e;
        df += 1;
    }
    (stat, df - 1)
}

/// Final configurations of `chains` independent chains from hot starts after `sweeps` sweeps.
fn scalar_samples(l: usize, t: f64, chains: usize, sweeps: usize, seed: u64) -> Vec<Lattice> {
    let k = Metropolis::new(t, 0.0).unwrap();
    (0..chains as u64)
        .map(|c| {
            let s = Seed(seed).derive(c);
            let lat = Lattice::random(l, &mut s.named("init").stream(0)).unwrap();
            let mut cb = Checkerboard::from_lattice(&lat).unwrap();
            let mut rngs = s.streams(l);
            for _ in 0..sweeps {
                k.sweep(&mut cb, &mut rngs, false);
            }
            cb.to_lattice()
        })
        .collect()
}

/// As [`scalar_samples`] with the multi-spin kernel (an ensemble swept on rayon's pool).
fn multispin_samples(l: usize, t: f64, chains: usize, sweeps: usize, seed: u64) -> Vec<Lattice> {
    let mut ens: Vec<MultiSpinChain> = (0..chains as u64)
        .map(|c| {
            let s = Seed(seed).derive(c);
            let lat = Lattice::random(l, &mut s.named("init").stream(0)).unwrap();
            MultiSpinChain::new(&lat, t, s).unwrap()
        })
        .collect();
    sweep_ensemble(&mut ens, sweeps);
    ens.iter().map(|c| c.lattice().to_lattice()).collect()
}

/// Histograms of the energy level (E = -bond sum, steps of 4) and of |M| (steps of 2).
fn histograms(samples: &[Lattice]) -> (Vec<u64>, Vec<u64>) {
    let n = samples[0].n() as i64;
    let mut e = vec![0u64; (n + 1) as usize];
    let mut m = vec![0u64; (n / 2 + 1) as usize];
    for lat in samples {
        e[((lat.bond_sum() + 2 * n) / 4) as usize] += 1;
        m[(lat.magnetization_sum().abs() / 2) as usize] += 1;
    }
    (e, m)
}

#[test]
fn multispin_and_scalar_metropolis_sample_the_same_laws_on_8x8() {
    // 3000 independent chains of each kernel, 80 sweeps from hot starts; T = 2.5 (above Tc, fast
    // mixing at L = 8) and T = 2.0 (ordered, |m| near 0.9). Energy and |M| histograms compared by
    // the two-sample chi-square.
    for (t, seed) in [(2.5, 31u64), (2.0, 32)] {
        let a = histograms(&scalar_samples(8, t, 3000, 80, seed));
        let b = histograms(&multispin_samples(8, t, 3000, 80, seed + 100));
        for (name, x, y) in [("energy", &a.0, &b.0), ("|M|", &a.1, &b.1)] {
            let (stat, df) = chi2_two_sample(x, y);
            assert!(
                df >= 4 && stat < chi2_critical(df),
                "T={t} {name}: chi2 {stat} df {df}"
            );
        }
    }
    // The test has power: the multi-spin samples at T = 2.5 differ from scalar ones at T = 2.3.
    let a = histograms(&scalar_samples(8, 2.3, 3000, 80, 33));
    let b = histograms(&multispin_samples(8, 2.5, 3000, 80, 34));
    let (stat, df) = chi2_two_sample(&a.0, &b.0);
    assert!(
        stat > chi2_critical(df),
        "wrong-T control passed: chi2 {stat} df {df}"
    );
}

#[test]
fn multispin_matches_the_exact_energy_law_of_4x4_and_2x2() {
    for (l, t, sweeps) in [(4usize, 2.4, 60), (2, 2.0, 40)] {
        let p = exact_distribution(l, t, 0.0).unwrap();
        let n = (l * l) as i64;
        let level = |lat: &Lattice| ((lat.bond_sum() + 2 * n) / 4) as usize;
        let mut probs = vec![0.0; (n + 1) as usize];
        for (code, &pc) in p.iter().enumerate() {
            probs[level(&Lattice::from_code(l, code as u64).unwrap())] += pc;
        }
        let samples = multispin_samples(l, t, 20_000, sweeps, 41);
        let mut c = vec![0u64; probs.len()];
        for s in &samples {
            c[level(s)] += 1;
        }
        let (stat, df) = chi2_exact(&c, &probs);
        assert!(
            stat < chi2_critical(df),
            "L={l} energy law: chi2 {stat} df {df}"
        );
        if l == 2 {
            // All 16 states of 2x2 against the Boltzmann law.
            let mut c = vec![0u64; 16];
            for s in &samples {
                c[s.code() as usize] += 1;
            }
            let (stat, df) = chi2_exact(&c, &p);
            assert!(stat < chi2_critical(df), "2x2 states: chi2 {stat} df {df}");
        }
    }
}

#[test]
fn multispin_matches_onsager_below_tc_at_l64() {
    let t = 2.0;
    let p = McParams {
        algorithm: Algorithm::MultiSpin,
        therm: 300,
        sweeps: 3000,
        ..McParams::new(64, t)
    };
    let r = simulate(&p.check().unwrap(), Seed(51), &mut NoObserver).unwrap();
    let (m, u) = (onsager::magnetization(t), onsager::energy(t));
    assert!(
        (r.magnetization.mean - m).abs() < 4.0 * r.magnetization.err,
        "|m| {} ± {} vs Onsager {m}",
        r.magnetization.mean,
        r.magnetization.err
    );
    assert!(
        (r.energy.mean - u).abs() < 4.0 * r.energy.err,
        "e {} ± {} vs Onsager {u}",
        r.energy.mean,
        r.energy.err
    );
    assert!(
        r.magnetization.err < 2e-3 && r.energy.err < 3e-3,
        "error bars too wide to mean anything: {r:?}"
    );
    let acc = r.acceptance.unwrap();
    assert!(acc > 0.0 && acc < 0.5, "acceptance {acc}");
}

#[test]
fn multispin_results_do_not_depend_on_the_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let p = McParams {
                algorithm: Algorithm::MultiSpin,
                therm: 10,
                sweeps: 64,
                ..McParams::new(130, 2.2)
            }
            .check()
            .unwrap();
            let q = McParams {
                t: 3.0,
                l: 16,
                ..McParams::new(16, 3.0)
            }
            .check()
            .unwrap();
            let single = simulate(&p, Seed(9), &mut NoObserver).unwrap();
            let many = simulate_many(&[(p.clone(), Seed(1)), (q, Seed(2)), (p, Seed(3))]).unwrap();
            let mut ens: Vec<MultiSpinChain> = (0..5u64)
                .map(|c| {
                    let lat = Lattice::random(64, &mut Seed(c).stream(1)).unwrap();
                    MultiSpinChain::new(&lat, 2.0 + 0.1 * c as f64, Seed(c)).unwrap()
                })
                .collect();
            let acc = sweep_ensemble(&mut ens, 7);
            let lats: Vec<Lattice> = ens.iter().map(|c| c.lattice().to_lattice()).collect();
            (single, many, acc, lats)
        })
    };
    let (a, b) = (run(1), run(3));
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    assert_eq!(a.3, b.3);
}
