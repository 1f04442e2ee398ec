//! The `rapid` section end to end at smoke sizes: summary keys, figure files, and the exact NLL of
//! a trained Bars model against a brute-force enumeration written here.

use serde_json::Value;
use spinlearn_core::{NoObserver, Seed};
use spinlearn_data::{generate, transform};
use spinlearn_reproduce::{Mode, SectionCtx, Verdict, claim_anchor, rapid};

/// `ln Σ exp(x)` of a long list, stably.
fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// `ln 2cosh(x)`, stably.
fn ln_2cosh(x: f64) -> f64 {
    x.abs() + (-2.0 * x.abs()).exp().ln_1p()
}

/// Mean NLL of ±1 `images` under a bias-free ±1 RBM with weights `w (n_visible, n_hidden)`, by
/// summing over all 2^n_visible visible states (the hidden layer summed in closed form):
/// `P(v) = Π_j 2cosh(Σ_i v_i w_ij) / Z`.
fn brute_force_nll(w: &ndarray::Array2<f64>, images: &ndarray::Array2<f32>) -> f64 {
    let (nv, nh) = w.dim();
    let neg_free = |v: &[f64]| -> f64 {
        (0..nh)
            .map(|j| ln_2cosh((0..nv).map(|i| v[i] * w[[i, j]]).sum()))
            .sum()
    };
    let all: Vec<f64> = (0..1usize << nv)
        .map(|s| {
            let v: Vec<f64> = (0..nv)
                .map(|i| if (s >> i) & 1 == 1 { 1.0 } else { -1.0 })
                .collect();
            neg_free(&v)
        })
        .collect();
    let log_z = log_sum_exp(&all);
    let n = images.nrows();
    (0..n)
        .map(|r| {
            let v: Vec<f64> = images.row(r).iter().map(|&x| f64::from(x)).collect();
            log_z - neg_free(&v)
        })
        .sum::<f64>()
        / n as f64
}

