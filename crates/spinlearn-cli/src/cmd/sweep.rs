//! `spinlearn sweep plan|run|task|status|collect FILE`: glue between a sweep file
//! ([`spinlearn_sweep::SweepFile`]) and the tool. `run --executor local` runs each pending task as a
//! child process `spinlearn sweep task FILE --index I` (its log in `OUT/logs/<task>.log`);
//! `--executor slurm` writes a job-array script running the same command per array element and
//! submits it with `sbatch`. A task runs like `spinlearn run` on its resolved config, into
//! `OUT/<task id>/`, replacing an earlier failed or interrupted attempt (and resuming an `rbm train`
//! from the checkpoint that attempt left).

use crate::common::{Ctx, Global};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use spinlearn_sweep::{SlurmSettings, SweepFile, TaskState, slurm, task_state};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sweep subcommands.
#[derive(Debug, Subcommand)]
pub enum SweepCmd {
    /// Print the task count and write the plan (OUT/sweep.json, OUT/tasks.json).
    Plan(PlanArgs),
    /// Run the pending tasks here (`--executor local`) or submit them as a Slurm job array.
    Run(RunArgs),
    /// Run one task (what each Slurm array element runs).
    Task(TaskArgs),
    /// Count the tasks by state: pending, queued, running, complete, failed, interrupted, stale.
    Status(StatusArgs),
    /// One table (CSV) of every complete task: swept parameters and summary.json; `--plot X Y`.
    Collect(CollectArgs),
}

/// `spinlearn sweep plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// The sweep file (TOML: an experiment, a [sweep] table of axes, an optional [slurm] table).
    pub file: PathBuf,
}

/// Where the tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Executor {
    /// On this machine, `--jobs` tasks at a time.
    Local,
    /// As a Slurm job array submitted with `sbatch`.
    Slurm,
}

/// `spinlearn sweep run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// Where the tasks run.
    #[arg(long, value_enum, default_value_t = Executor::Local)]
    pub executor: Executor,
    /// Local: tasks at a time (the threads are divided among them).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Slurm: write the sbatch script but do not submit it.
    #[arg(long)]
    pub dry_run: bool,
    /// Slurm: time limit per task (overrides [slurm] time), e.g. 01:00:00.
    #[arg(long, value_name = "TIME")]
    pub time: Option<String>,
    /// Slurm: memory per task (overrides [slurm] mem), e.g. 4G.
    #[arg(long, value_name = "MEM")]
    pub mem: Option<String>,
    /// Slurm: CPUs per task, also the task's threads (overrides [slurm] cpus).
    #[arg(long, value_name = "N")]
    pub cpus_per_task: Option<usize>,
    /// Slurm: partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm: account.
    #[arg(long)]
    pub account: Option<String>,
    /// Slurm: at most N array tasks at once.
    #[arg(long, value_name = "N")]
    pub max_parallel: Option<usize>,
    /// Slurm: an extra `#SBATCH` option, e.g. `--sbatch=--qos=short` (repeatable).
    #[arg(long = "sbatch", value_name = "OPTION")]
    pub sbatch: Vec<String>,
    /// Slurm: array indices must stay below N (default: the cluster's `MaxArraySize` from
    /// `scontrol show config`, else Slurm's default 1001); larger sweeps go in several arrays.
    #[arg(long, value_name = "N")]
    pub max_array_size: Option<usize>,
}

/// `spinlearn sweep task`.
#[derive(Debug, Clone, Args)]
pub struct TaskArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// The task's index in the plan (Slurm: $SLURM_ARRAY_TASK_ID).
    #[arg(long, value_name = "I")]
    pub index: usize,
}

/// `spinlearn sweep status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// List every task with its state and parameters.
    #[arg(long)]
    pub tasks: bool,
}

/// `spinlearn sweep collect`.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// Draw column Y against column X (mean ± sd over seeds) beside the table.
    #[arg(long, num_args = 2, value_names = ["X", "Y"])]
    pub plot: Option<Vec<String>>,
    /// One line per value of this column.
    #[arg(long, requires = "plot", value_name = "COLUMN")]
    pub hue: Option<String>,
}

