//! `spinlearn ising ...`: each command writes its run directory, and each bad flag is reported by
//! the name the user typed, in one line with exit code 2.

mod common;
use common::*;

/// Asserts exit code 2 and one stderr line naming the parameter as `name` (backquoted).
fn bad_flag(args: &[&str], name: &str) {
    assert_names(&run(args), name);
}

#[test]
fn bad_flags_are_named_as_typed() {
    let d = tmp("bad");
    let out = d.to_str().unwrap();
    for (args, name) in [
        (&["--l", "8", "--t", "2", "--sweeps", "0"][..], "sweeps"),
        (&["--l", "8", "--t", "2", "--sweeps", "63"][..], "sweeps"),
        (&["--l", "1", "--t", "2"][..], "l"),
        (&["--l", "8", "--t", "-1"][..], "t"),
        (&["--l", "8", "--t", "0"][..], "t"),
        (&["--l", "8", "--t", "2", "--h", "0.1"][..], "h"),
        (
            &[
                "--l",
                "8",
                "--t",
                "2",
                "--h",
                "inf",
                "--algorithm",
                "metropolis",
            ][..],
            "h",
        ),
        (
            &["--l", "7", "--t", "2", "--algorithm", "metropolis"][..],
            "l",
        ),
        (
            &["--l", "7", "--t", "2", "--algorithm", "multispin"][..],
            "l",
        ),
        (
            &[
                "--l",
                "8",
                "--t",
                "2",
                "--h",
                "0.1",
                "--algorithm",
                "multispin",
            ][..],
            "h",
        ),
    ] {
        let mut a = vec!["-q", "--out", out, "ising", "mc"];
        a.extend_from_slice(args);
        bad_flag(&a, name);
    }
    for (args, name) in [
        (&["--t", "0"][..], "t"),
        (&["--t", "1", "--tc", "-1"][..], "tc"),
        (&["--t", "1", "--h", "nan"][..], "h"),
    ] {
        let mut a = vec!["-q", "--out", out, "ising", "mean-field"];
        a.extend_from_slice(args);
        bad_flag(&a, name);
    }
    for (args, name) in [
        (&["--tc", "0"][..], "tc"),
        (&["--t-max", "0"][..], "t_max"),
        (&["--n-t", "2"][..], "n_t"),
        (&["--q-min", "1", "--q-max", "0"][..], "q_max"),
        (&["--n-q", "1"][..], "n_q"),
        (&["--rate-a", "0"][..], "rate_a"),
    ] {
        let mut a = vec!["-q", "--out", out, "ising", "activation"];
        a.extend_from_slice(args);
        bad_flag(&a, name);
    }
    assert!(!d.join("run.json").exists(), "a bad flag left a run record");
}

#[test]
fn commands_write_their_run_directories() {
    let d = tmp("ok");
    let mc = d.join("mc");
    let out = run(&[
        "-q",
        "--seed",
        "3",
        "--out",
        mc.to_str().unwrap(),
        "ising",
        "mc",
        "--l",
        "8",
        "--t",
        "2.0",
        "--therm",
        "20",
        "--sweeps",
        "128",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_json(&mc.join("summary.json"));
    assert_eq!(s["n_measured"], 128);
    assert!(s["onsager_magnetization"].as_f64().unwrap() > 0.9);
    let series = std::fs::read_to_string(mc.join("series.csv")).unwrap();
    assert_eq!(series.lines().next(), Some("sweep,m,e"));
    assert_eq!(series.lines().count(), 129);
    for stem in ["magnetization_series", "lattice"] {
        assert!(mc.join(format!("{stem}.png")).exists(), "{stem}");
    }
    // The multi-spin kernel through the same command.
    let ms = d.join("ms");
    let out = run(&[
        "-q",
        "--seed",
        "3",
        "--out",
        ms.to_str().unwrap(),
        "ising",
        "mc",
        "--l",
        "8",
        "--t",
        "2.0",
        "--therm",
        "20",
        "--sweeps",
        "128",
        "--algorithm",
        "multispin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_json(&ms.join("summary.json"));
    assert_eq!(s["n_measured"], 128);
    assert_eq!(s["algorithm"], "multispin");
    assert!(s["acceptance"].as_f64().unwrap() > 0.0);

    let mf = d.join("mf");
    let out = run(&[
        "-q",
        "--out",
        mf.to_str().unwrap(),
        "ising",
        "mean-field",
        "--t",
        "0.5",
        "--h",
        "0.05",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_json(&mf.join("summary.json"));
    assert_eq!(s["solutions"].as_array().unwrap().len(), 3);
    assert!(mf.join("free_energy.svg").exists());

    let act = d.join("act");
    let out = run(&[
        "-q",
        "--out",
        act.to_str().unwrap(),
        "ising",
        "activation",
        "--n-t",
        "40",
        "--n-q",
        "21",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = read_json(&act.join("summary.json"));
    assert_eq!(s["fit"]["n_points"], 40);
    let rates = std::fs::read_to_string(act.join("firing_rates.csv")).unwrap();
    assert!(rates.starts_with("q,tanh_rate,tanh_rate_quadrature,"));
    assert_eq!(rates.lines().count(), 22);
    for stem in ["bifurcation", "tanh_fit", "firing_rates"] {
        assert!(act.join(format!("{stem}.png")).exists(), "{stem}");
    }
    std::fs::remove_dir_all(&d).ok();
}
