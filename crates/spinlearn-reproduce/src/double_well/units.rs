//! The section as independent units of work (see [`crate::shard`]): each theory panel, the theory
//! side of each simulated figure, and every realization of every simulation (each parameter point,
//! grid cell and network size its own). A realization draws only from the stream that the
//! section's driver gives it (the driver's seed, named after the experiment from the section seed,
//! derived by the point's indices and the realization's), so a unit's result is the same whichever
//! shard or process runs it, and the same as in the one-process run, which goes through these
//! units too ([`super::run`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use spinlearn_attractor::experiments::{
    self as exp, CapacityPoint, DilutionParams, DilutionTheory, MarkovComparison,
    MarkovComparisonParams, OptimalC, OverlapTheory, OverlapsParams, RefinedScalingParams,
    Robustness, RobustnessParams, SimAtOptimumParams, SparseGrid, SparseNoiseParams, SparseParams,
    SparseScanParams, Sweep, TheoryVsSim, TheoryVsSimParams, ValidDilutionParams,
    ValidOptimalCParams, ValidOverlapsParams, ValidRefinedScalingParams, ValidRobustnessParams,
    ValidSimAtOptimumParams, ValidSparseNoiseParams, ValidSparseScanParams, ValidTheoryVsSimParams,
};
use spinlearn_attractor::simulate::{PlannedSim, RealizationResult, SimParams, SimResult};
use spinlearn_attractor::theory::Theory;
use spinlearn_attractor::{LearningRule, NetworkParams};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport};

use super::{
    MAX_AGE, N_SNR, N_THEORY, Parts, Preset, R1_AF, R1_TF, grid, optimum, preset, sparse_grid, syn,
    theory, theory_scan,
};
use crate::{Mode, ReproduceError, Result};

/// The section's experiments in one mode, checked (no theory computed yet).
pub(crate) struct Design {
    pub(crate) pre: Preset,
    seed: Seed,
    compare: [ValidTheoryVsSimParams; 2],
    dilution: ValidDilutionParams,
    fig1: ValidOverlapsParams,
    fig2ab: ValidOptimalCParams,
    fig2d: Vec<ValidRefinedScalingParams>,
    fig3a: ValidOptimalCParams,
    fig4: ValidOptimalCParams,
    fig6: ValidRobustnessParams,
    fig7d: ValidSparseScanParams,
    fig7c: ValidSparseScanParams,
    fig8: ValidSparseNoiseParams,
    fig3b: ValidSimAtOptimumParams,
}

/// One unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Theory vs simulation (0: N of `compare`, 1: `compare_big`): the theory's capacity.
    CompareTheory(usize),
    /// Its realization r.
    Compare(usize, usize),
    /// The dilution study's theory at every c.
    DilutionTheory,
    /// Realization r at c index k.
    Dilution(usize, usize),
    /// Fig. 1B: C* and the theory's overlaps at every r1.
    Fig1Theory,
    /// Realization r at r1 index k.
    Fig1(usize, usize),
    Fig2ab,
    Fig2c,
    /// Fig. 2D, 3B: the refined optimum at r1 index k, every N.
    Fig2d(usize),
    Fig3a,
    /// Fig. 4B-D: C* at N_SNR.
    Fig4b,
    Fig5,
    Fig6,
    /// Fig. 4A: realization r of the binarized double well (0) or the Markov synapses (1).
    Fig4a(usize, usize),
    /// Fig. 7D: realization r of grid cell g at N index k.
    Fig7d(usize, usize, usize),
    /// Fig. 7C: the same for rule (6).
    Fig7c(usize, usize, usize),
    /// Fig. 8: realization r of cell g of (setting, noise level) i.
    Fig8(usize, usize, usize),
    /// Fig. 3B markers: C* at every (r1, N).
    Fig3bTheory,
    /// Realization r at setting i.
    Fig3b(usize, usize),
}

