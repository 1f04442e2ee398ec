//! The section's units of work (see [`crate::shard`]): each untrained model of Fig. 1 (per weight
//! kind), each Bars training (per method and training), each BAS training, each MNIST training of
//! the RA-RBM, the standard-RBM baseline and the timing stage. A unit draws only from streams
//! derived from the section seed and its own identity (kind and model, method and training, ...),
//! so its result does not depend on which process runs it or what else that process runs. The
//! one-process [`super::run`] computes every unit through [`compute`] and renders them as
//! [`merge`] renders the units of shards.

use super::bars::{self, BarsRun};
use super::bas::{self, BasRun};
use super::mnist::{self, MnistData, MnistInfo};
use super::timing::{self, TimingUnit};
use super::{Preset, preset, render};
use crate::shard::ShardRecord;
use crate::{Mode, ReproduceError, Result, SectionCtx, SectionOutput};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use spinlearn_core::record::write_json;
use spinlearn_core::{Control, Observer, ParamGuard, StepReport};
use spinlearn_rbm::experiments::curves::Split;
use spinlearn_rbm::experiments::mnist::{MnistResult, RaRun, RbmRun};
use spinlearn_rbm::experiments::untrained::{
    UntrainedModel, UntrainedResult, WeightKind, untrained_model,
};
use std::path::PathBuf;

/// One unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit")]
pub(super) enum Unit {
    /// Fig. 1: model `model` of a weight kind (the sweep over the stds and the inset).
    Untrained { kind: WeightKind, model: usize },
    /// Figs. 2-4: training `run` of `p.bars.methods[method]`.
    Bars { method: usize, run: usize },
    /// Fig. 5: training `run`.
    Bas { run: usize },
    /// Fig. 6: RA-RBM training `run`.
    MnistRa { run: usize },
    /// Section V B: the standard RBM of the probe comparison.
    MnistRbm,
    /// Appendix D: the time per update (machine-dependent).
    Timing,
}

/// The stages in the order of the report.
const STAGES: [&str; 5] = ["untrained", "bars4", "bas12", "mnist", "timing"];

impl Unit {
    /// The file-name-safe name of the unit.
    fn name(&self, p: &Preset) -> String {
        match self {
            Unit::Untrained { kind, model } => format!("untrained-{}-{model:03}", kind.key()),
            Unit::Bars { method, run } => format!(
                "bars4-{}-{run:03}",
                p.bars
                    .methods
                    .get(*method)
                    .map_or("?", |m| m.0.key.as_str())
            ),
            Unit::Bas { run } => format!("bas12-{run:03}"),
            Unit::MnistRa { run } => format!("mnist-ra-{run:03}"),
            Unit::MnistRbm => "mnist-rbm".into(),
            Unit::Timing => "timing".into(),
        }
    }

    /// The report stage it belongs to (a key of `stage_seconds`).
    fn stage(&self) -> &'static str {
        match self {
            Unit::Untrained { .. } => STAGES[0],
            Unit::Bars { .. } => STAGES[1],
            Unit::Bas { .. } => STAGES[2],
            Unit::MnistRa { .. } | Unit::MnistRbm => STAGES[3],
            Unit::Timing => STAGES[4],
        }
    }
}

/// Every unit of the preset, in the report's order.
pub(super) fn all(p: &Preset) -> Vec<Unit> {
    let mut v = Vec::new();
    for kind in WeightKind::ALL {
        v.extend((0..p.untrained.n_models).map(|model| Unit::Untrained { kind, model }));
    }
    for (method, (_, n_runs)) in p.bars.methods.iter().enumerate() {
        v.extend((0..*n_runs).map(|run| Unit::Bars { method, run }));
    }
    v.extend((0..p.bas.curves.n_runs).map(|run| Unit::Bas { run }));
    v.extend((0..p.mnist.params.n_runs).map(|run| Unit::MnistRa { run }));
    v.push(Unit::MnistRbm);
    v.push(Unit::Timing);
    v
}

/// A unit's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Output {
    Untrained(UntrainedModel),
    Bars(Box<BarsRun>),
    Bas(Box<BasRun>),
    MnistRa(Box<(MnistInfo, RaRun)>),
    MnistRbm(Box<(MnistInfo, RbmRun)>),
    Timing(TimingUnit),
}

/// A computed unit: what, its result, and the seconds it took.
pub(super) struct Done {
    unit: Unit,
    output: Output,
    seconds: f64,
}

fn stopped() -> ReproduceError {
    ReproduceError::Stopped("rapid".into())
}

