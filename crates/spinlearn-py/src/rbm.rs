//! `spinlearn.rbm.RBM`: an estimator in scikit-learn's conventions over `spinlearn_rbm`'s
//! training ([`Trainer`]), evaluation ([`eval`]) and model files ([`io`]).

use crate::common::{PyObserver, array2, core_err, invalid, rbm_err, result};
use ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::{PyAttributeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use spinlearn_core::{Control, ParamGuard, Seed, StepReport, Units};
use spinlearn_rbm::eval::{self, AisParams, BetaSchedule};
use spinlearn_rbm::io;
use spinlearn_rbm::train::{
    Binarize, EpochObserver, Estimator, Optimizer, PidHidden, State, TrainParams, ValidTrainParams,
    WeightsSpec,
};
use spinlearn_rbm::{Model, UnitsSpec};
use std::path::PathBuf;

type Rbm64 = spinlearn_rbm::Rbm;

/// The constructor's arguments, as the user spells them (what `get_params` returns).
#[derive(Debug, Clone)]
struct Config {
    n_hidden: usize,
    units: String,
    hidden_units: Option<String>,
    biases: bool,
    weights: String,
    k: usize,
    binarize: String,
    clip: f64,
    init_std: f64,
    estimator: String,
    gibbs_steps: usize,
    n_chains: usize,
    pid_hidden: String,
    optimizer: String,
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    lr_decay: f64,
    epochs: usize,
    batch_size: usize,
    track_exact_nll: bool,
    seed: u64,
}

fn unknown(name: &str, value: &str, expected: &str) -> PyErr {
    invalid(
        name,
        format!("unknown `{value}` (expected one of: {expected})"),
    )
}

fn units_of(name: &str, value: &str) -> PyResult<Units> {
    Units::parse(value).ok_or_else(|| unknown(name, value, "spin, bit"))
}

impl Config {
    /// The library's parameters, checked.
    fn params(&self) -> PyResult<ValidTrainParams> {
        let visible = units_of("units", &self.units)?;
        let hidden = match &self.hidden_units {
            Some(h) => units_of("hidden_units", h)?,
            None => visible,
        };
        let binarize = match self.binarize.as_str() {
            "none" => Binarize::None,
            "sign" => Binarize::Sign,
            "clip" => Binarize::Clip { clip: self.clip },
            "gibbs" => Binarize::Gibbs,
            b => return Err(unknown("binarize", b, "none, sign, clip, gibbs")),
        };
        let weights = match self.weights.as_str() {
            "dense" => WeightsSpec::Dense {
                init_std: self.init_std,
            },
            "ra" => WeightsSpec::Ra {
                k: self.k,
                binarize,
            },
            w => return Err(unknown("weights", w, "dense, ra")),
        };
        let gibbs_steps = self.gibbs_steps;
        let estimator = match self.estimator.as_str() {
            "exact" => Estimator::Exact,
            "cd" => Estimator::Cd { gibbs_steps },
            "pcd" => Estimator::Pcd {
                gibbs_steps,
                n_chains: self.n_chains,
            },
            "pid" => Estimator::Pid {
                hidden: match self.pid_hidden.as_str() {
                    "mean" => PidHidden::Mean,
                    "pattern" => PidHidden::Pattern,
                    h => return Err(unknown("pid_hidden", h, "mean, pattern")),
                },
            },
            "pid-gibbs" => Estimator::PidGibbs { gibbs_steps },
            e => return Err(unknown("estimator", e, "exact, cd, pcd, pid, pid-gibbs")),
        };
        let optimizer = match self.optimizer.as_str() {
            "sgd" => Optimizer::Sgd {
                lr: self.lr,
                momentum: self.momentum,
                weight_decay: self.weight_decay,
                lr_decay: self.lr_decay,
            },
            "adam" => Optimizer::adam_with(self.lr, self.weight_decay, self.lr_decay),
            o => return Err(unknown("optimizer", o, "sgd, adam")),
        };
        TrainParams {
            n_hidden: self.n_hidden,
            units: UnitsSpec {
                visible,
                hidden,
                biases: self.biases,
            },
            weights,
            estimator,
            optimizer,
            epochs: self.epochs,
            batch_size: self.batch_size,
            track_exact_nll: self.track_exact_nll,
        }
        .check()
        .map_err(core_err)
    }

    /// The arguments that give `p` (the inverse of [`Config::params`]), e.g. for a loaded model.
    fn from_params(p: &TrainParams, seed: u64) -> Config {
        let mut c = Config {
            seed,
            n_hidden: p.n_hidden,
            units: p.units.visible.name().into(),
            hidden_units: (p.units.hidden != p.units.visible).then(|| p.units.hidden.name().into()),
            biases: p.units.biases,
            ..Config::default()
        };
        match p.weights {
            WeightsSpec::Dense { init_std } => {
                c.weights = "dense".into();
                c.init_std = init_std;
            }
            WeightsSpec::Ra { k, binarize } => {
                c.weights = "ra".into();
                c.k = k;
                c.binarize = match binarize {
                    Binarize::None => "none",
                    Binarize::Sign => "sign",
                    Binarize::Clip { clip } => {
                        c.clip = clip;
                        "clip"
                    }
                    Binarize::Gibbs => "gibbs",
                }
                .into();
            }
        }
        c.estimator = match p.estimator {
            Estimator::Exact => "exact",
            Estimator::Cd { gibbs_steps } => {
                c.gibbs_steps = gibbs_steps;
                "cd"
            }
            Estimator::Pcd {
                gibbs_steps,
                n_chains,
            } => {
                c.gibbs_steps = gibbs_steps;
                c.n_chains = n_chains;
                "pcd"
            }
            Estimator::Pid { hidden } => {
                c.pid_hidden = match hidden {
                    PidHidden::Mean => "mean",
                    PidHidden::Pattern => "pattern",
                }
                .into();
                "pid"
            }
            Estimator::PidGibbs { gibbs_steps } => {
                c.gibbs_steps = gibbs_steps;
                "pid-gibbs"
            }
        }
        .into();
        match p.optimizer {
            Optimizer::Sgd {
                lr,
                momentum,
                weight_decay,
                lr_decay,
            } => {
                c.optimizer = "sgd".into();
                (c.lr, c.momentum, c.weight_decay, c.lr_decay) =
                    (lr, momentum, weight_decay, lr_decay);
            }
            Optimizer::Adam {
                lr,
                weight_decay,
                lr_decay,
                ..
            } => {
                c.optimizer = "adam".into();
                (c.lr, c.weight_decay, c.lr_decay) = (lr, weight_decay, lr_decay);
            }
        }
        c.epochs = p.epochs;
        c.batch_size = p.batch_size;
        c.track_exact_nll = p.track_exact_nll;
        c
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("n_hidden", self.n_hidden)?;
        d.set_item("units", &self.units)?;
        d.set_item("hidden_units", &self.hidden_units)?;
        d.set_item("biases", self.biases)?;
        d.set_item("weights", &self.weights)?;
        d.set_item("k", self.k)?;
        d.set_item("binarize", &self.binarize)?;
        d.set_item("clip", self.clip)?;
        d.set_item("init_std", self.init_std)?;
        d.set_item("estimator", &self.estimator)?;
        d.set_item("gibbs_steps", self.gibbs_steps)?;
        d.set_item("n_chains", self.n_chains)?;
        d.set_item("pid_hidden", &self.pid_hidden)?;
        d.set_item("optimizer", &self.optimizer)?;
        d.set_item("lr", self.lr)?;
        d.set_item("momentum", self.momentum)?;
        d.set_item("weight_decay", self.weight_decay)?;
        d.set_item("lr_decay", self.lr_decay)?;
        d.set_item("epochs", self.epochs)?;
        d.set_item("batch_size", self.batch_size)?;
        d.set_item("track_exact_nll", self.track_exact_nll)?;
        d.set_item("seed", self.seed)?;
        Ok(d)
    }
}

impl Default for Config {
    /// The CLI's defaults (`spinlearn rbm train`), seed 0.
    fn default() -> Self {
        Config {
            n_hidden: 500,
            units: "bit".into(),
            hidden_units: None,
            biases: true,
            weights: "dense".into(),
            k: 8,
            binarize: "sign".into(),
            clip: 1.0,
            init_std: 0.01,
            estimator: "cd".into(),
            gibbs_steps: 1,
            n_chains: 100,
            pid_hidden: "mean".into(),
            optimizer: "sgd".into(),
            lr: 0.05,
            momentum: 0.5,
            weight_decay: 0.0,
            lr_decay: 1.0,
            epochs: 10,
            batch_size: 100,
            track_exact_nll: false,
            seed: 0,
        }
    }
}

/// Passes each epoch's report to a [`PyObserver`].
struct Epochs<'a>(&'a mut PyObserver);