impl Unit {
    fn name(self) -> String {
        match self {
            Unit::CompareTheory(b) => format!("compare{b}-theory"),
            Unit::Compare(b, r) => format!("compare{b}-r{r}"),
            Unit::DilutionTheory => "dilution-theory".into(),
            Unit::Dilution(k, r) => format!("dilution-c{k}-r{r}"),
            Unit::Fig1Theory => "fig1b-theory".into(),
            Unit::Fig1(k, r) => format!("fig1b-r1.{k}-r{r}"),
            Unit::Fig2ab => "fig2ab".into(),
            Unit::Fig2c => "fig2c".into(),
            Unit::Fig2d(k) => format!("fig2d-r1.{k}"),
            Unit::Fig3a => "fig3a".into(),
            Unit::Fig4b => "fig4b".into(),
            Unit::Fig5 => "fig5".into(),
            Unit::Fig6 => "fig6".into(),
            Unit::Fig4a(m, r) => format!("fig4a-{}-r{r}", ["double-well", "markov"][m]),
            Unit::Fig7d(k, g, r) => format!("fig7d-n{k}-cell{g}-r{r}"),
            Unit::Fig7c(k, g, r) => format!("fig7c-n{k}-cell{g}-r{r}"),
            Unit::Fig8(i, g, r) => format!("fig8-p{i}-cell{g}-r{r}"),
            Unit::Fig3bTheory => "fig3b-theory".into(),
            Unit::Fig3b(i, r) => format!("fig3b-p{i}-r{r}"),
        }
    }
}

/// What a unit computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum UnitData {
    /// A theory capacity.
    Capacity(usize),
    /// Optima over the C grid.
    Optima(Vec<OptimalC>),
    /// Capacity scans, each with its r1 or C.
    Scans(Vec<(f64, Vec<CapacityPoint>)>),
    /// The robustness at each r1.
    Robustness(Vec<Robustness>),
    /// The dilution study's theory.
    Dilution(Vec<DilutionTheory>),
    /// Fig. 1B's theory.
    Overlaps(Vec<OverlapTheory>),
    /// One realization of a simulation, with the simulation's parameters.
    Realization {
        /// The simulation (burn-in resolved).
        params: Box<SimParams>,
        /// The realization.
        result: RealizationResult,
    },
}

impl Design {
    pub(crate) fn new(mode: Mode, section_seed: Seed) -> Result<Design> {
        let pre = preset(mode);
        let c_grid = grid(pre.c_grid.0, pre.c_grid.1, pre.c_grid.2);
        let compare = |(n, realizations): (usize, usize)| {
            TheoryVsSimParams {
                theory: theory(n, 0.1, 2.7),
                max_age: MAX_AGE,
                extra_patterns: 15,
                burn_in: Some(300),
                realizations,
            }
            .check()
        };
        let (cn_dil, cs_dil, real_dil) = pre.dilution.clone();
        let (r1_exp, ns_exp) = pre.scaling.clone();
        let fig2d = r1_exp
            .iter()
            .map(|&r1| {
                RefinedScalingParams {
                    optimum: optimum(&c_grid, vec![r1], ns_exp.clone()),
                    fine_step: pre.scaling_fine_step,
                }
                .check()
            })
            .collect::<spinlearn_core::Result<Vec<_>>>()?;
        let (ns_sp, patterns_sp, real_sp) = pre.sparse.clone();
        let (ns_tf, c_rel_tf, kappa_tf, patterns_tf, real_tf) = pre.sparse_tf.clone();
        let (n8, nus, kappa8, patterns8, real8) = pre.sparse_noise.clone();
        let rule_setting = |grid: SparseGrid| SparseParams { n: n8, grid };
        let (r1_mk, ns_mk, real_mk) = pre.markers.clone();
        Ok(Design {
            seed: section_seed,
            compare: [compare(pre.compare)?, compare(pre.compare_big)?],
            dilution: DilutionParams {
                theory: theory(N_THEORY, 0.1, 2.7),
                cn: cn_dil,
                c: cs_dil,
                max_age: MAX_AGE,
                extra_patterns: 15,
                burn_in: Some(300),
                realizations: real_dil,
            }
            .check()?,
            fig1: OverlapsParams {
                theory: theory(pre.fig1.0, 0.1, 0.0),
                r1: vec![0.05, 0.1, 0.5],
                c_grid: c_grid.clone(),
                max_age: MAX_AGE,
                extra_ages: 10,
                realizations: pre.fig1.1,
            }
            .check()?,
            fig2ab: optimum(&c_grid, vec![0.002, 0.05], vec![N_THEORY]).check()?,
            fig2d,
            fig3a: optimum(&c_grid, pre.r1_grid.clone(), vec![N_THEORY]).check()?,
            fig4: optimum(&c_grid, vec![0.1], vec![N_SNR]).check()?,
            fig6: RobustnessParams {
                optimum: optimum(&c_grid, vec![0.05, 0.1, 0.2, 0.5], vec![N_THEORY]),
                r3: vec![0.0, 0.05, 0.1, 0.15, 0.2],
            }
            .check()?,
            fig7d: SparseScanParams {
                grid: sparse_grid(
                    LearningRule::AmitFusi,
                    R1_AF,
                    vec![0.8, 1.0, 1.05, 1.2, 1.5],
                    vec![0.0, 0.15, 0.3, 0.45],
                    patterns_sp,
                    real_sp,
                ),
                n: ns_sp,
            }
            .check()?,
            fig7c: SparseScanParams {
                grid: sparse_grid(
                    LearningRule::TsodyksFeigelman,
                    R1_TF,
                    c_rel_tf,
                    kappa_tf,
                    patterns_tf,
                    real_tf,
                ),
                n: ns_tf,
            }
            .check()?,
            fig8: SparseNoiseParams {
                rules: vec![
                    rule_setting(sparse_grid(
                        LearningRule::TsodyksFeigelman,
                        R1_TF,
                        vec![0.0],
                        kappa8,
                        patterns8,
                        real8,
                    )),
                    rule_setting(sparse_grid(
                        LearningRule::AmitFusi,
                        R1_AF,
                        vec![1.0, 1.2],
                        vec![0.15, 0.3],
                        patterns8,
                        real8,
                    )),
                ],
                r3_rel: nus,
            }
            .check()?,
            fig3b: SimAtOptimumParams {
                optimum: optimum(&c_grid, r1_mk, ns_mk),
                patterns_factor: 1.5,
                extra_patterns: 10,
                realizations: real_mk,
            }
            .check()?,
            pre,
        })
    }

