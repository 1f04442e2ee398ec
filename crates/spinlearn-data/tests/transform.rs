//! Transforms: binarization, the bits/spins round trip, pixel shuffling (multiset kept, structure
//! lost), splits (sizes, seed determinism, disjointness) and the sign-symmetric split property of
//! paper 004 (a configuration and its negative always on the same side).

use ndarray::array;
use spinlearn_core::Seed;
use spinlearn_data::Dataset;
use spinlearn_data::generate::{bars, bars_and_stripes, uniform};
use spinlearn_data::mnist;
use spinlearn_data::transform::{
    binarize, binarize_stochastic, select_labels, shuffle_pixels, sign_symmetric_holdout,
    sign_symmetric_split, split, subsample, to_bits, to_spins,
};
use std::collections::{BTreeSet, HashSet};

fn rows(d: &Dataset) -> Vec<Vec<i8>> {
    (0..d.n_samples())
        .map(|i| d.row(i).iter().map(|&x| x as i8).collect())
        .collect()
}

fn sorted_bits(row: &[f32]) -> Vec<u32> {
    let mut v: Vec<u32> = row.iter().map(|x| x.to_bits()).collect();
    v.sort_unstable();
    v
}

#[test]
fn spins_round_trip_and_values() {
    let b = bars(4).unwrap();
    let s = to_spins(&b).unwrap();
    assert!(s.data.iter().all(|&x| x == -1.0 || x == 1.0));
    for (x, y) in b.data.iter().zip(s.data.iter()) {
        assert_eq!(*y, if *x == 1.0 { 1.0 } else { -1.0 });
    }
    assert_eq!(to_bits(&s).unwrap(), b);
    // Spins are not bits and vice versa.
    assert!(to_spins(&s).is_err());
    assert!(to_bits(&b).is_err());
}

#[test]
fn binarize_mnist() {
    let d = mnist::embedded().unwrap().head(50);
    let b = binarize(&d, 0.5).unwrap();
    for (x, y) in d.data.iter().zip(b.data.iter()) {
        assert_eq!(*y, if *x > 0.5 { 1.0 } else { 0.0 });
    }
    assert_eq!(b.labels, d.labels);
    assert_eq!(b.image_shape, Some((28, 28)));
}

#[test]
fn stochastic_binarization_matches_probabilities() {
    let mut d = uniform(100, 100, Seed(1)).unwrap();
    d.data.fill(0.3);
    d.data.row_mut(0).fill(0.0);
    d.data.row_mut(1).fill(1.0);
    let b = binarize_stochastic(&d, Seed(9)).unwrap();
    assert_eq!(b, binarize_stochastic(&d, Seed(9)).unwrap());
    assert_ne!(b, binarize_stochastic(&d, Seed(10)).unwrap());
    assert!(b.data.row(0).iter().all(|&x| x == 0.0));
    assert!(b.data.row(1).iter().all(|&x| x == 1.0));
    // 9,800 Bernoulli(0.3) draws: standard deviation 0.0046; 0.02 is over four sigma.
    let rest: Vec<f32> = b.data.iter().skip(200).copied().collect();
    let mean = rest.iter().map(|&x| x as f64).sum::<f64>() / rest.len() as f64;
    assert!((mean - 0.3).abs() < 0.02, "mean {mean}");
    let mut bad = d.clone();
    bad.data[[3, 4]] = 1.5;
    let e = binarize_stochastic(&bad, Seed(0)).unwrap_err().to_string();
    assert!(e.contains("1.5 at sample 3, feature 4"), "{e}");
}

