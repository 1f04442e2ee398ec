//! The computations behind 003's figures, returning plain structs (the reproduce crate draws and
//! writes them).
//!
//! - [`analyze_ids`], [`analyze_layer`]: `H[s]`, `H[k]`, `m_k`, the power-law exponent `β` and the
//!   classification error of one representation (Fig. 2a-d).
//! - [`classification_error`]: fraction of samples whose label differs from the majority label of
//!   their state (Fig. 2d).
//! - [`generation_score`]: `1/KL(P_train(label) || Q_generated(label))` (eq. 9) with ε smoothing,
//!   both KL directions.
//! - [`kmeans_sweep`]: the k-means baseline for a list of K.
//! - [`analyze_network`], [`train_and_analyze`]: every layer of one network.
//! - [`run_pipeline`]: the whole experiment (trained, untrained and shuffled-pixel networks, a
//!   contrast architecture, k-means, the bound, the classifier and generation from each layer).

use crate::bound::{BoundPoint, bound_curve, default_mus};
use crate::classifier::{Mlp, MlpParams, ValidMlpParams, train_mlp};
use crate::dbn::{Dbn, DbnParams, Readout, TopDown, ValidDbnParams, train_dbn};
use crate::error::prefixed;
use crate::kmeans::{KMeansParams, kmeans};
use crate::powerlaw::{PowerLawFit, PowerLawParams, ValidPowerLawParams, fit};
use crate::states::{Entropies, PackedStates, StateStats};
use crate::{RelevanceError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Observer, ParamGuard, Seed, StepReport, check};
use std::time::Instant;

/// Fraction of samples whose label differs from the majority label of their state (ties go to
/// the smaller label). `ids` and `labels` have one entry per sample.
pub fn classification_error(ids: &[u32], labels: &[u8]) -> f64 {
    let n_states = ids.iter().map(|&i| i as usize + 1).max().unwrap_or(0);
    let mut table = vec![[0u32; 256]; n_states];
    for (&i, &l) in ids.iter().zip(labels) {
        table[i as usize][l as usize] += 1;
    }
    let majority: u64 = table
        .iter()
        .map(|row| u64::from(*row.iter().max().unwrap_or(&0)))
        .sum();
    1.0 - majority as f64 / ids.len().max(1) as f64
}

/// One representation analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerAnalysis {
    /// Units in the layer (0 for cluster labels).
    pub width: usize,
    /// `H[s]`, `H[k]` (nats and / ln M).
    pub entropies: Entropies,
    /// `(k, m_k)`.
    pub degeneracy: Vec<(u64, u64)>,
    /// Power-law fit of the frequencies (`None` when it cannot be fitted, e.g. all states
    /// distinct).
    pub powerlaw: Option<PowerLawFit>,
    /// Fig. 2d's classification error (`None` without labels).
    pub classification_error: Option<f64>,
}

/// Analyses one representation given the state id of every sample (`width` units, 0 for cluster
/// labels); the power-law bootstrap (if any) draws from `seed`.
pub fn analyze_ids(
    ids: &[u32],
    width: usize,
    labels: Option<&[u8]>,
    pl: &ValidPowerLawParams,
    seed: Seed,
) -> Result<LayerAnalysis> {
    let stats = StateStats::from_ids(ids)?;
    let powerlaw = fit(&stats.counts, pl, seed).ok();
    Ok(LayerAnalysis {
        width,
        entropies: stats.entropies,
        degeneracy: stats.degeneracy,
        powerlaw,
        classification_error: labels.map(|l| classification_error(ids, l)),
    })
}

/// Analyses binary states `(n_samples, width)` (unit on when `> 0.5`); see [`analyze_ids`].
pub fn analyze_layer(
    states: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    pl: &ValidPowerLawParams,
    seed: Seed,
) -> Result<LayerAnalysis> {
    let ids = PackedStates::from_rows(states, 0.5).ids();
    analyze_ids(&ids, states.ncols(), labels, pl, seed)
}

/// Label frequencies `(n_classes,)`, normalized.
pub fn label_distribution(labels: &[u8], n_classes: usize) -> Vec<f64> {
    let mut c = vec![0.0; n_classes];
    for &l in labels {
        if (l as usize) < n_classes {
            c[l as usize] += 1.0;
        }
    }
    let n: f64 = c.iter().sum();
    c.iter().map(|v| v / n.max(1.0)).collect()
}

/// The label statistics of generated samples against the training labels (eq. 9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationScore {
    /// `Q(label)` of the generated samples (ε-smoothed).
    pub q: Vec<f64>,
    /// `KL(P || Q)` in nats (eq. 9's divergence).
    pub kl_pq: f64,
    /// `KL(Q || P)` in nats.
    pub kl_qp: f64,
    /// `1 / KL(P || Q)`.
    pub generation_ability: f64,
}

/// Scores generated labels against the training distribution `p`: `Q = (count + ε)/(n + C ε)`.
pub fn generation_score(p: &[f64], generated: &[u8], eps: f64) -> GenerationScore {
    let c = p.len();
    let mut counts = vec![0.0; c];
    for &l in generated {
        if (l as usize) < c {
            counts[l as usize] += 1.0;
        }
    }
    let n: f64 = counts.iter().sum();
    let q: Vec<f64> = counts
        .iter()
        .map(|&k| (k + eps) / (n + c as f64 * eps))
        .collect();
    let kl = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, _)| **x > 0.0)
            .map(|(&x, &y)| x * (x / y).ln())
            .sum()
    };
    let ps: Vec<f64> = p
        .iter()
        .map(|&v| (v + eps) / (1.0 + c as f64 * eps))
        .collect();
    let kl_pq = kl(p, &q);
    let kl_qp = kl(&q, &ps);
    GenerationScore {
        q,
        kl_pq,
        kl_qp,
        generation_ability: 1.0 / kl_pq.max(1e-300),
    }
}

