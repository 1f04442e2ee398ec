//! Fig. 6 and section V B: the RA-RBM on binarized MNIST (AIS NLL against epoch, samples) and the
//! linear probe on its hidden means against a standard 0/1 RBM.

use super::{MnistPreset, Parts, fmt_ms, num, series};
use crate::{ReproduceError, Result, SectionCtx};
use serde_json::json;
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_data::{Dataset, mnist, transform};
use spinlearn_plot::{ImageGrid, LinePlot, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::mnist::mnist_experiment;

fn labels_of(d: &Dataset) -> Result<&[u8]> {
    d.labels
        .as_deref()
        .ok_or_else(|| ReproduceError::invalid("data", "MNIST labels missing"))
}

/// Runs the experiment and returns a description of the data used.
pub(super) fn run(
    s: &SectionCtx,
    p: &MnistPreset,
    parts: &mut Parts,
    obs: &mut dyn Observer,
) -> Result<String> {
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
    let mtr = transform::binarize(&mtr, 0.5)?;
    let mte = transform::binarize(&mte, 0.5)?;
    let mp = &p.params;
    obs.note(&format!(
        "  Fig. 6: MNIST ({source}), H = {}, K = {}, {} Gibbs steps, {} epochs, {} trainings",
        mp.n_hidden, mp.k, mp.gibbs_steps, mp.epochs, mp.n_runs
    ));
    let mr = mnist_experiment(
        mtr.data.view(),
        labels_of(&mtr)?,
        mte.data.view(),
        labels_of(&mte)?,
        &mp.check()?,
        s.seed.named("mnist"),
        obs,
    )?;
    let mut p6 = LinePlot::new(
        format!(
            "RA-RBM on binarized MNIST, H = {}, K = {}, lr {}",
            mp.n_hidden, mp.k, mp.lr
        ),
        "epoch",
        "NLL (AIS, nats per image)",
    );
    p6.log_y = true;
    p6 = p6
        .with(series("training set", &mr.ais_train_nll, 0).with_style(SeriesStyle::LinePoints))
        .with(series("test set", &mr.ais_test_nll, 1).with_style(SeriesStyle::LinePoints));
    p6.save(&s.stem("fig6a_mnist_nll"))?;
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
    parts.figures.push(s.figure("fig6a_mnist_nll", format!("Fig. 6a: NLL estimated with AIS ({} chains, {} temperatures; a lower bound of the true NLL) on training and test images, mean ± std over {} trainings.", mp.ais_chains, mp.ais_betas, mp.n_runs)));
    parts.figures.push(s.figure(
        "fig6c_mnist_samples",
        "Fig. 6c: samples of a trained RA-RBM.",
    ));
    let ais_te = mr.ais_test_nll.last();
    let t = &mut parts.table;
    t.push(TableRow {
        name: "mnist.ais_test_nll".into(),
        value: format!("{:.2} ± {:.2}", ais_te.0, ais_te.1),
        paper: Some("not quoted (Fig. 6a-b; 'comparable to standard RBMs')".into()),
        note: format!("epoch {}, {source}", mp.epochs),
        ..Default::default()
    });
    t.push(TableRow {
        name: "mnist.probe_test_accuracy.ra_rbm".into(),
        value: fmt_ms(mr.ra_probe_test, 4),
        paper: Some("0.9384 ± 0.0019".into()),
        note: format!("H = {}, K = {}", mp.n_hidden, mp.k),
        ..Default::default()
    });
    t.push(TableRow {
        name: "mnist.probe_train_accuracy.ra_rbm".into(),
        value: fmt_ms(mr.ra_probe_train, 4),
        paper: Some("0.9547 ± 0.0019".into()),
        note: "logistic regression on E[h|v]".into(),
        ..Default::default()
    });
    t.push(TableRow {
        name: "mnist.probe_test_accuracy.rbm".into(),
        value: fmt_ms(mr.rbm_probe_test, 4),
        paper: Some("0.9204 ± 0.0019".into()),
        note: format!("0/1 RBM, H = {}, PCD-1, one training", mp.rbm_hidden),
        ..Default::default()
    });
    t.push(TableRow {
        name: "mnist.probe_train_accuracy.rbm".into(),
        value: fmt_ms(mr.rbm_probe_train, 4),
        paper: Some("0.9301 ± 0.0010".into()),
        note: String::new(),
        ..Default::default()
    });
    parts.summary.insert(
        "mnist".into(),
        json!({
            "probe_test_accuracy": {"ra_rbm": num(mr.ra_probe_test.mean), "rbm": num(mr.rbm_probe_test.mean)},
            "probe_train_accuracy": {"ra_rbm": num(mr.ra_probe_train.mean), "rbm": num(mr.rbm_probe_train.mean)},
            "ais_test_nll": num(ais_te.0),
            "ais_train_nll": num(mr.ais_train_nll.last().0),
            "ais_initial_test_nll": num(mr.ais_test_nll.mean.first().copied().unwrap_or(f64::NAN)),
            "source": source, "n_train": mtr.n_samples(), "n_test": mte.n_samples(),
            "n_hidden": mp.n_hidden, "k": mp.k, "gibbs_k": mp.gibbs_steps, "epochs": mp.epochs, "n_runs": mp.n_runs,
            "ais_chains": mp.ais_chains, "ais_betas": mp.ais_betas, "lr": mp.lr,
            "batch_size": mp.batch_size, "probe": {"standardize": mp.probe.standardize,
            "epochs": mp.probe.epochs, "lr": mp.probe.lr, "l2": mp.probe.l2},
        }),
    );
    Ok(source)
}
