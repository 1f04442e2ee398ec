//! What every subcommand shares: global flags, the run context, progress bars, and the
//! [`Experiment`] trait through which a subcommand runs from flags or from a TOML config.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::record::RunDir;
use spinlearn_core::{Control, Observer, Seed, StepReport};
use std::path::{Path, PathBuf};

/// The tool's version, written into every run record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Flags accepted by every subcommand.
#[derive(Debug, Clone, Args, Serialize)]
pub struct Global {
    /// Seed of every random stream of the run (picked from the clock and recorded when absent).
    #[arg(long, global = true)]
    pub seed: Option<u64>,
    /// Output directory of the run (run.json, summary.json, arrays, figures).
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress bars or chatter; errors are still printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The context of one invocation: seed, threads, output, verbosity.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Root seed of the run.
    pub seed: Seed,
    /// `--out`, when given.
    pub out: Option<PathBuf>,
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
        let threads = match g.threads {
            Some(0) => anyhow::bail!("invalid parameter `threads`: must be at least 1, got 0"),
            Some(t) => t,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
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

    /// A progress bar observer for a loop of `total` steps (a spinner when unknown); silent with
    /// `--quiet` or when stderr is not a terminal.
    pub fn progress(&self, stage: &str, total: Option<u64>) -> Progress {
        let bar = if self.quiet {
            None
        } else {
            let bar = match total {
                Some(n) => ProgressBar::new(n),
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
            Some(bar)
        };
        Progress { bar }
    }

    /// Prints a line to stderr unless `--quiet`.
    pub fn say(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
}

/// A progress bar that is also an [`Observer`]: each report advances it and shows the metrics.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Advances by one step outside of an observer loop.
    pub fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// Sets the message shown after the bar.
    pub fn message(&self, msg: impl Into<String>) {
        if let Some(b) = &self.bar {
            b.set_message(msg.into());
        }
    }
}

impl Observer for Progress {
    fn observe(&mut self, r: &StepReport<'_>) -> Control {
        if let Some(b) = &self.bar {
            if let Some(t) = r.total {
                b.set_length(t as u64);
            }
            b.set_position(r.step as u64);
            let msg: Vec<String> = r
                .metrics
                .iter()
                .map(|(k, v)| format!("{k}={v:.4}"))
                .collect();
            b.set_message(msg.join(" "));
        }
        Control::Continue
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
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

    /// Checks the parameters before any file is written (bad input fails with no run directory).
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Runs, writing outputs into `dir`, and returns the summary (headline figures, named).
    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value>;
}

/// Runs an experiment: validates it, creates the run directory with run.json (`running`), runs,
/// then writes summary.json and marks the run complete. On failure run.json says `failed`; a
/// directory this run created and that holds nothing else is removed.
pub fn execute<E: Experiment>(e: &E, ctx: &Ctx) -> Result<()> {
    e.validate()?;
    let out = ctx.out_dir(&e.default_out());
    let existed = out.exists();
    let config = serde_json::to_value(e).context("cannot record the configuration")?;
    let dir = RunDir::create(
        &out,
        E::KIND,
        ctx.command.clone(),
        config,
        ctx.seed.value(),
        ctx.threads,
        VERSION,
    )?;
    match e.run(ctx, &dir) {
        Ok(summary) => {
            let path = dir.complete(&summary)?;
            if !ctx.quiet {
                println!("{}", serde_json::to_string_pretty(&summary)?);
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        Err(err) => {
            let path = dir.path().to_path_buf();
            let _ = dir.fail(&format!("{err:#}"));
            if !existed && only_run_json(&path) {
                let _ = std::fs::remove_dir_all(&path);
            }
            Err(err)
        }
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
