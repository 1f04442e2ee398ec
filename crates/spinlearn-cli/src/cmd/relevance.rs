//! `spinlearn relevance analyze|powerlaw|bound` and `spinlearn dbn train|analyze` (paper 003).
//! Glue only: the computations live in `spinlearn-relevance`; this parses flags, loads files,
//! calls the library, draws figures and writes run directories. [`pipeline_figures`] is shared
//! with the `relevance` section of `spinlearn reproduce`.

use crate::cmd::data::{DataArgs, load_named_or_file};
use crate::common::{Ctx, Experiment, execute};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use spinlearn_core::record::{RunDir, write_atomic, write_json};
use spinlearn_plot::{ImageGrid, LinePlot, Series, SeriesStyle};
use spinlearn_relevance::bound::{BoundPoint, bound_curve, default_mus};
#[cfg(test)]
use spinlearn_relevance::dbn::PAPER_WIDTHS;
use spinlearn_relevance::dbn::{Dbn, DbnParams, Readout, TopDown, train_dbn};
use spinlearn_relevance::experiments::{
    self, LayerAnalysis, PipelineParams, PipelineResult, analyze_ids, analyze_layer,
};
use spinlearn_relevance::powerlaw::{PowerLawFit, PowerLawParams, XminPolicy, fit};
use spinlearn_relevance::states::{PackedStates, ids_of};
use std::path::{Path, PathBuf};

/// The `relevance` subcommands.
#[derive(Debug, Subcommand)]
pub enum RelevanceCmd {
    /// H[s], H[k], m_k and the power-law fit of a list of states (binary matrix rows or integer labels).
    Analyze(AnalyzeArgs),
    /// Discrete power-law fit of counts (one positive integer per line).
    Powerlaw(PowerlawArgs),
    /// The maximal-relevance bound curve at sample size M.
    Bound(BoundArgs),
}

/// The `dbn` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbnCmd {
    /// Train a deep belief network greedily (PCD-1) and save it with its layers' H[s], H[k].
    Train(DbnTrainArgs),
    /// The full analysis of paper 003: trained/untrained/shuffled networks, k-means, the bound,
    /// generation from each layer scored by a digit classifier.
    Analyze(DbnAnalyzeArgs),
}

/// Runs a `relevance` subcommand.
pub fn run_cmd(cmd: &RelevanceCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        RelevanceCmd::Analyze(a) => execute(a, ctx),
        RelevanceCmd::Powerlaw(a) => execute(a, ctx),
        RelevanceCmd::Bound(a) => execute(a, ctx),
    }
}

/// Runs a `dbn` subcommand.
pub fn run_dbn_cmd(cmd: &DbnCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        DbnCmd::Train(a) => execute(a, ctx),
        DbnCmd::Analyze(a) => execute(a, ctx),
    }
}

/// Parses `auto` or a positive integer.
fn parse_xmin(s: &str, min_tail: usize) -> Result<XminPolicy> {
    if s == "auto" {
        return Ok(XminPolicy::Auto { min_tail });
    }
    let x: u64 = s.parse().map_err(|_| {
        anyhow::anyhow!("invalid parameter `xmin`: `{s}` is neither `auto` nor an integer")
    })?;
    anyhow::ensure!(
        x >= 1,
        "invalid parameter `xmin`: must be at least 1, got 0"
    );
    Ok(XminPolicy::Fixed { xmin: x })
}

fn parse_list(name: &str, s: &str) -> Result<Vec<usize>> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            let v: usize = t.trim().parse().map_err(|_| {
                anyhow::anyhow!("invalid parameter `{name}`: `{t}` is not a positive integer")
            })?;
            anyhow::ensure!(
                v > 0,
                "invalid parameter `{name}`: entries must be at least 1"
            );
            Ok(v)
        })
        .collect()
}

/// Reads one integer per non-empty line (`#` comments allowed).
fn read_integers(path: &Path) -> Result<Vec<i64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        let v: i64 = t
            .parse()
            .with_context(|| format!("{}:{}: `{t}` is not an integer", path.display(), i + 1))?;
        out.push(v);
    }
    anyhow::ensure!(!out.is_empty(), "{}: no integers found", path.display());
    Ok(out)
}

/// True when every non-empty, non-comment line of a text file holds exactly one token.
fn one_token_per_line(path: &Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .all(|l| {
            l.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .count()
                == 1
        }))
}

