//! The papers' experiments as a library: for each paper, the quick/full presets (sizes, methods,
//! learning rates as data), the driver that calls the domain crates, the serializable result, the
//! figures and the report section; and the HTML report that gathers the sections.
//!
//! What this crate owns: experiment design (which runs, at which sizes) and presentation (figures,
//! tables, report text). What it may not hold: science that a user would call on its own (models,
//! samplers, solvers, scans, fits); those live in the domain crates with params structs, and a
//! section only calls them. The CLI (`spinlearn-cli`) only turns flags into a [`ReportParams`] and
//! calls [`run_report`]; nothing here parses flags or draws progress bars (progress goes through
//! [`Observer`]).
//!
//! A section reads top to bottom as "preset(mode) -> library calls -> result -> figures, table and
//! summary". Adding a section: a module with `pub fn run(s: &SectionCtx, obs: &mut dyn Observer) ->
//! Result<SectionOutput>` and one line in [`SECTIONS`].
#![warn(missing_docs)]

pub mod claims;
pub mod data_figures;
pub mod data_overview;
pub mod double_well;
pub mod error;
pub mod ising_activation;
pub mod rapid;
pub mod relevance;
pub mod shard;
pub mod zero_synapses;

pub use error::{ReproduceError, Result};

pub use claims::{Claim, Measured, Rule, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spinlearn_core::record::write_json;
use spinlearn_core::{Observer, Seed};
use spinlearn_plot::{ClaimRow, Figure, Report, ReportSection};
use std::path::{Path, PathBuf};

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Seconds: the smallest sizes that exercise every code path and figure (the test suite).
    Smoke,
    /// Minutes on a laptop: reduced sizes, same figures.
    Quick,
    /// The papers' sizes (hours for some sections).
    Full,
}

impl Mode {
    /// Picks the value of a preset for this mode.
    pub fn pick<T>(self, smoke: T, quick: T, full: T) -> T {
        match self {
            Mode::Smoke => smoke,
            Mode::Quick => quick,
            Mode::Full => full,
        }
    }
}

/// What a section sees.
#[derive(Debug, Clone)]
pub struct SectionCtx {
    /// Smoke, quick or full.
    pub mode: Mode,
    /// The report directory (where index.html goes).
    pub root: PathBuf,
    /// This section's directory, `root/<id>`.
    pub dir: PathBuf,
    /// This section's seed (derived from the run seed and the section id).
    pub seed: Seed,
    /// Worker threads of the process (recorded beside timings; results do not depend on it).
    pub threads: usize,
    /// Directory of the full standard MNIST, when given.
    pub mnist_dir: Option<PathBuf>,
}

impl SectionCtx {
    /// The context of section `id` in the report directory `root`: its directory `root/<id>` is
    /// created, its seed is `run_seed.named(id)` (as in [`run_report`]), threads are rayon's.
    pub fn new(root: &Path, id: &str, mode: Mode, run_seed: Seed) -> Result<SectionCtx> {
        let dir = root.join(id);
        std::fs::create_dir_all(&dir).map_err(|e| ReproduceError::io(&dir, e))?;
        Ok(SectionCtx {
            mode,
            root: root.to_path_buf(),
            dir,
            seed: run_seed.named(id),
            threads: rayon::current_num_threads(),
            mnist_dir: None,
        })
    }

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
            data: Vec::new(),
        }
    }

    /// True in quick mode.
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

/// What a section returns: its report part, its summary (written to `<id>/summary.json`) and its
/// paper's headline claims with their verdicts (written to `<id>/claims.json` and gathered into the
/// report's `claims.json` and scoreboard).
pub struct SectionOutput {
    /// Text, figures and headline table for index.html.
    pub section: ReportSection,
    /// Named headline figures.
    pub summary: Value,
    /// The paper's headline claims measured by this run.
    pub claims: Vec<Claim>,
}

/// Links each figure's data: the files `<stem>.csv` and `<stem>.npz` beside its PNG, when present.
fn link_figure_data(root: &Path, section: &mut ReportSection) {
    for f in &mut section.figures {
        if let Some(stem) = f.path.strip_suffix(".png") {
            for ext in ["csv", "npz"] {
                let d = format!("{stem}.{ext}");
                if root.join(&d).is_file() && !f.data.contains(&d) {
                    f.data.push(d);
                }
            }
        }
    }
}

/// The anchor of claim `id` of section `section` on the page (what a [`spinlearn_plot::TableRow`]
/// names in its `claim` field to take the claim's verdict as its status).
pub fn claim_anchor(section: &str, id: &str) -> String {
    format!("claim-{section}-{}", id.replace(['.', ' ', '/'], "-"))
}

