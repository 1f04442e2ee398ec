//! Fig. 6 and section V B: the RA-RBM on binarized MNIST (AIS NLL against epoch, samples) and the
//! linear probe on its hidden means against a standard 0/1 RBM.

use super::{MnistPreset, Parts, SMOKE, anchor, bands_csv, count, fmt_ms, measured, num, series};
use crate::{Claim, Measured, Mode, ReproduceError, Result, Rule, SectionCtx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_data::{Dataset, mnist, transform};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::mnist::{MnistResult, RaRun, RbmRun, mnist_ra_run, mnist_rbm_run};

/// NLL of the uniform model over the 2^784 binary images: 784 ln 2 nats.
const UNIFORM_NLL: f64 = 784.0 * std::f64::consts::LN_2;

const NLL_UNIFORM: &str = "mnist.nll_below_uniform";
const NLL_DROP: &str = "mnist.nll_drop_orders";
const NLL_RBM: &str = "mnist.nll_comparable_to_rbm";
const PROBE_TEST: &str = "mnist.probe_test";
const PROBE_TRAIN: &str = "mnist.probe_train";
const PROBE_ORDER: &str = "mnist.probe_ra_above_rbm";
const RBM_TEST: &str = "mnist.rbm_probe_test";
const RBM_TRAIN: &str = "mnist.rbm_probe_train";
const PROBE_UNTRAINED: &str = "mnist.probe_trained_above_untrained";

fn labels_of(d: &Dataset) -> Result<&[u8]> {
    d.labels
        .as_deref()
        .ok_or_else(|| ReproduceError::invalid("data", "MNIST labels missing"))
}

/// The binarized MNIST training and test sets of the experiment and where they come from.
pub(super) struct MnistData {
    train: Dataset,
    test: Dataset,
    info: MnistInfo,
}

/// Where the digits come from and how many: carried by each MNIST unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct MnistInfo {
    pub source: String,
    pub n_train: usize,
    pub n_test: usize,
}

/// Loads the digits: the full MNIST from `s.mnist_dir` when the preset asks for it, else the
/// embedded subset split 80/20 by `s.seed.named("mnist-split")`; binarized at 0.5.
pub(super) fn load(s: &SectionCtx, p: &MnistPreset, obs: &mut dyn Observer) -> Result<MnistData> {
    let (mtr, mte, source) = match &s.mnist_dir {
        Some(dir) if p.use_full_mnist => {
            let (a, b) = mnist::load_dir(dir)?;
            (a, b, format!("full MNIST from {}", dir.display()))
        }
        _ => {
            let mut d = mnist::embedded()?;
            let mut source = "the embedded 10,000-digit subset (80/20 split)".to_string();
            if p.max_images > 0 && p.max_images < d.n_samples() {
                d = d.head(p.max_images);
                source = format!(
                    "the first {} digits of the embedded subset (80/20 split)",
                    p.max_images
                );
            }
            let (a, b) = transform::split(&d, 0.8, s.seed.named("mnist-split"))?;
            (a, b, source)
        }
    };
    let train = transform::binarize(&mtr, 0.5)?;
    let test = transform::binarize(&mte, 0.5)?;
    let mp = &p.params;
    obs.note(&format!(
        "  Fig. 6: MNIST ({source}), H = {}, K = {}, {} Gibbs steps, {} epochs, {} trainings",
        mp.n_hidden, mp.k, mp.gibbs_steps, mp.epochs, mp.n_runs
    ));
    let info = MnistInfo {
        source,
        n_train: train.n_samples(),
        n_test: test.n_samples(),
    };
    Ok(MnistData { train, test, info })
}

/// RA-RBM training `run` (a unit of the section), from `s.seed.named("mnist").named("ra").derive(run)`.
pub(super) fn ra_unit(
    s: &SectionCtx,
    p: &MnistPreset,
    d: &MnistData,
    run: usize,
    obs: &mut dyn Observer,
) -> Result<(MnistInfo, RaRun)> {
    let r = mnist_ra_run(
        d.train.data.view(),
        labels_of(&d.train)?,
        d.test.data.view(),
        labels_of(&d.test)?,
        &p.params.check()?,
        s.seed.named("mnist"),
        run,
        obs,
    )?;
    Ok((d.info.clone(), r))
}

