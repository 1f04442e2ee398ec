//! Transforms of a [`Dataset`]: label selection, binarization (threshold or stochastic), bits <->
//! spins, pixel shuffling within each image (the structureless control of paper 003, Fig. S1),
//! random subsamples, train/test splits, and the sign-symmetric split of paper 004 (Sec. V A 3: a
//! configuration and its negative always fall on the same side, so that a bias-free ±1 model, whose
//! energy is even, E(v) = E(-v), cannot leak training information into the test set).
//!
//! Every random transform takes a [`Seed`]; per-sample work draws from `seed.stream(i)`, so results
//! do not depend on threads or on the order of evaluation.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use ndarray::Array2;
use rand::RngExt;
use spinlearn_core::{Seed, SpinRng, Units};
use std::collections::HashMap;

/// The samples whose label is one of `labels`, in their original order. Errors when the dataset
/// has no labels, when `labels` is empty, or when a requested label occurs nowhere in the data
/// (the message lists the labels present).
pub fn select_labels(ds: &Dataset, labels: &[u8]) -> Result<Dataset> {
    let have = ds.labels.as_ref().ok_or_else(|| {
        DataError::invalid("labels", format!("dataset '{}' has no labels", ds.name))
    })?;
    if labels.is_empty() {
        return Err(DataError::invalid("labels", "no label given"));
    }
    let mut present: Vec<u8> = have.clone();
    present.sort_unstable();
    present.dedup();
    for l in labels {
        if present.binary_search(l).is_err() {
            let list: Vec<String> = present.iter().map(|p| p.to_string()).collect();
            return Err(DataError::invalid(
                "labels",
                format!(
                    "label {l} does not occur in '{}' (labels present: {})",
                    ds.name,
                    list.join(",")
                ),
            ));
        }
    }
    let idx: Vec<usize> = (0..ds.n_samples())
        .filter(|&i| labels.contains(&have[i]))
        .collect();
    let mut out = ds.select(&idx);
    let list: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    out.name = format!("{}[{}]", ds.name, list.join(","));
    Ok(out)
}

/// Threshold binarization: 1 where `x > threshold`, else 0 (0/1 bits). `threshold` must be finite.
pub fn binarize(ds: &Dataset, threshold: f32) -> Result<Dataset> {
    spinlearn_core::check::finite("threshold", threshold as f64)?;
    let mut out = ds.clone();
    out.data
        .mapv_inplace(|x| if x > threshold { 1.0 } else { 0.0 });
    Ok(out)
}

