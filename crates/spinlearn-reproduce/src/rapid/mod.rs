//! The `rapid` section (paper 004, "Efficient training of energy-based models via spin-glass
//! control"): Fig. 1 (untrained models), Figs. 2-4 (4x4 Bars with exact, CD-10, PCD-10 and RAPID
//! training), Fig. 5 (12x12 Bars-and-Stripes), Fig. 6 and section V B (binarized MNIST with the
//! probe), Appendix D (time per update).
//!
//! [`preset`] holds the experiment design (sizes, methods, learning rates, numbers of runs and
//! epochs) for each [`Mode`]; each sub-experiment module turns its part of the preset into calls of
//! `spinlearn_rbm::experiments`, then figures, table rows and its summary entry. [`figures`] holds
//! the figure writers of the `rbm` CLI commands.
//!
//! The section runs as independent units ([`units`]: each untrained model, each Bars and BAS
//! training, each MNIST training, the RBM baseline, the timing stage), in one process ([`run`]) or
//! as shards merged afterwards ([`run_units`], [`merge`]; see [`crate::shard`]) with the same
//! results apart from the timing stage. `summary.json`'s `stage_seconds` are the seconds of each
//! stage's units, summed (the untrained models run in parallel, so theirs can exceed the wall
//! time).

mod bars;
mod bas;
pub mod figures;
mod mnist;
mod timing;
mod units;
mod untrained;

pub use units::{merge, run_units, units};

use crate::{Claim, Measured, Mode, Result, SectionCtx, SectionOutput, claim_anchor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use spinlearn_core::Observer;
use spinlearn_core::table::{Cell, write_csv};
use spinlearn_plot::{ReportSection, Series, TableRow};
use spinlearn_rbm::eval::LogRegParams;
use spinlearn_rbm::experiments::curves::{CurvesParams, Method};
use spinlearn_rbm::experiments::mnist::MnistParams;
use spinlearn_rbm::experiments::timing::TimingParams;
use spinlearn_rbm::experiments::untrained::UntrainedParams;
use spinlearn_rbm::experiments::{Band, MeanStd, log_epochs};
use spinlearn_rbm::train::{Binarize, Estimator, Optimizer, PidHidden, WeightsSpec};
use std::path::Path;

/// Figs. 2-4: 4x4 Bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarsPreset {
    /// Sizes and measurement schedules shared by the methods (`n_runs` is set per method).
    pub curves: CurvesParams,
    /// The methods with their trainings: `(method, n_runs)`.
    pub methods: Vec<(Method, usize)>,
}

/// Fig. 5: Bars-and-Stripes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasPreset {
    /// Image side.
    pub side: usize,
    /// Sizes and measurement schedules.
    pub curves: CurvesParams,
    /// The RAPID method (its pattern count K and learning rate).
    pub method: Method,
    /// Samples shown from the first trained model.
    pub n_samples: usize,
    /// Gibbs steps per sample.
    pub sample_steps: usize,
}

/// Fig. 6 and section V B: binarized MNIST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MnistPreset {
    /// The experiment's parameters.
    pub params: MnistParams,
    /// Train on the full MNIST when a directory is given (else the embedded subset, 80/20 split).
    pub use_full_mnist: bool,
    /// Use only the first images of the embedded subset (0: all 10,000).
    pub max_images: usize,
}

/// The section's experiment design for one mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// Fig. 1: untrained models.
    pub untrained: UntrainedParams,
    /// Figs. 2-4: 4x4 Bars.
    pub bars: BarsPreset,
    /// Fig. 5: Bars-and-Stripes.
    pub bas: BasPreset,
    /// Fig. 6: MNIST.
    pub mnist: MnistPreset,
    /// Appendix D: time per update.
    pub timing: TimingParams,
}

fn sgd(lr: f64, lr_decay: f64) -> Optimizer {
    Optimizer::Sgd {
        lr,
        momentum: 0.0,
        weight_decay: 0.0,
        lr_decay,
    }
}

