//! The `zero-synapses` section (paper 000, "Zero synapses in unsupervised feature learning"):
//! a one-bit RBM with ternary synapses learned by message passing, Figs. 1-4.
//!
//! preset(mode) -> `spinlearn_bp` size and beta sweeps on MNIST digits 0 and 1, digit 0 and a
//! synthetic retina -> figures ([`figures`]), headline table and summary.

pub mod figures;

use crate::{Mode, Result, SectionCtx, SectionOutput};
use figures::{keyed_by_m, rho_beta_plot, save_features, save_sweep_features, sweep_plot};
use serde_json::{Map, Value, json};
use spinlearn_bp::BpParams;
use spinlearn_bp::experiments::{
    BetaSweepParams, SelectionRun, SizeSweep, SizeSweepParams, beta_sweep, fraction_converged,
    size_sweep,
};
use spinlearn_bp::spins::{RetinaParams, spin_values, synthetic_retina};
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_data::Selection;
use spinlearn_plot::{ReportSection, TableRow};

/// The section's experiment design: sizes, grids and repetitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Data sizes `M` of the size sweeps (Figs. 1, 2, 4).
    pub sizes: Vec<usize>,
    /// Random selections per size.
    pub selections: usize,
    /// The learner (beta = 0.5, damping 0.5, tol 1e-6, max_iter 2000 in the paper's figures).
    pub learner: BpParams,
    /// Pixel threshold of the spin encoding (pixel above it is +1).
    pub threshold: f32,
    /// Whether the full MNIST training set is used when a directory is given.
    pub full_mnist: bool,
    /// The beta grid of Fig. 3, ascending.
    pub betas: Vec<f64>,
    /// Data sizes of the beta sweep.
    pub beta_sizes: Vec<usize>,
    /// Random selections per `(M, beta)`.
    pub beta_selections: usize,
    /// The size whose feature maps Fig. 3(a) shows.
    pub feature_m: usize,
    /// The betas whose feature maps Fig. 3(a) shows.
    pub shown_betas: Vec<f64>,
    /// Time bins sampled from the synthetic retina.
    pub retina_samples: usize,
}

/// The preset of each mode (quick and full are the sizes the report has always used).
pub fn preset(mode: Mode) -> Preset {
    let paper_sizes: Vec<usize> = (2..=10).map(|k| 1usize << k).collect();
    let learner = BpParams::default();
    match mode {
        Mode::Smoke => Preset {
            // M = 1 has a closed form (every cavity field is empty), which the smoke test checks.
            sizes: vec![1, 4, 16],
            selections: 2,
            learner,
            threshold: 0.5,
            full_mnist: false,
            betas: vec![0.5, 2.0, 5.0],
            beta_sizes: vec![16],
            beta_selections: 2,
            feature_m: 16,
            shown_betas: vec![0.5, 2.0, 5.0],
            retina_samples: 400,
        },
        Mode::Quick => Preset {
            sizes: paper_sizes,
            selections: 5,
            learner,
            threshold: 0.5,
            full_mnist: false,
            betas: vec![0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0],
            beta_sizes: vec![128, 512],
            beta_selections: 3,
            feature_m: 512,
            shown_betas: vec![0.5, 2.0, 5.0, 10.0],
            retina_samples: 10_000,
        },
        Mode::Full => Preset {
            sizes: paper_sizes,
            selections: 10,
            learner,
            threshold: 0.5,
            full_mnist: true,
            betas: vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0],
            beta_sizes: vec![64, 128, 256, 512],
            beta_selections: 10,
            feature_m: 512,
            shown_betas: vec![0.5, 2.0, 5.0, 10.0],
            retina_samples: 50_000,
        },
    }
}

