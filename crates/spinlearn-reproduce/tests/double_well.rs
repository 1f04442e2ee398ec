//! The `double-well` section end to end at the smoke preset: summary keys, figure files, and the
//! transition probability q of the matching Markov synapse (Fig. 4) against a Monte Carlo of
//! single double-well synapses.

use spinlearn_attractor::{DoubleWellSynapses, SynapseParams};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_reproduce::{Mode, SectionCtx, Verdict, claim_anchor, double_well};

#[test]
fn smoke_section_writes_its_summary_and_figures() {
    let root = std::env::temp_dir().join(format!("spinlearn-double-well-{}", std::process::id()));
    let dir = root.join("double-well");
    std::fs::create_dir_all(&dir).unwrap();
    let s = SectionCtx::new(&root, "double-well", Mode::Smoke, Seed(1)).unwrap();
    let out = double_well::run(&s, &mut NoObserver).unwrap();
    let sum = &out.summary;
    let big = format!("n{}", double_well::preset(Mode::Smoke).compare_big.0);
    for key in [
        "theory_vs_sim",
        "r1_critical",
        "exponent_a",
        "single_well",
        "sparse",
        "exponent_a_sim",
        "fig4a",
        "markov_q",
        "robustness",
        "dilution",
    ] {
        assert!(sum.get(key).is_some(), "summary lacks {key}: {sum}");
    }
    for key in ["capacity", big.as_str()] {
        assert!(sum["theory_vs_sim"][key]["theory"].is_u64(), "{key}: {sum}");
        assert!(sum["theory_vs_sim"][key]["sim"].is_f64(), "{key}: {sum}");
    }
    for key in ["exponent", "points", "tsodyks_feigelman", "noise"] {
        assert!(sum["sparse"].get(key).is_some(), "sparse lacks {key}");
    }
    assert_eq!(sum["robustness"].as_array().unwrap().len(), 4);
    // The dilution study: one point per c of the preset, the four theory conventions each.
    let dil = sum["dilution"].as_array().unwrap();
    assert_eq!(dil.len(), double_well::preset(Mode::Smoke).dilution.1.len());
    for d in dil {
        assert_eq!(d["theory"].as_array().unwrap().len(), 4, "{d}");
    }
    // Fig. 4A is the count of retrieved ages, with the SNR crossing beside it.
    assert!(
        sum["fig4a"]["snr_crossing"]["double_well"].is_u64(),
        "{sum}"
    );
    assert!(
        out.claims.iter().any(|c| c.id == "dilution")
            && out.claims.iter().any(|c| c.id == "fig4a_snr")
    );
    assert_eq!(out.section.figures.len(), 14);
    for fig in &out.section.figures {
        let png = root.join(&fig.path);
        assert!(png.exists(), "{}", png.display());
        assert!(png.with_extension("svg").exists(), "{}", png.display());
        assert!(png.with_extension("csv").exists(), "{}", png.display());
        assert!(!fig.caption.contains("1 realizations"), "{}", fig.caption);
    }
    // Claims: present, verdicts computed by their rules, table rows with a paper value name one.
    assert!(out.claims.len() >= 8, "{} claims", out.claims.len());
    assert!(!out.section.paper.is_empty());
    assert!(!out.section.deviations.is_empty());
    for c in &out.claims {
        if c.not_comparable.is_none() {
            assert_eq!(c.verdict, c.rule.verdict(&c.ours), "claim {}", c.id);
        } else {
            assert_eq!(c.verdict, Verdict::NotComparable, "claim {}", c.id);
        }
    }
    for row in &out.section.table {
        assert!(!row.note.contains("1 realizations"), "{}", row.note);
        if row.paper.is_some() {
            let anchor = row
                .claim
                .as_deref()
                .unwrap_or_else(|| panic!("{} unchecked", row.name));
            assert!(
                out.claims
                    .iter()
                    .any(|c| claim_anchor("double-well", &c.id) == anchor),
                "{} names {anchor}, which no claim has",
                row.name
            );
        }
    }
    // Fig. 2D: the sqrt(N) guide is a guide, and not the C = 0 data curves' style.
    let fig2d = std::fs::read_to_string(dir.join("fig2d_optimal_scaling.csv")).unwrap();
    assert!(
        fig2d.lines().any(|l| l.starts_with("guide: p = √N,")),
        "{fig2d}"
    );

    // The data file of Fig. 2C holds the single-well capacities of the summary.
    let csv = std::fs::read_to_string(dir.join("fig2c_single_well.csv")).unwrap();
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("series,N,capacity p (patterns),sd"));
    let at_r1: Vec<(String, f64)> = rows
        .filter_map(|l| l.strip_prefix("theory r1 = 0.02,"))
        .map(|rest| {
            let f: Vec<&str> = rest.split(',').collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    let single = sum["single_well"]["capacity"].as_object().unwrap();
    assert_eq!(at_r1.len(), single.len());
    for (n, p) in &at_r1 {
        assert_eq!(single[n].as_f64(), Some(*p), "N = {n}");
    }

    // q = P(J + r2 > 0) − P(J + r2 < 0) for J drawn from g_∞ at r1 = 0.1 and the C* of Fig. 4,
    // here by simulating 40,000 independent synapses for 100 presentations (ten relaxation
    // times): binomial sd ≤ 0.005.
    let row = out
        .section
        .table
        .iter()
        .find(|r| r.name == "fig4a.capacity.binarized_double_well")
        .unwrap();
    let c_star: f64 = row.note.rsplit("C = ").next().unwrap().parse().unwrap();
    let model =
        DoubleWellSynapses::new(SynapseParams::unit_jump(0.1, c_star, 0.0).check().unwrap());
    let js = model.sample_balanced(40_000, 100, &mut Seed(9).stream(0));
    let up = js.iter().filter(|&&j| j + 1.0 > 0.0).count() as f64;
    let down = js.iter().filter(|&&j| j + 1.0 < 0.0).count() as f64;
    let q_mc = (up - down) / js.len() as f64;
    let q = sum["markov_q"].as_f64().unwrap();
    assert!(
        (q - q_mc).abs() < 0.02,
        "theory q {q} vs Monte Carlo {q_mc} (C* = {c_star})"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-repro-dw-{}-{name}", std::process::id()));
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
/// two shard counts: summary, claims and the section's text bit for bit apart from the timings,
/// and every figure's data file byte for byte.
#[test]
fn shards_merged_equal_the_one_process_run() {
    use spinlearn_reproduce::shard::{Shard, merge, run_shard};
    use spinlearn_reproduce::{ReportParams, ReportRun, run_report};
    let report = |root: std::path::PathBuf| ReportRun {
        root,
        seed: Seed(5),
        threads: 2,
        version: "test".into(),
        embed_figures: false,
    };
    let one = tmp("one-process");
    let p = ReportParams {
        sections: vec!["double-well".into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    run_report(&p, &report(one.clone()), &mut NoObserver).unwrap();
    let names = double_well::units(Mode::Smoke).unwrap();
    let n_units = names.len();
    // Every realization of every simulated point is a unit of its own.
    assert!(n_units >= 60, "{n_units} units");
    assert!(names.iter().any(|n| n == "fig8-p0-cell0-r0"), "{names:?}");
    for count in [2, 3] {
        let base = tmp(&format!("shards-{count}"));
        let dirs: Vec<_> = (0..count)
            .map(|index| {
                let d = base.join(format!("t{index}"));
                // Another thread count than the one-process run: the results do not depend on it.
                let mut r = report(d.clone());
                r.threads = 1;
                let s = run_shard(
                    "double-well",
                    Mode::Smoke,
                    None,
                    Shard { index, count },
                    &r,
                    &mut NoObserver,
                )
                .unwrap();
                assert_eq!(s["total_units"], n_units);
                d
            })
            .collect();
        // Without every shard the merge names what is missing.
        let e = merge(
            "double-well",
            &dirs[1..],
            None,
            &report(base.join("partial")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("missing") && e.contains(&names[0]), "{e}");
        assert!(e.contains(&format!("shard 0/{count}")), "{e}");
        assert!(!base.join("partial/double-well").exists());
        // A shard given twice is refused.
        let mut twice = dirs.clone();
        twice.push(dirs[0].clone());
        let e = merge(
            "double-well",
            &twice,
            None,
            &report(base.join("twice")),
            &mut NoObserver,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("more than one shard"), "{e}");
        let merged = base.join("merged");
        // The run seed comes from the shards, not from the merge's own.
        let mut r = report(merged.clone());
        r.seed = Seed(99);
        let (_, mode) =
            merge("double-well", &dirs, Some(Mode::Smoke), &r, &mut NoObserver).unwrap();
        assert_eq!(mode, Mode::Smoke);
        for f in ["summary.json", "claims.json", "section.json"] {
            let a = without_timings(&json_at(&one.join("double-well").join(f)));
            let b = without_timings(&json_at(&merged.join("double-well").join(f)));
            assert!(a == b, "{count} shards: double-well/{f} differs");
        }
        let csvs: Vec<_> = std::fs::read_dir(one.join("double-well"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().ends_with(".csv"))
            .collect();
        assert_eq!(csvs.len(), 14, "{csvs:?}");
        for n in csvs {
            let a = std::fs::read(one.join("double-well").join(&n)).unwrap();
            let b = std::fs::read(merged.join("double-well").join(&n)).unwrap();
            assert!(a == b, "{count} shards: {n:?} differs");
        }
        assert_eq!(
            without_timings(&json_at(&one.join("claims.json"))),
            without_timings(&json_at(&merged.join("claims.json")))
        );
        assert!(merged.join("index.html").is_file());
        std::fs::remove_dir_all(&base).unwrap();
    }
    std::fs::remove_dir_all(&one).unwrap();
}
