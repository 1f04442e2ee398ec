//! spinlearn's Python package (`import spinlearn`): thin PyO3 wrappers over the library crates,
//! NumPy arrays in and out. The compiled module is `spinlearn._spinlearn`; the pure-Python package
//! in `python/spinlearn/` re-exports its names as `spinlearn.rbm`, `spinlearn.bp`,
//! `spinlearn.ising`, `spinlearn.relevance`, `spinlearn.attractor`, `spinlearn.data` and
//! `spinlearn.reproduce`.
//!
//! Conventions: arrays in are anything `numpy.asarray(x, dtype=float64)` accepts (other dtypes are
//! converted; what cannot be converted raises `TypeError` naming the argument); arrays out are
//! float64 (int64 for counts). Library errors become `ValueError` (an invalid parameter, a shape
//! that does not fit, a model too large for an exact computation), `OSError` (files) or
//! `RuntimeError` (divergence, non-convergence), with the library's one-line message. Long calls
//! release the GIL and check for Ctrl-C between steps (KeyboardInterrupt). Seeds are explicit
//! Python ints; the library never seeds from the OS.

use pyo3::prelude::*;

mod attractor;
mod bp;
mod common;
mod data;
mod ising;
mod rbm;
mod relevance;
mod reproduce;

#[pymodule]
#[pyo3(name = "_spinlearn")]
fn spinlearn_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<rbm::PyRbm>()?;
    m.add_function(wrap_pyfunction!(bp::bp_learn, m)?)?;
    m.add_function(wrap_pyfunction!(ising::ising_mean_field, m)?)?;
    m.add_function(wrap_pyfunction!(ising::ising_mean_field_solutions, m)?)?;
    m.add_function(wrap_pyfunction!(ising::ising_mc, m)?)?;
    m.add_function(wrap_pyfunction!(ising::ising_onsager_magnetization, m)?)?;
    m.add_function(wrap_pyfunction!(relevance::relevance_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(relevance::relevance_powerlaw, m)?)?;
    m.add_function(wrap_pyfunction!(relevance::relevance_bound, m)?)?;
    m.add_class::<relevance::PyDbn>()?;
    m.add_function(wrap_pyfunction!(ising::ising_activation, m)?)?;
    m.add_function(wrap_pyfunction!(ising::ising_activation_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(attractor::attractor_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(attractor::attractor_theory, m)?)?;
    m.add_function(wrap_pyfunction!(attractor::attractor_capacity_scan, m)?)?;
    m.add_function(wrap_pyfunction!(data::data_mnist, m)?)?;
    m.add_function(wrap_pyfunction!(data::data_bars, m)?)?;
    m.add_function(wrap_pyfunction!(data::data_bas, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce::reproduce_run, m)?)?;
    Ok(())
}
