//! Cross-checks against independent references: enumeration of integer partitions for the bound,
//! closed-form probabilities for the power-law sampler, synthetic samples of known exponent for
//! the fit.

use spinlearn_core::{ParamGuard, Seed};
use spinlearn_relevance::bound::{max_relevance, max_relevance_exact, max_relevance_lagrangian};
use spinlearn_relevance::powerlaw::{DiscretePowerLaw, PowerLawParams, XminPolicy, fit};
use spinlearn_relevance::states::entropies_of_degeneracy;

/// All partitions of `n` as part lists (non-increasing).
fn partitions(n: u64) -> Vec<Vec<u64>> {
    fn rec(n: u64, max: u64, cur: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
        if n == 0 {
            out.push(cur.clone());
            return;
        }
        for p in (1..=max.min(n)).rev() {
            cur.push(p);
            rec(n - p, p, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(n, n, &mut Vec::new(), &mut out);
    out
}

/// (H[s], H[k]) of a partition computed from the textbook formulas, without the crate.
fn entropies_by_hand(parts: &[u64]) -> (f64, f64) {
    let m: u64 = parts.iter().sum();
    let mf = m as f64;
    let h_s: f64 = parts
        .iter()
        .map(|&k| -(k as f64 / mf) * (k as f64 / mf).ln())
        .sum();
    let mut by_k = std::collections::BTreeMap::new();
    for &k in parts {
        *by_k.entry(k).or_insert(0u64) += 1;
    }
    let h_k: f64 = by_k
        .iter()
        .map(|(&k, &mk)| {
            let f = (k * mk) as f64 / mf;
            -f * f.ln()
        })
        .sum();
    (h_s, h_k)
}

#[test]
fn exact_bound_equals_enumeration_of_all_partitions() {
    let mus = [-3.0, -1.0, -0.3, 0.0, 0.2, 0.5, 1.0, 1.5, 3.0, 10.0];
    for m in [2u64, 5, 9, 14, 20, 24] {
        let parts = partitions(m);
        let ents: Vec<(f64, f64)> = parts.iter().map(|p| entropies_by_hand(p)).collect();
        for &mu in &mus {
            let brute = ents
                .iter()
                .map(|&(hs, hk)| hk + mu * hs)
                .fold(f64::NEG_INFINITY, f64::max);
            let dp = max_relevance_exact(m, mu).unwrap();
            assert!(
                (dp.objective - brute).abs() < 1e-12,
                "M={m} mu={mu}: dp {} brute {brute}",
                dp.objective
            );
            let mass: u64 = dp.degeneracy.iter().map(|&(k, j)| k * j).sum();
            assert_eq!(mass, m);
            // The reported entropies belong to the reported configuration.
            let e = entropies_of_degeneracy(&dp.degeneracy).unwrap();
            assert!((e.h_k + mu * e.h_s - dp.objective).abs() < 1e-12);
        }
    }
    // Number of partitions of 24 is 1575 (OEIS A000041): the enumeration is complete.
    assert_eq!(partitions(24).len(), 1575);
}

#[test]
fn large_m_bound_is_exact_and_within_the_dual_bracket() {
    // M = 20,000 uses the reduced-cost search: exact mass, exact flag, and an objective between the
    // repaired Lagrangian solution (a feasible point) and its dual upper bound.
    for &mu in &[-0.5, 0.0, 0.5, 1.0, 3.0] {
        let p = max_relevance(20_000, mu).unwrap();
        let la = max_relevance_lagrangian(20_000, mu).unwrap();
        assert!(p.exact && p.gap == 0.0, "mu={mu}");
        let mass: u64 = p.degeneracy.iter().map(|&(k, j)| k * j).sum();
        assert_eq!(mass, 20_000);
        assert!(p.objective >= la.objective - 1e-12, "mu={mu}");
        assert!(p.objective <= la.upper + 1e-9, "mu={mu}");
    }
}

#[test]
fn sampler_matches_closed_form_probabilities() {
    // α = 2, k_min = 1: P(k) = 6/(π² k²). Chi-square over k = 1..5 and the rest, 200,000 draws.
    let s = DiscretePowerLaw::new(2.0, 1).unwrap();
    let n = 200_000;
    let mut rng = Seed(11).stream(0);
    let mut counts = [0u64; 6];
    for _ in 0..n {
        let k = s.sample(&mut rng);
        counts[(k.min(6) - 1) as usize] += 1;
    }
    let c = 6.0 / (std::f64::consts::PI * std::f64::consts::PI);
    let mut probs: Vec<f64> = (1..=5).map(|k| c / (k * k) as f64).collect();
    probs.push(1.0 - probs.iter().sum::<f64>());
    let chi2: f64 = counts
        .iter()
        .zip(&probs)
        .map(|(&o, &p)| {
            let e = p * n as f64;
            (o as f64 - e).powi(2) / e
        })
        .sum();
    // 5 degrees of freedom: P(χ² > 20.5) = 0.001.
    assert!(chi2 < 20.5, "chi2 = {chi2}, counts {counts:?}");
    // Far tail: P(K >= 10^4) = ζ(2, 10^4)/ζ(2) ≈ 6/(π² 10^4) (ζ(2, q) ≈ 1/q): expect about 12 of
    // 200,000; check the draws beyond the 4096-entry table exist and are rare.
    let mut rng = Seed(12).stream(0);
    let far = (0..n).filter(|_| s.sample(&mut rng) >= 10_000).count();
    assert!((2..=30).contains(&far), "far = {far}");
}

#[test]
fn fit_recovers_known_exponents() {
    for (alpha, xmin, seed) in [(2.0, 1u64, 1u64), (2.5, 1, 2), (1.7, 3, 3)] {
        let s = DiscretePowerLaw::new(alpha, xmin).unwrap();
        let mut rng = Seed(seed).stream(0);
        let data: Vec<u64> = (0..5_000).map(|_| s.sample(&mut rng)).collect();
        let f = fit(
            &data,
            &PowerLawParams {
                xmin: XminPolicy::Fixed { xmin },
                ..Default::default()
            }
            .check()
            .unwrap(),
            Seed(0),
        )
        .unwrap();
        assert!(
            (f.alpha - alpha).abs() < 4.0 * f.alpha_stderr,
            "alpha {alpha}: fit {} ± {}",
            f.alpha,
            f.alpha_stderr
        );
        assert!((f.beta - (f.alpha - 1.0)).abs() < 1e-15);
        // The Fisher standard error 1/sqrt(n Var[ln k]) must match the direct sum of Var[ln k]
        // under the true law (independent of the zeta code).
        let (mut m1, mut m2, mut z) = (0.0f64, 0.0f64, 0.0f64);
        for k in xmin..2_000_000u64 {
            let p = (k as f64).powf(-alpha);
            z += p;
            m1 += p * (k as f64).ln();
            m2 += p * (k as f64).ln().powi(2);
        }
        let var = m2 / z - (m1 / z).powi(2);
        let want = 1.0 / (f.n_tail as f64 * var).sqrt();
        assert!(
            (f.alpha_stderr - want).abs() < 0.15 * want,
            "stderr {} vs {want}",
            f.alpha_stderr
        );
        assert!(f.alpha_stderr > 0.005 && f.alpha_stderr < 0.05);
    }
}

#[test]
fn auto_xmin_finds_the_cutoff_and_bootstrap_accepts_a_true_power_law() {
    // Below k = 5 the data are uniform on 1..4 (not a power law); above, α = 2.2 from k_min = 5.
    let s = DiscretePowerLaw::new(2.2, 5).unwrap();
    let mut rng = Seed(9).stream(0);
    let mut data: Vec<u64> = (0..3000).map(|_| s.sample(&mut rng)).collect();
    data.extend((0..3000).map(|i| 1 + (i % 4) as u64));
    let f = fit(
        &data,
        &PowerLawParams {
            xmin: XminPolicy::Auto { min_tail: 20 },
            bootstrap: 40,
        }
        .check()
        .unwrap(),
        Seed(5),
    )
    .unwrap();
    assert!((4..=7).contains(&f.xmin), "xmin {}", f.xmin);
    assert!(
        (f.alpha - 2.2).abs() < 4.0 * f.alpha_stderr + 0.02,
        "alpha {}",
        f.alpha
    );
    let p = f.p_value.unwrap();
    assert!(p > 0.05, "p = {p}");
    // Geometric data are not a power law: the bootstrap must reject them.
    let mut rng = Seed(10).stream(0);
    use rand::RngExt;
    let geo: Vec<u64> = (0..3000)
        .map(|_| {
            let mut k = 1;
            while rng.random::<f64>() < 0.7 {
                k += 1;
            }
            k
        })
        .collect();
    let g = fit(
        &geo,
        &PowerLawParams {
            xmin: XminPolicy::Fixed { xmin: 1 },
            bootstrap: 40,
        }
        .check()
        .unwrap(),
        Seed(6),
    )
    .unwrap();
    assert!(g.p_value.unwrap() < 0.05, "geometric p = {:?}", g.p_value);
}
