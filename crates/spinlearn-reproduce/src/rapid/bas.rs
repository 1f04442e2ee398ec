//! Fig. 5: RAPID on Bars-and-Stripes; reconstruction Hamming distances against epoch and samples
//! from random starts, framed by whether they are training images, test images or neither.

use super::bars::split_of;
use super::{BasPreset, Parts, fmt_ms, num, series};
use crate::{ReproduceError, Result, SectionCtx};
use serde_json::{Value, json};
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_data::{generate, transform};
use spinlearn_plot::{ImageGrid, LinePlot, TableRow};
use spinlearn_rbm::experiments::curves::{Method, membership, method_curves};
use spinlearn_rbm::sample::from_random_starts;
use spinlearn_rbm::train::WeightsSpec;

/// K of an RA method (0 for dense weights).
pub(super) fn pattern_count(m: &Method) -> usize {
    match m.weights {
        WeightsSpec::Ra { k, .. } => k,
        WeightsSpec::Dense { .. } => 0,
    }
}

pub(super) fn run(
    s: &SectionCtx,
    p: &BasPreset,
    parts: &mut Parts,
    obs: &mut dyn Observer,
) -> Result<()> {
    let side = p.side;
    let sp = &p.curves;
    let bas_k = pattern_count(&p.method);
    let bas = transform::to_spins(&generate::bars_and_stripes(side)?)?;
    let (str_, ste) = transform::sign_symmetric_split(&bas, 0.8, s.seed.named("bas-split"))?;
    let (sstr, sste) = (split_of(&str_, side), split_of(&ste, side));
    obs.note(&format!(
        "  Fig. 5: {side}x{side} BAS ({} train / {} test), H = {}, K = {bas_k}, {} epochs, {} trainings",
        str_.n_samples(), ste.n_samples(), sp.n_hidden, sp.epochs, sp.n_runs
    ));
    let bc = method_curves(
        &p.method,
        &sp.check()?,
        &sstr,
        &sste,
        s.seed.named("bas12"),
        obs,
    )?;
    LinePlot::new(
        format!(
            "{side}x{side} Bars and Stripes, V = {}, H = {}, K = {bas_k}, batch {}",
            side * side,
            sp.n_hidden,
            sp.batch_size
        ),
        "epoch",
        "Hamming distance",
    )
    .with(series("training set", &bc.train_hamming, 0))
    .with(series("test set", &bc.test_hamming, 1))
    .save(&s.stem("fig5_bas_hamming"))?;
    let rbm0 = bc
        .final_models
        .first()
        .ok_or_else(|| ReproduceError::Stopped("BAS training".into()))?;
    let samp = from_random_starts(
        rbm0,
        p.n_samples,
        p.sample_steps,
        s.seed.named("bas-samples"),
    );
    let mem = membership(samp.view(), sstr.data.view(), sste.data.view());
    let mut grid = ImageGrid::ternary(
        samp.rows().into_iter().map(|r| r.to_vec()).collect(),
        (side, side),
        8,
    );
    grid.frames = Some(
        mem.iter()
            .map(|&m| match m {
                0 => [90, 90, 90],
                1 => [255, 140, 0],
                _ => [200, 0, 0],
            })
            .collect(),
    );
    grid.captions = Some(
        mem.iter()
            .map(|&m| {
                match m {
                    0 => "train",
                    1 => "test",
                    _ => "neither",
                }
                .to_string()
            })
            .collect(),
    );
    grid.scale = 6;
    grid.title = format!(
        "Samples from random starts ({} Gibbs steps)",
        p.sample_steps
    );
    grid.save(&s.stem("fig5_bas_samples"))?;
    parts.figures.push(s.figure("fig5_bas_hamming", format!("Fig. 5: reconstruction Hamming distance on {side}x{side} BAS (the row or column perpendicular to the bars clamped), mean ± std over {} trainings.", sp.n_runs)));
    let counts = [0u8, 1, 2].map(|k| mem.iter().filter(|&&m| m == k).count());
    parts.figures.push(s.figure("fig5_bas_samples", format!("Fig. 5 inset: samples of the first trained model, framed gray (in the training set, {}), orange (in the test set, {}) or red (neither, {}).", counts[0], counts[1], counts[2])));
    let (btrh, bteh) = (bc.final_train_hamming(), bc.final_test_hamming());
    parts.table.push(TableRow {
        name: "bas12.final_train_hamming".into(),
        value: fmt_ms(btrh, 4),
        paper: Some("not quoted (Fig. 5)".into()),
        note: format!("{side}x{side}, epoch {}", sp.epochs),
        ..Default::default()
    });
    parts.table.push(TableRow {
        name: "bas12.final_test_hamming".into(),
        value: fmt_ms(bteh, 4),
        paper: Some("not quoted (Fig. 5: parallel to training)".into()),
        note: format!("{side}x{side}, epoch {}", sp.epochs),
        ..Default::default()
    });
    parts.summary.insert(
        "bas12".into(),
        json!({
            "final_train_hamming": num(btrh.mean), "final_test_hamming": num(bteh.mean),
            "final_train_hamming_std": num(btrh.std), "final_test_hamming_std": num(bteh.std),
            "side": side, "n_hidden": sp.n_hidden, "k": bas_k,
            "optimizer": serde_json::to_value(p.method.optimizer).unwrap_or(Value::Null), "epochs": sp.epochs, "n_runs": sp.n_runs,
            "samples_in_train": counts[0], "samples_in_test": counts[1], "samples_neither": counts[2],
        }),
    );
    Ok(())
}
