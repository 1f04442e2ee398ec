//! `spinlearn.reproduce`: one report section (or all) through `spinlearn_reproduce::run_report`,
//! the library call behind `spinlearn reproduce`, with the claims returned to Python.

use crate::common::{PyObserver, invalid, reproduce_err};
use pyo3::prelude::*;
use spinlearn_core::Seed;
use spinlearn_reproduce::{Mode, ReportParams, ReportRun};
use std::path::PathBuf;

/// Runs report section `section` (data, ising-activation, zero-synapses, rapid, relevance,
/// double-well, or all) at `mode` "smoke", "quick" or "full" into directory `out` (figures,
/// `summary.json`, `claims.json`, `index.html`), from `Seed(seed)`. Returns
/// `(summary_json, claims_json)`, the JSON texts of the report summary and of every claim; the
/// Python wrapper `spinlearn.reproduce` turns them into a dict.
#[pyfunction]
#[pyo3(signature = (section, mode, out, seed, mnist_dir=None, embed_figures=false, callback=None))]
#[allow(clippy::too_many_arguments)]
pub fn reproduce_run(
    py: Python<'_>,
    section: String,
    mode: &str,
    out: PathBuf,
    seed: u64,
    mnist_dir: Option<PathBuf>,
    embed_figures: bool,
    callback: Option<Py<PyAny>>,
) -> PyResult<(String, String)> {
    let mode = match mode {
        "smoke" => Mode::Smoke,
        "quick" => Mode::Quick,
        "full" => Mode::Full,
        m => {
            return Err(invalid(
                "mode",
                format!("unknown `{m}` (expected one of: smoke, quick, full)"),
            ));
        }
    };
    let p = ReportParams {
        sections: vec![section],
        mode,
        mnist_dir,
    };
    p.resolve().map_err(reproduce_err)?;
    let run = ReportRun {
        root: out.clone(),
        seed: Seed(seed),
        threads: rayon_threads(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        embed_figures,
    };
    std::fs::create_dir_all(&out)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", out.display())))?;
    let mut obs = PyObserver::new(callback);
    let r = py.detach(|| spinlearn_reproduce::run_report(&p, &run, &mut obs));
    let summary = obs.finish(r.map_err(reproduce_err))?;
    let claims_path = out.join("claims.json");
    let claims = std::fs::read_to_string(&claims_path).map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", claims_path.display()))
    })?;
    Ok((summary.to_string(), claims))
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