/// Computes `todo`: the untrained models in parallel, then the others one after another (each
/// using the threads itself). `obs` sees one report per unit (one for all the untrained models)
/// and the MNIST trainings' epochs; a stop ends the computation with an error.
pub(super) fn compute(
    s: &SectionCtx,
    p: &Preset,
    todo: &[Unit],
    obs: &mut dyn Observer,
) -> Result<Vec<Done>> {
    let mut done = Vec::with_capacity(todo.len());
    let untrained: Vec<(WeightKind, usize)> = todo
        .iter()
        .filter_map(|u| match u {
            Unit::Untrained { kind, model } => Some((*kind, *model)),
            _ => None,
        })
        .collect();
    if !untrained.is_empty() {
        let up = &p.untrained;
        obs.note(&format!(
            "  Fig. 1: untrained models, V = {}, H = {}, {} of {} models",
            up.n_visible,
            up.n_hidden,
            untrained.len(),
            3 * up.n_models
        ));
        let checked = up.check()?;
        let seed = s.seed.named("untrained");
        let models: Vec<Done> = untrained
            .par_iter()
            .map(|&(kind, model)| {
                let t = std::time::Instant::now();
                let m = untrained_model(&checked, kind, model, seed)?;
                Ok(Done {
                    unit: Unit::Untrained { kind, model },
                    output: Output::Untrained(m),
                    seconds: t.elapsed().as_secs_f64(),
                })
            })
            .collect::<Result<_>>()?;
        done.extend(models);
        if obs.observe(&StepReport {
            stage: "untrained",
            step: untrained.len(),
            total: Some(untrained.len()),
            metrics: &[],
        }) == Control::Stop
        {
            return Err(stopped());
        }
    }
    let rest: Vec<Unit> = todo
        .iter()
        .copied()
        .filter(|u| !matches!(u, Unit::Untrained { .. }))
        .collect();
    let mut bars_data: Option<(Split, Split)> = None;
    let mut bas_data: Option<(Split, Split)> = None;
    let mut mnist_data: Option<MnistData> = None;
    for (i, unit) in rest.iter().enumerate() {
        let t = std::time::Instant::now();
        let output = match *unit {
            Unit::Untrained { .. } => unreachable!("computed above"),
            Unit::Bars { method, run } => {
                if method >= p.bars.methods.len() {
                    return Err(ReproduceError::invalid(
                        "unit",
                        format!("no Bars method {method}"),
                    ));
                }
                let d = match &mut bars_data {
                    Some(d) => d,
                    None => {
                        let bp = &p.bars.curves;
                        obs.note(&format!(
                            "  Figs. 2-4: 4x4 Bars, H = {}, {} epochs, trainings: {}",
                            bp.n_hidden,
                            bp.epochs,
                            bars::runs_text(&p.bars)
                        ));
                        bars_data.insert(bars::splits()?)
                    }
                };
                Output::Bars(Box::new(bars::unit(s, &p.bars, method, run, d)?))
            }
            Unit::Bas { run } => {
                let d = match &mut bas_data {
                    Some(d) => d,
                    None => {
                        let d = bas::splits(s, p.bas.side)?;
                        let sp = &p.bas.curves;
                        obs.note(&format!(
                            "  Fig. 5: {side}x{side} BAS ({} train / {} test), H = {}, K = {}, {} epochs, {} trainings",
                            d.0.data.nrows(),
                            d.1.data.nrows(),
                            sp.n_hidden,
                            bas::pattern_count(&p.bas.method),
                            sp.epochs,
                            sp.n_runs,
                            side = p.bas.side
                        ));
                        bas_data.insert(d)
                    }
                };
                Output::Bas(Box::new(bas::unit(s, &p.bas, run, d)?))
            }
            Unit::MnistRa { run } => {
                let d = match &mut mnist_data {
                    Some(d) => d,
                    None => mnist_data.insert(mnist::load(s, &p.mnist, obs)?),
                };
                Output::MnistRa(Box::new(mnist::ra_unit(s, &p.mnist, d, run, obs)?))
            }
            Unit::MnistRbm => {
                let d = match &mut mnist_data {
                    Some(d) => d,
                    None => mnist_data.insert(mnist::load(s, &p.mnist, obs)?),
                };
                Output::MnistRbm(Box::new(mnist::rbm_unit(s, &p.mnist, d, obs)?))
            }
            Unit::Timing => {
                let tp = &p.timing;
                obs.note(&format!(
                    "  Appendix D: time per update, V = {}, H = {}, batch {}",
                    tp.n_visible, tp.n_hidden, tp.batch_size
                ));
                Output::Timing(timing::unit(s, tp)?)
            }
        };
        let seconds = t.elapsed().as_secs_f64();
        let metrics: Vec<(&str, f64)> = match &output {
            Output::Bars(r) => vec![
                ("train_hamming", last(&r.curves.train_hamming)),
                ("test_hamming", last(&r.curves.test_hamming)),
            ],
            Output::Bas(r) => vec![
                ("train_hamming", last(&r.curves.train_hamming)),
                ("test_hamming", last(&r.curves.test_hamming)),
            ],
            Output::MnistRa(r) => vec![
                ("ais_test_nll", last(&r.1.ais_test_nll)),
                ("probe_test", r.1.probe.0.test_accuracy),
            ],
            Output::MnistRbm(r) => vec![
                ("ais_test_nll", r.1.ais_test_nll),
                ("probe_test", r.1.probe.0.test_accuracy),
            ],
            _ => Vec::new(),
        };
        done.push(Done {
            unit: *unit,
            output,
            seconds,
        });
        if obs.observe(&StepReport {
            stage: unit.stage(),
            step: i + 1,
            total: Some(rest.len()),
            metrics: &metrics,
        }) == Control::Stop
        {
            return Err(stopped());
        }
    }
    Ok(done)
}

