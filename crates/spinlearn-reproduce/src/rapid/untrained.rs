//! Fig. 1: Gibbs accessibility of untrained RA, Gaussian and uniform RBMs against the weight
//! scale and (inset) against the number of visible units.

use super::{Parts, SMOKE, anchor, bands_csv, count, fmt_ms, measured, num, series};
use crate::{Claim, Measured, Mode, Result, Rule, SectionCtx};
use serde_json::{Map, json};
use spinlearn_plot::{LinePlot, Series, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::untrained::{UntrainedParams, UntrainedResult, WeightKind};
use spinlearn_rbm::experiments::{Band, MeanStd};

const PLATEAU: &str = "untrained.ra_plateau_above_random";
const GLOROT: &str = "untrained.glorot_accessibility";
const INSET: &str = "untrained.inset_ra_flat_random_falls";

/// Draws Fig. 1 and its inset from the sweep's result and adds its rows, claims and summary.
pub(super) fn render(
    s: &SectionCtx,
    up: &UntrainedParams,
    un: &UntrainedResult,
    parts: &mut Parts,
) -> Result<()> {
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
    let glorot_band = Band {
        x: vec![un.glorot_std],
        mean: vec![un.glorot.mean],
        std: vec![un.glorot.std],
    };
    let sweep_labels: Vec<String> = un.sweep.iter().map(|(k, _)| labels(*k)).collect();
    let mut rows: Vec<(&str, &Band)> = sweep_labels
        .iter()
        .zip(&un.sweep)
        .map(|(l, (_, b))| (l.as_str(), b))
        .collect();
    rows.push(("Glorot initialization", &glorot_band));
    bands_csv(&s.dir.join("fig1_untrained.csv"), "weight_std", &rows)?;
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
    let inset_labels: Vec<String> = un.inset.iter().map(|(k, _)| labels(*k)).collect();
    let rows: Vec<(&str, &Band)> = inset_labels
        .iter()
        .zip(&un.inset)
        .map(|(l, (_, b))| (l.as_str(), b))
        .collect();
    bands_csv(&s.dir.join("fig1_inset.csv"), "n_visible", &rows)?;
    parts.figures.push(s.figure("fig1_untrained", format!("Fig. 1: Gibbs accessibility (lowest energy after {} Gibbs steps from {} random starts, over the ground-state energy) of untrained models against the measured weight std; mean ± std over {} per kind; the point marks the Glorot std. The weights are dimensionless (k_B T = 1).", up.gibbs_steps, up.n_starts, count(up.n_models, "model"))));
    parts.figures.push(s.figure(
        "fig1_inset",
        format!(
            "Fig. 1 inset: Gibbs accessibility against the number of visible neurons at weight std {}, mean ± std over {} per kind.",
            up.inset_std, count(up.n_models, "model")
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
                _ => "not quoted (Fig. 1: lower than the RA-RBM's)".into(),
            }),
            note: format!("at std {top_std:.0}, V = {}", up.n_visible),
            claim: anchor(PLATEAU),
        });
    }
    parts.table.push(TableRow {
        name: "untrained.glorot_accessibility".into(),
        value: fmt_ms(un.glorot, 3),
        paper: Some("≈ 1/3 (text: energies not lower than 3x the ground state)".into()),
        note: format!("Gaussian weights at std {:.4}", un.glorot_std),
        claim: anchor(GLOROT),
    });
    claims(s, up, un, parts);
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

/// Fig. 1's claims: the RA plateau above the random models', the Glorot point near 1/3, and (inset)
/// the RA accessibility flat in V while the random models' falls.
fn claims(s: &SectionCtx, up: &UntrainedParams, un: &UntrainedResult, parts: &mut Parts) {
    let smoke = s.mode == Mode::Smoke;
    let n = up.n_models;
    let plateau = |k: WeightKind| {
        un.plateau.iter().find(|(kk, _)| *kk == k).map_or(
            MeanStd {
                mean: f64::NAN,
                std: f64::NAN,
            },
            |(_, m)| *m,
        )
    };
    let ra = plateau(WeightKind::Ra);
    let random = [WeightKind::Gaussian, WeightKind::Uniform]
        .map(plateau)
        .into_iter()
        .fold(
            MeanStd {
                mean: f64::NEG_INFINITY,
                std: 0.0,
            },
            |a, b| {
                if b.mean > a.mean { b } else { a }
            },
        );
    let v_note = if up.n_visible == 20 && up.n_hidden == 1000 {
        String::new()
    } else {
        format!(
            "This run has V = {}, H = {} (the paper: V = 20, H = 1000).",
            up.n_visible, up.n_hidden
        )
    };
    parts.claims.push(
        Claim::new(
            PLATEAU,
            "Untrained RA-RBMs reach the ground state more easily than random RBMs (plateau of Fig. 1)",
            measured(ra, n),
            "",
            "Fig. 1 and Sec. V A 1: except at tiny weights the Gibbs accessibility of RA-RBMs is higher than that of RBMs with Gaussian or uniform weights (plateau value below 1 for the random models)",
            Rule::Greater {
                other: measured(random, n),
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "Compared with the better random kind at weight std {:.0}. {v_note}",
            up.stds.last().copied().unwrap_or(f64::NAN)
        ))
        .with_figure("fig1_untrained"),
    );
    parts.claims.push(
        Claim::new(
            GLOROT,
            "Gibbs accessibility of a Glorot-initialized RBM",
            measured(un.glorot, n),
            "",
            "Sec. V A 1: Glorot initialization only reaches energies of about a third of the ground-state energy in small models (star in Fig. 1)",
            Rule::Absolute {
                paper: 0.333,
                tol: 0.1,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(v_note.clone())
        .with_figure("fig1_untrained"),
    );
    // inset: the RA curve stays flat in V (range of its means), the random ones fall (first - last)
    let band = |k: WeightKind| un.inset.iter().find(|(kk, _)| *kk == k).map(|(_, b)| b);
    let range = |b: Option<&Band>| {
        b.map_or(f64::NAN, |b| {
            let lo = b.mean.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = b.mean.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            hi - lo
        })
    };
    let fall = |b: Option<&Band>| {
        b.map_or(f64::NAN, |b| match (b.mean.first(), b.mean.last()) {
            (Some(a), Some(z)) => a - z,
            _ => f64::NAN,
        })
    };
    let ra_range = range(band(WeightKind::Ra));
    let falls = [WeightKind::Gaussian, WeightKind::Uniform].map(|k| fall(band(k)));
    const FLAT: f64 = 0.05;
    let ra_flat = ra_range <= FLAT;
    let random_fall = falls.iter().all(|&f| f >= FLAT);
    let vs = &up.inset_visible;
    parts.claims.push(
        Claim::new(
            INSET,
            "RA-RBM accessibility independent of V while the random models' falls (Fig. 1 inset)",
            Measured::single(ra_range),
            "",
            "Fig. 1 inset: at weight std 10 the Gibbs accessibility of RA-RBMs stays constant when V grows, that of Gaussian and uniform RBMs quickly decreases (SK spin glass)",
            Rule::Qualitative {
                holds: ra_flat && random_fall,
                partly: ra_flat || random_fall,
            },
        )
        .not_comparable_if(smoke, SMOKE)
        .with_note(format!(
            "Ours: the RA curve's range over V = {}..{} (flat: at most {FLAT}); the Gaussian curve falls by {:.3}, the uniform by {:.3} (falls: at least {FLAT}).",
            vs.first().copied().unwrap_or(0),
            vs.last().copied().unwrap_or(0),
            falls[0],
            falls[1]
        ))
        .with_figure("fig1_inset"),
    );
}
