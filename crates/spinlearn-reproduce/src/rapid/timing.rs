//! Appendix D: wall-clock time per parameter update of PID against CD-k.

use super::{Parts, SMOKE, anchor};
use crate::{Claim, Measured, Mode, Result, Rule, SectionCtx};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use spinlearn_core::ParamGuard;
use spinlearn_core::table::{Cell, write_csv};
use spinlearn_plot::{LinePlot, Series, SeriesStyle, TableRow};
use spinlearn_rbm::experiments::timing::{TimingParams, TimingResult, time_updates};

const FASTER: &str = "timing.pid_faster_than_cd";

/// The timing stage (one unit of the section): its times, and where they were measured (the
/// times depend on the machine, its load and the thread count).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct TimingUnit {
    pub result: TimingResult,
    pub threads: usize,
    pub host: String,
}

/// Times the updates, data and models from `s.seed.named("timing")`.
pub(super) fn unit(s: &SectionCtx, tp: &TimingParams) -> Result<TimingUnit> {
    Ok(TimingUnit {
        result: time_updates(&tp.check()?, s.seed.named("timing"))?,
        threads: s.threads,
        host: spinlearn_core::record::host_name(),
    })
}

/// Draws Appendix D's figure and adds its rows, claim and summary; `by` names the task that
/// measured the times when the section was merged from shards.
pub(super) fn render(
    s: &SectionCtx,
    tp: &TimingParams,
    t: &TimingUnit,
    by: Option<&str>,
    parts: &mut Parts,
) -> Result<()> {
    let tr = &t.result;
    let threads = t.threads;
    let where_ = match by {
        Some(task) => format!(
            " Measured by {task} on host {}; the section's other units ran in other tasks, possibly at the same time on the same machine.",
            t.host
        ),
        None => String::new(),
    };
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
    write_csv(
        &s.dir.join("appD_timing.csv"),
        &["method", "k", "seconds_per_update"],
        tr.pid
            .iter()
            .map(|&(k, t)| ("PID", k, t))
            .chain(tr.cd.iter().map(|&(k, t)| ("CD-k", k, t)))
            .map(|(m, k, t)| vec![Cell::from(m), Cell::from(k), Cell::from(t)]),
    )?;
    parts.figures.push(s.figure("appD_timing", format!("Appendix D: wall-clock time per parameter update (positive phase included), mean over {} updates, {threads} threads.{where_}", tp.n_updates)));
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
            value: crate::fmt_num(*t),
            paper: Some("not quoted (O(KVH))".into()),
            note: format!(
                "V = {}, H = {}, batch {}",
                tp.n_visible, tp.n_hidden, tp.batch_size
            ),
            claim: anchor(FASTER),
        });
    }
    for (k, t) in &tr.cd {
        parts.table.push(TableRow {
            name: format!("timing.cd_update_seconds.k={k}"),
            value: crate::fmt_num(*t),
            paper: Some("not quoted (O(2kfHV))".into()),
            note: String::new(),
            claim: anchor(FASTER),
        });
    }
    // the largest K against the largest k of the run (the paper's MNIST setting: K = 190, k = 10)
    let (kp, tp_) = tr.pid.last().copied().unwrap_or((0, f64::NAN));
    let (kc, tc) = tr.cd.last().copied().unwrap_or((0, f64::NAN));
    parts.claims.push(
        Claim::new(
            FASTER,
            &format!("Time per update of CD-{kc} over PID with K = {kp}"),
            Measured::single(tc / tp_),
            "x",
            "Appendix D and Sec. V A 3: PID presents a speedup per update, O(KVH) against O(2kfHV) for CD-k on a batch of f images",
            Rule::AtLeast { bound: 1.0 },
        )
        .not_comparable_if(s.mode == Mode::Smoke, SMOKE)
        .with_note(format!(
            "V = {}, H = {}, batch f = {}, {} threads; the operation counts alone give 2kf/K = {:.1}.",
            tp.n_visible,
            tp.n_hidden,
            tp.batch_size,
            threads,
            2.0 * kc as f64 * tp.batch_size as f64 / kp.max(1) as f64
        ))
        .with_figure("appD_timing"),
    );
    parts.summary.insert(
        "timing".into(),
        json!({
            "pid_update_seconds": pid, "cd_update_seconds": cd,
            "n_visible": tp.n_visible, "n_hidden": tp.n_hidden, "batch_size": tp.batch_size,
            "threads": threads, "host": t.host, "measured_by": by,
        }),
    );
    Ok(())
}