/// The comparison RBM (a unit of the section), from `s.seed.named("mnist").named("rbm")`.
pub(super) fn rbm_unit(
    s: &SectionCtx,
    p: &MnistPreset,
    d: &MnistData,
    obs: &mut dyn Observer,
) -> Result<(MnistInfo, RbmRun)> {
    let r = mnist_rbm_run(
        d.train.data.view(),
        labels_of(&d.train)?,
        d.test.data.view(),
        labels_of(&d.test)?,
        &p.params.check()?,
        s.seed.named("mnist"),
        obs,
    )?;
    Ok((d.info.clone(), r))
}

/// Draws Fig. 6 from the trainings and adds the rows, claims and summary of Fig. 6 and section
/// V B; returns a description of the data used.
pub(super) fn render(
    s: &SectionCtx,
    p: &MnistPreset,
    mr: &MnistResult,
    info: &MnistInfo,
    parts: &mut Parts,
) -> Result<String> {
    let mp = &p.params;
    let source = info.source.clone();
    let mut p6 = LinePlot::new(
        format!(
            "RA-RBM on binarized MNIST, H = {}, K = {}, lr {}",
            mp.n_hidden, mp.k, mp.lr
        ),
        "epoch",
        "NLL (AIS, nats per image)",
    );
    p6.log_y = true;
    let last_epoch = mr
        .ais_test_nll
        .x
        .last()
        .copied()
        .unwrap_or(mp.epochs as f64);
    p6 = p6
        .with(series("training set", &mr.ais_train_nll, 0).with_style(SeriesStyle::LinePoints))
        .with(series("test set", &mr.ais_test_nll, 1).with_style(SeriesStyle::LinePoints))
        .with(
            Series::line(
                "uniform model, 784 ln 2 = 543",
                vec![0.0, last_epoch],
                vec![UNIFORM_NLL, UNIFORM_NLL],
            )
            .with_style(SeriesStyle::Guide),
        );
    p6.save(&s.stem("fig6a_mnist_nll"))?;
    bands_csv(
        &s.dir.join("fig6a_mnist_nll.csv"),
        "epoch",
        &[
            ("training set", &mr.ais_train_nll),
            ("test set", &mr.ais_test_nll),
        ],
    )?;
    let imgs: Vec<Vec<f32>> = mr
        .samples
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&x| if x > 0.0 { 1.0 } else { 0.0 }).collect())
        .collect();
    let mut g6 = ImageGrid::new(imgs, (28, 28), 8);
    g6.title = format!(
        "Samples from random starts ({} Gibbs steps)",
        mp.sample_steps
    );
    g6.save(&s.stem("fig6c_mnist_samples"))?;
    super::samples_csv(
        &s.dir.join("fig6c_mnist_samples.csv"),
        mr.samples.view(),
        &[],
    )?;
    let ais_te = mr.ais_test_nll.last();
    let above = ais_te.0 > UNIFORM_NLL;
    parts.figures.push(s.figure("fig6a_mnist_nll", format!("Fig. 6a: NLL (nats per image) estimated with AIS ({} chains, {} temperatures; a lower bound of the true NLL) on training and test images, mean ± std over {}; dotted guide: the uniform model over 2^784 images.{}", mp.ais_chains, mp.ais_betas, count(mp.n_runs, "training"), if above { format!(" At epoch {} the test NLL ({:.0}) is still above the uniform model's 543: the model has not learned the digits (see the claims).", mp.epochs, ais_te.0) } else { String::new() })));
    parts.figures.push(s.figure(
        "fig6c_mnist_samples",
        format!("Fig. 6c: samples of the first trained RA-RBM ({} Gibbs steps from random starts; the paper's model has K = 290). {}", mp.sample_steps, if above { "This model's NLL is above the uniform model's: its samples show no digits." } else { "" }),
    ));
    let t = &mut parts.table;
    t.push(TableRow {
        name: "mnist.ais_test_nll".into(),
        value: fmt_ms(
            spinlearn_rbm::experiments::MeanStd {
                mean: ais_te.0,
                std: ais_te.1,
            },
            2,
        ),
        paper: Some("not quoted (Fig. 6a-b; 'comparable to standard RBMs')".into()),
        note: format!("epoch {}, {source}; uniform model: 543", mp.epochs),
        claim: anchor(NLL_RBM),
    });
    let floor = mr.floor_test_nll.last();
    t.push(TableRow {
        name: "mnist.floor_test_nll".into(),
        value: format!("{:.2}", floor.0),
        paper: None,
        note: "test NLL under the rigorous lower bound of log Z (log-sum of e^-F over the training images and the signs of the visible patterns); AIS values below it underestimate log Z".into(),
        claim: anchor(NLL_RBM),
    });
    t.push(TableRow {
        name: "mnist.ais_test_nll.rbm".into(),
        value: format!("{:.2}", mr.rbm_ais_test_nll),
        paper: None,
        note: format!(
            "0/1 RBM, H = {}, PCD-1, same split and AIS settings",
            mp.rbm_hidden
        ),
        claim: anchor(NLL_RBM),
    });
    let probe_rows = [
        (
            "ra_rbm",
            &mr.ra_probe,
            Some(("0.9384 ± 0.0019", "0.9547 ± 0.0019")),
            PROBE_TEST,
        ),
        (
            "ra_rbm_untrained",
            &mr.untrained_probe,
            None,
            PROBE_UNTRAINED,
        ),
        (
            "rbm",
            &mr.rbm_probe,
            Some(("0.9204 ± 0.0019", "0.9301 ± 0.0010")),
            RBM_TEST,
        ),
    ];
    for (name, sc, paper, claim) in probe_rows {
        t.push(TableRow {
            name: format!("mnist.probe_test_accuracy.{name}"),
            value: fmt_ms(sc.sampled_test, 4),
            paper: paper.map(|p| p.0.to_string()),
            note: "logistic regression (L-BFGS) on one sampled hidden state per image".into(),
            claim: anchor(claim),
        });
        t.push(TableRow {
            name: format!("mnist.probe_train_accuracy.{name}"),
            value: fmt_ms(sc.sampled_train, 4),
            paper: paper.map(|p| p.1.to_string()),
            note: "the same, training set".into(),
            claim: anchor(claim),
        });
        t.push(TableRow {
            name: format!("mnist.probe_test_accuracy.{name}.mean_features"),
            value: fmt_ms(sc.mean_test, 4),
            paper: None,
            note: "logistic regression on the standardized hidden means E[h|v]".into(),
            claim: anchor(claim),
        });
    }
    claims(s, p, mr, &source, info.n_train, parts);
    let scores = |sc: &spinlearn_rbm::experiments::mnist::ProbeScores| {
        json!({
            "sampled": {"train": num(sc.sampled_train.mean), "test": num(sc.sampled_test.mean),
                        "test_std": num(sc.sampled_test.std)},
            "mean_features": {"train": num(sc.mean_train.mean), "test": num(sc.mean_test.mean)},
        })
    };
    parts.summary.insert(
        "mnist".into(),
        json!({
            "probe": {"ra_rbm": scores(&mr.ra_probe), "ra_rbm_untrained": scores(&mr.untrained_probe),
                      "rbm": scores(&mr.rbm_probe), "converged": mr.probes_converged,
                      "max_iterations": mr.probe_max_iterations, "solver": "L-BFGS",
                      "l2": mp.probe.l2, "tol": mp.probe.tol, "max_iter": mp.probe.max_iter},
            "ais_test_nll": num(ais_te.0),
            "ais_train_nll": num(mr.ais_train_nll.last().0),
            "ais_initial_test_nll": num(mr.ais_test_nll.mean.first().copied().unwrap_or(f64::NAN)),
            "floor_test_nll": num(floor.0),
            "floor_initial_test_nll": num(mr.floor_test_nll.mean.first().copied().unwrap_or(f64::NAN)),
            "rbm_ais_test_nll": num(mr.rbm_ais_test_nll),
            "source": source, "n_train": info.n_train, "n_test": info.n_test,
            "n_hidden": mp.n_hidden, "k": mp.k, "gibbs_k": mp.gibbs_steps, "epochs": mp.epochs, "n_runs": mp.n_runs,
            "ais_chains": mp.ais_chains, "ais_betas": mp.ais_betas, "lr": mp.lr,
            "batch_size": mp.batch_size, "train_seconds_per_run": num(mr.train_seconds),
        }),
    );
    Ok(source)
}