fn fit_json(f: Option<&PowerLawFit>) -> Value {
    match f {
        Some(f) => json!({
            "alpha": f.alpha, "beta": f.beta, "xmin": f.xmin, "alpha_stderr": f.alpha_stderr,
            "p_value": f.p_value, "n_tail": f.n_tail, "ks_distance": f.ks_distance,
        }),
        None => Value::Null,
    }
}

fn write_mk_csv(path: &Path, deg: &[(u64, u64)]) -> Result<()> {
    let mut s = String::from("k,m_k\n");
    for (k, m) in deg {
        s.push_str(&format!("{k},{m}\n"));
    }
    write_atomic(path, s.as_bytes())?;
    Ok(())
}

fn mk_series(label: &str, deg: &[(u64, u64)]) -> Series {
    Series::points(
        label,
        deg.iter().map(|d| d.0 as f64).collect(),
        deg.iter().map(|d| d.1 as f64).collect(),
    )
}

/// `spinlearn relevance analyze FILE`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct AnalyzeArgs {
    /// States: a .npy/.npz/.txt matrix (one state per row, unit on when > threshold), a text
    /// file with one integer label per line, or a dataset name (`spinlearn data list`).
    pub file: PathBuf,
    /// Threshold for matrix entries.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f32,
    /// Power-law cutoff: `auto` (KS) or an integer.
    #[arg(long, default_value = "auto")]
    pub xmin: String,
    /// Smallest tail for `--xmin auto`.
    #[arg(long, default_value_t = 10)]
    pub min_tail: usize,
    /// Bootstrap replicates for the power-law p-value (0: none).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
}

impl Experiment for AnalyzeArgs {
    const KIND: &'static str = "relevance analyze";

    fn validate(&self) -> Result<()> {
        parse_xmin(&self.xmin, self.min_tail)?;
        anyhow::ensure!(
            self.threshold.is_finite(),
            "invalid parameter `threshold`: must be finite"
        );
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ext = self
            .file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_label_list = self.file.is_file()
            && matches!(ext.as_str(), "txt" | "csv" | "dat" | "")
            && one_token_per_line(&self.file)?;
        let ids: Vec<u32> = if is_label_list {
            ids_of(&read_integers(&self.file)?)
        } else {
            let ds = load_named_or_file(&self.file.to_string_lossy(), None)?;
            PackedStates::from_rows(ds.data.view(), self.threshold).ids()
        };
        let pl = PowerLawParams {
            xmin: parse_xmin(&self.xmin, self.min_tail)?,
            bootstrap: self.bootstrap,
            seed: ctx.seed,
        };
        let a = analyze_ids(&ids, 0, None, &pl)?;
        write_mk_csv(&dir.file("m_k.csv"), &a.degeneracy)?;
        let mut plot = LinePlot::new("Degeneracy of frequencies", "k", "m_k");
        plot.log_x = true;
        plot.log_y = true;
        plot = plot.with(mk_series("m_k", &a.degeneracy));
        if let Some(f) = &a.powerlaw {
            plot = plot.with(power_line(f, &a.degeneracy));
        }
        plot.save(&dir.file("m_k"))?;
        let e = &a.entropies;
        let mut s = json!({
            "M": e.m, "n_states": e.n_states, "H_s": e.h_s, "H_k": e.h_k,
            "H_s_norm": e.h_s_norm, "H_k_norm": e.h_k_norm, "powerlaw": fit_json(a.powerlaw.as_ref()),
        });
        // The fit's headline figures at the top level too (null when no power law can be fitted,
        // e.g. when every state is distinct).
        let f = a.powerlaw.as_ref();
        s["alpha"] = json!(f.map(|f| f.alpha));
        s["beta"] = json!(f.map(|f| f.beta));
        s["xmin"] = json!(f.map(|f| f.xmin));
        s["alpha_stderr"] = json!(f.map(|f| f.alpha_stderr));
        s["p_value"] = json!(f.and_then(|f| f.p_value));
        Ok(s)
    }
}