/// Runs a sweep subcommand.
pub fn run_cmd(cmd: &SweepCmd, ctx: &Ctx) -> Result<()> {
    let (file, table_out) = match cmd {
        SweepCmd::Plan(a) => (&a.file, false),
        SweepCmd::Run(a) => (&a.file, false),
        SweepCmd::Task(a) => (&a.file, false),
        SweepCmd::Status(a) => (&a.file, false),
        SweepCmd::Collect(a) => (&a.file, true),
    };
    if ctx.out.is_some() && !table_out {
        bail!(
            "invalid parameter `--out`: a sweep's directory is `out` in the [sweep] table of {}",
            file.display()
        );
    }
    let sweep = SweepFile::parse(file)?;
    match cmd {
        SweepCmd::Plan(_) => plan(&sweep, ctx),
        SweepCmd::Run(a) => match a.executor {
            Executor::Local => run_local(&sweep, a, ctx),
            Executor::Slurm => submit(&sweep, a, ctx),
        },
        SweepCmd::Task(a) => run_task(&sweep, a.index, ctx),
        SweepCmd::Status(a) => status(&sweep, a.tasks),
        SweepCmd::Collect(a) => collect(&sweep, a, ctx),
    }
}

fn describe(sweep: &SweepFile) -> String {
    let axes: Vec<String> = sweep
        .axes
        .iter()
        .map(|a| format!("{} x{}", a.names.join("+"), a.points.len()))
        .chain(std::iter::once(format!("seed x{}", sweep.seeds.len())))
        .collect();
    format!(
        "sweep {} of `{}`: {} tasks ({}) in {}",
        sweep.id(),
        sweep.kind,
        sweep.len(),
        axes.join(", "),
        sweep.out.display()
    )
}

/// The argv and global flags that run `task` (checked by clap, not run).
fn task_argv(sweep: &SweepFile, index: usize) -> Result<(Vec<String>, Global, PathBuf, String)> {
    let task = sweep.task(index).with_context(|| {
        format!(
            "invalid parameter `--index`: {index} is not below the {} tasks of {}",
            sweep.len(),
            sweep.path.display()
        )
    })?;
    let dir = sweep.task_dir(&task);
    let mut config = task.config.clone();
    // Restart from the checkpoint an earlier attempt left, where the experiment has one.
    let checkpoint = dir.join("model.npz");
    if sweep.kind == "rbm train" && !config.contains_key("resume") && checkpoint.is_file() {
        config.insert(
            "resume".into(),
            toml::Value::String(checkpoint.display().to_string()),
        );
    }
    let shown = format!("{} (task {})", sweep.path.display(), task.id);
    let (argv, g) = crate::config::table_to_argv(&shown, config)?;
    Ok((argv, g, dir, task.id))
}

fn plan(sweep: &SweepFile, ctx: &Ctx) -> Result<()> {
    for i in 0..sweep.len() {
        let (argv, ..) = task_argv(sweep, i)?;
        if let Err(e) = crate::Cli::try_parse_from(&argv) {
            let text = e.to_string();
            bail!(
                "{} (task {i}): {}",
                sweep.path.display(),
                text.lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
            );
        }
    }
    let path = sweep.write_plan()?;
    println!("{}", sweep.len());
    ctx.say(format!("{}; plan in {}", describe(sweep), path.display()));
    Ok(())
}

fn run_task(sweep: &SweepFile, index: usize, ctx: &Ctx) -> Result<()> {
    let (argv, g, dir, id) = task_argv(sweep, index)?;
    // Array elements start together: only a task run on its own writes the plan.
    if !sweep.check_dir()? {
        sweep.write_plan()?;
    }
    if task_state(&dir) == TaskState::Complete {
        ctx.say(format!("task {id}: already complete ({})", dir.display()));
        return Ok(());
    }
    let global = Global {
        seed: g.seed,
        out: Some(dir),
        overwrite: true,
        task_id: Some(id),
        threads: Some(ctx.threads),
        quiet: ctx.quiet,
        max_memory: g.max_memory,
    };
    crate::run_argv(argv, Some(&global))
}