#[test]
fn shuffle_keeps_each_images_pixels_and_destroys_structure() {
    let d = mnist::embedded().unwrap().head(40);
    let s = shuffle_pixels(&d, Seed(5));
    assert_eq!(s.labels, d.labels);
    assert_eq!(s.image_shape, d.image_shape);
    for i in 0..d.n_samples() {
        assert_eq!(sorted_bits(d.row(i)), sorted_bits(s.row(i)), "image {i}");
        // A digit has ~100 ink pixels among 784: a random permutation keeps nearly none in place.
        let moved = d
            .row(i)
            .iter()
            .zip(s.row(i))
            .filter(|(a, b)| a != b)
            .count();
        assert!(moved > 50, "image {i}: only {moved} pixels changed");
    }
    // Images are shuffled independently: image 0 and 1 of the same digit class do not get the
    // same permutation, and the result for an image does not depend on the others.
    assert_eq!(shuffle_pixels(&d.head(3), Seed(5)).data, s.head(3).data);
    assert_eq!(shuffle_pixels(&d, Seed(5)), s);
    assert_ne!(shuffle_pixels(&d, Seed(6)).data, s.data);
    // Mean image loses its digit shape: the centre pixel's mean ink falls towards the image mean.
    let centre = 14 * 28 + 14;
    let full = mnist::embedded().unwrap().head(1000);
    let sh = shuffle_pixels(&full, Seed(1));
    let col_mean = |d: &Dataset, j: usize| d.data.column(j).sum() / d.n_samples() as f32;
    let corner_orig = col_mean(&full, 0);
    let corner_shuf = col_mean(&sh, 0);
    assert_eq!(corner_orig, 0.0);
    assert!(corner_shuf > 0.05, "corner ink after shuffle {corner_shuf}");
    assert!(col_mean(&sh, centre) < col_mean(&full, centre));
}

#[test]
fn split_sizes_determinism_and_disjointness() {
    let d = uniform(101, 8, Seed(2)).unwrap();
    let mut d = d;
    d.labels = Some((0..101).map(|i| i as u8).collect());
    let (tr, te) = split(&d, 0.8, Seed(7)).unwrap();
    assert_eq!(tr.n_samples(), 81); // round(80.8)
    assert_eq!(te.n_samples(), 20);
    let a: BTreeSet<u8> = tr.labels.clone().unwrap().into_iter().collect();
    let b: BTreeSet<u8> = te.labels.clone().unwrap().into_iter().collect();
    assert!(a.is_disjoint(&b));
    assert_eq!(a.union(&b).count(), 101);
    let (tr2, te2) = split(&d, 0.8, Seed(7)).unwrap();
    assert_eq!((tr2, te2), (tr.clone(), te.clone()));
    let (tr3, _) = split(&d, 0.8, Seed(8)).unwrap();
    assert_ne!(tr3.labels, tr.labels);
    for bad in [0.0, 1.0, -0.1, f64::NAN] {
        let e = split(&d, bad, Seed(0)).unwrap_err().to_string();
        assert!(e.contains("`train_fraction`"), "{e}");
    }
    // 0.001 of 101 leaves the training set empty.
    assert!(split(&d, 0.001, Seed(0)).is_err());
}

/// Checks the sign-symmetric property: the negative of every configuration on one side is absent
/// from the other side (and present on its own side whenever it occurs in the data).
fn assert_sign_symmetric(all: &Dataset, tr: &Dataset, te: &Dataset, negate: impl Fn(i8) -> i8) {
    let tr_rows: HashSet<Vec<i8>> = rows(tr).into_iter().collect();
    let te_rows: HashSet<Vec<i8>> = rows(te).into_iter().collect();
    let all_rows: HashSet<Vec<i8>> = rows(all).into_iter().collect();
    assert!(tr_rows.is_disjoint(&te_rows));
    for (side, other) in [(&tr_rows, &te_rows), (&te_rows, &tr_rows)] {
        for r in side {
            let neg: Vec<i8> = r.iter().map(|&x| negate(x)).collect();
            assert!(!other.contains(&neg), "negative on the other side");
            if all_rows.contains(&neg) {
                assert!(side.contains(&neg), "negative missing from its side");
            }
        }
    }
    assert_eq!(tr.n_samples() + te.n_samples(), all.n_samples());
}

#[test]
fn sign_symmetric_split_of_bars_gives_the_papers_10_and_4() {
    let b = bars(4).unwrap();
    let mut seen = HashSet::new();
    for s in 0..20 {
        let (tr, te) = sign_symmetric_split(&b, 10.0 / 14.0, Seed(s)).unwrap();
        assert_eq!((tr.n_samples(), te.n_samples()), (10, 4));
        assert_sign_symmetric(&b, &tr, &te, |x| 1 - x);
        seen.insert(rows(&te));
    }
    // 7 pairs, 2 in the test set: 21 possible test sets; 20 seeds must hit several of them.
    assert!(seen.len() >= 5, "only {} distinct splits", seen.len());
    let (a, _) = sign_symmetric_split(&b, 10.0 / 14.0, Seed(3)).unwrap();
    let (a2, _) = sign_symmetric_split(&b, 10.0 / 14.0, Seed(3)).unwrap();
    assert_eq!(a, a2);
}

