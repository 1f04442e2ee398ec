//! The `double-well` section end to end at the smoke preset: summary keys, figure files, and the
//! transition probability q of the matching Markov synapse (Fig. 4) against a Monte Carlo of
//! single double-well synapses.

use spinlearn_attractor::{DoubleWellSynapses, SynapseParams};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_reproduce::{Mode, SectionCtx, double_well};

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
    assert_eq!(out.section.figures.len(), 13);
    for fig in &out.section.figures {
        let png = root.join(&fig.path);
        assert!(png.exists(), "{}", png.display());
        assert!(png.with_extension("svg").exists(), "{}", png.display());
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