/// Counts per state, and the state of each task (queue states from `squeue` where known).
fn states(sweep: &SweepFile) -> (Vec<TaskState>, bool) {
    let (queue, asked) = squeue(sweep);
    let me = spinlearn_core::record::host_name();
    let v = sweep
        .tasks()
        .iter()
        .map(|t| {
            let dir = sweep.task_dir(t);
            let st = task_state(&dir);
            match (st, queue.get(&t.index)) {
                (TaskState::Pending, Some(q)) => *q,
                // Queued again after an earlier attempt (a resubmission).
                (TaskState::Failed | TaskState::Interrupted | TaskState::Stale, Some(q)) => *q,
                // Running on another node, but the queue no longer has it: killed without a word.
                (TaskState::Running, None) if asked => {
                    let remote =
                        spinlearn_core::record::read_record(&dir).is_some_and(|r| r.host != me);
                    if remote { TaskState::Stale } else { st }
                }
                _ => st,
            }
        })
        .collect();
    (v, asked)
}

/// The queue states of this sweep's array tasks, and whether `squeue` answered.
fn squeue(sweep: &SweepFile) -> (BTreeMap<usize, TaskState>, bool) {
    let jobs = submitted_jobs(sweep);
    if jobs.is_empty() {
        return (BTreeMap::new(), false);
    }
    match Command::new("squeue")
        .args(["-h", "-r", "-o", "%i %T"])
        .stderr(Stdio::null())
        .output()
    {
        Ok(o) if o.status.success() => (
            slurm::parse_squeue(&String::from_utf8_lossy(&o.stdout), &jobs),
            true,
        ),
        _ => (BTreeMap::new(), false),
    }
}

fn jobs_file(sweep: &SweepFile) -> PathBuf {
    sweep.out.join("slurm").join("jobs.json")
}