impl EpochObserver for Epochs<'_> {
    fn epoch_done(
        &mut self,
        _state: &State,
        report: &StepReport<'_>,
    ) -> spinlearn_rbm::Result<Control> {
        Ok(spinlearn_core::Observer::observe(self.0, report))
    }
}

/// A restricted Boltzmann machine in scikit-learn's conventions (see the package docs).
#[pyclass(name = "RBM", module = "spinlearn.rbm")]
pub struct PyRbm {
    config: Config,
    params: ValidTrainParams,
    state: Option<State>,
    /// A model loaded without a training state: its chains start at the next `partial_fit`.
    needs_init: bool,
    /// The f64 model as loaded (the state holds f32 parameters), until training changes it.
    loaded: Option<Model>,
    history: Vec<spinlearn_rbm::train::EpochMetrics>,
}

impl PyRbm {
    fn state(&self) -> PyResult<&State> {
        self.state.as_ref().ok_or_else(|| {
            PyValueError::new_err("this RBM is not fitted yet: call fit(X) or RBM.load(path)")
        })
    }

    fn model(&self) -> PyResult<Model> {
        let state = self.state()?;
        Ok(match &self.loaded {
            Some(m) => m.clone(),
            None => state.model(),
        })
    }

    fn rbm(&self) -> PyResult<Rbm64> {
        Ok(self.model()?.rbm())
    }

