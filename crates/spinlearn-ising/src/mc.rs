//! Monte Carlo runs of the 2D Ising model: a chain (checkerboard Metropolis or Wolff clusters),
//! thermalization, measurement of ⟨|m|⟩, energy, specific heat, susceptibility and the Binder
//! cumulant, with autocorrelation-aware error bars (binning for means, block jackknife for the
//! fluctuation quantities).
//!
//! Streams: Metropolis and multi-spin row i draw from `seed.stream(i)`; the Wolff chain from
//! `seed.named("wolff").stream(0)`; a hot start from `seed.named("init").stream(0)`. Results depend
//! on the seed only, never on the thread count.

use crate::error::{IsingError, Result, invalid};
use crate::lattice::{Checkerboard, Lattice, Metropolis, Wolff};
use crate::multispin::{MultiSpinLattice, MultiSpinMetropolis};
use crate::stats::{Estimate, binning, jackknife, tau_int};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, Seed, SpinRng, StepReport};
use spinlearn_core::{ParamGuard, check};

/// The Monte Carlo update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Checkerboard single-spin Metropolis; one sweep offers every spin one flip. Needs even L.
    Metropolis,
    /// Wolff single-cluster updates (zero field); one sweep is a fixed number of clusters that
    /// flips about N spins on average (set during thermalization).
    Wolff,
    /// Multi-spin-coded checkerboard Metropolis ([`crate::multispin`]): the same acceptance law
    /// as `Metropolis`, 64 spins a word. Needs even L and h = 0.
    #[serde(rename = "multispin")]
    MultiSpin,
}

impl Algorithm {
    /// Parses `"metropolis"`, `"wolff"` or `"multispin"`.
    pub fn parse(s: &str) -> Result<Algorithm> {
        match s.trim().to_ascii_lowercase().as_str() {
            "metropolis" => Ok(Algorithm::Metropolis),
            "wolff" => Ok(Algorithm::Wolff),
            "multispin" | "multi-spin" => Ok(Algorithm::MultiSpin),
            _ => Err(IsingError::UnknownName {
                what: "algorithm",
                name: s.into(),
                expected: "metropolis, wolff, multispin",
            }),
        }
    }

    /// `"metropolis"`, `"wolff"` or `"multispin"`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Metropolis => "metropolis",
            Algorithm::Wolff => "wolff",
            Algorithm::MultiSpin => "multispin",
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = IsingError;
    fn from_str(s: &str) -> Result<Self> {
        Algorithm::parse(s)
    }
}

/// Initial configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// All spins +1.
    Cold,
    /// Independent random spins.
    Hot,
}

/// Parameters of one Monte Carlo run (field names are the `spinlearn ising mc` flags).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McParams {
    /// Side length L >= 2 (even for Metropolis and multi-spin).
    pub l: usize,
    /// Temperature T > 0.
    pub t: f64,
    /// Field h (must be 0 for Wolff and multi-spin).
    pub h: f64,
    /// Update algorithm.
    pub algorithm: Algorithm,
    /// Thermalization sweeps (not measured).
    pub therm: usize,
    /// Measured sweeps (one measurement per sweep), >= 64.
    pub sweeps: usize,
    /// Wolff clusters per sweep; `None`: N / (mean cluster size during thermalization), rounded up
    /// (1 when there is no thermalization).
    pub wolff_clusters: Option<usize>,
    /// Initial configuration.
    pub start: Start,
    /// Spread the rows of a Metropolis or multi-spin sweep over rayon's pool (results are the same
    /// either way).
    pub parallel: bool,
}

impl McParams {
    /// Defaults: zero field, Wolff, 200 thermalization and 2000 measured sweeps, cold start,
    /// parallel sweeps.
    pub fn new(l: usize, t: f64) -> McParams {
        McParams {
            l,
            t,
            h: 0.0,
            algorithm: Algorithm::Wolff,
            therm: 200,
            sweeps: 2000,
            wolff_clusters: None,
            start: Start::Cold,
            parallel: true,
        }
    }
}

impl ParamGuard for McParams {
    type Checked = McValidParams;