/// The fitted law drawn over the m_k points: `m_k = C k^(-α)` with `C` matching the number of
/// states at or above x_min.
fn power_line(f: &PowerLawFit, deg: &[(u64, u64)]) -> Series {
    let kmax = deg.last().map_or(f.xmin, |d| d.0).max(f.xmin);
    let ks: Vec<f64> = (0..40)
        .map(|i| f.xmin as f64 * (kmax as f64 / f.xmin as f64).powf(i as f64 / 39.0))
        .collect();
    let z = spinlearn_relevance::powerlaw::hurwitz_zeta(f.alpha, f.xmin as f64);
    let ys = ks
        .iter()
        .map(|k| f.n_tail as f64 * k.powf(-f.alpha) / z)
        .collect();
    Series::line(
        format!("fit beta = {:.2} ± {:.2}", f.beta, f.alpha_stderr),
        ks,
        ys,
    )
    .with_style(SeriesStyle::Dashed)
}

/// `spinlearn relevance powerlaw FILE`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct PowerlawArgs {
    /// Counts: one positive integer per line.
    pub file: PathBuf,
    /// Cutoff: `auto` (KS distance) or an integer.
    #[arg(long, default_value = "auto")]
    pub xmin: String,
    /// Smallest tail for `--xmin auto`.
    #[arg(long, default_value_t = 10)]
    pub min_tail: usize,
    /// Bootstrap replicates for the goodness-of-fit p-value (0: none).
    #[arg(long, default_value_t = 100)]
    pub bootstrap: usize,
}

impl Experiment for PowerlawArgs {
    const KIND: &'static str = "relevance powerlaw";

    fn validate(&self) -> Result<()> {
        parse_xmin(&self.xmin, self.min_tail)?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let raw = read_integers(&self.file)?;
        if let Some(v) = raw.iter().find(|&&v| v < 1) {
            bail!(
                "{}: counts must be positive integers, found {v}",
                self.file.display()
            );
        }
        let data: Vec<u64> = raw.iter().map(|&v| v as u64).collect();
        let p = PowerLawParams {
            xmin: parse_xmin(&self.xmin, self.min_tail)?,
            bootstrap: self.bootstrap,
            seed: ctx.seed,
        };
        let f = fit(&data, &p)?;
        // Empirical and fitted complementary CDFs of the tail.
        let mut tail: Vec<u64> = data.iter().copied().filter(|&x| x >= f.xmin).collect();
        tail.sort_unstable();
        let n = tail.len() as f64;
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        let mut i = 0;
        while i < tail.len() {
            xs.push(tail[i] as f64);
            ys.push((tail.len() - i) as f64 / n);
            let v = tail[i];
            while i < tail.len() && tail[i] == v {
                i += 1;
            }
        }
        let z = spinlearn_relevance::powerlaw::hurwitz_zeta(f.alpha, f.xmin as f64);
        let fy: Vec<f64> = xs
            .iter()
            .map(|&x| spinlearn_relevance::powerlaw::hurwitz_zeta(f.alpha, x) / z)
            .collect();
        let mut plot = LinePlot::new("Tail of the counts", "k", "P(K >= k)");
        plot.log_x = true;
        plot.log_y = true;
        plot = plot.with(Series::points("data", xs.clone(), ys)).with(
            Series::line(
                format!("discrete power law, alpha = {:.3}", f.alpha),
                xs,
                fy,
            )
            .with_style(SeriesStyle::Dashed),
        );
        plot.save(&dir.file("ccdf"))?;
        Ok(json!({
            "alpha": f.alpha, "beta": f.beta, "xmin": f.xmin, "alpha_stderr": f.alpha_stderr,
            "p_value": f.p_value, "n": f.n, "n_tail": f.n_tail, "ks_distance": f.ks_distance,
            "n_bootstrap": f.n_bootstrap,
        }))
    }
}

/// `spinlearn relevance bound --m M`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct BoundArgs {
    /// Sample size M.
    #[arg(long = "m", value_name = "M")]
    pub m: u64,
    /// Multipliers mu in the sweep.
    #[arg(long, default_value_t = 61)]
    pub points: usize,
}

fn write_bound_csv(path: &Path, pts: &[BoundPoint]) -> Result<()> {
    let mut s = String::from("mu,H_s,H_k,H_s_norm,H_k_norm,objective,upper,gap,exact\n");
    for p in pts {
        let e = &p.entropies;
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            p.mu, e.h_s, e.h_k, e.h_s_norm, e.h_k_norm, p.objective, p.upper, p.gap, p.exact
        ));
    }
    write_atomic(path, s.as_bytes())?;
    Ok(())
}

