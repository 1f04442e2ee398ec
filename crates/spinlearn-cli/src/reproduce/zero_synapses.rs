//! The `zero-synapses` section (paper 000, "Zero synapses in unsupervised feature learning"):
//! a one-bit RBM with ternary synapses learned by message passing, Figs. 1-4. The sweeps run in
//! `spinlearn_bp::experiments`; this file picks the sizes, draws the figures and names the figures.

use super::{SectionCtx, SectionOutput};
use crate::cmd::bp::{keyed_by_m, save_features, sweep_plot};
use anyhow::Result;
use serde_json::{Map, Value, json};
use spinlearn_bp::BpParams;
use spinlearn_bp::experiments::{
    BetaSweepConfig, SelectionRun, SizeSweep, SizeSweepConfig, beta_sweep, fraction_converged,
    size_sweep,
};
use spinlearn_bp::spins::{RetinaParams, digit_pool, synthetic_retina};
use spinlearn_plot::{LinePlot, ReportSection, Series, SeriesStyle, TableRow};

/// Runs the section.
pub fn run(s: &SectionCtx) -> Result<SectionOutput> {
    let quick = s.quick();
    let n_sel = if quick { 5 } else { 10 };
    let sizes: Vec<usize> = (2..=10).map(|k| 1usize << k).collect();
    let params = BpParams::default(); // beta = 0.5, damping 0.5, tol 1e-6, max_iter 2000
    let mnist = match &s.mnist_dir {
        Some(dir) if !quick => spinlearn_data::mnist::load_dir(dir)?.0,
        _ => spinlearn_data::mnist::embedded()?,
    };
    let mut all_runs: Vec<SelectionRun> = Vec::new();
    let mut table = Vec::new();

    // Fig. 1: digits 0 and 1.
    let pool01 = digit_pool(&mnist, &[0, 1], 0.5)?;
    let cfg = SizeSweepConfig {
        sizes: sizes.clone(),
        n_selections: n_sel,
        params,
        seed: s.seed.named("digits01"),
    };
    let fig1 = run_sweep(s, "digits 0,1", pool01.view(), &cfg)?;
    save_sweep(s, "fig1", "MNIST digits 0 and 1, beta = 0.5", &fig1)?;
    all_runs.extend(fig1.runs.iter().cloned());

    // Fig. 2: digit 0 alone.
    let pool0 = digit_pool(&mnist, &[0], 0.5)?;
    let cfg0 = SizeSweepConfig {
        seed: s.seed.named("digit0"),
        ..cfg.clone()
    };
    let fig2 = run_sweep(s, "digit 0", pool0.view(), &cfg0)?;
    save_sweep(s, "fig2", "MNIST digit 0, beta = 0.5", &fig2)?;
    all_runs.extend(fig2.runs.iter().cloned());
    let rho_512 = fig2.points.iter().find(|p| p.m == 512).map(|p| p.rho_mean);

    // Fig. 3: beta sweep on digits 0 and 1.
    let betas: Vec<f64> = if quick {
        vec![0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0]
    } else {
        vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0]
    };
    let beta_sizes: Vec<usize> = if quick {
        vec![128, 512]
    } else {
        vec![64, 128, 256, 512]
    };
    let bcfg = BetaSweepConfig {
        sizes: beta_sizes.clone(),
        betas: betas.clone(),
        n_selections: if quick { 3 } else { 10 },
        params,
        seed: s.seed.named("beta"),
    };
    let progress = s.ctx.progress(
        "beta sweep",
        Some((beta_sizes.len() * betas.len() * bcfg.n_selections) as u64),
    );
    let fig3 = beta_sweep(pool01.view(), &bcfg, &|| progress.inc())?;
    drop(progress);
    all_runs.extend(fig3.runs.iter().cloned());
    let mut rho_beta = LinePlot::new(
        "rho against beta, digits 0 and 1",
        "beta",
        "rho (fraction of zero synapses)",
    );
    for &m in &beta_sizes {
        let pts: Vec<_> = fig3.points.iter().filter(|p| p.m == m).collect();
        rho_beta = rho_beta.with(
            Series::points(
                format!("M = {m}"),
                pts.iter().map(|p| p.beta).collect(),
                pts.iter().map(|p| p.rho_mean).collect(),
            )
            .with_err(pts.iter().map(|p| p.rho_std).collect())
            .with_style(SeriesStyle::LinePoints),
        );
    }
    rho_beta.save(&s.stem("fig3_rho_beta"))?;
    let shown_betas = [0.5, 2.0, 5.0, 10.0];
    let maps: Vec<_> = fig3
        .features
        .iter()
        .filter(|f| f.m == 512 && shown_betas.contains(&f.beta))
        .collect();
    save_features(
        &s.stem("fig3_features"),
        "Feature maps at M = 512 (black -1, gray 0, white +1)",
        &maps.iter().map(|f| f.feature.clone()).collect::<Vec<_>>(),
        maps.iter().map(|f| format!("beta = {}", f.beta)).collect(),
        Some((28, 28)),
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
        });
    }

    // Fig. 4: retinal activity (synthetic stand-in).
    let retina_params = RetinaParams {
        n_samples: if quick { 10_000 } else { 50_000 },
        ..RetinaParams::default()
    };
    let retina_pool = synthetic_retina(&retina_params, s.seed.named("retina-data"))?;
    let rcfg = SizeSweepConfig {
        seed: s.seed.named("retina"),
        ..cfg.clone()
    };
    let fig4 = run_sweep(s, "retina", retina_pool.view(), &rcfg)?;
    sweep_plot(
        "SYNTHETIC retina stand-in (160-neuron Ising model), beta = 0.5",
        &fig4,
    )
    .save(&s.stem("fig4_retina_rho_mcav"))?;
    save_features(
        &s.stem("fig4_retina_features"),
        "SYNTHETIC retina: feature maps (160 neurons as 10 x 16)",
        &fig4
            .features
            .iter()
            .map(|f| f.feature.clone())
            .collect::<Vec<_>>(),
        fig4.features
            .iter()
            .map(|f| format!("M = {}", f.m))
            .collect(),
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
            },
            TableRow {
                name: "digits01.rho[1024]".into(),
                value: fmt(at(&fig1, 1024)),
                paper: None,
                note: "Fig. 1(b): a small fraction of zero synapses remains".into(),
            },
            TableRow {
                name: "digit0.rho_at_512".into(),
                value: fmt(rho_512),
                paper: Some("0.042".into()),
                note: "Fig. 2 text: 4.2% zero synapses at M = 512".into(),
            },
            TableRow {
                name: "retina.rho[1024]".into(),
                value: fmt(at(&fig4, 1024)),
                paper: Some("nearly 0".into()),
                note: "Fig. 4, on SYNTHETIC data (the salamander recording is not public)".into(),
            },
            TableRow {
                name: "convergence.fraction_converged".into(),
                value: format!("{frac:.3} of {}", all_runs.len()),
                paper: None,
                note: "runs that met tol = 1e-6 within 2000 sweeps".into(),
            },
        ],
    );
    let mut text = vec![
        format!(
            "Message passing of eqs. (3)-(4) for a one-bit RBM with synapses in {{-1, 0, +1}}; rho = fraction of zero synapses (mean of P_i(0)), m_cav = mean tanh² of the cavity fields. Each point: mean ± std over {n_sel} random selections of M training samples; beta = 0.5 unless stated. Data: {} MNIST as spins (pixel > 0.5 is +1).",
            if s.mnist_dir.is_some() && !quick { "full" } else { "the embedded 10,000-digit" }
        ),
        "rho_asympt = (1/3)[1 - beta^4 eps² omega M² / 3] with eps the RMS cavity magnetization of the converged messages; it holds only while m_cav is small and is drawn where positive.".into(),
        "Fig. 4 uses a SYNTHETIC stand-in for the salamander retina recording (not public): 160 neurons sampled by Gibbs sweeps from a pairwise maximum-entropy model with ~3% firing per bin and sparse positive couplings. `spinlearn bp sweep --raster FILE` runs the same sweep on a real raster.".into(),
    ];
    if !fig2.skipped.is_empty() {
        text.push(format!(
            "Digit 0: sizes {:?} exceed the {} zeros available and were skipped (pass --mnist-dir with --full for the full training set).",
            fig2.skipped,
            pool0.nrows()
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
    for &m in &beta_sizes {
        let mut row = Map::new();
        for p in fig3.points.iter().filter(|p| p.m == m) {
            row.insert(format!("{}", p.beta), json!(p.rho_mean));
        }
        beta_rho.insert(m.to_string(), Value::Object(row));
    }
    let section = ReportSection {
        title: "Zero synapses in unsupervised feature learning (paper 000)".into(),
        text,
        figures: vec![
            s.figure("fig1_features", "Fig. 1(a): feature maps of digits 0 and 1 for M = 4 … 1024 (selection 0; black -1, gray 0, white +1)."),
            s.figure("fig1_rho_mcav", "Fig. 1(b): rho and m_cav against M, with the small-m_cav asymptote."),
            s.figure("fig2_features", "Fig. 2: feature maps learned from digit 0 alone."),
            s.figure("fig2_rho_mcav", "Digit 0: rho and m_cav against M."),
            s.figure("fig3_features", "Fig. 3(a): feature maps at beta = 0.5, 2, 5, 10 (M = 512)."),
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
            "betas": betas,
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
        "n_selections": n_sel,
    });
    Ok(SectionOutput { section, summary })
}

fn run_sweep(
    s: &SectionCtx,
    label: &str,
    pool: ndarray::ArrayView2<'_, f64>,
    cfg: &SizeSweepConfig,
) -> Result<SizeSweep> {
    let progress = s
        .ctx
        .progress(label, Some((cfg.sizes.len() * cfg.n_selections) as u64));
    let sweep = size_sweep(pool, cfg, &|| progress.inc())?;
    Ok(sweep)
}

fn save_sweep(s: &SectionCtx, name: &str, title: &str, sweep: &SizeSweep) -> Result<()> {
    sweep_plot(title, sweep).save(&s.stem(&format!("{name}_rho_mcav")))?;
    save_features(
        &s.stem(&format!("{name}_features")),
        &format!("{title}: feature maps (black -1, gray 0, white +1)"),
        &sweep
            .features
            .iter()
            .map(|f| f.feature.clone())
            .collect::<Vec<_>>(),
        sweep
            .features
            .iter()
            .map(|f| format!("M = {}", f.m))
            .collect(),
        Some((28, 28)),
        3,
    )?;
    Ok(())
}
