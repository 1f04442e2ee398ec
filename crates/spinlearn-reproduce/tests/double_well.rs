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
