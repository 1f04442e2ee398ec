//! The headline claims of 003 measured by the `relevance` section: the layer of maximal
//! `H[s] + H[k]` and of best generation (Fig. 2a, 3g), `H[k]` against the maximal-relevance bound
//! (Fig. 2a), the power-law exponents (Fig. 2c, 3g), the k-means baseline, the shuffled-pixel and
//! non-narrowing controls, and the classifier that labels generated digits.

use crate::claims::{Claim, Measured, Rule};
use spinlearn_relevance::bound::BoundPoint;
use spinlearn_relevance::dbn::PAPER_WIDTHS;
use spinlearn_relevance::experiments::{LayerResult, NetworkResult, PipelineResult};

/// The layer the paper finds critical (best generation, maximal `H[s] + H[k]`, `β ≈ 1`).
pub const PAPER_CRITICAL_LAYER: f64 = 6.0;
/// The layer where the paper's `H[k]` peaks (Fig. 2a).
pub const PAPER_HK_PEAK_LAYER: f64 = 8.0;
/// The paper's classifier error for labelling generated digits (ref. 16 of 003).
pub const PAPER_CLASSIFIER_ERROR: f64 = 0.016;
/// Normalized `H[s]` below which (or above one minus which) a layer counts as lying at an end of
/// the resolution scale.
pub const END_OF_SCALE: f64 = 0.2;

/// What the claims need to know about the run besides its result.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// True when the data are the full MNIST training set (the paper's data).
    pub full_mnist: bool,
    /// Samples the classifier was trained on.
    pub classifier_train: usize,
    /// One sentence on this run's sizes against the paper's (quick, smoke), empty for full.
    pub sizes: String,
}

/// `(H[s], H[k])` divided by `ln M`.
fn hs_hk(l: &LayerResult) -> (f64, f64) {
    let e = &l.analysis.entropies;
    (e.h_s_norm, e.h_k_norm)
}

