//! Fig. 1: Gibbs accessibility of untrained RA, Gaussian and uniform RBMs against the weight
//! scale and (inset) against the number of visible units.

use super::{Parts, fmt_ms, num, series};
use crate::{Result, SectionCtx};
use serde_json::{Map, json};
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_plot::{LinePlot, Series, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::untrained::{UntrainedParams, WeightKind, untrained_accessibility};

pub(super) fn run(
    s: &SectionCtx,
    up: &UntrainedParams,
    parts: &mut Parts,
    obs: &mut dyn Observer,
) -> Result<()> {
    obs.note(&format!(
        "  Fig. 1: untrained models, V = {}, H = {}, {} models per kind",
        up.n_visible, up.n_hidden, up.n_models
    ));
    let un = untrained_accessibility(&up.check()?, s.seed.named("untrained"), obs)?;
    let labels = |k: WeightKind| match k {
        WeightKind::Ra => format!("RA-RBM (K = {})", up.k),
        WeightKind::Gaussian => "Gaussian weights".to_string(),
        WeightKind::Uniform => "uniform weights".to_string(),
    };
    let mut p1 = LinePlot::new(
        format!("Untrained RBMs, V = {}, H = {}", up.n_visible, up.n_hidden),
        "standard deviation of the weights",
        "Gibbs accessibility",
    );
    p1.log_x = true;
    for (i, (k, b)) in un.sweep.iter().enumerate() {
        p1 = p1.with(series(&labels(*k), b, i));
    }
    p1 = p1.with(
        Series::points(
            "Glorot initialization",
            vec![un.glorot_std],
            vec![un.glorot.mean],
        )
        .with_err(vec![un.glorot.std])
        .with_color(3),
    );
    p1.save(&s.stem("fig1_untrained"))?;
    let mut p1i = LinePlot::new(
        format!(
            "Untrained RBMs at weight std {}, H = {}",
            up.inset_std, up.n_hidden
        ),
        "visible neurons V",
        "Gibbs accessibility",
    );
    for (i, (k, b)) in un.inset.iter().enumerate() {
        p1i = p1i.with(series(&labels(*k), b, i).with_style(SeriesStyle::LinePoints));
    }
    p1i.save(&s.stem("fig1_inset"))?;
    parts.figures.push(s.figure("fig1_untrained", format!("Fig. 1: Gibbs accessibility (lowest energy after {} Gibbs steps from {} random starts, over the ground-state energy) of untrained models against the measured weight std; mean ± std over {} models per kind; the point marks the Glorot std.", up.gibbs_steps, up.n_starts, up.n_models)));
    parts.figures.push(s.figure(
        "fig1_inset",
        format!(
            "Fig. 1 inset: Gibbs accessibility against the number of visible neurons at weight std {}.",
            up.inset_std
        ),
    ));
    let top_std = up.stds.last().copied().unwrap_or(0.0);
    let mut plateau = Map::new();
    for (k, m) in &un.plateau {
        plateau.insert(k.key().into(), num(m.mean));
        parts.table.push(TableRow {
            name: format!("untrained.gibbs_accessibility_plateau.{}", k.key()),
            value: fmt_ms(*m, 3),
            paper: Some(match k {
                WeightKind::Ra => "not quoted (Fig. 1: higher than the random models)".into(),
                _ => "not quoted (Fig. 1)".into(),
            }),
            note: format!("at std {top_std:.0}, V = {}", up.n_visible),
            ..Default::default()
        });
    }
    parts.table.push(TableRow {
        name: "untrained.glorot_accessibility".into(),
        value: fmt_ms(un.glorot, 3),
        paper: Some("≈ 1/3 (text: energies not lower than 3x the ground state)".into()),
        note: format!("Gaussian weights at std {:.4}", un.glorot_std),
        ..Default::default()
    });
    parts.summary.insert(
        "untrained".into(),
        json!({
            "gibbs_accessibility_plateau": plateau,
            "glorot_std": un.glorot_std,
            "glorot_accessibility": num(un.glorot.mean),
            "n_visible": up.n_visible, "n_hidden": up.n_hidden, "k": up.k, "n_models": up.n_models,
            "plateau_std": up.stds.last(),
        }),
    );
    Ok(())
}
