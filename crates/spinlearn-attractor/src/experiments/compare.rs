//! Theory against simulation: capacities at one setting, overlaps by age at the optimal C
//! (Fig. 1B), the dilution study (theory and simulation at fixed cN as c → 0, with the theory's
//! timing and variance conventions), simulated capacities at the theory's C* against N (Fig. 3B
//! markers), and binarized double-well weights against two-state Markov synapses (Fig. 4A).

use serde::{Deserialize, Serialize};
use spinlearn_core::stats::power_law_fit;
use spinlearn_core::{Observer, ParamGuard, Seed, check};

use super::optimum::{OptimalC, OptimalCParams, ValidOptimalCParams, optimal_c_steps};
use crate::error::Result;
use crate::network::WeightView;
use crate::params::NetworkParams;
use crate::progress::{Steps, par_map};
use crate::simulate::{
    PlannedSim, SimParams, SimResult, SynapseKind, ValidSimParams, simulate_steps,
};
use crate::theory::{
    AgeOverlap, FieldVariance, RetrievalTiming, Theory, TheoryParams, ValidTheoryParams,
};

/// Runs one simulation as part of a driver's stage; a stop request ends the driver.
fn simulate_in(p: &ValidSimParams, seed: Seed, steps: &mut Steps<'_>) -> Result<SimResult> {
    steps.go_on()?;
    let r = simulate_steps(p, seed, steps)?;
    if r.stopped_early {
        return Err(steps.stopped());
    }
    Ok(r)
}

/// The theory's capacity and a simulation of the same network that tests a few more patterns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheoryVsSimParams {
    /// The theory (the simulated network is [`TheoryParams::network`]).
    pub theory: TheoryParams,
    /// The largest age scanned by the theory.
    pub max_age: usize,
    /// Patterns tested beyond the theory's capacity.
    pub extra_patterns: usize,
    /// Presentations before the tested ones (`None`: [`crate::simulate::auto_burn_in`]).
    pub burn_in: Option<usize>,
    /// Realizations of the simulation.
    pub realizations: usize,
}

/// Checked [`TheoryVsSimParams`].
#[derive(Debug, Clone)]
pub struct ValidTheoryVsSimParams {
    theory: ValidTheoryParams,
    max_age: usize,
    extra_patterns: usize,
    burn_in: Option<usize>,
    realizations: usize,
}

impl ParamGuard for TheoryVsSimParams {
    type Checked = ValidTheoryVsSimParams;

    /// The theory's checks, `max_age`, `extra_patterns` and `realizations` ≥ 1.
    fn check(&self) -> spinlearn_core::Result<ValidTheoryVsSimParams> {
        let theory = self.theory.check()?;
        check::nonzero("max_age", self.max_age)?;
        check::nonzero("extra_patterns", self.extra_patterns)?;
        check::nonzero("realizations", self.realizations)?;
        Ok(ValidTheoryVsSimParams {
            theory,
            max_age: self.max_age,
            extra_patterns: self.extra_patterns,
            burn_in: self.burn_in,
            realizations: self.realizations,
        })
    }
}

/// The theory's capacity beside the simulated one.
#[derive(Debug, Clone, Serialize)]
pub struct TheoryVsSim {
    /// The theory's capacity.
    pub theory: usize,
    /// The simulation (tests `theory + extra_patterns` patterns).
    pub sim: SimResult,
}

/// The theory's capacity, then a simulation of its network testing `extra_patterns` more patterns
/// (stage `"theory vs simulation"`: the theory, then one step per realization; realization r uses
/// `seed.derive(r)`).
pub fn theory_vs_simulation(
    p: &ValidTheoryVsSimParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<TheoryVsSim> {
    let mut steps = Steps::new(obs, "theory vs simulation", 1 + p.realizations);
    let (theory, sim) = theory_vs_sim_plan(p, seed)?;
    steps.tick(&[("capacity", theory as f64)]);
    let sim = simulate_in(&sim.params, sim.seed, &mut steps)?;
    Ok(TheoryVsSim { theory, sim })
}

/// The theory's capacity and the simulation that [`theory_vs_simulation`] runs (to run its
/// realizations apart).
pub fn theory_vs_sim_plan(p: &ValidTheoryVsSimParams, seed: Seed) -> Result<(usize, PlannedSim)> {
    let theory = Theory::new(&p.theory)?.capacity(p.max_age).capacity;
    let params = SimParams {
        network: p.theory.params().network(),
        patterns: theory + p.extra_patterns,
        burn_in: p.burn_in,
        realizations: p.realizations,
        ..SimParams::default()
    }
    .check()?;
    Ok((theory, PlannedSim { params, seed }))
}

/// Overlaps by age at the optimal C of each r1 (Fig. 1B): theory curve and simulation markers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverlapsParams {
    /// The base theory with the network's N (its r1 and C are replaced).
    pub theory: TheoryParams,
    /// The well depths r1, one curve each.
    pub r1: Vec<f64>,
    /// The C values tried for the optimum.
    pub c_grid: Vec<f64>,
    /// The largest age scanned for the capacity.
    pub max_age: usize,
    /// Ages shown beyond the capacity.
    pub extra_ages: usize,
    /// Realizations of each simulation.
    pub realizations: usize,
}

