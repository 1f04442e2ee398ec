//! The `zero-synapses` section end to end at its smoke size: summary keys, figure files and their
//! data files, claims whose verdicts follow from their rules, and the M = 1 point of Fig. 1 against
//! its closed form.

use serde_json::Value;
use spinlearn_core::{NoObserver, Seed};
use spinlearn_reproduce::{Mode, SectionCtx, Verdict, zero_synapses};

#[test]
fn smoke_run_writes_figures_and_the_closed_form_at_one_sample() {
    let root = std::env::temp_dir().join(format!("spinlearn-zero-synapses-{}", std::process::id()));
    let dir = root.join("zero-synapses");
    std::fs::create_dir_all(&dir).unwrap();
    let mut ctx = SectionCtx::new(&root, "zero-synapses", Mode::Smoke, Seed(1)).unwrap();
    ctx.seed = Seed(1);
    let out = zero_synapses::run(&ctx, &mut NoObserver).unwrap();
    let s: &Value = &out.summary;

    for key in [
        "digits01",
        "digit0",
        "beta_sweep",
        "retina",
        "convergence",
        "n_selections",
    ] {
        assert!(s.get(key).is_some(), "summary lacks `{key}`: {s}");
    }
    for key in ["rho", "rho_std", "m_cav", "m_cav_std", "rho_asympt"] {
        assert!(s["digits01"][key].is_object(), "digits01.{key}");
    }
    assert!(s["beta_sweep"]["beta_c"].is_object());
    assert!(s["retina"]["rho"].is_object());
    let n_runs = s["convergence"]["n_runs"].as_u64().unwrap();
    let preset = zero_synapses::preset(Mode::Smoke);
    let size_runs = preset.sizes.len() * preset.selections;
    let beta_runs = preset.beta_sizes.len() * preset.betas.len() * preset.beta_selections;
    assert_eq!(n_runs as usize, 3 * size_runs + beta_runs);

    for name in [
        "fig1_features",
        "fig1_rho_mcav",
        "fig2_features",
        "fig2_rho_mcav",
        "fig3_features",
        "fig3_rho_beta",
        "fig4_retina_rho_mcav",
        "fig4_retina_features",
    ] {
        for ext in ["png", "svg"] {
            let f = dir.join(format!("{name}.{ext}"));
            let len = std::fs::metadata(&f)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .len();
            assert!(len > 100, "{} is nearly empty", f.display());
        }
    }
    assert_eq!(out.section.figures.len(), 8);
    // Every figure has its data beside it.
    for name in [
        "fig1_rho_mcav.csv",
        "fig2_rho_mcav.csv",
        "fig3_rho_beta.csv",
        "fig4_retina_rho_mcav.csv",
        "fig1_features.npz",
        "fig2_features.npz",
        "fig3_features.npz",
        "fig4_retina_features.npz",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }

    // Claims: present, each verdict the one its rule gives (unless not comparable, with a reason).
    assert!(out.claims.len() >= 6, "{} claims", out.claims.len());
    for c in &out.claims {
        if c.verdict == Verdict::NotComparable {
            assert!(
                c.not_comparable.as_deref().is_some_and(|r| !r.is_empty()),
                "{}",
                c.id
            );
        } else {
            assert_eq!(c.verdict, c.rule.verdict(&c.ours), "{}", c.id);
        }
    }
    // Numbers only (NaN would not survive claims.json, which the report reads back).
    for c in &out.claims {
        assert!(
            c.ours.value.is_finite() && c.ours.spread.is_finite(),
            "{}",
            c.id
        );
    }
    let text = serde_json::to_string(&out.claims).unwrap();
    let back: Vec<spinlearn_reproduce::Claim> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, out.claims);
    let retina = out
        .claims
        .iter()
        .find(|c| c.id == "retina.rho_large_m")
        .unwrap();
    assert_eq!(
        retina.verdict,
        Verdict::NotComparable,
        "synthetic retina data"
    );
    // Every table row with a paper value names its claim.
    for row in out.section.table.iter().filter(|r| r.paper.is_some()) {
        assert!(row.claim.is_some(), "row {} has no claim", row.name);
    }

    // M = 1: every cavity sum is empty, so t = 0 and the posterior factorizes:
    // P_i(0) = 1 / (1 + 2 exp(ln cosh(beta / sqrt N) - gamma)), gamma = beta² / (2N), whatever the
    // digit drawn (paper 000, eq. (2) with a single sample).
    assert_eq!(preset.sizes[0], 1);
    let (beta, n) = (preset.learner.beta, 784.0f64);
    let gamma = beta * beta / (2.0 * n);
    let expected = 1.0 / (1.0 + 2.0 * ((beta / n.sqrt()).cosh().ln() - gamma).exp());
    let rho_1 = s["digits01"]["rho"]["1"].as_f64().unwrap();
    assert!(
        (rho_1 - expected).abs() < 1e-12,
        "rho at M = 1: {rho_1}, closed form {expected}"
    );
    assert_eq!(s["digits01"]["rho_std"]["1"].as_f64().unwrap(), 0.0);

    // The figure's data file holds the summary's numbers: rho and m_cav at M = 4 in fig1_rho_mcav.csv.
    let csv = std::fs::read_to_string(dir.join("fig1_rho_mcav.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), preset.sizes.len());
    let row4 = rows.iter().find(|r| r[col("M")] == 4.0).unwrap();
    assert_eq!(
        row4[col("rho_mean")],
        s["digits01"]["rho"]["4"].as_f64().unwrap()
    );
    assert_eq!(
        row4[col("m_cav_mean")],
        s["digits01"]["m_cav"]["4"].as_f64().unwrap()
    );
    std::fs::remove_dir_all(&root).ok();
}

/// A fresh temporary directory for this test process.
fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-repro-zs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `v` without its timings (`seconds`, anywhere), which differ between any two runs.
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
/// two shard counts: summary, claims and the section's text bit for bit apart from the timings
/// (`seconds`), and every figure's data file (CSV, the feature maps' NPZ) byte for byte. A merge
/// without every shard names the missing units and leaves nothing behind.
#[test]
fn shards_merged_equal_the_one_process_run() {
    use spinlearn_reproduce::shard::{Shard, merge, run_shard};
    use spinlearn_reproduce::{ReportParams, ReportRun, run_report};
    const ID: &str = "zero-synapses";
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
    let names = zero_synapses::units(Mode::Smoke).unwrap();
    // Figs. 1, 2 and 4 at M = 1, 4, 16; Fig. 3 at M = 16 and three betas.
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(names.contains(&"fig3-M16-beta0.5".to_string()), "{names:?}");
    for count in [2, names.len()] {
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
        assert!(e.contains("missing") && e.contains("fig1-M1"), "{e}");
        assert!(!base.join("partial").join(ID).exists());
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
        let data: Vec<_> = std::fs::read_dir(one.join(ID))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| {
                let n = n.to_string_lossy();
                n.ends_with(".csv") || n.ends_with(".npz")
            })
            .collect();
        assert_eq!(data.len(), 8, "{data:?}");
        for n in data {
            let a = std::fs::read(one.join(ID).join(&n)).unwrap();
            let b = std::fs::read(merged.join(ID).join(&n)).unwrap();
            assert!(a == b, "{count} shards: {n:?} differs");
        }
        assert!(merged.join("index.html").is_file());
        std::fs::remove_dir_all(&base).unwrap();
    }
    std::fs::remove_dir_all(&one).unwrap();
}
