//! A model or checkpoint file (`.npz`) must load or give an error, never panic. A loaded
//! checkpoint is resumed as `rbm train --resume` does: checked against training parameters of its
//! own kind (and against a dense and an RA spec), then, when it passes and is small, trained for
//! one epoch.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_rbm::train::{Binarize, Estimator, TrainParams, Trainer, WeightsSpec};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    spinlearn_core::mem::set_limit(1 << 28);
    let Ok(saved) = spinlearn_rbm::io::load_npz_bytes(data, Path::new("fuzz.npz")) else {
        return;
    };
    let (nv, nh) = saved.model.shape();
    let _ = saved.model.units();
    let Some(state) = saved.state else {
        return;
    };
    let k = state.patterns.as_ref().map(|p| p.0.nrows()).unwrap_or(1);
    let chains = state.chains.visible.as_ref().map(|c| c.nrows());
    for weights in [
        WeightsSpec::Dense { init_std: 0.01 },
        WeightsSpec::Ra {
            k: k.max(1),
            binarize: Binarize::Sign,
        },
    ] {
        for estimator in [
            Estimator::Cd { gibbs_steps: 1 },
            Estimator::Pcd {
                gibbs_steps: 1,
                n_chains: chains.unwrap_or(2).max(1),
            },
        ] {
            let params = TrainParams {
                n_hidden: nh.max(1),
                units: saved.model.units(),
                weights,
                estimator,
                epochs: state.epoch.saturating_add(1),
                batch_size: 2,
                ..TrainParams::default()
            };
            let Ok(p) = params.check() else { continue };
            let trainer = Trainer::new(p, Seed(1));
            if trainer.check_state(&state, nv).is_err() || nv * nh > 4096 || nv == 0 {
                continue;
            }
            let mut st = state.clone();
            let x = ndarray::Array2::<f32>::from_shape_fn((2, nv), |(i, j)| ((i + j) % 2) as f32);
            let _ = trainer.run(&mut st, x.view(), &mut NoObserver);
        }
    }
});