#[test]
fn sign_symmetric_holdout_gives_the_papers_bars_split() {
    // the column mask of a Bars image: bit c set when column c is on (row 0 holds every column)
    let mask = |r: &[f32]| {
        (0..4)
            .filter(|&c| r[c] > 0.5)
            .map(|c| 1u32 << c)
            .sum::<u32>()
    };
    let masks = |d: &Dataset| {
        (0..d.n_samples())
            .map(|i| mask(d.row(i)))
            .collect::<BTreeSet<_>>()
    };
    let b = bars(4).unwrap();
    let (tr, te) = sign_symmetric_holdout(&b, &[4, 8]).unwrap();
    assert_eq!((tr.n_samples(), te.n_samples()), (10, 4));
    assert_sign_symmetric(&b, &tr, &te, |x| 1 - x);
    // the authors' test images: columns 1010 and 1001 (masks 0b0101 and 0b1001) and negatives
    assert_eq!(masks(&te), BTreeSet::from([0b0101, 0b1010, 0b1001, 0b0110]));
    // every one-bar image is trained on
    for c in 0..4 {
        assert!(masks(&tr).contains(&(1 << c)));
    }
    // the same on spins, and naming a row twice or both members of an orbit changes nothing
    let bs = to_spins(&b).unwrap();
    let (trs, tes) = sign_symmetric_holdout(&bs, &[4, 8, 8, 9]).unwrap();
    assert_eq!((trs.n_samples(), tes.n_samples()), (10, 4));
    assert_sign_symmetric(&bs, &trs, &tes, |x| -x);
    // bad input
    let e = sign_symmetric_holdout(&b, &[14]).unwrap_err().to_string();
    assert!(e.contains("test_rows") && e.contains("14"), "{e}");
    let all: Vec<usize> = (0..14).collect();
    let e = sign_symmetric_holdout(&b, &all).unwrap_err().to_string();
    assert!(e.contains("test_rows") && e.contains("empty"), "{e}");
    let m = mnist::embedded().unwrap().head(10);
    let e = sign_symmetric_holdout(&m, &[0]).unwrap_err().to_string();
    assert!(e.contains("binary"), "{e}");
}

#[test]
fn sign_symmetric_split_spins_and_duplicates() {
    let bas = to_spins(&bars_and_stripes(5).unwrap()).unwrap(); // 60 images, 30 pairs
    let (tr, te) = sign_symmetric_split(&bas, 0.8, Seed(1)).unwrap();
    assert_eq!((tr.n_samples(), te.n_samples()), (48, 12));
    assert_sign_symmetric(&bas, &tr, &te, |x| -x);

    // Duplicates and unpaired configurations: every copy stays with its orbit.
    let d = Dataset {
        name: "dups".into(),
        data: array![
            [1.0f32, 0.0, 0.0],
            [0.0, 1.0, 1.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 1.0],
        ],
        labels: None,
        image_shape: None,
    };
    for s in 0..10 {
        let (tr, te) = sign_symmetric_split(&d, 0.5, Seed(s)).unwrap();
        assert_sign_symmetric(&d, &tr, &te, |x| 1 - x);
        assert!(tr.n_samples() <= 4);
    }
    // Non-binary data is refused.
    let m = mnist::embedded().unwrap().head(10);
    let e = sign_symmetric_split(&m, 0.5, Seed(0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("binary"), "{e}");
}

#[test]
fn subsample_and_select_labels() {
    let m = mnist::embedded().unwrap();
    let s = subsample(&m, 100, Seed(4)).unwrap();
    assert_eq!(s.n_samples(), 100);
    assert_eq!(s, subsample(&m, 100, Seed(4)).unwrap());
    assert_ne!(s, subsample(&m, 100, Seed(5)).unwrap());
    let distinct: HashSet<Vec<u32>> = (0..100)
        .map(|i| s.row(i).iter().map(|x| x.to_bits()).collect())
        .collect();
    assert_eq!(distinct.len(), 100);
    assert!(subsample(&m, 0, Seed(0)).is_err());
    let e = subsample(&m, 10_001, Seed(0)).unwrap_err().to_string();
    assert!(e.contains("`n`") && e.contains("10000"), "{e}");

    let ones = select_labels(&m, &[0, 1]).unwrap();
    assert_eq!(ones.n_samples(), 1001 + 1127);
    assert!(ones.labels.unwrap().iter().all(|&l| l <= 1));
    let e = select_labels(&m, &[12]).unwrap_err().to_string();
    assert!(e.contains("label 12"), "{e}");
}