/// One k-means point of Fig. 2a.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansPoint {
    /// Number of clusters.
    #[serde(rename = "K")]
    pub k: usize,
    /// The clustering's analysis.
    pub analysis: LayerAnalysis,
    /// Inertia of the best restart.
    pub inertia: f64,
}

/// The k-means baseline: K values and the settings shared by every K (the `kmeans_*` keys of
/// [`PipelineParams`]). Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansSweepParams {
    /// The K values (each at least 1; may be empty).
    pub ks: Vec<usize>,
    /// Restarts per K.
    pub restarts: usize,
    /// Maximum Lloyd iterations per restart.
    pub max_iter: usize,
    /// Relative inertia tolerance.
    pub tol: f64,
}

/// [`KMeansSweepParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidKMeansSweepParams {
    ks: Vec<usize>,
    restarts: usize,
    max_iter: usize,
    tol: f64,
}

impl ValidKMeansSweepParams {
    /// The K values.
    pub fn ks(&self) -> &[usize] {
        &self.ks
    }

    /// Restarts per K.
    pub fn restarts(&self) -> usize {
        self.restarts
    }
}

impl ParamGuard for KMeansSweepParams {
    type Checked = ValidKMeansSweepParams;

    fn check(&self) -> spinlearn_core::Result<ValidKMeansSweepParams> {
        for &k in &self.ks {
            check::nonzero("ks", k)?;
        }
        let base = KMeansParams {
            k: 1,
            restarts: self.restarts,
            max_iter: self.max_iter,
            tol: self.tol,
        }
        .check()?;
        Ok(ValidKMeansSweepParams {
            ks: self.ks.clone(),
            restarts: base.restarts(),
            max_iter: base.max_iter(),
            tol: base.tol(),
        })
    }
}

/// k-means for each K of `p`, each analysed like a layer: K draws from `seed.derive(K)`, the
/// power-law bootstrap (if any) from `seed.named("powerlaw")`. Reports each K (stage `k-means`).
pub fn kmeans_sweep(
    data: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    p: &ValidKMeansSweepParams,
    pl: &ValidPowerLawParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<Vec<KMeansPoint>> {
    (0..p.ks.len())
        .map(|i| kmeans_point(data, labels, p, i, pl, seed, observer))
        .collect()
}

/// The `i`-th K of [`kmeans_sweep`] alone (the same draws as in the sweep).
fn kmeans_point(
    data: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    p: &ValidKMeansSweepParams,
    i: usize,
    pl: &ValidPowerLawParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<KMeansPoint> {
    let k = *p
        .ks
        .get(i)
        .ok_or_else(|| RelevanceError::Input(format!("no K number {i} in the k-means sweep")))?;
    let kp = KMeansParams {
        k,
        restarts: p.restarts,
        max_iter: p.max_iter,
        tol: p.tol,
    }
    .check()?;
    let r = kmeans(data, &kp, seed.derive(k as u64))?;
    let analysis = analyze_ids(&r.assignment, 0, labels, pl, seed.named("powerlaw"))?;
    let m = [("K", k as f64)];
    observer.observe(&StepReport {
        stage: "k-means",
        step: i + 1,
        total: Some(p.ks.len()),
        metrics: &m,
    });
    Ok(KMeansPoint {
        k,
        analysis,
        inertia: r.inertia,
    })
}

/// Configuration of the whole experiment (the flags of `spinlearn dbn analyze`); the default is
/// the paper's setup. Validate with [`ParamGuard::check`]: errors name the nested settings with
/// their prefix (`contrast_widths`, `kmeans_restarts`, `classifier_epochs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineParams {
    /// The DBN (widths, epochs, learning rate, ...).
    pub dbn: DbnParams,
    /// A contrast architecture (deep but not narrowing) trained like `dbn`; `None` to skip.
    pub contrast_widths: Option<Vec<usize>>,
    /// Also train on shuffled-pixel data.
    pub shuffled: bool,
    /// The k-means baseline.
    pub kmeans: KMeansSweepParams,
    /// The classifier that labels generated samples.
    pub classifier: MlpParams,
    /// Fraction of the labelled data held out to test the classifier, in [0.01, 0.9].
    pub test_fraction: f64,
    /// Generated samples per layer (0: skip generation).
    pub n_generate: usize,
    /// Gibbs steps per generation (at least 1).
    pub gibbs_steps: usize,
    /// Down pass of generation (mean-field by default).
    pub top_down: TopDown,
    /// ε of the label smoothing in eq. 9.
    pub eps: f64,
    /// Power-law fit options.
    pub powerlaw: PowerLawParams,
    /// Multipliers μ on the bound curve (at least 2).
    pub bound_points: usize,
    /// Sample images kept per layer for figures.
    pub keep_samples: usize,
    /// Independent realizations of the trained DBN (each trained, analysed and generating from
    /// its own seed) for ensemble means and standard errors; 1: the main network only (the
    /// paper averages 12).
    #[serde(default = "one")]
    pub ensembles: usize,
}

fn one() -> usize {
    1
}

impl Default for PipelineParams {
    fn default() -> Self {
        PipelineParams {
            dbn: DbnParams::default(),
            contrast_widths: Some(vec![500; 10]),
            shuffled: true,
            kmeans: KMeansSweepParams {
                ks: (2..=14).map(|e| 1usize << e).collect(),
                restarts: 3,
                max_iter: 100,
                tol: 1e-5,
            },
            classifier: MlpParams {
                epochs: 30,
                ..MlpParams::default()
            },
            test_fraction: 0.15,
            n_generate: 10_000,
            gibbs_steps: 10_000,
            top_down: TopDown::MeanField,
            eps: 1e-6,
            powerlaw: PowerLawParams::default(),
            bound_points: 81,
            keep_samples: 36,
            ensembles: 1,
        }
    }
}

/// [`PipelineParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPipelineParams {
    dbn: ValidDbnParams,
    contrast: Option<ValidDbnParams>,
    shuffled: bool,
    kmeans: ValidKMeansSweepParams,
    classifier: ValidMlpParams,
    test_fraction: f64,
    n_generate: usize,
    gibbs_steps: usize,
    top_down: TopDown,
    eps: f64,
    powerlaw: ValidPowerLawParams,
    bound_points: usize,
    keep_samples: usize,
    ensembles: usize,
}

