//! Retrieval by pattern age and storage capacity by simulation (Figs. 1B, 2, 3, 5-8).
//!
//! One realization: draw the connectivity, present `burn_in + patterns` patterns (so that the weight
//! distribution is stationary when the tested patterns are shown), then start the network at each
//! of the last `patterns` patterns (ages 0..patterns−1, age 0 the most recent) and run the dynamics of
//! eq. (1) to a fixed point; m_v is the overlap of eq. (8) of the end state with the start pattern,
//! m_u its overlap with the most recent pattern. A pattern is retrieved when m_v ≥ `threshold`.
//! The capacity is the largest age a with every pattern of age ≤ a retrieved (so 0 when only the
//! most recent is, and also 0 when none is: see `retrieved` to tell them apart); the count variant
//! is the number of retrieved patterns among the `patterns` tested.

use serde::{Deserialize, Serialize};
use spinlearn_core::stats::mean_std;
use spinlearn_core::{Control, Observer, ParamGuard, Seed, check};

use crate::error::Result;
use crate::network::{self, DilutedNetwork, WeightView};
use crate::params::{LearningRule, NetworkParams, ValidNetworkParams};
use crate::progress::Steps;

/// Which synapses learn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum SynapseKind {
    /// Double-well synapses, eqs. (3)-(4).
    #[default]
    DoubleWell,
    /// Binary Markov synapses ±1 with transition probability `q` (balanced rule only; Fig. 4).
    Markov {
        /// Probability of moving to the state the rule asks for.
        q: f64,
    },
}

/// A retrieval experiment. Plain data; [`ParamGuard::check`] gives the [`ValidSimParams`] that
/// [`simulate`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimParams {
    /// The network and synapse parameters.
    pub network: NetworkParams,
    /// Number of patterns tested: the most recent ones, ages 0..patterns−1.
    pub patterns: usize,
    /// Presentations before the tested ones; `None` picks [`auto_burn_in`].
    pub burn_in: Option<usize>,
    /// Independent realizations (connectivity, patterns, noise all redrawn).
    pub realizations: usize,
    /// Retrieval threshold on m_v (default 0.5).
    pub threshold: f64,
    /// Cap on parallel sweeps per retrieval.
    pub max_sweeps: usize,
    /// Analog weights, or binarized ones (eq. 12) in the dynamics.
    pub view: WeightView,
    /// Double-well or Markov synapses.
    pub synapses: SynapseKind,
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            network: NetworkParams::default(),
            patterns: 60,
            burn_in: None,
            realizations: 1,
            threshold: 0.5,
            max_sweeps: 100,
            view: WeightView::Analog,
            synapses: SynapseKind::DoubleWell,
        }
    }
}

/// The default burn-in: no forgetting (r1 = 0) needs none (the Hopfield limit is not stationary);
/// otherwise max(2·patterns, ⌈5/r1⌉) presentations (ten relaxation times 1/(2 r1)), capped at
/// 20,000. Markov synapses use q in place of r1.
pub fn auto_burn_in(p: &SimParams) -> usize {
    let rate = match p.synapses {
        SynapseKind::Markov { q } => q,
        SynapseKind::DoubleWell => p.network.synapse.r1,
    };
    if rate <= 0.0 {
        0
    } else {
        ((5.0 / rate).ceil() as usize)
            .max(2 * p.patterns)
            .min(20_000)
    }
}

impl ParamGuard for SimParams {
    type Checked = ValidSimParams;

    /// The network's checks, `patterns`, `realizations`, `max_sweeps` ≥ 1, `threshold` in
    /// [−1, 1], `q` in [0, 1] and the balanced rule for Markov synapses; resolves the burn-in.
    fn check(&self) -> spinlearn_core::Result<ValidSimParams> {
        let network = self.network.check()?;
        check::nonzero("patterns", self.patterns)?;
        check::nonzero("realizations", self.realizations)?;
        check::nonzero("max_sweeps", self.max_sweeps)?;
        check::in_range("threshold", self.threshold, -1.0, 1.0)?;
        // Each realization keeps m_v, m_u (f64) and retrieved (bool) by age, and its summary.
        spinlearn_core::mem::check(
            "realizations",
            &[
                (&[self.realizations, self.patterns], 17),
                (&[self.realizations], size_of::<RealizationResult>()),
            ],
        )?;
        if let SynapseKind::Markov { q } = self.synapses {
            check::in_range("q", q, 0.0, 1.0)?;
            if network.rule() != LearningRule::Balanced {
                return Err(spinlearn_core::Error::invalid(
                    "rule",
                    "Markov synapses use the balanced rule",
                ));
            }
        }
        Ok(ValidSimParams {
            network,
            patterns: self.patterns,
            burn_in: self.burn_in.unwrap_or_else(|| auto_burn_in(self)),
            realizations: self.realizations,
            threshold: self.threshold,
            max_sweeps: self.max_sweeps,
            view: self.view,
            synapses: self.synapses,
        })
    }
}

