//! Fig. 5: RAPID on Bars-and-Stripes; reconstruction Hamming distances against epoch and samples
//! from random starts, framed by whether they are training images, test images or neither.

use super::bars::split_of;
use super::{BasPreset, Parts, SMOKE, anchor, bands_csv, count, fmt_ms, num, series};
use crate::{Claim, Measured, Mode, ReproduceError, Result, Rule, SectionCtx};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spinlearn_core::ParamGuard;
use spinlearn_core::table::Cell;
use spinlearn_data::{generate, transform};
use spinlearn_plot::{ImageGrid, LinePlot, TableRow};
use spinlearn_rbm::experiments::curves::{
    Method, MethodCurves, RunCurves, Split, membership, train_run,
};
use spinlearn_rbm::sample::from_random_starts;
use spinlearn_rbm::train::WeightsSpec;

/// K of an RA method (0 for dense weights).
pub(super) fn pattern_count(m: &Method) -> usize {
    match m.weights {
        WeightsSpec::Ra { k, .. } => k,
        WeightsSpec::Dense { .. } => 0,
    }
}

const PARALLEL: &str = "bas12.test_parallel_to_train";
const VALID: &str = "bas12.samples_valid_fraction";

/// The BAS training and test sets (a sign-symmetric 80/20 split from `s.seed.named("bas-split")`)
/// with their clamp masks.
pub(super) fn splits(s: &SectionCtx, side: usize) -> Result<(Split, Split)> {
    let bas = transform::to_spins(&generate::bars_and_stripes(side)?)?;
    let (str_, ste) = transform::sign_symmetric_split(&bas, 0.8, s.seed.named("bas-split"))?;
    Ok((split_of(&str_, side), split_of(&ste, side)))
}

/// One BAS training (a unit of the section): its curves, and for the first training the samples
/// of its final model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct BasRun {
    pub curves: RunCurves,
    pub samples: Option<Array2<f32>>,
}

/// Training `run`, from `s.seed.named("bas12").named("rapid").derive(run)`; the first training's
/// samples from `s.seed.named("bas-samples")`.
pub(super) fn unit(
    s: &SectionCtx,
    p: &BasPreset,
    run: usize,
    (sstr, sste): &(Split, Split),
) -> Result<BasRun> {
    let mut curves = train_run(
        &p.method,
        &p.curves.check()?,
        sstr,
        sste,
        s.seed.named("bas12"),
        run,
    )?;
    let rbm = curves.final_model.take();
    let samples = match (&rbm, run) {
        (Some(rbm), 0) => Some(from_random_starts(
            rbm,
            p.n_samples,
            p.sample_steps,
            s.seed.named("bas-samples"),
        )),
        _ => None,
    };
    Ok(BasRun { curves, samples })
}

