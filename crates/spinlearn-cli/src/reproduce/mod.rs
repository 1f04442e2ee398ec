//! `spinlearn reproduce <section>|all [--quick|--full] --out DIR`: runs the papers' headline
//! experiments and writes `DIR/index.html` with every section's figures and headline table,
//! `DIR/<section>/summary.json` (the named figures) and `DIR/<section>/section.json` (the report
//! section, so that sections run separately merge into one page).
//!
//! Adding a section: write `reproduce/<id>.rs` with `pub fn run(s: &SectionCtx) ->
//! anyhow::Result<SectionOutput>` (see `data_overview.rs`), add `mod <id>;` below and one line to
//! [`SECTIONS`].

mod data_overview;
mod double_well;
mod ising_activation;
mod rapid;
mod relevance;
mod zero_synapses;

use crate::common::{Ctx, VERSION};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::Seed;
use spinlearn_core::record::{RunDir, write_json};
use spinlearn_plot::{Figure, Report, ReportSection};
use std::path::{Path, PathBuf};

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Minutes on a laptop: reduced sizes, same figures.
    Quick,
    /// The papers' sizes (hours for some sections).
    Full,
}

/// `spinlearn reproduce`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ReproduceArgs {
    /// A section id (`data`, …) or `all`.
    pub section: String,
    /// Reduced sizes (the default).
    #[arg(long, conflicts_with = "full")]
    pub quick: bool,
    /// The papers' sizes.
    #[arg(long)]
    pub full: bool,
    /// Directory of the full standard MNIST (used by --full sections that need it).
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

/// What a section sees.
pub struct SectionCtx<'a> {
    /// Quick or full.
    pub mode: Mode,
    /// The report directory (where index.html goes).
    pub root: PathBuf,
    /// This section's directory, `root/<id>`.
    pub dir: PathBuf,
    /// This section's seed (derived from the run seed and the section id).
    pub seed: Seed,
    /// The invocation's context (threads, quiet, progress bars).
    pub ctx: &'a Ctx,
    /// `--mnist-dir`, when given.
    pub mnist_dir: Option<PathBuf>,
}

impl SectionCtx<'_> {
    /// Path stem of a figure in this section's directory (`dir/name`, extensions added by save).
    pub fn stem(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A report figure for the PNG written at `stem(name)`.
    pub fn figure(&self, name: &str, caption: impl Into<String>) -> Figure {
        let png = self.dir.join(format!("{name}.png"));
        Figure {
            path: rel(&self.root, &png),
            caption: caption.into(),
        }
    }

    /// True in --quick mode.
    pub fn quick(&self) -> bool {
        self.mode == Mode::Quick
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a section returns: its report part and its summary (written to `<id>/summary.json`).
pub struct SectionOutput {
    /// Text, figures and headline table for index.html.
    pub section: ReportSection,
    /// Named headline figures.
    pub summary: Value,
}

type SectionFn = fn(&SectionCtx) -> Result<SectionOutput>;

/// The sections in report order: id, title, function.
pub const SECTIONS: &[(&str, &str, SectionFn)] = &[
    ("data", "Data overview", data_overview::run),
    (
        "ising-activation",
        "The activation function as a mean-field Ising model",
        ising_activation::run,
    ),
    (
        "zero-synapses",
        "Zero synapses in unsupervised feature learning",
        zero_synapses::run,
    ),
    (
        "rapid",
        "Efficient training of energy-based models via spin-glass control (RAPID)",
        rapid::run,
    ),
    (
        "relevance",
        "Resolution and relevance trade-offs in deep learning",
        relevance::run,
    ),
    (
        "double-well",
        "Attractor networks with double-well synapses",
        double_well::run,
    ),
];

/// Runs `reproduce`.
pub fn run(a: &ReproduceArgs, ctx: &Ctx) -> Result<()> {
    let mode = if a.full { Mode::Full } else { Mode::Quick };
    let ids: Vec<&str> = if a.section == "all" {
        SECTIONS.iter().map(|s| s.0).collect()
    } else {
        match SECTIONS.iter().find(|s| s.0 == a.section) {
            Some(s) => vec![s.0],
            None => bail!(
                "invalid parameter `section`: unknown section `{}` (one of: all, {})",
                a.section,
                SECTIONS.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
            ),
        }
    };
    let root = ctx.out_dir("reproduce");
    let run_dir = RunDir::create(
        &root,
        "reproduce",
        ctx.command.clone(),
        serde_json::to_value(a)?,
        ctx.seed.value(),
        ctx.threads,
        VERSION,
    )?;
    let mut status = serde_json::Map::new();
    let mut failures = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let (_, title, f) = SECTIONS
            .iter()
            .find(|s| s.0 == *id)
            .expect("listed section");
        ctx.say(format!(
            "[{}/{}] {title} ({id}, {mode:?})",
            i + 1,
            ids.len()
        ));
        let dir = root.join(id);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        let stale = dir.join("summary.json");
        if stale.exists() {
            std::fs::remove_file(&stale)?;
        }
        let sctx = SectionCtx {
            mode,
            root: root.clone(),
            dir: dir.clone(),
            seed: ctx.seed.named(id),
            ctx,
            mnist_dir: a.mnist_dir.clone(),
        };
        let t = std::time::Instant::now();
        match f(&sctx) {
            Ok(mut out) => {
                let secs = t.elapsed().as_secs_f64();
                out.section.id = id.to_string();
                if out.section.title.is_empty() {
                    out.section.title = title.to_string();
                }
                out.section.seconds = secs;
                write_json(&dir.join("summary.json"), &out.summary)?;
                write_json(&dir.join("section.json"), &out.section)?;
                status.insert(
                    id.to_string(),
                    json!({"status": "complete", "seconds": secs}),
                );
                ctx.say(format!("    done in {secs:.1} s"));
            }
            Err(e) => {
                let msg = format!("{e:#}");
                ctx.say(format!("    FAILED: {msg}"));
                status.insert(id.to_string(), json!({"status": "failed", "error": msg}));
                failures.push(format!("{id}: {msg}"));
            }
        }
        write_index(&root, mode, ctx)?;
    }
    let summary = json!({"mode": mode, "sections": status});
    if failures.is_empty() {
        let p = run_dir.complete(&summary)?;
        ctx.say(format!("wrote {}", p.join("index.html").display()));
        Ok(())
    } else {
        write_json(&root.join("summary.json"), &summary)?;
        run_dir.fail(&failures.join("; "))?;
        bail!(
            "{} section(s) failed: {}",
            failures.len(),
            failures.join("; ")
        )
    }
}

/// Writes index.html from every `root/<id>/section.json` present, in [`SECTIONS`] order.
fn write_index(root: &Path, mode: Mode, ctx: &Ctx) -> Result<()> {
    let mut report = Report {
        title: "spinlearn: reproduced results".into(),
        preamble: vec![
            format!("spinlearn {VERSION}, mode {mode:?}, seed {}, {} threads.", ctx.seed, ctx.threads),
            "Every number below was computed in this run; the paper's value is shown beside it where the paper quotes one.".into(),
        ],
        sections: Vec::new(),
    };
    for (id, _, _) in SECTIONS {
        let p = root.join(id).join("section.json");
        if let Ok(text) = std::fs::read_to_string(&p) {
            let s: ReportSection = serde_json::from_str(&text)
                .with_context(|| format!("{}: cannot read section", p.display()))?;
            report.sections.push(s);
        }
    }
    report.write(root)?;
    Ok(())
}
