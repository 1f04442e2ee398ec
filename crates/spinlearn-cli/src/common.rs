//! What every subcommand shares: global flags, the run context, progress bars, and the
//! [`Experiment`] trait through which a subcommand runs from flags or from a TOML config.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::record::{Existing, RunDir};
use spinlearn_core::{Control, Observer, Seed, StepReport};
use spinlearn_data::{Dataset, Selection, Values};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The tool's version, written into every run record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Flags accepted by every subcommand.
#[derive(Debug, Clone, Args, Serialize)]
pub struct Global {
    /// Seed of every random stream of the run (picked from the clock and recorded when absent).
    #[arg(long, global = true)]
    pub seed: Option<u64>,
    /// Output directory of the run (run.json, summary.json, arrays, figures); `{seed}`, `{date}`
    /// and `{task}` (the sweep task, or `$SLURM_ARRAY_TASK_ID`) are replaced. Must be new or
    /// empty unless `--overwrite` is given.
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run directory `--out` if it holds an earlier run (its files are deleted).
    #[arg(long, global = true)]
    pub overwrite: bool,
    /// The sweep task this run is (set by `spinlearn sweep task`; fills `{task}` in `--out`).
    #[arg(long, global = true, hide = true, value_name = "ID")]
    pub task_id: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress bars or chatter; errors are still printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Largest memory a run may allocate, e.g. 32G or 512M (default 16G); sizes that need more
    /// are refused before anything is allocated.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_max_memory)]
    pub max_memory: Option<u64>,
}

/// `--max-memory`: a size such as `32G`, `512M` or a number of bytes.
pub fn parse_max_memory(s: &str) -> std::result::Result<u64, String> {
    spinlearn_core::mem::parse_size(s)
        .ok_or_else(|| format!("expected a size such as 32G, 512M or 1000000 (bytes), got `{s}`"))
}

/// The context of one invocation: seed, threads, output, verbosity.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Root seed of the run.
    pub seed: Seed,
    /// `--out`, when given.
    pub out: Option<PathBuf>,
    /// `--overwrite`.
    pub overwrite: bool,
    /// The sweep task id, when run by `spinlearn sweep task`.
    pub task_id: Option<String>,
    /// Worker threads in rayon's pool.
    pub threads: usize,
    /// Suppress progress bars.
    pub quiet: bool,
    /// The command line as typed.
    pub command: Vec<String>,
}

impl Ctx {
    /// Builds the context and sizes rayon's global pool (the binary owns the process, so this is
    /// the one place a global is set; the libraries never touch it).
    pub fn new(g: &Global, command: Vec<String>) -> Result<Ctx> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = match g.threads {
            Some(0) => anyhow::bail!("invalid parameter `threads`: must be at least 1, got 0"),
            // More threads than this only adds contention (and 10,000 hangs thread creation).
            Some(t) if t > 4 * cores => anyhow::bail!(
                "invalid parameter `threads`: at most 4 x the {cores} cores = {}, got {t}",
                4 * cores
            ),
            Some(t) => t,
            None => cores,
        };
        if let Some(bytes) = g.max_memory {
            spinlearn_core::mem::set_limit(bytes);
        }
        // Ignore the error when a pool exists already (tests call main logic repeatedly).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
        let seed = g.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 ^ 0x5EED)
                .unwrap_or(0x5EED)
        });
        Ok(Ctx {
            seed: Seed(seed),
            out: g.out.clone(),
            overwrite: g.overwrite,
            task_id: g.task_id.clone(),
            threads,
            quiet: g.quiet,
            command,
        })
    }

    /// `--out` if given, else `out/<default>`.
    pub fn out_dir(&self, default: &str) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| Path::new("out").join(default))
    }

    /// The progress observer of this invocation: bars on a terminal, one plain line per stage
    /// start, about every tenth of a stage and its end on stderr otherwise (batch jobs write logs,
    /// not bars); silent with `--quiet`.
    pub fn progress(&self) -> Progress {
        let sink = if self.quiet {
            Sink::Silent
        } else if std::io::stderr().is_terminal() {
            Sink::Bars(None)
        } else {
            Sink::Lines
        };
        Progress {
            sink,
            stage: String::new(),
            last_tenth: None,
        }
    }

    /// Prints a line to stderr unless `--quiet`.
    pub fn say(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
}