fn last(x: &[f64]) -> f64 {
    x.last().copied().unwrap_or(f64::NAN)
}

/// The units' results gathered for the report.
pub(super) struct Collected {
    pub untrained: UntrainedResult,
    /// Per Bars method, its trainings in run order.
    pub bars: Vec<Vec<BarsRun>>,
    /// The BAS trainings in run order.
    pub bas: Vec<BasRun>,
    pub mnist: MnistResult,
    pub mnist_info: MnistInfo,
    pub timing: TimingUnit,
    /// The task that measured the times, when merged from shards.
    pub timing_by: Option<String>,
    /// Per stage, the seconds of its units, summed.
    pub stage_seconds: Map<String, Value>,
}

/// Gathers the results of every unit of `p` (each exactly once; a missing one is named).
pub(super) fn collect(p: &Preset, done: Vec<Done>) -> Result<Collected> {
    let all = all(p);
    let bad = |msg: String| ReproduceError::invalid("merge", msg);
    let mut slots: Vec<Option<Done>> = (0..all.len()).map(|_| None).collect();
    for d in done {
        let i = all
            .iter()
            .position(|u| *u == d.unit)
            .ok_or_else(|| bad(format!("unit {} is not part of this run", d.unit.name(p))))?;
        if slots[i].is_some() {
            return Err(bad(format!("unit {} given twice", d.unit.name(p))));
        }
        slots[i] = Some(d);
    }
    let missing: Vec<String> = all
        .iter()
        .zip(&slots)
        .filter(|(_, d)| d.is_none())
        .map(|(u, _)| u.name(p))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "{} of {} units missing: {}",
            missing.len(),
            all.len(),
            missing.join(", ")
        )));
    }
    let mut stage_seconds = Map::new();
    for st in STAGES {
        stage_seconds.insert(st.into(), json!(0.0));
    }
    let mut untrained = Vec::new();
    let mut bars_runs: Vec<Vec<BarsRun>> = p.bars.methods.iter().map(|_| Vec::new()).collect();
    let mut bas_runs = Vec::new();
    let mut ra_runs = Vec::new();
    let mut rbm = None;
    let mut timing = None;
    let mut infos: Vec<MnistInfo> = Vec::new();
    // `all` lists the trainings of a method in run order, so pushing in its order keeps it
    for (u, d) in all.iter().zip(slots.into_iter().flatten()) {
        let st = u.stage();
        let sum = stage_seconds[st].as_f64().unwrap_or(0.0) + d.seconds;
        stage_seconds.insert(st.into(), json!(sum));
        let wrong = || bad(format!("unit {}: a result of another kind", u.name(p)));
        match (*u, d.output) {
            (Unit::Untrained { kind, model }, Output::Untrained(m)) => {
                if m.kind != kind || m.model != model {
                    return Err(wrong());
                }
                untrained.push(m);
            }
            (Unit::Bars { method, .. }, Output::Bars(r)) => bars_runs[method].push(*r),
            (Unit::Bas { .. }, Output::Bas(r)) => bas_runs.push(*r),
            (Unit::MnistRa { run }, Output::MnistRa(r)) => {
                let (info, r) = *r;
                if r.run != run {
                    return Err(wrong());
                }
                infos.push(info);
                ra_runs.push(r);
            }
            (Unit::MnistRbm, Output::MnistRbm(r)) => {
                let (info, r) = *r;
                infos.push(info);
                rbm = Some(r);
            }
            (Unit::Timing, Output::Timing(t)) => timing = Some(t),
            _ => return Err(wrong()),
        }
    }
    let mnist_info = infos
        .first()
        .cloned()
        .ok_or_else(|| bad("no MNIST unit".into()))?;
    if infos.iter().any(|i| *i != mnist_info) {
        return Err(bad(
            "the MNIST units were trained on different digits (another --mnist-dir?)".into(),
        ));
    }
    let rbm = rbm.ok_or_else(|| bad("no MNIST baseline".into()))?;
    let mnist = MnistResult::from_runs(&p.mnist.params.check()?, &ra_runs, &rbm)
        .map_err(|e| bad(e.to_string()))?;
    Ok(Collected {
        untrained: UntrainedResult::from_models(&p.untrained.check()?, &untrained)
            .map_err(|e| bad(e.to_string()))?,
        bars: bars_runs,
        bas: bas_runs,
        mnist,
        mnist_info,
        timing: timing.ok_or_else(|| bad("no timing unit".into()))?,
        timing_by: None,
        stage_seconds,
    })
}

