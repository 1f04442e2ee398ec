//! `spinlearn rbm`: every flag's error names the flag, training resumes from its checkpoint exactly,
//! and eval/sample write their outputs.

mod common;
use common::*;
use std::path::Path;

const TRAIN: &[&str] = &["--quiet", "rbm", "train", "--data", "bars4"];

#[test]
fn every_invalid_flag_is_named_as_typed() {
    let d = tmp("flags");
    let out = d.join("run");
    let o = out.to_str().unwrap();
    for (extra, flag) in [
        (
            &["--estimator", "cd", "--gibbs-steps", "0"][..],
            "gibbs_steps",
        ),
        (
            &[
                "--estimator",
                "pid-gibbs",
                "--weights",
                "ra",
                "--gibbs-steps",
                "0",
            ][..],
            "gibbs_steps",
        ),
        (&["--estimator", "pcd", "--n-chains", "0"][..], "n_chains"),
        (&["--n-hidden", "0"][..], "n_hidden"),
        (&["--epochs", "0"][..], "epochs"),
        (&["--batch-size", "0"][..], "batch_size"),
        (&["--lr", "0"][..], "lr"),
        (&["--momentum", "2"][..], "momentum"),
        (&["--weight-decay=-1"][..], "weight_decay"),
        (&["--lr-decay", "0"][..], "lr_decay"),
        (&["--init-std=-1"][..], "init_std"),
        (&["--weights", "ra", "--k", "0"][..], "k"),
        (
            &["--weights", "ra", "--binarize", "clip", "--clip", "0"][..],
            "clip",
        ),
        (&["--estimator", "pid"][..], "estimator"),
        (&["--real-valued", "--visible", "spin"][..], "real_valued"),
        (&["--n-samples", "0"][..], "n_samples"),
        (&["--threshold", "NaN"][..], "threshold"),
        (&["--digits", "x"][..], "digits"),
    ] {
        let mut args = TRAIN.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", o]);
        assert_names(&run(&args), flag);
        assert!(
            !out.join("summary.json").exists(),
            "{flag}: a failed run left a summary"
        );
    }
    let model = "configs/fixtures/bars4-ra-rbm.npz";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let model = root.join(model);
    let m = model.to_str().unwrap();
    for (extra, flag) in [
        (&["--what", "ais", "--ais-chains", "1"][..], "ais_chains"),
        (&["--what", "ais", "--ais-betas", "1"][..], "ais_betas"),
        (&["--what", "accessibility", "--starts", "0"][..], "starts"),
        (
            &["--what", "probe", "--probe-epochs", "0"][..],
            "probe_epochs",
        ),
    ] {
        let mut args = vec!["--quiet", "rbm", "eval", "--model", m, "--data", "bars4"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", o]);
        assert_names(&run(&args), flag);
    }
    for (extra, flag) in [(&["--n", "0"][..], "n"), (&["--cols", "0"][..], "cols")] {
        let mut args = vec!["--quiet", "rbm", "sample", "--model", m];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", o]);
        assert_names(&run(&args), flag);
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn training_resumes_from_its_checkpoint_exactly() {
    let d = tmp("resume");
    let common = [
        "--quiet",
        "--seed",
        "4",
        "rbm",
        "train",
        "--data",
        "bars4",
        "--visible",
        "spin",
        "--hidden",
        "spin",
        "--biases",
        "false",
        "--n-hidden",
        "8",
        "--estimator",
        "pcd",
        "--n-chains",
        "16",
        "--batch-size",
        "4",
        "--track-exact-nll",
    ];
    let straight = d.join("straight");
    let half = d.join("half");
    let resumed = d.join("resumed");
    let with = |epochs: &str, out: &Path, resume: Option<&Path>| {
        let mut args = common.to_vec();
        args.extend_from_slice(&["--epochs", epochs, "--out", out.to_str().unwrap()]);
        if let Some(r) = resume {
            args.extend_from_slice(&["--resume", r.to_str().unwrap()]);
        }
        assert_ok(&run(&args));
    };
    with("4", &straight, None);
    with("2", &half, None);
    with("4", &resumed, Some(&half.join("model.npz")));
    let a = read_json(&straight.join("summary.json"));
    let b = read_json(&resumed.join("summary.json"));
    assert_eq!(a["epochs_completed"], 4);
    assert_eq!(b["epochs_completed"], 4);
    assert_eq!(a["final_exact_nll"], b["final_exact_nll"]);
    // epochs.json continues the checkpoint's record: epochs 1-2 from `half`, 3-4 from this run.
    let epochs = read_json(&resumed.join("epochs.json"));
    let epochs = epochs.as_array().unwrap();
    let numbers: Vec<u64> = epochs
        .iter()
        .map(|e| e["epoch"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!(
        epochs[..2],
        read_json(&half.join("epochs.json")).as_array().unwrap()[..]
    );
    assert_eq!(b["epochs_this_run"], 2);
    let ma = spinlearn_rbm::io::load_npz(&straight.join("model.npz")).unwrap();
    let mb = spinlearn_rbm::io::load_npz(&resumed.join("model.npz")).unwrap();
    assert_eq!(ma.model, mb.model);
    assert_eq!(ma.state.unwrap().epoch, 4);
    for f in ["training.png", "training.svg", "run.json"] {
        assert!(straight.join(f).exists(), "missing {f}");
    }
    // a checkpoint of other units does not resume
    let mut args = TRAIN.to_vec();
    let bad = d.join("bad");
    let ckpt = half.join("model.npz");
    args.extend_from_slice(&[
        "--resume",
        ckpt.to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_names(&run(&args), "resume");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn hidden_unit_types_train_save_and_refuse_what_they_lack() {
    let d = tmp("hidden-types");
    let o = d.join("relu");
    let out = run(&[
        "--quiet",
        "--seed",
        "3",
        "rbm",
        "train",
        "--data",
        "bars3",
        "--hidden",
        "relu",
        "--n-hidden",
        "4",
        "--estimator",
        "pcd",
        "--n-chains",
        "20",
        "--lr",
        "0.01",
        "--epochs",
        "100",
        "--batch-size",
        "6",
        "--init-std",
        "0.1",
        "--track-exact-nll",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let summary = read_json(&o.join("summary.json"));
    let nll = summary["final_exact_nll"].as_f64().unwrap();
    assert!(nll < 9.0 * std::f64::consts::LN_2, "{summary}");
    assert_eq!(summary["hidden"], "relu");
    // The model file records its hidden type; the dense-only commands refuse it in one line.
    let model = o.join("model.npz");
    let npz = spinlearn_data::npy::read_npz(&model).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&npz.text("metadata").unwrap()).unwrap();
    assert_eq!(meta["hidden"], "relu");
    let m = model.to_str().unwrap();
    assert_bad(
        &run(&[
            "--quiet",
            "rbm",
            "sample",
            "--model",
            m,
            "--out",
            d.join("s").to_str().unwrap(),
        ]),
        &["relu"],
    );
    // rbm eval: exact log Z and the data's log-likelihood; the summary's NLL is the trainer's.
    let e = d.join("eval");
    let out = run(&[
        "--quiet",
        "rbm",
        "eval",
        "--model",
        m,
        "--what",
        "exact",
        "--data",
        "bars3",
        "--out",
        e.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let ev = read_json(&e.join("summary.json"));
    let ll = ev["mean_log_likelihood"].as_f64().unwrap();
    assert!((ll + nll).abs() < 1e-9, "{ev} vs {nll}");
    assert_bad(
        &run(&[
            "--quiet",
            "rbm",
            "eval",
            "--model",
            m,
            "--what",
            "spectrum",
            "--out",
            d.join("e2").to_str().unwrap(),
        ]),
        &["`what`", "relu"],
    );
    // Unknown names list the valid ones; options the f64 trainer lacks are named.
    assert_bad(
        &run(&["rbm", "train", "--hidden", "swish"]),
        &["--hidden", "swish", "relu", "ising-tanh"],
    );
    assert_bad(
        &run(&["rbm", "train", "--hidden", "ising-rate:1:0"]),
        &["--hidden"],
    );
    let bad = d.join("bad");
    for (extra, flag) in [
        (&["--estimator", "exact"][..], "estimator"),
        (&["--weights", "ra"][..], "weights"),
        (&["--optimizer", "adam"][..], "optimizer"),
        (&["--lr", "0"][..], "lr"),
        (&["--n-hidden", "1000000000000"][..], "n_hidden"),
        (
            &["--estimator", "pcd", "--n-chains", "1000000000000"][..],
            "n_chains",
        ),
    ] {
        let mut args = vec![
            "--quiet",
            "rbm",
            "train",
            "--data",
            "bars3",
            "--hidden",
            "ising-tanh:6",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", bad.to_str().unwrap()]);
        assert_names(&run(&args), flag);
    }
    std::fs::remove_dir_all(&d).ok();
}
