//! `spinlearn.attractor`: attractor networks with double-well synapses (paper 001), over
//! `spinlearn_attractor`: simulation of retrieval by pattern age, the mean-field theory, and
//! capacity scans. The defaults are those of `spinlearn attractor simulate|theory|capacity-scan`.

use crate::common::{PyObserver, attractor_err, core_err, invalid, result};
use ndarray::{Array1, Array2};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_attractor::experiments::{CapacityScanParams, ScanMethod, Sweep, capacity_scan};
use spinlearn_attractor::simulate::{SimParams, simulate};
use spinlearn_attractor::theory::{AgeOverlap, Theory, TheoryParams};
use spinlearn_attractor::{LearningRule, NetworkParams, SynapseParams};
use spinlearn_core::{ParamGuard, Seed};

/// The network as the CLI's model flags spell it.
#[allow(clippy::too_many_arguments)]
fn network(
    n: usize,
    c: f64,
    f: f64,
    rule: &str,
    r1: f64,
    r2: f64,
    r3: f64,
    c_well: f64,
    theta: f64,
) -> PyResult<NetworkParams> {
    let rule: LearningRule = rule.parse().map_err(attractor_err)?;
    Ok(NetworkParams {
        n,
        c,
        f,
        rule,
        synapse: SynapseParams { r1, r2, r3, c_well },
        theta,
    })
}

fn col<T: Copy>(xs: &[AgeOverlap], f: impl Fn(&AgeOverlap) -> T) -> Array1<T> {
    xs.iter().map(f).collect()
}

/// Simulates the network (eq. 1 dynamics, double-well synapses of eqs. 3-4): after `burn_in`
/// presentations (None: max(2 patterns, 5 / r1)) the last `patterns` patterns are each used as a
/// start state (age 0 the most recent) and the dynamics run to a fixed point, in `realizations`
/// independent networks (realization r from `Seed(seed).derive(r)`). Returns a `Result` with
/// `age (P,)`, `m_v`, `m_u`, `retrieved (R, P)` (overlaps of eq. 8 with the start pattern and with
/// the most recent one, and m_v >= threshold), their means `m_v_mean`, `m_v_std`, `m_u_mean (P,)`,
/// `capacity (R,)` (largest age a with every age <= a retrieved), `count (R,)`, `censored (R,)`,
/// `capacity_mean`, `capacity_std`, `count_mean`, `count_std`, `burn_in`, `stopped_early`.
#[pyfunction]
#[pyo3(signature = (n=10_000, c=0.05, f=0.5, rule="balanced", r1=0.1, r2=1.0, r3=0.0, c_well=2.7,
    theta=0.0, *, patterns=40, burn_in=None, realizations=1, threshold=0.5, max_sweeps=100,
    seed=0, callback=None))]