/// Checked [`SimParams`], with the burn-in resolved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValidSimParams {
    network: ValidNetworkParams,
    patterns: usize,
    burn_in: usize,
    realizations: usize,
    threshold: f64,
    max_sweeps: usize,
    view: WeightView,
    synapses: SynapseKind,
}

impl ValidSimParams {
    /// The network.
    pub fn network(&self) -> &ValidNetworkParams {
        &self.network
    }

    /// Patterns tested (ages 0..patterns−1).
    pub fn patterns(&self) -> usize {
        self.patterns
    }

    /// Presentations before the tested ones (resolved).
    pub fn burn_in(&self) -> usize {
        self.burn_in
    }

    /// Realizations.
    pub fn realizations(&self) -> usize {
        self.realizations
    }

    /// Retrieval threshold on m_v.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Cap on sweeps per retrieval.
    pub fn max_sweeps(&self) -> usize {
        self.max_sweeps
    }

    /// Analog or binarized weights in the dynamics.
    pub fn view(&self) -> WeightView {
        self.view
    }

    /// Double-well or Markov synapses.
    pub fn synapses(&self) -> SynapseKind {
        self.synapses
    }

    /// The plain parameters, with the burn-in resolved.
    pub fn params(&self) -> SimParams {
        SimParams {
            network: self.network.params(),
            patterns: self.patterns,
            burn_in: Some(self.burn_in),
            realizations: self.realizations,
            threshold: self.threshold,
            max_sweeps: self.max_sweeps,
            view: self.view,
            synapses: self.synapses,
        }
    }
}

/// One realization's measurements, indexed by age 0..patterns−1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealizationResult {
    /// m_v by age.
    pub m_v: Vec<f64>,
    /// m_u (overlap with the most recent pattern) by age.
    pub m_u: Vec<f64>,
    /// Whether the pattern of each age was retrieved.
    pub retrieved: Vec<bool>,
    /// Largest age a with all ages ≤ a retrieved (0 if none or only age 0).
    pub capacity: usize,
    /// Number of retrieved patterns among the tested ages.
    pub count: usize,
    /// All tested ages were retrieved: the capacity is at least `patterns − 1` (censored).
    pub censored: bool,
    /// Retrievals that ended in a 2-cycle.
    pub cycles: usize,
    /// Retrievals that hit the sweep cap.
    pub unconverged: usize,
}

/// Results over realizations.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    /// The parameters used (with the burn-in resolved).
    pub params: SimParams,
    /// The burn-in used.
    pub burn_in: usize,
    /// Per realization.
    pub realizations: Vec<RealizationResult>,
    /// Mean of m_v by age over realizations.
    pub m_v_mean: Vec<f64>,
    /// Standard deviation of m_v by age (unbiased, over realizations).
    pub m_v_std: Vec<f64>,
    /// Mean of m_u by age.
    pub m_u_mean: Vec<f64>,
    /// Mean capacity.
    pub capacity_mean: f64,
    /// Standard deviation of the capacity over realizations.
    pub capacity_std: f64,
    /// Mean count-based capacity.
    pub count_mean: f64,
    /// Standard deviation of the count-based capacity.
    pub count_std: f64,
    /// The run stopped early at the observer's request.
    pub stopped_early: bool,
}

/// Capacity and count from a retrieved-by-age list.
pub fn capacity_from(retrieved: &[bool]) -> (usize, usize) {
    let lead = retrieved.iter().take_while(|&&r| r).count();
    (
        lead.saturating_sub(1),
        retrieved.iter().filter(|&&r| r).count(),
    )
}

/// Runs one realization with its own seed: connectivity from `seed.named("connectivity")`,
/// patterns from `seed.named("patterns")`, learning noise from `seed.named("noise")` (Markov
/// initial states from `seed.named("markov-init")`).
pub fn run_realization(p: &ValidSimParams, seed: Seed) -> Result<RealizationResult> {
    let np = *p.network();
    let (n, f) = (np.n(), np.f());
    let mut net = DilutedNetwork::new(&np, seed.named("connectivity"))?;
    let pat_seed = seed.named("patterns");
    let noise_seed = seed.named("noise");
    let total = p.burn_in() + p.patterns();
    if let SynapseKind::Markov { .. } = p.synapses() {
        net.randomize_signs(seed.named("markov-init"));
    }
    match p.synapses() {
        SynapseKind::DoubleWell => {
            // Blocks of patterns share one pass over the synapses (bit-identical to one by one).
            let mut t = 0;
            while t < total {
                let hi = (t + network::BLOCK).min(total);
                let etas: Vec<Vec<u8>> = (t..hi)
                    .map(|s| network::pattern(pat_seed, s as u64, n, f))
                    .collect();
                net.present_block(&etas, noise_seed)?;
                t = hi;
            }
        }
        SynapseKind::Markov { q } => {
            for t in 0..total {
                let eta = network::pattern(pat_seed, t as u64, n, f);
                net.present_markov(&eta, q, noise_seed)?;
            }
        }
    }
    let last = network::pattern(pat_seed, (total - 1) as u64, n, f);
    let starts: Vec<Vec<u8>> = (0..p.patterns())
        .map(|a| network::pattern(pat_seed, (total - 1 - a) as u64, n, f))
        .collect();
    let outs = net.retrieve(&starts, p.max_sweeps(), p.view())?;
    let m_v: Vec<f64> = starts
        .iter()
        .zip(&outs)
        .map(|(s, o)| network::overlap(s, &o.state, f))
        .collect();
    let m_u: Vec<f64> = outs
        .iter()
        .map(|o| network::overlap(&last, &o.state, f))
        .collect();
    let retrieved: Vec<bool> = m_v.iter().map(|&m| m >= p.threshold()).collect();
    let (capacity, count) = capacity_from(&retrieved);
    Ok(RealizationResult {
        censored: retrieved.iter().all(|&r| r),
        cycles: outs.iter().filter(|o| o.cycle2).count(),
        unconverged: outs.iter().filter(|o| !o.converged && !o.cycle2).count(),
        m_v,
        m_u,
        retrieved,
        capacity,
        count,
    })
}

