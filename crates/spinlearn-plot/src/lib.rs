//! Figures and reports for spinlearn: line/scatter plots with error bars, bands, log axes and
//! reference lines ([`LinePlot`], several side by side with [`PlotGrid`]), image grids of digits
//! and samples ([`ImageGrid`]), three-level feature maps (black -1, gray 0, white +1,
//! [`ImageGrid::ternary`]), 2-D arrays with a colour bar ([`Heatmap`]: weight matrices, phase
//! diagrams), weight histograms ([`histogram`]), and the self-contained HTML report page
//! ([`Report`]).
//!
//! Every figure's `save(stem)` writes `stem.png` and `stem.svg` and returns both paths. Text is
//! rendered with DejaVu Sans compiled into this crate ([`font`]), so PNGs look the same on a
//! machine without any system fonts. Descriptions are plain data (serializable); an unusable one
//! (empty, mismatched lengths, nothing drawable) is a [`PlotError::Invalid`], never a panic.
//!
//! Owns: drawing and page layout. May import: no spinlearn crate — figures receive plain numbers,
//! so every domain stays free of plotting and plotting free of science.
//! Every file is written atomically (a hidden partial file, then a rename).
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod axis;
pub mod font;
mod grid;
mod heatmap;
mod line;
mod panels;
pub mod report;
mod scaled;

pub use grid::base64;
pub use heatmap::{Colormap, Heatmap};
pub use line::{PALETTE, format_tick};
pub use panels::PlotGrid;

/// How many PNG pixels a figure has per SVG unit in each direction: PNGs are rendered at twice
/// the SVG's size (every coordinate, stroke, marker and font scaled, text rasterized at the
/// larger size), sharp in print and on high-density screens; the report shows them at the SVG's
/// size.
pub const PNG_SCALE: u32 = 2;

/// The PNG canvas of a figure of logical size `size`: a bitmap [`PNG_SCALE`] times as large,
/// drawn on in logical units.
pub(crate) fn png_backend(
    path: &Path,
    size: (u32, u32),
) -> scaled::Scaled<plotters::prelude::BitMapBackend<'_>> {
    scaled::Scaled::new(
        plotters::prelude::BitMapBackend::new(path, (size.0 * PNG_SCALE, size.1 * PNG_SCALE)),
        PNG_SCALE,
    )
}

/// The PNG and SVG paths for a figure stem: `stem.png`, `stem.svg` (a trailing `.png`/`.svg` on
/// `stem` is dropped, any other dot is kept: `fig.v2` gives `fig.v2.png`). Creates the parent
/// directory.
pub(crate) fn output_paths(stem: &Path) -> Result<(PathBuf, PathBuf)> {
    let base = match stem.extension().and_then(|e| e.to_str()) {
        Some("png" | "svg") => stem.with_extension(""),
        _ => stem.to_path_buf(),
    };
    if base.file_name().is_none() {
        return Err(PlotError::Invalid(format!(
            "figure path '{}' has no file name",
            stem.display()
        )));
    }
    if let Some(dir) = base.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let with = |ext: &str| {
        let mut s = base.clone().into_os_string();
        s.push(".");
        s.push(ext);
        PathBuf::from(s)
    };
    Ok((with("png"), with("svg")))
}

/// Writes `bytes` to `path` atomically (a hidden partial file, then a rename), so a full disk or
/// an interrupted run never leaves a truncated figure under its final name.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = partial(path);
    std::fs::write(&tmp, bytes).map_err(|source| PlotError::Io {
        path: tmp.clone(),
        source,
    })?;
    commit(&tmp, path)
}

