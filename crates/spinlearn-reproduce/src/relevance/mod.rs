//! The `relevance` section: resolution and relevance of deep representations (paper 003),
//! Fig. 2a-d and Fig. 3. An epoch is the paper's: one parameter update on one batch of 100 (Text
//! S1); [`EpochUnit::Pass`] is the alternative. Quick: the embedded 10,000-digit subset, the
//! paper's 200 updates per layer, 3 realizations of the DBN, K up to 256, 1,000 samples x 200
//! Gibbs steps per layer. Full (with `mnist_dir`: the full MNIST training set): 200 updates,
//! 12 realizations, K up to 2^12, 2,000 samples x 1,000 Gibbs steps per layer. Smoke: 300 digits and a three-layer
//! network, 2 realizations, seconds.

pub mod claims;
pub mod figures;

use crate::{Mode, Result, SectionCtx, SectionOutput, claim_anchor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spinlearn_core::record::write_json;
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_plot::{ReportSection, TableRow};
use spinlearn_relevance::classifier::MlpParams;
use spinlearn_relevance::dbn::{DbnParams, EpochUnit, TopDown};
use spinlearn_relevance::experiments::{
    KMeansSweepParams, PipelineParams, PipelineResult, PipelineUnit, UnitResult,
    ValidPipelineParams, run_pipeline, run_pipeline_units,
};
use spinlearn_relevance::powerlaw::PowerLawParams;
use std::path::PathBuf;

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
                    // 600 updates of 10: 20 passes over the 300 digits.
                    epochs: 600,
                    epoch_unit: EpochUnit::Update,
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
                ensembles: 2,
            },
        },
        Mode::Quick => Preset {
            n_samples: None,
            full_mnist: false,
            pipeline: PipelineParams {
                // The paper's 200 updates per layer (Text S1's "epochs").
                dbn: DbnParams {
                    epochs: 200,
                    epoch_unit: EpochUnit::Update,
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
                ensembles: 3,
            },
        },
        Mode::Full => Preset {
            n_samples: None,
            full_mnist: true,
            // The paper's network (widths 500-250-120-60-30-25-20-15-10-5, a 500-wide contrast
            // network, 200 updates per layer) and its 12 realizations of the DBN; the sampling and
            // clustering are cut to about half an hour on 2 cores: 2,000 samples x 1,000 Gibbs
            // steps per layer (the paper: 10,000 x 10,000) and K = 2^2..2^12 (the paper: 2^14).
            pipeline: PipelineParams {
                kmeans: KMeansSweepParams {
                    ks: (2..=12).map(|e| 1usize << e).collect(),
                    restarts: 3,
                    max_iter: 50,
                    tol: 1e-5,
                },
                n_generate: 2_000,
                gibbs_steps: 1_000,
                ensembles: 12,
                ..PipelineParams::default()
            },
        },
    }
}

/// What the section's text and figures need besides the result. Each unit file carries it, so a
/// merge needs neither the data nor the preset of the binary that merges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The mode.
    pub mode: Mode,
    /// The section's seed.
    pub seed: u64,
    /// Samples M.
    pub m: usize,
    /// Pixels per digit.
    pub n_features: usize,
    /// Image shape (rows, columns), when known.
    pub image_shape: Option<(usize, usize)>,
    /// `MNIST` or `embedded MNIST`.
    pub data_name: String,
    /// The experiment's sizes and settings.
    pub pipeline: PipelineParams,
}

/// One unit's raw result, `units/<unit name>.json` of a shard.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UnitFile {
    info: RunInfo,
    result: UnitResult,
}

struct Loaded {
    ds: spinlearn_data::Dataset,
    labels: Vec<u8>,
    info: RunInfo,
    params: ValidPipelineParams,
}