#[allow(clippy::too_many_arguments)]
pub fn attractor_simulate<'py>(
    py: Python<'py>,
    n: usize,
    c: f64,
    f: f64,
    rule: &str,
    r1: f64,
    r2: f64,
    r3: f64,
    c_well: f64,
    theta: f64,
    patterns: usize,
    burn_in: Option<usize>,
    realizations: usize,
    threshold: f64,
    max_sweeps: usize,
    seed: u64,
    callback: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let p = SimParams {
        network: network(n, c, f, rule, r1, r2, r3, c_well, theta)?,
        patterns,
        burn_in,
        realizations,
        threshold,
        max_sweeps,
        ..SimParams::default()
    }
    .check()
    .map_err(core_err)?;
    let mut obs = PyObserver::new(callback);
    let r = py.detach(|| simulate(&p, Seed(seed), &mut obs));
    let r = obs.finish(r.map_err(attractor_err))?;
    let nr = r.realizations.len();
    let np = p.patterns();
    let grid = |f: &dyn Fn(&spinlearn_attractor::simulate::RealizationResult, usize) -> f64| {
        Array2::from_shape_fn((nr, np), |(i, a)| f(&r.realizations[i], a))
    };
    let d = PyDict::new(py);
    d.set_item("age", Array1::from_iter(0..np as i64).into_pyarray(py))?;
    d.set_item("m_v", grid(&|x, a| x.m_v[a]).into_pyarray(py))?;
    d.set_item("m_u", grid(&|x, a| x.m_u[a]).into_pyarray(py))?;
    let retrieved = Array2::from_shape_fn((nr, np), |(i, a)| r.realizations[i].retrieved[a]);
    d.set_item("retrieved", retrieved.into_pyarray(py))?;
    d.set_item(
        "m_v_mean",
        Array1::from(r.m_v_mean.clone()).into_pyarray(py),
    )?;
    d.set_item("m_v_std", Array1::from(r.m_v_std.clone()).into_pyarray(py))?;
    d.set_item(
        "m_u_mean",
        Array1::from(r.m_u_mean.clone()).into_pyarray(py),
    )?;
    let per = |f: &dyn Fn(&spinlearn_attractor::simulate::RealizationResult) -> i64| {
        r.realizations.iter().map(f).collect::<Array1<i64>>()
    };
    d.set_item("capacity", per(&|x| x.capacity as i64).into_pyarray(py))?;
    d.set_item("count", per(&|x| x.count as i64).into_pyarray(py))?;
    let censored: Array1<bool> = r.realizations.iter().map(|x| x.censored).collect();
    d.set_item("censored", censored.into_pyarray(py))?;
    d.set_item("capacity_mean", r.capacity_mean)?;
    d.set_item("capacity_std", r.capacity_std)?;
    d.set_item("count_mean", r.count_mean)?;
    d.set_item("count_std", r.count_std)?;
    d.set_item("burn_in", r.burn_in)?;
    d.set_item("stopped_early", r.stopped_early)?;
    result(d)
}

/// The mean-field theory of the balanced rule (f = 0.5, θ = 0): the stationary weight density
/// and, age by age from 1, the fixed point of the overlap map (eq. 38) started at m_v = 1,
/// m_u = `eps`, until the first age not retrieved (or every age to `max_age` with
/// `all_ages=True`; `threshold` 0.01 is the paper's m_v ≠ 0). Returns a `Result` with `capacity` (largest a with ages 1..=a retrieved),
/// `censored`, arrays by age `age`, `m_v`, `m_u`, `converged`, `retrieved`, `mean_plus`,
/// `rms_plus` (eqs. 25-26), and `stationary_mean`, `stationary_rms` (eqs. 22-23).
#[pyfunction]
#[pyo3(signature = (n=10_000, c=0.05, f=0.5, rule="balanced", r1=0.1, r2=1.0, r3=0.0, c_well=2.7,
    theta=0.0, *, max_age=2000, eps=0.05, threshold=0.01, cells_per_r2=20, all_ages=false))]
#[allow(clippy::too_many_arguments)]
pub fn attractor_theory<'py>(
    py: Python<'py>,
    n: usize,
    c: f64,
    f: f64,
    rule: &str,
    r1: f64,
    r2: f64,
    r3: f64,
    c_well: f64,
    theta: f64,
    max_age: usize,
    eps: f64,
    threshold: f64,
    cells_per_r2: usize,
    all_ages: bool,
) -> PyResult<Bound<'py, PyAny>> {
    spinlearn_core::check::nonzero("max_age", max_age).map_err(core_err)?;
    let net = network(n, c, f, rule, r1, r2, r3, c_well, theta)?;
    let mut p = TheoryParams {
        eps,
        threshold,
        ..TheoryParams::for_network(&net).map_err(core_err)?
    };
    p.grid.cells_per_r2 = cells_per_r2;
    let p = p.check().map_err(core_err)?;
    let (th, cap, overlaps) = py
        .detach(|| -> spinlearn_attractor::Result<_> {
            let th = Theory::new(&p)?;
            let cap = th.capacity(max_age);
            let overlaps = if all_ages {
                th.overlaps_by_age(max_age)
            } else {
                cap.overlaps.clone()
            };
            Ok((th, cap, overlaps))
        })
        .map_err(attractor_err)?;
    let d = PyDict::new(py);
    d.set_item("capacity", cap.capacity)?;
    d.set_item("censored", cap.censored)?;
    d.set_item("age", col(&overlaps, |o| o.age as i64).into_pyarray(py))?;
    d.set_item("m_v", col(&overlaps, |o| o.m_v).into_pyarray(py))?;
    d.set_item("m_u", col(&overlaps, |o| o.m_u).into_pyarray(py))?;
    d.set_item(
        "converged",
        col(&overlaps, |o| o.converged).into_pyarray(py),
    )?;
    d.set_item(
        "retrieved",
        col(&overlaps, |o| o.retrieved).into_pyarray(py),
    )?;
    d.set_item(
        "mean_plus",
        col(&overlaps, |o| o.moments.mean_plus).into_pyarray(py),
    )?;
    d.set_item(
        "rms_plus",
        col(&overlaps, |o| o.moments.rms_plus).into_pyarray(py),
    )?;
    let (m, rms) = th.stationary_moments();
    d.set_item("stationary_mean", m)?;
    d.set_item("stationary_rms", rms)?;
    result(d)
}

