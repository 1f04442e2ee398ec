//! Appendix D: wall-clock time per parameter update of PID against CD-k.

use super::Parts;
use crate::{Result, SectionCtx};
use serde_json::{Map, Value, json};
use spinlearn_core::{Observer, ParamGuard};
use spinlearn_plot::{LinePlot, Series, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::timing::{TimingParams, time_updates};

pub(super) fn run(
    s: &SectionCtx,
    tp: &TimingParams,
    parts: &mut Parts,
    obs: &mut dyn Observer,
) -> Result<()> {
    obs.note(&format!(
        "  Appendix D: time per update, V = {}, H = {}, batch {}",
        tp.n_visible, tp.n_hidden, tp.batch_size
    ));
    let tr = time_updates(&tp.check()?, s.seed.named("timing"))?;
    let xs = |v: &[(usize, f64)]| v.iter().map(|p| p.0 as f64).collect::<Vec<_>>();
    let ys = |v: &[(usize, f64)]| v.iter().map(|p| p.1 * 1e3).collect::<Vec<_>>();
    let mut pt = LinePlot::new(
        format!(
            "Time per update, V = {}, H = {}, batch {}",
            tp.n_visible, tp.n_hidden, tp.batch_size
        ),
        "K (PID patterns) or k (CD Gibbs steps)",
        "milliseconds per update",
    );
    pt.log_x = true;
    pt = pt
        .with(
            Series::points("PID", xs(&tr.pid), ys(&tr.pid))
                .with_style(SeriesStyle::LinePoints)
                .with_color(0),
        )
        .with(
            Series::points("CD-k", xs(&tr.cd), ys(&tr.cd))
                .with_style(SeriesStyle::LinePoints)
                .with_color(2),
        );
    pt.save(&s.stem("appD_timing"))?;
    parts.figures.push(s.figure("appD_timing", format!("Appendix D: wall-clock time per parameter update (positive phase included), {} threads.", s.threads)));
    let pid: Map<String, Value> = tr
        .pid
        .iter()
        .map(|(k, t)| (format!("K={k}"), json!(t)))
        .collect();
    let cd: Map<String, Value> = tr
        .cd
        .iter()
        .map(|(k, t)| (format!("k={k}"), json!(t)))
        .collect();
    for (k, t) in &tr.pid {
        parts.table.push(TableRow {
            name: format!("timing.pid_update_seconds.K={k}"),
            value: format!("{t:.4}"),
            paper: Some("not quoted (O(KVH))".into()),
            note: format!(
                "V = {}, H = {}, batch {}",
                tp.n_visible, tp.n_hidden, tp.batch_size
            ),
            ..Default::default()
        });
    }
    for (k, t) in &tr.cd {
        parts.table.push(TableRow {
            name: format!("timing.cd_update_seconds.k={k}"),
            value: format!("{t:.4}"),
            paper: Some("not quoted (O(2kfHV))".into()),
            note: String::new(),
            ..Default::default()
        });
    }
    parts.summary.insert(
        "timing".into(),
        json!({
            "pid_update_seconds": pid, "cd_update_seconds": cd,
            "n_visible": tp.n_visible, "n_hidden": tp.n_hidden, "batch_size": tp.batch_size,
            "threads": s.threads,
        }),
    );
    Ok(())
}