fn load(s: &SectionCtx, obs: &mut dyn Observer) -> Result<Loaded> {
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
    let info = RunInfo {
        mode: s.mode,
        seed: s.seed.0,
        m: ds.n_samples(),
        n_features: ds.n_features(),
        image_shape: ds.image_shape,
        data_name: data_name.into(),
        pipeline: p.pipeline,
    };
    Ok(Loaded {
        ds,
        labels,
        info,
        params,
    })
}

/// Runs the section.
pub fn run(s: &SectionCtx, obs: &mut dyn Observer) -> Result<SectionOutput> {
    let l = load(s, obs)?;
    let r = run_pipeline(
        l.ds.data.view(),
        &l.labels,
        l.ds.image_shape,
        &l.params,
        None,
        s.seed,
        obs,
    )?;
    render(s, &r, &l.info, &l.params)
}

/// The section's units in `mode` (see [`crate::shard`]): the classifier, each realization of the
/// DBN, the untrained, shuffled and contrast networks, each K of k-means, the bound.
pub fn units(mode: Mode) -> Result<Vec<String>> {
    let params = preset(mode).pipeline.check()?;
    Ok(PipelineUnit::all(&params)
        .iter()
        .map(|u| u.name())
        .collect())
}

/// Runs the units at `positions` of [`units`] (each as [`run`] runs it) and writes each one's raw
/// result to `s.dir/units/<name>.json`.
pub fn run_units(s: &SectionCtx, positions: &[usize], obs: &mut dyn Observer) -> Result<Value> {
    let l = load(s, obs)?;
    let all = PipelineUnit::all(&l.params);
    let todo = positions
        .iter()
        .map(|&p| {
            all.get(p).copied().ok_or_else(|| {
                crate::ReproduceError::invalid(
                    "shard",
                    format!("unit {p} of {} does not exist", all.len()),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let done = if todo.is_empty() {
        Vec::new()
    } else {
        run_pipeline_units(
            l.ds.data.view(),
            &l.labels,
            l.ds.image_shape,
            &l.params,
            &todo,
            s.seed,
            obs,
        )?
    };
    let dir = s.dir.join("units");
    std::fs::create_dir_all(&dir).map_err(|e| crate::ReproduceError::io(&dir, e))?;
    for result in done {
        let path = dir.join(format!("{}.json", result.unit.name()));
        write_json(
            &path,
            &UnitFile {
                info: l.info.clone(),
                result,
            },
        )?;
    }
    Ok(json!({"M": l.info.m}))
}

/// Renders the section into `s.dir` from the unit files of the shard section directories `dirs`
/// (`<dir>/units/*.json`): the same result, figures, claims and summary as [`run`].
pub fn merge(s: &SectionCtx, dirs: &[PathBuf], _obs: &mut dyn Observer) -> Result<SectionOutput> {
    let units = crate::shard::read_unit_files::<UnitFile>(dirs)?;
    let info = crate::shard::common_info(s, &units, |u| &u.info, |i| (i.mode, i.seed))?;
    let results = units.into_iter().map(|u| u.unit.result).collect();
    let params = info.pipeline.check()?;
    let r = PipelineResult::assemble(info.m, &params, results).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .strip_prefix("invalid input: ")
            .unwrap_or(&msg)
            .to_string();
        crate::ReproduceError::invalid("merge", msg)
    })?;
    render(s, &r, &info, &params)
}

/// Writes `results.json` and the figures of `r` into `s.dir`; the report part, summary and claims.
fn render(
    s: &SectionCtx,
    r: &PipelineResult,
    info: &RunInfo,
    params: &ValidPipelineParams,
) -> Result<SectionOutput> {
    write_json(&s.dir.join("results.json"), r)?;
    let pp = &info.pipeline;
    let data_name = info.data_name.as_str();
    let figs = figures::pipeline_figures(r, &s.dir, info.image_shape)?;
    let summary = figures::pipeline_summary(r);
    let full_mnist = data_name == "MNIST";
    let n_classifier = r.m - ((r.m as f64) * pp.test_fraction).round() as usize;
    let updates = params.dbn().updates_per_layer(r.m);
    let sizes = if full_mnist {
        String::new()
    } else {
        format!(
            "{}: M = {} embedded digits (paper: 60,000), {} parameter updates per layer (paper: 200).",
            match s.mode {
                Mode::Smoke => "Smoke run",
                Mode::Quick => "Quick run",
                Mode::Full => "Full run on the embedded data",
            },
            r.m,
            updates
        )
    };
    let facts = claims::RunFacts {
        full_mnist,
        classifier_train: n_classifier,
        sizes: sizes.clone(),
    };
    let claims = claims::claims(r, &facts);
    let anchor = |id: &str| Some(claim_anchor("relevance", id));
    let layer_text = |l: Option<usize>| l.map_or("-".to_string(), |l| format!("H{l}"));

    let mut table = vec![
        TableRow {
            name: "classifier_test_error".into(),
            value: format!("{:.4}", r.classifier_test_error),
            paper: Some("0.016".into()),
            note: "MLP trained here; held-out part of the data".into(),
            claim: anchor("classifier.test_error"),
        },
        TableRow {
            name: "best_layer_by_H_sum".into(),
            value: layer_text(r.trained.best_by_h_sum()),
            paper: Some("H6".into()),
            note: "layer maximizing H[s] + H[k]".into(),
            claim: anchor("best_layer.h_sum"),
        },
        TableRow {
            name: "best_layer_by_generation".into(),
            value: layer_text(r.trained.best_by_generation()),
            paper: Some("H6".into()),
            note: "layer maximizing 1/KL(P || Q)".into(),
            claim: anchor("best_layer.generation"),
        },
    ];
    for l in &r.trained.layers {
        let a = &l.analysis;
        table.push(TableRow {
            name: format!("H{} (width {})", l.layer, a.width),
            value: format!(
                "H_s {:.3}, H_k {:.3}, beta {}, error {}, 1/KL {}",
                a.entropies.h_s_norm,
                a.entropies.h_k_norm,
                a.powerlaw.map_or("-".into(), |f| format!(
                    "{:.2} ± {:.2}",
                    f.beta, f.alpha_stderr
                )),
                a.classification_error
                    .map_or("-".into(), |e| format!("{e:.3}")),
                l.generation
                    .as_ref()
                    .map_or("-".into(), |g| format!("{:.2}", g.generation_ability)),
            ),
            paper: None,
            note: "H / ln M; 1/KL in 1/nats".into(),
            ..Default::default()
        });
    }
    let deviations = deviations(r, pp, &sizes, updates);
    let section = ReportSection {
        title: "Resolution and relevance trade-offs in deep learning".into(),
        text: vec![
            format!(
                "A deep belief network {} (0/1 units with biases, PCD-1, batch {}, learning rate {}, {} epochs per layer, an epoch being {}) trained greedily on M = {} {data_name} digits; hidden states read out by thresholding P(h = 1 | v) at 0.5. {} realizations of the trained network (independent seeds) give the ensemble means and standard errors.",
                std::iter::once(info.n_features)
                    .chain(r.trained.widths.iter().copied())
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join("-"),
                pp.dbn.batch_size,
                pp.dbn.lr,
                pp.dbn.epochs,
                match pp.dbn.epoch_unit {
                    EpochUnit::Update => "one parameter update on one batch (the paper's Text S1 definition; the alternative, a pass over the data, is `--epoch-unit pass` of `spinlearn dbn`)",
                    EpochUnit::Pass => "one pass over the data (the paper's Text S1 calls one parameter update an epoch)",
                },
                r.m,
                r.realizations().len(),
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
        paper: PAPER.into(),
        deviations,
        ..Default::default()
    };
    Ok(SectionOutput {
        section,
        summary,
        claims,
    })
}

/// The paper of this section.
pub const PAPER: &str = "J. Song, M. Marsili, J. Jo (2018), Resolution and relevance trade-offs in deep learning, J. Stat. Mech. (2018) (arXiv:1710.11324)";

/// The known deviations from the paper and their causes, with this run's numbers.
fn deviations(
    r: &PipelineResult,
    pp: &spinlearn_relevance::experiments::PipelineParams,
    sizes: &str,
    updates: usize,
) -> Vec<String> {
    let mut d = Vec::new();
    if !sizes.is_empty() {
        d.push(format!(
            "{sizes} Layer indices, H[s] / ln M and the exponents move with M and with training time, so the layer numbers are compared with the paper's only as a trend."
        ));
    }
    match pp.dbn.epoch_unit {
        EpochUnit::Update => d.push(format!(
            "Training time: as in the paper (Text S1), an \"epoch\" is one parameter update on one batch; {updates} updates of batch {} per layer, {} samples seen per layer ({:.2} passes over the M = {} digits). The other reading (an epoch as one pass over the data) is `--epoch-unit pass`; with it the earlier reports trained 10 passes (1,000 updates) per layer in quick mode.",
            pp.dbn.batch_size,
            updates * pp.dbn.batch_size,
            (updates * pp.dbn.batch_size) as f64 / r.m as f64,
            r.m
        )),
        EpochUnit::Pass => d.push(format!(
            "Training time: the paper (Text S1) calls one parameter update on a batch of 100 an \"epoch\" and trains each layer for 200 of them; here an epoch is one pass over the data ({} passes = {updates} updates per layer).",
            pp.dbn.epochs,
        )),
    }
    let n_real = r.realizations().len();
    if n_real < 12 {
        d.push(format!(
            "{n_real} realization{} of the trained DBN (each with its own generated samples): the paper averages twelve for its error bars (Fig. 2, Fig. 3g). Error bars are standard errors over the realizations{}.",
            if n_real == 1 { "" } else { "s" },
            if n_real == 1 { " (none with one; Fig. 2c shows the fit's standard error)" } else { "" }
        ));
    }
    if let Some(sh) = &r.shuffled {
        let single = sh
            .layers
            .iter()
            .filter(|l| l.analysis.entropies.n_states == 1)
            .count();
        if single > 0 {
            d.push(format!(
                "Shuffled-pixel control: {single} of {} layers map every digit to a single state (the dot at the origin of Fig. 2a). Here each image's pixels are permuted independently; the paper (Fig. 2a, S1: \"randomly switching black and white pixels\") finds layers at both low and high resolution, like its untrained network. A likely cause is the training time above (the paper's shuffled network stays near its random start, whose shallow layers keep every digit distinct); this run does not test it.",
                sh.layers.len()
            ));
        }
    }
    if let Some(c) = claims::kmeans_margins(r)
        .iter()
        .copied()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        && c.1 < 0.0
    {
        d.push(format!(
            "k-means (restarts: {}, at most {} Lloyd iterations, K up to {}) reaches a higher H[k] than the DBN at equal H[s] at K = {} ({:+.3} ln M); the paper finds k-means below the DBN for K = 2^2..2^14 on 60,000 digits.",
            pp.kmeans.restarts,
            pp.kmeans.max_iter,
            pp.kmeans.ks.iter().max().copied().unwrap_or(0),
            c.0,
            c.1
        ));
    }
    d.push(format!(
        "Generation: {} samples per layer after {} Gibbs steps (paper: 60,000 chains, 10,000 steps), labelled by an MLP trained here (test error {:.2} %; the paper's classifier: 1.6 %). 1/KL(P || Q) uses label smoothing epsilon = {} for labels never generated, which the paper leaves open.",
        pp.n_generate,
        pp.gibbs_steps,
        100.0 * r.classifier_test_error,
        pp.eps
    ));
    d.push("beta is fitted by the discrete power-law MLE with x_min chosen by the KS distance (Clauset et al.); the paper does not say how it fitted the exponents.".into());
    d
}