/// The page's view of a claim.
fn claim_row(section: &str, c: &Claim) -> ClaimRow {
    let unit = if c.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", c.unit)
    };
    let ours = if c.ours.n_runs > 1 {
        format!(
            "{} ± {}{unit} ({} runs)",
            fmt_num(c.ours.value),
            fmt_num(c.ours.spread),
            c.ours.n_runs
        )
    } else {
        format!("{}{unit}", fmt_num(c.ours.value))
    };
    let note = match &c.not_comparable {
        Some(r) if c.note.is_empty() => r.clone(),
        Some(r) => format!("{r} {}", c.note),
        None => c.note.clone(),
    };
    ClaimRow {
        anchor: claim_anchor(section, &c.id),
        name: c.name.clone(),
        ours,
        paper: c.paper.clone(),
        rule: c.rule.describe(),
        verdict: c.verdict,
        note,
        figure: c.figure.as_ref().map(|stem| {
            Figure {
                path: format!("{section}/{stem}.png"),
                ..Default::default()
            }
            .anchor()
        }),
    }
}

/// A number with four significant digits, without exponent noise for ordinary magnitudes.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == x.trunc() && x.abs() < 1e9 {
        return format!("{x:.0}");
    }
    let a = x.abs();
    if (1e-3..1e6).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    } else {
        format!("{x:.3e}")
    }
}

/// A section's entry point.
pub type SectionFn = fn(&SectionCtx, &mut dyn Observer) -> Result<SectionOutput>;

/// One report section: id, title, entry point.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The id typed on the command line and used as directory name.
    pub id: &'static str,
    /// The section title.
    pub title: &'static str,
    /// Runs it.
    pub run: SectionFn,
}

/// The sections in report order.
pub const SECTIONS: &[Section] = &[
    Section {
        id: "data",
        title: "Data overview",
        run: data_overview::run,
    },
    Section {
        id: "ising-activation",
        title: "The activation function as a mean-field Ising model",
        run: ising_activation::run,
    },
    Section {
        id: "zero-synapses",
        title: "Zero synapses in unsupervised feature learning",
        run: zero_synapses::run,
    },
    Section {
        id: "rapid",
        title: "Efficient training of energy-based models via spin-glass control (RAPID)",
        run: rapid::run,
    },
    Section {
        id: "relevance",
        title: "Resolution and relevance trade-offs in deep learning",
        run: relevance::run,
    },
    Section {
        id: "double-well",
        title: "Attractor networks with double-well synapses",
        run: double_well::run,
    },
];

/// What to reproduce.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportParams {
    /// Section ids in any order, or `["all"]`.
    pub sections: Vec<String>,
    /// Smoke, quick or full.
    pub mode: Mode,
    /// Directory of the full standard MNIST, when given.
    pub mnist_dir: Option<PathBuf>,
}

impl ReportParams {
    /// The sections to run, in report order; an unknown id is an error naming it.
    pub fn resolve(&self) -> Result<Vec<Section>> {
        if self.sections.iter().any(|s| s == "all") {
            return Ok(SECTIONS.to_vec());
        }
        for name in &self.sections {
            if !SECTIONS.iter().any(|s| s.id == name) {
                return Err(ReproduceError::UnknownSection {
                    name: name.clone(),
                    known: SECTIONS.iter().map(|s| s.id).collect::<Vec<_>>().join(", "),
                });
            }
        }
        Ok(SECTIONS
            .iter()
            .filter(|s| self.sections.iter().any(|n| n == s.id))
            .copied()
            .collect())
    }
}

/// Where and how the report runs: the report directory, the run seed and the thread count.
#[derive(Debug, Clone)]
pub struct ReportRun {
    /// The report directory (index.html, one sub-directory per section).
    pub root: PathBuf,
    /// The run seed; section `id` uses `seed.named(id)`.
    pub seed: Seed,
    /// Worker threads (recorded only).
    pub threads: usize,
    /// The tool's version, printed in the page.
    pub version: String,
    /// Inline every PNG into index.html (one self-contained file to share).
    pub embed_figures: bool,
}