/// Checked [`OverlapsParams`].
#[derive(Debug, Clone)]
pub struct ValidOverlapsParams {
    optimum: ValidOptimalCParams,
    extra_ages: usize,
    realizations: usize,
}

impl ParamGuard for OverlapsParams {
    type Checked = ValidOverlapsParams;

    /// The optimum's checks ([`OptimalCParams`] at N of `theory`), `extra_ages` and
    /// `realizations` ≥ 1.
    fn check(&self) -> spinlearn_core::Result<ValidOverlapsParams> {
        let optimum = OptimalCParams {
            theory: self.theory,
            r1: self.r1.clone(),
            n: vec![self.theory.n],
            c_grid: self.c_grid.clone(),
            max_age: self.max_age,
        }
        .check()?;
        Ok(ValidOverlapsParams {
            optimum,
            extra_ages: check::nonzero("extra_ages", self.extra_ages)?,
            realizations: check::nonzero("realizations", self.realizations)?,
        })
    }
}

/// The theory side of one curve of Fig. 1B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverlapTheory {
    /// r1.
    pub r1: f64,
    /// C* of the theory.
    pub c_star: f64,
    /// The theory's capacity at C*.
    pub capacity: f64,
    /// The theory's overlaps at ages 1..=capacity + extra_ages.
    pub theory: Vec<AgeOverlap>,
}

impl OverlapTheory {
    /// The curve with its simulation.
    pub fn curve(self, sim: SimResult) -> OverlapCurve {
        OverlapCurve {
            r1: self.r1,
            c_star: self.c_star,
            capacity: self.capacity,
            theory: self.theory,
            sim,
        }
    }
}

/// One curve of Fig. 1B.
#[derive(Debug, Clone, Serialize)]
pub struct OverlapCurve {
    /// r1.
    pub r1: f64,
    /// C* of the theory.
    pub c_star: f64,
    /// The theory's capacity at C*.
    pub capacity: f64,
    /// The theory's overlaps at ages 1..=capacity + extra_ages.
    pub theory: Vec<AgeOverlap>,
    /// The simulation at C*, ages 0..=capacity + extra_ages.
    pub sim: SimResult,
}

