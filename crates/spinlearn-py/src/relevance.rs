//! `spinlearn.relevance`: resolution and relevance of representations, the maximal-relevance
//! bound and discrete power-law fits (paper 003), over `spinlearn_relevance`.

use crate::common::{
    PyObserver, array1, array2, array2_f32, core_err, invalid, relevance_err, result,
};
use ndarray::Array1;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_core::{ParamGuard, Seed};
use spinlearn_relevance::bound::{BoundParams, sweep};
use spinlearn_relevance::dbn::{
    Dbn, DbnParams, EpochUnit, PAPER_WIDTHS, Readout, TopDown, train_dbn,
};
use spinlearn_relevance::powerlaw::{PowerLawParams, XminPolicy, fit};
use spinlearn_relevance::states::{StateStats, ids_of};
use std::path::PathBuf;

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

/// A deep belief network (003 Fig. 1a): a stack of 0/1 RBMs with biases trained greedily with
/// PCD-1 (see the package docs for the arguments; the defaults are `spinlearn dbn train`'s).
#[pyclass(name = "DBN", module = "spinlearn.relevance")]
pub struct PyDbn {
    params: DbnParams,
    seed: u64,
    dbn: Option<Dbn>,
}

impl PyDbn {
    fn fitted(&self) -> PyResult<&Dbn> {
        self.dbn.as_ref().ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(
                "this DBN is not fitted yet: call fit(X) or DBN.load(path)",
            )
        })
    }
}

