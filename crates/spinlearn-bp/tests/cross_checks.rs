//! Cross-checks of the message passing against independent references: a direct transcription of
//! eqs. (4a)-(4c) (no full-sum-minus-one-term tricks), exact enumeration of the 3^N posterior, the
//! closed form at M = 1, the symmetries of eq. (2), and thread-count independence.

use approx::assert_relative_eq;
use ndarray::Array2;
use rand::RngExt;
use spinlearn_bp::bp::{BpState, Learner};
use spinlearn_bp::exact::{exact_marginals, exact_marginals_in_lobe};
use spinlearn_bp::spins::{random_rows, spin_matrix, spin_values};
use spinlearn_bp::{BpParams, learn, learn_from};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_data::Selection;

/// The embedded MNIST digits 0 and 1 as spins (pixel above half of full scale is +1).
fn digits01() -> Array2<f64> {
    let ds = Selection {
        digits: Some(vec![0, 1]),
        n_samples: None,
        values: spin_values(None),
    }
    .load("mnist", None)
    .unwrap();
    spin_matrix(&ds).unwrap()
}

fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a - b).mapv(f64::abs).fold(0.0, |m: f64, &x| m.max(x))
}

fn random_spins(m: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut rng = Seed(seed).stream(0);
    Array2::from_shape_simple_fn((m, n), || if rng.random_bool(0.5) { 1.0 } else { -1.0 })
}

/// Data with a planted feature `star` (zeros where `i % 4 == 3`): `sigma^a_i = s^a star_i`
/// (random where `star_i = 0`), each spin flipped with probability `flip`.
fn planted(m: usize, n: usize, flip: f64, seed: u64) -> Array2<f64> {
    let mut rng = Seed(seed).stream(0);
    let sign = |rng: &mut spinlearn_core::SpinRng| if rng.random_bool(0.5) { 1.0 } else { -1.0 };
    let star: Vec<f64> = (0..n)
        .map(|i| if i % 4 == 3 { 0.0 } else { sign(&mut rng) })
        .collect();
    let mut data = Array2::zeros((m, n));
    for a in 0..m {
        let s = sign(&mut rng);
        for i in 0..n {
            let v = if star[i] == 0.0 {
                sign(&mut rng)
            } else {
                s * star[i]
            };
            data[[a, i]] = if rng.random_bool(flip) { -v } else { v };
        }
    }
    data
}

/// Eqs. (4a)-(4c) transcribed literally: for every (i, a), every G_{b->i} summed afresh over
/// j != i, products over b != a taken directly. O(M² N²).
fn reference_sweep(data: &Array2<f64>, msg: &Array2<f64>, beta: f64) -> (Array2<f64>, Array2<f64>) {
    let (m, n) = data.dim();
    let sn = (n as f64).sqrt();
    let gamma = m as f64 / n as f64 * beta * beta / 2.0;
    let g = |b: usize, i: usize| -> f64 {
        (0..n)
            .filter(|&j| j != i)
            .map(|j| data[[b, j]] * msg[[b, j]])
            .sum::<f64>()
            / sn
    };
    let u = |x: f64, b: usize, i: usize| -> f64 {
        let s = data[[b, i]];
        ((beta * s / sn).cosh() * (1.0 + x * (beta * g(b, i)).tanh() * (beta * s / sn).tanh())).ln()
    };
    let mut out = Array2::zeros((m, n));
    for a in 0..m {
        for i in 0..n {
            let others = (0..m).filter(|&b| b != a);
            let h: f64 = others
                .clone()
                .map(|b| ((beta * g(b, i)).tanh() * (beta * data[[b, i]] / sn).tanh()).atanh())
                .sum();
            let zeta = (-gamma).exp()
                * [1.0, -1.0]
                    .iter()
                    .map(|&x| others.clone().map(|b| u(x, b, i).exp()).product::<f64>())
                    .sum::<f64>();
            out[[a, i]] = zeta / (1.0 + zeta) * h.tanh();
        }
    }
    // Full marginals: P(0) = 1/(1 + zeta_i), P(±1) = (1 - P(0)) (1 ± tanh h_i) / 2.
    let mut marg = Array2::zeros((n, 3));
    for i in 0..n {
        let h: f64 = (0..m)
            .map(|b| ((beta * g(b, i)).tanh() * (beta * data[[b, i]] / sn).tanh()).atanh())
            .sum();
        let zeta = (-gamma).exp()
            * [1.0, -1.0]
                .iter()
                .map(|&x| (0..m).map(|b| u(x, b, i).exp()).product::<f64>())
                .sum::<f64>();
        let p0 = 1.0 / (1.0 + zeta);
        marg[[i, 0]] = (1.0 - p0) * (1.0 - h.tanh()) / 2.0;
        marg[[i, 1]] = p0;
        marg[[i, 2]] = (1.0 - p0) * (1.0 + h.tanh()) / 2.0;
    }
    (out, marg)
}

