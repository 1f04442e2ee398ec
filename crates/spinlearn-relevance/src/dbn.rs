//! Deep belief networks (003 Fig. 1a and section S1): a stack of 0/1 RBMs with biases, trained
//! greedily layer by layer with PCD-1 on the `spinlearn-rbm` engine (batch 100, learning rate 0.1,
//! persistent chains). The first layer sees real-valued pixels in [0, 1] (as means); each
//! further layer is trained on the read-out states of the layer below.
//!
//! Read-out (S1): by default deterministic, `h_j = 1` iff `P(h_j = 1 | v) > 0.5` (the
//! zero-temperature limit the paper uses); optionally sampled, `h_j ~ Bernoulli(P(h_j = 1 | v))`
//! with one stream per sample.
//!
//! Generation from hidden layer `l` (003 Fig. 3 and its text): Gibbs sampling
//! `h_l -> v_{l-1} -> h_l ...` in the RBM whose hidden layer is `l`, starting from uniformly
//! random `h_l`, then the final (equilibrium) `h_l` is propagated down through the lower RBMs to
//! the pixels ([`TopDown`]: mean-field by default, each layer receiving `P(v = 1 | h)` of the
//! layer above, or ancestral sampling), ending with the pixel means `P(v_0 = 1 | h_1)`. The paper
//! does not say which down pass it uses; it reports that the deepest layer generates
//! "stereotyped" samples, which a deterministic down pass from its few states reproduces while
//! sampling at every one of the intermediate layers adds pixel-level variety that the top state
//! does not carry.

use crate::{RelevanceError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, check};
use spinlearn_rbm::Rbm;
use spinlearn_rbm::model::UnitsSpec;
use spinlearn_rbm::train::{Estimator, Optimizer, TrainParams, WeightsSpec};

/// The paper's hidden widths: 784-500-250-120-60-30-25-20-15-10-5 without the visible layer.
pub const PAPER_WIDTHS: [usize; 10] = [500, 250, 120, 60, 30, 25, 20, 15, 10, 5];

/// How hidden states are read out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Readout {
    /// `h_j = 1` iff `P(h_j = 1 | v) > 0.5` (the paper's choice).
    Threshold,
    /// `h_j ~ Bernoulli(P(h_j = 1 | v))`, sample `i` drawing from `seed.stream(i)`.
    Sampled {
        /// Seed of the read-out noise.
        seed: Seed,
    },
}

/// How a generated top state is propagated down to the pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TopDown {
    /// Each lower layer receives the means `P(v = 1 | h)` of the layer above (deterministic given
    /// the top state).
    #[default]
    MeanField,
    /// Each lower layer is sampled, `v ~ Bernoulli(P(v = 1 | h))` (ancestral sampling).
    Sampled,
}

/// What one of [`DbnParams::epochs`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EpochUnit {
    /// One parameter update on one mini-batch (003 Text S1: "Each parameter update for a batch is
    /// called an epoch"; 200 of them per layer, a third of one pass over 60,000 digits). A layer
    /// trained for E such epochs sees E x batch_size samples: the data in a seeded random order,
    /// cycled through as often as needed.
    #[default]
    Update,
    /// One pass over the whole data in shuffled mini-batches (the usual meaning).
    Pass,
}

impl EpochUnit {
    /// `"update"` or `"pass"`.
    pub fn name(self) -> &'static str {
        match self {
            EpochUnit::Update => "update",
            EpochUnit::Pass => "pass",
        }
    }
}

/// DBN training configuration (the flags of `spinlearn dbn train`). Validate with
/// [`ParamGuard::check`]; the seed is an argument of [`train_dbn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbnParams {
    /// Hidden widths, shallow to deep.
    pub widths: Vec<usize>,
    /// Epochs per layer, in units of `epoch_unit`.
    pub epochs: usize,
    /// What an epoch is: one parameter update (the paper's definition, the default) or one pass
    /// over the data.
    #[serde(default)]
    pub epoch_unit: EpochUnit,
    /// Mini-batch size (paper: 100).
    pub batch_size: usize,
    /// Learning rate (paper: 0.1).
    pub lr: f64,
    /// SGD momentum (paper: none).
    pub momentum: f64,
    /// Persistent chains (paper: one per batch sample, 100).
    pub n_chains: usize,
    /// Standard deviation of the initial weights.
    pub init_std: f64,
    /// Feed each layer to the next by sampling `P(h | v)` instead of thresholding it at 0.5.
    pub sampled_readout: bool,
}