impl ParamGuard for PipelineParams {
    type Checked = ValidPipelineParams;

    fn check(&self) -> spinlearn_core::Result<ValidPipelineParams> {
        let dbn = self.dbn.check()?;
        // Generated samples: a visible and a hidden state per sample, for the widest layer (the
        // data's width is not known here).
        let widest = dbn.widths().iter().copied().max().unwrap_or(1);
        spinlearn_core::mem::check("n_generate", &[(&[self.n_generate, widest, 2], 8)])?;
        let contrast = match &self.contrast_widths {
            Some(w) => Some(dbn.with_widths(w).map_err(prefixed("contrast_"))?),
            None => None,
        };
        Ok(ValidPipelineParams {
            contrast,
            dbn,
            shuffled: self.shuffled,
            kmeans: self.kmeans.check().map_err(prefixed("kmeans_"))?,
            classifier: self.classifier.check().map_err(prefixed("classifier_"))?,
            test_fraction: check::in_range("test_fraction", self.test_fraction, 0.01, 0.9)?,
            n_generate: self.n_generate,
            gibbs_steps: check::nonzero("gibbs_steps", self.gibbs_steps)?,
            top_down: self.top_down,
            eps: check::non_negative("eps", self.eps)?,
            powerlaw: self.powerlaw.check()?,
            bound_points: check::at_least("bound_points", self.bound_points, 2)?,
            keep_samples: self.keep_samples,
            ensembles: check::nonzero("ensembles", self.ensembles)?,
        })
    }
}

impl ValidPipelineParams {
    /// The DBN's training.
    pub fn dbn(&self) -> &ValidDbnParams {
        &self.dbn
    }

    /// The contrast network's training, if any.
    pub fn contrast(&self) -> Option<&ValidDbnParams> {
        self.contrast.as_ref()
    }

    /// The k-means baseline.
    pub fn kmeans(&self) -> &ValidKMeansSweepParams {
        &self.kmeans
    }

    /// The classifier's training.
    pub fn classifier(&self) -> &ValidMlpParams {
        &self.classifier
    }

    /// Generated samples per layer.
    pub fn n_generate(&self) -> usize {
        self.n_generate
    }

    /// Gibbs steps per generation.
    pub fn gibbs_steps(&self) -> usize {
        self.gibbs_steps
    }

    /// Down pass of generation.
    pub fn top_down(&self) -> TopDown {
        self.top_down
    }

    /// ε of the label smoothing.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// Power-law fit options.
    pub fn powerlaw(&self) -> &ValidPowerLawParams {
        &self.powerlaw
    }

    /// Realizations of the trained DBN (>= 1).
    pub fn ensembles(&self) -> usize {
        self.ensembles
    }
}

/// One hidden layer of one network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerResult {
    /// 1-based layer index.
    pub layer: usize,
    /// The representation's analysis.
    pub analysis: LayerAnalysis,
    /// Generation from this layer (trained networks only).
    pub generation: Option<GenerationScore>,
    /// A few generated images `(keep_samples, n_visible)`.
    #[serde(skip)]
    pub samples: Option<Array2<f32>>,
}

/// One network's layers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkResult {
    /// `"trained"`, `"epoch0"`, `"shuffled"` or `"contrast"`.
    pub name: String,
    /// Hidden widths.
    pub widths: Vec<usize>,
    /// Per layer, shallow to deep.
    pub layers: Vec<LayerResult>,
    /// Training seconds.
    pub train_seconds: f64,
}

impl NetworkResult {
    /// The 1-based layer maximizing `H[s] + H[k]`.
    pub fn best_by_h_sum(&self) -> Option<usize> {
        self.layers
            .iter()
            .max_by(|a, b| {
                let f = |l: &LayerResult| l.analysis.entropies.h_s + l.analysis.entropies.h_k;
                f(a).total_cmp(&f(b))
            })
            .map(|l| l.layer)
    }