fn rapid_method(label: String, k: usize, optimizer: Optimizer) -> Method {
    Method {
        key: "rapid".into(),
        label,
        weights: WeightsSpec::Ra {
            k,
            binarize: Binarize::Sign,
        },
        estimator: Estimator::Pid {
            hidden: PidHidden::Mean,
        },
        optimizer,
    }
}

/// The Fig. 1 sweep: `n_stds` weight standard deviations log-spaced over [0.01, 100].
fn log_stds(n_stds: usize) -> Vec<f64> {
    (0..n_stds)
        .map(|i| 10f64.powf(-2.0 + 4.0 * i as f64 / (n_stds - 1) as f64))
        .collect()
}

/// The Bars methods. Learning rates: the paper gives none for Bars. Ours: plain SGD at 0.1 for the
/// dense models and 0.03 with a x0.9 decay per epoch for RAPID, with the same batch of 2 for all.
/// (The authors' published comparison script, github.com/apozas/rapid, uses Adam at 1e-3 with
/// batch 1 for the dense models and SGD at 0.02 with a x0.96 decay and batch 3 for RAPID over 300
/// epochs.) They are written into summary.json as `bars4.learning_rates`.
fn bars_methods(pcd_chains: usize, runs: [usize; 4]) -> Vec<(Method, usize)> {
    let dense = WeightsSpec::Dense { init_std: 0.01 };
    let method = |key: &str, label: &str, estimator| Method {
        key: key.into(),
        label: label.into(),
        weights: dense,
        estimator,
        optimizer: sgd(0.1, 1.0),
    };
    vec![
        (method("exact", "exact gradient", Estimator::Exact), runs[0]),
        (
            method("cd", "CD-10", Estimator::Cd { gibbs_steps: 10 }),
            runs[1],
        ),
        (
            method(
                "pcd",
                &format!("PCD-10 ({pcd_chains} chains)"),
                Estimator::Pcd {
                    gibbs_steps: 10,
                    n_chains: pcd_chains,
                },
            ),
            runs[2],
        ),
        (
            rapid_method("RAPID (K = 8)".into(), 8, sgd(0.03, 0.9)),
            runs[3],
        ),
    ]
}