impl Default for DbnParams {
    fn default() -> Self {
        DbnParams {
            widths: PAPER_WIDTHS.to_vec(),
            epochs: 200,
            epoch_unit: EpochUnit::Update,
            batch_size: 100,
            lr: 0.1,
            momentum: 0.0,
            n_chains: 100,
            init_std: 0.01,
            sampled_readout: false,
        }
    }
}

/// [`DbnParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDbnParams {
    widths: Vec<usize>,
    epochs: usize,
    epoch_unit: EpochUnit,
    batch_size: usize,
    lr: f64,
    momentum: f64,
    n_chains: usize,
    init_std: f64,
    sampled_readout: bool,
}

fn check_widths(widths: &[usize]) -> spinlearn_core::Result<Vec<usize>> {
    if widths.is_empty() {
        return Err(spinlearn_core::Error::invalid(
            "widths",
            "need at least one hidden layer",
        ));
    }
    for &w in widths {
        check::nonzero("widths", w)?;
    }
    Ok(widths.to_vec())
}

impl ParamGuard for DbnParams {
    type Checked = ValidDbnParams;

    fn check(&self) -> spinlearn_core::Result<ValidDbnParams> {
        let widths = check_widths(&self.widths)?;
        // Each layer's f64 weights with their gradient and velocity (the data's width is not
        // known here: at least 1), and the persistent chains of the widest layer pair.
        let pairs: Vec<[usize; 2]> = std::iter::once([1, widths[0]])
            .chain(widths.windows(2).map(|w| [w[0], w[1]]))
            .collect();
        let arrays: Vec<(&[usize], usize)> = pairs.iter().map(|p| (&p[..], 3 * 8)).collect();
        spinlearn_core::mem::check("widths", &arrays)?;
        let widest = widths.iter().copied().max().unwrap_or(1);
        spinlearn_core::mem::check("n_chains", &[(&[self.n_chains, widest, 2], 8)])?;
        Ok(ValidDbnParams {
            widths,
            epochs: check::nonzero("epochs", self.epochs)?,
            epoch_unit: self.epoch_unit,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            lr: check::positive("lr", self.lr)?,
            momentum: check::in_range("momentum", self.momentum, 0.0, 0.999)?,
            n_chains: check::nonzero("n_chains", self.n_chains)?,
            init_std: check::non_negative("init_std", self.init_std)?,
            sampled_readout: self.sampled_readout,
        })
    }
}

impl ValidDbnParams {
    /// Hidden widths, shallow to deep.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// Epochs per layer (in units of [`ValidDbnParams::epoch_unit`]).
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// What an epoch is.
    pub fn epoch_unit(&self) -> EpochUnit {
        self.epoch_unit
    }

    /// Parameter updates per layer on `n_samples` samples: `epochs` (updates), or `epochs` passes
    /// of `ceil(n_samples / batch_size)` batches.
    pub fn updates_per_layer(&self, n_samples: usize) -> usize {
        match self.epoch_unit {
            EpochUnit::Update => self.epochs,
            EpochUnit::Pass => self.epochs * n_samples.div_ceil(self.batch_size.min(n_samples)),
        }
    }

    /// Mini-batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Standard deviation of the initial weights.
    pub fn init_std(&self) -> f64 {
        self.init_std
    }

    /// Whether layers are fed by sampled read-outs.
    pub fn sampled_readout(&self) -> bool {
        self.sampled_readout
    }

    /// The same training with other hidden widths (checked as `widths`).
    pub fn with_widths(&self, widths: &[usize]) -> spinlearn_core::Result<ValidDbnParams> {
        Ok(ValidDbnParams {
            widths: check_widths(widths)?,
            ..self.clone()
        })
    }

