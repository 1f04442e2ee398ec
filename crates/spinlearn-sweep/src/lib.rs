//! Sweeps: one experiment over a grid of parameters, as independent tasks.
//!
//! A sweep file is the TOML of one `spinlearn run` experiment (its `kind` and keys) plus a
//! `[sweep]` table of axes and an optional `[slurm]` table of resources ([`SweepFile::parse`]).
//! The plan ([`SweepFile::tasks`]) is the Cartesian product of the axes (in name order, zipped
//! groups as one axis, seeds innermost); each [`Task`] has a stable index and id (`t000`, …) and
//! its fully resolved config. The sweep id ([`SweepFile::id`]) is a hash of the experiment and the
//! axes, so a changed file never resumes another sweep's outputs. Every task runs into
//! `OUT/<task id>/` (a run directory of [`spinlearn_core::record`]); [`task_state`] reads its state,
//! [`collect`] flattens the swept parameters and each `summary.json` into one table, [`plot`] draws
//! a column against another with a band over seeds, and [`slurm`] writes job-array scripts and
//! reads `squeue`.
//!
//! Owns: sweep files, plans, task states, collected tables, Slurm script text. May import: core,
//! plot, toml, serde; never a domain crate (tasks are run by the binary, as processes).
#![warn(missing_docs)]

pub mod collect;
mod error;
mod file;
pub mod slurm;

pub use collect::{Column, Table, collect, plot};
pub use error::{Error, Result};
pub use file::{Axis, SlurmSettings, SweepFile, Task};

use std::path::Path;

/// Where a task stands, from its run directory (and the queue, see [`slurm::parse_squeue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskState {
    /// Not started (no run record).
    Pending,
    /// Waiting in the batch queue.
    Queued,
    /// Running (a live process, or one on another host).
    Running,
    /// Finished with a summary.
    Complete,
    /// Ended with an error.
    Failed,
    /// Stopped by a signal (Ctrl-C, Slurm's time limit, `scancel`).
    Interrupted,
    /// Says `running` but its process is gone (killed without a word, e.g. SIGKILL).
    Stale,
}

impl TaskState {
    /// Every state, in the order `sweep status` prints them.
    pub const ALL: [TaskState; 7] = [
        TaskState::Pending,
        TaskState::Queued,
        TaskState::Running,
        TaskState::Complete,
        TaskState::Failed,
        TaskState::Interrupted,
        TaskState::Stale,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Complete => "complete",
            TaskState::Failed => "failed",
            TaskState::Interrupted => "interrupted",
            TaskState::Stale => "stale",
        }
    }
}

/// The state of the task whose run directory is `dir`, from its `run.json` (a `running` record
/// whose process is gone on this host is [`TaskState::Stale`]).
pub fn task_state(dir: &Path) -> TaskState {
    match spinlearn_core::record::read_record(dir) {
        None => TaskState::Pending,
        Some(r) => match r.status.as_str() {
            "complete" if dir.join("summary.json").is_file() => TaskState::Complete,
            "failed" => TaskState::Failed,
            "interrupted" => TaskState::Interrupted,
            "running" if spinlearn_core::record::is_stale(&r) => TaskState::Stale,
            "running" => TaskState::Running,
            _ => TaskState::Failed,
        },
    }
}

/// Runs `f` on each of `items`, `jobs` at a time on scoped threads, taking items in order until
/// `stop()` says so; returns each started item with its result, in item order.
pub fn run_queue<R: Send>(
    items: &[usize],
    jobs: usize,
    stop: impl Fn() -> bool + Sync,
    f: impl Fn(usize) -> R + Sync,
) -> Vec<(usize, R)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(items.len().max(1)) {
            s.spawn(|| {
                loop {
                    if stop() {
                        break;
                    }
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(&item) = items.get(k) else { break };
                    let r = f(item);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((item, r));
                }
            });
        }
    });
    let mut v = results.into_inner().unwrap_or_else(|p| p.into_inner());
    v.sort_by_key(|(i, _)| *i);
    v
}

/// 64-bit FNV-1a of `bytes` (stable across platforms and releases; names sweeps, not secrets).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
