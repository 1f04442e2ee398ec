//! Cross-checks of the attractor crate against independent references: Monte Carlo of single
//! synapses against the density evolution, eq. (10) against the theory's single-well capacity, the
//! Hopfield blackout, and theory against network simulation.

use spinlearn_attractor::DoubleWellSynapses;
use spinlearn_attractor::markov;
use spinlearn_attractor::network::{self, DilutedNetwork, WeightView};
use spinlearn_attractor::params::{LearningRule, NetworkParams, SynapseParams};
use spinlearn_attractor::simulate::{SimParams, simulate};
use spinlearn_attractor::theory::{Theory, TheoryParams};
use spinlearn_core::{NoObserver, ParamGuard, Seed};

/// The double-well synapse of the paper's figures: r1 = 0.1, r2 = 1, r3 = 0, C = 2.7.
fn paper_synapse() -> SynapseParams {
    SynapseParams {
        r1: 0.1,
        r2: 1.0,
        r3: 0.0,
        c_well: 2.7,
    }
}

/// The mean-field theory of `syn` at size `n` and connectivity `c` (other settings default).
fn theory_at(syn: SynapseParams, n: usize, c: f64) -> Theory {
    Theory::new(
        &TheoryParams {
            synapse: syn,
            n,
            c,
            ..TheoryParams::default()
        }
        .check()
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn deep_well_stationary_distribution_matches_monte_carlo() {
    // r1 = 0.5 > ln2/2 and r3 = 0: the within-well density is singular (atoms on a Cantor-like
    // set), so compare distribution functions in the Lévy sense: cloud-in-cell moves each mass by
    // at most dx per presentation and earlier moves contract by e = exp(−2 r1), so the grid CDF may
    // be displaced by δ = dx/(1 − e); on top, the Monte Carlo CDF has binomial error.
    for &(r1, c) in &[(0.5, 1.5), (1.0, 2.5), (0.05, 2.0)] {
        let syn = SynapseParams {
            r1,
            r2: 1.0,
            r3: 0.0,
            c_well: c,
        };
        let th = Theory::new(
            &TheoryParams {
                synapse: syn,
                ..TheoryParams::default()
            }
            .check()
            .unwrap(),
        )
        .unwrap();
        let model = DoubleWellSynapses::new(syn.check().unwrap());
        let n = 40_000;
        let steps = (10.0 / r1) as usize;
        let mut js = model.sample_balanced(n, steps, &mut Seed(5).stream(0));
        js.sort_by(f64::total_cmp);
        let g = th.stationary();
        let e = (-2.0 * r1).exp();
        let delta = g.dx / (1.0 - e) + 1e-9;
        let cdf_th = |x: f64| g.mass_between(f64::NEG_INFINITY, x);
        let stat = 5.0 * (0.25 / n as f64).sqrt();
        let mut x = -c - 4.0;
        while x < c + 4.0 {
            let f_mc = js.partition_point(|&j| j < x) as f64 / n as f64;
            let (lo, hi) = (cdf_th(x - delta), cdf_th(x + delta));
            assert!(
                f_mc >= lo - stat && f_mc <= hi + stat,
                "r1={r1} C={c} x={x}: MC {f_mc:.4} vs theory [{lo:.4}, {hi:.4}]"
            );
            x += 0.05;
        }
        let mc_rms = (js.iter().map(|j| j * j).sum::<f64>() / n as f64).sqrt();
        assert!(
            (mc_rms - g.rms()).abs() < 0.02 * mc_rms,
            "{mc_rms} vs {}",
            g.rms()
        );
    }
}

#[test]
fn single_well_capacity_grows_logarithmically_as_eq10() {
    // Eq. (10): p = (τ/2) ln(2AN/τ), so each decade of N adds (τ/2) ln 10 patterns whatever A is.
    let r1 = 0.05;
    let tau = 1.0 / (2.0 * r1);
    let cap = |n: usize| {
        // A small ε: with ε = 0.05 the map also fails once e^{−2 r1 a} < ε (the most recent pattern
        // wins), which caps the capacity at τ ln(1/ε) whatever N.
        let p = TheoryParams {
            synapse: SynapseParams {
                r1,
                r2: 1.0,
                r3: 0.0,
                c_well: 0.0,
            },
            n,
            eps: 1e-5,
            ..TheoryParams::default()
        };
        Theory::new(&p.check().unwrap())
            .unwrap()
            .capacity(5000)
            .capacity as f64
    };
    let ps: Vec<f64> = [1e4, 1e5, 1e6].iter().map(|&n| cap(n as usize)).collect();
    let per_decade = 0.5 * tau * 10f64.ln();
    for w in ps.windows(2) {
        let inc = w[1] - w[0];
        assert!(
            (inc - per_decade).abs() < 0.2 * per_decade + 1.0,
            "{ps:?}: increment {inc} vs {per_decade}"
        );
    }
}

#[test]
fn flat_potential_shows_the_hopfield_blackout() {
    // r1 = 0, C = 0, c = 1: Hebbian weights J = Σ_μ s_i s_j. Well below 0.14 N patterns every
    // recent pattern is retrieved; well above it none is (blackout), the most recent included.
    let n = 600;
    let run = |patterns: usize| {
        let np = NetworkParams {
            n,
            c: 1.0,
            f: 0.5,
            rule: LearningRule::Balanced,
            synapse: SynapseParams {
                r1: 0.0,
                r2: 1.0,
                r3: 0.0,
                c_well: 0.0,
            },
            theta: 0.0,
        };
        let p = SimParams {
            network: np,
            patterns,
            burn_in: Some(0),
            ..SimParams::default()
        };
        let r = simulate(&p.check().unwrap(), Seed(3), &mut NoObserver).unwrap();
        r.count_mean / patterns as f64
    };
    let below = run(n / 50);
    let above = run(n / 3);
    assert!(below > 0.9, "fraction retrieved at 0.02 N: {below}");
    assert!(above < 0.1, "fraction retrieved at 0.33 N: {above}");
}

#[test]
fn theory_and_simulation_overlaps_agree_below_capacity() {
    // r1 = 0.1, C = 2.7 (the summary's parameters) at N = 3,000, c = 0.1 (cN = 300): for ages up to
    // half the theory's capacity both theory and simulation retrieve with m_v > 0.9, and well past
    // the theory's capacity (1.5×) neither does.
    let syn = paper_synapse();
    let th = Theory::new(
        &TheoryParams {
            synapse: syn,
            n: 3000,
            c: 0.1,
            ..TheoryParams::default()
        }
        .check()
        .unwrap(),
    )
    .unwrap();
    let cap = th.capacity(500);
    let theory = cap.capacity;
    assert!(theory >= 4, "theory capacity {theory}");
    let np = NetworkParams {
        n: 3000,
        c: 0.1,
        synapse: syn,
        ..NetworkParams::default()
    };
    let ages = theory * 3 / 2 + 2;
    let p = SimParams {
        network: np,
        patterns: ages,
        burn_in: Some(200),
        realizations: 2,
        ..SimParams::default()
    };
    let sim = simulate(&p.check().unwrap(), Seed(17), &mut NoObserver).unwrap();
    for a in 1..=theory / 2 {
        assert!(
            cap.overlaps[a - 1].m_v > 0.9 && sim.m_v_mean[a] > 0.9,
            "age {a}"
        );
    }
    for a in theory * 3 / 2..ages {
        assert!(sim.m_v_mean[a] < 0.5, "age {a}: {}", sim.m_v_mean[a]);
    }
    assert!(sim.capacity_mean <= 1.5 * theory as f64);
}

#[test]
fn first_sweep_overlaps_match_the_mean_field_map() {
    // One parallel sweep from η^v is exactly what one iteration of the map of eq. (38) describes
    // (the fields of the first sweep are sums of independent terms given η_i^v, η_i^u), so the
    // simulated m_v after one sweep must follow the map's first step started at the actual
    // (m_v, m_u) = (1, overlap of η^v with η^u). Later sweeps are where the two part: the map
    // redraws the noise at every sweep, the network's noise is quenched (see the ignored test
    // below). N = 3,000, c = 0.1, r1 = 0.1, C = 2.7: ages 6..=17 straddle the theory's capacity.
    let (n, c) = (3000, 0.1);
    let syn = paper_synapse();
    let th = theory_at(syn, n, c);
    let moments = th.moments_by_age(17);
    let np = NetworkParams {
        n,
        c,
        synapse: syn,
        ..NetworkParams::default()
    };
    let mut net = DilutedNetwork::new(&np.check().unwrap(), Seed(31)).unwrap();
    let total = 330;
    let pats: Vec<Vec<u8>> = (0..total)
        .map(|t| network::pattern(Seed(32), t as u64, n, 0.5))
        .collect();
    net.present_block(&pats, Seed(0)).unwrap();
    let last = &pats[total - 1];
    let ages: Vec<usize> = (6..=17).collect();
    let starts: Vec<Vec<u8>> = ages.iter().map(|&a| pats[total - 1 - a].clone()).collect();
    let outs = net.retrieve_full(&starts, 1, WeightView::Analog).unwrap();
    let mut diffs = Vec::new();
    for ((&a, s), o) in ages.iter().zip(&starts).zip(&outs) {
        let sim = network::overlap(s, &o.state, 0.5);
        let (map, _) = th.map_step(&moments[a - 1], 1.0, network::overlap(last, s, 0.5));
        // One pattern's first-sweep overlap scatters by ≈ 0.02 around the mean-field value.
        assert!(
            (sim - map).abs() < 0.08,
            "age {a}: simulation {sim} vs map {map}"
        );
        diffs.push(sim - map);
    }
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    // The mean over 12 ages has sd ≈ 0.006; a factor 2 in the field variance moves it by > 0.05.
    assert!(
        mean.abs() < 0.02,
        "mean first-sweep difference {mean}: {diffs:?}"
    );
}

/// The map of eq. (38) is the extremely diluted theory: at small c (fixed cN = 500) the simulated
/// capacity is within 10 % of it. At r1 = 0.1, C = 2.7, N = 100,000, c = 0.005.
#[test]
fn theory_and_simulation_agree_within_10_percent_at_small_c() {
    let (theory, sim) = theory_and_sim_capacity(100_000, 0.005, 1);
    eprintln!("N = 100,000, c = 0.005: theory {theory}, simulation {sim}");
    assert!(
        (theory - sim).abs() <= 0.1 * theory,
        "theory {theory} vs simulation {sim}"
    );
}

/// At fixed c = 0.05 the gap is not a finite-size effect: the simulation stays below the theory by
/// an absolute number of patterns that does not shrink from N = 10,000 to N = 30,000 (the old,
/// relative test could not tell this from a closing gap: the theory grows with N).
#[test]
fn absolute_gap_at_fixed_c_does_not_shrink_with_n() {
    let (t10, s10) = theory_and_sim_capacity(10_000, 0.05, 2);
    let (t30, s30) = theory_and_sim_capacity(30_000, 0.05, 1);
    let (g10, g30) = (t10 - s10, t30 - s30);
    eprintln!("N = 10,000: theory {t10}, sim {s10}; N = 30,000: theory {t30}, sim {s30}");
    assert!(g10 >= 1.5, "gap {g10} at N = 10,000 ({t10} vs {s10})");
    assert!(
        g30 >= g10 - 1.0,
        "gap {g10} at N = 10,000, {g30} at N = 30,000"
    );
}

/// Theory and mean simulated capacity at r1 = 0.1, C = 2.7 (the summary's parameters).
fn theory_and_sim_capacity(n: usize, c: f64, realizations: usize) -> (f64, f64) {
    let syn = paper_synapse();
    let th = theory_at(syn, n, c);
    let theory = th.capacity(500).capacity as f64;
    let np = NetworkParams {
        n,
        c,
        synapse: syn,
        ..NetworkParams::default()
    };
    let p = SimParams {
        network: np,
        patterns: theory as usize + 8,
        burn_in: Some(BURN_IN),
        realizations,
        ..SimParams::default()
    };
    let sim = simulate(&p.check().unwrap(), Seed(17), &mut NoObserver)
        .unwrap()
        .capacity_mean;
    (theory, sim)
}

/// Presentations before the tested ones: 20 relaxation times 1/(2 r1) at r1 = 0.1 (the theory's
/// stationary density is reached to 1e-10 in L1 within it at C = 2.7: a test of the crate).
const BURN_IN: usize = 200;

/// The binarized network of Fig. 4 at r1 = 0.1, C = 2.7, c = 0.05 and the given N, with the theory
/// of the same parameters, after `total` presentations.
fn binarized_setup(n: usize, total: usize) -> (Theory, DilutedNetwork, Vec<Vec<u8>>) {
    let c = 0.05;
    let syn = paper_synapse();
    let th = theory_at(syn, n, c);
    let np = NetworkParams {
        n,
        c,
        synapse: syn,
        ..NetworkParams::default()
    };
    let mut net = DilutedNetwork::new(&np.check().unwrap(), Seed(41)).unwrap();
    let pats: Vec<Vec<u8>> = (0..total)
        .map(|t| network::pattern(Seed(42), t as u64, n, 0.5))
        .collect();
    net.present_block(&pats, Seed(43)).unwrap();
    (th, net, pats)
}

/// The SNR of eq. (14) is what the binarized network retrieves with: one parallel sweep from a
/// stored pattern on the weights sign(J) gives, for binary ±1 weights at f = 1/2, fields of mean
/// cN·s/2 and variance cN/2 (s = SNR/√(cN)), hence the overlap erf(SNR/2) (the map behind
/// [`markov::critical_snr`]). At cN = 200 the SNR lies around 1-1.6, where a factor √2 in it
/// would move the overlap by ≈ 0.15.
#[test]
fn binarized_first_sweep_follows_the_snr() {
    let (n, total) = (4_000, 330);
    let (th, net, pats) = binarized_setup(n, total);
    let snr = th.snr(30);
    let ages: Vec<usize> = (0..=30).collect();
    let starts: Vec<Vec<u8>> = ages.iter().map(|&a| pats[total - 1 - a].clone()).collect();
    let outs = net
        .retrieve_full(&starts, 1, WeightView::Binarized)
        .unwrap();
    let mut diffs = Vec::new();
    for ((&a, s), o) in ages.iter().zip(&starts).zip(&outs) {
        let sim = network::overlap(s, &o.state, 0.5);
        let expect = libm::erf(snr[a] / 2.0);
        assert!(
            (sim - expect).abs() < 0.08,
            "age {a}: simulation {sim} vs erf(SNR/2) = {expect} (SNR {})",
            snr[a]
        );
        diffs.push(sim - expect);
    }
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    assert!(mean.abs() < 0.02, "mean difference {mean}: {diffs:?}");
}

/// Fig. 4A measured as the paper does: with binarized weights, the number of retrieved ages of the
/// simulated network against the independent SNR-crossing count of the theory (eq. 14 and the
/// critical SNR of binary weights), at cN = 1,000 (N = 20,000, c = 0.05). The crossing ignores the
/// most recent pattern, whose own attractor competes (its SNR is above √π, so m_u = 0 is
/// unstable), and the simulation sits below it: 28 retrieved ages against 37 when measured
/// (27 % below; 19 against 26 at cN = 500, c = 0.005). The test asserts the bracket
/// [0.6, 1] × the crossing, which the strict capacity of the earlier report (0 whenever age 0 fails)
/// would not meet in general, and that the count is far above the Markov synapse's crossing.
#[test]
fn binarized_retrieved_ages_match_the_snr_crossing() {
    let (n, c) = (20_000, 0.05);
    let syn = paper_synapse();
    let th = theory_at(syn, n, c);
    let crit = markov::critical_snr(0.5);
    let snr = th.snr(400);
    let expect = markov::snr_count(&snr, crit) as f64;
    let q = th.markov_transition_probability();
    let markov_count = markov::snr_count(&markov::markov_snr(q, c * n as f64, 400), crit) as f64;
    let p = SimParams {
        network: NetworkParams {
            n,
            c,
            synapse: syn,
            ..NetworkParams::default()
        },
        patterns: (1.5 * expect) as usize + 10,
        burn_in: Some(BURN_IN),
        realizations: 1,
        view: WeightView::Binarized,
        ..SimParams::default()
    };
    let r = simulate(&p.check().unwrap(), Seed(23), &mut NoObserver).unwrap();
    eprintln!(
        "binarized: {} retrieved ages (strict {}), SNR crossing {expect}, Markov crossing {markov_count}",
        r.count_mean, r.capacity_mean
    );
    assert!(
        r.count_mean <= expect && r.count_mean >= 0.6 * expect,
        "simulated count {} vs SNR crossing {expect} (SNR {:?})",
        r.count_mean,
        &snr[..8]
    );
    assert!(r.count_mean > 1.5 * markov_count, "Markov {markov_count}");
}

#[test]
fn retrieval_of_recent_patterns_is_perfect_in_a_large_margin_regime() {
    // Few patterns, slow forgetting, dense network: the last patterns are fixed points.
    let np = NetworkParams {
        n: 1000,
        c: 0.5,
        synapse: SynapseParams {
            r1: 0.01,
            r2: 1.0,
            r3: 0.0,
            c_well: 0.0,
        },
        ..NetworkParams::default()
    };
    let mut net = DilutedNetwork::new(&np.check().unwrap(), Seed(1)).unwrap();
    let pats: Vec<Vec<u8>> = (0..30)
        .map(|t| network::pattern(Seed(2), t, 1000, 0.5))
        .collect();
    for p in &pats {
        net.present(p, Seed(0)).unwrap();
    }
    let outs = net.retrieve(&pats[27..], 50, WeightView::Analog).unwrap();
    for (p, o) in pats[27..].iter().zip(&outs) {
        assert!(o.converged);
        let wrong = p.iter().zip(&o.state).filter(|(a, b)| a != b).count();
        assert!(wrong <= 10, "{wrong} of 1000 neurons off the pattern");
    }
}