    fn layer_params(&self, l: usize) -> TrainParams {
        TrainParams {
            n_hidden: self.widths[l],
            units: UnitsSpec::BITS_WITH_BIAS,
            weights: WeightsSpec::Dense {
                init_std: self.init_std,
            },
            estimator: Estimator::Pcd {
                gibbs_steps: 1,
                n_chains: self.n_chains,
            },
            optimizer: Optimizer::Sgd {
                lr: self.lr,
                momentum: self.momentum,
                weight_decay: 0.0,
                lr_decay: 1.0,
            },
            // With epochs as updates, a layer runs one pass over `epochs` batches of samples
            // (see [`train_dbn`]).
            epochs: match self.epoch_unit {
                EpochUnit::Update => 1,
                EpochUnit::Pass => self.epochs,
            },
            batch_size: self.batch_size,
            track_exact_nll: false,
        }
    }
}

/// A deep belief network: `layers[l]` is the RBM between layer `l` (0 = pixels) and hidden layer
/// `l + 1`; weights `(width_l, width_{l+1})`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dbn {
    /// The RBMs, bottom to top.
    pub layers: Vec<Rbm>,
}

fn read_out(p: Array2<f64>, readout: Readout) -> Array2<f32> {
    match readout {
        Readout::Threshold => p.mapv(|x| if x > 0.5 { 1.0 } else { 0.0 }),
        Readout::Sampled { seed } => bernoulli_rows(&p, seed, 0),
    }
}

/// Bernoulli draws of a probability matrix, row `i` from `seed.stream(offset + i)`.
fn bernoulli_rows(p: &Array2<f64>, seed: Seed, offset: u64) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros(p.dim());
    for (i, (mut o, pr)) in out
        .axis_iter_mut(Axis(0))
        .zip(p.axis_iter(Axis(0)))
        .enumerate()
    {
        let mut rng = seed.stream(offset + i as u64);
        for (ov, &pv) in o.iter_mut().zip(pr.iter()) {
            *ov = if rng.random::<f64>() < pv { 1.0 } else { 0.0 };
        }
    }
    out
}

impl Dbn {
    /// An untrained network ("epoch 0"): weights i.i.d. Gaussian with standard deviation
    /// `init_std`, zero biases, layer `l` from `seed.derive(l)`.
    pub fn random(n_visible: usize, widths: &[usize], init_std: f64, seed: Seed) -> Result<Dbn> {
        check::nonzero("n_visible", n_visible)?;
        check::non_negative("init_std", init_std)?;
        let mut prev = n_visible;
        let mut layers = Vec::new();
        for (l, &w) in widths.iter().enumerate() {
            check::nonzero("widths", w)?;
            let mut rng = seed.derive(l as u64).stream(0);
            layers.push(Rbm::random(
                prev,
                w,
                UnitsSpec::BITS_WITH_BIAS,
                init_std,
                &mut rng,
            ));
            prev = w;
        }
        Ok(Dbn { layers })
    }

    /// Hidden widths, shallow to deep.
    pub fn widths(&self) -> Vec<usize> {
        self.layers.iter().map(Rbm::n_hidden).collect()
    }

    /// Number of visible units.
    pub fn n_visible(&self) -> usize {
        self.layers.first().map_or(0, Rbm::n_visible)
    }

    /// Propagates `data (n_samples, n_visible)` up the stack; returns the read-out 0/1 states of
    /// every hidden layer, `states[l]` of shape `(n_samples, width_{l+1})`.
    pub fn forward(&self, data: ArrayView2<'_, f32>, readout: Readout) -> Result<Vec<Array2<f32>>> {
        if data.ncols() != self.n_visible() {
            return Err(RelevanceError::Input(format!(
                "data has {} columns, the network {} visible units",
                data.ncols(),
                self.n_visible()
            )));
        }
        let mut out = Vec::with_capacity(self.layers.len());
        let mut cur = data.mapv(f64::from);
        for (l, rbm) in self.layers.iter().enumerate() {
            let ro = match readout {
                Readout::Sampled { seed } => Readout::Sampled {
                    seed: seed.derive(l as u64),
                },
                r => r,
            };
            let h = read_out(rbm.hidden_mean(cur.view()), ro);
            cur = h.mapv(f64::from);
            out.push(h);
        }
        Ok(out)
    }

