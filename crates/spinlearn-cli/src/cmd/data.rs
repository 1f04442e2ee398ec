//! `spinlearn data list|show|export`, and [`DataArgs`], the dataset selection other subcommands
//! flatten into their flags (`--data NAME|FILE --digits 0,1 -n 64 --binarize 0.5 --spins`).
//!
//! Pattern for a domain module: a `#[derive(Subcommand)]` enum whose variants hold `Args` structs
//! that implement [`Experiment`]; `run_cmd` calls [`execute`] for each; `main.rs` holds one enum
//! variant per domain.

use crate::common::{Ctx, Experiment, execute, parse_digits};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::record::RunDir;
use spinlearn_data::{Dataset, catalog, npy, text, transform};
use spinlearn_plot::ImageGrid;
use std::path::{Path, PathBuf};

/// Selects a dataset and the transforms applied to it.
#[derive(Debug, Clone, Args, Serialize)]
pub struct DataArgs {
    /// A named dataset (`spinlearn data list`) or a file (.npy, .npz, .txt, .csv; rows = samples).
    #[arg(long = "data", default_value = "mnist", value_name = "NAME|FILE")]
    pub data: String,
    /// Keep only these labels, comma-separated (e.g. `0,1`).
    #[arg(long, value_name = "LIST")]
    pub digits: Option<String>,
    /// Keep the first N samples (after label selection).
    #[arg(short = 'n', long = "n-samples", value_name = "N")]
    pub n_samples: Option<usize>,
    /// Binarize at this threshold (fraction of full scale), e.g. 0.5.
    #[arg(long, value_name = "T")]
    pub binarize: Option<f64>,
    /// Map 0/1 values to -1/+1 spins (after binarizing).
    #[arg(long)]
    pub spins: bool,
    /// Directory of the full standard MNIST (train-*/t10k-* IDX files) instead of the embedded subset.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

impl DataArgs {
    /// Loads and transforms the selection.
    pub fn load(&self) -> Result<Dataset> {
        let mut ds = load_named_or_file(&self.data, self.mnist_dir.as_deref())?;
        if let Some(d) = &self.digits {
            let labels = parse_digits(d)?;
            ds = transform::select_labels(&ds, &labels)?;
        }
        if let Some(n) = self.n_samples {
            anyhow::ensure!(
                n > 0,
                "invalid parameter `n-samples`: must be at least 1, got 0"
            );
            ds = ds.head(n);
        }
        if let Some(t) = self.binarize {
            ds = transform::binarize(&ds, t as f32)?;
        }
        if self.spins {
            ds = transform::to_spins(&ds)?;
        }
        Ok(ds)
    }
}

/// Loads a dataset by name, or from a file when `name` has a data-file extension.
pub fn load_named_or_file(name: &str, mnist_dir: Option<&Path>) -> Result<Dataset> {
    let path = Path::new(name);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    Ok(match ext.as_deref() {
        Some("npy") => npy::read_npy_dataset(path)?,
        Some("npz") => {
            let npz = npy::read_npz(path)?;
            if npz.names().contains(&"data") {
                npy::read_dataset_npz(path)?
            } else {
                let key = npz
                    .names()
                    .first()
                    .map(|s| s.to_string())
                    .with_context(|| format!("{name}: the .npz holds no array"))?;
                Dataset {
                    name: name.into(),
                    data: npz.f32_2d(&key)?,
                    labels: None,
                    image_shape: None,
                }
            }
        }
        Some("txt") | Some("csv") | Some("dat") => text::read_text(path, false)?,
        _ => catalog::load(name, mnist_dir)?,
    })
}

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

/// `spinlearn data show NAME`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ShowArgs {
    /// Dataset name (see `data list`).
    pub name: String,
    /// Keep only these labels, comma-separated.
    #[arg(long, value_name = "LIST")]
    pub digits: Option<String>,
    /// Number of samples shown.
    #[arg(short = 'n', long = "n-samples", default_value_t = 64)]
    pub n_samples: usize,
    /// Images per row (default: about sqrt of n).
    #[arg(long)]
    pub cols: Option<usize>,
    /// Binarize at this threshold before showing.
    #[arg(long)]
    pub binarize: Option<f64>,
    /// Directory of the full standard MNIST.
    #[arg(long, value_name = "DIR")]
    pub mnist_dir: Option<PathBuf>,
}

impl Experiment for ShowArgs {
    const KIND: &'static str = "data show";

    fn default_out(&self) -> String {
        format!("data-show-{}", self.name)
    }

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            self.n_samples > 0,
            "invalid parameter `n-samples`: must be at least 1, got 0"
        );
        if let Some(c) = self.cols {
            anyhow::ensure!(c > 0, "invalid parameter `cols`: must be at least 1, got 0");
        }
        if let Some(d) = &self.digits {
            parse_digits(d)?;
        }
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let sel = DataArgs {
            data: self.name.clone(),
            digits: self.digits.clone(),
            n_samples: Some(self.n_samples),
            binarize: self.binarize,
            spins: false,
            mnist_dir: self.mnist_dir.clone(),
        };
        let ds = sel.load()?;
        let shape = ds
            .image_shape
            .with_context(|| format!("dataset `{}` is not made of images", ds.name))?;
        let cols = self
            .cols
            .unwrap_or_else(|| (ds.n_samples() as f64).sqrt().ceil() as usize);
        let (lo, hi) = ds
            .data
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let images: Vec<Vec<f32>> = (0..ds.n_samples()).map(|i| ds.row(i).to_vec()).collect();
        let mut grid = ImageGrid::new(images, shape, cols);
        grid.range = if lo < 0.0 {
            (-1.0, 1.0)
        } else {
            (0.0, hi.max(1.0))
        };
        grid.title = format!("{} ({} samples)", ds.name, ds.n_samples());
        if let Some(l) = &ds.labels {
            grid.captions = Some(l.iter().map(|d| d.to_string()).collect());
        }
        let files = grid.save(&dir.file("grid"))?;
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

/// `spinlearn data export NAME --format npy|npz|txt`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct ExportArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub select: DataArgs,
    /// File format: npy (data.npy + labels.npy), npz (data.npz with `data`, `labels`), txt.
    #[arg(long, default_value = "npy")]
    pub format: String,
}

impl Experiment for ExportArgs {
    const KIND: &'static str = "data export";

    fn default_out(&self) -> String {
        format!("data-export-{}", self.select.data.replace(['/', '.'], "_"))
    }

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            matches!(self.format.as_str(), "npy" | "npz" | "txt"),
            "invalid parameter `format`: `{}` is not one of npy, npz, txt",
            self.format
        );
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = self.select.load()?;
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
