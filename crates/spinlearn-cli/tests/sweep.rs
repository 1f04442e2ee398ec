//! Sweeps through the binary (local executor, Slurm script without a cluster), run-directory
//! safety (non-empty `--out`, `--overwrite`, the lock, placeholders) and signals. The real-Slurm
//! test is `tests/slurm.rs`.

mod common;

use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// A 6-task sweep (3 values of C x 2 seeds) of `attractor simulate` at small N, into `out`.
fn sweep_file(dir: &Path, out: &Path) -> std::path::PathBuf {
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        format!(
            "kind = \"attractor simulate\"\nn = 200\nc = 0.2\npatterns = 6\nrealizations = 2\nseed = 7\n\
             [sweep]\nout = \"{}\"\nseeds = 2\nc_well = [1.5, 2.7, 4.0]\n",
            out.display()
        ),
    )
    .unwrap();
    file
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn local_sweep_plans_runs_resumes_and_collects() {
    let dir = tmp("sweep-local");
    let out = dir.join("s");
    let file = sweep_file(&dir, &out);
    let f = file.to_str().unwrap();
    let plan = run(&["sweep", "plan", f]);
    assert_ok(&plan);
    assert_eq!(text(&plan).trim(), "6");
    let tasks = read_json(&out.join("tasks.json"));
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 6);
    assert_eq!(tasks["tasks"][3]["params"]["c_well"], 2.7);
    assert_eq!(tasks["tasks"][3]["params"]["seed"], 8);
    assert_eq!(tasks["tasks"][3]["id"], "t003");

    assert_ok(&run(&[
        "sweep",
        "run",
        f,
        "--executor",
        "local",
        "--jobs",
        "2",
        "--quiet",
    ]));
    for i in 0..6 {
        let rec = read_json(&out.join(format!("t{i:03}")).join("run.json"));
        assert_eq!(rec["status"], "complete");
        assert_eq!(
            rec["threads"], 1,
            "threads divided among the 2 jobs of 2 cores or fewer"
        );
    }
    let st = run(&["sweep", "status", f]);
    assert_ok(&st);
    assert!(text(&st).contains("complete 6"), "{}", text(&st));

    // Resume: an interrupted task is run again, the complete ones are left alone.
    let t2 = out.join("t002").join("run.json");
    let mut rec = read_json(&t2);
    rec["status"] = "interrupted".into();
    std::fs::write(&t2, rec.to_string()).unwrap();
    let t4_before = std::fs::read_to_string(out.join("t004").join("run.json")).unwrap();
    let again = run(&["sweep", "run", f, "--executor", "local"]);
    assert_ok(&again);
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(
        log.contains("1 to run") && log.contains("t002 complete"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("t004").join("run.json")).unwrap(),
        t4_before
    );

    // Collect: one row per task, the swept parameters and the summary's figures.
    let table = dir.join("table.csv");
    let col = run(&[
        "sweep",
        "collect",
        f,
        "--out",
        table.to_str().unwrap(),
        "--plot",
        "c_well",
        "capacity",
        "--hue",
        "seed",
    ]);
    assert_ok(&col);
    let csv = std::fs::read_to_string(&table).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..4], ["task", "c_well", "seed", "wall_seconds"]);
    assert!(
        header.contains(&"capacity") && header.contains(&"capacity_std"),
        "{header:?}"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[5][..3], ["t005", "4", "8"]);
    assert!(dir.join("table-capacity-vs-c_well.png").is_file());
    assert!(dir.join("table-capacity-vs-c_well.svg").is_file());
    // The same task run alone gives the same figures (seeded per task).
    let solo = dir.join("solo");
    assert_ok(&run(&[
        "attractor",
        "simulate",
        "--n",
        "200",
        "--c",
        "0.2",
        "--patterns",
        "6",
        "--realizations",
        "2",
        "--c-well",
        "4.0",
        "--seed",
        "8",
        "--quiet",
        "--out",
        solo.to_str().unwrap(),
    ]));
    let a = read_json(&solo.join("summary.json"));
    let b = read_json(&out.join("t005").join("summary.json"));
    assert_eq!(a, b);

    // A changed grid never resumes into this sweep's directory.
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("4.0]", "5.0]"),
    )
    .unwrap();
    let changed = run(&["sweep", "run", f]);
    assert_bad(&changed, &["`sweep.out`", "holds sweep"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sweep_bad_input_is_one_line() {
    let dir = tmp("sweep-bad");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "kind = \"attractor simulate\"\nbogus = 1\n[sweep]\nc_well = [1.0]\n",
    )
    .unwrap();
    assert_bad(&run(&["sweep", "plan", file.to_str().unwrap()]), &["bogus"]);
    std::fs::write(
        &file,
        "kind = \"attractor simulate\"\n[sweep]\nc_well = []\n",
    )
    .unwrap();
    assert_bad(
        &run(&["sweep", "plan", file.to_str().unwrap()]),
        &["`sweep.c_well`"],
    );
    let good = sweep_file(&dir, &dir.join("s"));
    let g = good.to_str().unwrap();
    assert_bad(&run(&["sweep", "task", g, "--index", "6"]), &["`--index`"]);
    assert_bad(&run(&["sweep", "run", g, "--out", "x"]), &["`--out`"]);
    assert_bad(&run(&["sweep", "collect", g]), &["no complete task"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn slurm_dry_run_writes_the_array_script() {
    let dir = tmp("sweep-slurm-dry");
    let out = dir.join("s");
    let file = sweep_file(&dir, &out);
    std::fs::write(
        &file,
        std::fs::read_to_string(&file).unwrap() + "[slurm]\ntime = \"00:05:00\"\nmem = \"500M\"\n",
    )
    .unwrap();
    let r = run(&[
        "sweep",
        "run",
        file.to_str().unwrap(),
        "--executor",
        "slurm",
        "--dry-run",
        "--max-parallel",
        "2",
        "--partition",
        "debug",
        "--sbatch=--qos=short",
    ]);
    assert_ok(&r);
    let script = std::fs::read_to_string(out.join("slurm").join("array-0.sh")).unwrap();
    for want in [
        "#SBATCH --array=0-5%2",
        "#SBATCH --time=00:05:00",
        "#SBATCH --mem=500M",
        "#SBATCH --partition=debug",
        "#SBATCH --qos=short",
        "sweep task",
        "--index \"$SLURM_ARRAY_TASK_ID\"",
    ] {
        assert!(script.contains(want), "{want} not in\n{script}");
    }
    assert!(!out.join("slurm").join("jobs.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn status_finds_a_run_killed_without_a_word() {
    let dir = tmp("sweep-stale");
    let out = dir.join("s");
    let file = sweep_file(&dir, &out);
    let f = file.to_str().unwrap();
    assert_ok(&run(&["sweep", "plan", f]));
    let t1 = out.join("t001");
    std::fs::create_dir_all(&t1).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    std::fs::write(
        t1.join("run.json"),
        serde_json::json!({"status": "running", "command": [], "kind": "attractor simulate",
            "config": null, "seed": 8, "version": "0", "started": "2026-01-01T00:00:00Z",
            "threads": 1, "pid": 4_999_999, "host": host.trim()})
        .to_string(),
    )
    .unwrap();
    let st = run(&["sweep", "status", f, "--tasks"]);
    assert_ok(&st);
    let t = text(&st);
    if Path::new("/proc/self").exists() {
        assert!(t.contains("stale 1") && t.contains("pending 5"), "{t}");
        assert!(t.contains("t001 stale"), "{t}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn out_must_be_empty_unless_overwrite() {
    let dir = tmp("out-safety");
    let out = dir.join("run");
    let o = out.to_str().unwrap();
    let sim = |extra: &[&str]| {
        let mut a = vec![
            "attractor",
            "simulate",
            "--n",
            "200",
            "--c",
            "0.2",
            "--patterns",
            "5",
            "--quiet",
            "--seed",
            "3",
            "--out",
            o,
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    assert_ok(&sim(&[]));
    let first = std::fs::read_to_string(out.join("run.json")).unwrap();
    let again = sim(&[]);
    assert_bad(
        &again,
        &[
            "`--out`",
            "not empty",
            "complete `attractor simulate` run",
            "--overwrite",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(out.join("run.json")).unwrap(),
        first,
        "refused run touched the record"
    );
    std::fs::write(out.join("leftover.txt"), "old").unwrap();
    assert_ok(&sim(&["--overwrite"]));
    assert!(
        !out.join("leftover.txt").exists(),
        "--overwrite replaces the old run's files"
    );
    assert_eq!(read_json(&out.join("run.json"))["status"], "complete");

    // A run reading its input from another run's directory: refused, and with --overwrite
    // refused too (it would delete the input); the first run's record is untouched.
    let model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/fixtures/bars4-ra-rbm.npz");
    std::fs::copy(&model, out.join("model.npz")).unwrap();
    let before = std::fs::read_to_string(out.join("run.json")).unwrap();
    let m = out.join("model.npz");
    let sample = |extra: &str| {
        let mut a = vec![
            "rbm",
            "sample",
            "--model",
            m.to_str().unwrap(),
            "--quiet",
            "--out",
            o,
        ];
        if !extra.is_empty() {
            a.push(extra);
        }
        run(&a)
    };
    assert_bad(&sample(""), &["`--out`", "not empty"]);
    assert_bad(
        &sample("--overwrite"),
        &["`--out`", "`--model`", "choose another directory"],
    );
    assert_eq!(
        std::fs::read_to_string(out.join("run.json")).unwrap(),
        before
    );
    assert!(out.join("summary.json").exists() && m.exists());

    // A directory that is not a run's is never cleared.
    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "x").unwrap();
    let r = run(&[
        "attractor",
        "simulate",
        "--n",
        "200",
        "--patterns",
        "5",
        "--quiet",
        "--overwrite",
        "--out",
        mine.to_str().unwrap(),
    ]);
    assert_bad(&r, &["`--out`", "not a run directory"]);
    assert!(mine.join("thesis.tex").exists());

    // A live run's lock: "directory in use", and its record is untouched.
    let busy = dir.join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    std::fs::write(
        busy.join("run.lock"),
        format!("{} {}\n", std::process::id(), host.trim()),
    )
    .unwrap();
    let r = run(&[
        "attractor",
        "simulate",
        "--n",
        "200",
        "--patterns",
        "5",
        "--quiet",
        "--out",
        busy.to_str().unwrap(),
    ]);
    assert_bad(&r, &["`--out`", "directory in use"]);
    assert!(!busy.join("run.json").exists());

    // Placeholders.
    let p = dir.join("s{seed}-{date}");
    assert_ok(&run(&[
        "attractor",
        "simulate",
        "--n",
        "200",
        "--patterns",
        "5",
        "--quiet",
        "--seed",
        "42",
        "--out",
        p.to_str().unwrap(),
    ]));
    let made: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("s42-20"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let t = dir.join("t-{task}");
    let r = common::bin()
        .args([
            "attractor",
            "simulate",
            "--n",
            "200",
            "--patterns",
            "5",
            "--quiet",
            "--out",
            t.to_str().unwrap(),
        ])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert_bad(&r, &["`--out`", "{task}"]);
    let r = run(&[
        "attractor",
        "simulate",
        "--quiet",
        "--out",
        dir.join("{nope}").to_str().unwrap(),
    ]);
    assert_bad(&r, &["`--out`", "{nope}"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
fn signal_run(sig: i32, want_code: i32, name: &str) {
    let dir = tmp(&format!("signal-{sig}"));
    let out = dir.join("run");
    let mut child = common::bin()
        .args([
            "attractor",
            "simulate",
            "--n",
            "300",
            "--c",
            "0.2",
            "--patterns",
            "8",
            "--realizations",
            "100000",
            "--quiet",
            "--seed",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join("run.json").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "run.json never written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    unsafe {
        libc::kill(child.id() as libc::pid_t, sig);
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(want_code), "{err}");
    assert!(err.contains(&format!("interrupted by {name}")), "{err}");
    let rec = read_json(&out.join("run.json"));
    assert_eq!(rec["status"], "interrupted");
    assert_eq!(rec["error"], format!("interrupted by {name}"));
    assert!(rec["finished"].is_string() && rec["wall_seconds"].is_number());
    assert!(!out.join("summary.json").exists());
    assert!(!out.join("run.lock").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_mark_the_run_interrupted() {
    signal_run(libc::SIGTERM, 143, "SIGTERM");
    signal_run(libc::SIGINT, 130, "SIGINT");
}

#[test]
fn reproduce_sections_as_a_sweep() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/sweeps/reproduce-full.toml");
    let dir = tmp("reproduce-sweep");
    let r = common::bin()
        .current_dir(&dir)
        .args(["sweep", "plan", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_ok(&r);
    let n: usize = text(&r).trim().parse().unwrap();
    assert!(n >= 6, "{n}");
    let plan = read_json(&dir.join("out/sweep-reproduce-full/tasks.json"));
    assert_eq!(plan["kind"], "reproduce");
    assert_eq!(plan["tasks"][0]["config"]["full"], true);
    // The same sweep at smoke sizes, two sections: each a task, merged into one report.
    let smoke = dir.join("smoke.toml");
    std::fs::write(
        &smoke,
        "kind = \"reproduce\"\nsmoke = true\nseed = 1\n[sweep]\nout = \"r\"\nsection = [\"data\", \"ising-activation\"]\n",
    )
    .unwrap();
    let s = smoke.to_str().unwrap();
    let sweep = |args: &[&str]| common::bin().current_dir(&dir).args(args).output().unwrap();
    assert_ok(&sweep(&["sweep", "run", s, "--jobs", "2", "--quiet"]));
    assert_ok(&sweep(&["sweep", "collect", s, "--quiet"]));
    let html = std::fs::read_to_string(dir.join("r/report/index.html")).unwrap();
    assert!(html.contains("data/mnist_grid.png"), "data section missing");
    assert!(
        html.contains("ising-activation/"),
        "ising-activation section missing"
    );
    let claims = read_json(&dir.join("r/report/claims.json"));
    assert!(!claims.as_array().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `v` without timings (`seconds`, `train_seconds`, anywhere).
fn without_timings(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.ends_with("seconds"))
                .map(|(k, x)| (k.clone(), without_timings(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_timings).collect()),
        x => x.clone(),
    }
}

/// `reproduce relevance --emit-sweep`: the section's units as 3 tasks, run by the local
/// executor, merged by `sweep collect` into the section as one process writes it (summary, claims,
/// results equal apart from timings); a partial merge names the missing units; bad shard flags
/// fail with one line.
#[test]
fn reproduce_section_as_shards_through_a_local_sweep() {
    let dir = tmp("reproduce-shards");
    let cli = |args: &[&str]| common::bin().current_dir(&dir).args(args).output().unwrap();
    let emitted = cli(&[
        "reproduce",
        "relevance",
        "--smoke",
        "--emit-sweep",
        "rel.toml",
        "--tasks",
        "3",
        "--seed",
        "4",
        "--out",
        "sw",
        "--quiet",
    ]);
    assert_ok(&emitted);
    let toml_text = std::fs::read_to_string(dir.join("rel.toml")).unwrap();
    assert!(
        toml_text.contains("shard = [\"0/3\", \"1/3\", \"2/3\"]"),
        "{toml_text}"
    );
    // A second emit does not replace the file without --overwrite.
    assert_bad(
        &cli(&[
            "reproduce",
            "relevance",
            "--smoke",
            "--emit-sweep",
            "rel.toml",
        ]),
        &["--emit-sweep", "exists"],
    );
    assert_ok(&cli(&[
        "sweep", "run", "rel.toml", "--jobs", "2", "--quiet",
    ]));
    // Two of the three shards: the merge names what is missing and leaves no section behind.
    assert_bad(
        &cli(&[
            "reproduce",
            "relevance",
            "--merge",
            "sw/t000",
            "sw/t002",
            "--out",
            "part",
        ]),
        &["merge", "3 of 9 units missing", "realization-000"],
    );
    assert!(!dir.join("part/relevance").exists());
    assert_ok(&cli(&["sweep", "collect", "rel.toml", "--quiet"]));
    assert_ok(&cli(&[
        "reproduce",
        "relevance",
        "--smoke",
        "--seed",
        "4",
        "--out",
        "one",
        "--quiet",
    ]));
    for f in ["summary.json", "claims.json", "results.json"] {
        let one = without_timings(&read_json(&dir.join("one/relevance").join(f)));
        let merged = without_timings(&read_json(&dir.join("sw/report/relevance").join(f)));
        assert!(
            one == merged,
            "relevance/{f}: the merged shards differ from one process"
        );
    }
    assert!(dir.join("sw/report/index.html").is_file());
    assert_bad(
        &cli(&["reproduce", "data", "--smoke", "--shard", "0/2"]),
        &["section", "does not run as shards"],
    );
    assert_bad(
        &cli(&["reproduce", "relevance", "--smoke", "--shard", "3/3"]),
        &["shard", "3/3"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