/// Fig. 6 and Sec. V B's claims: the AIS NLL (below the uniform model, its drop, comparable to a
/// standard RBM's) and the probe accuracies against the paper's and the plain RBM's.
fn claims(
    s: &SectionCtx,
    p: &MnistPreset,
    mr: &MnistResult,
    source: &str,
    n_train: usize,
    parts: &mut Parts,
) {
    let mp = &p.params;
    let smoke = s.mode == Mode::Smoke;
    let full = s.mode == Mode::Full;
    let n = mp.n_runs;
    let te = mr.ais_test_nll.last();
    let te0 = mr.ais_test_nll.mean.first().copied().unwrap_or(f64::NAN);
    let orders = (te0 / te.0).log10();
    let mode = format!("{:?}", s.mode).to_lowercase();
    let sizes = format!(
        "{} with {} Gibbs step{} from the patterns on {n_train} training digits of {source} ({mode} sizes; the paper: training to convergence on the 60,000 MNIST digits with 10 steps)",
        count(mp.epochs, "epoch"),
        mp.gibbs_steps,
        if mp.gibbs_steps == 1 { "" } else { "s" }
    );
    let quick_reason = format!(
        "{sizes}; measured: test NLL {te0:.0} -> {:.0} nats per image ({orders:.2} orders of magnitude).",
        te.0
    );
    let measured_nll = Measured {
        value: te.0,
        spread: if n > 1 { te.1 } else { 0.0 },
        n_runs: n,
    };
    let nll_note = if te.0 > UNIFORM_NLL {
        format!(
            "After {sizes} the RA-RBM's AIS test NLL ({:.0} nats per image, from {te0:.0} untrained) is still {:.0} times the uniform model's 543: the model has not learned the digit distribution, and its samples (Fig. 6c) show no digits. The cause: see the MNIST diagnosis in the deviations.",
            te.0,
            te.0 / UNIFORM_NLL
        )
    } else {
        String::new()
    };
    parts.claims.push(
        Claim::new(
            NLL_UNIFORM,
            "MNIST: RA-RBM's AIS test NLL below the uniform model's",
            measured_nll,
            "nats per image",
            "Sec. V B and Fig. 6a-b: the NLL is optimized to values comparable to standard RBMs'; any model of the digits must beat the uniform model's 784 ln 2 = 543 nats",
            Rule::AtMost { bound: 543.0 },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(nll_note)
        .with_figure("fig6a_mnist_nll"),
    );
    parts.claims.push(
        Claim::new(
            NLL_DROP,
            "MNIST: orders of magnitude by which the AIS test NLL falls during training",
            Measured::single(orders),
            "orders of magnitude",
            "Sec. V B and Fig. 6a: final NLL values four orders of magnitude smaller than the initial NLL",
            Rule::Absolute {
                paper: 4.0,
                tol: 1.0,
            },
        )
        .not_comparable_if(!full, quick_reason.clone())
        .with_note(format!("log10 of the initial over the final mean test NLL ({te0:.0} / {:.0}).", te.0))
        .with_figure("fig6a_mnist_nll"),
    );
    let rbm_nll = mr.rbm_ais_test_nll;
    parts.claims.push(
        Claim::new(
            NLL_RBM,
            "MNIST: RA-RBM's final AIS test NLL within a factor 2 of a standard RBM's on the same split",
            measured_nll,
            "nats per image",
            "Sec. V B: NLL values comparable to, although not necessarily better than, standard RBMs'; bound: 2 x the AIS test NLL of our 0/1 RBM (PCD-1) on the same digits",
            Rule::AtMost { bound: 2.0 * rbm_nll },
        )
        .not_comparable_if(!full, quick_reason)
        .with_note(format!(
            "standard RBM (H = {}, PCD-1, {} epochs): {rbm_nll:.1} nats per image; RA-RBM: AIS {:.1}, rigorous floor {:.1}.",
            mp.rbm_hidden,
            mp.rbm_epochs,
            te.0,
            mr.floor_test_nll.last().0
        ))
        .with_figure("fig6a_mnist_nll"),
    );
    let ra = &mr.ra_probe;
    let probe_reason = format!(
        "{sizes}; measured: test {:.4}, training {:.4}.",
        ra.sampled_test.mean, ra.sampled_train.mean
    );
    let conv = if mr.probes_converged {
        format!(
            "every fit converged (largest gradient entry below {:e}; at most {} iterations)",
            mp.probe.tol, mr.probe_max_iterations
        )
    } else {
        format!(
            "NOT every fit converged within {} iterations (tolerance {:e})",
            mp.probe.max_iter, mp.probe.tol
        )
    };
    let probe_note = format!(
        "Logistic regression (L2 {}, full-batch L-BFGS; {conv}) on one sampled hidden state per image, as in the paper; on the standardized hidden means the RA-RBM gives {:.4} (test).",
        mp.probe.l2, ra.mean_test.mean
    );
    parts.claims.push(
        Claim::new(
            PROBE_TEST,
            "MNIST: probe test accuracy on the RA-RBM's hidden layer",
            measured(ra.sampled_test, n),
            "",
            "Sec. V B: 93.84 ± 0.19 % on the test set (100 RA-RBMs, H = 3000, K = 190)",
            Rule::Absolute {
                paper: 0.9384,
                tol: 0.01,
            },
        )
        .not_comparable_if(!full, probe_reason.clone())
        .with_note(probe_note.clone()),
    );
    parts.claims.push(
        Claim::new(
            PROBE_TRAIN,
            "MNIST: probe training accuracy on the RA-RBM's hidden layer",
            measured(ra.sampled_train, n),
            "",
            "Sec. V B: 95.47 ± 0.19 % on the training set",
            Rule::Absolute {
                paper: 0.9547,
                tol: 0.01,
            },
        )
        .not_comparable_if(!full, probe_reason)
        .with_note(probe_note.clone()),
    );
    let rbm = measured(mr.rbm_probe.sampled_test, 1);
    parts.claims.push(
        Claim::new(
            PROBE_ORDER,
            "MNIST: probe test accuracy of the RA-RBM above the standard RBM's",
            measured(ra.sampled_test, n),
            "",
            "Sec. V B: 93.84 % for the RA-RBM against 92.04 % for standard RBMs with 300 hidden units",
            Rule::Greater { other: rbm },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "RA-RBM (H = {}) after {sizes}; the standard RBM: 0/1 units with biases, H = {}, PCD-1, {} epochs, one training: {:.4}. {probe_note}",
            mp.n_hidden, mp.rbm_hidden, mp.rbm_epochs, mr.rbm_probe.sampled_test.mean
        )),
    );
    let un = &mr.untrained_probe;
    parts.claims.push(
        Claim::new(
            PROBE_UNTRAINED,
            "MNIST: probe test accuracy of the trained RA-RBM above the same RA-RBM untrained",
            measured(ra.sampled_test, n),
            "",
            "Sec. V B: the probe demonstrates that the hidden layers of the RA-RBMs have learnt to distill the relevant information of the samples (implied: training raises it above random patterns')",
            Rule::Greater {
                other: measured(un.sampled_test, 1),
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "untrained RA-RBM (the first training's random ±1 patterns, H = {}, K = {}): test {:.4} on sampled states, {:.4} on standardized means. A wide layer of random features already supports a good linear probe, so the probe measures learning only against this control.",
            mp.n_hidden, mp.k, un.sampled_test.mean, un.mean_test.mean
        )),
    );
    let rbm_note = format!(
        "0/1 RBM with biases, H = {}, PCD-1 with {} chains, {} epochs, one training; {probe_note}",
        mp.rbm_hidden, mp.rbm_chains, mp.rbm_epochs
    );
    parts.claims.push(
        Claim::new(
            RBM_TEST,
            "MNIST: probe test accuracy on a standard RBM's hidden layer (H = 300)",
            rbm,
            "",
            "Sec. V B: 92.04 ± 0.19 % on the test set for standard RBMs with 300 hidden units",
            Rule::Absolute {
                paper: 0.9204,
                tol: 0.01,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(rbm_note.clone()),
    );
    parts.claims.push(
        Claim::new(
            RBM_TRAIN,
            "MNIST: probe training accuracy on a standard RBM's hidden layer (H = 300)",
            measured(mr.rbm_probe.sampled_train, 1),
            "",
            "Sec. V B: 93.01 ± 0.10 % on the training set",
            Rule::Absolute {
                paper: 0.9301,
                tol: 0.01,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(rbm_note),
    );
    parts.deviations.push(
        "MNIST probe: the comparison RBM is trained once (the paper averages over trainings); the probes are fitted to convergence by L-BFGS with a small L2 penalty.".to_string(),
    );
    parts.deviations.push(diagnosis(mr, mp.rbm_hidden, &sizes));
}

/// The MNIST diagnosis (issue 15), with this run's numbers: how far the RA-RBM's NLL is from the
/// plain RBM's under a bound that cannot err low, how far AIS errs for the untrained model, and
/// why the model stays cold.
fn diagnosis(mr: &MnistResult, rbm_hidden: usize, sizes: &str) -> String {
    let te = mr.ais_test_nll.last().0;
    let te0 = mr.ais_test_nll.mean.first().copied().unwrap_or(f64::NAN);
    let fl = mr.floor_test_nll.last().0;
    let fl0 = mr.floor_test_nll.mean.first().copied().unwrap_or(f64::NAN);
    let under0 = fl0 - te0;
    format!(
        "MNIST diagnosis (issue 15). After {sizes} the RA-RBM's test NLL is at least {fl:.0} nats per image by a rigorous bound (log Z >= log Σ e^-F over the training images and the signs of the visible patterns; AIS gives {te:.0}), against {:.0} for the plain 0/1 RBM (H = {rbm_hidden}, PCD-1) on the same digits and 543 for the uniform model. Before training the rigorous bound is {fl0:.0}{}. Cause: W = ξ_vᵀξ_h/√K with |ξ| <= 1 makes the hidden fields of order 10^2 on 784 pixels, so the model sits at a very low temperature; the negative phase, Gibbs chains seeded at the patterns, stays at the patterns of such a model, and the gradient then matches the data's statistics at the patterns without any term that warms the model, so the NLL (the free-energy gap between the data and the pattern minima) stays in the thousands. In small runs (H = 500, K = 50, 2,000 digits; examples/rapid_mnist_diagnosis.rs) neither a few large batches per epoch (the authors' published notebook uses batch 8000) nor 10 Gibbs steps changed this: the rigorous NLL bound stayed in the thousands of nats after 6-12 epochs while a plain RBM reached about 190. The paper's Fig. 6 NLL is an AIS estimate, a stochastic lower bound, for a cold model: AIS can err low by orders of magnitude there (the AIS routine of the authors' ebm-torch library moreover samples its chains with a 0/1 Gibbs sampler while weighting them with the ±1 free energy), so its four orders of magnitude and its values 'comparable to standard RBMs' are not reproduced and are not supported by a bound.",
        mr.rbm_ais_test_nll,
        if under0 > 0.0 {
            format!(
                ", {under0:.0} nats above the AIS estimate: AIS underestimates the untrained model's log Z by at least that much"
            )
        } else {
            String::new()
        }
    )
}