    /// The 1-based layer with the largest generation ability.
    pub fn best_by_generation(&self) -> Option<usize> {
        self.layers
            .iter()
            .filter_map(|l| {
                l.generation
                    .as_ref()
                    .map(|g| (l.layer, g.generation_ability))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, _)| l)
    }
}

/// Everything of the section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineResult {
    /// Samples M.
    #[serde(rename = "M")]
    pub m: usize,
    /// The trained DBN.
    pub trained: NetworkResult,
    /// The same architecture untrained (epoch 0).
    pub epoch0: NetworkResult,
    /// Trained on shuffled-pixel data.
    pub shuffled: Option<NetworkResult>,
    /// The contrast architecture, trained.
    pub contrast: Option<NetworkResult>,
    /// k-means baseline.
    pub kmeans: Vec<KMeansPoint>,
    /// The maximal-relevance bound at this M.
    pub bound: Vec<BoundPoint>,
    /// Classifier test error on the held-out part.
    pub classifier_test_error: f64,
    /// Training label distribution `P(label)`.
    pub p_label: Vec<f64>,
    /// The further realizations of the trained DBN (`ensembles - 1` of them; the first
    /// realization is `trained`).
    #[serde(default)]
    pub ensemble: Vec<NetworkResult>,
    /// The trained network itself.
    #[serde(skip)]
    pub dbn: Option<Dbn>,
}

/// Mean and standard error of the mean of one per-layer figure over the realizations that have
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnsembleValue {
    /// Mean over realizations.
    pub mean: f64,
    /// Standard error of the mean, std / sqrt(n) (unbiased std; 0 for one realization).
    pub stderr: f64,
    /// Realizations that have the figure.
    pub n: usize,
}

impl EnsembleValue {
    /// Mean and standard error of `xs`; `None` when empty.
    pub fn of(xs: &[f64]) -> Option<EnsembleValue> {
        let n = xs.len();
        if n == 0 {
            return None;
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let stderr = if n > 1 {
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            (var / n as f64).sqrt()
        } else {
            0.0
        };
        Some(EnsembleValue { mean, stderr, n })
    }
}

/// One layer's figures over the realizations of the trained DBN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleLayer {
    /// 1-based layer index.
    pub layer: usize,
    /// H[s] / ln M.
    pub h_s_norm: EnsembleValue,
    /// H[k] / ln M.
    pub h_k_norm: EnsembleValue,
    /// Power-law exponent beta (realizations with a fit).
    pub beta: Option<EnsembleValue>,
    /// Classification error (realizations with labels).
    pub classification_error: Option<EnsembleValue>,
    /// Generation ability 1/KL (realizations that generated).
    pub generation_ability: Option<EnsembleValue>,
}

impl PipelineResult {
    /// All realizations of the trained DBN: `trained` then `ensemble`.
    pub fn realizations(&self) -> Vec<&NetworkResult> {
        std::iter::once(&self.trained)
            .chain(self.ensemble.iter())
            .collect()
    }

    /// Per layer, mean and standard error over [`PipelineResult::realizations`].
    pub fn ensemble_layers(&self) -> Vec<EnsembleLayer> {
        let nets = self.realizations();
        (0..self.trained.layers.len())
            .map(|l| {
                let layers: Vec<&LayerResult> =
                    nets.iter().filter_map(|n| n.layers.get(l)).collect();
                let col = |f: &dyn Fn(&LayerResult) -> Option<f64>| -> Vec<f64> {
                    layers.iter().filter_map(|x| f(x)).collect()
                };
                EnsembleLayer {
                    layer: l + 1,
                    h_s_norm: EnsembleValue::of(&col(&|x| Some(x.analysis.entropies.h_s_norm)))
                        .expect("at least one realization"),
                    h_k_norm: EnsembleValue::of(&col(&|x| Some(x.analysis.entropies.h_k_norm)))
                        .expect("at least one realization"),
                    beta: EnsembleValue::of(&col(&|x| x.analysis.powerlaw.map(|f| f.beta))),
                    classification_error: EnsembleValue::of(&col(&|x| {
                        x.analysis.classification_error
                    })),
                    generation_ability: EnsembleValue::of(&col(&|x| {
                        x.generation.as_ref().map(|g| g.generation_ability)
                    })),
                }
            })
            .collect()
    }
}

fn shuffle_pixels(data: ArrayView2<'_, f32>, seed: Seed) -> Array2<f32> {
    // Each image's pixels permuted independently (003 Fig. S1's "shuffled MNIST").
    let mut out = data.to_owned();
    for (i, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        let mut rng = seed.stream(i as u64);
        let n = row.len();
        for j in (1..n).rev() {
            row.swap(j, rng.random_range(0..=j));
        }
    }
    out
}

/// Samples of one representation: data `(n_samples, n_visible)` with values in [0, 1] and, when
/// known, one label per sample.
#[derive(Debug, Clone, Copy)]
pub struct Samples<'a> {
    /// The data.
    pub data: ArrayView2<'a, f32>,
    /// The labels, `(n_samples,)`.
    pub labels: Option<&'a [u8]>,
}

