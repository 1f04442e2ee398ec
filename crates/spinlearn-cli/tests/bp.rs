//! End-to-end tests of `spinlearn bp learn|sweep`: data selection through the common flags,
//! rasters, output files, and errors that name the flag.

mod common;
use common::*;
use std::path::Path;

#[test]
fn learn_on_one_digit_gives_the_single_sample_closed_form() {
    let d = tmp("learn");
    let o = d.join("one");
    let out = run(&[
        "-q",
        "--seed",
        "2",
        "bp",
        "learn",
        "--data",
        "mnist",
        "--digits",
        "0",
        "--m",
        "1",
        "--beta",
        "1.5",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_ok(&out);
    for f in [
        "marginals.npy",
        "feature.npy",
        "feature_map.png",
        "feature_map.svg",
    ] {
        assert!(o.join(f).exists(), "missing {f}");
    }
    let s = read_json(&o.join("summary.json"));
    // M = 1, N = 784: P_i(0) = 1 / (1 + 2 exp(ln cosh(beta / sqrt N) - beta² / (2N))).
    let (beta, n) = (1.5f64, 784.0f64);
    let expected =
        1.0 / (1.0 + 2.0 * ((beta / n.sqrt()).cosh().ln() - beta * beta / (2.0 * n)).exp());
    let rho = s["rho"].as_f64().unwrap();
    assert!(
        (rho - expected).abs() < 1e-12,
        "rho {rho}, expected {expected}"
    );
    assert_eq!(s["n_samples"], 1);
    assert_eq!(s["n_features"], 784);
    assert!(s["dataset"].as_str().unwrap().contains("[0]"));
}

#[test]
fn sweep_reads_a_raster_whose_rows_are_neurons() {
    let d = tmp("raster");
    // 6 neurons (rows) x 40 time bins, 0/1.
    let mut text = String::from("# neurons x bins\n");
    for i in 0..6 {
        let row: Vec<&str> = (0..40)
            .map(|t| if (t * (i + 1)) % 7 < 2 { "1" } else { "0" })
            .collect();
        text.push_str(&row.join(" "));
        text.push('\n');
    }
    let raster = d.join("raster.txt");
    std::fs::write(&raster, text).unwrap();
    let o = d.join("out");
    let out = run(&[
        "-q",
        "--seed",
        "1",
        "bp",
        "sweep",
        "--raster",
        raster.to_str().unwrap(),
        "--sizes",
        "4,8,64",
        "--selections",
        "2",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let s = read_json(&o.join("summary.json"));
    assert_eq!(s["skipped_sizes"], serde_json::json!([64]));
    assert_eq!(s["convergence"]["n_runs"], 4);
    assert!(s["rho"]["8"].as_f64().unwrap() >= 0.0);
    for f in ["rho_mcav.png", "features.svg", "runs.json"] {
        assert!(o.join(f).exists(), "missing {f}");
    }
}

#[test]
fn bad_flags_are_named_as_typed() {
    let d = tmp("bad");
    let o = d.join("x");
    let o = o.to_str().unwrap();
    for (args, needle) in [
        (vec!["bp", "learn", "--damping", "1"], "damping"),
        (vec!["bp", "learn", "--max-iter", "0"], "max_iter"),
        (vec!["bp", "learn", "--threshold", "1.5"], "threshold"),
        (vec!["bp", "sweep", "--selections", "0"], "selections"),
        (vec!["bp", "sweep", "--sizes", "0,4"], "sizes"),
        (vec!["bp", "learn", "--digits", "0", "--m", "100000"], "`m`"),
    ] {
        let mut full = args.clone();
        full.extend(["--out", o]);
        let out = run(&full);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: `{needle}` not in {err}");
        assert!(!Path::new(o).exists(), "{args:?} left a run directory");
    }
}