#[test]
fn rapid_section_runs_at_smoke_size() {
    let root = std::env::temp_dir().join(format!("spinlearn-rapid-smoke-{}", std::process::id()));
    let dir = root.join("rapid");
    std::fs::create_dir_all(&dir).unwrap();
    let ctx = SectionCtx::new(&root, "rapid", Mode::Smoke, Seed(1)).unwrap();
    let out = rapid::run(&ctx, &mut NoObserver).unwrap();
    let s = &out.summary;

    for key in [
        "untrained",
        "bars4",
        "bas12",
        "mnist",
        "timing",
        "stage_seconds",
    ] {
        assert!(s.get(key).is_some(), "summary lacks `{key}`");
    }
    for (part, keys) in [
        (
            "untrained",
            &[
                "gibbs_accessibility_plateau",
                "glorot_std",
                "glorot_accessibility",
            ][..],
        ),
        (
            "bars4",
            &[
                "final_test_hamming",
                "final_train_hamming",
                "final_nll",
                "epochs_to_test_hamming_0_1",
                "final_gibbs_accessibility",
                "learning_rates",
                "n_runs",
                "rapid_weight_rms",
                "rapid_ground_state_probability",
                "rapid_ground_state_in_train",
                "rapid_train_free_energy_gap",
            ][..],
        ),
        (
            "bas12",
            &[
                "final_train_hamming",
                "final_test_hamming",
                "samples_neither",
                "samples_valid_fraction",
                "samples_uniform",
            ][..],
        ),
        (
            "mnist",
            &[
                "probe",
                "floor_test_nll",
                "rbm_ais_test_nll",
                "ais_test_nll",
                "ais_train_nll",
                "ais_initial_test_nll",
            ][..],
        ),
        ("timing", &["pid_update_seconds", "cd_update_seconds"][..]),
    ] {
        for k in keys {
            assert!(s[part].get(*k).is_some(), "summary lacks `{part}.{k}`");
        }
    }
    for method in ["exact", "cd", "pcd", "rapid"] {
        let h = s["bars4"]["final_test_hamming"][method].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&h), "{method}: {h}");
    }
    for model in ["ra_rbm", "ra_rbm_untrained", "rbm"] {
        for features in ["sampled", "mean_features"] {
            let acc = &s["mnist"]["probe"][model][features]["test"];
            assert!(
                (0.0..=1.0).contains(&acc.as_f64().unwrap()),
                "{model} {features}"
            );
        }
    }

    let figures = [
        "fig1_untrained",
        "fig1_inset",
        "fig2a_gibbs_accessibility",
        "fig2b_method_accessibility",
        "bars4_exact_nll",
        "fig3a_train_hamming",
        "fig3b_test_hamming",
        "fig4_singular_values",
        "fig5_bas_hamming",
        "fig5_bas_samples",
        "fig6a_mnist_nll",
        "fig6c_mnist_samples",
        "appD_timing",
    ];
    for f in figures {
        for ext in ["png", "svg"] {
            let p = dir.join(format!("{f}.{ext}"));
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            assert!(len > 0, "missing or empty {}", p.display());
        }
    }
    assert_eq!(out.section.figures.len(), figures.len());
    // every figure has its data beside it
    for f in figures {
        let p = dir.join(format!("{f}.csv"));
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(
            text.lines().count() >= 2,
            "missing or empty data file {}",
            p.display()
        );
    }

    // claims: present, verdicts computed by their rules, ids unique, smoke decides nothing
    let claims = &out.claims;
    assert!(claims.len() >= 10, "only {} claims", claims.len());
    let mut ids: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claims.len(), "duplicate claim ids");
    for c in claims {
        if c.not_comparable.is_some() {
            assert_eq!(c.verdict, Verdict::NotComparable, "{}", c.id);
        } else {
            assert_eq!(c.verdict, c.rule.verdict(&c.ours), "{}", c.id);
        }
        assert!(c.not_comparable.is_some(), "{} decided at smoke size", c.id);
        assert!(!c.paper.is_empty(), "{} has no paper statement", c.id);
    }
    // every headline row with a paper value names one of the section's claims
    let anchors: Vec<String> = claims
        .iter()
        .map(|c| claim_anchor("rapid", &c.id))
        .collect();
    for row in &out.section.table {
        if row.paper.is_some() {
            let a = row
                .claim
                .as_ref()
                .unwrap_or_else(|| panic!("{} unchecked", row.name));
            assert!(anchors.contains(a), "{} names unknown claim {a}", row.name);
        }
    }
    assert!(!out.section.paper.is_empty());
    assert!(!out.section.deviations.is_empty());

    // one figure's data against the summary: the last RAPID row of Fig. 3b is the final test
    // Hamming distance of summary.json
    let csv = std::fs::read_to_string(dir.join("fig3b_test_hamming.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("series,epoch,mean,std"));
    let last_rapid: Vec<&str> = lines
        .rfind(|l| l.starts_with("RAPID"))
        .unwrap()
        .split(',')
        .collect();
    let from_csv: f64 = last_rapid[2].parse().unwrap();
    let from_summary = s["bars4"]["final_test_hamming"]["rapid"].as_f64().unwrap();
    assert_eq!(from_csv, from_summary);
    // and the BAS samples' valid fraction is the CSV's share of train/test rows
    let csv = std::fs::read_to_string(dir.join("fig5_bas_samples.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let valid = rows
        .iter()
        .filter(|l| {
            let m = l.split(',').nth(1).unwrap();
            m == "train" || m == "test"
        })
        .count();
    let frac = s["bas12"]["samples_valid_fraction"].as_f64().unwrap();
    assert_eq!(frac, valid as f64 / rows.len() as f64);

    // The exact NLL of the (single) RAPID training at its last epoch against a brute-force sum
    // over all 2^16 visible states of the saved model, on the paper's 10 training images.
    assert_eq!(s["bars4"]["n_runs"]["rapid"], Value::from(1));
    let saved = spinlearn_rbm::io::load_npz(&dir.join("bars4_rapid_model.npz")).unwrap();
    let bars = transform::to_spins(&generate::bars(4).unwrap()).unwrap();
    let (train, _) = transform::sign_symmetric_holdout(&bars, &[4, 8]).unwrap();
    assert_eq!(train.n_samples(), 10);
    let expected = brute_force_nll(&saved.model.rbm().weights, &train.data);
    let got = s["bars4"]["final_nll"]["rapid"].as_f64().unwrap();
    assert!(
        (got - expected).abs() <= 1e-5 * expected.abs().max(1.0),
        "exact NLL {got} vs brute force {expected}"
    );
    assert!(
        expected >= 10f64.ln() - 1e-9,
        "below the data entropy: {expected}"
    );
    std::fs::remove_dir_all(&root).ok();
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "spinlearn-repro-rapid-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `v` without what the timing stage measured or where (its `timing` entry, table rows, claim and
/// figure caption) and without the seconds (`stage_seconds`, `train_seconds_per_run`, ...): they
/// differ between any two runs.
fn without_timings(v: &Value) -> Value {
    let timing = |x: &Value| {
        ["id", "name", "path", "anchor"].iter().any(|k| {
            x.get(*k).and_then(Value::as_str).is_some_and(|s| {
                s.starts_with("timing.")
                    || s.starts_with("claim-rapid-timing-")
                    || s.contains("appD_timing")
            })
        })
    };
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.contains("seconds") && k.as_str() != "timing")
                .map(|(k, x)| (k.clone(), without_timings(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| !timing(x))
                .map(without_timings)
                .collect(),
        ),
        x => x.clone(),
    }
}

fn json_at(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The section run as shards in separate directories and merged equals the one-process run, for
/// two shard counts: summary, claims and the section's text bit for bit apart from the timing
/// stage and the seconds, and every figure's data file (CSV, the saved Bars model) byte for byte
/// apart from the timing's.
#[test]
fn shards_merged_equal_the_one_process_run() {
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
        sections: vec!["rapid".into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    run_report(&p, &report(one.clone()), &mut NoObserver).unwrap();
    let names = rapid::units(Mode::Smoke).unwrap();
    assert!(names.len() >= 10, "{names:?}");
    assert!(names.contains(&"mnist-ra-000".to_string()), "{names:?}");
    assert!(names.contains(&"bars4-rapid-000".to_string()), "{names:?}");
    for count in [3, names.len()] {
        let base = tmp(&format!("shards-{count}"));
        let dirs: Vec<_> = (0..count)
            .map(|index| {
                let d = base.join(format!("t{index}"));
                let s = run_shard(
                    "rapid",
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
        // Without the shard that ran the first untrained model, the merge names what is missing.
        let e = merge(
            "rapid",
            &dirs[1..],
            None,
            &report(base.join("partial")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("missing") && e.contains(&names[0]), "{e}");
        assert!(!base.join("partial/rapid").exists());
        let merged = base.join("merged");
        // The run seed comes from the shards, not from the merge's own.
        let mut r = report(merged.clone());
        r.seed = Seed(99);
        let (_, mode) = merge("rapid", &dirs, Some(Mode::Smoke), &r, &mut NoObserver).unwrap();
        assert_eq!(mode, Mode::Smoke);
        for f in ["summary.json", "claims.json", "section.json"] {
            let a = without_timings(&json_at(&one.join("rapid").join(f)));
            let b = without_timings(&json_at(&merged.join("rapid").join(f)));
            assert!(a == b, "{count} shards: rapid/{f} differs");
        }
        // the timing stage is there, and says which task measured it
        let sum = json_at(&merged.join("rapid/summary.json"));
        let by = sum["timing"]["measured_by"].as_str().unwrap();
        let t = names.iter().position(|n| n == "timing").unwrap() % count;
        assert!(by.contains(&format!("shard {t}/{count}")), "{by}");
        assert!(sum["timing"]["pid_update_seconds"].is_object());
        let mut data: Vec<_> = std::fs::read_dir(one.join("rapid"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| (n.ends_with(".csv") || n.ends_with(".npz")) && !n.starts_with("appD"))
            .collect();
        data.sort();
        assert_eq!(data.len(), 13, "{data:?}");
        for n in data {
            let a = std::fs::read(one.join("rapid").join(&n)).unwrap();
            let b = std::fs::read(merged.join("rapid").join(&n)).unwrap();
            assert!(a == b, "{count} shards: {n} differs");
        }
        assert!(merged.join("index.html").is_file());
        std::fs::remove_dir_all(&base).ok();
    }
    std::fs::remove_dir_all(&one).ok();
}