/// The hidden partial file a figure is drawn into before [`commit`]: `dir/.name.partial.ext`
/// (the extension is kept, since plotters picks the image format from it).
pub(crate) fn partial(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (base, ext) = match name.rsplit_once('.') {
        Some((b, e)) => (b.to_string(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    path.with_file_name(format!(".{base}.partial{ext}"))
}

/// Renames a finished partial file to its final name (removing the partial file on failure).
pub(crate) fn commit(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(tmp);
        PlotError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Errors from writing figures and reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// Writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The drawing backend failed.
    #[error("{}: cannot draw figure: {reason}", path.display())]
    Draw {
        /// The file being drawn.
        path: PathBuf,
        /// The backend's message.
        reason: String,
    },
    /// The figure's description is unusable (empty, mismatched lengths, non-finite ranges).
    #[error("invalid figure: {0}")]
    Invalid(String),
}

/// Result alias with [`PlotError`].
pub type Result<T, E = PlotError> = std::result::Result<T, E>;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum SeriesStyle {
    /// Solid line.
    #[default]
    Line,
    /// Dashed line (theory curves, bounds, reference laws).
    Dashed,
    /// Markers only (simulation points).
    Points,
    /// Line with markers.
    LinePoints,
    /// A guide to the eye (a reference law, a scaling line, a bound that is not data): thin grey
    /// dotted line, distinct from every data style.
    Guide,
    /// Vertical bars from zero (counts); the y axis then always includes 0.
    Bars,
}

/// One curve of a [`LinePlot`]. `x`, `y` and (when present) `y_err` have equal lengths; non-finite
/// points are skipped (and, on log axes, non-positive ones).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Series {
    /// Legend text (empty: no legend entry).
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// Symmetric error (one standard deviation, or what the caption says), drawn as a band for
    /// lines and as bars for points.
    pub y_err: Option<Vec<f64>>,
    /// Drawing style.
    pub style: SeriesStyle,
    /// Colour index into the palette; `None` takes the series' position.
    pub color: Option<usize>,
}

impl Series {
    /// A solid line.
    pub fn line(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            x,
            y,
            ..Default::default()
        }
    }

    /// Markers only.
    pub fn points(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            x,
            y,
            style: SeriesStyle::Points,
            ..Default::default()
        }
    }

    /// Adds error bars / band.
    pub fn with_err(mut self, err: Vec<f64>) -> Self {
        self.y_err = Some(err);
        self
    }

    /// Changes the style.
    pub fn with_style(mut self, style: SeriesStyle) -> Self {
        self.style = style;
        self
    }

    /// Fixes the palette colour.
    pub fn with_color(mut self, color: usize) -> Self {
        self.color = Some(color);
        self
    }
}

/// A 2-D line/scatter plot.
#[derive(Debug, Clone, Serialize)]
pub struct LinePlot {
    /// Title above the plot (may be empty).
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Fixed x range; `None` fits the data.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range; `None` fits the data (including error bars).
    pub y_range: Option<(f64, f64)>,
    /// Curves, drawn in order.
    pub series: Vec<Series>,
    /// Vertical reference lines `(x, label)` (e.g. the Glorot point, T_c).
    pub vlines: Vec<(f64, String)>,
    /// Horizontal reference lines `(y, label)`.
    pub hlines: Vec<(f64, String)>,
    /// Pixel size of the PNG `(width, height)`; the SVG uses the same units.
    pub size: (u32, u32),
}

impl Default for LinePlot {
    fn default() -> Self {
        LinePlot {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            x_range: None,
            y_range: None,
            series: Vec::new(),
            vlines: Vec::new(),
            hlines: Vec::new(),
            size: (800, 560),
        }
    }
}

impl LinePlot {
    /// An empty plot with a title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        LinePlot {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Default::default()
        }
    }

    /// Adds a series.
    pub fn with(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }
}

/// A grid of grayscale images (digits, samples, receptive fields).
#[derive(Debug, Clone, Serialize)]
pub struct ImageGrid {
    /// Title above the grid (may be empty).
    pub title: String,
    /// The images, each `height * width` values, row-major.
    pub images: Vec<Vec<f32>>,
    /// `(height, width)` of every image.
    pub shape: (usize, usize),
    /// Images per row of the grid.
    pub cols: usize,
    /// Values mapped to black and white `(black, white)`; values outside are clamped.
    pub range: (f32, f32),
    /// Optional caption under each image (e.g. a label or "train"/"test"/"new").
    pub captions: Option<Vec<String>>,
    /// Optional frame colour per image (RGB), e.g. to mark membership in a training set.
    pub frames: Option<Vec<[u8; 3]>>,
    /// Pixels per image pixel.
    pub scale: u32,
}

impl ImageGrid {
    /// A grid of images with values in [0, 1] (0 black, 1 white).
    pub fn new(images: Vec<Vec<f32>>, shape: (usize, usize), cols: usize) -> Self {
        ImageGrid {
            title: String::new(),
            images,
            shape,
            cols,
            range: (0.0, 1.0),
            captions: None,
            frames: None,
            scale: 3,
        }
    }

    /// A three-level feature map grid as in 000_87071dc496436b58.txt: values -1 (black), 0 (gray),
    /// +1 (white).
    pub fn ternary(features: Vec<Vec<f32>>, shape: (usize, usize), cols: usize) -> Self {
        ImageGrid {
            range: (-1.0, 1.0),
            ..ImageGrid::new(features, shape, cols)
        }
    }
}