    /// Generates `n_samples` pixel images from hidden layer `layer` (1-based) with the mean-field
    /// down pass; see [`Dbn::generate_with`].
    pub fn generate(
        &self,
        layer: usize,
        n_samples: usize,
        gibbs_steps: usize,
        seed: Seed,
    ) -> Result<Array2<f32>> {
        self.generate_with(layer, n_samples, gibbs_steps, TopDown::MeanField, seed)
    }

    /// Generates `n_samples` pixel images from hidden layer `layer` (1-based): `gibbs_steps`
    /// (at least 1) alternating updates `v_{l-1} ~ P(v | h_l)`, `h_l ~ P(h | v_{l-1})` in RBM
    /// `layer` from uniformly random `h_l`, then the final `h_l` is propagated down the stack as
    /// `top_down` says; returns pixel means `P(v_0 = 1 | h_1)`, shape `(n_samples, n_visible)`.
    /// Chain `i` draws from `seed.stream(i)` (in blocks), so the output does not depend on the
    /// thread count.
    pub fn generate_with(
        &self,
        layer: usize,
        n_samples: usize,
        gibbs_steps: usize,
        top_down: TopDown,
        seed: Seed,
    ) -> Result<Array2<f32>> {
        if layer == 0 || layer > self.layers.len() {
            return Err(RelevanceError::invalid(
                "layer",
                format!("must be in 1..={}, got {layer}", self.layers.len()),
            ));
        }
        check::nonzero("n_samples", n_samples)?;
        let top = &self.layers[layer - 1];
        const BLOCK: usize = 256;
        let blocks: Vec<Array2<f32>> = (0..n_samples.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let n = BLOCK.min(n_samples - b * BLOCK);
                let s = seed.derive(b as u64);
                let mut rng = s.stream(0);
                let mut h = Array2::from_shape_fn((n, top.n_hidden()), |_| {
                    if rng.random::<bool>() { 1.0 } else { 0.0 }
                });
                let mut step = 1u64;
                for _ in 0..gibbs_steps.max(1) {
                    let pv = top.visible_mean(h.view());
                    let v = bernoulli_rows(&pv, s.derive(step), 0).mapv(f64::from);
                    step += 1;
                    let ph = top.hidden_mean(v.view());
                    h = bernoulli_rows(&ph, s.derive(step), 0).mapv(f64::from);
                    step += 1;
                }
                // h is the equilibrium state of hidden layer `layer`; go down to the pixels.
                let mut cur = h;
                for l in (0..layer).rev() {
                    let pv = self.layers[l].visible_mean(cur.view());
                    if l == 0 {
                        return pv.mapv(|x| x as f32);
                    }
                    cur = match top_down {
                        TopDown::MeanField => pv,
                        TopDown::Sampled => {
                            step += 1;
                            bernoulli_rows(&pv, s.derive(step), 0).mapv(f64::from)
                        }
                    };
                }
                unreachable!("the loop returns at l = 0")
            })
            .collect();
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        ndarray::concatenate(Axis(0), &views).map_err(|e| RelevanceError::Input(e.to_string()))
    }
}

/// Format tag written into the `metadata` of a DBN `.npz` file.
pub const NPZ_FORMAT: &str = "spinlearn-dbn/1";