/// For each r1: C* by the theory, the theory's overlaps by age there, and a simulation of the same
/// network (stage `"overlaps by age"`; curve k simulates with `seed.derive(k)`).
pub fn overlaps_at_optimum(
    p: &ValidOverlapsParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<OverlapCurve>> {
    let o = &p.optimum;
    let n_set = o.settings().len();
    let total = o.n_points() + n_set * (1 + p.realizations);
    let mut steps = Steps::new(obs, "overlaps by age", total);
    let mut out = Vec::with_capacity(n_set);
    for k in 0..n_set {
        let (theory, sim) = overlap_plan_steps(p, k, seed, &mut steps)?;
        let sim = simulate_in(&sim.params, sim.seed, &mut steps)?;
        out.push(theory.curve(sim));
    }
    Ok(out)
}

/// Curve `k` (the k-th r1) of [`overlaps_at_optimum`]: its theory and the simulation the driver
/// runs (to run its realizations apart); stage `"overlaps by age"`.
pub fn overlap_plan(
    p: &ValidOverlapsParams,
    k: usize,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<(OverlapTheory, PlannedSim)> {
    let total = p.optimum.grid_len() + 1;
    let mut steps = Steps::new(obs, "overlaps by age", total);
    overlap_plan_steps(p, k, seed, &mut steps)
}

fn overlap_plan_steps(
    p: &ValidOverlapsParams,
    k: usize,
    seed: Seed,
    steps: &mut Steps<'_>,
) -> Result<(OverlapTheory, PlannedSim)> {
    let o = p.optimum.setting(k)?;
    let opt = optimal_c_steps(&o, steps)?.remove(0);
    let tp = o.at(0, opt.c_star)?;
    let ages = opt.capacity as usize + p.extra_ages;
    steps.go_on()?;
    let theory = Theory::new(&tp)?.overlaps_by_age(ages);
    steps.tick(&[("capacity", opt.capacity)]);
    let params = SimParams {
        network: tp.params().network(),
        patterns: ages + 1,
        realizations: p.realizations,
        ..SimParams::default()
    }
    .check()?;
    Ok((
        OverlapTheory {
            r1: opt.r1,
            c_star: opt.c_star,
            capacity: opt.capacity,
            theory,
        },
        PlannedSim {
            params,
            seed: seed.derive(k as u64),
        },
    ))
}

impl ValidOverlapsParams {
    /// The number of curves (r1 values).
    pub fn len(&self) -> usize {
        self.optimum.settings().len()
    }

    /// Never true once checked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Simulated capacities at the theory's C* against N, for several r1 (Fig. 3B markers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimAtOptimumParams {
    /// Where C* is sought (grid r1 × N).
    pub optimum: OptimalCParams,
    /// Patterns tested: `patterns_factor` × the theory's capacity (rounded down) + `extra_patterns`.
    pub patterns_factor: f64,
    /// See `patterns_factor`.
    pub extra_patterns: usize,
    /// Realizations of each simulation.
    pub realizations: usize,
}

/// Checked [`SimAtOptimumParams`].
#[derive(Debug, Clone)]
pub struct ValidSimAtOptimumParams {
    optimum: ValidOptimalCParams,
    patterns_factor: f64,
    extra_patterns: usize,
    realizations: usize,
}

impl ParamGuard for SimAtOptimumParams {
    type Checked = ValidSimAtOptimumParams;

    /// The optimum's checks, `patterns_factor` ≥ 0, `extra_patterns` and `realizations` ≥ 1.
    fn check(&self) -> spinlearn_core::Result<ValidSimAtOptimumParams> {
        Ok(ValidSimAtOptimumParams {
            optimum: self.optimum.check()?,
            patterns_factor: check::non_negative("patterns_factor", self.patterns_factor)?,
            extra_patterns: check::nonzero("extra_patterns", self.extra_patterns)?,
            realizations: check::nonzero("realizations", self.realizations)?,
        })
    }
}

/// Simulated capacity at the theory's C* against N at one r1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimScaling {
    /// r1.
    pub r1: f64,
    /// N values.
    pub n: Vec<usize>,
    /// C* of the theory by N.
    pub c_star: Vec<f64>,
    /// The theory's capacity at C* by N.
    pub theory: Vec<f64>,
    /// Mean simulated capacity by N.
    pub capacity: Vec<f64>,
    /// Its spread over realizations.
    pub capacity_std: Vec<f64>,
    /// Exponent a: least-squares slope of ln p on ln N (points with p > 0).
    pub exponent: Option<f64>,
}

/// C* by the theory at every (r1, N), then a simulation there (stage `"simulation at C*"`; the
/// simulation at r1 index k, N index j uses `seed.derive(k).derive(j)`).
pub fn sim_at_optimum(
    p: &ValidSimAtOptimumParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<SimScaling>> {
    let o = &p.optimum;
    let n_set = o.settings().len();
    let total = o.n_points() + n_set * p.realizations;
    let mut steps = Steps::new(obs, "simulation at C*", total);
    let mut optima = Vec::with_capacity(n_set);
    let mut sims = Vec::with_capacity(n_set);
    for i in 0..n_set {
        let (opt, sim) = sim_at_optimum_plan_steps(p, i, seed, &mut steps)?;
        sims.push(simulate_in(&sim.params, sim.seed, &mut steps)?);
        optima.push(opt);
    }
    Ok(sim_scaling(p, &optima, &sims))
}

/// Setting `i` (r1-major over r1 × N) of [`sim_at_optimum`]: the theory's optimum there and the
/// simulation the driver runs (to run its realizations apart); stage `"simulation at C*"`.
pub fn sim_at_optimum_plan(
    p: &ValidSimAtOptimumParams,
    i: usize,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<(OptimalC, PlannedSim)> {
    let mut steps = Steps::new(obs, "simulation at C*", p.optimum.grid_len());
    sim_at_optimum_plan_steps(p, i, seed, &mut steps)
}

fn sim_at_optimum_plan_steps(
    p: &ValidSimAtOptimumParams,
    i: usize,
    seed: Seed,
    steps: &mut Steps<'_>,
) -> Result<(OptimalC, PlannedSim)> {
    let o = p.optimum.setting(i)?;
    let opt = optimal_c_steps(&o, steps)?.remove(0);
    let (k, j) = p.optimum.indices(i);
    let tp = o.at(0, opt.c_star)?;
    let params = SimParams {
        network: tp.params().network(),
        patterns: (opt.capacity * p.patterns_factor) as usize + p.extra_patterns,
        realizations: p.realizations,
        ..SimParams::default()
    }
    .check()?;
    Ok((
        opt,
        PlannedSim {
            params,
            seed: seed.derive(k as u64).derive(j as u64),
        },
    ))
}

impl ValidSimAtOptimumParams {
    /// The number of settings (r1 × N).
    pub fn len(&self) -> usize {
        self.optimum.settings().len()
    }

    /// Never true once checked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`sim_at_optimum`] returns, from the optimum and the simulation of each setting (in
/// setting order, as [`sim_at_optimum_plan`] gives them).
pub fn sim_scaling(
    p: &ValidSimAtOptimumParams,
    optima: &[OptimalC],
    sims: &[SimResult],
) -> Vec<SimScaling> {
    let mut out: Vec<SimScaling> = Vec::new();
    for (i, (opt, r)) in optima.iter().zip(sims).enumerate() {
        let (_, j) = p.optimum.indices(i);
        if j == 0 {
            out.push(SimScaling {
                r1: opt.r1,
                n: Vec::new(),
                c_star: Vec::new(),
                theory: Vec::new(),
                capacity: Vec::new(),
                capacity_std: Vec::new(),
                exponent: None,
            });
        }
        if let Some(s) = out.last_mut() {
            s.n.push(opt.n);
            s.c_star.push(opt.c_star);
            s.theory.push(opt.capacity);
            s.capacity.push(r.capacity_mean);
            s.capacity_std.push(r.capacity_std);
        }
    }
    for s in &mut out {
        let nf: Vec<f64> = s.n.iter().map(|&n| n as f64).collect();
        s.exponent = power_law_fit(&nf, &s.capacity).map(|f| f.exponent);
    }
    out
}

/// Binarized double-well weights against two-state Markov synapses of transition probability `q`
/// in the same network (Fig. 4A).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkovComparisonParams {
    /// The network (balanced rule) with its double-well synapses.
    pub network: NetworkParams,
    /// The Markov synapses' transition probability.
    pub q: f64,
    /// Patterns tested.
    pub patterns: usize,
    /// Realizations of each simulation.
    pub realizations: usize,
}

/// Checked [`MarkovComparisonParams`].
#[derive(Debug, Clone)]
pub struct ValidMarkovComparisonParams {
    double_well: ValidSimParams,
    markov: ValidSimParams,
}

impl ParamGuard for MarkovComparisonParams {
    type Checked = ValidMarkovComparisonParams;

    /// Both simulations' checks ([`SimParams`] with binarized weights).
    fn check(&self) -> spinlearn_core::Result<ValidMarkovComparisonParams> {
        let sim = |synapses| {
            SimParams {
                network: self.network,
                patterns: self.patterns,
                realizations: self.realizations,
                view: WeightView::Binarized,
                synapses,
                ..SimParams::default()
            }
            .check()
        };
        Ok(ValidMarkovComparisonParams {
            double_well: sim(SynapseKind::DoubleWell)?,
            markov: sim(SynapseKind::Markov { q: self.q })?,
        })
    }
}

/// The two simulations of [`binarized_vs_markov`].
#[derive(Debug, Clone, Serialize)]
pub struct MarkovComparison {
    /// Double-well synapses, binarized in the dynamics.
    pub double_well: SimResult,
    /// Two-state Markov synapses.
    pub markov: SimResult,
}

/// Simulates both synapse kinds with binarized weights (stage `"binarized vs Markov"`; the
/// double-well network uses `seed.derive(0)`, the Markov one `seed.derive(1)`).
pub fn binarized_vs_markov(
    p: &ValidMarkovComparisonParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<MarkovComparison> {
    let total = p.double_well.realizations() + p.markov.realizations();
    let mut steps = Steps::new(obs, "binarized vs Markov", total);
    let [dw, mk] = binarized_vs_markov_plan(p, seed);
    let double_well = simulate_in(&dw.params, dw.seed, &mut steps)?;
    let markov = simulate_in(&mk.params, mk.seed, &mut steps)?;
    Ok(MarkovComparison {
        double_well,
        markov,
    })
}

/// The two simulations of [`binarized_vs_markov`], double well first.
pub fn binarized_vs_markov_plan(p: &ValidMarkovComparisonParams, seed: Seed) -> [PlannedSim; 2] {
    [
        PlannedSim {
            params: p.double_well,
            seed: seed.derive(0),
        },
        PlannedSim {
            params: p.markov,
            seed: seed.derive(1),
        },
    ]
}

/// The four theory conventions of [`dilution_study`]: (timing, variance), ours first.
pub const CONVENTIONS: [(RetrievalTiming, FieldVariance); 4] = [
    (RetrievalTiming::AfterJump, FieldVariance::Full),
    (RetrievalTiming::AfterJump, FieldVariance::WithoutRecent),
    (RetrievalTiming::AfterDecay, FieldVariance::Full),
    (RetrievalTiming::AfterDecay, FieldVariance::WithoutRecent),
];

/// Theory against simulation at fixed cN for decreasing c (N = cN / c): the map of eq. (38) is the
/// extremely diluted theory, so the two should meet as c → 0 and not as N grows at fixed c.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DilutionParams {
    /// The theory (r1, C, ε, threshold, grid; its N and c are replaced, its timing and variance
    /// conventions are those of the simulation comparison; all four are reported).
    pub theory: TheoryParams,
    /// The fixed mean number of inputs per neuron, cN.
    pub cn: f64,
    /// The connection probabilities c (N = round(cN / c)).
    pub c: Vec<f64>,
    /// The largest age scanned by the theory.
    pub max_age: usize,
    /// Patterns tested beyond the theory's capacity.
    pub extra_patterns: usize,
    /// Presentations before the tested ones (`None`: [`crate::simulate::auto_burn_in`]).
    pub burn_in: Option<usize>,
    /// Realizations of each simulation (0: theory only).
    pub realizations: usize,
}

/// Checked [`DilutionParams`].
#[derive(Debug, Clone)]
pub struct ValidDilutionParams {
    /// Per c: the theory at each convention of [`CONVENTIONS`].
    points: Vec<[ValidTheoryParams; 4]>,
    max_age: usize,
    extra_patterns: usize,
    burn_in: Option<usize>,
    realizations: usize,
}

impl ParamGuard for DilutionParams {
    type Checked = ValidDilutionParams;

    /// `cn` > 0, `c` non-empty, every (N = cN/c, c) a valid theory with N ≥ 2 and c ≤ 1,
    /// `max_age` and `extra_patterns` ≥ 1.
    fn check(&self) -> spinlearn_core::Result<ValidDilutionParams> {
        check::positive("cn", self.cn)?;
        super::non_empty("c", &self.c)?;
        check::nonzero("max_age", self.max_age)?;
        check::nonzero("extra_patterns", self.extra_patterns)?;
        let mut points = Vec::with_capacity(self.c.len());
        for &c in &self.c {
            check::positive("c", c)?;
            let n = (self.cn / c).round() as usize;
            let at = |(timing, variance)| {
                TheoryParams {
                    n,
                    c,
                    timing,
                    variance,
                    ..self.theory
                }
                .check()
            };
            points.push([
                at(CONVENTIONS[0])?,
                at(CONVENTIONS[1])?,
                at(CONVENTIONS[2])?,
                at(CONVENTIONS[3])?,
            ]);
        }
        Ok(ValidDilutionParams {
            points,
            max_age: self.max_age,
            extra_patterns: self.extra_patterns,
            burn_in: self.burn_in,
            realizations: self.realizations,
        })
    }
}

/// One c of [`dilution_study`].
#[derive(Debug, Clone, Serialize)]
pub struct DilutionPoint {
    /// Connection probability.
    pub c: f64,
    /// N = round(cN / c).
    pub n: usize,
    /// Theory capacities in the order of [`CONVENTIONS`]: ours (eq. 33 timing, full variance),
    /// without the r2² term, the authors' timing, the authors' timing without the r2² term.
    pub theory: [usize; 4],
    /// Mean simulated capacity (NaN without realizations).
    pub sim: f64,
    /// Its sd over realizations (unbiased).
    pub sim_std: f64,
    /// Mean simulated m_v by age 0.. (empty without realizations).
    pub m_v_mean: Vec<f64>,
    /// The theory's m_v by age 1.. at our convention (to the tested ages).
    pub theory_m_v: Vec<f64>,
    /// Realizations simulated.
    pub realizations: usize,
}

impl DilutionPoint {
    /// Simulation minus our theory, in patterns.
    pub fn gap(&self) -> f64 {
        self.sim - self.theory[0] as f64
    }
}

/// For each c (in the order given): the four theory capacities at N = cN/c, then a simulation of
/// that network testing `extra_patterns` more ages than our theory's capacity (stage `"dilution"`;
/// the simulation at c index k uses `seed.derive(k)`).
pub fn dilution_study(
    p: &ValidDilutionParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<DilutionPoint>> {
    let total = p.points.len() * (4 + p.realizations);
    let mut steps = Steps::new(obs, "dilution", total);
    let mut out = Vec::with_capacity(p.points.len());
    for k in 0..p.points.len() {
        let (theory, sim) = dilution_plan_steps(p, k, seed, &mut steps)?;
        let r = match sim {
            Some(sim) => Some(simulate_in(&sim.params, sim.seed, &mut steps)?),
            None => None,
        };
        out.push(theory.point(r));
    }
    Ok(out)
}

/// The theory side of one c of [`dilution_study`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DilutionTheory {
    /// Connection probability.
    pub c: f64,
    /// N = round(cN / c).
    pub n: usize,
    /// Theory capacities in the order of [`CONVENTIONS`].
    pub theory: [usize; 4],
    /// The theory's m_v by age 1.. at our convention (to the tested ages).
    pub theory_m_v: Vec<f64>,
    /// Realizations of the simulation.
    pub realizations: usize,
}

impl DilutionTheory {
    /// The point with its simulation (`None`: theory only, the simulated values NaN).
    pub fn point(self, sim: Option<SimResult>) -> DilutionPoint {
        let (sim, sim_std, m_v_mean) = match sim {
            Some(r) => (r.capacity_mean, r.capacity_std, r.m_v_mean),
            None => (f64::NAN, f64::NAN, Vec::new()),
        };
        DilutionPoint {
            c: self.c,
            n: self.n,
            theory: self.theory,
            sim,
            sim_std,
            m_v_mean,
            theory_m_v: self.theory_m_v,
            realizations: self.realizations,
        }
    }
}

impl ValidDilutionParams {
    /// The number of c values.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Never true once checked.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Point `k` (the k-th c) of [`dilution_study`]: its theory and the simulation the driver runs
/// (`None` without realizations), to run its realizations apart; stage `"dilution"`.
pub fn dilution_plan(
    p: &ValidDilutionParams,
    k: usize,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<(DilutionTheory, Option<PlannedSim>)> {
    let mut steps = Steps::new(obs, "dilution", 4);
    dilution_plan_steps(p, k, seed, &mut steps)
}

fn dilution_plan_steps(
    p: &ValidDilutionParams,
    k: usize,
    seed: Seed,
    steps: &mut Steps<'_>,
) -> Result<(DilutionTheory, Option<PlannedSim>)> {
    let pts = p.points.get(k).ok_or_else(|| {
        crate::AttractorError::invalid("c", format!("no point {k} of {}", p.points.len()))
    })?;
    let flat: Vec<ValidTheoryParams> = pts.to_vec();
    let caps = par_map(&flat, steps, "capacity", |t| {
        let cap = Theory::new(t)?.capacity(p.max_age).capacity;
        Ok((cap, cap as f64))
    })?;
    let ours = &pts[0];
    let theory = [caps[0], caps[1], caps[2], caps[3]];
    let ages = theory[0] + p.extra_patterns;
    let theory_m_v = Theory::new(ours)?
        .overlaps_by_age(ages)
        .iter()
        .map(|o| o.m_v)
        .collect();
    let sim = if p.realizations > 0 {
        let params = SimParams {
            network: ours.params().network(),
            patterns: ages,
            burn_in: p.burn_in,
            realizations: p.realizations,
            ..SimParams::default()
        }
        .check()?;
        Some(PlannedSim {
            params,
            seed: seed.derive(k as u64),
        })
    } else {
        None
    };
    Ok((
        DilutionTheory {
            c: ours.c(),
            n: ours.n(),
            theory,
            theory_m_v,
            realizations: p.realizations,
        },
        sim,
    ))
}
