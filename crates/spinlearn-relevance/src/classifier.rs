//! A small multilayer perceptron that labels generated digits (003 eq. 9 needs `Q(label)` of the
//! generated samples; the paper used a classifier with 1.6 % error). One hidden ReLU layer,
//! softmax output, cross-entropy loss, mini-batch SGD with momentum, optional ±1-pixel random
//! shifts of the training images. f32 arithmetic; seeded, single stream (the matrix products are
//! deterministic), so results do not depend on the thread count.

use crate::{RelevanceError, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use spinlearn_core::{Control, Observer, ParamGuard, Seed, StepReport, check};

/// MLP training configuration. Validate with [`ParamGuard::check`]; the seed is an argument of
/// [`train_mlp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Hidden units.
    pub n_hidden: usize,
    /// Epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Learning rate.
    pub lr: f64,
    /// Momentum in [0, 1).
    pub momentum: f64,
    /// L2 weight decay.
    pub weight_decay: f64,
    /// Image shape `(h, w)` for random ±1-pixel shifts of training images; `None`: no shifts.
    pub shift: Option<(usize, usize)>,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            n_hidden: 256,
            epochs: 20,
            batch_size: 64,
            lr: 0.05,
            momentum: 0.9,
            weight_decay: 1e-4,
            shift: None,
        }
    }
}

/// [`MlpParams`] after [`ParamGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidMlpParams {
    n_hidden: usize,
    epochs: usize,
    batch_size: usize,
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    shift: Option<(usize, usize)>,
}

impl ValidMlpParams {
    /// Hidden units.
    pub fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    /// Epochs.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// The image shape of the shift augmentation, if any.
    pub fn shift(&self) -> Option<(usize, usize)> {
        self.shift
    }

    /// The same parameters, shifting images of `shape` when no shape was given (the shape is
    /// checked against the data by [`train_mlp`]).
    pub fn or_shift(mut self, shape: Option<(usize, usize)>) -> ValidMlpParams {
        self.shift = self.shift.or(shape);
        self
    }
}

impl ParamGuard for MlpParams {
    type Checked = ValidMlpParams;

    fn check(&self) -> spinlearn_core::Result<ValidMlpParams> {
        Ok(ValidMlpParams {
            n_hidden: check::nonzero("n_hidden", self.n_hidden)?,
            epochs: check::nonzero("epochs", self.epochs)?,
            batch_size: check::nonzero("batch_size", self.batch_size)?,
            lr: check::positive("lr", self.lr)?,
            momentum: check::in_range("momentum", self.momentum, 0.0, 0.999)?,
            weight_decay: check::non_negative("weight_decay", self.weight_decay)?,
            shift: self.shift,
        })
    }
}

/// A trained MLP: `x (n, n_in) -> relu(x W1 + b1) W2 + b2 -> softmax over classes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// `(n_in, n_hidden)`.
    pub w1: Array2<f32>,
    /// `(n_hidden,)`.
    pub b1: Array1<f32>,
    /// `(n_hidden, n_classes)`.
    pub w2: Array2<f32>,
    /// `(n_classes,)`.
    pub b2: Array1<f32>,
}

impl Mlp {
    fn hidden(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        (x.dot(&self.w1) + &self.b1).mapv_into(|v| v.max(0.0))
    }

    /// Class logits `(n, n_classes)`.
    pub fn logits(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        self.hidden(x).dot(&self.w2) + &self.b2
    }

    /// Predicted class of each row of `x (n, n_in)`.
    pub fn predict(&self, x: ArrayView2<'_, f32>) -> Vec<u8> {
        let mut out = Vec::with_capacity(x.nrows());
        for chunk in x.axis_chunks_iter(Axis(0), 1024) {
            let l = self.logits(chunk);
            out.extend(l.rows().into_iter().map(|r| {
                let mut best = 0;
                for (i, &v) in r.iter().enumerate() {
                    if v > r[best] {
                        best = i;
                    }
                }
                best as u8
            }));
        }
        out
    }

