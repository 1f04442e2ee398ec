//! What every wrapper shares: error conversion, array conversion, results as `spinlearn.Result`,
//! and the observer that lets Ctrl-C and a progress callback reach a long library loop.

use ndarray::{Array1, Array2, Ix1, Ix2};
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use spinlearn_core::{Control, Observer, StepReport};
use std::time::{Duration, Instant};

/// A library error as the matching Python exception, with the library's one-line message.
pub fn core_err(e: spinlearn_core::Error) -> PyErr {
    use spinlearn_core::Error;
    match e {
        Error::InvalidParameter { .. } => PyValueError::new_err(e.to_string()),
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-data.
pub fn data_err(e: spinlearn_data::DataError) -> PyErr {
    use spinlearn_data::DataError;
    match e {
        DataError::Core(c) => core_err(c),
        DataError::Format { .. } => PyValueError::new_err(e.to_string()),
        DataError::Shape(_) => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-rbm.
pub fn rbm_err(e: spinlearn_rbm::RbmError) -> PyErr {
    use spinlearn_rbm::RbmError;
    match e {
        RbmError::Core(c) => core_err(c),
        RbmError::Data(d) => data_err(d),
        RbmError::Shape(_) | RbmError::TooLarge { .. } | RbmError::Format { .. } => {
            PyValueError::new_err(e.to_string())
        }
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-bp.
pub fn bp_err(e: spinlearn_bp::BpError) -> PyErr {
    use spinlearn_bp::BpError;
    match e {
        BpError::Core(c) => core_err(c),
        BpError::Load(d) => data_err(d),
        BpError::Data(_) => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-ising.
pub fn ising_err(e: spinlearn_ising::IsingError) -> PyErr {
    use spinlearn_ising::IsingError;
    match e {
        IsingError::Core(c) => core_err(c),
        IsingError::UnknownName { .. } => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-relevance.
pub fn relevance_err(e: spinlearn_relevance::RelevanceError) -> PyErr {
    use spinlearn_relevance::RelevanceError;
    match e {
        RelevanceError::Core(c) => core_err(c),
        RelevanceError::Data(d) => data_err(d),
        RelevanceError::Input(_) => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-attractor.
pub fn attractor_err(e: spinlearn_attractor::AttractorError) -> PyErr {
    use spinlearn_attractor::AttractorError;
    match e {
        AttractorError::Core(c) => core_err(c),
        AttractorError::TooLarge(_) => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// [`core_err`] for spinlearn-reproduce: each domain's error as that domain maps it.
pub fn reproduce_err(e: spinlearn_reproduce::ReproduceError) -> PyErr {
    use spinlearn_reproduce::ReproduceError as E;
    match e {
        E::Core(c) => core_err(c),
        E::Data(d) => data_err(d),
        E::Rbm(r) => rbm_err(r),
        E::Bp(b) => bp_err(b),
        E::Attractor(a) => attractor_err(a),
        E::Ising(i) => ising_err(i),
        E::Relevance(r) => relevance_err(r),
        E::UnknownSection { .. } => PyValueError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// `ValueError("invalid parameter `name`: reason")`, worded as the library words it.
pub fn invalid(name: &str, reason: impl Into<String>) -> PyErr {
    core_err(spinlearn_core::Error::invalid(name, reason))
}

/// `numpy.asarray(obj, dtype=float64)` as an n-dimensional array; a `TypeError` naming `name`
/// when the conversion fails, a `ValueError` when any value is NaN or infinite.
fn as_f64<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let np = obj.py().import("numpy")?;
    let a = np
        .call_method1("asarray", (obj, "float64"))
        .map_err(|e| PyTypeError::new_err(format!("`{name}`: cannot convert to float64: {e}")))?;
    let a = a
        .cast_into::<PyArrayDyn<f64>>()
        .map_err(|e| PyTypeError::new_err(format!("`{name}`: not an array: {e}")))?;
    let finite = a.readonly().as_array().iter().all(|x| x.is_finite());
    if !finite {
        return Err(invalid(name, "contains NaN or infinite values"));
    }
    Ok(a)
}

/// A 2-D float64 array `(rows, cols)` from any array-like (see [`as_f64`]).
pub fn array2(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Array2<f64>> {
    let a = as_f64(obj, name)?;
    if a.ndim() != 2 {
        return Err(invalid(
            name,
            format!(
                "expected a 2-D array (n_samples, n_features), got {}-D",
                a.ndim()
            ),
        ));
    }
    let v = a.readonly();
    Ok(v.as_array()
        .into_dimensionality::<Ix2>()
        .expect("2-D")
        .to_owned())
}

/// A 1-D float64 array from any array-like (see [`as_f64`]).
pub fn array1(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Array1<f64>> {
    let a = as_f64(obj, name)?;
    if a.ndim() != 1 {
        return Err(invalid(
            name,
            format!("expected a 1-D array, got {}-D", a.ndim()),
        ));
    }
    let v = a.readonly();
    Ok(v.as_array()
        .into_dimensionality::<Ix1>()
        .expect("1-D")
        .to_owned())
}

/// A 2-D array as float32 (the precision the library's data paths use), converted from any
/// array-like as [`array2`] does.
pub fn array2_f32(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Array2<f32>> {
    Ok(array2(obj, name)?.mapv(|v| v as f32))
}

/// A dict wrapped as `spinlearn._result.Result` (a dict whose keys are also attributes).
pub fn result<'py>(dict: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    let py = dict.py();
    py.import("spinlearn._result")?
        .getattr("Result")?
        .call1((dict,))
}

/// An observer for library loops that run with the GIL released: at most every 100 ms it takes
/// the GIL back to check for Ctrl-C (stopping the loop and keeping the `KeyboardInterrupt`) and to
/// call the optional progress callback `callback(stage, step, total, metrics: dict)`.
pub struct PyObserver {
    callback: Option<Py<PyAny>>,
    last: Instant,
    /// The error that stopped the loop (KeyboardInterrupt or the callback's exception).
    pub error: Option<PyErr>,
}

impl PyObserver {
    /// An observer calling `callback` (if any) with each report.
    pub fn new(callback: Option<Py<PyAny>>) -> Self {
        PyObserver {
            callback,
            last: Instant::now(),
            error: None,
        }
    }

    /// The loop's result, or the error that stopped it.
    pub fn finish<T>(self, r: PyResult<T>) -> PyResult<T> {
        match self.error {
            Some(e) => Err(e),
            None => r,
        }
    }
}

impl Observer for PyObserver {
    fn observe(&mut self, report: &StepReport<'_>) -> Control {
        let last_step = report.total.is_some_and(|t| report.step >= t);
        if self.callback.is_none() && !last_step && self.last.elapsed() < Duration::from_millis(100)
        {
            return Control::Continue;
        }
        self.last = Instant::now();
        let r = Python::attach(|py| -> PyResult<()> {
            py.check_signals()?;
            if let Some(cb) = &self.callback {
                let metrics = PyDict::new(py);
                for (k, v) in report.metrics {
                    metrics.set_item(*k, *v)?;
                }
                cb.call1(py, (report.stage, report.step, report.total, metrics))?;
            }
            Ok(())
        });
        match r {
            Ok(()) => Control::Continue,
            Err(e) => {
                self.error = Some(e);
                Control::Stop
            }
        }
    }
}
