//! `spinlearn reproduce <section>|all [--quick|--full] --out DIR`: flags -> [`ReportParams`] -> one
//! call of [`spinlearn_reproduce::run_report`] into the run directory.

use crate::common::{Ctx, Experiment, VERSION};
use anyhow::Result;
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
}

impl ReproduceArgs {
    fn params(&self) -> ReportParams {
        let mode = if self.full {
            Mode::Full
        } else if self.smoke {
            Mode::Smoke
        } else {
            Mode::Quick
        };
        ReportParams {
            sections: vec![self.section.clone()],
            mode,
            mnist_dir: self.mnist_dir.clone(),
        }
    }
}

impl Experiment for ReproduceArgs {
    const KIND: &'static str = "reproduce";

    fn validate(&self) -> Result<()> {
        self.params().resolve()?;
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
        let summary = spinlearn_reproduce::run_report(&self.params(), &run, &mut progress)?;
        ctx.say(format!("wrote {}", dir.path().join("index.html").display()));
        Ok(summary)
    }
}
