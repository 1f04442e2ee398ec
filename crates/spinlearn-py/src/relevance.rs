//! `spinlearn.relevance`: resolution and relevance of representations, the maximal-relevance
//! bound and discrete power-law fits (paper 003), over `spinlearn_relevance`.

use crate::common::{array1, array2, core_err, invalid, relevance_err, result};
use ndarray::Array1;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_core::{ParamGuard, Seed};
use spinlearn_relevance::bound::{BoundParams, sweep};
use spinlearn_relevance::powerlaw::{PowerLawParams, XminPolicy, fit};
use spinlearn_relevance::states::{StateStats, ids_of};

fn stats_result<'py>(py: Python<'py>, s: StateStats) -> PyResult<Bound<'py, PyAny>> {
    let e = s.entropies;
    let d = PyDict::new(py);
    d.set_item("H_s", e.h_s)?;
    d.set_item("H_k", e.h_k)?;
    d.set_item("H_s_norm", e.h_s_norm)?;
    d.set_item("H_k_norm", e.h_k_norm)?;
    d.set_item("M", e.m)?;
    d.set_item("n_states", e.n_states)?;
    let counts: Array1<i64> = s.counts.iter().map(|&c| c as i64).collect();
    let k: Array1<i64> = s.degeneracy.iter().map(|&(k, _)| k as i64).collect();
    let m_k: Array1<i64> = s.degeneracy.iter().map(|&(_, m)| m as i64).collect();
    d.set_item("counts", counts.into_pyarray(py))?;
    d.set_item("k", k.into_pyarray(py))?;
    d.set_item("m_k", m_k.into_pyarray(py))?;
    result(d)
}

/// Resolution `H[s]` (003 eq. 1) and relevance `H[k]` (eq. 2), in nats, of a list of states:
/// either a 2-D array `(n_samples, n_units)` whose rows are states (a unit is on when
/// `> threshold`), or a 1-D array of state labels. Returns a `Result` with `H_s`, `H_k`,
/// `H_s_norm`, `H_k_norm` (divided by ln M), `M`, `n_states`, `counts` (k_s per distinct state,
/// in order of first appearance), and the degeneracies `k`, `m_k` (sorted by k).
#[pyfunction]
#[pyo3(signature = (states, threshold=0.0))]
pub fn relevance_analyze<'py>(
    states: &Bound<'py, PyAny>,
    threshold: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let py = states.py();
    let ndim: usize = py
        .import("numpy")?
        .call_method1("ndim", (states,))?
        .extract()?;
    let stats = if ndim == 1 {
        let labels = array1(states, "states")?;
        let keys: Vec<u64> = labels.iter().map(|x| x.to_bits()).collect();
        StateStats::from_ids(&ids_of(&keys))
    } else {
        let x = array2(states, "states")?.mapv(|v| v as f32);
        py.detach(|| StateStats::from_rows(x.view(), threshold as f32))
    }
    .map_err(relevance_err)?;
    stats_result(py, stats)
}

/// Fits a discrete power law `P(k) ∝ k^-alpha` for `k >= xmin` to positive integer `counts`
/// by maximum likelihood; `xmin` "auto" (Clauset's KS choice, tails of at least `min_tail`) or
/// an int; `bootstrap` > 0 adds a goodness-of-fit p-value from `Seed(seed)`. Returns a `Result`
/// with `alpha`, `beta` (= alpha - 1, the exponent of m_k), `xmin`, `alpha_stderr`, `n_tail`,
/// `n`, `ks_distance`, `log_likelihood`, `p_value`, `n_bootstrap`.
#[pyfunction]
#[pyo3(signature = (counts, xmin="auto", *, min_tail=10, bootstrap=0, seed=0))]
pub fn relevance_powerlaw<'py>(
    py: Python<'py>,
    counts: &Bound<'py, PyAny>,
    xmin: &str,
    min_tail: usize,
    bootstrap: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let c = array1(counts, "counts")?;
    if c.iter().any(|&x| x < 1.0 || x.fract() != 0.0) {
        return Err(invalid("counts", "must be positive integers"));
    }
    let data: Vec<u64> = c.iter().map(|&x| x as u64).collect();
    let p = PowerLawParams {
        xmin: XminPolicy::from_flag(xmin, min_tail).map_err(relevance_err)?,
        bootstrap,
    }
    .check()
    .map_err(core_err)?;
    let f = py
        .detach(|| fit(&data, &p, Seed(seed)))
        .map_err(relevance_err)?;
    let d = PyDict::new(py);
    d.set_item("alpha", f.alpha)?;
    d.set_item("beta", f.beta)?;
    d.set_item("xmin", f.xmin)?;
    d.set_item("alpha_stderr", f.alpha_stderr)?;
    d.set_item("n_tail", f.n_tail)?;
    d.set_item("n", f.n)?;
    d.set_item("ks_distance", f.ks_distance)?;
    d.set_item("log_likelihood", f.log_likelihood)?;
    d.set_item("p_value", f.p_value)?;
    d.set_item("n_bootstrap", f.n_bootstrap)?;
    result(d)
}

/// The maximal-relevance bound (003 eq. 8) for sample size `M` at `points` multipliers μ:
/// a `Result` of arrays `mu`, `H_s`, `H_k`, `H_s_norm`, `H_k_norm`, `gap`, `exact` (bool).
#[pyfunction]
#[pyo3(signature = (M, points=40))]
#[allow(non_snake_case)]
pub fn relevance_bound(py: Python<'_>, M: u64, points: usize) -> PyResult<Bound<'_, PyAny>> {
    let p = BoundParams { m: M, points }.check().map_err(core_err)?;
    let pts = py.detach(|| sweep(&p)).map_err(relevance_err)?;
    let col = |f: &dyn Fn(&spinlearn_relevance::bound::BoundPoint) -> f64| -> Array1<f64> {
        pts.iter().map(f).collect()
    };
    let d = PyDict::new(py);
    d.set_item("mu", col(&|q| q.mu).into_pyarray(py))?;
    d.set_item("H_s", col(&|q| q.entropies.h_s).into_pyarray(py))?;
    d.set_item("H_k", col(&|q| q.entropies.h_k).into_pyarray(py))?;
    d.set_item("H_s_norm", col(&|q| q.entropies.h_s_norm).into_pyarray(py))?;
    d.set_item("H_k_norm", col(&|q| q.entropies.h_k_norm).into_pyarray(py))?;
    d.set_item("gap", col(&|q| q.gap).into_pyarray(py))?;
    let exact: Array1<bool> = pts.iter().map(|q| q.exact).collect();
    d.set_item("exact", exact.into_pyarray(py))?;
    result(d)
}
