//! Seconds per parameter update of PID against CD-k at equal sizes (004 Appendix D: PID costs
//! `O(K V H)` for rebuilding the weights from the patterns, CD-k `O(2 k f H V)` for the Gibbs steps
//! of a batch of `f` rows). Each figure is the wall-clock time of one epoch of `n_updates` updates
//! on uniformly random ±1 data divided by `n_updates`, after one untimed warm-up epoch; both include
//! the shared positive phase and the weight-gradient product.

use crate::Result;
use crate::model::UnitsSpec;
use crate::train::{Binarize, Estimator, Optimizer, PidHidden, TrainParams, Trainer, WeightsSpec};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use spinlearn_core::{ParamGuard, Seed, check};
use std::time::Instant;

/// Sizes of the measurement. Validate with [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingParams {
    /// Visible units V.
    pub n_visible: usize,
    /// Hidden units H.
    pub n_hidden: usize,
    /// Batch size f.
    pub batch_size: usize,
    /// Pattern counts K for PID.
    pub ks: Vec<usize>,
    /// Gibbs steps k for CD.
    pub cd_steps: Vec<usize>,
    /// Updates timed per configuration.
    pub n_updates: usize,
}

valid_params! {
    /// [`TimingParams`] that passed [`ParamGuard::check`].
    pub struct ValidTimingParams {
        /// Visible units V.
        n_visible: usize,
        /// Hidden units H.
        n_hidden: usize,
        /// Batch size f.
        batch_size: usize,
        /// Pattern counts K for PID.
        ks: Vec<usize>,
        /// Gibbs steps k for CD.
        cd_steps: Vec<usize>,
        /// Updates timed per configuration.
        n_updates: usize,
    }
}

impl ParamGuard for TimingParams {
    type Checked = ValidTimingParams;

    fn check(&self) -> spinlearn_core::Result<ValidTimingParams> {
        for &k in &self.ks {
            check::nonzero("ks", k)?;
        }
        for &k in &self.cd_steps {
            check::nonzero("cd_steps", k)?;
        }
        Ok(ValidTimingParams {
            n_visible: check::nonzero("n_visible", self.n_visible)?,
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            ks: self.ks.clone(),
            cd_steps: self.cd_steps.clone(),
            n_updates: check::nonzero("n_updates", self.n_updates)?,
        })
    }
}

/// Measured seconds per update.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimingResult {
    /// `(K, seconds per PID update)`.
    pub pid: Vec<(usize, f64)>,
    /// `(k, seconds per CD-k update)`.
    pub cd: Vec<(usize, f64)>,
}

fn seconds_per_update(
    p: &ValidTimingParams,
    seed: Seed,
    weights: WeightsSpec,
    estimator: Estimator,
    data: &Array2<f32>,
) -> Result<f64> {
    let tp = TrainParams {
        n_hidden: p.n_hidden,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights,
        estimator,
        optimizer: Optimizer::Sgd {
            lr: 1e-3,
            momentum: 0.0,
            weight_decay: 0.0,
            lr_decay: 1.0,
        },
        epochs: 2,
        batch_size: p.batch_size,
        track_exact_nll: false,
    };
    let trainer = Trainer::new(tp.check()?, seed);
    let mut state = trainer.init(p.n_visible)?;
    trainer.epoch(&mut state, data.view())?;
    let t = Instant::now();
    trainer.epoch(&mut state, data.view())?;
    Ok(t.elapsed().as_secs_f64() / p.n_updates as f64)
}

/// Times PID for each K and CD-k for each k; data and models from `seed`.
pub fn time_updates(p: &ValidTimingParams, seed: Seed) -> Result<TimingResult> {
    let n = p.batch_size * p.n_updates;
    let mut rng = seed.named("data").stream(0);
    let data = Array2::from_shape_simple_fn((n, p.n_visible), || {
        if rand::Rng::next_u32(&mut rng) & 1 == 1 {
            1.0f32
        } else {
            -1.0
        }
    });
    let mut pid = Vec::new();
    for &k in &p.ks {
        let w = WeightsSpec::Ra {
            k,
            binarize: Binarize::Sign,
        };
        let s = seconds_per_update(
            p,
            seed,
            w,
            Estimator::Pid {
                hidden: PidHidden::Mean,
            },
            &data,
        )?;
        pid.push((k, s));
    }
    let mut cd = Vec::new();
    for &k in &p.cd_steps {
        let s = seconds_per_update(
            p,
            seed,
            WeightsSpec::Dense { init_std: 0.01 },
            Estimator::Cd { gibbs_steps: k },
            &data,
        )?;
        cd.push((k, s));
    }
    Ok(TimingResult { pid, cd })
}