/// The experiment design of `mode`.
///
/// Quick sizes, where they differ from the paper's:
/// - Bars trainings per method: as many as the time allows, more for the cheap methods (a RAPID or
///   CD-10 training takes ~0.1 s at quick sizes, PCD-10 ~4 s, the exact gradient ~9 s), so that
///   the mean curves and `epochs_to_test_hamming_0_1` of the bimodal RAPID trainings rest on more
///   than two runs.
/// - MNIST keeps the paper's H = 3000 and K = 190 and trains 5 epochs: with small models the first
///   epochs of RAPID pull every pattern onto the mean-image direction (a bias-free ±1 RBM can only
///   model the dark background through a weight mode) and the hidden units saturate to
///   image-independent values (H = 500, K = 190 reaches a probe test accuracy of 0.11 after 30
///   epochs; H = 3000, K = 190 reaches 0.87 after 5). One Gibbs step from the patterns as in the
///   authors' published MNIST notebook (github.com/apozas/rapid, which also uses batch 8000 and
///   500 epochs); the paper's text gives 10 steps, used in full mode. The paper gives no batch
///   size. AIS (~5 s each at H = 3000) at four epochs.
pub fn preset(mode: Mode) -> Preset {
    let bars_epochs = mode.pick(3, 30, 100);
    let bas_epochs = mode.pick(2, 20, 100);
    let m_epochs = mode.pick(1, 5, 100);
    // Full: the paper's MNIST (H = 3000, K = 190, 10 Gibbs steps, 100 epochs) in one training, and
    // Bars/BAS/untrained sized to about an hour on 2 cores in all (the paper's 100 runs per Bars
    // method at H = 1000 and 100 untrained models at V = 20 take days).
    let bas_k = mode.pick(4, 40, 40);
    Preset {
        untrained: UntrainedParams {
            n_visible: mode.pick(6, 14, 16),
            n_hidden: mode.pick(20, 500, 1000),
            k: 10,
            stds: log_stds(mode.pick(3, 11, 21)),
            n_models: mode.pick(2, 8, 20),
            n_starts: mode.pick(10, 100, 100),
            gibbs_steps: 10,
            inset_visible: mode.pick(
                vec![4, 6],
                vec![4, 6, 8, 10, 12, 14],
                vec![4, 6, 8, 10, 12, 14, 16],
            ),
            inset_std: 10.0,
        },
        bars: BarsPreset {
            curves: CurvesParams {
                n_hidden: mode.pick(20, 400, 400),
                epochs: bars_epochs,
                batch_size: 2,
                n_runs: mode.pick(1, 100, 100),
                hamming_epochs: mode.pick(
                    log_epochs(bars_epochs, 3),
                    log_epochs(bars_epochs, 12),
                    log_epochs(bars_epochs, 25),
                ),
                exact_epochs: log_epochs(bars_epochs, mode.pick(3, 6, 15)),
                gibbs_starts: mode.pick(20, 100, 100),
                gibbs_steps: 10,
                recon_steps: 10,
                recon_repeats: mode.pick(2, 10, 10),
                recon_max_images: 0,
            },
            methods: mode.pick(
                // two CD-10 trainings, two BAS and two MNIST trainings, so that smoke runs
                // (and the shard tests) average over trainings
                bars_methods(64, [1, 2, 1, 1]),
                bars_methods(2048, [2, 10, 4, 10]),
                bars_methods(2048, [6, 40, 12, 40]),
            ),
        },
        bas: BasPreset {
            side: mode.pick(4, 12, 12),
            curves: CurvesParams {
                n_hidden: mode.pick(30, 1000, 1000),
                epochs: bas_epochs,
                batch_size: mode.pick(8, 120, 120),
                n_runs: mode.pick(2, 2, 8),
                hamming_epochs: mode.pick(
                    (0..=bas_epochs).collect(),
                    (0..=bas_epochs).collect(),
                    log_epochs(bas_epochs, 15),
                ),
                exact_epochs: vec![],
                gibbs_starts: 1,
                gibbs_steps: 10,
                recon_steps: 10,
                recon_repeats: mode.pick(2, 2, 5),
                recon_max_images: mode.pick(20, 200, 1000),
            },
            method: rapid_method(format!("RAPID (K = {bas_k})"), bas_k, sgd(0.05, 1.0)),
            n_samples: mode.pick(8, 24, 24),
            sample_steps: mode.pick(20, 100, 100),
        },
        mnist: MnistPreset {
            params: MnistParams {
                n_hidden: mode.pick(40, 3000, 3000),
                k: mode.pick(10, 190, 190),
                lr: 0.015,
                gibbs_steps: mode.pick(1, 1, 10),
                clip: 1.0,
                epochs: m_epochs,
                batch_size: 100,
                n_runs: mode.pick(2, 2, 1),
                ais_epochs: mode.pick(vec![0, 1], vec![0, 1, 2, 5], log_epochs(m_epochs, 8)),
                ais_chains: mode.pick(4, 32, 64),
                ais_betas: mode.pick(20, 400, 2_000),
                nll_max_images: mode.pick(50, 1000, 0),
                rbm_hidden: mode.pick(10, 300, 300),
                rbm_epochs: mode.pick(1, 8, 30),
                rbm_lr: 0.05,
                rbm_chains: mode.pick(20, 100, 100),
                // logistic regressions fitted by L-BFGS to a small gradient (quick: at most 50
                // iterations, to stay in its time budget; non-convergence is reported)
                probe: LogRegParams {
                    l2: 1e-4,
                    max_iter: mode.pick(50, 50, 300),
                    tol: mode.pick(1e-4, 1e-4, 1e-5),
                },
                n_samples: mode.pick(8, 32, 32),
                sample_steps: mode.pick(10, 200, 1000),
            },
            use_full_mnist: mode.pick(false, false, true),
            max_images: mode.pick(400, 0, 0),
        },
        timing: TimingParams {
            n_visible: mode.pick(64, 784, 784),
            n_hidden: mode.pick(32, 500, 3000),
            batch_size: mode.pick(10, 100, 100),
            ks: mode.pick(vec![2, 4], vec![10, 50, 190], vec![10, 50, 190]),
            cd_steps: mode.pick(vec![1, 2], vec![1, 5, 10], vec![1, 5, 10]),
            n_updates: mode.pick(2, 5, 20),
        },
    }
}