/// Piecewise-linear interpolation of the curve `pts` (sorted by x) at `x`; `None` outside it.
fn interp(pts: &[(f64, f64)], x: f64) -> Option<f64> {
    pts.windows(2).find_map(|w| {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x < x0 || x > x1 {
            None
        } else if x1 > x0 {
            Some(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
        } else {
            Some(y0.max(y1))
        }
    })
}

/// The bound as `(H[s], H[k])` / ln M sorted by `H[s]`.
pub fn bound_curve(bound: &[BoundPoint]) -> Vec<(f64, f64)> {
    let mut b: Vec<(f64, f64)> = bound
        .iter()
        .map(|p| (p.entropies.h_s_norm, p.entropies.h_k_norm))
        .collect();
    b.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    b
}

/// `H[k] / H[k]_max(H[s])` of each trained layer up to the paper's layer 6 where the bound is above
/// 0.01 ln M (near `H[s] = ln M` both vanish and the ratio says nothing): `(layer, ratio)`.
pub fn bound_ratios(r: &PipelineResult) -> Vec<(usize, f64)> {
    let b = bound_curve(&r.bound);
    r.trained
        .layers
        .iter()
        .filter(|l| l.layer as f64 <= PAPER_CRITICAL_LAYER)
        .filter_map(|l| {
            let (hs, hk) = hs_hk(l);
            let top = interp(&b, hs)?;
            (top > 0.01).then_some((l.layer, hk / top))
        })
        .collect()
}

/// For each k-means point whose `H[s]` lies within the trained layers' range: `(K, H[k] of the
/// DBN interpolated between its layers at that H[s] minus H[k] of k-means)`, in units of ln M.
pub fn kmeans_margins(r: &PipelineResult) -> Vec<(usize, f64)> {
    let mut dbn: Vec<(f64, f64)> = r.trained.layers.iter().map(hs_hk).collect();
    dbn.sort_by(|a, b| a.0.total_cmp(&b.0));
    r.kmeans
        .iter()
        .filter_map(|k| {
            let e = &k.analysis.entropies;
            Some((k.k, interp(&dbn, e.h_s_norm)? - e.h_k_norm))
        })
        .collect()
}

/// Consecutive layers (fitted on both) whose β rises by more than twice the combined standard
/// error: `(layer, rise)`.
pub fn beta_rises(n: &NetworkResult) -> Vec<(usize, f64)> {
    let fits: Vec<(usize, f64, f64)> = n
        .layers
        .iter()
        .filter_map(|l| {
            l.analysis
                .powerlaw
                .map(|f| (l.layer, f.beta, f.alpha_stderr))
        })
        .collect();
    fits.windows(2)
        .filter_map(|w| {
            let rise = w[1].1 - w[0].1;
            (rise > 2.0 * w[0].2.hypot(w[1].2)).then_some((w[1].0, rise))
        })
        .collect()
}

fn max_generation(n: &NetworkResult) -> Option<f64> {
    n.layers
        .iter()
        .filter_map(|l| l.generation.as_ref().map(|g| g.generation_ability))
        .max_by(f64::total_cmp)
}

fn layer_list(v: &[usize]) -> String {
    v.iter()
        .map(|l| format!("H{l}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The section's claims, verdicts computed from `r` (see each claim's rule).
pub fn claims(r: &PipelineResult, facts: &RunFacts) -> Vec<Claim> {
    let t = &r.trained;
    let paper_arch = t.widths == PAPER_WIDTHS;
    let arch_reason = format!(
        "the network has widths {:?}, not the paper's 500-250-120-60-30-25-20-15-10-5, so layer indices differ",
        t.widths
    );
    let sizes = |cause: &str| format!("{} {cause}", facts.sizes).trim().to_string();
    let layer = |x: Option<usize>| x.map_or(f64::NAN, |l| l as f64);
    let mut out = Vec::new();

    let best_sum = t.best_by_h_sum();
    out.push(
        Claim::new(
            "best_layer.h_sum",
            "Layer of maximal H[s] + H[k]",
            Measured::single(layer(best_sum)),
            "layer",
            "H6 (Fig. 2a, 3g)",
            Rule::Absolute {
                paper: PAPER_CRITICAL_LAYER,
                tol: 0.5,
            },
        )
        .not_comparable_if(!paper_arch, arch_reason.clone())
        .with_note(sizes("One layer off counts as partly."))
        .with_figure("fig2a_hs_hk"),
    );

    let best_gen = t.best_by_generation();
    out.push(
        Claim::new(
            "best_layer.generation",
            "Layer with the best generation ability 1/KL(P || Q)",
            Measured::single(layer(best_gen)),
            "layer",
            "H6 (Fig. 3g)",
            Rule::Absolute {
                paper: PAPER_CRITICAL_LAYER,
                tol: 0.5,
            },
        )
        .not_comparable_if(!paper_arch, arch_reason.clone())
        .with_note(sizes("A single ensemble of generated samples."))
        .with_figure("fig3g_generation"),
    );

    let same = matches!((best_gen, best_sum), (Some(a), Some(b)) if a == b);
    let near = matches!((best_gen, best_sum), (Some(a), Some(b)) if a.abs_diff(b) <= 1);
    out.push(
        Claim::new(
            "critical_layer.agree",
            "The best generating layer is the layer of maximal H[s] + H[k]",
            Measured::single(layer(best_gen)),
            "layer",
            "the same layer in every narrowing architecture (Fig. 3g, S2)",
            Rule::Qualitative {
                holds: same,
                partly: near,
            },
        )
        .with_note(format!(
            "Best generation at layer {}, maximal H[s] + H[k] at layer {}; one layer apart counts as partly.",
            best_gen.map_or("-".into(), |l| l.to_string()),
            best_sum.map_or("-".into(), |l| l.to_string())
        ))
        .with_figure("fig3g_generation"),
    );

    let beta_best = best_gen
        .and_then(|l| t.layers.get(l - 1))
        .and_then(|l| l.analysis.powerlaw);
    out.push(
        Claim::new(
            "beta.critical",
            "Power-law exponent β (m_k ∝ k^(-β-1)) of the best generating layer",
            Measured::single(beta_best.map_or(f64::NAN, |f| f.beta)),
            "",
            "β ≃ 1, Zipf's law (H6, Fig. 3g)",
            Rule::Absolute {
                paper: 1.0,
                tol: 0.2,
            },
        )
        .with_note(match beta_best {
            Some(f) => sizes(&format!(
                "Discrete power-law MLE with KS-chosen x_min = {}, Fisher standard error {:.2}; the paper does not say how it fitted β.",
                f.xmin, f.alpha_stderr
            )),
            None => "No power law could be fitted at that layer.".into(),
        })
        .with_figure("fig2c_beta"),
    );

    let rises = beta_rises(t);
    let fitted: Vec<f64> = t
        .layers
        .iter()
        .filter_map(|l| l.analysis.powerlaw.map(|f| f.beta))
        .collect();
    let falls_overall = fitted.len() >= 2 && fitted.last() < fitted.first();
    out.push(
        Claim::new(
            "beta.decreasing",
            "β decreases from shallow to deep layers",
            Measured::single(rises.len() as f64),
            "rises",
            "a gradually decreasing exponent with depth (Fig. 2b, 2c)",
            Rule::Qualitative {
                holds: fitted.len() >= 2 && rises.is_empty(),
                partly: falls_overall,
            },
        )
        .not_comparable_if(
            fitted.len() < 2,
            "fewer than two layers have a fitted power law",
        )
        .with_note(if rises.is_empty() {
            format!(
                "Layers fitted: {}; no rise larger than twice the combined standard error.",
                fitted.len()
            )
        } else {
            format!(
                "Rises beyond twice the standard error at {}.",
                layer_list(&rises.iter().map(|r| r.0).collect::<Vec<_>>())
            )
        })
        .with_figure("fig2c_beta"),
    );

    let ratios = bound_ratios(r);
    let worst = ratios.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
    out.push(
        Claim::new(
            "bound.saturation",
            "H[k] of layers H1-H6 against the maximal relevance at their H[s] (smallest ratio)",
            Measured::single(worst.map_or(f64::NAN, |w| w.1)),
            "of the bound",
            "H[k] almost saturates the theoretical maximum up to H6 (Fig. 2a)",
            Rule::Relative {
                paper: 1.0,
                rel: 0.1,
            },
        )
        .with_note(match worst {
            Some((l, _)) => sizes(&format!(
                "Smallest at H{l}; ratios {}. The paper quotes no number for 'almost'; within 10 % counts as reproduced.",
                ratios
                    .iter()
                    .map(|(l, x)| format!("H{l} {x:.3}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => "No layer has an H[s] where the bound exceeds 0.01 ln M.".into(),
        })
        .with_figure("fig2a_hs_hk"),
    );

    let hk_peak = t
        .layers
        .iter()
        .max_by(|a, b| hs_hk(a).1.total_cmp(&hs_hk(b).1))
        .map(|l| l.layer);
    out.push(
        Claim::new(
            "h_k.peak_layer",
            "Layer where H[k] peaks",
            Measured::single(layer(hk_peak)),
            "layer",
            "H8: H[k] increases up to H8, then decreases (Fig. 2a)",
            Rule::Absolute {
                paper: PAPER_HK_PEAK_LAYER,
                tol: 0.5,
            },
        )
        .not_comparable_if(!paper_arch, arch_reason)
        .with_note(sizes(""))
        .with_figure("fig2a_hs_hk"),
    );

    let margins = kmeans_margins(r);
    let mean_margin = if margins.is_empty() {
        f64::NAN
    } else {
        margins.iter().map(|m| m.1).sum::<f64>() / margins.len() as f64
    };
    let max_k = r.kmeans.iter().map(|k| k.k).max().unwrap_or(0);
    out.push(
        Claim::new(
            "kmeans.below_dbn",
            "H[k] of the DBN minus H[k] of k-means at equal H[s] (mean over K)",
            Measured::single(mean_margin),
            "ln M",
            "DBN H[k] significantly higher than k-means, K = 2^2..2^14 (Fig. 2a)",
            Rule::AtLeast { bound: 0.0 },
        )
        .with_note(format!(
            "{} k-means points inside the layers' H[s] range (K up to {max_k}): {}. Below H[s] ≈ 0.5 ln M the bound is H[k] = H[s] and both lie on it.",
            margins.len(),
            margins
                .iter()
                .map(|(k, m)| format!("K = {k}: {m:+.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_figure("fig2a_hs_hk"),
    );

    if let Some(sh) = &r.shuffled {
        let n = sh.layers.len();
        let hs: Vec<f64> = sh.layers.iter().map(|l| hs_hk(l).0).collect();
        let low = hs.iter().filter(|&&x| x < END_OF_SCALE).count();
        let high = hs.iter().filter(|&&x| x > 1.0 - END_OF_SCALE).count();
        let at_ends = (low + high) as f64 / n.max(1) as f64;
        let single = sh
            .layers
            .iter()
            .filter(|l| l.analysis.entropies.n_states == 1)
            .count();
        out.push(
            Claim::new(
                "shuffled.ends",
                "Shuffled pixels: fraction of layers at the ends of the resolution scale",
                Measured::single(at_ends),
                "of layers",
                "mostly at low or high resolution, as before training; none near the bound at intermediate H[s] (Fig. 2a, S1)",
                Rule::Qualitative {
                    holds: at_ends >= 0.8 && low > 0 && high > 0,
                    partly: at_ends >= 0.8,
                },
            )
            .with_note(format!(
                "{low} layers below H[s] = {END_OF_SCALE} ln M, {high} above {}; {single} of {n} map all M inputs to a single state. The paper's control keeps layers at both ends (like its untrained network); a collapse of every layer to one state counts as partly.",
                1.0 - END_OF_SCALE
            ))
            .with_figure("fig2a_hs_hk"),
        );
    }

    if let (Some(c), Some(g)) = (&r.contrast, max_generation(t)) {
        let gc = max_generation(c).unwrap_or(f64::NAN);
        out.push(
            Claim::new(
                "contrast.generation",
                "Best generation ability: narrowing DBN against a deep non-narrowing network",
                Measured::single(g),
                "1/nats",
                "deep but not narrowing networks generate poorly (Fig. S2)",
                Rule::Greater {
                    other: Measured::single(gc),
                },
            )
            .with_note(format!(
                "The non-narrowing network (widths {:?}) reaches {gc:.3}.",
                c.widths
            ))
            .with_figure("fig3g_generation"),
        );
    }

    out.push(
        Claim::new(
            "classifier.test_error",
            "Error of the classifier that labels generated digits",
            Measured::single(r.classifier_test_error),
            "",
            "1.6 % (ref. 16 of the paper)",
            Rule::AtMost {
                bound: PAPER_CLASSIFIER_ERROR,
            },
        )
        .not_comparable_if(
            !facts.full_mnist,
            format!(
                "The MLP is trained on {} digits of the embedded subset, the paper's classifier on 60,000 MNIST digits.",
                facts.classifier_train
            ),
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_inside_and_outside() {
        let c = [(0.0, 0.0), (0.5, 0.5), (0.5, 0.52), (1.0, 0.0)];
        assert_eq!(interp(&c, 0.25), Some(0.25));
        assert_eq!(interp(&c, 0.5), Some(0.5));
        assert!((interp(&c, 0.75).unwrap() - 0.26).abs() < 1e-12);
        assert_eq!(interp(&c, 1.5), None);
    }
}