    /// The seed of each simulating experiment (as the section has always named them).
    fn seed(&self, experiment: &str) -> Seed {
        self.seed.named(experiment)
    }

    /// The grids of the three sparse-coding figures (7D, 7C, 8), each with its seed.
    fn sparse_grids(&self, fig: usize) -> Vec<(&exp::ValidSparseParams, Seed)> {
        match fig {
            0 => self.fig7d.plan(self.seed("sparse")),
            1 => self.fig7c.plan(self.seed("sparse-tf")),
            _ => self.fig8.plan(self.seed("fig8")),
        }
    }

    /// Every unit, in order: each figure's theory, then its realizations.
    fn units(&self) -> Vec<Unit> {
        let pre = &self.pre;
        let mut u = Vec::new();
        for (b, reals) in [pre.compare.1, pre.compare_big.1].into_iter().enumerate() {
            u.push(Unit::CompareTheory(b));
            u.extend((0..reals).map(|r| Unit::Compare(b, r)));
        }
        u.push(Unit::DilutionTheory);
        for k in 0..self.dilution.len() {
            u.extend((0..pre.dilution.2).map(|r| Unit::Dilution(k, r)));
        }
        u.push(Unit::Fig1Theory);
        for k in 0..self.fig1.len() {
            u.extend((0..pre.fig1.1).map(|r| Unit::Fig1(k, r)));
        }
        u.extend([Unit::Fig2ab, Unit::Fig2c]);
        u.extend((0..self.fig2d.len()).map(Unit::Fig2d));
        u.extend([Unit::Fig3a, Unit::Fig4b, Unit::Fig5, Unit::Fig6]);
        for m in 0..2 {
            u.extend((0..pre.fig4a.2).map(|r| Unit::Fig4a(m, r)));
        }
        for fig in 0..3 {
            for (k, (g, _)) in self.sparse_grids(fig).into_iter().enumerate() {
                for (c, sim) in g.plan(Seed(0)).iter().enumerate() {
                    for r in 0..sim.params.realizations() {
                        u.push(match fig {
                            0 => Unit::Fig7d(k, c, r),
                            1 => Unit::Fig7c(k, c, r),
                            _ => Unit::Fig8(k, c, r),
                        });
                    }
                }
            }
        }
        u.push(Unit::Fig3bTheory);
        for i in 0..self.fig3b.len() {
            u.extend((0..pre.markers.2).map(|r| Unit::Fig3b(i, r)));
        }
        u
    }
}

/// The unit names of `mode`.
pub(crate) fn names(mode: Mode) -> Result<Vec<String>> {
    Ok(Design::new(mode, Seed(0))?
        .units()
        .iter()
        .map(|u| u.name())
        .collect())
}