    fn check(&self) -> spinlearn_core::Result<McValidParams> {
        use spinlearn_core::Error;
        if self.l < 2 || self.l > 1 << 15 {
            return Err(Error::invalid(
                "l",
                format!("must lie in [2, 32768], got {}", self.l),
            ));
        }
        check::positive("t", self.t)?;
        check::finite("h", self.h)?;
        check::at_least("sweeps", self.sweeps, 64)?;
        // The lattice (i8 spins, plus the Wolff cluster stack and flags) and one magnetization
        // and one energy per measured sweep, with working copies for the error analysis.
        spinlearn_core::mem::check("l", &[(&[self.l, self.l], 1 + 8 + 1)])?;
        spinlearn_core::mem::check("sweeps", &[(&[self.sweeps], 4 * 8)])?;
        match self.algorithm {
            Algorithm::Metropolis if !self.l.is_multiple_of(2) => {
                return Err(Error::invalid(
                    "l",
                    format!("checkerboard Metropolis needs an even L, got {}", self.l),
                ));
            }
            Algorithm::MultiSpin if !self.l.is_multiple_of(2) => {
                return Err(Error::invalid(
                    "l",
                    format!(
                        "multi-spin checkerboard Metropolis needs an even L, got {}",
                        self.l
                    ),
                ));
            }
            Algorithm::Wolff | Algorithm::MultiSpin if self.h != 0.0 => {
                return Err(Error::invalid(
                    "h",
                    format!(
                        "{} updates need h = 0; use algorithm metropolis",
                        if self.algorithm == Algorithm::Wolff {
                            "Wolff cluster"
                        } else {
                            "multi-spin Metropolis"
                        }
                    ),
                ));
            }
            _ => {}
        }
        if let Some(k) = self.wolff_clusters {
            check::nonzero("wolff_clusters", k)?;
        }
        Ok(McValidParams {
            l: self.l,
            t: self.t,
            h: self.h,
            algorithm: self.algorithm,
            therm: self.therm,
            sweeps: self.sweeps,
            wolff_clusters: self.wolff_clusters,
            start: self.start,
            parallel: self.parallel,
        })
    }
}

/// [`McParams`] that passed [`ParamGuard::check`]; the only form [`simulate`] accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct McValidParams {
    l: usize,
    t: f64,
    h: f64,
    algorithm: Algorithm,
    therm: usize,
    sweeps: usize,
    wolff_clusters: Option<usize>,
    start: Start,
    parallel: bool,
}

impl McValidParams {
    /// Side length L.
    pub fn l(&self) -> usize {
        self.l
    }
    /// Temperature T.
    pub fn t(&self) -> f64 {
        self.t
    }
    /// Field h.
    pub fn h(&self) -> f64 {
        self.h
    }
    /// Update algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// Thermalization sweeps.
    pub fn therm(&self) -> usize {
        self.therm
    }
    /// Measured sweeps (>= 64).
    pub fn sweeps(&self) -> usize {
        self.sweeps
    }
    /// Wolff clusters per sweep, when fixed.
    pub fn wolff_clusters(&self) -> Option<usize> {
        self.wolff_clusters
    }
    /// Initial configuration.
    pub fn start(&self) -> Start {
        self.start
    }
    /// Whether Metropolis rows are spread over rayon's pool.
    pub fn parallel(&self) -> bool {
        self.parallel
    }
}

enum ChainKind {
    Metropolis {
        cb: Checkerboard,
        rngs: Vec<SpinRng>,
        kernel: Metropolis,
        accepted: u64,
        offered: u64,
    },
    Wolff {
        lat: Lattice,
        rng: SpinRng,
        kernel: Wolff,
        clusters_per_sweep: usize,
        flipped: u64,
        clusters: u64,
    },
    MultiSpin {
        ms: MultiSpinLattice,
        rngs: Vec<SpinRng>,
        kernel: MultiSpinMetropolis,
        accepted: u64,
        offered: u64,
    },
}

/// A Markov chain on the lattice: the state that changes during a run.
pub struct McChain {
    kind: ChainKind,
    n: usize,
    h: f64,
    parallel: bool,
}

impl McChain {
    /// The chain's initial state from `seed` (see the module doc for the streams).
    pub fn new(p: &McValidParams, seed: Seed) -> Result<McChain> {
        let lat = match p.start {
            Start::Cold => Lattice::cold(p.l)?,
            Start::Hot => Lattice::random(p.l, &mut seed.named("init").stream(0))?,
        };
        let kind = match p.algorithm {
            Algorithm::Metropolis => ChainKind::Metropolis {
                cb: Checkerboard::from_lattice(&lat)?,
                rngs: seed.streams(p.l),
                kernel: Metropolis::new(p.t, p.h)?,
                accepted: 0,
                offered: 0,
            },
            Algorithm::Wolff => ChainKind::Wolff {
                lat,
                rng: seed.named("wolff").stream(0),
                kernel: Wolff::new(p.t)?,
                clusters_per_sweep: p.wolff_clusters.unwrap_or(1),
                flipped: 0,
                clusters: 0,
            },
            Algorithm::MultiSpin => ChainKind::MultiSpin {
                ms: MultiSpinLattice::from_lattice(&lat)?,
                rngs: seed.streams(p.l),
                kernel: MultiSpinMetropolis::new(p.t)?,
                accepted: 0,
                offered: 0,
            },
        };
        Ok(McChain {
            kind,
            n: p.l * p.l,
            h: p.h,
            parallel: p.parallel && p.l >= 64,
        })
    }