fn bound_series(pts: &[BoundPoint]) -> Series {
    Series::line(
        "maximal relevance",
        pts.iter().map(|p| p.entropies.h_s_norm).collect(),
        pts.iter().map(|p| p.entropies.h_k_norm).collect(),
    )
    .with_style(SeriesStyle::Dashed)
}

impl Experiment for BoundArgs {
    const KIND: &'static str = "relevance bound";

    fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            self.m >= 2,
            "invalid parameter `m`: must be at least 2, got {}",
            self.m
        );
        anyhow::ensure!(
            self.points >= 2,
            "invalid parameter `points`: must be at least 2, got {}",
            self.points
        );
        Ok(())
    }

    fn run(&self, _ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let t = std::time::Instant::now();
        let pts = bound_curve(self.m, &default_mus(self.points))?;
        let secs = t.elapsed().as_secs_f64();
        write_bound_csv(&dir.file("bound.csv"), &pts)?;
        let mut plot = LinePlot::new(
            format!("Maximal relevance at M = {}", self.m),
            "H[s] / ln M",
            "H[k] / ln M",
        );
        plot.x_range = Some((0.0, 1.0));
        plot.y_range = Some((0.0, 1.0));
        plot.with(bound_series(&pts)).save(&dir.file("bound"))?;
        let top = pts
            .iter()
            .max_by(|a, b| a.entropies.h_k.total_cmp(&b.entropies.h_k))
            .context("empty curve")?;
        Ok(json!({
            "M": self.m,
            "points": pts.len(),
            "exact": pts.iter().all(|p| p.exact),
            "max_gap": pts.iter().map(|p| p.gap).fold(0.0, f64::max),
            "H_k_norm_max": top.entropies.h_k_norm,
            "H_s_norm_at_max": top.entropies.h_s_norm,
            "seconds": secs,
        }))
    }
}

/// Network flags shared by `dbn train` and `dbn analyze`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct NetArgs {
    /// Hidden widths, comma-separated (default: the paper's 500,250,120,60,30,25,20,15,10,5).
    #[arg(long, default_value = "500,250,120,60,30,25,20,15,10,5")]
    pub widths: String,
    /// Epochs per layer (paper: 200).
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Learning rate (paper: 0.1).
    #[arg(long, default_value_t = 0.1)]
    pub lr: f64,
    /// Mini-batch size (paper: 100).
    #[arg(long, default_value_t = 100)]
    pub batch_size: usize,
    /// Persistent chains.
    #[arg(long, default_value_t = 100)]
    pub n_chains: usize,
    /// Read hidden states out by sampling P(h | v) instead of thresholding at 0.5.
    #[arg(long)]
    pub sampled_readout: bool,
}

impl NetArgs {
    fn params(&self, ctx: &Ctx) -> Result<DbnParams> {
        let p = DbnParams {
            widths: parse_list("widths", &self.widths)?,
            epochs: self.epochs,
            batch_size: self.batch_size,
            lr: self.lr,
            n_chains: self.n_chains,
            readout: if self.sampled_readout {
                Readout::Sampled {
                    seed: ctx.seed.named("readout"),
                }
            } else {
                Readout::Threshold
            },
            seed: ctx.seed,
            ..DbnParams::default()
        };
        p.check()?;
        Ok(p)
    }
}

/// `spinlearn dbn train`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct DbnTrainArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub select: DataArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub net: NetArgs,
}

impl Experiment for DbnTrainArgs {
    const KIND: &'static str = "dbn train";

    fn validate(&self) -> Result<()> {
        let _ = parse_list("widths", &self.net.widths)?;
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = self.select.load()?;
        let p = self.net.params(ctx)?;
        let mut progress = ctx.progress();
        let t = std::time::Instant::now();
        let dbn = train_dbn(ds.data.view(), &p, &mut progress)?;
        let secs = t.elapsed().as_secs_f64();
        drop(progress);
        dbn.save_npz(&dir.file("model.npz"))?;
        let states = dbn.forward(ds.data.view(), Readout::Threshold)?;
        let pl = PowerLawParams::default();
        let layers: Vec<LayerAnalysis> = states
            .iter()
            .map(|s| analyze_layer(s.view(), ds.labels.as_deref(), &pl))
            .collect::<std::result::Result<_, _>>()?;
        Ok(json!({
            "M": ds.n_samples(),
            "train_seconds": secs,
            "model": "model.npz",
            "layers": layers.iter().map(layer_json_no_gen).collect::<Vec<_>>(),
        }))
    }
}

