//! `spinlearn reproduce <section>|all [--quick|--full] --out DIR`: flags -> [`ReportParams`] -> one
//! call of [`spinlearn_reproduce::run_report`] into the run directory. A section that runs as
//! shards ([`spinlearn_reproduce::shard`]) also takes `--shard I/N` (some of its units),
//! `--merge DIR...` (the section from the shards) and `--emit-sweep FILE` (the sweep file whose
//! tasks are the shards).

use crate::common::{Ctx, Experiment, VERSION};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::record::RunDir;
use spinlearn_reproduce::{Mode, ReportParams, ReportRun};
use std::path::PathBuf;

/// `spinlearn reproduce`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ReproduceArgs {
    /// A section id (`data`, `ising-activation`, `zero-synapses`, `rapid`, `relevance`,
    /// `double-well`) or `all`.
    pub section: String,
    /// Reduced sizes (the default).
    #[arg(long, conflicts_with_all = ["full", "smoke"])]
    pub quick: bool,
    /// The papers' sizes.
    #[arg(long, conflicts_with = "smoke")]
    pub full: bool,
    /// The smallest sizes that exercise every figure (seconds; what the test suite runs).
    #[arg(long)]
    pub smoke: bool,
    /// Directory of the full standard MNIST (used by --full sections that need it).
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
    /// Inline every figure into index.html: one self-contained file to share.
    #[arg(long)]
    pub embed_figures: bool,
    /// Run only shard I of N of the section's units (0 <= I < N; unit u goes to shard u mod N),
    /// each unit's raw result into OUT/<section>/units/; `--merge` builds the section from them.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["merge", "emit_sweep"])]
    pub shard: Option<String>,
    /// Build the section (figures, claims, summary, index.html) from the run directories of its
    /// shards; the mode and seed are theirs.
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with = "emit_sweep")]
    pub merge: Vec<PathBuf>,
    /// Write the sweep file whose tasks are the section's shards (run it with `spinlearn sweep run`,
    /// merge with `spinlearn sweep collect`); `--out` is the sweep's directory. Runs nothing.
    #[arg(long, value_name = "FILE")]
    pub emit_sweep: Option<PathBuf>,
    /// With --emit-sweep: the number of tasks (default: one per unit).
    #[arg(long, value_name = "N", requires = "emit_sweep")]
    pub tasks: Option<usize>,
}

impl ReproduceArgs {
    fn mode(&self) -> Mode {
        if self.full {
            Mode::Full
        } else if self.smoke {
            Mode::Smoke
        } else {
            Mode::Quick
        }
    }

    fn params(&self) -> ReportParams {
        ReportParams {
            sections: vec![self.section.clone()],
            mode: self.mode(),
            mnist_dir: self.mnist_dir.clone(),
        }
    }

    fn sharding(&self) -> bool {
        self.shard.is_some() || !self.merge.is_empty() || self.emit_sweep.is_some()
    }
}

/// Runs `spinlearn reproduce`: `--emit-sweep` writes the sweep file (no run directory), anything
/// else is a run.
pub fn run_cmd(a: &ReproduceArgs, ctx: &Ctx) -> Result<()> {
    let Some(file) = &a.emit_sweep else {
        return crate::common::execute(a, ctx);
    };
    a.validate()?;
    if file.exists() && !ctx.overwrite {
        bail!(
            "invalid parameter `--emit-sweep`: {} exists (--overwrite replaces it)",
            file.display()
        );
    }
    let mode = a.mode();
    let out = ctx.out_dir(&format!(
        "sweep-reproduce-{}-{}",
        a.section,
        format!("{mode:?}").to_lowercase()
    ));
    let (text, n) = spinlearn_reproduce::shard::sweep_toml(
        &a.section,
        mode,
        ctx.seed,
        a.tasks,
        &out,
        a.mnist_dir.as_deref(),
        VERSION,
    )?;
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
    }
    spinlearn_core::record::write_atomic(file, text.as_bytes())?;
    println!("{}", file.display());
    ctx.say(format!(
        "wrote {}: `reproduce {} --{}` as {n} tasks into {} (seed {}); run it with `spinlearn sweep run {}`",
        file.display(),
        a.section,
        format!("{mode:?}").to_lowercase(),
        out.display(),
        ctx.seed,
        file.display()
    ));
    Ok(())
}

impl Experiment for ReproduceArgs {
    const KIND: &'static str = "reproduce";

    fn validate(&self) -> Result<()> {
        self.params().resolve()?;
        if self.sharding() {
            spinlearn_reproduce::shard::sharded(&self.section)?;
        }
        if let Some(s) = &self.shard {
            spinlearn_reproduce::shard::Shard::parse(s)?;
        }
        for d in &self.merge {
            if !d.is_dir() {
                bail!(
                    "invalid parameter `--merge`: {} is not a directory",
                    d.display()
                );
            }
        }
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let run = ReportRun {
            root: dir.path().to_path_buf(),
            seed: ctx.seed,
            threads: ctx.threads,
            version: VERSION.to_string(),
            embed_figures: self.embed_figures,
        };
        let mut progress = ctx.progress();
        if let Some(shard) = &self.shard {
            let shard = spinlearn_reproduce::shard::Shard::parse(shard)?;
            let summary = spinlearn_reproduce::shard::run_shard(
                &self.section,
                self.mode(),
                self.mnist_dir.clone(),
                shard,
                &run,
                &mut progress,
            )?;
            ctx.say(format!(
                "wrote shard {shard} of {} into {}",
                self.section,
                dir.path().join(&self.section).join("units").display()
            ));
            return Ok(summary);
        }
        if !self.merge.is_empty() {
            let explicit = (self.quick || self.full || self.smoke).then(|| self.mode());
            let (summary, _) = spinlearn_reproduce::shard::merge(
                &self.section,
                &self.merge,
                explicit,
                &run,
                &mut progress,
            )?;
            ctx.say(format!("wrote {}", dir.path().join("index.html").display()));
            return Ok(summary);
        }
        let summary = spinlearn_reproduce::run_report(&self.params(), &run, &mut progress)?;
        ctx.say(format!("wrote {}", dir.path().join("index.html").display()));
        Ok(summary)
    }
}