/// What generation from each layer needs (eq. 9): the classifier, the training label distribution
/// and the sizes.
#[derive(Debug, Clone, Copy)]
pub struct Generation<'a> {
    /// Labels the generated samples.
    pub classifier: &'a Mlp,
    /// Training label distribution `P(label)`.
    pub p_label: &'a [f64],
    /// Samples generated per layer (0: none).
    pub n_generate: usize,
    /// Gibbs steps per generation.
    pub gibbs_steps: usize,
    /// Down pass to the pixels.
    pub top_down: TopDown,
    /// ε of the label smoothing.
    pub eps: f64,
    /// Generated images kept per layer.
    pub keep_samples: usize,
}

/// Analyses every layer of `dbn` on `samples` (threshold read-out); with `generation`, also
/// generates from every layer (layer `l`, 0-based, from `seed.named("generate").derive(l)`),
/// labels the samples with the classifier and scores them. The power-law bootstrap (if any) draws
/// from `seed.named("powerlaw")`. Reports each layer (stage `name`); `train_seconds` is left 0.
pub fn analyze_network(
    name: &str,
    dbn: &Dbn,
    samples: Samples<'_>,
    pl: &ValidPowerLawParams,
    generation: Option<&Generation<'_>>,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<NetworkResult> {
    let states = dbn.forward(samples.data, Readout::Threshold)?;
    let mut layers = Vec::new();
    let n = states.len();
    for (l, st) in states.iter().enumerate() {
        let analysis = analyze_layer(st.view(), samples.labels, pl, seed.named("powerlaw"))?;
        let (generation, samples) = match generation {
            Some(g) if g.n_generate > 0 => {
                let x = dbn.generate_with(
                    l + 1,
                    g.n_generate,
                    g.gibbs_steps,
                    g.top_down,
                    seed.named("generate").derive(l as u64),
                )?;
                let lab = g.classifier.predict(x.view());
                let keep = g.keep_samples.min(x.nrows());
                (
                    Some(generation_score(g.p_label, &lab, g.eps)),
                    Some(x.slice(ndarray::s![..keep, ..]).to_owned()),
                )
            }
            _ => (None, None),
        };
        layers.push(LayerResult {
            layer: l + 1,
            analysis,
            generation,
            samples,
        });
        let m = [("layer", (l + 1) as f64)];
        observer.observe(&StepReport {
            stage: name,
            step: l + 1,
            total: Some(n),
            metrics: &m,
        });
    }
    Ok(NetworkResult {
        name: name.into(),
        widths: dbn.widths(),
        layers,
        train_seconds: 0.0,
    })
}

/// Trains a DBN on `samples` ([`train_dbn`] from `seed`) and analyses each of its layers
/// ([`analyze_network`] named `"trained"`, without generation); returns the network and its
/// analysis with the training time.
pub fn train_and_analyze(
    samples: Samples<'_>,
    p: &ValidDbnParams,
    pl: &ValidPowerLawParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<(Dbn, NetworkResult)> {
    let t = Instant::now();
    let dbn = train_dbn(samples.data, p, seed, observer)?;
    let secs = t.elapsed().as_secs_f64();
    let mut net = analyze_network("trained", &dbn, samples, pl, None, seed, observer)?;
    net.train_seconds = secs;
    Ok((dbn, net))
}

/// One independent unit of work of [`run_pipeline`]. Each unit draws only from its own streams,
/// named from the experiment's seed and the unit's own index (never from the process or the
/// order it runs in), so units can run in any order and in separate processes (a cluster's
/// tasks, see [`run_pipeline_units`]) and [`PipelineResult::assemble`] of their outputs equals one
/// [`run_pipeline`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineUnit {
    /// The classifier's test error on the held-out part and the training label distribution.
    Classifier,
    /// Realization `r` of the trained DBN: 0 is [`PipelineResult::trained`] (trained from
    /// `seed.named("dbn")`, generating from `seed`), `r >= 1` is `ensemble[r - 1]` (trained from
    /// `seed.named("dbn-ensemble").derive(r)`, generating from `seed.named("ensemble").derive(r)`).
    Realization(usize),
    /// The untrained network (`seed.named("dbn").named("epoch0")`).
    Epoch0,
    /// The network trained on shuffled-pixel data.
    Shuffled,
    /// The contrast architecture.
    Contrast,
    /// k-means at the `i`-th K of the sweep (K draws from `seed.named("kmeans").derive(K)`).
    KMeans(usize),
    /// The maximal-relevance bound at this M (no randomness).
    Bound,
}

impl PipelineUnit {
    /// Every unit of the experiment `p`, in the order [`run_pipeline`] runs them: the classifier,
    /// the realizations, epoch 0, the shuffled and contrast networks (when configured), each K,
    /// the bound.
    pub fn all(p: &ValidPipelineParams) -> Vec<PipelineUnit> {
        let mut v = vec![PipelineUnit::Classifier];
        v.extend((0..p.ensembles).map(PipelineUnit::Realization));
        v.push(PipelineUnit::Epoch0);
        if p.shuffled {
            v.push(PipelineUnit::Shuffled);
        }
        if p.contrast.is_some() {
            v.push(PipelineUnit::Contrast);
        }
        v.extend((0..p.kmeans.ks.len()).map(PipelineUnit::KMeans));
        v.push(PipelineUnit::Bound);
        v
    }