    fn attr<T>(&self, f: impl FnOnce(&Model) -> T) -> PyResult<T> {
        match &self.state {
            Some(_) => Ok(f(&self.model()?)),
            None => Err(PyAttributeError::new_err(
                "this RBM is not fitted yet: call fit(X) or RBM.load(path)",
            )),
        }
    }

    /// `X (n_samples, n_visible)` as f64, with the model's number of columns when fitted.
    fn samples(&self, x: &Bound<'_, PyAny>, name: &str) -> PyResult<Array2<f64>> {
        let x = array2(x, name)?;
        if let Some(s) = &self.state {
            let nv = s.model().shape().0;
            if x.ncols() != nv {
                return Err(rbm_err(spinlearn_rbm::RbmError::Shape(format!(
                    "`{name}` has {} columns, the model {nv} visible units",
                    x.ncols()
                ))));
            }
        }
        Ok(x)
    }

    /// Training data: values in the visible units' encoding (±1 for spins, [0, 1] for bits).
    fn training_data(&self, x: &Bound<'_, PyAny>) -> PyResult<Array2<f32>> {
        let x = self.samples(x, "X")?;
        if x.nrows() == 0 {
            return Err(invalid("X", "has no samples"));
        }
        let ok = match self.params.units().visible {
            Units::Spin => x.iter().all(|&v| v == 1.0 || v == -1.0),
            Units::Bit => x.iter().all(|&v| (0.0..=1.0).contains(&v)),
        };
        if !ok {
            return Err(invalid(
                "X",
                match self.params.units().visible {
                    Units::Spin => "spin visible units need values ±1",
                    Units::Bit => "bit visible units need values in [0, 1]",
                },
            ));
        }
        Ok(x.mapv(|v| v as f32))
    }

    fn seed_or(&self, seed: Option<u64>) -> Seed {
        Seed(seed.unwrap_or(self.config.seed))
    }
}

fn to_py2<'py>(py: Python<'py>, a: Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    a.into_pyarray(py)
}

fn to_py1<'py>(py: Python<'py>, a: Array1<f64>) -> Bound<'py, PyArray1<f64>> {
    a.into_pyarray(py)
}