/// The theory that the simulations of a figure need, computed once per process.
struct Plans<'a> {
    d: &'a Design,
    compare: [Option<(usize, PlannedSim)>; 2],
    dilution: Vec<Option<(DilutionTheory, Option<PlannedSim>)>>,
    fig1: Vec<Option<(OverlapTheory, PlannedSim)>>,
    fig3b: Vec<Option<(OptimalC, PlannedSim)>>,
    fig4: Option<Vec<OptimalC>>,
    fig4a: Option<[PlannedSim; 2]>,
}

fn cached<T: Clone>(slot: &mut Option<T>, make: impl FnOnce() -> Result<T>) -> Result<T> {
    if let Some(v) = slot {
        return Ok(v.clone());
    }
    let v = make()?;
    *slot = Some(v.clone());
    Ok(v)
}

fn realization(sim: &PlannedSim, r: usize) -> Result<UnitData> {
    Ok(UnitData::Realization {
        params: Box::new(sim.params.params()),
        result: sim.realization(r)?,
    })
}

impl<'a> Plans<'a> {
    fn new(d: &'a Design) -> Plans<'a> {
        Plans {
            d,
            compare: [None, None],
            dilution: vec![None; d.dilution.len()],
            fig1: vec![None; d.fig1.len()],
            fig3b: vec![None; d.fig3b.len()],
            fig4: None,
            fig4a: None,
        }
    }

    fn compare(&mut self, b: usize) -> Result<(usize, PlannedSim)> {
        let d = self.d;
        let seed = d.seed(["theory-vs-sim", "theory-vs-sim-30k"][b]);
        cached(&mut self.compare[b], || {
            Ok(exp::theory_vs_sim_plan(&d.compare[b], seed)?)
        })
    }

    fn dilution(
        &mut self,
        k: usize,
        obs: &mut dyn Observer,
    ) -> Result<(DilutionTheory, Option<PlannedSim>)> {
        let d = self.d;
        cached(&mut self.dilution[k], || {
            Ok(exp::dilution_plan(&d.dilution, k, d.seed("dilution"), obs)?)
        })
    }

    fn fig1(&mut self, k: usize, obs: &mut dyn Observer) -> Result<(OverlapTheory, PlannedSim)> {
        let d = self.d;
        cached(&mut self.fig1[k], || {
            Ok(exp::overlap_plan(&d.fig1, k, d.seed("fig1"), obs)?)
        })
    }

    fn fig3b(&mut self, i: usize, obs: &mut dyn Observer) -> Result<(OptimalC, PlannedSim)> {
        let d = self.d;
        cached(&mut self.fig3b[i], || {
            Ok(exp::sim_at_optimum_plan(&d.fig3b, i, d.seed("fig3b"), obs)?)
        })
    }

    fn fig4(&mut self, obs: &mut dyn Observer) -> Result<Vec<OptimalC>> {
        let d = self.d;
        cached(&mut self.fig4, || Ok(exp::optimal_c(&d.fig4, obs)?))
    }

    fn fig4a(&mut self, obs: &mut dyn Observer) -> Result<[PlannedSim; 2]> {
        let o4 = self.fig4(obs)?;
        let d = self.d;
        cached(&mut self.fig4a, || {
            let (c4, q) = fig4_c_q(&o4)?;
            let (n4a, c4a, real4a) = d.pre.fig4a;
            let p = MarkovComparisonParams {
                network: NetworkParams {
                    n: n4a,
                    c: c4a,
                    synapse: syn(0.1, c4, 0.0),
                    ..NetworkParams::default()
                },
                q,
                patterns: 80,
                realizations: real4a,
            }
            .check()?;
            Ok(exp::binarized_vs_markov_plan(&p, d.seed("fig4a")))
        })
    }

    fn run(&mut self, u: Unit, obs: &mut dyn Observer) -> Result<UnitData> {
        let d = self.d;
        Ok(match u {
            Unit::CompareTheory(b) => UnitData::Capacity(self.compare(b)?.0),
            Unit::Compare(b, r) => realization(&self.compare(b)?.1, r)?,
            Unit::DilutionTheory => UnitData::Dilution(
                (0..d.dilution.len())
                    .map(|k| Ok(self.dilution(k, obs)?.0))
                    .collect::<Result<_>>()?,
            ),
            Unit::Dilution(k, r) => {
                let sim = self.dilution(k, obs)?.1.ok_or_else(|| {
                    ReproduceError::invalid("shard", "the dilution study has no simulation")
                })?;
                realization(&sim, r)?
            }
            Unit::Fig1Theory => UnitData::Overlaps(
                (0..d.fig1.len())
                    .map(|k| Ok(self.fig1(k, obs)?.0))
                    .collect::<Result<_>>()?,
            ),
            Unit::Fig1(k, r) => realization(&self.fig1(k, obs)?.1, r)?,
            Unit::Fig2ab => UnitData::Optima(exp::optimal_c(&d.fig2ab, obs)?),
            Unit::Fig2c => {
                let ns: Vec<f64> = d.pre.single_well_ns.iter().map(|&n| n as f64).collect();
                let mut single = Vec::new();
                for r1 in [0.002, 0.02, 0.1] {
                    let pts = theory_scan(d.seed, N_THEORY, syn(r1, 0.0, 0.0), Sweep::N, &ns, obs)?;
                    single.push((r1, pts));
                }
                UnitData::Scans(single)
            }
            Unit::Fig2d(k) => UnitData::Optima(exp::refined_optimal_c(&d.fig2d[k], obs)?),
            Unit::Fig3a => UnitData::Optima(exp::optimal_c(&d.fig3a, obs)?),
            Unit::Fig4b => UnitData::Optima(self.fig4(obs)?),
            Unit::Fig5 => {
                let p = &d.pre.noise_grid;
                let r3s = grid(p.0, p.1, p.2);
                let mut noise = Vec::new();
                for c_well in [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] {
                    let pts = theory_scan(
                        d.seed,
                        N_THEORY,
                        syn(0.1, c_well, 0.0),
                        Sweep::R3,
                        &r3s,
                        obs,
                    )?;
                    noise.push((c_well, pts));
                }
                UnitData::Scans(noise)
            }
            Unit::Fig6 => UnitData::Robustness(exp::robustness_scan(&d.fig6, obs)?),
            Unit::Fig4a(m, r) => realization(&self.fig4a(obs)?[m], r)?,
            Unit::Fig7d(k, g, r) => sparse_realization(d, 0, k, g, r)?,
            Unit::Fig7c(k, g, r) => sparse_realization(d, 1, k, g, r)?,
            Unit::Fig8(i, g, r) => sparse_realization(d, 2, i, g, r)?,
            Unit::Fig3bTheory => UnitData::Optima(
                (0..d.fig3b.len())
                    .map(|i| Ok(self.fig3b(i, obs)?.0))
                    .collect::<Result<_>>()?,
            ),
            Unit::Fig3b(i, r) => realization(&self.fig3b(i, obs)?.1, r)?,
        })
    }
}

fn sparse_realization(d: &Design, fig: usize, k: usize, g: usize, r: usize) -> Result<UnitData> {
    let grids = d.sparse_grids(fig);
    let (grid, seed) = grids[k];
    realization(&grid.plan(seed)[g], r)
}

/// C* of Fig. 4 and the transition probability q of the Markov synapse that matches it.
pub(crate) fn fig4_c_q(o4: &[OptimalC]) -> Result<(f64, f64)> {
    let c4 = o4
        .first()
        .ok_or_else(|| ReproduceError::invalid("merge", "Fig. 4 has no optimum"))?
        .c_star;
    let q = Theory::new(&theory(N_SNR, 0.1, c4).check()?)?.markov_transition_probability();
    Ok((c4, q))
}

/// Runs the units at `positions` of the unit list, each with its name; reports one step per unit
/// (stage `"double-well units"`) and stops between units when the observer asks.
pub(crate) fn run_positions(
    d: &Design,
    positions: &[usize],
    obs: &mut dyn Observer,
) -> Result<Vec<(String, UnitData)>> {
    let all = d.units();
    let mut plans = Plans::new(d);
    let mut out = Vec::with_capacity(positions.len());
    for (i, &p) in positions.iter().enumerate() {
        let u = *all.get(p).ok_or_else(|| {
            ReproduceError::invalid("shard", format!("unit {p} of {} does not exist", all.len()))
        })?;
        let data = plans.run(u, obs)?;
        out.push((u.name(), data));
        let c = obs.observe(&StepReport {
            stage: "double-well units",
            step: i + 1,
            total: Some(positions.len()),
            metrics: &[],
        });
        if c == Control::Stop && i + 1 < positions.len() {
            return Err(ReproduceError::Stopped("double-well".into()));
        }
    }
    Ok(out)
}

/// The section's results from every unit's data (each unit exactly once).
pub(crate) fn assemble(d: &Design, mut data: BTreeMap<String, UnitData>) -> Result<Parts> {
    let units = d.units();
    let missing: Vec<String> = units
        .iter()
        .map(|u| u.name())
        .filter(|n| !data.contains_key(n))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(12).map(|s| s.as_str()).collect();
        return Err(ReproduceError::invalid(
            "merge",
            format!(
                "{} of {} units missing: {}{}",
                missing.len(),
                units.len(),
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                }
            ),
        ));
    }
    if data.len() != units.len() {
        let known: std::collections::BTreeSet<String> = units.iter().map(|u| u.name()).collect();
        let extra: Vec<&String> = data.keys().filter(|k| !known.contains(*k)).collect();
        return Err(ReproduceError::invalid(
            "merge",
            format!("units this design does not have: {extra:?}"),
        ));
    }
    let mut take = |u: Unit| data.remove(&u.name()).expect("checked above");
    let bad = |u: Unit| {
        ReproduceError::invalid(
            "merge",
            format!("unit {} holds another kind of result", u.name()),
        )
    };
    let mut optima = |u: Unit| match take(u) {
        UnitData::Optima(o) => Ok(o),
        _ => Err(bad(u)),
    };
    let fig2ab = optima(Unit::Fig2ab)?;
    let fig3a = optima(Unit::Fig3a)?;
    let o4 = optima(Unit::Fig4b)?;
    let fig3b_theory = optima(Unit::Fig3bTheory)?;
    let mut scaling_optima = Vec::new();
    for k in 0..d.fig2d.len() {
        scaling_optima.extend(optima(Unit::Fig2d(k))?);
    }
    let mut scans = |u: Unit| match take(u) {
        UnitData::Scans(s) => Ok(s),
        _ => Err(bad(u)),
    };
    let single = scans(Unit::Fig2c)?;
    let noise = scans(Unit::Fig5)?;
    let rob = match take(Unit::Fig6) {
        UnitData::Robustness(r) => r,
        _ => return Err(bad(Unit::Fig6)),
    };
    let mut sim = |name: &dyn Fn(usize) -> Unit, reals: usize| -> Result<SimResult> {
        let mut params: Option<SimParams> = None;
        let mut results = Vec::with_capacity(reals);
        for r in 0..reals {
            let u = name(r);
            match take(u) {
                UnitData::Realization { params: p, result } => {
                    if params.is_some_and(|q| q != *p) {
                        return Err(ReproduceError::invalid(
                            "merge",
                            format!(
                                "unit {} simulated other parameters than its siblings",
                                u.name()
                            ),
                        ));
                    }
                    params = Some(*p);
                    results.push(result);
                }
                _ => return Err(bad(u)),
            }
        }
        let params = params
            .ok_or_else(|| ReproduceError::invalid("merge", "a simulation without realizations"))?
            .check()?;
        Ok(SimResult::from_realizations(&params, results, false))
    };
    let pre = &d.pre;
    let mut compare = Vec::new();
    for (b, reals) in [pre.compare.1, pre.compare_big.1].into_iter().enumerate() {
        let sim = sim(&|r| Unit::Compare(b, r), reals)?;
        compare.push((b, sim));
    }
    let mut dil_sims = Vec::new();
    for k in 0..d.dilution.len() {
        dil_sims.push(sim(&|r| Unit::Dilution(k, r), pre.dilution.2)?);
    }
    let mut fig1_sims = Vec::new();
    for k in 0..d.fig1.len() {
        fig1_sims.push(sim(&|r| Unit::Fig1(k, r), pre.fig1.1)?);
    }
    let fig4a = MarkovComparison {
        double_well: sim(&|r| Unit::Fig4a(0, r), pre.fig4a.2)?,
        markov: sim(&|r| Unit::Fig4a(1, r), pre.fig4a.2)?,
    };
    let mut sparse = Vec::new();
    for fig in 0..3 {
        let mut optima = Vec::new();
        for (k, (g, _)) in d.sparse_grids(fig).into_iter().enumerate() {
            let cells = g.plan(Seed(0));
            let mut sims = Vec::with_capacity(cells.len());
            for (c, cell) in cells.iter().enumerate() {
                let reals = cell.params.realizations();
                sims.push(match fig {
                    0 => sim(&|r| Unit::Fig7d(k, c, r), reals)?,
                    1 => sim(&|r| Unit::Fig7c(k, c, r), reals)?,
                    _ => sim(&|r| Unit::Fig8(k, c, r), reals)?,
                });
            }
            optima.push((g, g.optimum(&sims)?));
        }
        sparse.push(optima);
    }
    let mut fig3b_sims = Vec::new();
    for i in 0..d.fig3b.len() {
        fig3b_sims.push(sim(&|r| Unit::Fig3b(i, r), pre.markers.2)?);
    }
    let mut compare_theory = |b: usize| match take(Unit::CompareTheory(b)) {
        UnitData::Capacity(c) => Ok(c),
        _ => Err(bad(Unit::CompareTheory(b))),
    };
    let mut tvs = Vec::new();
    for (b, sim) in compare {
        tvs.push(TheoryVsSim {
            theory: compare_theory(b)?,
            sim,
        });
    }
    let big = tvs.pop().expect("two comparisons");
    let small = tvs.pop().expect("two comparisons");
    let dil = match take(Unit::DilutionTheory) {
        UnitData::Dilution(t) if t.len() == dil_sims.len() => t
            .into_iter()
            .zip(dil_sims)
            .map(|(t, s)| t.point(Some(s)))
            .collect(),
        _ => return Err(bad(Unit::DilutionTheory)),
    };
    let curves = match take(Unit::Fig1Theory) {
        UnitData::Overlaps(t) if t.len() == fig1_sims.len() => t
            .into_iter()
            .zip(fig1_sims)
            .map(|(t, s)| t.curve(s))
            .collect(),
        _ => return Err(bad(Unit::Fig1Theory)),
    };
    if fig3b_theory.len() != fig3b_sims.len() {
        return Err(bad(Unit::Fig3bTheory));
    }
    let sim_exps = exp::sim_scaling(&d.fig3b, &fig3b_theory, &fig3b_sims);
    let mut sparse = sparse.into_iter();
    let sp = sparse.next().unwrap_or_default();
    let tf = sparse.next().unwrap_or_default();
    let fig8 = sparse.next().unwrap_or_default();
    Ok(Parts {
        small,
        big,
        dil,
        curves,
        fig2ab,
        single,
        scaling_optima,
        fig3a,
        o4,
        noise,
        rob,
        fig4a,
        sp: sp.into_iter().map(|(_, o)| o).collect(),
        tf: tf.into_iter().map(|(_, o)| o).collect(),
        fig8: fig8.into_iter().map(|(g, o)| g.noise_point(o)).collect(),
        sim_exps,
    })
}

