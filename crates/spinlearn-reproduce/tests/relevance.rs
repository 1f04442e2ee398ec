//! The `relevance` section at smoke size: summary keys, figure files, and entropies checked
//! against values computed by hand; the `relevance analyze` writer on a small state set.

use serde_json::Value;
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_relevance::experiments::analyze_ids;
use spinlearn_relevance::powerlaw::PowerLawParams;
use spinlearn_reproduce::{Mode, SectionCtx, Verdict, claim_anchor, relevance};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-repro-rel-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `H = -Σ p ln p` of the given weights (normalized here).
fn entropy(weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .filter(|&&w| w > 0.0)
        .map(|&w| -(w / total) * (w / total).ln())
        .sum()
}

#[test]
fn smoke_section_writes_figures_and_consistent_entropies() {
    let root = tmp("section");
    let dir = root.join("relevance");
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = SectionCtx::new(&root, "relevance", Mode::Smoke, Seed(1)).unwrap();
    s.seed = Seed(1);
    let out = relevance::run(&s, &mut NoObserver).unwrap();
    let sum = &out.summary;
    for key in [
        "M",
        "layers",
        "best_layer_by_H_sum",
        "best_layer_by_generation",
        "kmeans",
        "classifier_test_error",
        "epoch0_layers",
        "shuffled_layers",
        "contrast_layers",
        "contrast_best_layer_by_generation",
        "train_seconds",
        "bound_max_gap",
        "bound_exact",
        "entropies_unit",
    ] {
        assert!(sum.get(key).is_some(), "summary lacks `{key}`");
    }
    assert_eq!(sum["M"], 300);
    // Two realizations of the DBN: per-layer means and standard errors in the summary and a file.
    assert_eq!(sum["realizations"], 2);
    let ens = sum["ensemble_layers"].as_array().unwrap();
    assert_eq!(ens.len(), 3);
    assert_eq!(ens[0]["h_s_norm"]["n"], 2);
    assert!(dir.join("ensemble_layers.csv").is_file());
    assert_eq!(sum["layers"].as_array().unwrap().len(), 3);
    assert_eq!(sum["bound_exact"], true);
    for fig in [
        "fig2a_hs_hk",
        "fig2b_mk",
        "fig2c_beta",
        "fig2d_error",
        "fig3_samples_h2",
        "fig3_samples_h3",
        "fig3g_generation",
        "fig3def_labels",
    ] {
        for ext in ["png", "svg"] {
            let f = dir.join(format!("{fig}.{ext}"));
            assert!(f.is_file(), "{} missing", f.display());
        }
    }
    assert_eq!(out.section.figures.len(), 8);
    // The data behind every figure lies beside it.
    for f in &out.section.figures {
        let stem = f.path.strip_suffix(".png").unwrap();
        assert!(
            ["csv", "npz"]
                .iter()
                .any(|e| root.join(format!("{stem}.{e}")).is_file()),
            "{stem} has no data file"
        );
    }
    let npz = spinlearn_data::npy::read_npz(&dir.join("fig3_samples_h2.npz")).unwrap();
    assert!(npz.arrays.iter().any(|(name, _)| name == "images"));

    // Claims: present, verdicts computed by their rules, every table row with a paper value
    // checked by one of them; the paper cited and the deviations stated.
    let claims = &out.claims;
    assert!(claims.len() >= 8, "{} claims", claims.len());
    for c in claims {
        if c.verdict != Verdict::NotComparable {
            assert_eq!(c.verdict, c.rule.verdict(&c.ours), "claim {}", c.id);
        } else {
            assert!(c.not_comparable.is_some(), "claim {} lacks a reason", c.id);
        }
    }
    // Smoke's three-layer network cannot be compared layer by layer with the paper's ten.
    let by_id = |id: &str| claims.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id("best_layer.h_sum").verdict, Verdict::NotComparable);
    assert_eq!(
        by_id("classifier.test_error").verdict,
        Verdict::NotComparable
    );
    for row in &out.section.table {
        if row.paper.is_some() {
            let a = row
                .claim
                .as_ref()
                .unwrap_or_else(|| panic!("row {} unchecked", row.name));
            assert!(
                claims
                    .iter()
                    .any(|c| &claim_anchor("relevance", &c.id) == a),
                "row {} names the unknown claim {a}",
                row.name
            );
        }
        assert!(!row.value.contains("Some("), "{}", row.value);
    }
    assert!(out.section.paper.contains("Resolution and relevance"));
    assert!(out.section.deviations.len() >= 3);
    assert!(out.section.deviations.iter().any(|d| d.contains("epoch")));

    // Fig. 2c's data file against the summary: the trained layers' H[s] and beta.
    let csv = std::fs::read_to_string(dir.join("fig2c_beta.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let trained: Vec<Vec<&str>> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[0] == "trained")
        .collect();
    assert_eq!(trained.len(), 3);
    for (i, row) in trained.iter().enumerate() {
        let l = &sum["layers"][i];
        let h_s: f64 = row[col("H_s")].parse().unwrap();
        assert_eq!(h_s, l["H_s"].as_f64().unwrap());
        let beta: f64 = row[col("beta")].parse().unwrap();
        match l["beta"].as_f64() {
            Some(b) => assert_eq!(beta, b),
            None => assert!(beta.is_nan()),
        }
    }

    // H[s] and H[k] of every trained layer recomputed by hand from its degeneracies (k, m_k) in
    // results.json: H[s] = -Σ_k m_k (k/M) ln(k/M), H[k] = -Σ_k (k m_k/M) ln(k m_k/M).
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let ln_m = 300f64.ln();
    for (i, layer) in results["trained"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let deg: Vec<(f64, f64)> = layer["analysis"]["degeneracy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        assert_eq!(deg.iter().map(|(k, m)| k * m).sum::<f64>(), 300.0);
        let per_state: Vec<f64> = deg
            .iter()
            .flat_map(|&(k, m)| std::iter::repeat_n(k, m as usize))
            .collect();
        let h_s = entropy(&per_state);
        let h_k = entropy(&deg.iter().map(|&(k, m)| k * m).collect::<Vec<_>>());
        let l = &sum["layers"][i];
        let got_s = l["H_s_nats"].as_f64().unwrap();
        let got_k = l["H_k_nats"].as_f64().unwrap();
        assert!(
            (got_s - h_s).abs() < 1e-12,
            "layer {}: H_s {got_s} vs {h_s}",
            i + 1
        );
        assert!(
            (got_k - h_k).abs() < 1e-12,
            "layer {}: H_k {got_k} vs {h_k}",
            i + 1
        );
        assert!((l["H_s"].as_f64().unwrap() - h_s / ln_m).abs() < 1e-12);
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn analysis_writer_matches_entropies_by_hand() {
    // States with frequencies 1, 1, 2, 2, 4 (M = 10): m_1 = 2, m_2 = 2, m_4 = 1.
    let ids = [0u32, 1, 2, 2, 3, 3, 4, 4, 4, 4];
    let pl = PowerLawParams::default().check().unwrap();
    let a = analyze_ids(&ids, 0, None, &pl, Seed(0)).unwrap();
    let dir = tmp("analysis");
    let s = relevance::figures::write_analysis(&dir, &a).unwrap();
    let h_s = -(2.0 * 0.1 * 0.1f64.ln() + 2.0 * 0.2 * 0.2f64.ln() + 0.4 * 0.4f64.ln());
    let h_k = -(0.2 * 0.2f64.ln() + 0.4 * 0.4f64.ln() + 0.4 * 0.4f64.ln());
    assert!((s["H_s"].as_f64().unwrap() - h_s).abs() < 1e-12);
    assert!((s["H_k"].as_f64().unwrap() - h_k).abs() < 1e-12);
    assert_eq!(s["n_states"], 5);
    assert_eq!(
        std::fs::read_to_string(dir.join("m_k.csv")).unwrap(),
        "k,m_k\n1,2\n2,2\n4,1\n"
    );
    assert!(dir.join("m_k.png").is_file() && dir.join("m_k.svg").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `v` without its timings (`seconds`, `train_seconds`, anywhere), which differ between any two
/// runs.
fn without_timings(v: &Value) -> Value {
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

fn json_at(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The section run as shards in separate directories and merged equals the one-process run, for
/// two shard counts: results, summary, claims and the section's text, bit for bit apart from the
/// timings, and every figure's data file (CSV, NPZ: the generated images) byte for byte.
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
        sections: vec!["relevance".into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    run_report(&p, &report(one.clone()), &mut NoObserver).unwrap();
    let n_units = relevance::units(Mode::Smoke).unwrap().len();
    assert!(n_units >= 8, "{n_units} units");
    for count in [2, n_units] {
        let base = tmp(&format!("shards-{count}"));
        let dirs: Vec<_> = (0..count)
            .map(|index| {
                let d = base.join(format!("t{index}"));
                let s = run_shard(
                    "relevance",
                    Mode::Smoke,
                    None,
                    Shard { index, count },
                    &report(d.clone()),
                    &mut NoObserver,
                )
                .unwrap();
                assert_eq!(s["total_units"], n_units);
                d
            })
            .collect();
        // Without every shard the merge names what is missing.
        let e = merge(
            "relevance",
            &dirs[1..],
            None,
            &report(base.join("partial")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("missing") && e.contains("classifier"), "{e}");
        assert!(!base.join("partial/relevance").exists());
        // Shards of one mode do not merge as another.
        let e = merge(
            "relevance",
            &dirs,
            Some(Mode::Quick),
            &report(base.join("q")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("Smoke"), "{e}");
        let merged = base.join("merged");
        // The run seed comes from the shards, not from the merge's own.
        let mut r = report(merged.clone());
        r.seed = Seed(99);
        let (_, mode) = merge("relevance", &dirs, Some(Mode::Smoke), &r, &mut NoObserver).unwrap();
        assert_eq!(mode, Mode::Smoke);
        for f in [
            "results.json",
            "summary.json",
            "claims.json",
            "section.json",
        ] {
            let a = without_timings(&json_at(&one.join("relevance").join(f)));
            let b = without_timings(&json_at(&merged.join("relevance").join(f)));
            assert!(a == b, "{count} shards: relevance/{f} differs");
        }
        let csvs: Vec<_> = std::fs::read_dir(one.join("relevance"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| {
                let n = n.to_string_lossy();
                n.ends_with(".csv") || n.ends_with(".npz")
            })
            .collect();
        assert!(csvs.len() >= 5, "{csvs:?}");
        assert!(
            csvs.iter()
                .any(|n| n.to_string_lossy().starts_with("fig3_samples"))
        );
        for n in csvs {
            let a = std::fs::read(one.join("relevance").join(&n)).unwrap();
            let b = std::fs::read(merged.join("relevance").join(&n)).unwrap();
            assert!(a == b, "{count} shards: {n:?} differs");
        }
        assert_eq!(
            json_at(&one.join("claims.json")).as_array().unwrap().len(),
            json_at(&merged.join("claims.json"))
                .as_array()
                .unwrap()
                .len()
        );
        assert!(merged.join("index.html").is_file());
    }
}
