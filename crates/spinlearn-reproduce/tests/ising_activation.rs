//! The `ising-activation` section end to end at smoke size: summary keys, figure files and the
//! data file beside each, the claims and their verdicts, the lattice magnetization at T = 1 against
//! Onsager's exact result (in the summary and in the figure's CSV), and the mean-field firing rate
//! at Q = 2 against an independent quadrature.

use spinlearn_core::{Control, Seed, StepReport};
use spinlearn_reproduce::ising_activation::{ID, figures::LATTICE_FIGURES, run};
use spinlearn_reproduce::{Mode, SectionCtx, Verdict, claim_anchor};

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

/// The rows of a numeric CSV with a header, and the index of column `name`.
fn read_csv(path: &std::path::Path, name: &str) -> (Vec<Vec<String>>, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("{} has no column {name}: {header:?}", path.display()));
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (rows, col)
}

/// ∫_0^2 m(1 - t) dt for the mean-field branch m(T) of Tc = 1: 1 + ∫_0^1 m(T) dT, and by parts
/// ∫_0^1 m dT = ∫_0^1 T(m) dm with T(m) = m / atanh(m); with m = tanh x this is
/// ∫_0^inf tanh(x) sech(x)^2 / x dx, smooth and exponentially decaying (composite Simpson).
fn mean_field_rate_at_2() -> f64 {
    let f = |x: f64| {
        if x == 0.0 {
            1.0
        } else {
            x.tanh() / x / x.cosh().powi(2)
        }
    };
    let (n, b) = (200_000, 40.0);
    let h = b / n as f64;
    let inner: f64 = (1..n)
        .map(|i| if i % 2 == 1 { 4.0 } else { 2.0 } * f(i as f64 * h))
        .sum();
    1.0 + (f(0.0) + f(b) + inner) * h / 3.0
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
    // Every hidden-unit type, by CD and PCD, ends below the uniform model on bars 3x3.
    let hidden = &sum["hidden_units"];
    let uniform = hidden["uniform_nll"].as_f64().unwrap();
    assert!((uniform - 9.0 * std::f64::consts::LN_2).abs() < 1e-12);
    assert!((hidden["data_entropy"].as_f64().unwrap() - 6f64.ln()).abs() < 1e-12);
    let rows = hidden["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "{hidden}");
    for r in rows {
        eprintln!("hidden units: {r}");
        assert!(r["exact_nll"].as_f64().unwrap() < uniform, "{r}");
    }
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
    for stem in stems.iter().chain(LATTICE_FIGURES.iter()) {
        let f = dir.join(format!("{stem}.csv"));
        assert!(
            f.metadata().is_ok_and(|m| m.len() > 0),
            "figure {stem} has no data file {}",
            f.display()
        );
    }

    // Claims: present, verdicts computed by their rules, every table row with a paper value
    // checked by one of them, the paper named and the deviations stated.
    let claims = &out.claims;
    for c in claims {
        eprintln!(
            "claim {}: {} ± {} -> {:?} {}",
            c.id, c.ours.value, c.ours.spread, c.verdict, c.note
        );
    }
    for d in &out.section.deviations {
        eprintln!("deviation: {d}");
    }
    assert!(claims.len() >= 8, "{} claims", claims.len());
    for c in claims {
        if c.not_comparable.is_none() {
            assert_eq!(c.verdict, c.rule.verdict(&c.ours), "claim {}", c.id);
        } else {
            assert_eq!(c.verdict, Verdict::NotComparable, "claim {}", c.id);
        }
    }
    let verdict = |id: &str| claims.iter().find(|c| c.id == id).unwrap().verdict;
    // Known at any size: the b = 1 fit misses a = 6, the free-b fit reaches it, the paper's
    // constant has the wrong sign, and the smoke lattice cannot decide its claims.
    assert_eq!(verdict("fit.a_b1"), Verdict::NotReproduced);
    assert_eq!(verdict("fit.a_free_b"), Verdict::Reproduced);
    assert_eq!(verdict("firing.constant"), Verdict::NotReproduced);
    assert_eq!(verdict("firing.closed_forms"), Verdict::Reproduced);
    assert_eq!(verdict("mf.bifurcation_t"), Verdict::Reproduced);
    assert_eq!(verdict("mf.branches"), Verdict::Reproduced);
    assert_eq!(verdict("mc.tc_binder"), Verdict::NotComparable);
    let constant = claims.iter().find(|c| c.id == "firing.constant").unwrap();
    assert!((constant.ours.value + std::f64::consts::LN_2 / 2.0).abs() < 1e-9);
    let anchors: Vec<String> = claims.iter().map(|c| claim_anchor(ID, &c.id)).collect();
    for row in &out.section.table {
        if row.paper.is_some() {
            let a = row
                .claim
                .as_ref()
                .expect("a row with a paper value names a claim");
            assert!(
                anchors.contains(a),
                "row {} names unknown claim {a}",
                row.name
            );
        }
    }
    assert!(out.section.paper.contains("2022"));
    assert!(out.section.deviations.len() >= 3);
    assert!(out.section.deviations[0].contains("b free"));
    assert!(out.section.deviations[1].contains("sign slip"));

    // Deep in the ordered phase the finite-size correction of L = 8 is negligible, so the Monte
    // Carlo <|m|> must sit on Onsager's exact value.
    let m1 = sum["mc"]["magnetization"]["1"].as_f64().unwrap();
    let want = onsager_m(1.0);
    assert!(
        (m1 - want).abs() < 3e-3,
        "<|m|>(T = 1) = {m1}, Onsager {want}"
    );
    // The figure's data file holds the same number for the largest L.
    let (rows, col) = read_csv(&dir.join("lattice_magnetization.csv"), "abs_m");
    let in_csv: f64 = rows
        .iter()
        .find(|r| r[0] == "mc_L8" && r[2].parse::<f64>().unwrap() == 1.0)
        .expect("a Monte Carlo row at L = 8, T = 1")[col]
        .parse()
        .unwrap();
    assert_eq!(in_csv, m1);
    // The Onsager curve reaches Tc with points on its eighth-root drop.
    let onsager_near_tc = rows
        .iter()
        .filter(|r| r[0] == "onsager")
        .filter(|r| {
            let t: f64 = r[2].parse().unwrap();
            t < 2.269185314213022 && t > 2.2691
        })
        .count();
    assert!(
        onsager_near_tc >= 3,
        "{onsager_near_tc} Onsager points near Tc"
    );

    // The mean-field firing rate at Q = 2 against an independent quadrature (1.8525567976).
    let want = mean_field_rate_at_2();
    assert!((want - 1.8525567976).abs() < 1e-9, "reference {want}");
    let (rows, col) = read_csv(&dir.join("firing_rates.csv"), "mean_field_rate");
    let r2: f64 = rows
        .iter()
        .find(|r| r[0].parse::<f64>().unwrap() == 2.0)
        .expect("a row at Q = 2")[col]
        .parse()
        .unwrap();
    assert!((r2 - want).abs() < 1e-8, "rate(2) = {r2}, want {want}");

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

/// A fresh temporary directory for this test process.
fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "spinlearn-repro-ising-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `v` without its timings (`seconds`, anywhere), which differ between any two runs.
fn without_timings(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.ends_with("seconds"))
                .map(|(k, x)| (k.clone(), without_timings(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_timings).collect()),
        x => x.clone(),
    }
}

fn json_at(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The section run as shards in separate directories and merged equals the one-process run, for
/// two shard counts: summary, claims and the section's text bit for bit apart from the timings
/// (`seconds`), and every figure's data file byte for byte. A merge without every shard names the
/// missing units and leaves nothing behind.
#[test]
fn shards_merged_equal_the_one_process_run() {
    use spinlearn_core::NoObserver;
    use spinlearn_reproduce::ising_activation::units;
    use spinlearn_reproduce::shard::{Shard, merge, run_shard};
    use spinlearn_reproduce::{ReportParams, ReportRun, run_report};
    let report = |root: std::path::PathBuf| ReportRun {
        root,
        seed: Seed(5),
        threads: 1,
        version: "test".into(),
        embed_figures: false,
    };
    let one = tmp("one-process");
    let p = ReportParams {
        sections: vec![ID.into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    run_report(&p, &report(one.clone()), &mut NoObserver).unwrap();
    let names = units(Mode::Smoke).unwrap();
    // The mean-field curves, 2 sizes x 8 temperatures, 6 hidden-unit types.
    assert_eq!(names.len(), 1 + 16 + 6, "{names:?}");
    assert!(names.contains(&"lattice-L8-T2.3".to_string()), "{names:?}");
    for count in [3, names.len()] {
        let base = tmp(&format!("shards-{count}"));
        let dirs: Vec<_> = (0..count)
            .map(|index| {
                let d = base.join(format!("t{index}"));
                let s = run_shard(
                    ID,
                    Mode::Smoke,
                    None,
                    Shard { index, count },
                    &report(d.clone()),
                    &mut NoObserver,
                )
                .unwrap();
                assert_eq!(s["total_units"], names.len());
                d
            })
            .collect();
        let e = merge(
            ID,
            &dirs[1..],
            None,
            &report(base.join("partial")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("missing") && e.contains("mean-field"), "{e}");
        assert!(!base.join("partial").join(ID).exists());
        // Shard 0 twice: a unit given twice is refused.
        let twice = [dirs.clone(), vec![dirs[0].clone()]].concat();
        let e = merge(
            ID,
            &twice,
            None,
            &report(base.join("twice")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("twice"), "{e}");
        let merged = base.join("merged");
        let mut r = report(merged.clone());
        r.seed = Seed(99);
        let (_, mode) = merge(ID, &dirs, Some(Mode::Smoke), &r, &mut NoObserver).unwrap();
        assert_eq!(mode, Mode::Smoke);
        for f in ["summary.json", "claims.json", "section.json"] {
            let a = without_timings(&json_at(&one.join(ID).join(f)));
            let b = without_timings(&json_at(&merged.join(ID).join(f)));
            assert!(a == b, "{count} shards: {ID}/{f} differs");
        }
        let csvs: Vec<_> = std::fs::read_dir(one.join(ID))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().ends_with(".csv"))
            .collect();
        assert!(csvs.len() >= 9, "{csvs:?}");
        for n in csvs {
            let a = std::fs::read(one.join(ID).join(&n)).unwrap();
            let b = std::fs::read(merged.join(ID).join(&n)).unwrap();
            assert!(a == b, "{count} shards: {n:?} differs");
        }
        assert!(merged.join("index.html").is_file());
        std::fs::remove_dir_all(&base).unwrap();
    }
    std::fs::remove_dir_all(&one).unwrap();
}
