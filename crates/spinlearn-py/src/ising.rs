//! `spinlearn.ising`: Curie-Weiss mean field, lattice Monte Carlo and Onsager's exact
//! magnetization (paper 002), over `spinlearn_ising`.

use crate::common::{PyObserver, core_err, ising_err, result};
use ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_core::{ParamGuard, Seed};
use spinlearn_ising::experiments::{ActivationParams, activation_experiment};
use spinlearn_ising::mc::{Algorithm, McParams, Start};
use spinlearn_ising::{Activation, CurieWeiss, onsager};

/// `f` applied elementwise to a float or an array of floats; a float in gives a float out.
fn elementwise<'py>(
    t: &Bound<'py, PyAny>,
    name: &str,
    f: impl Fn(f64) -> PyResult<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = t.py();
    if let Ok(x) = t.extract::<f64>() {
        return Ok(f(x)?.into_pyobject(py)?.into_any());
    }
    let a = py
        .import("numpy")?
        .call_method1("asarray", (t, "float64"))
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(format!("`{name}`: {e}")))?;
    let a = a.cast_into::<PyArrayDyn<f64>>()?;
    let v = a.readonly().as_array().to_owned();
    let mut out = v.clone();
    for (o, &x) in out.iter_mut().zip(&v) {
        *o = f(x)?;
    }
    Ok(out.into_pyarray(py).into_any())
}

/// Equilibrium Curie-Weiss magnetization, the stable root of `m = tanh((tc m + h) / t)` of lowest
/// free energy (002 eq. (1); for `h = 0` below `tc` the positive one). `t` a float or an array.
#[pyfunction]
#[pyo3(signature = (t, h=0.0, tc=1.0))]
pub fn ising_mean_field<'py>(
    t: &Bound<'py, PyAny>,
    h: f64,
    tc: f64,
) -> PyResult<Bound<'py, PyAny>> {
    elementwise(t, "t", |t| {
        CurieWeiss::new(t, tc)
            .with_field(h)
            .equilibrium()
            .map(|s| s.m)
            .map_err(ising_err)
    })
}

/// Every root of the Curie-Weiss equation at one temperature, in increasing `m`: a list of
/// `Result(m, stable, global, free_energy, curvature, susceptibility)`.
#[pyfunction]
#[pyo3(signature = (t, h=0.0, tc=1.0))]
pub fn ising_mean_field_solutions(
    py: Python<'_>,
    t: f64,
    h: f64,
    tc: f64,
) -> PyResult<Vec<Bound<'_, PyAny>>> {
    let sols = CurieWeiss::new(t, tc)
        .with_field(h)
        .solve()
        .map_err(ising_err)?;
    sols.iter()
        .map(|s| {
            let d = PyDict::new(py);
            d.set_item("m", s.m)?;
            d.set_item("stable", s.stable)?;
            d.set_item("global", s.global)?;
            d.set_item("free_energy", s.free_energy)?;
            d.set_item("curvature", s.curvature)?;
            d.set_item("susceptibility", s.susceptibility)?;
            result(d)
        })
        .collect()
}

/// Onsager's spontaneous magnetization of the square lattice (J = 1, k_B = 1),
/// `(1 - sinh(2/T)^-4)^(1/8)` below `Tc = 2 / ln(1 + √2)`, else 0. `T` a float or an array.
#[pyfunction]
#[pyo3(signature = (T))]
#[allow(non_snake_case)]
pub fn ising_onsager_magnetization<'py>(T: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    elementwise(T, "T", |t| Ok(onsager::magnetization(t)))
}

/// Monte Carlo of the `L x L` periodic Ising lattice at temperature `T` (checkerboard
/// "metropolis" or "wolff" clusters), `therm` unmeasured then `sweeps` measured sweeps, from
/// `Seed(seed)`. Returns a `Result` with `magnetization`, `signed_magnetization`, `energy`,
/// `specific_heat`, `susceptibility`, `binder` (each `(mean, err)`), `tau_abs_m`, `tau_energy`,
/// `m_series`, `e_series` (per-spin series), `lattice (L, L)` int8 and the run's settings.
#[pyfunction]
#[pyo3(signature = (L, T, algorithm="wolff", sweeps=2000, seed=0, *, therm=200, h=0.0, start="cold", callback=None))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn ising_mc<'py>(
    py: Python<'py>,
    L: usize,
    T: f64,
    algorithm: &str,
    sweeps: usize,
    seed: u64,
    therm: usize,
    h: f64,
    start: &str,
    callback: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut p = McParams::new(L, T);
    p.algorithm = Algorithm::parse(algorithm).map_err(ising_err)?;
    p.sweeps = sweeps;
    p.therm = therm;
    p.h = h;
    p.start = match start {
        "cold" => Start::Cold,
        "hot" => Start::Hot,
        s => {
            return Err(crate::common::invalid(
                "start",
                format!("unknown `{s}` (expected one of: cold, hot)"),
            ));
        }
    };
    let p = p.check().map_err(core_err)?;
    let mut obs = PyObserver::new(callback);
    let r = py.detach(|| spinlearn_ising::simulate(&p, Seed(seed), &mut obs));
    let r = obs.finish(r.map_err(ising_err))?;
    let d = PyDict::new(py);
    d.set_item("L", r.l)?;
    d.set_item("T", r.t)?;
    d.set_item("h", r.h)?;
    d.set_item("algorithm", r.algorithm.name())?;
    d.set_item("n_measured", r.n_measured)?;
    d.set_item("stopped_early", r.stopped_early)?;
    for (k, e) in [
        ("magnetization", r.magnetization),
        ("signed_magnetization", r.signed_magnetization),
        ("energy", r.energy),
        ("specific_heat", r.specific_heat),
        ("susceptibility", r.susceptibility),
        ("binder", r.binder),
    ] {
        d.set_item(k, (e.mean, e.err))?;
    }
    d.set_item("tau_abs_m", r.tau_abs_m)?;
    d.set_item("tau_energy", r.tau_energy)?;
    d.set_item("acceptance", r.acceptance)?;
    d.set_item("m_series", Array1::from(r.m_series).into_pyarray(py))?;
    d.set_item("e_series", Array1::from(r.e_series).into_pyarray(py))?;
    let lattice = r.final_lattice.map(|lat| {
        let l = lat.l();
        Array2::from_shape_vec((l, l), lat.spins().to_vec())
            .expect("L x L spins")
            .into_pyarray(py)
    });
    d.set_item("lattice", lattice)?;
    result(d)
}