/// Uniform in [0, 1) with 24 random bits, exact in f32.
fn uniform_f32(rng: &mut SpinRng) -> f32 {
    (rand::Rng::next_u32(rng) >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// Stochastic binarization: each value `x` in [0, 1] becomes 1 with probability `x`, else 0;
/// sample `i` draws from `seed.stream(i)`. Errors (naming sample and feature) on a value outside
/// [0, 1].
pub fn binarize_stochastic(ds: &Dataset, seed: Seed) -> Result<Dataset> {
    if let Some((i, j, x)) = find_value(ds, |x| !(0.0..=1.0).contains(&x)) {
        return Err(DataError::invalid(
            "data",
            format!(
                "stochastic binarization needs values in [0, 1], found {x} at sample {i}, feature {j}"
            ),
        ));
    }
    let mut out = ds.clone();
    for (i, mut row) in out.data.rows_mut().into_iter().enumerate() {
        let mut rng = seed.stream(i as u64);
        for x in row.iter_mut() {
            *x = if uniform_f32(&mut rng) < *x { 1.0 } else { 0.0 };
        }
    }
    Ok(out)
}

fn find_value(ds: &Dataset, bad: impl Fn(f32) -> bool) -> Option<(usize, usize, f32)> {
    let n = ds.n_features().max(1);
    ds.data
        .iter()
        .enumerate()
        .find(|&(_, &x)| bad(x))
        .map(|(k, &x)| (k / n, k % n, x))
}

/// Which binary encoding the data uses: `Bit` when every value is 0 or 1, `Spin` when every value is
/// -1 or +1, `None` otherwise (all-ones data counts as bits).
pub fn detect_units(data: &Array2<f32>) -> Option<Units> {
    if data.iter().all(|&x| x == 0.0 || x == 1.0) {
        Some(Units::Bit)
    } else if data.iter().all(|&x| x == -1.0 || x == 1.0) {
        Some(Units::Spin)
    } else {
        None
    }
}

fn require(ds: &Dataset, units: Units) -> Result<()> {
    let [lo, hi] = units.values().map(|v| v as f32);
    if let Some((i, j, x)) = find_value(ds, |x| x != lo && x != hi) {
        return Err(DataError::invalid(
            "data",
            format!(
                "expected {} values ({lo}/{hi}), found {x} at sample {i}, feature {j}",
                units.name()
            ),
        ));
    }
    Ok(())
}

/// Bits to spins: 0 -> -1, 1 -> +1 (s = 2b - 1). Errors on any value other than 0 or 1.
pub fn to_spins(ds: &Dataset) -> Result<Dataset> {
    require(ds, Units::Bit)?;
    let mut out = ds.clone();
    out.data.mapv_inplace(|b| 2.0 * b - 1.0);
    Ok(out)
}

/// Spins to bits: -1 -> 0, +1 -> 1 (b = (s + 1) / 2). Errors on any value other than ±1.
pub fn to_bits(ds: &Dataset) -> Result<Dataset> {
    require(ds, Units::Spin)?;
    let mut out = ds.clone();
    out.data.mapv_inplace(|s| 0.5 * (s + 1.0));
    Ok(out)
}

/// Fisher-Yates shuffle of `xs` with `rng`.
fn shuffle<T>(xs: &mut [T], rng: &mut SpinRng) {
    for i in (1..xs.len()).rev() {
        let j = rng.random_range(0..=i);
        xs.swap(i, j);
    }
}

/// A random permutation of `0..n` from `seed.stream(0)`.
fn permutation(n: usize, seed: Seed) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    shuffle(&mut idx, &mut seed.stream(0));
    idx
}

/// Shuffles the features of each sample independently (image `i` with `seed.stream(i)`): every image
/// keeps its multiset of pixel values (its ink) but loses all spatial structure, the "shuffled
/// MNIST" control of paper 003. Labels and `image_shape` are kept.
pub fn shuffle_pixels(ds: &Dataset, seed: Seed) -> Dataset {
    let mut out = ds.clone();
    for (i, mut row) in out.data.rows_mut().into_iter().enumerate() {
        let mut rng = seed.stream(i as u64);
        shuffle(row.as_slice_mut().expect("standard layout"), &mut rng);
    }
    out.name = format!("{}-shuffled", ds.name);
    out
}

/// `n` distinct samples drawn at random (without replacement), kept in their original order.
/// `1 <= n <= n_samples`.
pub fn subsample(ds: &Dataset, n: usize, seed: Seed) -> Result<Dataset> {
    spinlearn_core::check::nonzero("n", n)?;
    if n > ds.n_samples() {
        return Err(DataError::invalid(
            "n",
            format!(
                "cannot take {n} samples from '{}', which has {}",
                ds.name,
                ds.n_samples()
            ),
        ));
    }
    let mut idx = permutation(ds.n_samples(), seed);
    idx.truncate(n);
    idx.sort_unstable();
    Ok(ds.select(&idx))
}

fn check_fraction(train_fraction: f64) -> Result<()> {
    spinlearn_core::check::finite("train_fraction", train_fraction)?;
    if train_fraction <= 0.0 || train_fraction >= 1.0 {
        return Err(DataError::invalid(
            "train_fraction",
            format!("must lie strictly between 0 and 1, got {train_fraction}"),
        ));
    }
    Ok(())
}

/// The two sides of a split (each in the original order); `param` names the parameter blamed when
/// a side is empty.
fn sides(
    ds: &Dataset,
    mut train: Vec<usize>,
    mut test: Vec<usize>,
    param: &str,
) -> Result<(Dataset, Dataset)> {
    if train.is_empty() || test.is_empty() {
        return Err(DataError::invalid(
            param,
            format!(
                "splitting '{}' ({} samples) leaves the {} set empty",
                ds.name,
                ds.n_samples(),
                if train.is_empty() { "training" } else { "test" }
            ),
        ));
    }
    train.sort_unstable();
    test.sort_unstable();
    let mut tr = ds.select(&train);
    let mut te = ds.select(&test);
    tr.name = format!("{}-train", ds.name);
    te.name = format!("{}-test", ds.name);
    Ok((tr, te))
}

/// Random train/test split: `round(train_fraction * n_samples)` samples for training, the rest for
/// testing, each side in the original order. `0 < train_fraction < 1`; both sides must be
/// non-empty. The permutation comes from `seed.stream(0)`.
pub fn split(ds: &Dataset, train_fraction: f64, seed: Seed) -> Result<(Dataset, Dataset)> {
    check_fraction(train_fraction)?;
    let n = ds.n_samples();
    let n_train = (train_fraction * n as f64).round() as usize;
    let idx = permutation(n, seed);
    let (tr, te) = idx.split_at(n_train.min(n));
    sides(ds, tr.to_vec(), te.to_vec(), "train_fraction")
}

/// The orbit key of a binary configuration under negation: its high/low pattern or that of its
/// negative, whichever is smaller, so that `v` and `-v` (spins) or `v` and `1 - v` (bits) share it.
fn orbit_key(row: &[f32], hi: f32) -> Vec<bool> {
    let pattern: Vec<bool> = row.iter().map(|&x| x == hi).collect();
    let negative: Vec<bool> = pattern.iter().map(|&b| !b).collect();
    pattern.min(negative)
}

/// The sign-symmetric split of paper 004 (Sec. V A 3): samples are grouped into orbits under
/// negation (`v` and `-v` for ±1 data, `v` and `1 - v` for 0/1 data; repeated configurations join
/// the same orbit), the orbits are shuffled with `seed.stream(0)`, and whole orbits go to the
/// training set while they fit in `round(train_fraction * n_samples)`; the rest form the test set.
/// Hence a configuration and its negative always fall on the same side. For Bars 4 x 4 (7 pairs)
/// with `train_fraction = 10/14` this gives the paper's 10 training and 4 test images.
///
/// The data must be binary (all values 0/1, or all ±1: see [`detect_units`]); `0 <
/// train_fraction < 1` and both sides must be non-empty.
pub fn sign_symmetric_split(
    ds: &Dataset,
    train_fraction: f64,
    seed: Seed,
) -> Result<(Dataset, Dataset)> {
    check_fraction(train_fraction)?;
    let (orbits, _) = negation_orbits(ds, "the sign-symmetric split")?;
    let order = permutation(orbits.len(), seed);
    let target = (train_fraction * ds.n_samples() as f64).round() as usize;
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for k in order {
        let orbit = &orbits[k];
        if train.len() + orbit.len() <= target {
            train.extend_from_slice(orbit);
        } else {
            test.extend_from_slice(orbit);
        }
    }
    sides(ds, train, test, "train_fraction")
}

/// A sign-symmetric split with a chosen test set: the orbits under negation (as in
/// [`sign_symmetric_split`]) of the rows `test_rows` form the test set, every other sample the
/// training set. Paper 004's own 4x4 Bars split is `sign_symmetric_holdout(&bars(4), &[4, 8])`:
/// the two-bar images with column masks `0101` and `1001` and their negatives are tested, the
/// one-bar, three-bar and adjacent two-bar images are trained on (the split of the authors'
/// published code, github.com/apozas/rapid `utils.create_bars_4x4`).
///
/// The data must be binary; every index must be a row of `ds`, and both sides must be non-empty.
pub fn sign_symmetric_holdout(ds: &Dataset, test_rows: &[usize]) -> Result<(Dataset, Dataset)> {
    if let Some(&bad) = test_rows.iter().find(|&&i| i >= ds.n_samples()) {
        return Err(DataError::invalid(
            "test_rows",
            format!(
                "row {bad} is out of range: '{}' has {} samples",
                ds.name,
                ds.n_samples()
            ),
        ));
    }
    let (orbits, orbit_of) = negation_orbits(ds, "the sign-symmetric holdout")?;
    let mut held = vec![false; orbits.len()];
    for &i in test_rows {
        held[orbit_of[i]] = true;
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (orbit, &h) in orbits.iter().zip(&held) {
        if h {
            test.extend_from_slice(orbit);
        } else {
            train.extend_from_slice(orbit);
        }
    }
    sides(ds, train, test, "test_rows")
}

/// Groups the samples of binary data into orbits under negation (`v` and `-v` for ±1 data, `v`
/// and `1 - v` for 0/1 data; repeated configurations join the same orbit), in order of first
/// appearance; also returns each sample's orbit. `what` names the caller in the error for
/// non-binary data.
fn negation_orbits(ds: &Dataset, what: &str) -> Result<(Vec<Vec<usize>>, Vec<usize>)> {
    let units = detect_units(&ds.data).ok_or_else(|| {
        DataError::invalid(
            "data",
            format!(
                "{what} needs binary data (all 0/1 or all ±1); '{}' is not",
                ds.name
            ),
        )
    })?;
    let hi = units.values()[1] as f32;
    let mut orbits: Vec<Vec<usize>> = Vec::new();
    let mut orbit_of = Vec::with_capacity(ds.n_samples());
    let mut index: HashMap<Vec<bool>, usize> = HashMap::new();
    for i in 0..ds.n_samples() {
        let key = orbit_key(ds.row(i), hi);
        let k = *index.entry(key).or_insert_with(|| {
            orbits.push(Vec::new());
            orbits.len() - 1
        });
        orbits[k].push(i);
        orbit_of.push(k);
    }
    Ok((orbits, orbit_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn tiny() -> Dataset {
        Dataset {
            name: "tiny".into(),
            data: array![[0.1f32, 0.9], [0.5, 0.6], [0.0, 1.0]],
            labels: Some(vec![3, 7, 3]),
            image_shape: None,
        }
    }

    #[test]
    fn binarize_threshold() {
        let b = binarize(&tiny(), 0.5).unwrap();
        assert_eq!(b.data, array![[0.0f32, 1.0], [0.0, 1.0], [0.0, 1.0]]);
        assert!(binarize(&tiny(), f32::NAN).is_err());
    }

    #[test]
    fn select_labels_keeps_order_and_rejects_unknown() {
        let s = select_labels(&tiny(), &[3]).unwrap();
        assert_eq!(s.n_samples(), 2);
        assert_eq!(s.row(1), &[0.0, 1.0]);
        let e = select_labels(&tiny(), &[4]).unwrap_err().to_string();
        assert!(
            e.contains("label 4 does not occur") && e.contains("3,7"),
            "{e}"
        );
        assert!(select_labels(&tiny(), &[]).is_err());
        let mut nolab = tiny();
        nolab.labels = None;
        assert!(select_labels(&nolab, &[3]).is_err());
    }

    #[test]
    fn units_are_detected_and_required() {
        assert_eq!(detect_units(&array![[0.0f32, 1.0]]), Some(Units::Bit));
        assert_eq!(detect_units(&array![[-1.0f32, 1.0]]), Some(Units::Spin));
        assert_eq!(detect_units(&array![[0.5f32, 1.0]]), None);
        let e = to_spins(&tiny()).unwrap_err().to_string();
        assert!(e.contains("found 0.1 at sample 0, feature 0"), "{e}");
    }
}