/// The submitted jobs of this sweep with the offset of their array indices.
fn submitted_jobs(sweep: &SweepFile) -> Vec<(String, usize)> {
    std::fs::read_to_string(jobs_file(sweep))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(|j| {
                        let offset = j["offset"].as_u64().unwrap_or(0) as usize;
                        j["job"].as_str().map(|s| (s.to_string(), offset))
                    })
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// The cluster's `MaxArraySize` (`scontrol show config`), if Slurm answers.
fn cluster_max_array_size() -> Option<usize> {
    let out = Command::new("scontrol")
        .args(["show", "config"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| slurm::parse_max_array_size(&String::from_utf8_lossy(&out.stdout)))
        .flatten()
}

fn status(sweep: &SweepFile, list: bool) -> Result<()> {
    let (st, asked) = states(sweep);
    println!("{}", describe(sweep));
    let counts: Vec<String> = TaskState::ALL
        .iter()
        .map(|s| format!("{} {}", s.name(), st.iter().filter(|x| *x == s).count()))
        .collect();
    println!("{}", counts.join(", "));
    if !asked && !submitted_jobs(sweep).is_empty() {
        println!("(squeue did not answer: queued tasks show as pending)");
    }
    if list {
        for (t, s) in sweep.tasks().iter().zip(&st) {
            let params: Vec<String> = t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("{} {:<11} {}", t.id, s.name(), params.join(" "));
        }
    }
    Ok(())
}

fn run_local(sweep: &SweepFile, a: &RunArgs, ctx: &Ctx) -> Result<()> {
    if a.dry_run {
        bail!("invalid parameter `--dry-run`: only with --executor slurm");
    }
    sweep.write_plan()?;
    let todo: Vec<usize> = sweep
        .tasks()
        .iter()
        .filter(|t| task_state(&sweep.task_dir(t)) != TaskState::Complete)
        .map(|t| t.index)
        .collect();
    let jobs = match a.jobs {
        Some(0) => bail!("invalid parameter `--jobs`: must be at least 1"),
        Some(j) => j,
        None => 1,
    };
    let threads = (ctx.threads / jobs).max(1);
    ctx.say(format!(
        "{}; {} to run, {jobs} at a time with {threads} threads each",
        describe(sweep),
        todo.len()
    ));
    let logs = sweep.out.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| logs.display().to_string())?;
    let exe = std::env::current_exe().context("cannot find the spinlearn binary")?;
    crate::signals::supervise(crate::signals::GRACE + Duration::from_secs(10));
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results = spinlearn_sweep::run_queue(
        &todo,
        jobs,
        || crate::signals::requested().is_some(),
        |index| -> Result<TaskState> {
            let task = sweep.task(index).context("task index")?;
            let log_path = logs.join(format!("{}.log", task.id));
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .with_context(|| log_path.display().to_string())?;
            let start = Instant::now();
            let mut cmd = Command::new(&exe);
            cmd.arg("sweep")
                .arg("task")
                .arg(&sweep.path)
                .args([
                    "--index",
                    &index.to_string(),
                    "--threads",
                    &threads.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log);
            #[cfg(unix)]
            {
                // Its own process group: a terminal's Ctrl-C reaches it once, forwarded by us.
                use std::os::unix::process::CommandExt;
                cmd.process_group(0);
            }
            let mut child = cmd.spawn().context("cannot start a sweep task")?;
            crate::signals::add_child(child.id());
            let _ = child.wait();
            crate::signals::remove_child(child.id());
            let st = task_state(&sweep.task_dir(&task));
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let params: Vec<String> = task
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            ctx.say(format!(
                "[{n}/{}] {} {} ({}) {:.1} s",
                todo.len(),
                task.id,
                st.name(),
                params.join(" "),
                start.elapsed().as_secs_f64()
            ));
            Ok(st)
        },
    );
    if let Some(sig) = crate::signals::requested() {
        return Err(crate::signals::Interrupted(sig).into());
    }
    let mut bad = Vec::new();
    for (index, r) in results {
        let id = sweep.task(index).map(|t| t.id).unwrap_or_default();
        match r {
            Ok(TaskState::Complete) => {}
            Ok(st) => bad.push(format!("{id} {}", st.name())),
            Err(e) => bad.push(format!("{id}: {e:#}")),
        }
    }
    if !bad.is_empty() {
        bail!(
            "{} of {} tasks did not complete ({}); logs in {}",
            bad.len(),
            todo.len(),
            bad.join(", "),
            logs.display()
        );
    }
    ctx.say(format!(
        "all {} tasks complete; `spinlearn sweep collect {}` makes the table",
        sweep.len(),
        sweep.path.display()
    ));
    Ok(())
}

fn submit(sweep: &SweepFile, a: &RunArgs, ctx: &Ctx) -> Result<()> {
    if a.jobs.is_some() {
        bail!("invalid parameter `--jobs`: only with --executor local (Slurm: --max-parallel)");
    }
    for (flag, v) in [
        ("--cpus-per-task", a.cpus_per_task),
        ("--max-parallel", a.max_parallel),
        ("--max-array-size", a.max_array_size),
    ] {
        if v == Some(0) {
            bail!("invalid parameter `{flag}`: must be at least 1");
        }
    }
    sweep.write_plan()?;
    let (st, _) = states(sweep);
    let todo: Vec<usize> = st
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            !matches!(
                s,
                TaskState::Complete | TaskState::Queued | TaskState::Running
            )
        })
        .map(|(i, _)| i)
        .collect();
    if todo.is_empty() {
        ctx.say(format!(
            "{}: nothing to submit (every task complete, queued or running)",
            describe(sweep)
        ));
        return Ok(());
    }
    let f = &sweep.slurm;
    let settings = SlurmSettings {
        time: a.time.clone().or_else(|| f.time.clone()),
        mem: a.mem.clone().or_else(|| f.mem.clone()),
        cpus: a.cpus_per_task.or(f.cpus),
        partition: a.partition.clone().or_else(|| f.partition.clone()),
        account: a.account.clone().or_else(|| f.account.clone()),
        max_parallel: a.max_parallel.or(f.max_parallel),
        extra: f.extra.iter().chain(&a.sbatch).cloned().collect(),
    };
    let abs = |p: &Path| -> Result<PathBuf> {
        Ok(if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()?.join(p)
        })
    };
    let slurm_dir = sweep.out.join("slurm");
    let logs = sweep.out.join("logs");
    for d in [&slurm_dir, &logs] {
        std::fs::create_dir_all(d).with_context(|| d.display().to_string())?;
    }
    let n = std::fs::read_dir(&slurm_dir)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sh"))
        .count();
    let id = sweep.id();
    let max_array = a
        .max_array_size
        .or_else(cluster_max_array_size)
        .unwrap_or(slurm::DEFAULT_MAX_ARRAY_SIZE);
    let arrays = slurm::split_arrays(&todo, max_array);
    let exe = std::env::current_exe().context("cannot find the spinlearn binary")?;
    let (file, workdir, logs) = (
        abs(&sweep.path)?,
        abs(&std::env::current_dir()?)?,
        abs(&logs)?,
    );
    let mut scripts = Vec::new();
    for (k, (offset, indices)) in arrays.iter().enumerate() {
        let script_path = slurm_dir.join(format!("array-{}.sh", n + k));
        let text = slurm::script(
            &format!("spinlearn-{}", &id[..8]),
            &exe,
            &file,
            &workdir,
            indices,
            *offset,
            &settings,
            &logs,
        );
        spinlearn_core::record::write_atomic(&script_path, text.as_bytes())?;
        scripts.push((script_path, *offset, indices));
    }
    let in_arrays = if arrays.len() > 1 {
        format!(" in {} arrays (MaxArraySize {max_array})", arrays.len())
    } else {
        String::new()
    };
    if a.dry_run {
        for (p, _, _) in &scripts {
            println!("{}", p.display());
        }
        ctx.say(format!(
            "{}; wrote {} for {} tasks{in_arrays} (not submitted: --dry-run)",
            describe(sweep),
            scripts
                .iter()
                .map(|s| s.0.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            todo.len()
        ));
        return Ok(());
    }
    let path = jobs_file(sweep);
    let mut list: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut jobs = Vec::new();
    for (script_path, offset, indices) in &scripts {
        let out = Command::new("sbatch")
            .arg("--parsable")
            .arg(script_path)
            .output()
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot run sbatch ({e}); is Slurm installed here? `--dry-run` writes the script only"
                )
            })?;
        if !out.status.success() {
            // record what was submitted before the failure, so status and resubmission see it
            spinlearn_core::record::write_json(&path, &list)?;
            bail!(
                "sbatch {} failed: {}",
                script_path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let job = String::from_utf8_lossy(&out.stdout)
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .to_string();
        list.push(serde_json::json!({
            "job": job,
            "script": script_path.display().to_string(),
            "array": slurm::array_spec(indices, settings.max_parallel),
            "offset": offset,
            "submitted": spinlearn_core::record::rfc3339(std::time::SystemTime::now()),
        }));
        println!("{job}");
        jobs.push(format!(
            "{job} (array {}{})",
            slurm::array_spec(indices, settings.max_parallel),
            if *offset > 0 {
                format!(", tasks from {offset}")
            } else {
                String::new()
            }
        ));
    }
    spinlearn_core::record::write_json(&path, &list)?;
    ctx.say(format!(
        "{}; submitted {} tasks{in_arrays}: job {}",
        describe(sweep),
        todo.len(),
        jobs.join(", job ")
    ));
    Ok(())
}