enum Sink {
    Silent,
    Bars(Option<ProgressBar>),
    Lines,
}

/// The CLI's [`Observer`]: a progress bar per stage on a terminal, plain lines in a log.
pub struct Progress {
    sink: Sink,
    stage: String,
    last_tenth: Option<usize>,
}

impl Progress {
    fn new_bar(stage: &str, total: Option<usize>) -> ProgressBar {
        let bar = match total {
            Some(n) => ProgressBar::new(n as u64),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {pos}/{len} {elapsed_precise} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(stage.to_string());
        bar
    }
}

fn metrics_text(r: &StepReport<'_>) -> String {
    r.metrics
        .iter()
        .map(|(k, v)| format!("{k}={v:.4}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Observer for Progress {
    fn observe(&mut self, r: &StepReport<'_>) -> Control {
        let new_stage = self.stage != r.stage;
        if new_stage {
            self.stage = r.stage.to_string();
            self.last_tenth = None;
        }
        match &mut self.sink {
            Sink::Silent => {}
            Sink::Bars(bar) => {
                if new_stage || bar.is_none() {
                    if let Some(b) = bar.take() {
                        b.finish_and_clear();
                    }
                    *bar = Some(Progress::new_bar(r.stage, r.total));
                }
                if let Some(b) = bar {
                    if let Some(t) = r.total {
                        b.set_length(t as u64);
                    }
                    b.set_position(r.step as u64);
                    b.set_message(metrics_text(r));
                }
            }
            Sink::Lines => {
                let tenth = r.total.map(|t| (10 * r.step) / t.max(1));
                if new_stage || tenth != self.last_tenth || r.total.is_none() {
                    let of = r.total.map(|t| format!("/{t}")).unwrap_or_default();
                    eprintln!("{} {}{of} {}", r.stage, r.step, metrics_text(r));
                    self.last_tenth = tenth;
                }
            }
        }
        if crate::signals::requested().is_some() {
            return Control::Stop;
        }
        Control::Continue
    }

    fn note(&mut self, text: &str) {
        match &self.sink {
            Sink::Silent => {}
            Sink::Bars(Some(b)) => b.println(text),
            _ => eprintln!("{text}"),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Sink::Bars(Some(b)) = &self.sink {
            b.finish_and_clear();
        }
    }
}

/// A subcommand that runs an experiment into a run directory. Its fields are its flags
/// (`clap::Args`) and its resolved configuration (`Serialize`, written into run.json); the same
/// fields are the keys of a TOML config whose `kind` is [`Experiment::KIND`].
pub trait Experiment: Args + Serialize {
    /// The experiment's name as typed on the command line, e.g. `"rbm train"`.
    const KIND: &'static str;

    /// The run directory when `--out` is not given: `out/<kind with dashes>`.
    fn default_out(&self) -> String {
        Self::KIND.replace(' ', "-")
    }

    /// Whether [`execute`] prints the summary as JSON on stdout (commands that print their own
    /// table say no).
    fn print_summary(&self) -> bool {
        true
    }

    /// Checks the parameters before any file is written (bad input fails with no run directory).
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Runs, writing outputs into `dir`, and returns the summary (headline figures, named).
    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value>;
}

/// Runs an experiment: validates it, creates the run directory (locked; refused when it holds
/// files, unless `--overwrite` replaces an earlier run or `--resume` continues a checkpoint kept
/// in it) with run.json (`running`), runs, then writes summary.json and marks the run complete. On
/// failure run.json says `failed`, on SIGINT/SIGTERM `interrupted` (see [`crate::signals`]); a
/// directory this run created and that holds nothing else is removed.
pub fn execute<E: Experiment>(e: &E, ctx: &Ctx) -> Result<()> {
    e.validate()?;
    let out = expand_out(&ctx.out_dir(&e.default_out()), ctx, E::KIND)?;
    let existed = out.exists();
    let config = serde_json::to_value(e).context("cannot record the configuration")?;
    let existing = existing_policy(&out, &config, ctx.overwrite)?;
    let dir = RunDir::create(
        &out,
        E::KIND,
        ctx.command.clone(),
        config,
        ctx.seed.value(),
        ctx.threads,
        VERSION,
        existing,
    )
    .map_err(out_error)?;
    let active = crate::signals::activate(dir.handle());
    let result = e.run(ctx, &dir);
    let _finishing = active.finish();
    if let Some(sig) = crate::signals::requested() {
        let _ = dir.interrupt(crate::signals::name(sig));
        return Err(crate::signals::Interrupted(sig).into());
    }
    match result {
        Ok(summary) => {
            let path = dir.complete(&summary)?;
            if !ctx.quiet {
                if e.print_summary() {
                    println!("{}", serde_json::to_string_pretty(&summary)?);
                }
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        Err(err) => {
            let path = dir.path().to_path_buf();
            // the same one line as the terminal's `error:` (causes a message already quotes are
            // left out)
            let _ = dir.fail(&crate::one_line(&crate::error_chain(&err)));
            // A sweep task keeps its failed record, so `sweep status` says failed, not pending.
            if !existed && only_run_json(&path) && ctx.task_id.is_none() {
                let _ = std::fs::remove_dir_all(&path);
            }
            Err(err)
        }
    }
}

/// `--out` with `{seed}`, `{date}` (UTC, `YYYY-MM-DD`) and `{task}` replaced.
pub fn expand_out(out: &Path, ctx: &Ctx, kind: &str) -> Result<PathBuf> {
    let text = out.to_string_lossy();
    if !text.contains('{') {
        return Ok(out.to_path_buf());
    }
    let date = spinlearn_core::record::rfc3339(std::time::SystemTime::now())[..10].to_string();
    let mut result = String::new();
    let mut rest = text.as_ref();
    while let Some(open) = rest.find('{') {
        result.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            anyhow::bail!("invalid parameter `--out`: `{text}` has an unclosed `{{`");
        };
        let key = &rest[open + 1..open + close];
        let value = match key {
            "seed" => ctx.seed.value().to_string(),
            "date" => date.clone(),
            "task" => match (&ctx.task_id, std::env::var("SLURM_ARRAY_TASK_ID")) {
                (Some(t), _) => t.clone(),
                (None, Ok(t)) if !t.is_empty() => t,
                _ => anyhow::bail!(
                    "invalid parameter `--out`: `{{task}}` is defined only in a sweep task or a \
                     Slurm array job (running `{kind}` alone)"
                ),
            },
            other => anyhow::bail!(
                "invalid parameter `--out`: unknown placeholder `{{{other}}}` (known: {{seed}}, \
                 {{date}}, {{task}})"
            ),
        };
        result.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    result.push_str(rest);
    Ok(PathBuf::from(result))
}

/// Decides what to do with the files already in `out`: a `resume` checkpoint inside it continues
/// the run there; `--overwrite` replaces an earlier run unless one of this run's inputs lies in it;
/// otherwise a non-empty directory is refused.
fn existing_policy(out: &Path, config: &Value, overwrite: bool) -> Result<Existing> {
    let Ok(root) = out.canonicalize() else {
        return Ok(Existing::Refuse);
    };
    let mut inputs = Vec::new();
    collect_inputs(config, "", &root, &mut inputs);
    if inputs.iter().any(|(key, _)| key == "resume") {
        return Ok(Existing::Continue);
    }
    if overwrite {
        if let Some((key, path)) = inputs.first() {
            anyhow::bail!(
                "invalid parameter `--out`: {} holds this run's input `--{}` {}; --overwrite would \
                 delete it, choose another directory",
                out.display(),
                key.replace('_', "-"),
                path.display()
            );
        }
        return Ok(Existing::Replace);
    }
    Ok(Existing::Refuse)
}

/// The string values of the configuration that name an existing file or directory inside `root`.
fn collect_inputs(v: &Value, key: &str, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    match v {
        Value::String(s) => {
            let p = Path::new(s);
            if let Ok(c) = p.canonicalize()
                && c.starts_with(root)
                && c != root
            {
                out.push((key.to_string(), p.to_path_buf()));
            }
        }
        Value::Object(m) => m.iter().for_each(|(k, v)| collect_inputs(v, k, root, out)),
        Value::Array(a) => a.iter().for_each(|v| collect_inputs(v, key, root, out)),
        _ => {}
    }
}

/// Puts the output-directory errors in the user's words (the flag, and what to do).
fn out_error(e: spinlearn_core::Error) -> anyhow::Error {
    match e {
        spinlearn_core::Error::DirNotEmpty { .. } => anyhow::anyhow!(
            "invalid parameter `--out`: {e}; pass --overwrite to replace it, or choose another \
             directory"
        ),
        spinlearn_core::Error::DirInUse { .. } | spinlearn_core::Error::NotRunDir { .. } => {
            anyhow::anyhow!("invalid parameter `--out`: {e}")
        }
        e => e.into(),
    }
}

fn only_run_json(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .all(|e| e.file_name() == "run.json")
        })
        .unwrap_or(false)
}

/// The one data-selection flag set of every command that reads samples: a dataset by name or file,
/// then labels, count and threshold (see [`spinlearn_data::Selection`]). How values are encoded
/// (kept, ±1, 0/1, real in [0, 1]) is the command's choice, passed to [`DataArgs::load`].
#[derive(Debug, Clone, Args, Serialize)]
pub struct DataArgs {
    /// A named dataset (`spinlearn data list`) or a file (.npy, .npz, .txt, .csv; rows = samples).
    #[arg(long = "data", default_value = "mnist", value_name = "NAME|FILE")]
    pub data: String,
    /// Keep only these labels, comma-separated (e.g. `0,1`); labelled datasets only.
    #[arg(long, value_name = "LIST")]
    pub digits: Option<String>,
    /// Keep the first N samples (after label selection).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub n_samples: Option<usize>,
    /// Binarize: a value above T (fraction of full scale) is on (data already 0/1 or ±1 keeps
    /// its pattern). Commands that need binary units default to 0.5.
    #[arg(long, value_name = "T", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Directory of the full standard MNIST (train-*/t10k-* IDX files) instead of the embedded subset.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

impl DataArgs {
    /// The selection, with the value encoding chosen by the command from the `--threshold` given.
    pub fn selection(&self, values: impl FnOnce(Option<f32>) -> Values) -> Result<Selection> {
        let threshold = match self.threshold {
            Some(t) => Some(spinlearn_core::check::finite("threshold", t)? as f32),
            None => None,
        };
        Ok(Selection {
            digits: self.digits.as_deref().map(parse_digits).transpose()?,
            n_samples: self.n_samples,
            values: values(threshold),
        })
    }

    /// Opens the dataset and applies the selection.
    pub fn load(&self, values: impl FnOnce(Option<f32>) -> Values) -> Result<Dataset> {
        Ok(self
            .selection(values)?
            .load(&self.data, self.mnist_dir.as_deref())?)
    }
}

/// Parses a comma-separated list of digits such as `0,1` into labels, checking each is 0..=9.
pub fn parse_digits(s: &str) -> Result<Vec<u8>> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let d: u8 = t
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("invalid parameter `digits`: `{t}` is not a digit"))?;
            anyhow::ensure!(d <= 9, "invalid parameter `digits`: {d} is not a digit 0-9");
            Ok(d)
        })
        .collect()
}
