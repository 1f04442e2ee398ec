//! The computations behind 003's figures, returning plain structs (the CLI draws and writes them).
//!
//! - [`analyze_layer`]: `H[s]`, `H[k]`, `m_k`, the power-law exponent `β` and the classification
//!   error of one representation (Fig. 2a-d).
//! - [`classification_error`]: fraction of samples whose label differs from the majority label of
//!   their state (Fig. 2d).
//! - [`generation_score`]: `1/KL(P_train(label) || Q_generated(label))` (eq. 9) with ε smoothing,
//!   both KL directions.
//! - [`kmeans_sweep`]: the k-means baseline for a list of K.
//! - [`run_pipeline`]: the whole section (trained, untrained and shuffled-pixel networks, a
//!   contrast architecture, k-means, the bound, the classifier and generation from each layer).

use crate::bound::{BoundPoint, bound_curve, default_mus};
use crate::classifier::{MlpParams, train_mlp};
use crate::dbn::{Dbn, DbnParams, Readout, TopDown, train_dbn};
use crate::kmeans::{KMeansParams, kmeans};
use crate::powerlaw::{PowerLawFit, PowerLawParams, fit};
use crate::states::{Entropies, PackedStates, StateStats};
use crate::{RelevanceError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Observer, Seed};
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

/// Analyses one representation given the state id of every sample.
pub fn analyze_ids(
    ids: &[u32],
    width: usize,
    labels: Option<&[u8]>,
    pl: &PowerLawParams,
) -> Result<LayerAnalysis> {
    let stats = StateStats::from_ids(ids)?;
    let powerlaw = fit(&stats.counts, pl).ok();
    Ok(LayerAnalysis {
        width,
        entropies: stats.entropies,
        degeneracy: stats.degeneracy,
        powerlaw,
        classification_error: labels.map(|l| classification_error(ids, l)),
    })
}

/// Analyses binary states `(n_samples, width)` (unit on when `> 0.5`).
pub fn analyze_layer(
    states: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    pl: &PowerLawParams,
) -> Result<LayerAnalysis> {
    let ids = PackedStates::from_rows(states, 0.5).ids();
    analyze_ids(&ids, states.ncols(), labels, pl)
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

/// k-means for each K in `ks`, each analysed like a layer.
pub fn kmeans_sweep(
    data: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    ks: &[usize],
    base: &KMeansParams,
    pl: &PowerLawParams,
    observer: &mut dyn Observer,
) -> Result<Vec<KMeansPoint>> {
    let mut out = Vec::new();
    for (i, &k) in ks.iter().enumerate() {
        let p = KMeansParams {
            k,
            seed: base.seed.derive(k as u64),
            ..*base
        };
        let r = kmeans(data, &p)?;
        let analysis = analyze_ids(&r.assignment, 0, labels, pl)?;
        out.push(KMeansPoint {
            k,
            analysis,
            inertia: r.inertia,
        });
        let m = [("K", k as f64)];
        let rep = spinlearn_core::StepReport {
            stage: "k-means",
            step: i + 1,
            total: Some(ks.len()),
            metrics: &m,
        };
        observer.observe(&rep);
    }
    Ok(out)
}

/// Configuration of the whole section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineParams {
    /// The DBN (widths, epochs, learning rate, ...).
    pub dbn: DbnParams,
    /// A contrast architecture (deep but not narrowing); `None` to skip.
    pub contrast_widths: Option<Vec<usize>>,
    /// Also train on shuffled-pixel data.
    pub shuffled: bool,
    /// K values of the k-means baseline.
    pub kmeans_ks: Vec<usize>,
    /// k-means restarts and iteration cap.
    pub kmeans: KMeansParams,
    /// The classifier.
    pub mlp: MlpParams,
    /// Fraction of the labelled data held out to test the classifier.
    pub test_fraction: f64,
    /// Generated samples per layer (0: skip generation).
    pub n_generate: usize,
    /// Gibbs steps per generation.
    pub gibbs_steps: usize,
    /// Down pass of generation (mean-field by default).
    #[serde(default)]
    pub top_down: TopDown,
    /// ε of the label smoothing in eq. 9.
    pub eps: f64,
    /// Power-law fit options.
    pub powerlaw: PowerLawParams,
    /// Points on the bound curve.
    pub bound_points: usize,
    /// Sample images kept per layer for figures.
    pub keep_samples: usize,
    /// Master seed.
    pub seed: Seed,
}

