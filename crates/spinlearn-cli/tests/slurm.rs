//! A sweep through a real Slurm cluster: `.ci/slurm.sh up` starts a single-node cluster on this
//! machine (what `.ci/run` does), then
//!
//!     SPINLEARN_SLURM_TEST=1 cargo test -p spinlearn-cli --test slurm -- --ignored
//!
//! Without a cluster the test is ignored; run with `--ignored` but without the variable, it fails
//! (it never passes without having talked to Slurm). It submits 6 tasks (3 values of C x 2 seeds of
//! `attractor simulate` at small N) in two job arrays (`--max-array-size 4`, as on a cluster whose
//! `MaxArraySize` is 4: tasks 4-5 run as array indices 0-1 shifted by 4), cancels one running task
//! with `scancel` (it must end `interrupted`), waits for the arrays, submits again (only the
//! cancelled task is re-run), checks
//! that every task is complete and that `collect` gives 6 rows with the swept columns, and that the
//! local executor gives the same table.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn sweep_file(dir: &Path, out: &Path) -> std::path::PathBuf {
    let file = dir.join("c.toml");
    // Each task runs for a few seconds (300 realizations of N = 1,000: about 4 s on a quiet 2-core
    // machine, release profile), so that one can be cancelled while it runs; with 40 realizations
    // of N = 400 a task took 0.16 s and sometimes finished before `scancel` reached it.
    std::fs::write(
        &file,
        format!(
            "kind = \"attractor simulate\"\nn = 1000\nc = 0.2\npatterns = 8\nrealizations = 300\nseed = 3\n\
             [sweep]\nout = \"{}\"\nseeds = 2\nc_well = [1.5, 2.7, 4.0]\n\
             [slurm]\ntime = \"00:10:00\"\ncpus = 1\nmem = \"200M\"\n",
            out.display()
        ),
    )
    .unwrap();
    file
}