#[test]
fn one_sweep_matches_the_literal_equations() {
    for &(m, n, beta, seed) in &[
        (9usize, 12usize, 1.3f64, 1u64),
        (40, 7, 0.6, 2),
        (5, 30, 4.0, 3),
    ] {
        let data = random_spins(m, n, seed);
        let params = BpParams {
            beta,
            damping: 0.0,
            ..Default::default()
        }
        .check()
        .unwrap();
        let mut state = BpState::random(m, n, 1.0, &mut Seed(seed).stream(1));
        let before = state.messages.clone();
        let (expected, expected_marg) = reference_sweep(&data, &before, beta);
        let mut learner = Learner::new(data.view(), &params).unwrap();
        let marg = learner.marginals(&state);
        assert!(
            max_abs_diff(&marg.probs, &expected_marg) < 1e-12,
            "marginals differ by {}",
            max_abs_diff(&marg.probs, &expected_marg)
        );
        let stats = learner.sweep(&mut state);
        let err = max_abs_diff(&state.messages, &expected);
        assert!(
            err < 1e-12,
            "M={m} N={n} beta={beta}: messages differ by {err}"
        );
        let residual = max_abs_diff(&expected, &before);
        assert_relative_eq!(stats.residual, residual, epsilon = 1e-12);
        // The update moved the messages (a no-op sweep would pass the comparison above trivially
        // only if the reference were also a no-op).
        assert!(residual > 0.1);
    }
}

#[test]
fn damping_mixes_old_and_new_messages() {
    let data = random_spins(6, 8, 9);
    let d = 0.7;
    let p = BpParams {
        beta: 1.1,
        damping: d,
        ..Default::default()
    }
    .check()
    .unwrap();
    let mut state = BpState::random(6, 8, 1.0, &mut Seed(4).stream(0));
    let before = state.messages.clone();
    let (undamped, _) = reference_sweep(&data, &before, 1.1);
    Learner::new(data.view(), &p).unwrap().sweep(&mut state);
    let expected = &before * d + &undamped * (1.0 - d);
    assert!(max_abs_diff(&state.messages, &expected) < 1e-12);
}

#[test]
fn polarized_marginals_match_exact_enumeration_of_the_lobe() {
    // Strongly structured data: message passing breaks the xi -> -xi symmetry; compare with the
    // exact posterior restricted to the lobe it chose. Observed errors are ~0.01 for N = 10;
    // the marginals themselves differ from the uninformed 1/3 by > 0.5.
    for &(m, beta, flip, tol) in &[
        (12usize, 1.0f64, 0.1f64, 0.02f64),
        (12, 2.0, 0.1, 0.002),
        (30, 1.0, 0.3, 0.02),
    ] {
        let n = 10;
        let data = planted(m, n, flip, 5);
        let p = BpParams {
            beta,
            damping: 0.3,
            tol: 1e-12,
            max_iter: 5000,
            init_scale: 1.0,
        }
        .check()
        .unwrap();
        let r = learn(data.view(), &p, &mut Seed(1).stream(0), &mut NoObserver).unwrap();
        assert!(r.converged);
        let mag: Vec<f64> = (0..n)
            .map(|i| r.marginals[[i, 2]] - r.marginals[[i, 0]])
            .collect();
        let exact = exact_marginals_in_lobe(data.view(), beta, &mag).unwrap();
        let err = max_abs_diff(&r.marginals, &exact);
        assert!(err < tol, "M={m} beta={beta}: max marginal error {err}");
        let informative = (&exact - 1.0 / 3.0)
            .mapv(f64::abs)
            .fold(0.0f64, |a, &b| a.max(b));
        assert!(informative > 0.4);
        // rho from BP against the exact (unrestricted) rho: P(0) is the same in both lobes.
        let full = exact_marginals(data.view(), beta).unwrap();
        assert_relative_eq!(r.rho, full.column(1).mean().unwrap(), epsilon = tol / 2.0);
        for i in 0..n {
            assert_relative_eq!(full[[i, 0]], full[[i, 2]], epsilon = 1e-12);
        }
    }
}