impl Dbn {
    /// Writes the network to an `.npz` archive that `numpy.load(path)` opens: for each RBM
    /// `l = 1..=L` (the one whose hidden layer is layer `l`) `weights_{l}` of shape
    /// `(width_{l-1}, width_l)`, `visible_bias_{l}` and `hidden_bias_{l}` (f64); `widths`, the
    /// uint64 layer widths including the visible layer; `metadata`, a 0-d NumPy unicode string
    /// holding JSON (`json.loads(str(f["metadata"]))`) with `format`, the unit types and the
    /// widths. The file is written atomically.
    pub fn save_npz(&self, path: &std::path::Path) -> Result<()> {
        let mut w = spinlearn_data::npy::NpzWriter::new(path, true);
        let mut widths = vec![self.n_visible() as u64];
        widths.extend(self.widths().iter().map(|&x| x as u64));
        w.add("widths", &ndarray::Array1::from(widths.clone()))?;
        for (i, rbm) in self.layers.iter().enumerate() {
            let l = i + 1;
            w.add(&format!("weights_{l}"), &rbm.weights)?;
            w.add(&format!("visible_bias_{l}"), &rbm.visible_bias)?;
            w.add(&format!("hidden_bias_{l}"), &rbm.hidden_bias)?;
        }
        let list: Vec<String> = widths.iter().map(u64::to_string).collect();
        let meta = format!(
            "{{\"format\":\"{NPZ_FORMAT}\",\"visible\":\"bit\",\"hidden\":\"bit\",\"biases\":true,\"layers\":{},\"widths\":[{}]}}",
            self.layers.len(),
            list.join(",")
        );
        w.add_text("metadata", &meta)?;
        Ok(w.finish()?)
    }

    /// Reads a network written by [`Dbn::save_npz`] (or any archive with the same array names);
    /// every error is one line naming the file (not an archive, truncated, a missing array, a
    /// shape that does not match `widths`, non-finite parameters).
    pub fn load_npz(path: &std::path::Path) -> Result<Dbn> {
        let bad = |reason: String| RelevanceError::Input(format!("{}: {reason}", path.display()));
        let npz = spinlearn_data::npy::read_npz(path)?;
        let widths = npz.f64_1d("widths")?;
        if widths.len() < 2 {
            return Err(bad(format!(
                "`widths` must list the visible and at least one hidden layer, got {} entries",
                widths.len()
            )));
        }
        let widths: Vec<usize> = widths
            .iter()
            .map(|&x| {
                if x >= 1.0 && x.fract() == 0.0 && x < 1e9 {
                    Ok(x as usize)
                } else {
                    Err(bad(format!("`widths` holds {x}, not a positive integer")))
                }
            })
            .collect::<Result<_>>()?;
        let mut layers = Vec::with_capacity(widths.len() - 1);
        for l in 1..widths.len() {
            let w = npz.f64_2d(&format!("weights_{l}"))?;
            let a = npz.f64_1d(&format!("visible_bias_{l}"))?;
            let b = npz.f64_1d(&format!("hidden_bias_{l}"))?;
            if w.dim() != (widths[l - 1], widths[l]) {
                return Err(bad(format!(
                    "weights_{l} has shape {:?}, widths say ({}, {})",
                    w.dim(),
                    widths[l - 1],
                    widths[l]
                )));
            }
            let rbm = Rbm::with_biases(UnitsSpec::BITS_WITH_BIAS, w, a, b)
                .map_err(|e| bad(format!("layer {l}: {e}")))?;
            rbm.check_finite()
                .map_err(|e| bad(format!("layer {l}: {e}")))?;
            layers.push(rbm);
        }
        Ok(Dbn { layers })
    }
}