fn layer_json_no_gen(a: &LayerAnalysis) -> Value {
    json!({
        "width": a.width, "H_s": a.entropies.h_s_norm, "H_k": a.entropies.h_k_norm,
        "beta": a.powerlaw.map(|f| f.beta), "classification_error": a.classification_error,
    })
}

/// `spinlearn dbn analyze`: the full experiment of paper 003.
#[derive(Debug, Clone, Args, Serialize)]
pub struct DbnAnalyzeArgs {
    #[command(flatten)]
    #[serde(flatten)]
    pub select: DataArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub net: NetArgs,
    /// A trained network (model.npz of `dbn train`; a model.json of earlier versions is also
    /// read) instead of training one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Widths of the contrast architecture (deep, not narrowing); `none` to skip.
    #[arg(long, default_value = "500,500,500,500,500,500,500,500,500,500")]
    pub contrast_widths: String,
    /// Skip the shuffled-pixel control.
    #[arg(long)]
    pub no_shuffled: bool,
    /// K values of the k-means baseline, comma-separated.
    #[arg(long, default_value = "4,16,64,256,1024,4096,16384")]
    pub kmeans_ks: String,
    /// k-means restarts.
    #[arg(long, default_value_t = 3)]
    pub kmeans_restarts: usize,
    /// Samples generated per layer (0: no generation).
    #[arg(long, default_value_t = 10_000)]
    pub n_generate: usize,
    /// Gibbs steps per generation (paper: 10,000).
    #[arg(long, default_value_t = 10_000)]
    pub gibbs_steps: usize,
    /// Down pass of generation: `mean-field` (each layer gets P(v = 1 | h) of the layer above)
    /// or `sampled` (ancestral sampling at every layer).
    #[arg(long, default_value = "mean-field")]
    pub top_down: String,
    /// Classifier epochs.
    #[arg(long, default_value_t = 30)]
    pub classifier_epochs: usize,
    /// Bootstrap replicates for the per-layer power-law p-values (0: none).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
}

impl DbnAnalyzeArgs {
    fn pipeline(&self, ctx: &Ctx) -> Result<PipelineParams> {
        let mut p = experiments::full_params(ctx.seed);
        p.dbn = self.net.params(ctx)?;
        p.contrast_widths = if self.contrast_widths == "none" {
            None
        } else {
            Some(parse_list("contrast-widths", &self.contrast_widths)?)
        };
        p.shuffled = !self.no_shuffled;
        p.kmeans_ks = parse_list("kmeans-ks", &self.kmeans_ks)?;
        p.kmeans.restarts = self.kmeans_restarts;
        p.n_generate = self.n_generate;
        p.gibbs_steps = self.gibbs_steps;
        p.top_down = match self.top_down.as_str() {
            "mean-field" => TopDown::MeanField,
            "sampled" => TopDown::Sampled,
            other => bail!(
                "invalid parameter `top-down`: must be `mean-field` or `sampled`, got `{other}`"
            ),
        };
        p.mlp.epochs = self.classifier_epochs;
        p.powerlaw.bootstrap = self.bootstrap;
        p.check()?;
        Ok(p)
    }
}

impl Experiment for DbnAnalyzeArgs {
    const KIND: &'static str = "dbn analyze";

    fn validate(&self) -> Result<()> {
        let _ = parse_list("widths", &self.net.widths)?;
        let _ = parse_list("kmeans-ks", &self.kmeans_ks)?;
        anyhow::ensure!(
            matches!(self.top_down.as_str(), "mean-field" | "sampled"),
            "invalid parameter `top-down`: must be `mean-field` or `sampled`, got `{}`",
            self.top_down
        );
        Ok(())
    }