    /// A file-name-safe name: `classifier`, `realization-003`, `epoch0`, `shuffled`, `contrast`,
    /// `kmeans-002`, `bound`.
    pub fn name(&self) -> String {
        match self {
            PipelineUnit::Classifier => "classifier".into(),
            PipelineUnit::Realization(r) => format!("realization-{r:03}"),
            PipelineUnit::Epoch0 => "epoch0".into(),
            PipelineUnit::Shuffled => "shuffled".into(),
            PipelineUnit::Contrast => "contrast".into(),
            PipelineUnit::KMeans(i) => format!("kmeans-{i:03}"),
            PipelineUnit::Bound => "bound".into(),
        }
    }

    fn needs_classifier(self) -> bool {
        matches!(
            self,
            PipelineUnit::Classifier | PipelineUnit::Realization(_) | PipelineUnit::Contrast
        )
    }
}

/// Generated images `(rows, cols)` kept exactly: each `f32` as its bit pattern (a JSON number
/// would not round-trip every `f32` through `f64`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptSamples {
    /// Rows (samples).
    pub rows: usize,
    /// Columns (pixels).
    pub cols: usize,
    /// `f32::to_bits` of each value, row-major.
    pub bits: Vec<u32>,
}

impl KeptSamples {
    fn of(a: &Array2<f32>) -> KeptSamples {
        KeptSamples {
            rows: a.nrows(),
            cols: a.ncols(),
            bits: a.iter().map(|x| x.to_bits()).collect(),
        }
    }

    fn array(&self) -> Result<Array2<f32>> {
        Array2::from_shape_vec(
            (self.rows, self.cols),
            self.bits.iter().map(|&b| f32::from_bits(b)).collect(),
        )
        .map_err(|e| RelevanceError::Input(format!("kept samples: {e}")))
    }
}

/// What one [`PipelineUnit`] measured (serializable: a unit's raw result, written by one process
/// and read by another).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitOutput {
    /// [`PipelineUnit::Classifier`].
    Classifier {
        /// Test error on the held-out part.
        test_error: f64,
        /// Training label distribution `P(label)`.
        p_label: Vec<f64>,
    },
    /// A network unit, with the generated images of each layer (`None` where none were kept).
    Network {
        /// The network's layers (their `samples` travel in `samples`).
        net: NetworkResult,
        /// Per layer, the kept generated images.
        samples: Vec<Option<KeptSamples>>,
    },
    /// [`PipelineUnit::KMeans`].
    KMeans(KMeansPoint),
    /// [`PipelineUnit::Bound`].
    Bound(Vec<BoundPoint>),
}

impl UnitOutput {
    fn network(net: NetworkResult) -> UnitOutput {
        let samples = net
            .layers
            .iter()
            .map(|l| l.samples.as_ref().map(KeptSamples::of))
            .collect();
        UnitOutput::Network { net, samples }
    }
}

/// One unit and its output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    /// Which unit.
    pub unit: PipelineUnit,
    /// What it measured.
    pub output: UnitOutput,
}