/// An activation function of paper 002 (section 2.4) applied to `x` (a float or an array):
/// `name` is one of linear, tanh, logistic (sigmoid), relu, softplus, elu[:alpha],
/// ising-tanh[:a] (`(1 + tanh(a x)) / 2`, the firing branch of eq. 2), ising-rate[:a]
/// (`softplus(2 a x) / (2 a)`), ising-elu[:a] (the same minus `ln 2 / (2 a)`); with
/// `derivative=True` the derivative f'(x). Finite for every finite x.
#[pyfunction]
#[pyo3(signature = (x, name="ising-tanh", derivative=false))]
pub fn ising_activation<'py>(
    x: &Bound<'py, PyAny>,
    name: &str,
    derivative: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let act = Activation::parse(name).map_err(ising_err)?;
    elementwise(x, "x", |v| {
        Ok(if derivative {
            act.derivative(v)
        } else {
            act.value(v)
        })
    })
}

/// The mean-field activation experiment of paper 002 (Figs. 1-2, section 2.4), as
/// `spinlearn ising activation` runs it: the m >= 0 branch m(T) of eq. (1) at `n_t` temperatures
/// in (0, t_max], the fit of eq. (2) to it (steepness `a`, and with Tc scaled by a fitted `b`),
/// and the firing-rate curves over `n_q` quenches in [q_min, q_max]. Returns a `Result` with
/// `branch_t`, `branch_m`, `fit_a`, `fit_residual_rms`, `fit_residual_max`, `fit_shifted_a`,
/// `fit_shifted_b`, `fit_shifted_residual_rms`, `q`, `tanh_rate`, `logistic_rate`,
/// `mean_field_rate`, `relu`, `softplus`, `elu`, `max_quadrature_error`, `tanh_rate_floor`.
#[pyfunction]
#[pyo3(signature = (tc=1.0, t_max=2.0, n_t=200, q_min=-4.0, q_max=4.0, n_q=161, rate_a=1.0))]
#[allow(clippy::too_many_arguments)]
pub fn ising_activation_experiment(
    py: Python<'_>,
    tc: f64,
    t_max: f64,
    n_t: usize,
    q_min: f64,
    q_max: f64,
    n_q: usize,
    rate_a: f64,
) -> PyResult<Bound<'_, PyAny>> {
    let p = ActivationParams {
        tc,
        t_max,
        n_t,
        q_min,
        q_max,
        n_q,
        rate_a,
    }
    .check()
    .map_err(core_err)?;
    let r = py.detach(|| activation_experiment(&p)).map_err(ising_err)?;
    let v = |x: &[f64]| Array1::from(x.to_vec()).into_pyarray(py);
    let d = PyDict::new(py);
    d.set_item("branch_t", v(&r.branch_t))?;
    d.set_item("branch_m", v(&r.branch_m))?;
    d.set_item("fit_a", r.fit.a)?;
    d.set_item("fit_residual_rms", r.fit.residual_rms)?;
    d.set_item("fit_residual_max", r.fit.residual_max)?;
    d.set_item("fit_shifted_a", r.fit_shifted.a)?;
    d.set_item("fit_shifted_b", r.fit_shifted.b)?;
    d.set_item("fit_shifted_residual_rms", r.fit_shifted.residual_rms)?;
    let f = &r.firing;
    d.set_item("q", v(&f.q))?;
    d.set_item("tanh_rate", v(&f.tanh_rate))?;
    d.set_item("logistic_rate", v(&f.logistic_rate))?;
    d.set_item("mean_field_rate", v(&f.mean_field_rate))?;
    d.set_item("relu", v(&f.relu))?;
    d.set_item("softplus", v(&f.softplus))?;
    d.set_item("elu", v(&f.elu))?;
    d.set_item("max_quadrature_error", f.max_quadrature_error)?;
    d.set_item("tanh_rate_floor", f.tanh_rate_floor)?;
    result(d)
}