    fn run(&self, ctx: &Ctx, dir: &RunDir) -> Result<Value> {
        let ds = self.select.load()?;
        let labels = ds
            .labels
            .clone()
            .context("dbn analyze needs labelled data")?;
        let p = self.pipeline(ctx)?;
        let pretrained: Option<Dbn> = match &self.model {
            Some(path) => Some(load_dbn(path)?),
            None => None,
        };
        let mut progress = ctx.progress();
        let r = experiments::run_pipeline(
            ds.data.view(),
            &labels,
            ds.image_shape,
            &p,
            pretrained,
            &mut progress,
        )?;
        drop(progress);
        if let Some(d) = &r.dbn {
            d.save_npz(&dir.file("model.npz"))?;
        }
        write_json(&dir.file("results.json"), &r)?;
        pipeline_figures(&r, dir.path(), ds.image_shape)?;
        Ok(pipeline_summary(&r))
    }
}

/// Reads a DBN saved by `dbn train`/`dbn analyze`: an `.npz` archive ([`Dbn::load_npz`]), or
/// the JSON model of earlier versions (a file starting with `{`).
fn load_dbn(path: &Path) -> Result<Dbn> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if bytes.first() == Some(&b'{') {
        let d: Dbn = serde_json::from_slice(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: not a DBN model: {e}", path.display()))?;
        Ok(d)
    } else {
        Ok(Dbn::load_npz(path)?)
    }
}