/// Runs the realizations (realization r uses `seed.derive(r)`), reporting each to `obs` (stage
/// `"realization"`, metric `capacity`); stops early when the observer asks.
pub fn simulate(p: &ValidSimParams, seed: Seed, obs: &mut dyn Observer) -> Result<SimResult> {
    let mut steps = Steps::new(obs, "realization", p.realizations());
    simulate_steps(p, seed, &mut steps)
}

/// [`simulate`] counting its realizations as steps of a driver's stage.
pub(crate) fn simulate_steps(
    p: &ValidSimParams,
    seed: Seed,
    steps: &mut Steps<'_>,
) -> Result<SimResult> {
    let mut reals = Vec::with_capacity(p.realizations());
    let mut stopped_early = false;
    for r in 0..p.realizations() {
        let res = run_realization(p, seed.derive(r as u64))?;
        let cap = res.capacity as f64;
        reals.push(res);
        if steps.tick(&[("capacity", cap)]) == Control::Stop {
            stopped_early = r + 1 < p.realizations();
            break;
        }
    }
    Ok(SimResult::from_realizations(p, reals, stopped_early))
}

impl SimResult {
    /// The results of `p` over the realizations `reals`, however they were run (realization r of
    /// [`simulate`] with seed `s` is [`run_realization`] with `s.derive(r)`; see [`PlannedSim`]):
    /// the means and spreads of [`simulate`]. `stopped_early`: fewer realizations than `p` asks
    /// for because the run was stopped.
    pub fn from_realizations(
        p: &ValidSimParams,
        reals: Vec<RealizationResult>,
        stopped_early: bool,
    ) -> SimResult {
        let (m_v_mean, m_v_std): (Vec<f64>, Vec<f64>) = (0..p.patterns())
            .map(|a| mean_std(&reals.iter().map(|r| r.m_v[a]).collect::<Vec<_>>()))
            .unzip();
        let m_u_mean = (0..p.patterns())
            .map(|a| mean_std(&reals.iter().map(|r| r.m_u[a]).collect::<Vec<_>>()).0)
            .collect();
        let (capacity_mean, capacity_std) =
            mean_std(&reals.iter().map(|r| r.capacity as f64).collect::<Vec<_>>());
        let (count_mean, count_std) =
            mean_std(&reals.iter().map(|r| r.count as f64).collect::<Vec<_>>());
        SimResult {
            params: p.params(),
            burn_in: p.burn_in(),
            realizations: reals,
            m_v_mean,
            m_v_std,
            m_u_mean,
            capacity_mean,
            capacity_std,
            count_mean,
            count_std,
            stopped_early,
        }
    }
}

/// One simulation of a driver (see [`crate::experiments`]): its parameters and its seed, so that
/// its realizations can be run apart (other processes, other machines) and put together with
/// [`SimResult::from_realizations`] into what [`simulate`] returns.
#[derive(Debug, Clone, Copy)]
pub struct PlannedSim {
    /// The simulation.
    pub params: ValidSimParams,
    /// Its seed: realization r uses `seed.derive(r)`.
    pub seed: Seed,
}

impl PlannedSim {
    /// Realization `r` alone, as [`simulate`] runs it.
    pub fn realization(&self, r: usize) -> Result<RealizationResult> {
        run_realization(&self.params, self.seed.derive(r as u64))
    }

    /// Every realization ([`simulate`]).
    pub fn simulate(&self, obs: &mut dyn Observer) -> Result<SimResult> {
        simulate(&self.params, self.seed, obs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_counts_leading_retrievals() {
        assert_eq!(capacity_from(&[true, true, true, false, true]), (2, 4));
        assert_eq!(capacity_from(&[false, true]), (0, 1));
        assert_eq!(capacity_from(&[true]), (0, 1));
    }
}