fn sh(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        o.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Waits until no element of `job` is in the queue.
fn wait_job(job: &str, limit: Duration) {
    let start = Instant::now();
    loop {
        let q = sh("squeue", &["-h", "-r", "-j", job, "-o", "%i %T"]);
        if q.trim().is_empty() {
            return;
        }
        assert!(start.elapsed() < limit, "job {job} still queued: {q}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn status_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("run.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["status"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The table without its timing column.
fn table_without_times(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let skip = rows[0].iter().position(|h| h == "wall_seconds").unwrap();
    rows.into_iter()
        .map(|mut r| {
            r.remove(skip);
            r
        })
        .collect()
}

#[test]
#[ignore = "needs a Slurm cluster: .ci/slurm.sh up, then SPINLEARN_SLURM_TEST=1 cargo test -p spinlearn-cli --test slurm -- --ignored"]
fn sweep_through_a_real_slurm_cluster() {
    assert_eq!(
        std::env::var("SPINLEARN_SLURM_TEST").as_deref(),
        Ok("1"),
        "this test talks to a real Slurm cluster: start one with .ci/slurm.sh up and set SPINLEARN_SLURM_TEST=1"
    );
    let t0 = Instant::now();
    let dir = tmp("slurm");
    let out = dir.join("s");
    let file = sweep_file(&dir, &out);
    let f = file.to_str().unwrap();
    let first = run(&[
        "sweep",
        "run",
        f,
        "--executor",
        "slurm",
        "--max-parallel",
        "2",
        // as on a cluster whose MaxArraySize is 4: tasks 0-3 and 4-5 go in two arrays
        "--max-array-size",
        "4",
    ]);
    assert_ok(&first);
    let jobs: Vec<String> = String::from_utf8_lossy(&first.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(jobs.len(), 2, "two arrays: {jobs:?}");
    assert!(
        jobs.iter().all(|j| j.parse::<u64>().is_ok()),
        "sbatch job ids: {jobs:?}"
    );
    let job = jobs[0].clone();
    let second_array = std::fs::read_to_string(out.join("slurm").join("array-1.sh")).unwrap();
    assert!(
        second_array.contains("#SBATCH --array=0-1%2\n")
            && second_array.contains("--index \"$((SLURM_ARRAY_TASK_ID + 4))\""),
        "{second_array}"
    );

    // Cancel task 1 while it runs (its run.json says running).
    let t1 = out.join("t001");
    let start = Instant::now();
    while status_of(&t1) != "running" {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "task 1 never started: {}",
            String::from_utf8_lossy(&run(&["sweep", "status", f, "--tasks"]).stdout)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mid = run(&["sweep", "status", f]);
    assert!(
        String::from_utf8_lossy(&mid.stdout).contains("running "),
        "{}",
        String::from_utf8_lossy(&mid.stdout)
    );
    sh("scancel", &[&format!("{job}_1")]);
    wait_job(&job, Duration::from_secs(300));
    wait_job(&jobs[1], Duration::from_secs(300));
    assert_eq!(status_of(&t1), "interrupted");
    let rec = read_json(&t1.join("run.json"));
    assert_eq!(rec["error"], "interrupted by SIGTERM");
    assert!(rec["finished"].is_string());
    let st = String::from_utf8_lossy(&run(&["sweep", "status", f]).stdout).to_string();
    assert!(
        st.contains("complete 5") && st.contains("interrupted 1"),
        "{st}"
    );

    // A second submit runs only the interrupted task.
    let t0_record = std::fs::read_to_string(out.join("t000").join("run.json")).unwrap();
    let second = run(&["sweep", "run", f, "--executor", "slurm"]);
    assert_ok(&second);
    let job2 = String::from_utf8_lossy(&second.stdout).trim().to_string();
    let script = std::fs::read_to_string(out.join("slurm").join("array-2.sh")).unwrap();
    assert!(script.contains("#SBATCH --array=1\n"), "{script}");
    wait_job(&job2, Duration::from_secs(300));
    for i in 0..6 {
        assert_eq!(
            status_of(&out.join(format!("t{i:03}"))),
            "complete",
            "task {i}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("t000").join("run.json")).unwrap(),
        t0_record
    );
    let st = String::from_utf8_lossy(&run(&["sweep", "status", f]).stdout).to_string();
    assert!(st.contains("complete 6"), "{st}");
    // Nothing left to submit.
    let third = run(&["sweep", "run", f, "--executor", "slurm"]);
    assert_ok(&third);
    assert!(String::from_utf8_lossy(&third.stderr).contains("nothing to submit"));

    let table = dir.join("slurm.csv");
    assert_ok(&run(&[
        "sweep",
        "collect",
        f,
        "--out",
        table.to_str().unwrap(),
    ]));
    let slurm_rows = table_without_times(&table);
    assert_eq!(slurm_rows.len(), 7, "header + 6 rows");
    assert_eq!(slurm_rows[0][..3], ["task", "c_well", "seed"]);
    assert!(slurm_rows[0].iter().any(|h| h == "capacity"));
    let logs: Vec<_> = std::fs::read_dir(out.join("logs")).unwrap().collect();
    assert!(logs.len() >= 7, "one Slurm log per array element");
    let slurm_secs = t0.elapsed().as_secs_f64();

    // The local executor gives the same table.
    let local_out = dir.join("local");
    let local_file = dir.join("local.toml");
    std::fs::write(
        &local_file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace(out.to_str().unwrap(), local_out.to_str().unwrap()),
    )
    .unwrap();
    let lf = local_file.to_str().unwrap();
    assert_ok(&run(&[
        "sweep",
        "run",
        lf,
        "--executor",
        "local",
        "--jobs",
        "2",
        "--quiet",
    ]));
    let local_table = dir.join("local.csv");
    assert_ok(&run(&[
        "sweep",
        "collect",
        lf,
        "--out",
        local_table.to_str().unwrap(),
    ]));
    assert_eq!(table_without_times(&local_table), slurm_rows);
    eprintln!(
        "slurm test: {slurm_secs:.1} s through Slurm, {:.1} s in all\n{}",
        t0.elapsed().as_secs_f64(),
        std::fs::read_to_string(&table).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