/// Capacity against one parameter: `sweep` "c" (the well position C), "n", "r1" or "r3" takes
/// each of `values` in turn, by the mean-field theory (ages up to `max_age`) or, with `sim=True`,
/// by simulation (`max_age` patterns tested, `realizations` per point, point k from
/// `Seed(seed).derive(k)`). Returns a `Result` of arrays over the points: `value`, `capacity`,
/// `capacity_std` (0 for the theory), `n`, `r1`, `c_well`, `r3`.
#[pyfunction]
#[pyo3(signature = (sweep="c", values=vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0], *,
    sim=false, realizations=1, max_age=200, n=10_000, c=0.05, f=0.5, rule="balanced", r1=0.1,
    r2=1.0, r3=0.0, c_well=2.7, theta=0.0, seed=0, callback=None))]
#[allow(clippy::too_many_arguments)]
pub fn attractor_capacity_scan<'py>(
    py: Python<'py>,
    sweep: &str,
    values: Vec<f64>,
    sim: bool,
    realizations: usize,
    max_age: usize,
    n: usize,
    c: f64,
    f: f64,
    rule: &str,
    r1: f64,
    r2: f64,
    r3: f64,
    c_well: f64,
    theta: f64,
    seed: u64,
    callback: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let sweep = match sweep {
        "c" | "C" | "c_well" => Sweep::CWell,
        "n" | "N" => Sweep::N,
        "r1" => Sweep::R1,
        "r3" => Sweep::R3,
        s => {
            return Err(invalid(
                "sweep",
                format!("unknown `{s}` (expected one of: c, n, r1, r3)"),
            ));
        }
    };
    let p = CapacityScanParams {
        network: network(n, c, f, rule, r1, r2, r3, c_well, theta)?,
        sweep,
        values,
        method: if sim {
            ScanMethod::Simulation
        } else {
            ScanMethod::Theory
        },
        max_age,
        realizations,
    }
    .check()
    .map_err(core_err)?;
    let mut obs = PyObserver::new(callback);
    let r = py.detach(|| capacity_scan(&p, Seed(seed), &mut obs));
    let points = obs.finish(r.map_err(attractor_err))?;
    let d = PyDict::new(py);
    let arr = |f: &dyn Fn(&spinlearn_attractor::experiments::CapacityPoint) -> f64| {
        points.iter().map(f).collect::<Array1<f64>>()
    };
    d.set_item("value", arr(&|q| sweep.value(q)).into_pyarray(py))?;
    d.set_item("capacity", arr(&|q| q.capacity).into_pyarray(py))?;
    d.set_item("capacity_std", arr(&|q| q.capacity_std).into_pyarray(py))?;
    let ns: Array1<i64> = points.iter().map(|q| q.n as i64).collect();
    d.set_item("n", ns.into_pyarray(py))?;
    d.set_item("r1", arr(&|q| q.r1).into_pyarray(py))?;
    d.set_item("c_well", arr(&|q| q.c_well).into_pyarray(py))?;
    d.set_item("r3", arr(&|q| q.r3).into_pyarray(py))?;
    result(d)
}