/// Runs the sections one after the other into `run.root/<id>/` (figures, `summary.json`,
/// `section.json`), rewriting `run.root/index.html` after each, and returns the report summary
/// (`{"mode", "sections": {id: {"status", "seconds" | "error"}}}`). A failing section does not stop
/// the others; the call then ends in [`ReproduceError::SectionsFailed`] after the page is written.
pub fn run_report(p: &ReportParams, run: &ReportRun, obs: &mut dyn Observer) -> Result<Value> {
    let sections = p.resolve()?;
    let mut status = serde_json::Map::new();
    let mut failures = Vec::new();
    for (i, sec) in sections.iter().enumerate() {
        obs.note(&format!(
            "[{}/{}] {} ({}, {:?})",
            i + 1,
            sections.len(),
            sec.title,
            sec.id,
            p.mode
        ));
        let mut sctx = SectionCtx::new(&run.root, sec.id, p.mode, run.seed)?;
        sctx.threads = run.threads;
        sctx.mnist_dir = p.mnist_dir.clone();
        let dir = sctx.dir.clone();
        for stale in ["summary.json", "section.json", "claims.json"] {
            let f = dir.join(stale);
            if f.exists() {
                std::fs::remove_file(&f).map_err(|e| ReproduceError::io(&f, e))?;
            }
        }
        let t = std::time::Instant::now();
        match (sec.run)(&sctx, obs) {
            Ok(out) => {
                let secs = t.elapsed().as_secs_f64();
                finish_section(run, sec.id, sec.title, out, secs)?;
                status.insert(
                    sec.id.to_string(),
                    json!({"status": "complete", "seconds": secs}),
                );
                obs.note(&format!("    done in {secs:.1} s"));
            }
            Err(e) => {
                let msg = e.to_string();
                obs.note(&format!("    FAILED: {msg}"));
                status.insert(
                    sec.id.to_string(),
                    json!({"status": "failed", "error": msg}),
                );
                failures.push(format!("{}: {msg}", sec.id));
            }
        }
        write_index(run, p.mode)?;
    }
    let summary = json!({"mode": p.mode, "sections": status});
    if failures.is_empty() {
        Ok(summary)
    } else {
        write_json(&run.root.join("summary.json"), &summary)?;
        Err(ReproduceError::SectionsFailed {
            count: failures.len(),
            detail: failures.join("; "),
        })
    }
}

/// Writes a finished section's `claims.json`, `summary.json` and `section.json` into
/// `run.root/<id>/` (its claims tagged with the section, its figures linked to their data files).
fn finish_section(
    run: &ReportRun,
    id: &str,
    title: &str,
    mut out: SectionOutput,
    secs: f64,
) -> Result<()> {
    let dir = run.root.join(id);
    out.section.id = id.to_string();
    if out.section.title.is_empty() {
        out.section.title = title.to_string();
    }
    out.section.seconds = secs;
    for c in &mut out.claims {
        c.section = id.to_string();
    }
    out.section.claims = out.claims.iter().map(|c| claim_row(id, c)).collect();
    link_figure_data(&run.root, &mut out.section);
    write_json(&dir.join("claims.json"), &out.claims)?;
    write_json(&dir.join("summary.json"), &out.summary)?;
    write_json(&dir.join("section.json"), &out.section)?;
    Ok(())
}

/// Writes `index.html` from every `root/<id>/section.json` present, in [`SECTIONS`] order, so that
/// sections run separately merge into one page, and `claims.json` with every section's claims.
pub fn write_index(run: &ReportRun, mode: Mode) -> Result<PathBuf> {
    let mut report = Report {
        title: "spinlearn: reproduced results".into(),
        preamble: vec![
            format!(
                "spinlearn {}, mode {mode:?}, seed {}, {} threads.",
                run.version, run.seed, run.threads
            ),
            "Every number below was computed in this run; the paper's value is shown beside it where the paper quotes one.".into(),
        ],
        sections: Vec::new(),
    };
    let mut claims: Vec<Claim> = Vec::new();
    for sec in SECTIONS {
        let cp = run.root.join(sec.id).join("claims.json");
        if let Ok(text) = std::fs::read_to_string(&cp) {
            let mut c: Vec<Claim> = serde_json::from_str(&text).map_err(|source| {
                ReproduceError::Core(spinlearn_core::Error::Json {
                    path: cp.clone(),
                    source,
                })
            })?;
            claims.append(&mut c);
        }
        let p = run.root.join(sec.id).join("section.json");
        if let Ok(text) = std::fs::read_to_string(&p) {
            let s: ReportSection = serde_json::from_str(&text).map_err(|source| {
                ReproduceError::Core(spinlearn_core::Error::Json {
                    path: p.clone(),
                    source,
                })
            })?;
            report.sections.push(s);
        }
    }
    write_json(&run.root.join("claims.json"), &claims)?;
    if run.embed_figures {
        Ok(report.write_embedded(&run.root, "index.html")?)
    } else {
        Ok(report.write(&run.root)?)
    }
}
