//! `spinlearn.bp.learn`: the one-bit RBM with ternary synapses learned by message passing
//! (paper 000), over [`spinlearn_bp::learn`].

use crate::common::{PyObserver, array2, bp_err, result};
use ndarray::Array1;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_bp::BpParams;
use spinlearn_core::{ParamGuard, Seed};

/// Learns the ternary feature of `X (n_samples, n_features)` (±1 spins) at inverse temperature
/// `beta` by message passing (000 eqs. (3)-(4)). Initial messages are drawn from
/// `Seed(seed).named("init").stream(0)`, as `spinlearn bp learn` draws them. Returns a `Result`
/// with `marginals (n_features, 3)` (columns P(-1), P(0), P(+1)), `feature (n_features,)` (MPM,
/// int8 in {-1, 0, 1}), `rho`, `m_cav`, `eps`, `omega`, `rho_asympt`, `iterations`,
/// `converged`, `stopped`, `residual`, `n_samples`, `n_features`, `beta`.
#[pyfunction]
#[pyo3(signature = (X, beta, *, damping=0.5, tol=1e-6, max_iter=2000, init_scale=1.0, seed=0, callback=None))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn bp_learn<'py>(
    py: Python<'py>,
    X: &Bound<'py, PyAny>,
    beta: f64,
    damping: f64,
    tol: f64,
    max_iter: usize,
    init_scale: f64,
    seed: u64,
    callback: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = BpParams {
        beta,
        damping,
        tol,
        max_iter,
        init_scale,
    }
    .check()
    .map_err(crate::common::core_err)?;
    let x = array2(X, "X")?;
    let mut obs = PyObserver::new(callback);
    let r = py.detach(|| {
        let mut rng = Seed(seed).named("init").stream(0);
        spinlearn_bp::learn(x.view(), &params, &mut rng, &mut obs)
    });
    let r = obs.finish(r.map_err(bp_err))?;
    let d = PyDict::new(py);
    d.set_item("marginals", r.marginals.into_pyarray(py))?;
    d.set_item("feature", Array1::from(r.feature).into_pyarray(py))?;
    d.set_item("rho", r.rho)?;
    d.set_item("m_cav", r.m_cav)?;
    d.set_item("eps", r.eps)?;
    d.set_item("omega", r.omega)?;
    d.set_item("rho_asympt", r.rho_asympt)?;
    d.set_item("iterations", r.iterations)?;
    d.set_item("converged", r.converged)?;
    d.set_item("stopped", r.stopped)?;
    d.set_item("residual", r.residual)?;
    d.set_item("n_samples", r.n_samples)?;
    d.set_item("n_features", r.n_features)?;
    d.set_item("beta", r.beta)?;
    result(d)
}