    /// One sweep (see [`Algorithm`]).
    pub fn sweep(&mut self) {
        match &mut self.kind {
            ChainKind::Metropolis {
                cb,
                rngs,
                kernel,
                accepted,
                offered,
            } => {
                *accepted += kernel.sweep(cb, rngs, self.parallel);
                *offered += self.n as u64;
            }
            ChainKind::Wolff {
                lat,
                rng,
                kernel,
                clusters_per_sweep,
                flipped,
                clusters,
            } => {
                for _ in 0..*clusters_per_sweep {
                    *flipped += kernel.step(lat, rng) as u64;
                }
                *clusters += *clusters_per_sweep as u64;
            }
            ChainKind::MultiSpin {
                ms,
                rngs,
                kernel,
                accepted,
                offered,
            } => {
                *accepted += kernel.sweep(ms, rngs, self.parallel);
                *offered += self.n as u64;
            }
        }
    }

    /// A thermalization sweep: for Wolff, clusters until at least N spins were flipped (the
    /// stopping rule depends on the path, which is why it is not used for measured sweeps).
    fn therm_sweep(&mut self) {
        match &mut self.kind {
            ChainKind::Wolff {
                lat,
                rng,
                kernel,
                flipped,
                clusters,
                ..
            } => {
                let mut done = 0;
                while done < self.n {
                    let s = kernel.step(lat, rng);
                    done += s;
                    *flipped += s as u64;
                    *clusters += 1;
                }
            }
            ChainKind::Metropolis { .. } | ChainKind::MultiSpin { .. } => self.sweep(),
        }
    }

    fn reset_counters(&mut self) {
        match &mut self.kind {
            ChainKind::Metropolis {
                accepted, offered, ..
            }
            | ChainKind::MultiSpin {
                accepted, offered, ..
            } => {
                *accepted = 0;
                *offered = 0;
            }
            ChainKind::Wolff {
                flipped, clusters, ..
            } => {
                *flipped = 0;
                *clusters = 0;
            }
        }
    }

    /// Σ s_i.
    pub fn magnetization_sum(&self) -> i64 {
        match &self.kind {
            ChainKind::Metropolis { cb, .. } => cb.magnetization_sum(),
            ChainKind::Wolff { lat, .. } => lat.magnetization_sum(),
            ChainKind::MultiSpin { ms, .. } => ms.magnetization_sum(),
        }
    }

    /// Total energy H = -Σ_<ij> s_i s_j - h Σ s_i.
    pub fn energy(&self) -> f64 {
        let b = match &self.kind {
            ChainKind::Metropolis { cb, .. } => cb.bond_sum(),
            ChainKind::Wolff { lat, .. } => lat.bond_sum(),
            ChainKind::MultiSpin { ms, .. } => ms.bond_sum(),
        };
        -(b as f64) - self.h * self.magnetization_sum() as f64
    }

    /// The current configuration.
    pub fn lattice(&self) -> Lattice {
        match &self.kind {
            ChainKind::Metropolis { cb, .. } => cb.to_lattice(),
            ChainKind::Wolff { lat, .. } => lat.clone(),
            ChainKind::MultiSpin { ms, .. } => ms.to_lattice(),
        }
    }
}