/// Runs the section.
pub fn run(s: &SectionCtx, obs: &mut dyn Observer) -> Result<SectionOutput> {
    let p = preset(s.mode);
    let mnist_dir = s.mnist_dir.as_deref().filter(|_| p.full_mnist);
    let digits = |d: &[u8]| {
        Selection {
            digits: Some(d.to_vec()),
            n_samples: None,
            values: spin_values(Some(p.threshold)),
        }
        .load("mnist", mnist_dir)
    };
    let sweep_params = SizeSweepParams {
        sizes: p.sizes.clone(),
        selections: p.selections,
        learner: p.learner,
    }
    .check()?;
    let beta = p.learner.beta;
    let mut all_runs: Vec<SelectionRun> = Vec::new();
    let mut table = Vec::new();

    // Fig. 1: digits 0 and 1.
    let pool01 = digits(&[0, 1])?;
    obs.note("digits 0,1: rho and m_cav against M");
    let fig1 = size_sweep(&pool01, &sweep_params, s.seed.named("digits01"), obs)?;
    save_sweep(
        s,
        "fig1",
        &format!("MNIST digits 0 and 1, beta = {beta}"),
        &fig1,
    )?;
    all_runs.extend(fig1.runs.iter().cloned());

    // Fig. 2: digit 0 alone.
    let pool0 = digits(&[0])?;
    obs.note("digit 0: rho and m_cav against M");
    let fig2 = size_sweep(&pool0, &sweep_params, s.seed.named("digit0"), obs)?;
    save_sweep(s, "fig2", &format!("MNIST digit 0, beta = {beta}"), &fig2)?;
    all_runs.extend(fig2.runs.iter().cloned());
    let rho_512 = fig2.points.iter().find(|p| p.m == 512).map(|p| p.rho_mean);

    // Fig. 3: beta sweep on digits 0 and 1.
    let beta_params = BetaSweepParams {
        sizes: p.beta_sizes.clone(),
        betas: p.betas.clone(),
        selections: p.beta_selections,
        learner: p.learner,
    }
    .check()?;
    obs.note("digits 0,1: rho against beta");
    let fig3 = beta_sweep(&pool01, &beta_params, s.seed.named("beta"), obs)?;
    all_runs.extend(fig3.runs.iter().cloned());
    rho_beta_plot("rho against beta, digits 0 and 1", &fig3, &p.beta_sizes)
        .save(&s.stem("fig3_rho_beta"))?;
    let maps: Vec<_> = fig3
        .features
        .iter()
        .filter(|f| f.m == p.feature_m && p.shown_betas.contains(&f.beta))
        .collect();
    save_features(
        &s.stem("fig3_features"),
        &format!(
            "Feature maps at M = {} (black -1, gray 0, white +1)",
            p.feature_m
        ),
        &maps.iter().map(|f| f.feature.clone()).collect::<Vec<_>>(),
        maps.iter().map(|f| format!("beta = {}", f.beta)).collect(),
        pool01.image_shape,
        4,
    )?;
    let mut beta_c = Map::new();
    for c in &fig3.beta_c {
        beta_c.insert(c.m.to_string(), json!(c.beta_c));
        table.push(TableRow {
            name: format!("beta_sweep.beta_c[{}]", c.m),
            value: c.beta_c.map_or("none on grid".into(), |b| format!("{b}")),
            paper: None,
            note: "grid value where rho(beta) turns upward; paper: beta_c decreases with M".into(),
            ..Default::default()
        });
    }

    // Fig. 4: retinal activity (synthetic stand-in).
    let retina_params = RetinaParams {
        n_samples: p.retina_samples,
        ..RetinaParams::default()
    }
    .check()?;
    let retina_pool = synthetic_retina(&retina_params, s.seed.named("retina-data"))?;
    obs.note("synthetic retina: rho and m_cav against M");
    let fig4 = size_sweep(&retina_pool, &sweep_params, s.seed.named("retina"), obs)?;
    sweep_plot(
        &format!("SYNTHETIC retina stand-in (160-neuron Ising model), beta = {beta}"),
        &fig4,
    )
    .save(&s.stem("fig4_retina_rho_mcav"))?;
    save_sweep_features(
        &s.stem("fig4_retina_features"),
        "SYNTHETIC retina: feature maps (160 neurons as 10 x 16)",
        &fig4,
        None,
        3,
    )?;
    all_runs.extend(fig4.runs.iter().cloned());

    let frac = fraction_converged(&all_runs);
    let at = |sw: &SizeSweep, m: usize| sw.points.iter().find(|p| p.m == m).map(|p| p.rho_mean);
    let fmt = |v: Option<f64>| v.map_or("n/a".to_string(), |x| format!("{x:.4}"));
    table.splice(
        0..0,
        [
            TableRow {
                name: "digits01.rho[4]".into(),
                value: fmt(at(&fig1, 4)),
                paper: Some("≈ 1/3".into()),
                note: "Fig. 1(b): small M".into(),
                ..Default::default()
            },
            TableRow {
                name: "digits01.rho[1024]".into(),
                value: fmt(at(&fig1, 1024)),
                paper: None,
                note: "Fig. 1(b): a small fraction of zero synapses remains".into(),
                ..Default::default()
            },
            TableRow {
                name: "digit0.rho_at_512".into(),
                value: fmt(rho_512),
                paper: Some("0.042".into()),
                note: "Fig. 2 text: 4.2% zero synapses at M = 512".into(),
                ..Default::default()
            },
            TableRow {
                name: "retina.rho[1024]".into(),
                value: fmt(at(&fig4, 1024)),
                paper: Some("nearly 0".into()),
                note: "Fig. 4, on SYNTHETIC data (the salamander recording is not public)".into(),
                ..Default::default()
            },
            TableRow {
                name: "convergence.fraction_converged".into(),
                value: format!("{frac:.3} of {}", all_runs.len()),
                paper: None,
                note: format!(
                    "runs that met tol = {:e} within {} sweeps",
                    p.learner.tol, p.learner.max_iter
                ),
                ..Default::default()
            },
        ],
    );
    let mut text = vec![
        format!(
            "Message passing of eqs. (3)-(4) for a one-bit RBM with synapses in {{-1, 0, +1}}; rho = fraction of zero synapses (mean of P_i(0)), m_cav = mean tanh² of the cavity fields. Each point: mean ± std over {} random selections of M training samples; beta = {beta} unless stated. Data: {} MNIST as spins (pixel > {} is +1).",
            p.selections,
            if mnist_dir.is_some() { "full" } else { "the embedded 10,000-digit" },
            p.threshold
        ),
        "rho_asympt = (1/3)[1 - beta^4 eps² omega M² / 3] with eps the RMS cavity magnetization of the converged messages; it holds only while m_cav is small and is drawn where positive.".into(),
        "Fig. 4 uses a SYNTHETIC stand-in for the salamander retina recording (not public): 160 neurons sampled by Gibbs sweeps from a pairwise maximum-entropy model with ~3% firing per bin and sparse positive couplings. `spinlearn bp sweep --raster FILE` runs the same sweep on a real raster.".into(),
    ];
    if !fig2.skipped.is_empty() {
        text.push(format!(
            "Digit 0: sizes {:?} exceed the {} zeros available and were skipped (pass --mnist-dir with --full for the full training set).",
            fig2.skipped,
            pool0.n_samples()
        ));
    }
    if frac < 1.0 {
        text.push(format!(
            "{} of {} runs did not converge; their figures are the last iterate's.",
            all_runs.iter().filter(|r| !r.converged).count(),
            all_runs.len()
        ));
    }
    let mut beta_rho = Map::new();
    for &m in &p.beta_sizes {
        let mut row = Map::new();
        for pt in fig3.points.iter().filter(|pt| pt.m == m) {
            row.insert(format!("{}", pt.beta), json!(pt.rho_mean));
        }
        beta_rho.insert(m.to_string(), Value::Object(row));
    }
    let shown = p
        .shown_betas
        .iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let section = ReportSection {
        title: "Zero synapses in unsupervised feature learning (paper 000)".into(),
        text,
        figures: vec![
            s.figure("fig1_features", format!("Fig. 1(a): feature maps of digits 0 and 1 for M = {} (selection 0; black -1, gray 0, white +1).", size_range(&fig1))),
            s.figure("fig1_rho_mcav", "Fig. 1(b): rho and m_cav against M, with the small-m_cav asymptote."),
            s.figure("fig2_features", "Fig. 2: feature maps learned from digit 0 alone."),
            s.figure("fig2_rho_mcav", "Digit 0: rho and m_cav against M."),
            s.figure("fig3_features", format!("Fig. 3(a): feature maps at beta = {shown} (M = {}).", p.feature_m)),
            s.figure("fig3_rho_beta", "Fig. 3(b): rho against beta for several M."),
            s.figure("fig4_retina_rho_mcav", "Fig. 4: rho and m_cav against M on the SYNTHETIC retina stand-in."),
            s.figure("fig4_retina_features", "SYNTHETIC retina: feature maps per M."),
        ],
        table,
        ..Default::default()
    };
    let summary = json!({
        "digits01": {
            "rho": keyed_by_m(&fig1, |p| p.rho_mean),
            "rho_std": keyed_by_m(&fig1, |p| p.rho_std),
            "m_cav": keyed_by_m(&fig1, |p| p.m_cav_mean),
            "m_cav_std": keyed_by_m(&fig1, |p| p.m_cav_std),
            "rho_asympt": keyed_by_m(&fig1, |p| p.rho_asympt_mean),
        },
        "digit0": {
            "rho_at_512": rho_512,
            "rho": keyed_by_m(&fig2, |p| p.rho_mean),
            "m_cav": keyed_by_m(&fig2, |p| p.m_cav_mean),
            "skipped_sizes": fig2.skipped,
        },
        "beta_sweep": {
            "beta_c": Value::Object(beta_c),
            "rho": Value::Object(beta_rho),
            "betas": p.betas,
        },
        "retina": {
            "rho": keyed_by_m(&fig4, |p| p.rho_mean),
            "m_cav": keyed_by_m(&fig4, |p| p.m_cav_mean),
            "source": "synthetic: 160-neuron pairwise maximum-entropy model sampled by Gibbs sweeps (not the salamander recording)",
        },
        "convergence": {
            "fraction_converged": frac,
            "n_runs": all_runs.len(),
        },
        "n_selections": p.selections,
    });
    Ok(SectionOutput {
        section,
        summary,
        claims: Vec::new(),
    })
}

/// `"4 … 1024"`: the first and last size of a sweep.
fn size_range(sweep: &SizeSweep) -> String {
    match (sweep.points.first(), sweep.points.last()) {
        (Some(a), Some(b)) => format!("{} … {}", a.m, b.m),
        _ => "none".into(),
    }
}

/// The rho / m_cav plot and the feature maps of one MNIST size sweep.
fn save_sweep(s: &SectionCtx, name: &str, title: &str, sweep: &SizeSweep) -> Result<()> {
    sweep_plot(title, sweep).save(&s.stem(&format!("{name}_rho_mcav")))?;
    save_sweep_features(
        &s.stem(&format!("{name}_features")),
        &format!("{title}: feature maps (black -1, gray 0, white +1)"),
        sweep,
        Some((28, 28)),
        3,
    )
}
