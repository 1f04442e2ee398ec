//! Capacity against one parameter (C, N, r1 or r3), by the mean-field theory or by simulation.

use serde::{Deserialize, Serialize};
use spinlearn_core::{Observer, ParamGuard, Seed, check};

use super::{non_empty, theory_capacities};
use crate::error::Result;
use crate::params::NetworkParams;
use crate::progress::Steps;
use crate::simulate::{SimParams, ValidSimParams, simulate_steps};
use crate::theory::{TheoryParams, ValidTheoryParams};

/// One point of a capacity scan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapacityPoint {
    /// N.
    pub n: usize,
    /// r1.
    pub r1: f64,
    /// C.
    pub c_well: f64,
    /// r3.
    pub r3: f64,
    /// Capacity (theory: largest retrievable age; simulation: mean over realizations).
    pub capacity: f64,
    /// Spread over realizations (0 for theory).
    pub capacity_std: f64,
}

/// The parameter a capacity scan varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sweep {
    /// The well position C.
    CWell,
    /// The network size N (integer values ≥ 2).
    N,
    /// The well depth r1.
    R1,
    /// The noise strength r3.
    R3,
}

impl Sweep {
    /// The symbol used on axes: `C`, `N`, `r1`, `r3`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sweep::CWell => "C",
            Sweep::N => "N",
            Sweep::R1 => "r1",
            Sweep::R3 => "r3",
        }
    }

    /// The swept value of a point.
    pub fn value(self, p: &CapacityPoint) -> f64 {
        match self {
            Sweep::CWell => p.c_well,
            Sweep::N => p.n as f64,
            Sweep::R1 => p.r1,
            Sweep::R3 => p.r3,
        }
    }
}

/// How a scan computes capacities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanMethod {
    /// The mean-field theory (balanced rule, f = 1/2, θ = 0; default ε, threshold and grid).
    Theory,
    /// Simulated networks.
    Simulation,
}

/// A capacity scan: `network` with the swept parameter replaced by each of `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityScanParams {
    /// The base network (the swept parameter is replaced).
    pub network: NetworkParams,
    /// The swept parameter.
    pub sweep: Sweep,
    /// Its values.
    pub values: Vec<f64>,
    /// Theory or simulation.
    pub method: ScanMethod,
    /// Theory: the largest age scanned; simulation: the number of patterns tested.
    pub max_age: usize,
    /// Realizations per point (simulation).
    pub realizations: usize,
}

#[derive(Debug, Clone)]
enum Points {
    Theory(Vec<ValidTheoryParams>),
    Simulation(Vec<ValidSimParams>),
}

/// Checked [`CapacityScanParams`]: every point of the scan, checked.
#[derive(Debug, Clone)]
pub struct ValidCapacityScanParams {
    sweep: Sweep,
    max_age: usize,
    realizations: usize,
    points: Points,
}

impl ValidCapacityScanParams {
    /// The swept parameter.
    pub fn sweep(&self) -> Sweep {
        self.sweep
    }

    /// The method.
    pub fn method(&self) -> ScanMethod {
        match self.points {
            Points::Theory(_) => ScanMethod::Theory,
            Points::Simulation(_) => ScanMethod::Simulation,
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match &self.points {
            Points::Theory(p) => p.len(),
            Points::Simulation(p) => p.len(),
        }
    }

    /// True when there is no point (never, once checked).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ParamGuard for CapacityScanParams {
    type Checked = ValidCapacityScanParams;

    /// `values` non-empty (integers ≥ 2 for N), `max_age` and `realizations` ≥ 1, and every
    /// point's network (theory: the balanced case only) checked.
    fn check(&self) -> spinlearn_core::Result<ValidCapacityScanParams> {
        non_empty("values", &self.values)?;
        check::nonzero("max_age", self.max_age)?;
        check::nonzero("realizations", self.realizations)?;
        let mut nets = Vec::with_capacity(self.values.len());
        for &x in &self.values {
            check::finite("values", x)?;
            let mut net = self.network;
            match self.sweep {
                Sweep::CWell => net.synapse.c_well = x,
                Sweep::R1 => net.synapse.r1 = x,
                Sweep::R3 => net.synapse.r3 = x,
                Sweep::N => {
                    if x < 2.0 || x.fract() != 0.0 {
                        return Err(spinlearn_core::Error::invalid(
                            "values",
                            format!("N must be an integer >= 2, got {x}"),
                        ));
                    }
                    net.n = x as usize;
                }
            }
            nets.push(net);
        }
        let points = match self.method {
            ScanMethod::Theory => Points::Theory(
                nets.iter()
                    .map(|net| TheoryParams::for_network(net)?.check())
                    .collect::<spinlearn_core::Result<_>>()?,
            ),
            ScanMethod::Simulation => Points::Simulation(
                nets.iter()
                    .map(|&network| {
                        SimParams {
                            network,
                            patterns: self.max_age,
                            realizations: self.realizations,
                            ..SimParams::default()
                        }
                        .check()
                    })
                    .collect::<spinlearn_core::Result<_>>()?,
            ),
        };
        Ok(ValidCapacityScanParams {
            sweep: self.sweep,
            max_age: self.max_age,
            realizations: self.realizations,
            points,
        })
    }
}

/// The capacity at each point of the scan, in input order (stage `"capacity scan"`: one step per
/// theory point, or per realization). Theory points run in parallel and use no seed; simulated
/// point k uses `seed.derive(k)`.
pub fn capacity_scan(
    p: &ValidCapacityScanParams,
    seed: Seed,
    obs: &mut dyn Observer,
) -> Result<Vec<CapacityPoint>> {
    match &p.points {
        Points::Theory(points) => {
            let mut steps = Steps::new(obs, "capacity scan", points.len());
            theory_capacities(points, p.max_age, &mut steps)
        }
        Points::Simulation(points) => {
            let mut steps = Steps::new(obs, "capacity scan", points.len() * p.realizations);
            let mut out = Vec::with_capacity(points.len());
            for (k, sp) in points.iter().enumerate() {
                steps.go_on()?;
                let r = simulate_steps(sp, seed.derive(k as u64), &mut steps)?;
                if r.stopped_early {
                    return Err(steps.stopped());
                }
                let s = sp.network().synapse();
                out.push(CapacityPoint {
                    n: sp.network().n(),
                    r1: s.r1(),
                    c_well: s.c_well(),
                    r3: s.r3(),
                    capacity: r.capacity_mean,
                    capacity_std: r.capacity_std,
                });
            }
            Ok(out)
        }
    }
}
