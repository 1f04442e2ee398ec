//! The `relevance` section: resolution and relevance of deep representations (paper 003),
//! Fig. 2a-d and Fig. 3. Quick: the embedded 10,000-digit subset, 10 epochs per layer, K up to
//! 256, 1,000 samples x 200 Gibbs steps per layer. Full (with `mnist_dir`: the full MNIST
//! training set): the paper's 200 epochs, K up to 2^14, 10,000 Gibbs steps. Smoke: 300 digits and
//! a three-layer network, seconds.

pub mod figures;

use crate::{Mode, Result, SectionCtx, SectionOutput};
use spinlearn_core::record::write_json;
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_plot::{ReportSection, TableRow};
use spinlearn_relevance::classifier::MlpParams;
use spinlearn_relevance::dbn::{DbnParams, TopDown};
use spinlearn_relevance::experiments::{KMeansSweepParams, PipelineParams, run_pipeline};
use spinlearn_relevance::powerlaw::PowerLawParams;

/// The section's experiment design.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Keep the first N digits (`None`: all of them).
    pub n_samples: Option<usize>,
    /// Read the full MNIST training set when a MNIST directory is given (otherwise the embedded
    /// subset).
    pub full_mnist: bool,
    /// The experiment's sizes and settings.
    pub pipeline: PipelineParams,
}

/// The preset of each mode.
pub fn preset(mode: Mode) -> Preset {
    match mode {
        Mode::Smoke => Preset {
            n_samples: Some(300),
            full_mnist: false,
            pipeline: PipelineParams {
                dbn: DbnParams {
                    widths: vec![32, 16, 8],
                    epochs: 20,
                    batch_size: 10,
                    n_chains: 10,
                    ..DbnParams::default()
                },
                contrast_widths: Some(vec![16; 3]),
                shuffled: true,
                kmeans: KMeansSweepParams {
                    ks: vec![4, 8],
                    restarts: 1,
                    max_iter: 10,
                    tol: 1e-4,
                },
                classifier: MlpParams {
                    n_hidden: 32,
                    epochs: 2,
                    ..MlpParams::default()
                },
                test_fraction: 0.2,
                n_generate: 20,
                gibbs_steps: 2,
                top_down: TopDown::MeanField,
                eps: 1e-6,
                powerlaw: PowerLawParams::default(),
                bound_points: 15,
                keep_samples: 4,
            },
        },
        Mode::Quick => Preset {
            n_samples: None,
            full_mnist: false,
            pipeline: PipelineParams {
                dbn: DbnParams {
                    epochs: 10,
                    ..DbnParams::default()
                },
                contrast_widths: Some(vec![100; 10]),
                shuffled: true,
                kmeans: KMeansSweepParams {
                    ks: vec![4, 16, 64, 256],
                    restarts: 2,
                    max_iter: 20,
                    tol: 1e-4,
                },
                classifier: MlpParams {
                    epochs: 24,
                    ..MlpParams::default()
                },
                test_fraction: 0.2,
                n_generate: 1000,
                gibbs_steps: 200,
                top_down: TopDown::MeanField,
                eps: 1e-6,
                powerlaw: PowerLawParams::default(),
                bound_points: 41,
                keep_samples: 16,
            },
        },
        Mode::Full => Preset {
            n_samples: None,
            full_mnist: true,
            // The paper's setup: widths 500-250-120-60-30-25-20-15-10-5, 200 epochs, a 500-wide
            // contrast network, K = 2^2..2^14, 10,000 samples x 10,000 Gibbs steps per layer.
            pipeline: PipelineParams::default(),
        },
    }
}