/// What the report needs besides the results: carried by every unit file, so that a merge needs
/// neither the data nor the preset of the binary that merges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RunInfo {
    mode: Mode,
    /// The section's seed.
    seed: u64,
    preset: Preset,
}

/// One unit's raw result, `units/<unit name>.json` of a shard.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UnitFile {
    info: RunInfo,
    unit: Unit,
    seconds: f64,
    output: Output,
}

/// The section's units in `mode` (see [`crate::shard`]): each untrained model of Fig. 1 per weight
/// kind, each Bars training per method, each BAS training, each MNIST training of the RA-RBM, the
/// standard-RBM baseline and the timing stage.
pub fn units(mode: Mode) -> Result<Vec<String>> {
    let p = preset(mode);
    Ok(all(&p).iter().map(|u| u.name(&p)).collect())
}

/// Runs the units at `positions` of [`units`] (each as [`super::run`] runs it) and writes each
/// one's raw result to `s.dir/units/<name>.json`; the summary holds the units' seconds, summed.
pub fn run_units(s: &SectionCtx, positions: &[usize], obs: &mut dyn Observer) -> Result<Value> {
    let p = preset(s.mode);
    let all = all(&p);
    let todo = positions
        .iter()
        .map(|&i| {
            all.get(i).copied().ok_or_else(|| {
                ReproduceError::invalid(
                    "shard",
                    format!("unit {i} of {} does not exist", all.len()),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let done = compute(s, &p, &todo, obs)?;
    let dir = s.dir.join("units");
    std::fs::create_dir_all(&dir).map_err(|e| ReproduceError::io(&dir, e))?;
    let info = RunInfo {
        mode: s.mode,
        seed: s.seed.0,
        preset: p.clone(),
    };
    let mut seconds = 0.0;
    for d in done {
        let name = d.unit.name(&p);
        seconds += d.seconds;
        write_json(
            &dir.join(format!("{name}.json")),
            &UnitFile {
                info: info.clone(),
                unit: d.unit,
                seconds: d.seconds,
                output: d.output,
            },
        )?;
    }
    Ok(json!({ "units_seconds": seconds }))
}

/// Renders the section into `s.dir` from the unit files of the shard section directories `dirs`
/// (`<dir>/units/*.json`): the same figures, claims and summary as [`super::run`], apart from the
/// timing stage, whose times are those of the task that ran it (named in the figure's caption
/// and in `summary.json`'s `timing.measured_by`).
pub fn merge(s: &SectionCtx, dirs: &[PathBuf], _obs: &mut dyn Observer) -> Result<SectionOutput> {
    let units = crate::shard::read_unit_files::<UnitFile>(dirs)?;
    let info = crate::shard::common_info(s, &units, |u| &u.info, |i| (i.mode, i.seed))?;
    let mut timing_by = None;
    let mut done = Vec::new();
    for u in units {
        if u.unit.unit == Unit::Timing {
            let rec: ShardRecord = crate::shard::read_json(&u.dir.join("shard.json"))?;
            let task = u.dir.parent().unwrap_or(&u.dir);
            timing_by = Some(format!("shard {} ({})", rec.shard, task.display()));
        }
        done.push(Done {
            unit: u.unit.unit,
            output: u.unit.output,
            seconds: u.unit.seconds,
        });
    }
    let mut c = collect(&info.preset, done)?;
    c.timing_by = timing_by;
    render(s, &info.preset, c)
}