    /// Fraction of rows whose predicted class differs from `labels`.
    pub fn error_rate(&self, x: ArrayView2<'_, f32>, labels: &[u8]) -> f64 {
        let p = self.predict(x);
        let wrong = p.iter().zip(labels).filter(|(a, b)| a != b).count();
        wrong as f64 / labels.len().max(1) as f64
    }
}

fn shift_image(src: &[f32], dst: &mut [f32], h: usize, w: usize, dy: isize, dx: isize) {
    for y in 0..h {
        for x in 0..w {
            let sy = y as isize - dy;
            let sx = x as isize - dx;
            dst[y * w + x] = if sy >= 0 && sy < h as isize && sx >= 0 && sx < w as isize {
                src[sy as usize * w + sx as usize]
            } else {
                0.0
            };
        }
    }
}

/// Trains an MLP on `x (n, n_in)` with labels in `0..n_classes`; initialization draws from
/// `seed.stream(0)`, shuffling and shifts from `seed.stream(1)`; reports each epoch (metrics
/// `loss`, `train_error`) to `observer`.
pub fn train_mlp(
    x: ArrayView2<'_, f32>,
    labels: &[u8],
    n_classes: usize,
    p: &ValidMlpParams,
    seed: Seed,
    observer: &mut dyn Observer,
) -> Result<Mlp> {
    let (n, n_in) = x.dim();
    if labels.len() != n || n == 0 {
        return Err(RelevanceError::Input(format!(
            "{n} samples but {} labels",
            labels.len()
        )));
    }
    if labels.iter().any(|&l| l as usize >= n_classes) {
        return Err(RelevanceError::Input(format!(
            "labels must be below {n_classes}"
        )));
    }
    if let Some((h, w)) = p.shift
        && h * w != n_in
    {
        return Err(RelevanceError::invalid(
            "shift",
            format!("{h}x{w} images but {n_in} features"),
        ));
    }
    let mut rng = seed.stream(0);
    let he = |fan_in: usize| (2.0 / fan_in as f64).sqrt();
    let mut init = |r: usize, c: usize, s: f64| {
        Array2::from_shape_fn((r, c), |_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            (s * z) as f32
        })
    };
    let mut m = Mlp {
        w1: init(n_in, p.n_hidden, he(n_in)),
        b1: Array1::zeros(p.n_hidden),
        w2: init(p.n_hidden, n_classes, he(p.n_hidden)),
        b2: Array1::zeros(n_classes),
    };
    let mut rng = seed.stream(1);
    let (mut v1, mut vb1, mut v2, mut vb2) = (
        Array2::<f32>::zeros(m.w1.dim()),
        Array1::<f32>::zeros(p.n_hidden),
        Array2::<f32>::zeros(m.w2.dim()),
        Array1::<f32>::zeros(n_classes),
    );
    let mut order: Vec<usize> = (0..n).collect();
    let mut batch = Array2::<f32>::zeros((p.batch_size, n_in));
    for epoch in 1..=p.epochs {
        for i in (1..n).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        // Step decay: the last third of the epochs at a tenth of the rate.
        let lr = if epoch > 2 * p.epochs / 3 {
            p.lr * 0.1
        } else {
            p.lr
        } as f32;
        let (mut loss_sum, mut wrong) = (0.0f64, 0usize);
        for idx in order.chunks(p.batch_size) {
            let b = idx.len();
            let mut xb = batch.slice_mut(ndarray::s![..b, ..]);
            for (r, &i) in idx.iter().enumerate() {
                let src = x.row(i);
                let mut dst = xb.row_mut(r);
                match p.shift {
                    Some((h, w)) => {
                        let dy = rng.random_range(0..3i64) as isize - 1;
                        let dx = rng.random_range(0..3i64) as isize - 1;
                        let s = src
                            .as_slice()
                            .map(<[f32]>::to_vec)
                            .unwrap_or_else(|| src.to_vec());
                        let d = dst.as_slice_mut().expect("contiguous batch row");
                        shift_image(&s, d, h, w, dy, dx);
                    }
                    None => dst.assign(&src),
                }
            }
            let xb = batch.slice(ndarray::s![..b, ..]);
            let hid = m.hidden(xb);
            let mut g = hid.dot(&m.w2) + &m.b2; // logits -> softmax -> gradient
            for (r, mut row) in g.rows_mut().into_iter().enumerate() {
                let mx = row.fold(f32::NEG_INFINITY, |a, &v| a.max(v));
                let mut s = 0.0;
                row.mapv_inplace(|v| {
                    let e = (v - mx).exp();
                    s += e;
                    e
                });
                row.mapv_inplace(|v| v / s);
                let y = labels[idx[r]] as usize;
                let argmax = (0..n_classes).fold(0, |a, c| if row[c] > row[a] { c } else { a });
                if argmax != y {
                    wrong += 1;
                }
                loss_sum -= f64::from(row[y].max(1e-30)).ln();
                row[y] -= 1.0;
            }
            g /= b as f32;
            let gw2 = hid.t().dot(&g);
            let gb2 = g.sum_axis(Axis(0));
            let mut gh = g.dot(&m.w2.t());
            gh.zip_mut_with(&hid, |d, &hv| {
                if hv <= 0.0 {
                    *d = 0.0
                }
            });
            let gw1 = xb.t().dot(&gh);
            let gb1 = gh.sum_axis(Axis(0));
            let (mo, wd) = (p.momentum as f32, p.weight_decay as f32);
            let upd = |v: &mut Array2<f32>, w: &mut Array2<f32>, g: &Array2<f32>| {
                ndarray::Zip::from(&mut *v)
                    .and(&*w)
                    .and(g)
                    .for_each(|v, &w, &g| *v = mo * *v - lr * (g + wd * w));
                *w += &*v;
            };
            upd(&mut v1, &mut m.w1, &gw1);
            upd(&mut v2, &mut m.w2, &gw2);
            vb1.zip_mut_with(&gb1, |v, &g| *v = mo * *v - lr * g);
            vb2.zip_mut_with(&gb2, |v, &g| *v = mo * *v - lr * g);
            m.b1 += &vb1;
            m.b2 += &vb2;
        }
        let metrics = [
            ("loss", loss_sum / n as f64),
            ("train_error", wrong as f64 / n as f64),
        ];
        let r = StepReport {
            stage: "classifier epoch",
            step: epoch,
            total: Some(p.epochs),
            metrics: &metrics,
        };
        if observer.observe(&r) == Control::Stop {
            break;
        }
    }
    if m.w1.iter().any(|v| !v.is_finite()) {
        return Err(RelevanceError::non_convergence(
            "MLP training (weights not finite)",
            p.epochs,
            f64::NAN,
        ));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spinlearn_core::NoObserver;

    #[test]
    fn learns_xor_like_classes() {
        // Labels = quadrant parity of 2-d points: not linearly separable, an MLP must fit it.
        let mut rng = Seed(4).stream(0);
        let n = 800;
        let x = Array2::from_shape_fn((n, 2), |_| rng.random::<f32>() * 2.0 - 1.0);
        let labels: Vec<u8> = x
            .rows()
            .into_iter()
            .map(|r| u8::from((r[0] > 0.0) ^ (r[1] > 0.0)))
            .collect();
        let p = MlpParams {
            n_hidden: 32,
            epochs: 60,
            batch_size: 32,
            lr: 0.1,
            ..Default::default()
        }
        .check()
        .unwrap();
        let m = train_mlp(x.view(), &labels, 2, &p, Seed(0), &mut NoObserver).unwrap();
        assert!(m.error_rate(x.view(), &labels) < 0.05);
        assert!(train_mlp(x.view(), &labels[..10], 2, &p, Seed(0), &mut NoObserver).is_err());
    }

    #[test]
    fn shift_moves_pixels() {
        let src = [1.0, 2.0, 3.0, 4.0];
        let mut dst = [0.0; 4];
        shift_image(&src, &mut dst, 2, 2, 0, 1);
        assert_eq!(dst, [0.0, 1.0, 0.0, 3.0]);
    }
}