/// The measured figures of one run. Fluctuation quantities are per spin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McResult {
    /// Side length.
    pub l: usize,
    /// Temperature.
    pub t: f64,
    /// Field.
    pub h: f64,
    /// Algorithm used.
    pub algorithm: Algorithm,
    /// Measurements taken (sweeps measured).
    pub n_measured: usize,
    /// True when an observer stopped the run early.
    pub stopped_early: bool,
    /// ⟨|m|⟩, m = M / N.
    pub magnetization: Estimate,
    /// ⟨m⟩ (signed).
    pub signed_magnetization: Estimate,
    /// ⟨E⟩ / N.
    pub energy: Estimate,
    /// ⟨m^2⟩.
    pub m2: Estimate,
    /// Specific heat per spin N (⟨e^2⟩ - ⟨e⟩^2) / T^2, e = E / N.
    pub specific_heat: Estimate,
    /// Susceptibility per spin N (⟨m^2⟩ - ⟨|m|⟩^2) / T.
    pub susceptibility: Estimate,
    /// Binder cumulant 1 - ⟨m^4⟩ / (3 ⟨m^2⟩^2).
    pub binder: Estimate,
    /// Integrated autocorrelation time of |m| in sweeps.
    pub tau_abs_m: f64,
    /// Integrated autocorrelation time of e in sweeps.
    pub tau_energy: f64,
    /// Metropolis and multi-spin: accepted flips / offered flips during measurement.
    pub acceptance: Option<f64>,
    /// Wolff: mean cluster size during measurement, per spin.
    pub mean_cluster_fraction: Option<f64>,
    /// Wolff clusters per sweep (0 for Metropolis and multi-spin).
    pub clusters_per_sweep: usize,
    /// m = M / N after each measured sweep.
    #[serde(skip)]
    pub m_series: Vec<f64>,
    /// e = E / N after each measured sweep.
    #[serde(skip)]
    pub e_series: Vec<f64>,
    /// The configuration at the end of the run.
    #[serde(skip)]
    pub final_lattice: Option<Lattice>,
}

/// Runs thermalization then measurement. The observer sees one report per 1% of each stage
/// (stages `"thermalize"` and `"measure"`, metrics `abs_m` and `energy`) and may stop the run; a
/// run stopped during measurement returns what was measured (at least 64 sweeps are needed, else
/// an error).
pub fn simulate(p: &McValidParams, seed: Seed, obs: &mut dyn Observer) -> Result<McResult> {
    let params = p;
    let mut chain = McChain::new(p, seed)?;
    let n = chain.n as f64;
    let every = |total: usize| (total / 100).max(1);
    let mut stopped = false;
    for s in 1..=params.therm {
        chain.therm_sweep();
        if s % every(params.therm) == 0 || s == params.therm {
            let m = chain.magnetization_sum() as f64 / n;
            let metrics = [("abs_m", m.abs()), ("energy", chain.energy() / n)];
            let r = StepReport {
                stage: "thermalize",
                step: s,
                total: Some(params.therm),
                metrics: &metrics,
            };
            if obs.observe(&r) == Control::Stop {
                stopped = true;
                break;
            }
        }
    }
    if let ChainKind::Wolff {
        clusters_per_sweep,
        flipped,
        clusters,
        ..
    } = &mut chain.kind
        && params.wolff_clusters.is_none()
        && *clusters > 0
    {
        let mean = *flipped as f64 / *clusters as f64;
        *clusters_per_sweep = ((n / mean).ceil() as usize).max(1);
    }
    chain.reset_counters();
    let mut ms = Vec::with_capacity(params.sweeps);
    let mut es = Vec::with_capacity(params.sweeps);
    if !stopped {
        for s in 1..=params.sweeps {
            chain.sweep();
            let m = chain.magnetization_sum() as f64 / n;
            let e = chain.energy() / n;
            ms.push(m);
            es.push(e);
            if s % every(params.sweeps) == 0 || s == params.sweeps {
                let metrics = [("abs_m", m.abs()), ("energy", e)];
                let r = StepReport {
                    stage: "measure",
                    step: s,
                    total: Some(params.sweeps),
                    metrics: &metrics,
                };
                if obs.observe(&r) == Control::Stop {
                    stopped = s < params.sweeps;
                    break;
                }
            }
        }
    }
    if ms.len() < 64 {
        return Err(invalid(
            "sweeps",
            format!(
                "run stopped after {} measured sweeps; at least 64 are needed",
                ms.len()
            ),
        ));
    }
    let (acceptance, cluster_fraction, cps) = match &chain.kind {
        ChainKind::Metropolis {
            accepted, offered, ..
        }
        | ChainKind::MultiSpin {
            accepted, offered, ..
        } => (Some(*accepted as f64 / *offered as f64), None, 0),
        ChainKind::Wolff {
            flipped,
            clusters,
            clusters_per_sweep,
            ..
        } => (
            None,
            Some(*flipped as f64 / *clusters as f64 / n),
            *clusters_per_sweep,
        ),
    };
    let mut r = summarize(params, ms, es, stopped, acceptance, cluster_fraction, cps);
    r.final_lattice = Some(chain.lattice());
    Ok(r)
}

