//! The `relevance` section: resolution and relevance of deep representations (paper 003).
//! Fig. 2a-d and Fig. 3 on the embedded 10,000-digit subset (--quick: 10 epochs per layer, K up to
//! 256, 1,000 samples x 200 Gibbs steps per layer) or on the full MNIST training set (--full with
//! --mnist-dir: the paper's 200 epochs, K up to 2^14, 10,000 Gibbs steps).

use super::{SectionCtx, SectionOutput};
use crate::cmd::relevance::{pipeline_figures, pipeline_summary};
use anyhow::{Context, Result};
use spinlearn_core::record::write_json;
use spinlearn_plot::{ReportSection, TableRow};
use spinlearn_relevance::experiments::{full_params, quick_params, run_pipeline};

/// Runs the section.
pub fn run(s: &SectionCtx) -> Result<SectionOutput> {
    let quick = s.quick();
    let ds = match &s.mnist_dir {
        Some(dir) if !quick => spinlearn_data::mnist::load_dir(dir)?.0,
        _ => spinlearn_data::mnist::embedded()?,
    };
    let labels = ds.labels.clone().context("MNIST without labels")?;
    let params = if quick {
        quick_params(s.seed)
    } else {
        full_params(s.seed)
    };
    let mut progress = s.ctx.progress("relevance", None);
    let r = run_pipeline(
        ds.data.view(),
        &labels,
        ds.image_shape,
        &params,
        None,
        &mut progress,
    )?;
    drop(progress);
    write_json(&s.dir.join("results.json"), &r)?;
    let figs = pipeline_figures(&r, &s.dir, ds.image_shape)?;
    let summary = pipeline_summary(&r);

    let mut table = vec![
        TableRow {
            name: "classifier_test_error".into(),
            value: format!("{:.4}", r.classifier_test_error),
            paper: Some("0.016".into()),
            note: "MLP trained here; held-out part of the data".into(),
        },
        TableRow {
            name: "best_layer_by_H_sum".into(),
            value: format!("{:?}", r.trained.best_by_h_sum()),
            paper: Some("6".into()),
            note: "layer maximizing H[s] + H[k]".into(),
        },
        TableRow {
            name: "best_layer_by_generation".into(),
            value: format!("{:?}", r.trained.best_by_generation()),
            paper: Some("6".into()),
            note: "layer maximizing 1/KL(P || Q)".into(),
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
        });
    }
    let section = ReportSection {
        title: "Resolution and relevance trade-offs in deep learning".into(),
        text: vec![
            format!(
                "A deep belief network {} (0/1 units with biases, PCD-1, batch {}, learning rate {}, {} epochs per layer) trained greedily on M = {} {} digits; hidden states read out by thresholding P(h = 1 | v) at 0.5.",
                std::iter::once(ds.n_features()).chain(r.trained.widths.iter().copied()).map(|w| w.to_string()).collect::<Vec<_>>().join("-"),
                params.dbn.batch_size,
                params.dbn.lr,
                params.dbn.epochs,
                r.m,
                if quick { "embedded MNIST" } else { "MNIST" },
            ),
            "H[s] and H[k] (003 eqs. 1-2) are divided by ln M. The bound is the exact maximum of H[k] + mu H[s] over integer degeneracies (dynamic programming for M <= 1500, otherwise reduced-cost fixing around the Lagrangian dual and an exact search over the remaining degeneracies; summary.json's bound_max_gap is 0 when every point is exact). beta comes from a discrete power-law MLE (Hurwitz zeta) with x_min chosen by the KS distance.".into(),
            format!(
                "Generation: {} samples per layer after {} Gibbs steps in the RBM whose hidden layer is the layer, from random hidden states, then a {:?} down pass to the pixels; labelled by an MLP (test error {:.2} %); generation ability = 1/KL(P_train || Q_generated) with epsilon = {}.",
                params.n_generate, params.gibbs_steps, params.top_down, 100.0 * r.classifier_test_error, params.eps
            ),
        ],
        figures: figs.iter().map(|(name, cap)| s.figure(name, cap.clone())).collect(),
        table,
        ..Default::default()
    };
    Ok(SectionOutput { section, summary })
}