/// summary.json of the section (names as in issue 8).
pub fn pipeline_summary(r: &PipelineResult) -> Value {
    let layers: Vec<Value> = r
        .trained
        .layers
        .iter()
        .map(|l| {
            let a = &l.analysis;
            json!({
                "layer": l.layer,
                "width": a.width,
                "H_s": a.entropies.h_s_norm,
                "H_k": a.entropies.h_k_norm,
                "H_s_nats": a.entropies.h_s,
                "H_k_nats": a.entropies.h_k,
                "beta": a.powerlaw.map(|f| f.beta),
                "beta_stderr": a.powerlaw.map(|f| f.alpha_stderr),
                "xmin": a.powerlaw.map(|f| f.xmin),
                "classification_error": a.classification_error,
                "generation_ability": l.generation.as_ref().map(|g| g.generation_ability),
                "kl_pq": l.generation.as_ref().map(|g| g.kl_pq),
                "kl_qp": l.generation.as_ref().map(|g| g.kl_qp),
            })
        })
        .collect();
    let net = |n: &Option<experiments::NetworkResult>| {
        n.as_ref().map(|n| {
            n.layers
                .iter()
                .map(|l| {
                    json!({
                        "width": l.analysis.width, "H_s": l.analysis.entropies.h_s_norm, "H_k": l.analysis.entropies.h_k_norm,
                        "beta": l.analysis.powerlaw.map(|f| f.beta),
                        "classification_error": l.analysis.classification_error,
                        "generation_ability": l.generation.as_ref().map(|g| g.generation_ability),
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    json!({
        "M": r.m,
        "layers": layers,
        "best_layer_by_H_sum": r.trained.best_by_h_sum(),
        "best_layer_by_generation": r.trained.best_by_generation(),
        "kmeans": r.kmeans.iter().map(|k| json!({"K": k.k, "H_s": k.analysis.entropies.h_s_norm, "H_k": k.analysis.entropies.h_k_norm, "beta": k.analysis.powerlaw.map(|f| f.beta)})).collect::<Vec<_>>(),
        "classifier_test_error": r.classifier_test_error,
        "epoch0_layers": net(&Some(r.epoch0.clone())),
        "shuffled_layers": net(&r.shuffled),
        "contrast_layers": net(&r.contrast),
        "contrast_best_layer_by_generation": r.contrast.as_ref().and_then(|c| c.best_by_generation()),
        "train_seconds": r.trained.train_seconds,
        "bound_max_gap": r.bound.iter().map(|p| p.gap).fold(0.0, f64::max),
        "bound_exact": r.bound.iter().all(|p| p.exact),
        "entropies_unit": "H_s and H_k divided by ln M; *_nats in nats",
    })
}

/// Draws the figures of 003 (Fig. 2a-d, Fig. 3) into `dir`; returns `(file stem, caption)`.
pub fn pipeline_figures(
    r: &PipelineResult,
    dir: &Path,
    image_shape: Option<(usize, usize)>,
) -> Result<Vec<(String, String)>> {
    let mut figs = Vec::new();
    let hs = |n: &experiments::NetworkResult| {
        n.layers
            .iter()
            .map(|l| l.analysis.entropies.h_s_norm)
            .collect::<Vec<_>>()
    };
    let hk = |n: &experiments::NetworkResult| {
        n.layers
            .iter()
            .map(|l| l.analysis.entropies.h_k_norm)
            .collect::<Vec<_>>()
    };
    // Fig. 2a
    let mut a = LinePlot::new(
        format!("Resolution and relevance (M = {})", r.m),
        "H[s] / ln M",
        "H[k] / ln M",
    );
    a.x_range = Some((0.0, 1.0));
    a.y_range = Some((0.0, 0.6));
    a = a
        .with(bound_series(&r.bound))
        .with(
            Series::line("DBN trained", hs(&r.trained), hk(&r.trained))
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::points("DBN epoch 0", hs(&r.epoch0), hk(&r.epoch0)));
    if let Some(s) = &r.shuffled {
        a = a.with(Series::points("shuffled pixels", hs(s), hk(s)));
    }
    if let Some(c) = &r.contrast {
        a = a.with(Series::points("contrast (not narrowing)", hs(c), hk(c)));
    }
    a = a.with(Series::points(
        "k-means",
        r.kmeans
            .iter()
            .map(|k| k.analysis.entropies.h_s_norm)
            .collect(),
        r.kmeans
            .iter()
            .map(|k| k.analysis.entropies.h_k_norm)
            .collect(),
    ));
    a.save(&dir.join("fig2a_hs_hk"))?;
    figs.push(("fig2a_hs_hk".into(), "Fig. 2a: H[k] against H[s] (both / ln M) per layer, before and after training, shuffled pixels, a non-narrowing network, k-means, and the maximal-relevance bound (dashed).".into()));
    // Fig. 2b
    let mut b = LinePlot::new("Degeneracy of state frequencies", "k", "m_k");
    b.log_x = true;
    b.log_y = true;
    let n = r.trained.layers.len();
    for l in [3usize, 6, 9].into_iter().filter(|&l| l <= n) {
        b = b.with(mk_series(
            &format!("H{l}"),
            &r.trained.layers[l - 1].analysis.degeneracy,
        ));
    }
    if let Some(k) = r.kmeans.iter().rev().nth(1).or(r.kmeans.last()) {
        b = b.with(mk_series(
            &format!("k-means K = {}", k.k),
            &k.analysis.degeneracy,
        ));
    }
    b.save(&dir.join("fig2b_mk"))?;
    figs.push((
        "fig2b_mk".into(),
        "Fig. 2b: m_k against k for layers 3, 6, 9 and a k-means clustering.".into(),
    ));
    // Fig. 2c
    let beta = |n: &experiments::NetworkResult| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let pts: Vec<_> = n
            .layers
            .iter()
            .filter_map(|l| {
                l.analysis
                    .powerlaw
                    .map(|f| (l.layer as f64, f.beta, f.alpha_stderr))
            })
            .collect();
        (
            pts.iter().map(|p| p.0).collect(),
            pts.iter().map(|p| p.1).collect(),
            pts.iter().map(|p| p.2).collect(),
        )
    };
    let (x1, y1, e1) = beta(&r.trained);
    let (x0, y0, e0) = beta(&r.epoch0);
    let mut c = LinePlot::new("Power-law exponent per layer", "layer", "beta");
    c.hlines.push((1.0, "Zipf, beta = 1".into()));
    c = c
        .with(
            Series::line("trained", x1, y1)
                .with_err(e1)
                .with_style(SeriesStyle::LinePoints),
        )
        .with(Series::points("epoch 0", x0, y0).with_err(e0));
    c.save(&dir.join("fig2c_beta"))?;
    figs.push(("fig2c_beta".into(), "Fig. 2c: fitted beta (m_k ~ k^(-beta-1), discrete MLE with KS x_min) per layer, trained and untrained.".into()));
    // Fig. 2d
    let err = |n: &experiments::NetworkResult| {
        (
            n.layers.iter().map(|l| l.layer as f64).collect::<Vec<_>>(),
            n.layers
                .iter()
                .map(|l| l.analysis.classification_error.unwrap_or(f64::NAN))
                .collect::<Vec<_>>(),
        )
    };
    let (xe, ye) = err(&r.trained);
    let (xe0, ye0) = err(&r.epoch0);
    LinePlot::new(
        "Classification error per layer",
        "layer",
        "classification error",
    )
    .with(Series::line("trained", xe, ye).with_style(SeriesStyle::LinePoints))
    .with(Series::points("epoch 0", xe0, ye0))
    .save(&dir.join("fig2d_error"))?;
    figs.push(("fig2d_error".into(), "Fig. 2d: fraction of samples whose label differs from the majority label of their hidden state.".into()));
    // Fig. 3: samples and generation ability against beta.
    if let Some(shape) = image_shape {
        let n = r.trained.layers.len();
        let picks: Vec<usize> = [2usize, n.div_ceil(2) + 1, n]
            .into_iter()
            .filter(|&l| l >= 1 && l <= n)
            .collect();
        for l in picks {
            if let Some(s) = &r.trained.layers[l - 1].samples {
                let imgs: Vec<Vec<f32>> = s.rows().into_iter().map(|r| r.to_vec()).collect();
                let cols = (imgs.len() as f64).sqrt().ceil() as usize;
                let mut g = ImageGrid::new(imgs, shape, cols.max(1));
                g.title = format!("Generated from H{l}");
                let name = format!("fig3_samples_h{l}");
                g.save(&dir.join(&name))?;
                figs.push((
                    name,
                    format!("Fig. 3: samples generated from hidden layer {l} (pixel means)."),
                ));
            }
        }
    }
    let gen_pts = |n: &experiments::NetworkResult| -> Vec<(f64, f64, f64)> {
        n.layers
            .iter()
            .filter_map(|l| {
                Some((
                    l.analysis.powerlaw?.beta,
                    l.generation.as_ref()?.generation_ability,
                    l.analysis.classification_error?,
                ))
            })
            .collect()
    };
    let g = gen_pts(&r.trained);
    if !g.is_empty() {
        let mut plot = LinePlot::new(
            "Generation ability and classification error against beta",
            "beta",
            "1/KL (P || Q)  and  10 x error",
        );
        plot.vlines.push((1.0, "beta = 1".into()));
        plot = plot
            .with(Series::points(
                "generation ability",
                g.iter().map(|p| p.0).collect(),
                g.iter().map(|p| p.1).collect(),
            ))
            .with(Series::points(
                "10 x classification error",
                g.iter().map(|p| p.0).collect(),
                g.iter().map(|p| 10.0 * p.2).collect(),
            ));
        if let Some(c) = &r.contrast {
            let gc = gen_pts(c);
            plot = plot.with(Series::points(
                "contrast: generation ability",
                gc.iter().map(|p| p.0).collect(),
                gc.iter().map(|p| p.1).collect(),
            ));
        }
        plot.save(&dir.join("fig3g_generation"))?;
        figs.push(("fig3g_generation".into(), "Fig. 3g: generation ability 1/KL(P_train(label) || Q_generated(label)) and classification error per layer against beta.".into()));
        let mut lab = LinePlot::new(
            "Label distribution of generated samples",
            "label",
            "frequency",
        );
        lab = lab.with(
            Series::line(
                "training P(label)",
                (0..r.p_label.len()).map(|i| i as f64).collect(),
                r.p_label.clone(),
            )
            .with_style(SeriesStyle::Dashed),
        );
        for l in &r.trained.layers {
            if let Some(gs) = &l.generation
                && [
                    2usize,
                    r.trained.layers.len().div_ceil(2) + 1,
                    r.trained.layers.len(),
                ]
                .contains(&l.layer)
            {
                lab = lab.with(
                    Series::line(
                        format!("H{}", l.layer),
                        (0..gs.q.len()).map(|i| i as f64).collect(),
                        gs.q.clone(),
                    )
                    .with_style(SeriesStyle::LinePoints),
                );
            }
        }
        lab.save(&dir.join("fig3def_labels"))?;
        figs.push(("fig3def_labels".into(), "Fig. 3d-f: label frequencies of samples generated from shallow, middle and deep layers, with the training distribution.".into()));
    }
    Ok(figs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_widths_match_the_flag_default() {
        let flag = PAPER_WIDTHS
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(parse_list("widths", &flag).unwrap(), PAPER_WIDTHS.to_vec());
        assert!(parse_xmin("auto", 10).is_ok());
        assert!(parse_xmin("0", 10).is_err());
        assert!(parse_list("w", "3,0").is_err());
    }
}
