//! The `ising-activation` section end to end at smoke size: summary keys, figure files, and the
//! lattice magnetization at T = 1 against Onsager's exact result.

use spinlearn_core::{Control, Seed, StepReport};
use spinlearn_reproduce::ising_activation::{figures::LATTICE_FIGURES, run};
use spinlearn_reproduce::{Mode, SectionCtx};

/// Onsager's spontaneous magnetization of the square lattice, (1 - sinh(2/T)^-4)^(1/8) below Tc.
fn onsager_m(t: f64) -> f64 {
    (1.0 - (2.0 / t).sinh().powi(-4)).powf(0.125)
}

/// The positive root of m = tanh(m / T) (Tc = 1) by bisection on [1e-9, 1].
fn curie_weiss_root(t: f64) -> f64 {
    let g = |m: f64| m - (m / t).tanh();
    let (mut lo, mut hi) = (1e-9, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn smoke_run_writes_figures_and_matches_onsager() {
    let root =
        std::env::temp_dir().join(format!("spinlearn-ising-activation-{}", std::process::id()));
    let dir = root.join("ising-activation");
    std::fs::create_dir_all(&dir).unwrap();
    let s = SectionCtx::new(&root, "ising-activation", Mode::Smoke, Seed(1)).unwrap();
    let mut points = 0;
    let mut obs = |r: &StepReport<'_>| {
        if r.stage == "lattice point" {
            points += 1;
        }
        Control::Continue
    };
    let out = run(&s, &mut obs).unwrap();
    let sum = &out.summary;
    for key in [
        "/fit/a",
        "/fit/residual_rms",
        "/fit_shifted/b",
        "/firing/max_quadrature_error",
        "/mc/tc_exact",
        "/mc/magnetization",
        "/mc/binder_crossings",
        "/mc/n_measure",
        "/mf/tc",
    ] {
        assert!(sum.pointer(key).is_some(), "summary lacks {key}: {sum}");
    }
    assert!(points > 0, "the lattice sweep reported no point");
    assert!(sum["firing"]["max_quadrature_error"].as_f64().unwrap() < 1e-8);

    let stems = ["bifurcation", "tanh_fit", "firing_rates"];
    for stem in stems.iter().chain(LATTICE_FIGURES.iter()) {
        for ext in ["png", "svg"] {
            let f = dir.join(format!("{stem}.{ext}"));
            assert!(
                f.metadata().is_ok_and(|m| m.len() > 0),
                "missing {}",
                f.display()
            );
        }
    }
    assert_eq!(
        out.section.figures.len(),
        stems.len() + LATTICE_FIGURES.len()
    );

    // Deep in the ordered phase the finite-size correction of L = 8 is negligible, so the Monte
    // Carlo <|m|> must sit on Onsager's exact value.
    let m1 = sum["mc"]["magnetization"]["1"].as_f64().unwrap();
    let want = onsager_m(1.0);
    assert!(
        (m1 - want).abs() < 3e-3,
        "<|m|>(T = 1) = {m1}, Onsager {want}"
    );

    // The mean-field branch of branch.csv at T = 0.5 is the Curie-Weiss root.
    let csv = std::fs::read_to_string(dir.join("branch.csv")).unwrap();
    let row: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|x| x.parse().unwrap())
                .collect::<Vec<f64>>()
        })
        .find(|r| (r[0] - 0.5).abs() < 1e-12)
        .expect("a row at T = 0.5");
    assert!((row[1] - curie_weiss_root(0.5)).abs() < 1e-12, "{row:?}");
    std::fs::remove_dir_all(&root).ok();
}