/// Draws Fig. 5 from the trainings (in run order) and adds its rows, claims and summary.
pub(super) fn render(
    s: &SectionCtx,
    p: &BasPreset,
    runs: Vec<BasRun>,
    (sstr, sste): &(Split, Split),
    parts: &mut Parts,
) -> Result<()> {
    let side = p.side;
    let sp = &p.curves;
    let bas_k = pattern_count(&p.method);
    let mut samp = None;
    let mut rc = Vec::with_capacity(runs.len());
    for r in runs {
        if samp.is_none() {
            samp = r.samples;
        }
        rc.push(r.curves);
    }
    let samp = samp.ok_or_else(|| ReproduceError::Stopped("BAS training".into()))?;
    let bc = MethodCurves::from_runs(&p.method, &sp.check()?, rc);
    LinePlot::new(
        format!(
            "{side}x{side} Bars and Stripes, V = {}, H = {}, K = {bas_k}, batch {}",
            side * side,
            sp.n_hidden,
            sp.batch_size
        ),
        "epoch",
        "Hamming distance (fraction of pixels)",
    )
    .with(series("training set", &bc.train_hamming, 0))
    .with(series("test set", &bc.test_hamming, 1))
    .save(&s.stem("fig5_bas_hamming"))?;
    bands_csv(
        &s.dir.join("fig5_bas_hamming.csv"),
        "epoch",
        &[
            ("training set", &bc.train_hamming),
            ("test set", &bc.test_hamming),
        ],
    )?;
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
    // all pixels equal: the all-black and all-white images, which the paper's BAS leaves out
    let uniform: Vec<bool> = samp
        .rows()
        .into_iter()
        .map(|r| r.iter().all(|&x| x > 0.0) || r.iter().all(|&x| x <= 0.0))
        .collect();
    let where_ = |m: u8| match m {
        0 => "train",
        1 => "test",
        _ => "neither",
    };
    super::samples_csv(
        &s.dir.join("fig5_bas_samples.csv"),
        samp.view(),
        &[
            (
                "membership",
                mem.iter().map(|&m| Cell::from(where_(m))).collect(),
            ),
            (
                "uniform",
                uniform
                    .iter()
                    .map(|&u| Cell::from(usize::from(u)))
                    .collect(),
            ),
        ],
    )?;
    parts.figures.push(s.figure("fig5_bas_hamming", format!("Fig. 5: reconstruction Hamming distance on {side}x{side} BAS (the row or column perpendicular to the bars clamped), mean ± std over {}.", count(sp.n_runs, "training"))));
    let counts = [0u8, 1, 2].map(|k| mem.iter().filter(|&&m| m == k).count());
    let n_uniform = uniform.iter().filter(|&&u| u).count();
    let n_shown = mem.len();
    let valid_fraction = (counts[0] + counts[1]) as f64 / n_shown.max(1) as f64;
    parts.figures.push(s.figure("fig5_bas_samples", format!("Fig. 5 inset: {n_shown} samples of the first trained model, framed gray (in the training set, {}), orange (in the test set, {}) or red (neither, {}; of these {n_uniform} all black or all white, images the paper's 8188-image BAS leaves out): {:.0} % are valid BAS images, against all of those in the paper's inset.", counts[0], counts[1], counts[2], 100.0 * valid_fraction)));
    let (btrh, bteh) = (bc.final_train_hamming(), bc.final_test_hamming());
    parts.table.push(TableRow {
        name: "bas12.final_train_hamming".into(),
        value: fmt_ms(btrh, 4),
        paper: Some("not quoted (Fig. 5)".into()),
        note: format!("{side}x{side}, epoch {}", sp.epochs),
        claim: anchor(PARALLEL),
    });
    parts.table.push(TableRow {
        name: "bas12.final_test_hamming".into(),
        value: fmt_ms(bteh, 4),
        paper: Some("not quoted (Fig. 5: parallel to training)".into()),
        note: format!("{side}x{side}, epoch {}", sp.epochs),
        claim: anchor(PARALLEL),
    });
    parts.table.push(TableRow {
        name: "bas12.samples_valid_fraction".into(),
        value: format!("{valid_fraction:.3}"),
        paper: Some("1 (every sample of the Fig. 5 inset is a BAS image)".into()),
        note: format!(
            "{} of {n_shown} samples; {n_uniform} all black or all white",
            counts[0] + counts[1]
        ),
        claim: anchor(VALID),
    });
    let smoke = s.mode == Mode::Smoke;
    if valid_fraction < 0.9 {
        parts.deviations.push(format!(
            "BAS {side}x{side}: {} of {n_shown} samples of the trained model are BAS images ({n_uniform} are all black or all white), while every sample in the paper's Fig. 5 inset is one; this run trains {} epochs ({}), the samples take {} Gibbs steps from random starts.",
            counts[0] + counts[1],
            sp.epochs,
            count(sp.n_runs, "training"),
            p.sample_steps
        ));
    }
    parts.claims.push(
        Claim::new(
            PARALLEL,
            "BAS: test minus training Hamming distance at the end",
            Measured {
                value: bteh.mean - btrh.mean,
                spread: if sp.n_runs > 1 { bteh.std.hypot(btrh.std) } else { 0.0 },
                n_runs: sp.n_runs,
            },
            "fraction of pixels",
            "Fig. 5 and Sec. V B: the Hamming distances of the training and test sets decrease parallel to each other (no memorization)",
            Rule::Absolute {
                paper: 0.0,
                tol: 0.02,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "Final training distance {:.3} after {} epochs ({} run).",
            btrh.mean,
            sp.epochs,
            format!("{:?}", s.mode).to_lowercase()
        ))
        .with_figure("fig5_bas_hamming"),
    );
    parts.claims.push(
        Claim::new(
            VALID,
            "BAS: fraction of valid BAS images among the samples shown",
            Measured::single(valid_fraction),
            "",
            "Fig. 5 inset: the samples drawn from random starts are BAS images, some of them not in the training set",
            Rule::Absolute {
                paper: 1.0,
                tol: 0.1,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "{} of {n_shown} samples ({} Gibbs steps from random starts, a model trained {} epochs, {} run) are BAS images ({} in the training set, {} in the test set); {n_uniform} are all black or all white, the two images the paper's BAS leaves out.",
            counts[0] + counts[1],
            p.sample_steps,
            sp.epochs,
            format!("{:?}", s.mode).to_lowercase(),
            counts[0],
            counts[1]
        ))
        .with_figure("fig5_bas_samples"),
    );
    parts.summary.insert(
        "bas12".into(),
        json!({
            "final_train_hamming": num(btrh.mean), "final_test_hamming": num(bteh.mean),
            "final_train_hamming_std": num(btrh.std), "final_test_hamming_std": num(bteh.std),
            "side": side, "n_hidden": sp.n_hidden, "k": bas_k,
            "optimizer": serde_json::to_value(p.method.optimizer).unwrap_or(Value::Null), "epochs": sp.epochs, "n_runs": sp.n_runs,
            "samples_in_train": counts[0], "samples_in_test": counts[1], "samples_neither": counts[2],
            "samples_valid_fraction": num(valid_fraction), "samples_uniform": n_uniform,
        }),
    );
    Ok(())
}