/// What each sub-experiment adds to the section.
#[derive(Default)]
struct Parts {
    text: Vec<String>,
    figures: Vec<spinlearn_plot::Figure>,
    table: Vec<TableRow>,
    summary: Map<String, Value>,
    stage_seconds: Map<String, Value>,
    claims: Vec<Claim>,
    deviations: Vec<String>,
}

/// The section id (for claim anchors).
const ID: &str = "rapid";

/// The anchor of this section's claim `id`, for a table row's `claim`.
fn anchor(id: &str) -> Option<String> {
    Some(claim_anchor(ID, id))
}

/// Why a smoke run decides nothing.
const SMOKE: &str = "smoke sizes: a code-path check, too small to decide the claim.";

/// A mean and population std over `n_runs` runs as a claim's measurement.
fn measured(m: MeanStd, n_runs: usize) -> Measured {
    Measured {
        value: m.mean,
        spread: if n_runs > 1 { m.std } else { 0.0 },
        n_runs,
    }
}

/// "1 training" / "3 trainings".
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Writes curves with bands in long format, one row per point: `series, <x_name>, mean, std`
/// (std: population standard deviation over runs, 0 for one run).
fn bands_csv(path: &Path, x_name: &str, curves: &[(&str, &Band)]) -> Result<()> {
    let rows = curves.iter().flat_map(|(label, b)| {
        (0..b.x.len()).map(move |i| {
            vec![
                Cell::from(*label),
                Cell::from(b.x[i]),
                Cell::from(b.mean[i]),
                Cell::from(b.std.get(i).copied().unwrap_or(f64::NAN)),
            ]
        })
    });
    write_csv(path, &["series", x_name, "mean", "std"], rows)?;
    Ok(())
}

/// Writes ±1 (or 0/1) samples as a CSV: `sample`, the `extra` label columns, then one column per
/// pixel `p0 .. p{n-1}` (row-major).
fn samples_csv(
    path: &Path,
    samples: ndarray::ArrayView2<'_, f32>,
    extra: &[(&str, Vec<Cell>)],
) -> Result<()> {
    let mut header: Vec<String> = vec!["sample".into()];
    header.extend(extra.iter().map(|(h, _)| h.to_string()));
    header.extend((0..samples.ncols()).map(|p| format!("p{p}")));
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = samples.rows().into_iter().enumerate().map(|(r, row)| {
        let mut cells = vec![Cell::from(r)];
        cells.extend(extra.iter().map(|(_, c)| c[r].clone()));
        cells.extend(row.iter().map(|&x| Cell::from(f64::from(x))));
        cells
    });
    write_csv(path, &h, rows)?;
    Ok(())
}

