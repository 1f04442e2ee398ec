//! `spinlearn attractor`: every flag's invalid value is reported under the flag's own name (one
//! line, exit code 2, no run directory), and each subcommand writes its tables and figures.

mod common;
use common::*;

#[test]
fn every_flag_error_names_the_flag() {
    let d = tmp("bad");
    let cases: &[(&str, &[&str], &str)] = &[
        ("simulate", &["--patterns", "0"], "`patterns`"),
        ("simulate", &["--n", "1"], "`n`"),
        ("simulate", &["--c", "0"], "`c`"),
        ("simulate", &["--f", "1"], "`f`"),
        ("simulate", &["--rule", "hebb"], "`rule`"),
        ("simulate", &["--r1=-1"], "`r1`"),
        ("simulate", &["--r2", "0"], "`r2`"),
        ("simulate", &["--r3=-1"], "`r3`"),
        ("simulate", &["--c-well=-1"], "`c_well`"),
        ("simulate", &["--theta", "NaN"], "`theta`"),
        ("simulate", &["--realizations", "0"], "`realizations`"),
        ("simulate", &["--threshold", "2"], "`threshold`"),
        ("simulate", &["--max-sweeps", "0"], "`max_sweeps`"),
        ("theory", &["--max-age", "0"], "`max_age`"),
        ("theory", &["--eps", "2"], "`eps`"),
        ("theory", &["--threshold=-0.5"], "`threshold`"),
        ("theory", &["--cells-per-r2", "1"], "`cells_per_r2`"),
        ("theory", &["--r1", "0"], "`r1`"),
        ("theory", &["--rule", "amit-fusi"], "`rule`"),
        ("theory", &["--f", "0.1"], "`f`"),
        ("theory", &["--theta", "1"], "`theta`"),
        ("capacity-scan", &["--values", "1,x"], "`values`"),
        ("capacity-scan", &["--values", ""], "`values`"),
        (
            "capacity-scan",
            &["--sweep", "n", "--values", "1000.5"],
            "`values`",
        ),
        ("capacity-scan", &["--max-age", "0"], "`max_age`"),
        (
            "capacity-scan",
            &["--sim", "--realizations", "0"],
            "`realizations`",
        ),
        (
            "capacity-scan",
            &["--sweep", "r1", "--values", "0.1,-1"],
            "`r1`",
        ),
    ];
    for (k, (cmd, flags, name)) in cases.iter().enumerate() {
        let out_dir = d.join(k.to_string());
        let mut args = vec!["-q", "--out", out_dir.to_str().unwrap(), "attractor", cmd];
        args.extend_from_slice(flags);
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd} {flags:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{cmd} {flags:?}: {err}");
        assert!(err.contains(name), "{cmd} {flags:?}: {name} not in {err}");
        assert!(!out_dir.exists(), "{cmd} {flags:?} left a run directory");
    }
}

#[test]
fn subcommands_write_tables_and_figures() {
    let d = tmp("ok");
    let sim = d.join("sim");
    let out = run(&[
        "-q",
        "--seed",
        "3",
        "--out",
        sim.to_str().unwrap(),
        "attractor",
        "simulate",
        "--n",
        "400",
        "--c",
        "0.2",
        "--patterns",
        "6",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(sim.join("overlaps.csv")).unwrap();
    assert!(csv.starts_with("age,m_v_mean,m_v_std,m_u_mean\n"));
    assert_eq!(csv.lines().count(), 7);
    assert!(sim.join("overlaps.png").exists() && sim.join("realizations.json").exists());
    assert!(read_json(&sim.join("summary.json"))["capacity"].is_f64());

    let th = d.join("theory");
    let out = run(&[
        "-q",
        "--out",
        th.to_str().unwrap(),
        "attractor",
        "theory",
        "--n",
        "2000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The stationary density is a probability mass function.
    let dens = std::fs::read_to_string(th.join("stationary_density.csv")).unwrap();
    let total: f64 = dens
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert!(th.join("overlaps.csv").exists() && th.join("overlaps.svg").exists());

    let scan = d.join("scan");
    let out = run(&[
        "-q",
        "--out",
        scan.to_str().unwrap(),
        "attractor",
        "capacity-scan",
        "--n",
        "2000",
        "--values",
        "0,2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_json(&scan.join("summary.json"));
    assert_eq!(s["sweep"], "C");
    assert_eq!(s["values"], serde_json::json!([0.0, 2.0]));
    let csv = std::fs::read_to_string(scan.join("scan.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3);
    assert!(scan.join("capacity.png").exists());
}

#[test]
fn binarized_weights_and_theory_conventions_are_flags() {
    let d = tmp("flags");
    let sim = |dir: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "-q",
            "--seed",
            "5",
            "--out",
            dir.to_str().unwrap(),
            "attractor",
            "simulate",
            "--n",
            "2000",
            "--c",
            "0.5",
            "--patterns",
            "12",
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(dir.join("overlaps.csv")).unwrap()
    };
    let (analog, binary) = (
        sim(&d.join("analog"), &[]),
        sim(&d.join("binary"), &["--binarized"]),
    );
    // Same seed, same learning: only the weights the dynamics sees differ.
    assert_ne!(analog, binary);
    let run_json = read_json(&d.join("binary").join("run.json"));
    assert_eq!(run_json["config"]["binarized"], true, "{run_json}");
    assert!(read_json(&d.join("binary").join("summary.json"))["capacity_count"].is_f64());

    let cap = |name: &str, extra: &[&str]| {
        let dir = d.join(name);
        let mut args = vec![
            "-q",
            "--out",
            dir.to_str().unwrap(),
            "attractor",
            "theory",
            "--n",
            "30000",
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        read_json(&dir.join("summary.json"))["capacity"]
            .as_u64()
            .unwrap()
    };
    let ours = cap("ours", &[]);
    let authors = cap(
        "authors",
        &["--authors-timing", "--without-recent-variance"],
    );
    assert!(authors > ours, "{authors} vs {ours}");
}