/// One row of a report's headline table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableRow {
    /// The figure's name as in summary.json, e.g. `bars4.final_test_hamming.rapid`.
    pub name: String,
    /// The value measured in this run, formatted.
    pub value: String,
    /// The paper's value, formatted, when it quotes one.
    pub paper: Option<String>,
    /// A short note (conditions, differences).
    pub note: String,
    /// The anchor of the claim ([`ClaimRow::anchor`]) this row is checked by; its verdict is the
    /// row's status. A row without one has status `not comparable` when the paper quotes no value,
    /// and `unchecked` otherwise (a report test refuses those).
    #[serde(default)]
    pub claim: Option<String>,
}

/// How a result compares with its paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Agrees with the paper under the stated rule.
    Reproduced,
    /// Agrees in part (within twice the tolerance, or part of a statement).
    Partly,
    /// Disagrees with the paper.
    NotReproduced,
    /// This run cannot decide (e.g. quick sizes); the reason is stated beside it.
    NotComparable,
}

impl Verdict {
    /// The verdict in words.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::Partly => "partly",
            Verdict::NotReproduced => "not reproduced",
            Verdict::NotComparable => "not comparable",
        }
    }

    /// A symbol that reads without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Reproduced => "\u{2713}",
            Verdict::Partly => "\u{25d0}",
            Verdict::NotReproduced => "\u{2717}",
            Verdict::NotComparable => "\u{2013}",
        }
    }

    /// The CSS class of its colour on the report page.
    pub fn css_class(self) -> &'static str {
        match self {
            Verdict::Reproduced => "v-ok",
            Verdict::Partly => "v-part",
            Verdict::NotReproduced => "v-no",
            Verdict::NotComparable => "v-nc",
        }
    }
}

/// A figure in a report: a path relative to the report's directory, and a caption.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Figure {
    /// Path of the PNG (or SVG) relative to the report's `index.html`.
    pub path: String,
    /// Caption text.
    pub caption: String,
    /// The data behind the figure (CSV or .npz paths relative to `index.html`), linked from the
    /// caption.
    #[serde(default)]
    pub data: Vec<String>,
}

impl Figure {
    /// The figure's anchor on the page: `fig-` and its path without extension, `/` as `-`.
    pub fn anchor(&self) -> String {
        let stem = self
            .path
            .rsplit_once('.')
            .map_or(self.path.as_str(), |(a, _)| a);
        format!("fig-{}", stem.replace(['/', '.', ' '], "-"))
    }
}

/// One claim of a paper as the page shows it (built by the reproduction from its claim data).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRow {
    /// Anchor id on the page (unique over the report).
    pub anchor: String,
    /// What is claimed.
    pub name: String,
    /// Our value, formatted with spread, runs and unit.
    pub ours: String,
    /// The paper's value or statement.
    pub paper: String,
    /// The comparison rule in words.
    pub rule: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why a verdict is not `reproduced`, or why the run cannot decide.
    pub note: String,
    /// The anchor of the figure it is read from, if any.
    pub figure: Option<String>,
}

/// One section of the HTML report (one paper).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportSection {
    /// Section id (also its directory), e.g. `rapid`.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Introductory paragraphs (plain text; escaped when written).
    pub text: Vec<String>,
    /// Figures in order.
    pub figures: Vec<Figure>,
    /// Headline table.
    pub table: Vec<TableRow>,
    /// Seconds the section took.
    pub seconds: f64,
    /// The paper it reproduces: authors, year, title.
    #[serde(default)]
    pub paper: String,
    /// The paper's headline claims and their verdicts.
    #[serde(default)]
    pub claims: Vec<ClaimRow>,
    /// Known deviations from the paper, each with its cause, one or two sentences each.
    #[serde(default)]
    pub deviations: Vec<String>,
}

/// The HTML report: sections written into one `index.html`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// Page title.
    pub title: String,
    /// Lines under the title (mode, seed, version, machine).
    pub preamble: Vec<String>,
    /// Sections in order.
    pub sections: Vec<ReportSection>,
}

/// A histogram of `values` with `bins` equal bins over their finite range, as a [`Series`] of
/// bin centres and densities (integrating to 1), drawn as a line.
pub fn histogram(label: impl Into<String>, values: &[f64], bins: usize) -> Series {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let bins = bins.max(1);
    let (lo, hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if finite.is_empty() || hi <= lo {
        return Series::line(label, vec![], vec![]);
    }
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        counts[(((v - lo) / w) as usize).min(bins - 1)] += 1;
    }
    let n = finite.len() as f64;
    Series::line(
        label,
        (0..bins).map(|i| lo + (i as f64 + 0.5) * w).collect(),
        counts.iter().map(|&c| c as f64 / (n * w)).collect(),
    )
}