fn series(label: &str, b: &Band, color: usize) -> Series {
    Series::line(label, b.x.clone(), b.mean.clone())
        .with_err(b.std.clone())
        .with_color(color)
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// `mean ± std`, or the mean alone when the spread rounds to zero at `digits` decimals (a single
/// run, or runs that agree).
fn fmt_ms(m: MeanStd, digits: usize) -> String {
    if m.std >= 0.5 * 10f64.powi(-(digits as i32)) {
        format!("{:.*} ± {:.*}", digits, m.mean, digits, m.std)
    } else {
        format!("{:.*}", digits, m.mean)
    }
}

/// Runs the section: every unit of [`units`] (as [`run_units`] runs them), then the report section
/// from their results (as [`merge`] renders it).
pub fn run(s: &SectionCtx, obs: &mut dyn Observer) -> Result<SectionOutput> {
    let p = preset(s.mode);
    let all = units::all(&p);
    let done = units::compute(s, &p, &all, obs)?;
    let c = units::collect(&p, done)?;
    render(s, &p, c)
}

/// The report section from the units' results.
fn render(s: &SectionCtx, p: &Preset, c: units::Collected) -> Result<SectionOutput> {
    let mut parts = Parts {
        text: vec![
            "Paper 004 (RAPID). RBMs with ±1 units and no biases; Regularized Axons W = ξ_vᵀξ_h/√K (eq. 5); PID negative phase (eq. 6). Bands are ± one standard deviation over independent models or trainings.".to_string(),
        ],
        ..Parts::default()
    };
    untrained::render(s, &p.untrained, &c.untrained, &mut parts)?;
    let runs_text = bars::render(s, &p.bars, c.bars, &mut parts)?;
    bas::render(s, &p.bas, c.bas, &bas::splits(s, p.bas.side)?, &mut parts)?;
    let source = mnist::render(s, &p.mnist, &c.mnist, &c.mnist_info, &mut parts)?;
    timing::render(s, &p.timing, &c.timing, c.timing_by.as_deref(), &mut parts)?;
    parts.stage_seconds = c.stage_seconds;

    let (up, bp, sp, mp) = (&p.untrained, &p.bars.curves, &p.bas, &p.mnist.params);
    parts.text.push(format!(
        "Sizes in this run ({} mode): Fig. 1 V = {}, H = {}, {} models; Bars H = {}, {} epochs, batch {}, trainings: {runs_text}; BAS {side}x{side}, H = {}, K = {}; MNIST from {source}, H = {}, K = {}.",
        format!("{:?}", s.mode).to_lowercase(), up.n_visible, up.n_hidden, up.n_models, bp.n_hidden, bp.epochs, bp.batch_size, sp.curves.n_hidden, bas::pattern_count(&sp.method), mp.n_hidden, mp.k,
        side = sp.side,
    ));
    parts.text.push("The MNIST probes are logistic regressions fitted to convergence by full-batch L-BFGS, on one sampled hidden state per image (the paper's) and on the standardized hidden means E[h|v], for the trained RA-RBM, the same RA-RBM untrained (a control) and a 0/1 RBM with biases trained by PCD-1.".into());
    let mut deviations = Vec::new();
    if s.mode != Mode::Full {
        deviations.push(format!(
            "This is a {} run: every experiment is smaller and shorter than the paper's (sizes above); the claims its sizes cannot decide are marked not comparable with the measured numbers in their reason.",
            format!("{:?}", s.mode).to_lowercase()
        ));
    } else {
        deviations.push("Full mode keeps the paper's MNIST model and schedule (H = 3000, K = 190, LR 0.015, 10 Gibbs steps, 100 epochs) but trains on the embedded 8,000 digits unless `--mnist-dir` points at the full MNIST, in one training (the paper: 100); the Bars comparison uses H = 400 with 6/40/12/40 trainings (exact/CD/PCD/RAPID), BAS 8 trainings, Fig. 1 20 models at V = 16 (the paper: 100 runs, V up to 20): sizes cut to about an hour on 2 cores.".into());
    }
    deviations.extend(parts.deviations);
    let mut summary = parts.summary;
    summary.insert("stage_seconds".into(), Value::Object(parts.stage_seconds));
    Ok(SectionOutput {
        section: ReportSection {
            title: "RAPID: Regularized Axons and Pattern-InDuced correlations".into(),
            paper: "A. Pozas-Kerstjens, G. Muñoz-Gil, E. Piñol, M. Á. García-March, A. Acín, M. Lewenstein, P. R. Grzybowski (2021), Efficient training of energy-based models via spin-glass control, Mach. Learn.: Sci. Technol. 2, 025026 (arXiv:1910.01592).".into(),
            text: parts.text,
            figures: parts.figures,
            table: parts.table,
            deviations,
            ..Default::default()
        },
        summary: Value::Object(summary),
        claims: parts.claims,
    })
}