/// Runs the section.
pub fn run(s: &SectionCtx, obs: &mut dyn Observer) -> Result<SectionOutput> {
    let p = preset(s.mode);
    let (ds, data_name) = match &s.mnist_dir {
        Some(dir) if p.full_mnist => (spinlearn_data::mnist::load_dir(dir)?.0, "MNIST"),
        _ => (spinlearn_data::mnist::embedded()?, "embedded MNIST"),
    };
    let ds = match p.n_samples {
        Some(n) => ds.head(n),
        None => ds,
    };
    let labels = ds
        .labels
        .clone()
        .ok_or_else(|| crate::ReproduceError::invalid("data", "MNIST without labels"))?;
    let params = p.pipeline.check()?;
    obs.note(&format!(
        "relevance: {} digits, widths {:?}",
        ds.n_samples(),
        p.pipeline.dbn.widths
    ));
    let r = run_pipeline(
        ds.data.view(),
        &labels,
        ds.image_shape,
        &params,
        None,
        s.seed,
        obs,
    )?;
    write_json(&s.dir.join("results.json"), &r)?;
    let figs = figures::pipeline_figures(&r, &s.dir, ds.image_shape)?;
    let summary = figures::pipeline_summary(&r);

    let mut table = vec![
        TableRow {
            name: "classifier_test_error".into(),
            value: format!("{:.4}", r.classifier_test_error),
            paper: Some("0.016".into()),
            note: "MLP trained here; held-out part of the data".into(),
            ..Default::default()
        },
        TableRow {
            name: "best_layer_by_H_sum".into(),
            value: format!("{:?}", r.trained.best_by_h_sum()),
            paper: Some("6".into()),
            note: "layer maximizing H[s] + H[k]".into(),
            ..Default::default()
        },
        TableRow {
            name: "best_layer_by_generation".into(),
            value: format!("{:?}", r.trained.best_by_generation()),
            paper: Some("6".into()),
            note: "layer maximizing 1/KL(P || Q)".into(),
            ..Default::default()
        },
    ];
    for l in &r.trained.layers {
        let a = &l.analysis;
        table.push(TableRow {
            name: format!("H{} (width {})", l.layer, a.width),
            value: format!(
                "H_s {:.3}, H_k {:.3}, beta {}, error {:.3}, 1/KL {}",
                a.entropies.h_s_norm,
                a.entropies.h_k_norm,
                a.powerlaw.map_or("-".into(), |f| format!(
                    "{:.2}±{:.2}",
                    f.beta, f.alpha_stderr
                )),
                a.classification_error.unwrap_or(f64::NAN),
                l.generation
                    .as_ref()
                    .map_or("-".into(), |g| format!("{:.2}", g.generation_ability)),
            ),
            paper: None,
            note: "H / ln M".into(),
            ..Default::default()
        });
    }
    let pp = &p.pipeline;
    let section = ReportSection {
        title: "Resolution and relevance trade-offs in deep learning".into(),
        text: vec![
            format!(
                "A deep belief network {} (0/1 units with biases, PCD-1, batch {}, learning rate {}, {} epochs per layer) trained greedily on M = {} {data_name} digits; hidden states read out by thresholding P(h = 1 | v) at 0.5.",
                std::iter::once(ds.n_features())
                    .chain(r.trained.widths.iter().copied())
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join("-"),
                pp.dbn.batch_size,
                pp.dbn.lr,
                pp.dbn.epochs,
                r.m,
            ),
            "H[s] and H[k] (003 eqs. 1-2) are divided by ln M. The bound is the exact maximum of H[k] + mu H[s] over integer degeneracies (dynamic programming for M <= 1500, otherwise reduced-cost fixing around the Lagrangian dual and an exact search over the remaining degeneracies; summary.json's bound_max_gap is 0 when every point is exact). beta comes from a discrete power-law MLE (Hurwitz zeta) with x_min chosen by the KS distance.".into(),
            format!(
                "Generation: {} samples per layer after {} Gibbs steps in the RBM whose hidden layer is the layer, from random hidden states, then a {:?} down pass to the pixels; labelled by an MLP (test error {:.2} %); generation ability = 1/KL(P_train || Q_generated) with epsilon = {}.",
                pp.n_generate,
                pp.gibbs_steps,
                pp.top_down,
                100.0 * r.classifier_test_error,
                pp.eps
            ),
        ],
        figures: figs
            .iter()
            .map(|(name, cap)| s.figure(name, cap.clone()))
            .collect(),
        table,
        ..Default::default()
    };
    Ok(SectionOutput {
        section,
        summary,
        claims: Vec::new(),
    })
}