#[pymethods]
impl PyRbm {
    #[new]
    #[pyo3(signature = (n_hidden=500, *, units="bit".to_string(), hidden_units=None, biases=true,
        weights="dense".to_string(), k=8, binarize="sign".to_string(), clip=1.0, init_std=0.01,
        estimator="cd".to_string(), gibbs_steps=1, n_chains=100, pid_hidden="mean".to_string(),
        optimizer="sgd".to_string(), lr=0.05, momentum=0.5, weight_decay=0.0, lr_decay=1.0,
        epochs=10, batch_size=100, track_exact_nll=false, seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        n_hidden: usize,
        units: String,
        hidden_units: Option<String>,
        biases: bool,
        weights: String,
        k: usize,
        binarize: String,
        clip: f64,
        init_std: f64,
        estimator: String,
        gibbs_steps: usize,
        n_chains: usize,
        pid_hidden: String,
        optimizer: String,
        lr: f64,
        momentum: f64,
        weight_decay: f64,
        lr_decay: f64,
        epochs: usize,
        batch_size: usize,
        track_exact_nll: bool,
        seed: u64,
    ) -> PyResult<Self> {
        let config = Config {
            n_hidden,
            units,
            hidden_units,
            biases,
            weights,
            k,
            binarize,
            clip,
            init_std,
            estimator,
            gibbs_steps,
            n_chains,
            pid_hidden,
            optimizer,
            lr,
            momentum,
            weight_decay,
            lr_decay,
            epochs,
            batch_size,
            track_exact_nll,
            seed,
        };
        let params = config.params()?;
        Ok(PyRbm {
            config,
            params,
            state: None,
            needs_init: false,
            loaded: None,
            history: Vec::new(),
        })
    }

    /// The constructor's arguments as a dict (scikit-learn's `get_params`).
    #[pyo3(signature = (deep=true))]
    fn get_params<'py>(&self, py: Python<'py>, deep: bool) -> PyResult<Bound<'py, PyDict>> {
        let _ = deep;
        self.config.to_dict(py)
    }

    /// Sets constructor arguments by name (scikit-learn's `set_params`); checks them at once.
    #[pyo3(signature = (**params))]
    fn set_params<'py>(
        mut slf: PyRefMut<'py, Self>,
        params: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let py = slf.py();
        let all = slf.config.to_dict(py)?;
        if let Some(p) = params {
            for (k, v) in p.iter() {
                let name: String = k.extract()?;
                if !all.contains(&name)? {
                    return Err(invalid(&name, "no such parameter of RBM"));
                }
                all.set_item(name, v)?;
            }
        }
        let cls = py.get_type::<PyRbm>();
        let fresh = cls.call((), Some(&all))?;
        let fresh = fresh.cast::<PyRbm>()?.borrow();
        slf.config = fresh.config.clone();
        slf.params = fresh.params.clone();
        Ok(slf)
    }

    fn __repr__(&self) -> String {
        let c = &self.config;
        format!(
            "RBM(n_hidden={}, units='{}', weights='{}', estimator='{}', optimizer='{}', lr={}, epochs={}, batch_size={}, seed={})",
            c.n_hidden,
            c.units,
            c.weights,
            c.estimator,
            c.optimizer,
            c.lr,
            c.epochs,
            c.batch_size,
            c.seed
        )
    }

    /// Trains a fresh model on `X (n_samples, n_visible)` (values ±1 for spin visible units, in
    /// [0, 1] for bit units) for `epochs` epochs from `seed`; returns self. `callback(stage, step,
    /// total, metrics)` is called after each epoch. The GIL is released; Ctrl-C stops it.
    #[pyo3(signature = (X, y=None, *, callback=None))]
    #[allow(non_snake_case)]
    fn fit<'py>(
        mut slf: PyRefMut<'py, Self>,
        X: &Bound<'py, PyAny>,
        y: Option<&Bound<'py, PyAny>>,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let _ = y;
        slf.state = None;
        slf.needs_init = false;
        slf.loaded = None;
        let data = slf.training_data(X)?;
        let params = slf.params.clone();
        let seed = Seed(slf.config.seed);
        let mut obs = PyObserver::new(callback);
        let r = slf.py().detach(|| {
            let trainer = spinlearn_rbm::train::Trainer::new(params, seed);
            let mut state = trainer.init(data.ncols())?;
            let summary = trainer.run_observed(&mut state, data.view(), &mut Epochs(&mut obs))?;
            Ok((state, summary))
        });
        let (state, summary) = obs.finish(r.map_err(rbm_err))?;
        slf.state = Some(state);
        slf.history = summary.epochs;
        Ok(slf)
    }

    /// One epoch over `X` (shuffled mini-batches), starting from the current model (a fresh one
    /// on the first call); returns self.
    #[pyo3(signature = (X, y=None))]
    #[allow(non_snake_case)]
    fn partial_fit<'py>(
        mut slf: PyRefMut<'py, Self>,
        X: &Bound<'py, PyAny>,
        y: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let _ = y;
        let data = slf.training_data(X)?;
        let params = slf.params.clone();
        let seed = Seed(slf.config.seed);
        let state = slf.state.clone();
        let needs_init = slf.needs_init;
        let r = slf.py().detach(move || {
            let trainer = spinlearn_rbm::train::Trainer::new(params, seed);
            let mut state = match state {
                Some(s) => s,
                None => trainer.init(data.ncols())?,
            };
            if needs_init {
                let model = state.model();
                let (epoch, step) = (state.epoch, state.step);
                state = trainer.init_from(&model)?;
                (state.epoch, state.step) = (epoch, step);
            }
            let m = trainer.epoch(&mut state, data.view())?;
            Ok((state, m))
        });
        let (state, m) = r.map_err(rbm_err)?;
        slf.state = Some(state);
        slf.needs_init = false;
        slf.loaded = None;
        slf.history.push(m);
        Ok(slf)
    }

    /// Hidden means `E[h | v]` of `X (n_samples, n_visible)`: `(n_samples, n_hidden)`;
    /// `P(h = 1 | v)` for bit hidden units, `tanh` of the field for spins.
    #[allow(non_snake_case)]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rbm = self.rbm()?;
        let x = self.samples(X, "X")?;
        Ok(to_py2(py, rbm.hidden_mean(x.view())))
    }

    /// `fit(X)` then `transform(X)`.
    #[pyo3(signature = (X, y=None))]
    #[allow(non_snake_case)]
    fn fit_transform<'py>(
        slf: Bound<'py, Self>,
        X: &Bound<'py, PyAny>,
        y: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.call_method1("fit", (X, y))?;
        slf.call_method1("transform", (X,))
    }

    /// `n` samples `(n, n_visible)`: `steps` block Gibbs steps from uniformly random visible
    /// states, chain `i` from `Seed(seed).stream(i)` (the model's seed when `seed` is None).
    #[pyo3(signature = (n, steps=100, seed=None))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        steps: usize,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rbm = self.rbm()?;
        if n == 0 {
            return Err(invalid("n", "must be positive, got 0"));
        }
        let seed = self.seed_or(seed);
        let v = py.detach(move || spinlearn_rbm::sample::from_random_starts(&rbm, n, steps, seed));
        Ok(to_py2(py, v.mapv(f64::from)))
    }

    /// `log Z` by `method`: "exact" (enumerating the smaller layer, at most 24 units), "ais"
    /// (forward AIS, a stochastic lower bound; base biases matched to `X` when given) or
    /// "reverse-ais" (needs `X`, at least 4 rows: the first min(n_chains, half) start the chains,
    /// the base is fitted on the rest; a stochastic upper bound when `X` holds model samples).
    /// AIS draws from `Seed(seed).named("ais")`, as `spinlearn rbm eval` does.
    #[pyo3(signature = (method="exact", X=None, *, n_chains=100, n_betas=10_000, seed=None))]
    #[allow(non_snake_case)]
    fn log_z(
        &self,
        py: Python<'_>,
        method: &str,
        X: Option<&Bound<'_, PyAny>>,
        n_chains: usize,
        n_betas: usize,
        seed: Option<u64>,
    ) -> PyResult<f64> {
        let rbm = self.rbm()?;
        let x = X.map(|x| self.samples(x, "X")).transpose()?;
        let seed = self.seed_or(seed).named("ais");
        let ais = || {
            AisParams {
                n_chains,
                n_betas,
                schedule: BetaSchedule::Piecewise,
            }
            .check()
            .map_err(core_err)
        };
        let base = |rbm: &Rbm64, x: &Option<Array2<f64>>| match x {
            Some(d) => eval::base_visible_bias(rbm.units.visible, d.view()),
            None => Array1::zeros(rbm.n_visible()),
        };
        let r = match method {
            "exact" => py.detach(move || eval::exact_log_z(&rbm)),
            "ais" => {
                let p = ais()?;
                py.detach(move || {
                    let b = base(&rbm, &x);
                    eval::ais(&rbm, b.view(), &p, seed).map(|a| a.log_z)
                })
            }
            "reverse-ais" => {
                let p = ais()?;
                let d = x.ok_or_else(|| invalid("X", "reverse AIS needs start states X"))?;
                py.detach(move || {
                    eval::reverse_ais_split(&rbm, d.view(), p.n_chains(), &p, seed).map(|a| a.log_z)
                })
            }
            m => return Err(unknown("method", m, "exact, ais, reverse-ais")),
        };
        r.map_err(rbm_err)
    }

    /// Log-likelihood `log P(v)` of each row of `X`, `(n_samples,)`, with the exact `log Z`
    /// (or the one given).
    #[pyo3(signature = (X, log_z=None))]
    #[allow(non_snake_case)]
    fn score_samples<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        log_z: Option<f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let rbm = self.rbm()?;
        let x = self.samples(X, "X")?;
        let ll = py.detach(move || {
            let lz = match log_z {
                Some(l) => l,
                None => eval::exact_log_z(&rbm)?,
            };
            Ok(eval::log_likelihood(&rbm, x.view(), lz))
        });
        Ok(to_py1(py, ll.map_err(rbm_err)?))
    }

    /// Mean log-likelihood of `X` with the exact `log Z` (scikit-learn's `score`).
    #[pyo3(signature = (X, y=None))]
    #[allow(non_snake_case)]
    fn score(
        &self,
        py: Python<'_>,
        X: &Bound<'_, PyAny>,
        y: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        let _ = y;
        let rbm = self.rbm()?;
        let x = self.samples(X, "X")?;
        py.detach(move || {
            let lz = eval::exact_log_z(&rbm)?;
            Ok(eval::log_likelihood(&rbm, x.view(), lz)
                .mean()
                .unwrap_or(f64::NAN))
        })
        .map_err(rbm_err)
    }

    /// The exact ground state: `Result(energy, visible (n_visible,), hidden (n_hidden,))`.
    fn ground_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rbm = self.rbm()?;
        let g = py
            .detach(move || eval::ground_state(&rbm))
            .map_err(rbm_err)?;
        let d = PyDict::new(py);
        d.set_item("energy", g.energy)?;
        d.set_item("visible", to_py1(py, Array1::from(g.visible)))?;
        d.set_item("hidden", to_py1(py, Array1::from(g.hidden)))?;
        result(d)
    }

    /// Gibbs accessibility of the ground state (004 section V A 1): `steps` Gibbs steps from
    /// `starts` random states, streams `Seed(seed).named("access")` as in `spinlearn rbm eval`.
    #[pyo3(signature = (starts=100, steps=10, seed=None))]
    fn accessibility<'py>(
        &self,
        py: Python<'py>,
        starts: usize,
        steps: usize,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rbm = self.rbm()?;
        let seed = self.seed_or(seed).named("access");
        let a = py
            .detach(move || {
                let e = eval::ground_state(&rbm)?.energy;
                eval::gibbs_accessibility(&rbm, e, starts, steps, seed)
            })
            .map_err(rbm_err)?;
        let d = PyDict::new(py);
        d.set_item("ground_state_energy", a.ground_state_energy)?;
        d.set_item("min_energy", a.min_energy)?;
        d.set_item("mean_energy", a.mean_energy)?;
        d.set_item("accessibility", a.accessibility)?;
        d.set_item("mean_accessibility", a.mean_accessibility)?;
        result(d)
    }

    /// Reconstruction Hamming distance per row of `X` (004 Appendix C): the first `known` units
    /// are clamped, the rest sampled for `steps` Gibbs steps; `(n_samples,)`.
    #[pyo3(signature = (X, known, steps=10, seed=None))]
    #[allow(non_snake_case)]
    fn reconstruct<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        known: usize,
        steps: usize,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let rbm = self.rbm()?;
        let x = self.samples(X, "X")?;
        let seed = self.seed_or(seed).named("recon");
        let h = py
            .detach(move || eval::reconstruction_hamming(&rbm, x.view(), known, steps, seed))
            .map_err(rbm_err)?;
        Ok(to_py1(py, h))
    }

    /// Singular values of `weights_`, non-increasing.
    fn singular_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let rbm = self.rbm()?;
        let s = py
            .detach(move || eval::singular_values(&rbm))
            .map_err(rbm_err)?;
        Ok(to_py1(py, Array1::from(s)))
    }

    /// Writes the model and its training state to `path` in the `.npz` format `spinlearn rbm
    /// train` writes (`weights (n_visible, n_hidden)`, biases, patterns, `metadata`).
    fn save(&self, path: PathBuf) -> PyResult<()> {
        let state = self.state()?;
        let mut extra =
            serde_json::to_value(&self.params).map_err(|e| PyValueError::new_err(e.to_string()))?;
        extra["seed"] = serde_json::json!(self.config.seed);
        // a loaded model that was never trained here has no training state worth keeping
        let state = (!self.needs_init).then_some(state);
        io::save_npz(&path, &self.model()?, state, Some(&extra)).map_err(rbm_err)
    }

    /// Reads a model file written by `save` or by `spinlearn rbm train`; the training parameters
    /// come from its metadata where it holds them.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<PyRbm> {
        let saved = io::load_npz(&path).map_err(rbm_err)?;
        let extra = saved.metadata.get("extra");
        let seed = extra
            .and_then(|e| e.get("seed"))
            .and_then(|s| s.as_u64())
            .unwrap_or(0);
        let mut params = extra
            .and_then(|e| serde_json::from_value::<TrainParams>(e.clone()).ok())
            .unwrap_or_default();
        let (_, n_hidden) = saved.model.shape();
        params.n_hidden = n_hidden;
        params.units = saved.model.units();
        if let Some((pv, _)) = saved.model.patterns() {
            if !matches!(params.weights, WeightsSpec::Ra { .. }) {
                params.weights = WeightsSpec::Ra {
                    k: pv.nrows(),
                    binarize: Binarize::default(),
                };
            }
        } else if !matches!(params.weights, WeightsSpec::Dense { .. }) {
            params.weights = WeightsSpec::Dense { init_std: 0.01 };
            params.estimator = Estimator::Cd { gibbs_steps: 1 };
        }
        let config = Config::from_params(&params, seed);
        let params = config.params()?;
        let needs_init = saved.state.is_none();
        let state = match saved.state {
            Some(s) => s,
            None => State::from_model(&saved.model),
        };
        Ok(PyRbm {
            config,
            params,
            state: Some(state),
            needs_init,
            loaded: Some(saved.model),
            history: Vec::new(),
        })
    }

    /// Weights `W`, `(n_visible, n_hidden)` float64 (for RA models `ξ_vᵀ ξ_h / √K`).
    #[getter]
    fn weights_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let w = self.attr(|m| m.rbm().weights)?;
        Ok(to_py2(py, w))
    }

    /// Visible biases `a`, `(n_visible,)` (zeros when the model has no biases).
    #[getter]
    fn visible_bias_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let a = self.attr(|m| m.rbm().visible_bias)?;
        Ok(to_py1(py, a))
    }

    /// Hidden biases `b`, `(n_hidden,)` (zeros when the model has no biases).
    #[getter]
    fn hidden_bias_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let b = self.attr(|m| m.rbm().hidden_bias)?;
        Ok(to_py1(py, b))
    }

    /// RA patterns `(ξ_v (K, n_visible), ξ_h (K, n_hidden))`, or None for dense weights.
    #[getter]
    fn patterns_<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let p = self.attr(|m| m.patterns().map(|(v, h)| (v.clone(), h.clone())))?;
        p.map(|(v, h)| PyTuple::new(py, [to_py2(py, v), to_py2(py, h)]))
            .transpose()
    }

    /// Number of visible units seen in `fit` (scikit-learn's `n_features_in_`).
    #[getter]
    fn n_features_in_(&self) -> PyResult<usize> {
        self.attr(|m| m.shape().0)
    }

    /// Epochs completed on the current model.
    #[getter]
    fn n_epochs_(&self) -> PyResult<usize> {
        Ok(self.state()?.epoch)
    }

    /// Per-epoch figures of the last `fit` (and later `partial_fit` calls): a list of dicts with
    /// `epoch`, `seconds`, `lr`, `weight_rms` and `exact_nll` (None unless tracked).
    #[getter]
    fn history_<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.history
            .iter()
            .map(|m| {
                let d = PyDict::new(py);
                d.set_item("epoch", m.epoch)?;
                d.set_item("seconds", m.seconds)?;
                d.set_item("lr", m.lr)?;
                d.set_item("weight_rms", m.weight_rms)?;
                d.set_item("exact_nll", m.exact_nll)?;
                Ok(d)
            })
            .collect()
    }
}