/// Trains a DBN greedily on `data (n_samples, n_visible)` with values in [0, 1]: layer `l`
/// (0-based) from `seed.derive(l)`, its sampled read-out (if any) from
/// `seed.named("readout").derive(l)`; reports each pass of each layer to `observer` (stage
/// `"dbn epoch"`, metrics `layer`, `seconds`). With [`EpochUnit::Update`], layer `l` is trained
/// for one pass over `epochs x batch_size` samples: the layer's input rows in the order of a
/// permutation from `seed.named("updates").derive(l)`, repeated (a fresh permutation each time)
/// until there are enough, so each of the `epochs` batches is one parameter update.
pub fn train_dbn(
    data: ArrayView2<'_, f32>,
    p: &ValidDbnParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<Dbn> {
    if data.nrows() == 0 {
        return Err(RelevanceError::Input("no training samples".into()));
    }
    if data.iter().any(|&x| !(0.0..=1.0).contains(&x)) {
        return Err(RelevanceError::Input(
            "DBN inputs must lie in [0, 1]".into(),
        ));
    }
    let mut layers: Vec<Rbm> = Vec::with_capacity(p.widths.len());
    let mut input = data.to_owned();
    let passes = match p.epoch_unit {
        EpochUnit::Update => 1,
        EpochUnit::Pass => p.epochs,
    };
    let total = p.widths.len() * passes;
    let mut step = 0usize;
    for l in 0..p.widths.len() {
        let tp = p.layer_params(l).check()?;
        let mut stop = false;
        let mut obs = |r: &StepReport<'_>| {
            step += 1;
            let secs = r
                .metrics
                .iter()
                .find(|m| m.0 == "seconds")
                .map_or(0.0, |m| m.1);
            let metrics = [("layer", (l + 1) as f64), ("seconds", secs)];
            let rep = StepReport {
                stage: "dbn epoch",
                step,
                total: Some(total),
                metrics: &metrics,
            };
            let c = observer.observe(&rep);
            if c == Control::Stop {
                stop = true;
            }
            c
        };
        let rows = match p.epoch_unit {
            EpochUnit::Update => Some(update_rows(
                input.nrows(),
                p.epochs * p.batch_size,
                seed.named("updates").derive(l as u64),
            )),
            EpochUnit::Pass => None,
        };
        let layer_input = match &rows {
            Some(r) => input.select(Axis(0), r),
            None => input.clone(),
        };
        let (model, _, _) =
            spinlearn_rbm::train::train(&tp, layer_input.view(), seed.derive(l as u64), &mut obs)
                .map_err(|source| RelevanceError::Rbm {
                layer: l + 1,
                source,
            })?;
        let rbm = model.rbm();
        rbm.check_finite().map_err(|source| RelevanceError::Rbm {
            layer: l + 1,
            source,
        })?;
        let ro = if p.sampled_readout {
            Readout::Sampled {
                seed: seed.named("readout").derive(l as u64),
            }
        } else {
            Readout::Threshold
        };
        input = read_out(rbm.hidden_mean(input.mapv(f64::from).view()), ro);
        layers.push(rbm);
        if stop {
            break;
        }
    }
    Ok(Dbn { layers })
}