impl PipelineParams {
    /// Validates everything once.
    pub fn check(&self) -> Result<()> {
        self.dbn.check()?;
        if let Some(w) = &self.contrast_widths {
            DbnParams {
                widths: w.clone(),
                ..self.dbn.clone()
            }
            .check()?;
        }
        for &k in &self.kmeans_ks {
            spinlearn_core::check::nonzero("kmeans_ks", k)?;
        }
        self.kmeans.check()?;
        self.mlp.check()?;
        spinlearn_core::check::in_range("test_fraction", self.test_fraction, 0.01, 0.9)?;
        spinlearn_core::check::non_negative("eps", self.eps)?;
        self.powerlaw.check()?;
        Ok(())
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
    /// The trained network itself.
    #[serde(skip)]
    pub dbn: Option<Dbn>,
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

/// What generation needs: the classifier, the training label distribution and the sizes.
pub type GenerateSpec<'a> = (
    &'a dyn Fn(ArrayView2<'_, f32>) -> Vec<u8>,
    &'a [f64],
    &'a PipelineParams,
);

/// Analyses every layer of `dbn` on `data`; with `gen` set, also generates from every layer,
/// labels the samples with `classify` and scores them against `p_label`.
#[allow(clippy::too_many_arguments)]
pub fn analyze_network(
    name: &str,
    dbn: &Dbn,
    data: ArrayView2<'_, f32>,
    labels: Option<&[u8]>,
    pl: &PowerLawParams,
    generate: Option<GenerateSpec<'_>>,
    train_seconds: f64,
    observer: &mut dyn Observer,
) -> Result<NetworkResult> {
    let states = dbn.forward(data, Readout::Threshold)?;
    let mut layers = Vec::new();
    let n = states.len();
    for (l, st) in states.iter().enumerate() {
        let analysis = analyze_layer(st.view(), labels, pl)?;
        let (generation, samples) = match generate {
            Some((classify, p, pp)) if pp.n_generate > 0 => {
                let g = dbn.generate_with(
                    l + 1,
                    pp.n_generate,
                    pp.gibbs_steps,
                    pp.top_down,
                    pp.seed.named("generate").derive(l as u64),
                )?;
                let lab = classify(g.view());
                let keep = pp.keep_samples.min(g.nrows());
                (
                    Some(generation_score(p, &lab, pp.eps)),
                    Some(g.slice(ndarray::s![..keep, ..]).to_owned()),
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
        observer.observe(&spinlearn_core::StepReport {
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
        train_seconds,
    })
}

/// Runs the section on `data (M, n_visible)` in [0, 1] with `labels` in 0..10. With `pretrained`
/// the main network is not trained again (its widths replace `params.dbn.widths` for the
/// untrained and shuffled controls). Progress goes to `observer` (stages `dbn epoch`, `k-means`,
/// `classifier epoch`, network names).
pub fn run_pipeline(
    data: ArrayView2<'_, f32>,
    labels: &[u8],
    image_shape: Option<(usize, usize)>,
    params: &PipelineParams,
    pretrained: Option<Dbn>,
    observer: &mut dyn Observer,
) -> Result<PipelineResult> {
    params.check()?;
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
    let mut order: Vec<usize> = (0..m).collect();
    let mut rng = params.seed.named("split").stream(0);
    for i in (1..m).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let n_test = ((m as f64) * params.test_fraction).round() as usize;
    let (test_idx, train_idx) = order.split_at(n_test);
    let take = |idx: &[usize]| data.select(Axis(0), idx);
    let lab = |idx: &[usize]| idx.iter().map(|&i| labels[i]).collect::<Vec<u8>>();
    let mlp_p = MlpParams {
        shift: params.mlp.shift.or(image_shape),
        seed: params.seed.named("mlp"),
        ..params.mlp
    };
    let mlp = train_mlp(
        take(train_idx).view(),
        &lab(train_idx),
        n_classes,
        &mlp_p,
        observer,
    )?;
    let classifier_test_error = mlp.error_rate(take(test_idx).view(), &lab(test_idx));
    let classify = |x: ArrayView2<'_, f32>| mlp.predict(x);

    let t = Instant::now();
    let (dbn, dbn_p) = match pretrained {
        Some(d) => {
            if d.n_visible() != data.ncols() {
                return Err(RelevanceError::Input(format!(
                    "the network has {} visible units, the data {} columns",
                    d.n_visible(),
                    data.ncols()
                )));
            }
            let p = DbnParams {
                widths: d.widths(),
                seed: params.seed.named("dbn"),
                ..params.dbn.clone()
            };
            (d, p)
        }
        None => {
            let p = DbnParams {
                seed: params.seed.named("dbn"),
                ..params.dbn.clone()
            };
            (train_dbn(data, &p, observer)?, p)
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let trained = analyze_network(
        "trained",
        &dbn,
        data,
        Some(labels),
        pl,
        Some((&classify, &p_label, params)),
        secs,
        observer,
    )?;
    let d0 = Dbn::random(
        data.ncols(),
        &dbn_p.widths,
        dbn_p.init_std,
        dbn_p.seed.named("epoch0"),
    )?;
    let epoch0 = analyze_network("epoch0", &d0, data, Some(labels), pl, None, 0.0, observer)?;
    let shuffled = if params.shuffled {
        let sh = shuffle_pixels(data, params.seed.named("shuffle"));
        let t = Instant::now();
        let d = train_dbn(
            sh.view(),
            &DbnParams {
                seed: params.seed.named("dbn-shuffled"),
                ..dbn_p.clone()
            },
            observer,
        )?;
        let s = t.elapsed().as_secs_f64();
        Some(analyze_network(
            "shuffled",
            &d,
            sh.view(),
            Some(labels),
            pl,
            None,
            s,
            observer,
        )?)
    } else {
        None
    };
    let contrast = match &params.contrast_widths {
        Some(w) => {
            let t = Instant::now();
            let cp = DbnParams {
                widths: w.clone(),
                seed: params.seed.named("dbn-contrast"),
                ..dbn_p.clone()
            };
            let d = train_dbn(data, &cp, observer)?;
            let s = t.elapsed().as_secs_f64();
            Some(analyze_network(
                "contrast",
                &d,
                data,
                Some(labels),
                pl,
                Some((&classify, &p_label, params)),
                s,
                observer,
            )?)
        }
        None => None,
    };
    let kms = kmeans_sweep(
        data,
        Some(labels),
        &params.kmeans_ks,
        &KMeansParams {
            seed: params.seed.named("kmeans"),
            ..params.kmeans
        },
        pl,
        observer,
    )?;
    let bound = bound_curve(m as u64, &default_mus(params.bound_points.max(2)))?;
    Ok(PipelineResult {
        m,
        trained,
        epoch0,
        shuffled,
        contrast,
        kmeans: kms,
        bound,
        classifier_test_error,
        p_label,
        dbn: Some(dbn),
    })
}

/// Quick-mode defaults (embedded subset, minutes on 2 cores).
pub fn quick_params(seed: Seed) -> PipelineParams {
    PipelineParams {
        dbn: DbnParams {
            epochs: 10,
            ..DbnParams::default()
        },
        contrast_widths: Some(vec![100; 10]),
        shuffled: true,
        kmeans_ks: vec![4, 16, 64, 256],
        kmeans: KMeansParams {
            restarts: 2,
            max_iter: 20,
            tol: 1e-4,
            ..KMeansParams::default()
        },
        mlp: MlpParams {
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
        seed,
    }
}

/// Full-mode defaults (the paper's sizes: 200 epochs, K up to 2^14, 10,000 Gibbs steps).
pub fn full_params(seed: Seed) -> PipelineParams {
    PipelineParams {
        dbn: DbnParams::default(),
        contrast_widths: Some(vec![500; 10]),
        shuffled: true,
        kmeans_ks: (2..=14).map(|e| 1usize << e).collect(),
        kmeans: KMeansParams {
            restarts: 3,
            max_iter: 100,
            tol: 1e-5,
            ..KMeansParams::default()
        },
        mlp: MlpParams {
            epochs: 30,
            ..MlpParams::default()
        },
        test_fraction: 0.15,
        n_generate: 10_000,
        gibbs_steps: 10_000,
        top_down: TopDown::MeanField,
        eps: 1e-6,
        powerlaw: PowerLawParams {
            bootstrap: 0,
            ..PowerLawParams::default()
        },
        bound_points: 81,
        keep_samples: 36,
        seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
