//! `spinlearn data list|show|export`: the datasets, an image grid of samples, NumPy exports.
//! Samples are selected with the common [`common::DataArgs`] flags (`--data NAME|FILE --digits 0,1
//! --n-samples 64 --threshold 0.5`).
//!
//! Pattern for a domain module: a `#[derive(Subcommand)]` enum whose variants hold `Args` structs
//! that implement [`Experiment`]; `run_cmd` calls [`execute`] for each; `main.rs` holds one enum
//! variant per domain.

use crate::common::{self, Ctx, Experiment, execute};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::Units;
use spinlearn_core::record::RunDir;
use spinlearn_data::{Values, catalog, npy, text};
use spinlearn_reproduce::data_figures::sample_grid;

/// The `data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCmd {
    /// List the datasets with their sizes.
    List,
    /// Write an image grid of samples (PNG and SVG).
    Show(ShowArgs),
    /// Export a dataset as .npy (data.npy, labels.npy), .npz or text for use in NumPy.
    Export(ExportArgs),
}

/// Runs a `data` subcommand.
pub fn run_cmd(cmd: &DataCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        DataCmd::List => {
            println!(
                "{:<14} {:>9} {:>9}  description",
                "name", "samples", "features"
            );
            for d in catalog::list() {
                println!(
                    "{:<14} {:>9} {:>9}  {}",
                    d.name, d.n_samples, d.n_features, d.description
                );
            }
            Ok(())
        }
        DataCmd::Show(a) => execute(a, ctx),
        DataCmd::Export(a) => execute(a, ctx),
    }
}

/// A file-name-safe form of a dataset name or path.
fn slug(name: &str) -> String {
    name.replace(['/', '.'], "_")
}

/// Samples shown by `data show` when `--n-samples` is not given.
const DEFAULT_SHOWN: usize = 64;

/// `spinlearn data show --data NAME`: the first `--n-samples` (default 64) samples as images;
/// `--threshold T` shows them binarized at T.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ShowArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub data: common::DataArgs,
    /// Images per row (default: about sqrt of n).
    #[arg(long, allow_negative_numbers = true)]
    pub cols: Option<usize>,
}

impl Experiment for ShowArgs {
    const KIND: &'static str = "data show";

    fn default_out(&self) -> String {
        format!("data-show-{}", slug(&self.data.data))
    }

    fn validate(&self) -> Result<()> {
        if let Some(c) = self.cols {
            anyhow::ensure!(c > 0, "invalid parameter `cols`: must be at least 1, got 0");
        }
        self.data.selection(|_| Values::Keep)?;
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let mut sel = self.data.clone();
        sel.n_samples.get_or_insert(DEFAULT_SHOWN);
        let ds = sel.load(|t| match t {
            Some(threshold) => Values::Binary {
                threshold,
                encoding: Units::Bit,
            },
            None => Values::Keep,
        })?;
        let files = sample_grid(&ds, self.cols, &dir.file("grid"))?;
        let shape = ds.image_shape.unwrap_or_default();
        let mut counts = std::collections::BTreeMap::new();
        for &l in ds.labels.iter().flatten() {
            *counts.entry(l.to_string()).or_insert(0usize) += 1;
        }
        Ok(json!({
            "dataset": ds.name,
            "n_shown": ds.n_samples(),
            "n_features": ds.n_features(),
            "image_shape": [shape.0, shape.1],
            "label_counts": counts,
            "files": files.iter().map(|f| f.file_name().map(|n| n.to_string_lossy().to_string())).collect::<Vec<_>>(),
        }))
    }
}

/// `spinlearn data export --data NAME --format npy|npz|txt`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ExportArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub select: common::DataArgs,
    /// Export binary values as -1/+1 spins (binarized at --threshold, default 0.5; data already
    /// 0/1 keeps its pattern). Without it, --threshold exports 0/1 bits.
    #[arg(long)]
    pub spins: bool,
    /// File format: npy (data.npy + labels.npy), npz (data.npz with `data`, `labels`), txt.
    #[arg(long, default_value = "npy")]
    pub format: String,
}

impl ExportArgs {
    fn values(&self, threshold: Option<f32>) -> Values {
        match (threshold, self.spins) {
            (None, false) => Values::Keep,
            (t, spins) => Values::Binary {
                threshold: t.unwrap_or(0.5),
                encoding: if spins { Units::Spin } else { Units::Bit },
            },
        }
    }
}

impl Experiment for ExportArgs {
    const KIND: &'static str = "data export";

    fn default_out(&self) -> String {
        format!("data-export-{}", slug(&self.select.data))
    }

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            matches!(self.format.as_str(), "npy" | "npz" | "txt"),
            "invalid parameter `format`: `{}` is not one of npy, npz, txt",
            self.format
        );
        self.select.selection(|t| self.values(t))?;
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = self.select.load(|t| self.values(t))?;
        let labels: Option<ndarray::Array1<u8>> = ds.labels.clone().map(ndarray::Array1::from_vec);
        let mut files = Vec::new();
        match self.format.as_str() {
            "npy" => {
                npy::write_npy(&dir.file("data.npy"), &ds.data)?;
                files.push("data.npy");
                if let Some(l) = &labels {
                    npy::write_npy(&dir.file("labels.npy"), l)?;
                    files.push("labels.npy");
                }
            }
            "npz" => {
                npy::write_dataset_npz(&dir.file("data.npz"), &ds)?;
                files.push("data.npz");
            }
            _ => {
                text::write_text(&dir.file("data.txt"), &ds.data, ' ')?;
                files.push("data.txt");
            }
        }
        Ok(json!({
            "dataset": ds.name,
            "n_samples": ds.n_samples(),
            "n_features": ds.n_features(),
            "files": files,
        }))
    }
}