/// Independent runs (replicas, seeds, temperatures, sizes), one [`simulate`] each without an
/// observer, spread over rayon's pool; results in input order. Each run draws from its own seed's
/// streams, so the results do not depend on the thread count.
pub fn simulate_many(runs: &[(McValidParams, Seed)]) -> Result<Vec<McResult>> {
    runs.par_iter()
        .map(|(p, seed)| simulate(p, *seed, &mut spinlearn_core::NoObserver))
        .collect()
}

fn summarize(
    p: &McValidParams,
    ms: Vec<f64>,
    es: Vec<f64>,
    stopped: bool,
    acceptance: Option<f64>,
    mean_cluster_fraction: Option<f64>,
    clusters_per_sweep: usize,
) -> McResult {
    let n = (p.l * p.l) as f64;
    let t = p.t;
    let abs: Vec<f64> = ms.iter().map(|m| m.abs()).collect();
    let m2: Vec<f64> = ms.iter().map(|m| m * m).collect();
    let m4: Vec<f64> = m2.iter().map(|m| m * m).collect();
    let e2: Vec<f64> = es.iter().map(|e| e * e).collect();
    let blocks = 32;
    McResult {
        l: p.l,
        t,
        h: p.h,
        algorithm: p.algorithm,
        n_measured: ms.len(),
        stopped_early: stopped,
        magnetization: binning(&abs).estimate,
        signed_magnetization: binning(&ms).estimate,
        energy: binning(&es).estimate,
        m2: binning(&m2).estimate,
        specific_heat: jackknife(&[&es, &e2], blocks, |v| n * (v[1] - v[0] * v[0]) / (t * t)),
        susceptibility: jackknife(&[&abs, &m2], blocks, |v| n * (v[1] - v[0] * v[0]) / t),
        binder: jackknife(&[&m2, &m4], blocks, |v| 1.0 - v[1] / (3.0 * v[0] * v[0])),
        tau_abs_m: tau_int(&abs),
        tau_energy: tau_int(&es),
        acceptance,
        mean_cluster_fraction,
        clusters_per_sweep,
        m_series: ms,
        e_series: es,
        final_lattice: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spinlearn_core::NoObserver;

    #[test]
    fn bad_parameters_are_rejected() {
        let mut p = McParams::new(5, 2.0);
        p.algorithm = Algorithm::Metropolis;
        assert!(p.check().is_err());
        let mut p = McParams::new(4, 2.0);
        p.h = 0.1;
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("`h`") && e.contains("Wolff"), "{e}");
        p.algorithm = Algorithm::MultiSpin;
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("`h`") && e.contains("multi-spin"), "{e}");
        let mut p = McParams::new(5, 2.0);
        p.algorithm = Algorithm::MultiSpin;
        assert!(p.check().unwrap_err().to_string().contains("`l`"));
        assert_eq!(Algorithm::parse("multispin").unwrap(), Algorithm::MultiSpin);
        assert!(McParams::new(4, -1.0).check().is_err());
        let mut p = McParams::new(4, 2.0);
        p.sweeps = 10;
        let e = p.check().unwrap_err().to_string();
        assert!(e.contains("`sweeps`"), "{e}");
        assert!(Algorithm::parse("heatbath").is_err());
    }

    #[test]
    fn same_seed_same_result_and_observer_can_stop() {
        let mut p = McParams::new(8, 2.5);
        p.therm = 20;
        p.sweeps = 200;
        let v = p.check().unwrap();
        let a = simulate(&v, Seed(4), &mut NoObserver).unwrap();
        let b = simulate(&v, Seed(4), &mut NoObserver).unwrap();
        assert_eq!(a, b);
        let mut stop = |r: &StepReport<'_>| {
            if r.stage == "measure" && r.step >= 100 {
                Control::Stop
            } else {
                Control::Continue
            }
        };
        let c = simulate(&v, Seed(4), &mut stop).unwrap();
        assert!(c.stopped_early && c.n_measured == 100);
        // The returned configuration is the one measured last.
        let lat = a.final_lattice.as_ref().unwrap();
        assert_eq!(
            lat.magnetization_sum() as f64 / 64.0,
            *a.m_series.last().unwrap()
        );
        assert_eq!(lat.energy(0.0) / 64.0, *a.e_series.last().unwrap());
        assert_eq!(c.m_series[..], a.m_series[..100]);
    }
}