#[pymethods]
impl PyDbn {
    #[new]
    #[pyo3(signature = (widths=PAPER_WIDTHS.to_vec(), *, epochs=200, lr=0.1, batch_size=100,
        n_chains=100, momentum=0.0, init_std=0.01, sampled_readout=false, epoch_unit="update",
        seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        widths: Vec<usize>,
        epochs: usize,
        lr: f64,
        batch_size: usize,
        n_chains: usize,
        momentum: f64,
        init_std: f64,
        sampled_readout: bool,
        epoch_unit: &str,
        seed: u64,
    ) -> PyResult<Self> {
        let epoch_unit = match epoch_unit {
            "update" => EpochUnit::Update,
            "pass" => EpochUnit::Pass,
            other => {
                return Err(invalid(
                    "epoch_unit",
                    format!("unknown epoch unit '{other}' (expected 'update' or 'pass')"),
                ));
            }
        };
        let params = DbnParams {
            widths,
            epochs,
            batch_size,
            lr,
            momentum,
            n_chains,
            init_std,
            sampled_readout,
            epoch_unit,
        };
        params.check().map_err(core_err)?;
        Ok(PyDbn {
            params,
            seed,
            dbn: None,
        })
    }

    /// Trains the stack on `X (n_samples, n_visible)` with values in [0, 1] (layer l from
    /// `Seed(seed).derive(l)`), replacing any previous network; `callback(stage, step, total,
    /// metrics)` is called after each epoch of each layer. Returns self.
    #[pyo3(signature = (X, y=None, *, callback=None))]
    #[allow(non_snake_case)]
    fn fit<'py>(
        mut slf: PyRefMut<'py, Self>,
        X: &Bound<'py, PyAny>,
        y: Option<&Bound<'py, PyAny>>,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let _ = y;
        let x = array2_f32(X, "X")?;
        if x.iter().any(|v| !(0.0..=1.0).contains(v)) {
            return Err(invalid("X", "DBN inputs must lie in [0, 1]"));
        }
        let p = slf.params.check().map_err(core_err)?;
        let seed = Seed(slf.seed);
        let mut obs = PyObserver::new(callback);
        let r = slf.py().detach(|| train_dbn(x.view(), &p, seed, &mut obs));
        let dbn = obs.finish(r.map_err(relevance_err))?;
        slf.dbn = Some(dbn);
        Ok(slf)
    }

    /// The read-out 0/1 states of every hidden layer for `X (n_samples, n_visible)`: a list of
    /// float64 arrays `(n_samples, width_l)`, shallow to deep. Read-out: `P(h = 1 | v) > 0.5`, or
    /// with `sampled=True` Bernoulli draws (sample i from `Seed(seed).derive(l).stream(i)`).
    #[pyo3(signature = (X, *, sampled=false, seed=None))]
    #[allow(non_snake_case)]
    fn layer_states<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        sampled: bool,
        seed: Option<u64>,
    ) -> PyResult<Vec<Bound<'py, PyArray2<f64>>>> {
        let dbn = self.fitted()?;
        let x = array2_f32(X, "X")?;
        let readout = if sampled {
            Readout::Sampled {
                seed: Seed(seed.unwrap_or(self.seed)),
            }
        } else {
            Readout::Threshold
        };
        let states = py
            .detach(|| dbn.forward(x.view(), readout))
            .map_err(relevance_err)?;
        Ok(states
            .into_iter()
            .map(|s| s.mapv(f64::from).into_pyarray(py))
            .collect())
    }

    /// `n` pixel images generated from hidden layer `layer` (1-based): `gibbs_steps` Gibbs
    /// updates in the RBM of that layer from random states, then down to the pixels
    /// (`top_down` "mean-field" or "sampled"). Returns pixel means `(n, n_visible)` float64.
    #[pyo3(signature = (layer, n, *, gibbs_steps=1000, top_down="mean-field", seed=None))]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        layer: usize,
        n: usize,
        gibbs_steps: usize,
        top_down: &str,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let dbn = self.fitted()?;
        let td = match top_down {
            "mean-field" => TopDown::MeanField,
            "sampled" => TopDown::Sampled,
            t => {
                return Err(invalid(
                    "top_down",
                    format!("unknown `{t}` (expected one of: mean-field, sampled)"),
                ));
            }
        };
        let seed = Seed(seed.unwrap_or(self.seed));
        let g = py
            .detach(|| dbn.generate_with(layer, n, gibbs_steps, td, seed))
            .map_err(relevance_err)?;
        Ok(g.mapv(f64::from).into_pyarray(py))
    }

    /// Writes the network to `path` in the `.npz` form of `spinlearn dbn train`'s model.npz.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let dbn = self.fitted()?;
        py.detach(|| dbn.save_npz(&path)).map_err(relevance_err)
    }

    /// Reads a network written by `save` or by `spinlearn dbn train` (model.npz).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyDbn> {
        let dbn = py.detach(|| Dbn::load_npz(&path)).map_err(relevance_err)?;
        let params = DbnParams {
            widths: dbn.widths(),
            ..DbnParams::default()
        };
        Ok(PyDbn {
            params,
            seed: 0,
            dbn: Some(dbn),
        })
    }

    /// The constructor's arguments.
    #[pyo3(signature = (deep=true))]
    fn get_params<'py>(&self, py: Python<'py>, deep: bool) -> PyResult<Bound<'py, PyDict>> {
        let _ = deep;
        let p = &self.params;
        let d = PyDict::new(py);
        d.set_item("widths", p.widths.clone())?;
        d.set_item("epochs", p.epochs)?;
        d.set_item("lr", p.lr)?;
        d.set_item("batch_size", p.batch_size)?;
        d.set_item("n_chains", p.n_chains)?;
        d.set_item("momentum", p.momentum)?;
        d.set_item("init_std", p.init_std)?;
        d.set_item("sampled_readout", p.sampled_readout)?;
        d.set_item("epoch_unit", p.epoch_unit.name())?;
        d.set_item("seed", self.seed)?;
        Ok(d)
    }

    /// Widths of every layer, the visible one first.
    #[getter]
    fn widths_(&self) -> PyResult<Vec<usize>> {
        let dbn = self.fitted()?;
        let mut w = vec![dbn.n_visible()];
        w.extend(dbn.widths());
        Ok(w)
    }

    /// The RBMs' weights, bottom to top: `weights_[l]` of shape `(width_l, width_{l+1})`.
    #[getter]
    fn weights_<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArray2<f64>>>> {
        Ok(self
            .fitted()?
            .layers
            .iter()
            .map(|r| r.weights.clone().into_pyarray(py))
            .collect())
    }

    /// The RBMs' visible biases, bottom to top: `(width_l,)` each.
    #[getter]
    fn visible_bias_<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
        Ok(self
            .fitted()?
            .layers
            .iter()
            .map(|r| r.visible_bias.clone().into_pyarray(py))
            .collect())
    }

    /// The RBMs' hidden biases, bottom to top: `(width_{l+1},)` each.
    #[getter]
    fn hidden_bias_<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
        Ok(self
            .fitted()?
            .layers
            .iter()
            .map(|r| r.hidden_bias.clone().into_pyarray(py))
            .collect())
    }

    fn __repr__(&self) -> String {
        format!(
            "DBN(widths={:?}, epochs={}, lr={}, seed={})",
            self.params.widths, self.params.epochs, self.params.lr, self.seed
        )
    }
}