fn collect(sweep: &SweepFile, a: &CollectArgs, ctx: &Ctx) -> Result<()> {
    let table = spinlearn_sweep::collect(sweep)?;
    let missing: Vec<String> = table
        .missing
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    if table.rows == 0 {
        bail!(
            "{}: no complete task to collect ({})",
            sweep.path.display(),
            missing.join(", ")
        );
    }
    let path = ctx
        .out
        .clone()
        .unwrap_or_else(|| sweep.out.join("table.csv"));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
    }
    table.write_csv(&path)?;
    if !ctx.quiet {
        print!("{}", std::fs::read_to_string(&path)?);
    }
    ctx.say(format!(
        "collected {} of {} tasks into {}{}",
        table.rows,
        sweep.len(),
        path.display(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(" (left out: {})", missing.join(", "))
        }
    ));
    if sweep.kind == "reproduce" {
        let index = merge_report(sweep, ctx)?;
        ctx.say(format!(
            "wrote {} (every collected section)",
            index.display()
        ));
    }
    if let Some(xy) = &a.plot {
        let stem_name = format!(
            "{}-{}-vs-{}",
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            xy[1].replace(['/', '.'], "_"),
            xy[0].replace(['/', '.'], "_")
        );
        let files = spinlearn_sweep::plot(
            &table,
            &xy[0],
            &xy[1],
            a.hue.as_deref(),
            &path.with_file_name(stem_name),
        )?;
        for f in files {
            ctx.say(format!("wrote {}", f.display()));
        }
    }
    Ok(())
}