/// What each unit file of a shard holds besides the unit's data: enough to refuse merging units
/// of other runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunInfo {
    /// The mode.
    pub mode: Mode,
    /// The section's seed.
    pub seed: u64,
    /// The preset the units were made with (its `Debug` text).
    pub preset: String,
}

impl RunInfo {
    pub(crate) fn new(d: &Design, mode: Mode) -> RunInfo {
        RunInfo {
            mode,
            seed: d.seed.0,
            preset: format!("{:?}", d.pre),
        }
    }
}

/// One unit file, `units/<name>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UnitFile {
    pub info: RunInfo,
    pub unit: String,
    pub data: UnitData,
}

/// The unit files of the shard section directories `dirs`, by unit name (a unit found twice is
/// an error), all made with `info`.
pub(crate) fn read_units(dirs: &[PathBuf], info: &RunInfo) -> Result<BTreeMap<String, UnitData>> {
    let mut out = BTreeMap::new();
    for read in crate::shard::read_unit_files::<UnitFile>(dirs)? {
        let (f, u) = (read.file, read.unit);
        if u.info != *info {
            return Err(ReproduceError::invalid(
                "merge",
                format!(
                    "{} was made in {:?} mode with section seed {} and {}, the merge is {:?} with seed {}{}",
                    f.display(),
                    u.info.mode,
                    u.info.seed,
                    if u.info.preset == info.preset {
                        "the same sizes"
                    } else {
                        "other sizes"
                    },
                    info.mode,
                    info.seed,
                    if u.info.preset == info.preset {
                        ""
                    } else {
                        " and this version's sizes"
                    }
                ),
            ));
        }
        if out.insert(u.unit.clone(), u.data).is_some() {
            return Err(ReproduceError::invalid(
                "merge",
                format!("unit {} is in more than one shard", u.unit),
            ));
        }
    }
    Ok(out)
}