#[test]
fn strong_coupling_marginals_match_full_enumeration_far_from_uniform() {
    // Planted data at beta >= 1, N = 10: the exact posterior (all 3^10 = 59,049 ternary synapse
    // vectors) is far from uniform, and BP's marginals must match it. P_i(0) is the same in both
    // mirror lobes, so BP's P_i(0) is compared with the unrestricted enumeration, and its full
    // marginals with the enumeration restricted to the lobe it chose. Measured (seed 3): max |dP|
    // 8e-4, 3e-4, 2e-5, 1e-5 for the four cases (an independent audit: < 0.02 at N = 10), while
    // the exact marginals differ from 1/3 by more than 0.6. Noisier data (flip 0.2 at beta = 3,
    // M = 24) gives 0.035: BP is not exact there.
    let n = 10;
    for &(m, beta, flip, seed) in &[
        (16usize, 1.0f64, 0.1f64, 7u64),
        (16, 1.5, 0.15, 8),
        (16, 2.0, 0.1, 9),
        (24, 3.0, 0.1, 10),
    ] {
        let data = planted(m, n, flip, seed);
        let p = BpParams {
            beta,
            damping: 0.3,
            tol: 1e-12,
            max_iter: 5000,
            init_scale: 1.0,
        }
        .check()
        .unwrap();
        let r = learn(data.view(), &p, &mut Seed(3).stream(0), &mut NoObserver).unwrap();
        assert!(r.converged, "M={m} beta={beta}");
        let full = exact_marginals(data.view(), beta).unwrap();
        // Far from uniform: some synapse's exact P(0) or P(±1) is far from 1/3.
        let mag: Vec<f64> = (0..n)
            .map(|i| r.marginals[[i, 2]] - r.marginals[[i, 0]])
            .collect();
        let lobe = exact_marginals_in_lobe(data.view(), beta, &mag).unwrap();
        let spread = (&lobe - 1.0 / 3.0)
            .mapv(f64::abs)
            .fold(0.0f64, |a, &b| a.max(b));
        assert!(
            spread > 0.4,
            "M={m} beta={beta}: posterior too close to uniform ({spread})"
        );
        let dp0 = (0..n)
            .map(|i| (r.marginals[[i, 1]] - full[[i, 1]]).abs())
            .fold(0.0f64, f64::max);
        let dp = max_abs_diff(&r.marginals, &lobe);
        assert!(
            dp0 < 0.005 && dp < 0.005,
            "M={m} beta={beta}: max |dP(0)| {dp0}, max |dP| {dp}"
        );
    }
}

#[test]
fn weak_coupling_marginals_match_exact_enumeration() {
    // Small beta: the unpolarized fixed point; exact P(0) stays within a few 1e-3 of BP's.
    let data = planted(8, 10, 0.1, 5);
    let beta = 0.5;
    let p = BpParams {
        beta,
        tol: 1e-12,
        ..Default::default()
    }
    .check()
    .unwrap();
    let r = learn(data.view(), &p, &mut Seed(2).stream(0), &mut NoObserver).unwrap();
    assert!(r.converged);
    assert!(r.m_cav < 1e-10);
    let exact = exact_marginals(data.view(), beta).unwrap();
    let err = max_abs_diff(&r.marginals, &exact);
    assert!(err < 0.005, "max marginal error {err}");
}

#[test]
fn single_sample_gives_the_closed_form_and_the_m_to_zero_limit() {
    // M = 1: every cavity field is empty, so G = 0, t = 0 and
    // P_i(0) = 1 / (1 + 2 exp(ln cosh(beta/sqrt N) - gamma)), gamma = beta² / (2N).
    for &(n, beta) in &[(10usize, 1.0f64), (784, 0.5), (50, 3.0)] {
        let data = random_spins(1, n, 7);
        let p = BpParams {
            beta,
            ..Default::default()
        }
        .check()
        .unwrap();
        let r = learn(data.view(), &p, &mut Seed(3).stream(0), &mut NoObserver).unwrap();
        let nf = n as f64;
        let gamma = beta * beta / (2.0 * nf);
        let expected = 1.0 / (1.0 + 2.0 * ((beta / nf.sqrt()).cosh().ln() - gamma).exp());
        assert_relative_eq!(r.rho, expected, epsilon = 1e-13);
        assert!(r.converged);
    }
    // ... and with alpha = M/N -> 0 rho -> 1/3 on real digits.
    let pool = digits01();
    let p = BpParams::default().check().unwrap();
    let one = random_rows(pool.view(), 1, &mut Seed(1).stream(0)).unwrap();
    let r = learn(one.view(), &p, &mut Seed(1).stream(1), &mut NoObserver).unwrap();
    assert!((r.rho - 1.0 / 3.0).abs() < 1e-6, "rho = {}", r.rho);
}