/// A `reproduce` sweep: links each complete task's section directories into `OUT/report/`, merges
/// the tasks that ran shards of a section (`shard = "I/N"`, see `reproduce --emit-sweep`) into
/// `OUT/report/<section>/`, and writes the one report page of them all (`OUT/report/index.html`,
/// `claims.json`), as `reproduce all` would have.
fn merge_report(sweep: &SweepFile, ctx: &Ctx) -> Result<PathBuf> {
    let root = sweep.out.join("report");
    std::fs::create_dir_all(&root).with_context(|| root.display().to_string())?;
    let mut seed = 0;
    let mut shards: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for task in sweep.tasks() {
        let dir = sweep.task_dir(&task);
        if task_state(&dir) != TaskState::Complete {
            continue;
        }
        seed = task.seed();
        if task.config.contains_key("shard") {
            let section = task
                .config
                .get("section")
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_string();
            shards.entry(section).or_default().push(dir);
            continue;
        }
        for e in std::fs::read_dir(&dir)?.flatten() {
            if !e.path().join("section.json").is_file() {
                continue;
            }
            let link = root.join(e.file_name());
            if link.symlink_metadata().is_ok() {
                std::fs::remove_file(&link)
                    .or_else(|_| std::fs::remove_dir_all(&link))
                    .with_context(|| link.display().to_string())?;
            }
            let target = Path::new("..").join(&task.id).join(e.file_name());
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &link)
                .with_context(|| link.display().to_string())?;
            #[cfg(not(unix))]
            bail!("merging a reproduce sweep's report needs symbolic links (Unix)");
        }
    }
    let flag = |k: &str| sweep.base.get(k).and_then(toml::Value::as_bool) == Some(true);
    let mode = if flag("full") {
        spinlearn_reproduce::Mode::Full
    } else if flag("smoke") {
        spinlearn_reproduce::Mode::Smoke
    } else {
        spinlearn_reproduce::Mode::Quick
    };
    let run = spinlearn_reproduce::ReportRun {
        root,
        seed: spinlearn_core::Seed(seed),
        threads: ctx.threads,
        version: crate::common::VERSION.to_string(),
        embed_figures: false,
    };
    for (section, dirs) in &shards {
        let stale = run.root.join(section);
        if stale
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            std::fs::remove_file(&stale).with_context(|| stale.display().to_string())?;
        }
        spinlearn_reproduce::shard::merge(section, dirs, Some(mode), &run, &mut ctx.progress())
            .with_context(|| {
                format!(
                    "the report of `{section}` is not merged ({} complete shard tasks)",
                    dirs.len()
                )
            })?;
        ctx.say(format!(
            "merged {} shards of `{section}` into {}",
            dirs.len(),
            run.root.join(section).display()
        ));
    }
    Ok(spinlearn_reproduce::write_index(&run, mode)?)
}
