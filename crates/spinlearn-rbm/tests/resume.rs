//! Resuming from a checkpoint: a checkpoint that does not match the requested model or estimator
//! is refused naming the parameter that differs, a checkpoint whose chains hold NaN is refused at
//! load, and the checkpoint fuzzer's saved inputs (`fuzz/regressions/checkpoint/`) load or fail
//! cleanly and, when they pass the checks, resume without a panic.

use ndarray::Array2;
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_rbm::UnitsSpec;
use spinlearn_rbm::io::{load_npz, load_npz_bytes, save_npz};
use spinlearn_rbm::train::{Binarize, Estimator, State, TrainParams, Trainer, WeightsSpec};
use std::path::Path;

fn params(weights: WeightsSpec, estimator: Estimator) -> TrainParams {
    TrainParams {
        n_hidden: 3,
        units: UnitsSpec::BITS_WITH_BIAS,
        weights,
        estimator,
        epochs: 2,
        batch_size: 2,
        ..TrainParams::default()
    }
}

const DENSE: WeightsSpec = WeightsSpec::Dense { init_std: 0.1 };
const RA: WeightsSpec = WeightsSpec::Ra {
    k: 2,
    binarize: Binarize::Sign,
};
const CD: Estimator = Estimator::Cd { gibbs_steps: 1 };
const PCD4: Estimator = Estimator::Pcd {
    gibbs_steps: 1,
    n_chains: 4,
};

fn data() -> Array2<f32> {
    Array2::from_shape_fn((4, 5), |(i, j)| ((i + j) % 2) as f32)
}

fn trained(weights: WeightsSpec, estimator: Estimator) -> State {
    let t = Trainer::new(params(weights, estimator).check().unwrap(), Seed(1));
    let mut st = t.init(5).unwrap();
    t.run(&mut st, data().view(), &mut NoObserver).unwrap();
    st
}

fn refusal(st: &State, weights: WeightsSpec, estimator: Estimator) -> String {
    let t = Trainer::new(params(weights, estimator).check().unwrap(), Seed(1));
    t.check_state(st, 5).unwrap_err().to_string()
}

#[test]
fn mismatched_checkpoints_are_refused_naming_the_parameter() {
    let dense_cd = trained(DENSE, CD);
    let ra_cd = trained(RA, CD);
    let dense_pcd = trained(DENSE, PCD4);
    // The same model and estimator resumes.
    for (st, w, e) in [
        (&dense_cd, DENSE, CD),
        (&ra_cd, RA, CD),
        (&dense_pcd, DENSE, PCD4),
    ] {
        let t = Trainer::new(params(w, e).check().unwrap(), Seed(1));
        t.check_state(st, 5).unwrap();
    }
    // A dense checkpoint with weights = ra (this panicked in binarize_epoch) and the reverse.
    assert!(refusal(&dense_cd, RA, CD).contains("`weights`"));
    assert!(refusal(&ra_cd, DENSE, CD).contains("`weights`"));
    // Another K.
    let ra3 = WeightsSpec::Ra {
        k: 3,
        binarize: Binarize::Sign,
    };
    assert!(refusal(&ra_cd, ra3, CD).contains("`k`"));
    // PCD chains: another count, none at all, or chains given to CD.
    let pcd7 = Estimator::Pcd {
        gibbs_steps: 1,
        n_chains: 7,
    };
    let e = refusal(&dense_pcd, DENSE, pcd7);
    assert!(
        e.contains("`n_chains`") && e.contains("4 PCD chains"),
        "{e}"
    );
    assert!(refusal(&dense_cd, DENSE, PCD4).contains("`estimator`"));
    assert!(refusal(&dense_pcd, DENSE, CD).contains("`estimator`"));
    // Other widths.
    let t = Trainer::new(params(DENSE, CD).check().unwrap(), Seed(1));
    assert!(
        t.check_state(&dense_cd, 6)
            .unwrap_err()
            .to_string()
            .contains("visible")
    );
    let mut p = params(DENSE, CD);
    p.n_hidden = 4;
    let t = Trainer::new(p.check().unwrap(), Seed(1));
    assert!(
        t.check_state(&dense_cd, 5)
            .unwrap_err()
            .to_string()
            .contains("`n_hidden`")
    );
    // Non-finite chains in a state built in memory.
    let mut bad = dense_pcd.clone();
    if let Some(c) = bad.chains.visible.as_mut() {
        c[[0, 0]] = f32::NAN;
    }
    assert!(refusal(&bad, DENSE, PCD4).contains("NaN"));
}

#[test]
fn a_checkpoint_with_nan_chains_is_refused_at_load() {
    let dir = std::env::temp_dir().join(format!("spinlearn-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("ckpt.npz");
    let mut st = trained(DENSE, PCD4);
    st.chains.visible.as_mut().unwrap().fill(f32::NAN);
    save_npz(&p, &st.model(), Some(&st), None).unwrap();
    let e = load_npz(&p).unwrap_err().to_string();
    assert!(
        e.contains("ckpt.npz[state_chains]: non-finite value NaN"),
        "{e}"
    );
    // The history of epochs travels with the checkpoint.
    let st = trained(DENSE, CD);
    save_npz(&p, &st.model(), Some(&st), None).unwrap();
    let back = load_npz(&p).unwrap().state.unwrap();
    assert_eq!(back.history.len(), 2);
    assert_eq!(back.history[1].epoch, 2);
    std::fs::remove_dir_all(&dir).ok();
}

/// What `fuzz/fuzz_targets/checkpoint.rs` does with one input.
fn resume_as_the_fuzzer(bytes: &[u8]) {
    let Ok(saved) = load_npz_bytes(bytes, Path::new("in.npz")) else {
        return;
    };
    let (nv, nh) = saved.model.shape();
    let Some(state) = saved.state else { return };
    let k = state.patterns.as_ref().map_or(1, |p| p.0.nrows());
    let chains = state.chains.visible.as_ref().map(|c| c.nrows());
    for weights in [
        DENSE,
        WeightsSpec::Ra {
            k: k.max(1),
            binarize: Binarize::Sign,
        },
    ] {
        for estimator in [
            CD,
            Estimator::Pcd {
                gibbs_steps: 1,
                n_chains: chains.unwrap_or(2).max(1),
            },
        ] {
            let p = TrainParams {
                n_hidden: nh.max(1),
                units: saved.model.units(),
                weights,
                estimator,
                epochs: state.epoch.saturating_add(1),
                batch_size: 2,
                ..TrainParams::default()
            };
            let Ok(p) = p.check() else { continue };
            let t = Trainer::new(p, Seed(1));
            if t.check_state(&state, nv).is_err() || nv == 0 || nv * nh > 4096 {
                continue;
            }
            let mut st = state.clone();
            let x = Array2::<f32>::from_shape_fn((2, nv), |(i, j)| ((i + j) % 2) as f32);
            let _ = t.run(&mut st, x.view(), &mut NoObserver);
        }
    }
}

#[test]
fn fuzz_regressions_replay() {
    spinlearn_core::mem::set_limit(1 << 28);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/checkpoint");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        resume_as_the_fuzzer(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}