#[test]
fn flipping_every_datum_leaves_rho_and_flips_the_feature() {
    let pool = digits01();
    let data = random_rows(pool.view(), 128, &mut Seed(8).stream(0)).unwrap();
    let flipped = data.mapv(|x| -x);
    let p = BpParams::default().check().unwrap();
    let (m, n) = data.dim();
    let init = BpState::random(m, n, 1.0, &mut Seed(8).stream(1));
    let run = |d: &Array2<f64>, s: &BpState| {
        let mut s = s.clone();
        learn_from(d.view(), &p, &mut s, &mut NoObserver).unwrap()
    };
    let base = run(&data, &init);
    assert!(base.converged);
    assert!(base.m_cav > 0.1, "expected a polarized feature at M = 128");
    let nonzero = base.feature.iter().filter(|&&x| x != 0).count();
    assert!(nonzero > n / 4);
    // Flipped data with negated initial messages: the iteration maps exactly onto the original
    // with every message negated, so rho is unchanged and the feature flips.
    let neg_init = BpState {
        messages: init.messages.mapv(|x| -x),
    };
    let flip = run(&flipped, &neg_init);
    assert_relative_eq!(flip.rho, base.rho, epsilon = 1e-12);
    assert_relative_eq!(flip.m_cav, base.m_cav, epsilon = 1e-12);
    let negated: Vec<i8> = base.feature.iter().map(|&x| -x).collect();
    assert_eq!(flip.feature, negated);
    // Flipped data from the same initial messages: eq. (2) is even in the data, the messages
    // depend on sigma m only through G sigma, so the same fixed point is reached.
    let same = run(&flipped, &init);
    assert_relative_eq!(same.rho, base.rho, epsilon = 1e-12);
    assert_eq!(same.feature, base.feature);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let data = planted(100, 60, 0.2, 11);
    let p = BpParams {
        beta: 1.0,
        max_iter: 50,
        ..Default::default()
    }
    .check()
    .unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| learn(data.view(), &p, &mut Seed(6).stream(0), &mut NoObserver).unwrap())
    };
    let a = run(1);
    let b = run(3);
    assert_eq!(a.marginals, b.marginals);
    assert_eq!(a.m_cav.to_bits(), b.m_cav.to_bits());
    assert_eq!(a.iterations, b.iterations);
}

#[test]
fn capped_runs_say_they_did_not_converge() {
    let data = planted(50, 40, 0.2, 12);
    let p = BpParams {
        beta: 1.0,
        max_iter: 2,
        tol: 1e-14,
        ..Default::default()
    }
    .check()
    .unwrap();
    let r = learn(data.view(), &p, &mut Seed(1).stream(0), &mut NoObserver).unwrap();
    assert!(!r.converged);
    assert_eq!(r.iterations, 2);
    assert!(r.residual >= 1e-14);
}

#[test]
fn small_message_asymptote_matches_uniform_messages() {
    // With every cavity magnetization equal to eps, the marginals give
    // rho = (1/3)[1 - beta^4 eps² omega M² / 3] + O(eps⁴, 1/M relative) (paper 000, text after
    // Fig. 2). Compare the deviation from 1/3 computed by the learner with the formula's.
    let pool = digits01();
    let data = random_rows(pool.view(), 256, &mut Seed(21).stream(0)).unwrap();
    let (m, n) = data.dim();
    let beta = 0.5;
    let eps = 3e-3;
    let p = BpParams {
        beta,
        ..Default::default()
    }
    .check()
    .unwrap();
    let state = BpState {
        messages: Array2::from_elem((m, n), eps),
    };
    let rho = Learner::new(data.view(), &p)
        .unwrap()
        .marginals(&state)
        .rho();
    let omega = spinlearn_bp::bp::omega(data.view());
    let asy = spinlearn_bp::bp::rho_asymptote(beta, eps, omega, m);
    let (dev_bp, dev_asy) = (1.0 / 3.0 - rho, 1.0 / 3.0 - asy);
    assert!(
        dev_asy > 1e-3,
        "the test needs a visible deviation, got {dev_asy}"
    );
    let rel = (dev_bp - dev_asy).abs() / dev_asy;
    assert!(
        rel < 0.05,
        "deviation from 1/3: learner {dev_bp}, asymptote {dev_asy}"
    );
}

#[test]
fn spin_selection_is_the_thresholded_digits_in_order() {
    // Reference: digits 0 and 1 of the embedded MNIST in file order, pixel > 0.5 -> +1, else -1.
    let mnist = spinlearn_data::mnist::embedded().unwrap();
    let labels = mnist.labels.as_ref().unwrap();
    let rows: Vec<usize> = (0..mnist.n_samples()).filter(|&r| labels[r] <= 1).collect();
    let expected = Array2::from_shape_fn((rows.len(), mnist.n_features()), |(a, i)| {
        if mnist.data[[rows[a], i]] > 0.5 {
            1.0
        } else {
            -1.0
        }
    });
    assert_eq!(digits01(), expected);
}