/// `total` row indices into `n` rows: consecutive random permutations of 0..n (the k-th from
/// `seed.stream(k)`), truncated to `total`.
fn update_rows(n: usize, total: usize, seed: Seed) -> Vec<usize> {
    let mut out = Vec::with_capacity(total);
    let mut k = 0u64;
    while out.len() < total {
        let mut perm: Vec<usize> = (0..n).collect();
        let mut rng = seed.stream(k);
        for i in (1..n).rev() {
            perm.swap(i, rng.random_range(0..=i));
        }
        let need = total - out.len();
        out.extend_from_slice(&perm[..need.min(n)]);
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_rows_cycle_through_permutations() {
        let r = update_rows(10, 25, Seed(1));
        assert_eq!(r.len(), 25);
        for chunk in r.chunks(10).take(2) {
            let mut c = chunk.to_vec();
            c.sort_unstable();
            assert_eq!(c, (0..10).collect::<Vec<_>>());
        }
        assert_ne!(r[..10], r[10..20]);
        assert_eq!(update_rows(10, 4, Seed(1)), r[..4]);
    }

    #[test]
    fn updates_per_layer_follow_the_unit() {
        let mut p = DbnParams {
            epochs: 7,
            batch_size: 10,
            ..DbnParams::default()
        };
        assert_eq!(p.check().unwrap().updates_per_layer(95), 7);
        p.epoch_unit = EpochUnit::Pass;
        assert_eq!(p.check().unwrap().updates_per_layer(95), 70);
    }

    #[test]
    fn shapes_and_thresholds() {
        let d = Dbn::random(6, &[4, 3], 0.5, Seed(1)).unwrap();
        assert_eq!(d.widths(), vec![4, 3]);
        let x = Array2::from_shape_fn((5, 6), |(i, j)| ((i + j) % 2) as f32);
        let st = d.forward(x.view(), Readout::Threshold).unwrap();
        assert_eq!(st[0].dim(), (5, 4));
        assert_eq!(st[1].dim(), (5, 3));
        // Threshold read-out equals P(h = 1 | v) > 0.5 computed by hand.
        let r = &d.layers[0];
        for i in 0..5 {
            for j in 0..4 {
                let field: f64 = (0..6)
                    .map(|k| f64::from(x[[i, k]]) * r.weights[[k, j]])
                    .sum::<f64>()
                    + r.hidden_bias[j];
                let want = if 1.0 / (1.0 + (-field).exp()) > 0.5 {
                    1.0
                } else {
                    0.0
                };
                assert_eq!(st[0][[i, j]], want);
            }
        }
        assert!(
            d.forward(Array2::<f32>::zeros((2, 5)).view(), Readout::Threshold)
                .is_err()
        );
        let g = d.generate(2, 300, 3, Seed(2)).unwrap();
        assert_eq!(g.dim(), (300, 6));
        assert!(g.iter().all(|&v| (0.0..=1.0).contains(&v)));
        // Same seed, one thread: same samples.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let g1 = pool.install(|| d.generate(2, 300, 3, Seed(2)).unwrap());
        assert_eq!(g, g1);
        assert!(d.generate(3, 10, 1, Seed(0)).is_err());
        // The mean-field down pass is a deterministic function of the top state: from layer 1 it
        // equals P(v | h_1) of the final Gibbs state, so both passes agree there, and from layer 2
        // the sampled pass differs.
        let ms = d
            .generate_with(1, 50, 2, TopDown::MeanField, Seed(3))
            .unwrap();
        let ss = d
            .generate_with(1, 50, 2, TopDown::Sampled, Seed(3))
            .unwrap();
        assert_eq!(ms, ss);
        let ms = d
            .generate_with(2, 50, 2, TopDown::MeanField, Seed(3))
            .unwrap();
        let ss = d
            .generate_with(2, 50, 2, TopDown::Sampled, Seed(3))
            .unwrap();
        assert_ne!(ms, ss);
        assert!(ss.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn npz_round_trip_and_bad_files() {
        let mut d = Dbn::random(7, &[5, 3, 2], 0.3, Seed(4)).unwrap();
        d.layers[1].visible_bias[2] = 0.25;
        d.layers[2].hidden_bias[1] = -1.5;
        let dir = std::env::temp_dir().join(format!("spinlearn-dbn-npz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.npz");
        d.save_npz(&path).unwrap();
        let back = Dbn::load_npz(&path).unwrap();
        assert_eq!(back, d);
        let npz = spinlearn_data::npy::read_npz(&path).unwrap();
        for name in [
            "widths",
            "weights_1",
            "visible_bias_3",
            "hidden_bias_2",
            "metadata",
        ] {
            assert!(npz.names().contains(&name), "{name} missing");
        }
        assert_eq!(
            npz.f64_1d("widths").unwrap().to_vec(),
            vec![7.0, 5.0, 3.0, 2.0]
        );
        assert!(npz.text("metadata").unwrap().contains(NPZ_FORMAT));
        // Truncated archive, not an archive, missing file: one-line errors naming the file.
        let bytes = std::fs::read(&path).unwrap();
        let cut = dir.join("cut.npz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let e = Dbn::load_npz(&cut).unwrap_err().to_string();
        assert!(e.contains("cut.npz") && !e.contains('\n'), "{e}");
        let text = dir.join("text.npz");
        std::fs::write(&text, b"{\"layers\": []}").unwrap();
        let e = Dbn::load_npz(&text).unwrap_err().to_string();
        assert!(e.contains("text.npz"), "{e}");
        assert!(Dbn::load_npz(&dir.join("absent.npz")).is_err());
        // A shape that contradicts `widths`.
        let mut w = spinlearn_data::npy::NpzWriter::new(&dir.join("shape.npz"), false);
        w.add("widths", &ndarray::arr1(&[3u64, 2])).unwrap();
        w.add("weights_1", &Array2::<f64>::zeros((2, 2))).unwrap();
        w.add("visible_bias_1", &ndarray::Array1::<f64>::zeros(2))
            .unwrap();
        w.add("hidden_bias_1", &ndarray::Array1::<f64>::zeros(2))
            .unwrap();
        w.finish().unwrap();
        let e = Dbn::load_npz(&dir.join("shape.npz"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("weights_1 has shape"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