/// Runs the experiment on `data (M, n_visible)` in [0, 1] with `labels` in 0..10 (`image_shape`
/// enables the classifier's shift augmentation): every [`PipelineUnit`] of `params`, assembled by
/// [`PipelineResult::assemble`]. With `pretrained` the main network is not trained again (its
/// widths replace the DBN's for the untrained and shuffled controls). Every stream derives from
/// `seed` by name (`split`, `mlp`, `dbn`, `shuffle`, `dbn-shuffled`, `dbn-contrast`, `kmeans`,
/// `generate`). Progress goes to `observer` (stages `dbn epoch`, `k-means`, `classifier epoch`,
/// network names).
pub fn run_pipeline(
    data: ArrayView2<'_, f32>,
    labels: &[u8],
    image_shape: Option<(usize, usize)>,
    params: &ValidPipelineParams,
    pretrained: Option<Dbn>,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<PipelineResult> {
    let units = PipelineUnit::all(params);
    let (outs, dbn) = run_units(
        data,
        labels,
        image_shape,
        params,
        pretrained,
        &units,
        seed,
        observer,
    )?;
    let mut r = PipelineResult::assemble(data.nrows(), params, outs)?;
    r.dbn = dbn;
    Ok(r)
}

/// Runs only `units` of the experiment (arguments as in [`run_pipeline`], without a pretrained
/// network), each exactly as [`run_pipeline`] runs it. The classifier, which several units
/// need, is trained here when one of them is asked for (from its own stream, so every process
/// trains the same one).
pub fn run_pipeline_units(
    data: ArrayView2<'_, f32>,
    labels: &[u8],
    image_shape: Option<(usize, usize)>,
    params: &ValidPipelineParams,
    units: &[PipelineUnit],
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<Vec<UnitResult>> {
    let all = PipelineUnit::all(params);
    if let Some(u) = units.iter().find(|u| !all.contains(u)) {
        return Err(RelevanceError::Input(format!(
            "unit {} is not part of this experiment",
            u.name()
        )));
    }
    run_units(
        data,
        labels,
        image_shape,
        params,
        None,
        units,
        seed,
        observer,
    )
    .map(|(o, _)| o)
}

#[allow(clippy::too_many_arguments)]
fn run_units(
    data: ArrayView2<'_, f32>,
    labels: &[u8],
    image_shape: Option<(usize, usize)>,
    params: &ValidPipelineParams,
    pretrained: Option<Dbn>,
    units: &[PipelineUnit],
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<(Vec<UnitResult>, Option<Dbn>)> {
    let m = data.nrows();
    if labels.len() != m {
        return Err(RelevanceError::Input(format!(
            "{m} samples but {} labels",
            labels.len()
        )));
    }
    let n_classes = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(1);
    let p_label = label_distribution(labels, n_classes);
    let pl = &params.powerlaw;
    // Classifier on a held-out split.
    let classifier = if units.iter().any(|u| u.needs_classifier()) {
        let mut order: Vec<usize> = (0..m).collect();
        let mut rng = seed.named("split").stream(0);
        for i in (1..m).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let n_test = ((m as f64) * params.test_fraction).round() as usize;
        let (test_idx, train_idx) = order.split_at(n_test);
        let take = |idx: &[usize]| data.select(Axis(0), idx);
        let lab = |idx: &[usize]| idx.iter().map(|&i| labels[i]).collect::<Vec<u8>>();
        let mlp = train_mlp(
            take(train_idx).view(),
            &lab(train_idx),
            n_classes,
            &params.classifier.or_shift(image_shape),
            seed.named("mlp"),
            observer,
        )?;
        let err = mlp.error_rate(take(test_idx).view(), &lab(test_idx));
        Some((mlp, err))
    } else {
        None
    };
    let samples = Samples {
        data,
        labels: Some(labels),
    };
    let dbn_seed = seed.named("dbn");
    let dbn_p = match &pretrained {
        Some(d) => {
            if d.n_visible() != data.ncols() {
                return Err(RelevanceError::Input(format!(
                    "the network has {} visible units, the data {} columns",
                    d.n_visible(),
                    data.ncols()
                )));
            }
            params.dbn.with_widths(&d.widths())?
        }
        None => params.dbn.clone(),
    };
    let mut pretrained = pretrained;
    let mut main_dbn = None;
    let mut out = Vec::with_capacity(units.len());
    for &unit in units {
        let generation = classifier.as_ref().map(|(mlp, _)| Generation {
            classifier: mlp,
            p_label: &p_label,
            n_generate: params.n_generate,
            gibbs_steps: params.gibbs_steps,
            top_down: params.top_down,
            eps: params.eps,
            keep_samples: params.keep_samples,
        });
        let output = match unit {
            PipelineUnit::Classifier => UnitOutput::Classifier {
                test_error: classifier.as_ref().map_or(f64::NAN, |c| c.1),
                p_label: p_label.clone(),
            },
            PipelineUnit::Realization(0) => {
                let t = Instant::now();
                let dbn = match pretrained.take() {
                    Some(d) => d,
                    None => train_dbn(data, &params.dbn, dbn_seed, observer)?,
                };
                let secs = t.elapsed().as_secs_f64();
                let mut net = analyze_network(
                    "trained",
                    &dbn,
                    samples,
                    pl,
                    generation.as_ref(),
                    seed,
                    observer,
                )?;
                net.train_seconds = secs;
                main_dbn = Some(dbn);
                UnitOutput::network(net)
            }
            PipelineUnit::Realization(r) => {
                let t = Instant::now();
                let d = train_dbn(
                    data,
                    &dbn_p,
                    seed.named("dbn-ensemble").derive(r as u64),
                    observer,
                )?;
                let s = t.elapsed().as_secs_f64();
                let mut net = analyze_network(
                    "ensemble",
                    &d,
                    samples,
                    pl,
                    generation.as_ref(),
                    seed.named("ensemble").derive(r as u64),
                    observer,
                )?;
                net.train_seconds = s;
                UnitOutput::network(net)
            }
            PipelineUnit::Epoch0 => {
                let d0 = Dbn::random(
                    data.ncols(),
                    dbn_p.widths(),
                    dbn_p.init_std(),
                    dbn_seed.named("epoch0"),
                )?;
                UnitOutput::network(analyze_network(
                    "epoch0", &d0, samples, pl, None, seed, observer,
                )?)
            }
            PipelineUnit::Shuffled => {
                let sh = shuffle_pixels(data, seed.named("shuffle"));
                let t = Instant::now();
                let d = train_dbn(sh.view(), &dbn_p, seed.named("dbn-shuffled"), observer)?;
                let s = t.elapsed().as_secs_f64();
                let shuffled_samples = Samples {
                    data: sh.view(),
                    labels: Some(labels),
                };
                let mut net =
                    analyze_network("shuffled", &d, shuffled_samples, pl, None, seed, observer)?;
                net.train_seconds = s;
                UnitOutput::network(net)
            }
            PipelineUnit::Contrast => {
                let cp = params.contrast.as_ref().ok_or_else(|| {
                    RelevanceError::Input("the experiment has no contrast network".into())
                })?;
                let t = Instant::now();
                let d = train_dbn(data, cp, seed.named("dbn-contrast"), observer)?;
                let s = t.elapsed().as_secs_f64();
                let mut net = analyze_network(
                    "contrast",
                    &d,
                    samples,
                    pl,
                    generation.as_ref(),
                    seed,
                    observer,
                )?;
                net.train_seconds = s;
                UnitOutput::network(net)
            }
            PipelineUnit::KMeans(i) => UnitOutput::KMeans(kmeans_point(
                data,
                Some(labels),
                &params.kmeans,
                i,
                pl,
                seed.named("kmeans"),
                observer,
            )?),
            PipelineUnit::Bound => {
                UnitOutput::Bound(bound_curve(m as u64, &default_mus(params.bound_points))?)
            }
        };
        out.push(UnitResult { unit, output });
    }
    Ok((out, main_dbn))
}

impl PipelineResult {
    /// The result of `M` samples from the outputs of every [`PipelineUnit`] of `params` (in any
    /// order, each once; an output of another experiment's shape, a missing or a repeated unit is
    /// an error naming it). `dbn` is left `None`.
    pub fn assemble(
        m: usize,
        params: &ValidPipelineParams,
        outputs: Vec<UnitResult>,
    ) -> Result<PipelineResult> {
        let all = PipelineUnit::all(params);
        let mut slots: Vec<Option<UnitOutput>> = vec![None; all.len()];
        for o in outputs {
            let i = all.iter().position(|u| *u == o.unit).ok_or_else(|| {
                RelevanceError::Input(format!(
                    "unit {} is not part of this experiment",
                    o.unit.name()
                ))
            })?;
            if slots[i].is_some() {
                return Err(RelevanceError::Input(format!(
                    "unit {} given twice",
                    o.unit.name()
                )));
            }
            slots[i] = Some(o.output);
        }
        let missing: Vec<String> = all
            .iter()
            .zip(&slots)
            .filter(|(_, s)| s.is_none())
            .map(|(u, _)| u.name())
            .collect();
        if !missing.is_empty() {
            return Err(RelevanceError::Input(format!(
                "{} of {} units missing: {}",
                missing.len(),
                all.len(),
                missing.join(", ")
            )));
        }
        let wrong = |u: &PipelineUnit| {
            RelevanceError::Input(format!("unit {}: an output of another kind", u.name()))
        };
        let mut classifier = None;
        let mut trained = None;
        let mut ensemble = Vec::new();
        let mut epoch0 = None;
        let mut shuffled = None;
        let mut contrast = None;
        let mut kmeans = Vec::new();
        let mut bound = Vec::new();
        for (u, o) in all.iter().zip(slots.into_iter().flatten()) {
            match (u, o) {
                (
                    PipelineUnit::Classifier,
                    UnitOutput::Classifier {
                        test_error,
                        p_label,
                    },
                ) => classifier = Some((test_error, p_label)),
                (PipelineUnit::KMeans(_), UnitOutput::KMeans(p)) => kmeans.push(p),
                (PipelineUnit::Bound, UnitOutput::Bound(b)) => bound = b,
                (_, UnitOutput::Network { mut net, samples }) => {
                    if samples.len() != net.layers.len() {
                        return Err(wrong(u));
                    }
                    for (l, s) in net.layers.iter_mut().zip(samples) {
                        l.samples = s.map(|s| s.array()).transpose()?;
                    }
                    match u {
                        PipelineUnit::Realization(0) => trained = Some(net),
                        PipelineUnit::Realization(_) => ensemble.push(net),
                        PipelineUnit::Epoch0 => epoch0 = Some(net),
                        PipelineUnit::Shuffled => shuffled = Some(net),
                        PipelineUnit::Contrast => contrast = Some(net),
                        _ => return Err(wrong(u)),
                    }
                }
                _ => return Err(wrong(u)),
            }
        }
        let (classifier_test_error, p_label) =
            classifier.ok_or_else(|| wrong(&PipelineUnit::Classifier))?;
        Ok(PipelineResult {
            m,
            trained: trained.ok_or_else(|| wrong(&PipelineUnit::Realization(0)))?,
            epoch0: epoch0.ok_or_else(|| wrong(&PipelineUnit::Epoch0))?,
            shuffled,
            contrast,
            kmeans,
            bound,
            classifier_test_error,
            p_label,
            ensemble,
            dbn: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensemble_value_is_mean_and_standard_error() {
        let v = EnsembleValue::of(&[1.0, 2.0, 3.0, 6.0]).unwrap();
        assert!((v.mean - 3.0).abs() < 1e-15);
        // Unbiased variance 14/3, standard error sqrt(14/3 / 4).
        assert!((v.stderr - (14.0f64 / 12.0).sqrt()).abs() < 1e-15);
        assert_eq!(v.n, 4);
        assert_eq!(EnsembleValue::of(&[2.5]).unwrap().stderr, 0.0);
        assert!(EnsembleValue::of(&[]).is_none());
    }

    #[test]
    fn classification_error_by_hand() {
        // State 0: labels 1,1,2 (1 wrong); state 1: 3 (0 wrong); state 2: 4,5 (1 wrong, tie).
        let ids = [0, 0, 0, 1, 2, 2];
        let labels = [1, 1, 2, 3, 4, 5];
        assert!((classification_error(&ids, &labels) - 2.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn generation_score_by_hand() {
        let p = [0.5, 0.5];
        let g = generation_score(&p, &[0, 0, 0, 1], 0.0);
        // KL(P||Q) with Q = (3/4, 1/4): 0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25).
        let want = 0.5 * (0.5f64 / 0.75).ln() + 0.5 * 2f64.ln();
        assert!((g.kl_pq - want).abs() < 1e-14);
        assert!((g.generation_ability - 1.0 / want).abs() < 1e-10);
        let want_qp = 0.75 * (0.75f64 / 0.5).ln() + 0.25 * (0.25f64 / 0.5).ln();
        assert!((g.kl_qp - want_qp).abs() < 1e-14);
        // A missing class is finite with ε > 0.
        assert!(generation_score(&p, &[0, 0], 1e-6).kl_pq.is_finite());
    }
}
